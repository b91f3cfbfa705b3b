// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzip: stream contexts.
 *
 * A stream context is memory the application owns and the device reads at
 * the start of a request and writes back at its end.  Its contents are the
 * device's business:
 *
 *	0			struct vzip_ctx_hdr (64 bytes)
 *	64			saved decompressor state (state_len bytes)
 *	64 + state_len		history or window (hist_len bytes)
 *
 * The header and the state are sealed with SipHash-2-4 under a key drawn
 * when the module loads (wd_seal(), drivers/engine/seal.c), so everything
 * the device acts on was written by the device; the history is plain data
 * (wrong bytes there make wrong output for the application that wrote
 * them, nothing else).  No kernel address is ever stored in a context.
 */
#include <kunit/visibility.h>
#include <linux/cache.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/siphash.h>
#include <linux/string.h>
#include <linux/wd_engine.h>

#include "vzip.h"
#include "codec.h"

#define VZIP_CTX_MAGIC		0x5854435a	/* "ZCTX" */
#define VZIP_CTX_VERSION	1

/**
 * struct vzip_ctx_hdr - the sealed header of a stream context
 * @magic: VZIP_CTX_MAGIC
 * @version: VZIP_CTX_VERSION
 * @kind: enum vzip_ctx_kind
 * @format: enum vzip_format
 * @window_bits: 9-15
 * @phase: enum vzip_phase
 * @wrap_step: struct vzip_wrap.step
 * @wrap_flags: struct vzip_wrap.flags
 * @trailer_len: struct vzip_wrap.trailer_len
 * @wrap_left: struct vzip_wrap.left
 * @wrap_crc: struct vzip_wrap.crc
 * @checksum: checksum of the uncompressed data so far
 * @total: uncompressed bytes so far
 * @hist_len: bytes of history or window after the state
 * @state_len: bytes of decompressor state after the header
 * @trailer: struct vzip_wrap.trailer
 * @rsvd: zero
 * @tag: SipHash-2-4 of the header (this field zero) and the state
 */
struct vzip_ctx_hdr {
	__le32 magic;
	u8 version;
	u8 kind;
	u8 format;
	u8 window_bits;
	u8 phase;
	u8 wrap_step;
	u8 wrap_flags;
	u8 trailer_len;
	__le32 wrap_left;
	__le32 wrap_crc;
	__le32 checksum;
	__le64 total;
	__le32 hist_len;
	__le32 state_len;
	u8 trailer[VZIP_TRAILER_MAX];
	u8 rsvd[8];
	__le64 tag;
};

static_assert(sizeof(struct vzip_ctx_hdr) == VZIP_CTX_HDR_SIZE);

/* Drawn once at module load, read-only afterwards. */
static siphash_key_t vzip_ctx_key __ro_after_init;
static bool vzip_ctx_decompress_ok __ro_after_init;

/**
 * vzip_stream_init() - draw the sealing key, check the inflate layout
 *
 * Called once, from module init.
 */
void __init vzip_stream_init(void)
{
	wd_seal_key_init(&vzip_ctx_key);
	vzip_ctx_decompress_ok = vzip_inflate_state_check();
}

/* Bytes of the sealed part of a context at most: header and state. */
u32 vzip_sealed_size(void)
{
	return VZIP_CTX_HDR_SIZE + vzip_inflate_state_size();
}

/**
 * vzip_ctx_size() - bytes of a stream context
 *
 * Return: the CTX_SIZE register value, 0 if streams are not supported.
 */
u32 vzip_ctx_size(void)
{
	if (!vzip_ctx_decompress_ok)
		return 0;
	return ALIGN(vzip_sealed_size() + VZIP_WINDOW_MAX, VZIP_CTX_ALIGN);
}
EXPORT_SYMBOL_IF_KUNIT(vzip_ctx_size);

/* Offset of the history or window in the context of @st. */
u32 vzip_stream_hist_offset(const struct vzip_stream *st)
{
	return VZIP_CTX_HDR_SIZE + st->state_len;
}

static u64 vzip_ctx_seal(u8 *sealed, u32 len)
{
	return wd_seal(&vzip_ctx_key, sealed, len,
		       offsetof(struct vzip_ctx_hdr, tag));
}

