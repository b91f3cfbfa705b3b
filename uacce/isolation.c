// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uacce error isolation.  Drivers report hardware errors; when a device
 * has had isolate_strategy errors within an hour it is isolated: sysfs
 * "isolate" reads 1, open() fails with -EIO, START_Q too, and every open
 * queue reads UACCE_QSTATE_DEAD / UACCE_QREASON_ISOLATED in its status
 * word.  Isolation lasts until the device is removed.
 *
 * The last isolate_strategy error times are kept in a ring: the device
 * is isolated when the ring is full and its oldest entry is less than an
 * hour old.
 *
 * A device whose queues are another device's hardware (a slice of it)
 * names that device as its isolation parent: it is isolated when the
 * parent is, or at once if the parent already is.
 */
#include <kunit/visibility.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/time64.h>
#include <linux/workqueue.h>

#include "internal.h"

#define UACCE_ISOLATE_WINDOW_NS	((u64)3600 * NSEC_PER_SEC)

/**
 * struct uacce_isolation - error log and isolation state of a device
 * @lock: see below
 * @threshold: errors per hour that isolate the device, 0: never
 * @err_time: ring of the last @threshold error times (boot time, ns)
 * @err_next: slot of the next error in @err_time
 * @err_count: valid entries in @err_time
 * @isolated: the device is isolated
 * @shut_down: uacce_remove() started: no more broadcasts
 * @broadcast: publishes the isolation to the open queues and to the
 *	children, which needs uacce->mutex and @children_lock (process
 *	context)
 * @uacce: the device
 * @children_lock: see below
 * @children: isolation of the devices whose isolation parent this is
 * @child_node: entry in the parent's @children
 * @parent: the isolation parent, referenced, until uacce_remove()
 */
struct uacce_isolation {
	/* protects the fields up to @shut_down; irq-safe: errors come from any context */
	spinlock_t lock;
	u32 threshold;
	u64 *err_time;
	u32 err_next;
	u32 err_count;
	bool isolated;
	bool shut_down;
	struct work_struct broadcast;
	struct uacce_device *uacce;
	/*
	 * Protects @children and the children's @child_node: the broadcast
	 * walks the list while children come (uacce_alloc()) and go
	 * (uacce_remove()).  Taken before a child's @lock.
	 */
	struct mutex children_lock;
	struct list_head children;
	struct list_head child_node;
	struct uacce_device *parent;
};

static void uacce_isolation_mark(struct uacce_isolation *iso, const char *why);

static void uacce_isolation_broadcast(struct work_struct *work)
{
	struct uacce_isolation *iso = container_of(work, struct uacce_isolation,
						   broadcast);
	struct uacce_device *uacce = iso->uacce;
	struct uacce_isolation *child;
	struct uacce_queue *q;

	mutex_lock(&uacce->mutex);
	if (uacce->ops) {
		list_for_each_entry(q, &uacce->queues, list)
			uacce_queue_set_status(q, UACCE_QSTATE_DEAD,
					       UACCE_QREASON_ISOLATED);
		if (uacce->ops->isolate_changed)
			uacce->ops->isolate_changed(uacce, true);
	}
	mutex_unlock(&uacce->mutex);

	mutex_lock(&iso->children_lock);
	list_for_each_entry(child, &iso->children, child_node)
		uacce_isolation_mark(child, "its parent is isolated");
	mutex_unlock(&iso->children_lock);
}

int uacce_isolation_init(struct uacce_device *uacce)
{
	struct uacce_isolation *iso;

	iso = kzalloc_node(sizeof(*iso), GFP_KERNEL, dev_to_node(uacce->parent));
	if (!iso)
		return -ENOMEM;

	spin_lock_init(&iso->lock);
	INIT_WORK(&iso->broadcast, uacce_isolation_broadcast);
	iso->uacce = uacce;
	mutex_init(&iso->children_lock);
	INIT_LIST_HEAD(&iso->children);
	INIT_LIST_HEAD(&iso->child_node);
	uacce->isolation = iso;
	return 0;
}

/*
 * uacce_alloc(), once nothing can fail any more: @uacce follows @parent's
 * isolation until uacce_remove().
 */
void uacce_isolation_link(struct uacce_device *uacce,
			  struct uacce_device *parent)
{
	struct uacce_isolation *iso = uacce->isolation;
	struct uacce_isolation *piso = parent->isolation;
	bool isolated;

	get_device(&parent->dev);
	iso->parent = parent;
	mutex_lock(&piso->children_lock);
	list_add_tail(&iso->child_node, &piso->children);
	/*
	 * The parent's flag is set before its broadcast is queued, and the
	 * broadcast walks the list under this lock: either it finds us or
	 * we see the flag.
	 */
	isolated = READ_ONCE(piso->isolated);
	mutex_unlock(&piso->children_lock);
	if (isolated)
		uacce_isolation_mark(iso, "its parent is isolated");
}

/* uacce_remove(): stop publishing; no report may follow. */
void uacce_isolation_shutdown(struct uacce_device *uacce)
{
	struct uacce_isolation *iso = uacce->isolation;
	unsigned long flags;

	spin_lock_irqsave(&iso->lock, flags);
	iso->shut_down = true;
	spin_unlock_irqrestore(&iso->lock, flags);
	if (iso->parent) {
		mutex_lock(&iso->parent->isolation->children_lock);
		list_del_init(&iso->child_node);
		mutex_unlock(&iso->parent->isolation->children_lock);
		put_device(&iso->parent->dev);
		iso->parent = NULL;
	}
	cancel_work_sync(&iso->broadcast);
}

