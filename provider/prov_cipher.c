// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * warpdrive.so: ciphers (AES-128/256 CBC, CTR and XTS, SM4-CBC) and
 * AES-128/256-GCM through libwarpdrive, with the parameters of OpenSSL's
 * default provider so that EVP callers (openssl enc, openssl speed, TLS)
 * see the same cipher.
 *
 * CBC and CTR run as library streams.  The library's CBC has no padding
 * and must end on a block boundary, so CBC's padding (PKCS#7, on by
 * default as in OpenSSL) and the partial block live here: whole blocks go
 * to the stream, up to 16 bytes wait in the context, and with padding a
 * decryption holds back its last whole block until final, as OpenSSL
 * does.  XTS takes each update as one whole data unit with the context's
 * tweak (OpenSSL's XTS does the same).  GCM is one message per request on
 * the device (Documentation/vcrypt.rst), so here one message has any
 * number of AAD updates and one data update, which runs the whole
 * message through wd_aead(); a second data update in the same message is
 * refused (WD_PROV_R_ONE_MESSAGE).  A decryption whose tag is set before
 * its data update is checked by the library at once (on a mismatch the
 * output is zeroed and final fails); one whose tag comes later gets its
 * plaintext from the keystream (a GCM encryption of the ciphertext) and
 * keeps the ciphertext, which final decrypts again with the tag, so the
 * library checks every tag.
 *
 * The key lives in the library's session, shared with the context's
 * copies (EVP_CIPHER_CTX_copy()) and wiped when the last one goes, and in
 * the context until it goes or hands over (below), wiped then; a CBC or
 * CTR stream is copied with wd_crypto_stream_dup().
 *
 * TLS 1.0-1.2: libssl gives a provider's cipher the record layer itself
 * (Documentation/libwarpdrive.rst, "OpenSSL provider"): for GCM the
 * explicit nonce, the AAD and one in-place update over
 * nonce || text || tag; for CBC the padding, and on decryption the
 * padding's and the MAC's removal in constant time, the MAC handed back.
 * A context that is asked for any of that (a parameter in tls_names[])
 * hands over: from then on it runs OpenSSL's own implementation of the
 * same cipher, from the default provider in the instance's other library
 * context (prov_sess.c), set up with the context's key, IV, direction and
 * padding, and forwards every later call to it.  Not offloaded: the
 * device runs whole messages, and TLS 1.2's records stay OpenSSL's.
 * TLS 1.3 asks for none of it and stays here.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "prov.h"

#define BLK		WD_CRYPTO_BLOCK_SIZE
#define GCM_IV_DEFAULT	12

/* What an algorithm is to EVP (OpenSSL's values) and to the library */
struct ciph_desc {
	const char *name;	/* OpenSSL's, for the TLS hand-over */
	int alg;		/* enum wd_crypto_alg */
	size_t keylen;
	size_t ivlen;		/* default */
	size_t blocksize;
	unsigned int mode;	/* EVP_CIPH_*_MODE */
	int aead;
	int custom_iv;
};

/**
 * struct ciph_ctx - a cipher operation
 * @prov: the provider instance
 * @d: the algorithm
 * @ss: session with the key, NULL before one is set; shared with copies
 * @iv: the IV, initial counter block, tweak or nonce
 * @ivlen: its length
 * @iv_set: @iv holds one; GCM: cleared by final (a nonce is for one
 *          message)
 * @enc: 1 encrypt, 0 decrypt
 * @pad: CBC: PKCS#7 padding (default on)
 * @st: CBC, CTR: the stream, opened by the first update after init
 * @finished: final ran; another update needs an init first
 * @total: CTR: bytes so far (for "num" and the updated IV)
 * @buf: CBC: input waiting for a whole block (or held back, see above)
 * @nbuf: bytes in @buf
 * @last: CBC: the last ciphertext block, the chain's next IV
 * @aad: GCM: AAD of the message so far
 * @aad_len: its length
 * @tag: GCM: encryption's tag, or decryption's expected tag
 * @taglen: GCM: @tag's length (decrypt: as set; encrypt: 16)
 * @tag_set: GCM decrypt: @tag was given
 * @data_done: GCM: the message's data update ran
 * @tag_bad: GCM decrypt: the library refused the tag
 * @ct: GCM decrypt, tag given late: the ciphertext, checked at final
 * @ct_len: its length
 * @key: the key, for the TLS hand-over; wiped at the hand-over and free
 * @keylen: its length, 0 before one is set
 * @other: after the TLS hand-over: OpenSSL's cipher, which does all
 */
struct ciph_ctx {
	const struct wd_prov *prov;
	const struct ciph_desc *d;
	struct wd_prov_sess *ss;
	unsigned char iv[WD_CRYPTO_GCM_IV_MAX];
	size_t ivlen;
	bool iv_set;
	int enc;
	int pad;
	struct wd_crypto_stream *st;
	bool finished;
	uint64_t total;
	unsigned char buf[BLK];
	size_t nbuf;
	unsigned char last[BLK];
	unsigned char *aad;
	size_t aad_len;
	unsigned char tag[WD_CRYPTO_TAG_MAX];
	size_t taglen;
	bool tag_set;
	bool data_done;
	bool tag_bad;
	unsigned char *ct;
	size_t ct_len;
	unsigned char key[64];
	size_t keylen;
	EVP_CIPHER_CTX *other;
};

static bool is_gcm(const struct ciph_ctx *c)
{
	return c->d->alg == WD_CRYPTO_AES_GCM;
}

static bool is_cbc(const struct ciph_ctx *c)
{
	return c->d->alg == WD_CRYPTO_AES_CBC || c->d->alg == WD_CRYPTO_SM4_CBC;
}

/* Forget the operation under way (not the key, IV or settings). */
static void ciph_reset(struct ciph_ctx *c)
{
	wd_crypto_stream_close(c->st);
	c->st = NULL;
	c->finished = false;
	c->total = 0;
	wd_prov_wipe(c->buf, sizeof(c->buf));
	c->nbuf = 0;
	memcpy(c->last, c->iv, BLK);
	free(c->aad);
	c->aad = NULL;
	c->aad_len = 0;
	c->data_done = false;
	c->tag_bad = false;
	free(c->ct);
	c->ct = NULL;
	c->ct_len = 0;
}

static void ciph_drop_key(struct ciph_ctx *c)
{
	wd_crypto_stream_close(c->st);
	c->st = NULL;
	wd_prov_sess_put(c->ss);
	c->ss = NULL;
}

static struct ciph_ctx *ciph_new(void *provctx, const struct ciph_desc *d)
{
	struct ciph_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->prov = provctx;
	c->d = d;
	c->ivlen = d->ivlen;
	c->pad = 1;
	c->taglen = WD_CRYPTO_TAG_MAX;
	return c;
}

static void ciph_freectx(void *vctx)
{
	struct ciph_ctx *c = vctx;

	if (!c)
		return;
	ciph_reset(c);
	ciph_drop_key(c);
	EVP_CIPHER_CTX_free(c->other);
	wd_prov_wipe(c, sizeof(*c));
	free(c);
}

static int ciph_set_key(struct ciph_ctx *c, const unsigned char *key,
			size_t keylen)
{
	if (keylen != c->d->keylen) {
		WD_PROV_ERR(c->prov, WD_PROV_R_KEY_LENGTH,
			    "%zu bytes, the cipher takes %zu", keylen,
			    c->d->keylen);
		return 0;
	}
	ciph_drop_key(c);
	wd_prov_wipe(c->key, sizeof(c->key));
	c->keylen = 0;
	if (!wd_prov_sess_open(c->prov, &c->ss, c->d->alg, key, keylen))
		return 0;
	memcpy(c->key, key, keylen);
	c->keylen = keylen;
	return 1;
}

static int ciph_set_iv(struct ciph_ctx *c, const unsigned char *iv,
		       size_t ivlen)
{
	if (is_gcm(c) ? !ivlen || ivlen > WD_CRYPTO_GCM_IV_MAX :
	    ivlen != WD_CRYPTO_IV_SIZE) {
		WD_PROV_ERR(c->prov, WD_PROV_R_IV_LENGTH,
			    "%zu bytes, the cipher takes %s", ivlen,
			    is_gcm(c) ? "1 to 128" : "16");
		return 0;
	}
	memcpy(c->iv, iv, ivlen);
	c->ivlen = ivlen;
	c->iv_set = true;
	return 1;
}

static int ciph_set_ctx_params(void *vctx, const OSSL_PARAM params[]);

static int ciph_init(void *vctx, const unsigned char *key, size_t keylen,
		     const unsigned char *iv, size_t ivlen,
		     const OSSL_PARAM params[], int enc)
{
	struct ciph_ctx *c = vctx;

	c->enc = enc;
	if (c->other)
		return EVP_CipherInit_ex2(c->other, NULL, key, iv, enc, params);
	if (iv && !ciph_set_iv(c, iv, ivlen))
		return 0;
	if (key && !ciph_set_key(c, key, keylen))
		return 0;
	ciph_reset(c);
	return ciph_set_ctx_params(c, params);
}

static int ciph_einit(void *vctx, const unsigned char *key, size_t keylen,
		      const unsigned char *iv, size_t ivlen,
		      const OSSL_PARAM params[])
{
	return ciph_init(vctx, key, keylen, iv, ivlen, params, 1);
}

static int ciph_dinit(void *vctx, const unsigned char *key, size_t keylen,
		      const unsigned char *iv, size_t ivlen,
		      const OSSL_PARAM params[])
{
	return ciph_init(vctx, key, keylen, iv, ivlen, params, 0);
}

/* ---- TLS 1.0-1.2's record layer: OpenSSL's own cipher (see the top) ---- */

/* the parameters by which libssl asks for it (ssl/t1_enc.c, ssl3_record.c) */
static const char *const tls_names[] = {
	OSSL_CIPHER_PARAM_TLS_VERSION,
	OSSL_CIPHER_PARAM_TLS_MAC_SIZE,
	OSSL_CIPHER_PARAM_TLS_MAC,
	OSSL_CIPHER_PARAM_AEAD_TLS1_AAD,
	OSSL_CIPHER_PARAM_AEAD_TLS1_AAD_PAD,
	OSSL_CIPHER_PARAM_AEAD_TLS1_IV_FIXED,
	OSSL_CIPHER_PARAM_AEAD_TLS1_GET_IV_GEN,
	OSSL_CIPHER_PARAM_AEAD_TLS1_SET_IV_INV,
	NULL
};

static bool tls_asked(const OSSL_PARAM params[])
{
	for (int i = 0; params && tls_names[i]; i++)
		if (OSSL_PARAM_locate_const(params, tls_names[i]))
			return true;
	return false;
}

/*
 * Hand @c over to OpenSSL's cipher of the same name, set up as @c is:
 * direction, GCM's IV length, key, IV, padding.  Only between messages:
 * a stream or a message under way stays here, refused.
 */
static int tls_hand_over(struct ciph_ctx *c)
{
	OSSL_PARAM ivp[2] = { OSSL_PARAM_END, OSSL_PARAM_END };
	EVP_CIPHER_CTX *o = NULL;
	EVP_CIPHER *ciph;
	size_t ivlen = c->ivlen;
	int ok;

	if (c->st || c->nbuf || c->aad_len || c->data_done || c->tag_set) {
		WD_PROV_ERR(c->prov, WD_PROV_R_PARAM,
			    "TLS record parameters in the middle of a message");
		return 0;
	}
	ciph = wd_prov_other_cipher((struct wd_prov *)c->prov, c->d->name);
	if (!ciph)
		return 0;
	if (is_gcm(c) && ivlen != c->d->ivlen)
		ivp[0] = OSSL_PARAM_construct_size_t(
				OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen);
	ok = (o = EVP_CIPHER_CTX_new()) &&
	     EVP_CipherInit_ex2(o, ciph, NULL, NULL, c->enc, ivp) &&
	     EVP_CipherInit_ex2(o, NULL, c->keylen ? c->key : NULL,
				c->iv_set ? c->iv : NULL, c->enc, NULL) &&
	     (c->pad || EVP_CIPHER_CTX_set_padding(o, 0));
	EVP_CIPHER_free(ciph);
	if (!ok) {
		EVP_CIPHER_CTX_free(o);
		WD_PROV_ERR(c->prov, WD_PROV_R_PARAM,
			    "%s of OpenSSL's default provider refused the "
			    "context's settings", c->d->name);
		return 0;
	}
	/* from now on the other cipher has the key and does all */
	ciph_reset(c);
	ciph_drop_key(c);
	wd_prov_wipe(c->key, sizeof(c->key));
	c->keylen = 0;
	c->other = o;
	return 1;
}

/* Key, IV and no final since the init: what every update needs. */
static int ciph_ready(struct ciph_ctx *c)
{
	if (!c->ss) {
		WD_PROV_ERR(c->prov, WD_PROV_R_NO_KEY, "set a key first");
		return 0;
	}
	if (!c->iv_set) {
		WD_PROV_ERR(c->prov, WD_PROV_R_IV_LENGTH, "no IV set");
		return 0;
	}
	if (c->finished) {
		WD_PROV_ERR(c->prov, WD_PROV_R_PARAM,
			    "update after final: init again first");
		return 0;
	}
	return 1;
}

/* CBC, CTR: whole blocks (CBC) or any bytes (CTR) through the stream. */
static int stream_feed(struct ciph_ctx *c, const unsigned char *in,
		       size_t n, unsigned char *out)
{
	unsigned char next[BLK];
	size_t room = n;
	int ret;

	if (!n)
		return 1;
	if (!c->st) {
		ret = wd_crypto_stream_open(&c->st, c->ss->s,
					    c->enc ? WD_ENCRYPT : WD_DECRYPT,
					    c->iv, WD_CRYPTO_IV_SIZE);
		if (ret) {
			WD_PROV_LIBERR(c->prov, "wd_crypto_stream_open", ret);
			return 0;
		}
	}
	/* decryption: the chain's next IV is the input, maybe overwritten */
	if (is_cbc(c) && !c->enc)
		memcpy(next, in + n - BLK, BLK);
	ret = wd_crypto_stream_update(c->st, in, n, out, &room);
	if (ret || room != n) {
		WD_PROV_LIBERR(c->prov, "wd_crypto_stream_update",
			       ret ? ret : -EIO);
		return 0;
	}
	if (is_cbc(c))
		memcpy(c->last, c->enc ? out + n - BLK : next, BLK);
	c->total += n;
	return 1;
}

static int cbc_update(struct ciph_ctx *c, unsigned char *out, size_t *outl,
		      size_t outsize, const unsigned char *in, size_t inl)
{
	size_t avail = c->nbuf + inl, want = avail / BLK * BLK, done = 0;
	size_t take;

	/* padded decryption keeps its last whole block for final */
	if (!c->enc && c->pad && want && want == avail)
		want -= BLK;
	if (want > outsize) {
		WD_PROV_ERR(c->prov, WD_PROV_R_OUTPUT_SIZE,
			    "%zu bytes for %zu", outsize, want);
		return 0;
	}
	if (c->nbuf && want) {
		take = BLK - c->nbuf;
		memcpy(c->buf + c->nbuf, in, take);
		in += take;
		inl -= take;
		if (!stream_feed(c, c->buf, BLK, out))
			return 0;
		c->nbuf = 0;
		done = BLK;
	}
	if (want > done) {
		if (!stream_feed(c, in, want - done, out + done))
			return 0;
		in += want - done;
		inl -= want - done;
	}
	memcpy(c->buf + c->nbuf, in, inl);
	c->nbuf += inl;
	*outl = want;
	return 1;
}

static int cbc_final(struct ciph_ctx *c, unsigned char *out, size_t *outl,
		     size_t outsize)
{
	unsigned char blk[BLK];
	unsigned int padv;
	int bad = 0;

	*outl = 0;
	if (c->enc && c->pad) {
		padv = BLK - c->nbuf;
		memset(c->buf + c->nbuf, (int)padv, padv);
		if (outsize < BLK) {
			WD_PROV_ERR(c->prov, WD_PROV_R_OUTPUT_SIZE,
				    "%zu bytes for 16", outsize);
			return 0;
		}
		if (!stream_feed(c, c->buf, BLK, out))
			return 0;
		c->nbuf = 0;
		*outl = BLK;
	} else if (!c->pad ? c->nbuf != 0 : c->nbuf != BLK) {
		WD_PROV_ERR(c->prov, WD_PROV_R_BLOCK_LENGTH,
			    "%zu bytes left over", c->nbuf);
		return 0;
	} else if (c->pad) {
		if (!stream_feed(c, c->buf, BLK, blk))
			return 0;
		c->nbuf = 0;
		padv = blk[BLK - 1];
		bad = padv < 1 || padv > BLK;
		for (unsigned int i = 0; !bad && i < padv; i++)
			bad |= blk[BLK - 1 - i] != padv;
		if (bad || outsize < BLK - padv) {
			wd_prov_wipe(blk, sizeof(blk));
			WD_PROV_ERR(c->prov, bad ? WD_PROV_R_BAD_DECRYPT :
				    WD_PROV_R_OUTPUT_SIZE, "CBC padding");
			return 0;
		}
		memcpy(out, blk, BLK - padv);
		*outl = BLK - padv;
		wd_prov_wipe(blk, sizeof(blk));
	}
	return 1;
}

/* GCM's AAD: kept until the message's data update or final. */
static int gcm_aad(struct ciph_ctx *c, const unsigned char *in, size_t inl)
{
	unsigned char *a;

	if (c->data_done) {
		WD_PROV_ERR(c->prov, WD_PROV_R_ONE_MESSAGE,
			    "AAD after the data");
		return 0;
	}
	if (!inl)
		return 1;
	a = realloc(c->aad, c->aad_len + inl);
	if (!a)
		return 0;
	memcpy(a + c->aad_len, in, inl);
	c->aad = a;
	c->aad_len += inl;
	return 1;
}

static int gcm_run(struct ciph_ctx *c, int dir, const unsigned char *in,
		   size_t len, unsigned char *out, unsigned char *tag,
		   size_t taglen)
{
	int ret = wd_aead(c->ss->s, dir, c->iv, c->ivlen, c->aad, c->aad_len, in,
			  len, out, tag, taglen);

	if (ret && ret != -EBADMSG)
		WD_PROV_LIBERR(c->prov, "wd_aead", ret);
	return ret;
}

static int gcm_data(struct ciph_ctx *c, unsigned char *out, size_t *outl,
		    size_t outsize, const unsigned char *in, size_t inl)
{
	unsigned char scratch[WD_CRYPTO_TAG_MAX];
	int ret;

	if (c->data_done) {
		WD_PROV_ERR(c->prov, WD_PROV_R_ONE_MESSAGE,
			    "a second data update of %zu bytes", inl);
		return 0;
	}
	if (outsize < inl) {
		WD_PROV_ERR(c->prov, WD_PROV_R_OUTPUT_SIZE,
			    "%zu bytes for %zu", outsize, inl);
		return 0;
	}
	if (c->enc) {
		c->taglen = WD_CRYPTO_TAG_MAX;
		ret = gcm_run(c, WD_ENCRYPT, in, inl, out, c->tag, c->taglen);
	} else if (c->tag_set) {
		ret = gcm_run(c, WD_DECRYPT, in, inl, out, c->tag, c->taglen);
		if (ret == -EBADMSG) {
			c->tag_bad = true;	/* the output is zeroed */
			ret = 0;
		}
	} else {
		/* no tag yet: the keystream now, the library's check at final */
		c->ct = malloc(inl ? inl : 1);
		if (!c->ct)
			return 0;
		memcpy(c->ct, in, inl);
		c->ct_len = inl;
		ret = gcm_run(c, WD_ENCRYPT, in, inl, out, scratch,
			      sizeof(scratch));
	}
	if (ret)
		return 0;
	c->data_done = true;
	*outl = inl;
	return 1;
}

static int gcm_final(struct ciph_ctx *c, size_t *outl)
{
	unsigned char *scratch;
	int ret = 0;

	*outl = 0;
	if (!c->enc && !c->tag_set) {
		WD_PROV_ERR(c->prov, WD_PROV_R_TAG, "decryption without a tag");
		return 0;
	}
	if (!c->data_done) {	/* AAD only: the message is empty */
		ret = gcm_run(c, c->enc ? WD_ENCRYPT : WD_DECRYPT, NULL, 0,
			      NULL, c->tag, c->taglen);
		c->tag_bad = ret == -EBADMSG;
		if (ret && !c->tag_bad)
			return 0;
	} else if (c->ct) {
		scratch = malloc(c->ct_len ? c->ct_len : 1);
		if (!scratch)
			return 0;
		ret = gcm_run(c, WD_DECRYPT, c->ct, c->ct_len, scratch, c->tag,
			      c->taglen);
		wd_prov_wipe(scratch, c->ct_len);
		free(scratch);
		c->tag_bad = ret == -EBADMSG;
		if (ret && !c->tag_bad)
			return 0;
	}
	c->data_done = true;
	if (c->tag_bad) {
		WD_PROV_ERR(c->prov, WD_PROV_R_TAG, "the tag does not match");
		return 0;
	}
	/*
	 * the nonce is used: as OpenSSL's GCM (IV_STATE_FINISHED), another
	 * message needs a new one, an init without an IV is not enough
	 */
	c->iv_set = false;
	return 1;
}

static int ciph_update(void *vctx, unsigned char *out, size_t *outl,
		       size_t outsize, const unsigned char *in, size_t inl)
{
	struct ciph_ctx *c = vctx;
	int ret, n;

	*outl = 0;
	if (c->other) {
		if (inl > INT_MAX) {
			WD_PROV_ERR(c->prov, WD_PROV_R_PARAM,
				    "%zu bytes in one TLS record", inl);
			return 0;
		}
		if (!EVP_CipherUpdate(c->other, out, &n, in, (int)inl))
			return 0;
		*outl = (size_t)n;
		return 1;
	}
	if (!ciph_ready(c))
		return 0;
	if (is_gcm(c))
		return out ? gcm_data(c, out, outl, outsize, in, inl) :
		       gcm_aad(c, in, inl);
	if (is_cbc(c))
		return cbc_update(c, out, outl, outsize, in, inl);
	if (inl > outsize) {
		WD_PROV_ERR(c->prov, WD_PROV_R_OUTPUT_SIZE,
			    "%zu bytes for %zu", outsize, inl);
		return 0;
	}
	if (c->d->alg == WD_CRYPTO_AES_CTR) {
		if (!stream_feed(c, in, inl, out))
			return 0;
		*outl = inl;
		return 1;
	}
	/* XTS: this update is one data unit */
	ret = wd_cipher(c->ss->s, c->enc ? WD_ENCRYPT : WD_DECRYPT, c->iv,
			WD_CRYPTO_IV_SIZE, in, inl, out);
	if (ret) {
		WD_PROV_LIBERR(c->prov, inl < BLK || inl > (1u << 24) ?
			       "wd_cipher: XTS takes 16 bytes to 16 MiB" :
			       "wd_cipher", ret);
		return 0;
	}
	*outl = inl;
	return 1;
}

static int ciph_final(void *vctx, unsigned char *out, size_t *outl,
		      size_t outsize)
{
	struct ciph_ctx *c = vctx;
	size_t room = 0;
	int ret = 1, lib, n;

	*outl = 0;
	if (c->other) {
		if (!EVP_CipherFinal_ex(c->other, out, &n))
			return 0;
		*outl = (size_t)n;
		return 1;
	}
	if (!ciph_ready(c))
		return 0;
	if (is_gcm(c))
		ret = gcm_final(c, outl);
	else if (is_cbc(c))
		ret = cbc_final(c, out, outl, outsize);
	if (ret && c->st) {
		lib = wd_crypto_stream_final(c->st, NULL, &room);
		if (lib) {
			WD_PROV_LIBERR(c->prov, "wd_crypto_stream_final", lib);
			ret = 0;
		}
	}
	wd_crypto_stream_close(c->st);
	c->st = NULL;
	c->finished = true;
	return ret;
}

/* EVP_Cipher(): no buffering; for GCM a NULL @in is final */
static int ciph_cipher(void *vctx, unsigned char *out, size_t *outl,
		       size_t outsize, const unsigned char *in, size_t inl)
{
	struct ciph_ctx *c = vctx;
	int n;

	if (c->other) {
		*outl = 0;
		if (inl > INT_MAX) {
			WD_PROV_ERR(c->prov, WD_PROV_R_PARAM,
				    "%zu bytes in one TLS record", inl);
			return 0;
		}
		n = EVP_Cipher(c->other, out, in, (unsigned int)inl);
		if (n < 0)
			return 0;
		*outl = (size_t)n;
		return 1;
	}
	if (is_gcm(c) && !in)
		return ciph_final(c, out, outl, outsize);
	if (is_cbc(c) && (inl % BLK || c->nbuf)) {
		WD_PROV_ERR(c->prov, WD_PROV_R_BLOCK_LENGTH, "%zu bytes", inl);
		return 0;
	}
	if (is_cbc(c)) {
		if (!ciph_ready(c))
			return 0;
		if (inl > outsize) {
			WD_PROV_ERR(c->prov, WD_PROV_R_OUTPUT_SIZE,
				    "%zu bytes for %zu", outsize, inl);
			return 0;
		}
		if (!stream_feed(c, in, inl, out))
			return 0;
		*outl = inl;
		return 1;
	}
	return ciph_update(c, out, outl, outsize, in, inl);
}

/*
 * A copy: settings, IV, the same session, a copy of the stream
 * (wd_crypto_stream_dup()) and of a GCM message's state.
 */
static void *ciph_dupctx(void *vctx)
{
	struct ciph_ctx *c = vctx, *d = ciph_new((void *)c->prov, c->d);
	int ret;

	if (!d)
		return NULL;
	memcpy(d, c, sizeof(*d));
	d->st = NULL;
	d->aad = NULL;
	d->ct = NULL;
	d->other = NULL;
	d->ss = wd_prov_sess_get(c->ss);
	if (c->other) {
		d->other = EVP_CIPHER_CTX_new();
		if (!d->other || !EVP_CIPHER_CTX_copy(d->other, c->other))
			goto fail;
	}
	if (c->st) {
		ret = wd_crypto_stream_dup(&d->st, c->st);
		if (ret) {
			WD_PROV_LIBERR(c->prov, "wd_crypto_stream_dup", ret);
			goto fail;
		}
	}
	if (c->aad_len) {
		d->aad = malloc(c->aad_len);
		if (!d->aad)
			goto fail;
		memcpy(d->aad, c->aad, c->aad_len);
	}
	if (c->ct) {
		d->ct = malloc(c->ct_len ? c->ct_len : 1);
		if (!d->ct)
			goto fail;
		memcpy(d->ct, c->ct, c->ct_len);
	}
	return d;
fail:
	d->aad_len = 0;
	d->ct_len = 0;
	ciph_freectx(d);
	return NULL;
}

/* ---- parameters, as OpenSSL's ossl_cipher_generic_* and GCM's ---- */

static const OSSL_PARAM ciph_param_types[] = {
	OSSL_PARAM_uint(OSSL_CIPHER_PARAM_MODE, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_BLOCK_SIZE, NULL),
	OSSL_PARAM_int(OSSL_CIPHER_PARAM_AEAD, NULL),
	OSSL_PARAM_int(OSSL_CIPHER_PARAM_CUSTOM_IV, NULL),
	OSSL_PARAM_int(OSSL_CIPHER_PARAM_CTS, NULL),
	OSSL_PARAM_int(OSSL_CIPHER_PARAM_TLS1_MULTIBLOCK, NULL),
	OSSL_PARAM_int(OSSL_CIPHER_PARAM_HAS_RAND_KEY, NULL),
	OSSL_PARAM_END
};

static const OSSL_PARAM *ciph_gettable_params(void *provctx)
{
	return ciph_param_types;
}

static int ciph_get_params(OSSL_PARAM params[], const struct ciph_desc *d)
{
	OSSL_PARAM *p;

	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_MODE);
	if (p && !OSSL_PARAM_set_uint(p, d->mode))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_KEYLEN);
	if (p && !OSSL_PARAM_set_size_t(p, d->keylen))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IVLEN);
	if (p && !OSSL_PARAM_set_size_t(p, d->ivlen))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_BLOCK_SIZE);
	if (p && !OSSL_PARAM_set_size_t(p, d->blocksize))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_AEAD);
	if (p && !OSSL_PARAM_set_int(p, d->aead))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_CUSTOM_IV);
	if (p && !OSSL_PARAM_set_int(p, d->custom_iv))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_CTS);
	if (p && !OSSL_PARAM_set_int(p, 0))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_TLS1_MULTIBLOCK);
	if (p && !OSSL_PARAM_set_int(p, 0))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_HAS_RAND_KEY);
	if (p && !OSSL_PARAM_set_int(p, 0))
		return 0;
	return 1;
}

