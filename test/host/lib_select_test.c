// SPDX-License-Identifier: GPL-2.0
/*
 * Which device libwarpdrive chooses, per class, from WD_DEVICE,
 * WD_DEVICE_<CLASS> and params->device: on a fake /sys/class/uacce and
 * /dev (tmpfs, in a user and mount namespace of this test's own), with
 * two accelerators and an mdev instance of each:
 *
 *   vzip-0, vzip-m (instance)       api vzip_v1
 *   vcrypt-0, vcrypt-m (instance)   api vcrypt_v1
 *
 * The nodes are regular files: the library opens the one it chose, its
 * first ioctl fails, and inotify tells which node was opened.  A node of
 * mode 000 (the child drops its capabilities) shows whether the -EACCES
 * of wd_device_denied() follows the same choice, for sessions under
 * policy hw and for registering memory (wd_buf_register(),
 * wd_crypto_buf_register()).  Skips when the kernel gives no user
 * namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <warpdrive/warpdrive.h>
#include "tap.h"

#define CASES	13

static int put(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* A device in the fake sysfs, and its node (mode @mode) in the fake /dev. */
static int fake_device(const char *name, const char *api, int instance,
		       mode_t mode)
{
	char p[256];
	int ret = 0;

	snprintf(p, sizeof(p), "/sys/class/uacce/%s", name);
	ret |= mkdir(p, 0755);
	snprintf(p, sizeof(p), "/sys/class/uacce/%s/api", name);
	ret |= put(p, api);
	snprintf(p, sizeof(p), "/sys/class/uacce/%s/available_instances", name);
	ret |= put(p, "4\n");
	if (instance) {
		snprintf(p, sizeof(p), "/sys/class/uacce/%s/device", name);
		ret |= mkdir(p, 0755);
		snprintf(p, sizeof(p), "/sys/class/uacce/%s/device/mdev_type",
			 name);
		ret |= put(p, "");
	}
	snprintf(p, sizeof(p), "/dev/%s", name);
	ret |= put(p, "");
	ret |= chmod(p, mode);
	return ret ? -1 : 0;
}

/* This process in namespaces of its own, over a fake sysfs and /dev. */
static const char *fake_system(void)
{
	unsigned int uid = getuid(), gid = getgid();
	char map[64];

	/* read before unshare(): after it, both are the overflow IDs */
	snprintf(map, sizeof(map), "0 %u 1", uid);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return "no user namespace (unshare)";
	if (put("/proc/self/setgroups", "deny"))
		return "cannot write setgroups";
	if (put("/proc/self/uid_map", map))
		return "cannot write uid_map";
	snprintf(map, sizeof(map), "0 %u 1", gid);
	if (put("/proc/self/gid_map", map))
		return "cannot write gid_map";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("wd", "/sys/class", "tmpfs", 0, NULL) ||
	    mount("wd", "/dev", "tmpfs", 0, NULL))
		return "cannot mount tmpfs over /sys/class and /dev";
	if (mkdir("/sys/class/uacce", 0755) ||
	    fake_device("vzip-0", "vzip_v1\n", 0, 0644) ||
	    fake_device("vzip-m", "vzip_v1\n", 1, 0644) ||
	    fake_device("vcrypt-0", "vcrypt_v1\n", 0, 0644) ||
	    fake_device("vcrypt-m", "vcrypt_v1\n", 1, 0644) ||
	    fake_device("vzip-d", "vzip_v1\n", 1, 0) ||
	    fake_device("vcrypt-d", "vcrypt_v1\n", 0, 0))
		return "cannot build the fake devices";
	return NULL;
}

/*
 * Child: prints the nodes the library opened for class @mode ("vzip",
 * "vzip@DEV": params->device DEV, "vcrypt"), or for "hw-errno" the error
 * of a policy-hw compression session.
 */
static int child_mode(const char *mode)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct none[2] = { 0 };
	char ev[4096] __attribute__((aligned(8)));
	int fd;
	ssize_t n;

	/* root of the namespace, but the nodes' modes apply as to anyone */
	if (syscall(SYS_capset, &h, none))
		return 2;
	if (!strcmp(mode, "reg-errno")) {
		/* policy auto: the sessions open without a device */
		struct wd_comp_params cp = {
			.format = WD_FORMAT_ZLIB, .policy = WD_POLICY_AUTO,
		};
		struct wd_crypto_params p = {
			.alg = WD_CRYPTO_SHA256, .policy = WD_POLICY_AUTO,
		};
		static char buf[4096] __attribute__((aligned(4096)));
		struct wd_crypto *s = NULL;
		struct wd_comp *c = NULL;

		if (wd_comp_open(&c, &cp) || wd_crypto_open(&s, &p))
			return 4;
		printf("[%s | %s]", strerror(-wd_buf_register(c, buf, 64)),
		       strerror(-wd_crypto_buf_register(s, buf, 64)));
		wd_comp_close(c);
		wd_crypto_close(s);
		return 0;
	}
	if (!strcmp(mode, "hw-errno")) {
		struct wd_comp_params p = {
			.format = WD_FORMAT_ZLIB, .policy = WD_POLICY_HW,
		};
		struct wd_comp *c = NULL;
		int ret = wd_comp_open(&c, &p);

		if (!ret)
			wd_comp_close(c);
		printf("[%s]", strerror(-ret));
		return 0;
	}
	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0 || inotify_add_watch(fd, "/dev", IN_OPEN) < 0)
		return 3;
	if (!strncmp(mode, "vzip", 4)) {
		struct wd_queue_params qp = { 0 };
		struct wd_queue *q;

		if (mode[4] == '@')
			qp.device = mode + 5;
		if (!wd_queue_open(&q, &qp))
			wd_queue_close(q);
	} else {
		struct wd_crypto_params p = {
			.alg = WD_CRYPTO_SHA256, .policy = WD_POLICY_HW,
		};
		struct wd_crypto *s = NULL;

		if (!wd_crypto_open(&s, &p))
			wd_crypto_close(s);
	}
	printf("[");
	while ((n = read(fd, ev, sizeof(ev))) > 0) {
		for (char *p = ev; p < ev + n;) {
			struct inotify_event *e = (struct inotify_event *)p;

			if (e->len)
				printf(" %s", e->name);
			p += sizeof(*e) + e->len;
		}
	}
	printf(" ]");
	return 0;
}

