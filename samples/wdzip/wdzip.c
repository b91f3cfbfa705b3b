// SPDX-License-Identifier: GPL-2.0
/*
 * wdzip: gzip-compatible compression on a WarpDrive accelerator.
 *
 * The command line, files, messages and exit codes are GNU gzip 1.12's
 * (0 ok, 1 error, 2 warning), as documented and as observed: wdzip writes
 * and reads the gzip header and trailer itself and the library runs raw
 * deflate streams, on the device when there is one.  -v also says which
 * path ran: the accelerator (and which one), or software and why.
 * --progress draws a progress line for large inputs on a terminal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <warpdrive/warpdrive.h>
#include <zlib.h>

#define CHUNK		(1u << 20)	/* largest buffer: bytes read per call */
#define MIN_CHUNK	(64u << 10)	/* smallest buffer from the device */
#define SS_SPARE	(256u << 10)	/* shared region left to the library */
#define PROGRESS_MIN	(4u << 20)	/* smaller inputs show no progress */

/* the gzip format (RFC 1952) */
#define GZ_ID1		0x1f
#define GZ_ID2		0x8b
#define GZ_DEFLATE	8
#define GZF_HCRC	0x02
#define GZF_EXTRA	0x04
#define GZF_NAME	0x08
#define GZF_COMMENT	0x10
#define GZF_ENCRYPTED	0x20
#define GZF_RESERVED	0xc0
#define GZ_OS_UNIX	3

enum { ST_OK = 0, ST_ERROR = 1, ST_WARNING = 2 };

/* How reading a gzip file ended, besides 0 (all well) */
enum gz_result {
	GZ_OK = 0,
	GZ_EOF,		/* unexpected end of file: ends the run */
	GZ_FORMAT,	/* invalid deflate data: ends the run */
	GZ_CHECK,	/* bad CRC or length (said): ends a -d or -c run */
	GZ_NOT_GZIP,	/* no gzip magic at the start */
	GZ_HEADER,	/* a header gzip does not take (said) */
	GZ_LATER_HEADER, /* the same in a later member (said) */
	GZ_IO,		/* a read or write failed (said) */
	GZ_PASSED,	/* not gzip, copied through (-c -f) */
};

/**
 * struct wdzip - settings and state of one run
 * @decompress: -d, @to_stdout: -c, @keep: -k, @force: -f, @test: -t,
 * @list: -l, @recursive: -r, @quiet: -q, @verbose: -v, @sync: --synchronous,
 * @show_progress: --progress
 * @save_name: store the name and time (compression; -n clears it)
 * @restore_name: -N: use the stored name and time (decompression, -l)
 * @level: -1..-9
 * @suffix: -S
 * @policy: --policy
 * @status: exit status so far
 * @named_before: a named file came before: standard input is "stdin"
 * @comp, @decomp: the compression and decompression sessions
 * @bufs: the session @in and @out come from, NULL for ordinary memory
 * @in, @out: buffers of @chunk and @out_size bytes
 * @listed: -l printed its heading
 * @tot_in, @tot_out: -l totals
 * @tot_overhead: header and trailer bytes of the last file listed
 */
struct wdzip {
	bool decompress;
	bool to_stdout;
	bool keep;
	bool force;
	bool test;
	bool list;
	bool recursive;
	bool quiet;
	bool verbose;
	bool sync;
	bool show_progress;
	bool save_name;
	bool restore_name;
	int level;
	const char *suffix;
	enum wd_policy policy;
	int status;
	bool named_before;
	struct wd_comp *comp;
	struct wd_comp *decomp;
	struct wd_comp *bufs;
	unsigned char *in;
	unsigned char *out;
	size_t chunk;
	size_t out_size;
	bool listed;
	uint64_t tot_in;
	uint64_t tot_out;
	uint64_t tot_overhead;
};

/**
 * struct job - one input being processed
 * @name: for messages ("stdin" for standard input)
 * @in_fd: input
 * @out_fd: output, -1 when the data is only checked (-t, -l)
 * @size: input size if known (regular file), else 0
 * @pos, @len: unread input in wdzip.in
 * @done: input bytes read so far
 * @written: output bytes so far
 * @hdr_crc: CRC-32 of the header read so far
 * @mtime: time in the first member's header
 * @stored: name in the first member's header, or NULL
 * @crc, @isize: the last trailer
 * @overhead: header and trailer bytes when the input is one member
 * @members: members read
 * @last_draw: when the progress line was last drawn (ns)
 * @bar: a progress line is being drawn
 * @is_stdin: the input is standard input
 * @trailing: zeros or garbage followed the last member (said)
 */
struct job {
	const char *name;
	int in_fd;
	int out_fd;
	off_t size;
	size_t pos;
	size_t len;
	uint64_t done;
	uint64_t written;
	uint32_t hdr_crc;
	uint32_t mtime;
	char *stored;
	uint32_t crc;
	uint32_t isize;
	uint64_t overhead;
	unsigned int members;
	int64_t last_draw;
	bool bar;
	bool is_stdin;
	bool trailing;
};

/* ---- signals: no partial output left behind ---- */

static const int caught[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGXCPU,
			      SIGXFSZ };
static char *volatile partial;	/* output being written, removed on a signal */
static volatile sig_atomic_t pipe_exit;	/* -q: SIGPIPE exits 2 */

