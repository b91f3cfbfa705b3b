/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wdbench: what the benchmark's parts share.
 */
#ifndef WDBENCH_H
#define WDBENCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include <warpdrive/warpdrive.h>

/* What one measurement runs. */
enum bench_op {
	OP_COMPRESS,
	OP_DECOMPRESS,
	OP_COPY,
	OP_NOP,
	OP_SYSCALL,	/* a trivial system call: the yardstick for NOP */
	/* crypto (crypto.c): one whole buffer per request, encrypting */
	OP_SHA256,
	OP_SHA512,
	OP_SHA3_256,
	OP_SM3,
	OP_HMAC_SHA256,
	OP_AES_128_CBC,
	OP_AES_256_CTR,
	OP_AES_256_XTS,
	OP_SM4_CBC,
	OP_AES_256_GCM,
	OP_NR
};

enum bench_mode {
	MODE_SYNC,	/* one request at a time, waiting for each */
	MODE_ASYNC,	/* @depth requests kept in flight */
	MODE_PROCS,	/* @procs processes, each MODE_SYNC */
	MODE_NR
};

/**
 * struct block - the input of one request
 * @data: uncompressed, struct work's @size bytes
 * @comp: @data compressed in the measurement's format and level,
 *        @comp_len bytes (decompression only)
 */
struct block {
	const unsigned char *data;
	const unsigned char *comp;
	size_t comp_len;
};

/**
 * struct work - one measurement
 * @engine: "vzip" (the library on the device), "wd-sw" (the library's
 *          software path), "queue" (the queue layer alone), "zlib",
 *          "libdeflate", "isal", "memcpy", "kernel", "pingpong" (two
 *          threads on two CPUs passing a cache line: the floor of a
 *          round trip between CPUs), "ring" (a NOP through vzip's ring
 *          protocol, a thread on another CPU as the engine), "phase" (the
 *          same on rings whose entries carry a phase instead of indexes);
 *          crypto ops: "wd" (the library's crypto API, policy from
 *          WD_POLICY, auto by default) and "evp" (OpenSSL's EVP in this
 *          process, the anchor)
 * @op: enum bench_op
 * @mode: enum bench_mode
 * @size: bytes of uncompressed data per request
 * @depth: requests in flight (MODE_ASYNC)
 * @procs: processes (MODE_PROCS)
 * @level: compression level
 * @format: enum wd_format
 * @busy: spin while waiting instead of poll()
 * @engines: the device class ("vzip", "vcrypt") whose engines to sample
 *           around the throughput part (struct result's @eng), or NULL
 *           (not in MODE_PROCS, whose processes' windows differ)
 * @seconds: how long to run
 * @blocks: the inputs, @nblocks of them; request i takes block
 *          i % @nblocks (one block of generated text without --input)
 */
struct work {
	const char *engine;
	enum bench_op op;
	enum bench_mode mode;
	size_t size;
	unsigned int depth;
	unsigned int procs;
	int level;
	int format;
	bool busy;
	const char *engines;
	double seconds;
	const struct block *blocks;
	size_t nblocks;
};

/* The input of the @i-th request of @w. */
static inline const struct block *work_block(const struct work *w,
					     uint64_t i)
{
	return &w->blocks[i % w->nblocks];
}

/**
 * struct engines - what the device's engines did in a measurement
 * @seen: the counters were readable (the driver's debugfs, as root)
 * @cpu: CPU seconds of the engine threads
 * @wakeups: times an engine was woken from sleep
 * @doorbells: doorbells the queues rang
 */
struct engines {
	bool seen;
	double cpu;
	uint64_t wakeups;
	uint64_t doorbells;
};

/**
 * struct result - what a measurement found
 * @ok: it ran (false: engine unavailable, see @note)
 * @note: why it did not run, or a remark
 * @ops: requests completed
 * @bytes: uncompressed bytes processed
 * @out_bytes: bytes produced (compression: compressed size)
 * @secs: wall time
 * @cpu: CPU time of this process (user + system), children included
 *       in MODE_PROCS
 * @p50, @p99, @p999: latency percentiles in microseconds (MODE_SYNC)
 * @hw_share: fraction of requests the device ran (library engines)
 * @hw_requests, @sw_requests: requests the device and software ran, from
 *                             the library's statistics (crypto "wd")
 * @sw_reason: why most software requests ran there (wd_reason_name()),
 *             or NULL
 * @blocks: input blocks the requests cycled through
 * @eng: what the device's engines did (device engines)
 */
struct result {
	bool ok;
	char note[96];
	uint64_t ops;
	uint64_t bytes;
	uint64_t out_bytes;
	double secs;
	double cpu;
	double p50;
	double p99;
	double p999;
	double hw_share;
	uint64_t hw_requests;
	uint64_t sw_requests;
	const char *sw_reason;
	size_t blocks;
	struct engines eng;
};

