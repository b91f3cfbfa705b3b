/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: the session object, for comp.c, async.c, req.c and
 * stream.c.
 *
 * The layers, each calling only the ones below it:
 *
 *   comp.c            one-shot front end; public open and close
 *   async.c stream.c  async and stream front ends
 *   req.c             one struct wd_req, for the front ends
 *   session.c         the session: queue, routing, submission, counters
 *   shared.c          the process's shared queue
 *   queue.c           a queue object: its rings and its in-flight table
 *   inflight.c        requests in flight on a queue
 *   ring.c            a queue's regions and rings
 */
#ifndef WD_COMP_PRIV_H
#define WD_COMP_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "devname.h"
#include "inflight.h"
#include "internal.h"
#include "queue_priv.h"
#include "xfer.h"

struct wd_async;
struct wd_buf;

/**
 * struct wd_comp - a compression session
 * @format: enum wd_format
 * @level: 1-9
 * @window_bits: 9-15
 * @policy: never WD_POLICY_DEFAULT
 * @depth: async requests in flight at most
 * @threshold: smaller requests go to software under policy auto
 * @busy: waits spin instead of sleeping
 * @dedicated: opens a queue of its own
 * @given: the caller's queue (a reference), NULL if none
 * @lock: protects @q, @retry_at, @noq, @devnames and @bufs, and
 *        serialises making @async and writing @device
 * @q: queue in use (a reference); NULL while running in software
 * @devnames: the names of the devices @q has been on, kept until close
 * @device: @q's device's name on @devnames, NULL while @q is (or if its
 *          copy could not be made): written under @lock with release,
 *          read without it by wd_comp_device(), whose result then stays
 *          valid while another thread changes @q
 * @retry_at: no attempt to find a queue before this time (wd_now_ns())
 * @noq: why there is no queue
 * @bufs: buffers handed out from static shared regions, and registered
 *        memory (wd_buf_register(), wd_buf_alloc() with SVA)
 * @cnt: counters
 * @paths: WD_PATH_* taken so far
 * @reason: why the latest software request ran there
 * @async: async requests, made by the first wd_submit() under @lock and
 *         published with release: read with acquire, without @lock
 */
struct wd_comp {
	enum wd_format format;
	int level;
	int window_bits;
	enum wd_policy policy;
	unsigned int depth;
	size_t threshold;
	bool busy;
	bool dedicated;
	struct wd_queue *given;

	pthread_mutex_t lock;
	struct wd_queue *q;
	struct wd_devname *devnames;
	const char *_Atomic device;
	int64_t retry_at;
	enum wd_reason noq;
	struct wd_buf *bufs;

	struct wd_counters cnt;
	atomic_uint paths;
	atomic_int reason;
	struct wd_async *async;
};

/* ---- session.c ---- */

/*
 * wd_session_open() - wd_comp_open() without the front ends: a new
 * session with the settings of @params (checked: -EINVAL).
 */
int wd_session_open(struct wd_comp **cp, const struct wd_comp_params *params);

/*
 * wd_session_close() - releases what session.c holds (queues, buffers,
 * lock) and frees @c; the front ends have let go of theirs first.
 */
void wd_session_close(struct wd_comp *c);

/**
 * wd_comp_queue() - a reference to the session's queue
 * @c: the session
 * @why: when there is none, why
 *
 * Replaces a queue inherited from the parent process or whose device
 * failed; looks for one at most once a second while there is none.
 *
 * Return: the queue (drop it with wd_queue_close()), or NULL.
 */
struct wd_queue *wd_comp_queue(struct wd_comp *c, enum wd_reason *why);

/**
 * wd_comp_fork_lock() - hold a session's lock across fork()
 * @c: a session that threads the application does not know of share
 *	(libwdz's compress() and uncompress())
 * @lock: take it (in a prepare handler registered after
 *	wd_shared_fork_init()), or drop it (in the parent and the child)
 *
 * So that a child does not inherit the lock taken, nor the session half
 * changed under it.
 */
void wd_comp_fork_lock(struct wd_comp *c, bool lock);

/**
 * wd_comp_route() - where a request runs
 * @c: the session
 * @op: enum wd_op
 * @len: input bytes, compared with the offload threshold
 * @stream: it needs a stream context
 * @qp: the queue to use (a reference), or NULL for software
 * @why: with *@qp NULL, why
 *
 * Return: 0, or under policy hw the error the request fails with
 * (-ENODEV, -EBUSY, -EOPNOTSUPP).
 */
int wd_comp_route(struct wd_comp *c, int op, size_t len, bool stream,
		  struct wd_queue **qp, enum wd_reason *why);

/* Record that a request took @path (for software: because of @why). */
void wd_comp_note(struct wd_comp *c, unsigned int path, enum wd_reason why);

/*
 * wd_comp_hw_submit() - start one request, waiting for room in the ring
 * if needed; 0 or -errno.
 */
int wd_comp_hw_submit(struct wd_comp *c, struct wd_queue *q,
		      struct wd_inflight_req *op);

/* ---- comp.c ---- */

/*
 * wd_comp_hw_oneshot() - a whole-buffer request on the device behind @q,
 * as a stream when it is larger than one descriptor.  Counts it on
 * success; the caller decides what to do with a retryable error.
 */
int wd_comp_hw_oneshot(struct wd_comp *c, struct wd_queue *q, int op,
		       const void *src, size_t *src_len, void *dst,
		       size_t *dst_len);

/* ---- stream.c ---- */

/*
 * wd_stream_try_hw() - choose the path of a stream that has not started:
 * 1 if it now runs on the device, 0 if it would run in software (*@why
 * says why; the stream is left undecided), or the error of policy hw.
 */
