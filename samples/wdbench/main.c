// SPDX-License-Identifier: GPL-2.0
/*
 * wdbench: throughput, operations per second, latency percentiles and CPU
 * time per MB of compression, decompression, COPY and NOP on a WarpDrive
 * device, next to the same work done in this process by zlib, libdeflate,
 * ISA-L, memcpy and a trivial system call, in the same run; and digests,
 * HMAC, ciphers and AEAD through libwarpdrive's crypto API next to
 * OpenSSL's EVP in this process (crypto.c).  Prints a table and writes
 * JSON to <out>/<name>.json.
 *
 * Without --op/--size/--mode/--depth/--engine it runs the "goals" suite,
 * whose ratios Documentation/benchmarks.rst reports.  The input is
 * generated text, or with --input a file cut into blocks of the request
 * size, which the requests take in turn.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "wdbench.h"

#define MAX_WORKS	256
#define MAX_LIST	16
#define INPUT_MAX_BYTES	(1ul << 30)
/* What the options may ask for: each request's buffers are allocated */
#define MAX_SIZE	(1ul << 30)
#define MAX_SIZE_NAME	"1g"	/* MAX_SIZE as --size writes it */
#define MAX_DEPTH	1024
#define MAX_PROCS	256
#define STR_(x)		#x
#define STR(x)		STR_(x)

/* What --engine takes (the goals suite adds "wakeup") */
static const char *const engine_names[] = {
	"vzip", "vzip-pinned", "wd-sw", "queue", "zlib", "libdeflate", "isal",
	"memcpy", "kernel", "pingpong", "ring", "phase", "wd", "evp",
};

/**
 * struct bench - the run
 * @works: measurements, @nworks of them, with @results
 * @seconds, @level, @format, @procs: settings
 * @out_dir, @name: where the JSON goes
 * @input: the --input file, or NULL for generated text
 * @data: input data, @data_len bytes
 * @loaded: --loaded: a CPU hog on every CPU during the measurements
 * @hogs: how many ran
 */
struct bench {
	struct work works[MAX_WORKS];
	struct result results[MAX_WORKS];
	int nworks;
	double seconds;
	int level;
	int format;
	unsigned int procs;
	const char *out_dir;
	const char *name;
	const char *input;
	unsigned char *data;
	size_t data_len;
	bool loaded;
	unsigned int hogs;
};

static const char *format_name(int format)
{
	return format == WD_FORMAT_RAW ? "raw" :
	       format == WD_FORMAT_ZLIB ? "zlib" : "gzip";
}

/* Text-like data that compresses about as well as prose (3-4x). */
static unsigned char *make_data(size_t len)
{
	static const char *const words[] = {
		"the", "queue", "device", "of", "and", "compression",
		"accelerator", "kernel", "a", "to", "in", "is", "request",
		"memory", "process", "with", "ring", "page", "for", "data",
		"completion", "stream", "zlib", "engine", "that", "user",
	};
	unsigned char *p = malloc(len);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t i = 0;

	if (!p)
		return NULL;
	while (i < len) {
		const char *w;
		size_t n;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w = words[x % (sizeof(words) / sizeof(words[0]))];
		n = strlen(w);
		for (size_t k = 0; k < n && i < len; k++)
			p[i++] = (unsigned char)w[k];
		if (i < len)
			p[i++] = (x >> 32) % 11 ? ' ' : (x >> 40) % 3 ? '\n' :
								 (unsigned char)('0' + (x >> 48) % 10);
	}
	return p;
}

/* @len bytes of the data compressed by zlib in @format at @level. */
static unsigned char *make_comp(const unsigned char *data, size_t len,
				int format, int level, size_t *out_len)
{
	int wb = format == WD_FORMAT_RAW ? -15 :
		 format == WD_FORMAT_GZIP ? 31 : 15;
	z_stream z = { 0 };
	unsigned char *out;

	if (deflateInit2(&z, level, Z_DEFLATED, wb, 8, Z_DEFAULT_STRATEGY))
		return NULL;
	*out_len = deflateBound(&z, len);
	out = malloc(*out_len);
	if (out) {
		z.next_in = (Bytef *)data;
		z.avail_in = (uInt)len;
		z.next_out = out;
		z.avail_out = (uInt)*out_len;
		if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
			free(out);
			out = NULL;
		}
		*out_len = z.total_out;
	}
	deflateEnd(&z);
	return out;
}

/* Reads @path whole into @b; 0, or -1 with the reason printed. */
static int load_input(struct bench *b, const char *path)
{
	struct stat st;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "wdbench: %s: %s\n", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (unsigned long)st.st_size > INPUT_MAX_BYTES) {
		fprintf(stderr, "wdbench: %s: %s\n", path,
			!S_ISREG(st.st_mode) ? "not a regular file" :
			st.st_size <= 0 ? "empty" : "larger than 1 GiB");
		goto fail;
	}
	b->data_len = (size_t)st.st_size;
	b->data = malloc(b->data_len);
	if (!b->data) {
		fprintf(stderr, "wdbench: %s: out of memory\n", path);
		goto fail;
	}
	while (got < b->data_len) {
		ssize_t n = read(fd, b->data + got, b->data_len - got);

		if (n <= 0) {
			fprintf(stderr, "wdbench: %s: %s\n", path,
				n ? strerror(errno) : "shorter than its size");
			goto fail;
		}
		got += (size_t)n;
	}
	close(fd);
	b->input = path;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(b->data);
	b->data = NULL;
	return -1;
}

/*
 * The blocks @w's requests take: the input cut into @w->size pieces (a
 * piece shorter than that at the end is left out), or the one block of
 * generated text; each compressed too for decompression.  NULL when out
 * of memory.
 */
static struct block *make_blocks(const struct bench *b, struct work *w)
{
	size_t n = b->input && w->size ? b->data_len / w->size : 1;
	struct block *bl = calloc(n, sizeof(*bl));

	if (!bl)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		bl[i].data = b->data + i * w->size;
		if (w->op != OP_DECOMPRESS)
			continue;
		bl[i].comp = make_comp(bl[i].data, w->size, w->format,
				       w->level, &bl[i].comp_len);
		if (!bl[i].comp) {
			w->blocks = bl;
			w->nblocks = i;
			return NULL;
		}
	}
	w->blocks = bl;
	w->nblocks = n;
	return bl;
}