static const OSSL_PARAM ciph_ctx_get_types[] = {
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, NULL),
	OSSL_PARAM_uint(OSSL_CIPHER_PARAM_PADDING, NULL),
	OSSL_PARAM_uint(OSSL_CIPHER_PARAM_NUM, NULL),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_IV, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_UPDATED_IV, NULL, 0),
	OSSL_PARAM_octet_ptr(OSSL_CIPHER_PARAM_TLS_MAC, NULL, 0),
	OSSL_PARAM_END
};

static const OSSL_PARAM gcm_ctx_get_types[] = {
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_AEAD_TAGLEN, NULL),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_IV, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_UPDATED_IV, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, NULL, 0),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_AEAD_TLS1_AAD_PAD, NULL),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_GET_IV_GEN, NULL, 0),
	OSSL_PARAM_END
};

static const OSSL_PARAM *ciph_gettable_ctx_params(void *vctx, void *provctx)
{
	struct ciph_ctx *c = vctx;

	return c && c->other ? EVP_CIPHER_CTX_gettable_params(c->other) :
	       ciph_ctx_get_types;
}

static const OSSL_PARAM *gcm_gettable_ctx_params(void *vctx, void *provctx)
{
	struct ciph_ctx *c = vctx;

	return c && c->other ? EVP_CIPHER_CTX_gettable_params(c->other) :
	       gcm_ctx_get_types;
}

