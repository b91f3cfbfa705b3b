// SPDX-License-Identifier: GPL-2.0
/*
 * Registered memory (<misc/uacce/wd_mem.h>, wd_engine.ko) on a vzip
 * queue, or with the argument "vcrypt" on a vcrypt queue: registration
 * and unregistration with their accounting (VmPin, the device's pinned
 * pages), requests that reach registered memory without pinning it again
 * (vzip's COPY; vcrypt's KEY_LOAD, AES and SHA-256, checked against
 * OpenSSL's libcrypto), requests after unregistering, the cap of regions,
 * RLIMIT_MEMLOCK (across an exec too), bad input, another process's
 * attempt, unregistering under requests in flight, and reclaim after
 * SIGKILL; on vcrypt, a kill
 * and an unbind while UNREGISTER waits for a stream's request that waits
 * for a page (the test fixture wd_mm_hold).  Without SVA (sva=0) both
 * commands fail with EOPNOTSUPP.
 *
 * Prints TAP; exits non-zero when a case failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <misc/uacce/wd_mem.h>
#include <openssl/evp.h>

#include "tap.h"
#include "memlock.h"
#include "vcrypt_testlib.h"
#include "wd_mm_hold.h"

#define MIB		(1024 * 1024)

static char name[NAME_MAX + 1];
static size_t page;
/* the device's debugfs directory: VZIP_DEBUGFS_DIR or VCRYPT_DEBUGFS_DIR */
static const char *debugfs = VZIP_DEBUGFS_DIR;

/* A counter of the device's stats, or -1. */
static long long dev_stat(const char *key)
{
	return vzip_stat_in(debugfs, name, key);
}

static int reg(int fd, const void *addr, uint64_t len, uint32_t flags)
{
	struct wd_mem_region r = {
		.addr = (uintptr_t)addr, .len = len, .flags = flags,
	};

	return ioctl(fd, WD_MEM_CMD_REGISTER, &r) ? -errno : 0;
}

static int unreg(int fd, const void *addr, uint64_t len)
{
	struct wd_mem_region r = { .addr = (uintptr_t)addr, .len = len };

	return ioctl(fd, WD_MEM_CMD_UNREGISTER, &r) ? -errno : 0;
}

static long available(void)
{
	char path[PATH_MAX], buf[64];

	snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/available_instances",
		 name);
	if (vzip_read_file(path, buf, sizeof(buf)))
		return -1;
	return atol(buf);
}

static void *pages_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static unsigned int copy(struct vzip_q *q, const void *src, void *dst,
			 uint32_t len)
{
	struct vzip_sqe sqe = vzip_sqe(q, VZIP_OP_COPY, 0, 0, src, len, dst,
				       len);

	return vzip_status_of(q, &sqe);
}

static void test_no_sva(struct vzip_q *q)
{
	uint8_t *buf = pages_alloc(page);

	tap_ok(reg(q->fd, buf, page, WD_MEM_F_WRITE) == -EOPNOTSUPP,
	       "no SVA: REGISTER fails with EOPNOTSUPP");
	tap_ok(unreg(q->fd, buf, page) == -EOPNOTSUPP,
	       "no SVA: UNREGISTER fails with EOPNOTSUPP");
	munmap(buf, page);
}

/* Register, use, unregister: the accounting comes and goes. */
static void test_lifecycle(struct vzip_q *q)
{
	size_t len = MIB;
	uint8_t *src = pages_alloc(len), *dst = pages_alloc(len);
	uint8_t *other = pages_alloc(len);
	long lck0 = vmpin_kib(), pin0 = dev_stat("pinned_pages");
	long long tot0;

	vzip_fill_random(src, len, 1);
	tap_ok(reg(q->fd, src, len, 0) == 0 &&
	       reg(q->fd, dst, len, WD_MEM_F_WRITE) == 0,
	       "register a source (read) and a destination (write) of 1 MiB");
	tap_ok(vmpin_kib() == lck0 + 2 * 1024,
	       "VmPin grows by 2048 KiB (%ld -> %ld)", lck0, vmpin_kib());
	tap_ok(dev_stat("pinned_pages") == pin0 + (long)(2 * len / page),
	       "the device counts the registered pages pinned");

	tot0 = dev_stat("pinned_pages_total");
	tap_ok(copy(q, src + 100, dst + 200, len - 300) == VZIP_STS_OK &&
	       !memcmp(src + 100, dst + 200, len - 300),
	       "COPY inside registered regions is correct");
	tap_ok(dev_stat("pinned_pages_total") == tot0,
	       "and pins no page for the request");

	tot0 = dev_stat("pinned_pages_total");
	memset(other, 0, len);
	tap_ok(copy(q, src, other, len) == VZIP_STS_OK &&
	       !memcmp(src, other, len),
	       "COPY from registered to unregistered memory is correct");
	tap_ok(dev_stat("pinned_pages_total") == tot0 + (long)(len / page),
	       "and pins only the unregistered destination");
	tap_ok(copy(q, dst, src, len) == VZIP_STS_OK,
	       "a write to a region registered read-only is pinned per request");

	tap_ok(unreg(q->fd, src, len) == 0 && unreg(q->fd, dst, len) == 0,
	       "unregister both");
	tap_ok(vmpin_kib() == lck0, "VmPin is back (%ld)", vmpin_kib());
	tap_ok(dev_stat("pinned_pages") == pin0,
	       "the device's pinned pages are back");
	tap_ok(unreg(q->fd, src, len) == -ENOENT,
	       "unregistering again fails with ENOENT");
	vzip_fill_random(src, len, 2);
	tap_ok(copy(q, src, dst, len) == VZIP_STS_OK && !memcmp(src, dst, len),
	       "the memory still works, pinned per request");
	munmap(src, len);
	munmap(dst, len);
	munmap(other, len);
}

