// SPDX-License-Identifier: GPL-2.0
/*
 * A fuzzer of the sysfs and debugfs surface of uacce, vzip and wd_mdev
 * (TAP), on a vzip accelerator carved into instances: random writes,
 * deterministic from a seed, bounded in operations and time.
 *
 *   sysfs_fuzz_test [--seed S] [--ops N] [--seconds T] [-v]
 *
 * What it proves:
 *
 * 1. The writable surface is what we know.  It is discovered at run time
 *    (the uacce devices and their mdev types, the mdev instances, vzip's
 *    debugfs, our modules' parameters, the vzip driver's bind and unbind;
 *    never the driver core's uevent or power/), printed, and every
 *    writable file found must be one the fuzzer knows how to judge.
 * 2. Every write to it returns a clean result: garbage (empty, past
 *    PAGE_SIZE, binary with NULs, numbers at the limits, leading blanks,
 *    "0x", malformed UUIDs, UUIDs in use, twice the same UUID) at random
 *    offsets, whole or split in pieces, gets exactly the result a model
 *    predicts from the kernel's parsers (kstrtox, guid_parse, sysfs_streq)
 *    and Documentation/mdev.rst and uacce.rst (EINVAL, ERANGE, EEXIST,
 *    ENOSPC, ENODEV, EBUSY, EIO), and nothing hangs.  After every
 *    operation the device is consistent: its available_instances plus the
 *    queues this process holds open plus those the instances reserve is
 *    its number of queues, every type's available_instances follows, each
 *    instance's quota and queues in use are right, every value written
 *    reads back, and the instances in /sys/bus/mdev are the model's.
 *    Opens of the accelerator and of instances are mixed in.  The
 *    device-wide knobs are bounded: inject_hw_error is set back to 0
 *    after its requests ran, and when the errors reached isolate_strategy
 *    the device (and every instance) must be isolated, opens must fail
 *    with EIO, and the device is restored the one documented way, by
 *    unbinding and binding it again.  The driver is sometimes unbound and
 *    bound under instances and open queues.
 * 3. Creation and removal of instances race with opens: threads create
 *    and remove access points and vfio-pci functions under a few UUIDs
 *    while others open, map, start and close the access points' nodes and
 *    the accelerator's, and one opens the vfio-pci functions as a VMM
 *    does (container, group, device fd).  Every call returns success or a
 *    documented errno.  (A remove that meets an instance still being
 *    created fails with EAGAIN, and 6.1's mdev core has then deleted the
 *    instance's remove attribute for good: such instances go with their
 *    parent, by unbinding the driver.)
 * 4. At the end no instance remains, available_instances of the
 *    accelerator and of every type is back at its start, and the device
 *    compresses a buffer that zlib reads back.
 *
 * Each operation of phase 1 draws from its own stream (fuzz.h); a failure
 * prints the seed and the command that replays it.  Phase 2's threads
 * draw from streams derived from the seed; what they meet is a race.
 * Needs uacce, vzip:queues=20 and wd_mdev loaded (test/plan); a missing
 * precondition fails the test.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <zlib.h>

#include "tap.h"
#include "fuzz.h"
#include "vzip_testlib.h"
#include "vzip_zref.h"

#define DRIVER_DIR	"/sys/bus/platform/drivers/vzip"
#define PDEV_DIR	"/sys/bus/platform/devices"
#define MDEV_DIR	"/sys/bus/mdev/devices"
#define MAX_TYPES	16
#define MAX_INST	24
#define MAX_HOLD	6
#define MAX_SURF	512
#define MAX_OTHERS	8
#define HUGE_LEN	9000
#define REQ_LEN		(16 * 1024)
#define OP_WATCHDOG_S	120

/* ---- the model ---- */

struct mtype {
	char dir[PATH_MAX];
	char name[NAME_MAX + 1];
	unsigned int nq;	/* queues an instance reserves */
	bool vfio;		/* a vfio-pci function, else an access point */
};

struct inst {
	bool used;
	char uuid[40];		/* lower case, as sysfs names it */
	int type;
	char uname[NAME_MAX + 1];	/* access point: its uacce device */
	int fds[MAX_HOLD];	/* its queues this process holds */
	int nfds;
	unsigned int threshold;	/* its isolate_strategy */
	bool isolated;		/* created while the accelerator was */
	unsigned int weight;	/* its weight */
};

static struct {
	char name[NAME_MAX + 1];	/* vzip-N */
	char pdev[NAME_MAX + 1];	/* vzip.N */
	long total;		/* nr_queues */
	unsigned int threshold;	/* isolate_strategy */
	unsigned int errors;	/* hardware errors counted since */
	bool isolated;
	int held[MAX_HOLD];	/* its queues this process holds */
	int nheld;
	struct mtype types[MAX_TYPES];
	int ntypes;
	struct inst inst[MAX_INST];
	long page;
	char others[MAX_OTHERS][NAME_MAX + 1];	/* other platform devices */
	int nothers;
} m;

static long ms_check, ms_hold, ms_kind[8];	/* where phase 1's time goes */
static int last_kind;
static struct inst *last_strategy;	/* the instance whose knob was written */
static unsigned long writes, restores, unbinds, hw_errors, isolations;
static unsigned long by_result[8];	/* ok, EINVAL, ERANGE, EEXIST, ENOSPC, ENODEV, EBUSY, other */

static const char *res_name(long r)
{
	static char buf[32];

	if (r >= 0) {
		snprintf(buf, sizeof(buf), "%ld bytes", r);
		return buf;
	}
	return strerror((int)-r);
}

/* ---- sysfs files ---- */

static long read_long(const char *path)
{
	char buf[64];
	int ret = vzip_read_file(path, buf, sizeof(buf));

	if (ret)
		fuzz_fail("reading %s: %s", path, strerror(-ret));
	return atol(buf);
}

static long readf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long readf(const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return read_long(path);
}

/* One write(); bytes written or -errno.  @off < 0: write(), else pwrite(). */
static long write_raw(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t n = off < 0 ? write(fd, buf, len) : pwrite(fd, buf, len, off);

	return n < 0 ? -errno : n;
}

static void write_valid(const char *path, const char *text)
{
	int ret = vzip_write_file(path, text);

	if (ret)
		fuzz_fail("writing \"%s\" to %s: %s", text, path, strerror(-ret));
}

/* ---- the kernel's parsers, as lib/kstrtox.c, lib/uuid.c, lib/string.c ---- */

static bool k_isxdigit(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* kstrtoull(s, base, &v), base 0 or 10: 0, -EINVAL or -ERANGE */
static int k_strtoull_base(const char *s, unsigned int base,
			   unsigned long long *res)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long long v = 0;
	unsigned int n = 0;
	bool overflow = false;

	if (*p == '+')
		p++;
	if (!base && p[0] != '0') {
		base = 10;
	} else if (!base) {
		if ((p[1] | 0x20) == 'x' && k_isxdigit(p[2])) {
			base = 16;
			p += 2;
		} else {
			base = 8;
		}
	}
	for (;; p++, n++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')
			d = (*p | 0x20) - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		if (v > (ULLONG_MAX - d) / base)
			overflow = true;
		v = v * base + d;
	}
	if (overflow)
		return -ERANGE;
	if (!n)
		return -EINVAL;
	if (*p == '\n')
		p++;
	if (*p)
		return -EINVAL;
	*res = v;
	return 0;
}

/* kstrtoull(s, 0, res): the base from the prefix */
static int k_strtoull(const char *s, unsigned long long *res)
{
	return k_strtoull_base(s, 0, res);
}

static bool k_uuid_valid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!k_isxdigit(s[i])) {
			return false;
		}
	}
	return true;
}

static bool k_streq(const char *s1, const char *s2)
{
	while (*s1 && *s1 == *s2) {
		s1++;
		s2++;
	}
	if (*s1 == *s2)
		return true;
	if (!*s1 && *s2 == '\n' && !s2[1])
		return true;
	if (*s1 == '\n' && !s1[1] && !*s2)
		return true;
	return false;
}

/* ---- the device, its types and instances ---- */

static long accel_avail(void)
{
	return readf(VZIP_CLASS_DIR "/%s/available_instances", m.name);
}

static int nr_inst(void)
{
	int n = 0;

	for (int i = 0; i < MAX_INST; i++)
		n += m.inst[i].used;
	return n;
}

static long reserved(void)
{
	long n = 0;

	for (int i = 0; i < MAX_INST; i++)
		if (m.inst[i].used)
			n += m.types[m.inst[i].type].nq;
	return n;
}

static long free_queues(void)
{
	return m.total - m.nheld - reserved();
}

static struct inst *find_inst(const char *uuid)
{
	for (int i = 0; i < MAX_INST; i++)
		if (m.inst[i].used && !strcasecmp(m.inst[i].uuid, uuid))
			return &m.inst[i];
	return NULL;
}

static int cmp_types(const void *a, const void *b)
{
	const struct mtype *x = a, *y = b;

	if (x->vfio != y->vfio)
		return x->vfio - y->vfio;
	return strcmp(x->name, y->name);
}

