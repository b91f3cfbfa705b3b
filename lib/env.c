// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: the environment variables of <warpdrive/common.h>, parsed
 * once per process.  A bad value is reported on stderr and ignored: a
 * typo must not silently change where data is processed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static struct wd_env env;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

static void env_bad(const char *name, const char *val)
{
	fprintf(stderr, "libwarpdrive: ignoring %s=%s\n", name, val);
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
		if (strlen(v) < sizeof(env.device) && !strchr(v, '/'))
			strcpy(env.device, v);
		else
			env_bad("WD_DEVICE", v);
	}

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
