// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_mdev core: turns every uacce accelerator that declares mdev types
 * (linux/wd_mdev.h) into an mdev parent, for as long as both are there.
 *
 * wd_mdev is the uacce core's extension (struct uacce_extension): the
 * core calls our attach when a device with a type table (ext_info) is
 * registered or when this module is loaded, and our detach when the
 * device is removed (before anything else happens to it) or when this
 * module is unloaded; detach unregisters the mdev parents, which removes
 * their instances.
 *
 * An instance reserves its type's queues from the accelerator's queue
 * budget in the mdev driver's probe, which runs synchronously in the
 * write to the type's create attribute: the write fails with -ENOSPC when
 * the queues are not free, and available_instances, computed from the
 * same budget, is exact.  Opens of the accelerator's own char device take
 * from that budget too, so together they never oversubscribe it.
 *
 * Each personality has its own mdev driver and, on each accelerator, its
 * own parent device, because a parent has a single driver and so a single
 * device_api.  Documentation/mdev.rst has the rest.
 */
#include <kunit/visibility.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "internal.h"

static const struct wd_mdev_personality_ops *const
wd_mdev_personalities[WD_MDEV_NR_PERSONALITIES] = {
	[WD_MDEV_ACCESS_POINT] = &wd_mdev_access_point,
	[WD_MDEV_VFIO_PCI] = &wd_mdev_vfio_pci,
};

/* One mdev driver per personality; filled in at module init. */
static struct mdev_driver wd_mdev_drivers[WD_MDEV_NR_PERSONALITIES];

static struct wd_mdev_mtype *to_wd_mtype(struct mdev_type *type)
{
	return container_of(type, struct wd_mdev_mtype, type);
}

static struct wd_mdev_parent *to_wd_parent(struct mdev_type *type)
{
	return container_of(type->parent, struct wd_mdev_parent, mparent);
}

/* ---- the mdev driver of every personality ---- */

static int wd_mdev_probe(struct mdev_device *mdev)
{
	const struct wd_mdev_type *desc = to_wd_mtype(mdev->type)->desc;
	struct wd_mdev_parent *parent = to_wd_parent(mdev->type);
	struct uacce_device *accel = parent->accel->uacce;
	struct wd_mdev_instance *inst;
	int ret;

	inst = kzalloc(sizeof(*inst), GFP_KERNEL);
	if (!inst)
		return -ENOMEM;
	wd_mdev_obj_count(WD_MDEV_OBJ_INSTANCE, 1);
	inst->mdev = mdev;
	inst->parent = parent;
	inst->type = desc;
	uacce_tenant_init(&inst->tenant);

	ret = uacce_reserve_queues(accel, desc->nr_queues);
	if (ret) {
		dev_warn_ratelimited(&accel->dev,
				     "cannot create %s of type %s: it needs %u queues, %u are free\n",
				     dev_name(mdev_dev(mdev)), desc->name,
				     desc->nr_queues, uacce_free_queues(accel));
		goto err_free;
	}

	/* the personality's char device may be opened before create returns */
	dev_set_drvdata(mdev_dev(mdev), inst);
	ret = parent->pers->create(inst);
	if (ret) {
		dev_dbg(mdev_dev(mdev), "cannot create the %s: %d\n",
			parent->pers->name, ret);
		goto err_unreserve;
	}

	/*
	 * The personality's attributes, once there is something to show.
	 * Not the driver core's drv->dev_groups: when adding those fails,
	 * 6.1's really_probe() removes them a second time and WARNs.
	 */
	ret = device_add_group(mdev_dev(mdev), &wd_mdev_tenant_group);
	if (ret) {
		dev_err(mdev_dev(mdev), "cannot add the tenant attributes: %d\n",
			ret);
		goto err_destroy;
	}
	ret = device_add_groups(mdev_dev(mdev), parent->pers->dev_groups);
	if (ret) {
		dev_err(mdev_dev(mdev), "cannot add the %s attributes: %d\n",
			parent->pers->name, ret);
		device_remove_group(mdev_dev(mdev), &wd_mdev_tenant_group);
		goto err_destroy;
	}
	return 0;

err_destroy:
	parent->pers->destroy(inst);
err_unreserve:
	dev_set_drvdata(mdev_dev(mdev), NULL);
	uacce_unreserve_queues(accel, desc->nr_queues);
err_free:
	kfree(inst);
	wd_mdev_obj_count(WD_MDEV_OBJ_INSTANCE, -1);
	return ret;
}

static void wd_mdev_remove(struct mdev_device *mdev)
{
	struct wd_mdev_instance *inst = dev_get_drvdata(mdev_dev(mdev));
	struct uacce_device *accel = wd_mdev_instance_accel(inst);

	device_remove_groups(mdev_dev(mdev), inst->parent->pers->dev_groups);
	device_remove_group(mdev_dev(mdev), &wd_mdev_tenant_group);
	/* no use of the queues after this: they can go back */
	inst->parent->pers->destroy(inst);
	uacce_unreserve_queues(accel, inst->type->nr_queues);
	dev_set_drvdata(mdev_dev(mdev), NULL);
	kfree(inst);
	wd_mdev_obj_count(WD_MDEV_OBJ_INSTANCE, -1);
}