static void on_signal(int sig)
{
	char *p = partial;

	if (p)
		unlink(p);
	if (sig == SIGPIPE && pipe_exit)
		_exit(ST_WARNING);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_signals(bool quiet)
{
	pipe_exit = quiet;
	for (size_t i = 0; i < sizeof(caught) / sizeof(caught[0]); i++) {
		struct sigaction sa, old;

		/* an ignored signal (nohup, background jobs) stays ignored */
		if (sigaction(caught[i], NULL, &old) || old.sa_handler == SIG_IGN)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigfillset(&sa.sa_mask);
		sigaction(caught[i], &sa, NULL);
	}
}

/* Blocks (or unblocks) the caught signals around changes of @partial. */
static void hold_signals(bool hold, sigset_t *old)
{
	sigset_t set;

	if (!hold) {
		sigprocmask(SIG_SETMASK, old, NULL);
		return;
	}
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
		sigaddset(&set, caught[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

/* ---- messages ---- */

/* An error decides the exit status; a warning only if all was well. */
static void set_status(struct wdzip *z, int st)
{
	if (st == ST_ERROR || z->status == ST_OK)
		z->status = st;
}

/* "wdzip: ..." with the status @st; @nl: a blank line first, as gzip */
__attribute__((format(printf, 4, 5)))
static void say(struct wdzip *z, int st, bool nl, const char *fmt, ...)
{
	va_list ap;

	set_status(z, st);
	if (z->quiet && st == ST_WARNING)
		return;
	fflush(stdout);
	fprintf(stderr, "%swdzip: ", nl ? "\n" : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define msg(z, st, ...) say(z, st, false, __VA_ARGS__)

/* An error that ends the run: the output being written goes too. */
static void __attribute__((noreturn)) end_run(struct wdzip *z)
{
	(void)z;
	if (partial)
		unlink(partial);
	fflush(stdout);
	exit(ST_ERROR);
}

/* ---- CRC-32 for header checksums: zlib's ---- */

static uint32_t crc32_of(uint32_t crc, const unsigned char *p, size_t n)
{
	return (uint32_t)crc32(crc, p, (uInt)n);
}

/* ---- I/O ---- */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void progress(struct job *j, bool final)
{
	int64_t t;
	int pct, fill;

	if (!j->bar)
		return;
	if (final) {
		fprintf(stderr, "\r%*s\r", 72, "");
		return;
	}
	t = now_ns();
	if (t - j->last_draw < 100000000)
		return;
	j->last_draw = t;
	pct = (int)(j->done * 100 / (uint64_t)j->size);
	if (pct > 100)
		pct = 100;
	fill = pct * 40 / 100;
	fprintf(stderr, "\r%-20.20s %3d%% [%.*s%*s]", j->name, pct, fill,
		"########################################", 40 - fill, "");
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads up to @n bytes, as many as there are; 0 at the end. */
static ssize_t read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return got ? (ssize_t)got : -errno;
		}
		if (!r)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Output of @n bytes; -t and -l only count them. */
static int put_out(struct wdzip *z, struct job *j, const void *buf, size_t n)
{
	int ret;

	if (!n)
		return 0;
	if (j->out_fd >= 0) {
		ret = write_all(j->out_fd, buf, n);
		if (ret) {
			msg(z, ST_ERROR, "%s: %s", j->out_fd == STDOUT_FILENO ?
			    "stdout" : j->name, strerror(-ret));
			return ret;
		}
	}
	j->written += n;
	return 0;
}

/* Reads on when all buffered input is used: bytes now buffered, 0, -errno */
static ssize_t fill(struct wdzip *z, struct job *j)
{
	ssize_t n;

	if (j->pos < j->len)
		return (ssize_t)(j->len - j->pos);
	n = read_full(j->in_fd, z->in, z->chunk);
	if (n < 0) {
		msg(z, ST_ERROR, "%s: %s", j->name, strerror((int)-n));
		return n;
	}
	j->pos = 0;
	j->len = (size_t)n;
	j->done += (uint64_t)n;
	progress(j, false);
	return n;
}

/* Makes @n bytes (at most 16) available at z->in + j->pos if there are. */
static int need(struct wdzip *z, struct job *j, size_t n)
{
	while (j->len - j->pos < n) {
		size_t have = j->len - j->pos;
		ssize_t r;

		memmove(z->in, z->in + j->pos, have);
		j->pos = 0;
		j->len = have;
		r = read_full(j->in_fd, z->in + have, z->chunk - have);
		if (r < 0) {
			msg(z, ST_ERROR, "%s: %s", j->name, strerror((int)-r));
			return (int)r;
		}
		if (!r)
			return 0;
		j->len += (size_t)r;
		j->done += (uint64_t)r;
	}
	return 1;
}

/* The next input byte, -1 at the end, -2 on an error (said). */
static int next_byte(struct wdzip *z, struct job *j)
{
	ssize_t n = fill(z, j);

	if (n < 0)
		return -2;
	if (!n)
		return -1;
	j->hdr_crc = crc32_of(j->hdr_crc, z->in + j->pos, 1);
	return z->in[j->pos++];
}

/* Copies the rest of the input to the output unchanged (zcat -f). */
static int pass_through(struct wdzip *z, struct job *j)
{
	for (;;) {
		ssize_t n = fill(z, j);

		if (n <= 0)
			return n < 0 ? GZ_IO : GZ_OK;
		if (put_out(z, j, z->in + j->pos, (size_t)n))
			return GZ_IO;
		j->pos = j->len;
	}
}

/* ---- buffers ---- */

/*
 * Buffers the device reaches: without SVA they come from the queue's
 * static shared region, which also holds the stream's context and the
 * library's bounce buffers.  A session with policy hw says when the region
 * is full (under auto wd_buf_alloc() quietly gives ordinary memory), so the
 * buffers come from one, shrinking until they fit with room to spare; the
 * stream sessions use the same process-wide queue.  Ordinary memory when
 * there is no device or the region is too small: never a failure.
 */
static int get_buffers(struct wdzip *z)
{
	struct wd_comp_params p = { .format = WD_FORMAT_RAW,
				    .policy = WD_POLICY_HW };
	const char *env = getenv("WD_POLICY");
	bool sw = z->policy == WD_POLICY_SW ||
		  (z->policy == WD_POLICY_DEFAULT && env && !strcmp(env, "sw"));

	if (z->in)
		return 0;
	if (!sw && !wd_comp_open(&z->bufs, &p)) {
		for (size_t n = CHUNK; n >= MIN_CHUNK; n /= 2) {
			size_t on = wd_compress_bound(WD_FORMAT_RAW, n);
			void *in = wd_buf_alloc(z->bufs, n);
			void *out = in ? wd_buf_alloc(z->bufs, on) : NULL;
			void *spare = out ? wd_buf_alloc(z->bufs, SS_SPARE) :
					    NULL;

			wd_buf_free(z->bufs, spare);
			if (spare) {
				z->in = in;
				z->out = out;
				z->chunk = n;
				z->out_size = on;
				return 0;
			}
			wd_buf_free(z->bufs, out);
			wd_buf_free(z->bufs, in);
		}
		wd_comp_close(z->bufs);
		z->bufs = NULL;
	}
	z->chunk = CHUNK;
	z->out_size = wd_compress_bound(WD_FORMAT_RAW, CHUNK);
	z->in = malloc(z->chunk);
	z->out = malloc(z->out_size);
	if (!z->in || !z->out) {
		msg(z, ST_ERROR, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static void put_buffers(struct wdzip *z)
{
	if (z->bufs) {
		wd_buf_free(z->bufs, z->in);
		wd_buf_free(z->bufs, z->out);
	} else {
		free(z->in);
		free(z->out);
	}
	z->in = NULL;
	z->out = NULL;
}

static struct wd_comp *session(struct wdzip *z, bool decompress)
{
	struct wd_comp_params p = {
		.format = WD_FORMAT_RAW,
		.level = z->level,
		.policy = z->policy,
	};
	struct wd_comp **c = decompress ? &z->decomp : &z->comp;
	int ret;

	if (get_buffers(z))
		return NULL;
	if (*c)
		return *c;
	ret = wd_comp_open(c, &p);
	if (ret) {
		msg(z, ST_ERROR, "cannot start: %s", wd_strerror(ret));
		return NULL;
	}
	return *c;
}

static void describe_path(struct wd_comp *c, const struct wd_stream_state *st,
			  char *buf, size_t size)
{
	const char *dev = wd_comp_device(c);

	if (!st->path)
		snprintf(buf, size, "software: none");
	else if (st->path & WD_PATH_HW)
		snprintf(buf, size, "accelerator %s", dev ? dev : "?");
	else
		snprintf(buf, size, "software: %s",
			 wd_reason_name(st->reason));
}

/* ---- compression ---- */

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_le32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/*
 * The header: the name (if any) and the time, the extra flags of -1 and
 * -9, Unix.  Returns its length, -errno on a write error (said).
 */
static int write_header(struct wdzip *z, struct job *j, const char *name,
			uint32_t mtime)
{
	size_t nlen = name ? strlen(name) + 1 : 0;
	unsigned char *h = malloc(10 + nlen);
	int ret;

	if (!h)
		return -ENOMEM;
	h[0] = GZ_ID1;
	h[1] = GZ_ID2;
	h[2] = GZ_DEFLATE;
	h[3] = name ? GZF_NAME : 0;
	put_le32(h + 4, mtime);
	/* XFL: 4 for the fastest level, 2 for the best, as gzip */
	h[8] = z->level == WD_LEVEL_MIN ? 4 : z->level == WD_LEVEL_MAX ? 2 : 0;
	h[9] = GZ_OS_UNIX;
	if (name)
		memcpy(h + 10, name, nlen);
	ret = put_out(z, j, h, 10 + nlen);
	free(h);
	return ret ? ret : (int)(10 + nlen);
}

/* Compresses the input into one gzip member. 0, or -errno (said). */
static int gzip_job(struct wdzip *z, struct job *j, const char *name,
		    uint32_t mtime, struct wd_stream_state *st)
{
	struct wd_comp *c = session(z, false);
	unsigned char trailer[8];
	struct wd_stream *s;
	bool eof = false;
	int ret, hlen;

	if (!c)
		return -ENOMEM;
	hlen = write_header(z, j, name, mtime);
	if (hlen < 0)
		return hlen;
	j->overhead = (uint64_t)hlen + 8;
	ret = wd_stream_open(&s, c, WD_DIR_COMPRESS);
	if (ret) {
		msg(z, ST_ERROR, "%s: %s", j->name, wd_strerror(ret));
		return ret;
	}
	while (!eof) {
		ssize_t n = read_full(j->in_fd, z->in, z->chunk);
		const void *in = z->in;
		size_t in_len;

		if (n < 0) {
			msg(z, ST_ERROR, "%s: %s", j->name, strerror((int)-n));
			ret = (int)n;
			goto out;
		}
		in_len = (size_t)n;
		j->done += (uint64_t)n;
		/* a short read of a regular file or pipe is its end */
		eof = in_len < z->chunk ||
		      (j->size && j->done >= (uint64_t)j->size);
		do {
			void *out = z->out;
			size_t out_len = z->out_size;

			ret = wd_stream_run(s, &in, &in_len, &out, &out_len,
					    eof ? WD_FINISH : WD_NO_FLUSH);
			if (ret < 0 && ret != -ENOBUFS) {
				msg(z, ST_ERROR, "%s: %s", j->name,
				    wd_strerror(ret));
				goto out;
			}
			if (put_out(z, j, z->out, z->out_size - out_len)) {
				ret = -EIO;
				goto out;
			}
		} while (in_len || (eof && ret != WD_STREAM_END));
		progress(j, false);
	}
	wd_stream_get_state(s, st);
	put_le32(trailer, st->checksum);
	put_le32(trailer + 4, (uint32_t)st->total_in);
	ret = put_out(z, j, trailer, sizeof(trailer));
out:
	wd_stream_get_state(s, st);
	wd_stream_close(s);
	return ret;
}

/* ---- decompression ---- */

/*
 * Reads a member's header.  @first: the start of the input, where data
 * that is not gzip is passed through with -c -f.  GZ_OK, or why not.
 */
static int read_header(struct wdzip *z, struct job *j, bool first)
{
	unsigned char fixed[8];
	uint64_t start = j->done - (j->len - j->pos);
	int c, flags, r, method;

	r = need(z, j, 2);
	if (r < 0)
		return GZ_IO;
	if (!r || z->in[j->pos] != GZ_ID1 || z->in[j->pos + 1] != GZ_ID2) {
		if (first && z->force && (z->to_stdout || z->test) &&
		    !z->list)
			return pass_through(z, j) ? GZ_IO : GZ_PASSED;
		return !r ? GZ_EOF : GZ_NOT_GZIP;
	}
	j->hdr_crc = crc32_of(0, z->in + j->pos, 2);
	j->pos += 2;
	for (int i = 0; i < 8; i++) {
		c = next_byte(z, j);
		if (c < 0)
			return c == -2 ? GZ_IO : GZ_EOF;
		fixed[i] = (unsigned char)c;
	}
	method = fixed[0];
	flags = fixed[1];
	if (method != GZ_DEFLATE) {
		msg(z, ST_ERROR, "%s: unknown method %d -- not supported",
		    j->name, method);
		return first ? GZ_HEADER : GZ_LATER_HEADER;
	}
	if (flags & GZF_ENCRYPTED) {
		msg(z, ST_ERROR, "%s is encrypted -- not supported", j->name);
		return first ? GZ_HEADER : GZ_LATER_HEADER;
	}
	if (flags & GZF_RESERVED) {
		msg(z, ST_ERROR, "%s has flags 0x%x -- not supported", j->name,
		    flags);
		return first ? GZ_HEADER : GZ_LATER_HEADER;
	}
	if (first)
		j->mtime = get_le32(fixed + 2);
	if (flags & GZF_EXTRA) {
		int lo = next_byte(z, j), hi = lo < 0 ? lo : next_byte(z, j);
		unsigned int xlen;

		if (hi < 0)
			return hi == -2 ? GZ_IO : GZ_EOF;
		xlen = (unsigned int)lo | (unsigned int)hi << 8;
		if (z->verbose && first) {
			fflush(stdout);
			fprintf(stderr, "wdzip: %s: extra field of %u bytes ignored\n",
				j->name, xlen);
		}
		while (xlen--) {
			c = next_byte(z, j);
			if (c < 0)
				return c == -2 ? GZ_IO : GZ_EOF;
		}
	}
	for (int field = GZF_NAME; field <= GZF_COMMENT; field <<= 1) {
		char name[PATH_MAX];
		size_t n = 0;

		if (!(flags & field))
			continue;
		do {
			c = next_byte(z, j);
			if (c < 0)
				return c == -2 ? GZ_IO : GZ_EOF;
			if (n < sizeof(name))
				name[n++] = (char)c;
		} while (c);
		name[sizeof(name) - 1] = 0;
		if (field == GZF_NAME && first) {
			free(j->stored);
			j->stored = strdup(base_name(name));
		}
	}
	if (flags & GZF_HCRC) {
		uint32_t want = j->hdr_crc & 0xffff;
		int lo = next_byte(z, j), hi = lo < 0 ? lo : next_byte(z, j);

		if (hi < 0)
			return hi == -2 ? GZ_IO : GZ_EOF;
		if ((unsigned int)(lo | hi << 8) != want) {
			msg(z, ST_ERROR, "%s: header checksum 0x%04x != computed checksum 0x%04x",
			    j->name, (unsigned int)(lo | hi << 8), want);
			return first ? GZ_HEADER : GZ_LATER_HEADER;
		}
	}
	if (first)
		j->overhead = j->done - (j->len - j->pos) - start + 8;
	return GZ_OK;
}

/* Inflates one member's data and checks its trailer. */
static int inflate_member(struct wdzip *z, struct job *j, struct wd_stream *s,
			  struct wd_stream_state *st)
{
	unsigned char t[8];
	int ret;

	for (;;) {
		const void *in = z->in + j->pos;
		void *out = z->out;
		size_t in_len = j->len - j->pos, out_len = z->out_size;
		ssize_t n;

		if (!in_len) {
			n = fill(z, j);
			if (n < 0)
				return GZ_IO;
			if (!n)
				return GZ_EOF;
			continue;
		}
		ret = wd_stream_run(s, &in, &in_len, &out, &out_len,
				    WD_NO_FLUSH);
		j->pos = j->len - in_len;
		if (put_out(z, j, z->out, z->out_size - out_len))
			return GZ_IO;
		if (ret == WD_STREAM_END)
			break;
		if (ret == -ENOBUFS && in_len && out_len)
			return GZ_FORMAT;	/* no progress with input left */
		if (ret == -EBADMSG)
			return GZ_FORMAT;
		if (ret < 0 && ret != -ENOBUFS) {
			msg(z, ST_ERROR, "%s: %s", j->name, wd_strerror(ret));
			return GZ_IO;
		}
	}
	wd_stream_get_state(s, st);
	for (int i = 0; i < 8; i++) {
		int c = next_byte(z, j);

		if (c < 0)
			return c == -2 ? GZ_IO : GZ_EOF;
		t[i] = (unsigned char)c;
	}
	j->crc = get_le32(t);
	j->isize = get_le32(t + 4);
	ret = GZ_OK;
	if (j->crc != st->checksum) {
		say(z, ST_ERROR, true, "%s: invalid compressed data--crc error",
		    j->name);
		ret = GZ_CHECK;
	}
	if (j->isize != (uint32_t)st->total_out) {
		say(z, ST_ERROR, true, "%s: invalid compressed data--length error",
		    j->name);
		ret = GZ_CHECK;
	}
	return ret;
}

/* What follows a member: another one, zeros, garbage, nothing. */
static int after_member(struct wdzip *z, struct job *j, bool *more)
{
	int r = need(z, j, 2);

	*more = false;
	if (r < 0)
		return GZ_IO;
	if (j->pos == j->len)
		return GZ_OK;
	j->overhead = 0;	/* gzip counts it only for a lone member */
	if (r && z->in[j->pos] == GZ_ID1 && z->in[j->pos + 1] == GZ_ID2) {
		*more = true;
		return GZ_OK;
	}
	if (z->force && z->to_stdout && !z->list && !z->test)
		return pass_through(z, j);
	j->trailing = true;
	if (!z->in[j->pos]) {
		/* zero padding to the end is ignored (said with -v) */
		for (;;) {
			while (j->pos < j->len && !z->in[j->pos])
				j->pos++;
			if (j->pos < j->len)
				break;
			r = (int)fill(z, j);
			if (r < 0)
				return GZ_IO;
			if (!r) {
				if (z->verbose)
					say(z, ST_WARNING, true, "%s: decompression OK, trailing zero bytes ignored",
					    j->name);
				return GZ_OK;
			}
		}
	} else if (!r) {
		return GZ_EOF;	/* one byte: the start of a header */
	}
	say(z, ST_WARNING, true, "%s: decompression OK, trailing garbage ignored",
	    j->name);
	return GZ_OK;
}

/* Every member after the first header; GZ_OK or why not. */
static int gunzip_members(struct wdzip *z, struct job *j,
			  struct wd_stream_state *st)
{
	struct wd_comp *c = session(z, true);
	struct wd_stream *s;
	bool more = true;
	int ret;

	if (!c)
		return GZ_IO;
	ret = wd_stream_open(&s, c, WD_DIR_DECOMPRESS);
	if (ret) {
		msg(z, ST_ERROR, "%s: %s", j->name, wd_strerror(ret));
		return GZ_IO;
	}
	while (more) {
		j->members++;
		ret = inflate_member(z, j, s, st);
		if (ret)
			break;
		ret = after_member(z, j, &more);
		if (ret || !more)
			break;
		ret = wd_stream_reset(s);
		if (ret) {
			msg(z, ST_ERROR, "%s: %s", j->name, wd_strerror(ret));
			ret = GZ_IO;
			break;
		}
		ret = read_header(z, j, false);
		if (ret)
			break;
	}
	wd_stream_close(s);
	return ret;
}

/* Says what ended a file; ends the run where gzip does. */
static void gz_failed(struct wdzip *z, struct job *j, int ret)
{
	switch (ret) {
	case GZ_EOF:
		say(z, ST_ERROR, true, "%s: unexpected end of file", j->name);
		end_run(z);
	case GZ_FORMAT:
		say(z, ST_ERROR, true, "%s: invalid compressed data--format violated",
		    j->name);
		end_run(z);
	case GZ_CHECK:
		if (!z->test && !z->list)
			end_run(z);
		break;
	case GZ_NOT_GZIP:
		say(z, ST_ERROR, true, "%s: not in gzip format", j->name);
		break;
	case GZ_PASSED:
		break;
	default:
		break;	/* said */
	}
}

/* ---- reporting ---- */

static double ratio(uint64_t big, uint64_t small)
{
	if (!big)
		return 0;
	return 100.0 * ((double)big - (double)small) / (double)big;
}

/* -v after a file: the ratio, where the output went and which path ran */
static void report(struct wdzip *z, struct job *j, bool named,
		   const char *outname, const struct wd_stream_state *st)
{
	struct wd_comp *c = z->decompress || z->test ? z->decomp : z->comp;
	uint64_t big, packed;
	char path[96];

	if (!z->verbose)
		return;
	describe_path(c, st, path, sizeof(path));
	if (z->test) {
		fprintf(stderr, " OK (%s)\n", path);
		return;
	}
	big = z->decompress ? st->total_out : j->done;
	packed = z->decompress ? j->done : j->written;
	fprintf(stderr, "%5.1f%%", ratio(big, packed - j->overhead));
	if (named)
		fprintf(stderr, " -- %s %s", z->keep && outname ? "created" :
			"replaced with", outname ? outname : "stdout");
	fprintf(stderr, " (%s)\n", path);
}

/* -l: one line (or the totals, @j NULL) */
static void list_line(struct wdzip *z, struct job *j, const char *name,
		      time_t when)
{
	uint64_t in = j ? j->done : z->tot_in;
	uint64_t out = j ? j->isize : z->tot_out;
	uint64_t overhead = j ? j->overhead : z->tot_overhead;
	char date[32];

	if (!z->listed && !z->quiet) {
		if (z->verbose)
			fputs("method  crc     date  time  ", stdout);
		fputs("         compressed        uncompressed  ratio uncompressed_name\n",
		      stdout);
	}
	z->listed = true;
	if (z->verbose) {
		if (j) {
			strftime(date, sizeof(date), "%b %e %H:%M",
				 localtime(&when));
			printf("defla %08x %s ", j->crc, date);
		} else {
			printf("%28s", "");
		}
	}
	printf("%19llu %19llu %5.1f%% %s\n", (unsigned long long)in,
	       (unsigned long long)out, ratio(out, in - overhead), name);
}

/* ---- files ---- */

static const char *const known_suffixes[] = {
	".gz", "-gz", ".z", "-z", "_z", ".tgz", ".taz", NULL
};

/* The length of @name's compressed-file suffix, 0 if none. */
static size_t has_suffix(struct wdzip *z, const char *name)
{
	size_t n = strlen(name), sl = strlen(z->suffix);

	if (n > sl && !strcasecmp(name + n - sl, z->suffix))
		return sl;
	for (int i = 0; known_suffixes[i]; i++) {
		sl = strlen(known_suffixes[i]);
		if (n > sl && !strcasecmp(name + n - sl, known_suffixes[i]))
			return sl;
	}
	return 0;
}

/* The name of the data in compressed file @name, NULL if it has none. */
static char *plain_name(struct wdzip *z, const char *name)
{
	size_t n = strlen(name), sl = has_suffix(z, name);
	char *out;

	if (!sl)
		return NULL;
	if (!strcasecmp(name + n - sl, ".tgz") ||
	    !strcasecmp(name + n - sl, ".taz")) {
		out = malloc(n + 1);
		if (out)
			sprintf(out, "%.*s.tar", (int)(n - sl), name);
		return out;
	}
	return strndup(name, n - sl);
}

/* -N: the stored name in the directory of @name */
static char *stored_path(const char *name, const char *stored)
{
	size_t dir = (size_t)(base_name(name) - name);
	char *out = malloc(dir + strlen(stored) + 1);

	if (out)
		sprintf(out, "%.*s%s", (int)dir, name, stored);
	return out;
}

static void copy_meta(struct wdzip *z, int fd, const struct stat *sb,
		      const struct job *j)
{
	struct timespec ts[2] = { sb->st_atim, sb->st_mtim };

	if (z->decompress && z->restore_name && j->mtime) {
		ts[1].tv_sec = (time_t)j->mtime;
		ts[1].tv_nsec = 0;
	}
	if (fchown(fd, sb->st_uid, sb->st_gid))
		(void)!fchown(fd, (uid_t)-1, sb->st_gid);
	fchmod(fd, sb->st_mode & 0777);
	futimens(fd, ts);
}

/* The time to store: out of gzip's range is a warning and 0. */
static uint32_t stored_time(struct wdzip *z, const char *name,
			    const struct stat *sb)
{
	if (sb->st_mtime > 0 && (uint64_t)sb->st_mtime <= UINT32_MAX)
		return (uint32_t)sb->st_mtime;
	msg(z, ST_WARNING, "%s: warning: file timestamp out of range for gzip format",
	    name);
	return 0;
}

/* Opens the output file; -1 if it is not to be written (said). */
static int open_out(struct wdzip *z, const char *outname)
{
	sigset_t old;
	int fd;

	hold_signals(true, &old);
	fd = open(outname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST && z->force &&
	    !unlink(outname))
		fd = open(outname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			  0600);
	if (fd >= 0)
		partial = (char *)outname;
	hold_signals(false, &old);
	if (fd < 0) {
		if (errno == EEXIST)
			msg(z, ST_WARNING, "%s already exists;\tnot overwritten",
			    outname);
		else
			msg(z, ST_ERROR, "%s: %s", outname, strerror(errno));
	}
	return fd;
}

/* Closes the output: kept on success, else removed. 0 if kept. */
static int close_out(struct wdzip *z, int fd, const char *outname, bool ok)
{
	sigset_t old;

	if (ok && z->sync && fsync(fd)) {
		msg(z, ST_ERROR, "%s: %s", outname, strerror(errno));
		ok = false;
	}
	if (close(fd) && ok) {
		msg(z, ST_ERROR, "%s: %s", outname, strerror(errno));
		ok = false;
	}
	hold_signals(true, &old);
	if (!ok)
		unlink(outname);
	partial = NULL;
	hold_signals(false, &old);
	return ok ? 0 : -1;
}

static void remove_input(struct wdzip *z, const char *name)
{
	if (!z->keep && unlink(name))
		msg(z, ST_ERROR, "%s: %s", name, strerror(errno));
}

/* Compresses file @name (open on @j->in_fd) to @name.gz or stdout. */
static void compress_file(struct wdzip *z, struct job *j, const struct stat *sb)
{
	struct wd_stream_state st = { 0 };
	char *outname = NULL;
	uint32_t mtime = 0;
	bool named = !j->is_stdin;
	const char *stored = NULL;
	int ret;

	if (named && !z->to_stdout) {
		size_t sl = has_suffix(z, j->name);

		if (sl && !z->force) {
			if (!z->quiet && (z->verbose || !z->recursive))
				msg(z, ST_OK, "%s already has %s suffix -- unchanged",
				    j->name, j->name + strlen(j->name) - sl);
			return;
		}
		outname = malloc(strlen(j->name) + strlen(z->suffix) + 1);
		if (!outname)
			return;
		sprintf(outname, "%s%s", j->name, z->suffix);
		j->out_fd = open_out(z, outname);
		if (j->out_fd < 0)
			goto out;
	} else {
		j->out_fd = STDOUT_FILENO;
	}
	if (z->save_name) {
		if (S_ISREG(sb->st_mode))
			mtime = stored_time(z, j->name, sb);
		if (named)
			stored = base_name(j->name);
		else if (z->named_before)
			stored = "stdin";
	}
	if (named && z->verbose)
		fprintf(stderr, "%s:\t", j->name);
	j->bar = z->show_progress && isatty(STDERR_FILENO) &&
		 j->size >= PROGRESS_MIN;
	ret = gzip_job(z, j, stored, mtime, &st);
	progress(j, true);
	j->bar = false;
	if (outname) {
		if (!ret)
			copy_meta(z, j->out_fd, sb, j);
		ret = close_out(z, j->out_fd, outname, !ret);
	}
	if (!ret) {
		report(z, j, named, outname, &st);
		if (outname)
			remove_input(z, j->name);
	}
out:
	free(outname);
}

/* -l of one file */
static void list_file(struct wdzip *z, struct job *j, const struct stat *sb)
{
	struct wd_stream_state st = { 0 };
	char *name = NULL;
	int ret;

	j->out_fd = -1;
	z->tot_overhead = 0;
	ret = read_header(z, j, true);
	if (!ret)
		ret = gunzip_members(z, j, &st);
	if (ret) {
		gz_failed(z, j, ret);
		goto out;
	}
	if (j->trailing)
		goto out;	/* zeros or garbage after it: not listed */
	if (z->restore_name && j->stored)
		name = strdup(j->stored);
	else if (j->is_stdin)
		name = strdup("stdout");
	else
		name = plain_name(z, j->name);
	if (!name)
		name = strdup(j->name);
	if (!name)
		goto out;
	list_line(z, j, name, z->restore_name && j->mtime ?
		  (time_t)j->mtime : sb->st_mtime);
	z->tot_in += j->done;
	z->tot_out += j->isize;
	z->tot_overhead = j->overhead;
out:
	free(name);
}

/* Decompresses (or tests, or lists) the input on @j->in_fd. */
static void decompress_file(struct wdzip *z, struct job *j,
			    const struct stat *sb)
{
	struct wd_stream_state st = { 0 };
	bool named = !j->is_stdin;
	char *outname = NULL;
	int ret;

	if (get_buffers(z))
		return;
	if (z->list) {
		list_file(z, j, sb);
		return;
	}
	if (named && !z->to_stdout && !z->test) {
		outname = plain_name(z, j->name);
		if (!outname) {
			msg(z, ST_WARNING, "%s: unknown suffix -- ignored",
			    j->name);
			return;
		}
	}
	j->out_fd = z->test ? -1 : STDOUT_FILENO;
	ret = read_header(z, j, true);
	if (ret) {
		gz_failed(z, j, ret);
		goto out;
	}
	if (outname) {
		if (z->restore_name && j->stored && *j->stored) {
			char *p = stored_path(j->name, j->stored);

			if (p) {
				free(outname);
				outname = p;
			}
		}
		j->out_fd = open_out(z, outname);
		if (j->out_fd < 0)
			goto out;
	}
	if (named && z->verbose)
		fprintf(stderr, "%s:\t", j->name);
	j->bar = z->show_progress && isatty(STDERR_FILENO) &&
		 j->size >= PROGRESS_MIN;
	ret = gunzip_members(z, j, &st);
	progress(j, true);
	j->bar = false;
	if (ret == GZ_LATER_HEADER) {
		/* gzip keeps what came before, but not with -k */
		if (outname) {
			if (!z->keep)
				copy_meta(z, j->out_fd, sb, j);
			if (!close_out(z, j->out_fd, outname, !z->keep))
				remove_input(z, j->name);
		}
		goto out;
	}
	if (ret) {
		gz_failed(z, j, ret);
		if (outname)
			close_out(z, j->out_fd, outname, false);
		goto out;
	}
	if (outname) {
		copy_meta(z, j->out_fd, sb, j);
		if (close_out(z, j->out_fd, outname, true))
			goto out;
	}
	report(z, j, named, outname, &st);
	if (outname)
		remove_input(z, j->name);
out:
	free(outname);
}

static void do_path(struct wdzip *z, const char *name, bool top);

/* -r: every entry of directory @name, in the order the directory gives */
static void do_dir(struct wdzip *z, const char *name)
{
	size_t n = strlen(name), cap = 16, count = 0;
	char **paths = malloc(cap * sizeof(*paths));
	struct dirent *e;
	DIR *d;

	d = opendir(name);
	if (!d || !paths) {
		msg(z, ST_ERROR, "%s: %s", name, strerror(errno));
		if (d)
			closedir(d);
		free(paths);
		return;
	}
	while ((e = readdir(d))) {
		char *p;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (count == cap) {
			char **np = realloc(paths, 2 * cap * sizeof(*paths));

			if (!np)
				break;
			paths = np;
			cap *= 2;
		}
		p = malloc(n + strlen(e->d_name) + 2);
		if (!p)
			break;
		sprintf(p, "%s%s%s", name, n && name[n - 1] == '/' ? "" : "/",
			e->d_name);
		paths[count++] = p;
	}
	closedir(d);
	for (size_t i = 0; i < count; i++) {
		do_path(z, paths[i], false);
		free(paths[i]);
	}
	free(paths);
}

/* Refusals without -f (and of set-ID files always), as gzip's. */
static bool refused(struct wdzip *z, const char *name, const struct stat *sb)
{
	if (z->to_stdout || z->test || z->list)
		return false;
	if (sb->st_mode & S_ISUID) {
		msg(z, ST_WARNING, "%s is set-user-ID on execution - ignored",
		    name);
		return true;
	}
	if (sb->st_mode & S_ISGID) {
		msg(z, ST_WARNING, "%s is set-group-ID on execution - ignored",
		    name);
		return true;
	}
	if (z->force)
		return false;
	if (sb->st_mode & S_ISVTX) {
		msg(z, ST_WARNING, "%s has the sticky bit set - file ignored",
		    name);
		return true;
	}
	if (sb->st_nlink > 1) {
		msg(z, ST_WARNING, "%s has %lu other link%s -- file ignored",
		    name, (unsigned long)sb->st_nlink - 1,
		    sb->st_nlink > 2 ? "s" : "");
		return true;
	}
	return false;
}

/* Opens @name, or for -d without a suffix @name with one; @found is set. */
static int open_in(struct wdzip *z, const char *name, char **found)
{
	int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;
	int fd, err;

	if (!z->force && !z->to_stdout && !z->test && !z->list)
		flags |= O_NOFOLLOW;
	*found = NULL;
	fd = open(name, flags);
	if (fd >= 0 || errno != ENOENT || !(z->decompress || z->test ||
					   z->list) || has_suffix(z, name))
		return fd;
	err = errno;
	for (int i = -1; i < 0 || known_suffixes[i]; i++) {
		const char *suf = i < 0 ? z->suffix : known_suffixes[i];
		char *p = malloc(strlen(name) + strlen(suf) + 1);

		if (!p)
			break;
		sprintf(p, "%s%s", name, suf);
		fd = open(p, flags);
		if (fd >= 0) {
			*found = p;
			return fd;
		}
		free(p);
	}
	errno = err;
	return -1;
}

static void do_path(struct wdzip *z, const char *name, bool top)
{
	struct job j = { .name = name, .out_fd = -1 };
	char *found = NULL;
	struct stat sb;

	j.in_fd = open_in(z, name, &found);
	if (found)
		j.name = found;
	if (j.in_fd < 0) {
		if (errno == EISDIR || errno == ENXIO)
			goto by_stat;
		msg(z, ST_ERROR, "%s: %s", name, strerror(errno));
		return;
	}
	if (fstat(j.in_fd, &sb)) {
		msg(z, ST_ERROR, "%s: %s", j.name, strerror(errno));
		goto close_in;
	}
	if (S_ISDIR(sb.st_mode)) {
		close(j.in_fd);
		j.in_fd = -1;
		if (z->recursive) {
			do_dir(z, j.name);
			goto done;
		}
		msg(z, ST_WARNING, "%s is a directory -- ignored", j.name);
		goto done;
	}
	if (!S_ISREG(sb.st_mode) && !z->to_stdout && !z->test && !z->list) {
		msg(z, ST_WARNING, "%s is not a directory or a regular file - ignored",
		    j.name);
		goto close_in;
	}
	if (refused(z, j.name, &sb))
		goto close_in;
	if (!top && (z->decompress || z->test || z->list) &&
	    !has_suffix(z, j.name)) {
		if (z->verbose)
			msg(z, ST_WARNING, "%s: unknown suffix -- ignored",
			    j.name);
		goto close_in;
	}
	fcntl(j.in_fd, F_SETFL, fcntl(j.in_fd, F_GETFL) & ~O_NONBLOCK);
	j.size = S_ISREG(sb.st_mode) ? sb.st_size : 0;
	if (z->decompress || z->test || z->list)
		decompress_file(z, &j, &sb);
	else
		compress_file(z, &j, &sb);
	if (z->save_name)
		z->named_before = true;
close_in:
	if (j.in_fd >= 0)
		close(j.in_fd);
done:
	free(j.stored);
	free(found);
	return;
by_stat:
	if (!stat(name, &sb) && S_ISDIR(sb.st_mode) && z->recursive)
		do_dir(z, name);
	else
		msg(z, ST_WARNING, "%s is a directory -- ignored", name);
	free(found);
}

static void do_stdin(struct wdzip *z)
{
	struct job j = { .name = "stdin", .in_fd = STDIN_FILENO,
			 .is_stdin = true };
	bool expand = z->decompress || z->test || z->list;
	struct stat sb;

	if (!z->force && !expand && isatty(STDOUT_FILENO)) {
		msg(z, ST_ERROR, "compressed data not written to a terminal. Use -f to force compression.\n"
		    "For help, type: wdzip -h");
		return;
	}
	if (!z->force && expand && isatty(STDIN_FILENO)) {
		msg(z, ST_ERROR, "compressed data not read from a terminal. Use -f to force decompression.\n"
		    "For help, type: wdzip -h");
		return;
	}
	if (fstat(STDIN_FILENO, &sb))
		memset(&sb, 0, sizeof(sb));
	if (S_ISREG(sb.st_mode))
		j.size = sb.st_size;
	if (expand)
		decompress_file(z, &j, &sb);
	else
		compress_file(z, &j, &sb);
	free(j.stored);
}

static void usage(FILE *f)
{
	fputs("Usage: wdzip [OPTION]... [FILE]...\n"
	      "Compress or uncompress FILEs (by default, compress FILES in-place),\n"
	      "on a WarpDrive accelerator when there is one; the files are gzip's.\n\n"
	      "Mandatory arguments to long options are mandatory for short options too.\n\n"
	      "  -c, --stdout      write on standard output, keep original files unchanged\n"
	      "  -d, --decompress  decompress\n"
	      "  -f, --force       force overwrite of output file and compress links\n"
	      "  -h, --help        give this help\n"
	      "  -k, --keep        keep (don't delete) input files\n"
	      "  -l, --list        list compressed file contents\n"
	      "  -L, --license     display software license\n"
	      "  -n, --no-name     do not save or restore the original name and timestamp\n"
	      "  -N, --name        save or restore the original name and timestamp\n"
	      "  -q, --quiet       suppress all warnings\n"
	      "  -r, --recursive   operate recursively on directories\n"
	      "  -S, --suffix=SUF  use suffix SUF on compressed files\n"
	      "      --synchronous synchronous output (safer if system crashes, but slower)\n"
	      "  -t, --test        test compressed file integrity\n"
	      "  -v, --verbose     verbose mode: ratio, and which path ran\n"
	      "  -V, --version     display version number\n"
	      "  -1, --fast        compress faster\n"
	      "  -9, --best        compress better\n"
	      "      --policy=auto|hw|sw  where to compress (default: $WD_POLICY or auto)\n"
	      "      --progress    show progress of large files on a terminal\n\n"
	      "With no FILE, or when FILE is -, read standard input.\n", f);
}

enum { OPT_POLICY = 256, OPT_PROGRESS, OPT_SYNC };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "stdout", no_argument, NULL, 'c' },
		{ "to-stdout", no_argument, NULL, 'c' },
		{ "decompress", no_argument, NULL, 'd' },
		{ "uncompress", no_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "keep", no_argument, NULL, 'k' },
		{ "list", no_argument, NULL, 'l' },
		{ "license", no_argument, NULL, 'L' },
		{ "no-name", no_argument, NULL, 'n' },
		{ "name", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "silent", no_argument, NULL, 'q' },
		{ "recursive", no_argument, NULL, 'r' },
		{ "suffix", required_argument, NULL, 'S' },
		{ "test", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "fast", no_argument, NULL, '1' },
		{ "best", no_argument, NULL, '9' },
		{ "synchronous", no_argument, NULL, OPT_SYNC },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ NULL, 0, NULL, 0 }
	};
	struct wdzip z = { .level = WD_LEVEL_DEFAULT, .suffix = ".gz", .save_name = true };
	const char *prog = base_name(argv[0]);
	bool name_opt = false, no_name_opt = false;
	int opt;

	if (strstr(prog, "unzip") || strstr(prog, "zcat"))
		z.decompress = true;
	if (strstr(prog, "zcat"))
		z.to_stdout = true;
	argv[0] = "wdzip";	/* getopt's messages */
	while ((opt = getopt_long(argc, argv, "cdfhklLnNqrS:tvV123456789",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			z.to_stdout = true;
			break;
		case 'd':
			z.decompress = true;
			break;
		case 'f':
			z.force = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'k':
			z.keep = true;
			break;
		case 'l':
			z.list = true;
			break;
		case 'L':
			printf("wdzip (libwarpdrive %s)\nLicense GPLv2: GNU GPL version 2 <https://gnu.org/licenses/gpl-2.0.html>.\n",
			       wd_version());
			return 0;
		case 'n':
			no_name_opt = true;
			name_opt = false;
			break;
		case 'N':
			name_opt = true;
			no_name_opt = false;
			break;
		case 'q':
			z.quiet = true;
			z.verbose = false;
			break;
		case 'r':
			z.recursive = true;
			break;
		case 'S':
			if (!*optarg || strchr(optarg, '/')) {
				fprintf(stderr, "wdzip: invalid suffix '%s'\n",
					optarg);
				return 1;
			}
			z.suffix = optarg;
			break;
		case 't':
			z.test = true;
			break;
		case 'v':
			z.verbose = true;
			z.quiet = false;
			break;
		case 'V':
			printf("wdzip (libwarpdrive %s)\n", wd_version());
			return 0;
		case OPT_SYNC:
			z.sync = true;
			break;
		case OPT_PROGRESS:
			z.show_progress = true;
			break;
		case OPT_POLICY:
			if (!strcmp(optarg, "auto")) {
				z.policy = WD_POLICY_AUTO;
			} else if (!strcmp(optarg, "hw")) {
				z.policy = WD_POLICY_HW;
			} else if (!strcmp(optarg, "sw")) {
				z.policy = WD_POLICY_SW;
			} else {
				fprintf(stderr, "wdzip: --policy must be auto, hw or sw\n");
				return 1;
			}
			break;
		default:
			if (opt >= '1' && opt <= '9') {
				z.level = opt - '0';
				break;
			}
			fprintf(stderr, "Try `%s --help' for more information.\n",
				"wdzip");
			return 1;
		}
	}
	z.save_name = !no_name_opt;
	z.restore_name = name_opt;
	if (z.list) {
		z.decompress = true;
		z.test = false;
	}
	if (z.test)
		z.decompress = true;
	catch_signals(z.quiet);

	if (optind == argc)
		do_stdin(&z);
	for (int i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "-"))
			do_stdin(&z);
		else
			do_path(&z, argv[i], true);
	}
	/* gzip totals the operands, not the files -r finds */
	if (z.list && argc - optind > 1 && !z.quiet)
		list_line(&z, NULL, "(totals)", 0);

	put_buffers(&z);
	wd_comp_close(z.comp);
	wd_comp_close(z.decomp);
	wd_comp_close(z.bufs);
	fflush(stdout);
	return z.status;
}
