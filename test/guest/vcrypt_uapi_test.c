// SPDX-License-Identifier: GPL-2.0
/*
 * The vcrypt device protocol (Documentation/vcrypt.rst), spoken with the
 * raw UAPI and checked against OpenSSL's libcrypto: registers, KEY_LOAD
 * and KEY_CLEAR, one request per algorithm, GCM tag corruption, every
 * status of a malformed or unsuitable request (the queue still serving
 * after each), the order of errors, streams split across requests,
 * tampered, stale and spent contexts, in-place ciphers, hardware-error
 * injection, and the slots wiped when the queue is released.
 *
 * Works with SVA (process addresses) and without (the SS region): run it
 * with vcrypt loaded with sva=1 and with sva=0.  Root, debugfs mounted.
 * "all-algs" as the first argument requires every algorithm in ALGS (a
 * kernel with the whole crypto API); without it an algorithm the kernel
 * lacks must be refused with INVALID.  Prints TAP; exits non-zero when a
 * case failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <misc/uacce/uacce.h>
#include <misc/uacce/vcrypt.h>

#include "tap.h"

#define CLASS_DIR	"/sys/class/uacce"
#define DEBUGFS_DIR	"/sys/kernel/debug/vcrypt"
#define TIMEOUT_MS	60000
#define DATA_LEN	(16 * 1024 + 5)
#define MAX_ALLOCS	256

/* a queue as the application sees it (one thread) */
struct vq {
	int fd;
	char name[NAME_MAX + 1];
	struct uacce_queue_info info;
	const volatile uint32_t *regs;
	uint8_t *dus;
	size_t dus_size;
	struct vcrypt_sqe *sq;
	struct vcrypt_cqe *cq;
	uint32_t depth, sq_tail, cq_head;
	bool sva;
	uint8_t *ss;
	uint64_t ss_dma;
	size_t ss_size, ss_used;
	void *allocs[MAX_ALLOCS];
	int nr_allocs;
};

static struct vq q;
static uint32_t algs, key_slots, ctx_size;
static bool all_algs;

static const char *const alg_names[VCRYPT_ALG_NR] = {
	"none", "sha256", "sha512", "sha3-256", "sm3", "hmac-sha256",
	"aes-cbc", "aes-ctr", "aes-xts", "sm4-cbc", "aes-gcm",
};

/* ---- the raw protocol ---- */

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

static int find_device(char *name, size_t size)
{
	char path[PATH_MAX], api[64];
	DIR *dir = opendir(CLASS_DIR);
	struct dirent *de;
	int ret = -ENODEV;

	if (!dir)
		return ret;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "vcrypt-", 7))
			continue;
		snprintf(path, sizeof(path), CLASS_DIR "/%s/api", de->d_name);
		if (read_file(path, api, sizeof(api)) ||
		    strcmp(api, VCRYPT_API_VERSION "\n"))
			continue;
		if (strlen(de->d_name) < size && (ret || strcmp(de->d_name, name) < 0)) {
			strcpy(name, de->d_name);
			ret = 0;
		}
	}
	closedir(dir);
	return ret;
}

static long long stat_of(const char *key)
{
	char path[PATH_MAX], buf[8192], *p;
	size_t len = strlen(key);

	snprintf(path, sizeof(path), DEBUGFS_DIR "/%s/stats", q.name);
	if (read_file(path, buf, sizeof(buf)))
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, len) && p[len] == ' ')
			return atoll(p + len + 1);
	return -1;
}

static uint32_t reg(unsigned int offset)
{
	return le32toh(q.regs[offset / 4]);
}

static _Atomic uint32_t *ctrl(unsigned int offset)
{
	return (_Atomic uint32_t *)(q.dus + offset);
}

static int vq_open(const char *name)
{
	long page = sysconf(_SC_PAGESIZE);
	char path[PATH_MAX];
	void *p;

	memset(&q, 0, sizeof(q));
	snprintf(q.name, sizeof(q.name), "%s", name);
	snprintf(path, sizeof(path), "/dev/%s", name);
	q.fd = open(path, O_RDWR | O_CLOEXEC);
	if (q.fd < 0)
		return -errno;
	if (ioctl(q.fd, UACCE_CMD_QUEUE_INFO, &q.info))
		return -errno;
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, q.fd, UACCE_QFRT_MMIO * page);
	if (p == MAP_FAILED)
		return -errno;
	q.regs = p;
	q.dus_size = q.info.region_size[UACCE_QFRT_DUS];
	p = mmap(NULL, q.dus_size, PROT_READ | PROT_WRITE, MAP_SHARED, q.fd,
		 UACCE_QFRT_DUS * page);
	if (p == MAP_FAILED)
		return -errno;
	q.dus = p;
	q.sva = q.info.flags & UACCE_DEV_SVA;
	if (!q.sva) {
		struct uacce_ss_info ss;

		q.ss_size = q.info.region_size[UACCE_QFRT_SS];
		p = mmap(NULL, q.ss_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 q.fd, UACCE_QFRT_SS * page);
		if (p == MAP_FAILED)
			return -errno;
		q.ss = p;
		if (ioctl(q.fd, UACCE_CMD_GET_SS, &ss))
			return -errno;
		q.ss_dma = ss.dma_addr;
	}
	q.depth = reg(VCRYPT_REG_RING_DEPTH);
	q.sq = (void *)(q.dus + reg(VCRYPT_REG_SQ_OFFSET));
	q.cq = (void *)(q.dus + reg(VCRYPT_REG_CQ_OFFSET));
	return ioctl(q.fd, UACCE_CMD_START_Q) ? -errno : 0;
}

static void mem_reset(void)
{
	while (q.nr_allocs)
		free(q.allocs[--q.nr_allocs]);
	q.ss_used = 0;
}

static void vq_close(void)
{
	long page = sysconf(_SC_PAGESIZE);

	mem_reset();
	if (q.ss)
		munmap(q.ss, q.ss_size);
	munmap(q.dus, q.dus_size);
	munmap((void *)q.regs, page);
	close(q.fd);
}