static void free_blocks(struct work *w)
{
	for (size_t i = 0; w->blocks && i < w->nblocks; i++)
		free((void *)w->blocks[i].comp);
	free((void *)w->blocks);
	w->blocks = NULL;
	w->nblocks = 0;
}

static int add(struct bench *b, const char *engine, enum bench_op op,
	       enum bench_mode mode, size_t size, unsigned int depth, bool busy)
{
	struct work *w;

	if (b->nworks == MAX_WORKS)
		return -ENOSPC;
	w = &b->works[b->nworks++];
	memset(w, 0, sizeof(*w));
	w->engine = engine;
	w->op = op;
	w->mode = mode;
	w->size = op == OP_NOP || op == OP_SYSCALL ? 0 : size;
	w->depth = mode == MODE_ASYNC ? depth : 1;
	w->procs = mode == MODE_PROCS ? b->procs : 1;
	w->level = b->level;
	w->format = b->format;
	w->busy = busy;
	w->seconds = b->seconds;
	return 0;
}

/* The measurements behind the four ratios of Documentation/benchmarks.rst. */
static void goals_suite(struct bench *b)
{
	static const char *const codecs[] = { "zlib", "libdeflate", "isal" };

	add(b, "queue", OP_NOP, MODE_SYNC, 0, 1, true);
	add(b, "vzip", OP_NOP, MODE_SYNC, 0, 1, true);
	add(b, "vzip", OP_NOP, MODE_SYNC, 0, 1, false);
	add(b, "kernel", OP_SYSCALL, MODE_SYNC, 0, 1, false);
	add(b, "pingpong", OP_NOP, MODE_SYNC, 0, 1, true);
	add(b, "ring", OP_NOP, MODE_SYNC, 0, 1, true);
	add(b, "phase", OP_NOP, MODE_SYNC, 0, 1, true);
	add(b, "vzip", OP_COPY, MODE_SYNC, 1 << 20, 1, false);
	add(b, "vzip", OP_COPY, MODE_ASYNC, 1 << 20, 16, false);
	add(b, "vzip-pinned", OP_COPY, MODE_ASYNC, 1 << 20, 16, false);
	add(b, "memcpy", OP_COPY, MODE_SYNC, 1 << 20, 1, false);
	for (size_t size = 4096; size <= (1 << 20); size *= 16) {
		add(b, "vzip", OP_COMPRESS, MODE_SYNC, size, 1, false);
		/* goal 1's floor, after the device's row it takes its time from */
		if (size == 65536)
			add(b, "wakeup", OP_COMPRESS, MODE_SYNC, size, 1, false);
		add(b, "wd-sw", OP_COMPRESS, MODE_SYNC, size, 1, false);
		for (size_t i = 0; i < 3; i++)
			if (sw_engine_available(codecs[i]))
				add(b, codecs[i], OP_COMPRESS, MODE_SYNC, size,
				    1, false);
	}
	add(b, "vzip", OP_DECOMPRESS, MODE_SYNC, 65536, 1, false);
	for (size_t i = 0; i < 3; i++)
		if (sw_engine_available(codecs[i]))
			add(b, codecs[i], OP_DECOMPRESS, MODE_SYNC, 65536, 1,
			    false);
	add(b, "vzip", OP_COMPRESS, MODE_ASYNC, 65536, 1, false);
	add(b, "vzip", OP_COMPRESS, MODE_ASYNC, 65536, 16, false);
	add(b, "vzip", OP_COMPRESS, MODE_PROCS, 65536, 1, false);
}

static bool device_engine(const char *engine)
{
	return !strcmp(engine, "vzip") || !strcmp(engine, "vzip-pinned") ||
	       !strcmp(engine, "wd-sw") ||
	       !strcmp(engine, "queue");
}

/*
 * Each crypto measurement of the library right before its EVP anchor's
 * (same op, size, mode), so that the two run as close together as they
 * can on a noisy machine.
 */
static void pair_crypto(struct bench *b)
{
	static struct work sorted[MAX_WORKS];
	bool taken[MAX_WORKS] = { false };
	int n = 0;

	for (int i = 0; i < b->nworks; i++) {
		const struct work *w = &b->works[i];

		if (taken[i])
			continue;
		sorted[n++] = *w;
		taken[i] = true;
		if (!crypto_op(w->op) || strcmp(w->engine, "wd"))
			continue;
		for (int j = i + 1; j < b->nworks; j++) {
			const struct work *x = &b->works[j];

			if (!taken[j] && w->mode == MODE_SYNC &&
			    !strcmp(x->engine, "evp") &&
			    x->op == w->op && x->size == w->size &&
			    x->mode == w->mode) {
				sorted[n++] = *x;
				taken[j] = true;
				break;
			}
		}
	}
	memcpy(b->works, sorted, (size_t)n * sizeof(*sorted));
}

/* Work @i + 1 is the EVP anchor of the library's crypto work @i. */
static bool anchor_next(const struct bench *b, int i)
{
	const struct work *w = &b->works[i], *x = &b->works[i + 1];

	return !strcmp(x->engine, "evp") && x->op == w->op &&
	       x->size == w->size && x->mode == w->mode;
}

static int find(const struct bench *b, const char *engine, enum bench_op op,
		enum bench_mode mode, size_t size, unsigned int depth, int busy);

/* The floor of the device's row of the same request, which ran before. */
static void run_wakeup(const struct bench *b, const struct work *w,
		       struct result *r)
{
	int i = find(b, "vzip", w->op, MODE_SYNC, w->size, 1, 0);

	if (i < 0 || !b->results[i].ops) {
		snprintf(r->note, sizeof(r->note),
			 "needs this run's vzip row of the same request");
		return;
	}
	wakeup_run(w, r, b->results[i].secs / (double)b->results[i].ops);
}

