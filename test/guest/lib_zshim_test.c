// SPDX-License-Identifier: GPL-2.0
/*
 * libwdz.so against the real zlib.  This is an ordinary zlib program,
 * linked with -lz and run with LD_PRELOAD=libwdz.so: every zlib call it
 * makes by name goes to the shim.  The system's zlib, reached by dlsym()
 * on libz.so.1, checks what the shim produces and produces what the shim
 * must read, for every flush mode, format and odd buffer size (down to
 * one byte), and the return codes of the calls are compared with zlib's.
 *
 * On the host the shim runs its streams on the real zlib (no device); in
 * the guest, with WD_POLICY=hw WD_SW_THRESHOLD=0, on vzip.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "tap.h"

/* The real zlib's functions. */
static struct {
	int (*deflateInit2_)(z_streamp, int, int, int, int, int, const char *,
			     int);
	int (*deflate)(z_streamp, int);
	int (*deflateEnd)(z_streamp);
	int (*deflateSetDictionary)(z_streamp, const Bytef *, uInt);
	int (*deflateGetDictionary)(z_streamp, Bytef *, uInt *);
	int (*deflateParams)(z_streamp, int, int);
	int (*inflateInit2_)(z_streamp, int, const char *, int);
	int (*inflate)(z_streamp, int);
	int (*inflateEnd)(z_streamp);
	int (*inflateSetDictionary)(z_streamp, const Bytef *, uInt);
	int (*inflateSync)(z_streamp);
	int (*inflateReset2)(z_streamp, int);
	int (*compress2)(Bytef *, uLongf *, const Bytef *, uLong, int);
	int (*uncompress2)(Bytef *, uLongf *, const Bytef *, uLong *);
	uLong (*compressBound)(uLong);
	uLong (*crc32)(uLong, const Bytef *, uInt);
	uLong (*adler32)(uLong, const Bytef *, uInt);
	uLong (*crc32_combine)(uLong, uLong, z_off_t);
	const char *(*zlibVersion)(void);
} real;

static bool load_real(void)
{
	void *h = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return false;
#define L(f) real.f = (__typeof__(real.f))dlsym(h, #f)
	L(deflateInit2_); L(deflate); L(deflateEnd); L(deflateSetDictionary);
	L(deflateGetDictionary); L(deflateParams);
	L(inflateInit2_); L(inflate); L(inflateEnd); L(inflateSetDictionary);
	L(inflateSync); L(inflateReset2);
	L(compress2); L(uncompress2); L(compressBound); L(crc32);
	L(adler32); L(crc32_combine); L(zlibVersion);
#undef L
	return real.deflate && real.inflate && real.uncompress2;
}

static unsigned char *make_data(size_t len, unsigned int seed, bool random)
{
	static const char *const words[] = {
		"zlib ", "shim ", "queue ", "and ", "the ", "inflate\n",
		"deflate ", "window ", "42 ", "block ",
	};
	unsigned char *p = malloc(len ? len : 1);
	size_t i = 0;

	while (i < len) {
		const char *w;

		seed = seed * 1103515245 + 12345;
		if (random) {
			p[i++] = (unsigned char)(seed >> 16);
			continue;
		}
		w = words[(seed >> 16) % 10];
		while (*w && i < len)
			p[i++] = (unsigned char)*w++;
	}
	return p;
}

/* Real inflate of @comp; true if it is exactly @ref, all input used. */
static bool real_check(int wbits, const unsigned char *comp, size_t clen,
		       const unsigned char *ref, size_t len)
{
	unsigned char *out = malloc(len + 1);
	z_stream z = { 0 };
	bool ok;
	int ret;

	real.inflateInit2_(&z, wbits, ZLIB_VERSION, (int)sizeof(z));
	z.next_in = (Bytef *)comp;
	z.avail_in = (uInt)clen;
	z.next_out = out;
	z.avail_out = (uInt)len + 1;
	ret = real.inflate(&z, Z_FINISH);
	ok = ret == Z_STREAM_END && z.total_out == len && !z.avail_in &&
	     !memcmp(out, ref, len);
	real.inflateEnd(&z);
	free(out);
	return ok;
}

static unsigned char *real_deflate(int wbits, int level, const void *src,
				   size_t len, size_t *clen)
{
	z_stream z = { 0 };
	unsigned char *out;

	real.deflateInit2_(&z, level, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY,
			   ZLIB_VERSION, (int)sizeof(z));
	*clen = len + len / 100 + 1024;
	out = malloc(*clen);
	z.next_in = (Bytef *)src;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)*clen;
	real.deflate(&z, Z_FINISH);
	*clen = z.total_out;
	real.deflateEnd(&z);
	return out;
}

static const char *flush_name(int f)
{
	static const char *const n[] = { "NO", "PARTIAL", "SYNC", "FULL",
					 "FINISH", "BLOCK" };

	return n[f];
}

/*
 * Deflates through the shim with @flush after every @in_step bytes
 * (Z_FINISH at the end) and @out_step bytes of room per call, as a zlib
 * program must: call again while avail_out is 0.
 */
