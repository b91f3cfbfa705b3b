// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vcrypt: the engine's crypto, on the kernel crypto API.
 *
 * Each engine allocates, when the engines start, one synchronous transform
 * per algorithm of the device (Documentation/vcrypt.rst, "How a software
 * engine implements this") with its request and two scatterlists: the
 * request path allocates nothing.  A request keys its transform from its
 * queue's slot (crypto_*_setkey()), then runs on the pages of its ranges:
 * digests a page at a time through crypto_shash, ciphers and GCM through
 * scatterlists of the pinned pages or of the SS region.  A stream carries
 * its chain (CBC's last ciphertext block, CTR's counter and offset in the
 * keystream block) or its hash state (crypto_shash_export(); for HMAC the
 * inner hash's) in its context, never a key.
 */
#include <crypto/aead.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <kunit/visibility.h>
#include <linux/device.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vcrypt.h"

/**
 * struct vcrypt_crypto - an engine's transforms
 * @shash: digests and HMAC, by enum vcrypt_alg, NULL if not in ALGS
 * @desc: a descriptor large enough for any of @shash
 * @desc_size: bytes of @desc
 * @sk: ciphers, by enum vcrypt_alg
 * @skreq: a request of each of @sk
 * @aead: GCM
 * @areq: its request
 * @sg_src: @sg_max entries for a source
 * @sg_dst: @sg_max entries for a destination
 * @sg_max: entries of @sg_src and @sg_dst
 * @block: a block of kernel memory (CTR's keystream, empty GCM lists)
 * @sg_block: one entry over @block
 */
struct vcrypt_crypto {
	struct crypto_shash *shash[VCRYPT_ALG_NR];
	struct shash_desc *desc;
	unsigned int desc_size;
	struct crypto_skcipher *sk[VCRYPT_ALG_NR];
	struct skcipher_request *skreq[VCRYPT_ALG_NR];
	struct crypto_aead *aead;
	struct aead_request *areq;
	struct scatterlist *sg_src;
	struct scatterlist *sg_dst;
	unsigned int sg_max;
	u8 *block;
	struct scatterlist sg_block;
};

/**
 * vcrypt_algs_probe() - the algorithms this kernel can run
 * @state_max: set to the largest exported state of its digests and HMAC
 *
 * Allocates a synchronous transform of each algorithm once (which loads
 * its modules on a kernel that has them as modules).
 *
 * Return: the ALGS register value, bit (1 << alg) per algorithm.
 */
u32 vcrypt_algs_probe(u32 *state_max)
{
	u32 algs = 0;
	int alg;

	*state_max = 0;
	for (alg = 1; alg < VCRYPT_ALG_NR; alg++) {
		const struct vcrypt_alg_info *a = &vcrypt_algs[alg];
		struct crypto_shash *sh;
		struct crypto_skcipher *sk;
		struct crypto_aead *ae;

		switch (a->kind) {
		case VCRYPT_KIND_DIGEST:
		case VCRYPT_KIND_HMAC:
			sh = crypto_alloc_shash(a->tfm_name, 0, 0);
			if (IS_ERR(sh))
				break;
			if (crypto_shash_digestsize(sh) == a->out_size) {
				algs |= BIT(alg);
				*state_max = max(*state_max,
						 crypto_shash_statesize(sh));
			}
			crypto_free_shash(sh);
			break;
		case VCRYPT_KIND_CIPHER:
			sk = crypto_alloc_skcipher(a->tfm_name, 0,
						   CRYPTO_ALG_ASYNC);
			if (IS_ERR(sk))
				break;
			algs |= BIT(alg);
			crypto_free_skcipher(sk);
			break;
		case VCRYPT_KIND_AEAD:
			ae = crypto_alloc_aead(a->tfm_name, 0, CRYPTO_ALG_ASYNC);
			if (IS_ERR(ae))
				break;
			algs |= BIT(alg);
			crypto_free_aead(ae);
			break;
		}
		if (!(algs & BIT(alg)))
			pr_info("vcrypt: %s not available: its ALGS bit is clear\n",
				a->tfm_name);
	}
	return algs;
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_algs_probe);

/**
 * vcrypt_crypto_free() - free an engine's transforms
 * @c: what vcrypt_crypto_alloc() returned, or NULL
 *
 * Freeing a transform wipes its key schedule.
 */
void vcrypt_crypto_free(struct vcrypt_crypto *c)
{
	int alg;

	if (!c)
		return;
	for (alg = 0; alg < VCRYPT_ALG_NR; alg++) {
		crypto_free_shash(c->shash[alg]);
		skcipher_request_free(c->skreq[alg]);
		crypto_free_skcipher(c->sk[alg]);
	}
	aead_request_free(c->areq);
	crypto_free_aead(c->aead);
	kfree_sensitive(c->desc);
	kvfree(c->sg_src);
	kvfree(c->sg_dst);
	kfree_sensitive(c->block);
	kfree(c);
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_crypto_free);

static int vcrypt_crypto_alloc_alg(struct vcrypt_crypto *c, int alg,
				   u32 state_max)
{
	const struct vcrypt_alg_info *a = &vcrypt_algs[alg];
	struct crypto_shash *sh;
	struct crypto_skcipher *sk;
	struct crypto_aead *ae;

	switch (a->kind) {
	case VCRYPT_KIND_DIGEST:
	case VCRYPT_KIND_HMAC:
		sh = crypto_alloc_shash(a->tfm_name, 0, 0);
		if (IS_ERR(sh))
			return PTR_ERR(sh);
		/*
		 * Another implementation than the probe's (a module loaded
		 * since) must fit what the device's contexts were sized for
		 */
		if (crypto_shash_digestsize(sh) != a->out_size ||
		    crypto_shash_statesize(sh) > state_max) {
			pr_err("vcrypt: %s (%s) has a %u-byte digest and a %u-byte state, not %u and at most %u\n",
			       a->tfm_name, crypto_shash_driver_name(sh),
			       crypto_shash_digestsize(sh),
			       crypto_shash_statesize(sh), a->out_size,
			       state_max);
			crypto_free_shash(sh);
			return -EINVAL;
		}
		c->shash[alg] = sh;
		c->desc_size = max(c->desc_size, (unsigned int)
				   (sizeof(struct shash_desc) +
				    crypto_shash_descsize(sh)));
		return 0;
	case VCRYPT_KIND_CIPHER:
		sk = crypto_alloc_skcipher(a->tfm_name, 0, CRYPTO_ALG_ASYNC);
		if (IS_ERR(sk))
			return PTR_ERR(sk);
		c->sk[alg] = sk;
		c->skreq[alg] = skcipher_request_alloc(sk, GFP_KERNEL);
		if (!c->skreq[alg])
			return -ENOMEM;
		/* an engine's thread may sleep: the walk allocates as it can */
		skcipher_request_set_callback(c->skreq[alg],
					      CRYPTO_TFM_REQ_MAY_SLEEP,
					      NULL, NULL);
		return 0;
	case VCRYPT_KIND_AEAD:
		ae = crypto_alloc_aead(a->tfm_name, 0, CRYPTO_ALG_ASYNC);
		if (IS_ERR(ae))
			return PTR_ERR(ae);
		c->aead = ae;
		c->areq = aead_request_alloc(ae, GFP_KERNEL);
		if (!c->areq)
			return -ENOMEM;
		aead_request_set_callback(c->areq, CRYPTO_TFM_REQ_MAY_SLEEP,
					  NULL, NULL);
		return 0;
	}
	return 0;
}

/**
 * vcrypt_crypto_alloc() - an engine's transforms, requests, scatterlists
 * @algs: the algorithms (ALGS)
 * @state_max: the largest hash state the device's contexts hold
 * @sg_max: entries of each scatterlist (vcrypt_sg_max())
 *
 * Return: the state, or NULL (logged).
 */
struct vcrypt_crypto *vcrypt_crypto_alloc(u32 algs, u32 state_max,
					  unsigned int sg_max)
{
	struct vcrypt_crypto *c;
	int alg, ret;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;
	for (alg = 1; alg < VCRYPT_ALG_NR; alg++) {
		if (!(algs & BIT(alg)))
			continue;
		ret = vcrypt_crypto_alloc_alg(c, alg, state_max);
		if (ret) {
			pr_err("vcrypt: cannot allocate %s: %d\n",
			       vcrypt_algs[alg].tfm_name, ret);
			goto err;
		}
	}
	c->desc = kzalloc(max_t(unsigned int, c->desc_size,
				sizeof(struct shash_desc)), GFP_KERNEL);
	c->sg_max = sg_max;
	c->sg_src = kvmalloc_array(sg_max, sizeof(*c->sg_src), GFP_KERNEL);
	c->sg_dst = kvmalloc_array(sg_max, sizeof(*c->sg_dst), GFP_KERNEL);
	c->block = kzalloc(VCRYPT_BLOCK_SIZE, GFP_KERNEL);
	if (!c->desc || !c->sg_src || !c->sg_dst || !c->block)
		goto err;
	sg_init_table(c->sg_src, sg_max);
	sg_init_table(c->sg_dst, sg_max);
	sg_init_one(&c->sg_block, c->block, VCRYPT_BLOCK_SIZE);
	return c;

err:
	vcrypt_crypto_free(c);
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_crypto_alloc);

static u16 vcrypt_hw_error(struct vcrypt_engine *e, const char *what, int err)
{
	dev_warn_ratelimited(e->vdev->dev, "engine %u: %s failed: %d\n",
			     e->id, what, err);
	return VCRYPT_STS_HW_ERROR;
}

/* ---- digests and HMAC ---- */

static int vcrypt_shash_feed(struct shash_desc *desc, const struct wd_buf *src)
{
	u32 pos = 0;
	int err = 0;

	while (pos < src->len && !err) {
		u32 n;
		void *p = wd_buf_map(src, pos, &n);

		err = crypto_shash_update(desc, p, n);
		wd_buf_unmap(src, p);
		pos += n;
	}
	return err;
}

static u16 vcrypt_digest(struct vcrypt_engine *e, const struct vcrypt_slot *slot,
			 struct vcrypt_job *job, struct vcrypt_stream *st)
{
	struct vcrypt_crypto *c = e->crypto;
	struct crypto_shash *tfm = c->shash[job->alg];
	struct shash_desc *desc = c->desc;
	u8 out[VCRYPT_DIGEST_MAX];
	u16 status = VCRYPT_STS_OK;
	int err = 0;

	if (vcrypt_algs[job->alg].kind == VCRYPT_KIND_HMAC)
		err = crypto_shash_setkey(tfm, slot->key, slot->key_len);
	/* as for a cipher's: the tenant's key, no fault of the device */
	if (err) {
		dev_dbg_ratelimited(e->vdev->dev, "engine %u: HMAC key refused: %d\n",
				    e->id, err);
		return VCRYPT_STS_BAD_KEY;
	}
	desc->tfm = tfm;
	if (job->stream && !job->new_stream)
		err = crypto_shash_import(desc, st->state);
	else
		err = crypto_shash_init(desc);
	if (!err)
		err = vcrypt_shash_feed(desc, &job->src);
	if (err) {
		status = vcrypt_hw_error(e, "digest", err);
	} else if (!job->stream || job->final) {
		err = crypto_shash_final(desc, out);
		if (err) {
			status = vcrypt_hw_error(e, "digest final", err);
		} else {
			job->produced = crypto_shash_digestsize(tfm);
			wd_buf_write(&job->dst, 0, out, job->produced);
		}
	} else {
		err = crypto_shash_export(desc, st->state);
		if (err)
			status = vcrypt_hw_error(e, "digest export", err);
		st->state_len = crypto_shash_statesize(tfm);
	}
	memzero_explicit(out, sizeof(out));
	memzero_explicit(desc, c->desc_size);
	return status;
}

/* ---- ciphers ---- */

/* adds @n to the 128-bit big-endian counter block @ctr */
static void vcrypt_ctr_add(u8 *ctr, u64 n)
{
	int i;

	for (i = VCRYPT_BLOCK_SIZE - 1; i >= 0 && n; i--) {
		n += ctr[i];
		ctr[i] = n & 0xff;
		n >>= 8;
	}
}

/*
 * Runs @req over [pos, pos + len) of the job's source into its destination
 * (the same list in place).
 */
static int vcrypt_skcipher_run(struct vcrypt_crypto *c,
			       struct skcipher_request *req,
			       struct vcrypt_job *job, u32 pos, u32 len, u8 *iv)
{
	struct scatterlist *dst = c->sg_src;
	int ns, nd = 0, err;

	ns = vcrypt_sg_add(c->sg_src, 0, c->sg_max, &job->src, pos, len);
	if (ns <= 0)
		return -E2BIG;
	if (!job->inplace) {
		nd = vcrypt_sg_add(c->sg_dst, 0, c->sg_max, &job->dst, pos,
				   len);
		if (nd <= 0)
			return -E2BIG;
		dst = c->sg_dst;
		sg_mark_end(&c->sg_dst[nd - 1]);
	}
	sg_mark_end(&c->sg_src[ns - 1]);
	skcipher_request_set_crypt(req, c->sg_src, dst, len, iv);
	if (job->opcode == VCRYPT_OP_ENCRYPT)
		err = crypto_skcipher_encrypt(req);
	else
		err = crypto_skcipher_decrypt(req);
	sg_unmark_end(&c->sg_src[ns - 1]);
	if (nd)
		sg_unmark_end(&c->sg_dst[nd - 1]);
	return err;
}

/*
 * CTR from the middle of a keystream block: the first @n bytes of the
 * source XORed with bytes @off.. of the keystream of counter block @ctr.
 */
static int vcrypt_ctr_partial(struct vcrypt_crypto *c,
			      struct skcipher_request *req,
			      struct vcrypt_job *job, const u8 *ctr, u8 off,
			      u32 n)
{
	u8 iv[VCRYPT_BLOCK_SIZE], buf[VCRYPT_BLOCK_SIZE];
	int err;

	memcpy(iv, ctr, sizeof(iv));
	memset(c->block, 0, VCRYPT_BLOCK_SIZE);
	skcipher_request_set_crypt(req, &c->sg_block, &c->sg_block,
				   VCRYPT_BLOCK_SIZE, iv);
	err = crypto_skcipher_encrypt(req);
	if (!err) {
		wd_buf_read(&job->src, 0, buf, n);
		crypto_xor(buf, c->block + off, n);
		wd_buf_write(&job->dst, 0, buf, n);
	}
	memzero_explicit(buf, sizeof(buf));
	memzero_explicit(c->block, VCRYPT_BLOCK_SIZE);
	return err;
}

static u16 vcrypt_cipher(struct vcrypt_engine *e, const struct vcrypt_slot *slot,
			 struct vcrypt_job *job, struct vcrypt_stream *st)
{
	struct vcrypt_crypto *c = e->crypto;
	struct crypto_skcipher *tfm = c->sk[job->alg];
	struct skcipher_request *req = c->skreq[job->alg];
	bool ctr = job->alg == VCRYPT_ALG_AES_CTR;
	bool cbc = vcrypt_algs[job->alg].block;
	u8 iv[VCRYPT_BLOCK_SIZE], chain[VCRYPT_BLOCK_SIZE];
	u32 len = job->src.len, pos = 0;
	u8 off = 0;
	int err;

	err = crypto_skcipher_setkey(tfm, slot->key, slot->key_len);
	if (err) {
		dev_dbg_ratelimited(e->vdev->dev, "engine %u: key refused: %d\n",
				    e->id, err);
		return VCRYPT_STS_BAD_KEY;
	}
	if (job->stream && !job->new_stream) {
		memcpy(iv, st->chain, sizeof(iv));
		off = st->ctr_off;
	} else {
		memcpy(iv, job->iv, sizeof(iv));
	}
	if (ctr && off && len) {
		u32 n = min_t(u32, len, VCRYPT_BLOCK_SIZE - off);

		err = vcrypt_ctr_partial(c, req, job, iv, off, n);
		if (err)
			return vcrypt_hw_error(e, "CTR keystream", err);
		pos = n;
		off = (off + n) % VCRYPT_BLOCK_SIZE;
		if (!off)
			vcrypt_ctr_add(iv, 1);
	}
	/* CBC DECRYPT in place overwrites the block that chains on */
	if (cbc && len && job->opcode == VCRYPT_OP_DECRYPT)
		wd_buf_read(&job->src, len - VCRYPT_BLOCK_SIZE, chain,
			    sizeof(chain));
	if (len > pos) {
		u8 req_iv[VCRYPT_BLOCK_SIZE];

		memcpy(req_iv, iv, sizeof(req_iv));
		err = vcrypt_skcipher_run(c, req, job, pos, len - pos, req_iv);
		if (err)
			return vcrypt_hw_error(e, vcrypt_algs[job->alg].tfm_name,
					       err);
		if (ctr) {
			vcrypt_ctr_add(iv, (len - pos) / VCRYPT_BLOCK_SIZE);
			off = (len - pos) % VCRYPT_BLOCK_SIZE;
		}
	}
	if (cbc && len && job->opcode == VCRYPT_OP_ENCRYPT)
		wd_buf_read(&job->dst, len - VCRYPT_BLOCK_SIZE, chain,
			    sizeof(chain));
	if (job->stream) {
		/* CBC: the last ciphertext block; CTR: the counter block */
		memcpy(st->chain, cbc && len ? chain : iv, sizeof(st->chain));
		st->ctr_off = off;
		st->state_len = 0;
	}
	job->produced = len;
	return VCRYPT_STS_OK;
}

/* ---- GCM ---- */

static u16 vcrypt_gcm(struct vcrypt_engine *e, const struct vcrypt_slot *slot,
		      struct vcrypt_job *job)
{
	struct vcrypt_crypto *c = e->crypto;
	struct aead_request *req = c->areq;
	bool enc = job->opcode == VCRYPT_OP_ENCRYPT;
	u32 aad = job->aad_len;
	u32 text = job->src.len - aad - (enc ? 0 : job->tag_len);
	u32 out = enc ? text + job->tag_len : text;
	struct scatterlist *src = &c->sg_block, *dst = &c->sg_block;
	u8 iv[VCRYPT_GCM_IV];
	int ns, nd, err;

	err = crypto_aead_setkey(c->aead, slot->key, slot->key_len);
	if (err) {
		dev_dbg_ratelimited(e->vdev->dev, "engine %u: key refused: %d\n",
				    e->id, err);
		return VCRYPT_STS_BAD_KEY;
	}
	err = crypto_aead_setauthsize(c->aead, job->tag_len);
	if (err)
		return vcrypt_hw_error(e, "GCM tag length", err);

	/* the kernel's destination begins with room for the AAD: the source's */
	ns = vcrypt_sg_add(c->sg_src, 0, c->sg_max, &job->src, 0, job->src.len);
	nd = vcrypt_sg_add(c->sg_dst, 0, c->sg_max, &job->src, 0, aad);
	if (nd >= 0)
		nd = vcrypt_sg_add(c->sg_dst, nd, c->sg_max, &job->dst, 0, out);
	if (ns < 0 || nd < 0)
		return vcrypt_hw_error(e, "GCM scatterlist", -E2BIG);
	sg_init_one(&c->sg_block, c->block, 0);
	if (ns) {
		src = c->sg_src;
		sg_mark_end(&src[ns - 1]);
	}
	if (nd) {
		dst = c->sg_dst;
		sg_mark_end(&dst[nd - 1]);
	}
	memcpy(iv, job->iv, sizeof(iv));
	aead_request_set_crypt(req, src, dst, enc ? text : text + job->tag_len,
			       iv);
	aead_request_set_ad(req, aad);
	err = enc ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	if (ns)
		sg_unmark_end(&src[ns - 1]);
	if (nd)
		sg_unmark_end(&dst[nd - 1]);
	sg_init_one(&c->sg_block, c->block, VCRYPT_BLOCK_SIZE);
	if (err == -EBADMSG && !enc) {
		/* no unauthenticated plaintext is left behind */
		u32 pos = 0;

		while (pos < text) {
			u32 n;
			void *p = wd_buf_map(&job->dst, pos, &n);

			n = min(n, text - pos);
			memset(p, 0, n);
			wd_buf_unmap(&job->dst, p);
			pos += n;
		}
		return VCRYPT_STS_AUTH_FAILED;
	}
	if (err)
		return vcrypt_hw_error(e, "gcm(aes)", err);
	job->produced = out;
	return VCRYPT_STS_OK;
}

/**
 * vcrypt_crypt_run() - execute DIGEST, ENCRYPT or DECRYPT
 * @e: the engine
 * @slot: the request's key slot, checked (keyed algorithms)
 * @job: the request, its ranges mapped and checked
 * @st: its stream state (loaded, or new), NULL without a stream; updated
 *	for the context's write-back on VCRYPT_STS_OK
 *
 * Return: VCRYPT_STS_OK (@job->produced and @job->flags set),
 * VCRYPT_STS_AUTH_FAILED, VCRYPT_STS_BAD_KEY if the transform refuses the
 * key, or VCRYPT_STS_HW_ERROR.
 */
/*
 * Keys @alg's transform of @c with a constant key, so that the key
 * schedule of the request just run (derived from a tenant's slot) does not
 * outlive the request: the engine serves other tenants' queues, and the
 * slot itself may be wiped at any time after.  The key is zeros but for
 * its last byte: XTS refuses a key whose two halves are equal in FIPS
 * mode (xts_verify_key()), and would keep the tenant's.
 */
static void vcrypt_crypt_forget(struct vcrypt_crypto *c, u8 alg, u32 key_len)
{
	static const u8 zeros[VCRYPT_KEY_MAX];
	u8 key[VCRYPT_KEY_MAX] = { 0 };

	switch (vcrypt_algs[alg].kind) {
	case VCRYPT_KIND_HMAC:
		/* the longest: FIPS mode refuses keys under 14 bytes */
		crypto_shash_setkey(c->shash[alg], zeros, VCRYPT_HMAC_KEY_MAX);
		break;
	case VCRYPT_KIND_CIPHER:
		if (key_len && key_len <= sizeof(key))
			key[key_len - 1] = 1;
		crypto_skcipher_setkey(c->sk[alg], key, key_len);
		break;
	case VCRYPT_KIND_AEAD:
		crypto_aead_setkey(c->aead, zeros, key_len);
		break;
	default:
		break;
	}
}

u16 vcrypt_crypt_run(struct vcrypt_engine *e, const struct vcrypt_slot *slot,
		     struct vcrypt_job *job, struct vcrypt_stream *st)
{
	u16 status;

	switch (vcrypt_algs[job->alg].kind) {
	case VCRYPT_KIND_DIGEST:
	case VCRYPT_KIND_HMAC:
		status = vcrypt_digest(e, slot, job, st);
		break;
	case VCRYPT_KIND_CIPHER:
		status = vcrypt_cipher(e, slot, job, st);
		break;
	case VCRYPT_KIND_AEAD:
		status = vcrypt_gcm(e, slot, job);
		break;
	default:
		return vcrypt_hw_error(e, "unknown algorithm", -EINVAL);
	}
	if (slot)
		vcrypt_crypt_forget(e->crypto, job->alg, slot->key_len);
	if (status == VCRYPT_STS_OK && job->stream) {
		st->alg = job->alg;
		st->opcode = job->opcode;
		st->slot = job->slot;
		st->gen = slot->gen;
		if (job->final) {
			st->ended = true;
			job->flags |= VCRYPT_CQE_F_STREAM_END;
		}
	}
	return status;
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_crypt_run);
