// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vcrypt: hardware queues.
 *
 * Like the queues of a real device, they all exist from probe to remove:
 * their register page and their DUS memory (control page, SQ, CQ) are
 * allocated once, on the device's NUMA node, and handed to one uacce queue
 * at a time.  A queue handed back is cleaned, so its next owner sees clean
 * rings and nothing of the previous owner's requests, and empty key slots:
 * the slots are wiped when the queue is handed back (close(), process
 * exit) and when the device goes.
 */
#include <kunit/visibility.h>
#include <linux/error-injection.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uacce.h>
#include <linux/wd_engine.h>

#include "vcrypt.h"

/* Documentation/vcrypt.rst, "Registers (MMIO)" */
static void vcrypt_queue_write_regs(struct vcrypt_queue *q)
{
	const struct vcrypt_device *vdev = q->vdev;
	u32 depth = vdev->cfg.ring_depth;
	__le32 *regs = q->mmio;

	regs[VCRYPT_REG_MAGIC / 4] = cpu_to_le32(VCRYPT_MAGIC);
	regs[VCRYPT_REG_VERSION / 4] = cpu_to_le32(VCRYPT_HW_VERSION);
	regs[VCRYPT_REG_QID / 4] = cpu_to_le32(q->qid);
	regs[VCRYPT_REG_RING_DEPTH / 4] = cpu_to_le32(depth);
	regs[VCRYPT_REG_SQE_SIZE / 4] = cpu_to_le32(sizeof(struct vcrypt_sqe));
	regs[VCRYPT_REG_CQE_SIZE / 4] = cpu_to_le32(sizeof(struct vcrypt_cqe));
	regs[VCRYPT_REG_CTX_SIZE / 4] = cpu_to_le32(vdev->ctx_size);
	regs[VCRYPT_REG_CAPS / 4] = cpu_to_le32(vdev->caps);
	regs[VCRYPT_REG_MAX_LEN / 4] = cpu_to_le32(vdev->cfg.max_len);
	regs[VCRYPT_REG_SQ_OFFSET / 4] = cpu_to_le32(VCRYPT_CTRL_SIZE);
	regs[VCRYPT_REG_CQ_OFFSET / 4] =
		cpu_to_le32(VCRYPT_CTRL_SIZE + depth * sizeof(struct vcrypt_sqe));
	regs[VCRYPT_REG_KEY_SLOTS / 4] = cpu_to_le32(vdev->cfg.key_slots);
	regs[VCRYPT_REG_ALGS / 4] = cpu_to_le32(vdev->algs);
}

static int vcrypt_queue_init(struct vcrypt_device *vdev,
			     struct vcrypt_queue *q, u32 qid)
{
	u32 depth = vdev->cfg.ring_depth;
	struct page *page;

	q->vdev = vdev;
	q->qid = qid;
	wd_sched_init(&q->ent, &q->ring, NULL);
	wd_mem_init(&q->mem, &vdev->eng);

	page = alloc_pages_node(vdev->node, GFP_KERNEL | __GFP_ZERO, 0);
	if (!page)
		return -ENOMEM;
	q->mmio = page_address(page);
	q->slots = vcrypt_slots_alloc(vdev->cfg.key_slots, vdev->node);
	if (!q->slots) {
		free_page((unsigned long)q->mmio);
		q->mmio = NULL;
		return -ENOMEM;
	}

	if (wd_ring_alloc(&q->ring, vdev->node, depth, sizeof(struct vcrypt_sqe),
			  sizeof(struct vcrypt_cqe))) {
		free_page((unsigned long)q->mmio);
		q->mmio = NULL;
		return -ENOMEM;
	}
	vcrypt_queue_write_regs(q);
	return 0;
}

static void vcrypt_queue_fini(struct vcrypt_queue *q)
{
	/* the device goes: its keys go with it */
	if (q->slots) {
		vcrypt_slots_wipe(q->vdev, q->slots, q->vdev->cfg.key_slots);
		vcrypt_slots_free(q->slots, q->vdev->cfg.key_slots);
		q->slots = NULL;
	}
	wd_ring_free(&q->ring);
	if (q->mmio)
		free_page((unsigned long)q->mmio);
}

/**
 * vcrypt_queues_create() - allocate the hardware queues of a device
 * @vdev: the device
 *
 * Return: 0, or -ENOMEM with nothing left behind.
 */
int vcrypt_queues_create(struct vcrypt_device *vdev)
{
	u32 i;
	int ret;

	vdev->queues = kcalloc_node(vdev->cfg.nr_queues, sizeof(*vdev->queues),
				    GFP_KERNEL, vdev->node);
	if (!vdev->queues)
		return -ENOMEM;
	for (i = 0; i < vdev->cfg.nr_queues; i++) {
		ret = vcrypt_queue_init(vdev, &vdev->queues[i], i);
		if (ret) {
			vcrypt_queues_destroy(vdev);
			return ret;
		}
	}
	return 0;
}

/**
 * vcrypt_queues_destroy() - free the hardware queues of a device
 * @vdev: the device, no queue of which is in use
 */
void vcrypt_queues_destroy(struct vcrypt_device *vdev)
{
	u32 i;

	if (!vdev->queues)
		return;
	for (i = 0; i < vdev->cfg.nr_queues; i++)
		vcrypt_queue_fini(&vdev->queues[i]);
	kfree(vdev->queues);
	vdev->queues = NULL;
}