static void add_types(const char *dir)
{
	char path[PATH_MAX], buf[256];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		fuzz_fail("no %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		struct mtype *t;
		const char *q;

		if (de->d_name[0] == '.')
			continue;
		if (m.ntypes == MAX_TYPES)
			fuzz_fail("more than %d mdev types", MAX_TYPES);
		t = &m.types[m.ntypes++];
		snprintf(t->dir, sizeof(t->dir), "%s/%s", dir, de->d_name);
		snprintf(t->name, sizeof(t->name), "%s", de->d_name);
		snprintf(path, sizeof(path), "%s/device_api", t->dir);
		if (vzip_read_file(path, buf, sizeof(buf)))
			fuzz_fail("reading %s", path);
		t->vfio = !strcmp(buf, "vfio-pci\n");
		if (!t->vfio && strcmp(buf, "uacce\n"))
			fuzz_fail("%s: device_api %s", t->name, buf);
		snprintf(path, sizeof(path), "%s/description", t->dir);
		if (vzip_read_file(path, buf, sizeof(buf)) ||
		    !(q = strstr(buf, "queues: ")) || atoi(q + 8) <= 0)
			fuzz_fail("%s: no \"queues: N\" in its description", t->name);
		t->nq = atoi(q + 8);
	}
	closedir(d);
}

/*
 * The accelerator and its types, after a (re)bind: its name may change.
 * Types are sorted, access points first, so their indices stay.
 */
static void find_device(void)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	int ret;

	ret = vzip_find_device(m.name, sizeof(m.name));
	if (ret)
		fuzz_fail("no vzip device: %s", strerror(-ret));
	snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/device", m.name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		fuzz_fail("readlink %s: %s", path, strerror(errno));
	link[n] = '\0';
	snprintf(m.pdev, sizeof(m.pdev), "%s", strrchr(link, '/') + 1);
	m.ntypes = 0;
	snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/mdev_supported_types",
		 m.name);
	add_types(path);
	snprintf(path, sizeof(path), PDEV_DIR "/%s/mdev_supported_types", m.pdev);
	add_types(path);
	qsort(m.types, m.ntypes, sizeof(m.types[0]), cmp_types);
	for (int i = 0; i < m.ntypes; i++)
		snprintf(m.types[i].dir, sizeof(m.types[i].dir), "%s/%s/mdev_supported_types/%s",
			 m.types[i].vfio ? PDEV_DIR : VZIP_CLASS_DIR,
			 m.types[i].vfio ? m.pdev : m.name, m.types[i].name);
	m.threshold = 0;
	m.errors = 0;
	m.isolated = false;
}

static void inst_forget(struct inst *in)
{
	for (int k = 0; k < in->nfds; k++)
		if (close(in->fds[k]))
			fuzz_fail("close of a queue of %s: %s", in->uuid,
				  strerror(errno));
	memset(in, 0, sizeof(*in));
}

/* Everything was removed (unbind): our files stay open until closed. */
static void forget_all(void)
{
	for (int i = 0; i < MAX_INST; i++)
		if (m.inst[i].used)
			inst_forget(&m.inst[i]);
	while (m.nheld)
		if (close(m.held[--m.nheld]))
			fuzz_fail("close of a revoked queue: %s", strerror(errno));
}

static bool wait_value(const char *path, long want)
{
	for (int i = 0; i < 300; i++) {
		if (read_long(path) == want)
			return true;
		usleep(10000);
	}
	return false;
}

/* ---- consistency, after every operation ---- */

static unsigned int mdev_count(bool check)
{
	struct dirent *de;
	unsigned int n = 0;
	DIR *d = opendir(MDEV_DIR);

	if (!d)
		fuzz_fail("no " MDEV_DIR ": %s", strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		n++;
		if (check && !find_inst(de->d_name))
			fuzz_fail("instance %s exists, the model has none", de->d_name);
	}
	closedir(d);
	return n;
}

/*
 * After every operation: the queues add up, and what the operation wrote
 * reads back (@strategy: the isolate_strategy written, or NULL).  @full,
 * every few operations and at the end: every type, every instance, every
 * knob.
 */
static void check_consistent(bool full, const struct inst *strategy)
{
	long avail = accel_avail(), want = free_queues();
	char path[PATH_MAX];

	if (avail != want)
		fuzz_fail("available_instances of %s is %ld, expected %ld: %ld queues, "
			  "%d held open here, %ld reserved by %d instances",
			  m.name, avail, want, m.total, m.nheld, reserved(), nr_inst());
	if (strategy && strategy->used &&
	    readf(VZIP_CLASS_DIR "/%s/isolate_strategy", strategy->uname) !=
	    strategy->threshold)
		fuzz_fail("isolate_strategy of %s does not read back %u",
			  strategy->uname, strategy->threshold);
	if (!full) {
		if (readf(VZIP_CLASS_DIR "/%s/isolate_strategy", m.name) != m.threshold)
			fuzz_fail("isolate_strategy of %s does not read back %u",
				  m.name, m.threshold);
		if (mdev_count(true) != (unsigned int)nr_inst())
			fuzz_fail("%u instances in " MDEV_DIR ", the model has %d",
				  mdev_count(false), nr_inst());
		return;
	}
	for (int i = 0; i < m.ntypes; i++) {
		long a = readf("%s/available_instances", m.types[i].dir);

		if (a != avail / m.types[i].nq)
			fuzz_fail("%s: available_instances %ld with %ld queues free",
				  m.types[i].name, a, avail);
	}
	if (readf(VZIP_CLASS_DIR "/%s/isolate_strategy", m.name) != m.threshold)
		fuzz_fail("isolate_strategy of %s does not read back %u", m.name,
			  m.threshold);
	if (readf(VZIP_CLASS_DIR "/%s/isolate", m.name) != m.isolated)
		fuzz_fail("isolate of %s is not %d", m.name, m.isolated);
	if (readf(VZIP_DEBUGFS_DIR "/%s/inject_hw_error", m.name))
		fuzz_fail("inject_hw_error is not back at 0");
	for (int i = 0; i < MAX_INST; i++) {
		struct inst *in = &m.inst[i];
		const struct mtype *t = &m.types[in->type];

		if (!in->used)
			continue;
		snprintf(path, sizeof(path), MDEV_DIR "/%s", in->uuid);
		if (access(path, F_OK))
			fuzz_fail("instance %s is gone", in->uuid);
		if (t->vfio)
			continue;
		if (readf(MDEV_DIR "/%s/access_point/queues", in->uuid) != t->nq ||
		    readf(MDEV_DIR "/%s/access_point/queues_in_use", in->uuid) != in->nfds ||
		    readf(VZIP_CLASS_DIR "/%s/available_instances", in->uname) !=
		    (long)t->nq - in->nfds)
			fuzz_fail("instance %s (%s): quota, queues in use or "
				  "available_instances is not %u, %d, %ld", in->uuid,
				  in->uname, t->nq, in->nfds, (long)t->nq - in->nfds);
		if (readf(VZIP_CLASS_DIR "/%s/isolate_strategy", in->uname) !=
		    in->threshold)
			fuzz_fail("isolate_strategy of %s does not read back %u",
				  in->uname, in->threshold);
		if (readf(VZIP_CLASS_DIR "/%s/isolate", in->uname) !=
		    (in->isolated || m.isolated))
			fuzz_fail("isolate of %s is not %d", in->uname,
				  in->isolated || m.isolated);
	}
	if (mdev_count(true) != (unsigned int)nr_inst())
		fuzz_fail("%u instances in " MDEV_DIR ", the model has %d",
			  mdev_count(false), nr_inst());
}

/* ---- the writable surface ---- */

enum kind { K_CREATE, K_REMOVE, K_STRATEGY, K_INJECT, K_BIND, K_UNBIND,
	    K_CHECK, K_WEIGHT, K_PARAM, K_UNKNOWN, NR_KINDS };

static const char *const kind_names[NR_KINDS] = {
	"create", "remove", "isolate_strategy", "inject_hw_error", "bind",
	"unbind", "migration/check", "weight", "module parameter", "unknown",
};

static char *surface[MAX_SURF];
static int nsurf, nexcluded;

static void surf_add(const char *path)
{
	char real[PATH_MAX];

	if (!realpath(path, real))
		return;		/* went away meanwhile */
	for (int i = 0; i < nsurf; i++)
		if (!strcmp(surface[i], real))
			return;
	if (nsurf == MAX_SURF)
		fuzz_fail("more than %d writable files", MAX_SURF);
	surface[nsurf++] = strdup(real);
}

/*
 * Writable regular files under @dir, @depth directories down, symbolic
 * links not followed.  The driver core's uevent and power/ are not ours.
 */
static void walk(const char *dir, int depth)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (!strcmp(de->d_name, "power"))
				nexcluded++;
			else if (depth > 0)
				walk(path, depth - 1);
		} else if (S_ISREG(st.st_mode) && (st.st_mode & 0222)) {
			if (!strcmp(de->d_name, "uevent"))
				nexcluded++;
			else
				surf_add(path);
		}
	}
	closedir(d);
}

