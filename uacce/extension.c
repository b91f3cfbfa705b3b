// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uacce extensions: how an optional module extends registered devices
 * without the core knowing what it does with them.
 *
 * A driver that wants its device extended points uacce_device.ext_info at
 * a description in the extension's format before uacce_register(); the
 * core never reads it.  The core lists the registered devices that have
 * one.  An extension (struct uacce_extension) registers itself when its
 * module loads: the core attaches it to every listed device, and to each
 * one registered later, and keeps what attach returned in ext_priv.  It
 * detaches a device at the start of uacce_remove(), while the device and
 * its ops are intact, and detaches them all when the extension
 * unregisters.  The extension depends on uacce, never the other way
 * round, and a driver does not need it loaded.
 *
 * This is what the driver core's class_interface does for a class, with
 * two differences it cannot have: detach runs before anything of the
 * device is torn down, not from device_del(); and the extension may
 * remove uacce devices of its own from detach, which under the class's
 * mutex (held around every remove_dev, and taken by device_del() of any
 * device of the class) would deadlock.
 */
#include <linux/err.h>
#include <linux/list.h>
#include <linux/mutex.h>

#include "internal.h"

/*
 * Protects uacce_ext, uacce_ext_list and the ext_priv of every listed
 * device, and serialises attach and detach with each other.  Only devices
 * with ext_info take it, so the extension may remove devices of its own,
 * which have none, from its detach.
 */
static DEFINE_MUTEX(uacce_ext_lock);
static const struct uacce_extension *uacce_ext;
/* registered devices with ext_info, linked by uacce_device.ext_node */
static LIST_HEAD(uacce_ext_list);

static void uacce_ext_attach(struct uacce_device *uacce)
{
	void *priv;

	lockdep_assert_held(&uacce_ext_lock);

	if (!uacce_ext || uacce->ext_priv)
		return;
	priv = uacce_ext->attach(uacce);
	if (IS_ERR_OR_NULL(priv)) {
		dev_warn(&uacce->dev, "uacce: %s cannot extend it: %pe\n",
			 uacce_ext->name, priv ?: ERR_PTR(-EINVAL));
		return;
	}
	uacce->ext_priv = priv;
}

static void uacce_ext_detach(struct uacce_device *uacce)
{
	lockdep_assert_held(&uacce_ext_lock);

	if (uacce_ext && uacce->ext_priv)
		uacce_ext->detach(uacce, uacce->ext_priv);
	uacce->ext_priv = NULL;
}

/**
 * uacce_extension_offer() - a device was registered
 * @uacce: the device
 *
 * A device with ext_info is listed, and attached to the extension if one
 * is registered.
 */
void uacce_extension_offer(struct uacce_device *uacce)
{
	if (!uacce->ext_info)
		return;

	mutex_lock(&uacce_ext_lock);
	list_add_tail(&uacce->ext_node, &uacce_ext_list);
	uacce_ext_attach(uacce);
	mutex_unlock(&uacce_ext_lock);
}

/**
 * uacce_extension_withdraw() - a device is being removed
 * @uacce: the device, intact
 *
 * Detaches it from the extension and takes it off the list.
 */
void uacce_extension_withdraw(struct uacce_device *uacce)
{
	if (!uacce->ext_info)
		return;

	mutex_lock(&uacce_ext_lock);
	if (!list_empty(&uacce->ext_node)) {
		uacce_ext_detach(uacce);
		list_del_init(&uacce->ext_node);
	}
	mutex_unlock(&uacce_ext_lock);
}

/**
 * uacce_extension_register() - an extension arrives
 * @ext: its name and callbacks, which must stay valid until
 *	uacce_extension_unregister()
 *
 * Attaches every registered device that has ext_info, and those
 * registered later.  There is one extension at a time.
 *
 * Return: 0, -EINVAL if @ext lacks a callback, or -EBUSY if an extension
 * is already registered.
 */
int uacce_extension_register(const struct uacce_extension *ext)
{
	struct uacce_device *uacce;

	if (!ext || !ext->name || !ext->attach || !ext->detach) {
		pr_err("uacce: an extension needs a name, attach and detach\n");
		return -EINVAL;
	}

	mutex_lock(&uacce_ext_lock);
	if (uacce_ext) {
		pr_err("uacce: cannot register %s: %s is registered\n",
		       ext->name, uacce_ext->name);
		mutex_unlock(&uacce_ext_lock);
		return -EBUSY;
	}
	uacce_ext = ext;
	list_for_each_entry(uacce, &uacce_ext_list, ext_node)
		uacce_ext_attach(uacce);
	mutex_unlock(&uacce_ext_lock);
	return 0;
}
EXPORT_SYMBOL_GPL(uacce_extension_register);

/**
 * uacce_extension_unregister() - an extension leaves
 * @ext: what uacce_extension_register() registered
 *
 * Detaches every device.  None of @ext's callbacks is called after it
 * returns.
 */
void uacce_extension_unregister(const struct uacce_extension *ext)
{
	struct uacce_device *uacce;

	mutex_lock(&uacce_ext_lock);
	if (WARN_ON_ONCE(ext != uacce_ext)) {
		mutex_unlock(&uacce_ext_lock);
		return;
	}
	list_for_each_entry(uacce, &uacce_ext_list, ext_node)
		uacce_ext_detach(uacce);
	uacce_ext = NULL;
	mutex_unlock(&uacce_ext_lock);
}
EXPORT_SYMBOL_GPL(uacce_extension_unregister);
