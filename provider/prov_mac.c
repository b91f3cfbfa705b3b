// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * warpdrive.so: HMAC with SHA-256 (the API's only HMAC) as a libwarpdrive
 * stream.  The key lives in the library's session only (wiped when the
 * last context using it goes); EVP_MAC_init() without a key starts again
 * with the session's, as OpenSSL's HMAC does.  HMAC with another digest,
 * which libwarpdrive (and the device) lacks, runs in OpenSSL's default
 * provider in the instance's other library context (prov_sess.c): not
 * offloaded, but not refused either.
 */
#include <stdlib.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "prov.h"

#define HMAC_SIZE	32
#define HMAC_BLOCK	64

/**
 * struct mac_ctx - an HMAC operation
 * @prov: the provider instance
 * @digest_ok: the digest parameter named SHA-256
 * @other: HMAC with another digest: OpenSSL's (then nothing else is used)
 * @ss: session with the key, NULL before one is set; shared with copies
 * @st: the MAC under way
 */
struct mac_ctx {
	const struct wd_prov *prov;
	int digest_ok;
	EVP_MAC_CTX *other;
	struct wd_prov_sess *ss;
	struct wd_crypto_stream *st;
};

static void mac_drop_key(struct mac_ctx *c)
{
	wd_crypto_stream_close(c->st);
	c->st = NULL;
	wd_prov_sess_put(c->ss);
	c->ss = NULL;
}

static void *mac_newctx(void *provctx)
{
	struct mac_ctx *c = calloc(1, sizeof(*c));

	if (c)
		c->prov = provctx;
	return c;
}

static void mac_freectx(void *vctx)
{
	struct mac_ctx *c = vctx;

	if (!c)
		return;
	mac_drop_key(c);
	EVP_MAC_CTX_free(c->other);
	free(c);
}

static int mac_set_key(struct mac_ctx *c, const unsigned char *key,
		       size_t len)
{
	static const unsigned char empty[1];

	mac_drop_key(c);
	return wd_prov_sess_open(c->prov, &c->ss, WD_CRYPTO_HMAC_SHA256,
				 len ? key : empty, len);
}

/* The digest's names OpenSSL knows SHA-256 by */
static int is_sha256(const char *name)
{
	static const char *const names[] = { "SHA2-256", "SHA-256", "SHA256",
		"2.16.840.1.101.3.4.2.1", NULL };

	for (int i = 0; names[i]; i++)
		if (!strcasecmp(name, names[i]))
			return 1;
	return 0;
}

static int mac_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
	struct mac_ctx *c = vctx;
	const OSSL_PARAM *p;
	const char *name;

	if (!params)
		return 1;
	p = OSSL_PARAM_locate_const(params, OSSL_MAC_PARAM_DIGEST);
	if (p) {
		if (!OSSL_PARAM_get_utf8_string_ptr(p, &name))
			return 0;
		EVP_MAC_CTX_free(c->other);
		c->other = NULL;
		c->digest_ok = is_sha256(name);
		if (!c->digest_ok) {
			EVP_MAC *mac = wd_prov_other_hmac(
				(struct wd_prov *)c->prov);

			c->other = mac ? EVP_MAC_CTX_new(mac) : NULL;
			if (!c->other)
				return 0;
		}
	}
	if (c->other)
		return EVP_MAC_CTX_set_params(c->other, params);
	p = OSSL_PARAM_locate_const(params, OSSL_MAC_PARAM_KEY);
	if (p) {
		if (p->data_type != OSSL_PARAM_OCTET_STRING)
			return 0;
		if (!mac_set_key(c, p->data, p->data_size))
			return 0;
	}
	return 1;
}

static int mac_init(void *vctx, const unsigned char *key, size_t keylen,
		    const OSSL_PARAM params[])
{
	struct mac_ctx *c = vctx;

	if (!mac_set_ctx_params(c, params))
		return 0;
	if (c->other)
		return EVP_MAC_init(c->other, key, keylen, NULL);
	if (!c->digest_ok) {
		WD_PROV_ERR(c->prov, WD_PROV_R_DIGEST, "no digest set");
		return 0;
	}
	if (key && !mac_set_key(c, key, keylen))
		return 0;
	if (!c->ss) {
		WD_PROV_ERR(c->prov, WD_PROV_R_NO_KEY, "HMAC");
		return 0;
	}
	return wd_prov_stream_begin(c->prov, c->ss, &c->st);
}