/* Device release: the last reference is gone. */
void uacce_isolation_free(struct uacce_device *uacce)
{
	struct uacce_isolation *iso = uacce->isolation;

	if (!iso)
		return;
	WARN_ON_ONCE(!list_empty(&iso->children));
	mutex_destroy(&iso->children_lock);
	kvfree(iso->err_time);
	kfree(iso);
	uacce->isolation = NULL;
}

/**
 * uacce_is_isolated() - whether the device was isolated after errors
 * @uacce: the device
 *
 * Return: true once the device has been isolated.
 */
bool uacce_is_isolated(struct uacce_device *uacce)
{
	return READ_ONCE(uacce->isolation->isolated);
}
EXPORT_SYMBOL_GPL(uacce_is_isolated);

u32 uacce_isolation_threshold(struct uacce_device *uacce)
{
	return READ_ONCE(uacce->isolation->threshold);
}

/**
 * uacce_isolation_set_threshold() - set errors per hour that isolate
 * @uacce: the device
 * @threshold: 0 (never isolate) to UACCE_MAX_ERR_THRESHOLD
 *
 * Forgets the errors logged so far; does not end an isolation.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int uacce_isolation_set_threshold(struct uacce_device *uacce, u32 threshold)
{
	struct uacce_isolation *iso = uacce->isolation;
	unsigned long flags;
	u64 *ring = NULL, *old;

	if (threshold > UACCE_MAX_ERR_THRESHOLD)
		return -EINVAL;
	if (threshold) {
		ring = kvcalloc(threshold, sizeof(*ring), GFP_KERNEL);
		if (!ring)
			return -ENOMEM;
	}

	spin_lock_irqsave(&iso->lock, flags);
	old = iso->err_time;
	iso->err_time = ring;
	WRITE_ONCE(iso->threshold, threshold);
	iso->err_next = 0;
	iso->err_count = 0;
	spin_unlock_irqrestore(&iso->lock, flags);

	kvfree(old);
	return 0;
}

/* Isolate the device of @iso now, for a reason other than its own errors. */
static void uacce_isolation_mark(struct uacce_isolation *iso, const char *why)
{
	unsigned long flags;
	bool isolate;

	spin_lock_irqsave(&iso->lock, flags);
	isolate = !iso->shut_down && !iso->isolated;
	if (isolate) {
		WRITE_ONCE(iso->isolated, true);
		schedule_work(&iso->broadcast);
	}
	spin_unlock_irqrestore(&iso->lock, flags);

	if (isolate)
		dev_warn(&iso->uacce->dev, "isolated: %s\n", why);
}

/**
 * uacce_isolation_record() - log a hardware error at a given time
 * @uacce: the device
 * @now_ns: boot time of the error, in ns, not before the previous one
 *
 * uacce_report_hw_error() with the clock made explicit; exported to the
 * KUnit suite only (kunit_hooks.h).
 *
 * Return: true if this error isolated the device.
 */
bool uacce_isolation_record(struct uacce_device *uacce, u64 now_ns)
{
	struct uacce_isolation *iso = uacce->isolation;
	bool isolate = false;
	unsigned long flags;
	u32 threshold;
	u64 oldest;

	spin_lock_irqsave(&iso->lock, flags);
	threshold = iso->threshold;
	if (iso->shut_down || iso->isolated || !threshold)
		goto out;

	iso->err_time[iso->err_next] = now_ns;
	iso->err_next = (iso->err_next + 1) % threshold;
	if (iso->err_count < threshold)
		iso->err_count++;
	if (iso->err_count < threshold)
		goto out;

	/* The ring is full: its oldest entry is the next to be overwritten. */
	oldest = iso->err_time[iso->err_next];
	if (now_ns - oldest < UACCE_ISOLATE_WINDOW_NS) {
		WRITE_ONCE(iso->isolated, true);
		schedule_work(&iso->broadcast);
		isolate = true;
	}
out:
	spin_unlock_irqrestore(&iso->lock, flags);

	if (isolate)
		dev_warn(&uacce->dev, "isolated: %u hardware errors within an hour\n",
			 threshold);
	return isolate;
}
EXPORT_SYMBOL_IF_KUNIT(uacce_isolation_record);

/**
 * uacce_isolation_flush() - wait until an isolation reached the queues
 * @uacce: the device
 *
 * For the KUnit suite (kunit_hooks.h).
 */
void uacce_isolation_flush(struct uacce_device *uacce)
{
	flush_work(&uacce->isolation->broadcast);
}
EXPORT_SYMBOL_IF_KUNIT(uacce_isolation_flush);

/**
 * uacce_report_hw_error() - report a hardware error of the device
 * @uacce: the device
 *
 * Counts the error against the device's isolate_strategy (errors per
 * hour); reaching it isolates the device.  A driver typically calls it
 * from its error interrupt or handler.
 *
 * Context: any context, before uacce_remove().
 */
void uacce_report_hw_error(struct uacce_device *uacce)
{
	uacce_isolation_record(uacce, ktime_get_boottime_ns());
}
EXPORT_SYMBOL_GPL(uacce_report_hw_error);
