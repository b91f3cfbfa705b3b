/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Declarations shared by the files of the wd_mdev module; not an API.
 *
 * core.c makes every uacce device that declares mdev types an mdev parent
 * (one per personality that has types), reserves an instance's queues
 * when it is created and gives them back when it is removed.  tenant.c
 * makes each instance a tenant of the accelerator's scheduler.  What an
 * instance is to its user is its personality's business: access_point.c
 * (a uacce char device of its own) and vfio_pci.c (a VFIO device with an
 * emulated PCI function, vfio_pci.h).
 */
#ifndef _WD_MDEV_INTERNAL_H
#define _WD_MDEV_INTERNAL_H

#include <linux/mdev.h>
#include <linux/uacce.h>
#include <linux/wd_mdev.h>

#include "kunit_hooks.h"

#define WD_MDEV_PRETTY_NAME_SIZE	64

struct wd_mdev_instance;

/**
 * struct wd_mdev_personality_ops - what the instances of a personality are
 * @name: for type names and messages, e.g. "access point"
 * @device_api: the device_api of its mdev types
 * @driver_name: its mdev driver: /sys/bus/mdev/drivers/<driver_name>
 * @dev_groups: optional: sysfs attributes of its instances' mdev devices,
 *	added after @create and removed before @destroy (attributes not
 *	every instance has are @create's and @destroy's)
 * @describe_type: optional: lines the personality adds to a type's
 *	description attribute at @buf + @len (sysfs_emit_at()), for @uacce;
 *	returns the new length
 * @parent_dev: the device its instances hang off (the mdev parent; the
 *	type directories are named after its driver, bus or class); one
 *	device per personality, since a parent has a single device_api
 * @type_valid: optional: whether a type of the driver's table suits the
 *	personality
 * @create: make @inst usable; its queues are reserved and its drvdata
 *	set.  On failure, undo everything.
 * @destroy: undo @create; the accelerator is not used once it returns
 */
struct wd_mdev_personality_ops {
	const char *name;
	const char *device_api;
	const char *driver_name;
	const struct attribute_group **dev_groups;
	ssize_t (*describe_type)(struct uacce_device *uacce,
				 const struct wd_mdev_type *type, char *buf,
				 ssize_t len);
	struct device *(*parent_dev)(struct uacce_device *uacce);
	bool (*type_valid)(const struct wd_mdev_type *type);
	int (*create)(struct wd_mdev_instance *inst);
	void (*destroy)(struct wd_mdev_instance *inst);
};

/**
 * struct wd_mdev_mtype - an mdev type of a parent
 * @type: the mdev core's part
 * @desc: the driver's description of the type
 * @pretty_name: the type's name attribute when the driver gives none
 */
struct wd_mdev_mtype {
	struct mdev_type type;
	const struct wd_mdev_type *desc;
	char pretty_name[WD_MDEV_PRETTY_NAME_SIZE];
};

struct wd_mdev_accel;

/**
 * struct wd_mdev_parent - the mdev parent of one personality
 * @mparent: the mdev core's part (mdev_register_parent() clears it)
 * @accel: the accelerator
 * @pers: the personality
 * @types: its types
 * @mtypes: &@types[i].type, as mdev_register_parent() wants them
 * @nr_types: entries in @types; 0 when the personality has no types
 */
struct wd_mdev_parent {
	struct mdev_parent mparent;
	struct wd_mdev_accel *accel;
	const struct wd_mdev_personality_ops *pers;
	struct wd_mdev_mtype *types;
	struct mdev_type **mtypes;
	unsigned int nr_types;
};

/**
 * struct wd_mdev_accel - an accelerator made an mdev parent
 * @uacce: its uacce device
 * @table: its driver's types (uacce_device.ext_info)
 * @parents: one per personality
 *
 * Lives from the uacce core's attach to its detach: our state for the
 * device, which the core keeps in uacce_device.ext_priv.
 */
struct wd_mdev_accel {
	struct uacce_device *uacce;
	const struct wd_mdev_type_table *table;
	struct wd_mdev_parent parents[WD_MDEV_NR_PERSONALITIES];
};

/**
 * struct wd_mdev_instance - one of our mdev devices
 * @mdev: the mdev device; its drvdata is the instance
 * @parent: the parent it was created on
 * @type: its type
 * @priv: the personality's state
 * @tenant: the tenant its queues are, for the driver's scheduler
 *
 * Lives from the mdev driver's probe to its remove; its queues are
 * reserved from the accelerator all that time.
 */
struct wd_mdev_instance {
	struct mdev_device *mdev;
	struct wd_mdev_parent *parent;
	const struct wd_mdev_type *type;
	void *priv;
	struct uacce_tenant tenant;
};

static inline struct uacce_device *
wd_mdev_instance_accel(struct wd_mdev_instance *inst)
{
	return inst->parent->accel->uacce;
}

/* tenant.c */
extern const struct attribute_group wd_mdev_tenant_group;

/* access_point.c */
extern const struct wd_mdev_personality_ops wd_mdev_access_point;

/* vfio_pci.c */
extern const struct wd_mdev_personality_ops wd_mdev_vfio_pci;

/* Object accounting: see kunit_hooks.h */
#if IS_ENABLED(CONFIG_KUNIT)
void wd_mdev_obj_count(enum wd_mdev_obj obj, int delta);
#else
static inline void wd_mdev_obj_count(enum wd_mdev_obj obj, int delta)
{
}
#endif

#endif /* _WD_MDEV_INTERNAL_H */
