// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive crypto one-shot front end: wd_digest(), wd_cipher() and
 * wd_aead(), and the public open and close of a session
 * (crypto_session.c), which also hand back what the async front end
 * holds.
 */
#include <errno.h>
#include <string.h>

#include "crypto_priv.h"

WD_EXPORT int wd_crypto_open(struct wd_crypto **sp,
			     const struct wd_crypto_params *params)
{
	return wd_crypto_session_open(sp, params);
}

WD_EXPORT void wd_crypto_close(struct wd_crypto *s)
{
	if (!s)
		return;
	/* requests in flight on the device complete first */
	wd_crypto_async_drain(s);
	/* completed async requests nobody polled: their callbacks now */
	for (unsigned int i = 0; i < s->ndone; i++)
		if (s->done[i]->cb)
			s->done[i]->cb(s->done[i]);
	s->ndone = 0;
	wd_crypto_session_close(s);
}

WD_EXPORT int wd_digest(struct wd_crypto *s, const void *src, size_t src_len,
			void *out, size_t *out_len)
{
	struct wd_crypto_req r = {
		.src = src, .src_len = src_len, .dst = out,
	};
	int ret;

	if (!s || !out_len ||
	    wd_crypto_kind(s->alg) != WD_CRYPTO_KIND_DIGEST)
		return -EINVAL;
	r.dst_len = *out_len;
	ret = wd_crypto_exec(s, &r);
	if (!ret)
		*out_len = r.produced;
	return ret;
}

WD_EXPORT int wd_cipher(struct wd_crypto *s, enum wd_crypto_dir dir,
			const void *iv, size_t iv_len, const void *src,
			size_t len, void *dst)
{
	struct wd_crypto_req r = {
		.dir = dir, .iv = iv, .iv_len = iv_len,
		.src = src, .src_len = len, .dst = dst, .dst_len = len,
	};

	if (!s || wd_crypto_kind(s->alg) != WD_CRYPTO_KIND_CIPHER)
		return -EINVAL;
	return wd_crypto_exec(s, &r);
}

WD_EXPORT int wd_aead(struct wd_crypto *s, enum wd_crypto_dir dir,
		      const void *iv, size_t iv_len, const void *aad,
		      size_t aad_len, const void *src, size_t len, void *dst,
		      void *tag, size_t tag_len)
{
	struct wd_crypto_req r = {
		.dir = dir, .iv = iv, .iv_len = iv_len,
		.aad = aad, .aad_len = aad_len,
		.src = src, .src_len = len, .dst = dst, .dst_len = len,
		.tag = tag, .tag_len = tag_len,
	};

	if (!s || wd_crypto_kind(s->alg) != WD_CRYPTO_KIND_AEAD)
		return -EINVAL;
	return wd_crypto_exec(s, &r);
}
