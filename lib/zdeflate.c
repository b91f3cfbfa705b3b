// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwdz.so: deflate*() on the device, on the real zlib, or begun on the
 * one and finished on the other (ZM_TAIL); see zshim.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zshim.h"

/* ---- deflate ---- */

/* zlib's three kinds of compression by level: stored, fast, slow */
static int level_func(int level)
{
	if (level < 0)
		level = 6;
	return level == 0 ? 0 : level < 4 ? 1 : 2;
}

/* zlib's ranking of flush modes (deflate.c) */
static int rank(int f)
{
	return f * 2 - (f > 4 ? 9 : 0);
}

WD_EXPORT int deflateInit2_(z_streamp strm, int level, int method,
			    int window_bits, int mem_level, int strategy,
			    const char *version, int stream_size)
{
	struct zshim *w;
	int format, wbits;

	if (zpass)	/* the real compress2()'s own stream */
		return CALL_REAL(Z_VERSION_ERROR, deflateInit2_, strm, level,
				 method, window_bits, mem_level, strategy,
				 version, stream_size);
	if (!zs_version_ok(version, stream_size))
		return Z_VERSION_ERROR;
	if (!strm)
		return Z_STREAM_ERROR;
	strm->msg = Z_NULL;
	if (level == Z_DEFAULT_COMPRESSION)
		level = -1;
	/* zlib's own checks, so that we fail where it fails */
	if (method != Z_DEFLATED || level < -1 || level > 9 ||
	    mem_level < 1 || mem_level > MAX_MEM_LEVEL || strategy < 0 ||
	    strategy > Z_FIXED ||
	    !zs_parse_window(true, window_bits, &format, &wbits))
		return Z_STREAM_ERROR;
	w = zshim_new(strm, true);
	if (!w)
		return Z_MEM_ERROR;
	w->level = level;
	w->window_bits = window_bits;
	w->mem_level = mem_level;
	w->strategy = strategy;
	w->format = format;
	w->wbits = wbits;
	w->feat = level == 0 ? ZF_LEVEL0 :
		  strategy != Z_DEFAULT_STRATEGY ? ZF_STRATEGY : ZF_NONE;
	strm->state = (struct internal_state *)w;
	strm->total_in = strm->total_out = 0;
	strm->data_type = Z_UNKNOWN;
	strm->adler = format == WD_FORMAT_GZIP ? 0 : 1;
	return Z_OK;
}

WD_EXPORT int deflateInit_(z_streamp strm, int level, const char *version,
			   int stream_size)
{
	return deflateInit2_(strm, level, Z_DEFLATED, MAX_WBITS, DEF_MEM_LEVEL,
			     Z_DEFAULT_STRATEGY, version, stream_size);
}

static int map_deflate_flush(int flush)
{
	switch (flush) {
	case Z_NO_FLUSH:
		return WD_NO_FLUSH;
	case Z_FULL_FLUSH:
		return WD_FULL_FLUSH;
	case Z_FINISH:
		return WD_FINISH;
	default:	/* Z_PARTIAL_FLUSH, Z_SYNC_FLUSH, Z_BLOCK */
		return WD_SYNC_FLUSH;
	}
}

static void hist_add(struct zshim *w, const unsigned char *p, size_t n);

/*
 * Compresses on the device with the caller's buffers, once zlib's rules
 * let the call run.  "No progress" is not an error here: zlib's rules
 * already said when deflate() returns Z_BUF_ERROR.
 */
static int hw_deflate(struct zshim *w, int flush, bool no_input)
{
	z_streamp s = w->strm;
	const void *in = s->next_in;
	void *out = s->next_out;
	size_t in_len = no_input ? 0 : s->avail_in, out_len = s->avail_out;
	size_t in0 = in_len;
	struct wd_stream_state st;
	int ret;

	ret = wd_stream_run(w->ws, &in, &in_len, &out, &out_len,
			    map_deflate_flush(flush));
	hist_add(w, s->next_in, in0 - in_len);
	s->total_in += in0 - in_len;
	s->total_out += s->avail_out - out_len;
	s->next_in = (Bytef *)in;
	s->avail_in -= (uInt)(in0 - in_len);
	s->next_out = out;
	s->avail_out = (uInt)out_len;
	wd_stream_get_state(w->ws, &st);
	if (w->format != WD_FORMAT_RAW)
		s->adler = st.checksum;
	if (ret == WD_STREAM_END)
		return Z_STREAM_END;
	if (ret >= 0 || ret == -ENOBUFS)
		return Z_OK;
	return zs_hw_error(w, ret);
}

