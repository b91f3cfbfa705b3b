// SPDX-License-Identifier: GPL-2.0
/*
 * A descriptor fuzzer for vzip (TAP): random and adversarial requests on
 * one queue, deterministic from a seed, bounded in operations and time.
 *
 *   vzip_fuzz_test [--seed S] [--ops N] [--seconds T] [-v]
 *
 * What one operation is, drawn at random:
 * - a descriptor with random fields (opcodes, formats, flushes, levels,
 *   windows, versions, flags, reserved words, lengths up to past MAX_LEN)
 *   and addresses from a pool: the queue's memory, a read-only page, an
 *   unmapped page, ranges that run off the end of a mapping or wrap,
 *   kernel addresses, NULL;
 * - a batch of such descriptors in flight at once;
 * - one-shot DECOMPRESS of valid, damaged and truncated zlib output, in
 *   every format and window, checked against zlib's inflate() on the same
 *   input and room;
 * - COMPRESS with FINISH, its output inflated by zlib;
 * - a stream over several requests with a context that is damaged,
 *   repaired, used for the other direction, or used after its end;
 * - an sq_tail more than the ring's depth ahead, then put back;
 * - doorbells with nothing to do;
 * - with SVA, the source unmapped while the request is in flight.
 *
 * After every completion: it came (no hang), user_data is the request's,
 * the status is a defined one and the expected one where the rules of
 * Documentation/vzip.rst decide it, consumed and produced are within the
 * lengths, reserved fields are zero, and nothing outside the request's
 * destination and context ranges changed in the queue's memory (the
 * source included).  At the end the queue still compresses correctly.  A
 * failure prints the seed and operation that reproduce it.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <zlib.h>

#include "tap.h"
#include "fuzz.h"
#include "vzip_testlib.h"
#include "vzip_zref.h"
#include "fuzz_arena.h"

#define ARENA_SIZE	(256 * 1024)
#define MAX_BATCH	8
#define ANY_STATUS	0x7f

static int verbose;
static unsigned long counts[8], statuses[8];


/* The queue and its memory (fuzz_arena.h). */
struct fz {
	struct vzip_q q;
	struct fuzz_arena a;
	uint32_t max_len;
	uint32_t ctx_size;
	bool stream;
};

static uint64_t addr_of(struct fz *f, const uint8_t *p)
{
	return fuzz_arena_addr(&f->a, p);
}

static uint8_t *arena_at(struct fz *f, uint32_t len, bool align)
{
	return fuzz_arena_at(&f->a, len, align);
}

static uint64_t pick_addr(struct fz *f, uint32_t len, bool writes,
			  enum fuzz_where *w)
{
	return fuzz_arena_pick(&f->a, len, writes, w);
}

static long arena_off(struct fz *f, uint64_t addr, uint32_t len)
{
	return fuzz_arena_off(&f->a, addr, len);
}

struct req {
	struct vzip_sqe sqe;
	uint8_t want;		/* the status, or ANY_STATUS */
	uint8_t also;		/* another acceptable status, or ANY_STATUS */
	bool check_copy;	/* COPY on good ranges: dst must equal src */
};

/*
 * A descriptor with random fields, and what the rules say of it: INVALID
 * where a rule of "Submission entry" is broken, ADDR_ERROR where a range
 * is out of reach, nothing more precise otherwise.
 */
