// SPDX-License-Identifier: GPL-2.0
/*
 * libwarpdrive's compression API end to end: one-shot, streaming with
 * every flush mode and 1-byte buffers, async, wd_run(), buffers, errors,
 * counters.
 * Everything the library produces is checked with the system zlib, and
 * the library decompresses what zlib produced.
 *
 * The same program runs on the host (no device: software path) and in
 * the guest on vzip: the path it expects follows WD_POLICY (hw: every data
 * request on the device; sw: none; auto or unset: either).  The guest
 * plan runs it with WD_POLICY=hw WD_SW_THRESHOLD=0.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <warpdrive/warpdrive.h>
#include "tap.h"

static enum wd_policy policy;	/* from WD_POLICY, as the library reads it */

static const char *const fmt_names[] = { "raw", "zlib", "gzip" };

/* Compressible text-like data, deterministic. */
static unsigned char *make_data(size_t len, unsigned int seed)
{
	static const char *const words[] = {
		"accelerator ", "queue ", "ring ", "the ", "of ", "device ",
		"stream ", "zlib\n", "deflate ", "1234 ", "page ", "a ",
	};
	unsigned char *p = malloc(len ? len : 1);
	size_t i = 0;

	while (i < len) {
		const char *w;

		seed = seed * 1103515245 + 12345;
		w = words[(seed >> 16) % 12];
		while (*w && i < len)
			p[i++] = (unsigned char)*w++;
		/* some incompressible bytes too */
		if ((seed >> 8) % 7 == 0 && i < len)
			p[i++] = (unsigned char)(seed >> 24);
	}
	return p;
}

static int zwbits(int format)
{
	return format == WD_FORMAT_RAW ? -15 :
	       format == WD_FORMAT_GZIP ? 31 : 15;
}

/* Decompresses with the system zlib; true if it yields exactly @ref. */
static bool zlib_check(int format, const void *comp, size_t comp_len,
		       const void *ref, size_t ref_len)
{
	unsigned char *out = malloc(ref_len + 1);
	z_stream z = { 0 };
	bool ok;
	int ret;

	if (!out || inflateInit2(&z, zwbits(format)) != Z_OK) {
		free(out);
		return false;
	}
	z.next_in = (Bytef *)comp;
	z.avail_in = (uInt)comp_len;
	z.next_out = out;
	z.avail_out = (uInt)ref_len + 1;
	ret = inflate(&z, Z_FINISH);
	ok = ret == Z_STREAM_END && z.total_out == ref_len &&
	     z.avail_in == 0 && !memcmp(out, ref, ref_len);
	inflateEnd(&z);
	free(out);
	return ok;
}