int wd_stream_try_hw(struct wd_stream *s, size_t in_len, int flush,
		     enum wd_reason *why);

/*
 * wd_stream_dup() - a copy of a stream on the device, as deflateCopy(),
 * in session @c (with the same settings as the original's)
 */
int wd_stream_dup(struct wd_stream **dst, const struct wd_stream *src,
		  struct wd_comp *c);

/* wd_stream_pending() - output made but not yet delivered */
size_t wd_stream_pending(const struct wd_stream *s);

/*
 * wd_stream_own_out() - compression output always goes through the
 * stream's buffer: the device may write bytes past what it produced,
 * which zlib never does to a caller's buffer
 */
void wd_stream_own_out(struct wd_stream *s, bool on);

/* wd_stream_staged() - compression input taken but not yet compressed */
size_t wd_stream_staged(const struct wd_stream *s);

/*
 * wd_stream_ended() - the stream's end was made (compression: its
 * trailer; some of it may not be delivered yet) or reached
 */
bool wd_stream_ended(const struct wd_stream *s);

/*
 * wd_stream_hw_dict() - a raw compression stream on the device that has
 * not started gets @dict as its history, as deflateSetDictionary(): the
 * device compresses it with a sync flush and the output is dropped, so the
 * stream's own output starts on a byte boundary and may refer to it.
 * 0 or -errno (the stream must then start again).
 */
int wd_stream_hw_dict(struct wd_stream *s, const void *dict, size_t len);

/*
 * wd_stream_zinflate() - one zlib inflate() call on the device, for the
 * zlib drop-in: requests on the caller's buffers only, each one behaving
 * as one inflate() call with avail_out = dst_len, so that the input taken
 * and the output made are exactly zlib's.  A call larger than a request
 * runs as several (inflate gives the same result split at any point when
 * its window is 32 KiB).  The stream must be on the device.
 *
 * Return: 0, WD_STREAM_END, -EBADMSG (corrupt input: the stream is left
 * as it was before the request that found it), or another -errno.
 */
int wd_stream_zinflate(struct wd_stream *s, const void **in, size_t *in_len,
		       void **out, size_t *out_len);

/*
 * wd_stream_oneshot(): a whole-buffer request as a stream on @q, for buffers larger
 * than one descriptor; results as wd_compress()/wd_decompress().
 */
int wd_stream_oneshot(struct wd_comp *c, struct wd_queue *q, int op,
		      const void *src, size_t *src_len, void *dst,
		      size_t *dst_len);

/* ---- req.c: one struct wd_req, for the front ends that take one ---- */

/* wd_req_valid() - @r is a request the library takes (else -EINVAL) */
bool wd_req_valid(const struct wd_req *r);

/*
 * wd_req_soft() - runs @r in software now, because of @why: fills in its
 * results and counts it
 */
void wd_req_soft(struct wd_comp *c, struct wd_req *r, enum wd_reason why);

/*
 * wd_req_instead() - @r will not run on the device after all (@err):
 * software runs it under policy auto; under policy hw it completes with
 * @err (-E2BIG as -EOPNOTSUPP)
 */
void wd_req_instead(struct wd_comp *c, struct wd_req *r, int err);

/**
 * wd_req_prep() - @r's descriptor and buffers for the device behind @q
 * @c: the session
 * @q: the queue
 * @r: the request
 * @hw: set to the request in flight, descriptor filled in
 * @xs: set to its input as the device sees it
 * @xd: set to its output as the device sees it
 *
 * Return: 0; -E2BIG if it is larger than one descriptor or than the
 * shared region can take; -ENOMEM if the region has no room now.
 * Undone by wd_req_unprep() if it is not submitted, or by
 * wd_req_finish().
 */
int wd_req_prep(struct wd_comp *c, struct wd_queue *q, const struct wd_req *r,
		struct wd_inflight_req *hw, struct wd_xfer *xs,
		struct wd_xfer *xd);

/* wd_req_unprep() - undoes wd_req_prep() for a request not submitted */
void wd_req_unprep(struct wd_queue *q, struct wd_xfer *xs, struct wd_xfer *xd);

/*
 * wd_req_hw_run() - wd_req_prep(), submit (waiting for room in the ring)
 * and wait until the device completed @r: 0, the completion in @hw and
 * its buffers held (wd_req_hw_status() or wd_req_finish() releases
 * them); else wd_req_prep()'s error, or the error of a queue that died
 * before it took @r, with nothing held.
 */
int wd_req_hw_run(struct wd_comp *c, struct wd_queue *q,
		  const struct wd_req *r, struct wd_inflight_req *hw,
		  struct wd_xfer *xs, struct wd_xfer *xd);

/*
 * wd_req_hw_status() - the errno of @r's completion in @hw (-E2BIG when
 * the output outgrew the descriptor, not @r's buffer); releases its
 * buffers, copying the output back when it succeeded
 */
int wd_req_hw_status(struct wd_comp *c, const struct wd_req *r,
		     struct wd_queue *q, const struct wd_inflight_req *hw,
		     struct wd_xfer *xs, struct wd_xfer *xd);

/*
 * wd_req_finish() - fills in @r's results from the completion in @hw
 * (wd_req_hw_status()); a failure software may retry runs there under
 * policy auto.  The caller still holds its reference to @q.
 */
void wd_req_finish(struct wd_comp *c, struct wd_req *r, struct wd_queue *q,
		   const struct wd_inflight_req *hw, struct wd_xfer *xs,
		   struct wd_xfer *xd);

/* ---- async.c ---- */

/*
 * wd_async_drain() - waits for and delivers what is still in flight and
 * frees the async state (before wd_session_close())
 */
void wd_async_drain(struct wd_comp *c);

#endif /* WD_COMP_PRIV_H */
