// SPDX-License-Identifier: GPL-2.0
/*
 * uacce's user API under allocation failures, as syzkaller drives it: for
 * N = 1, 2, ... write N to /proc/thread-self/fail-nth right before one call
 * (open of the device, mmap of each region, every ioctl), so that the N-th allocation of that call fails; read
 * fail-nth back (0: the fault fired) and disarm, until the call succeeds
 * with no fault.  A faulted call fails with a clean errno or succeeds (the
 * kernel tolerates some failures) with a working object, never crashes,
 * and after each try the device has all its queues free again.
 *
 * test/vm/guest-check.sh makes every allocation count (failslab and
 * fail_page_alloc: ignore-gfp-wait=N, min-order=0, verbose=0).  The test
 * prefaults and locks its own memory so that the fault only hits the call
 * under test, never a page fault of the test itself.
 *
 * An mmap() allocates no page table: uacce maps a region's pages at their
 * first fault.
 */
#define _GNU_SOURCE
#include <alloca.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"
#include "failnth.h"
#include "vzip_testlib.h"

#define MAX_N	3000

static char dev[64];
static long free_queues;

/* The device's free queues (sysfs available_instances), or -1. */
static long avail(void)
{
	char path[160], buf[32];

	snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/available_instances",
		 dev);
	if (vzip_read_file(path, buf, sizeof(buf)))
		return -1;
	return atol(buf);
}

struct sweep {
	unsigned int n;		/* calls tried */
	unsigned int failed;	/* that failed, with a fault */
	unsigned int bad;	/* that failed without one, or with a bad errno */
	unsigned int leaks;	/* after which a queue stayed taken */
	int last_errno;
};

/* One result of a sweep; returns true when the sweep is over. */
static bool sweep_step(struct sweep *s, int ret, int err, bool hit)
{
	if (ret < 0) {
		if (!hit || err != ENOMEM) {
			s->bad++;
			s->last_errno = err;
			tap_diag("n=%u: errno %d, fault %s", s->n, err,
				 hit ? "fired" : "did not fire");
		}
		s->failed++;
	}
	if (avail() != free_queues) {
		s->leaks++;
		tap_diag("n=%u: %ld free queues, want %ld", s->n, avail(),
			 free_queues);
	}
	return ret >= 0 && !hit;
}

static void sweep_report(const char *what, const struct sweep *s)
{
	tap_ok(s->n < MAX_N && !s->bad && !s->leaks,
	       "%s: %u allocations failed in turn, %u calls failed cleanly",
	       what, s->n - 1, s->failed);
}

static void sweep_open(void)
{
	struct sweep s = { };
	bool hit;
	int fd;

	for (s.n = 1; s.n < MAX_N; s.n++) {
		arm(s.n);
		fd = open(devpath, O_RDWR | O_CLOEXEC);
		hit = fired();
		if (fd >= 0)
			close(fd);
		if (sweep_step(&s, fd, errno, hit))
			break;
	}
	sweep_report("open", &s);
}

/* Opens a queue with no fault, maps and starts what @upto asks for. */
static void sweep_info(void)
{
	struct uacce_queue_info info, got;
	struct sweep s = { };
	void *maps[UACCE_QFRT_NR];
	size_t sizes[UACCE_QFRT_NR];
	int fd, ret, err;
	bool hit;

	for (s.n = 1; s.n < MAX_N; s.n++) {
		fd = open_queue(0, maps, sizes, &info);
		memset(&got, 0, sizeof(got));
		arm(s.n);
		ret = ioctl(fd, UACCE_CMD_QUEUE_INFO, &got);
		err = errno;
		hit = fired();
		if (!ret && memcmp(&got, &info, sizeof(got)))
			s.bad++;
		close(fd);
		if (sweep_step(&s, ret, err, hit))
			break;
	}
	sweep_report("QUEUE_INFO", &s);
}

