// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive crypto stream front end: a digest, HMAC, CBC or CTR chain
 * fed in pieces.  The path is chosen when the stream opens and kept; on
 * the device the state between pieces is the device's sealed stream
 * context, in software an EVP context (crypto_soft.c).
 */
#include <errno.h>
#include <stdlib.h>

#include "crypto_priv.h"

/**
 * struct wd_crypto_stream - a stream
 * @s: its session
 * @soft: the software state
 * @path: WD_PATH_SW (the device path comes with the vcrypt driver)
 * @why: why it runs in software
 * @in: input bytes so far
 * @out: output bytes so far
 * @dead: an error or the final call: only close is left
 */
struct wd_crypto_stream {
	struct wd_crypto *s;
	struct wd_csoft_stream *soft;
	unsigned int path;
	enum wd_reason why;
	uint64_t in;
	uint64_t out;
	bool dead;
};

WD_EXPORT int wd_crypto_stream_open(struct wd_crypto_stream **sp,
				    struct wd_crypto *s,
				    enum wd_crypto_dir dir, const void *iv,
				    size_t iv_len)
{
	enum wd_crypto_kind kind;
	struct wd_crypto_stream *st;
	enum wd_reason why;
	bool hw;
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
	ret = wd_crypto_route(s, SIZE_MAX, &hw, &why);
	if (ret)
		return ret;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	ret = wd_csoft_stream_new(&st->soft, s->alg, dir, s->key, s->key_len,
				  iv);
	if (ret) {
		free(st);
		return ret;
	}
	st->s = s;
	st->path = WD_PATH_SW;
	st->why = why;
	*sp = st;
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
	wd_count_sw(&st->s->cnt, st->why, src_len, made);
	st->in += src_len;
	st->out += made;
	if (!digest)
		*dst_len = made;
	return 0;
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
	ret = wd_csoft_stream_final(st->soft, out, &room);
	st->dead = true;
	wd_crypto_note(st->s, st->path, st->why);
	if (ret) {
		wd_count_error(&st->s->cnt);
		return ret;
	}
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
	ret = wd_csoft_stream_dup(&d->soft, st->soft);
	if (ret) {
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
	wd_csoft_stream_free(st->soft);
	free(st);
}
