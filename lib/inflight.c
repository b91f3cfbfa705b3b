// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: requests in flight on a queue shared by sessions and
 * threads (see inflight.h): slots, completion dispatch, leader/follower
 * waiting, and failing everything when the queue dies.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inflight.h"
#include "queue_priv.h"
#include "spin.h"

/*
 * Spinning reads the clock only every so many rounds: in a virtual machine
 * without a stable TSC a clock read is a system call.
 */
#define WD_SPIN_CHECK	64

#define REAP_BATCH	32

static void inflight_free_slots(struct wd_inflight *h)
{
	free(h->slots);
	free(h->seq);
	free(h->free);
	h->slots = NULL;
	h->seq = NULL;
	h->free = NULL;
}

int wd_inflight_init(struct wd_inflight *h, uint32_t depth)
{
	h->slots = calloc(depth, sizeof(*h->slots));
	h->seq = calloc(depth, sizeof(*h->seq));
	h->free = calloc(depth, sizeof(*h->free));
	if (!h->slots || !h->seq || !h->free) {
		inflight_free_slots(h);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < depth; i++)
		h->free[i] = depth - 1 - i;
	h->nfree = depth;
	wd_inflight_reinit(h);
	return 0;
}

/* In a forked child: the locks start unlocked, no thread is the leader. */
void wd_inflight_reinit(struct wd_inflight *h)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->cond, &ca);
	pthread_condattr_destroy(&ca);
	h->leader = false;
	h->nfollowers = 0;
}

/* Frees what wd_inflight_init() made, its lock and condition included. */
void wd_inflight_destroy(struct wd_inflight *h)
{
	inflight_free_slots(h);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->cond);
}

static void op_complete(struct wd_inflight_req *op)
{
	if (op->done_fn)
		op->done_fn(op);
	else
		atomic_store_explicit(&op->done, 1, memory_order_release);
}

/*
 * Followers re-check their condition after completions and when the
 * leader steps down; call unlocked, after the write that may satisfy
 * them.  With no follower (one thread per queue, the common case) this
 * takes no lock.  The full fence pairs with the one in follow(): either
 * we see the follower counted, or it sees our write (store buffering),
 * so no follower sleeps through it.  A follower counted holds @lock
 * until it sleeps on @cond, so the broadcast under @lock reaches it.
 */
static void wake_followers(struct wd_inflight *h)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&h->nfollowers, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&h->lock);
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

/* The queue died: every request in flight completes as aborted. */
static void fail_all(struct wd_queue *q, int err)
{
	struct wd_inflight *h = &q->inflight;
	struct wd_inflight_req *failed = NULL;
	uint32_t depth = q->info.ring_depth;

	pthread_mutex_lock(&h->lock);
	if (!h->dead)
		__atomic_store_n(&h->dead, err, __ATOMIC_RELAXED);
	for (uint32_t i = 0; i < depth; i++) {
		struct wd_inflight_req *op = h->slots[i];

		if (!op)
			continue;
		h->slots[i] = NULL;
		h->free[h->nfree++] = i;
		op->list = failed;
		failed = op;
	}
	pthread_mutex_unlock(&h->lock);
	while (failed) {
		struct wd_inflight_req *op = failed;

		failed = op->list;
		memset(&op->cqe, 0, sizeof(op->cqe));
		op->cqe.user_data = op->sqe.user_data;
		/* the class's ABORTED, where its completions keep the status */
		memcpy((char *)&op->cqe + q->proto->cqe_status,
		       &q->proto->sts_aborted, sizeof(q->proto->sts_aborted));
		op_complete(op);
	}
	wake_followers(h);
}

int wd_inflight_dead(struct wd_queue *q)
{
	/* set once, under the lock; a stale read only delays noticing */
	return __atomic_load_n(&q->inflight.dead, __ATOMIC_RELAXED);
}

bool wd_inflight_has_room(struct wd_queue *q)
{
	return __atomic_load_n(&q->inflight.nfree, __ATOMIC_RELAXED) > 0;
}

