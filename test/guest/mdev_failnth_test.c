// SPDX-License-Identifier: GPL-2.0
/*
 * wd_mdev's user API and the VFIO user API of its vfio-pci instances under
 * allocation failures, as syzkaller drives them (uacce_failnth_test.c does
 * the same for uacce): for N = 1, 2, ... write N to
 * /proc/thread-self/fail-nth right before one call, so that the N-th
 * allocation of that call fails; read fail-nth back (0: the fault fired)
 * and disarm, until the call succeeds with no fault.  The calls:
 *
 * - the write of a UUID to mdev_supported_types/<type>/create, for an
 *   access-point type and a vfio-pci type, and the write of 1 to the
 *   instance's remove;
 * - on an access-point instance: the open of its uacce node, the mmap of
 *   each region, START_Q and (without SVA) GET_SS;
 * - on a vfio-pci instance, as a VMM drives it: the opens of the container
 *   and of the group, VFIO_GROUP_SET_CONTAINER, VFIO_SET_IOMMU (type1 v2),
 *   VFIO_GROUP_GET_DEVICE_FD (the device file closed and got again),
 *   VFIO_DEVICE_GET_INFO, GET_REGION_INFO of every region, GET_IRQ_INFO of
 *   every index, SET_IRQS (MSI and INTx eventfds, disabling, the request
 *   eventfd), VFIO_DEVICE_RESET, VFIO_IOMMU_MAP_DMA and UNMAP_DMA, pread
 *   and pwrite of config space and BAR0, and the mmap of BAR0 (which
 *   must fail with EINVAL when the region is not mmappable, as vzip's
 *   is not).
 *
 * "mdev_failnth_test access-point" runs the access point's sweeps only
 * (test/plan runs it with sva=0 for the SS region).
 *
 * A faulted call fails with ENOMEM (or the errno the call has without a
 * fault), or succeeds with a working object; a failed call leaves the
 * state it found (the same call without a fault then succeeds); after each
 * try the accounting is exact again: the accelerator's free queues, the
 * available_instances of the types and of the instance, no instance left
 * behind and nothing pinned.  The kernel must report nothing (the harness
 * reads its log).
 *
 * test/vm/guest-check.sh makes every allocation count (failslab and
 * fail_page_alloc: ignore-gfp-wait=N, min-order=0, verbose=0).  The test
 * prefaults and locks its memory, so that a fault hits only the call
 * under test.  A missing precondition (no type, no /dev/vfio, fail-nth
 * that does not fail) fails the test.
 *
 * Excluded, known bugs of 6.1's core code that a fault turns into a WARN:
 * - vfio_create_group() (the create of a vfio-pci instance): its error
 *   path puts the group with its iommu_group still set and
 *   vfio_group_release() WARNs.  The sweep skips the N that land in it:
 *   before each try a dry run counts, with kprobe events, the allocations
 *   of the create before and inside vfio_create_group() (vcg_window()).
 *   wd_mdev_vfio_test does the same in the kernel with a kretprobe.
 */
#define _GNU_SOURCE
#include <alloca.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <misc/uacce/uacce.h>
#include <misc/uacce/vzip.h>
#include <misc/uacce/wd_pci.h>

#include "tap.h"
#include "failnth.h"

#define MAX_N		2000
#define MDEV_DIR	"/sys/bus/mdev/devices"
#define CLASS_DIR	"/sys/class/uacce"
#define UUID_CREATE	"3dc0de90-0000-4000-8000-000000000001"
#define UUID_AP		"3dc0de90-0000-4000-8000-000000000002"
#define UUID_VQ		"3dc0de90-0000-4000-8000-000000000003"
#define IOVA		0x10000000ull
#define DMA_SIZE	(4 * 4096ul)

static char accel[64];			/* vzip-N */
static char ap_type[512];		/* its access-point type */
static char vq_type[512];		/* its vfio-pci type */
static char inst[64];			/* the access-point instance's node */
static long ap_quota;
static bool sva;

/* ---- files ---- */

static int read_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

static long read_long(const char *fmt, const char *arg)
{
	char path[PATH_MAX], buf[64];

	snprintf(path, sizeof(path), fmt, arg);
	if (read_str(path, buf, sizeof(buf)))
		return -1;
	return atol(buf);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

static bool exists(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MDEV_DIR "/%s", uuid);
	return !access(path, F_OK);
}

static void create(const char *type, const char *uuid)
{
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), "%s/create", type);
	ret = write_str(path, uuid);
	if (ret)
		tap_bail("create %s in %s: %s", uuid, type, strerror(-ret));
}

static int destroy(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MDEV_DIR "/%s/remove", uuid);
	return write_str(path, "1");
}

/* ---- accounting ---- */

struct acct {
	long accel;	/* the accelerator's free queues */
	long ap, vq;	/* available_instances of the two types */
	long inst;	/* of the access-point instance, if any */
	long mdevs;	/* instances */
	long pinned;	/* pages vzip has pinned */
};

static struct acct want, acct_base;

