// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit tests of the vzip driver (drivers/vzip/), run against the loaded
 * vzip module:
 *
 *	vzip_codec	checksums against known values; every format, level and
 *			window size; known streams from user-space zlib; streams
 *			with every flush mode, split anywhere, continued after
 *			OVERFLOW; corrupt data; sealed contexts; distances
 *			around every window's edge, split at any page
 *	vzip_checks	SS address ranges, descriptor validation
 *	vzip_device	a live test device: rings, index wrap, CQ back-pressure,
 *			doorbell, round-robin, SS data path, stop with requests
 *			in flight, clean rings for the next owner, HW errors
 *	vzip_fault	fault-injection sweeps over probe, queue setup and
 *			request execution
 *	vzip_sched	the scheduler's accounting: engine time divided by
 *			weight among tenants of every kind (a process's
 *			queue, an access point's queues, a VM's queues), an
 *			idle tenant's bounded credit, round-robin among
 *			equals; which queues ask for the doorbell while an
 *			engine sleeps and the others are busy
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/jiffies.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uacce.h>
#include <linux/wd_mdev.h>
#include <linux/zlib.h>
#include <linux/zutil.h>
#include <asm/unaligned.h>

#include "../../drivers/vzip/vzip.h"
#include "../../drivers/vzip/codec.h"
#include "../../drivers/vzip/trace.h"
#include "../../uacce/kunit_hooks.h"
#include "fail_nth.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(WARPDRIVE_KUNIT);

#define VT_DATA_LEN	(40 * 1024)
#define VT_TIMEOUT_MS	10000

/* ---- helpers ---- */

/* The device's promise: input plus 1% plus 64 bytes always fits. */
static u32 vt_room(u32 len)
{
	return len + len / 100 + 64;
}

/* Deterministic data that compresses, but not trivially. */
static void vt_fill(u8 *buf, size_t len, u32 seed)
{
	static const char *const words[] = {
		"warp ", "drive ", "vzip ", "deflate ", "queue ", "ring ",
		"engine ", "zlib\n",
	};
	u32 x = seed * 2654435761U + 1;
	size_t i = 0;

	while (i < len) {
		const char *w;
		size_t n;

		x = x * 1103515245 + 12345;
		if ((x >> 16) % 5 == 0) {
			buf[i++] = x >> 24;
			continue;
		}
		w = words[(x >> 20) % ARRAY_SIZE(words)];
		n = min(strlen(w), len - i);
		memcpy(buf + i, w, n);
		i += n;
	}
}

/* Incompressible data. */
static void vt_fill_random(u8 *buf, size_t len, u32 seed)
{
	u32 x = seed | 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = x;
	}
}

static void vt_kvfree(struct kunit_resource *res)
{
	kvfree(res->data);
}

static void *vt_alloc(struct kunit *test, size_t len)
{
	void *p = kvzalloc(len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL, vt_kvfree,
							 GFP_KERNEL, p));
	return p;
}

static void vt_codec_free(struct kunit_resource *res)
{
	vzip_codec_free(res->data);
}

static struct vzip_codec *vt_codec(struct kunit *test)
{
	struct vzip_codec *c = vzip_codec_alloc(NUMA_NO_NODE);

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL,
							 vt_codec_free,
							 GFP_KERNEL, c));
	return c;
}

struct vt_req {
	u8 opcode;
	u8 format;
	u8 flush;
	u8 level;
	u8 wbits;
	bool stream;
	bool new_stream;
};

/* Runs one request on kernel buffers, as the SS path does. */
static void vt_run(struct vzip_codec *c, struct vzip_job *j,
		   const struct vt_req *r, const void *src, u32 slen,
		   void *dst, u32 dlen, void *ctx)
{
	memset(j, 0, sizeof(*j));
	j->opcode = r->opcode;
	j->format = r->format;
	j->flush = r->flush;
	j->level = r->level ?: 6;
	j->window_bits = r->wbits ?: 15;
	j->stream = r->stream;
	j->new_stream = r->new_stream;
	j->src.kaddr = (u8 *)src;
	j->src.len = slen;
	j->dst.kaddr = dst;
	j->dst.len = dlen;
	if (ctx) {
		j->ctx.kaddr = ctx;
		j->ctx.len = vzip_ctx_size();
	}
	vzip_codec_run(c, j);
}

/* Stateless compression of a whole buffer; returns the bytes produced. */
static u32 vt_compress(struct kunit *test, struct vzip_codec *c, u8 format,
		       u8 level, u8 wbits, const u8 *src, u32 slen, u8 *dst,
		       u32 dlen)
{
	struct vt_req r = { VZIP_OP_COMPRESS, format, VZIP_FLUSH_FINISH,
			    level, wbits };
	struct vzip_job j;

	vt_run(c, &j, &r, src, slen, dst, dlen, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, j.consumed, slen);
	KUNIT_EXPECT_EQ(test, j.flags, VZIP_CQE_F_STREAM_END);
	return j.produced;
}

/* Stateless decompression of a whole stream; returns the bytes produced. */
static u32 vt_decompress(struct kunit *test, struct vzip_codec *c, u8 format,
			 u8 wbits, const u8 *src, u32 slen, u8 *dst, u32 dlen)
{
	struct vt_req r = { VZIP_OP_DECOMPRESS, format, VZIP_FLUSH_FINISH, 0,
			    wbits };
	struct vzip_job j;

	vt_run(c, &j, &r, src, slen, dst, dlen, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, j.consumed, slen);
	KUNIT_EXPECT_EQ(test, j.flags, VZIP_CQE_F_STREAM_END);
	return j.produced;
}

static u32 vt_checksum(u8 format, const u8 *buf, u32 len)
{
	if (format == VZIP_FMT_ZLIB)
		return zlib_adler32(1, buf, len);
	return vzip_crc32(0, buf, len);
}

/*
 * Checks a compressed stream with the kernel's own inflate, which shares
 * nothing with the device's container code: the body after our fixed-size
 * header, then the trailer fields.
 */
static void vt_check_independently(struct kunit *test, u8 format,
				   const u8 *cmp, u32 clen, const u8 *data,
				   u32 len, u8 *tmp)
{
	u32 hdr = format == VZIP_FMT_ZLIB ? 2 : format == VZIP_FMT_GZIP ? 10 : 0;
	u32 trl = format == VZIP_FMT_ZLIB ? 4 : format == VZIP_FMT_GZIP ? 8 : 0;
	int n;

	KUNIT_ASSERT_GE(test, clen, hdr + trl);
	n = zlib_inflate_blob(tmp, len + 1, cmp + hdr, clen - hdr);
	KUNIT_ASSERT_EQ(test, n, (int)len);
	KUNIT_EXPECT_EQ(test, memcmp(tmp, data, len), 0);
	if (format == VZIP_FMT_ZLIB) {
		KUNIT_EXPECT_EQ(test, cmp[0] & 0x0f, 8);
		KUNIT_EXPECT_EQ(test, get_unaligned_be16(cmp) % 31, 0);
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(cmp + clen - 4),
				zlib_adler32(1, data, len));
	} else if (format == VZIP_FMT_GZIP) {
		KUNIT_EXPECT_EQ(test, get_unaligned_be16(cmp), 0x1f8b);
		KUNIT_EXPECT_EQ(test, get_unaligned_le32(cmp + clen - 8),
				vzip_crc32(0, data, len));
		KUNIT_EXPECT_EQ(test, get_unaligned_le32(cmp + clen - 4), len);
	}
}

/*
 * Compresses @len bytes as one stream: requests of the input sizes in
 * @chunks (cycled), @flush after each but the last, FINISH at the end, at
 * most @room bytes of destination per request (continuing after OVERFLOW),
 * alternating between two engines.  Returns the bytes produced.
 */
static u32 vt_stream_compress(struct kunit *test, struct vzip_codec **c,
			      u8 format, u8 level, u8 wbits, u8 flush,
			      const u8 *src, u32 len, const u32 *chunks,
			      int nr_chunks, u8 *dst, u32 cap, u32 room, u8 *ctx)
{
	u32 spos = 0, dpos = 0, end = min(chunks[0], len);
	unsigned int reqs = 0, i = 0;

	for (;;) {
		struct vt_req r = { VZIP_OP_COMPRESS, format, flush, level,
				    wbits, true, !reqs };
		struct vzip_job j;

		if (end == len)
			r.flush = VZIP_FLUSH_FINISH;
		vt_run(c[reqs & 1], &j, &r, src + spos, end - spos, dst + dpos,
		       min(room, cap - dpos), ctx);
		if (j.status != VZIP_STS_OK && j.status != VZIP_STS_OVERFLOW) {
			KUNIT_FAIL(test, "request %u: status %u", reqs, j.status);
			return 0;
		}
			spos += j.consumed;
		dpos += j.produced;
		if (++reqs > 1000000 || dpos > cap) {
			KUNIT_FAIL(test, "no progress");
			return 0;
		}
		if (j.status == VZIP_STS_OVERFLOW)
			continue;
		KUNIT_ASSERT_EQ(test, spos, end);
		/* SYNC and FULL end with an empty stored block, input or not */
		if (end != len && flush != VZIP_FLUSH_NONE)
			KUNIT_EXPECT_TRUE_MSG(test, j.produced >= 4 &&
					      !memcmp(dst + dpos - 4,
						      "\0\0\xff\xff", 4),
					      "request %u: %u bytes in, %u out, no sync marker at its end",
					      reqs, j.consumed, j.produced);
		if (end == len) {
			KUNIT_EXPECT_EQ(test, j.flags, VZIP_CQE_F_STREAM_END);
			KUNIT_EXPECT_EQ(test, j.checksum,
					vt_checksum(format, src, len));
			return dpos;
		}
		i++;
		end = spos + min(chunks[i % nr_chunks], len - spos);
	}
}

/*
 * Decompresses a stream fed in requests of the input sizes in @chunks,
 * with at most @room bytes of destination per request, alternating between
 * two engines.  Returns the bytes produced; @partial: the input is only the
 * beginning of the stream.
 */
static u32 vt_stream_decompress(struct kunit *test, struct vzip_codec **c,
				u8 format, u8 wbits, const u8 *src, u32 len,
				const u32 *chunks, int nr_chunks, u8 *dst,
				u32 cap, u32 room, u8 *ctx, bool partial)
{
	u32 spos = 0, dpos = 0, end = min(chunks[0], len);
	unsigned int reqs = 0, i = 0;

	for (;;) {
		struct vt_req r = { VZIP_OP_DECOMPRESS, format,
				    VZIP_FLUSH_NONE, 0, wbits, true, !reqs };
		struct vzip_job j;

		vt_run(c[reqs & 1], &j, &r, src + spos, end - spos, dst + dpos,
		       min(room, cap - dpos), ctx);
		if (j.status != VZIP_STS_OK && j.status != VZIP_STS_OVERFLOW) {
			KUNIT_FAIL(test, "request %u: status %u", reqs, j.status);
			return 0;
		}
		spos += j.consumed;
		dpos += j.produced;
		if (j.flags & VZIP_CQE_F_STREAM_END)
			return spos == len ? dpos : 0;
		if (++reqs > 1000000 || (j.status == VZIP_STS_OVERFLOW &&
					 dpos == cap)) {
			KUNIT_FAIL(test, "no progress");
			return 0;
		}
		if (j.status == VZIP_STS_OVERFLOW)
			continue;
		KUNIT_ASSERT_EQ(test, spos, end);
		if (end == len) {
			if (!partial)
				KUNIT_FAIL(test, "input ended before the stream");
			return dpos;
		}
		i++;
		end = spos + min(chunks[i % nr_chunks], len - spos);
	}
}

/* ---- vzip_codec ---- */

static void vt_checksums(struct kunit *test)
{
	static const char check[] = "123456789";
	u8 *buf = vt_alloc(test, 100000);
	u32 a = 1, b = 0, i;

	KUNIT_EXPECT_EQ(test, vzip_crc32(0, check, 9), 0xcbf43926);
	KUNIT_EXPECT_EQ(test, vzip_checksum(VZIP_FMT_ZLIB, 1, check, 9), 0x091e01de);
	KUNIT_EXPECT_EQ(test, vzip_crc32(0, check, 0), 0);
	KUNIT_EXPECT_EQ(test, vzip_checksum(VZIP_FMT_ZLIB, 1, check, 0), 1);

	/* the modulo reductions, on data maximising the sums */
	memset(buf, 0xff, 100000);
	for (i = 0; i < 100000; i++) {
		a = (a + buf[i]) % 65521;
		b = (b + a) % 65521;
	}
	KUNIT_EXPECT_EQ(test, vzip_checksum(VZIP_FMT_ZLIB, 1, buf, 100000), b << 16 | a);

	/* in pieces as in one go */
	vt_fill(buf, 100000, 1);
	KUNIT_EXPECT_EQ(test, vzip_crc32(vzip_crc32(0, buf, 33333),
					 buf + 33333, 66667),
			vzip_crc32(0, buf, 100000));
	KUNIT_EXPECT_EQ(test, vzip_checksum(VZIP_FMT_ZLIB,
					    vzip_checksum(VZIP_FMT_ZLIB, 1, buf, 7),
					    buf + 7, 99993),
			vzip_checksum(VZIP_FMT_ZLIB, 1, buf, 100000));
	/* an empty piece, even without a buffer, changes nothing */
	KUNIT_EXPECT_EQ(test, vzip_checksum(VZIP_FMT_ZLIB, 0x1234abcd, NULL, 0),
			0x1234abcd);
	KUNIT_EXPECT_EQ(test, vzip_checksum(VZIP_FMT_GZIP, 0x1234abcd, NULL, 0),
			0x1234abcd);
}

