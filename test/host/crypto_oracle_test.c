// SPDX-License-Identifier: GPL-2.0
/*
 * libwarpdrive's crypto API against OpenSSL as the oracle, on random
 * input.
 *
 *   crypto_oracle_test [--seed N] [--iterations N] [--seconds N]
 *                      [--max-size BYTES]
 *
 * Each iteration picks an algorithm of <warpdrive/crypto.h>, a random key
 * (HMAC: 0 to 100 bytes, longer than the block too), IV or nonce, and a
 * length from 0 to --max-size (default 1 MiB; GCM: AAD, text and tag in
 * all; most are small, some near the top), in buffers at odd
 * addresses, and checks against OpenSSL's EVP (libcrypto's default
 * provider, never the library):
 *
 *   - the one-shot call, in place for half of the ciphers;
 *   - an async request through wd_crypto_submit()/wd_crypto_poll();
 *   - a stream (digests, HMAC, CBC, CTR) split at random points, a digest
 *     stream copied with wd_crypto_stream_dup() at one of them, both
 *     copies finishing right;
 *   - GCM: decryption of the ciphertext with its tag, then with one bit of
 *     the tag flipped, refused with -EBADMSG and the output zeroed;
 *   - every so often bad input, each refused with -EINVAL without
 *     touching the output (a key of the wrong length, an IV of the wrong
 *     length, a CBC text that is not whole blocks, an XTS unit shorter
 *     than a block, a GCM tag of 5 bytes), and the session's next request
 *     right: the queue is still usable.
 *
 * Last, a session used before fork() must run right in the child (which
 * finds a queue of its own and loads the key again) and in the parent.
 *
 * Under WD_POLICY=hw every session must report the device path and no
 * other (GCM nonces are 12 bytes, the device's); otherwise the paths are
 * only printed.  TAP; exits 1 on the first mismatch, with the seed and
 * iteration to reproduce it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <warpdrive/crypto.h>

#define WD_MIN_(a, b)	((a) < (b) ? (a) : (b))
#define WD_MIN(a, b)	WD_MIN_(a, b)

static uint64_t rng;
static bool want_hw;
static unsigned long iter;
static unsigned long long seed = 1;
static int paths_hw, paths_sw;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible from --seed */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

static void rnd_fill(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)rnd();
}

#define FAIL(...) do {							\
	printf("not ok 1 seed %llu iteration %lu: ", seed, iter);	\
	printf(__VA_ARGS__);						\
	printf("\n1..1\n");						\
	exit(1);							\
} while (0)

static const EVP_MD *md_of(int alg)
{
	switch (alg) {
	case WD_CRYPTO_SHA512: return EVP_sha512();
	case WD_CRYPTO_SHA3_256: return EVP_sha3_256();
	case WD_CRYPTO_SM3: return EVP_sm3();
	default: return EVP_sha256();
	}
}

static const EVP_CIPHER *cipher_of(int alg, size_t klen)
{
	bool k256 = klen == 32 || klen == 64;

	switch (alg) {
	case WD_CRYPTO_AES_CBC:
		return k256 ? EVP_aes_256_cbc() : EVP_aes_128_cbc();
	case WD_CRYPTO_AES_CTR:
		return k256 ? EVP_aes_256_ctr() : EVP_aes_128_ctr();
	case WD_CRYPTO_AES_XTS:
		return klen == 64 ? EVP_aes_256_xts() : EVP_aes_128_xts();
	case WD_CRYPTO_SM4_CBC:
		return EVP_sm4_cbc();
	default:
		return k256 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
	}
}

/* The oracle's cipher; GCM: @tag in (decrypt) or out. 1 if it worked. */
static int oracle_cipher(int alg, int enc, const unsigned char *key,
			 size_t klen, const unsigned char *iv, size_t ivlen,
			 const unsigned char *aad, size_t aad_len,
			 const unsigned char *in, size_t len, unsigned char *out,
			 unsigned char *tag, size_t tag_len)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	bool gcm = alg == WD_CRYPTO_AES_GCM;
	int n = 0, ok;

	ok = c && EVP_CipherInit_ex(c, cipher_of(alg, klen), NULL, NULL, NULL,
				    enc) &&
	     (!gcm || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN,
					  (int)ivlen, NULL)) &&
	     EVP_CipherInit_ex(c, NULL, NULL, key, iv, enc) &&
	     EVP_CIPHER_CTX_set_padding(c, 0);
	if (ok && gcm && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, (int)tag_len,
					 tag);
	if (ok && gcm && aad_len)
		ok = EVP_CipherUpdate(c, NULL, &n, aad, (int)aad_len);
	if (ok && (len || alg != WD_CRYPTO_AES_XTS))
		ok = EVP_CipherUpdate(c, out, &n, in, (int)len);
	if (ok)
		ok = EVP_CipherFinal_ex(c, out + n, &n);
	if (ok && gcm && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, (int)tag_len,
					 tag);
	EVP_CIPHER_CTX_free(c);
	return ok;
}

