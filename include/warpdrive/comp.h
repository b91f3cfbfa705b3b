/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive compression API: deflate, zlib and gzip on a WarpDrive
 * accelerator, or in software when the accelerator is absent, busy or
 * cannot do a request, and a report of which of the two ran.
 *
 * A session (struct wd_comp) fixes the format, level, window and policy.
 * It runs three kinds of request:
 *
 *   one-shot    wd_compress(), wd_decompress(): a whole buffer, waits
 *   async       wd_submit() many struct wd_req, wd_poll() their
 *               completions (callbacks or an array), bounded depth
 *   streaming   wd_stream_open(), wd_stream_run() with zlib's flush
 *               semantics, wd_stream_close()
 *
 *	struct wd_comp_params p = { .format = WD_FORMAT_GZIP, .level = 6 };
 *	struct wd_comp *c;
 *	size_t out_len = sizeof(out);
 *
 *	if (wd_comp_open(&c, &p) == 0 &&
 *	    wd_compress(c, in, in_len, out, &out_len) == 0)
 *		printf("%zu bytes, %s\n", out_len,
 *		       wd_comp_path(c, NULL) & WD_PATH_HW ?
 *		       "hardware" : "software");
 *	wd_comp_close(c);
 *
 * Threads: a session may be used by several threads at once for one-shot
 * and async requests; a stream is used by one thread at a time (as a
 * z_stream).  Sessions share the process's queue on a device unless given
 * one; in a forked child they transparently move to a queue of the child.
 *
 * Memory: with a device that has SVA any buffer works without a copy.
 * Without SVA the device reaches only its static shared region: buffers
 * from wd_buf_alloc() are zero-copy, others are copied through it.
 */
#ifndef WARPDRIVE_COMP_H
#define WARPDRIVE_COMP_H

#include <stddef.h>
#include <stdint.h>
#include <warpdrive/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct wd_comp;
struct wd_stream;
struct wd_queue;

/* Data formats (values as enum vzip_format) */
enum wd_format {
	WD_FORMAT_RAW = 0,	/* raw deflate, RFC 1951 */
	WD_FORMAT_ZLIB = 1,	/* zlib, RFC 1950 */
	WD_FORMAT_GZIP = 2,	/* gzip, RFC 1952 */
};

/* Request types (values as enum vzip_opcode) */
enum wd_op {
	WD_OP_NOP = 0,		/* does nothing: measures the round trip */
	WD_OP_COPY = 1,		/* copies src to dst */
	WD_OP_COMPRESS = 2,
	WD_OP_DECOMPRESS = 3,
};

/* Flush modes of wd_stream_run(), as zlib's (values as enum vzip_flush) */
enum wd_flush {
	WD_NO_FLUSH = 0,	/* Z_NO_FLUSH */
	WD_SYNC_FLUSH = 1,	/* Z_SYNC_FLUSH: all output so far, byte-aligned */
	WD_FULL_FLUSH = 2,	/* Z_FULL_FLUSH: and forget the history */
	WD_FINISH = 3,		/* Z_FINISH: end the stream */
};

/**
 * enum wd_policy - where requests may run
 * @WD_POLICY_DEFAULT: the environment variable WD_POLICY, else auto
 * @WD_POLICY_AUTO: the device when it helps, software otherwise
 * @WD_POLICY_HW: the device only; fail rather than use software
 * @WD_POLICY_SW: software only
 */
enum wd_policy {
	WD_POLICY_DEFAULT = 0,
	WD_POLICY_AUTO = 1,
	WD_POLICY_HW = 2,
	WD_POLICY_SW = 3,
};

/* Paths a request took: a request has one, sessions and streams OR them */
#define WD_PATH_HW	0x1
#define WD_PATH_SW	0x2

/**
 * enum wd_reason - why a request ran in software
 * @WD_REASON_NONE: it did not; the device ran it
 * @WD_REASON_POLICY: the session's policy is software only
 * @WD_REASON_NO_DEVICE: no vzip device is present
 * @WD_REASON_ISOLATED: the devices are isolated after hardware errors
 * @WD_REASON_NO_QUEUE: every queue of every device is in use
 * @WD_REASON_SMALL: smaller than the offload threshold
 * @WD_REASON_UNSUPPORTED: the device cannot do it (parameters, flush
 *                         mode, zlib preset dictionary)
 * @WD_REASON_DEVICE_LOST: the device failed or went away; redone in
 *                         software
 * @WD_REASON_NO_MEMORY: no room in the static shared region (no SVA)
 * @WD_REASON_NR: number of reasons
 */
