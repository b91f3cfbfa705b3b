// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_engine: registered memory (<uapi/misc/uacce/wd_mem.h>), a queue's
 * ranges of its owner's memory pinned once for all its requests.
 *
 * Each region is pinned FOLL_LONGTERM at registration and charged as
 * io_uring charges its registered buffers: to the caller's user
 * (user_struct.locked_vm), against RLIMIT_MEMLOCK unless the caller has
 * CAP_IPC_LOCK, and to the owner's pinned memory (mm->pinned_vm, VmPin).
 * The user is what bounds it: a queue's file, and so its regions, may
 * outlive its opener's address space (an exec keeps the file open), and
 * a new address space starts from nothing.  Both counters are atomics,
 * not under the mmap_lock, so that unregistering and the queue's release
 * (in the device's removal too) never wait for the process.  An
 * engine that finds a request's range inside a region takes a reference
 * on it for the request (wd_mem_get(), dropped by wd_dma_unmap()); the
 * table holds one more.  Unregistering takes the region out of the table,
 * so no new request finds it, then waits for the requests that hold it
 * before it unpins the pages: the engine never reaches an unpinned page,
 * and the caller gets its pinned memory back when the ioctl returns.
 * That wait is UNREGISTER's finish step, without the queue's state_lock:
 * a request holding the region may itself wait, for its owner's
 * mmap_lock or a page's I/O, until the queue is stopped.  A fatal signal
 * ends the wait, the last request then freeing the region.
 *
 * REGISTER is one of uacce's commands in steps (struct uacce_ioctl): the
 * region is accounted and pinned by wd_mem_prepare() with no lock held,
 * since the mmap_lock may be long in coming (behind a writer queued
 * behind a reader in a slow fault), and must not hold up the device's
 * removal; wd_mem_commit() then puts it in the queue's table, under
 * uacce's state_lock, if the queue is still there.
 */
#include <linux/capability.h>
#include <linux/device.h>
#include <linux/mm.h>
#include <linux/hugetlb_inline.h>
#include <linux/refcount.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uacce.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/wait_bit.h>
#include <linux/wd_engine.h>

#include "internal.h"

/* 6.1's condition for user_struct.locked_vm, which io_uring charges too */
#if !(defined(CONFIG_NET) || defined(CONFIG_IO_URING) || \
	defined(CONFIG_VFIO_PCI_ZDEV_KVM) || IS_ENABLED(CONFIG_IOMMUFD) || \
	defined(CONFIG_SECRETMEM))
#error "registered memory is charged to user_struct.locked_vm: needs CONFIG_NET"
#endif

/**
 * struct wd_mem_reg - one registered region
 * @addr: its first byte, page aligned
 * @len: bytes, whole pages
 * @write: pinned writable (WD_MEM_F_WRITE)
 * @pages: the pinned pages, @len / PAGE_SIZE of them
 * @mm: the address space whose pinned memory it is accounted to, grabbed
 * @user: the user it is charged to, with a reference; NULL if the caller
 *	had CAP_IPC_LOCK
 * @ref: the table's reference while registered, and one per request
 *	using it
 */
struct wd_mem_reg {
	u64 addr;
	u64 len;
	bool write;
	struct page **pages;
	struct mm_struct *mm;
	struct user_struct *user;
	refcount_t ref;
};

/**
 * wd_mem_init() - an empty registry
 * @t: the queue's registry
 * @wdev: the device's engines (pinned page counters, messages)
 */
void wd_mem_init(struct wd_mem_table *t, struct wd_engine_dev *wdev)
{
	memset(t->regions, 0, sizeof(t->regions));
	t->wdev = wdev;
	spin_lock_init(&t->lock);
	mutex_init(&t->change_lock);
}
EXPORT_SYMBOL_GPL(wd_mem_init);

static unsigned long wd_mem_nr_pages(const struct wd_mem_reg *reg)
{
	return reg->len >> PAGE_SHIFT;
}

/* Undoes wd_mem_account() */
static void wd_mem_unaccount(struct wd_mem_reg *reg, struct mm_struct *mm)
{
	unsigned long nr = wd_mem_nr_pages(reg);

	atomic64_sub(nr, &mm->pinned_vm);
	if (reg->user) {
		atomic_long_sub(nr, &reg->user->locked_vm);
		free_uid(reg->user);
		reg->user = NULL;
	}
}

