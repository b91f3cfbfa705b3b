// SPDX-License-Identifier: GPL-2.0
/*
 * A fuzzer of the uacce user API (TAP), on the queues of a vzip device:
 * random operations, deterministic from a seed, bounded in operations and
 * time.
 *
 *   uacce_fuzz_test [--seed S] [--ops N] [--seconds T] [-v]
 *
 * A model follows up to NSLOTS queues of this process: the file and how it
 * was opened, whether the queue is started, where each region is mapped,
 * with which size, protection and fork advice, and the requests in flight
 * on its rings.  From it every call's result is predicted, from
 * Documentation/uacce.rst and Documentation/vzip.rst where they decide
 * it and from the system call's own manual page where the generic code
 * decides first.  The operations, drawn at random:
 *
 * - open (O_RDWR, O_RDONLY, O_WRONLY) and close, and storms of them up to
 *   and past the last free queue (EBUSY exactly then), from two threads;
 * - every uacce ioctl with valid and invalid arguments: START_Q, PUT_Q and
 *   WAKE_Q in every state, QUEUE_INFO and GET_SS with bad pointers,
 *   unknown numbers and the known numbers with other sizes or directions;
 * - mmap of every region type and past them, of sizes below, at and past
 *   the region's, unaligned offsets, every protection, MAP_PRIVATE,
 *   MAP_SHARED_VALIDATE, MAP_FIXED, MAP_POPULATE, MAP_LOCKED, MAP_HUGETLB,
 *   MAP_GROWSDOWN, MAP_SYNC;
 * - munmap, mprotect and madvise (DONTFORK, DOFORK, WIPEONFORK, KEEPONFORK,
 *   DONTNEED, DODUMP, DONTDUMP) of whole regions and parts of them;
 * - mremap: grow, shrink, move, move a part, DONTUNMAP (mainline uacce
 *   freed a region still mapped after mremap() split it);
 * - requests left in flight across all of the above;
 * - fork with the queues mapped: the child finds no mapping, faults on
 *   touching one, and cannot map an SVA queue bound to its parent;
 * - threads racing close() against mmap() and ioctl() on the same file,
 *   and two mmap() of one region against each other.
 *
 * After every operation the device's available_instances is what the
 * model says (a queue lives while its file is open or a region mapped);
 * at random moments, and at the end for every queue, a queue that should
 * work serves a NOP and a COPY.  At the end available_instances is back
 * at its start and no page is left pinned.
 *
 * The operations drawn depend only on the seed: each draws from its own
 * stream, derived from the seed and its number.  What they act on can
 * differ between two runs only after a race, whose outcome decides what
 * is mapped.  A failure prints the seed and the command that replays it.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

#include "tap.h"
#include "fuzz.h"
#include "vzip_testlib.h"

#define NSLOTS		6
#define NREG		UACCE_QFRT_NR
#define BUF_LEN		(32 * 1024)	/* a COPY: source, then destination */
#define RACE_MMAPS	8

struct map {
	uint8_t *addr;		/* NULL: not mapped */
	size_t len;
	int prot;
	bool wipe;		/* VM_WIPEONFORK still set */
};

/* A queue of the model: alive while its file is open or a region mapped. */
struct slot {
	int fd;			/* -1: closed */
	int mode;		/* O_RDWR, O_RDONLY or O_WRONLY */
	bool started;
	bool stopped_since;	/* PUT_Q with requests queued (SS: may move) */
	bool ss_unmapped;	/* SS unmapped with requests queued */
	struct map map[NREG];
	struct vzip_q q;	/* the ring indices of the raw protocol */
	uint8_t *buf;		/* SVA: COPY source and destination */
};

static struct {
	char name[NAME_MAX + 1];
	long avail0;
	size_t size[NREG];
	bool sva;
	bool noexec;
	long page;
	uint32_t depth, sq_off, cq_off;
} dev;

static struct slot slots[NSLOTS];
static unsigned long checks, requests;

static const char *const region_names[NREG] = { "MMIO", "DUS", "SS" };

static const char *err_name(int err)
{
	return err ? strerror(err) : "success";
}

/* @got (0 or an errno) must be @want. */
static void expect(int got, int want, const char *what)
{
	fuzz_trace("%s: %s", what, err_name(got));
	if (got != want)
		fuzz_fail("%s: %s, expected %s", what, err_name(got), err_name(want));
}

static long instances(void)
{
	char path[PATH_MAX], buf[32];

	snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/available_instances",
		 dev.name);
	if (vzip_read_file(path, buf, sizeof(buf)))
		fuzz_fail("reading %s: %s", path, strerror(errno));
	return atol(buf);
}

static bool mapped_any(const struct slot *s)
{
	for (int t = 0; t < NREG; t++)
		if (s->map[t].addr)
			return true;
	return false;
}

static bool alive(const struct slot *s)
{
	return s->fd >= 0 || mapped_any(s);
}

static int nr_alive(void)
{
	int n = 0;

	for (int i = 0; i < NSLOTS; i++)
		n += alive(&slots[i]);
	return n;
}

/* available_instances is exactly the start minus the queues alive. */
static void check_instances(void)
{
	long now = instances(), want = dev.avail0 - nr_alive();

	if (now != want)
		fuzz_fail("available_instances %ld, expected %ld (%d queues alive)",
		     now, want, nr_alive());
}

/* The queue of @s is gone: forget it. */
static void slot_forget(struct slot *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->q.fd = -1;
}

static void slot_maybe_released(struct slot *s)
{
	if (!alive(s))
		slot_forget(s);
}

/* Is [addr, addr + len) mapped at all?  (mincore: ENOMEM if not) */
static bool is_mapped(const void *addr, size_t len)
{
	unsigned char vec[512];

	size_t most = (size_t)dev.page * sizeof(vec);

	return !mincore((void *)addr, len < most ? len : most, vec);
}

/* The region must still be mapped where the model says. */
static void check_still_mapped(struct slot *s, int t, const char *after)
{
	struct map *m = &s->map[t];

	if (!is_mapped(m->addr, m->len))
		fuzz_fail("the %s region is no longer mapped at %p after %s",
		     region_names[t], (void *)m->addr, after);
	if (t == UACCE_QFRT_MMIO && (m->prot & PROT_READ) &&
	    le32toh(*(volatile uint32_t *)m->addr) != VZIP_MAGIC)
		fuzz_fail("the MMIO region no longer reads MAGIC after %s", after);
}

/* ---- picking ---- */

static struct slot *pick_slot(bool (*want)(const struct slot *))
{
	int start = fuzz_below(NSLOTS);

	for (int i = 0; i < NSLOTS; i++) {
		struct slot *s = &slots[(start + i) % NSLOTS];

		if (want(s))
			return s;
	}
	return NULL;
}

