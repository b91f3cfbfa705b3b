// SPDX-License-Identifier: GPL-2.0
/*
 * wdbench: what the device's engines did during a measurement, so that
 * the device's cost is reported next to the application's: the CPU time
 * of the engine threads (kernel threads named after the platform device,
 * "<class>.<id>/e<n>") and the doorbells and wake-ups counted in
 * /sys/kernel/debug/<class>/<uacce name>/stats.  The class is the one
 * the measurement runs on (struct work's @engines): vcrypt for the
 * library's crypto ops, vzip for the others.  Every device of the class is summed: a measurement uses one,
 * and the others are idle.  Unreadable counters (no debugfs, not root)
 * leave @seen false and the figures are reported as unknown, never as
 * zero.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wdbench.h"

#define DEBUGFS	"/sys/kernel/debug"

/* Adds the engine counters of one device's stats file; false if none. */
static bool read_stats(const char *cls, const char *dev, struct engines *e)
{
	char path[512], key[64];
	uint64_t v;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s/stats", DEBUGFS, cls, dev);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fscanf(f, "%63s %" SCNu64, key, &v) == 2) {
		if (!strcmp(key, "engine_wakeups")) {
			e->wakeups += v;
			found = true;
		} else if (!strcmp(key, "doorbells")) {
			e->doorbells += v;
		}
	}
	fclose(f);
	return found;
}

/* Is @comm an engine thread's name, "<cls>.<id>/e<n>"? */
static bool engine_comm(const char *cls, const char *comm)
{
	const char *slash = strchr(comm, '/');
	size_t n = strlen(cls);

	return !strncmp(comm, cls, n) && comm[n] == '.' && slash &&
	       slash[1] == 'e';
}

/* Adds the CPU seconds of every engine thread of class @cls. */
static void read_engine_cpu(const char *cls, struct engines *e)
{
	double tick = (double)sysconf(_SC_CLK_TCK);
	struct dirent *de;
	DIR *proc = opendir("/proc");

	if (!proc)
		return;
	while ((de = readdir(proc))) {
		char path[300], buf[512], *p;
		unsigned long ut, st;
		FILE *f;
		size_t n;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		/* pid (comm) state ...: comm may hold anything but ')' last */
		p = strrchr(buf, ')');
		if (!p || !strchr(buf, '('))
			continue;
		*p = '\0';
		if (!engine_comm(cls, strchr(buf, '(') + 1))
			continue;
		/* fields 3-13 skipped, 14 utime and 15 stime */
		if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			   &ut, &st) == 2)
			e->cpu += (double)(ut + st) / tick;
	}
	closedir(proc);
}

/**
 * engines_sample() - the engines' counters now
 * @w: the measurement, whose @engines names the device class
 * @e: filled in; @e->seen false if the class's counters cannot be read
 */
void engines_sample(const struct work *w, struct engines *e)
{
	const char *cls = w->engines;
	char path[64];
	struct dirent *de;
	DIR *dir;

	memset(e, 0, sizeof(*e));
	snprintf(path, sizeof(path), "%s/%s", DEBUGFS, cls);
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.' && read_stats(cls, de->d_name, e))
			e->seen = true;
	closedir(dir);
	if (e->seen)
		read_engine_cpu(cls, e);
}

/**
 * engines_delta() - what the engines did between two samples
 * @d: the difference; not seen unless both samples were
 * @before: the first sample
 * @after: the second
 */
void engines_delta(struct engines *d, const struct engines *before,
		   const struct engines *after)
{
	memset(d, 0, sizeof(*d));
	if (!before->seen || !after->seen)
		return;
	d->seen = true;
	d->cpu = after->cpu - before->cpu;
	d->wakeups = after->wakeups - before->wakeups;
	d->doorbells = after->doorbells - before->doorbells;
}

/**
 * engines_add() - what the engines did in one more slice of a measurement
 * @sum: the slices so far (@first: none yet); unseen once a slice was
 * @d: the slice's, from engines_delta()
 * @first: @d is the first slice
 */
void engines_add(struct engines *sum, const struct engines *d, bool first)
{
	if (first) {
		*sum = *d;
		return;
	}
	if (!sum->seen || !d->seen) {
		memset(sum, 0, sizeof(*sum));
		return;
	}
	sum->cpu += d->cpu;
	sum->wakeups += d->wakeups;
	sum->doorbells += d->doorbells;
}