/* CTR's counter block after @total bytes: @iv + total / 16, big-endian */
static void ctr_counter(const struct ciph_ctx *c, unsigned char *out)
{
	uint64_t add = c->total / BLK;
	unsigned int carry = 0;

	memcpy(out, c->iv, BLK);
	for (int i = BLK - 1; i >= 0 && (add || carry); i--) {
		unsigned int v = out[i] + (unsigned int)(add & 0xff) + carry;

		out[i] = (unsigned char)v;
		carry = v >> 8;
		add >>= 8;
	}
}

static int set_iv_param(OSSL_PARAM *p, const unsigned char *iv, size_t len)
{
	if (p->data_type == OSSL_PARAM_OCTET_PTR)
		return OSSL_PARAM_set_octet_ptr(p, iv, len);
	return OSSL_PARAM_set_octet_string(p, iv, len);
}

static int ciph_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
	struct ciph_ctx *c = vctx;
	unsigned char upd[BLK];
	OSSL_PARAM *p;

	if (!c->other && tls_asked(params) && !tls_hand_over(c))
		return 0;
	if (c->other)
		return EVP_CIPHER_CTX_get_params(c->other, params);

	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_KEYLEN);
	if (p && !OSSL_PARAM_set_size_t(p, c->d->keylen))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IVLEN);
	if (p && !OSSL_PARAM_set_size_t(p, c->ivlen))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_PADDING);
	if (p && !OSSL_PARAM_set_uint(p, (unsigned int)c->pad))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_NUM);
	if (p && !OSSL_PARAM_set_uint(p, c->d->alg == WD_CRYPTO_AES_CTR ?
				       (unsigned int)(c->total % BLK) : 0))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IV);
	if (p && !set_iv_param(p, c->iv, c->ivlen))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_UPDATED_IV);
	if (p) {
		if (is_cbc(c))
			memcpy(upd, c->last, BLK);
		else if (c->d->alg == WD_CRYPTO_AES_CTR)
			ctr_counter(c, upd);
		if (!set_iv_param(p, is_cbc(c) ||
				  c->d->alg == WD_CRYPTO_AES_CTR ? upd : c->iv,
				  c->ivlen))
			return 0;
	}
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_AEAD_TAGLEN);
	if (p && is_gcm(c) && !OSSL_PARAM_set_size_t(p, c->taglen))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_AEAD_TAG);
	if (p && is_gcm(c)) {
		/* an encryption's tag, once its message is done */
		if (!c->enc || !c->finished || !p->data_size ||
		    p->data_size > c->taglen) {
			WD_PROV_ERR(c->prov, WD_PROV_R_TAG,
				    "get the tag of a finished encryption, "
				    "1 to 16 bytes");
			return 0;
		}
		if (!OSSL_PARAM_set_octet_string(p, c->tag, p->data_size))
			return 0;
	}
	return 1;
}

