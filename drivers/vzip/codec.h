/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vzip: interfaces between the codec and its helpers (container formats,
 * stream contexts, inflate state).
 */
#ifndef _DRIVERS_VZIP_CODEC_H
#define _DRIVERS_VZIP_CODEC_H

#include <linux/types.h>
#include <linux/zlib.h>

struct wd_buf;

#define VZIP_HEADER_MAX		10	/* gzip header without optional fields */
#define VZIP_TRAILER_MAX	8	/* gzip trailer */
#define VZIP_CTX_HDR_SIZE	64

/* Where a stream is. */
enum vzip_phase {
	VZIP_PHASE_HEADER,	/* zlib or gzip header not yet written or read */
	VZIP_PHASE_BODY,	/* deflate data */
	VZIP_PHASE_TRAILER,	/* decompression: reading the trailer */
	VZIP_PHASE_DONE,	/* stream ended */
};

enum vzip_ctx_kind {
	VZIP_CTX_COMPRESS = 1,
	VZIP_CTX_DECOMPRESS = 2,
};

/**
 * struct vzip_wrap - zlib or gzip header and trailer parser state
 * @step: parser step (format specific)
 * @flags: gzip FLG
 * @trailer_len: trailer bytes collected
 * @left: bytes left in the current header field
 * @crc: CRC-32 of the gzip header so far (FHCRC)
 * @trailer: the trailer bytes collected
 */
struct vzip_wrap {
	u8 step;
	u8 flags;
	u8 trailer_len;
	u32 left;
	u32 crc;
	u8 trailer[VZIP_TRAILER_MAX];
};

/**
 * struct vzip_stream - the state of a stream, as kept in its context
 * @kind: enum vzip_ctx_kind
 * @format: enum vzip_format
 * @window_bits: 9-15
 * @phase: enum vzip_phase
 * @wrap: header and trailer parser (decompression)
 * @checksum: CRC-32 or Adler-32 of the uncompressed data so far
 * @total: uncompressed bytes so far
 * @hist_len: bytes of history (compression) or window (decompression)
 * @state_len: bytes of saved decompressor state
 */
struct vzip_stream {
	u8 kind;
	u8 format;
	u8 window_bits;
	u8 phase;
	struct vzip_wrap wrap;
	u32 checksum;
	u64 total;
	u32 hist_len;
	u32 state_len;
};

/* format.c */
u32 vzip_checksum_init(u8 format);
u32 vzip_checksum(u8 format, u32 sum, const void *buf, u32 len);
unsigned int vzip_header_len(u8 format);
void vzip_header_write(u8 format, u8 level, u8 window_bits, u8 *buf);
unsigned int vzip_trailer_len(u8 format);
void vzip_trailer_write(u8 format, u32 sum, u64 total, u8 *buf);
int vzip_header_parse(struct vzip_wrap *w, u8 format, u8 window_bits, u8 c);
int vzip_trailer_parse(struct vzip_wrap *w, u8 format, u32 sum, u64 total,
		       u8 c);

/* stream.c */
int vzip_stream_load(const struct wd_buf *ctx, struct vzip_stream *st,
		     u8 *sealed);
void vzip_stream_save(const struct wd_buf *ctx, const struct vzip_stream *st,
		      u8 *sealed);
u32 vzip_stream_hist_offset(const struct vzip_stream *st);
u32 vzip_sealed_size(void);

/* inflate_state.c */
bool vzip_inflate_state_check(void);
u32 vzip_inflate_state_size(void);
int vzip_inflate_state_save(z_stream *zs, u8 *blob, u8 *hist, u32 max_hist);
int vzip_inflate_state_load(z_stream *zs, const u8 *blob, u32 window_len);
bool vzip_inflate_state_resumable(z_stream *zs);
u8 *vzip_inflate_window(z_stream *zs);

#endif /* _DRIVERS_VZIP_CODEC_H */