static void random_req(struct fz *f, struct req *r)
{
	struct vzip_sqe *s = &r->sqe;
	enum fuzz_where ws, wd, wc = W_GOOD;
	bool invalid = false, maybe_invalid = false, uses_fmt, uses_ctx;
	uint32_t src_len, dst_len;
	uint16_t flags;

	memset(r, 0, sizeof(*r));
	s->opcode = fuzz_mostly(90, 4);
	uses_fmt = s->opcode == VZIP_OP_COMPRESS ||
		   s->opcode == VZIP_OP_DECOMPRESS;
	/* mostly defined values (0 where the opcode uses no such field) */
	s->format = fuzz_mostly(90, uses_fmt ? 3 : 1);
	s->flush = fuzz_mostly(90, uses_fmt ? 4 : 1);
	s->level = fuzz_mostly(90, s->opcode == VZIP_OP_COMPRESS ? 10 : 1);
	if (uses_fmt && fuzz_chance(80))
		s->window_bits = 9 + fuzz_below(7);
	else
		s->window_bits = fuzz_mostly(uses_fmt ? 50 : 90, 1);
	s->version = fuzz_chance(95) ? VZIP_SQE_VERSION : (uint8_t)fuzz_rnd();
	flags = fuzz_chance(85) ? 0 :
		fuzz_chance(80) ? fuzz_below(4) : (uint16_t)fuzz_rnd();
	s->flags = htole16(flags);
	s->user_data = htole64(fuzz_rnd());
	for (int i = 0; i < 4; i++)
		s->rsvd[i] = fuzz_chance(97) ? 0 : htole32((uint32_t)fuzz_rnd() | 1);

	src_len = fuzz_chance(90) ? fuzz_below(8192) : fuzz_chance(50) ? f->max_len :
		  f->max_len + 1 + fuzz_below(1000);
	dst_len = fuzz_chance(90) ? fuzz_below(65536) : fuzz_chance(50) ? f->max_len :
		  f->max_len + 1 + fuzz_below(1000);
	if (s->opcode == VZIP_OP_NOP && fuzz_chance(80))
		src_len = dst_len = 0;
	s->src_len = htole32(src_len);
	s->dst_len = htole32(dst_len);
	if (s->opcode == VZIP_OP_NOP && fuzz_chance(80)) {
		s->src = 0;
		s->dst = 0;
		ws = wd = W_GOOD;
	} else {
		s->src = htole64(pick_addr(f, src_len, false, &ws));
		s->dst = htole64(pick_addr(f, dst_len, true, &wd));
	}
	uses_ctx = flags & VZIP_SQE_F_STREAM;
	if (uses_ctx || fuzz_chance(3)) {
		uint8_t *c = arena_at(f, f->ctx_size, fuzz_chance(95));

		s->ctx = htole64(addr_of(f, c));
		if (fuzz_chance(10))
			s->ctx = htole64(pick_addr(f, f->ctx_size, true, &wc));
		/* a context the device did not write */
		maybe_invalid = true;
	}

	/* the rules of "Submission entry" */
	if (s->version != VZIP_SQE_VERSION || s->opcode > VZIP_OP_DECOMPRESS)
		invalid = true;
	if (uses_fmt && (s->format > VZIP_FMT_GZIP ||
			 s->flush > VZIP_FLUSH_FINISH ||
			 (s->window_bits && (s->window_bits < 9 ||
					     s->window_bits > 15))))
		invalid = true;
	if (!uses_fmt && s->opcode <= VZIP_OP_DECOMPRESS &&
	    (s->format || s->flush || s->window_bits))
		invalid = true;
	if (s->opcode == VZIP_OP_COMPRESS ? s->level > 9 : s->level)
		invalid = true;
	if (flags & ~(VZIP_SQE_F_STREAM | VZIP_SQE_F_NEW_STREAM))
		invalid = true;
	if ((flags & VZIP_SQE_F_NEW_STREAM) && !(flags & VZIP_SQE_F_STREAM))
		invalid = true;
	if ((flags & VZIP_SQE_F_STREAM) && (!uses_fmt || !f->stream))
		invalid = true;
	if (!uses_ctx && s->ctx)
		invalid = true;
	if (uses_ctx && (le64toh(s->ctx) & 63))
		invalid = true;
	if (s->rsvd[0] || s->rsvd[1] || s->rsvd[2] || s->rsvd[3])
		invalid = true;
	if (src_len > f->max_len || dst_len > f->max_len)
		invalid = true;
	if (s->opcode == VZIP_OP_NOP && (s->src || s->dst))
		invalid = true;
	/* what the rules leave open: lengths on NOP, empty or wrapping ranges */
	if (s->opcode == VZIP_OP_NOP && (src_len || dst_len))
		maybe_invalid = true;
	if (ws == W_MAYBE || wd == W_MAYBE || wc == W_MAYBE)
		maybe_invalid = true;
	if (fuzz_ranges_overlap(le64toh(s->src), src_len, le64toh(s->dst),
			   dst_len) ||
	    (uses_ctx &&
	     (fuzz_ranges_overlap(le64toh(s->src), src_len, le64toh(s->ctx),
			     f->ctx_size) ||
	      fuzz_ranges_overlap(le64toh(s->dst), dst_len, le64toh(s->ctx),
			     f->ctx_size)))) {
		if (ws == W_MAYBE || wd == W_MAYBE || wc == W_MAYBE)
			maybe_invalid = true;
		else
			invalid = true;
	}

	r->want = ANY_STATUS;
	r->also = ANY_STATUS;
	if (invalid) {
		r->want = VZIP_STS_INVALID;
	} else if (maybe_invalid) {
		/* anything defined */
	} else if (s->opcode == VZIP_OP_NOP) {
		r->want = VZIP_STS_OK;
	} else if (ws == W_BAD || wd == W_BAD || wc == W_BAD) {
		r->want = VZIP_STS_ADDR_ERROR;
	} else if (s->opcode == VZIP_OP_COPY) {
		r->want = dst_len < src_len ? VZIP_STS_OVERFLOW : VZIP_STS_OK;
		r->check_copy = true;
	}
}