static int mac_update(void *vctx, const unsigned char *in, size_t inl)
{
	struct mac_ctx *c = vctx;

	if (c->other)
		return EVP_MAC_update(c->other, in, inl);
	return wd_prov_stream_update(c->prov, c->st, in, inl);
}

static int mac_final(void *vctx, unsigned char *out, size_t *outl,
		     size_t outsize)
{
	struct mac_ctx *c = vctx;

	if (c->other)
		return EVP_MAC_final(c->other, out, outl, outsize);
	if (!out && c->st) {	/* a query of the size */
		*outl = HMAC_SIZE;
		return 1;
	}
	return wd_prov_stream_final(c->prov, &c->st, out, outl, outsize,
				    HMAC_SIZE);
}

/* A copy: the same session, a copy of the stream (wd_crypto_stream_dup). */
static void *mac_dupctx(void *vctx)
{
	struct mac_ctx *c = vctx, *d = mac_newctx((void *)c->prov);
	int ret;

	if (!d)
		return NULL;
	d->digest_ok = c->digest_ok;
	if (c->other) {
		d->other = EVP_MAC_CTX_dup(c->other);
		if (!d->other) {
			mac_freectx(d);
			return NULL;
		}
		return d;
	}
	d->ss = wd_prov_sess_get(c->ss);
	if (c->st) {
		ret = wd_crypto_stream_dup(&d->st, c->st);
		if (ret) {
			WD_PROV_LIBERR(c->prov, "wd_crypto_stream_dup", ret);
			mac_freectx(d);
			return NULL;
		}
	}
	return d;
}

static const OSSL_PARAM mac_gettable_types[] = {
	OSSL_PARAM_size_t(OSSL_MAC_PARAM_SIZE, NULL),
	OSSL_PARAM_size_t(OSSL_MAC_PARAM_BLOCK_SIZE, NULL),
	OSSL_PARAM_END
};

static const OSSL_PARAM *mac_gettable_ctx_params(void *vctx, void *provctx)
{
	return mac_gettable_types;
}

static int mac_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
	struct mac_ctx *c = vctx;
	OSSL_PARAM *p;

	if (c->other)
		return EVP_MAC_CTX_get_params(c->other, params);
	p = OSSL_PARAM_locate(params, OSSL_MAC_PARAM_SIZE);
	if (p && !OSSL_PARAM_set_size_t(p, HMAC_SIZE))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_MAC_PARAM_BLOCK_SIZE);
	if (p && !OSSL_PARAM_set_size_t(p, HMAC_BLOCK))
		return 0;
	return 1;
}

static const OSSL_PARAM mac_settable_types[] = {
	OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_DIGEST, NULL, 0),
	OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_PROPERTIES, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_MAC_PARAM_KEY, NULL, 0),
	OSSL_PARAM_END
};

static const OSSL_PARAM *mac_settable_ctx_params(void *vctx, void *provctx)
{
	return mac_settable_types;
}

static const OSSL_DISPATCH hmac_functions[] = {
	{ OSSL_FUNC_MAC_NEWCTX, (void (*)(void))mac_newctx },
	{ OSSL_FUNC_MAC_DUPCTX, (void (*)(void))mac_dupctx },
	{ OSSL_FUNC_MAC_FREECTX, (void (*)(void))mac_freectx },
	{ OSSL_FUNC_MAC_INIT, (void (*)(void))mac_init },
	{ OSSL_FUNC_MAC_UPDATE, (void (*)(void))mac_update },
	{ OSSL_FUNC_MAC_FINAL, (void (*)(void))mac_final },
	{ OSSL_FUNC_MAC_GETTABLE_CTX_PARAMS,
	  (void (*)(void))mac_gettable_ctx_params },
	{ OSSL_FUNC_MAC_GET_CTX_PARAMS, (void (*)(void))mac_get_ctx_params },
	{ OSSL_FUNC_MAC_SETTABLE_CTX_PARAMS,
	  (void (*)(void))mac_settable_ctx_params },
	{ OSSL_FUNC_MAC_SET_CTX_PARAMS, (void (*)(void))mac_set_ctx_params },
	{ 0, NULL }
};

const OSSL_ALGORITHM wd_prov_macs[] = {
	{ "HMAC", WD_PROV_PROPS, hmac_functions,
	  "HMAC: SHA2-256 through libwarpdrive, others OpenSSL's" },
	{ NULL, NULL, NULL, NULL }
};