struct vt_codec_param {
	u8 format;
	u8 level;
	u8 wbits;
};

static const struct vt_codec_param vt_codec_params[] = {
	{ VZIP_FMT_RAW, 1, 9 }, { VZIP_FMT_RAW, 1, 12 }, { VZIP_FMT_RAW, 1, 15 },
	{ VZIP_FMT_RAW, 6, 9 }, { VZIP_FMT_RAW, 6, 12 }, { VZIP_FMT_RAW, 6, 15 },
	{ VZIP_FMT_RAW, 9, 9 }, { VZIP_FMT_RAW, 9, 12 }, { VZIP_FMT_RAW, 9, 15 },
	{ VZIP_FMT_ZLIB, 1, 9 }, { VZIP_FMT_ZLIB, 1, 12 }, { VZIP_FMT_ZLIB, 1, 15 },
	{ VZIP_FMT_ZLIB, 6, 9 }, { VZIP_FMT_ZLIB, 6, 12 }, { VZIP_FMT_ZLIB, 6, 15 },
	{ VZIP_FMT_ZLIB, 9, 9 }, { VZIP_FMT_ZLIB, 9, 12 }, { VZIP_FMT_ZLIB, 9, 15 },
	{ VZIP_FMT_GZIP, 1, 9 }, { VZIP_FMT_GZIP, 1, 12 }, { VZIP_FMT_GZIP, 1, 15 },
	{ VZIP_FMT_GZIP, 6, 9 }, { VZIP_FMT_GZIP, 6, 12 }, { VZIP_FMT_GZIP, 6, 15 },
	{ VZIP_FMT_GZIP, 9, 9 }, { VZIP_FMT_GZIP, 9, 12 }, { VZIP_FMT_GZIP, 9, 15 },
};

static void vt_codec_param_desc(const struct vt_codec_param *p, char *desc)
{
	static const char *const names[] = { "raw", "zlib", "gzip" };

	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s level %u window %u",
		 names[p->format], p->level, p->wbits);
}

KUNIT_ARRAY_PARAM(vt_codec, vt_codec_params, vt_codec_param_desc);

/* Stateless round trips of empty, tiny, text-like and random data. */
static void vt_round_trip(struct kunit *test)
{
	const struct vt_codec_param *p = test->param_value;
	static const u32 lens[] = { 0, 1, VT_DATA_LEN };
	struct vzip_codec *c = vt_codec(test);
	u8 *src = vt_alloc(test, VT_DATA_LEN);
	u8 *cmp = vt_alloc(test, vt_room(VT_DATA_LEN));
	u8 *out = vt_alloc(test, VT_DATA_LEN + 1);
	int i, random;

	for (random = 0; random < 2; random++) {
		if (random)
			vt_fill_random(src, VT_DATA_LEN, p->level);
		else
			vt_fill(src, VT_DATA_LEN, p->wbits);
		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			u32 clen, dlen;

			clen = vt_compress(test, c, p->format, p->level,
					   p->wbits, src, lens[i], cmp,
					   vt_room(lens[i]));
			vt_check_independently(test, p->format, cmp, clen, src,
					       lens[i], out);
			dlen = vt_decompress(test, c, p->format, p->wbits, cmp,
					     clen, out, VT_DATA_LEN + 1);
			KUNIT_EXPECT_EQ(test, dlen, lens[i]);
			KUNIT_EXPECT_EQ(test, memcmp(out, src, lens[i]), 0);
		}
	}
}

/* Produced by user-space zlib (Python's zlib module). */
static const char vt_known_text[] =
	"WarpDrive vzip known vector: the quick brown fox jumps over the lazy dog 0123456789\n";

static const u8 vt_known_zlib[] = {
	0x78, 0xda, 0x0b, 0x4f, 0x2c, 0x2a, 0x70, 0x29, 0xca, 0x2c, 0x4b, 0x55,
	0x28, 0xab, 0xca, 0x2c, 0x50, 0xc8, 0xce, 0xcb, 0x2f, 0xcf, 0x53, 0x28,
	0x4b, 0x4d, 0x2e, 0xc9, 0x2f, 0xb2, 0x52, 0x28, 0xc9, 0x48, 0x55, 0x28,
	0x2c, 0xcd, 0x4c, 0xce, 0x56, 0x48, 0x2a, 0x02, 0x89, 0xa7, 0xe5, 0x57,
	0x28, 0x64, 0x95, 0xe6, 0x16, 0x14, 0x2b, 0xe4, 0x97, 0xa5, 0x16, 0x81,
	0xa5, 0x73, 0x12, 0xab, 0x2a, 0x15, 0x52, 0xf2, 0xd3, 0x15, 0x0c, 0x0c,
	0x8d, 0x8c, 0x4d, 0x4c, 0xcd, 0xcc, 0x2d, 0x2c, 0xb9, 0xc2, 0x87, 0x88,
	0x99, 0x00, 0x14, 0x7d, 0x57, 0x16,
};

/* FEXTRA, FNAME, FCOMMENT and FHCRC, which gzip(1) never writes together */
static const u8 vt_known_gzip[] = {
	0x1f, 0x8b, 0x08, 0x1e, 0x78, 0x56, 0x34, 0x12, 0x00, 0x03, 0x06, 0x00,
	0x41, 0x42, 0x02, 0x00, 0x78, 0x79, 0x6e, 0x61, 0x6d, 0x65, 0x2e, 0x74,
	0x78, 0x74, 0x00, 0x61, 0x20, 0x63, 0x6f, 0x6d, 0x6d, 0x65, 0x6e, 0x74,
	0x00, 0xac, 0xd0, 0x0b, 0x4f, 0x2c, 0x2a, 0x70, 0x29, 0xca, 0x2c, 0x4b,
	0x55, 0x28, 0xab, 0xca, 0x2c, 0x50, 0xc8, 0xce, 0xcb, 0x2f, 0xcf, 0x53,
	0x28, 0x4b, 0x4d, 0x2e, 0xc9, 0x2f, 0xb2, 0x52, 0x28, 0xc9, 0x48, 0x55,
	0x28, 0x2c, 0xcd, 0x4c, 0xce, 0x56, 0x48, 0x2a, 0x02, 0x89, 0xa7, 0xe5,
	0x57, 0x28, 0x64, 0x95, 0xe6, 0x16, 0x14, 0x2b, 0xe4, 0x97, 0xa5, 0x16,
	0x81, 0xa5, 0x73, 0x12, 0xab, 0x2a, 0x15, 0x52, 0xf2, 0xd3, 0x15, 0x0c,
	0x0c, 0x8d, 0x8c, 0x4d, 0x4c, 0xcd, 0xcc, 0x2d, 0x2c, 0xb9, 0xc2, 0x87,
	0x88, 0x99, 0x00, 0xa6, 0xa1, 0xf1, 0x53, 0xfc, 0x00, 0x00, 0x00,
};

/* Streams from another implementation, whole and one byte at a time. */
static void vt_known_streams(struct kunit *test)
{
	struct vzip_codec *c[2] = { vt_codec(test), vt_codec(test) };
	u32 text_len = strlen(vt_known_text);
	u8 *ctx = vt_alloc(test, vzip_ctx_size());
	u8 *out = vt_alloc(test, 1024);
	static const u32 one[] = { 1 };
	u8 *text = vt_alloc(test, 3 * text_len);
	u32 n;

	memcpy(text, vt_known_text, text_len);
	memcpy(text + text_len, vt_known_text, text_len);
	memcpy(text + 2 * text_len, vt_known_text, text_len);

	n = vt_decompress(test, c[0], VZIP_FMT_ZLIB, 0, vt_known_zlib,
			  sizeof(vt_known_zlib), out, 1024);
	KUNIT_EXPECT_EQ(test, n, 3 * text_len);
	KUNIT_EXPECT_EQ(test, memcmp(out, text, n), 0);
	n = vt_decompress(test, c[0], VZIP_FMT_GZIP, 0, vt_known_gzip,
			  sizeof(vt_known_gzip), out, 1024);
	KUNIT_EXPECT_EQ(test, n, 3 * text_len);
	KUNIT_EXPECT_EQ(test, memcmp(out, text, n), 0);

	memset(out, 0, 1024);
	n = vt_stream_decompress(test, c, VZIP_FMT_GZIP, 0, vt_known_gzip,
				 sizeof(vt_known_gzip), one, 1, out, 1024,
				 1024, ctx, false);
	KUNIT_EXPECT_EQ(test, n, 3 * text_len);
	KUNIT_EXPECT_EQ(test, memcmp(out, text, n), 0);
}

struct vt_stream_param {
	u8 format;
	u8 flush;
};

static const struct vt_stream_param vt_stream_params[] = {
	{ VZIP_FMT_RAW, VZIP_FLUSH_NONE }, { VZIP_FMT_RAW, VZIP_FLUSH_SYNC },
	{ VZIP_FMT_RAW, VZIP_FLUSH_FULL }, { VZIP_FMT_ZLIB, VZIP_FLUSH_NONE },
	{ VZIP_FMT_ZLIB, VZIP_FLUSH_SYNC }, { VZIP_FMT_ZLIB, VZIP_FLUSH_FULL },
	{ VZIP_FMT_GZIP, VZIP_FLUSH_NONE }, { VZIP_FMT_GZIP, VZIP_FLUSH_SYNC },
	{ VZIP_FMT_GZIP, VZIP_FLUSH_FULL },
};

static void vt_stream_param_desc(const struct vt_stream_param *p, char *desc)
{
	static const char *const formats[] = { "raw", "zlib", "gzip" };
	static const char *const flushes[] = { "none", "sync", "full" };

	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s %s", formats[p->format],
		 flushes[p->flush]);
}

KUNIT_ARRAY_PARAM(vt_stream, vt_stream_params, vt_stream_param_desc);

/*
 * A stream compressed in irregular pieces through two engines, then
 * decompressed whole, in irregular pieces, and byte by byte through a tiny
 * destination.
 */
static void vt_streams(struct kunit *test)
{
	const struct vt_stream_param *p = test->param_value;
	static const u32 pieces[] = { 1, 100, 4096, 5000, 0, 70000, 3, 12345 };
	static const u32 splits[] = { 1, 2, 3, 5, 7, 4093, 100, 20000 };
	static const u32 bytes[] = { 1 };
	struct vzip_codec *c[2] = { vt_codec(test), vt_codec(test) };
	u32 len = 3 * VT_DATA_LEN, cap = vt_room(len) + 8 * 64, clen, n;
	u8 *src = vt_alloc(test, len);
	u8 *cmp = vt_alloc(test, cap);
	u8 *out = vt_alloc(test, len + 1);
	u8 *ctx = vt_alloc(test, vzip_ctx_size());

	vt_fill(src, len, p->flush);
	clen = vt_stream_compress(test, c, p->format, 6, 15, p->flush, src,
				  len, pieces, ARRAY_SIZE(pieces), cmp, cap,
				  cap, ctx);
	KUNIT_ASSERT_GT(test, clen, 0);
	vt_check_independently(test, p->format, cmp, clen, src, len, out);
	n = vt_decompress(test, c[0], p->format, 15, cmp, clen, out, len + 1);
	KUNIT_EXPECT_EQ(test, n, len);
	KUNIT_EXPECT_EQ(test, memcmp(out, src, len), 0);

	memset(out, 0, len);
	n = vt_stream_decompress(test, c, p->format, 15, cmp, clen, splits,
				 ARRAY_SIZE(splits), out, len + 1, len + 1,
				 ctx, false);
	KUNIT_EXPECT_EQ(test, n, len);
	KUNIT_EXPECT_EQ(test, memcmp(out, src, len), 0);

	/* the first 2000 compressed bytes one at a time, 7 bytes of room */
	memset(out, 0, len);
	n = vt_stream_decompress(test, c, p->format, 15, cmp, 2000, bytes, 1,
				 out, len + 1, 7, ctx, true);
	KUNIT_EXPECT_GT(test, n, 2000);
	KUNIT_EXPECT_EQ(test, memcmp(out, src, n), 0);
}

