// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vcrypt: the WarpDrive reference crypto accelerator.
 *
 * Devices live on the platform bus (vcrypt.N), so that they can be unbound
 * and bound again at run time, queues in use, like a hot-unplugged card.
 * Each registers with uacce as /dev/vcrypt-<id>.  Documentation/vcrypt.rst
 * is the hardware specification.
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

#include "vcrypt.h"

#define VCRYPT_DEVICES_MAX	16
#define VCRYPT_QUEUES_MAX		1024
#define VCRYPT_ENGINES_MAX	64
#define VCRYPT_IDLE_US_MAX	1000000

static unsigned int devices = 1;
module_param(devices, uint, 0444);
MODULE_PARM_DESC(devices, "vcrypt devices to create (0-16, default 1)");

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

static unsigned int key_slots = 64;
module_param(key_slots, uint, 0444);
MODULE_PARM_DESC(key_slots, "key slots per queue (1-4096, default 64)");

/*
 * Instances an admin can carve a device into with mdevctl, while wd_mdev
 * is loaded (Documentation/mdev.rst): access points of 1, 4 and 16 queues,
 * and PCI functions of 1, 2 and 4 queues for VMs (vcrypt-vq1 ...).
 */
static const struct wd_mdev_type vcrypt_mdev_types[] = {
	{ .name = "ap1", .personality = WD_MDEV_ACCESS_POINT, .nr_queues = 1 },
	{ .name = "ap4", .personality = WD_MDEV_ACCESS_POINT, .nr_queues = 4 },
	{ .name = "ap16", .personality = WD_MDEV_ACCESS_POINT, .nr_queues = 16 },
	{ .name = "vq1", .personality = WD_MDEV_VFIO_PCI, .nr_queues = 1,
	  .vfio = &vcrypt_vfio_ops },
	{ .name = "vq2", .personality = WD_MDEV_VFIO_PCI, .nr_queues = 2,
	  .vfio = &vcrypt_vfio_ops },
	{ .name = "vq4", .personality = WD_MDEV_VFIO_PCI, .nr_queues = 4,
	  .vfio = &vcrypt_vfio_ops },
};

static const struct wd_mdev_type_table vcrypt_mdev_table = {
	.types = vcrypt_mdev_types,
	.nr_types = ARRAY_SIZE(vcrypt_mdev_types),
};

/* uacce's names of the algorithms (Documentation/vcrypt.rst) */
static const char *const vcrypt_uacce_algs[VCRYPT_ALG_NR] = {
	[VCRYPT_ALG_SHA256] = "sha256",
	[VCRYPT_ALG_SHA512] = "sha512",
	[VCRYPT_ALG_SHA3_256] = "sha3-256",
	[VCRYPT_ALG_SM3] = "sm3",
	[VCRYPT_ALG_HMAC_SHA256] = "hmac-sha256",
	[VCRYPT_ALG_AES_CBC] = "aes-cbc",
	[VCRYPT_ALG_AES_CTR] = "aes-ctr",
	[VCRYPT_ALG_AES_XTS] = "aes-xts",
	[VCRYPT_ALG_SM4_CBC] = "sm4-cbc",
	[VCRYPT_ALG_AES_GCM] = "aes-gcm",
};

/* uacce's algs attribute: those of ALGS, one a line; freed with the device */
static const char *vcrypt_algs_string(struct vcrypt_device *vdev)
{
	size_t size = 1, len = 0;
	char *s;
	int alg;

	for (alg = 1; alg < VCRYPT_ALG_NR; alg++)
		size += strlen(vcrypt_uacce_algs[alg]) + 1;
	s = devm_kzalloc(vdev->dev, size, GFP_KERNEL);
	if (!s)
		return NULL;
	for (alg = 1; alg < VCRYPT_ALG_NR; alg++)
		if (vdev->algs & BIT(alg))
			len += scnprintf(s + len, size - len, "%s%s",
					 len ? "\n" : "",
					 vcrypt_uacce_algs[alg]);
	return s;
}

