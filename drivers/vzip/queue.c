// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzip: the register page of a hardware queue.
 *
 * The queues themselves, their rings and their uacce callbacks are
 * wd_engine.ko's (struct wd_hwq); vzip's queue has nothing else of its
 * own.  The framework writes the register page through vzip_accel_ops at
 * probe and for each new owner, so that the owner reads the device's
 * geometry (Documentation/vzip.rst, "Registers (MMIO)").
 */
#include <asm/byteorder.h>
#include <linux/vzip_regs.h>
#include <linux/wd_engine.h>

#include "vzip.h"

/**
 * vzip_queue_write_regs() - wd_accel_ops.write_regs
 * @q: the queue, of a vzip device
 */
void vzip_queue_write_regs(struct wd_hwq *q)
{
	const struct vzip_device *vdev = vzip_dev(q->accel);

	vzip_fill_regs(q->mmio, q->qid, vdev->cfg.ring_depth, vdev->ctx_size,
		       vdev->accel.caps, vdev->cfg.max_len);
}
