// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive asynchronous requests: a session has depth slots; a
 * request takes one from wd_submit() until wd_poll() hands it back.
 * Whoever reaps the queue queues completed slots on the session's done
 * list; wd_poll() finishes them (copies, fallback, counters) and runs the
 * callbacks in the caller's thread.
 */
#include <errno.h>
#include <stdlib.h>

#include "comp_priv.h"

enum slot_state {
	SLOT_FREE,
	SLOT_HW,	/* on the device */
	SLOT_DONE,	/* on the done list */
};

/**
 * struct wd_aslot - one async request of a session
 * @hw: the request on the device (first: the completion hands it back)
 * @req: the caller's request
 * @c: the session
 * @q: the queue it runs on (a reference), NULL when software ran it
 * @xs: its input as the device sees it
 * @xd: its output as the device sees it
 * @state: enum slot_state
 * @why: why software ran it
 * @next: next on the free or done list
 */
struct wd_aslot {
	struct wd_inflight_req hw;
	struct wd_req *req;
	struct wd_comp *c;
	struct wd_queue *q;
	struct wd_xfer xs;
	struct wd_xfer xd;
	enum slot_state state;
	enum wd_reason why;
	struct wd_aslot *next;
};

/**
 * struct wd_async - the async requests of a session
 * @lock: protects @free, @done, @done_tail, @inflight and slot states
 * @slots: depth slots
 * @free: free slots
 * @done: completed, not yet returned by wd_poll(), oldest first
 * @done_tail: last of @done
 * @ndone: length of @done; read without the lock by waiters
 * @inflight: slots not free
 */
struct wd_async {
	pthread_mutex_t lock;
	struct wd_aslot *slots;
	struct wd_aslot *free;
	struct wd_aslot *done;
	struct wd_aslot *done_tail;
	atomic_uint ndone;
	unsigned int inflight;
};

/* The session's async state, made on first use; NULL: no memory. */
static struct wd_async *async_get(struct wd_comp *c)
{
	struct wd_async *a;

