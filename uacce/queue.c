// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uacce queues: one per open file.  The file operations except mmap
 * (region.c), the queue state machine, address-space binding, and
 * revocation when the device is removed.  status.c writes the status
 * word, for this file, isolation.c and drivers.
 *
 * Lock order: uacce->mutex, q->state_lock, q->mutex, q->status_lock; the
 * mmap_lock comes before q->mutex (mmap(), faults), and the core never
 * takes it under q->state_lock.  Nothing that can fault on user memory or wait
 * for the engine runs under q->mutex, because mmap() takes it under the
 * mmap_lock.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"

/**
 * uacce_wake_up() - report completions on a queue to poll()
 * @q: the queue
 *
 * Context: any context, between the driver's get_queue and put_queue.
 */
void uacce_wake_up(struct uacce_queue *q)
{
	/*
	 * Nobody polls (a spinning or busy application): no wait queue lock
	 * per completion.  The barrier in wq_has_sleeper() pairs with the one
	 * in uacce_fops_poll(): either we see its entry or it sees our
	 * completion.
	 */
	if (wq_has_sleeper(&q->wait))
		wake_up_interruptible(&q->wait);
}
EXPORT_SYMBOL_GPL(uacce_wake_up);

/* State changes hold q->state_lock, and q->mutex for the write itself. */
static void uacce_queue_set_state(struct uacce_queue *q,
				  enum uacce_q_state state)
{
	lockdep_assert_held(&q->state_lock);

	mutex_lock(&q->mutex);
	q->state = state;
	if (state != UACCE_Q_STARTED)
		uacce_region_queue_stopped(q);
	mutex_unlock(&q->mutex);
}

static int uacce_start_queue(struct uacce_queue *q)
{
	struct uacce_device *uacce = q->uacce;
	int ret;

	lockdep_assert_held(&q->state_lock);

	if (q->state != UACCE_Q_INIT) {
		dev_dbg(&uacce->dev, "START_Q: the queue is already started\n");
		return -EINVAL;
	}
	if (uacce_is_isolated(uacce)) {
		dev_dbg(&uacce->dev, "START_Q: the device is isolated\n");
		return -EIO;
	}
	if (READ_ONCE(q->status_state) == UACCE_QSTATE_DEAD) {
		dev_dbg(&uacce->dev, "START_Q: the queue had a hardware error\n");
		return -EIO;
	}

	/*
	 * Count as started before the driver starts the queue: from then on
	 * the device may use the static shared memory, which must not be
	 * freed under it (region.c).
	 */
	uacce_queue_set_state(q, UACCE_Q_STARTED);
	if (uacce->ops->start_queue) {
		ret = uacce->ops->start_queue(q);
		if (ret) {
			uacce_queue_set_state(q, UACCE_Q_INIT);
			dev_dbg(&uacce->dev, "START_Q: the driver failed: %d\n",
				ret);
			return ret;
		}
	}
	uacce_queue_set_status(q, UACCE_QSTATE_OK, UACCE_QREASON_NONE);

	return 0;
}

static void uacce_stop_queue(struct uacce_queue *q)
{
	struct uacce_device *uacce = q->uacce;

	lockdep_assert_held(&q->state_lock);

	if (q->state != UACCE_Q_STARTED)
		return;

	if (uacce->ops->stop_queue)
		uacce->ops->stop_queue(q);
	uacce_queue_set_status(q, UACCE_QSTATE_STOPPED, UACCE_QREASON_NONE);
	uacce_queue_set_state(q, UACCE_Q_INIT);
}

static int uacce_bind_queue(struct uacce_device *uacce, struct uacce_queue *q)
{
	struct iommu_sva *handle;
	u32 pasid;
	int ret;

	if (!(uacce->flags & UACCE_DEV_SVA))
		return 0;

	if (!current->mm) {
		dev_dbg(&uacce->dev, "open: an SVA queue needs the opener's address space\n");
		return -EINVAL;
	}
	mmgrab(current->mm);
	q->mm = current->mm;

	if (uacce->caps & UACCE_CAP_OWN_TRANSLATION) {
		ret = uacce->ops->bind_mm ? uacce->ops->bind_mm(q, q->mm) : 0;
		if (ret)
			goto err_drop;
		return 0;
	}

	handle = iommu_sva_bind_device(uacce->dma_dev, q->mm, NULL);
	if (IS_ERR(handle)) {
		ret = PTR_ERR(handle);
		goto err_drop;
	}
	pasid = iommu_sva_get_pasid(handle);
	if (pasid == IOMMU_PASID_INVALID) {
		iommu_sva_unbind_device(handle);
		ret = -ENODEV;
		goto err_drop;
	}
	q->handle = handle;
	q->pasid = pasid;
	return 0;

err_drop:
	dev_dbg(&uacce->dev, "open: cannot bind the address space: %d\n", ret);
	mmdrop(q->mm);
	q->mm = NULL;
	return ret;
}

