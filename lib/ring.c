// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive ring layer: a queue's device side, for every device class
 * (struct wd_ring_proto: vzip, vcrypt).  Open its file, map and check its
 * regions, start and stop it, and move descriptors through its rings with
 * the barrier and wake-up protocol of Documentation/vzip.rst, which
 * vcrypt shares (<misc/uacce/wd_ring.h>):
 *
 *   submit: write SQEs; store-release sq_tail; full barrier; if the
 *           device set WD_RING_DEV_F_NEED_WAKEUP, UACCE_CMD_WAKE_Q.
 *   reap:   load-acquire cq_tail; read CQEs; store-release cq_head.
 *
 * At most ring_depth requests are in flight (submitted, not yet reaped),
 * so the completion ring can never overflow.
 *
 * This layer owns the file, the regions, the allocator of the static
 * shared region and the ring locks (sq_lock, cq_lock).  queue.c above it
 * owns the queue object: its references, its in-flight table and fork.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guard.h"
#include "internal.h"
#include "mem.h"
#include "queue_priv.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "descriptors are little endian; this library stores them natively"
#endif

/*
 * The registers every class has at the same offsets (vcrypt.c checks its
 * own against these): ring.c reads them by vzip's names.
 */
static uint32_t reg(const struct wd_queue *q, unsigned int off)
{
	return __atomic_load_n((const uint32_t *)((const char *)q->mmio + off),
			       __ATOMIC_RELAXED);
}

static int status_errno(uint32_t state, uint32_t reason)
{
	if (state == UACCE_QSTATE_OK)
		return 0;
	if (state == UACCE_QSTATE_STOPPED)
		return -ECANCELED;
	return reason == UACCE_QREASON_HW_ERROR ? -EIO : -ENODEV;
}

WD_EXPORT int wd_queue_check(const struct wd_queue *q)
{
	uint32_t state;

	if (wd_queue_stale(q))
		return -ECHILD;
	if (atomic_load_explicit(&q->revoked, memory_order_relaxed))
		return -ENODEV;
	/* state is written last by the kernel: read it first, with acquire */
	state = __atomic_load_n(&q->status->state, __ATOMIC_ACQUIRE);

	if (state == UACCE_QSTATE_OK)
		return 0;
	return status_errno(state, __atomic_load_n(&q->status->reason,
						   __ATOMIC_RELAXED));
}

static void *map_region(int fd, enum uacce_qfrt type, size_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_SHARED, fd,
		       (off_t)type * sysconf(_SC_PAGESIZE));

	return p == MAP_FAILED ? NULL : p;
}

static void queue_unmap(struct wd_queue *q)
{
	wd_guard_remove(q);
	if (q->ss)
		munmap(q->ss, q->ss_size);
	if (q->dus)
		munmap(q->dus, q->dus_size);
	if (q->mmio)
		munmap(q->mmio, q->mmio_size);
}

uint32_t wd_ring_reg(const struct wd_queue *q, unsigned int off)
{
	return reg(q, off);
}

