// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uacce devices: the class, the char device numbers, and the
 * alloc / register / remove API that accelerator drivers call.
 *
 * A device lives as long as the driver's reference (dropped by
 * uacce_remove()) or an open queue's reference, whichever is last; the
 * driver's ops and parent are only used until uacce_remove() returns.
 */
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

static struct class *uacce_class;
static dev_t uacce_devt;

static void uacce_release(struct device *dev)
{
	struct uacce_device *uacce = to_uacce_device(dev);

	uacce_isolation_free(uacce);
	kfree(uacce);
	uacce_obj_count(UACCE_OBJ_DEVICE, -1);
}

static bool uacce_name_valid(const char *name)
{
	size_t len = strnlen(name, UACCE_MAX_NAME_SIZE);

	return len && len < UACCE_MAX_NAME_SIZE && !strchr(name, '/');
}

/*
 * SVA is negotiated: a device that translates addresses itself
 * (UACCE_CAP_OWN_TRANSLATION) always has it, others only if the IOMMU
 * can do it.
 */
static void uacce_enable_sva(struct uacce_device *uacce)
{
	struct device *parent = uacce->dma_dev;
	int ret;

	if (!(uacce->flags & UACCE_DEV_SVA) ||
	    (uacce->caps & UACCE_CAP_OWN_TRANSLATION))
		return;
	/* negotiated by the owner of the DMA device we share */
	if (uacce->dma_dev != uacce->parent)
		return;

	uacce->flags &= ~UACCE_DEV_SVA;
	ret = iommu_dev_enable_feature(parent, IOMMU_DEV_FEAT_IOPF);
	if (ret) {
		dev_info(parent, "uacce: no IOMMU page faults (%pe): SVA off\n",
			 ERR_PTR(ret));
		return;
	}
	ret = iommu_dev_enable_feature(parent, IOMMU_DEV_FEAT_SVA);
	if (ret) {
		dev_info(parent, "uacce: no IOMMU SVA (%pe): SVA off\n",
			 ERR_PTR(ret));
		iommu_dev_disable_feature(parent, IOMMU_DEV_FEAT_IOPF);
		return;
	}
	uacce->flags |= UACCE_DEV_SVA;
	uacce->iommu_sva = true;
}

static void uacce_disable_sva(struct uacce_device *uacce)
{
	if (!uacce->iommu_sva)
		return;
	iommu_dev_disable_feature(uacce->dma_dev, IOMMU_DEV_FEAT_SVA);
	iommu_dev_disable_feature(uacce->dma_dev, IOMMU_DEV_FEAT_IOPF);
	uacce->iommu_sva = false;
}

/**
 * uacce_alloc() - allocate an accelerator
 * @parent: the device doing the work (DMA, IOMMU, NUMA node), unless the
 *	interface names a dma_dev
 * @interface: name, wanted flags and callbacks
 *
 * The driver then fills in algs, api_ver, qf_pg_num[] and priv, and calls
 * uacce_register().  After a successful uacce_alloc(), uacce_remove() must
 * be called exactly once, whether or not uacce_register() succeeded.
 *
 * Return: the device, whose flags are the negotiated ones (UACCE_DEV_SVA
 * is cleared when it cannot be had), or an ERR_PTR: -EINVAL for a missing
 * parent, ops or a bad name, an unknown capability, or bind_mm/unbind_mm
 * without UACCE_CAP_OWN_TRANSLATION, -ENOMEM, -EBUSY when device numbers
 * run out.
 */
struct uacce_device *uacce_alloc(struct device *parent,
				 struct uacce_interface *interface)
{
	struct uacce_device *uacce;
	struct device *dma_dev;
	int node, ret;

	if (!parent || !interface || !interface->ops) {
		pr_err("uacce: alloc needs a parent, an interface and ops\n");
		return ERR_PTR(-EINVAL);
	}
	if (!uacce_name_valid(interface->name)) {
		dev_err(parent, "uacce: invalid device name \"%.*s\"\n",
			UACCE_MAX_NAME_SIZE, interface->name);
		return ERR_PTR(-EINVAL);
	}
	if (interface->caps & ~UACCE_CAP_ALL) {
		dev_err(parent, "uacce: unknown capabilities %#lx\n",
			interface->caps & ~UACCE_CAP_ALL);
		return ERR_PTR(-EINVAL);
	}
	/* the core would call them only for a device that translates */
	if ((interface->ops->bind_mm || interface->ops->unbind_mm) &&
	    !(interface->caps & UACCE_CAP_OWN_TRANSLATION)) {
		dev_err(parent, "uacce: bind_mm/unbind_mm without UACCE_CAP_OWN_TRANSLATION\n");
		return ERR_PTR(-EINVAL);
	}

