// SPDX-License-Identifier: GPL-2.0
/*
 * zdiff: libwdz.so against the real zlib, side by side in one process.
 *
 * The program links the system zlib and dlopen()s libwdz.so.1 with
 * RTLD_LOCAL | RTLD_DEEPBIND, so that each has its own entry points, and
 * drives both with the same random call sequences: deflate and inflate
 * with random sizes, flush modes, buffer splits down to 0 and 1 byte,
 * parameters (levels, every windowBits form, memLevel, strategies),
 * deflateParams, deflatePrime, dictionaries, inflateSync, inflateMark,
 * deflateBound, resets, copies, corrupt and truncated input, and the
 * whole-buffer functions.  After every call it compares what a caller can
 * observe, and stops at the first difference with a reproducer.
 *
 * Two ways of comparing:
 *
 *  exact   everything a caller sees: return codes, next_in/avail_in,
 *          next_out/avail_out, total_*, adler, data_type, msg, and every
 *          byte of the output buffer (also the ones past what was
 *          written).  This is how the shim must behave on the software
 *          path (the host, WD_POLICY=sw).
 *  device  the same for everything that decompresses, but data_type (see
 *          Documentation/libwarpdrive.rst); compression on a device makes
 *          other bytes, so each deflate stream is held to zlib's contract
 *          instead, computed from its own history: the return codes and
 *          messages zlib's rules give (Z_BUF_ERROR, Z_STREAM_ERROR), the
 *          input/output accounting, adler, flushes that deliver all input
 *          so far (checked by an inflater fed as output comes), full
 *          flush restart points, deflateBound, and the end.  The real
 *          zlib is checked against the same contract, which keeps the
 *          checker honest.  Only sequences zlib's manual allows are
 *          generated for deflate in this mode.
 *
 * Usage: zdiff_test [--seed N] [--iterations N] [--seconds S] [--first I]
 *                   [--mode exact|device] [--lib PATH] [--max-size N] [-v]
 *
 * It stops after --iterations (200 by default) or --seconds, whichever
 * comes first; with --seconds alone it runs for that long (make soak).
 *
 * Each iteration has a seed of its own, derived from --seed and its index:
 * `--seed S --first I --iterations 1 -v` replays iteration I alone with
 * every call printed.  The mode defaults to device when WD_POLICY=hw, or
 * when a vzip device is present and WD_POLICY is not sw; exact otherwise.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>
#include <zlib.h>

#include "tap.h"

/* ---- the two zlibs ---- */

#define ZFUNCS(X)							\
	X(deflateInit2_) X(deflate) X(deflateEnd) X(deflateReset)	\
	X(deflateParams) X(deflateSetDictionary) X(deflateGetDictionary) \
	X(deflatePrime) X(deflatePending) X(deflateBound) X(deflateCopy) \
	X(deflateSetHeader) X(deflateTune)				\
	X(inflateInit2_) X(inflate) X(inflateEnd) X(inflateReset)	\
	X(inflateReset2) X(inflateSetDictionary) X(inflateGetDictionary) \
	X(inflateSync) X(inflateSyncPoint) X(inflateMark) X(inflateCopy) \
	X(inflatePrime) X(inflateValidate) X(inflateCodesUsed)		\
	X(inflateGetHeader)						\
	X(compress) X(compress2) X(compressBound) X(uncompress)		\
	X(uncompress2)

struct zapi {
	const char *name;
#define FIELD(f) __typeof__(f) *f;
	ZFUNCS(FIELD)
#undef FIELD
};

static struct zapi zreal = { .name = "zlib" }, zshim = { .name = "shim" };

/*
 * zlib's inflateReset2() with zlib's own overflow worked around, as
 * libwdz.so does it (lib/zshim.c, zs_real_inflate_reset2()): reset to
 * windowBits 0 after inflateSync() made the stream raw, zlib keeps a
 * one-byte window and writes up to 32 KiB into it at the next header.
 * The oracle must not corrupt the process that compares.
 */
static int zlib_inflate_reset2(z_streamp strm, int window_bits)
{
	if (window_bits == 0 || window_bits == 16 || window_bits == 32)
		inflateReset2(strm, MAX_WBITS);
	return inflateReset2(strm, window_bits);
}