static void oracle_digest(int alg, const unsigned char *key, size_t klen,
			  const unsigned char *in, size_t len,
			  unsigned char *out)
{
	unsigned int n = 0;

	if (alg == WD_CRYPTO_HMAC_SHA256) {
		if (!HMAC(EVP_sha256(), klen ? key : (const void *)"", (int)klen,
			  in, len, out, &n))
			FAIL("oracle HMAC failed");
	} else if (!EVP_Digest(in, len, out, &n, md_of(alg), NULL)) {
		FAIL("oracle digest failed");
	}
}

/* A random length: mostly small, some large, some near the top. */
static size_t rnd_len(size_t max)
{
	switch (rnd_below(8)) {
	case 0:
		return rnd_below(17);
	case 1:
		return max - rnd_below(WD_MIN_(max, 4096) + 1);
	case 2:
		return rnd_below(max + 1);
	default:
		return rnd_below(WD_MIN_(max, 70000) + 1);
	}
}

static void check_path(struct wd_crypto *s, const char *what)
{
	enum wd_reason why;
	unsigned int path = wd_crypto_path(s, &why);

	if (path & WD_PATH_HW)
		paths_hw++;
	if (path & WD_PATH_SW)
		paths_sw++;
	if (want_hw && path != WD_PATH_HW)
		FAIL("%s: path %#x (reason %s), want the device only", what,
		     path, wd_reason_name(why));
}

/* A buffer at an odd address: freed with free(p - off). */
static unsigned char *odd_alloc(size_t len, size_t *off)
{
	unsigned char *p;

	*off = rnd_below(16);
	p = malloc(len + *off + 1);
	if (!p)
		FAIL("out of memory");
	return p + *off;
}

static int async_one(struct wd_crypto *s, struct wd_crypto_req *r)
{
	struct wd_crypto_req *rp = r, *done = NULL;
	int ret = wd_crypto_submit(s, &rp, 1);

	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	ret = wd_crypto_poll(s, &done, 1, 1, 60000);
	if (ret != 1 || done != r)
		return ret < 0 ? ret : -EIO;
	return r->status;
}

static void run_digest(int alg, size_t max)
{
	size_t klen = 0, len = rnd_len(max), off, n;
	unsigned char key[100], want[64], got[64], got2[64];
	struct wd_crypto_params p = { .alg = alg };
	struct wd_crypto_stream *st, *dup = NULL;
	size_t size = wd_crypto_digest_size(alg), glen;
	unsigned char *in = odd_alloc(len, &off);
	struct wd_crypto *s;
	int ret;

	if (alg == WD_CRYPTO_HMAC_SHA256) {
		klen = rnd_below(sizeof(key) + 1);
		rnd_fill(key, klen);
		p.key = key;
		p.key_len = klen;
	}
	rnd_fill(in, len);
	oracle_digest(alg, key, klen, in, len, want);
	ret = wd_crypto_open(&s, &p);
	if (ret)
		FAIL("open %s: %d", wd_crypto_alg_name(alg), ret);
	glen = sizeof(got);
	ret = wd_digest(s, in, len, got, &glen);
	if (ret || glen != size || memcmp(got, want, size))
		FAIL("%s one-shot of %zu bytes (key %zu): %d",
		     wd_crypto_alg_name(alg), len, klen, ret);
	{
		struct wd_crypto_req r = {
			.src = in, .src_len = len, .dst = got,
			.dst_len = sizeof(got),
		};

		memset(got, 0, sizeof(got));
		ret = async_one(s, &r);
		if (ret || r.produced != size || memcmp(got, want, size))
			FAIL("%s async of %zu bytes: %d",
			     wd_crypto_alg_name(alg), len, ret);
	}
	ret = wd_crypto_stream_open(&st, s, WD_ENCRYPT, NULL, 0);
	if (ret)
		FAIL("%s stream open: %d", wd_crypto_alg_name(alg), ret);
	for (size_t done = 0; done < len || !done; done += n) {
		n = rnd_below(len - done + 1);
		if (!dup && (rnd_below(3) == 0 || done + n == len)) {
			ret = wd_crypto_stream_dup(&dup, st);
			if (ret)
				FAIL("stream dup: %d", ret);
			ret = wd_crypto_stream_update(dup, in + done, len - done,
						      NULL, NULL);
			if (ret)
				FAIL("dup update: %d", ret);
		}
		ret = wd_crypto_stream_update(st, in + done, n, NULL, NULL);
		if (ret)
			FAIL("%s stream update of %zu at %zu: %d",
			     wd_crypto_alg_name(alg), n, done, ret);
		if (!len)
			break;
	}
	glen = sizeof(got);
	ret = wd_crypto_stream_final(st, got, &glen);
	if (ret || glen != size || memcmp(got, want, size))
		FAIL("%s stream of %zu bytes: %d", wd_crypto_alg_name(alg), len,
		     ret);
	glen = sizeof(got2);
	ret = dup ? wd_crypto_stream_final(dup, got2, &glen) : -EIO;
	if (ret || glen != size || memcmp(got2, want, size))
		FAIL("%s stream copied mid-way: %d", wd_crypto_alg_name(alg),
		     ret);
	wd_crypto_stream_close(dup);
	wd_crypto_stream_close(st);
	check_path(s, wd_crypto_alg_name(alg));
	wd_crypto_close(s);
	free(in - off);
}

