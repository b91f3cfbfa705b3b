// SPDX-License-Identifier: GPL-2.0
/*
 * libwarpdrive's queue layer on vzip, and the library on the device:
 * discovery, the rings (wrap-around, the in-flight bound, the wake-up
 * protocol against an engine that falls asleep), descriptor errors,
 * poll(), the shared region without SVA, threads sharing a session,
 * threads leading and following on one queue,
 * registered memory with SVA (wd_buf_register()), the compression
 * ratio of small and large requests against zlib's on the same data, and
 * the adaptive spin of a waiter (lib/spin.h), seen through the clock
 * reads of its waits.
 *
 *   lib_hw_test          the above
 *   lib_hw_test deep     thousands of async requests in flight (needs a
 *                        ring of 2048 or more: vzip ring_depth=4096)
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <warpdrive/warpdrive.h>
#include "spin.h"
#include "tap.h"
#include "memlock.h"

static void nop_sqe(struct vzip_sqe *sqe, uint64_t tag)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = VZIP_OP_NOP;
	sqe->version = VZIP_SQE_VERSION;
	sqe->user_data = tag;
}

/* Waits for and reaps exactly @n completions into @cqes. */
static int reap_n(struct wd_queue *q, struct vzip_cqe *cqes, int n)
{
	int got = 0;

	while (got < n) {
		int r = wd_queue_reap(q, cqes + got, (unsigned int)(n - got));

		if (r < 0)
			return r;
		got += r;
		if (got < n && wd_queue_wait(q, 5000) == -ETIMEDOUT)
			return -ETIMEDOUT;
	}
	return got;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static void test_discovery(struct wd_queue_info *info)
{
	struct wd_device devs[16];
	int n = wd_devices(devs, 16), vzip = -1;

	for (int i = 0; i < n && i < 16; i++)
		if (!strcmp(devs[i].api, VZIP_API_VERSION))
			vzip = i;
	tap_ok(vzip >= 0 && devs[vzip].available > 0 && !devs[vzip].isolated,
	       "wd_devices finds %s (%s, %d free queues, node %d)",
	       vzip >= 0 ? devs[vzip].name : "none",
	       vzip >= 0 ? devs[vzip].api : "", vzip >= 0 ?
	       devs[vzip].available : 0, vzip >= 0 ? devs[vzip].node : 0);
	tap_ok(info->ring_depth >= 2 &&
	       !(info->ring_depth & (info->ring_depth - 1)) &&
	       info->max_len >= 4096 && (info->caps & VZIP_CAP_STREAM) &&
	       info->ctx_size >= 64 &&
	       !!(info->flags & UACCE_DEV_SVA) == !!(info->caps & VZIP_CAP_SVA),
	       "queue %s/%d: depth %u, max_len %u, ctx %u, caps %#x, %s",
	       info->device, info->qid, info->ring_depth, info->max_len,
	       info->ctx_size, info->caps,
	       info->flags & UACCE_DEV_SVA ? "SVA" : "no SVA");
}

static void test_rings(struct wd_queue *q, const struct wd_queue_info *info)
{
	unsigned int depth = info->ring_depth, total = 3 * depth + 5;
	struct vzip_sqe *sqes = calloc(depth + 8, sizeof(*sqes));
	struct vzip_cqe *cqes = calloc(depth + 8, sizeof(*cqes));
	unsigned int sent = 0, got = 0, bad = 0;
	int ret;

	/* NOP round trip */
	nop_sqe(&sqes[0], 0x1234567890abcdefull);
	ret = wd_queue_submit(q, sqes, 1);
	tap_ok(ret == 1 && reap_n(q, cqes, 1) == 1 &&
	       cqes[0].user_data == 0x1234567890abcdefull &&
	       cqes[0].status == VZIP_STS_OK,
	       "a NOP comes back with its user_data");

	/* more than the depth at once: only the depth is taken */
	for (unsigned int i = 0; i < depth + 8; i++)
		nop_sqe(&sqes[i], i);
	ret = wd_queue_submit(q, sqes, depth + 8);
	tap_ok(ret == (int)depth, "submitting depth + 8 takes %d (depth %u)",
	       ret, depth);
	tap_ok(reap_n(q, cqes, ret) == ret, "and all of them complete");

	/* around the ring three times, in order */
	while (got < total) {
		unsigned int room = depth - (sent - got), k = 0;

		while (k < room && sent + k < total) {
			nop_sqe(&sqes[k], sent + k);
			k++;
		}
		if (k) {
			ret = wd_queue_submit(q, sqes, k);
			if (ret < 0)
				break;
			sent += (unsigned int)ret;
		}
		ret = reap_n(q, cqes, 1);
		if (ret != 1)
			break;
		if (cqes[0].user_data != got || cqes[0].status)
			bad++;
		got++;
	}
	tap_ok(got == total && !bad,
	       "%u NOPs around the ring: all complete in order (%u bad)",
	       total, bad);
	tap_ok(wd_queue_inflight(q) == 0 && wd_queue_check(q) == 0,
	       "nothing in flight, queue healthy");
	free(sqes);
	free(cqes);
}

static void test_wakeup(struct wd_queue *q)
{
	struct vzip_sqe sqe;
	struct vzip_cqe cqe;
	int ok = 0, rounds = 60;

	/*
	 * The engine sleeps after idle_us (1 ms) without work: submit
	 * around that moment, again and again; a lost wake-up would leave a
	 * request unserved (reap_n times out after 5 s).
	 */
	for (int i = 0; i < rounds; i++) {
		sleep_us(200 + (i * 397) % 2500);
		nop_sqe(&sqe, (uint64_t)i);
		if (wd_queue_submit(q, &sqe, 1) == 1 &&
		    reap_n(q, &cqe, 1) == 1 && cqe.user_data == (uint64_t)i)
			ok++;
	}
	tap_ok(ok == rounds, "no lost wake-up: %d of %d submissions around the engine's sleep served",
	       ok, rounds);
	tap_ok(wd_queue_wait(q, 50) == -ETIMEDOUT,
	       "poll() with nothing in flight times out");
}

static void test_descriptors(struct wd_queue *q, const struct wd_queue_info *info)
{
	size_t len = 100000;
	unsigned char *src, *dst;
	struct vzip_sqe sqe;
	struct vzip_cqe cqe;
	bool sva = info->flags & UACCE_DEV_SVA;
	size_t ss_size;
	unsigned char *ss = wd_queue_ss(q, &ss_size);

	if (sva) {
		src = malloc(len);
		dst = malloc(len);
	} else {
		src = ss;
		dst = ss + ss_size / 2;
	}
	for (size_t i = 0; i < len; i++)
		src[i] = (unsigned char)(i * 7);
	memset(dst, 0, len);

	nop_sqe(&sqe, 1);
	sqe.opcode = VZIP_OP_COPY;
	sqe.src = wd_queue_addr(q, src, len);
	sqe.dst = wd_queue_addr(q, dst, len);
	sqe.src_len = sqe.dst_len = (uint32_t)len;
	tap_ok(sqe.src && sqe.dst && wd_queue_submit(q, &sqe, 1) == 1 &&
	       reap_n(q, &cqe, 1) == 1 && cqe.status == VZIP_STS_OK &&
	       cqe.consumed == len && cqe.produced == len &&
	       !memcmp(src, dst, len),
	       "COPY of %zu bytes (%s addresses)", len,
	       sva ? "process" : "shared-region DMA");

	sqe.dst_len = (uint32_t)len / 2;
	tap_ok(wd_queue_submit(q, &sqe, 1) == 1 && reap_n(q, &cqe, 1) == 1 &&
	       cqe.status == VZIP_STS_OVERFLOW && cqe.produced == len / 2,
	       "COPY into half the room: OVERFLOW after %zu bytes", len / 2);

	sqe.dst_len = (uint32_t)len;
	sqe.version = 0;
	tap_ok(wd_queue_submit(q, &sqe, 1) == 1 && reap_n(q, &cqe, 1) == 1 &&
	       cqe.status == VZIP_STS_INVALID,
	       "descriptor version 0: INVALID");
	sqe.version = VZIP_SQE_VERSION;
	sqe.rsvd[2] = 1;
	tap_ok(wd_queue_submit(q, &sqe, 1) == 1 && reap_n(q, &cqe, 1) == 1 &&
	       cqe.status == VZIP_STS_INVALID,
	       "non-zero reserved field: INVALID");
	sqe.rsvd[2] = 0;
	sqe.dst = sqe.src;
	tap_ok(wd_queue_submit(q, &sqe, 1) == 1 && reap_n(q, &cqe, 1) == 1 &&
	       cqe.status == VZIP_STS_INVALID,
	       "overlapping source and destination: INVALID");
	sqe.dst = sva ? 4096 : info->max_len ? (uint64_t)1 << 40 : 0;
	tap_ok(wd_queue_submit(q, &sqe, 1) == 1 && reap_n(q, &cqe, 1) == 1 &&
	       cqe.status == VZIP_STS_ADDR_ERROR,
	       "a destination the queue cannot reach: ADDR_ERROR");
	sqe.dst = wd_queue_addr(q, dst, len);
	sqe.src_len = info->max_len + 1;
	tap_ok(wd_queue_submit(q, &sqe, 1) == 1 && reap_n(q, &cqe, 1) == 1 &&
	       cqe.status == VZIP_STS_INVALID,
	       "src_len above MAX_LEN: INVALID");
	tap_ok(wd_queue_check(q) == 0, "the queue survives its bad descriptors");
	if (sva) {
		free(src);
		free(dst);
	}
}

/* Several threads share one session (and so one queue). */
struct thr {
	struct wd_comp *c;
	int id;
	int bad;
};

static void *compress_thread(void *arg)
{
	struct thr *t = arg;
	size_t len = 50000 + (size_t)t->id * 1000, bound = len + len / 8 + 256;
	unsigned char *data = malloc(len), *out = malloc(bound);
	unsigned char *back = malloc(len);

	for (size_t i = 0; i < len; i++)
		data[i] = (unsigned char)("threads share a queue"[(i + t->id) % 21]);
	for (int r = 0; r < 40; r++) {
		size_t n = bound;
		uLongf bn = len;

		if (wd_compress(t->c, data, len, out, &n) ||
		    uncompress(back, &bn, out, n) != Z_OK || bn != len ||
		    memcmp(back, data, len))
			t->bad++;
	}
	free(data);
	free(out);
	free(back);
	return NULL;
}

static void test_threads(void)
{
	struct wd_comp_params p = { .format = WD_FORMAT_ZLIB,
				    .policy = WD_POLICY_HW,
				    .flags = WD_COMP_F_THRESHOLD };
	struct thr t[6];
	pthread_t tid[6];
	struct wd_stats st;
	int bad = 0;

	if (wd_comp_open(&t[0].c, &p)) {
		tap_ok(0, "session for threads");
		return;
	}
	for (int i = 0; i < 6; i++) {
		t[i].c = t[0].c;
		t[i].id = i;
		t[i].bad = 0;
		pthread_create(&tid[i], NULL, compress_thread, &t[i]);
	}
	for (int i = 0; i < 6; i++) {
		pthread_join(tid[i], NULL);
		bad += t[i].bad;
	}
	wd_comp_get_stats(t[0].c, &st);
	tap_ok(!bad && st.hw_requests == 240 && !st.sw_requests,
	       "6 threads x 40 compressions on one session: %d bad, %llu on the device",
	       bad, (unsigned long long)st.hw_requests);
	wd_comp_close(t[0].c);
}

/*
 * Threads waiting on one queue: each is the leader that reaps it or a
 * follower that sleeps until the leader has reaped for it or steps down
 * (lib/inflight.c).  Threads 0-1 share session 0, 2-3 session 1, 4 and 5
 * have one each; all sessions share the process's queue.  Each thread
 * submits one request, then takes one back: its own or, on a shared
 * session, its partner's, which it checks and frees.  A missed wake-up
 * leaves a follower asleep: its wd_poll() times out.
 */
#define WAITERS		6
#define WAITER_ROUNDS	400
#define WAITER_POLL_MS	10000

struct waiter_req {
	struct wd_req req;
	unsigned char src[256];
	unsigned char dst[256];
};

struct waiter {
	struct wd_comp *c;
	int id;
	int done;
	int bad;
};

static void *waiter_thread(void *arg)
{
	struct waiter *w = arg;

	for (int r = 0; r < WAITER_ROUNDS; r++) {
		struct waiter_req *x = calloc(1, sizeof(*x));
		struct wd_req *rp, *got;

		if (!x) {
			w->bad++;
			return NULL;
		}
		rp = &x->req;
		if (r % 4 == 0) {
			memset(x->src, w->id * 16 + r % 16, sizeof(x->src));
			rp->op = WD_OP_COPY;
			rp->src = x->src;
			rp->src_len = sizeof(x->src);
			rp->dst = x->dst;
			rp->dst_len = sizeof(x->dst);
		} else {
			rp->op = WD_OP_NOP;
		}
		if (wd_submit(w->c, &rp, 1) != 1) {
			free(x);
			w->bad++;
			continue;
		}
		if (wd_poll(w->c, &got, 1, 1, WAITER_POLL_MS) != 1) {
			w->bad++;
			return NULL;
		}
		x = (struct waiter_req *)got;
		if (got->status || got->path != WD_PATH_HW ||
		    (got->op == WD_OP_COPY &&
		     (got->produced != sizeof(x->src) ||
		      memcmp(x->src, x->dst, sizeof(x->src)))))
			w->bad++;
		free(x);
		w->done++;
	}
	return NULL;
}

static void test_shared_waiters(void)
{
	struct wd_comp_params p = { .policy = WD_POLICY_HW };
	struct wd_comp *c[4] = { NULL };
	struct waiter w[WAITERS];
	pthread_t tid[WAITERS];
	int bad = 0, done = 0, ok = 1;
	uint64_t hw = 0;

	for (int i = 0; i < 4; i++)
		if (wd_comp_open(&c[i], &p))
			ok = 0;
	if (!ok) {
		tap_ok(0, "sessions for waiters");
		goto out;
	}
	for (int i = 0; i < WAITERS; i++) {
		w[i] = (struct waiter){ .c = c[i < 4 ? i / 2 : i - 2], .id = i };
		pthread_create(&tid[i], NULL, waiter_thread, &w[i]);
	}
	for (int i = 0; i < WAITERS; i++) {
		pthread_join(tid[i], NULL);
		bad += w[i].bad;
		done += w[i].done;
	}
	for (int i = 0; i < 4; i++) {
		struct wd_stats st;

		wd_comp_get_stats(c[i], &st);
		hw += st.hw_requests;
		ok = ok && !wd_inflight(c[i]);
	}
	tap_ok(!bad && done == WAITERS * WAITER_ROUNDS && ok &&
	       hw == (uint64_t)done,
	       "%d threads on 4 sessions of one queue: %d of %d round trips, %d bad, %llu on the device, none left in flight",
	       WAITERS, done, WAITERS * WAITER_ROUNDS, bad,
	       (unsigned long long)hw);
out:
	for (int i = 0; i < 4; i++)
		wd_comp_close(c[i]);
}

static void test_zero_copy(const struct wd_queue_info *info)
{
	struct wd_comp_params p = { .format = WD_FORMAT_GZIP,
				    .policy = WD_POLICY_HW,
				    .flags = WD_COMP_F_THRESHOLD };
	size_t len = 200000, n;
	unsigned char *in, *out, *plain;
	struct wd_stats st;
	struct wd_comp *c;

	if (wd_comp_open(&c, &p)) {
		tap_ok(0, "session for buffers");
		return;
	}
	in = wd_buf_alloc(c, len);
	out = wd_buf_alloc(c, len + 1024);
	for (size_t i = 0; i < len; i++)
		in[i] = (unsigned char)("zero copy "[i % 10]);
	n = len + 1024;
	tap_ok(in && out && !wd_compress(c, in, len, out, &n),
	       "compress between wd_buf_alloc() buffers");
	wd_comp_get_stats(c, &st);
	tap_ok(st.copied_bytes == 0, "nothing copied (%llu bytes)",
	       (unsigned long long)st.copied_bytes);
	plain = malloc(len);
	memcpy(plain, in, len);
	n = len + 1024;
	wd_compress(c, plain, len, out, &n);
	wd_comp_get_stats(c, &st);
	if (info->flags & UACCE_DEV_SVA)
		tap_ok(st.copied_bytes == 0,
		       "SVA: ordinary memory is not copied either");
	else
		tap_ok(st.copied_bytes >= len,
		       "no SVA: ordinary memory goes through the shared region (%llu bytes copied)",
		       (unsigned long long)st.copied_bytes);
	wd_buf_free(c, in);
	wd_buf_free(c, out);
	free(plain);
	wd_comp_close(c);
}

/* Round trip through the device: compress @in, decompress, compare. */
static bool round_trip(struct wd_comp *c, const unsigned char *in,
		       size_t len, unsigned char *out, size_t out_size,
		       unsigned char *back)
{
	size_t n = out_size, m = len;

	return !wd_compress(c, in, len, out, &n) &&
	       !wd_decompress(c, out, &n, back, &m) && m == len &&
	       !memcmp(in, back, len);
}

static void test_registered(const struct wd_queue_info *info)
{
	struct wd_comp_params p = { .format = WD_FORMAT_GZIP,
				    .policy = WD_POLICY_HW,
				    .flags = WD_COMP_F_THRESHOLD };
	size_t len = 1 << 20, page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *in = aligned_alloc(page, len);
	unsigned char *out = aligned_alloc(page, 2 * len);
	unsigned char *back = malloc(len), *b;
	long lck0 = vmpin_kib();
	struct wd_comp *c;
	pid_t pid;
	int st = -1;

	if (wd_comp_open(&c, &p) || !in || !out || !back) {
		tap_ok(0, "session for registered memory");
		return;
	}
	for (size_t i = 0; i < len; i++)
		in[i] = (unsigned char)("registered "[i % 11] ^ (i >> 12));
	if (!(info->flags & UACCE_DEV_SVA)) {
		tap_ok(wd_buf_register(c, in, len) == -EOPNOTSUPP,
		       "no SVA: wd_buf_register() fails with -EOPNOTSUPP");
		goto out;
	}
	tap_ok(wd_buf_register(c, in, len) == 0 &&
	       wd_buf_register(c, out, 2 * len) == 0,
	       "wd_buf_register() a source and a destination");
	tap_ok(vmpin_kib() == lck0 + 3 * 1024, "VmPin grows by 3 MiB (%ld -> %ld)",
	       lck0, vmpin_kib());
	tap_ok(round_trip(c, in, len, out, 2 * len, back),
	       "a round trip from registered memory is correct");
	tap_ok(wd_buf_register(c, in + page, page) == -EEXIST,
	       "registering a registered page again: -EEXIST");

	pid = fork();
	if (!pid) {
		/* the child forgets the parent's, and works without it */
		_exit(wd_buf_unregister(c, in) == 0 &&
		      round_trip(c, in, len, out, 2 * len, back) &&
		      wd_buf_unregister(c, in) == -ENOENT ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && !WEXITSTATUS(st),
	       "a forked child forgets the parent's registration and pins per request");
	tap_ok(vmpin_kib() == lck0 + 3 * 1024,
	       "the parent's registrations are intact");

	tap_ok(wd_buf_unregister(c, in) == 0 && wd_buf_unregister(c, out) == 0,
	       "wd_buf_unregister() both");
	tap_ok(vmpin_kib() == lck0, "VmPin is back (%ld)", vmpin_kib());
	tap_ok(wd_buf_unregister(c, in) == -ENOENT,
	       "unregistering again (use after unregister): -ENOENT");
	tap_ok(round_trip(c, in, len, out, 2 * len, back),
	       "the memory still works, pinned per request");

	b = wd_buf_alloc(c, len);
	tap_ok(b && vmpin_kib() == lck0 + 1024,
	       "wd_buf_alloc() memory is registered");
	tap_ok(b && wd_buf_unregister(c, b) == 0 && vmpin_kib() == lck0 &&
	       wd_buf_register(c, b, len) == 0,
	       "and can be unregistered and registered again");
	wd_buf_free(c, b);
	tap_ok(vmpin_kib() == lck0, "wd_buf_free() unregisters it");
	tap_ok(wd_buf_register(c, in, len) == 0, "register once more");
out:
	wd_comp_close(c);
	tap_ok(vmpin_kib() == lck0, "closing the session unregisters the rest");
	free(in);
	free(out);
	free(back);
}

/* Thousands of requests in flight on one session. */
static int deep(void)
{
	enum { N = 3000 };
	struct wd_comp_params p = { .policy = WD_POLICY_HW, .depth = N };
	struct wd_req *reqs = calloc(N, sizeof(*reqs));
	struct wd_req **ptrs = calloc(N, sizeof(*ptrs));
	unsigned char *src = malloc(4096), *dst = malloc((size_t)N * 4096);
	struct wd_queue_info info;
	struct wd_queue *q;
	struct wd_comp *c;
	int taken = 0, done = 0, bad = 0, peak;

	tap_plan(4);
	if (wd_queue_open(&q, NULL)) {
		tap_ok(0, "queue");
		return tap_done();
	}
	wd_queue_get_info(q, &info);
	p.queue = q;
	if (info.ring_depth < 2048 || wd_comp_open(&c, &p)) {
		tap_ok(0, "a ring of at least 2048 (%u)", info.ring_depth);
		return tap_done();
	}
	tap_ok(1, "ring of %u entries", info.ring_depth);
	memset(src, 0x5a, 4096);
	for (int i = 0; i < N; i++) {
		reqs[i].op = i % 3 ? WD_OP_COPY : WD_OP_NOP;
		reqs[i].src = src;
		reqs[i].src_len = 4096;
		reqs[i].dst = dst + (size_t)i * 4096;
		reqs[i].dst_len = 4096;
		ptrs[i] = &reqs[i];
	}
	/* fill the ring before anything is reaped */
	while (taken < N) {
		int r = wd_submit(c, ptrs + taken, (unsigned int)(N - taken));

		if (r <= 0)
			break;
		taken += r;
		if ((unsigned int)taken >= info.ring_depth)
			break;
	}
	peak = (int)wd_queue_inflight(q);
	tap_ok(peak >= 2048, "%d requests in flight at once", peak);
	while (done < N) {
		struct wd_req *d[256];
		int r;

		if (taken < N) {
			r = wd_submit(c, ptrs + taken, (unsigned int)(N - taken));
			if (r > 0)
				taken += r;
		}
		r = wd_poll(c, d, 256, 1, 10000);
		if (r <= 0)
			break;
		for (int i = 0; i < r; i++)
			if (d[i]->status || d[i]->path != WD_PATH_HW ||
			    (d[i]->op == WD_OP_COPY &&
			     memcmp(d[i]->dst, src, 4096)))
				bad++;
		done += r;
	}
	tap_ok(done == N && !bad, "all %d completed on the device, %d bad",
	       done, bad);
	wd_comp_close(c);
	wd_queue_close(q);
	tap_ok(1, "closed");
	free(reqs);
	free(ptrs);
	free(src);
	free(dst);
	return tap_done();
}

/*
 * Reads up to @max bytes of the C files of @dir (sorted by name) into
 * @buf; returns the bytes read.
 */
static size_t read_sources(const char *dir, char *buf, size_t max)
{
	struct dirent **names;
	size_t got = 0;
	int n, i;

	n = scandir(dir, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);
		char path[PATH_MAX];
		FILE *f;

		if (got < max && len > 2 &&
		    !strcmp(names[i]->d_name + len - 2, ".c") &&
		    snprintf(path, sizeof(path), "%s/%s", dir,
			     names[i]->d_name) < (int)sizeof(path)) {
			f = fopen(path, "r");
			if (f) {
				got += fread(buf + got, 1, max - got, f);
				fclose(f);
			}
		}
		free(names[i]);
	}
	free(names);
	return got;
}

/*
 * A one-shot decompression larger than one request runs as a stream.
 * After the first request's max_len bytes, the 3 KiB of room left is less
 * than the device may overrun, so the last 1 KiB goes through a stage
 * buffer, which with SVA is registered.  Ten of them give every
 * registration back: VmPin is where it was (each leaked 64 KiB).  Without
 * SVA the stage is plain memory, and the output must be right.
 */
static void test_oneshot_stage(const struct wd_queue_info *info)
{
	struct wd_comp_params p = { .format = WD_FORMAT_ZLIB,
				    .policy = WD_POLICY_HW };
	size_t len = (size_t)info->max_len + 1024, clen = len + len / 100 + 64;
	size_t room = len + 2048;
	unsigned char *in = malloc(len), *cmp = malloc(clen);
	unsigned char *back = malloc(room);
	uLongf zlen = clen;
	int ok = 0, i;
	struct wd_comp *c;
	long lck0;

	if (!in || !cmp || !back || wd_comp_open(&c, &p)) {
		tap_ok(0, "a session for one-shot streams");
		goto out;
	}
	for (size_t k = 0; k < len; k++)
		in[k] = (unsigned char)("one shot "[k % 9] ^ (k >> 13));
	if (compress2(cmp, &zlen, in, len, 6) != Z_OK) {
		tap_ok(0, "zlib compresses %zu bytes", len);
		wd_comp_close(c);
		goto out;
	}
	lck0 = vmpin_kib();
	for (i = 0; i < 10; i++) {
		size_t used = zlen, out_len = room;

		int ret;

		memset(back, 0, room);
		ret = wd_decompress(c, cmp, &used, back, &out_len);
		if (ret || out_len != len || memcmp(back, in, len))
			tap_diag("one-shot %d: %s, %zu of %zu bytes", i,
				 wd_strerror(ret), out_len, len);
		else
			ok++;
	}
	tap_ok(ok == 10 && vmpin_kib() == lck0,
	       "10 one-shot decompressions of max_len + 1 KiB into 2 KiB more: "
	       "correct (%d), VmPin unchanged (%ld -> %ld KiB)", ok,
	       lck0, vmpin_kib());
	/* room for exactly the output: the stream ends in its last byte */
	for (i = 0; i < 2; i++) {
		size_t used = zlen, out_len = len - i;
		int ret = wd_decompress(c, cmp, &used, back, &out_len);

		tap_ok(!i ? !ret && out_len == len && used == zlen &&
		       !memcmp(back, in, len) : ret == -ENOSPC,
		       "one-shot of max_len + 1 KiB into %s: %s",
		       i ? "one byte less" : "exactly that room",
		       wd_strerror(ret));
	}
	wd_comp_close(c);
out:
	free(in);
	free(cmp);
	free(back);
}

/* zlib's gzip stream of @len bytes at level 6, as wd_compress() makes */
static size_t zlib_gzip_len(const void *src, size_t len, void *dst,
			    size_t room)
{
	z_stream z = { 0 };
	size_t out;

	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	z.next_in = (Bytef *)src;
	z.avail_in = (uInt)len;
	z.next_out = dst;
	z.avail_out = (uInt)room;
	out = deflate(&z, Z_FINISH) == Z_STREAM_END ? z.total_out : 0;
	deflateEnd(&z);
	return out;
}

/*
 * The device's deflate starts afresh for each request, with a state sized
 * to it (Documentation/vzip.rst, "Compression"): its output for the same
 * blocks must be as small as zlib's at the same level, to 0.1%, from one
 * request of 2 KiB to 64 KiB.  The data: this repository's own C sources.
 */
static void test_ratio(void)
{
	static const size_t sizes[] = { 2048, 4096, 8192, 65536 };
	struct wd_comp_params p = {
		.format = WD_FORMAT_GZIP, .level = 6, .policy = WD_POLICY_HW,
		.flags = WD_COMP_F_THRESHOLD,
	};
	const size_t max = 512 << 10;
	char exe[PATH_MAX], dir[PATH_MAX + 16], *top;
	size_t len = 0, room, i, k;
	struct wd_comp *c;
	char *src, *dst;
	ssize_t n;
	int ret;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	top = strstr(exe, "/build/user/test/");
	src = malloc(max);
	room = wd_compress_bound(WD_FORMAT_GZIP, 65536);
	dst = malloc(room);
	if (top) {
		*top = '\0';
		snprintf(dir, sizeof(dir), "%s/lib", exe);
		len = src ? read_sources(dir, src, max) : 0;
		snprintf(dir, sizeof(dir), "%s/drivers/vzip", exe);
		len += src ? read_sources(dir, src + len, max - len) : 0;
		snprintf(dir, sizeof(dir), "%s/drivers/engine", exe);
		len += src ? read_sources(dir, src + len, max - len) : 0;
	}
	if (!tap_ok(src && dst && len >= 256 << 10,
		    "ratio: %zu bytes of the repository's C sources", len))
		goto out;
	ret = wd_comp_open(&c, &p);
	if (!tap_ok(!ret, "ratio: wd_comp_open (hw): %s", wd_strerror(ret)))
		goto out;
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t bs = sizes[k], dev = 0, zl = 0, bad = 0;

		for (i = 0; i + bs <= len; i += bs) {
			size_t out = room, z = zlib_gzip_len(src + i, bs, dst,
							     room);

			if (wd_compress(c, src + i, bs, dst, &out) || !z)
				bad++;
			dev += out;
			zl += z;
		}
		tap_ok(!bad && dev * 1000 <= zl * 1001,
		       "ratio: %zu-byte requests: device %zu bytes, zlib %zu (%+.3f%%), %zu failed",
		       bs, dev, zl, zl ? 100.0 * ((double)dev - zl) / zl : 0,
		       bad);
	}
	tap_ok(wd_comp_path(c, NULL) == WD_PATH_HW,
	       "ratio: every request ran on the device");
	wd_comp_close(c);
out:
	free(src);
	free(dst);
}

