// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vcrypt: vcrypt's part of a hardware queue, its register page and its
 * key slots.
 *
 * The queues themselves, their rings and their uacce callbacks are
 * wd_engine.ko's (struct wd_hwq), which calls these through
 * vcrypt_accel_ops.  A queue handed back has empty key slots for its next
 * owner: the slots are wiped when the queue is handed back (close(),
 * process exit) and when the device goes.
 */
#include <asm/byteorder.h>
#include <linux/wd_engine.h>

#include "vcrypt.h"

/**
 * vcrypt_queue_write_regs() - wd_accel_ops.write_regs
 * @hw: the queue, of a vcrypt device
 *
 * Documentation/vcrypt.rst, "Registers (MMIO)".
 */
void vcrypt_queue_write_regs(struct wd_hwq *hw)
{
	const struct vcrypt_device *vdev = vcrypt_dev(hw->accel);
	u32 depth = vdev->cfg.geo.ring_depth;
	__le32 *regs = hw->mmio;

	regs[VCRYPT_REG_MAGIC / 4] = cpu_to_le32(VCRYPT_MAGIC);
	regs[VCRYPT_REG_VERSION / 4] = cpu_to_le32(VCRYPT_HW_VERSION);
	regs[VCRYPT_REG_QID / 4] = cpu_to_le32(hw->qid);
	regs[VCRYPT_REG_RING_DEPTH / 4] = cpu_to_le32(depth);
	regs[VCRYPT_REG_SQE_SIZE / 4] = cpu_to_le32(sizeof(struct vcrypt_sqe));
	regs[VCRYPT_REG_CQE_SIZE / 4] = cpu_to_le32(sizeof(struct vcrypt_cqe));
	regs[VCRYPT_REG_CTX_SIZE / 4] = cpu_to_le32(vdev->ctx_size);
	regs[VCRYPT_REG_CAPS / 4] = cpu_to_le32(vdev->accel.caps);
	regs[VCRYPT_REG_MAX_LEN / 4] = cpu_to_le32(vdev->cfg.geo.max_len);
	regs[VCRYPT_REG_SQ_OFFSET / 4] = cpu_to_le32(VCRYPT_CTRL_SIZE);
	regs[VCRYPT_REG_CQ_OFFSET / 4] =
		cpu_to_le32(VCRYPT_CTRL_SIZE + depth * sizeof(struct vcrypt_sqe));
	regs[VCRYPT_REG_KEY_SLOTS / 4] = cpu_to_le32(vdev->cfg.key_slots);
	regs[VCRYPT_REG_ALGS / 4] = cpu_to_le32(vdev->algs);
}

/**
 * vcrypt_queue_init() - wd_accel_ops.queue_init: the key slots
 * @hw: the queue, of a vcrypt device
 *
 * Return: 0, or -ENOMEM.
 */
int vcrypt_queue_init(struct wd_hwq *hw)
{
	struct vcrypt_device *vdev = vcrypt_dev(hw->accel);
	struct vcrypt_queue *q = to_vcrypt_queue(hw);

	q->slots = vcrypt_slots_alloc(vdev->cfg.key_slots, vdev->node);
	return q->slots ? 0 : -ENOMEM;
}

/**
 * vcrypt_queue_fini() - wd_accel_ops.queue_fini: the device goes, and its
 *	keys with it
 * @hw: the queue, of a vcrypt device; its slots NULL if never allocated
 */
void vcrypt_queue_fini(struct wd_hwq *hw)
{
	struct vcrypt_device *vdev = vcrypt_dev(hw->accel);
	struct vcrypt_queue *q = to_vcrypt_queue(hw);

	if (!q->slots)
		return;
	vcrypt_slots_wipe(vdev, q->slots, vdev->cfg.key_slots);
	vcrypt_slots_free(q->slots, vdev->cfg.key_slots);
	q->slots = NULL;
}

/**
 * vcrypt_queue_release() - wd_accel_ops.queue_release: the owner is gone,
 *	so are its keys (UACCE_CMD_PUT_Q keeps them)
 * @hw: the queue, stopped, of a vcrypt device
 */
void vcrypt_queue_release(struct wd_hwq *hw)
{
	struct vcrypt_device *vdev = vcrypt_dev(hw->accel);

	vcrypt_slots_wipe(vdev, to_vcrypt_queue(hw)->slots,
			  vdev->cfg.key_slots);
}