static long count_mdevs(void)
{
	DIR *d = opendir(MDEV_DIR);
	struct dirent *de;
	long n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static long pinned(void)
{
	char path[PATH_MAX], buf[4096], *p;

	snprintf(path, sizeof(path), "/sys/kernel/debug/vzip/%s/stats", accel);
	if (read_str(path, buf, sizeof(buf)))
		return -1;
	p = strstr(buf, "pinned_pages ");
	return p ? atol(p + 13) : -1;
}

static struct acct acct_now(void)
{
	struct acct a = {
		.accel = read_long(CLASS_DIR "/%s/available_instances", accel),
		.ap = read_long("%s/available_instances", ap_type),
		.vq = read_long("%s/available_instances", vq_type),
		.inst = inst[0] ? read_long(CLASS_DIR "/%s/available_instances",
					    inst) : -1,
		.mdevs = count_mdevs(),
		.pinned = pinned(),
	};

	return a;
}

static bool acct_ok(unsigned int n)
{
	struct acct a = acct_now();

	if (!memcmp(&a, &want, sizeof(a)))
		return true;
	tap_diag("n=%u: free queues %ld (want %ld), available ap %ld (%ld) vq %ld (%ld) instance %ld (%ld), %ld instances (%ld), %ld pinned (%ld)",
		 n, a.accel, want.accel, a.ap, want.ap, a.vq, want.vq, a.inst,
		 want.inst, a.mdevs, want.mdevs, a.pinned, want.pinned);
	return false;
}

/* ---- the sweep ---- */

struct sweep {
	const char *what;
	unsigned int n;		/* calls tried */
	unsigned int failed;	/* that failed, with a fault */
	unsigned int skipped;	/* N excluded (vcg_window()) */
	unsigned int bad;	/* wrong errno, no fault, or a broken object */
	unsigned int leaks;	/* after which the accounting was off */
	struct timespec t0;
};

static void sweep_start(struct sweep *s, const char *what)
{
	memset(s, 0, sizeof(*s));
	s->what = what;
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
}

/*
 * One try: the call returned @ret (< 0: failed with @err), the fault
 * fired if @hit; @expect is its errno without a fault (0: success);
 * @works says the object it made or the state it left is right.  True
 * when the sweep is over: the call ran without the fault.
 */
static bool sweep_step(struct sweep *s, long ret, int err, bool hit,
		       int expect, bool works)
{
	if (ret < 0) {
		if (hit)
			s->failed++;
		if (hit ? err != ENOMEM && err != expect : err != expect) {
			s->bad++;
			tap_diag("%s, n=%u: errno %d (%s), fault %s", s->what,
				 s->n, err, strerror(err),
				 hit ? "fired" : "did not fire");
		}
	} else if (expect) {
		s->bad++;
		tap_diag("%s, n=%u: succeeded, want errno %d", s->what, s->n,
			 expect);
	}
	if (!works) {
		s->bad++;
		tap_diag("%s, n=%u: broken after a %s call (fault %s)",
			 s->what, s->n, ret < 0 ? "failed" : "successful",
			 hit ? "fired" : "did not fire");
	}
	if (!acct_ok(s->n))
		s->leaks++;
	return !hit;
}

static void sweep_report(const struct sweep *s)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	tap_ok(s->n < MAX_N && !s->bad && !s->leaks,
	       "%s: %u allocations failed in turn, %u calls failed cleanly%s%.0u%s (%lds)",
	       s->what, s->n - 1, s->failed,
	       s->skipped ? ", " : "", s->skipped,
	       s->skipped ? " in vfio_create_group() skipped" : "",
	       (long)(t.tv_sec - s->t0.tv_sec));
}

/* ---- vfio_create_group(): kprobe events count its allocations ---- */

static char tracefs[64];

static int trace_write(const char *file, const char *s, int flags)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", tracefs, file);
	fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	if (*s && write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static char tracing_was_on[4];

static void probes_remove(void)
{
	if (!tracefs[0])
		return;
	trace_write("events/wdfn/enable", "0", 0);
	if (tracing_was_on[0])
		trace_write("tracing_on", tracing_was_on, 0);
	trace_write("kprobe_events", "-:wdfn/wdfn_sf", O_APPEND);
	trace_write("kprobe_events", "-:wdfn/wdfn_in", O_APPEND);
	trace_write("kprobe_events", "-:wdfn/wdfn_out", O_APPEND);
}

/*
 * Kprobe events on should_fail_ex(), where fail-nth counts an allocation,
 * and on the entry and return of vfio_create_group(), for this task only
 * (a filter of the events: nothing global changes but tracing_on, put
 * back at exit).
 */
static void probes_add(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char pid[16], path[PATH_MAX];
	unsigned int i;
	int ret = 0;

	for (i = 0; i < 2 && !tracefs[0]; i++) {
		snprintf(path, sizeof(path), "%s/kprobe_events", dirs[i]);
		if (!access(path, W_OK))
			snprintf(tracefs, sizeof(tracefs), "%s", dirs[i]);
	}
	if (!tracefs[0])
		tap_bail("no tracefs with kprobe_events (needs CONFIG_KPROBE_EVENTS)");
	probes_remove();
	snprintf(path, sizeof(path), "%s/tracing_on", tracefs);
	if (read_str(path, tracing_was_on, sizeof(tracing_was_on)))
		tap_bail("%s: %s", path, strerror(errno));
	atexit(probes_remove);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (!ret)
		ret = trace_write("kprobe_events", "p:wdfn/wdfn_sf should_fail_ex",
				  O_APPEND);
	if (!ret)
		ret = trace_write("kprobe_events",
				  "p:wdfn/wdfn_in vfio_create_group", O_APPEND);
	if (!ret)
		ret = trace_write("kprobe_events",
				  "r:wdfn/wdfn_out vfio_create_group", O_APPEND);
	if (!ret) {
		char filter[48];

		snprintf(filter, sizeof(filter), "common_pid == %s", pid);
		ret = trace_write("events/wdfn/filter", filter, O_TRUNC);
	}
	if (!ret)
		ret = trace_write("tracing_on", "1", 0);
	if (ret)
		tap_bail("kprobe events on should_fail_ex and vfio_create_group: %s",
			 strerror(-ret));
}

/*
 * A dry run of the create of @uuid in @type: its allocations before
 * vfio_create_group() in *@first - 1, its last one in it in *@last (the
 * ordinals fail-nth gives them).  False if the count is not exact.
 */
static bool vcg_count(const char *type, const char *uuid, unsigned int *first,
		      unsigned int *last)
{
	static char buf[1 << 20];
	unsigned int nr = 0, left;
	char path[PATH_MAX], *line, *save = NULL;
	ssize_t len, n;
	int fd, cfd, mfd, err;
	bool on = false;

	*first = *last = 0;
	snprintf(path, sizeof(path), "%s/create", type);
	cfd = open(path, O_WRONLY | O_CLOEXEC);
	if (cfd < 0)
		tap_bail("%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/trace_marker", tracefs);
	mfd = open(path, O_WRONLY | O_CLOEXEC);
	if (mfd < 0 || trace_write("trace", "", O_TRUNC) ||
	    trace_write("events/wdfn/enable", "1", 0))
		tap_bail("cannot enable the kprobe events");
	/* what fail-nth counts, between the two marks */
	if (write(mfd, "wdfn_start", 10) != 10)
		tap_bail("trace_marker: %s", strerror(errno));
	arm(1000000);
	n = write(cfd, uuid, strlen(uuid));
	err = errno;
	left = disarm();
	if (write(mfd, "wdfn_end", 8) != 8)
		tap_bail("trace_marker: %s", strerror(errno));
	trace_write("events/wdfn/enable", "0", 0);
	close(mfd);
	close(cfd);
	errno = err;
	if (n < 0)
		tap_bail("create %s without a fault: %s", uuid, strerror(errno));
	if (destroy(uuid))
		tap_bail("remove %s: %s", uuid, strerror(errno));

	snprintf(path, sizeof(path), "%s/trace", tracefs);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		tap_bail("%s: %s", path, strerror(errno));
	for (len = 0; len < (ssize_t)sizeof(buf) - 1; len += n) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
	}
	close(fd);
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (*line == '#')
			continue;
		if (strstr(line, "wdfn_start"))
			on = true;
		else if (strstr(line, "wdfn_end"))
			on = false;
		else if (!on)
			continue;
		else if (strstr(line, " wdfn_sf:"))
			nr++;
		else if (strstr(line, " wdfn_in:") && !*first)
			*first = nr + 1;
		else if (strstr(line, " wdfn_out:") && !*last)
			*last = nr;
	}
	if (*first && *last && nr == 1000000 - left)
		return true;
	tap_diag("dry run: %u allocations counted, %u traced, vfio_create_group() from %u to %u",
		 1000000 - left, nr, *first, *last);
	return false;
}

