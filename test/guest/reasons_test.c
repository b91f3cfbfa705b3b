// SPDX-License-Identifier: GPL-2.0
/*
 * Every refusal says why: bad input to a queue, one case at a time, each
 * answered with its errno (or its completion's status) and with the
 * kernel message that names the reason.  The messages are dev_dbg(): the
 * test turns them on for uacce, wd_engine and the device's class through
 * dynamic debug (/proc/dynamic_debug/control, CONFIG_DYNAMIC_DEBUG), off
 * again at the end, and reads them from /dev/kmsg after each case.
 *
 *   reasons_test           a vzip device: the queue's ioctls, the mmap of
 *                          its regions and what may be done to a mapping,
 *                          its SS region, the sysfs and debugfs knobs,
 *                          memory registration, every descriptor check
 *                          (Documentation/vzip.rst, "Submission entry"),
 *                          stream contexts, unreachable addresses, and an
 *                          open past the last queue
 *   reasons_test vcrypt    a vcrypt device: its own descriptor checks,
 *                          keys and stream contexts
 *   reasons_test --vfio UUID
 *                          a vzip vfio-pci instance (test/guest/
 *                          reasons_vfio.sh creates it): the VFIO device's
 *                          ioctls and regions, and descriptors of one of
 *                          its queues
 *
 * With SVA or without (the plan runs both).  Prints TAP; exits non-zero
 * when a case failed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/wait.h>

#include <misc/uacce/wd_mem.h>

#include "vcrypt_testlib.h"
#include "tap.h"
#include "vzpci.h"

#define DYNDBG_PROC	"/proc/dynamic_debug/control"
#define DYNDBG_DEBUGFS	"/sys/kernel/debug/dynamic_debug/control"
static const char *modules[] = { "uacce", "wd_engine", "vzip" };

static const char *dyndbg;
static int kmsg = -1;
static char last[512];

static int dyndbg_set(const char *flags)
{
	char q[64];
	int ret = 0;

	for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		snprintf(q, sizeof(q), "module %s %s\n", modules[i], flags);
		if (vzip_write_file(dyndbg, q))
			ret = -1;
	}
	return ret;
}

/* Forgets what the kernel logged so far. */
static void kmsg_mark(void)
{
	lseek(kmsg, 0, SEEK_END);
	last[0] = '\0';
}

/* Whether a record logged since kmsg_mark() contains @what. */
static bool kmsg_says(const char *what)
{
	char rec[8192];
	bool found = false;

	for (;;) {
		ssize_t n = read(kmsg, rec, sizeof(rec) - 1);
		char *msg, *end;

		if (n < 0 && errno == EPIPE)	/* overwritten: read on */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		end = strchr(msg, '\n');
		if (end)
			*end = '\0';
		if (strstr(msg, what))
			found = true;
		snprintf(last, sizeof(last), "%s", msg);
	}
	return found;
}

/* One case: @err the errno the call gave (0 for none), @want its errno. */
static void expect(int err, int want, const char *reason, const char *what)
{
	bool said = kmsg_says(reason);

	if (!tap_ok(err == want && said, "%s: %s, logged \"%s\"", what,
		    strerror(want), reason))
		tap_diag("the call gave %s; the kernel's last line: %s",
			 err ? strerror(err) : "success",
			 last[0] ? last : "(none)");
}

/*
 * One request, run since kmsg_mark(): it completed with @status (0xffff if
 * it did not complete), and must have with @want and the reason.
 */
static void expect_status(unsigned int status, unsigned int want,
			  const char *reason, const char *what)
{
	bool said = kmsg_says(reason);

	if (!tap_ok(status == want && said, "%s: status %u, logged \"%s\"",
		    what, want, reason))
		tap_diag("status %u; the kernel's last line: %s", status,
			 last[0] ? last : "(none)");
}

/* A vzip descriptor on the queue: expect_status() */
static void expect_sqe(struct vzip_q *q, const struct vzip_sqe *sqe,
		       unsigned int want, const char *reason, const char *what)
{
	kmsg_mark();
	expect_status(vzip_status_of(q, sqe), want, reason, what);
}

/* A vcrypt descriptor on the queue: expect_status() */
static void expect_crypt(struct vzip_q *q, const struct vcrypt_sqe *sqe,
			 unsigned int want, const char *reason,
			 const char *what)
{
	struct vcrypt_cqe cqe;

	kmsg_mark();
	expect_status(vcrypt_exec(q, sqe, &cqe) ? 0xffff :
		      le16toh(cqe.status), want, reason, what);
}