/* The device's history: the last 2^wbits bytes it was given. */
static void hist_add(struct zshim *w, const unsigned char *p, size_t n)
{
	size_t size = (size_t)1 << w->wbits, k;

	if (!n)
		return;
	if (!w->hist) {
		w->hist = malloc(size);
		if (!w->hist) {
			/* the stream just cannot leave the device */
			w->hist_bad = true;
			return;
		}
	}
	if (n > size) {
		p += n - size;
		n = size;
	}
	while (n) {
		k = WD_MIN(n, size - w->hist_pos);
		memcpy(w->hist + w->hist_pos, p, k);
		w->hist_pos = (w->hist_pos + k) % size;
		w->hist_len = WD_MIN(w->hist_len + k, size);
		p += k;
		n -= k;
	}
}

/* Appends @n bytes to what ZM_TAIL delivers first. */
static bool pend_add(struct zshim *w, const void *p, size_t n)
{
	unsigned char *q;

	if (!n)
		return true;
	q = realloc(w->pend, w->pend_len + n);
	if (!q)
		return false;
	memcpy(q + w->pend_len, p, n);
	w->pend = q;
	w->pend_len += n;
	return true;
}

/* Delivers what is pending; true if some is left (no room). */
static bool pend_give(struct zshim *w)
{
	z_streamp s = w->strm;
	size_t n = WD_MIN(w->pend_len - w->pend_off, (size_t)s->avail_out);

	memcpy(s->next_out, w->pend + w->pend_off, n);
	s->next_out += n;
	s->avail_out -= (uInt)n;
	s->total_out += n;
	w->pend_off += n;
	return w->pend_off < w->pend_len;
}

/*
 * Moves a deflate stream from the device to the real zlib, for a call
 * only zlib can serve: the device compresses what it took and ends on a
 * byte boundary (kept to be delivered first), and a raw zlib stream goes
 * on with the device's history as its dictionary; the shim writes the
 * trailer.  Z_OK, or Z_STREAM_ERROR when the device cannot let go.
 */
static int deflate_to_tail(struct zshim *w, enum zfeat feat)
{
	struct wd_stream_state st;
	size_t size = (size_t)1 << w->wbits, first;
	unsigned char buf[16384];
	int ret;

	if (w->hist_bad)
		return Z_STREAM_ERROR;	/* no history kept */
	w->pend_len = w->pend_off = 0;
	for (;;) {
		const void *in = buf;
		void *out = buf;
		size_t in_len = 0, out_len = sizeof(buf);

		ret = wd_stream_run(w->ws, &in, &in_len, &out, &out_len,
				    WD_SYNC_FLUSH);
		if (ret < 0 && ret != -ENOBUFS)
			return Z_STREAM_ERROR;
		if (!pend_add(w, buf, sizeof(buf) - out_len))
			return Z_MEM_ERROR;
		if (out_len)
			break;
	}
	wd_stream_get_state(w->ws, &st);
	memset(&w->real, 0, sizeof(w->real));
	w->real.zalloc = w->strm->zalloc;
	w->real.zfree = w->strm->zfree;
	w->real.opaque = w->strm->opaque;
	ret = CALL_REAL(Z_VERSION_ERROR, deflateInit2_, &w->real,
			w->level ? w->level : 1, Z_DEFLATED, -w->wbits,
			w->mem_level, w->strategy, ZLIB_VERSION,
			(int)sizeof(z_stream));
	if (ret != Z_OK)
		return ret;
	w->real_ok = true;
	if (w->tuned)
		CALL_REAL(Z_STREAM_ERROR, deflateTune, &w->real, w->tune[0],
			  w->tune[1], w->tune[2], w->tune[3]);
	if (w->hist_len) {
		/* the ring in order: oldest first */
		unsigned char *d = malloc(w->hist_len);

		if (!d)
			return Z_MEM_ERROR;
		first = w->hist_len < size ? 0 : w->hist_pos;
		memcpy(d, w->hist + first, w->hist_len - first);
		memcpy(d + w->hist_len - first, w->hist, first);
		ret = CALL_REAL(Z_STREAM_ERROR, deflateSetDictionary, &w->real,
				d, (uInt)w->hist_len);
		free(d);
		if (ret != Z_OK)
			return ret;
	}
	w->tail_sum = st.checksum;
	w->tail_in = st.total_in;
	/*
	 * a stream that ended (its trailer made, perhaps not all delivered:
	 * it is in @pend now) stays ended: zlib adds nothing after its end
	 */
	w->tail_end = w->ended || wd_stream_ended(w->ws);
	w->feat = feat;
	w->mode = ZM_TAIL;
	w->why = WD_REASON_UNSUPPORTED;
	atomic_fetch_add(&zfeat_count[feat], 1);
	atomic_fetch_add(&zmoved, 1);
	return Z_OK;
}

