// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_mdev test hooks, built with CONFIG_KUNIT only: live object counts
 * for test/kunit/wd_mdev_test.c (kunit_hooks.h).  The tests inject faults
 * with the kernel's fail-nth, not through hooks here.
 */
#include <linux/atomic.h>
#include <linux/export.h>

#include "internal.h"

static atomic_t wd_mdev_objects[WD_MDEV_OBJ_NR];

void wd_mdev_obj_count(enum wd_mdev_obj obj, int delta)
{
	atomic_add(delta, &wd_mdev_objects[obj]);
}

/**
 * wd_mdev_kunit_objects() - number of live objects of a kind
 * @obj: the kind
 *
 * Return: how many exist now.
 */
int wd_mdev_kunit_objects(enum wd_mdev_obj obj)
{
	return atomic_read(&wd_mdev_objects[obj]);
}
EXPORT_SYMBOL_NS_GPL(wd_mdev_kunit_objects, WARPDRIVE_KUNIT);