static int errno_of(int ret)
{
	return ret < 0 ? errno : 0;
}

/* mmap() of @len bytes of region @type of @fd; the errno, or 0. */
static int map_err(int fd, int type, size_t len, int flags)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd,
		       type * page);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

static void regions(struct vzip_q *q)
{
	long page = sysconf(_SC_PAGESIZE);
	struct uacce_ss_info ss;
	char path[PATH_MAX];
	void *hole;
	int ret, fd;

	kmsg_mark();
	expect(map_err(q->fd, 8, page, MAP_SHARED), EINVAL,
	       "offset of 8 pages selects no region", "mmap at page 8");
	kmsg_mark();
	expect(map_err(q->fd, UACCE_QFRT_DUS, q->dus_size, MAP_PRIVATE),
	       EINVAL, "regions are mapped MAP_SHARED only",
	       "mmap MAP_PRIVATE");
	kmsg_mark();
	expect(map_err(q->fd, UACCE_QFRT_DUS, q->dus_size, MAP_SHARED),
	       EEXIST, "the DUS region is already mapped",
	       "mmap of a mapped region");

	/* a part of a mapping may not be changed on its own */
	if (q->dus_size < 2 * (size_t)page) {
		tap_ok(0, "the DUS region is at least two pages (%zu bytes)",
		       q->dus_size);
	} else {
		kmsg_mark();
		ret = mprotect(q->dus + page, page, PROT_READ);
		expect(errno_of(ret), EINVAL,
		       "a region is unmapped or protected whole only",
		       "mprotect of part of a region");
		if (!ret)	/* the rings are written below */
			mprotect(q->dus + page, page, PROT_READ | PROT_WRITE);
	}
	hole = mmap(NULL, q->dus_size, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	kmsg_mark();
	if (hole == MAP_FAILED) {
		tap_ok(0, "an address for mremap(): %s", strerror(errno));
	} else {
		void *p = mremap(q->dus, q->dus_size, q->dus_size,
				 MREMAP_MAYMOVE | MREMAP_FIXED, hole);

		expect(p == MAP_FAILED ? errno : 0, EPERM,
		       "a region cannot be moved", "mremap of a region");
		if (p == MAP_FAILED) {
			munmap(hole, q->dus_size);
		} else {	/* moved after all: follow it */
			q->sq = (void *)((uint8_t *)p +
					 ((uint8_t *)q->sq - q->dus));
			q->cq = (void *)((uint8_t *)p +
					 ((uint8_t *)q->cq - q->dus));
			q->dus = p;
		}
	}

	/* a second queue, none of its regions mapped */
	snprintf(path, sizeof(path), "/dev/%s", q->name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (!tap_ok(fd >= 0, "a second queue of %s", q->name)) {
		tap_diag("open: %s", strerror(errno));
		return;
	}
	kmsg_mark();
	expect(map_err(fd, UACCE_QFRT_DUS, q->dus_size + page, MAP_SHARED),
	       EINVAL, "-byte DUS region", "mmap beyond the region's size");
	kmsg_mark();
	if (q->sva) {
		expect(errno_of(ioctl(fd, UACCE_CMD_GET_SS, &ss)), ENODEV,
		       "GET_SS: the device has no SS region", "GET_SS with SVA");
		kmsg_mark();
		expect(map_err(fd, UACCE_QFRT_SS, page, MAP_SHARED), EINVAL,
		       "mmap: the device has no SS region",
		       "mmap of the SS region with SVA");
	} else {
		expect(errno_of(ioctl(fd, UACCE_CMD_GET_SS, &ss)), EINVAL,
		       "GET_SS: map the SS region first",
		       "GET_SS before the SS region is mapped");
		kmsg_mark();
		expect(map_err(fd, UACCE_QFRT_SS, page, MAP_SHARED), EINVAL,
		       "-byte SS region", "mmap of part of the SS region");
	}
	kmsg_mark();
	expect(errno_of(ioctl(fd, UACCE_CMD_WAKE_Q)), EINVAL,
	       "WAKE_Q: the queue is not started", "WAKE_Q before START_Q");
	close(fd);
}

/* What a queue's file is not for: O_DIRECT, read(), write() */
static void file_ops(struct vzip_q *q, const char *name)
{
	char path[PATH_MAX], byte = 0;
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", name);
	kmsg_mark();
	fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	expect(fd < 0 ? errno : 0, EINVAL,
	       "open: O_DIRECT: a queue has no pages to read or write directly",
	       "an open with O_DIRECT");
	if (fd >= 0)
		close(fd);
	kmsg_mark();
	expect(errno_of(read(q->fd, &byte, 1)), EINVAL,
	       "read: a queue is not read: its rings are mapped", "read()");
	kmsg_mark();
	expect(errno_of(write(q->fd, &byte, 1)), EINVAL,
	       "write: a queue is not written: its rings are mapped",
	       "write()");
}

static void ioctls(struct vzip_q *q)
{
	kmsg_mark();
	expect(errno_of(ioctl(q->fd, UACCE_CMD_START_Q)), EINVAL,
	       "START_Q: the queue is already started", "START_Q twice");
	kmsg_mark();
	expect(errno_of(ioctl(q->fd, _IO('W', 0x7f))), EINVAL,
	       "unknown ioctl 0x577f", "an unknown ioctl");
}

static void knobs(const struct vzip_q *q)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/isolate_strategy",
		 q->name);
	kmsg_mark();
	expect(-vzip_write_file(path, "65536"), EINVAL,
	       "isolate_strategy: want 0 to 65535 errors per hour",
	       "isolate_strategy 65536");
	snprintf(path, sizeof(path), VZIP_DEBUGFS_DIR "/%s/inject_hw_error",
		 q->name);
	kmsg_mark();
	expect(-vzip_write_file(path, "4294967296"), EINVAL,
	       "inject_hw_error: 4294967296 is above 2147483647",
	       "inject_hw_error 2^32");
}