/*
 * Whether the N-th allocation of the next create may land in
 * vfio_create_group().  A dry run gives its allocations, with a margin
 * for the radix-tree preloads and the like that another create may do
 * differently; near its first and last, a dry run right before each try
 * says.
 */
#define VCG_DRIFT	40	/* how far the window may move in a run */
#define VCG_MARGIN	6	/* and between a dry run and its try */

static bool vcg_window(const char *type, const char *uuid, unsigned int n)
{
	static unsigned int first0, last0;
	unsigned int first, last;
	int tries;

	/*
	 * The window moves between runs and, a little, between tries (slab
	 * and per-CPU caches): a dry run before every try that the first
	 * window's neighbourhood could reach.
	 */
	if (first0 && (n + VCG_DRIFT < first0 || n > last0 + VCG_DRIFT))
		return false;
	if (first0 && n >= first0 + VCG_DRIFT && n + VCG_DRIFT <= last0)
		return true;	/* deep inside: no dry run needed */
	for (tries = 0; tries < 5; tries++) {
		if (!vcg_count(type, uuid, &first, &last))
			continue;
		if (!first0) {
			first0 = first;
			last0 = last;
			tap_diag("vfio_create_group(): allocations %u to %u of the create",
				 first, last);
		}
		return n + VCG_MARGIN >= first && n <= last + VCG_MARGIN;
	}
	tap_bail("the kprobe events do not count fail-nth's allocations");
}

/* ---- create and remove ---- */

