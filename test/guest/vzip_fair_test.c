// SPDX-License-Identifier: GPL-2.0
/*
 * Fairness between queues on one vzip device, checked from the scheduler's
 * own decisions rather than from timings.
 *
 * A heavy queue holds a backlog of slow compression requests; a light
 * queue gets a batch of NOPs, published with one tail update, while the
 * heavy backlog is still deep.  Engines serve one request per turn and
 * divide engine time among tenants (each queue here is one, of the same
 * weight): the light queue has had far less of it, so with one engine
 * (vzip engines=1), after the batch is published, at most one heavy
 * request (the one in progress) completes before the first NOP, and at
 * most one between two NOPs (none, unless the NOPs took as long as a heavy
 * request).  Without that the NOPs would wait for the backlog.
 *
 * The order is read from the trace event vzip:vzip_request: one event
 * per completed request, in the order the engine served them, with the
 * queue and the request's ring index (in the global trace clock, as the
 * engine thread may move between CPUs).  After publishing the batch the test
 * reads how far the device has taken the heavy queue; heavy requests from
 * that index on may precede the first NOP by one at most.  A round counts
 * only if the heavy queue still had more requests pending at that moment
 * than the batch can let through; a round where the test itself was
 * preempted that long is repeated, so no outcome depends on how vCPUs are
 * scheduled.
 *
 * Prints TAP; exits non-zero when a case failed.
 */
#define _GNU_SOURCE
#include <sys/mount.h>

#include "tap.h"
#include "vzip_testlib.h"

#define SLOW_LEN	(64 * 1024)
#define BACKLOG		24
#define BATCH		8
#define ROUNDS		3
#define MAX_ATTEMPTS	10

static char tracefs[64];

static int tracefs_write(const char *file, const char *val, int flags)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", tracefs, file);
	fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

/* Finds tracefs, mounting it where the kernel expects it if needed. */
static int tracefs_find(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[128];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/trace_marker", dirs[i]);
		if (!access(path, W_OK)) {
			snprintf(tracefs, sizeof(tracefs), "%s", dirs[i]);
			return 0;
		}
	}
	if (mount("nodev", dirs[0], "tracefs", 0, NULL))
		return -errno;
	snprintf(tracefs, sizeof(tracefs), "%s", dirs[0]);
	return 0;
}

static int tracing_start(void)
{
	int ret;

	ret = tracefs_write("tracing_on", "0", 0);
	if (!ret)
		ret = tracefs_write("trace_clock", "global", 0);
	if (!ret)
		ret = tracefs_write("trace", "", O_TRUNC);
	if (!ret)
		ret = tracefs_write("events/vzip/vzip_request/enable", "1", 0);
	if (!ret)
		ret = tracefs_write("tracing_on", "1", 0);
	return ret;
}

static void tracing_stop(void)
{
	tracefs_write("tracing_on", "0", 0);
	tracefs_write("events/vzip/vzip_request/enable", "0", 0);
}

/* Waits for every request in flight on @q; the number that failed, or -1. */
static int drain(struct vzip_q *q)
{
	struct vzip_cqe cqe;
	int bad = 0;

	while (vzip_inflight(q)) {
		if (vzip_reap(q, &cqe, VZIP_TIMEOUT_MS, true))
			return -1;
		if (le16toh(cqe.status) != VZIP_STS_OK)
			bad++;
	}
	return bad;
}

struct round_check {
	uint32_t first_nop;	/* ring index of the batch's first NOP */
	uint32_t heavy_from;	/* heavy index taken when it was published */
	unsigned int before_first;	/* heavy from there, before NOP 1 */
	unsigned int max_between;	/* most heavy ones between two NOPs */
	unsigned int min_between;	/* fewest heavy ones between two NOPs */
	unsigned int nops;		/* the batch's NOPs seen */
};

/* The round of light request @index, or NULL. */
static struct round_check *round_of(struct round_check *rc, unsigned int nr,
				    uint32_t index)
{
	unsigned int r;

	for (r = 0; r < nr; r++)
		if (index - rc[r].first_nop < BATCH)
			return &rc[r];
	return NULL;
}

/*
 * Reads the trace of device @dev: for each round, the heavy completions
 * before its first NOP (from the heavy index it was published at) and
 * between its NOPs.
 */
static int read_trace(const char *dev, uint32_t heavy, uint32_t light,
		      struct round_check *rc, unsigned int nr)
{
	char path[128], line[512], devkey[NAME_MAX + 8];
	unsigned int run = 0, r;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", tracefs);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	snprintf(devkey, sizeof(devkey), "dev=%s ", dev);
	for (r = 0; r < nr; r++) {
		rc[r].before_first = rc[r].max_between = rc[r].nops = 0;
		rc[r].min_between = UINT_MAX;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "vzip_request: ");
		struct round_check *cur;
		unsigned int qid;
		uint32_t index;

