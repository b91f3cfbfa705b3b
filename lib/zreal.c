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

#include "internal.h"
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
		bool core;
	} syms[] = {
#define CORE(n) { #n, offsetof(struct wd_zreal, n), true },
#define MORE(n) { #n, offsetof(struct wd_zreal, n), false },
		WD_ZREAL_CORE(CORE)
		WD_ZREAL_MORE(MORE)
#undef CORE
#undef MORE
	};
	bool ok = true;

	zlib_handle = dlopen(ZLIB_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!zlib_handle) {
		fprintf(stderr, "libwarpdrive: no software path: %s\n",
			dlerror());
		return;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *p = dlsym(zlib_handle, syms[i].name);

		if (!p && syms[i].core && ok) {
			fprintf(stderr, "libwarpdrive: %s lacks %s\n",
				ZLIB_SONAME, syms[i].name);
			ok = false;
		}
		/* POSIX guarantees object and function pointers convert */
		*(void **)((char *)&zreal + syms[i].offset) = p;
	}
	zreal_ok = ok;
}

const struct wd_zreal *wd_zreal(void)
{
	pthread_once(&zreal_once, zreal_load);
	return zreal_ok ? &zreal : NULL;
}

WD_PRIVATE const struct wd_zreal *wd_zreal_all(void)
{
	pthread_once(&zreal_once, zreal_load);
	return &zreal;
}
