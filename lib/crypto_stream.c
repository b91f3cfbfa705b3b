// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive crypto stream front end: a digest, HMAC, CBC or CTR chain
 * fed in pieces.  The path is chosen when the stream opens and kept; on
 * the device the state between pieces is the device's sealed stream
 * context (crypto_hw.c) on the session's queue and key slot, in software
 * an EVP context (crypto_soft.c).  On the device a CBC chain keeps a
 * piece's last partial block here until the next piece completes it,
 * as EVP does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_priv.h"

/**
 * struct wd_crypto_stream - a stream
 * @s: its session
 * @soft: the software state (software path)
 * @hw: the device (device path): @hw.q is a reference
 * @ctx: its stream context (device path)
 * @op: VCRYPT_OP_DIGEST, _ENCRYPT or _DECRYPT (device path)
 * @iv: the IV or counter block until the first request (device path)
 * @started: the device has started the stream
 * @part: CBC on the device: bytes of an incomplete block held back
 * @npart: how many
 * @path: WD_PATH_HW or WD_PATH_SW
 * @why: why it runs in software
 * @in: input bytes so far
 * @out: output bytes so far
 * @dead: an error or the final call: only close is left
 */
struct wd_crypto_stream {
	struct wd_crypto *s;
	struct wd_csoft_stream *soft;
	struct wd_chw hw;
	struct wd_chw_ctx ctx;
	int op;
	unsigned char iv[WD_CRYPTO_IV_SIZE];
	bool started;
	unsigned char part[WD_CRYPTO_BLOCK_SIZE];
	size_t npart;
	unsigned int path;
	enum wd_reason why;
	uint64_t in;
	uint64_t out;
	bool dead;
};

static bool is_cbc(int alg)
{
	return alg == WD_CRYPTO_AES_CBC || alg == WD_CRYPTO_SM4_CBC;
}

/* Starts @st on the device of @st->hw; 0 or -errno (-EOPNOTSUPP). */
static int open_hw(struct wd_crypto_stream *st, int dir, const void *iv)
{
	int ret = wd_chw_ctx_alloc(&st->hw, &st->ctx);

	if (ret)
		return ret;
	if (wd_crypto_kind(st->s->alg) == WD_CRYPTO_KIND_DIGEST) {
		st->op = VCRYPT_OP_DIGEST;
	} else {
		st->op = dir == WD_ENCRYPT ? VCRYPT_OP_ENCRYPT :
		       VCRYPT_OP_DECRYPT;
		memcpy(st->iv, iv, WD_CRYPTO_IV_SIZE);
	}
	st->path = WD_PATH_HW;
	st->why = WD_REASON_NONE;
	return 0;
}

WD_EXPORT int wd_crypto_stream_open(struct wd_crypto_stream **sp,
				    struct wd_crypto *s,
				    enum wd_crypto_dir dir, const void *iv,
				    size_t iv_len)
{
	enum wd_crypto_kind kind;
	struct wd_crypto_stream *st;
	enum wd_reason why;
	struct wd_chw hw;
	int ret;

	if (!sp || !s)
		return -EINVAL;
	*sp = NULL;
	kind = wd_crypto_kind(s->alg);
	if (kind == WD_CRYPTO_KIND_AEAD || s->alg == WD_CRYPTO_AES_XTS)
		return -EOPNOTSUPP;
	if (kind == WD_CRYPTO_KIND_CIPHER &&
	    (!iv || wd_crypto_check_cipher(s, dir, iv_len, 0)))
		return -EINVAL;
	if (kind == WD_CRYPTO_KIND_DIGEST && (iv || iv_len))
		return -EINVAL;
	/* a stream's length is unknown: the threshold does not apply */
	ret = wd_crypto_route(s, SIZE_MAX, 0, 0, 0, &hw, &why);
	if (ret)
		return ret;
	st = calloc(1, sizeof(*st));
	if (!st) {
		wd_queue_close(hw.q);
		return -ENOMEM;
	}
	st->s = s;
	if (hw.q) {
		st->hw = hw;
		ret = open_hw(st, dir, iv);
		if (!ret) {
			*sp = st;
			return 0;
		}
		wd_queue_close(hw.q);
		st->hw.q = NULL;
		/* no stream contexts, or no room for one */
		why = ret == -EOPNOTSUPP ? WD_REASON_UNSUPPORTED :
		      wd_hw_fail_reason(ret);
		if (s->policy == WD_POLICY_HW) {
			free(st);
			return ret == -EOPNOTSUPP ? -EOPNOTSUPP : ret;
		}
	}
	ret = wd_csoft_stream_new(&st->soft, s->alg, dir, s->key, s->key_len,
				  iv);
	if (ret) {
		free(st);
		return ret;
	}
	st->path = WD_PATH_SW;
	st->why = why;
	*sp = st;
	return 0;
}

