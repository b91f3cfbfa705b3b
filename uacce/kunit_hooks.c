// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uacce object accounting, built with CONFIG_KUNIT only: live object
 * counts for test/kunit/uacce_test.c (kunit_hooks.h).  It calls nothing
 * in uacce, so every file that allocates can count.  The tests inject
 * faults with the kernel's fail-nth, not through hooks here; the
 * isolation clock is isolation.c's own, exported for the tests.
 */
#include <linux/atomic.h>
#include <linux/export.h>

#include "internal.h"

static atomic_t uacce_objects[UACCE_OBJ_NR];

void uacce_obj_count(enum uacce_obj obj, int delta)
{
	atomic_add(delta, &uacce_objects[obj]);
}

/**
 * uacce_kunit_objects() - number of live objects of a kind
 * @obj: the kind
 *
 * Return: how many exist now.
 */
int uacce_kunit_objects(enum uacce_obj obj)
{
	return atomic_read(&uacce_objects[obj]);
}
EXPORT_SYMBOL_NS_GPL(uacce_kunit_objects, WARPDRIVE_KUNIT);
