// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_engine: address translation, the device's view of a request's memory.
 *
 * With SVA the engine reaches the owner's address space like a device
 * behind an IOMMU with page faults: for the duration of a request it pins
 * the pages of each range (faulting them in, with write access where it
 * writes) and maps one page at a time while it works on it.  Without SVA it
 * can only reach the queue's static shared region, whose kernel mapping is
 * contiguous.  Either way nothing is copied through a bounce buffer, and
 * nothing outside the ranges of the request is touched.
 *
 * Which ranges a request names is the class driver's: it decodes them and
 * hands them here (struct wd_dma_range), then works on the result
 * (struct wd_buf) with the accessors.
 */
#include <linux/bug.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/error-injection.h>
#include <linux/highmem.h>
#include <linux/memcontrol.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/string.h>
#include <linux/uacce.h>
#include <linux/userfaultfd_k.h>
#include <linux/wd_engine.h>

#include "internal.h"

/**
 * wd_buf_map() - map the bytes of a range from a position on
 * @buf: the range
 * @pos: offset in the range, below @buf->len
 * @len: set to the bytes mapped: up to the end of the page or the range
 *
 * Mappings nest; undo each with wd_buf_unmap() in reverse order.
 *
 * Return: the kernel address of byte @pos.
 */
void *wd_buf_map(const struct wd_buf *buf, u32 pos, u32 *len)
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
EXPORT_SYMBOL_GPL(wd_buf_map);

/**
 * wd_buf_unmap() - undo wd_buf_map()
 * @buf: the range
 * @addr: the address wd_buf_map() returned
 */
void wd_buf_unmap(const struct wd_buf *buf, const void *addr)
{
	if (buf->pages)
		kunmap_local(addr);
}
EXPORT_SYMBOL_GPL(wd_buf_unmap);

/**
 * wd_buf_read() - copy bytes out of a range
 * @buf: the range
 * @pos: first byte
 * @to: destination
 * @len: bytes; @pos + @len is at most @buf->len
 */
void wd_buf_read(const struct wd_buf *buf, u32 pos, void *to, u32 len)
{
	/* the class sizes every copy; a miscount must not leave the range */
	if (WARN_ON_ONCE(pos > buf->len || len > buf->len - pos))
		return;
	while (len) {
		u32 n;
		void *p = wd_buf_map(buf, pos, &n);

		n = min(n, len);
		memcpy(to, p, n);
		wd_buf_unmap(buf, p);
		to += n;
		pos += n;
		len -= n;
	}
}
EXPORT_SYMBOL_GPL(wd_buf_read);

/**
 * wd_buf_write() - copy bytes into a range
 * @buf: the range
 * @pos: first byte
 * @from: source
 * @len: bytes; @pos + @len is at most @buf->len
 */
void wd_buf_write(const struct wd_buf *buf, u32 pos, const void *from,
		  u32 len)
{
	/* the class sizes every copy; a miscount must not leave the range */
	if (WARN_ON_ONCE(pos > buf->len || len > buf->len - pos))
		return;
	while (len) {
		u32 n;
		void *p = wd_buf_map(buf, pos, &n);

		n = min(n, len);
		memcpy(p, from, n);
		wd_buf_unmap(buf, p);
		from += n;
		pos += n;
		len -= n;
	}
}
EXPORT_SYMBOL_GPL(wd_buf_write);

/**
 * wd_dma_ss_range() - translate a range in a static shared region
 * @ss: the region, or NULL if it is not mapped
 * @addr: device address of the first byte
 * @len: bytes
 * @write: the device writes the range
 * @buf: set to the range
 *
 * Return: 0, or -EFAULT if the range is not entirely inside the region.
 */
int wd_dma_ss_range(const struct uacce_qfile_region *ss, u64 addr, u32 len,
		    bool write, struct wd_buf *buf)
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
EXPORT_SYMBOL_GPL(wd_dma_ss_range);

/**
 * wd_dma_range_pages() - pages a range may need pinned
 * @len: its largest length
 *
 * Return: room for a range of up to @len bytes at any alignment; an
 * engine's page array for wd_dma_map_sva() is the sum over the ranges a
 * request may name.
 */
unsigned int wd_dma_range_pages(u32 len)
{
	return DIV_ROUND_UP(len, PAGE_SIZE) + 1;
}
EXPORT_SYMBOL_GPL(wd_dma_range_pages);

