// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzip: the engine's data path: NOP, COPY, and compression and
 * decompression with the kernel's raw deflate and inflate, working straight
 * on the request's pages, one page at a time.
 *
 * Compression.  The kernel's deflate has no deflateSetDictionary(), so a
 * stream keeps its history (the last window of input) in its context and
 * each request first compresses that history with a sync flush into a
 * scratch page and throws the output away: the match finder is then where
 * it would have been, and the request's own output starts on a byte
 * boundary.  The destination is filled in segments, each sized so that its
 * input would fit as stored blocks, and ended by a sync point when the
 * destination is nearly full, so that everything reported as consumed is in
 * the output.  A segment that deflate would expand is written as stored
 * blocks instead: the output never exceeds the input by more than a few
 * bytes per segment, whatever the data and the window.
 *
 * Decompression.  The kernel's inflate state is saved whole in the context
 * (inflate_state.c), so a stream may be split at any bit.  Headers and
 * trailers are parsed here (format.c), byte by byte, so they may be split
 * too.
 *
 * A request decompresses as one call of zlib's inflate() with the
 * request's whole destination would: a back-reference may reach into what
 * the request wrote and into the history the context carries, the last
 * 2^window_bits bytes of the stream.  The kernel's inflate is called once
 * per page, and it only checks a distance against its window when it
 * decodes it: a match cut by the end of a page is finished in the next
 * call without a check, and with a window smaller than the distance that
 * copy would read outside the window.  So the kernel's inflate always runs
 * with the largest window, which holds any distance deflate can encode,
 * whatever the request declared; the declared window only limits the
 * history saved in the context, and a match resumed in the next request
 * is checked against that history before inflate continues it
 * (vzip_inflate_state_resumable()).
 */
#include <kunit/visibility.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/zlib.h>
#include <asm/unaligned.h>

#include "vzip.h"
#include "codec.h"

#define VZIP_SEGMENT_MAX	(256U << 10)
#define VZIP_SCRATCH_LEN	4096
/* the smallest memory level vzip_mem_level() picks: 4 KiB of input */
#define VZIP_MEM_LEVEL_MIN	6

/* Outcomes of one phase of a decompression. */
enum {
	VZIP_STEP_MORE_INPUT,	/* the source is used up */
	VZIP_STEP_DST_FULL,	/* the destination is full */
	VZIP_STEP_DONE,		/* the phase is over */
};

/**
 * struct vzip_codec - an engine's compression state
 * @zs: the zlib stream
 * @deflate_ws: deflate workspace for the largest window
 * @inflate_ws: inflate workspace
 * @hist: compression history of the stream being served
 * @scratch: output that is thrown away
 * @sealed: the sealed part of a context, as loaded or to be saved
 * @st: the stream being served
 */
struct vzip_codec {
	z_stream zs;
	void *deflate_ws;
	void *inflate_ws;
	u8 *hist;
	u8 *scratch;
	u8 *sealed;
	struct vzip_stream st;
};

/*
 * The probe fails and says so when an engine gets no state: no allocation
 * failure report (and its stack dump) from the vmalloc fallback too.
 */
static void *vzip_codec_zalloc(size_t size, int node)
{
	return kvzalloc_node(size, GFP_KERNEL | __GFP_NOWARN, node);
}

/**
 * vzip_codec_alloc() - allocate an engine's compression state
 * @node: NUMA node of the engine
 *
 * Return: the state, or NULL without memory.
 */
struct vzip_codec *vzip_codec_alloc(int node)
{
	size_t deflate_ws_size;
	struct vzip_codec *c;

	deflate_ws_size = zlib_deflate_workspacesize(MAX_WBITS, MAX_MEM_LEVEL);
	c = vzip_codec_zalloc(sizeof(*c), node);
	if (!c)
		return NULL;
	c->deflate_ws = vzip_codec_zalloc(deflate_ws_size, node);
	c->inflate_ws = vzip_codec_zalloc(zlib_inflate_workspacesize(), node);
	c->hist = vzip_codec_zalloc(VZIP_WINDOW_MAX, node);
	c->scratch = vzip_codec_zalloc(VZIP_SCRATCH_LEN, node);
	c->sealed = vzip_codec_zalloc(vzip_sealed_size(), node);
	if (!c->deflate_ws || !c->inflate_ws || !c->hist || !c->scratch ||
	    !c->sealed) {
		vzip_codec_free(c);
		return NULL;
	}
	return c;
}
EXPORT_SYMBOL_IF_KUNIT(vzip_codec_alloc);

