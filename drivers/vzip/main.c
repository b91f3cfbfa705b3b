// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzip: the WarpDrive reference compression accelerator.
 *
 * Devices live on the platform bus (vzip.N), so that they can be unbound
 * and bound again at run time, queues in use, like a hot-unplugged card.
 * Each registers with uacce as /dev/vzip-<id>.  Documentation/vzip.rst is
 * the hardware specification.
 */
#include <kunit/visibility.h>
#include <linux/cpumask.h>
#include <linux/dma-mapping.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uacce.h>
#include <linux/wd_engine.h>
#include <linux/wd_mdev.h>

#include "vzip.h"

#define VZIP_DEVICES_MAX	16
#define VZIP_QUEUES_MAX		1024
#define VZIP_ENGINES_MAX	64
#define VZIP_IDLE_US_MAX	1000000

static unsigned int devices = 1;
module_param(devices, uint, 0444);
MODULE_PARM_DESC(devices, "vzip devices to create (0-16, default 1)");

static unsigned int queues = 64;
module_param(queues, uint, 0444);
MODULE_PARM_DESC(queues, "hardware queues per device (1-1024, default 64)");

static unsigned int engines;
module_param(engines, uint, 0444);
MODULE_PARM_DESC(engines, "engines per device (1-64, default 0: one per online CPU)");

static unsigned int ring_depth = 256;
module_param(ring_depth, uint, 0444);
MODULE_PARM_DESC(ring_depth, "entries per ring, a power of two (2-4096, default 256)");

static bool sva = true;
module_param(sva, bool, 0444);
MODULE_PARM_DESC(sva, "descriptors carry process virtual addresses (default true); else DMA addresses in the SS region");

static unsigned int ss_size = SZ_1M;
module_param(ss_size, uint, 0444);
MODULE_PARM_DESC(ss_size, "bytes of the SS region of a queue when sva=0 (pages, default 1 MiB)");

static unsigned int max_len = SZ_4M;
module_param(max_len, uint, 0444);
MODULE_PARM_DESC(max_len, "largest source or destination of a request (4 KiB-64 MiB, default 4 MiB)");

static unsigned int idle_us = 1000;
module_param(idle_us, uint, 0444);
MODULE_PARM_DESC(idle_us, "microseconds an idle engine polls before it sleeps (default 1000)");

/*
 * Instances an admin can carve a device into with mdevctl, while wd_mdev
 * is loaded (Documentation/mdev.rst): access points of 1, 4 and 16 queues,
 * and PCI functions of 1, 2 and 4 queues for VMs (vzip-vq1 ...).
 */
static const struct wd_mdev_type vzip_mdev_types[] = {
	{ .name = "ap1", .personality = WD_MDEV_ACCESS_POINT, .nr_queues = 1 },
	{ .name = "ap4", .personality = WD_MDEV_ACCESS_POINT, .nr_queues = 4 },
	{ .name = "ap16", .personality = WD_MDEV_ACCESS_POINT, .nr_queues = 16 },
	{ .name = "vq1", .personality = WD_MDEV_VFIO_PCI, .nr_queues = 1,
	  .vfio = &vzip_vfio_ops },
	{ .name = "vq2", .personality = WD_MDEV_VFIO_PCI, .nr_queues = 2,
	  .vfio = &vzip_vfio_ops },
	{ .name = "vq4", .personality = WD_MDEV_VFIO_PCI, .nr_queues = 4,
	  .vfio = &vzip_vfio_ops },
};

static const struct wd_mdev_type_table vzip_mdev_table = {
	.types = vzip_mdev_types,
	.nr_types = ARRAY_SIZE(vzip_mdev_types),
};

/* The devices module init created, for module exit; not touched between. */
static struct platform_device **vzip_pdevs;
static unsigned int vzip_nr_pdevs;

static void vzip_config_from_params(struct vzip_config *cfg)
{
	cfg->nr_queues = queues;
	cfg->nr_engines = engines ?: min(num_online_cpus(), VZIP_ENGINES_MAX);
	cfg->ring_depth = ring_depth;
	cfg->max_len = max_len;
	cfg->ss_size = ss_size;
	cfg->idle_us = idle_us;
	cfg->sva = sva;
}

/**
 * vzip_config_check() - check a device geometry
 * @cfg: the geometry
 *
 * Return: 0, or -EINVAL after logging what is wrong.
 */