/*
 * Tries after which a page of a userfaultfd range that still waits is an
 * address error: about 100 ms of wd_dma_backoff().  A page that merely
 * needs I/O (a swap-in) is there by then; one that needs the process's
 * fault handler never comes, since FOLL_NOWAIT does not even ask it.
 */
#define WD_DMA_UFFD_TRIES	96

/*
 * Why the page at @addr cannot be pinned without waiting, the @tries-th
 * time: -EBUSY while a later try may find it (its fault started the I/O
 * it waits for), -EFAULT for a page of a userfaultfd range after
 * WD_DMA_UFFD_TRIES, which only the process could answer.
 */
static int wd_sva_busy(struct wd_engine_dev *wdev, struct mm_struct *mm,
		       const struct wd_dma_range *r, unsigned long addr,
		       unsigned int tries)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);

	if (vma && userfaultfd_armed(vma) && tries >= WD_DMA_UFFD_TRIES) {
		dev_dbg_ratelimited(wdev->dev,
				    "cannot pin %u bytes at %#llx: %#lx waits for a userfaultfd handler, which an engine does not wait for\n",
				    r->len, r->addr, addr);
		return -EFAULT;
	}
	return -EBUSY;
}

/*
 * The most folios wd_sva_faultable() counts for one fault, holding each
 * until the fault is done so that reclaim cannot take it in between; and
 * the tries a page that is neither up to date nor being read waits
 * before the fault may read it itself.
 */
#define WD_SVA_HELD		16
#define WD_SVA_UNREAD_TRIES	4

/* the folios wd_sva_faultable() holds */
struct wd_sva_held {
	struct folio *folio[WD_SVA_HELD];
	unsigned int n;
};

static void wd_sva_unhold(struct wd_sva_held *h)
{
	while (h->n)
		folio_put(h->folio[--h->n]);
}

/*
 * Starts the read of page @index of @file and of up to @nr - 1 after it,
 * as a fault's readahead would; or of that page alone if the readahead
 * leaves it out (its window expected a later page, or the file's device
 * reads none ahead).  Returns the page's folio, with a reference, or NULL
 * if no read started.
 */
static struct folio *wd_sva_readahead(struct file *file, pgoff_t index,
				      unsigned long nr)
{
	DEFINE_READAHEAD(ractl, file, &file->f_ra, file->f_mapping, index);
	struct folio *folio;

	page_cache_sync_readahead(file->f_mapping, &file->f_ra, file, index,
				  nr);
	folio = filemap_get_folio(file->f_mapping, index);
	if (folio)
		return folio;
	page_cache_ra_unbounded(&ractl, 1, 0);
	return filemap_get_folio(file->f_mapping, index);
}

/*
 * How many of the @n pages from @addr a fault brings in without reading a
 * file itself, under the owner's mmap_lock, on the @tries-th try.  A page
 * in a file's page cache, or being read into it, waits for nobody
 * (FOLL_NOWAIT gives up on a read under way); one that is not there would
 * be read by the fault itself, and waited for, even under FOLL_NOWAIT
 * (filemap_fault() with readahead off for the file: MADV_RANDOM, or after
 * many misses).  So for that one the read is started here, as readahead,
 * and counted with the pages before it: its fault finds it being read.
 * Only for the page cache's own fault.  The folios counted are held in @h
 * until the caller's fault is done.  A folio there but neither up to date
 * nor being read is another fault's, just made (it locks it at once), or
 * one whose read failed: it ends the count for WD_SVA_UNREAD_TRIES, then
 * is left to the fault, which reads it again and waits.  So is a page
 * whose readahead started nothing.
 */
