/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fail-nth sweeps of test/guest/ share (uacce_failnth_test.c,
 * mdev_failnth_test.c): the task's fail-nth file, armed right before one
 * system call and read back right after it, as syzkaller does, so that
 * only the N-th allocation of that call fails.
 *
 *	failnth_init();			(bails out without fail-nth)
 *	failnth_lock_memory();		(no page fault of the test is counted)
 *	for (n = 1; n < MAX_N; n++) {
 *		arm(n);
 *		ret = the_call();
 *		hit = fired();		(disarms)
 *		...
 *	}
 *
 * Include tap.h first.  Single-threaded: fail-nth belongs to the task.
 */
#ifndef WARPDRIVE_TEST_FAILNTH_H
#define WARPDRIVE_TEST_FAILNTH_H

#include <alloca.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <misc/uacce/uacce.h>

#define tap_bail(...) do {					\
	printf("Bail out! " __VA_ARGS__);			\
	printf("\n");						\
	exit(1);						\
} while (0)

static int fail_nth_fd = -1;
static long page;
static char devpath[96];		/* the uacce node under test */

static inline void failnth_init(void)
{
	const char *path = "/proc/thread-self/fail-nth";

	page = sysconf(_SC_PAGESIZE);
	fail_nth_fd = open(path, O_RDWR | O_CLOEXEC);
	if (fail_nth_fd < 0)
		tap_bail("%s: %s (the kernel needs CONFIG_FAULT_INJECTION)",
			 path, strerror(errno));
}

/* The N-th allocation of this task from now on fails (0: none). */
static inline void arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(fail_nth_fd, buf, len, 0) != len)
		tap_bail("cannot write fail-nth: %s", strerror(errno));
}

/* Disarms; what was left of the count (0: the armed allocation came). */
static inline unsigned int disarm(void)
{
	char buf[16] = "";
	unsigned int left;

	if (pread(fail_nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		tap_bail("cannot read fail-nth: %s", strerror(errno));
	left = strtoul(buf, NULL, 10);
	arm(0);
	return left;
}

/* Disarms; true if the armed allocation was reached. */
static inline bool fired(void)
{
	return disarm() == 0;
}

/* Touches @len bytes of stack, so that the sweeps never fault it in. */
static void __attribute__((noinline, unused)) prefault_stack(size_t len)
{
	volatile char *buf = alloca(len);
	size_t i;

	for (i = 0; i < len; i += 256)
		buf[i] = 0;
}

/*
 * Faults in and locks the test's memory, its stack included, so that an
 * armed fault hits the call under test, never a page fault of the test.
 */
static inline void failnth_lock_memory(void)
{
	prefault_stack(256 << 10);
	if (mlockall(MCL_CURRENT))
		tap_bail("mlockall: %s", strerror(errno));
}

/*
 * Opens a queue of devpath with no fault armed, reads its QUEUE_INFO into
 * *@info and maps its regions below @upto, every one read-write as UADK
 * maps them (maps[] and sizes[]); bails out on any failure.
 */
static int __attribute__((unused))
open_queue(int upto, void **maps, size_t *sizes, struct uacce_queue_info *info)
{
	int fd = open(devpath, O_RDWR | O_CLOEXEC);
	int t;

	if (fd < 0)
		tap_bail("open %s: %s", devpath, strerror(errno));
	if (ioctl(fd, UACCE_CMD_QUEUE_INFO, info))
		tap_bail("QUEUE_INFO: %s", strerror(errno));
	for (t = 0; t < upto; t++) {
		sizes[t] = info->region_size[t];
		if (!sizes[t])
			continue;
		maps[t] = mmap(NULL, sizes[t], PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd, t * page);
		if (maps[t] == MAP_FAILED)
			tap_bail("mmap of region %d: %s", t, strerror(errno));
	}
	return fd;
}

static void __attribute__((unused))
close_queue(int fd, int upto, void **maps, size_t *sizes)
{
	int t;

	for (t = 0; t < upto; t++)
		if (sizes[t] && maps[t] != MAP_FAILED)
			munmap(maps[t], sizes[t]);
	close(fd);
}

#endif /* WARPDRIVE_TEST_FAILNTH_H */