static enum kind classify(const char *path)
{
	const char *base = strrchr(path, '/') + 1;

	if (!strncmp(path, "/sys/module/", 12))
		return K_PARAM;
	if (!strcmp(base, "create"))
		return K_CREATE;
	if (!strcmp(base, "remove"))
		return K_REMOVE;
	if (!strcmp(base, "isolate_strategy"))
		return K_STRATEGY;
	if (!strcmp(base, "inject_hw_error"))
		return K_INJECT;
	if (!strcmp(base, "bind"))
		return K_BIND;
	if (!strcmp(base, "unbind"))
		return K_UNBIND;
	if (!strcmp(base, "check") && strstr(path, "/migration/check"))
		return K_CHECK;
	if (!strcmp(base, "weight"))	/* an instance's */
		return K_WEIGHT;
	return K_UNKNOWN;
}

static void discover(void)
{
	static const char *const mods[] = { "uacce", "vzip", "wd_mdev" };
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	while (nsurf)
		free(surface[--nsurf]);
	nexcluded = 0;
	d = opendir(VZIP_CLASS_DIR);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s", de->d_name);
		walk(path, 2);	/* mdev_supported_types/<type>/create */
	}
	if (d)
		closedir(d);
	d = opendir(MDEV_DIR);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), MDEV_DIR "/%s", de->d_name);
		walk(path, 1);	/* remove, access_point/ */
	}
	if (d)
		closedir(d);
	snprintf(path, sizeof(path), PDEV_DIR "/%s/mdev_supported_types", m.pdev);
	walk(path, 1);
	walk(VZIP_DEBUGFS_DIR, 1);
	for (unsigned int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/sys/module/%s/parameters", mods[i]);
		walk(path, 0);
	}
	walk(DRIVER_DIR, 0);
}

/* The surface must be the model's: a file of a kind we do not know fails. */
static void check_surface(bool print)
{
	int count[NR_KINDS] = { 0 }, want[NR_KINDS] = { 0 }, ap = 0, vf = 0;

	discover();
	for (int i = 0; i < nsurf; i++) {
		enum kind k = classify(surface[i]);

		count[k]++;
		if (print)
			tap_diag("  %-16s %s", kind_names[k], surface[i]);
		if (k == K_UNKNOWN)
			fuzz_fail("writable file %s: not one the fuzzer knows", surface[i]);
	}
	for (int i = 0; i < MAX_INST; i++) {
		ap += m.inst[i].used && !m.types[m.inst[i].type].vfio;
		vf += m.inst[i].used && m.types[m.inst[i].type].vfio;
	}
	want[K_CHECK] = vf;
	want[K_WEIGHT] = nr_inst();
	want[K_CREATE] = m.ntypes;
	want[K_REMOVE] = nr_inst();
	want[K_STRATEGY] = 1 + ap;
	want[K_INJECT] = 1;
	want[K_BIND] = want[K_UNBIND] = 1;
	for (int k = 0; k < K_PARAM; k++)
		if (count[k] != want[k])
			fuzz_fail("%d writable %s files, expected %d", count[k],
				  kind_names[k], want[k]);
	if (print)
		tap_diag("%d writable files (%d module parameters); %d uevent "
			 "and power/ of the driver core left out", nsurf,
			 count[K_PARAM], nexcluded);
}

/* ---- values ---- */

struct val {
	char buf[HUGE_LEN];
	size_t len;
	off_t off;		/* -1: write() */
	int pieces;		/* written in this many write() calls */
};

static void put(struct val *v, const char *s)
{
	v->len = strlen(s);
	memcpy(v->buf, s, v->len);
}

static void uuid_of(char *out, uint32_t a, uint64_t b)
{
	sprintf(out, "%08x-%04x-4%03x-8%03x-%012llx", a, (unsigned)(b >> 48) & 0xffff,
		(unsigned)(b >> 36) & 0xfff, (unsigned)(b >> 24) & 0xfff,
		(unsigned long long)(b & 0xffffffffffffull));
}

static char last_uuid[40] = "";

static void fresh_uuid(char *out)
{
	uuid_of(out, 0x5f5f0000 | fuzz_below(0x10000), fuzz_rnd());
}

static const char *existing_uuid(void)
{
	int start = fuzz_below(MAX_INST);

	for (int i = 0; i < MAX_INST; i++)
		if (m.inst[(start + i) % MAX_INST].used)
			return m.inst[(start + i) % MAX_INST].uuid;
	return NULL;
}

static void gen_uuid(struct val *v)
{
	char u[40];
	const char *e;

	switch (fuzz_below(10)) {
	case 0: case 1: case 2:
		fresh_uuid(u);
		break;
	case 3:		/* the same UUID twice */
		if (*last_uuid) {
			strcpy(u, last_uuid);
			break;
		}
		fresh_uuid(u);
		break;
	case 4: case 5:	/* one in use, maybe in upper case */
		e = existing_uuid();
		if (!e) {
			fresh_uuid(u);
			break;
		}
		strcpy(u, e);
		if (fuzz_chance(30))
			for (char *p = u; *p; p++)
				*p = toupper((unsigned char)*p);
		break;
	case 6:
		strcpy(u, "00000000-0000-0000-0000-000000000000");
		break;
	default:	/* malformed */
		fresh_uuid(u);
		switch (fuzz_below(6)) {
		case 0:
			u[fuzz_below(36)] = "g-x {}\n\0"[fuzz_below(8)];
			break;
		case 1:
			memmove(u + 8, u + 9, 28);	/* a dash less */
			break;
		case 2:
			u[10 + fuzz_below(26)] = '\0';
			break;
		case 3: {
			char b[48];

			snprintf(b, sizeof(b), "{%s}", u);
			put(v, b);
			return;
		}
		case 4:
			strcat(u, "xy");
			break;
		default:
			u[fuzz_below(36)] = '\0';
			v->len = 36;
			memcpy(v->buf, u, 36);
			return;
		}
	}
	put(v, u);
	if (fuzz_chance(40))
		v->buf[v->len++] = fuzz_chance(80) ? '\n' : 'z';
}

static const char *const numbers[] = {
	"-1", "0", "1", "2", "3", "2147483647", "2147483648", "4294967295",
	"4294967296", "18446744073709551615", "18446744073709551616",
	"65535", "65536", "0x", "0x10", "0X1f", "010", "08", " 5", "\n5", "5\n",
	"5\n\n", "+5", "5 ", "0xffffffff", "1e3", "--1", "+", "0x7fffffff",
	"0x80000000", "99999999999999999999999", "\t1", "1\r\n", "0\n",
};

static void gen_garbage(struct val *v)
{
	switch (fuzz_below(6)) {
	case 0:			/* empty */
		v->len = 0;
		break;
	case 1: {		/* past PAGE_SIZE */
		size_t n = m.page + fuzz_below(HUGE_LEN - m.page);
		int fill = fuzz_below(4);

		for (size_t i = 0; i < n; i++)
			v->buf[i] = fill == 0 ? '1' : fill == 1 ? ' ' :
				    fill == 2 ? '\0' : (char)fuzz_rnd();
		if (fuzz_chance(50))
			v->buf[0] = '1';	/* a number, then padding */
		v->len = n;
		break;
	}
	case 2:			/* binary, NULs in it */
		v->len = 1 + fuzz_below(64);
		for (size_t i = 0; i < v->len; i++)
			v->buf[i] = fuzz_chance(25) ? '\0' : (char)fuzz_rnd();
		break;
	case 3: {		/* a number, then a NUL and more */
		const char *s = numbers[fuzz_below(sizeof(numbers) / sizeof(numbers[0]))];

		put(v, s);
		v->buf[v->len++] = '\0';
		memcpy(v->buf + v->len, "junk", 4);
		v->len += 4;
		break;
	}
	default:
		put(v, numbers[fuzz_below(sizeof(numbers) / sizeof(numbers[0]))]);
	}
}

/* A platform device name: ours, another's, or a near miss. */
static void gen_devname(struct val *v, bool ours)
{
	char b[NAME_MAX + 4];

	if (ours) {
		snprintf(b, sizeof(b), "%s%s", m.pdev, fuzz_chance(50) ? "\n" : "");
	} else if (m.nothers && fuzz_chance(50)) {
		snprintf(b, sizeof(b), "%s", m.others[fuzz_below(m.nothers)]);
	} else {
		switch (fuzz_below(4)) {
		case 0:
			snprintf(b, sizeof(b), "%s\n\n", m.pdev);
			break;
		case 1:
			snprintf(b, sizeof(b), " %s", m.pdev);
			break;
		case 2:
			snprintf(b, sizeof(b), "%s.9", m.pdev);
			break;
		default:
			snprintf(b, sizeof(b), "vzip");
		}
	}
	put(v, b);
}

/* A vfio-pci instance, or NULL. */
static struct inst *pick_vfio(void)
{
	int start = fuzz_below(MAX_INST);

	for (int i = 0; i < MAX_INST; i++) {
		struct inst *in = &m.inst[(start + i) % MAX_INST];

		if (in->used && m.types[in->type].vfio)
			return in;
	}
	return NULL;
}

