// SPDX-License-Identifier: GPL-2.0
/*
 * The uacce user API, exercised on a vzip device as an application (or
 * UADK's libwd) sees it: discovery through /sys/class/uacce, queue info,
 * the queue state machine, region mapping rules, fork, poll and the
 * doorbell, queue exhaustion, error isolation reported by the device, and
 * hot unbind of the device while a queue is busy and mapped.
 *
 * Run as root in the test guest with uacce and vzip loaded (sva=1 or 0).
 * Prints TAP; the exit status is non-zero when a case failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include <misc/uacce/uacce.h>
#include <misc/uacce/vzip.h>
#include <misc/uacce/wd_mem.h>

#include "tap.h"
#include "memlock.h"
#include "wd_mm_hold.h"

#define CLASS_DIR	"/sys/class/uacce"
#define VZIP_DRV_DIR	"/sys/bus/platform/drivers/vzip"
#define PLAN		88

static long page_size;

/* ---- sysfs ---- */

struct vzip_dev {
	char name[NAME_MAX + 1];	/* vzip-<id> */
	char pdev[NAME_MAX + 1];	/* vzip.<n>, the platform device */
	unsigned int id;
	unsigned long flags;
	unsigned long region[UACCE_QFRT_NR];
	long node;
};

static int read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	return 0;
}

static int write_file(const char *path, const char *text)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

static int attr(const struct vzip_dev *d, const char *name, char *buf,
		size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), CLASS_DIR "/%s/%s", d->name, name);
	return read_file(path, buf, size);
}

/* A numeric attribute in the exact format "%ld\n"; -1 if not. */
static int attr_long(const struct vzip_dev *d, const char *name, long *val)
{
	char buf[64], *end;

	if (attr(d, name, buf, sizeof(buf)))
		return -1;
	errno = 0;
	*val = strtol(buf, &end, 10);
	return errno || end == buf || strcmp(end, "\n") ? -1 : 0;
}

static int set_attr(const struct vzip_dev *d, const char *name,
		    const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), CLASS_DIR "/%s/%s", d->name, name);
	return write_file(path, val);
}

/* The vzip device of platform device @pdev (any if NULL), by its sysfs. */
static int find_vzip(struct vzip_dev *d, const char *pdev)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *e;
	unsigned int id;
	DIR *dir;
	ssize_t n;
	int found = -ENODEV;

	dir = opendir(CLASS_DIR);
	if (!dir)
		return -errno;
	while ((e = readdir(dir))) {
		if (sscanf(e->d_name, "vzip-%u", &id) != 1)
			continue;
		snprintf(path, sizeof(path), CLASS_DIR "/%s/device", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (pdev && strcmp(strrchr(link, '/') + 1, pdev))
			continue;
		if (found == 0 && id > d->id)
			continue;
		snprintf(d->name, sizeof(d->name), "%s", e->d_name);
		snprintf(d->pdev, sizeof(d->pdev), "%s", strrchr(link, '/') + 1);
		d->id = id;
		found = 0;
	}
	closedir(dir);
	return found;
}

static int open_queue(const struct vzip_dev *d)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", d->name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* ---- mappings ---- */

static void *map_region(int fd, enum uacce_qfrt type, size_t size, int prot,
			int flags)
{
	return mmap(NULL, size, prot, flags, fd, (off_t)type * page_size);
}

/* errno of a failing mmap(), 0 if it succeeded (then unmapped) */
static int map_errno(int fd, enum uacce_qfrt type, size_t size, int prot,
		     int flags)
{
	void *p = map_region(fd, type, size, prot, flags);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, size);
	return 0;
}

static int ioctl_errno(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

/* Access that may raise SIGBUS, per thread. */
/* volatile: stores to it must not be merged or moved across the access */
static _Thread_local sigjmp_buf *volatile fault_jmp;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	if (fault_jmp)
		siglongjmp(*fault_jmp, 1);
	abort();
}

/* Read a word; false if that raised SIGBUS. */
static bool read_word(const volatile uint32_t *p, uint32_t *val)
{
	sigjmp_buf jb;

	if (sigsetjmp(jb, 1)) {
		fault_jmp = NULL;
		return false;
	}
	fault_jmp = &jb;
	*val = *p;
	fault_jmp = NULL;
	return true;
}

/* ---- a queue and its rings ---- */

struct queue {
	int fd;
	struct uacce_queue_info info;
	volatile uint32_t *mmio;
	volatile uint8_t *dus;
	uint8_t *ss;
	size_t dus_size, ss_size;
	uint64_t ss_dma;
	uint32_t depth, sq_off, cq_off;
};

static volatile uint32_t *ctrl(struct queue *q, unsigned int off)
{
	return (volatile uint32_t *)(q->dus + off);
}

static struct uacce_queue_status *qstatus(struct queue *q)
{
	return (struct uacce_queue_status *)(q->dus + q->info.status_offset);
}

static uint32_t qstate(struct queue *q)
{
	return __atomic_load_n(&qstatus(q)->state, __ATOMIC_ACQUIRE);
}

/* Open, map MMIO (read-only) and DUS, and SS when the device has it. */
static int queue_open(struct queue *q, const struct vzip_dev *d)
{
	void *p;

	memset(q, 0, sizeof(*q));
	q->fd = open_queue(d);
	if (q->fd < 0)
		return q->fd;
	if (ioctl(q->fd, UACCE_CMD_QUEUE_INFO, &q->info))
		goto err;
	p = map_region(q->fd, UACCE_QFRT_MMIO, d->region[UACCE_QFRT_MMIO],
		       PROT_READ, MAP_SHARED);
	if (p == MAP_FAILED)
		goto err;
	q->mmio = p;
	q->dus_size = d->region[UACCE_QFRT_DUS];
	p = map_region(q->fd, UACCE_QFRT_DUS, q->dus_size,
		       PROT_READ | PROT_WRITE, MAP_SHARED);
	if (p == MAP_FAILED)
		goto err;
	q->dus = p;
	q->ss_size = d->region[UACCE_QFRT_SS];
	if (q->ss_size) {
		struct uacce_ss_info ss;

		p = map_region(q->fd, UACCE_QFRT_SS, q->ss_size,
			       PROT_READ | PROT_WRITE, MAP_SHARED);
		if (p == MAP_FAILED)
			goto err;
		q->ss = p;
		if (ioctl(q->fd, UACCE_CMD_GET_SS, &ss))
			goto err;
		q->ss_dma = ss.dma_addr;
	}
	q->depth = le32toh(q->mmio[VZIP_REG_RING_DEPTH / 4]);
	q->sq_off = le32toh(q->mmio[VZIP_REG_SQ_OFFSET / 4]);
	q->cq_off = le32toh(q->mmio[VZIP_REG_CQ_OFFSET / 4]);
	return 0;
err:
	return -errno;
}

/* Unmap what is mapped and close; safe after removal. */
static int queue_close(struct queue *q)
{
	if (q->mmio)
		munmap((void *)q->mmio, page_size);
	if (q->dus)
		munmap((void *)q->dus, q->dus_size);
	if (q->ss)
		munmap(q->ss, q->ss_size);
	q->mmio = NULL;
	q->dus = NULL;
	q->ss = NULL;
	if (q->fd < 0)
		return 0;
	if (close(q->fd))
		return -errno;
	q->fd = -1;
	return 0;
}

/*
 * Submit one entry following the ring protocol, doorbell included; a
 * stopped queue gets no doorbell (WAKE_Q is EINVAL), START_Q serves it.
 */