/**
 * vzip_codec_free() - free what vzip_codec_alloc() allocated
 * @c: the state, or NULL
 */
void vzip_codec_free(struct vzip_codec *c)
{
	if (!c)
		return;
	kvfree(c->sealed);
	kvfree(c->scratch);
	kvfree(c->hist);
	kvfree(c->inflate_ws);
	kvfree(c->deflate_ws);
	kvfree(c);
}
EXPORT_SYMBOL_IF_KUNIT(vzip_codec_free);

static bool vzip_job_aborted(const struct vzip_job *j)
{
	return j->abort && READ_ONCE(*j->abort);
}

static void vzip_copy(struct vzip_job *j)
{
	u32 n = min(j->src.len, j->dst.len);
	u32 pos = 0;

	while (pos < n) {
		u32 slen, dlen, len;
		void *s, *d;

		if (vzip_job_aborted(j)) {
			j->status = VZIP_STS_ABORTED;
			return;
		}
		s = wd_buf_map(&j->src, pos, &slen);
		d = wd_buf_map(&j->dst, pos, &dlen);
		len = min3(slen, dlen, n - pos);
		/*
		 * Whole pages by copy_page(): a kernel built for size inlines
		 * memcpy() as a "rep movsb", one byte per iteration.
		 */
		if (len == PAGE_SIZE)
			copy_page(d, s);
		else
			memcpy(d, s, len);
		wd_buf_unmap(&j->dst, d);
		wd_buf_unmap(&j->src, s);
		pos += len;
		cond_resched();
	}
	j->consumed = n;
	j->produced = n;
	j->status = n < j->src.len ? VZIP_STS_OVERFLOW : VZIP_STS_OK;
}

/* The stream loaded from a context is one the request may continue. */
static bool vzip_stream_matches(const struct vzip_stream *st,
				const struct vzip_job *j, u8 kind)
{
	if (st->kind != kind || st->format != j->format ||
	    st->window_bits != j->window_bits || st->phase == VZIP_PHASE_DONE)
		return false;
	if (kind == VZIP_CTX_COMPRESS)
		return !st->state_len && st->phase != VZIP_PHASE_TRAILER;
	/* a decompressor state is saved exactly while in the body */
	return !st->state_len == (st->phase != VZIP_PHASE_BODY);
}

/*
 * Starts the stream of a request: from its context, or new (also for a
 * request without a context).  Sets the status and fails if the context is
 * not one for this request.
 */
static int vzip_stream_begin(struct vzip_codec *c, struct vzip_job *j, u8 kind)
{
	struct vzip_stream *st = &c->st;

	if (j->stream && !j->new_stream) {
		if (vzip_stream_load(&j->ctx, st, c->sealed))
			j->why = "not written by this device, or changed since";
		else if (!vzip_stream_matches(st, j, kind))
			j->why = "another direction, format or window, or an ended stream";
		else
			return 0;
		j->status = VZIP_STS_INVALID;
		return -EINVAL;
	}
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->format = j->format;
	st->window_bits = j->window_bits;
	st->phase = vzip_header_len(j->format) ? VZIP_PHASE_HEADER :
						 VZIP_PHASE_BODY;
	st->checksum = vzip_checksum_init(j->format);
	return 0;
}

/* ---- compression ---- */

#define VZIP_STORED_MAX		65535	/* bytes in one stored block */
#define VZIP_STORED_HDR		5	/* its header, from a byte boundary */

/*
 * Bytes of @n bytes of input as stored blocks (from a byte boundary), then
 * the end of a final block or a sync marker: the most a segment may cost.
 */
static u32 vzip_stored_len(u32 n)
{
	return n + VZIP_STORED_HDR * (DIV_ROUND_UP(n, VZIP_STORED_MAX) + 1);
}

