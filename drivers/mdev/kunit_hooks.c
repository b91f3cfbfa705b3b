// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_mdev test hooks, built with CONFIG_KUNIT only: fault injection
 * points, live object counts and the module's load and unload for
 * test/kunit/wd_mdev_test.c (kunit_hooks.h).
 *
 * Only the task that armed the injection is affected, so the suite can run
 * while other processes use instances.
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
static DEFINE_SPINLOCK(wd_mdev_fault_lock);
static struct task_struct *wd_mdev_fault_task;
static unsigned int wd_mdev_fault_countdown;
static const char *wd_mdev_fault_fired;

static atomic_t wd_mdev_objects[WD_MDEV_OBJ_NR];

/**
 * wd_mdev_fault() - a fault injection point
 * @site: what fails, for the test's messages
 *
 * Return: true if the caller must fail as if its allocation or step had.
 */
bool wd_mdev_fault(const char *site)
{
	unsigned long flags;
	bool fail = false;

	if (likely(!READ_ONCE(wd_mdev_fault_task)))
		return false;

	spin_lock_irqsave(&wd_mdev_fault_lock, flags);
	if (wd_mdev_fault_task == current && !--wd_mdev_fault_countdown) {
		wd_mdev_fault_task = NULL;
		wd_mdev_fault_fired = site;
		fail = true;
	}
	spin_unlock_irqrestore(&wd_mdev_fault_lock, flags);

	return fail;
}

void wd_mdev_obj_count(enum wd_mdev_obj obj, int delta)
{
	atomic_add(delta, &wd_mdev_objects[obj]);
}

/**
 * wd_mdev_kunit_fail_nth() - arm fault injection for the calling task
 * @n: the n-th fault point the task passes from now on fails; 0 disarms
 */
void wd_mdev_kunit_fail_nth(unsigned int n)
{
	unsigned long flags;

	spin_lock_irqsave(&wd_mdev_fault_lock, flags);
	wd_mdev_fault_task = n ? current : NULL;
	wd_mdev_fault_countdown = n;
	wd_mdev_fault_fired = NULL;
	spin_unlock_irqrestore(&wd_mdev_fault_lock, flags);
}
EXPORT_SYMBOL_NS_GPL(wd_mdev_kunit_fail_nth, WARPDRIVE_KUNIT);

/**
 * wd_mdev_kunit_fault_site() - the fault point that failed, if one did,
 *	and disarm the injection
 *
 * Return: the site passed to wd_mdev_fault(), or NULL.
 */
const char *wd_mdev_kunit_fault_site(void)
{
	unsigned long flags;
	const char *site;

	spin_lock_irqsave(&wd_mdev_fault_lock, flags);
	site = wd_mdev_fault_fired;
	wd_mdev_fault_task = NULL;
	spin_unlock_irqrestore(&wd_mdev_fault_lock, flags);

	return site;
}
EXPORT_SYMBOL_NS_GPL(wd_mdev_kunit_fault_site, WARPDRIVE_KUNIT);

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

/**
 * wd_mdev_kunit_unload() - detach every accelerator, as rmmod would
 *
 * Every instance is removed.  Call wd_mdev_kunit_load() before the test
 * ends.
 */
void wd_mdev_kunit_unload(void)
{
	wd_mdev_unload();
}
EXPORT_SYMBOL_NS_GPL(wd_mdev_kunit_unload, WARPDRIVE_KUNIT);

/**
 * wd_mdev_kunit_load() - attach every accelerator, as insmod would
 *
 * Return: 0, or -EBUSY if they are attached already.
 */
int wd_mdev_kunit_load(void)
{
	return wd_mdev_load();
}
EXPORT_SYMBOL_NS_GPL(wd_mdev_kunit_load, WARPDRIVE_KUNIT);
