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
 * call).  Either way the caller sees what zlib would show it:
 *
 * - inflate on the device is exact: each inflate() call is one device
 *   request (or several that give the same result) on the caller's own
 *   buffers, behaving as one zlib inflate() call, so the input taken, the
 *   output made and the return codes are zlib's; the shim reads gzip
 *   headers and trailers itself, as zlib does.  The compressed input of a
 *   stream is kept (up to ZSHIM_KEEP bytes) so that the stream can move to
 *   the real zlib at any call: on corrupt input (zlib then names the error
 *   and stops where it stops), on inflate(Z_BLOCK) or Z_TREES, on calls
 *   that ask for the decoder's state (inflateSync(), inflateMark(), ...)
 *   and on many calls in a row into tiny buffers.  The real zlib replays
 *   the kept input, which brings it exactly where the device was (window
 *   included: replay()), and carries on.
 * - deflate on the device makes other bytes than zlib (another
 *   compressor), but keeps zlib's contract call by call: deflate()'s own
 *   rules for Z_BUF_ERROR and Z_STREAM_ERROR, its messages, when output
 *   is complete, adler, deflateParams()'s flush, deflateBound()'s promise
 *   (zlib's value: trial_deflate()) and deflateEnd()'s answer.  A raw
 *   stream's preset dictionary becomes the device's history; calls only
 *   zlib can serve in the middle (deflatePrime(), ...) move the stream to
 *   zlib, which goes on from the device's history (ZM_TAIL).
 *
 * The real zlib is reached through dlsym() on its own handle, never by
 * name.  zlib's own functions call each other through the PLT, so with
 * this library preloaded they may land here: for instance the real
 * inflateInit2_() calls inflateReset2() on its fresh state, and gzopen()'s
 * deflate calls come here too.  A state that is not a struct zshim (its
 * second word is zlib's mode or status, never ZSHIM_MAGIC) is handed to
 * the real function unchanged, so both cases work.
 *
 * What runs on the real zlib, decided before the first data (invisible):
 * strategies other than the default, level 0, zlib streams with a preset
 * dictionary (both directions), deflatePrime(), deflateSetHeader(),
 * inflateGetHeader(), inflatePrime(), windows below 32 KiB, inflate() with
 * Z_BLOCK or Z_TREES, and inflateBack*().  Documentation/libwarpdrive.rst
 * has the whole list, and what remains different from zlib.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
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

/* Compressed input an inflate stream keeps for a move to the real zlib. */
#define ZSHIM_KEEP	(1u << 20)

/* Inflate calls with at most ZSHIM_TINY bytes of room, in a row, before
 * the stream goes to zlib */
#define ZSHIM_TINY	64
#define ZSHIM_TINY_CALLS 32

enum zmode {
	ZM_UNDECIDED,	/* no data yet */
	ZM_HW,		/* a libwarpdrive stream on the device */
	ZM_REAL,	/* the real zlib */
	ZM_TAIL,	/* deflate: began on the device, goes on on zlib */
};

/* What sent a stream to the real zlib; counted and named by WD_STATS. */
enum zfeat {
	ZF_NONE,
	ZF_STRATEGY,	/* a strategy other than the default */
	ZF_LEVEL0,	/* level 0: stored blocks */
	ZF_DICT,	/* a preset dictionary */
	ZF_PRIME,	/* deflatePrime(), inflatePrime() */
	ZF_HEADER,	/* deflateSetHeader(), inflateGetHeader() */
	ZF_WINDOW,	/* a window below 32 KiB */
	ZF_BLOCK,	/* inflate(Z_BLOCK), inflate(Z_TREES) */
	ZF_SYNC,	/* inflateSync() */
	ZF_STATE,	/* inflateMark(), inflateGetDictionary(), ... */
	ZF_CORRUPT,	/* corrupt input: zlib says where and why */
	ZF_BOUND,	/* one Z_FINISH call with deflateBound()'s room */
	ZF_LOST,	/* the device failed or went away */
	ZF_SMALL,	/* inflate into tiny buffers, call after call */
	ZF_EMPTY,	/* compress()/uncompress() of an empty buffer */
	ZF_REFUSED,	/* a request the device says it cannot do */
	ZF_NR
};

static const char *const zfeat_names[ZF_NR] = {
	[ZF_STRATEGY] = "strategy",
	[ZF_LEVEL0] = "level 0",
	[ZF_DICT] = "preset dictionary",
	[ZF_PRIME] = "prime",
	[ZF_HEADER] = "gzip header",
	[ZF_WINDOW] = "window below 32 KiB",
	[ZF_BLOCK] = "Z_BLOCK/Z_TREES",
	[ZF_SYNC] = "inflateSync",
	[ZF_STATE] = "decoder state",
	[ZF_CORRUPT] = "corrupt input",
	[ZF_BOUND] = "deflateBound room",
	[ZF_LOST] = "device lost",
	[ZF_SMALL] = "small output buffers",
	[ZF_EMPTY] = "empty buffer",
	[ZF_REFUSED] = "refused by the device",
};

/* streams that went to zlib because of each feature; those that moved */
static atomic_ulong zfeat_count[ZF_NR], zmoved;

enum dstatus { DS_INIT, DS_BUSY, DS_FINISH };

/* gzip inflate on the device: where the shim is in the member */
enum { GZ_HEADER, GZ_BODY, GZ_TRAILER, GZ_DONE };

/**
 * struct gzp - a gzip member's header and trailer, read by the shim (the
 * device inflates the deflate data in between): zlib checks the CRC as
 * soon as its four bytes are in, and the length after it
 * @phase: GZ_*
 * @st: header: the part being read (H_*)
 * @fixed: header: its first ten bytes, @len of them (or of a part)
 * @skip: header: bytes of FEXTRA or FHCRC to go
 * @crc: header: CRC-32 of its bytes so far (checked by FHCRC)
 * @tr: trailer: its bytes so far, @len of them
 */
struct gzp {
	int phase;
	int st;
	unsigned char fixed[10];
	unsigned char tr[8];
	size_t len;
	unsigned int skip;
	uLong crc;
};

/**
 * struct zpos - where an inflate stream stands on the device: what a call
 * that moves to zlib in its middle puts back as it was when it started
 * @kept_len: bytes of compressed input the device took, kept
 * @hw_out: bytes the device made
 * @gz: gzip on the device: header and trailer
 * @end_known: zlib read the check value in the call that started at
 *             @end_in of the kept input, @end_out of the output
 *             (@end_finish: a Z_FINISH call that made the first output
 *             and ended the deflate data of a raw or gzip stream: zlib
 *             then keeps no window)
 */
struct zpos {
	size_t kept_len;
	uint64_t hw_out;
	struct gzp gz;
	bool end_known;
	bool end_finish;
	size_t end_in;
	uint64_t end_out;
};

/**
 * struct zshim - our state of a z_stream
 * @strm: the z_stream (first, as in zlib's states)
 * @magic: ZSHIM_MAGIC (where zlib's states have their mode or status)
 * @deflate: deflate, else inflate
 * @mode: enum zmode
 * @feat: a zlib feature the device lacks that the stream needs (ZF_*)
 * @why: why the stream runs on the real zlib
 * @level: deflate level (-1 for the default)
 * @window_bits: as given to deflateInit2_() or inflateInit2_()
 * @mem_level: deflate memLevel
 * @strategy: deflate strategy
 * @tune: deflateTune()'s four values, @tuned if given
 * @format: enum wd_format (inflate: -1 until known)
 * @wbits: log2 of the window, 9-15
 * @real: the real zlib's stream, with @real_ok
 * @comp: session of the device stream
 * @ws: the device stream
 * @last_flush: deflate: zlib's last_flush (-2 fresh, -1 output filled)
 * @dstatus: deflate: zlib's status as deflateEnd() tells it
 * @trial: deflate: the first call is a Z_FINISH with deflateBound()'s room
 * @ended: the stream ended on the device
 * @kept: inflate: the compressed input the device took, @at.kept_len
 *        bytes of @kept_cap; @kept_ok while it is all there
 * @at: inflate: where the stream stands on the device
 * @tiny: inflate: calls in a row with at most ZSHIM_TINY bytes of room
 * @sticky: inflate: the real zlib's stream has a setting inflateReset()
 *          keeps (inflateSync(), inflateValidate(0)): it stays there
 * @dict: raw deflate: the preset dictionary, @dict_len bytes, given before
 *        the first data (the device takes it as history)
 * @hist: deflate on the device: the last @hist_len bytes of input (a ring,
 *        next byte at @hist_pos), the device's history, for ZM_TAIL
 * @pend: ZM_TAIL: output to deliver before anything else (what the device
 *        made; at the end, the trailer): @pend_len bytes, @pend_off sent
 * @tail_sum: ZM_TAIL: checksum of all input, for adler and the trailer
 * @tail_in: ZM_TAIL: bytes of input in all
 * @tail_end: ZM_TAIL: zlib ended the deflate data; the trailer is in @pend
 */
struct zshim {
	z_streamp strm;
	uint32_t magic;
	bool deflate;
	enum zmode mode;
	enum zfeat feat;
	enum wd_reason why;
	int level;
	int window_bits;
	int mem_level;
	int strategy;
	int tune[4];
	bool tuned;
	int format;
	int wbits;
	z_stream real;
	bool real_ok;
	struct wd_comp *comp;
	struct wd_stream *ws;
	int last_flush;
	enum dstatus dstatus;
	bool trial;
	bool ended;
	unsigned char *kept;
	size_t kept_cap;
	bool kept_ok;
	struct zpos at;
	unsigned int tiny;
	bool sticky;
	unsigned char *dict;
	size_t dict_len;
	unsigned char *hist;
	bool hist_bad;
	size_t hist_len;
	size_t hist_pos;
	unsigned char *pend;
	size_t pend_len;
	size_t pend_off;
	uLong tail_sum;
	uint64_t tail_in;
	bool tail_end;
};

/* ---- the real zlib ---- */

/*
 * The real zlib's @f (zreal.h's table), or NULL if the system's zlib
 * lacks it.
 */
#define REAL(f) (wd_zreal_all()->f)

/*
 * Calls the real @f, or returns @err when the system's zlib lacks it.
 * (The parentheses keep zlib.h's gzgetc() macro out.)
 */
#define CALL_REAL(err, f, ...)						\
	(REAL(f) ? (REAL(f))(__VA_ARGS__) : (err))

/* zlib's ERR_RETURN(): its own message for @err (zError()'s string). */
static int zerr(z_streamp strm, int err)
{
	strm->msg = (char *)CALL_REAL("", zError, err);
	return err;
}

/* ---- WD_STATS: what ran on zlib and why ---- */

__attribute__((destructor)) static void zfeat_report(void)
{
	unsigned long n = 0, v;
	char line[512];
	int len;

	if (!getenv("WD_STATS") || !wd_env()->stats)
		return;
	len = snprintf(line, sizeof(line), "libwdz: on zlib for what the "
		       "device lacks:");
	for (int i = 1; i < ZF_NR; i++) {
		v = atomic_load(&zfeat_count[i]);
		n += v;
		if (v && len < (int)sizeof(line))
			len += snprintf(line + len, sizeof(line) - len,
					" %s %lu,", zfeat_names[i], v);
	}
	if (!n)
		return;
	if (len < (int)sizeof(line))
		snprintf(line + len - 1, sizeof(line) - len + 1,
			 " streams (%lu moved there mid-stream)",
			 atomic_load(&zmoved));
	fprintf(stderr, "%s\n", line);
}

/* ---- our states ---- */

static struct zshim *ours(z_streamp strm)
{
	struct zshim *w;

	if (!strm || !strm->state)
		return NULL;
	w = (struct zshim *)strm->state;
	return w->magic == ZSHIM_MAGIC && w->strm == strm ? w : NULL;
}

/* The buffers of @from and their counts into @to. */
static void copy_buffers(z_streamp to, const z_stream *from)
{
	to->next_in = from->next_in;
	to->avail_in = from->avail_in;
	to->total_in = from->total_in;
	to->next_out = from->next_out;
	to->avail_out = from->avail_out;
	to->total_out = from->total_out;
}

/*
 * The caller's fields into the real zlib's stream, before a call (zlib
 * reads adler and data_type too: deflate() keeps its checksum there).
 */
static void sync_in(struct zshim *w)
{
	z_streamp s = w->strm;

	w->real.msg = s->msg;
	w->real.adler = s->adler;
	w->real.data_type = s->data_type;
	copy_buffers(&w->real, s);
}

/* And back, after it. */
static void sync_out(struct zshim *w)
{
	z_streamp s = w->strm;

	copy_buffers(s, &w->real);
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

/* The fields the caller sees, into a fresh or reset inner stream. */
static void real_fields(struct zshim *w)
{
	w->real.msg = w->strm->msg;
	w->real.adler = w->strm->adler;
	w->real.data_type = w->strm->data_type;
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
	if (ret == Z_OK && w->deflate && w->tuned)
		ret = CALL_REAL(Z_STREAM_ERROR, deflateTune, &w->real,
				w->tune[0], w->tune[1], w->tune[2], w->tune[3]);
	if (ret == Z_OK && w->deflate && w->dict_len)
		ret = CALL_REAL(Z_STREAM_ERROR, deflateSetDictionary, &w->real,
				w->dict, (uInt)w->dict_len);
	if (ret != Z_OK)
		return ret;
	real_fields(w);
	w->mode = ZM_REAL;
	w->why = why;
	if (w->feat)
		atomic_fetch_add(&zfeat_count[w->feat], 1);
	return Z_OK;
}

/*
 * Splits zlib's windowBits into format and window (9-15) with zlib's
 * rules; false where zlib fails.  Inflate's automatic detection (32 and
 * 40-47) gives format -1, decided at the first call; its window (0 for
 * the one in the header) is decided there too.
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
	if (wb == 0 || (wb >= 8 && wb <= 15)) {
		*format = WD_FORMAT_ZLIB;
		*wbits = wb;
	} else if (wb == 16 || (wb >= 24 && wb <= 31)) {
		*format = WD_FORMAT_GZIP;
		*wbits = wb == 16 ? 15 : wb - 16;
	} else if (wb == 32 || (wb >= 40 && wb <= 47)) {
		*format = -1;
		*wbits = wb == 32 ? 0 : wb - 32;
	} else if (wb >= -15 && wb <= -8) {
		*format = WD_FORMAT_RAW;
		*wbits = -wb;
	} else {
		return false;
	}
	return true;
}

/* zlib's deflateBound() for a stream of ours (deflate.c, 1.2.13). */
static uLong zlib_bound(const struct zshim *w, uLong n)
{
	uLong fixedlen = n + (n >> 3) + (n >> 8) + (n >> 9) + 4;
	uLong storelen = n + (n >> 5) + (n >> 7) + (n >> 11) + 7;
	uLong wraplen;
	int wb = w->wbits;

	switch (w->format) {
	case WD_FORMAT_RAW:
		wraplen = 0;
		break;
	case WD_FORMAT_ZLIB:
		/* zlib's wrap goes negative once the trailer is written */
		wraplen = w->ended ? 6 : 6 + (w->strm->total_in ? 4 : 0);
		break;
	default:
		wraplen = w->ended ? 6 : 18;
		break;
	}
	if (wb != 15 || w->mem_level + 7 != 15)
		return (wb <= w->mem_level + 7 ? fixedlen : storelen) + wraplen;
	return n + (n >> 12) + (n >> 14) + (n >> 25) + 13 - 6 + wraplen;
}

/*
 * Tries to put an undecided stream on the device; otherwise on the real
 * zlib.  The device stream of before a reset is reused when its format
 * and window still fit.  Returns a zlib code: Z_OK when it has a path.
 */
static int decide(struct zshim *w, size_t in_len, size_t out_len, int flush)
{
	struct wd_comp_params p = { 0 };
	enum wd_reason why = WD_REASON_UNSUPPORTED;
	int level = w->deflate && w->level > 0 ? w->level : 0;
	int ret = 0;

	/* gzip inflate: the shim reads header and trailer, the device raw */
	int dev_format = !w->deflate && w->format == WD_FORMAT_GZIP ?
			 WD_FORMAT_RAW : w->format;

	if (w->feat)
		return to_real(w, why);
	if (w->comp && (w->comp->format != (enum wd_format)dev_format ||
			w->comp->window_bits != w->wbits))
		hw_free(w);
	if (!w->comp) {
		p.format = dev_format;
		p.level = level;
		p.window_bits = w->wbits;
		ret = wd_comp_open(&w->comp, &p);
		if (!ret)
			ret = wd_stream_open(&w->ws, w->comp, w->deflate ?
					     WD_DIR_COMPRESS :
					     WD_DIR_DECOMPRESS);
		if (!ret)
			wd_stream_own_out(w->ws, true);
	}
	if (!ret)
		ret = wd_stream_set_level(w->ws, level);
	if (!ret)
		ret = wd_stream_try_hw(w->ws, in_len,
				       flush == Z_FINISH ? WD_FINISH :
				       WD_NO_FLUSH, &why);
	if (ret == 1 && w->deflate && flush == Z_FINISH &&
	    out_len >= zlib_bound(w, in_len) &&
	    out_len < wd_compress_bound(w->format, in_len) + 18) {
		/*
		 * One call with deflateBound()'s room must end the stream:
		 * zlib's bound is tighter than the device's, so the device
		 * writes elsewhere first (trial_deflate())
		 */
		w->trial = true;
	}
	if (ret == 1 && w->dict_len &&
	    wd_stream_hw_dict(w->ws, w->dict, w->dict_len)) {
		wd_stream_reset(w->ws);
		w->feat = ZF_DICT;
		return to_real(w, WD_REASON_UNSUPPORTED);
	}
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
	w->last_flush = -2;
	return w;
}

static void zshim_free(struct zshim *w)
{
	hw_free(w);
	real_free(w);
	free(w->kept);
	free(w->dict);
	free(w->hist);
	free(w->pend);
	w->magic = 0;
	free(w);
}

/* Maps a libwarpdrive error of a device stream to zlib's codes. */
static int hw_error(struct zshim *w, int err)
{
	switch (err) {
	case -ENOBUFS:
		return Z_BUF_ERROR;
	case -EBADMSG:
		w->strm->msg = (char *)"invalid compressed data";
		return Z_DATA_ERROR;
	case -ENOMEM:
		return Z_MEM_ERROR;
	default:
		w->strm->msg = (char *)"libwdz: accelerator failed";
		return Z_STREAM_ERROR;
	}
}

/* Counts a call on the real zlib. */
static void count_real(struct zshim *w, uLong in0, uLong out0)
{
	wd_count_sw(NULL, w->why, w->strm->total_in - in0,
		    w->strm->total_out - out0);
}

/* A call on the real zlib's inner stream, fields synced and counted. */
#define REAL_CALL(w, fn, ...) ({					\
	uLong in0_ = (w)->strm->total_in, out0_ = (w)->strm->total_out;	\
	int r_;								\
									\
	sync_in(w);							\
	r_ = CALL_REAL(Z_STREAM_ERROR, fn, &(w)->real, ##__VA_ARGS__);	\
	sync_out(w);							\
	count_real(w, in0_, out0_);					\
	r_;								\
})

static bool version_ok(const char *version, int stream_size)
{
	return version && version[0] == ZLIB_VERSION[0] &&
	       stream_size == (int)sizeof(z_stream);
}

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

/* ---- deflate ---- */

/* set while the real compress2() or uncompress2() runs (real_compress()) */
static _Thread_local bool zpass;

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
	if (!version_ok(version, stream_size))
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
	return hw_error(w, ret);
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
	w->tail_end = false;
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
	ret = to_real(w, WD_REASON_UNSUPPORTED);
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
		return zerr(strm, Z_STREAM_ERROR);
	if (!strm->avail_out)
		return zerr(strm, Z_BUF_ERROR);
	if (w->mode == ZM_UNDECIDED) {
		ret = decide(w, strm->avail_in, strm->avail_out, flush);
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
		return zerr(strm, Z_BUF_ERROR);
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
		return zerr(strm, Z_BUF_ERROR);
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
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflate, strm, flush);
	return zdeflate(w, flush);
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
	} else if (w->dstatus == DS_BUSY) {
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
	/* a gzip header given is zlib's to keep: the stream stays there */
	if (w->mode == ZM_REAL && w->feat == ZF_HEADER)
		return keep ? REAL_CALL(w, deflateResetKeep) :
			      REAL_CALL(w, deflateReset);
	/* the next stream chooses its path again; its objects are kept */
	if (w->ws)
		wd_stream_reset(w->ws);
	if (w->mode == ZM_TAIL)
		real_free(w);	/* a raw stream: not this one's format */
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
	if (w->mode == ZM_TAIL)
		CALL_REAL(Z_STREAM_ERROR, deflateParams, &w->real, level,
			  strategy);
	else if (wd_stream_set_level(w->ws, level ? level : 1))
		return Z_STREAM_ERROR;
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
		return to_real(w, WD_REASON_UNSUPPORTED);
	}
	if (w->mode == ZM_HW && w->deflate)
		return deflate_to_tail(w, feat);
	return w->mode == ZM_REAL || w->mode == ZM_TAIL ? Z_OK :
	       Z_STREAM_ERROR;
}