/* Compresses on zlib after the device (ZM_TAIL), zlib's rules passed. */
static int tail_deflate(struct zshim *w, int flush, bool no_input)
{
	z_streamp s = w->strm;
	uInt ain = no_input ? 0 : s->avail_in;
	uLong in0 = s->total_in, out0 = s->total_out;
	unsigned char tr[8];
	size_t used;
	int ret;

	if (pend_give(w))
		return Z_OK;
	if (w->tail_end)
		return Z_STREAM_END;
	/* zlib too stops once its pending output filled the buffer */
	if (!s->avail_out)
		return Z_OK;
	w->real.next_in = s->next_in;
	w->real.avail_in = ain;
	w->real.next_out = s->next_out;
	w->real.avail_out = s->avail_out;
	w->real.msg = s->msg;
	ret = CALL_REAL(Z_STREAM_ERROR, deflate, &w->real, flush);
	used = ain - w->real.avail_in;
	if (used && w->format != WD_FORMAT_RAW)
		w->tail_sum = w->format == WD_FORMAT_ZLIB ?
			      CALL_REAL(1, adler32, w->tail_sum, s->next_in,
					(uInt)used) :
			      CALL_REAL(0, crc32, w->tail_sum, s->next_in,
					(uInt)used);
	w->tail_in += used;
	s->total_in += used;
	s->avail_in -= (uInt)used;
	s->next_in = w->real.next_in;
	s->total_out += s->avail_out - w->real.avail_out;
	s->next_out = w->real.next_out;
	s->avail_out = w->real.avail_out;
	/*
	 * "No progress" from the inner stream is not the caller's error:
	 * zlib's rules for the outer call already passed (zdeflate()).
	 */
	if (ret != Z_BUF_ERROR)
		s->msg = w->real.msg;
	if (w->format != WD_FORMAT_RAW)
		s->adler = w->tail_sum;
	wd_count_sw(NULL, w->why, s->total_in - in0, s->total_out - out0);
	if (ret == Z_STREAM_END) {
		w->tail_end = true;
		w->pend_len = w->pend_off = 0;
		if (w->format == WD_FORMAT_ZLIB) {
			for (int i = 0; i < 4; i++)
				tr[i] = (unsigned char)(w->tail_sum >> (24 - 8 * i));
			pend_add(w, tr, 4);
		} else if (w->format == WD_FORMAT_GZIP) {
			for (int i = 0; i < 4; i++) {
				tr[i] = (unsigned char)(w->tail_sum >> (8 * i));
				tr[4 + i] = (unsigned char)(w->tail_in >> (8 * i));
			}
			pend_add(w, tr, 8);
		}
		return pend_give(w) ? Z_OK : Z_STREAM_END;
	}
	if (ret == Z_OK || ret == Z_BUF_ERROR)
		return Z_OK;
	return ret;
}

/* Bytes made and not yet delivered, on the device or after it. */
static size_t out_pending(struct zshim *w)
{
	unsigned int n = 0;
	int bits;

	if (w->mode == ZM_HW)
		return wd_stream_pending(w->ws);
	if (w->mode == ZM_TAIL) {
		CALL_REAL(Z_STREAM_ERROR, deflatePending, &w->real, &n, &bits);
		return w->pend_len - w->pend_off + n;
	}
	return 0;
}

static int real_deflate(struct zshim *w, int flush);

/*
 * A first deflate(Z_FINISH) call with deflateBound()'s room, which must
 * end the stream: the device compresses into a buffer of ours, and what
 * fits is the caller's; otherwise zlib does the call from the start (the
 * caller has seen nothing yet).
 */
