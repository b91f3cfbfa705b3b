// SPDX-License-Identifier: GPL-2.0
/*
 * Stand-ins for lib/ring.c and lib/device.c, for lib_stubdev_test: a
 * "device" of each class whose queues always open and never complete a
 * request, so that the rest of the library (its queue, shared-queue,
 * session, stream and fork code, unchanged) runs on a host without one.
 * A queue's file is a memfd named "wd-stub-queue", closed as ring.c
 * closes a queue's: at close, and in a forked child.
 *
 *   stub_sva        the queues have SVA; else a 1 MiB SS region, made
 *                   MADV_DONTFORK as uacce's VM_DONTCOPY mapping is (a
 *                   forked child does not have it)
 *   stub_slow       wd_device_pick() of this class (the sysfs scan)
 *                   sleeps stub_slow_ms first, to open a window
 *   stub_vzip_name  the vzip device's name: "vzip-0" if NULL
 *   stub_open_us    a queue's open sleeps this long after the file's
 *                   (as ring.c's ioctl() and mmap()s take time)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
#include "mem.h"
#include "queue_priv.h"
#include "lib_stubdev.h"

bool stub_sva;
const struct wd_ring_proto *stub_slow;
int stub_slow_ms;
const char *stub_vzip_name;
int stub_open_us;

int wd_device_pick(const struct wd_ring_proto *proto,
		   const struct wd_queue_params *params,
		   struct wd_device *out, int max, enum wd_reason *why)
{
	if (proto == stub_slow && stub_slow_ms) {
		struct timespec ts = {
			.tv_sec = stub_slow_ms / 1000,
			.tv_nsec = (long)(stub_slow_ms % 1000) * 1000000,
		};

		nanosleep(&ts, NULL);
	}
	memset(out, 0, sizeof(*out));
	strcpy(out[0].name, proto == &wd_vcrypt_ring ? "vcrypt-0" :
			    stub_vzip_name ? stub_vzip_name : "vzip-0");
	*why = WD_REASON_NONE;
	return 1;
}

int wd_device_scan(struct wd_device *devs, int max)
{
	return 0;
}

int wd_device_select(const char *api, const char *want,
		     struct wd_device *out, int max, enum wd_reason *why)
{
	return 0;
}

bool wd_device_denied(const char *api)
{
	return false;
}

WD_EXPORT int wd_devices(struct wd_device *devs, int max)
{
	return 0;
}

int wd_ring_open(struct wd_queue *q, const char *name)
{
	q->gen = atomic_load(&wd_fork_gen);
	q->fd = memfd_create("wd-stub-queue", MFD_CLOEXEC);
	if (q->fd < 0)
		return -errno;
	if (stub_open_us) {
		struct timespec ts = { 0, stub_open_us * 1000L };

		nanosleep(&ts, NULL);
	}
	q->sva = stub_sva;
	if (!stub_sva) {
		q->ss_size = 1 << 20;
		q->ss = mmap(NULL, q->ss_size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q->ss == MAP_FAILED) {
			q->ss = NULL;
			close(q->fd);
			return -ENOMEM;
		}
		madvise(q->ss, q->ss_size, MADV_DONTFORK);
		q->mem = wd_mem_create(q->ss, q->ss_size);
		if (!q->mem) {
			munmap(q->ss, q->ss_size);
			close(q->fd);
			return -ENOMEM;
		}
	}
	strncpy(q->info.device, name, sizeof(q->info.device) - 1);
	q->info.ring_depth = 16;
	q->info.ctx_size = 256;
	q->info.caps = VCRYPT_CAP_STREAM;
	q->info.max_len = 1 << 20;
	pthread_mutex_init(&q->sq_lock, NULL);
	pthread_mutex_init(&q->cq_lock, NULL);
	/* as ring.c: the SIGBUS guard watches the queue's mappings */
	wd_guard_add(q);
	return 0;
}

void wd_ring_close(struct wd_queue *q)
{
	wd_guard_remove(q);
	/* the child's copy has no mapping: the parent's to unmap */
	if (q->ss && !wd_queue_stale(q)) {
		wd_mem_destroy(q->mem);
		munmap(q->ss, q->ss_size);
	}
	if (!wd_queue_stale(q))
		close(q->fd);
	q->fd = -1;
}

void wd_ring_forked(struct wd_queue *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	pthread_mutex_init(&q->sq_lock, NULL);
	pthread_mutex_init(&q->cq_lock, NULL);
}

uint32_t wd_ring_reg(const struct wd_queue *q, unsigned int off)
{
	return off == q->proto->slots_reg ? 8 : ~0u;
}

WD_EXPORT int wd_queue_check(const struct wd_queue *q)
{
	return wd_queue_stale(q) ? -ECHILD : 0;
}

int wd_queue_submit_ptrs(struct wd_queue *q, const void *const *sqes,
			 unsigned int n, struct wd_counters *cnt)
{
	return -ENODEV;
}

int wd_ring_reap(struct wd_queue *q, union wd_cqe *cqes, unsigned int max)
{
	return 0;
}

bool wd_ring_ready(struct wd_queue *q)
{
	return false;
}

int wd_queue_wait_counted(struct wd_queue *q, int timeout_ms,
			  struct wd_counters *cnt)
{
	return -ENODEV;
}

WD_EXPORT uint64_t wd_queue_addr(const struct wd_queue *q, const void *p,
				 size_t len)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)q->ss;

	if (q->sva)
		return a;
	return a >= b && a - b + len <= q->ss_size ? 0x100000 + (a - b) : 0;
}

/* the rest of ring.c's exports: so that the archive's ring.o is not used */
WD_EXPORT void wd_queue_get_info(const struct wd_queue *q,
				 struct wd_queue_info *info)
{
	*info = q->info;
}

WD_EXPORT int wd_queue_fd(const struct wd_queue *q)
{
	return q->fd;
}

WD_EXPORT unsigned int wd_queue_inflight(const struct wd_queue *q)
{
	return 0;
}

WD_EXPORT int wd_queue_submit(struct wd_queue *q, const struct vzip_sqe *sqes,
			      unsigned int n)
{
	return -ENODEV;
}

WD_EXPORT int wd_queue_reap(struct wd_queue *q, struct vzip_cqe *cqes,
			    unsigned int max)
{
	return 0;
}

WD_EXPORT int wd_queue_wait(struct wd_queue *q, int timeout_ms)
{
	return -ENODEV;
}

WD_EXPORT void *wd_queue_ss(const struct wd_queue *q, size_t *size)
{
	if (size)
		*size = q->ss_size;
	return q->ss;
}
