// SPDX-License-Identifier: GPL-2.0
/*
 * A fuzzer of vzip's vfio-pci instance, as a hostile VM would be (TAP):
 * deterministic from a seed, bounded in operations and time.
 *
 *   vfio_fuzz_test --vfio UUID [--seed S] [--ops N] [--seconds T] [-v]
 *
 * The instance is opened as a VMM opens it (samples/vfio-client's VFIO and
 * PCI code), with "guest RAM" of this process mapped at IOVAs.  Each
 * operation, drawn at random:
 * - a read or write of config space or BAR0 at any offset (past the end
 *   too), of any size, with any value: the command register, the BAR, the
 *   MSI capability, every queue register including the ring bases, depth,
 *   enable bits and the doorbell;
 * - a queue set up and enabled with random or valid rings, and random
 *   descriptors (data IOVAs mapped, unmapped, in the rings) rung in;
 * - DMA map and unmap of random IOVAs, the rings' and data's included, with
 *   requests in flight;
 * - VFIO_DEVICE_RESET or the function reset register, at any moment;
 * - VFIO_DEVICE_SET_IRQS and GET_REGION_INFO/GET_IRQ_INFO with random
 *   arguments.
 * Every system call must return, and fail only with an errno VFIO or the
 * device's specification gives; the kernel must not report anything (the
 * harness reads its log).  At the end the instance is reset and must serve
 * a COPY as if nothing had happened.  A failure prints the seed and the
 * command that replays it.
 */
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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

static int verbose;
static const char *uuid;

static struct vc_vfio vf;
static struct vz_pci vpci;
static uint8_t *rings, *data;
static bool rings_mapped, data_mapped;
static unsigned long calls, refused;


/*
 * A call's result: success, or an errno the VFIO API or wd_pci.h's
 * specification (Documentation/pci-function.rst) allows for
 * a bad argument or state.
 */
static void check(const char *what, long ret, int err)
{
	calls++;
	if (ret >= 0)
		return;
	refused++;
	switch (err) {
	case EINVAL:
	case EFAULT:
	case ENOENT:
	case EEXIST:
	case EBUSY:
	case ENOSPC:
	case E2BIG:
	case EPERM:
	case EIO:
	case ENOTTY:
	case EBADF:
	case EOVERFLOW:
	case ENOMEM:
	case ENODEV:
		return;
	default:
		fuzz_fail("%s: %s", what, strerror(err));
	}
}

/* A random access of a region at any offset and size. */
static void op_region(const struct vc_region *r, const char *name)
{
	static const size_t sizes[] = { 1, 2, 3, 4, 8, 16, 64 };
	uint8_t buf[64];
	uint64_t off;
	size_t len = sizes[fuzz_below(7)];
	ssize_t n;

	off = fuzz_below(4) ? fuzz_below((uint32_t)r->size) & ~3u :
	      fuzz_below((uint32_t)r->size + 64);
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)fuzz_rnd();
	if (fuzz_below(2)) {
		n = pread(vf.device, buf, len, r->offset + off);
		check(name, n, errno);
	} else {
		n = pwrite(vf.device, buf, len, r->offset + off);
		check(name, n, errno);
	}
	if (verbose)
		printf("#   %s at %#llx, %zu bytes: %zd\n", name,
		       (unsigned long long)off, len, n);
}

/* A queue register written with a random or a plausible value. */
static void op_qreg(void)
{
	unsigned int q = fuzz_below(vpci.nr_queues + 1);
	static const uint32_t regs[] = {
		WD_PCI_Q_SQ_BASE_LO, WD_PCI_Q_SQ_BASE_HI,
		WD_PCI_Q_CQ_BASE_LO, WD_PCI_Q_CQ_BASE_HI,
		WD_PCI_Q_DEPTH, WD_PCI_Q_CTRL, WD_PCI_Q_SQ_TAIL,
		WD_PCI_Q_CQ_HEAD, WD_PCI_Q_ERROR,
	};
	uint32_t reg = regs[fuzz_below(9)], val;
	uint32_t off = WD_PCI_QUEUE_BASE + q * WD_PCI_QUEUE_STRIDE + reg;
	int ret;

	switch (fuzz_below(5)) {
	case 0:
		val = (uint32_t)fuzz_rnd();
		break;
	case 1:
		val = (uint32_t)IOVA_RINGS + fuzz_below(2) * PAGE / 2;
		break;
	case 2:
		val = 1u << fuzz_below(12);
		break;
	case 3:
		val = fuzz_below(4);
		break;
	default:
		val = (uint32_t)IOVA_DATA + fuzz_below(DATA_SIZE);
		break;
	}
	if (off >= WD_PCI_BAR0_SIZE)
		off = WD_PCI_QUEUE_BASE + reg;
	ret = vz_reg_write(&vpci, off, val);
	check("a queue register", ret, -ret);
}