int vzip_config_check(const struct vzip_config *cfg)
{
	if (!cfg->nr_queues || cfg->nr_queues > VZIP_QUEUES_MAX) {
		pr_err("vzip: queues must be 1-%u\n", VZIP_QUEUES_MAX);
		return -EINVAL;
	}
	if (!cfg->nr_engines || cfg->nr_engines > VZIP_ENGINES_MAX) {
		pr_err("vzip: engines must be 1-%u\n", VZIP_ENGINES_MAX);
		return -EINVAL;
	}
	if (!is_power_of_2(cfg->ring_depth) ||
	    cfg->ring_depth < VZIP_RING_DEPTH_MIN ||
	    cfg->ring_depth > VZIP_RING_DEPTH_MAX) {
		pr_err("vzip: ring_depth must be a power of two, %u-%u\n",
		       VZIP_RING_DEPTH_MIN, VZIP_RING_DEPTH_MAX);
		return -EINVAL;
	}
	if (cfg->max_len < PAGE_SIZE || cfg->max_len > VZIP_MAX_LEN_LIMIT) {
		pr_err("vzip: max_len must be %lu-%u\n", PAGE_SIZE,
		       VZIP_MAX_LEN_LIMIT);
		return -EINVAL;
	}
	if (!cfg->sva && (!cfg->ss_size || !PAGE_ALIGNED(cfg->ss_size) ||
			  cfg->ss_size > VZIP_MAX_LEN_LIMIT)) {
		pr_err("vzip: ss_size must be whole pages, at most %u bytes\n",
		       VZIP_MAX_LEN_LIMIT);
		return -EINVAL;
	}
	if (cfg->idle_us > VZIP_IDLE_US_MAX) {
		pr_err("vzip: idle_us must be at most %u\n", VZIP_IDLE_US_MAX);
		return -EINVAL;
	}
	return 0;
}

static int vzip_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	const struct vzip_config *pdata = dev_get_platdata(dev);
	struct uacce_interface interface = {
		.name = "vzip",
		/* the engine works in the opener's address space (dma.c) */
		.caps = UACCE_CAP_OWN_TRANSLATION,
		.ops = &vzip_uacce_ops,
	};
	struct vzip_device *vdev;
	struct uacce_device *uacce;
	int ret;

	vdev = devm_kzalloc(dev, sizeof(*vdev), GFP_KERNEL);
	if (!vdev)
		return -ENOMEM;
	if (pdata)
		vdev->cfg = *pdata;
	else
		vzip_config_from_params(&vdev->cfg);
	ret = vzip_config_check(&vdev->cfg);
	if (ret)
		return ret;

	vdev->dev = dev;
	vdev->node = dev_to_node(dev);
	vdev->ctx_size = vzip_ctx_size();
	vdev->caps = vdev->ctx_size ? VZIP_CAP_STREAM : 0;

	/* the SS region is allocated by uacce with dma_alloc_coherent() */
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret) {
		dev_err(dev, "cannot set the DMA mask: %d\n", ret);
		return ret;
	}
	mutex_init(&vdev->alloc_lock);
	wd_engine_dev_init(&vdev->eng, dev, &vzip_engine_ops, vdev->node,
			   vdev->cfg.nr_engines, vdev->cfg.idle_us);

	if (vdev->cfg.sva)
		interface.flags |= UACCE_DEV_SVA;
	uacce = uacce_alloc(dev, &interface);
	if (IS_ERR(uacce)) {
		dev_err(dev, "cannot allocate the uacce device: %pe\n", uacce);
		mutex_destroy(&vdev->alloc_lock);
		return PTR_ERR(uacce);
	}
	vdev->uacce = uacce;
	if (uacce->flags & UACCE_DEV_SVA) {
		vdev->caps |= VZIP_CAP_SVA;
	} else if (vdev->cfg.sva) {
		dev_warn(dev, "uacce refused SVA: using the SS region\n");
		vdev->cfg.sva = false;
	}

	ret = vzip_queues_create(vdev);
	if (ret)
		goto err;
	ret = wd_engines_start(&vdev->eng);
	if (ret)
		goto err;

	uacce->algs = "deflate\nzlib\ngzip";
	uacce->api_ver = VZIP_API_VERSION;
	uacce->priv = vdev;
	uacce->qf_pg_num[UACCE_QFRT_MMIO] = 1;
	uacce->qf_pg_num[UACCE_QFRT_DUS] =
		wd_ring_dus_size(vdev->cfg.ring_depth, sizeof(struct vzip_sqe),
				 sizeof(struct vzip_cqe)) >> PAGE_SHIFT;
	if (!vdev->cfg.sva)
		uacce->qf_pg_num[UACCE_QFRT_SS] = vdev->cfg.ss_size >> PAGE_SHIFT;
	/* the core counts the queues, shared with the mdev instances */
	uacce->nr_queues = vdev->cfg.nr_queues;
	wd_mdev_set_types(uacce, &vzip_mdev_table);
	ret = uacce_register(uacce);
	if (ret) {
		dev_err(dev, "cannot register with uacce: %d\n", ret);
		goto err;
	}

	platform_set_drvdata(pdev, vdev);
	vzip_debugfs_add(vdev);
	dev_info(dev, "%s: %u queues of %u entries, %u engines, %s, node %d\n",
		 dev_name(&uacce->dev), vdev->cfg.nr_queues,
		 vdev->cfg.ring_depth, vdev->cfg.nr_engines,
		 vdev->cfg.sva ? "SVA" : "SS region", vdev->node);
	return 0;