/* One device request of the stream; the first one starts it. */
static int hw_req(struct wd_crypto_stream *st, const void *src, size_t len,
		  void *dst, size_t dst_len, bool final, size_t *made)
{
	unsigned int flags = final ? VCRYPT_SQE_F_FINAL : 0;
	int ret;

	if (!st->started)
		flags |= VCRYPT_SQE_F_NEW_STREAM;
	ret = wd_chw_stream(&st->hw, &st->ctx, st->op, flags,
			    st->op == VCRYPT_OP_DIGEST ? NULL : st->iv, src,
			    len, dst, dst_len, made);
	if (!ret)
		st->started = true;
	return ret;
}

/* A piece on the device; *@made output bytes.  -ENOSPC: none taken. */
static int update_hw(struct wd_crypto_stream *st, const unsigned char *src,
		     size_t len, unsigned char *dst, size_t room,
		     size_t *made)
{
	size_t n, got = 0, whole;
	int ret;

	*made = 0;
	if (st->op == VCRYPT_OP_DIGEST)
		return len ? hw_req(st, src, len, NULL, 0, false, &got) : 0;
	if (!is_cbc(st->s->alg)) {
		if (room < len)
			return -ENOSPC;
		ret = len ? hw_req(st, src, len, dst, len, false, &got) : 0;
		*made = got;
		return ret;
	}
	/* CBC: whole blocks only, the rest held back for the next piece */
	whole = (st->npart + len) / WD_CRYPTO_BLOCK_SIZE * WD_CRYPTO_BLOCK_SIZE;
	if (room < whole)
		return -ENOSPC;
	if (st->npart && whole) {
		n = WD_CRYPTO_BLOCK_SIZE - st->npart;
		memcpy(st->part + st->npart, src, n);
		ret = hw_req(st, st->part, WD_CRYPTO_BLOCK_SIZE, dst,
			     WD_CRYPTO_BLOCK_SIZE, false, &got);
		if (ret)
			return ret;
		*made += got;
		src += n;
		len -= n;
		dst += got;
		whole -= WD_CRYPTO_BLOCK_SIZE;
		st->npart = 0;
	}
	if (whole) {
		ret = hw_req(st, src, whole, dst, whole, false, &got);
		if (ret)
			return ret;
		*made += got;
		src += whole;
		len -= whole;
	}
	memcpy(st->part + st->npart, src, len);
	st->npart += len;
	return 0;
}

WD_EXPORT int wd_crypto_stream_update(struct wd_crypto_stream *st,
				      const void *src, size_t src_len,
				      void *dst, size_t *dst_len)
{
	bool digest;
	size_t made = 0;
	int ret;

	if (!st || st->dead || (!src && src_len))
		return -EINVAL;
	digest = wd_crypto_kind(st->s->alg) == WD_CRYPTO_KIND_DIGEST;
	if (digest ? dst || dst_len : !dst_len || (!dst && *dst_len))
		return -EINVAL;
	if (!digest)
		made = *dst_len;
	if (st->path == WD_PATH_HW)
		ret = update_hw(st, src, src_len, digest ? NULL : dst,
				made, &made);
	else
		ret = wd_csoft_stream_update(st->soft, src, src_len,
					     digest ? NULL : dst, &made);
	if (ret == -ENOSPC)
		return ret;
	wd_crypto_note(st->s, st->path, st->why);
	if (ret) {
		st->dead = true;
		wd_count_error(&st->s->cnt);
		return ret;
	}
	if (st->path == WD_PATH_HW)
		wd_count_hw(&st->s->cnt, src_len, made);
	else
		wd_count_sw(&st->s->cnt, st->why, src_len, made);
	st->in += src_len;
	st->out += made;
	if (!digest)
		*dst_len = made;
	return 0;
}