/* The most input whose stored form fits in @room bytes. */
static u32 vzip_stored_max_input(u32 room)
{
	u32 n, more_headers;

	if (room <= 2 * VZIP_STORED_HDR)
		return 0;
	n = room - 2 * VZIP_STORED_HDR;	/* one block and the end */
	more_headers = (DIV_ROUND_UP(n, VZIP_STORED_MAX) - 1) * VZIP_STORED_HDR;
	n = n > more_headers ? n - more_headers : 0;
	while (n && vzip_stored_len(n) > room)
		n--;
	return n;
}

/*
 * Writes src[spos, spos + n) to dst at dpos as stored blocks, the last one
 * final if @final, else followed by a sync marker (an empty stored block).
 * Returns the bytes written.
 */
static u32 vzip_write_stored(struct vzip_job *j, u32 spos, u32 n, u32 dpos,
			     bool final)
{
	u32 start = dpos;
	u8 hdr[VZIP_STORED_HDR];

	for (;;) {
		u32 len = min_t(u32, n, VZIP_STORED_MAX);
		bool last = final && len == n;

		if (!len && !final)
			break;
		hdr[0] = last;		/* BFINAL, BTYPE 00, padding */
		put_unaligned_le16(len, hdr + 1);
		put_unaligned_le16(~len, hdr + 3);
		wd_buf_write(&j->dst, dpos, hdr, sizeof(hdr));
		dpos += sizeof(hdr);
		while (len) {
			u32 slen, dlen, k;
			void *src = wd_buf_map(&j->src, spos, &slen);
			void *dst = wd_buf_map(&j->dst, dpos, &dlen);

			k = min3(slen, dlen, len);
			memcpy(dst, src, k);
			wd_buf_unmap(&j->dst, dst);
			wd_buf_unmap(&j->src, src);
			spos += k;
			dpos += k;
			len -= k;
			n -= k;
		}
		if (last)
			return dpos - start;
	}
	hdr[0] = 0;
	put_unaligned_le16(0, hdr + 1);
	put_unaligned_le16(0xffff, hdr + 3);
	wd_buf_write(&j->dst, dpos, hdr, sizeof(hdr));
	return dpos + sizeof(hdr) - start;
}

static int vzip_zlib_flush(u8 flush)
{
	switch (flush) {
	case VZIP_FLUSH_FULL:
		return Z_FULL_FLUSH;
	case VZIP_FLUSH_FINISH:
		return Z_FINISH;
	default:
		return Z_SYNC_FLUSH;
	}
}

/*
 * The memory level of a request's deflate state, for @n bytes of history
 * and input: deflate clears its hash table, 2 << (level + 7) bytes, on
 * every request, 64 KiB at the largest level, far more than the work of a
 * small request.  A table of at least twice as many heads as there are
 * positions, and a symbol buffer (1 << (level + 6)) at least as long as
 * the input, give the same blocks and nearly the same matches (on 8 MiB
 * of C sources in 4 KiB requests, 3 bytes more in 3 MB of output: see
 * Documentation/vzip.rst), for a quarter of the clearing at 4 KiB.
 */
static int vzip_mem_level(u32 n)
{
	int level = MAX_MEM_LEVEL;

	while (level > VZIP_MEM_LEVEL_MIN && n <= 1U << (level + 5))
		level--;
	return level;
}

/* Loads the stream's history into the match finder, output discarded. */
static int vzip_deflate_prime(struct vzip_codec *c, u32 len)
{
	z_stream *zs = &c->zs;

	zs->next_in = c->hist;
	zs->avail_in = len;
	do {
		zs->next_out = c->scratch;
		zs->avail_out = VZIP_SCRATCH_LEN;
		if (zlib_deflate(zs, Z_SYNC_FLUSH) == Z_STREAM_ERROR)
			return -EIO;
		cond_resched();
	} while (zs->avail_in || !zs->avail_out);
	return 0;
}

/*
 * Compresses the segment src[spos, spos + n), which starts on a byte
 * boundary, into dst at *dpos and completes @flush (sync, full or finish).
 * The destination has room for the segment's stored form; if deflate's
 * output is larger (incompressible data, in small windows deflate cannot
 * always fall back to stored blocks itself), the rest of it is thrown
 * away and the segment is written as stored blocks instead.  That changes
 * nothing for what follows: the flush leaves deflate byte-aligned with the
 * same history, and the decompressor sees the same bytes.
 *
 * Returns 0, -EINTR if the job was aborted, -EIO on a zlib failure.
 */
