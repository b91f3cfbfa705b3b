// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guest memory of a vfio-pci instance.  The function reaches it only
 * through the VFIO container the VMM attached it to (type1 v2, emulated
 * IOMMU): ring entries are copied with vfio_dma_rw(), which pins nothing,
 * and a request's buffers are pinned with vfio_pin_pages() for the
 * duration of the request and unpinned right after, so that the pages
 * the function keeps pinned are few and dirty tracking converges.
 *
 * An IOVA the VMM did not map fails to pin (the request completes with an
 * address error) or to copy (the queue halts with a ring error); the host
 * is never at risk.  dma_unmap is honoured at any time: a request in
 * flight whose buffers touch the range is aborted and waited for, so
 * nothing of the range is pinned when the callback returns, as type1
 * requires.
 *
 * type1 calls dma_unmap with its lock dropped and then checks, with the
 * lock taken again, that nothing is pinned in the range, retrying up to
 * ten times before it gives up with BUG_ON().  The range is still mapped
 * in that window, so a queue must not pin it again: the range is
 * remembered as unmapped, and requests that touch it complete with an
 * address error without pinning, until the VMM's first doorbell after
 * its VFIO_IOMMU_UNMAP_DMA returned.  That return is known from task work
 * queued on the unmapping task (the callback runs in its ioctl): any
 * doorbell before it, from another thread of the VMM, does not end the
 * guard.
 */
#include <linux/iommu.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/task_work.h>

#include "vfio_pci.h"

static const struct wd_mdev_vfio_dma wd_vfio_dma_default = {
	.pin = vfio_pin_pages,
	.unpin = vfio_unpin_pages,
	.rw = vfio_dma_rw,
};

/* The container's calls; the KUnit suite replaces them with fakes. */
static const struct wd_mdev_vfio_dma *wd_vfio_dma = &wd_vfio_dma_default;

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * wd_mdev_kunit_set_vfio_dma() - route the DMA calls of every instance
 * @dma: the calls to use, or NULL for those of the VFIO container
 *
 * Only while no instance is open.
 */
void wd_mdev_kunit_set_vfio_dma(const struct wd_mdev_vfio_dma *dma)
{
	WRITE_ONCE(wd_vfio_dma, dma ?: &wd_vfio_dma_default);
}
EXPORT_SYMBOL_NS_GPL(wd_mdev_kunit_set_vfio_dma, WARPDRIVE_KUNIT);
#endif

/**
 * wd_vfio_dma_read() - copy from guest memory
 * @v: the function
 * @iova: first byte
 * @buf: destination
 * @len: bytes
 *
 * Return: 0, or a negative errno if the range is not mapped.
 */
int wd_vfio_dma_read(struct wd_vfio *v, u64 iova, void *buf, size_t len)
{
	return READ_ONCE(wd_vfio_dma)->rw(&v->vfio_dev, iova, buf, len, false);
}

/**
 * wd_vfio_dma_write() - copy to guest memory
 * @v: the function
 * @iova: first byte
 * @buf: source
 * @len: bytes
 *
 * Return: 0, or a negative errno if the range is not mapped.
 */
int wd_vfio_dma_write(struct wd_vfio *v, u64 iova, const void *buf,
		      size_t len)
{
	return READ_ONCE(wd_vfio_dma)->rw(&v->vfio_dev, iova, (void *)buf, len,
					  true);
}

static void wd_vfio_unpin_pages(struct wd_vfio *v, u64 iova,
				unsigned int npage)
{
	const struct wd_mdev_vfio_dma *dma = READ_ONCE(wd_vfio_dma);
	unsigned int done = 0, n;

	while (done < npage) {
		n = min_t(unsigned int, npage - done,
			  VFIO_PIN_PAGES_MAX_ENTRIES);
		dma->unpin(&v->vfio_dev, iova + ((u64)done << PAGE_SHIFT), n);
		done += n;
	}
	atomic_long_sub(npage, &v->pinned);
}