enum wd_reason {
	WD_REASON_NONE = 0,
	WD_REASON_POLICY,
	WD_REASON_NO_DEVICE,
	WD_REASON_ISOLATED,
	WD_REASON_NO_QUEUE,
	WD_REASON_SMALL,
	WD_REASON_UNSUPPORTED,
	WD_REASON_DEVICE_LOST,
	WD_REASON_NO_MEMORY,
	WD_REASON_NR
};

/**
 * wd_reason_name() - short name of a reason, e.g. "no-device"
 * @reason: enum wd_reason
 *
 * Return: a static string; "unknown" if out of range.
 */
const char *wd_reason_name(enum wd_reason reason);

/* wd_comp_params.flags */
#define WD_COMP_F_THRESHOLD	0x1	/* use .sw_threshold, not WD_SW_THRESHOLD */
#define WD_COMP_F_BUSY_WAIT	0x2	/* spin while waiting, never sleep */
#define WD_COMP_F_DEDICATED	0x4	/* open a queue for this session alone */

/* Levels and windows of struct wd_comp_params, as zlib's */
#define WD_LEVEL_MIN		1
#define WD_LEVEL_MAX		9
#define WD_LEVEL_DEFAULT	6	/* what level 0 asks for */
#define WD_WINDOW_BITS_MIN	9
#define WD_WINDOW_BITS_MAX	15	/* and what window_bits 0 asks for */

/**
 * struct wd_comp_params - a session's settings (all zero: raw deflate,
 * level 6, 32 KiB window, default policy)
 * @format: enum wd_format
 * @level: compression level 1-9; 0 for 6
 * @window_bits: log2 of the window, 9-15; 0 for 15
 * @policy: enum wd_policy
 * @depth: most async requests in flight at once; 0 for 64
 * @sw_threshold: with WD_COMP_F_THRESHOLD: requests with fewer input bytes
 *                run in software under policy auto (0: none do)
 * @queue: a queue to use, opened by the caller, who closes it after the
 *         session; NULL for the process's shared queue
 * @flags: WD_COMP_F_*
 */
struct wd_comp_params {
	enum wd_format format;
	int level;
	int window_bits;
	enum wd_policy policy;
	unsigned int depth;
	size_t sw_threshold;
	struct wd_queue *queue;
	unsigned int flags;
};

/**
 * wd_comp_open() - create a session
 * @cp: the new session
 * @params: its settings; NULL for all defaults
 *
 * Finds a queue at once (unless the policy is software).  Under policy
 * auto, a session without a device still opens and runs in software; it
 * looks for a device again now and then.
 *
 * Return: 0; -EINVAL for bad parameters; -ENODEV (policy hw: no usable
 * device); -EACCES (policy hw: a device whose node this process may not
 * open, and no other); -EBUSY (policy hw: no free queue); -ENOMEM.
 */
int wd_comp_open(struct wd_comp **cp, const struct wd_comp_params *params);

/**
 * wd_comp_close() - end a session
 * @c: the session, may be NULL
 *
 * Async requests still in flight complete with -ECANCELED (their
 * callbacks run here).  Its streams and buffers must be gone first.
 */
void wd_comp_close(struct wd_comp *c);

/**
 * wd_comp_path() - the paths the session's requests have taken so far
 * @c: the session
 * @reason: if not NULL, why the latest software request ran there
 *
 * Return: WD_PATH_HW and/or WD_PATH_SW; 0 before the first request.
 */
unsigned int wd_comp_path(const struct wd_comp *c, enum wd_reason *reason);

/**
 * wd_comp_device() - name of the device the session uses
 * @c: the session
 *
 * Any thread may ask, while others use the session.
 *
 * Return: e.g. "vzip-0", or NULL while it has no queue.  The string stays
 * valid until wd_comp_close(), even after the session has moved to
 * another queue (its device removed, or in a forked child).
 */
const char *wd_comp_device(const struct wd_comp *c);

/**
 * wd_compress_bound() - largest compressed size of @src_len bytes
 * @format: enum wd_format
 * @src_len: input bytes
 *
 * Return: a destination size with which wd_compress() cannot fail with
 * -ENOSPC, on either path.
 */
