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
 *   crypto_dev.c                      the session's vcrypt queue, key slot,
 *                                     registered memory
 *   crypto_hw.c                       requests on a vcrypt queue
 *   crypto_soft.c                     the software path (libcrypto EVP)
 *
 * and below them the queue layers compression uses too (shared.c,
 * queue.c, inflight.c, ring.c, xfer.c) with vcrypt.c's protocol.
 */
#ifndef WD_CRYPTO_PRIV_H
#define WD_CRYPTO_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <warpdrive/crypto.h>

#include <misc/uacce/vcrypt.h>

#include "devname.h"
#include "internal.h"
#include "mem.h"
#include "queue_priv.h"
#include "xfer.h"

/**
 * struct wd_crypto - a crypto session
 * @alg: enum wd_crypto_alg
 * @key: the session's copy of the key (wiped and freed on close)
 * @key_len: its length
 * @policy: never WD_POLICY_DEFAULT
 * @depth: async requests in flight at most
 * @threshold: smaller requests go to software under policy auto
 * @busy: waits for the device spin instead of sleeping (WD_WAIT=busy)
 * @lock: protects @q, @slot, @retry_at, @nodev, @devnames, @done, @ndone
 *        and @bufs, and serialises writing @device
 * @q: the vcrypt queue in use (a reference), NULL while none
 * @slot: the key slot of @q holding the key, -1 for none
 * @retry_at: no look for a device before this time (wd_now_ns())
 * @nodev: why there is no device
 * @devnames: the names of the devices @q has been on, kept until close
 * @device: @q's device's name on @devnames, NULL while @q is (or if its
 *          copy could not be made): written under @lock with release,
 *          read without it by wd_crypto_device(), whose result then stays
 *          valid while another thread changes @q
 * @done: async requests completed, not yet returned by wd_crypto_poll()
 *        (NULL: reserved by one running or in flight on the device)
 * @ndone: entries in @done
 * @aq: the queue of the latest async request on the device (a
 *      reference), which wd_crypto_poll() reaps; under @lock
 * @finished: async device requests whose callback ran, to free (their
 *            queue references are dropped outside the callback); under
 *            @lock
 * @hw_pending: async requests in flight on the device
 * @bufs: registered memory (wd_crypto_buf_register()), each entry with
 *        its queue's reference
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
	bool busy;

	pthread_mutex_t lock;
	struct wd_queue *q;
	int slot;
	int64_t retry_at;
	enum wd_reason nodev;
	struct wd_devname *devnames;
	const char *_Atomic device;
	struct wd_crypto_req **done;
	unsigned int ndone;
	struct wd_queue *aq;
	struct wd_chw_op *finished;
	atomic_uint hw_pending;
	struct wd_buf *bufs;

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

/* ---- crypto_async.c ---- */

/*
 * wd_crypto_async_drain() - waits for the session's async requests in
 * flight on the device (into the done list) and lets go of what the
 * async front end holds (before wd_crypto_session_close())
 */
void wd_crypto_async_drain(struct wd_crypto *s);

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

/**
 * struct wd_chw - where a request runs on the device
 * @q: the queue (a reference while the request runs); NULL: software
 * @slot: the session's key slot in @q
 * @alg: enum wd_crypto_alg
 * @busy: spin rather than sleep
 * @cnt: the session's counters
 */
struct wd_chw {
	struct wd_queue *q;
	unsigned int slot;
	int alg;
	bool busy;
	struct wd_counters *cnt;
};

/*
 * wd_crypto_route() - where a request of @len input bytes (@aad_len,
 * @iv_len, @tag_len for GCM) runs
 * @hw: filled in; @hw->q is set (a reference: wd_queue_close() it) when
 *      it runs on the device
 * @why: otherwise, why it runs in software
 *
 * Return: 0, or under policy hw -ENODEV, -EBUSY or -EOPNOTSUPP when the
 * device cannot run it.
 */
