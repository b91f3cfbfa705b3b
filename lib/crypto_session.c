// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive crypto session layer: a session's algorithm, its copy of
 * the key (wiped when the session ends), the routing policy and the
 * paths its requests took.  The one-shot (crypto.c), async
 * (crypto_async.c) and stream (crypto_stream.c) front ends sit on top of
 * it; it calls none of them.
 *
 * Routing follows compression's (session.c): policy sw, then the
 * offload threshold under auto, then the session's vcrypt queue
 * (crypto_dev.c) if it can run the request (crypto_hw.c).  Under policy
 * auto a request the device could not finish for a reason of its own
 * (failed, gone, no room in the SS region) is redone in software, with
 * that reason; under policy hw it fails.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <misc/uacce/vcrypt.h>

#include "crypto_priv.h"
#include "vcrypt.h"

#define WD_CRYPTO_DEFAULT_DEPTH	64
#define WD_CRYPTO_MAX_DEPTH	65536
#define WD_CRYPTO_F_ALL		WD_CRYPTO_F_THRESHOLD

/* the API's algorithm ids are the device's */
_Static_assert((int)WD_CRYPTO_SHA256 == (int)VCRYPT_ALG_SHA256 &&
	       (int)WD_CRYPTO_SHA512 == (int)VCRYPT_ALG_SHA512 &&
	       (int)WD_CRYPTO_SHA3_256 == (int)VCRYPT_ALG_SHA3_256 &&
	       (int)WD_CRYPTO_SM3 == (int)VCRYPT_ALG_SM3 &&
	       (int)WD_CRYPTO_HMAC_SHA256 == (int)VCRYPT_ALG_HMAC_SHA256 &&
	       (int)WD_CRYPTO_AES_CBC == (int)VCRYPT_ALG_AES_CBC &&
	       (int)WD_CRYPTO_AES_CTR == (int)VCRYPT_ALG_AES_CTR &&
	       (int)WD_CRYPTO_AES_XTS == (int)VCRYPT_ALG_AES_XTS &&
	       (int)WD_CRYPTO_SM4_CBC == (int)VCRYPT_ALG_SM4_CBC &&
	       (int)WD_CRYPTO_AES_GCM == (int)VCRYPT_ALG_AES_GCM,
	       "enum wd_crypto_alg is enum vcrypt_alg");
_Static_assert(WD_CRYPTO_DIGEST_MAX == VCRYPT_DIGEST_MAX &&
	       WD_CRYPTO_TAG_MAX == VCRYPT_GCM_TAG_MAX &&
	       WD_CRYPTO_IV_SIZE == VCRYPT_CIPHER_IV &&
	       WD_CRYPTO_BLOCK_SIZE == VCRYPT_BLOCK_SIZE,
	       "the API's sizes are the device's");

enum wd_crypto_kind wd_crypto_kind(int alg)
{
	switch (alg) {
	case WD_CRYPTO_SHA256:
	case WD_CRYPTO_SHA512:
	case WD_CRYPTO_SHA3_256:
	case WD_CRYPTO_SM3:
	case WD_CRYPTO_HMAC_SHA256:
		return WD_CRYPTO_KIND_DIGEST;
	case WD_CRYPTO_AES_CBC:
	case WD_CRYPTO_AES_CTR:
	case WD_CRYPTO_AES_XTS:
	case WD_CRYPTO_SM4_CBC:
		return WD_CRYPTO_KIND_CIPHER;
	case WD_CRYPTO_AES_GCM:
		return WD_CRYPTO_KIND_AEAD;
	default:
		return WD_CRYPTO_KIND_NONE;
	}
}

/* The key lengths of enum wd_crypto_alg (Documentation/vcrypt.rst). */
static bool key_ok(int alg, const void *key, size_t len)
{
	switch (alg) {
	case WD_CRYPTO_HMAC_SHA256:
		return key || !len;
	case WD_CRYPTO_AES_CBC:
	case WD_CRYPTO_AES_CTR:
	case WD_CRYPTO_AES_GCM:
		return key && (len == VCRYPT_AES_KEY_128 ||
			       len == VCRYPT_AES_KEY_256);
	case WD_CRYPTO_AES_XTS:
		return key && (len == 2 * VCRYPT_AES_KEY_128 ||
			       len == 2 * VCRYPT_AES_KEY_256);
	case WD_CRYPTO_SM4_CBC:
		return key && len == VCRYPT_SM4_KEY;
	default:	/* digests take no key */
		return !key && !len;
	}
}