static int vzip_deflate_segment(struct vzip_codec *c, struct vzip_job *j,
				u32 spos, u32 n, u32 *dpos, int flush,
				u32 *sum)
{
	u32 end = spos + n, start = *dpos, pos = *dpos;
	z_stream *zs = &c->zs;
	bool spilled = false;

	for (;;) {
		u32 in_len = 0, out_len = VZIP_SCRATCH_LEN, used;
		int zflush = flush, ret;
		const u8 *in = NULL;
		u8 *out = c->scratch;

		if (vzip_job_aborted(j))
			return -EINTR;
		if (spos < end) {
			in = wd_buf_map(&j->src, spos, &in_len);
			in_len = min(in_len, end - spos);
			if (spos + in_len < end)
				zflush = Z_NO_FLUSH;
		}
		spilled |= pos == j->dst.len;
		if (!spilled)
			out = wd_buf_map(&j->dst, pos, &out_len);
		zs->next_in = in;
		zs->avail_in = in_len;
		zs->next_out = out;
		zs->avail_out = out_len;
		ret = zlib_deflate(zs, zflush);
		used = in_len - zs->avail_in;
		if (used)
			*sum = vzip_checksum(j->format, *sum, in, used);
		if (!spilled) {
			wd_buf_unmap(&j->dst, out);
			pos += out_len - zs->avail_out;
		}
		if (in)
			wd_buf_unmap(&j->src, in);
		spos += used;
		if (ret == Z_STREAM_ERROR)
			return -EIO;
		/* deflate is done with a flush once it leaves room, or ends */
		if (spos == end && zflush == flush &&
		    (flush == Z_FINISH ? ret == Z_STREAM_END : zs->avail_out))
			break;
		cond_resched();
	}

	if (spilled || pos - start > vzip_stored_len(n)) {
		pos = start + vzip_write_stored(j, end - n, n, start,
						flush == Z_FINISH);
		j->stored_segments++;
	}
	*dpos = pos;
	return 0;
}

/* Writes the compression stream's history and state back to its context. */
static void vzip_compress_save(struct vzip_codec *c, struct vzip_job *j,
			       bool forget)
{
	struct vzip_stream *st = &c->st;
	u32 window = 1U << st->window_bits;
	u32 consumed = j->consumed;

	if (forget || st->phase == VZIP_PHASE_DONE) {
		st->hist_len = 0;
	} else if (consumed >= window) {
		wd_buf_read(&j->src, consumed - window, c->hist, window);
		st->hist_len = window;
	} else {
		u32 keep = min(st->hist_len, window - consumed);

		memmove(c->hist, c->hist + st->hist_len - keep, keep);
		wd_buf_read(&j->src, 0, c->hist + keep, consumed);
		st->hist_len = keep + consumed;
	}
	vzip_stream_save(&j->ctx, st, c->sealed);
	wd_buf_write(&j->ctx, vzip_stream_hist_offset(st), c->hist,
		     st->hist_len);
}

/* An empty stored block, not final, on a byte boundary: a sync point */
static const u8 vzip_empty_stored[] = { 0x00, 0x00, 0x00, 0xff, 0xff };