static size_t key_len_of(int alg)
{
	switch (alg) {
	case WD_CRYPTO_SM4_CBC:
		return 16;
	case WD_CRYPTO_AES_XTS:
		return rnd_below(2) ? 64 : 32;
	default:
		return rnd_below(2) ? 32 : 16;
	}
}

/* Bad input is refused and the session's next request still runs. */
static void bad_input(struct wd_crypto *s, int alg, const unsigned char *key,
		      size_t klen)
{
	struct wd_crypto_params p = { .alg = alg, .key = key,
				      .key_len = klen + 1 };
	unsigned char buf[64], iv[16] = { 0 }, tag[16] = { 0 };
	struct wd_crypto *bad = NULL;
	int ret;

	memset(buf, 0x5a, sizeof(buf));
	ret = wd_crypto_open(&bad, &p);
	if (ret != -EINVAL || bad)
		FAIL("%s key of %zu bytes: %d, want -EINVAL",
		     wd_crypto_alg_name(alg), klen + 1, ret);
	if (alg == WD_CRYPTO_AES_GCM) {
		ret = wd_aead(s, WD_ENCRYPT, iv, 12, NULL, 0, buf, 32, buf,
			      tag, 5);
		if (ret != -EINVAL)
			FAIL("GCM tag of 5 bytes: %d, want -EINVAL", ret);
		return;
	}
	ret = wd_cipher(s, WD_ENCRYPT, iv, 15, buf, 32, buf);
	if (ret != -EINVAL)
		FAIL("%s IV of 15 bytes: %d", wd_crypto_alg_name(alg), ret);
	if (alg == WD_CRYPTO_AES_CBC || alg == WD_CRYPTO_SM4_CBC) {
		ret = wd_cipher(s, WD_ENCRYPT, iv, 16, buf, 33, buf);
		if (ret != -EINVAL)
			FAIL("CBC of 33 bytes: %d", ret);
	}
	if (alg == WD_CRYPTO_AES_XTS) {
		ret = wd_cipher(s, WD_ENCRYPT, iv, 16, buf, 15, buf);
		if (ret != -EINVAL)
			FAIL("XTS of 15 bytes: %d", ret);
	}
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i] != 0x5a)
			FAIL("a refused request wrote its output");
}