/* @len bytes, 64-byte aligned, that the device reaches; until mem_reset() */
static void *mem(size_t len)
{
	size_t size = (len + 63) & ~(size_t)63;
	void *p;

	if (!size)
		size = 64;
	if (q.sva) {
		if (q.nr_allocs == MAX_ALLOCS)
			return NULL;
		p = aligned_alloc(64, size);
		if (p)
			q.allocs[q.nr_allocs++] = p;
		return p;
	}
	if (size > q.ss_size - q.ss_used)
		return NULL;
	p = q.ss + q.ss_used;
	q.ss_used += size;
	return p;
}

static uint64_t addr(const void *p)
{
	if (q.sva || !p)
		return (uintptr_t)p;
	return q.ss_dma + ((const uint8_t *)p - q.ss);
}

static struct vcrypt_cqe run(const struct vcrypt_sqe *sqe)
{
	struct vcrypt_cqe cqe = { .status = htole16(0xffff) };
	struct timespec t0, t;

	q.sq[q.sq_tail & (q.depth - 1)] = *sqe;
	q.sq_tail++;
	atomic_store_explicit(ctrl(VCRYPT_CTRL_SQ_TAIL), htole32(q.sq_tail),
			      memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
	if (le32toh(atomic_load_explicit(ctrl(VCRYPT_CTRL_DEV_FLAGS),
					 memory_order_relaxed)) &
	    VCRYPT_DEV_F_NEED_WAKEUP)
		ioctl(q.fd, UACCE_CMD_WAKE_Q);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		uint32_t tail = le32toh(atomic_load_explicit(ctrl(VCRYPT_CTRL_CQ_TAIL),
							     memory_order_acquire));

		if (tail != q.cq_head) {
			cqe = q.cq[q.cq_head & (q.depth - 1)];
			q.cq_head++;
			atomic_store_explicit(ctrl(VCRYPT_CTRL_CQ_HEAD),
					      htole32(q.cq_head),
					      memory_order_release);
			return cqe;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 > TIMEOUT_MS)
			return cqe;
		sched_yield();
	}
}

static unsigned int status_of(const struct vcrypt_sqe *sqe)
{
	struct vcrypt_cqe cqe = run(sqe);

	return le16toh(cqe.status);
}

static struct vcrypt_sqe sqe_of(uint8_t op, uint8_t alg, uint16_t slot,
				const void *src, uint32_t slen, void *dst,
				uint32_t dlen)
{
	struct vcrypt_sqe sqe = {
		.opcode = op,
		.alg = alg,
		.version = VCRYPT_SQE_VERSION,
		.key_slot = htole16(slot),
		.user_data = htole64(0x1234567800ULL + op),
		.src = htole64(addr(src)),
		.dst = htole64(addr(dst)),
		.src_len = htole32(slen),
		.dst_len = htole32(dlen),
	};

	return sqe;
}

static void set_iv(struct vcrypt_sqe *sqe, const uint8_t *iv, uint8_t len)
{
	memset(sqe->iv, 0, sizeof(sqe->iv));
	memcpy(sqe->iv, iv, len);
	sqe->iv_len = len;
}

static void set_stream(struct vcrypt_sqe *sqe, void *ctx, uint16_t flags)
{
	sqe->flags = htole16(VCRYPT_SQE_F_STREAM | flags);
	sqe->ctx = htole64(addr(ctx));
}

static unsigned int key_load(uint16_t slot, uint8_t alg, const uint8_t *key,
			     uint32_t len)
{
	uint8_t *k = mem(len);
	struct vcrypt_sqe sqe;
	unsigned int st;

	memcpy(k, key, len);
	sqe = sqe_of(VCRYPT_OP_KEY_LOAD, alg, slot, len ? k : NULL, len, NULL, 0);
	st = status_of(&sqe);
	memset(k, 0, len);
	return st;
}

static unsigned int key_clear(uint16_t slot)
{
	struct vcrypt_sqe sqe = sqe_of(VCRYPT_OP_KEY_CLEAR, 0, slot, NULL, 0,
				       NULL, 0);

	return status_of(&sqe);
}

static void fill(uint8_t *buf, size_t len, uint32_t seed)
{
	uint32_t x = seed | 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = x;
	}
}

static bool have(uint8_t alg)
{
	return algs & (1U << alg);
}

/* ---- OpenSSL's answers ---- */

static const EVP_MD *md_of(uint8_t alg)
{
	switch (alg) {
	case VCRYPT_ALG_SHA256: return EVP_sha256();
	case VCRYPT_ALG_SHA512: return EVP_sha512();
	case VCRYPT_ALG_SHA3_256: return EVP_sha3_256();
	case VCRYPT_ALG_SM3: return EVP_sm3();
	default: return NULL;
	}
}

static const EVP_CIPHER *cipher_of(uint8_t alg, uint32_t key_len)
{
	bool k256 = key_len == 32;

	switch (alg) {
	case VCRYPT_ALG_AES_CBC: return k256 ? EVP_aes_256_cbc() : EVP_aes_128_cbc();
	case VCRYPT_ALG_AES_CTR: return k256 ? EVP_aes_256_ctr() : EVP_aes_128_ctr();
	case VCRYPT_ALG_AES_XTS: return key_len == 64 ? EVP_aes_256_xts() : EVP_aes_128_xts();
	case VCRYPT_ALG_SM4_CBC: return EVP_sm4_cbc();
	case VCRYPT_ALG_AES_GCM: return k256 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
	default: return NULL;
	}
}

/* OpenSSL's cipher output of @len bytes; 0 or -1 */
static int ossl_cipher(uint8_t alg, bool enc, const uint8_t *key,
		       uint32_t key_len, const uint8_t *iv, const uint8_t *in,
		       int len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, m = 0, ok;

	ok = c && EVP_CipherInit_ex(c, cipher_of(alg, key_len), NULL, key, iv,
				    enc) &&
	     EVP_CIPHER_CTX_set_padding(c, 0) &&
	     EVP_CipherUpdate(c, out, &n, in, len) &&
	     EVP_CipherFinal_ex(c, out + n, &m);
	EVP_CIPHER_CTX_free(c);
	return ok && n + m == len ? 0 : -1;
}