static int queue_submit(struct queue *q, const struct vzip_sqe *sqe,
			bool doorbell)
{
	uint32_t tail = *ctrl(q, VZIP_CTRL_SQ_TAIL);
	volatile uint8_t *slot = q->dus + q->sq_off +
				 (size_t)(tail & (q->depth - 1)) * sizeof(*sqe);

	memcpy((void *)slot, sqe, sizeof(*sqe));
	__atomic_store_n(ctrl(q, VZIP_CTRL_SQ_TAIL), tail + 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (doorbell &&
	    __atomic_load_n(ctrl(q, VZIP_CTRL_DEV_FLAGS), __ATOMIC_RELAXED) &
	    VZIP_DEV_F_NEED_WAKEUP) {
		if (ioctl(q->fd, UACCE_CMD_WAKE_Q))
			return -errno;
	}
	return 0;
}

/* Wait (poll) for the next completion and consume it. */
static int queue_complete(struct queue *q, struct vzip_cqe *cqe, int timeout_ms)
{
	uint32_t head = *ctrl(q, VZIP_CTRL_CQ_HEAD);
	struct pollfd pfd = { .fd = q->fd, .events = POLLIN };

	while (__atomic_load_n(ctrl(q, VZIP_CTRL_CQ_TAIL), __ATOMIC_ACQUIRE) == head) {
		int n = poll(&pfd, 1, timeout_ms);

		if (n < 0)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
		if (pfd.revents & (POLLERR | POLLHUP))
			return -ENXIO;
	}
	memcpy(cqe, (const void *)(q->dus + q->cq_off +
				   (size_t)(head & (q->depth - 1)) * sizeof(*cqe)),
	       sizeof(*cqe));
	__atomic_store_n(ctrl(q, VZIP_CTRL_CQ_HEAD), head + 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * The advice a process may give about a region's pages.  The regions are
 * device memory (VM_IO | VM_PFNMAP, VM_DONTCOPY, VM_DONTEXPAND,
 * VM_DONTDUMP): what would copy them into a child, dump them, drop or
 * page out their pages is refused, and nothing changes what the queue
 * sees.  Every other advice is accepted or refused without harm; the
 * queue still works afterwards (checked by the caller's next request).
 */
static void test_madvise(struct queue *q)
{
	static const struct {
		int advice;
		const char *name;
		int want;	/* errno, 0 for success, -1: either */
	} cases[] = {
		{ MADV_DOFORK, "MADV_DOFORK", EINVAL },
		{ MADV_DONTFORK, "MADV_DONTFORK", 0 },
		{ MADV_WIPEONFORK, "MADV_WIPEONFORK", EINVAL },
		{ MADV_KEEPONFORK, "MADV_KEEPONFORK", 0 },
		{ MADV_DODUMP, "MADV_DODUMP", EINVAL },
		{ MADV_DONTDUMP, "MADV_DONTDUMP", 0 },
		{ MADV_DONTNEED, "MADV_DONTNEED", EINVAL },
		{ MADV_FREE, "MADV_FREE", EINVAL },
		{ MADV_REMOVE, "MADV_REMOVE", -1 },
		{ MADV_WILLNEED, "MADV_WILLNEED", -1 },
		{ MADV_SEQUENTIAL, "MADV_SEQUENTIAL", 0 },
		{ MADV_RANDOM, "MADV_RANDOM", 0 },
		{ MADV_NORMAL, "MADV_NORMAL", 0 },
		{ MADV_COLD, "MADV_COLD", -1 },
		{ MADV_PAGEOUT, "MADV_PAGEOUT", -1 },
		{ MADV_MERGEABLE, "MADV_MERGEABLE", -1 },
		{ MADV_HUGEPAGE, "MADV_HUGEPAGE", -1 },
		{ MADV_POPULATE_READ, "MADV_POPULATE_READ", -1 },
		{ MADV_POPULATE_WRITE, "MADV_POPULATE_WRITE", -1 },
	};
	uint32_t tail = le32toh(*ctrl(q, VZIP_CTRL_SQ_TAIL));
	unsigned int i, bad = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = madvise((void *)q->dus, q->dus_size,
				  cases[i].advice) ? errno : 0;

		if (ret == ENOSYS || (cases[i].want >= 0 && ret != cases[i].want)) {
			tap_diag("%s on the DUS region: %s, want %s",
				 cases[i].name, strerror(ret),
				 strerror(cases[i].want));
			bad++;
		}
	}
	tap_ok(!bad, "madvise() on a region: fork, dump and page-dropping advice refused, the rest harmless (%u wrong)",
	       bad);
	tap_ok(le32toh(*ctrl(q, VZIP_CTRL_SQ_TAIL)) == tail,
	       "the ring is the same memory after every advice");
}

static void nop_sqe(struct vzip_sqe *sqe, uint64_t user_data)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = VZIP_OP_NOP;
	sqe->version = VZIP_SQE_VERSION;
	sqe->user_data = htole64(user_data);
}

static bool power_of_two(uint32_t x)
{
	return x && !(x & (x - 1));
}

/* ---- test groups ---- */

static void test_sysfs(struct vzip_dev *d, long *avail)
{
	char buf[256], path[PATH_MAX];
	long val = -1, node = -2;
	int ret;

	ret = attr(d, "api", buf, sizeof(buf));
	tap_ok(!ret && !strcmp(buf, VZIP_API_VERSION "\n"), "sysfs api is " VZIP_API_VERSION);
	ret = attr_long(d, "flags", &val);
	tap_ok(!ret && val >= 0 && !(val & ~UACCE_DEV_SVA),
	       "sysfs flags is a number (%ld)", val);
	d->flags = val;
	ret = attr(d, "algorithms", buf, sizeof(buf));
	tap_ok(!ret && !strcmp(buf, "deflate\nzlib\ngzip\n"),
	       "sysfs algorithms lists deflate, zlib, gzip one per line");
	ret = attr_long(d, "region_mmio_size", &val);
	tap_ok(!ret && val == page_size, "sysfs region_mmio_size is one page");
	d->region[UACCE_QFRT_MMIO] = val;
	ret = attr_long(d, "region_dus_size", &val);
	tap_ok(!ret && val > 0 && !(val % page_size),
	       "sysfs region_dus_size is whole pages (%ld)", val);
	d->region[UACCE_QFRT_DUS] = val;
	if (attr_long(d, "region_ss_size", &val))
		val = 0;
	tap_ok(d->flags & UACCE_DEV_SVA ? val == 0 : val > 0 && !(val % page_size),
	       "sysfs region_ss_size exists exactly without SVA (%ld)", val);
	d->region[UACCE_QFRT_SS] = val;
	ret = attr_long(d, "isolate", &val);
	tap_ok(!ret && val == 0, "sysfs isolate is 0");
	ret = attr_long(d, "isolate_strategy", &val);
	tap_ok(!ret && val >= 0, "sysfs isolate_strategy is a number (%ld)", val);

	snprintf(path, sizeof(path), CLASS_DIR "/%s/device/numa_node", d->name);
	if (read_file(path, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "none");
	buf[strcspn(buf, "\n")] = '\0';
	ret = attr_long(d, "node_id", &node);
	tap_ok(!ret && node >= -1 && (strcmp(buf, "none") ? node == atol(buf) : true),
	       "sysfs node_id %ld, parent numa_node %s", node, buf);
	d->node = node;
	ret = attr_long(d, "available_instances", avail);
	tap_ok(!ret && *avail > 0, "sysfs available_instances %ld", *avail);
}

static void test_queue_basics(struct vzip_dev *d, long avail)
{
	struct uacce_queue_info info;
	struct uacce_ss_info ss;
	struct vzip_sqe sqe;
	struct vzip_cqe cqe;
	struct queue q;
	long now = -1;
	uint32_t magic;
	void *p;
	int ret, fd;

	ret = queue_open(&q, d);
	tap_ok(ret == 0, "open, QUEUE_INFO and mmap of every region (%d)", ret);
	if (ret) {
		queue_close(&q);
		return;
	}
	fd = q.fd;
	info = q.info;
	attr_long(d, "available_instances", &now);
	tap_ok(now == avail - 1, "an open takes an instance (%ld left)", now);
	tap_ok(info.dev_id == d->id && info.flags == d->flags &&
	       info.node == d->node &&
	       info.region_size[UACCE_QFRT_MMIO] == d->region[UACCE_QFRT_MMIO] &&
	       info.region_size[UACCE_QFRT_DUS] == d->region[UACCE_QFRT_DUS] &&
	       info.region_size[UACCE_QFRT_SS] == d->region[UACCE_QFRT_SS],
	       "QUEUE_INFO agrees with sysfs");
	tap_ok(info.status_offset == VZIP_CTRL_STATUS &&
	       power_of_two(info.ring_depth) &&
	       info.sqe_size == sizeof(struct vzip_sqe) &&
	       info.cqe_size == sizeof(struct vzip_cqe) &&
	       info.qid == le32toh(q.mmio[VZIP_REG_QID / 4]) &&
	       info.ring_depth == q.depth,
	       "QUEUE_INFO geometry agrees with the registers");
	tap_ok(le32toh(q.mmio[VZIP_REG_MAGIC / 4]) == VZIP_MAGIC &&
	       le32toh(q.mmio[VZIP_REG_VERSION / 4]) == VZIP_HW_VERSION,
	       "MMIO registers readable");
	tap_ok(qstate(&q) == UACCE_QSTATE_STOPPED,
	       "status word STOPPED before START_Q");

	/* mapping rules */
	tap_ok(map_errno(fd, UACCE_QFRT_MMIO, page_size, PROT_READ, MAP_SHARED) == EEXIST &&
	       map_errno(fd, UACCE_QFRT_DUS, q.dus_size, PROT_READ, MAP_SHARED) == EEXIST,
	       "a region maps once per queue (EEXIST)");
	tap_ok(map_errno(fd, UACCE_QFRT_NR, page_size, PROT_READ, MAP_SHARED) == EINVAL &&
	       map_errno(fd, 100, page_size, PROT_READ, MAP_SHARED) == EINVAL,
	       "an offset past the region types is EINVAL");
	munmap((void *)q.mmio, page_size);
	q.mmio = NULL;
	tap_ok(map_errno(fd, UACCE_QFRT_MMIO, page_size, PROT_READ, MAP_PRIVATE) == EINVAL,
	       "MAP_PRIVATE is EINVAL");
	tap_ok(map_errno(fd, UACCE_QFRT_MMIO, 2 * page_size, PROT_READ, MAP_SHARED) == EINVAL,
	       "a mapping larger than the region is EINVAL");
	p = map_region(fd, UACCE_QFRT_MMIO, page_size, PROT_READ, MAP_SHARED);
	tap_ok(p != MAP_FAILED && read_word(p, &magic) && le32toh(magic) == VZIP_MAGIC,
	       "munmap then mmap again works");
	q.mmio = p == MAP_FAILED ? NULL : p;

	if (q.dus_size > (size_t)page_size)
		tap_ok(munmap((void *)(q.dus + page_size), page_size) && errno == EINVAL,
		       "a region is unmapped whole (partial munmap EINVAL)");
	else
		tap_skip("DUS is one page", "a region is unmapped whole");
	p = mremap((void *)q.dus, q.dus_size, q.dus_size + page_size, MREMAP_MAYMOVE);
	tap_ok(p == MAP_FAILED, "mremap to grow a region fails (%s)",
	       p == MAP_FAILED ? strerror(errno) : "moved");
	p = mmap(NULL, q.dus_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p = mremap((void *)q.dus, q.dus_size, q.dus_size,
		   MREMAP_MAYMOVE | MREMAP_FIXED, p);
	ret = errno;
	tap_ok(p == MAP_FAILED && ret == EPERM &&
	       read_word(ctrl(&q, VZIP_CTRL_DEV_FLAGS), &magic),
	       "mremap to move a region is EPERM, the region stays");

	if (d->region[UACCE_QFRT_SS]) {
		tap_ok(map_errno(fd, UACCE_QFRT_SS, q.ss_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED) == EEXIST &&
		       map_errno(fd, UACCE_QFRT_SS, q.ss_size / 2, PROT_READ | PROT_WRITE,
				 MAP_SHARED) == EINVAL,
		       "SS maps once, with exactly its size");
		tap_ok(!ioctl(fd, UACCE_CMD_GET_SS, &ss) && ss.size == q.ss_size &&
		       ss.dma_addr == q.ss_dma && ss.dma_addr,
		       "GET_SS gives the mapped SS region's DMA address and size");
	} else {
		tap_ok(ioctl_errno(fd, UACCE_CMD_GET_SS, &ss) == ENODEV,
		       "no SS region with SVA: GET_SS is ENODEV");
		tap_ok(map_errno(fd, UACCE_QFRT_SS, page_size, PROT_READ, MAP_SHARED) == EINVAL,
		       "no SS region with SVA: mmap is EINVAL");
	}

	/* state machine, doorbell and poll */
	tap_ok(ioctl_errno(fd, UACCE_CMD_WAKE_Q, NULL) == EINVAL,
	       "WAKE_Q before START_Q is EINVAL");
	tap_ok(ioctl(fd, UACCE_CMD_START_Q) == 0 && qstate(&q) == UACCE_QSTATE_OK,
	       "START_Q starts, status word OK");
	tap_ok(ioctl_errno(fd, UACCE_CMD_START_Q, NULL) == EINVAL,
	       "START_Q twice is EINVAL");
	{
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		tap_ok(poll(&pfd, 1, 0) == 0, "poll: nothing to report on an idle queue");
	}
	nop_sqe(&sqe, 0x5eed);
	ret = queue_submit(&q, &sqe, true);
	if (!ret)
		ret = queue_complete(&q, &cqe, 20000);
	tap_ok(!ret && le64toh(cqe.user_data) == 0x5eed && le16toh(cqe.status) == VZIP_STS_OK,
	       "a NOP completes through the rings, doorbell and poll (%d)", ret);
	{
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		tap_ok(poll(&pfd, 1, 0) == 0, "poll: nothing once the CQ is consumed");
	}
	tap_ok(ioctl(fd, UACCE_CMD_WAKE_Q) == 0, "a spurious WAKE_Q is harmless");
	tap_ok(ioctl_errno(fd, _IO('W', 0x7f), NULL) == EINVAL,
	       "an unknown ioctl is EINVAL, as in mainline (UADK relies on it)");

	test_madvise(&q);

	/* fork: the child inherits the file, not the mappings */
	{
		pid_t pid = fork();
		int status = -1;

		if (pid == 0) {
			unsigned char vec;
			int child_err;

			if (mincore((void *)q.dus, page_size, &vec) == 0 || errno != ENOMEM)
				_exit(1);
			child_err = map_errno(fd, UACCE_QFRT_DUS, q.dus_size,
					      PROT_READ | PROT_WRITE, MAP_SHARED);
			/* SVA: bound to the parent (EPERM), else mapped (EEXIST) */
			if (child_err != (d->flags & UACCE_DEV_SVA ? EPERM : EEXIST))
				_exit(2);
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, &status, 0);
		tap_ok(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "fork: the child has no mapping and cannot map the regions (%d)",
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}

	tap_ok(ioctl(fd, UACCE_CMD_PUT_Q) == 0 && qstate(&q) == UACCE_QSTATE_STOPPED,
	       "PUT_Q stops, status word STOPPED");
	tap_ok(ioctl(fd, UACCE_CMD_PUT_Q) == 0, "PUT_Q on a stopped queue is a no-op");
	tap_ok(ioctl_errno(fd, UACCE_CMD_WAKE_Q, NULL) == EINVAL,
	       "WAKE_Q on a stopped queue is EINVAL");
	nop_sqe(&sqe, 0xfeed);
	ret = queue_submit(&q, &sqe, false);
	tap_ok(ret == 0 && ioctl(fd, UACCE_CMD_START_Q) == 0 &&
	       !queue_complete(&q, &cqe, 20000) && le64toh(cqe.user_data) == 0xfeed,
	       "START_Q after PUT_Q serves what was queued meanwhile");

	tap_ok(queue_close(&q) == 0, "close");
	now = -1;
	attr_long(d, "available_instances", &now);
	tap_ok(now == avail, "close gives the instance back (%ld)", now);
}

static void test_exhaustion(struct vzip_dev *d, long avail)
{
	int *fds = calloc(avail + 1, sizeof(int));
	int i, n = 0, last = 0;
	long now = -1;

	if (!fds) {
		tap_ok(0, "open every instance (out of memory)");
		return;
	}
	for (i = 0; i < avail; i++) {
		fds[n] = open_queue(d);
		if (fds[n] < 0)
			break;
		n++;
	}
	tap_ok(n == avail, "open all %ld instances (%d)", avail, n);
	attr_long(d, "available_instances", &now);
	tap_ok(now == 0, "available_instances reads 0 (%ld)", now);
	last = open_queue(d);
	tap_ok(last == -EBUSY, "one more open is EBUSY (%d)", last);
	if (last >= 0)
		close(last);
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	now = -1;
	attr_long(d, "available_instances", &now);
	tap_ok(now == avail, "closing them gives all back (%ld)", now);
}

/* A word of the previous owner's 0xa5 bytes left in a register page. */
static bool scribbled(const void *regs)
{
	const volatile uint32_t *w = regs;
	size_t i;

	for (i = 0; i < (size_t)page_size / 4; i++)
		if (w[i] == 0xa5a5a5a5)
			return true;
	return false;
}

/*
 * The register page mapped PROT_READ | PROT_WRITE, as UADK's libwd maps
 * every MMIO region: it works, and what one owner writes there is gone
 * for the next (Documentation/vzip.rst, "Regions").  Every queue is
 * opened, so each is scribbled on, then every queue again.
 */
static void test_register_page(struct vzip_dev *d, long avail)
{
	int *fds = calloc(avail, sizeof(int));
	int i, n = 0, mapped = 0, intact = 0;
	void *p;

	if (!fds) {
		tap_ok(0, "the register page (out of memory)");
		return;
	}
	for (i = 0; i < avail && (fds[n] = open_queue(d)) >= 0; i++, n++) {
		p = map_region(fds[n], UACCE_QFRT_MMIO, page_size,
			       PROT_READ | PROT_WRITE, MAP_SHARED);
		if (p == MAP_FAILED)
			continue;
		mapped++;
		memset(p, 0xa5, page_size);
		munmap(p, page_size);
	}
	tap_ok(n == avail && mapped == n,
	       "the register page of all %d queues maps read-write, as "
	       "UADK maps it (%d)", n, mapped);
	for (i = 0; i < n; i++)
		close(fds[i]);
	for (n = 0; n < avail && (fds[n] = open_queue(d)) >= 0; n++) {
		struct uacce_queue_info info = { 0 };
		uint32_t magic = 0, qid = ~0u;
		volatile uint32_t *r;

		p = map_region(fds[n], UACCE_QFRT_MMIO, page_size, PROT_READ,
			       MAP_SHARED);
		if (p == MAP_FAILED)
			continue;
		r = p;
		if (!ioctl(fds[n], UACCE_CMD_QUEUE_INFO, &info) &&
		    read_word(r + VZIP_REG_MAGIC / 4, &magic) &&
		    read_word(r + VZIP_REG_QID / 4, &qid) &&
		    le32toh(magic) == VZIP_MAGIC && le32toh(qid) == info.qid &&
		    !scribbled(p))
			intact++;
		munmap(p, page_size);
	}
	tap_ok(intact == avail,
	       "the next owners read their registers and no word of the "
	       "scribbles (%d of %ld)", intact, avail);
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
}

/* ---- hot unbind ---- */

/*
 * uacce_remove() publishes DEAD/REMOVED in every queue's status word,
 * then removes the queues newest first: the first one's revocation (under
 * its q->mutex) and zap (under the node's i_mmap_rwsem) take every
 * mapping of the node (uacce/device.c, queue.c).  Seeing the publication
 * from user space takes a read of the word in between, and so that the
 * test does not depend on the scheduler giving a thread those
 * microseconds, it holds that step open: two wideners, one per CPU, map
 * and unmap the register page of a queue opened last, so removed first,
 * back to back (each takes that queue's q->mutex and the node's
 * i_mmap_rwsem for writing), and each reads the word in between, while
 * the removal waits for the other one.  A watcher spins on the word as
 * well.  Likely, not certain (the host may stop a vCPU just then): an
 * unbind in which every read saw OK is repeated, up to UNBIND_TRIES
 * unbinds in all, and the case fails if none saw DEAD/REMOVED.
 */
#define UNBIND_TRIES	10
#define NR_WIDENERS	2

struct watch;

/* One thread reading the status word until its mapping goes. */
struct reader {
	struct watch *watch;
	struct queue *q;
	int widen_fd;		/* a widener's queue, else -1 */
	pthread_t thread;
	bool running;
	/* written by the thread, read after join */
	bool faulted, removed, other;
	uint32_t state, reason;	/* its last read, or the odd one */
};

/* The readers of one watched unbind. */
struct watch {
	unsigned int ready;	/* readers that have read the word once */
	bool stop;		/* set by main: stop reading */
	struct reader watcher;
	struct reader widener[NR_WIDENERS];
};

/* Classify one read of the status word into @r. */
static void reader_note(struct reader *r)
{
	uint32_t state = qstate(r->q);
	uint32_t reason = qstatus(r->q)->reason;

	if (r->other)
		return;
	r->state = state;
	r->reason = reason;
	if (state == UACCE_QSTATE_DEAD && reason == UACCE_QREASON_REMOVED)
		r->removed = true;
	else if (state != UACCE_QSTATE_OK)
		r->other = true;
}

/*
 * The watcher spins on the status word; a widener maps and unmaps its
 * queue's register page and reads the word after each.  Both until the
 * mapping goes (SIGBUS) or main stops them.
 */
static void *read_status(void *arg)
{
	struct reader *r = arg;
	sigjmp_buf jb;

	if (sigsetjmp(jb, 1)) {
		fault_jmp = NULL;
		r->faulted = true;
		return NULL;
	}
	fault_jmp = &jb;
	reader_note(r);
	__atomic_add_fetch(&r->watch->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->watch->stop, __ATOMIC_RELAXED)) {
		if (r->widen_fd >= 0) {
			void *p = mmap(NULL, page_size, PROT_READ, MAP_SHARED,
				       r->widen_fd,
				       (off_t)UACCE_QFRT_MMIO * page_size);

			if (p != MAP_FAILED)
				munmap(p, page_size);
		}
		reader_note(r);
	}
	fault_jmp = NULL;
	return NULL;
}

/* Pin @attr's thread to the @nth CPU this process may use, if it has two. */
static void attr_pin(pthread_attr_t *attr, int nth)
{
	cpu_set_t all, one;

	if (sched_getaffinity(0, sizeof(all), &all) || CPU_COUNT(&all) < 2)
		return;
	nth %= CPU_COUNT(&all);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &all) || nth--)
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pthread_attr_setaffinity_np(attr, sizeof(one), &one);
		return;
	}
}

static void reader_start(struct watch *x, struct reader *r, struct queue *q,
			 int widen_fd, int cpu)
{
	pthread_attr_t attr;

	memset(r, 0, sizeof(*r));
	r->watch = x;
	r->q = q;
	r->widen_fd = widen_fd;
	pthread_attr_init(&attr);
	if (cpu >= 0)
		attr_pin(&attr, cpu);
	r->running = !pthread_create(&r->thread, &attr, read_status, r);
	pthread_attr_destroy(&attr);
}

/*
 * Start the readers of @q (the wideners only with @widen_fd, an unmapped
 * queue of the node opened last); all of them are reading when it
 * returns.
 */
static void watch_start(struct watch *x, struct queue *q, int widen_fd)
{
	unsigned int n;
	int i;

	memset(x, 0, sizeof(*x));
	reader_start(x, &x->watcher, q, -1, -1);
	for (i = 0; widen_fd >= 0 && i < NR_WIDENERS; i++)
		reader_start(x, &x->widener[i], q, widen_fd, i);
	n = x->watcher.running;
	for (i = 0; i < NR_WIDENERS; i++)
		n += x->widener[i].running;
	while (__atomic_load_n(&x->ready, __ATOMIC_ACQUIRE) < n)
		sched_yield();
}

/* After the unbind: give the watcher 5 s to fault, then stop them all. */
static void watch_stop(struct watch *x)
{
	int i;

	for (i = 0; i < 500 && x->watcher.running &&
	     !__atomic_load_n(&x->watcher.faulted, __ATOMIC_RELAXED); i++)
		usleep(10000);
	__atomic_store_n(&x->stop, true, __ATOMIC_RELAXED);
	if (x->watcher.running)
		pthread_join(x->watcher.thread, NULL);
	for (i = 0; i < NR_WIDENERS; i++)
		if (x->widener[i].running)
			pthread_join(x->widener[i].thread, NULL);
}

/*
 * What the readers saw: 1 DEAD/REMOVED, 0 only OK, -1 anything else
 * (or no watcher, or a watcher that did not fault).
 */
static int watch_saw(const struct watch *x)
{
	bool removed = x->watcher.removed;

	if (!x->watcher.running || !x->watcher.faulted || x->watcher.other)
		return -1;
	for (int i = 0; i < NR_WIDENERS; i++) {
		if (x->widener[i].other)
			return -1;
		removed |= x->widener[i].removed;
	}
	return removed;
}

static int bind_vzip(const char *what, const char *pdev)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), VZIP_DRV_DIR "/%s", what);
	return write_file(path, pdev);
}

