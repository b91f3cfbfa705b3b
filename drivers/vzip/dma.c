// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzip: address translation, the device's view of a request's memory.
 *
 * With SVA the engine reaches the owner's address space like a device
 * behind an IOMMU with page faults: for the duration of a request it pins
 * the pages of each range (faulting them in, with write access where it
 * writes) and maps one page at a time while it works on it.  Without SVA it
 * can only reach the queue's static shared region, whose kernel mapping is
 * contiguous.  Either way nothing is copied through a bounce buffer, and
 * nothing outside the three ranges of the request is touched.
 */
#include <kunit/visibility.h>
#include <linux/bug.h>
#include <linux/error-injection.h>
#include <linux/highmem.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/string.h>
#include <linux/uacce.h>

#include "vzip.h"

/**
 * vzip_buf_map() - map the bytes of a range from a position on
 * @buf: the range
 * @pos: offset in the range, below @buf->len
 * @len: set to the bytes mapped: up to the end of the page or the range
 *
 * Mappings nest; undo each with vzip_buf_unmap() in reverse order.
 *
 * Return: the kernel address of byte @pos.
 */
void *vzip_buf_map(const struct vzip_buf *buf, u32 pos, u32 *len)
{
	u32 left = buf->len - pos;
	unsigned long off;

	if (!buf->pages) {
		*len = min_t(u32, left,
			     PAGE_SIZE - offset_in_page(buf->kaddr + pos));
		return buf->kaddr + pos;
	}
	off = buf->offset + pos;
	*len = min_t(u32, left, PAGE_SIZE - offset_in_page(off));
	return kmap_local_page(buf->pages[off >> PAGE_SHIFT]) +
	       offset_in_page(off);
}

/**
 * vzip_buf_unmap() - undo vzip_buf_map()
 * @buf: the range
 * @addr: the address vzip_buf_map() returned
 */
void vzip_buf_unmap(const struct vzip_buf *buf, const void *addr)
{
	if (buf->pages)
		kunmap_local(addr);
}

/**
 * vzip_buf_read() - copy bytes out of a range
 * @buf: the range
 * @pos: first byte
 * @to: destination
 * @len: bytes; @pos + @len is at most @buf->len
 */
void vzip_buf_read(const struct vzip_buf *buf, u32 pos, void *to, u32 len)
{
	/* the codec sizes every copy; a miscount must not leave the range */
	if (WARN_ON_ONCE(pos > buf->len || len > buf->len - pos))
		return;
	while (len) {
		u32 n;
		void *p = vzip_buf_map(buf, pos, &n);

		n = min(n, len);
		memcpy(to, p, n);
		vzip_buf_unmap(buf, p);
		to += n;
		pos += n;
		len -= n;
	}
}

/**
 * vzip_buf_write() - copy bytes into a range
 * @buf: the range
 * @pos: first byte
 * @from: source
 * @len: bytes; @pos + @len is at most @buf->len
 */
void vzip_buf_write(const struct vzip_buf *buf, u32 pos, const void *from,
		    u32 len)
{
	/* the codec sizes every copy; a miscount must not leave the range */
	if (WARN_ON_ONCE(pos > buf->len || len > buf->len - pos))
		return;
	while (len) {
		u32 n;
		void *p = vzip_buf_map(buf, pos, &n);

		n = min(n, len);
		memcpy(p, from, n);
		vzip_buf_unmap(buf, p);
		from += n;
		pos += n;
		len -= n;
	}
}

/**
 * vzip_dma_ss_range() - translate a range in a static shared region
 * @ss: the region, or NULL if it is not mapped
 * @addr: device address of the first byte
 * @len: bytes
 * @write: the device writes the range
 * @buf: set to the range
 *
 * Return: 0, or -EFAULT if the range is not entirely inside the region.
 */
int vzip_dma_ss_range(const struct uacce_qfile_region *ss, u64 addr, u32 len,
		      bool write, struct vzip_buf *buf)
{
	u64 off;

	memset(buf, 0, sizeof(*buf));
	if (!len)
		return 0;
	if (!ss || !ss->kaddr || addr < ss->dma)
		return -EFAULT;
	off = addr - ss->dma;
	if (off >= ss->size || len > ss->size - off)
		return -EFAULT;
	buf->kaddr = (u8 *)ss->kaddr + off;
	buf->len = len;
	buf->write = write;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vzip_dma_ss_range);

/**
 * vzip_dma_max_pages() - pages an engine may pin for one request
 * @vdev: the device
 *
 * Return: room for a source and a destination of MAX_LEN bytes and a
 * context of @vdev->ctx_size bytes, each at any alignment.
 */
unsigned int vzip_dma_max_pages(const struct vzip_device *vdev)
{
	return 2 * (DIV_ROUND_UP(vdev->cfg.max_len, PAGE_SIZE) + 1) +
	       DIV_ROUND_UP(vdev->ctx_size, PAGE_SIZE) + 1;
}

/*
 * Pins one range of a request.  fail_function can fail it
 * (ALLOW_ERROR_INJECTION): the request then completes with ADDR_ERROR and
 * the ranges pinned before it are unpinned.  No test does yet: 6.1's
 * fail_function takes a lock in the int3 trap that lockdep reports, and
 * the unwinding is what vzip_proto's bad-address cases already run.
 */
static noinline int vzip_sva_pin(struct vzip_device *vdev,
				 struct mm_struct *mm, u64 addr, u32 len,
				 bool write, struct page **pages,
				 struct vzip_buf *buf)
{
	unsigned long nr;
	long pinned;

