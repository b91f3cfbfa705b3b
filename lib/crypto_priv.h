/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: the crypto session, for crypto.c, crypto_async.c and
 * crypto_stream.c.
 *
 * The layers, each calling only the ones below it:
 *
 *   crypto.c                          one-shot front end; open and close
 *   crypto_async.c crypto_stream.c    async and stream front ends
 *   crypto_session.c                  settings, key, routing, paths
 *   crypto_dev.c                      finding a vcrypt device
 *   crypto_soft.c                     the software path (libcrypto EVP)
 */
#ifndef WD_CRYPTO_PRIV_H
#define WD_CRYPTO_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <warpdrive/crypto.h>

#include "internal.h"
#include "queue_priv.h"

/**
 * struct wd_crypto - a crypto session
 * @alg: enum wd_crypto_alg
 * @key: the session's copy of the key (wiped and freed on close)
 * @key_len: its length
 * @policy: never WD_POLICY_DEFAULT
 * @depth: async requests in flight at most
 * @threshold: smaller requests go to software under policy auto
 * @lock: protects @retry_at, @nodev, @device, @done and @ndone
 * @retry_at: no look for a device before this time (wd_now_ns())
 * @nodev: why there is no device
 * @device: name of the device in use, "" while none
 * @done: async requests completed, not yet returned by wd_crypto_poll()
 * @ndone: entries in @done
 * @cnt: counters
 * @paths: WD_PATH_* taken so far
 * @reason: why the latest software request ran there
 */
struct wd_crypto {
	enum wd_crypto_alg alg;
	unsigned char *key;
	size_t key_len;
	enum wd_policy policy;
	unsigned int depth;
	size_t threshold;

	pthread_mutex_t lock;
	int64_t retry_at;
	enum wd_reason nodev;
	char device[WD_NAME_MAX];
	struct wd_crypto_req **done;
	unsigned int ndone;

	struct wd_counters cnt;
	atomic_uint paths;
	atomic_int reason;
};

/* Kinds of algorithm */
enum wd_crypto_kind {
	WD_CRYPTO_KIND_NONE = 0,
	WD_CRYPTO_KIND_DIGEST,	/* digests and HMAC */
	WD_CRYPTO_KIND_CIPHER,	/* CBC, CTR, XTS */
	WD_CRYPTO_KIND_AEAD,	/* GCM */
};

/* ---- crypto_session.c ---- */

enum wd_crypto_kind wd_crypto_kind(int alg);

/*
 * wd_crypto_session_open() - a new session with the settings of @p
 * (checked: -EINVAL), a copy of its key, and under policy hw a device
 * (-ENODEV, -EBUSY, -EOPNOTSUPP otherwise).
 */
int wd_crypto_session_open(struct wd_crypto **sp,
			   const struct wd_crypto_params *p);

/* Wipes the key and frees the session; the done list must be empty. */
void wd_crypto_session_close(struct wd_crypto *s);

/*
 * wd_crypto_route() - where a request of @len input bytes runs
 * @hw: set when it runs on the device
 * @why: otherwise, why it runs in software
 *
 * Return: 0, or under policy hw -ENODEV, -EBUSY or -EOPNOTSUPP when the
 * device cannot run it.
 */
int wd_crypto_route(struct wd_crypto *s, size_t len, bool *hw,
		    enum wd_reason *why);

/* Record that a request took @path (for software: because of @why). */
void wd_crypto_note(struct wd_crypto *s, unsigned int path,
		    enum wd_reason why);

/*
 * wd_crypto_exec() - run one whole-buffer request on the path the policy
 * allows, and fill in its results (status, produced, path, reason).
 *
 * Return: its status: 0 or -errno.
 */
int wd_crypto_exec(struct wd_crypto *s, struct wd_crypto_req *r);

/* Checks of the arguments every path shares; 0 or -EINVAL. */
int wd_crypto_check_cipher(const struct wd_crypto *s, int dir,
			   size_t iv_len, size_t len);
int wd_crypto_check_aead(const struct wd_crypto *s, size_t iv_len,
			 size_t tag_len);

/* ---- crypto_dev.c ---- */

/*
 * wd_crypto_find_device() - a usable vcrypt device (its name in @name),
 * or why there is none: WD_REASON_NO_DEVICE, _ISOLATED or _NO_QUEUE.
 */
enum wd_reason wd_crypto_find_device(char *name, size_t size);

/* ---- crypto_soft.c: libcrypto EVP; 0 or -errno, never logs keys ---- */

int wd_csoft_digest(int alg, const void *key, size_t key_len,
		    const void *src, size_t len, void *out, size_t *out_len);
int wd_csoft_cipher(int alg, int dir, const void *key, size_t key_len,
		    const void *iv, size_t iv_len, const void *src,
		    size_t len, void *dst);
int wd_csoft_aead(int dir, const void *key, size_t key_len, const void *iv,
		  size_t iv_len, const void *aad, size_t aad_len,
		  const void *src, size_t len, void *dst, void *tag,
		  size_t tag_len);

struct wd_csoft_stream;

int wd_csoft_stream_new(struct wd_csoft_stream **sp, int alg, int dir,
			const void *key, size_t key_len, const void *iv);
/* digests: @dst NULL; ciphers: *@dst_len in: room, out: written */
int wd_csoft_stream_update(struct wd_csoft_stream *ss, const void *src,
			   size_t len, void *dst, size_t *dst_len);
/* digests: the digest; ciphers: -EINVAL if a partial block is left */
int wd_csoft_stream_final(struct wd_csoft_stream *ss, void *out,
			  size_t *out_len);
/* a copy of @ss that continues independently */
int wd_csoft_stream_dup(struct wd_csoft_stream **dp,
			const struct wd_csoft_stream *ss);
void wd_csoft_stream_free(struct wd_csoft_stream *ss);

/* Wipes @len bytes at @p in a way the compiler keeps. */
void wd_crypto_wipe(void *p, size_t len);

#endif /* WD_CRYPTO_PRIV_H */