/* The ranges a request may write: dst and ctx, within the arena. */
static void writable(struct fz *f, const struct vzip_sqe *s, long *off,
		     uint32_t *len)
{
	off[0] = arena_off(f, le64toh(s->dst), le32toh(s->dst_len));
	len[0] = le32toh(s->dst_len);
	off[1] = -1;
	len[1] = 0;
	if (le16toh(s->flags) & VZIP_SQE_F_STREAM) {
		off[1] = arena_off(f, le64toh(s->ctx), f->ctx_size);
		len[1] = f->ctx_size;
	}
}

/* A request's fields, for messages. */
static void describe(const struct vzip_sqe *s, char *buf, size_t size)
{
	snprintf(buf, size, "opcode %u format %u flush %u level %u window %u "
		 "version %u flags %#x src %#llx+%u dst %#llx+%u ctx %#llx "
		 "rsvd %x", s->opcode, s->format, s->flush, s->level,
		 s->window_bits, s->version, le16toh(s->flags),
		 (unsigned long long)le64toh(s->src), le32toh(s->src_len),
		 (unsigned long long)le64toh(s->dst), le32toh(s->dst_len),
		 (unsigned long long)le64toh(s->ctx),
		 s->rsvd[0] | s->rsvd[1] | s->rsvd[2] | s->rsvd[3]);
}

/* May request @w write into the source or destination of request @c? */
static bool writes_into(struct fz *f, const struct vzip_sqe *w,
			const struct vzip_sqe *c)
{
	uint64_t dst = le64toh(w->dst), ctx = le64toh(w->ctx);
	uint32_t dlen = le32toh(w->dst_len);
	uint32_t clen = le16toh(w->flags) & VZIP_SQE_F_STREAM ?
			f->ctx_size : 0;

	return fuzz_ranges_overlap(dst, dlen, le64toh(c->src),
			      le32toh(c->src_len)) ||
	       fuzz_ranges_overlap(dst, dlen, le64toh(c->dst),
			      le32toh(c->dst_len)) ||
	       fuzz_ranges_overlap(ctx, clen, le64toh(c->src),
			      le32toh(c->src_len)) ||
	       fuzz_ranges_overlap(ctx, clen, le64toh(c->dst),
			      le32toh(c->dst_len));
}

/*
 * Posts @n requests at once, reaps their completions and checks them:
 * the invariants, the expected statuses, and that the arena changed only
 * inside the ranges the requests may write.
 */
