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
	if (!c->q->sva && wd_queue_stale(c->q)) {
		/*
		 * In a forked child: the context is in the parent's SS
		 * region, which the child does not have (uacce maps it
		 * VM_DONTCOPY), and it is the parent's to wipe and free.
		 */
		c->p = NULL;
		return;
	}
	/* the chain value and hash state are not for the next user */
	wd_crypto_wipe(c->p, c->size);
	if (c->q->sva)
		free(c->p);
	else
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

/*
 * Builds @o's descriptor for request @r of session algorithm @o->hw.alg
 * in one piece: buffers where the device reaches them (GCM: AAD, text and
 * tag staged in one source).  -E2BIG: it needs pieces (or a temporary
 * buffer for overlapping ones), which only the synchronous calls do.
 */
static int op_build(struct wd_chw_op *o, const struct wd_crypto_req *r)
{
	const struct wd_chw *h = &o->hw;
	size_t chunk = chunk_of(h->q);
	struct vcrypt_sqe *sqe = &o->req.csqe;
	const unsigned char *in = r->src;
	unsigned char *out = r->dst;
	int op = r->dir == WD_ENCRYPT ? VCRYPT_OP_ENCRYPT : VCRYPT_OP_DECRYPT;
	size_t len = r->src_len;
	int ret;

	o->r = r;
	o->gcm = h->alg == WD_CRYPTO_AES_GCM;
	o->digest = wd_vcrypt_digest_size(h->alg) != 0;
	o->out_len = o->digest ? wd_vcrypt_digest_size(h->alg) : len;
	if (!o->gcm && (len > chunk || (!o->digest && out != in && len &&
					out < in + len && in < out + len)))
		return -E2BIG;
	if (o->gcm) {
		o->in_len = r->aad_len + len +
			    (r->dir == WD_DECRYPT ? r->tag_len : 0);
		o->out_len = len + (r->dir == WD_ENCRYPT ? r->tag_len : 0);
		if (r->iv_len != VCRYPT_GCM_IV || o->in_len > chunk ||
		    o->out_len > chunk)
			return -E2BIG;
		o->in = dev_alloc(h, o->in_len);
		o->out = dev_alloc(h, o->out_len);
		if (!o->in || !o->out)
			return -ENOMEM;
		if (r->aad_len)
			memcpy(o->in, r->aad, r->aad_len);
		if (len)
			memcpy(o->in + r->aad_len, r->src, len);
		if (r->dir == WD_DECRYPT)
			memcpy(o->in + r->aad_len + len, r->tag, r->tag_len);
		wd_count_copy(h->cnt, o->in_len);
		wd_vcrypt_prep(sqe, op, h->alg, h->slot);
		memcpy(sqe->iv, r->iv, VCRYPT_GCM_IV);
		sqe->iv_len = VCRYPT_GCM_IV;
		sqe->src = wd_queue_addr(h->q, o->in, o->in_len);
		sqe->src_len = (uint32_t)o->in_len;
		sqe->dst = wd_queue_addr(h->q, o->out, o->out_len);
		sqe->dst_len = (uint32_t)o->out_len;
		sqe->aad_len = (uint32_t)r->aad_len;
		sqe->tag_len = (uint8_t)r->tag_len;
		return 0;
	}
	ret = wd_xfer_in(h->q, in, len, &o->xs, h->cnt);
	if (ret)
		return ret;
	o->have_xs = true;
	o->inplace = !o->digest && out == in;
	if (!o->inplace) {
		ret = wd_xfer_out(h->q, out, o->out_len, &o->xd);
		if (ret)
			return ret;
		o->have_xd = true;
	}
	if (o->digest) {
		wd_vcrypt_prep(sqe, VCRYPT_OP_DIGEST, h->alg, h->slot);
	} else {
		wd_vcrypt_prep(sqe, op, h->alg, h->slot);
		memcpy(sqe->iv, r->iv, VCRYPT_CIPHER_IV);
		sqe->iv_len = VCRYPT_CIPHER_IV;
	}
	sqe->src = len ? o->xs.addr : 0;
	sqe->src_len = (uint32_t)len;
	sqe->dst = o->inplace ? o->xs.addr : o->xd.addr;
	sqe->dst_len = (uint32_t)o->out_len;
	return 0;
}