/* The end of the stream on the device. */
static int final_hw(struct wd_crypto_stream *st, void *out, size_t *room)
{
	size_t got = 0;
	int ret;

	if (st->op == VCRYPT_OP_DIGEST) {
		ret = hw_req(st, NULL, 0, out, *room, true, &got);
		if (!ret && got != wd_crypto_digest_size(st->s->alg))
			ret = -EIO;
		*room = got;
		return ret;
	}
	*room = 0;
	if (st->npart)
		return -EINVAL;	/* a CBC chain ends on a block boundary */
	/* a cipher's final request writes nothing: end what was started */
	return st->started ? hw_req(st, NULL, 0, NULL, 0, true, &got) : 0;
}

WD_EXPORT int wd_crypto_stream_final(struct wd_crypto_stream *st, void *out,
				     size_t *out_len)
{
	size_t room = 0;
	bool digest;
	int ret;

	if (!st || st->dead)
		return -EINVAL;
	digest = wd_crypto_kind(st->s->alg) == WD_CRYPTO_KIND_DIGEST;
	if (digest) {
		if (!out || !out_len)
			return -EINVAL;
		if (*out_len < wd_crypto_digest_size(st->s->alg))
			return -ENOSPC;
		room = *out_len;
	}
	if (st->path == WD_PATH_HW)
		ret = final_hw(st, digest ? out : NULL, &room);
	else
		ret = wd_csoft_stream_final(st->soft, out, &room);
	st->dead = true;
	wd_crypto_note(st->s, st->path, st->why);
	if (ret) {
		wd_count_error(&st->s->cnt);
		return ret;
	}
	if (st->path == WD_PATH_HW && digest)
		wd_count_hw(&st->s->cnt, 0, room);
	if (out_len)
		*out_len = room;
	return 0;
}

WD_EXPORT int wd_crypto_stream_dup(struct wd_crypto_stream **dp,
				   const struct wd_crypto_stream *st)
{
	struct wd_crypto_stream *d;
	int ret;

	if (!dp)
		return -EINVAL;
	*dp = NULL;
	if (!st || st->dead)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	*d = *st;
	if (st->path == WD_PATH_HW) {
		/*
		 * a copy of the sealed context, on the same queue and slot;
		 * not in a forked child, where the queue (and without SVA
		 * the context's memory) is the parent's
		 */
		if (wd_queue_stale(st->hw.q)) {
			ret = -ECHILD;
		} else {
			ret = wd_chw_ctx_alloc(&st->hw, &d->ctx);
			if (!ret) {
				wd_chw_ctx_copy(&d->ctx, &st->ctx);
				wd_queue_ref(d->hw.q);
			}
		}
	} else {
		ret = wd_csoft_stream_dup(&d->soft, st->soft);
	}
	if (ret) {
		wd_crypto_wipe(d, sizeof(*d));
		free(d);
		return ret;
	}
	*dp = d;
	return 0;
}

WD_EXPORT unsigned int wd_crypto_stream_path(const struct wd_crypto_stream *st,
					     enum wd_reason *reason)
{
	if (reason)
		*reason = st->why;
	return st->path;
}

WD_EXPORT void wd_crypto_stream_close(struct wd_crypto_stream *st)
{
	if (!st)
		return;
	if (st->path == WD_PATH_HW) {
		wd_chw_ctx_free(&st->ctx);
		wd_queue_close(st->hw.q);
	} else {
		wd_csoft_stream_free(st->soft);
	}
	wd_crypto_wipe(st, sizeof(*st));
	free(st);
}
