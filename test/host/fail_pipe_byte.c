// SPDX-License-Identifier: GPL-2.0
/*
 * An LD_PRELOAD library for tests: every write() of one byte to a pipe
 * fails with EIO; any other write() goes through.  wdbench's floor of a
 * request waited for by sleeping (samples/wdbench/wakeup.c) wakes its
 * measuring thread with such a byte, and under this library the wake-up
 * never comes: the measurement must end on its bounded wait, with its
 * reason, not hang (test/host/wdbench_test.sh).
 */
#include <dlfcn.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t count)
{
	ssize_t (*real)(int, const void *, size_t);
	struct stat st;

	if (count == 1 && !fstat(fd, &st) && S_ISFIFO(st.st_mode)) {
		errno = EIO;
		return -1;
	}
	*(void **)&real = dlsym(RTLD_NEXT, "write");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(fd, buf, count);
}