/*
 * One more watched unbind of a started, idle queue, and the bind after
 * it: 0 with watch_saw()'s answer in @saw, or -errno.  With @newer, a
 * second queue is opened and mapped after it through the same node: the
 * removal takes the newer queues first, and the first zap reaches every
 * mapping of the node, the watched queue's too.  The wideners' queue is
 * opened last.
 */
static int unbind_watched(struct vzip_dev *d, int *saw, bool newer)
{
	struct queue q, q2 = { .fd = -1 };
	struct watch x;
	int ret, widen = -1;

	ret = queue_open(&q, d);
	if (!ret)
		ret = ioctl(q.fd, UACCE_CMD_START_Q) ? -errno : 0;
	if (!ret && newer)
		ret = queue_open(&q2, d);
	if (!ret) {
		widen = open_queue(d);
		ret = widen < 0 ? widen : 0;
	}
	if (ret) {
		if (q2.fd >= 0)
			queue_close(&q2);
		queue_close(&q);
		return ret;
	}
	watch_start(&x, &q, widen);
	ret = bind_vzip("unbind", d->pdev);
	watch_stop(&x);
	*saw = watch_saw(&x);
	close(widen);
	if (newer)
		queue_close(&q2);
	queue_close(&q);
	if (!ret)
		ret = bind_vzip("bind", d->pdev);
	if (!ret)
		ret = find_vzip(d, d->pdev);
	return ret;
}

