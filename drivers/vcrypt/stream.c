// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vcrypt: stream contexts (Documentation/vcrypt.rst, "Streams").
 *
 * A stream context is memory the application owns and the device reads at
 * the start of a request and writes back when the request completes with
 * OK.  Its contents are the device's business:
 *
 *	0	struct vcrypt_ctx_hdr (64 bytes)
 *	64	the hash state (state_len bytes, digests and HMAC)
 *	...	zero up to CTX_SIZE
 *
 * All of it is sealed with SipHash-2-4 under a key drawn when the module
 * loads (wd_seal(), drivers/engine/seal.c), so every byte of it was
 * written by the device.  A
 * context holds no key, no key schedule and not HMAC's outer state: only
 * the slot number and generation whose key the stream runs with.
 */
#include <kunit/visibility.h>
#include <linux/cache.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/siphash.h>
#include <linux/string.h>
#include <linux/wd_engine.h>

#include "vcrypt.h"

#define VCRYPT_CTX_MAGIC	0x58544343	/* "CCTX" */
#define VCRYPT_CTX_VERSION	1
#define VCRYPT_CTX_F_ENDED	0x1

/**
 * struct vcrypt_ctx_hdr - the sealed header of a stream context
 * @magic: VCRYPT_CTX_MAGIC
 * @version: VCRYPT_CTX_VERSION
 * @alg: enum vcrypt_alg
 * @opcode: DIGEST, ENCRYPT or DECRYPT
 * @flags: VCRYPT_CTX_F_*
 * @slot: key slot (keyed algorithms)
 * @ctr_off: CTR: keystream bytes of @chain used
 * @rsvd0: zero
 * @state_len: bytes of hash state after the header
 * @gen: the slot's generation
 * @chain: CBC: last ciphertext block; CTR: counter block
 * @rsvd: zero
 * @tag: SipHash-2-4 of the header (this field zero) and the state
 */
struct vcrypt_ctx_hdr {
	__le32 magic;
	u8 version;
	u8 alg;
	u8 opcode;
	u8 flags;
	__le16 slot;
	u8 ctr_off;
	u8 rsvd0;
	__le32 state_len;
	__le64 gen;
	u8 chain[VCRYPT_BLOCK_SIZE];
	u8 rsvd[16];
	__le64 tag;
};

static_assert(sizeof(struct vcrypt_ctx_hdr) == VCRYPT_CTX_HDR_SIZE);

/* Drawn once at module load, read-only afterwards. */
static siphash_key_t vcrypt_ctx_key __ro_after_init;

/**
 * vcrypt_stream_init() - draw the sealing key
 *
 * Called once, from module init.
 */
void __init vcrypt_stream_init(void)
{
	wd_seal_key_init(&vcrypt_ctx_key);
}

/**
 * vcrypt_ctx_size() - bytes of a stream context
 * @state_max: the largest hash state of the device's algorithms
 *
 * Return: the CTX_SIZE register value, 0 if the state does not fit
 * VCRYPT_CTX_MAX (no streams then).
 */
u32 vcrypt_ctx_size(u32 state_max)
{
	u32 size = ALIGN(VCRYPT_CTX_HDR_SIZE + state_max, VCRYPT_CTX_ALIGN);

	return size <= VCRYPT_CTX_MAX ? size : 0;
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_ctx_size);

/* the header is followed by the rest of the context in memory */
static u64 vcrypt_ctx_seal(struct vcrypt_ctx_hdr *hdr, u32 ctx_len)
{
	return wd_seal(&vcrypt_ctx_key, hdr, ctx_len,
		       offsetof(struct vcrypt_ctx_hdr, tag));
}

/**
 * vcrypt_stream_load() - read and check a stream context
 * @ctx: the context, CTX_SIZE bytes
 * @st: set to the stream state it holds; @st->state has room for
 *	@state_max bytes and is preceded by VCRYPT_CTX_HDR_SIZE bytes of room
 *	(struct vcrypt_engine.state)
 * @state_max: the largest state the device writes
 *
 * Return: 0, or -EINVAL if the context was not written by this driver (or
 * was modified since).
 */