/* Checks the register page against what this library speaks. */
static int queue_check_regs(struct wd_queue *q,
			    const struct uacce_queue_info *ui)
{
	const struct wd_ring_proto *p = q->proto;
	uint32_t depth, sq_off, cq_off;

	if (q->mmio_size < p->regs_size)
		return -EPROTO;
	depth = reg(q, VZIP_REG_RING_DEPTH);
	sq_off = reg(q, VZIP_REG_SQ_OFFSET);
	cq_off = reg(q, VZIP_REG_CQ_OFFSET);
	if (reg(q, VZIP_REG_MAGIC) != p->magic ||
	    reg(q, VZIP_REG_VERSION) != p->version ||
	    reg(q, VZIP_REG_SQE_SIZE) != p->sqe_size ||
	    reg(q, VZIP_REG_CQE_SIZE) != p->cqe_size ||
	    !depth || (depth & (depth - 1)) || depth != ui->ring_depth)
		return -EPROTO;
	if ((uint64_t)sq_off + (uint64_t)depth * p->sqe_size > q->dus_size ||
	    (uint64_t)cq_off + (uint64_t)depth * p->cqe_size > q->dus_size ||
	    sq_off % VZIP_RING_ALIGN || cq_off % VZIP_RING_ALIGN ||
	    sq_off < VZIP_CTRL_SIZE || cq_off < VZIP_CTRL_SIZE ||
	    (uint64_t)ui->status_offset + sizeof(struct uacce_queue_status) >
	    q->dus_size)
		return -EPROTO;
	q->mask = depth - 1;
	q->sq = (unsigned char *)q->dus + sq_off;
	q->cq = (const unsigned char *)q->dus + cq_off;
	q->sq_tail = (uint32_t *)((char *)q->dus + VZIP_CTRL_SQ_TAIL);
	q->cq_tail = (const uint32_t *)((char *)q->dus + VZIP_CTRL_CQ_TAIL);
	q->cq_head = (uint32_t *)((char *)q->dus + VZIP_CTRL_CQ_HEAD);
	q->dev_flags = (const uint32_t *)((char *)q->dus +
					  VZIP_CTRL_DEV_FLAGS);
	q->status = (const struct uacce_queue_status *)
		    ((char *)q->dus + ui->status_offset);
	q->status_offset = ui->status_offset;
	return 0;
}

int wd_ring_open(struct wd_queue *q, const char *name)
{
	struct uacce_queue_info ui;
	struct uacce_ss_info ss;
	char path[WD_NAME_MAX + 8];
	int ret;

	q->gen = atomic_load(&wd_fork_gen);
	snprintf(path, sizeof(path), "/dev/%.*s", WD_NAME_MAX - 1, name);
	q->fd = open(path, O_RDWR | O_CLOEXEC);
	if (q->fd < 0)
		return -errno;
	if (ioctl(q->fd, UACCE_CMD_QUEUE_INFO, &ui)) {
		ret = -errno;
		goto close_fd;
	}
	q->sva = ui.flags & UACCE_DEV_SVA;
	q->mmio_size = ui.region_size[UACCE_QFRT_MMIO];
	q->dus_size = ui.region_size[UACCE_QFRT_DUS];
	ret = -EPROTO;
	if (!q->mmio_size || !q->dus_size ||
	    ui.sqe_size != q->proto->sqe_size ||
	    ui.cqe_size != q->proto->cqe_size ||
	    q->proto->sqe_size > sizeof(union wd_sqe) ||
	    q->proto->cqe_size != sizeof(union wd_cqe))
		goto close_fd;
	q->mmio = map_region(q->fd, UACCE_QFRT_MMIO, q->mmio_size, PROT_READ);
	q->dus = map_region(q->fd, UACCE_QFRT_DUS, q->dus_size,
			    PROT_READ | PROT_WRITE);
	if (!q->mmio || !q->dus) {
		ret = -errno;
		goto unmap;
	}
	if (!q->sva) {
		/* without SVA, data can only travel through the SS region */
		q->ss_size = ui.region_size[UACCE_QFRT_SS];
		ret = -EPROTO;
		if (!q->ss_size)
			goto unmap;
		q->ss = map_region(q->fd, UACCE_QFRT_SS, q->ss_size,
				   PROT_READ | PROT_WRITE);
		if (!q->ss || ioctl(q->fd, UACCE_CMD_GET_SS, &ss)) {
			ret = -errno;
			goto unmap;
		}
		q->ss_dma = ss.dma_addr;
	}
	q->status_offset = ui.status_offset;
	wd_guard_add(q);
	ret = queue_check_regs(q, &ui);
	if (ret)
		goto unmap;
	if (q->ss) {
		q->mem = wd_mem_create(q->ss, WD_MIN(q->ss_size, ss.size));
		if (!q->mem) {
			ret = -ENOMEM;
			goto unmap;
		}
	}
	if (ioctl(q->fd, UACCE_CMD_START_Q)) {
		ret = -errno;
		goto free_mem;
	}

	snprintf(q->info.device, sizeof(q->info.device), "%.*s",
		 WD_NAME_MAX - 1, name);
	q->info.dev_id = (int)ui.dev_id;
	q->info.qid = (int)ui.qid;
	q->info.node = ui.node;
	q->info.flags = ui.flags;
	q->info.ring_depth = ui.ring_depth;
	q->info.ctx_size = reg(q, VZIP_REG_CTX_SIZE);
	q->info.max_len = reg(q, VZIP_REG_MAX_LEN);
	q->info.caps = reg(q, VZIP_REG_CAPS);
	q->info.ss_size = q->ss_size;
	q->sq_next = __atomic_load_n(q->sq_tail, __ATOMIC_RELAXED);
	atomic_init(&q->cq_next, __atomic_load_n(q->cq_head, __ATOMIC_RELAXED));
	pthread_mutex_init(&q->sq_lock, NULL);
	pthread_mutex_init(&q->cq_lock, NULL);
	return 0;

free_mem:
	wd_mem_destroy(q->mem);
	q->mem = NULL;
unmap:
	queue_unmap(q);
close_fd:
	close(q->fd);
	q->fd = -1;
	return ret;
}