extern char **environ;

/*
 * Runs this program in @mode with the environment @env (NULL-terminated)
 * and the dynamic linker's LD_* of ours; its stdout and stderr in @out.
 * Returns its exit status or -1.
 */
static int run(char *const env[], const char *mode, char *out, size_t size)
{
	char *argv[] = { "lib_select_test", "--child", (char *)mode, NULL };
	char *envp[32];
	int pfd[2], st, ne = 0;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	for (int i = 0; env[i] && ne < 16; i++)
		envp[ne++] = env[i];
	for (char **e = environ; *e && ne < 31; e++)
		if (!strncmp(*e, "LD_", 3))
			envp[ne++] = *e;
	envp[ne] = NULL;
	out[0] = '\0';
	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		execve("/proc/self/exe", argv, envp);
		_exit(127);
	}
	close(pfd[1]);
	while (pid > 0 && len < size - 1 &&
	       (n = read(pfd[0], out + len, size - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* One case: @mode under @env prints exactly @want (in brackets). */
static void expect(char *const env[], const char *mode, const char *want,
		   const char *what)
{
	char out[1024];
	int st = run(env, mode, out, sizeof(out));

	if (!tap_ok(st == 0 && strstr(out, want), "%s", what))
		tap_diag("exit %d, output: %s", st, out);
}

int main(int argc, char **argv)
{
	const char *why;

	if (argc > 2 && !strcmp(argv[1], "--child"))
		return child_mode(argv[2]);

	tap_plan(CASES);
	why = fake_system();
	if (why) {
		for (int i = 0; i < CASES; i++)
			tap_skip(why, "device selection case %d", i);
		return tap_done();
	}
	{
		char *e[] = { NULL };

		expect(e, "vzip", "[ vzip-0 ]",
		       "unnamed, vzip leaves the instances alone");
	}
	{
		char *e[] = { "WD_DEVICE=vzip-m", NULL };

		expect(e, "vzip", "[ vzip-m ]", "WD_DEVICE names vzip's");
	}
	{
		char *e[] = { "WD_DEVICE_VZIP=vzip-m", "WD_DEVICE=vcrypt-m",
			      NULL };

		expect(e, "vzip", "[ vzip-m ]",
		       "WD_DEVICE_VZIP wins over WD_DEVICE for vzip");
		expect(e, "vcrypt", "[ vcrypt-m ]",
		       "and vcrypt, without its own, takes WD_DEVICE");
	}
	{
		/* a container given one access point of each class */
		char *e[] = { "WD_DEVICE=vzip-m", "WD_DEVICE_VZIP=vzip-m",
			      "WD_DEVICE_VCRYPT=vcrypt-m", NULL };

		expect(e, "vzip", "[ vzip-m ]",
		       "both classes named: vzip finds its own");
		expect(e, "vcrypt", "[ vcrypt-m ]",
		       "both classes named: vcrypt finds its own");
		expect(e, "vzip@vzip-0", "[ vzip-0 ]",
		       "params->device wins over WD_DEVICE_VZIP");
	}
	{
		char *e[] = { "WD_DEVICE=vzip-m", "WD_DEVICE_VZIP=bad/name",
			      NULL };

		expect(e, "vzip",
		       "libwarpdrive: ignoring WD_DEVICE_VZIP=bad/name\n[ vzip-m ]",
		       "a bad WD_DEVICE_VZIP is reported, WD_DEVICE used");
	}
	{
		char *e[] = { "WD_DEVICE_vzip=vzip-m", NULL };

		expect(e, "vzip",
		       "libwarpdrive: ignoring WD_DEVICE_vzip=vzip-m\n[ vzip-0 ]",
		       "a class not in upper case is reported and ignored");
	}
	{
		char *e[] = { "WD_DEVICE=vzip-m", "WD_DEVICE_VZIP=", NULL };

		expect(e, "vzip", "[ vzip-m ]",
		       "an empty WD_DEVICE_VZIP is unset");
	}
	{
		char *e[] = { "WD_DEVICE_VZIP=vzip-d", "WD_DEVICE=vzip-0",
			      NULL };

		expect(e, "hw-errno", "[Permission denied]",
		       "WD_DEVICE_VZIP naming a node not ours: policy hw says EACCES");
	}
	{
		/* unnamed, vzip's choice is vzip-0: vcrypt-d is not vzip's */
		char *e[] = { NULL };

		expect(e, "hw-errno", "[No such device]",
		       "a vcrypt node not ours does not make vzip's error EACCES");
	}
	{
		char *e[] = { "WD_DEVICE_VZIP=vzip-d", "WD_DEVICE_VCRYPT=vcrypt-d",
			      NULL };

		expect(e, "reg-errno", "[Permission denied | Permission denied]",
		       "nodes not ours: wd_buf_register() and wd_crypto_buf_register() say EACCES");
	}
	return tap_done();
}