static void run_cipher(int alg, size_t max)
{
	bool gcm = alg == WD_CRYPTO_AES_GCM, inplace = rnd_below(2);
	bool cbc = alg == WD_CRYPTO_AES_CBC || alg == WD_CRYPTO_SM4_CBC;
	size_t klen = key_len_of(alg), len = rnd_len(max), offs[4];
	size_t ivlen = gcm ? (want_hw ? 12 : 1 + rnd_below(3) * 11) : 16;
	size_t aad_len = gcm ? rnd_below(rnd_below(4) ? 64 : 1024) : 0;
	size_t tag_len = gcm ? (size_t[]){ 4, 8, 12, 13, 14, 15, 16 }
				[rnd_below(7)] : 0;
	unsigned char key[64], iv[32], tag[16], tag2[16];
	struct wd_crypto_params p = { .alg = alg, .key = key,
				      .key_len = klen };
	unsigned char *in, *want, *out, *aad;
	struct wd_crypto *s;
	int dir = (int)rnd_below(2), ret;

	if (cbc)
		len &= ~(size_t)15;
	/* a GCM message is AAD, text and tag: at most --max-size in all */
	if (gcm && aad_len + tag_len >= max)
		aad_len = 0;
	if (gcm && len + aad_len + tag_len > max)
		len = max - aad_len - tag_len;
	if (alg == WD_CRYPTO_AES_XTS)
		len = len < 16 ? 16 : WD_MIN_(len, (size_t)1 << 24);
	rnd_fill(key, klen);
	/* XTS: the two halves differ, as OpenSSL wants for encryption */
	if (alg == WD_CRYPTO_AES_XTS)
		key[klen / 2] = (unsigned char)(key[0] + 1);
	rnd_fill(iv, sizeof(iv));
	in = odd_alloc(len, &offs[0]);
	want = odd_alloc(len, &offs[1]);
	out = odd_alloc(len, &offs[2]);
	aad = odd_alloc(aad_len, &offs[3]);
	rnd_fill(in, len);
	rnd_fill(aad, aad_len);
	if (gcm)
		dir = WD_ENCRYPT;
	if (!oracle_cipher(alg, dir == WD_ENCRYPT, key, klen, iv, ivlen, aad,
			   aad_len, in, len, want, tag, tag_len))
		FAIL("oracle %s failed", wd_crypto_alg_name(alg));
	ret = wd_crypto_open(&s, &p);
	if (ret)
		FAIL("open %s: %d", wd_crypto_alg_name(alg), ret);

	/* one-shot, in place or not */
	if (inplace)
		memcpy(out, in, len);
	if (gcm)
		ret = wd_aead(s, WD_ENCRYPT, iv, ivlen, aad, aad_len,
			      inplace ? out : in, len, out, tag2, tag_len);
	else
		ret = wd_cipher(s, dir, iv, 16, inplace ? out : in, len, out);
	if (ret || memcmp(out, want, len) || (gcm && memcmp(tag, tag2, tag_len)))
		FAIL("%s one-shot (dir %d, %zu bytes, key %zu, %s, aad %zu, "
		     "iv %zu, tag %zu): %d (%s differs)",
		     wd_crypto_alg_name(alg), dir, len, klen,
		     inplace ? "in place" : "apart", aad_len, ivlen, tag_len,
		     ret, ret ? "nothing" : memcmp(out, want, len) ? "text" :
		     "tag");
	{
		struct wd_crypto_req r = {
			.dir = dir, .iv = iv, .iv_len = ivlen, .aad = aad,
			.aad_len = aad_len, .src = in, .src_len = len,
			.dst = out, .dst_len = len, .tag = tag2,
			.tag_len = tag_len,
		};

		memset(out, 0, len);
		ret = async_one(s, &r);
		if (ret || memcmp(out, want, len) ||
		    (gcm && memcmp(tag, tag2, tag_len)))
			FAIL("%s async of %zu bytes: %d",
			     wd_crypto_alg_name(alg), len, ret);
	}
	if (gcm) {
		/* decryption with the tag, then with one bit of it wrong */
		memcpy(tag2, tag, tag_len);
		ret = wd_aead(s, WD_DECRYPT, iv, ivlen, aad, aad_len, want, len,
			      out, tag2, tag_len);
		if (ret || memcmp(out, in, len))
			FAIL("GCM decryption of %zu bytes: %d", len, ret);
		tag2[rnd_below(tag_len)] ^= (unsigned char)(1 << rnd_below(8));
		memset(out, 0xa5, len);
		ret = wd_aead(s, WD_DECRYPT, iv, ivlen, aad, aad_len, want, len,
			      out, tag2, tag_len);
		for (size_t i = 0; i < len && ret == -EBADMSG; i++)
			if (out[i])
				FAIL("GCM left plaintext of a corrupted tag");
		if (ret != -EBADMSG)
			FAIL("GCM corrupted tag of %zu bytes: %d, want -EBADMSG",
			     tag_len, ret);
	} else if (alg != WD_CRYPTO_AES_XTS) {
		struct wd_crypto_stream *st;
		size_t done = 0, made = 0, n, room;

		ret = wd_crypto_stream_open(&st, s, dir, iv, 16);
		if (ret)
			FAIL("%s stream open: %d", wd_crypto_alg_name(alg), ret);
		memset(out, 0, len);
		while (done < len) {
			n = rnd_below(len - done + 1);
			room = len - made;
			ret = wd_crypto_stream_update(st, in + done, n,
						      out + made, &room);
			if (ret)
				FAIL("%s stream update of %zu at %zu: %d",
				     wd_crypto_alg_name(alg), n, done, ret);
			done += n;
			made += room;
		}
		room = 0;
		ret = wd_crypto_stream_final(st, NULL, &room);
		if (ret || made != len || memcmp(out, want, len))
			FAIL("%s stream of %zu bytes (made %zu): %d",
			     wd_crypto_alg_name(alg), len, made, ret);
		wd_crypto_stream_close(st);
	}
	if (!rnd_below(4)) {
		bad_input(s, alg, key, klen);
		/* the session (and its queue) still runs requests */
		if (gcm)
			ret = wd_aead(s, WD_ENCRYPT, iv, ivlen, aad, aad_len,
				      in, len, out, tag2, tag_len);
		else
			ret = wd_cipher(s, dir, iv, 16, in, len, out);
		if (ret || memcmp(out, want, len))
			FAIL("%s after bad input: %d", wd_crypto_alg_name(alg),
			     ret);
	}
	check_path(s, wd_crypto_alg_name(alg));
	wd_crypto_close(s);
	free(in - offs[0]);
	free(want - offs[1]);
	free(out - offs[2]);
	free(aad - offs[3]);
}