/* Queue 0 made valid and enabled, and random descriptors rung in. */
static void op_requests(void)
{
	struct vz_queue q;
	struct vzip_cqe cqe[DEPTH];
	unsigned int n = 1 + fuzz_below(DEPTH - 1);
	size_t ring = DEPTH * sizeof(struct vzip_sqe);
	int ret;

	ret = vz_queue_init(&q, &vpci, 0, DEPTH, rings, IOVA_RINGS,
			    rings + ring, IOVA_RINGS + ring);
	if (!ret)
		ret = vz_queue_enable(&q, fuzz_below(2));
	check("queue set-up", ret, -ret);
	if (ret)
		return;
	for (unsigned int i = 0; i < n; i++) {
		struct vzip_sqe s = { 0 };
		uint64_t bases[] = { IOVA_DATA, IOVA_RINGS, 0, fuzz_rnd() };

		s.opcode = fuzz_below(5);
		s.format = fuzz_below(3);
		s.flush = fuzz_below(4);
		s.version = fuzz_below(10) ? VZIP_SQE_VERSION : (uint8_t)fuzz_rnd();
		s.window_bits = fuzz_below(2) ? 0 : 9 + fuzz_below(7);
		s.user_data = htole64(fuzz_rnd());
		s.src = htole64(bases[fuzz_below(4)] + fuzz_below(DATA_SIZE));
		s.dst = htole64(bases[fuzz_below(4)] + fuzz_below(DATA_SIZE));
		s.src_len = htole32(fuzz_below(DATA_SIZE / 2));
		s.dst_len = htole32(fuzz_below(DATA_SIZE / 2));
		if (s.opcode == VZIP_OP_NOP)
			s.src = s.dst = s.src_len = s.dst_len = 0;
		if (vz_queue_submit(&q, &s))
			break;
	}
	ret = vz_queue_doorbell(&q);
	check("doorbell", ret, -ret);
	/* take what completes soon; the rest is the next reset's business */
	for (int spin = 0; spin < 200; spin++) {
		ret = vz_queue_reap(&q, cqe, DEPTH);
		if (ret < 0)
			break;
		for (int i = 0; i < ret; i++)
			if (le16toh(cqe[i].status) > VZIP_STS_HW_ERROR)
				fuzz_fail("a completion with status %u",
				     le16toh(cqe[i].status));
		if (spin > 20 && !ret)
			break;
		usleep(100);
	}
}

static void op_dma(void)
{
	uint64_t iova;
	int ret;

	switch (fuzz_below(4)) {
	case 0:		/* the data, unmapped under requests in flight */
		if (data_mapped) {
			ret = vc_dma_unmap(&vf, IOVA_DATA, DATA_SIZE);
			check("unmap the data", ret, -ret);
			data_mapped = ret != 0;
		} else {
			ret = vc_dma_map(&vf, data, IOVA_DATA, DATA_SIZE);
			check("map the data", ret, -ret);
			data_mapped = !ret;
		}
		break;
	case 1:
		if (rings_mapped) {
			ret = vc_dma_unmap(&vf, IOVA_RINGS, PAGE);
			check("unmap the rings", ret, -ret);
			rings_mapped = ret != 0;
		} else {
			ret = vc_dma_map(&vf, rings, IOVA_RINGS, PAGE);
			check("map the rings", ret, -ret);
			rings_mapped = !ret;
		}
		break;
	case 2:		/* a part of the data: splits the mapping */
		iova = IOVA_DATA + fuzz_below(DATA_SIZE / PAGE) * PAGE;
		ret = vc_dma_unmap(&vf, iova, PAGE * (1 + fuzz_below(4)));
		check("unmap a part", ret, -ret);
		break;
	default:	/* anywhere, unaligned too */
		iova = fuzz_below(2) ? fuzz_rnd() : IOVA_DATA + fuzz_below(2 * DATA_SIZE);
		ret = fuzz_below(2) ? vc_dma_map(&vf, data, iova, PAGE) :
				 vc_dma_unmap(&vf, iova, PAGE);
		check("map/unmap anywhere", ret, -ret);
		if (!ret && iova != IOVA_DATA)
			vc_dma_unmap(&vf, iova, PAGE);
		break;
	}
}