int wd_crypto_check_cipher(const struct wd_crypto *s, int dir,
			   size_t iv_len, size_t len)
{
	size_t half = s->key_len / 2;

	if (wd_crypto_kind(s->alg) != WD_CRYPTO_KIND_CIPHER ||
	    (dir != WD_ENCRYPT && dir != WD_DECRYPT) ||
	    iv_len != VCRYPT_CIPHER_IV)
		return -EINVAL;
	switch (s->alg) {
	case WD_CRYPTO_AES_CBC:
	case WD_CRYPTO_SM4_CBC:
		return len % VCRYPT_BLOCK_SIZE ? -EINVAL : 0;
	case WD_CRYPTO_AES_XTS:
		if (len < VCRYPT_XTS_MIN_LEN || len > VCRYPT_XTS_MAX_LEN)
			return -EINVAL;
		/* as OpenSSL and IEEE 1619: no encryption with key1 == key2 */
		if (dir == WD_ENCRYPT && !memcmp(s->key, s->key + half, half))
			return -EINVAL;
		return 0;
	default:
		return 0;
	}
}

int wd_crypto_check_aead(const struct wd_crypto *s, size_t iv_len,
			 size_t tag_len)
{
	if (s->alg != WD_CRYPTO_AES_GCM || !iv_len ||
	    iv_len > WD_CRYPTO_GCM_IV_MAX)
		return -EINVAL;
	/* NIST SP 800-38D's lengths, which the device takes */
	if (tag_len != 4 && tag_len != 8 &&
	    (tag_len < 12 || tag_len > VCRYPT_GCM_TAG_MAX))
		return -EINVAL;
	return 0;
}

/* What policy hw returns when the device cannot run a request. */
static int hw_error(enum wd_reason why)
{
	switch (why) {
	case WD_REASON_NO_QUEUE:
		return -EBUSY;
	case WD_REASON_UNSUPPORTED:
		return -EOPNOTSUPP;
	default:
		return -ENODEV;
	}
}

int wd_crypto_route(struct wd_crypto *s, size_t len, size_t aad_len,
		    size_t iv_len, size_t tag_len, struct wd_chw *hw,
		    enum wd_reason *why)
{
	memset(hw, 0, sizeof(*hw));
	hw->alg = s->alg;
	hw->busy = s->busy;
	hw->cnt = &s->cnt;
	if (s->policy == WD_POLICY_SW) {
		*why = WD_REASON_POLICY;
		return 0;
	}
	if (s->policy == WD_POLICY_AUTO && len != SIZE_MAX &&
	    len + aad_len < s->threshold) {
		*why = WD_REASON_SMALL;
		return 0;
	}
	hw->q = wd_crypto_dev_get(s, &hw->slot, why);
	if (!hw->q)
		return s->policy == WD_POLICY_HW ? hw_error(*why) : 0;
	/* SIZE_MAX: no request yet, only whether the device is there */
	if (len != SIZE_MAX &&
	    !wd_chw_can(hw, s->alg, len, aad_len, iv_len, tag_len)) {
		wd_queue_close(hw->q);
		hw->q = NULL;
		*why = WD_REASON_UNSUPPORTED;
		return s->policy == WD_POLICY_HW ? -EOPNOTSUPP : 0;
	}
	*why = WD_REASON_NONE;
	return 0;
}

void wd_crypto_note(struct wd_crypto *s, unsigned int path,
		    enum wd_reason why)
{
	atomic_fetch_or_explicit(&s->paths, path, memory_order_relaxed);
	if (path == WD_PATH_SW)
		atomic_store_explicit(&s->reason, why, memory_order_relaxed);
}

