// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwdz.so: inflate*() on the device (exact, call by call) or on the real
 * zlib, which can take over a stream at any call (replay()); see zshim.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zshim.h"

/* ---- inflate ---- */

/* What inflateReset*() does to the fields (inflate.c, inflateResetKeep) */
static void inflate_fields(struct zshim *w)
{
	z_streamp s = w->strm;

	s->total_in = s->total_out = 0;
	s->msg = Z_NULL;
	/* a raw stream's adler is left alone, gzip's alone starts at 0 */
	if (w->format == WD_FORMAT_GZIP)
		s->adler = 0;
	else if (w->format != WD_FORMAT_RAW)
		s->adler = 1;
}

WD_EXPORT int inflateInit2_(z_streamp strm, int window_bits,
			    const char *version, int stream_size)
{
	struct zshim *w;
	int format, wbits;

	if (zpass)	/* the real uncompress2()'s own stream */
		return CALL_REAL(Z_VERSION_ERROR, inflateInit2_, strm,
				 window_bits, version, stream_size);
	if (!zs_version_ok(version, stream_size))
		return Z_VERSION_ERROR;
	if (!strm)
		return Z_STREAM_ERROR;
	strm->msg = Z_NULL;
	/* as zlib's: no state, so that an inflateEnd() is refused too */
	if (!zs_parse_window(false, window_bits, &format, &wbits)) {
		strm->state = Z_NULL;
		return Z_STREAM_ERROR;
	}
	w = zshim_new(strm, false);
	if (!w)
		return Z_MEM_ERROR;
	w->window_bits = window_bits;
	w->format = format;
	w->wbits = wbits;
	strm->state = (struct internal_state *)w;
	inflate_fields(w);
	return Z_OK;
}

WD_EXPORT int inflateInit_(z_streamp strm, const char *version,
			   int stream_size)
{
	return inflateInit2_(strm, DEF_WBITS, version, stream_size);
}

/*
 * Before the first inflate: learns the format from the header when
 * windowBits asked for detection, and sends to the real zlib the streams
 * the device does not decode as zlib would: zlib streams that need a
 * preset dictionary (zlib asks for it with Z_NEED_DICT) and windows
 * below 32 KiB (zlib's "too far back" depends on how the caller splits
 * its calls then).
 */
static void inflate_peek(struct zshim *w)
{
	const Bytef *in = w->strm->next_in;
	uInt n = w->strm->avail_in;
	int wb = w->wbits;

	/* gzip starts with 1f 8b; a zlib header never with 1f */
	if (w->format < 0)
		w->format = in[0] == 0x1f ? WD_FORMAT_GZIP : WD_FORMAT_ZLIB;
	if (w->format == WD_FORMAT_GZIP && !wb)
		wb = 15;
	if (w->format == WD_FORMAT_ZLIB) {
		if (n < 2 || (in[1] & 0x20)) {
			w->feat = ZF_DICT;
			return;
		}
		if (!wb)
			wb = (in[0] >> 4) + 8;
	}
	if (wb != 15)
		w->feat = ZF_WINDOW;
	w->wbits = 15;
}

/* Keeps what the device took, for a later move to the real zlib. */
static void keep(struct zshim *w, const void *p, size_t n)
{
	if (!w->kept_ok || !n)
		return;
	if (w->at.kept_len + n > ZSHIM_KEEP) {
		w->kept_ok = false;
		return;
	}
	if (w->at.kept_len + n > w->kept_cap) {
		size_t cap = WD_MIN(WD_MAX(w->kept_cap * 2, w->at.kept_len + n),
				    (size_t)ZSHIM_KEEP);
		unsigned char *k = realloc(w->kept, cap);

		if (!k) {
			w->kept_ok = false;
			return;
		}
		w->kept = k;
		w->kept_cap = cap;
	}
	memcpy(w->kept + w->at.kept_len, p, n);
	w->at.kept_len += n;
}

/*
 * Moves an inflate stream from the device to the real zlib, invisibly:
 * the real zlib inflates the input the device took, which leaves it in
 * the device's state (inflate's result does not depend on how the input
 * and output are split, with a 32 KiB window).  Z_OK, or Z_STREAM_ERROR
 * when the input is no longer all kept.
 */