/* The migration/version of vfio-pci instance @in, without its '\n'. */
static void inst_version(const struct inst *in, char *buf, size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MDEV_DIR "/%s/migration/version", in->uuid);
	if (vzip_read_file(path, buf, size))
		fuzz_fail("vfio-pci instance %s has no migration/version", in->uuid);
	buf[strcspn(buf, "\n")] = '\0';
	if (!*buf)
		fuzz_fail("vfio-pci instance %s: empty migration/version", in->uuid);
}

/* ---- the oracle: what one write() must return, and what it does ---- */

struct target {
	enum kind kind;
	char path[PATH_MAX];
	int type;		/* K_CREATE */
	struct inst *in;	/* K_REMOVE, K_CHECK; K_STRATEGY of an instance */
	char version[256];	/* K_CHECK: the instance's migration/version */
};

/* What a sysfs store sees of a write: at most PAGE_SIZE bytes. */
static size_t sysfs_len(size_t len)
{
	return len < (size_t)m.page ? len : (size_t)m.page;
}

static void str_of(const char *buf, size_t len, char *out, size_t size)
{
	size_t n = len < size - 1 ? len : size - 1;

	memcpy(out, buf, n);
	out[n] = '\0';
}

/*
 * What write() of @len bytes at @buf to @t returns, from the kernel's code:
 * kernfs passes at most PAGE_SIZE bytes to a store (and skips an empty
 * write), NUL-terminated; debugfs' simple_attr parses at most 23 bytes,
 * claims the whole write on success, and is not seekable (pwrite: ESPIPE).
 */
static long predict(const struct target *t, const char *buf, size_t len,
		    off_t off, unsigned long long *val)
{
	size_t n = sysfs_len(len);
	char s[HUGE_LEN + 1];
	unsigned long long v;
	int ret;

	str_of(buf, t->kind == K_INJECT ? (len < 23 ? len : 23) : n, s, sizeof(s));
	switch (t->kind) {
	case K_INJECT:		/* simple_attr_write(): no empty shortcut */
		if (off >= 0)
			return -ESPIPE;
		ret = k_strtoull(s, &v);
		if (ret)
			return ret;
		if (v > INT_MAX)
			return -EINVAL;
		*val = v;
		return len;
	case K_STRATEGY:
		if (!n)
			return 0;
		ret = k_strtoull(s, &v);
		if (ret || v > 65535)
			return -EINVAL;
		*val = v;
		return n;
	case K_REMOVE:
		if (!n)
			return 0;
		if (k_strtoull(s, &v))
			return -EINVAL;
		*val = v;
		return n;
	case K_CREATE: {
		struct inst *in;

		if (!n)
			return 0;
		if (n < 36 || n > 37 || !k_uuid_valid(s))
			return -EINVAL;
		s[36] = '\0';
		in = find_inst(s);
		if (in)
			return -EEXIST;
		if (free_queues() < m.types[t->type].nq)
			return -ENOSPC;
		return n;
	}
	case K_BIND:
		if (!n)
			return 0;
		if (!k_streq(m.pdev, s))
			return -ENODEV;
		return -EBUSY;	/* bound: restore() binds unbound */
	case K_UNBIND:
		if (!n)
			return 0;
		if (!k_streq(m.pdev, s))
			return -ENODEV;
		return n;
	case K_WEIGHT:		/* Documentation/mdev.rst, "Weights" */
		if (!n)
			return 0;
		ret = k_strtoull_base(s, 10, &v);
		if (ret || v < 1 || v > 10000)
			return -EINVAL;
		*val = v;
		return n;
	case K_CHECK: {
		/* Documentation/migration.rst: its own version, one '\n' */
		size_t vl = n && buf[n - 1] == '\n' ? n - 1 : n;

		if (!n)
			return 0;
		if (vl != strlen(t->version) || memcmp(buf, t->version, vl))
			return -EINVAL;
		return n;
	}
	default:
		return LONG_MIN;	/* any clean result */
	}
}

static void count_result(long r)
{
	static const int errs[] = { 0, EINVAL, ERANGE, EEXIST, ENOSPC, ENODEV, EBUSY };
	unsigned int i;

	for (i = 0; i < 7; i++)
		if ((r >= 0 && !i) || (i && r == -errs[i]))
			break;
	by_result[i]++;
}

static void restore(const char *why);

/* The effect of a write that succeeded. */
static void apply(const struct target *t, const char *buf, size_t len,
		  unsigned long long val)
{
	char s[40], path[PATH_MAX], name[NAME_MAX + 1];
	struct inst *in;

	switch (t->kind) {
	case K_CREATE:
		str_of(buf, 36, s, sizeof(s));
		for (char *p = s; *p; p++)
			*p = tolower((unsigned char)*p);
		for (in = m.inst; in < m.inst + MAX_INST && in->used; in++)
			;
		if (in == m.inst + MAX_INST)
			fuzz_fail("more than %d instances", MAX_INST);
		in->used = true;
		snprintf(in->uuid, sizeof(in->uuid), "%s", s);
		strcpy(last_uuid, s);
		in->type = t->type;
		in->isolated = m.isolated;
		in->weight = 100;	/* UACCE_WEIGHT_DEFAULT */
		if (!m.types[t->type].vfio) {
			snprintf(path, sizeof(path), MDEV_DIR "/%s/access_point/name", s);
			if (vzip_read_file(path, name, sizeof(name)))
				fuzz_fail("instance %s has no access_point/name", s);
			name[strcspn(name, "\n")] = '\0';
			snprintf(in->uname, sizeof(in->uname), "%s", name);
		}
		fuzz_trace("created %s of %s (%s)", s, m.types[t->type].name, in->uname);
		break;
	case K_REMOVE:
		if (val) {
			fuzz_trace("removed %s", t->in->uuid);
			inst_forget(t->in);
		}
		break;
	case K_STRATEGY:
		if (t->in) {
			t->in->threshold = val;
		} else {
			m.threshold = val;
			m.errors = 0;
		}
		break;
	case K_UNBIND:
		unbinds++;
		fuzz_trace("unbound %s", m.pdev);
		forget_all();
		break;
	case K_WEIGHT:
		t->in->weight = val;
		break;
	default:
		break;
	}
	(void)len;
}

/* One write of @v to @t, in v->pieces pieces; each must be as predicted. */
static void do_write(struct target *t, struct val *v)
{
	size_t done = 0;
	int fd = open(t->path, O_WRONLY | O_CLOEXEC);
	bool gone = false;

	if (fd < 0)
		fuzz_fail("open %s: %s", t->path, strerror(errno));
	for (int p = 0; p < v->pieces; p++) {
		size_t len = p == v->pieces - 1 ? v->len - done :
			     fuzz_below(v->len - done + 1);
		unsigned long long val = 0;
		long want, got;

		want = gone ? -ENODEV : predict(t, v->buf + done, len,
						v->off < 0 ? -1 : v->off + (off_t)done, &val);
		got = write_raw(fd, v->buf + done, len,
				v->off < 0 ? -1 : v->off + (off_t)done);
		writes++;
		count_result(got);
		fuzz_trace("write of %zu bytes at %lld to %s: %s", len,
		      (long long)(v->off < 0 ? -1 : v->off + (off_t)done), t->path,
		      res_name(got));
		if (want == LONG_MIN) {
			if (got < 0 && got != -EINVAL && got != -ERANGE &&
			    got != -EBUSY && got != -EPERM && got != -ENODEV)
				fuzz_fail("write to %s: %s", t->path, res_name(got));
		} else if (got != want) {
			char shown[48];

			str_of(v->buf + done, len, shown, sizeof(shown));
			for (char *c = shown; *c; c++)
				if (!isprint((unsigned char)*c))
					*c = '?';
			fuzz_fail("write of %zu bytes \"%s\" to %s: %s, expected %s",
				  len, shown, t->path, res_name(got),
				  want < 0 ? strerror((int)-want) : "success");
		}
		if (got >= 0 && want != LONG_MIN && len)
			apply(t, v->buf + done, len, val);
		if (t->kind == K_REMOVE && got > 0 && val)
			gone = true;	/* the attribute went with its device */
		if (t->kind == K_UNBIND && got > 0) {
			close(fd);
			restore("unbound");
			return;
		}
		done += len;
	}
	if (close(fd))
		fuzz_fail("close of %s: %s", t->path, strerror(errno));
	if (t->kind == K_WEIGHT) {
		char path[PATH_MAX], now[32];

		/* what it reads is what the last good write set */
		snprintf(path, sizeof(path), MDEV_DIR "/%s/weight", t->in->uuid);
		if (vzip_read_file(path, now, sizeof(now)))
			fuzz_fail("cannot read %s", path);
		if (strtoul(now, NULL, 10) != t->in->weight)
			fuzz_fail("%s reads %s, the last accepted write was %u",
				  path, now, t->in->weight);
	}
	if (t->kind == K_CHECK) {
		char now[sizeof(t->version)];

		/* a check judges; it changes nothing */
		inst_version(t->in, now, sizeof(now));
		if (strcmp(now, t->version))
			fuzz_fail("migration/version of %s went from %s to %s",
				  t->in->uuid, t->version, now);
	}
}

