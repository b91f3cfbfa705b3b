// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uacce device ids: the minor of each device's char device, and the
 * minor -> device lookup of open().  device.c reserves, publishes,
 * withdraws and frees an id; queue.c looks it up.
 *
 * An id's entry is NULL (a reservation, in an allocating xarray) from
 * uacce_minor_alloc() until uacce_minor_publish(), and again from
 * uacce_minor_withdraw() until uacce_minor_free().
 */
#include <linux/device.h>
#include <linux/xarray.h>

#include "internal.h"

/*
 * The minor -> device map.  Its own lock makes a lookup and its
 * get_device() atomic with respect to uacce_remove()'s withdrawal.
 */
static DEFINE_XARRAY_ALLOC(uacce_xa);

/* Reserve an unused id in [0, @max] for @uacce->dev_id. */
int uacce_minor_alloc(struct uacce_device *uacce, u32 max)
{
	return xa_alloc(&uacce_xa, &uacce->dev_id, NULL, XA_LIMIT(0, max),
			GFP_KERNEL);
}

/* open() finds @uacce from now on. */
void uacce_minor_publish(struct uacce_device *uacce)
{
	/* The id is reserved, so storing into its slot needs no memory. */
	xa_store(&uacce_xa, uacce->dev_id, uacce, GFP_KERNEL);
}

/* No new open() finds @uacce, but its id stays reserved. */
void uacce_minor_withdraw(struct uacce_device *uacce)
{
	xa_store(&uacce_xa, uacce->dev_id, NULL, GFP_KERNEL);
}

/* The id, and with it the device number, may go to a new device. */
void uacce_minor_free(struct uacce_device *uacce)
{
	xa_erase(&uacce_xa, uacce->dev_id);
}

/**
 * uacce_get_by_minor() - find a registered device and take a reference
 * @minor: minor of the char device being opened
 *
 * Return: the device, or NULL if there is none (not registered, or
 * removed); put_device() the result.
 */
struct uacce_device *uacce_get_by_minor(unsigned int minor)
{
	struct uacce_device *uacce;

	xa_lock(&uacce_xa);
	uacce = xa_load(&uacce_xa, minor);
	if (uacce)
		get_device(&uacce->dev);
	xa_unlock(&uacce_xa);

	return uacce;
}