WD_EXPORT int deflateSetDictionary(z_streamp strm, const Bytef *dictionary,
				   uInt dict_length)
{
	struct zshim *w = ours(strm);
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
	struct zshim *w = ours(strm);

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
	struct zshim *w = ours(strm);
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
	struct zshim *w = ours(strm);

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
	struct zshim *w = ours(strm);
	int ret;

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, deflateSetHeader, strm, head);
	if (w->format != WD_FORMAT_GZIP)
		return Z_STREAM_ERROR;
	/* zlib wrote the header at the first deflate(): too late, no error */
	if (w->mode == ZM_HW || w->mode == ZM_TAIL)
		return Z_OK;
	ret = need_real(w, ZF_HEADER);
	return ret == Z_OK ? REAL_CALL(w, deflateSetHeader, head) : ret;
}

WD_EXPORT int deflatePending(z_streamp strm, unsigned *pending, int *bits)
{
	struct zshim *w = ours(strm);

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
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(0, deflateBound, strm, source_len);
	if (w->mode == ZM_REAL) {
		sync_in(w);
		return CALL_REAL(0, deflateBound, &w->real, source_len);
	}
	/*
	 * zlib's value: a single Z_FINISH call with that much room runs on
	 * zlib when the device might need more (decide())
	 */
	return zlib_bound(w, source_len);
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
	dw->kept = NULL;
	dw->dict = NULL;
	dw->hist = NULL;
	dw->pend = NULL;
	if (sw->hist) {
		dw->hist = malloc((size_t)1 << sw->wbits);
		if (dw->hist)
			memcpy(dw->hist, sw->hist, (size_t)1 << sw->wbits);
		else
			dw->hist_len = 0;
	}
	if (sw->pend_len) {
		dw->pend = malloc(sw->pend_len);
		if (!dw->pend) {
			zshim_free(dw);
			dest->state = Z_NULL;
			return Z_MEM_ERROR;
		}
		memcpy(dw->pend, sw->pend, sw->pend_len);
	}
	if (sw->dict_len) {
		dw->dict = malloc(sw->dict_len);
		if (!dw->dict) {
			dw->dict_len = 0;
			zshim_free(dw);
			dest->state = Z_NULL;
			return Z_MEM_ERROR;
		}
		memcpy(dw->dict, sw->dict, sw->dict_len);
	}
	if (sw->kept_ok && sw->at.kept_len) {
		dw->kept = malloc(sw->at.kept_len);
		if (dw->kept) {
			memcpy(dw->kept, sw->kept, sw->at.kept_len);
			dw->kept_cap = sw->at.kept_len;
		} else {
			dw->kept_ok = false;
		}
	} else {
		dw->kept_cap = 0;
		dw->at.kept_len = 0;
	}
	if (sw->mode == ZM_REAL || sw->mode == ZM_TAIL) {
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
	if (!version_ok(version, stream_size))
		return Z_VERSION_ERROR;
	if (!strm)
		return Z_STREAM_ERROR;
	strm->msg = Z_NULL;
	if (!parse_window(false, window_bits, &format, &wbits))
		return Z_STREAM_ERROR;
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
	ret = to_real(w, WD_REASON_UNSUPPORTED);
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
	real_fields(w);
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
	return need_real(w, feat);
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

	copy_buffers(s, &c->fields);
	s->adler = c->fields.adler;
	kept = WD_MIN(w->at.kept_len, c->at.kept_len);
	w->at = c->at;
	w->at.kept_len = kept;
	r = replay(w, err == -EBADMSG ? ZF_CORRUPT : ZF_LOST);
	if (r != Z_OK)
		return hw_error(w, err);
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
	struct zshim *w = ours(strm);
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
		ret = decide(w, strm->avail_in, strm->avail_out, flush);
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

/* A call that needs the real zlib's decoder: the stream moves there. */
#define ON_REAL_INFLATE(w, feat, err, fn, ...) ({			\
	int q_ = inflate_need_real(w, feat);				\
									\
	q_ == Z_OK ? REAL_CALL(w, fn, ##__VA_ARGS__) : (err);		\
})

WD_EXPORT int inflateSetDictionary(z_streamp strm, const Bytef *dictionary,
				   uInt dict_length)
{
	struct zshim *w = ours(strm);

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
	struct zshim *w = ours(strm);

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
	struct zshim *w = ours(strm);

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
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateSyncPoint, strm);
	if (w->mode == ZM_UNDECIDED)
		return 0;
	return ON_REAL_INFLATE(w, ZF_STATE, 0, inflateSyncPoint);
}