static int reg(int fd, unsigned long cmd, void *addr, uint64_t len,
	       uint32_t flags)
{
	struct wd_mem_region r = {
		.addr = (uintptr_t)addr, .len = len, .flags = flags,
	};

	return errno_of(ioctl(fd, cmd, &r));
}

/* Refused mappings: a read-only private one, a file's. */
static void mappings(struct vzip_q *q, long page)
{
	uint8_t *ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	int efd = open("/proc/self/exe", O_RDONLY);
	uint8_t *file = efd < 0 ? MAP_FAILED :
			mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			     efd, 0);

	if (ro == MAP_FAILED || file == MAP_FAILED) {
		tap_ok(0, "a read-only mapping and a file's: %s",
		       strerror(errno));
	} else {
		kmsg_mark();
		expect(reg(q->fd, WD_MEM_CMD_REGISTER, ro, page, 0), EFAULT,
		       "a private mapping must be writable",
		       "REGISTER of a read-only private mapping");
		kmsg_mark();
		expect(reg(q->fd, WD_MEM_CMD_REGISTER, file, page, 0),
		       EOPNOTSUPP, "maps a file other than shmem or hugetlbfs",
		       "REGISTER of a mapping of a regular file");
	}
	if (ro != MAP_FAILED)
		munmap(ro, page);
	if (file != MAP_FAILED)
		munmap(file, page);
	if (efd >= 0)
		close(efd);
}