static bool shim_deflate(int wbits, int level, int flush, size_t len,
			 size_t in_step, size_t out_step)
{
	unsigned char *data = make_data(len, (unsigned int)(in_step * 7 + flush),
					false);
	size_t cap = len + len / 50 + 4096, n = 0, pos = 0;
	unsigned char *out = malloc(cap);
	z_stream z = { 0 };
	bool ok = deflateInit2(&z, level, Z_DEFLATED, wbits, 8,
			       Z_DEFAULT_STRATEGY) == Z_OK;
	int ret = Z_OK;
	long guard = 0;

	while (ok && ret != Z_STREAM_END) {
		/* Z_FINISH ends the stream: it comes with all the input */
		size_t take = flush == Z_FINISH || len - pos < in_step ?
			      len - pos : in_step;
		int f = pos + take == len ? Z_FINISH : flush;

		z.next_in = data + pos;
		z.avail_in = (uInt)take;
		do {
			size_t room = cap - n < out_step ? cap - n : out_step;

			z.next_out = out + n;
			z.avail_out = (uInt)room;
			ret = deflate(&z, f);
			n += room - z.avail_out;
			if (ret != Z_OK && ret != Z_STREAM_END &&
			    ret != Z_BUF_ERROR) {
				tap_diag("deflate: %d (%s)", ret,
					 z.msg ? z.msg : "");
				ok = false;
			}
			if (++guard > 100000000)
				ok = false;
		} while (ok && (z.avail_in || !z.avail_out) &&
			 ret != Z_STREAM_END);
		pos += take;
	}
	ok = ok && z.total_in == len && z.total_out == n &&
	     real_check(wbits, out, n, data, len);
	if (ok && wbits > 0)
		ok = z.adler == (wbits > 15 ?
				 real.crc32(real.crc32(0, NULL, 0), data,
					    (uInt)len) :
				 real.adler32(real.adler32(0, NULL, 0), data,
					      (uInt)len));
	deflateEnd(&z);
	free(data);
	free(out);
	return ok;
}

/* Inflates real zlib's output through the shim, @in/@out_step per call. */
static bool shim_inflate(int wbits, int auto_wbits, size_t len,
			 size_t in_step, size_t out_step, int flush)
{
	unsigned char *data = make_data(len, (unsigned int)len, false);
	size_t clen, ipos = 0, opos = 0;
	unsigned char *comp = real_deflate(wbits, 6, data, len, &clen);
	unsigned char *out = malloc(len + 1);
	z_stream z = { 0 };
	bool ok = inflateInit2(&z, auto_wbits) == Z_OK;
	int ret = Z_OK;
	long guard = 0;

	while (ok && ret != Z_STREAM_END) {
		size_t ain = clen - ipos < in_step ? clen - ipos : in_step;
		size_t aout = len + 1 - opos < out_step ?
			      len + 1 - opos : out_step;

		z.next_in = comp + ipos;
		z.avail_in = (uInt)ain;
		z.next_out = out + opos;
		z.avail_out = (uInt)aout;
		ret = inflate(&z, flush);
		ipos += ain - z.avail_in;
		opos += aout - z.avail_out;
		if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR) {
			tap_diag("inflate: %d (%s)", ret, z.msg ? z.msg : "");
			ok = false;
		}
		if (ret == Z_BUF_ERROR && ipos == clen && flush != Z_FINISH)
			ok = false;	/* stuck before the end */
		if (++guard > 100000000)
			ok = false;
	}
	ok = ok && opos == len && ipos == clen && !memcmp(out, data, len) &&
	     z.total_out == len && z.total_in == clen;
	inflateEnd(&z);
	free(data);
	free(comp);
	free(out);
	return ok;
}

static void test_streams(void)
{
	static const int wbits[] = { 15, 31, -15 };
	static const char *const names[] = { "zlib", "gzip", "raw" };

	for (int w = 0; w < 3; w++) {
		for (int f = Z_NO_FLUSH; f <= Z_BLOCK; f++) {
			/* zlib's rule: more than 6 bytes of room with flushes */
			size_t room = f == Z_NO_FLUSH || f == Z_FINISH ? 1 : 7;

			tap_ok(shim_deflate(wbits[w], 6, f, 60000, 4096, 65536),
			       "deflate %s, Z_%s_FLUSH every 4096 bytes",
			       names[w], flush_name(f));
			tap_ok(shim_deflate(wbits[w], 6, f, 20000, 1000, room),
			       "deflate %s, Z_%s_FLUSH, %zu-byte output buffers",
			       names[w], flush_name(f), room);
		}
		tap_ok(shim_deflate(wbits[w], 1, Z_NO_FLUSH, 30000, 1, 4096),
		       "deflate %s, 1-byte input buffers", names[w]);
		tap_ok(shim_deflate(wbits[w], 9, Z_NO_FLUSH, 3 << 20, 1 << 20,
				    1 << 20),
		       "deflate %s level 9, 3 MiB in 1 MiB calls", names[w]);
		tap_ok(shim_inflate(wbits[w], wbits[w], 150000, 1 << 20,
				    1 << 20, Z_NO_FLUSH),
		       "inflate %s in one call", names[w]);
		tap_ok(shim_inflate(wbits[w], wbits[w], 30000, 1, 1,
				    Z_NO_FLUSH),
		       "inflate %s, 1-byte input and output", names[w]);
		tap_ok(shim_inflate(wbits[w], wbits[w], 100000, 777, 5000,
				    Z_SYNC_FLUSH),
		       "inflate %s, Z_SYNC_FLUSH, odd buffer sizes", names[w]);
		tap_ok(shim_inflate(wbits[w], wbits[w], 100000, 1 << 20, 3000,
				    Z_FINISH),
		       "inflate %s, Z_FINISH with small output", names[w]);
	}
	tap_ok(shim_inflate(31, 47, 50000, 4096, 4096, Z_NO_FLUSH) &&
	       shim_inflate(15, 47, 50000, 4096, 4096, Z_NO_FLUSH) &&
	       shim_inflate(15, 0, 50000, 4096, 4096, Z_NO_FLUSH),
	       "inflate with windowBits 47 (auto) and 0 (from the header)");
	for (int level = 1; level <= 9; level++)
		if (!shim_deflate(31, level, Z_NO_FLUSH, 100000, 65536, 65536))
			tap_ok(0, "deflate gzip level %d", level);
	tap_ok(1, "deflate gzip at levels 1-9");
}

