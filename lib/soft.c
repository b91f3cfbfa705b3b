// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive software path: whole buffers with libdeflate (if built
 * with it), streams and anything libdeflate cannot do with the system
 * zlib, which is always reached through wd_zreal().
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#ifdef WD_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

#include "internal.h"
#include "soft.h"
#include "zreal.h"

static int zlib_window_bits(int format, int window_bits)
{
	switch (format) {
	case WD_FORMAT_RAW:
		return -window_bits;
	case WD_FORMAT_GZIP:
		return window_bits + 16;
	default:
		return window_bits;
	}
}

static int zlib_error(int ret)
{
	switch (ret) {
	case Z_OK:
		return 0;
	case Z_STREAM_END:
		return 1;
	case Z_BUF_ERROR:
		return -ENOBUFS;
	case Z_MEM_ERROR:
		return -ENOMEM;
	case Z_DATA_ERROR:
	case Z_NEED_DICT:	/* preset dictionaries are not in this API */
		return -EBADMSG;
	default:
		return -EINVAL;
	}
}

uint32_t wd_soft_checksum(int format, uint32_t sum, const void *buf,
			  size_t len, bool first)
{
	const struct wd_zreal *zr;
	const Bytef *p = buf;

#ifdef WD_HAVE_LIBDEFLATE
	(void)zr;
	(void)p;
	if (format == WD_FORMAT_ZLIB)
		return libdeflate_adler32(first ? 1 : sum, buf, len);
	return libdeflate_crc32(first ? 0 : sum, buf, len);
#else
	zr = wd_zreal();
	if (!zr)
		return 0;
	if (first)
		sum = format == WD_FORMAT_ZLIB ? 1 : 0;
	while (len) {
		uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;

		if (format == WD_FORMAT_ZLIB)
			sum = zr->adler32(sum, p, n);
		else
			sum = zr->crc32(sum, p, n);
		p += n;
		len -= n;
	}
	return sum;
#endif
}

/* ---- streams on the system zlib ---- */

int wd_soft_stream_init(struct wd_soft_stream *s, bool compress, int format,
			int level, int window_bits)
{
	const struct wd_zreal *zr = wd_zreal();
	int ret;

	if (!zr)
		return -ENOSYS;
	memset(s, 0, sizeof(*s));
	s->format = format;
	s->compress = compress;
	s->level = level;
	s->new_level = level;
	if (compress)
		ret = zr->deflateInit2_(&s->z, level, Z_DEFLATED,
					zlib_window_bits(format, window_bits),
					8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
					(int)sizeof(z_stream));
	else
		/* the largest window inflates every stream */
		ret = zr->inflateInit2_(&s->z, zlib_window_bits(format, 15),
					ZLIB_VERSION, (int)sizeof(z_stream));
	return ret == Z_OK ? 0 : zlib_error(ret);
}

static int soft_flush(int flush, bool last_chunk)
{
	if (!last_chunk)
		return Z_NO_FLUSH;
	switch (flush) {
	case WD_SYNC_FLUSH:
		return Z_SYNC_FLUSH;
	case WD_FULL_FLUSH:
		return Z_FULL_FLUSH;
	case WD_FINISH:
		return Z_FINISH;
	default:
		return Z_NO_FLUSH;
	}
}