/* GCM encryption by OpenSSL: ciphertext then tag into @out */
static int ossl_gcm_enc(const uint8_t *key, uint32_t key_len,
			const uint8_t *iv, const uint8_t *aad, int aad_len,
			const uint8_t *in, int len, uint8_t *out, int tag_len)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, m = 0, ok;

	ok = c && EVP_EncryptInit_ex(c, cipher_of(VCRYPT_ALG_AES_GCM, key_len),
				     NULL, key, iv) &&
	     (!aad_len || EVP_EncryptUpdate(c, NULL, &n, aad, aad_len)) &&
	     EVP_EncryptUpdate(c, out, &n, in, len) &&
	     EVP_EncryptFinal_ex(c, out + n, &m) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, tag_len, out + len);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* ---- cases ---- */

static const uint8_t key64[64] = {
	0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae, 0xf0,
	0x85, 0x7d, 0x77, 0x81, 0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61, 0x08, 0xd7,
	0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4, 0x11, 0x22, 0x33, 0x44,
	0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01,
	0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
	0x0e, 0x0f, 0x10, 0x11,
};
static const uint8_t iv16[16] = {
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
	0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
};

static void test_registers(void)
{
	tap_ok(reg(VCRYPT_REG_MAGIC) == VCRYPT_MAGIC &&
	       reg(VCRYPT_REG_VERSION) == VCRYPT_HW_VERSION,
	       "MAGIC and VERSION");
	tap_ok(reg(VCRYPT_REG_SQE_SIZE) == sizeof(struct vcrypt_sqe) &&
	       reg(VCRYPT_REG_CQE_SIZE) == sizeof(struct vcrypt_cqe) &&
	       q.depth && !(q.depth & (q.depth - 1)),
	       "SQE_SIZE 128, CQE_SIZE 32, RING_DEPTH %u a power of two",
	       q.depth);
	key_slots = reg(VCRYPT_REG_KEY_SLOTS);
	ctx_size = reg(VCRYPT_REG_CTX_SIZE);
	algs = reg(VCRYPT_REG_ALGS);
	tap_ok(key_slots == 64, "KEY_SLOTS is key_slots' default, 64 (%u)",
	       key_slots);
	tap_ok((reg(VCRYPT_REG_CAPS) & VCRYPT_CAP_STREAM) && ctx_size &&
	       ctx_size <= VCRYPT_CTX_MAX && !(ctx_size % VCRYPT_CTX_ALIGN),
	       "streams: CTX_SIZE %u, 64-byte multiple, at most 1024", ctx_size);
	tap_ok(!!(reg(VCRYPT_REG_CAPS) & VCRYPT_CAP_SVA) == q.sva,
	       "CAPS.SVA matches the uacce flags (%s)", q.sva ? "SVA" : "SS");
	tap_ok(!(algs & 1) && !(algs >> VCRYPT_ALG_NR) &&
	       (!all_algs || algs == ((1U << VCRYPT_ALG_NR) - 2)),
	       "ALGS %#x%s", algs, all_algs ? ": every algorithm" : "");
	tap_ok(reg(VCRYPT_REG_QID) == q.info.qid, "QID matches QUEUE_INFO");
}

static void test_nop(void)
{
	struct vcrypt_sqe sqe = sqe_of(VCRYPT_OP_NOP, 0, 0, NULL, 0, NULL, 0);
	struct vcrypt_cqe cqe = run(&sqe);

	tap_ok(le16toh(cqe.status) == VCRYPT_STS_OK &&
	       le64toh(cqe.user_data) == 0x1234567800ULL && !cqe.produced,
	       "NOP: OK, user_data back, nothing produced");
}

static void test_digests(void)
{
	uint8_t *src = mem(DATA_LEN), *dst = mem(VCRYPT_DIGEST_MAX);
	uint8_t want[EVP_MAX_MD_SIZE];
	unsigned int wlen;
	uint8_t alg;

	fill(src, DATA_LEN, 1);
	for (alg = VCRYPT_ALG_SHA256; alg <= VCRYPT_ALG_SM3; alg++) {
		struct vcrypt_sqe sqe = sqe_of(VCRYPT_OP_DIGEST, alg, 0, src,
					       DATA_LEN, dst, VCRYPT_DIGEST_MAX);
		struct vcrypt_cqe cqe;

		if (!have(alg)) {
			tap_ok(status_of(&sqe) == VCRYPT_STS_INVALID,
			       "%s: not in ALGS: INVALID", alg_names[alg]);
			continue;
		}
		memset(dst, 0, VCRYPT_DIGEST_MAX);
		cqe = run(&sqe);
		EVP_Digest(src, DATA_LEN, want, &wlen, md_of(alg), NULL);
		tap_ok(le16toh(cqe.status) == VCRYPT_STS_OK &&
		       le32toh(cqe.produced) == wlen && !memcmp(dst, want, wlen),
		       "%s of %d bytes is OpenSSL's", alg_names[alg], DATA_LEN);
	}
	mem_reset();
}