	/* made once, published with release: no lock once it exists */
	a = __atomic_load_n(&c->async, __ATOMIC_ACQUIRE);
	if (a)
		return a;
	pthread_mutex_lock(&c->lock);
	a = c->async;
	if (!a) {
		a = calloc(1, sizeof(*a));
		if (a)
			a->slots = calloc(c->depth, sizeof(*a->slots));
		if (a && !a->slots) {
			free(a);
			a = NULL;
		}
		if (a) {
			pthread_mutex_init(&a->lock, NULL);
			for (unsigned int i = c->depth; i-- > 0;) {
				a->slots[i].next = a->free;
				a->free = &a->slots[i];
			}
			__atomic_store_n(&c->async, a, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&c->lock);
	return a;
}

static struct wd_aslot *slot_take(struct wd_async *a)
{
	struct wd_aslot *s;

	pthread_mutex_lock(&a->lock);
	s = a->free;
	if (s) {
		a->free = s->next;
		a->inflight++;
		s->state = SLOT_HW;
	}
	pthread_mutex_unlock(&a->lock);
	return s;
}

/* With @a->lock held. */
static void slot_free(struct wd_async *a, struct wd_aslot *s)
{
	s->state = SLOT_FREE;
	s->next = a->free;
	a->free = s;
	a->inflight--;
}

static void slot_give(struct wd_async *a, struct wd_aslot *s)
{
	pthread_mutex_lock(&a->lock);
	slot_free(a, s);
	pthread_mutex_unlock(&a->lock);
}

static void slot_done(struct wd_async *a, struct wd_aslot *s)
{
	pthread_mutex_lock(&a->lock);
	s->state = SLOT_DONE;
	s->next = NULL;
	if (a->done_tail)
		a->done_tail->next = s;
	else
		a->done = s;
	a->done_tail = s;
	atomic_fetch_add_explicit(&a->ndone, 1, memory_order_release);
	pthread_mutex_unlock(&a->lock);
}

/* Called by whichever thread reaps the queue. */
static void hw_done(struct wd_inflight_req *hw)
{
	struct wd_aslot *s = (struct wd_aslot *)hw;

	slot_done(s->c->async, s);
}

/* Undoes wd_req_prep() for a request the ring did not take. */
static void unprep_hw(struct wd_aslot *s)
{
	wd_req_unprep(s->q, &s->xs, &s->xd);
	wd_queue_close(s->q);
	s->q = NULL;
}

/*
 * Submits the prepared slots @batch[0..@n).  Returns how many were taken:
 * fewer than @n when the ring is full (the others are released).  When
 * the queue is dead, its requests complete now (run_instead()) and count
 * as taken.
 */
static unsigned int flush_batch(struct wd_comp *c, struct wd_async *a,
				struct wd_aslot **batch, unsigned int n)
{
	struct wd_inflight_req *ops[32];
	unsigned int done = 0;

	while (done < n) {
		struct wd_queue *q = batch[done]->q;
		unsigned int k = 0;
		int ret;

		/* one call per run of slots on the same queue */
		while (done + k < n && batch[done + k]->q == q && k < 32) {
			ops[k] = &batch[done + k]->hw;
			k++;
		}
		ret = wd_inflight_submit(q, ops, k, &c->cnt);
		if (ret < 0) {
			for (unsigned int i = done; i < done + k; i++) {
				unprep_hw(batch[i]);
				wd_req_instead(c, batch[i]->req, ret);
				slot_done(a, batch[i]);
			}
			done += k;
			continue;
		}
		done += (unsigned int)ret;
		if ((unsigned int)ret < k)
			break;
	}
	for (unsigned int i = done; i < n; i++) {
		unprep_hw(batch[i]);
		slot_give(a, batch[i]);
	}
	return done;
}

WD_EXPORT int wd_submit(struct wd_comp *c, struct wd_req **reqs, unsigned int n)
{
	struct wd_aslot *batch[32];
	unsigned int nb = 0, taken = 0, k;
	struct wd_async *a;
	int ret = 0;

	if (!c || (n && !reqs))
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++)
		if (!reqs[i] || !wd_req_valid(reqs[i]))
			return -EINVAL;
	a = async_get(c);
	if (!a)
		return -ENOMEM;

	for (unsigned int i = 0; i < n; i++) {
		struct wd_req *r = reqs[i];
		enum wd_reason why;
		struct wd_aslot *s;
		struct wd_queue *q;

		s = slot_take(a);
		if (!s)
			break;
		s->req = r;
		s->c = c;
		ret = wd_comp_route(c, r->op, r->src_len, false, &q, &why);
		if (ret) {
			slot_give(a, s);
			break;
		}
		s->q = q;
		if (q) {
			ret = wd_req_prep(c, q, r, &s->hw, &s->xs, &s->xd);
			if (!ret) {
				s->hw.done_fn = hw_done;
				batch[nb++] = s;
				if (nb < WD_ARRAY_SIZE(batch))
					continue;
				k = flush_batch(c, a, batch, nb);
				taken += k;
				if (k < nb)
					goto out;	/* the ring is full */
				nb = 0;
				continue;
			}
			wd_queue_close(q);
			s->q = NULL;
			if (ret == -ENOMEM && c->policy == WD_POLICY_HW) {
				slot_give(a, s);
				break;	/* no shared memory now: poll first */
			}
		}
		/* it completes now: what was prepared before goes first */
		if (nb) {
			k = flush_batch(c, a, batch, nb);
			taken += k;
			if (k < nb) {
				slot_give(a, s);
				goto out;
			}
			nb = 0;
		}
		if (q)
			wd_req_instead(c, r, ret);
		else
			wd_req_soft(c, r, why);
		ret = 0;
		slot_done(a, s);
		taken++;
	}
	if (nb)
		taken += flush_batch(c, a, batch, nb);
out:
	if (!taken && ret)
		return ret;
	return (int)taken;
}

/* Completed requests waiting for wd_poll()? (no lock) */
static bool have_done(void *arg)
{
	struct wd_async *a = arg;

	return atomic_load_explicit(&a->ndone, memory_order_acquire) > 0;
}

/* Fills in the results of a request the device completed. */
static void finish_hw(struct wd_comp *c, struct wd_aslot *s)
{
	struct wd_queue *q = s->q;

	wd_req_finish(c, s->req, q, &s->hw, &s->xs, &s->xd);
	s->q = NULL;
	wd_queue_close(q);
}

/*
 * Hands back completed requests: callbacks run, the others go to @done
 * while there is room (or are dropped with @drop).  Returns how many.
 * A callback finds its request's slot free, to submit again; a request
 * returned in @done frees its slot under the next hold of the lock.
 */
static unsigned int deliver(struct wd_comp *c, struct wd_async *a,
			    struct wd_req **done, unsigned int max,
			    unsigned int *nd, bool drop)
{
	struct wd_aslot *give = NULL;
	unsigned int count = 0;

	for (;;) {
		struct wd_aslot *s;
		struct wd_req *r;

		/* nothing to hand back: no need for the lock */
		if (!give && !have_done(a))
			return count;
		pthread_mutex_lock(&a->lock);
		if (give)
			slot_free(a, give);
		give = NULL;
		s = a->done;
		if (s && !s->req->cb && !drop && *nd == max)
			s = NULL;	/* no room to return it: leave it */
		if (s) {
			a->done = s->next;
			if (!a->done)
				a->done_tail = NULL;
			atomic_fetch_sub_explicit(&a->ndone, 1,
						  memory_order_relaxed);
		}
		pthread_mutex_unlock(&a->lock);
		if (!s)
			return count;
		r = s->req;
		if (s->q)
			finish_hw(c, s);
		count++;
		if (r->cb) {
			slot_give(a, s);
			r->cb(r);
			continue;
		}
		give = s;
		if (!drop)
			done[(*nd)++] = r;
	}
}

/* The queue of some request still on the device, or NULL (a reference). */
static struct wd_queue *busy_queue(struct wd_comp *c, struct wd_async *a)
{
	struct wd_queue *q = NULL;