	ret = uacce_ioctls_valid(parent, interface->ops);
	if (ret)
		return ERR_PTR(ret);

	dma_dev = interface->dma_dev ?: parent;
	node = dev_to_node(dma_dev);
	uacce = kzalloc_node(sizeof(*uacce), GFP_KERNEL, node);
	if (!uacce)
		return ERR_PTR(-ENOMEM);
	uacce_obj_count(UACCE_OBJ_DEVICE, 1);

	uacce->parent = parent;
	uacce->dma_dev = dma_dev;
	uacce->ops = interface->ops;
	uacce->flags = interface->flags;
	uacce->caps = interface->caps;
	mutex_init(&uacce->mutex);
	INIT_LIST_HEAD(&uacce->queues);
	INIT_LIST_HEAD(&uacce->ext_node);

	ret = uacce_isolation_init(uacce);
	if (ret) {
		uacce_release(&uacce->dev);
		return ERR_PTR(ret);
	}

	/* From here on, put_device() frees everything (uacce_release()). */
	device_initialize(&uacce->dev);
	uacce->dev.class = uacce_class;
	uacce->dev.groups = uacce_dev_groups;
	uacce->dev.parent = parent;
	uacce->dev.release = uacce_release;
	set_dev_node(&uacce->dev, node);

	ret = uacce_minor_alloc(uacce, MINORMASK - 1);
	if (ret) {
		dev_err(parent, "uacce: no device number: %pe\n", ERR_PTR(ret));
		goto err_put;
	}
	uacce->dev.devt = MKDEV(MAJOR(uacce_devt), uacce->dev_id);

	ret = dev_set_name(&uacce->dev, "%s-%u", interface->name,
			   uacce->dev_id);
	if (ret)
		goto err_erase;