static void test_hmac(void)
{
	uint8_t *src = mem(DATA_LEN), *dst = mem(32);
	uint8_t want[32];
	unsigned int wlen = 0;
	uint32_t klen[] = { 0, 20, 64 };
	unsigned int i;

	fill(src, DATA_LEN, 2);
	for (i = 0; i < 3; i++) {
		struct vcrypt_sqe sqe;
		struct vcrypt_cqe cqe;

		tap_ok(key_load(3, VCRYPT_ALG_HMAC_SHA256, key64, klen[i]) ==
		       VCRYPT_STS_OK, "KEY_LOAD of a %u-byte HMAC key", klen[i]);
		sqe = sqe_of(VCRYPT_OP_DIGEST, VCRYPT_ALG_HMAC_SHA256, 3, src,
			     DATA_LEN, dst, 32);
		cqe = run(&sqe);
		HMAC(EVP_sha256(), key64, klen[i], src, DATA_LEN, want, &wlen);
		tap_ok(le16toh(cqe.status) == VCRYPT_STS_OK &&
		       le32toh(cqe.produced) == 32 && !memcmp(dst, want, 32),
		       "hmac-sha256 with a %u-byte key is OpenSSL's", klen[i]);
	}
	tap_ok(key_load(3, VCRYPT_ALG_HMAC_SHA256, key64, 65) ==
	       VCRYPT_STS_BAD_KEY, "KEY_LOAD of a 65-byte HMAC key: BAD_KEY");
	mem_reset();
}

/* one ENCRYPT and one DECRYPT of @alg with a @klen-byte key, @len bytes */
static void cipher_case(uint8_t alg, uint32_t klen, uint32_t len)
{
	uint8_t *src = mem(len), *dst = mem(len), *back = mem(len);
	uint8_t *want = malloc(len);
	struct vcrypt_sqe sqe;
	struct vcrypt_cqe cqe;
	bool ok;

	fill(src, len, alg * 7 + klen);
	ok = key_load(5, alg, key64, klen) == VCRYPT_STS_OK;
	sqe = sqe_of(VCRYPT_OP_ENCRYPT, alg, 5, src, len, dst, len);
	set_iv(&sqe, iv16, VCRYPT_CIPHER_IV);
	cqe = run(&sqe);
	ok = ok && !ossl_cipher(alg, true, key64, klen, iv16, src, len, want);
	tap_ok(ok && le16toh(cqe.status) == VCRYPT_STS_OK &&
	       le32toh(cqe.produced) == len && !memcmp(dst, want, len),
	       "%s-%u ENCRYPT of %u bytes is OpenSSL's", alg_names[alg],
	       klen * 8, len);
	sqe = sqe_of(VCRYPT_OP_DECRYPT, alg, 5, dst, len, back, len);
	set_iv(&sqe, iv16, VCRYPT_CIPHER_IV);
	cqe = run(&sqe);
	tap_ok(le16toh(cqe.status) == VCRYPT_STS_OK && !memcmp(back, src, len),
	       "%s-%u DECRYPT gives the plaintext back", alg_names[alg],
	       klen * 8);
	free(want);
	mem_reset();
}

static void test_ciphers(void)
{
	uint8_t alg;

	for (alg = VCRYPT_ALG_AES_CBC; alg <= VCRYPT_ALG_SM4_CBC; alg++) {
		if (!have(alg)) {
			uint8_t *s = mem(16), *d = mem(16);
			struct vcrypt_sqe sqe = sqe_of(VCRYPT_OP_ENCRYPT, alg, 5,
						       s, 16, d, 16);

			set_iv(&sqe, iv16, 16);
			tap_ok(status_of(&sqe) == VCRYPT_STS_INVALID,
			       "%s: not in ALGS: INVALID", alg_names[alg]);
			mem_reset();
			continue;
		}
		switch (alg) {
		case VCRYPT_ALG_AES_CBC:
			cipher_case(alg, 16, 4096);
			cipher_case(alg, 32, DATA_LEN - 5);
			break;
		case VCRYPT_ALG_AES_CTR:
			cipher_case(alg, 16, DATA_LEN);
			cipher_case(alg, 32, 33);
			break;
		case VCRYPT_ALG_AES_XTS:
			cipher_case(alg, 32, 4096);
			cipher_case(alg, 64, 517);	/* ciphertext stealing */
			break;
		case VCRYPT_ALG_SM4_CBC:
			cipher_case(alg, 16, 4096 + 64);
			break;
		}
	}
}

static void test_gcm(void)
{
	const uint32_t aad = 20, text = 1000, tags[] = { 16, 12, 8, 4 };
	uint8_t *src = mem(aad + text + 16), *dst = mem(text + 16);
	uint8_t *dsrc = mem(aad + text + 16), *back = mem(text + 16);
	uint8_t want[1016];
	unsigned int i;

	if (!have(VCRYPT_ALG_AES_GCM)) {
		tap_ok(key_load(6, VCRYPT_ALG_AES_GCM, key64, 16) ==
		       VCRYPT_STS_INVALID, "aes-gcm: not in ALGS: INVALID");
		mem_reset();
		return;
	}
	fill(src, aad + text, 3);
	tap_ok(key_load(6, VCRYPT_ALG_AES_GCM, key64, 32) == VCRYPT_STS_OK,
	       "KEY_LOAD of an AES-256 GCM key");
	for (i = 0; i < 4; i++) {
		uint32_t tag = tags[i];
		struct vcrypt_sqe sqe = sqe_of(VCRYPT_OP_ENCRYPT,
					       VCRYPT_ALG_AES_GCM, 6, src,
					       aad + text, dst, text + tag);
		struct vcrypt_cqe cqe;

		sqe.aad_len = htole32(aad);
		sqe.tag_len = tag;
		set_iv(&sqe, iv16, VCRYPT_GCM_IV);
		cqe = run(&sqe);
		ossl_gcm_enc(key64, 32, iv16, src, aad, src + aad, text, want,
			     tag);
		tap_ok(le16toh(cqe.status) == VCRYPT_STS_OK &&
		       le32toh(cqe.produced) == text + tag &&
		       !memcmp(dst, want, text + tag),
		       "aes-gcm ENCRYPT, %u-byte tag, is OpenSSL's", tag);

		memcpy(dsrc, src, aad);
		memcpy(dsrc + aad, dst, text + tag);
		sqe = sqe_of(VCRYPT_OP_DECRYPT, VCRYPT_ALG_AES_GCM, 6, dsrc,
			     aad + text + tag, back, text);
		sqe.aad_len = htole32(aad);
		sqe.tag_len = tag;
		set_iv(&sqe, iv16, VCRYPT_GCM_IV);
		cqe = run(&sqe);
		tap_ok(le16toh(cqe.status) == VCRYPT_STS_OK &&
		       le32toh(cqe.produced) == text &&
		       !memcmp(back, src + aad, text),
		       "aes-gcm DECRYPT, %u-byte tag, checks and decrypts", tag);
	}
	/* the last round left a 4-byte tag; corrupt it, then the AAD */
	for (i = 0; i < 2; i++) {
		struct vcrypt_sqe sqe = sqe_of(VCRYPT_OP_DECRYPT,
					       VCRYPT_ALG_AES_GCM, 6, dsrc,
					       aad + text + 4, back, text);
		struct vcrypt_cqe cqe;
		uint8_t zero[1000] = { 0 };

		dsrc[i ? 3 : aad + text + 1] ^= 0x40;
		sqe.aad_len = htole32(aad);
		sqe.tag_len = 4;
		set_iv(&sqe, iv16, VCRYPT_GCM_IV);
		memset(back, 0xa5, text);
		cqe = run(&sqe);
		tap_ok(le16toh(cqe.status) == VCRYPT_STS_AUTH_FAILED &&
		       !cqe.produced && !memcmp(back, zero, text),
		       "aes-gcm DECRYPT, %s corrupted: AUTH_FAILED, plaintext zeroed",
		       i ? "AAD" : "tag");
		dsrc[i ? 3 : aad + text + 1] ^= 0x40;
	}
	mem_reset();
}