/* A stream continued after OVERFLOW, in both directions. */
static void vt_overflow(struct kunit *test)
{
	static const u32 whole[] = { VT_DATA_LEN };
	struct vzip_codec *c[2] = { vt_codec(test), vt_codec(test) };
	u32 cap = 2 * VT_DATA_LEN, clen, n, room;
	u8 *src = vt_alloc(test, VT_DATA_LEN);
	u8 *cmp = vt_alloc(test, cap);
	u8 *out = vt_alloc(test, VT_DATA_LEN + 1);
	u8 *ctx = vt_alloc(test, vzip_ctx_size());
	struct vt_req r = { VZIP_OP_COMPRESS, VZIP_FMT_GZIP, VZIP_FLUSH_FINISH,
			    9 };
	struct vzip_job j;

	vt_fill(src, VT_DATA_LEN, 7);
	for (room = 64; room <= 4096; room *= 8) {
		/* level 1: each request reloads up to 32 KiB of history */
		clen = vt_stream_compress(test, c, VZIP_FMT_GZIP, 1, 15,
					  VZIP_FLUSH_NONE, src, VT_DATA_LEN,
					  whole, 1, cmp, cap, room, ctx);
		KUNIT_ASSERT_GT(test, clen, 0);
		n = vt_stream_decompress(test, c, VZIP_FMT_GZIP, 15, cmp, clen,
					 whole, 1, out, VT_DATA_LEN + 1,
					 room + 1, ctx, false);
		KUNIT_EXPECT_EQ(test, n, VT_DATA_LEN);
		KUNIT_EXPECT_EQ(test, memcmp(out, src, VT_DATA_LEN), 0);
	}

	/* without a stream: a valid prefix, and how much went in */
	vt_run(c[0], &j, &r, src, VT_DATA_LEN, cmp, 1000, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OVERFLOW);
	KUNIT_EXPECT_GT(test, j.consumed, 0);
	KUNIT_EXPECT_LT(test, j.consumed, VT_DATA_LEN);
	KUNIT_EXPECT_LE(test, j.produced, 1000);
	KUNIT_EXPECT_EQ(test, j.checksum, vzip_crc32(0, src, j.consumed));
	n = j.consumed;
	r.opcode = VZIP_OP_DECOMPRESS;
	r.flush = VZIP_FLUSH_NONE;
	r.level = 0;
	vt_run(c[1], &j, &r, cmp, j.produced, out, VT_DATA_LEN, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, j.produced, n);
	KUNIT_EXPECT_EQ(test, memcmp(out, src, n), 0);

	/* too small to make progress */
	r.opcode = VZIP_OP_COMPRESS;
	r.flush = VZIP_FLUSH_FINISH;
	vt_run(c[0], &j, &r, src, VT_DATA_LEN, cmp, 9, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OVERFLOW);
	KUNIT_EXPECT_EQ(test, j.consumed, 0);
}

/*
 * Incompressible input always fits in input + 1% + 64 bytes: where deflate
 * expands it (small windows), the device writes stored blocks.
 */
static void vt_size_bound(struct kunit *test)
{
	static const u8 windows[] = { 9, 12, 15 };
	struct vzip_codec *c = vt_codec(test);
	u32 len = 4 * VT_DATA_LEN;
	u8 *src = vt_alloc(test, len);
	u8 *cmp = vt_alloc(test, vt_room(len));
	u8 *out = vt_alloc(test, len + 1);
	int i;

	vt_fill_random(src, len, 99);
	for (i = 0; i < ARRAY_SIZE(windows); i++) {
		struct vt_req r = { VZIP_OP_COMPRESS, VZIP_FMT_GZIP,
				    VZIP_FLUSH_FINISH, 1, windows[i] };
		struct vzip_job j;

		vt_run(c, &j, &r, src, len, cmp, vt_room(len), NULL);
		KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OK);
		KUNIT_EXPECT_EQ(test, j.consumed, len);
		KUNIT_EXPECT_LE(test, j.produced, len + 64);
		if (windows[i] == 9)
			KUNIT_EXPECT_GT(test, j.stored_segments, 0);
		vt_check_independently(test, VZIP_FMT_GZIP, cmp, j.produced,
				       src, len, out);
		KUNIT_EXPECT_EQ(test, vt_decompress(test, c, VZIP_FMT_GZIP,
						    windows[i], cmp, j.produced,
						    out, len + 1), len);
		KUNIT_EXPECT_EQ(test, memcmp(out, src, len), 0);
	}
}

static void vt_copy_nop(struct kunit *test)
{
	struct vzip_codec *c = vt_codec(test);
	u8 *src = vt_alloc(test, 3 * PAGE_SIZE);
	u8 *dst = vt_alloc(test, 3 * PAGE_SIZE);
	struct vt_req r = { VZIP_OP_COPY };
	struct vzip_job j;

	vt_fill(src, 3 * PAGE_SIZE, 3);
	vt_run(c, &j, &r, src + 5, 2 * PAGE_SIZE, dst + 7, 2 * PAGE_SIZE, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, j.consumed, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, j.produced, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, memcmp(dst + 7, src + 5, 2 * PAGE_SIZE), 0);

	vt_run(c, &j, &r, src, 2 * PAGE_SIZE, dst, 100, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OVERFLOW);
	KUNIT_EXPECT_EQ(test, j.produced, 100);

	r.opcode = VZIP_OP_NOP;
	vt_run(c, &j, &r, NULL, 0, NULL, 0, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OK);
}

/* Corrupt, truncated and unacceptable compressed input. */
static void vt_corrupt(struct kunit *test)
{
	u32 out_len = 8 * VT_DATA_LEN;
	struct vzip_codec *c = vt_codec(test);
	u8 *src = vt_alloc(test, VT_DATA_LEN);
	u8 *cmp = vt_alloc(test, vt_room(VT_DATA_LEN) + 16);
	u8 *out = vt_alloc(test, out_len);
	struct vt_req r = { VZIP_OP_DECOMPRESS, VZIP_FMT_ZLIB,
			    VZIP_FLUSH_FINISH };
	struct vzip_job j;
	u32 clen, i;
	u8 flg;

	/* random, with its first 2 KiB again 8 KiB on: a distant match */
	vt_fill_random(src, VT_DATA_LEN, 11);
	memcpy(src + SZ_8K, src, SZ_2K);
	clen = vt_compress(test, c, VZIP_FMT_ZLIB, 6, 15, src, VT_DATA_LEN,
			   cmp, vt_room(VT_DATA_LEN));

	/* every 97th byte flipped in turn: an error, never a crash */
	for (i = 0; i < clen; i += 97) {
		cmp[i] ^= 0x5a;
		vt_run(c, &j, &r, cmp, clen, out, out_len, NULL);
		KUNIT_EXPECT_EQ_MSG(test, j.status, VZIP_STS_DATA_ERROR,
				    "byte %u", i);
		cmp[i] ^= 0x5a;
	}

	vt_run(c, &j, &r, cmp, clen - 1, out, VT_DATA_LEN, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_DATA_ERROR);	/* truncated */
	r.flush = VZIP_FLUSH_NONE;
	vt_run(c, &j, &r, cmp, clen - 1, out, VT_DATA_LEN, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OK);	/* more may follow */
	KUNIT_EXPECT_EQ(test, j.flags, 0);
	KUNIT_EXPECT_EQ(test, j.consumed, clen - 1);

	/* data after the stream is not consumed */
	memset(cmp + clen, 0xee, 16);
	vt_run(c, &j, &r, cmp, clen + 16, out, VT_DATA_LEN, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, j.flags, VZIP_CQE_F_STREAM_END);
	KUNIT_EXPECT_EQ(test, j.consumed, clen);

	/*
	 * A zlib header asking for a larger window than the request's; the
	 * body alone decompresses as zlib's inflate() would in one call
	 * (the distance reaches into the request's own output).  vt_window
	 * checks distances beyond the history kept between requests.
	 */
	r.wbits = 9;
	vt_run(c, &j, &r, cmp, clen, out, VT_DATA_LEN, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_DATA_ERROR);
	r.format = VZIP_FMT_RAW;
	vt_run(c, &j, &r, cmp + 2, clen - 6, out, VT_DATA_LEN, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, j.produced, VT_DATA_LEN);
	KUNIT_EXPECT_EQ(test, memcmp(out, src, VT_DATA_LEN), 0);
	r.wbits = 0;

	/* a preset dictionary */
	r.format = VZIP_FMT_ZLIB;
	flg = (cmp[1] & 0xc0) | 0x20;
	cmp[1] = flg | (31 - (cmp[0] << 8 | flg) % 31) % 31;
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(cmp) % 31, 0);
	vt_run(c, &j, &r, cmp, clen, out, VT_DATA_LEN, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_DATA_ERROR);

	/* a gzip header whose CRC does not match */
	memcpy(cmp, vt_known_gzip, sizeof(vt_known_gzip));
	cmp[37] ^= 1;
	r.format = VZIP_FMT_GZIP;
	vt_run(c, &j, &r, cmp, sizeof(vt_known_gzip), out, VT_DATA_LEN, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_DATA_ERROR);
	/* a gzip trailer whose size does not match */
	memcpy(cmp, vt_known_gzip, sizeof(vt_known_gzip));
	cmp[sizeof(vt_known_gzip) - 1] ^= 1;
	vt_run(c, &j, &r, cmp, sizeof(vt_known_gzip), out, VT_DATA_LEN, NULL);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_DATA_ERROR);
}

/* Contexts the device did not write, or for another stream, are refused. */
static void vt_sealed_contexts(struct kunit *test)
{
	struct vzip_codec *c = vt_codec(test);
	u32 size = vzip_ctx_size();
	u8 *ctx = vt_alloc(test, size);
	u8 *copy = vt_alloc(test, size);
	u8 *src = vt_alloc(test, VT_DATA_LEN);
	u8 *cmp = vt_alloc(test, vt_room(VT_DATA_LEN));
	u8 *out = vt_alloc(test, VT_DATA_LEN);
	struct vt_req r = { VZIP_OP_COMPRESS, VZIP_FMT_ZLIB, VZIP_FLUSH_SYNC,
			    6, 15, true, true };
	struct vzip_job j;
	u32 clen, i;

	KUNIT_ASSERT_GT(test, size, 0);
	vt_fill(src, VT_DATA_LEN, 5);
	vt_fill_random(ctx, size, 5);
	r.new_stream = false;
	vt_run(c, &j, &r, src, 100, cmp, 1000, ctx);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_INVALID);	/* garbage */

	r.new_stream = true;	/* NEW_STREAM ignores the old contents */
	vt_run(c, &j, &r, src, 100, cmp, 1000, ctx);
	KUNIT_ASSERT_EQ(test, j.status, VZIP_STS_OK);
	memcpy(copy, ctx, size);
	r.new_stream = false;
	for (i = 0; i < 64; i += 5) {	/* every field of the header */
		ctx[i] ^= 0x10;
		vt_run(c, &j, &r, src, 100, cmp, 1000, ctx);
		KUNIT_EXPECT_EQ_MSG(test, j.status, VZIP_STS_INVALID,
				    "byte %u", i);
		memcpy(ctx, copy, size);
	}
	r.format = VZIP_FMT_GZIP;	/* another format */
	vt_run(c, &j, &r, src, 100, cmp, 1000, ctx);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_INVALID);
	r.format = VZIP_FMT_ZLIB;
	r.wbits = 12;			/* another window */
	vt_run(c, &j, &r, src, 100, cmp, 1000, ctx);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_INVALID);
	r.wbits = 15;
	r.opcode = VZIP_OP_DECOMPRESS;	/* another direction */
	r.level = 0;
	vt_run(c, &j, &r, cmp, 10, out, 1000, ctx);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_INVALID);
	r.opcode = VZIP_OP_COMPRESS;
	r.flush = VZIP_FLUSH_FINISH;	/* the stream ends ... */
	vt_run(c, &j, &r, src, 100, cmp, 1000, ctx);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OK);
	vt_run(c, &j, &r, src, 100, cmp, 1000, ctx);	/* ... for good */
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_INVALID);

	/* a decompressor state mid-stream, tampered with */
	clen = vt_compress(test, c, VZIP_FMT_RAW, 6, 15, src, VT_DATA_LEN, cmp,
			   vt_room(VT_DATA_LEN));
	r = (struct vt_req){ VZIP_OP_DECOMPRESS, VZIP_FMT_RAW, VZIP_FLUSH_NONE,
			     0, 15, true, true };
	vt_run(c, &j, &r, cmp, clen / 2, out, VT_DATA_LEN, ctx);
	KUNIT_ASSERT_EQ(test, j.status, VZIP_STS_OK);
	memcpy(copy, ctx, size);
	r.new_stream = false;
	for (i = 64; i < 64 + 9000; i += 499) {
		ctx[i] ^= 0x80;
		vt_run(c, &j, &r, cmp + clen / 2, 10, out, VT_DATA_LEN, ctx);
		KUNIT_EXPECT_EQ_MSG(test, j.status, VZIP_STS_INVALID,
				    "byte %u", i);
		memcpy(ctx, copy, size);
	}
	/* the untouched copy still continues the stream */
	vt_run(c, &j, &r, cmp + clen / 2, clen - clen / 2, out, VT_DATA_LEN,
	       ctx);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, j.flags, VZIP_CQE_F_STREAM_END);
}

