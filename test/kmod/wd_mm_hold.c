// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_mm_hold: a test fixture, never packaged.  It makes page faults stall
 * as on a FUSE or NFS file whose server stalls, so that a guest test can
 * make a command or an engine wait, and see whether anything else (a
 * device's removal) waits with it: it holds the mmap_lock of the process
 * that asks, for reading, as a thread in such a fault holds it; or a page
 * of a file locked, as a read that does not end does (the test kernels
 * have no FUSE).  The interface is test/include/wd_mm_hold.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "wd_mm_hold.h"

/**
 * struct wd_mm_hold - an open file's hold
 * @lock: protects @busy, @mm, @folio, @held and @release
 * @busy: a hold is asked for or held
 * @mm: the address space whose mmap_lock is held, grabbed; or NULL
 * @folio: the page held locked, with a reference; or NULL
 * @held: @mm's mmap_lock or @folio's lock is taken (not merely asked for)
 * @release: WD_MM_RELEASE was asked for the current hold
 * @wq: where the hold waits for @release
 */
struct wd_mm_hold {
	spinlock_t lock;	/* protects busy, mm, folio, held and release */
	bool busy;
	struct mm_struct *mm;
	struct folio *folio;
	bool held;
	bool release;
	wait_queue_head_t wq;
};

static int wd_mm_hold_open(struct inode *inode, struct file *file)
{
	struct wd_mm_hold *h = kzalloc(sizeof(*h), GFP_KERNEL);

	if (!h)
		return -ENOMEM;
	spin_lock_init(&h->lock);
	init_waitqueue_head(&h->wq);
	file->private_data = h;
	return 0;
}

static int wd_mm_hold_release(struct inode *inode, struct file *file)
{
	/* no hold: the holder's ioctl keeps the file */
	kfree(file->private_data);
	return 0;
}

static bool wd_mm_hold_released(struct wd_mm_hold *h)
{
	bool ret;

	spin_lock(&h->lock);
	ret = h->release;
	spin_unlock(&h->lock);
	return ret;
}

/* Starts a hold on @h: -EBUSY if the file holds already. */
static int wd_mm_hold_begin(struct wd_mm_hold *h)
{
	int ret = 0;

	spin_lock(&h->lock);
	if (h->busy) {
		pr_debug("the file holds already\n");
		ret = -EBUSY;
	} else {
		h->busy = true;
		h->release = false;
	}
	spin_unlock(&h->lock);
	return ret;
}

/*
 * The hold's lock is taken (@mm's or @folio's): waits for the release,
 * then forgets them; the caller drops the lock.
 */
static long wd_mm_hold_wait(struct wd_mm_hold *h, struct mm_struct *mm,
			    struct folio *folio)
{
	long left;

	spin_lock(&h->lock);
	h->mm = mm;
	h->folio = folio;
	h->held = true;
	spin_unlock(&h->lock);
	left = wait_event_interruptible_timeout(h->wq, wd_mm_hold_released(h),
						msecs_to_jiffies(WD_MM_HOLD_MAX_MS));
	spin_lock(&h->lock);
	h->held = false;
	h->mm = NULL;
	h->folio = NULL;
	h->busy = false;
	spin_unlock(&h->lock);
	if (left < 0)
		return -EINTR;
	return left ? 0 : -ETIMEDOUT;
}

static long wd_mm_hold_hold(struct wd_mm_hold *h)
{
	struct mm_struct *mm = current->mm;
	long ret;

	if (!mm)
		return -EINVAL;
	ret = wd_mm_hold_begin(h);
	if (ret)
		return ret;
	mmgrab(mm);
	mmap_read_lock(mm);
	ret = wd_mm_hold_wait(h, mm, NULL);
	mmap_read_unlock(mm);
	mmdrop(mm);
	return ret;
}

static long wd_mm_hold_page(struct wd_mm_hold *h, const void __user *uarg)
{
	struct wd_mm_hold_page u;
	struct folio *folio;
	struct file *file;
	long ret;

	if (copy_from_user(&u, uarg, sizeof(u)))
		return -EFAULT;
	if (u.reserved || !PAGE_ALIGNED(u.offset)) {
		pr_debug("HOLD_PAGE: reserved %#x, offset %#llx not page aligned\n",
			 u.reserved, u.offset);
		return -EINVAL;
	}
	file = fget(u.fd);
	if (!file)
		return -EBADF;
	if (!file->f_mapping->a_ops->read_folio) {
		pr_debug("HOLD_PAGE: the file has no pages to read\n");
		ret = -EINVAL;
		goto put_file;
	}
	ret = wd_mm_hold_begin(h);
	if (ret)
		goto put_file;
	folio = read_mapping_folio(file->f_mapping, u.offset >> PAGE_SHIFT,
				   file);
	if (IS_ERR(folio)) {
		ret = PTR_ERR(folio);
		goto not_held;
	}
	folio_lock(folio);
	/* a truncate in between leaves a page that stalls nothing */
	if (folio->mapping != file->f_mapping || !folio_test_uptodate(folio)) {
		pr_debug("HOLD_PAGE: the page left the file before it was locked\n");
		folio_unlock(folio);
		folio_put(folio);
		ret = -EAGAIN;
		goto not_held;
	}
	ret = wd_mm_hold_wait(h, NULL, folio);
	folio_unlock(folio);
	folio_put(folio);
	goto put_file;
not_held:
	spin_lock(&h->lock);
	h->busy = false;
	spin_unlock(&h->lock);
put_file:
	fput(file);
	return ret;
}

static long wd_mm_hold_state(struct wd_mm_hold *h)
{
	long state = WD_MM_NOT_HELD;

	spin_lock(&h->lock);
	if (h->held && h->mm)
		state = mmap_lock_is_contended(h->mm) ? WD_MM_HELD_CONTENDED :
							WD_MM_HELD;
	else if (h->held)
		state = folio_test_waiters(h->folio) ? WD_MM_HELD_CONTENDED :
						       WD_MM_HELD;
	spin_unlock(&h->lock);
	return state;
}

static long wd_mm_hold_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct wd_mm_hold *h = file->private_data;

	switch (cmd) {
	case WD_MM_HOLD:
		return wd_mm_hold_hold(h);
	case WD_MM_RELEASE:
		spin_lock(&h->lock);
		h->release = true;
		spin_unlock(&h->lock);
		wake_up(&h->wq);
		return 0;
	case WD_MM_STATE:
		return wd_mm_hold_state(h);
	case WD_MM_HOLD_PAGE:
		return wd_mm_hold_page(h, (const void __user *)arg);
	}
	pr_debug("unknown ioctl %#x\n", cmd);
	return -ENOTTY;
}

static const struct file_operations wd_mm_hold_fops = {
	.owner = THIS_MODULE,
	.open = wd_mm_hold_open,
	.release = wd_mm_hold_release,
	.unlocked_ioctl = wd_mm_hold_ioctl,
};

static struct miscdevice wd_mm_hold_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "wd_mm_hold",
	.fops = &wd_mm_hold_fops,
	.mode = 0600,
};

module_misc_device(wd_mm_hold_dev);

MODULE_DESCRIPTION("WarpDrive test fixture: stalls page faults");
MODULE_LICENSE("GPL");
