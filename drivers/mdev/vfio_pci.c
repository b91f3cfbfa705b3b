// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_mdev vfio-pci instances: an instance is a VFIO device, registered
 * with the emulated IOMMU, whose PCI function (wd_pci.h) a VMM assigns
 * to a guest like a vGPU: configuration space and BAR0 through the
 * device's region reads and writes, INTx and MSI through the eventfds of
 * VFIO_DEVICE_SET_IRQS (vfio_irq.c), function reset, and the request
 * interrupt with which the host asks the VMM to give the function back.
 *
 * Lifecycle: creating the instance (the core has reserved its queues)
 * allocates and registers the VFIO device; the VMM's first open gives
 * every queue an engine of the driver, the last close stops the queues,
 * unpins everything and frees them.  Removing the instance unregisters
 * the device, which waits until the VMM closes it: meanwhile our request
 * callback signals the VMM's request eventfd and marks the function GONE,
 * its queues stopped and without DMA, so a VMM that is killed, or that
 * ignores the request, never leaves the host stuck with pinned memory.
 *
 * Removal waits for more than the close, for 6.1's sake: see
 * wd_vfio_wait_released().
 */
#include <linux/log2.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/uaccess.h>

#include "vfio_pci.h"

/* the region index in the top bits of the device file's offset */
#define WD_VFIO_OFFSET_SHIFT	40
#define WD_VFIO_OFFSET_MASK	((1ULL << WD_VFIO_OFFSET_SHIFT) - 1)
#define WD_VFIO_INDEX_TO_OFFSET(i) ((u64)(i) << WD_VFIO_OFFSET_SHIFT)

/* ---- ioctls ---- */

static long wd_vfio_ioctl_info(struct wd_vfio *v, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz) {
		dev_dbg_ratelimited(wd_vfio_dev(v), "GET_INFO: argsz %u < %lu\n",
				    info.argsz, minsz);
		return -EINVAL;
	}
	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long wd_vfio_ioctl_region_info(struct wd_vfio *v, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_REGIONS) {
		dev_dbg_ratelimited(wd_vfio_dev(v),
				    "REGION_INFO: bad argsz %u or index %u\n",
				    info.argsz, info.index);
		return -EINVAL;
	}
	info.offset = WD_VFIO_INDEX_TO_OFFSET(info.index);
	info.cap_offset = 0;
	switch (info.index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info.size = WD_VFIO_CONFIG_SIZE;
		break;
	case VFIO_PCI_BAR0_REGION_INDEX:
		info.size = WD_PCI_BAR0_SIZE;
		break;
	default:
		info.size = 0;	/* other BARs, ROM, VGA: none */
		break;
	}
	info.flags = info.size ? VFIO_REGION_INFO_FLAG_READ |
				 VFIO_REGION_INFO_FLAG_WRITE : 0;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/*
 * Function reset: queues disabled, requests aborted, interrupts clear.
 * The configuration space stays, as vfio-pci restores a real function's
 * around its reset.
 */
static void wd_vfio_reset(struct wd_vfio *v)
{
	wd_vfio_queues_reset(v);
	wd_vfio_irq_reset(v);
}

static long wd_vfio_ioctl(struct vfio_device *vfio_dev, unsigned int cmd,
			  unsigned long arg)
{
	struct wd_vfio *v = to_wd_vfio(vfio_dev);
	void __user *uarg = (void __user *)arg;
	long ret;

	mutex_lock(&v->lock);
	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		ret = wd_vfio_ioctl_info(v, uarg);
		break;
	case VFIO_DEVICE_GET_REGION_INFO:
		ret = wd_vfio_ioctl_region_info(v, uarg);
		break;
	case VFIO_DEVICE_GET_IRQ_INFO:
		ret = wd_vfio_ioctl_irq_info(v, uarg);
		break;
	case VFIO_DEVICE_SET_IRQS:
		ret = wd_vfio_ioctl_set_irqs(v, uarg);
		break;
	case VFIO_DEVICE_RESET:
		wd_vfio_reset(v);
		wd_vfio_mig_reset(v);
		ret = 0;
		break;
	default:
		dev_dbg_ratelimited(wd_vfio_dev(v), "unknown ioctl %#x\n",
				    cmd);
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&v->lock);
	return ret;
}

/* ---- regions ---- */

/*
 * One access of @n bytes at @off of region @index; @val in and out.
 * Configuration space takes 1, 2 and 4 bytes, BAR0 aligned 4 bytes.
 */
