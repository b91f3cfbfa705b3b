// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * warpdrive.so: libwarpdrive sessions shared between an operation's
 * context and its copies (EVP_MD_CTX_copy(), EVP_CIPHER_CTX_copy(),
 * EVP_MAC_CTX_dup()), counted: the last context to let go closes it,
 * and the library wipes its key then.  A session may serve several
 * threads at once; each context's stream is its own, fed and ended
 * here for the digests and HMAC alike.
 *
 * And the instance's other library context, where HMAC with a digest the
 * library lacks runs in OpenSSL's default provider: without it an
 * openssl.cnf preferring this provider would break every HMAC but
 * HMAC-SHA256 (TLS's PRF and HKDF with SHA-384 among them).  Ciphers that
 * libssl asks for TLS 1.0-1.2's record layer run there too
 * (prov_cipher.c).
 */
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "prov.h"

int wd_prov_sess_open(const struct wd_prov *p, struct wd_prov_sess **sp,
		      int alg, const void *key, size_t key_len)
{
	struct wd_crypto_params params = {
		.alg = alg, .key = key, .key_len = key_len,
	};
	struct wd_prov_sess *ss = calloc(1, sizeof(*ss));
	int ret;

	*sp = NULL;
	if (!ss)
		return 0;
	ret = wd_crypto_open(&ss->s, &params);
	if (ret) {
		WD_PROV_LIBERR(p, "wd_crypto_open", ret);
		free(ss);
		return 0;
	}
	atomic_init(&ss->ref, 1);
	*sp = ss;
	return 1;
}

int wd_prov_stream_begin(const struct wd_prov *p, struct wd_prov_sess *ss,
			 struct wd_crypto_stream **stp)
{
	int ret;

	wd_crypto_stream_close(*stp);
	*stp = NULL;
	ret = wd_crypto_stream_open(stp, ss->s, WD_ENCRYPT, NULL, 0);
	if (ret) {
		WD_PROV_LIBERR(p, "wd_crypto_stream_open", ret);
		return 0;
	}
	return 1;
}

int wd_prov_stream_update(const struct wd_prov *p,
			  struct wd_crypto_stream *st,
			  const unsigned char *in, size_t inl)
{
	int ret;

	if (!st) {
		WD_PROV_ERR(p, WD_PROV_R_PARAM, "update before init");
		return 0;
	}
	if (!inl)
		return 1;
	ret = wd_crypto_stream_update(st, in, inl, NULL, NULL);
	if (ret) {
		WD_PROV_LIBERR(p, "wd_crypto_stream_update", ret);
		return 0;
	}
	return 1;
}

int wd_prov_stream_final(const struct wd_prov *p,
			 struct wd_crypto_stream **stp, unsigned char *out,
			 size_t *outl, size_t outsz, size_t size)
{
	size_t n = outsz;
	int ret;

	if (!*stp) {
		WD_PROV_ERR(p, WD_PROV_R_PARAM, "final before init");
		return 0;
	}
	if (outsz < size) {
		WD_PROV_ERR(p, WD_PROV_R_OUTPUT_SIZE, "%zu bytes", outsz);
		return 0;
	}
	ret = wd_crypto_stream_final(*stp, out, &n);
	wd_crypto_stream_close(*stp);
	*stp = NULL;
	if (ret) {
		WD_PROV_LIBERR(p, "wd_crypto_stream_final", ret);
		return 0;
	}
	*outl = n;
	return 1;
}

struct wd_prov_sess *wd_prov_sess_get(struct wd_prov_sess *ss)
{
	if (ss)
		atomic_fetch_add_explicit(&ss->ref, 1, memory_order_relaxed);
	return ss;
}

void wd_prov_sess_put(struct wd_prov_sess *ss)
{
	if (!ss || atomic_fetch_sub_explicit(&ss->ref, 1,
					     memory_order_acq_rel) != 1)
		return;
	wd_crypto_close(ss->s);
	free(ss);
}

/* @p's other context, made with OpenSSL's default provider if need be */
static OSSL_LIB_CTX *other_ctx_locked(struct wd_prov *p)
{
	if (!p->other) {
		p->other = OSSL_LIB_CTX_new();
		if (p->other)
			p->other_default = OSSL_PROVIDER_load(p->other,
							      "default");
		if (p->other && !p->other_default) {
			OSSL_LIB_CTX_free(p->other);
			p->other = NULL;
		}
	}
	return p->other;
}

struct evp_mac_st *wd_prov_other_hmac(struct wd_prov *p)
{
	EVP_MAC *mac;

	pthread_mutex_lock(&p->lock);
	if (!p->other_hmac && other_ctx_locked(p))
		p->other_hmac = EVP_MAC_fetch(p->other, "HMAC", NULL);
	mac = p->other_hmac;
	pthread_mutex_unlock(&p->lock);
	if (!mac)
		WD_PROV_ERR(p, WD_PROV_R_DIGEST,
			    "no HMAC of OpenSSL's default provider");
	return mac;
}

struct evp_cipher_st *wd_prov_other_cipher(struct wd_prov *p,
					   const char *name)
{
	EVP_CIPHER *ciph = NULL;
	OSSL_LIB_CTX *other;

	pthread_mutex_lock(&p->lock);
	other = other_ctx_locked(p);
	pthread_mutex_unlock(&p->lock);
	/* the context stays until teardown; fetching is thread-safe */
	if (other)
		ciph = EVP_CIPHER_fetch(other, name, NULL);
	if (!ciph)
		WD_PROV_ERR(p, WD_PROV_R_PARAM,
			    "no %s of OpenSSL's default provider", name);
	return ciph;
}

void wd_prov_other_free(struct wd_prov *p)
{
	EVP_MAC_free(p->other_hmac);
	if (p->other_default)
		OSSL_PROVIDER_unload(p->other_default);
	OSSL_LIB_CTX_free(p->other);
	p->other_hmac = NULL;
	p->other_default = NULL;
	p->other = NULL;
}
