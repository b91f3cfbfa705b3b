// SPDX-License-Identifier: GPL-2.0
/*
 * libwarpdrive's crypto API against OpenSSL's own EVP test vectors.
 *
 *   crypto_evp_test DIR [--expect REASON]
 *   crypto_evp_test DIR --provider MODULE_DIR
 *   crypto_evp_test --expect-enodev
 *
 * Reads every *.txt file of DIR (a copy of OpenSSL's
 * test/recipes/30-test_evp_data/ files, see its README.md) and runs each
 * stanza whose algorithm <warpdrive/crypto.h> covers through the library:
 * one-shot, as async requests (polled and with a callback), and as a
 * stream in uneven pieces where the algorithm has streams, byte for byte
 * against the file (a digest's stream copied half-way with
 * wd_crypto_stream_dup() finishes right too).  GCM decryption is run again
 * with a corrupted tag, which must be refused with -EBADMSG and a zeroed
 * output; stanzas with "Result = ..." must fail.  For CBC and CTR the
 * stream is carried one block past the text and compared with a one-shot
 * request from NextIV, which checks the chain state the file gives.
 *
 * Stanzas of algorithms we do not cover are "not ours" and listed by
 * name; "Availablein = fips" stanzas are for OpenSSL's FIPS provider and
 * are listed as such ("FIPSversion" only constrains the FIPS provider, so
 * those stanzas run).  A covered stanza that does not run (a field we do
 * not know) fails the test.  Every request must report the software path
 * with REASON (default: that of the environment's policy: "policy" for
 * WD_POLICY=sw, else "no-device").  REASON "hw" asks for the device path
 * instead (WD_POLICY=hw on a vcrypt device): every request of a stanza
 * must report WD_PATH_HW and nothing else, except GCM with a nonce other
 * than the device's 12 bytes, which policy hw must refuse with
 * -EOPNOTSUPP (counted apart as "refused by the device").  With
 * EXPECT_STANZAS=N in the environment, the stanzas run (and refused) must
 * be N: the host's count, so that the device skipped none.  With
 * --provider under WD_POLICY=hw the same holds through the provider: the
 * counters that must grow are the device's, and GCM with another nonce
 * length must fail in EVP without a request run anywhere.
 *
 * --provider MODULE_DIR: the same stanzas through EVP instead, with every
 * algorithm fetched with "provider=warpdrive" from the OpenSSL provider
 * warpdrive.so in MODULE_DIR (loaded beside OpenSSL's default provider):
 * the fetched algorithm must name warpdrive as its provider, digests run
 * one-shot and in uneven pieces, ciphers in pieces, GCM decryption with
 * its tag set before and after the data, and the library's process
 * counters (wd_get_stats()) must grow with every stanza, which proves the
 * provider ran through libwarpdrive.  Then bad input, each refused with
 * the provider's one-line reason: a key or IV of the wrong length, a CBC
 * text not a multiple of the block without padding, an XTS unit shorter
 * than a block, a second GCM data update; HMAC-SHA1 (OpenSSL's default
 * provider's, run by ours, not offloaded); a digest context copied
 * mid-stream, both copies right.
 *
 * --expect-enodev: under WD_POLICY=hw without a vcrypt device, every
 * algorithm's session must fail to open with -ENODEV.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <warpdrive/crypto.h>

#include "evp_reader.h"

static bool prov_mode;
static void prov_digest(const struct evp_stanza *st, int alg,
			const char *name, const unsigned char *msg, size_t len,
			const unsigned char *want, size_t want_len,
			const unsigned char *key, size_t key_len);
static void prov_cipher(const struct evp_stanza *st, int alg,
			const char *name, const unsigned char *key,
			size_t klen, const unsigned char *iv, size_t iv_len,
			const unsigned char *aad, size_t aad_len,
			const unsigned char *tag, size_t tag_len,
			const unsigned char *pt, const unsigned char *ct,
			size_t len, const char *op, bool must_fail);

#define MAX_NAMES	128

struct tally {
	char name[64];
	int n;
};

static struct tally ran[MAX_NAMES], notours[MAX_NAMES], fips[MAX_NAMES];
static struct tally refused[MAX_NAMES];
static int failures, total_ran, total_refused, covered_not_run;
static const char *expect_reason;
static bool expect_hw;

static void count(struct tally *t, const char *name)
{
	int i;

	for (i = 0; i < MAX_NAMES && t[i].name[0]; i++)
		if (!strcasecmp(t[i].name, name))
			break;
	if (i == MAX_NAMES)
		return;
	if (!t[i].name[0])
		snprintf(t[i].name, sizeof(t[i].name), "%s", name);
	t[i].n++;
}

static void fail(const struct evp_stanza *st, const char *what, int ret)
{
	failures++;
	printf("not ok - %s:%d %s (%d: %s)\n", st->file, st->line, what, ret,
	       wd_strerror(ret));
}

/* Every request must have run in software, for the expected reason. */
static bool path_ok(const struct evp_stanza *st, struct wd_crypto *s)
{
	enum wd_reason why;
	unsigned int path = wd_crypto_path(s, &why);

	if (expect_hw && path == WD_PATH_HW)
		return true;
	if (!expect_hw && path == WD_PATH_SW &&
	    !strcmp(wd_reason_name(why), expect_reason))
		return true;
	failures++;
	printf("not ok - %s:%d path %#x reason %s, want %s%s\n",
	       st->file, st->line, path, wd_reason_name(why),
	       expect_hw ? "" : "software: ", expect_reason);
	return false;
}

/* Bytes of field @key; absent is zero bytes.  Several @key join (AAD). */
static unsigned char *field(const struct evp_stanza *st, const char *key,
			    size_t *len, bool *bad)
{
	unsigned char *all = malloc(1), *b;
	size_t n;

	*len = 0;
	for (int i = 0; all && i < st->nfields; i++) {
		if (strcasecmp(st->f[i].key, key))
			continue;
		b = evp_bytes(st->f[i].value, &n);
		if (!b) {
			*bad = true;
			continue;
		}
		all = realloc(all, *len + n + 1);
		if (all)
			memcpy(all + *len, b, n);
		*len += n;
		free(b);
	}
	if (!all)
		*bad = true;
	return all;
}

static const int pieces[] = { 1, 7, 16, 33, 5, 64, 3 };

static void async_cb(struct wd_crypto_req *r)
{
	*(int *)r->priv += 1;
}

/*
 * Runs @r through wd_crypto_submit() and wd_crypto_poll(), once returned
 * by the poll and once through a callback; 0 or the first error.
 */
static int run_async(struct wd_crypto *s, struct wd_crypto_req *r)
{
	struct wd_crypto_req *done = NULL, *rp = r;
	int calls = 0, ret;

	ret = wd_crypto_submit(s, &rp, 1);
	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	ret = wd_crypto_poll(s, &done, 1, 1, 1000);
	if (ret != 1 || done != r)
		return ret < 0 ? ret : -EIO;
	if (r->status)
		return r->status;
	r->cb = async_cb;
	r->priv = &calls;
	ret = wd_crypto_submit(s, &rp, 1);
	if (ret == 1)
		ret = wd_crypto_poll(s, NULL, 0, 1, 1000);
	r->cb = NULL;
	if (ret != 1 || calls != 1 || wd_crypto_inflight(s))
		return ret < 0 ? ret : -EIO;
	return r->status;
}