/* ---- uacce callbacks ---- */

static int vcrypt_get_available_instances(struct uacce_device *uacce)
{
	struct vcrypt_device *vdev = uacce->priv;
	int i, n = 0;

	mutex_lock(&vdev->alloc_lock);
	for (i = 0; i < vdev->cfg.nr_queues; i++)
		n += !vdev->queues[i].uq;
	mutex_unlock(&vdev->alloc_lock);
	return n;
}

/*
 * Neither vcrypt_get_queue() nor vcrypt_start_queue() allocates anything.  To
 * drive uacce's unwinding of open() and UACCE_CMD_START_Q, vcrypt_test
 * fails them from a kprobe (kt_inject()); fail_function can too
 * (ALLOW_ERROR_INJECTION) on a kernel whose lockdep allows it.
 */
static int vcrypt_get_queue(struct uacce_device *uacce, unsigned long arg,
			    struct uacce_queue *uq)
{
	struct vcrypt_device *vdev = uacce->priv;
	struct vcrypt_queue *q = NULL;
	u32 i;

	mutex_lock(&vdev->alloc_lock);
	for (i = 0; i < vdev->cfg.nr_queues; i++) {
		if (!vdev->queues[i].uq) {
			q = &vdev->queues[i];
			q->uq = uq;
			break;
		}
	}
	mutex_unlock(&vdev->alloc_lock);
	if (!q) {
		dev_dbg(vdev->dev, "all %u queues are in use\n",
			vdev->cfg.nr_queues);
		return -EBUSY;
	}
	uq->priv = q;
	uq->status = (struct uacce_queue_status *)
		wd_ring_ctrl(&q->ring, VCRYPT_CTRL_STATUS);
	return 0;
}

ALLOW_ERROR_INJECTION(vcrypt_get_queue, ERRNO);

static void vcrypt_put_queue(struct uacce_queue *uq)
{
	struct vcrypt_queue *q = uq->priv;
	struct vcrypt_device *vdev = q->vdev;

	/* stopped: no request uses the registered memory any more */
	wd_mem_release(&q->mem);
	wd_ring_reset(&q->ring, 0);
	vcrypt_queue_write_regs(q);
	/* the owner is gone: so are its keys (UACCE_CMD_PUT_Q keeps them) */
	vcrypt_slots_wipe(vdev, q->slots, vdev->cfg.key_slots);
	uq->priv = NULL;
	mutex_lock(&vdev->alloc_lock);
	q->uq = NULL;
	mutex_unlock(&vdev->alloc_lock);
}

static int vcrypt_start_queue(struct uacce_queue *uq)
{
	struct vcrypt_queue *q = uq->priv;

	return wd_queue_start(&q->vdev->eng, &q->ent, uq,
			      q->vdev->caps & VCRYPT_CAP_SVA, &q->mm, q->qid);
}

ALLOW_ERROR_INJECTION(vcrypt_start_queue, ERRNO);

static void vcrypt_stop_queue(struct uacce_queue *uq)
{
	struct vcrypt_queue *q = uq->priv;

	wd_queue_stop(&q->vdev->eng, &q->ent, &q->mm);
}

static int vcrypt_is_q_updated(struct uacce_queue *uq)
{
	struct vcrypt_queue *q = uq->priv;

	return wd_ring_cq_pending(&q->ring);
}

/* The register page, rewritten by vcrypt_put_queue(), and the rings */
static int vcrypt_mmap(struct uacce_queue *uq, struct vm_area_struct *vma,
		       struct uacce_qfile_region *qfr)
{
	struct vcrypt_queue *q = uq->priv;

	return wd_queue_mmap(&q->vdev->eng, q->qid, q->mmio, &q->ring, vma,
			     qfr);
}

static void vcrypt_queue_info(struct uacce_queue *uq,
			      struct uacce_queue_info *info)
{
	struct vcrypt_queue *q = uq->priv;

	info->qid = q->qid;
	info->status_offset = VCRYPT_CTRL_STATUS;
	info->ring_depth = q->vdev->cfg.ring_depth;
	info->sqe_size = sizeof(struct vcrypt_sqe);
	info->cqe_size = sizeof(struct vcrypt_cqe);
	info->ctx_size = q->vdev->ctx_size;
}

/* Registered memory (WD_MEM_CMD_*) is the framework's; vcrypt has no other. */
static long vcrypt_ioctl(struct uacce_queue *uq, unsigned int cmd,
			 unsigned long arg)
{
	struct vcrypt_queue *q = uq->priv;

	return wd_mem_queue_ioctl(&q->mem, uq, cmd, arg);
}

static void vcrypt_wake_queue(struct uacce_queue *uq)
{
	struct vcrypt_queue *q = uq->priv;

	atomic64_inc(&q->vdev->stats.doorbells);
	wd_engines_kick(&q->vdev->eng);
}

const struct uacce_ops vcrypt_uacce_ops = {
	.get_available_instances = vcrypt_get_available_instances,
	.get_queue = vcrypt_get_queue,
	.put_queue = vcrypt_put_queue,
	.start_queue = vcrypt_start_queue,
	.stop_queue = vcrypt_stop_queue,
	.is_q_updated = vcrypt_is_q_updated,
	.mmap = vcrypt_mmap,
	.queue_info = vcrypt_queue_info,
	.ioctl = vcrypt_ioctl,
	.wake_queue = vcrypt_wake_queue,
};