	uacce_enable_sva(uacce);
	if (interface->isolation_parent)
		uacce_isolation_link(uacce, interface->isolation_parent);
	return uacce;

err_erase:
	uacce_minor_free(uacce);
err_put:
	put_device(&uacce->dev);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(uacce_alloc);

/**
 * uacce_register() - make the accelerator visible to user space
 * @uacce: a device from uacce_alloc(), with algs and api_ver filled in
 *
 * Creates /dev/<name>-<id> and /sys/class/uacce/<name>-<id>/.  On failure
 * nothing is left registered; the driver still calls uacce_remove().
 *
 * Return: 0, -EINVAL for a missing api_ver or algs, or an SS region on a
 * parent without a coherent DMA mask, -EBUSY if already registered, or the
 * error of the char device or device registration.
 */
int uacce_register(struct uacce_device *uacce)
{
	struct cdev *cdev;
	int ret;

	if (!uacce)
		return -EINVAL;
	if (!uacce->api_ver || !uacce->algs) {
		dev_err(uacce->parent, "uacce: register %s without api_ver or algs\n",
			dev_name(&uacce->dev));
		return -EINVAL;
	}
	if (uacce->qf_pg_num[UACCE_QFRT_SS] &&
	    !uacce->dma_dev->coherent_dma_mask) {
		dev_err(uacce->parent, "uacce: %s has an SS region but no coherent DMA mask\n",
			dev_name(&uacce->dev));
		return -EINVAL;
	}
	if (uacce->cdev) {
		dev_err(uacce->parent, "uacce: %s is already registered\n",
			dev_name(&uacce->dev));
		return -EBUSY;
	}

	/* before open() can find the device */
	atomic_set(&uacce->free_queues, uacce->nr_queues);

	cdev = cdev_alloc();
	if (!cdev)
		return -ENOMEM;
	cdev->ops = &uacce_fops;
	cdev->owner = THIS_MODULE;

	/*
	 * The cdev is not given the device as parent (cdev_device_add() would
	 * do that): queues hold their own device reference, and a cdev whose
	 * cdev_add() failed could not be put without dropping a parent
	 * reference it never took.
	 */
	ret = cdev_add(cdev, uacce->dev.devt, 1);
	if (ret) {
		kobject_put(&cdev->kobj);
		goto err;
	}

	/*
	 * Publish before device_add() creates the node: open() needs the
	 * device published by its minor, and checks uacce->cdev against the
	 * inode's.
	 */
	mutex_lock(&uacce->mutex);
	uacce->cdev = cdev;
	mutex_unlock(&uacce->mutex);
	uacce_minor_publish(uacce);

	ret = device_add(&uacce->dev);
	if (ret) {
		/* open() now fails; uacce_remove() frees the id */
		mutex_lock(&uacce->mutex);
		uacce->cdev = NULL;
		mutex_unlock(&uacce->mutex);
		cdev_del(cdev);
		goto err;
	}
	uacce_extension_offer(uacce);
	return 0;

err:
	dev_err(uacce->parent, "uacce: cannot register %s: %pe\n",
		dev_name(&uacce->dev), ERR_PTR(ret));
	return ret;
}
EXPORT_SYMBOL_GPL(uacce_register);

/**
 * uacce_remove() - remove the accelerator
 * @uacce: the device, or NULL
 *
 * Detaches the device from the extension that extends it, if any (see
 * struct uacce_extension), deletes the char device and the sysfs
 * directory, then revokes every open queue: publishes
 * UACCE_QSTATE_DEAD/UACCE_QREASON_REMOVED in its status word, zaps its
 * user mappings, stops and frees it with the driver's ops.
 * Later calls on the queue's file fail with -ENXIO, poll() reports
 * EPOLLERR | EPOLLHUP.  When it returns, the driver's ops, parent and
 * queue memory are no longer used: the parent may stop DMA (it must have
 * stopped it for the queues by their stop_queue) and the driver module may
 * be unloaded, even while files are still open.
 *
 * Context: process context; sleeps.  The caller must not hold locks its
 * ops take.
 */
void uacce_remove(struct uacce_device *uacce)
{
	struct uacce_queue *q, *next;

	if (!uacce)
		return;

	/* The extension lets go first, while the device is intact. */
	uacce_extension_withdraw(uacce);
	/*
	 * No new open() finds the device, but its id stays reserved until
	 * the char device is deleted below.
	 */
	uacce_minor_withdraw(uacce);
	uacce_isolation_shutdown(uacce);
	/*
	 * Not under uacce->mutex: deleting the sysfs files waits for their
	 * show() and store() calls in progress, which may then take it.
	 */
	if (uacce->cdev)
		cdev_device_del(uacce->cdev, &uacce->dev);
	/*
	 * Only now may the id, and with it the device number, go to a new
	 * device.  Freed earlier, a device registered meanwhile (a device an
	 * extension creates while another is removed) maps a second cdev at
	 * the same number; cdev_del() unmaps the first one it finds there,
	 * the new device's, and frees ours still mapped: the next open() of
	 * the number used it after free (KASAN in cdev_get(), found by
	 * sysfs_fuzz_test).
	 */
	uacce_minor_free(uacce);

	mutex_lock(&uacce->mutex);
	/*
	 * The queues opened through one device node share its mapping, and
	 * the zap of the first one removed takes every queue's mappings: all
	 * say DEAD/REMOVED before it (uacce_queue_set_status() keeps DEAD).
	 */
	list_for_each_entry(q, &uacce->queues, list)
		uacce_queue_set_status(q, UACCE_QSTATE_DEAD,
				       UACCE_QREASON_REMOVED);
	list_for_each_entry_safe(q, next, &uacce->queues, list) {
		uacce_queue_remove(q);
		list_del_init(&q->list);
	}
	uacce_disable_sva(uacce);
	uacce->cdev = NULL;
	/* open() and the queues' files check these under uacce->mutex */
	uacce->ops = NULL;
	uacce->parent = NULL;
	uacce->dma_dev = NULL;
	mutex_unlock(&uacce->mutex);

	put_device(&uacce->dev);
}
EXPORT_SYMBOL_GPL(uacce_remove);

static int __init uacce_init(void)
{
	int ret;

	uacce_class = class_create(THIS_MODULE, UACCE_NAME);
	if (IS_ERR(uacce_class))
		return PTR_ERR(uacce_class);

	ret = alloc_chrdev_region(&uacce_devt, 0, MINORMASK, UACCE_NAME);
	if (ret)
		class_destroy(uacce_class);

	return ret;
}

static void __exit uacce_exit(void)
{
	unregister_chrdev_region(uacce_devt, MINORMASK);
	class_destroy(uacce_class);
}

subsys_initcall(uacce_init);
module_exit(uacce_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("WarpDrive uacce: user-space accelerator queues");