static void run(struct bench *b)
{
	size_t max = 0;

	for (int i = 0; i < b->nworks; i++)
		if (b->works[i].size > max)
			max = b->works[i].size;
	if (!b->input) {
		b->data_len = max ? max : 1;
		b->data = make_data(b->data_len);
	}
	for (int i = 0; i < b->nworks; i++) {
		struct work *w = &b->works[i];
		struct result *r = &b->results[i];

		if (!b->data || !make_blocks(b, w)) {
			snprintf(r->note, sizeof(r->note), "out of memory");
			free_blocks(w);
			continue;
		}
		r->blocks = w->nblocks;
		/* the library's crypto: vcrypt's engines, if it has any */
		w->engines = crypto_op(w->op) && !strcmp(w->engine, "wd") ?
			     "vcrypt" :
			     strcmp(w->engine, "wd-sw") &&
			     device_engine(w->engine) &&
			     w->mode != MODE_PROCS ? "vzip" : NULL;
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "wdbench: %-10s %-10s %-5s %8zu x%-3u ...\r",
				w->engine, op_name(w->op), mode_name(w->mode),
				w->size, w->mode == MODE_PROCS ? w->procs :
								 w->depth);
		if (crypto_op(w->op) && !strcmp(w->engine, "wd") &&
		    i + 1 < b->nworks && anchor_next(b, i)) {
			/* the library and its anchor in turns */
			struct work *x = &b->works[i + 1];

			if (!make_blocks(b, x)) {
				snprintf(b->results[i + 1].note,
					 sizeof(r->note), "out of memory");
				free_blocks(x);
				crypto_run(w, r);
			} else {
				b->results[i + 1].blocks = x->nblocks;
				crypto_run_pair(w, x, r, &b->results[i + 1]);
				free_blocks(x);
			}
			free_blocks(w);
			i++;
			continue;
		} else if (crypto_op(w->op))
			crypto_run(w, r);
		else if (device_engine(w->engine))
			device_run(w, r);
		else if (!strcmp(w->engine, "pingpong"))
			pingpong_run(w, r);
		else if (!strcmp(w->engine, "ring"))
			ring_floor_run(w, r);
		else if (!strcmp(w->engine, "phase"))
			phase_floor_run(w, r);
		else if (!strcmp(w->engine, "wakeup"))
			run_wakeup(b, w, r);
		else if (sw_engine_available(w->engine))
			sw_run(w, r);
		else
			snprintf(r->note, sizeof(r->note), "not built in");
		free_blocks(w);
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "%72s\r", "");
}

static double mbps(const struct result *r)
{
	return r->ok && r->secs > 0 ? (double)r->bytes / r->secs / 1e6 : 0;
}

static double opsps(const struct result *r)
{
	return r->ok && r->secs > 0 ? (double)r->ops / r->secs : 0;
}

/* Uncompressed size over compressed size (compression only). */
static double comp_ratio(const struct work *w, const struct result *r)
{
	return w->op == OP_COMPRESS && r->out_bytes ?
	       (double)r->bytes / (double)r->out_bytes : 0;
}

/* CPU seconds of this process per MB (10^6 bytes) processed. */
static double cpu_per_mb(const struct result *r)
{
	return r->ok && r->bytes ? r->cpu / ((double)r->bytes / 1e6) : 0;
}

/* Engine CPU seconds per MB; 0 if unknown. */
static double engine_cpu_per_mb(const struct result *r)
{
	return r->ok && r->eng.seen && r->bytes ?
	       r->eng.cpu / ((double)r->bytes / 1e6) : 0;
}

static int find(const struct bench *b, const char *engine, enum bench_op op,
		enum bench_mode mode, size_t size, unsigned int depth, int busy)
{
	for (int i = 0; i < b->nworks; i++) {
		const struct work *w = &b->works[i];

		if (!strcmp(w->engine, engine) && w->op == op &&
		    w->mode == mode && w->size == size &&
		    (mode != MODE_ASYNC || w->depth == depth) &&
		    (busy < 0 || w->busy == busy) && b->results[i].ok)
			return i;
	}
	return -1;
}

/**
 * struct ratio - one goal of the issue
 * @key: JSON name
 * @what: what it compares
 * @value: measured, 0 if a side did not run
 * @goal: target
 * @at_most: the goal is an upper bound
 */
struct ratio {
	const char *key;
	const char *what;
	double value;
	double goal;
	bool at_most;
};

static double quotient(double a, double b)
{
	return a > 0 && b > 0 ? a / b : 0;
}

/* @f of measurement @i over @f of measurement @j; 0 if either did not run */
static double rows_ratio(const struct bench *b,
			 double (*f)(const struct result *), int i, int j)
{
	return i < 0 || j < 0 ? 0 : quotient(f(&b->results[i]),
					      f(&b->results[j]));
}

/*
 * The spinning NOP at depth 1 of @engine: the library's spins when asked
 * (--spin), the others (queue, pingpong, ring, phase) always do.
 */
static int find_spinning_nop(const struct bench *b, const char *engine)
{
	return find(b, engine, OP_NOP, MODE_SYNC, 0, 1,
		    strcmp(engine, "vzip") ? -1 : 1);
}

/* How many times longer that NOP takes on @slow than on @fast; 0: not run */
static double nop_time_ratio(const struct bench *b, const char *slow,
			     const char *fast)
{
	int i = find_spinning_nop(b, slow), j = find_spinning_nop(b, fast);

	return rows_ratio(b, opsps, j, i);
}