size_t wd_compress_bound(enum wd_format format, size_t src_len);

/**
 * wd_compress() - compress a whole buffer into one complete stream
 * @c: the session
 * @src: input
 * @src_len: its length
 * @dst: output
 * @dst_len: in: room at @dst; out: bytes written
 *
 * Return: 0; -ENOSPC if @dst is too small; -ENODEV, -EOPNOTSUPP (policy
 * hw); -errno.
 */
int wd_compress(struct wd_comp *c, const void *src, size_t src_len,
		void *dst, size_t *dst_len);

/**
 * wd_decompress() - decompress one complete stream
 * @c: the session (its format is the input's format)
 * @src: input
 * @src_len: in: bytes at @src; out: bytes the stream took (a gzip file of
 *           several members needs one call per member)
 * @dst: output
 * @dst_len: in: room at @dst; out: bytes written
 *
 * Return: 0; -ENOSPC if @dst is too small; -EBADMSG if the data is
 * corrupt or ends early; -errno.
 */
int wd_decompress(struct wd_comp *c, const void *src, size_t *src_len,
		  void *dst, size_t *dst_len);

/**
 * struct wd_req - a request: started with wd_submit(), or run and waited
 * for with wd_run()
 * @op: enum wd_op
 * @src: input (COMPRESS, DECOMPRESS, COPY)
 * @src_len: its length
 * @dst: output
 * @dst_len: room at @dst
 * @cb: called once the request completes, from wd_poll(); NULL to have
 *      wd_poll() return the request instead (wd_run() never calls it)
 * @priv: for the caller
 * @status: result: 0, -ENOSPC, -EBADMSG, -ECANCELED, ...
 * @consumed: result: input bytes used
 * @produced: result: output bytes written
 * @checksum: result: CRC-32 (raw, gzip) or Adler-32 (zlib) of the
 *            uncompressed data
 * @path: result: WD_PATH_HW or WD_PATH_SW
 * @reason: result: why it ran in software
 *
 * The request and its buffers belong to the library from wd_submit()
 * until it completes.  A request compresses or decompresses one whole
 * stream, as wd_compress() and wd_decompress(); COPY and NOP have no other
 * call.
 */
struct wd_req {
	enum wd_op op;
	const void *src;
	size_t src_len;
	void *dst;
	size_t dst_len;
	void (*cb)(struct wd_req *req);
	void *priv;

	int status;
	size_t consumed;
	size_t produced;
	uint32_t checksum;
	unsigned int path;
	enum wd_reason reason;
};

/**
 * wd_submit() - start asynchronous requests
 * @c: the session
 * @reqs: the requests
 * @n: how many
 *
 * Requests the device cannot or should not run complete in software
 * before this returns; their completions are still delivered by
 * wd_poll().  Submitting several at once costs one doorbell.
 *
 * Return: number of requests accepted, from the first: fewer than @n when
 * the session's depth or the ring is full (poll, then submit the rest).
 * 0 with @n > 0 means nothing was taken: wd_poll() first.  -EINVAL for a
 * malformed request (none taken), -ENODEV/-EOPNOTSUPP under policy hw.
 */
int wd_submit(struct wd_comp *c, struct wd_req **reqs, unsigned int n);

/**
 * wd_poll() - complete asynchronous requests
 * @c: the session
 * @done: array for completed requests without a callback, may be NULL
 * @max: entries in @done
 * @min: wait until at least this many requests completed (those with a
 *       callback count too); 0 never waits
 * @timeout_ms: longest wait, -1 for no limit
 *
 * Requests with a callback have it called here, in this thread.
 *
 * Return: number of requests completed by this call, fewer than @min (0 if
 * none) when @timeout_ms passed first: those are in @done, or their
 * callbacks ran, and are not reported again; -errno.
 */
int wd_poll(struct wd_comp *c, struct wd_req **done, unsigned int max,
	    unsigned int min, int timeout_ms);

/**
 * wd_inflight() - async requests submitted and not yet returned by wd_poll()
 * @c: the session
 */
unsigned int wd_inflight(const struct wd_comp *c);

