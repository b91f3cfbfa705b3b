// SPDX-License-Identifier: GPL-2.0
/*
 * Registered memory of crypto sessions (wd_crypto_buf_register(),
 * wd_crypto_buf_unregister()), as lib_hw_test's test_registered() does
 * for compression, with the device's pinned page counters of wd_mem_test.
 *
 *   lib_crypto_mem_test        on the first vcrypt device, under policy
 *                              hw.  With SVA: VmPin and the device's
 *                              pinned_pages growing and shrinking with the
 *                              registrations; one-shot, async and stream
 *                              requests inside them (AES-256-CBC, CTR in
 *                              place, SHA-256 from another session of the
 *                              process) against OpenSSL's libcrypto, with
 *                              pinned_pages_total unchanged; -EEXIST; a
 *                              forked child; unregister, -ENOENT, and the
 *                              memory still working, pinned per request;
 *                              the 64 registrations of a queue;
 *                              RLIMIT_MEMLOCK; closing the session.
 *                              Without SVA (sva=0): -EOPNOTSUPP.
 *   lib_crypto_mem_test nodev  no device (the harness names none:
 *                              WD_DEVICE_VCRYPT=vcrypt-99): -ENODEV under
 *                              policies sw and auto, bad arguments.
 *
 * Prints TAP; exits non-zero when a case failed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <misc/uacce/uacce.h>
#include <misc/uacce/wd_mem.h>
#include <openssl/evp.h>
#include <warpdrive/crypto.h>
#include <warpdrive/queue.h>

#include "tap.h"
#include "memlock.h"

#define MIB		(1024 * 1024)
#define VCRYPT_DEBUGFS	"/sys/kernel/debug/vcrypt"

static size_t page;
static char device[WD_NAME_MAX];

static const unsigned char key[32] = {
	0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae,
	0xf0, 0x85, 0x7d, 0x77, 0x81, 0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61,
	0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4,
};

static const unsigned char iv[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };

/* A counter of the device's debugfs stats (wd_engine's), or -1. */
static long long dev_stat(const char *name)
{
	char path[256], line[256];
	size_t len = strlen(name);
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), VCRYPT_DEBUGFS "/%s/stats", device);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ' ')
			v = atoll(line + len + 1);
	fclose(f);
	return v;
}

static void *pages_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void fill(unsigned char *p, size_t len, unsigned int seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)x;
	}
}

static struct wd_crypto *session(enum wd_crypto_alg alg, enum wd_policy pol)
{
	struct wd_crypto_params p = {
		.alg = alg, .policy = pol, .flags = WD_CRYPTO_F_THRESHOLD,
	};
	struct wd_crypto *s = NULL;

	if (alg != WD_CRYPTO_SHA256) {
		p.key = key;
		p.key_len = sizeof(key);
	}
	if (wd_crypto_open(&s, &p))
		return NULL;
	return s;
}

/* OpenSSL's AES-256 (CBC, CTR) of @in, no padding; 0 or -1. */
static int ossl_aes(enum wd_crypto_alg alg, const unsigned char *ivp,
		    const unsigned char *in, size_t len, unsigned char *out)
{
	const EVP_CIPHER *c = alg == WD_CRYPTO_AES_CBC ? EVP_aes_256_cbc() :
			      EVP_aes_256_ctr();
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, m = 0, ok;

	ok = ctx && EVP_CipherInit_ex(ctx, c, NULL, key, ivp, 1) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	     EVP_CipherUpdate(ctx, out, &n, in, (int)len) &&
	     EVP_CipherFinal_ex(ctx, out + n, &m);
	EVP_CIPHER_CTX_free(ctx);
	return ok && (size_t)(n + m) == len ? 0 : -1;
}

/* The session's AES-256 of @alg is OpenSSL's (@dst may be @src). */
static bool cipher_ok(struct wd_crypto *s, enum wd_crypto_alg alg,
		      const unsigned char *src, size_t len, unsigned char *dst)
{
	unsigned char *want = malloc(len);
	bool ok;

	ok = want && !ossl_aes(alg, iv, src, len, want) &&
	     !wd_cipher(s, WD_ENCRYPT, iv, sizeof(iv), src, len, dst) &&
	     !memcmp(dst, want, len) &&
	     wd_crypto_path(s, NULL) == WD_PATH_HW;
	free(want);
	return ok;
}