/* Return codes of misuse, as zlib's. */
static void test_codes(void)
{
	unsigned char buf[256], out[256];
	z_stream z = { 0 }, r = { 0 };
	int ret, rret;

	tap_ok(deflateInit2(&z, 10, Z_DEFLATED, 15, 8, 0) == Z_STREAM_ERROR &&
	       deflateInit2(&z, 6, 7, 15, 8, 0) == Z_STREAM_ERROR &&
	       deflateInit2(&z, 6, Z_DEFLATED, 7, 8, 0) == Z_STREAM_ERROR &&
	       deflateInit2(&z, 6, Z_DEFLATED, -8, 8, 0) == Z_STREAM_ERROR &&
	       deflateInit2(&z, 6, Z_DEFLATED, 15, 0, 0) == Z_STREAM_ERROR &&
	       deflateInit2(&z, 6, Z_DEFLATED, 15, 8, 5) == Z_STREAM_ERROR &&
	       deflateInit2_(&z, 6, Z_DEFLATED, 15, 8, 0, "2.0", sizeof(z)) ==
	       Z_VERSION_ERROR &&
	       inflateInit2(&z, 7) == Z_STREAM_ERROR &&
	       inflateInit2(&z, 48) == Z_STREAM_ERROR,
	       "bad parameters: zlib's return codes");
	/*
	 * zlib leaves no state after a refused inflateInit2(), so that the
	 * usual cleanup's inflateEnd() is refused too: not a state left as
	 * the caller's stack had it
	 */
	memset(&z, 0x5a, sizeof(z));
	z.zalloc = Z_NULL;
	z.zfree = Z_NULL;
	z.opaque = Z_NULL;
	ret = inflateInit2(&z, 5);
	tap_ok(ret == Z_STREAM_ERROR && !z.state &&
	       inflateEnd(&z) == Z_STREAM_ERROR,
	       "inflateEnd() after a refused inflateInit2(): Z_STREAM_ERROR, as zlib (%d, state %p)",
	       ret, (void *)z.state);
	memset(&z, 0, sizeof(z));

	memset(buf, 'a', sizeof(buf));
	deflateInit(&z, 6);
	real.deflateInit2_(&r, 6, Z_DEFLATED, 15, 8, 0, ZLIB_VERSION,
			   sizeof(r));
	z.next_in = r.next_in = buf;
	z.avail_in = r.avail_in = sizeof(buf);
	z.next_out = r.next_out = out;
	z.avail_out = r.avail_out = 0;
	ret = deflate(&z, Z_NO_FLUSH);
	rret = real.deflate(&r, Z_NO_FLUSH);
	tap_ok(ret == rret && ret == Z_BUF_ERROR,
	       "deflate with no room: Z_BUF_ERROR as zlib (%d, %d)", ret, rret);
	z.avail_out = r.avail_out = sizeof(out);
	ret = deflate(&z, Z_FINISH);
	rret = real.deflate(&r, Z_FINISH);
	tap_ok(ret == rret && ret == Z_STREAM_END, "then Z_FINISH: Z_STREAM_END");
	ret = deflate(&z, Z_NO_FLUSH);
	rret = real.deflate(&r, Z_NO_FLUSH);
	tap_ok(ret == rret, "Z_NO_FLUSH after the end: as zlib (%d, %d)", ret,
	       rret);
	ret = deflateEnd(&z);
	rret = real.deflateEnd(&r);
	tap_ok(ret == rret && ret == Z_OK, "deflateEnd after the end: Z_OK");
	tap_ok(deflate(NULL, Z_FINISH) == Z_STREAM_ERROR &&
	       inflate(NULL, Z_FINISH) == Z_STREAM_ERROR &&
	       deflateEnd(NULL) == Z_STREAM_ERROR,
	       "NULL streams: Z_STREAM_ERROR");

	/* corrupt data */
	memset(buf, 0xff, 64);
	inflateInit(&z);
	z.next_in = buf;
	z.avail_in = 64;
	z.next_out = out;
	z.avail_out = sizeof(out);
	ret = inflate(&z, Z_NO_FLUSH);
	tap_ok(ret == Z_DATA_ERROR && z.msg, "corrupt input: Z_DATA_ERROR with a message");
	inflateEnd(&z);
}

