// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: the crypto software path, on OpenSSL's libcrypto (EVP).
 * It computes what the vcrypt device computes (Documentation/vcrypt.rst):
 * ciphers without padding, AES-128 or AES-256 by the key's length, and
 * GCM tags checked before any plaintext is returned.  Keys pass straight
 * to EVP, which keeps its own copies and wipes them when its contexts are
 * freed; nothing here prints them.  An EVP failure leaves nothing in the
 * thread's OpenSSL error queue: callers see -errno only.
 *
 * Every algorithm is fetched from the library's own OSSL_LIB_CTX, in which
 * only OpenSSL's default provider is loaded, never from the process's
 * default context: an openssl.cnf may activate the WarpDrive provider
 * there (provider/), whose software path is this file, and a fetch from
 * the default context could then find the provider again (infinite
 * recursion) or another provider the configuration prefers.  The context
 * and the fetched algorithms are made once, on the first request, and
 * held until the process ends, as libcrypto holds its default context:
 * freeing them from a destructor could run after OPENSSL_cleanup().
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "crypto_priv.h"

/* HMAC's key may be empty; EVP wants a pointer all the same. */
static const unsigned char empty_key[1];

void wd_crypto_wipe(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}

/* OpenSSL's names of what the software path fetches */
enum {
	SOFT_SHA256, SOFT_SHA512, SOFT_SHA3_256, SOFT_SM3,
	SOFT_AES_128_CBC, SOFT_AES_256_CBC, SOFT_AES_128_CTR, SOFT_AES_256_CTR,
	SOFT_AES_128_XTS, SOFT_AES_256_XTS, SOFT_SM4_CBC, SOFT_AES_128_GCM,
	SOFT_AES_256_GCM, SOFT_NR
};

static const char *const soft_names[SOFT_NR] = {
	[SOFT_SHA256] = "SHA2-256", [SOFT_SHA512] = "SHA2-512",
	[SOFT_SHA3_256] = "SHA3-256", [SOFT_SM3] = "SM3",
	[SOFT_AES_128_CBC] = "AES-128-CBC", [SOFT_AES_256_CBC] = "AES-256-CBC",
	[SOFT_AES_128_CTR] = "AES-128-CTR", [SOFT_AES_256_CTR] = "AES-256-CTR",
	[SOFT_AES_128_XTS] = "AES-128-XTS", [SOFT_AES_256_XTS] = "AES-256-XTS",
	[SOFT_SM4_CBC] = "SM4-CBC", [SOFT_AES_128_GCM] = "AES-128-GCM",
	[SOFT_AES_256_GCM] = "AES-256-GCM",
};

/*
 * The library's context and what it fetched there: written once under
 * soft_once, read-only after it.  An algorithm the default provider lacks
 * (SM3 and SM4 in some builds) stays NULL and its requests fail.
 */
static pthread_once_t soft_once = PTHREAD_ONCE_INIT;
static OSSL_LIB_CTX *soft_ctx;
static EVP_MD *soft_md[SOFT_SM3 + 1];
static EVP_CIPHER *soft_cipher[SOFT_NR];
static EVP_MAC *soft_hmac;

static void soft_init(void)
{
	ERR_set_mark();
	soft_ctx = OSSL_LIB_CTX_new();
	if (!soft_ctx || !OSSL_PROVIDER_load(soft_ctx, "default"))
		goto out;
	for (int i = 0; i < SOFT_NR; i++) {
		if (i <= SOFT_SM3)
			soft_md[i] = EVP_MD_fetch(soft_ctx, soft_names[i],
						  NULL);
		else
			soft_cipher[i] = EVP_CIPHER_fetch(soft_ctx,
							  soft_names[i], NULL);
	}
	soft_hmac = EVP_MAC_fetch(soft_ctx, "HMAC", NULL);
out:
	/* what failed here (no SM3, ...): not the caller's errors */
	ERR_pop_to_mark();
}

static const EVP_MD *md_of(int alg)
{
	pthread_once(&soft_once, soft_init);
	switch (alg) {
	case WD_CRYPTO_SHA256:
	case WD_CRYPTO_HMAC_SHA256:
		return soft_md[SOFT_SHA256];
	case WD_CRYPTO_SHA512:
		return soft_md[SOFT_SHA512];
	case WD_CRYPTO_SHA3_256:
		return soft_md[SOFT_SHA3_256];
	case WD_CRYPTO_SM3:
		return soft_md[SOFT_SM3];
	default:
		return NULL;
	}
}