/**
 * wd_run() - run one request and wait for it
 * @c: the session
 * @r: the request; @r->cb is not called
 *
 * As wd_submit() of @r alone followed by wd_poll() until it completes,
 * with the same path, fallback, results in @r and counters, but without
 * one of the session's @depth slots or its completion list: the calling
 * thread waits for its own request, as in wd_compress().  The way for a
 * thread to run a COPY or a NOP and wait for it.  Threads may call it on
 * one session at once, and beside wd_submit() and wd_poll().
 *
 * Return: 0 when @r ran (its result is @r->status); -EINVAL for a
 * malformed request; under policy hw -ENODEV, -EBUSY or -EACCES without a
 * queue, -EOPNOTSUPP for what the device cannot do, -ENOMEM when the
 * shared region (no SVA) is full of other requests now.  Of these, the
 * policy's refusals (-ENODEV, -EBUSY, -EACCES, -EOPNOTSUPP) count as
 * errors, as wd_compress()'s do.
 */
int wd_run(struct wd_comp *c, struct wd_req *r);

/**
 * wd_buf_alloc() - memory the session's device reads and writes directly
 * @c: the session
 * @size: bytes
 *
 * Page-aligned and already faulted in.  Without SVA it comes from the
 * device's static shared region, so that requests using it need no copy.
 * With SVA it is registered (wd_buf_register()) when the memory lock
 * limit allows, so that requests using it pin nothing.  Free it with
 * wd_buf_free() before the session is closed.
 *
 * Return: the buffer, or NULL (no memory, or the shared region is full).
 */
void *wd_buf_alloc(struct wd_comp *c, size_t size);

/**
 * wd_buf_free() - free memory from wd_buf_alloc()
 * @c: the session
 * @buf: the buffer, may be NULL
 */
void wd_buf_free(struct wd_comp *c, void *buf);

/**
 * wd_buf_register() - pin memory once for the session's requests
 * @c: the session
 * @buf: the memory, any alignment
 * @len: bytes
 *
 * With a device that has SVA, every request pins its buffers while it
 * runs, which costs about as much as copying them.  Registered memory,
 * like io_uring's fixed buffers, is pinned once, here, and requests whose
 * buffers lie inside it pin nothing.  The pages around @buf are
 * registered whole, writable, on the session's queue, and counted in the
 * process's pinned memory (VmPin; without CAP_IPC_LOCK, within
 * RLIMIT_MEMLOCK for all the user's processes together) until
 * wd_buf_unregister(), wd_comp_close() or exit.  Registration is an
 * optimisation: any memory works without it.  It belongs to this
 * process: a forked child's requests pin as usual, and its
 * wd_buf_unregister() of the parent's registration only forgets it.
 * Since: 1.3.
 *
 * Return: 0; -EINVAL (NULL, empty, or ending past the top of the address
 * space); -EOPNOTSUPP: the device has no SVA
 * (wd_buf_alloc() gives its memory), or the memory maps a file other than
 * shmem or hugetlbfs; -ENODEV, -EBUSY, -EACCES: no device
 * queue (as the hardware policy says); -EEXIST: a page of it is
 * registered already; -ENOSPC: the queue has the most registrations
 * (64); -ENOMEM: beyond RLIMIT_MEMLOCK; -EFAULT: not mapped writable.
 */
int wd_buf_register(struct wd_comp *c, void *buf, size_t len);

/**
 * wd_buf_unregister() - undo wd_buf_register()
 * @c: the session
 * @buf: the @buf given to wd_buf_register()
 *
 * Returns once no request uses the pages, unpinned.  The memory stays
 * the caller's.  Since: 1.3.
 *
 * Return: 0; -EINVAL (NULL); -ENOENT: @buf is not registered (or no
 * longer: a second call).
 */
int wd_buf_unregister(struct wd_comp *c, void *buf);

/* Direction of a stream */
enum wd_dir {
	WD_DIR_COMPRESS = 0,
	WD_DIR_DECOMPRESS = 1,
};

/* wd_stream_run() returns this when the stream has ended */
#define WD_STREAM_END	1

/**
 * wd_stream_open() - start a stream
 * @sp: the new stream
 * @c: session giving its format, level, window and policy
 * @dir: enum wd_dir
 *
 * The path (device or software) is chosen at the first wd_stream_run()
 * and kept for the whole stream.
 *
 * Return: 0, -EINVAL, -ENOMEM.
 */