/* ---- restoring the device: unbind and bind, the documented way ---- */

static void restore(const char *why)
{
	char path[PATH_MAX];
	long r;
	int fd;

	restores++;
	fuzz_trace("restore (%s): unbind and bind %s", why, m.pdev);
	snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s", m.name);
	if (!access(path, F_OK)) {
		write_valid(DRIVER_DIR "/unbind", m.pdev);
		forget_all();
	}
	/* unbound: garbage and our name to unbind, garbage to bind */
	fd = open(DRIVER_DIR "/unbind", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || (r = write_raw(fd, m.pdev, strlen(m.pdev), -1)) != -ENODEV)
		fuzz_fail("unbind of an unbound %s: %s", m.pdev,
			  fd < 0 ? strerror(errno) : res_name(r));
	close(fd);
	fd = open(DRIVER_DIR "/bind", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || (r = write_raw(fd, "vzip", 4, -1)) != -ENODEV)
		fuzz_fail("bind of \"vzip\": %s", fd < 0 ? strerror(errno) : res_name(r));
	r = write_raw(fd, m.pdev, strlen(m.pdev), fuzz_chance(50) ? 4096 : -1);
	if (r != (long)strlen(m.pdev))
		fuzz_fail("bind of %s: %s", m.pdev, res_name(r));
	close(fd);
	find_device();
	if (accel_avail() != m.total)
		fuzz_fail("bound again as %s: %ld queues free, not %ld", m.name,
			  accel_avail(), m.total);
}

/* ---- queues held open ---- */

static int open_node(const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void hold_accel(void)
{
	int fd, want;

	if (m.nheld == MAX_HOLD)
		return;
	want = m.isolated ? -EIO : free_queues() > 0 ? 0 : -EBUSY;
	fd = open_node(m.name);
	fuzz_trace("open %s: %s", m.name, fd < 0 ? strerror(-fd) : "ok");
	if ((fd < 0 ? fd : 0) != want)
		fuzz_fail("open of %s with %ld queues free%s: %s", m.name,
			  free_queues(), m.isolated ? ", isolated" : "",
			  fd < 0 ? strerror(-fd) : "success");
	if (fd >= 0)
		m.held[m.nheld++] = fd;
}

static struct inst *pick_inst(bool ap_only)
{
	int start = fuzz_below(MAX_INST);

	for (int i = 0; i < MAX_INST; i++) {
		struct inst *in = &m.inst[(start + i) % MAX_INST];

		if (in->used && (!ap_only || !m.types[in->type].vfio))
			return in;
	}
	return NULL;
}

static void hold_inst(void)
{
	struct inst *in = pick_inst(true);
	unsigned int nq;
	int fd, want;

	if (!in || in->nfds == MAX_HOLD)
		return;
	nq = m.types[in->type].nq;
	want = (m.isolated || in->isolated) ? -EIO : in->nfds < (int)nq ? 0 : -EBUSY;
	fd = open_node(in->uname);
	fuzz_trace("open %s: %s", in->uname, fd < 0 ? strerror(-fd) : "ok");
	if ((fd < 0 ? fd : 0) != want)
		fuzz_fail("open of instance %s (%d of %u open): %s", in->uname,
			  in->nfds, nq, fd < 0 ? strerror(-fd) : "success");
	if (fd >= 0)
		in->fds[in->nfds++] = fd;
}

static void release_one(void)
{
	struct inst *in = pick_inst(true);

	if (in && in->nfds && fuzz_chance(50)) {
		if (close(in->fds[--in->nfds]))
			fuzz_fail("close: %s", strerror(errno));
	} else if (m.nheld) {
		int i = fuzz_below(m.nheld);

		if (close(m.held[i]))
			fuzz_fail("close: %s", strerror(errno));
		m.held[i] = m.held[--m.nheld];
	}
}

/* ---- hardware errors: the destructive knob, bounded ---- */

/*
 * After inject_hw_error was set to @n: up to a few requests on a queue of
 * the accelerator or of an instance each fail with HW_ERROR and count
 * against isolate_strategy; then inject_hw_error goes back to 0.  When
 * the errors reached the threshold, the device and every instance must be
 * isolated (the instances from a work item, shortly after).
 */
static void run_injected(unsigned long long n, int reqs)
{
	char path[PATH_MAX];
	struct vzip_q q;
	const char *name = m.name;
	struct inst *in = NULL;
	int ret, want;

	if (!m.isolated && free_queues() == 0) {
		in = pick_inst(true);
		if (!in || in->isolated || in->nfds >= (int)m.types[in->type].nq)
			goto reset;
		name = in->uname;
	}
	want = m.isolated ? -EIO : 0;
	ret = vzip_open(&q, name);
	if (ret != want)
		fuzz_fail("a queue of %s with %llu errors to inject%s: %s", name, n,
			  m.isolated ? ", isolated" : "", strerror(-ret));
	if (ret)
		goto reset;
	ret = vzip_start(&q);
	if (ret)
		fuzz_fail("START_Q on %s: %s", name, strerror(-ret));
	for (int i = 0; i < reqs; i++) {
		struct vzip_sqe sqe = vzip_sqe(&q, VZIP_OP_NOP, 0, 0, NULL, 0, NULL, 0);
		struct vzip_cqe cqe;

		if (vzip_exec(&q, &sqe, &cqe))
			fuzz_fail("a NOP with an injected error never completed");
		if (le16toh(cqe.status) != VZIP_STS_HW_ERROR)
			fuzz_fail("a NOP with %llu errors injected: status %u",
				  n - i, le16toh(cqe.status));
		hw_errors++;
		if (m.threshold && !m.isolated && ++m.errors >= m.threshold) {
			m.isolated = true;
			isolations++;
		}
	}
	fuzz_trace("%d requests failed with HW_ERROR; %u of %u errors%s", reqs,
	      m.errors, m.threshold, m.isolated ? ", isolated" : "");
	vzip_close(&q);
reset:
	snprintf(path, sizeof(path), VZIP_DEBUGFS_DIR "/%s/inject_hw_error", m.name);
	write_valid(path, "0");
	if (!m.isolated)
		return;
	/* the error is reported after its completion: give it a moment */
	snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/isolate", m.name);
	if (!wait_value(path, 1))
		fuzz_fail("%u errors with isolate_strategy %u: %s not isolated",
			  m.errors, m.threshold, m.name);
	for (int i = 0; i < MAX_INST; i++) {
		if (!m.inst[i].used || m.types[m.inst[i].type].vfio)
			continue;
		snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/isolate",
			 m.inst[i].uname);
		if (!wait_value(path, 1))
			fuzz_fail("%s isolated, its instance %s not", m.name,
				  m.inst[i].uname);
	}
}

/* ---- phase 1: one operation ---- */

static void pick_target(struct target *t)
{
	unsigned int r = fuzz_below(100);

	memset(t, 0, sizeof(*t));
	if (r < 35) {
		t->kind = K_CREATE;
	} else if (r < 55) {
		t->kind = K_REMOVE;
		t->in = pick_inst(false);
		if (!t->in)
			t->kind = K_CREATE;
	} else if (r < 74) {
		t->kind = K_STRATEGY;
		if (fuzz_chance(40))
			t->in = pick_inst(true);
	} else if (r < 80) {
		t->kind = K_CHECK;
		t->in = pick_vfio();
		if (!t->in)
			t->kind = K_INJECT;
	} else if (r < 86) {
		t->kind = K_WEIGHT;
		t->in = pick_inst(false);
		if (!t->in)
			t->kind = K_INJECT;
	} else if (r < 93) {
		t->kind = K_INJECT;
	} else if (r < 96) {
		t->kind = K_BIND;
	} else {
		t->kind = K_UNBIND;
	}
	switch (t->kind) {
	case K_CREATE:
		t->type = fuzz_below(m.ntypes);
		snprintf(t->path, sizeof(t->path), "%s/create", m.types[t->type].dir);
		break;
	case K_REMOVE:
		snprintf(t->path, sizeof(t->path), MDEV_DIR "/%s/remove", t->in->uuid);
		break;
	case K_STRATEGY:
		snprintf(t->path, sizeof(t->path), VZIP_CLASS_DIR "/%s/isolate_strategy",
			 t->in ? t->in->uname : m.name);
		break;
	case K_INJECT:
		snprintf(t->path, sizeof(t->path), VZIP_DEBUGFS_DIR "/%s/inject_hw_error",
			 m.name);
		break;
	case K_WEIGHT:
		snprintf(t->path, sizeof(t->path), MDEV_DIR "/%s/weight", t->in->uuid);
		break;
	case K_CHECK:
		snprintf(t->path, sizeof(t->path), MDEV_DIR "/%s/migration/check",
			 t->in->uuid);
		inst_version(t->in, t->version, sizeof(t->version));
		break;
	case K_BIND:
		snprintf(t->path, sizeof(t->path), DRIVER_DIR "/bind");
		break;
	default:
		snprintf(t->path, sizeof(t->path), DRIVER_DIR "/unbind");
	}
}