static unsigned char *zlib_compress(int format, int level, const void *src,
				    size_t len, size_t *out_len)
{
	z_stream z = { 0 };
	unsigned char *out;

	if (deflateInit2(&z, level, Z_DEFLATED, zwbits(format), 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	*out_len = deflateBound(&z, len);
	out = malloc(*out_len);
	z.next_in = (Bytef *)src;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)*out_len;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		free(out);
		out = NULL;
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static uint32_t zlib_sum(int format, const void *p, size_t len)
{
	return format == WD_FORMAT_ZLIB ?
	       (uint32_t)adler32(adler32(0, NULL, 0), p, (uInt)len) :
	       (uint32_t)crc32(crc32(0, NULL, 0), p, (uInt)len);
}

/* Did the request take the path the policy asks for? */
static bool path_ok(unsigned int path)
{
	if (policy == WD_POLICY_HW)
		return path == WD_PATH_HW;
	if (policy == WD_POLICY_SW)
		return path == WD_PATH_SW;
	return path == WD_PATH_HW || path == WD_PATH_SW;
}

static struct wd_comp *open_session(int format, int level)
{
	struct wd_comp_params p = { .format = format, .level = level };
	struct wd_comp *c = NULL;
	int ret = wd_comp_open(&c, &p);

	if (ret)
		tap_diag("wd_comp_open(%s, %d): %s", fmt_names[format], level,
			 wd_strerror(ret));
	return c;
}

/* ---- one-shot ---- */

static void test_oneshot_roundtrip(int format, int level, size_t len)
{
	unsigned char *data = make_data(len, (unsigned int)(len + level));
	size_t bound = wd_compress_bound(format, len), clen = bound;
	unsigned char *comp = malloc(bound), *back = malloc(len + 1);
	unsigned char *zc;
	size_t zlen, blen = len + 1, used;
	struct wd_comp *c = open_session(format, level);
	bool ok = c != NULL;
	int ret = -1;

	if (ok)
		ret = wd_compress(c, data, len, comp, &clen);
	ok = ok && !ret && zlib_check(format, comp, clen, data, len) &&
	     path_ok(wd_comp_path(c, NULL));
	/* and zlib's output decompressed by us */
	zc = zlib_compress(format, level, data, len, &zlen);
	used = zlen;
	if (ok && zc)
		ret = wd_decompress(c, zc, &used, back, &blen);
	ok = ok && zc && !ret && used == zlen && blen == len &&
	     !memcmp(back, data, len);
	tap_ok(ok, "one-shot %s level %d, %zu bytes: zlib reads ours (%zu bytes), we read zlib's",
	       fmt_names[format], level, len, clen);
	wd_comp_close(c);
	free(zc);
	free(data);
	free(comp);
	free(back);
}

static void test_oneshot_errors(void)
{
	size_t len = 100000, clen, small, used, blen;
	unsigned char *data = make_data(len, 7);
	unsigned char *comp = malloc(wd_compress_bound(WD_FORMAT_GZIP, len));
	unsigned char *two, *back = malloc(len);
	struct wd_comp *c = open_session(WD_FORMAT_GZIP, 6);
	int ret;

	clen = wd_compress_bound(WD_FORMAT_GZIP, len);
	ret = wd_compress(c, data, len, comp, &clen);
	tap_ok(!ret, "compress for the error cases");

	small = clen / 2;
	ret = wd_compress(c, data, len, back, &small);
	tap_ok(ret == -ENOSPC, "compress into half the room: -ENOSPC (%d)", ret);

	used = clen;
	blen = len / 2;
	ret = wd_decompress(c, comp, &used, back, &blen);
	tap_ok(ret == -ENOSPC, "decompress into half the room: -ENOSPC (%d)",
	       ret);

	used = clen - 10;
	blen = len;
	ret = wd_decompress(c, comp, &used, back, &blen);
	tap_ok(ret == -EBADMSG, "truncated input: -EBADMSG (%d)", ret);

	comp[clen / 2] ^= 0x55;
	comp[clen / 2 + 1] ^= 0xaa;
	used = clen;
	blen = len;
	ret = wd_decompress(c, comp, &used, back, &blen);
	tap_ok(ret == -EBADMSG || (ret == 0 && memcmp(back, data, len)) ||
	       ret == -ENOSPC,
	       "corrupt input: an error, never the data (%d)", ret);
	comp[clen / 2] ^= 0x55;
	comp[clen / 2 + 1] ^= 0xaa;

	/* two members: one call takes the first */
	two = malloc(2 * clen);
	memcpy(two, comp, clen);
	memcpy(two + clen, comp, clen);
	used = 2 * clen;
	blen = len;
	ret = wd_decompress(c, two, &used, back, &blen);
	tap_ok(!ret && used == clen && blen == len && !memcmp(back, data, len),
	       "two gzip members: the first is taken, %zu of %zu bytes",
	       used, 2 * clen);

	ret = wd_compress(NULL, data, len, comp, &clen);
	tap_ok(ret == -EINVAL, "NULL session: -EINVAL");
	ret = wd_compress(c, NULL, 10, comp, &clen);
	tap_ok(ret == -EINVAL, "NULL input: -EINVAL");

	wd_comp_close(c);
	free(two);
	free(data);
	free(comp);
	free(back);
}

static void test_params(void)
{
	struct wd_comp_params p = { 0 };
	struct wd_comp *c;

	p.level = 10;
	tap_ok(wd_comp_open(&c, &p) == -EINVAL, "level 10: -EINVAL");
	p.level = 1;
	p.window_bits = 8;
	tap_ok(wd_comp_open(&c, &p) == -EINVAL, "window 8: -EINVAL");
	p.window_bits = 0;
	p.format = 3;
	tap_ok(wd_comp_open(&c, &p) == -EINVAL, "format 3: -EINVAL");
	p.format = 0;
	p.flags = 0x100;
	tap_ok(wd_comp_open(&c, &p) == -EINVAL, "unknown flag: -EINVAL");
	tap_ok(wd_comp_open(NULL, NULL) == -EINVAL, "NULL result: -EINVAL");
	for (int e = 1; e < 140; e++)
		if (!wd_strerror(-e)) {
			tap_ok(0, "wd_strerror(%d) is NULL", -e);
			return;
		}
	tap_ok(wd_reason_name(WD_REASON_NR) && wd_reason_name(WD_REASON_SMALL),
	       "every error and reason has a name");
}

/* ---- streams ---- */

/*
 * Compresses @len bytes in chunks of @chunk with @flush after each (the
 * last one WD_FINISH), giving the stream @out_room bytes of output per
 * call.  Checks every sync point decodes to everything so far.
 */
static bool stream_compress(int format, size_t len, size_t chunk,
			    enum wd_flush flush, size_t out_room,
			    unsigned char **outp, size_t *out_len,
			    struct wd_stream_state *st)
{
	unsigned char *data = make_data(len, (unsigned int)(chunk + flush));
	size_t cap = wd_compress_bound(format, len) + 64 * (len / chunk + 2);
	unsigned char *out = malloc(cap);
	struct wd_comp *c = open_session(format, 6);
	struct wd_stream *s = NULL;
	size_t pos = 0, n = 0;
	bool ok = c && !wd_stream_open(&s, c, WD_DIR_COMPRESS);
	int guard = 0;

	while (ok && pos <= len) {
		/* FINISH ends the stream: it comes with all the input */
		size_t take = flush == WD_FINISH || len - pos < chunk ?
			      len - pos : chunk;
		bool last = pos + take == len;
		enum wd_flush f = last ? WD_FINISH : flush;
		const void *in = data + pos;
		size_t in_len = take;
		int ret;

		/* as with deflate(): call again while input or output remain */
		for (;;) {
			void *o = out + n;
			size_t room = out_room < cap - n ? out_room : cap - n;
			size_t r0 = room;

			ret = wd_stream_run(s, &in, &in_len, &o, &room, f);
			n += r0 - room;
			if (ret < 0 && ret != -ENOBUFS) {
				tap_diag("wd_stream_run: %s", wd_strerror(ret));
				ok = false;
				break;
			}
			if (++guard > 50000000) {
				tap_diag("no end in sight");
				ok = false;
				break;
			}
			if (f == WD_FINISH ? ret == WD_STREAM_END :
			    !in_len && (f == WD_NO_FLUSH || room))
				break;
		}
		pos += take;
		if (ok && (f == WD_SYNC_FLUSH || f == WD_FULL_FLUSH) &&
		    format == WD_FORMAT_RAW) {
			/* what came out so far decodes to all input so far */
			z_stream z = { 0 };
			unsigned char *chk = malloc(pos + 1);

			inflateInit2(&z, -15);
			z.next_in = out;
			z.avail_in = (uInt)n;
			z.next_out = chk;
			z.avail_out = (uInt)pos + 1;
			inflate(&z, Z_SYNC_FLUSH);
			if (z.total_out != pos || memcmp(chk, data, pos)) {
				tap_diag("sync point at %zu: %lu bytes decoded",
					 pos, z.total_out);
				ok = false;
			}
			inflateEnd(&z);
			free(chk);
		}
		if (last)
			break;
	}
	if (ok) {
		wd_stream_get_state(s, st);
		ok = zlib_check(format, out, n, data, len) &&
		     st->total_in == len && st->total_out == n &&
		     st->checksum == zlib_sum(format, data, len) &&
		     path_ok(st->path);
		if (!ok)
			tap_diag("in %llu/%zu out %llu/%zu sum %08x/%08x path %u",
				 (unsigned long long)st->total_in, len,
				 (unsigned long long)st->total_out, n,
				 st->checksum, zlib_sum(format, data, len),
				 st->path);
	}
	wd_stream_close(s);
	wd_comp_close(c);
	free(data);
	*outp = out;
	*out_len = n;
	return ok;
}

static void test_stream_flushes(void)
{
	static const char *const fl[] = { "none", "sync", "full", "finish" };
	struct wd_stream_state st;
	unsigned char *out;
	size_t n;

	for (int format = 0; format < 3; format++) {
		for (int f = WD_NO_FLUSH; f <= WD_FINISH; f++) {
			bool ok = stream_compress(format, 300000, 20000, f,
						  1 << 20, &out, &n, &st);

			tap_ok(ok, "stream %s, flush %s every 20000 bytes: valid, totals and checksum right",
			       fmt_names[format], fl[f]);
			free(out);
		}
	}
	tap_ok(stream_compress(WD_FORMAT_GZIP, 70000, 333, WD_NO_FLUSH, 1,
			       &out, &n, &st),
	       "stream gzip, 333-byte input, 1-byte output buffers");
	free(out);
	tap_ok(stream_compress(WD_FORMAT_ZLIB, 50000, 1, WD_NO_FLUSH, 7, &out,
			       &n, &st),
	       "stream zlib, 1-byte input, 7-byte output buffers");
	free(out);
	/* zlib's rule: more than six bytes of room with sync flushes */
	tap_ok(stream_compress(WD_FORMAT_RAW, 40000, 5000, WD_SYNC_FLUSH, 7,
			       &out, &n, &st),
	       "stream raw, sync flushes with 7-byte output buffers");
	free(out);
	tap_ok(stream_compress(WD_FORMAT_GZIP, 0, 1, WD_NO_FLUSH, 1 << 20,
			       &out, &n, &st),
	       "stream gzip of nothing is a valid empty stream");
	free(out);
	tap_ok(stream_compress(WD_FORMAT_GZIP, 5 << 20, 3 << 20, WD_NO_FLUSH,
			       6 << 20, &out, &n, &st),
	       "stream gzip, 5 MiB in two calls (beyond one descriptor)");
	free(out);
}

/* Decompresses @comp with @in_step and @out_step bytes per call. */
static bool stream_decompress(int format, const unsigned char *comp,
			      size_t clen, const unsigned char *ref,
			      size_t ref_len, size_t in_step, size_t out_step,
			      size_t trailing)
{
	unsigned char *out = malloc(ref_len + 1);
	struct wd_comp *c = open_session(format, 6);
	struct wd_stream *s = NULL;
	struct wd_stream_state st;
	size_t ipos = 0, opos = 0;
	bool ok = c && !wd_stream_open(&s, c, WD_DIR_DECOMPRESS);
	int ret = 0;
	long guard = 0;

	while (ok && ret != WD_STREAM_END) {
		const void *in = comp + ipos;
		size_t in_len = clen + trailing - ipos < in_step ?
				clen + trailing - ipos : in_step;
		void *o = out + opos;
		size_t room = ref_len + 1 - opos < out_step ?
			      ref_len + 1 - opos : out_step;
		size_t i0 = in_len, r0 = room;

		ret = wd_stream_run(s, &in, &in_len, &o, &room, WD_NO_FLUSH);
		ipos += i0 - in_len;
		opos += r0 - room;
		if (ret < 0 && ret != -ENOBUFS) {
			tap_diag("decompress: %s", wd_strerror(ret));
			ok = false;
		}
		if (ret == -ENOBUFS && ipos >= clen + trailing)
			ok = false;	/* ran out of input before the end */
		if (++guard > 100000000)
			ok = false;
	}
	wd_stream_get_state(s, &st);
	ok = ok && opos == ref_len && !memcmp(out, ref, ref_len) &&
	     ipos == clen && st.checksum == zlib_sum(format, ref, ref_len) &&
	     path_ok(st.path);
	wd_stream_close(s);
	wd_comp_close(c);
	free(out);
	return ok;
}

static void test_stream_decompress(void)
{
	size_t len = 200000;
	unsigned char *data = make_data(len, 99);

	for (int format = 0; format < 3; format++) {
		size_t zlen;
		unsigned char *zc = zlib_compress(format, 9, data, len, &zlen);
		unsigned char *tail = malloc(zlen + 16);

		tap_ok(stream_decompress(format, zc, zlen, data, len, 65536,
					 65536, 0),
		       "stream decompress %s, 64 KiB steps", fmt_names[format]);
		/* every 1-byte input is a request on the device: keep it short */
		size_t slen;
		unsigned char *sc = zlib_compress(format, 9, data, 20000, &slen);

		tap_ok(stream_decompress(format, sc, slen, data, 20000, 1, 1, 0),
		       "stream decompress %s, 1-byte input and output",
		       fmt_names[format]);
		free(sc);
		tap_ok(stream_decompress(format, zc, zlen, data, len, 1000,
					 1 << 20, 0),
		       "stream decompress %s, 1000-byte input steps",
		       fmt_names[format]);
		/* bytes after the end stay unconsumed */
		memcpy(tail, zc, zlen);
		memset(tail + zlen, 0x5a, 16);
		tap_ok(stream_decompress(format, tail, zlen, data, len,
					 1 << 20, 1 << 20, 16),
		       "stream decompress %s: bytes after the end are left",
		       fmt_names[format]);
		free(zc);
		free(tail);
	}
	free(data);
}

static void test_stream_misc(void)
{
	size_t len = 100000, n1 = 0, n2 = 0;
	unsigned char *data = make_data(len, 5), *o1, *o2;
	struct wd_comp *c = open_session(WD_FORMAT_ZLIB, 1);
	struct wd_stream *s = NULL;
	const void *in;
	void *o;
	size_t il, room;
	int ret;

	o1 = malloc(2 * len);
	o2 = malloc(2 * len);
	wd_stream_open(&s, c, WD_DIR_COMPRESS);

	/* level change in the middle: still one valid stream */
	in = data;
	il = len / 2;
	o = o1;
	room = 2 * len;
	ret = wd_stream_run(s, &in, &il, &o, &room, WD_SYNC_FLUSH);
	wd_stream_set_level(s, 9);
	il = len - len / 2;
	ret = wd_stream_run(s, &in, &il, &o, &room, WD_FINISH);
	n1 = 2 * len - room;
	tap_ok(ret == WD_STREAM_END && zlib_check(WD_FORMAT_ZLIB, o1, n1, data,
						   len),
	       "level 1 then 9 in one stream: valid");

	/* after the end: the same again, and no more input is taken */
	il = 10;
	ret = wd_stream_run(s, &in, &il, &o, &room, WD_FINISH);
	tap_ok(ret == WD_STREAM_END, "after the end, FINISH says the end again");

	/* output pending and no room for it: no progress, -ENOBUFS */
	wd_stream_reset(s);
	in = data;
	il = len;
	o = o2;
	room = 10;
	ret = wd_stream_run(s, &in, &il, &o, &room, WD_FINISH);
	room = 0;
	tap_ok(ret == 0 && wd_stream_run(s, &in, &il, &o, &room, WD_FINISH) ==
	       -ENOBUFS,
	       "output pending and no room: -ENOBUFS, not progress");

	/* no progress possible: -ENOBUFS, not fatal */
	wd_stream_reset(s);
	in = data;
	il = 0;
	o = o2;
	room = 2 * len;
	ret = wd_stream_run(s, &in, &il, &o, &room, WD_NO_FLUSH);
	tap_ok(ret == -ENOBUFS || ret == 0,
	       "no input, no flush: nothing to do (%d)", ret);
	il = len;
	ret = wd_stream_run(s, &in, &il, &o, &room, WD_FINISH);
	n2 = 2 * len - room;
	tap_ok(ret == WD_STREAM_END && zlib_check(WD_FORMAT_ZLIB, o2, n2, data,
						   len),
	       "reset stream makes a second valid stream");

	tap_ok(wd_stream_run(s, NULL, &il, &o, &room, WD_FINISH) == -EINVAL &&
	       wd_stream_run(s, &in, &il, &o, &room, 7) == -EINVAL &&
	       wd_stream_open(&s, NULL, WD_DIR_COMPRESS) == -EINVAL,
	       "bad stream arguments: -EINVAL");
	wd_stream_close(s);

	/* corrupt input: -EBADMSG, then the stream stays failed */
	wd_stream_open(&s, c, WD_DIR_DECOMPRESS);
	memset(o2, 0xff, 64);
	in = o2;
	il = 64;
	o = o1;
	room = len;
	ret = wd_stream_run(s, &in, &il, &o, &room, WD_NO_FLUSH);
	tap_ok(ret == -EBADMSG, "stream decompress of garbage: -EBADMSG (%d)",
	       ret);
	tap_ok(wd_stream_run(s, &in, &il, &o, &room, WD_NO_FLUSH) == -EBADMSG,
	       "and it stays failed until reset");
	wd_stream_close(s);
	wd_comp_close(c);
	free(data);
	free(o1);
	free(o2);
}

/* ---- async ---- */

struct cb_count {
	int done;
	int bad;
};

static void count_cb(struct wd_req *r)
{
	struct cb_count *cc = r->priv;

	cc->done++;
	if (r->status || !path_ok(r->path))
		cc->bad++;
}

static void test_async(void)
{
	enum { N = 2000, LEN = 3000, DEPTH = 64 };
	struct wd_comp_params p = { .format = WD_FORMAT_GZIP, .depth = DEPTH };
	unsigned char *data = make_data(LEN, 3);
	size_t bound = wd_compress_bound(WD_FORMAT_GZIP, LEN);
	unsigned char *out = malloc((size_t)DEPTH * bound);
	struct wd_req reqs[DEPTH], *ptrs[DEPTH], *done[DEPTH];
	struct cb_count cc = { 0 };
	struct wd_comp *c;
	int submitted = 0, completed = 0, bad = 0, ret, maxinflight = 0;

	ret = wd_comp_open(&c, &p);
	tap_ok(!ret, "async session");
	if (ret)
		return;
	/* N requests through DEPTH slots, returned by wd_poll() */
	for (int i = 0; i < DEPTH; i++) {
		memset(&reqs[i], 0, sizeof(reqs[i]));
		reqs[i].op = WD_OP_COMPRESS;
		reqs[i].src = data;
		reqs[i].src_len = LEN;
		reqs[i].dst = out + (size_t)i * bound;
		reqs[i].dst_len = bound;
		ptrs[i] = &reqs[i];
	}
	int nfree = DEPTH;

	while (completed < N) {
		if (nfree && submitted < N) {
			int k = nfree < N - submitted ? nfree : N - submitted;

			ret = wd_submit(c, ptrs, (unsigned int)k);
			if (ret < 0)
				break;
			memmove(ptrs, ptrs + ret, (size_t)(nfree - ret) * sizeof(*ptrs));
			nfree -= ret;
			submitted += ret;
		}
		if ((int)wd_inflight(c) > maxinflight)
			maxinflight = (int)wd_inflight(c);
		ret = wd_poll(c, done, DEPTH, 1, 10000);
		if (ret <= 0)
			break;
		for (int i = 0; i < ret; i++) {
			struct wd_req *r = done[i];

			if (r->status || !path_ok(r->path) ||
			    r->checksum != zlib_sum(WD_FORMAT_GZIP, data, LEN) ||
			    !zlib_check(WD_FORMAT_GZIP, r->dst, r->produced,
					data, LEN))
				bad++;
			ptrs[nfree++] = r;
		}
		completed += ret;
	}
	tap_ok(completed == N && !bad,
	       "%d async compressions through %d slots: %d completed, %d bad",
	       N, DEPTH, completed, bad);
	tap_ok(maxinflight <= DEPTH, "never more than the depth in flight (%d)",
	       maxinflight);

	/* more than the depth at once: only the depth is taken */
	struct wd_req many[DEPTH + 8], *mp[DEPTH + 8];

	for (int i = 0; i < DEPTH + 8; i++) {
		memset(&many[i], 0, sizeof(many[i]));
		many[i].op = i % 2 ? WD_OP_NOP : WD_OP_COPY;
		many[i].src = data;
		many[i].src_len = 100;
		many[i].dst = out + (size_t)(i % DEPTH) * bound;
		many[i].dst_len = 100;
		many[i].cb = count_cb;
		many[i].priv = &cc;
		mp[i] = &many[i];
	}
	ret = wd_submit(c, mp, DEPTH + 8);
	tap_ok(ret == DEPTH, "submitting depth + 8 takes the depth (%d)", ret);
	ret = wd_poll(c, NULL, 0, DEPTH, 10000);
	tap_ok(ret == DEPTH && cc.done == DEPTH && !cc.bad,
	       "callbacks ran for all, from wd_poll (%d, %d done, %d bad)",
	       ret, cc.done, cc.bad);
	tap_ok(wd_inflight(c) == 0, "nothing left in flight");

	/* fewer places to return requests than asked to wait for */
	for (int i = 0; i < 3; i++) {
		memset(&many[i], 0, sizeof(many[i]));
		many[i].op = WD_OP_NOP;
	}
	ret = wd_submit(c, mp, 3);
	int r1 = wd_poll(c, done, 1, 3, 10000);
	int r2 = wd_poll(c, done, DEPTH, 2, 10000);

	tap_ok(ret == 3 && r1 == 1 && r2 == 2,
	       "wd_poll with room for 1 of 3: returns 1, then the other 2 (%d, %d)",
	       r1, r2);

	memset(&many[0], 0, sizeof(many[0]));
	many[0].op = 9;
	tap_ok(wd_submit(c, mp, 1) == -EINVAL, "a request with a bad op: -EINVAL");

	/* close with requests in flight: they complete first */
	for (int i = 0; i < 8; i++) {
		memset(&many[i], 0, sizeof(many[i]));
		many[i].op = WD_OP_COMPRESS;
		many[i].src = data;
		many[i].src_len = LEN;
		many[i].dst = out + (size_t)i * bound;
		many[i].dst_len = bound;
		many[i].cb = count_cb;
		many[i].priv = &cc;
	}
	cc.done = cc.bad = 0;
	ret = wd_submit(c, mp, 8);
	wd_comp_close(c);
	tap_ok(ret == 8 && cc.done == 8 && !cc.bad,
	       "closing with 8 in flight runs their callbacks (%d)", cc.done);
	free(data);
	free(out);
}

/* ---- one request, run and waited for ---- */

static struct wd_req run_req(enum wd_op op, const void *src, size_t src_len,
			     void *dst, size_t dst_len)
{
	struct wd_req r;

	memset(&r, 0, sizeof(r));
	r.op = op;
	r.src = src;
	r.src_len = src_len;
	r.dst = dst;
	r.dst_len = dst_len;
	return r;
}

struct run_thread {
	struct wd_comp *c;
	const unsigned char *data;
	size_t len;
	int bad;
};

static void *run_thread(void *arg)
{
	struct run_thread *t = arg;
	unsigned char *out = malloc(t->len);

	for (int i = 0; i < 200; i++) {
		struct wd_req r = run_req(i % 2 ? WD_OP_NOP : WD_OP_COPY,
					  t->data, t->len, out, t->len);

		if (wd_run(t->c, &r) || r.status || !path_ok(r.path) ||
		    (r.op == WD_OP_COPY &&
		     (r.produced != t->len || memcmp(out, t->data, t->len))))
			t->bad++;
	}
	free(out);
	return NULL;
}

static void test_run(void)
{
	enum { LEN = 100000, T = 4 };
	unsigned char *data = make_data(LEN, 11);
	size_t bound = wd_compress_bound(WD_FORMAT_GZIP, LEN), zlen;
	unsigned char *out = malloc(bound), *back = malloc(LEN), *z;
	struct wd_comp_params p = { .format = WD_FORMAT_GZIP, .depth = 4 };
	struct cb_count cc = { 0 };
	struct wd_stats before, after;
	pthread_t th[T];
	struct run_thread rt[T];
	struct wd_comp *c;
	struct wd_req r;
	int ret, bad = 0;
	pid_t pid;

	ret = wd_comp_open(&c, &p);
	tap_ok(!ret, "a session for wd_run");
	if (ret)
		return;
	wd_comp_get_stats(c, &before);

	r = run_req(WD_OP_NOP, NULL, 0, NULL, 0);
	r.cb = count_cb;
	r.priv = &cc;
	ret = wd_run(c, &r);
	tap_ok(!ret && !r.status && !r.produced && path_ok(r.path) &&
	       !cc.done,
	       "wd_run NOP: 0, status 0, path %u, its callback not called",
	       r.path);

	memset(out, 0, LEN);
	r = run_req(WD_OP_COPY, data, LEN, out, LEN);
	ret = wd_run(c, &r);
	tap_ok(!ret && !r.status && r.consumed == LEN && r.produced == LEN &&
	       !memcmp(out, data, LEN) && path_ok(r.path),
	       "wd_run COPY of %d bytes: copied (status %d, %zu produced)",
	       LEN, r.status, r.produced);

	r = run_req(WD_OP_COPY, data, LEN, out, LEN - 1);
	ret = wd_run(c, &r);
	tap_ok(!ret && r.status == -ENOSPC && !r.produced,
	       "wd_run COPY into one byte less: status -ENOSPC (%d)", r.status);

	r = run_req(WD_OP_COMPRESS, data, LEN, out, bound);
	ret = wd_run(c, &r);
	tap_ok(!ret && !r.status && r.consumed == LEN && path_ok(r.path) &&
	       r.checksum == zlib_sum(WD_FORMAT_GZIP, data, LEN) &&
	       zlib_check(WD_FORMAT_GZIP, out, r.produced, data, LEN),
	       "wd_run COMPRESS: zlib reads it back, CRC-32 given (%zu bytes)",
	       r.produced);

	z = zlib_compress(WD_FORMAT_GZIP, 6, data, LEN, &zlen);
	r = run_req(WD_OP_DECOMPRESS, z, zlen, back, LEN);
	ret = wd_run(c, &r);
	tap_ok(!ret && !r.status && r.consumed == zlen && r.produced == LEN &&
	       !memcmp(back, data, LEN) && path_ok(r.path),
	       "wd_run DECOMPRESS of zlib's output (status %d)", r.status);
	r = run_req(WD_OP_DECOMPRESS, z, zlen - 10, back, LEN);
	ret = wd_run(c, &r);
	tap_ok(!ret && r.status == -EBADMSG,
	       "wd_run DECOMPRESS of truncated input: status -EBADMSG (%d)",
	       r.status);
	free(z);

	wd_comp_get_stats(c, &after);
	tap_ok(after.hw_requests + after.sw_requests ==
	       before.hw_requests + before.sw_requests + 4 &&
	       after.errors == before.errors + 2,
	       "counted as the async calls count: 4 requests, 2 errors");
	tap_ok(wd_inflight(c) == 0, "wd_run takes no async slot");

	r = run_req(9, NULL, 0, NULL, 0);
	tap_ok(wd_run(c, &r) == -EINVAL, "wd_run of a bad op: -EINVAL");
	r = run_req(WD_OP_COPY, NULL, 10, out, 10);
	tap_ok(wd_run(c, &r) == -EINVAL, "wd_run COPY from NULL: -EINVAL");
	tap_ok(wd_run(NULL, &r) == -EINVAL && wd_run(c, NULL) == -EINVAL,
	       "wd_run without a session or a request: -EINVAL");

	/* threads at once on one session, more of them than its depth */
	for (int i = 0; i < T; i++) {
		rt[i] = (struct run_thread){ .c = c, .data = data, .len = 4096 };
		pthread_create(&th[i], NULL, run_thread, &rt[i]);
	}
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		bad += rt[i].bad;
	}
	tap_ok(!bad, "%d threads, 200 wd_run COPY and NOP each on one session of depth 4: %d bad",
	       T, bad);

	/* a child runs on the parent's session: a queue of its own */
	pid = fork();
	if (pid == 0) {
		r = run_req(WD_OP_COPY, data, LEN, out, LEN);
		_exit(wd_run(c, &r) || r.status || !path_ok(r.path) ? 1 : 0);
	}
	int st = -1;

	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && !WEXITSTATUS(st),
	       "wd_run in a forked child on the parent's session");
	r = run_req(WD_OP_NOP, NULL, 0, NULL, 0);
	tap_ok(!wd_run(c, &r) && !r.status && path_ok(r.path),
	       "and in the parent after it");
	wd_comp_close(c);
	free(data);
	free(out);
	free(back);
}

