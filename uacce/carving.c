// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uacce carving: the hooks that let the mdev framework (drivers/mdev,
 * wd_mdev.ko) cut a device into instances.  The framework is an optional
 * module that depends on uacce, not the other way round, so uacce tells it
 * which registered devices declare mdev types, and detaches them before it
 * removes them.  The instances' queues come from the budget (budget.c).
 */
#include <linux/list.h>
#include <linux/mutex.h>

#include "internal.h"

/*
 * Protects uacce_mdev_hooks, uacce_mdev_list and the mdev state of every
 * listed device (whether the hooks attached it).  Only devices with mdev
 * types take it, so a detach may remove the instances' uacce devices.
 */
static DEFINE_MUTEX(uacce_mdev_lock);
static const struct uacce_mdev_hooks *uacce_mdev_hooks;
/* registered devices with mdev types, linked by uacce_device.mdev_node */
static LIST_HEAD(uacce_mdev_list);

static void uacce_mdev_attach(struct uacce_device *uacce)
{
	int ret;

	lockdep_assert_held(&uacce_mdev_lock);

	if (!uacce_mdev_hooks || uacce->mdev)
		return;
	ret = uacce_mdev_hooks->attach(uacce);
	if (ret)
		dev_warn(&uacce->dev, "uacce: cannot make it an mdev parent: %pe\n",
			 ERR_PTR(ret));
}

static void uacce_mdev_detach(struct uacce_device *uacce)
{
	lockdep_assert_held(&uacce_mdev_lock);

	if (uacce_mdev_hooks && uacce->mdev)
		uacce_mdev_hooks->detach(uacce);
	uacce->mdev = NULL;
}

/**
 * uacce_carving_register() - a device was registered
 * @uacce: the device
 *
 * A device with mdev types is listed, and attached to the mdev framework
 * if it is loaded.
 */
void uacce_carving_register(struct uacce_device *uacce)
{
	if (!uacce->nr_mdev_types)
		return;

	mutex_lock(&uacce_mdev_lock);
	list_add_tail(&uacce->mdev_node, &uacce_mdev_list);
	uacce_mdev_attach(uacce);
	mutex_unlock(&uacce_mdev_lock);
}

/**
 * uacce_carving_remove() - a device is being removed
 * @uacce: the device, intact
 *
 * Detaches it from the mdev framework, which removes its instances.
 */
void uacce_carving_remove(struct uacce_device *uacce)
{
	if (!uacce->nr_mdev_types)
		return;

	mutex_lock(&uacce_mdev_lock);
	if (!list_empty(&uacce->mdev_node)) {
		uacce_mdev_detach(uacce);
		list_del_init(&uacce->mdev_node);
	}
	mutex_unlock(&uacce_mdev_lock);
}

/**
 * uacce_set_mdev_hooks() - the mdev framework arrives
 * @hooks: its callbacks, which must stay valid until
 *	uacce_clear_mdev_hooks()
 *
 * Attaches every registered device that has mdev types, and those
 * registered later.
 *
 * Return: 0, or -EBUSY if hooks are already set.
 */
int uacce_set_mdev_hooks(const struct uacce_mdev_hooks *hooks)
{
	struct uacce_device *uacce;

	mutex_lock(&uacce_mdev_lock);
	if (uacce_mdev_hooks) {
		mutex_unlock(&uacce_mdev_lock);
		return -EBUSY;
	}
	uacce_mdev_hooks = hooks;
	list_for_each_entry(uacce, &uacce_mdev_list, mdev_node)
		uacce_mdev_attach(uacce);
	mutex_unlock(&uacce_mdev_lock);
	return 0;
}
EXPORT_SYMBOL_GPL(uacce_set_mdev_hooks);

/**
 * uacce_clear_mdev_hooks() - the mdev framework leaves
 *
 * Detaches every device, which removes all instances.  No hook is called
 * after it returns.
 */
void uacce_clear_mdev_hooks(void)
{
	struct uacce_device *uacce;

	mutex_lock(&uacce_mdev_lock);
	list_for_each_entry(uacce, &uacce_mdev_list, mdev_node)
		uacce_mdev_detach(uacce);
	uacce_mdev_hooks = NULL;
	mutex_unlock(&uacce_mdev_lock);
}
EXPORT_SYMBOL_GPL(uacce_clear_mdev_hooks);
