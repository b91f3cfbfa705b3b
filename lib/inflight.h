/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: the requests in flight on a queue shared by sessions and
 * threads.
 *
 * Each request in flight is a struct wd_inflight_req in a slot of the
 * queue; the descriptor's user_data names the slot, so a completion is checked
 * before it is trusted and everything in flight can be failed when the
 * queue dies.  Completions are reaped by one thread at a time, the
 * leader; other waiters sleep on a condition variable until the leader
 * has completed what they wait for or steps down (leader/follower).
 */
#ifndef WD_INFLIGHT_H
#define WD_INFLIGHT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <misc/uacce/vcrypt.h>
#include <misc/uacce/vzip.h>

#include "internal.h"
#include "spin.h"

struct wd_inflight_req;
struct wd_queue;

/*
 * A descriptor and a completion of any device class: every class puts
 * user_data at offset 8 of its submission entry and at offset 0 of its
 * completion (vzip.c and vcrypt.c check it).
 */
union wd_sqe {
	struct vzip_sqe zip;
	struct vcrypt_sqe crypt;
};

union wd_cqe {
	struct vzip_cqe zip;
	struct vcrypt_cqe crypt;
};

#define WD_SQE_USER_DATA	8
#define WD_CQE_USER_DATA	0

/**
 * typedef wd_inflight_done_fn - called by the reaping thread when @op
 * completes; @op->cqe holds the completion.  NULL: the owner waits on
 * @op->done.
 */
typedef void (*wd_inflight_done_fn)(struct wd_inflight_req *op);

/**
 * struct wd_inflight_req - a request in flight on a struct wd_inflight
 * @sqe: the descriptor (user_data is set by wd_inflight_submit()), as
 *       vzip's; @csqe: the same, as vcrypt's
 * @cqe: the completion, valid once @done is set, as vzip's; @ccqe: as
 *       vcrypt's
 * @done_fn: completion callback, see wd_inflight_done_fn
 * @done: set (release) after @cqe is written
 * @owner: for @done_fn
 * @list: for @owner's lists
 */
struct wd_inflight_req {
	union {
		struct vzip_sqe sqe;
		struct vcrypt_sqe csqe;
	};
	union {
		struct vzip_cqe cqe;
		struct vcrypt_cqe ccqe;
	};
	wd_inflight_done_fn done_fn;
	atomic_int done;
	void *owner;
	struct wd_inflight_req *list;
};

/**
 * struct wd_inflight - the requests in flight on a queue (part of
 * struct wd_queue)
 * @lock: protects @slots, @free, @nfree and @dead; followers hold it from
 *        counting themselves in @nfollowers until they sleep on @cond
 * @cond: followers wait here for the leader
 * @slots: request in flight in each slot, NULL if free
 * @seq: per-slot sequence number, part of user_data
 * @free: stack of free slot numbers, @nfree of them
 * @leader: a thread is reaping; taken by compare-and-swap, no lock
 * @nfollowers: threads following; changed under @lock, read without it
 *              by wake-ups, after a full fence (inflight.c)
 * @dead: the queue failed; 0 or the -errno every request now gets
 * @spin: whether its waiters spin before they sleep (spin.h)
 */
struct wd_inflight {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct wd_inflight_req **slots;
	uint32_t *seq;
	uint32_t *free;
	uint32_t nfree;
	bool leader;
	unsigned int nfollowers;
	int dead;
	struct wd_spin spin;
};

int wd_inflight_init(struct wd_inflight *h, uint32_t depth);
void wd_inflight_reinit(struct wd_inflight *h);
void wd_inflight_destroy(struct wd_inflight *h);

/**
 * wd_inflight_submit() - start requests
 * @q: the queue
 * @ops: requests with their descriptors built; done is cleared here
 * @n: how many
 * @cnt: session counters for wake-ups, may be NULL
 *
 * Return: number started (from the first), or -errno when the queue is
 * dead.  Fewer than @n: the ring is full.
 */
int wd_inflight_submit(struct wd_queue *q, struct wd_inflight_req **ops,
		       unsigned int n, struct wd_counters *cnt);

/**
 * typedef wd_wait_pred - what a waiter waits for; called without locks
 */
typedef bool (*wd_wait_pred)(void *arg);

/**
 * wd_inflight_wait() - wait until @pred(@arg) holds, reaping as needed
 * @q: the queue
 * @pred: the condition, made true by completions
 * @arg: for @pred
 * @timeout_ms: -1 for no limit
 * @busy: spin, never sleep in poll()
 * @cnt: session counters for sleeps, may be NULL
 *
 * When the queue dies, every request in flight completes with its
 * class's ABORTED status and the queue stays dead.
 *
 * Return: 0 once @pred holds; -ETIMEDOUT.
 */
int wd_inflight_wait(struct wd_queue *q, wd_wait_pred pred, void *arg,
		     int timeout_ms, bool busy, struct wd_counters *cnt);

/**
 * wd_inflight_reap() - reap what is ready without waiting, unless another
 * thread is reaping already
 * @q: the queue
 */
void wd_inflight_reap(struct wd_queue *q);

/* Waits for one request submitted by this thread. */
int wd_inflight_wait_op(struct wd_queue *q, struct wd_inflight_req *op,
			bool busy, struct wd_counters *cnt);

/**
 * wd_inflight_dead() - 0 while the queue works, else the -errno of its failure
 * @q: the queue
 */
int wd_inflight_dead(struct wd_queue *q);

/*
 * wd_inflight_submit_wait() - start one request, waiting for room in the
 * ring if needed; 0 or -errno
 */
int wd_inflight_submit_wait(struct wd_queue *q, struct wd_inflight_req *op,
			    bool busy, struct wd_counters *cnt);

/* Room for at least one more request? (a hint: no lock) */
bool wd_inflight_has_room(struct wd_queue *q);

#endif /* WD_INFLIGHT_H */
