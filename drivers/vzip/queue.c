// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzip: hardware queues.
 *
 * Like the queues of a real device, they all exist from probe to remove:
 * their register page and their DUS memory (control page, SQ, CQ) are
 * allocated once, on the device's NUMA node, and handed to one uacce queue
 * at a time.  A queue handed back is cleaned, so its next owner sees clean
 * rings and nothing of the previous owner's requests.
 */
#include <kunit/visibility.h>
#include <linux/error-injection.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uacce.h>
#include <linux/vzip_regs.h>
#include <linux/wd_engine.h>

#include "vzip.h"

static void vzip_queue_write_regs(struct vzip_queue *q)
{
	const struct vzip_device *vdev = q->vdev;

	vzip_fill_regs(q->mmio, q->qid, vdev->cfg.ring_depth, vdev->ctx_size,
		       vdev->caps, vdev->cfg.max_len);
}

static int vzip_queue_init(struct vzip_device *vdev, struct vzip_queue *q,
			   u32 qid)
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

	if (wd_ring_alloc(&q->ring, vdev->node, depth, sizeof(struct vzip_sqe),
			  sizeof(struct vzip_cqe))) {
		free_page((unsigned long)q->mmio);
		q->mmio = NULL;
		return -ENOMEM;
	}
	vzip_queue_write_regs(q);
	return 0;
}

static void vzip_queue_fini(struct vzip_queue *q)
{
	wd_ring_free(&q->ring);
	if (q->mmio)
		free_page((unsigned long)q->mmio);
}

/**
 * vzip_queues_create() - allocate the hardware queues of a device
 * @vdev: the device
 *
 * Return: 0, or -ENOMEM with nothing left behind.
 */
int vzip_queues_create(struct vzip_device *vdev)
{
	u32 i;
	int ret;

	vdev->queues = kcalloc_node(vdev->cfg.nr_queues, sizeof(*vdev->queues),
				    GFP_KERNEL, vdev->node);
	if (!vdev->queues)
		return -ENOMEM;
	for (i = 0; i < vdev->cfg.nr_queues; i++) {
		ret = vzip_queue_init(vdev, &vdev->queues[i], i);
		if (ret) {
			vzip_queues_destroy(vdev);
			return ret;
		}
	}
	return 0;
}

/**
 * vzip_queues_destroy() - free the hardware queues of a device
 * @vdev: the device, no queue of which is in use
 */
void vzip_queues_destroy(struct vzip_device *vdev)
{
	u32 i;

	if (!vdev->queues)
		return;
	for (i = 0; i < vdev->cfg.nr_queues; i++)
		vzip_queue_fini(&vdev->queues[i]);
	kfree(vdev->queues);
	vdev->queues = NULL;
}

/* ---- uacce callbacks ---- */

static int vzip_get_available_instances(struct uacce_device *uacce)
{
	struct vzip_device *vdev = uacce->priv;
	int i, n = 0;

	mutex_lock(&vdev->alloc_lock);
	for (i = 0; i < vdev->cfg.nr_queues; i++)
		n += !vdev->queues[i].uq;
	mutex_unlock(&vdev->alloc_lock);
	return n;
}

/*
 * Neither vzip_get_queue() nor vzip_start_queue() allocates anything.  To
 * drive uacce's unwinding of open() and UACCE_CMD_START_Q, vzip_test
 * fails them from a kprobe (kt_inject()); fail_function can too
 * (ALLOW_ERROR_INJECTION) on a kernel whose lockdep allows it.
 */
static int vzip_get_queue(struct uacce_device *uacce, unsigned long arg,
			  struct uacce_queue *uq)
{
	struct vzip_device *vdev = uacce->priv;
	struct vzip_queue *q = NULL;
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
	uq->status = (struct uacce_queue_status *)vzip_ctrl(q,
							    VZIP_CTRL_STATUS);
	return 0;
}

ALLOW_ERROR_INJECTION(vzip_get_queue, ERRNO);

static void vzip_put_queue(struct uacce_queue *uq)
{
	struct vzip_queue *q = uq->priv;
	struct vzip_device *vdev = q->vdev;

	/* stopped: no request uses the registered memory any more */
	wd_mem_release(&q->mem);
	wd_ring_reset(&q->ring, 0);
	vzip_queue_write_regs(q);
	uq->priv = NULL;
	mutex_lock(&vdev->alloc_lock);
	q->uq = NULL;
	mutex_unlock(&vdev->alloc_lock);
}

static int vzip_start_queue(struct uacce_queue *uq)
{
	struct vzip_queue *q = uq->priv;

	return wd_queue_start(&q->vdev->eng, &q->ent, uq,
			      q->vdev->caps & VZIP_CAP_SVA, &q->mm, q->qid);
}

ALLOW_ERROR_INJECTION(vzip_start_queue, ERRNO);

static void vzip_stop_queue(struct uacce_queue *uq)
{
	struct vzip_queue *q = uq->priv;

	wd_queue_stop(&q->vdev->eng, &q->ent, &q->mm);
}

static int vzip_is_q_updated(struct uacce_queue *uq)
{
	struct vzip_queue *q = uq->priv;

	return wd_ring_cq_pending(&q->ring);
}

/* The register page, rewritten by vzip_put_queue(), and the rings */
static int vzip_mmap(struct uacce_queue *uq, struct vm_area_struct *vma,
		     struct uacce_qfile_region *qfr)
{
	struct vzip_queue *q = uq->priv;

	return wd_queue_mmap(&q->vdev->eng, q->qid, q->mmio, &q->ring, vma,
			     qfr);
}

static void vzip_queue_info(struct uacce_queue *uq,
			    struct uacce_queue_info *info)
{
	struct vzip_queue *q = uq->priv;

	info->qid = q->qid;
	info->status_offset = VZIP_CTRL_STATUS;
	info->ring_depth = q->vdev->cfg.ring_depth;
	info->sqe_size = sizeof(struct vzip_sqe);
	info->cqe_size = sizeof(struct vzip_cqe);
	info->ctx_size = q->vdev->ctx_size;
}

/* Registered memory (WD_MEM_CMD_*) is the framework's; vzip has no other. */
static long vzip_ioctl(struct uacce_queue *uq, unsigned int cmd,
		       unsigned long arg)
{
	struct vzip_queue *q = uq->priv;

	return wd_mem_queue_ioctl(&q->mem, uq, cmd, arg);
}

static void vzip_wake_queue(struct uacce_queue *uq)
{
	struct vzip_queue *q = uq->priv;

	atomic64_inc(&q->vdev->stats.doorbells);
	wd_engines_kick(&q->vdev->eng);
}

const struct uacce_ops vzip_uacce_ops = {
	.get_available_instances = vzip_get_available_instances,
	.get_queue = vzip_get_queue,
	.put_queue = vzip_put_queue,
	.start_queue = vzip_start_queue,
	.stop_queue = vzip_stop_queue,
	.is_q_updated = vzip_is_q_updated,
	.mmap = vzip_mmap,
	.queue_info = vzip_queue_info,
	.ioctl = vzip_ioctl,
	.wake_queue = vzip_wake_queue,
};