static int replay(struct zshim *w, enum zfeat feat)
{
	/*
	 * zlib's window never gets the output of the call in which the
	 * deflate data end (inflate.c: CHECK resets "out"): the input before
	 * that call is replayed first, then the rest in one call
	 */
	size_t in1 = w->at.end_known ? w->at.end_in : w->at.kept_len;
	uint64_t out1 = w->at.end_known ? w->at.end_out : w->at.hw_out;
	size_t last = w->at.end_known && w->at.hw_out - out1 <= (64u << 20) ?
		      (size_t)(w->at.hw_out - out1) : 0;
	size_t chunk = WD_MAX(last, (size_t)65536);
	unsigned char *scratch;
	z_stream *r = &w->real;
	int ret = Z_OK;

	if (!w->kept_ok)
		return Z_STREAM_ERROR;
	if (w->at.end_known && w->at.hw_out - out1 > (64u << 20)) {
		in1 = w->at.kept_len;	/* too big for one call: as it comes */
		out1 = w->at.hw_out;
	}
	scratch = malloc(chunk);
	if (!scratch)
		return Z_MEM_ERROR;
	w->feat = feat;
	ret = zs_to_real(w, WD_REASON_UNSUPPORTED);
	if (ret != Z_OK) {
		free(scratch);
		return ret;
	}
	r->next_in = w->kept;
	r->avail_in = (uInt)in1;
	r->total_in = r->total_out = 0;
	while (r->avail_in || r->total_out < out1) {
		uLong in0 = r->avail_in, out0 = r->total_out;

		r->next_out = scratch;
		r->avail_out = (uInt)WD_MIN(out1 - r->total_out, 65536u);
		ret = CALL_REAL(Z_STREAM_ERROR, inflate, r, Z_NO_FLUSH);
		if ((ret != Z_OK && ret != Z_BUF_ERROR) ||
		    (r->avail_in == in0 && r->total_out == out0))
			break;
	}
	if (!r->avail_in && r->total_out == out1 && in1 < w->at.kept_len) {
		r->avail_in = (uInt)(w->at.kept_len - in1);
		r->next_out = scratch;
		r->avail_out = (uInt)(w->at.hw_out - out1);
		ret = CALL_REAL(Z_STREAM_ERROR, inflate, r,
				w->at.end_finish ? Z_FINISH : Z_NO_FLUSH);
	}
	free(scratch);
	if (r->avail_in || r->total_out != w->at.hw_out ||
	    (ret != Z_OK && ret != Z_BUF_ERROR && ret != Z_STREAM_END)) {
		/* the device and zlib disagree: nothing to continue from */
		w->strm->msg = (char *)"libwdz: accelerator and zlib disagree";
		return Z_STREAM_ERROR;
	}
	zs_real_fields(w);
	atomic_fetch_add(&zmoved, 1);
	wd_count_sw(NULL, WD_REASON_UNSUPPORTED, w->at.kept_len, w->at.hw_out);
	return Z_OK;
}

/*
 * Notes the call in which zlib reads the whole check value (CRC-32 or
 * Adler-32), which started at @in0 of the kept input and @out0 of the
 * output: zlib's window does not get that call's output.
 */
static void note_end(struct zshim *w, size_t in0, uint64_t out0)
{
	w->at.end_known = true;
	w->at.end_in = in0;
	w->at.end_out = out0;
}

/* For calls only the real zlib can answer: moves the stream there. */
static int inflate_need_real(struct zshim *w, enum zfeat feat)
{
	if (w->mode == ZM_HW)
		return replay(w, feat);
	if (w->mode == ZM_UNDECIDED) {
		w->feat = feat;
		return zs_to_real(w, WD_REASON_UNSUPPORTED);
	}
	return w->mode == ZM_REAL ? Z_OK : Z_STREAM_ERROR;
}

/*
 * One byte of a gzip header, as zlib's inflate() reads it (inflate.c, HEAD
 * to HCRC): 0 to go on, 1 when it ended the header, -1 where zlib fails
 * (zlib is then asked, and says why).
 */