static unsigned long wd_sva_faultable(struct mm_struct *mm,
				      unsigned long addr, unsigned long n,
				      unsigned int tries, struct wd_sva_held *h)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	struct address_space *mapping;
	pgoff_t index, end, i;
	struct folio *folio;
	struct file *file;

	h->n = 0;
	/* no area: the pin says why */
	if (!vma)
		return n;
	n = min(n, (vma->vm_end - addr) >> PAGE_SHIFT);
	file = vma->vm_file;
	if (!file || !vma->vm_ops || vma->vm_ops->fault != filemap_fault)
		return n;
	mapping = file->f_mapping;
	index = linear_page_index(vma, addr);
	/* a page past the end of the file fails its fault at once */
	end = min_t(pgoff_t, index + n,
		    DIV_ROUND_UP(i_size_read(mapping->host), PAGE_SIZE));
	for (i = index; i < end; i = folio->index + folio_nr_pages(folio)) {
		if (h->n == WD_SVA_HELD)
			return i - index;
		folio = filemap_get_folio(mapping, i);
		if (!folio)
			break;
		h->folio[h->n++] = folio;
		if (!folio_test_uptodate(folio) && !folio_test_locked(folio))
			return i - index +
			       (tries >= WD_SVA_UNREAD_TRIES);
	}
	if (i >= end)
		return n;
	folio = wd_sva_readahead(file, i, end - i);
	/*
	 * None started: readahead gives up at once when the memory or the
	 * owner's memory cgroup is short.  A few tries, then the fault, which
	 * reclaims harder (and may OOM-kill in the cgroup), reads it itself.
	 */
	if (!folio)
		return i - index + (tries >= WD_SVA_UNREAD_TRIES);
	h->folio[h->n++] = folio;
	return i - index + 1;
}

/*
 * Pins one range of a request, under the owner's mmap_lock, on the
 * @tries-th try, without waiting for a page's I/O: a page of a file whose
 * server stalls (FUSE, NFS) would keep the engine, and the stop of its
 * queue, waiting as long, unkillably.  The pages there already are pinned
 * without a fault (FOLL_NOFAULT); the others with FOLL_NOWAIT, which
 * covers the I/O a fault starts and then waits for (readahead, a page
 * being read by another task, a swap-in), after wd_sva_faultable() has
 * started the reads a fault would make itself.  Still waited for, as the
 * fault would: a write fault's wait for writeback, a read that failed, a
 * page invalidated between the two (NFS's revalidation, FUSE's notify),
 * and what a filesystem's readahead itself waits for (FUSE's once
 * max_background requests are out, or without async reads; the mapping's
 * invalidate_lock held across I/O).  Returns 0, -EFAULT (logged),
 * or -EBUSY with nothing pinned when a page waits: the caller drops the
 * lock and tries again.  fail_function can fail it
 * (ALLOW_ERROR_INJECTION): with -EFAULT the request completes with the
 * class's address error and the ranges pinned before it are unpinned;
 * -EBUSY is a page that waits, until the queue stops.  No test injects
 * yet: 6.1's fail_function takes a lock in the int3 trap that lockdep
 * reports, and the unwinding is what vzip_proto's bad-address cases
 * already run.
 */
static noinline int wd_sva_pin(struct wd_engine_dev *wdev,
			       struct mm_struct *mm,
			       const struct wd_dma_range *r,
			       struct page **pages, struct wd_buf *buf,
			       unsigned int tries)
{
	unsigned int flags = FOLL_NOWAIT | (r->write ? FOLL_WRITE : 0);
	unsigned long nr, want, addr, done = 0, start = r->addr & PAGE_MASK;
	struct wd_sva_held held;
	long pinned = 0;

	memset(buf, 0, sizeof(*buf));
	if (!r->len)
		return 0;
	if (r->addr + r->len < r->addr || r->addr + r->len > mm->task_size) {
		dev_dbg_ratelimited(wdev->dev,
				    "%u bytes at %#llx: beyond the process's address space\n",
				    r->len, r->addr);
		return -EFAULT;
	}
	buf->offset = offset_in_page(r->addr);
	nr = DIV_ROUND_UP(buf->offset + r->len, PAGE_SIZE);
	/*
	 * A short count is a page that waits (the next try pins none of it)
	 * or one that failed (the next try says why)
	 */
	while (done < nr) {
		addr = start + done * PAGE_SIZE;
		pinned = pin_user_pages_remote(mm, addr, nr - done,
					       flags | FOLL_NOFAULT,
					       pages + done, NULL, NULL);
		if (pinned > 0) {
			done += pinned;
			continue;
		}
		want = wd_sva_faultable(mm, addr, nr - done, tries, &held);
		pinned = 0;
		if (want)
			pinned = pin_user_pages_remote(mm, addr, want, flags,
						       pages + done, NULL,
						       NULL);
		wd_sva_unhold(&held);
		if (pinned <= 0)
			break;
		done += pinned;
	}
	if (done < nr) {
		if (done)
			unpin_user_pages(pages, done);
		if (!pinned)
			return wd_sva_busy(wdev, mm, r,
					   start + done * PAGE_SIZE, tries);
		dev_dbg_ratelimited(wdev->dev,
				    "cannot pin %u bytes at %#llx for %s: %pe at page %lu\n",
				    r->len, r->addr,
				    r->write ? "writing" : "reading",
				    ERR_PTR(pinned), done);
		return -EFAULT;
	}
	buf->pages = pages;
	buf->nr_pages = nr;
	buf->len = r->len;
	buf->write = r->write;
	atomic_long_add(nr, &wdev->pinned_now);
	atomic64_add(nr, &wdev->pinned_total);
	return 0;
}