WD_EXPORT int inflatePrime(z_streamp strm, int bits, int value)
{
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflatePrime, strm, bits,
				 value);
	return ON_REAL_INFLATE(w, ZF_PRIME, Z_STREAM_ERROR, inflatePrime, bits,
			       value);
}

WD_EXPORT int inflateGetHeader(z_streamp strm, gz_headerp head)
{
	struct zshim *w = ours(strm);

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
	struct zshim *w = ours(strm);

	if (!w)
		return CALL_REAL(Z_STREAM_ERROR, inflateUndermine, strm,
				 subvert);
	return ON_REAL_INFLATE(w, ZF_STATE, Z_STREAM_ERROR, inflateUndermine,
			       subvert);
}

WD_EXPORT int inflateValidate(z_streamp strm, int check)
{
	struct zshim *w = ours(strm);

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
	struct zshim *w = ours(strm);
	long ret;

	if (!w)
		return CALL_REAL(-(1L << 16), inflateMark, strm);
	if (w->mode == ZM_UNDECIDED)
		return -(1L << 16);	/* zlib's answer before any data */
	if (inflate_need_real(w, ZF_STATE) != Z_OK)
		return -(1L << 16);	/* zlib's "no information" */
	sync_in(w);
	ret = CALL_REAL(-(1L << 16), inflateMark, &w->real);
	return ret;
}