static void load_apis(const char *lib)
{
	void *h;

#define REAL(f) zreal.f = f;
	ZFUNCS(REAL)
#undef REAL
	zreal.inflateReset2 = zlib_inflate_reset2;
	h = dlopen(lib, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
	if (!h) {
		printf("Bail out! cannot load %s: %s\n", lib, dlerror());
		exit(1);
	}
#define SHIM(f)								\
	zshim.f = (__typeof__(f) *)dlsym(h, #f);			\
	if (!zshim.f) {							\
		printf("Bail out! %s lacks %s\n", lib, #f);		\
		exit(1);						\
	}
	ZFUNCS(SHIM)
#undef SHIM
	if ((void *)zshim.deflate == (void *)deflate) {
		printf("Bail out! %s's deflate is zlib's\n", lib);
		exit(1);
	}
}

/* ---- options, randomness, reporting ---- */

static uint64_t opt_seed = 1;
static unsigned long opt_iterations = 200, opt_first;
static bool opt_iterations_given;
static double opt_seconds;
static bool opt_verbose, opt_device;
static size_t opt_max = 256 << 10;

static uint64_t rstate;
static unsigned long cur_iter;
static uint64_t cur_seed;

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	rstate += 0x9e3779b97f4a7c15ull;
	return mix64(rstate);
}

/* 0 .. n-1 */
static size_t rn(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

static bool chance(unsigned int pct)
{
	return rn(100) < pct;
}

/* A size up to max, most of them small, some 0 and 1. */
static size_t pick_size(size_t max)
{
	size_t r = rn(100), n;

	if (r < 6)
		n = 0;
	else if (r < 12)
		n = 1;
	else if (r < 25)
		n = 2 + rn(15);
	else if (r < 50)
		n = 17 + rn(500);
	else if (r < 80)
		n = 513 + rn(16 << 10);
	else
		n = rn(max + 1);
	return n > max ? max : n;
}

/* The last steps of the current iteration, shown with a difference. */
#define LOG_N 48
static char steplog[LOG_N][200];
static unsigned long nsteps;

__attribute__((format(printf, 1, 2)))
static void step(const char *fmt, ...)
{
	va_list ap;
	char *b = steplog[nsteps++ % LOG_N];

	va_start(ap, fmt);
	vsnprintf(b, sizeof(steplog[0]), fmt, ap);
	va_end(ap);
	if (opt_verbose)
		printf("#   %lu: %s\n", nsteps, b);
}

static const char *cur_scenario = "";

__attribute__((format(printf, 1, 2), noreturn))
static void diff(const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!opt_verbose) {
		unsigned long first = nsteps > LOG_N ? nsteps - LOG_N : 0;

		tap_diag("the last calls of iteration %lu:", cur_iter);
		for (unsigned long i = first; i < nsteps; i++)
			tap_diag("  %lu: %s", i + 1, steplog[i % LOG_N]);
	}
	tap_diag("DIFFERENCE in %s, iteration %lu (seed %#" PRIx64
		 "), step %lu: %s", cur_scenario, cur_iter, cur_seed, nsteps,
		 what);
	tap_diag("reproduce: zdiff_test --seed %" PRIu64
		 " --first %lu --iterations 1 --mode %s -v", opt_seed,
		 cur_iter, opt_device ? "device" : "exact");
	tap_ok(0, "%s: no difference from zlib", cur_scenario);
	fflush(stdout);
	exit(tap_done());
}

static const char *flush_name(int f)
{
	static const char *const n[] = {
		"NO_FLUSH", "PARTIAL", "SYNC", "FULL", "FINISH", "BLOCK",
		"TREES",
	};
	static char buf[16];

	if (f >= 0 && f <= 6)
		return n[f];
	snprintf(buf, sizeof(buf), "flush=%d", f);
	return buf;
}

static const char *ret_name(int r)
{
	static char buf[16];

	switch (r) {
	case Z_OK: return "Z_OK";
	case Z_STREAM_END: return "Z_STREAM_END";
	case Z_NEED_DICT: return "Z_NEED_DICT";
	case Z_ERRNO: return "Z_ERRNO";
	case Z_STREAM_ERROR: return "Z_STREAM_ERROR";
	case Z_DATA_ERROR: return "Z_DATA_ERROR";
	case Z_MEM_ERROR: return "Z_MEM_ERROR";
	case Z_BUF_ERROR: return "Z_BUF_ERROR";
	case Z_VERSION_ERROR: return "Z_VERSION_ERROR";
	}
	snprintf(buf, sizeof(buf), "%d", r);
	return buf;
}

static const char *str_or_null(const char *s)
{
	return s ? s : "(null)";
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	return p;
}

/* ---- data ---- */

static void gen_data(unsigned char *p, size_t len)
{
	static const char *const words[] = {
		"zlib ", "shim ", "queue ", "and ", "the ", "inflate\n",
		"deflate ", "window ", "42 ", "block ", "{\"key\": ", "}, ",
		"accelerator ", "<div class=\"x\">", "\t", "0123456789",
	};
	size_t kind = rn(7), i = 0;

	while (i < len) {
		size_t r = rnd(), n;

		switch (kind) {
		case 0:		/* random */
			p[i++] = (unsigned char)r;
			break;
		case 1:		/* text */
		case 2: {
			const char *w = words[r % 16];

			while (*w && i < len)
				p[i++] = (unsigned char)*w++;
			break;
		}
		case 3:		/* runs */
			n = 1 + (r >> 8) % 300;
			while (n-- && i < len)
				p[i++] = (unsigned char)r;
			break;
		case 4:		/* small alphabet */
			p[i++] = "ACGT"[r & 3];
			break;
		case 5:		/* long repeats of a random prefix, far apart */
			if (i < 64 || r % 8) {
				p[i++] = (unsigned char)(r >> 16);
			} else {
				size_t from = (r >> 12) % i;

				n = 3 + (r >> 40) % 258;
				while (n-- && i < len)
					p[i++] = p[from++];
			}
			break;
		default:	/* mixed */
			kind = r % 6;
			break;
		}
	}
}

static uLong checksum(bool crc, const unsigned char *p, size_t len)
{
	uLong s = crc ? crc32(0, NULL, 0) : adler32(0, NULL, 0);

	while (len) {
		uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;

		s = crc ? crc32(s, p, n) : adler32(s, p, n);
		p += n;
		len -= n;
	}
	return s;
}

/* ---- one stream on each side ---- */

#define CANARY 0xa5

/**
 * struct side - a z_stream of one of the two zlibs, and its buffers
 * @z: the functions
 * @s: the stream
 * @live: @s is initialised
 * @out: everything produced so far (@olen bytes of @ocap)
 * @in: its input (both sides share it)
 * @in_len: bytes at @in
 */
struct side {
	const struct zapi *z;
	z_stream s;
	bool live;
	unsigned char *out;
	size_t ocap, olen;
	const unsigned char *in;
	size_t in_len;
	/* the contract of deflate (device mode) */
	int last_flush;		/* zlib's s->last_flush, as seen from outside */
	bool finishing;		/* Z_FINISH was asked for */
	bool ended;		/* Z_STREAM_END was returned */
	bool fin_given;		/* the first Z_FINISH call got the input */
	bool started;		/* a deflate call went past its checks */
	bool header_call;	/* this call: zlib writes only its header */
	size_t gzhead_len;	/* a deflateSetHeader() header's length */
	uLong base_in;		/* total_in before the data (a dictionary) */
	const unsigned char *vdict;	/* for the verifier */
	size_t vdict_len;
	/* an inflater fed with this side's deflate output (device mode) */
	z_stream v;
	bool vlive, vend;
	unsigned char *vout;
	size_t vcap, vlen, vfed;
	/* full flush points: output offset, input offset */
	size_t fpo[4], fpi[4];
	int nfp;
};

static void side_init(struct side *x, const struct zapi *z)
{
	memset(x, 0, sizeof(*x));
	x->z = z;
	x->last_flush = -2;
}

static void ensure_out(struct side *x, size_t room)
{
	if (x->olen + room > x->ocap) {
		x->ocap = (x->olen + room) * 2 + 64;
		x->out = xrealloc(x->out, x->ocap);
	}
}

static void side_free(struct side *x)
{
	free(x->out);
	free(x->vout);
	if (x->vlive)
		inflateEnd(&x->v);
	x->out = x->vout = NULL;
	x->vlive = false;
}

/*
 * Sets up the next call: avail_in from the input position where the last
 * call left next_in, avail_out bytes of output room (canary-filled) after
 * what was produced so far.
 */
static void prep_call(struct side *x, size_t ain, size_t aout, bool null_in)
{
	size_t pos = x->s.next_in ? (size_t)(x->s.next_in - x->in) : 0;

	ensure_out(x, aout + 1);
	if (null_in && !ain)
		x->s.next_in = NULL;
	else
		x->s.next_in = (Bytef *)x->in + pos;
	x->s.avail_in = (uInt)ain;
	x->s.next_out = x->out + x->olen;
	x->s.avail_out = (uInt)aout;
	memset(x->out + x->olen, CANARY, aout);
}

static size_t in_pos(const struct side *x)
{
	return x->s.next_in ? (size_t)(x->s.next_in - x->in) : 0;
}

static size_t in_left(const struct side *x)
{
	return x->in_len - in_pos(x);
}

/* After a call: what was written is part of the output. */
static void took(struct side *x, size_t aout)
{
	x->olen += aout - x->s.avail_out;
}

/* Compares what a caller sees of the two streams after a call. */
static void compare(const char *call, struct side *a, int ra, struct side *b,
		    int rb, size_t aout, bool data_type)
{
	z_stream *s = &a->s, *t = &b->s;

	if (opt_verbose)
		printf("#      zlib %s in %u out %u msg %s | shim %s in %u out "
		       "%u msg %s\n", ret_name(ra), s->avail_in, s->avail_out,
		       str_or_null(s->msg), ret_name(rb), t->avail_in,
		       t->avail_out, str_or_null(t->msg));
	if (ra != rb)
		diff("%s returned %s (zlib) and %s (shim)", call,
		     ret_name(ra), ret_name(rb));
#define CMP(f, fmt, cast)						\
	if (s->f != t->f)						\
		diff("%s: " #f " is " fmt " (zlib) and " fmt " (shim), "\
		     "both returned %s", call, (cast)s->f, (cast)t->f,	\
		     ret_name(ra));
	CMP(avail_in, "%u", unsigned int)
	CMP(avail_out, "%u", unsigned int)
	CMP(total_in, "%lu", unsigned long)
	CMP(total_out, "%lu", unsigned long)
	CMP(adler, "%#lx", unsigned long)
	if (data_type)
		CMP(data_type, "%d", int)
#undef CMP
	if (in_pos(a) != in_pos(b) || (!s->next_in) != (!t->next_in))
		diff("%s: next_in differs", call);
	if (!same_str(s->msg, t->msg))
		diff("%s: msg is \"%s\" (zlib) and \"%s\" (shim), returned %s",
		     call, str_or_null(s->msg), str_or_null(t->msg),
		     ret_name(ra));
	if (a->olen != b->olen)
		diff("%s: %zu bytes out before (zlib) and %zu (shim)", call,
		     a->olen, b->olen);
	/* the output so far, and the room after it (canaries included) */
	if (memcmp(a->out, b->out, a->olen + aout)) {
		size_t i = 0;

		while (a->out[i] == b->out[i])
			i++;
		diff("%s: output byte %zu is %#x (zlib) and %#x (shim), "
		     "%zu were there before the call", call, i, a->out[i],
		     b->out[i], a->olen);
	}
}

/* ---- deflate ---- */

/*
 * zlib's kind of compression per level (deflate.c's configuration_table:
 * stored, deflate_fast, deflate_slow), -1 being 6
 */
static int level_func(int level)
{
	static const int func[10] = { 0, 1, 1, 1, 2, 2, 2, 2, 2, 2 };

	return func[level < 0 ? 6 : level];
}

/*
 * zlib's order of flush modes, weakest first (deflate.c's RANK()); its
 * last_flush values before any flush (-2 fresh, -1 output filled) rank
 * below them all
 */
static int rank(int f)
{
	static const int order[] = {
		[Z_NO_FLUSH] = 0, [Z_BLOCK] = 1, [Z_PARTIAL_FLUSH] = 2,
		[Z_TREES] = 3, [Z_SYNC_FLUSH] = 4, [Z_FULL_FLUSH] = 6,
		[Z_FINISH] = 8,
	};

	return f < 0 ? 2 * f : order[f];
}

/*
 * zlib's rules for what deflate() returns before it compresses anything
 * (deflate.c, deflate()), from what the caller has seen.  Returns the
 * error the call must return, or Z_OK if it may run.  Updates the model.
 */
static int model_deflate(struct side *x, int flush, size_t ain, size_t aout,
			 bool null_in, bool null_out, const char **msg)
{
	int old;

	*msg = NULL;
	if (flush < 0 || flush > Z_BLOCK)
		return Z_STREAM_ERROR;
	if (null_out || (ain && null_in) || (x->finishing && x->ended &&
					      flush != Z_FINISH)) {
		*msg = "stream error";
		return Z_STREAM_ERROR;
	}
	if (!aout) {
		*msg = "buffer error";
		return Z_BUF_ERROR;
	}
	old = x->last_flush;
	x->last_flush = flush;
	x->started = true;
	/* a fresh stream, no input, no flush: the header and nothing else */
	x->header_call = old == -2 && !ain && flush == Z_NO_FLUSH;
	if (!ain && rank(flush) <= rank(old) && flush != Z_FINISH) {
		*msg = "buffer error";
		return Z_BUF_ERROR;
	}
	if (x->ended && ain) {
		*msg = "buffer error";
		return Z_BUF_ERROR;
	}
	return Z_OK;
}

/* Feeds the verifier the new output of a device-mode deflate side. */
static void verify_feed(struct side *x, const unsigned char *plain,
			const char *call)
{
	int r;

	if (!x->vlive || x->vend)
		return;
	while (x->vfed < x->olen) {
		if (x->vcap - x->vlen < 65536) {
			x->vcap = x->vcap * 2 + 65536;
			x->vout = xrealloc(x->vout, x->vcap);
		}
		x->v.next_in = x->out + x->vfed;
		x->v.avail_in = (uInt)(x->olen - x->vfed);
		x->v.next_out = x->vout + x->vlen;
		x->v.avail_out = (uInt)(x->vcap - x->vlen);
		r = inflate(&x->v, Z_SYNC_FLUSH);
		x->vfed = x->olen - x->v.avail_in;
		x->vlen = x->vcap - x->v.avail_out;
		if (r == Z_STREAM_END) {
			x->vend = true;
			break;
		}
		if (r == Z_BUF_ERROR)
			break;
		if (r == Z_NEED_DICT && x->vdict &&
		    inflateSetDictionary(&x->v, x->vdict,
					 (uInt)x->vdict_len) == Z_OK)
			continue;
		if (r != Z_OK)
			diff("%s: the %s's output does not inflate: %s (%s)",
			     call, x->z->name, ret_name(r),
			     str_or_null(x->v.msg));
	}
	if (x->vlen > x->s.total_in - x->base_in ||
	    memcmp(x->vout, plain, x->vlen))
		diff("%s: the %s's output inflates to other data (%zu bytes "
		     "for %lu in)", call, x->z->name, x->vlen,
		     x->s.total_in - x->base_in);
}

/* Checks one deflate call of one side against zlib's contract. */
static void contract_deflate(struct side *x, int ret, int flush, size_t ain,
			     size_t aout, uLong tin0, uLong tout0, size_t pos0,
			     int want, const char *want_msg, const char *msg0,
			     int fmt, size_t hlen, const unsigned char *plain,
			     const char *call)
{
	z_stream *s = &x->s;
	size_t used = ain - s->avail_in, made = aout - s->avail_out;

	if (want != Z_OK) {
		if (ret != want)
			diff("%s: the %s returned %s where zlib's rules say %s",
			     call, x->z->name, ret_name(ret), ret_name(want));
		if (used || made)
			diff("%s: the %s moved data and returned %s", call,
			     x->z->name, ret_name(ret));
		if (!same_str(s->msg, want_msg ? want_msg : msg0))
			diff("%s: the %s set msg \"%s\", zlib's rules say \"%s\"",
			     call, x->z->name, str_or_null(s->msg),
			     str_or_null(want_msg ? want_msg : msg0));
		return;
	}
	if (ret != Z_OK && !(ret == Z_STREAM_END && flush == Z_FINISH))
		diff("%s: the %s returned %s", call, x->z->name,
		     ret_name(ret));
	if (!same_str(s->msg, msg0))
		diff("%s: the %s changed msg to \"%s\"", call, x->z->name,
		     str_or_null(s->msg));
	if (s->avail_in > ain || s->avail_out > aout ||
	    s->total_in != tin0 + used || s->total_out != tout0 + made ||
	    in_pos(x) != pos0 + used)
		diff("%s: the %s's counts do not add up", call, x->z->name);
	if (s->avail_in && s->avail_out)
		diff("%s: the %s returned %s with input (%u) and room (%u) "
		     "left", call, x->z->name, ret_name(ret), s->avail_in,
		     s->avail_out);
	for (size_t i = made; i < aout; i++)
		if (s->next_out[i - made] != CANARY)
			diff("%s: the %s wrote past what it reports", call,
			     x->z->name);
	if (ret == Z_STREAM_END && s->avail_in)
		diff("%s: the %s ended the stream with input left", call,
		     x->z->name);
	if (fmt != 0 && s->total_out &&
	    s->adler != checksum(fmt == 2, plain, s->total_in - x->base_in))
		diff("%s: the %s's adler %#lx is not the checksum of the %lu "
		     "bytes it took", call, x->z->name, s->adler,
		     s->total_in - x->base_in);
	if (fmt == 0 && s->adler != 1)
		diff("%s: the %s's adler changed on a raw stream", call,
		     x->z->name);
	x->olen += made;
	/*
	 * zlib: output filled means no Z_BUF_ERROR next time, but not when
	 * the whole header filled it (the header is all such a call writes;
	 * the device writes it with the first data, see lib_zshim_test.c)
	 */
	if (!s->avail_out && ret == Z_OK && !(x->header_call && made == hlen))
		x->last_flush = -1;
	if (ret == Z_STREAM_END)
		x->ended = true;
	verify_feed(x, plain, call);
	if (ret == Z_OK && s->avail_out &&
	    (flush == Z_SYNC_FLUSH || flush == Z_FULL_FLUSH ||
	     flush == Z_PARTIAL_FLUSH) && x->vlive && !x->vend &&
	    x->vlen != s->total_in - x->base_in)
		diff("%s: after a completed %s the %s's output inflates to "
		     "%zu of the %lu bytes taken", call, flush_name(flush),
		     x->z->name, x->vlen, s->total_in - x->base_in);
	if (ret == Z_OK && s->avail_out && flush == Z_FULL_FLUSH &&
	    x->nfp < 4 && x->vlive) {
		x->fpo[x->nfp] = x->olen;
		x->fpi[x->nfp] = s->total_in - x->base_in;
		x->nfp++;
	}
}

/*
 * deflateCopy() or inflateCopy() on both sides, the same answer; then, as
 * a z_stream cannot move, each copy is copied back and dropped, and the
 * sequence carries on with what was copied.
 */
static void copy_both(struct side *x[2], bool deflate)
{
	const char *name = deflate ? "deflateCopy" : "inflateCopy";
	z_stream c[2];
	int r[2];

	step("%s, continue on the copies", name);
	for (int i = 0; i < 2; i++)
		r[i] = deflate ? x[i]->z->deflateCopy(&c[i], &x[i]->s) :
				 x[i]->z->inflateCopy(&c[i], &x[i]->s);
	if (r[0] != r[1])
		diff("%s returned %s (zlib) and %s (shim)", name,
		     ret_name(r[0]), ret_name(r[1]));
	if (r[0] != Z_OK)
		return;
	for (int i = 0; i < 2; i++) {
		if (deflate) {
			x[i]->z->deflateEnd(&x[i]->s);
			r[i] = x[i]->z->deflateCopy(&x[i]->s, &c[i]);
			x[i]->z->deflateEnd(&c[i]);
		} else {
			x[i]->z->inflateEnd(&x[i]->s);
			r[i] = x[i]->z->inflateCopy(&x[i]->s, &c[i]);
			x[i]->z->inflateEnd(&c[i]);
		}
	}
	if (r[0] != Z_OK || r[1] != Z_OK)
		diff("%s back returned %s (zlib) and %s (shim)", name,
		     ret_name(r[0]), ret_name(r[1]));
}

struct dparams {
	int level, method, wbits, mem, strategy;
	int fmt;		/* 0 raw, 1 zlib, 2 gzip */
	const unsigned char *dict;
	size_t dict_len;
	int prime_bits, prime_value;
};

/* The length of a gzip header zlib writes from @h (deflate.c). */
static size_t gzhead_len(const gz_header *h)
{
	size_t n = 10;

	if (h->extra)
		n += 2 + h->extra_len;
	if (h->name)
		n += strlen((const char *)h->name) + 1;
	if (h->comment)
		n += strlen((const char *)h->comment) + 1;
	return n + (h->hcrc ? 2 : 0);
}

/*
 * The header a fresh stream writes: zlib's 2 bytes and a dictionary's
 * identifier, gzip's 10 or deflateSetHeader()'s (deflateReset() keeps
 * that one), none for raw deflate.
 */
static size_t header_len(const struct side *x, const struct dparams *p)
{
	if (p->fmt == 1)
		return p->dict ? 6 : 2;
	if (p->fmt == 2)
		return x->gzhead_len ? x->gzhead_len : 10;
	return 0;
}

static int pick_level(void)
{
	static const int l[] = { -1, 6, 1, 9, 0, 2, 3, 4, 5, 7, 8 };

	if (chance(1))
		return chance(50) ? 10 : -2;
	return l[rn(chance(60) ? 4 : 11)];
}

static int pick_dwbits(void)
{
	static const int w[] = {
		15, -15, 31, 9, 10, 11, 12, 13, 14, 8, -9, -10, -11, -12,
		-13, -14, 25, 26, 27, 28, 29, 30,
	};

	if (chance(1)) {
		static const int bad[] = { -8, 24, 7, 16, 32, 0, -16 };

		return bad[rn(7)];
	}
	return w[rn(chance(60) ? 3 : 22)];
}

static void verifier_start(struct side *x, const struct dparams *p)
{
	int wb = p->fmt == 0 ? (p->wbits < -9 ? p->wbits : -9) :
		 p->fmt == 1 ? 0 : 31;

	memset(&x->v, 0, sizeof(x->v));
	if (inflateInit2(&x->v, wb) != Z_OK) {
		printf("Bail out! inflateInit2\n");
		exit(1);
	}
	x->vlive = true;
	x->vend = false;
	x->vlen = x->vfed = 0;
	x->nfp = 0;
	x->base_in = x->s.total_in;
	x->vdict = p->dict;
	x->vdict_len = p->dict_len;
	if (p->fmt == 0 && p->dict)
		inflateSetDictionary(&x->v, p->dict, (uInt)p->dict_len);
	if (p->fmt == 0 && p->prime_bits)
		inflatePrime(&x->v, p->prime_bits, p->prime_value);
}

static unsigned long n_deflate, n_deflate_calls;

static void deflate_pair_call(struct side *a, struct side *b, int flush,
			      size_t ain, size_t aout, bool null_in,
			      bool null_out, const struct dparams *p,
			      const unsigned char *plain)
{
	struct side *x[2] = { a, b };
	int ret[2];
	char call[96];

	size_t pos0 = in_pos(a);

	snprintf(call, sizeof(call), "deflate(%s) in %zu out %zu%s%s",
		 flush_name(flush), ain, aout, null_in ? " next_in NULL" : "",
		 null_out ? " next_out NULL" : "");
	step("%s", call);
	n_deflate_calls++;
	if (!opt_device) {
		if (ain > in_left(a))
			ain = in_left(a);
		for (int i = 0; i < 2; i++) {
			prep_call(x[i], ain, aout, null_in);
			if (null_out)
				x[i]->s.next_out = NULL;
			ret[i] = x[i]->z->deflate(&x[i]->s, flush);
			if (null_out)
				x[i]->s.next_out = x[i]->out + x[i]->olen;
		}
		compare(call, a, ret[0], b, ret[1], aout, true);
		for (int i = 0; i < 2; i++)
			if (!x[i]->s.next_in)
				x[i]->s.next_in = (Bytef *)x[i]->in + pos0;
		took(a, aout);
		took(b, aout);
		if (ret[0] == Z_STREAM_END)
			a->ended = b->ended = true;
		a->last_flush = ret[0];		/* the last return code */
		return;
	}
	for (int i = 0; i < 2; i++) {
		struct side *y = x[i];
		uLong tin0 = y->s.total_in, tout0 = y->s.total_out;
		size_t a_in = ain;
		const char *want_msg, *msg0 = y->s.msg;
		int want;

		/*
		 * each side feeds its own input: ain is what it may add;
		 * the first Z_FINISH gets all the rest, and then no more
		 */
		if (y->s.avail_in || (y->finishing && y->fin_given)) {
			a_in = y->s.avail_in;
		} else if (flush == Z_FINISH) {
			a_in = in_left(y);
			y->fin_given = true;
		} else {
			a_in = ain > in_left(y) ? in_left(y) : ain;
		}
		if (flush == Z_FINISH)
			y->fin_given = true;
		if (y->ended)
			a_in = 0;
		pos0 = in_pos(y);
		want = model_deflate(y, flush, a_in, aout, null_in && !a_in,
				     null_out, &want_msg);
		prep_call(y, a_in, aout, null_in);
		if (null_out)
			y->s.next_out = NULL;
		ret[i] = y->z->deflate(&y->s, flush);
		if (null_out)
			y->s.next_out = y->out + y->olen;
		if (!y->s.next_in)
			y->s.next_in = (Bytef *)y->in + pos0;
		if (opt_verbose)
			printf("#      %s: %s, in %zu -> %u, out %zu -> %u, "
			       "total %lu/%lu, model %s\n", y->z->name,
			       ret_name(ret[i]), a_in, y->s.avail_in, aout,
			       y->s.avail_out, y->s.total_in, y->s.total_out,
			       ret_name(want));
		contract_deflate(y, ret[i], flush, a_in, aout, tin0, tout0,
				 pos0, want, want_msg, msg0, p->fmt,
				 header_len(y, p), plain, call);
	}
}

static void deflate_scenario(void)
{
	struct side a, b;
	struct side *x[2] = { &a, &b };
	struct dparams p = { 0 };
	size_t len = pick_size(opt_max);
	unsigned char *plain = xmalloc(len);
	unsigned char dict[1024];
	gz_header head[2];
	int r[2];
	unsigned long steps = 0, max_steps = 20 + rn(200);
	bool single = false;
	int prev = Z_NO_FLUSH, cur_level, cur_strategy;

	cur_scenario = "deflate";
	n_deflate++;
	gen_data(plain, len);
	side_init(&a, &zreal);
	side_init(&b, &zshim);
	p.level = pick_level();
	p.method = chance(1) ? 7 : Z_DEFLATED;
	p.wbits = pick_dwbits();
	p.mem = chance(70) ? 8 : 1 + (int)rn(9);
	if (chance(1))
		p.mem = chance(50) ? 0 : 10;
	p.strategy = chance(75) ? 0 : (int)rn(5);
	if (chance(1))
		p.strategy = 5;
	p.fmt = p.wbits < 0 ? 0 : p.wbits > 15 ? 2 : 1;
	cur_level = p.level;
	cur_strategy = p.strategy;
	step("deflateInit2(level %d, method %d, windowBits %d, memLevel %d, "
	     "strategy %d), %zu bytes", p.level, p.method, p.wbits, p.mem,
	     p.strategy, len);
	for (int i = 0; i < 2; i++) {
		x[i]->in = plain;
		x[i]->in_len = len;
		r[i] = x[i]->z->deflateInit2_(&x[i]->s, p.level, p.method,
					       p.wbits, p.mem, p.strategy,
					       ZLIB_VERSION,
					       (int)sizeof(z_stream));
		x[i]->live = r[i] == Z_OK;
	}
	if (r[0] != r[1])
		diff("deflateInit2 returned %s (zlib) and %s (shim)",
		     ret_name(r[0]), ret_name(r[1]));
	if (r[0] != Z_OK)
		goto out;
	if (!same_str(a.s.msg, b.s.msg) || a.s.adler != b.s.adler ||
	    a.s.total_in != b.s.total_in || a.s.total_out != b.s.total_out ||
	    (!opt_device && a.s.data_type != b.s.data_type))
		diff("deflateInit2: the fields differ");

	/* before the data: dictionary, header, prime, tune, bound */
	if (chance(10)) {
		size_t n = 1 + rn(sizeof(dict));

		gen_data(dict, n);
		step("deflateSetDictionary(%zu bytes)", n);
		for (int i = 0; i < 2; i++)
			r[i] = x[i]->z->deflateSetDictionary(&x[i]->s, dict,
							     (uInt)n);
		if (r[0] != r[1] || a.s.adler != b.s.adler)
			diff("deflateSetDictionary returned %s, adler %#lx "
			     "(zlib) and %s, adler %#lx (shim)",
			     ret_name(r[0]), a.s.adler, ret_name(r[1]),
			     b.s.adler);
		if (r[0] == Z_OK) {
			p.dict = dict;
			p.dict_len = n;
		}
	}
	if (p.fmt == 2 && chance(15)) {
		static unsigned char extra[] = "xtra-field";

		memset(head, 0, sizeof(head));
		for (int i = 0; i < 2; i++) {
			head[i].text = 1;
			head[i].time = 0x5a5a5a5a;
			head[i].os = 3;
			head[i].extra = extra;
			head[i].extra_len = 10;
			head[i].name = (Bytef *)"name.txt";
			head[i].comment = (Bytef *)"comment";
			head[i].hcrc = chance(50);
		}
		head[1].hcrc = head[0].hcrc;
		step("deflateSetHeader(hcrc %d)", head[0].hcrc);
		for (int i = 0; i < 2; i++) {
			r[i] = x[i]->z->deflateSetHeader(&x[i]->s, &head[i]);
			if (r[i] == Z_OK)
				x[i]->gzhead_len = gzhead_len(&head[i]);
		}
		if (r[0] != r[1])
			diff("deflateSetHeader returned %s (zlib) and %s (shim)",
			     ret_name(r[0]), ret_name(r[1]));
	}
	if (p.fmt == 0 && chance(8)) {
		p.prime_bits = 1 + (int)rn(16);
		p.prime_value = (int)rn(1u << p.prime_bits);
		/* a prime that leaves a complete empty static block is valid */
		p.prime_bits = chance(50) ? 10 : p.prime_bits;
		if (p.prime_bits == 10)
			p.prime_value = 2;
		else
			p.prime_bits = 0;
		if (p.prime_bits) {
			step("deflatePrime(%d, %d)", p.prime_bits,
			     p.prime_value);
			for (int i = 0; i < 2; i++)
				r[i] = x[i]->z->deflatePrime(&x[i]->s,
							     p.prime_bits,
							     p.prime_value);
			if (r[0] != r[1])
				diff("deflatePrime returned %s (zlib) and %s "
				     "(shim)", ret_name(r[0]), ret_name(r[1]));
		}
	}
	if (chance(5)) {
		step("deflateTune(8, 32, 128, 256)");
		for (int i = 0; i < 2; i++)
			r[i] = x[i]->z->deflateTune(&x[i]->s, 8, 32, 128, 256);
		if (r[0] != r[1])
			diff("deflateTune returned %s (zlib) and %s (shim)",
			     ret_name(r[0]), ret_name(r[1]));
	}
	if (chance(30)) {
		uLong bd[2];

		for (int i = 0; i < 2; i++)
			bd[i] = x[i]->z->deflateBound(&x[i]->s, len);
		step("deflateBound(%zu): %lu, %lu", len, bd[0], bd[1]);
		if (bd[0] != bd[1])
			diff("deflateBound(%zu) is %lu (zlib) and %lu (shim)",
			     len, bd[0], bd[1]);
		/* the promise: one Z_FINISH call with that much room ends */
		if (chance(50) && !p.prime_bits) {
			single = true;
			if (opt_device)
				for (int i = 0; i < 2; i++)
					verifier_start(x[i], &p);
			deflate_pair_call(&a, &b, Z_FINISH, len, bd[0], false,
					  false, &p, plain);
			for (int i = 0; i < 2; i++)
				if (x[i]->s.total_in == len &&
				    x[i]->s.avail_out == 0 &&
				    x[i]->s.total_out < bd[0])
					diff("deflate ran out of room");
			/* (zlib 1.2.13's own bound is short for level 0) */
			if (a.ended && !b.ended)
				diff("deflate(Z_FINISH) with deflateBound() "
				     "of room did not end the stream");
			max_steps = 0;
		}
	}
	if (opt_device && !single)
		for (int i = 0; i < 2; i++)
			verifier_start(x[i], &p);

	/* the data, with random calls in between */
	while (steps++ < max_steps) {
		size_t ain = pick_size(len < 65536 ? len : 65536);
		size_t aout = pick_size(chance(20) ? 300 : 70000);
		int f, k = (int)rn(100);
		/* the manual: a flush that filled the output is repeated */
		bool repeat = opt_device && prev != Z_NO_FLUSH &&
			      (a.last_flush == -1 || b.last_flush == -1) &&
			      !a.ended && !b.ended && steps > 1;

		if (k < 70 || repeat || a.finishing || b.finishing) {
			static const int fl[] = {
				Z_NO_FLUSH, Z_NO_FLUSH, Z_NO_FLUSH, Z_NO_FLUSH,
				Z_SYNC_FLUSH, Z_SYNC_FLUSH, Z_FULL_FLUSH,
				Z_PARTIAL_FLUSH, Z_BLOCK, Z_FINISH,
			};

			f = fl[rn(10)];
			if (!opt_device && chance(1))
				f = chance(50) ? 6 : -1;
			if (opt_device && (a.finishing || b.finishing))
				f = Z_FINISH;
			if (repeat) {
				f = prev;
				ain = 0;
			}
			prev = f;
			if (f == Z_FINISH)
				a.finishing = b.finishing = true;
			if (f == Z_FINISH && chance(70))
				aout = aout ? aout : 1;
			deflate_pair_call(&a, &b, f, ain, aout,
					  chance(2), chance(1), &p, plain);
			if (a.ended && b.ended)
				break;
			continue;
		}
		if (k < 78) {
			int lv = pick_level(), st = chance(70) ? p.strategy :
				 (int)rn(5);

			if (opt_device) {
				/* the manual's way: flushed, no input */
				if (a.s.avail_in || b.s.avail_in ||
				    a.last_flush < 1 || b.last_flush < 1 ||
				    a.last_flush == Z_FINISH)
					continue;
				if (lv < -1 || lv > 9)
					lv = 1;
			}
			step("deflateParams(%d, %d) out %zu", lv, st, aout);
			for (int i = 0; i < 2; i++) {
				uLong t0 = x[i]->s.total_out;

				if (!opt_device) {
					prep_call(x[i], x[i]->s.avail_in, aout,
						  false);
				} else {
					prep_call(x[i], 0, aout, false);
				}
				r[i] = x[i]->z->deflateParams(&x[i]->s, lv,
							      st);
				if (opt_device) {
					if (x[i]->s.total_out != t0)
						diff("deflateParams after a "
						     "flush wrote output");
					if (r[i] != Z_OK && !(lv < -1 ||
							      lv > 9))
						diff("deflateParams after a "
						     "flush returned %s (%s)",
						     ret_name(r[i]),
						     x[i]->z->name);
				}
			}
			if (!opt_device) {
				compare("deflateParams", &a, r[0], &b, r[1],
					aout, true);
				took(&a, aout);
				took(&b, aout);
			} else {
				if (r[0] != r[1])
					diff("deflateParams returned %s (zlib) "
					     "and %s (shim)", ret_name(r[0]),
					     ret_name(r[1]));
				/*
				 * zlib runs deflate(Z_BLOCK) when the kind of
				 * compression changes: a repeated flush that
				 * only sets last_flush
				 */
				if (r[0] == Z_OK && aout &&
				    (st != cur_strategy ||
				     level_func(lv) != level_func(cur_level)))
					a.last_flush = b.last_flush = Z_BLOCK;
			}
			if (r[0] == Z_OK) {
				cur_level = lv;
				cur_strategy = st;
			}
			continue;
		}
		if (k < 82) {
			size_t n = pick_size(1 << 20);
			uLong bd[2];

			for (int i = 0; i < 2; i++)
				bd[i] = x[i]->z->deflateBound(&x[i]->s, n);
			step("deflateBound(%zu): %lu, %lu", n, bd[0], bd[1]);
			if (!opt_device && bd[0] != bd[1])
				diff("deflateBound(%zu) is %lu (zlib) and %lu "
				     "(shim)", n, bd[0], bd[1]);
			continue;
		}
		if (k < 86) {
			unsigned pend[2] = { 0, 0 };
			int bits[2] = { 0, 0 };

			for (int i = 0; i < 2; i++)
				r[i] = x[i]->z->deflatePending(&x[i]->s,
							       &pend[i],
							       &bits[i]);
			step("deflatePending: %s %u %d, %s %u %d",
			     ret_name(r[0]), pend[0], bits[0], ret_name(r[1]),
			     pend[1], bits[1]);
			if (r[0] != r[1])
				diff("deflatePending returned %s (zlib) and %s "
				     "(shim)", ret_name(r[0]), ret_name(r[1]));
			if (!opt_device &&
			    (pend[0] != pend[1] || bits[0] != bits[1]))
				diff("deflatePending differs");
			if (opt_device)
				for (int i = 0; i < 2; i++)
					if (x[i]->s.avail_out && pend[i] &&
					    x[i]->last_flush != -1 &&
					    x[i]->last_flush >= 0 &&
					    x[i]->last_flush != Z_NO_FLUSH)
						diff("deflatePending: %u bytes "
						     "pending after a "
						     "completed call (%s)",
						     pend[i], x[i]->z->name);
			continue;
		}
		if (k < 88) {
			copy_both(x, true);
			continue;
		}
		if (k < 90) {
			static unsigned char d[2][1 << 17];
			uInt dl[2] = { 0, 0 };
			int wsz = p.fmt == 0 ? -p.wbits : p.fmt == 1 ?
				  p.wbits : p.wbits - 16;

			if (wsz == 8)
				wsz = 9;
			for (int i = 0; i < 2; i++)
				r[i] = x[i]->z->deflateGetDictionary(&x[i]->s,
								     d[i],
								     &dl[i]);
			step("deflateGetDictionary: %s %u, %s %u",
			     ret_name(r[0]), dl[0], ret_name(r[1]), dl[1]);
			if (!opt_device && (r[0] != r[1] || dl[0] != dl[1] ||
					    memcmp(d[0], d[1], dl[0])))
				diff("deflateGetDictionary differs");
			/* the device's window is its own: a window at all */
			for (int i = 0; i < 2 && opt_device; i++)
				if (r[i] != Z_OK || dl[i] > (1u << wsz))
					diff("deflateGetDictionary: the %s's "
					     "returned %s, %u bytes",
					     x[i]->z->name, ret_name(r[i]),
					     dl[i]);
			continue;
		}
		if (k < 92) {
			size_t n = 1 + rn(sizeof(dict));
			bool flushed = a.last_flush >= Z_PARTIAL_FLUSH &&
				       a.last_flush != Z_FINISH &&
				       b.last_flush == a.last_flush &&
				       !a.s.avail_in && !b.s.avail_in &&
				       !a.finishing;

			/* the device: raw streams, between flushes, as zlib */
			if (opt_device && (p.fmt != 0 || !flushed || p.dict))
				continue;
			gen_data(dict, n);
			if (opt_device && chance(50)) {
				/* an empty static block, as pigz adds */
				step("deflatePrime(10, 2) mid-stream");
				for (int i = 0; i < 2; i++)
					r[i] = x[i]->z->deflatePrime(&x[i]->s,
								     10, 2);
				if (r[0] != r[1])
					diff("deflatePrime returned %s (zlib) "
					     "and %s (shim)", ret_name(r[0]),
					     ret_name(r[1]));
				/* a byte of it is pending: no Z_BUF_ERROR */
				a.last_flush = b.last_flush = -1;
				continue;
			}
			step("deflateSetDictionary(%zu bytes) mid-stream", n);
			for (int i = 0; i < 2; i++)
				r[i] = x[i]->z->deflateSetDictionary(
					&x[i]->s, dict, (uInt)n);
			if (r[0] != r[1] || a.s.adler != b.s.adler)
				diff("deflateSetDictionary returned %s (zlib) "
				     "and %s (shim)", ret_name(r[0]),
				     ret_name(r[1]));
			for (int i = 0; i < 2 && opt_device && r[0] == Z_OK;
			     i++) {
				/* the verifier takes it at the same point */
				verify_feed(x[i], plain, "the dictionary");
				inflateSetDictionary(&x[i]->v, dict, (uInt)n);
				x[i]->nfp = 0;	/* what follows needs it */
				x[i]->base_in += n < (1u << p.wbits * -1) ?
						 n : 1u << -p.wbits;
			}
			continue;
		}
		if (k < 94) {
			step("deflateReset");
			for (int i = 0; i < 2; i++) {
				r[i] = x[i]->z->deflateReset(&x[i]->s);
				x[i]->olen = 0;
				x[i]->s.next_in = (Bytef *)plain;
				x[i]->s.avail_in = 0;
				x[i]->last_flush = -2;
				x[i]->finishing = x[i]->ended = false;
				x[i]->fin_given = false;
				if (opt_device && x[i]->vlive) {
					inflateEnd(&x[i]->v);
					x[i]->vlive = false;
				}
			}
			if (r[0] != r[1] || a.s.adler != b.s.adler ||
			    !same_str(a.s.msg, b.s.msg))
				diff("deflateReset: %s, adler %#lx (zlib) and "
				     "%s, adler %#lx (shim)", ret_name(r[0]),
				     a.s.adler, ret_name(r[1]), b.s.adler);
			/* a dictionary and a prime belonged to the last one */
			p.dict = NULL;
			p.prime_bits = 0;
			if (opt_device)
				for (int i = 0; i < 2; i++)
					verifier_start(x[i], &p);
			continue;
		}
	}

	/* finish */
	bool refused = false;

	for (unsigned long n = 0; !(a.ended && b.ended); n++) {
		size_t aout = 1 + pick_size(70000);

		if (n > 100000)
			diff("no Z_STREAM_END after 100000 Z_FINISH calls");
		if (opt_device) {
			a.finishing = b.finishing = true;
			deflate_pair_call(&a, &b, Z_FINISH, 65536, aout, false,
					  false, &p, plain);
			/* a side that ended only returns Z_STREAM_END now */
			continue;
		}
		/* input after the final block is refused: stop giving it */
		if (a.last_flush == Z_BUF_ERROR)
			refused = true;
		deflate_pair_call(&a, &b, Z_FINISH, refused ? 0 : in_left(&a),
				  aout, false, false, &p, plain);
	}
	if (opt_device) {
		for (int i = 0; i < 2; i++) {
			struct side *y = x[i];

			if (!y->ended)
				diff("the %s did not end", y->z->name);
			if (y->s.total_in - y->base_in != len && !single)
				continue;	/* reset with input left */
			if (y->vlive) {
				verify_feed(y, plain, "the end");
				if (!y->vend || y->vfed != y->olen ||
				    y->vlen != y->s.total_in - y->base_in)
					diff("the %s's stream does not inflate "
					     "to its input (end %d, %zu of %zu "
					     "bytes, %zu out of %lu)",
					     y->z->name, y->vend, y->vfed,
					     y->olen, y->vlen, y->s.total_in);
			}
			/* full flush points: raw inflate starts there */
			for (int j = 0; j < y->nfp && y->vlive; j++) {
				z_stream v = { 0 };
				size_t hl = p.fmt == 1 ? 2 : 0;
				unsigned char *o;
				size_t want = y->s.total_in - y->base_in -
					      y->fpi[j];
				int rr;

				if (p.fmt == 2 || y->fpo[j] <= hl)
					continue;
				o = xmalloc(want + 1);
				inflateInit2(&v, -15);
				v.next_in = y->out + y->fpo[j];
				v.avail_in = (uInt)(y->olen - y->fpo[j]);
				v.next_out = o;
				v.avail_out = (uInt)want + 1;
				rr = inflate(&v, Z_SYNC_FLUSH);
				if (rr != Z_STREAM_END || v.total_out != want ||
				    memcmp(o, plain + y->fpi[j], want))
					diff("the %s's full flush at %zu is not "
					     "a restart point: %s %s",
					     y->z->name, y->fpo[j],
					     ret_name(rr), str_or_null(v.msg));
				inflateEnd(&v);
				free(o);
			}
		}
	}
	for (int i = 0; i < 2; i++)
		r[i] = x[i]->z->deflateEnd(&x[i]->s);
	step("deflateEnd: %s, %s", ret_name(r[0]), ret_name(r[1]));
	if (r[0] != r[1])
		diff("deflateEnd returned %s (zlib) and %s (shim)",
		     ret_name(r[0]), ret_name(r[1]));
	a.live = b.live = false;
out:
	for (int i = 0; i < 2; i++) {
		if (x[i]->live)
			x[i]->z->deflateEnd(&x[i]->s);
		side_free(x[i]);
	}
	free(plain);
}

/* ---- inflate ---- */

/*
 * A compressed stream made by the real zlib (or by the shim) with random
 * parameters and flushes, perhaps with a dictionary, a gzip header with
 * fields, a second member, garbage after it, or damage.
 */
struct cstream {
	unsigned char *z;
	size_t zlen;
	unsigned char *plain;
	size_t plen;
	int fmt;		/* 0 raw, 1 zlib, 2 gzip */
	int wbits;		/* 9-15 */
	unsigned char dict[512];
	size_t dict_len;
	int prime_bits, prime_value;
	char what[160];
};

static void make_cstream(struct cstream *c, const struct zapi *z)
{
	z_stream s = { 0 };
	size_t room, pos = 0;
	int lv = (int)rn(10), wb, strat = chance(80) ? 0 : (int)rn(5), r;
	gz_header h = { 0 };

	c->plen = pick_size(opt_max);
	c->plain = xmalloc(c->plen);
	gen_data(c->plain, c->plen);
	c->fmt = (int)rn(3);
	c->wbits = chance(70) ? 15 : 9 + (int)rn(7);
	c->dict_len = 0;
	c->prime_bits = 0;
	wb = c->fmt == 0 ? -c->wbits : c->fmt == 1 ? c->wbits : c->wbits + 16;
	if (z->deflateInit2_(&s, lv, Z_DEFLATED, wb, 1 + (int)rn(9), strat,
			     ZLIB_VERSION, (int)sizeof(s)) != Z_OK) {
		printf("Bail out! deflateInit2 for a stream\n");
		exit(1);
	}
	if (c->fmt != 2 && chance(8)) {
		c->dict_len = 1 + rn(sizeof(c->dict));
		gen_data(c->dict, c->dict_len);
		z->deflateSetDictionary(&s, c->dict, (uInt)c->dict_len);
	}
	if (c->fmt == 2 && chance(20)) {
		h.text = 1;
		h.time = 1234567;
		h.extra = (Bytef *)"extra!";
		h.extra_len = 6;
		h.name = (Bytef *)"file.name";
		h.comment = (Bytef *)"a comment";
		h.hcrc = chance(50);
		z->deflateSetHeader(&s, &h);
	}
	room = z->deflateBound(&s, c->plen) + 64 + c->plen / 8;
	c->z = xmalloc(room * 2 + 1024);
	s.next_out = c->z;
	do {
		size_t n = pick_size(c->plen - pos);
		int f = chance(70) ? Z_NO_FLUSH : chance(40) ? Z_SYNC_FLUSH :
			chance(40) ? Z_FULL_FLUSH : chance(50) ? Z_BLOCK :
			Z_PARTIAL_FLUSH;

		if (chance(5) && z == &zreal)
			z->deflateParams(&s, (int)rn(10), (int)rn(5));
		s.next_in = c->plain + pos;
		s.avail_in = (uInt)n;
		s.avail_out = (uInt)(room * 2 - s.total_out);
		z->deflate(&s, f);
		pos += n - s.avail_in;
	} while (pos < c->plen && chance(90));
	s.next_in = c->plain + pos;
	s.avail_in = (uInt)(c->plen - pos);
	s.avail_out = (uInt)(room * 2 - s.total_out);
	r = z->deflate(&s, Z_FINISH);
	if (r != Z_STREAM_END) {
		printf("Bail out! %s: deflate(Z_FINISH) returned %s\n",
		       z->name, ret_name(r));
		exit(1);
	}
	c->zlen = s.total_out;
	z->deflateEnd(&s);
	snprintf(c->what, sizeof(c->what),
		 "%s %s stream, level %d, window %d, strategy %d, %zu -> %zu "
		 "bytes%s%s", z->name,
		 c->fmt == 0 ? "raw" : c->fmt == 1 ? "zlib" : "gzip", lv,
		 c->wbits, strat, c->plen, c->zlen,
		 c->dict_len ? ", dictionary" : "", h.extra ? ", header" : "");
}

/* Adds a second member, garbage, or damage. */
static void spoil(struct cstream *c)
{
	size_t k = rn(100);

	if (k < 8 && c->fmt == 2) {
		/* a second member: copy of the first */
		memcpy(c->z + c->zlen, c->z, c->zlen < 1024 ? c->zlen : 1024);
		c->zlen += c->zlen < 1024 ? c->zlen : 1024;
		strcat(c->what, ", more after it");
	} else if (k < 14) {
		size_t n = 1 + rn(40);

		for (size_t i = 0; i < n; i++)
			c->z[c->zlen + i] = (unsigned char)rnd();
		c->zlen += n;
		strcat(c->what, ", garbage after it");
	} else if (k < 30 && c->zlen) {
		size_t at = rn(c->zlen);

		c->z[at] ^= (unsigned char)(1u << rn(8));
		snprintf(c->what + strlen(c->what),
			 sizeof(c->what) - strlen(c->what), ", bit flip at %zu",
			 at);
	} else if (k < 38 && c->zlen) {
		size_t at = rn(c->zlen);

		c->z[at] = (unsigned char)rnd();
		snprintf(c->what + strlen(c->what),
			 sizeof(c->what) - strlen(c->what), ", byte at %zu",
			 at);
	} else if (k < 46 && c->zlen) {
		c->zlen = rn(c->zlen);
		snprintf(c->what + strlen(c->what),
			 sizeof(c->what) - strlen(c->what),
			 ", truncated to %zu", c->zlen);
	} else if (k < 52 && c->zlen > 2 && c->fmt == 1) {
		/* the header: window, method, check, FDICT */
		static const unsigned char bytes[] = {
			0x78, 0x9c, 0x08, 0x1d, 0x58, 0x85, 0x28, 0x89,
			0x79, 0x9c, 0x78, 0xbb, 0x88, 0x98,
		};
		size_t i = rn(7) * 2;

		c->z[0] = bytes[i];
		c->z[1] = bytes[i + 1];
		strcat(c->what, ", other header");
	} else if (k < 58 && c->zlen > 8) {
		c->z[c->zlen - 1 - rn(8)] ^= 0x40;
		strcat(c->what, ", damaged trailer");
	}
}

static int pick_iwbits(const struct cstream *c)
{
	int k = (int)rn(100);

	if (k < 50)
		return c->fmt == 0 ? -15 : c->fmt == 1 ? 15 : 31;
	if (k < 62)
		return c->fmt == 0 ? -15 : 47;
	if (k < 68)
		return c->fmt == 0 ? -c->wbits : c->fmt == 1 ? 0 : 16;
	if (k < 72)
		return 32;
	if (k < 82)	/* a window that may be too small */
		return c->fmt == 0 ? -8 - (int)rn(8) : c->fmt == 1 ?
		       8 + (int)rn(8) : 24 + (int)rn(8);
	if (k < 95) {	/* another format */
		static const int w[] = { 15, -15, 31, 47, 0, 16 };

		return w[rn(6)];
	}
	{
		static const int bad[] = { 7, -7, -16, 48, 17, 33, 1 };

		return bad[rn(7)];
	}
}

static unsigned long n_inflate, n_inflate_calls;

static bool same_field(const Bytef *p, const Bytef *q, uInt max)
{
	return (!p) == (!q) && (!p || !memcmp(p, q, max));
}

static void compare_head(const gz_header *h0, const gz_header *h1)
{
	if (h0->done != h1->done || h0->text != h1->text ||
	    h0->time != h1->time || h0->xflags != h1->xflags ||
	    h0->os != h1->os || h0->extra_len != h1->extra_len ||
	    h0->hcrc != h1->hcrc ||
	    !same_field(h0->extra, h1->extra, h0->extra_max) ||
	    !same_field(h0->name, h1->name, h0->name_max) ||
	    !same_field(h0->comment, h1->comment, h0->comm_max))
		diff("inflateGetHeader: the gzip headers differ (done %d, %d)",
		     h0->done, h1->done);
}

static void inflate_scenario(void)
{
	struct side a, b;
	struct side *x[2] = { &a, &b };
	struct cstream c;
	int wb, r[2];
	unsigned long steps = 0, stuck = 0, max_steps = 40 + rn(400);
	gz_header head[2];
	unsigned char hbuf[2][3][64];
	bool use_head = false;
	bool dt = !opt_device;
	bool sync_ok;

	cur_scenario = "inflate";
	n_inflate++;
	make_cstream(&c, opt_device && chance(40) ? &zshim : &zreal);
	spoil(&c);
	wb = pick_iwbits(&c);
	sync_ok = !(wb == 0 || wb == 16 || wb == 32);
	step("%s; inflateInit2(%d)", c.what, wb);
	side_init(&a, &zreal);
	side_init(&b, &zshim);
	for (int i = 0; i < 2; i++) {
		x[i]->in = c.z;
		x[i]->in_len = c.zlen;
		if (chance(50))
			x[i]->s.adler = 0x12345678;	/* raw leaves it */
		r[i] = x[i]->z->inflateInit2_(&x[i]->s, wb, ZLIB_VERSION,
					       (int)sizeof(z_stream));
		x[i]->live = r[i] == Z_OK;
	}
	b.s.adler = a.s.adler;
	if (r[0] != r[1])
		diff("inflateInit2(%d) returned %s (zlib) and %s (shim)", wb,
		     ret_name(r[0]), ret_name(r[1]));
	if (r[0] != Z_OK)
		goto out;
	if (chance(10)) {
		use_head = true;
		memset(head, 0, sizeof(head));
		memset(hbuf, 0, sizeof(hbuf));
		for (int i = 0; i < 2; i++) {
			head[i].extra = hbuf[i][0];
			head[i].extra_max = 4 + (uInt)rn(60);
			head[i].name = hbuf[i][1];
			head[i].name_max = 4 + (uInt)rn(60);
			head[i].comment = hbuf[i][2];
			head[i].comm_max = 4 + (uInt)rn(60);
		}
		head[1].extra_max = head[0].extra_max;
		head[1].name_max = head[0].name_max;
		head[1].comm_max = head[0].comm_max;
		step("inflateGetHeader");
		for (int i = 0; i < 2; i++)
			r[i] = x[i]->z->inflateGetHeader(&x[i]->s, &head[i]);
		if (r[0] != r[1])
			diff("inflateGetHeader returned %s (zlib) and %s (shim)",
			     ret_name(r[0]), ret_name(r[1]));
	}
	if (wb < 0 && c.prime_bits) {
		for (int i = 0; i < 2; i++)
			r[i] = x[i]->z->inflatePrime(&x[i]->s, c.prime_bits,
						     c.prime_value);
	}
	if (wb < 0 && c.dict_len && chance(80)) {
		step("inflateSetDictionary(%zu) (raw)", c.dict_len);
		for (int i = 0; i < 2; i++)
			r[i] = x[i]->z->inflateSetDictionary(&x[i]->s, c.dict,
							     (uInt)c.dict_len);
		if (r[0] != r[1])
			diff("inflateSetDictionary returned %s (zlib) and %s "
			     "(shim)", ret_name(r[0]), ret_name(r[1]));
	}

	while (steps++ < max_steps && stuck < 8) {
		int k = (int)rn(100);

		if (k < 80) {
			static const int fl[] = {
				Z_NO_FLUSH, Z_NO_FLUSH, Z_NO_FLUSH, Z_SYNC_FLUSH,
				Z_FINISH, Z_NO_FLUSH, Z_SYNC_FLUSH, Z_BLOCK,
				Z_TREES, Z_PARTIAL_FLUSH,
			};
			int f = fl[rn(chance(85) ? 7 : 10)];
			size_t ain, aout = pick_size(chance(30) ? 300 :
						     c.plen + 100);
			bool null_in = chance(2);
			char call[96];

			if (chance(1))
				f = chance(50) ? 7 : -1;
			ain = chance(25) ? a.s.avail_in :
			      pick_size(in_left(&a));
			if (ain > in_left(&a))
				ain = in_left(&a);
			snprintf(call, sizeof(call),
				 "inflate(%s) in %zu out %zu%s",
				 flush_name(f), ain, aout,
				 null_in && !ain ? " next_in NULL" : "");
			step("%s", call);
			n_inflate_calls++;
			for (int i = 0; i < 2; i++) {
				prep_call(x[i], ain, aout, null_in);
				r[i] = x[i]->z->inflate(&x[i]->s, f);
			}
			compare(call, &a, r[0], &b, r[1], aout, dt);
			took(&a, aout);
			took(&b, aout);
			if (use_head)
				compare_head(&head[0], &head[1]);
			if (a.s.avail_out == aout && ain == a.s.avail_in)
				stuck++;
			else
				stuck = 0;
			if (r[0] == Z_NEED_DICT) {
				bool right = chance(85) && c.dict_len;
				unsigned char wrong[16] = "wrong";

				step("inflateSetDictionary(%s)",
				     right ? "right" : "wrong");
				for (int i = 0; i < 2; i++)
					r[i] = x[i]->z->inflateSetDictionary(
						&x[i]->s,
						right ? c.dict : wrong,
						right ? (uInt)c.dict_len : 5);
				if (r[0] != r[1] || !same_str(a.s.msg, b.s.msg)
				    || a.s.adler != b.s.adler)
					diff("inflateSetDictionary returned %s "
					     "(zlib) and %s (shim)",
					     ret_name(r[0]), ret_name(r[1]));
			}
			if (r[0] == Z_STREAM_END && in_left(&a) &&
			    chance(50)) {
				step("inflateReset for what follows");
				for (int i = 0; i < 2; i++)
					r[i] = x[i]->z->inflateReset(&x[i]->s);
				if (r[0] != r[1] || a.s.adler != b.s.adler)
					diff("inflateReset differs");
			}
			if (r[0] == Z_DATA_ERROR && chance(50) && sync_ok) {
				step("inflateSync");
				for (int i = 0; i < 2; i++) {
					prep_call(x[i], in_left(x[i]), 0,
						  false);
					r[i] = x[i]->z->inflateSync(&x[i]->s);
				}
				compare("inflateSync", &a, r[0], &b, r[1], 0,
					dt);
			}
			continue;
		}
		if (k < 84) {
			long m[2];

			for (int i = 0; i < 2; i++)
				m[i] = x[i]->z->inflateMark(&x[i]->s);
			step("inflateMark: %ld, %ld", m[0], m[1]);
			if (m[0] != m[1])
				diff("inflateMark is %ld (zlib) and %ld (shim)",
				     m[0], m[1]);
			continue;
		}
		if (k < 86) {
			unsigned long u[2];

			for (int i = 0; i < 2; i++)
				u[i] = x[i]->z->inflateCodesUsed(&x[i]->s);
			for (int i = 0; i < 2; i++)
				r[i] = x[i]->z->inflateSyncPoint(&x[i]->s);
			step("inflateCodesUsed: %lu, %lu; inflateSyncPoint: "
			     "%d, %d", u[0], u[1], r[0], r[1]);
			if (u[0] != u[1] || r[0] != r[1])
				diff("inflateCodesUsed or inflateSyncPoint "
				     "differ");
			continue;
		}
		if (k < 88) {
			static unsigned char d[2][1 << 17];
			uInt dl[2] = { 0, 0 };

			for (int i = 0; i < 2; i++)
				r[i] = x[i]->z->inflateGetDictionary(&x[i]->s,
								     d[i],
								     &dl[i]);
			step("inflateGetDictionary: %s %u, %s %u",
			     ret_name(r[0]), dl[0], ret_name(r[1]), dl[1]);
			if (r[0] != r[1] || dl[0] != dl[1] ||
			    memcmp(d[0], d[1], dl[0]))
				diff("inflateGetDictionary: %s, %u bytes (zlib) "
				     "and %s, %u bytes (shim)%s",
				     ret_name(r[0]), dl[0], ret_name(r[1]),
				     dl[1], dl[0] == dl[1] ? ", other bytes" :
				     "");
			continue;
		}
		if (k < 90 && sync_ok) {
			size_t n = pick_size(in_left(&a));

			step("inflateSync, in %zu", n);
			for (int i = 0; i < 2; i++) {
				prep_call(x[i], n, 0, false);
				r[i] = x[i]->z->inflateSync(&x[i]->s);
			}
			compare("inflateSync", &a, r[0], &b, r[1], 0, dt);
			continue;
		}
		if (k < 92) {
			copy_both(x, false);
			continue;
		}
		if (k < 94) {
			int v = chance(50);

			step("inflateValidate(%d)", v);
			for (int i = 0; i < 2; i++)
				r[i] = x[i]->z->inflateValidate(&x[i]->s, v);
			if (r[0] != r[1])
				diff("inflateValidate returned %s (zlib) and "
				     "%s (shim)", ret_name(r[0]),
				     ret_name(r[1]));
			continue;
		}
		if (k < 96) {
			int w2 = chance(50) ? wb : pick_iwbits(&c);
			bool to0 = chance(50);

			step("inflateReset2(%d)%s", w2,
			     to0 ? ", input from the start" : "");
			/*
			 * zlib 1.2.13 overflows its heap when inflateSync()
			 * makes a stream raw before the header set its window
			 * from windowBits 0 (16, 32): never ask it to
			 */
			sync_ok = !(w2 == 0 || w2 == 16 || w2 == 32);
			for (int i = 0; i < 2; i++) {
				r[i] = x[i]->z->inflateReset2(&x[i]->s, w2);
				if (to0) {
					x[i]->s.next_in = (Bytef *)c.z;
					x[i]->s.avail_in = 0;
				}
			}
			if (r[0] != r[1] || a.s.adler != b.s.adler ||
			    !same_str(a.s.msg, b.s.msg) ||
			    a.s.total_in != b.s.total_in)
				diff("inflateReset2(%d): %s (zlib) and %s "
				     "(shim)", w2, ret_name(r[0]),
				     ret_name(r[1]));
			continue;
		}
		if (k < 97 && wb < 0) {
			int bits = 1 + (int)rn(16), v = (int)rn(1u << bits);

			if (chance(10))
				bits = -1;
			step("inflatePrime(%d, %d)", bits, v);
			for (int i = 0; i < 2; i++)
				r[i] = x[i]->z->inflatePrime(&x[i]->s, bits, v);
			if (r[0] != r[1])
				diff("inflatePrime returned %s (zlib) and %s "
				     "(shim)", ret_name(r[0]), ret_name(r[1]));
			continue;
		}
	}
	for (int i = 0; i < 2; i++)
		r[i] = x[i]->z->inflateEnd(&x[i]->s);
	step("inflateEnd: %s, %s", ret_name(r[0]), ret_name(r[1]));
	if (r[0] != r[1])
		diff("inflateEnd returned %s (zlib) and %s (shim)",
		     ret_name(r[0]), ret_name(r[1]));
	a.live = b.live = false;
out:
	for (int i = 0; i < 2; i++) {
		if (x[i]->live)
			x[i]->z->inflateEnd(&x[i]->s);
		side_free(x[i]);
	}
	free(c.z);
	free(c.plain);
}

/* ---- whole buffers ---- */

static unsigned long n_oneshot;

static void oneshot_scenario(void)
{
	size_t len = pick_size(opt_max);
	unsigned char *plain = xmalloc(len), *z[2], *o[2];
	uLong zb[2], zl[2], ol[2], sl[2];
	int lv = pick_level(), r[2];
	struct cstream c;

	cur_scenario = "compress/uncompress";
	n_oneshot++;
	gen_data(plain, len);
	zb[0] = compressBound(len);
	zb[1] = zshim.compressBound(len);
	step("compressBound(%zu): %lu, %lu", len, zb[0], zb[1]);
	if (zb[0] != zb[1])
		diff("compressBound(%zu) is %lu (zlib) and %lu (shim)", len,
		     zb[0], zb[1]);
	for (int i = 0; i < 2; i++) {
		z[i] = xmalloc(zb[0] + 16);
		memset(z[i], CANARY, zb[0] + 16);
	}
	zl[0] = zl[1] = chance(70) ? zb[0] : pick_size(zb[0] + 16);
	step("compress2(%zu bytes, level %d, room %lu)", len, lv, zl[0]);
	if (chance(10) && lv == -1) {
		r[0] = compress(z[0], &zl[0], plain, len);
		r[1] = zshim.compress(z[1], &zl[1], plain, len);
	} else {
		r[0] = compress2(z[0], &zl[0], plain, len, lv);
		r[1] = zshim.compress2(z[1], &zl[1], plain, len, lv);
	}
	if (!opt_device) {
		if (r[0] != r[1] || zl[0] != zl[1] ||
		    memcmp(z[0], z[1], zb[0] + 16))
			diff("compress2 returned %s, %lu bytes (zlib) and %s, "
			     "%lu bytes (shim)", ret_name(r[0]), zl[0],
			     ret_name(r[1]), zl[1]);
	} else {
		uLong n = len + 1;
		unsigned char *chk = xmalloc(n);

		if (r[0] != r[1] && !(r[0] == Z_OK && r[1] == Z_BUF_ERROR &&
				      zl[1] < zb[0]) &&
		    !(r[1] == Z_OK && r[0] == Z_BUF_ERROR))
			diff("compress2 returned %s (zlib) and %s (shim)",
			     ret_name(r[0]), ret_name(r[1]));
		if (r[1] == Z_OK &&
		    (uncompress(chk, &n, z[1], zl[1]) != Z_OK || n != len ||
		     memcmp(chk, plain, len)))
			diff("compress2: the shim's output does not inflate");
		free(chk);
	}
	for (int i = 0; i < 2; i++) {
		free(z[i]);
	}

	/* uncompress: exact in both modes */
	make_cstream(&c, &zreal);
	if (c.fmt != 1 || c.dict_len) {
		free(c.z);
		free(c.plain);
		free(plain);
		return;
	}
	spoil(&c);
	for (int i = 0; i < 2; i++) {
		ol[i] = chance(80) ? c.plen : pick_size(c.plen + 10);
		o[i] = xmalloc(c.plen + 16);
		memset(o[i], CANARY, c.plen + 16);
		sl[i] = c.zlen;
	}
	ol[1] = ol[0];
	step("uncompress2(%s, room %lu)", c.what, ol[0]);
	if (chance(20)) {
		r[0] = uncompress(o[0], &ol[0], c.z, c.zlen);
		r[1] = zshim.uncompress(o[1], &ol[1], c.z, c.zlen);
	} else {
		r[0] = uncompress2(o[0], &ol[0], c.z, &sl[0]);
		r[1] = zshim.uncompress2(o[1], &ol[1], c.z, &sl[1]);
	}
	if (r[0] != r[1] || ol[0] != ol[1] || sl[0] != sl[1] ||
	    memcmp(o[0], o[1], c.plen + 16))
		diff("uncompress2 returned %s, %lu out, %lu in (zlib) and %s, "
		     "%lu out, %lu in (shim)", ret_name(r[0]), ol[0], sl[0],
		     ret_name(r[1]), ol[1], sl[1]);
	for (int i = 0; i < 2; i++)
		free(o[i]);
	free(c.z);
	free(c.plain);
	free(plain);
}

/* ---- main ---- */

static bool device_present(void)
{
	DIR *d = opendir("/sys/class/uacce");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "vzip", 4))
			found = true;
	closedir(d);
	return found;
}