int wd_soft_stream_run(struct wd_soft_stream *s, const void **in,
		       size_t *in_len, void **out, size_t *out_len, int flush)
{
	const struct wd_zreal *zr = wd_zreal();
	bool progress = false;
	int ret;

	if (!zr)
		return -ENOSYS;
	if (s->compress && s->new_level != s->level) {
		/* as deflateParams(): what came before keeps the old level */
		uInt aout = *out_len > UINT_MAX ? UINT_MAX : (uInt)*out_len;

		s->z.next_in = (Bytef *)*in;
		s->z.avail_in = 0;
		s->z.next_out = *out;
		s->z.avail_out = aout;
		ret = zr->deflateParams(&s->z, s->new_level,
					Z_DEFAULT_STRATEGY);
		*out = (char *)*out + (aout - s->z.avail_out);
		*out_len -= aout - s->z.avail_out;
		if (ret == Z_BUF_ERROR)
			return aout != s->z.avail_out ? 0 : -ENOBUFS;
		if (ret != Z_OK)
			return zlib_error(ret);
		s->level = s->new_level;
		progress = aout != s->z.avail_out;
	}
	for (;;) {
		uInt ain = *in_len > UINT_MAX ? UINT_MAX : (uInt)*in_len;
		uInt aout = *out_len > UINT_MAX ? UINT_MAX : (uInt)*out_len;
		bool last = ain == *in_len;
		bool capped = !last || aout != *out_len;
		size_t used, made;

		s->z.next_in = (Bytef *)*in;
		s->z.avail_in = ain;
		s->z.next_out = *out;
		s->z.avail_out = aout;
		if (s->compress)
			ret = zr->deflate(&s->z, soft_flush(flush, last));
		else
			ret = zr->inflate(&s->z, soft_flush(flush, last));
		used = ain - s->z.avail_in;
		made = aout - s->z.avail_out;

		/* zlib keeps the checksum of zlib and gzip streams; raw is ours */
		if (s->format != WD_FORMAT_RAW) {
			s->checksum = (uint32_t)s->z.adler;
			s->started = true;
		} else if (s->compress && used) {
			s->checksum = wd_soft_checksum(s->format, s->checksum,
						       *in, used, !s->started);
			s->started = true;
		} else if (!s->compress && made) {
			s->checksum = wd_soft_checksum(s->format, s->checksum,
						       *out, made, !s->started);
			s->started = true;
		}
		*in = (const char *)*in + used;
		*in_len -= used;
		*out = (char *)*out + made;
		*out_len -= made;
		if (used || made)
			progress = true;

		if (ret == Z_STREAM_END)
			return WD_STREAM_END;
		if (ret == Z_BUF_ERROR)
			return progress ? 0 : -ENOBUFS;
		if (ret != Z_OK)
			return zlib_error(ret);
		/* more to do only if the 4 GiB limit of zlib's counts stopped it */
		if (!capped || !(used || made))
			return 0;
	}
}

int wd_soft_stream_reset(struct wd_soft_stream *s)
{
	const struct wd_zreal *zr = wd_zreal();
	int ret;

	if (!zr)
		return -ENOSYS;
	ret = s->compress ? zr->deflateReset(&s->z) : zr->inflateReset(&s->z);
	s->started = false;
	s->checksum = 0;
	return zlib_error(ret);
}

void wd_soft_stream_end(struct wd_soft_stream *s)
{
	const struct wd_zreal *zr = wd_zreal();

	if (!zr)
		return;
	if (s->compress)
		zr->deflateEnd(&s->z);
	else
		zr->inflateEnd(&s->z);
}

/* ---- whole buffers ---- */

static int zlib_compress(int format, int level, int window_bits,
			 const void *src, size_t src_len,
			 void *dst, size_t *dst_len, uint32_t *checksum)
{
	struct wd_soft_stream s;
	const void *in = src;
	void *out = dst;
	size_t in_len = src_len, out_len = *dst_len;
	int ret;

	ret = wd_soft_stream_init(&s, true, format, level, window_bits);
	if (ret)
		return ret;
	ret = wd_soft_stream_run(&s, &in, &in_len, &out, &out_len, WD_FINISH);
	*checksum = s.started ? s.checksum :
		    wd_soft_checksum(format, 0, NULL, 0, true);
	wd_soft_stream_end(&s);
	if (ret == WD_STREAM_END) {
		*dst_len -= out_len;
		return 0;
	}
	/* anything but the end of the stream means the output was too small */
	return ret < 0 && ret != -ENOBUFS ? ret : -ENOSPC;
}

static int zlib_decompress(int format, const void *src, size_t *src_len,
			   void *dst, size_t *dst_len, uint32_t *checksum)
{
	struct wd_soft_stream s;
	const void *in = src;
	void *out = dst;
	size_t in_len = *src_len, out_len = *dst_len;
	int ret;

	ret = wd_soft_stream_init(&s, false, format, 15, 15);
	if (ret)
		return ret;
	ret = wd_soft_stream_run(&s, &in, &in_len, &out, &out_len, WD_FINISH);
	*checksum = s.started ? s.checksum :
		    wd_soft_checksum(format, 0, NULL, 0, true);
	wd_soft_stream_end(&s);
	if (ret == WD_STREAM_END) {
		*src_len -= in_len;
		*dst_len -= out_len;
		return 0;
	}
	if (ret < 0 && ret != -ENOBUFS)
		return ret;
	/* stopped short of the end: no room left, or no input left */
	return out_len == 0 ? -ENOSPC : -EBADMSG;
}

