// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: the environment variables of <warpdrive/common.h>, parsed
 * once per process.  A bad value is reported on stderr and ignored: a
 * typo must not silently change where data is processed.
 *
 * WD_DEVICE_<CLASS> (e.g. WD_DEVICE_VZIP) names the device of one class,
 * CLASS being its api attribute up to the first '_' in upper case: a
 * container given one device of each class gets one variable each, where a
 * single WD_DEVICE could name only one of them (Documentation/mdev.rst).
 * No class is listed here: every WD_DEVICE_* variable is kept.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

extern char **environ;

static struct wd_env env;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

static void env_bad(const char *name, const char *val)
{
	fprintf(stderr, "libwarpdrive: ignoring %s=%s\n", name, val);
}

/* A device name as WD_DEVICE takes it: fits, and no path. */
static bool env_device_ok(const char *v)
{
	return strlen(v) < sizeof(env.device) && !strchr(v, '/');
}

/* One WD_DEVICE_<CLASS>=<name> entry of environ: kept, or reported. */
static void env_class(const char *entry)
{
	const char *cls = entry + strlen("WD_DEVICE_");
	const char *eq = strchr(cls, '=');
	size_t len;

	if (!eq || !eq[1])
		return;		/* unset, as WD_DEVICE= is */
	len = (size_t)(eq - cls);
	for (size_t i = 0; i < len; i++)
		if (!(cls[i] >= 'A' && cls[i] <= 'Z') &&
		    !(cls[i] >= '0' && cls[i] <= '9'))
			len = 0;	/* ASCII, whatever the locale */
	if (!len || len >= sizeof(env.classes[0].name) ||
	    !env_device_ok(eq + 1) || env.nclasses == WD_ENV_CLASSES) {
		fprintf(stderr, "libwarpdrive: ignoring %s\n", entry);
		return;
	}
	memcpy(env.classes[env.nclasses].name, cls, len);
	strcpy(env.classes[env.nclasses].device, eq + 1);
	env.nclasses++;
}

static void env_parse(void)
{
	const char *v;
	char *end;

	env.policy = WD_POLICY_AUTO;
	env.sw_threshold = WD_DEFAULT_SW_THRESHOLD;

	v = getenv("WD_POLICY");
	if (v && *v) {
		if (!strcmp(v, "auto"))
			env.policy = WD_POLICY_AUTO;
		else if (!strcmp(v, "hw"))
			env.policy = WD_POLICY_HW;
		else if (!strcmp(v, "sw"))
			env.policy = WD_POLICY_SW;
		else
			env_bad("WD_POLICY", v);
	}

	v = getenv("WD_DEVICE");
	if (v && *v) {
		if (env_device_ok(v))
			strcpy(env.device, v);
		else
			env_bad("WD_DEVICE", v);
	}
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, "WD_DEVICE_", strlen("WD_DEVICE_")))
			env_class(*e);

	v = getenv("WD_SW_THRESHOLD");
	if (v && *v) {
		unsigned long long n = strtoull(v, &end, 0);

		if (*end || v[0] == '-')
			env_bad("WD_SW_THRESHOLD", v);
		else
			env.sw_threshold = n;
	}

	v = getenv("WD_WAIT");
	if (v && *v) {
		if (!strcmp(v, "busy"))
			env.busy_wait = true;
		else if (strcmp(v, "poll"))
			env_bad("WD_WAIT", v);
	}

	v = getenv("WD_STATS");
	env.stats = v && *v && strcmp(v, "0");
}

WD_PRIVATE const struct wd_env *wd_env(void)
{
	pthread_once(&env_once, env_parse);
	return &env;
}

const char *wd_env_device(const char *api)
{
	const struct wd_env *e = wd_env();
	char cls[sizeof(e->classes[0].name)];
	size_t n = strcspn(api, "_");

	/* longer than any name kept, or none: only WD_DEVICE applies */
	if (n && n < sizeof(cls)) {
		for (size_t i = 0; i < n; i++)	/* ASCII: no locale */
			cls[i] = api[i] >= 'a' && api[i] <= 'z' ?
				 (char)(api[i] - 'a' + 'A') : api[i];
		cls[n] = '\0';
		for (int i = 0; i < e->nclasses; i++)
			if (!strcmp(e->classes[i].name, cls))
				return e->classes[i].device;
	}
	return e->device[0] ? e->device : NULL;
}