static int gz_header_byte(struct gzp *g, unsigned char c)
{
	enum { S_FIXED, S_XLEN, S_EXTRA, S_NAME, S_COMMENT, S_HCRC };
	unsigned int flg = g->fixed[3];

	if (g->st != S_HCRC)
		g->crc = CALL_REAL(0, crc32, g->crc, &c, 1);
	switch (g->st) {
	case S_FIXED:
		g->fixed[g->len++] = c;
		if ((g->len == 1 && c != 0x1f) || (g->len == 2 && c != 0x8b) ||
		    (g->len == 3 && c != Z_DEFLATED) ||
		    (g->len == 4 && (c & 0xe0)))
			return -1;
		if (g->len < 10)
			return 0;
		flg = g->fixed[3];
		g->len = 0;
		g->skip = 0;
		g->st = S_XLEN;
		if (flg & 0x04)
			return 0;
		break;
	case S_XLEN:
		g->skip |= (unsigned int)c << (8 * g->len);
		if (++g->len < 2)
			return 0;
		g->st = S_EXTRA;
		if (g->skip)
			return 0;
		break;
	case S_EXTRA:
		if (--g->skip)
			return 0;
		break;
	case S_NAME:
	case S_COMMENT:
		if (c)
			return 0;
		break;
	default:
		g->fixed[g->len++] = c;
		if (g->len < 2)
			return 0;
		return (uLong)(g->fixed[0] | g->fixed[1] << 8) ==
		       (g->crc & 0xffff) ? 1 : -1;
	}
	/* the next part that is there */
	if (g->st < S_NAME) {
		g->st = S_NAME;
		if (flg & 0x08)
			return 0;
	}
	if (g->st < S_COMMENT) {
		g->st = S_COMMENT;
		if (flg & 0x10)
			return 0;
	}
	if (g->st < S_HCRC && (flg & 0x02)) {
		g->st = S_HCRC;
		g->len = 0;
		return 0;
	}
	return 1;
}

static uint64_t le32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Takes @n bytes of the caller's input as consumed (header, trailer). */
static void take_in(struct zshim *w, size_t n)
{
	z_streamp s = w->strm;

	keep(w, s->next_in, n);
	s->next_in += n;
	s->avail_in -= (uInt)n;
	s->total_in += n;
}

/* Where an inflate call started: what a move to zlib mid-call undoes. */
struct zcall {
	z_stream fields;
	struct zpos at;
};

static void call_start(struct zshim *w, struct zcall *c)
{
	c->fields = *w->strm;
	c->at = w->at;
}

/*
 * Something in this call only zlib can answer (corrupt input, the device
 * failed): the call is undone (the device's bytes in the caller's buffer
 * are zlib's too, zlib writes them again), zlib is brought to where the
 * call started, and it runs the whole call, which gives its answer, its
 * window and its counts.
 */
static int call_to_zlib(struct zshim *w, const struct zcall *c, int flush,
			int err)
{
	z_streamp s = w->strm;
	size_t kept;
	int r;

	zs_copy_buffers(s, &c->fields);
	s->adler = c->fields.adler;
	kept = WD_MIN(w->at.kept_len, c->at.kept_len);
	w->at = c->at;
	w->at.kept_len = kept;
	r = replay(w, err == -EBADMSG ? ZF_CORRUPT : ZF_LOST);
	if (r != Z_OK)
		return zs_hw_error(w, err);
	return REAL_CALL(w, inflate, flush);
}

/*
 * A gzip member on the device: the shim reads the header and the trailer
 * as zlib does, the device the deflate data (raw).  Whatever is wrong
 * goes to zlib with the rest of the call, which names it.
 */
