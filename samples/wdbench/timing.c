// SPDX-License-Identifier: GPL-2.0
/*
 * wdbench: clocks, CPU time and latency percentiles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "wdbench.h"

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double cpu_s(bool children)
{
	struct rusage ru;

	getrusage(children ? RUSAGE_CHILDREN : RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

void lat_add(struct lat *l, double us)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4096;
		double *v;

		/* beyond a million samples, keep overwriting at random */
		if (cap > (1u << 20)) {
			l->v[(size_t)rand() % l->n] = us;
			return;
		}
		v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = us;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const struct lat *l, double p)
{
	size_t i = (size_t)(p * (double)(l->n - 1) + 0.5);

	return l->v[i < l->n ? i : l->n - 1];
}

void lat_finish(struct lat *l, struct result *r)
{
	if (l->n) {
		qsort(l->v, l->n, sizeof(*l->v), cmp_double);
		r->p50 = pct(l, 0.50);
		r->p99 = pct(l, 0.99);
		r->p999 = pct(l, 0.999);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/*
 * Runs @op back to back: the first half of the time for throughput and
 * CPU time, the application's and the engines' (the clock is read once
 * per batch, so that it costs nothing next to a system call), the second
 * half for latency (read around each request).  One request goes first,
 * untimed: a measurement's first request pays for what only a first one
 * does (code run for the first time in this process, which TCG
 * translates; a device engine woken from a long sleep).
 */
void run_sync(const struct work *w, op_fn op, void *ctx, struct result *r)
{
	struct lat lat = { 0 };

	op(ctx);
	run_sync_part(w, op, ctx, r, &lat);
	lat_finish(&lat, r);
}

/*
 * run_sync() without the percentiles: adds its requests, bytes, time,
 * what the engines did and latency samples to @r and @lat, for a
 * measurement made of several slices (crypto.c alternates the library's
 * and EVP's).
 */
void run_sync_part(const struct work *w, op_fn op, void *ctx,
		   struct result *r, struct lat *lat)
{
	double t0, t1, c0, half = w->seconds / 2, end;
	struct engines e0, e1, d;
	unsigned int batch = 1;
	bool first = !r->ops;
	long out;

	if (w->engines)
		engines_sample(w, &e0);
	c0 = cpu_s(false);
	t0 = now_s();
	end = t0 + half;
	do {
		double b0 = now_s();

		for (unsigned int i = 0; i < batch; i++) {
			out = op(ctx);
			if (out < 0) {
				snprintf(r->note, sizeof(r->note),
					 "request failed");
				r->ok = false;
				return;
			}
			r->ops++;
			r->bytes += w->op == OP_NOP || w->op == OP_SYSCALL ?
				    0 : w->size;
			r->out_bytes += (uint64_t)out;
		}
		t1 = now_s();
		/* batches of about a millisecond */
		if (t1 - b0 < 1e-3 && batch < (1u << 20))
			batch *= 2;
	} while (t1 < end);
	r->secs += t1 - t0;
	r->cpu += cpu_s(false) - c0;
	if (w->engines) {
		engines_sample(w, &e1);
		engines_delta(&d, &e0, &e1);
		engines_add(&r->eng, &d, first);
	}

	end = t1 + half;
	do {
		double a = now_s();

		if (op(ctx) < 0)
			break;
		t1 = now_s();
		lat_add(lat, (t1 - a) * 1e6);
	} while (t1 < end);
	r->ok = true;
}