static void run_batch(struct fz *f, struct req *r, unsigned int n,
		      struct vzip_cqe *cqe)
{
	long off[MAX_BATCH][2];
	uint32_t len[MAX_BATCH][2];
	static uint8_t srccopy[MAX_BATCH][65536];

	for (unsigned int i = 0; i < n; i++) {
		/*
		 * Another request of the batch may write into this COPY's
		 * source or destination, before or after it runs: then only
		 * the invariants hold, not the bytes.
		 */
		for (unsigned int j = 0; j < n && r[i].check_copy; j++)
			if (j != i && writes_into(f, &r[j].sqe, &r[i].sqe))
				r[i].check_copy = false;
		if (r[i].check_copy) {
			long so = arena_off(f, le64toh(r[i].sqe.src),
					    le32toh(r[i].sqe.src_len));
			uint32_t sl = le32toh(r[i].sqe.src_len);

			if (so < 0 || sl > sizeof(srccopy[i]))
				r[i].check_copy = false;
			else
				memcpy(srccopy[i], f->a.mem + so, sl);
		}
		vzip_queue(&f->q, &r[i].sqe);
		counts[r[i].sqe.opcode < 4 ? r[i].sqe.opcode : 4]++;
	}
	if (vzip_submit(&f->q))
		fuzz_fail("the doorbell failed: %s", strerror(errno));
	for (unsigned int i = 0; i < n; i++) {
		const struct vzip_sqe *s = &r[i].sqe;
		struct vzip_cqe *c = &cqe[i];
		char what[256];
		unsigned int st;

		if (vzip_reap(&f->q, c, VZIP_TIMEOUT_MS, true))
			fuzz_fail("request %u of %u (opcode %u) did not complete "
			     "in %d s", i, n, s->opcode,
			     VZIP_TIMEOUT_MS / 1000);
		st = le16toh(c->status);
		statuses[st & 7]++;
		describe(s, what, sizeof(what));
		if (verbose)
			printf("#   %s: status %u, %u in %u out\n", what, st,
			       le32toh(c->consumed), le32toh(c->produced));
		if (c->user_data != s->user_data)
			fuzz_fail("completion %u has user_data %#llx, the request "
			     "%#llx (out of order or lost)", i,
			     (unsigned long long)le64toh(c->user_data),
			     (unsigned long long)le64toh(s->user_data));
		if (st > VZIP_STS_HW_ERROR || st == VZIP_STS_ABORTED ||
		    st == VZIP_STS_HW_ERROR)
			fuzz_fail("opcode %u: status %u", s->opcode, st);
		if (r[i].want != ANY_STATUS && st != r[i].want &&
		    st != r[i].also)
			fuzz_fail("%s: status %u, expected %u", what, st,
				  r[i].want);
		if (le32toh(c->consumed) > le32toh(s->src_len) ||
		    le32toh(c->produced) > le32toh(s->dst_len))
			fuzz_fail("consumed %u of %u, produced %u of %u",
			     le32toh(c->consumed), le32toh(s->src_len),
			     le32toh(c->produced), le32toh(s->dst_len));
		if ((c->flags & ~VZIP_CQE_F_STREAM_END) || c->rsvd0 ||
		    c->rsvd[0] || c->rsvd[1])
			fuzz_fail("reserved completion fields are not zero");
		if (st == VZIP_STS_INVALID && (c->produced || c->consumed))
			fuzz_fail("INVALID with %u bytes consumed and %u produced",
			     le32toh(c->consumed), le32toh(c->produced));
		if (r[i].check_copy && st <= VZIP_STS_OVERFLOW) {
			long d = arena_off(f, le64toh(s->dst),
					   le32toh(s->dst_len));
			uint32_t want = le32toh(s->src_len) <
					le32toh(s->dst_len) ?
					le32toh(s->src_len) :
					le32toh(s->dst_len);

			if (le32toh(c->produced) != want || d < 0 ||
			    memcmp(f->a.mem + d, srccopy[i], want))
				fuzz_fail("COPY of %u bytes: produced %u, data %s",
				     want, le32toh(c->produced),
				     d < 0 ? "?" : "differs");
		}
		/* INVALID has no other effect: it wrote nothing */
		if (st == VZIP_STS_INVALID) {
			off[i][0] = off[i][1] = -1;
			len[i][0] = len[i][1] = 0;
		} else {
			writable(f, s, off[i], len[i]);
		}
	}
	/* what may have changed joins the shadow; the rest must be equal */
	fuzz_arena_check(&f->a, n, off, len, "destination and context");
}