/*
 * A stream that ended, then asked for its dictionary and primed (calls
 * only zlib serves, so a stream on the device moves there): a further
 * Z_FINISH writes nothing and answers Z_STREAM_END, as zlib's does, not a
 * second final block and trailer after the end.
 */
static void test_after_end(void)
{
	unsigned char *src = make_data(100000, 7, false), *dst = malloc(200000);
	unsigned char dict[32768];
	uInt dict_len = sizeof(dict);
	z_stream z = { 0 };
	uLong total = 0;
	int ret, r2 = -99, r3 = -99, g = -99, p = -99;

	ret = deflateInit(&z, 6);
	if (ret == Z_OK && src && dst) {
		z.next_in = src;
		z.avail_in = 100000;
		z.next_out = dst;
		z.avail_out = 200000;
		ret = deflate(&z, Z_FINISH);
		total = z.total_out;
		g = deflateGetDictionary(&z, dict, &dict_len);
		r2 = deflate(&z, Z_FINISH);
		p = deflatePrime(&z, 3, 5);
		r3 = deflate(&z, Z_FINISH);
	}
	tap_ok(ret == Z_STREAM_END && g == Z_OK && r2 == Z_STREAM_END &&
	       p == Z_OK && r3 == Z_STREAM_END && z.total_out == total,
	       "after the end, deflateGetDictionary() and deflatePrime(): Z_FINISH adds nothing, as zlib (%d %d %d %d %d, %lu then %lu bytes)",
	       ret, g, r2, p, r3, total, z.total_out);
	deflateEnd(&z);
	free(src);
	free(dst);
}

/*
 * A stream whose Z_FINISH had too little room (the device made the whole
 * stream, not all delivered yet), then asked for its dictionary (a move
 * to zlib): the rest comes, then Z_STREAM_END, and nothing after the
 * trailer.
 */
static void test_end_undelivered(void)
{
	unsigned char *src = make_data(100000, 17, false);
	unsigned char *out = malloc(200000), *back = malloc(100000);
	unsigned char dict[32768];
	uInt dict_len = sizeof(dict);
	uLong src_len = 0;
	uLongf back_len = 100000;
	z_stream z = { 0 };
	int first = -99, g = -99, ret = Z_OK, un = -99, calls = 0;

	if (!src || !out || !back || deflateInit(&z, 6)) {
		tap_ok(0, "an end not delivered: no memory, or no stream");
		goto out;
	}
	z.next_in = src;
	z.avail_in = 100000;
	z.next_out = out;
	z.avail_out = 1000;
	first = deflate(&z, Z_FINISH);
	g = deflateGetDictionary(&z, dict, &dict_len);
	while (ret == Z_OK && calls++ < 1000 && z.total_out < 190000) {
		z.avail_out = 1000;
		ret = deflate(&z, Z_FINISH);
	}
	src_len = z.total_out;
	un = real.uncompress2(back, &back_len, out, &src_len);
	tap_ok(first == Z_OK && g == Z_OK && ret == Z_STREAM_END && un == Z_OK &&
	       src_len == z.total_out && back_len == 100000 &&
	       !memcmp(back, src, 100000),
	       "Z_FINISH short of room, then deflateGetDictionary(): the rest, Z_STREAM_END, nothing after the trailer (%d %d %d; zlib read %lu of %lu bytes: %d)",
	       first, g, ret, src_len, z.total_out, un);
	deflateEnd(&z);
out:
	free(src);
	free(out);
	free(back);
}

/*
 * A gzip header given after the data began: zlib keeps it for the next
 * member (after deflateReset()), and refuses one given after the end.
 */
static void test_late_header(void)
{
	unsigned char *src = make_data(100000, 13, false);
	unsigned char *out = malloc(300000), *back = malloc(100000);
	char name[64] = "";
	gz_header h = { .name = (Bytef *)"late.txt", .os = 3 };
	gz_header got = { .name = (Bytef *)name, .name_max = sizeof(name) };
	z_stream z = { 0 }, d = { 0 };
	int mid = -99, end = -99, ret = -99, iret = -99;
	uLong first;

	if (!src || !out || !back ||
	    deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY)) {
		tap_ok(0, "a late gzip header: no memory, or no stream");
		goto out;
	}
	z.next_in = src;
	z.avail_in = 50000;
	z.next_out = out;
	z.avail_out = 300000;
	deflate(&z, Z_NO_FLUSH);
	mid = deflateSetHeader(&z, &h);
	z.avail_in = 50000;
	deflate(&z, Z_FINISH);
	end = deflateSetHeader(&z, &h);
	first = z.total_out;
	deflateReset(&z);
	z.next_in = src;
	z.avail_in = 100000;
	ret = deflate(&z, Z_FINISH);
	if (inflateInit2(&d, 31) == Z_OK) {
		inflateGetHeader(&d, &got);
		d.next_in = out + first;
		d.avail_in = (uInt)z.total_out;
		d.next_out = back;
		d.avail_out = 100000;
		iret = inflate(&d, Z_FINISH);
		inflateEnd(&d);
	}
	tap_ok(mid == Z_OK && end == Z_STREAM_ERROR && ret == Z_STREAM_END &&
	       iret == Z_STREAM_END && !strcmp(name, "late.txt") &&
	       !memcmp(back, src, 100000),
	       "a gzip header given during a member is the next one's, as zlib's (%d), one after the end refused (%d); the next member's name '%s' (%d, %d)",
	       mid, end, name, ret, iret);
	deflateEnd(&z);
