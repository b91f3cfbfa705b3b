// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwdz.so: zlib's ABI on libwarpdrive, for LD_PRELOAD or linking.
 *
 * A z_stream set up by deflateInit*() or inflateInit*() here carries a
 * struct zshim as its state.  Nothing is decided until the first call
 * that moves data: then the stream either runs on the accelerator (a
 * libwarpdrive stream) or, when the policy, the size or a zlib feature the
 * device lacks says so, on the real zlib underneath (an inner z_stream of
 * the system's libz.so.1, whose fields are copied in and out on every
 * call).  Either way the output is a valid zlib, gzip or raw deflate
 * stream, and the counters of <warpdrive/comp.h> (WD_STATS=1) say how
 * much went each way.
 *
 * The real zlib is reached through dlsym() on its own handle, never by
 * name.  zlib's own functions call each other through the PLT, so with
 * this library preloaded they may land here: for instance the real
 * inflateInit2_() calls inflateReset2() on its fresh state, and gzopen()'s
 * deflate calls come here too.  A state that is not a struct zshim (its
 * second word is zlib's mode or status, never ZSHIM_MAGIC) is handed to
 * the real function unchanged, so both cases work.
 *
 * What only the real zlib does, decided before the first data: strategies
 * other than the default, level 0, preset dictionaries (both directions),
 * deflatePrime(), deflateSetHeader(), deflateTune(), inflateGetHeader(),
 * inflatePrime(), inflateValidate(), inflate() with Z_BLOCK or Z_TREES,
 * raw deflate with windowBits -8, and inflateBack*().  On a stream that
 * already runs on the device, deflateParams() changes the level (the
 * strategy is a hint the device ignores), Z_PARTIAL_FLUSH and Z_BLOCK
 * act as Z_SYNC_FLUSH, deflatePending() reports no pending bits, and the
 * rest of that list fails with Z_STREAM_ERROR as zlib itself does when
 * they come too late.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "comp_priv.h"
#include "internal.h"
#include "zreal.h"

#define ZSHIM_MAGIC	0x5a445357u	/* "WSDZ" */

/* zlib's defaults, from its private zutil.h */
#define DEF_MEM_LEVEL	8
#define DEF_WBITS	MAX_WBITS

enum zmode {
	ZM_UNDECIDED,	/* no data yet */
	ZM_HW,		/* a libwarpdrive stream on the device */
	ZM_REAL,	/* the real zlib */
};

/**
 * struct zshim - our state of a z_stream
 * @strm: the z_stream (first, as in zlib's states)
 * @magic: ZSHIM_MAGIC (where zlib's states have their mode or status)
 * @deflate: deflate, else inflate
 * @mode: enum zmode
 * @real_only: a zlib feature the device lacks was asked for
 * @why: why the stream runs on the real zlib
 * @level: deflate level (-1 for the default)
 * @window_bits: as given to deflateInit2_() or inflateInit2_()
 * @mem_level: deflate memLevel
 * @strategy: deflate strategy
 * @format: enum wd_format (inflate: once known)
 * @wbits: log2 of the window, 9-15
 * @real: the real zlib's stream, with @real_ok
 * @comp: session of the device stream
 * @ws: the device stream
 * @status: inflate: Z_STREAM_END once reached
 */
struct zshim {
	z_streamp strm;
	uint32_t magic;
	bool deflate;
	enum zmode mode;
	bool real_only;
	enum wd_reason why;
	int level;
	int window_bits;
	int mem_level;
	int strategy;
	int format;
	int wbits;
	z_stream real;
	bool real_ok;
	struct wd_comp *comp;
	struct wd_stream *ws;
	int status;
};

/* ---- the real zlib ---- */

/* Every function of zlib we forward to, resolved once. */
#define ZREAL_FUNCS(X)							\
	X(zlibVersion) X(zlibCompileFlags) X(zError)			\
	X(deflateInit2_) X(deflate) X(deflateEnd) X(deflateReset)	\
	X(deflateResetKeep) X(deflateParams) X(deflateSetDictionary)	\
	X(deflateGetDictionary) X(deflateBound) X(deflatePending)	\
	X(deflatePrime) X(deflateTune) X(deflateSetHeader) X(deflateCopy) \
	X(inflateInit2_) X(inflate) X(inflateEnd) X(inflateReset)	\
	X(inflateReset2) X(inflateResetKeep) X(inflateSetDictionary)	\
	X(inflateGetDictionary) X(inflateSync) X(inflateSyncPoint)	\
	X(inflateCopy) X(inflatePrime) X(inflateMark) X(inflateGetHeader) \
	X(inflateUndermine) X(inflateValidate) X(inflateCodesUsed)	\
	X(inflateBackInit_) X(inflateBack) X(inflateBackEnd)		\
	X(compressBound) X(adler32) X(adler32_z) X(adler32_combine)	\
	X(adler32_combine64) X(crc32) X(crc32_z) X(crc32_combine)	\
	X(crc32_combine64) X(crc32_combine_gen) X(crc32_combine_gen64)	\
	X(crc32_combine_op) X(get_crc_table)				\
	X(gzopen) X(gzopen64) X(gzdopen) X(gzbuffer) X(gzsetparams)	\
	X(gzread) X(gzfread) X(gzwrite) X(gzfwrite) X(gzvprintf)	\
	X(gzputs) X(gzgets) X(gzputc) X(gzgetc) X(gzgetc_) X(gzungetc)	\
	X(gzflush) X(gzseek) X(gzseek64) X(gzrewind) X(gztell)		\
	X(gztell64) X(gzoffset) X(gzoffset64) X(gzeof) X(gzdirect)	\
	X(gzclose) X(gzclose_r) X(gzclose_w) X(gzerror) X(gzclearerr)

static struct {
#define FIELD(f) __typeof__(f) *f;
	ZREAL_FUNCS(FIELD)
#undef FIELD
} real;

static pthread_once_t real_once = PTHREAD_ONCE_INIT;

static void real_load(void)
{
#define LOAD(f) real.f = (__typeof__(f) *)wd_zreal_sym(#f);
	ZREAL_FUNCS(LOAD)
#undef LOAD
}

/* The real zlib's @f, or NULL if the system's zlib lacks it. */
#define REAL(f) (pthread_once(&real_once, real_load), real.f)

/*
 * Calls the real @f, or returns @err when the system's zlib lacks it.
 * (The parentheses keep zlib.h's gzgetc() macro out.)
 */
#define CALL_REAL(err, f, ...)						\
	(REAL(f) ? (real.f)(__VA_ARGS__) : (err))

/* ---- our states ---- */

static struct zshim *ours(z_streamp strm)
{
	struct zshim *w;

	if (!strm || !strm->state)
		return NULL;
	w = (struct zshim *)strm->state;
	return w->magic == ZSHIM_MAGIC && w->strm == strm ? w : NULL;
}

/* The caller's fields into the real zlib's stream, before a call. */
static void sync_in(struct zshim *w)
{
	z_streamp s = w->strm;

	w->real.next_in = s->next_in;
	w->real.avail_in = s->avail_in;
	w->real.total_in = s->total_in;
	w->real.next_out = s->next_out;
	w->real.avail_out = s->avail_out;
	w->real.total_out = s->total_out;
}

/* And back, after it. */
static void sync_out(struct zshim *w)
{
	z_streamp s = w->strm;

	s->next_in = w->real.next_in;
	s->avail_in = w->real.avail_in;
	s->total_in = w->real.total_in;
	s->next_out = w->real.next_out;
	s->avail_out = w->real.avail_out;
	s->total_out = w->real.total_out;
	s->msg = w->real.msg;
	s->data_type = w->real.data_type;
	s->adler = w->real.adler;
}

static void hw_free(struct zshim *w)
{
	wd_stream_close(w->ws);
	wd_comp_close(w->comp);
	w->ws = NULL;
	w->comp = NULL;
}

static void real_free(struct zshim *w)
{
	if (!w->real_ok)
		return;
	if (w->deflate)
		CALL_REAL(Z_STREAM_ERROR, deflateEnd, &w->real);
	else
		CALL_REAL(Z_STREAM_ERROR, inflateEnd, &w->real);
	w->real_ok = false;
}

/*
 * Moves an undecided stream to the real zlib: a fresh inner stream, or
 * the one from before a reset, reset with the current parameters.
 */
static int to_real(struct zshim *w, enum wd_reason why)
{
	int ret;

	if (w->real_ok && w->deflate) {
		ret = CALL_REAL(Z_STREAM_ERROR, deflateReset, &w->real);
		if (ret == Z_OK)
			ret = CALL_REAL(Z_STREAM_ERROR, deflateParams, &w->real,
					w->level, w->strategy);
	} else if (w->real_ok) {
		ret = CALL_REAL(Z_STREAM_ERROR, inflateReset2, &w->real,
				w->window_bits);
	} else {
		memset(&w->real, 0, sizeof(w->real));
		w->real.zalloc = w->strm->zalloc;
		w->real.zfree = w->strm->zfree;
		w->real.opaque = w->strm->opaque;
		if (w->deflate)
			ret = CALL_REAL(Z_VERSION_ERROR, deflateInit2_,
					&w->real, w->level, Z_DEFLATED,
					w->window_bits, w->mem_level,
					w->strategy, ZLIB_VERSION,
					(int)sizeof(z_stream));
		else
			ret = CALL_REAL(Z_VERSION_ERROR, inflateInit2_,
					&w->real, w->window_bits, ZLIB_VERSION,
					(int)sizeof(z_stream));
		w->real_ok = ret == Z_OK;
	}
	if (ret != Z_OK)
		return ret;
	w->mode = ZM_REAL;
	w->why = why;
	return Z_OK;
}

/*
 * Splits zlib's windowBits into format and window (9-15) with zlib's
 * rules; false where zlib fails.  Inflate's automatic detection (32 and
 * 40-47) gives format -1, decided at the first call.
 */
static bool parse_window(bool deflate, int wb, int *format, int *wbits)
{
	if (deflate) {
		if (wb >= 8 && wb <= 15) {
			*format = WD_FORMAT_ZLIB;
			*wbits = wb == 8 ? 9 : wb;	/* as zlib does */
		} else if (wb >= 25 && wb <= 31) {
			*format = WD_FORMAT_GZIP;
			*wbits = wb - 16;
		} else if (wb >= -15 && wb <= -9) {
			*format = WD_FORMAT_RAW;
			*wbits = -wb;
		} else {
			return false;
		}
		return true;
	}
	/* the device inflates with the largest window: any stream fits */
	*wbits = 15;
	if (wb == 0 || (wb >= 8 && wb <= 15))
		*format = WD_FORMAT_ZLIB;
	else if (wb == 16 || (wb >= 24 && wb <= 31))
		*format = WD_FORMAT_GZIP;
	else if (wb == 32 || (wb >= 40 && wb <= 47))
		*format = -1;
	else if (wb >= -15 && wb <= -8)
		*format = WD_FORMAT_RAW;
	else
		return false;
	return true;
}

/*
 * Tries to put an undecided stream on the device; otherwise on the real
 * zlib.  The device stream of before a reset is reused when its format
 * and window still fit.  Returns a zlib code: Z_OK when it has a path.
 */
static int decide(struct zshim *w, size_t in_len, int finish)
{
	struct wd_comp_params p = { 0 };
	enum wd_reason why = WD_REASON_UNSUPPORTED;
	int level = w->deflate && w->level > 0 ? w->level : 0;
	int ret = 0;

	if (w->real_only)
		return to_real(w, why);
	if (w->comp && (w->comp->format != (enum wd_format)w->format ||
			w->comp->window_bits != w->wbits))
		hw_free(w);
	if (!w->comp) {
		p.format = w->format;
		p.level = level;
		p.window_bits = w->wbits;
		ret = wd_comp_open(&w->comp, &p);
		if (!ret)
			ret = wd_stream_open(&w->ws, w->comp, w->deflate ?
					     WD_DIR_COMPRESS :
					     WD_DIR_DECOMPRESS);
	}
	if (!ret)
		ret = wd_stream_set_level(w->ws, level);
	if (!ret)
		ret = wd_stream_try_hw(w->ws, in_len,
				       finish ? WD_FINISH : WD_NO_FLUSH, &why);
	if (ret == 1) {
		w->mode = ZM_HW;
		return Z_OK;
	}
	if (ret < 0 && ret != -ENOMEM) {
		/* policy hw and no device for it: fail as zlib would */
		w->strm->msg = (char *)"libwdz: no accelerator (WD_POLICY=hw)";
		return Z_STREAM_ERROR;
	}
	return to_real(w, ret ? WD_REASON_NO_MEMORY : why);
}

static struct zshim *zshim_new(z_streamp strm, bool deflate)
{
	struct zshim *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->strm = strm;
	w->magic = ZSHIM_MAGIC;
	w->deflate = deflate;
	return w;
}

static void zshim_free(struct zshim *w)
{
	hw_free(w);
	real_free(w);
	w->magic = 0;
	free(w);
}

/* Resets the caller's fields as zlib's reset does. */
static void reset_fields(struct zshim *w)
{
	z_streamp s = w->strm;

	s->total_in = 0;
	s->total_out = 0;
	s->msg = Z_NULL;
	s->data_type = Z_UNKNOWN;
	s->adler = w->format == WD_FORMAT_GZIP ? 0 : 1;
}

/* Maps a libwarpdrive error of a device stream to zlib's codes. */
static int hw_error(struct zshim *w, int err)
{
	switch (err) {
	case -ENOBUFS:
		return Z_BUF_ERROR;
	case -EBADMSG:
		w->strm->msg = (char *)"libwdz: invalid compressed data";
		return Z_DATA_ERROR;
	case -ENOMEM:
		return Z_MEM_ERROR;
	default:
		w->strm->msg = (char *)"libwdz: accelerator failed";
		return Z_STREAM_ERROR;
	}
}

/* Runs the device stream on the caller's buffers; a zlib code. */
static int hw_run(struct zshim *w, int flush)
{
	z_streamp s = w->strm;
	const void *in = s->next_in;
	void *out = s->next_out;
	size_t in_len = s->avail_in, out_len = s->avail_out;
	struct wd_stream_state st;
	int ret;

	ret = wd_stream_run(w->ws, &in, &in_len, &out, &out_len, flush);
	s->total_in += s->avail_in - in_len;
	s->total_out += s->avail_out - out_len;
	s->next_in = (Bytef *)in;
	s->avail_in = (uInt)in_len;
	s->next_out = out;
	s->avail_out = (uInt)out_len;
	wd_stream_get_state(w->ws, &st);
	if (w->format != WD_FORMAT_RAW)
		s->adler = st.checksum;
	if (ret == WD_STREAM_END)
		return Z_STREAM_END;
	if (ret < 0)
		return hw_error(w, ret);
	return Z_OK;
}

/* Counts a call on the real zlib. */
static void count_real(struct zshim *w, uLong in0, uLong out0)
{
	wd_count_sw(NULL, w->why, w->strm->total_in - in0,
		    w->strm->total_out - out0);
}

static bool version_ok(const char *version, int stream_size)
{
	return version && version[0] == ZLIB_VERSION[0] &&
	       stream_size == (int)sizeof(z_stream);
}

/* ---- deflate ---- */

WD_EXPORT int deflateInit2_(z_streamp strm, int level, int method,
			    int window_bits, int mem_level, int strategy,
			    const char *version, int stream_size)
{
	struct zshim *w;
	int format, wbits;

	if (!version_ok(version, stream_size))
		return Z_VERSION_ERROR;
	if (!strm)
		return Z_STREAM_ERROR;
	if (level == Z_DEFAULT_COMPRESSION)
		level = -1;
	/* zlib's own checks, so that we fail where it fails */
	if (method != Z_DEFLATED || level < -1 || level > 9 ||
	    mem_level < 1 || mem_level > MAX_MEM_LEVEL || strategy < 0 ||
	    strategy > Z_FIXED ||
	    !parse_window(true, window_bits, &format, &wbits))
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
	w->real_only = level == 0 || strategy != Z_DEFAULT_STRATEGY;
	strm->state = (struct internal_state *)w;
	strm->msg = Z_NULL;
	reset_fields(w);
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

WD_EXPORT int deflate(z_streamp strm, int flush)
{
	struct zshim *w = ours(strm);
	uLong in0, out0;
	int ret;

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflate, strm, flush);
	if (flush < Z_NO_FLUSH || flush > Z_BLOCK || !strm->next_out ||
	    (strm->avail_in && !strm->next_in))
		return Z_STREAM_ERROR;
	if (w->mode == ZM_UNDECIDED) {
		if (!strm->avail_out)
			return Z_BUF_ERROR;
		ret = decide(w, strm->avail_in, flush == Z_FINISH);
		if (ret != Z_OK)
			return ret;
	}
	if (w->mode == ZM_REAL) {
		in0 = strm->total_in;
		out0 = strm->total_out;
		sync_in(w);
		ret = CALL_REAL(Z_STREAM_ERROR, deflate, &w->real, flush);
		sync_out(w);
		count_real(w, in0, out0);
		return ret;
	}
	/* as zlib: only Z_FINISH may follow the end; no room, no progress */
	if (w->status == Z_STREAM_END && flush != Z_FINISH)
		return Z_STREAM_ERROR;
	if (!strm->avail_out)
		return Z_BUF_ERROR;
	ret = hw_run(w, map_deflate_flush(flush));
	if (ret == Z_STREAM_END)
		w->status = Z_STREAM_END;
	return ret;
}

WD_EXPORT int deflateEnd(z_streamp strm)
{
	struct zshim *w = ours(strm);
	int ret = Z_OK;

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflateEnd, strm);
	if (w->mode == ZM_REAL) {
		sync_in(w);
		ret = CALL_REAL(Z_STREAM_ERROR, deflateEnd, &w->real);
		w->real_ok = false;
	} else if (w->mode == ZM_HW && w->status != Z_STREAM_END) {
		/* zlib says so when a started stream is freed before its end */
		ret = Z_DATA_ERROR;
	}
	zshim_free(w);
	strm->state = Z_NULL;
	return ret;
}