/* ---- digests and HMAC ---- */

static int digest_alg(const char *name)
{
	if (!strcasecmp(name, "SHA256"))
		return WD_CRYPTO_SHA256;
	if (!strcasecmp(name, "SHA512"))
		return WD_CRYPTO_SHA512;
	if (!strcasecmp(name, "SHA3-256"))
		return WD_CRYPTO_SHA3_256;
	if (!strcasecmp(name, "SM3"))
		return WD_CRYPTO_SM3;
	return 0;
}

/*
 * The message of a digest stanza: Input fields joined, "Ncopy = n" and
 * "Count = n" repeating the Input before them n times.
 */
static unsigned char *message(const struct evp_stanza *st, size_t *len,
			      bool *bad)
{
	unsigned char *msg = malloc(1), *last = NULL;
	size_t last_len = 0;

	*len = 0;
	for (int i = 0; msg && i < st->nfields; i++) {
		const char *k = st->f[i].key;
		long reps;

		if (!strcasecmp(k, "Input")) {
			free(last);
			last = evp_bytes(st->f[i].value, &last_len);
			if (!last) {
				*bad = true;
				break;
			}
			msg = realloc(msg, *len + last_len + 1);
			if (msg)
				memcpy(msg + *len, last, last_len);
			*len += last_len;
		} else if (!strcasecmp(k, "Ncopy") ||
			   !strcasecmp(k, "Count")) {
			reps = strtol(st->f[i].value, NULL, 10);
			if (!last || reps < 1) {
				*bad = true;
				break;
			}
			msg = realloc(msg, *len + last_len * (reps - 1) + 1);
			for (long r = 1; msg && r < reps; r++) {
				memcpy(msg + *len, last, last_len);
				*len += last_len;
			}
			/* Ncopy: the n copies are now "the preceding Input" */
			if (msg && !strcasecmp(k, "Ncopy")) {
				free(last);
				last_len *= reps;
				last = malloc(last_len + 1);
				if (!last) {
					*bad = true;
					break;
				}
				memcpy(last, msg + *len - last_len, last_len);
			}
		}
	}
	free(last);
	if (!msg)
		*bad = true;
	return msg;
}

static void run_digest(const struct evp_stanza *st, int alg, const char *name)
{
	static const char *const known[] = { "Digest", "MAC", "Algorithm",
		"Input", "Ncopy", "Count", "Output", "Key", "Availablein",
		"FIPSversion", NULL };
	unsigned char *msg, *want, *key = NULL, out[WD_CRYPTO_DIGEST_MAX];
	size_t len, want_len, key_len = 0, out_len = sizeof(out), off = 0;
	struct wd_crypto_params p = { .alg = alg };
	struct wd_crypto_stream *ds, *copy = NULL;
	struct wd_crypto *s;
	bool bad = false;
	int ret;

	for (int i = 0; i < st->nfields; i++) {
		int k;

		for (k = 0; known[k] && strcasecmp(known[k], st->f[i].key); k++)
			;
		if (!known[k] || evp_get(st, "Result")) {
			covered_not_run++;
			printf("not ok - %s:%d %s: field %s not handled\n",
			       st->file, st->line, name, st->f[i].key);
			return;
		}
	}
	msg = message(st, &len, &bad);
	want = field(st, "Output", &want_len, &bad);
	if (alg == WD_CRYPTO_HMAC_SHA256)
		key = field(st, "Key", &key_len, &bad);
	if (bad) {
		covered_not_run++;
		printf("not ok - %s:%d %s: malformed value\n", st->file,
		       st->line, name);
		goto out;
	}
	if (prov_mode) {
		prov_digest(st, alg, name, msg, len, want, want_len, key,
			    key_len);
		goto out;
	}
	p.key = key;
	p.key_len = key_len;
	ret = wd_crypto_open(&s, &p);
	if (ret) {
		fail(st, "open", ret);
		goto out;
	}
	ret = wd_digest(s, msg, len, out, &out_len);
	if (ret || out_len != want_len || memcmp(out, want, want_len))
		fail(st, "one-shot digest differs", ret);
	/* the same as an async request */
	{
		struct wd_crypto_req r = {
			.src = msg, .src_len = len, .dst = out,
			.dst_len = sizeof(out),
		};

		memset(out, 0, sizeof(out));
		ret = run_async(s, &r);
		if (ret || r.produced != want_len || memcmp(out, want, want_len))
			fail(st, "async digest differs", ret);
	}
	/*
	 * the same as a stream, in uneven pieces; a copy made half-way
	 * (wd_crypto_stream_dup()) finishes the same digest on its own
	 */
	ret = wd_crypto_stream_open(&ds, s, WD_ENCRYPT, NULL, 0);
	for (int i = 0; !ret && off < len; i++) {
		size_t n = pieces[i % 7] * (1 + len / 4096);

		n = n < len - off ? n : len - off;
		if (!copy && off >= len / 2)
			ret = wd_crypto_stream_dup(&copy, ds);
		if (!ret)
			ret = wd_crypto_stream_update(ds, msg + off, n, NULL,
						      NULL);
		if (!ret && copy)
			ret = wd_crypto_stream_update(copy, msg + off, n,
						      NULL, NULL);
		off += n;
	}
	out_len = sizeof(out);
	memset(out, 0, sizeof(out));
	if (!ret)
		ret = wd_crypto_stream_final(ds, out, &out_len);
	if (ret || out_len != want_len || memcmp(out, want, want_len))
		fail(st, "streamed digest differs", ret);
	if (copy) {
		out_len = sizeof(out);
		memset(out, 0, sizeof(out));
		ret = wd_crypto_stream_final(copy, out, &out_len);
		if (ret || out_len != want_len ||
		    memcmp(out, want, want_len))
			fail(st, "a copied stream's digest differs", ret);
	}
	wd_crypto_stream_close(copy);
	wd_crypto_stream_close(ds);
	if (path_ok(st, s)) {
		count(ran, name);
		total_ran++;
	}
	wd_crypto_close(s);
out:
	free(msg);
	free(want);
	free(key);
}

/* ---- ciphers and AEAD ---- */

static int cipher_alg(const char *name, size_t *key_len)
{
	static const struct {
		const char *name;
		int alg;
		size_t key_len;
	} map[] = {
		{ "AES-128-CBC", WD_CRYPTO_AES_CBC, 16 },
		{ "AES-256-CBC", WD_CRYPTO_AES_CBC, 32 },
		{ "AES-128-CTR", WD_CRYPTO_AES_CTR, 16 },
		{ "AES-256-CTR", WD_CRYPTO_AES_CTR, 32 },
		{ "AES-128-XTS", WD_CRYPTO_AES_XTS, 32 },
		{ "AES-256-XTS", WD_CRYPTO_AES_XTS, 64 },
		{ "SM4-CBC", WD_CRYPTO_SM4_CBC, 16 },
		{ "AES-128-GCM", WD_CRYPTO_AES_GCM, 16 },
		{ "AES-256-GCM", WD_CRYPTO_AES_GCM, 32 },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (!strcasecmp(name, map[i].name)) {
			*key_len = map[i].key_len;
			return map[i].alg;
		}
	}
	return 0;
}

