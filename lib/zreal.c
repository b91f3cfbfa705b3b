// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: the system's zlib through dlopen() and dlsym() on its own
 * handle (see zreal.h for why).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "zreal.h"

#define ZLIB_SONAME	"libz.so.1"

static struct wd_zreal zreal;
static void *zlib_handle;
static bool zreal_ok;
static pthread_once_t zreal_once = PTHREAD_ONCE_INIT;

static void zreal_load(void)
{
	static const struct {
		const char *name;
		size_t offset;
	} syms[] = {
#define SYM(n) { #n, offsetof(struct wd_zreal, n) }
		SYM(zlibVersion), SYM(deflateInit2_), SYM(deflate),
		SYM(deflateEnd), SYM(deflateReset), SYM(deflateBound),
		SYM(deflateParams),
		SYM(inflateInit2_), SYM(inflate), SYM(inflateEnd),
		SYM(inflateReset), SYM(crc32), SYM(adler32),
		SYM(crc32_combine), SYM(adler32_combine),
#undef SYM
	};

	zlib_handle = dlopen(ZLIB_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!zlib_handle) {
		fprintf(stderr, "libwarpdrive: no software path: %s\n",
			dlerror());
		return;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *p = dlsym(zlib_handle, syms[i].name);

		if (!p) {
			fprintf(stderr, "libwarpdrive: %s lacks %s\n",
				ZLIB_SONAME, syms[i].name);
			return;
		}
		/* POSIX guarantees object and function pointers convert */
		*(void **)((char *)&zreal + syms[i].offset) = p;
	}
	zreal_ok = true;
}

const struct wd_zreal *wd_zreal(void)
{
	pthread_once(&zreal_once, zreal_load);
	return zreal_ok ? &zreal : NULL;
}

void *wd_zreal_sym(const char *name)
{
	pthread_once(&zreal_once, zreal_load);
	return zlib_handle ? dlsym(zlib_handle, name) : NULL;
}