/* The devices module init created, for module exit */
static struct wd_accel_pdevs vcrypt_pdevs;

static void vcrypt_config_from_params(struct vcrypt_config *cfg)
{
	cfg->geo.nr_queues = queues;
	cfg->geo.nr_engines = engines ?: min(num_online_cpus(), VCRYPT_ENGINES_MAX);
	cfg->geo.ring_depth = ring_depth;
	cfg->geo.max_len = max_len;
	cfg->geo.ss_size = ss_size;
	cfg->geo.idle_us = idle_us;
	cfg->key_slots = key_slots;
	cfg->geo.sva = sva;
}

/* the bounds of a vcrypt device's geometry (module parameters) */
static const struct wd_accel_limits vcrypt_limits = {
	.name = "vcrypt",
	.queues_max = VCRYPT_QUEUES_MAX,
	.engines_max = VCRYPT_ENGINES_MAX,
	.ring_depth_min = VCRYPT_RING_DEPTH_MIN,
	.ring_depth_max = VCRYPT_RING_DEPTH_MAX,
	.max_len_limit = VCRYPT_MAX_LEN_LIMIT,
	.idle_us_max = VCRYPT_IDLE_US_MAX,
};

/**
 * vcrypt_config_check() - check a device geometry: the framework's part
 * against vcrypt's bounds, then the key slots
 * @cfg: the geometry
 *
 * Return: 0, or -EINVAL after logging what is wrong.
 */
int vcrypt_config_check(const struct vcrypt_config *cfg)
{
	int ret = wd_accel_geometry_check(&vcrypt_limits, &cfg->geo);

	if (ret)
		return ret;
	if (!cfg->key_slots || cfg->key_slots > VCRYPT_KEY_SLOTS_MAX) {
		pr_err("vcrypt: key_slots must be 1-%u\n",
		       VCRYPT_KEY_SLOTS_MAX);
		return -EINVAL;
	}
	return 0;
}

static const struct wd_accel_ops vcrypt_accel_ops = {
	.name = "vcrypt",
	.api_ver = VCRYPT_API_VERSION,
	.engine_ops = &vcrypt_engine_ops,
	.mdev_types = &vcrypt_mdev_table,
	.cap_sva = VCRYPT_CAP_SVA,
	.status_offset = VCRYPT_CTRL_STATUS,
	.queue_size = sizeof(struct vcrypt_queue),
	.queue_init = vcrypt_queue_init,
	.queue_fini = vcrypt_queue_fini,
	.write_regs = vcrypt_queue_write_regs,
	.queue_release = vcrypt_queue_release,
};

/* the framework's queue is the first of a vcrypt queue (queue_size) */
static_assert(offsetof(struct vcrypt_queue, hw) == 0);