static void vzip_compress(struct vzip_codec *c, struct vzip_job *j)
{
	struct vzip_stream *st = &c->st;
	u8 wbits = j->window_bits;
	int flush = vzip_zlib_flush(j->flush);
	u32 trailer = flush == Z_FINISH ? vzip_trailer_len(j->format) : 0;
	u32 spos = 0, dpos = 0, body, sum;
	u8 buf[VZIP_HEADER_MAX + VZIP_TRAILER_MAX];
	u16 status = VZIP_STS_OK;
	int ret;

	if (vzip_stream_begin(c, j, VZIP_CTX_COMPRESS))
		return;
	sum = st->checksum;
	if (st->hist_len)
		wd_buf_read(&j->ctx, vzip_stream_hist_offset(st), c->hist,
			    st->hist_len);
	if (j->flush == VZIP_FLUSH_NONE && !j->src.len)
		goto done;	/* nothing to do, nothing to emit */

	c->zs.workspace = c->deflate_ws;
	if (zlib_deflateInit2(&c->zs, j->level, Z_DEFLATED, -wbits,
			      vzip_mem_level(st->hist_len + j->src.len),
			      Z_DEFAULT_STRATEGY) != Z_OK ||
	    (st->hist_len && vzip_deflate_prime(c, st->hist_len))) {
		j->status = VZIP_STS_HW_ERROR;
		return;
	}

	if (st->phase == VZIP_PHASE_HEADER) {
		u32 len = vzip_header_len(j->format);

		if (j->dst.len < len) {
			status = VZIP_STS_OVERFLOW;
			goto done;
		}
		vzip_header_write(j->format, j->level, wbits, buf);
		wd_buf_write(&j->dst, 0, buf, len);
		dpos = len;
		st->phase = VZIP_PHASE_BODY;
	}

	body = dpos;
	for (;;) {
		u32 left = j->src.len - spos, room = j->dst.len - dpos, n;
		bool last = left <= VZIP_SEGMENT_MAX &&
			    vzip_stored_len(left) + trailer <= room;

		n = left;
		if (!last) {
			n = min3(left, VZIP_SEGMENT_MAX,
				 vzip_stored_max_input(room));
			if (n == left)	/* the trailer would not fit after it */
				n = left ? left - 1 : 0;
			if (!n) {
				status = VZIP_STS_OVERFLOW;
				break;
			}
		}
		ret = vzip_deflate_segment(c, j, spos, n, &dpos,
					   last ? flush : Z_SYNC_FLUSH, &sum);
		if (ret) {
			j->status = ret == -EINTR ? VZIP_STS_ABORTED :
						    VZIP_STS_HW_ERROR;
			return;
		}
		spos += n;
		if (last)
			break;
	}

	st->total += spos;
	/*
	 * A flush with no input after the history's priming, whose own sync
	 * flush deflate saw last: it makes no progress (zlib's Z_BUF_ERROR)
	 * and writes nothing.  The empty stored block SYNC and FULL promise
	 * is written here: deflate stands on a byte boundary (the room for it
	 * was checked as for any segment).
	 */
	if (status == VZIP_STS_OK && dpos == body &&
	    (flush == Z_SYNC_FLUSH || flush == Z_FULL_FLUSH)) {
		wd_buf_write(&j->dst, dpos, vzip_empty_stored,
			     sizeof(vzip_empty_stored));
		dpos += sizeof(vzip_empty_stored);
	}
	if (status == VZIP_STS_OK && flush == Z_FINISH) {
		vzip_trailer_write(j->format, sum, st->total, buf);
		wd_buf_write(&j->dst, dpos, buf, trailer);
		dpos += trailer;
		st->phase = VZIP_PHASE_DONE;
		j->flags |= VZIP_CQE_F_STREAM_END;
	}
done:
	st->checksum = sum;
	j->consumed = spos;
	j->produced = dpos;
	j->checksum = sum;
	j->status = status;
	if (j->stream)
		vzip_compress_save(c, j,
				   status == VZIP_STS_OK && flush == Z_FULL_FLUSH);
}

/* ---- decompression ---- */

/*
 * A raw inflate stream with the largest window: see the top of this file.
 * The engine's workspace served other queues' requests before, and
 * zlib_inflateInit2() resets only part of the state: the code lengths and
 * tables of the last stream decoded stay in it.  A context saves the whole
 * state, so it starts from zeroes, holding nothing of another tenant's
 * data.
 */
static int vzip_inflate_begin(struct vzip_codec *c)
{
	memset(c->inflate_ws, 0, vzip_inflate_state_size());
	c->zs.workspace = c->inflate_ws;
	return zlib_inflateInit2(&c->zs, -VZIP_WINDOW_BITS_MAX) == Z_OK ?
	       0 : -EIO;
}

/* Restores the inflate state of a stream continued from its context. */
static int vzip_inflate_resume(struct vzip_codec *c, struct vzip_job *j)
{
	struct vzip_stream *st = &c->st;

	if (vzip_inflate_begin(c))
		return -EIO;
	if (!st->state_len)
		return 0;
	if (vzip_inflate_state_load(&c->zs, c->sealed + VZIP_CTX_HDR_SIZE,
				    st->hist_len))
		return -EINVAL;
	wd_buf_read(&j->ctx, vzip_stream_hist_offset(st),
		    vzip_inflate_window(&c->zs), st->hist_len);
	return 0;
}