/*
 * A saved decompression context holds nothing of what the engine decoded
 * before for another queue: a new stream saved in a stored block gives
 * the same context on an engine fresh from probe and on one that has just
 * decoded dynamic Huffman blocks (whose code lengths, left in the
 * workspace, would tell which bytes another tenant's data holds).
 */
static void vt_context_clean(struct kunit *test)
{
	struct vzip_codec *fresh = vt_codec(test), *used = vt_codec(test);
	u32 size = vzip_ctx_size();
	u8 *ctx_fresh = vt_alloc(test, size), *ctx_used = vt_alloc(test, size);
	u8 *src = vt_alloc(test, VT_DATA_LEN);
	u8 *cmp = vt_alloc(test, vt_room(VT_DATA_LEN));
	u8 *out = vt_alloc(test, VT_DATA_LEN);
	struct vt_req r = { VZIP_OP_DECOMPRESS, VZIP_FMT_RAW, VZIP_FLUSH_NONE,
			    0, 15, true, true };
	struct vzip_job j;
	u32 clen;

	BUILD_BUG_ON(VT_DATA_LEN > U16_MAX);
	vt_fill(src, VT_DATA_LEN, 9);
	clen = vt_compress(test, used, VZIP_FMT_RAW, 6, 15, src, VT_DATA_LEN,
			   cmp, vt_room(VT_DATA_LEN));
	KUNIT_ASSERT_EQ(test, cmp[0] & 0x6, 0x4);	/* a dynamic block */
	vt_decompress(test, used, VZIP_FMT_RAW, 15, cmp, clen, out,
		      VT_DATA_LEN);

	/* one final stored block: BFINAL, BTYPE 00, LEN, NLEN, the bytes */
	cmp[0] = 1;
	put_unaligned_le16(VT_DATA_LEN, cmp + 1);
	put_unaligned_le16((u16)~VT_DATA_LEN, cmp + 3);
	memcpy(cmp + 5, src, VT_DATA_LEN);
	vt_run(fresh, &j, &r, cmp, 1000, out, VT_DATA_LEN, ctx_fresh);
	KUNIT_ASSERT_EQ(test, j.status, VZIP_STS_OK);
	vt_run(used, &j, &r, cmp, 1000, out, VT_DATA_LEN, ctx_used);
	KUNIT_ASSERT_EQ(test, j.status, VZIP_STS_OK);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(ctx_fresh, ctx_used, size), 0,
			    "the context saved on a used engine differs");
}

/* ---- window edges: distances around 2^window_bits, split anywhere ---- */

/* A raw deflate stream of one fixed-Huffman block, written bit by bit. */
struct vt_bits {
	u8 *buf;
	u32 len;
	u32 cap;
	u32 hold;
	u32 nbits;
};

static void vt_put_bits(struct vt_bits *b, u32 val, u32 n)
{
	b->hold |= (val & (BIT(n) - 1)) << b->nbits;
	b->nbits += n;
	while (b->nbits >= 8) {
		if (b->len < b->cap)
			b->buf[b->len] = b->hold;
		b->len++;
		b->hold >>= 8;
		b->nbits -= 8;
	}
}

/* Huffman codes go out most significant bit first. */
static void vt_put_code(struct vt_bits *b, u32 code, u32 n)
{
	u32 rev = 0, i;

	for (i = 0; i < n; i++)
		rev |= ((code >> i) & 1) << (n - 1 - i);
	vt_put_bits(b, rev, n);
}

static void vt_put_literal(struct vt_bits *b, u8 c)
{
	if (c < 144)
		vt_put_code(b, 0x30 + c, 8);
	else
		vt_put_code(b, 0x190 + c - 144, 9);
}

/* A match of 258 bytes (code 285) at distance @dist, 1 to 32768. */
static void vt_put_match(struct vt_bits *b, u32 dist)
{
	u32 code = 0, base = 1, extra = 0;

	vt_put_code(b, 0xc5, 8);	/* 285: 280-287 are 0xc0 + n, 8 bits */
	/* distance codes: 0-3 alone, then pairs sharing extra bits */
	while (code < 29) {
		u32 next_extra = (code + 1) < 4 ? 0 : (code + 1) / 2 - 1;
		u32 next_base = base + (1U << extra);

		if (dist < next_base)
			break;
		code++;
		base = next_base;
		extra = next_extra;
	}
	vt_put_code(b, code, 5);
	vt_put_bits(b, dist - base, extra);
}

#define VT_WIN_MATCHES	50	/* 12900 bytes of matches: several pages */

/*
 * Writes @format's stream of @lits random bytes followed by VT_WIN_MATCHES
 * matches at distance @dist, with a header that declares window @wbits;
 * @data gets the decompressed bytes (if @dist <= @lits: else the stream
 * is corrupt).  Returns the stream's length.
 */
static u32 vt_window_stream(u8 format, u8 wbits, u32 lits, u32 dist,
			    u8 *data, u8 *cmp, u32 cap)
{
	struct vt_bits b = { .buf = cmp, .cap = cap };
	u32 total = lits + VT_WIN_MATCHES * 258, i, sum;

	vt_fill_random(data, lits, dist);
	for (i = lits; i < total; i++)
		data[i] = dist <= lits ? data[i - dist] : 0;
	if (format == VZIP_FMT_ZLIB) {
		u32 hdr = ((wbits - 8) << 4 | 8) << 8;

		hdr += (31 - hdr % 31) % 31;	/* FCHECK */
		vt_put_bits(&b, hdr >> 8, 8);
		vt_put_bits(&b, hdr & 0xff, 8);
	} else if (format == VZIP_FMT_GZIP) {
		static const u8 gz[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };

		for (i = 0; i < sizeof(gz); i++)
			vt_put_bits(&b, gz[i], 8);
	}
	vt_put_bits(&b, 1, 1);			/* BFINAL */
	vt_put_bits(&b, 1, 2);			/* BTYPE 01: fixed codes */
	for (i = 0; i < lits; i++)
		vt_put_literal(&b, data[i]);
	for (i = 0; i < VT_WIN_MATCHES; i++)
		vt_put_match(&b, dist);
	vt_put_code(&b, 0, 7);			/* end of block */
	if (b.nbits)				/* to a byte boundary */
		vt_put_bits(&b, 0, 8 - b.nbits);
	sum = vt_checksum(format, data, total);
	for (i = 0; i < 4 && format == VZIP_FMT_ZLIB; i++)
		vt_put_bits(&b, sum >> (24 - 8 * i), 8);
	for (i = 0; i < 4 && format == VZIP_FMT_GZIP; i++)
		vt_put_bits(&b, sum >> (8 * i), 8);
	for (i = 0; i < 4 && format == VZIP_FMT_GZIP; i++)
		vt_put_bits(&b, total >> (8 * i), 8);
	return b.len;
}

/*
 * Decompresses @cmp in requests of @first destination bytes and then the
 * rest, through a stream context.  Returns the last request's status;
 * @out holds what the requests produced.
 */
static u16 vt_window_split(struct kunit *test, struct vzip_codec *c,
			   u8 format, u8 wbits, const u8 *cmp, u32 clen,
			   u32 first, u8 *out, u32 total, u8 *ctx)
{
	struct vt_req r = { VZIP_OP_DECOMPRESS, format, VZIP_FLUSH_FINISH, 0,
			    wbits, true, true };
	struct vzip_job j;

	r.flush = VZIP_FLUSH_NONE;
	vt_run(c, &j, &r, cmp, clen, out, first, ctx);
	KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OVERFLOW);
	KUNIT_EXPECT_EQ(test, j.produced, first);
	if (j.status != VZIP_STS_OVERFLOW)
		return j.status;
	r.flush = VZIP_FLUSH_FINISH;
	r.new_stream = false;
	vt_run(c, &j, &r, cmp + j.consumed, clen - j.consumed, out + first,
	       total - first, ctx);
	if (j.status == VZIP_STS_OK) {
		KUNIT_EXPECT_EQ(test, j.produced, total - first);
		KUNIT_EXPECT_EQ(test, j.flags, VZIP_CQE_F_STREAM_END);
	}
	return j.status;
}

/*
 * A request decompresses like one call of zlib's inflate() with the whole
 * destination: distances may reach into its own output, which the kernel's
 * inflate, called page by page, sees in pieces (issue 11: a match cut at a
 * page boundary was finished from outside the window).  Between requests
 * only 2^window_bits bytes of history are kept: a match that reaches
 * further back from the next request is a DATA_ERROR, as in zlib.
 */
static void vt_window(struct kunit *test)
{
	static const u8 formats[] = { VZIP_FMT_RAW, VZIP_FMT_ZLIB,
				      VZIP_FMT_GZIP };
	static const u32 offsets[] = { 0, 1, 100, PAGE_SIZE - 1 };
	const u8 *wbits_p = test->param_value;
	u8 wbits = *wbits_p;
	u32 window = 1U << wbits, cap = VZIP_WINDOW_MAX + SZ_16K;
	struct vzip_codec *c = vt_codec(test);
	u8 *data = vt_alloc(test, cap);
	u8 *cmp = vt_alloc(test, 2 * cap);
	u8 *out = vt_alloc(test, cap + PAGE_SIZE);
	u8 *ctx = vt_alloc(test, vzip_ctx_size());
	int f, k, i;

	for (f = 0; f < ARRAY_SIZE(formats); f++) {
		for (k = -1; k <= 1; k++) {
			u32 dist = window + k, total, clen, first;
			struct vt_req r = { VZIP_OP_DECOMPRESS, formats[f],
					    VZIP_FLUSH_FINISH, 0, wbits };
			bool far = dist > window;
			struct vzip_job j;
			u16 status;

			if (dist > VZIP_WINDOW_MAX)
				continue;	/* deflate has no such distance */
			total = dist + VT_WIN_MATCHES * 258;
			clen = vt_window_stream(formats[f], wbits, dist, dist,
						data, cmp, 2 * cap);
			KUNIT_ASSERT_LE(test, clen, 2 * cap);

			/* one request: the same anywhere in a page */
			for (i = 0; i < ARRAY_SIZE(offsets); i++) {
				memset(out, 0, cap + PAGE_SIZE);
				vt_run(c, &j, &r, cmp, clen, out + offsets[i],
				       total, NULL);
				KUNIT_EXPECT_EQ_MSG(test, j.status, VZIP_STS_OK,
						    "format %u dist %u offset %u",
						    formats[f], dist,
						    offsets[i]);
				KUNIT_EXPECT_EQ(test, j.produced, total);
				KUNIT_EXPECT_EQ(test, j.consumed, clen);
				KUNIT_EXPECT_EQ(test, memcmp(out + offsets[i],
							     data, total), 0);
			}

			/*
			 * Two requests: the second starts right before the
			 * first match, or inside it.
			 */
			for (first = dist; first <= dist + 100; first += 100) {
				status = vt_window_split(test, c, formats[f],
							 wbits, cmp, clen,
							 first, out, total,
							 ctx);
				KUNIT_EXPECT_EQ_MSG(test, status,
						    far ? VZIP_STS_DATA_ERROR :
							  VZIP_STS_OK,
						    "format %u dist %u first %u",
						    formats[f], dist, first);
				if (!far)
					KUNIT_EXPECT_EQ(test,
							memcmp(out, data, total),
							0);
			}
		}
	}

	/*
	 * A distance past the start of the stream, right where the first
	 * request's destination ends: zlib finds it when it copies the
	 * match, in its next call, and so does the device.
	 */
	for (f = 0; f < ARRAY_SIZE(formats) && window < VZIP_WINDOW_MAX; f++) {
		struct vt_req r = { VZIP_OP_DECOMPRESS, formats[f],
				    VZIP_FLUSH_FINISH, 0, wbits };
		u32 total = window + VT_WIN_MATCHES * 258, clen;
		struct vzip_job j;
		u16 status;

		clen = vt_window_stream(formats[f], wbits, window, window + 1,
					data, cmp, 2 * cap);
		vt_run(c, &j, &r, cmp, clen, out, total, NULL);
		KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_DATA_ERROR);
		status = vt_window_split(test, c, formats[f], wbits, cmp, clen,
					 window, out, total, ctx);
		KUNIT_EXPECT_EQ(test, status, VZIP_STS_DATA_ERROR);
		KUNIT_EXPECT_EQ(test, memcmp(out, data, window), 0);
	}

	/*
	 * Issue 11's reproducer: a random 2 KiB block 16 times, compressed
	 * with the largest window, decompressed into a page-aligned 64 KiB.
	 */
	{
		struct vt_req r = { VZIP_OP_DECOMPRESS, VZIP_FMT_RAW,
				    VZIP_FLUSH_FINISH, 0, wbits };
		u8 *big = vt_alloc(test, SZ_64K);
		u32 clen, total = 16 * SZ_2K;
		struct vzip_job j;
		u16 status;

		vt_fill_random(data, SZ_2K, 2048);
		for (i = 1; i < 16; i++)
			memcpy(data + i * SZ_2K, data, SZ_2K);
		clen = vt_compress(test, c, VZIP_FMT_RAW, 6, 15, data, total,
				   cmp, vt_room(total));
		vt_run(c, &j, &r, cmp, clen, big, SZ_64K, NULL);
		KUNIT_EXPECT_EQ(test, j.status, VZIP_STS_OK);
		KUNIT_EXPECT_EQ(test, j.produced, total);
		KUNIT_EXPECT_EQ(test, memcmp(big, data, total), 0);
		status = vt_window_split(test, c, VZIP_FMT_RAW, wbits, cmp,
					 clen, SZ_2K, big, total, ctx);
		KUNIT_EXPECT_EQ(test, status, SZ_2K > window ?
				VZIP_STS_DATA_ERROR : VZIP_STS_OK);
	}
}