static bool is_open(const struct slot *s)
{
	return s->fd >= 0;
}

static bool is_free(const struct slot *s)
{
	return !alive(s);
}

static bool has_map(const struct slot *s)
{
	return mapped_any(s);
}

static int pick_mapped_region(const struct slot *s)
{
	int start = fuzz_below(NREG);

	for (int i = 0; i < NREG; i++)
		if (s->map[(start + i) % NREG].addr)
			return (start + i) % NREG;
	return -1;
}

static const int prots[] = {
	PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE, PROT_NONE,
	PROT_EXEC, PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC,
};

static int pick_prot(void)
{
	return prots[fuzz_below(sizeof(prots) / sizeof(prots[0]))];
}

/* A part of a region: whole, or pages inside it; @partial says which. */
static void pick_range(const struct map *m, uint8_t **addr, size_t *len,
		       bool *partial)
{
	size_t pages = m->len / dev.page, first, n;

	*addr = m->addr;
	*len = m->len;
	*partial = false;
	if (pages < 2 || fuzz_chance(50))
		return;
	first = fuzz_below(pages);
	n = 1 + fuzz_below(pages - first);
	if (n == pages)
		return;
	*addr = m->addr + first * dev.page;
	*len = n * dev.page;
	*partial = true;
}

/* ---- open, close ---- */

static int open_queue(int mode)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", dev.name);
	fd = open(path, mode | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void check_info(int fd, const char *what)
{
	struct uacce_queue_info info;

	memset(&info, 0xa5, sizeof(info));
	if (ioctl(fd, UACCE_CMD_QUEUE_INFO, &info))
		fuzz_fail("%s: QUEUE_INFO: %s", what, strerror(errno));
	if (info.region_size[UACCE_QFRT_MMIO] != dev.size[UACCE_QFRT_MMIO] ||
	    info.region_size[UACCE_QFRT_DUS] != dev.size[UACCE_QFRT_DUS] ||
	    info.region_size[UACCE_QFRT_SS] != dev.size[UACCE_QFRT_SS] ||
	    info.ring_depth != dev.depth || info.status_offset != VZIP_CTRL_STATUS ||
	    info.reserved[0] || info.reserved[6])
		fuzz_fail("%s: QUEUE_INFO differs from the first queue's", what);
}

static void op_open(void)
{
	static const int modes[] = { O_RDWR, O_RDWR, O_RDWR, O_RDWR, O_RDWR,
				     O_RDWR, O_RDONLY, O_WRONLY };
	struct slot *s = pick_slot(is_free);
	int mode = modes[fuzz_below(8)], fd, want;

	if (!s)
		return;
	want = nr_alive() < dev.avail0 ? 0 : EBUSY;
	fd = open_queue(mode);
	expect(fd < 0 ? -fd : 0, want, "open");
	if (fd < 0)
		return;
	s->fd = fd;
	s->mode = mode;
	s->q.fd = fd;
	s->q.depth = dev.depth;
	s->q.sva = dev.sva;
	if (dev.sva) {
		s->buf = malloc(2 * BUF_LEN);
		if (!s->buf)
			fuzz_fail("out of memory");
	}
	check_info(fd, "open");
}

static void op_close(void)
{
	struct slot *s = pick_slot(is_open);

	if (!s)
		return;
	expect(close(s->fd) ? errno : 0, 0, "close");
	s->fd = -1;
	s->q.fd = -1;
	slot_maybe_released(s);
}

/* Opens up to past the last free queue, then closes them in any order. */
static void storm(int n, int *opened, int *busy)
{
	int fds[80], got = 0;

	for (int i = 0; i < n && i < 80; i++) {
		int fd = open_queue(O_RDWR);

		if (fd >= 0) {
			fds[got++] = fd;
			if (fuzz_chance(30) && ioctl(fd, UACCE_CMD_START_Q))
				fuzz_fail("START_Q on a new queue: %s",
				     strerror(errno));
		} else if (fd == -EBUSY) {
			(*busy)++;
		} else {
			fuzz_fail("open in a storm: %s", strerror(-fd));
		}
	}
	*opened += got;
	while (got) {
		int i = fuzz_below(got);

		if (close(fds[i]))
			fuzz_fail("close in a storm: %s", strerror(errno));
		fds[i] = fds[--got];
	}
}

struct storm_arg {
	pthread_barrier_t *go;
	int rounds, opened, busy;
};

static void *storm_thread(void *p)
{
	struct storm_arg *a = p;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/dev/%s", dev.name);
	pthread_barrier_wait(a->go);
	for (int i = 0; i < a->rounds; i++) {
		int fd = open(path, O_RDWR | O_CLOEXEC);

		if (fd >= 0) {
			a->opened++;
			ioctl(fd, UACCE_CMD_START_Q);
			close(fd);
		} else if (errno == EBUSY) {
			a->busy++;
		} else {
			a->busy = -errno;
			break;
		}
	}
	return NULL;
}

static void op_storm(void)
{
	int free_q = dev.avail0 - nr_alive(), opened = 0, busy = 0;

	if (fuzz_chance(60)) {
		int n = 1 + fuzz_below(free_q + 3);

		storm(n, &opened, &busy);
		fuzz_trace("storm of %d opens: %d opened, %d EBUSY", n, opened, busy);
		if (opened != (n < free_q ? n : free_q) ||
		    busy != n - opened)
			fuzz_fail("a storm of %d opens with %d queues free: %d opened, "
			     "%d EBUSY", n, free_q, opened, busy);
	} else {
		pthread_barrier_t go;
		struct storm_arg a[2];
		pthread_t th[2];

		pthread_barrier_init(&go, NULL, 3);
		for (int i = 0; i < 2; i++) {
			a[i] = (struct storm_arg){ &go, 5 + fuzz_below(20), 0, 0 };
			if (pthread_create(&th[i], NULL, storm_thread, &a[i]))
				fuzz_fail("pthread_create");
		}
		pthread_barrier_wait(&go);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&go);
		fuzz_trace("two threads: %d and %d opened, %d and %d EBUSY",
		      a[0].opened, a[1].opened, a[0].busy, a[1].busy);
		for (int i = 0; i < 2; i++)
			if (a[i].busy < 0 || (free_q >= 2 && a[i].busy))
				fuzz_fail("two threads opening and closing with %d "
				     "queues free: %s", free_q,
				     a[i].busy < 0 ? strerror(-a[i].busy) :
				     "EBUSY");
	}
}

/* ---- ioctl ---- */

/* Memory an ioctl cannot write: addresses that must give EFAULT. */
static uint8_t *ro_page, *hole_page;