/**
 * vzip_stream_load() - read and check the sealed part of a context
 * @ctx: the context
 * @st: set to the stream state it holds
 * @sealed: vzip_sealed_size() bytes; the saved decompressor state, if any,
 *          is left at @sealed + VZIP_CTX_HDR_SIZE
 *
 * Return: 0, or -EINVAL if the context was not written by this device (or
 * was modified since).
 */
int vzip_stream_load(const struct wd_buf *ctx, struct vzip_stream *st,
		     u8 *sealed)
{
	struct vzip_ctx_hdr *hdr = (void *)sealed;
	u32 state_len, hist_len;
	u64 tag;

	if (ctx->len < vzip_ctx_size())
		return -EINVAL;
	wd_buf_read(ctx, 0, sealed, VZIP_CTX_HDR_SIZE);
	if (le32_to_cpu(hdr->magic) != VZIP_CTX_MAGIC ||
	    hdr->version != VZIP_CTX_VERSION)
		return -EINVAL;
	state_len = le32_to_cpu(hdr->state_len);
	hist_len = le32_to_cpu(hdr->hist_len);
	if ((state_len && state_len != vzip_inflate_state_size()) ||
	    hist_len > VZIP_WINDOW_MAX)
		return -EINVAL;
	wd_buf_read(ctx, VZIP_CTX_HDR_SIZE, sealed + VZIP_CTX_HDR_SIZE,
		    state_len);
	tag = le64_to_cpu(hdr->tag);
	if (vzip_ctx_seal(sealed, VZIP_CTX_HDR_SIZE + state_len) != tag)
		return -EINVAL;

	/* Sealed by this module: the checks below can only fail on a bug. */
	st->kind = hdr->kind;
	st->format = hdr->format;
	st->window_bits = hdr->window_bits;
	st->phase = hdr->phase;
	st->wrap.step = hdr->wrap_step;
	st->wrap.flags = hdr->wrap_flags;
	st->wrap.trailer_len = hdr->trailer_len;
	st->wrap.left = le32_to_cpu(hdr->wrap_left);
	st->wrap.crc = le32_to_cpu(hdr->wrap_crc);
	memcpy(st->wrap.trailer, hdr->trailer, sizeof(st->wrap.trailer));
	st->checksum = le32_to_cpu(hdr->checksum);
	st->total = le64_to_cpu(hdr->total);
	st->hist_len = hist_len;
	st->state_len = state_len;
	if (st->window_bits < VZIP_WINDOW_BITS_MIN ||
	    st->window_bits > VZIP_WINDOW_BITS_MAX ||
	    st->hist_len > 1U << st->window_bits ||
	    st->format > VZIP_FMT_GZIP || st->phase > VZIP_PHASE_DONE ||
	    st->wrap.trailer_len > VZIP_TRAILER_MAX)
		return -EINVAL;
	return 0;
}

/**
 * vzip_stream_save() - seal and write the sealed part of a context
 * @ctx: the context
 * @st: the stream state
 * @sealed: vzip_sealed_size() bytes, holding the saved decompressor state
 *          at @sealed + VZIP_CTX_HDR_SIZE if @st->state_len
 *
 * The caller writes the history at vzip_stream_hist_offset().
 */
void vzip_stream_save(const struct wd_buf *ctx, const struct vzip_stream *st,
		      u8 *sealed)
{
	struct vzip_ctx_hdr *hdr = (void *)sealed;
	u32 len = VZIP_CTX_HDR_SIZE + st->state_len;

	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = cpu_to_le32(VZIP_CTX_MAGIC);
	hdr->version = VZIP_CTX_VERSION;
	hdr->kind = st->kind;
	hdr->format = st->format;
	hdr->window_bits = st->window_bits;
	hdr->phase = st->phase;
	hdr->wrap_step = st->wrap.step;
	hdr->wrap_flags = st->wrap.flags;
	hdr->trailer_len = st->wrap.trailer_len;
	hdr->wrap_left = cpu_to_le32(st->wrap.left);
	hdr->wrap_crc = cpu_to_le32(st->wrap.crc);
	hdr->checksum = cpu_to_le32(st->checksum);
	hdr->total = cpu_to_le64(st->total);
	hdr->hist_len = cpu_to_le32(st->hist_len);
	hdr->state_len = cpu_to_le32(st->state_len);
	memcpy(hdr->trailer, st->wrap.trailer, sizeof(hdr->trailer));
	hdr->tag = cpu_to_le64(vzip_ctx_seal(sealed, len));
	wd_buf_write(ctx, 0, sealed, len);
}
