// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive queue layer: the queue object that sessions and threads
 * share.  A queue is its rings (ring.c) and the table of its requests in
 * flight (inflight.c); this file opens, references and closes the two
 * together and carries both across fork().  Neither layer below calls
 * back into this one.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "guard.h"
#include "inflight.h"
#include "internal.h"
#include "queue_priv.h"

atomic_uint wd_fork_gen;

/*
 * queues_lock protects queues (every open queue, for the fork handlers),
 * and is held from a queue's file's open to its listing and from its
 * unlisting to the file's close: a fork() in either gap would leave the
 * child a descriptor no handler sees, holding the parent's hardware queue
 * for the child's life.
 */
static pthread_mutex_t queues_lock = PTHREAD_MUTEX_INITIALIZER;
static struct wd_queue *queues;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/*
 * The library's global locks are held across fork() so that a child never
 * inherits one locked, in the order the library nests them: shared.c's
 * shared_lock (held while the shared queue opens or closes; its own
 * handlers), then queues_lock (opening, listing, closing a queue), then
 * guard.c's table_lock (watching a queue's mappings), both by these.
 * POSIX runs prepare handlers in the reverse order of their registration,
 * so these are registered first (wd_fork_init(), which shared.c calls
 * before it registers its own).  A fork() waits for a queue's open or
 * close in progress, system calls included (PUT_Q may wait for the
 * engine to finish the queue's requests).
 */
static void fork_prepare(void)
{
	pthread_mutex_lock(&queues_lock);
	wd_guard_lock_fork();
}

static void fork_parent(void)
{
	wd_guard_unlock_fork();
	pthread_mutex_unlock(&queues_lock);
}

/*
 * In the child: each layer lets go of the parent's queue its own way (the
 * rings close the file, the in-flight table starts with unlocked locks
 * and no leader), so that the child can fail what the parent had in
 * flight and open queues of its own.
 */
static void fork_child(void)
{
	for (struct wd_queue *q = queues; q; q = q->list) {
		wd_ring_forked(q);
		wd_inflight_reinit(&q->inflight);
		pthread_mutex_init(&q->slot_lock, NULL);
	}
	wd_guard_forget_all();
	atomic_fetch_add(&wd_fork_gen, 1);
	wd_guard_unlock_fork();
	pthread_mutex_unlock(&queues_lock);
}

static void atfork_register(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void wd_fork_init(void)
{
	pthread_once(&atfork_once, atfork_register);
}

/* The numbered slots the class's register announces (vcrypt's keys). */
static int queue_slots_init(struct wd_queue *q)
{
	uint32_t n;

	pthread_mutex_init(&q->slot_lock, NULL);
	if (!q->proto->slots_reg)
		return 0;
	n = wd_ring_reg(q, q->proto->slots_reg);
	if (!n || n > 65536)
		return -EPROTO;
	q->slot_map = calloc((n + 63) / 64, sizeof(*q->slot_map));
	if (!q->slot_map)
		return -ENOMEM;
	q->nslots = n;
	return 0;
}

static void queue_slots_destroy(struct wd_queue *q)
{
	free(q->slot_map);
	q->slot_map = NULL;
	pthread_mutex_destroy(&q->slot_lock);
}

int wd_queue_slot_get(struct wd_queue *q)
{
	int ret = -ENOSPC;

	if (!q->slot_map)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&q->slot_lock);
	for (uint32_t i = 0; i < q->nslots; i++) {
		if (!(q->slot_map[i / 64] & (1ULL << (i % 64)))) {
			q->slot_map[i / 64] |= 1ULL << (i % 64);
			ret = (int)i;
			break;
		}
	}
	pthread_mutex_unlock(&q->slot_lock);
	return ret;
}

void wd_queue_slot_put(struct wd_queue *q, unsigned int slot)
{
	if (!q->slot_map || slot >= q->nslots)
		return;
	pthread_mutex_lock(&q->slot_lock);
	q->slot_map[slot / 64] &= ~(1ULL << (slot % 64));
	pthread_mutex_unlock(&q->slot_lock);
}

/* Opens one device's queue; -EBUSY when it has no free queue. */
static int queue_open_dev(const struct wd_ring_proto *proto,
			  const char *name, struct wd_queue **qp)
{
	struct wd_queue *q;
	int ret;

	/* before any lock the fork handlers take can be held */
	wd_fork_init();
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->proto = proto;
	pthread_mutex_lock(&queues_lock);
	ret = wd_ring_open(q, name);
	if (ret)
		goto unlock;
	ret = queue_slots_init(q);
	if (ret)
		goto free_slots;
	ret = wd_inflight_init(&q->inflight, q->info.ring_depth);
	if (ret)
		goto free_slots;
	atomic_init(&q->refs, 1);
	q->list = queues;
	queues = q;
	pthread_mutex_unlock(&queues_lock);
	*qp = q;
	return 0;

free_slots:
	queue_slots_destroy(q);
	wd_ring_close(q);
unlock:
	pthread_mutex_unlock(&queues_lock);
	free(q);
	return ret;
}

int wd_queue_open_why(struct wd_queue **qp, const struct wd_ring_proto *proto,
		      const struct wd_queue_params *params,
		      enum wd_reason *why)
{
	struct wd_device cand[WD_MAX_DEVICES];
	int n, ret = -ENODEV;

	if (!qp)
		return -EINVAL;
	n = wd_device_pick(proto, params, cand, WD_MAX_DEVICES, why);
	if (n < 0)
		return n;
	if (!n)
		return *why == WD_REASON_NO_QUEUE ? -EBUSY : -ENODEV;
	for (int i = 0; i < n; i++) {
		ret = queue_open_dev(proto, cand[i].name, qp);
		if (!ret) {
			*why = WD_REASON_NONE;
			return 0;
		}
	}
	/* the last error says it: all busy, isolated, gone, or not ours */
	*why = ret == -EBUSY ? WD_REASON_NO_QUEUE :
	       ret == -EIO ? WD_REASON_ISOLATED : WD_REASON_NO_DEVICE;
	return ret == -EIO ? -ENODEV : ret;
}

WD_EXPORT int wd_queue_open(struct wd_queue **qp,
			    const struct wd_queue_params *params)
{
	enum wd_reason why;

	return wd_queue_open_why(qp, &wd_vzip_ring, params, &why);
}

/* With queues_lock held. */
static void queue_unlist(struct wd_queue *q)
{
	for (struct wd_queue **pp = &queues; *pp; pp = &(*pp)->list) {
		if (*pp == q) {
			*pp = q->list;
			break;
		}
	}
}

void wd_queue_ref(struct wd_queue *q)
{
	atomic_fetch_add_explicit(&q->refs, 1, memory_order_relaxed);
}

WD_EXPORT void wd_queue_close(struct wd_queue *q)
{
	if (!q || atomic_fetch_sub(&q->refs, 1) != 1)
		return;
	pthread_mutex_lock(&queues_lock);
	queue_unlist(q);
	/* the rings first: stopping the queue aborts what is in flight */
	wd_ring_close(q);
	pthread_mutex_unlock(&queues_lock);
	wd_inflight_destroy(&q->inflight);
	queue_slots_destroy(q);
	free(q);
}
