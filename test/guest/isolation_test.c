// SPDX-License-Identifier: GPL-2.0
/*
 * Isolation between two tenants of one vzip accelerator: tenant B cannot
 * make the device read or write tenant A's memory or the kernel's.
 *
 *   isolation_test sva     uacce queues with SVA        (vzip)
 *   isolation_test ss      uacce queues without SVA     (vzip sva=0)
 *   isolation_test mdev    two access points, then two vfio-pci
 *                          instances (vzip queues=20, wd_mdev)
 *
 * A (this process) keeps data, a canary destination, compressed data and
 * a live stream context in device-reachable memory, and hands their
 * device addresses to B, a process forked before A allocated any of it,
 * through a pipe.  B then aims COPY, COMPRESS and DECOMPRESS at them as
 * source and destination, and stream contexts at A's context:
 *
 * sva   A's addresses unmapped in B, the kernel's direct map and text,
 *       read-only pages (anonymous, a file mapped shared and private, the
 *       vDSO), kernel memory mapped into B (vvar, its own queue's register
 *       page and rings): ADDR_ERROR.  Then B maps memory of its own at A's
 *       addresses (MAP_FIXED_NOREPLACE) with other contents: the device
 *       uses B's memory (OK, checked), and a "context" there that the
 *       device did not write is INVALID and left as it was.
 * ss    A's device addresses, where A's buffers would be if the regions
 *       were contiguous (above and below B's), A's process addresses,
 *       kernel addresses, ranges past either end of B's region, wrapping
 *       past 2^64 or longer than it: ADDR_ERROR; a length past MAX_LEN:
 *       INVALID; the same offsets in B's own region reach B's data; a
 *       range of B's region after B unmapped it: ADDR_ERROR.
 * mdev  the sva attacks from a process of one access point at a process
 *       of another (the container boundary itself, namespaces and the
 *       device filter, is mdev_containers'); then two vq2 vfio-pci
 *       instances in two VFIO containers, one VMM each: B's descriptors
 *       and rings at IOVAs mapped only in A's container, never mapped, or
 *       mapped read-only in B's give ADDR_ERROR (rings: the queue halts
 *       with RING), with ERROR and ERR_IOVA saying which; B's own memory
 *       mapped at A's IOVAs is what the device uses.
 *
 * Every status is the one Documentation/vzip.rst gives, a failed request
 * reports nothing consumed or produced, and nothing of A's data shows up
 * in B's buffers.  Afterwards A finds its memory byte-for-byte unchanged
 * (and, vfio, its rings), its stream context still continues the stream,
 * and both tenants round-trip data through the device, checked with zlib.
 *
 * Not covered: migration streams of vfio-pci instances (there are none
 * yet).  Root, debugfs mounted; a missing precondition fails the test.
 * Prints TAP (the plan at the end); exits non-zero when a case failed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/auxv.h>
#include <sys/wait.h>
#include <zlib.h>

#include "tap.h"
#include "vzip_testlib.h"
#include "vzip_zref.h"
#include "vfio.h"
#include "vzpci.h"

#define PAGE		4096u
#define PIECE		4096u			/* bytes per attack request */
#define BOUND(n)	((n) + (n) / 1000 + 64)	/* the device's promise */
#define RT_LEN		(32 * 1024)		/* round trip */

/* A's buffers, at these offsets of its victim area */
#define V_SECRET	0
#define V_DST		(4 * PAGE)
#define V_CMP		(8 * PAGE)
#define V_CTX		(12 * PAGE)
#define SECRET_LEN	(4 * PAGE)

#define VICTIM_VA	0x3a5a00000000ull	/* far from both heaps and stacks */
#define KERNEL_DIRECT	0xffff888000000000ull
#define KERNEL_TEXT	0xffffffff81000000ull
#define SEED_A		0xa11ce
#define SEED_B		0xb0b

/* vfio: each VM's guest RAM */
#define DEPTH		16
#define IOVA_RINGS_A	0x10000000ull
#define IOVA_DATA_A	0x40000000ull
#define IOVA_RINGS_B	0x20000000ull
#define IOVA_DATA_B	0x60000000ull
#define IOVA_RO_B	0x70000000ull
#define IOVA_NEVER	0x7ff000000000ull
#define VDATA_SIZE	(64 * PAGE)

static const char *const op_names[] = {
	"NOP", "COPY", "COMPRESS", "DECOMPRESS",
};
static const uint8_t attack_ops[] = {
	VZIP_OP_COPY, VZIP_OP_COMPRESS, VZIP_OP_DECOMPRESS,
};

/*
 * What A tells B: device addresses of its buffers (process addresses
 * with SVA, DMA addresses of its SS region without, IOVAs of its
 * container for vfio).
 */
struct victim {
	uint64_t base, size;	/* the area holding them all */
	uint64_t secret, dst, cmp, ctx;
	uint64_t a_va;		/* SS: A's process address of secret */
	uint64_t sq, cq;	/* vfio: A's rings */
	uint32_t cmp_len, ctx_size;
};

static uint64_t seq;
static uint8_t secret_ref[SECRET_LEN];	/* what A keeps: B looks for it */

/* ---- results: A prints TAP, B sends its results to A ---- */

static FILE *report;

__attribute__((format(printf, 2, 3)))
static int check(int cond, const char *fmt, ...)
{
	char name[240];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (!report)
		return tap_ok(cond, "%s", name);
	fprintf(report, "%d %s\n", !!cond, name);
	fflush(report);
	return cond;
}

__attribute__((format(printf, 1, 2)))
static void diag(const char *fmt, ...)
{
	char text[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!report)
		tap_diag("%s", text);
	else
		fprintf(report, "# %s\n", text);
}

/* B's results as TAP cases of A, then B's exit status. */
static void collect(pid_t pid, int fd, const char *who)
{
	FILE *f = fdopen(fd, "r");
	char line[512];
	bool done = false;
	int n = 0, st = 0;

	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "done")) {
			done = true;
		} else if (line[0] == '#') {
			tap_diag("%s: %s", who, line + 2);
		} else if (strlen(line) > 2) {
			tap_ok(line[0] == '1', "%s: %s", who, line + 2);
			n++;
		}
	}
	if (f)
		fclose(f);
	else
		close(fd);
	if (waitpid(pid, &st, 0) != pid)
		st = -1;
	tap_ok(done && WIFEXITED(st) && !WEXITSTATUS(st),
	       "%s ran to its end (%d checks, status %#x)", who, n, st);
}

static const char *sts(unsigned int s)
{
	return s == 0xffff ? "no completion" : vz_status_name(s);
}

/* 0 or the first offset + 1 where @a and @b differ */
static size_t first_diff(const uint8_t *a, const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return i + 1;
	return 0;
}

/* Nothing of A's data shows up in @buf. */
static bool holds_no_secret(const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 64 <= SECRET_LEN; i += 1024)
		if (memmem(buf, len, secret_ref + i, 64))
			return false;
	return true;
}

/* No page of [addr, addr + len) is mapped in this process. */
static bool unmapped(uint64_t addr, uint64_t len)
{
	uint64_t a;

	for (a = addr & ~(uint64_t)(PAGE - 1); a < addr + len; a += PAGE)
		if (msync((void *)(uintptr_t)a, PAGE, MS_ASYNC) == 0 ||
		    errno != ENOMEM)
			return false;
	return true;
}