int wd_stream_open(struct wd_stream **sp, struct wd_comp *c, enum wd_dir dir);

/**
 * wd_stream_run() - feed input and collect output, as zlib's deflate()
 * and inflate()
 * @s: the stream
 * @in: next input byte; advanced past what was consumed
 * @in_len: input bytes at *@in; decreased likewise
 * @out: where the next output byte goes; advanced
 * @out_len: room at *@out; decreased
 * @flush: enum wd_flush (decompression ignores all but WD_FINISH)
 *
 * Consumes input and produces output until the input is used up or the
 * output is full.  With WD_SYNC_FLUSH or WD_FULL_FLUSH everything consumed
 * is in the output once it returns with room left in the output; with
 * WD_FINISH the stream ends (WD_STREAM_END) once all input is consumed and
 * all output delivered.  Call again with more room while it returns 0 with
 * *@out_len == 0.  A decompression stream ends at the end of the
 * compressed stream; the bytes after it are left in *@in.
 *
 * Return: 0; WD_STREAM_END; -ENOBUFS when no progress was possible (no
 * input, or no room: not fatal); -EBADMSG; -ENODEV if the device was lost
 * mid-stream; -errno.  After an error other than -ENOBUFS the stream can
 * only be reset or closed.
 */
int wd_stream_run(struct wd_stream *s, const void **in, size_t *in_len,
		  void **out, size_t *out_len, enum wd_flush flush);

/**
 * wd_stream_set_level() - change the compression level from now on
 * @s: a compression stream
 * @level: 1-9; 0 for 6
 *
 * As zlib's deflateParams(): input given from the next wd_stream_run()
 * on is compressed at the new level; the output stays one stream.
 *
 * Return: 0 or -EINVAL.
 */
int wd_stream_set_level(struct wd_stream *s, int level);

/**
 * struct wd_stream_state - where a stream stands
 * @total_in: bytes consumed so far
 * @total_out: bytes produced so far
 * @checksum: CRC-32 (raw, gzip) or Adler-32 (zlib) of the uncompressed
 *            data so far
 * @path: WD_PATH_HW or WD_PATH_SW once decided, else 0
 * @reason: why it runs in software
 */
struct wd_stream_state {
	uint64_t total_in;
	uint64_t total_out;
	uint32_t checksum;
	unsigned int path;
	enum wd_reason reason;
};

/**
 * wd_stream_get_state() - totals, checksum and path of a stream
 * @s: the stream
 * @st: filled in
 */
void wd_stream_get_state(const struct wd_stream *s, struct wd_stream_state *st);

/**
 * wd_stream_reset() - start a new stream with the same settings
 * @s: the stream
 *
 * Return: 0 or -errno.
 */
int wd_stream_reset(struct wd_stream *s);

/**
 * wd_stream_close() - free a stream
 * @s: the stream, may be NULL
 */
void wd_stream_close(struct wd_stream *s);

/**
 * struct wd_stats - what went where
 * @hw_requests: requests (one-shot, async, stream calls) the device ran
 * @hw_bytes_in: their input bytes
 * @hw_bytes_out: their output bytes
 * @sw_requests: requests software ran
 * @sw_bytes_in: their input bytes
 * @sw_bytes_out: their output bytes
 * @sw_reason: software requests by enum wd_reason
 * @copied_bytes: bytes copied through the static shared region (no SVA)
 * @errors: requests that failed
 * @wakeups: UACCE_CMD_WAKE_Q system calls
 * @sleeps: poll() system calls while waiting
 */
struct wd_stats {
	uint64_t hw_requests;
	uint64_t hw_bytes_in;
	uint64_t hw_bytes_out;
	uint64_t sw_requests;
	uint64_t sw_bytes_in;
	uint64_t sw_bytes_out;
	uint64_t sw_reason[WD_REASON_NR];
	uint64_t copied_bytes;
	uint64_t errors;
	uint64_t wakeups;
	uint64_t sleeps;
};

/**
 * wd_comp_get_stats() - counters of one session (and its streams)
 * @c: the session
 * @st: filled in
 */
void wd_comp_get_stats(const struct wd_comp *c, struct wd_stats *st);

/**
 * wd_get_stats() - counters of the whole process
 * @st: filled in
 */
void wd_get_stats(struct wd_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* WARPDRIVE_COMP_H */