	memset(buf, 0, sizeof(*buf));
	if (!len)
		return 0;
	if (addr + len < addr || addr + len > mm->task_size)
		return -EFAULT;
	buf->offset = offset_in_page(addr);
	nr = DIV_ROUND_UP(buf->offset + len, PAGE_SIZE);
	pinned = pin_user_pages_remote(mm, addr & PAGE_MASK, nr,
				       write ? FOLL_WRITE : 0, pages, NULL,
				       NULL);
	if (pinned != nr) {
		if (pinned > 0)
			unpin_user_pages(pages, pinned);
		dev_dbg_ratelimited(vdev->dev,
				    "cannot pin %u bytes at %#llx for %s: %ld of %lu pages\n",
				    len, addr, write ? "writing" : "reading",
				    pinned, nr);
		return -EFAULT;
	}
	buf->pages = pages;
	buf->nr_pages = nr;
	buf->len = len;
	buf->write = write;
	atomic_long_add(nr, &vdev->stats.pinned_now);
	atomic64_add(nr, &vdev->stats.pinned_total);
	return 0;
}

ALLOW_ERROR_INJECTION(vzip_sva_pin, ERRNO);

static void vzip_sva_unpin(struct vzip_device *vdev, struct vzip_buf *buf)
{
	if (!buf->pages)
		return;
	unpin_user_pages_dirty_lock(buf->pages, buf->nr_pages, buf->write);
	atomic_long_sub(buf->nr_pages, &vdev->stats.pinned_now);
	buf->pages = NULL;
	buf->nr_pages = 0;
}

/*
 * Pins the three ranges of a request in the owner's address space.  The
 * address space only needs to live while the pages are pinned: pinned pages
 * stay valid after the process exits, they are just no longer its.
 */
static u16 vzip_sva_map_job(struct vzip_engine *e, struct vzip_queue *q,
			    const struct vzip_sqe *sqe, struct vzip_job *job)
{
	struct vzip_device *vdev = e->vdev;
	unsigned int data_pages = DIV_ROUND_UP(vdev->cfg.max_len, PAGE_SIZE) + 1;
	struct mm_struct *mm = q->mm;
	int ret;

	if (!mm || !mmget_not_zero(mm))
		return VZIP_STS_ABORTED;
	mmap_read_lock(mm);
	ret = vzip_sva_pin(vdev, mm, le64_to_cpu(sqe->src), job->src.len,
			   false, e->pages, &job->src);
	if (!ret)
		ret = vzip_sva_pin(vdev, mm, le64_to_cpu(sqe->dst),
				   job->dst.len, true, e->pages + data_pages,
				   &job->dst);
	if (!ret)
		ret = vzip_sva_pin(vdev, mm, le64_to_cpu(sqe->ctx),
				   job->ctx.len, true,
				   e->pages + 2 * data_pages, &job->ctx);
	mmap_read_unlock(mm);
	mmput_async(mm);
	if (ret) {
		vzip_sva_unpin(vdev, &job->ctx);
		vzip_sva_unpin(vdev, &job->dst);
		vzip_sva_unpin(vdev, &job->src);
		return VZIP_STS_ADDR_ERROR;
	}
	return VZIP_STS_OK;
}

static u16 vzip_ss_map_job(struct vzip_queue *q, const struct vzip_sqe *sqe,
			   struct vzip_job *job)
{
	const struct uacce_qfile_region *ss;

	/*
	 * uacce frees no SS memory while the queue is started, and publishes
	 * the region with a release store
	 */
	ss = smp_load_acquire(&q->uq->qfrs[UACCE_QFRT_SS]);
	/*
	 * Unmapped while the queue runs, the region keeps its memory for the
	 * requests in flight only: the next ones do not reach it.
	 */
	if (ss && !uacce_qfr_mapped(ss))
		ss = NULL;
	if (vzip_dma_ss_range(ss, le64_to_cpu(sqe->src), job->src.len, false,
			      &job->src) ||
	    vzip_dma_ss_range(ss, le64_to_cpu(sqe->dst), job->dst.len, true,
			      &job->dst) ||
	    vzip_dma_ss_range(ss, le64_to_cpu(sqe->ctx), job->ctx.len, true,
			      &job->ctx)) {
		dev_dbg_ratelimited(q->vdev->dev,
				    "queue %u: range outside the SS region\n",
				    q->qid);
		return VZIP_STS_ADDR_ERROR;
	}
	return VZIP_STS_OK;
}

/**
 * vzip_dma_map_job() - make the ranges of a request reachable
 * @e: the engine executing it
 * @q: its queue
 * @sqe: the request, whose lengths are in @job already
 * @job: its ranges are set
 *
 * Return: VZIP_STS_OK, VZIP_STS_ADDR_ERROR, or VZIP_STS_ABORTED if the
 * owner's address space is gone.
 */
u16 vzip_dma_map_job(struct vzip_engine *e, struct vzip_queue *q,
		     const struct vzip_sqe *sqe, struct vzip_job *job)
{
	if (e->vdev->caps & VZIP_CAP_SVA)
		return vzip_sva_map_job(e, q, sqe, job);
	return vzip_ss_map_job(q, sqe, job);
}

/**
 * vzip_dma_unmap_job() - undo vzip_dma_map_job()
 * @e: the engine
 * @job: the request, done with its pages
 */
void vzip_dma_unmap_job(struct vzip_engine *e, struct vzip_job *job)
{
	vzip_sva_unpin(e->vdev, &job->ctx);
	vzip_sva_unpin(e->vdev, &job->dst);
	vzip_sva_unpin(e->vdev, &job->src);
}