/* ---- descriptors ---- */

static struct vzip_sqe raw_sqe(uint8_t op, uint64_t src, uint32_t slen,
			       uint64_t dst, uint32_t dlen)
{
	struct vzip_sqe s = {
		.opcode = op,
		.version = VZIP_SQE_VERSION,
		.user_data = htole64(++seq),
		.src = htole64(src),
		.dst = htole64(dst),
		.src_len = htole32(slen),
		.dst_len = htole32(dlen),
	};

	if (op == VZIP_OP_COMPRESS || op == VZIP_OP_DECOMPRESS) {
		s.format = VZIP_FMT_ZLIB;
		s.flush = VZIP_FLUSH_FINISH;
	}
	if (op == VZIP_OP_COMPRESS)
		s.level = 1;
	return s;
}

static struct vzip_sqe stream(struct vzip_sqe s, uint64_t ctx, bool first,
			      uint8_t flush)
{
	s.flags = htole16(VZIP_SQE_F_STREAM |
			  (first ? VZIP_SQE_F_NEW_STREAM : 0));
	s.ctx = htole64(ctx);
	s.flush = flush;
	return s;
}

/*
 * A tenant's queue: a uacce queue (@uq) or a vfio-pci queue (@vq); its
 * memory the device reaches and the device address of a pointer into it.
 */
struct tq {
	struct vzip_q *uq;
	struct vz_queue *vq;
	uint8_t *mem;		/* vfio: guest RAM and its IOVA */
	uint64_t mem_iova;
};

static uint64_t taddr(const struct tq *t, const void *p)
{
	if (t->uq)
		return vzip_addr(t->uq, p);
	return t->mem_iova + ((const uint8_t *)p - t->mem);
}

/* Executes one request; its status, or 0xffff without a completion. */
static unsigned int run(const struct tq *t, struct vzip_sqe s,
			struct vzip_cqe *out)
{
	struct vzip_cqe c;
	time_t t0;
	int got = 0;

	memset(&c, 0, sizeof(c));
	c.status = htole16(0xffff);
	if (t->uq) {
		if (vzip_exec(t->uq, &s, &c))
			c.status = htole16(0xffff);
	} else if (!vz_queue_submit(t->vq, &s) && !vz_queue_doorbell(t->vq)) {
		t0 = time(NULL);
		while (!got && time(NULL) - t0 < 60) {
			got = vz_queue_reap(t->vq, &c, 1);
			if (got < 0)
				break;
			if (!got)
				usleep(200);
		}
		if (got != 1)
			c.status = htole16(0xffff);
	}
	if (le64toh(c.user_data) != le64toh(s.user_data))
		c.status = htole16(0xffff);
	if (out)
		*out = c;
	return le16toh(c.status);
}

/*
 * A request that must fail with @want: nothing consumed or produced;
 * on a vfio queue an ADDR_ERROR also records ADDR and @iova, cleared here.
 */
__attribute__((format(printf, 5, 6)))
static bool expect(const struct tq *t, struct vzip_sqe s, unsigned int want,
		   uint64_t iova, const char *fmt, ...)
{
	char what[200], extra[100] = "";
	struct vzip_cqe c;
	unsigned int got;
	bool good;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	got = run(t, s, &c);
	good = got == want && !c.consumed && !c.produced && !c.checksum;
	if (t->vq && want == VZIP_STS_ADDR_ERROR) {
		uint32_t err = 0;
		uint64_t at = 0;

		vz_queue_error(t->vq, &err, &at);
		good = good && err == WD_PCI_Q_ERR_ADDR && at == iova;
		snprintf(extra, sizeof(extra), ", ERROR %#x at %#llx", err,
			 (unsigned long long)at);
		vz_queue_clear_error(t->vq, err);
	}
	return check(good, "%s: %s (got %s%s)", what, sts(want), sts(got),
		     extra);
}

/* ---- what both tenants do ---- */

/* Compresses on the device, checked by zlib; decompresses zlib's output. */
static bool round_trip(const struct tq *t, uint8_t *src, uint8_t *cmp,
		       uint8_t *out, uint32_t seed, const char *who)
{
	struct vzip_cqe c;
	unsigned int s1, s2;
	long n, m = -1;
	bool good;

	vzip_fill(src, RT_LEN, seed);
	s1 = run(t, raw_sqe(VZIP_OP_COMPRESS, taddr(t, src), RT_LEN,
			    taddr(t, cmp), BOUND(RT_LEN)), &c);
	n = le32toh(c.produced);
	if (s1 == VZIP_STS_OK)
		m = z_inflate(VZIP_FMT_ZLIB, cmp, n, out, RT_LEN);
	good = m == RT_LEN && !memcmp(out, src, RT_LEN);
	n = z_deflate(VZIP_FMT_ZLIB, 6, src, RT_LEN, cmp, BOUND(RT_LEN));
	memset(out, 0, RT_LEN);
	s2 = n > 0 ? run(t, raw_sqe(VZIP_OP_DECOMPRESS, taddr(t, cmp), n,
				    taddr(t, out), RT_LEN), &c) : 0xffff;
	good = good && s2 == VZIP_STS_OK && le32toh(c.produced) == RT_LEN &&
	       !memcmp(out, src, RT_LEN);
	return check(good, "%s: the device still round-trips %u bytes (compress %s, zlib inflates it; zlib's stream decompresses: %s)",
		     who, RT_LEN, sts(s1), sts(s2));
}

/*
 * A's side: the victim area at @p (device address @dev), its secret,
 * canary, compressed data and a stream context the device wrote, which
 * compresses the first PIECE of the secret into @work (A's private copy
 * of the stream's output goes to @stream_out).
 */
static bool victim_fill(const struct tq *t, uint8_t *p, uint64_t dev,
			uint32_t ctx_size, uint8_t *work, struct victim *v,
			uint8_t *stream_out, uint32_t *stream_len)
{
	struct vzip_cqe c;
	long n;

	memset(v, 0, sizeof(*v));
	memcpy(p + V_SECRET, secret_ref, SECRET_LEN);
	memset(p + V_DST, 0xa5, 4 * PAGE);
	n = z_deflate(VZIP_FMT_ZLIB, 6, p + V_SECRET, PIECE, p + V_CMP,
		      4 * PAGE);
	v->base = dev;
	v->size = V_CTX + ((ctx_size + PAGE - 1) & ~(PAGE - 1));
	v->secret = dev + V_SECRET;
	v->dst = dev + V_DST;
	v->cmp = dev + V_CMP;
	v->ctx = dev + V_CTX;
	v->cmp_len = n > 0 ? n : 0;
	v->ctx_size = ctx_size;
	if (run(t, stream(raw_sqe(VZIP_OP_COMPRESS, v->secret, PIECE,
				  taddr(t, work), BOUND(PIECE)), v->ctx, true,
			  VZIP_FLUSH_SYNC), &c) != VZIP_STS_OK)
		return false;
	*stream_len = le32toh(c.produced);
	memcpy(stream_out, work, *stream_len);
	return n > 0;
}

/*
 * A's side afterwards: the area is what it was, the context continues
 * its stream, and a whole round trip works.
 */
