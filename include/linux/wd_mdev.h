/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * WarpDrive mdev framework (drivers/mdev, wd_mdev.ko): how an accelerator
 * driver declares the mdev types its uacce device can be carved into.
 *
 * The driver needs no call into the framework, only data: it points its
 * uacce device at a table of types and lets the core count its queues,
 * before uacce_register():
 *
 *	static const struct wd_mdev_type foo_mdev_types[] = {
 *		{ .name = "ap1", .personality = WD_MDEV_ACCESS_POINT,
 *		  .nr_queues = 1 },
 *		...
 *	};
 *
 *	uacce->nr_queues = nr_hw_queues;
 *	uacce->mdev_types = foo_mdev_types;
 *	uacce->nr_mdev_types = ARRAY_SIZE(foo_mdev_types);
 *
 * Whenever wd_mdev.ko is loaded, the registered device is an mdev parent
 * with these types; its instances are removed before uacce_remove()
 * removes the device.  Documentation/mdev.rst describes the rest.
 */
#ifndef _LINUX_WD_MDEV_H
#define _LINUX_WD_MDEV_H

/**
 * enum wd_mdev_personality - what an instance is to its user
 * @WD_MDEV_ACCESS_POINT: a uacce char device of its own, speaking the
 *	parent's protocol: any number of processes open it, each gets a
 *	queue of the instance's reservation while it has it open
 * @WD_MDEV_NR_PERSONALITIES: number of personalities
 */
enum wd_mdev_personality {
	WD_MDEV_ACCESS_POINT,
	WD_MDEV_NR_PERSONALITIES,
};

/**
 * struct wd_mdev_type - a kind of instance
 * @name: the type's sysfs name, unique in the table: the mdev type
 *	directory is <personality's prefix>-<name>, e.g. uacce-ap4
 * @pretty_name: optional human-readable name (the type's name attribute);
 *	by default one is made from the device's api and the queue count
 * @personality: enum wd_mdev_personality
 * @nr_queues: queues an instance reserves when it is created, at least 1
 */
struct wd_mdev_type {
	const char *name;
	const char *pretty_name;
	enum wd_mdev_personality personality;
	unsigned int nr_queues;
};

#endif /* _LINUX_WD_MDEV_H */