int wd_inflight_submit(struct wd_queue *q, struct wd_inflight_req **ops,
		       unsigned int n, struct wd_counters *cnt)
{
	struct wd_inflight *h = &q->inflight;
	const void *sqes[REAP_BATCH];
	uint32_t slot[REAP_BATCH];
	unsigned int k, taken;
	int ret;

	if (n > REAP_BATCH)
		n = REAP_BATCH;
	/*
	 * Slots are taken and the ring filled under one hold of the lock, so
	 * that fail_all() never sees a request that is not in the ring yet.
	 */
	pthread_mutex_lock(&h->lock);
	ret = h->dead;
	k = ret ? 0 : WD_MIN(n, h->nfree);
	for (unsigned int i = 0; i < k; i++) {
		uint32_t s = h->free[--h->nfree];

		h->seq[s]++;
		h->slots[s] = ops[i];
		slot[i] = s;
		atomic_store_explicit(&ops[i]->done, 0, memory_order_relaxed);
		ops[i]->sqe.user_data = (uint64_t)h->seq[s] << 32 | s;
		sqes[i] = &ops[i]->sqe;
	}
	if (k)
		ret = wd_queue_submit_ptrs(q, sqes, k, cnt);
	taken = ret < 0 ? 0 : (unsigned int)ret;
	/* every slot is a ring entry, so only a dead queue refuses */
	for (unsigned int i = taken; i < k; i++) {
		h->slots[slot[i]] = NULL;
		h->free[h->nfree++] = slot[i];
	}
	pthread_mutex_unlock(&h->lock);
	if (ret < 0 && ret != -ECHILD)
		fail_all(q, ret);
	return ret < 0 ? ret : (int)taken;
}

/* Reaps one batch and completes its requests; returns how many. */
static int reap_batch(struct wd_queue *q)
{
	struct wd_inflight *h = &q->inflight;
	union wd_cqe cqes[REAP_BATCH];
	struct wd_inflight_req *done[REAP_BATCH];
	uint32_t depth = q->info.ring_depth;
	int n, m = 0;

	n = wd_ring_reap(q, cqes, REAP_BATCH);
	if (n < 0)
		return n;
	if (!n)
		return 0;
	pthread_mutex_lock(&h->lock);
	for (int i = 0; i < n; i++) {
		uint32_t s = (uint32_t)cqes[i].zip.user_data;
		uint32_t seq = (uint32_t)(cqes[i].zip.user_data >> 32);
		struct wd_inflight_req *op;

		/* a completion that names no request of ours is dropped */
		if (s >= depth || !h->slots[s] || h->seq[s] != seq) {
			wd_count_error(NULL);
			continue;
		}
		op = h->slots[s];
		h->slots[s] = NULL;
		h->free[h->nfree++] = s;
		memcpy(&op->cqe, &cqes[i], sizeof(cqes[i]));
		done[m++] = op;
	}
	pthread_mutex_unlock(&h->lock);
	for (int i = 0; i < m; i++)
		op_complete(done[i]);
	wake_followers(h);
	return n;
}