/*
 * A keyed session used before fork() goes on in the child (its queue and
 * key slot are the parent's: the child finds a queue and loads the key
 * again) and in the parent, both as OpenSSL computes.  1 if both did.
 */
static int fork_check(void)
{
	unsigned char key[32], iv[16], in[4096], want[4096], out[4096];
	struct wd_crypto_params p = { .alg = WD_CRYPTO_AES_CBC, .key = key,
				      .key_len = sizeof(key) };
	struct wd_crypto *s;
	int status = 1;
	pid_t pid;

	rnd_fill(key, sizeof(key));
	rnd_fill(iv, sizeof(iv));
	rnd_fill(in, sizeof(in));
	if (!oracle_cipher(WD_CRYPTO_AES_CBC, 1, key, sizeof(key), iv, 16,
			   NULL, 0, in, sizeof(in), want, NULL, 0) ||
	    wd_crypto_open(&s, &p))
		return 0;
	if (wd_cipher(s, WD_ENCRYPT, iv, 16, in, sizeof(in), out) ||
	    memcmp(out, want, sizeof(out)))
		return 0;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 0;
	memset(out, 0, sizeof(out));
	if (wd_cipher(s, WD_ENCRYPT, iv, 16, in, sizeof(in), out) ||
	    memcmp(out, want, sizeof(out)) ||
	    (want_hw && wd_crypto_path(s, NULL) != WD_PATH_HW))
		status = 0;
	wd_crypto_close(s);
	if (!pid)
		_exit(status ? 0 : 1);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return 0;
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long iterations = 300, seconds = 60;
	size_t max = 1 << 20;
	const char *policy = getenv("WD_POLICY");
	time_t end;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--iterations"))
			iterations = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--max-size"))
			max = strtoul(argv[i + 1], NULL, 0);
		else
			argc = 0;
	}
	if (argc % 2 != 1 || max < 16) {
		fprintf(stderr, "usage: crypto_oracle_test [--seed N] "
			"[--iterations N] [--seconds N] [--max-size BYTES]\n");
		return 2;
	}
	want_hw = policy && !strcmp(policy, "hw");
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	end = time(NULL) + (time_t)seconds;
	for (iter = 0; iter < iterations && time(NULL) < end; iter++) {
		int alg = 1 + (int)rnd_below(10);

		if (alg <= WD_CRYPTO_HMAC_SHA256)
			run_digest(alg, max);
		else
			run_cipher(alg, max);
	}
	/* every algorithm ran at least once in a long enough run */
	printf("ok 1 %lu random requests (seed %llu) as OpenSSL computes "
	       "them; sessions on the device %d, in software %d%s\n", iter,
	       seed, paths_hw, paths_sw, want_hw ? " (policy hw)" : "");
	printf("%sok 2 at least 20 iterations ran\n", iter >= 20 ? "" : "not ");
	{
		int forked = fork_check();

		printf("%sok 3 a session used before fork() runs right in the "
		       "child and the parent\n", forked ? "" : "not ");
		printf("1..3\n");
		return iter < 20 || !forked;
	}
}