static void *bad_pointer(const struct slot *s, size_t size)
{
	switch (fuzz_below(7)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)(1 + fuzz_below(4095));
	case 2:
		return (void *)(uintptr_t)(0xffff888000000000ull + fuzz_below(1 << 20));
	case 3:
		return ro_page;
	case 4:
		return hole_page + fuzz_below(dev.page - size);
	case 5:		/* straddles into the unmapped page */
		return hole_page - size / 2;
	default:	/* the register page, when mapped read-only */
		if (s->map[UACCE_QFRT_MMIO].addr &&
		    !(s->map[UACCE_QFRT_MMIO].prot & PROT_WRITE))
			return s->map[UACCE_QFRT_MMIO].addr;
		return ro_page + fuzz_below(64);
	}
}

/* A command uacce does not know: EINVAL, as in mainline. */
static unsigned long unknown_cmd(void)
{
	static const unsigned int types[] = { 'W', 'W', 'W', 'Q', 'Z', 0xa7 };
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	unsigned long cmd;

	do {
		switch (fuzz_below(4)) {
		case 0:	/* a known number with another size */
			cmd = _IOC(_IOC_READ, 'W', 0x40 + fuzz_below(2),
				   fuzz_below(2) ? 4 + fuzz_below(60) : fuzz_below(1 << 14));
			break;
		case 1:	/* a known number with another direction */
			cmd = _IOC(dirs[fuzz_below(4)], 'W', fuzz_below(2) ? fuzz_below(2) :
				   0x40 + fuzz_below(3), fuzz_below(2) ? 0 :
				   sizeof(struct uacce_queue_info));
			break;
		case 2: {	/* the vendor trees' numbers, and the rest */
			static const int vendor[] = { 2, 3, 100, 101 };
			int nr = fuzz_below(4) ? vendor[fuzz_below(4)] : (int)fuzz_below(256);

			cmd = _IO('W', nr);
			break;
		}
		default:
			cmd = _IOC(dirs[fuzz_below(4)], types[fuzz_below(6)], fuzz_below(256),
				   fuzz_below(1 << 14));
		}
	} while (cmd == UACCE_CMD_START_Q || cmd == UACCE_CMD_PUT_Q ||
		 cmd == UACCE_CMD_WAKE_Q || cmd == UACCE_CMD_QUEUE_INFO ||
		 cmd == UACCE_CMD_GET_SS);
	return cmd;
}

static void op_ioctl(void)
{
	struct slot *s = pick_slot(is_open);
	struct uacce_ss_info ss;
	struct uacce_queue_info info;
	unsigned long garbage = fuzz_rnd();
	char what[96];
	int want;

	if (!s)
		return;
	switch (fuzz_below(7)) {
	case 0:
		want = s->started ? EINVAL : 0;
		expect(ioctl(s->fd, UACCE_CMD_START_Q, garbage) ? errno : 0,
		       want, "START_Q");
		s->started = true;
		break;
	case 1:
		expect(ioctl(s->fd, UACCE_CMD_PUT_Q, garbage) ? errno : 0, 0,
		       "PUT_Q");
		if (s->started && vzip_inflight(&s->q))
			s->stopped_since = true;
		s->started = false;
		break;
	case 2:
		expect(ioctl(s->fd, UACCE_CMD_WAKE_Q, garbage) ? errno : 0,
		       s->started ? 0 : EINVAL, "WAKE_Q");
		break;
	case 3:
		if (fuzz_chance(50)) {
			check_info(s->fd, "QUEUE_INFO");
			break;
		}
		snprintf(what, sizeof(what), "QUEUE_INFO to a bad pointer");
		expect(ioctl(s->fd, UACCE_CMD_QUEUE_INFO,
			     bad_pointer(s, sizeof(info))) ? errno : 0,
		       EFAULT, what);
		break;
	case 4: {
		bool bad = fuzz_chance(40);

		/* ENODEV and EINVAL are decided before the copy */
		want = dev.sva ? ENODEV :
		       !s->map[UACCE_QFRT_SS].addr ? EINVAL :
		       bad ? EFAULT : 0;
		memset(&ss, 0, sizeof(ss));
		expect(ioctl(s->fd, UACCE_CMD_GET_SS,
			     bad ? bad_pointer(s, sizeof(ss)) : (void *)&ss) ?
		       errno : 0, want, bad ? "GET_SS to a bad pointer" :
		       "GET_SS");
		if (!want && !bad && (ss.size != dev.size[UACCE_QFRT_SS] ||
				      !ss.dma_addr || ss.reserved[0] ||
				      ss.reserved[1]))
			fuzz_fail("GET_SS: size %llu, dma %#llx",
			     (unsigned long long)ss.size,
			     (unsigned long long)ss.dma_addr);
		break;
	}
	default: {
		unsigned long cmd = unknown_cmd();
		void *arg = fuzz_chance(50) ? (void *)&info :
			    bad_pointer(s, sizeof(info));

		snprintf(what, sizeof(what), "unknown ioctl %#lx", cmd);
		expect(ioctl(s->fd, cmd, arg) ? errno : 0, EINVAL, what);
	}
	}
}

/* ---- mmap ---- */

struct mmap_req {
	int type;		/* region, or past them */
	bool unaligned;		/* an offset that is not a page multiple */
	size_t len;
	int prot, flags;
	uint8_t *fixed;		/* MAP_FIXED over this reservation */
};

/* Rounds a length up to pages, as mmap() does. */
static size_t page_len(size_t len)
{
	return (len + dev.page - 1) / dev.page * dev.page;
}

/* The result mmap(2) and Documentation/uacce.rst give, in their order. */
static int predict_mmap(const struct slot *s, const struct mmap_req *r)
{
	int type = r->flags & MAP_TYPE;
	size_t region = r->type < NREG ? dev.size[r->type] : 0;

	if (r->unaligned || !r->len || (r->flags & MAP_HUGETLB))
		return EINVAL;
	if (type == MAP_SHARED_VALIDATE && (r->flags & MAP_SYNC))
		return EOPNOTSUPP;
	if (type != MAP_PRIVATE && (r->prot & PROT_WRITE) && s->mode == O_RDONLY)
		return EACCES;
	if (s->mode == O_WRONLY)
		return EACCES;
	if (dev.noexec && (r->prot & PROT_EXEC))
		return EPERM;
	if (r->flags & MAP_GROWSDOWN)
		return EINVAL;
	/* uacce */
	if (r->type >= NREG || type == MAP_PRIVATE || !region)
		return EINVAL;
	/* the kernel sees the length rounded up to pages */
	if (r->len > region ||
	    (r->type == UACCE_QFRT_SS && page_len(r->len) != region))
		return EINVAL;
	if (s->map[r->type].addr)
		return EEXIST;
	return 0;
}