/* Feeds the source to the header or trailer parser. */
static int vzip_wrap_run(struct vzip_codec *c, struct vzip_job *j, u32 *spos)
{
	struct vzip_stream *st = &c->st;

	while (*spos < j->src.len) {
		u32 len, i;
		const u8 *p = wd_buf_map(&j->src, *spos, &len);
		int ret = 0;

		for (i = 0; i < len && !ret; i++) {
			if (st->phase == VZIP_PHASE_HEADER)
				ret = vzip_header_parse(&st->wrap, st->format,
							st->window_bits, p[i]);
			else
				ret = vzip_trailer_parse(&st->wrap, st->format,
							 st->checksum,
							 st->total, p[i]);
		}
		wd_buf_unmap(&j->src, p);
		*spos += i;
		if (ret < 0)
			return ret;
		if (ret > 0)
			return VZIP_STEP_DONE;
		if (vzip_job_aborted(j))
			return -EINTR;
		cond_resched();
	}
	return VZIP_STEP_MORE_INPUT;
}

/*
 * The kernel's inflate checks a distance when it decodes it; zlib, since
 * 1.2.5, when it copies the match.  With the destination full, zlib stops
 * before the copy: the request ends with OVERFLOW, and the error comes with
 * the next one, since the failed state saved in the context fails again.
 * Other errors are found by both while decoding, whatever the room.
 */
static bool vzip_inflate_error_deferred(const z_stream *zs)
{
	return zs->msg && !strcmp(zs->msg, "invalid distance too far back");
}

/* Inflates the source into the destination until one of them runs out. */
static int vzip_inflate_run(struct vzip_codec *c, struct vzip_job *j,
			    u32 *spos, u32 *dpos)
{
	struct vzip_stream *st = &c->st;
	z_stream *zs = &c->zs;

	for (;;) {
		u32 in_len = 0, out_len = 0, used, made;
		bool room = *dpos < j->dst.len;
		const u8 *in = NULL;
		u8 *out = c->scratch;	/* no room: the stream may still end */
		int ret;

		if (vzip_job_aborted(j))
			return -EINTR;
		/* a match the last request left reaches past its history */
		if (!vzip_inflate_state_resumable(zs))
			return -EBADMSG;
		if (*spos < j->src.len)
			in = wd_buf_map(&j->src, *spos, &in_len);
		if (room)
			out = wd_buf_map(&j->dst, *dpos, &out_len);
		zs->next_in = in;
		zs->avail_in = in_len;
		zs->next_out = out;
		zs->avail_out = out_len;
		ret = zlib_inflate(zs, Z_SYNC_FLUSH);
		used = in_len - zs->avail_in;
		made = out_len - zs->avail_out;
		if (made)
			st->checksum = vzip_checksum(st->format, st->checksum,
						     out, made);
		if (room)
			wd_buf_unmap(&j->dst, out);
		if (in)
			wd_buf_unmap(&j->src, in);
		*spos += used;
		*dpos += made;
		st->total += made;
		if (ret == Z_STREAM_END)
			return VZIP_STEP_DONE;
		if (ret == Z_DATA_ERROR && *dpos == j->dst.len &&
		    !zs->avail_out && vzip_inflate_error_deferred(zs))
			return VZIP_STEP_DST_FULL;
		if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT)
			return -EBADMSG;
		if (ret != Z_OK && ret != Z_BUF_ERROR)
			return -EIO;
		if (!used && !made) {
			if (*dpos == j->dst.len)
				return VZIP_STEP_DST_FULL;
			if (*spos == j->src.len)
				return VZIP_STEP_MORE_INPUT;
			return -EIO;	/* inflate stalled with input and room */
		}
		cond_resched();
	}
}

/* Writes the decompression stream's state back to its context. */
static int vzip_decompress_save(struct vzip_codec *c, struct vzip_job *j)
{
	struct vzip_stream *st = &c->st;
	int window_len = 0;

	st->state_len = 0;
	if (st->phase == VZIP_PHASE_BODY) {
		/* c->hist is free while decompressing: the history, in order */
		window_len = vzip_inflate_state_save(&c->zs,
						     c->sealed + VZIP_CTX_HDR_SIZE,
						     c->hist,
						     1U << st->window_bits);
		if (window_len < 0)
			return -EIO;
		st->state_len = vzip_inflate_state_size();
	}
	st->hist_len = window_len;
	vzip_stream_save(&j->ctx, st, c->sealed);
	wd_buf_write(&j->ctx, vzip_stream_hist_offset(st),
		     window_len ? c->hist : NULL, window_len);
	return 0;
}

