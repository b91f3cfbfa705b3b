/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the vzip guest tests (test/guest/vzip_*_test.c): the raw
 * device protocol of Documentation/vzip.rst, as an application speaks it
 * without libwarpdrive: find a vzip device, open and map a queue, place
 * data where the device can reach it (process memory with SVA, the static
 * shared region without), submit with the doorbell protocol, reap.
 *
 * Single-threaded per struct vzip_q; the tests that use threads give each
 * its own queue.  Define _GNU_SOURCE before including.
 */
#ifndef VZIP_TESTLIB_H
#define VZIP_TESTLIB_H

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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

#include <misc/uacce/uacce.h>
#include <misc/uacce/vzip.h>

#define VZIP_CLASS_DIR		"/sys/class/uacce"
#define VZIP_DEBUGFS_DIR	"/sys/kernel/debug/vzip"
#define VZIP_TIMEOUT_MS		60000
#define VZIP_MAX_ALLOCS		64

/**
 * struct vzip_q - a queue as the application sees it
 * @fd: the queue file
 * @name: uacce device name, vzip-<id>
 * @info: UACCE_CMD_QUEUE_INFO
 * @regs: the register page
 * @dus: the DUS region
 * @dus_size: its size
 * @sq: the submission ring
 * @cq: the completion ring
 * @depth: entries per ring
 * @sq_tail: the application's copy of sq_tail
 * @cq_head: the application's copy of cq_head
 * @sva: descriptors carry virtual addresses
 * @ss: the SS region without SVA, else NULL
 * @ss_dma: its device address
 * @ss_size: its size
 * @ss_used: bytes handed out by vzip_mem()
 * @allocs: memory handed out by vzip_mem() with SVA
 * @nr_allocs: entries in @allocs
 * @wakes: UACCE_CMD_WAKE_Q calls made
 */
struct vzip_q {
	int fd;
	char name[NAME_MAX + 1];
	struct uacce_queue_info info;
	const volatile uint32_t *regs;
	uint8_t *dus;
	size_t dus_size;
	struct vzip_sqe *sq;
	struct vzip_cqe *cq;
	uint32_t depth;
	uint32_t sq_tail;
	uint32_t cq_head;
	bool sva;
	uint8_t *ss;
	uint64_t ss_dma;
	size_t ss_size;
	size_t ss_used;
	void *allocs[VZIP_MAX_ALLOCS];
	int nr_allocs;
	unsigned long wakes;
};

static inline int vzip_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	n = n < 0 ? -errno : n;
	close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	return 0;
}

static inline int vzip_write_file(const char *path, const char *text)
{
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

/*
 * The first uacce device in sysfs (by name) whose name starts with
 * @prefix and whose api is @api: vzip's, or another class's on the same
 * ring protocol (vcrypt_testlib.h); 0 or -ENODEV.
 */
static inline int vzip_find_api(const char *prefix, const char *api_want,
				char *name, size_t size)
{
	struct dirent *de;
	char path[PATH_MAX], api[64], want[64];
	DIR *dir = opendir(VZIP_CLASS_DIR);
	int ret = -ENODEV;

	if (!dir)
		return ret;
	snprintf(want, sizeof(want), "%s\n", api_want);
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/api",
			 de->d_name);
		if (vzip_read_file(path, api, sizeof(api)) ||
		    strcmp(api, want))
			continue;
		if (ret && strlen(de->d_name) < size) {
			strcpy(name, de->d_name);
			ret = 0;
		} else if (!ret && strcmp(de->d_name, name) < 0) {
			strcpy(name, de->d_name);
		}
	}
	closedir(dir);
	return ret;
}

/* The first vzip device in sysfs (by name); 0 or -ENODEV. */
static inline int vzip_find_device(char *name, size_t size)
{
	return vzip_find_api("vzip-", VZIP_API_VERSION, name, size);
}

/* A counter of <@debugfs>/<name>/stats (e.g. VZIP_DEBUGFS_DIR), or -1. */
static inline long long vzip_stat_in(const char *debugfs, const char *name,
				     const char *key)
{
	char path[PATH_MAX], buf[8192], *p;
	size_t len = strlen(key);

	snprintf(path, sizeof(path), "%s/%s/stats", debugfs, name);
	if (vzip_read_file(path, buf, sizeof(buf)))
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, len) && p[len] == ' ')
			return atoll(p + len + 1);
	return -1;
}

/* A counter of /sys/kernel/debug/vzip/<name>/stats, or -1. */
static inline long long vzip_stat(const char *name, const char *key)
{
	return vzip_stat_in(VZIP_DEBUGFS_DIR, name, key);
}

static inline uint32_t vzip_reg(const struct vzip_q *q, unsigned int offset)
{
	return le32toh(q->regs[offset / 4]);
}

static inline _Atomic uint32_t *vzip_ctrl(const struct vzip_q *q,
					  unsigned int offset)
{
	return (_Atomic uint32_t *)(q->dus + offset);
}

