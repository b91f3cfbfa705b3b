/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive crypto API: digests, HMAC, ciphers and AEAD on a WarpDrive
 * crypto accelerator (vcrypt, Documentation/vcrypt.rst), or in software
 * (OpenSSL's libcrypto) when the accelerator is absent, busy or cannot do
 * a request, and a report of which of the two ran, as for compression.
 *
 * A session (struct wd_crypto) fixes the algorithm, the key and the
 * policy.  It runs three kinds of request:
 *
 *   one-shot    wd_digest(), wd_cipher(), wd_aead(): a whole buffer, waits
 *   async       wd_crypto_submit() many struct wd_crypto_req,
 *               wd_crypto_poll() their completions
 *   streaming   wd_crypto_stream_open(), wd_crypto_stream_update(),
 *               wd_crypto_stream_final(): a digest, HMAC, CBC or CTR
 *               chain fed in pieces
 *
 *	struct wd_crypto_params p = { .alg = WD_CRYPTO_SHA256 };
 *	unsigned char md[WD_CRYPTO_DIGEST_MAX];
 *	size_t md_len = sizeof(md);
 *	struct wd_crypto *s;
 *
 *	if (wd_crypto_open(&s, &p) == 0 &&
 *	    wd_digest(s, in, in_len, md, &md_len) == 0)
 *		printf("%s\n", wd_crypto_path(s, NULL) & WD_PATH_HW ?
 *		       "hardware" : "software");
 *	wd_crypto_close(s);
 *
 * Keys: a session keeps a copy of its key, which the library never
 * prints or logs, and wipes when the session is closed; the caller's
 * copy stays the caller's to wipe.  On the device a key lives in a key
 * slot of the session's queue, never in memory another process can read.
 *
 * Policy, paths and reasons (enum wd_policy, WD_PATH_*, enum wd_reason)
 * are those of <warpdrive/comp.h>, with the environment variables
 * WD_POLICY, WD_DEVICE (WD_DEVICE_VCRYPT before it) and WD_SW_THRESHOLD
 * of <warpdrive/common.h>.
 *
 * Memory: with SVA the device reads and writes the caller's buffers where
 * they are, each request pinning its pages while it runs, unless they lie
 * inside memory registered with wd_crypto_buf_register(), pinned once.
 * Without SVA every buffer is copied through the device's static shared
 * region, a few MiB that the process's crypto sessions share; no crypto
 * call hands out memory in it (compression's wd_buf_alloc() does so for a
 * compression device), so there is nothing to register.
 *
 * Threads: a session may be used by several threads at once for one-shot
 * and async requests; a stream is used by one thread at a time.
 */
#ifndef WARPDRIVE_CRYPTO_H
#define WARPDRIVE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <warpdrive/common.h>
#include <warpdrive/comp.h>

#ifdef __cplusplus
extern "C" {
#endif

struct wd_crypto;
struct wd_crypto_stream;

/*
 * Algorithms (values as enum vcrypt_alg).  AES-128 and AES-256 are told
 * apart by the key's length.
 */
enum wd_crypto_alg {
	WD_CRYPTO_SHA256 = 1,		/* no key */
	WD_CRYPTO_SHA512 = 2,		/* no key */
	WD_CRYPTO_SHA3_256 = 3,		/* no key */
	WD_CRYPTO_SM3 = 4,		/* no key */
	WD_CRYPTO_HMAC_SHA256 = 5,	/* key of any length */
	WD_CRYPTO_AES_CBC = 6,		/* key 16 or 32, IV 16, no padding */
	WD_CRYPTO_AES_CTR = 7,		/* key 16 or 32, counter block 16 */
	WD_CRYPTO_AES_XTS = 8,		/* key 32 or 64 (two keys), tweak 16 */
	WD_CRYPTO_SM4_CBC = 9,		/* key 16, IV 16, no padding */
	WD_CRYPTO_AES_GCM = 10,		/* key 16 or 32, nonce 1-128, AEAD */
};

/* Directions of ciphers and AEAD */
enum wd_crypto_dir {
	WD_ENCRYPT = 0,
	WD_DECRYPT = 1,
};

#define WD_CRYPTO_DIGEST_MAX	64	/* bytes of the largest digest */
#define WD_CRYPTO_BLOCK_SIZE	16	/* AES and SM4 */
#define WD_CRYPTO_IV_SIZE	16	/* CBC, CTR, XTS */
#define WD_CRYPTO_GCM_IV_MAX	128	/* longest GCM nonce (12 is usual) */
#define WD_CRYPTO_TAG_MAX	16	/* GCM tags: 4, 8 or 12 to 16 bytes */

/* wd_crypto_params.flags */
#define WD_CRYPTO_F_THRESHOLD	0x1	/* use .sw_threshold, not WD_SW_THRESHOLD */

/**
 * struct wd_crypto_params - a session's settings
 * @alg: enum wd_crypto_alg
 * @key: the key (copied); NULL for digests
 * @key_len: its length in bytes; 0 for digests
 * @policy: enum wd_policy
 * @depth: most async requests in flight at once; 0 for 64
 * @sw_threshold: with WD_CRYPTO_F_THRESHOLD: requests with fewer input
 *                bytes run in software under policy auto (0: none do)
 * @flags: WD_CRYPTO_F_*
 */
struct wd_crypto_params {
	enum wd_crypto_alg alg;
	const void *key;
	size_t key_len;
	enum wd_policy policy;
	unsigned int depth;
	size_t sw_threshold;
	unsigned int flags;
};

/**
 * wd_crypto_open() - create a session
 * @sp: the new session
 * @params: its settings
 *
 * Looks for a crypto device at once (unless the policy is software).
 * Under policy auto, a session without a device still opens and runs in
 * software.
 *
 * Return: 0; -EINVAL for an unknown algorithm, a key of the wrong length
 * or a key given to a digest; -ENODEV (policy hw: no usable device);
 * -EBUSY (policy hw: no free queue); -ENOMEM.
 */
int wd_crypto_open(struct wd_crypto **sp, const struct wd_crypto_params *params);

/**
 * wd_crypto_close() - end a session and wipe its key
 * @s: the session, may be NULL
 *
 * Async requests not yet returned by wd_crypto_poll() have their
 * callbacks called here.  Its streams must be closed first.
 */
void wd_crypto_close(struct wd_crypto *s);

/**
 * wd_crypto_path() - the paths the session's requests have taken so far
 * @s: the session
 * @reason: if not NULL, why the latest software request ran there
 *
 * Return: WD_PATH_HW and/or WD_PATH_SW; 0 before the first request.
 */
unsigned int wd_crypto_path(const struct wd_crypto *s, enum wd_reason *reason);

/**
 * wd_crypto_device() - name of the device the session uses
 * @s: the session
 *
 * Any thread may ask, while others use the session.
 *
 * Return: e.g. "vcrypt-0"; NULL while it has none, or before a request
 * has run on it.  The string stays valid until wd_crypto_close(), even
 * after the session has moved to another device.
 */
const char *wd_crypto_device(const struct wd_crypto *s);

/**
 * wd_crypto_alg_name() - name of an algorithm, e.g. "sha256", "aes-cbc"
 * @alg: enum wd_crypto_alg
 *
 * Return: a static string; "unknown" if out of range.
 */
const char *wd_crypto_alg_name(enum wd_crypto_alg alg);

/**
 * wd_crypto_digest_size() - bytes of the digest or MAC of @alg
 * @alg: enum wd_crypto_alg
 *
 * Return: 32 or 64; 0 for a cipher.
 */
size_t wd_crypto_digest_size(enum wd_crypto_alg alg);

/**
 * wd_digest() - the digest (or HMAC) of a whole buffer
 * @s: a digest or HMAC session
 * @src: input
 * @src_len: its length
 * @out: the digest
 * @out_len: in: room at @out; out: wd_crypto_digest_size()
 *
 * Return: 0; -ENOSPC if @out is too small; -EINVAL (a cipher session);
 * -ENODEV, -EOPNOTSUPP (policy hw); -errno.
 */
int wd_digest(struct wd_crypto *s, const void *src, size_t src_len,
	      void *out, size_t *out_len);

/**
 * wd_cipher() - encrypt or decrypt a whole buffer
 * @s: a CBC, CTR or XTS session
 * @dir: enum wd_crypto_dir
 * @iv: the IV (CBC), initial counter block (CTR) or tweak (XTS)
 * @iv_len: WD_CRYPTO_IV_SIZE
 * @src: input
 * @len: its length: a multiple of 16 (CBC), at least 16 and at most
 *       16 MiB (XTS, with ciphertext stealing), any (CTR)
 * @dst: output, @len bytes; may be @src
 *
 * Return: 0; -EINVAL (IV size, length, session); -ENODEV, -EOPNOTSUPP
 * (policy hw); -errno.
 */
int wd_cipher(struct wd_crypto *s, enum wd_crypto_dir dir, const void *iv,
	      size_t iv_len, const void *src, size_t len, void *dst);

/**
 * wd_aead() - AES-GCM encryption or authenticated decryption
 * @s: an AES-GCM session
 * @dir: enum wd_crypto_dir
 * @iv: the nonce
 * @iv_len: its length, 1 to WD_CRYPTO_GCM_IV_MAX (the device takes 12)
 * @aad: additional authenticated data, may be NULL if @aad_len is 0
 * @aad_len: its length
 * @src: plaintext (encrypt) or ciphertext (decrypt)
 * @len: its length
 * @dst: ciphertext or plaintext, @len bytes; may be @src
 * @tag: WD_ENCRYPT: receives the tag; WD_DECRYPT: the tag to check
 * @tag_len: 4, 8, or 12 to 16 (a truncated tag is its first bytes)
 *
 * Decryption checks the tag before it returns anything: on a mismatch
 * @dst is zeroed and the call fails.
 *
 * Return: 0; -EBADMSG if the tag does not match; -EINVAL; -ENODEV,
 * -EOPNOTSUPP (policy hw); -errno.
 */
int wd_aead(struct wd_crypto *s, enum wd_crypto_dir dir, const void *iv,
	    size_t iv_len, const void *aad, size_t aad_len, const void *src,
	    size_t len, void *dst, void *tag, size_t tag_len);

/**
 * struct wd_crypto_req - an asynchronous request
 * @dir: enum wd_crypto_dir (ciphers and AEAD)
 * @iv: as wd_cipher() and wd_aead()
 * @iv_len: its length
 * @aad: as wd_aead()
 * @aad_len: its length
 * @src: input
 * @src_len: its length
 * @dst: output: @src_len bytes (ciphers, AEAD) or the digest
 * @dst_len: room at @dst (digests; ignored otherwise)
 * @tag: as wd_aead()
 * @tag_len: its length
 * @cb: called once the request completes, from wd_crypto_poll() (or
 *      wd_crypto_close()); NULL to have wd_crypto_poll() return it instead
 * @priv: for the caller
 * @status: result: 0, -EBADMSG, -ENOSPC, -EINVAL, -ECANCELED, ...
 * @produced: result: output bytes written (the digest's size for digests)
 * @path: result: WD_PATH_HW or WD_PATH_SW
 * @reason: result: why it ran in software
 *
 * What the request does follows from the session's algorithm: a digest,
 * a cipher or an AEAD operation on one whole buffer.  The request and its
 * buffers belong to the library from wd_crypto_submit() until it
 * completes.
 */
struct wd_crypto_req {
	enum wd_crypto_dir dir;
	const void *iv;
	size_t iv_len;
	const void *aad;
	size_t aad_len;
	const void *src;
	size_t src_len;
	void *dst;
	size_t dst_len;
	void *tag;
	size_t tag_len;
	void (*cb)(struct wd_crypto_req *req);
	void *priv;

	int status;
	size_t produced;
	unsigned int path;
	enum wd_reason reason;
};

/**
 * wd_crypto_submit() - start asynchronous requests
 * @s: the session
 * @reqs: the requests
 * @n: how many
 *
 * Requests the device cannot or should not run complete in software
 * before this returns; their completions are still delivered by
 * wd_crypto_poll().  A request with bad arguments completes with
 * status -EINVAL.
 *
 * Return: number of requests accepted, from the first: fewer than @n when
 * the session's depth is reached (poll, then submit the rest).  -EINVAL
 * if @reqs is NULL; -ENODEV or -EOPNOTSUPP under policy hw (none taken).
 */
int wd_crypto_submit(struct wd_crypto *s, struct wd_crypto_req **reqs,
		     unsigned int n);

/**
 * wd_crypto_poll() - complete asynchronous requests
 * @s: the session
 * @done: array for completed requests without a callback, may be NULL
 * @max: entries in @done
 * @min: wait until at least this many requests completed (those with a
 *       callback count too); 0 never waits.  More than are in flight is
 *       -EINVAL: they could never complete
 * @timeout_ms: longest wait, -1 for no limit
 *
 * Return: number of requests completed by this call (on a timeout fewer
 * than @min: those are in @done, or their callbacks ran, and are not
 * reported again); -ETIMEDOUT if none completed in time; -EINVAL.
 */
int wd_crypto_poll(struct wd_crypto *s, struct wd_crypto_req **done,
		   unsigned int max, unsigned int min, int timeout_ms);

/**
 * wd_crypto_inflight() - async requests submitted and not yet returned
 * @s: the session
 */
unsigned int wd_crypto_inflight(const struct wd_crypto *s);

/**
 * wd_crypto_stream_open() - start a stream: a digest, HMAC, CBC or CTR
 * chain fed in pieces
 * @sp: the new stream
 * @s: the session, whose algorithm, key and policy the stream uses
 * @dir: enum wd_crypto_dir (ciphers; ignored for digests)
 * @iv: the IV or initial counter block (ciphers); NULL for digests
 * @iv_len: WD_CRYPTO_IV_SIZE for ciphers, 0 for digests
 *
 * The path (device or software) is chosen here and kept for the whole
 * stream; on the device the state between pieces lives in a sealed
 * stream context.  XTS and GCM have no streams.
 *
 * Return: 0; -EINVAL; -EOPNOTSUPP (XTS, GCM); -ENODEV (policy hw);
 * -ENOMEM.
 */
int wd_crypto_stream_open(struct wd_crypto_stream **sp, struct wd_crypto *s,
			  enum wd_crypto_dir dir, const void *iv,
			  size_t iv_len);

/**
 * wd_crypto_stream_update() - feed a piece
 * @st: the stream
 * @src: input
 * @src_len: its length, any
 * @dst: cipher output (NULL for digests)
 * @dst_len: in: room at @dst; out: bytes written.  CTR writes @src_len
 *           bytes; CBC writes whole blocks and keeps up to 15 bytes for
 *           the next piece, so room for @src_len + 15 always suffices.
 *           NULL for digests
 *
 * Return: 0; -ENOSPC (nothing consumed); -EINVAL; -errno.  After an error
 * other than -ENOSPC and -EINVAL the stream can only be closed.
 */
int wd_crypto_stream_update(struct wd_crypto_stream *st, const void *src,
			    size_t src_len, void *dst, size_t *dst_len);

/**
 * wd_crypto_stream_final() - end the stream
 * @st: the stream
 * @out: the digest (digests), or NULL (ciphers: nothing is kept back
 *       except a CBC chain's partial block, which is an error)
 * @out_len: in: room at @out; out: bytes written (0 for ciphers)
 *
 * After it, the stream can only be closed.
 *
 * Return: 0; -ENOSPC; -EINVAL (a CBC chain whose length is not a multiple
 * of the block); -errno.
 */
int wd_crypto_stream_final(struct wd_crypto_stream *st, void *out,
			   size_t *out_len);

/**
 * wd_crypto_stream_dup() - copy a stream mid-way
 * @dp: the copy, a stream of the same session, which continues from
 *      where @st is now, independently of it
 * @st: the stream (not ended, not failed)
 *
 * For callers that need a digest so far and go on (EVP_MD_CTX_copy(),
 * a TLS transcript, Python's hashlib).  The copy takes @st's path; on
 * the device its state is a copy of the sealed stream context.  Close
 * both before the session.  Since libwarpdrive 1.2 (WARPDRIVE_1.2).
 *
 * Return: 0; -EINVAL (NULL, or @st ended or failed); -ENOMEM.
 */
int wd_crypto_stream_dup(struct wd_crypto_stream **dp,
			 const struct wd_crypto_stream *st);

/**
 * wd_crypto_stream_path() - the path of a stream
 * @st: the stream
 * @reason: if not NULL, why it runs in software
 *
 * Return: WD_PATH_HW or WD_PATH_SW.
 */
unsigned int wd_crypto_stream_path(const struct wd_crypto_stream *st,
				   enum wd_reason *reason);

/**
 * wd_crypto_stream_close() - free a stream and wipe its state
 * @st: the stream, may be NULL
 */
void wd_crypto_stream_close(struct wd_crypto_stream *st);

/**
 * wd_crypto_buf_register() - pin memory once for the session's requests
 * @s: the session
 * @buf: the memory, any alignment
 * @len: bytes
 *
 * The crypto counterpart of wd_buf_register(), with its errors.  With a
 * device that has SVA, every request pins its buffers while it runs.
 * Registered memory, like io_uring's fixed buffers, is pinned once, here,
 * and one-shot, async and stream requests whose source and destination
 * lie inside it pin nothing of them (AES-GCM stages its AAD, text and tag
 * in memory of the library's, a stream's requests reach its context, and
 * a CBC stream's block split between two pieces goes from a copy: those
 * are pinned per request as before).  The pages around @buf are
 * registered whole, writable, on the session's queue, and counted in the
 * process's pinned memory (VmPin; without CAP_IPC_LOCK, within
 * RLIMIT_MEMLOCK for all the user's processes together) until
 * wd_crypto_buf_unregister(), wd_crypto_close() or exit.  The process's
 * crypto sessions share one queue: the other sessions' requests inside
 * the memory pin nothing either, and a page registered by one of them
 * cannot be registered again (-EEXIST).  Registration is an optimisation:
 * any memory works without it.  It belongs to this process: a forked
 * child's requests pin as usual, and its wd_crypto_buf_unregister() of
 * the parent's registration only forgets it.  Since: 1.4
 * (WARPDRIVE_1.4).
 *
 * Return: 0; -EINVAL (NULL, empty); -EOPNOTSUPP: the device has no SVA
 * (requests copy through its shared region), or does not run the
 * session's algorithm; -ENODEV, -EBUSY, -EACCES: no device queue (policy
 * sw, or as the hardware policy says); -EEXIST: a page of it is
 * registered already; -ENOSPC: the queue has the most registrations
 * (64); -ENOMEM: beyond RLIMIT_MEMLOCK; -EFAULT: not mapped writable.
 */
int wd_crypto_buf_register(struct wd_crypto *s, void *buf, size_t len);

/**
 * wd_crypto_buf_unregister() - undo wd_crypto_buf_register()
 * @s: the session
 * @buf: the @buf given to wd_crypto_buf_register()
 *
 * Returns once no request uses the pages, unpinned.  The memory stays
 * the caller's, and requests on it still work, pinning it per request.
 * Since: 1.4 (WARPDRIVE_1.4).
 *
 * Return: 0; -EINVAL (NULL); -ENOENT: @buf is not registered in this
 * session (or no longer: a second call).
 */
int wd_crypto_buf_unregister(struct wd_crypto *s, void *buf);

/**
 * wd_crypto_get_stats() - counters of one session (and its streams)
 * @s: the session
 * @st: filled in (struct wd_stats of <warpdrive/comp.h>; the process's
 *      counters, wd_get_stats(), include crypto requests)
 */
void wd_crypto_get_stats(const struct wd_crypto *s, struct wd_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* WARPDRIVE_CRYPTO_H */