ALLOW_ERROR_INJECTION(wd_sva_pin, ERRNO);

/**
 * wd_dma_unmap() - release the ranges of a request
 * @wdev: the device's engines
 * @bufs: the ranges wd_dma_map_sva() or wd_dma_map_ss() set
 * @n: entries of @bufs
 *
 * Unpins the pinned ones, last first (their pages were written if the
 * range is written), and drops the reference on a registered region; a
 * range of the SS region needs nothing.
 */
void wd_dma_unmap(struct wd_engine_dev *wdev, struct wd_buf *const *bufs,
		  unsigned int n)
{
	while (n--) {
		struct wd_buf *buf = bufs[n];

		if (buf->reg) {
			wd_mem_put(buf->reg);
			buf->reg = NULL;
			buf->pages = NULL;
			continue;
		}
		if (!buf->pages)
			continue;
		unpin_user_pages_dirty_lock(buf->pages, buf->nr_pages,
					    buf->write);
		atomic_long_sub(buf->nr_pages, &wdev->pinned_now);
		buf->pages = NULL;
		buf->nr_pages = 0;
	}
}
EXPORT_SYMBOL_GPL(wd_dma_unmap);

/*
 * Waits before the next try at the owner's memory, whose mmap_lock or a
 * page of which is not to be had yet; -EINTR, without waiting, once
 * *@stopping is set.  Most writers of the lock are done in microseconds,
 * so the tries are close at first, then a millisecond apart.
 */
static int wd_dma_backoff(const bool *stopping, unsigned int *tries)
{
	if (READ_ONCE(*stopping))
		return -EINTR;
	/* idle: a request waiting for its pages is no load */
	if (++*tries < 32)
		usleep_idle_range(20, 50);
	else
		usleep_idle_range(1000, 2000);
	return 0;
}

/*
 * The owner's mmap_lock, for reading.  It may be long in coming: behind a
 * writer queued behind another thread's slow fault (a stalled FUSE or NFS
 * file).  Meanwhile the queue may be stopped, by its owner or by a
 * device's removal, which must not wait for that process: so the lock is
 * tried, not waited for, and the request given up (-EINTR) once
 * *@stopping is set.  A trylock fails while a writer waits, where a
 * waiting reader would be queued fairly: a process whose threads keep
 * taking the lock for writing (mmap(), munmap(), mprotect() back to back)
 * makes its requests wait longer, and the engine poll.
 */
static int wd_dma_mmap_lock(struct mm_struct *mm, const bool *stopping,
			    unsigned int *tries)
{
	while (!mmap_read_trylock(mm)) {
		if (wd_dma_backoff(stopping, tries))
			return -EINTR;
	}
	return 0;
}

/*
 * Sets @bufs to the ranges of @r inside regions of @t, if any (with a
 * reference on each region), clears the others.  Returns how many others
 * need pinning.
 */
static unsigned int wd_dma_get_regs(struct wd_mem_table *t,
				    const struct wd_dma_range *r,
				    struct wd_buf *const *bufs, unsigned int n)
{
	unsigned int i, need = 0;

	for (i = 0; i < n; i++) {
		memset(bufs[i], 0, sizeof(*bufs[i]));
		if (r[i].len && !wd_mem_get(t, &r[i], bufs[i]))
			need++;
	}
	return need;
}

/*
 * wd_dma_map_reg() with @t, wd_dma_map_sva() without: pins the ranges
 * outside @t's regions, trying again while the mmap_lock or a page waits.
 * No region is held between the tries: an UNREGISTER of one then returns
 * without waiting for them.
 */
