// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzip: the zlib (RFC 1950) and gzip (RFC 1952) containers around raw
 * deflate, and their checksums.  The kernel's zlib is only used for raw
 * deflate: it has no gzip support, and keeping the containers here lets
 * headers and trailers be split across requests like any other input.
 */
#include <kunit/visibility.h>
#include <linux/crc32.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/zutil.h>
#include <asm/unaligned.h>

#include "vzip.h"
#include "codec.h"

#define GZIP_ID1	0x1f
#define GZIP_ID2	0x8b
#define GZIP_CM_DEFLATE	8
#define GZIP_FHCRC	0x02
#define GZIP_FEXTRA	0x04
#define GZIP_FNAME	0x08
#define GZIP_FCOMMENT	0x10
#define GZIP_FRESERVED	0xe0
#define GZIP_OS_UNIX	3
#define GZIP_FIXED_LEN	6	/* MTIME, XFL, OS */

#define ZLIB_CM_DEFLATE	8
#define ZLIB_FDICT	0x20

/* Steps of the gzip header parser: fields in stream order. */
enum {
	GZ_ID1,
	GZ_ID2,
	GZ_CM,
	GZ_FLG,
	GZ_FIXED,
	GZ_XLEN1,
	GZ_XLEN2,
	GZ_EXTRA,
	GZ_NAME,
	GZ_COMMENT,
	GZ_HCRC1,
	GZ_HCRC2,
};

/**
 * vzip_crc32() - CRC-32 as zlib's crc32()
 * @crc: CRC-32 of the data so far, 0 to start
 * @buf: more data
 * @len: its length
 *
 * Return: the CRC-32 of the data so far and @buf.
 */
u32 vzip_crc32(u32 crc, const void *buf, size_t len)
{
	return ~crc32_le(~crc, buf, len);
}
EXPORT_SYMBOL_IF_KUNIT(vzip_crc32);

/* The initial checksum of a stream of @format. */
u32 vzip_checksum_init(u8 format)
{
	return format == VZIP_FMT_ZLIB ? 1 : 0;
}

/**
 * vzip_checksum() - extend the checksum of a stream
 * @format: VZIP_FMT_ZLIB (Adler-32, the kernel's zlib_adler32()) or
 *	another (CRC-32)
 * @sum: the checksum of the data so far, vzip_checksum_init() to start
 * @buf: more data, NULL if @len is 0
 * @len: its length
 *
 * Return: the checksum of the data so far and @buf.
 */
u32 vzip_checksum(u8 format, u32 sum, const void *buf, u32 len)
{
	/* zlib_adler32() restarts at 1 on a NULL buffer, even an empty one */
	if (!len)
		return sum;
	if (format == VZIP_FMT_ZLIB)
		return zlib_adler32(sum, buf, len);
	return vzip_crc32(sum, buf, len);
}
EXPORT_SYMBOL_IF_KUNIT(vzip_checksum);

unsigned int vzip_header_len(u8 format)
{
	switch (format) {
	case VZIP_FMT_ZLIB:
		return 2;
	case VZIP_FMT_GZIP:
		return VZIP_HEADER_MAX;
	default:
		return 0;
	}
}

/* Writes the header of a new stream; vzip_header_len() bytes. */
void vzip_header_write(u8 format, u8 level, u8 window_bits, u8 *buf)
{
	unsigned int hdr, level_flags;

	if (format == VZIP_FMT_ZLIB) {
		/* FLEVEL as zlib sets it: 0 fastest ... 3 best */
		if (level < 2)
			level_flags = 0;
		else if (level < VZIP_LEVEL_DEFAULT)
			level_flags = 1;
		else if (level == VZIP_LEVEL_DEFAULT)
			level_flags = 2;
		else
			level_flags = 3;
		hdr = ((window_bits - 8) << 4 | ZLIB_CM_DEFLATE) << 8;
		hdr |= level_flags << 6;
		hdr += 31 - hdr % 31;
		put_unaligned_be16(hdr, buf);
	} else if (format == VZIP_FMT_GZIP) {
		buf[0] = GZIP_ID1;
		buf[1] = GZIP_ID2;
		buf[2] = GZIP_CM_DEFLATE;
		buf[3] = 0;			/* FLG */
		put_unaligned_le32(0, buf + 4);	/* MTIME */
		/* XFL: 2 for the best compression, 4 for the fastest */
		buf[8] = level == VZIP_LEVEL_MAX ? 2 :
			 level == VZIP_LEVEL_MIN ? 4 : 0;
		buf[9] = GZIP_OS_UNIX;
	}
}

unsigned int vzip_trailer_len(u8 format)
{
	switch (format) {
	case VZIP_FMT_ZLIB:
		return 4;
	case VZIP_FMT_GZIP:
		return VZIP_TRAILER_MAX;
	default:
		return 0;
	}
}

/* Writes the trailer of a stream: vzip_trailer_len() bytes. */
void vzip_trailer_write(u8 format, u32 sum, u64 total, u8 *buf)
{
	if (format == VZIP_FMT_ZLIB) {
		put_unaligned_be32(sum, buf);
	} else if (format == VZIP_FMT_GZIP) {
		put_unaligned_le32(sum, buf);
		put_unaligned_le32((u32)total, buf + 4);
	}
}