static int deflate_reset(z_streamp strm, bool keep)
{
	struct zshim *w = ours(strm);

	if (!w)
		return keep ? CALL_REAL(Z_STREAM_ERROR, deflateResetKeep, strm) :
			      CALL_REAL(Z_STREAM_ERROR, deflateReset, strm);
	/* the next stream chooses its path again; its objects are kept */
	if (w->ws)
		wd_stream_reset(w->ws);
	w->mode = ZM_UNDECIDED;
	w->status = Z_OK;
	reset_fields(w);
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

WD_EXPORT int deflateParams(z_streamp strm, int level, int strategy)
{
	struct zshim *w = ours(strm);
	int ret;

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflateParams, strm, level,
				 strategy);
	if (level == Z_DEFAULT_COMPRESSION)
		level = -1;
	if (level < -1 || level > 9 || strategy < 0 || strategy > Z_FIXED)
		return Z_STREAM_ERROR;
	switch (w->mode) {
	case ZM_REAL:
		sync_in(w);
		ret = CALL_REAL(Z_STREAM_ERROR, deflateParams, &w->real, level,
				strategy);
		sync_out(w);
		return ret;
	case ZM_HW:
		/* the device changes level between requests; level 0 is 1 */
		w->level = level;
		return wd_stream_set_level(w->ws, level < 0 ? 0 :
					   level ? level : 1) ? Z_STREAM_ERROR :
								 Z_OK;
	default:
		w->level = level;
		w->strategy = strategy;
		w->real_only = level == 0 || strategy != Z_DEFAULT_STRATEGY;
		return Z_OK;
	}
}