/* The pages and the accounting of a region in no table (any more). */
static void wd_mem_unpin(struct wd_mem_reg *reg)
{
	unpin_user_pages_dirty_lock(reg->pages, wd_mem_nr_pages(reg),
				    reg->write);
	/* grabbed: the counter is there even after the process exited */
	wd_mem_unaccount(reg, reg->mm);
	mmdrop(reg->mm);
	kvfree(reg->pages);
	kfree(reg);
}

/*
 * Out of the table already (and out of the device's count of pinned
 * pages), with the table's reference, which the caller took over: waits
 * for the requests using it, then frees it.  With @killable a fatal
 * signal ends the wait, and the last request frees it (wd_mem_put()): a
 * killed process's UNREGISTER must not keep it from exiting, and its
 * file from closing, which is what stops the queue and ends a request
 * waiting for a page.  Uses nothing of the queue or the device, which
 * may be gone.
 */
static void wd_mem_drop(struct wd_mem_reg *reg, bool killable)
{
	if (killable)
		wait_var_event_killable(&reg->ref,
					refcount_read(&reg->ref) == 1);
	else
		wait_var_event(&reg->ref, refcount_read(&reg->ref) == 1);
	wd_mem_put(reg);
}

/* Under change_lock: takes slot @i's region out of the table, or NULL. */
static struct wd_mem_reg *wd_mem_detach(struct wd_mem_table *t, int i)
{
	struct wd_mem_reg *reg;

	lockdep_assert_held(&t->change_lock);
	spin_lock(&t->lock);
	reg = t->regions[i];
	t->regions[i] = NULL;
	spin_unlock(&t->lock);
	if (reg)
		atomic_long_sub(wd_mem_nr_pages(reg), &t->wdev->pinned_now);
	return reg;
}

static int wd_mem_check(struct device *dev, const struct wd_mem_region *u)
{
	if (u->flags & ~WD_MEM_F_WRITE || u->reserved) {
		dev_dbg_ratelimited(dev, "REGISTER: unknown flags %#x or reserved %#x\n",
				    u->flags, u->reserved);
		return -EINVAL;
	}
	if (!u->len || !PAGE_ALIGNED(u->addr) || !PAGE_ALIGNED(u->len)) {
		dev_dbg_ratelimited(dev, "REGISTER: %#llx+%#llx is empty or not page aligned\n",
				    u->addr, u->len);
		return -EINVAL;
	}
	if (u->len > WD_MEM_MAX_LEN) {
		dev_dbg_ratelimited(dev, "REGISTER: %llu bytes, more than %llu\n",
				    u->len, WD_MEM_MAX_LEN);
		return -EINVAL;
	}
	if (u->addr + u->len < u->addr || u->addr + u->len > TASK_SIZE) {
		dev_dbg_ratelimited(dev, "REGISTER: %#llx+%#llx is outside the address space\n",
				    u->addr, u->len);
		return -EINVAL;
	}
	return 0;
}

/* Under change_lock: the slot for region @u, or a negative errno. */
static int wd_mem_slot(struct wd_mem_table *t, const struct wd_mem_reg *u)
{
	int i, free = -ENOSPC;

	for (i = 0; i < WD_MEM_MAX_REGIONS; i++) {
		const struct wd_mem_reg *reg = t->regions[i];

		if (!reg) {
			if (free < 0)
				free = i;
			continue;
		}
		if (u->addr < reg->addr + reg->len &&
		    reg->addr < u->addr + u->len) {
			dev_dbg_ratelimited(t->wdev->dev,
					    "REGISTER: %#llx+%#llx overlaps the region at %#llx+%#llx\n",
					    u->addr, u->len, reg->addr,
					    reg->len);
			return -EEXIST;
		}
	}
	if (free < 0)
		dev_dbg_ratelimited(t->wdev->dev,
				    "REGISTER: the queue has %d regions already\n",
				    WD_MEM_MAX_REGIONS);
	return free;
}

/*
 * How a region's mappings are pinned for good, under @mm's mmap lock:
 * 6.1's GUP keeps a long-term pin coherent with the process only on
 * memory the process does not share by copy-on-write.  So
 *  - a mapping of a file other than shmem or hugetlbfs is refused, as
 *    io_uring refuses it: writeback would clean pages the engine goes on
 *    writing, and the file system may drop them;
 *  - a private mapping is pinned writable whatever the region's flags,
 *    which gives the process its own copy of each page now: pinned
 *    read-only, a page never written would be the zero page (or the file's
 *    page), and the process's next write would leave the engine reading
 *    that old page instead of its data.  Such a mapping must be writable.
 *
 * Return: 0 with *@flags completed, -EFAULT for a hole, -EOPNOTSUPP.
 */