/* The gzip header field after @step, given the header's flags. */
static int vzip_gzip_next_field(struct vzip_wrap *w, u8 step)
{
	if (step < GZ_XLEN1 && (w->flags & GZIP_FEXTRA))
		w->step = GZ_XLEN1;
	else if (step < GZ_NAME && (w->flags & GZIP_FNAME))
		w->step = GZ_NAME;
	else if (step < GZ_COMMENT && (w->flags & GZIP_FCOMMENT))
		w->step = GZ_COMMENT;
	else if (step < GZ_HCRC1 && (w->flags & GZIP_FHCRC))
		w->step = GZ_HCRC1;
	else
		return 1;
	return 0;
}

static int vzip_gzip_header_parse(struct vzip_wrap *w, u8 c)
{
	if (w->step < GZ_HCRC1)
		w->crc = vzip_crc32(w->crc, &c, 1);

	switch (w->step) {
	case GZ_ID1:
		if (c != GZIP_ID1)
			return -EBADMSG;
		w->step = GZ_ID2;
		return 0;
	case GZ_ID2:
		if (c != GZIP_ID2)
			return -EBADMSG;
		w->step = GZ_CM;
		return 0;
	case GZ_CM:
		if (c != GZIP_CM_DEFLATE)
			return -EBADMSG;
		w->step = GZ_FLG;
		return 0;
	case GZ_FLG:
		if (c & GZIP_FRESERVED)
			return -EBADMSG;
		w->flags = c;
		w->left = GZIP_FIXED_LEN;
		w->step = GZ_FIXED;
		return 0;
	case GZ_FIXED:
		if (--w->left)
			return 0;
		return vzip_gzip_next_field(w, GZ_FIXED);
	case GZ_XLEN1:
		w->left = c;
		w->step = GZ_XLEN2;
		return 0;
	case GZ_XLEN2:
		w->left |= c << 8;
		if (w->left) {
			w->step = GZ_EXTRA;
			return 0;
		}
		return vzip_gzip_next_field(w, GZ_EXTRA);
	case GZ_EXTRA:
		if (--w->left)
			return 0;
		return vzip_gzip_next_field(w, GZ_EXTRA);
	case GZ_NAME:
	case GZ_COMMENT:
		if (c)
			return 0;
		return vzip_gzip_next_field(w, w->step);
	case GZ_HCRC1:
		w->left = c;
		w->step = GZ_HCRC2;
		return 0;
	case GZ_HCRC2:
		if ((w->left | c << 8) != (w->crc & 0xffff))
			return -EBADMSG;
		return 1;
	default:
		return -EBADMSG;
	}
}

static int vzip_zlib_header_parse(struct vzip_wrap *w, u8 window_bits, u8 c)
{
	switch (w->step) {
	case 0:	/* CMF */
		if ((c & 0x0f) != ZLIB_CM_DEFLATE || (c >> 4) + 8 > window_bits)
			return -EBADMSG;
		w->left = c;
		w->step = 1;
		return 0;
	case 1:	/* FLG */
		if ((w->left << 8 | c) % 31 || (c & ZLIB_FDICT))
			return -EBADMSG;
		return 1;
	default:
		return -EBADMSG;
	}
}

/**
 * vzip_header_parse() - feed one byte to the header parser
 * @w: parser state, zeroed at the start of the stream
 * @format: VZIP_FMT_ZLIB or VZIP_FMT_GZIP
 * @window_bits: the largest window the stream may use
 * @c: the next byte of the stream
 *
 * Return: 0 if the header goes on, 1 if @c ended it, -EBADMSG if it is not
 * a header this device accepts.
 */
int vzip_header_parse(struct vzip_wrap *w, u8 format, u8 window_bits, u8 c)
{
	if (format == VZIP_FMT_GZIP)
		return vzip_gzip_header_parse(w, c);
	return vzip_zlib_header_parse(w, window_bits, c);
}

/**
 * vzip_trailer_parse() - feed one byte to the trailer parser
 * @w: parser state
 * @format: VZIP_FMT_ZLIB or VZIP_FMT_GZIP
 * @sum: checksum of the decompressed stream
 * @total: bytes of the decompressed stream
 * @c: the next byte of the stream
 *
 * Return: 0 if the trailer goes on, 1 if @c ended it and it matches,
 * -EBADMSG if it does not match.
 */
int vzip_trailer_parse(struct vzip_wrap *w, u8 format, u32 sum, u64 total,
		       u8 c)
{
	unsigned int len = vzip_trailer_len(format);

	if (w->trailer_len >= len)
		return -EBADMSG;
	w->trailer[w->trailer_len++] = c;
	if (w->trailer_len < len)
		return 0;
	if (format == VZIP_FMT_ZLIB)
		return get_unaligned_be32(w->trailer) == sum ? 1 : -EBADMSG;
	if (get_unaligned_le32(w->trailer) != sum ||
	    get_unaligned_le32(w->trailer + 4) != (u32)total)
		return -EBADMSG;
	return 1;
}