/*
 * For calls only the real zlib can serve: moves an undecided stream there
 * (the feature asked for is one the device lacks).  Z_OK when the stream
 * is on the real zlib; on the device it is zlib's answer to a call that
 * comes too late, Z_STREAM_ERROR.
 */
static int need_real(struct zshim *w)
{
	if (w->mode == ZM_UNDECIDED) {
		w->real_only = true;
		return to_real(w, WD_REASON_UNSUPPORTED);
	}
	return w->mode == ZM_REAL ? Z_OK : Z_STREAM_ERROR;
}

/* Calls the real @fn on the stream's inner z_stream, fields synced. */
#define ON_REAL(w, fn, ...) ({						\
	int r_ = need_real(w);						\
									\
	if (r_ == Z_OK) {						\
		sync_in(w);						\
		r_ = CALL_REAL(Z_STREAM_ERROR, fn, &(w)->real,		\
			       ##__VA_ARGS__);				\
		sync_out(w);						\
	}								\
	r_;								\
})

WD_EXPORT int deflateSetDictionary(z_streamp strm, const Bytef *dictionary,
				   uInt dict_length)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflateSetDictionary, strm,
				 dictionary, dict_length);
	return ON_REAL(w, deflateSetDictionary, dictionary,
			 dict_length);
}

