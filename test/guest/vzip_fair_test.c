// SPDX-License-Identifier: GPL-2.0
/*
 * Fairness between two processes on one vzip device: one keeps its ring
 * full of slow compression requests, the other submits small requests one
 * at a time.  Engines serve queues round-robin, one request per turn, so
 * each small request waits for at most one slow request per engine, never
 * for the whole backlog.  Run with vzip engines=1, where that is exact.
 *
 * Prints TAP; exits non-zero when a case failed.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>

#include "tap.h"
#include "vzip_testlib.h"

#define SLOW_LEN	(128 * 1024)
#define BACKLOG		24
#define LIGHT_REQS	8

/* The light process: LIGHT_REQS NOPs, one at a time, after "go". */
static int light(const char *name, int go_fd, int done_fd)
{
	struct vzip_q q;
	struct vzip_sqe nop;
	struct vzip_cqe cqe;
	long worst = 0;
	char c;
	int i;

	if (vzip_open(&q, name) || vzip_start(&q))
		return 2;
	nop = vzip_sqe(&q, VZIP_OP_NOP, 0, 0, NULL, 0, NULL, 0);
	if (read(go_fd, &c, 1) != 1)
		return 3;
	for (i = 0; i < LIGHT_REQS; i++) {
		struct timespec t0;
		long ms;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (vzip_exec(&q, &nop, &cqe) ||
		    le16toh(cqe.status) != VZIP_STS_OK)
			return 4;
		ms = vzip_ms_since(&t0);
		if (ms > worst)
			worst = ms;
	}
	if (write(done_fd, &worst, sizeof(worst)) != sizeof(worst))
		return 5;
	vzip_close(&q);
	return 0;
}

int main(void)
{
	char name[NAME_MAX + 1];
	int go[2], done[2], st = -1;
	unsigned int heavy_done = 0, at_light_done = 0;
	long worst = -1;
	struct vzip_q q;
	struct vzip_sqe slow;
	struct vzip_cqe cqe;
	uint8_t *src, *dst;
	bool light_done = false;
	pid_t pid;
	int i;

	if (!tap_ok(!vzip_find_device(name, sizeof(name)) &&
		    !vzip_open(&q, name) && !vzip_start(&q),
		    "open a queue of a vzip device"))
		return tap_done();
	if (pipe(go) || pipe(done))
		return 1;
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		close(done[0]);
		_exit(light(name, go[0], done[1]));
	}
	close(go[0]);
	close(done[1]);

	src = vzip_mem(&q, SLOW_LEN);
	dst = vzip_mem(&q, SLOW_LEN + SLOW_LEN / 100 + 64);
	vzip_fill_random(src, SLOW_LEN, 1);
	slow = vzip_sqe(&q, VZIP_OP_COMPRESS, VZIP_FMT_RAW, VZIP_FLUSH_FINISH,
			src, SLOW_LEN, dst, SLOW_LEN + SLOW_LEN / 100 + 64);
	slow.level = 9;
	for (i = 0; i < BACKLOG && vzip_inflight(&q) < q.depth; i++)
		vzip_post(&q, &slow);
	tap_diag("%u slow requests queued", vzip_inflight(&q));
	usleep(200000);		/* the light process has opened its queue */
	if (write(go[1], "g", 1) != 1)
		return 1;

	while (vzip_inflight(&q)) {
		/* poll(): leave the CPU to the light process */
		if (vzip_reap(&q, &cqe, VZIP_TIMEOUT_MS, true))
			break;
		if (le16toh(cqe.status) != VZIP_STS_OK)
			tap_diag("slow request: status %u", le16toh(cqe.status));
		heavy_done++;
		if (!light_done) {
			struct pollfd pfd = { .fd = done[0], .events = POLLIN };

			if (poll(&pfd, 1, 0) == 1 &&
			    read(done[0], &worst, sizeof(worst)) == sizeof(worst)) {
				light_done = true;
				at_light_done = heavy_done;
			}
		}
	}
	if (!light_done && read(done[0], &worst, sizeof(worst)) == sizeof(worst))
		at_light_done = heavy_done;
	waitpid(pid, &st, 0);

	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "the light process completed its %u requests", LIGHT_REQS);
	tap_ok(heavy_done == BACKLOG, "the heavy process completed its %u",
	       BACKLOG);
	/*
	 * One slow request per light one, plus the one in progress, plus
	 * slack for the guest's scheduling of the two processes; without
	 * round-robin the light process would wait for the whole backlog.
	 */
	tap_ok(worst >= 0 && at_light_done <= LIGHT_REQS + 4,
	       "round-robin: the light process finished after %u of %u slow requests (worst wait %ld ms)",
	       at_light_done, BACKLOG, worst);
	vzip_close(&q);
	return tap_done();
}
