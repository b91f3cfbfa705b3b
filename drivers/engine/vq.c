// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_engine: the queues of vfio-pci instances (struct wd_mdev_vq, wd_mdev)
 * on a device's engines, for every class.
 *
 * A class's wd_mdev_vfio_ops are mostly the same whatever the class: a
 * queue of the function joins the scheduler of the device's other queues
 * when the function is opened and leaves it when it is closed, and a
 * request's guest ranges, which wd_mdev pins, become the struct wd_buf
 * the class's execution works on.  That part is here; what a descriptor
 * means (decode, execute, the statuses of fail) and the function's
 * identity (info) are the class's.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/wd_engine.h>
#include <linux/wd_mdev.h>

/**
 * wd_vq_attach() - serve a vfio-pci queue on a device's engines
 * @wdev: the device's engines
 * @vq: the queue, as wd_mdev_vfio_ops.attach receives it
 * @size: bytes of the class's state of the queue, which begins with its
 *	struct wd_sched_ent: sizeof(struct wd_sched_ent) if the class keeps
 *	nothing else
 *
 * The state is allocated zeroed on the device's node, becomes @vq->drv,
 * and its entry is started with @vq's tenant.  The engines find nothing
 * to execute until wd_mdev opens the function, so the class may finish
 * setting up the rest of the state after this returns.
 *
 * Return: the state, or NULL if @size is too small (logged) or memory is
 * short.
 */
void *wd_vq_attach(struct wd_engine_dev *wdev, struct wd_mdev_vq *vq,
		   size_t size)
{
	struct wd_sched_ent *ent;

	if (WARN_ON_ONCE(size < sizeof(*ent)))
		return NULL;
	ent = kzalloc_node(size, GFP_KERNEL, wdev->node);
	if (!ent)
		return NULL;
	wd_sched_init(ent, NULL, vq);
	vq->drv = ent;
	wd_sched_start(wdev, ent, vq->tenant);
	return ent;
}
EXPORT_SYMBOL_GPL(wd_vq_attach);

/**
 * wd_vq_detach() - stop serving a vfio-pci queue and free its state
 * @wdev: the device's engines
 * @vq: the queue, as wd_mdev_vfio_ops.detach receives it
 * @release: the class's undo of what it added to the state (@vq->drv),
 *	called once no engine is in the queue, before the state is freed;
 *	or NULL
 *
 * Returns once no engine executes a request of @vq.
 */
void wd_vq_detach(struct wd_engine_dev *wdev, struct wd_mdev_vq *vq,
		  void (*release)(void *state))
{
	struct wd_sched_ent *ent = vq->drv;

	wd_sched_stop(wdev, ent);
	vq->drv = NULL;
	if (release)
		release(ent);
	kfree(ent);
}
EXPORT_SYMBOL_GPL(wd_vq_detach);

/**
 * wd_vq_add_range() - append a guest range to a decoded request
 * @req: the request, in wd_mdev_vfio_ops.decode
 * @iova: its first byte
 * @len: bytes, 0 for a range that is not used (nothing is pinned)
 * @write: the device writes it
 *
 * A class adds the same ranges in the same order to every request, so
 * that its execute finds each at its index.
 */
void wd_vq_add_range(struct wd_mdev_vfio_req *req, u64 iova, u32 len,
		     bool write)
{
	struct wd_mdev_dma_range *r;

	if (WARN_ON_ONCE(req->nr_ranges >= WD_MDEV_VFIO_MAX_RANGES))
		return;
	r = &req->range[req->nr_ranges++];
	r->iova = iova;
	r->len = len;
	r->write = write;
}
EXPORT_SYMBOL_GPL(wd_vq_add_range);

/**
 * wd_vq_buf() - a pinned guest range of a request, as the class reads it
 * @req: the request, in wd_mdev_vfio_ops.execute
 * @index: the range's index, in the order of wd_vq_add_range()
 * @buf: set to the range's pages; wd_mdev unpins them, never the class
 */
void wd_vq_buf(const struct wd_mdev_vfio_req *req, unsigned int index,
	       struct wd_buf *buf)
{
	const struct wd_mdev_dma_range *r;

	memset(buf, 0, sizeof(*buf));
	if (WARN_ON_ONCE(index >= req->nr_ranges))
		return;
	r = &req->range[index];
	buf->pages = r->pages;
	buf->offset = r->offset;
	buf->nr_pages = r->nr_pages;
	buf->len = r->len;
	buf->write = r->write;
}
EXPORT_SYMBOL_GPL(wd_vq_buf);
