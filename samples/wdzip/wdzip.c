// SPDX-License-Identifier: GPL-2.0
/*
 * wdzip: gzip-compatible compression on a WarpDrive accelerator.
 *
 * The command line, messages and exit codes are gzip's (0 ok, 1 error,
 * 2 warning); the files are gzip files either way.  -v also says which
 * path compressed each file: the accelerator (and which one), or software
 * and why.  Large files show a progress bar when stderr is a terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <warpdrive/warpdrive.h>

#define CHUNK		(1u << 20)	/* bytes read per call */
#define PROGRESS_MIN	(8u << 20)	/* smaller inputs show no progress bar */

enum { ST_OK = 0, ST_ERROR = 1, ST_WARNING = 2 };

/**
 * struct wdzip - settings and state of one run
 * @decompress: -d
 * @to_stdout: -c
 * @keep: -k
 * @force: -f
 * @test: -t
 * @verbose: -v
 * @quiet: -q
 * @level: -1..-9
 * @suffix: -S
 * @policy: --policy
 * @status: exit status so far
 * @comp: compression session, @decomp: decompression session
 * @in: input buffer, @out: output buffer (@out_size bytes), both from
 *      the session @bufs_from
 */
struct wdzip {
	bool decompress;
	bool to_stdout;
	bool keep;
	bool force;
	bool test;
	bool verbose;
	bool quiet;
	int level;
	const char *suffix;
	enum wd_policy policy;
	int status;
	struct wd_comp *comp;
	struct wd_comp *decomp;
	char *in;
	char *out;
	size_t out_size;
	struct wd_comp *bufs_from;
};

/**
 * struct job - one file being processed
 * @name: as given ("stdin" for standard input)
 * @in_fd: input
 * @out_fd: output, -1 for -t
 * @size: input size if known (regular file), else 0
 * @done: input bytes consumed so far
 * @written: output bytes written so far
 * @last_draw: when the progress bar was last drawn (ns)
 * @bar: a progress bar is being drawn
 */
struct job {
	const char *name;
	int in_fd;
	int out_fd;
	off_t size;
	uint64_t done;
	uint64_t written;
	int64_t last_draw;
	bool bar;
};

/* An error decides the exit status; a warning only if all was well. */
static void set_status(struct wdzip *z, int st)
{
	if (st == ST_ERROR || z->status == ST_OK)
		z->status = st;
}