/* timing.c */
double now_s(void);
double cpu_s(bool children);

/**
 * struct lat - latency samples of one run
 * @v: samples in microseconds
 * @n: how many
 * @cap: room
 */
struct lat {
	double *v;
	size_t n;
	size_t cap;
};

void lat_add(struct lat *l, double us);
void lat_finish(struct lat *l, struct result *r);

/* One request; returns the bytes it produced, or -1 on failure. */
typedef long (*op_fn)(void *ctx);

void run_sync(const struct work *w, op_fn op, void *ctx, struct result *r);
void run_sync_part(const struct work *w, op_fn op, void *ctx,
		   struct result *r, struct lat *lat);

/**
 * struct inflight_ops - one kind of request, for run_inflight()
 * @req: the @i-th of the context's @depth requests, ready to submit
 * @submit: submits the first @n of @reqs; how many it took (the first
 *          ones), or a negative errno
 * @poll: waits for a completion; how many requests completed (up to
 *        @max), or a negative errno
 * @complete: the @i-th request of the last @poll: its status (0 or a
 *            negative errno) and the bytes it produced; makes it the
 *            next request and returns it
 */
struct inflight_ops {
	void *(*req)(void *ctx, unsigned int i);
	int (*submit)(void *ctx, void *const *reqs, unsigned int n);
	int (*poll)(void *ctx, unsigned int max);
	void *(*complete)(void *ctx, int i, int *status, size_t *produced);
};

/* inflight.c: async mode, the same loop for every kind of request */
void run_inflight(const struct work *w, const struct inflight_ops *ops,
		  void *ctx, struct result *r);

/* software.c: in-process engines */
bool sw_engine_available(const char *engine);
void sw_run(const struct work *w, struct result *r);

/* device.c: the library's engines */
void device_run(const struct work *w, struct result *r);

/*
 * engines.c: the engine counters of @w->engines, the device class (vzip,
 * vcrypt), before and after a measurement
 */
void engines_sample(const struct work *w, struct engines *e);
void engines_delta(struct engines *d, const struct engines *before,
		   const struct engines *after);
void engines_add(struct engines *sum, const struct engines *d, bool first);

/* crypto.c: libwarpdrive's crypto API ("wd") and OpenSSL's EVP ("evp") */
bool crypto_op(enum bench_op op);
int crypto_verify(enum bench_op op, size_t size, char *why, size_t why_size);
void crypto_run(const struct work *w, struct result *r);
void crypto_run_pair(const struct work *wd, const struct work *evp,
		     struct result *rwd, struct result *revp);

/**
 * struct load - the CPU hogs of --loaded (load.c)
 * @pids: their process IDs
 * @n: how many: one per CPU this process may run on
 */
struct load {
	pid_t *pids;
	unsigned int n;
};

/* load.c: starts a hog on each CPU; 0 or -errno (none left running) */
int load_start(struct load *l);
/* load.c: kills and reaps them; @l->n stays the count that ran */
void load_stop(struct load *l);

/*
 * pingpong.c: runs @partner_fn(@ctx) in a thread on the second of this
 * process's first two CPUs and @measure on the first, then sets *@stop
 * and joins the partner; the calling thread gets its former CPUs back.
 * Without two CPUs, or if pinning fails, @r says why and is not ok.
 */
void bench_pair(const struct work *w, struct result *r,
		void *(*partner_fn)(void *),
		void (*measure)(const struct work *, struct result *, void *),
		void *ctx, atomic_bool *stop);
/* pingpong.c: the round trip between two CPUs, without a device */
void pingpong_run(const struct work *w, struct result *r);
/* pingpong.c: a NOP through vzip's rings, served by a thread */
void ring_floor_run(const struct work *w, struct result *r);
/* pingpong.c: the same on rings whose entries carry their phase */
void phase_floor_run(const struct work *w, struct result *r);
/*
 * wakeup.c: a thread that only sleeps in poll() once per request, woken
 * from another CPU after @busy_s, the device's time per request
 */
void wakeup_run(const struct work *w, struct result *r, double busy_s);

static inline const char *op_name(enum bench_op op)
{
	static const char *const names[] = {
		"compress", "decompress", "copy", "nop", "syscall",
		"sha256", "sha512", "sha3-256", "sm3", "hmac-sha256",
		"aes-128-cbc", "aes-256-ctr", "aes-256-xts", "sm4-cbc",
		"aes-256-gcm",
	};

	return names[op];
}

static inline const char *mode_name(enum bench_mode mode)
{
	static const char *const names[] = { "sync", "async", "procs" };

	return names[mode];
}

#endif /* WDBENCH_H */