/*
 * A version for migration/check: the instance's own (with a '\n' or two),
 * another vfio-pci instance's (equal when of the same type), or its own
 * with one byte changed, cut short or run on.
 */
static void gen_version(const struct target *t, struct val *v)
{
	char b[300];
	struct inst *other = pick_vfio();
	size_t n;

	snprintf(b, sizeof(b), "%s", t->version);
	if (other && fuzz_chance(25))
		inst_version(other, b, sizeof(b));
	n = strlen(b);
	switch (fuzz_below(6)) {
	case 0:		/* one byte changed */
		b[fuzz_below(n)] ^= 1 + fuzz_below(127);
		break;
	case 1:		/* cut short */
		b[fuzz_below(n)] = '\0';
		break;
	case 2:		/* run on */
		snprintf(b + n, sizeof(b) - n, "%s", fuzz_chance(50) ? "-x" : "\n\n");
		break;
	default:	/* as it is, or with its newline */
		if (fuzz_chance(50))
			snprintf(b + n, sizeof(b) - n, "\n");
	}
	put(v, b);
}

/* A value for @t: mostly valid for it, often garbage, now and then another's. */
static void gen_value(const struct target *t, struct val *v)
{
	unsigned int r = fuzz_below(100);
	char b[32];

	v->len = 0;
	v->off = fuzz_chance(20) ? (off_t)fuzz_below(3 * m.page) : -1;
	v->pieces = fuzz_chance(10) ? 2 + fuzz_below(2) : 1;
	if (t->kind == K_BIND || t->kind == K_UNBIND) {
		v->pieces = 1;
		/* unbinding our device is rare: it takes everything down */
		if (r < 60)
			gen_devname(v, t->kind == K_BIND ? fuzz_chance(50) :
				    fuzz_chance(25));
		else
			gen_garbage(v);
		return;
	}
	if (r < 45) {
		switch (t->kind) {
		case K_CREATE:
			gen_uuid(v);
			break;
		case K_REMOVE:
			put(v, fuzz_chance(70) ? "1" : fuzz_chance(50) ? "0\n" : "0x10");
			break;
		case K_STRATEGY:
			snprintf(b, sizeof(b), "%u%s", fuzz_chance(80) ? fuzz_below(4) :
				 fuzz_below(65536), fuzz_chance(50) ? "\n" : "");
			put(v, b);
			break;
		case K_CHECK:
			gen_version(t, v);
			break;
		case K_WEIGHT:
			snprintf(b, sizeof(b), "%s%u%s", fuzz_chance(5) ? "+" : "",
				 fuzz_chance(80) ? fuzz_below(10002) :
				 fuzz_below(UINT32_MAX), fuzz_chance(50) ? "\n" : "");
			put(v, b);
			break;
		default:	/* K_INJECT */
			snprintf(b, sizeof(b), "%u", fuzz_chance(70) ? 1 + fuzz_below(3) : 0);
			put(v, b);
		}
	} else if (r < 55) {
		gen_uuid(v);
	} else {
		gen_garbage(v);
	}
}

static void op_write(void)
{
	static struct val v;
	struct target t;
	unsigned long long inj = 0;
	char path[PATH_MAX];

	pick_target(&t);
	last_kind = t.kind;
	last_strategy = t.kind == K_STRATEGY ? t.in : NULL;
	gen_value(&t, &v);
	do_write(&t, &v);
	if (t.kind != K_INJECT)
		return;
	/* what the writes left there runs now, and is set back to 0 */
	snprintf(path, sizeof(path), VZIP_DEBUGFS_DIR "/%s/inject_hw_error", m.name);
	inj = read_long(path);
	if (inj)
		run_injected(inj, 1 + fuzz_below(inj < 4 ? inj : 4));
}

/*
 * Errors up to the threshold on purpose, now and then: isolation must
 * follow, on the device and its instances.
 */
static void op_isolate(void)
{
	char path[PATH_MAX], b[16];
	unsigned int t = 1 + fuzz_below(3);

	if (m.isolated)
		return;
	snprintf(b, sizeof(b), "%u\n", t);
	snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/isolate_strategy", m.name);
	write_valid(path, b);
	m.threshold = t;
	m.errors = 0;
	snprintf(path, sizeof(path), VZIP_DEBUGFS_DIR "/%s/inject_hw_error", m.name);
	snprintf(b, sizeof(b), "%u", t + 1);
	write_valid(path, b);
	run_injected(t + 1, t + fuzz_below(2));
}

static const char *const op_names[] = {
	"write", "write", "write", "write", "write", "write", "write", "write",
	"write", "write", "write", "write", "write", "write", "write", "write",
	"hold", "hold instance", "release", "release", "isolate",
};

#define NR_OPS	(sizeof(op_names) / sizeof(op_names[0]))

static void phase1_op(unsigned int k)
{
	if (k < 16)
		op_write();
	else if (k == 16)
		hold_accel();
	else if (k == 17)
		hold_inst();
	else if (k < 20)
		release_one();
	else if (fuzz_chance(50))
		op_isolate();
}

/* ---- phase 2: creation and removal racing with opens ---- */

#define RACE_SLOTS	6	/* 0-3 access points, 4-5 vfio-pci */

static struct {
	atomic_bool stop;
	atomic_ulong iters, created, removed, opened, mapped, vfio_opened;
	atomic_ulong vfio_revoked;	/* SET_IOMMU after the last device went */
	pthread_mutex_t lock;
	pthread_mutex_t slot_lock[RACE_SLOTS];
	atomic_ulong unlocked;
	char failure[256];
	char uuids[RACE_SLOTS][40];
	int ap_types[MAX_TYPES], nap;
	int vfio_types[MAX_TYPES], nvfio;
} race;

static __thread uint64_t trng;
static __thread sigjmp_buf *volatile tjmp;

static uint32_t tbelow(uint32_t n)
{
	uint64_t z = (trng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return n ? (uint32_t)(z % n) : 0;
}

static void __attribute__((format(printf, 1, 2))) race_fail(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&race.lock);
	if (!race.failure[0]) {
		va_start(ap, fmt);
		vsnprintf(race.failure, sizeof(race.failure), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&race.lock);
	atomic_store(&race.stop, true);
}

static void on_sigbus(int sig)
{
	(void)sig;
	if (tjmp)
		siglongjmp(*tjmp, 1);
	_exit(98);
}

static bool errno_in(int err, const int *ok, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (err == ok[i])
			return true;
	return false;
}

/* @err is one of the array @ok's errnos */
#define one_of(err, ok) errno_in((err), (ok), sizeof(ok) / sizeof((ok)[0]))

static void race_create_remove_slot(int slot)
{
	static const int create_ok[] = { EEXIST, ENOSPC };
	/*
	 * ENOENT: gone before the open; ENODEV: the attribute went with
	 * the instance; EAGAIN: the mdev core's answer while the instance
	 * is still being created (not yet active)
	 */
	static const int remove_ok[] = { ENOENT, ENODEV, EAGAIN };
	/* opening the remove file: see below */
	static const int open_ok[] = { ENOENT, ENODEV };
	char path[PATH_MAX];
	int fd;
	long r;

	if (tbelow(2)) {
		bool vfio = slot >= 4;
		int type = vfio ? race.vfio_types[tbelow(race.nvfio)] :
				  race.ap_types[tbelow(race.nap)];

		snprintf(path, sizeof(path), "%s/create", m.types[type].dir);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			race_fail("open %s: %s", path, strerror(errno));
			return;
		}
		r = write_raw(fd, race.uuids[slot], 36, -1);
		close(fd);
		if (r == 36)
			atomic_fetch_add(&race.created, 1);
		else if (r >= 0 || !one_of((int)-r, create_ok))
			race_fail("create %s of %s: %s", race.uuids[slot],
				  m.types[type].name, res_name(r));
	} else {
		snprintf(path, sizeof(path), MDEV_DIR "/%s/remove", race.uuids[slot]);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		/*
		 * As for the write: ENOENT, no such instance (or it lost its
		 * remove attribute, see remove_all()); ENODEV, the lookup
		 * found it, then an unserialised remove of the same UUID took
		 * it away before the open (kernfs does not open a
		 * deactivated file).
		 */
		if (fd < 0) {
			if (!one_of(errno, open_ok))
				race_fail("open %s: %s", path, strerror(errno));
			return;
		}
		r = write_raw(fd, "1\n", 2, -1);
		close(fd);
		if (r == 2)
			atomic_fetch_add(&race.removed, 1);
		else if (r >= 0 || !one_of((int)-r, remove_ok))
			race_fail("remove %s: %s", race.uuids[slot], res_name(r));
	}
}

static void race_create_remove(void)
{
	int slot = tbelow(RACE_SLOTS);
	/*
	 * Creation and removal of one UUID are serialised, but now and then:
	 * a remove that meets its instance still being created costs the
	 * instance its remove attribute (see remove_all()).
	 */
	bool locked = tbelow(100) >= 5;

	if (locked)
		pthread_mutex_lock(&race.slot_lock[slot]);
	else
		atomic_fetch_add(&race.unlocked, 1);
	race_create_remove_slot(slot);
	if (locked)
		pthread_mutex_unlock(&race.slot_lock[slot]);
}