static const OSSL_PARAM ciph_ctx_set_types[] = {
	OSSL_PARAM_uint(OSSL_CIPHER_PARAM_PADDING, NULL),
	OSSL_PARAM_uint(OSSL_CIPHER_PARAM_NUM, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
	OSSL_PARAM_uint(OSSL_CIPHER_PARAM_TLS_VERSION, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_TLS_MAC_SIZE, NULL),
	OSSL_PARAM_END
};

static const OSSL_PARAM gcm_ctx_set_types[] = {
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, NULL),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, NULL, 0),
	OSSL_PARAM_uint(OSSL_CIPHER_PARAM_TLS_VERSION, NULL),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_AAD, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_IV_FIXED, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_SET_IV_INV, NULL, 0),
	OSSL_PARAM_END
};

static const OSSL_PARAM *ciph_settable_ctx_params(void *vctx, void *provctx)
{
	struct ciph_ctx *c = vctx;

	return c && c->other ? EVP_CIPHER_CTX_settable_params(c->other) :
	       ciph_ctx_set_types;
}

static const OSSL_PARAM *gcm_settable_ctx_params(void *vctx, void *provctx)
{
	struct ciph_ctx *c = vctx;

	return c && c->other ? EVP_CIPHER_CTX_settable_params(c->other) :
	       gcm_ctx_set_types;
}

