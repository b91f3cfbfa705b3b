/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * warpdrive.so, the OpenSSL 3 provider of libwarpdrive's crypto API
 * (Documentation/libwarpdrive.rst, "OpenSSL provider").  It offers the
 * API's algorithms through EVP and runs every request through
 * <warpdrive/crypto.h>, so they take the library's path: the vcrypt
 * device, or the library's software path (libcrypto's default provider
 * in a library context of its own, never this provider again).
 *
 * The files, each calling only the ones below it:
 *
 *   prov.c                               entry point, query, parameters
 *   prov_digest.c prov_cipher.c prov_mac.c  the algorithms' dispatch
 *   prov_sess.c                          sessions shared by copies
 *   prov_err.c                           errors through the core
 *
 * Nothing here is process-wide: the state of an instance of the
 * provider (one per library context that loads it) is its struct
 * wd_prov, that of an operation its own context.
 */
#ifndef WD_PROV_H
#define WD_PROV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <warpdrive/crypto.h>

#define WD_PROV_NAME		"warpdrive"
#define WD_PROV_PROPS		"provider=warpdrive"

/* Reasons of the errors this provider raises (prov_err.c's strings) */
enum wd_prov_reason {
	WD_PROV_R_LIBRARY = 1,		/* libwarpdrive refused or failed */
	WD_PROV_R_KEY_LENGTH,		/* a key of a length we do not take */
	WD_PROV_R_IV_LENGTH,		/* an IV of a length we do not take */
	WD_PROV_R_NO_KEY,		/* an operation before its key */
	WD_PROV_R_BLOCK_LENGTH,		/* CBC: not a multiple of the block */
	WD_PROV_R_BAD_DECRYPT,		/* CBC: bad padding */
	WD_PROV_R_OUTPUT_SIZE,		/* the output buffer is too small */
	WD_PROV_R_TAG,			/* GCM: tag missing, wrong length */
	WD_PROV_R_ONE_MESSAGE,		/* GCM: one data update per message */
	WD_PROV_R_NOT_COPYABLE,		/* a context in the middle of a stream */
	WD_PROV_R_PARAM,		/* a parameter we do not take */
	WD_PROV_R_DIGEST,		/* HMAC: a digest other than SHA-256 */
	WD_PROV_R_NR
};

/**
 * struct wd_prov - one instance of the provider
 * @handle: the core's handle
 * @new_error: the core's OSSL_FUNC_core_new_error
 * @set_error_debug: the core's OSSL_FUNC_core_set_error_debug
 * @vset_error: the core's OSSL_FUNC_core_vset_error
 * @lock: protects @other, @other_default and @other_hmac while they are
 *        made
 * @other: a library context of the instance's own with OpenSSL's default
 *         provider, for HMAC with digests libwarpdrive lacks and for
 *         ciphers asked for TLS 1.0-1.2's record layer; NULL until the
 *         first such use
 * @other_default: OpenSSL's default provider loaded there
 * @other_hmac: HMAC fetched there
 */
struct wd_prov {
	const OSSL_CORE_HANDLE *handle;
	OSSL_FUNC_core_new_error_fn *new_error;
	OSSL_FUNC_core_set_error_debug_fn *set_error_debug;
	OSSL_FUNC_core_vset_error_fn *vset_error;
	pthread_mutex_t lock;
	struct ossl_lib_ctx_st *other;
	struct ossl_provider_st *other_default;
	struct evp_mac_st *other_hmac;
};

/* ---- prov_digest.c, prov_cipher.c, prov_mac.c ---- */

extern const OSSL_ALGORITHM wd_prov_digests[];
extern const OSSL_ALGORITHM wd_prov_ciphers[];
extern const OSSL_ALGORITHM wd_prov_macs[];

/* ---- prov_sess.c ---- */

/**
 * struct wd_prov_sess - a libwarpdrive session and its users
 * @ref: contexts holding it
 * @s: the session (its algorithm and key)
 */
struct wd_prov_sess {
	atomic_uint ref;
	struct wd_crypto *s;
};

/* A new session (an error raised and 0 on failure), held once. */
int wd_prov_sess_open(const struct wd_prov *p, struct wd_prov_sess **sp,
		      int alg, const void *key, size_t key_len);
struct wd_prov_sess *wd_prov_sess_get(struct wd_prov_sess *ss);
/* Lets go of @ss (may be NULL); the last one closes the session. */
void wd_prov_sess_put(struct wd_prov_sess *ss);

/*
 * A context's stream of its session @ss (digests, HMAC): begins a new one
 * in *@stp, closing the one there (an init after an init restarts); feeds
 * @inl bytes (none is a success); or ends it into @out of @outsz bytes, of
 * which @size are the result, closing it and clearing *@stp.  1, or 0 with the
 * reason raised (no stream yet, @out too small, the library's error).
 */
int wd_prov_stream_begin(const struct wd_prov *p, struct wd_prov_sess *ss,
			 struct wd_crypto_stream **stp);
int wd_prov_stream_update(const struct wd_prov *p,
			  struct wd_crypto_stream *st,
			  const unsigned char *in, size_t inl);
int wd_prov_stream_final(const struct wd_prov *p,
			 struct wd_crypto_stream **stp, unsigned char *out,
			 size_t *outl, size_t outsz, size_t size);

/* OpenSSL's own HMAC in @p's other context (made once), or NULL. */
struct evp_mac_st *wd_prov_other_hmac(struct wd_prov *p);
/*
 * OpenSSL's own cipher @name in @p's other context (made once), held:
 * EVP_CIPHER_free() it; NULL, an error raised, on failure.
 */
struct evp_cipher_st *wd_prov_other_cipher(struct wd_prov *p,
					   const char *name);
/* Frees @p's other context (teardown). */
void wd_prov_other_free(struct wd_prov *p);

/* ---- prov_err.c ---- */

extern const OSSL_ITEM wd_prov_reason_strings[];

/* Raise @reason in the thread's OpenSSL error queue, with details. */
void wd_prov_err(const struct wd_prov *p, int reason, const char *file,
		 int line, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#define WD_PROV_ERR(p, reason, ...) \
	wd_prov_err(p, reason, __FILE__, __LINE__, __func__, __VA_ARGS__)

/* A libwarpdrive error @ret (-errno) of @what, as WD_PROV_R_LIBRARY. */
#define WD_PROV_LIBERR(p, what, ret) \
	WD_PROV_ERR(p, WD_PROV_R_LIBRARY, "%s: %d (%s)", what, ret, \
		    wd_strerror(ret))

/* Wipes @len bytes at @p in a way the compiler keeps. */
void wd_prov_wipe(void *p, size_t len);

#endif /* WD_PROV_H */