static const u8 vt_window_bits[] = { 9, 10, 11, 12, 13, 14, 15 };

static void vt_window_desc(const u8 *wbits, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "window %u", *wbits);
}

KUNIT_ARRAY_PARAM(vt_window, vt_window_bits, vt_window_desc);

static struct kunit_case vt_codec_cases[] = {
	KUNIT_CASE(vt_checksums),
	KUNIT_CASE_PARAM(vt_round_trip, vt_codec_gen_params),
	KUNIT_CASE(vt_known_streams),
	KUNIT_CASE_PARAM(vt_streams, vt_stream_gen_params),
	KUNIT_CASE(vt_overflow),
	KUNIT_CASE(vt_size_bound),
	KUNIT_CASE(vt_copy_nop),
	KUNIT_CASE(vt_corrupt),
	KUNIT_CASE(vt_sealed_contexts),
	KUNIT_CASE(vt_context_clean),
	KUNIT_CASE_PARAM(vt_window, vt_window_gen_params),
	{}
};

static int vt_codec_init(struct kunit *test)
{
	if (!vzip_ctx_size())
		kunit_skip(test, "no stream contexts on this kernel");
	return 0;
}

static struct kunit_suite vt_codec_suite = {
	.name = "vzip_codec",
	.init = vt_codec_init,
	.test_cases = vt_codec_cases,
};

/* ---- a live test device ---- */

static const struct wd_accel_geometry vt_cfg = {
	.nr_queues = 2,
	.nr_engines = 1,
	.ring_depth = 4,
	.max_len = SZ_256K,
	.ss_size = SZ_512K,
	.idle_us = 200,
	.sva = false,
};

/**
 * struct vt_dev - a test device and two queues opened on it
 * @pdev: the platform device
 * @vdev: its driver state
 * @ops: its uacce callbacks
 * @uq: the uacce side of the queues, as the core would set them up
 * @q: the hardware queues behind them
 * @ss: their SS regions
 */
struct vt_dev {
	struct platform_device *pdev;
	struct vzip_device *vdev;
	const struct uacce_ops *ops;
	struct uacce_queue uq[2];
	struct wd_hwq *q[2];
	struct uacce_qfile_region ss[2];
};

static void vt_dev_free(struct kunit_resource *res)
{
	struct vt_dev *d = res->data;
	int i;

	for (i = 0; i < 2; i++) {
		if (d->q[i]) {
			d->ops->stop_queue(&d->uq[i]);
			d->ops->put_queue(&d->uq[i]);
		}
		if (d->ss[i].kaddr)
			dma_free_coherent(&d->pdev->dev, d->ss[i].size,
					  d->ss[i].kaddr, d->ss[i].dma);
	}
	vzip_test_device_del(d->pdev);
	kfree(d);
}

/* A device with both queues allocated, their SS mapped, and started. */
static struct vt_dev *vt_dev(struct kunit *test, bool start)
{
	struct vt_dev *d = kzalloc(sizeof(*d), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->pdev = vzip_test_device_add(&vt_cfg, NUMA_NO_NODE);
	if (IS_ERR(d->pdev)) {
		kfree(d);
		KUNIT_ASSERT_FAILURE(test, "cannot create a device");
	}
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL,
							 vt_dev_free,
							 GFP_KERNEL, d));
	d->vdev = platform_get_drvdata(d->pdev);
	KUNIT_ASSERT_NOT_NULL(test, d->vdev);
	d->ops = d->vdev->accel.uacce->ops;

	for (i = 0; i < 2; i++) {
		struct uacce_queue *uq = &d->uq[i];

		uq->uacce = d->vdev->accel.uacce;
		init_waitqueue_head(&uq->wait);
		uacce_tenant_init(&uq->own_tenant);
		uq->tenant = &uq->own_tenant;
		d->ss[i].type = UACCE_QFRT_SS;
		d->ss[i].size = vt_cfg.ss_size;
		d->ss[i].kaddr = dma_alloc_coherent(&d->pdev->dev,
						    d->ss[i].size,
						    &d->ss[i].dma, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, d->ss[i].kaddr);
		d->ss[i].nr_vmas = 1;	/* as if mapped */
		uq->qfrs[UACCE_QFRT_SS] = &d->ss[i];
		KUNIT_ASSERT_EQ(test, d->ops->get_queue(uq->uacce, 0, uq), 0);
		d->q[i] = uq->priv;
		if (start)
			KUNIT_ASSERT_EQ(test, d->ops->start_queue(uq), 0);
	}
	return d;
}

static __le32 *vt_word(struct wd_hwq *q, unsigned int offset)
{
	return q->ring.dus + offset;
}

/* The application's loads and stores of the control page. */
static u32 vt_ctrl(struct wd_hwq *q, unsigned int offset)
{
	/* pairs with the device's store-release of its indices */
	return le32_to_cpu(smp_load_acquire(vt_word(q, offset)));
}

static void vt_set_ctrl(struct wd_hwq *q, unsigned int offset, u32 val)
{
	/* entries are written before the index that publishes them */
	smp_store_release(vt_word(q, offset), cpu_to_le32(val));
}

/* Publishes a request, without the doorbell. */
static void vt_post(struct wd_hwq *q, const struct vzip_sqe *sqe)
{
	u32 tail = vt_ctrl(q, VZIP_CTRL_SQ_TAIL);

	((struct vzip_sqe *)q->ring.sq)[tail & (vt_cfg.ring_depth - 1)] = *sqe;
	vt_set_ctrl(q, VZIP_CTRL_SQ_TAIL, tail + 1);
}

/* The application's side of the doorbell protocol. */
static void vt_doorbell(struct vt_dev *d, int i)
{
	/* the new sq_tail before the flag: pairs with the engine's barrier */
	smp_mb();
	if (vt_ctrl(d->q[i], VZIP_CTRL_DEV_FLAGS) & VZIP_DEV_F_NEED_WAKEUP)
		d->ops->wake_queue(&d->uq[i]);
}

/* Waits until @n completions are ready on queue @i. */
static bool vt_wait(struct vt_dev *d, int i, u32 n)
{
	struct wd_hwq *q = d->q[i];
	unsigned long end = jiffies + msecs_to_jiffies(VT_TIMEOUT_MS);

	while (vt_ctrl(q, VZIP_CTRL_CQ_TAIL) - vt_ctrl(q, VZIP_CTRL_CQ_HEAD) < n) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(100, 200);
	}
	return true;
}

static struct vzip_cqe vt_pop(struct wd_hwq *q)
{
	u32 head = vt_ctrl(q, VZIP_CTRL_CQ_HEAD);
	struct vzip_cqe *cq = q->ring.cq;
	struct vzip_cqe cqe = cq[head & (vt_cfg.ring_depth - 1)];

	vt_set_ctrl(q, VZIP_CTRL_CQ_HEAD, head + 1);
	return cqe;
}

static struct vzip_sqe vt_sqe(u8 opcode, u64 user_data)
{
	struct vzip_sqe sqe = {
		.opcode = opcode,
		.version = VZIP_SQE_VERSION,
		.user_data = cpu_to_le64(user_data),
	};

	return sqe;
}

static struct vzip_cqe vt_exec(struct kunit *test, struct vt_dev *d, int i,
			       const struct vzip_sqe *sqe)
{
	struct vzip_cqe none = { .status = cpu_to_le16(0xffff) };

	vt_post(d->q[i], sqe);
	vt_doorbell(d, i);
	if (!vt_wait(d, i, 1)) {
		KUNIT_FAIL(test, "no completion");
		return none;
	}
	return vt_pop(d->q[i]);
}

/*
 * Waits for the (only) engine to be asleep: the flag announced, its last
 * look at the rings taken (between counting a sleep and counting the
 * wake-up), and no kick pending.  The kick is read, not inferred: one
 * from START_Q that the engine has not yet run to see leaves the
 * counters still for as long as the host does not schedule its vCPU,
 * which on a loaded machine was longer than the 20 ms they must stay put.
 */
static bool vt_wait_asleep(struct vt_dev *d, int i)
{
	unsigned long end = jiffies + msecs_to_jiffies(VT_TIMEOUT_MS);
	struct wd_engine_dev *s = &d->vdev->accel.eng;

	while (time_before(jiffies, end)) {
		s64 sleeps = atomic64_read(&s->sleeps);
		s64 wakeups = atomic64_read(&s->wakeups);

		if ((vt_ctrl(d->q[i], VZIP_CTRL_DEV_FLAGS) &
		     VZIP_DEV_F_NEED_WAKEUP) && sleeps != wakeups) {
			msleep(20);
			if (atomic64_read(&s->sleeps) == sleeps &&
			    atomic64_read(&s->wakeups) == wakeups &&
			    !atomic_read(&s->kick))
				return true;
		}
		usleep_range(100, 200);
	}
	return false;
}

static void vt_registers(struct kunit *test)
{
	struct vt_dev *d = vt_dev(test, false);
	const __le32 *regs = d->q[1]->mmio;

	KUNIT_EXPECT_EQ(test, le32_to_cpu(regs[VZIP_REG_MAGIC / 4]), VZIP_MAGIC);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(regs[VZIP_REG_VERSION / 4]),
			VZIP_HW_VERSION);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(regs[VZIP_REG_QID / 4]),
			d->q[1]->qid);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(regs[VZIP_REG_RING_DEPTH / 4]), 4);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(regs[VZIP_REG_SQE_SIZE / 4]), 64);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(regs[VZIP_REG_CQE_SIZE / 4]), 32);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(regs[VZIP_REG_CTX_SIZE / 4]),
			vzip_ctx_size());
	KUNIT_EXPECT_EQ(test, le32_to_cpu(regs[VZIP_REG_MAX_LEN / 4]),
			vt_cfg.max_len);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(regs[VZIP_REG_CAPS / 4]) &
			VZIP_CAP_SVA, 0);
	KUNIT_EXPECT_PTR_EQ(test, d->q[1]->ring.sq,
			    d->q[1]->ring.dus +
			    le32_to_cpu(regs[VZIP_REG_SQ_OFFSET / 4]));
	KUNIT_EXPECT_PTR_EQ(test, d->q[1]->ring.cq,
			    d->q[1]->ring.dus +
			    le32_to_cpu(regs[VZIP_REG_CQ_OFFSET / 4]));
	KUNIT_EXPECT_EQ(test, d->ops->get_available_instances(d->vdev->accel.uacce),
			0);
}

/* Requests one at a time round a 4-entry ring, and across 2^32. */
static void vt_ring_wrap(struct kunit *test)
{
	struct vt_dev *d = vt_dev(test, true);
	u32 first;
	int i;

	for (first = 0; first != 2; first++) {
		if (first) {
			d->ops->stop_queue(&d->uq[0]);
			wd_ring_reset(&d->q[0]->ring, 0xfffffffd);
			KUNIT_ASSERT_EQ(test, d->ops->start_queue(&d->uq[0]), 0);
		}
		for (i = 0; i < 10; i++) {
			struct vzip_sqe sqe = vt_sqe(VZIP_OP_NOP, 1000 + i);
			struct vzip_cqe cqe = vt_exec(test, d, 0, &sqe);

			KUNIT_EXPECT_EQ(test, le16_to_cpu(cqe.status),
					VZIP_STS_OK);
			KUNIT_EXPECT_EQ(test, le64_to_cpu(cqe.user_data),
					1000 + i);
		}
		KUNIT_EXPECT_EQ(test, vt_ctrl(d->q[0], VZIP_CTRL_SQ_HEAD),
				(first ? 0xfffffffd : 0) + 10);
	}
}

