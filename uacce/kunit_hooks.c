// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uacce test hooks, built with CONFIG_KUNIT only: live object counts and
 * the isolation clock for test/kunit/uacce_test.c (kunit_hooks.h).  The
 * tests inject faults with the kernel's fail-nth, not through hooks here.
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

/**
 * uacce_kunit_report_hw_error_at() - uacce_report_hw_error() at a given time
 * @uacce: the device
 * @now_ns: boot time of the error in ns, not before the previous error
 *
 * Return: true if this error isolated the device.
 */
bool uacce_kunit_report_hw_error_at(struct uacce_device *uacce, u64 now_ns)
{
	return uacce_isolation_record(uacce, now_ns);
}
EXPORT_SYMBOL_NS_GPL(uacce_kunit_report_hw_error_at, WARPDRIVE_KUNIT);

/**
 * uacce_kunit_flush_isolation() - wait until an isolation reached the queues
 * @uacce: the device
 */
void uacce_kunit_flush_isolation(struct uacce_device *uacce)
{
	uacce_isolation_flush(uacce);
}
EXPORT_SYMBOL_NS_GPL(uacce_kunit_flush_isolation, WARPDRIVE_KUNIT);