int vcrypt_stream_load(const struct wd_buf *ctx, struct vcrypt_stream *st,
		       u32 state_max)
{
	struct vcrypt_ctx_hdr *hdr = (void *)(st->state - VCRYPT_CTX_HDR_SIZE);
	u32 state_len;
	u64 tag;

	if (ctx->len != vcrypt_ctx_size(state_max))
		return -EINVAL;
	wd_buf_read(ctx, 0, hdr, ctx->len);
	if (le32_to_cpu(hdr->magic) != VCRYPT_CTX_MAGIC ||
	    hdr->version != VCRYPT_CTX_VERSION)
		return -EINVAL;
	state_len = le32_to_cpu(hdr->state_len);
	if (state_len > state_max)
		return -EINVAL;
	tag = le64_to_cpu(hdr->tag);
	if (vcrypt_ctx_seal(hdr, ctx->len) != tag)
		return -EINVAL;

	/* sealed by this module: the checks below can only fail on a bug */
	st->alg = hdr->alg;
	st->opcode = hdr->opcode;
	st->ended = hdr->flags & VCRYPT_CTX_F_ENDED;
	st->slot = le16_to_cpu(hdr->slot);
	st->gen = le64_to_cpu(hdr->gen);
	st->ctr_off = hdr->ctr_off;
	memcpy(st->chain, hdr->chain, sizeof(st->chain));
	st->state_len = state_len;
	if (st->alg >= VCRYPT_ALG_NR || st->ctr_off >= VCRYPT_BLOCK_SIZE)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_stream_load);

/**
 * vcrypt_stream_save() - seal and write a stream context
 * @ctx: the context, CTX_SIZE bytes
 * @st: the stream state; @st->state is preceded by VCRYPT_CTX_HDR_SIZE
 *	bytes of room and has room up to CTX_SIZE
 *	(struct vcrypt_engine.state)
 */
void vcrypt_stream_save(const struct wd_buf *ctx,
			const struct vcrypt_stream *st)
{
	struct vcrypt_ctx_hdr *hdr = (void *)(st->state - VCRYPT_CTX_HDR_SIZE);

	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = cpu_to_le32(VCRYPT_CTX_MAGIC);
	hdr->version = VCRYPT_CTX_VERSION;
	hdr->alg = st->alg;
	hdr->opcode = st->opcode;
	hdr->flags = st->ended ? VCRYPT_CTX_F_ENDED : 0;
	hdr->slot = cpu_to_le16(st->slot);
	hdr->ctr_off = st->ctr_off;
	hdr->state_len = cpu_to_le32(st->state_len);
	hdr->gen = cpu_to_le64(st->gen);
	memcpy(hdr->chain, st->chain, sizeof(hdr->chain));
	memset(st->state + st->state_len, 0,
	       ctx->len - VCRYPT_CTX_HDR_SIZE - st->state_len);
	hdr->tag = cpu_to_le64(vcrypt_ctx_seal(hdr, ctx->len));
	wd_buf_write(ctx, 0, hdr, ctx->len);
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_stream_save);

/**
 * vcrypt_stream_check() - whether a loaded context continues a request's
 *	stream
 * @st: the context's state
 * @job: a stream request without NEW_STREAM
 * @slot: its key slot
 *
 * Return: VCRYPT_STS_OK, or VCRYPT_STS_BAD_CONTEXT if the context belongs
 * to another algorithm, direction, slot or generation of the slot, or its
 * stream has ended.
 */
u16 vcrypt_stream_check(const struct vcrypt_stream *st,
			const struct vcrypt_job *job,
			const struct vcrypt_slot *slot)
{
	u8 kind = vcrypt_algs[job->alg].kind;

	if (st->ended || st->alg != job->alg || st->opcode != job->opcode)
		return VCRYPT_STS_BAD_CONTEXT;
	if (kind != VCRYPT_KIND_DIGEST &&
	    (st->slot != job->slot || st->gen != slot->gen))
		return VCRYPT_STS_BAD_CONTEXT;
	if ((kind == VCRYPT_KIND_DIGEST || kind == VCRYPT_KIND_HMAC) !=
	    !!st->state_len)
		return VCRYPT_STS_BAD_CONTEXT;
	return VCRYPT_STS_OK;
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_stream_check);