static void test_bad_inputs(void)
{
	uint8_t *src = mem(64), *dst = mem(64), *big = mem(4096);
	struct vcrypt_sqe sqe, good;
	unsigned int st;

	fill(src, 64, 4);
	key_load(1, VCRYPT_ALG_AES_CBC, key64, 16);
	good = sqe_of(VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_CBC, 1, src, 64, dst, 64);
	set_iv(&good, iv16, 16);

#define BAD(expr, want, what) do { \
	sqe = good; \
	expr; \
	st = status_of(&sqe); \
	tap_ok(st == (want) && status_of(&good) == VCRYPT_STS_OK, \
	       "%s: status %u (want %u), the queue serves on", what, st, \
	       (unsigned int)(want)); \
} while (0)

	BAD(sqe.version = 2, VCRYPT_STS_INVALID, "version 2");
	BAD(sqe.opcode = 6, VCRYPT_STS_INVALID, "unknown opcode");
	BAD(sqe.alg = VCRYPT_ALG_NR, VCRYPT_STS_INVALID, "unknown algorithm");
	BAD(sqe.alg = VCRYPT_ALG_SHA256, VCRYPT_STS_INVALID,
	    "a digest for ENCRYPT");
	BAD(sqe.rsvd[3] = htole32(1), VCRYPT_STS_INVALID, "reserved word set");
	BAD(sqe.rsvd0[1] = 1, VCRYPT_STS_INVALID, "rsvd0 set");
	BAD(sqe.flags = htole16(0x8), VCRYPT_STS_INVALID, "unknown flag");
	BAD(sqe.flags = htole16(VCRYPT_SQE_F_FINAL), VCRYPT_STS_INVALID,
	    "FINAL without STREAM");
	BAD(sqe.key_slot = htole16(key_slots), VCRYPT_STS_INVALID,
	    "key slot KEY_SLOTS");
	BAD(sqe.tag_len = 16, VCRYPT_STS_INVALID, "tag_len for CBC");
	BAD(sqe.iv[15] = 0; sqe.iv_len = 12; sqe.iv[13] = 1,
	    VCRYPT_STS_INVALID, "IV bytes past iv_len");
	BAD(sqe.dst = sqe.src; sqe.dst = htole64(le64toh(sqe.src) + 16),
	    VCRYPT_STS_INVALID, "overlapping source and destination");
	BAD(sqe.src_len = htole32(reg(VCRYPT_REG_MAX_LEN) + 16),
	    VCRYPT_STS_INVALID, "src_len above MAX_LEN");
	BAD(sqe.ctx = htole64(addr(big)), VCRYPT_STS_INVALID,
	    "a context without STREAM");
	BAD(sqe.key_slot = htole16(2), VCRYPT_STS_BAD_KEY, "an empty slot");
	BAD(sqe.alg = VCRYPT_ALG_AES_CTR, VCRYPT_STS_BAD_KEY,
	    "a slot of another algorithm");
	BAD(sqe.iv_len = 12; memset(sqe.iv + 12, 0, 4), VCRYPT_STS_BAD_IV,
	    "a 12-byte CBC IV");
	BAD(sqe.src_len = htole32(63), VCRYPT_STS_BAD_LENGTH,
	    "a CBC text of 63 bytes");
	BAD(sqe.dst_len = htole32(48), VCRYPT_STS_OVERFLOW,
	    "a destination too small");
	BAD(sqe.key_slot = htole16(2); sqe.iv_len = 12; memset(sqe.iv + 12, 0, 4),
	    VCRYPT_STS_BAD_KEY, "BAD_KEY before BAD_IV");
	BAD(sqe.iv_len = 12; memset(sqe.iv + 12, 0, 4); sqe.src_len = htole32(63),
	    VCRYPT_STS_BAD_IV, "BAD_IV before BAD_LENGTH");
	BAD(sqe.src_len = htole32(63); sqe.dst_len = htole32(16),
	    VCRYPT_STS_BAD_LENGTH, "BAD_LENGTH before OVERFLOW");
	if (q.sva) {
		BAD(sqe.src = htole64(0x1000), VCRYPT_STS_ADDR_ERROR,
		    "an unmapped source");
		BAD(sqe.dst = htole64((uintptr_t)q.regs), VCRYPT_STS_ADDR_ERROR,
		    "a destination in the read-only register page");
		BAD(sqe.src = htole64(0x1000); sqe.dst_len = htole32(16),
		    VCRYPT_STS_OVERFLOW, "OVERFLOW before ADDR_ERROR");
	} else {
		BAD(sqe.src = htole64(q.ss_dma + q.ss_size - 32),
		    VCRYPT_STS_ADDR_ERROR, "a source past the SS region");
		BAD(sqe.dst = htole64(q.ss_dma - 4096), VCRYPT_STS_ADDR_ERROR,
		    "a destination before the SS region");
		BAD(sqe.src = htole64(q.ss_dma + q.ss_size - 32);
		    sqe.dst_len = htole32(16),
		    VCRYPT_STS_OVERFLOW, "OVERFLOW before ADDR_ERROR");
	}
	/* keys */
	tap_ok(key_load(2, VCRYPT_ALG_AES_CBC, key64, 24) == VCRYPT_STS_BAD_KEY,
	       "KEY_LOAD of a 24-byte AES key: BAD_KEY");
	tap_ok(key_load(1, VCRYPT_ALG_AES_CBC, key64, 24) == VCRYPT_STS_BAD_KEY &&
	       status_of(&good) == VCRYPT_STS_BAD_KEY,
	       "a failed KEY_LOAD leaves the slot empty");
	tap_ok(key_load(1, VCRYPT_ALG_SHA256, key64, 16) == VCRYPT_STS_INVALID,
	       "KEY_LOAD for an unkeyed digest: INVALID");
	tap_ok(key_load(1, VCRYPT_ALG_AES_CBC, key64, 16) == VCRYPT_STS_OK &&
	       status_of(&good) == VCRYPT_STS_OK && key_clear(1) == VCRYPT_STS_OK &&
	       status_of(&good) == VCRYPT_STS_BAD_KEY,
	       "KEY_CLEAR empties the slot: BAD_KEY after it");
	sqe = sqe_of(VCRYPT_OP_KEY_CLEAR, VCRYPT_ALG_AES_CBC, 1, NULL, 0, NULL, 0);
	tap_ok(status_of(&sqe) == VCRYPT_STS_INVALID,
	       "KEY_CLEAR with an algorithm: INVALID");
	if (have(VCRYPT_ALG_AES_XTS)) {
		uint8_t same[64];

		memcpy(same, key64, 32);
		memcpy(same + 32, key64, 32);
		key_load(4, VCRYPT_ALG_AES_XTS, same, 64);
		sqe = sqe_of(VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_XTS, 4, src, 64,
			     dst, 64);
		set_iv(&sqe, iv16, 16);
		tap_ok(status_of(&sqe) == VCRYPT_STS_BAD_KEY,
		       "XTS ENCRYPT with equal halves: BAD_KEY");
		sqe.opcode = VCRYPT_OP_DECRYPT;
		tap_ok(status_of(&sqe) == VCRYPT_STS_OK,
		       "XTS DECRYPT with equal halves: OK");
		sqe.opcode = VCRYPT_OP_ENCRYPT;
		key_load(4, VCRYPT_ALG_AES_XTS, key64, 64);
		sqe.src_len = sqe.dst_len = htole32(15);
		tap_ok(status_of(&sqe) == VCRYPT_STS_BAD_LENGTH,
		       "XTS of 15 bytes: BAD_LENGTH");
	}
	if (have(VCRYPT_ALG_AES_GCM)) {
		key_load(6, VCRYPT_ALG_AES_GCM, key64, 16);
		sqe = sqe_of(VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_GCM, 6, src, 32,
			     dst, 64);
		set_iv(&sqe, iv16, 12);
		sqe.tag_len = 5;
		tap_ok(status_of(&sqe) == VCRYPT_STS_BAD_LENGTH,
		       "GCM tag of 5 bytes: BAD_LENGTH");
		sqe.tag_len = 16;
		sqe.iv_len = 16;
		memcpy(sqe.iv, iv16, 16);
		tap_ok(status_of(&sqe) == VCRYPT_STS_BAD_IV,
		       "GCM nonce of 16 bytes: BAD_IV");
		set_iv(&sqe, iv16, 12);
		sqe.opcode = VCRYPT_OP_DECRYPT;
		sqe.aad_len = htole32(20);
		sqe.src_len = htole32(30);
		tap_ok(status_of(&sqe) == VCRYPT_STS_BAD_LENGTH,
		       "GCM DECRYPT shorter than AAD and tag: BAD_LENGTH");
	}