static int wd_mem_check_vmas(struct device *dev, struct mm_struct *mm,
			     const struct wd_mem_reg *reg, unsigned int *flags)
{
	u64 addr = reg->addr, end = reg->addr + reg->len;
	struct vm_area_struct *vma;

	while (addr < end) {
		vma = vma_lookup(mm, addr);
		if (!vma) {
			dev_dbg_ratelimited(dev, "REGISTER: %#llx+%#llx: %#llx is not mapped\n",
					    reg->addr, reg->len, addr);
			return -EFAULT;
		}
		if (vma->vm_file && !shmem_mapping(vma->vm_file->f_mapping) &&
		    !is_vm_hugetlb_page(vma)) {
			dev_dbg_ratelimited(dev, "REGISTER: %#llx+%#llx maps a file other than shmem or hugetlbfs, which cannot stay pinned\n",
					    reg->addr, reg->len);
			return -EOPNOTSUPP;
		}
		if (is_cow_mapping(vma->vm_flags)) {
			if (!(vma->vm_flags & VM_WRITE)) {
				dev_dbg_ratelimited(dev, "REGISTER: %#llx+%#llx: a private mapping must be writable, to be pinned as the process's own pages\n",
						    reg->addr, reg->len);
				return -EFAULT;
			}
			*flags |= FOLL_WRITE;
		}
		addr = vma->vm_end;
	}
	return 0;
}

static int wd_mem_pin(struct device *dev, struct mm_struct *mm,
		      struct wd_mem_reg *reg)
{
	unsigned int flags = FOLL_LONGTERM | (reg->write ? FOLL_WRITE : 0);
	unsigned long nr = wd_mem_nr_pages(reg), done = 0;
	long ret;

	/*
	 * Held across the check and the pins: the mappings checked are
	 * pinned.  Killable: it may be long in coming, behind a writer
	 * queued behind a reader in a slow fault.
	 */
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	ret = wd_mem_check_vmas(dev, mm, reg, &flags);
	while (!ret && done < nr) {
		ret = pin_user_pages(reg->addr + done * PAGE_SIZE, nr - done,
				     flags, reg->pages + done, NULL);
		if (ret > 0) {
			done += ret;
			ret = 0;
		} else if (!ret) {
			ret = -EFAULT;
		}
	}
	mmap_read_unlock(mm);
	if (ret) {
		if (done)
			unpin_user_pages(reg->pages, done);
		return ret;
	}
	return 0;
}

/*
 * Charges @reg's pages to the caller's user, within RLIMIT_MEMLOCK
 * (-ENOMEM beyond it), unless the caller has CAP_IPC_LOCK, and to @mm's
 * pinned memory.
 */
static int wd_mem_account(struct wd_mem_reg *reg, struct mm_struct *mm)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	unsigned long nr = wd_mem_nr_pages(reg);
	struct user_struct *user;
	long cur;

	/* as io_uring: no audit record of a denial, none is refused */
	if (!ns_capable_noaudit(&init_user_ns, CAP_IPC_LOCK)) {
		user = current_user();
		cur = atomic_long_read(&user->locked_vm);
		do {
			if (nr > limit || (unsigned long)cur > limit - nr)
				return -ENOMEM;
		} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur,
						  cur + nr));
		reg->user = get_uid(user);
	}
	atomic64_add(nr, &mm->pinned_vm);
	return 0;
}

/* Whether @uq's caller may register memory on it. */
static int wd_mem_allowed(struct device *dev, struct uacce_queue *uq)
{
	if (!(uq->uacce->flags & UACCE_DEV_SVA) || !uq->mm) {
		dev_dbg_ratelimited(dev, "registered memory needs SVA: the SS region is the device's memory\n");
		return -EOPNOTSUPP;
	}
	if (current->mm != uq->mm) {
		dev_dbg_ratelimited(dev, "registered memory is the queue opener's only\n");
		return -EPERM;
	}
	return 0;
}