/* One direction of a cipher stanza; true if it ran as the file says. */
static bool cipher_dir(const struct evp_stanza *st, struct wd_crypto *s,
		       int alg, int dir, const unsigned char *iv,
		       size_t iv_len, const unsigned char *in,
		       const unsigned char *want, size_t len,
		       const unsigned char *next_iv, size_t next_len,
		       bool must_fail)
{
	unsigned char *out = calloc(1, len + 2 * WD_CRYPTO_BLOCK_SIZE);
	unsigned char zero[WD_CRYPTO_BLOCK_SIZE] = { 0 };
	unsigned char x[WD_CRYPTO_BLOCK_SIZE], y[WD_CRYPTO_BLOCK_SIZE];
	struct wd_crypto_stream *cs;
	size_t off = 0, made = 0, n, room;
	bool ok = true;
	int ret;

	ret = wd_cipher(s, dir, iv, iv_len, in, len, out);
	if (must_fail) {
		if (ret != -EINVAL)
			fail(st, "a refused key was taken", ret);
		free(out);
		return ret == -EINVAL;
	}
	if (ret || memcmp(out, want, len)) {
		fail(st, dir == WD_ENCRYPT ? "encryption differs" :
		     "decryption differs", ret);
		ok = false;
	}
	{
		struct wd_crypto_req r = {
			.dir = dir, .iv = iv, .iv_len = iv_len, .src = in,
			.src_len = len, .dst = out, .dst_len = len,
		};

		memset(out, 0, len);
		ret = run_async(s, &r);
		if (ret || memcmp(out, want, len)) {
			fail(st, "async cipher differs", ret);
			ok = false;
		}
	}
	if (alg == WD_CRYPTO_AES_XTS) {
		free(out);
		return ok;
	}
	memset(out, 0, len);
	ret = wd_crypto_stream_open(&cs, s, dir, iv, iv_len);
	for (int i = 0; !ret && off < len; i++) {
		n = pieces[i % 7] < (int)(len - off) ? (size_t)pieces[i % 7] :
		    len - off;
		room = len + WD_CRYPTO_BLOCK_SIZE - made;
		ret = wd_crypto_stream_update(cs, in + off, n, out + made,
					      &room);
		off += n;
		made += room;
	}
	if (!ret && made != len)
		ret = -EIO;
	if (ret || memcmp(out, want, len)) {
		fail(st, "streamed cipher differs", ret);
		ok = false;
	}
	/* NextIV: one more block from the stream, and one-shot from it */
	if (!ret && next_iv && next_len == WD_CRYPTO_IV_SIZE &&
	    len % WD_CRYPTO_BLOCK_SIZE == 0) {
		room = sizeof(x);
		ret = wd_crypto_stream_update(cs, zero, sizeof(zero), x, &room);
		if (!ret)
			ret = wd_cipher(s, dir, next_iv, next_len, zero,
					sizeof(zero), y);
		if (ret || room != sizeof(x) || memcmp(x, y, sizeof(x))) {
			fail(st, "chain state is not NextIV", ret);
			ok = false;
		}
	}
	if (!ret) {
		ret = wd_crypto_stream_final(cs, NULL, NULL);
		if (ret) {
			fail(st, "stream final", ret);
			ok = false;
		}
	}
	wd_crypto_stream_close(cs);
	free(out);
	return ok;
}

static bool aead_dir(const struct evp_stanza *st, struct wd_crypto *s,
		     int dir, const unsigned char *iv, size_t iv_len,
		     const unsigned char *aad, size_t aad_len,
		     const unsigned char *in, const unsigned char *want,
		     size_t len, const unsigned char *tag, size_t tag_len,
		     bool must_fail)
{
	unsigned char *out = calloc(1, len + 1), t[WD_CRYPTO_TAG_MAX];
	bool ok = true;
	int ret;

	if (dir == WD_ENCRYPT) {
		struct wd_crypto_req r = {
			.dir = dir, .iv = iv, .iv_len = iv_len, .aad = aad,
			.aad_len = aad_len, .src = in, .src_len = len,
			.dst = out, .dst_len = len, .tag = t,
			.tag_len = tag_len,
		};

		ret = wd_aead(s, dir, iv, iv_len, aad, aad_len, in, len, out,
			      t, tag_len);
		if (ret || memcmp(out, want, len) || memcmp(t, tag, tag_len)) {
			fail(st, "GCM encryption or tag differs", ret);
			ok = false;
		}
		memset(out, 0, len);
		memset(t, 0, sizeof(t));
		ret = run_async(s, &r);
		if (ret || memcmp(out, want, len) || memcmp(t, tag, tag_len)) {
			fail(st, "async GCM encryption differs", ret);
			ok = false;
		}
		free(out);
		return ok;
	}
	memcpy(t, tag, tag_len);
	ret = wd_aead(s, dir, iv, iv_len, aad, aad_len, in, len, out, t,
		      tag_len);
	if (must_fail) {
		if (ret != -EBADMSG) {
			fail(st, "a wrong tag was accepted", ret);
			ok = false;
		}
	} else if (ret || memcmp(out, want, len)) {
		fail(st, "GCM decryption differs", ret);
		ok = false;
	} else {
		/* one bit of the tag wrong: refused, nothing returned */
		t[tag_len / 2] ^= 0x10;
		memset(out, 0xa5, len);
		ret = wd_aead(s, dir, iv, iv_len, aad, aad_len, in, len, out,
			      t, tag_len);
		for (size_t i = 0; i < len && ret == -EBADMSG; i++)
			if (out[i])
				ret = -EIO;
		if (ret != -EBADMSG) {
			fail(st, "a corrupted tag was not refused", ret);
			ok = false;
		}
	}
	free(out);
	return ok;
}