static void registration(struct vzip_q *q)
{
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *buf, *gone;
	pid_t pid;
	int st;

	if (!q->sva) {
		kmsg_mark();
		expect(reg(q->fd, WD_MEM_CMD_REGISTER, q->ss, page, 0),
		       EOPNOTSUPP, "registered memory needs SVA",
		       "REGISTER without SVA");
		return;
	}
	buf = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gone = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	if (buf == MAP_FAILED || gone == MAP_FAILED) {
		tap_ok(0, "memory to register: %s", strerror(errno));
		return;
	}
	munmap(gone, page);
	kmsg_mark();
	expect(reg(q->fd, WD_MEM_CMD_REGISTER, buf, page, 0x80), EINVAL,
	       "REGISTER: unknown flags 0x80", "REGISTER with flag 0x80");
	kmsg_mark();
	expect(reg(q->fd, WD_MEM_CMD_REGISTER, buf + 1, page, 0), EINVAL,
	       "is empty or not page aligned", "REGISTER of a misaligned address");
	kmsg_mark();
	expect(reg(q->fd, WD_MEM_CMD_REGISTER, buf, WD_MEM_MAX_LEN + page, 0),
	       EINVAL, "more than 1073741824", "REGISTER above WD_MEM_MAX_LEN");
	kmsg_mark();
	expect(reg(q->fd, WD_MEM_CMD_REGISTER, gone, page, 0), EFAULT,
	       "REGISTER: cannot pin", "REGISTER of unmapped memory");
	mappings(q, page);
	kmsg_mark();
	expect(reg(q->fd, WD_MEM_CMD_UNREGISTER, buf, page, 0), ENOENT,
	       "UNREGISTER: no region", "UNREGISTER of memory not registered");
	if (reg(q->fd, WD_MEM_CMD_REGISTER, buf, 2 * page, WD_MEM_F_WRITE)) {
		tap_ok(0, "REGISTER of two pages: %s", strerror(errno));
	} else {
		kmsg_mark();
		expect(reg(q->fd, WD_MEM_CMD_REGISTER, buf + page, page, 0),
		       EEXIST, "overlaps the region at",
		       "REGISTER over a registered page");
		reg(q->fd, WD_MEM_CMD_UNREGISTER, buf, 2 * page, 0);
	}

	/* the queue's file, inherited: not the opener's memory */
	kmsg_mark();
	pid = fork();
	if (pid == 0)
		_exit(reg(q->fd, WD_MEM_CMD_REGISTER, buf, page, 0));
	st = -1;
	if (pid > 0)
		waitpid(pid, &st, 0);
	expect(WIFEXITED(st) ? WEXITSTATUS(st) : -1, EPERM,
	       "registered memory is the queue opener's only",
	       "REGISTER from a child of the opener");
	munmap(buf, 2 * page);
}

