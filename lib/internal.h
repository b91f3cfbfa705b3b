/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: declarations shared by the library's files, not exported.
 */
#ifndef WD_INTERNAL_H
#define WD_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <warpdrive/comp.h>

/* Only functions marked WD_EXPORT are visible outside the library. */
#define WD_EXPORT	__attribute__((visibility("default")))

/*
 * Functions marked WD_PRIVATE are visible too, but libwarpdrive.map puts
 * them in the version node WARPDRIVE_PRIVATE: they are there for libwdz.so
 * (the zlib drop-in, which uses this library rather than a copy of it)
 * and for nothing else.  No header of include/warpdrive/ declares them,
 * they may change in any release, and libwdz.so.1 works only with the
 * libwarpdrive.so.1 of its own build.
 */
#define WD_PRIVATE	__attribute__((visibility("default")))

#define WD_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define WD_MIN(a, b)		((a) < (b) ? (a) : (b))
#define WD_MAX(a, b)		((a) > (b) ? (a) : (b))

/* ---- env.c: settings from the environment, read once ---- */

#define WD_DEFAULT_SW_THRESHOLD	4096
/* WD_DEVICE_<CLASS> variables kept: more than there are classes */
#define WD_ENV_CLASSES		8

/**
 * struct wd_env - the environment variables of <warpdrive/common.h>
 * @policy: WD_POLICY (never WD_POLICY_DEFAULT)
 * @device: WD_DEVICE, "" if unset
 * @classes: WD_DEVICE_<CLASS>, the device of one class each
 * @nclasses: entries of @classes
 * @sw_threshold: WD_SW_THRESHOLD
 * @busy_wait: WD_WAIT=busy
 * @stats: WD_STATS=1
 */
struct wd_env {
	enum wd_policy policy;
	char device[64];
	struct {
		char name[16];		/* CLASS: upper case, as in the name */
		char device[64];
	} classes[WD_ENV_CLASSES];
	int nclasses;
	size_t sw_threshold;
	bool busy_wait;
	bool stats;
};

const struct wd_env *wd_env(void);

/**
 * wd_env_device() - the device the environment names for a class
 * @api: the class's api attribute (VZIP_API_VERSION, VCRYPT_API_VERSION);
 *       its CLASS is the part before the first '_', in upper case
 *
 * Return: WD_DEVICE_<CLASS> if set, else WD_DEVICE if set, else NULL.
 */
const char *wd_env_device(const char *api);

/* ---- stats.c: counters ---- */

/**
 * struct wd_counters - struct wd_stats, updated concurrently
 *
 * Every field is an atomic updated with relaxed ordering: counters are
 * only ever summed, nothing is ordered by them.
 */
struct wd_counters {
	atomic_uint_fast64_t hw_requests;
	atomic_uint_fast64_t hw_bytes_in;
	atomic_uint_fast64_t hw_bytes_out;
	atomic_uint_fast64_t sw_requests;
	atomic_uint_fast64_t sw_bytes_in;
	atomic_uint_fast64_t sw_bytes_out;
	atomic_uint_fast64_t sw_reason[WD_REASON_NR];
	atomic_uint_fast64_t copied_bytes;
	atomic_uint_fast64_t errors;
	atomic_uint_fast64_t wakeups;
	atomic_uint_fast64_t sleeps;
};

/* The process's counters; sessions count into theirs and into these. */
extern struct wd_counters wd_global_counters;

void wd_count_hw(struct wd_counters *c, size_t in, size_t out);
void wd_count_sw(struct wd_counters *c, enum wd_reason why,
		 size_t in, size_t out);
void wd_count_error(struct wd_counters *c);
void wd_count_copy(struct wd_counters *c, size_t bytes);
void wd_count_wakeup(struct wd_counters *c);
void wd_count_sleep(struct wd_counters *c);
void wd_counters_read(const struct wd_counters *c, struct wd_stats *st);

/* ---- helpers ---- */

/* Monotonic clock in nanoseconds. */
static inline int64_t wd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline bool wd_format_valid(int format)
{
	return format == WD_FORMAT_RAW || format == WD_FORMAT_ZLIB ||
	       format == WD_FORMAT_GZIP;
}

/*
 * Errors after which a device request (of any class) may be redone in
 * software: the device failed or went away (-ECANCELED: aborted, -EIO, -ENODEV, -ECHILD,
 * -EFAULT: it could not reach memory), the shared region had no room
 * (-ENOMEM), or the output outgrew one descriptor (-E2BIG).
 */
static inline bool wd_hw_retryable(int err)
{
	return err == -ECANCELED || err == -EIO || err == -ENODEV ||
	       err == -ECHILD || err == -ENOMEM || err == -EFAULT ||
	       err == -E2BIG;
}

static inline enum wd_reason wd_hw_fail_reason(int err)
{
	if (err == -ENOMEM)
		return WD_REASON_NO_MEMORY;
	if (err == -E2BIG)
		return WD_REASON_UNSUPPORTED;
	return WD_REASON_DEVICE_LOST;
}

#endif /* WD_INTERNAL_H */
