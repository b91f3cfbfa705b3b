// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive streams: zlib's deflate()/inflate() semantics on the device
 * (a stream context per stream, Documentation/vzip.rst "Streams") or in
 * software, chosen at the first call.
 *
 * On the device every request reloads the stream's history, so small
 * compression inputs are gathered into a stage buffer first (zlib too
 * holds input back).  Decompression never holds input back: a reader may
 * wait for the output of what it gave.  Output goes straight into the
 * caller's buffer unless it has less than WD_MIN_DIRECT bytes of room;
 * then it goes through a buffer of ours and is copied out as room comes.
 *
 * A stream context the device wrote is valid on any queue of any vzip
 * device, so a stream survives a forked child (which opens its own
 * queue) and the loss of a device (another one continues it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "comp_priv.h"
#include "mem.h"
#include "soft.h"
#include "vzip.h"
#include "zreal.h"

#define WD_STAGE_IN	(256u << 10)	/* compression input gathered */
#define WD_STAGE_OUT	(64u << 10)	/* output for callers with little room */
#define WD_MIN_DIRECT	4096u		/* less room than this: use WD_STAGE_OUT */
#define WD_SS_CHUNK	(64u << 10)	/* request size through the shared region */
#define WD_RETRIES	3		/* devices to try before giving up */

enum stream_mode {
	MODE_NEW,	/* path not chosen yet */
	MODE_HW,
	MODE_SW,
};

/**
 * struct wd_stream - a stream
 * @c: its session
 * @compress: direction
 * @mode: enum stream_mode
 * @why: why it runs in software
 * @err: sticky error
 * @ended: the end of the stream was produced (compression) or reached
 * @soft: the software stream, valid with @soft_ok
 * @soft_ok: @soft is initialised
 * @q: queue in use (a reference), NULL until the first request
 * @ctx: stream context, @ctx_size bytes; in the shared region of @ctx_q,
 *       or ordinary memory when @ctx_q is NULL
 * @ctx_q: queue whose shared region holds @ctx (a reference)
 * @ctx_size: bytes of @ctx
 * @begun: the device has written @ctx (NEW_STREAM was sent)
 * @more: decompression: the last request overflowed, output may be pending
 *        in the context even with no more input
 * @last_flush: compression: flush mode of the last request, if it took all
 *              its input; a repeat with no new input has nothing to do
 * @level: compression level for the next request
 * @in: staged compression input, @in_len bytes
 * @out: output not yet delivered: @out_len bytes at @out + @out_off
 * @total_in: input consumed
 * @total_out: output delivered or pending
 * @checksum: of the uncompressed data so far (compression: of what the
 *            device took; @stage_sum covers @in)
 * @stage_sum: compression: checksum of the @in_len staged bytes
 * @own_out: compression output never goes straight to the caller's buffer
 *           (wd_stream_own_out())
 */
struct wd_stream {
	struct wd_comp *c;
	bool compress;
	enum stream_mode mode;
	enum wd_reason why;
	int err;
	bool ended;

	struct wd_soft_stream soft;
	bool soft_ok;

	struct wd_queue *q;
	void *ctx;
	struct wd_queue *ctx_q;
	size_t ctx_size;
	bool begun;
	bool more;
	int last_flush;
	int level;

	char *in;
	size_t in_len;
	char *out;
	size_t out_off;
	size_t out_len;

	uint64_t total_in;
	uint64_t total_out;
	uint32_t checksum;
	uint32_t stage_sum;
	bool own_out;
};

/* The checksum of a format before any data: Adler-32's is 1. */
static uint32_t sum_init(const struct wd_stream *s)
{
	return s->c->format == WD_FORMAT_ZLIB ? 1 : 0;
}

/*
 * A stage buffer (WD_STAGE_IN or WD_STAGE_OUT bytes, whole pages): the
 * device reads or writes it request after request, so with SVA it is
 * registered memory, pinned once (wd_buf_register()), when the locked
 * memory limit and the queue's registrations allow; else ordinary memory,
 * pinned per request.
 */
static void *stage_alloc(struct wd_stream *s, size_t size)
{
	void *p = aligned_alloc((size_t)sysconf(_SC_PAGESIZE), size);

	if (p && s->q && s->q->sva)
		wd_buf_register(s->c, p, size);
	return p;
}

static void stage_free(struct wd_stream *s, void *p)
{
	if (!p)
		return;
	/* -ENOENT if it was not registered */
	wd_buf_unregister(s->c, p);
	free(p);
}

/* Appends @n bytes at @p to the staged compression input. */
static void stage(struct wd_stream *s, const void *p, size_t n)
{
	if (!n)
		return;
	memcpy(s->in + s->in_len, p, n);
	s->stage_sum = wd_soft_checksum(s->c->format, s->stage_sum, p, n,
					!s->in_len);
	s->in_len += n;
	s->total_in += n;
}

/* Drops the first @n staged bytes, which the device took. */
static void unstage(struct wd_stream *s, size_t n)
{
	memmove(s->in, s->in + n, s->in_len - n);
	s->in_len -= n;
	if (s->in_len && n)
		s->stage_sum = wd_soft_checksum(s->c->format, 0, s->in,
						s->in_len, true);
}

static void ctx_free(struct wd_stream *s)
{
	if (s->ctx_q) {
		/* a parent's region is not mapped in a child: nothing to free */
		if (!wd_queue_stale(s->ctx_q))
			wd_mem_free(s->ctx_q->mem, s->ctx);
		wd_queue_close(s->ctx_q);
	} else {
		free(s->ctx);
	}
	s->ctx = NULL;
	s->ctx_q = NULL;
}

/* Can the contents of the current context still be read? */
static bool ctx_readable(const struct wd_stream *s)
{
	return s->ctx && (!s->ctx_q || (!wd_queue_stale(s->ctx_q) &&
					!wd_queue_check(s->ctx_q)));
}

/*
 * Puts the stream context where @q's device reaches it, moving its
 * contents if the device wrote it already.  0, -ENOMEM (no room in the
 * shared region), or -ENODEV (the context was lost with its region).
 */
static int ctx_place(struct wd_stream *s, struct wd_queue *q)
{
	size_t size = q->info.ctx_size;
	struct wd_queue *nq = NULL;
	void *n;

	if (s->ctx && s->ctx_size == size && wd_queue_addr(q, s->ctx, size))
		return 0;
	if (s->begun && (!ctx_readable(s) || s->ctx_size != size))
		return -ENODEV;
	if (q->sva) {
		n = wd_vzip_ctx_alloc(size);
	} else {
		n = wd_mem_alloc(q->mem, size, false);
		nq = q;
	}
	if (!n)
		return -ENOMEM;
	if (s->begun)
		memcpy(n, s->ctx, size);	/* contexts are position-free */
	ctx_free(s);
	if (nq)
		wd_queue_ref(nq);
	s->ctx = n;
	s->ctx_q = nq;
	s->ctx_size = size;
	return 0;
}

/*
 * Runs one request of the stream and waits for it.  Returns 0 or -ENOSPC
 * (OVERFLOW: a valid prefix) with *@cqe filled in, or another -errno.  A
 * device that fails leaves the context as it was, so the request is
 * repeated on another queue.
 */
static int hw_request(struct wd_stream *s, int op, const void *src,
		      size_t src_len, void *dst, size_t dst_len, int flush,
		      struct vzip_cqe *cqe)
{
	struct wd_comp *c = s->c;
	int ret = -ENODEV;

	for (int attempt = 0; attempt < WD_RETRIES; attempt++) {
		struct wd_inflight_req req = { 0 };
		struct wd_xfer xs, xd;
		enum wd_reason why;

		if (!s->q) {
			s->q = wd_comp_queue(c, &why);
			if (!s->q)
				return ret;
		}
		ret = ctx_place(s, s->q);
		if (ret)
			return ret;
		ret = wd_xfer_in(s->q, src, src_len, &xs, &c->cnt);
		if (ret)
			return ret;
		ret = wd_xfer_out(s->q, dst, dst_len, &xd);
		if (ret) {
			wd_xfer_done(s->q, &xs, 0, NULL);
			return ret;
		}
		wd_vzip_prep(&req.sqe, op, c->format, s->level,
			     op == WD_OP_COMPRESS ? c->window_bits :
			     VZIP_WINDOW_BITS_MAX, flush,
			     VZIP_SQE_F_STREAM |
			     (s->begun ? 0 : VZIP_SQE_F_NEW_STREAM));
		req.sqe.src = xs.addr;
		req.sqe.src_len = (uint32_t)src_len;
		req.sqe.dst = xd.addr;
		req.sqe.dst_len = (uint32_t)dst_len;
		req.sqe.ctx = wd_queue_addr(s->q, s->ctx, s->ctx_size);

		ret = wd_comp_hw_submit(c, s->q, &req);
		if (!ret)
			ret = wd_inflight_wait_op(s->q, &req, c->busy, &c->cnt);
		if (!ret)
			ret = wd_vzip_errno(&req.cqe);
		if ((!ret || ret == -ENOSPC) &&
		    (req.cqe.consumed > src_len || req.cqe.produced > dst_len))
			ret = -EIO;
		wd_xfer_done(s->q, &xs, 0, NULL);
		if (wd_xfer_done(s->q, &xd, !ret || ret == -ENOSPC ?
				 req.cqe.produced : 0, &c->cnt) &&
		    (!ret || ret == -ENOSPC))
			ret = -ENODEV;
		if (!ret || ret == -ENOSPC) {
			s->begun = true;
			*cqe = req.cqe;
			wd_count_hw(&c->cnt, req.cqe.consumed, req.cqe.produced);
			return ret;
		}
		if (ret != -ECANCELED && ret != -EIO && ret != -ENODEV &&
		    ret != -ECHILD)
			return ret;
		/* the device failed: the context is unchanged, go elsewhere */
		wd_queue_close(s->q);
		s->q = NULL;
	}
	return -ENODEV;
}

/* Moves pending output to the caller; true if some is still pending. */
static bool give_out(struct wd_stream *s, void **out, size_t *out_len,
		     bool *progress)
{
	size_t n = WD_MIN(s->out_len, *out_len);

	if (n) {
		memcpy(*out, s->out + s->out_off, n);
		*out = (char *)*out + n;
		*out_len -= n;
		s->out_off += n;
		s->out_len -= n;
		*progress = true;
	}
	return s->out_len != 0;
}

/* Where the device writes: the caller's buffer, or ours if it is small. */
static int pick_dst(struct wd_stream *s, void *out, size_t out_len,
		    void **dst, size_t *dst_len)
{
	size_t max = s->q ? s->q->info.max_len : WD_STAGE_OUT;

	if (s->q && !s->q->sva)
		max = WD_MIN(max, WD_SS_CHUNK);
	/*
	 * The device may write past what it produced (Documentation/
	 * vzip.rst): a caller that must not see that gets its output copied
	 */
	if (out_len >= WD_MIN_DIRECT && !(s->own_out && s->compress &&
					  s->q && s->q->sva)) {
		*dst = out;
		*dst_len = WD_MIN(out_len, max);
		return 1;
	}
	if (!s->out) {
		s->out = stage_alloc(s, WD_STAGE_OUT);
		if (!s->out)
			return -ENOMEM;
	}
	*dst = s->out;
	*dst_len = WD_MIN(WD_STAGE_OUT, max);
	return 0;
}

/* Accounts output a request wrote at @dst. */
static void took_out(struct wd_stream *s, bool direct, size_t produced,
		     void **out, size_t *out_len, bool *progress)
{
	if (direct) {
		*out = (char *)*out + produced;
		*out_len -= produced;
	} else {
		s->out_off = 0;
		s->out_len = produced;
	}
	s->total_out += produced;
	if (produced)
		*progress = true;
}

static size_t req_max(const struct wd_stream *s)
{
	size_t max = s->q ? s->q->info.max_len : WD_STAGE_IN;

	return s->q && !s->q->sva ? WD_MIN(max, WD_SS_CHUNK) : max;
}

static int hw_compress(struct wd_stream *s, const void **in, size_t *in_len,
		       void **out, size_t *out_len, int flush)
{
	bool progress = false;

	for (;;) {
		const void *src;
		size_t src_len, take;
		struct vzip_cqe cqe;
		bool staged, direct;
		void *dst;
		size_t dst_len;
		int req_flush, ret;

		/* output waiting for room: nothing else moves before it */
		if (give_out(s, out, out_len, &progress) || !*out_len)
			return progress ? 0 : -ENOBUFS;
		if (s->ended)
			return WD_STREAM_END;

		/* small input without a flush waits in the stage */
		if (flush == WD_NO_FLUSH && s->in_len + *in_len < WD_STAGE_IN) {
			if (!*in_len)
				return progress ? 0 : -ENOBUFS;
			if (!s->in) {
				s->in = stage_alloc(s, WD_STAGE_IN);
				if (!s->in)
					return -ENOMEM;
			}
			stage(s, *in, *in_len);
			*in = (const char *)*in + *in_len;
			*in_len = 0;
			s->last_flush = WD_NO_FLUSH;
			return 0;
		}

		staged = s->in_len != 0;
		if (staged) {
			take = WD_MIN(*in_len, WD_STAGE_IN - s->in_len);
			stage(s, *in, take);
			*in = (const char *)*in + take;
			*in_len -= take;
			src = s->in;
			src_len = WD_MIN(s->in_len, req_max(s));
			req_flush = !*in_len && src_len == s->in_len ?
				    flush : WD_NO_FLUSH;
		} else {
			src = *in;
			src_len = WD_MIN(*in_len, req_max(s));
			req_flush = src_len == *in_len ? flush : WD_NO_FLUSH;
		}
		/* nothing new since the same flush: zlib's Z_BUF_ERROR */
		if (!src_len && req_flush != WD_FINISH &&
		    req_flush <= s->last_flush)
			return progress ? 0 : -ENOBUFS;

		ret = pick_dst(s, *out, *out_len, &dst, &dst_len);
		if (ret < 0)
			return ret;
		direct = ret;
		ret = hw_request(s, WD_OP_COMPRESS, src, src_len, dst, dst_len,
				 req_flush, &cqe);
		if (ret && ret != -ENOSPC)
			return ret;
		if (staged) {
			unstage(s, cqe.consumed);
		} else {
			*in = (const char *)*in + cqe.consumed;
			*in_len -= cqe.consumed;
			s->total_in += cqe.consumed;
		}
		if (cqe.consumed)
			progress = true;
		took_out(s, direct, cqe.produced, out, out_len, &progress);
		s->checksum = cqe.checksum;
		if (cqe.flags & VZIP_CQE_F_STREAM_END)
			s->ended = true;
		s->last_flush = !ret && cqe.consumed == src_len ?
				req_flush : WD_NO_FLUSH;
		/* a device that takes nothing and gives nothing is broken */
		if (!cqe.consumed && !cqe.produced && !s->ended &&
		    (ret || src_len))
			return -EIO;
	}
}

static int hw_decompress(struct wd_stream *s, const void **in,
			 size_t *in_len, void **out, size_t *out_len)
{
	bool progress = false;

	for (;;) {
		struct vzip_cqe cqe;
		size_t src_len, dst_len;
		bool direct;
		void *dst;
		int ret;

		if (give_out(s, out, out_len, &progress))
			return progress ? 0 : -ENOBUFS;
		/* the last byte given ends it, even with no room left */
		if (s->ended)
			return WD_STREAM_END;
		if (!*out_len)
			return progress ? 0 : -ENOBUFS;
		if (!*in_len && !s->more)
			return progress ? 0 : -ENOBUFS;

		src_len = WD_MIN(*in_len, req_max(s));
		ret = pick_dst(s, *out, *out_len, &dst, &dst_len);
		if (ret < 0)
			return ret;
		direct = ret;
		/* more input may follow: the device keeps the state */
		ret = hw_request(s, WD_OP_DECOMPRESS, *in, src_len, dst,
				 dst_len, VZIP_FLUSH_NONE, &cqe);
		if (ret && ret != -ENOSPC)
			return ret;
		*in = (const char *)*in + cqe.consumed;
		*in_len -= cqe.consumed;
		s->total_in += cqe.consumed;
		if (cqe.consumed)
			progress = true;
		took_out(s, direct, cqe.produced, out, out_len, &progress);
		s->checksum = cqe.checksum;
		s->more = ret == -ENOSPC;
		if (cqe.flags & VZIP_CQE_F_STREAM_END)
			s->ended = true;
		if (!cqe.consumed && !cqe.produced && !s->ended)
			return progress ? 0 : -ENOBUFS;
	}
}

WD_PRIVATE
int wd_stream_hw_dict(struct wd_stream *s, const void *dict, size_t len)
{
	size_t room = len + (len >> 3) + 1024, off = 0;
	struct vzip_cqe cqe;
	void *scratch;
	int ret = 0;

	if (s->mode != MODE_HW || !s->compress || s->begun)
		return -EINVAL;
	scratch = malloc(room);
	if (!scratch)
		return -ENOMEM;
	while (off < len && !ret) {
		size_t n = WD_MIN(len - off, req_max(s));

		ret = hw_request(s, WD_OP_COMPRESS, (const char *)dict + off, n,
				 scratch, WD_MIN(room, req_max(s)),
				 off + n == len ? WD_SYNC_FLUSH : WD_NO_FLUSH,
				 &cqe);
		if (!ret && cqe.consumed != n)
			ret = -EIO;
		off += n;
	}
	free(scratch);
	/* what the dictionary made is not output: the stream starts now */
	s->total_in = 0;
	s->total_out = 0;
	s->checksum = sum_init(s);
	s->last_flush = WD_NO_FLUSH;
	return ret;
}

WD_PRIVATE
int wd_stream_zinflate(struct wd_stream *s, const void **in, size_t *in_len,
		       void **out, size_t *out_len)
{
	if (s->mode != MODE_HW || s->compress)
		return -EINVAL;
	for (;;) {
		size_t src_len = WD_MIN(*in_len, req_max(s));
		size_t dst_len = WD_MIN(*out_len, req_max(s));
		struct vzip_cqe cqe;
		int ret;

		if (s->ended)
			return WD_STREAM_END;
		if (!src_len && !s->more)
			return 0;	/* nothing moves without input */
		ret = hw_request(s, WD_OP_DECOMPRESS, *in, src_len, *out,
				 dst_len, VZIP_FLUSH_NONE, &cqe);
		if (ret && ret != -ENOSPC)
			return ret;
		*in = (const char *)*in + cqe.consumed;
		*in_len -= cqe.consumed;
		*out = (char *)*out + cqe.produced;
		*out_len -= cqe.produced;
		s->total_in += cqe.consumed;
		s->total_out += cqe.produced;
		s->checksum = cqe.checksum;
		/* a full destination may leave output in the context */
		s->more = cqe.produced == dst_len;
		if (cqe.flags & VZIP_CQE_F_STREAM_END) {
			s->ended = true;
			s->more = false;
			return WD_STREAM_END;
		}
		/* a request took less than the call has: the next one */
		if (!((src_len && cqe.consumed == src_len && *in_len) ||
		      (dst_len && cqe.produced == dst_len && *out_len)))
			return 0;
	}
}

/* Chooses the stream's path at its first call. */
static int decide(struct wd_stream *s, size_t in_len, int flush)
{
	int ret = wd_stream_try_hw(s, in_len, flush, &s->why);

	if (ret)
		return ret < 0 ? ret : 0;
	if (!s->soft_ok) {
		ret = wd_soft_stream_init(&s->soft, s->compress, s->c->format,
					  s->level, s->c->window_bits);
		if (ret)
			return ret;
		s->soft_ok = true;
	} else {
		ret = wd_soft_stream_reset(&s->soft);
		if (ret)
			return ret;
	}
	s->mode = MODE_SW;
	return 0;
}

WD_PRIVATE
int wd_stream_try_hw(struct wd_stream *s, size_t in_len, int flush,
		     enum wd_reason *why)
{
	struct wd_queue *q;
	int ret;

	ret = wd_comp_route(s->c, s->compress ? WD_OP_COMPRESS :
			    WD_OP_DECOMPRESS,
			    flush == WD_FINISH ? in_len : SIZE_MAX, true, &q,
			    why);
	if (ret || !q)
		return ret;
	wd_queue_close(s->q);
	s->q = q;
	s->mode = MODE_HW;
	return 1;
}

WD_PRIVATE
int wd_stream_dup(struct wd_stream **dst, const struct wd_stream *src,
		  struct wd_comp *c)
{
	struct wd_stream *d;
	int ret = -ENOMEM;

	if (src->mode != MODE_HW || (src->begun && !ctx_readable(src)))
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	*d = *src;
	d->c = c;
	d->soft_ok = false;
	d->ctx = NULL;
	d->ctx_q = NULL;
	d->ctx_size = 0;
	d->in = NULL;
	d->out = NULL;
	if (d->q)
		wd_queue_ref(d->q);
	if (src->in && !(d->in = stage_alloc(d, WD_STAGE_IN)))
		goto fail;
	if (src->out && !(d->out = stage_alloc(d, WD_STAGE_OUT)))
		goto fail;
	if (src->in)
		memcpy(d->in, src->in, src->in_len);
	if (src->out)
		memcpy(d->out, src->out, WD_STAGE_OUT);
	if (src->ctx) {
		/* contexts are position-free: a copy is a second stream */
		d->ctx = wd_vzip_ctx_alloc(src->ctx_size);
		if (!d->ctx)
			goto fail;
		memcpy(d->ctx, src->ctx, src->ctx_size);
		d->ctx_size = src->ctx_size;
	}
	*dst = d;
	return 0;
fail:
	wd_stream_close(d);
	return ret;
}

WD_PRIVATE void wd_stream_own_out(struct wd_stream *s, bool on)
{
	s->own_out = on;
}

WD_PRIVATE size_t wd_stream_pending(const struct wd_stream *s)
{
	return s->out_len;
}

WD_PRIVATE size_t wd_stream_staged(const struct wd_stream *s)
{
	return s->compress ? s->in_len : 0;
}

WD_PRIVATE bool wd_stream_ended(const struct wd_stream *s)
{
	return s->ended;
}

WD_EXPORT int wd_stream_open(struct wd_stream **sp, struct wd_comp *c,
			     enum wd_dir dir)
{
	struct wd_stream *s;

	if (!sp || !c || (dir != WD_DIR_COMPRESS && dir != WD_DIR_DECOMPRESS))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->c = c;
	s->compress = dir == WD_DIR_COMPRESS;
	s->level = c->level;
	s->checksum = sum_init(s);
	*sp = s;
	return 0;
}

WD_EXPORT int wd_stream_run(struct wd_stream *s, const void **in,
			    size_t *in_len, void **out, size_t *out_len,
			    enum wd_flush flush)
{
	size_t in0, out0;
	int ret;

	if (!s || !in || !in_len || !out || !out_len ||
	    (!*in && *in_len) || (!*out && *out_len) ||
	    flush < WD_NO_FLUSH || flush > WD_FINISH)
		return -EINVAL;
	if (s->err)
		return s->err;
	if (s->mode == MODE_NEW) {
		ret = decide(s, *in_len, flush);
		if (ret)
			return ret;
	}
	in0 = *in_len;
	out0 = *out_len;
	if (s->mode == MODE_SW) {
		/* as on the device: after the end, only the end */
		if (s->ended)
			return WD_STREAM_END;
		ret = wd_soft_stream_run(&s->soft, in, in_len, out, out_len,
					 flush);
		if (ret == WD_STREAM_END)
			s->ended = true;
		s->total_in += in0 - *in_len;
		s->total_out += out0 - *out_len;
		s->checksum = s->soft.checksum;
		wd_comp_note(s->c, WD_PATH_SW, s->why);
		if (ret >= 0 || ret == -ENOBUFS)
			wd_count_sw(&s->c->cnt, s->why, in0 - *in_len,
				    out0 - *out_len);
	} else {
		ret = s->compress ?
		      hw_compress(s, in, in_len, out, out_len, flush) :
		      hw_decompress(s, in, in_len, out, out_len);
		wd_comp_note(s->c, WD_PATH_HW, WD_REASON_NONE);
	}
	if (ret < 0 && ret != -ENOBUFS) {
		s->err = ret;
		wd_count_error(&s->c->cnt);
	}
	return ret;
}

WD_EXPORT int wd_stream_set_level(struct wd_stream *s, int level)
{
	if (!s || level < 0 || level > WD_LEVEL_MAX)
		return -EINVAL;
	s->level = level ? level : WD_LEVEL_DEFAULT;
	if (s->soft_ok)
		s->soft.new_level = s->level;
	return 0;
}

WD_EXPORT void wd_stream_get_state(const struct wd_stream *s,
				   struct wd_stream_state *st)
{
	const struct wd_zreal *zr;

	st->total_in = s->total_in;
	st->total_out = s->total_out - s->out_len;
	st->checksum = s->checksum;
	/* compression input still staged counts: it was consumed */
	if (s->mode == MODE_HW && s->compress && s->in_len &&
	    (zr = wd_zreal()))
		st->checksum = s->c->format == WD_FORMAT_ZLIB ?
			       zr->adler32_combine(s->checksum, s->stage_sum,
						   (z_off_t)s->in_len) :
			       zr->crc32_combine(s->checksum, s->stage_sum,
						 (z_off_t)s->in_len);
	st->path = s->mode == MODE_HW ? WD_PATH_HW :
		   s->mode == MODE_SW ? WD_PATH_SW : 0;
	st->reason = s->mode == MODE_SW ? s->why : WD_REASON_NONE;
}

WD_EXPORT int wd_stream_reset(struct wd_stream *s)
{
	if (!s)
		return -EINVAL;
	s->mode = MODE_NEW;
	s->err = 0;
	s->ended = false;
	s->begun = false;
	s->more = false;
	s->last_flush = WD_NO_FLUSH;
	s->in_len = 0;
	s->out_len = 0;
	s->out_off = 0;
	s->total_in = 0;
	s->total_out = 0;
	s->checksum = sum_init(s);
	return 0;
}

WD_EXPORT void wd_stream_close(struct wd_stream *s)
{
	if (!s)
		return;
	if (s->soft_ok)
		wd_soft_stream_end(&s->soft);
	ctx_free(s);
	wd_queue_close(s->q);
	stage_free(s, s->in);
	stage_free(s, s->out);
	free(s);
}

int wd_stream_oneshot(struct wd_comp *c, struct wd_queue *q, int op,
		      const void *src, size_t *src_len, void *dst,
		      size_t *dst_len)
{
	struct wd_stream s = {
		.c = c,
		.compress = op == WD_OP_COMPRESS,
		.mode = MODE_HW,
		.level = c->level,
		.q = q,
	};
	size_t in_len = *src_len, out_len = *dst_len;
	const void *in = src;
	void *out = dst;
	int ret;

	wd_queue_ref(q);
	if (s.compress)
		ret = hw_compress(&s, &in, &in_len, &out, &out_len, WD_FINISH);
	else
		ret = hw_decompress(&s, &in, &in_len, &out, &out_len);
	if (ret == WD_STREAM_END) {
		*src_len -= in_len;
		*dst_len -= out_len;
		ret = 0;
	} else if (ret >= 0 || ret == -ENOBUFS) {
		/* stopped short: no room left, or (decompression) no input */
		ret = !out_len || s.out_len ? -ENOSPC : -EBADMSG;
	}
	ctx_free(&s);
	/* stage_alloc()'s buffers: registered with SVA, unregister them */
	stage_free(&s, s.in);
	stage_free(&s, s.out);
	wd_queue_close(s.q);
	return ret;
}