static const EVP_CIPHER *cipher_of(int alg, size_t key_len)
{
	pthread_once(&soft_once, soft_init);
	switch (alg) {
	case WD_CRYPTO_AES_CBC:
		return soft_cipher[key_len == 16 ? SOFT_AES_128_CBC :
				   SOFT_AES_256_CBC];
	case WD_CRYPTO_AES_CTR:
		return soft_cipher[key_len == 16 ? SOFT_AES_128_CTR :
				   SOFT_AES_256_CTR];
	case WD_CRYPTO_AES_XTS:
		return soft_cipher[key_len == 32 ? SOFT_AES_128_XTS :
				   SOFT_AES_256_XTS];
	case WD_CRYPTO_SM4_CBC:
		return soft_cipher[SOFT_SM4_CBC];
	case WD_CRYPTO_AES_GCM:
		return soft_cipher[key_len == 16 ? SOFT_AES_128_GCM :
				   SOFT_AES_256_GCM];
	default:
		return NULL;
	}
}

/*
 * An EVP call failed: say -EINVAL.  OpenSSL's error record of it goes when
 * the entry point pops its mark (SOFT_CALL): the calling thread's queue
 * is the application's, only the records our calls added are ours to drop.
 */
static int evp_fail(void)
{
	return -EINVAL;
}

/*
 * Runs @call with a mark in the thread's OpenSSL error queue, and drops
 * what the library's EVP calls added after it (ERR_pop_to_mark()), not
 * the errors that were there before.
 */
#define SOFT_CALL(call) ({			\
	int soft_ret_;				\
						\
	ERR_set_mark();				\
	soft_ret_ = (call);			\
	ERR_pop_to_mark();			\
	soft_ret_;				\
})

/* A fresh HMAC-SHA256 context keyed with @key. */
static EVP_MAC_CTX *hmac_new(const void *key, size_t key_len, int *err)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx = NULL;

	pthread_once(&soft_once, soft_init);
	if (soft_hmac)
		ctx = EVP_MAC_CTX_new(soft_hmac);
	if (!ctx) {
		*err = -ENOMEM;
		return NULL;
	}
	if (!EVP_MAC_init(ctx, key_len ? key : empty_key, key_len, params)) {
		EVP_MAC_CTX_free(ctx);
		*err = evp_fail();
		return NULL;
	}
	return ctx;
}

static int csoft_digest(int alg, const void *key, size_t key_len,
		    const void *src, size_t len, void *out, size_t *out_len)
{
	unsigned int n = 0;
	EVP_MAC_CTX *ctx;
	size_t made;
	int err = 0;

	if (alg != WD_CRYPTO_HMAC_SHA256) {
		if (!md_of(alg) ||
		    !EVP_Digest(src, len, out, &n, md_of(alg), NULL))
			return evp_fail();
		*out_len = n;
		return 0;
	}
	ctx = hmac_new(key, key_len, &err);
	if (!ctx)
		return err;
	if (!EVP_MAC_update(ctx, src, len) ||
	    !EVP_MAC_final(ctx, out, &made, *out_len))
		err = evp_fail();
	else
		*out_len = made;
	EVP_MAC_CTX_free(ctx);
	return err;
}

int wd_csoft_digest(int alg, const void *key, size_t key_len,
		    const void *src, size_t len, void *out, size_t *out_len)
{
	return SOFT_CALL(csoft_digest(alg, key, key_len, src, len, out,
				out_len));
}

/* A cipher context set up for @dir, padding off; NULL and *@err on failure. */
static EVP_CIPHER_CTX *cipher_new(int alg, int dir, const void *key,
				  size_t key_len, const void *iv,
				  size_t iv_len, int *err)
{
	const EVP_CIPHER *c = cipher_of(alg, key_len);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (!ctx) {
		*err = -ENOMEM;
		return NULL;
	}
	if (!c || !EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL,
				     dir == WD_ENCRYPT))
		goto fail;
	if (alg == WD_CRYPTO_AES_GCM &&
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)iv_len,
				 NULL))
		goto fail;
	if (!EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, -1) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0))
		goto fail;
	return ctx;