static void op_reset(void)
{
	int ret;

	if (fuzz_below(2)) {
		ret = vc_reset(&vf);
		check("VFIO_DEVICE_RESET", ret, -ret);
	} else {
		ret = vz_reg_write(&vpci, WD_PCI_REG_DEV_CTRL,
				   WD_PCI_DEV_CTRL_RESET);
		check("DEV_CTRL reset", ret, -ret);
	}
}

static void op_irq(void)
{
	struct {
		struct vfio_irq_set set;
		int32_t fds[4];
	} a;
	int fds[4], ret;
	bool ours[4];
	unsigned int count = fuzz_below(5);

	/* eventfds, or any number (which may be one of our VFIO files) */
	for (unsigned int i = 0; i < 4; i++) {
		ours[i] = fuzz_below(4);
		fds[i] = ours[i] ? eventfd(0, EFD_CLOEXEC) :
			 (int)(fuzz_rnd() & 0xffff);
	}
	memset(&a, 0, sizeof(a));
	a.set.argsz = sizeof(a.set) + count * sizeof(int32_t);
	if (!fuzz_below(8))
		a.set.argsz = (uint32_t)fuzz_rnd();
	a.set.flags = fuzz_below(4) ? VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER :
		      (uint32_t)fuzz_rnd() & 0x3f;
	a.set.index = fuzz_below(6);
	a.set.start = fuzz_below(3);
	a.set.count = count;
	memcpy(a.fds, fds, sizeof(fds));
	ret = ioctl(vf.device, VFIO_DEVICE_SET_IRQS, &a);
	check("VFIO_DEVICE_SET_IRQS", ret, errno);
	for (unsigned int i = 0; i < 4; i++)
		if (ours[i] && fds[i] >= 0)
			close(fds[i]);
	if (fuzz_below(4)) {
		struct vfio_region_info ri = { .argsz = sizeof(ri) };
		struct vfio_irq_info ii = { .argsz = sizeof(ii) };

		ri.index = fuzz_below(12);
		if (!fuzz_below(4))
			ri.argsz = fuzz_below(64);
		ret = ioctl(vf.device, VFIO_DEVICE_GET_REGION_INFO, &ri);
		check("VFIO_DEVICE_GET_REGION_INFO", ret, errno);
		ii.index = fuzz_below(8);
		ret = ioctl(vf.device, VFIO_DEVICE_GET_IRQ_INFO, &ii);
		check("VFIO_DEVICE_GET_IRQ_INFO", ret, errno);
	}
}