static void test_hot_unbind(struct vzip_dev *d)
{
	size_t len = 1 << 20, out_len = len + len / 512 + 4096;
	struct uacce_queue_info info;
	struct watch watch;
	struct vzip_sqe sqe;
	struct queue q;
	char path[PATH_MAX];
	uint8_t *src = NULL, *dst = NULL;
	uint64_t src_addr, dst_addr;
	uint32_t word, head;
	bool busy = false, own = false;
	struct pollfd pfd;
	int saw, tries = 1, widen;
	size_t i;
	int ret;

	ret = queue_open(&q, d);
	if (!ret)
		ret = ioctl(q.fd, UACCE_CMD_START_Q) ? -errno : 0;
	tap_ok(ret == 0, "unbind: a started, mapped queue (%d)", ret);
	if (ret) {
		queue_close(&q);
		return;
	}

	/* a long request, so that the device is busy when it goes away */
	if (q.ss) {
		len = q.ss_size / 2;
		out_len = q.ss_size / 2;
		src = q.ss;
		src_addr = q.ss_dma;
		dst_addr = q.ss_dma + len;
	} else {
		src = malloc(len);
		dst = malloc(out_len);
		own = true;
		src_addr = (uintptr_t)src;
		dst_addr = (uintptr_t)dst;
	}
	if (src && (q.ss || dst)) {
		uint32_t x = 2463534242u;

		for (i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			src[i] = (uint8_t)(x % 61);
		}
		memset(&sqe, 0, sizeof(sqe));
		sqe.opcode = VZIP_OP_COMPRESS;
		sqe.format = VZIP_FMT_GZIP;
		sqe.flush = VZIP_FLUSH_FINISH;
		sqe.level = 9;
		sqe.version = VZIP_SQE_VERSION;
		sqe.src = htole64(src_addr);
		sqe.dst = htole64(dst_addr);
		sqe.src_len = htole32(len);
		sqe.dst_len = htole32(out_len);
		head = *ctrl(&q, VZIP_CTRL_CQ_TAIL);
		busy = !queue_submit(&q, &sqe, true) &&
		       *ctrl(&q, VZIP_CTRL_CQ_TAIL) == head;
	}
	tap_diag("unbind: request in flight when unbinding: %s", busy ? "yes" : "no");

	/* the wideners' queue, opened last: removed first */
	widen = open_queue(d);
	if (widen < 0)
		tap_diag("unbind: no queue for the wideners: %s", strerror(-widen));
	watch_start(&watch, &q, widen);

	ret = bind_vzip("unbind", d->pdev);
	tap_ok(ret == 0, "unbind %s with the queue open, mapped and busy (%d)",
	       d->pdev, ret);
	snprintf(path, sizeof(path), "/dev/%s", d->name);
	tap_ok(access(path, F_OK) && errno == ENOENT, "the device node is gone");

	/* the zap happened before unbind returned; give the thread 5 s */
	watch_stop(&watch);
	tap_ok(watch.watcher.faulted,
	       "a thread touching the status word gets SIGBUS");
	saw = watch_saw(&watch);
	if (saw < 0)
		tap_diag("unbind: the watcher's last read: state %u reason %u",
			 watch.watcher.state, watch.watcher.reason);
	tap_ok(!read_word(q.mmio, &word) && !read_word(ctrl(&q, 0), &word),
	       "MMIO and DUS accesses raise SIGBUS");
	tap_ok(ioctl_errno(q.fd, UACCE_CMD_START_Q, NULL) == ENXIO &&
	       ioctl_errno(q.fd, UACCE_CMD_PUT_Q, NULL) == ENXIO &&
	       ioctl_errno(q.fd, UACCE_CMD_WAKE_Q, NULL) == ENXIO &&
	       ioctl_errno(q.fd, UACCE_CMD_QUEUE_INFO, &info) == ENXIO,
	       "every ioctl is ENXIO");
	munmap((void *)q.mmio, page_size);
	q.mmio = NULL;
	tap_ok(map_errno(q.fd, UACCE_QFRT_MMIO, page_size, PROT_READ, MAP_SHARED) == ENXIO,
	       "mmap is ENXIO");
	pfd = (struct pollfd){ .fd = q.fd, .events = POLLIN };
	ret = poll(&pfd, 1, 1000);
	tap_ok(ret == 1 && (pfd.revents & (POLLERR | POLLHUP)) == (POLLERR | POLLHUP),
	       "poll reports POLLERR | POLLHUP (%#x)", pfd.revents);
	tap_ok(queue_close(&q) == 0, "close after removal");
	if (widen >= 0)
		close(widen);
	if (own) {
		free(src);
		free(dst);
	}

	ret = bind_vzip("bind", d->pdev);
	if (!ret)
		ret = find_vzip(d, d->pdev);
	tap_ok(ret == 0, "bind %s again: %s (%d)", d->pdev, d->name, ret);

	/* the watcher read only OK: unbind again until it reads REMOVED */
	while (!ret && saw == 0 && tries < UNBIND_TRIES) {
		tap_diag("unbind %d: every read of the status word saw OK", tries);
		tries++;
		ret = unbind_watched(d, &saw, false);
	}
	if (ret)
		tap_diag("unbind: unbind %d of %d: %d", tries, UNBIND_TRIES, ret);
	tap_ok(!ret && saw == 1,
	       "the status word said DEAD/REMOVED before the mapping went "
	       "(seen in unbind %d of at most %d)", tries, UNBIND_TRIES);

	/* the same with a newer queue of the node, which goes first */
	saw = 0;
	for (tries = 0; !ret && saw == 0 && tries < UNBIND_TRIES;) {
		tries++;
		ret = unbind_watched(d, &saw, true);
	}
	if (ret)
		tap_diag("unbind: with two queues, unbind %d: %d", tries, ret);
	tap_ok(!ret && saw == 1,
	       "and with a newer queue of the same node removed first "
	       "(seen in unbind %d of at most %d)", tries, UNBIND_TRIES);
}

/* ---- isolation, with hardware errors injected by the device ---- */

/* ---- a driver's command whose argument faults slowly ---- */

struct slow_cmd {
	int fd;
	void *arg;
	int err;
};

static void *slow_cmd_run(void *p)
{
	struct slow_cmd *c = p;

	c->err = ioctl(c->fd, WD_MEM_CMD_REGISTER, c->arg) ? errno : 0;
	return NULL;
}

/*
 * The setup case of a three-case test of @name: ok, or failed with
 * @failed (what failed) and the two cases that follow it not run.
 */
static bool setup_ok(const char *name, const char *what, const char *failed)
{
	if (tap_ok(!failed, "%s: %s%s%s%s", name, what, failed ? " (" : "",
		   failed ? failed : "", failed ? " failed)" : ""))
		return true;
	tap_ok(false, "%s: the unbind: not run", name);
	tap_ok(false, "%s: the command: not run", name);
	return false;
}

struct unbinder {
	const char *pdev;
	int ret;
	atomic_bool done;
};

static void *unbinder_run(void *p)
{
	struct unbinder *u = p;

	u->ret = bind_vzip("unbind", u->pdev);
	atomic_store(&u->done, true);
	return NULL;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * A driver's command (WD_MEM_CMD_REGISTER) whose argument is on a page of
 * a userfaultfd range that nobody fills: the ioctl waits in its copy of
 * the argument, as one on a FUSE file whose server stalls would.  An
 * unbind meanwhile must finish, not wait for the process: uacce copies a
 * driver's argument holding no lock removal takes.  Then the page is
 * filled, and the command fails with ENXIO.  The unbind runs in a thread
 * given 10 s; the page is filled in any case, so an old kernel fails the
 * case rather than hanging the test.
 */
static void test_slow_argument(struct vzip_dev *d)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_zeropage zero = { .mode = 0 };
	struct unbinder u = { .pdev = d->pdev };
	struct slow_cmd c = { .err = -1 };
	pthread_t cmd_thread, unbind_thread;
	struct uffd_msg msg;
	struct timespec t0;
	struct pollfd pfd;
	long unbind_ms = -1;
	bool faulted = false;
	const char *failed = NULL;
	struct queue q;
	void *page;
	int uffd;

	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	page = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (uintptr_t)page;
	reg.range.len = page_size;
	if (uffd < 0)
		failed = "userfaultfd()";
	else if (page == MAP_FAILED)
		failed = "mmap()";
	else if (ioctl(uffd, UFFDIO_API, &api) ||
		 ioctl(uffd, UFFDIO_REGISTER, &reg))
		failed = "UFFDIO_API/UFFDIO_REGISTER";
	else if (queue_open(&q, d))
		failed = "the queue's open";
	if (!setup_ok("slow argument", "a userfaultfd page and a queue",
		      failed)) {
		if (page != MAP_FAILED)
			munmap(page, page_size);
		if (uffd >= 0)
			close(uffd);
		return;
	}
	c.fd = q.fd;
	c.arg = page;
	pthread_create(&cmd_thread, NULL, slow_cmd_run, &c);

	/* the command is waiting for the page */
	pfd.fd = uffd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 10000) == 1 && read(uffd, &msg, sizeof(msg)) ==
	    sizeof(msg) && msg.event == UFFD_EVENT_PAGEFAULT)
		faulted = true;

	if (faulted) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		pthread_create(&unbind_thread, NULL, unbinder_run, &u);
		while (!atomic_load(&u.done) && ms_since(&t0) < 10000)
			usleep(10000);
		if (atomic_load(&u.done))
			unbind_ms = ms_since(&t0);
	}
	zero.range.start = (uintptr_t)page;
	zero.range.len = page_size;
	ioctl(uffd, UFFDIO_ZEROPAGE, &zero);
	pthread_join(cmd_thread, NULL);
	if (faulted)
		pthread_join(unbind_thread, NULL);
	tap_ok(faulted && unbind_ms >= 0 && !u.ret,
	       "slow argument: an unbind while a driver's command waits for its argument's page finished (in %ld ms; fault seen: %s, unbind %d)",
	       unbind_ms, faulted ? "yes" : "no", u.ret);
	tap_ok(c.err == ENXIO,
	       "slow argument: the command then fails with ENXIO (%s)",
	       strerror(c.err));
	queue_close(&q);
	munmap(page, page_size);
	close(uffd);
	if (faulted && !u.ret && (bind_vzip("bind", d->pdev) ||
				  find_vzip(d, d->pdev)))
		tap_diag("slow argument: the rebind failed");
}

/* ---- a driver's command whose own work waits for the mmap_lock ---- */

#define WATCH_ARG	"--mm-hold-watch"

/* What the watcher saw, through a pipe to the test */
#define REG_THREAD	"wd-register"

struct watch_report {
	int contended;		/* REGISTER waited for the mmap_lock */
	int engine_waited;	/* so did an engine, for a request's pages */
	int unbind_ret;		/* 0, -errno, or 1: not done in 10 s */
	long unbind_ms;
	int still_contended;	/* REGISTER was still waiting after it */
};

/* The state letter of @pid's thread named @comm (/proc), or 0 */
static char thread_state(pid_t pid, const char *comm)
{
	char path[PATH_MAX], buf[512], *p;
	struct dirent *e;
	char state = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while (!state && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/comm", (int)pid,
			 e->d_name);
		if (read_file(path, buf, sizeof(buf)) ||
		    strncmp(buf, comm, strlen(comm)) ||
		    buf[strlen(comm)] != '\n')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid,
			 e->d_name);
		p = read_file(path, buf, sizeof(buf)) ? NULL : strrchr(buf, ')');
		if (p && p[1] == ' ')
			state = p[2];
	}
	closedir(dir);
	return state;
}

/*
 * The engine threads of @pdev (named "<pdev>/e<N>", comm cut to 15
 * characters), up to @max of them in @pids: how many.
 */
static int engine_pids(const char *pdev, pid_t *pids, int max)
{
	char path[PATH_MAX], prefix[32], buf[64];
	struct dirent *e;
	DIR *dir;
	int n = 0;

	snprintf(prefix, sizeof(prefix), "%.15s/e", pdev);
	prefix[15] = '\0';
	dir = opendir("/proc");
	if (!dir)
		return 0;
	while (n < max && (e = readdir(dir))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		if (!read_file(path, buf, sizeof(buf)) &&
		    !strncmp(buf, prefix, strlen(prefix)))
			pids[n++] = atoi(e->d_name);
	}
	closedir(dir);
	return n;
}

/*
 * Whether a thread of @pdev's engines ("<pdev>/e<n>") waits in the
 * mapping of a request's pages (its kernel stack in wd_dma_map*()): idle
 * engines sleep too, elsewhere.  @show: print its stack.
 */
static bool engine_in_dma_map(const char *pdev, bool show)
{
	char path[PATH_MAX], buf[4096], *p;
	pid_t pids[64];
	int i, n = engine_pids(pdev, pids, 64);

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%d/stack", (int)pids[i]);
		if (read_file(path, buf, sizeof(buf)) ||
		    !strstr(buf, "wd_dma_map"))
			continue;
		if (show) {
			for (p = buf; (p = strchr(p, '\n')); )
				*p = ' ';
			tap_diag("engine %d's stack: %s", (int)pids[i], buf);
		}
		return true;
	}
	return false;
}

/* The fixture's lock has a waiter, and the REGISTER thread waits */
static bool register_waits(int hold_fd, pid_t pid)
{
	return ioctl(hold_fd, WD_MM_STATE) == WD_MM_HELD_CONTENDED &&
	       thread_state(pid, REG_THREAD) == 'D';
}

