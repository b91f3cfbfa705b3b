// SPDX-License-Identifier: GPL-2.0
/*
 * modload: load and unload the modules of a test, for the test guests'
 * harness (test/vm/guest-check.sh).
 *
 *   modload load FILE.ko [PARAM=VALUE...]   finit_module(2), as insmod
 *   modload unload NAME                      delete_module(2), as rmmod
 *
 * The harness loads and unloads a test's modules around every test, up
 * to eight calls per test.  insmod and rmmod are kmod, which links
 * libcrypto, liblzma and libzstd: under TCG in the debug guest each call
 * cost about 0.7 s, most of it the dynamic linker relocating those
 * libraries.  This program is linked statically and does only the system
 * call: about 0.2 s a call, the kernel's own work included.
 *
 * The parameters are passed as insmod passes them, joined by spaces.
 * unload does not wait for the module's users (O_NONBLOCK, as rmmod): a
 * module in use fails with EWOULDBLOCK and the harness retries.  Exit
 * status 0, or 1 with one line on stderr saying what failed; the kernel
 * logs its own reason.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: modload load FILE.ko [PARAM=VALUE...]\n"
			"       modload unload NAME\n");
	return 2;
}

static int load(const char *path, int argc, char **argv)
{
	size_t len = 1;
	char *params;
	int fd, ret;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	params = calloc(1, len);
	if (!params) {
		fprintf(stderr, "modload: out of memory\n");
		return 1;
	}
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(params, " ");
		strcat(params, argv[i]);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "modload: cannot open %s: %s\n", path,
			strerror(errno));
		free(params);
		return 1;
	}
	ret = syscall(SYS_finit_module, fd, params, 0);
	if (ret)
		fprintf(stderr, "modload: cannot load %s: %s (see the kernel log)\n",
			path, strerror(errno));
	close(fd);
	free(params);
	return ret ? 1 : 0;
}

static int unload(const char *name)
{
	if (syscall(SYS_delete_module, name, O_NONBLOCK)) {
		fprintf(stderr, "modload: cannot unload %s: %s\n", name,
			strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "load"))
		return load(argv[2], argc - 3, argv + 3);
	if (argc == 3 && !strcmp(argv[1], "unload"))
		return unload(argv[2]);
	return usage();
}