/*
 * Ends @o with status @ret (0 or the completion's errno): output copied
 * back (GCM: text and tag; on a wrong tag the caller's output zeroed),
 * copies in the SS region wiped and freed.  Returns the result.
 */
static int op_finish(struct wd_chw_op *o, int ret)
{
	const struct wd_chw *h = &o->hw;
	const struct wd_crypto_req *r = o->r;
	uint32_t made = o->req.ccqe.produced;

	if (!ret && made != o->out_len)
		ret = -EIO;	/* not what this request makes */
	o->produced = 0;
	if (o->gcm) {
		if (ret == -EBADMSG && r->src_len) {
			/* no unauthenticated plaintext leaves the library */
			memset(r->dst, 0, r->src_len);
		} else if (!ret) {
			if (r->src_len)
				memcpy(r->dst, o->out, r->src_len);
			if (r->dir == WD_ENCRYPT)
				memcpy(r->tag, o->out + r->src_len, r->tag_len);
			wd_count_copy(h->cnt, o->out_len);
			if (wd_guard_revoked(h->q))
				ret = -ENODEV;
		}
		dev_free(h, o->in, o->in_len);
		dev_free(h, o->out, o->out_len);
		o->in = o->out = NULL;
	}
	if (o->have_xs) {
		if (o->inplace && o->xs.bounce) {
			if (wd_xfer_done(h->q, &o->xs, ret ? 0 : made, h->cnt) &&
			    !ret)
				ret = -ENODEV;
		} else {
			if (o->xs.bounce)
				wd_crypto_wipe(o->xs.bounce, o->xs.len);
			wd_xfer_done(h->q, &o->xs, 0, NULL);
		}
		o->have_xs = false;
	}
	if (o->have_xd) {
		if (wd_xfer_done(h->q, &o->xd, ret ? 0 : made, h->cnt) && !ret)
			ret = -ENODEV;
		o->have_xd = false;
	}
	if (!ret)
		o->produced = made;
	return ret;
}

/* inflight.c's completion callback, in whichever thread reaps */
static void op_done(struct wd_inflight_req *req)
{
	struct wd_chw_op *o = (struct wd_chw_op *)req;
	int ret = wd_vcrypt_errno(&req->ccqe);

	if (!ret && req->ccqe.produced > req->csqe.dst_len)
		ret = -EIO;
	o->done(o, op_finish(o, ret));
}

int wd_chw_submit(struct wd_chw_op *o, const struct wd_crypto_req *r)
{
	int ret = op_build(o, r);

	if (!ret) {
		o->req.done_fn = op_done;
		ret = wd_inflight_submit_wait(o->hw.q, &o->req, o->hw.busy,
					      o->hw.cnt);
		/* not taken: the callback will not come */
		if (!ret)
			return 0;
	}
	op_finish(o, ret);
	return ret;
}

int wd_chw_aead(const struct wd_chw *h, int dir, const void *iv,
		size_t iv_len, const void *aad, size_t aad_len,
		const void *src, size_t len, void *dst, void *tag,
		size_t tag_len)
{
	struct wd_crypto_req r = {
		.dir = dir, .iv = iv, .iv_len = iv_len, .aad = aad,
		.aad_len = aad_len, .src = src, .src_len = len, .dst = dst,
		.dst_len = len, .tag = tag, .tag_len = tag_len,
	};
	struct wd_chw_op o;
	int ret;

	memset(&o, 0, sizeof(o));
	o.hw = *h;
	ret = op_build(&o, &r);
	if (!ret) {
		ret = wd_chw_run(h, &o.req.csqe, &o.req.ccqe.produced);
		/* wd_chw_run() gave only produced: that is all op_finish reads */
	}
	return op_finish(&o, ret);
}