static int wd_dma_map_user(struct wd_engine_dev *wdev, struct wd_mem_table *t,
			   struct mm_struct *mm, const bool *stopping,
			   struct page **pages, const struct wd_dma_range *r,
			   struct wd_buf *const *bufs, unsigned int n)
{
	struct mem_cgroup *memcg, *old_memcg;
	unsigned int i, tries = 0;
	struct page **next;
	int ret;

	/* without @t, a dead owner aborts even a request with no ranges */
	if (!wd_dma_get_regs(t, r, bufs, n) && t)
		return 0;
	if (!mm || !mmget_not_zero(mm)) {
		wd_dma_unmap(wdev, bufs, n);
		return -ESRCH;
	}
	/*
	 * What the faults bring in that is not the owner's anonymous memory
	 * (a file's pages, read ahead or read; page tables) is charged to the
	 * owner's memory cgroup, not to the root: a container's requests stay
	 * in its limits.  At them, a fault's -ENOMEM is the address error;
	 * above memory.high a charge may throttle the engine for up to 2 s,
	 * the owner's mmap_lock held.
	 */
	memcg = get_mem_cgroup_from_mm(mm);
	old_memcg = set_active_memcg(memcg);
	for (;;) {
		if (!mmap_read_trylock(mm)) {
			wd_dma_unmap(wdev, bufs, n);
			ret = wd_dma_mmap_lock(mm, stopping, &tries);
			if (ret)
				break;
			wd_dma_get_regs(t, r, bufs, n);
		}
		ret = 0;
		next = pages;
		for (i = 0; i < n && !ret; i++) {
			if (bufs[i]->reg || !r[i].len)
				continue;
			ret = wd_sva_pin(wdev, mm, &r[i], next, bufs[i], tries);
			next += bufs[i]->nr_pages;
		}
		mmap_read_unlock(mm);
		if (!ret)
			break;
		wd_dma_unmap(wdev, bufs, n);
		/* a page waits for I/O: try again, unless the queue stops */
		if (ret != -EBUSY)
			break;
		ret = wd_dma_backoff(stopping, &tries);
		if (ret)
			break;
		wd_dma_get_regs(t, r, bufs, n);
	}
	set_active_memcg(old_memcg);
	mem_cgroup_put(memcg);
	mmput_async(mm);
	return ret;
}

/**
 * wd_dma_map_sva() - pin the ranges of a request in its owner's memory
 * @wdev: the device's engines
 * @mm: the owner's address space, or NULL if it has none
 * @stopping: the queue's wd_sched_ent.stopping: set while the owner's
 *	mmap_lock or a page's I/O is awaited, the request is given up
 * @pages: the engine's page array, room for the wd_dma_range_pages() of
 *	every range
 * @r: the ranges, process virtual addresses
 * @bufs: set to the ranges
 * @n: entries of @r and @bufs
 *
 * The address space only needs to live while the pages are pinned: pinned
 * pages stay valid after the process exits, they are just no longer its.
 * A page whose fault waits for I/O it started (a file's page being read,
 * a swapped out one) is tried again until it is there; one of a
 * userfaultfd range that still waits after about 100 ms is an error, as
 * only the process's handler could answer it.
 *
 * Return: 0; -ESRCH if the address space is gone; -EINTR if the queue
 * was stopped while the mmap_lock or a page was awaited; -EFAULT if a
 * range cannot be pinned: nothing is pinned then.
 */
int wd_dma_map_sva(struct wd_engine_dev *wdev, struct mm_struct *mm,
		   const bool *stopping, struct page **pages,
		   const struct wd_dma_range *r, struct wd_buf *const *bufs,
		   unsigned int n)
{
	return wd_dma_map_user(wdev, NULL, mm, stopping, pages, r, bufs, n);
}
EXPORT_SYMBOL_GPL(wd_dma_map_sva);

/**
 * wd_dma_map_reg() - wd_dma_map_sva(), registered memory first
 * @wdev: the device's engines
 * @t: the queue's registered memory (struct wd_mem_table)
 * @mm: the owner's address space, or NULL if it has none
 * @stopping: as for wd_dma_map_sva()
 * @pages: the engine's page array, as for wd_dma_map_sva()
 * @r: the ranges, process virtual addresses
 * @bufs: set to the ranges
 * @n: entries of @r and @bufs
 *
 * A range entirely inside a region of @t registered for its access uses
 * the region's pages, pinned already; the others are pinned for the
 * request as wd_dma_map_sva() does.  wd_dma_unmap() undoes both.
 *
 * Return: as wd_dma_map_sva(); -ESRCH only if a range must be pinned.
 */
