// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_mm_hold: a test fixture, never packaged.  It makes page faults stall
 * as on a FUSE or NFS file whose server stalls, so that a guest test can
 * make a command or an engine wait, and see whether anything else (a
 * device's removal) waits with it: it holds the mmap_lock of the process
 * that asks, for reading, as a thread in such a fault holds it; or a page
 * of a file locked, as a read that does not end does; or it makes files
 * whose reads do not end until told to, on a filesystem of its own, as a
 * stalled server's do (the test kernels have no FUSE), or whose reads
 * fail.  The interface is
 * test/include/wd_mm_hold.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/pseudo_fs.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

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

/* ---- files whose reads do not end, or fail (WD_MM_STALL_FILE) ---- */

#define WD_MM_STALL_MAGIC	0x77647374	/* "wdst" */
#define WD_MM_STALL_PAGES	(WD_MM_STALL_SIZE / PAGE_SIZE)

/* the filesystem of those files, mounted for the module's life */
static struct vfsmount *wd_mm_stall_mnt;

/**
 * struct wd_mm_stall - the reads of a stalling file
 * @lock: protects @parked and @ended
 * @parked: by page index, the folios whose reads wait: locked, not up to
 *	date, with a reference
 * @ended: reads end at once from now on
 * @fail: reads fail (WD_MM_READS_FAIL), set before the file is made
 * @timeout: ends the reads WD_MM_HOLD_MAX_MS after the first one waits
 */
struct wd_mm_stall {
	spinlock_t lock;	/* protects parked and ended */
	struct folio *parked[WD_MM_STALL_PAGES];
	bool ended;
	bool fail;
	struct delayed_work timeout;
};

/* Ends the read of @folio: its bytes, up to date, unlocked. */
static void wd_mm_stall_fill(struct folio *folio)
{
	u64 pos = folio_pos(folio);
	size_t i, j;

	for (i = 0; i < folio_nr_pages(folio); i++) {
		u8 *p = kmap_local_folio(folio, i * PAGE_SIZE);

		for (j = 0; j < PAGE_SIZE; j++)
			p[j] = wd_mm_stall_byte(pos + i * PAGE_SIZE + j);
		kunmap_local(p);
	}
	folio_mark_uptodate(folio);
	folio_unlock(folio);
}

/* Ends the reads that wait and every later one. */
static void wd_mm_stall_end(struct wd_mm_stall *s)
{
	struct folio *folio;
	size_t i;

	spin_lock(&s->lock);
	s->ended = true;
	spin_unlock(&s->lock);
	for (i = 0; i < WD_MM_STALL_PAGES; i++) {
		spin_lock(&s->lock);
		folio = s->parked[i];
		s->parked[i] = NULL;
		spin_unlock(&s->lock);
		if (folio) {
			wd_mm_stall_fill(folio);
			folio_put(folio);
		}
	}
}

static void wd_mm_stall_timeout(struct work_struct *work)
{
	struct wd_mm_stall *s = container_of(to_delayed_work(work),
					     struct wd_mm_stall, timeout);

	pr_debug("a read waited %d ms: ending them\n", WD_MM_HOLD_MAX_MS);
	wd_mm_stall_end(s);
}

/*
 * Starts the read of @folio; it ends when the file's reads end.  Or it
 * fails at once, as a read whose device reports an error does.
 */
static int wd_mm_stall_read_folio(struct file *file, struct folio *folio)
{
	struct wd_mm_stall *s = folio->mapping->host->i_private;
	pgoff_t index = folio->index;
	bool park;

	if (s->fail) {
		folio_unlock(folio);
		return -EIO;
	}
	spin_lock(&s->lock);
	park = !s->ended && index < WD_MM_STALL_PAGES && !s->parked[index];
	if (park) {
		folio_get(folio);
		s->parked[index] = folio;
	}
	spin_unlock(&s->lock);
	if (park)
		schedule_delayed_work(&s->timeout,
				      msecs_to_jiffies(WD_MM_HOLD_MAX_MS));
	else
		wd_mm_stall_fill(folio);
	return 0;
}

static const struct address_space_operations wd_mm_stall_aops = {
	.read_folio = wd_mm_stall_read_folio,
};

static long wd_mm_stall_state(struct wd_mm_stall *s)
{
	long state = WD_MM_NOT_HELD;
	size_t i;

	spin_lock(&s->lock);
	for (i = 0; i < WD_MM_STALL_PAGES; i++) {
		if (!s->parked[i])
			continue;
		state = WD_MM_HELD;
		if (folio_test_waiters(s->parked[i])) {
			state = WD_MM_HELD_CONTENDED;
			break;
		}
	}
	spin_unlock(&s->lock);
	return state;
}

static long wd_mm_stall_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct wd_mm_stall *s = file_inode(file)->i_private;

	switch (cmd) {
	case WD_MM_RELEASE:
		wd_mm_stall_end(s);
		return 0;
	case WD_MM_STATE:
		return wd_mm_stall_state(s);
	}
	pr_debug("unknown ioctl %#x on a stalling file\n", cmd);
	return -ENOTTY;
}