/*
 * What one of the library's waits did, seen while `watching` is set
 * through the clock and poll(), both interposed here for libwarpdrive
 * (the definitions below come before libc's): how often it read the
 * monotonic clock, its first and last reading, and whether it slept.
 *
 * A wait reads the clock at its first empty look (where it asks spin.h
 * whether to spin), every WD_SPIN_CHECK looks while it spins, and once
 * more at its end, to time itself for wd_spin_note().  So a wait that
 * was never asked read nothing (its request was done at its first look);
 * one that slept at once had read the clock once when it first slept; any
 * other asked wait spun.  (A sleep woken before the request is done, by
 * another completion, looks and reads the clock again: what came before
 * the first sleep is what tells.)
 */
struct wait_seen {
	unsigned int reads;
	unsigned int reads_at_sleep;	/* at the first poll() */
	int64_t first, last;
	bool slept;
};

static bool watching;
static struct wait_seen seen;

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	int ret = (int)syscall(SYS_clock_gettime, clk, ts);

	if (watching && !ret && clk == CLOCK_MONOTONIC) {
		seen.last = (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
		if (!seen.reads++)
			seen.first = seen.last;
	}
	return ret;
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
	struct timespec ts = { timeout_ms / 1000,
			       (timeout_ms % 1000) * 1000000L };

	if (watching && !seen.slept) {
		seen.slept = true;
		seen.reads_at_sleep = seen.reads;
	}
	return (int)syscall(SYS_ppoll, fds, nfds, timeout_ms < 0 ? NULL : &ts,
			    NULL, 0);
}