/* An instance works: its node opens (its group, for a vfio-pci one). */
static bool instance_works(const char *uuid, bool vfio)
{
	char path[PATH_MAX], name[256];
	int fd;

	if (vfio) {
		struct vfio_group_status st = { .argsz = sizeof(st) };
		ssize_t len;

		snprintf(path, sizeof(path), MDEV_DIR "/%s/iommu_group", uuid);
		len = readlink(path, name, sizeof(name) - 1);
		if (len < 0)
			return false;
		name[len] = '\0';
		snprintf(path, sizeof(path), "/dev/vfio/%s",
			 strrchr(name, '/') + 1);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return false;
		if (ioctl(fd, VFIO_GROUP_GET_STATUS, &st) ||
		    !(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
			close(fd);
			return false;
		}
		close(fd);
		return true;
	}
	snprintf(path, sizeof(path), MDEV_DIR "/%s/access_point/name", uuid);
	if (read_str(path, name, sizeof(name)))
		return false;
	snprintf(path, sizeof(path), "/dev/%s", name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void sweep_create(const char *type, bool vfio, const char *what)
{
	char path[PATH_MAX];
	struct sweep s;
	ssize_t ret;
	bool hit, works;
	int fd, err;

	sweep_start(&s, what);
	snprintf(path, sizeof(path), "%s/create", type);
	for (s.n = 1; s.n < MAX_N; s.n++) {
		if (vfio && vcg_window(type, UUID_CREATE, s.n)) {
			s.skipped++;
			continue;
		}
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			tap_bail("%s: %s", path, strerror(errno));
		arm(s.n);
		ret = write(fd, UUID_CREATE, strlen(UUID_CREATE));
		err = errno;
		hit = fired();
		close(fd);
		works = true;
		if (ret >= 0)
			works = instance_works(UUID_CREATE, vfio);
		else if (exists(UUID_CREATE))
			works = false;		/* a failed create left it */
		if (exists(UUID_CREATE) && destroy(UUID_CREATE))
			tap_bail("remove %s: %s", UUID_CREATE, strerror(errno));
		if (sweep_step(&s, ret, err, hit, 0, works))
			break;
	}
	sweep_report(&s);
}

/* A remove that failed leaves a working instance, removed after. */
static void sweep_remove(const char *type, bool vfio, const char *what)
{
	char path[PATH_MAX];
	struct sweep s;
	ssize_t ret;
	bool hit, works;
	int fd, err;

	sweep_start(&s, what);
	snprintf(path, sizeof(path), MDEV_DIR "/%s/remove", UUID_CREATE);
	for (s.n = 1; s.n < MAX_N; s.n++) {
		create(type, UUID_CREATE);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			tap_bail("%s: %s", path, strerror(errno));
		arm(s.n);
		ret = write(fd, "1", 1);
		err = errno;
		hit = fired();
		close(fd);
		works = ret < 0 ? instance_works(UUID_CREATE, vfio) :
			!exists(UUID_CREATE);
		if (exists(UUID_CREATE) && destroy(UUID_CREATE))
			tap_bail("remove %s: %s", UUID_CREATE, strerror(errno));
		if (sweep_step(&s, ret, err, hit, 0, works))
			break;
	}
	sweep_report(&s);
}

/* ---- an access-point instance: the uacce user API ---- */

static void sweep_ap_open(void)
{
	struct uacce_queue_info info;
	struct sweep s;
	bool hit, works;
	int fd, err;

	sweep_start(&s, "open of the instance");
	for (s.n = 1; s.n < MAX_N; s.n++) {
		arm(s.n);
		fd = open(devpath, O_RDWR | O_CLOEXEC);
		err = errno;
		hit = fired();
		works = true;
		if (fd >= 0) {
			works = !ioctl(fd, UACCE_CMD_QUEUE_INFO, &info) &&
				read_long(CLASS_DIR "/%s/available_instances",
					  inst) == ap_quota - 1;
			close(fd);
		}
		if (sweep_step(&s, fd, err, hit, 0, works))
			break;
	}
	sweep_report(&s);
}

static void sweep_ap_mmap(int type, const char *what)
{
	struct uacce_queue_info info;
	struct sweep s;
	void *maps[UACCE_QFRT_NR], *p;
	size_t sizes[UACCE_QFRT_NR];
	int fd, err;
	bool hit;

	sweep_start(&s, what);
	for (s.n = 1; s.n < MAX_N; s.n++) {
		fd = open_queue(type, maps, sizes, &info);
		arm(s.n);
		p = mmap(NULL, info.region_size[type],
			 PROT_READ | (type == UACCE_QFRT_MMIO ? 0 : PROT_WRITE),
			 MAP_SHARED, fd, type * page);
		err = errno;
		hit = fired();
		if (p != MAP_FAILED)
			munmap(p, info.region_size[type]);
		close_queue(fd, type, maps, sizes);
		if (sweep_step(&s, p == MAP_FAILED ? -1 : 0, err, hit, 0, true))
			break;
	}
	sweep_report(&s);
}

/*
 * An ioctl on a mapped queue of the instance.  A START_Q that failed
 * leaves a queue that starts.
 */
static void sweep_ap_ioctl(unsigned long cmd, const char *what)
{
	struct uacce_queue_info info;
	struct uacce_ss_info ss;
	struct sweep s;
	void *maps[UACCE_QFRT_NR];
	size_t sizes[UACCE_QFRT_NR];
	int fd, ret, err;
	bool hit, works;

	sweep_start(&s, what);
	for (s.n = 1; s.n < MAX_N; s.n++) {
		fd = open_queue(UACCE_QFRT_NR, maps, sizes, &info);
		arm(s.n);
		ret = ioctl(fd, cmd, &ss);
		err = errno;
		hit = fired();
		works = !ret || cmd != UACCE_CMD_START_Q ||
			!ioctl(fd, UACCE_CMD_START_Q);
		close_queue(fd, UACCE_QFRT_NR, maps, sizes);
		if (sweep_step(&s, ret, err, hit, 0, works))
			break;
	}
	sweep_report(&s);
}

/* ---- a vfio-pci instance: the VFIO user API ---- */

static char group_path[64];

struct vf {
	int container, group, device;
};

enum { VF_CONTAINER = 1, VF_GROUP, VF_ATTACH, VF_IOMMU, VF_DEVICE };

/* The steps of a VMM up to @upto, with no fault. */
static void vf_open(struct vf *v, int upto)
{
	v->container = v->group = v->device = -1;
	if (upto >= VF_CONTAINER) {
		v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
		if (v->container < 0)
			tap_bail("/dev/vfio/vfio: %s", strerror(errno));
	}
	if (upto >= VF_GROUP) {
		v->group = open(group_path, O_RDWR | O_CLOEXEC);
		if (v->group < 0)
			tap_bail("%s: %s", group_path, strerror(errno));
	}
	if (upto >= VF_ATTACH &&
	    ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		tap_bail("VFIO_GROUP_SET_CONTAINER: %s", strerror(errno));
	if (upto >= VF_IOMMU &&
	    ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		tap_bail("VFIO_SET_IOMMU: %s", strerror(errno));
	if (upto >= VF_DEVICE) {
		v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, UUID_VQ);
		if (v->device < 0)
			tap_bail("VFIO_GROUP_GET_DEVICE_FD: %s", strerror(errno));
	}
}

static void vf_close(struct vf *v)
{
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	v->container = v->group = v->device = -1;
}

static void sweep_vfio_open(bool group, const char *what)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct sweep s;
	bool hit, works;
	int fd, err;

	sweep_start(&s, what);
	for (s.n = 1; s.n < MAX_N; s.n++) {
		arm(s.n);
		fd = open(group ? group_path : "/dev/vfio/vfio",
			  O_RDWR | O_CLOEXEC);
		err = errno;
		hit = fired();
		works = true;
		if (fd >= 0) {
			works = group ? !ioctl(fd, VFIO_GROUP_GET_STATUS, &st) &&
					(st.flags & VFIO_GROUP_FLAGS_VIABLE) :
				ioctl(fd, VFIO_GET_API_VERSION) == VFIO_API_VERSION;
			close(fd);
		}
		if (sweep_step(&s, fd, err, hit, 0, works))
			break;
	}
	sweep_report(&s);
}

/* SET_CONTAINER or SET_IOMMU; failed, the same without a fault succeeds. */
static void sweep_vfio_attach(bool iommu, const char *what)
{
	struct sweep s;
	struct vf v;
	bool hit, works;
	int ret, err;

	sweep_start(&s, what);
	for (s.n = 1; s.n < MAX_N; s.n++) {
		vf_open(&v, iommu ? VF_ATTACH : VF_GROUP);
		arm(s.n);
		if (iommu)
			ret = ioctl(v.container, VFIO_SET_IOMMU,
				    VFIO_TYPE1v2_IOMMU);
		else
			ret = ioctl(v.group, VFIO_GROUP_SET_CONTAINER,
				    &v.container);
		err = errno;
		hit = fired();
		works = true;
		if (ret && iommu)
			works = !ioctl(v.container, VFIO_SET_IOMMU,
				       VFIO_TYPE1v2_IOMMU);
		else if (ret)
			works = !ioctl(v.group, VFIO_GROUP_SET_CONTAINER,
				       &v.container);
		/* and the device can be had */
		if (works && !iommu)
			works = !ioctl(v.container, VFIO_SET_IOMMU,
				       VFIO_TYPE1v2_IOMMU);
		if (works) {
			v.device = ioctl(v.group, VFIO_GROUP_GET_DEVICE_FD,
					 UUID_VQ);
			works = v.device >= 0;
		}
		vf_close(&v);
		if (sweep_step(&s, ret, err, hit, 0, works))
			break;
	}
	sweep_report(&s);
}

static struct vfio_device_info dev_info;

/* GET_DEVICE_FD on a group that had the device before: close, reopen. */
static void sweep_vfio_device(void)
{
	struct vfio_device_info info;
	struct sweep s;
	struct vf v;
	bool hit, works;
	int fd, err;

	sweep_start(&s, "VFIO_GROUP_GET_DEVICE_FD (and close)");
	vf_open(&v, VF_IOMMU);
	for (s.n = 1; s.n < MAX_N; s.n++) {
		arm(s.n);
		fd = ioctl(v.group, VFIO_GROUP_GET_DEVICE_FD, UUID_VQ);
		err = errno;
		hit = fired();
		works = true;
		if (fd >= 0) {
			memset(&info, 0, sizeof(info));
			info.argsz = sizeof(info);
			works = !ioctl(fd, VFIO_DEVICE_GET_INFO, &info) &&
				!memcmp(&info, &dev_info, sizeof(info));
			close(fd);
		}
		if (sweep_step(&s, fd, err, hit, 0, works))
			break;
	}
	vf_close(&v);
	sweep_report(&s);
}

/*
 * The calls on an open device: each gets the device file, the container
 * and @arg, makes its call with fail-nth armed (do_call), and checks what
 * it left (check, with the call's result).
 */
struct vcall {
	const char *what;
	long (*call)(struct vf *v, long arg);
	bool (*check)(struct vf *v, long arg, long ret);
	int expect;
};

static void sweep_vcall(struct vf *v, const struct vcall *c, long nr_args)
{
	struct sweep s;
	long arg, ret;
	bool hit, works;
	int err;

	sweep_start(&s, c->what);
	for (arg = 0; arg < nr_args; arg++) {
		for (s.n = 1; s.n < MAX_N; s.n++) {
			arm(s.n);
			ret = c->call(v, arg);
			err = errno;
			hit = fired();
			works = !c->check || c->check(v, arg, ret);
			if (sweep_step(&s, ret, err, hit, c->expect, works))
				break;
		}
		if (s.n >= MAX_N)
			break;
	}
	sweep_report(&s);
}

static struct vfio_region_info reg_info[VFIO_PCI_NUM_REGIONS];
static struct vfio_irq_info irq_info[VFIO_PCI_NUM_IRQS];
static uint8_t *dma_buf;

static long c_info(struct vf *v, long arg)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	long ret = ioctl(v->device, VFIO_DEVICE_GET_INFO, &info);

	(void)arg;
	if (!ret && memcmp(&info, &dev_info, sizeof(info)))
		return -2;
	return ret;
}

static bool k_not_garbled(struct vf *v, long arg, long ret)
{
	(void)v;
	(void)arg;
	return ret != -2;
}

static long c_region(struct vf *v, long arg)
{
	struct vfio_region_info r = { .argsz = sizeof(r), .index = arg };
	long ret = ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, &r);

	if (!ret && memcmp(&r, &reg_info[arg], sizeof(r)))
		return -2;
	return ret;
}

static long c_irq(struct vf *v, long arg)
{
	struct vfio_irq_info i = { .argsz = sizeof(i), .index = arg };
	long ret = ioctl(v->device, VFIO_DEVICE_GET_IRQ_INFO, &i);

	if (!ret && memcmp(&i, &irq_info[arg], sizeof(i)))
		return -2;
	return ret;
}

static int efd[16];	/* made before the sweeps */

/* SET_IRQS: @count eventfds (or fd -1 each), or none with DATA_NONE. */
static int set_irqs(struct vf *v, unsigned int index, unsigned int count,
		    bool efds)
{
	char buf[sizeof(struct vfio_irq_set) + 16 * sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	unsigned int i;

	memset(buf, 0, sizeof(buf));
	set->argsz = sizeof(*set) + (efds || count ? count * 4 : 0);
	set->flags = VFIO_IRQ_SET_ACTION_TRIGGER |
		     (efds || count ? VFIO_IRQ_SET_DATA_EVENTFD :
		      VFIO_IRQ_SET_DATA_NONE);
	set->index = index;
	set->count = count;
	for (i = 0; i < count; i++)
		((int32_t *)set->data)[i] = efds ? efd[i] : -1;
	return ioctl(v->device, VFIO_DEVICE_SET_IRQS, set);
}

static long c_msi(struct vf *v, long arg)
{
	(void)arg;
	return set_irqs(v, VFIO_PCI_MSI_IRQ_INDEX,
			irq_info[VFIO_PCI_MSI_IRQ_INDEX].count, true);
}

static long c_intx(struct vf *v, long arg)
{
	(void)arg;
	return set_irqs(v, VFIO_PCI_INTX_IRQ_INDEX, 1, true);
}

/* Nothing enabled is left: INTx can be enabled, and disabled again. */
static bool irqs_clean(struct vf *v)
{
	return !set_irqs(v, VFIO_PCI_MSI_IRQ_INDEX, 0, false) &&
	       !set_irqs(v, VFIO_PCI_INTX_IRQ_INDEX, 1, true) &&
	       !set_irqs(v, VFIO_PCI_INTX_IRQ_INDEX, 0, false) &&
	       !set_irqs(v, VFIO_PCI_MSI_IRQ_INDEX,
			 irq_info[VFIO_PCI_MSI_IRQ_INDEX].count, true) &&
	       !set_irqs(v, VFIO_PCI_MSI_IRQ_INDEX, 0, false);
}

static bool k_irqs_off(struct vf *v, long arg, long ret)
{
	(void)arg;
	(void)ret;
	return !set_irqs(v, VFIO_PCI_MSI_IRQ_INDEX, 0, false) &&
	       !set_irqs(v, VFIO_PCI_INTX_IRQ_INDEX, 0, false) && irqs_clean(v);
}

/* Disabling MSI, enabled before with no fault. */
static long c_msi_off(struct vf *v, long arg)
{
	(void)arg;
	return set_irqs(v, VFIO_PCI_MSI_IRQ_INDEX, 0, false);
}

static long c_msi_off_pre(struct vf *v, long arg)
{
	unsigned int left = disarm();

	if (c_msi(v, arg))
		tap_bail("SET_IRQS MSI: %s", strerror(errno));
	arm(left);
	return c_msi_off(v, arg);
}

static long c_req(struct vf *v, long arg)
{
	(void)arg;
	return set_irqs(v, VFIO_PCI_REQ_IRQ_INDEX, 1, true);
}

static bool k_req_off(struct vf *v, long arg, long ret)
{
	(void)arg;
	(void)ret;
	return !set_irqs(v, VFIO_PCI_REQ_IRQ_INDEX, 1, false);
}

static long c_reset(struct vf *v, long arg)
{
	(void)arg;
	return ioctl(v->device, VFIO_DEVICE_RESET);
}

static int dma_map(struct vf *v)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)dma_buf, .iova = IOVA, .size = DMA_SIZE,
	};

	return ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map);
}