static int wd_vfio_access(struct wd_vfio *v, unsigned int index, u64 off,
			  unsigned int n, u32 *val, bool write)
{
	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		if (write)
			wd_vfio_config_write(v, off, n, *val);
		else
			*val = wd_vfio_config_read(v, off, n);
		return 0;
	case VFIO_PCI_BAR0_REGION_INDEX:
		if (n != 4) {
			dev_dbg_ratelimited(wd_vfio_dev(v),
					    "BAR0 %s of %u bytes at %#llx: registers take aligned 32-bit accesses\n",
					    write ? "write" : "read", n, off);
			return -EINVAL;
		}
		if (!wd_vfio_memory_enabled(v)) {
			dev_dbg_ratelimited(wd_vfio_dev(v),
					    "BAR0 access with memory decoding disabled in the command register\n");
			return -EIO;
		}
		if (write && READ_ONCE(v->frozen)) {
			dev_dbg_ratelimited(wd_vfio_dev(v),
					    "BAR0 write at %#llx refused: the function is stopped for migration\n",
					    off);
			return -EBUSY;
		}
		if (write)
			wd_vfio_bar_write(v, off, *val);
		else
			*val = wd_vfio_bar_read(v, off);
		return 0;
	}
	return -EINVAL;
}

static u64 wd_vfio_region_size(unsigned int index)
{
	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		return WD_VFIO_CONFIG_SIZE;
	if (index == VFIO_PCI_BAR0_REGION_INDEX)
		return WD_PCI_BAR0_SIZE;
	return 0;
}

static ssize_t wd_vfio_rw(struct wd_vfio *v, char __user *buf, size_t count,
			  loff_t *ppos, bool write)
{
	unsigned int index = *ppos >> WD_VFIO_OFFSET_SHIFT;
	u64 off = *ppos & WD_VFIO_OFFSET_MASK;
	u64 size = index < VFIO_PCI_NUM_REGIONS ?
		   wd_vfio_region_size(index) : 0;
	size_t done = 0;
	int ret = 0;

	if (*ppos < 0 || off >= size || count > size - off) {
		dev_dbg_ratelimited(wd_vfio_dev(v),
				    "%s of %zu bytes at region %u offset %#llx: outside the region\n",
				    write ? "write" : "read", count, index, off);
		return -EINVAL;
	}

	mutex_lock(&v->lock);
	while (done < count) {
		unsigned int n;
		u32 val = 0;

		/* naturally aligned pieces, as a CPU would issue them */
		if (count - done >= 4 && !(off % 4))
			n = 4;
		else if (count - done >= 2 && !(off % 2))
			n = 2;
		else
			n = 1;
		if (write && copy_from_user(&val, buf + done, n)) {
			ret = -EFAULT;
			break;
		}
		val = le32_to_cpu((__force __le32)val);
		ret = wd_vfio_access(v, index, off, n, &val, write);
		if (ret)
			break;
		if (!write) {
			__le32 le = cpu_to_le32(val);

			if (copy_to_user(buf + done, &le, n)) {
				ret = -EFAULT;
				break;
			}
		}
		done += n;
		off += n;
	}
	mutex_unlock(&v->lock);
	if (!done)
		return ret;
	*ppos += done;
	return done;
}

static ssize_t wd_vfio_read(struct vfio_device *vfio_dev, char __user *buf,
			    size_t count, loff_t *ppos)
{
	return wd_vfio_rw(to_wd_vfio(vfio_dev), buf, count, ppos, false);
}

static ssize_t wd_vfio_write(struct vfio_device *vfio_dev,
			     const char __user *buf, size_t count, loff_t *ppos)
{
	return wd_vfio_rw(to_wd_vfio(vfio_dev), (char __user *)buf, count, ppos,
			  true);
}

/* ---- open, close, request ---- */

static int wd_vfio_open(struct vfio_device *vfio_dev)
{
	struct wd_vfio *v = to_wd_vfio(vfio_dev);
	unsigned long flags;
	int ret;

	wd_vfio_mig_open(v);
	mutex_lock(&v->lock);
	if (v->gone) {
		dev_dbg(wd_vfio_dev(v), "open refused: being removed\n");
		ret = -ENODEV;
		goto out;
	}
	ret = wd_vfio_queues_open(v);
	if (ret)
		goto out;
	wd_vfio_config_init(v);
	spin_lock_irqsave(&v->reg_lock, flags);
	v->bus_master = false;
	v->intx_disabled = false;
	v->nr_unmapped = 0;
	v->open = true;
	spin_unlock_irqrestore(&v->reg_lock, flags);
out:
	mutex_unlock(&v->lock);
	return ret;
}

/* Task work: the task that closed the device has released its files. */
static void wd_vfio_closer_done(struct callback_head *work)
{
	struct wd_vfio *v = container_of(work, struct wd_vfio, closer_work);
	unsigned long flags;

	spin_lock_irqsave(&v->reg_lock, flags);
	v->closer_pending = false;
	wake_up_all(&v->closed_wq);
	spin_unlock_irqrestore(&v->reg_lock, flags);
}

