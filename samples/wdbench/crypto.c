// SPDX-License-Identifier: GPL-2.0
/*
 * wdbench: crypto ops.  "wd" is libwarpdrive's crypto API (one-shot
 * wd_digest(), wd_cipher(), wd_aead(); the policy is WD_POLICY's, auto by
 * default), "evp" is OpenSSL's EVP called directly in this process, the
 * anchor: a context made once and reused for every request, as an
 * application would.  The library's statistics say which path it ran
 * (device or software), so that a software figure is never taken for the
 * device's.  Keys and IVs are random per run; before any measurement
 * crypto_verify() checks one result of each op against EVP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <warpdrive/crypto.h>

#include "wdbench.h"

#define GCM_IV_LEN	12
#define GCM_TAG_LEN	16

/**
 * struct crypto_alg - one crypto op
 * @op: enum bench_op
 * @alg: enum wd_crypto_alg
 * @evp: OpenSSL's name of the digest or cipher
 * @key_len: bytes of key (0: digest; XTS: both keys)
 */
struct crypto_alg {
	enum bench_op op;
	enum wd_crypto_alg alg;
	const char *evp;
	size_t key_len;
};

static const struct crypto_alg algs[] = {
	{ OP_SHA256, WD_CRYPTO_SHA256, "SHA2-256", 0 },
	{ OP_SHA512, WD_CRYPTO_SHA512, "SHA2-512", 0 },
	{ OP_SHA3_256, WD_CRYPTO_SHA3_256, "SHA3-256", 0 },
	{ OP_SM3, WD_CRYPTO_SM3, "SM3", 0 },
	{ OP_HMAC_SHA256, WD_CRYPTO_HMAC_SHA256, "SHA2-256", 32 },
	{ OP_AES_128_CBC, WD_CRYPTO_AES_CBC, "AES-128-CBC", 16 },
	{ OP_AES_256_CTR, WD_CRYPTO_AES_CTR, "AES-256-CTR", 32 },
	{ OP_AES_256_XTS, WD_CRYPTO_AES_XTS, "AES-256-XTS", 64 },
	{ OP_SM4_CBC, WD_CRYPTO_SM4_CBC, "SM4-CBC", 16 },
	{ OP_AES_256_GCM, WD_CRYPTO_AES_GCM, "AES-256-GCM", 32 },
};

/* the run's random key and IV, the same for both engines */
static unsigned char run_key[64], run_iv[16];
static bool run_keyed;

static const struct crypto_alg *alg_of(enum bench_op op)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].op == op)
			return &algs[i];
	return NULL;
}