static void descriptors(struct vzip_q *q)
{
	uint32_t ctx_size = vzip_reg(q, VZIP_REG_CTX_SIZE);
	uint32_t max_len = vzip_reg(q, VZIP_REG_MAX_LEN);
	uint8_t *src = vzip_mem(q, 4096), *dst = vzip_mem(q, 4096);
	uint8_t *ctx = vzip_mem(q, ctx_size);
	long page = sysconf(_SC_PAGESIZE);
	struct vzip_sqe s;
	void *gone;

	if (!src || !dst || !ctx) {
		tap_ok(0, "buffers the device can reach");
		return;
	}
	memset(src, 'a', 4096);
	memset(ctx, 0, ctx_size);

	/* "invalid request: %s" is one call site: 10 lines per 5 s */
	s = vzip_sqe(q, VZIP_OP_NOP, 0, 0, NULL, 0, NULL, 0);
	s.version = 2;
	expect_sqe(q, &s, VZIP_STS_INVALID, "invalid request: unknown version",
		   "a descriptor of version 2");
	s = vzip_sqe(q, VZIP_OP_NOP, 0, 0, NULL, 0, NULL, 0);
	s.rsvd[3] = htole32(1);
	expect_sqe(q, &s, VZIP_STS_INVALID, "invalid request: reserved field set",
		   "a reserved word set");
	s = vzip_sqe(q, VZIP_OP_COMPRESS, VZIP_FMT_RAW, VZIP_FLUSH_FINISH,
		     src, 64, dst, 4096);
	s.flags = htole16(0x8);
	expect_sqe(q, &s, VZIP_STS_INVALID, "invalid request: unknown flag",
		   "flag 0x8");
	s = vzip_sqe(q, 4, 0, 0, NULL, 0, NULL, 0);
	expect_sqe(q, &s, VZIP_STS_INVALID, "invalid request: unknown opcode",
		   "opcode 4");
	s = vzip_sqe(q, VZIP_OP_NOP, 0, 0, src, 64, NULL, 0);
	expect_sqe(q, &s, VZIP_STS_INVALID, "invalid request: NOP with addresses",
		   "a NOP with a source");
	s = vzip_sqe(q, VZIP_OP_DECOMPRESS, VZIP_FMT_RAW, VZIP_FLUSH_FINISH,
		     src, 64, dst, 4096);
	s.level = 6;
	expect_sqe(q, &s, VZIP_STS_INVALID,
		   "invalid request: level set for DECOMPRESS",
		   "DECOMPRESS with a level");
	s = vzip_sqe(q, VZIP_OP_COMPRESS, 3, VZIP_FLUSH_FINISH, src, 64, dst,
		     4096);
	expect_sqe(q, &s, VZIP_STS_INVALID,
		   "invalid request: format, flush, level or window out of range",
		   "format 3");
	s = vzip_sqe(q, VZIP_OP_COMPRESS, VZIP_FMT_RAW, VZIP_FLUSH_FINISH,
		     src, 64, dst, 4096);
	s.flags = htole16(VZIP_SQE_F_NEW_STREAM);
	expect_sqe(q, &s, VZIP_STS_INVALID,
		   "invalid request: NEW_STREAM without STREAM",
		   "NEW_STREAM alone");
	s = vzip_sqe(q, VZIP_OP_COMPRESS, VZIP_FMT_RAW, VZIP_FLUSH_FINISH,
		     src, 64, dst, 4096);
	s.ctx = htole64(vzip_addr(q, ctx));
	expect_sqe(q, &s, VZIP_STS_INVALID,
		   "invalid request: context without STREAM",
		   "a context without STREAM");

	sleep(6);	/* the call site's next 10 */
	s = vzip_sqe(q, VZIP_OP_COMPRESS, VZIP_FMT_RAW, VZIP_FLUSH_FINISH,
		     src, 64, dst, 4096);
	s.flags = htole16(VZIP_SQE_F_STREAM);
	s.ctx = htole64(vzip_addr(q, ctx) + 8);
	expect_sqe(q, &s, VZIP_STS_INVALID, "invalid request: misaligned context",
		   "a context 8 bytes off");
	s = vzip_sqe(q, VZIP_OP_COPY, 0, 0, src, max_len + 1, dst, 4096);
	expect_sqe(q, &s, VZIP_STS_INVALID,
		   "invalid request: length above MAX_LEN",
		   "a source of MAX_LEN + 1 bytes");
	s = vzip_sqe(q, VZIP_OP_COPY, 0, 0, src, 4096, src + 64, 4096);
	expect_sqe(q, &s, VZIP_STS_INVALID, "invalid request: overlapping ranges",
		   "a COPY onto its own source");

	/* well formed, but the context is not one the device wrote */
	s = vzip_sqe(q, VZIP_OP_DECOMPRESS, VZIP_FMT_RAW, VZIP_FLUSH_NONE,
		     src, 64, dst, 4096);
	s.flags = htole16(VZIP_SQE_F_STREAM);
	s.ctx = htole64(vzip_addr(q, ctx));
	expect_sqe(q, &s, VZIP_STS_INVALID,
		   "stream context refused: not written by this device",
		   "a stream continued from a context of zeros");
	s = vzip_sqe(q, VZIP_OP_COMPRESS, VZIP_FMT_RAW, VZIP_FLUSH_NONE,
		     src, 64, dst, 4096);
	s.flags = htole16(VZIP_SQE_F_STREAM | VZIP_SQE_F_NEW_STREAM);
	s.ctx = htole64(vzip_addr(q, ctx));
	if (!tap_ok(vzip_status_of(q, &s) == VZIP_STS_OK,
		    "a compression stream begun"))
		return;
	s = vzip_sqe(q, VZIP_OP_DECOMPRESS, VZIP_FMT_RAW, VZIP_FLUSH_NONE,
		     dst, 16, src, 4096);
	s.flags = htole16(VZIP_SQE_F_STREAM);
	s.ctx = htole64(vzip_addr(q, ctx));
	expect_sqe(q, &s, VZIP_STS_INVALID,
		   "stream context refused: another direction",
		   "a compression stream's context continued by DECOMPRESS");

	/* an address the queue cannot reach */
	if (q->sva) {
		gone = mmap(NULL, page, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (gone != MAP_FAILED)
			munmap(gone, page);
		s = vzip_sqe(q, VZIP_OP_COPY, 0, 0, gone, 64, dst, 64);
		expect_sqe(q, &s, VZIP_STS_ADDR_ERROR, "cannot pin 64 bytes at",
			   "a COPY from unmapped memory");
		s = vzip_sqe(q, VZIP_OP_COPY, 0, 0, src, 64, dst, 64);
		s.src = htole64(1ULL << 47);
		expect_sqe(q, &s, VZIP_STS_ADDR_ERROR,
			   "beyond the process's address space",
			   "a COPY from past the process's address space");
	} else {
		s = vzip_sqe(q, VZIP_OP_COPY, 0, 0, src, 64, dst, 64);
		s.src = htole64(q->ss_dma + q->ss_size);
		expect_sqe(q, &s, VZIP_STS_ADDR_ERROR,
			   "range outside the SS region",
			   "a COPY from past the SS region");
	}
}

/* vcrypt's refusals: its own decode, keys and stream contexts */
static void crypt_descriptors(struct vzip_q *q)
{
	uint32_t ctx_size = vzip_reg(q, VZIP_REG_CTX_SIZE);
	uint32_t slots = vzip_reg(q, VCRYPT_REG_KEY_SLOTS);
	uint8_t *src = vzip_mem(q, 4096), *dst = vzip_mem(q, 4096);
	uint8_t *ctx = vzip_mem(q, ctx_size);
	struct vcrypt_sqe s;

	if (!src || !dst || !ctx) {
		tap_ok(0, "buffers the device can reach");
		return;
	}
	memset(src, 'k', 4096);
	memset(ctx, 0, ctx_size);
	s = vcrypt_sqe(q, VCRYPT_OP_NOP, 0, 0, NULL, 0, NULL, 0);
	s.version = 2;
	expect_crypt(q, &s, VCRYPT_STS_INVALID,
		     "invalid request: unknown version",
		     "a descriptor of version 2");
	s = vcrypt_sqe(q, VCRYPT_OP_NOP, 0, 0, NULL, 0, NULL, 0);
	s.rsvd[11] = htole32(1);
	expect_crypt(q, &s, VCRYPT_STS_INVALID,
		     "invalid request: reserved field set", "a reserved word set");
	s = vcrypt_sqe(q, VCRYPT_OP_DIGEST, VCRYPT_ALG_NR, 0, src, 64, dst, 64);
	expect_crypt(q, &s, VCRYPT_STS_INVALID,
		     "invalid request: unknown algorithm", "algorithm 11");
	s = vcrypt_sqe(q, VCRYPT_OP_KEY_LOAD, VCRYPT_ALG_AES_CBC, slots, src,
		       16, NULL, 0);
	expect_crypt(q, &s, VCRYPT_STS_INVALID,
		     "invalid request: key slot past KEY_SLOTS",
		     "KEY_LOAD into the slot past the last");
	s = vcrypt_sqe(q, VCRYPT_OP_KEY_LOAD, VCRYPT_ALG_AES_CBC, 0, src, 7,
		       NULL, 0);
	expect_crypt(q, &s, VCRYPT_STS_BAD_KEY, "7-byte key for alg 6",
		     "KEY_LOAD of a 7-byte AES key");
	s = vcrypt_sqe(q, VCRYPT_OP_DIGEST, VCRYPT_ALG_SHA256, 0, src, 64, NULL,
		       0);
	s.flags = htole16(VCRYPT_SQE_F_STREAM);
	s.ctx = htole64(vzip_addr(q, ctx));
	expect_crypt(q, &s, VCRYPT_STS_BAD_CONTEXT,
		     "context not sealed by the device",
		     "a digest continued from a context of zeros");
}

#define VF_IOVA_RINGS	0x10000000ull
#define VF_IOVA_DATA	0x40000000ull
#define VF_IOVA_NONE	0x80000000ull
#define VF_DEPTH	16
#define VF_PAGE		4096u

/* One request on queue 0 of the instance; its status, or 0xffff. */
static unsigned int vf_status(struct vz_queue *vq, const struct vzip_sqe *sqe)
{
	struct timespec t0, nap = { 0, 20000 };
	struct vzip_cqe cqe;
	int ret = vz_queue_submit(vq, sqe);

	if (!ret)
		ret = vz_queue_doorbell(vq);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!ret) {
		ret = vz_queue_reap(vq, &cqe, 1);
		if (ret == 1)
			return le16toh(cqe.status);
		if (vzip_ms_since(&t0) > VZIP_TIMEOUT_MS)
			break;
		nanosleep(&nap, NULL);
	}
	return 0xffff;
}