fail:
	EVP_CIPHER_CTX_free(ctx);
	*err = evp_fail();
	return NULL;
}

static int csoft_cipher(int alg, int dir, const void *key, size_t key_len,
		    const void *iv, size_t iv_len, const void *src,
		    size_t len, void *dst)
{
	EVP_CIPHER_CTX *ctx;
	int n = 0, m = 0, err = 0;

	if (len > INT32_MAX)
		return -EINVAL;
	ctx = cipher_new(alg, dir, key, key_len, iv, iv_len, &err);
	if (!ctx)
		return err;
	if (!EVP_CipherUpdate(ctx, dst, &n, src, (int)len) ||
	    !EVP_CipherFinal_ex(ctx, (unsigned char *)dst + n, &m) ||
	    (size_t)(n + m) != len)
		err = evp_fail();
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

int wd_csoft_cipher(int alg, int dir, const void *key, size_t key_len,
		    const void *iv, size_t iv_len, const void *src,
		    size_t len, void *dst)
{
	return SOFT_CALL(csoft_cipher(alg, dir, key, key_len, iv, iv_len, src,
				len, dst));
}

static int csoft_aead(int dir, const void *key, size_t key_len, const void *iv,
		  size_t iv_len, const void *aad, size_t aad_len,
		  const void *src, size_t len, void *dst, void *tag,
		  size_t tag_len)
{
	EVP_CIPHER_CTX *ctx;
	int n = 0, m = 0, err = 0;

	if (len > INT32_MAX || aad_len > INT32_MAX)
		return -EINVAL;
	ctx = cipher_new(WD_CRYPTO_AES_GCM, dir, key, key_len, iv, iv_len,
			 &err);
	if (!ctx)
		return err;
	if ((aad_len &&
	     !EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len)) ||
	    (len && !EVP_CipherUpdate(ctx, dst, &n, src, (int)len))) {
		err = evp_fail();
		goto out;
	}
	if (!len)
		n = 0;
	if (dir == WD_DECRYPT) {
		if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
					 (int)tag_len, tag)) {
			err = evp_fail();
		} else if (EVP_CipherFinal_ex(ctx, (unsigned char *)dst + n,
					      &m) <= 0) {
			/* the tag does not match: return nothing */
			err = -EBADMSG;
		}
		if (err && len)
			OPENSSL_cleanse(dst, len);
		goto out;
	}
	if (EVP_CipherFinal_ex(ctx, (unsigned char *)dst + n, &m) <= 0 ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, (int)tag_len,
				 tag))
		err = evp_fail();
out:
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

int wd_csoft_aead(int dir, const void *key, size_t key_len, const void *iv,
		  size_t iv_len, const void *aad, size_t aad_len,
		  const void *src, size_t len, void *dst, void *tag,
		  size_t tag_len)
{
	return SOFT_CALL(csoft_aead(dir, key, key_len, iv, iv_len, aad, aad_len,
				src, len, dst, tag, tag_len));
}

/**
 * struct wd_csoft_stream - a stream in software
 * @alg: enum wd_crypto_alg
 * @md: digests
 * @mac: HMAC
 * @ciph: CBC and CTR
 * @pending: CBC: bytes of a partial block EVP holds
 */
struct wd_csoft_stream {
	int alg;
	EVP_MD_CTX *md;
	EVP_MAC_CTX *mac;
	EVP_CIPHER_CTX *ciph;
	size_t pending;
};

static int csoft_stream_new(struct wd_csoft_stream **sp, int alg, int dir,
			const void *key, size_t key_len, const void *iv)
{
	struct wd_csoft_stream *ss = calloc(1, sizeof(*ss));
	int err = 0;

	if (!ss)
		return -ENOMEM;
	ss->alg = alg;
	if (alg == WD_CRYPTO_HMAC_SHA256) {
		ss->mac = hmac_new(key, key_len, &err);
	} else if (md_of(alg)) {
		ss->md = EVP_MD_CTX_new();
		if (!ss->md)
			err = -ENOMEM;
		else if (!EVP_DigestInit_ex2(ss->md, md_of(alg), NULL))
			err = evp_fail();
	} else {
		ss->ciph = cipher_new(alg, dir, key, key_len, iv,
				      WD_CRYPTO_IV_SIZE, &err);
	}
	if (err) {
		wd_csoft_stream_free(ss);
		return err;
	}
	*sp = ss;
	return 0;
}

