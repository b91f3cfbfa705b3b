/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: the system's zlib, reached through dlopen("libz.so.1").
 *
 * The library never calls zlib by name: when libwdz.so (our zlib ABI
 * shim) is preloaded, a plain call to deflate() would land in the shim
 * instead of zlib.  dlsym() on zlib's own handle always finds zlib.
 */
#ifndef WD_ZREAL_H
#define WD_ZREAL_H

#include <zlib.h>

/**
 * struct wd_zreal - the zlib functions the software path uses
 */
struct wd_zreal {
	const char *(*zlibVersion)(void);
	int (*deflateInit2_)(z_streamp strm, int level, int method,
			     int window_bits, int mem_level, int strategy,
			     const char *version, int stream_size);
	int (*deflate)(z_streamp strm, int flush);
	int (*deflateEnd)(z_streamp strm);
	int (*deflateReset)(z_streamp strm);
	uLong (*deflateBound)(z_streamp strm, uLong source_len);
	int (*deflateParams)(z_streamp strm, int level, int strategy);
	int (*inflateInit2_)(z_streamp strm, int window_bits,
			     const char *version, int stream_size);
	int (*inflate)(z_streamp strm, int flush);
	int (*inflateEnd)(z_streamp strm);
	int (*inflateReset)(z_streamp strm);
	uLong (*crc32)(uLong crc, const Bytef *buf, uInt len);
	uLong (*adler32)(uLong adler, const Bytef *buf, uInt len);
	uLong (*crc32_combine)(uLong crc1, uLong crc2, z_off_t len2);
	uLong (*adler32_combine)(uLong adler1, uLong adler2, z_off_t len2);
};

/**
 * wd_zreal() - the system zlib, loaded on first use
 *
 * Return: its functions, or NULL if libz.so.1 cannot be loaded (the
 * reason was printed on stderr once).
 */
const struct wd_zreal *wd_zreal(void);

/**
 * wd_zreal_sym() - any other symbol of the system zlib
 * @name: its name
 *
 * Return: its address, or NULL.
 */
void *wd_zreal_sym(const char *name);

#endif /* WD_ZREAL_H */