static void test_bad_input(struct vzip_q *q)
{
	uint8_t *buf = pages_alloc(4 * page), *ro, *gone;
	struct wd_mem_region r = { .addr = (uintptr_t)buf, .len = page,
				   .reserved = 1 };

	tap_ok(reg(q->fd, buf, 0, 0) == -EINVAL, "zero length: EINVAL");
	tap_ok(reg(q->fd, buf + 64, page, 0) == -EINVAL,
	       "unaligned address: EINVAL");
	tap_ok(reg(q->fd, buf, page + 64, 0) == -EINVAL,
	       "unaligned length: EINVAL");
	tap_ok(reg(q->fd, buf, page, 0x80) == -EINVAL, "unknown flag: EINVAL");
	tap_ok(ioctl(q->fd, WD_MEM_CMD_REGISTER, &r) && errno == EINVAL,
	       "nonzero reserved field: EINVAL");
	tap_ok(reg(q->fd, buf, WD_MEM_MAX_LEN + page, 0) == -EINVAL,
	       "more than WD_MEM_MAX_LEN: EINVAL");
	tap_ok(reg(q->fd, (void *)(uintptr_t)-page, page, 0) == -EINVAL,
	       "beyond the address space: EINVAL");
	tap_ok(ioctl(q->fd, WD_MEM_CMD_REGISTER, (void *)8) && errno == EFAULT,
	       "unreadable argument: EFAULT");

	tap_ok(reg(q->fd, buf + page, 2 * page, 0) == 0,
	       "register the middle two pages");
	tap_ok(reg(q->fd, buf, 2 * page, 0) == -EEXIST,
	       "an overlapping region: EEXIST");
	tap_ok(reg(q->fd, buf + 2 * page, 2 * page, 0) == -EEXIST,
	       "another overlap: EEXIST");
	tap_ok(unreg(q->fd, buf + page, page) == -ENOENT,
	       "unregister with another length: ENOENT");
	tap_ok(unreg(q->fd, buf + page, 2 * page) == 0, "unregister it");

	gone = pages_alloc(2 * page);
	munmap(gone, 2 * page);
	tap_ok(reg(q->fd, gone, 2 * page, 0) == -EFAULT,
	       "an unmapped range: EFAULT");
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tap_ok(reg(q->fd, ro, page, WD_MEM_F_WRITE) == -EFAULT,
	       "a read-only mapping registered writable: EFAULT");
	tap_ok(reg(q->fd, ro, page, 0) == -EFAULT,
	       "a read-only private mapping registered read-only: EFAULT");
	tap_ok(ioctl(q->fd, _IO('W', 0x99)) && errno == EINVAL,
	       "an unknown ioctl still fails with EINVAL");
	munmap(ro, page);
	munmap(buf, 4 * page);
}

static void test_cap(struct vzip_q *q)
{
	size_t n = WD_MEM_MAX_REGIONS + 1;
	uint8_t *buf = pages_alloc(n * page);
	long pin0 = dev_stat("pinned_pages");
	size_t i, ok = 0;

	for (i = 0; i < WD_MEM_MAX_REGIONS; i++)
		ok += !reg(q->fd, buf + i * page, page, WD_MEM_F_WRITE);
	tap_ok(ok == WD_MEM_MAX_REGIONS, "%d regions register",
	       WD_MEM_MAX_REGIONS);
	tap_ok(reg(q->fd, buf + i * page, page, 0) == -ENOSPC,
	       "one more fails with ENOSPC");
	tap_ok(unreg(q->fd, buf, page) == 0 && reg(q->fd, buf + i * page,
						   page, 0) == 0,
	       "after one is unregistered another registers");
	for (i = 1; i <= WD_MEM_MAX_REGIONS; i++)
		unreg(q->fd, buf + i * page, page);
	tap_ok(dev_stat("pinned_pages") == pin0, "all unregistered");
	munmap(buf, n * page);
}

/* the argument that runs memlock_exec_main(): the device, a queue's fd */
#define MEMLOCK_EXEC_ARG	"--memlock-after-exec"

