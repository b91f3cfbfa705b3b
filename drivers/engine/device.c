// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_engine: the probe and remove of a class's device, and the platform
 * devices of a class's module.
 *
 * Every class's device is the same skeleton: a platform device (so that
 * it can be unbound and bound again at run time, queues in use, like a
 * hot-unplugged card), its engines, its hardware queues (queue.c) and a
 * uacce device whose callbacks are the queues' (wd_hwq_uacce_ops).  The
 * class's geometry, registers and names come from its struct
 * wd_accel_ops and struct wd_accel_config; the geometry's bounds are
 * the class's too (struct wd_accel_limits), checked here.
 */
#include <linux/dma-mapping.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uacce.h>
#include <linux/wd_engine.h>
#include <linux/wd_mdev.h>

#include "internal.h"

/**
 * wd_accel_geometry_check() - check a device's geometry against its class
 * @lim: the class's bounds
 * @geo: the geometry: module parameters, or a test's platform data
 *
 * Return: 0, or -EINVAL after logging what is wrong, prefixed with the
 * class's name.
 */
int wd_accel_geometry_check(const struct wd_accel_limits *lim,
			    const struct wd_accel_geometry *geo)
{
	if (!geo->nr_queues || geo->nr_queues > lim->queues_max) {
		pr_err("%s: queues must be 1-%u\n", lim->name,
		       lim->queues_max);
		return -EINVAL;
	}
	if (!geo->nr_engines || geo->nr_engines > lim->engines_max) {
		pr_err("%s: engines must be 1-%u\n", lim->name,
		       lim->engines_max);
		return -EINVAL;
	}
	if (!is_power_of_2(geo->ring_depth) ||
	    geo->ring_depth < lim->ring_depth_min ||
	    geo->ring_depth > lim->ring_depth_max) {
		pr_err("%s: ring_depth must be a power of two, %u-%u\n",
		       lim->name, lim->ring_depth_min, lim->ring_depth_max);
		return -EINVAL;
	}
	if (geo->max_len < PAGE_SIZE || geo->max_len > lim->max_len_limit) {
		pr_err("%s: max_len must be %lu-%u\n", lim->name, PAGE_SIZE,
		       lim->max_len_limit);
		return -EINVAL;
	}
	if (!geo->sva && (!geo->ss_size || !PAGE_ALIGNED(geo->ss_size) ||
			  geo->ss_size > lim->max_len_limit)) {
		pr_err("%s: ss_size must be whole pages, at most %u bytes\n",
		       lim->name, lim->max_len_limit);
		return -EINVAL;
	}
	if (geo->idle_us > lim->idle_us_max) {
		pr_err("%s: idle_us must be at most %u\n", lim->name,
		       lim->idle_us_max);
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(wd_accel_geometry_check);

/**
 * wd_accel_probe() - set up and register the framework's part of a device
 * @a: the device's part, zeroed
 * @dev: the class's (platform) device
 * @ops: the class's part
 * @cfg: the device's geometry, checked by the class
 *
 * Sets the DMA mask (uacce allocates the SS region with
 * dma_alloc_coherent()), sets up the engines, allocates the uacce device
 * (with SVA if @cfg asks and uacce grants it: else the SS region, with a
 * warning), creates the hardware queues, starts the engines and registers
 * the uacce device, whose priv is @a.
 *
 * Return: 0, or a negative errno with nothing left behind.
 */
int wd_accel_probe(struct wd_accel *a, struct device *dev,
		   const struct wd_accel_ops *ops,
		   const struct wd_accel_config *cfg)
{
	struct uacce_interface interface = {
		/* the engine works in the opener's address space (dma.c) */
		.caps = UACCE_CAP_OWN_TRANSLATION,
		.ops = &wd_hwq_uacce_ops,
	};
	struct uacce_device *uacce;
	int ret;

	a->ops = ops;
	a->caps = cfg->caps;
	a->nr_queues = cfg->nr_queues;
	a->ring_depth = cfg->ring_depth;
	a->ctx_size = cfg->ctx_size;
	strscpy(interface.name, ops->name, sizeof(interface.name));

	/* the SS region is allocated by uacce with dma_alloc_coherent() */
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret) {
		dev_err(dev, "cannot set the DMA mask: %d\n", ret);
		return ret;
	}
	mutex_init(&a->alloc_lock);
	wd_engine_dev_init(&a->eng, dev, ops->engine_ops, dev_to_node(dev),
			   cfg->nr_engines, cfg->idle_us);

	if (cfg->sva)
		interface.flags |= UACCE_DEV_SVA;
	uacce = uacce_alloc(dev, &interface);
	if (IS_ERR(uacce)) {
		dev_err(dev, "cannot allocate the uacce device: %pe\n", uacce);
		mutex_destroy(&a->alloc_lock);
		return PTR_ERR(uacce);
	}
	a->uacce = uacce;
	if (uacce->flags & UACCE_DEV_SVA) {
		a->sva = true;
		a->caps |= ops->cap_sva;
	} else if (cfg->sva) {
		dev_warn(dev, "uacce refused SVA: using the SS region\n");
	}

	ret = wd_hwqs_create(a);
	if (ret)
		goto err;
	ret = wd_engines_start(&a->eng);
	if (ret)
		goto err;

	uacce->algs = cfg->algs;
	uacce->api_ver = ops->api_ver;
	uacce->priv = a;
	uacce->qf_pg_num[UACCE_QFRT_MMIO] = 1;
	uacce->qf_pg_num[UACCE_QFRT_DUS] =
		wd_ring_dus_size(a->ring_depth, ops->engine_ops->sqe_size,
				 ops->engine_ops->cqe_size) >> PAGE_SHIFT;
	if (!a->sva)
		uacce->qf_pg_num[UACCE_QFRT_SS] = cfg->ss_size >> PAGE_SHIFT;
	/* the core counts the queues, shared with the mdev instances */
	uacce->nr_queues = a->nr_queues;
	wd_mdev_set_types(uacce, ops->mdev_types);
	ret = uacce_register(uacce);
	if (ret) {
		dev_err(dev, "cannot register with uacce: %d\n", ret);
		goto err;
	}
	return 0;

err:
	uacce_remove(uacce);
	wd_engines_stop(&a->eng);
	wd_hwqs_destroy(a);
	mutex_destroy(&a->alloc_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(wd_accel_probe);

/**
 * wd_accel_remove() - undo wd_accel_probe()
 * @a: the device's part
 *
 * uacce_remove() stops every queue first: no request is in flight and no
 * page pinned when the engines stop and the queues are freed.
 */
void wd_accel_remove(struct wd_accel *a)
{
	uacce_remove(a->uacce);
	wd_engines_stop(&a->eng);
	wd_hwqs_destroy(a);
	mutex_destroy(&a->alloc_lock);
}
EXPORT_SYMBOL_GPL(wd_accel_remove);

/**
 * wd_accel_pdev_add() - create a platform device of a class
 * @name: the class's driver name
 * @id: its id, or PLATFORM_DEVID_AUTO
 * @data: its platform data (a geometry), copied, or NULL
 * @size: bytes of @data
 * @node: its NUMA node, or NUMA_NO_NODE
 *
 * The device is probed at once if the class's driver is registered; it is
 * bound (drvdata set) only if the probe succeeded.
 *
 * Return: the platform device, or an ERR_PTR.
 */
struct platform_device *wd_accel_pdev_add(const char *name, int id,
					  const void *data, size_t size,
					  int node)
{
	struct platform_device *pdev;
	int ret;

	pdev = platform_device_alloc(name, id);
	if (!pdev)
		return ERR_PTR(-ENOMEM);
	ret = data ? platform_device_add_data(pdev, data, size) : 0;
	if (!ret) {
		set_dev_node(&pdev->dev, node);
		ret = platform_device_add(pdev);
	}
	if (ret) {
		platform_device_put(pdev);
		return ERR_PTR(ret);
	}
	return pdev;
}
EXPORT_SYMBOL_GPL(wd_accel_pdev_add);

/* Device i goes to the i-th node with memory, round-robin. */
static int wd_accel_node(unsigned int i)
{
	unsigned int n = i % num_node_state(N_MEMORY);
	int node;

	for_each_node_state(node, N_MEMORY)
		if (!n--)
			return node;
	return NUMA_NO_NODE;
}

/**
 * wd_accel_pdevs_add() - create the platform devices of a class's module
 * @p: where to keep them, zeroed
 * @name: the class's driver name, registered
 * @nr: how many: devices <name>.0 to <name>.<nr - 1>, round-robin on the
 *	nodes with memory, with the module's geometry (no platform data)
 *
 * Return: 0, or a negative errno, logged, with none left.
 */
int wd_accel_pdevs_add(struct wd_accel_pdevs *p, const char *name,
		       unsigned int nr)
{
	unsigned int i;
	int ret;

	p->pdevs = kcalloc(nr, sizeof(*p->pdevs), GFP_KERNEL);
	if (nr && !p->pdevs)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		struct platform_device *pdev;

		pdev = wd_accel_pdev_add(name, i, NULL, 0, wd_accel_node(i));
		if (IS_ERR(pdev)) {
			ret = PTR_ERR(pdev);
			pr_err("%s: cannot create device %u: %d\n", name, i,
			       ret);
			wd_accel_pdevs_del(p);
			return ret;
		}
		p->pdevs[p->nr++] = pdev;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(wd_accel_pdevs_add);

/**
 * wd_accel_pdevs_del() - remove the devices wd_accel_pdevs_add() created
 * @p: them
 */
void wd_accel_pdevs_del(struct wd_accel_pdevs *p)
{
	while (p->nr)
		platform_device_unregister(p->pdevs[--p->nr]);
	kfree(p->pdevs);
	p->pdevs = NULL;
}
EXPORT_SYMBOL_GPL(wd_accel_pdevs_del);