static void one(struct fz *f, struct req *r)
{
	struct vzip_cqe cqe;

	run_batch(f, r, 1, &cqe);
}

/* Sets arena bytes the way the program does (and its shadow too). */
static void arena_write(struct fz *f, uint8_t *p, const void *src,
			size_t len)
{
	fuzz_arena_write(&f->a, p, src, len);
}

static uint8_t data[32768], comp[40000], zout[65536];

/* A compressible, random or mixed input of @len bytes. */
static void make_input(uint8_t *buf, size_t len)
{
	unsigned int kind = fuzz_below(3);

	if (kind == 0)
		vzip_fill(buf, len, (uint32_t)fuzz_rnd());
	else if (kind == 1)
		vzip_fill_random(buf, len, (uint32_t)fuzz_rnd());
	else
		for (size_t i = 0; i < len; i++)
			buf[i] = i % 97 < 40 ? "abcabcabd"[i % 9] :
				 (uint8_t)fuzz_rnd();
}

/*
 * One-shot DECOMPRESS of zlib's output, intact or damaged, compared with
 * zlib's inflate() given the same input and room.
 */
static void op_decompress(struct fz *f)
{
	unsigned int fmt = fuzz_below(3), win = 9 + fuzz_below(7);
	size_t n = 1 + fuzz_below(sizeof(data) - 1);
	uint32_t room = fuzz_below(3) ? (uint32_t)n + fuzz_below(64) :
				       fuzz_below(n + 1);
	long clen;
	uint8_t *src, *dst;
	z_stream zs = { 0 };
	struct req r = { 0 };
	struct vzip_cqe cqe;
	int zr;
	unsigned int st, damage = fuzz_below(4);

	make_input(data, n);
	clen = z_deflate(fmt, 6, data, n, comp, sizeof(comp));
	if (clen < 0)
		fuzz_fail("zlib's deflate failed");
	if (damage == 1) {	/* flipped bits */
		for (unsigned int k = 1 + fuzz_below(4); k--;)
			comp[fuzz_below(clen)] ^= 1 << fuzz_below(8);
	} else if (damage == 2) {	/* truncated */
		clen = fuzz_below(clen);
	} else if (damage == 3) {	/* a random stretch */
		size_t at = fuzz_below(clen), len = 1 + fuzz_below(32);

		for (size_t i = at; i < at + len && i < (size_t)clen; i++)
			comp[i] = (uint8_t)fuzz_rnd();
	}
	if (clen + room + 128 > ARENA_SIZE)
		return;
	src = f->a.mem;
	dst = f->a.mem + ((clen + 127) & ~63);
	arena_write(f, src, comp, clen);
	r.sqe = vzip_sqe(&f->q, VZIP_OP_DECOMPRESS, fmt, VZIP_FLUSH_FINISH,
			 src, clen, dst, room);
	r.sqe.window_bits = win;
	r.sqe.user_data = htole64(fuzz_rnd());
	r.want = ANY_STATUS;
	r.also = ANY_STATUS;
	run_batch(f, &r, 1, &cqe);
	st = le16toh(cqe.status);

	if (fmt == VZIP_FMT_GZIP)	/* the device reads gzip headers itself */
		return;
	if (inflateInit2(&zs, zlib_wbits(fmt, win)) != Z_OK)
		fuzz_fail("inflateInit2");
	zs.next_in = comp;
	zs.avail_in = clen;
	zs.next_out = zout;
	zs.avail_out = room;
	zr = inflate(&zs, Z_FINISH);
	inflateEnd(&zs);
	if (zr == Z_STREAM_END) {
		if (st != VZIP_STS_OK || !(cqe.flags & VZIP_CQE_F_STREAM_END) ||
		    le32toh(cqe.produced) != room - zs.avail_out ||
		    le32toh(cqe.consumed) != clen - zs.avail_in ||
		    memcmp(dst, zout, room - zs.avail_out))
			fuzz_fail("DECOMPRESS fmt %u window %u damage %u of %ld "
			     "bytes into %u: status %u, %u in %u out; zlib "
			     "ends after %lu in %lu out", fmt, win, damage,
			     clen, room, st, le32toh(cqe.consumed),
			     le32toh(cqe.produced),
			     (unsigned long)(clen - zs.avail_in),
			     (unsigned long)(room - zs.avail_out));
	} else if (zr == Z_DATA_ERROR) {
		if (st != VZIP_STS_DATA_ERROR &&
		    !(st == VZIP_STS_OVERFLOW &&
		      le32toh(cqe.produced) == room))
			fuzz_fail("DECOMPRESS fmt %u window %u damage %u: status "
			     "%u where zlib says \"%s\"", fmt, win, damage,
			     st, zs.msg ? zs.msg : "?");
	} else if (zr == Z_BUF_ERROR && !zs.avail_out) {
		if (st != VZIP_STS_OVERFLOW && st != VZIP_STS_DATA_ERROR)
			fuzz_fail("DECOMPRESS into %u bytes that zlib fills: "
			     "status %u", room, st);
		if (st == VZIP_STS_OVERFLOW &&
		    memcmp(dst, zout, le32toh(cqe.produced)))
			fuzz_fail("DECOMPRESS overflow: a prefix that is not zlib's");
	} else if (zr == Z_BUF_ERROR) {
		if (st != VZIP_STS_DATA_ERROR)
			fuzz_fail("DECOMPRESS of a truncated stream: status %u "
			     "(zlib: more input needed)", st);
	}
}