int wd_crypto_session_open(struct wd_crypto **sp,
			   const struct wd_crypto_params *p)
{
	const struct wd_env *env = wd_env();
	struct wd_crypto *s;
	enum wd_reason why;
	struct wd_chw hw;
	int ret;

	if (!sp)
		return -EINVAL;
	*sp = NULL;
	if (!p || wd_crypto_kind(p->alg) == WD_CRYPTO_KIND_NONE ||
	    !key_ok(p->alg, p->key, p->key_len) ||
	    p->policy < WD_POLICY_DEFAULT || p->policy > WD_POLICY_SW ||
	    p->depth > WD_CRYPTO_MAX_DEPTH || (p->flags & ~WD_CRYPTO_F_ALL))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->alg = p->alg;
	s->policy = p->policy ? p->policy : env->policy;
	s->depth = p->depth ? p->depth : WD_CRYPTO_DEFAULT_DEPTH;
	s->threshold = p->flags & WD_CRYPTO_F_THRESHOLD ? p->sw_threshold :
		       env->sw_threshold;
	s->busy = env->busy_wait;
	s->slot = -1;
	pthread_mutex_init(&s->lock, NULL);
	s->done = calloc(s->depth, sizeof(*s->done));
	if (p->key_len)
		s->key = malloc(p->key_len);
	if (!s->done || (p->key_len && !s->key)) {
		wd_crypto_session_close(s);
		return -ENOMEM;
	}
	if (p->key_len)
		memcpy(s->key, p->key, p->key_len);
	s->key_len = p->key_len;

	if (s->policy == WD_POLICY_HW) {
		/* the threshold does not apply: is there a device at all? */
		ret = wd_crypto_route(s, SIZE_MAX, 0, 0, 0, &hw, &why);
		if (ret) {
			wd_crypto_session_close(s);
			return ret;
		}
		wd_queue_close(hw.q);
	}
	*sp = s;
	return 0;
}

void wd_crypto_session_close(struct wd_crypto *s)
{
	wd_crypto_dev_put(s);
	wd_devname_free(s->devnames);
	wd_crypto_wipe(s->key, s->key_len);
	free(s->key);
	free(s->done);
	pthread_mutex_destroy(&s->lock);
	wd_crypto_wipe(s, sizeof(*s));
	free(s);
}

WD_EXPORT unsigned int wd_crypto_path(const struct wd_crypto *s,
				      enum wd_reason *reason)
{
	if (reason)
		*reason = atomic_load_explicit(&s->reason,
					       memory_order_relaxed);
	return atomic_load_explicit(&s->paths, memory_order_relaxed);
}

WD_EXPORT const char *wd_crypto_device(const struct wd_crypto *s)
{
	/* only once a request has run there */
	return s && (atomic_load_explicit(&s->paths, memory_order_relaxed) &
		     WD_PATH_HW) ?
	       atomic_load_explicit(&s->device, memory_order_acquire) : NULL;
}

WD_EXPORT void wd_crypto_get_stats(const struct wd_crypto *s,
				   struct wd_stats *st)
{
	wd_counters_read(&s->cnt, st);
}

static const char *const alg_names[] = {
	[WD_CRYPTO_SHA256] = "sha256",
	[WD_CRYPTO_SHA512] = "sha512",
	[WD_CRYPTO_SHA3_256] = "sha3-256",
	[WD_CRYPTO_SM3] = "sm3",
	[WD_CRYPTO_HMAC_SHA256] = "hmac-sha256",
	[WD_CRYPTO_AES_CBC] = "aes-cbc",
	[WD_CRYPTO_AES_CTR] = "aes-ctr",
	[WD_CRYPTO_AES_XTS] = "aes-xts",
	[WD_CRYPTO_SM4_CBC] = "sm4-cbc",
	[WD_CRYPTO_AES_GCM] = "aes-gcm",
};

WD_EXPORT const char *wd_crypto_alg_name(enum wd_crypto_alg alg)
{
	if ((unsigned int)alg >= WD_ARRAY_SIZE(alg_names) || !alg_names[alg])
		return "unknown";
	return alg_names[alg];
}

WD_EXPORT size_t wd_crypto_digest_size(enum wd_crypto_alg alg)
{
	/* the API's algorithms are the device's */
	return wd_vcrypt_digest_size(alg);
}

/* Checks @r against the session's algorithm: 0 or -EINVAL, -ENOSPC. */
static int check_req(const struct wd_crypto *s, const struct wd_crypto_req *r)
{
	if ((!r->src && r->src_len) || (!r->aad && r->aad_len))
		return -EINVAL;
	switch (wd_crypto_kind(s->alg)) {
	case WD_CRYPTO_KIND_DIGEST:
		if (!r->dst)
			return -EINVAL;
		return r->dst_len < wd_crypto_digest_size(s->alg) ? -ENOSPC : 0;
	case WD_CRYPTO_KIND_CIPHER:
		if ((!r->dst && r->src_len) || !r->iv)
			return -EINVAL;
		return wd_crypto_check_cipher(s, r->dir, r->iv_len, r->src_len);
	default:
		if ((!r->dst && r->src_len) || !r->iv || !r->tag ||
		    (r->dir != WD_ENCRYPT && r->dir != WD_DECRYPT))
			return -EINVAL;
		return wd_crypto_check_aead(s, r->iv_len, r->tag_len);
	}
}