out:
	free(src);
	free(out);
	free(back);
}

/* The calls of test_params_in_tail(), the shim's or the real zlib's */
struct zcalls {
	int (*init)(z_streamp, int, int, int, int, int, const char *, int);
	int (*deflate)(z_streamp, int);
	int (*get_dict)(z_streamp, Bytef *, uInt *);
	int (*params)(z_streamp, int, int);
	int (*end)(z_streamp);
};

/*
 * Compresses @src (60000 bytes) into @out, the way test_params_in_tail()
 * says, each call's result in @rc; the bytes made in *@made.
 */
static void params_run(const struct zcalls *f, const unsigned char *src,
		       unsigned char *out, int rc[6], uLong *made)
{
	static unsigned char dict[32768];
	uInt dict_len = sizeof(dict);
	z_stream z = { 0 };
	uInt room;

	rc[0] = f->init(&z, 6, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY,
			ZLIB_VERSION, (int)sizeof(z));
	z.next_in = (Bytef *)src;
	z.avail_in = 20000;
	z.next_out = out;
	z.avail_out = 100000;
	rc[1] = f->deflate(&z, Z_NO_FLUSH);
	rc[2] = f->get_dict(&z, dict, &dict_len);
	z.avail_in = 20000;
	f->deflate(&z, Z_NO_FLUSH);
	room = z.avail_out;
	z.avail_out = 0;
	rc[3] = f->params(&z, 1, Z_DEFAULT_STRATEGY);
	z.avail_out = room;
	rc[4] = f->params(&z, 1, Z_DEFAULT_STRATEGY);
	z.avail_in = 20000;
	rc[5] = f->deflate(&z, Z_FINISH);
	*made = z.total_out;
	f->end(&z);
}

/*
 * deflateParams() with no room, then with room, on a stream that asked
 * for its dictionary after data (a call only zlib serves: on the device
 * the stream moves there, its own deflate(Z_BLOCK) then zlib's): each call
 * answers as zlib's (Z_BUF_ERROR first, the parameters kept), and the
 * output is the input.
 */
static void test_params_in_tail(void)
{
	static const struct zcalls shim = {
		deflateInit2_, deflate, deflateGetDictionary, deflateParams,
		deflateEnd,
	};
	const struct zcalls zlib = {
		real.deflateInit2_, real.deflate, real.deflateGetDictionary,
		real.deflateParams, real.deflateEnd,
	};
	unsigned char *src = make_data(60000, 11, false), *out = malloc(100000);
	unsigned char *back = malloc(60000);
	uLongf back_len = 60000;
	int rc[6], want[6], i, same = 1, un = -99;
	uLong made = 0, zmade = 0;

	if (!src || !out || !back || !real.deflateParams ||
	    !real.deflateGetDictionary) {
		tap_ok(0, "deflateParams() after a move to zlib: no memory or no zlib calls");
		goto out;
	}
	params_run(&zlib, src, out, want, &zmade);
	params_run(&shim, src, out, rc, &made);
	for (i = 0; i < 6; i++)
		same = same && rc[i] == want[i];
	un = real.uncompress2(back, &back_len, out, &made);
	tap_ok(same && un == Z_OK && back_len == 60000 &&
	       !memcmp(back, src, 60000),
	       "deflateParams() without room, then with, after the dictionary was asked for: zlib's answers (%d %d %d %d %d %d, zlib %d %d %d %d %d %d) and the input back (%d, %lu bytes)",
	       rc[0], rc[1], rc[2], rc[3], rc[4], rc[5], want[0], want[1],
	       want[2], want[3], want[4], want[5], un, back_len);
out:
	free(src);
	free(out);
	free(back);
}

/*
 * A fresh stream's first deflate(Z_NO_FLUSH) without input: zlib writes
 * its header and nothing else.  When the header filled the output
 * exactly, zlib does not count the output as filled: the next call
 * without input returns Z_BUF_ERROR.  When part of the header is left, it
 * returns Z_OK with the rest.  A stream on zlib (policy sw, or auto below
 * the threshold) does all this; on the device (policy hw) the header
 * comes with the first data, so such calls write nothing: Z_OK, then
 * Z_BUF_ERROR as there is nothing to deliver (libwarpdrive.rst, "What
 * still differs from zlib").
 */
