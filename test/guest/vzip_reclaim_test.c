// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim of vzip queues with requests in flight: a process killed with
 * SIGKILL, a queue closed without waiting, a queue stopped with PUT_Q.
 * Every time, the requests are finished or aborted before any page is
 * unpinned, every pinned page is unpinned (system-wide pin counters in
 * /proc/vmstat and the device's own in debugfs), and the next owner of
 * the queue sees clean rings.
 *
 * Prints TAP; exits non-zero when a case failed.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>

#include "tap.h"
#include "vzip_testlib.h"

#define BIG_LEN		(256 * 1024)
#define BIG_DST		(BIG_LEN + BIG_LEN / 100 + 64)

static char name[NAME_MAX + 1];

/* Pages pinned system-wide now, from /proc/vmstat; -1 if unknown. */
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

/* Waits up to 10 s for every pin of ours to be released. */
static bool pins_released(long long before)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (pins() <= before &&
		    vzip_stat(name, "pinned_pages") <= 0)
			return true;
		usleep(10000);
	}
	return false;
}

/* Queues a backlog of slow requests on a started queue. */
static void fill(struct vzip_q *q, unsigned int n)
{
	uint8_t *src = vzip_mem(q, BIG_LEN), *dst = vzip_mem(q, BIG_DST);
	struct vzip_sqe sqe;

	vzip_fill_random(src, BIG_LEN, 7);
	sqe = vzip_sqe(q, VZIP_OP_COMPRESS, VZIP_FMT_GZIP, VZIP_FLUSH_FINISH,
		       src, BIG_LEN, dst, BIG_DST);
	sqe.level = 9;
	while (n-- && vzip_inflight(q) < q->depth)
		vzip_post(q, &sqe);
}

/* Waits until the device has taken a request of @q. */
static bool taken(struct vzip_q *q)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (le32toh(atomic_load(vzip_ctrl(q, VZIP_CTRL_SQ_HEAD))))
			return true;
		usleep(5000);
	}
	return false;
}

/*
 * Opens queues until one is hardware queue @qid, and checks its rings are
 * clean; the other queues opened meanwhile are closed.
 */
static bool clean_for_next_owner(uint32_t qid)
{
	struct vzip_q qs[64];
	bool clean = false;
	int i, n;

	for (n = 0; n < 64; n++) {
		if (vzip_open(&qs[n], name))
			break;
		if (qs[n].info.qid != qid)
			continue;
		clean = !le32toh(atomic_load(vzip_ctrl(&qs[n], VZIP_CTRL_SQ_TAIL))) &&
			!le32toh(atomic_load(vzip_ctrl(&qs[n], VZIP_CTRL_SQ_HEAD))) &&
			!le32toh(atomic_load(vzip_ctrl(&qs[n], VZIP_CTRL_CQ_TAIL))) &&
			!le32toh(atomic_load(vzip_ctrl(&qs[n], VZIP_CTRL_CQ_HEAD))) &&
			le32toh(atomic_load(vzip_ctrl(&qs[n], VZIP_CTRL_DEV_FLAGS))) ==
			VZIP_DEV_F_NEED_WAKEUP;
		for (i = 0; clean && i < (int)(qs[n].depth * 96); i++)
			clean = !((uint8_t *)qs[n].sq)[i];
		if (clean) {
			struct vzip_sqe nop = vzip_sqe(&qs[n], VZIP_OP_NOP, 0,
						       0, NULL, 0, NULL, 0);

			clean = !vzip_start(&qs[n]) &&
				vzip_status_of(&qs[n], &nop) == VZIP_STS_OK;
		}
		n++;
		break;
	}
	while (n--)
		vzip_close(&qs[n]);
	return clean;
}

/* A child queues slow requests on its queue, reports the queue, sleeps. */
static void child(int fd)
{
	struct vzip_q q;
	uint32_t qid = ~0U;

	if (!vzip_open(&q, name) && !vzip_start(&q)) {
		fill(&q, 16);
		if (taken(&q))
			qid = q.info.qid;
	}
	if (write(fd, &qid, sizeof(qid)) != sizeof(qid))
		_exit(1);
	for (;;)
		pause();
}

static void test_kill(void)
{
	long long before = pins();
	uint32_t qid = ~0U;
	int fds[2], st;
	pid_t pid;

	if (pipe(fds))
		return;
	pid = fork();
	if (!pid) {
		close(fds[0]);
		child(fds[1]);
	}
	close(fds[1]);
	if (read(fds[0], &qid, sizeof(qid)) != sizeof(qid))
		qid = ~0U;
	close(fds[0]);
	tap_ok(qid != ~0U, "SIGKILL: the child has requests in flight on queue %u",
	       qid);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	tap_ok(pins_released(before),
	       "SIGKILL: every page the device pinned is unpinned");
	tap_ok(qid != ~0U && clean_for_next_owner(qid),
	       "SIGKILL: the next owner of queue %u sees clean rings", qid);
}

static void test_close(void)
{
	long long before = pins();
	struct vzip_q q;
	uint32_t qid;
	bool busy;

	if (vzip_open(&q, name) || vzip_start(&q)) {
		tap_ok(0, "close: open a queue");
		return;
	}
	qid = q.info.qid;
	fill(&q, 16);
	busy = taken(&q);
	vzip_close(&q);		/* unmap and close, requests in flight */
	tap_ok(busy && pins_released(before),
	       "close with requests in flight: every page is unpinned");
	tap_ok(clean_for_next_owner(qid),
	       "close: the next owner of queue %u sees clean rings", qid);
}

static void test_put_q(void)
{
	long long aborted = vzip_stat(name, "requests_aborted");
	long long before = pins();
	unsigned int done = 0, bad = 0;
	struct vzip_cqe cqe;
	struct vzip_q q;
	uint32_t head;

	if (vzip_open(&q, name) || vzip_start(&q)) {
		tap_ok(0, "PUT_Q: open a queue");
		return;
	}
	fill(&q, 8);
	taken(&q);
	tap_ok(!ioctl(q.fd, UACCE_CMD_PUT_Q) &&
	       (pins() <= before || before < 0) &&
	       vzip_stat(name, "pinned_pages") <= 0,
	       "PUT_Q returns with no page pinned");
	head = le32toh(atomic_load(vzip_ctrl(&q, VZIP_CTRL_SQ_HEAD)));
	tap_ok(le32toh(atomic_load(vzip_ctrl(&q, VZIP_CTRL_CQ_TAIL))) == head &&
	       head < 8,
	       "PUT_Q: every request taken is completed (%u), the rest wait",
	       head);
	while (!vzip_reap(&q, &cqe, 0, false)) {
		done++;
		bad += le16toh(cqe.status) != VZIP_STS_OK &&
		       le16toh(cqe.status) != VZIP_STS_ABORTED;
	}
	tap_ok(!vzip_start(&q) && !bad, "START_Q again");
	while (vzip_inflight(&q) && !vzip_reap(&q, &cqe, VZIP_TIMEOUT_MS, false)) {
		done++;
		bad += le16toh(cqe.status) != VZIP_STS_OK;
	}
	tap_ok(done == 8 && !bad, "PUT_Q then START_Q: all 8 requests completed");
	tap_diag("aborted requests: %lld", vzip_stat(name, "requests_aborted") -
		 aborted);
	vzip_close(&q);
}

int main(void)
{
	if (!tap_ok(!vzip_find_device(name, sizeof(name)), "find a vzip device"))
		return tap_done();
	test_kill();
	test_close();
	test_put_q();
	return tap_done();
}