/*
 * A full CQ holds the device back; freeing it and ringing the doorbell
 * lets it go on.  An sq_tail more than a ring ahead is ignored.
 */
static void vt_back_pressure(struct kunit *test)
{
	struct vt_dev *d = vt_dev(test, true);
	struct wd_hwq *q = d->q[0];
	struct vzip_sqe sqe = vt_sqe(VZIP_OP_NOP, 1);
	int i;

	for (i = 0; i < 4; i++)
		vt_post(q, &sqe);
	vt_doorbell(d, 0);
	KUNIT_ASSERT_TRUE(test, vt_wait(d, 0, 4));
	vt_post(q, &sqe);		/* the application breaks the limit */
	vt_doorbell(d, 0);
	msleep(50);
	KUNIT_EXPECT_EQ(test, vt_ctrl(q, VZIP_CTRL_CQ_TAIL), 4);
	KUNIT_EXPECT_EQ(test, vt_ctrl(q, VZIP_CTRL_SQ_HEAD), 4);
	for (i = 0; i < 4; i++)
		vt_pop(q);
	d->ops->wake_queue(&d->uq[0]);
	KUNIT_ASSERT_TRUE(test, vt_wait(d, 0, 1));
	vt_pop(q);

	vt_set_ctrl(q, VZIP_CTRL_SQ_TAIL, vt_ctrl(q, VZIP_CTRL_SQ_TAIL) + 5);
	d->ops->wake_queue(&d->uq[0]);
	msleep(50);
	KUNIT_EXPECT_EQ(test, vt_ctrl(q, VZIP_CTRL_CQ_TAIL), 5);
	vt_set_ctrl(q, VZIP_CTRL_SQ_TAIL, vt_ctrl(q, VZIP_CTRL_SQ_TAIL) - 5);
	sqe = vt_sqe(VZIP_OP_NOP, 2);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(vt_exec(test, d, 0, &sqe).user_data),
			2);
}

/* The engine sleeps only after announcing it, and a doorbell wakes it. */
static void vt_doorbell_protocol(struct kunit *test)
{
	struct vt_dev *d = vt_dev(test, true);
	struct vzip_sqe sqe = vt_sqe(VZIP_OP_NOP, 3);
	u64 sleeps;

	KUNIT_ASSERT_TRUE(test, vt_wait_asleep(d, 0));
	KUNIT_EXPECT_TRUE(test, vt_ctrl(d->q[1], VZIP_CTRL_DEV_FLAGS) &
			  VZIP_DEV_F_NEED_WAKEUP);
	sleeps = atomic64_read(&d->vdev->accel.eng.sleeps);
	vt_post(d->q[0], &sqe);		/* no doorbell: not served */
	msleep(50);
	KUNIT_EXPECT_EQ(test, vt_ctrl(d->q[0], VZIP_CTRL_CQ_TAIL), 0);
	vt_doorbell(d, 0);
	KUNIT_ASSERT_TRUE(test, vt_wait(d, 0, 1));
	KUNIT_EXPECT_EQ(test, le16_to_cpu(vt_pop(d->q[0]).status),
			VZIP_STS_OK);
	KUNIT_EXPECT_GE(test, atomic64_read(&d->vdev->accel.eng.wakeups), sleeps);

	/* a stopped queue is never served, and says so */
	d->ops->stop_queue(&d->uq[1]);
	KUNIT_EXPECT_TRUE(test, vt_ctrl(d->q[1], VZIP_CTRL_DEV_FLAGS) &
			  VZIP_DEV_F_NEED_WAKEUP);
	vt_post(d->q[1], &sqe);
	d->ops->wake_queue(&d->uq[0]);
	msleep(50);
	KUNIT_EXPECT_EQ(test, vt_ctrl(d->q[1], VZIP_CTRL_CQ_TAIL), 0);
	KUNIT_ASSERT_EQ(test, d->ops->start_queue(&d->uq[1]), 0);
	KUNIT_EXPECT_TRUE(test, vt_wait(d, 1, 1));	/* START_Q wakes */
}

/* The queues of the requests the device completed, in its order. */
static struct {
	spinlock_t lock;	/* protects the rest */
	const struct vzip_device *vdev;
	u32 qid[16];
	unsigned int n;
} vt_order;

static void vt_order_probe(void *data, const struct vzip_device *vdev,
			   unsigned int engine, const struct wd_hwq *q,
			   u32 index, u8 opcode, u16 status)
{
	spin_lock(&vt_order.lock);
	if (vdev == vt_order.vdev && vt_order.n < ARRAY_SIZE(vt_order.qid))
		vt_order.qid[vt_order.n++] = q->qid;
	spin_unlock(&vt_order.lock);
}

/*
 * A queue with little work is not made to wait behind another's backlog:
 * with four slow requests queued on one queue, a NOP on the other waits
 * for at most one of them (the scheduler's order, read from its trace
 * event, not from when this thread looks).
 */
static void vt_round_robin(struct kunit *test)
{
	struct vt_dev *d = vt_dev(test, true);
	struct vzip_sqe slow = vt_sqe(VZIP_OP_COMPRESS, 10);
	struct vzip_sqe nop = vt_sqe(VZIP_OP_NOP, 20);
	unsigned int i, first_nop;

	vt_fill_random(d->ss[0].kaddr, SZ_128K, 10);
	slow.format = VZIP_FMT_RAW;
	slow.level = 9;
	slow.flush = VZIP_FLUSH_FINISH;
	slow.src = cpu_to_le64(d->ss[0].dma);
	slow.src_len = cpu_to_le32(SZ_128K);
	slow.dst = cpu_to_le64(d->ss[0].dma + SZ_256K);
	slow.dst_len = cpu_to_le32(SZ_256K);
	spin_lock_init(&vt_order.lock);
	vt_order.vdev = d->vdev;
	vt_order.n = 0;
	KUNIT_ASSERT_EQ(test, register_trace_vzip_request(vt_order_probe, NULL),
			0);
	KUNIT_ASSERT_TRUE(test, vt_wait_asleep(d, 0));
	for (i = 0; i < 4; i++)
		vt_post(d->q[0], &slow);
	vt_post(d->q[1], &nop);
	vt_doorbell(d, 1);
	KUNIT_EXPECT_TRUE(test, vt_wait(d, 1, 1));
	KUNIT_EXPECT_TRUE(test, vt_wait(d, 0, 4));
	unregister_trace_vzip_request(vt_order_probe, NULL);
	tracepoint_synchronize_unregister();
	KUNIT_ASSERT_EQ(test, vt_order.n, 5);
	for (first_nop = 0; first_nop < 5; first_nop++)
		if (vt_order.qid[first_nop] == d->q[1]->qid)
			break;
	KUNIT_EXPECT_LE_MSG(test, first_nop, 1,
			    "slow requests before the NOP: %u", first_nop);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, le16_to_cpu(vt_pop(d->q[0]).status),
				VZIP_STS_OK);
}

/* The SS data path: addresses inside the region work, others fail. */
static void vt_ss_path(struct kunit *test)
{
	struct vt_dev *d = vt_dev(test, true);
	u8 *mem = d->ss[0].kaddr;
	u64 base = d->ss[0].dma;
	u32 len = 20000, clen;
	struct vzip_sqe sqe = vt_sqe(VZIP_OP_COMPRESS, 30);
	struct vzip_cqe cqe;

	vt_fill(mem, len, 30);
	sqe.format = VZIP_FMT_GZIP;
	sqe.flush = VZIP_FLUSH_FINISH;
	sqe.src = cpu_to_le64(base);
	sqe.src_len = cpu_to_le32(len);
	sqe.dst = cpu_to_le64(base + SZ_64K);
	sqe.dst_len = cpu_to_le32(vt_room(len));
	cqe = vt_exec(test, d, 0, &sqe);
	KUNIT_ASSERT_EQ(test, le16_to_cpu(cqe.status), VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(cqe.consumed), len);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(cqe.checksum),
			vzip_crc32(0, mem, len));
	clen = le32_to_cpu(cqe.produced);

	sqe = vt_sqe(VZIP_OP_DECOMPRESS, 31);
	sqe.format = VZIP_FMT_GZIP;
	sqe.flush = VZIP_FLUSH_FINISH;
	sqe.src = cpu_to_le64(base + SZ_64K);
	sqe.src_len = cpu_to_le32(clen);
	sqe.dst = cpu_to_le64(base + SZ_128K);
	sqe.dst_len = cpu_to_le32(len);
	cqe = vt_exec(test, d, 0, &sqe);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(cqe.status), VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(cqe.produced), len);
	KUNIT_EXPECT_EQ(test, memcmp(mem + SZ_128K, mem, len), 0);

	/* one byte past the region, below it, and another queue's region */
	sqe.dst = cpu_to_le64(base + vt_cfg.ss_size - len + 1);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(vt_exec(test, d, 0, &sqe).status),
			VZIP_STS_ADDR_ERROR);
	sqe.dst = cpu_to_le64(base - 4096);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(vt_exec(test, d, 0, &sqe).status),
			VZIP_STS_ADDR_ERROR);
	sqe.dst = cpu_to_le64(d->ss[1].dma);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(vt_exec(test, d, 0, &sqe).status),
			VZIP_STS_ADDR_ERROR);
	/* a malformed request */
	sqe.dst = cpu_to_le64(base + SZ_128K);
	sqe.rsvd[2] = cpu_to_le32(1);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(vt_exec(test, d, 0, &sqe).status),
			VZIP_STS_INVALID);
}

/*
 * Stopping a queue with requests queued: the one in progress completes
 * (OK or ABORTED) before stop returns, the others stay for the restart;
 * put_queue leaves clean rings for the next owner.
 */
static void vt_stop_and_reclaim(struct kunit *test)
{
	struct vt_dev *d = vt_dev(test, true);
	struct wd_hwq *q = d->q[0];
	struct vzip_sqe sqe = vt_sqe(VZIP_OP_COMPRESS, 40);
	u32 done, i;
	u16 status;

	vt_fill_random(d->ss[0].kaddr, SZ_256K, 40);
	sqe.format = VZIP_FMT_RAW;
	sqe.level = 9;
	sqe.src = cpu_to_le64(d->ss[0].dma);
	sqe.src_len = cpu_to_le32(SZ_128K);
	sqe.dst = cpu_to_le64(d->ss[0].dma + SZ_256K);
	sqe.dst_len = cpu_to_le32(SZ_256K);
	for (i = 0; i < 3; i++)
		vt_post(q, &sqe);
	vt_doorbell(d, 0);
	while (!vt_ctrl(q, VZIP_CTRL_SQ_HEAD))
		usleep_range(10, 20);
	d->ops->stop_queue(&d->uq[0]);
	KUNIT_EXPECT_FALSE(test, q->ent.claimed);
	done = vt_ctrl(q, VZIP_CTRL_CQ_TAIL);
	KUNIT_EXPECT_EQ(test, done, vt_ctrl(q, VZIP_CTRL_SQ_HEAD));
	KUNIT_EXPECT_LT(test, done, 3);
	for (i = 0; i < done; i++) {
		status = le16_to_cpu(vt_pop(q).status);
		KUNIT_EXPECT_TRUE(test, status == VZIP_STS_OK ||
				  status == VZIP_STS_ABORTED);
	}
	KUNIT_ASSERT_EQ(test, d->ops->start_queue(&d->uq[0]), 0);
	KUNIT_ASSERT_TRUE(test, vt_wait(d, 0, 3 - done));

	/* requests left behind by an owner that went away */
	vt_post(q, &sqe);
	d->ops->stop_queue(&d->uq[0]);
	d->ops->put_queue(&d->uq[0]);
	d->q[0] = NULL;
	KUNIT_EXPECT_EQ(test, d->ops->get_available_instances(d->vdev->accel.uacce),
			1);
	KUNIT_ASSERT_EQ(test, d->ops->get_queue(d->uq[0].uacce, 0, &d->uq[0]),
			0);
	d->q[0] = d->uq[0].priv;
	KUNIT_EXPECT_PTR_EQ(test, d->q[0], q);
	KUNIT_EXPECT_EQ(test, vt_ctrl(q, VZIP_CTRL_SQ_TAIL), 0);
	KUNIT_EXPECT_EQ(test, vt_ctrl(q, VZIP_CTRL_SQ_HEAD), 0);
	KUNIT_EXPECT_EQ(test, vt_ctrl(q, VZIP_CTRL_CQ_TAIL), 0);
	KUNIT_EXPECT_EQ(test, vt_ctrl(q, VZIP_CTRL_CQ_HEAD), 0);
	KUNIT_EXPECT_EQ(test, vt_ctrl(q, VZIP_CTRL_DEV_FLAGS),
			VZIP_DEV_F_NEED_WAKEUP);
	KUNIT_EXPECT_NULL(test, memchr_inv(q->ring.sq, 0, q->ring.dus_size -
					   VZIP_CTRL_SIZE));
}