/*
 * COMPRESS with FINISH; zlib must give the input back.  With @sure, of
 * compressible data into room enough: it must succeed.
 */
static void op_compress(struct fz *f, bool sure)
{
	unsigned int fmt = fuzz_below(3), win = 9 + fuzz_below(7);
	size_t n = sure ? sizeof(data) : fuzz_below(sizeof(data));
	uint32_t room = sure || fuzz_chance(80) ? (uint32_t)n + n / 8 + 64 :
		       fuzz_below(n + 1);
	uint8_t *src = f->a.mem, *dst;
	struct req r = { 0 };
	struct vzip_cqe cqe;
	long got;

	if (sure)
		vzip_fill(data, n, (uint32_t)fuzz_rnd());
	else
		make_input(data, n);
	dst = f->a.mem + ((n + 127) & ~63);
	arena_write(f, src, data, n);
	r.sqe = vzip_sqe(&f->q, VZIP_OP_COMPRESS, fmt, VZIP_FLUSH_FINISH,
			 src, n, dst, room);
	r.sqe.window_bits = win;
	r.sqe.level = fuzz_below(10);
	r.sqe.user_data = htole64(fuzz_rnd());
	r.want = VZIP_STS_OK;
	r.also = sure ? VZIP_STS_OK : VZIP_STS_OVERFLOW;
	run_batch(f, &r, 1, &cqe);
	if (le16toh(cqe.status) != VZIP_STS_OK)
		return;
	got = z_inflate(fmt, dst, le32toh(cqe.produced), zout, sizeof(zout));
	if (got != (long)n || memcmp(zout, data, n))
		fuzz_fail("COMPRESS fmt %u window %u level %u of %zu bytes: zlib "
		     "reads back %ld bytes", fmt, win, r.sqe.level, n, got);
}