static int hw_inflate_gz(struct zshim *w, int flush)
{
	z_streamp s = w->strm;
	size_t used = 0, made = 0, k, n;
	struct wd_stream_state st;
	struct zcall call;
	struct gzp g;
	int ret = 0, r = 0;

	call_start(w, &call);

	if (w->at.gz.phase == GZ_HEADER) {
		g = w->at.gz;
		for (k = 0; k < s->avail_in && !r; k++)
			r = gz_header_byte(&g, s->next_in[k]);
		if (r < 0)
			goto to_zlib;
		w->at.gz = g;
		take_in(w, k);
		used += k;
		if (r == 1) {
			w->at.gz.phase = GZ_BODY;
			w->at.gz.len = 0;
			s->adler = 0;
		}
	}
	if (w->at.gz.phase == GZ_BODY) {
		const void *in = s->next_in;
		void *out = s->next_out;
		size_t in_len = s->avail_in, out_len = s->avail_out;

		ret = wd_stream_zinflate(w->ws, &in, &in_len, &out, &out_len);
		n = s->avail_in - in_len;
		k = s->avail_out - out_len;
		take_in(w, n);
		used += n;
		made += k;
		w->at.hw_out += k;
		s->next_out = out;
		s->avail_out = (uInt)out_len;
		s->total_out += k;
		wd_stream_get_state(w->ws, &st);
		s->adler = st.checksum;
		if (ret < 0)
			return call_to_zlib(w, &call, flush, ret);
		if (ret == WD_STREAM_END)
			w->at.gz.phase = GZ_TRAILER;
		/*
		 * zlib has no window after a Z_FINISH call that made the
		 * first output and ended the deflate data (whether or not
		 * the trailer is all in): as a raw stream's (hw_inflate())
		 */
		if (ret == WD_STREAM_END && flush == Z_FINISH &&
		    w->at.hw_out == k && !w->at.end_known) {
			note_end(w, 0, 0);
			w->at.end_finish = true;
		}
	}
	if (w->at.gz.phase == GZ_TRAILER) {
		wd_stream_get_state(w->ws, &st);
		g = w->at.gz;
		for (k = 0; k < s->avail_in && g.len < 8; k++) {
			g.tr[g.len++] = s->next_in[k];
			if ((g.len == 4 && le32(g.tr) != st.checksum) ||
			    (g.len == 8 && le32(g.tr + 4) !=
			     (w->at.hw_out & 0xffffffffu)))
				goto to_zlib;
		}
		if (w->at.gz.len < 4 && g.len >= 4 && !w->at.end_finish)
			note_end(w, w->at.kept_len - used, w->at.hw_out - made);
		w->at.gz = g;
		take_in(w, k);
		used += k;
		if (g.len == 8) {
			w->at.gz.phase = GZ_DONE;
			w->ended = true;
			return Z_STREAM_END;
		}
	}
	if ((!used && !made) || flush == Z_FINISH)
		return Z_BUF_ERROR;
	return Z_OK;

to_zlib:
	return call_to_zlib(w, &call, flush, -EBADMSG);
}

/* Runs one inflate() call on the device, exactly as zlib's would. */
static int hw_inflate(struct zshim *w, int flush)
{
	z_streamp s = w->strm;
	const void *in = s->next_in;
	void *out = s->next_out;
	size_t in_len = s->avail_in, out_len = s->avail_out, used, made;
	struct wd_stream_state st;
	struct zcall call;
	int ret;

	if (w->format == WD_FORMAT_GZIP)
		return hw_inflate_gz(w, flush);
	call_start(w, &call);
	ret = wd_stream_zinflate(w->ws, &in, &in_len, &out, &out_len);
	used = s->avail_in - in_len;
	made = s->avail_out - out_len;
	keep(w, s->next_in, used);
	w->at.hw_out += made;
	/* raw: zlib's window has no output of a Z_FINISH call that ends all */
	if (ret == WD_STREAM_END && w->format == WD_FORMAT_RAW &&
	    flush == Z_FINISH && w->at.hw_out == made) {
		note_end(w, 0, 0);
		w->at.end_finish = true;
	}
	/* zlib: the call that completes the check value */
	if (ret == WD_STREAM_END && w->format == WD_FORMAT_ZLIB)
		note_end(w, w->at.kept_len - used, w->at.hw_out - made);
	/*
	 * zlib: a Z_FINISH call that made the first output and may have
	 * ended the deflate data with the check value still to come (the
	 * device does not say): zlib keeps no window if it did, and one of
	 * the call's output if not, which a replay of this call and what
	 * follows as one Z_FINISH call gives either way
	 */
	if (ret == 0 && w->format == WD_FORMAT_ZLIB && flush == Z_FINISH &&
	    made && w->at.hw_out == made && !w->at.end_known) {
		note_end(w, w->at.kept_len - used, 0);
		w->at.end_finish = true;
	}
	s->next_in = (Bytef *)in;
	s->avail_in = (uInt)in_len;
	s->total_in += used;
	s->next_out = out;
	s->avail_out = (uInt)out_len;
	s->total_out += made;
	wd_stream_get_state(w->ws, &st);
	/* (a zlib header sets adler to 1, where it already is) */
	if (w->format != WD_FORMAT_RAW)
		s->adler = st.checksum;
	if (ret == WD_STREAM_END) {
		w->ended = true;
		return Z_STREAM_END;
	}
	if (ret < 0)
		return call_to_zlib(w, &call, flush, ret);
	if ((!used && !made) || flush == Z_FINISH)
		return Z_BUF_ERROR;
	return Z_OK;
}

