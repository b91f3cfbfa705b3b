/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzzers of test/guest/ share: a generator that is deterministic
 * from a seed (splitmix64), the count of the operation in progress, and
 * the report of the first failure with the command that replays it.
 *
 *	fuzz_init(seed, "vzip_fuzz_test", "descriptor fuzzing");
 *	for (n = 0; n < ops; n++) {
 *		fuzz_begin(n);
 *		if (fuzz_below(100) < 40 && !good())
 *			fuzz_fail("what went wrong: %d", x);
 *	}
 *
 * fuzz_begin() gives each operation a stream of its own, derived from the
 * seed and its number: what one operation found (the outcome of a race)
 * does not change which operations follow.
 *
 * Include tap.h first.  Single-threaded.
 */
#ifndef WARPDRIVE_TEST_FUZZ_H
#define WARPDRIVE_TEST_FUZZ_H

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t fuzz_state;
static uint64_t fuzz_seed;
static unsigned long fuzz_op;		/* the operation in progress */
static const char *fuzz_cmd;		/* the program and its fixed arguments */
static const char *fuzz_what;		/* the TAP case a failure fails */
static const char *fuzz_op_name;	/* what the operation does, if set */

static inline void fuzz_init(uint64_t seed, const char *cmd, const char *what)
{
	fuzz_seed = seed;
	fuzz_state = seed;
	fuzz_cmd = cmd;
	fuzz_what = what;
}

static int fuzz_verbose;		/* -v: fuzz_trace() prints */

/* With -v, one line of what the operation does, as a TAP comment. */
static inline void __attribute__((format(printf, 1, 2)))
fuzz_trace(const char *fmt, ...)
{
	va_list ap;

	if (!fuzz_verbose)
		return;
	printf("#   ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Operation @n begins, with its own stream. */
static inline void fuzz_begin(unsigned long n)
{
	fuzz_op = n;
	fuzz_state = fuzz_seed ^ ((uint64_t)(n + 1) * 0xd6e8feb86659fd93ull);
}

static inline uint64_t fuzz_rnd(void)
{
	uint64_t z = (fuzz_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* 0 to @n - 1 (0 if @n is 0) */
static inline uint32_t fuzz_below(uint32_t n)
{
	return n ? (uint32_t)(fuzz_rnd() % n) : 0;
}

static inline bool fuzz_chance(unsigned int percent)
{
	return fuzz_below(100) < percent;
}

/* Below @n with @percent chance, any byte otherwise. */
static inline uint8_t fuzz_mostly(unsigned int percent, uint32_t n)
{
	return fuzz_chance(percent) ? fuzz_below(n) : (uint8_t)fuzz_rnd();
}

/*
 * The first failure ends the run: what failed, in the operation and seed
 * that replay it, and the command that does.
 */
static inline void __attribute__((noreturn, format(printf, 1, 2)))
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	printf("# operation %lu%s%s%s (seed %llu): ", fuzz_op,
	       fuzz_op_name ? " (" : "", fuzz_op_name ? fuzz_op_name : "",
	       fuzz_op_name ? ")" : "", (unsigned long long)fuzz_seed);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n# reproduce: %s --seed %llu --ops %lu -v\n", fuzz_cmd,
	       (unsigned long long)fuzz_seed, fuzz_op + 1);
	tap_ok(0, "%s: no crash, hang or wrong answer", fuzz_what);
	exit(tap_done());
}

/**
 * struct fuzz_opts - a fuzzer's command line
 * @seed: --seed S (default: the time)
 * @ops: --ops N, operations at most
 * @seconds: --seconds T, seconds at most
 * @verbose: -v, --verbose: say every operation
 * @extra: the argument of the program's own option, if it has one
 */
struct fuzz_opts {
	uint64_t seed;
	unsigned long ops;
	unsigned long seconds;
	int verbose;
	const char *extra;
};

/*
 * Parses the command line every fuzzer takes, plus --@extra ARG when
 * @extra is not NULL (then required); @o holds the defaults on entry.
 * Returns false, having printed the usage, on a bad command line.
 */
static inline bool fuzz_parse(int argc, char **argv, struct fuzz_opts *o,
			      const char *extra)
{
	const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ extra ? extra : "", required_argument, NULL, 'x' },
		{ 0 }
	};
	bool good = true;
	int c;

	o->seed = (uint64_t)time(NULL);
	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			o->ops = strtoul(optarg, NULL, 0);
			break;
		case 't':
			o->seconds = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'x':
			o->extra = optarg;
			break;
		default:
			good = false;
			break;
		}
	}
	if (optind < argc || (extra && !o->extra))
		good = false;
	if (!good)
		fprintf(stderr, "usage: %s%s%s%s [--seed S] [--ops N] "
			"[--seconds T] [-v]\n", argv[0], extra ? " --" : "",
			extra ? extra : "", extra ? " ARG" : "");
	return good;
}

#endif /* WARPDRIVE_TEST_FUZZ_H */