/*
 * A COMPRESS stream in three requests with a context whose sealed part is
 * damaged (INVALID, then repaired: the stream goes on), used for
 * DECOMPRESS (INVALID), and used after its end (INVALID).
 */
static void op_stream(struct fz *f)
{
	unsigned int fmt = fuzz_below(3);
	size_t n = 3 + fuzz_below(sizeof(data) - 3), part = n / 3;
	uint8_t *ctx, *src, *dst;
	uint32_t made = 0;
	struct req r = { 0 };
	struct vzip_cqe cqe;
	long got;

	if (!f->stream)
		return;
	make_input(data, n);
	ctx = f->a.mem;
	src = f->a.mem + ((f->ctx_size + 63) & ~63u);
	dst = src + ((n + 63) & ~63);
	arena_write(f, src, data, n);
	for (int i = 0; i < 3; i++) {
		size_t from = i * part, len = i == 2 ? n - from : part;
		uint8_t flush = i == 2 ? VZIP_FLUSH_FINISH :
				fuzz_chance(50) ? VZIP_FLUSH_NONE : VZIP_FLUSH_SYNC;
		uint32_t room = (uint32_t)(n + n / 8 + 256 - made);

		r.sqe = vzip_sqe(&f->q, VZIP_OP_COMPRESS, fmt, flush,
				 src + from, len, dst + made, room);
		r.sqe.flags = htole16(VZIP_SQE_F_STREAM |
				      (i ? 0 : VZIP_SQE_F_NEW_STREAM));
		r.sqe.ctx = htole64(addr_of(f, ctx));
		r.sqe.user_data = htole64(fuzz_rnd());
		if (i && fuzz_chance(30)) {
			/* the sealed header: INVALID, the context unchanged */
			unsigned int at = fuzz_below(64);
			uint8_t was = ctx[at], bit = 1 << fuzz_below(8);
			struct req bad = r;

			ctx[at] ^= bit;
			f->a.shadow[at] ^= bit;
			bad.want = VZIP_STS_INVALID;
			bad.also = ANY_STATUS;
			one(f, &bad);
			arena_write(f, ctx + at, &was, 1);
		}
		if (i && fuzz_chance(20)) {
			struct req other = r;

			other.sqe.opcode = VZIP_OP_DECOMPRESS;
			other.sqe.flags = htole16(VZIP_SQE_F_STREAM);
			other.want = VZIP_STS_INVALID;
			other.also = ANY_STATUS;
			one(f, &other);
		}
		r.want = VZIP_STS_OK;
		r.also = ANY_STATUS;
		run_batch(f, &r, 1, &cqe);
		if (le32toh(cqe.consumed) != len)
			fuzz_fail("stream request %d took %u of %zu bytes", i,
			     le32toh(cqe.consumed), len);
		made += le32toh(cqe.produced);
	}
	got = z_inflate(fmt, dst, made, zout, sizeof(zout));
	if (got != (long)n || memcmp(zout, data, n))
		fuzz_fail("a COMPRESS stream in 3 requests (fmt %u, %zu bytes): "
		     "zlib reads back %ld bytes", fmt, n, got);
	/* the stream has ended: its context is spent */
	r.sqe.flags = htole16(VZIP_SQE_F_STREAM);
	r.sqe.src_len = htole32(1);
	r.want = VZIP_STS_INVALID;
	one(f, &r);
}