static int ciph_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
	struct ciph_ctx *c = vctx;
	const OSSL_PARAM *p;
	unsigned int u;
	size_t sz;

	if (!params)
		return 1;
	if (!c->other && tls_asked(params) && !tls_hand_over(c))
		return 0;
	if (c->other)
		return EVP_CIPHER_CTX_set_params(c->other, params);
	p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_PADDING);
	if (p) {
		if (!OSSL_PARAM_get_uint(p, &u))
			return 0;
		c->pad = u ? 1 : 0;
	}
	p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_NUM);
	if (p) {
		if (!OSSL_PARAM_get_uint(p, &u))
			return 0;
		if (u != (c->d->alg == WD_CRYPTO_AES_CTR ? c->total % BLK : 0)) {
			WD_PROV_ERR(c->prov, WD_PROV_R_PARAM,
				    "num %u: the library keeps the position", u);
			return 0;
		}
	}
	p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_KEYLEN);
	if (p) {
		if (!OSSL_PARAM_get_size_t(p, &sz))
			return 0;
		if (sz != c->d->keylen) {
			WD_PROV_ERR(c->prov, WD_PROV_R_KEY_LENGTH,
				    "%zu bytes, the cipher takes %zu", sz,
				    c->d->keylen);
			return 0;
		}
	}
	if (!is_gcm(c))
		return 1;
	p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_AEAD_IVLEN);
	if (p) {
		if (!OSSL_PARAM_get_size_t(p, &sz))
			return 0;
		if (!sz || sz > WD_CRYPTO_GCM_IV_MAX) {
			WD_PROV_ERR(c->prov, WD_PROV_R_IV_LENGTH,
				    "%zu bytes, GCM takes 1 to 128", sz);
			return 0;
		}
		c->ivlen = sz;
		c->iv_set = false;
	}
	p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_AEAD_TAG);
	if (p) {
		if (p->data_type != OSSL_PARAM_OCTET_STRING)
			return 0;
		sz = p->data_size;
		/* the lengths of NIST SP 800-38D, which the library takes */
		if (sz != 4 && sz != 8 && (sz < 12 || sz > WD_CRYPTO_TAG_MAX)) {
			WD_PROV_ERR(c->prov, WD_PROV_R_TAG,
				    "%zu bytes: 4, 8 or 12 to 16", sz);
			return 0;
		}
		if (p->data) {
			if (c->enc) {
				WD_PROV_ERR(c->prov, WD_PROV_R_TAG,
					    "a tag given to an encryption");
				return 0;
			}
			memcpy(c->tag, p->data, sz);
			c->tag_set = true;
		}
		c->taglen = sz;
	}
	return 1;
}

