// SPDX-License-Identifier: GPL-2.0
/*
 * wdbench: the floor of the caller's CPU per request waited for by
 * sleeping (issue #16's goal 1, Documentation/benchmarks.rst).  A request
 * the caller sleeps for costs it at least one poll() that sleeps and the
 * wake-up sent from the CPU that completed it, whatever the library does.
 * Two threads of this process, pinned to two CPUs: the partner plays the
 * device, busy for as long as the device took per request in this run,
 * then writes a byte to a pipe; the measuring thread hands it a
 * "request", sleeps in poll() on the pipe and reads the byte.  The
 * measuring thread's own CPU time per request, not the partner's, is the
 * floor.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wdbench.h"

/* A wake-up later than the partner's busy time by this much is lost. */
#define WAKEUP_LATE_MS	10000

/**
 * struct wakeup - the two threads' shared state
 * @fds: the pipe: the partner writes, the measuring thread reads
 * @busy_s: the partner's time per request
 * @asked: requests handed to the partner so far
 * @stop: the partner leaves
 */
struct wakeup {
	int fds[2];
	double busy_s;
	atomic_uint_least64_t asked;
	atomic_bool stop;
};

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The device: a request at a time, busy on its CPU, then the wake-up. */
static void *partner(void *arg)
{
	struct wakeup *wk = arg;
	uint_least64_t done = 0;

	while (!atomic_load_explicit(&wk->stop, memory_order_relaxed)) {
		double end;

		if (atomic_load_explicit(&wk->asked, memory_order_acquire) ==
		    done)
			continue;
		done++;
		end = now_s() + wk->busy_s;
		while (now_s() < end &&
		       !atomic_load_explicit(&wk->stop, memory_order_relaxed))
			;
		if (write(wk->fds[1], "", 1) != 1)
			break;
	}
	return NULL;
}

/*
 * One request: hand it over, sleep until it is done.  Not forever: a
 * partner that could not write its byte has left, and no wake-up comes.
 */
static int one(struct wakeup *wk)
{
	struct pollfd p = { .fd = wk->fds[0], .events = POLLIN };
	int wait_ms = (int)(wk->busy_s * 1000) + WAKEUP_LATE_MS;
	char c;

	atomic_fetch_add_explicit(&wk->asked, 1, memory_order_release);
	if (poll(&p, 1, wait_ms) != 1 || read(wk->fds[0], &c, 1) != 1)
		return -1;
	return 0;
}

/* The measuring thread, on its CPU: the partner already runs on the other. */
static void measure(const struct work *w, struct result *r, void *ctx)
{
	struct wakeup *wk = ctx;
	double t0, c0, end;

	/* a few first, as run_sync() runs one before it measures */
	for (int i = 0; i < 3; i++)
		if (one(wk))
			goto failed;
	c0 = thread_cpu_s();
	t0 = now_s();
	end = t0 + w->seconds;
	do {
		if (one(wk))
			goto failed;
		r->ops++;
	} while (now_s() < end);
	r->secs = now_s() - t0;
	r->cpu = thread_cpu_s() - c0;
	r->bytes = r->ops * w->size;
	r->ok = true;
	snprintf(r->note, sizeof(r->note),
		 "a sleep in poll() per request of %.0f us", wk->busy_s * 1e6);
	return;
failed:
	snprintf(r->note, sizeof(r->note),
		 "no wake-up within %d ms of the partner's time, or poll() failed",
		 WAKEUP_LATE_MS);
}

/**
 * wakeup_run() - measure the floor of a request waited for by sleeping
 * @w: the measurement: its size and time
 * @r: the result: requests, bytes (@w->size each) and the measuring
 *	thread's CPU; not ok, with the reason, without two CPUs or a pipe
 * @busy_s: the device's time per request, from this run
 */
void wakeup_run(const struct work *w, struct result *r, double busy_s)
{
	struct wakeup wk = { .busy_s = busy_s };

	if (pipe(wk.fds)) {
		snprintf(r->note, sizeof(r->note), "pipe: %s", strerror(errno));
		return;
	}
	atomic_init(&wk.asked, 0);
	bench_pair(w, r, partner, measure, &wk, &wk.stop);
	close(wk.fds[0]);
	close(wk.fds[1]);
}