/* A descriptor on queue 0 of the instance: expect_status() */
static void expect_vf(struct vz_queue *vq, const struct vzip_sqe *sqe,
		      unsigned int want, const char *reason, const char *what)
{
	kmsg_mark();
	expect_status(vf_status(vq, sqe), want, reason, what);
}

/* Descriptors of a VFIO queue: addresses are IOVAs of the VMM's maps. */
static void vf_queue(struct vc_vfio *vf, struct vz_pci *vp)
{
	size_t ring = VF_DEPTH * sizeof(struct vzip_sqe);
	size_t data = 2 * VF_PAGE + (vp->ctx_size + VF_PAGE - 1) / VF_PAGE *
		      VF_PAGE;
	struct vzip_sqe s = { .version = VZIP_SQE_VERSION };
	struct vz_queue vq;
	uint8_t *rings, *buf;

	rings = mmap(NULL, VF_PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	buf = mmap(NULL, data, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rings == MAP_FAILED || buf == MAP_FAILED ||
	    vc_dma_map(vf, rings, VF_IOVA_RINGS, VF_PAGE) ||
	    vc_dma_map(vf, buf, VF_IOVA_DATA, data) ||
	    vz_queue_init(&vq, vp, 0, VF_DEPTH, rings, VF_IOVA_RINGS,
			  rings + ring, VF_IOVA_RINGS + ring) ||
	    vz_queue_enable(&vq, 0)) {
		tap_ok(0, "queue 0 of the instance, its rings and data mapped");
		return;
	}
	memset(buf, 0, data);
	s.opcode = VZIP_OP_NOP;
	s.version = 2;
	expect_vf(&vq, &s, VZIP_STS_INVALID, "invalid request: unknown version",
		  "a descriptor of version 2 on a VFIO queue");
	s.version = VZIP_SQE_VERSION;
	s.opcode = VZIP_OP_COPY;
	s.src = htole64(VF_IOVA_NONE);
	s.dst = htole64(VF_IOVA_DATA);
	s.src_len = s.dst_len = htole32(64);
	expect_vf(&vq, &s, VZIP_STS_ADDR_ERROR,
		  "is not mapped", "a COPY from an IOVA not mapped");
	vz_queue_clear_error(&vq, UINT32_MAX);
	if (vp->caps & VZIP_CAP_STREAM) {
		s.opcode = VZIP_OP_DECOMPRESS;
		s.flags = htole16(VZIP_SQE_F_STREAM);
		s.src = htole64(VF_IOVA_DATA);
		s.dst = htole64(VF_IOVA_DATA + VF_PAGE);
		s.ctx = htole64(VF_IOVA_DATA + 2 * VF_PAGE);
		s.src_len = htole32(16);
		s.dst_len = htole32(VF_PAGE);
		expect_vf(&vq, &s, VZIP_STS_INVALID,
			  "vfio-pci queue: stream context refused: not written by this device",
			  "a stream continued from a context of zeros on a VFIO queue");
	} else {
		tap_ok(0, "the instance has VZIP_CAP_STREAM");
	}
	vz_queue_disable(&vq);
	vc_dma_unmap(vf, VF_IOVA_DATA, data);
	vc_dma_unmap(vf, VF_IOVA_RINGS, VF_PAGE);
	munmap(buf, data);
	munmap(rings, VF_PAGE);
}

/* The VFIO device's ioctls and regions, then a queue's descriptors. */
static void vfio(const char *uuid)
{
	struct vc_vfio vf = { .container = -1, .group = -1, .device = -1 };
	struct vfio_device_info info = { .argsz = 4 };
	struct vfio_region_info rinfo = { .argsz = sizeof(rinfo), .index = 99 };
	struct vfio_irq_info iinfo = { .argsz = sizeof(iinfo), .index = 99 };
	struct {
		struct vfio_irq_set hdr;
		int32_t fd;
	} irqs = { .hdr = { .argsz = sizeof(irqs), .count = 1 }, .fd = -1 };
	struct vz_pci vp;
	uint32_t v32 = 0;
	uint16_t v16;
	int ret;

	ret = vc_vfio_open(&vf, uuid, 0);
	if (!ret)
		ret = vz_pci_probe(&vp, &vf, 0);
	if (!tap_ok(!ret, "%s opened through VFIO", uuid))
		return;
	kmsg_mark();
	expect(errno_of(ioctl(vf.device, VFIO_DEVICE_GET_INFO, &info)),
	       EINVAL, "GET_INFO: argsz 4 <", "GET_INFO with argsz 4");
	kmsg_mark();
	expect(errno_of(ioctl(vf.device, VFIO_DEVICE_GET_REGION_INFO, &rinfo)),
	       EINVAL, "REGION_INFO: bad argsz", "REGION_INFO of index 99");
	kmsg_mark();
	expect(errno_of(ioctl(vf.device, VFIO_DEVICE_GET_IRQ_INFO, &iinfo)),
	       EINVAL, "IRQ_INFO: bad argsz", "IRQ_INFO of index 99");
	kmsg_mark();
	expect(errno_of(ioctl(vf.device, _IO(VFIO_TYPE, VFIO_BASE + 60))),
	       ENOTTY, "unknown ioctl 0x3ba0", "an unknown ioctl");
	irqs.hdr.index = 9;
	irqs.hdr.flags = VFIO_IRQ_SET_DATA_EVENTFD |
			 VFIO_IRQ_SET_ACTION_TRIGGER;
	irqs.fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	kmsg_mark();
	expect(errno_of(ioctl(vf.device, VFIO_DEVICE_SET_IRQS, &irqs)),
	       EINVAL, "SET_IRQS: no index 9", "SET_IRQS of index 9");
	irqs.hdr.index = VFIO_PCI_MSI_IRQ_INDEX;
	kmsg_mark();
	expect(errno_of(ioctl(vf.device, VFIO_DEVICE_SET_IRQS, &irqs)),
	       EINVAL, "is not an eventfd", "SET_IRQS of MSI to /dev/null");
	close(irqs.fd);
	kmsg_mark();
	ret = (int)pread(vf.device, &v32, 4, vf.config.offset +
			 vf.config.size);
	expect(errno_of(ret), EINVAL, "outside the region",
	       "a read past the configuration space");
	kmsg_mark();
	ret = (int)pread(vf.device, &v16, 2, vf.bar0.offset);
	expect(errno_of(ret), EINVAL, "registers take aligned 32-bit accesses",
	       "a 2-byte read of BAR0");
	kmsg_mark();
	expect(-vz_reg_write(&vp, WD_PCI_REG_MAGIC, 0), 0,
	       "ignored: read-only", "a write to MAGIC, a read-only register");
	vf_queue(&vf, &vp);
	vc_vfio_close(&vf);
}

/* Every queue the device has is open: the next open says so. */
static void all_open(const char *name)
{
	char path[PATH_MAX];
	int fds[1024], n = 0, err = 0;

	snprintf(path, sizeof(path), "/dev/%s", name);
	kmsg_mark();
	while (n < 1024) {
		fds[n] = open(path, O_RDWR | O_CLOEXEC);
		if (fds[n] < 0) {
			err = errno;
			break;
		}
		n++;
	}
	expect(err, EBUSY, "queues are open or reserved",
	       "an open past the device's queues");
	while (n)
		close(fds[--n]);
}

int main(int argc, char **argv)
{
	bool crypt = argc == 2 && !strcmp(argv[1], "vcrypt");
	bool vf = argc == 3 && !strcmp(argv[1], "--vfio");
	char name[NAME_MAX + 1];
	struct vzip_q q;
	int ret;

	if (argc > 1 && !crypt && !vf) {
		fprintf(stderr, "usage: reasons_test [vcrypt | --vfio UUID]\n");
		return 2;
	}
	if (crypt)
		modules[2] = "vcrypt";
	if (vf)
		modules[1] = "wd_mdev";
	dyndbg = access(DYNDBG_PROC, W_OK) ? DYNDBG_DEBUGFS : DYNDBG_PROC;
	if (!tap_ok(!dyndbg_set("+p"),
		    "dynamic debug turned on for %s, %s and %s", modules[0],
		    modules[1], modules[2]))
		tap_diag("%s: the kernel needs CONFIG_DYNAMIC_DEBUG", dyndbg);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (!tap_ok(kmsg >= 0, "/dev/kmsg is readable"))
		goto out;
	if (vf) {
		vfio(argv[2]);
		goto out;
	}
	ret = crypt ? vcrypt_find_device(name, sizeof(name)) :
		      vzip_find_device(name, sizeof(name));
	if (!tap_ok(!ret, "a %s device", modules[2]))
		goto out;
	ret = vzip_open(&q, name);
	if (!tap_ok(!ret, "a queue of %s", name)) {
		tap_diag("%s", strerror(-ret));
		goto out;
	}
	tap_diag("%s, %s, DUS %zu bytes", name, q.sva ? "SVA" : "no SVA",
		 q.dus_size);
	if (crypt) {
		if (tap_ok(!vzip_start(&q), "START_Q"))
			crypt_descriptors(&q);
		vzip_close(&q);
		goto out;
	}
	regions(&q);
	file_ops(&q, name);
	knobs(&q);
	registration(&q);
	if (tap_ok(!vzip_start(&q), "START_Q")) {
		ioctls(&q);
		descriptors(&q);
	}
	vzip_close(&q);
	all_open(name);
out:
	if (dyndbg_set("-p") && kmsg >= 0)
		tap_ok(0, "dynamic debug turned off again");
	return tap_done();
}