		if (!p || !strstr(p, devkey))
			continue;
		p = strstr(p, " qid=");
		if (!p || sscanf(p, " qid=%u index=%u", &qid, &index) != 2)
			continue;
		if (qid == heavy) {
			run++;
			for (r = 0; r < nr; r++)
				if (!rc[r].nops &&
				    (int32_t)(index - rc[r].heavy_from) >= 0 &&
				    index - rc[r].heavy_from < BACKLOG)
					rc[r].before_first++;
			continue;
		}
		cur = qid == light ? round_of(rc, nr, index) : NULL;
		if (!cur)
			continue;
		if (cur->nops) {
			if (run > cur->max_between)
				cur->max_between = run;
			if (run < cur->min_between)
				cur->min_between = run;
		}
		cur->nops++;
		run = 0;
	}
	fclose(f);
	return 0;
}

int main(void)
{
	char name[NAME_MAX + 1];
	struct vzip_q hq, lq;
	struct vzip_sqe slow, nop;
	struct round_check rc[MAX_ATTEMPTS];
	bool counted[MAX_ATTEMPTS] = { false };
	unsigned int attempts = 0, valid = 0, bad = 0, r, i;
	uint32_t heavy, light;
	uint8_t *src, *dst;
	size_t dst_len = SLOW_LEN + SLOW_LEN / 100 + 64;

	if (!tap_ok(!vzip_find_device(name, sizeof(name)) &&
		    !vzip_open(&hq, name) && !vzip_start(&hq) &&
		    !vzip_open(&lq, name) && !vzip_start(&lq),
		    "open two queues of a vzip device"))
		return tap_done();
	heavy = vzip_reg(&hq, VZIP_REG_QID);
	light = vzip_reg(&lq, VZIP_REG_QID);
	tap_diag("%s: heavy queue %u, light queue %u", name, heavy, light);
	if (!tap_ok(!tracefs_find() && !tracing_start(),
		    "trace event vzip:vzip_request enabled (tracefs %s)",
		    tracefs))
		return tap_done();

	src = vzip_mem(&hq, SLOW_LEN);
	dst = vzip_mem(&hq, dst_len);
	vzip_fill_random(src, SLOW_LEN, 1);
	slow = vzip_sqe(&hq, VZIP_OP_COMPRESS, VZIP_FMT_RAW, VZIP_FLUSH_FINISH,
			src, SLOW_LEN, dst, dst_len);
	slow.level = 9;
	nop = vzip_sqe(&lq, VZIP_OP_NOP, 0, 0, NULL, 0, NULL, 0);

	while (valid < ROUNDS && attempts < MAX_ATTEMPTS) {
		uint32_t consumed;

		r = attempts++;
		for (i = 0; i < BACKLOG; i++)
			vzip_queue(&hq, &slow);
		if (vzip_submit(&hq))
			break;
		rc[r].first_nop = lq.sq_tail;
		for (i = 0; i < BATCH; i++)
			vzip_queue(&lq, &nop);
		if (vzip_submit(&lq))
			break;
		/* the device's SQ head: heavy requests taken so far */
		rc[r].heavy_from = le32toh(atomic_load(vzip_ctrl(&hq,
							VZIP_CTRL_SQ_HEAD)));
		consumed = rc[r].heavy_from - (hq.sq_tail - BACKLOG);
		counted[r] = BACKLOG - consumed > BATCH + 1;
		if (counted[r])
			valid++;
		else
			tap_diag("round %u: only %u heavy requests left when the batch was published; repeated",
				 r, BACKLOG - consumed);
		if (drain(&lq) || drain(&hq)) {
			bad++;
			break;
		}
	}
	tracing_stop();
	tap_ok(!bad && valid == ROUNDS,
	       "%u rounds with a deep heavy backlog in %u attempts, every request completed",
	       valid, attempts);
	if (!tap_ok(!read_trace(name, heavy, light, rc, attempts),
		    "read the trace"))
		return tap_done();

	for (r = 0; r < attempts; r++) {
		if (!counted[r])
			continue;
		tap_ok(rc[r].nops == BATCH, "round %u: the trace holds the %u NOPs",
		       r, BATCH);
		tap_ok(rc[r].before_first <= 1,
		       "round %u: %u heavy request(s) taken after the batch was published completed before its first NOP (at most one)",
		       r, rc[r].before_first);
		tap_ok(rc[r].max_between <= 1,
		       "round %u: at most one heavy request between two NOPs (seen %u to %u)",
		       r, rc[r].min_between, rc[r].max_between);
	}
	vzip_close(&lq);
	vzip_close(&hq);
	return tap_done();
}