/*
 * The file's only open ends: nothing reads its pages any more, and
 * nothing of the module runs in the inode's eviction (the module may be
 * unloaded by then).
 */
static int wd_mm_stall_release(struct inode *inode, struct file *file)
{
	struct wd_mm_stall *s = inode->i_private;

	wd_mm_stall_end(s);
	cancel_delayed_work_sync(&s->timeout);
	inode->i_private = NULL;
	kfree(s);
	return 0;
}

static const struct file_operations wd_mm_stall_fops = {
	.owner = THIS_MODULE,
	.llseek = generic_file_llseek,
	.read_iter = generic_file_read_iter,
	.mmap = generic_file_readonly_mmap,
	.unlocked_ioctl = wd_mm_stall_ioctl,
	.release = wd_mm_stall_release,
};

static int wd_mm_stall_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, WD_MM_STALL_MAGIC) ? 0 : -ENOMEM;
}

/* no owner: the module's own mount must not pin it */
static struct file_system_type wd_mm_stall_fs = {
	.name = "wd_mm_stall",
	.init_fs_context = wd_mm_stall_init_fs_context,
	.kill_sb = kill_anon_super,
};

static struct file *wd_mm_stall_create(bool fail)
{
	struct wd_mm_stall *s = kzalloc(sizeof(*s), GFP_KERNEL);
	struct inode *inode;
	struct file *file;

	if (!s)
		return ERR_PTR(-ENOMEM);
	s->fail = fail;
	spin_lock_init(&s->lock);
	INIT_DELAYED_WORK(&s->timeout, wd_mm_stall_timeout);
	inode = new_inode(wd_mm_stall_mnt->mnt_sb);
	if (!inode) {
		kfree(s);
		return ERR_PTR(-ENOMEM);
	}
	inode->i_ino = get_next_ino();
	inode->i_mode = S_IFREG | 0400;
	inode->i_atime = current_time(inode);
	inode->i_mtime = inode->i_atime;
	inode->i_ctime = inode->i_atime;
	inode->i_private = s;
	inode->i_mapping->a_ops = &wd_mm_stall_aops;
	i_size_write(inode, WD_MM_STALL_SIZE);
	/* alloc_file_pseudo() takes over a reference on the fops' module */
	__module_get(THIS_MODULE);
	file = alloc_file_pseudo(inode, wd_mm_stall_mnt, "wd_mm_stall",
				 O_RDONLY, &wd_mm_stall_fops);
	if (IS_ERR(file)) {
		module_put(THIS_MODULE);
		iput(inode);
		kfree(s);
		return file;
	}
	/*
	 * as an open() does: positioned reads, and readahead as the
	 * filesystem's device has it
	 */
	file->f_mode |= FMODE_LSEEK | FMODE_PREAD;
	file_ra_state_init(&file->f_ra, inode->i_mapping);
	return file;
}

static long wd_mm_stall_file(unsigned long reads)
{
	struct file *file;
	int fd;

	if (reads != WD_MM_READS_STALL && reads != WD_MM_READS_FAIL) {
		pr_debug("STALL_FILE: reads %lu is none of WD_MM_READS_*\n",
			 reads);
		return -EINVAL;
	}
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	file = wd_mm_stall_create(reads == WD_MM_READS_FAIL);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
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
	case WD_MM_STALL_FILE:
		return wd_mm_stall_file(arg);
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

static int __init wd_mm_hold_init(void)
{
	int ret;

	wd_mm_stall_mnt = kern_mount(&wd_mm_stall_fs);
	if (IS_ERR(wd_mm_stall_mnt))
		return PTR_ERR(wd_mm_stall_mnt);
	/*
	 * Its own device, as FUSE's and NFS's files have, which reads ahead:
	 * a pseudo filesystem's reads none
	 */
	ret = super_setup_bdi(wd_mm_stall_mnt->mnt_sb);
	if (!ret)
		ret = misc_register(&wd_mm_hold_dev);
	if (ret)
		kern_unmount(wd_mm_stall_mnt);
	return ret;
}
module_init(wd_mm_hold_init);

/*
 * A stalling file's last close that is still under way holds the mount,
 * whose end runs the filesystem's kill_sb: the harness unloads the module
 * once the tests' processes are gone.
 */
static void __exit wd_mm_hold_exit(void)
{
	misc_deregister(&wd_mm_hold_dev);
	kern_unmount(wd_mm_stall_mnt);
}
module_exit(wd_mm_hold_exit);

MODULE_DESCRIPTION("WarpDrive test fixture: stalls page faults");
MODULE_LICENSE("GPL");