/* Runs @r on the device of @hw; 0 or -errno, *@made output bytes. */
static int exec_hw(struct wd_crypto *s, const struct wd_chw *hw,
		   struct wd_crypto_req *r, size_t *made)
{
	switch (wd_crypto_kind(s->alg)) {
	case WD_CRYPTO_KIND_DIGEST:
		*made = r->dst_len;
		return wd_chw_digest(hw, r->src, r->src_len, r->dst, made);
	case WD_CRYPTO_KIND_CIPHER:
		*made = r->src_len;
		return wd_chw_cipher(hw, r->dir, r->iv, r->src, r->src_len,
				     r->dst);
	default:
		*made = r->src_len;
		return wd_chw_aead(hw, r->dir, r->iv, r->iv_len, r->aad,
				   r->aad_len, r->src, r->src_len, r->dst,
				   r->tag, r->tag_len);
	}
}

int wd_crypto_prepare(struct wd_crypto *s, struct wd_crypto_req *r,
		      struct wd_chw *hw, enum wd_reason *why)
{
	int ret;

	memset(hw, 0, sizeof(*hw));
	r->produced = 0;
	r->path = 0;
	r->reason = WD_REASON_NONE;
	ret = check_req(s, r);
	if (!ret)
		ret = wd_crypto_route(s, r->src_len,
				      wd_crypto_kind(s->alg) ==
				      WD_CRYPTO_KIND_AEAD ? r->aad_len : 0,
				      r->iv_len, r->tag_len, hw, why);
	if (ret) {
		wd_count_error(&s->cnt);
		r->status = ret;
	}
	return ret;
}

/* Runs @r in software because of @why; its status. */
static int exec_soft(struct wd_crypto *s, struct wd_crypto_req *r,
		     enum wd_reason why)
{
	size_t made = r->src_len;
	int ret;

	switch (wd_crypto_kind(s->alg)) {
	case WD_CRYPTO_KIND_DIGEST:
		made = r->dst_len;
		ret = wd_csoft_digest(s->alg, s->key, s->key_len, r->src,
				      r->src_len, r->dst, &made);
		break;
	case WD_CRYPTO_KIND_CIPHER:
		ret = wd_csoft_cipher(s->alg, r->dir, s->key, s->key_len,
				      r->iv, r->iv_len, r->src, r->src_len,
				      r->dst);
		break;
	default:
		ret = wd_csoft_aead(r->dir, s->key, s->key_len, r->iv,
				    r->iv_len, r->aad, r->aad_len, r->src,
				    r->src_len, r->dst, r->tag, r->tag_len);
		break;
	}
	wd_crypto_note(s, WD_PATH_SW, why);
	r->path = WD_PATH_SW;
	r->reason = why;
	r->status = ret;
	if (ret) {
		wd_count_error(&s->cnt);
		return ret;
	}
	r->produced = made;
	wd_count_sw(&s->cnt, why, r->src_len + r->aad_len, made);
	return 0;
}

int wd_crypto_hw_result(struct wd_crypto *s, struct wd_crypto_req *r,
			int ret, size_t made)
{
	if (ret && wd_hw_retryable(ret) && s->policy == WD_POLICY_AUTO)
		/* the device could not finish it: software, saying why */
		return exec_soft(s, r, wd_hw_fail_reason(ret));
	/* the device's result, a wrong tag included */
	wd_crypto_note(s, WD_PATH_HW, WD_REASON_NONE);
	r->path = WD_PATH_HW;
	r->status = ret;
	if (ret) {
		wd_count_error(&s->cnt);
		return ret;
	}
	r->produced = made;
	wd_count_hw(&s->cnt, r->src_len + r->aad_len, made);
	return 0;
}

int wd_crypto_exec(struct wd_crypto *s, struct wd_crypto_req *r)
{
	enum wd_reason why;
	struct wd_chw hw;
	size_t made = 0;
	int ret;

	ret = wd_crypto_prepare(s, r, &hw, &why);
	if (ret)
		return ret;
	if (!hw.q)
		return exec_soft(s, r, why);
	ret = exec_hw(s, &hw, r, &made);
	wd_queue_close(hw.q);
	return wd_crypto_hw_result(s, r, ret, made);
}
