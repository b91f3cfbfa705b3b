/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive software path: what runs when the device does not.
 *
 * Whole buffers go to libdeflate when the library was built with it
 * (two to three times zlib's speed at the same level, see
 * Documentation/benchmarks.rst), streams and small windows to the
 * system zlib.  All functions return 0 or a negative errno as the
 * public API does.
 */
#ifndef WD_SOFT_H
#define WD_SOFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

/**
 * wd_soft_compress() - compress a buffer into one complete stream
 * @format: enum wd_format
 * @level: 1-9
 * @window_bits: 9-15
 * @src: input
 * @src_len: its length
 * @dst: output
 * @dst_len: in: room; out: bytes written
 * @checksum: CRC-32 or Adler-32 (by format) of @src
 *
 * Return: 0, -ENOSPC, -ENOMEM, -ENOSYS if there is no software engine.
 */
int wd_soft_compress(int format, int level, int window_bits,
		     const void *src, size_t src_len,
		     void *dst, size_t *dst_len, uint32_t *checksum);

/**
 * wd_soft_decompress() - decompress one complete stream
 * @format: enum wd_format
 * @src: input
 * @src_len: in: bytes available; out: bytes the stream took
 * @dst: output
 * @dst_len: in: room; out: bytes written
 * @checksum: CRC-32 or Adler-32 (by format) of the output
 *
 * Return: 0, -ENOSPC, -EBADMSG, -ENOMEM, -ENOSYS.
 */
int wd_soft_decompress(int format, const void *src, size_t *src_len,
		       void *dst, size_t *dst_len, uint32_t *checksum);

/**
 * wd_soft_checksum() - the checksum a format uses
 * @format: enum wd_format (Adler-32 for zlib, CRC-32 otherwise)
 * @sum: value so far (0 to start: the initial values are handled)
 * @buf: data
 * @len: its length
 * @first: @sum is not a running value yet
 */
uint32_t wd_soft_checksum(int format, uint32_t sum, const void *buf,
			  size_t len, bool first);

/**
 * struct wd_soft_stream - a zlib stream of the software path
 * @z: the system zlib's stream
 * @format: enum wd_format
 * @compress: deflate, else inflate
 * @started: @checksum holds a running value
 * @checksum: CRC-32 or Adler-32 of the uncompressed data so far
 * @level: compression level in effect
 * @new_level: level wanted from the next call on
 */
struct wd_soft_stream {
	z_stream z;
	int format;
	bool compress;
	bool started;
	uint32_t checksum;
	int level;
	int new_level;
};

int wd_soft_stream_init(struct wd_soft_stream *s, bool compress, int format,
			int level, int window_bits);

/**
 * wd_soft_stream_run() - as wd_stream_run(), on the software path
 */
int wd_soft_stream_run(struct wd_soft_stream *s, const void **in,
		       size_t *in_len, void **out, size_t *out_len, int flush);
int wd_soft_stream_reset(struct wd_soft_stream *s);
void wd_soft_stream_end(struct wd_soft_stream *s);

#endif /* WD_SOFT_H */
