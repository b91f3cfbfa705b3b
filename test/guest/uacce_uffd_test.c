// SPDX-License-Identifier: GPL-2.0
/*
 * The queue framework and the engines against user memory that faults
 * for as long as user space wants, through userfaultfd(2), as syzkaller
 * uses it to hold the kernel inside a user copy:
 *
 *  - an ioctl whose result lands on a missing page blocks in the copy;
 *    meanwhile every other operation on the queue (START_Q, WAKE_Q, PUT_Q,
 *    mmap, munmap, close) completes: no lock is held across a user copy.
 *    Resolving the page lets the ioctl finish with the right result.
 *  - a request whose source is a missing page completes with ADDR_ERROR
 *    after the engine's tries (about 100 ms: a page that waits for I/O in
 *    such a range is there by then): an engine never waits for a
 *    process's fault handler, and does not even ask it, so one process
 *    cannot stall the device for the others.  Once the page is there, the
 *    same request succeeds.
 *
 * Needs CONFIG_USERFAULTFD and a caller allowed to handle kernel faults
 * (root here).  Prints TAP; exits non-zero when a case failed.
 */
#define _GNU_SOURCE
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <sys/syscall.h>

#include "tap.h"
#include "vzip_testlib.h"

static long page;

struct blocked_ioctl {
	int fd;
	unsigned long cmd;
	void *arg;
	int ret;
	int err;
	_Atomic bool done;
};

static void *ioctl_thread(void *p)
{
	struct blocked_ioctl *b = p;

	b->ret = ioctl(b->fd, b->cmd, b->arg);
	b->err = b->ret ? errno : 0;
	atomic_store(&b->done, true);
	return NULL;
}

/* A userfaultfd watching @len bytes at @addr for missing pages; or -1. */
static int uffd_register(void *addr, size_t len)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)addr, .len = len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (uffd < 0) {
		tap_diag("userfaultfd: %s", strerror(errno));
		return -1;
	}
	if (ioctl(uffd, UFFDIO_API, &api) || ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		tap_diag("userfaultfd register: %s", strerror(errno));
		close(uffd);
		return -1;
	}
	return uffd;
}

/* Waits for a page fault event on @uffd; its address, or 0. */
static uint64_t uffd_wait_fault(int uffd, int timeout_ms)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, timeout_ms) != 1 ||
	    read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return 0;
	return msg.arg.pagefault.address;
}

/* Fills the missing page at @addr with @src (one page). */
static int uffd_resolve(int uffd, void *addr, const void *src)
{
	struct uffdio_copy copy = {
		.dst = (uintptr_t)addr & ~(uintptr_t)(page - 1),
		.src = (uintptr_t)src,
		.len = page,
	};

	return ioctl(uffd, UFFDIO_COPY, &copy) ? -errno : 0;
}

static bool wait_done(struct blocked_ioctl *b, int timeout_ms)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!atomic_load(&b->done)) {
		if (vzip_ms_since(&t0) > timeout_ms)
			return false;
		usleep(1000);
	}
	return true;
}