static int ratios(const struct bench *b, struct ratio *out)
{
	int n = 0, i, j;

	for (size_t size = 65536; size <= (1 << 20); size *= 16) {
		i = find(b, "vzip", OP_COMPRESS, MODE_SYNC, size, 1, 0);
		j = find(b, "zlib", OP_COMPRESS, MODE_SYNC, size, 1, -1);
		out[n++] = (struct ratio){
			size == 65536 ? "cpu_per_mb_vs_zlib_64k" :
					"cpu_per_mb_vs_zlib_1m",
			size == 65536 ?
			"CPU/MB compressing 64 KiB via the queue (poll) / zlib" :
			"CPU/MB compressing 1 MiB via the queue (poll) / zlib",
			rows_ratio(b, cpu_per_mb, i, j), 0.03, true };
	}
	/* goal 1 taken apart: the sleep a request costs, the rest */
	i = find(b, "wakeup", OP_COMPRESS, MODE_SYNC, 65536, 1, -1);
	j = find(b, "zlib", OP_COMPRESS, MODE_SYNC, 65536, 1, -1);
	out[n++] = (struct ratio){ "wakeup_cpu_per_mb_vs_zlib_64k",
		"CPU/MB of a thread that only sleeps once per 64 KiB request, as long as the device's / zlib",
		rows_ratio(b, cpu_per_mb, i, j), 0, false };
	j = find(b, "vzip", OP_COMPRESS, MODE_SYNC, 65536, 1, 0);
	out[n++] = (struct ratio){ "cpu_per_mb_vs_wakeup_64k",
		"CPU/MB compressing 64 KiB via the queue (poll) / that thread's",
		rows_ratio(b, cpu_per_mb, j, i), 0, false };
	i = find(b, "vzip", OP_COPY, MODE_ASYNC, 1 << 20, 16, -1);
	j = find(b, "memcpy", OP_COPY, MODE_SYNC, 1 << 20, 1, -1);
	out[n++] = (struct ratio){ "copy_1m_vs_memcpy",
		"COPY MB/s, 1 MiB requests, 16 in flight, wd_buf_alloc() (registered with SVA) / memcpy",
		rows_ratio(b, mbps, i, j), 0.9, false };
	i = find(b, "vzip-pinned", OP_COPY, MODE_ASYNC, 1 << 20, 16, -1);
	out[n++] = (struct ratio){ "copy_1m_pinned_vs_memcpy",
		"COPY MB/s, 1 MiB requests, 16 in flight, pinned per request / memcpy",
		rows_ratio(b, mbps, i, j), 0, false };
	i = find(b, "vzip", OP_COPY, MODE_SYNC, 1 << 20, 1, -1);
	out[n++] = (struct ratio){ "copy_1m_qd1_vs_memcpy",
		"COPY MB/s, 1 MiB requests, 1 in flight / memcpy",
		rows_ratio(b, mbps, i, j), 0.9, false };
	i = find(b, "vzip", OP_NOP, MODE_SYNC, 0, 1, 1);
	j = find(b, "kernel", OP_SYSCALL, MODE_SYNC, 0, 1, -1);
	out[n++] = (struct ratio){ "nop_qd1_vs_syscall",
		"NOP round trips/s at depth 1 (spinning) / getppid() calls/s",
		rows_ratio(b, opsps, i, j), 3, false };
	out[n++] = (struct ratio){ "nop_qd1_vs_pingpong",
		"NOP round trip at depth 1 (spinning) / two CPUs' ping-pong round trip",
		nop_time_ratio(b, "vzip", "pingpong"), 1.5, true };
	/* the NOP's round trip taken apart: protocol, engine, library */
	out[n++] = (struct ratio){ "ring_vs_pingpong",
		"NOP through vzip's rings served by a thread / ping-pong round trip",
		nop_time_ratio(b, "ring", "pingpong"), 0, false };
	out[n++] = (struct ratio){ "phase_vs_pingpong",
		"NOP through rings whose entries carry their phase, served by a thread / ping-pong round trip",
		nop_time_ratio(b, "phase", "pingpong"), 0, false };
	out[n++] = (struct ratio){ "queue_vs_ring",
		"NOP on the device's queue, no library / through the rings served by a thread",
		nop_time_ratio(b, "queue", "ring"), 0, false };
	out[n++] = (struct ratio){ "nop_qd1_vs_queue",
		"NOP round trip at depth 1 (spinning) / the same on the queue, no library",
		nop_time_ratio(b, "vzip", "queue"), 0, false };
	i = find(b, "vzip", OP_COMPRESS, MODE_ASYNC, 65536, 16, -1);
	j = find(b, "vzip", OP_COMPRESS, MODE_ASYNC, 65536, 1, -1);
	out[n++] = (struct ratio){ "throughput_16_vs_1",
		"compress MB/s, 64 KiB requests, 16 in flight / 1 in flight",
		rows_ratio(b, mbps, i, j), 0, false };
	return n;
}

/* Which path the library's crypto requests took, from its statistics. */
static const char *crypto_path(const struct result *r)
{
	return r->hw_requests && r->sw_requests ? "mixed" :
	       r->hw_requests ? "device" : r->sw_requests ? "software" : "none";
}

/* The EVP anchor of crypto measurement @i: same op, size, mode; or -1. */
static int anchor_of(const struct bench *b, int i)
{
	const struct work *w = &b->works[i];

	if (!crypto_op(w->op) || strcmp(w->engine, "wd"))
		return -1;
	/* EVP has no async: every mode's anchor is its one at a time */
	return find(b, "evp", w->op, MODE_SYNC, w->size, 1, -1);
}

/*
 * The table's ratio column: the compression ratio, or for the library's
 * crypto rows its MB/s over the EVP anchor's (0 if either did not run).
 */
static double table_ratio(const struct bench *b, int i)
{
	int j = anchor_of(b, i);

	if (!crypto_op(b->works[i].op))
		return comp_ratio(&b->works[i], &b->results[i]);
	if (!strcmp(b->works[i].engine, "evp"))
		return b->results[i].ok ? 1 : 0;	/* the anchor itself */
	return j < 0 ? 0 : quotient(mbps(&b->results[i]), mbps(&b->results[j]));
}

/* The note of a row: the library's crypto path and its ratio to EVP. */
static void row_note(const struct bench *b, int i, char *buf, size_t size)
{
	const struct work *w = &b->works[i];
	const struct result *r = &b->results[i];
	int j = anchor_of(b, i);

	if (!r->ok || !crypto_op(w->op) || strcmp(w->engine, "wd")) {
		snprintf(buf, size, "%s%s", w->busy ? "spin " : "",
			 !strcmp(w->engine, "evp") && r->ok ? "anchor" :
			 r->note);
		return;
	}
	if (j < 0) {
		snprintf(buf, size, "%s path%s%s%s, no evp anchor",
			 crypto_path(r), r->sw_reason ? " (" : "",
			 r->sw_reason ? r->sw_reason : "",
			 r->sw_reason ? ")" : "");
		return;
	}
	snprintf(buf, size, "%s path%s%s%s, MB/s %.2fx evp, CPU/MB %.2fx evp",
		 crypto_path(r), r->sw_reason ? " (" : "",
		 r->sw_reason ? r->sw_reason : "", r->sw_reason ? ")" : "",
		 j < 0 ? 0 : quotient(mbps(r), mbps(&b->results[j])),
		 j < 0 ? 0 : quotient(cpu_per_mb(r),
				      cpu_per_mb(&b->results[j])));
}