/*
 * The watcher, this program run again (posix_spawn) with another address
 * space: the test's may not fault while its mmap_lock is contended.  It
 * waits for the test's REGISTER thread to wait for the lock the fixture
 * holds on @hold_fd, unbinds @pdev, sees whether the thread still waits,
 * ends the hold, and writes a struct watch_report to @out_fd.  /proc's
 * comm and stat files of another process take none of its locks.
 */
static int watch_main(int hold_fd, int out_fd, int go_fd, int done_fd,
		      const char *pdev)
{
	struct watch_report r = { .unbind_ret = 1, .unbind_ms = -1 };
	struct pollfd pfd = { .fd = done_fd, .events = POLLIN };
	struct unbinder u = { .pdev = pdev };
	pid_t pid = getppid();
	struct timespec t0, t_start;
	char byte = 1;
	pthread_t t;
	long left;
	int i;

	/* the hold began before this program ran: a bound, not the time */
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	for (i = 0; i < 1000 && !r.contended; i++) {
		r.contended = register_waits(hold_fd, pid);
		if (!r.contended)
			usleep(10000);
	}
	/* the request's engine, polling the lock or waiting for it */
	for (i = 0; r.contended && i < 500 && !r.engine_waited; i++) {
		r.engine_waited = engine_in_dma_map(pdev, false);
		if (!r.engine_waited)
			usleep(10000);
	}
	/*
	 * The UNREGISTER now, while the engine waits: it returns, or waits
	 * (under the queue's state_lock) for the request.  A loaded TCG guest
	 * took more than 3 s to run it: wait for it as long as the hold
	 * leaves, keeping 5 s of the hold for the unbind.
	 */
	left = WD_MM_HOLD_MAX_MS - 5000 - ms_since(&t_start);
	if (r.engine_waited && write(go_fd, &byte, 1) == 1)
		poll(&pfd, 1, left > 1000 ? (int)left : 1000);
	if (r.contended) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		pthread_create(&t, NULL, unbinder_run, &u);
		while (!atomic_load(&u.done) && ms_since(&t0) < 10000)
			usleep(10000);
		if (atomic_load(&u.done)) {
			r.unbind_ms = ms_since(&t0);
			r.unbind_ret = u.ret;
		}
		r.still_contended = register_waits(hold_fd, pid);
	}
	ioctl(hold_fd, WD_MM_RELEASE);
	/* an unbind that waited for the hold ends now: not one that hangs */
	for (i = 0; r.contended && i < 1000 && !atomic_load(&u.done); i++)
		usleep(10000);
	if (r.contended && atomic_load(&u.done))
		pthread_join(t, NULL);
	return write(out_fd, &r, sizeof(r)) == sizeof(r) ? 0 : 1;
}

struct mm_holder {
	int fd;
	atomic_bool go;		/* every thread is made: hold */
	int ret;		/* WD_MM_HOLD's errno, -1 until it returns */
};

static void *mm_hold_run(void *p)
{
	struct mm_holder *h = p;

	while (!atomic_load(&h->go))
		usleep(1000);
	h->ret = ioctl(h->fd, WD_MM_HOLD) ? errno : 0;
	return NULL;
}

struct mm_registrar {
	int hold_fd, fd;
	bool sva;
	struct wd_mem_region r;
	int err;
};

/*
 * Registers once the fixture holds the mmap_lock and, with SVA, a writer
 * waits for it: the registration's read lock then waits behind them.
 */
static void *mm_register_run(void *p)
{
	struct mm_registrar *c = p;
	int want = c->sva ? WD_MM_HELD_CONTENDED : WD_MM_HELD;
	int i;

	for (i = 0; i < 1000 && ioctl(c->hold_fd, WD_MM_STATE) != want; i++)
		usleep(10000);
	c->err = ioctl(c->fd, WD_MEM_CMD_REGISTER, &c->r) ? errno : 0;
	return NULL;
}

/*
 * A request whose pages the engine must pin, submitted once a writer
 * waits for the mmap_lock: the engine's pin waits behind it too.
 */
struct mm_submitter {
	int hold_fd;
	struct queue *q;
	struct vzip_sqe sqe;
	int ret;
};

static void *mm_submit_run(void *p)
{
	struct mm_submitter *m = p;
	int i;

	for (i = 0; i < 1000 && ioctl(m->hold_fd, WD_MM_STATE) !=
	     WD_MM_HELD_CONTENDED; i++)
		usleep(10000);
	m->ret = queue_submit(m->q, &m->sqe, true);
	return NULL;
}

/*
 * UNREGISTER of the region the waiting request reads, once the request
 * waits: it must not wait for the request (which holds no reference on
 * the region while it waits for the lock) under the queue's state_lock.
 */
struct mm_unregistrar {
	int hold_fd, fd;
	int go_fd, done_fd;	/* the watcher's word that the engine waits */
	struct wd_mem_region r;
	int err;
	bool contended;		/* the lock still contended when it returned */
	atomic_bool ready;	/* its stack is faulted in */
};

/*
 * Touches 64 KiB of the calling thread's stack below its frame, so that
 * the calls it makes later do not fault while the process's mmap_lock is
 * contended (a fault would wait behind the queued writer): a new thread's
 * stack is an mmap() whose pages come at first touch.
 */
static __attribute__((noinline)) void stack_prefault(void)
{
	volatile char deep[65536];
	size_t i;

	for (i = 0; i < sizeof(deep); i += 512)
		deep[i] = 0;
}

static void *mm_unregister_run(void *p)
{
	struct mm_unregistrar *u = p;
	struct pollfd pfd = { .fd = u->go_fd, .events = POLLIN };
	char byte = 0;

	stack_prefault();
	atomic_store(&u->ready, true);

	if (poll(&pfd, 1, 20000) != 1 || read(u->go_fd, &byte, 1) != 1) {
		u->err = ETIMEDOUT;
		return NULL;
	}
	u->err = ioctl(u->fd, WD_MEM_CMD_UNREGISTER, &u->r) ? errno : 0;
	u->contended = ioctl(u->hold_fd, WD_MM_STATE) == WD_MM_HELD_CONTENDED;
	if (write(u->done_fd, &byte, 1) != 1)
		u->err = EPIPE;
	return NULL;
}

/* An mmap() (a writer) once the fixture holds the mmap_lock */
struct mm_writer {
	int hold_fd;
	void *map;
};

static void *mm_writer_run(void *p)
{
	struct mm_writer *w = p;
	int i;

	for (i = 0; i < 1000 && ioctl(w->hold_fd, WD_MM_STATE) ==
	     WD_MM_NOT_HELD; i++)
		usleep(10000);
	w->map = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	return NULL;
}

static void *nothing_run(void *p)
{
	return p;
}

/*
 * WD_MEM_CMD_REGISTER while another thread of the process holds its
 * mmap_lock for reading, as one in a slow fault on a FUSE file would (the
 * test fixture wd_mm_hold), and a third waits in mmap() to take it for
 * writing: the command's read lock, to pin its region, waits behind the
 * writer.  An unbind meanwhile must finish, not wait for the holder: the
 * registration's slow step runs without the queue's state_lock, which
 * removal takes; the removal gives back a region registered before
 * without the mmap_lock; it zaps the queue's mappings (mapped, the
 * register page read) without it too, uacce mapping pages at fault; and
 * it stops the queue although a request's pin waits for the lock in an
 * engine, which gives the request up.  Meanwhile the region the request
 * reads is unregistered, which does not wait for the request either.
 * Then the hold ends, and the command fails with ENXIO; VmPin is back
 * where it was.  Without SVA the command has nothing to pin: it fails at
 * once with EOPNOTSUPP.
 *
 * While the command waits, no thread of this process may fault (the
 * fault would wait behind it): the unbind and the watching are another
 * program's (watch_main()), spawned before, and every page the waiting
 * threads touch is touched before.
 */
static void test_slow_register(struct vzip_dev *d)
{
	bool sva = d->flags & UACCE_DEV_SVA;
	struct mm_registrar c = { .err = -1, .sva = sva };
	struct mm_holder h = { .ret = -1 };
	struct mm_writer w = { .map = MAP_FAILED };
	struct mm_submitter m = { .ret = -1 };
	struct mm_unregistrar un = { .err = -1 };
	pthread_t submit_thread, unreg_thread;
	struct vzip_cqe cqe;
	uint8_t *io;
	size_t off;
	struct watch_report r = { 0 };
	char hold_arg[16], out_arg[16], go_arg[16], done_arg[16];
	char *argv[] = { "uacce_uapi_test", WATCH_ARG, hold_arg, out_arg,
			 go_arg, done_arg, d->pdev, NULL };
	int go[2] = { -1, -1 }, done[2] = { -1, -1 };
	struct wd_mem_region before;
	bool before_ok;
	pthread_t hold_thread, reg_thread, write_thread, warm;
	const char *failed = NULL;
	pid_t watcher = -1;
	long pin0 = vmpin_kib();
	uint8_t *buf;
	int out[2] = { -1, -1 };
	struct queue q = { .fd = -1 };
	int st;

	buf = mmap(NULL, 10 * page_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* the request's source and destination, not registered */
	io = buf + 8 * page_size;
	h.fd = open(WD_MM_HOLD_DEV, O_RDWR);
	if (h.fd < 0)
		failed = "open(" WD_MM_HOLD_DEV ")";
	else if (buf == MAP_FAILED)
		failed = "mmap()";
	else if (pipe(out) || pipe(go) || pipe(done))
		failed = "pipe()";
	else if (queue_open(&q, d))
		failed = "the queue's open";
	if (!setup_ok("slow register", "the fixture and a queue", failed))
		goto out;
	memset(buf, 1, 10 * page_size);
	before.addr = (uintptr_t)buf;
	before.len = 4 * page_size;
	before.flags = 0;
	before.reserved = 0;
	before_ok = !sva || !ioctl(q.fd, WD_MEM_CMD_REGISTER, &before);
	c.hold_fd = h.fd;
	c.fd = q.fd;
	c.r.addr = (uintptr_t)buf + 4 * page_size;
	c.r.len = 4 * page_size;
	/* the code the waiting threads run, mapped now */
	pthread_create(&warm, NULL, nothing_run, NULL);
	pthread_join(warm, NULL);
	ioctl(h.fd, WD_MM_STATE);
	if (sva) {
		/* a started queue, its rings faulted in by a NOP */
		nop_sqe(&m.sqe, 1);
		if (ioctl(q.fd, UACCE_CMD_START_Q) ||
		    queue_submit(&q, &m.sqe, true) ||
		    queue_complete(&q, &cqe, 10000))
			tap_diag("slow register: the NOP: %s", strerror(errno));
		for (off = 0; off < q.dus_size; off += page_size)
			(void)*(q.dus + off);
		memset(&m.sqe, 0, sizeof(m.sqe));
		m.sqe.opcode = VZIP_OP_COPY;
		m.sqe.version = VZIP_SQE_VERSION;
		/* its source registered, its destination not */
		m.sqe.src = htole64((uintptr_t)buf);
		m.sqe.dst = htole64((uintptr_t)io + page_size);
		m.sqe.src_len = htole32(page_size);
		m.sqe.dst_len = htole32(page_size);
		m.hold_fd = h.fd;
		m.q = &q;
		un.hold_fd = h.fd;
		un.fd = q.fd;
		un.go_fd = go[0];
		un.done_fd = done[1];
		un.r = before;
	}

	if (sva) {
		snprintf(hold_arg, sizeof(hold_arg), "%d", h.fd);
		snprintf(out_arg, sizeof(out_arg), "%d", out[1]);
		snprintf(go_arg, sizeof(go_arg), "%d", go[1]);
		snprintf(done_arg, sizeof(done_arg), "%d", done[0]);
		if (posix_spawn(&watcher, "/proc/self/exe", NULL, NULL, argv,
				environ))
			watcher = -1;
	}
	/* made before the hold: a new thread's stack is an mmap() */
	w.hold_fd = h.fd;
	pthread_create(&hold_thread, NULL, mm_hold_run, &h);
	if (sva) {
		pthread_create(&write_thread, NULL, mm_writer_run, &w);
		pthread_create(&submit_thread, NULL, mm_submit_run, &m);
		pthread_create(&unreg_thread, NULL, mm_unregister_run, &un);
	}
	pthread_create(&reg_thread, NULL, mm_register_run, &c);
	pthread_setname_np(reg_thread, REG_THREAD);
	/*
	 * the UNREGISTER must not fault once the lock is held: its thread's
	 * stack is in before the hold starts (the full run failed this case
	 * twice in the stock lane: the UNREGISTER did not come within 20 s)
	 */
	for (int i = 0; sva && i < 10000 && !atomic_load(&un.ready); i++)
		usleep(1000);
	atomic_store(&h.go, true);
	pthread_join(reg_thread, NULL);
	if (!sva) {
		/* answered before the hold ended: SVA is checked first */
		tap_ok(c.err == EOPNOTSUPP && ioctl(h.fd, WD_MM_STATE) ==
		       WD_MM_HELD,
		       "slow register: without SVA the command fails at once with EOPNOTSUPP (%s)",
		       strerror(c.err));
		ioctl(h.fd, WD_MM_RELEASE);
		pthread_join(hold_thread, NULL);
		tap_ok(h.ret == 0 && vmpin_kib() == pin0,
		       "slow register: the hold ends (%s), VmPin unchanged",
		       strerror(h.ret));
		goto out;
	}
	pthread_join(hold_thread, NULL);
	pthread_join(write_thread, NULL);
	pthread_join(submit_thread, NULL);
	pthread_join(unreg_thread, NULL);
	if (w.map != MAP_FAILED)
		munmap(w.map, page_size);
	close(out[1]);
	out[1] = -1;
	if (watcher < 0 || read(out[0], &r, sizeof(r)) != sizeof(r))
		tap_diag("slow register: no report from the watcher");
	if (watcher > 0)
		waitpid(watcher, &st, 0);
	tap_ok(before_ok && !m.ret && r.contended && r.engine_waited &&
	       !un.err && un.contended && !r.unbind_ret && r.still_contended,
	       "slow register: an unbind while a REGISTER and a request wait for the mmap_lock finished (in %ld ms; a region registered before: %s; REGISTER waited: %s, the engine: %s; the region unregistered meanwhile: %s; unbind %d, REGISTER still waiting after it: %s)",
	       r.unbind_ms, before_ok ? "yes" : "no",
	       r.contended ? "yes" : "no", r.engine_waited ? "yes" : "no",
	       un.err ? strerror(un.err) :
	       un.contended ? "yes" : "only after the hold",
	       r.unbind_ret, r.still_contended ? "yes" : "no");
	tap_ok(c.err == ENXIO && h.ret == 0 && vmpin_kib() == pin0,
	       "slow register: the command then fails with ENXIO (%s), VmPin back (%ld kB, was %ld)",
	       strerror(c.err), vmpin_kib(), pin0);
	if (r.contended && (bind_vzip("bind", d->pdev) ||
			    find_vzip(d, d->pdev)))
		tap_diag("slow register: the rebind failed");
out:
	queue_close(&q);
	if (buf != MAP_FAILED)
		munmap(buf, 10 * page_size);
	if (h.fd >= 0)
		close(h.fd);
	if (out[0] >= 0)
		close(out[0]);
	if (out[1] >= 0)
		close(out[1]);
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (done[i] >= 0)
			close(done[i]);
	}
}