static void run_cipher(const struct evp_stanza *st, int alg, size_t key_len,
		       const char *name)
{
	static const char *const known[] = { "Cipher", "Key", "IV", "AAD",
		"Tag", "Plaintext", "Ciphertext", "Operation", "NextIV",
		"Result", "Availablein", "FIPSversion", NULL };
	unsigned char *key, *iv, *aad, *tag, *pt, *ct, *next = NULL;
	size_t klen, iv_len, aad_len, tag_len, pt_len, ct_len, next_len = 0;
	const char *op = evp_get(st, "Operation");
	const char *result = evp_get(st, "Result");
	struct wd_crypto_params p = { .alg = alg };
	bool bad = false, ok = true;
	struct wd_crypto *s;
	int ret;

	for (int i = 0; i < st->nfields; i++) {
		int k;

		for (k = 0; known[k] && strcasecmp(known[k], st->f[i].key); k++)
			;
		if (!known[k]) {
			covered_not_run++;
			printf("not ok - %s:%d %s: field %s not handled\n",
			       st->file, st->line, name, st->f[i].key);
			return;
		}
	}
	key = field(st, "Key", &klen, &bad);
	iv = field(st, "IV", &iv_len, &bad);
	aad = field(st, "AAD", &aad_len, &bad);
	tag = field(st, "Tag", &tag_len, &bad);
	pt = field(st, "Plaintext", &pt_len, &bad);
	ct = field(st, "Ciphertext", &ct_len, &bad);
	if (evp_get(st, "NextIV"))
		next = field(st, "NextIV", &next_len, &bad);
	if (bad || klen != key_len || pt_len != ct_len ||
	    (result && !op)) {
		covered_not_run++;
		printf("not ok - %s:%d %s: malformed stanza\n", st->file,
		       st->line, name);
		goto out;
	}
	if (prov_mode) {
		prov_cipher(st, alg, name, key, klen, iv, iv_len, aad, aad_len,
			    tag, tag_len, pt, ct, pt_len, op, result != NULL);
		goto out;
	}
	p.key = key;
	p.key_len = klen;
	ret = wd_crypto_open(&s, &p);
	if (ret) {
		fail(st, "open", ret);
		goto out;
	}
	if (expect_hw && alg == WD_CRYPTO_AES_GCM && iv_len != 12) {
		/* the device's nonce is 12 bytes: policy hw must say no */
		unsigned char t[WD_CRYPTO_TAG_MAX] = { 0 };
		unsigned char *o = calloc(1, pt_len + 1);

		ret = wd_aead(s, WD_ENCRYPT, iv, iv_len, aad, aad_len, pt,
			      pt_len, o, t, tag_len ? tag_len : 16);
		free(o);
		if (ret != -EOPNOTSUPP || wd_crypto_path(s, NULL)) {
			fail(st, "GCM nonce the device does not take, not "
			     "refused with -EOPNOTSUPP", ret);
		} else {
			count(refused, name);
			total_refused++;
		}
		wd_crypto_close(s);
		goto out;
	}
	for (int dir = WD_ENCRYPT; dir <= WD_DECRYPT; dir++) {
		if (op && strcasecmp(op, dir == WD_ENCRYPT ? "ENCRYPT" :
				     "DECRYPT"))
			continue;
		if (alg == WD_CRYPTO_AES_GCM)
			ok &= aead_dir(st, s, dir, iv, iv_len, aad, aad_len,
				       dir == WD_ENCRYPT ? pt : ct,
				       dir == WD_ENCRYPT ? ct : pt, pt_len, tag,
				       tag_len, result != NULL);
		else
			ok &= cipher_dir(st, s, alg, dir, iv, iv_len,
					 dir == WD_ENCRYPT ? pt : ct,
					 dir == WD_ENCRYPT ? ct : pt, pt_len,
					 next, next_len, result != NULL);
	}
	/* a refused key or length ran nowhere: no path to check */
	if (ok && ((result && !wd_crypto_path(s, NULL)) || path_ok(st, s))) {
		count(ran, name);
		total_ran++;
	}
	wd_crypto_close(s);
out:
	free(key);
	free(iv);
	free(aad);
	free(tag);
	free(pt);
	free(ct);
	free(next);
}

static void run_stanza(const struct evp_stanza *st)
{
	const char *avail = evp_get(st, "Availablein");
	const char *v, *alg;
	size_t key_len = 0;
	char name[64];
	int a;

	if ((v = evp_get(st, "Digest"))) {
		snprintf(name, sizeof(name), "%s", v);
		a = digest_alg(v);
	} else if ((v = evp_get(st, "MAC"))) {
		alg = evp_get(st, "Algorithm");
		snprintf(name, sizeof(name), "%s-%s", v, alg ? alg : "?");
		a = !strcasecmp(v, "HMAC") && alg &&
		    !strcasecmp(alg, "SHA256") ? WD_CRYPTO_HMAC_SHA256 : 0;
	} else if ((v = evp_get(st, "Cipher"))) {
		snprintf(name, sizeof(name), "%s", v);
		a = cipher_alg(v, &key_len);
	} else {
		return;		/* a Title, or no test at all */
	}
	for (char *c = name; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (avail && !strcasecmp(avail, "fips")) {
		count(fips, name);
		return;
	}
	if (avail && strcasecmp(avail, "default")) {
		covered_not_run++;
		printf("not ok - %s:%d Availablein = %s unknown\n", st->file,
		       st->line, avail);
		return;
	}
	if (!a) {
		count(notours, name);
		return;
	}
	if (evp_get(st, "Digest") || evp_get(st, "MAC"))
		run_digest(st, a, name);
	else
		run_cipher(st, a, key_len, name);
}

static int cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void print_tally(const char *title, const struct tally *t)
{
	int total = 0;

	printf("# %s:", title);
	for (int i = 0; i < MAX_NAMES && t[i].name[0]; i++) {
		printf(" %s %d", t[i].name, t[i].n);
		total += t[i].n;
	}
	printf(" (%d)\n", total);
}

/* Each algorithm (and AES key size) of the API met at least one stanza. */
static bool all_ran(void)
{
	static const char *const want[] = { "sha256", "sha512", "sha3-256",
		"sm3", "hmac-sha256", "aes-128-cbc", "aes-256-cbc",
		"aes-128-ctr", "aes-256-ctr", "aes-128-xts", "aes-256-xts",
		"sm4-cbc", "aes-128-gcm", "aes-256-gcm", NULL };
	bool ok = true;

	for (int w = 0; want[w]; w++) {
		int i;

		for (i = 0; i < MAX_NAMES && ran[i].name[0]; i++)
			if (!strcmp(ran[i].name, want[w]))
				break;
		if (i == MAX_NAMES || !ran[i].name[0]) {
			printf("# no stanza of %s ran\n", want[w]);
			ok = false;
		}
	}
	return ok;
}

static int expect_enodev(void)
{
	static const unsigned char key[64] = { 1 };
	int bad = 0;

	for (int a = WD_CRYPTO_SHA256; a <= WD_CRYPTO_AES_GCM; a++) {
		struct wd_crypto_params p = { .alg = a, .policy = WD_POLICY_HW };
		struct wd_crypto *s = NULL;
		int ret;

		if (a == WD_CRYPTO_HMAC_SHA256 || a >= WD_CRYPTO_AES_CBC) {
			p.key = key;
			p.key_len = a == WD_CRYPTO_AES_XTS ? 64 : 16;
		}
		ret = wd_crypto_open(&s, &p);
		printf("%sok %d %s under policy hw: %d (%s)\n",
		       ret == -ENODEV ? "" : "not ", a, wd_crypto_alg_name(a),
		       ret, wd_strerror(ret));
		bad |= ret != -ENODEV;
		wd_crypto_close(s);
	}
	printf("1..%d\n", WD_CRYPTO_AES_GCM);
	return bad;
}

/* ---- through the OpenSSL provider (--provider) ---- */

#define PROPS	"provider=warpdrive"

/* The library's requests so far, in this process (the provider's too). */
static uint64_t lib_requests(void)
{
	struct wd_stats s;

	wd_get_stats(&s);
	/* on the device (WD_POLICY=hw), only the device's count */
	return expect_hw ? s.hw_requests : s.hw_requests + s.sw_requests;
}

/*
 * Policy hw: a GCM nonce the device does not take must make the
 * provider's encryption fail (the library's -EOPNOTSUPP), not run
 * anywhere else.  1 if it did.
 */
static int prov_gcm_refused(EVP_CIPHER *ciph, const unsigned char *key,
			    const unsigned char *iv, size_t iv_len,
			    const unsigned char *pt, size_t len)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	unsigned char *out = calloc(1, len + 32);
	uint64_t before = lib_requests();
	OSSL_PARAM p[2] = {
		OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN,
					    &iv_len),
		OSSL_PARAM_END
	};
	int n = 0, ok;

	ok = c && out && EVP_CipherInit_ex2(c, ciph, NULL, NULL, 1, p) &&
	     EVP_CipherInit_ex2(c, NULL, key, iv, 1, NULL) &&
	     (!len || EVP_CipherUpdate(c, out, &n, pt, (int)len)) &&
	     EVP_CipherFinal_ex(c, out, &n);
	ERR_clear_error();
	EVP_CIPHER_CTX_free(c);
	free(out);
	return !ok && lib_requests() == before;
}

