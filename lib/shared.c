// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: the queue a process's sessions share (see shared.h).
 */
#include "shared.h"

/*
 * One shared queue per device class (struct wd_ring_proto's id), each
 * with when to look again after a failed attempt and why it failed.
 * shared_lock protects all of shared[] (each q holds one reference).
 * Held across fork by the atfork handlers, so that a child never
 * inherits it locked.
 */
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	struct wd_queue *q;
	int64_t retry_at;
	enum wd_reason retry_why;
} shared[WD_RING_NCLASS];
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;

static void shared_lock_fork(void)
{
	pthread_mutex_lock(&shared_lock);
}

static void shared_unlock_fork(void)
{
	pthread_mutex_unlock(&shared_lock);
}

/*
 * Opening and closing a queue under shared_lock take queue.c's locks:
 * fork() must take shared_lock first.  Prepare handlers run in the
 * reverse order of their registration, so queue.c's are registered
 * before these (wd_fork_init() does it once, and has returned when it
 * returns).
 */
static void shared_init(void)
{
	wd_fork_init();
	pthread_atfork(shared_lock_fork, shared_unlock_fork,
		       shared_unlock_fork);
}

WD_PRIVATE void wd_shared_fork_init(void)
{
	pthread_once(&shared_once, shared_init);
}

struct wd_queue *wd_shared_queue(const struct wd_ring_proto *proto,
				 enum wd_reason *why)
{
	struct wd_queue *q;
	int64_t now;

	pthread_once(&shared_once, shared_init);
	pthread_mutex_lock(&shared_lock);
	q = shared[proto->id].q;
	if (q && (wd_queue_stale(q) || wd_queue_check(q) ||
		  wd_inflight_dead(q))) {
		/* the parent's, or its device failed: find another */
		shared[proto->id].q = NULL;
		wd_queue_close(q);
		shared[proto->id].retry_at = 0;
	}
	if (!shared[proto->id].q) {
		now = wd_now_ns();
		if (now < shared[proto->id].retry_at) {
			*why = shared[proto->id].retry_why;
			pthread_mutex_unlock(&shared_lock);
			return NULL;
		}
		if (wd_queue_open_why(&q, proto, NULL, why)) {
			shared[proto->id].retry_at = now + WD_RETRY_NS;
			shared[proto->id].retry_why = *why;
			pthread_mutex_unlock(&shared_lock);
			return NULL;
		}
		shared[proto->id].q = q;
	}
	q = shared[proto->id].q;
	wd_queue_ref(q);
	pthread_mutex_unlock(&shared_lock);
	return q;
}
