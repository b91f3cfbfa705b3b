// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uacce test hooks, built with CONFIG_KUNIT only: fault injection points
 * and live object counts for test/kunit/uacce_test.c (kunit_hooks.h).
 *
 * Only the task that armed the injection is affected, so the suite can run
 * while other processes use uacce devices.
 */
#include <linux/atomic.h>
#include <linux/export.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

#include "internal.h"

/*
 * Protects the injection state: which task is armed, how many fault
 * points it still passes before one fails, and the site that failed.
 */
static DEFINE_SPINLOCK(uacce_fault_lock);
static struct task_struct *uacce_fault_task;
static unsigned int uacce_fault_countdown;
static const char *uacce_fault_fired;

static atomic_t uacce_objects[UACCE_OBJ_NR];

/**
 * uacce_fault() - a fault injection point
 * @site: what fails, for the test's messages
 *
 * Return: true if the caller must fail as if its allocation or step had.
 */
bool uacce_fault(const char *site)
{
	unsigned long flags;
	bool fail = false;

	if (likely(!READ_ONCE(uacce_fault_task)))
		return false;

	spin_lock_irqsave(&uacce_fault_lock, flags);
	if (uacce_fault_task == current && !--uacce_fault_countdown) {
		uacce_fault_task = NULL;
		uacce_fault_fired = site;
		fail = true;
	}
	spin_unlock_irqrestore(&uacce_fault_lock, flags);

	return fail;
}

void uacce_obj_count(enum uacce_obj obj, int delta)
{
	atomic_add(delta, &uacce_objects[obj]);
}

/**
 * uacce_kunit_fail_nth() - arm fault injection for the calling task
 * @n: the n-th fault point the task passes from now on fails; 0 disarms
 */
void uacce_kunit_fail_nth(unsigned int n)
{
	unsigned long flags;

	spin_lock_irqsave(&uacce_fault_lock, flags);
	uacce_fault_task = n ? current : NULL;
	uacce_fault_countdown = n;
	uacce_fault_fired = NULL;
	spin_unlock_irqrestore(&uacce_fault_lock, flags);
}
EXPORT_SYMBOL_NS_GPL(uacce_kunit_fail_nth, WARPDRIVE_KUNIT);

/**
 * uacce_kunit_fault_site() - the fault point that failed, if one did
 *
 * Also disarms the injection.
 *
 * Return: the site passed to uacce_fault(), or NULL.
 */
const char *uacce_kunit_fault_site(void)
{
	unsigned long flags;
	const char *site;

	spin_lock_irqsave(&uacce_fault_lock, flags);
	site = uacce_fault_fired;
	uacce_fault_task = NULL;
	spin_unlock_irqrestore(&uacce_fault_lock, flags);

	return site;
}
EXPORT_SYMBOL_NS_GPL(uacce_kunit_fault_site, WARPDRIVE_KUNIT);

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