/* Exact: instances of this type that can be created now. */
static unsigned int wd_mdev_get_available(struct mdev_type *type)
{
	struct wd_mdev_parent *parent = to_wd_parent(type);

	return uacce_free_queues(parent->accel->uacce) /
	       to_wd_mtype(type)->desc->nr_queues;
}

/* "key: value" lines; mdevctl shows them joined by commas. */
static ssize_t wd_mdev_show_description(struct mdev_type *type, char *buf)
{
	struct uacce_device *accel = to_wd_parent(type)->accel->uacce;
	const struct wd_mdev_personality_ops *pers = to_wd_parent(type)->pers;
	const char *alg = accel->algs;
	ssize_t len;
	size_t n;

	len = sysfs_emit(buf, "queues: %u\napi: %s\nalgorithms:",
			 to_wd_mtype(type)->desc->nr_queues, accel->api_ver);
	while (*alg) {
		n = strcspn(alg, "\n");
		if (n)
			len += sysfs_emit_at(buf, len, " %.*s", (int)n, alg);
		alg += n + !!alg[n];
	}
	len += sysfs_emit_at(buf, len, "\n");
	if (pers->describe_type)
		len = pers->describe_type(accel, to_wd_mtype(type)->desc, buf,
					  len);
	return len;
}

/* ---- making an accelerator an mdev parent ---- */

static bool wd_mdev_type_valid(const struct wd_mdev_type *types,
			       unsigned int i)
{
	const struct wd_mdev_type *t = &types[i];
	const struct wd_mdev_personality_ops *pers;
	unsigned int j;

	if (!t->name || !*t->name || strchr(t->name, '/') ||
	    t->personality >= WD_MDEV_NR_PERSONALITIES ||
	    !wd_mdev_personalities[t->personality] || !t->nr_queues)
		return false;
	pers = wd_mdev_personalities[t->personality];
	if (pers->type_valid && !pers->type_valid(t))
		return false;
	for (j = 0; j < i; j++)
		if (types[j].personality == t->personality &&
		    !strcmp(types[j].name, t->name))
			return false;
	return true;
}

static int wd_mdev_check_types(struct uacce_device *uacce,
			       const struct wd_mdev_type_table *table)
{
	unsigned int i;

	if (!uacce->nr_queues) {
		dev_warn(&uacce->dev, "wd_mdev: mdev types, but the device does not count its queues (nr_queues)\n");
		return -EINVAL;
	}
	if (!table->types || !table->nr_types ||
	    table->nr_types > WD_MDEV_MAX_TYPES) {
		dev_warn(&uacce->dev, "wd_mdev: %u mdev types: 1 to %u wanted\n",
			 table->types ? table->nr_types : 0,
			 WD_MDEV_MAX_TYPES);
		return -EINVAL;
	}
	for (i = 0; i < table->nr_types; i++) {
		if (!wd_mdev_type_valid(table->types, i)) {
			dev_warn(&uacce->dev, "wd_mdev: mdev type %u is invalid or a duplicate\n",
				 i);
			return -EINVAL;
		}
	}
	return 0;
}

static void wd_mdev_parent_free(struct wd_mdev_parent *parent)
{
	kfree(parent->mtypes);
	kfree(parent->types);
	parent->mtypes = NULL;
	parent->types = NULL;
	parent->nr_types = 0;
}

/* The mdev parent of personality @p, if the accelerator has types of it. */
static int wd_mdev_parent_register(struct wd_mdev_accel *accel,
				   enum wd_mdev_personality p)
{
	struct wd_mdev_parent *parent = &accel->parents[p];
	struct uacce_device *uacce = accel->uacce;
	const struct wd_mdev_type_table *table = accel->table;
	const struct wd_mdev_type *desc;
	unsigned int i, n = 0;
	int ret;

	parent->accel = accel;
	parent->pers = wd_mdev_personalities[p];
	for (i = 0; i < table->nr_types; i++)
		n += table->types[i].personality == p;
	if (!n)
		return 0;

	parent->types = kcalloc(n, sizeof(*parent->types), GFP_KERNEL);
	parent->mtypes = kcalloc(n, sizeof(*parent->mtypes), GFP_KERNEL);
	if (!parent->types || !parent->mtypes) {
		wd_mdev_parent_free(parent);
		return -ENOMEM;
	}

	for (i = 0; i < table->nr_types; i++) {
		struct wd_mdev_mtype *mt = &parent->types[parent->nr_types];

		desc = &table->types[i];
		if (desc->personality != p)
			continue;
		mt->desc = desc;
		mt->type.sysfs_name = desc->name;
		if (desc->pretty_name) {
			mt->type.pretty_name = desc->pretty_name;
		} else {
			snprintf(mt->pretty_name, sizeof(mt->pretty_name),
				 "%s %s, %u queue%s", uacce->api_ver,
				 parent->pers->name, desc->nr_queues,
				 desc->nr_queues == 1 ? "" : "s");
			mt->type.pretty_name = mt->pretty_name;
		}
		parent->mtypes[parent->nr_types++] = &mt->type;
	}