static void test_header_only(void)
{
	static const struct {
		int wbits;
		unsigned int room;
	} c[] = {
		{ 15, 2 }, { 15, 1 }, { 31, 10 }, { 31, 3 }, { -15, 1 },
	};
	const char *policy = getenv("WD_POLICY");
	bool hw = policy && !strcmp(policy, "hw");
	unsigned char out[2][64];
	z_stream z, r;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int ret[2], rret[2];
		bool same;

		memset(&z, 0, sizeof(z));
		memset(&r, 0, sizeof(r));
		memset(out, 0, sizeof(out));
		deflateInit2(&z, 6, Z_DEFLATED, c[i].wbits, 8, 0);
		real.deflateInit2_(&r, 6, Z_DEFLATED, c[i].wbits, 8, 0,
				   ZLIB_VERSION, sizeof(r));
		z.next_out = out[0];
		r.next_out = out[1];
		z.avail_out = r.avail_out = c[i].room;
		ret[0] = deflate(&z, Z_NO_FLUSH);
		rret[0] = real.deflate(&r, Z_NO_FLUSH);
		z.avail_out = r.avail_out = 32;
		ret[1] = deflate(&z, Z_NO_FLUSH);
		rret[1] = real.deflate(&r, Z_NO_FLUSH);
		if (hw)
			same = ret[0] == Z_OK && ret[1] == Z_BUF_ERROR &&
			       !z.total_out;
		else
			same = ret[0] == rret[0] && ret[1] == rret[1] &&
			       z.total_out == r.total_out &&
			       !memcmp(out[0], out[1], r.total_out);
		tap_ok(same, "windowBits %d, room %u, then more, no input: "
		       "%d %d, %lu bytes (zlib %d %d, %lu; %s)", c[i].wbits,
		       c[i].room, ret[0], ret[1], z.total_out, rret[0],
		       rret[1], r.total_out,
		       hw ? "the device: nothing before the data" : "as zlib");
		deflateEnd(&z);
		real.deflateEnd(&r);
	}
}

static void test_dictionary_params_copy(void)
{
	static const char dict[] = "queue ring device shim zlib window block";
	size_t len = 40000, n;
	unsigned char *data = make_data(len, 11, false);
	unsigned char *out = malloc(len * 2), *back = malloc(len + 1);
	z_stream z = { 0 }, r = { 0 }, c2 = { 0 };
	unsigned char *out2 = malloc(len * 2);
	int ret;

	/* deflate with a dictionary; real inflate asks for it */
	deflateInit(&z, 6);
	ret = deflateSetDictionary(&z, (const Bytef *)dict, sizeof(dict));
	z.next_in = data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)len * 2;
	ret |= deflate(&z, Z_FINISH) != Z_STREAM_END;
	n = z.total_out;
	deflateEnd(&z);
	real.inflateInit2_(&r, 15, ZLIB_VERSION, sizeof(r));
	r.next_in = out;
	r.avail_in = (uInt)n;
	r.next_out = back;
	r.avail_out = (uInt)len + 1;
	ret |= real.inflate(&r, Z_FINISH) != Z_NEED_DICT;
	ret |= real.inflateSetDictionary(&r, (const Bytef *)dict, sizeof(dict));
	ret |= real.inflate(&r, Z_FINISH) != Z_STREAM_END;
	real.inflateEnd(&r);
	tap_ok(!ret && !memcmp(back, data, len),
	       "deflateSetDictionary: real inflate needs and takes it");

	/* and the shim's inflate asks for it too */
	inflateInit(&z);
	z.next_in = out;
	z.avail_in = (uInt)n;
	z.next_out = back;
	z.avail_out = (uInt)len + 1;
	ret = inflate(&z, Z_NO_FLUSH) != Z_NEED_DICT;
	ret |= inflateSetDictionary(&z, (const Bytef *)dict, sizeof(dict));
	ret |= inflate(&z, Z_NO_FLUSH) != Z_STREAM_END;
	inflateEnd(&z);
	tap_ok(!ret && !memcmp(back, data, len),
	       "inflate: Z_NEED_DICT, inflateSetDictionary, Z_STREAM_END");

	/* deflateParams in the middle */
	deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	z.next_in = data;
	z.avail_in = (uInt)len / 2;
	z.next_out = out;
	z.avail_out = (uInt)len * 2;
	ret = deflate(&z, Z_NO_FLUSH);
	ret |= deflateParams(&z, 9, Z_DEFAULT_STRATEGY);
	z.avail_in = (uInt)(len - len / 2);
	ret |= deflate(&z, Z_FINISH) != Z_STREAM_END;
	n = z.total_out;
	deflateEnd(&z);
	tap_ok(!ret && real_check(31, out, n, data, len),
	       "deflateParams(1 -> 9) mid-stream: one valid stream");

	/* deflateCopy in the middle: both copies finish validly */
	deflateInit2(&z, 6, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY);
	z.next_in = data;
	z.avail_in = (uInt)len / 2;
	z.next_out = out;
	z.avail_out = (uInt)len * 2;
	ret = deflate(&z, Z_SYNC_FLUSH);
	ret |= deflateCopy(&c2, &z);
	memcpy(out2, out, z.total_out);
	c2.next_out = out2 + z.total_out;
	z.avail_in = c2.avail_in = (uInt)(len - len / 2);
	ret |= deflate(&z, Z_FINISH) != Z_STREAM_END;
	ret |= deflate(&c2, Z_FINISH) != Z_STREAM_END;
	tap_ok(!ret && real_check(15, out, z.total_out, data, len) &&
	       real_check(15, out2, c2.total_out, data, len),
	       "deflateCopy mid-stream: original and copy both valid");
	deflateEnd(&z);
	deflateEnd(&c2);

	/* deflateReset reuses the stream */
	deflateInit(&z, 6);
	for (int i = 0; i < 3; i++) {
		deflateReset(&z);
		z.next_in = data;
		z.avail_in = (uInt)len;
		z.next_out = out;
		z.avail_out = (uInt)len * 2;
		ret |= deflate(&z, Z_FINISH) != Z_STREAM_END;
		ret |= !real_check(15, out, z.total_out, data, len);
	}
	deflateEnd(&z);
	tap_ok(!ret, "deflateReset: three streams from one z_stream");

	/* deflateBound covers incompressible data in one call */
	free(data);
	data = make_data(len, 5, true);
	deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY);
	n = deflateBound(&z, len);
	free(out);
	out = malloc(n);
	z.next_in = data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)n;
	ret = deflate(&z, Z_FINISH);
	tap_ok(ret == Z_STREAM_END && real_check(31, out, z.total_out, data, len),
	       "deflateBound is enough for random data (%zu for %zu)", n, len);
	deflateEnd(&z);
	free(data);
	free(out);
	free(out2);
	free(back);
}