static void test_ioctl_copy(const char *name)
{
	struct uacce_queue_info *info;
	struct blocked_ioctl b = { 0 };
	struct vzip_q q;
	pthread_t thread;
	void *area, *dus, *fill;
	uint64_t at;
	int uffd;

	if (!tap_ok(!vzip_open(&q, name), "open a queue"))
		return;
	area = mmap(NULL, page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill = calloc(1, page);
	uffd = area == MAP_FAILED ? -1 : uffd_register(area, page);
	if (!tap_ok(uffd >= 0 && fill, "userfaultfd watches a missing page"))
		goto out_close;

	info = area;
	b.fd = q.fd;
	b.cmd = UACCE_CMD_QUEUE_INFO;
	b.arg = info;
	if (pthread_create(&thread, NULL, ioctl_thread, &b))
		goto out_uffd;
	at = uffd_wait_fault(uffd, VZIP_TIMEOUT_MS);
	tap_ok(at == (uintptr_t)area && !atomic_load(&b.done),
	       "QUEUE_INFO into the missing page waits in the user copy");

	/* the queue is not locked meanwhile */
	tap_ok(!vzip_start(&q), "START_Q while QUEUE_INFO waits");
	tap_ok(!ioctl(q.fd, UACCE_CMD_WAKE_Q), "WAKE_Q while QUEUE_INFO waits");
	tap_ok(!ioctl(q.fd, UACCE_CMD_PUT_Q), "PUT_Q while QUEUE_INFO waits");
	munmap(q.dus, q.dus_size);
	dus = mmap(NULL, q.dus_size, PROT_READ | PROT_WRITE, MAP_SHARED, q.fd,
		   UACCE_QFRT_DUS * page);
	tap_ok(dus != MAP_FAILED, "munmap and mmap of the rings while QUEUE_INFO waits");
	q.dus = dus == MAP_FAILED ? NULL : dus;
	tap_ok(!atomic_load(&b.done), "QUEUE_INFO still waits");

	/* the last close while the ioctl holds the file */
	vzip_close(&q);
	tap_ok(!atomic_load(&b.done), "close returns while QUEUE_INFO waits");

	tap_ok(!uffd_resolve(uffd, area, fill) && wait_done(&b, VZIP_TIMEOUT_MS) &&
	       b.ret == 0 && info->sqe_size == sizeof(struct vzip_sqe) &&
	       info->region_size[UACCE_QFRT_DUS] == q.dus_size,
	       "once the page is there QUEUE_INFO returns the queue's info (%d, %s)",
	       b.ret, strerror(b.err));
	pthread_join(thread, NULL);
out_uffd:
	close(uffd);
out_close:
	if (area != MAP_FAILED)
		munmap(area, page);
	free(fill);
	vzip_close(&q);
}

static void test_request_source(const char *name)
{
	struct vzip_sqe sqe;
	struct vzip_cqe cqe = { 0 };
	struct uffd_msg msg;
	struct vzip_q q;
	uint8_t *area = MAP_FAILED, *dst = NULL, *fill = NULL;
	struct pollfd pfd;
	int uffd = -1;

	if (!tap_ok(!vzip_open(&q, name) && !vzip_start(&q),
		    "open and start a queue"))
		return;
	if (!q.sva) {
		tap_ok(false, "the device uses SVA (vzip sva=1)");
		goto out;
	}
	area = mmap(NULL, page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = vzip_mem(&q, 2 * page);
	fill = malloc(page);
	if (area != MAP_FAILED)
		uffd = uffd_register(area, page);
	if (!tap_ok(uffd >= 0 && dst && fill,
		    "userfaultfd watches a request's source page"))
		goto out;
	vzip_fill(fill, page, 7);

	sqe = vzip_sqe(&q, VZIP_OP_COMPRESS, VZIP_FMT_RAW, VZIP_FLUSH_FINISH,
		       area, page, dst, 2 * page);
	tap_ok(!vzip_post(&q, &sqe) &&
	       !vzip_reap(&q, &cqe, VZIP_TIMEOUT_MS, true) &&
	       le16toh(cqe.status) == VZIP_STS_ADDR_ERROR,
	       "a missing source page is ADDR_ERROR after the engine's tries, the engine does not wait for the handler (status %u)",
	       le16toh(cqe.status));
	/* poll() is EPOLLERR on a blocking userfaultfd: hence O_NONBLOCK */
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	tap_ok(poll(&pfd, 1, 0) == 0 &&
	       read(uffd, &msg, sizeof(msg)) < 0 && errno == EAGAIN,
	       "the process's fault handler was not asked for the page");
	tap_ok(vzip_stat(name, "pinned_pages") == 0, "no page left pinned");

	tap_ok(!uffd_resolve(uffd, area, fill) &&
	       vzip_status_of(&q, &sqe) == VZIP_STS_OK,
	       "once the page is there the same request succeeds");
out:
	if (uffd >= 0)
		close(uffd);
	if (area != MAP_FAILED)
		munmap(area, page);
	free(fill);
	vzip_close(&q);
}

int main(void)
{
	char name[NAME_MAX + 1];

	page = sysconf(_SC_PAGESIZE);
	if (!tap_ok(!vzip_find_device(name, sizeof(name)), "a vzip device"))
		return tap_done();
	test_ioctl_copy(name);
	test_request_source(name);
	return tap_done();
}
