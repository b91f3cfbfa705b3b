// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_engine: the scheduler, which shares a device's engines among its
 * queues.
 *
 * An engine takes one request at a time from a started queue with
 * pending work, so that a deep backlog on one queue cannot starve
 * another.  A queue is claimed by one engine at a time, which keeps its
 * completions in order and makes the engine the only writer of its ring
 * indices.
 *
 * Which queue: engine time is divided among tenants (struct uacce_tenant:
 * a process's queue, an access point, a VM) by weight.  Each tenant's
 * vtime grows by the engine time of its requests times
 * UACCE_WEIGHT_DEFAULT / weight; an engine takes the queue with work whose
 * tenant's vtime is least, the first in round-robin order among equals.
 * A tenant that was idle comes back at most WD_VTIME_CREDIT behind the
 * busiest pace (@vclock), so idleness is not saved up for a burst.
 *
 * The queues are the hardware queues of processes and access points
 * (struct wd_ring), and the queues of vfio-pci instances (struct
 * wd_mdev_vq): wd_mdev fetches, pins and completes a VM's requests, and
 * an engine executes them, in its turn, like any other queue's.
 *
 * Doorbell: while no engine watches the rings, because each awake one
 * executes a request, and one sleeps, every started hardware queue that
 * no engine has claimed has WD_RING_DEV_F_NEED_WAKEUP raised: a new
 * request there would otherwise wait for a busy engine while another
 * sleeps.  The engine whose step raised flags issues a full barrier and
 * looks at the rings once more; an application that sees the flag after
 * publishing its tail and a full barrier rings UACCE_CMD_WAKE_Q.  Either
 * the engine sees the new tail or the application sees the flag.  An
 * engine clears the flags before it posts a completion
 * (wd_sched_unbusy()), so the application's next request, which the
 * engine will find, does not ring.
 */
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/uacce.h>
#include <linux/wd_engine.h>
#include <linux/wd_mdev.h>

#include "internal.h"

/* How far behind the others an idle tenant's vtime may be when it returns */
#define WD_VTIME_CREDIT		(5 * NSEC_PER_MSEC)

static u32 wd_ring_read(struct wd_ring *ring, unsigned int offset)
{
	return le32_to_cpu(READ_ONCE(*wd_ring_ctrl(ring, offset)));
}

static void wd_ring_set_need_wakeup(struct wd_ring *ring, bool need)
{
	WRITE_ONCE(*wd_ring_ctrl(ring, WD_RING_CTRL_DEV_FLAGS),
		   cpu_to_le32(need ? WD_RING_DEV_F_NEED_WAKEUP : 0));
}

/*
 * A request is pending and its completion has room.  An sq_tail more than
 * a ring ahead, or a cq_head past cq_tail, is the application's protocol
 * error: the queue is then not served until it is fixed.
 */
static bool wd_ring_has_work(struct wd_ring *ring)
{
	u32 depth = ring->depth;
	u32 pending = wd_ring_read(ring, WD_RING_CTRL_SQ_TAIL) - ring->sq_head;
	u32 cq_used = ring->cq_tail - wd_ring_read(ring, WD_RING_CTRL_CQ_HEAD);

	return pending && pending <= depth && cq_used < depth;
}

static bool wd_ent_has_work(struct wd_sched_ent *ent)
{
	return ent->ring ? wd_ring_has_work(ent->ring) : ent->vq->has_work(ent->vq);
}

/**
 * wd_engines_kick() - make sure an engine looks at the rings
 * @wdev: the device
 *
 * Never blocks.
 */
void wd_engines_kick(struct wd_engine_dev *wdev)
{
	atomic_set(&wdev->kick, 1);
	wake_up(&wdev->engine_wq);
}
EXPORT_SYMBOL_GPL(wd_engines_kick);

/*
 * Under sched_lock: no engine watches the rings, as every awake one
 * executes a request, while one sleeps.
 */
static bool wd_sched_wanted(const struct wd_engine_dev *wdev)
{
	return wdev->nr_awake == wdev->nr_busy &&
	       wdev->nr_awake < wdev->nr_engines;
}

/*
 * Under sched_lock: raise or clear the NEED_WAKEUP flag of each started
 * hardware queue (a VM's doorbell always kicks: it has none).  A claimed
 * queue's engine looks at it again when done, so only the others need the
 * doorbell.  Returns true if a flag was raised.
 */
static bool wd_sched_update_flags(struct wd_engine_dev *wdev)
{
	bool wanted = wd_sched_wanted(wdev), raised = false;
	struct wd_sched_ent *ent;

	if (!wanted && !wdev->flags_raised)
		return false;
	list_for_each_entry(ent, &wdev->active, node) {
		bool need = wanted && !ent->claimed;

		if (!ent->ring || ent->need_wakeup == need)
			continue;
		ent->need_wakeup = need;
		wd_ring_set_need_wakeup(ent->ring, need);
		raised |= need;
	}
	wdev->flags_raised = wanted;
	if (raised)
		atomic64_inc(&wdev->need_wakeup);
	return raised;
}

/* Under sched_lock: a started queue nobody has claimed has work. */
static bool __wd_sched_any_work(struct wd_engine_dev *wdev)
{
	struct wd_sched_ent *ent;

	list_for_each_entry(ent, &wdev->active, node)
		if (!ent->claimed && wd_ent_has_work(ent))
			return true;
	return false;
}

/* A tenant back from idleness: bring its vtime within the credit. */
static void wd_tenant_catch_up(struct wd_engine_dev *wdev,
			       struct uacce_tenant *t)
{
	if (wdev->vclock > WD_VTIME_CREDIT &&
	    t->vtime < wdev->vclock - WD_VTIME_CREDIT)
		t->vtime = wdev->vclock - WD_VTIME_CREDIT;
}

/**
 * wd_sched_claim() - claim the queue an engine serves next
 * @wdev: the device
 *
 * Of the started, unclaimed queues with work, the one whose tenant has
 * the least vtime; among equals, the first in round-robin order.
 *
 * Return: the queue's scheduling state, claimed, or NULL if none has work.
 */
struct wd_sched_ent *wd_sched_claim(struct wd_engine_dev *wdev)
{
	struct wd_sched_ent *ent, *found = NULL;
	unsigned int ready = 0;
	bool help = false;

	spin_lock(&wdev->sched_lock);
	list_for_each_entry(ent, &wdev->active, node) {
		if (ent->claimed || !wd_ent_has_work(ent))
			continue;
		ready++;
		wd_tenant_catch_up(wdev, ent->tenant);
		if (!found || ent->tenant->vtime < found->tenant->vtime)
			found = ent;
	}
	if (found) {
		found->claimed = true;
		found->busy = true;
		wdev->nr_busy++;
		list_move_tail(&found->node, &wdev->active);
		wdev->vclock = max(wdev->vclock, found->tenant->vtime);
		help = ready > 1;
		if (wd_sched_update_flags(wdev)) {
			/* the flags before the tails: pairs with the application */
			smp_mb();
			help = __wd_sched_any_work(wdev);
		}
		help = help && wd_sched_wanted(wdev);
	}
	spin_unlock(&wdev->sched_lock);

	/* work for another engine, and none watches: wake a sleeping one */
	if (help)
		wd_engines_kick(wdev);
	return found;
}
EXPORT_SYMBOL_GPL(wd_sched_claim);

/* Under sched_lock: @ent's engine is done executing and watches again. */
static void __wd_sched_unbusy(struct wd_engine_dev *wdev,
			      struct wd_sched_ent *ent)
{
	if (ent->busy) {
		ent->busy = false;
		wdev->nr_busy--;
		wd_sched_update_flags(wdev);
	}
}

/**
 * wd_sched_unbusy() - an engine is about to post a request's completion
 * @wdev: the device
 * @ent: the queue's scheduling state, claimed
 *
 * Called by wd_serve() (serve.c) before it posts the completion: the
 * application's next request comes at once, and the engine will find it
 * without a doorbell.
 */
void wd_sched_unbusy(struct wd_engine_dev *wdev, struct wd_sched_ent *ent)
{
	spin_lock(&wdev->sched_lock);
	__wd_sched_unbusy(wdev, ent);
	spin_unlock(&wdev->sched_lock);
}
EXPORT_SYMBOL_GPL(wd_sched_unbusy);

/**
 * wd_sched_release() - an engine is done with a queue's request
 * @wdev: the device
 * @ent: the queue's scheduling state, claimed
 * @ns: engine time the request took, charged to the queue's tenant
 */
void wd_sched_release(struct wd_engine_dev *wdev, struct wd_sched_ent *ent,
		      u64 ns)
{
	struct uacce_tenant *t = ent->tenant;
	unsigned int weight = clamp_t(unsigned int, READ_ONCE(t->weight),
				      UACCE_WEIGHT_MIN, UACCE_WEIGHT_MAX);

	spin_lock(&wdev->sched_lock);
	t->vtime += div_u64(ns * UACCE_WEIGHT_DEFAULT, weight);
	atomic64_add(ns, &t->engine_ns);
	__wd_sched_unbusy(wdev, ent);
	ent->claimed = false;
	/*
	 * Under the lock: wd_sched_stop() sees the queue idle only once
	 * it is dropped, and may then free @ent (a vfio-pci queue's).
	 */
	if (!ent->started)
		wake_up(&ent->idle_wq);
	spin_unlock(&wdev->sched_lock);
}
EXPORT_SYMBOL_GPL(wd_sched_release);

/* A started queue nobody has claimed has work (internal.h). */
bool wd_sched_any_work(struct wd_engine_dev *wdev)
{
	bool work;

	spin_lock(&wdev->sched_lock);
	work = __wd_sched_any_work(wdev);
	spin_unlock(&wdev->sched_lock);
	return work;
}

/**
 * wd_sched_set_awake() - an engine wakes up or goes to sleep
 * @wdev: the device
 * @awake: it wakes up
 */
void wd_sched_set_awake(struct wd_engine_dev *wdev, bool awake)
{
	spin_lock(&wdev->sched_lock);
	if (awake)
		wdev->nr_awake++;
	else
		wdev->nr_awake--;
	wd_sched_update_flags(wdev);
	spin_unlock(&wdev->sched_lock);
}
EXPORT_SYMBOL_GPL(wd_sched_set_awake);

/**
 * wd_sched_init() - the scheduling state of a queue
 * @ent: the state
 * @ring: the rings of the hardware queue it is of, or NULL
 * @vq: the vfio-pci queue it is of, or NULL
 */
void wd_sched_init(struct wd_sched_ent *ent, struct wd_ring *ring,
		   struct wd_mdev_vq *vq)
{
	INIT_LIST_HEAD(&ent->node);
	init_waitqueue_head(&ent->idle_wq);
	ent->ring = ring;
	ent->vq = vq;
}
EXPORT_SYMBOL_GPL(wd_sched_init);

/**
 * wd_sched_start() - start serving a queue
 * @wdev: the device
 * @ent: the queue's scheduling state
 * @tenant: whose engine time its requests are; outlives the queue's
 *	service (until wd_sched_stop() returns)
 */
void wd_sched_start(struct wd_engine_dev *wdev, struct wd_sched_ent *ent,
		    struct uacce_tenant *tenant)
{
	spin_lock(&wdev->sched_lock);
	ent->tenant = tenant;
	wd_tenant_catch_up(wdev, tenant);
	ent->started = true;
	WRITE_ONCE(ent->stopping, false);
	list_add_tail(&ent->node, &wdev->active);
	if (ent->ring) {
		ent->need_wakeup = wd_sched_wanted(wdev);
		wd_ring_set_need_wakeup(ent->ring, ent->need_wakeup);
		if (ent->need_wakeup) {
			wdev->flags_raised = true;
			atomic64_inc(&wdev->need_wakeup);
		}
	}
	spin_unlock(&wdev->sched_lock);
	/* requests published before the start are served too */
	wd_engines_kick(wdev);
}
EXPORT_SYMBOL_GPL(wd_sched_start);

static bool wd_sched_idle(struct wd_engine_dev *wdev,
			  struct wd_sched_ent *ent)
{
	bool idle;

	spin_lock(&wdev->sched_lock);
	idle = !ent->claimed;
	spin_unlock(&wdev->sched_lock);
	return idle;
}

/**
 * wd_sched_stop() - stop serving a queue
 * @wdev: the device
 * @ent: the queue's scheduling state
 *
 * Aborts the request in progress, if any, and waits for its engine to
 * complete it and unpin its pages.
 */
void wd_sched_stop(struct wd_engine_dev *wdev, struct wd_sched_ent *ent)
{
	spin_lock(&wdev->sched_lock);
	if (ent->started) {
		ent->started = false;
		list_del_init(&ent->node);
	}
	WRITE_ONCE(ent->stopping, true);
	ent->need_wakeup = true;
	if (ent->ring)
		wd_ring_set_need_wakeup(ent->ring, true);
	spin_unlock(&wdev->sched_lock);
	wait_event(ent->idle_wq, wd_sched_idle(wdev, ent));
	WRITE_ONCE(ent->stopping, false);
}
EXPORT_SYMBOL_GPL(wd_sched_stop);