void wd_ring_close(struct wd_queue *q)
{
	/* in a forked child the regions are not mapped, the file is closed */
	if (!wd_queue_stale(q)) {
		/* stop first: the device aborts what is in flight */
		ioctl(q->fd, UACCE_CMD_PUT_Q);
		queue_unmap(q);
		close(q->fd);
	}
	q->fd = -1;
	pthread_mutex_destroy(&q->sq_lock);
	pthread_mutex_destroy(&q->cq_lock);
	wd_mem_destroy(q->mem);
	q->mem = NULL;
}

/*
 * In a forked child: the parent's regions are not mapped here
 * (VM_DONTCOPY) and must never be touched; closing our copy of the
 * descriptor lets the parent's queue go when the parent closes it.  The
 * ring locks may have been held by threads that do not exist here: they
 * start unlocked.
 */
void wd_ring_forked(struct wd_queue *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	pthread_mutex_init(&q->sq_lock, NULL);
	pthread_mutex_init(&q->cq_lock, NULL);
}

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
	return __atomic_load_n(&q->sq_next, __ATOMIC_RELAXED) -
	       atomic_load_explicit(&q->cq_next, memory_order_relaxed);
}

int wd_queue_submit_ptrs(struct wd_queue *q, const void *const *sqes,
			 unsigned int n, struct wd_counters *cnt)
{
	uint32_t inflight, space;
	int ret = wd_queue_check(q);

	if (ret)
		return ret;
	pthread_mutex_lock(&q->sq_lock);
	inflight = q->sq_next - atomic_load_explicit(&q->cq_next,
						     memory_order_acquire);
	space = q->info.ring_depth - inflight;
	if (n > space)
		n = space;
	if (!n)
		goto unlock;
	for (unsigned int i = 0; i < n; i++)
		memcpy(q->sq + (size_t)((q->sq_next + i) & q->mask) *
		       q->proto->sqe_size, sqes[i], q->proto->sqe_size);
	q->sq_next += n;
	__atomic_store_n(q->sq_tail, q->sq_next, __ATOMIC_RELEASE);
	/*
	 * The device sets NEED_WAKEUP and then re-reads sq_tail before it
	 * sleeps; with a full barrier between our store and our load, one of
	 * the two sides always sees the other's write: no lost wake-up.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(q->dev_flags, __ATOMIC_RELAXED) &
	    WD_RING_DEV_F_NEED_WAKEUP) {
		ioctl(q->fd, UACCE_CMD_WAKE_Q);
		wd_count_wakeup(cnt);
	}
unlock:
	pthread_mutex_unlock(&q->sq_lock);
	return (int)n;
}

WD_EXPORT int wd_queue_submit(struct wd_queue *q, const struct vzip_sqe *sqes,
			      unsigned int n)
{
	const void *ptrs[32];
	unsigned int done = 0;

	/* the public queue API is vzip's */
	if (!q || (n && !sqes) || q->proto != &wd_vzip_ring)
		return -EINVAL;
	while (done < n) {
		unsigned int k = WD_MIN(n - done, WD_ARRAY_SIZE(ptrs));
		int ret;

		for (unsigned int i = 0; i < k; i++)
			ptrs[i] = &sqes[done + i];
		ret = wd_queue_submit_ptrs(q, ptrs, k, NULL);
		if (ret < 0)
			return done ? (int)done : ret;
		done += (unsigned int)ret;
		if ((unsigned int)ret < k)
			break;
	}
	return (int)done;
}