/* Pins @r, at most VFIO_PIN_PAGES_MAX_ENTRIES pages per call. */
static int wd_vfio_pin_range(struct wd_vfio *v, struct wd_mdev_dma_range *r)
{
	const struct wd_mdev_vfio_dma *dma = READ_ONCE(wd_vfio_dma);
	int prot = IOMMU_READ | (r->write ? IOMMU_WRITE : 0);
	u64 first = r->iova & PAGE_MASK;
	unsigned int npage, n;
	int ret;

	r->offset = offset_in_page(r->iova);
	r->nr_pages = 0;
	if (!r->len)
		return 0;
	/* the driver's decode broke its own max_range: the arrays are short */
	if (WARN_ON_ONCE(r->len > v->info.max_range))
		return -EFAULT;
	if (r->iova + r->len < r->iova)
		return -EFAULT;
	npage = DIV_ROUND_UP(r->offset + r->len, PAGE_SIZE);

	while (r->nr_pages < npage) {
		n = min_t(unsigned int, npage - r->nr_pages,
			  VFIO_PIN_PAGES_MAX_ENTRIES);
		ret = dma->pin(&v->vfio_dev,
			       first + ((u64)r->nr_pages << PAGE_SHIFT), n,
			       prot, r->pages + r->nr_pages);
		if (ret != n) {
			/* type1 pins a call's pages all or none */
			if (ret > 0)
				dma->unpin(&v->vfio_dev, first +
					   ((u64)r->nr_pages << PAGE_SHIFT),
					   ret);
			wd_vfio_unpin_pages(v, first, r->nr_pages);
			r->nr_pages = 0;
			return -EFAULT;
		}
		r->nr_pages += n;
		atomic_long_add(n, &v->pinned);
	}
	return 0;
}

/**
 * wd_vfio_pin_request() - pin the ranges of a decoded request
 * @q: its queue, the request published as @q->req
 * @req: the request; each range's pages array is @q's
 * @bad_iova: set to the first IOVA of the range that is not mapped
 *
 * Return: 0 with every range pinned, -EFAULT with none pinned.
 */
int wd_vfio_pin_request(struct wd_vfio_queue *q, struct wd_mdev_vfio_req *req,
			u64 *bad_iova)
{
	unsigned int i;
	int ret;

	for (i = 0; i < req->nr_ranges; i++) {
		req->range[i].pages = q->pages[i];
		ret = wd_vfio_pin_range(q->v, &req->range[i]);
		if (ret) {
			*bad_iova = req->range[i].iova;
			while (i--) {
				struct wd_mdev_dma_range *r = &req->range[i];

				wd_vfio_unpin_pages(q->v, r->iova & PAGE_MASK,
						    r->nr_pages);
				r->nr_pages = 0;
			}
			return ret;
		}
	}
	return 0;
}

/**
 * wd_vfio_unpin_request() - unpin what wd_vfio_pin_request() pinned
 * @q: the queue
 * @req: the request
 */
void wd_vfio_unpin_request(struct wd_vfio_queue *q,
			   struct wd_mdev_vfio_req *req)
{
	unsigned int i;

	for (i = 0; i < req->nr_ranges; i++) {
		struct wd_mdev_dma_range *r = &req->range[i];

		wd_vfio_unpin_pages(q->v, r->iova & PAGE_MASK, r->nr_pages);
		r->nr_pages = 0;
	}
}

static bool wd_vfio_range_overlaps(const struct wd_mdev_dma_range *r,
				   u64 iova, u64 length)
{
	u64 start = r->iova & PAGE_MASK;
	u64 end = PAGE_ALIGN(r->iova + r->len);

	return r->len && start < iova + length && iova < end;
}

/*
 * True when no request in flight touches the range; aborts those that
 * do, again on each check, since a queue may start another one.
 */
static bool wd_vfio_unmap_done(struct wd_vfio *v, u64 iova, u64 length)
{
	bool done = true;
	unsigned long flags;
	unsigned int i, j;

	spin_lock_irqsave(&v->reg_lock, flags);
	for (i = 0; i < v->nr_queues; i++) {
		struct wd_vfio_queue *q = &v->queues[i];

		if (!q->req)
			continue;
		for (j = 0; j < q->req->nr_ranges; j++) {
			if (wd_vfio_range_overlaps(&q->req->range[j], iova,
						   length)) {
				WRITE_ONCE(q->abort, true);
				done = false;
				break;
			}
		}
	}
	spin_unlock_irqrestore(&v->reg_lock, flags);
	return done;
}

/* Remembers [iova, end) as unmapped; reg_lock held. */
static void wd_vfio_unmapped_add(struct wd_vfio *v, u64 iova, u64 end)
{
	unsigned int i;

	if (v->nr_unmapped < WD_VFIO_UNMAPPED) {
		v->unmapped[v->nr_unmapped].start = iova;
		v->unmapped[v->nr_unmapped++].end = end;
		return;
	}
	/* full: the last entry grows to cover it, which errs on the safe side */
	i = WD_VFIO_UNMAPPED - 1;
	v->unmapped[i].start = min(v->unmapped[i].start, iova);
	v->unmapped[i].end = max(v->unmapped[i].end, end);
}