static void victim_verify(const struct tq *t, const uint8_t *p,
			  const uint8_t *snapshot, const struct victim *v,
			  uint8_t *stream_out, uint32_t stream_len,
			  uint8_t *work, const char *who)
{
	size_t d = first_diff(p, snapshot, v->size);
	struct vzip_cqe c;
	unsigned int s;
	uint8_t *plain = malloc(2 * PIECE);
	long m = -1;

	if (!check(!d, "%s: its %llu bytes of buffers and context are byte-for-byte unchanged",
		   who, (unsigned long long)v->size))
		diag("first difference at offset %zu: %#x, was %#x", d - 1,
		     p[d - 1], snapshot[d - 1]);
	s = run(t, stream(raw_sqe(VZIP_OP_COMPRESS, v->secret + PIECE, PIECE,
				  taddr(t, work), BOUND(PIECE)), v->ctx, false,
			  VZIP_FLUSH_FINISH), &c);
	if (s == VZIP_STS_OK && plain) {
		memcpy(stream_out + stream_len, work, le32toh(c.produced));
		m = z_inflate(VZIP_FMT_ZLIB, stream_out,
			      stream_len + le32toh(c.produced), plain,
			      2 * PIECE);
	}
	check(m == 2 * PIECE && !memcmp(plain, secret_ref, 2 * PIECE),
	      "%s: its stream context continues the stream (%s), zlib inflates the whole",
	      who, sts(s));
	free(plain);
}

/* ---- tenant B on a uacce queue ---- */

struct bbufs {
	uint8_t *src, *dst, *cmp, *out, *ctx, *rt;
	uint32_t cmp_len;
};

static bool bbufs_alloc(struct vzip_q *q, struct bbufs *b)
{
	long n;

	b->src = vzip_mem(q, PIECE);
	b->dst = vzip_mem(q, 4 * PAGE);
	b->cmp = vzip_mem(q, BOUND(PIECE));
	b->out = vzip_mem(q, 4 * PAGE);
	b->ctx = vzip_mem(q, q->info.ctx_size);
	b->rt = vzip_mem(q, 3 * RT_LEN);
	if (!b->src || !b->dst || !b->cmp || !b->out || !b->ctx || !b->rt)
		return false;
	vzip_fill(b->src, PIECE, SEED_B);
	n = z_deflate(VZIP_FMT_ZLIB, 6, b->src, PIECE, b->cmp, BOUND(PIECE));
	b->cmp_len = n > 0 ? n : 0;
	return n > 0;
}

/*
 * The op as an attack on @target as its source or its destination, the
 * rest of the request B's own valid buffers.
 */
static struct vzip_sqe attack_sqe(const struct tq *t, const struct bbufs *b,
				  uint8_t op, bool as_src, uint64_t target)
{
	if (as_src)
		return raw_sqe(op, target, PIECE, taddr(t, b->dst),
			       BOUND(PIECE));
	if (op == VZIP_OP_COMPRESS)
		return raw_sqe(op, taddr(t, b->src), PIECE, target,
			       BOUND(PIECE));
	if (op == VZIP_OP_DECOMPRESS)
		return raw_sqe(op, taddr(t, b->cmp), b->cmp_len, target, PIECE);
	return raw_sqe(op, taddr(t, b->src), PIECE, target, PIECE);
}

/* Each op at @target as source and as destination: @want. */
static void attack_both(const struct tq *t, const struct bbufs *b,
			uint64_t target, const char *name, unsigned int want)
{
	unsigned int i;
	int side;

	for (side = 0; side < 2; side++) {
		for (i = 0; i < sizeof(attack_ops); i++) {
			uint8_t op = attack_ops[i];

			memset(b->dst, 0xee, 4 * PAGE);
			expect(t, attack_sqe(t, b, op, !side, target),
			       want, target, "%s %s %s (%#llx)", op_names[op],
			       side ? "into" : "from", name,
			       (unsigned long long)target);
			if (!side && !holds_no_secret(b->dst, 4 * PAGE))
				check(0, "%s from %s: A's data reached B's buffer",
				      op_names[op], name);
		}
	}
}

/*
 * Stream requests whose context is at @ctx: those continuing a stream
 * @want, those starting one @want_new.
 */
static void attack_ctx2(const struct tq *t, const struct bbufs *b,
			uint64_t ctx, const char *name, unsigned int want,
			unsigned int want_new)
{
	struct vzip_sqe s;

	s = raw_sqe(VZIP_OP_COMPRESS, taddr(t, b->src), PIECE,
		    taddr(t, b->out), BOUND(PIECE));
	expect(t, stream(s, ctx, false, VZIP_FLUSH_SYNC), want, ctx,
	       "COMPRESS continuing a stream, its context at %s", name);
	if (want_new != VZIP_STS_OK)
		expect(t, stream(s, ctx, true, VZIP_FLUSH_SYNC), want_new, ctx,
		       "COMPRESS starting a stream, its context at %s", name);
	s = raw_sqe(VZIP_OP_DECOMPRESS, taddr(t, b->cmp), b->cmp_len,
		    taddr(t, b->out), 4 * PAGE);
	expect(t, stream(s, ctx, false, VZIP_FLUSH_NONE), want, ctx,
	       "DECOMPRESS continuing a stream, its context at %s", name);
	if (want_new != VZIP_STS_OK)
		expect(t, stream(s, ctx, true, VZIP_FLUSH_NONE), want_new, ctx,
		       "DECOMPRESS starting a stream, its context at %s",
		       name);
}

static void attack_ctx(const struct tq *t, const struct bbufs *b,
		       uint64_t ctx, const char *name, unsigned int want)
{
	attack_ctx2(t, b, ctx, name, want, want);
}

