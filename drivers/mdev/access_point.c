// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_mdev access points: an instance that is a uacce device of its own,
 * /dev/<accelerator's name>-mdev-<id>, speaking the accelerator's protocol
 * (same api, algorithms, regions and flags), so that libwarpdrive and
 * UADK use it unchanged.
 *
 * The WarpDrive RFC of 2018 made an mdev an access point that a thousand
 * processes open, each getting a hardware queue at open; the VFIO
 * maintainer wanted resources reserved when an instance is created.  Both
 * hold here: the instance's queues are reserved at creation (core.c), and
 * each open takes one of them, lazily, for any number of processes in
 * turn, within the quota the uacce core enforces (nr_queues).
 *
 * The queues are the accelerator's: an open asks its driver's get_queue
 * for one, and every other callback of the queue is the driver's own,
 * with the queue as usual (q->priv, and q->uacce->priv is the
 * accelerator's priv).  The queue shares the accelerator's DMA context:
 * SS memory comes from, and IOMMU SVA binds to, the accelerator's DMA
 * device.  Removing the instance revokes its queues exactly as removing
 * a uacce device does: mappings zapped, queues stopped and put.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "internal.h"

/**
 * struct wd_ap - an access point
 * @uacce: its uacce device
 * @accel: the accelerator it is carved out of
 * @ops: the accelerator's ops, but with the instance's get_queue and no
 *	available-instances callback (the core counts the quota)
 */
struct wd_ap {
	struct uacce_device *uacce;
	struct uacce_device *accel;
	struct uacce_ops ops;
};

static struct wd_ap *to_wd_ap(struct uacce_device *uacce)
{
	return container_of(uacce->ops, struct wd_ap, ops);
}

/*
 * A queue of the accelerator for an open of the instance.  The uacce core
 * has counted it against the instance's quota, and the accelerator's free
 * queues exclude the reservation, so the driver has one.
 */
static int wd_ap_get_queue(struct uacce_device *uacce, unsigned long arg,
			   struct uacce_queue *q)
{
	struct uacce_device *accel = to_wd_ap(uacce)->accel;

	if (uacce_is_isolated(accel)) {
		dev_warn_ratelimited(&uacce->dev,
				     "open refused: %s is isolated after hardware errors\n",
				     dev_name(&accel->dev));
		return -EIO;
	}
	if (!accel->ops->get_queue)
		return 0;
	return accel->ops->get_queue(accel, arg, q);
}

/* "vzip-0" -> "vzip-mdev": the accelerator's name without its id. */
static int wd_ap_name(struct uacce_device *accel, char *name, size_t size)
{
	const char *accel_name = dev_name(&accel->dev);
	const char *dash = strrchr(accel_name, '-');
	int len = dash ? dash - accel_name : strlen(accel_name);

	if (snprintf(name, size, "%.*s-mdev", len, accel_name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int wd_ap_create(struct wd_mdev_instance *inst)
{
	struct uacce_device *accel = wd_mdev_instance_accel(inst);
	struct uacce_interface iface = {
		.flags = accel->flags,
		.caps = accel->caps,
		.dma_dev = accel->dma_dev,
		.isolation_parent = accel,
	};
	struct uacce_device *uacce;
	struct wd_ap *ap;
	int ret;

	ret = wd_ap_name(accel, iface.name, sizeof(iface.name));
	if (ret)
		return ret;
	ap = kzalloc(sizeof(*ap), GFP_KERNEL);
	if (!ap)
		return -ENOMEM;
	ap->accel = accel;
	ap->ops = *accel->ops;
	ap->ops.get_available_instances = NULL;
	ap->ops.get_queue = wd_ap_get_queue;
	ap->ops.isolate_changed = NULL;
	iface.ops = &ap->ops;

	uacce = uacce_alloc(mdev_dev(inst->mdev), &iface);
	if (IS_ERR(uacce)) {
		ret = PTR_ERR(uacce);
		goto err_free;
	}
	uacce->algs = accel->algs;
	uacce->api_ver = accel->api_ver;
	memcpy(uacce->qf_pg_num, accel->qf_pg_num, sizeof(uacce->qf_pg_num));
	uacce->is_vf = accel->is_vf;
	uacce->priv = accel->priv;
	uacce->nr_queues = inst->type->nr_queues;
	/* its processes' queues are one tenant: the instance */
	uacce->tenant = &inst->tenant;
	ap->uacce = uacce;
	inst->priv = ap;

	ret = uacce_register(uacce);
	if (ret)
		goto err_remove;

	dev_info(mdev_dev(inst->mdev), "%s: access point to %s, %u queue%s\n",
		 dev_name(&uacce->dev), dev_name(&accel->dev),
		 uacce->nr_queues, uacce->nr_queues == 1 ? "" : "s");
	return 0;

err_remove:
	inst->priv = NULL;
	uacce_remove(uacce);
err_free:
	kfree(ap);
	return ret;
}

static void wd_ap_destroy(struct wd_mdev_instance *inst)
{
	struct wd_ap *ap = inst->priv;

	/* revokes the open queues; no callback of ours runs after it */
	uacce_remove(ap->uacce);
	inst->priv = NULL;
	kfree(ap);
}

/* The instances hang off the accelerator's uacce device. */
static struct device *wd_ap_parent_dev(struct uacce_device *accel)
{
	return &accel->dev;
}

/* ---- access_point/ attributes of the mdev device ---- */

static struct wd_ap *wd_ap_of(struct device *dev)
{
	struct wd_mdev_instance *inst = dev_get_drvdata(dev);

	return inst->priv;
}

static ssize_t name_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", dev_name(&wd_ap_of(dev)->uacce->dev));
}

static ssize_t queues_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n", wd_ap_of(dev)->uacce->nr_queues);
}

static ssize_t queues_in_use_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct uacce_device *uacce = wd_ap_of(dev)->uacce;

	return sysfs_emit(buf, "%u\n",
			  uacce->nr_queues - uacce_free_queues(uacce));
}

/*
 * The node of the mdev device (the accelerator's, inherited when mdev
 * registered it), as PCI and platform devices show theirs: user space
 * reads an accelerator's node as the uacce device's device/numa_node, and
 * UADK's libwd ignores a device without one.  -1 for none.
 */
static ssize_t numa_node_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", dev_to_node(dev));
}

static DEVICE_ATTR_RO(name);
static DEVICE_ATTR_RO(queues);
static DEVICE_ATTR_RO(queues_in_use);
static DEVICE_ATTR_RO(numa_node);

static struct attribute *wd_ap_attrs[] = {
	&dev_attr_name.attr,
	&dev_attr_queues.attr,
	&dev_attr_queues_in_use.attr,
	NULL,
};

static const struct attribute_group wd_ap_group = {
	.name = "access_point",
	.attrs = wd_ap_attrs,
};

static struct attribute *wd_ap_dev_attrs[] = {
	&dev_attr_numa_node.attr,
	NULL,
};

static const struct attribute_group wd_ap_dev_group = {
	.attrs = wd_ap_dev_attrs,
};

static const struct attribute_group *wd_ap_groups[] = {
	&wd_ap_group,
	&wd_ap_dev_group,
	NULL,
};

const struct wd_mdev_personality_ops wd_mdev_access_point = {
	.name = "access point",
	.device_api = "uacce",
	.driver_name = "wd_access_point",
	.dev_groups = wd_ap_groups,
	.parent_dev = wd_ap_parent_dev,
	.create = wd_ap_create,
	.destroy = wd_ap_destroy,
};