/* Unmaps the range: the bytes that were mapped, or -1. */
static long dma_unmap(struct vf *v)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = IOVA, .size = DMA_SIZE,
	};

	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return -1;
	return unmap.size;
}

static long c_map(struct vf *v, long arg)
{
	(void)arg;
	return dma_map(v);
}

/* Mapped if it succeeded, and nothing otherwise. */
static bool k_map(struct vf *v, long arg, long ret)
{
	(void)arg;
	return dma_unmap(v) == (ret ? 0 : (long)DMA_SIZE);
}

static long c_unmap(struct vf *v, long arg)
{
	unsigned int left = disarm();
	long ret;

	(void)arg;
	if (dma_map(v))
		tap_bail("VFIO_IOMMU_MAP_DMA: %s", strerror(errno));
	arm(left);
	ret = dma_unmap(v);
	if (ret >= 0 && ret != (long)DMA_SIZE)
		return -2;
	return ret < 0 ? -1 : 0;
}

static bool k_unmap(struct vf *v, long arg, long ret)
{
	(void)arg;
	return ret != -2 && dma_unmap(v) == (ret ? (long)DMA_SIZE : 0);
}

static long c_cfg_read(struct vf *v, long arg)
{
	uint32_t id = 0;
	ssize_t n = pread(v->device, &id, 4,
			  reg_info[VFIO_PCI_CONFIG_REGION_INDEX].offset);

	(void)arg;
	if (n == 4 && id != (WD_PCI_VENDOR_ID | VZIP_PCI_DEVICE_ID << 16))
		return -2;
	return n == 4 ? 0 : n < 0 ? -1 : -2;
}