static void print_table(const struct bench *b, const struct ratio *rt,
			int nr)
{
	printf("%-10s %-10s %-5s %8s %5s %10s %10s %9s %9s %8s %9s %9s %9s %5s %5s  %s\n",
	       "engine", "op", "mode", "size", "depth", "MB/s", "ops/s",
	       "cpu-ms/MB", "eng-ms/MB", "wake/req", "p50-us", "p99-us",
	       "p99.9-us", "hw%", "ratio", "note");
	for (int i = 0; i < b->nworks; i++) {
		const struct work *w = &b->works[i];
		const struct result *r = &b->results[i];
		char depth[16], eng[16] = "-", wake[16] = "-", note[128];

		if (r->ok && r->eng.seen && r->ops) {
			snprintf(eng, sizeof(eng), "%.3f",
				 engine_cpu_per_mb(r) * 1e3);
			snprintf(wake, sizeof(wake), "%.3f",
				 (double)r->eng.wakeups / (double)r->ops);
		}
		snprintf(depth, sizeof(depth), "%s%u",
			 w->mode == MODE_PROCS ? "p" : "",
			 w->mode == MODE_PROCS ? w->procs : w->depth);
		if (!r->ok) {
			printf("%-10s %-10s %-5s %8zu %5s %10s %10s %9s %9s %8s %9s %9s %9s %5s %5s  %s\n",
			       w->engine, op_name(w->op), mode_name(w->mode),
			       w->size, depth, "-", "-", "-", "-", "-", "-",
			       "-", "-", "-", "-", r->note);
			continue;
		}
		row_note(b, i, note, sizeof(note));
		printf("%-10s %-10s %-5s %8zu %5s %10.1f %10.0f %9.3f %9s %8s %9.1f %9.1f %9.1f %5.0f %5.2f  %s\n",
		       w->engine, op_name(w->op), mode_name(w->mode), w->size,
		       depth, mbps(r), opsps(r), cpu_per_mb(r) * 1e3, eng, wake,
		       r->p50,
		       r->p99, r->p999, r->hw_share * 100, table_ratio(b, i),
		       note);
	}
	if (!nr)
		return;
	printf("\n%-24s %10s %8s  %s\n", "ratio", "measured", "goal", "what");
	for (int i = 0; i < nr; i++) {
		char goal[16] = "-";

		if (rt[i].goal)
			snprintf(goal, sizeof(goal), "%s%g",
				 rt[i].at_most ? "<=" : ">=", rt[i].goal);
		if (rt[i].value)
			printf("%-24s %10.4f %8s  %s\n", rt[i].key,
			       rt[i].value, goal, rt[i].what);
		else
			printf("%-24s %10s %8s  %s\n", rt[i].key,
			       "n/a", goal, rt[i].what);
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static int write_json(const struct bench *b, const struct ratio *rt, int nr,
		      char *path, size_t path_size)
{
	struct wd_device devs[8];
	struct utsname u;
	int ndev = wd_devices(devs, 8);
	FILE *f;

	snprintf(path, path_size, "%s/%s.json", b->out_dir, b->name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	uname(&u);
	fprintf(f, "{\n  \"tool\": \"wdbench\",\n  \"library\": ");
	json_str(f, wd_version());
	fprintf(f, ",\n  \"time\": %lld,\n  \"kernel\": ", (long long)time(NULL));
	json_str(f, u.release);
	fprintf(f, ",\n  \"machine\": ");
	json_str(f, u.machine);
	fprintf(f, ",\n  \"input\": ");
	if (b->input) {
		fprintf(f, "{\"path\": ");
		json_str(f, b->input);
		fprintf(f, ", \"bytes\": %zu}", b->data_len);
	} else {
		fprintf(f, "null");
	}
	fprintf(f, ",\n  \"loaded\": %u", b->hogs);
	fprintf(f, ",\n  \"cpus\": %ld,\n  \"format\": \"%s\",\n  \"level\": %d,\n  \"seconds\": %g,\n  \"devices\": [",
		sysconf(_SC_NPROCESSORS_ONLN), format_name(b->format),
		b->level, b->seconds);
	for (int i = 0; i < ndev && i < 8; i++) {
		fprintf(f, "%s{\"name\": ", i ? ", " : "");
		json_str(f, devs[i].name);
		fprintf(f, ", \"api\": ");
		json_str(f, devs[i].api);
		fprintf(f, ", \"sva\": %s, \"node\": %d, \"available\": %d}",
			devs[i].flags & UACCE_DEV_SVA ? "true" : "false",
			devs[i].node, devs[i].available);
	}
	fprintf(f, "],\n  \"results\": [\n");
	for (int i = 0; i < b->nworks; i++) {
		const struct work *w = &b->works[i];
		const struct result *r = &b->results[i];

		fprintf(f, "    {\"engine\": \"%s\", \"op\": \"%s\", \"mode\": \"%s\", \"size\": %zu, \"depth\": %u, \"procs\": %u, \"wait\": \"%s\", \"ok\": %s",
			w->engine, op_name(w->op), mode_name(w->mode), w->size,
			w->depth, w->procs, w->busy ? "spin" : "poll",
			r->ok ? "true" : "false");
		if (r->ok)
			fprintf(f, ", \"seconds\": %.6f, \"ops\": %llu, \"bytes\": %llu, \"out_bytes\": %llu, \"mb_per_s\": %.3f, \"ops_per_s\": %.1f, \"cpu_s\": %.6f, \"cpu_s_per_mb\": %.9f, \"lat_us\": {\"p50\": %.2f, \"p99\": %.2f, \"p99.9\": %.2f}, \"hw_share\": %.3f, \"compression_ratio\": %.4f",
				r->secs, (unsigned long long)r->ops,
				(unsigned long long)r->bytes,
				(unsigned long long)r->out_bytes, mbps(r),
				opsps(r), r->cpu, cpu_per_mb(r), r->p50,
				r->p99, r->p999, r->hw_share,
				comp_ratio(w, r));
		fprintf(f, ", \"blocks\": %zu", r->blocks);
		if (crypto_op(w->op) && !strcmp(w->engine, "evp"))
			fprintf(f, ", \"anchor\": true");
		if (crypto_op(w->op) && !strcmp(w->engine, "wd") && r->ok) {
			int j = anchor_of(b, i);

			fprintf(f, ", \"path\": \"%s\", \"hw_requests\": %llu, \"sw_requests\": %llu, \"sw_reason\": ",
				crypto_path(r),
				(unsigned long long)r->hw_requests,
				(unsigned long long)r->sw_requests);
			if (r->sw_reason)
				json_str(f, r->sw_reason);
			else
				fprintf(f, "null");
			if (j >= 0)
				fprintf(f, ", \"vs_evp\": {\"mb_per_s\": %.4f, \"cpu_s_per_mb\": %.4f}",
					quotient(mbps(r), mbps(&b->results[j])),
					quotient(cpu_per_mb(r),
						 cpu_per_mb(&b->results[j])));
			else
				fprintf(f, ", \"vs_evp\": null");
		}
		if (r->ok && r->eng.seen && r->ops)
			fprintf(f, ", \"device_engines\": {\"cpu_s\": %.6f, \"cpu_s_per_mb\": %.9f, \"cpu_us_per_request\": %.3f, \"wakeups_per_request\": %.6f, \"doorbells_per_request\": %.6f}",
				r->eng.cpu, engine_cpu_per_mb(r),
				r->eng.cpu * 1e6 / (double)r->ops,
				(double)r->eng.wakeups / (double)r->ops,
				(double)r->eng.doorbells / (double)r->ops);
		else if (w->engines)
			fprintf(f, ", \"device_engines\": null");
		fprintf(f, ", \"note\": ");
		json_str(f, r->note);
		fprintf(f, "}%s\n", i + 1 < b->nworks ? "," : "");
	}
	fprintf(f, "  ],\n  \"ratios\": {");
	for (int i = 0; i < nr; i++) {
		fprintf(f, "%s\n    \"%s\": {\"value\": ", i ? "," : "",
			rt[i].key);
		if (rt[i].value)
			fprintf(f, "%.6f", rt[i].value);
		else
			fprintf(f, "null");
		fprintf(f, ", \"goal\": ");
		if (rt[i].goal)
			fprintf(f, "%g, \"goal_is\": \"%s\"", rt[i].goal,
				rt[i].at_most ? "at_most" : "at_least");
		else
			fprintf(f, "null");
		fprintf(f, ", \"what\": ");
		json_str(f, rt[i].what);
		fprintf(f, "}");
	}
	fprintf(f, "\n  }\n}\n");
	return fclose(f) ? -errno : 0;
}

/*
 * Splits "4k,64k,1m" (or ops, modes, engines, depths) into @out; the
 * count, or -1 with the reason on stderr for more than MAX_LIST items
 * or none.
 */
static int parse_list(const char *opt, char *arg, char **out)
{
	int n = 0;

	for (char *t = strtok(arg, ","); t; t = strtok(NULL, ",")) {
		if (n == MAX_LIST) {
			fprintf(stderr, "wdbench: --%s: more than %d items\n",
				opt, MAX_LIST);
			return -1;
		}
		out[n++] = t;
	}
	if (!n)
		fprintf(stderr, "wdbench: --%s: an empty list\n", opt);
	return n ? n : -1;
}

/* A request size: bytes, or k, m or g of them; -1 if not 1 B to MAX_SIZE. */
static long parse_size(const char *s)
{
	unsigned long v, unit = 1;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end == 'k' || *end == 'K')
		unit = 1ul << 10, end++;
	else if (*end == 'm' || *end == 'M')
		unit = 1ul << 20, end++;
	else if (*end == 'g' || *end == 'G')
		unit = 1ul << 30, end++;
	if (*end || errno || !v || v > MAX_SIZE / unit)
		return -1;
	return (long)(v * unit);
}

/* A whole number from @min to @max, or -1. */
static long parse_count(const char *s, long min, long max)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	return *end || errno || v < min || v > max ? -1 : v;
}

static bool known_engine(const char *name)
{
	for (size_t i = 0; i < sizeof(engine_names) / sizeof(*engine_names);
	     i++)
		if (!strcmp(name, engine_names[i]))
			return true;
	return false;
}

static int parse_mode(const char *name)
{
	for (int m = 0; m < MODE_NR; m++)
		if (!strcmp(name, mode_name(m)))
			return m;
	return -1;
}

/*
 * The lists' items, each checked before anything runs: a bad one is one
 * line on stderr naming the option and the item, and false.
 */
static bool lists_valid(char **sizes, int nsizes, char **modes, int nmodes,
			char **depths, int ndepths, char **engines,
			int nengines)
{
	const char *opt = NULL, *item = NULL, *why = NULL;

	for (int i = 0; i < nsizes && !opt; i++)
		if (parse_size(sizes[i]) < 0)
			opt = "size", item = sizes[i],
			why = "not a size from 1 byte to " MAX_SIZE_NAME
			      " (a number, then k, m or g)";
	for (int i = 0; i < nmodes && !opt; i++)
		if (parse_mode(modes[i]) < 0)
			opt = "mode", item = modes[i],
			why = "not sync, async or procs";
	for (int i = 0; i < ndepths && !opt; i++)
		if (parse_count(depths[i], 1, MAX_DEPTH) < 0)
			opt = "depth", item = depths[i],
			why = "not a number of requests from 1 to " STR(MAX_DEPTH);
	for (int i = 0; i < nengines && !opt; i++)
		if (!known_engine(engines[i]))
			opt = "engine", item = engines[i],
			why = "not an engine wdbench has (see --help)";
	if (opt)
		fprintf(stderr, "wdbench: --%s %s: %s\n", opt, item, why);
	return !opt;
}

/* Makes @dir and its parents, as mkdir -p; 0 or a negative errno. */
static int make_dir(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	if (!*dir)
		return -ENOENT;
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + 1; ; p++) {
		char c = *p;

		if (c && c != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			break;
	}
	if (stat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return access(dir, W_OK | X_OK) ? -errno : 0;
}

static void usage(FILE *f)
{
	fputs("Usage: wdbench [OPTION]...\n"
	      "Measure WarpDrive compression and crypto against in-process software.\n\n"
	      "  --op LIST        compress,decompress,copy,nop (default: the goals suite);\n"
	      "                   crypto: sha256,sha512,sha3-256,sm3,hmac-sha256,\n"
	      "                   aes-128-cbc,aes-256-ctr,aes-256-xts,sm4-cbc,\n"
	      "                   aes-256-gcm, or crypto for all ten\n"
	      "  --size LIST      request sizes, 1 byte to " MAX_SIZE_NAME ", e.g. 4k,64k,1m\n"
	      "                   (default 64k)\n"
	      "  --mode LIST      sync,async,procs (default sync)\n"
	      "  --depth LIST     requests in flight for async, 1-" STR(MAX_DEPTH) " (default 1,16)\n"
	      "  --procs N        processes for procs, 1-" STR(MAX_PROCS) " (default 2)\n"
	      "  --engine LIST    vzip,vzip-pinned,wd-sw,queue,zlib,libdeflate,isal,memcpy,kernel,\n"
	      "                   pingpong,ring,phase (default: vzip and every baseline\n"
	      "                   that applies)\n"
	      "                   crypto ops: wd (libwarpdrive), evp (OpenSSL)\n"
	      "  --input FILE     cut FILE into blocks of each size, taken in turn\n"
	      "                   (default: generated text)\n"
	      "  --level N        compression level 1-9 (default 6)\n"
	      "  --format F       raw, zlib or gzip (default gzip)\n"
	      "  --seconds S      time per measurement (default 1)\n"
	      "  --quick          0.2 s per measurement\n"
	      "  --spin           device waits spin instead of sleeping in poll()\n"
	      "  --loaded         a CPU hog on every CPU during the measurements\n"
	      "  --out DIR        JSON directory, made if missing (default build/bench)\n"
	      "  --name NAME      JSON file name without .json (default wdbench)\n", f);
}

/* @arg is "--name=value" for an option @name that takes none. */
static bool takes_no_value(const struct option *opts, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (strncmp(arg, "--", 2) || !eq)
		return false;
	for (; opts->name; opts++)
		if (opts->has_arg == no_argument &&
		    strlen(opts->name) == (size_t)(eq - arg - 2) &&
		    !strncmp(opts->name, arg + 2, (size_t)(eq - arg - 2)))
			return true;
	return false;
}

/* A bad option's value: one line saying why; the exit status, 1. */
static int bad_option(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "wdbench: --%s %s: %s\n", opt, val, why);
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "op", required_argument, NULL, 'o' },
		{ "size", required_argument, NULL, 's' },
		{ "mode", required_argument, NULL, 'm' },
		{ "depth", required_argument, NULL, 'd' },
		{ "procs", required_argument, NULL, 'p' },
		{ "engine", required_argument, NULL, 'e' },
		{ "level", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'f' },
		{ "seconds", required_argument, NULL, 't' },
		{ "quick", no_argument, NULL, 'q' },
		{ "spin", no_argument, NULL, 'S' },
		{ "loaded", no_argument, NULL, 'L' },
		{ "out", required_argument, NULL, 'O' },
		{ "name", required_argument, NULL, 'n' },
		{ "input", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *ops[MAX_LIST], *sizes[MAX_LIST], *modes[MAX_LIST];
	char *depths[MAX_LIST], *engines[MAX_LIST];
	char dflt_size[] = "64k", dflt_mode[] = "sync", dflt_depth[] = "1,16";
	int nops = 0, nsizes = 0, nmodes = 0, ndepths = 0, nengines = 0;
	struct bench *b = calloc(1, sizeof(*b));
	struct ratio rt[16];
	char path[PATH_MAX];
	bool custom = false, spin = false, full = false;
	const char *input = NULL;
	int opt, nr = 0, ret;

	if (!b)
		return 1;
	b->seconds = 1;
	b->level = WD_LEVEL_DEFAULT;
	b->format = WD_FORMAT_GZIP;
	b->procs = 2;
	b->out_dir = "build/bench";
	b->name = "wdbench";
	opterr = 0;	/* its messages name the program by its path */
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		char *end;
		long v;

		switch (opt) {
		case 'o':
			nops = parse_list("op", optarg, ops);
			custom = true;
			break;
		case 's':
			nsizes = parse_list("size", optarg, sizes);
			custom = true;
			break;
		case 'm':
			nmodes = parse_list("mode", optarg, modes);
			custom = true;
			break;
		case 'd':
			ndepths = parse_list("depth", optarg, depths);
			custom = true;
			break;
		case 'e':
			nengines = parse_list("engine", optarg, engines);
			custom = true;
			break;
		case 'p':
			v = parse_count(optarg, 1, MAX_PROCS);
			if (v < 0)
				return bad_option("procs", optarg,
						  "not a number of processes from 1 to " STR(MAX_PROCS));
			b->procs = (unsigned int)v;
			break;
		case 'l':
			v = parse_count(optarg, WD_LEVEL_MIN, WD_LEVEL_MAX);
			if (v < 0)
				return bad_option("level", optarg,
						  "not a level from " STR(WD_LEVEL_MIN) " to " STR(WD_LEVEL_MAX));
			b->level = (int)v;
			break;
		case 'f':
			b->format = !strcmp(optarg, "raw") ? WD_FORMAT_RAW :
				    !strcmp(optarg, "zlib") ? WD_FORMAT_ZLIB :
				    !strcmp(optarg, "gzip") ? WD_FORMAT_GZIP :
				    -1;
			if (b->format < 0)
				return bad_option("format", optarg,
						  "not raw, zlib or gzip");
			break;
		case 't':
			errno = 0;
			b->seconds = strtod(optarg, &end);
			if (end == optarg || *end || errno ||
			    !isfinite(b->seconds) || b->seconds <= 0)
				return bad_option("seconds", optarg,
						  "not a number of seconds greater than 0");
			break;
		case 'q':
			b->seconds = 0.2;
			break;
		case 'S':
			spin = true;
			break;
		case 'L':
			b->loaded = true;
			break;
		case 'O':
			b->out_dir = optarg;
			break;
		case 'n':
			if (!*optarg || strchr(optarg, '/'))
				return bad_option("name", optarg,
						  "not a file name (empty, or with a /)");
			b->name = optarg;
			break;
		case 'i':
			input = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "wdbench: %s: needs a value (see --help)\n",
				argv[optind - 1]);
			return 1;
		default:
			fprintf(stderr, "wdbench: %s: %s (see --help)\n",
				argv[optind - 1],
				takes_no_value(longopts, argv[optind - 1]) ?
				"takes no value" :
				"not an option wdbench has");
			return 1;
		}
		if (nops < 0 || nsizes < 0 || nmodes < 0 || ndepths < 0 ||
		    nengines < 0)
			return 1;
	}
	if (optind < argc) {
		fprintf(stderr, "wdbench: %s: takes no arguments, only options (see --help)\n",
			argv[optind]);
		return 1;
	}
	if (!lists_valid(sizes, nsizes, modes, nmodes, depths, ndepths,
			 engines, nengines))
		return 1;
	/* before anything runs: a run whose figures cannot be kept is lost */
	ret = make_dir(b->out_dir);
	if (!ret && snprintf(path, sizeof(path), "%s/%s.json", b->out_dir,
			     b->name) >= (int)sizeof(path))
		ret = -ENAMETOOLONG;
	if (ret) {
		fprintf(stderr, "wdbench: --out %s: %s\n", b->out_dir,
			strerror(-ret));
		return 1;
	}

	if (!custom) {
		goals_suite(b);
	} else {
		char all_ops[] = "compress", *eng_default[] = {
			"vzip", "zlib", "libdeflate", "isal", "memcpy",
			"kernel", "wd", "evp" };
		int oplist[OP_NR], nop = 0;

		if (!nops)
			nops = parse_list("op", all_ops, ops);
		if (!nsizes)
			nsizes = parse_list("size", dflt_size, sizes);
		if (!nmodes)
			nmodes = parse_list("mode", dflt_mode, modes);
		if (!ndepths)
			ndepths = parse_list("depth", dflt_depth, depths);
		if (!nengines) {
			memcpy(engines, eng_default, sizeof(eng_default));
			nengines = 8;
		}
		/* "crypto" stands for every crypto op; each op once */
		for (int o = 0; o < nops; o++) {
			bool known = false;

			for (int k = 0; k < OP_NR; k++) {
				bool all = !strcmp(ops[o], "crypto") &&
					   crypto_op(k);
				bool dup = false;

				if (k == OP_SYSCALL ||
				    (!all && strcmp(ops[o], op_name(k))))
					continue;
				known = true;
				for (int x = 0; x < nop; x++)
					dup |= oplist[x] == k;
				if (!dup)
					oplist[nop++] = k;
			}
			if (!known) {
				fprintf(stderr, "wdbench: --op %s: not an op wdbench has (see --help)\n",
					ops[o]);
				return 1;
			}
		}
		for (int o = 0; o < nop; o++) {
			int op = oplist[o];

			for (int e = 0; e < nengines; e++) {
				bool dev = !strcmp(engines[e], "vzip") ||
					   !strcmp(engines[e], "vzip-pinned") ||
					   !strcmp(engines[e], "wd-sw");
				bool raw = !strcmp(engines[e], "queue") ||
					   !strcmp(engines[e], "pingpong") ||
					   !strcmp(engines[e], "ring") ||
					   !strcmp(engines[e], "phase");
				bool cr = !strcmp(engines[e], "wd") ||
					  !strcmp(engines[e], "evp");

				/*
				 * Baselines only where they do the same work;
				 * the raw queue and the ping-pong do NOP only;
				 * crypto ops are wd's and evp's alone, and
				 * run one request at a time (sync).
				 */
				if (crypto_op(op) != cr)
					continue;
				if (cr) {
					dev = false;
				} else if (raw ? op != OP_NOP :
				    !dev && ((op == OP_NOP &&
					      strcmp(engines[e], "kernel")) ||
					     (op == OP_COPY &&
					      strcmp(engines[e], "memcpy")) ||
					     (op <= OP_DECOMPRESS &&
					      (!strcmp(engines[e], "memcpy") ||
					       !strcmp(engines[e], "kernel")))))
					continue;
				for (int s = 0; s < (op == OP_NOP ? 1 : nsizes);
				     s++) {
					/* checked by lists_valid() */
					long size = parse_size(sizes[s]);
					bool evp_added = false;

					for (int m = 0; m < nmodes; m++) {
						int mode = parse_mode(modes[m]);

						/*
						 * crypto: wd in sync and async,
						 * evp once, one at a time, the
						 * anchor of both
						 */
						if (cr && !strcmp(engines[e], "evp") &&
						    mode != MODE_PROCS) {
							if (evp_added)
								continue;
							evp_added = true;
							mode = MODE_SYNC;
						}
						if ((!dev && !cr && mode != MODE_SYNC) ||
						    (cr && mode == MODE_PROCS))
							continue;
						for (int d = 0; d < (mode == MODE_ASYNC ? ndepths : 1); d++)
							full |= add(b, engines[e],
								    op == OP_NOP && !dev && !raw ?
								    OP_SYSCALL : op, mode,
								    (size_t)size,
								    (unsigned int)atoi(depths[d]),
								    spin);
					}
				}
			}
		}
	}

	if (full) {
		fprintf(stderr, "wdbench: these options make more than %d measurements\n",
			MAX_WORKS);
		return 1;
	}
	if (!b->nworks) {
		fprintf(stderr, "wdbench: no measurement matches these options (each engine runs only the ops and modes it can do)\n");
		return 1;
	}
	if (input) {
		size_t max = 0;

		if (load_input(b, input))
			return 1;
		for (int i = 0; i < b->nworks; i++)
			if (b->works[i].size > max)
				max = b->works[i].size;
		if (max > b->data_len) {
			fprintf(stderr, "wdbench: %s: %zu bytes, less than one %zu-byte request\n",
				input, b->data_len, max);
			return 1;
		}
	}
	/*
	 * Each crypto op the library runs: one request checked against EVP
	 * first (a benchmark of wrong output is worse than none), which also
	 * stops a run the library cannot do (WD_POLICY=hw without a device)
	 * with its reason.
	 */
	for (int i = 0; i < b->nworks; i++) {
		const struct work *w = &b->works[i];
		bool seen = false;
		char why[128];

		if (!crypto_op(w->op) || strcmp(w->engine, "wd"))
			continue;
		for (int k = 0; k < i; k++)
			seen |= b->works[k].op == w->op &&
				!strcmp(b->works[k].engine, "wd");
		if (!seen && crypto_verify(w->op, w->size, why, sizeof(why))) {
			fprintf(stderr, "wdbench: %s: %s\n", op_name(w->op), why);
			return 1;
		}
	}
	pair_crypto(b);
	if (b->loaded) {
		struct load load;

		ret = load_start(&load);
		if (ret) {
			fprintf(stderr, "wdbench: --loaded: cannot start the CPU hogs: %s\n",
				strerror(-ret));
			return 1;
		}
		b->hogs = load.n;
		printf("wdbench: --loaded: a CPU hog on each of %u CPUs\n",
		       b->hogs);
		run(b);
		load_stop(&load);
	} else {
		run(b);
	}
	nr = custom ? 0 : ratios(b, rt);
	print_table(b, rt, nr);
	ret = write_json(b, rt, nr, path, sizeof(path));
	if (ret) {
		fprintf(stderr, "wdbench: %s: %s\n", path, strerror(-ret));
		return 1;
	}
	printf("\nwdbench: results in %s\n", path);
	free(b->data);
	free(b);
	return 0;
}