static int trial_deflate(struct zshim *w)
{
	z_streamp s = w->strm;
	size_t room = wd_compress_bound(w->format, s->avail_in) + 64;
	unsigned char *tmp = malloc(room);
	const void *in = s->next_in;
	void *out = tmp;
	size_t in_len = s->avail_in, out_len = room, made;
	struct wd_stream_state st;
	int ret = -ENOMEM;

	w->trial = false;
	if (tmp) {
		wd_stream_own_out(w->ws, false);
		ret = wd_stream_run(w->ws, &in, &in_len, &out, &out_len,
				    WD_FINISH);
		wd_stream_own_out(w->ws, true);
	}
	made = room - out_len;
	if (ret == WD_STREAM_END && !in_len && made <= s->avail_out) {
		memcpy(s->next_out, tmp, made);
		free(tmp);
		s->next_out += made;
		s->avail_out -= (uInt)made;
		s->total_out += made;
		s->next_in += s->avail_in;
		s->total_in += s->avail_in;
		s->avail_in = 0;
		wd_stream_get_state(w->ws, &st);
		if (w->format != WD_FORMAT_RAW)
			s->adler = st.checksum;
		return Z_STREAM_END;
	}
	free(tmp);
	wd_stream_reset(w->ws);
	w->feat = ZF_BOUND;
	ret = zs_to_real(w, WD_REASON_UNSUPPORTED);
	return ret == Z_OK ? real_deflate(w, Z_FINISH) : ret;
}

static int real_deflate(struct zshim *w, int flush)
{
	return REAL_CALL(w, deflate, flush);
}

/* deflate() of a stream of ours: zlib's rules, then the device. */
static int zdeflate(struct zshim *w, int flush)
{
	z_streamp strm = w->strm;
	bool pending;
	int old, ret;

	if (flush < Z_NO_FLUSH || flush > Z_BLOCK)
		return Z_STREAM_ERROR;
	if (w->mode == ZM_REAL)
		return real_deflate(w, flush);
	if (!strm->next_out || (strm->avail_in && !strm->next_in) ||
	    (w->dstatus == DS_FINISH && flush != Z_FINISH))
		return zs_err(strm, Z_STREAM_ERROR);
	if (!strm->avail_out)
		return zs_err(strm, Z_BUF_ERROR);
	if (w->mode == ZM_UNDECIDED) {
		ret = zs_decide(w, strm->avail_in, strm->avail_out, flush);
		if (ret != Z_OK)
			return ret;
		if (w->mode == ZM_REAL)
			return real_deflate(w, flush);
	}
	old = w->last_flush;
	w->last_flush = flush;
	/* (what the move to zlib made is not pending for zlib) */
	pending = (w->mode == ZM_TAIL ? out_pending(w) - (w->pend_len -
							 w->pend_off) :
		   out_pending(w)) != 0;
	if (!pending && !strm->avail_in && rank(flush) <= rank(old) &&
	    flush != Z_FINISH)
		return zs_err(strm, Z_BUF_ERROR);
	if (w->dstatus == DS_FINISH && strm->avail_in) {
		/* zlib delivers what is pending, then refuses the input */
		if (pending && w->mode == ZM_TAIL)
			tail_deflate(w, Z_FINISH, true);
		else if (pending)
			hw_deflate(w, Z_FINISH, true);
		if (!strm->avail_out) {
			w->last_flush = -1;
			return Z_OK;
		}
		return zs_err(strm, Z_BUF_ERROR);
	}
	if (w->dstatus == DS_INIT)
		w->dstatus = DS_BUSY;
	ret = w->mode == ZM_TAIL ? tail_deflate(w, flush, false) :
	      w->trial && flush == Z_FINISH ? trial_deflate(w) :
	      hw_deflate(w, flush, false);
	w->trial = false;
	if (w->mode == ZM_REAL)
		return ret;
	if (ret != Z_OK && ret != Z_STREAM_END)
		return ret;
	/* the final block is under way once Z_FINISH took all input */
	if (flush == Z_FINISH && !strm->avail_in)
		w->dstatus = DS_FINISH;
	/* nothing before a full flush is history any more */
	if (flush == Z_FULL_FLUSH && !strm->avail_in)
		w->hist_len = w->hist_pos = 0;
	if (ret == Z_OK && !strm->avail_out)
		w->last_flush = -1;	/* no Z_BUF_ERROR next time */
	if (ret == Z_STREAM_END)
		w->ended = true;
	return ret;
}

WD_EXPORT int deflate(z_streamp strm, int flush)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflate, strm, flush);
	return zdeflate(w, flush);
}