/* Undo uacce_bind_queue(), but keep q->mm (mmap() checks the opener). */
static void uacce_unbind_queue(struct uacce_queue *q)
{
	struct uacce_device *uacce = q->uacce;

	if (q->handle) {
		iommu_sva_unbind_device(q->handle);
		q->handle = NULL;
	} else if (q->mm && uacce->ops->unbind_mm) {
		uacce->ops->unbind_mm(q);
	}
}

/*
 * Stop and free the driver's queue.  Called by release() and by
 * uacce_remove(), with uacce->mutex and q->state_lock held.
 */
static void uacce_put_queue(struct uacce_queue *q)
{
	struct uacce_device *uacce = q->uacce;
	unsigned long flags;

	lockdep_assert_held(&uacce->mutex);
	lockdep_assert_held(&q->state_lock);

	if (q->state == UACCE_Q_ZOMBIE)
		return;

	uacce_stop_queue(q);
	/* The status word lives in queue memory that put_queue may free. */
	spin_lock_irqsave(&q->status_lock, flags);
	q->status = NULL;
	spin_unlock_irqrestore(&q->status_lock, flags);

	if (uacce->ops->put_queue)
		uacce->ops->put_queue(q);
	uacce_queue_budget_put(uacce);
	uacce_unbind_queue(q);

	mutex_lock(&q->mutex);
	q->state = UACCE_Q_ZOMBIE;
	uacce_region_queue_dead(q);
	mutex_unlock(&q->mutex);
}

/**
 * uacce_queue_remove() - revoke a queue of a device being removed
 * @q: the queue
 *
 * Called by uacce_remove() with uacce->mutex held.  In two steps, so
 * that no user mapping of the device's memory survives:
 *
 * 1. under q->mutex, mark the queue revoked: every later file operation
 *    fails, no mmap() maps anything any more.  Publish REMOVED.
 * 2. zap every mapping of the file, stop and free the queue.  A VMA an
 *    mmap() has not yet put in the file's mapping is missed, but it has
 *    no page: pages are mapped at fault (region.c), and its faults find
 *    the queue revoked.  No process's mmap_lock is waited for here.
 */
void uacce_queue_remove(struct uacce_queue *q)
{
	lockdep_assert_held(&q->uacce->mutex);

	mutex_lock(&q->state_lock);
	/* the device's tenant may go with it; the file stays */
	q->tenant = &q->own_tenant;
	if (q->state == UACCE_Q_ZOMBIE) {
		mutex_unlock(&q->state_lock);
		return;
	}

	mutex_lock(&q->mutex);
	q->revoked = true;
	mutex_unlock(&q->mutex);
	uacce_queue_set_status(q, UACCE_QSTATE_DEAD, UACCE_QREASON_REMOVED);

	unmap_mapping_range(q->mapping, 0, 0, 1);
	uacce_put_queue(q);
	mutex_unlock(&q->state_lock);

	wake_up_interruptible_poll(&q->wait, EPOLLERR | EPOLLHUP);
}