WD_EXPORT int deflateGetDictionary(z_streamp strm, Bytef *dictionary,
				   uInt *dict_length)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflateGetDictionary, strm,
				 dictionary, dict_length);
	return ON_REAL(w, deflateGetDictionary, dictionary,
			 dict_length);
}

WD_EXPORT int deflatePrime(z_streamp strm, int bits, int value)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflatePrime, strm, bits,
				 value);
	return ON_REAL(w, deflatePrime, bits, value);
}

WD_EXPORT int deflateTune(z_streamp strm, int good_length, int max_lazy,
			  int nice_length, int max_chain)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflateTune, strm, good_length,
				 max_lazy, nice_length, max_chain);
	/* tuning is a hint: on the device it changes nothing */
	if (w->mode == ZM_HW)
		return Z_OK;
	return ON_REAL(w, deflateTune, good_length, max_lazy,
			 nice_length, max_chain);
}

WD_EXPORT int deflateSetHeader(z_streamp strm, gz_headerp head)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflateSetHeader, strm, head);
	if (w->format != WD_FORMAT_GZIP)
		return Z_STREAM_ERROR;
	return ON_REAL(w, deflateSetHeader, head);
}

WD_EXPORT int deflatePending(z_streamp strm, unsigned *pending, int *bits)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflatePending, strm, pending,
				 bits);
	if (w->mode == ZM_REAL) {
		int ret;

		sync_in(w);
		ret = CALL_REAL(Z_STREAM_ERROR, deflatePending, &w->real,
				pending, bits);
		sync_out(w);
		return ret;
	}
	/* the device's output ends on a byte boundary */
	if (pending)
		*pending = w->ws ? (unsigned)wd_stream_pending(w->ws) : 0;
	if (bits)
		*bits = 0;
	return Z_OK;
}