/* The instance after a reset, as a VMM that starts over finds it. */
static void final_copy(void)
{
	size_t ring = DEPTH * sizeof(struct vzip_sqe);
	struct vzip_sqe s;
	struct vzip_cqe c;
	struct vz_queue q;
	time_t t0;
	int ret, got = 0;

	vc_irq_disable(&vf, VFIO_PCI_INTX_IRQ_INDEX);
	vc_irq_disable(&vf, VFIO_PCI_MSI_IRQ_INDEX);
	if (vc_reset(&vf))
		fuzz_fail("the last VFIO_DEVICE_RESET failed");
	vc_dma_unmap(&vf, IOVA_RINGS, PAGE);
	vc_dma_unmap(&vf, IOVA_DATA, DATA_SIZE);
	if (vc_dma_map(&vf, rings, IOVA_RINGS, PAGE) ||
	    vc_dma_map(&vf, data, IOVA_DATA, DATA_SIZE))
		fuzz_fail("mapping guest RAM again after the reset");
	rings_mapped = data_mapped = true;
	ret = vz_pci_probe(&vpci, &vf, 0);
	if (!ret)
		ret = vz_queue_init(&q, &vpci, 0, DEPTH, rings, IOVA_RINGS,
				    rings + ring, IOVA_RINGS + ring);
	if (!ret)
		ret = vz_queue_enable(&q, 0);
	if (ret)
		fuzz_fail("queue 0 after the reset: %s", strerror(-ret));
	memset(data, 0xa5, PAGE);
	memset(data + PAGE, 0, PAGE);
	memset(&s, 0, sizeof(s));
	s.opcode = VZIP_OP_COPY;
	s.version = VZIP_SQE_VERSION;
	s.user_data = htole64(42);
	s.src = htole64(IOVA_DATA);
	s.dst = htole64(IOVA_DATA + PAGE);
	s.src_len = s.dst_len = htole32(PAGE);
	if (vz_queue_submit(&q, &s) || vz_queue_doorbell(&q))
		fuzz_fail("submitting a COPY after the reset");
	t0 = time(NULL);
	while (!got && time(NULL) - t0 < 60) {
		got = vz_queue_reap(&q, &c, 1);
		if (got < 0)
			fuzz_fail("reaping after the reset: %s", strerror(-got));
		usleep(100);
	}
	if (!tap_ok(got == 1 && le16toh(c.status) == VZIP_STS_OK &&
		    le64toh(c.user_data) == 42 && data[PAGE] == 0xa5 &&
		    data[2 * PAGE - 1] == 0xa5,
		    "after a reset the instance copies a page correctly")) {
		uint32_t err = 0, sts = 0;
		uint64_t iova = 0;

		vz_qreg_read(&q, WD_PCI_Q_STATUS, &sts);
		vz_queue_error(&q, &err, &iova);
		tap_diag("completions %d, status %u, user_data %llu, produced "
			 "%u, data %#x %#x; queue status %#x, error %#x at "
			 "%#llx", got, le16toh(c.status),
			 (unsigned long long)le64toh(c.user_data),
			 le32toh(c.produced), data[PAGE], data[2 * PAGE - 1],
			 sts, err, (unsigned long long)iova);
	}
	vz_queue_disable(&q);
}

int main(int argc, char **argv)
{
	struct fuzz_opts o = { .ops = 2000, .seconds = 60 };
	unsigned long n;
	char cmd[128];
	time_t t0;
	int ret;

	if (!fuzz_parse(argc, argv, &o, "vfio"))
		return 2;
	uuid = o.extra;
	verbose = o.verbose;
	signal(SIGPIPE, SIG_IGN);
	snprintf(cmd, sizeof(cmd), "vfio_fuzz_test --vfio %s", uuid);
	fuzz_init(o.seed, cmd, "VFIO fuzzing");
	tap_plan(2);
	tap_diag("seed %llu, up to %lu operations or %lu s, instance %s",
		 (unsigned long long)o.seed, o.ops, o.seconds, uuid);
	vf.container = vf.group = vf.device = -1;
	ret = vc_vfio_open(&vf, uuid, 0);
	if (!ret)
		ret = vz_pci_probe(&vpci, &vf, 0);
	if (ret)
		fuzz_fail("opening %s through VFIO: %s", uuid, strerror(-ret));
	rings = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	data = mmap(NULL, DATA_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rings == MAP_FAILED || data == MAP_FAILED)
		fuzz_fail("mmap: %s", strerror(errno));
	rings_mapped = !vc_dma_map(&vf, rings, IOVA_RINGS, PAGE);
	data_mapped = !vc_dma_map(&vf, data, IOVA_DATA, DATA_SIZE);
	if (!rings_mapped || !data_mapped)
		fuzz_fail("mapping guest RAM");
	/* vfio-client explains every refused call on stderr: thousands */
	if (!verbose && !freopen("/dev/null", "w", stderr))
		fuzz_fail("freopen: %s", strerror(errno));

	t0 = time(NULL);
	for (n = 0; n < o.ops; n++) {
		unsigned int kind;

		if ((unsigned long)(time(NULL) - t0) >= o.seconds)
			break;
		fuzz_begin(n);
		kind = fuzz_below(100);
		if (verbose)
			printf("# op %lu: kind %u\n", n, kind);
		if (kind < 20)
			op_region(&vf.config, "config space");
		else if (kind < 40)
			op_region(&vf.bar0, "BAR0");
		else if (kind < 55)
			op_qreg();
		else if (kind < 80)
			op_requests();
		else if (kind < 88)
			op_dma();
		else if (kind < 94)
			op_reset();
		else
			op_irq();
	}
	tap_ok(1, "VFIO fuzzing: %lu operations, %lu calls (%lu refused), "
	       "every one returned with a defined errno", n, calls,
	       refused);
	fuzz_begin(n);
	fuzz_op_name = "final reset and copy";
	final_copy();
	vc_vfio_close(&vf);
	return tap_done();
}