WD_EXPORT int inflate(z_streamp strm, int flush)
{
	struct zshim *w = zs_ours(strm);
	int ret;

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflate, strm, flush);
	if (!strm->next_out || (strm->avail_in && !strm->next_in))
		return Z_STREAM_ERROR;
	if (w->mode == ZM_UNDECIDED) {
		if (!strm->avail_in) {
			/* zlib waits for the header: no progress */
			strm->data_type = 0;
			return Z_BUF_ERROR;
		}
		if (flush == Z_BLOCK || flush == Z_TREES)
			w->feat = ZF_BLOCK;
		inflate_peek(w);
		ret = zs_decide(w, strm->avail_in, strm->avail_out, flush);
		if (ret != Z_OK)
			return ret;
		if (w->mode == ZM_HW) {
			w->kept_ok = true;
			w->at.kept_len = 0;
			w->at.hw_out = 0;
			w->at.end_known = false;
			w->at.end_finish = false;
			w->tiny = 0;
			memset(&w->at.gz, 0, sizeof(w->at.gz));
			w->ended = false;
		}
	}
	if (w->mode == ZM_HW && (flush == Z_BLOCK || flush == Z_TREES)) {
		ret = replay(w, ZF_BLOCK);
		if (ret != Z_OK)
			return ret;
	}
	/*
	 * A request per call into a few bytes of room, call after call,
	 * costs the device more than zlib the work: zlib takes the stream
	 */
	if (w->mode == ZM_HW && !w->ended) {
		w->tiny = strm->avail_out <= ZSHIM_TINY ? w->tiny + 1 : 0;
		if (w->tiny > ZSHIM_TINY_CALLS && w->kept_ok &&
		    replay(w, ZF_SMALL) != Z_OK)
			return Z_STREAM_ERROR;
	}
	if (w->mode == ZM_REAL)
		return REAL_CALL(w, inflate, flush);
	if (w->ended)
		return Z_STREAM_END;
	return hw_inflate(w, flush);
}

WD_EXPORT int inflateEnd(z_streamp strm)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateEnd, strm);
	zshim_free(w);
	strm->state = Z_NULL;
	return Z_OK;
}

static int inflate_reset(z_streamp strm, int window_bits, bool change)
{
	struct zshim *w = zs_ours(strm);
	int format, wbits;

	if (!change)
		window_bits = w->window_bits;
	if (!zs_parse_window(false, window_bits, &format, &wbits))
		return Z_STREAM_ERROR;
	if (w->ws)
		wd_stream_reset(w->ws);
	/*
	 * inflateValidate(0) outlives inflateReset(), and so does what
	 * inflateSync() did (a stream synced before its header is raw)
	 */
	if (w->mode == ZM_REAL && !change && w->sticky)
		return REAL_CALL(w, inflateReset);
	w->sticky = false;
	w->mode = ZM_UNDECIDED;
	w->feat = ZF_NONE;
	w->window_bits = window_bits;
	w->format = format;
	w->wbits = wbits;
	w->at.kept_len = 0;
	inflate_fields(w);
	return Z_OK;
}

WD_EXPORT int inflateReset(z_streamp strm)
{
	if (!zs_ours(strm))
		return CALL_REAL(Z_STREAM_ERROR, inflateReset, strm);
	return inflate_reset(strm, 0, false);
}

WD_EXPORT int inflateResetKeep(z_streamp strm)
{
	if (!zs_ours(strm))
		return CALL_REAL(Z_STREAM_ERROR, inflateResetKeep, strm);
	return inflate_reset(strm, 0, false);
}

WD_EXPORT int inflateReset2(z_streamp strm, int window_bits)
{
	if (!zs_ours(strm))
		return zs_real_inflate_reset2(strm, window_bits);
	return inflate_reset(strm, window_bits, true);
}

/* A call that needs the real zlib's decoder: the stream moves there. */
#define ON_REAL_INFLATE(w, feat, err, fn, ...) ({			\
	int q_ = inflate_need_real(w, feat);				\
									\
	q_ == Z_OK ? REAL_CALL(w, fn, ##__VA_ARGS__) : (err);		\
})

WD_EXPORT int inflateSetDictionary(z_streamp strm, const Bytef *dictionary,
				   uInt dict_length)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateSetDictionary, strm,
				 dictionary, dict_length);
	/* zlib takes one for a raw stream any time, else on Z_NEED_DICT */
	if (w->mode != ZM_REAL && w->format != WD_FORMAT_RAW)
		return Z_STREAM_ERROR;
	return ON_REAL_INFLATE(w, ZF_DICT, Z_STREAM_ERROR, inflateSetDictionary,
			       dictionary, dict_length);
}