#define CIPH_FUNCS(name, kind, ...)				\
static const struct ciph_desc name##_desc = { __VA_ARGS__ };		\
static void *name##_newctx(void *provctx)				\
{									\
	return ciph_new(provctx, &name##_desc);				\
}									\
static int name##_get_params(OSSL_PARAM params[])			\
{									\
	return ciph_get_params(params, &name##_desc);			\
}									\
static const OSSL_DISPATCH name##_functions[] = {			\
	{ OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))name##_newctx },	\
	{ OSSL_FUNC_CIPHER_FREECTX, (void (*)(void))ciph_freectx },	\
	{ OSSL_FUNC_CIPHER_DUPCTX, (void (*)(void))ciph_dupctx },	\
	{ OSSL_FUNC_CIPHER_ENCRYPT_INIT, (void (*)(void))ciph_einit },	\
	{ OSSL_FUNC_CIPHER_DECRYPT_INIT, (void (*)(void))ciph_dinit },	\
	{ OSSL_FUNC_CIPHER_UPDATE, (void (*)(void))ciph_update },	\
	{ OSSL_FUNC_CIPHER_FINAL, (void (*)(void))ciph_final },		\
	{ OSSL_FUNC_CIPHER_CIPHER, (void (*)(void))ciph_cipher },	\
	{ OSSL_FUNC_CIPHER_GET_PARAMS, (void (*)(void))name##_get_params }, \
	{ OSSL_FUNC_CIPHER_GETTABLE_PARAMS,				\
	  (void (*)(void))ciph_gettable_params },			\
	{ OSSL_FUNC_CIPHER_GET_CTX_PARAMS,				\
	  (void (*)(void))ciph_get_ctx_params },			\
	{ OSSL_FUNC_CIPHER_GETTABLE_CTX_PARAMS,				\
	  (void (*)(void))kind##_gettable_ctx_params },			\
	{ OSSL_FUNC_CIPHER_SET_CTX_PARAMS,				\
	  (void (*)(void))ciph_set_ctx_params },			\
	{ OSSL_FUNC_CIPHER_SETTABLE_CTX_PARAMS,				\
	  (void (*)(void))kind##_settable_ctx_params },			\
	{ 0, NULL }							\
}

/* name, alg, keylen, ivlen, blocksize, mode, aead, custom_iv: OpenSSL's */
CIPH_FUNCS(aes128cbc, ciph, "AES-128-CBC", WD_CRYPTO_AES_CBC, 16, 16, 16,
	   EVP_CIPH_CBC_MODE, 0, 0);
CIPH_FUNCS(aes256cbc, ciph, "AES-256-CBC", WD_CRYPTO_AES_CBC, 32, 16, 16,
	   EVP_CIPH_CBC_MODE, 0, 0);
CIPH_FUNCS(aes128ctr, ciph, "AES-128-CTR", WD_CRYPTO_AES_CTR, 16, 16, 1,
	   EVP_CIPH_CTR_MODE, 0, 0);
CIPH_FUNCS(aes256ctr, ciph, "AES-256-CTR", WD_CRYPTO_AES_CTR, 32, 16, 1,
	   EVP_CIPH_CTR_MODE, 0, 0);
CIPH_FUNCS(aes128xts, ciph, "AES-128-XTS", WD_CRYPTO_AES_XTS, 32, 16, 1,
	   EVP_CIPH_XTS_MODE, 0, 1);
CIPH_FUNCS(aes256xts, ciph, "AES-256-XTS", WD_CRYPTO_AES_XTS, 64, 16, 1,
	   EVP_CIPH_XTS_MODE, 0, 1);
CIPH_FUNCS(sm4cbc, ciph, "SM4-CBC", WD_CRYPTO_SM4_CBC, 16, 16, 16,
	   EVP_CIPH_CBC_MODE, 0, 0);
CIPH_FUNCS(aes128gcm, gcm, "AES-128-GCM", WD_CRYPTO_AES_GCM, 16, GCM_IV_DEFAULT, 1,
	   EVP_CIPH_GCM_MODE, 1, 1);
CIPH_FUNCS(aes256gcm, gcm, "AES-256-GCM", WD_CRYPTO_AES_GCM, 32, GCM_IV_DEFAULT, 1,
	   EVP_CIPH_GCM_MODE, 1, 1);

/* the names and OIDs of OpenSSL's default provider */
const OSSL_ALGORITHM wd_prov_ciphers[] = {
	{ "AES-128-CBC:AES128:2.16.840.1.101.3.4.1.2", WD_PROV_PROPS,
	  aes128cbc_functions, NULL },
	{ "AES-256-CBC:AES256:2.16.840.1.101.3.4.1.42", WD_PROV_PROPS,
	  aes256cbc_functions, NULL },
	{ "AES-128-CTR", WD_PROV_PROPS, aes128ctr_functions, NULL },
	{ "AES-256-CTR", WD_PROV_PROPS, aes256ctr_functions, NULL },
	{ "AES-128-XTS:1.3.111.2.1619.0.1.1", WD_PROV_PROPS,
	  aes128xts_functions, NULL },
	{ "AES-256-XTS:1.3.111.2.1619.0.1.2", WD_PROV_PROPS,
	  aes256xts_functions, NULL },
	{ "SM4-CBC:SM4:1.2.156.10197.1.104.2", WD_PROV_PROPS,
	  sm4cbc_functions, NULL },
	{ "AES-128-GCM:id-aes128-GCM:2.16.840.1.101.3.4.1.6", WD_PROV_PROPS,
	  aes128gcm_functions, NULL },
	{ "AES-256-GCM:id-aes256-GCM:2.16.840.1.101.3.4.1.46", WD_PROV_PROPS,
	  aes256gcm_functions, NULL },
	{ NULL, NULL, NULL, NULL }
};