/* The address of the first page of /proc/self/maps's @name, or 0. */
static uint64_t special_mapping(const char *name)
{
	char line[512];
	unsigned long long lo = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (strstr(line, name)) {
			if (sscanf(line, "%llx-", &lo) != 1)
				lo = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	return lo;
}

/*
 * Read-only memory as destination and context: anonymous, a file shared
 * and private, the vDSO.  Each must stay as it was.
 */
static void attack_readonly(const struct tq *t, const struct bbufs *b)
{
	char path[] = "/tmp/isolation-ro-XXXXXX";
	uint8_t file[PAGE], *ro[4], *copy[4];
	static const char *const names[] = {
		"a read-only anonymous page", "a read-only shared file mapping",
		"a read-only private file mapping", "the vDSO",
	};
	int fd = mkstemp(path), k;
	unsigned int i;

	memset(file, 0x3c, sizeof(file));
	if (fd < 0 || write(fd, file, PAGE) != PAGE) {
		check(0, "a file for read-only mappings: %s", strerror(errno));
		return;
	}
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	unlink(path);
	ro[0] = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro[1] = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	ro[2] = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	ro[3] = (uint8_t *)getauxval(AT_SYSINFO_EHDR);
	close(fd);
	for (k = 0; k < 4; k++) {
		if (ro[k] == MAP_FAILED || !ro[k]) {
			check(0, "map %s", names[k]);
			return;
		}
		copy[k] = malloc(PAGE);
		memcpy(copy[k], ro[k], PAGE);
	}
	for (k = 0; k < 4; k++) {
		for (i = 0; i < sizeof(attack_ops); i++)
			expect(t, attack_sqe(t, b, attack_ops[i], false,
					     taddr(t, ro[k])),
			       VZIP_STS_ADDR_ERROR, 0, "%s into %s",
			       op_names[attack_ops[i]], names[k]);
		attack_ctx(t, b, taddr(t, ro[k]), names[k],
			   VZIP_STS_ADDR_ERROR);
		check(!memcmp(ro[k], copy[k], PAGE), "%s is unchanged",
		      names[k]);
		free(copy[k]);
	}
	check(!memcmp(ro[1], file, PAGE) && !memcmp(ro[2], file, PAGE),
	      "the file holds what it held");
	munmap(ro[0], PAGE);
	munmap(ro[1], PAGE);
	munmap(ro[2], PAGE);
}

/* B's memory at A's addresses, other contents: the device uses B's. */
static void attack_mapped_over(const struct tq *t, const struct bbufs *b,
			       const struct victim *v, uint8_t *own)
{
	uint8_t *data = own + V_SECRET, *junk = own + V_CTX;
	uint8_t *junk_copy = malloc(v->ctx_size);
	struct vzip_cqe c;
	unsigned int s, s2;
	long n, m;

	vzip_fill(data, SECRET_LEN, SEED_B + 1);
	memset(own + V_DST, 0xbb, 4 * PAGE);
	n = z_deflate(VZIP_FMT_ZLIB, 6, data, PIECE, own + V_CMP, 4 * PAGE);
	vzip_fill_random(junk, v->ctx_size, SEED_B);
	memcpy(junk_copy, junk, v->ctx_size);

	s = run(t, raw_sqe(VZIP_OP_COPY, v->secret, PIECE, taddr(t, b->out),
			   PIECE), &c);
	check(s == VZIP_STS_OK && !memcmp(b->out, data, PIECE) &&
	      holds_no_secret(b->out, PIECE),
	      "COPY from A's data address reads B's memory there (%s)", sts(s));
	s = run(t, raw_sqe(VZIP_OP_COMPRESS, v->secret, PIECE,
			   taddr(t, b->out), BOUND(PIECE)), &c);
	m = s == VZIP_STS_OK ? z_inflate(VZIP_FMT_ZLIB, b->out,
					 le32toh(c.produced), b->dst, PIECE) : -1;
	check(m == PIECE && !memcmp(b->dst, data, PIECE),
	      "COMPRESS from A's data address compresses B's memory there (%s)",
	      sts(s));
	s = run(t, raw_sqe(VZIP_OP_DECOMPRESS, v->cmp, n, taddr(t, b->out),
			   4 * PAGE), &c);
	check(n > 0 && s == VZIP_STS_OK && le32toh(c.produced) == PIECE &&
	      !memcmp(b->out, data, PIECE),
	      "DECOMPRESS from A's compressed data address decompresses B's stream there (%s)",
	      sts(s));

	s = run(t, raw_sqe(VZIP_OP_COPY, taddr(t, b->src), PIECE, v->dst,
			   PIECE), &c);
	check(s == VZIP_STS_OK && !memcmp(own + V_DST, b->src, PIECE),
	      "COPY into A's destination address writes B's memory there (%s)",
	      sts(s));
	s = run(t, raw_sqe(VZIP_OP_COMPRESS, taddr(t, b->src), PIECE, v->dst,
			   BOUND(PIECE)), &c);
	m = s == VZIP_STS_OK ? z_inflate(VZIP_FMT_ZLIB, own + V_DST,
					 le32toh(c.produced), b->out, PIECE) : -1;
	check(m == PIECE && !memcmp(b->out, b->src, PIECE),
	      "COMPRESS into A's destination address writes B's memory there (%s)",
	      sts(s));
	memset(own + V_DST, 0, PIECE);
	s = run(t, raw_sqe(VZIP_OP_DECOMPRESS, taddr(t, b->cmp), b->cmp_len,
			   v->dst, PIECE), &c);
	check(s == VZIP_STS_OK && !memcmp(own + V_DST, b->src, PIECE),
	      "DECOMPRESS into A's destination address writes B's memory there (%s)",
	      sts(s));

	/* a context the device did not write; a new stream is B's business */
	attack_ctx2(t, b, v->ctx, "B's bytes at A's context address",
		    VZIP_STS_INVALID, VZIP_STS_OK);
	check(junk_copy && !memcmp(junk, junk_copy, v->ctx_size),
	      "B's bytes there are left as they were");
	s = run(t, stream(raw_sqe(VZIP_OP_COMPRESS, taddr(t, b->src), PIECE,
				  taddr(t, b->out), BOUND(PIECE)), v->ctx, true,
			  VZIP_FLUSH_SYNC), &c);
	n = le32toh(c.produced);
	s2 = run(t, stream(raw_sqe(VZIP_OP_COMPRESS, v->secret, PIECE,
				   taddr(t, b->out) + n, BOUND(PIECE)), v->ctx,
			   false, VZIP_FLUSH_FINISH), &c);
	m = -1;
	if (s == VZIP_STS_OK && s2 == VZIP_STS_OK) {
		uint8_t *plain = malloc(2 * PIECE);

		m = z_inflate(VZIP_FMT_ZLIB, b->out, n + le32toh(c.produced),
			      plain, 2 * PIECE);
		if (m != 2 * PIECE || memcmp(plain, b->src, PIECE) ||
		    memcmp(plain + PIECE, data, PIECE))
			m = -1;
		free(plain);
	}
	check(m == 2 * PIECE,
	      "a stream of B's with its context at A's context address: B's data, in B's memory (%s, %s)",
	      sts(s), sts(s2));
	free(junk_copy);
}

static bool open_queue(struct vzip_q *q, const char *dev, const char *who)
{
	int ret = vzip_open(q, dev);

	if (!ret)
		ret = vzip_start(q);
	return check(!ret, "%s opens and starts a queue of %s%s%s", who, dev,
		     ret ? ": " : "", ret ? strerror(-ret) : "");
}

static bool queue_ok(const struct vzip_q *q)
{
	return ((struct uacce_queue_status *)(q->dus + VZIP_CTRL_STATUS))->state ==
	       UACCE_QSTATE_OK;
}

/* Tenant B with SVA: A's buffers are at process addresses in @v. */
static int tenant_b_sva(const char *dev, const struct victim *v)
{
	static const struct { uint64_t off; const char *name; } parts[] = {
		{ V_SECRET, "A's data" }, { V_DST, "A's destination" },
		{ V_CMP, "A's compressed data" }, { V_CTX, "A's context" },
	};
	long page = sysconf(_SC_PAGESIZE);
	struct vzip_q q;
	struct tq t = { .uq = &q };
	struct bbufs b;
	uint8_t *own;
	uint64_t vvar;
	unsigned int i;

	if (!open_queue(&q, dev, "B") || !check(bbufs_alloc(&q, &b), "B's buffers"))
		return 1;
	check(unmapped(v->base, v->size),
	      "A's %llu bytes at %#llx are not mapped in B",
	      (unsigned long long)v->size, (unsigned long long)v->base);
	for (i = 0; i < 4; i++)
		attack_both(&t, &b, v->base + parts[i].off, parts[i].name,
			    VZIP_STS_ADDR_ERROR);
	attack_both(&t, &b, KERNEL_DIRECT, "the kernel's direct map",
		    VZIP_STS_ADDR_ERROR);
	attack_both(&t, &b, KERNEL_TEXT, "the kernel's text",
		    VZIP_STS_ADDR_ERROR);
	attack_ctx(&t, &b, v->ctx, "A's context (unmapped here)",
		   VZIP_STS_ADDR_ERROR);
	attack_ctx(&t, &b, KERNEL_DIRECT, "the kernel's direct map",
		   VZIP_STS_ADDR_ERROR);
	attack_ctx(&t, &b, KERNEL_TEXT, "the kernel's text",
		   VZIP_STS_ADDR_ERROR);

	/* kernel memory mapped into B */
	vvar = special_mapping("[vvar]");
	if (check(vvar, "B has a [vvar] mapping"))
		expect(&t, raw_sqe(VZIP_OP_COPY, vvar, 64, taddr(&t, b.out), 64),
		       VZIP_STS_ADDR_ERROR, 0, "COPY from the vvar page");
	expect(&t, raw_sqe(VZIP_OP_COPY, (uintptr_t)q.regs, 64,
			   taddr(&t, b.out), 64),
	       VZIP_STS_ADDR_ERROR, 0, "COPY from B's own register page");
	expect(&t, raw_sqe(VZIP_OP_COPY, (uintptr_t)q.dus, 64,
			   taddr(&t, b.out), 64),
	       VZIP_STS_ADDR_ERROR, 0, "COPY from B's own control page");
	expect(&t, raw_sqe(VZIP_OP_COPY, taddr(&t, b.src), 64,
			   (uintptr_t)q.dus + page - 64, 64),
	       VZIP_STS_ADDR_ERROR, 0, "COPY into B's own control page");
	attack_ctx(&t, &b, (uintptr_t)q.dus + 2048, "B's control page",
		   VZIP_STS_ADDR_ERROR);
	check(queue_ok(&q) && vzip_reg(&q, VZIP_REG_MAGIC) == VZIP_MAGIC,
	      "B's queue registers and status word are intact");
	attack_readonly(&t, &b);

	own = mmap((void *)(uintptr_t)v->base, v->size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (check(own == (void *)(uintptr_t)v->base,
		  "B maps memory of its own at A's addresses (MAP_FIXED_NOREPLACE)"))
		attack_mapped_over(&t, &b, v, own);

	round_trip(&t, b.rt, b.rt + RT_LEN, b.rt + 2 * RT_LEN, 11, "B");
	check(queue_ok(&q), "B's queue status word is OK");
	vzip_close(&q);
	return 0;
}

/* Tenant B without SVA: A's buffers are DMA addresses of A's region. */
static int tenant_b_ss(const char *dev, const struct victim *v)
{
	static const struct { uint64_t off; const char *name; } parts[] = {
		{ V_SECRET, "A's data" }, { V_DST, "A's destination" },
		{ V_CMP, "A's compressed data" }, { V_CTX, "A's context" },
	};
	struct vzip_q q;
	struct tq t = { .uq = &q };
	struct bbufs b;
	uint64_t start, end, off_secret = v->secret - v->base;
	uint32_t max_len;
	struct uacce_ss_info ss;
	unsigned int i, s;
	struct vzip_cqe c;
	uint8_t *own;
	char what[80];

	if (!open_queue(&q, dev, "B"))
		return 1;
	/* B's own data at the offsets of A's, its work buffers after them */
	q.ss_used = v->size;
	if (!check(bbufs_alloc(&q, &b), "B's buffers"))
		return 1;
	own = q.ss;
	vzip_fill(own + V_SECRET, SECRET_LEN, SEED_B + 2);
	z_deflate(VZIP_FMT_ZLIB, 6, own + V_SECRET, PIECE, own + V_CMP,
		  4 * PAGE);
	start = q.ss_dma;
	end = q.ss_dma + q.ss_size;
	max_len = vzip_reg(&q, VZIP_REG_MAX_LEN);
	diag("B's region %#llx+%#zx, A's %#llx+%#llx",
	     (unsigned long long)start, q.ss_size,
	     (unsigned long long)v->base, (unsigned long long)v->size);

	for (i = 0; i < 4; i++)
		attack_both(&t, &b, v->base + parts[i].off, parts[i].name,
			    VZIP_STS_ADDR_ERROR);
	attack_both(&t, &b, end + off_secret,
		    "where A's data would be if A's region followed B's",
		    VZIP_STS_ADDR_ERROR);
	if (start >= v->size)
		attack_both(&t, &b, start - v->size + off_secret,
			    "where A's data would be if A's region preceded B's",
			    VZIP_STS_ADDR_ERROR);
	attack_both(&t, &b, v->a_va, "A's process address of its data",
		    VZIP_STS_ADDR_ERROR);
	attack_both(&t, &b, KERNEL_DIRECT, "the kernel's direct map",
		    VZIP_STS_ADDR_ERROR);
	attack_both(&t, &b, KERNEL_TEXT, "the kernel's text",
		    VZIP_STS_ADDR_ERROR);

	/* B's own region's edges */
	struct { uint64_t addr; uint32_t len; unsigned int want; const char *name; } r[] = {
		{ end, 1, VZIP_STS_ADDR_ERROR, "the byte just past B's region" },
		{ end - 64, 128, VZIP_STS_ADDR_ERROR, "64 bytes inside and 64 past its end" },
		{ end - 64, 64, VZIP_STS_OK, "its last 64 bytes" },
		{ start - 1, 1, VZIP_STS_ADDR_ERROR, "the byte just below it" },
		{ start - 64, 128, VZIP_STS_ADDR_ERROR, "64 bytes below it and 64 inside" },
		{ start - PAGE, PAGE, VZIP_STS_ADDR_ERROR, "the page below it" },
		{ UINT64_MAX - 63, 128, VZIP_STS_ADDR_ERROR, "a range wrapping past 2^64" },
		{ start + 64, q.ss_size, VZIP_STS_ADDR_ERROR, "a range inside it as long as the region" },
		{ start + 64, max_len, VZIP_STS_ADDR_ERROR, "a range inside it of MAX_LEN bytes" },
		{ start + 64, UINT32_MAX, VZIP_STS_INVALID, "a length past MAX_LEN" },
	};
	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		uint64_t out = taddr(&t, b.dst);

		/* the other range must not overlap it, or it is INVALID */
		if (r[i].addr < out + 64 && out < r[i].addr + r[i].len &&
		    r[i].addr + r[i].len > r[i].addr)
			out = start;
		if (r[i].want == VZIP_STS_OK)
			out = taddr(&t, b.out);

		if (r[i].want == VZIP_STS_OK) {
			s = run(&t, raw_sqe(VZIP_OP_COPY, r[i].addr, r[i].len,
					    out, r[i].len), &c);
			check(s == VZIP_STS_OK, "COPY from %s: OK (got %s)",
			      r[i].name, sts(s));
			s = run(&t, raw_sqe(VZIP_OP_COPY, taddr(&t, b.src),
					    r[i].len, r[i].addr, r[i].len), &c);
			check(s == VZIP_STS_OK, "COPY into %s: OK (got %s)",
			      r[i].name, sts(s));
			continue;
		}
		expect(&t, raw_sqe(VZIP_OP_COPY, r[i].addr, r[i].len, out, 64),
		       r[i].want, 0, "COPY from %s", r[i].name);
		expect(&t, raw_sqe(VZIP_OP_COPY, out, 64, r[i].addr,
				   r[i].len),
		       r[i].want, 0, "COPY into %s", r[i].name);
	}

	attack_ctx(&t, &b, v->ctx, "A's context", VZIP_STS_ADDR_ERROR);
	attack_ctx(&t, &b, end + (v->ctx - v->base),
		   "where A's context would be if A's region followed B's",
		   VZIP_STS_ADDR_ERROR);
	attack_ctx(&t, &b, end - 64, "the end of B's region, running past it",
		   VZIP_STS_ADDR_ERROR);
	attack_ctx(&t, &b, KERNEL_DIRECT, "the kernel's direct map",
		   VZIP_STS_ADDR_ERROR);

	/* the same offsets in B's own region are B's */
	s = run(&t, raw_sqe(VZIP_OP_COPY, start + V_SECRET, PIECE,
			    taddr(&t, b.out), PIECE), &c);
	check(s == VZIP_STS_OK && !memcmp(b.out, own + V_SECRET, PIECE) &&
	      holds_no_secret(b.out, PIECE),
	      "COPY from A's offset in B's own region reads B's data (%s)",
	      sts(s));
	s = run(&t, raw_sqe(VZIP_OP_DECOMPRESS, start + V_CMP, 4 * PAGE,
			    taddr(&t, b.out), PIECE), &c);
	check(s == VZIP_STS_OK && !memcmp(b.out, own + V_SECRET, PIECE),
	      "DECOMPRESS from A's offset in B's own region decompresses B's stream (%s)",
	      sts(s));

	/* B's region unmapped while its queue runs: not reachable */
	munmap(q.ss, q.ss_size);
	q.ss = NULL;
	snprintf(what, sizeof(what), "COPY inside B's region after B unmapped it");
	expect(&t, raw_sqe(VZIP_OP_COPY, start, 64, start + 4096, 64),
	       VZIP_STS_ADDR_ERROR, 0, "%s", what);
	q.ss = mmap(NULL, q.ss_size, PROT_READ | PROT_WRITE, MAP_SHARED, q.fd,
		    UACCE_QFRT_SS * sysconf(_SC_PAGESIZE));
	if (!check(q.ss != MAP_FAILED && !ioctl(q.fd, UACCE_CMD_GET_SS, &ss),
		   "B maps its region again")) {
		q.ss = NULL;
		return 1;
	}
	q.ss_dma = ss.dma_addr;
	q.ss_used = v->size;
	bbufs_alloc(&q, &b);
	round_trip(&t, b.rt, b.rt + RT_LEN, b.rt + 2 * RT_LEN, 12, "B");
	check(queue_ok(&q), "B's queue status word is OK");
	vzip_close(&q);
	return 0;
}

/* ---- the uacce cases: A here, B in a child ---- */

/*
 * Forks B before A allocates anything, so that none of A's buffers is
 * in B's address space; B waits for A's struct victim.
 */
static pid_t fork_b(int *to_b, int *from_b, int (*body)(const char *,
							const struct victim *),
		    const char *dev)
{
	int p1[2], p2[2];
	pid_t pid;

	if (pipe(p1) || pipe(p2))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		struct victim v;
		int rc = 1;

		close(p1[1]);
		close(p2[0]);
		report = fdopen(p2[1], "w");
		if (report && read(p1[0], &v, sizeof(v)) == sizeof(v))
			rc = body(dev, &v);
		if (report) {
			fprintf(report, "done\n");
			fclose(report);
		}
		_exit(rc);
	}
	close(p1[0]);
	close(p2[1]);
	*to_b = p1[1];
	*from_b = p2[0];
	return pid;
}

