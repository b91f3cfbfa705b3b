// SPDX-License-Identifier: GPL-2.0
/*
 * Registered memory (<misc/uacce/wd_mem.h>, wd_engine.ko) on a vzip
 * queue: registration and unregistration with their accounting (VmLck,
 * the device's pinned pages), requests that reach registered memory
 * without pinning it again, the cap of regions, RLIMIT_MEMLOCK, bad
 * input, another process's attempt, unregistering under requests in
 * flight, and reclaim after SIGKILL.  Without SVA (sva=0) both commands
 * fail with EOPNOTSUPP.
 *
 * Prints TAP; exits non-zero when a case failed.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <misc/uacce/wd_mem.h>

#include "tap.h"
#include "vzip_testlib.h"

#define MIB		(1024 * 1024)

static char name[NAME_MAX + 1];
static size_t page;

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

/* VmLck of this process, in KiB; -1 if unknown. */
static long vmlck_kib(void)
{
	char buf[8192], *p;

	if (vzip_read_file("/proc/self/status", buf, sizeof(buf)))
		return -1;
	p = strstr(buf, "VmLck:");
	return p ? atol(p + 6) : -1;
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
	long lck0 = vmlck_kib(), pin0 = vzip_stat(name, "pinned_pages");
	long long tot0;

	vzip_fill_random(src, len, 1);
	tap_ok(reg(q->fd, src, len, 0) == 0 &&
	       reg(q->fd, dst, len, WD_MEM_F_WRITE) == 0,
	       "register a source (read) and a destination (write) of 1 MiB");
	tap_ok(vmlck_kib() == lck0 + 2 * 1024,
	       "VmLck grows by 2048 KiB (%ld -> %ld)", lck0, vmlck_kib());
	tap_ok(vzip_stat(name, "pinned_pages") == pin0 + (long)(2 * len / page),
	       "the device counts the registered pages pinned");

	tot0 = vzip_stat(name, "pinned_pages_total");
	tap_ok(copy(q, src + 100, dst + 200, len - 300) == VZIP_STS_OK &&
	       !memcmp(src + 100, dst + 200, len - 300),
	       "COPY inside registered regions is correct");
	tap_ok(vzip_stat(name, "pinned_pages_total") == tot0,
	       "and pins no page for the request");

	tot0 = vzip_stat(name, "pinned_pages_total");
	memset(other, 0, len);
	tap_ok(copy(q, src, other, len) == VZIP_STS_OK &&
	       !memcmp(src, other, len),
	       "COPY from registered to unregistered memory is correct");
	tap_ok(vzip_stat(name, "pinned_pages_total") == tot0 + (long)(len / page),
	       "and pins only the unregistered destination");
	tap_ok(copy(q, dst, src, len) == VZIP_STS_OK,
	       "a write to a region registered read-only is pinned per request");

	tap_ok(unreg(q->fd, src, len) == 0 && unreg(q->fd, dst, len) == 0,
	       "unregister both");
	tap_ok(vmlck_kib() == lck0, "VmLck is back (%ld)", vmlck_kib());
	tap_ok(vzip_stat(name, "pinned_pages") == pin0,
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
	tap_ok(reg(q->fd, ro, page, 0) == 0 && unreg(q->fd, ro, page) == 0,
	       "a read-only mapping registered read-only works");
	tap_ok(ioctl(q->fd, _IO('W', 0x99)) && errno == EINVAL,
	       "an unknown ioctl still fails with EINVAL");
	munmap(ro, page);
	munmap(buf, 4 * page);
}

static void test_cap(struct vzip_q *q)
{
	size_t n = WD_MEM_MAX_REGIONS + 1;
	uint8_t *buf = pages_alloc(n * page);
	long pin0 = vzip_stat(name, "pinned_pages");
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
	tap_ok(vzip_stat(name, "pinned_pages") == pin0, "all unregistered");
	munmap(buf, n * page);
}

/* In a child without CAP_IPC_LOCK and a small RLIMIT_MEMLOCK. */
static int memlock_child(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	struct rlimit rl = { 64 * 1024, 64 * 1024 };
	uint8_t *buf = pages_alloc(32 * page);
	struct vzip_q q;
	long lck;

	if (syscall(SYS_capget, &h, d))
		return 10;
	d[0].effective &= ~(1U << CAP_IPC_LOCK);
	d[0].permitted &= ~(1U << CAP_IPC_LOCK);
	if (syscall(SYS_capset, &h, d) || setrlimit(RLIMIT_MEMLOCK, &rl))
		return 11;
	if (vzip_open(&q, name))
		return 12;
	lck = vmlck_kib();
	if (reg(q.fd, buf, 8 * page, 0))
		return 13;
	if (vmlck_kib() != lck + (long)(8 * page / 1024))
		return 14;
	if (reg(q.fd, buf + 8 * page, 16 * page, 0) != -ENOMEM)
		return 15;
	if (vmlck_kib() != lck + (long)(8 * page / 1024))
		return 16;
	if (unreg(q.fd, buf, 8 * page) || vmlck_kib() != lck)
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
	       "RLIMIT_MEMLOCK: within it registers, beyond it ENOMEM with VmLck unchanged, back down after (child %d)",
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
	long lck0 = vmlck_kib(), pin0 = vzip_stat(name, "pinned_pages");
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
	tap_ok(vmlck_kib() == lck0, "VmLck is back when it returns");
	for (i = 0; i < n; i++)
		if (!vzip_reap(q, &cqe, VZIP_TIMEOUT_MS, false))
			ok += le16toh(cqe.status) == VZIP_STS_OK;
	for (i = 0; i < n; i++)
		match += !memcmp(src, dst + i * len, len);
	tap_ok(ok == n && match == n,
	       "every request completed correctly (%u ok, %u match)", ok,
	       match);
	tap_ok(vzip_stat(name, "pinned_pages") == pin0,
	       "nothing stays pinned");
	munmap(src, len);
	munmap(dst, n * len);
}

/* A process killed with regions registered gives them all back. */
static void test_kill(void)
{
	size_t len = 4 * MIB;
	long avail0 = available(), pin0 = vzip_stat(name, "pinned_pages");
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
	tap_ok(vzip_stat(name, "pinned_pages") == pin0 + (long)(len / page),
	       "the device counts them pinned");
	tap_ok(available() == avail0 - 1, "its queue is in use");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(pfd[0]);
	for (i = 0; i < 500 && (vzip_stat(name, "pinned_pages") != pin0 ||
				available() != avail0); i++)
		usleep(10000);
	tap_ok(vzip_stat(name, "pinned_pages") == pin0,
	       "after SIGKILL every registered page is unpinned");
	tap_ok(available() == avail0, "and its queue is free again");
}

int main(void)
{
	struct vzip_q q;

	page = (size_t)sysconf(_SC_PAGESIZE);
	if (vzip_find_device(name, sizeof(name)) || vzip_open(&q, name)) {
		tap_plan(1);
		tap_ok(0, "a vzip device to open");
		return tap_done();
	}
	if (!q.sva) {
		tap_plan(2);
		test_no_sva(&q);
		vzip_close(&q);
		return tap_done();
	}
	tap_plan(45);
	if (vzip_start(&q)) {
		tap_ok(0, "START_Q");
		return tap_done();
	}
	test_lifecycle(&q);
	test_bad_input(&q);
	test_cap(&q);
	test_memlock();
	test_other_mm(&q);
	test_inflight(&q);
	test_kill();
	vzip_close(&q);
	return tap_done();
}