/* MAGIC from a register page that may be revoked: 1, 0, or -1 for SIGBUS */
static int __attribute__((noinline)) read_magic(const volatile uint32_t *regs)
{
	sigjmp_buf jb;
	volatile int ret = -1;

	if (!sigsetjmp(jb, 1)) {
		tjmp = &jb;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		ret = le32toh(regs[0]) == VZIP_MAGIC;
	}
	tjmp = NULL;
	return ret;
}

/* open, map, read the register page, start, close: any step may meet removal */
static void race_open_ap(void)
{
	static const int open_ok[] = { ENOENT, ENODEV, ENXIO, EBUSY };
	static const int call_ok[] = { ENXIO, ENODEV, EIO };
	char path[PATH_MAX], name[NAME_MAX + 1];
	struct uacce_queue_info info;
	volatile uint32_t *regs = NULL;
	int fd, ret;

	if (tbelow(4) == 0) {
		snprintf(name, sizeof(name), "%s", m.name);
	} else {
		snprintf(path, sizeof(path), MDEV_DIR "/%s/access_point/name",
			 race.uuids[tbelow(4)]);
		ret = vzip_read_file(path, name, sizeof(name));
		if (ret) {
			if (ret != -ENOENT && ret != -ENODEV)
				race_fail("read %s: %s", path, strerror(-ret));
			return;
		}
		name[strcspn(name, "\n")] = '\0';
		/* the instance's attributes, written and read as it goes */
		if (tbelow(4) == 0) {
			char buf[32];

			snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/isolate_strategy",
				 name);
			ret = vzip_write_file(path, tbelow(2) ? "0" : "7\n");
			if (ret && ret != -ENOENT && ret != -ENODEV)
				race_fail("write %s: %s", path, strerror(-ret));
			snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/available_instances",
				 name);
			ret = vzip_read_file(path, buf, sizeof(buf));
			if (ret && ret != -ENOENT && ret != -ENODEV)
				race_fail("read %s: %s", path, strerror(-ret));
		}
	}
	fd = open_node(name);
	if (fd < 0) {
		if (!one_of(-fd, open_ok))
			race_fail("open /dev/%s: %s", name, strerror(-fd));
		return;
	}
	atomic_fetch_add(&race.opened, 1);
	if (ioctl(fd, UACCE_CMD_QUEUE_INFO, &info) && !one_of(errno, call_ok))
		race_fail("QUEUE_INFO on %s: %s", name, strerror(errno));
	regs = mmap(NULL, m.page, PROT_READ, MAP_SHARED, fd, 0);
	if (regs == MAP_FAILED) {
		regs = NULL;
		if (!one_of(errno, call_ok))
			race_fail("mmap of %s: %s", name, strerror(errno));
	} else {
		atomic_fetch_add(&race.mapped, 1);
		/* a SIGBUS: the queue was revoked meanwhile */
		if (!read_magic(regs))
			race_fail("%s: the register page does not read MAGIC", name);
	}
	if (ioctl(fd, UACCE_CMD_START_Q) && !one_of(errno, call_ok))
		race_fail("START_Q on %s: %s", name, strerror(errno));
	if (tbelow(2))
		usleep(tbelow(3000));
	if (regs && munmap((void *)regs, m.page))
		race_fail("munmap: %s", strerror(errno));
	if (close(fd))
		race_fail("close of %s: %s", name, strerror(errno));
}

/* A VMM's open of a vfio-pci function: container, group, device fd. */
static void race_open_vfio(void)
{
	static const int ok[] = { ENOENT, ENODEV, EBUSY, ENXIO };
	const char *uuid = race.uuids[4 + tbelow(2)];
	char path[PATH_MAX], link[PATH_MAX];
	struct vfio_group_status st = { .argsz = sizeof(st) };
	int container = -1, group = -1, dev = -1;
	const char *step = "";
	ssize_t n;

	snprintf(path, sizeof(path), MDEV_DIR "/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		if (errno != ENOENT)
			race_fail("readlink %s: %s", path, strerror(errno));
		return;
	}
	link[n] = '\0';
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (container < 0) {
		race_fail("open /dev/vfio/vfio: %s", strerror(errno));
		return;
	}
	step = "open of the group";
	group = open(path, O_RDWR | O_CLOEXEC);
	if (group < 0)
		goto out;
	step = "VFIO_GROUP_GET_STATUS";
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &st))
		goto out;
	step = "VFIO_GROUP_SET_CONTAINER";
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		goto out;
	step = "VFIO_SET_IOMMU";
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		/*
		 * The instance's removal took its group's last device: the
		 * vfio core then detaches the group from the container,
		 * which leaves none to set an IOMMU for (EINVAL), and
		 * revokes the group, whose GET_STATUS says ENODEV from then
		 * on (vfio_main.c, "Revoke all users").  EINVAL without
		 * that is a wrong answer.
		 */
		if (errno != EINVAL)
			goto out;
		if (ioctl(group, VFIO_GROUP_GET_STATUS, &st) && errno == ENODEV) {
			atomic_fetch_add(&race.vfio_revoked, 1);
			goto out;
		}
		race_fail("VFIO_SET_IOMMU of %s (%s): EINVAL, but the group was not revoked",
			  uuid, path);
		errno = 0;
		goto out;
	}
	step = "VFIO_GROUP_GET_DEVICE_FD";
	dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (dev < 0)
		goto out;
	atomic_fetch_add(&race.vfio_opened, 1);
	if (tbelow(2))
		usleep(tbelow(3000));
	errno = 0;
out:
	if (errno && !one_of(errno, ok))
		race_fail("%s of %s (%s): %s", step, uuid, path, strerror(errno));
	if (dev >= 0)
		close(dev);
	if (group >= 0)
		close(group);
	close(container);
}

struct racer {
	int role;		/* 0: create/remove, 1: access points, 2: vfio */
	uint64_t seed;
};

static void *racer_main(void *p)
{
	struct racer *r = p;

	trng = r->seed;
	while (!atomic_load(&race.stop)) {
		if (r->role == 0)
			race_create_remove();
		else if (r->role == 1)
			race_open_ap();
		else
			race_open_vfio();
		atomic_fetch_add(&race.iters, 1);
	}
	return NULL;
}

static unsigned long orphans;	/* instances the mdev core left without remove */

/*
 * Removes every instance.  6.1's mdev remove_store() deletes its own
 * attribute before mdev_device_remove() and keeps it deleted when that
 * fails with EAGAIN (the instance was still being created): such an
 * instance cannot be removed through sysfs any more, only with its parent,
 * so then the driver is unbound and bound again.
 */
static void remove_all(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(MDEV_DIR);
	int left = 0;

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), MDEV_DIR "/%s/remove", de->d_name);
		if (access(path, F_OK) && errno == ENOENT) {
			tap_diag("instance %s has no remove attribute", de->d_name);
			left++;
			continue;
		}
		write_valid(path, "1");
	}
	if (d)
		closedir(d);
	if (left) {
		orphans += left;
		restore("instances without remove");
	}
}

