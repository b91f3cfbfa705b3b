// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM killed during every phase of its life (TAP): deterministic from a
 * seed, bounded in kills and time.
 *
 *   WD_ACCEL=vzip-N vfio_storm_test --vfio UUID [--seed S] [--ops KILLS]
 *                                   [--seconds T] [-v]
 *
 * A child process drives the vfio-pci instance as a VMM does
 * (samples/vfio-client's VFIO and PCI code) and tells the parent through a
 * pipe each phase it reaches:
 *
 *   0 started         nothing open yet
 *   1 opened          container, group, IOMMU and device file
 *   2 mapped          its "guest RAM" mapped at IOVAs
 *   3 enabled         the function probed, two queues enabled, MSI and
 *                     the error interrupt on eventfds
 *   4 busy            COPY and COMPRESS requests kept in flight, without end
 *   5 resetting       requests in flight and VFIO_DEVICE_RESET or the
 *                     function reset register, without end
 *   6 unmapping       requests in flight and the data unmapped and mapped
 *                     again, without end
 *   7 closing         the device closed with requests in flight, then exit
 *
 * For each kill the seed picks a phase and a delay (0-3 ms) after the child
 * reached it; the parent then sends SIGKILL.  The child must die of that
 * SIGKILL (or, in phase 7, have exited cleanly), and be reaped: a kill that
 * leaves the VMM's files hanging would stop the storm.  The next child opens
 * the same instance at once.  At the end the instance has the same free
 * queues on the accelerator as at the start, the kernel never said that a
 * page was still pinned at close (drivers/mdev/vfio_pci.c), and this
 * process, opening it last, copies a page correctly.  KASAN, lockdep,
 * kmemleak and WARN reports fail the test through the harness.  A failure
 * prints the seed and the kill that replays it.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "fuzz.h"
#include "vfio.h"
#include "vzpci.h"

#define PAGE		4096u
#define IOVA_RINGS	0x10000000ull
#define IOVA_DATA	0x40000000ull
#define DATA_SIZE	(64 * PAGE)
#define DEPTH		16
#define NR_Q		2

enum phase {
	PH_STARTED, PH_OPENED, PH_MAPPED, PH_ENABLED, PH_BUSY, PH_RESETTING,
	PH_UNMAPPING, PH_CLOSING, PH_NR
};

static const char *const phase_name[PH_NR] = {
	"started", "opened", "mapped", "enabled", "busy", "resetting",
	"unmapping", "closing",
};

static const char *uuid;
static int verbose;

/* ---- the child: a VMM ---- */

static int report_fd;

static void reached(enum phase p)
{
	char c = (char)p;

	if (write(report_fd, &c, 1) != 1)
		_exit(3);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
vmm_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(4);
}

struct vmm {
	struct vc_vfio vf;
	struct vz_pci pci;
	struct vz_queue q[NR_Q];
	uint8_t *rings, *data;
};

/* Fill queue @q with requests and ring; take what completed. */
static void vmm_keep_busy(struct vmm *m, struct vz_queue *q, unsigned int n)
{
	struct vzip_cqe cqe[DEPTH];

	while (vz_queue_space(q)) {
		struct vzip_sqe s = { 0 };
		unsigned int slot = n++ % 8;

		s.opcode = slot & 1 ? VZIP_OP_COMPRESS : VZIP_OP_COPY;
		s.version = VZIP_SQE_VERSION;
		s.flush = VZIP_FLUSH_FINISH;
		s.user_data = htole64(n);
		s.src = htole64(IOVA_DATA + slot * 4 * PAGE);
		s.dst = htole64(IOVA_DATA + DATA_SIZE / 2 + slot * 4 * PAGE);
		s.src_len = s.dst_len = htole32(4 * PAGE);
		if (vz_queue_submit(q, &s))
			break;
	}
	/* a refused doorbell (the function in reset) is the VMM's to see */
	vz_queue_doorbell(q);
	vz_queue_reap(q, cqe, DEPTH);
	(void)m;
}

static void __attribute__((noreturn)) vmm_run(unsigned int target)
{
	size_t ring = DEPTH * sizeof(struct vzip_sqe);
	struct vmm m = { 0 };
	int efd[2], ret;
	unsigned int n = 0, i;

	reached(PH_STARTED);
	m.vf.container = m.vf.group = m.vf.device = -1;
	ret = vc_vfio_open(&m.vf, uuid, 0);
	if (ret)
		vmm_fail("opening %s: %s", uuid, strerror(-ret));
	reached(PH_OPENED);

	m.rings = mmap(NULL, NR_Q * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	m.data = mmap(NULL, DATA_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (m.rings == MAP_FAILED || m.data == MAP_FAILED)
		vmm_fail("mmap: %s", strerror(errno));
	memset(m.data, 'w', DATA_SIZE / 2);
	if (vc_dma_map(&m.vf, m.rings, IOVA_RINGS, NR_Q * PAGE) ||
	    vc_dma_map(&m.vf, m.data, IOVA_DATA, DATA_SIZE))
		vmm_fail("mapping guest RAM");
	reached(PH_MAPPED);

	ret = vz_pci_probe(&m.pci, &m.vf, 0);
	if (ret)
		vmm_fail("probing the function: %s", strerror(-ret));
	for (i = 0; i < NR_Q && !ret; i++) {
		uint8_t *r = m.rings + i * PAGE;
		uint64_t iova = IOVA_RINGS + i * PAGE;

		ret = vz_queue_init(&m.q[i], &m.pci, i, DEPTH, r, iova,
				    r + ring, iova + ring);
		if (!ret)
			ret = vz_queue_enable(&m.q[i], 1);
	}
	if (ret)
		vmm_fail("enabling the queues: %s", strerror(-ret));
	efd[0] = eventfd(0, EFD_NONBLOCK);
	efd[1] = eventfd(0, EFD_NONBLOCK);
	if (efd[0] < 0 || efd[1] < 0 ||
	    vc_irq_set_eventfds(&m.vf, VFIO_PCI_MSI_IRQ_INDEX, efd, 1) ||
	    vc_irq_set_eventfds(&m.vf, VFIO_PCI_ERR_IRQ_INDEX, efd + 1, 1))
		vmm_fail("interrupts on eventfds");
	reached(PH_ENABLED);

	/* each later phase runs until the parent kills it */
	for (enum phase p = PH_BUSY; ; p = p == PH_UNMAPPING ? PH_BUSY : p + 1) {
		if (target >= PH_CLOSING)
			break;
		if (p < target && p != PH_BUSY)
			continue;
		reached(p);
		for (int spin = 0; spin < 50 || p == target; spin++) {
			for (i = 0; i < NR_Q; i++)
				vmm_keep_busy(&m, &m.q[i], n++);
			if (p == PH_RESETTING && !(spin % 4)) {
				if (spin % 8)
					vc_reset(&m.vf);
				else
					vz_pci_function_reset(&m.pci);
				/* enable again, as a driver after a reset */
				for (i = 0; i < NR_Q; i++)
					if (!vz_queue_init(&m.q[i], &m.pci, i,
							   DEPTH,
							   m.rings + i * PAGE,
							   IOVA_RINGS + i * PAGE,
							   m.rings + i * PAGE + ring,
							   IOVA_RINGS + i * PAGE + ring))
						vz_queue_enable(&m.q[i], 1);
			}
			if (p == PH_UNMAPPING) {
				vc_dma_unmap(&m.vf, IOVA_DATA, DATA_SIZE);
				if (vc_dma_map(&m.vf, m.data, IOVA_DATA,
					       DATA_SIZE))
					vmm_fail("mapping the data again");
			}
		}
	}
	for (i = 0; i < NR_Q; i++)
		vmm_keep_busy(&m, &m.q[i], n++);
	reached(PH_CLOSING);
	vc_vfio_close(&m.vf);
	_exit(0);
}

/* ---- the parent ---- */

/* The accelerator's free queues ($WD_ACCEL, its uacce name), or -1. */
static long parent_free(void)
{
	const char *accel = getenv("WD_ACCEL");
	char path[256], buf[32] = "";
	FILE *f;

	if (!accel)
		return -1;
	snprintf(path, sizeof(path), "/sys/class/uacce/%s/available_instances",
		 accel);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return buf[0] ? atol(buf) : -1;
}

/* One kill: the phase and delay from the operation's stream. */
static void one_kill(unsigned long n, unsigned int *per_phase)
{
	unsigned int target = fuzz_below(PH_NR);
	unsigned int delay = fuzz_below(3000);
	int pfd[2], status;
	char c = -1, last = -1;
	pid_t pid;

	if (pipe(pfd))
		fuzz_fail("pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fuzz_fail("fork: %s", strerror(errno));
	if (!pid) {
		close(pfd[0]);
		report_fd = pfd[1];
		vmm_run(target);
	}
	close(pfd[1]);
	while (read(pfd[0], &c, 1) == 1) {
		last = c;
		if (c >= (char)target)
			break;
	}
	usleep(delay);
	kill(pid, SIGKILL);
	close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid)
		fuzz_fail("waitpid: %s", strerror(errno));
	if (verbose)
		printf("# kill %lu: phase %s +%u us, reached %d, status %#x\n",
		       n, phase_name[target], delay, last, status);
	if (last < (char)target)
		fuzz_fail("the VMM stopped at phase %d before %s (status %#x)",
			  last, phase_name[target], status);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		per_phase[target]++;
	else if (!(target == PH_CLOSING && WIFEXITED(status) &&
		   !WEXITSTATUS(status)))
		fuzz_fail("the VMM in phase %s ended with status %#x, not "
			  "SIGKILL", phase_name[target], status);
	else
		per_phase[target]++;
}

/* The kernel's messages since @fd was opened contain @what. */
static bool kmsg_says(int fd, const char *what)
{
	char rec[2048];
	bool found = false;
	ssize_t len;

	while ((len = read(fd, rec, sizeof(rec) - 1)) > 0 || errno == EPIPE) {
		if (len <= 0)
			continue;
		rec[len] = 0;
		if (strstr(rec, what)) {
			printf("# %s", rec);
			found = true;
		}
	}
	return found;
}

/* The instance, opened last, copies a page. */
static bool final_copy(void)
{
	size_t ring = DEPTH * sizeof(struct vzip_sqe);
	struct vzip_sqe s = { 0 };
	struct vzip_cqe c = { 0 };
	struct vc_vfio vf = { .container = -1, .group = -1, .device = -1 };
	struct vz_pci pci;
	struct vz_queue q;
	uint8_t *rings, *data;
	int ret, got = 0;
	time_t t0;

	ret = vc_vfio_open(&vf, uuid, 0);
	if (ret) {
		tap_diag("opening %s: %s", uuid, strerror(-ret));
		return false;
	}
	rings = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	data = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rings == MAP_FAILED || data == MAP_FAILED)
		return false;
	ret = vc_dma_map(&vf, rings, IOVA_RINGS, PAGE) ?:
	      vc_dma_map(&vf, data, IOVA_DATA, 2 * PAGE) ?:
	      vz_pci_probe(&pci, &vf, 0) ?:
	      vz_queue_init(&q, &pci, 0, DEPTH, rings, IOVA_RINGS,
			    rings + ring, IOVA_RINGS + ring) ?:
	      vz_queue_enable(&q, 0);
	if (ret) {
		tap_diag("setting up queue 0: %s", strerror(-ret));
		vc_vfio_close(&vf);
		return false;
	}
	memset(data, 0x5a, PAGE);
	s.opcode = VZIP_OP_COPY;
	s.version = VZIP_SQE_VERSION;
	s.user_data = htole64(7);
	s.src = htole64(IOVA_DATA);
	s.dst = htole64(IOVA_DATA + PAGE);
	s.src_len = s.dst_len = htole32(PAGE);
	ret = vz_queue_submit(&q, &s) ?: vz_queue_doorbell(&q);
	t0 = time(NULL);
	while (!ret && !got && time(NULL) - t0 < 60) {
		got = vz_queue_reap(&q, &c, 1);
		if (got < 0)
			ret = got;
		usleep(100);
	}
	vz_queue_disable(&q);
	vc_vfio_close(&vf);
	if (ret || got != 1 || le16toh(c.status) != VZIP_STS_OK ||
	    memcmp(data, data + PAGE, PAGE)) {
		tap_diag("ret %d, completions %d, status %u", ret, got,
			 le16toh(c.status));
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct fuzz_opts o = { .ops = 100, .seconds = 60 };
	unsigned int per_phase[PH_NR] = { 0 };
	unsigned long n;
	long free0, free1;
	char cmd[128], line[256];
	time_t t0;
	int kmsg, len = 0;

	if (!fuzz_parse(argc, argv, &o, "vfio"))
		return 2;
	uuid = o.extra;
	verbose = o.verbose;
	signal(SIGPIPE, SIG_IGN);
	snprintf(cmd, sizeof(cmd), "vfio_storm_test --vfio %s", uuid);
	fuzz_init(o.seed, cmd, "VMM kill storm");
	tap_plan(4);
	tap_diag("seed %llu, up to %lu kills or %lu s, instance %s",
		 (unsigned long long)o.seed, o.ops, o.seconds, uuid);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg < 0 || lseek(kmsg, 0, SEEK_END) < 0)
		fuzz_fail("/dev/kmsg: %s", strerror(errno));
	free0 = parent_free();
	if (free0 < 0)
		fuzz_fail("no $WD_ACCEL/available_instances (the accelerator)");
	/* vfio-client explains every refused call on stderr */
	if (!verbose && !freopen("/dev/null", "w", stderr))
		fuzz_fail("freopen: %s", strerror(errno));

	t0 = time(NULL);
	for (n = 0; n < o.ops; n++) {
		if ((unsigned long)(time(NULL) - t0) >= o.seconds)
			break;
		fuzz_begin(n);
		one_kill(n, per_phase);
	}
	for (int p = 0; p < PH_NR; p++)
		len += snprintf(line + len, sizeof(line) - len, " %s %u",
				phase_name[p], per_phase[p]);
	tap_ok(n > 0, "%lu VMMs killed, by phase:%s", n, line);
	free1 = parent_free();
	tap_ok(free1 == free0, "the accelerator has %ld free queues, as "
	       "before the storm (%ld)", free1, free0);
	tap_ok(!kmsg_says(kmsg, "still pinned"),
	       "no VMM's close left a page pinned");
	fuzz_begin(n);
	fuzz_op_name = "final copy";
	tap_ok(final_copy(), "after the storm the instance copies a page");
	return tap_done();
}