static long c_cfg_write(struct vf *v, long arg)
{
	uint16_t cmd = 0x6;	/* memory decoding, bus master */
	ssize_t n = pwrite(v->device, &cmd, 2,
			   reg_info[VFIO_PCI_CONFIG_REGION_INDEX].offset + 4);

	(void)arg;
	return n == 2 ? 0 : n < 0 ? -1 : -2;
}

static bool k_cfg(struct vf *v, long arg, long ret)
{
	uint16_t cmd = 0;

	(void)arg;
	return ret != -2 &&
	       pread(v->device, &cmd, 2,
		     reg_info[VFIO_PCI_CONFIG_REGION_INDEX].offset + 4) == 2 &&
	       (ret || (cmd & 0x6) == 0x6);
}

static uint32_t magic;

static long c_bar_read(struct vf *v, long arg)
{
	uint32_t val = 0;
	ssize_t n = pread(v->device, &val, 4,
			  reg_info[VFIO_PCI_BAR0_REGION_INDEX].offset +
			  WD_PCI_REG_MAGIC);

	(void)arg;
	if (n == 4 && val != magic)
		return -2;
	return n == 4 ? 0 : n < 0 ? -1 : -2;
}

static long c_bar_write(struct vf *v, long arg)
{
	uint32_t val = 0;	/* write-1-to-clear: changes nothing */
	ssize_t n = pwrite(v->device, &val, 4,
			   reg_info[VFIO_PCI_BAR0_REGION_INDEX].offset +
			   WD_PCI_REG_IRQ_STATUS);

	(void)arg;
	return n == 4 ? 0 : n < 0 ? -1 : -2;
}

static bool k_bar(struct vf *v, long arg, long ret)
{
	return ret != -2 && !c_bar_read(v, arg);
}

static long c_bar_mmap(struct vf *v, long arg)
{
	const struct vfio_region_info *r = &reg_info[VFIO_PCI_BAR0_REGION_INDEX];
	void *p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       v->device, r->offset);

	(void)arg;
	if (p == MAP_FAILED)
		return -1;
	munmap(p, r->size);
	return 0;
}

static const struct vcall vcalls[] = {
	{ "VFIO_DEVICE_GET_INFO", c_info, k_not_garbled, 0 },
	{ "VFIO_DEVICE_GET_REGION_INFO of every region", c_region,
	  k_not_garbled, 0 },
	{ "VFIO_DEVICE_GET_IRQ_INFO of every index", c_irq, k_not_garbled, 0 },
	{ "VFIO_DEVICE_SET_IRQS: MSI eventfds", c_msi, k_irqs_off, 0 },
	{ "VFIO_DEVICE_SET_IRQS: INTx eventfd", c_intx, k_irqs_off, 0 },
	{ "VFIO_DEVICE_SET_IRQS: MSI disabled", c_msi_off_pre, k_irqs_off, 0 },
	{ "VFIO_DEVICE_SET_IRQS: request eventfd", c_req, k_req_off, 0 },
	{ "VFIO_DEVICE_RESET", c_reset, NULL, 0 },
	{ "VFIO_IOMMU_MAP_DMA", c_map, k_map, 0 },
	{ "VFIO_IOMMU_UNMAP_DMA", c_unmap, k_unmap, 0 },
	{ "pread of config space", c_cfg_read, k_not_garbled, 0 },
	{ "pwrite of config space", c_cfg_write, k_cfg, 0 },
	{ "pread of BAR0", c_bar_read, k_not_garbled, 0 },
	{ "pwrite of BAR0", c_bar_write, k_bar, 0 },
};