int wd_crypto_route(struct wd_crypto *s, size_t len, size_t aad_len,
		    size_t iv_len, size_t tag_len, struct wd_chw *hw,
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

/*
 * wd_crypto_prepare() - check @r and choose its path as wd_crypto_exec()
 * does; on an error @r is complete with it.  With @hw->q set the caller
 * runs it on the device and ends it with wd_crypto_hw_result().
 */
int wd_crypto_prepare(struct wd_crypto *s, struct wd_crypto_req *r,
		      struct wd_chw *hw, enum wd_reason *why);

/*
 * wd_crypto_hw_result() - a device request of @r ended with @ret (@made
 * output bytes): its results, or under policy auto, if the device could
 * not finish it, the request redone in software.  Returns its status.
 */
int wd_crypto_hw_result(struct wd_crypto *s, struct wd_crypto_req *r,
			int ret, size_t made);

/* Checks of the arguments every path shares; 0 or -EINVAL. */
int wd_crypto_check_cipher(const struct wd_crypto *s, int dir,
			   size_t iv_len, size_t len);
int wd_crypto_check_aead(const struct wd_crypto *s, size_t iv_len,
			 size_t tag_len);

/* ---- crypto_dev.c ---- */

/*
 * wd_crypto_dev_get() - a reference to the session's vcrypt queue with
 * its key loaded in *@slot, finding one (at most once a second while
 * there is none) and replacing one inherited across fork() or dead; NULL
 * and *@why: no device, isolated, no queue or key slot free, unsupported
 * algorithm.
 */
struct wd_queue *wd_crypto_dev_get(struct wd_crypto *s, unsigned int *slot,
				   enum wd_reason *why);

/*
 * Wipes the session's key slot, ends its registrations of memory and
 * lets go of its queue (at close).
 */
void wd_crypto_dev_put(struct wd_crypto *s);

/* ---- crypto_hw.c: requests on a vcrypt queue; 0 or -errno ---- */

/*
 * wd_chw_can() - can @h's queue run a whole-buffer request of these
 * sizes (its algorithms, GCM's 12-byte nonce, what cannot be split)?
 */
bool wd_chw_can(const struct wd_chw *h, int alg, size_t len, size_t aad_len,
		size_t iv_len, size_t tag_len);

/* One descriptor, submitted and waited for; its completion's errno. */
int wd_chw_run(const struct wd_chw *h, const struct vcrypt_sqe *sqe,
	       uint32_t *produced);

int wd_chw_digest(const struct wd_chw *h, const void *src, size_t len,
		  void *out, size_t *out_len);
int wd_chw_cipher(const struct wd_chw *h, int dir, const void *iv,
		  const void *src, size_t len, void *dst);
int wd_chw_aead(const struct wd_chw *h, int dir, const void *iv,
		size_t iv_len, const void *aad, size_t aad_len,
		const void *src, size_t len, void *dst, void *tag,
		size_t tag_len);

/**
 * struct wd_chw_op - an asynchronous request on the device
 * @req: the in-flight request (first: the completion callback finds @o)
 * @hw: where it runs (the caller's reference to @hw.q)
 * @r: the caller's request
 * @done: called once with the result (0 or -errno), from the thread that
 *        reaps the completion; @produced is then set
 * @priv: for the caller
 * @produced: output bytes
 * @xs, @xd, @in, @out, @in_len, @out_len, @gcm, @digest, @inplace,
 * @have_xs, @have_xd: crypto_hw.c's
 * @next: for the caller's lists
 */
struct wd_chw_op {
	struct wd_inflight_req req;
	struct wd_chw hw;
	const struct wd_crypto_req *r;
	void (*done)(struct wd_chw_op *o, int ret);
	void *priv;
	size_t produced;
	struct wd_xfer xs, xd;
	unsigned char *in, *out;
	size_t in_len, out_len;
	bool gcm, digest, inplace, have_xs, have_xd;
	struct wd_chw_op *next;
};

/*
 * wd_chw_submit() - start @o (zeroed but for @hw, @done and @priv) for
 * request @r in one descriptor.  0: @o->done will be called; else -errno
 * and it will not: -E2BIG (it needs pieces: run it synchronously).
 */
int wd_chw_submit(struct wd_chw_op *o, const struct wd_crypto_req *r);

/**
 * struct wd_chw_ctx - a sealed stream context where the device reaches it
 * @p: its bytes (process memory with SVA, else in the SS region)
 * @addr: its address for descriptors
 * @size: CTX_SIZE
 * @q: the queue whose memory it is
 */
struct wd_chw_ctx {
	void *p;
	uint64_t addr;
	size_t size;
	struct wd_queue *q;
};

/* -EOPNOTSUPP: the queue has no streams */
int wd_chw_ctx_alloc(const struct wd_chw *h, struct wd_chw_ctx *c);
/* Wipes and frees it. */
void wd_chw_ctx_free(struct wd_chw_ctx *c);
/* @dst (allocated on the same queue) continues where @src is. */
int wd_chw_ctx_copy(struct wd_chw_ctx *dst, const struct wd_chw_ctx *src);

/**
 * wd_chw_stream() - stream requests on context @c for @len bytes (in
 * pieces as needed)
 * @op: VCRYPT_OP_DIGEST, _ENCRYPT or _DECRYPT
 * @flags: VCRYPT_SQE_F_NEW_STREAM (the first piece; with @iv for
 *         ciphers) and/or VCRYPT_SQE_F_FINAL (the last piece)
 * @dst: ciphers: @len bytes; digests: the digest (with FINAL), @dst_len
 * @produced: bytes written
 */
int wd_chw_stream(const struct wd_chw *h, struct wd_chw_ctx *c, int op,
		  unsigned int flags, const void *iv, const void *src,
		  size_t len, void *dst, size_t dst_len, size_t *produced);

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
