// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: counters of what went to the device and what to software,
 * per session and for the whole process, and the WD_STATS=1 report at exit.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

struct wd_counters wd_global_counters;

static void add(atomic_uint_fast64_t *a, uint64_t v)
{
	atomic_fetch_add_explicit(a, v, memory_order_relaxed);
}

static uint64_t get(const atomic_uint_fast64_t *a)
{
	return atomic_load_explicit(a, memory_order_relaxed);
}

/* Adds @v to a field of @c and of the process counters. */
#define COUNT(c, field, v) do {						\
	if ((c) && (c) != &wd_global_counters)				\
		add(&(c)->field, (v));					\
	add(&wd_global_counters.field, (v));				\
} while (0)

void wd_count_hw(struct wd_counters *c, size_t in, size_t out)
{
	COUNT(c, hw_requests, 1);
	COUNT(c, hw_bytes_in, in);
	COUNT(c, hw_bytes_out, out);
}

WD_PRIVATE
void wd_count_sw(struct wd_counters *c, enum wd_reason why,
		 size_t in, size_t out)
{
	if ((unsigned int)why >= WD_REASON_NR)
		why = WD_REASON_NONE;
	COUNT(c, sw_requests, 1);
	COUNT(c, sw_bytes_in, in);
	COUNT(c, sw_bytes_out, out);
	COUNT(c, sw_reason[why], 1);
}

void wd_count_error(struct wd_counters *c)
{
	COUNT(c, errors, 1);
}

void wd_count_copy(struct wd_counters *c, size_t bytes)
{
	COUNT(c, copied_bytes, bytes);
}

void wd_count_wakeup(struct wd_counters *c)
{
	COUNT(c, wakeups, 1);
}

void wd_count_sleep(struct wd_counters *c)
{
	COUNT(c, sleeps, 1);
}

void wd_counters_read(const struct wd_counters *c, struct wd_stats *st)
{
	st->hw_requests = get(&c->hw_requests);
	st->hw_bytes_in = get(&c->hw_bytes_in);
	st->hw_bytes_out = get(&c->hw_bytes_out);
	st->sw_requests = get(&c->sw_requests);
	st->sw_bytes_in = get(&c->sw_bytes_in);
	st->sw_bytes_out = get(&c->sw_bytes_out);
	for (int i = 0; i < WD_REASON_NR; i++)
		st->sw_reason[i] = get(&c->sw_reason[i]);
	st->copied_bytes = get(&c->copied_bytes);
	st->errors = get(&c->errors);
	st->wakeups = get(&c->wakeups);
	st->sleeps = get(&c->sleeps);
}

WD_EXPORT void wd_get_stats(struct wd_stats *st)
{
	wd_counters_read(&wd_global_counters, st);
}

/* WD_STATS=1: one line per path on stderr, so LD_PRELOAD users can tell. */
__attribute__((destructor)) static void stats_report(void)
{
	struct wd_stats st;

	if (!getenv("WD_STATS") || !wd_env()->stats)
		return;
	wd_get_stats(&st);
	/* a process that never used the library has nothing to say */
	if (!st.hw_requests && !st.sw_requests && !st.errors)
		return;
	fprintf(stderr,
		"libwarpdrive: hw %llu requests, %llu bytes in, %llu out\n"
		"libwarpdrive: sw %llu requests, %llu bytes in, %llu out",
		(unsigned long long)st.hw_requests,
		(unsigned long long)st.hw_bytes_in,
		(unsigned long long)st.hw_bytes_out,
		(unsigned long long)st.sw_requests,
		(unsigned long long)st.sw_bytes_in,
		(unsigned long long)st.sw_bytes_out);
	for (int i = 1; i < WD_REASON_NR; i++)
		if (st.sw_reason[i])
			fprintf(stderr, ", %s %llu", wd_reason_name(i),
				(unsigned long long)st.sw_reason[i]);
	fprintf(stderr, "\nlibwarpdrive: %llu errors, %llu bytes copied, %llu wake-ups, %llu sleeps\n",
		(unsigned long long)st.errors,
		(unsigned long long)st.copied_bytes,
		(unsigned long long)st.wakeups,
		(unsigned long long)st.sleeps);
}