/*
 * spin.h's rule, replayed beside the library's own state: @model is fed
 * what each wait came to, exactly as the library feeds its queue's state,
 * so each wait must have spun when wd_spin_pays(@model) says it should.
 * The rule itself (lib/spin.c, linked into this test) is tested alone by
 * lib_spin_test; this is its use by the library's waits.
 */
struct spin_replay {
	struct wd_spin model;
	unsigned int waits, asked, once, probes, short_waits, wrong;
	int first_wrong;
};

static int spin_watched(struct spin_replay *r, int (*fn)(void *), void *arg)
{
	bool at_limit, pays, spun;
	int ret;

	memset(&seen, 0, sizeof(seen));
	watching = true;
	ret = fn(arg);
	watching = false;
	r->waits++;
	if (ret || !seen.reads)
		return ret;	/* failed, or never asked: nothing noted */
	r->asked++;
	at_limit = r->model.misses >= WD_SPIN_MISSES;
	pays = wd_spin_pays(&r->model);
	spun = !(seen.slept && seen.reads_at_sleep == 1);
	r->once += !spun;
	r->probes += at_limit && pays;
	if (spun != pays && !r->wrong++)
		r->first_wrong = (int)r->waits;
	if (seen.slept && seen.last - seen.first > WD_SPIN_LONG_NS) {
		wd_spin_note(&r->model, true);
	} else {
		r->short_waits++;
		wd_spin_note(&r->model, false);
	}
	return 0;
}