/* An injected hardware error fails the next request, then no more. */
static void vt_hw_error(struct kunit *test)
{
	struct vt_dev *d = vt_dev(test, true);
	struct vzip_sqe sqe = vt_sqe(VZIP_OP_NOP, 50);

	atomic_set(&d->vdev->accel.eng.inject_hw_error, 1);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(vt_exec(test, d, 0, &sqe).status),
			VZIP_STS_HW_ERROR);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(vt_exec(test, d, 0, &sqe).status),
			VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test,
			atomic64_read(&d->vdev->stats.status[VZIP_STS_HW_ERROR]),
			1);
}

static struct kunit_case vt_device_cases[] = {
	KUNIT_CASE(vt_registers),
	KUNIT_CASE(vt_ring_wrap),
	KUNIT_CASE(vt_back_pressure),
	KUNIT_CASE(vt_doorbell_protocol),
	KUNIT_CASE(vt_round_robin),
	KUNIT_CASE(vt_ss_path),
	KUNIT_CASE(vt_stop_and_reclaim),
	KUNIT_CASE(vt_hw_error),
	{}
};

static struct kunit_suite vt_device_suite = {
	.name = "vzip_device",
	.test_cases = vt_device_cases,
};

/* ---- vzip_checks ---- */

static void vt_ss_ranges(struct kunit *test)
{
	u8 *mem = vt_alloc(test, 64);
	struct uacce_qfile_region ss = {
		.type = UACCE_QFRT_SS,
		.kaddr = mem,
		.dma = 0x100000,
		.size = 0x10000,
	};
	static const struct {
		u64 addr;
		u32 len;
		int ret;
	} cases[] = {
		{ 0x100000, 0x10000, 0 },	/* the whole region */
		{ 0x10fff0, 0x10, 0 },		/* its last bytes */
		{ 0x10fff0, 0x11, -EFAULT },	/* one byte past the end */
		{ 0x110000, 1, -EFAULT },	/* just past the end */
		{ 0x0fffff, 2, -EFAULT },	/* from just below */
		{ 0, 0x200000, -EFAULT },	/* around it */
		{ ~0ULL - 1, 8, -EFAULT },	/* wrapping around */
		{ 0x42, 0, 0 },			/* empty: anywhere */
	};
	struct wd_buf buf;
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KUNIT_EXPECT_EQ_MSG(test, wd_dma_ss_range(&ss, cases[i].addr,
							  cases[i].len, true,
							    &buf),
				    cases[i].ret, "case %d", i);
		if (!cases[i].ret && cases[i].len)
			KUNIT_EXPECT_PTR_EQ(test, (void *)buf.kaddr,
					    (void *)(mem + cases[i].addr -
						     ss.dma));
	}
	KUNIT_EXPECT_EQ(test, wd_dma_ss_range(NULL, 0x100000, 1, false, &buf),
			-EFAULT);
}

/* Each rule of "Submission entry" in Documentation/vzip.rst. */
static void vt_descriptors(struct kunit *test)
{
	struct vt_dev *d = vt_dev(test, false);
	struct vzip_job job;
	struct vzip_sqe ok = vt_sqe(VZIP_OP_COMPRESS, 1), s;
	u32 max = vt_cfg.max_len;

	ok.format = VZIP_FMT_GZIP;
	ok.flush = VZIP_FLUSH_FINISH;
	ok.src = cpu_to_le64(0x10000);
	ok.src_len = cpu_to_le32(0x1000);
	ok.dst = cpu_to_le64(0x20000);
	ok.dst_len = cpu_to_le32(0x1000);
	KUNIT_ASSERT_EQ(test, vzip_sqe_decode(&ok, d->vdev, &job), VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, job.level, 6);
	KUNIT_EXPECT_EQ(test, job.window_bits, 15);

#define VT_INVALID(change) do {						\
		s = ok;							\
		change;							\
		KUNIT_EXPECT_EQ_MSG(test, vzip_sqe_decode(&s, d->vdev, &job), \
				    VZIP_STS_INVALID, #change);		\
	} while (0)

	VT_INVALID(s.version = 2);
	VT_INVALID(s.rsvd[0] = cpu_to_le32(1));
	VT_INVALID(s.rsvd[1] = cpu_to_le32(0x80000000));
	VT_INVALID(s.rsvd[2] = cpu_to_le32(0x100));
	VT_INVALID(s.rsvd[3] = cpu_to_le32(1));
	VT_INVALID(s.opcode = 4);
	VT_INVALID(s.format = 3);
	VT_INVALID(s.flush = 4);
	VT_INVALID(s.level = 10);
	VT_INVALID(s.window_bits = 8);
	VT_INVALID(s.window_bits = 16);
	VT_INVALID(s.flags = cpu_to_le16(4));
	VT_INVALID(s.flags = cpu_to_le16(VZIP_SQE_F_NEW_STREAM));
	VT_INVALID(s.ctx = cpu_to_le64(0x40000));
	VT_INVALID(s.flags = cpu_to_le16(VZIP_SQE_F_STREAM);
		   s.ctx = cpu_to_le64(0x40020));
	VT_INVALID(s.src_len = cpu_to_le32(max + 1));
	VT_INVALID(s.dst_len = cpu_to_le32(max + 1));
	VT_INVALID(s.dst = cpu_to_le64(0x10fff));
	VT_INVALID(s.flags = cpu_to_le16(VZIP_SQE_F_STREAM);
		   s.ctx = cpu_to_le64(0x20fc0));
	VT_INVALID(s.opcode = VZIP_OP_DECOMPRESS; s.level = 1);
	VT_INVALID(s.opcode = VZIP_OP_COPY);
	VT_INVALID(s.opcode = VZIP_OP_NOP; s.format = 0; s.flush = 0);
#undef VT_INVALID

	s = ok;
	s.dst = cpu_to_le64(0x11000);	/* adjacent is fine */
	KUNIT_EXPECT_EQ(test, vzip_sqe_decode(&s, d->vdev, &job), VZIP_STS_OK);
	s.flags = cpu_to_le16(VZIP_SQE_F_STREAM | VZIP_SQE_F_NEW_STREAM);
	s.ctx = cpu_to_le64(0x40000);
	KUNIT_EXPECT_EQ(test, vzip_sqe_decode(&s, d->vdev, &job), VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, job.ctx.len, vzip_ctx_size());
}

static struct kunit_case vt_checks_cases[] = {
	KUNIT_CASE(vt_ss_ranges),
	KUNIT_CASE(vt_descriptors),
	{}
};

static struct kunit_suite vt_checks_suite = {
	.name = "vzip_checks",
	.test_cases = vt_checks_cases,
};

/* ---- vzip_fault ---- */

/*
 * Fails the 1st, 2nd, ... allocation of adding a device and probing it, by
 * fail-nth (fail_nth.h), until one goes through untouched: the device is
 * then bound, and whenever it is not, a fault fired, nothing leaked (the
 * uacce objects) and the next device probes.  The faults that fail_nth
 * cannot reach, the engine threads kthreadd forks and the queue callbacks,
 * are vt_engine_faults and vt_queue_faults (kt_inject(), fail_nth.h).
 */
static void vt_probe_sweep(struct kunit *test)
{
	struct wd_accel_geometry cfg = vt_cfg;
	struct platform_device *pdev;
	unsigned int n, nr_add = 0, nr_probe = 0;
	int base = uacce_kunit_objects(UACCE_OBJ_DEVICE);

	kt_fail_nth_require(test);
	cfg.nr_engines = 2;
	for (n = 1; n < 4000; n++) {
		bool fired, bound;

		kt_fail_nth(n);
		pdev = vzip_test_device_add(&cfg, NUMA_NO_NODE);
		fired = kt_fail_nth_fired();
		if (IS_ERR(pdev)) {
			KUNIT_EXPECT_TRUE_MSG(test, fired, "add failed, n=%u", n);
			/*
			 * -EINVAL: platform_device_add() ignores a failed
			 * dev_set_name(), then device_add() finds no name
			 */
			KUNIT_EXPECT_TRUE_MSG(test, PTR_ERR(pdev) == -ENOMEM ||
					      PTR_ERR(pdev) == -EINVAL,
					      "add: %ld (n=%u)", PTR_ERR(pdev),
					      n);
			nr_add++;
			continue;
		}
		bound = platform_get_drvdata(pdev);
		vzip_test_device_del(pdev);
		KUNIT_EXPECT_EQ_MSG(test, uacce_kunit_objects(UACCE_OBJ_DEVICE),
				    base, "uacce devices after n=%u", n);
		if (!bound) {
			KUNIT_EXPECT_TRUE_MSG(test, fired, "probe failed, n=%u",
					      n);
			nr_probe++;
		} else if (!fired) {
			break;
		}
	}
	KUNIT_EXPECT_LT(test, n, 4000U);
	kunit_info(test, "%u allocations: %u add, %u probe failures\n", n - 1,
		   nr_add, nr_probe);
	/* device, uacce, queues, 2 x 2 pages, engines, codecs ... */
	KUNIT_EXPECT_GT(test, nr_probe, 15U);
	KUNIT_EXPECT_GT(test, nr_add, 0U);

	cfg.ring_depth = 3;		/* a bad geometry fails the probe */
	pdev = vzip_test_device_add(&cfg, NUMA_NO_NODE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pdev));
	KUNIT_EXPECT_NULL(test, platform_get_drvdata(pdev));
	vzip_test_device_del(pdev);
}

/*
 * Creating the k-th engine's thread fails (kthreadd forks it, beyond the
 * probing task's fail-nth): the probe fails, nothing is left, and the
 * engines created before are stopped.
 */
static void vt_engine_faults(struct kunit *test)
{
	struct kt_inject *inj = kt_inject(test, "wd_engine_create",
					  (long)ERR_PTR(-ENOMEM));
	struct wd_accel_geometry cfg = vt_cfg;
	int base = uacce_kunit_objects(UACCE_OBJ_DEVICE);
	struct platform_device *pdev;
	unsigned int k;

	cfg.nr_engines = 3;
	for (k = 1; k <= cfg.nr_engines + 1; k++) {
		bool fired, bound;

		kt_inject_arm(inj, k);
		pdev = vzip_test_device_add(&cfg, NUMA_NO_NODE);
		fired = kt_inject_fired(inj);
		KUNIT_ASSERT_FALSE(test, IS_ERR(pdev));
		bound = platform_get_drvdata(pdev);
		vzip_test_device_del(pdev);
		KUNIT_EXPECT_EQ_MSG(test, uacce_kunit_objects(UACCE_OBJ_DEVICE),
				    base, "uacce devices after k=%u", k);
		/* engines 1..3 fail in turn, the 4th call never comes */
		KUNIT_EXPECT_EQ_MSG(test, fired, k <= cfg.nr_engines, "k=%u", k);
		KUNIT_EXPECT_NE_MSG(test, fired, bound, "k=%u", k);
	}
}

/* Queue allocation and start fail cleanly, and the queue still works. */
static void vt_queue_faults(struct kunit *test)
{
	struct kt_inject *get = kt_inject(test, "wd_hwq_get_queue", -ENOMEM);
	struct kt_inject *start = kt_inject(test, "wd_hwq_start_queue",
					    -ENOMEM);
	struct vt_dev *d = vt_dev(test, false);
	struct uacce_queue *uq = &d->uq[0];
	struct vzip_sqe sqe = vt_sqe(VZIP_OP_NOP, 60);

	d->ops->put_queue(uq);
	d->q[0] = NULL;

	kt_inject_arm(get, 1);
	KUNIT_EXPECT_EQ(test, d->ops->get_queue(uq->uacce, 0, uq), -ENOMEM);
	KUNIT_EXPECT_TRUE(test, kt_inject_fired(get));
	KUNIT_EXPECT_EQ(test, d->ops->get_available_instances(uq->uacce), 1);
	KUNIT_ASSERT_EQ(test, d->ops->get_queue(uq->uacce, 0, uq), 0);
	d->q[0] = uq->priv;
	KUNIT_EXPECT_EQ(test, d->ops->get_queue(uq->uacce, 0, &d->uq[1]),
			-EBUSY);

	kt_inject_arm(start, 1);
	KUNIT_EXPECT_EQ(test, d->ops->start_queue(uq), -ENOMEM);
	KUNIT_EXPECT_TRUE(test, kt_inject_fired(start));
	KUNIT_EXPECT_FALSE(test, d->q[0]->ent.started);
	KUNIT_ASSERT_EQ(test, d->ops->start_queue(uq), 0);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(vt_exec(test, d, 0, &sqe).status),
			VZIP_STS_OK);
}

static struct kunit_case vt_fault_cases[] = {
	KUNIT_CASE(vt_probe_sweep),
	KUNIT_CASE(vt_engine_faults),
	KUNIT_CASE(vt_queue_faults),
	{}
};

static struct kunit_suite vt_fault_suite = {
	.name = "vzip_fault",
	.test_cases = vt_fault_cases,
};

