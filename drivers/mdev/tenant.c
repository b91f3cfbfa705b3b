// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_mdev: an instance as a tenant of its accelerator.  Every instance,
 * of either personality, is one tenant (struct uacce_tenant) of the
 * driver's scheduler: the queues of its processes (an access point) or of
 * its VM (a vfio-pci function) share its weight and its engine time.
 *
 *	weight		RW its share of the engine time relative to the
 *			other tenants' (UACCE_WEIGHT_MIN..MAX, default
 *			UACCE_WEIGHT_DEFAULT, which every queue opened on
 *			the accelerator itself has); mdevctl sets it as an
 *			attribute of the instance
 *	engine_ns	RO engine time the scheduler charged to it, in ns
 */
#include <linux/kernel.h>
#include <linux/sysfs.h>

#include "internal.h"

static struct uacce_tenant *wd_mdev_tenant(struct device *dev)
{
	struct wd_mdev_instance *inst = dev_get_drvdata(dev);

	return &inst->tenant;
}

static ssize_t weight_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(wd_mdev_tenant(dev)->weight));
}

static ssize_t weight_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	unsigned int weight;

	if (kstrtouint(buf, 10, &weight) || weight < UACCE_WEIGHT_MIN ||
	    weight > UACCE_WEIGHT_MAX) {
		dev_dbg_ratelimited(dev,
				    "weight refused: not an integer from %u to %u\n",
				    UACCE_WEIGHT_MIN, UACCE_WEIGHT_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(wd_mdev_tenant(dev)->weight, weight);
	return count;
}

static ssize_t engine_ns_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&wd_mdev_tenant(dev)->engine_ns));
}

static DEVICE_ATTR_RW(weight);
static DEVICE_ATTR_RO(engine_ns);

static struct attribute *wd_mdev_tenant_attrs[] = {
	&dev_attr_weight.attr,
	&dev_attr_engine_ns.attr,
	NULL,
};

const struct attribute_group wd_mdev_tenant_group = {
	.attrs = wd_mdev_tenant_attrs,
};