/* The open device's own description, read with no fault. */
static void vf_describe(struct vf *v)
{
	unsigned int i;

	dev_info.argsz = sizeof(dev_info);
	if (ioctl(v->device, VFIO_DEVICE_GET_INFO, &dev_info))
		tap_bail("VFIO_DEVICE_GET_INFO: %s", strerror(errno));
	if (!(dev_info.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    dev_info.num_regions < VFIO_PCI_NUM_REGIONS ||
	    dev_info.num_irqs < VFIO_PCI_NUM_IRQS)
		tap_bail("not a vfio-pci device: flags %#x, %u regions, %u irqs",
			 dev_info.flags, dev_info.num_regions,
			 dev_info.num_irqs);
	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		reg_info[i].argsz = sizeof(reg_info[i]);
		reg_info[i].index = i;
		if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, &reg_info[i]))
			tap_bail("GET_REGION_INFO %u: %s", i, strerror(errno));
	}
	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
		irq_info[i].argsz = sizeof(irq_info[i]);
		irq_info[i].index = i;
		if (ioctl(v->device, VFIO_DEVICE_GET_IRQ_INFO, &irq_info[i]))
			tap_bail("GET_IRQ_INFO %u: %s", i, strerror(errno));
	}
	if (!irq_info[VFIO_PCI_MSI_IRQ_INDEX].count ||
	    irq_info[VFIO_PCI_MSI_IRQ_INDEX].count > 16)
		tap_bail("%u MSI vectors", irq_info[VFIO_PCI_MSI_IRQ_INDEX].count);
	for (i = 0; i < 16; i++) {
		efd[i] = eventfd(0, EFD_CLOEXEC);
		if (efd[i] < 0)
			tap_bail("eventfd: %s", strerror(errno));
	}
}

static void vfio_section(void)
{
	char path[PATH_MAX], link[PATH_MAX];
	const struct vfio_region_info *bar;
	struct vcall mm = { "mmap of BAR0", c_bar_mmap, NULL, 0 };
	struct vf v;
	unsigned int i;
	ssize_t len;

	create(vq_type, UUID_VQ);
	snprintf(path, sizeof(path), MDEV_DIR "/%s/iommu_group", UUID_VQ);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0)
		tap_bail("%s: %s", path, strerror(errno));
	link[len] = '\0';
	snprintf(group_path, sizeof(group_path), "/dev/vfio/%s",
		 strrchr(link, '/') + 1);
	if (access(group_path, R_OK | W_OK))
		tap_bail("%s: %s", group_path, strerror(errno));
	want = acct_now();

	vf_open(&v, VF_DEVICE);
	vf_describe(&v);
	vf_close(&v);
	tap_diag("vfio-pci instance %s: %s, %u regions, %u irq indexes, %u MSI vectors",
		 UUID_VQ, group_path, dev_info.num_regions, dev_info.num_irqs,
		 irq_info[VFIO_PCI_MSI_IRQ_INDEX].count);

	sweep_vfio_open(false, "open of /dev/vfio/vfio");
	sweep_vfio_open(true, "open of the group");
	sweep_vfio_attach(false, "VFIO_GROUP_SET_CONTAINER");
	sweep_vfio_attach(true, "VFIO_SET_IOMMU type1v2");
	sweep_vfio_device();

	vf_open(&v, VF_DEVICE);
	/* memory decoding on, for BAR0 */
	if (c_cfg_write(&v, 0))
		tap_bail("enable memory decoding: %s", strerror(errno));
	if (pread(v.device, &magic, 4,
		  reg_info[VFIO_PCI_BAR0_REGION_INDEX].offset) != 4)
		tap_bail("read of BAR0: %s", strerror(errno));
	for (i = 0; i < sizeof(vcalls) / sizeof(vcalls[0]); i++)
		sweep_vcall(&v, &vcalls[i],
			    vcalls[i].call == c_region ? VFIO_PCI_NUM_REGIONS :
			    vcalls[i].call == c_irq ? VFIO_PCI_NUM_IRQS : 1);
	/* vfio-pci refuses the mmap of a region without the flag */
	bar = &reg_info[VFIO_PCI_BAR0_REGION_INDEX];
	if (!(bar->flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		mm.what = "mmap of BAR0 (not mmappable: EINVAL)";
		mm.expect = EINVAL;
	}
	sweep_vcall(&v, &mm, 1);
	vf_close(&v);

	if (destroy(UUID_VQ))
		tap_bail("remove %s: %s", UUID_VQ, strerror(errno));
}

/* ---- set-up ---- */

/*
 * The accelerator, its access-point types (device_api uacce) and the
 * vfio-pci type vq2 (device_api vfio-pci, under the accelerator's parent).
 */
