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
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
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

/* The devices module init created, for module exit */
static struct wd_accel_pdevs vzip_pdevs;

static void vzip_config_from_params(struct wd_accel_geometry *cfg)
{
	cfg->nr_queues = queues;
	cfg->nr_engines = engines ?: min(num_online_cpus(), VZIP_ENGINES_MAX);
	cfg->ring_depth = ring_depth;
	cfg->max_len = max_len;
	cfg->ss_size = ss_size;
	cfg->idle_us = idle_us;
	cfg->sva = sva;
}

/* the bounds of a vzip device's geometry (module parameters) */
static const struct wd_accel_limits vzip_limits = {
	.name = "vzip",
	.queues_max = VZIP_QUEUES_MAX,
	.engines_max = VZIP_ENGINES_MAX,
	.ring_depth_min = VZIP_RING_DEPTH_MIN,
	.ring_depth_max = VZIP_RING_DEPTH_MAX,
	.max_len_limit = VZIP_MAX_LEN_LIMIT,
	.idle_us_max = VZIP_IDLE_US_MAX,
};

static const struct wd_accel_ops vzip_accel_ops = {
	.name = "vzip",
	.api_ver = VZIP_API_VERSION,
	.engine_ops = &vzip_engine_ops,
	.mdev_types = &vzip_mdev_table,
	.cap_sva = VZIP_CAP_SVA,
	.status_offset = VZIP_CTRL_STATUS,
	.queue_size = sizeof(struct wd_hwq),
	.write_regs = vzip_queue_write_regs,
};

static int vzip_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	const struct wd_accel_geometry *pdata = dev_get_platdata(dev);
	struct wd_accel_config acfg;
	struct vzip_device *vdev;
	int ret;

	vdev = devm_kzalloc(dev, sizeof(*vdev), GFP_KERNEL);
	if (!vdev)
		return -ENOMEM;
	if (pdata)
		vdev->cfg = *pdata;
	else
		vzip_config_from_params(&vdev->cfg);
	ret = wd_accel_geometry_check(&vzip_limits, &vdev->cfg);
	if (ret)
		return ret;

	vdev->dev = dev;
	vdev->node = dev_to_node(dev);
	vdev->ctx_size = vzip_ctx_size();
	acfg = (struct wd_accel_config) {
		.nr_queues = vdev->cfg.nr_queues,
		.nr_engines = vdev->cfg.nr_engines,
		.ring_depth = vdev->cfg.ring_depth,
		.idle_us = vdev->cfg.idle_us,
		.ss_size = vdev->cfg.ss_size,
		.ctx_size = vdev->ctx_size,
		.caps = vdev->ctx_size ? VZIP_CAP_STREAM : 0,
		.sva = vdev->cfg.sva,
		.algs = "deflate\nzlib\ngzip",
	};
	ret = wd_accel_probe(&vdev->accel, dev, &vzip_accel_ops, &acfg);
	if (ret)
		return ret;

	platform_set_drvdata(pdev, vdev);
	vzip_debugfs_add(vdev);
	dev_info(dev, "%s: %u queues of %u entries, %u engines, %s, node %d\n",
		 dev_name(&vdev->accel.uacce->dev), vdev->cfg.nr_queues,
		 vdev->cfg.ring_depth, vdev->cfg.nr_engines,
		 vdev->accel.sva ? "SVA" : "SS region", vdev->node);
	return 0;
}

static int vzip_remove(struct platform_device *pdev)
{
	struct vzip_device *vdev = platform_get_drvdata(pdev);

	vzip_debugfs_del(vdev);
	wd_accel_remove(&vdev->accel);
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
struct platform_device *vzip_test_device_add(const struct wd_accel_geometry *cfg,
					     int node)
{
	return wd_accel_pdev_add("vzip", PLATFORM_DEVID_AUTO, cfg, sizeof(*cfg),
				 node);
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

static int __init vzip_init(void)
{
	struct wd_accel_geometry cfg;
	int ret;

	vzip_config_from_params(&cfg);
	ret = wd_accel_geometry_check(&vzip_limits, &cfg);
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

	ret = wd_accel_pdevs_add(&vzip_pdevs, "vzip", devices);
	if (ret)
		goto err_driver;
	return 0;

err_driver:
	platform_driver_unregister(&vzip_driver);
err_debugfs:
	vzip_debugfs_exit();
	return ret;
}

static void __exit vzip_exit(void)
{
	wd_accel_pdevs_del(&vzip_pdevs);
	platform_driver_unregister(&vzip_driver);
	vzip_debugfs_exit();
}

module_init(vzip_init);
module_exit(vzip_exit);

MODULE_DESCRIPTION("WarpDrive vzip: reference compression accelerator");
MODULE_LICENSE("GPL");