/* In a child without CAP_IPC_LOCK and a small RLIMIT_MEMLOCK. */
static int memlock_child(void)
{
	uint8_t *buf = pages_alloc(32 * page);
	struct vzip_q q;
	long lck;

	if (memlock_limit(16 * page))
		return 11;
	if (vzip_open(&q, name))
		return 12;
	lck = vmpin_kib();
	if (reg(q.fd, buf, 8 * page, 0))
		return 13;
	if (vmpin_kib() != lck + (long)(8 * page / 1024))
		return 14;
	if (reg(q.fd, buf + 8 * page, 16 * page, 0) != -ENOMEM)
		return 15;
	if (vmpin_kib() != lck + (long)(8 * page / 1024))
		return 16;
	if (unreg(q.fd, buf, 8 * page) || vmpin_kib() != lck)
		return 17;
	if (reg(q.fd, buf, 16 * page, 0) || unreg(q.fd, buf, 16 * page))
		return 18;
	vzip_close(&q);
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
	       "RLIMIT_MEMLOCK: within it registers, beyond it ENOMEM with VmPin unchanged, back down after (child %d)",
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/*
 * After the exec of memlock_exec_child(), with @fd its queue, open, and
 * 8 pages of a region of its address space, gone, still registered on it:
 * they count against the limit until @fd closes.  0, or an exit status.
 */
static int memlock_exec_main(const char *dev, int fd)
{
	uint8_t *buf;
	struct vzip_q q;

	page = (size_t)sysconf(_SC_PAGESIZE);
	buf = pages_alloc(16 * page);
	snprintf(name, sizeof(name), "%s", dev);
	if (!buf || vzip_open(&q, name))
		return 20;
	if (reg(q.fd, buf, 16 * page, 0) != -ENOMEM)
		return 21;
	if (reg(q.fd, buf, 8 * page, 0) || unreg(q.fd, buf, 8 * page))
		return 22;
	close(fd);
	if (reg(q.fd, buf, 16 * page, 0) || unreg(q.fd, buf, 16 * page))
		return 23;
	vzip_close(&q);
	return 0;
}

/*
 * In a child without CAP_IPC_LOCK and 16 pages of RLIMIT_MEMLOCK: registers
 * 8 pages, then runs memlock_exec_main() in a new image, the queue open.
 */
static int memlock_exec_child(void)
{
	uint8_t *buf = pages_alloc(8 * page);
	char fd[16];
	struct vzip_q q;

	if (memlock_limit(16 * page))
		return 11;
	if (!buf || vzip_open(&q, name))
		return 12;
	if (reg(q.fd, buf, 8 * page, 0))
		return 13;
	if (fcntl(q.fd, F_SETFD, 0))
		return 14;
	snprintf(fd, sizeof(fd), "%d", q.fd);
	execl("/proc/self/exe", "wd_mem_test", MEMLOCK_EXEC_ARG, name, fd,
	      (char *)NULL);
	return 15;
}

/*
 * RLIMIT_MEMLOCK bounds what the user has pinned, not one address space:
 * an exec, which keeps a queue's file and its regions, starts a new one
 * from nothing.
 */
static void test_memlock_exec(void)
{
	pid_t pid = fork();
	int st = -1;

	if (!pid)
		_exit(memlock_exec_child());
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && !WEXITSTATUS(st),
	       "RLIMIT_MEMLOCK after an exec that keeps a queue open: its region still counts until the file closes (status %d)",
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* Another process holding the file is not its opener. */
static void test_other_mm(struct vzip_q *q)
{
	uint8_t *buf = pages_alloc(page);
	pid_t pid = fork();
	int st = -1;

	if (!pid)
		_exit(reg(q->fd, buf, page, 0) == -EPERM ? 0 : 1);
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && !WEXITSTATUS(st),
	       "a forked child's REGISTER on the parent's queue: EPERM");
	munmap(buf, page);
}

/* Unregistering while requests use the region waits for them. */
static void test_inflight(struct vzip_q *q)
{
	size_t len = MIB;
	unsigned int n = q->depth < 16 ? q->depth : 16, i, ok = 0, match = 0;
	uint8_t *src = pages_alloc(len), *dst = pages_alloc(n * len);
	long lck0 = vmpin_kib(), pin0 = dev_stat("pinned_pages");
	struct vzip_cqe cqe;

	vzip_fill_random(src, len, 3);
	if (reg(q->fd, src, len, 0) || reg(q->fd, dst, n * len,
					    WD_MEM_F_WRITE)) {
		tap_ok(0, "register for the in-flight case");
		return;
	}
	for (i = 0; i < n; i++) {
		struct vzip_sqe sqe = vzip_sqe(q, VZIP_OP_COPY, 0, 0, src,
					       len, dst + i * len, len);

		vzip_queue(q, &sqe);
	}
	vzip_submit(q);
	tap_ok(unreg(q->fd, src, len) == 0 && unreg(q->fd, dst, n * len) == 0,
	       "unregister with %u COPY requests of 1 MiB in flight", n);
	tap_ok(vmpin_kib() == lck0, "VmPin is back when it returns");
	for (i = 0; i < n; i++)
		if (!vzip_reap(q, &cqe, VZIP_TIMEOUT_MS, false))
			ok += le16toh(cqe.status) == VZIP_STS_OK;
	for (i = 0; i < n; i++)
		match += !memcmp(src, dst + i * len, len);
	tap_ok(ok == n && match == n,
	       "every request completed correctly (%u ok, %u match)", ok,
	       match);
	tap_ok(dev_stat("pinned_pages") == pin0,
	       "nothing stays pinned");
	munmap(src, len);
	munmap(dst, n * len);
}


/* ---- vcrypt: requests against OpenSSL's libcrypto ---- */

#define CRYPT_KEY_LEN	VCRYPT_AES_KEY_256

/* A key slot holds a key of one algorithm: one slot each */
static uint16_t crypt_slot(uint8_t alg)
{
	return alg == VCRYPT_ALG_AES_CBC ? 0 : 1;
}

static const uint8_t crypt_key[CRYPT_KEY_LEN] = {
	0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae,
	0xf0, 0x85, 0x7d, 0x77, 0x81, 0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61,
	0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4,
};

static unsigned int crypt_status(struct vzip_q *q,
				 const struct vcrypt_sqe *sqe)
{
	struct vcrypt_cqe cqe;

	if (vcrypt_exec(q, sqe, &cqe))
		return 0xffff;
	return le16toh(cqe.status);
}

/* KEY_LOAD of crypt_key from @k, memory of the caller's choice. */
static unsigned int crypt_key_load(struct vzip_q *q, uint8_t alg, uint8_t *k)
{
	struct vcrypt_sqe sqe;

	memcpy(k, crypt_key, sizeof(crypt_key));
	sqe = vcrypt_sqe(q, VCRYPT_OP_KEY_LOAD, alg, crypt_slot(alg), k,
			 sizeof(crypt_key), NULL, 0);
	return crypt_status(q, &sqe);
}

/* The device's AES-256 of @alg (CBC, CTR) with crypt_key and @iv. */
static unsigned int crypt_aes(struct vzip_q *q, uint8_t alg, bool enc,
			      const uint8_t *iv, const void *src, void *dst,
			      uint32_t len)
{
	struct vcrypt_sqe sqe = vcrypt_sqe(q, enc ? VCRYPT_OP_ENCRYPT :
					   VCRYPT_OP_DECRYPT, alg,
					   crypt_slot(alg), src, len, dst, len);

	memcpy(sqe.iv, iv, VCRYPT_CIPHER_IV);
	sqe.iv_len = VCRYPT_CIPHER_IV;
	return crypt_status(q, &sqe);
}

/* The device's SHA-256 of @src into @dst. */
static unsigned int crypt_sha256(struct vzip_q *q, const void *src,
				 uint32_t len, void *dst)
{
	struct vcrypt_sqe sqe = vcrypt_sqe(q, VCRYPT_OP_DIGEST,
					   VCRYPT_ALG_SHA256, 0, src, len, dst,
					   VCRYPT_SHA256_SIZE);

	return crypt_status(q, &sqe);
}

/* OpenSSL's AES-256 of @alg, without padding; 0 or -1. */
static int ossl_aes(uint8_t alg, bool enc, const uint8_t *iv,
		    const uint8_t *in, uint32_t len, uint8_t *out)
{
	const EVP_CIPHER *c = alg == VCRYPT_ALG_AES_CBC ? EVP_aes_256_cbc() :
			      EVP_aes_256_ctr();
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, m = 0, ok;

	ok = ctx && EVP_CipherInit_ex(ctx, c, NULL, crypt_key, iv, enc) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	     EVP_CipherUpdate(ctx, out, &n, in, (int)len) &&
	     EVP_CipherFinal_ex(ctx, out + n, &m);
	EVP_CIPHER_CTX_free(ctx);
	return ok && (uint32_t)(n + m) == len ? 0 : -1;
}

/* The device's SHA-256 at @md is OpenSSL's of @src. */
static bool sha256_matches(const void *src, uint32_t len, const uint8_t *md)
{
	uint8_t want[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	return EVP_Digest(src, len, want, &n, EVP_sha256(), NULL) &&
	       n == VCRYPT_SHA256_SIZE && !memcmp(md, want, n);
}


/*
 * Which mappings may be registered, and that a region follows the
 * process's writes made after registering: memory never written,
 * registered read-only, then filled (pinned read-only, its pages would be
 * the zero page, which the writes leave behind).
 */
static void test_mappings(struct vzip_q *q, bool vcrypt)
{
	size_t len = 256 * 1024;
	uint8_t *src = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *dst = pages_alloc(len), *shm, *shm_ro, *file;
	int mfd = memfd_create("wd_mem_test", 0);
	int efd = open("/proc/self/exe", O_RDONLY);
	bool ok;

	if (src == MAP_FAILED || !dst || mfd < 0 || efd < 0 ||
	    ftruncate(mfd, len)) {
		tap_ok(0, "memory, a memfd and a file for the mapping cases");
		return;
	}
	tap_ok(reg(q->fd, src, len, 0) == 0,
	       "register memory never written, read-only");
	vzip_fill_random(src, len, 7);
	if (vcrypt)
		ok = crypt_sha256(q, src, len, dst) == VCRYPT_STS_OK &&
		     sha256_matches(src, len, dst);
	else
		ok = copy(q, src, dst, len) == VZIP_STS_OK &&
		     !memcmp(src, dst, len);
	tap_ok(ok && unreg(q->fd, src, len) == 0,
	       "a request reads what the process wrote there since");

	shm = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	shm_ro = mmap(NULL, len, PROT_READ, MAP_SHARED, mfd, 0);
	tap_ok(shm != MAP_FAILED && reg(q->fd, shm, len, WD_MEM_F_WRITE) == 0 &&
	       unreg(q->fd, shm, len) == 0,
	       "a shared memfd mapping registers writable");
	tap_ok(shm_ro != MAP_FAILED && reg(q->fd, shm_ro, len, 0) == 0 &&
	       unreg(q->fd, shm_ro, len) == 0,
	       "a read-only shared memfd mapping registers read-only");

	file = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, efd, 0);
	tap_ok(file != MAP_FAILED && reg(q->fd, file, page, 0) == -EOPNOTSUPP,
	       "a mapping of a regular file: EOPNOTSUPP");

	munmap(src, len);
	munmap(dst, len);
	if (shm != MAP_FAILED)
		munmap(shm, len);
	if (shm_ro != MAP_FAILED)
		munmap(shm_ro, len);
	if (file != MAP_FAILED)
		munmap(file, page);
	close(mfd);
	close(efd);
}
/* Register, use, unregister on vcrypt: the accounting comes and goes. */
static void test_crypt_lifecycle(struct vzip_q *q)
{
	size_t len = MIB, n = len - 2 * page;
	uint8_t *src = pages_alloc(len), *dst = pages_alloc(len);
	uint8_t *other = pages_alloc(len), *want = malloc(len);
	long lck0 = vmpin_kib(), pin0 = dev_stat("pinned_pages");
	uint8_t iv[VCRYPT_CIPHER_IV] = { 1, 2, 3, 4, 5 };
	uint8_t *text = src + page + 16;
	long long tot0;
	bool ok;

	vzip_fill_random(src, len, 4);
	tap_ok(reg(q->fd, src, len, 0) == 0 &&
	       reg(q->fd, dst, len, WD_MEM_F_WRITE) == 0,
	       "vcrypt: register a source (read) and a destination (write) of 1 MiB");
	tap_ok(vmpin_kib() == lck0 + 2 * 1024,
	       "VmPin grows by 2048 KiB (%ld -> %ld)", lck0, vmpin_kib());
	tap_ok(dev_stat("pinned_pages") == pin0 + (long)(2 * len / page),
	       "the device counts the registered pages pinned");

	tot0 = dev_stat("pinned_pages_total");
	tap_ok(crypt_key_load(q, VCRYPT_ALG_AES_CBC, src) == VCRYPT_STS_OK &&
	       crypt_key_load(q, VCRYPT_ALG_AES_CTR, src + 64) == VCRYPT_STS_OK,
	       "KEY_LOAD of AES-256 keys (CBC, CTR) from registered memory");
	ok = crypt_aes(q, VCRYPT_ALG_AES_CBC, true, iv, text, dst + 32, n) ==
	     VCRYPT_STS_OK &&
	     !ossl_aes(VCRYPT_ALG_AES_CBC, true, iv, text, n, want) &&
	     !memcmp(dst + 32, want, n);
	tap_ok(ok, "AES-256-CBC of %zu bytes inside registered regions is OpenSSL's",
	       n);
	tap_ok(crypt_sha256(q, text + 5, n - 7, dst + len - 64) ==
	       VCRYPT_STS_OK && sha256_matches(text + 5, n - 7, dst + len - 64),
	       "SHA-256 inside registered regions is OpenSSL's");
	/* CTR in place on the ciphertext: src == dst, mapped once, writable */
	ok = !ossl_aes(VCRYPT_ALG_AES_CTR, true, iv, dst + 32, n, want) &&
	     crypt_aes(q, VCRYPT_ALG_AES_CTR, true, iv, dst + 32, dst + 32,
		       n) == VCRYPT_STS_OK && !memcmp(dst + 32, want, n);
	tap_ok(ok, "AES-256-CTR in place in the writable region is OpenSSL's");
	tap_ok(dev_stat("pinned_pages_total") == tot0,
	       "and none of them pins a page");

	tot0 = dev_stat("pinned_pages_total");
	tap_ok(crypt_sha256(q, src, len, other) == VCRYPT_STS_OK &&
	       sha256_matches(src, len, other),
	       "SHA-256 of registered into unregistered memory is OpenSSL's");
	tap_ok(dev_stat("pinned_pages_total") == tot0 + 1,
	       "and pins only the digest's page");
	ok = crypt_aes(q, VCRYPT_ALG_AES_CTR, true, iv, dst, src + page, n) ==
	     VCRYPT_STS_OK &&
	     !ossl_aes(VCRYPT_ALG_AES_CTR, true, iv, dst, n, want) &&
	     !memcmp(src + page, want, n);
	tap_ok(ok, "a write to a region registered read-only is pinned per request");

	tap_ok(unreg(q->fd, src, len) == 0 && unreg(q->fd, dst, len) == 0,
	       "unregister both");
	tap_ok(vmpin_kib() == lck0, "VmPin is back (%ld)", vmpin_kib());
	tap_ok(dev_stat("pinned_pages") == pin0,
	       "the device's pinned pages are back");
	tap_ok(unreg(q->fd, src, len) == -ENOENT,
	       "unregistering again fails with ENOENT");

	tot0 = dev_stat("pinned_pages_total");
	vzip_fill_random(src, len, 5);
	tap_ok(crypt_sha256(q, src, len, dst) == VCRYPT_STS_OK &&
	       sha256_matches(src, len, dst) &&
	       dev_stat("pinned_pages_total") == tot0 + (long)(len / page) + 1,
	       "after unregistering, the memory still works, pinned per request");
	munmap(dst, len);
	tap_ok(crypt_sha256(q, src, len, dst) == VCRYPT_STS_ADDR_ERROR,
	       "unregistered then unmapped: ADDR_ERROR, the device keeps no page");
	munmap(src, len);
	munmap(other, len);
	free(want);
}

/* Unregistering on vcrypt while AES requests use the region waits. */
static void test_crypt_inflight(struct vzip_q *q)
{
	size_t len = 256 * 1024;
	unsigned int n = q->depth < 8 ? q->depth : 8, i, ok = 0, match = 0;
	uint8_t *src = pages_alloc(len), *dst = pages_alloc(n * len);
	uint8_t *want = malloc(len), iv[VCRYPT_CIPHER_IV] = { 9 };
	long lck0 = vmpin_kib(), pin0 = dev_stat("pinned_pages");
	struct vcrypt_cqe cqe;

	vzip_fill_random(src, len, 6);
	if (reg(q->fd, src, len, 0) || reg(q->fd, dst, n * len,
					    WD_MEM_F_WRITE) || !want ||
	    ossl_aes(VCRYPT_ALG_AES_CTR, true, iv, src, len, want)) {
		tap_ok(0, "register for the in-flight case");
		return;
	}
	for (i = 0; i < n; i++) {
		struct vcrypt_sqe sqe = vcrypt_sqe(q, VCRYPT_OP_ENCRYPT,
						   VCRYPT_ALG_AES_CTR,
						   crypt_slot(VCRYPT_ALG_AES_CTR),
						   src, len,
						   dst + i * len, len);

		memcpy(sqe.iv, iv, sizeof(iv));
		sqe.iv_len = sizeof(iv);
		vcrypt_queue(q, &sqe);
	}
	vzip_submit(q);
	tap_ok(unreg(q->fd, src, len) == 0 && unreg(q->fd, dst, n * len) == 0,
	       "unregister with %u AES-CTR requests of 256 KiB in flight", n);
	tap_ok(vmpin_kib() == lck0, "VmPin is back when it returns");
	for (i = 0; i < n; i++)
		if (!vcrypt_reap(q, &cqe, VZIP_TIMEOUT_MS, false))
			ok += le16toh(cqe.status) == VCRYPT_STS_OK;
	for (i = 0; i < n; i++)
		match += !memcmp(want, dst + i * len, len);
	tap_ok(ok == n && match == n,
	       "every request completed as OpenSSL's (%u ok, %u match)", ok,
	       match);
	tap_ok(dev_stat("pinned_pages") == pin0, "nothing stays pinned");
	munmap(src, len);
	munmap(dst, n * len);
	free(want);
}

/* A process killed with regions registered gives them all back. */
static void test_kill(void)
{
	size_t len = 4 * MIB;
	long avail0 = available(), pin0 = dev_stat("pinned_pages");
	int pfd[2], i;
	char c = 0;
	pid_t pid;
	int st;

	if (pipe(pfd)) {
		tap_ok(0, "pipe");
		return;
	}
	pid = fork();
	if (!pid) {
		struct vzip_q q;
		uint8_t *buf = pages_alloc(len);

		c = !vzip_open(&q, name) && !vzip_start(&q) &&
		    !reg(q.fd, buf, len / 2, WD_MEM_F_WRITE) &&
		    !reg(q.fd, buf + len / 2, len / 2, 0);
		if (write(pfd[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	tap_ok(read(pfd[0], &c, 1) == 1 && c,
	       "a child registers 4 MiB on a queue of its own");
	tap_ok(dev_stat("pinned_pages") == pin0 + (long)(len / page),
	       "the device counts them pinned");
	tap_ok(available() == avail0 - 1, "its queue is in use");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(pfd[0]);
	for (i = 0; i < 500 && (dev_stat("pinned_pages") != pin0 ||
				available() != avail0); i++)
		usleep(10000);
	tap_ok(dev_stat("pinned_pages") == pin0,
	       "after SIGKILL every registered page is unpinned");
	tap_ok(available() == avail0, "and its queue is free again");
}

/* ---- UNREGISTER of a stream's context while its request waits ---- */

struct bg_call {
	int fd;
	unsigned long cmd;
	void *arg;
	const char *path, *text;	/* or a sysfs write */
	int err;			/* -1 until it returns */
	atomic_int tid;			/* the thread's, once it runs */
	atomic_bool done;
};

static void *bg_run(void *p)
{
	struct bg_call *c = p;

	atomic_store(&c->tid, (int)syscall(SYS_gettid));
	if (c->path)
		c->err = vzip_write_file(c->path, c->text) ? EIO : 0;
	else
		c->err = ioctl(c->fd, c->cmd, c->arg) ? errno : 0;
	atomic_store(&c->done, true);
	return NULL;
}

/* Whether @c returns within @ms */
static bool bg_done_within(struct bg_call *c, long ms, long *took)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!atomic_load(&c->done) && vzip_ms_since(&t0) < ms)
		usleep(10000);
	if (took)
		*took = vzip_ms_since(&t0);
	return atomic_load(&c->done);
}

/* Whether @c's thread is in @func in the kernel within 5 s */
static bool bg_in_kernel(struct bg_call *c, const char *func)
{
	char path[PATH_MAX], buf[4096] = "";
	int i;

	for (i = 0; i < 500; i++) {
		snprintf(path, sizeof(path), "/proc/self/task/%d/stack",
			 atomic_load(&c->tid));
		if (atomic_load(&c->tid) &&
		    !vzip_read_file(path, buf, sizeof(buf)) &&
		    strstr(buf, func))
			return true;
		if (atomic_load(&c->done))
			break;
		usleep(10000);
	}
	tap_diag("thread %d (%s) not in %s; the top of its stack: %.80s",
		 atomic_load(&c->tid),
		 atomic_load(&c->done) ? "returned" : "running", func, buf);
	return false;
}

/* Whether a kernel thread waits in wd_dma_map*() within 5 s */
static bool engine_in_dma_map(void)
{
	char path[PATH_MAX], buf[4096];
	struct dirent *e;
	int i;

	for (i = 0; i < 500; i++) {
		DIR *dir = opendir("/proc");
		bool found = false;

		while (dir && !found && (e = readdir(dir))) {
			if (e->d_name[0] < '1' || e->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/stack",
				 e->d_name);
			found = !vzip_read_file(path, buf, sizeof(buf)) &&
				strstr(buf, "wd_dma_map");
		}
		if (dir)
			closedir(dir);
		if (found)
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * The child of test_crypt_unregister_killed(): a queue of its own, a
 * stream's request waiting for the page the parent's fixture holds, its
 * context registered, and a thread in UNREGISTER of that region; it
 * writes the thread's id to @wfd (0 if something failed), then waits to
 * be killed.
 */
static int unregister_child(int wfd, int ffd)
{
	struct wd_mem_region r = { 0 };
	struct bg_call un = { .cmd = WD_MEM_CMD_UNREGISTER, .arg = &r,
			      .err = -1 };
	uint8_t *ctx = pages_alloc(page), *src;
	struct vcrypt_sqe sqe;
	struct vzip_q cq;
	pthread_t ut;
	int tid = 0, i;

	src = mmap(NULL, page, PROT_READ, MAP_PRIVATE, ffd, 0);
	r.addr = (uintptr_t)ctx;
	r.len = page;
	r.flags = WD_MEM_F_WRITE;
	if (ctx && src != MAP_FAILED && !vzip_open(&cq, name) &&
	    !vzip_start(&cq) && !ioctl(cq.fd, WD_MEM_CMD_REGISTER, &r)) {
		sqe = vcrypt_sqe(&cq, VCRYPT_OP_DIGEST, VCRYPT_ALG_SHA256, 0,
				 src, page, NULL, 0);
		sqe.ctx = htole64((uintptr_t)ctx);
		sqe.flags = htole16(VCRYPT_SQE_F_STREAM |
				    VCRYPT_SQE_F_NEW_STREAM);
		vcrypt_queue(&cq, &sqe);
		un.fd = cq.fd;
		if (!vzip_submit(&cq) && engine_in_dma_map() &&
		    !pthread_create(&ut, NULL, bg_run, &un)) {
			for (i = 0; i < 500 && !atomic_load(&un.tid); i++)
				usleep(10000);
			tid = atomic_load(&un.tid);
		}
	}
	if (write(wfd, &tid, sizeof(tid)) != sizeof(tid))
		return 1;
	for (;;)
		pause();
}

/*
 * A process killed while a thread of it waits in UNREGISTER for a
 * stream's request, which waits for a page (the fixture holds it): the
 * wait is killable, so the process exits and its file closes, which stops
 * the queue and gives the request up (its last reference then frees the
 * region; kmemleak would see one left).  An unkillable wait would keep the
 * process until the page came.
 */
static void test_crypt_unregister_killed(void)
{
	struct wd_mm_hold_page hp = { .offset = 0 };
	struct bg_call hold = { .cmd = WD_MM_HOLD_PAGE, .arg = &hp, .err = -1 };
	long avail0 = available();
	char path[PATH_MAX], buf[4096];
	bool in_unreg = false, exited = false;
	struct timespec t0;
	long exit_ms = -1;
	int pfd[2] = { -1, -1 }, tid = 0, st, ffd, i;
	pthread_t ht;
	pid_t pid = -1;

	hold.fd = open(WD_MM_HOLD_DEV, O_RDWR);
	ffd = open(WD_MM_HOLD_FILE, O_RDONLY);
	hp.fd = ffd;
	if (hold.fd < 0 || ffd < 0 || pipe(pfd) ||
	    pthread_create(&ht, NULL, bg_run, &hold)) {
		tap_ok(0, "the fixture, " WD_MM_HOLD_FILE " and a pipe for the killed UNREGISTER");
		tap_ok(0, "the queue's release: not checked");
		goto out;
	}
	for (i = 0; i < 1000 && ioctl(hold.fd, WD_MM_STATE) == WD_MM_NOT_HELD &&
	     !atomic_load(&hold.done); i++)
		usleep(10000);
	pid = fork();
	if (!pid)
		_exit(unregister_child(pfd[1], ffd));
	close(pfd[1]);
	pfd[1] = -1;
	if (pid > 0 && read(pfd[0], &tid, sizeof(tid)) == sizeof(tid) && tid) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", (int)pid,
			 tid);
		for (i = 0; i < 500 && !in_unreg; i++) {
			/* as in test_crypt_unregister_waiting() */
			in_unreg = !vzip_read_file(path, buf, sizeof(buf)) &&
				   strstr(buf, "wd_mem_");
			if (!in_unreg)
				usleep(10000);
		}
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (!exited && vzip_ms_since(&t0) < 10000) {
			exited = waitpid(pid, &st, WNOHANG) == pid;
			if (!exited)
				usleep(10000);
		}
		if (exited)
			exit_ms = vzip_ms_since(&t0);
	}
	ioctl(hold.fd, WD_MM_RELEASE);
	pthread_join(ht, NULL);
	if (pid > 0 && !exited)
		waitpid(pid, &st, 0);
	tap_ok(in_unreg && exited,
	       "a process killed while its UNREGISTER waits for a stream's request exits (in %ld ms; its thread was in UNREGISTER: %s)",
	       exit_ms, in_unreg ? "yes" : "no");
	for (i = 0; i < 500 && available() != avail0; i++)
		usleep(10000);
	tap_ok(available() == avail0,
	       "and its queue is released (%ld queues available, were %ld)",
	       available(), avail0);
out:
	for (i = 0; i < 2; i++)
		if (pfd[i] >= 0)
			close(pfd[i]);
	if (ffd >= 0)
		close(ffd);
	if (hold.fd >= 0)
		close(hold.fd);
}

/*
 * A stream's request holds the registered region of its context while it
 * waits for a page of its source, which the test fixture wd_mm_hold keeps
 * locked as a read that does not end would (a stalled FUSE or NFS file).
 * An UNREGISTER of that region waits for the request, as it must, but
 * without the queue's lock: an unbind meanwhile finishes, its stop giving
 * the request up, and then the UNREGISTER returns 0 with VmPin back.  Last
 * of the cases: the device is bound again after, under a new name.
 */
static void test_crypt_unregister_waiting(struct vzip_q *q)
{
	struct wd_mm_hold_page hp = { .offset = 0 };
	struct wd_mem_region r = { 0 };
	struct bg_call hold = { .cmd = WD_MM_HOLD_PAGE, .arg = &hp, .err = -1 };
	struct bg_call un = { .fd = q->fd, .cmd = WD_MEM_CMD_UNREGISTER,
			      .arg = &r, .err = -1 };
	struct bg_call unbind = { .path = "/sys/bus/platform/drivers/vcrypt/unbind",
				  .err = -1 };
	char link[PATH_MAX], target[PATH_MAX], pdev[NAME_MAX + 1] = "";
	uint32_t ctx_size = vzip_reg(q, VCRYPT_REG_CTX_SIZE);
	uint8_t *ctx = pages_alloc(page), *src = MAP_FAILED;
	bool waited = false, unreg_waits = false, unbound = false;
	bool unreg_started = false, unbind_started = false;
	long pin0 = vmpin_kib(), unbind_ms = -1;
	pthread_t ht, ut, bt;
	struct vcrypt_cqe cqe;
	struct vcrypt_sqe sqe;
	ssize_t len;
	int ffd, i;

	snprintf(link, sizeof(link), VZIP_CLASS_DIR "/%s/device", name);
	len = readlink(link, target, sizeof(target) - 1);
	if (len > 0) {
		target[len] = '\0';
		snprintf(pdev, sizeof(pdev), "%.255s", strrchr(target, '/') ?
			 strrchr(target, '/') + 1 : target);
	}
	hold.fd = open(WD_MM_HOLD_DEV, O_RDWR);
	ffd = open(WD_MM_HOLD_FILE, O_RDONLY);
	if (ffd >= 0)
		src = mmap(NULL, page, PROT_READ, MAP_PRIVATE, ffd, 0);
	r.addr = (uintptr_t)ctx;
	r.len = page;
	r.flags = WD_MEM_F_WRITE;
	unbind.text = pdev;
	hp.fd = ffd;
	if (!tap_ok(*pdev && hold.fd >= 0 && src != MAP_FAILED && ctx &&
		    ctx_size && ctx_size <= page &&
		    !ioctl(q->fd, WD_MEM_CMD_REGISTER, &r) &&
		    !pthread_create(&ht, NULL, bg_run, &hold),
		    "a stream's context registered, its source on a page of " WD_MM_HOLD_FILE " that the fixture holds (%s, context %u bytes)",
		    pdev, ctx_size)) {
		tap_ok(0, "the unbind: not run");
		tap_ok(0, "the UNREGISTER: not run");
		goto out;
	}
	for (i = 0; i < 1000 && ioctl(hold.fd, WD_MM_STATE) == WD_MM_NOT_HELD &&
	     !atomic_load(&hold.done); i++)
		usleep(10000);
	/*
	 * A new stream hashing the page: its context is mapped first.  Not
	 * FINAL, so no digest yet.
	 */
	sqe = vcrypt_sqe(q, VCRYPT_OP_DIGEST, VCRYPT_ALG_SHA256, 0, src, page,
			 NULL, 0);
	sqe.ctx = htole64((uintptr_t)ctx);
	sqe.flags = htole16(VCRYPT_SQE_F_STREAM | VCRYPT_SQE_F_NEW_STREAM);
	vcrypt_queue(q, &sqe);
	if (!vzip_submit(q))
		waited = engine_in_dma_map();
	if (!waited && !vcrypt_reap(q, &cqe, 1000, false))
		tap_diag("the request completed with status %u",
			 le16toh(cqe.status));
	unreg_started = waited && !pthread_create(&ut, NULL, bg_run, &un);
	/*
	 * It waits for the request, which holds the context: in wd_mem_drop()
	 * or the wd_mem_unregister*() that calls it, tail calls aside.
	 */
	unreg_waits = unreg_started && bg_in_kernel(&un, "wd_mem_");
	unbind_started = unreg_waits &&
			 !pthread_create(&bt, NULL, bg_run, &unbind);
	unbound = unbind_started &&
		  bg_done_within(&unbind, 10000, &unbind_ms);
	ioctl(hold.fd, WD_MM_RELEASE);
	pthread_join(ht, NULL);
	/* what waited for the hold ends now: nothing hangs */
	if (unbind_started && bg_done_within(&unbind, 10000, NULL))
		pthread_join(bt, NULL);
	if (unreg_started && bg_done_within(&un, 10000, NULL))
		pthread_join(ut, NULL);
	tap_ok(unreg_waits && unbound && !unbind.err,
	       "an unbind while an UNREGISTER waits for a stream's request (the engine waiting for its source: %s, UNREGISTER waiting: %s) finished (in %ld ms)",
	       waited ? "yes" : "no", unreg_waits ? "yes" : "no",
	       unbound ? unbind_ms : -1L);
	tap_ok(waited && un.err == 0 && vmpin_kib() == pin0,
	       "the UNREGISTER then returns 0 (%s), VmPin back (%ld kB, was %ld)",
	       un.err < 0 ? "did not return" : strerror(un.err), vmpin_kib(),
	       pin0);
	if (atomic_load(&unbind.done) &&
	    (vzip_write_file("/sys/bus/platform/drivers/vcrypt/bind", pdev) ||
	     vcrypt_find_device(name, sizeof(name))))
		tap_diag("the rebind failed");
out:
	if (src != MAP_FAILED)
		munmap(src, page);
	if (ffd >= 0)
		close(ffd);
	if (hold.fd >= 0)
		close(hold.fd);
	if (ctx)
		munmap(ctx, page);
}

/* Tests in every class, then each class's own */
#define PLAN_COMMON	34
#define PLAN_VZIP	17
#define PLAN_VCRYPT	26

static const uint32_t crypt_algs = 1U << VCRYPT_ALG_SHA256 |
				   1U << VCRYPT_ALG_AES_CBC |
				   1U << VCRYPT_ALG_AES_CTR;

int main(int argc, char **argv)
{
	bool vcrypt = argc > 1 && !strcmp(argv[1], "vcrypt");
	struct vzip_q q;
	int ret;

	if (argc == 4 && !strcmp(argv[1], MEMLOCK_EXEC_ARG))
		return memlock_exec_main(argv[2], atoi(argv[3]));
	if (argc > 2 || (argc == 2 && !vcrypt)) {
		fprintf(stderr, "usage: %s [vcrypt]\n", argv[0]);
		return 2;
	}
	page = (size_t)sysconf(_SC_PAGESIZE);
	if (vcrypt) {
		debugfs = VCRYPT_DEBUGFS_DIR;
		ret = vcrypt_find_device(name, sizeof(name));
	} else {
		ret = vzip_find_device(name, sizeof(name));
	}
	if (ret || vzip_open(&q, name)) {
		tap_plan(1);
		tap_ok(0, "a %s device to open", vcrypt ? "vcrypt" : "vzip");
		return tap_done();
	}
	if (!q.sva) {
		tap_plan(2);
		test_no_sva(&q);
		vzip_close(&q);
		return tap_done();
	}
	tap_plan(PLAN_COMMON + (vcrypt ? PLAN_VCRYPT : PLAN_VZIP));
	if (vzip_start(&q)) {
		tap_ok(0, "START_Q");
		return tap_done();
	}
	if (vcrypt && (vzip_reg(&q, VCRYPT_REG_ALGS) & crypt_algs) !=
		      crypt_algs) {
		tap_ok(0, "the device has SHA-256, AES-CBC and AES-CTR (ALGS %#x)",
		       vzip_reg(&q, VCRYPT_REG_ALGS));
		return tap_done();
	}
	if (vcrypt)
		test_crypt_lifecycle(&q);
	else
		test_lifecycle(&q);
	test_bad_input(&q);
	test_mappings(&q, vcrypt);
	test_cap(&q);
	test_memlock();
	test_memlock_exec();
	test_other_mm(&q);
	if (vcrypt)
		test_crypt_inflight(&q);
	else
		test_inflight(&q);
	test_kill();
	if (vcrypt) {
		test_crypt_unregister_killed();
		test_crypt_unregister_waiting(&q);
	}
	vzip_close(&q);
	return tap_done();
}