/* ---- an engine's request on a page whose I/O does not end ---- */

struct page_holder {
	int fd;
	struct wd_mm_hold_page arg;
	int ret;		/* WD_MM_HOLD_PAGE's errno, -1 until it returns */
};

static void *page_hold_run(void *p)
{
	struct page_holder *h = p;

	h->ret = ioctl(h->fd, WD_MM_HOLD_PAGE, &h->arg) ? errno : 0;
	return NULL;
}

/*
 * Starts @h's hold in thread @t: whether the page is held within 10 s.
 * When it is not, no thread is left.
 */
static bool page_hold_start(struct page_holder *h, pthread_t *t)
{
	int i;

	h->ret = -1;
	if (pthread_create(t, NULL, page_hold_run, h))
		return false;
	for (i = 0; i < 1000 && ioctl(h->fd, WD_MM_STATE) == WD_MM_NOT_HELD &&
	     h->ret < 0; i++)
		usleep(10000);
	if (ioctl(h->fd, WD_MM_STATE) != WD_MM_NOT_HELD)
		return true;
	ioctl(h->fd, WD_MM_RELEASE);
	pthread_join(*t, NULL);
	return false;
}

/* Whether an engine of @pdev is in wd_dma_map*() within 5 s */
static bool engine_reaches_dma_map(const char *pdev)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (engine_in_dma_map(pdev, false))
			return true;
		usleep(10000);
	}
	return false;
}

/* how a case's page stalls */
enum stall_kind {
	/* a page of WD_MM_HOLD_FILE that the fixture holds locked */
	STALL_LOCKED,
	/* a page of a WD_MM_STALL_FILE file, readahead off for its mapping */
	STALL_READ,
};

struct stall {
	enum stall_kind kind;
	const char *name;	/* the case's */
	struct page_holder h;	/* h.fd: the fixture */
	pthread_t ht;		/* STALL_LOCKED: the hold's thread */
	bool holding;		/* it runs */
	int ffd;		/* the file */
	uint8_t *src;		/* the page, mapped; or MAP_FAILED */
};

/*
 * Maps @s's page anew (not touched: the engine's pin is its first fault)
 * and makes it stall: whether that worked.  A page of the fixture's own
 * files is read once, so STALL_READ takes a new file every time; the
 * close of the last one ends its reads.
 */
static bool stall_start(struct stall *s)
{
	if (s->src != MAP_FAILED)
		munmap(s->src, page_size);
	s->src = MAP_FAILED;
	if (s->kind == STALL_READ) {
		if (s->ffd >= 0)
			close(s->ffd);
		s->ffd = ioctl(s->h.fd, WD_MM_STALL_FILE, WD_MM_READS_STALL);
		if (s->ffd < 0)
			return false;
	}
	s->src = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE, s->ffd, 0);
	if (s->src == MAP_FAILED)
		return false;
	/* readahead off: the page's fault would read it itself */
	if (s->kind == STALL_READ)
		return !madvise(s->src, page_size, MADV_RANDOM);
	s->holding = page_hold_start(&s->h, &s->ht);
	return s->holding;
}

/* The fixture's WD_MM_STATE for @s's page */
static int stall_state(const struct stall *s)
{
	return ioctl(s->kind == STALL_READ ? s->ffd : s->h.fd, WD_MM_STATE);
}

/*
 * stall_state() once it is more than WD_MM_NOT_HELD, within 1 s: an engine
 * in wd_dma_map*() may not have started the page's read yet.
 */
static int stall_state_settled(const struct stall *s)
{
	int i, state = stall_state(s);

	for (i = 0; i < 100 && state == WD_MM_NOT_HELD; i++) {
		usleep(10000);
		state = stall_state(s);
	}
	return state;
}

/* Ends @s's stall: 0, or the errno of the hold or of the release */
static int stall_release(struct stall *s)
{
	if (s->kind == STALL_READ)
		return ioctl(s->ffd, WD_MM_RELEASE) ? errno : 0;
	if (!s->holding)
		return 0;
	ioctl(s->h.fd, WD_MM_RELEASE);
	pthread_join(s->ht, NULL);
	s->holding = false;
	return s->h.ret;
}

/* Opens @s's fixture and its first file, reads the page's bytes to @want */
static const char *stall_open(struct stall *s, uint8_t *want)
{
	long i;

	s->h.fd = open(WD_MM_HOLD_DEV, O_RDWR);
	if (s->h.fd < 0)
		return "open(" WD_MM_HOLD_DEV ")";
	if (!want)
		return "malloc()";
	if (s->kind == STALL_READ) {
		for (i = 0; i < page_size; i++)
			want[i] = wd_mm_stall_byte(i);
		return NULL;
	}
	s->ffd = open(WD_MM_HOLD_FILE, O_RDONLY);
	s->h.arg.fd = s->ffd;
	s->h.arg.offset = 0;
	if (s->ffd < 0)
		return "open(" WD_MM_HOLD_FILE ")";
	if (pread(s->ffd, want, page_size, 0) != page_size)
		return "reading a page of " WD_MM_HOLD_FILE;
	return NULL;
}

static void stall_close(struct stall *s)
{
	stall_release(s);
	if (s->src != MAP_FAILED)
		munmap(s->src, page_size);
	if (s->ffd >= 0)
		close(s->ffd);
	if (s->h.fd >= 0)
		close(s->h.fd);
}

/*
 * A request whose source is a page that does not come, as on a FUSE or
 * NFS file whose server stalls: one the fixture holds locked, as a read
 * that does not end holds it (STALL_LOCKED), or one the fault would have
 * to read itself, readahead being off, from a file whose reads do not
 * end (STALL_READ).  The engine's pin must not wait for the page in the
 * fault, where nothing ends the wait, but start the read if it must and
 * try again until the page is there, or until its queue stops.  So:
 *  - the request waits while the page stalls, then completes with the
 *    file's bytes once the stall ends;
 *  - stalled again, an unbind meanwhile finishes: the stop gives the
 *    request up.
 * Either way nothing waits on the page's lock (the fixture sees no
 * waiter), and for STALL_READ the page's read was started.  Without SVA,
 * a request cannot name the page: ADDR_ERROR at once.
 */