#undef BAD
	mem_reset();
}

static void test_inplace(void)
{
	uint8_t *buf = mem(4096), *orig = malloc(4096), *want = malloc(4096);
	struct vcrypt_sqe sqe;

	fill(buf, 4096, 9);
	memcpy(orig, buf, 4096);
	key_load(7, VCRYPT_ALG_AES_CBC, key64, 32);
	sqe = sqe_of(VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_CBC, 7, buf, 4096, buf,
		     4096);
	set_iv(&sqe, iv16, 16);
	ossl_cipher(VCRYPT_ALG_AES_CBC, true, key64, 32, iv16, orig, 4096, want);
	tap_ok(status_of(&sqe) == VCRYPT_STS_OK && !memcmp(buf, want, 4096),
	       "aes-cbc ENCRYPT in place is OpenSSL's");
	sqe.opcode = VCRYPT_OP_DECRYPT;
	tap_ok(status_of(&sqe) == VCRYPT_STS_OK && !memcmp(buf, orig, 4096),
	       "aes-cbc DECRYPT in place gives the plaintext back");
	free(orig);
	free(want);
	mem_reset();
}

/* a stream of @alg over DATA_LEN bytes in pieces of @cuts */
static void stream_case(uint8_t op, uint8_t alg, uint16_t slot,
			const uint32_t *cuts, int n, const uint8_t *src,
			uint8_t *dst, uint32_t dst_room, uint8_t *ctx,
			bool *ok)
{
	uint32_t pos = 0;
	int i;

	*ok = true;
	for (i = 0; i < n; i++) {
		bool last = i == n - 1;
		struct vcrypt_sqe sqe;
		struct vcrypt_cqe cqe;

		if (op == VCRYPT_OP_DIGEST)
			sqe = sqe_of(op, alg, slot, src + pos, cuts[i],
				     last ? dst : NULL, last ? dst_room : 0);
		else
			sqe = sqe_of(op, alg, slot, src + pos, cuts[i],
				     dst + pos, cuts[i]);
		if (!i && op != VCRYPT_OP_DIGEST)
			set_iv(&sqe, iv16, 16);
		set_stream(&sqe, ctx, (i ? 0 : VCRYPT_SQE_F_NEW_STREAM) |
			   (last ? VCRYPT_SQE_F_FINAL : 0));
		cqe = run(&sqe);
		if (le16toh(cqe.status) != VCRYPT_STS_OK ||
		    !!(cqe.flags & VCRYPT_CQE_F_STREAM_END) != last) {
			tap_diag("%s stream piece %d: status %u flags %u",
				 alg_names[alg], i, le16toh(cqe.status),
				 cqe.flags);
			*ok = false;
			return;
		}
		pos += cuts[i];
	}
}

