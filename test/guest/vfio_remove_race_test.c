// SPDX-License-Identifier: GPL-2.0
/*
 * Removal of a vfio-pci instance racing with the death of its VMM (TAP).
 *
 *   vfio_remove_race_test --type MDEV_TYPE_DIR --uuid UUID [--rounds N]
 *
 * 6.1's VFIO core, once a removed device is closed, detaches its group
 * from the container and frees the container's IOMMU, while
 * vfio_fops_release() reads that IOMMU without a lock.  A VMM killed with
 * its files open releases them from task work, the last opened first:
 * the device's release lets removal go on while the VMM's container is
 * still to be released, and the two race (a use-after-free in
 * vfio_iommu_type1_notify() when they meet).  Removal therefore waits
 * until the dying VMM released all its files (drivers/mdev/vfio_pci.c).
 *
 * That order is what this checks, deterministically: each round creates
 * an instance of the type (UUID with the round in its 33rd and 34th
 * digits), and a child opens, in this order, the write end of a pipe to
 * this process, the container, files that take long to release (memfds
 * holding pages), then the group and the device.  Removal starts and
 * waits for the VMM, which is then killed.  When removal returns, the
 * pipe must be at end of file: the VMM released everything, the
 * container and the pipe last, before removal went on.  Each round must
 * also end with removal returning success and the instance gone.  KASAN
 * in the debug kernel fails the test through the harness if the race is
 * met anyway.  Needs a vfio-pci mdev type and root; a missing one fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "vzip_testlib.h"

#define SLOW_FILES	24		/* memfds between container and device */
#define SLOW_SIZE	(4 << 20)	/* bytes each holds */

/* The VMM: opens as described above, says so on @wfd, then waits. */
static void __attribute__((noreturn)) vmm(const char *uuid, int wfd)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct vfio_group_status st = { .argsz = sizeof(st) };
	int container, group, device, slow;
	ssize_t n;

	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (container < 0)
		_exit(10);
	for (int i = 0; i < SLOW_FILES; i++) {
		slow = memfd_create("slow", MFD_CLOEXEC);
		if (slow < 0 || ftruncate(slow, SLOW_SIZE))
			_exit(11);
		/* pages in its page cache, freed at its release */
		if (fallocate(slow, 0, 0, SLOW_SIZE))
			_exit(12);
	}
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		_exit(13);
	link[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	group = open(path, O_RDWR | O_CLOEXEC);
	if (group < 0 || ioctl(group, VFIO_GROUP_GET_STATUS, &st) ||
	    !(st.flags & VFIO_GROUP_FLAGS_VIABLE) ||
	    ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
	    ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		_exit(14);
	device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (device < 0)
		_exit(15);
	if (write(wfd, "o", 1) != 1)
		_exit(16);
	for (;;)
		pause();
}

/* Waits for @pid at most @secs seconds; its status, or -1. */
static int reap(pid_t pid, int secs)
{
	int status;

	for (int i = 0; i < secs * 10; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0)
			return -1;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static int one_round(const char *type, const char *uuid, int round)
{
	char path[PATH_MAX];
	struct stat sb;
	int pfd[2], status, ok;
	pid_t vmm_pid, rm_pid;
	ssize_t n;
	char c;
	int ret;

	snprintf(path, sizeof(path), "%s/create", type);
	ret = vzip_write_file(path, uuid);
	if (!tap_ok(!ret, "round %d: create %s: %s", round, uuid,
		    ret ? strerror(-ret) : "ok"))
		return -1;
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	fflush(stdout);
	vmm_pid = fork();
	if (!vmm_pid)	/* both ends kept: the container's fd comes after */
		vmm(uuid, pfd[1]);
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1) {
		status = reap(vmm_pid, 5);
		tap_ok(0, "round %d: the VMM opens %s (status %#x)", round, uuid,
		       status);
		close(pfd[0]);
		return -1;
	}
	rm_pid = fork();
	if (!rm_pid) {
		snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", uuid);
		_exit(vzip_write_file(path, "1") ? 1 : 0);
	}
	/* removal is waiting for the VMM: asked it, and goes on asking */
	usleep(200000 + 50000 * round);
	kill(vmm_pid, SIGKILL);
	status = reap(rm_pid, 60);
	/* removal returned: the VMM's files must all be released */
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	n = read(pfd[0], &c, 1);
	ok = tap_ok(n == 0, "round %d: removal returns after the dying VMM released its container and every file (%s)",
		    round, n == 0 ? "pipe at EOF" :
		    n < 0 && errno == EAGAIN ? "its pipe still open" : "pipe error");
	close(pfd[0]);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s", uuid);
	ok &= tap_ok(status == 0 && stat(path, &sb) && errno == ENOENT,
		     "round %d: removal succeeds (status %#x) and %s is gone",
		     round, status, uuid);
	status = reap(vmm_pid, 30);
	ok &= tap_ok(status >= 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		     "round %d: the VMM died of SIGKILL (status %#x)", round, status);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *type = NULL, *base = NULL;
	int rounds = 5;
	char uuid[40];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--type") && i + 1 < argc)
			type = argv[++i];
		else if (!strcmp(argv[i], "--uuid") && i + 1 < argc)
			base = argv[++i];
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else
			break;
	}
	if (!type || !base || strlen(base) != 36 || rounds < 1 || rounds > 99) {
		fprintf(stderr, "usage: vfio_remove_race_test --type MDEV_TYPE_DIR --uuid UUID [--rounds 1-99]\n");
		return 2;
	}
	tap_plan(4 * rounds);
	for (int r = 1; r <= rounds; r++) {
		/* the round in the two digits before the last two */
		snprintf(uuid, sizeof(uuid), "%.32s%02x%s", base, r, base + 34);
		if (one_round(type, uuid, r))
			break;
	}
	return tap_done();
}