static void test_stalled(struct vzip_dev *d, enum stall_kind kind)
{
	const char *name = kind == STALL_READ ? "stalled read" : "stalled page";
	const char *what = kind == STALL_READ ? "a page its fault must read" :
						  "a page under I/O";
	bool sva = d->flags & UACCE_DEV_SVA;
	struct stall s = { .kind = kind, .h = { .fd = -1, .ret = -1 },
			   .ffd = -1, .src = MAP_FAILED };
	struct unbinder u = { .pdev = d->pdev };
	struct queue q = { .fd = -1 };
	uint8_t *dst = MAP_FAILED, *want = malloc(page_size);
	const char *failed;
	struct vzip_sqe sqe;
	struct vzip_cqe cqe = { 0 };
	struct timespec t0;
	bool waited, stalled, done_early, unbinding;
	long unbind_ms = -1;
	int state, rel, ret, i;
	pthread_t ut;

	failed = stall_open(&s, want);
	if (!failed) {
		dst = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (dst == MAP_FAILED)
			failed = "mmap()";
		else if (queue_open(&q, d) || ioctl(q.fd, UACCE_CMD_START_Q))
			failed = "a started queue";
	}
	if (!setup_ok(name, "the fixture, a file and a queue", failed))
		goto out;
	memset(dst, 0, 2 * page_size);
	if (!stall_start(&s)) {
		tap_ok(false, "%s: the fixture stalls the page (%s)", name,
		       strerror(kind == STALL_READ ? errno : s.h.ret));
		tap_ok(false, "%s: the unbind: not run", name);
		goto out;
	}
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = VZIP_OP_COPY;
	sqe.version = VZIP_SQE_VERSION;
	sqe.user_data = htole64(1);
	sqe.src = htole64((uintptr_t)s.src);
	sqe.dst = htole64((uintptr_t)dst);
	sqe.src_len = htole32(page_size);
	sqe.dst_len = htole32(page_size);
	if (!sva) {
		/* the page's address is no SS address */
		ret = queue_submit(&q, &sqe, true);
		if (!ret)
			ret = queue_complete(&q, &cqe, 10000);
		tap_ok(!ret && le16toh(cqe.status) == VZIP_STS_ADDR_ERROR,
		       "%s: without SVA a request cannot name the page: status %u (%s)",
		       name, le16toh(cqe.status), strerror(-ret));
		state = stall_state(&s);
		rel = stall_release(&s);
		tap_ok(state != WD_MM_HELD_CONTENDED && !rel,
		       "%s: nothing waited for the page (%s), the stall ends (%s)",
		       name, state == WD_MM_HELD_CONTENDED ? "something did" : "no",
		       strerror(rel));
		goto out;
	}

	/* the request waits for the page, then completes with its bytes */
	ret = queue_submit(&q, &sqe, true);
	waited = !ret && engine_reaches_dma_map(d->pdev);
	done_early = queue_complete(&q, &cqe, 300) != -ETIMEDOUT;
	state = stall_state(&s);
	if (state != WD_MM_HELD)
		engine_in_dma_map(d->pdev, true);
	rel = stall_release(&s);
	if (!ret && !done_early)
		ret = queue_complete(&q, &cqe, 10000);
	tap_ok(!ret && waited && !done_early && state == WD_MM_HELD && !rel &&
	       le16toh(cqe.status) == VZIP_STS_OK &&
	       le32toh(cqe.produced) == page_size &&
	       !memcmp(dst, want, page_size),
	       "%s: a request on %s waits (engine in wd_dma_map: %s, done early: %s, page state %d, 1 wanted), then completes with the file's bytes (status %u, %u bytes, same: %s; %s; %s)",
	       name, what, waited ? "yes" : "no", done_early ? "yes" : "no",
	       state, le16toh(cqe.status), le32toh(cqe.produced),
	       memcmp(dst, want, page_size) ? "no" : "yes", strerror(-ret),
	       strerror(rel));

	/* stalled again, in a new mapping: an unbind while the request waits */
	stalled = stall_start(&s);
	sqe.src = htole64((uintptr_t)s.src);
	sqe.dst = htole64((uintptr_t)dst + page_size);
	waited = stalled && !queue_submit(&q, &sqe, true) &&
		 engine_reaches_dma_map(d->pdev);
	state = stall_state_settled(&s);
	unbinding = waited && !pthread_create(&ut, NULL, unbinder_run, &u);
	if (unbinding) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (!atomic_load(&u.done) && ms_since(&t0) < 10000)
			usleep(10000);
		if (atomic_load(&u.done))
			unbind_ms = ms_since(&t0);
	}
	stall_release(&s);
	/* an unbind that waited for the page ends now: not one that hangs */
	for (i = 0; unbinding && i < 1000 && !atomic_load(&u.done); i++)
		usleep(10000);
	if (unbinding && atomic_load(&u.done))
		pthread_join(ut, NULL);
	else if (unbinding)
		tap_diag("%s: the unbind never returned", name);
	tap_ok(unbinding && unbind_ms >= 0 && !u.ret && state == WD_MM_HELD,
	       "%s: an unbind while a request waits for %s finished (in %ld ms; engine in wd_dma_map: %s, page state %d, 1 wanted; unbind %d)",
	       name, what, unbind_ms, waited ? "yes" : "no", state, u.ret);
	if (unbinding && atomic_load(&u.done) &&
	    (bind_vzip("bind", d->pdev) || find_vzip(d, d->pdev)))
		tap_diag("%s: the rebind failed", name);
out:
	queue_close(&q);
	stall_close(&s);
	if (dst != MAP_FAILED)
		munmap(dst, 2 * page_size);
	free(want);
}

/* ---- what an engine's faults bring in is its owner's memory cgroup's ---- */

#define MEMCG_ROOT	"/sys/fs/cgroup"
#define MEMCG_TEST	MEMCG_ROOT "/wd-uacce-uapi"

/*
 * The memory cgroup the page mapped at @addr is charged to: the inode of
 * its directory (/proc/kpagecgroup of its frame, /proc/self/pagemap), or
 * 0 if that cannot be read.  Exact, unlike memory.stat, which is flushed
 * lazily.
 */
static unsigned long long page_memcg(const void *addr)
{
	uint64_t ent = 0, ino = 0;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (pread(fd, &ent, sizeof(ent),
		  (off_t)((uintptr_t)addr / page_size * sizeof(ent))) !=
	    sizeof(ent) || !(ent & 1ULL << 63))
		ent = 0;
	close(fd);
	ent &= (1ULL << 55) - 1;
	if (!ent)
		return 0;
	fd = open("/proc/kpagecgroup", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (pread(fd, &ino, sizeof(ino), (off_t)(ent * sizeof(ino))) !=
	    sizeof(ino))
		ino = 0;
	close(fd);
	return ino;
}

/* where memcg_enter() took the process from, and what it mounted */
struct memcg_place {
	char from[PATH_MAX + 32];	/* its cgroup.procs */
	bool mounted;
	bool entered;
};

/*
 * Moves the process into a memory cgroup of its own, MEMCG_TEST: NULL, or
 * what failed.
 */
static const char *memcg_enter(struct memcg_place *pl)
{
	char buf[PATH_MAX], pid[32], *p;

	if (access(MEMCG_ROOT "/cgroup.controllers", F_OK)) {
		if (mount("cgroup2", MEMCG_ROOT, "cgroup2", 0, NULL))
			return "mounting cgroup2 on " MEMCG_ROOT;
		pl->mounted = true;
	}
	if (read_file("/proc/self/cgroup", buf, sizeof(buf)) ||
	    strncmp(buf, "0::/", 4))
		return "reading /proc/self/cgroup";
	p = strchr(buf + 3, '\n');
	if (p)
		*p = '\0';
	snprintf(pl->from, sizeof(pl->from), "%s%s/cgroup.procs", MEMCG_ROOT,
		 strcmp(buf + 3, "/") ? buf + 3 : "");
	if (write_file(MEMCG_ROOT "/cgroup.subtree_control", "+memory"))
		return "enabling the memory controller";
	if (mkdir(MEMCG_TEST, 0755) && errno != EEXIST)
		return "mkdir " MEMCG_TEST;
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (write_file(MEMCG_TEST "/cgroup.procs", pid))
		return "moving into " MEMCG_TEST;
	pl->entered = true;
	return NULL;
}

/* Undoes memcg_enter() */
static void memcg_leave(struct memcg_place *pl)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (pl->entered && write_file(pl->from, pid))
		tap_diag("memcg: moving back to %s failed", pl->from);
	rmdir(MEMCG_TEST);
	if (pl->mounted)
		umount(MEMCG_ROOT);
}

/* A COPY of @len bytes from @src to @dst: 0 or the errno, its time in @ms */
static int copy_once(struct queue *q, const void *src, void *dst, size_t len,
		     struct vzip_cqe *cqe, long *ms)
{
	struct timespec t0;
	struct vzip_sqe sqe;
	int ret;

	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = VZIP_OP_COPY;
	sqe.version = VZIP_SQE_VERSION;
	sqe.user_data = htole64(1);
	sqe.src = htole64((uintptr_t)src);
	sqe.dst = htole64((uintptr_t)dst);
	sqe.src_len = htole32(len);
	sqe.dst_len = htole32(len);
	memset(cqe, 0, sizeof(*cqe));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = queue_submit(q, &sqe, true);
	if (!ret)
		ret = queue_complete(q, cqe, 10000);
	*ms = ms_since(&t0);
	return ret;
}

/* A file of the fixture mapped, anonymous memory, a started queue */
struct file_case {
	int hfd, ffd;		/* the fixture, its file */
	size_t len;		/* bytes of each mapping */
	uint8_t *src;		/* the file's first @len bytes */
	uint8_t *dst;		/* anonymous, populated */
	struct queue q;
};

/*
 * Sets up @fc for @len bytes of a new file of the fixture whose reads go
 * as @reads says (WD_MM_READS_STALL: released, so they end at once): NULL,
 * or what failed.  file_case_close() undoes it either way.
 */
static const char *file_case_open(struct file_case *fc, struct vzip_dev *d,
				  unsigned long reads, size_t len)
{
	*fc = (struct file_case){ .hfd = -1, .ffd = -1, .len = len,
				  .src = MAP_FAILED, .dst = MAP_FAILED,
				  .q = { .fd = -1 } };
	fc->hfd = open(WD_MM_HOLD_DEV, O_RDWR);
	if (fc->hfd < 0)
		return "open(" WD_MM_HOLD_DEV ")";
	fc->ffd = ioctl(fc->hfd, WD_MM_STALL_FILE, reads);
	if (fc->ffd < 0 ||
	    (reads == WD_MM_READS_STALL && ioctl(fc->ffd, WD_MM_RELEASE)))
		return "a file of the fixture";
	fc->src = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fc->ffd, 0);
	fc->dst = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (fc->src == MAP_FAILED || fc->dst == MAP_FAILED)
		return "mmap()";
	if (queue_open(&fc->q, d) || ioctl(fc->q.fd, UACCE_CMD_START_Q))
		return "a started queue";
	return NULL;
}

static void file_case_close(struct file_case *fc)
{
	queue_close(&fc->q);
	if (fc->src != MAP_FAILED)
		munmap(fc->src, fc->len);
	if (fc->dst != MAP_FAILED)
		munmap(fc->dst, fc->len);
	if (fc->ffd >= 0)
		close(fc->ffd);
	if (fc->hfd >= 0)
		close(fc->hfd);
}

/*
 * A request on pages of a file that are not in memory: the engine's faults
 * read them into the page cache, which is charged to the memory cgroup of
 * the queue's owner (the test, in a cgroup of its own), not to the
 * engine's (the root), so that a container's requests stay within its
 * limits.  Each page is checked.  Without SVA the request cannot name
 * them.
 */
static void test_memcg(struct vzip_dev *d)
{
	bool sva = d->flags & UACCE_DEV_SVA, same = true;
	size_t len = 4 * page_size, i, charged = 0;
	struct memcg_place pl = { .mounted = false };
	unsigned long long ino = 0, last = 0;
	struct vzip_cqe cqe = { 0 };
	struct file_case fc;
	const char *failed;
	struct stat st;
	long ms;
	int ret;

	failed = file_case_open(&fc, d, WD_MM_READS_STALL, len);
	if (!failed)
		failed = memcg_enter(&pl);
	if (!failed && stat(MEMCG_TEST, &st))
		failed = "stat(" MEMCG_TEST ")";
	else if (!failed)
		ino = st.st_ino;
	if (!tap_ok(!failed, "memcg: the fixture's file, a queue and a memory cgroup of the test's own%s%s%s",
		    failed ? " (" : "", failed ? failed : "",
		    failed ? " failed)" : "")) {
		tap_ok(false, "memcg: the request: not run");
		goto out;
	}
	ret = copy_once(&fc.q, fc.src, fc.dst, len, &cqe, &ms);
	if (!sva) {
		tap_ok(!ret && le16toh(cqe.status) == VZIP_STS_ADDR_ERROR,
		       "memcg: without SVA a request cannot name the file's pages: status %u (%s)",
		       le16toh(cqe.status), strerror(-ret));
		goto out;
	}
	for (i = 0; i < len; i++)
		same = same && fc.dst[i] == wd_mm_stall_byte(i);
	/* mapped by the engine's faults, which the test did not touch */
	for (i = 0; i < len; i += page_size) {
		last = page_memcg(fc.src + i);
		charged += last == ino;
	}
	tap_ok(!ret && le16toh(cqe.status) == VZIP_STS_OK &&
	       le32toh(cqe.produced) == len && same &&
	       charged == len / page_size,
	       "memcg: a file's pages an engine's faults read are charged to the owner's memory cgroup (%zu of %zu pages in cgroup %llu, the last in %llu; status %u, same: %s; %s)",
	       charged, len / page_size, ino, last, le16toh(cqe.status),
	       same ? "yes" : "no", strerror(-ret));
out:
	memcg_leave(&pl);
	file_case_close(&fc);
}

/*
 * Pages of a file whose reads fail at once, as on a device that reports
 * an error: a request on one ends with the address error, whether the
 * engine started the read itself (a page not in memory) or found the page
 * a failed read left there, not up to date (it tries a few times, then
 * the fault reads it again and fails).  Neither waits for the queue to
 * stop, and the queue serves on.  Without SVA a request cannot name them.
 */