/* Opens a queue of device @name and maps its regions; 0 or -errno. */
static inline int vzip_open(struct vzip_q *q, const char *name)
{
	long page = sysconf(_SC_PAGESIZE);
	char path[PATH_MAX];
	void *p;

	memset(q, 0, sizeof(*q));
	snprintf(q->name, sizeof(q->name), "%s", name);
	snprintf(path, sizeof(path), "/dev/%s", name);
	q->fd = open(path, O_RDWR | O_CLOEXEC);
	if (q->fd < 0)
		return -errno;
	if (ioctl(q->fd, UACCE_CMD_QUEUE_INFO, &q->info))
		goto fail;
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, q->fd,
		 UACCE_QFRT_MMIO * page);
	if (p == MAP_FAILED)
		goto fail;
	q->regs = p;
	q->dus_size = q->info.region_size[UACCE_QFRT_DUS];
	p = mmap(NULL, q->dus_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 q->fd, UACCE_QFRT_DUS * page);
	if (p == MAP_FAILED)
		goto fail;
	q->dus = p;
	q->sva = q->info.flags & UACCE_DEV_SVA;
	if (!q->sva) {
		struct uacce_ss_info ss;

		q->ss_size = q->info.region_size[UACCE_QFRT_SS];
		p = mmap(NULL, q->ss_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 q->fd, UACCE_QFRT_SS * page);
		if (p == MAP_FAILED)
			goto fail;
		q->ss = p;
		if (ioctl(q->fd, UACCE_CMD_GET_SS, &ss))
			goto fail;
		q->ss_dma = ss.dma_addr;
	}
	q->depth = vzip_reg(q, VZIP_REG_RING_DEPTH);
	q->sq = (void *)(q->dus + vzip_reg(q, VZIP_REG_SQ_OFFSET));
	q->cq = (void *)(q->dus + vzip_reg(q, VZIP_REG_CQ_OFFSET));
	return 0;
fail:
	{
		int err = -errno;

		if (q->ss)
			munmap(q->ss, q->ss_size);
		if (q->dus)
			munmap(q->dus, q->dus_size);
		if (q->regs)
			munmap((void *)q->regs, page);
		close(q->fd);
		q->fd = -1;
		return err;
	}
}

static inline void vzip_mem_reset(struct vzip_q *q)
{
	while (q->nr_allocs)
		free(q->allocs[--q->nr_allocs]);
	q->ss_used = 0;
}

static inline void vzip_close(struct vzip_q *q)
{
	vzip_mem_reset(q);
	if (q->fd < 0)
		return;
	if (q->ss)
		munmap(q->ss, q->ss_size);
	munmap(q->dus, q->dus_size);
	munmap((void *)q->regs, sysconf(_SC_PAGESIZE));
	close(q->fd);
	q->fd = -1;
}

static inline int vzip_start(struct vzip_q *q)
{
	return ioctl(q->fd, UACCE_CMD_START_Q) ? -errno : 0;
}

/*
 * @len bytes, 64-byte aligned, that the device can reach: process memory
 * with SVA, the SS region without; valid until vzip_mem_reset().
 */
static inline void *vzip_mem(struct vzip_q *q, size_t len)
{
	size_t size = (len + 63) & ~(size_t)63;
	void *p;

	if (!size)
		size = 64;
	if (q->sva) {
		if (q->nr_allocs == VZIP_MAX_ALLOCS)
			return NULL;
		p = aligned_alloc(64, size);
		if (p)
			q->allocs[q->nr_allocs++] = p;
		return p;
	}
	if (size > q->ss_size - q->ss_used)
		return NULL;
	p = q->ss + q->ss_used;
	q->ss_used += size;
	return p;
}

/* The address of @p for a descriptor. */
static inline uint64_t vzip_addr(const struct vzip_q *q, const void *p)
{
	if (q->sva || !p)
		return (uintptr_t)p;
	return q->ss_dma + ((const uint8_t *)p - q->ss);
}

static inline struct vzip_sqe vzip_sqe(const struct vzip_q *q, uint8_t opcode,
				       uint8_t format, uint8_t flush,
				       const void *src, uint32_t src_len,
				       void *dst, uint32_t dst_len)
{
	struct vzip_sqe sqe = {
		.opcode = opcode,
		.format = format,
		.flush = flush,
		.version = VZIP_SQE_VERSION,
		.src = htole64(vzip_addr(q, src)),
		.dst = htole64(vzip_addr(q, dst)),
		.src_len = htole32(src_len),
		.dst_len = htole32(dst_len),
	};

	return sqe;
}

/* Requests in flight. */
static inline uint32_t vzip_inflight(const struct vzip_q *q)
{
	return q->sq_tail - q->cq_head;
}

/* Writes a request into the SQ without publishing it yet. */
static inline void vzip_queue(struct vzip_q *q, const struct vzip_sqe *sqe)
{
	q->sq[q->sq_tail & (q->depth - 1)] = *sqe;
	q->sq_tail++;
}