static void test_streams(void)
{
	const uint32_t dcuts[] = { 1, 4000, 63, 64, 12000, DATA_LEN - 16128 };
	const uint32_t ccuts[] = { 7, 20, 13, 4096, 1, DATA_LEN - 4137 };
	const uint32_t bcuts[] = { 16, 4096, 48, DATA_LEN - 5 - 4160 };
	uint8_t *src = mem(DATA_LEN), *dst = mem(DATA_LEN);
	uint8_t *ctx = mem(ctx_size), *ct = mem(DATA_LEN);
	uint8_t *want = malloc(DATA_LEN);
	unsigned int wlen;
	struct vcrypt_sqe sqe;
	uint8_t alg;
	bool ok;

	fill(src, DATA_LEN, 5);
	for (alg = VCRYPT_ALG_SHA256; alg <= VCRYPT_ALG_HMAC_SHA256; alg++) {
		if (!have(alg))
			continue;
		if (alg == VCRYPT_ALG_HMAC_SHA256)
			key_load(8, alg, key64, 37);
		memset(dst, 0, 64);
		stream_case(VCRYPT_OP_DIGEST, alg, alg == VCRYPT_ALG_HMAC_SHA256 ? 8 : 0,
			    dcuts, 6, src, dst, 64, ctx, &ok);
		if (alg == VCRYPT_ALG_HMAC_SHA256)
			HMAC(EVP_sha256(), key64, 37, src, DATA_LEN, want, &wlen);
		else
			EVP_Digest(src, DATA_LEN, want, &wlen, md_of(alg), NULL);
		tap_ok(ok && !memcmp(dst, want, wlen),
		       "%s stream in 6 pieces is OpenSSL's one-shot",
		       alg_names[alg]);
	}
	/* CTR in odd pieces: the keystream offset carries over */
	key_load(9, VCRYPT_ALG_AES_CTR, key64, 16);
	stream_case(VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_CTR, 9, ccuts, 6, src, dst,
		    DATA_LEN, ctx, &ok);
	ossl_cipher(VCRYPT_ALG_AES_CTR, true, key64, 16, iv16, src, DATA_LEN, want);
	tap_ok(ok && !memcmp(dst, want, DATA_LEN),
	       "aes-ctr stream in pieces of 7, 20, 13... is OpenSSL's");
	/* CBC both ways */
	key_load(10, VCRYPT_ALG_AES_CBC, key64, 32);
	stream_case(VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_CBC, 10, bcuts, 4, src,
		    dst, DATA_LEN, ctx, &ok);
	ossl_cipher(VCRYPT_ALG_AES_CBC, true, key64, 32, iv16, src, DATA_LEN - 5,
		    want);
	tap_ok(ok && !memcmp(dst, want, DATA_LEN - 5),
	       "aes-cbc ENCRYPT stream in 4 pieces is OpenSSL's");
	/* the ciphertext where the device reaches it (the SS region) */
	memcpy(ct, dst, DATA_LEN - 5);
	stream_case(VCRYPT_OP_DECRYPT, VCRYPT_ALG_AES_CBC, 10, bcuts, 4, ct,
		    dst, DATA_LEN, ctx, &ok);
	tap_ok(ok && !memcmp(dst, src, DATA_LEN - 5),
	       "aes-cbc DECRYPT stream gives the plaintext back");
	if (have(VCRYPT_ALG_SM4_CBC)) {
		key_load(11, VCRYPT_ALG_SM4_CBC, key64, 16);
		stream_case(VCRYPT_OP_ENCRYPT, VCRYPT_ALG_SM4_CBC, 11, bcuts, 4,
			    src, dst, DATA_LEN, ctx, &ok);
		ossl_cipher(VCRYPT_ALG_SM4_CBC, true, key64, 16, iv16, src,
			    DATA_LEN - 5, want);
		tap_ok(ok && !memcmp(dst, want, DATA_LEN - 5),
		       "sm4-cbc ENCRYPT stream is OpenSSL's");
	}

	/* the context after FINAL is spent */
	sqe = sqe_of(VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_CBC, 10, src, 16, dst, 16);
	set_stream(&sqe, ctx, 0);
	tap_ok(status_of(&sqe) == VCRYPT_STS_BAD_CONTEXT,
	       "a stream request after FINAL: BAD_CONTEXT");
	/* a live context, then tampered, stale, of another direction */
	set_iv(&sqe, iv16, 16);
	set_stream(&sqe, ctx, VCRYPT_SQE_F_NEW_STREAM);
	tap_ok(status_of(&sqe) == VCRYPT_STS_OK, "a new CBC stream");
	set_iv(&sqe, iv16, 0);
	set_stream(&sqe, ctx, 0);
	sqe.iv_len = 16;
	memcpy(sqe.iv, iv16, 16);
	tap_ok(status_of(&sqe) == VCRYPT_STS_BAD_IV,
	       "an IV after the stream's first request: BAD_IV");
	set_iv(&sqe, iv16, 0);
	tap_ok(status_of(&sqe) == VCRYPT_STS_OK, "its second request");
	{
		uint8_t saved[VCRYPT_CTX_MAX];
		unsigned int i, bad = 0;
		int wrong = 0;

		memcpy(saved, ctx, ctx_size);
		for (i = 0; i < 128; i += 7) {
			ctx[i] ^= 0x10;
			bad += status_of(&sqe) == VCRYPT_STS_BAD_CONTEXT;
			ctx[i] ^= 0x10;
			wrong += memcmp(ctx, saved, ctx_size) != 0;
		}
		tap_ok(bad == 19 && !wrong,
		       "a context with any of 19 bytes tampered: BAD_CONTEXT, left as it was");
		sqe.opcode = VCRYPT_OP_DECRYPT;
		tap_ok(status_of(&sqe) == VCRYPT_STS_BAD_CONTEXT,
		       "the context of an ENCRYPT stream for DECRYPT: BAD_CONTEXT");
		sqe.opcode = VCRYPT_OP_ENCRYPT;
		key_load(12, VCRYPT_ALG_AES_CBC, key64, 32);
		sqe.key_slot = htole16(12);
		tap_ok(status_of(&sqe) == VCRYPT_STS_BAD_CONTEXT,
		       "the context with another slot: BAD_CONTEXT");
		sqe.key_slot = htole16(10);
		key_load(10, VCRYPT_ALG_AES_CBC, key64, 32);
		tap_ok(status_of(&sqe) == VCRYPT_STS_BAD_CONTEXT,
		       "the context after its slot was reloaded: BAD_CONTEXT");
		memset(ctx, 0, ctx_size);
		tap_ok(status_of(&sqe) == VCRYPT_STS_BAD_CONTEXT,
		       "a zeroed context: BAD_CONTEXT");
	}
	sqe = sqe_of(VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_CBC, 10, src, 16, dst, 16);
	set_iv(&sqe, iv16, 16);
	set_stream(&sqe, ctx + 8, VCRYPT_SQE_F_NEW_STREAM);
	tap_ok(status_of(&sqe) == VCRYPT_STS_INVALID,
	       "a context not 64-byte aligned: INVALID");
	if (have(VCRYPT_ALG_AES_GCM)) {
		sqe.alg = VCRYPT_ALG_AES_GCM;
		set_stream(&sqe, ctx, VCRYPT_SQE_F_NEW_STREAM);
		tap_ok(status_of(&sqe) == VCRYPT_STS_INVALID,
		       "a GCM stream: INVALID");
	}
	sqe = sqe_of(VCRYPT_OP_DIGEST, VCRYPT_ALG_SHA256, 0, src, 64, dst, 32);
	set_stream(&sqe, ctx, VCRYPT_SQE_F_NEW_STREAM);
	tap_ok(status_of(&sqe) == VCRYPT_STS_INVALID,
	       "a digest stream's destination before FINAL: INVALID");
	if (q.sva) {
		sqe.dst = 0;
		sqe.dst_len = 0;
		sqe.ctx = htole64(0x40000);
		tap_ok(status_of(&sqe) == VCRYPT_STS_ADDR_ERROR,
		       "an unmapped context: ADDR_ERROR");
	}
	free(want);
	mem_reset();
}

