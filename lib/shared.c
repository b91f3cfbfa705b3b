// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: the queue a process's sessions share (see shared.h).
 */
#include "shared.h"

/*
 * shared_lock protects shared_q (which holds one reference), retry_at and
 * retry_why.  Held across fork by the atfork handlers, so that a child
 * never inherits it locked.
 */
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static struct wd_queue *shared_q;
static int64_t retry_at;
static enum wd_reason retry_why;
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;

static void shared_lock_fork(void)
{
	pthread_mutex_lock(&shared_lock);
}

static void shared_unlock_fork(void)
{
	pthread_mutex_unlock(&shared_lock);
}

static void shared_init(void)
{
	pthread_atfork(shared_lock_fork, shared_unlock_fork,
		       shared_unlock_fork);
}

struct wd_queue *wd_shared_queue(enum wd_reason *why)
{
	struct wd_queue *q;
	int64_t now;

	pthread_once(&shared_once, shared_init);
	pthread_mutex_lock(&shared_lock);
	q = shared_q;
	if (q && (wd_queue_stale(q) || wd_queue_check(q) ||
		  wd_inflight_dead(q))) {
		/* the parent's, or its device failed: find another */
		shared_q = NULL;
		wd_queue_close(q);
		retry_at = 0;
	}
	if (!shared_q) {
		now = wd_now_ns();
		if (now < retry_at) {
			*why = retry_why;
			pthread_mutex_unlock(&shared_lock);
			return NULL;
		}
		if (wd_queue_open_why(&q, NULL, why)) {
			retry_at = now + WD_RETRY_NS;
			retry_why = *why;
			pthread_mutex_unlock(&shared_lock);
			return NULL;
		}
		shared_q = q;
	}
	q = shared_q;
	wd_queue_ref(q);
	pthread_mutex_unlock(&shared_lock);
	return q;
}