/* ---- buffers, counters ---- */

static void test_buffers_stats(void)
{
	struct wd_comp *c = open_session(WD_FORMAT_RAW, 6);
	long page = sysconf(_SC_PAGESIZE);
	struct wd_stats st, g0, g1;
	unsigned char *a, *b;
	size_t n;

	wd_get_stats(&g0);
	a = wd_buf_alloc(c, 100000);
	b = wd_buf_alloc(c, 200000);
	tap_ok(a && b && !((uintptr_t)a % (uintptr_t)page) &&
	       !((uintptr_t)b % (uintptr_t)page),
	       "wd_buf_alloc: page-aligned buffers");
	for (size_t i = 0; i < 100000; i++)
		a[i] = (unsigned char)(i % 13 + 'a');
	n = 200000;
	tap_ok(!wd_compress(c, a, 100000, b, &n) &&
	       zlib_check(WD_FORMAT_RAW, b, n, a, 100000),
	       "compress between library buffers");
	wd_buf_free(c, a);
	wd_buf_free(c, b);
	wd_comp_get_stats(c, &st);
	wd_get_stats(&g1);
	tap_ok(st.hw_requests + st.sw_requests == 1 &&
	       st.hw_bytes_in + st.sw_bytes_in == 100000 &&
	       st.hw_bytes_out + st.sw_bytes_out == n,
	       "session counters: 1 request, 100000 in, %zu out", n);
	tap_ok(g1.hw_requests + g1.sw_requests >=
	       g0.hw_requests + g0.sw_requests + 1,
	       "process counters include it");
	if (policy == WD_POLICY_SW)
		tap_ok(st.sw_reason[WD_REASON_POLICY] == 1,
		       "software by policy is counted as such");
	else if (policy == WD_POLICY_HW)
		tap_ok(st.hw_requests == 1 && wd_comp_device(c),
		       "the device ran it: %s", wd_comp_device(c));
	else
		tap_ok(1, "policy auto: either path");
	wd_comp_close(c);
}

int main(void)
{
	const char *env = getenv("WD_POLICY");

	policy = !env ? WD_POLICY_AUTO : !strcmp(env, "hw") ? WD_POLICY_HW :
		 !strcmp(env, "sw") ? WD_POLICY_SW : WD_POLICY_AUTO;
	tap_diag("policy %s", env ? env : "auto (default)");

	for (int format = 0; format < 3; format++)
		for (int level = 1; level <= 9; level++)
			test_oneshot_roundtrip(format, level, 65536 + 17);
	for (int format = 0; format < 3; format++) {
		static const size_t sizes[] = { 0, 1, 2, 100, 4095, 1000003 };

		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			test_oneshot_roundtrip(format, 6, sizes[i]);
	}
	test_oneshot_roundtrip(WD_FORMAT_GZIP, 1, 6 << 20);
	test_oneshot_errors();
	test_params();
	test_stream_flushes();
	test_stream_decompress();
	test_stream_misc();
	test_async();
	test_run();
	test_buffers_stats();
	return tap_done();
}