int wd_dma_map_reg(struct wd_engine_dev *wdev, struct wd_mem_table *t,
		   struct mm_struct *mm, const bool *stopping,
		   struct page **pages, const struct wd_dma_range *r,
		   struct wd_buf *const *bufs, unsigned int n)
{
	return wd_dma_map_user(wdev, t, mm, stopping, pages, r, bufs, n);
}
EXPORT_SYMBOL_GPL(wd_dma_map_reg);

/**
 * wd_dma_ss_region() - the static shared region a queue's requests reach
 * @uq: the queue, started
 *
 * Return: the region, or NULL if it has none or user space unmapped it:
 * the region then keeps its memory for the requests in flight only, the
 * next ones do not reach it.
 */
const struct uacce_qfile_region *wd_dma_ss_region(struct uacce_queue *uq)
{
	const struct uacce_qfile_region *ss;

	/*
	 * uacce frees no SS memory while the queue is started, and publishes
	 * the region with a release store
	 */
	ss = smp_load_acquire(&uq->qfrs[UACCE_QFRT_SS]);
	if (ss && !uacce_qfr_mapped(ss))
		ss = NULL;
	return ss;
}
EXPORT_SYMBOL_GPL(wd_dma_ss_region);

/**
 * wd_dma_map_ss() - translate the ranges of a request in an SS region
 * @ss: the region (wd_dma_ss_region()), or NULL
 * @r: the ranges, DMA addresses in @ss
 * @bufs: set to the ranges
 * @n: entries of @r and @bufs
 *
 * Return: 0, or -EFAULT if a range is not entirely inside the region.
 */
int wd_dma_map_ss(const struct uacce_qfile_region *ss,
		  const struct wd_dma_range *r, struct wd_buf *const *bufs,
		  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (wd_dma_ss_range(ss, r[i].addr, r[i].len, r[i].write,
				    bufs[i]))
			return -EFAULT;
	return 0;
}
EXPORT_SYMBOL_GPL(wd_dma_map_ss);

/**
 * wd_dma_map() - make the ranges of a request reachable, as its queue does
 * @wdev: the device's engines; wd_engine_ops.status gives the outcomes
 * @dq: how the queue reaches memory: SVA (its registered memory first,
 *	wd_dma_map_reg(), or wd_dma_map_sva() without) or its SS region
 *	(wd_dma_map_ss())
 * @pages: the engine's page array, as for wd_dma_map_sva()
 * @r: the ranges
 * @bufs: set to the ranges
 * @n: entries of @r and @bufs
 *
 * A range outside the SS region is logged (dev_dbg); wd_dma_unmap() undoes
 * the mapping.
 *
 * Return: the class's status.ok; status.addr_error if a range cannot be
 * reached; status.aborted if the owner's address space is gone, or the
 * queue was stopped while its mmap_lock or a page was awaited (SVA).
 */
u16 wd_dma_map(struct wd_engine_dev *wdev, const struct wd_dma_queue *dq,
	       struct page **pages, const struct wd_dma_range *r,
	       struct wd_buf *const *bufs, unsigned int n)
{
	const struct wd_status *sts = &wdev->ops->status;
	int ret;

	if (dq->sva) {
		if (dq->mem)
			ret = wd_dma_map_reg(wdev, dq->mem, dq->mm,
					     dq->stopping, pages, r, bufs, n);
		else
			ret = wd_dma_map_sva(wdev, dq->mm, dq->stopping, pages,
					     r, bufs, n);
		if (ret == -ESRCH || ret == -EINTR)
			return sts->aborted;
		return ret ? sts->addr_error : sts->ok;
	}
	if (wd_dma_map_ss(wd_dma_ss_region(dq->uq), r, bufs, n)) {
		dev_dbg_ratelimited(wdev->dev,
				    "queue %u: range outside the SS region\n",
				    dq->qid);
		return sts->addr_error;
	}
	return sts->ok;
}
EXPORT_SYMBOL_GPL(wd_dma_map);