/* ---- vzip_sched ---- */

/*
 * The scheduler (wd_engine.ko) alone, on a device of its own with no
 * engine thread: the test is the engine.  It claims, "runs" a request of a made-up cost and
 * releases, so the figures depend on nothing but the scheduler.  Every
 * queue is a vfio-pci queue whose has_work says what the test wants; the
 * scheduler tells queue kinds apart only there.
 */
#define VS_MAX_ENTS	6

struct vs_queue {
	struct wd_mdev_vq vq;
	struct wd_sched_ent ent;
	bool busy;
	unsigned int served;
};

struct vs_sched {
	struct wd_engine_dev vdev;
	struct vs_queue q[VS_MAX_ENTS];
	unsigned int nr;
};

static bool vs_has_work(struct wd_mdev_vq *vq)
{
	return container_of(vq, struct vs_queue, vq)->busy;
}

static struct vs_sched *vs_sched(struct kunit *test)
{
	struct vs_sched *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	/* no wd_engines_start(): the test is the only engine */
	wd_engine_dev_init(&s->vdev, NULL, NULL, NUMA_NO_NODE, 1, 0);
	s->vdev.nr_awake = 1;
	return s;
}

/* A busy queue of @tenant joins the scheduler. */
static struct vs_queue *vs_add(struct vs_sched *s, struct uacce_tenant *tenant)
{
	struct vs_queue *q = &s->q[s->nr++];

	q->vq.has_work = vs_has_work;
	q->busy = true;
	wd_sched_init(&q->ent, NULL, &q->vq);
	wd_sched_start(&s->vdev, &q->ent, tenant);
	return q;
}

static void vs_stop(struct vs_sched *s)
{
	unsigned int i;

	for (i = 0; i < s->nr; i++)
		wd_sched_stop(&s->vdev, &s->q[i].ent);
}

/* One request: claim a queue, charge @cost(its tenant) ns, release it. */
static struct vs_queue *vs_run(struct kunit *test, struct vs_sched *s,
			       u64 (*cost)(struct uacce_tenant *t))
{
	struct wd_sched_ent *ent = wd_sched_claim(&s->vdev);
	struct vs_queue *q;

	KUNIT_ASSERT_NOT_NULL(test, ent);
	q = container_of(ent, struct vs_queue, ent);
	q->served++;
	wd_sched_release(&s->vdev, ent, cost(ent->tenant));
	return q;
}

static struct uacce_tenant vs_proc, vs_ap, vs_vm;

/* The three kinds' requests cost differently: fairness is in time. */
static u64 vs_cost(struct uacce_tenant *t)
{
	if (t == &vs_proc)
		return 1000 * NSEC_PER_USEC;
	if (t == &vs_ap)
		return 3000 * NSEC_PER_USEC;
	return 500 * NSEC_PER_USEC;
}

/* @t's share of the engine time of all three, in thousandths. */
static unsigned int vs_share(struct uacce_tenant *t)
{
	u64 all = atomic64_read(&vs_proc.engine_ns) +
		  atomic64_read(&vs_ap.engine_ns) +
		  atomic64_read(&vs_vm.engine_ns);

	return div64_u64(atomic64_read(&t->engine_ns) * 1000, all);
}

/*
 * A process's queue, an access point with two queues and a VM with two,
 * all busy, with weights @wp, @wa, @wv: each tenant's share of the engine
 * time is its weight's share, within 1% of the whole.
 */
static void vs_weights(struct kunit *test, unsigned int wp, unsigned int wa,
		       unsigned int wv)
{
	struct vs_sched *s = vs_sched(test);
	unsigned int sum = wp + wa + wv, i;

	uacce_tenant_init(&vs_proc);
	uacce_tenant_init(&vs_ap);
	uacce_tenant_init(&vs_vm);
	vs_proc.weight = wp;
	vs_ap.weight = wa;
	vs_vm.weight = wv;
	vs_add(s, &vs_proc);
	vs_add(s, &vs_ap);
	vs_add(s, &vs_ap);
	vs_add(s, &vs_vm);
	vs_add(s, &vs_vm);
	for (i = 0; i < 6000; i++)
		vs_run(test, s, vs_cost);
	KUNIT_EXPECT_LE(test, abs((int)vs_share(&vs_proc) - (int)(1000 * wp / sum)), 10);
	KUNIT_EXPECT_LE(test, abs((int)vs_share(&vs_ap) - (int)(1000 * wa / sum)), 10);
	KUNIT_EXPECT_LE(test, abs((int)vs_share(&vs_vm) - (int)(1000 * wv / sum)), 10);
	/* a tenant's queues take turns */
	KUNIT_EXPECT_LE(test, abs((int)s->q[1].served - (int)s->q[2].served), 1);
	KUNIT_EXPECT_LE(test, abs((int)s->q[3].served - (int)s->q[4].served), 1);
	vs_stop(s);
}

static void vs_equal_weights(struct kunit *test)
{
	vs_weights(test, UACCE_WEIGHT_DEFAULT, UACCE_WEIGHT_DEFAULT,
		   UACCE_WEIGHT_DEFAULT);
}

static void vs_one_to_three(struct kunit *test)
{
	vs_weights(test, 100, 100, 300);
	vs_weights(test, 1, 3, 2);
}

static u64 vs_cost_1ms(struct uacce_tenant *t)
{
	return NSEC_PER_MSEC;
}

/*
 * A tenant idle while another ran 10 s of requests has no 10 s of credit
 * when it comes back: it runs at most 5 ms (VZIP_VTIME_CREDIT) ahead of
 * the other, then they alternate.
 */
static void vs_idle_credit(struct kunit *test)
{
	struct vs_sched *s = vs_sched(test);
	struct vs_queue *a, *b;
	unsigned int i, burst = 0;

	uacce_tenant_init(&vs_proc);
	uacce_tenant_init(&vs_vm);
	a = vs_add(s, &vs_proc);
	b = vs_add(s, &vs_vm);
	b->busy = false;
	for (i = 0; i < 10000; i++)
		KUNIT_ASSERT_PTR_EQ(test, vs_run(test, s, vs_cost_1ms), a);
	b->busy = true;
	while (vs_run(test, s, vs_cost_1ms) == b && burst < 1000)
		burst++;
	KUNIT_EXPECT_GE(test, burst, 1);
	KUNIT_EXPECT_LE(test, burst, 6);
	a->served = 0;
	b->served = 0;
	for (i = 0; i < 100; i++)
		vs_run(test, s, vs_cost_1ms);
	KUNIT_EXPECT_EQ(test, a->served, 50);
	KUNIT_EXPECT_EQ(test, b->served, 50);
	vs_stop(s);
}

/* Equal tenants go round-robin; a claimed queue or one without work waits. */
static void vs_round_robin(struct kunit *test)
{
	struct vs_sched *s = vs_sched(test);
	struct uacce_tenant t[3];
	struct wd_sched_ent *held;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		uacce_tenant_init(&t[i]);
		vs_add(s, &t[i]);
	}
	for (i = 0; i < 30; i++)
		KUNIT_EXPECT_PTR_EQ(test, vs_run(test, s, vs_cost_1ms),
				    &s->q[i % 3]);
	held = wd_sched_claim(&s->vdev);
	KUNIT_ASSERT_PTR_EQ(test, held, &s->q[0].ent);
	s->q[1].busy = false;
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_PTR_EQ(test, vs_run(test, s, vs_cost_1ms), &s->q[2]);
	wd_sched_release(&s->vdev, held, NSEC_PER_MSEC);
	s->q[2].busy = false;
	KUNIT_EXPECT_PTR_EQ(test, vs_run(test, s, vs_cost_1ms), &s->q[0]);
	s->q[0].busy = false;
	KUNIT_EXPECT_NULL(test, wd_sched_claim(&s->vdev));
	vs_stop(s);
}

/* A process's hardware queue: its control page (4-entry rings), for NEED_WAKEUP */
struct vs_hwq {
	struct wd_hwq q;
	struct uacce_tenant t;
};

static struct vs_hwq *vs_add_hwq(struct kunit *test, struct vs_sched *s)
{
	struct vs_hwq *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, h);
	h->q.ring.dus = kunit_kzalloc(test, VZIP_CTRL_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h->q.ring.dus);
	h->q.ring.depth = 4;
	uacce_tenant_init(&h->t);
	wd_sched_init(&h->q.ent, &h->q.ring, NULL);
	wd_sched_start(&s->vdev, &h->q.ent, &h->t);
	return h;
}

/* The application publishes a request: sq_tail one ahead of the device. */
static void vs_hwq_post(struct vs_hwq *h)
{
	u32 tail = le32_to_cpu(*vt_word(&h->q, VZIP_CTRL_SQ_TAIL));

	*vt_word(&h->q, VZIP_CTRL_SQ_TAIL) = cpu_to_le32(tail + 1);
}

/* What the application reads after publishing its tail: must it ring? */
static bool vs_hwq_must_ring(struct vs_hwq *h)
{
	return le32_to_cpu(*vt_word(&h->q, VZIP_CTRL_DEV_FLAGS)) &
	       VZIP_DEV_F_NEED_WAKEUP;
}

/*
 * Two engines: the test is one, the other sleeps.  While the test's engine
 * executes a request of one process, another process's new request must
 * reach the sleeping engine: its queue says "ring", and the doorbell then
 * wakes an engine.  The queue being served and an idle device with an
 * engine watching never ask for the doorbell.
 */
static void vs_second_engine(struct kunit *test)
{
	struct vs_sched *s = vs_sched(test);
	struct wd_sched_ent *ent, *other;
	struct vs_hwq *p1, *p2;

	s->vdev.nr_engines = 2;
	p1 = vs_add_hwq(test, s);
	p2 = vs_add_hwq(test, s);
	KUNIT_EXPECT_FALSE(test, vs_hwq_must_ring(p1));
	KUNIT_EXPECT_FALSE(test, vs_hwq_must_ring(p2));
	atomic_set(&s->vdev.kick, 0);		/* the starts' */

	vs_hwq_post(p1);
	ent = wd_sched_claim(&s->vdev);
	KUNIT_ASSERT_PTR_EQ(test, ent, &p1->q.ent);
	p1->q.ring.sq_head++;			/* fetched */
	KUNIT_EXPECT_TRUE(test, vs_hwq_must_ring(p2));
	KUNIT_EXPECT_FALSE(test, vs_hwq_must_ring(p1));
	KUNIT_EXPECT_EQ(test, atomic_read(&s->vdev.kick), 0);

	/* p2's request while the engine is busy: the doorbell is rung */
	vs_hwq_post(p2);
	wd_sched_set_awake(&s->vdev, true);	/* the doorbell woke it */
	other = wd_sched_claim(&s->vdev);
	KUNIT_ASSERT_PTR_EQ(test, other, &p2->q.ent);
	p2->q.ring.sq_head++;
	/* every engine busy: nobody to wake, no doorbell */
	KUNIT_EXPECT_FALSE(test, vs_hwq_must_ring(p1));
	KUNIT_EXPECT_FALSE(test, vs_hwq_must_ring(p2));
	wd_sched_release(&s->vdev, other, NSEC_PER_MSEC);
	wd_sched_set_awake(&s->vdev, false);	/* back to sleep */

	/* one engine asleep again: p2's next request must ring */
	KUNIT_EXPECT_TRUE(test, vs_hwq_must_ring(p2));
	wd_sched_release(&s->vdev, ent, NSEC_PER_MSEC);
	KUNIT_EXPECT_FALSE(test, vs_hwq_must_ring(p1));
	KUNIT_EXPECT_FALSE(test, vs_hwq_must_ring(p2));

	/* work on both when the only awake engine claims one: it wakes one */
	vs_hwq_post(p1);
	vs_hwq_post(p2);
	atomic_set(&s->vdev.kick, 0);
	ent = wd_sched_claim(&s->vdev);
	KUNIT_ASSERT_NOT_NULL(test, ent);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->vdev.kick), 1);
	wd_sched_release(&s->vdev, ent, NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, s->vdev.nr_busy, 0);
	wd_sched_stop(&s->vdev, &p1->q.ent);
	wd_sched_stop(&s->vdev, &p2->q.ent);
}

static struct kunit_case vs_cases[] = {
	KUNIT_CASE(vs_equal_weights),
	KUNIT_CASE(vs_one_to_three),
	KUNIT_CASE(vs_idle_credit),
	KUNIT_CASE(vs_round_robin),
	KUNIT_CASE(vs_second_engine),
	{}
};

static struct kunit_suite vs_suite = {
	.name = "vzip_sched",
	.test_cases = vs_cases,
};

kunit_test_suites(&vt_codec_suite, &vt_checks_suite, &vt_device_suite,
		  &vt_fault_suite, &vs_suite);

MODULE_DESCRIPTION("KUnit tests of the vzip driver");
MODULE_LICENSE("GPL");