WD_EXPORT int deflateEnd(z_streamp strm)
{
	struct zshim *w = zs_ours(strm);
	int ret = Z_OK;

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflateEnd, strm);
	if (w->mode == ZM_REAL) {
		zs_sync_in(w);
		ret = CALL_REAL(Z_STREAM_ERROR, deflateEnd, &w->real);
		w->real_ok = false;
	} else if (w->dstatus == DS_BUSY) {
		/* zlib says so when a started stream is freed before its end */
		ret = Z_DATA_ERROR;
	}
	zshim_free(w);
	strm->state = Z_NULL;
	return ret;
}

static int need_real(struct zshim *w, enum zfeat feat);

static int deflate_reset(z_streamp strm, bool keep)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return keep ? CALL_REAL(Z_STREAM_ERROR, deflateResetKeep, strm) :
			      CALL_REAL(Z_STREAM_ERROR, deflateReset, strm);
	/* a gzip header given is zlib's to keep: the stream stays there */
	if (w->mode == ZM_REAL && w->feat == ZF_HEADER)
		return keep ? REAL_CALL(w, deflateResetKeep) :
			      REAL_CALL(w, deflateReset);
	/* the next stream chooses its path again; its objects are kept */
	if (w->ws)
		wd_stream_reset(w->ws);
	if (w->mode == ZM_TAIL)
		zs_real_free(w);	/* a raw stream: not this one's format */
	w->hist_len = w->hist_pos = 0;
	w->hist_bad = false;
	w->pend_len = w->pend_off = 0;
	w->mode = ZM_UNDECIDED;
	w->feat = w->level == 0 ? ZF_LEVEL0 :
		  w->strategy != Z_DEFAULT_STRATEGY ? ZF_STRATEGY : ZF_NONE;
	w->last_flush = -2;
	w->dstatus = DS_INIT;
	w->ended = false;
	w->trial = false;
	w->dict_len = 0;
	if (!keep)
		w->tuned = false;
	strm->total_in = strm->total_out = 0;
	strm->msg = Z_NULL;
	strm->data_type = Z_UNKNOWN;
	strm->adler = w->format == WD_FORMAT_GZIP ? 0 : 1;
	/* the header given during the last member is this one's: zlib's */
	if (w->late_head) {
		gz_headerp head = w->late_head;
		int ret;

		w->late_head = NULL;
		ret = need_real(w, ZF_HEADER);
		return ret == Z_OK ? REAL_CALL(w, deflateSetHeader, head) : ret;
	}
	return Z_OK;
}

WD_EXPORT int deflateReset(z_streamp strm)
{
	return deflate_reset(strm, false);
}

WD_EXPORT int deflateResetKeep(z_streamp strm)
{
	return deflate_reset(strm, true);
}

/*
 * deflateParams() on the zlib stream after the device (ZM_TAIL), whose own
 * deflate(Z_BLOCK) writes into the caller's buffer, after what the shim
 * still holds (no room then), and takes no input (zdeflate() took it);
 * zlib's answer: Z_BUF_ERROR keeps the old parameters.
 */
static int tail_params(struct zshim *w, int level, int strategy)
{
	z_streamp s = w->strm;
	int ret;

	w->real.next_in = s->next_in;
	w->real.avail_in = 0;
	w->real.next_out = s->next_out;
	w->real.avail_out = w->pend_off < w->pend_len ? 0 : s->avail_out;
	ret = CALL_REAL(Z_STREAM_ERROR, deflateParams, &w->real, level,
			strategy);
	if (w->pend_off >= w->pend_len) {
		wd_count_sw(NULL, w->why, 0, s->avail_out - w->real.avail_out);
		s->total_out += s->avail_out - w->real.avail_out;
		s->next_out = w->real.next_out;
		s->avail_out = w->real.avail_out;
	}
	return ret;
}