static void find_types(void)
{
	char path[256], buf[128], list[512] = "";
	struct dirent *de;
	DIR *d;

	d = opendir(CLASS_DIR);
	if (!d)
		tap_bail(CLASS_DIR ": %s", strerror(errno));
	while ((de = readdir(d))) {
		snprintf(path, sizeof(path), CLASS_DIR "/%.63s/mdev_supported_types",
			 de->d_name);
		if (!strncmp(de->d_name, "vzip-", 5) && !access(path, F_OK) &&
		    (!accel[0] || strcmp(de->d_name, accel) < 0))
			snprintf(accel, sizeof(accel), "%.63s", de->d_name);
	}
	closedir(d);
	if (!accel[0])
		tap_bail("no vzip accelerator with mdev types (wd_mdev loaded?)");

	snprintf(path, sizeof(path), CLASS_DIR "/%s/mdev_supported_types", accel);
	d = opendir(path);
	if (!d)
		tap_bail("%s: %s", path, strerror(errno));
	while ((de = readdir(d))) {
		char api[PATH_MAX];

		if (de->d_name[0] == '.' || strlen(de->d_name) > 200)
			continue;
		snprintf(api, sizeof(api), "%s/%s/device_api", path, de->d_name);
		if (read_str(api, buf, sizeof(buf)) || strcmp(buf, "uacce"))
			continue;
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 " %s", de->d_name);
		/* an instance of 4 queues if there is the type, else any */
		if (!ap_type[0] || !strcmp(de->d_name, "uacce-ap4"))
			snprintf(ap_type, sizeof(ap_type), "%s/%s", path,
				 de->d_name);
	}
	closedir(d);
	tap_diag("access-point types of %s:%s", accel, list);
	if (!ap_type[0])
		tap_bail("%s has no access-point type", accel);

	d = opendir("/sys/class/mdev_bus");
	if (!d)
		tap_bail("/sys/class/mdev_bus: %s", strerror(errno));
	list[0] = '\0';
	while ((de = readdir(d))) {
		DIR *td;
		struct dirent *te;
		char dir[256];

		if (de->d_name[0] == '.' || strlen(de->d_name) > 150)
			continue;
		snprintf(dir, sizeof(dir),
			 "/sys/class/mdev_bus/%.150s/mdev_supported_types",
			 de->d_name);
		td = opendir(dir);
		if (!td)
			continue;
		while ((te = readdir(td))) {
			char api[PATH_MAX];
			size_t l = strlen(te->d_name);

			if (l > 200)
				continue;
			snprintf(api, sizeof(api), "%s/%s/device_api", dir,
				 te->d_name);
			if (read_str(api, buf, sizeof(buf)) ||
			    strcmp(buf, "vfio-pci"))
				continue;
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 " %s", te->d_name);
			if (l > 4 && !strcmp(te->d_name + l - 4, "-vq2"))
				snprintf(vq_type, sizeof(vq_type), "%s/%s", dir,
					 te->d_name);
		}
		closedir(td);
	}
	closedir(d);
	tap_diag("vfio-pci types:%s", list);
	if (!vq_type[0])
		tap_bail("no vfio-pci type *-vq2 (device_api vfio-pci)");
	if (access("/dev/vfio/vfio", R_OK | W_OK))
		tap_bail("/dev/vfio/vfio: %s", strerror(errno));
}

/*
 *   mdev_failnth_test			every sweep
 *   mdev_failnth_test access-point	the access point's only (for sva=0)
 */
int main(int argc, char **argv)
{
	bool ap_only = argc > 1 && !strcmp(argv[1], "access-point");
	char name_path[PATH_MAX];
	struct uacce_queue_info info;
	int fd, err;
	bool hit;

	failnth_init();
	find_types();
	if (count_mdevs())
		tap_bail("%ld instances exist already", count_mdevs());
	want = acct_base = acct_now();
	if (want.accel < 8 || want.vq < 1)
		tap_bail("%ld free queues on %s", want.accel, accel);
	if (!ap_only)
		probes_add();
	/* one CPU: per-CPU caches and preloads as the dry runs saw them */
	{
		cpu_set_t cpus;

		CPU_ZERO(&cpus);
		CPU_SET(sched_getcpu(), &cpus);
		if (sched_setaffinity(0, sizeof(cpus), &cpus))
			tap_bail("sched_setaffinity: %s", strerror(errno));
	}

	/* SVA or the SS region: the accelerator's own queue says */
	snprintf(devpath, sizeof(devpath), "/dev/%s", accel);
	fd = open(devpath, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, UACCE_CMD_QUEUE_INFO, &info))
		tap_bail("%s: %s", devpath, strerror(errno));
	sva = info.flags & UACCE_DEV_SVA;
	close(fd);
	tap_plan((ap_only ? 5 : 29) + (sva ? 0 : 2));
	tap_diag("%s, %s, %ld free queues; access points %s, vfio-pci %s",
		 accel, sva ? "SVA" : "SS region", want.accel,
		 strrchr(ap_type, '/') + 1, strrchr(vq_type, '/') + 1);

	dma_buf = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dma_buf == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	memset(dma_buf, 0, DMA_SIZE);
	failnth_lock_memory();

	/* fail-nth itself: the first allocation of an open() fails */
	arm(1);
	fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	err = errno;
	hit = fired();
	if (fd >= 0)
		close(fd);
	if (fd >= 0 || err != ENOMEM || !hit)
		tap_bail("fail-nth does not fail allocations (needs failslab, ignore-gfp-wait=N: test/vm/guest-check.sh)");

	if (!ap_only) {
		sweep_create(ap_type, false, "create of an access point");
		sweep_remove(ap_type, false, "remove of an access point");
		sweep_create(vq_type, true, "create of a vfio-pci instance");
		sweep_remove(vq_type, true, "remove of a vfio-pci instance");
	}

	/* an access-point instance */
	create(ap_type, UUID_AP);
	snprintf(name_path, sizeof(name_path), MDEV_DIR "/%s/access_point/name",
		 UUID_AP);
	if (read_str(name_path, inst, sizeof(inst)))
		tap_bail("%s: %s", name_path, strerror(errno));
	snprintf(devpath, sizeof(devpath), "/dev/%s", inst);
	ap_quota = read_long(MDEV_DIR "/%s/access_point/queues", UUID_AP);
	want = acct_now();
	if (ap_quota < 1 || want.inst != ap_quota)
		tap_bail("instance %s: %ld queues, %ld free", inst, ap_quota,
			 want.inst);
	tap_diag("access point %s: %s, %ld queues", UUID_AP, inst, ap_quota);
	sweep_ap_open();
	sweep_ap_mmap(UACCE_QFRT_MMIO, "mmap MMIO of the instance");
	sweep_ap_mmap(UACCE_QFRT_DUS, "mmap DUS of the instance");
	if (!sva)
		sweep_ap_mmap(UACCE_QFRT_SS, "mmap SS of the instance");
	sweep_ap_ioctl(UACCE_CMD_START_Q, "START_Q on the instance");
	if (!sva)
		sweep_ap_ioctl(UACCE_CMD_GET_SS, "GET_SS on the instance");
	inst[0] = '\0';
	if (destroy(UUID_AP))
		tap_bail("remove %s: %s", UUID_AP, strerror(errno));

	if (!ap_only)
		vfio_section();

	want = acct_base;
	tap_ok(!count_mdevs() && acct_ok(0),
	       "no instance left, every queue free");
	return tap_done();
}
