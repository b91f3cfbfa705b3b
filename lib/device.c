// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: finding devices in /sys/class/uacce and choosing them for
 * a new queue: right protocol, not isolated, free queues, then the
 * nearest NUMA node first, then the most free queues (compression and
 * crypto alike).  An instance carved out of an
 * accelerator (Documentation/mdev.rst) is used only when named: its
 * queues are reserved for whoever was given it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "queue_priv.h"

#define UACCE_CLASS	"/sys/class/uacce"

/* Reads a one-line sysfs attribute; returns its length or -errno. */
static int read_attr(const char *dev, const char *attr, char *buf,
		     size_t size)
{
	char path[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), UACCE_CLASS "/%s/%s", dev, attr);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return (int)n;
}

static long read_long(const char *dev, const char *attr, long dflt)
{
	char buf[32], *end;
	long v;

	if (read_attr(dev, attr, buf, sizeof(buf)) <= 0)
		return dflt;
	v = strtol(buf, &end, 0);
	return *end ? dflt : v;
}

/* An mdev instance: its parent device is on the mdev bus. */
static int is_instance(const char *dev)
{
	char path[256];

	snprintf(path, sizeof(path), UACCE_CLASS "/%.*s/device/mdev_type",
		 WD_NAME_MAX, dev);
	return !access(path, F_OK);
}

static int cmp_name(const void *a, const void *b)
{
	const struct wd_device *x = a, *y = b;

	return strcmp(x->name, y->name);
}

int wd_device_scan(struct wd_device *devs, int max)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(UACCE_CLASS);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		struct wd_device dev = { 0 };

		if (de->d_name[0] == '.' ||
		    strlen(de->d_name) >= sizeof(dev.name))
			continue;
		strcpy(dev.name, de->d_name);
		if (read_attr(dev.name, "api", dev.api, sizeof(dev.api)) < 0)
			continue;
		dev.flags = (unsigned int)read_long(dev.name, "flags", 0);
		dev.available = (int)read_long(dev.name, "available_instances",
					       -1);
		dev.isolated = read_long(dev.name, "isolate", 0) != 0;
		dev.node = (int)read_long(dev.name, "node_id",
					  read_long(dev.name,
						    "device/numa_node", -1));
		if (n < max)
			devs[n] = dev;
		n++;
	}
	closedir(d);
	if (devs && max > 0)
		qsort(devs, WD_MIN(n, max), sizeof(*devs), cmp_name);
	return n;
}

WD_EXPORT int wd_devices(struct wd_device *devs, int max)
{
	if (max < 0 || (max && !devs))
		return -EINVAL;
	return wd_device_scan(devs, max);
}

/* Distance from @from to @to as /sys/devices/system/node reports it. */
static int node_distance(int from, int to)
{
	char path[64], buf[256], *p = buf, *end;
	FILE *f;
	int i;

	if (from < 0 || to < 0)
		return 20;	/* unknown: as far as a remote node */
	if (from == to)
		return 10;
	snprintf(path, sizeof(path),
		 "/sys/devices/system/node/node%d/distance", from);
	f = fopen(path, "re");
	if (!f)
		return 20;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (i = 0; i <= to; i++) {
		long d = strtol(p, &end, 10);

		if (end == p)
			return 20;
		if (i == to)
			return (int)d;
		p = end;
	}
	return 20;
}

struct ranked {
	struct wd_device dev;
	int distance;
};

static int cmp_rank(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->distance != y->distance)
		return x->distance - y->distance;
	if (x->dev.available != y->dev.available)
		return y->dev.available - x->dev.available;
	return strcmp(x->dev.name, y->dev.name);
}

bool wd_device_denied(const char *api)
{
	const char *want = wd_env_device(api);
	struct wd_device all[WD_MAX_DEVICES];
	char path[WD_NAME_MAX + 8];
	int n = wd_device_scan(all, WD_MAX_DEVICES);

	for (int i = 0; i < WD_MIN(n, WD_MAX_DEVICES); i++) {
		if (want ? strcmp(all[i].name, want) : is_instance(all[i].name))
			continue;
		if (strncmp(all[i].api, api, strlen(api)))
			continue;
		snprintf(path, sizeof(path), "/dev/%.*s", WD_NAME_MAX - 1,
			 all[i].name);
		if (faccessat(AT_FDCWD, path, R_OK | W_OK, AT_EACCESS) &&
		    errno == EACCES)
			return true;
	}
	return false;
}

int wd_device_select(const char *api, const char *want,
		     struct wd_device *out, int max, enum wd_reason *why)
{
	struct wd_device all[WD_MAX_DEVICES];
	int n, nout = 0, isolated = 0, full = 0;

	*why = WD_REASON_NO_DEVICE;
	n = wd_device_scan(all, WD_MAX_DEVICES);
	if (n < 0)
		return n;
	n = WD_MIN(n, WD_MAX_DEVICES);
	for (int i = 0; i < n; i++) {
		if (want ? strcmp(all[i].name, want) : is_instance(all[i].name))
			continue;
		if (strncmp(all[i].api, api, strlen(api)))
			continue;
		if (all[i].isolated) {
			isolated++;
			continue;
		}
		if (all[i].available == 0) {
			full++;
			continue;
		}
		if (nout < max)
			out[nout++] = all[i];
	}
	*why = nout ? WD_REASON_NONE :
	       full ? WD_REASON_NO_QUEUE :
	       isolated ? WD_REASON_ISOLATED : WD_REASON_NO_DEVICE;
	return nout;
}

int wd_device_pick(const struct wd_ring_proto *proto,
		   const struct wd_queue_params *params,
		   struct wd_device *out, int max, enum wd_reason *why)
{
	const char *want = params ? params->device : NULL;
	struct wd_device usable[WD_MAX_DEVICES];
	struct ranked cand[WD_MAX_DEVICES];
	int nc, node = -1;
	unsigned int cpu;

	if (!want)
		want = wd_env_device(proto->api);
	if (params && (params->flags & WD_QUEUE_F_NODE))
		node = params->node;
	else if (getcpu(&cpu, (unsigned int *)&node))
		node = -1;

	nc = wd_device_select(proto->api, want, usable, WD_MAX_DEVICES, why);
	if (nc <= 0)
		return nc;
	for (int i = 0; i < nc; i++) {
		cand[i].dev = usable[i];
		cand[i].distance = node_distance(node, usable[i].node);
	}
	qsort(cand, nc, sizeof(*cand), cmp_rank);
	for (int i = 0; i < nc && i < max; i++)
		out[i] = cand[i].dev;
	return WD_MIN(nc, max);
}