static void phase2(unsigned long max_iters, long ms)
{
	static const int roles[] = { 0, 0, 1, 1, 2 };
	struct racer r[5];
	pthread_t th[5];
	struct timespec t0;
	int nth = sizeof(roles) / sizeof(roles[0]);

	fuzz_what = "mdev create/remove racing with opens";
	fuzz_op_name = "race";
	race.nap = race.nvfio = 0;
	for (int i = 0; i < m.ntypes; i++) {
		if (m.types[i].vfio)
			race.vfio_types[race.nvfio++] = i;
		else
			race.ap_types[race.nap++] = i;
	}
	if (!race.nap || !race.nvfio)
		fuzz_fail("%d access point and %d vfio-pci types", race.nap, race.nvfio);
	for (int i = 0; i < RACE_SLOTS; i++)
		uuid_of(race.uuids[i], 0x5f5f2000 + i, fuzz_rnd());
	pthread_mutex_init(&race.lock, NULL);
	for (int i = 0; i < RACE_SLOTS; i++)
		pthread_mutex_init(&race.slot_lock[i], NULL);
	for (int i = 0; i < nth; i++) {
		r[i] = (struct racer){ roles[i], fuzz_rnd() };
		if (pthread_create(&th[i], NULL, racer_main, &r[i]))
			fuzz_fail("pthread_create");
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!atomic_load(&race.stop) && vzip_ms_since(&t0) < ms &&
	       atomic_load(&race.iters) < max_iters)
		usleep(20000);
	atomic_store(&race.stop, true);
	for (int i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	printf("# race: %lu calls in %ld ms (%lu creates or removes unserialised): "
	       "%lu created, %lu removed, %lu opens (%lu mapped), %lu vfio-pci "
	       "device fds, %lu groups revoked before SET_IOMMU\n",
	       atomic_load(&race.iters), vzip_ms_since(&t0),
	       atomic_load(&race.unlocked),
	       atomic_load(&race.created), atomic_load(&race.removed),
	       atomic_load(&race.opened), atomic_load(&race.mapped),
	       atomic_load(&race.vfio_opened), atomic_load(&race.vfio_revoked));
	if (race.failure[0])
		fuzz_fail("%s", race.failure);
	remove_all();
	if (orphans)
		printf("# %lu instances lost their remove attribute to a remove "
		       "that failed with EAGAIN (6.1 mdev core); removed by "
		       "unbinding %s\n", orphans, m.pdev);
	if (!atomic_load(&race.created) || !atomic_load(&race.removed) ||
	    !atomic_load(&race.opened))
		fuzz_fail("the race did nothing: %lu created, %lu removed, %lu opened",
			  atomic_load(&race.created), atomic_load(&race.removed),
			  atomic_load(&race.opened));
	tap_ok(1, "mdev create/remove racing with opens of access points, the "
	       "accelerator and vfio-pci functions: %lu calls, every result clean",
	       atomic_load(&race.iters));
}

/* ---- the end ---- */

static void on_alarm(int sig)
{
	static const char msg[] = "# hang: an operation did not return in time\n"
				  "not ok - sysfs fuzzing: no hang\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

static void setup(void)
{
	struct sigaction sa = { .sa_handler = on_sigbus };
	struct dirent *de;
	DIR *d;

	sigaction(SIGBUS, &sa, NULL);
	signal(SIGALRM, on_alarm);
	m.page = sysconf(_SC_PAGESIZE);
	find_device();
	m.total = readf("/sys/module/vzip/parameters/queues");
	if (mdev_count(false))
		fuzz_fail("instances exist before the test");
	if (accel_avail() != m.total)
		fuzz_fail("%s: %ld queues free of %ld at the start", m.name,
			  accel_avail(), m.total);
	for (int i = 0; i < m.ntypes; i++)
		if (readf("%s/available_instances", m.types[i].dir) !=
		    m.total / m.types[i].nq)
			fuzz_fail("%s: available_instances is not %ld at the start",
				  m.types[i].name, m.total / m.types[i].nq);
	if (access("/dev/vfio/vfio", F_OK))
		fuzz_fail("no /dev/vfio/vfio");
	d = opendir(PDEV_DIR);
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && strcmp(de->d_name, m.pdev) &&
		    m.nothers < MAX_OTHERS)
			snprintf(m.others[m.nothers++], NAME_MAX + 1, "%s", de->d_name);
	if (d)
		closedir(d);
}

/* Case 1: the surface, with one instance of each personality to show. */
static void surface_case(void)
{
	struct target t = { .kind = K_CREATE };
	struct val *v = calloc(1, sizeof(*v));
	int ap = -1, vf = -1;

	fuzz_what = "the writable surface";
	fuzz_op_name = "surface";
	for (int i = 0; i < m.ntypes; i++) {
		if (!m.types[i].vfio && ap < 0)
			ap = i;
		if (m.types[i].vfio && vf < 0)
			vf = i;
	}
	if (ap < 0 || vf < 0 || !v)
		fuzz_fail("no access point or no vfio-pci type on %s", m.name);
	for (int k = 0; k < 2; k++) {
		t.type = k ? vf : ap;
		snprintf(t.path, sizeof(t.path), "%s/create", m.types[t.type].dir);
		fresh_uuid(v->buf);
		v->len = 36;
		v->off = -1;
		v->pieces = 1;
		do_write(&t, v);
	}
	tap_diag("%s (%s), %ld queues, %d mdev types; writable:", m.name, m.pdev,
		 m.total, m.ntypes);
	check_surface(true);
	check_consistent(true, NULL);
	for (int i = 0; i < MAX_INST; i++) {
		if (!m.inst[i].used)
			continue;
		t = (struct target){ .kind = K_REMOVE, .in = &m.inst[i] };
		snprintf(t.path, sizeof(t.path), MDEV_DIR "/%s/remove", m.inst[i].uuid);
		put(v, "1");
		do_write(&t, v);
	}
	check_consistent(true, NULL);
	free(v);
	tap_ok(1, "the writable surface of uacce, vzip and wd_mdev is known to "
	       "the fuzzer (%d files)", nsurf);
}

int main(int argc, char **argv)
{
	struct fuzz_opts o = { .ops = 2000, .seconds = 40 };
	unsigned long by_kind[NR_OPS] = { 0 };
	struct timespec t0;
	unsigned long n;
	long ms1;
	bool ok;

	if (!fuzz_parse(argc, argv, &o, NULL))
		return 2;
	fuzz_verbose = o.verbose;
	fuzz_init(o.seed, "build/user/test/sysfs_fuzz_test", "sysfs fuzzing");
	fuzz_begin(~0ul);	/* the set-up's own stream */
	tap_plan(5);
	tap_diag("seed %llu, up to %lu operations or %lu s",
		 (unsigned long long)o.seed, o.ops, o.seconds);
	alarm(OP_WATCHDOG_S);
	setup();
	surface_case();

	/* phase 1: two thirds of the time */
	fuzz_what = "sysfs fuzzing";
	ms1 = (long)o.seconds * 1000 * 2 / 3;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 0; n < o.ops; n++) {
		struct timespec t1;
		unsigned int k;

		if (vzip_ms_since(&t0) > ms1)
			break;
		alarm(OP_WATCHDOG_S);
		fuzz_begin(n);
		if (m.isolated && fuzz_chance(30)) {
			fuzz_op_name = "restore";
			restore("isolated");
		}
		k = fuzz_below(NR_OPS);
		fuzz_op_name = op_names[k];
		if (fuzz_verbose)
			printf("# op %lu: %s\n", n, fuzz_op_name);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		phase1_op(k);
		if (k < 16)
			ms_kind[last_kind] += vzip_ms_since(&t1);
		else
			ms_hold += vzip_ms_since(&t1);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		check_consistent(n % 8 == 7, k < 16 ? last_strategy : NULL);
		ms_check += vzip_ms_since(&t1);
		by_kind[k]++;
		if (n % 64 == 63)
			check_surface(false);
	}
	fuzz_op_name = "end of phase 1";
	alarm(OP_WATCHDOG_S);
	if (m.isolated)
		restore("isolated at the end");
	check_surface(false);
	forget_all();
	remove_all();
	for (int i = 0; i < MAX_INST; i++)
		memset(&m.inst[i], 0, sizeof(m.inst[i]));
	if (m.threshold) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/isolate_strategy",
			 m.name);
		write_valid(path, "0");
		m.threshold = 0;
	}
	check_consistent(true, NULL);
	{
		unsigned long w = 0;

		for (int k = 0; k < 16; k++)
			w += by_kind[k];
		printf("# %lu operations in %ld ms (seed %llu): write %lu hold %lu "
		       "release %lu isolate %lu\n", n, vzip_ms_since(&t0),
		       (unsigned long long)o.seed, w, by_kind[16] + by_kind[17],
		       by_kind[18] + by_kind[19], by_kind[20]);
	}
	printf("# %lu writes: %lu ok, %lu EINVAL, %lu ERANGE, %lu EEXIST, %lu ENOSPC, "
	       "%lu ENODEV, %lu EBUSY, %lu other; %lu unbinds, %lu restores, "
	       "%lu hardware errors, %lu isolations\n", writes, by_result[0],
	       by_result[1], by_result[2], by_result[3], by_result[4], by_result[5],
	       by_result[6], by_result[7], unbinds, restores, hw_errors, isolations);
	printf("# ms spent: checks %ld, opens and closes %ld", ms_check, ms_hold);
	for (int k = 0; k < K_PARAM; k++)
		printf(", %s %ld", kind_names[k], ms_kind[k]);
	printf("\n");
	tap_ok(1, "sysfs fuzzing: %lu operations, every write returned what the "
	       "model predicts and the device stayed consistent (seed %llu)", n,
	       (unsigned long long)o.seed);

	/* phase 2: the rest */
	alarm(o.seconds + OP_WATCHDOG_S);
	fuzz_begin(~1ul);	/* the race's own stream */
	fuzz_op = o.ops - 1;	/* its reproducer: the same command line */
	phase2(o.ops * 4, (long)o.seconds * 1000 - vzip_ms_since(&t0) > 3000 ?
	       (long)o.seconds * 1000 - vzip_ms_since(&t0) : 3000);
	alarm(OP_WATCHDOG_S);

	fuzz_what = "the end";
	fuzz_op_name = "final check";
	ok = !mdev_count(false) && accel_avail() == m.total;
	for (int i = 0; i < m.ntypes; i++)
		ok = ok && readf("%s/available_instances", m.types[i].dir) ==
			   m.total / m.types[i].nq;
	tap_ok(ok, "no instance remains (%u), available_instances of %s (%ld of "
	       "%ld) and of every type back at the start", mdev_count(false),
	       m.name, accel_avail(), m.total);
	tap_ok(vzip_compresses(m.name, 7), "%s still compresses a buffer that zlib reads back",
	       m.name);
	alarm(0);
	return tap_done();
}