static void wd_vfio_close(struct vfio_device *vfio_dev)
{
	struct wd_vfio *v = to_wd_vfio(vfio_dev);
	unsigned long flags;

	wd_vfio_mig_close(v);
	mutex_lock(&v->lock);
	spin_lock_irqsave(&v->reg_lock, flags);
	v->open = false;
	/*
	 * Files closed together (a VMM that dies) are released from task
	 * work in one batch; work queued now runs after that batch.  A
	 * kernel thread runs no task work (its last fput is delayed).
	 */
	if (!(current->flags & PF_KTHREAD) && !v->closer_pending) {
		init_task_work(&v->closer_work, wd_vfio_closer_done);
		v->closer_pending = !task_work_add(current, &v->closer_work,
						   TWA_RESUME);
	}
	spin_unlock_irqrestore(&v->reg_lock, flags);
	wd_vfio_queues_close(v);
	wd_vfio_irqs_release(v);
	if (atomic_long_read(&v->pinned))
		dev_err(wd_vfio_dev(v), "%ld pages still pinned at close\n",
			atomic_long_read(&v->pinned));
	mutex_unlock(&v->lock);
}

/*
 * The host removes the instance and waits for the VMM to close it: ask
 * the VMM to, and meanwhile let the function do nothing more.
 */
static void wd_vfio_request(struct vfio_device *vfio_dev, unsigned int count)
{
	struct wd_vfio *v = to_wd_vfio(vfio_dev);
	unsigned long flags;
	bool signalled;

	mutex_lock(&v->lock);
	spin_lock_irqsave(&v->reg_lock, flags);
	v->gone = true;
	signalled = wd_vfio_irq_request(v);
	spin_unlock_irqrestore(&v->reg_lock, flags);
	if (!count)
		dev_notice(wd_vfio_dev(v),
			   "removal: %s the VMM to release the device\n",
			   signalled ? "asking" : "cannot ask (no request eventfd), waiting for");
	else
		dev_notice_ratelimited(wd_vfio_dev(v),
				       "removal: still waiting for the VMM (request %u)\n",
				       count);
	/* stops every queue: no DMA, nothing pinned */
	wd_vfio_queues_reset(v);
	mutex_unlock(&v->lock);
}

static int wd_vfio_device_feature(struct vfio_device *vfio_dev, u32 flags,
				  void __user *arg, size_t argsz)
{
	return wd_vfio_mig_feature(to_wd_vfio(vfio_dev), flags, arg, argsz);
}

/* ---- the VFIO device ---- */

static int wd_vfio_init(struct vfio_device *vfio_dev)
{
	struct wd_vfio *v = to_wd_vfio(vfio_dev);
	struct wd_mdev_instance *inst = dev_get_drvdata(vfio_dev->dev);

	v->inst = inst;
	v->accel = wd_mdev_instance_accel(inst);
	v->ops = inst->type->vfio;
	v->nr_queues = inst->type->nr_queues;
	v->nr_msi = roundup_pow_of_two(v->nr_queues);
	v->ops->info(v->accel, &v->info);
	mutex_init(&v->lock);
	spin_lock_init(&v->reg_lock);
	init_waitqueue_head(&v->idle_wq);
	init_waitqueue_head(&v->closed_wq);
	wd_vfio_queues_init(v);
	wd_vfio_config_init(v);
	wd_vfio_mig_init(v);
	wd_mdev_obj_count(WD_MDEV_OBJ_VFIO_DEVICE, 1);
	return 0;
}

static void wd_vfio_release(struct vfio_device *vfio_dev)
{
	struct wd_vfio *v = to_wd_vfio(vfio_dev);

	mutex_destroy(&v->state_mutex);
	mutex_destroy(&v->lock);
	wd_mdev_obj_count(WD_MDEV_OBJ_VFIO_DEVICE, -1);
	vfio_free_device(vfio_dev);
}

static const struct vfio_device_ops wd_vfio_dev_ops = {
	.name = "wd-vfio-pci",
	.init = wd_vfio_init,
	.release = wd_vfio_release,
	.open_device = wd_vfio_open,
	.close_device = wd_vfio_close,
	.read = wd_vfio_read,
	.write = wd_vfio_write,
	.ioctl = wd_vfio_ioctl,
	.device_feature = wd_vfio_device_feature,
	.request = wd_vfio_request,
	.dma_unmap = wd_vfio_dma_unmap,
};

/* ---- the personality ---- */