/* Why OpenSSL refused: the first queued error's reason, then clear. */
static const char *ossl_reason(char *buf, size_t size)
{
	unsigned long e = ERR_peek_error();
	const char *data = NULL;
	int flags = 0;

	ERR_peek_error_data(&data, &flags);
	snprintf(buf, size, "%s: %s%s%s", ERR_lib_error_string(e) ?
		 ERR_lib_error_string(e) : "?",
		 ERR_reason_error_string(e) ? ERR_reason_error_string(e) :
		 "?", data && *data ? ": " : "", data ? data : "");
	ERR_clear_error();
	return buf;
}

static void prov_fail(const struct evp_stanza *st, const char *what)
{
	char why[256];

	failures++;
	printf("not ok - %s:%d provider: %s (%s)\n", st->file, st->line, what,
	       ossl_reason(why, sizeof(why)));
}

static bool from_warpdrive(const OSSL_PROVIDER *p)
{
	return p && !strcmp(OSSL_PROVIDER_get0_name(p), "warpdrive");
}

static const char *md_name(int alg)
{
	switch (alg) {
	case WD_CRYPTO_SHA256:
	case WD_CRYPTO_HMAC_SHA256:
		return "SHA2-256";
	case WD_CRYPTO_SHA512:
		return "SHA2-512";
	case WD_CRYPTO_SHA3_256:
		return "SHA3-256";
	default:
		return "SM3";
	}
}

/*
 * A stanza done through the provider: counted if the library ran it (an
 * empty message is only a stream's final, which the library does not
 * count as a request).
 */
static void prov_ran(const struct evp_stanza *st, const char *name,
		     uint64_t before, bool ok, size_t len)
{
	if (!ok)
		return;
	if (len && lib_requests() <= before) {
		failures++;
		printf("not ok - %s:%d provider: libwarpdrive counted no "
		       "request\n", st->file, st->line);
		return;
	}
	count(ran, name);
	total_ran++;
}

static void prov_digest(const struct evp_stanza *st, int alg,
			const char *name, const unsigned char *msg, size_t len,
			const unsigned char *want, size_t want_len,
			const unsigned char *key, size_t key_len)
{
	unsigned char out[EVP_MAX_MD_SIZE];
	uint64_t before = lib_requests();
	size_t off = 0, n, out_len = 0;
	unsigned int md_len = 0;
	bool ok = true;

	if (alg == WD_CRYPTO_HMAC_SHA256) {
		EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", PROPS);
		EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
							 (char *)"SHA2-256", 0),
			OSSL_PARAM_construct_end(),
		};
		bool done = c && from_warpdrive(EVP_MAC_get0_provider(mac)) &&
			    EVP_MAC_init(c, key_len ? key : out, key_len,
					 params);

		for (int i = 0; done && off < len; i++) {
			n = pieces[i % 7] * (1 + len / 4096);
			n = n < len - off ? n : len - off;
			done = EVP_MAC_update(c, msg + off, n);
			off += n;
		}
		if (!done || !EVP_MAC_final(c, out, &out_len, sizeof(out)) ||
		    out_len != want_len || memcmp(out, want, want_len)) {
			prov_fail(st, "HMAC differs");
			ok = false;
		}
		EVP_MAC_CTX_free(c);
		EVP_MAC_free(mac);
		prov_ran(st, name, before, ok, len);
		return;
	}
	EVP_MD *md = EVP_MD_fetch(NULL, md_name(alg), PROPS);
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!md || !c || !from_warpdrive(EVP_MD_get0_provider(md))) {
		prov_fail(st, "no digest of warpdrive");
		ok = false;
		goto out;
	}
	if (!EVP_Digest(msg, len, out, &md_len, md, NULL) ||
	    md_len != want_len || memcmp(out, want, want_len)) {
		prov_fail(st, "one-shot digest differs");
		ok = false;
	}
	memset(out, 0, sizeof(out));
	bool done = EVP_DigestInit_ex2(c, md, NULL);

	for (int i = 0; done && off < len; i++) {
		n = pieces[i % 7] * (1 + len / 4096);
		n = n < len - off ? n : len - off;
		done = EVP_DigestUpdate(c, msg + off, n);
		off += n;
	}
	if (!done || !EVP_DigestFinal_ex(c, out, &md_len) ||
	    md_len != want_len || memcmp(out, want, want_len)) {
		prov_fail(st, "streamed digest differs");
		ok = false;
	}
out:
	EVP_MD_CTX_free(c);
	EVP_MD_free(md);
	prov_ran(st, name, before, ok, len);
}

static const char *cipher_name(int alg, size_t klen)
{
	switch (alg) {
	case WD_CRYPTO_AES_CBC:
		return klen == 16 ? "AES-128-CBC" : "AES-256-CBC";
	case WD_CRYPTO_AES_CTR:
		return klen == 16 ? "AES-128-CTR" : "AES-256-CTR";
	case WD_CRYPTO_AES_XTS:
		return klen == 32 ? "AES-128-XTS" : "AES-256-XTS";
	case WD_CRYPTO_SM4_CBC:
		return "SM4-CBC";
	default:
		return klen == 16 ? "AES-128-GCM" : "AES-256-GCM";
	}
}

/*
 * One direction through EVP: 1 if it ran as the file says, 0 if it
 * failed.  @late: GCM decryption with its tag set after the data.
 */