	pthread_mutex_lock(&a->lock);
	for (unsigned int i = 0; i < c->depth && !q; i++) {
		if (a->slots[i].state == SLOT_HW && a->slots[i].q) {
			q = a->slots[i].q;
			wd_queue_ref(q);
		}
	}
	pthread_mutex_unlock(&a->lock);
	return q;
}

static int poll_async(struct wd_comp *c, struct wd_req **done,
		      unsigned int max, unsigned int min, int timeout_ms,
		      bool drop)
{
	int64_t end = timeout_ms < 0 ? INT64_MAX :
		      wd_now_ns() + (int64_t)timeout_ms * 1000000;
	struct wd_async *a = __atomic_load_n(&c->async, __ATOMIC_ACQUIRE);
	unsigned int count = 0, nd = 0;

	if (!a)
		return 0;
	for (;;) {
		struct wd_queue *q = busy_queue(c, a);
		int64_t now;
		int ret;

		if (q && !have_done(a))
			wd_inflight_reap(q);
		count += deliver(c, a, done, max, &nd, drop);
		/* enough, nothing more to wait for, or no room to return more */
		if (count >= min || !q || (!drop && nd == max && have_done(a))) {
			wd_queue_close(q);
			return (int)count;
		}
		now = end == INT64_MAX ? 0 : wd_now_ns();
		if (now >= end) {
			wd_queue_close(q);
			return (int)count;
		}
		ret = wd_inflight_wait(q, have_done, a, end == INT64_MAX ? -1 :
				       (int)((end - now + 999999) / 1000000),
				       c->busy, &c->cnt);
		wd_queue_close(q);
		if (ret == -ETIMEDOUT)
			return (int)(count + deliver(c, a, done, max, &nd,
						     drop));
		/* woken by completions: hand them back before looking again */
		count += deliver(c, a, done, max, &nd, drop);
		if (count >= min || (!drop && nd == max && have_done(a)))
			return (int)count;
	}
}

WD_EXPORT int wd_poll(struct wd_comp *c, struct wd_req **done,
		      unsigned int max, unsigned int min, int timeout_ms)
{
	if (!c || (max && !done))
		return -EINVAL;
	return poll_async(c, done, max, min, timeout_ms, false);
}

WD_EXPORT unsigned int wd_inflight(const struct wd_comp *c)
{
	struct wd_async *a = __atomic_load_n(&c->async, __ATOMIC_ACQUIRE);
	unsigned int n;

	if (!a)
		return 0;
	pthread_mutex_lock(&a->lock);
	n = a->inflight;
	pthread_mutex_unlock(&a->lock);
	return n;
}

void wd_async_drain(struct wd_comp *c)
{
	struct wd_async *a = c->async;

	if (!a)
		return;
	while (wd_inflight(c))
		poll_async(c, NULL, 0, wd_inflight(c), -1, true);
	pthread_mutex_destroy(&a->lock);
	free(a->slots);
	free(a);
	c->async = NULL;
}