WD_EXPORT uLong deflateBound(z_streamp strm, uLong source_len)
{
	struct zshim *w = ours(strm);
	uLong ours_bound, zlib_bound;

	if (!w)
		return CALL_REAL(0, deflateBound, strm, source_len);
	if (w->mode == ZM_REAL) {
		sync_in(w);
		return CALL_REAL(0, deflateBound, &w->real, source_len);
	}
	/* enough for either path: the device's bound and zlib's */
	ours_bound = wd_compress_bound(w->format, source_len) + 18;
	zlib_bound = CALL_REAL(0, compressBound, source_len) + 18;
	return WD_MAX(ours_bound, zlib_bound);
}

static int copy_state(z_streamp dest, z_streamp source, bool deflate)
{
	struct zshim *sw = ours(source), *dw;
	int ret = Z_OK;

	if (!dest)
		return Z_STREAM_ERROR;
	*dest = *source;
	dw = zshim_new(dest, deflate);
	if (!dw)
		return Z_MEM_ERROR;
	*dw = *sw;
	dw->strm = dest;
	dw->real_ok = false;
	dw->comp = NULL;
	dw->ws = NULL;
	if (sw->mode == ZM_REAL) {
		ret = deflate ?
		      CALL_REAL(Z_STREAM_ERROR, deflateCopy, &dw->real,
				&sw->real) :
		      CALL_REAL(Z_STREAM_ERROR, inflateCopy, &dw->real,
				&sw->real);
		dw->real_ok = ret == Z_OK;
	} else if (sw->mode == ZM_HW) {
		struct wd_comp_params p = {
			.format = sw->format, .level = sw->level < 0 ?
			0 : sw->level, .window_bits = sw->wbits,
		};

		ret = wd_comp_open(&dw->comp, &p) ? Z_MEM_ERROR : Z_OK;
		if (ret == Z_OK && wd_stream_dup(&dw->ws, sw->ws, dw->comp))
			ret = Z_MEM_ERROR;
	}
	if (ret != Z_OK) {
		zshim_free(dw);
		dest->state = Z_NULL;
		return ret;
	}
	dest->state = (struct internal_state *)dw;
	return Z_OK;
}

WD_EXPORT int deflateCopy(z_streamp dest, z_streamp source)
{
	if (!ours(source))
		return CALL_REAL(Z_STREAM_ERROR, deflateCopy, dest, source);
	return copy_state(dest, source, true);
}

/* ---- inflate ---- */

WD_EXPORT int inflateInit2_(z_streamp strm, int window_bits,
			    const char *version, int stream_size)
{
	struct zshim *w;
	int format, wbits;

	if (!version_ok(version, stream_size))
		return Z_VERSION_ERROR;
	if (!strm)
		return Z_STREAM_ERROR;
	if (!parse_window(false, window_bits, &format, &wbits))
		return Z_STREAM_ERROR;
	w = zshim_new(strm, false);
	if (!w)
		return Z_MEM_ERROR;
	w->window_bits = window_bits;
	w->format = format;
	w->wbits = wbits;
	strm->state = (struct internal_state *)w;
	strm->msg = Z_NULL;
	reset_fields(w);
	return Z_OK;
}

WD_EXPORT int inflateInit_(z_streamp strm, const char *version,
			   int stream_size)
{
	return inflateInit2_(strm, DEF_WBITS, version, stream_size);
}

/*
 * Before the first inflate: learns the format from the header when
 * windowBits asked for detection, and sends zlib streams that need a
 * preset dictionary to the real zlib (it asks for it with Z_NEED_DICT).
 */
static void inflate_peek(struct zshim *w)
{
	const Bytef *in = w->strm->next_in;
	uInt n = w->strm->avail_in;

	/* gzip starts with 1f 8b; a zlib header never with 1f */
	if (w->format < 0)
		w->format = in[0] == 0x1f ? WD_FORMAT_GZIP : WD_FORMAT_ZLIB;
	if (w->format == WD_FORMAT_ZLIB && (n < 2 || (in[1] & 0x20)))
		w->real_only = true;
}

WD_EXPORT int inflate(z_streamp strm, int flush)
{
	struct zshim *w = ours(strm);
	uLong in0, out0;
	int ret;

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflate, strm, flush);
	if (flush < Z_NO_FLUSH || flush > Z_TREES || !strm->next_out ||
	    (strm->avail_in && !strm->next_in))
		return Z_STREAM_ERROR;
	if (w->mode == ZM_UNDECIDED) {
		if (!strm->avail_in)
			return Z_BUF_ERROR;
		inflate_peek(w);
		if (flush == Z_BLOCK || flush == Z_TREES)
			w->real_only = true;
		ret = decide(w, strm->avail_in, flush == Z_FINISH);
		if (ret != Z_OK)
			return ret;
	}
	if (w->mode == ZM_REAL) {
		in0 = strm->total_in;
		out0 = strm->total_out;
		sync_in(w);
		ret = CALL_REAL(Z_STREAM_ERROR, inflate, &w->real, flush);
		sync_out(w);
		count_real(w, in0, out0);
		return ret;
	}
	if (flush == Z_BLOCK || flush == Z_TREES)
		return Z_STREAM_ERROR;
	ret = hw_run(w, WD_NO_FLUSH);
	if (ret == Z_STREAM_END)
		w->status = Z_STREAM_END;
	/* as zlib: Z_FINISH that cannot finish is a buffer error */
	if (ret == Z_OK && flush == Z_FINISH)
		ret = Z_BUF_ERROR;
	return ret;
}

WD_EXPORT int inflateEnd(z_streamp strm)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateEnd, strm);
	zshim_free(w);
	strm->state = Z_NULL;
	return Z_OK;
}

static int inflate_reset(z_streamp strm, int window_bits, bool change)
{
	struct zshim *w = ours(strm);
	int format, wbits;

	if (!change)
		window_bits = w->window_bits;
	if (!parse_window(false, window_bits, &format, &wbits))
		return Z_STREAM_ERROR;
	if (w->ws)
		wd_stream_reset(w->ws);
	w->mode = ZM_UNDECIDED;
	w->real_only = false;
	w->status = Z_OK;
	w->window_bits = window_bits;
	w->format = format;
	w->wbits = wbits;
	reset_fields(w);
	return Z_OK;
}