static int prov_dir(const struct evp_stanza *st, EVP_CIPHER *ciph, int alg,
		    int enc, const unsigned char *key,
		    const unsigned char *iv, size_t iv_len,
		    const unsigned char *aad, size_t aad_len,
		    const unsigned char *tag, size_t tag_len,
		    const unsigned char *in, const unsigned char *want,
		    size_t len, bool late, bool must_fail)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	unsigned char *out = calloc(1, len + 32), t[16];
	bool gcm = alg == WD_CRYPTO_AES_GCM, ok;
	size_t ivl = iv_len, off = 0, made = 0;
	OSSL_PARAM p[2] = { OSSL_PARAM_END, OSSL_PARAM_END };
	int n = 0, i;

	if (gcm)
		p[0] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN,
						   &ivl);
	ok = c && out && EVP_CipherInit_ex2(c, ciph, NULL, NULL, enc, p) &&
	     EVP_CipherInit_ex2(c, NULL, key, iv, enc, NULL) &&
	     EVP_CIPHER_CTX_set_padding(c, 0);
	if (ok && gcm && !enc && !late)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG,
					 (int)tag_len, (void *)tag);
	/* the AAD in pieces, the data in pieces (GCM: one update) */
	for (i = 0; ok && gcm && off < aad_len; i++) {
		size_t k = (size_t)pieces[i % 7] < aad_len - off ?
			   (size_t)pieces[i % 7] : aad_len - off;

		ok = EVP_CipherUpdate(c, NULL, &n, aad + off, (int)k);
		off += k;
	}
	off = 0;
	for (i = 0; ok && off < len; i++) {
		size_t k = gcm || alg == WD_CRYPTO_AES_XTS ? len - off :
			   (size_t)pieces[i % 7] < len - off ?
			   (size_t)pieces[i % 7] : len - off;

		ok = EVP_CipherUpdate(c, out + made, &n, in + off, (int)k);
		off += k;
		made += (size_t)n;
	}
	if (ok && gcm && !enc && late)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG,
					 (int)tag_len, (void *)tag);
	if (ok)
		ok = EVP_CipherFinal_ex(c, out + made, &n) > 0;
	made += ok ? (size_t)n : 0;
	if (ok && gcm && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG,
					 (int)tag_len, t) &&
		     !memcmp(t, tag, tag_len);
	EVP_CIPHER_CTX_free(c);
	if (must_fail) {
		free(out);
		if (ok) {
			failures++;
			printf("not ok - %s:%d provider: a refused stanza "
			       "was taken\n", st->file, st->line);
			return 0;
		}
		ERR_clear_error();
		return 1;
	}
	if (!ok || made != len || memcmp(out, want, len)) {
		prov_fail(st, enc ? "encryption differs" :
			  late ? "decryption (tag after the data) differs" :
			  "decryption differs");
		free(out);
		return 0;
	}
	free(out);
	return 1;
}

static void prov_cipher(const struct evp_stanza *st, int alg,
			const char *name, const unsigned char *key,
			size_t klen, const unsigned char *iv, size_t iv_len,
			const unsigned char *aad, size_t aad_len,
			const unsigned char *tag, size_t tag_len,
			const unsigned char *pt, const unsigned char *ct,
			size_t len, const char *op, bool must_fail)
{
	EVP_CIPHER *ciph = EVP_CIPHER_fetch(NULL, cipher_name(alg, klen),
					    PROPS);
	uint64_t before = lib_requests();
	unsigned char bad[16];
	bool ok = true;

	if (!ciph || !from_warpdrive(EVP_CIPHER_get0_provider(ciph))) {
		prov_fail(st, "no cipher of warpdrive");
		EVP_CIPHER_free(ciph);
		return;
	}
	if (expect_hw && alg == WD_CRYPTO_AES_GCM && iv_len != 12) {
		if (prov_gcm_refused(ciph, key, iv, iv_len, pt, len)) {
			count(refused, name);
			total_refused++;
		} else {
			prov_fail(st, "GCM nonce the device does not take, "
				  "not refused under policy hw");
		}
		EVP_CIPHER_free(ciph);
		return;
	}
	for (int enc = 1; enc >= 0; enc--) {
		if (op && strcasecmp(op, enc ? "ENCRYPT" : "DECRYPT"))
			continue;
		ok &= prov_dir(st, ciph, alg, enc, key, iv, iv_len, aad,
			       aad_len, tag, tag_len, enc ? pt : ct,
			       enc ? ct : pt, len, false, must_fail);
		if (alg != WD_CRYPTO_AES_GCM || enc)
			continue;
		ok &= prov_dir(st, ciph, alg, enc, key, iv, iv_len, aad,
			       aad_len, tag, tag_len, ct, pt, len, true,
			       must_fail);
		if (must_fail || tag_len > sizeof(bad))
			continue;
		/* one bit of the tag wrong: final must fail */
		memcpy(bad, tag, tag_len);
		bad[tag_len / 2] ^= 0x10;
		ok &= prov_dir(st, ciph, alg, enc, key, iv, iv_len, aad,
			       aad_len, bad, tag_len, ct, pt, len, false, true);
	}
	EVP_CIPHER_free(ciph);
	/* a refused stanza may have run nothing */
	if (must_fail && ok) {
		count(ran, name);
		total_ran++;
		return;
	}
	prov_ran(st, name, before, ok, len + aad_len + 1);
}

/* Bad input through EVP: refused, with the provider's reason. */
/*
 * TLS 1.2's GCM record (RFC 5288) through a context of @gcm: fixed nonce
 * @fixed, AAD seq || type || version || length, one in-place update over
 * explicit nonce || text || tag in @rec (@len bytes of text).
 */
static int tls_gcm_record(EVP_CIPHER_CTX *c, int enc, unsigned char seq,
			  unsigned char *rec, size_t len, size_t *outl)
{
	unsigned char aad[13] = { 0, 0, 0, 0, 0, 0, 0, seq, 23, 3, 3 };
	size_t whole = 8 + len + (enc ? 0 : 16);
	int n = 0;

	aad[11] = (unsigned char)(whole >> 8);
	aad[12] = (unsigned char)whole;
	if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_TLS1_AAD, 13, aad) != 16 ||
	    !EVP_CipherUpdate(c, rec, &n, rec, (int)(8 + len + 16)))
		return 0;
	*outl = (size_t)n;
	return 1;
}

/*
 * TLS 1.2 GCM records encrypted by warpdrive's @gcm (which hands the
 * context over to OpenSSL's cipher), one by a copy of the context, both
 * decrypted by the default provider's: the text comes back.
 */