static int vcrypt_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	const struct vcrypt_config *pdata = dev_get_platdata(dev);
	struct wd_accel_config acfg;
	struct vcrypt_device *vdev;
	const char *algs;
	int ret;

	vdev = devm_kzalloc(dev, sizeof(*vdev), GFP_KERNEL);
	if (!vdev)
		return -ENOMEM;
	if (pdata)
		vdev->cfg = *pdata;
	else
		vcrypt_config_from_params(&vdev->cfg);
	ret = vcrypt_config_check(&vdev->cfg);
	if (ret)
		return ret;

	vdev->dev = dev;
	vdev->node = dev_to_node(dev);
	vdev->algs = vcrypt_algs_probe(&vdev->state_max);
	if (!vdev->algs) {
		dev_err(dev, "the kernel has none of the algorithms\n");
		return -ENOENT;
	}
	vdev->ctx_size = vcrypt_ctx_size(vdev->state_max);
	algs = vcrypt_algs_string(vdev);
	if (!algs)
		return -ENOMEM;
	acfg = (struct wd_accel_config) {
		.nr_queues = vdev->cfg.geo.nr_queues,
		.nr_engines = vdev->cfg.geo.nr_engines,
		.ring_depth = vdev->cfg.geo.ring_depth,
		.idle_us = vdev->cfg.geo.idle_us,
		.ss_size = vdev->cfg.geo.ss_size,
		.ctx_size = vdev->ctx_size,
		.caps = vdev->ctx_size ? VCRYPT_CAP_STREAM : 0,
		.sva = vdev->cfg.geo.sva,
		.algs = algs,
	};
	ret = wd_accel_probe(&vdev->accel, dev, &vcrypt_accel_ops, &acfg);
	if (ret)
		return ret;

	platform_set_drvdata(pdev, vdev);
	vcrypt_debugfs_add(vdev);
	dev_info(dev, "%s: %u queues of %u entries, %u engines, %u key slots, algs %#x, %s, node %d\n",
		 dev_name(&vdev->accel.uacce->dev), vdev->cfg.geo.nr_queues,
		 vdev->cfg.geo.ring_depth, vdev->cfg.geo.nr_engines,
		 vdev->cfg.key_slots, vdev->algs,
		 vdev->accel.sva ? "SVA" : "SS region", vdev->node);
	return 0;
}

static int vcrypt_remove(struct platform_device *pdev)
{
	struct vcrypt_device *vdev = platform_get_drvdata(pdev);

	vcrypt_debugfs_del(vdev);
	wd_accel_remove(&vdev->accel);
	dev_info(&pdev->dev, "removed\n");
	return 0;
}

static struct platform_driver vcrypt_driver = {
	.driver = {
		.name = "vcrypt",
	},
	.probe = vcrypt_probe,
	.remove = vcrypt_remove,
};

/**
 * vcrypt_test_device_add() - create a vcrypt device of a given geometry
 * @cfg: the geometry
 * @node: its NUMA node, or NUMA_NO_NODE
 *
 * The device is probed at once; it is bound to the driver (drvdata set)
 * only if the probe succeeded.
 *
 * Return: the platform device, or an ERR_PTR.
 */
struct platform_device *vcrypt_test_device_add(const struct vcrypt_config *cfg,
					       int node)
{
	return wd_accel_pdev_add("vcrypt", PLATFORM_DEVID_AUTO, cfg,
				 sizeof(*cfg), node);
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_test_device_add);

/**
 * vcrypt_test_device_del() - remove a device vcrypt_test_device_add() created
 * @pdev: the device
 */
void vcrypt_test_device_del(struct platform_device *pdev)
{
	platform_device_unregister(pdev);
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_test_device_del);

static int __init vcrypt_init(void)
{
	struct vcrypt_config cfg;
	int ret;

	vcrypt_config_from_params(&cfg);
	ret = vcrypt_config_check(&cfg);
	if (ret)
		return ret;
	if (devices > VCRYPT_DEVICES_MAX) {
		pr_err("vcrypt: devices must be 0-%u\n", VCRYPT_DEVICES_MAX);
		return -EINVAL;
	}

	vcrypt_stream_init();
	vcrypt_debugfs_init();
	ret = platform_driver_register(&vcrypt_driver);
	if (ret)
		goto err_debugfs;

	ret = wd_accel_pdevs_add(&vcrypt_pdevs, "vcrypt", devices);
	if (ret)
		goto err_driver;
	return 0;

err_driver:
	platform_driver_unregister(&vcrypt_driver);
err_debugfs:
	vcrypt_debugfs_exit();
	return ret;
}

static void __exit vcrypt_exit(void)
{
	wd_accel_pdevs_del(&vcrypt_pdevs);
	platform_driver_unregister(&vcrypt_driver);
	vcrypt_debugfs_exit();
}

module_init(vcrypt_init);
module_exit(vcrypt_exit);

MODULE_DESCRIPTION("WarpDrive vcrypt: reference crypto accelerator");
MODULE_LICENSE("GPL");
