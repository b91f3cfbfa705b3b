// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwdz.so: the rest of zlib's API (checksums, gz*()), forwarded to the
 * real zlib.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "zshim.h"

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