static int random_fill(void *p, size_t len)
{
	unsigned char *b = p;

	while (len) {
		ssize_t n = getrandom(b, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

static int run_keys(void)
{
	int ret;

	if (run_keyed)
		return 0;
	ret = random_fill(run_key, sizeof(run_key));
	if (!ret)
		ret = random_fill(run_iv, sizeof(run_iv));
	/* XTS refuses two equal halves: 2^-256 away, but said plainly */
	if (!ret && !memcmp(run_key, run_key + 32, 32))
		ret = -EAGAIN;
	run_keyed = !ret;
	return ret;
}

/* A size the op accepts: CBC whole blocks, XTS at least one block. */
static const char *size_problem(enum bench_op op, size_t size)
{
	if ((op == OP_AES_128_CBC || op == OP_SM4_CBC) && size % 16)
		return "CBC needs a multiple of 16 bytes";
	if (op == OP_AES_256_XTS && (size < 16 || size > (16u << 20)))
		return "XTS needs 16 bytes to 16 MiB";
	return NULL;
}

/**
 * struct cr_ctx - state of one crypto run
 * @w: the measurement
 * @a: its algorithm
 * @next: the next request's number, which picks its input block
 * @out: output, @w->size bytes (or a digest)
 * @tag: GCM tag
 * @s: the library's session ("wd")
 * @md: EVP digest ("evp"), with @mdctx
 * @mac: EVP HMAC, with @macctx
 * @cipher: EVP cipher, with @cctx
 * @reqs: async requests ("wd"), with @io, room for as many pointers
 */
struct cr_ctx {
	const struct work *w;
	const struct crypto_alg *a;
	uint64_t next;
	unsigned char *out;
	unsigned char tag[GCM_TAG_LEN];
	struct wd_crypto *s;
	EVP_MD *md;
	EVP_MD_CTX *mdctx;
	EVP_MAC *mac;
	EVP_MAC_CTX *macctx;
	EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *cctx;
	struct wd_crypto_req *reqs;
	struct wd_crypto_req **io;
};

static int wd_one(struct cr_ctx *c, const unsigned char *src, size_t len,
		  size_t *produced)
{
	enum wd_crypto_kind_ {
		K_DIGEST, K_CIPHER, K_AEAD
	} k = c->a->op <= OP_HMAC_SHA256 ? K_DIGEST :
	      c->a->op == OP_AES_256_GCM ? K_AEAD : K_CIPHER;
	size_t n = WD_CRYPTO_DIGEST_MAX;
	int ret;

	if (k == K_DIGEST) {
		ret = wd_digest(c->s, src, len, c->out, &n);
		*produced = n;
		return ret;
	}
	*produced = len;
	if (k == K_AEAD)
		return wd_aead(c->s, WD_ENCRYPT, run_iv, GCM_IV_LEN, NULL, 0,
			       src, len, c->out, c->tag, GCM_TAG_LEN);
	return wd_cipher(c->s, WD_ENCRYPT, run_iv, WD_CRYPTO_IV_SIZE, src,
			 len, c->out);
}

static int evp_one(struct cr_ctx *c, const unsigned char *src, size_t len,
		   size_t *produced)
{
	unsigned int mdn = 0;
	int n = 0, m = 0;

	if (c->mdctx) {
		if (!EVP_DigestInit_ex2(c->mdctx, NULL, NULL) ||
		    !EVP_DigestUpdate(c->mdctx, src, len) ||
		    !EVP_DigestFinal_ex(c->mdctx, c->out, &mdn))
			return -EIO;
		*produced = mdn;
		return 0;
	}
	if (c->macctx) {
		/* no key: HMAC keeps the one it was given */
		if (!EVP_MAC_init(c->macctx, NULL, 0, NULL) ||
		    !EVP_MAC_update(c->macctx, src, len) ||
		    !EVP_MAC_final(c->macctx, c->out, produced,
				   WD_CRYPTO_DIGEST_MAX))
			return -EIO;
		return 0;
	}
	/* the key schedule stays; a new IV per request */
	if (!EVP_EncryptInit_ex2(c->cctx, NULL, NULL, run_iv, NULL) ||
	    !EVP_EncryptUpdate(c->cctx, c->out, &n, src, (int)len) ||
	    !EVP_EncryptFinal_ex(c->cctx, c->out + n, &m))
		return -EIO;
	if (c->a->op == OP_AES_256_GCM &&
	    !EVP_CIPHER_CTX_ctrl(c->cctx, EVP_CTRL_GCM_GET_TAG, GCM_TAG_LEN,
				 c->tag))
		return -EIO;
	*produced = (size_t)(n + m);
	return 0;
}

static long cr_request(void *arg)
{
	struct cr_ctx *c = arg;
	const struct block *b = work_block(c->w, c->next++);
	size_t produced = 0;
	int ret = c->s ? wd_one(c, b->data, c->w->size, &produced) :
			 evp_one(c, b->data, c->w->size, &produced);

	return ret ? -1 : (long)produced;
}

static void cr_teardown(struct cr_ctx *c)
{
	wd_crypto_close(c->s);
	EVP_MD_CTX_free(c->mdctx);
	EVP_MD_free(c->md);
	EVP_MAC_CTX_free(c->macctx);
	EVP_MAC_free(c->mac);
	EVP_CIPHER_CTX_free(c->cctx);
	EVP_CIPHER_free(c->cipher);
	free(c->out);
	memset(c, 0, sizeof(*c));
}

/* Sets @c up for @engine; 0, or a negative errno with @why filled in. */
static int cr_setup(struct cr_ctx *c, const struct work *w,
		    const struct crypto_alg *a, bool lib, char *why,
		    size_t why_size)
{
	size_t out_len = w->size > WD_CRYPTO_DIGEST_MAX ? w->size :
			 WD_CRYPTO_DIGEST_MAX;
	int ret;

	memset(c, 0, sizeof(*c));
	c->w = w;
	c->a = a;
	c->out = malloc(out_len + 16);
	if (!c->out) {
		snprintf(why, why_size, "out of memory");
		return -ENOMEM;
	}
	memset(c->out, 0, out_len + 16);
	if (lib) {
		struct wd_crypto_params p = {
			.alg = a->alg,
			.key = a->key_len ? run_key : NULL,
			.key_len = a->key_len,
			.policy = WD_POLICY_DEFAULT,	/* WD_POLICY, else auto */
			.flags = WD_CRYPTO_F_THRESHOLD,	/* no size threshold */
		};

		const char *pol = getenv("WD_POLICY");

		ret = wd_crypto_open(&c->s, &p);
		if (ret)
			snprintf(why, why_size,
				 "libwarpdrive (WD_POLICY=%s): wd_crypto_open: %s",
				 pol && *pol ? pol : "auto", wd_strerror(ret));
		return ret;
	}
	if (a->op <= OP_SM3) {
		c->md = EVP_MD_fetch(NULL, a->evp, NULL);
		c->mdctx = c->md ? EVP_MD_CTX_new() : NULL;
		if (!c->mdctx || !EVP_DigestInit_ex2(c->mdctx, c->md, NULL))
			goto no_evp;
	} else if (a->op == OP_HMAC_SHA256) {
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
							 (char *)a->evp, 0),
			OSSL_PARAM_construct_end()
		};

		c->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		c->macctx = c->mac ? EVP_MAC_CTX_new(c->mac) : NULL;
		if (!c->macctx || !EVP_MAC_init(c->macctx, run_key, a->key_len,
						params))
			goto no_evp;
	} else {
		c->cipher = EVP_CIPHER_fetch(NULL, a->evp, NULL);
		c->cctx = c->cipher ? EVP_CIPHER_CTX_new() : NULL;
		if (!c->cctx ||
		    !EVP_EncryptInit_ex2(c->cctx, c->cipher, NULL, NULL, NULL) ||
		    (a->op == OP_AES_256_GCM &&
		     !EVP_CIPHER_CTX_ctrl(c->cctx, EVP_CTRL_GCM_SET_IVLEN,
					  GCM_IV_LEN, NULL)) ||
		    !EVP_EncryptInit_ex2(c->cctx, NULL, run_key, run_iv, NULL) ||
		    !EVP_CIPHER_CTX_set_padding(c->cctx, 0))
			goto no_evp;
	}
	return 0;
no_evp:
	snprintf(why, why_size, "OpenSSL has no %s here", a->evp);
	return -EOPNOTSUPP;
}

bool crypto_op(enum bench_op op)
{
	return alg_of(op) != NULL;
}

int crypto_verify(enum bench_op op, size_t size, char *why, size_t why_size)
{
	const struct crypto_alg *a = alg_of(op);
	struct work w = { .op = op, .size = size, .seconds = 0 };
	struct cr_ctx lib, evp;
	struct block blk;
	unsigned char *data;
	size_t pl = 0, pe = 0;
	const char *bad;
	int ret;

	if (!a) {
		snprintf(why, why_size, "not a crypto op");
		return -EINVAL;
	}
	bad = size_problem(op, size);
	if (bad) {
		snprintf(why, why_size, "%zu bytes: %s", size, bad);
		return -EINVAL;
	}
	ret = run_keys();
	if (ret) {
		snprintf(why, why_size, "random key: %s", strerror(-ret));
		return ret;
	}
	data = malloc(size ? size : 1);
	if (!data || random_fill(data, size)) {
		free(data);
		snprintf(why, why_size, "random input: out of memory");
		return -ENOMEM;
	}
	blk.data = data;
	w.blocks = &blk;
	w.nblocks = 1;
	ret = cr_setup(&evp, &w, a, false, why, why_size);
	if (!ret) {
		ret = cr_setup(&lib, &w, a, true, why, why_size);
		if (ret) {
			cr_teardown(&evp);
			goto out;
		}
	} else {
		goto out;
	}
	ret = evp_one(&evp, data, size, &pe);
	if (ret) {
		snprintf(why, why_size, "EVP %s failed", a->evp);
		goto done;
	}
	ret = wd_one(&lib, data, size, &pl);
	if (ret) {
		snprintf(why, why_size, "libwarpdrive: %s", wd_strerror(ret));
		goto done;
	}
	if (pl != pe || memcmp(lib.out, evp.out, pe) ||
	    (op == OP_AES_256_GCM && memcmp(lib.tag, evp.tag, GCM_TAG_LEN))) {
		snprintf(why, why_size,
			 "libwarpdrive's result differs from EVP %s", a->evp);
		ret = -EBADMSG;
	}
done:
	cr_teardown(&lib);
	cr_teardown(&evp);
out:
	free(data);
	return ret;
}

/* Sets @c up for @w; 0, or -1 with @r's note saying why. */
static int cr_prepare(const struct work *w, struct result *r,
		      struct cr_ctx *c)
{
	const struct crypto_alg *a = alg_of(w->op);
	bool lib = !strcmp(w->engine, "wd");
	const char *bad;

	memset(c, 0, sizeof(*c));
	if (!a || (!lib && strcmp(w->engine, "evp"))) {
		snprintf(r->note, sizeof(r->note), "%s cannot do %s",
			 w->engine, op_name(w->op));
		return -1;
	}
	bad = size_problem(w->op, w->size);
	if (bad) {
		snprintf(r->note, sizeof(r->note), "%s", bad);
		return -1;
	}
	if (run_keys()) {
		snprintf(r->note, sizeof(r->note), "no random key");
		return -1;
	}
	if (cr_setup(c, w, a, lib, r->note, sizeof(r->note))) {
		cr_teardown(c);
		return -1;
	}
	return 0;
}

/* The library's statistics into @r: which path its requests took. */
static void cr_finish(struct cr_ctx *c, struct result *r)
{
	if (c->s) {
		struct wd_stats st;
		uint64_t most = 0;

		wd_crypto_get_stats(c->s, &st);
		r->hw_requests = st.hw_requests;
		r->sw_requests = st.sw_requests;
		if (st.hw_requests + st.sw_requests)
			r->hw_share = (double)st.hw_requests /
				      (double)(st.hw_requests + st.sw_requests);
		for (int i = 0; i < WD_REASON_NR; i++)
			if (st.sw_reason[i] > most) {
				most = st.sw_reason[i];
				r->sw_reason = wd_reason_name(i);
			}
	}
	cr_teardown(c);
}

static void cr_async(const struct work *w, struct cr_ctx *c,
		     struct result *r);
void crypto_run(const struct work *w, struct result *r)
{
	struct cr_ctx c;

	if (cr_prepare(w, r, &c))
		return;
	if (w->mode == MODE_ASYNC && c.s)
		cr_async(w, &c, r);
	else
		run_sync(w, cr_request, &c, r);
	cr_finish(&c, r);
}

/* async mode (run_inflight()): struct wd_crypto_req, c->reqs[i] */
static void *cr_req(void *arg, unsigned int i)
{
	return &((struct cr_ctx *)arg)->reqs[i];
}

/* the request's next input is the next block; its output stays */
static void *cr_complete(void *arg, int i, int *status, size_t *produced)
{
	struct cr_ctx *c = arg;
	struct wd_crypto_req *q = c->io[i];

	*status = q->status;
	*produced = q->produced;
	q->src = work_block(c->w, c->next++)->data;
	return q;
}

static int cr_poll(void *arg, unsigned int max)
{
	struct cr_ctx *c = arg;

	return wd_crypto_poll(c->s, c->io, max, 1, -1);
}

static int cr_submit(void *arg, void *const *reqs, unsigned int n)
{
	struct cr_ctx *c = arg;

	for (unsigned int i = 0; i < n; i++)
		c->io[i] = reqs[i];
	return wd_crypto_submit(c->s, c->io, n);
}

static const struct inflight_ops cr_inflight_ops = {
	.req = cr_req,
	.submit = cr_submit,
	.poll = cr_poll,
	.complete = cr_complete,
};

/*
 * The library in async mode: @w->depth requests kept in flight with
 * wd_crypto_submit() and wd_crypto_poll() for the whole time (no latency
 * percentiles, as for compression).
 */
static void cr_async(const struct work *w, struct cr_ctx *c,
		     struct result *r)
{
	unsigned int depth = w->depth ? w->depth : 1;
	size_t room = w->size + 64;
	unsigned char *out = malloc((size_t)depth * room);
	unsigned char *tags = calloc(depth, GCM_TAG_LEN);
	bool aead = c->a->op == OP_AES_256_GCM;
	bool digest = c->a->op <= OP_HMAC_SHA256;

	c->reqs = calloc(depth, sizeof(*c->reqs));
	c->io = calloc(depth, sizeof(*c->io));
	if (!c->reqs || !c->io || !out || !tags) {
		snprintf(r->note, sizeof(r->note), "out of memory");
		goto out;
	}
	for (unsigned int i = 0; i < depth; i++) {
		struct wd_crypto_req *q = &c->reqs[i];

		q->dir = WD_ENCRYPT;
		q->iv = digest ? NULL : run_iv;
		q->iv_len = digest ? 0 : aead ? GCM_IV_LEN : WD_CRYPTO_IV_SIZE;
		q->src = work_block(w, c->next++)->data;
		q->src_len = w->size;
		q->dst = out + (size_t)i * room;
		q->dst_len = digest ? WD_CRYPTO_DIGEST_MAX : w->size;
		q->tag = aead ? tags + (size_t)i * GCM_TAG_LEN : NULL;
		q->tag_len = aead ? GCM_TAG_LEN : 0;
	}
	run_inflight(w, &cr_inflight_ops, c, r);
out:
	free(c->reqs);
	free(c->io);
	c->reqs = NULL;
	c->io = NULL;
	free(out);
	free(tags);
}

#define PAIR_SLICES	10

/*
 * The library (@wd) and its anchor (@evp) in turns, PAIR_SLICES slices
 * each of a tenth of the time, so that both see the same machine: on a
 * busy host two measurements a second apart can differ by a factor of
 * ten, slices taken in turns by far less.
 */
void crypto_run_pair(const struct work *wd, const struct work *evp,
		     struct result *rwd, struct result *revp)
{
	struct work sw = *wd, se = *evp;
	struct lat lw = { 0 }, le = { 0 };
	struct cr_ctx cw, ce;

	if (cr_prepare(wd, rwd, &cw)) {
		crypto_run(evp, revp);
		return;
	}
	if (cr_prepare(evp, revp, &ce)) {
		cr_finish(&cw, rwd);
		crypto_run(wd, rwd);
		return;
	}
	sw.seconds = wd->seconds / PAIR_SLICES;
	se.seconds = evp->seconds / PAIR_SLICES;
	/* one request of each first, untimed, as run_sync() does */
	cr_request(&cw);
	cr_request(&ce);
	for (int k = 0; k < PAIR_SLICES; k++) {
		run_sync_part(&sw, cr_request, &cw, rwd, &lw);
		if (!rwd->ok)
			break;
		run_sync_part(&se, cr_request, &ce, revp, &le);
		if (!revp->ok)
			break;
	}
	lat_finish(&lw, rwd);
	lat_finish(&le, revp);
	cr_finish(&cw, rwd);
	cr_finish(&ce, revp);
}