static void uacce_case(const char *dev_a, const char *dev_b, bool sva,
		       const char *who)
{
	int to_b = -1, from_b = -1;
	pid_t pid;
	struct vzip_q q;
	struct tq t = { .uq = &q };
	struct victim v;
	uint8_t *area, *work, *snapshot, *stream_out, *rt;
	uint32_t stream_len = 0;
	char label[64];

	pid = fork_b(&to_b, &from_b, sva ? tenant_b_sva : tenant_b_ss, dev_b);
	if (!check(pid > 0, "%s: fork tenant B", who))
		return;
	snprintf(label, sizeof(label), "%s tenant A", who);
	if (!open_queue(&q, dev_a, label)) {
		kill(pid, SIGKILL);
		close(to_b);
		collect(pid, from_b, "B");
		return;
	}
	if (sva) {
		area = mmap((void *)(uintptr_t)VICTIM_VA, V_CTX + 16 * PAGE,
			    PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			    -1, 0);
		if (area != (void *)(uintptr_t)VICTIM_VA)
			area = NULL;
	} else {
		area = q.ss;
		q.ss_used = V_CTX + 16 * PAGE;
	}
	work = vzip_mem(&q, 4 * PAGE);
	rt = vzip_mem(&q, 3 * RT_LEN);
	stream_out = malloc(8 * PAGE);
	if (!check(area && work && rt && stream_out &&
		   q.info.ctx_size <= 16 * PAGE &&
		   victim_fill(&t, area, taddr(&t, area), q.info.ctx_size,
			       work, &v, stream_out, &stream_len),
		   "%s: A's buffers and a stream context the device wrote (%u bytes)",
		   who, q.info.ctx_size)) {
		kill(pid, SIGKILL);
		close(to_b);
		collect(pid, from_b, "B");
		return;
	}
	v.a_va = (uintptr_t)area + V_SECRET;
	snapshot = malloc(v.size);
	memcpy(snapshot, area, v.size);
	diag("%s: A's buffers at %#llx, %llu bytes", who,
	     (unsigned long long)v.base, (unsigned long long)v.size);
	if (write(to_b, &v, sizeof(v)) != sizeof(v))
		check(0, "tell B: %s", strerror(errno));
	close(to_b);
	snprintf(label, sizeof(label), "%s tenant B", who);
	collect(pid, from_b, label);

	snprintf(label, sizeof(label), "%s tenant A", who);
	victim_verify(&t, area, snapshot, &v, stream_out, stream_len, work,
		      label);
	round_trip(&t, rt, rt + RT_LEN, rt + 2 * RT_LEN, 21, label);
	check(queue_ok(&q), "%s: its queue status word is OK", label);
	free(snapshot);
	free(stream_out);
	vzip_close(&q);
	if (sva)
		munmap(area, V_CTX + 16 * PAGE);
}

