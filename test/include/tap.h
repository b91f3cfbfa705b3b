/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP (Test Anything Protocol) output for WarpDrive's C tests.
 *
 *	tap_plan(3);
 *	tap_ok(fd >= 0, "open %s", path);
 *	tap_skip("needs SVA", "sva round trip");
 *	return tap_done();
 *
 * Every case counts once in `make check`; tap_done() returns the exit
 * status (1 if a case failed or the plan was not met).  The counters are
 * atomics so threads may report, and a forked child should only report
 * through its exit status.
 */
#ifndef WARPDRIVE_TEST_TAP_H
#define WARPDRIVE_TEST_TAP_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static atomic_int tap_count;
static atomic_int tap_failed;
static int tap_planned = -1;

static inline void tap_plan(int n)
{
	tap_planned = n;
	printf("TAP version 13\n1..%d\n", n);
	fflush(stdout);
}

__attribute__((format(printf, 2, 3)))
static inline int tap_ok(int cond, const char *fmt, ...)
{
	int n = atomic_fetch_add(&tap_count, 1) + 1;
	char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (!cond)
		atomic_fetch_add(&tap_failed, 1);
	printf("%sok %d %s\n", cond ? "" : "not ", n, name);
	fflush(stdout);
	return cond;
}

__attribute__((format(printf, 2, 3)))
static inline void tap_skip(const char *reason, const char *fmt, ...)
{
	int n = atomic_fetch_add(&tap_count, 1) + 1;
	char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	printf("ok %d %s # SKIP %s\n", n, name, reason);
	fflush(stdout);
}

/* A diagnostic line, shown with the results. */
__attribute__((format(printf, 1, 2)))
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static inline int tap_done(void)
{
	int n = atomic_load(&tap_count);

	if (tap_planned >= 0 && n != tap_planned) {
		printf("# planned %d tests but ran %d\n", tap_planned, n);
		return 1;
	}
	if (tap_planned < 0)
		printf("1..%d\n", n);
	fflush(stdout);
	return atomic_load(&tap_failed) ? 1 : 0;
}

#endif /* WARPDRIVE_TEST_TAP_H */