static void test_stats_and_hw_error(void)
{
	char path[PATH_MAX];
	struct vcrypt_sqe sqe = sqe_of(VCRYPT_OP_NOP, 0, 0, NULL, 0, NULL, 0);
	int fd;

	tap_ok(stat_of("requests_bad_context") >= 5 &&
	       stat_of("requests_auth_failed") >= 2 &&
	       stat_of("op_key_load") >= 10 && stat_of("slots_loaded") > 0,
	       "debugfs counts statuses, opcodes and loaded slots (%lld loaded)",
	       stat_of("slots_loaded"));
	snprintf(path, sizeof(path), DEBUGFS_DIR "/%s/inject_hw_error", q.name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	tap_ok(fd >= 0 && write(fd, "1", 1) == 1, "write inject_hw_error");
	if (fd >= 0)
		close(fd);
	tap_ok(status_of(&sqe) == VCRYPT_STS_HW_ERROR &&
	       status_of(&sqe) == VCRYPT_STS_OK,
	       "one injected hardware error, then OK");
}

/* closing the queue wipes its slots; the next owner finds them empty */
static void test_release(const char *name)
{
	long long before = stat_of("slots_loaded");
	struct vcrypt_sqe sqe;
	uint32_t qid = q.info.qid;
	uint8_t *src, *dst;
	int ret;

	vq_close();
	ret = vq_open(name);
	tap_ok(!ret, "open the device again");
	if (ret)
		return;
	tap_ok(before > 0 && stat_of("slots_loaded") == 0,
	       "close() wiped the %lld loaded slots", before);
	src = mem(16);
	dst = mem(16);
	sqe = sqe_of(VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_CBC, 10, src, 16, dst, 16);
	set_iv(&sqe, iv16, 16);
	tap_ok(q.info.qid != qid || status_of(&sqe) == VCRYPT_STS_BAD_KEY,
	       "the next owner of queue %u finds slot 10 empty", qid);
	mem_reset();
}

int main(int argc, char **argv)
{
	char name[NAME_MAX + 1];
	int ret;

	all_algs = argc > 1 && !strcmp(argv[1], "all-algs");
	ret = find_device(name, sizeof(name));
	if (!ret)
		ret = vq_open(name);
	if (!tap_ok(!ret, "open, map and start a queue of %s",
		    ret ? "vcrypt" : name))
		return tap_done();
	test_registers();
	test_nop();
	test_digests();
	if (have(VCRYPT_ALG_HMAC_SHA256))
		test_hmac();
	test_ciphers();
	test_gcm();
	test_bad_inputs();
	test_inplace();
	test_streams();
	test_stats_and_hw_error();
	test_release(name);
	tap_ok(((struct uacce_queue_status *)(q.dus + VCRYPT_CTRL_STATUS))->state ==
	       UACCE_QSTATE_OK, "status word still OK");
	vq_close();
	return tap_done();
}