static void test_oneshot(void)
{
	static const size_t sizes[] = { 0, 1, 100, 5000, 300000 };
	const char *thr = getenv("WD_SW_THRESHOLD");

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i];
		unsigned char *data = make_data(len, 3, false);
		uLong bound = compressBound(len), rbound = real.compressBound(len);
		unsigned char *c1 = malloc(bound), *c2 = malloc(rbound);
		unsigned char *back = malloc(len + 1);
		uLongf n1 = bound, n2 = rbound, bn = len + 1;
		uLong sl;
		int r1, r2, rb;

		r1 = compress2(c1, &n1, data, len, 6);
		r2 = real.compress2(c2, &n2, data, len, 6);
		sl = n1;
		rb = uncompress2(back, &bn, c1, &sl);
		tap_ok(r1 == Z_OK && r2 == Z_OK && bound >= rbound &&
		       real_check(15, c1, n1, data, len) && rb == Z_OK &&
		       bn == len && sl == n1 && !memcmp(back, data, len),
		       "compress2/uncompress2 of %zu bytes", len);
		/* the software path is the real zlib: same bytes */
		if (!thr && len < 4096)
			tap_ok(n1 == n2 && !memcmp(c1, c2, n1),
			       "compress2 of %zu bytes (software): zlib's bytes",
			       len);
		/* errors as zlib's */
		if (len >= 100) {
			uLongf small = 10, rsmall = 10;
			uLong s1 = n1 - 3, s2 = n1 - 3;

			r1 = compress2(c1, &small, data, len, 6);
			r2 = real.compress2(c2, &rsmall, data, len, 6);
			tap_ok(r1 == r2 && r1 == Z_BUF_ERROR,
			       "compress2 into 10 bytes: Z_BUF_ERROR (%d, %d)",
			       r1, r2);
			n1 = bound;
			compress2(c1, &n1, data, len, 6);
			bn = len + 1;
			r1 = uncompress2(back, &bn, c1, &s1);
			bn = len + 1;
			r2 = real.uncompress2(back, &bn, c1, &s2);
			tap_ok(r1 == r2 && r1 == Z_DATA_ERROR,
			       "uncompress2 of truncated data: Z_DATA_ERROR (%d, %d)",
			       r1, r2);
			bn = len / 2;
			r1 = uncompress(back, &bn, c1, n1);
			bn = len / 2;
			r2 = real.uncompress2(back, &bn, c1, &sl);
			tap_ok(r1 == r2 && r1 == Z_BUF_ERROR,
			       "uncompress into half the room: Z_BUF_ERROR (%d, %d)",
			       r1, r2);
		}
		free(data);
		free(c1);
		free(c2);
		free(back);
	}
}

static void test_gz_and_sums(void)
{
	char path[] = "/tmp/wdz-test-XXXXXX";
	size_t len = 200000, clen;
	unsigned char *data = make_data(len, 21, false);
	unsigned char *file = malloc(len * 2), *back = malloc(len + 1);
	uLong a = 0x12345678;
	int fd = mkstemp(path), n;
	gzFile g;

	/* gzwrite through the shim: the real zlib reads the file */
	g = gzdopen(fd, "wb6");
	n = gzwrite(g, data, (unsigned int)len);
	gzclose(g);
	fd = open(path, O_RDONLY);
	clen = (size_t)read(fd, file, len * 2);
	close(fd);
	tap_ok(n == (int)len && real_check(31, file, clen, data, len),
	       "gzwrite through the shim: a gzip file zlib reads");

	/* a file the real zlib wrote, read with gzread through the shim */
	free(file);
	file = real_deflate(31, 9, data, len, &clen);
	fd = open(path, O_WRONLY | O_TRUNC);
	n = (int)write(fd, file, clen);
	close(fd);
	g = gzopen(path, "rb");
	n = gzread(g, back, (unsigned int)len + 1);
	gzclose(g);
	unlink(path);
	tap_ok(n == (int)len && !memcmp(back, data, len),
	       "gzread through the shim of a file zlib wrote");

	tap_ok(crc32(a, data, (uInt)len) == real.crc32(a, data, (uInt)len) &&
	       adler32(a, data, (uInt)len) == real.adler32(a, data, (uInt)len) &&
	       crc32_combine(1, 2, 3) == real.crc32_combine(1, 2, 3) &&
	       !strcmp(zlibVersion(), real.zlibVersion()),
	       "crc32, adler32, crc32_combine, zlibVersion are zlib's");
	free(data);
	free(file);
	free(back);
}