/* ---- instances of wd_mdev ---- */

#define UUID_FMT	"3dc0de7a-0000-4000-8000-%012x"

static char created[4][40];
static int nr_created;

static void remove_instances(void)
{
	char path[PATH_MAX];

	while (nr_created) {
		snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove",
			 created[--nr_created]);
		vzip_write_file(path, "1");
	}
}

/*
 * Creates an instance of the type whose directory name ends in @suffix
 * and whose device_api is @api; its UUID in @uuid.
 */
static int create_instance(const char *suffix, const char *api, int n,
			   char *uuid)
{
	char path[PATH_MAX], buf[64];
	struct dirent *de, *te;
	DIR *bus = opendir("/sys/class/mdev_bus");
	int ret = -ENODEV;

	snprintf(uuid, 40, UUID_FMT, n);
	while (bus && ret && (de = readdir(bus))) {
		DIR *types;

		snprintf(path, sizeof(path),
			 "/sys/class/mdev_bus/%s/mdev_supported_types",
			 de->d_name);
		types = opendir(path);
		while (types && ret && (te = readdir(types))) {
			size_t l = strlen(te->d_name);

			if (l < strlen(suffix) ||
			    strcmp(te->d_name + l - strlen(suffix), suffix))
				continue;
			snprintf(path, sizeof(path),
				 "/sys/class/mdev_bus/%s/mdev_supported_types/%s/device_api",
				 de->d_name, te->d_name);
			if (vzip_read_file(path, buf, sizeof(buf)) ||
			    strncmp(buf, api, strlen(api)) ||
			    buf[strlen(api)] != '\n')
				continue;
			snprintf(path, sizeof(path),
				 "/sys/class/mdev_bus/%s/mdev_supported_types/%s/create",
				 de->d_name, te->d_name);
			ret = vzip_write_file(path, uuid);
			if (!ret)
				snprintf(created[nr_created++], 40, "%s", uuid);
		}
		if (types)
			closedir(types);
	}
	if (bus)
		closedir(bus);
	return ret;
}