struct compress_arg {
	struct wd_comp *c;
	const char *src;
	char *dst;
	size_t len, room;
};

static int one_compress(void *arg)
{
	struct compress_arg *a = arg;
	size_t out = a->room;

	return wd_compress(a->c, a->src, a->len, a->dst, &out);
}

static int nop_round_trip(void *arg)
{
	struct wd_req r = { .op = WD_OP_NOP }, *rp = &r, *done;
	struct wd_comp *c = arg;

	if (wd_submit(c, &rp, 1) != 1)
		return -1;
	return wd_poll(c, &done, 1, 1, -1) == 1 && !done->status ? 0 : -1;
}

/*
 * Compressions of 64 KiB take milliseconds under TCG, past WD_SPIN_LONG_NS
 * (1 ms): after WD_SPIN_MISSES (4) such waits the queue's waiters sleep at
 * once, but one wait in WD_SPIN_PROBE (16) spins.  Then NOPs: the first
 * short one brings the spinning back.  Each wait is checked against the
 * rule replayed on what the waits before it came to, not against counts
 * fixed in advance: on a loaded host, a waiter preempted between its
 * submission and its first look finds a long request nearly done, and
 * that short wait rightly brings the spin back for the next four.
 */
static void test_adaptive_spin(void)
{
	/* a queue of its own: its spin state starts where the replay's does */
	struct wd_comp_params p = { .format = WD_FORMAT_GZIP,
				    .policy = WD_POLICY_HW,
				    .flags = WD_COMP_F_DEDICATED };
	const size_t len = 65536, room = wd_compress_bound(WD_FORMAT_GZIP, len);
	struct compress_arg a = { .len = len, .room = room };
	struct spin_replay r = { .first_wrong = -1 };
	unsigned int bad = 0, once;
	char *src = malloc(len), *dst = malloc(room);
	struct wd_comp *c = NULL;
	int ret;

	ret = src && dst ? wd_comp_open(&c, &p) : -ENOMEM;
	if (!tap_ok(!ret, "spin: wd_comp_open (hw): %s", wd_strerror(ret)))
		goto out;
	for (size_t i = 0; i < len; i++)
		src[i] = "warpdrive adapts its spin "[i % 26] + (i / 4096) % 7;
	a.c = c;
	a.src = src;
	a.dst = dst;
	for (int i = 0; i < 4 + 32; i++)
		bad += spin_watched(&r, one_compress, &a) != 0;
	tap_ok(!bad && !r.wrong,
	       "spin: each of %u waits for 64 KiB compressions spun as spin.h's rule says (%u asked, %u short): %u did not (first: wait %d), %u failed",
	       r.waits, r.asked, r.short_waits, r.wrong, r.first_wrong, bad);
	tap_ok(r.once >= 16 && r.probes >= 1,
	       "spin: long waits made the waiters sleep at once: %u of %u did, %u probes spun",
	       r.once, r.waits, r.probes);

	/*
	 * The replay goes on through the NOPs.  A NOP's wait spins, or sleeps
	 * at once only while WD_SPIN_MISSES long ones in a row stop it: the
	 * first short one must have brought the spinning back.
	 */
	bad = 0;
	once = r.once;
	r.waits = r.asked = r.short_waits = r.wrong = 0;
	r.first_wrong = -1;
	for (int i = 0; i < 48; i++)
		bad += spin_watched(&r, nop_round_trip, c) != 0;
	once = r.once - once;
	tap_ok(!bad && !r.wrong,
	       "spin: each of %u NOP waits after them spun as spin.h's rule says (%u short): %u did not (first: wait %d), %u failed",
	       r.waits, r.short_waits, r.wrong, r.first_wrong, bad);
	tap_ok(r.short_waits >= 1 && r.asked - once >= 1,
	       "spin: NOPs bring the spin back: of %u NOP waits asked, %u short, %u spun, %u slept at once",
	       r.asked, r.short_waits, r.asked - once, once);
out:
	wd_comp_close(c);
	free(src);
	free(dst);
}

int main(int argc, char **argv)
{
	struct wd_queue_info info;
	struct wd_queue *q;
	int ret;

	if (argc > 1 && !strcmp(argv[1], "deep"))
		return deep();
	ret = wd_queue_open(&q, NULL);
	tap_ok(!ret, "wd_queue_open: %s", wd_strerror(ret));
	if (ret)
		return tap_done();
	wd_queue_get_info(q, &info);
	test_discovery(&info);
	test_rings(q, &info);
	test_wakeup(q);
	test_descriptors(q, &info);
	wd_queue_close(q);
	test_threads();
	test_shared_waiters();
	test_zero_copy(&info);
	test_registered(&info);
	test_ratio();
	test_adaptive_spin();
	test_oneshot_stage(&info);
	return tap_done();
}
