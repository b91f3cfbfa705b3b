// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The queue's status word: the one writer of the struct uacce_queue_status
 * that user space reads.  The queue state machine (queue.c), isolation
 * (isolation.c) and drivers publish through it; it calls nothing else in
 * uacce, so each of them can.
 *
 * q->status_lock, irq-safe, comes after the queue's other locks (queue.c's
 * lock order) and is taken in any context.
 */
#include <linux/export.h>
#include <linux/spinlock.h>

#include "internal.h"

/**
 * uacce_queue_set_status() - publish the queue's state in its status word
 * @q: the queue
 * @state: UACCE_QSTATE_*
 * @reason: UACCE_QREASON_*
 *
 * Writes @reason, then @state with release semantics, into the struct
 * uacce_queue_status the driver pointed @q->status to.  Once the queue has
 * been declared UACCE_QSTATE_DEAD, later calls change nothing.  The core
 * calls it on every state change; a driver may too, for example to report
 * a hardware error on one queue.
 *
 * Context: any context, between the driver's get_queue and put_queue.
 */
void uacce_queue_set_status(struct uacce_queue *q, u32 state, u32 reason)
{
	unsigned long flags;

	spin_lock_irqsave(&q->status_lock, flags);
	if (q->status_state != UACCE_QSTATE_DEAD) {
		q->status_state = state;
		if (q->status) {
			WRITE_ONCE(q->status->reason, reason);
			/* pairs with user space's load-acquire of state */
			smp_store_release(&q->status->state, state);
		}
	}
	spin_unlock_irqrestore(&q->status_lock, flags);
}
EXPORT_SYMBOL_GPL(uacce_queue_set_status);