WD_EXPORT int inflateGetDictionary(z_streamp strm, Bytef *dictionary,
				   uInt *dict_length)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateGetDictionary, strm,
				 dictionary, dict_length);
	if (w->mode == ZM_UNDECIDED) {
		if (dict_length)
			*dict_length = 0;
		return Z_OK;
	}
	return ON_REAL_INFLATE(w, ZF_STATE, Z_STREAM_ERROR,
			       inflateGetDictionary, dictionary, dict_length);
}

WD_EXPORT int inflateSync(z_streamp strm)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateSync, strm);
	/* zlib: no input and no bits, no search */
	if (!strm->avail_in && w->mode == ZM_UNDECIDED)
		return Z_BUF_ERROR;
	w->sticky = true;
	return ON_REAL_INFLATE(w, ZF_SYNC, Z_STREAM_ERROR, inflateSync);
}

WD_EXPORT int inflateSyncPoint(z_streamp strm)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateSyncPoint, strm);
	if (w->mode == ZM_UNDECIDED)
		return 0;
	return ON_REAL_INFLATE(w, ZF_STATE, 0, inflateSyncPoint);
}

WD_EXPORT int inflatePrime(z_streamp strm, int bits, int value)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflatePrime, strm, bits,
				 value);
	return ON_REAL_INFLATE(w, ZF_PRIME, Z_STREAM_ERROR, inflatePrime, bits,
			       value);
}

WD_EXPORT int inflateGetHeader(z_streamp strm, gz_headerp head)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateGetHeader, strm, head);
	/* zlib only takes one where it may read a gzip header */
	if (w->mode != ZM_REAL && w->window_bits <= 15)
		return Z_STREAM_ERROR;
	return ON_REAL_INFLATE(w, ZF_HEADER, Z_STREAM_ERROR, inflateGetHeader,
			       head);
}

WD_EXPORT int inflateUndermine(z_streamp strm, int subvert)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateUndermine, strm,
				 subvert);
	return ON_REAL_INFLATE(w, ZF_STATE, Z_STREAM_ERROR, inflateUndermine,
			       subvert);
}

WD_EXPORT int inflateValidate(z_streamp strm, int check)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateValidate, strm, check);
	/* the device always checks; asking it to is no change */
	if (w->mode != ZM_REAL && check)
		return Z_OK;
	w->sticky = true;
	return ON_REAL_INFLATE(w, ZF_STATE, Z_STREAM_ERROR, inflateValidate,
			       check);
}

WD_EXPORT long inflateMark(z_streamp strm)
{
	struct zshim *w = zs_ours(strm);
	long ret;

	if (!w)
		return CALL_REAL(-(1L << 16), inflateMark, strm);
	if (w->mode == ZM_UNDECIDED)
		return -(1L << 16);	/* zlib's answer before any data */
	if (inflate_need_real(w, ZF_STATE) != Z_OK)
		return -(1L << 16);	/* zlib's "no information" */
	zs_sync_in(w);
	ret = CALL_REAL(-(1L << 16), inflateMark, &w->real);
	return ret;
}

WD_EXPORT unsigned long inflateCodesUsed(z_streamp strm)
{
	struct zshim *w = zs_ours(strm);

	if (!w)
		return CALL_REAL((unsigned long)-1, inflateCodesUsed, strm);
	if (w->mode == ZM_UNDECIDED)
		return 0;
	if (inflate_need_real(w, ZF_STATE) != Z_OK)
		return (unsigned long)-1;
	return CALL_REAL((unsigned long)-1, inflateCodesUsed, &w->real);
}

WD_EXPORT int inflateCopy(z_streamp dest, z_streamp source)
{
	if (!zs_ours(source))
		return CALL_REAL(Z_STREAM_ERROR, inflateCopy, dest, source);
	return zs_copy_state(dest, source, false);
}

/* inflateBack has its own state and API: always the real zlib's */
WD_EXPORT int inflateBackInit_(z_streamp strm, int window_bits,
			       unsigned char *window, const char *version,
			       int stream_size)
{
	return CALL_REAL(Z_VERSION_ERROR, inflateBackInit_, strm, window_bits,
			 window, version, stream_size);
}

WD_EXPORT int inflateBack(z_streamp strm, in_func in, void *in_desc,
			  out_func out, void *out_desc)
{
	return CALL_REAL(Z_STREAM_ERROR, inflateBack, strm, in, in_desc, out,
			 out_desc);
}

WD_EXPORT int inflateBackEnd(z_streamp strm)
{
	return CALL_REAL(Z_STREAM_ERROR, inflateBackEnd, strm);
}