WD_EXPORT unsigned long inflateCodesUsed(z_streamp strm)
{
	struct zshim *w = ours(strm);

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

/*
 * The session for compression at @level (-1 for the default), or
 * decompression (@level 10), in *@cp: 0, or wd_comp_open()'s error (under
 * policy hw, -ENODEV or -EBUSY when no queue of a device can be had).
 */
static int oneshot_session(int level, struct wd_comp **cp)
{
	struct wd_comp_params p = { .format = WD_FORMAT_ZLIB };
	int i = level + 1, ret = 0;
	struct wd_comp *c;

	c = __atomic_load_n(&oneshot_sessions[i], __ATOMIC_ACQUIRE);
	if (c) {
		*cp = c;
		return 0;
	}
	pthread_mutex_lock(&oneshot_lock);
	c = oneshot_sessions[i];
	if (!c) {
		p.level = level < 0 || level > 9 ? 0 : level;
		ret = wd_comp_open(&c, &p);
		if (!ret)
			__atomic_store_n(&oneshot_sessions[i], c,
					 __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&oneshot_lock);
	*cp = c;
	return ret;
}

/*
 * The device for a whole buffer when the policy says so: 1 if it did it,
 * 0 if the real zlib should (*@why says why), or a zlib error.  Whatever
 * the device cannot finish (no room: zlib's bound is tighter than the
 * device's; corrupt input, where zlib says how far it got) is done again
 * by the real zlib from the start, which gives zlib's answer.
 */
static int oneshot_hw(int level, bool comp, const Bytef *src, uLong *src_len,
		      Bytef *dst, uLongf *dst_len, enum wd_reason *why)
{
	size_t in = *src_len, out = *dst_len;
	struct wd_queue *q;
	struct wd_comp *c;
	int ret;

	ret = oneshot_session(comp ? level : 10, &c);
	if (ret == -ENOMEM) {
		*why = WD_REASON_NO_MEMORY;
		return 0;
	}
	if (ret)
		return Z_STREAM_ERROR;	/* policy hw without a device */
	/* level 0 (stored) and empty buffers: exactly as zlib does them */
	*why = WD_REASON_UNSUPPORTED;
	if ((comp && level == 0) || !in || !out) {
		atomic_fetch_add(&zfeat_count[comp && level == 0 ? ZF_LEVEL0 :
					      ZF_EMPTY], 1);
		return 0;
	}
	ret = wd_comp_route(c, comp ? WD_OP_COMPRESS : WD_OP_DECOMPRESS, in,
			    false, &q, why);
	if (ret == -EOPNOTSUPP) {
		atomic_fetch_add(&zfeat_count[ZF_REFUSED], 1);
		return 0;
	}
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
	*why = wd_hw_retryable(ret) ? wd_hw_fail_reason(ret) :
	       WD_REASON_UNSUPPORTED;
	atomic_fetch_add(&zfeat_count[ret == -EBADMSG ? ZF_CORRUPT :
				      ret == -ENOSPC ? ZF_BOUND :
				      wd_hw_retryable(ret) ? ZF_LOST :
				      ZF_REFUSED], 1);
	return 0;
}

/*
 * The real zlib's compress2() and uncompress2().  Their deflateInit_()
 * and inflateInit_() come back here through the PLT; while zpass is set
 * (in this thread only) those give the caller the real zlib's own stream,
 * which is not ours, so every later call on it is passed on unchanged:
 * the answer is zlib's own.
 */
static int real_compress(Bytef *dest, uLongf *dest_len, const Bytef *source,
			 uLong source_len, int level)
{
	int ret;

	zpass = true;
	ret = CALL_REAL(Z_VERSION_ERROR, compress2, dest, dest_len, source,
			source_len, level);
	zpass = false;
	return ret;
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
		return real_compress(dest, dest_len, source, source_len,
				     level);	/* zlib's answer */
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

/* zlib's: compress() in that much room always works (oneshot_hw()) */
WD_EXPORT uLong compressBound(uLong source_len)
{
	return CALL_REAL(source_len + (source_len >> 12) + (source_len >> 14) +
			 (source_len >> 25) + 13, compressBound, source_len);
}

static int real_uncompress(Bytef *dest, uLongf *dest_len, const Bytef *source,
			   uLong *source_len)
{
	int ret;

	zpass = true;
	ret = CALL_REAL(Z_VERSION_ERROR, uncompress2, dest, dest_len, source,
			source_len);
	zpass = false;
	return ret;
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
		(REAL(gzclearerr))(file);
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