int wd_csoft_stream_new(struct wd_csoft_stream **sp, int alg, int dir,
			const void *key, size_t key_len, const void *iv)
{
	return SOFT_CALL(csoft_stream_new(sp, alg, dir, key, key_len, iv));
}

static int csoft_stream_update(struct wd_csoft_stream *ss, const void *src,
			   size_t len, void *dst, size_t *dst_len)
{
	size_t out = len;
	int n = 0;

	if (ss->md)
		return EVP_DigestUpdate(ss->md, src, len) ? 0 : evp_fail();
	if (ss->mac)
		return EVP_MAC_update(ss->mac, src, len) ? 0 : evp_fail();
	if (len > INT32_MAX)
		return -EINVAL;
	if (ss->alg != WD_CRYPTO_AES_CTR)
		out = (ss->pending + len) / WD_CRYPTO_BLOCK_SIZE *
		      WD_CRYPTO_BLOCK_SIZE;
	if (out > *dst_len)
		return -ENOSPC;
	if (!EVP_CipherUpdate(ss->ciph, dst, &n, src, (int)len) ||
	    (size_t)n != out)
		return evp_fail();
	if (ss->alg != WD_CRYPTO_AES_CTR)
		ss->pending = (ss->pending + len) % WD_CRYPTO_BLOCK_SIZE;
	*dst_len = out;
	return 0;
}

int wd_csoft_stream_update(struct wd_csoft_stream *ss, const void *src,
			   size_t len, void *dst, size_t *dst_len)
{
	return SOFT_CALL(csoft_stream_update(ss, src, len, dst, dst_len));
}

static int csoft_stream_final(struct wd_csoft_stream *ss, void *out,
			  size_t *out_len)
{
	unsigned char rest[WD_CRYPTO_BLOCK_SIZE];
	unsigned int n = 0;
	size_t made = 0;
	int m = 0;

	if (ss->md) {
		if (!EVP_DigestFinal_ex(ss->md, out, &n))
			return evp_fail();
		*out_len = n;
		return 0;
	}
	if (ss->mac) {
		if (!EVP_MAC_final(ss->mac, out, &made, *out_len))
			return evp_fail();
		*out_len = made;
		return 0;
	}
	/* a CBC chain must end on a block boundary: no padding */
	if (ss->pending)
		return -EINVAL;
	if (!EVP_CipherFinal_ex(ss->ciph, rest, &m) || m)
		return evp_fail();
	*out_len = 0;
	return 0;
}

int wd_csoft_stream_final(struct wd_csoft_stream *ss, void *out,
			  size_t *out_len)
{
	return SOFT_CALL(csoft_stream_final(ss, out, out_len));
}

static int csoft_stream_dup(struct wd_csoft_stream **dp,
			const struct wd_csoft_stream *ss)
{
	struct wd_csoft_stream *d = calloc(1, sizeof(*d));
	bool ok;

	if (!d)
		return -ENOMEM;
	d->alg = ss->alg;
	d->pending = ss->pending;
	if (ss->md) {
		d->md = EVP_MD_CTX_new();
		ok = d->md && EVP_MD_CTX_copy_ex(d->md, ss->md);
	} else if (ss->mac) {
		d->mac = EVP_MAC_CTX_dup(ss->mac);
		ok = d->mac;
	} else {
		d->ciph = EVP_CIPHER_CTX_new();
		ok = d->ciph && EVP_CIPHER_CTX_copy(d->ciph, ss->ciph);
	}
	if (!ok) {
		wd_csoft_stream_free(d);
		return -ENOMEM;
	}
	*dp = d;
	return 0;
}

int wd_csoft_stream_dup(struct wd_csoft_stream **dp,
			const struct wd_csoft_stream *ss)
{
	return SOFT_CALL(csoft_stream_dup(dp, ss));
}

void wd_csoft_stream_free(struct wd_csoft_stream *ss)
{
	if (!ss)
		return;
	/* EVP wipes the key schedules and digest states it frees */
	EVP_MD_CTX_free(ss->md);
	EVP_MAC_CTX_free(ss->mac);
	EVP_CIPHER_CTX_free(ss->ciph);
	free(ss);
}