/**
 * wd_mem_prepare() - WD_MEM_CMD_REGISTER's first step: account and pin
 * @uq: the queue.  Only its mm and its uacce device are used: the device
 *	may be removed while this runs.
 * @u: the kernel's copy of the argument
 *
 * The uacce command's @prepare step: no lock is held, so the pinning,
 * however long the mmap_lock takes to come, does not hold up the
 * device's removal.  Overlaps and the table's room are checked by
 * wd_mem_commit().
 *
 * Return: the region, pinned and charged (wd_mem_account()),
 * for wd_mem_commit() or wd_mem_cancel(); or an ERR_PTR() with the errno
 * <uapi/misc/uacce/wd_mem.h> gives.
 */
struct wd_mem_reg *wd_mem_prepare(struct uacce_queue *uq,
				  const struct wd_mem_region *u)
{
	struct device *dev = &uq->uacce->dev;
	struct mm_struct *mm = uq->mm;
	struct wd_mem_reg *reg;
	unsigned long nr;
	int ret;

	ret = wd_mem_allowed(dev, uq);
	if (!ret)
		ret = wd_mem_check(dev, u);
	if (ret)
		return ERR_PTR(ret);
	nr = u->len >> PAGE_SHIFT;
	reg = kzalloc(sizeof(*reg), GFP_KERNEL);
	if (!reg)
		return ERR_PTR(-ENOMEM);
	reg->addr = u->addr;
	reg->len = u->len;
	reg->write = u->flags & WD_MEM_F_WRITE;
	refcount_set(&reg->ref, 1);
	reg->pages = kvmalloc_array(nr, sizeof(*reg->pages), GFP_KERNEL);
	if (!reg->pages) {
		ret = -ENOMEM;
		goto free_reg;
	}
	ret = wd_mem_account(reg, mm);
	if (ret) {
		dev_dbg_ratelimited(dev, "REGISTER: %lu pages more would exceed the user's RLIMIT_MEMLOCK\n",
				    nr);
		goto free_pages;
	}
	ret = wd_mem_pin(dev, mm, reg);
	if (ret) {
		dev_dbg_ratelimited(dev, "REGISTER: cannot pin %#llx+%#llx%s: %d\n",
				    u->addr, u->len,
				    reg->write ? " writable" : "", ret);
		wd_mem_unaccount(reg, mm);
		goto free_pages;
	}
	mmgrab(mm);
	reg->mm = mm;
	return reg;

free_pages:
	kvfree(reg->pages);
free_reg:
	kfree(reg);
	return ERR_PTR(ret);
}

/**
 * wd_mem_commit() - WD_MEM_CMD_REGISTER's second step: put a region in
 *	the table
 * @t: the queue's registry
 * @reg: what wd_mem_prepare() returned
 *
 * The uacce command's @commit step, under the queue's state_lock: the
 * queue is still there.
 *
 * Return: 0, the table then owning @reg; -EEXIST if it overlaps a
 * registered region, -ENOSPC if the table is full, @reg still the
 * caller's (wd_mem_cancel()).
 */
long wd_mem_commit(struct wd_mem_table *t, struct wd_mem_reg *reg)
{
	unsigned long nr = wd_mem_nr_pages(reg);
	int slot;

	mutex_lock(&t->change_lock);
	slot = wd_mem_slot(t, reg);
	if (slot < 0) {
		mutex_unlock(&t->change_lock);
		return slot;
	}
	atomic_long_add(nr, &t->wdev->pinned_now);
	atomic64_add(nr, &t->wdev->pinned_total);
	spin_lock(&t->lock);
	t->regions[slot] = reg;
	spin_unlock(&t->lock);
	mutex_unlock(&t->change_lock);
	return 0;
}

/**
 * wd_mem_cancel() - undo wd_mem_prepare()
 * @reg: a region no table has: unpinned, unaccounted and freed
 *
 * For REGISTER's @finish step, with no lock held, when the commit failed
 * or the device was removed in between.
 */
void wd_mem_cancel(struct wd_mem_reg *reg)
{
	wd_mem_unpin(reg);
}

/**
 * wd_mem_unregister() - WD_MEM_CMD_UNREGISTER's commit step: take a
 *	region out of the table
 * @t: the queue's registry
 * @uq: the uacce queue
 * @u: the kernel's copy of the argument
 * @reg: set to the region, for wd_mem_unregistered()
 *
 * Under the queue's state_lock: no request finds the region any more, but
 * some may still use it.  They are not waited for here: a request may wait
 * for its owner's mmap_lock or a page's I/O (for its other ranges) until
 * its queue is stopped, and the stop needs the state_lock.
 *
 * Return: 0, or the negative errno <uapi/misc/uacce/wd_mem.h> gives.
 */