static void test_failed_read(struct vzip_dev *d)
{
	bool sva = d->flags & UACCE_DEV_SVA;
	struct vzip_cqe cqe, cqe2, nop;
	struct file_case fc;
	const char *failed;
	struct vzip_sqe sqe;
	int ret, ret2, read_err;
	long ms, ms2;
	uint8_t byte;
	ssize_t n;

	failed = file_case_open(&fc, d, WD_MM_READS_FAIL, 4 * page_size);
	if (!tap_ok(!failed, "failed read: the fixture's file and a queue%s%s%s",
		    failed ? " (" : "", failed ? failed : "",
		    failed ? " failed)" : "")) {
		tap_ok(false, "failed read: the requests: not run");
		goto out;
	}
	/* a page not in memory: the engine starts its read, which fails */
	ret = copy_once(&fc.q, fc.src, fc.dst, page_size, &cqe, &ms);
	/* that read left the page there, not up to date */
	n = pread(fc.ffd, &byte, 1, 0);
	read_err = n < 0 ? errno : 0;
	ret2 = copy_once(&fc.q, fc.src, fc.dst, page_size, &cqe2, &ms2);
	tap_ok(!ret && le16toh(cqe.status) == VZIP_STS_ADDR_ERROR && !ret2 &&
	       le16toh(cqe2.status) == VZIP_STS_ADDR_ERROR && read_err == EIO,
	       "failed read: a request on a page whose read fails%s ends with the address error (status %u in %ld ms; %s), and again on the page the read left (pread(): %s): status %u in %ld ms (%s)",
	       sva ? "" : " (without SVA, one that cannot name it)",
	       le16toh(cqe.status), ms, strerror(-ret), strerror(read_err),
	       le16toh(cqe2.status), ms2, strerror(-ret2));
	nop_sqe(&sqe, 2);
	ret = queue_submit(&fc.q, &sqe, true);
	if (!ret)
		ret = queue_complete(&fc.q, &nop, 10000);
	tap_ok(!ret && le16toh(nop.status) == VZIP_STS_OK,
	       "failed read: the queue then completes a NOP (status %u; %s)",
	       le16toh(nop.status), strerror(-ret));
out:
	file_case_close(&fc);
}

#define FAIL_PAGE_ALLOC	"/sys/kernel/debug/fail_page_alloc"

/*
 * Writes @val to /proc/PID/make-it-fail of each engine thread of @pdev:
 * how many there were, -1 if a write failed.
 */
static int engines_make_it_fail(const char *pdev, const char *val)
{
	char path[PATH_MAX];
	pid_t pids[64];
	int i, n = engine_pids(pdev, pids, 64);

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%d/make-it-fail",
			 (int)pids[i]);
		if (write_file(path, val))
			return -1;
	}
	return n;
}

/*
 * The fail_page_alloc attributes test_no_memory() sets, then restores:
 * set last to first, restored first to last, so that "probability" never
 * applies to every task
 */
static const char *const fpa_attr[] = {
	"probability", "interval", "times", "task-filter",
};
#define FPA_NR	(sizeof(fpa_attr) / sizeof(fpa_attr[0]))

/* what the attributes were, as read back, without the newline */
struct fpa_saved {
	char val[FPA_NR][32];
	bool saved[FPA_NR];
};

/*
 * Sets fail_page_alloc's attributes to @val, last to first, saving what
 * they were in @old: NULL, or what failed.
 */
static const char *fpa_inject(const char *const val[FPA_NR],
			      struct fpa_saved *old)
{
	char path[PATH_MAX], *nl;
	size_t i = FPA_NR;

	while (i--) {
		snprintf(path, sizeof(path), FAIL_PAGE_ALLOC "/%s",
			 fpa_attr[i]);
		if (read_file(path, old->val[i], sizeof(old->val[i])))
			return "reading " FAIL_PAGE_ALLOC;
		nl = strchr(old->val[i], '\n');
		if (nl)
			*nl = '\0';
		old->saved[i] = true;
		if (write_file(path, val[i]))
			return "writing " FAIL_PAGE_ALLOC;
	}
	return NULL;
}

/* Undoes fpa_inject(), first to last: NULL, or what failed */
static const char *fpa_restore(struct fpa_saved *old)
{
	const char *failed = NULL;
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < FPA_NR; i++) {
		if (!old->saved[i])
			continue;
		snprintf(path, sizeof(path), FAIL_PAGE_ALLOC "/%s",
			 fpa_attr[i]);
		if (write_file(path, old->val[i]))
			failed = "restoring " FAIL_PAGE_ALLOC;
		old->saved[i] = false;
	}
	return failed;
}

/*
 * Memory back for the engines of @pdev, if *@injected: fail_page_alloc's
 * attributes as they were, make-it-fail cleared.  NULL, or what failed.
 */
static const char *no_memory_undo(const char *pdev, struct fpa_saved *old,
				  bool *injected)
{
	const char *failed;

	if (!*injected)
		return NULL;
	*injected = false;
	failed = fpa_restore(old);
	if (engines_make_it_fail(pdev, "0") < 0 && !failed)
		failed = "clearing the engines' make-it-fail";
	return failed;
}

/*
 * A request on a page of a file not in memory while no memory is to be
 * had: every page allocation of the device's engines fails
 * (fail_page_alloc, for the tasks whose make-it-fail is set), as
 * readahead's do when the owner's memory cgroup is at its limit (they
 * give up at once).  The engine's readahead starts nothing; after a few
 * tries the fault, which would reclaim harder, is left to read the page,
 * and fails too: the request ends with the address error instead of
 * waiting until its queue stops.  With memory back, the same request
 * completes with the file's bytes.  Without SVA a request cannot name
 * the page.
 */
static void test_no_memory(struct vzip_dev *d)
{
	static const char *const inject[FPA_NR] = { "100", "1", "-1", "Y" };
	bool sva = d->flags & UACCE_DEV_SVA, same = true, injected = false;
	struct fpa_saved old = { .saved = { false } };
	const char *failed, *restored = NULL;
	struct vzip_cqe cqe, again;
	struct file_case fc;
	int ret, ret2, engines = 0;
	long ms, ms2;
	size_t i;

	if (sva && access(FAIL_PAGE_ALLOC, F_OK)) {
		tap_skip("this kernel has no fail_page_alloc (CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_DEBUG_FS)",
			 "no memory: the setup");
		tap_skip("this kernel has no fail_page_alloc",
			 "no memory: the request");
		return;
	}
	failed = file_case_open(&fc, d, WD_MM_READS_STALL, page_size);
	if (!failed && sva) {
		injected = true;
		engines = engines_make_it_fail(d->pdev, "1");
		if (engines <= 0)
			failed = "setting the engines' make-it-fail";
		else
			failed = fpa_inject(inject, &old);
	}
	if (!tap_ok(!failed, "no memory: the fixture's file, a queue%s%s%s%s",
		    sva ? ", and page allocations failing in the engines" : "",
		    failed ? " (" : "", failed ? failed : "",
		    failed ? " failed)" : "")) {
		tap_ok(false, "no memory: the request: not run");
		goto out;
	}
	ret = copy_once(&fc.q, fc.src, fc.dst, page_size, &cqe, &ms);
	if (!sva) {
		tap_ok(!ret && le16toh(cqe.status) == VZIP_STS_ADDR_ERROR,
		       "no memory: without SVA a request cannot name the file's page: status %u (%s)",
		       le16toh(cqe.status), strerror(-ret));
		goto out;
	}
	restored = no_memory_undo(d->pdev, &old, &injected);
	ret2 = copy_once(&fc.q, fc.src, fc.dst, page_size, &again, &ms2);
	for (i = 0; i < (size_t)page_size; i++)
		same = same && fc.dst[i] == wd_mm_stall_byte(i);
	tap_ok(!ret && le16toh(cqe.status) == VZIP_STS_ADDR_ERROR &&
	       !restored && !ret2 && le16toh(again.status) == VZIP_STS_OK &&
	       same,
	       "no memory: a request on a file's page while its %d engines get no page ends with the address error (status %u in %ld ms; %s); %s, the same request completes with the file's bytes (status %u in %ld ms, same: %s; %s)",
	       engines, le16toh(cqe.status), ms, strerror(-ret),
	       restored ? restored : "memory back", le16toh(again.status),
	       ms2, same ? "yes" : "no", strerror(-ret2));
out:
	no_memory_undo(d->pdev, &old, &injected);
	file_case_close(&fc);
}

static void test_isolation(struct vzip_dev *d)
{
	struct vzip_sqe sqe;
	struct vzip_cqe cqe;
	struct queue q;
	char path[PATH_MAX];
	long isolated = -1;
	int i, ret, status_ok = 0;

	snprintf(path, sizeof(path), "/sys/kernel/debug/vzip/%s/inject_hw_error",
		 d->name);
	if (access(path, W_OK)) {
		for (i = 0; i < 6; i++)
			tap_skip("no vzip inject_hw_error in debugfs", "isolation %d", i);
		return;
	}
	tap_ok(set_attr(d, "isolate_strategy", "65536") == -EINVAL &&
	       set_attr(d, "isolate_strategy", "x") == -EINVAL,
	       "isolate_strategy refuses values past 65535 and non-numbers");

	ret = queue_open(&q, d);
	if (!ret)
		ret = ioctl(q.fd, UACCE_CMD_START_Q) ? -errno : 0;
	if (!ret)
		ret = set_attr(d, "isolate_strategy", "2");
	if (!ret)
		ret = write_file(path, "2");
	for (i = 0; !ret && i < 2; i++) {
		nop_sqe(&sqe, i);
		ret = queue_submit(&q, &sqe, true);
		if (!ret)
			ret = queue_complete(&q, &cqe, 20000);
		if (!ret && le16toh(cqe.status) != VZIP_STS_HW_ERROR)
			ret = -EPROTO;
	}
	tap_ok(ret == 0, "two requests fail with injected hardware errors (%d)", ret);

	/* the broadcast to the queues runs from a work item */
	for (i = 0; i < 200 && !status_ok; i++) {
		status_ok = qstate(&q) == UACCE_QSTATE_DEAD &&
			    qstatus(&q)->reason == UACCE_QREASON_ISOLATED;
		if (!status_ok)
			usleep(10000);
	}
	tap_ok(!attr_long(d, "isolate", &isolated) && isolated == 1,
	       "isolate reads 1 after 2 errors within the hour");
	tap_ok(status_ok, "the queue's status word says DEAD/ISOLATED");
	ret = open_queue(d);
	tap_ok(ret == -EIO, "a new open is EIO (%d)", ret);
	if (ret >= 0)
		close(ret);
	tap_ok(ioctl(q.fd, UACCE_CMD_PUT_Q) == 0 &&
	       ioctl_errno(q.fd, UACCE_CMD_START_Q, NULL) == EIO,
	       "the open queue stops, and cannot start again (EIO)");
	queue_close(&q);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	struct vzip_dev d;
	long avail = 0, val = -1;

	if (argc == 7 && !strcmp(argv[1], WATCH_ARG))
		return watch_main(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]),
				  atoi(argv[5]), argv[6]);
	page_size = sysconf(_SC_PAGESIZE);
	sigaction(SIGBUS, &sa, NULL);
	tap_plan(PLAN);

	if (!tap_ok(find_vzip(&d, NULL) == 0, "a vzip device in " CLASS_DIR))
		return tap_done();
	tap_diag("device %s on %s", d.name, d.pdev);

	test_sysfs(&d, &avail);
	test_queue_basics(&d, avail);
	test_exhaustion(&d, avail);
	test_register_page(&d, avail);
	test_hot_unbind(&d);
	test_slow_argument(&d);
	test_slow_register(&d);
	test_stalled(&d, STALL_LOCKED);
	test_stalled(&d, STALL_READ);
	test_memcg(&d);
	test_failed_read(&d);
	test_no_memory(&d);
	test_isolation(&d);

	/* a rebind gives a fresh, non-isolated device */
	tap_ok(bind_vzip("unbind", d.pdev) == 0 && bind_vzip("bind", d.pdev) == 0 &&
	       find_vzip(&d, d.pdev) == 0 && !attr_long(&d, "isolate", &val) && val == 0,
	       "unbind and bind end the isolation (%s)", d.name);
	return tap_done();
}