/* Takes the leader role if it is free; the reaping it guards follows. */
static bool lead(struct wd_inflight *h)
{
	bool free_ = false;

	return __atomic_compare_exchange_n(&h->leader, &free_, true, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* Leaves the leader role; a follower waiting for it takes it. */
static void step_down(struct wd_inflight *h)
{
	__atomic_store_n(&h->leader, false, __ATOMIC_RELEASE);
	wake_followers(h);
}

/* Checks the queue's status word; fails everything if it died. */
static bool check_alive(struct wd_queue *q)
{
	int err = wd_queue_check(q);

	if (!err)
		return true;
	fail_all(q, err);
	return false;
}

void wd_inflight_reap(struct wd_queue *q)
{
	if (wd_queue_stale(q))
		return;
	/* nothing published: only see whether the queue died */
	if (!wd_ring_ready(q)) {
		check_alive(q);
		return;
	}
	if (!lead(&q->inflight))
		return;
	while (reap_batch(q) > 0)
		;
	check_alive(q);
	step_down(&q->inflight);
}

/*
 * Follows until the condition holds or the leader role is free; with the
 * lock held on entry and exit.  Returns 1 if the condition holds, 0 if
 * the caller is now the leader, -ETIMEDOUT.
 *
 * The follower is counted before it looks, with a full fence between:
 * see wake_followers() for the other half.
 */
static int follow(struct wd_inflight *h, wd_wait_pred pred, void *arg,
		  const struct timespec *deadline)
{
	int ret = 0;

	__atomic_fetch_add(&h->nfollowers, 1, __ATOMIC_RELAXED);
	for (;;) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (pred(arg)) {
			ret = 1;
			break;
		}
		if (lead(h))
			break;
		if (deadline) {
			if (pthread_cond_timedwait(&h->cond, &h->lock,
						   deadline) == ETIMEDOUT &&
			    !pred(arg)) {
				ret = -ETIMEDOUT;
				break;
			}
		} else {
			pthread_cond_wait(&h->cond, &h->lock);
		}
	}
	__atomic_fetch_sub(&h->nfollowers, 1, __ATOMIC_RELAXED);
	return ret;
}

int wd_inflight_wait(struct wd_queue *q, wd_wait_pred pred, void *arg,
		     int timeout_ms, bool busy, struct wd_counters *cnt)
{
	struct wd_inflight *h = &q->inflight;
	int64_t end = INT64_MAX, spin_until = 0, first = 0;
	struct timespec deadline;
	unsigned int spins = 0;
	bool slept = false;
	int ret;

	if (pred(arg))
		return 0;
	if (timeout_ms >= 0) {
		end = wd_now_ns() + (int64_t)timeout_ms * 1000000;
		deadline.tv_sec = end / 1000000000;
		deadline.tv_nsec = end % 1000000000;
	}
	/* lead if nobody does: only a follower needs the lock */
	if (!lead(h)) {
		pthread_mutex_lock(&h->lock);
		ret = follow(h, pred, arg, timeout_ms < 0 ? NULL : &deadline);
		pthread_mutex_unlock(&h->lock);
		if (ret)
			return ret > 0 ? 0 : ret;
	}

	/* leader: reap until the condition holds */
	ret = 0;
	for (;;) {
		int64_t t;
		int n = reap_batch(q);

		if (pred(arg))
			break;
		if (n > 0)
			continue;
		if (n < 0 || !check_alive(q)) {
			if (n < 0)
				fail_all(q, n);
			if (pred(arg))
				break;
			/* nothing left in flight can make it true */
			ret = -ECANCELED;
			break;
		}
		/*
		 * A wait that may sleep times its spin from its first empty
		 * look; a busy one only watches the deadline.
		 */
		if (++spins % WD_SPIN_CHECK && (busy || spin_until)) {
			wd_spin_hint();
			continue;
		}
		t = wd_now_ns();
		if (!spin_until) {
			first = t;
			spin_until = busy || wd_spin_pays(&h->spin) ?
				     t + WD_SPIN_NS : t;
		}
		if (t >= end) {
			ret = -ETIMEDOUT;
			break;
		}
		if (busy || t < spin_until)
			continue;
		slept = true;
		n = wd_queue_wait_counted(q, end == INT64_MAX ? -1 :
					  (int)((end - t + 999999) / 1000000),
					  cnt);
		if (n && n != -ETIMEDOUT && n != -EINTR)
			fail_all(q, n);
	}
	/*
	 * A wait that found its condition at once says nothing of spinning;
	 * one that slept was long if it outlasted WD_SPIN_LONG_NS (the
	 * sleep itself, not the request, may have made a short one miss
	 * the spin: an engine left alone falls back to slower polling).
	 */
	if (!busy && !ret && spin_until)
		wd_spin_note(&h->spin,
			     slept && wd_now_ns() - first > WD_SPIN_LONG_NS);
	step_down(h);
	return ret;
}

static bool has_room(void *arg)
{
	return wd_inflight_has_room(arg) || wd_inflight_dead(arg);
}

int wd_inflight_submit_wait(struct wd_queue *q, struct wd_inflight_req *op,
			    bool busy, struct wd_counters *cnt)
{
	for (;;) {
		struct wd_inflight_req *ops[1] = { op };
		int ret = wd_inflight_submit(q, ops, 1, cnt);

		if (ret)
			return ret < 0 ? ret : 0;
		/* every slot is in use: wait for a completion */
		ret = wd_inflight_wait(q, has_room, q, -1, busy, cnt);
		if (ret && ret != -ECANCELED)
			return ret;
		ret = wd_inflight_dead(q);
		if (ret)
			return ret;
	}
}

static bool op_done(void *arg)
{
	struct wd_inflight_req *op = arg;

	return atomic_load_explicit(&op->done, memory_order_acquire);
}

int wd_inflight_wait_op(struct wd_queue *q, struct wd_inflight_req *op,
			bool busy, struct wd_counters *cnt)
{
	int ret = wd_inflight_wait(q, op_done, op, -1, busy, cnt);

	/* a dead queue completed it as aborted: that is its result */
	return ret == -ECANCELED && op_done(op) ? 0 : ret;
}