static void vzip_decompress(struct vzip_codec *c, struct vzip_job *j)
{
	struct vzip_stream *st = &c->st;
	u32 spos = 0, dpos = 0;
	int ret = VZIP_STEP_DONE;
	u16 status;

	if (vzip_stream_begin(c, j, VZIP_CTX_DECOMPRESS))
		return;
	if (st->phase == VZIP_PHASE_BODY) {
		ret = vzip_inflate_resume(c, j);
		if (ret == -EINVAL) {
			j->why = "its decompressor state does not load";
			j->status = VZIP_STS_INVALID;
			return;
		}
		if (ret) {
			j->status = VZIP_STS_HW_ERROR;
			return;
		}
		ret = VZIP_STEP_DONE;
	}

	while (st->phase != VZIP_PHASE_DONE && ret == VZIP_STEP_DONE) {
		switch (st->phase) {
		case VZIP_PHASE_HEADER:
			ret = vzip_wrap_run(c, j, &spos);
			if (ret != VZIP_STEP_DONE)
				break;
			memset(&st->wrap, 0, sizeof(st->wrap));
			if (vzip_inflate_begin(c))
				ret = -EIO;
			st->phase = VZIP_PHASE_BODY;
			break;
		case VZIP_PHASE_BODY:
			ret = vzip_inflate_run(c, j, &spos, &dpos);
			if (ret == VZIP_STEP_DONE)
				st->phase = vzip_trailer_len(st->format) ?
					    VZIP_PHASE_TRAILER :
					    VZIP_PHASE_DONE;
			break;
		default:
			ret = vzip_wrap_run(c, j, &spos);
			if (ret == VZIP_STEP_DONE)
				st->phase = VZIP_PHASE_DONE;
			break;
		}
	}

	if (st->phase == VZIP_PHASE_DONE) {
		status = VZIP_STS_OK;
		j->flags |= VZIP_CQE_F_STREAM_END;
	} else if (ret == VZIP_STEP_DST_FULL) {
		status = VZIP_STS_OVERFLOW;
	} else if (ret == VZIP_STEP_MORE_INPUT) {
		status = j->flush == VZIP_FLUSH_FINISH ? VZIP_STS_DATA_ERROR :
							 VZIP_STS_OK;
	} else if (ret == -EBADMSG) {
		status = VZIP_STS_DATA_ERROR;
	} else if (ret == -EINTR) {
		status = VZIP_STS_ABORTED;
	} else {
		status = VZIP_STS_HW_ERROR;
	}

	j->status = status;
	if (status != VZIP_STS_OK && status != VZIP_STS_OVERFLOW)
		return;
	j->consumed = spos;
	j->produced = dpos;
	j->checksum = st->checksum;
	if (j->stream && vzip_decompress_save(c, j))
		j->status = VZIP_STS_HW_ERROR;
}

/**
 * vzip_codec_run() - execute a job
 * @c: the engine's compression state
 * @job: a decoded request whose ranges are reachable; on return its result
 *       fields are set
 */
void vzip_codec_run(struct vzip_codec *c, struct vzip_job *job)
{
	job->consumed = 0;
	job->produced = 0;
	job->checksum = 0;
	job->flags = 0;
	job->stored_segments = 0;
	job->why = NULL;

	switch (job->opcode) {
	case VZIP_OP_NOP:
		job->status = VZIP_STS_OK;
		break;
	case VZIP_OP_COPY:
		vzip_copy(job);
		break;
	case VZIP_OP_COMPRESS:
		vzip_compress(c, job);
		break;
	case VZIP_OP_DECOMPRESS:
		vzip_decompress(c, job);
		break;
	default:
		job->why = "an opcode the codec does not run";
		job->status = VZIP_STS_INVALID;
		break;
	}

	if (job->status != VZIP_STS_OK && job->status != VZIP_STS_OVERFLOW) {
		job->consumed = 0;
		job->produced = 0;
		job->checksum = 0;
		job->flags = 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vzip_codec_run);