static void pick_mmap(struct mmap_req *r)
{
	static const int extra[] = { 0, 0, 0, 0, MAP_POPULATE, MAP_LOCKED,
				     MAP_NORESERVE, MAP_HUGETLB, MAP_GROWSDOWN,
				     MAP_FIXED };
	size_t region;

	memset(r, 0, sizeof(*r));
	r->type = fuzz_chance(90) ? (int)fuzz_below(NREG) :
		  NREG + (int)fuzz_below(100);
	region = r->type < NREG && dev.size[r->type] ? dev.size[r->type] :
		 (size_t)dev.page;
	r->unaligned = fuzz_chance(3);
	switch (fuzz_below(8)) {
	case 0:
		r->len = region + dev.page * (1 + fuzz_below(4));
		break;
	case 1:
		r->len = 1 + fuzz_below(region);	/* rounded up to pages */
		break;
	case 2:
		r->len = fuzz_chance(20) ? 0 : region - dev.page;
		break;
	default:
		r->len = region;
	}
	r->prot = fuzz_chance(60) ? (r->type == UACCE_QFRT_MMIO ? PROT_READ :
				PROT_READ | PROT_WRITE) : pick_prot();
	r->flags = fuzz_chance(85) ? MAP_SHARED : fuzz_chance(50) ? MAP_PRIVATE :
		   MAP_SHARED_VALIDATE;
	if (fuzz_chance(30))
		r->flags |= extra[fuzz_below(sizeof(extra) / sizeof(extra[0]))];
	if ((r->flags & MAP_TYPE) == MAP_SHARED_VALIDATE && fuzz_chance(30))
		r->flags |= MAP_SYNC;
}

static void after_mmap(struct slot *s, int type, uint8_t *p, size_t len,
		       int prot)
{
	struct map *m = &s->map[type];

	m->addr = p;
	m->len = page_len(len);
	m->prot = prot;
	m->wipe = true;
	if (type == UACCE_QFRT_MMIO && (prot & PROT_READ) &&
	    le32toh(*(volatile uint32_t *)p) != VZIP_MAGIC)
		fuzz_fail("a new MMIO mapping does not read MAGIC");
	if (type == UACCE_QFRT_SS)
		s->q.ss = p;
}