__attribute__((format(printf, 3, 4)))
static void msg(struct wdzip *z, int st, const char *fmt, ...)
{
	va_list ap;

	set_status(z, st);
	if (z->quiet && st == ST_WARNING)
		return;
	fputs("wdzip: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

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
	fill = pct * 40 / 100;
	fprintf(stderr, "\r%.20s %3d%% [%.*s%*s]", j->name, pct, fill,
		"########################################", 40 - fill, "");
}

static int write_all(int fd, const char *p, size_t n)
{
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
static ssize_t read_full(int fd, char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!r)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Writes what the stream produced into the output buffer. */
static int flush_out(struct job *j, const char *buf, size_t n)
{
	int ret;

	if (!n || j->out_fd < 0) {
		j->written += n;
		return 0;
	}
	ret = write_all(j->out_fd, buf, n);
	if (!ret)
		j->written += n;
	return ret;
}

static void describe_path(struct wd_comp *c, const struct wd_stream_state *st,
			  char *buf, size_t size)
{
	const char *dev = wd_comp_device(c);

	if (st->path & WD_PATH_HW)
		snprintf(buf, size, "accelerator %s", dev ? dev : "?");
	else
		snprintf(buf, size, "software: %s",
			 wd_reason_name(st->reason));
}

static int compress_job(struct wdzip *z, struct job *j,
			struct wd_stream_state *st)
{
	struct wd_stream *s;
	bool eof = false;
	int ret;

	ret = wd_stream_open(&s, z->comp, WD_DIR_COMPRESS);
	if (ret)
		return ret;
	while (!eof) {
		ssize_t n = read_full(j->in_fd, z->in, CHUNK);
		const void *in = z->in;
		size_t in_len;

		if (n < 0) {
			ret = (int)n;
			break;
		}
		in_len = (size_t)n;
		/* a short read of a regular file or pipe is its end */
		eof = in_len < CHUNK ||
		      (j->size && j->done + in_len >= (uint64_t)j->size);
		do {
			void *out = z->out;
			size_t out_len = z->out_size;

			ret = wd_stream_run(s, &in, &in_len, &out, &out_len,
					    eof ? WD_FINISH : WD_NO_FLUSH);
			if (ret < 0 && ret != -ENOBUFS)
				goto done;
			if (flush_out(j, z->out, z->out_size - out_len)) {
				ret = -errno;
				goto done;
			}
		} while (in_len || (eof && ret != WD_STREAM_END));
		j->done += (size_t)n;
		progress(j, false);
	}
	ret = 0;
done:
	wd_stream_get_state(s, st);
	wd_stream_close(s);
	return ret;
}

/* After a member: is what follows another member, zeros, or garbage? */
enum after { AFTER_END, AFTER_MEMBER, AFTER_GARBAGE };

static enum after what_follows(struct wdzip *z, struct job *j,
			       const void **in, size_t *in_len)
{
	for (;;) {
		const unsigned char *p = *in;
		ssize_t n;

		/* gzip ignores zero padding after the last member */
		while (*in_len && !p[0]) {
			p++;
			(*in_len)--;
		}
		*in = p;
		if (*in_len >= 2)
			return p[0] == 0x1f && p[1] == 0x8b ? AFTER_MEMBER :
							      AFTER_GARBAGE;
		if (*in_len == 1 && p[0] != 0x1f)
			return AFTER_GARBAGE;
		/* too few bytes to tell: read on */
		memmove(z->in, p, *in_len);
		n = read_full(j->in_fd, z->in + *in_len, CHUNK - *in_len);
		if (n <= 0)
			return *in_len ? AFTER_GARBAGE : AFTER_END;
		*in = z->in;
		*in_len += (size_t)n;
		j->done += (size_t)n;
	}
}

static int decompress_job(struct wdzip *z, struct job *j,
			  struct wd_stream_state *st)
{
	struct wd_stream *s;
	const void *in = z->in;
	size_t in_len = 0;
	bool first = true;
	int ret;

	ret = wd_stream_open(&s, z->decomp, WD_DIR_DECOMPRESS);
	if (ret)
		return ret;
	for (;;) {
		void *out = z->out;
		size_t out_len = z->out_size;

		if (!in_len) {
			ssize_t n = read_full(j->in_fd, z->in, CHUNK);

			if (n < 0) {
				ret = (int)n;
				break;
			}
			if (!n) {
				ret = first ? -ENOMSG : -EPIPE;
				break;
			}
			in = z->in;
			in_len = (size_t)n;
			j->done += (size_t)n;
			progress(j, false);
		}
		if (first) {
			const unsigned char *p = in;

			if (in_len < 2 || p[0] != 0x1f || p[1] != 0x8b) {
				ret = -ENOMSG;
				break;
			}
			first = false;
		}
		ret = wd_stream_run(s, &in, &in_len, &out, &out_len,
				    WD_NO_FLUSH);
		if (flush_out(j, z->out, z->out_size - out_len)) {
			ret = -errno;
			break;
		}
		if (ret == -ENOBUFS && in_len) {
			ret = -EIO;	/* no progress with input left */
			break;
		}
		if (ret < 0 && ret != -ENOBUFS)
			break;
		if (ret == WD_STREAM_END) {
			enum after a = what_follows(z, j, &in, &in_len);

			wd_stream_get_state(s, st);
			if (a == AFTER_END) {
				ret = 0;
				break;
			}
			if (a == AFTER_GARBAGE) {
				ret = 1;
				break;
			}
			ret = wd_stream_reset(s);
			if (ret)
				break;
		}
	}
	if (ret <= 0)
		wd_stream_get_state(s, st);
	wd_stream_close(s);
	return ret;
}

static int open_session(struct wdzip *z, bool decompress)
{
	struct wd_comp_params p = {
		.format = WD_FORMAT_GZIP,
		.level = z->level,
		.policy = z->policy,
	};
	struct wd_comp **c = decompress ? &z->decomp : &z->comp;
	int ret;

	if (*c)
		return 0;
	ret = wd_comp_open(c, &p);
	if (ret) {
		msg(z, ST_ERROR, "cannot start: %s", wd_strerror(ret));
		return ret;
	}
	if (!z->in) {
		z->bufs_from = *c;
		z->in = wd_buf_alloc(*c, CHUNK);
		z->out_size = wd_compress_bound(WD_FORMAT_GZIP, CHUNK);
		z->out = wd_buf_alloc(*c, z->out_size);
		if (!z->in || !z->out) {
			msg(z, ST_ERROR, "out of memory");
			return -ENOMEM;
		}
	}
	return 0;
}

/* Name of the output of @name; NULL (with a message) if there is none. */
static char *out_name(struct wdzip *z, const char *name)
{
	size_t n = strlen(name), sl = strlen(z->suffix);
	char *out;

	if (!z->decompress) {
		if (n > sl && !strcmp(name + n - sl, z->suffix) && !z->force) {
			if (!z->quiet)
				fprintf(stderr, "wdzip: %s already has %s suffix -- unchanged\n",
					name, z->suffix);
			return NULL;
		}
		out = malloc(n + sl + 1);
		if (out)
			sprintf(out, "%s%s", name, z->suffix);
		return out;
	}
	if (n > sl && !strcmp(name + n - sl, z->suffix)) {
		out = strndup(name, n - sl);
	} else if (n > 4 && !strcmp(name + n - 4, ".tgz")) {
		out = malloc(n + 1);
		if (out)
			sprintf(out, "%.*s.tar", (int)(n - 4), name);
	} else {
		msg(z, ST_WARNING, "%s: unknown suffix -- ignored", name);
		return NULL;
	}
	return out;
}

static void report(struct wdzip *z, struct job *j, const char *outname,
		   const struct wd_stream_state *st, bool ok)
{
	struct wd_comp *c = z->decompress || z->test ? z->decomp : z->comp;
	uint64_t big, small;
	char path[96];
	double ratio;

	if (!z->verbose || !ok)
		return;
	describe_path(c, st, path, sizeof(path));
	if (z->test) {
		fprintf(stderr, "%s:\t OK (%s)\n", j->name, path);
		return;
	}
	big = z->decompress ? j->written : j->done;
	small = z->decompress ? j->done : j->written;
	ratio = big ? 100.0 * ((double)big - (double)small) / (double)big : 0;
	fprintf(stderr, "%s:\t%5.1f%%", j->name, ratio);
	if (outname)
		fprintf(stderr, " -- replaced with %s", outname);
	fprintf(stderr, " (%s)\n", path);
}

static void copy_meta(int fd, const struct stat *sb)
{
	struct timespec ts[2] = { sb->st_atim, sb->st_mtim };

	if (fchown(fd, sb->st_uid, sb->st_gid))
		(void)fchown(fd, (uid_t)-1, sb->st_gid);
	fchmod(fd, sb->st_mode & 07777);
	futimens(fd, ts);
}

static int run_job(struct wdzip *z, struct job *j, const char *outname)
{
	struct wd_stream_state st = { 0 };
	int ret;

	ret = open_session(z, z->decompress || z->test);
	if (ret)
		return ret;
	j->bar = isatty(STDERR_FILENO) && !z->quiet && j->size >= PROGRESS_MIN;
	ret = z->decompress || z->test ? decompress_job(z, j, &st) :
					 compress_job(z, j, &st);
	progress(j, true);
	switch (ret) {
	case 0:
		break;
	case 1:
		msg(z, ST_WARNING, "%s: decompression OK, trailing garbage ignored",
		    j->name);
		ret = 0;
		break;
	case -ENOMSG:
		msg(z, ST_ERROR, "%s: not in gzip format", j->name);
		break;
	case -EPIPE:
		msg(z, ST_ERROR, "%s: unexpected end of file", j->name);
		break;
	case -EBADMSG:
	case -EIO:
		msg(z, ST_ERROR, "%s: invalid compressed data--format violated",
		    j->name);
		break;
	default:
		msg(z, ST_ERROR, "%s: %s", j->name, wd_strerror(ret));
		break;
	}
	j->bar = false;
	report(z, j, outname, &st, !ret);
	return ret;
}

static void do_stdin(struct wdzip *z)
{
	struct job j = { .name = "stdin", .in_fd = STDIN_FILENO,
			 .out_fd = z->test ? -1 : STDOUT_FILENO };
	struct stat sb;

	if (!z->decompress && !z->test && !z->force && isatty(STDOUT_FILENO)) {
		msg(z, ST_ERROR, "compressed data not written to a terminal. Use -f to force compression.");
		return;
	}
	if (!fstat(STDIN_FILENO, &sb) && S_ISREG(sb.st_mode))
		j.size = sb.st_size;
	run_job(z, &j, NULL);
}

static void do_file(struct wdzip *z, const char *name)
{
	struct job j = { .name = name, .out_fd = -1 };
	char *outname = NULL;
	struct stat sb;
	int ret;

	if (!strcmp(name, "-")) {
		do_stdin(z);
		return;
	}
	j.in_fd = open(name, O_RDONLY | O_CLOEXEC);
	if (j.in_fd < 0) {
		msg(z, ST_ERROR, "%s: %s", name, strerror(errno));
		return;
	}
	if (fstat(j.in_fd, &sb)) {
		msg(z, ST_ERROR, "%s: %s", name, strerror(errno));
		goto close_in;
	}
	if (S_ISDIR(sb.st_mode)) {
		msg(z, ST_WARNING, "%s is a directory -- ignored", name);
		goto close_in;
	}
	if (!S_ISREG(sb.st_mode) && !z->to_stdout && !z->test) {
		msg(z, ST_WARNING, "%s is not a directory or a regular file - ignored",
		    name);
		goto close_in;
	}
	j.size = S_ISREG(sb.st_mode) ? sb.st_size : 0;
	if (z->test) {
		run_job(z, &j, NULL);
		goto close_in;
	}
	if (z->to_stdout) {
		j.out_fd = STDOUT_FILENO;
		run_job(z, &j, NULL);
		goto close_in;
	}
	outname = out_name(z, name);
	if (!outname)
		goto close_in;
	j.out_fd = open(outname, O_WRONLY | O_CREAT | O_CLOEXEC |
			(z->force ? O_TRUNC : O_EXCL), 0600);
	if (j.out_fd < 0) {
		if (errno == EEXIST)
			msg(z, ST_WARNING, "%s already exists;\tnot overwritten",
			    outname);
		else
			msg(z, ST_ERROR, "%s: %s", outname, strerror(errno));
		goto free_name;
	}
	ret = run_job(z, &j, outname);
	if (!ret) {
		copy_meta(j.out_fd, &sb);
		if (close(j.out_fd)) {
			msg(z, ST_ERROR, "%s: %s", outname, strerror(errno));
			ret = -EIO;
		}
	} else {
		close(j.out_fd);
	}
	if (ret) {
		unlink(outname);
	} else {
		if (!z->keep && unlink(name))
			msg(z, ST_WARNING, "%s: %s", name, strerror(errno));
	}
free_name:
	free(outname);
close_in:
	close(j.in_fd);
}

static void usage(FILE *f)
{
	fputs("Usage: wdzip [OPTION]... [FILE]...\n"
	      "Compress or uncompress FILEs (by default, compress FILES in-place),\n"
	      "on a WarpDrive accelerator when there is one; the files are gzip's.\n\n"
	      "  -c, --stdout      write on standard output, keep original files unchanged\n"
	      "  -d, --decompress  decompress\n"
	      "  -f, --force       force overwrite of output file, compress .gz files\n"
	      "  -h, --help        give this help\n"
	      "  -k, --keep        keep (don't delete) input files\n"
	      "  -q, --quiet       suppress all warnings\n"
	      "  -S, --suffix=SUF  use suffix SUF on compressed files\n"
	      "  -t, --test        test compressed file integrity\n"
	      "  -v, --verbose     verbose mode: ratio, and which path ran\n"
	      "  -V, --version     display version number\n"
	      "  -1, --fast        compress faster\n"
	      "  -9, --best        compress better\n"
	      "      --policy=auto|hw|sw  where to compress (default: $WD_POLICY or auto)\n\n"
	      "With no FILE, or when FILE is -, read standard input.\n", f);
}

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
		{ "quiet", no_argument, NULL, 'q' },
		{ "suffix", required_argument, NULL, 'S' },
		{ "test", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "fast", no_argument, NULL, '1' },
		{ "best", no_argument, NULL, '9' },
		{ "policy", required_argument, NULL, 'P' },
		{ "no-name", no_argument, NULL, 'n' },
		{ "name", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 }
	};
	struct wdzip z = { .level = 6, .suffix = ".gz" };
	int opt;

	if (strstr(argv[0], "wdunzip") || strstr(argv[0], "wdzcat"))
		z.decompress = true;
	if (strstr(argv[0], "wdzcat"))
		z.to_stdout = true;
	while ((opt = getopt_long(argc, argv, "cdfhkqS:tvV123456789nN",
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
		case 'q':
			z.quiet = true;
			z.verbose = false;
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
		case 'P':
			if (!strcmp(optarg, "auto"))
				z.policy = WD_POLICY_AUTO;
			else if (!strcmp(optarg, "hw"))
				z.policy = WD_POLICY_HW;
			else if (!strcmp(optarg, "sw"))
				z.policy = WD_POLICY_SW;
			else {
				fprintf(stderr, "wdzip: --policy must be auto, hw or sw\n");
				return 1;
			}
			break;
		case 'n':
		case 'N':
			break;	/* names are not stored; accepted for gzip's sake */
		default:
			if (opt >= '1' && opt <= '9') {
				z.level = opt - '0';
				break;
			}
			usage(stderr);
			return 1;
		}
	}
	if (optind == argc)
		do_stdin(&z);
	for (int i = optind; i < argc; i++)
		do_file(&z, argv[i]);

	if (z.bufs_from) {
		wd_buf_free(z.bufs_from, z.in);
		wd_buf_free(z.bufs_from, z.out);
	}
	wd_comp_close(z.comp);
	wd_comp_close(z.decomp);
	return z.status;
}
