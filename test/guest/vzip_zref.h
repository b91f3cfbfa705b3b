/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space zlib as the reference of the vzip guest tests: the windowBits
 * of a vzip format and window, one-shot deflate and inflate, and a device
 * round trip checked by zlib.
 * Include after <zlib.h> and vzip_testlib.h.
 */
#ifndef VZIP_ZREF_H
#define VZIP_ZREF_H

#include <stddef.h>
#include <stdint.h>

/* zlib's windowBits for a vzip format (VZIP_FMT_*) and window. */
static inline int zlib_wbits(unsigned int format, unsigned int window)
{
	if (format == VZIP_FMT_RAW)
		return -(int)window;
	return format == VZIP_FMT_ZLIB ? (int)window : (int)window + 16;
}

/*
 * Deflates @len bytes of @src as one stream in @format with a 32 KiB
 * window at @level; the bytes written to @dst, or -1.
 */
static inline long z_deflate(unsigned int format, int level,
			     const uint8_t *src, size_t len, uint8_t *dst,
			     size_t cap)
{
	z_stream zs = { 0 };
	long out;
	int ret;

	if (deflateInit2(&zs, level, Z_DEFLATED, zlib_wbits(format, 15), 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zs.next_in = (uint8_t *)src;
	zs.avail_in = len;
	zs.next_out = dst;
	zs.avail_out = cap;
	ret = deflate(&zs, Z_FINISH);
	out = cap - zs.avail_out;
	deflateEnd(&zs);
	return ret == Z_STREAM_END ? out : -1;
}

/* Inflates a whole stream in @format; the bytes written to @dst, or -1. */
static inline long z_inflate(unsigned int format, const uint8_t *src,
			     size_t len, uint8_t *dst, size_t cap)
{
	z_stream zs = { 0 };
	long out;
	int ret;

	if (inflateInit2(&zs, zlib_wbits(format, 15)) != Z_OK)
		return -1;
	zs.next_in = (uint8_t *)src;
	zs.avail_in = len;
	zs.next_out = dst;
	zs.avail_out = cap;
	ret = inflate(&zs, Z_FINISH);
	out = cap - zs.avail_out;
	inflateEnd(&zs);
	return ret == Z_STREAM_END ? out : -1;
}

/*
 * Whether device @name compresses through a fresh queue of its own: 16 KiB
 * of generated data (from @seed) in one gzip COMPRESS, which zlib must
 * inflate back to the same bytes.
 */
static inline bool vzip_compresses(const char *name, unsigned int seed)
{
	enum { LEN = 16 * 1024 };
	static uint8_t data[LEN], back[LEN];
	struct vzip_sqe sqe;
	struct vzip_cqe cqe;
	struct vzip_q q;
	uint8_t *src, *dst;
	bool ok;

	if (vzip_open(&q, name) || vzip_start(&q))
		return false;
	src = vzip_mem(&q, LEN);
	dst = vzip_mem(&q, 2 * LEN);
	vzip_fill(data, LEN, seed);
	memcpy(src, data, LEN);
	sqe = vzip_sqe(&q, VZIP_OP_COMPRESS, VZIP_FMT_GZIP, VZIP_FLUSH_FINISH,
		       src, LEN, dst, 2 * LEN);
	ok = !vzip_exec(&q, &sqe, &cqe) && le16toh(cqe.status) == VZIP_STS_OK &&
	     z_inflate(VZIP_FMT_GZIP, dst, le32toh(cqe.produced), back,
		       sizeof(back)) == LEN && !memcmp(back, data, LEN);
	vzip_close(&q);
	return ok;
}

#endif /* VZIP_ZREF_H */