static void op_mmap(void)
{
	struct slot *s = pick_slot(is_open);
	struct mmap_req r;
	char what[160];
	uint8_t *p;
	int want, got;

	if (!s)
		return;
	pick_mmap(&r);
	if (r.flags & MAP_FIXED) {
		r.fixed = mmap(NULL, page_len(r.len) + dev.page, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (!r.len || r.fixed == MAP_FAILED)
			r.flags &= ~MAP_FIXED, r.fixed = NULL;
	}
	want = predict_mmap(s, &r);
	snprintf(what, sizeof(what),
		 "mmap type %d%s, %zu bytes, prot %#x, flags %#x, fd %s",
		 r.type, r.unaligned ? " +1" : "", r.len, r.prot, r.flags,
		 s->mode == O_RDWR ? "rw" : s->mode == O_RDONLY ? "ro" : "wo");
	p = mmap(r.fixed, r.len, r.prot, r.flags, s->fd,
		 (off_t)r.type * dev.page + r.unaligned);
	got = p == MAP_FAILED ? errno : 0;
	/* SS memory is allocated at mmap(): running out is allowed */
	if (got == ENOMEM && r.type == UACCE_QFRT_SS && !want) {
		fuzz_trace("%s: ENOMEM", what);
		want = ENOMEM;
	}
	if (!want && r.fixed && p != r.fixed)
		fuzz_fail("%s: mapped at %p, not at %p", what, (void *)p,
		     (void *)r.fixed);
	expect(got, want, what);
	if (r.fixed)	/* the rest of the reservation, or all if it failed */
		munmap(p == MAP_FAILED ? r.fixed : r.fixed + page_len(r.len),
		       p == MAP_FAILED ? page_len(r.len) + dev.page : (size_t)dev.page);
	if (!got)
		after_mmap(s, r.type, p, r.len, r.prot);
}

/* ---- munmap, mprotect, madvise, mremap ---- */

static void unmap_region(struct slot *s, int t)
{
	struct map *m = &s->map[t];

	if (munmap(m->addr, m->len))
		fuzz_fail("munmap of the whole %s region: %s", region_names[t],
		     strerror(errno));
	memset(m, 0, sizeof(*m));
	if (t == UACCE_QFRT_SS) {
		s->q.ss = NULL;
		s->ss_unmapped |= vzip_inflight(&s->q) != 0;
	}
	if (t == UACCE_QFRT_DUS)
		s->q.dus = NULL;
	slot_maybe_released(s);
}

static void op_munmap(void)
{
	struct slot *s = pick_slot(has_map);
	uint8_t *addr;
	size_t len;
	bool partial;
	int t;

	if (!s)
		return;
	t = pick_mapped_region(s);
	pick_range(&s->map[t], &addr, &len, &partial);
	if (!partial) {
		fuzz_trace("munmap of the whole %s region", region_names[t]);
		unmap_region(s, t);
		return;
	}
	expect(munmap(addr, len) ? errno : 0, EINVAL,
	       "munmap of a part of a region");
	check_still_mapped(s, t, "a partial munmap");
}

/* The VM_MAYWRITE of a mapping: a writable file (any region). */
static bool may_write(const struct slot *s)
{
	return s->mode == O_RDWR;
}

static void op_mprotect(void)
{
	struct slot *s = pick_slot(has_map);
	int prot = pick_prot(), want, t;
	struct map *m;
	uint8_t *addr;
	size_t len;
	bool partial;
	char what[96];

	if (!s)
		return;
	t = pick_mapped_region(s);
	m = &s->map[t];
	pick_range(m, &addr, &len, &partial);
	if ((prot & PROT_WRITE) && !may_write(s))
		want = EACCES;
	else if ((prot & PROT_EXEC) && dev.noexec)
		want = EACCES;
	else if (partial && prot != m->prot)
		want = EINVAL;	/* it would split the region */
	else
		want = 0;
	snprintf(what, sizeof(what), "mprotect %s %s of %#x to %#x",
		 partial ? "part" : "all", region_names[t], m->prot, prot);
	expect(mprotect(addr, len, prot) ? errno : 0, want, what);
	if (!want)
		m->prot = prot;
	check_still_mapped(s, t, what);
}

static void op_madvise(void)
{
	static const struct {
		int advice;
		const char *name;
	} advices[] = {
		{ MADV_DONTFORK, "DONTFORK" }, { MADV_DOFORK, "DOFORK" },
		{ MADV_WIPEONFORK, "WIPEONFORK" },
		{ MADV_KEEPONFORK, "KEEPONFORK" },
		{ MADV_DONTNEED, "DONTNEED" }, { MADV_DODUMP, "DODUMP" },
		{ MADV_DONTDUMP, "DONTDUMP" },
	};
	struct slot *s = pick_slot(has_map);
	unsigned int i = fuzz_below(sizeof(advices) / sizeof(advices[0]));
	int advice = advices[i].advice, want, t;
	struct map *m;
	uint8_t *addr;
	size_t len;
	bool partial;
	char what[96];

	if (!s)
		return;
	t = pick_mapped_region(s);
	m = &s->map[t];
	pick_range(m, &addr, &len, &partial);
	/*
	 * The regions are VM_IO | VM_PFNMAP | VM_DONTCOPY | VM_DONTDUMP:
	 * advice that would copy, dump or drop their pages is refused;
	 * advice that changes nothing succeeds; a change to part of a
	 * region would split it (EINVAL).
	 */
	switch (advice) {
	case MADV_KEEPONFORK:
		want = m->wipe && partial ? EINVAL : 0;
		break;
	case MADV_DONTFORK:
	case MADV_DONTDUMP:
		want = 0;
		break;
	default:
		want = EINVAL;
	}
	snprintf(what, sizeof(what), "madvise %s of %s %s", advices[i].name,
		 partial ? "part" : "all", region_names[t]);
	expect(madvise(addr, len, advice) ? errno : 0, want, what);
	if (advice == MADV_KEEPONFORK && !want)
		m->wipe = false;
	check_still_mapped(s, t, what);
}

static void op_mremap(void)
{
	struct slot *s = pick_slot(has_map);
	uint8_t *scratch = NULL, *old, *p;
	size_t old_len, new_len;
	int flags = 0, want, t, kind = fuzz_below(8);
	bool partial = false;
	struct map *m;
	char what[128];

	if (!s)
		return;
	t = pick_mapped_region(s);
	m = &s->map[t];
	old = m->addr;
	old_len = new_len = m->len;
	switch (kind) {
	case 0:		/* grow in place, or wherever */
		new_len += dev.page * (1 + fuzz_below(8));
		flags = fuzz_chance(50) ? MREMAP_MAYMOVE : 0;
		want = EFAULT;
		break;
	case 1:		/* shrink: unmaps the tail */
		if (m->len < 2 * (size_t)dev.page)
			return;
		new_len -= dev.page * (1 + fuzz_below(m->len / dev.page - 1));
		flags = fuzz_chance(50) ? MREMAP_MAYMOVE : 0;
		want = EINVAL;
		break;
	case 2:		/* duplicate a shared mapping: old_len 0 grows */
		old_len = 0;
		flags = MREMAP_MAYMOVE;
		want = EFAULT;
		break;
	case 3:		/* keep the old mapping too */
		flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP;
		want = EINVAL;
		break;
	case 4:		/* same size, in place: nothing to do */
		want = 0;
		break;
	case 5:		/* nonsense flags and lengths */
		flags = fuzz_chance(50) ? MREMAP_FIXED : 0x10;
		new_len = fuzz_chance(50) ? new_len : 0;
		want = EINVAL;
		break;
	default:	/* move, all of it or a part (a split) */
		flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		if (m->len >= 2 * (size_t)dev.page && fuzz_chance(50)) {
			size_t pages = m->len / dev.page, first = fuzz_below(pages);

			old = m->addr + first * dev.page;
			old_len = new_len = dev.page * (1 + fuzz_below(pages - first));
			partial = old_len != m->len;
		}
		want = partial ? EINVAL : EPERM;
		scratch = mmap(NULL, new_len, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (scratch == MAP_FAILED)
			fuzz_fail("mmap: %s", strerror(errno));
	}
	snprintf(what, sizeof(what),
		 "mremap of %s%s (%zu bytes) from %zu to %zu bytes, flags %#x",
		 partial ? "part of " : "", region_names[t], m->len, old_len,
		 new_len, flags);
	p = mremap(old, old_len, new_len, flags, scratch);
	if (!want && p != old)
		fuzz_fail("%s: moved to %p", what, (void *)p);
	expect(p == MAP_FAILED ? errno : 0, want, what);
	if (scratch)
		munmap(scratch, new_len);
	check_still_mapped(s, t, what);
}

/* ---- requests ---- */

/* Submits a NOP or a COPY and does not wait; the queue must be served. */
static bool can_submit(const struct slot *s)
{
	const struct map *d = &s->map[UACCE_QFRT_DUS];

	return s->fd >= 0 && s->started && d->addr &&
	       d->len == dev.size[UACCE_QFRT_DUS] &&
	       (d->prot & (PROT_READ | PROT_WRITE)) == (PROT_READ | PROT_WRITE);
}

static void rings_at(struct slot *s)
{
	s->q.dus = s->map[UACCE_QFRT_DUS].addr;
	s->q.dus_size = dev.size[UACCE_QFRT_DUS];
	s->q.sq = (void *)(s->q.dus + dev.sq_off);
	s->q.cq = (void *)(s->q.dus + dev.cq_off);
}

/* A COPY's source and destination, or false if the queue has none. */
static bool copy_buffers(struct slot *s, uint8_t **src, uint8_t **dst)
{
	struct uacce_ss_info ss;

	if (dev.sva) {
		*src = s->buf;
		*dst = s->buf + BUF_LEN;
		return true;
	}
	if (!s->map[UACCE_QFRT_SS].addr || s->fd < 0 ||
	    !(s->map[UACCE_QFRT_SS].prot & PROT_WRITE) ||
	    !(s->map[UACCE_QFRT_SS].prot & PROT_READ))
		return false;
	if (ioctl(s->fd, UACCE_CMD_GET_SS, &ss))
		fuzz_fail("GET_SS with SS mapped: %s", strerror(errno));
	s->q.ss = s->map[UACCE_QFRT_SS].addr;
	s->q.ss_dma = ss.dma_addr;
	*src = s->q.ss;
	*dst = s->q.ss + BUF_LEN;
	return true;
}

static void post(struct slot *s, bool copy)
{
	struct vzip_sqe sqe;
	uint8_t *src, *dst;

	rings_at(s);
	if (copy && copy_buffers(s, &src, &dst)) {
		vzip_fill(src, BUF_LEN, s->q.sq_tail);
		sqe = vzip_sqe(&s->q, VZIP_OP_COPY, 0, 0, src, BUF_LEN, dst,
			       BUF_LEN);
	} else {
		sqe = vzip_sqe(&s->q, VZIP_OP_NOP, 0, 0, NULL, 0, NULL, 0);
	}
	sqe.user_data = htole64(s->q.sq_tail);
	requests++;
	if (vzip_post(&s->q, &sqe))
		fuzz_fail("the doorbell of a started queue: %s", strerror(errno));
}

static void op_submit(void)
{
	struct slot *s = pick_slot(can_submit);

	if (!s || vzip_inflight(&s->q) + 2 >= s->q.depth)
		return;
	fuzz_trace("post a request on queue fd %d, %u in flight", s->fd,
	      vzip_inflight(&s->q));
	post(s, fuzz_chance(50));
}

/* Takes every completion of requests posted earlier: OK or aborted. */
static void drain(struct slot *s)
{
	while (vzip_inflight(&s->q)) {
		uint32_t want = s->q.cq_head;
		struct vzip_cqe c;
		unsigned int st;

		if (vzip_reap(&s->q, &c, VZIP_TIMEOUT_MS, true))
			fuzz_fail("a request posted earlier (%u) never completed",
			     want);
		st = le16toh(c.status);
		if (le64toh(c.user_data) != want)
			fuzz_fail("completion %u has user_data %llu", want,
			     (unsigned long long)le64toh(c.user_data));
		/*
		 * without SVA a stop may have freed the SS memory it named,
		 * and the device does not reach a region unmapped
		 */
		if (st != VZIP_STS_OK && st != VZIP_STS_ABORTED &&
		    !(st == VZIP_STS_ADDR_ERROR && !dev.sva &&
		      (s->stopped_since || s->ss_unmapped)))
			fuzz_fail("a request posted earlier completed with status %u",
			     st);
	}
	s->stopped_since = false;
	s->ss_unmapped = false;
}

static void map_for_check(struct slot *s, int t, int prot)
{
	struct map *m = &s->map[t];
	void *p;

	if (m->addr && m->len != dev.size[t])
		unmap_region(s, t);
	if (m->addr) {
		if ((m->prot & prot) != prot) {
			if (mprotect(m->addr, m->len, prot))
				fuzz_fail("mprotect of %s to %#x: %s",
				     region_names[t], prot, strerror(errno));
			m->prot = prot;
		}
		return;
	}
	p = mmap(NULL, dev.size[t], prot, MAP_SHARED, s->fd,
		 (off_t)t * dev.page);
	if (p == MAP_FAILED)
		fuzz_fail("mapping %s to use the queue: %s", region_names[t],
		     strerror(errno));
	after_mmap(s, t, p, dev.size[t], prot);
}

/*
 * A queue that should work works: its regions mapped, started, earlier
 * requests completed, a NOP and a COPY served, the status word OK.
 */
static void check_usable(struct slot *s)
{
	struct vzip_cqe c;
	uint8_t *src, *dst;
	struct uacce_queue_status *st;

	if (s->fd < 0 || s->mode != O_RDWR)
		return;
	checks++;
	fuzz_trace("check that queue fd %d works", s->fd);
	map_for_check(s, UACCE_QFRT_MMIO, PROT_READ);
	map_for_check(s, UACCE_QFRT_DUS, PROT_READ | PROT_WRITE);
	if (!dev.sva && fuzz_chance(50))
		map_for_check(s, UACCE_QFRT_SS, PROT_READ | PROT_WRITE);
	rings_at(s);
	if (!s->started) {
		if (ioctl(s->fd, UACCE_CMD_START_Q))
			fuzz_fail("START_Q of a stopped queue: %s", strerror(errno));
		s->started = true;
	}
	drain(s);
	st = (void *)(s->q.dus + VZIP_CTRL_STATUS);
	if (__atomic_load_n(&st->state, __ATOMIC_ACQUIRE) != UACCE_QSTATE_OK)
		fuzz_fail("a started queue's status word says %u/%u", st->state,
		     st->reason);
	for (int copy = 0; copy < 2; copy++) {
		post(s, copy);
		if (vzip_reap(&s->q, &c, VZIP_TIMEOUT_MS, true))
			fuzz_fail("a %s never completed", copy ? "COPY" : "NOP");
		if (le16toh(c.status) != VZIP_STS_OK ||
		    le64toh(c.user_data) != s->q.cq_head - 1)
			fuzz_fail("a %s completed with status %u, user_data %llu",
			     copy ? "COPY" : "NOP", le16toh(c.status),
			     (unsigned long long)le64toh(c.user_data));
		if (copy && copy_buffers(s, &src, &dst) &&
		    (le32toh(c.produced) != BUF_LEN ||
		     memcmp(src, dst, BUF_LEN)))
			fuzz_fail("a COPY produced %u bytes, %s",
			     le32toh(c.produced),
			     memcmp(src, dst, BUF_LEN) ? "different" : "equal");
	}
	/* sometimes leave it as it was found: stopped, regions unmapped */
	if (fuzz_chance(30)) {
		if (ioctl(s->fd, UACCE_CMD_PUT_Q))
			fuzz_fail("PUT_Q: %s", strerror(errno));
		s->started = false;
	}
	if (fuzz_chance(30))
		unmap_region(s, fuzz_below(NREG) == 0 ? UACCE_QFRT_MMIO :
			     UACCE_QFRT_DUS);
}

static void op_check(void)
{
	struct slot *s = pick_slot(is_open);

	if (s)
		check_usable(s);
}

static void op_poll(void)
{
	struct slot *s = pick_slot(is_open);
	struct pollfd pfd;
	int n;

	if (!s)
		return;
	pfd = (struct pollfd){ .fd = s->fd, .events = POLLIN | POLLOUT };
	n = poll(&pfd, 1, 0);
	fuzz_trace("poll: %d, revents %#x", n, n > 0 ? pfd.revents : 0);
	if (n < 0 || (n > 0 && (pfd.revents & ~(POLLIN | POLLRDNORM))))
		fuzz_fail("poll of a queue: %d, revents %#x", n, pfd.revents);
}

/* ---- fork ---- */

static sigjmp_buf *volatile fault_jmp;

static void on_fault(int sig)
{
	(void)sig;
	if (fault_jmp)
		siglongjmp(*fault_jmp, 1);
	_exit(99);
}

/* A read of @p, in the child: true if it faulted. */
static bool faults(const volatile uint8_t *p)
{
	sigjmp_buf jb;

	if (sigsetjmp(jb, 1)) {
		fault_jmp = NULL;
		return true;
	}
	fault_jmp = &jb;
	(void)*p;
	fault_jmp = NULL;
	return false;
}

/*
 * The child of a fork() has the files but none of the mappings; it cannot
 * map a queue bound (SVA) to its parent.  Exit codes say what failed.
 */
static int fork_child(void)
{
	struct sigaction sa = { .sa_handler = on_fault };

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	for (int i = 0; i < NSLOTS; i++) {
		struct slot *s = &slots[i];

		for (int t = 0; t < NREG; t++) {
			uint8_t *a = s->map[t].addr;
			void *p;

			if (a && is_mapped(a, dev.page))
				return 10 + t;
			if (a && !faults(a))
				return 20 + t;
			if (s->fd < 0 || s->mode != O_RDWR || !dev.size[t])
				continue;
			p = mmap(NULL, dev.size[t], PROT_READ, MAP_SHARED,
				 s->fd, (off_t)t * dev.page);
			if (dev.sva ? p != MAP_FAILED || errno != EPERM :
			    a ? p != MAP_FAILED || errno != EEXIST :
			    p == MAP_FAILED && errno != ENOMEM)
				return 30 + t;
			if (p != MAP_FAILED)
				munmap(p, dev.size[t]);
		}
		if (s->fd >= 0) {
			struct uacce_queue_info info;

			if (ioctl(s->fd, UACCE_CMD_QUEUE_INFO, &info))
				return 40;
		}
	}
	return 0;
}

static void op_fork(void)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fuzz_fail("fork: %s", strerror(errno));
	if (!pid)
		_exit(fork_child());
	if (waitpid(pid, &status, 0) != pid)
		fuzz_fail("waitpid: %s", strerror(errno));
	fuzz_trace("fork: the child exited with %#x", status);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fuzz_fail("fork: the child %s %d (10+: a region mapped, 20+: no "
		     "fault, 30+: mmap, 40: ioctl)",
		     WIFEXITED(status) ? "exited with" : "died of signal",
		     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	for (int i = 0; i < NSLOTS; i++)
		for (int t = 0; t < NREG; t++)
			if (slots[i].map[t].addr)
				check_still_mapped(&slots[i], t, "fork");
}

/* ---- races ---- */

struct racer {
	pthread_barrier_t *go;
	struct slot *s;
	int fd, type, spin;
	unsigned long cmds[RACE_MMAPS];
	void *got[RACE_MMAPS];	/* mappings made */
	int err[RACE_MMAPS];
};

static void spin(int n)
{
	for (volatile int i = 0; i < n; i++)
		;
}

static void *race_close(void *p)
{
	struct racer *r = p;

	pthread_barrier_wait(r->go);
	spin(r->spin);
	r->err[0] = close(r->fd) ? errno : 0;
	return NULL;
}

static void *race_mmap(void *p)
{
	struct racer *r = p;
	size_t len = dev.size[r->type];
	int prot = r->type == UACCE_QFRT_MMIO ? PROT_READ :
		   PROT_READ | PROT_WRITE;

	pthread_barrier_wait(r->go);
	spin(r->spin);
	for (int i = 0; i < RACE_MMAPS; i++) {
		void *m = mmap(NULL, len, prot, MAP_SHARED, r->fd,
			       (off_t)r->type * dev.page);

		r->got[i] = m == MAP_FAILED ? NULL : m;
		r->err[i] = m == MAP_FAILED ? errno : 0;
	}
	return NULL;
}

static void *race_ioctl(void *p)
{
	struct racer *r = p;
	struct uacce_queue_info info;

	pthread_barrier_wait(r->go);
	for (int i = 0; i < RACE_MMAPS; i++)
		r->err[i] = ioctl(r->fd, r->cmds[i], &info) ? errno : 0;
	return NULL;
}

static bool racer_ok(const struct racer *r, int i)
{
	switch (r->err[i]) {
	case 0:
	case EBADF:
		return true;
	case EINVAL:	/* START_Q on a started queue, WAKE_Q on a stopped one */
		return r->cmds[i] == UACCE_CMD_START_Q ||
		       r->cmds[i] == UACCE_CMD_WAKE_Q;
	case EEXIST:	/* mapped by the other racer or before */
		return !r->cmds[i];
	case ENOMEM:
		return !r->cmds[i] && r->type == UACCE_QFRT_SS;
	}
	return false;
}

/*
 * Threads race on one file: close() against mmap() and ioctl(), or two
 * mmap() of one region against each other and ioctl().  What the mmap()
 * calls mapped joins the model; a closed queue lives on in its mappings.
 */
static void op_race(void)
{
	static const unsigned long cmds[] = {
		UACCE_CMD_START_Q, UACCE_CMD_PUT_Q, UACCE_CMD_WAKE_Q,
		UACCE_CMD_QUEUE_INFO,
	};
	struct slot *s = pick_slot(is_open);
	bool closing = fuzz_chance(60);
	struct racer r[3];
	pthread_barrier_t go;
	pthread_t th[3];
	int type, n = 0, made = 0, nomem = 0;

	if (!s || s->mode != O_RDWR)
		return;
	type = fuzz_below(NREG);
	if (!dev.size[type] || s->map[type].addr)
		type = UACCE_QFRT_MMIO;
	if (s->map[type].addr)
		unmap_region(s, type);
	if (!alive(s))
		return;
	memset(r, 0, sizeof(r));
	pthread_barrier_init(&go, NULL, 3);
	for (int i = 0; i < 3; i++) {
		r[i] = (struct racer){ .go = &go, .s = s, .fd = s->fd,
				       .type = type, .spin = fuzz_below(20000) };
		for (int k = 0; k < RACE_MMAPS; k++)
			r[i].cmds[k] = i == 2 ? cmds[fuzz_below(4)] : 0;
	}
	fuzz_trace("race on fd %d: %s, mmap of %s, ioctl", s->fd,
	      closing ? "close" : "mmap", region_names[type]);
	if (pthread_create(&th[0], NULL, closing ? race_close : race_mmap, &r[0]) ||
	    pthread_create(&th[1], NULL, race_mmap, &r[1]) ||
	    pthread_create(&th[2], NULL, race_ioctl, &r[2]))
		fuzz_fail("pthread_create");
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);

	if (closing && r[0].err[0])
		fuzz_fail("close racing with mmap: %s", strerror(r[0].err[0]));
	for (int i = closing; i < 3; i++)
		for (int k = 0; k < RACE_MMAPS; k++) {
			if (!racer_ok(&r[i], k))
				fuzz_fail("%s racing: %s", i == 2 ? "ioctl" : "mmap",
				     strerror(r[i].err[k]));
			if (i == 2 || !r[i].got[k])
				continue;
			if (made++)
				fuzz_fail("two mappings of one %s region at once",
				     region_names[type]);
			after_mmap(s, type, r[i].got[k], dev.size[type],
				   type == UACCE_QFRT_MMIO ? PROT_READ :
				   PROT_READ | PROT_WRITE);
		}
	for (int k = 0; k < RACE_MMAPS; k++) {
		n += (r[1].err[k] == EBADF) + (!closing && r[0].err[k] == EBADF);
		nomem += r[1].err[k] == ENOMEM;
	}
	if (!closing && (n || (!made && !nomem)))
		fuzz_fail("two mmap() of a free region: %d mapped, %d EBADF", made, n);
	if (closing) {
		s->fd = -1;
		s->q.fd = -1;
		slot_maybe_released(s);
		return;
	}
	/* which of START_Q and PUT_Q came last: WAKE_Q tells */
	s->started = !ioctl(s->fd, UACCE_CMD_WAKE_Q);
	if (!s->started && errno != EINVAL)
		fuzz_fail("WAKE_Q after a race: %s", strerror(errno));
	if (vzip_inflight(&s->q))
		s->stopped_since = true;
}

/* ---- main ---- */

static void setup(void)
{
	struct uacce_queue_info info;
	struct statvfs sv;
	char path[PATH_MAX];
	int fd, ret;

	dev.page = sysconf(_SC_PAGESIZE);
	for (int i = 0; i < NSLOTS; i++)
		slot_forget(&slots[i]);
	ret = vzip_find_device(dev.name, sizeof(dev.name));
	if (ret)
		fuzz_fail("no vzip device: %s", strerror(-ret));
	dev.avail0 = instances();
	fd = open_queue(O_RDWR);
	if (fd < 0 || ioctl(fd, UACCE_CMD_QUEUE_INFO, &info))
		fuzz_fail("a first queue of %s: %s", dev.name,
		     strerror(fd < 0 ? -fd : errno));
	for (int t = 0; t < NREG; t++)
		dev.size[t] = info.region_size[t];
	dev.sva = info.flags & UACCE_DEV_SVA;
	dev.depth = info.ring_depth;
	{
		const volatile uint32_t *regs;

		regs = mmap(NULL, dev.page, PROT_READ, MAP_SHARED, fd, 0);
		if (regs == MAP_FAILED)
			fuzz_fail("mapping the registers: %s", strerror(errno));
		dev.sq_off = le32toh(regs[VZIP_REG_SQ_OFFSET / 4]);
		dev.cq_off = le32toh(regs[VZIP_REG_CQ_OFFSET / 4]);
		munmap((void *)regs, dev.page);
	}
	close(fd);
	if (!dev.sva && dev.size[UACCE_QFRT_SS] < 2 * BUF_LEN)
		fuzz_fail("an SS region of %zu bytes", dev.size[UACCE_QFRT_SS]);
	snprintf(path, sizeof(path), "/dev/%s", dev.name);
	dev.noexec = !statvfs(path, &sv) && (sv.f_flag & ST_NOEXEC);

	/*
	 * A read-only page, and an inaccessible one after it.  Not a hole:
	 * a later one-page mmap() (a register page, writable) could land
	 * there and make a "bad" pointer good.
	 */
	ro_page = mmap(NULL, 2 * dev.page, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro_page == MAP_FAILED)
		fuzz_fail("mmap: %s", strerror(errno));
	hole_page = ro_page + dev.page;
	if (mprotect(hole_page, dev.page, PROT_NONE))
		fuzz_fail("mprotect: %s", strerror(errno));
}

static void (*const ops[])(void) = {
	op_open, op_open, op_open, op_close, op_storm, op_ioctl, op_ioctl,
	op_ioctl, op_ioctl, op_mmap, op_mmap, op_mmap, op_mmap, op_mmap,
	op_munmap, op_munmap, op_mprotect, op_madvise, op_mremap, op_mremap,
	op_submit, op_submit, op_check, op_check, op_poll, op_fork, op_race,
	op_race,
};

static const char *const op_names[] = {
	"open", "open", "open", "close", "storm", "ioctl", "ioctl", "ioctl",
	"ioctl", "mmap", "mmap", "mmap", "mmap", "mmap", "munmap", "munmap",
	"mprotect", "madvise", "mremap", "mremap", "submit", "submit",
	"check", "check", "poll", "fork", "race", "race",
};

#define NR_OPS	(sizeof(ops) / sizeof(ops[0]))

int main(int argc, char **argv)
{
	struct fuzz_opts o = { .ops = 3000, .seconds = 60 };
	unsigned long by_kind[NR_OPS] = { 0 };
	long long pinned;
	struct timespec t0;
	unsigned long n;

	if (!fuzz_parse(argc, argv, &o, NULL))
		return 2;
	fuzz_verbose = o.verbose;
	fuzz_init(o.seed, "build/user/test/uacce_fuzz_test", "uacce UAPI fuzzing");
	fuzz_begin(~0ul);	/* the set-up's own stream */
	tap_plan(3);
	tap_diag("seed %llu, up to %lu operations or %lu s",
		 (unsigned long long)o.seed, o.ops, o.seconds);
	setup();
	tap_diag("%s: %s, %ld queues free, regions %zu/%zu/%zu bytes, /dev %s",
		 dev.name, dev.sva ? "SVA" : "SS region", dev.avail0,
		 dev.size[0], dev.size[1], dev.size[2],
		 dev.noexec ? "noexec" : "exec");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 0; n < o.ops; n++) {
		unsigned int k;

		if (vzip_ms_since(&t0) > (long)o.seconds * 1000)
			break;
		fuzz_begin(n);
		k = fuzz_below(NR_OPS);
		fuzz_op_name = op_names[k];
		if (fuzz_verbose)
			printf("# op %lu: %s\n", n, fuzz_op_name);
		ops[k]();
		by_kind[k]++;
		check_instances();
	}

	/* the end: every queue that should work works, then all go */
	fuzz_op_name = "final check";
	for (int i = 0; i < NSLOTS; i++)
		check_usable(&slots[i]);
	for (int i = 0; i < NSLOTS; i++) {
		struct slot *s = &slots[i];

		for (int t = 0; t < NREG; t++)
			if (s->map[t].addr)
				unmap_region(s, t);
		if (s->fd >= 0 && close(s->fd))
			fuzz_fail("close: %s", strerror(errno));
		slot_forget(s);
	}
	printf("# %lu operations in %ld ms (seed %llu): ", n,
	       vzip_ms_since(&t0), (unsigned long long)o.seed);
	for (unsigned int k = 0; k < NR_OPS; k++)
		if (!k || strcmp(op_names[k], op_names[k - 1])) {
			unsigned long sum = 0;

			for (unsigned int j = k; j < NR_OPS &&
			     !strcmp(op_names[j], op_names[k]); j++)
				sum += by_kind[j];
			printf("%s %lu ", op_names[k], sum);
		}
	printf("\n# %lu usability checks, %lu requests\n", checks, requests);
	tap_ok(1, "uacce UAPI fuzzing: %lu operations, every call succeeded "
	       "or failed as documented, every queue that should work worked "
	       "(seed %llu)", n, (unsigned long long)o.seed);
	tap_ok(instances() == dev.avail0,
	       "available_instances is back at %ld (%ld)", dev.avail0,
	       instances());
	pinned = vzip_stat(dev.name, "pinned_pages");
	tap_ok(pinned == 0, "no page left pinned by the device (%lld)", pinned);
	return tap_done();
}