static bool wd_vfio_info_valid(const struct wd_mdev_vfio_info *info)
{
	return info->sqe_size && info->sqe_size <= WD_MDEV_VFIO_MAX_SQE_SIZE &&
	       info->cqe_size && info->cqe_size <= WD_MDEV_VFIO_MAX_CQE_SIZE &&
	       is_power_of_2(info->max_depth) && info->max_depth >= 2;
}

static bool wd_vfio_released(struct wd_vfio *v)
{
	unsigned long flags;
	bool released;

	spin_lock_irqsave(&v->reg_lock, flags);
	released = !v->open && !v->closer_pending && !v->unmapping;
	spin_unlock_irqrestore(&v->reg_lock, flags);
	return released;
}

/*
 * Removal first waits, asking as vfio_unregister_group_dev() would, until
 * the VMM closed the device and the closing task released its other
 * files.  6.1's vfio_fops_release() reads the container's IOMMU without
 * the container's lock, while vfio_unregister_group_dev(), once the
 * device is closed, detaches the group from its container and frees
 * that IOMMU.  A VMM killed with the device, group and container open
 * releases the container from the same batch of task work as the
 * device, after it: without this wait, a use-after-free in
 * vfio_iommu_type1_notify().  (A live VMM that closes the device and
 * then the container, without VFIO_GROUP_UNSET_CONTAINER in between as
 * QEMU does, still races with removal in the core.)  It also waits for
 * the task work of dma_unmap calls whose ioctl has not returned yet
 * (vfio_dma.c), which runs this module's code.
 */
static void wd_vfio_wait_released(struct wd_vfio *v)
{
	unsigned int count = 0;
	unsigned long flags;

	mutex_lock(&v->lock);	/* an open is done, or sees gone */
	spin_lock_irqsave(&v->reg_lock, flags);
	v->gone = true;
	spin_unlock_irqrestore(&v->reg_lock, flags);
	mutex_unlock(&v->lock);
	while (!wait_event_timeout(v->closed_wq, wd_vfio_released(v),
				   count ? 10 * HZ : 0))
		wd_vfio_request(&v->vfio_dev, count++);
}

static int wd_vfio_create(struct wd_mdev_instance *inst)
{
	struct wd_vfio *v;
	int ret;

	v = vfio_alloc_device(wd_vfio, vfio_dev, mdev_dev(inst->mdev),
			      &wd_vfio_dev_ops);
	if (IS_ERR(v))
		return PTR_ERR(v);
	if (!wd_vfio_info_valid(&v->info)) {
		dev_warn(mdev_dev(inst->mdev),
			 "the driver's ring entry sizes or depth are out of range\n");
		ret = -EINVAL;
		goto err_put;
	}
	ret = vfio_register_emulated_iommu_dev(&v->vfio_dev);
	if (ret)
		goto err_put;
	inst->priv = v;
	ret = wd_vfio_mig_sysfs_add(v);
	if (ret) {
		dev_err(mdev_dev(inst->mdev),
			"cannot add the migration attributes: %d\n", ret);
		goto err_unregister;
	}
	dev_info(mdev_dev(inst->mdev),
		 "vfio-pci function %04x:%04x of %s, %u queue%s\n",
		 WD_PCI_VENDOR_ID, v->info.device, dev_name(&v->accel->dev),
		 v->nr_queues, v->nr_queues == 1 ? "" : "s");
	return 0;

err_unregister:
	/* registered, it may have been opened already: as removal does */
	wd_vfio_wait_released(v);
	vfio_unregister_group_dev(&v->vfio_dev);
	inst->priv = NULL;
err_put:
	vfio_put_device(&v->vfio_dev);
	return ret;
}

static void wd_vfio_destroy(struct wd_mdev_instance *inst)
{
	struct wd_vfio *v = inst->priv;

	wd_vfio_mig_sysfs_del(v);
	wd_vfio_wait_released(v);
	/* nothing left to wait for: the VMM is gone, no new one can open */
	vfio_unregister_group_dev(&v->vfio_dev);
	inst->priv = NULL;
	vfio_put_device(&v->vfio_dev);
}

static bool wd_vfio_type_valid(const struct wd_mdev_type *type)
{
	return type->vfio && type->nr_queues <= WD_PCI_MAX_QUEUES;
}

/* The instances hang off the accelerator's parent (e.g. vzip-vq1). */
static struct device *wd_vfio_parent_dev(struct uacce_device *accel)
{
	return accel->parent;
}

const struct wd_mdev_personality_ops wd_mdev_vfio_pci = {
	.name = "vfio-pci",
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver_name = "wd_vfio_pci",
	.describe_type = wd_vfio_mig_describe_type,
	.parent_dev = wd_vfio_parent_dev,
	.type_valid = wd_vfio_type_valid,
	.create = wd_vfio_create,
	.destroy = wd_vfio_destroy,
};