WD_EXPORT int inflateReset(z_streamp strm)
{
	if (!ours(strm))
		return CALL_REAL(Z_STREAM_ERROR, inflateReset, strm);
	return inflate_reset(strm, 0, false);
}

WD_EXPORT int inflateResetKeep(z_streamp strm)
{
	if (!ours(strm))
		return CALL_REAL(Z_STREAM_ERROR, inflateResetKeep, strm);
	return inflate_reset(strm, 0, false);
}

WD_EXPORT int inflateReset2(z_streamp strm, int window_bits)
{
	if (!ours(strm))
		return CALL_REAL(Z_STREAM_ERROR, inflateReset2, strm,
				 window_bits);
	return inflate_reset(strm, window_bits, true);
}

WD_EXPORT int inflateSetDictionary(z_streamp strm, const Bytef *dictionary,
				   uInt dict_length)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateSetDictionary, strm,
				 dictionary, dict_length);
	return ON_REAL(w, inflateSetDictionary, dictionary,
			 dict_length);
}

WD_EXPORT int inflateGetDictionary(z_streamp strm, Bytef *dictionary,
				   uInt *dict_length)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateGetDictionary, strm,
				 dictionary, dict_length);
	return ON_REAL(w, inflateGetDictionary, dictionary,
			 dict_length);
}

WD_EXPORT int inflateSync(z_streamp strm)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateSync, strm);
	return ON_REAL(w, inflateSync);
}

WD_EXPORT int inflateSyncPoint(z_streamp strm)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateSyncPoint, strm);
	if (w->mode == ZM_HW)
		return 0;	/* no, not known to be at a sync point */
	return ON_REAL(w, inflateSyncPoint);
}

WD_EXPORT int inflatePrime(z_streamp strm, int bits, int value)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflatePrime, strm, bits,
				 value);
	return ON_REAL(w, inflatePrime, bits, value);
}

WD_EXPORT int inflateGetHeader(z_streamp strm, gz_headerp head)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateGetHeader, strm, head);
	return ON_REAL(w, inflateGetHeader, head);
}

WD_EXPORT int inflateUndermine(z_streamp strm, int subvert)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateUndermine, strm,
				 subvert);
	return ON_REAL(w, inflateUndermine, subvert);
}

WD_EXPORT int inflateValidate(z_streamp strm, int check)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateValidate, strm, check);
	/* the device always checks; asking it to is no change */
	if (w->mode == ZM_HW && check)
		return Z_OK;
	return ON_REAL(w, inflateValidate, check);
}

WD_EXPORT long inflateMark(z_streamp strm)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(-(1L << 16), inflateMark, strm);
	if (w->mode != ZM_REAL)
		return -(1L << 16);	/* zlib's "no information" */
	sync_in(w);
	return CALL_REAL(-(1L << 16), inflateMark, &w->real);
}

WD_EXPORT unsigned long inflateCodesUsed(z_streamp strm)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL((unsigned long)-1, inflateCodesUsed, strm);
	if (w->mode != ZM_REAL)
		return (unsigned long)-1;
	return CALL_REAL((unsigned long)-1, inflateCodesUsed, &w->real);
}