#ifdef WD_HAVE_LIBDEFLATE
/*
 * libdeflate's (de)compressors are not thread-safe and costly to create,
 * so each thread keeps its own, one per level, freed when it exits.
 */
struct ld_cache {
	struct libdeflate_compressor *comp[10];
	struct libdeflate_decompressor *decomp;
};

static pthread_key_t ld_key;
static pthread_once_t ld_once = PTHREAD_ONCE_INIT;
static bool ld_key_ok;

static void ld_cache_free(void *arg)
{
	struct ld_cache *c = arg;

	for (size_t i = 0; i < WD_ARRAY_SIZE(c->comp); i++)
		libdeflate_free_compressor(c->comp[i]);
	libdeflate_free_decompressor(c->decomp);
	free(c);
}

static void ld_key_create(void)
{
	ld_key_ok = pthread_key_create(&ld_key, ld_cache_free) == 0;
}

static struct ld_cache *ld_cache(void)
{
	struct ld_cache *c;

	pthread_once(&ld_once, ld_key_create);
	if (!ld_key_ok)
		return NULL;
	c = pthread_getspecific(ld_key);
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (c && pthread_setspecific(ld_key, c)) {
			free(c);
			c = NULL;
		}
	}
	return c;
}

static struct libdeflate_compressor *ld_compressor(int level)
{
	struct ld_cache *c = ld_cache();

	if (!c)
		return NULL;
	if (!c->comp[level])
		c->comp[level] = libdeflate_alloc_compressor(level);
	return c->comp[level];
}

static struct libdeflate_decompressor *ld_decompressor(void)
{
	struct ld_cache *c = ld_cache();

	if (!c)
		return NULL;
	if (!c->decomp)
		c->decomp = libdeflate_alloc_decompressor();
	return c->decomp;
}
#endif

int wd_soft_compress(int format, int level, int window_bits,
		     const void *src, size_t src_len,
		     void *dst, size_t *dst_len, uint32_t *checksum)
{
#ifdef WD_HAVE_LIBDEFLATE
	/* libdeflate always uses a 32 KiB window */
	struct libdeflate_compressor *c =
		window_bits == 15 ? ld_compressor(level) : NULL;

	if (c) {
		size_t n;

		if (format == WD_FORMAT_ZLIB)
			n = libdeflate_zlib_compress(c, src, src_len, dst,
						     *dst_len);
		else if (format == WD_FORMAT_GZIP)
			n = libdeflate_gzip_compress(c, src, src_len, dst,
						     *dst_len);
		else
			n = libdeflate_deflate_compress(c, src, src_len, dst,
							*dst_len);
		if (!n)
			return -ENOSPC;
		*dst_len = n;
		*checksum = wd_soft_checksum(format, 0, src, src_len, true);
		return 0;
	}
#endif
	return zlib_compress(format, level, window_bits, src, src_len,
			     dst, dst_len, checksum);
}

int wd_soft_decompress(int format, const void *src, size_t *src_len,
		       void *dst, size_t *dst_len, uint32_t *checksum)
{
#ifdef WD_HAVE_LIBDEFLATE
	struct libdeflate_decompressor *d = ld_decompressor();

	if (d) {
		enum libdeflate_result r;
		size_t used, made;

		if (format == WD_FORMAT_ZLIB)
			r = libdeflate_zlib_decompress_ex(d, src, *src_len, dst,
							  *dst_len, &used,
							  &made);
		else if (format == WD_FORMAT_GZIP)
			r = libdeflate_gzip_decompress_ex(d, src, *src_len, dst,
							  *dst_len, &used,
							  &made);
		else
			r = libdeflate_deflate_decompress_ex(d, src, *src_len,
							     dst, *dst_len,
							     &used, &made);
		if (r == LIBDEFLATE_INSUFFICIENT_SPACE)
			return -ENOSPC;
		if (r != LIBDEFLATE_SUCCESS)
			return -EBADMSG;
		*src_len = used;
		*dst_len = made;
		*checksum = wd_soft_checksum(format, 0, dst, made, true);
		return 0;
	}
#endif
	return zlib_decompress(format, src, src_len, dst, dst_len, checksum);
}