long wd_mem_unregister(struct wd_mem_table *t, struct uacce_queue *uq,
		       const struct wd_mem_region *u, struct wd_mem_reg **reg)
{
	int i, ret;

	ret = wd_mem_allowed(t->wdev->dev, uq);
	if (ret)
		return ret;
	mutex_lock(&t->change_lock);
	for (i = 0; i < WD_MEM_MAX_REGIONS; i++) {
		if (t->regions[i] && t->regions[i]->addr == u->addr &&
		    t->regions[i]->len == u->len) {
			*reg = wd_mem_detach(t, i);
			break;
		}
	}
	mutex_unlock(&t->change_lock);
	if (i == WD_MEM_MAX_REGIONS) {
		dev_dbg_ratelimited(t->wdev->dev,
				    "UNREGISTER: no region %#llx+%#llx\n",
				    u->addr, u->len);
		return -ENOENT;
	}
	return 0;
}

/**
 * wd_mem_unregistered() - WD_MEM_CMD_UNREGISTER's finish step
 * @reg: what wd_mem_unregister() took out of the table
 *
 * With no lock held: waits for the requests still using the region, which
 * end, or are given up when their queue stops, then unpins and unaccounts
 * it.  The caller has its pinned memory back when the command returns,
 * unless a fatal signal ended the wait: the last request then frees it.
 */
void wd_mem_unregistered(struct wd_mem_reg *reg)
{
	wd_mem_drop(reg, true);
}

/**
 * wd_mem_release() - unregister every region of a queue
 * @t: the queue's registry
 *
 * For the class driver's put_queue: the queue's file is being released
 * (close, exit, a kill), so its pages are unpinned and unaccounted.
 * Waits for requests still using a region, though a stopped queue has
 * none.
 */
void wd_mem_release(struct wd_mem_table *t)
{
	int i;

	mutex_lock(&t->change_lock);
	for (i = 0; i < WD_MEM_MAX_REGIONS; i++) {
		struct wd_mem_reg *reg = wd_mem_detach(t, i);

		if (reg)
			wd_mem_drop(reg, false);
	}
	mutex_unlock(&t->change_lock);
}
EXPORT_SYMBOL_GPL(wd_mem_release);

/**
 * wd_mem_get() - the registered pages of a request's range
 * @t: the queue's registry, or NULL
 * @r: the range, process virtual addresses
 * @buf: set to the range if it lies inside a region registered for its
 *	access, with a reference on the region
 *
 * Return: true if @buf is set.
 */
bool wd_mem_get(struct wd_mem_table *t, const struct wd_dma_range *r,
		struct wd_buf *buf)
{
	struct wd_mem_reg *reg = NULL;
	u64 end = r->addr + r->len;
	unsigned long first;
	int i;

	if (!t || !r->len || end < r->addr)
		return false;
	spin_lock(&t->lock);
	for (i = 0; i < WD_MEM_MAX_REGIONS; i++) {
		struct wd_mem_reg *cand = t->regions[i];

		if (cand && r->addr >= cand->addr &&
		    end <= cand->addr + cand->len &&
		    (!r->write || cand->write)) {
			reg = cand;
			refcount_inc(&reg->ref);
			break;
		}
	}
	spin_unlock(&t->lock);
	if (!reg)
		return false;
	first = (r->addr - reg->addr) >> PAGE_SHIFT;
	buf->reg = reg;
	buf->pages = reg->pages + first;
	buf->offset = offset_in_page(r->addr);
	buf->nr_pages = DIV_ROUND_UP(buf->offset + r->len, PAGE_SIZE);
	buf->len = r->len;
	buf->write = r->write;
	return true;
}

/**
 * wd_mem_put() - drop a reference on a region
 * @reg: the region
 *
 * A request's, or the one wd_mem_drop() holds: the last frees the region,
 * which is out of its table then.  Process context.
 */
void wd_mem_put(struct wd_mem_reg *reg)
{
	if (refcount_dec_and_test(&reg->ref)) {
		wd_mem_unpin(reg);
		return;
	}
	/* wd_mem_drop() waits for the count to fall to its own reference */
	smp_mb__after_atomic();
	wake_up_var(&reg->ref);
}