static void sweep_mmap(int type, const char *what)
{
	struct uacce_queue_info info;
	struct sweep s = { };
	void *maps[UACCE_QFRT_NR], *p;
	size_t sizes[UACCE_QFRT_NR];
	int fd, err;
	bool hit;

	for (s.n = 1; s.n < MAX_N; s.n++) {
		fd = open_queue(type, maps, sizes, &info);
		arm(s.n);
		p = mmap(NULL, info.region_size[type],
			 PROT_READ | (type == UACCE_QFRT_MMIO ? 0 : PROT_WRITE),
			 MAP_SHARED, fd, type * page);
		err = errno;
		hit = fired();
		if (p != MAP_FAILED)
			munmap(p, info.region_size[type]);
		close_queue(fd, type, maps, sizes);
		if (sweep_step(&s, p == MAP_FAILED ? -1 : 0, err, hit))
			break;
	}
	sweep_report(what, &s);
}

/*
 * An ioctl on a queue mapped and, for @start, started.  A START_Q that
 * failed must leave a queue that can start.
 */
static void sweep_ioctl(const char *what, unsigned long cmd, bool start)
{
	struct uacce_queue_info info;
	struct uacce_ss_info ss;
	struct sweep s = { };
	void *maps[UACCE_QFRT_NR];
	size_t sizes[UACCE_QFRT_NR];
	int fd, ret, err;
	bool hit;

	for (s.n = 1; s.n < MAX_N; s.n++) {
		fd = open_queue(UACCE_QFRT_NR, maps, sizes, &info);
		if (start && ioctl(fd, UACCE_CMD_START_Q))
			tap_bail("START_Q: %s", strerror(errno));
		arm(s.n);
		ret = ioctl(fd, cmd, &ss);
		err = errno;
		hit = fired();
		if (cmd == UACCE_CMD_START_Q && ret &&
		    ioctl(fd, UACCE_CMD_START_Q)) {
			s.bad++;
			tap_diag("n=%u: no start after a failed one: %s", s.n,
				 strerror(errno));
		}
		close_queue(fd, UACCE_QFRT_NR, maps, sizes);
		if (sweep_step(&s, ret, err, hit))
			break;
	}
	sweep_report(what, &s);
}

int main(void)
{
	bool sva;

	failnth_init();
	if (vzip_find_device(dev, sizeof(dev)))
		tap_bail("no vzip device");
	snprintf(devpath, sizeof(devpath), "/dev/%s", dev);
	free_queues = avail();
	if (free_queues < 1)
		tap_bail("no free queue on %s", dev);
	{
		struct uacce_queue_info info;
		void *maps[UACCE_QFRT_NR];
		size_t sizes[UACCE_QFRT_NR];
		int fd = open_queue(0, maps, sizes, &info);

		sva = info.flags & UACCE_DEV_SVA;
		close(fd);
	}
	/* the SS region and GET_SS exist without SVA only */
	tap_plan(sva ? 7 : 9);
	tap_diag("%s, %s, %ld free queues", dev, sva ? "SVA" : "SS region",
		 free_queues);

	/*
	 * The check of the injection itself: the first allocation of a
	 * plain open() fails
	 */
	failnth_lock_memory();
	arm(1);
	{
		int fd = open(devpath, O_RDWR | O_CLOEXEC);
		int err = errno;
		bool hit = fired();

		if (fd >= 0)
			close(fd);
		if (fd >= 0 || err != ENOMEM || !hit)
			tap_bail("fail-nth does not fail allocations (needs failslab, ignore-gfp-wait=N: test/vm/guest-check.sh)");
	}

	sweep_open();
	sweep_info();
	sweep_mmap(UACCE_QFRT_MMIO, "mmap MMIO");
	sweep_mmap(UACCE_QFRT_DUS, "mmap DUS");
	if (!sva)
		sweep_mmap(UACCE_QFRT_SS, "mmap SS");
	sweep_ioctl("START_Q", UACCE_CMD_START_Q, false);
	sweep_ioctl("WAKE_Q", UACCE_CMD_WAKE_Q, true);
	sweep_ioctl("PUT_Q", UACCE_CMD_PUT_Q, true);
	if (!sva)
		sweep_ioctl("GET_SS", UACCE_CMD_GET_SS, false);
	return tap_done();
}
