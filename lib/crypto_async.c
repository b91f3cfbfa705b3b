// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive crypto async front end: wd_crypto_submit() and
 * wd_crypto_poll().  Each request takes a place in the session's done
 * list (up to the session's depth) when it is submitted.  One that runs
 * on the device in one descriptor is started there (crypto_hw.c) and its
 * completion, reaped by whichever thread waits on the queue, fills its
 * place; one that runs in software, or on the device in pieces, runs as a
 * one-shot request would (wd_crypto_exec()) before wd_crypto_submit()
 * returns.  wd_crypto_poll() delivers what is complete and, while
 * requests are in flight on the device, reaps the queue.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>

#include "crypto_priv.h"

/* Puts @r in the place reserved for it; with s->lock held. */
static void place(struct wd_crypto *s, struct wd_crypto_req *r)
{
	for (unsigned int j = 0; j < s->ndone; j++) {
		if (!s->done[j]) {
			s->done[j] = r;
			return;
		}
	}
}

/* Frees the device requests whose callback ran; with s->lock held. */
static void free_finished(struct wd_crypto *s)
{
	while (s->finished) {
		struct wd_chw_op *o = s->finished;

		s->finished = o->next;
		wd_queue_close(o->hw.q);
		free(o);
	}
}

/* A device request completed (in the thread that reaped it). */
static void hw_done(struct wd_chw_op *o, int ret)
{
	struct wd_crypto *s = o->priv;
	struct wd_crypto_req *r = (struct wd_crypto_req *)o->r;

	wd_crypto_hw_result(s, r, ret, o->produced);
	pthread_mutex_lock(&s->lock);
	place(s, r);
	/* its queue reference is dropped later, not under the reaper */
	o->next = s->finished;
	s->finished = o;
	atomic_fetch_sub(&s->hw_pending, 1);
	pthread_mutex_unlock(&s->lock);
}

/* Starts @r on the device of @hw, else runs it now; takes @hw->q. */
static void start(struct wd_crypto *s, struct wd_crypto_req *r,
		  struct wd_chw *hw)
{
	struct wd_chw_op *o = calloc(1, sizeof(*o));
	int ret = -ENOMEM;

	if (o) {
		o->hw = *hw;
		o->done = hw_done;
		o->priv = s;
		pthread_mutex_lock(&s->lock);
		if (s->aq != hw->q) {
			wd_queue_close(s->aq);
			wd_queue_ref(hw->q);
			s->aq = hw->q;
		}
		atomic_fetch_add(&s->hw_pending, 1);
		pthread_mutex_unlock(&s->lock);
		ret = wd_chw_submit(o, r);
		if (!ret)
			return;
		atomic_fetch_sub(&s->hw_pending, 1);
		free(o);
	}
	wd_queue_close(hw->q);
	if (ret == -E2BIG) {
		/* in pieces (or through a bounce): as a one-shot request */
		wd_crypto_exec(s, r);
	} else {
		wd_crypto_hw_result(s, r, ret, 0);
	}
	pthread_mutex_lock(&s->lock);
	place(s, r);
	pthread_mutex_unlock(&s->lock);
}

WD_EXPORT int wd_crypto_submit(struct wd_crypto *s,
			       struct wd_crypto_req **reqs, unsigned int n)
{
	enum wd_reason why;
	struct wd_chw hw;
	unsigned int i;
	int ret;

	if (!s || (!reqs && n))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!reqs[i])
			return -EINVAL;
	/* policy hw without a usable device: take none */
	if (s->policy == WD_POLICY_HW) {
		ret = wd_crypto_route(s, SIZE_MAX, 0, 0, 0, &hw, &why);
		if (ret)
			return ret;
		wd_queue_close(hw.q);
	}
	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&s->lock);
		free_finished(s);
		if (s->ndone >= s->depth) {
			pthread_mutex_unlock(&s->lock);
			break;
		}
		/* reserve the slot; the request is the library's from here */
		s->done[s->ndone++] = NULL;
		pthread_mutex_unlock(&s->lock);
		if (wd_crypto_prepare(s, reqs[i], &hw, &why)) {
			/* bad arguments, or policy hw's error: complete */
		} else if (hw.q) {
			start(s, reqs[i], &hw);
			continue;
		} else {
			wd_crypto_exec(s, reqs[i]);
		}
		pthread_mutex_lock(&s->lock);
		place(s, reqs[i]);
		pthread_mutex_unlock(&s->lock);
	}
	return (int)i;
}

