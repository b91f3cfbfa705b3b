// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_mm_hold: a test fixture, never packaged.  It holds the mmap_lock of
 * the process that asks, for reading, as a thread in a slow page fault
 * (a FUSE or NFS file whose server stalls) holds it, so that a guest test
 * can make a command wait for that lock, and see whether anything else
 * (a device's removal) waits with it.  The interface is
 * test/include/wd_mm_hold.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "wd_mm_hold.h"

/**
 * struct wd_mm_hold - an open file's hold
 * @lock: protects @mm, @held and @release
 * @mm: the address space of the hold, grabbed; NULL if none
 * @held: its mmap_lock is taken (not merely asked for)
 * @release: WD_MM_RELEASE was asked for the current hold
 * @wq: where WD_MM_HOLD waits for @release
 */
struct wd_mm_hold {
	spinlock_t lock;	/* protects mm, held and release */
	struct mm_struct *mm;
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

static long wd_mm_hold_hold(struct wd_mm_hold *h)
{
	struct mm_struct *mm = current->mm;
	long left;

	if (!mm)
		return -EINVAL;
	spin_lock(&h->lock);
	if (h->mm) {
		spin_unlock(&h->lock);
		pr_debug("the file holds already\n");
		return -EBUSY;
	}
	mmgrab(mm);
	h->mm = mm;
	h->release = false;
	spin_unlock(&h->lock);

	mmap_read_lock(mm);
	spin_lock(&h->lock);
	h->held = true;
	spin_unlock(&h->lock);
	left = wait_event_interruptible_timeout(h->wq, wd_mm_hold_released(h),
						msecs_to_jiffies(WD_MM_HOLD_MAX_MS));
	spin_lock(&h->lock);
	h->held = false;
	h->mm = NULL;
	spin_unlock(&h->lock);
	mmap_read_unlock(mm);
	mmdrop(mm);
	if (left < 0)
		return -EINTR;
	return left ? 0 : -ETIMEDOUT;
}

static long wd_mm_hold_state(struct wd_mm_hold *h)
{
	long state = WD_MM_NOT_HELD;

	spin_lock(&h->lock);
	if (h->held)
		state = mmap_lock_is_contended(h->mm) ? WD_MM_HELD_CONTENDED :
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

MODULE_DESCRIPTION("WarpDrive test fixture: holds a process's mmap_lock");
MODULE_LICENSE("GPL");
