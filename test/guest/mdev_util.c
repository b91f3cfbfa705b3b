// SPDX-License-Identifier: GPL-2.0
/*
 * Helper of the mdev guest tests (test/guest/mdev_*.sh): what a shell
 * cannot do, with raw system calls and no library.
 *
 *   mdev_util hold NAME N         open N queues of /dev/NAME, print
 *                                 "held N", keep them until SIGTERM
 *   mdev_util quota NAME N        the instance NAME gives exactly N queues
 *                                 at once, then EBUSY until one is closed
 *   mdev_util open PATH           open PATH read-write; print "ok" or the
 *                                 errno's name (ENOENT, EPERM, ...)
 *   mdev_util devfilter CGROUP C MAJ MIN
 *                                 attach to the cgroup v2 directory CGROUP
 *                                 a device filter allowing only the device
 *                                 of type C ('c' or 'b') MAJ:MIN
 *
 * Exit status 0 when the operation did what was asked, 1 otherwise, with
 * a reason on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_QUEUES	1024

static const char *errno_name(int e)
{
	switch (e) {
	case ENOENT: return "ENOENT";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EBUSY: return "EBUSY";
	case ENODEV: return "ENODEV";
	case ENXIO: return "ENXIO";
	case EIO: return "EIO";
	default: return "other";
	}
}

static int open_queue(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/dev/%s", name);
	return open(path, O_RDWR | O_CLOEXEC);
}

/* available_instances of /sys/class/uacce/NAME, or -1 */
static long available(const char *name)
{
	char path[256], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/uacce/%s/available_instances",
		 name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static int parse_count(const char *s, int max)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *end || v < 0 || v > max ? -1 : (int)v;
}

static int cmd_hold(const char *name, int n)
{
	static int fds[MAX_QUEUES];
	sigset_t set;
	int i, sig;

	/* blocked before "held" is printed: a kill right after it is kept */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < n; i++) {
		fds[i] = open_queue(name);
		if (fds[i] < 0) {
			fprintf(stderr, "hold: open %d of %s: %s\n", i + 1, name,
				strerror(errno));
			return 1;
		}
	}
	printf("held %d\n", n);
	fflush(stdout);

	/* until the script is done with them */
	sigwait(&set, &sig);
	for (i = 0; i < n; i++)
		close(fds[i]);
	return 0;
}

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "quota: " __VA_ARGS__);		\
			return 1;					\
		}							\
	} while (0)

static int cmd_quota(const char *name, int n)
{
	static int fds[MAX_QUEUES];
	int i, fd, err;

	CHECK(available(name) == n, "%s: %ld available, not %d\n", name,
	      available(name), n);
	for (i = 0; i < n; i++) {
		fds[i] = open_queue(name);
		CHECK(fds[i] >= 0, "open %d of %d: %s\n", i + 1, n,
		      strerror(errno));
	}
	CHECK(available(name) == 0, "%ld available with all %d open\n",
	      available(name), n);
	fd = open_queue(name);
	err = errno;
	CHECK(fd < 0 && err == EBUSY, "open %d of a quota of %d: %s\n", n + 1,
	      n, fd < 0 ? strerror(err) : "succeeded");
	if (n) {
		close(fds[0]);
		fds[0] = open_queue(name);
		CHECK(fds[0] >= 0, "open after a close: %s\n", strerror(errno));
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	CHECK(available(name) == n, "%ld available after closing, not %d\n",
	      available(name), n);
	return 0;
}

static int cmd_open(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("%s\n", errno_name(errno));
		return 1;
	}
	close(fd);
	printf("ok\n");
	return 0;
}

/*
 * A BPF_PROG_TYPE_CGROUP_DEVICE program, assembled by hand:
 *
 *	r2 = ctx->access_type & 0xffff	(BPF_DEVCG_DEV_*)
 *	if r2 != type goto deny
 *	r2 = ctx->major; if r2 != major goto deny
 *	r2 = ctx->minor; if r2 != minor goto deny
 *	return 1
 * deny:
 *	return 0
 */
#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })

static int cmd_devfilter(const char *cgroup, char type, int major, int minor)
{
	struct bpf_insn prog[] = {
		INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1,
		     offsetof(struct bpf_cgroup_dev_ctx, access_type), 0),
		INSN(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 0xffff),
		INSN(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 6,
		     type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK),
		INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1,
		     offsetof(struct bpf_cgroup_dev_ctx, major), 0),
		INSN(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 4, major),
		INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1,
		     offsetof(struct bpf_cgroup_dev_ctx, minor), 0),
		INSN(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 2, minor),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	static char log[4096];
	union bpf_attr attr;
	int prog_fd, cg_fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (unsigned long)prog;
	attr.insn_cnt = sizeof(prog) / sizeof(prog[0]);
	attr.license = (unsigned long)"GPL";
	attr.log_buf = (unsigned long)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	prog_fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (prog_fd < 0) {
		fprintf(stderr, "devfilter: BPF_PROG_LOAD: %s\n%s\n",
			strerror(errno), log);
		return 1;
	}

	cg_fd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg_fd < 0) {
		fprintf(stderr, "devfilter: %s: %s\n", cgroup, strerror(errno));
		close(prog_fd);
		return 1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = cg_fd;
	attr.attach_bpf_fd = prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr))) {
		fprintf(stderr, "devfilter: BPF_PROG_ATTACH to %s: %s\n", cgroup,
			strerror(errno));
		close(cg_fd);
		close(prog_fd);
		return 1;
	}
	/* the cgroup keeps the program attached after we exit */
	close(cg_fd);
	close(prog_fd);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: mdev_util hold|quota NAME N\n"
			"       mdev_util open PATH\n"
			"       mdev_util devfilter CGROUP c|b MAJOR MINOR\n");
	return 2;
}

int main(int argc, char **argv)
{
	int n, major, minor;

	if (argc == 4 && (!strcmp(argv[1], "hold") ||
			  !strcmp(argv[1], "quota"))) {
		n = parse_count(argv[3], MAX_QUEUES);
		if (n < 0)
			return usage();
		return argv[1][0] == 'h' ? cmd_hold(argv[2], n) :
					   cmd_quota(argv[2], n);
	}
	if (argc == 3 && !strcmp(argv[1], "open"))
		return cmd_open(argv[2]);
	if (argc == 6 && !strcmp(argv[1], "devfilter") &&
	    (!strcmp(argv[3], "c") || !strcmp(argv[3], "b"))) {
		major = parse_count(argv[4], 1 << 20);
		minor = parse_count(argv[5], 1 << 20);
		if (major < 0 || minor < 0)
			return usage();
		return cmd_devfilter(argv[2], argv[3][0], major, minor);
	}
	return usage();
}