/* SVA: the source unmapped while a COPY from it is in flight. */
static void op_unmap(struct fz *f)
{
	size_t len = 1 << 20;
	uint8_t *src, *dst;
	struct vzip_sqe s;
	struct vzip_cqe c;
	unsigned int st;

	if (!f->q.sva)
		return;
	src = fuzz_anon(len);
	dst = fuzz_anon(len);
	memset(src, 0x5a, len);
	s = vzip_sqe(&f->q, VZIP_OP_COPY, 0, 0, src, len, dst, len);
	s.user_data = htole64(fuzz_rnd());
	fuzz_unmap_inflight(&f->q, &s, sizeof(s), src, len, &c, sizeof(c),
			    "a COPY");
	st = le16toh(c.status);
	statuses[st & 7]++;
	if (st != VZIP_STS_OK && st != VZIP_STS_ADDR_ERROR)
		fuzz_fail("a COPY whose source was unmapped: status %u", st);
	if (st == VZIP_STS_OK && le32toh(c.produced) != len)
		fuzz_fail("a COPY whose source was unmapped: OK with %u bytes",
		     le32toh(c.produced));
	munmap(dst, len);
}

static void setup(struct fz *f)
{
	fuzz_open(&f->q, vzip_find_device, "vzip");
	f->max_len = vzip_reg(&f->q, VZIP_REG_MAX_LEN);
	f->ctx_size = vzip_reg(&f->q, VZIP_REG_CTX_SIZE);
	f->stream = vzip_reg(&f->q, VZIP_REG_CAPS) & VZIP_CAP_STREAM;
	fuzz_arena_setup(&f->a, &f->q, ARENA_SIZE);
}

int main(int argc, char **argv)
{
	struct fuzz_opts o = { .ops = 2000, .seconds = 60 };
	struct timespec t0;
	unsigned int kind;
	struct fz f = { 0 };
	struct req r[MAX_BATCH];
	struct vzip_cqe cqe[MAX_BATCH];
	unsigned long n;

	if (!fuzz_parse(argc, argv, &o, NULL))
		return 2;
	verbose = o.verbose;
	fuzz_init(o.seed, "vzip_fuzz_test", "descriptor fuzzing");
	tap_plan(2);
	tap_diag("seed %llu, up to %lu operations or %lu s",
		 (unsigned long long)o.seed, o.ops, o.seconds);
	setup(&f);
	printf("# %s, %s, ring depth %u, MAX_LEN %u, context %u bytes, "
	       "memory at %#llx\n", f.q.name,
	       f.q.sva ? "SVA" : "static region", f.q.depth, f.max_len,
	       f.ctx_size, (unsigned long long)addr_of(&f, f.a.mem));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 0; fuzz_next(n, &o, &t0, &kind); n++) {
		unsigned int batch;

		if (kind < 40) {
			random_req(&f, &r[0]);
			one(&f, &r[0]);
		} else if (kind < 50) {
			batch = fuzz_batch_size(&f.q, MAX_BATCH);
			for (unsigned int i = 0; i < batch; i++)
				random_req(&f, &r[i]);
			run_batch(&f, r, batch, cqe);
		} else if (kind < 70) {
			op_decompress(&f);
		} else if (kind < 80) {
			op_compress(&f, false);
		} else if (kind < 90) {
			op_stream(&f);
		} else if (kind < 95) {
			fuzz_ring_ahead(&f.q);
		} else if (kind < 98) {
			fuzz_doorbells(&f.q);
		} else {
			op_unmap(&f);
		}
	}
	printf("# %lu operations in %ld ms; requests NOP %lu COPY %lu "
	       "COMPRESS %lu DECOMPRESS %lu other %lu\n", n,
	       vzip_ms_since(&t0), counts[0], counts[1], counts[2], counts[3],
	       counts[4] + counts[5] + counts[6] + counts[7]);
	printf("# statuses: OK %lu OVERFLOW %lu DATA_ERROR %lu ADDR_ERROR %lu "
	       "INVALID %lu\n", statuses[0], statuses[1], statuses[2],
	       statuses[3], statuses[4]);
	tap_ok(1, "descriptor fuzzing: %lu operations, no crash, hang or "
	       "wrong answer (seed %llu)", n, (unsigned long long)o.seed);
	/* still a working queue */
	fuzz_begin(n);
	fuzz_op_name = "final check";
	op_compress(&f, true);
	tap_ok(1, "the queue still compresses correctly");
	vzip_close(&f.q);
	return tap_done();
}