	ret = mdev_register_parent(&parent->mparent,
				   parent->pers->parent_dev(uacce),
				   &wd_mdev_drivers[p], parent->mtypes,
				   parent->nr_types);
	if (ret) {
		wd_mdev_parent_free(parent);
		return ret;
	}
	return 0;
}

/* Removes every instance of the parent, then the parent. */
static void wd_mdev_parent_unregister(struct wd_mdev_parent *parent)
{
	if (!parent->nr_types)
		return;
	mdev_unregister_parent(&parent->mparent);
	/*
	 * The mdev core's type kobjects and mdev devices point into
	 * parent->types; they are gone now: their last references were
	 * the instances, which destroy() removed from sysfs.
	 */
	wd_mdev_parent_free(parent);
}

/* The uacce core's attach: @uacce->ext_info is our type table. */
static void *wd_mdev_attach(struct uacce_device *uacce)
{
	const struct wd_mdev_type_table *table = uacce->ext_info;
	struct wd_mdev_accel *accel;
	int p, ret;

	ret = wd_mdev_check_types(uacce, table);
	if (ret)
		return ERR_PTR(ret);

	accel = kzalloc(sizeof(*accel), GFP_KERNEL);
	if (!accel)
		return ERR_PTR(-ENOMEM);
	wd_mdev_obj_count(WD_MDEV_OBJ_ACCEL, 1);
	accel->uacce = uacce;
	accel->table = table;

	for (p = 0; p < WD_MDEV_NR_PERSONALITIES; p++) {
		ret = wd_mdev_parent_register(accel, p);
		if (ret)
			goto err;
	}
	return accel;

err:
	while (--p >= 0)
		wd_mdev_parent_unregister(&accel->parents[p]);
	kfree(accel);
	wd_mdev_obj_count(WD_MDEV_OBJ_ACCEL, -1);
	return ERR_PTR(ret);
}

/* The uacce core's detach: @priv is what wd_mdev_attach() returned. */
static void wd_mdev_detach(struct uacce_device *uacce, void *priv)
{
	struct wd_mdev_accel *accel = priv;
	int p;

	for (p = WD_MDEV_NR_PERSONALITIES - 1; p >= 0; p--)
		wd_mdev_parent_unregister(&accel->parents[p]);
	kfree(accel);
	wd_mdev_obj_count(WD_MDEV_OBJ_ACCEL, -1);
}

static const struct uacce_extension wd_mdev_extension = {
	.name = KBUILD_MODNAME,
	.attach = wd_mdev_attach,
	.detach = wd_mdev_detach,
};

/**
 * wd_mdev_unload() - detach every accelerator, as module exit does
 *
 * Every instance is removed.  Exported for the KUnit suite, which calls
 * wd_mdev_load() again before it ends.
 */
void wd_mdev_unload(void)
{
	uacce_extension_unregister(&wd_mdev_extension);
}
EXPORT_SYMBOL_IF_KUNIT(wd_mdev_unload);

/**
 * wd_mdev_load() - attach every accelerator, as module init does
 *
 * Return: 0, or -EBUSY if uacce has an extension already.
 */
int wd_mdev_load(void)
{
	return uacce_extension_register(&wd_mdev_extension);
}
EXPORT_SYMBOL_IF_KUNIT(wd_mdev_load);

/* ---- module ---- */

static void wd_mdev_unregister_drivers(int nr)
{
	while (--nr >= 0)
		mdev_unregister_driver(&wd_mdev_drivers[nr]);
}

static int __init wd_mdev_init(void)
{
	int p, ret;

	for (p = 0; p < WD_MDEV_NR_PERSONALITIES; p++) {
		const struct wd_mdev_personality_ops *pers = wd_mdev_personalities[p];
		struct mdev_driver *drv = &wd_mdev_drivers[p];

		drv->device_api = pers->device_api;
		drv->probe = wd_mdev_probe;
		drv->remove = wd_mdev_remove;
		drv->get_available = wd_mdev_get_available;
		drv->show_description = wd_mdev_show_description;
		drv->driver.name = pers->driver_name;
		drv->driver.owner = THIS_MODULE;
		drv->driver.mod_name = KBUILD_MODNAME;
		ret = mdev_register_driver(drv);
		if (ret) {
			pr_err("wd_mdev: cannot register the %s driver: %d\n",
			       pers->name, ret);
			wd_mdev_unregister_drivers(p);
			return ret;
		}
	}

	ret = wd_mdev_load();
	if (ret) {
		pr_err("wd_mdev: cannot register with uacce: %d\n", ret);
		wd_mdev_unregister_drivers(WD_MDEV_NR_PERSONALITIES);
	}
	return ret;
}

static void __exit wd_mdev_exit(void)
{
	wd_mdev_unload();
	wd_mdev_unregister_drivers(WD_MDEV_NR_PERSONALITIES);
}

module_init(wd_mdev_init);
module_exit(wd_mdev_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("WarpDrive mdev framework: uacce accelerators carved into instances");