/**
 * wd_vfio_unmapped_forget() - the VMM spoke after its unmaps returned
 * @v: the function
 *
 * Requests may use those ranges again (mapped again, they pin), unless an
 * unmap's ioctl has not returned yet.
 */
void wd_vfio_unmapped_forget(struct wd_vfio *v)
{
	unsigned long flags;

	spin_lock_irqsave(&v->reg_lock, flags);
	if (!v->unmapping)
		v->nr_unmapped = 0;
	spin_unlock_irqrestore(&v->reg_lock, flags);
}

/**
 * wd_vfio_req_unmapped() - whether a request touches an unmapped range
 * @v: the function, reg_lock held
 * @req: the decoded request
 * @iova: set to the first IOVA of the range that does
 *
 * Return: true if it must complete with an address error, unpinned.
 */
bool wd_vfio_req_unmapped(struct wd_vfio *v, struct wd_mdev_vfio_req *req,
			  u64 *iova)
{
	unsigned int i, j;

	for (i = 0; i < req->nr_ranges; i++) {
		for (j = 0; j < v->nr_unmapped; j++) {
			if (wd_vfio_range_overlaps(&req->range[i],
						   v->unmapped[j].start,
						   v->unmapped[j].end -
						   v->unmapped[j].start)) {
				*iova = req->range[i].iova;
				return true;
			}
		}
	}
	return false;
}

static void wd_vfio_unmap_end(struct wd_vfio *v)
{
	unsigned long flags;

	spin_lock_irqsave(&v->reg_lock, flags);
	v->unmapping--;
	/* removal waits for it: the task work is this module's code */
	wake_up_all(&v->closed_wq);
	spin_unlock_irqrestore(&v->reg_lock, flags);
}

/* A dma_unmap call whose ioctl has not returned, and its function. */
struct wd_vfio_unmap_call {
	struct callback_head work;
	struct wd_vfio *v;
};

/* Task work: the VFIO_IOMMU_UNMAP_DMA that called dma_unmap returned. */
static void wd_vfio_unmap_returned(struct callback_head *work)
{
	struct wd_vfio_unmap_call *call = container_of(work,
						       struct wd_vfio_unmap_call,
						       work);

	wd_vfio_unmap_end(call->v);
	put_device(&call->v->vfio_dev.device);
	kfree(call);
}

/*
 * The unmap is over for type1 once the ioctl returns, after its checks
 * and retries.  In a kernel thread (no ioctl), or without memory for the
 * task work, the guard ends with the callback, as type1 needs at least.
 */
static void wd_vfio_unmap_end_on_return(struct wd_vfio *v)
{
	struct wd_vfio_unmap_call *call = NULL;

	if (!(current->flags & PF_KTHREAD))
		call = kmalloc(sizeof(*call), GFP_KERNEL);
	if (call) {
		call->v = v;
		get_device(&v->vfio_dev.device);
		init_task_work(&call->work, wd_vfio_unmap_returned);
		if (!task_work_add(current, &call->work, TWA_RESUME))
			return;
		put_device(&v->vfio_dev.device);
		kfree(call);
	}
	wd_vfio_unmap_end(v);
}

/**
 * wd_vfio_dma_unmap() - the VMM unmaps guest memory (vfio_device_ops)
 * @vfio_dev: the VFIO device
 * @iova: first byte of the range
 * @length: bytes
 *
 * Aborts the requests in flight whose buffers touch the range and waits
 * until they have unpinned them: nothing in the range is pinned when it
 * returns.  They complete with ABORTED; later requests that use the range
 * complete with ADDR_ERROR, unpinned, at least until the first doorbell
 * after the unmapping ioctl returned.
 */
void wd_vfio_dma_unmap(struct vfio_device *vfio_dev, u64 iova, u64 length)
{
	struct wd_vfio *v = to_wd_vfio(vfio_dev);
	unsigned long flags;

	if (iova + length < iova)
		length = U64_MAX - iova;
	spin_lock_irqsave(&v->reg_lock, flags);
	v->unmapping++;
	wd_vfio_unmapped_add(v, iova, iova + length);
	spin_unlock_irqrestore(&v->reg_lock, flags);

	wait_event(v->idle_wq, wd_vfio_unmap_done(v, iova, length));

	wd_vfio_unmap_end_on_return(v);
	dev_dbg(wd_vfio_dev(v), "unmapped %#llx+%#llx, %ld pages pinned\n",
		iova, length, atomic_long_read(&v->pinned));
}