static int prov_tls_gcm(EVP_CIPHER *gcm, const unsigned char *key, int *t)
{
	static const unsigned char fixed[4] = { 9, 8, 7, 6 };
	EVP_CIPHER *theirs = EVP_CIPHER_fetch(NULL, "AES-128-GCM",
					      "provider=default");
	EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new(), *e2 = EVP_CIPHER_CTX_new();
	EVP_CIPHER_CTX *dc = EVP_CIPHER_CTX_new();
	unsigned char text[300], r1[8 + 300 + 16], r2[sizeof(r1)];
	size_t l1 = 0, l2 = 0, d1 = 0, d2 = 0;
	int r;

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (unsigned char)(i * 7);
	memcpy(r1 + 8, text, sizeof(text));
	memcpy(r2 + 8, text, sizeof(text));
	r = theirs && e && e2 && dc &&
	    EVP_CipherInit_ex2(e, gcm, key, NULL, 1, NULL) &&
	    EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_AEAD_SET_IV_FIXED, 4,
				(void *)fixed) > 0 &&
	    tls_gcm_record(e, 1, 1, r1, sizeof(text), &l1) &&
	    EVP_CIPHER_CTX_copy(e2, e) &&
	    tls_gcm_record(e2, 1, 2, r2, sizeof(text), &l2) &&
	    l1 == sizeof(r1) && l2 == sizeof(r2) &&
	    EVP_CipherInit_ex2(dc, theirs, key, NULL, 0, NULL) &&
	    EVP_CIPHER_CTX_ctrl(dc, EVP_CTRL_AEAD_SET_IV_FIXED, 4,
				(void *)fixed) > 0 &&
	    tls_gcm_record(dc, 0, 1, r1, sizeof(text), &d1) &&
	    tls_gcm_record(dc, 0, 2, r2, sizeof(text), &d2) &&
	    d1 == sizeof(text) && d2 == sizeof(text) &&
	    !memcmp(r1 + 8, text, sizeof(text)) &&
	    !memcmp(r2 + 8, text, sizeof(text)) &&
	    memcmp(r1, r2, 8);
	printf("%sok %d AES-128-GCM TLS 1.2 records from warpdrive and a "
	       "copy of its context: the default provider decrypts them\n",
	       r ? "" : "not ", (*t)++);
	if (!r)
		ERR_print_errors_fp(stdout);
	ERR_clear_error();
	EVP_CIPHER_CTX_free(e);
	EVP_CIPHER_CTX_free(e2);
	EVP_CIPHER_CTX_free(dc);
	EVP_CIPHER_free(theirs);
	return !r;
}

static int prov_bad_input(void)
{
	static const unsigned char key[64] = { 1, 2, 3 }, iv[16] = { 4 };
	unsigned char buf[64] = { 0 }, out[128];
	EVP_CIPHER *cbc = EVP_CIPHER_fetch(NULL, "AES-256-CBC", PROPS);
	EVP_CIPHER *xts = EVP_CIPHER_fetch(NULL, "AES-128-XTS", PROPS);
	EVP_CIPHER *gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", PROPS);
	EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", PROPS);
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA2-256", PROPS);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	EVP_MD_CTX *m = EVP_MD_CTX_new(), *m2 = EVP_MD_CTX_new();
	EVP_MAC_CTX *mc = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
	size_t bad_ivlen = 0;
	OSSL_PARAM ivp[] = {
		OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN,
					    &bad_ivlen),
		OSSL_PARAM_construct_end(),
	};
	OSSL_PARAM sha1[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)"SHA1", 0),
		OSSL_PARAM_construct_end(),
	};
	char why[256];
	int n, t = 4, bad = 0, r;

/* refused, with a reason in OpenSSL's error queue */
#define REFUSED(cond, what) do {					\
	r = (cond) || !ERR_peek_error();				\
	ossl_reason(why, sizeof(why));					\
	printf("%sok %d %s refused: %s\n", !r ? "" : "not ", t++, what,	\
	       why);							\
	bad |= r != 0;							\
} while (0)

	if (!cbc || !xts || !gcm || !hmac || !md || !c || !m || !m2 || !mc) {
		printf("not ok %d fetch from warpdrive\n", t);
		return 1;
	}
	REFUSED(EVP_CipherInit_ex2(c, cbc, key, iv, 1, NULL) &&
		EVP_CIPHER_CTX_set_key_length(c, 16) &&
		EVP_CipherInit_ex2(c, NULL, key, iv, 1, NULL),
		"AES-256-CBC with a 16-byte key");
	EVP_CIPHER_CTX_reset(c);
	REFUSED(EVP_CipherInit_ex2(c, cbc, key, iv, 1, NULL) &&
		EVP_CIPHER_CTX_set_padding(c, 0) &&
		EVP_CipherUpdate(c, out, &n, buf, 17) &&
		EVP_CipherFinal_ex(c, out + n, &n),
		"AES-256-CBC without padding, 17 bytes");
	EVP_CIPHER_CTX_reset(c);
	REFUSED(EVP_CipherInit_ex2(c, xts, key, iv, 1, NULL) &&
		EVP_CipherUpdate(c, out, &n, buf, 8),
		"AES-128-XTS, a data unit of 8 bytes");
	EVP_CIPHER_CTX_reset(c);
	REFUSED(EVP_CipherInit_ex2(c, gcm, NULL, NULL, 1, ivp),
		"AES-128-GCM with a 0-byte IV");
	EVP_CIPHER_CTX_reset(c);
	REFUSED(EVP_CipherInit_ex2(c, gcm, key, iv, 1, NULL) &&
		EVP_CipherUpdate(c, out, &n, buf, 16) &&
		EVP_CipherUpdate(c, out, &n, buf, 16),
		"AES-128-GCM, a second data update in one message");
	EVP_CIPHER_CTX_reset(c);
	REFUSED(EVP_CipherInit_ex2(c, gcm, key, iv, 1, NULL) &&
		EVP_CipherUpdate(c, NULL, &n, buf, 13) &&
		EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IV_FIXED, 4,
				    (void *)iv) > 0,
		"AES-128-GCM, TLS 1.2's fixed nonce after the message's AAD");
	EVP_CIPHER_CTX_reset(c);
	/* a GCM nonce is for one message: OpenSSL's default provider too */
	REFUSED(EVP_CipherInit_ex2(c, gcm, key, iv, 1, NULL) &&
		EVP_CipherUpdate(c, out, &n, buf, 16) &&
		EVP_CipherFinal_ex(c, out + 16, &n) &&
		EVP_CipherInit_ex2(c, NULL, NULL, NULL, 1, NULL) &&
		EVP_CipherUpdate(c, out, &n, buf, 16),
		"AES-128-GCM, a second message under the first's nonce");
	EVP_CIPHER_CTX_reset(c);
	{
		EVP_CIPHER_CTX *c2 = EVP_CIPHER_CTX_new();

		REFUSED(c2 && EVP_CipherInit_ex2(c, gcm, key, iv, 1, NULL) &&
			EVP_CipherUpdate(c, out, &n, buf, 16) &&
			EVP_CipherFinal_ex(c, out + 16, &n) &&
			EVP_CIPHER_CTX_copy(c2, c) &&
			EVP_CipherInit_ex2(c2, NULL, key, NULL, 1, NULL) &&
			EVP_CipherUpdate(c2, out, &n, buf, 16),
			"AES-128-GCM, a copy of a finished message re-keyed "
			"without a nonce");
		EVP_CIPHER_CTX_free(c2);
	}
	EVP_CIPHER_CTX_reset(c);
	/* ... and with a new one the context goes on */
	r = !(EVP_CipherInit_ex2(c, gcm, key, iv, 1, NULL) &&
	      EVP_CipherUpdate(c, out, &n, buf, 16) &&
	      EVP_CipherFinal_ex(c, out + 16, &n) &&
	      EVP_CipherInit_ex2(c, NULL, NULL, buf, 1, NULL) &&
	      EVP_CipherUpdate(c, out, &n, buf, 16) &&
	      EVP_CipherFinal_ex(c, out + 16, &n));
	printf("%sok %d AES-128-GCM, a second message under a new nonce\n",
	       r ? "not " : "", t++);
	if (r)
		ERR_print_errors_fp(stdout);
	ERR_clear_error();
	bad |= r;
	EVP_CIPHER_CTX_reset(c);
	bad |= prov_tls_gcm(gcm, key, &t);
	/* HMAC with another digest: OpenSSL's result, and not offloaded */
	{
		unsigned char want[20];
		size_t wl = 0, gl = 0;
		uint64_t before = lib_requests();

		r = EVP_Q_mac(NULL, "HMAC", "provider=default", "SHA1", NULL,
			      key, 16, buf, 33, want, sizeof(want), &wl) &&
		    EVP_MAC_init(mc, key, 16, sha1) &&
		    EVP_MAC_update(mc, buf, 33) &&
		    EVP_MAC_final(mc, out, &gl, sizeof(out)) && gl == wl &&
		    !memcmp(out, want, wl) && lib_requests() == before;
		printf("%sok %d HMAC-SHA1 from warpdrive: OpenSSL's result, "
		       "not through libwarpdrive\n", r ? "" : "not ", t++);
		bad |= !r;
		ERR_clear_error();
	}
	/* a digest context copied mid-stream: both go on independently */
	{
		static const unsigned char abc[32] = {
			0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
			0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
			0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
			0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
		};
		unsigned char abcd[32];
		unsigned int l1 = 0, l2 = 0;

		r = EVP_Digest("abcd", 4, abcd, &l1, md, NULL) &&
		    EVP_DigestInit_ex2(m, md, NULL) &&
		    EVP_DigestUpdate(m, "ab", 2) &&
		    EVP_MD_CTX_copy_ex(m2, m) &&
		    EVP_DigestUpdate(m, "c", 1) &&
		    EVP_DigestUpdate(m2, "cd", 2) &&
		    EVP_DigestFinal_ex(m, out, &l1) && !memcmp(out, abc, 32) &&
		    EVP_DigestFinal_ex(m2, out, &l2) && !memcmp(out, abcd, 32);
		printf("%sok %d SHA2-256 context copied mid-stream, both "
		       "right\n", r ? "" : "not ", t++);
		bad |= !r;
	}