static char *default_lib(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 64);
	char *slash;

	if (n <= 0)
		return "libwdz.so.1";
	path[n] = 0;
	slash = strrchr(path, '/');
	strcpy(slash ? slash + 1 : path, "../lib/libwdz.so.1");
	return path;
}

int main(int argc, char **argv)
{
	const char *lib = NULL, *mode = NULL, *pol = getenv("WD_POLICY");
	struct timespec t0, t1;
	unsigned long i;

	for (int k = 1; k < argc; k++) {
		const char *o = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;

		if (!strcmp(o, "-v")) {
			opt_verbose = true;
			continue;
		}
		if (!v) {
			fprintf(stderr, "usage: see the top of zdiff_test.c\n");
			return 2;
		}
		k++;
		if (!strcmp(o, "--seed"))
			opt_seed = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--iterations")) {
			opt_iterations = strtoul(v, NULL, 0);
			opt_iterations_given = true;
		}
		else if (!strcmp(o, "--first"))
			opt_first = strtoul(v, NULL, 0);
		else if (!strcmp(o, "--seconds"))
			opt_seconds = strtod(v, NULL);
		else if (!strcmp(o, "--mode"))
			mode = v;
		else if (!strcmp(o, "--lib"))
			lib = v;
		else if (!strcmp(o, "--max-size"))
			opt_max = strtoul(v, NULL, 0);
		else {
			fprintf(stderr, "unknown option %s\n", o);
			return 2;
		}
	}
	if (mode)
		opt_device = !strcmp(mode, "device");
	else
		opt_device = (pol && !strcmp(pol, "hw")) ||
			     (device_present() && !(pol && !strcmp(pol, "sw")));
	load_apis(lib ? lib : default_lib());
	printf("TAP version 13\n");
	if (opt_seconds <= 0)
		opt_iterations_given = true;
	if (opt_iterations_given && opt_seconds > 0)
		tap_diag("seed %" PRIu64 ", %s mode, iterations %lu or %g "
			 "seconds, sizes up to %zu", opt_seed,
			 opt_device ? "device" : "exact", opt_iterations,
			 opt_seconds, opt_max);
	else
		tap_diag("seed %" PRIu64 ", %s mode, %s %lu%s, sizes up to %zu",
			 opt_seed, opt_device ? "device" : "exact",
			 opt_seconds > 0 ? "for" : "iterations",
			 opt_seconds > 0 ? (unsigned long)opt_seconds :
			 opt_iterations, opt_seconds > 0 ? " seconds" : "",
			 opt_max);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = opt_first; ; i++) {
		if (opt_iterations_given && i - opt_first >= opt_iterations)
			break;
		if (opt_seconds > 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if (t1.tv_sec - t0.tv_sec +
			    (t1.tv_nsec - t0.tv_nsec) / 1e9 >= opt_seconds)
				break;
		}
		cur_iter = i;
		cur_seed = mix64(opt_seed * 0x9e3779b97f4a7c15ull + i);
		rstate = cur_seed;
		nsteps = 0;
		if (opt_verbose)
			tap_diag("iteration %lu", i);
		switch (rn(10)) {
		case 0:
		case 1:
		case 2:
		case 3:
			deflate_scenario();
			break;
		case 4:
			oneshot_scenario();
			break;
		default:
			inflate_scenario();
			break;
		}
	}
	tap_ok(1, "deflate: %lu streams, %lu calls, no difference from zlib",
	       n_deflate, n_deflate_calls);
	tap_ok(1, "inflate: %lu streams, %lu calls, no difference from zlib",
	       n_inflate, n_inflate_calls);
	tap_ok(1, "compress/uncompress: %lu rounds, no difference from zlib",
	       n_oneshot);
	tap_diag("%lu iterations from %lu", i - opt_first, opt_first);
	return tap_done();
}