/* The session's SHA-256 of @src, written at @md, is OpenSSL's. */
static bool digest_ok(struct wd_crypto *s, const void *src, size_t len,
		      unsigned char *md)
{
	unsigned char want[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	size_t md_len = 32;

	return !wd_digest(s, src, len, md, &md_len) && md_len == 32 &&
	       EVP_Digest(src, len, want, &n, EVP_sha256(), NULL) &&
	       n == 32 && !memcmp(md, want, 32);
}

/* @n AES-CBC requests of @len bytes from @src to @dst + i * @len, async. */
static bool async_ok(struct wd_crypto *s, const unsigned char *src,
		     size_t len, unsigned char *dst, unsigned int n)
{
	struct wd_crypto_req reqs[8], *ptrs[8], *done[8];
	unsigned char *want = malloc(len);
	unsigned int got = 0, good = 0;
	bool ok = want && n <= 8 &&
		  !ossl_aes(WD_CRYPTO_AES_CBC, iv, src, len, want);

	for (unsigned int i = 0; ok && i < n; i++) {
		reqs[i] = (struct wd_crypto_req){
			.dir = WD_ENCRYPT, .iv = iv, .iv_len = sizeof(iv),
			.src = src, .src_len = len, .dst = dst + i * len,
			.dst_len = len,
		};
		ptrs[i] = &reqs[i];
	}
	if (ok && wd_crypto_submit(s, ptrs, n) != (int)n)
		ok = false;
	while (ok && got < n) {
		int r = wd_crypto_poll(s, done, 8, 1, 10000);

		if (r <= 0) {
			ok = false;
			break;
		}
		for (int i = 0; i < r; i++)
			good += !done[i]->status &&
				done[i]->path == WD_PATH_HW &&
				!memcmp(done[i]->dst, want, len);
		got += (unsigned int)r;
	}
	free(want);
	return ok && good == n;
}

/* A CTR stream of @len bytes from @src to @dst in three pieces is OpenSSL's. */
static bool stream_ok(struct wd_crypto *s, const unsigned char *src,
		      size_t len, unsigned char *dst)
{
	size_t cut[4] = { 0, len / 3, 2 * len / 3, len }, made = 0;
	unsigned char *want = malloc(len);
	struct wd_crypto_stream *st = NULL;
	bool ok;

	ok = want && !ossl_aes(WD_CRYPTO_AES_CTR, iv, src, len, want) &&
	     !wd_crypto_stream_open(&st, s, WD_ENCRYPT, iv, sizeof(iv)) &&
	     wd_crypto_stream_path(st, NULL) == WD_PATH_HW;
	for (int i = 0; ok && i < 3; i++) {
		size_t room = len - made;

		ok = !wd_crypto_stream_update(st, src + cut[i],
					      cut[i + 1] - cut[i],
					      dst + made, &room);
		made += room;
	}
	if (ok) {
		size_t none = 0;

		ok = !wd_crypto_stream_final(st, NULL, &none) &&
		     made == len && !memcmp(dst, want, len);
	}
	wd_crypto_stream_close(st);
	free(want);
	return ok;
}

/* In a child without CAP_IPC_LOCK and 16 pages of RLIMIT_MEMLOCK. */
static int memlock_child(void)
{
	unsigned char *buf = pages_alloc(32 * page), md[32];
	struct wd_crypto *s;
	long lck;

	if (!buf)
		return 10;
	if (memlock_limit(16 * page))
		return 11;
	s = session(WD_CRYPTO_SHA256, WD_POLICY_HW);
	if (!s)
		return 12;
	lck = vmpin_kib();
	if (wd_crypto_buf_register(s, buf, 8 * page))
		return 13;
	if (vmpin_kib() != lck + (long)(8 * page / 1024))
		return 14;
	if (wd_crypto_buf_register(s, buf + 8 * page, 16 * page) != -ENOMEM)
		return 15;
	if (vmpin_kib() != lck + (long)(8 * page / 1024))
		return 16;
	/* the memory it refused still works, pinned per request */
	fill(buf, 32 * page, 7);
	if (!digest_ok(s, buf + 8 * page, 16 * page, md))
		return 17;
	if (wd_crypto_buf_unregister(s, buf) || vmpin_kib() != lck)
		return 18;
	if (wd_crypto_buf_register(s, buf + 8 * page, 16 * page) ||
	    wd_crypto_buf_unregister(s, buf + 8 * page))
		return 19;
	wd_crypto_close(s);
	return 0;
}

static void test_memlock(void)
{
	pid_t pid = fork();
	int st = -1;

	if (!pid)
		_exit(memlock_child());
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && !WEXITSTATUS(st),
	       "RLIMIT_MEMLOCK: within it registers, beyond it -ENOMEM with VmPin unchanged and the memory still working, back down after (child %d)",
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void test_cap(struct wd_crypto *s)
{
	size_t n = WD_MEM_MAX_REGIONS + 1, i, ok = 0;
	unsigned char *buf = pages_alloc(n * page);
	long long pin0 = dev_stat("pinned_pages");

	for (i = 0; buf && i < WD_MEM_MAX_REGIONS; i++)
		ok += !wd_crypto_buf_register(s, buf + i * page, page);
	tap_ok(ok == WD_MEM_MAX_REGIONS, "%d registrations of a page each",
	       WD_MEM_MAX_REGIONS);
	tap_ok(buf && wd_crypto_buf_register(s, buf + i * page, page) ==
	       -ENOSPC, "one more: -ENOSPC");
	tap_ok(buf && !wd_crypto_buf_unregister(s, buf) &&
	       !wd_crypto_buf_register(s, buf + i * page, page),
	       "after one is unregistered another registers");
	for (i = 1; buf && i <= WD_MEM_MAX_REGIONS; i++)
		wd_crypto_buf_unregister(s, buf + i * page);
	tap_ok(dev_stat("pinned_pages") == pin0, "all unregistered");
	if (buf)
		munmap(buf, n * page);
}

static int test_device(void)
{
	size_t len = MIB, n = len - 2 * page, third = 64 * 1024;
	unsigned char *src = pages_alloc(len), *dst = pages_alloc(len);
	struct wd_crypto *cbc = session(WD_CRYPTO_AES_CBC, WD_POLICY_HW);
	struct wd_crypto *ctr = session(WD_CRYPTO_AES_CTR, WD_POLICY_HW);
	struct wd_crypto *sha = session(WD_CRYPTO_SHA256, WD_POLICY_HW);
	long lck0 = vmpin_kib();
	long long pin0, tot0, grew;
	pid_t pid;
	int st = -1;
	bool ok;

	tap_plan(28);
	if (!src || !dst || !cbc || !ctr || !sha) {
		tap_ok(0, "buffers and policy hw sessions of AES-CBC, AES-CTR, SHA-256");
		return tap_done();
	}
	fill(src, len, 1);
	pin0 = dev_stat("pinned_pages");
	tap_ok(pin0 >= 0 && lck0 >= 0,
	       "the device's pinned_pages (%lld, debugfs of %s) and VmPin (%ld)",
	       pin0, device, lck0);

	tap_ok(!wd_crypto_buf_register(cbc, src, len) &&
	       !wd_crypto_buf_register(cbc, dst, len),
	       "wd_crypto_buf_register() a source and a destination of 1 MiB");
	tap_ok(vmpin_kib() == lck0 + 2 * 1024,
	       "VmPin grows by 2048 KiB (%ld -> %ld)", lck0, vmpin_kib());
	tap_ok(dev_stat("pinned_pages") == pin0 + (long long)(2 * len / page),
	       "the device counts the registered pages pinned");

	tot0 = dev_stat("pinned_pages_total");
	tap_ok(cipher_ok(cbc, WD_CRYPTO_AES_CBC, src + page + 16, n, dst + 32),
	       "wd_cipher() AES-256-CBC of %zu bytes inside them is OpenSSL's",
	       n);
	tap_ok(cipher_ok(ctr, WD_CRYPTO_AES_CTR, dst + 32, n, dst + 32),
	       "AES-256-CTR in place, another session of the process, is OpenSSL's");
	tap_ok(digest_ok(sha, src + 5, n - 7, dst + len - 64),
	       "SHA-256 of another session into the destination is OpenSSL's");
	tap_ok(async_ok(cbc, src, 128 * 1024, dst, 8),
	       "8 async AES-CBC requests of 128 KiB inside them are OpenSSL's");
	tap_ok(dev_stat("pinned_pages_total") == tot0,
	       "and none of them pinned a page (pinned_pages_total %lld -> %lld)",
	       tot0, dev_stat("pinned_pages_total"));
	tot0 = dev_stat("pinned_pages_total");
	ok = stream_ok(ctr, src, 3 * third, dst);
	grew = dev_stat("pinned_pages_total") - tot0;
	tap_ok(ok, "an AES-CTR stream in three pieces inside them is OpenSSL's");
	/* 4 requests (3 pieces, the end), each its context of <= 2 pages */
	tap_ok(grew <= 8,
	       "pinning its context only, none of its %zu source and destination pages (%lld)",
	       2 * 3 * third / page, grew);

	tap_ok(wd_crypto_buf_register(cbc, src + page, page) == -EEXIST,
	       "registering a registered page again: -EEXIST");
	tap_ok(wd_crypto_buf_register(sha, src, len) == -EEXIST &&
	       wd_crypto_buf_unregister(sha, src) == -ENOENT,
	       "another session of the process shares the queue: -EEXIST, and -ENOENT for one not its own");

	pid = fork();
	if (!pid) {
		/* the child forgets the parent's, and works without it */
		_exit(!wd_crypto_buf_unregister(cbc, src) &&
		      cipher_ok(cbc, WD_CRYPTO_AES_CBC, src, len, dst) &&
		      wd_crypto_buf_unregister(cbc, src) == -ENOENT ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && !WEXITSTATUS(st),
	       "a forked child forgets the parent's registration and its requests are right");
	tap_ok(vmpin_kib() == lck0 + 2 * 1024,
	       "the parent's registrations are intact");

	tap_ok(!wd_crypto_buf_unregister(cbc, src) &&
	       !wd_crypto_buf_unregister(cbc, dst),
	       "wd_crypto_buf_unregister() both");
	tap_ok(vmpin_kib() == lck0, "VmPin is back (%ld)", vmpin_kib());
	tap_ok(dev_stat("pinned_pages") == pin0,
	       "the device's pinned pages are back");
	tap_ok(wd_crypto_buf_unregister(cbc, src) == -ENOENT,
	       "unregistering again: -ENOENT");
	tot0 = dev_stat("pinned_pages_total");
	fill(src, len, 2);
	ok = digest_ok(sha, src, len, dst);
	grew = dev_stat("pinned_pages_total") - tot0;
	tap_ok(ok && grew == (long long)(len / page) + 1,
	       "after unregistering, the memory still works, pinned per request (%lld pages)",
	       grew);
	tot0 = dev_stat("pinned_pages_total");
	ok = stream_ok(ctr, src, 3 * third, dst);
	grew = dev_stat("pinned_pages_total") - tot0;
	tap_ok(ok && grew >= (long long)(2 * 3 * third / page),
	       "and the same stream pins its source and destination again (%lld pages)",
	       grew);

	test_cap(cbc);
	test_memlock();

	tap_ok(!wd_crypto_buf_register(cbc, src, len) &&
	       vmpin_kib() == lck0 + 1024, "register once more");
	wd_crypto_close(cbc);
	tap_ok(vmpin_kib() == lck0 && dev_stat("pinned_pages") == pin0,
	       "closing the session unregisters the rest");
	wd_crypto_close(ctr);
	wd_crypto_close(sha);
	munmap(src, len);
	munmap(dst, len);
	return tap_done();
}

static int test_no_sva(void)
{
	unsigned char *buf = pages_alloc(2 * page);
	struct wd_crypto *cbc = session(WD_CRYPTO_AES_CBC, WD_POLICY_HW);

	tap_plan(3);
	if (!buf || !cbc) {
		tap_ok(0, "a buffer and a policy hw AES-CBC session");
		return tap_done();
	}
	fill(buf, page, 3);
	tap_ok(wd_crypto_buf_register(cbc, buf, page) == -EOPNOTSUPP,
	       "no SVA: wd_crypto_buf_register() fails with -EOPNOTSUPP");
	tap_ok(wd_crypto_buf_unregister(cbc, buf) == -ENOENT,
	       "and there is nothing to unregister: -ENOENT");
	tap_ok(cipher_ok(cbc, WD_CRYPTO_AES_CBC, buf, page, buf + page),
	       "the memory works, copied through the SS region");
	wd_crypto_close(cbc);
	munmap(buf, 2 * page);
	return tap_done();
}

/* No device: the harness names one that does not exist. */
static int test_nodev(void)
{
	unsigned char *buf = pages_alloc(2 * page), md[32];
	struct wd_crypto *sw = session(WD_CRYPTO_SHA256, WD_POLICY_SW);
	struct wd_crypto *aut = session(WD_CRYPTO_SHA256, WD_POLICY_AUTO);
	struct wd_crypto *hw = NULL;
	struct wd_crypto_params p = {
		.alg = WD_CRYPTO_SHA256, .policy = WD_POLICY_HW,
	};
	enum wd_reason why = WD_REASON_NONE;

	tap_plan(9);
	if (!buf || !sw || !aut) {
		tap_ok(0, "a buffer and sessions of policies sw and auto");
		return tap_done();
	}
	tap_ok(wd_crypto_open(&hw, &p) == -ENODEV,
	       "no vcrypt device: policy hw does not open (-ENODEV)");
	tap_ok(wd_crypto_buf_register(sw, buf, page) == -ENODEV,
	       "policy sw: wd_crypto_buf_register() fails with -ENODEV");
	tap_ok(wd_crypto_buf_register(aut, buf, page) == -ENODEV,
	       "policy auto without a device: -ENODEV");
	fill(buf, page, 4);
	tap_ok(digest_ok(aut, buf, page, md) &&
	       wd_crypto_path(aut, &why) == WD_PATH_SW &&
	       why == WD_REASON_NO_DEVICE,
	       "and the memory works in software, reason no-device");
	tap_ok(wd_crypto_buf_unregister(aut, buf) == -ENOENT &&
	       wd_crypto_buf_unregister(sw, buf) == -ENOENT,
	       "nothing to unregister: -ENOENT");
	tap_ok(wd_crypto_buf_register(NULL, buf, page) == -EINVAL &&
	       wd_crypto_buf_register(aut, NULL, page) == -EINVAL,
	       "no session, no buffer: -EINVAL");
	tap_ok(wd_crypto_buf_register(aut, buf, 0) == -EINVAL,
	       "an empty buffer: -EINVAL");
	tap_ok(wd_crypto_buf_register(aut, (void *)(uintptr_t)-page,
				      2 * page) == -EINVAL,
	       "a buffer wrapping around the address space: -EINVAL");
	tap_ok(wd_crypto_buf_unregister(NULL, buf) == -EINVAL &&
	       wd_crypto_buf_unregister(aut, NULL) == -EINVAL,
	       "unregister without a session or buffer: -EINVAL");
	wd_crypto_close(sw);
	wd_crypto_close(aut);
	munmap(buf, 2 * page);
	return tap_done();
}

int main(int argc, char **argv)
{
	struct wd_device devs[16];
	int n, found = -1;

	page = (size_t)sysconf(_SC_PAGESIZE);
	if (argc == 2 && !strcmp(argv[1], "nodev"))
		return test_nodev();
	if (argc != 1) {
		fprintf(stderr, "usage: %s [nodev]\n", argv[0]);
		return 2;
	}
	n = wd_devices(devs, 16);
	for (int i = 0; i < n && i < 16; i++)
		if (!strncmp(devs[i].api, "vcrypt", 6)) {
			found = i;
			break;
		}
	if (found < 0) {
		tap_plan(1);
		tap_ok(0, "a vcrypt device (%d devices)", n);
		return tap_done();
	}
	snprintf(device, sizeof(device), "%s", devs[found].name);
	if (!(devs[found].flags & UACCE_DEV_SVA))
		return test_no_sva();
	return test_device();
}