#undef REFUSED
	EVP_CIPHER_CTX_free(c);
	EVP_MD_CTX_free(m);
	EVP_MD_CTX_free(m2);
	EVP_MAC_CTX_free(mc);
	EVP_MAC_free(hmac);
	EVP_MD_free(md);
	EVP_CIPHER_free(cbc);
	EVP_CIPHER_free(xts);
	EVP_CIPHER_free(gcm);
	printf("1..%d\n", t - 1);
	return bad;
}

int main(int argc, char **argv)
{
	const char *policy = getenv("WD_POLICY");
	char *files[64];
	int nfiles = 0;
	struct dirent *de;
	DIR *d;

	if (argc == 2 && !strcmp(argv[1], "--expect-enodev"))
		return expect_enodev();
	if (argc != 2 && !(argc == 4 && (!strcmp(argv[2], "--expect") ||
					  !strcmp(argv[2], "--provider")))) {
		fprintf(stderr, "usage: %s DIR [--expect REASON | --provider "
			"MODULE_DIR] | --expect-enodev\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[2 % argc], "--provider")) {
		/* ours first, OpenSSL's default for what it lacks */
		prov_mode = true;
		if (!OSSL_PROVIDER_set_default_search_path(NULL, argv[3]) ||
		    !OSSL_PROVIDER_load(NULL, "warpdrive") ||
		    !OSSL_PROVIDER_load(NULL, "default")) {
			printf("not ok 1 load warpdrive from %s\n1..1\n",
			       argv[3]);
			ERR_print_errors_fp(stdout);
			return 1;
		}
	}
	expect_reason = argc == 4 && !prov_mode ? argv[3] :
			policy && !strcmp(policy, "sw") ? "policy" :
			"no-device";
	expect_hw = !strcmp(expect_reason, "hw") ||
		    (prov_mode && policy && !strcmp(policy, "hw"));
	d = opendir(argv[1]);
	if (!d) {
		printf("not ok 1 open %s: %s\n1..1\n", argv[1],
		       strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) && nfiles < 64) {
		size_t n = strlen(de->d_name);

		if (n > 4 && !strcmp(de->d_name + n - 4, ".txt") &&
		    asprintf(&files[nfiles], "%s/%s", argv[1], de->d_name) > 0)
			nfiles++;
	}
	closedir(d);
	qsort(files, nfiles, sizeof(files[0]), cmp_names);
	for (int i = 0; i < nfiles; i++) {
		struct evp_stanza st = { 0 };
		FILE *fp = fopen(files[i], "re");
		int lineno = 0, r, stanzas = 0;

		if (!fp) {
			printf("not ok - %s: %s\n", files[i], strerror(errno));
			failures++;
			continue;
		}
		while ((r = evp_next(fp, strrchr(files[i], '/') + 1, &lineno,
				     &st)) > 0) {
			run_stanza(&st);
			stanzas++;
		}
		evp_next(fp, NULL, &lineno, &st);	/* frees the lines */
		fclose(fp);
		if (r < 0)
			failures++;
		printf("# %s: %d stanzas read\n", files[i], stanzas);
		free(files[i]);
	}
	print_tally("ran (per algorithm)", ran);
	print_tally("not ours", notours);
	print_tally("Availablein = fips (OpenSSL's FIPS provider only)", fips);
	if (expect_hw)
		print_tally("refused by the device (GCM nonce not 12 bytes)",
			    refused);
	printf("%sok 1 %d covered stanzas ran byte for byte%s, %s%s\n",
	       failures ? "not " : "", total_ran,
	       prov_mode ? " through the provider warpdrive" : "",
	       expect_hw ? "on the device" : "software: ",
	       expect_hw ? "" : expect_reason);
	printf("%sok 2 no covered stanza left unrun (%d not run)\n",
	       covered_not_run ? "not " : "", covered_not_run);
	printf("%sok 3 every algorithm of the API had a stanza run\n",
	       all_ran() ? "" : "not ");
	if (getenv("EXPECT_STANZAS") && !prov_mode) {
		int want = atoi(getenv("EXPECT_STANZAS"));

		printf("%sok 4 %d stanzas run or refused, as expected %d\n",
		       total_ran + total_refused == want ? "" : "not ",
		       total_ran + total_refused, want);
		if (total_ran + total_refused != want)
			failures++;
	}
	if (prov_mode)
		return prov_bad_input() | failures | covered_not_run |
		       !all_ran();
	printf("1..%d\n", getenv("EXPECT_STANZAS") ? 4 : 3);
	return failures || covered_not_run || !all_ran();
}