err:
	uacce_remove(uacce);
	wd_engines_stop(&vdev->eng);
	vzip_queues_destroy(vdev);
	mutex_destroy(&vdev->alloc_lock);
	return ret;
}

static int vzip_remove(struct platform_device *pdev)
{
	struct vzip_device *vdev = platform_get_drvdata(pdev);

	vzip_debugfs_del(vdev);
	/* stops every queue: no request in flight, no page pinned after */
	uacce_remove(vdev->uacce);
	wd_engines_stop(&vdev->eng);
	vzip_queues_destroy(vdev);
	mutex_destroy(&vdev->alloc_lock);
	dev_info(&pdev->dev, "removed\n");
	return 0;
}

static struct platform_driver vzip_driver = {
	.driver = {
		.name = "vzip",
	},
	.probe = vzip_probe,
	.remove = vzip_remove,
};

static struct platform_device *vzip_device_add(int id,
					       const struct vzip_config *cfg,
					       int node)
{
	struct platform_device *pdev;
	int ret;

	pdev = platform_device_alloc("vzip", id);
	if (!pdev)
		return ERR_PTR(-ENOMEM);
	ret = cfg ? platform_device_add_data(pdev, cfg, sizeof(*cfg)) : 0;
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

/**
 * vzip_test_device_add() - create a vzip device of a given geometry
 * @cfg: the geometry
 * @node: its NUMA node, or NUMA_NO_NODE
 *
 * The device is probed at once; it is bound to the driver (drvdata set)
 * only if the probe succeeded.
 *
 * Return: the platform device, or an ERR_PTR.
 */
struct platform_device *vzip_test_device_add(const struct vzip_config *cfg,
					     int node)
{
	return vzip_device_add(PLATFORM_DEVID_AUTO, cfg, node);
}
EXPORT_SYMBOL_IF_KUNIT(vzip_test_device_add);

/**
 * vzip_test_device_del() - remove a device vzip_test_device_add() created
 * @pdev: the device
 */
void vzip_test_device_del(struct platform_device *pdev)
{
	platform_device_unregister(pdev);
}
EXPORT_SYMBOL_IF_KUNIT(vzip_test_device_del);

/* Device i goes to the i-th node with memory, round-robin. */
static int vzip_device_node(unsigned int i)
{
	unsigned int n = i % num_node_state(N_MEMORY);
	int node;

	for_each_node_state(node, N_MEMORY)
		if (!n--)
			return node;
	return NUMA_NO_NODE;
}

static void vzip_devices_del(void)
{
	while (vzip_nr_pdevs)
		platform_device_unregister(vzip_pdevs[--vzip_nr_pdevs]);
	kfree(vzip_pdevs);
	vzip_pdevs = NULL;
}

static int __init vzip_init(void)
{
	struct vzip_config cfg;
	unsigned int i;
	int ret;

	vzip_config_from_params(&cfg);
	ret = vzip_config_check(&cfg);
	if (ret)
		return ret;
	if (devices > VZIP_DEVICES_MAX) {
		pr_err("vzip: devices must be 0-%u\n", VZIP_DEVICES_MAX);
		return -EINVAL;
	}

	vzip_stream_init();
	vzip_debugfs_init();
	ret = platform_driver_register(&vzip_driver);
	if (ret)
		goto err_debugfs;

	vzip_pdevs = kcalloc(devices, sizeof(*vzip_pdevs), GFP_KERNEL);
	if (devices && !vzip_pdevs) {
		ret = -ENOMEM;
		goto err_driver;
	}
	for (i = 0; i < devices; i++) {
		struct platform_device *pdev;

		pdev = vzip_device_add(i, NULL, vzip_device_node(i));
		if (IS_ERR(pdev)) {
			ret = PTR_ERR(pdev);
			pr_err("vzip: cannot create device %u: %d\n", i, ret);
			goto err_devices;
		}
		vzip_pdevs[vzip_nr_pdevs++] = pdev;
	}
	return 0;

err_devices:
	vzip_devices_del();
err_driver:
	platform_driver_unregister(&vzip_driver);
err_debugfs:
	vzip_debugfs_exit();
	return ret;
}

static void __exit vzip_exit(void)
{
	vzip_devices_del();
	platform_driver_unregister(&vzip_driver);
	vzip_debugfs_exit();
}

module_init(vzip_init);
module_exit(vzip_exit);

MODULE_DESCRIPTION("WarpDrive vzip: reference compression accelerator");
MODULE_LICENSE("GPL");