static void access_point_case(void)
{
	char ua[40], ub[40], path[PATH_MAX], na[64] = "", nb[64] = "", buf[32];
	int ret;

	ret = create_instance("-ap1", "uacce", 1, ua);
	if (!ret)
		ret = create_instance("-ap1", "uacce", 2, ub);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/access_point/name", ua);
	if (!ret)
		ret = vzip_read_file(path, na, sizeof(na));
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/access_point/name", ub);
	if (!ret)
		ret = vzip_read_file(path, nb, sizeof(nb));
	na[strcspn(na, "\n")] = nb[strcspn(nb, "\n")] = '\0';
	if (!check(!ret, "two ap1 access points: %s, %s%s%s", na, nb,
		   ret ? ": " : "", ret ? strerror(-ret) : ""))
		return;
	uacce_case(na, nb, true, "access points");
	snprintf(path, sizeof(path),
		 "/sys/bus/mdev/devices/%s/access_point/queues_in_use", ua);
	ret = vzip_read_file(path, buf, sizeof(buf));
	buf[strcspn(buf, "\n")] = '\0';
	check(!ret && !strcmp(buf, "0"),
	      "instance 1's queue is back (queues_in_use %s)",
	      ret ? "?" : buf);
}

/* ---- vfio-pci instances: VM A here, VM B in a child ---- */

struct vm {
	struct vc_vfio vf;
	struct vz_pci pci;
	struct vz_queue q[2];
	uint8_t *rings, *data;
	uint64_t rings_iova, data_iova;
};

static int vm_open(struct vm *m, const char *uuid, uint64_t rings_iova,
		   uint64_t data_iova)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->rings_iova = rings_iova;
	m->data_iova = data_iova;
	m->rings = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m->data = mmap(NULL, VDATA_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m->rings == MAP_FAILED || m->data == MAP_FAILED)
		return -ENOMEM;
	ret = vc_vfio_open(&m->vf, uuid, 0);
	if (!ret)
		ret = vz_pci_probe(&m->pci, &m->vf, 0);
	if (!ret)
		ret = vc_dma_map(&m->vf, m->rings, rings_iova, PAGE);
	if (!ret)
		ret = vc_dma_map(&m->vf, m->data, data_iova, VDATA_SIZE);
	if (!ret)
		ret = vz_queue_init(&m->q[0], &m->pci, 0, DEPTH, m->rings,
				    rings_iova, m->rings + 1024,
				    rings_iova + 1024);
	if (!ret)
		ret = vz_queue_enable(&m->q[0], 0);
	return ret;
}

static void vm_close(struct vm *m)
{
	vz_queue_disable(&m->q[0]);
	vc_vfio_close(&m->vf);
	munmap(m->rings, PAGE);
	munmap(m->data, VDATA_SIZE);
}

static uint32_t qreg(struct vz_queue *q, uint32_t off)
{
	uint32_t val = ~0u;

	vz_qreg_read(q, off, &val);
	return val;
}

/*
 * B's queue 1 with a ring at an IOVA B cannot write or read: the queue
 * halts with RING at that IOVA.
 */
static void vm_bad_ring(struct vm *m, const struct bbufs *b,
			const struct tq *t, uint64_t sq, uint64_t cq,
			uint64_t bad, const char *name)
{
	struct vz_queue *q = &m->q[1];
	struct vzip_sqe s = raw_sqe(VZIP_OP_COPY, taddr(t, b->src), 64,
				    taddr(t, b->out), 64);
	uint32_t err = 0, st;
	uint64_t at = 0;
	int ret, i;

	ret = vz_queue_init(q, &m->pci, 1, DEPTH, m->rings + 2048, sq,
			    m->rings + 3072, cq);
	if (!ret)
		ret = vz_queue_enable(q, 0);
	if (!ret)
		ret = vz_queue_submit(q, &s);
	if (!ret)
		ret = vz_queue_doorbell(q);
	for (i = 0; !ret && i < 3000; i++) {
		if (qreg(q, WD_PCI_Q_STATUS) & WD_PCI_Q_STS_HALTED)
			break;
		usleep(1000);
	}
	st = qreg(q, WD_PCI_Q_STATUS);
	vz_queue_error(q, &err, &at);
	check(!ret && (st & WD_PCI_Q_STS_HALTED) &&
	      err == WD_PCI_Q_ERR_RING && at == bad,
	      "queue 1 with %s: halts with RING at %#llx (status %#x, ERROR %#x at %#llx)",
	      name, (unsigned long long)bad, st, err, (unsigned long long)at);
	vz_queue_disable(q);
	vz_queue_clear_error(q, err);
}