WD_EXPORT int inflateCopy(z_streamp dest, z_streamp source)
{
	if (!ours(source))
		return CALL_REAL(Z_STREAM_ERROR, inflateCopy, dest, source);
	return copy_state(dest, source, false);
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

/* ---- whole buffers ---- */

/*
 * One session per (direction, level) for compress() and uncompress(),
 * made on first use; sessions are thread-safe.  oneshot_lock protects
 * oneshot_sessions while they are made.
 */
static pthread_mutex_t oneshot_lock = PTHREAD_MUTEX_INITIALIZER;
static struct wd_comp *oneshot_sessions[12];

/* Compression at @level (-1 for the default), or decompression (@level 10). */
static struct wd_comp *oneshot_session(int level)
{
	struct wd_comp_params p = { .format = WD_FORMAT_ZLIB };
	int i = level + 1;
	struct wd_comp *c;

	c = __atomic_load_n(&oneshot_sessions[i], __ATOMIC_ACQUIRE);
	if (c)
		return c;
	pthread_mutex_lock(&oneshot_lock);
	c = oneshot_sessions[i];
	if (!c) {
		p.level = level < 0 || level > 9 ? 0 : level;
		if (!wd_comp_open(&c, &p))
			__atomic_store_n(&oneshot_sessions[i], c,
					 __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&oneshot_lock);
	return c;
}

/*
 * The device for a whole buffer when the policy says so: 1 if it did it,
 * 0 if the real zlib should (*@why says why), or a zlib error.
 */
static int oneshot_hw(int level, bool comp, const Bytef *src, uLong *src_len,
		      Bytef *dst, uLongf *dst_len, enum wd_reason *why)
{
	struct wd_comp *c = oneshot_session(comp ? level : 10);
	size_t in = *src_len, out = *dst_len;
	struct wd_queue *q;
	int ret;

	*why = WD_REASON_NO_MEMORY;
	if (!c)
		return 0;
	/* level 0 (stored) and empty buffers: exactly as zlib does them */
	*why = WD_REASON_UNSUPPORTED;
	if ((comp && level == 0) || !in || !out)
		return 0;
	ret = wd_comp_route(c, comp ? WD_OP_COMPRESS : WD_OP_DECOMPRESS, in,
			    false, &q, why);
	if (ret)
		return Z_STREAM_ERROR;	/* policy hw without a device */
	if (!q)
		return 0;
	ret = wd_comp_hw_oneshot(c, q, comp ? WD_OP_COMPRESS :
				 WD_OP_DECOMPRESS, src, &in, dst, &out);
	wd_queue_close(q);
	if (!ret) {
		*src_len = in;
		*dst_len = out;
		return 1;
	}
	if (wd_hw_retryable(ret) && c->policy == WD_POLICY_AUTO) {
		*why = wd_hw_fail_reason(ret);
		return 0;
	}
	wd_count_error(&c->cnt);
	switch (ret) {
	case -ENOSPC:
		return Z_BUF_ERROR;
	case -EBADMSG:
		return Z_DATA_ERROR;
	case -ENOMEM:
		return Z_MEM_ERROR;
	default:
		return Z_STREAM_ERROR;
	}
}

/*
 * zlib 1.2.13's compress2(), on the real zlib's stream functions (called
 * through dlsym(), never through the PLT that leads back here).
 */
static int real_compress(Bytef *dest, uLongf *dest_len, const Bytef *source,
			 uLong source_len, int level)
{
	const uInt max = (uInt)-1;
	z_stream stream = { 0 };
	uLong left = *dest_len;
	int err;

	*dest_len = 0;
	err = CALL_REAL(Z_VERSION_ERROR, deflateInit2_, &stream, level,
			Z_DEFLATED, MAX_WBITS, DEF_MEM_LEVEL,
			Z_DEFAULT_STRATEGY, ZLIB_VERSION,
			(int)sizeof(stream));
	if (err != Z_OK)
		return err;
	stream.next_out = dest;
	stream.next_in = (Bytef *)source;
	do {
		if (stream.avail_out == 0) {
			stream.avail_out = left > (uLong)max ? max : (uInt)left;
			left -= stream.avail_out;
		}
		if (stream.avail_in == 0) {
			stream.avail_in = source_len > (uLong)max ? max :
					  (uInt)source_len;
			source_len -= stream.avail_in;
		}
		err = real.deflate(&stream, source_len ? Z_NO_FLUSH : Z_FINISH);
	} while (err == Z_OK);
	*dest_len = stream.total_out;
	real.deflateEnd(&stream);
	return err == Z_STREAM_END ? Z_OK : err;
}

WD_EXPORT int compress2(Bytef *dest, uLongf *dest_len, const Bytef *source,
			uLong source_len, int level)
{
	enum wd_reason why;
	uLong in = source_len;
	int ret;

	if (level == Z_DEFAULT_COMPRESSION)
		level = -1;
	if (level < -1 || level > 9 || !dest_len)
		return Z_STREAM_ERROR;	/* as deflateInit() would say */
	ret = oneshot_hw(level, true, source, &in, dest, dest_len, &why);
	if (ret)
		return ret > 0 ? Z_OK : ret;
	ret = real_compress(dest, dest_len, source, source_len, level);
	if (ret == Z_OK)
		wd_count_sw(NULL, why, source_len, *dest_len);
	return ret;
}

WD_EXPORT int compress(Bytef *dest, uLongf *dest_len, const Bytef *source,
		       uLong source_len)
{
	return compress2(dest, dest_len, source, source_len,
			 Z_DEFAULT_COMPRESSION);
}

WD_EXPORT uLong compressBound(uLong source_len)
{
	uLong zb = CALL_REAL(source_len + (source_len >> 12) +
			     (source_len >> 14) + 13, compressBound,
			     source_len);

	/* room for the device's output too */
	return WD_MAX(zb, wd_compress_bound(WD_FORMAT_ZLIB, source_len));
}

/* zlib 1.2.13's uncompress2(), likewise. */
static int real_uncompress(Bytef *dest, uLongf *dest_len, const Bytef *source,
			   uLong *source_len)
{
	const uInt max = (uInt)-1;
	z_stream stream = { 0 };
	uLong len = *source_len, left;
	Byte buf[1];	/* tells an incomplete stream when *dest_len is 0 */
	int err;

	if (*dest_len) {
		left = *dest_len;
		*dest_len = 0;
	} else {
		left = 1;
		dest = buf;
	}
	stream.next_in = (Bytef *)source;
	err = CALL_REAL(Z_VERSION_ERROR, inflateInit2_, &stream, DEF_WBITS,
			ZLIB_VERSION, (int)sizeof(stream));
	if (err != Z_OK)
		return err;
	stream.next_out = dest;
	do {
		if (stream.avail_out == 0) {
			stream.avail_out = left > (uLong)max ? max : (uInt)left;
			left -= stream.avail_out;
		}
		if (stream.avail_in == 0) {
			stream.avail_in = len > (uLong)max ? max : (uInt)len;
			len -= stream.avail_in;
		}
		err = real.inflate(&stream, Z_NO_FLUSH);
	} while (err == Z_OK);
	*source_len -= len + stream.avail_in;
	if (dest != buf)
		*dest_len = stream.total_out;
	else if (stream.total_out && err == Z_BUF_ERROR)
		left = 1;
	real.inflateEnd(&stream);
	return err == Z_STREAM_END ? Z_OK :
	       err == Z_NEED_DICT ? Z_DATA_ERROR :
	       err == Z_BUF_ERROR && left + stream.avail_out ? Z_DATA_ERROR :
	       err;
}

WD_EXPORT int uncompress2(Bytef *dest, uLongf *dest_len, const Bytef *source,
			  uLong *source_len)
{
	enum wd_reason why;
	uLong in;
	int ret;

	if (!dest_len || !source_len)
		return Z_STREAM_ERROR;
	in = *source_len;
	ret = oneshot_hw(10, false, source, &in, dest, dest_len, &why);
	if (ret > 0) {
		*source_len = in;
		return Z_OK;
	}
	if (ret)
		return ret;
	ret = real_uncompress(dest, dest_len, source, source_len);
	if (ret == Z_OK)
		wd_count_sw(NULL, why, *source_len, *dest_len);
	return ret;
}

WD_EXPORT int uncompress(Bytef *dest, uLongf *dest_len, const Bytef *source,
			 uLong source_len)
{
	return uncompress2(dest, dest_len, source, &source_len);
}

/* ---- everything else: the real zlib's ---- */

#define FORWARD(ret, err, name, params, args)				\
WD_EXPORT ret name params						\
{									\
	return CALL_REAL(err, name, args);				\
}

#define A(...) __VA_ARGS__

FORWARD(const char *, "", zlibVersion, (void), A())
FORWARD(uLong, 0, zlibCompileFlags, (void), A())
FORWARD(const char *, "", zError, (int err), A(err))
FORWARD(uLong, 1, adler32, (uLong adler, const Bytef *buf, uInt len),
	A(adler, buf, len))
FORWARD(uLong, 1, adler32_z, (uLong adler, const Bytef *buf, z_size_t len),
	A(adler, buf, len))
FORWARD(uLong, 1, adler32_combine, (uLong a1, uLong a2, z_off_t len2),
	A(a1, a2, len2))
FORWARD(uLong, 1, adler32_combine64, (uLong a1, uLong a2, z_off64_t len2),
	A(a1, a2, len2))
FORWARD(uLong, 0, crc32, (uLong crc, const Bytef *buf, uInt len),
	A(crc, buf, len))
FORWARD(uLong, 0, crc32_z, (uLong crc, const Bytef *buf, z_size_t len),
	A(crc, buf, len))
FORWARD(uLong, 0, crc32_combine, (uLong c1, uLong c2, z_off_t len2),
	A(c1, c2, len2))
FORWARD(uLong, 0, crc32_combine64, (uLong c1, uLong c2, z_off64_t len2),
	A(c1, c2, len2))
FORWARD(uLong, 0, crc32_combine_gen, (z_off_t len2), A(len2))
FORWARD(uLong, 0, crc32_combine_gen64, (z_off64_t len2), A(len2))
FORWARD(uLong, 0, crc32_combine_op, (uLong c1, uLong c2, uLong op),
	A(c1, c2, op))
FORWARD(const z_crc_t *, NULL, get_crc_table, (void), A())

/*
 * gz*: the real zlib's file functions; they compress and decompress with
 * deflateInit2_(), deflate(), inflate() ... which come back here.
 */
FORWARD(gzFile, NULL, gzopen, (const char *path, const char *mode),
	A(path, mode))
FORWARD(gzFile, NULL, gzopen64, (const char *path, const char *mode),
	A(path, mode))
FORWARD(gzFile, NULL, gzdopen, (int fd, const char *mode), A(fd, mode))
FORWARD(int, -1, gzbuffer, (gzFile file, unsigned size), A(file, size))
FORWARD(int, Z_STREAM_ERROR, gzsetparams,
	(gzFile file, int level, int strategy), A(file, level, strategy))
FORWARD(int, -1, gzread, (gzFile file, voidp buf, unsigned len),
	A(file, buf, len))
FORWARD(z_size_t, 0, gzfread,
	(voidp buf, z_size_t size, z_size_t nitems, gzFile file),
	A(buf, size, nitems, file))
FORWARD(int, 0, gzwrite, (gzFile file, voidpc buf, unsigned len),
	A(file, buf, len))
FORWARD(z_size_t, 0, gzfwrite,
	(voidpc buf, z_size_t size, z_size_t nitems, gzFile file),
	A(buf, size, nitems, file))
FORWARD(int, -1, gzvprintf, (gzFile file, const char *format, va_list va),
	A(file, format, va))
FORWARD(int, -1, gzputs, (gzFile file, const char *s), A(file, s))
FORWARD(char *, NULL, gzgets, (gzFile file, char *buf, int len),
	A(file, buf, len))
FORWARD(int, -1, gzputc, (gzFile file, int c), A(file, c))
FORWARD(int, -1, gzgetc_, (gzFile file), A(file))
FORWARD(int, -1, gzungetc, (int c, gzFile file), A(c, file))
FORWARD(int, Z_STREAM_ERROR, gzflush, (gzFile file, int flush),
	A(file, flush))
FORWARD(z_off_t, -1, gzseek, (gzFile file, z_off_t offset, int whence),
	A(file, offset, whence))
FORWARD(z_off64_t, -1, gzseek64, (gzFile file, z_off64_t offset, int whence),
	A(file, offset, whence))
FORWARD(int, -1, gzrewind, (gzFile file), A(file))
FORWARD(z_off_t, -1, gztell, (gzFile file), A(file))
FORWARD(z_off64_t, -1, gztell64, (gzFile file), A(file))
FORWARD(z_off_t, -1, gzoffset, (gzFile file), A(file))
FORWARD(z_off64_t, -1, gzoffset64, (gzFile file), A(file))
FORWARD(int, 0, gzeof, (gzFile file), A(file))
FORWARD(int, 0, gzdirect, (gzFile file), A(file))
FORWARD(int, Z_STREAM_ERROR, gzclose, (gzFile file), A(file))
FORWARD(int, Z_STREAM_ERROR, gzclose_r, (gzFile file), A(file))
FORWARD(int, Z_STREAM_ERROR, gzclose_w, (gzFile file), A(file))
FORWARD(const char *, NULL, gzerror, (gzFile file, int *errnum),
	A(file, errnum))

WD_EXPORT void gzclearerr(gzFile file)
{
	if (REAL(gzclearerr))
		real.gzclearerr(file);
}

/* zlib.h makes gzgetc() a macro; the function is still exported */
WD_EXPORT int (gzgetc)(gzFile file)
{
	return CALL_REAL(-1, gzgetc, file);
}

WD_EXPORT int gzprintf(gzFile file, const char *format, ...)
{
	va_list va;
	int ret;

	va_start(va, format);
	ret = gzvprintf(file, format, va);
	va_end(va);
	return ret;
}
