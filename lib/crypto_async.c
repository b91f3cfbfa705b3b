// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive crypto async front end: wd_crypto_submit() and
 * wd_crypto_poll().  A request runs as a one-shot request would
 * (wd_crypto_exec()); one that runs in software completes before
 * wd_crypto_submit() returns and waits in the session's done list, up to
 * the session's depth, for wd_crypto_poll() to deliver it.  Requests on
 * the device will join that list from the queue's completions.
 */
#include <errno.h>
#include <sched.h>

#include "crypto_priv.h"

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
		if (s->ndone >= s->depth) {
			pthread_mutex_unlock(&s->lock);
			break;
		}
		/* reserve the slot; the request is the library's from here */
		s->done[s->ndone++] = NULL;
		pthread_mutex_unlock(&s->lock);
		wd_crypto_exec(s, reqs[i]);
		pthread_mutex_lock(&s->lock);
		for (unsigned int j = 0; j < s->ndone; j++) {
			if (!s->done[j]) {
				s->done[j] = reqs[i];
				break;
			}
		}
		pthread_mutex_unlock(&s->lock);
	}
	return (int)i;
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
		for (i = 0; i < s->ndone;) {
			r = s->done[i];
			/* NULL: still running in a wd_crypto_submit() */
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
			return -ETIMEDOUT;
		}
		/* another thread's software request is finishing */
		pthread_mutex_unlock(&s->lock);
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