/* vzip_queue() of a device whose SQEs are @sqe_size bytes (vcrypt's) */
static inline void vzip_queue_raw(struct vzip_q *q, const void *sqe,
				  size_t sqe_size)
{
	memcpy((uint8_t *)(void *)q->sq +
	       (size_t)(q->sq_tail & (q->depth - 1)) * sqe_size, sqe, sqe_size);
	q->sq_tail++;
}

/*
 * Publishes the requests written so far: store-release of sq_tail, full
 * barrier, and the doorbell only if the device announced it is going to
 * sleep.  The caller keeps at most depth requests in flight.
 */
static inline int vzip_submit(struct vzip_q *q)
{
	atomic_store_explicit(vzip_ctrl(q, VZIP_CTRL_SQ_TAIL),
			      htole32(q->sq_tail), memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
	if (le32toh(atomic_load_explicit(vzip_ctrl(q, VZIP_CTRL_DEV_FLAGS),
					 memory_order_relaxed)) &
	    VZIP_DEV_F_NEED_WAKEUP) {
		q->wakes++;
		if (ioctl(q->fd, UACCE_CMD_WAKE_Q))
			return -errno;
	}
	return 0;
}

/* Submits one request. */
static inline int vzip_post(struct vzip_q *q, const struct vzip_sqe *sqe)
{
	vzip_queue(q, sqe);
	return vzip_submit(q);
}

static inline long vzip_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Takes the next completion of @cqe_size bytes (vzip's, or another class's
 * on the same ring protocol), polling the ring (or sleeping in poll() if
 * @use_poll); 0, or -ETIMEDOUT after @timeout_ms.
 */
static inline int vzip_reap_raw(struct vzip_q *q, void *cqe, size_t cqe_size,
				long timeout_ms, bool use_poll)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		uint32_t tail = le32toh(atomic_load_explicit(
					vzip_ctrl(q, VZIP_CTRL_CQ_TAIL),
					memory_order_acquire));
		long left;

		if (tail != q->cq_head) {
			memcpy(cqe, (uint8_t *)q->cq +
			       (size_t)(q->cq_head & (q->depth - 1)) * cqe_size,
			       cqe_size);
			q->cq_head++;
			atomic_store_explicit(vzip_ctrl(q, VZIP_CTRL_CQ_HEAD),
					      htole32(q->cq_head),
					      memory_order_release);
			return 0;
		}
		left = timeout_ms - vzip_ms_since(&t0);
		if (left <= 0)
			return -ETIMEDOUT;
		if (use_poll) {
			struct pollfd pfd = { .fd = q->fd, .events = POLLIN };

			poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		} else {
			sched_yield();
		}
	}
}

/*
 * Takes the next completion, polling the ring (or sleeping in poll() if
 * @use_poll); 0, or -ETIMEDOUT after @timeout_ms.
 */
static inline int vzip_reap(struct vzip_q *q, struct vzip_cqe *cqe,
			    long timeout_ms, bool use_poll)
{
	return vzip_reap_raw(q, cqe, sizeof(*cqe), timeout_ms, use_poll);
}

/*
 * Submits one request of @sqe_size bytes and waits for its completion
 * (@cqe_size bytes); 0 or -errno.
 */
static inline int vzip_exec_raw(struct vzip_q *q, const void *sqe,
				size_t sqe_size, void *cqe, size_t cqe_size)
{
	int ret;

	vzip_queue_raw(q, sqe, sqe_size);
	ret = vzip_submit(q);
	return ret ? ret : vzip_reap_raw(q, cqe, cqe_size, VZIP_TIMEOUT_MS,
					 false);
}

static inline int vzip_exec(struct vzip_q *q, const struct vzip_sqe *sqe,
			    struct vzip_cqe *cqe)
{
	return vzip_exec_raw(q, sqe, sizeof(*sqe), cqe, sizeof(*cqe));
}

/* The status of a request executed alone, or 0xffff if it did not complete. */
static inline unsigned int vzip_status_of(struct vzip_q *q,
					  const struct vzip_sqe *sqe)
{
	struct vzip_cqe cqe;

	if (vzip_exec(q, sqe, &cqe))
		return 0xffff;
	return le16toh(cqe.status);
}

/* Deterministic data that compresses, but not trivially. */
static inline void vzip_fill(uint8_t *buf, size_t len, uint32_t seed)
{
	static const char *const words[] = {
		"warp ", "drive ", "vzip ", "deflate ", "queue ", "ring ",
		"engine ", "zlib\n",
	};
	uint32_t x = seed * 2654435761U + 1;
	size_t i = 0;

	while (i < len) {
		const char *w;
		size_t n;

		x = x * 1103515245 + 12345;
		if ((x >> 16) % 5 == 0) {
			buf[i++] = x >> 24;
			continue;
		}
		w = words[(x >> 20) % 8];
		n = strlen(w);
		if (n > len - i)
			n = len - i;
		memcpy(buf + i, w, n);
		i += n;
	}
}

/* Incompressible data. */
static inline void vzip_fill_random(uint8_t *buf, size_t len, uint32_t seed)
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

#endif /* VZIP_TESTLIB_H */