WD_EXPORT int deflateParams(z_streamp strm, int level, int strategy)
{
	struct zshim *w = zs_ours(strm);
	int ret;

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflateParams, strm, level,
				 strategy);
	if (w->mode == ZM_REAL) {
		ret = REAL_CALL(w, deflateParams, level, strategy);
		if (ret == Z_OK) {
			w->level = level;
			w->strategy = strategy;
		}
		return ret;
	}
	if (level == Z_DEFAULT_COMPRESSION)
		level = 6;
	if (level < 0 || level > 9 || strategy < 0 || strategy > Z_FIXED)
		return Z_STREAM_ERROR;
	/* zlib's new level replaces what deflateTune() set */
	if (level != (w->level < 0 ? 6 : w->level))
		w->tuned = false;
	if (w->mode == ZM_UNDECIDED) {
		/* no data yet: nothing to flush (zlib's last_flush is -2) */
		w->level = level;
		w->strategy = strategy;
		w->feat = level == 0 ? ZF_LEVEL0 :
			  strategy != Z_DEFAULT_STRATEGY ? ZF_STRATEGY :
			  ZF_NONE;
		return Z_OK;
	}
	/*
	 * As zlib: another kind of compression first compresses the input
	 * so far with deflate(Z_BLOCK); what it could not finish keeps the
	 * old parameters.  The device changes level between requests (level
	 * 0 is 1 there); the strategy is a hint it does not need.
	 */
	if ((strategy != w->strategy ||
	     level_func(level) != level_func(w->level)) &&
	    w->last_flush != -2) {
		ret = zdeflate(w, Z_BLOCK);
		if (ret == Z_STREAM_ERROR)
			return ret;
		if (strm->avail_in ||
		    (w->mode == ZM_HW && wd_stream_staged(w->ws)))
			return Z_BUF_ERROR;
	}
	if (w->mode == ZM_TAIL) {
		ret = tail_params(w, level, strategy);
		if (ret != Z_OK)
			return ret;
	} else if (wd_stream_set_level(w->ws, level ? level : 1)) {
		return Z_STREAM_ERROR;
	}
	w->level = level;
	w->strategy = strategy;
	return Z_OK;
}

/*
 * For calls only the real zlib can serve on a stream that has no data
 * yet: moves it there (a feature the device lacks).  Z_OK when the stream
 * is on the real zlib.
 */
static int need_real(struct zshim *w, enum zfeat feat)
{
	if (w->mode == ZM_UNDECIDED) {
		w->feat = feat;
		return zs_to_real(w, WD_REASON_UNSUPPORTED);
	}
	if (w->mode == ZM_HW && w->deflate)
		return deflate_to_tail(w, feat);
	return w->mode == ZM_REAL || w->mode == ZM_TAIL ? Z_OK :
	       Z_STREAM_ERROR;
}

WD_EXPORT int deflateSetDictionary(z_streamp strm, const Bytef *dictionary,
				   uInt dict_length)
{
	struct zshim *w = zs_ours(strm);
	int ret;

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflateSetDictionary, strm,
				 dictionary, dict_length);
	if (!dictionary || (w->mode != ZM_REAL &&
			    w->format == WD_FORMAT_GZIP))
		return Z_STREAM_ERROR;
	/*
	 * After the first data: zlib refuses a zlib stream, and a raw one
	 * with input it has not compressed yet (here: not after a flush)
	 */
	if (w->mode == ZM_HW || w->mode == ZM_TAIL) {
		if (w->format != WD_FORMAT_RAW || w->last_flush == Z_NO_FLUSH ||
		    w->last_flush == -2 || out_pending(w) ||
		    (w->mode == ZM_HW && wd_stream_staged(w->ws)))
			return Z_STREAM_ERROR;
		ret = need_real(w, ZF_DICT);
		return ret == Z_OK ? REAL_CALL(w, deflateSetDictionary,
					       dictionary, dict_length) : ret;
	}
	/*
	 * A raw stream's first dictionary waits for the first data: the
	 * device can take it as history.  zlib counts it in total_in.
	 */
	if (w->mode == ZM_UNDECIDED && w->format == WD_FORMAT_RAW &&
	    !w->dict_len && dict_length) {
		size_t keep_len = WD_MIN((size_t)dict_length,
					 (size_t)1 << w->wbits);

		w->dict = realloc(w->dict, keep_len);
		if (w->dict) {
			memcpy(w->dict, dictionary + dict_length - keep_len,
			       keep_len);
			w->dict_len = keep_len;
			strm->total_in += keep_len;
			return Z_OK;
		}
	}
	ret = need_real(w, ZF_DICT);
	return ret == Z_OK ? REAL_CALL(w, deflateSetDictionary, dictionary,
				       dict_length) : ret;
}