static int vm_b(const char *uuid, const struct victim *v)
{
	static const struct { uint64_t off; const char *name; } parts[] = {
		{ V_SECRET, "A's data" }, { V_DST, "A's destination" },
		{ V_CMP, "A's compressed data" }, { V_CTX, "A's context" },
	};
	struct vm m;
	struct tq t = { .vq = &m.q[0] };
	struct bbufs b;
	uint8_t *p, *ro, *own;
	unsigned int i;
	uint32_t err = 0;
	uint64_t at = 0;
	long n;
	int ret = -1;

	/* vfio-client explains refused calls on stderr; none is expected */
	ret = vm_open(&m, uuid, IOVA_RINGS_B, IOVA_DATA_B);
	if (!check(!ret, "VM B owns its instance, guest RAM mapped, queue 0 enabled%s%s",
		   ret ? ": " : "", ret ? strerror(-ret) : ""))
		return 1;
	t.mem = m.data;
	t.mem_iova = m.data_iova;
	p = m.data;
	b.src = p;
	b.dst = p + PAGE;
	b.cmp = p + 5 * PAGE;
	b.out = p + 7 * PAGE;
	b.ctx = p + 11 * PAGE;
	b.rt = p + 32 * PAGE;
	vzip_fill(b.src, PIECE, SEED_B);
	n = z_deflate(VZIP_FMT_ZLIB, 6, b.src, PIECE, b.cmp, BOUND(PIECE));
	b.cmp_len = n > 0 ? n : 0;

	for (i = 0; i < 4; i++)
		attack_both(&t, &b, v->base + parts[i].off, parts[i].name,
			    VZIP_STS_ADDR_ERROR);
	attack_both(&t, &b, v->sq, "A's submission ring", VZIP_STS_ADDR_ERROR);
	attack_both(&t, &b, IOVA_NEVER, "an IOVA nobody mapped",
		    VZIP_STS_ADDR_ERROR);
	attack_both(&t, &b, KERNEL_DIRECT, "the kernel's direct map",
		    VZIP_STS_ADDR_ERROR);
	attack_both(&t, &b, KERNEL_TEXT, "the kernel's text",
		    VZIP_STS_ADDR_ERROR);
	attack_ctx(&t, &b, v->ctx, "A's context", VZIP_STS_ADDR_ERROR);
	attack_ctx(&t, &b, KERNEL_DIRECT, "a kernel address",
		   VZIP_STS_ADDR_ERROR);

	/* memory B mapped read-only for the device */
	ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro != MAP_FAILED) {
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = VFIO_DMA_MAP_FLAG_READ,
			.vaddr = (uintptr_t)ro,
			.iova = IOVA_RO_B,
			.size = PAGE,
		};

		memset(ro, 0x5a, PAGE);
		ret = ioctl(m.vf.container, VFIO_IOMMU_MAP_DMA, &map);
	}
	if (check(ro != MAP_FAILED && !ret, "B maps a page read-only for the device")) {
		for (i = 0; i < sizeof(attack_ops); i++)
			expect(&t, attack_sqe(&t, &b, attack_ops[i], false,
					      IOVA_RO_B),
			       VZIP_STS_ADDR_ERROR, IOVA_RO_B,
			       "%s into the read-only page",
			       op_names[attack_ops[i]]);
		attack_ctx(&t, &b, IOVA_RO_B, "the read-only page",
			   VZIP_STS_ADDR_ERROR);
		check(run(&t, raw_sqe(VZIP_OP_COPY, IOVA_RO_B, 64,
				      taddr(&t, b.out), 64), NULL) == VZIP_STS_OK &&
		      b.out[0] == 0x5a,
		      "COPY from the read-only page: OK");
		check(ro[0] == 0x5a && !first_diff(ro, ro + 1, PAGE - 1),
		      "the read-only page is unchanged");
	}

	/* rings at A's IOVAs, and in the read-only page */
	vm_bad_ring(&m, &b, &t, v->sq, IOVA_RINGS_B + 3072, v->sq,
		    "its SQ at A's SQ's IOVA");
	vm_bad_ring(&m, &b, &t, IOVA_RINGS_B + 2048, v->cq, v->cq,
		    "its CQ at A's CQ's IOVA");
	vm_bad_ring(&m, &b, &t, IOVA_RINGS_B + 2048, IOVA_RO_B, IOVA_RO_B,
		    "its CQ in the read-only page");

	/* B's own memory at A's data IOVAs */
	own = mmap(NULL, VDATA_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ret = own == MAP_FAILED ? -ENOMEM :
	      vc_dma_map(&m.vf, own, v->base, v->size);
	if (check(!ret, "B maps memory of its own at A's IOVAs"))
		attack_mapped_over(&t, &b, v, own);

	round_trip(&t, b.rt, b.rt + RT_LEN, b.rt + 2 * RT_LEN, 13, "B");
	vz_queue_error(&m.q[0], &err, &at);
	check(!err && qreg(&m.q[0], WD_PCI_Q_STATUS) == WD_PCI_Q_STS_ENABLED,
	      "B's queue 0 is enabled, without error");
	vm_close(&m);
	return 0;
}

static void vfio_case(void)
{
	char ua[40], ub[40];
	int to_b = -1, from_b = -1, ret;
	uint8_t *snapshot, *rings_copy, *stream_out;
	uint32_t stream_len = 0, err = 0, ctx_size;
	struct victim v;
	struct vm m;
	struct tq t = { .vq = &m.q[0] };
	uint64_t at = 0;
	pid_t pid;

	ret = create_instance("-vq2", "vfio-pci", 3, ua);
	if (!ret)
		ret = create_instance("-vq2", "vfio-pci", 4, ub);
	if (!check(!ret, "two vq2 vfio-pci instances%s%s", ret ? ": " : "",
		   ret ? strerror(-ret) : ""))
		return;
	pid = fork_b(&to_b, &from_b, vm_b, ub);
	if (!check(pid > 0, "vfio: fork VM B"))
		return;
	ret = vm_open(&m, ua, IOVA_RINGS_A, IOVA_DATA_A);
	t.mem = m.data;
	t.mem_iova = m.data_iova;
	ctx_size = m.pci.ctx_size;
	stream_out = malloc(8 * PAGE);
	if (!check(!ret && ctx_size <= 16 * PAGE && stream_out &&
		   victim_fill(&t, m.data, m.data_iova, ctx_size,
			       m.data + 32 * PAGE, &v, stream_out, &stream_len),
		   "VM A: its instance, guest RAM, queue 0, buffers and a stream context (%u bytes)",
		   ctx_size)) {
		kill(pid, SIGKILL);
		close(to_b);
		collect(pid, from_b, "VM B");
		return;
	}
	v.sq = IOVA_RINGS_A;
	v.cq = IOVA_RINGS_A + 1024;
	snapshot = malloc(v.size);
	memcpy(snapshot, m.data, v.size);
	rings_copy = malloc(PAGE);
	memcpy(rings_copy, m.rings, PAGE);
	if (write(to_b, &v, sizeof(v)) != sizeof(v))
		check(0, "tell VM B: %s", strerror(errno));
	close(to_b);
	collect(pid, from_b, "VM B");

	check(!memcmp(rings_copy, m.rings, PAGE),
	      "VM A: its rings are byte-for-byte unchanged");
	vz_queue_error(&m.q[0], &err, &at);
	check(!err && qreg(&m.q[0], WD_PCI_Q_STATUS) == WD_PCI_Q_STS_ENABLED &&
	      qreg(&m.q[0], WD_PCI_Q_CQ_TAIL) == m.q[0].cq_head,
	      "VM A: queue 0 enabled, no error, no completion it did not ask for");
	victim_verify(&t, m.data, snapshot, &v, stream_out, stream_len,
		      m.data + 32 * PAGE, "VM A");
	round_trip(&t, m.data + 40 * PAGE, m.data + 48 * PAGE,
		   m.data + 56 * PAGE, 22, "VM A");
	free(snapshot);
	free(rings_copy);
	free(stream_out);
	vm_close(&m);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	char name[NAME_MAX + 1];
	int ret;

	vzip_fill(secret_ref, SECRET_LEN, SEED_A);
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(mode, "sva") && strcmp(mode, "ss") && strcmp(mode, "mdev")) {
		fprintf(stderr, "usage: isolation_test sva|ss|mdev\n");
		return 2;
	}
	ret = vzip_find_device(name, sizeof(name));
	if (!tap_ok(!ret, "a vzip device: %s", ret ? strerror(-ret) : name))
		return tap_done();

	if (!strcmp(mode, "mdev")) {
		atexit(remove_instances);
		access_point_case();
		vfio_case();
		remove_instances();
	} else {
		struct vzip_q probe;

		ret = vzip_open(&probe, name);
		if (!tap_ok(!ret && probe.sva == !strcmp(mode, "sva"),
			    "%s queues %s SVA, as the mode wants", name,
			    !ret && probe.sva ? "have" : "do not have"))
			return tap_done();
		vzip_close(&probe);
		uacce_case(name, name, !strcmp(mode, "sva"),
			   !strcmp(mode, "sva") ? "SVA" : "SS region");
	}
	return tap_done();
}
