// SPDX-License-Identifier: GPL-2.0
/*
 * Hot removal of a vzip device with busy queues: the platform device is
 * unbound through sysfs while another process has requests in flight (its
 * pages pinned by the engine) and this one has an idle queue mapped.  The
 * unbind must finish; the busy process's next access to the revoked rings
 * raises SIGBUS; the idle queue reports the removal (ENXIO, POLLERR, SIGBUS
 * on the mapping); every pin is released; and after binding the device
 * again it works.  Twice.
 *
 * Root, sysfs; prints TAP; exits non-zero when a case failed.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/wait.h>

#include "tap.h"
#include "vzip_testlib.h"

#define DRIVER_DIR	"/sys/bus/platform/drivers/vzip"
#define BIG_LEN		(128 * 1024)
#define BIG_DST		(BIG_LEN + BIG_LEN / 100 + 64)

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

static long long pins(void)
{
	char buf[16384], *a, *r;

	/* fold the per-CPU counter deltas in first: they lag otherwise */
	vzip_write_file("/proc/sys/vm/stat_refresh", "1");
	if (vzip_read_file("/proc/vmstat", buf, sizeof(buf)))
		return -1;
	a = strstr(buf, "nr_foll_pin_acquired ");
	r = strstr(buf, "nr_foll_pin_released ");
	if (!a || !r)
		return -1;
	return atoll(a + 21) - atoll(r + 21);
}

/* The platform device (vzip.N) behind uacce device @name. */
static int platform_device_of(const char *name, char *pdev, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/device", name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	snprintf(pdev, size, "%s", basename(link));
	return 0;
}

/* A busy process: keeps slow requests in flight until the device goes. */
static void busy(const char *name, int fd)
{
	struct vzip_q q;
	struct vzip_sqe sqe;
	struct vzip_cqe cqe;
	uint8_t *src, *dst;
	bool told = false;

	if (vzip_open(&q, name) || vzip_start(&q))
		_exit(2);
	src = vzip_mem(&q, BIG_LEN);
	dst = vzip_mem(&q, BIG_DST);
	vzip_fill_random(src, BIG_LEN, 3);
	sqe = vzip_sqe(&q, VZIP_OP_COMPRESS, VZIP_FMT_RAW, VZIP_FLUSH_FINISH,
		       src, BIG_LEN, dst, BIG_DST);
	sqe.level = 9;
	for (;;) {
		while (vzip_inflight(&q) < 4)
			if (vzip_post(&q, &sqe))
				_exit(3);	/* ENXIO: removed */
		if (!told && le32toh(atomic_load(vzip_ctrl(&q,
							   VZIP_CTRL_SQ_HEAD)))) {
			told = true;
			if (write(fd, "b", 1) != 1)
				_exit(4);
		}
		if (vzip_reap(&q, &cqe, 100, false) == 0 &&
		    le16toh(cqe.status) != VZIP_STS_OK)
			_exit(5);	/* aborted: the device goes */
	}
}

static bool wait_child(pid_t pid, int *st, int seconds)
{
	int i;

	for (i = 0; i < seconds * 100; i++) {
		if (waitpid(pid, st, WNOHANG) == pid)
			return true;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, st, 0);
	return false;
}

static void cycle(char *name, size_t size, const char *pdev, int round)
{
	long long before = pins();
	struct vzip_q idle;
	struct sigaction sa = { .sa_handler = on_sigbus };
	struct pollfd pfd;
	struct timespec t0;
	volatile bool bus = false;
	int fds[2], st = 0, ret, i;
	bool ended;
	char c;
	pid_t pid;

	if (pipe(fds))
		return;
	pid = fork();
	if (!pid) {
		close(fds[0]);
		busy(name, fds[1]);
	}
	close(fds[1]);
	ret = vzip_open(&idle, name);
	if (!ret)
		ret = vzip_start(&idle);
	tap_ok(!ret && read(fds[0], &c, 1) == 1,
	       "round %d: one queue busy in another process, one idle here",
	       round);
	close(fds[0]);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = vzip_write_file(DRIVER_DIR "/unbind", pdev);
	tap_ok(!ret, "round %d: unbind %s with requests in flight (%ld ms)",
	       round, pdev, vzip_ms_since(&t0));

	ended = wait_child(pid, &st, 30);
	tap_ok(ended && ((WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS) ||
			 (WIFEXITED(st) && WEXITSTATUS(st) >= 3)),
	       "round %d: the busy process is told (%s %d)", round,
	       WIFSIGNALED(st) ? "signal" : "exit",
	       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));

	pfd.fd = idle.fd;
	pfd.events = POLLIN;
	tap_ok(ioctl(idle.fd, UACCE_CMD_QUEUE_INFO, &idle.info) && errno == ENXIO &&
	       poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP)),
	       "round %d: the idle queue: ENXIO, POLLERR", round);
	sigaction(SIGBUS, &sa, NULL);
	if (!sigsetjmp(bus_jmp, 1))
		(void)atomic_load(vzip_ctrl(&idle, VZIP_CTRL_CQ_TAIL));
	else
		bus = true;
	signal(SIGBUS, SIG_DFL);
	tap_ok(bus, "round %d: its revoked mapping raises SIGBUS", round);
	vzip_close(&idle);
	for (i = 0; before >= 0 && pins() > before && i < 500; i++)
		usleep(10000);
	tap_ok(before < 0 || pins() <= before,
	       "round %d: every page the device pinned is unpinned", round);

	ret = vzip_write_file(DRIVER_DIR "/bind", pdev);
	if (!ret)
		ret = vzip_find_device(name, size);
	if (!ret)
		ret = vzip_open(&idle, name);
	if (!ret) {
		struct vzip_sqe nop = vzip_sqe(&idle, VZIP_OP_NOP, 0, 0, NULL,
					       0, NULL, 0);

		ret = vzip_start(&idle);
		if (!ret && vzip_status_of(&idle, &nop) != VZIP_STS_OK)
			ret = -EIO;
		vzip_close(&idle);
	}
	tap_ok(!ret, "round %d: bound again as %s, it works", round, name);
}

int main(void)
{
	char name[NAME_MAX + 1], pdev[NAME_MAX + 1];
	int round;

	if (!tap_ok(!vzip_find_device(name, sizeof(name)) &&
		    !platform_device_of(name, pdev, sizeof(pdev)),
		    "find a vzip device and its platform device"))
		return tap_done();
	for (round = 1; round <= 2; round++)
		cycle(name, sizeof(name), pdev, round);
	return tap_done();
}
