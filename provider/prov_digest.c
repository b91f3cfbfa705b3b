// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * warpdrive.so: digests (SHA-256, SHA-512, SHA3-256, SM3) as libwarpdrive
 * streams.  A context holds a session (opened with the context, so policy
 * hw's -ENODEV shows at EVP_MD_CTX's init) and the stream of the digest
 * under way.  The parameters are those of OpenSSL's default provider.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "prov.h"

/**
 * struct md_ctx - a digest operation
 * @prov: the provider instance
 * @alg: enum wd_crypto_alg
 * @ss: its session, shared with its copies
 * @st: the digest under way, NULL before init and after final
 */
struct md_ctx {
	const struct wd_prov *prov;
	int alg;
	struct wd_prov_sess *ss;
	struct wd_crypto_stream *st;
};

static struct md_ctx *md_new(void *provctx, int alg)
{
	struct md_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->prov = provctx;
	c->alg = alg;
	if (!wd_prov_sess_open(c->prov, &c->ss, alg, NULL, 0)) {
		free(c);
		return NULL;
	}
	return c;
}

static void md_freectx(void *vctx)
{
	struct md_ctx *c = vctx;

	if (!c)
		return;
	wd_crypto_stream_close(c->st);
	wd_prov_sess_put(c->ss);
	free(c);
}

/* A copy: the same session, a copy of the stream (wd_crypto_stream_dup). */
static void *md_dupctx(void *vctx)
{
	struct md_ctx *c = vctx, *d = calloc(1, sizeof(*d));
	int ret;

	if (!d)
		return NULL;
	d->prov = c->prov;
	d->alg = c->alg;
	d->ss = wd_prov_sess_get(c->ss);
	if (c->st) {
		ret = wd_crypto_stream_dup(&d->st, c->st);
		if (ret) {
			WD_PROV_LIBERR(c->prov, "wd_crypto_stream_dup", ret);
			md_freectx(d);
			return NULL;
		}
	}
	return d;
}

static int md_init(void *vctx, const OSSL_PARAM params[])
{
	struct md_ctx *c = vctx;

	return wd_prov_stream_begin(c->prov, c->ss, &c->st);
}

static int md_update(void *vctx, const unsigned char *in, size_t inl)
{
	struct md_ctx *c = vctx;

	return wd_prov_stream_update(c->prov, c->st, in, inl);
}

static int md_final(void *vctx, unsigned char *out, size_t *outl,
		    size_t outsz)
{
	struct md_ctx *c = vctx;

	return wd_prov_stream_final(c->prov, &c->st, out, outl, outsz,
				    wd_crypto_digest_size(c->alg));
}

static const OSSL_PARAM md_param_types[] = {
	OSSL_PARAM_size_t(OSSL_DIGEST_PARAM_BLOCK_SIZE, NULL),
	OSSL_PARAM_size_t(OSSL_DIGEST_PARAM_SIZE, NULL),
	OSSL_PARAM_int(OSSL_DIGEST_PARAM_XOF, NULL),
	OSSL_PARAM_int(OSSL_DIGEST_PARAM_ALGID_ABSENT, NULL),
	OSSL_PARAM_END
};

static const OSSL_PARAM *md_gettable_params(void *provctx)
{
	return md_param_types;
}

/* As OpenSSL's digest_default_get_params(), with its flags per digest. */
static int md_get_params(OSSL_PARAM params[], size_t block, size_t size,
			 int algid_absent)
{
	OSSL_PARAM *p;

	p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_BLOCK_SIZE);
	if (p && !OSSL_PARAM_set_size_t(p, block))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_SIZE);
	if (p && !OSSL_PARAM_set_size_t(p, size))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_XOF);
	if (p && !OSSL_PARAM_set_int(p, 0))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_ALGID_ABSENT);
	if (p && !OSSL_PARAM_set_int(p, algid_absent))
		return 0;
	return 1;
}

#define MD_FUNCS(name, alg, block, size, algid_absent)				\
static void *name##_newctx(void *provctx)				\
{									\
	return md_new(provctx, alg);					\
}									\
static int name##_get_params(OSSL_PARAM params[])			\
{									\
	return md_get_params(params, block, size, algid_absent);			\
}									\
static const OSSL_DISPATCH name##_functions[] = {			\
	{ OSSL_FUNC_DIGEST_NEWCTX, (void (*)(void))name##_newctx },	\
	{ OSSL_FUNC_DIGEST_INIT, (void (*)(void))md_init },		\
	{ OSSL_FUNC_DIGEST_UPDATE, (void (*)(void))md_update },		\
	{ OSSL_FUNC_DIGEST_FINAL, (void (*)(void))md_final },		\
	{ OSSL_FUNC_DIGEST_FREECTX, (void (*)(void))md_freectx },	\
	{ OSSL_FUNC_DIGEST_DUPCTX, (void (*)(void))md_dupctx },		\
	{ OSSL_FUNC_DIGEST_GET_PARAMS, (void (*)(void))name##_get_params }, \
	{ OSSL_FUNC_DIGEST_GETTABLE_PARAMS,				\
	  (void (*)(void))md_gettable_params },				\
	{ 0, NULL }							\
}

/* SHA-2 and SHA-3 have no AlgorithmIdentifier parameters; SM3 says so */
MD_FUNCS(sha256, WD_CRYPTO_SHA256, 64, 32, 1);
MD_FUNCS(sha512, WD_CRYPTO_SHA512, 128, 64, 1);
MD_FUNCS(sha3_256, WD_CRYPTO_SHA3_256, 136, 32, 1);
MD_FUNCS(sm3, WD_CRYPTO_SM3, 64, 32, 0);

/* the names and OIDs of OpenSSL's default provider */
const OSSL_ALGORITHM wd_prov_digests[] = {
	{ "SHA2-256:SHA-256:SHA256:2.16.840.1.101.3.4.2.1", WD_PROV_PROPS,
	  sha256_functions, "SHA-256 through libwarpdrive" },
	{ "SHA2-512:SHA-512:SHA512:2.16.840.1.101.3.4.2.3", WD_PROV_PROPS,
	  sha512_functions, "SHA-512 through libwarpdrive" },
	{ "SHA3-256:2.16.840.1.101.3.4.2.8", WD_PROV_PROPS,
	  sha3_256_functions, "SHA3-256 through libwarpdrive" },
	{ "SM3:1.2.156.10197.1.401", WD_PROV_PROPS, sm3_functions,
	  "SM3 through libwarpdrive" },
	{ NULL, NULL, NULL, NULL }
};
