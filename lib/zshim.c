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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zshim.h"

_Thread_local bool zpass;

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

atomic_ulong zfeat_count[ZF_NR], zmoved;

/* zlib's ERR_RETURN(): its own message for @err (zError()'s string). */
int zs_err(z_streamp strm, int err)
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

struct zshim *zs_ours(z_streamp strm)
{
	struct zshim *w;

	if (!strm || !strm->state)
		return NULL;
	w = (struct zshim *)strm->state;
	return w->magic == ZSHIM_MAGIC && w->strm == strm ? w : NULL;
}




static void hw_free(struct zshim *w)
{
	wd_stream_close(w->ws);
	wd_comp_close(w->comp);
	w->ws = NULL;
	w->comp = NULL;
}

void zs_real_free(struct zshim *w)
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
void zs_real_fields(struct zshim *w)
{
	w->real.msg = w->strm->msg;
	w->real.adler = w->strm->adler;
	w->real.data_type = w->strm->data_type;
}

/*
 * The real zlib's inflateReset2(), without an overflow of its own.  zlib
 * frees a stream's window on a reset only when the window size changes.
 * A stream inflateSync() turned raw before any header (windowBits 0: the
 * size from the header) makes its window at size 2^0, one byte; reset to
 * windowBits 0 again it keeps that byte, and the next zlib or gzip header
 * sets the size to 2^15: inflate() then copies up to 32 KiB into it
 * (zlib 1.2.13, and zlib's code since).  A reset to another size first
 * frees the window.
 */
int zs_real_inflate_reset2(z_streamp strm, int window_bits)
{
	if (window_bits == 0 || window_bits == 16 || window_bits == 32)
		CALL_REAL(Z_STREAM_ERROR, inflateReset2, strm, MAX_WBITS);
	return CALL_REAL(Z_STREAM_ERROR, inflateReset2, strm, window_bits);
}

/*
 * Moves an undecided stream to the real zlib: a fresh inner stream, or
 * the one from before a reset, reset with the current parameters.
 */
int zs_to_real(struct zshim *w, enum wd_reason why)
{
	int ret;

	if (w->real_ok && w->deflate) {
		ret = CALL_REAL(Z_STREAM_ERROR, deflateReset, &w->real);
		if (ret == Z_OK)
			ret = CALL_REAL(Z_STREAM_ERROR, deflateParams, &w->real,
					w->level, w->strategy);
	} else if (w->real_ok) {
		ret = zs_real_inflate_reset2(&w->real, w->window_bits);
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
	zs_real_fields(w);
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
bool zs_parse_window(bool deflate, int wb, int *format, int *wbits)
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
uLong zs_zlib_bound(const struct zshim *w, uLong n)
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
 * The format of the stream's device session: for gzip inflate the shim
 * reads header and trailer itself and the device runs raw deflate.
 */
static enum wd_format zs_dev_format(const struct zshim *w)
{
	return !w->deflate && w->format == WD_FORMAT_GZIP ? WD_FORMAT_RAW :
	       (enum wd_format)w->format;
}

/*
 * Tries to put an undecided stream on the device; otherwise on the real
 * zlib.  The device stream of before a reset is reused when its format
 * and window still fit.  Returns a zlib code: Z_OK when it has a path.
 */
int zs_decide(struct zshim *w, size_t in_len, size_t out_len, int flush)
{
	struct wd_comp_params p = { 0 };
	enum wd_reason why = WD_REASON_UNSUPPORTED;
	int level = w->deflate && w->level > 0 ? w->level : 0;
	int ret = 0;

	enum wd_format dev_format = zs_dev_format(w);

	if (w->feat)
		return zs_to_real(w, why);
	if (w->comp && (w->comp->format != dev_format ||
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
	    out_len >= zs_zlib_bound(w, in_len) &&
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
		return zs_to_real(w, WD_REASON_UNSUPPORTED);
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
	return zs_to_real(w, ret ? WD_REASON_NO_MEMORY : why);
}

struct zshim *zshim_new(z_streamp strm, bool deflate)
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

void zshim_free(struct zshim *w)
{
	hw_free(w);
	zs_real_free(w);
	free(w->kept);
	free(w->dict);
	free(w->hist);
	free(w->pend);
	w->magic = 0;
	free(w);
}

/* Maps a libwarpdrive error of a device stream to zlib's codes. */
int zs_hw_error(struct zshim *w, int err)
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


bool zs_version_ok(const char *version, int stream_size)
{
	return version && version[0] == ZLIB_VERSION[0] &&
	       stream_size == (int)sizeof(z_stream);
}


int zs_copy_state(z_streamp dest, z_streamp source, bool deflate)
{
	struct zshim *sw = zs_ours(source), *dw;
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
		/* the source's device format: raw for a gzip inflate */
		struct wd_comp_params p = {
			.format = zs_dev_format(sw), .level = sw->level < 0 ?
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
