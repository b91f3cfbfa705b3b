// SPDX-License-Identifier: GPL-2.0
/*
 * One copy of libwarpdrive per process (issue #18): a program linked with
 * libwarpdrive that also calls zlib through libwdz.so.1 runs both on the
 * same library.  libwdz.so.1 needs libwarpdrive.so.1 instead of carrying
 * a copy of it, so the dynamic linker gives it the program's: the
 * program's wd_get_stats() counts the shim's requests, and on a device
 * the program and the shim share one queue.  With a copy inside the shim
 * (before), the copy's counters, device table, SIGBUS guard and shared
 * queue were its own: every case below fails.
 *
 *   lib_onecopy_test              under LD_PRELOAD=libwdz.so.1
 *   lib_onecopy_test dlopen LIB   libwdz.so.1 at LIB, dlopen()ed
 *   lib_onecopy_test hw           under LD_PRELOAD, with WD_POLICY=hw on
 *                                 a vzip device: the work runs there
 */
#include <dirent.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <warpdrive/warpdrive.h>
#include "tap.h"

#define LEN	(256 * 1024)

typedef int compress2_fn(Bytef *, uLongf *, const Bytef *, uLong, int);
typedef int uncompress_fn(Bytef *, uLongf *, const Bytef *, uLong);

/* The file name of the object that holds @addr, "" if none. */
static const char *object_of(const void *addr)
{
	Dl_info info;

	if (!addr || !dladdr(addr, &info) || !info.dli_fname)
		return "";
	return info.dli_fname;
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && !strcmp(s + n - m, tail);
}

/* Requests and input bytes counted by the process's library so far. */
static void totals(unsigned long long *req, unsigned long long *in)
{
	struct wd_stats st;

	wd_get_stats(&st);
	*req = st.hw_requests + st.sw_requests;
	*in = st.hw_bytes_in + st.sw_bytes_in;
}

/* Descriptors of this process open on a vzip queue node (/dev/vzip-*). */
static int queue_fds(void)
{
	char path[300], target[256];
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	ssize_t n;
	int count = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		count += !strncmp(target, "/dev/vzip-", 10);
	}
	closedir(d);
	return count;
}

int main(int argc, char **argv)
{
	static unsigned char src[LEN], comp[LEN + LEN / 8 + 64], back[LEN];
	static unsigned char out[LEN + LEN / 8 + 64];
	bool hw = argc > 1 && !strcmp(argv[1], "hw");
	bool dl = argc > 2 && !strcmp(argv[1], "dlopen");
	unsigned long long req0, in0, req1, in1;
	struct wd_comp_params p = { .format = WD_FORMAT_ZLIB, .level = 6 };
	uLongf clen = sizeof(comp), blen = sizeof(back);
	size_t olen = sizeof(out);
	compress2_fn *zcompress2;
	uncompress_fn *zuncompress;
	struct wd_comp *c = NULL;
	const char *where;
	void *h;
	int r1, r2, ret;

	if (argc > 1 && !hw && !dl) {
		fprintf(stderr, "usage: %s [hw | dlopen LIBWDZ]\n", argv[0]);
		return 2;
	}
	tap_plan(hw ? 7 : 6);
	for (size_t i = 0; i < LEN; i++)
		src[i] = "one copy of libwarpdrive "[i % 25] + (unsigned char)(i >> 14);

	/* the shim's compress2() and uncompress(), as the program calls them */
	if (dl) {
		h = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
		if (!h)
			tap_diag("dlopen %s: %s", argv[2], dlerror());
		zcompress2 = h ? (compress2_fn *)dlsym(h, "compress2") : NULL;
		zuncompress = h ? (uncompress_fn *)dlsym(h, "uncompress") : NULL;
	} else {
		zcompress2 = compress2;
		zuncompress = uncompress;
		h = dlopen(object_of((void *)compress2), RTLD_NOW | RTLD_NOLOAD);
	}
	where = object_of((void *)zcompress2);
	tap_ok(zcompress2 && zuncompress && ends_with(where, "/libwdz.so.1"),
	       "compress2() is libwdz.so.1's (%s)", where);

	/*
	 * The library the shim was linked to is the program's: looked up
	 * from the shim's handle (the shim and what it needs), wd_get_stats
	 * is the very function the program calls.
	 */
	tap_ok(h && dlsym(h, "wd_get_stats") == (void *)wd_get_stats,
	       "libwdz.so.1 resolves wd_get_stats to the program's (%s)",
	       object_of((void *)wd_get_stats));

	totals(&req0, &in0);
	r1 = zcompress2 ? zcompress2(comp, &clen, src, LEN, 6) : -99;
	r2 = r1 == Z_OK ? zuncompress(back, &blen, comp, clen) : r1;
	tap_ok(r1 == Z_OK && r2 == Z_OK && blen == LEN && !memcmp(src, back, LEN),
	       "compress2() and uncompress() through the shim round-trip (%d %d)",
	       r1, r2);
	totals(&req1, &in1);
	tap_ok(req1 - req0 == 2 && in1 - in0 == LEN + clen,
	       "the program's wd_get_stats() counts the shim's 2 requests, "
	       "%lu bytes in (counted %llu, %llu bytes)",
	       (unsigned long)(LEN + clen), req1 - req0, in1 - in0);

	/* and the program's own request in the same place */
	ret = wd_comp_open(&c, &p);
	if (!ret)
		ret = wd_compress(c, src, LEN, out, &olen);
	totals(&req0, &in0);
	tap_ok(!ret && req0 - req1 == 1 && in0 - in1 == LEN,
	       "the program's own request is counted there too (%d)", ret);

	{
		struct wd_stats st;

		wd_get_stats(&st);
		if (hw)
			tap_ok(st.hw_requests >= 3 && !st.sw_requests,
			       "WD_POLICY=hw: all 3 on the device (hw %llu, sw %llu)",
			       (unsigned long long)st.hw_requests,
			       (unsigned long long)st.sw_requests);
		else
			tap_ok(st.sw_requests == 3 && !st.hw_requests,
			       "no device: all 3 in software (hw %llu, sw %llu)",
			       (unsigned long long)st.hw_requests,
			       (unsigned long long)st.sw_requests);
	}
	if (hw) {
		/* the process's shared queue: one, for the shim and the program */
		ret = queue_fds();
		tap_ok(ret == 1, "one queue open in the process (%d)", ret);
	}
	if (c)
		wd_comp_close(c);
	return tap_done();
}