WD_EXPORT int deflateGetDictionary(z_streamp strm, Bytef *dictionary,
				   uInt *dict_length)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflateGetDictionary, strm,
				 dictionary, dict_length);
	if (w->mode == ZM_REAL)
		return REAL_CALL(w, deflateGetDictionary, dictionary,
				 dict_length);
	if (w->mode == ZM_HW || w->mode == ZM_TAIL) {
		int ret = need_real(w, ZF_STATE);

		return ret == Z_OK ? REAL_CALL(w, deflateGetDictionary,
					       dictionary, dict_length) : ret;
	}
	/* nothing compressed yet: the window is the dictionary, if any */
	if (dictionary && w->dict_len)
		memcpy(dictionary, w->dict, w->dict_len);
	if (dict_length)
		*dict_length = (uInt)w->dict_len;
	return Z_OK;
}

WD_EXPORT int deflatePrime(z_streamp strm, int bits, int value)
{
	struct zshim *w = zs_ours(strm);
	int ret;

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflatePrime, strm, bits,
				 value);
	if (w->mode != ZM_REAL && (bits < 0 || bits > 16))
		return Z_BUF_ERROR;
	ret = need_real(w, ZF_PRIME);
	return ret == Z_OK ? REAL_CALL(w, deflatePrime, bits, value) : ret;
}

WD_EXPORT int deflateTune(z_streamp strm, int good_length, int max_lazy,
			  int nice_length, int max_chain)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflateTune, strm, good_length,
				 max_lazy, nice_length, max_chain);
	if (w->mode == ZM_REAL || w->mode == ZM_TAIL)
		return REAL_CALL(w, deflateTune, good_length, max_lazy,
				 nice_length, max_chain);
	/* a hint: the device does not need it, zlib gets it if it runs */
	w->tune[0] = good_length;
	w->tune[1] = max_lazy;
	w->tune[2] = nice_length;
	w->tune[3] = max_chain;
	w->tuned = true;
	return Z_OK;
}

WD_EXPORT int deflateSetHeader(z_streamp strm, gz_headerp head)
{
	struct zshim *w = zs_ours(strm);
	int ret;

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflateSetHeader, strm, head);
	if (w->format != WD_FORMAT_GZIP)
		return Z_STREAM_ERROR;
	/*
	 * zlib wrote the header at the first deflate(): it keeps this one for
	 * the next member, after deflateReset(), and refuses it once the
	 * stream ended (its trailer is written)
	 */
	if (w->mode == ZM_HW || w->mode == ZM_TAIL) {
		if (w->ended || w->tail_end ||
		    (w->ws && wd_stream_ended(w->ws)))
			return Z_STREAM_ERROR;
		w->late_head = head;
		return Z_OK;
	}
	ret = need_real(w, ZF_HEADER);
	if (ret != Z_OK)
		return ret;
	/* a stream on zlib for another reason: zlib keeps it at a reset */
	w->feat = ZF_HEADER;
	return REAL_CALL(w, deflateSetHeader, head);
}

WD_EXPORT int deflatePending(z_streamp strm, unsigned *pending, int *bits)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflatePending, strm, pending,
				 bits);
	if (w->mode == ZM_REAL)
		return REAL_CALL(w, deflatePending, pending, bits);
	if (w->mode == ZM_TAIL) {
		unsigned int n = 0;
		int b = 0;

		CALL_REAL(Z_STREAM_ERROR, deflatePending, &w->real, &n, &b);
		if (pending)
			*pending = n + (unsigned int)(w->pend_len - w->pend_off);
		if (bits)
			*bits = b;
		return Z_OK;
	}
	/* the device's output ends on a byte boundary */
	if (pending)
		*pending = (unsigned int)out_pending(w);
	if (bits)
		*bits = 0;
	return Z_OK;
}

WD_EXPORT uLong deflateBound(z_streamp strm, uLong source_len)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return CALL_REAL(0, deflateBound, strm, source_len);
	if (w->mode == ZM_REAL) {
		zs_sync_in(w);
		return CALL_REAL(0, deflateBound, &w->real, source_len);
	}
	/*
	 * zlib's value: a single Z_FINISH call with that much room runs on
	 * zlib when the device might need more (zs_decide())
	 */
	return zs_zlib_bound(w, source_len);
}

WD_EXPORT int deflateCopy(z_streamp dest, z_streamp source)
{
	if (!zs_ours(source))
		return CALL_REAL(Z_STREAM_ERROR, deflateCopy, dest, source);
	return zs_copy_state(dest, source, true);
}
