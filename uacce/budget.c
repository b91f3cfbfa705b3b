// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uacce queue budget: a device whose driver sets nr_queues before
 * uacce_register() has its queues counted by the core.  Every open()
 * takes one from the count before get_queue and gives it back after
 * put_queue, and a consumer outside the core (a module that hands slices
 * of the device to others, each with its own share of the queues) can set
 * several aside at once with uacce_reserve_queues().  Opens and
 * reservations draw on the same atomic count, free_queues, so together
 * they never ask the driver for more queues than it has.
 */
#include <linux/atomic.h>

#include "internal.h"

static bool uacce_budget_take(struct uacce_device *uacce, unsigned int n)
{
	int free = atomic_read(&uacce->free_queues);

	do {
		if ((unsigned int)free < n)
			return false;
	} while (!atomic_try_cmpxchg(&uacce->free_queues, &free, free - n));
	return true;
}

/**
 * uacce_queue_budget_get() - count a queue being opened
 * @uacce: the device
 *
 * Return: false if the device counts its queues and none is free.
 */
bool uacce_queue_budget_get(struct uacce_device *uacce)
{
	return !uacce->nr_queues || uacce_budget_take(uacce, 1);
}

/**
 * uacce_queue_budget_put() - a queue counted by uacce_queue_budget_get()
 *	was given back to the driver
 * @uacce: the device
 */
void uacce_queue_budget_put(struct uacce_device *uacce)
{
	if (uacce->nr_queues)
		atomic_inc(&uacce->free_queues);
}

/**
 * uacce_reserve_queues() - set queues of a device aside
 * @uacce: a registered device with nr_queues
 * @n: how many
 *
 * The reserved queues are no longer available to open() of @uacce, so the
 * driver has @n queues free for the caller's own use (for example the
 * opens of another uacce device sharing the driver's queues) until
 * uacce_unreserve_queues().
 *
 * Return: 0, -ENOSPC if fewer than @n queues are free, -EOPNOTSUPP if the
 * device does not count its queues, -EINVAL for @n == 0.
 */
int uacce_reserve_queues(struct uacce_device *uacce, unsigned int n)
{
	if (!uacce->nr_queues) {
		dev_dbg(&uacce->dev, "reserve: the device does not count its queues\n");
		return -EOPNOTSUPP;
	}
	if (!n || n > uacce->nr_queues) {
		dev_dbg(&uacce->dev, "reserve: %u of %u queues\n", n,
			uacce->nr_queues);
		return n ? -ENOSPC : -EINVAL;
	}
	if (!uacce_budget_take(uacce, n)) {
		dev_dbg(&uacce->dev, "reserve: %u queues wanted, %u free\n", n,
			uacce_free_queues(uacce));
		return -ENOSPC;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(uacce_reserve_queues);

/**
 * uacce_unreserve_queues() - give back queues uacce_reserve_queues() set
 *	aside
 * @uacce: the device
 * @n: how many; whatever used them must have given back all it had opened
 */
void uacce_unreserve_queues(struct uacce_device *uacce, unsigned int n)
{
	if (WARN_ON_ONCE(!uacce->nr_queues ||
			 atomic_read(&uacce->free_queues) + n >
			 uacce->nr_queues))
		return;
	atomic_add(n, &uacce->free_queues);
}
EXPORT_SYMBOL_GPL(uacce_unreserve_queues);
