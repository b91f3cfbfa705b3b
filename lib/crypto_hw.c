// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: crypto requests on a vcrypt queue (Documentation/vcrypt.rst).
 * Whole-buffer digests, ciphers and AES-GCM, and the requests of a stream
 * on a sealed stream context, built as descriptors of vcrypt.c and run
 * through the queue layers compression uses: inflight.c (slots, waiting),
 * xfer.c (the SS region's copies when the device has no SVA).
 *
 * A buffer larger than one request (the device's MAX_LEN, or without SVA
 * a quarter of the SS region, so that a request's copies take at most
 * half of it) runs in pieces: CBC and CTR chain their IV or counter from
 * one piece to the next, a digest runs as a stream; XTS and GCM cannot
 * be split (wd_chw_can() says so first).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_priv.h"
#include "guard.h"
#include "mem.h"
#include "vcrypt.h"
#include "xfer.h"

/* Bytes of one request on @q, a multiple of the block. */
static size_t chunk_of(const struct wd_queue *q)
{
	size_t n = q->info.max_len;

	if (!q->sva)
		n = WD_MIN(n, q->ss_size / 4);
	return n & ~(size_t)(VCRYPT_BLOCK_SIZE - 1);
}

int wd_chw_run(const struct wd_chw *h, const struct vcrypt_sqe *sqe,
	       uint32_t *produced)
{
	struct wd_inflight_req op;
	int ret;

	memset(&op, 0, sizeof(op));
	op.csqe = *sqe;
	ret = wd_inflight_submit_wait(h->q, &op, h->busy, h->cnt);
	if (!ret)
		ret = wd_inflight_wait_op(h->q, &op, h->busy, h->cnt);
	if (!ret)
		ret = wd_vcrypt_errno(&op.ccqe);
	if (!ret && op.ccqe.produced > sqe->dst_len)
		ret = -EIO;	/* the device wrote past what we gave it */
	if (!ret && produced)
		*produced = op.ccqe.produced;
	return ret;
}

bool wd_chw_can(const struct wd_chw *h, int alg, size_t len, size_t aad_len,
		size_t iv_len, size_t tag_len)
{
	size_t chunk = chunk_of(h->q);

	if (!wd_vcrypt_has_alg(h->q, alg) || !chunk)
		return false;
	switch (alg) {
	case WD_CRYPTO_AES_CBC:
	case WD_CRYPTO_AES_CTR:
	case WD_CRYPTO_SM4_CBC:
		return true;	/* any length, in pieces */
	case WD_CRYPTO_AES_XTS:
		return len <= chunk;
	case WD_CRYPTO_AES_GCM:
		/* one request: AAD, text and tag in one source */
		return iv_len == VCRYPT_GCM_IV &&
		       aad_len + len + tag_len <= chunk;
	default:	/* digests: larger ones run as a stream */
		return len <= chunk || wd_vcrypt_ctx_size(h->q);
	}
}

/* ---- stream contexts ---- */

int wd_chw_ctx_alloc(const struct wd_chw *h, struct wd_chw_ctx *c)
{
	size_t size = wd_vcrypt_ctx_size(h->q);

	memset(c, 0, sizeof(*c));
	if (!size)
		return -EOPNOTSUPP;
	if (h->q->sva) {
		c->p = aligned_alloc(VCRYPT_CTX_ALIGN,
				     (size + VCRYPT_CTX_ALIGN - 1) &
				     ~(size_t)(VCRYPT_CTX_ALIGN - 1));
	} else {
		/* without SVA the device reaches only the SS region */
		c->p = wd_mem_alloc(h->q->mem, size, false);
	}
	if (!c->p)
		return -ENOMEM;
	memset(c->p, 0, size);
	c->size = size;
	c->addr = wd_queue_addr(h->q, c->p, size);
	c->q = h->q;
	return 0;
}

void wd_chw_ctx_free(struct wd_chw_ctx *c)
{
	if (!c->p)
		return;
	/* the chain value and hash state are not for the next user */
	wd_crypto_wipe(c->p, c->size);
	if (c->q->sva)
		free(c->p);
	else if (!wd_queue_stale(c->q))
		wd_mem_free(c->q->mem, c->p);
	c->p = NULL;
}

int wd_chw_ctx_copy(struct wd_chw_ctx *dst, const struct wd_chw_ctx *src)
{
	memcpy(dst->p, src->p, src->size);
	return 0;
}

/*
 * One request of @len bytes from @src to @dst (@dst_len bytes of room)
 * through the SS region when needed; @dst may be @src (in place).
 */
static int run_buf(const struct wd_chw *h, struct vcrypt_sqe *sqe,
		   const void *src, size_t len, void *dst, size_t dst_len,
		   uint32_t *produced)
{
	struct wd_xfer xs, xd;
	bool inplace = dst && dst == src;
	uint32_t made = 0;
	int ret;

	ret = wd_xfer_in(h->q, src, len, &xs, h->cnt);
	if (ret)
		return ret;
	if (inplace) {
		xd = xs;
	} else if (dst || dst_len) {
		ret = wd_xfer_out(h->q, dst, dst_len, &xd);
		if (ret) {
			wd_xfer_done(h->q, &xs, 0, NULL);
			return ret;
		}
	}
	sqe->src = len ? xs.addr : 0;
	sqe->src_len = (uint32_t)len;
	if (dst || dst_len) {
		sqe->dst = xd.addr;
		sqe->dst_len = (uint32_t)dst_len;
	}
	ret = wd_chw_run(h, sqe, &made);
	if (inplace) {
		if (wd_xfer_done(h->q, &xs, ret ? 0 : made, h->cnt) && !ret)
			ret = -ENODEV;
	} else {
		wd_xfer_done(h->q, &xs, 0, NULL);
		if ((dst || dst_len) &&
		    wd_xfer_done(h->q, &xd, ret ? 0 : made, h->cnt) && !ret)
			ret = -ENODEV;
	}
	if (!ret && produced)
		*produced = made;
	return ret;
}

int wd_chw_stream(const struct wd_chw *h, struct wd_chw_ctx *c, int op,
		  unsigned int flags, const void *iv, const void *src,
		  size_t len, void *dst, size_t dst_len, size_t *produced)
{
	const unsigned char *in = src;
	unsigned char *out = dst;
	size_t chunk = chunk_of(h->q), made = 0;
	int ret = 0;

	if (!chunk)
		return -E2BIG;
	do {
		size_t n = WD_MIN(len, chunk);
		bool last = n == len;
		struct vcrypt_sqe sqe;
		uint16_t f = VCRYPT_SQE_F_STREAM;
		uint32_t got = 0;

		wd_vcrypt_prep(&sqe, op, h->alg, h->slot);
		if (flags & VCRYPT_SQE_F_NEW_STREAM) {
			f |= VCRYPT_SQE_F_NEW_STREAM;
			if (iv) {
				memcpy(sqe.iv, iv, VCRYPT_CIPHER_IV);
				sqe.iv_len = VCRYPT_CIPHER_IV;
			}
			flags &= ~VCRYPT_SQE_F_NEW_STREAM;
		}
		if (last && (flags & VCRYPT_SQE_F_FINAL))
			f |= VCRYPT_SQE_F_FINAL;
		sqe.flags = f;
		sqe.ctx = c->addr;
		if (op == VCRYPT_OP_DIGEST)
			/* only the final request writes: the digest */
			ret = run_buf(h, &sqe, in, n, (f & VCRYPT_SQE_F_FINAL) ?
				      out : NULL,
				      (f & VCRYPT_SQE_F_FINAL) ? dst_len : 0,
				      &got);
		else
			ret = run_buf(h, &sqe, in, n, n ? out : NULL, n, &got);
		if (ret)
			return ret;
		made += got;
		in += n;
		if (op != VCRYPT_OP_DIGEST && out)
			out += got;
		len -= n;
	} while (len);
	if (produced)
		*produced = made;
	return ret;
}

int wd_chw_digest(const struct wd_chw *h, const void *src, size_t len,
		  void *out, size_t *out_len)
{
	size_t size = wd_vcrypt_digest_size(h->alg);
	struct vcrypt_sqe sqe;
	struct wd_chw_ctx c;
	uint32_t made = 0;
	size_t got = 0;
	int ret;

	if (len <= chunk_of(h->q)) {
		wd_vcrypt_prep(&sqe, VCRYPT_OP_DIGEST, h->alg, h->slot);
		ret = run_buf(h, &sqe, src, len, out, size, &made);
		got = made;
	} else {
		ret = wd_chw_ctx_alloc(h, &c);
		if (ret)
			return ret == -EOPNOTSUPP ? -E2BIG : ret;
		ret = wd_chw_stream(h, &c, VCRYPT_OP_DIGEST,
				    VCRYPT_SQE_F_NEW_STREAM | VCRYPT_SQE_F_FINAL,
				    NULL, src, len, out, size, &got);
		wd_chw_ctx_free(&c);
	}
	if (!ret && got != size)
		ret = -EIO;
	if (!ret)
		*out_len = got;
	return ret;
}

/* The 128-bit big-endian counter block @ctr advanced by @blocks. */
static void ctr_add(unsigned char *ctr, uint64_t blocks)
{
	for (int i = VCRYPT_CIPHER_IV - 1; i >= 0 && blocks; i--) {
		uint64_t v = ctr[i] + (blocks & 0xff);

		ctr[i] = (unsigned char)v;
		blocks = (blocks >> 8) + (v >> 8);
	}
}

int wd_chw_cipher(const struct wd_chw *h, int dir, const void *iv,
		  const void *src, size_t len, void *dst)
{
	int op = dir == WD_ENCRYPT ? VCRYPT_OP_ENCRYPT : VCRYPT_OP_DECRYPT;
	const unsigned char *in = src;
	unsigned char *out = dst, *tmp = NULL;
	unsigned char chain[VCRYPT_CIPHER_IV], next[VCRYPT_CIPHER_IV];
	size_t chunk = chunk_of(h->q), off = 0;
	bool cbc = h->alg == WD_CRYPTO_AES_CBC || h->alg == WD_CRYPTO_SM4_CBC;
	int ret = 0;

	if (!chunk || (h->alg == WD_CRYPTO_AES_XTS && len > chunk))
		return -E2BIG;
	/* the device takes in place, but no other overlap */
	if (dst != src && len && out < in + len && in < out + len) {
		tmp = malloc(len);
		if (!tmp)
			return -ENOMEM;
		out = tmp;
	}
	memcpy(chain, iv, VCRYPT_CIPHER_IV);
	while (off < len) {
		size_t n = WD_MIN(len - off, chunk);
		struct vcrypt_sqe sqe;

		if (cbc && dir == WD_DECRYPT)
			memcpy(next, in + off + n - VCRYPT_BLOCK_SIZE,
			       VCRYPT_BLOCK_SIZE);
		wd_vcrypt_prep(&sqe, op, h->alg, h->slot);
		memcpy(sqe.iv, chain, VCRYPT_CIPHER_IV);
		sqe.iv_len = VCRYPT_CIPHER_IV;
		ret = run_buf(h, &sqe, in + off, n, out + off, n, NULL);
		if (ret)
			break;
		if (cbc)
			memcpy(chain, dir == WD_DECRYPT ? next :
			       out + off + n - VCRYPT_BLOCK_SIZE,
			       VCRYPT_BLOCK_SIZE);
		else if (h->alg == WD_CRYPTO_AES_CTR)
			ctr_add(chain, n / VCRYPT_BLOCK_SIZE);
		off += n;
	}
	if (tmp) {
		if (!ret)
			memcpy(dst, tmp, len);
		wd_crypto_wipe(tmp, len);
		free(tmp);
	}
	wd_crypto_wipe(chain, sizeof(chain));
	return ret;
}

/* Memory the device reaches for @len bytes: process memory or SS. */
static void *dev_alloc(const struct wd_chw *h, size_t len)
{
	return h->q->sva ? malloc(len ? len : 1) :
	       wd_mem_alloc(h->q->mem, len ? len : 1, false);
}

static void dev_free(const struct wd_chw *h, void *p, size_t len)
{
	if (!p)
		return;
	wd_crypto_wipe(p, len);
	if (h->q->sva)
		free(p);
	else
		wd_mem_free(h->q->mem, p);
}

int wd_chw_aead(const struct wd_chw *h, int dir, const void *iv,
		size_t iv_len, const void *aad, size_t aad_len,
		const void *src, size_t len, void *dst, void *tag,
		size_t tag_len)
{
	size_t in_len = aad_len + len + (dir == WD_DECRYPT ? tag_len : 0);
	size_t out_len = len + (dir == WD_ENCRYPT ? tag_len : 0);
	unsigned char *in, *out;
	struct vcrypt_sqe sqe;
	uint32_t made = 0;
	int ret;

	if (iv_len != VCRYPT_GCM_IV || aad_len + len + tag_len > chunk_of(h->q))
		return -E2BIG;
	/* the device's source is AAD, text (and tag) in one buffer */
	in = dev_alloc(h, in_len);
	out = dev_alloc(h, out_len);
	if (!in || !out) {
		ret = -ENOMEM;
		goto out;
	}
	if (aad_len)
		memcpy(in, aad, aad_len);
	if (len)
		memcpy(in + aad_len, src, len);
	if (dir == WD_DECRYPT)
		memcpy(in + aad_len + len, tag, tag_len);
	wd_count_copy(h->cnt, in_len);
	wd_vcrypt_prep(&sqe, dir == WD_ENCRYPT ? VCRYPT_OP_ENCRYPT :
		       VCRYPT_OP_DECRYPT, h->alg, h->slot);
	memcpy(sqe.iv, iv, VCRYPT_GCM_IV);
	sqe.iv_len = VCRYPT_GCM_IV;
	sqe.src = wd_queue_addr(h->q, in, in_len);
	sqe.src_len = (uint32_t)in_len;
	sqe.dst = wd_queue_addr(h->q, out, out_len);
	sqe.dst_len = (uint32_t)out_len;
	sqe.aad_len = (uint32_t)aad_len;
	sqe.tag_len = (uint8_t)tag_len;
	ret = wd_chw_run(h, &sqe, &made);
	if (!ret && made != out_len)
		ret = -EIO;
	if (ret == -EBADMSG && len) {
		/* no unauthenticated plaintext leaves the library */
		memset(dst, 0, len);
	} else if (!ret) {
		if (len)
			memcpy(dst, out, len);
		if (dir == WD_ENCRYPT)
			memcpy(tag, out + len, tag_len);
		wd_count_copy(h->cnt, out_len);
		if (wd_guard_revoked(h->q))
			ret = -ENODEV;
	}
out:
	dev_free(h, in, in_len);
	dev_free(h, out, out_len);
	return ret;
}
