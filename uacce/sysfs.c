// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uacce sysfs: the attributes of /sys/class/uacce/<name>-<id>/, in
 * mainline's formats (UADK's libwd parses them), plus region_ss_size and
 * node_id.  Documentation/uacce.rst describes each of them.
 *
 * uacce_remove() deletes the attributes before it lets go of the driver's
 * ops, and not under uacce->mutex, so a show() may use the ops and take
 * the mutex.
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/sysfs.h>

#include "internal.h"

static ssize_t api_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	struct uacce_device *uacce = to_uacce_device(dev);

	return sysfs_emit(buf, "%s\n", uacce->api_ver);
}

static ssize_t flags_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct uacce_device *uacce = to_uacce_device(dev);

	return sysfs_emit(buf, "%u\n", uacce->flags);
}

static ssize_t available_instances_show(struct device *dev,
					struct device_attribute *attr,
					char *buf)
{
	struct uacce_device *uacce = to_uacce_device(dev);
	int n;

	if (!uacce->ops->get_available_instances && !uacce->nr_queues)
		return -ENODEV;

	/* the core's count leaves out the reserved queues (budget.c) */
	n = uacce->ops->get_available_instances ?
	    uacce->ops->get_available_instances(uacce) : INT_MAX;
	if (uacce->nr_queues)
		n = min_t(int, n, uacce_free_queues(uacce));

	return sysfs_emit(buf, "%d\n", n);
}

static ssize_t algorithms_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct uacce_device *uacce = to_uacce_device(dev);

	return sysfs_emit(buf, "%s\n", uacce->algs);
}

static ssize_t uacce_region_size_show(struct device *dev, char *buf,
				      enum uacce_qfrt type)
{
	struct uacce_device *uacce = to_uacce_device(dev);

	return sysfs_emit(buf, "%lu\n", uacce->qf_pg_num[type] << PAGE_SHIFT);
}

static ssize_t region_mmio_size_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return uacce_region_size_show(dev, buf, UACCE_QFRT_MMIO);
}

static ssize_t region_dus_size_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return uacce_region_size_show(dev, buf, UACCE_QFRT_DUS);
}

static ssize_t region_ss_size_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return uacce_region_size_show(dev, buf, UACCE_QFRT_SS);
}

static ssize_t isolate_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct uacce_device *uacce = to_uacce_device(dev);

	return sysfs_emit(buf, "%d\n", uacce_is_isolated(uacce) ?
			  UACCE_DEV_ISOLATE : UACCE_DEV_NORMAL);
}

static ssize_t isolate_strategy_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct uacce_device *uacce = to_uacce_device(dev);

	return sysfs_emit(buf, "%u\n", uacce_isolation_threshold(uacce));
}

static ssize_t isolate_strategy_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t count)
{
	struct uacce_device *uacce = to_uacce_device(dev);
	unsigned int threshold;
	int ret;

	ret = kstrtouint(buf, 0, &threshold);
	if (ret || threshold > UACCE_MAX_ERR_THRESHOLD) {
		dev_dbg(dev, "isolate_strategy: want 0 to %u errors per hour\n",
			UACCE_MAX_ERR_THRESHOLD);
		return -EINVAL;
	}

	ret = uacce_isolation_set_threshold(uacce, threshold);
	return ret ? ret : count;
}

static ssize_t node_id_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", dev_to_node(dev));
}

static DEVICE_ATTR_RO(api);
static DEVICE_ATTR_RO(flags);
static DEVICE_ATTR_RO(available_instances);
static DEVICE_ATTR_RO(algorithms);
static DEVICE_ATTR_RO(region_mmio_size);
static DEVICE_ATTR_RO(region_dus_size);
static DEVICE_ATTR_RO(region_ss_size);
static DEVICE_ATTR_RO(isolate);
static DEVICE_ATTR_RW(isolate_strategy);
static DEVICE_ATTR_RO(node_id);

static struct attribute *uacce_dev_attrs[] = {
	&dev_attr_api.attr,
	&dev_attr_flags.attr,
	&dev_attr_available_instances.attr,
	&dev_attr_algorithms.attr,
	&dev_attr_region_mmio_size.attr,
	&dev_attr_region_dus_size.attr,
	&dev_attr_region_ss_size.attr,
	&dev_attr_isolate.attr,
	&dev_attr_isolate_strategy.attr,
	&dev_attr_node_id.attr,
	NULL,
};

/* A region the device does not have has no size attribute. */
static umode_t uacce_dev_is_visible(struct kobject *kobj,
				    struct attribute *attr, int n)
{
	struct uacce_device *uacce = to_uacce_device(kobj_to_dev(kobj));

	if ((attr == &dev_attr_region_mmio_size.attr &&
	     !uacce->qf_pg_num[UACCE_QFRT_MMIO]) ||
	    (attr == &dev_attr_region_dus_size.attr &&
	     !uacce->qf_pg_num[UACCE_QFRT_DUS]) ||
	    (attr == &dev_attr_region_ss_size.attr &&
	     !uacce->qf_pg_num[UACCE_QFRT_SS]))
		return 0;

	return attr->mode;
}

static const struct attribute_group uacce_dev_group = {
	.is_visible	= uacce_dev_is_visible,
	.attrs		= uacce_dev_attrs,
};

const struct attribute_group *uacce_dev_groups[] = {
	&uacce_dev_group,
	NULL,
};