/*
 * zalloc for the case below: each block ends against a page nobody may
 * touch, so that writing past it faults at once.  One block per mapping,
 * found again by zfree in a small table (the case is single-threaded).
 */
#define GUARD_BLOCKS	16

static struct {
	void *block, *base;
	size_t len;
} guarded[GUARD_BLOCKS];

static voidpf guard_alloc(voidpf opaque, uInt items, uInt size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = ((size_t)items * size + 15) / 16 * 16;
	size_t total = (len + page - 1) / page * page + page;
	unsigned char *base;
	int i;

	(void)opaque;
	for (i = 0; i < GUARD_BLOCKS && guarded[i].block; i++)
		;
	if (i == GUARD_BLOCKS)
		return Z_NULL;
	base = mmap(NULL, total, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return Z_NULL;
	mprotect(base + total - page, page, PROT_NONE);
	guarded[i].base = base;
	guarded[i].len = total;
	guarded[i].block = base + total - page - len;
	return guarded[i].block;
}

static void guard_free(voidpf opaque, voidpf block)
{
	int i;

	(void)opaque;
	for (i = 0; i < GUARD_BLOCKS; i++) {
		if (guarded[i].block == block) {
			munmap(guarded[i].base, guarded[i].len);
			guarded[i].block = NULL;
			return;
		}
	}
}

/*
 * A stream inflateSync() made raw before its header, then reset to
 * windowBits 0 and given a zlib stream.  The system's zlib keeps the
 * one-byte window it made at size 2^0 and writes up to 32 KiB into it
 * once the header says 2^15; libwdz.so's reset gives it a new window.
 * Written past, the guarded block faults (the test dies).
 */
static void test_reset_window(void)
{
	static const unsigned char synced[] = {
		0x78, 0x00,			/* a bad zlib header */
		0x00, 0x00, 0xff, 0xff,		/* what inflateSync() finds */
		0x00, 10, 0, 0xf5, 0xff,	/* a stored block, 10 bytes */
		'0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
	};
	size_t len = 100000;
	uLongf clen = real.compressBound(len);
	unsigned char *data = make_data(len, 7, false);
	unsigned char *comp = malloc(clen), *out = malloc(len);
	z_stream s = { .zalloc = guard_alloc, .zfree = guard_free };
	int ret;

	if (!data || !comp || !out ||
	    real.compress2(comp, &clen, data, len, 6) != Z_OK ||
	    inflateInit2(&s, 0) != Z_OK) {
		tap_ok(0, "inflateReset2(0) after inflateSync(): set up");
		goto out;
	}
	s.next_in = (Bytef *)synced;
	s.avail_in = sizeof(synced);
	s.next_out = out;
	s.avail_out = len;
	ret = inflate(&s, Z_NO_FLUSH);
	tap_ok(ret == Z_DATA_ERROR && inflateSync(&s) == Z_OK &&
	       inflate(&s, Z_NO_FLUSH) == Z_OK && s.total_out == 10,
	       "a bad header, inflateSync(), then 10 bytes as raw deflate");
	s.next_in = comp;
	s.avail_in = clen;
	s.next_out = out;
	ret = inflateReset2(&s, 0);
	/* in parts, so that inflate() keeps a window between them */
	while (ret == Z_OK) {
		s.avail_out = len - s.total_out < 40000 ? len - s.total_out :
							   40000;
		ret = inflate(&s, Z_NO_FLUSH);
	}
	tap_ok(ret == Z_STREAM_END && s.total_out == len &&
	       !memcmp(out, data, len),
	       "inflateReset2(0), then a zlib stream of 100000 bytes: "
	       "inflated, no write past the window (%d)", ret);
	inflateEnd(&s);
out:
	free(data);
	free(comp);
	free(out);
}

int main(void)
{
	Dl_info info;

	if (!load_real()) {
		tap_ok(0, "the system zlib: %s", dlerror());
		return tap_done();
	}
	tap_ok(dladdr((void *)deflate, &info) && strstr(info.dli_fname, "wdz"),
	       "deflate() is libwdz.so's (%s)",
	       dladdr((void *)deflate, &info) ? info.dli_fname : "?");
	test_streams();
	test_codes();
	test_after_end();
	test_params_in_tail();
	test_late_header();
	test_end_undelivered();
	test_header_only();
	test_dictionary_params_copy();
	test_oneshot();
	test_gz_and_sums();
	test_reset_window();
	return tap_done();
}
