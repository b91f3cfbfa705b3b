// SPDX-License-Identifier: GPL-2.0
/*
 * A tenant's view of an access point, run inside its container by
 * test/guest/mdev_containers.sh:
 *
 *   mdev_tenant_test NAME QUOTA OTHER_NAME OTHER_PATH
 *
 * NAME is the tenant's instance (WD_DEVICE=NAME), QUOTA its queues;
 * OTHER_NAME is the other tenant's instance, which must not be in this
 * container's /dev, and OTHER_PATH a node of it smuggled into the
 * container, which the cgroup's device filter must refuse to open.
 *
 * Checks: the library finds and uses the instance; the tenant is held to
 * its quota; it cannot open the other instance; and the device reaches no
 * memory outside the tenant's process: not an address the process does
 * not map, even where another process (its own child) keeps a secret, and
 * not kernel memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <warpdrive/warpdrive.h>
#include "tap.h"

#define SECRET		"the other process's secret"
#define MAX_QUOTA	64

static const char *name;

/* One COPY, synchronously; the completion's status, or -errno. */
static int copy(struct wd_queue *q, uint64_t src, uint64_t dst, uint32_t len)
{
	struct vzip_sqe sqe = {
		.opcode = VZIP_OP_COPY,
		.version = VZIP_SQE_VERSION,
		.user_data = 7,
		.src = src,
		.dst = dst,
		.src_len = len,
		.dst_len = len,
	};
	struct vzip_cqe cqe;
	int ret;

	ret = wd_queue_submit(q, &sqe, 1);
	if (ret != 1)
		return ret < 0 ? ret : -EAGAIN;
	for (;;) {
		ret = wd_queue_reap(q, &cqe, 1);
		if (ret < 0)
			return ret;
		if (ret == 1)
			return cqe.status;
		ret = wd_queue_wait(q, 5000);
		if (ret)
			return ret;
	}
}

static void test_discovery(struct wd_queue *q)
{
	struct wd_device devs[32];
	struct wd_queue_info info;
	int n = wd_devices(devs, 32), found = 0;

	for (int i = 0; i < n && i < 32; i++)
		found |= !strcmp(devs[i].name, name) &&
			 !strcmp(devs[i].api, VZIP_API_VERSION);
	tap_ok(found, "the library lists %s as a vzip_v1 device", name);
	wd_queue_get_info(q, &info);
	tap_ok(!strcmp(info.device, name),
	       "WD_DEVICE=%s: the queue is on it (%s)", name, info.device);
}

static void test_quota(struct wd_queue *first, int quota)
{
	struct wd_queue_params p = { .device = name };
	struct wd_queue *q[MAX_QUOTA];
	int i, opened = 1, ret = 0;

	(void)first;
	for (i = 0; i < quota - 1; i++) {
		ret = wd_queue_open(&q[i], &p);
		if (ret)
			break;
		opened++;
	}
	tap_ok(opened == quota, "%d queues open at once (quota %d)", opened,
	       quota);
	if (opened == quota) {
		struct wd_queue *extra;

		ret = wd_queue_open(&extra, &p);
		tap_ok(ret == -EBUSY, "one more: %s", strerror(-ret));
		if (!ret)
			wd_queue_close(extra);
	} else {
		tap_ok(0, "one more: not tried");
	}
	while (--opened > 0)
		wd_queue_close(q[opened - 1]);
}

static void test_other(const char *other_name, const char *other_path)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", other_name);
	fd = open(path, O_RDWR);
	tap_ok(fd < 0 && errno == ENOENT, "%s is not in this container: %s",
	       path, fd < 0 ? strerror(errno) : "opened");
	if (fd >= 0)
		close(fd);
	fd = open(other_path, O_RDWR);
	tap_ok(fd < 0 && errno == EPERM,
	       "the device filter refuses the other instance's node: %s",
	       fd < 0 ? strerror(errno) : "opened");
	if (fd >= 0)
		close(fd);
}

/*
 * A child keeps a secret at an address the parent then unmaps: the
 * device, bound to the parent's address space, must neither read nor
 * write it.
 */
static void test_memory(struct wd_queue *q, const struct wd_queue_info *info)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int ready[2], done[2], status = 1, st;
	char *x, *buf, c = 0;
	size_t ss_size = 0;
	pid_t pid;

	buf = info->flags & UACCE_DEV_SVA ? malloc(page) : wd_queue_ss(q, &ss_size);
	x = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (!buf || x == MAP_FAILED || pipe(ready) || pipe(done)) {
		tap_ok(0, "set up the memory test");
		return;
	}
	pid = fork();
	if (!pid) {
		strcpy(x, SECRET);
		if (write(ready[1], "r", 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(2);
		_exit(strcmp(x, SECRET) ? 1 : 0);
	}
	munmap(x, page);
	if (pid < 0 || read(ready[0], &c, 1) != 1) {
		tap_ok(0, "start the process with the secret");
		return;
	}

	memset(buf, 0, page);
	st = copy(q, (uint64_t)(uintptr_t)x, wd_queue_addr(q, buf, page),
		  (uint32_t)strlen(SECRET) + 1);
	tap_ok(st == VZIP_STS_ADDR_ERROR && !memmem(buf, page, SECRET, strlen(SECRET)),
	       "reading another process's memory: ADDR_ERROR (%d), nothing read",
	       st);

	strcpy(buf, "overwritten");
	st = copy(q, wd_queue_addr(q, buf, page), (uint64_t)(uintptr_t)x,
		  (uint32_t)strlen(buf) + 1);
	if (write(done[1], "d", 1) == 1 && waitpid(pid, &status, 0) == pid)
		status = WIFEXITED(status) ? WEXITSTATUS(status) : 3;
	tap_ok(st == VZIP_STS_ADDR_ERROR && status == 0,
	       "writing another process's memory: ADDR_ERROR (%d), its secret intact (%d)",
	       st, status);

	st = copy(q, 0xffff888000000000ULL, wd_queue_addr(q, buf, page), 64);
	tap_ok(st == VZIP_STS_ADDR_ERROR, "reading kernel memory: ADDR_ERROR (%d)",
	       st);
	tap_ok(wd_queue_check(q) == 0, "the queue survives");
	if (info->flags & UACCE_DEV_SVA)
		free(buf);
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
}

int main(int argc, char **argv)
{
	struct wd_queue_info info;
	struct wd_queue *q;
	int quota, ret;

	if (argc != 5 || atoi(argv[2]) < 1 || atoi(argv[2]) > MAX_QUOTA) {
		fprintf(stderr, "usage: mdev_tenant_test NAME QUOTA OTHER_NAME OTHER_PATH\n");
		return 2;
	}
	name = argv[1];
	quota = atoi(argv[2]);

	tap_plan(11);
	ret = wd_queue_open(&q, NULL);
	if (!tap_ok(!ret, "open a queue (WD_DEVICE=%s): %s",
		    getenv("WD_DEVICE") ?: "", strerror(-ret)))
		return tap_done();
	wd_queue_get_info(q, &info);
	test_discovery(q);
	test_quota(q, quota);
	test_other(argv[3], argv[4]);
	test_memory(q, &info);
	wd_queue_close(q);
	return tap_done();
}