static long uacce_ioctl_queue_info(struct uacce_queue *q, void __user *arg)
{
	struct uacce_device *uacce = q->uacce;
	struct uacce_queue_info info;
	int i;

	memset(&info, 0, sizeof(info));
	mutex_lock(&q->state_lock);
	if (!uacce_queue_usable(q)) {
		mutex_unlock(&q->state_lock);
		dev_dbg(&uacce->dev, "QUEUE_INFO: the device was removed\n");
		return -ENXIO;
	}
	info.dev_id = uacce->dev_id;
	info.flags = uacce->flags;
	info.node = dev_to_node(&uacce->dev);
	for (i = 0; i < UACCE_MAX_REGION; i++)
		info.region_size[i] = (u64)uacce->qf_pg_num[i] << PAGE_SHIFT;
	if (uacce->ops->queue_info)
		uacce->ops->queue_info(q, &info);
	mutex_unlock(&q->state_lock);

	if (copy_to_user(arg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long uacce_ioctl_wake_queue(struct uacce_queue *q)
{
	struct uacce_device *uacce = q->uacce;

	lockdep_assert_held(&q->state_lock);

	if (!uacce->ops->wake_queue) {
		dev_dbg(&uacce->dev, "WAKE_Q: the device needs no wake-up\n");
		return -EOPNOTSUPP;
	}
	if (q->state != UACCE_Q_STARTED) {
		dev_dbg(&uacce->dev, "WAKE_Q: the queue is not started\n");
		return -EINVAL;
	}
	uacce->ops->wake_queue(q);
	return 0;
}

/*
 * Only the queue's own locks are taken: WAKE_Q is on the data path, and
 * one process's ioctl never waits for another's.  q->state_lock keeps the
 * driver's queue alive (uacce_remove() takes it for every queue before
 * put_queue), so no ioctl argument is copied under it: core commands copy
 * their answer out after dropping it, and ioctl.c copies a driver's
 * command's argument around the call.
 */
static long uacce_fops_unl_ioctl(struct file *filep, unsigned int cmd,
				 unsigned long arg)
{
	struct uacce_queue *q = filep->private_data;
	struct uacce_device *uacce = q->uacce;
	long ret;

	switch (cmd) {
	case UACCE_CMD_QUEUE_INFO:
		return uacce_ioctl_queue_info(q, (void __user *)arg);
	case UACCE_CMD_GET_SS:
		return uacce_region_get_ss(q, (void __user *)arg);
	case UACCE_CMD_START_Q:
	case UACCE_CMD_PUT_Q:
	case UACCE_CMD_WAKE_Q:
		break;
	default:
		return uacce_driver_ioctl(q, cmd, (void __user *)arg);
	}

	mutex_lock(&q->state_lock);
	if (!uacce_queue_usable(q)) {
		dev_dbg(&uacce->dev, "ioctl %#x: the device was removed\n", cmd);
		ret = -ENXIO;
		goto out;
	}

	switch (cmd) {
	case UACCE_CMD_START_Q:
		ret = uacce_start_queue(q);
		break;
	case UACCE_CMD_PUT_Q:
		uacce_stop_queue(q);
		ret = 0;
		break;
	default:	/* UACCE_CMD_WAKE_Q */
		ret = uacce_ioctl_wake_queue(q);
		break;
	}
out:
	mutex_unlock(&q->state_lock);
	return ret;
}

static __poll_t uacce_fops_poll(struct file *filep, poll_table *wait)
{
	struct uacce_queue *q = filep->private_data;
	struct uacce_device *uacce = q->uacce;
	__poll_t ret = 0;

	poll_wait(filep, &q->wait, wait);
	/* our entry before the completions we look at: see uacce_wake_up() */
	smp_mb();

	mutex_lock(&q->state_lock);
	if (!uacce_queue_usable(q))
		ret = EPOLLERR | EPOLLHUP;
	else if (uacce->ops->is_q_updated && uacce->ops->is_q_updated(q))
		ret = EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&q->state_lock);

	return ret;
}

static struct uacce_queue *uacce_queue_alloc(struct uacce_device *uacce,
					     struct file *filep)
{
	int node = dev_to_node(&uacce->dev);
	struct uacce_queue *q;

	q = kzalloc_node(sizeof(*q), GFP_KERNEL, node);
	if (!q)
		return NULL;
	uacce_obj_count(UACCE_OBJ_QUEUE, 1);

	q->uacce = uacce;
	q->node = node;
	q->mapping = filep->f_mapping;
	q->state = UACCE_Q_ZOMBIE;
	init_waitqueue_head(&q->wait);
	INIT_LIST_HEAD(&q->list);
	mutex_init(&q->mutex);
	mutex_init(&q->state_lock);
	spin_lock_init(&q->status_lock);
	uacce_tenant_init(&q->own_tenant);
	q->tenant = uacce->tenant ?: &q->own_tenant;

	return q;
}

static void uacce_queue_free(struct uacce_queue *q)
{
	/* Every VMA holds the file, so all regions are unmapped by now. */
	uacce_region_free_all(q);
	if (q->mm)
		mmdrop(q->mm);
	mutex_destroy(&q->mutex);
	mutex_destroy(&q->state_lock);
	kfree(q);
	uacce_obj_count(UACCE_OBJ_QUEUE, -1);
}

static int uacce_queue_open(struct uacce_device *uacce, struct cdev *cdev,
			    struct file *filep)
{
	struct uacce_queue *q;
	int ret;

	q = uacce_queue_alloc(uacce, filep);
	if (!q)
		return -ENOMEM;

	mutex_lock(&uacce->mutex);
	/* A stale inode may carry the cdev of a removed device. */
	if (!uacce->ops || uacce->cdev != cdev) {
		dev_dbg(&uacce->dev, "open: the device was removed\n");
		ret = -ENODEV;
		goto err_free;
	}
	if (uacce_is_isolated(uacce)) {
		dev_warn_ratelimited(&uacce->dev,
				     "open refused: the device is isolated after hardware errors\n");
		ret = -EIO;
		goto err_free;
	}

	if (!uacce_queue_budget_get(uacce)) {
		dev_dbg(&uacce->dev, "open: all %u queues are open or reserved\n",
			uacce->nr_queues);
		ret = -EBUSY;
		goto err_free;
	}

	ret = uacce_bind_queue(uacce, q);
	if (ret)
		goto err_budget;

	if (uacce->ops->get_queue) {
		ret = uacce->ops->get_queue(uacce, q->pasid, q);
		if (ret) {
			dev_dbg(&uacce->dev, "open: no queue: %d\n", ret);
			goto err_unbind;
		}
	}

	q->state = UACCE_Q_INIT;
	uacce_queue_set_status(q, UACCE_QSTATE_STOPPED, UACCE_QREASON_NONE);
	list_add(&q->list, &uacce->queues);
	mutex_unlock(&uacce->mutex);

	filep->private_data = q;
	return 0;

err_unbind:
	uacce_unbind_queue(q);
err_budget:
	uacce_queue_budget_put(uacce);
err_free:
	mutex_unlock(&uacce->mutex);
	uacce_queue_free(q);
	return ret;
}

static int uacce_fops_open(struct inode *inode, struct file *filep)
{
	struct uacce_device *uacce;
	int ret;

	uacce = uacce_get_by_minor(iminor(inode));
	if (!uacce)
		return -ENODEV;

	/* do_dentry_open() refuses it too, but only once a queue was taken */
	if (filep->f_flags & O_DIRECT) {
		dev_dbg(&uacce->dev, "open: O_DIRECT: a queue has no pages to read or write directly\n");
		put_device(&uacce->dev);
		return -EINVAL;
	}

	/* On success the queue keeps the reference until release(). */
	ret = uacce_queue_open(uacce, inode->i_cdev, filep);
	if (ret)
		put_device(&uacce->dev);

	return ret;
}

static int uacce_fops_release(struct inode *inode, struct file *filep)
{
	struct uacce_queue *q = filep->private_data;
	struct uacce_device *uacce = q->uacce;

	/*
	 * Stopping may wait for the engine: do it before taking the device
	 * mutex, so that opening other queues does not wait for it.  Holding
	 * state_lock, the queue is either intact or already put by removal.
	 */
	mutex_lock(&q->state_lock);
	uacce_stop_queue(q);
	mutex_unlock(&q->state_lock);

	mutex_lock(&uacce->mutex);
	mutex_lock(&q->state_lock);
	uacce_put_queue(q);
	mutex_unlock(&q->state_lock);
	list_del_init(&q->list);
	mutex_unlock(&uacce->mutex);

	uacce_queue_free(q);
	put_device(&uacce->dev);

	return 0;
}

/* A queue is served through its mapped rings: it is never read or written */
static ssize_t uacce_fops_read(struct file *filep, char __user *buf,
			       size_t len, loff_t *pos)
{
	struct uacce_queue *q = filep->private_data;

	dev_dbg_ratelimited(&q->uacce->dev, "read: a queue is not read: its rings are mapped (mmap)\n");
	return -EINVAL;
}

static ssize_t uacce_fops_write(struct file *filep, const char __user *buf,
				size_t len, loff_t *pos)
{
	struct uacce_queue *q = filep->private_data;

	dev_dbg_ratelimited(&q->uacce->dev, "write: a queue is not written: its rings are mapped (mmap)\n");
	return -EINVAL;
}

/*
 * The queue's tenant: its weight and the engine time charged to it.
 * state_lock keeps the tenant: removal switches a revoked queue to its own.
 */
static void uacce_fops_show_fdinfo(struct seq_file *m, struct file *filep)
{
	struct uacce_queue *q = filep->private_data;

	mutex_lock(&q->state_lock);
	seq_printf(m, "uacce-weight:\t%u\n", READ_ONCE(q->tenant->weight));
	seq_printf(m, "uacce-engine-ns:\t%lld\n",
		   atomic64_read(&q->tenant->engine_ns));
	mutex_unlock(&q->state_lock);
}

const struct file_operations uacce_fops = {
	.owner		= THIS_MODULE,
	.open		= uacce_fops_open,
	.release	= uacce_fops_release,
	.read		= uacce_fops_read,
	.write		= uacce_fops_write,
	.unlocked_ioctl	= uacce_fops_unl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= uacce_fops_mmap,
	.poll		= uacce_fops_poll,
	.llseek		= noop_llseek,
	.show_fdinfo	= uacce_fops_show_fdinfo,
};