bool wd_ring_ready(struct wd_queue *q)
{
	/*
	 * A stale @cq_next (another thread is reaping) only makes the answer
	 * yes, and wd_ring_reap() reads both again under @cq_lock.
	 */
	return __atomic_load_n(q->cq_tail, __ATOMIC_ACQUIRE) !=
	       atomic_load_explicit(&q->cq_next, memory_order_acquire);
}

int wd_ring_reap(struct wd_queue *q, union wd_cqe *cqes, unsigned int max)
{
	uint32_t head, tail, n;

	if (wd_queue_stale(q))
		return -ECHILD;
	/*
	 * Nothing published: say so without the lock.  A spinning waiter
	 * looks here thousands of times per completion.
	 */
	if (!wd_ring_ready(q))
		return 0;
	pthread_mutex_lock(&q->cq_lock);
	head = atomic_load_explicit(&q->cq_next, memory_order_relaxed);
	tail = __atomic_load_n(q->cq_tail, __ATOMIC_ACQUIRE);
	n = tail - head;
	if (n > q->info.ring_depth) {
		/* the device published more than can be in flight */
		pthread_mutex_unlock(&q->cq_lock);
		return -EIO;
	}
	if (n > max)
		n = max;
	for (uint32_t i = 0; i < n; i++)
		memcpy(&cqes[i], q->cq + (size_t)((head + i) & q->mask) *
		       sizeof(cqes[i]), sizeof(cqes[i]));
	if (n) {
		atomic_store_explicit(&q->cq_next, head + n,
				      memory_order_release);
		__atomic_store_n(q->cq_head, head + n, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&q->cq_lock);
	return (int)n;
}

WD_EXPORT int wd_queue_reap(struct wd_queue *q, struct vzip_cqe *cqes,
			    unsigned int max)
{
	union wd_cqe buf[32];
	unsigned int got = 0;

	if (!q || (max && !cqes) || q->proto != &wd_vzip_ring)
		return -EINVAL;
	while (got < max) {
		int n = wd_ring_reap(q, buf, WD_MIN(max - got,
						    WD_ARRAY_SIZE(buf)));

		if (n < 0)
			return got ? (int)got : n;
		for (int i = 0; i < n; i++)
			cqes[got + i] = buf[i].zip;
		got += (unsigned int)n;
		if (!n || (unsigned int)n < WD_ARRAY_SIZE(buf))
			break;
	}
	return (int)got;
}

int wd_queue_wait_counted(struct wd_queue *q, int timeout_ms,
			  struct wd_counters *cnt)
{
	struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
	int ret = wd_queue_check(q);

	if (ret)
		return ret;
	/* completions already waiting: no need to ask the kernel */
	if (wd_ring_ready(q))
		return 0;
	wd_count_sleep(cnt);
	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
		ret = wd_queue_check(q);
		return ret ? ret : -ENODEV;
	}
	return ret ? 0 : -ETIMEDOUT;
}

WD_EXPORT int wd_queue_wait(struct wd_queue *q, int timeout_ms)
{
	return wd_queue_wait_counted(q, timeout_ms, NULL);
}

WD_EXPORT uint64_t wd_queue_addr(const struct wd_queue *q, const void *p,
				 size_t len)
{
	uintptr_t a = (uintptr_t)p, base = (uintptr_t)q->ss;

	if (q->sva)
		return a;
	if (!q->ss || a < base || len > q->ss_size ||
	    a - base > q->ss_size - len)
		return 0;
	return q->ss_dma + (a - base);
}

WD_EXPORT void *wd_queue_ss(const struct wd_queue *q, size_t *size)
{
	if (size)
		*size = q->ss_size;
	return q->ss;
}