struct wait_arg {
	struct wd_crypto *s;
	unsigned int seen;
};

static bool any_done(void *arg)
{
	struct wait_arg *a = arg;

	/* any change in what is in flight: look at the list again */
	return atomic_load(&a->s->hw_pending) != a->seen;
}

/*
 * Waits until a device request completes or @end passes; without the
 * lock.  Returns -ETIMEDOUT at @end.
 */
static int wait_hw(struct wd_crypto *s, int64_t end, bool forever)
{
	struct wait_arg arg = { s, atomic_load(&s->hw_pending) };
	int64_t now = wd_now_ns();
	struct wd_queue *q;
	int ret;

	if (!arg.seen) {
		/* another thread's software request is finishing */
		sched_yield();
		return !forever && now >= end ? -ETIMEDOUT : 0;
	}
	pthread_mutex_lock(&s->lock);
	q = s->aq;
	if (q)
		wd_queue_ref(q);
	pthread_mutex_unlock(&s->lock);
	if (!q) {
		sched_yield();
		return 0;
	}
	ret = wd_inflight_wait(q, any_done, &arg, forever ? -1 :
			       (int)((end - now + 999999) / 1000000 > 0 ?
				     (end - now + 999999) / 1000000 : 0),
			       s->busy, &s->cnt);
	wd_queue_close(q);
	return ret == -ECANCELED ? 0 : ret;
}

WD_EXPORT int wd_crypto_poll(struct wd_crypto *s, struct wd_crypto_req **done,
			     unsigned int max, unsigned int min,
			     int timeout_ms)
{
	int64_t end = wd_now_ns() + (int64_t)timeout_ms * 1000000;
	unsigned int got = 0, given = 0, i;
	struct wd_crypto_req *r;

	if (!s || (!done && max))
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	if (min > s->ndone) {
		pthread_mutex_unlock(&s->lock);
		return -EINVAL;
	}
	for (;;) {
		free_finished(s);
		for (i = 0; i < s->ndone;) {
			r = s->done[i];
			/* NULL: running in a wd_crypto_submit() or in flight */
			if (!r || (!r->cb && given == max)) {
				i++;
				continue;
			}
			s->done[i] = s->done[--s->ndone];
			if (r->cb) {
				pthread_mutex_unlock(&s->lock);
				r->cb(r);
				pthread_mutex_lock(&s->lock);
			} else {
				done[given++] = r;
			}
			got++;
		}
		if (got >= min)
			break;
		if (timeout_ms >= 0 && wd_now_ns() >= end) {
			pthread_mutex_unlock(&s->lock);
			/*
			 * what this call took off the list (into @done, or
			 * its callback ran) is reported once, here
			 */
			return got ? (int)got : -ETIMEDOUT;
		}
		pthread_mutex_unlock(&s->lock);
		if (atomic_load(&s->hw_pending))
			wait_hw(s, end, timeout_ms < 0);
		else
			sched_yield();
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return (int)got;
}

WD_EXPORT unsigned int wd_crypto_inflight(const struct wd_crypto *s)
{
	return __atomic_load_n(&s->ndone, __ATOMIC_RELAXED);
}

void wd_crypto_async_drain(struct wd_crypto *s)
{
	/* what is in flight on the device completes into the done list */
	while (atomic_load(&s->hw_pending))
		wait_hw(s, 0, true);
	pthread_mutex_lock(&s->lock);
	free_finished(s);
	wd_queue_close(s->aq);
	s->aq = NULL;
	pthread_mutex_unlock(&s->lock);
}
