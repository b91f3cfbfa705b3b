/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the descriptor fuzzers of vzip and vcrypt share (vzip_fuzz_test.c,
 * vcrypt_fuzz_test.c), beside fuzz.h's generator and report: the memory a
 * queue's requests point into, and the addresses they are given.
 *
 * The arena is device-reachable memory of the queue (process memory with
 * SVA, the end of the SS region without) and its shadow, what the arena
 * must hold outside the ranges the device may write: after each batch the
 * ranges a request may write join the shadow (fuzz_arena_settle()) and
 * the rest must be equal (fuzz_arena_changed()).  With SVA the arena lies
 * between an unmapped page and a read-only page before it and an unmapped
 * page after it, which fuzz_arena_pick() hands out as bad addresses, with
 * kernel addresses, NULL, ranges that run off the arena or wrap.
 *
 * And what they do to the ring, which both classes share: an sq_tail past
 * the depth, doorbells with nothing to do.
 *
 * Include tap.h, fuzz.h and vzip_testlib.h (or vcrypt_testlib.h) first.
 */
#ifndef FUZZ_ARENA_H
#define FUZZ_ARENA_H

/**
 * struct fuzz_arena - a fuzzer's memory
 * @q: the queue whose requests point into it
 * @mem: @size bytes the device reaches, filled with random bytes
 * @shadow: what @mem must hold outside the ranges the device may write
 * @ro: SVA: a read-only page
 * @hole: SVA: an unmapped page (and so is the page after @mem)
 * @size: bytes of @mem
 * @page: the page size
 */
struct fuzz_arena {
	struct vzip_q *q;
	uint8_t *mem;
	uint8_t *shadow;
	uint8_t *ro;
	uint8_t *hole;
	uint32_t size;
	long page;
};

/* Where fuzz_arena_pick() put a range. */
enum fuzz_where {
	W_GOOD,		/* inside the arena with the access needed */
	W_BAD,		/* the device cannot reach all of it */
	W_MAYBE,	/* the rules do not say (empty, wrapping) */
};

/* Sets up @size bytes of arena for queue @q (open and started). */
static inline void fuzz_arena_setup(struct fuzz_arena *a, struct vzip_q *q,
				    uint32_t size)
{
	a->q = q;
	a->size = size;
	a->page = sysconf(_SC_PAGESIZE);
	if (q->sva) {
		uint8_t *m = mmap(NULL, 3 * a->page + size,
				  PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED)
			fuzz_fail("mmap: %s", strerror(errno));
		a->ro = m;
		memset(a->ro, 0x11, a->page);
		mprotect(a->ro, a->page, PROT_READ);
		a->hole = m + a->page;
		munmap(a->hole, a->page);
		a->mem = m + 2 * a->page;
		/* the page after the arena is unmapped too */
		munmap(a->mem + size, a->page);
	} else {
		if (q->ss_size < size + q->ss_used)
			fuzz_fail("a static region of %zu bytes", q->ss_size);
		a->mem = q->ss + q->ss_size - size;
	}
	a->shadow = malloc(size);
	if (!a->shadow)
		fuzz_fail("out of memory");
	for (uint32_t i = 0; i < size; i++)
		a->mem[i] = (uint8_t)fuzz_rnd();
	memcpy(a->shadow, a->mem, size);
}

static inline uint64_t fuzz_arena_addr(const struct fuzz_arena *a,
				       const uint8_t *p)
{
	return vzip_addr(a->q, p);
}

/* A place in the arena for @len bytes, 64-byte aligned if @align. */
static inline uint8_t *fuzz_arena_at(const struct fuzz_arena *a, uint32_t len,
				     bool align)
{
	uint32_t room = len >= a->size ? 0 : a->size - len;
	uint32_t off = fuzz_below(room + 1);

	if (align)
		off &= ~63u;
	return a->mem + off;
}

/*
 * An address for a range of @len bytes the device @writes, and where it
 * is (enum fuzz_where).
 */
static inline uint64_t fuzz_arena_pick(const struct fuzz_arena *a,
				       uint32_t len, bool writes,
				       enum fuzz_where *w)
{
	uint64_t kernel = 0xffff888000000000ull + (fuzz_rnd() & 0xffffffffull);

	switch (fuzz_below(10)) {
	case 0:
		*w = len ? W_BAD : W_MAYBE;
		return a->q->sva ? kernel : fuzz_rnd();
	case 1:
		*w = len ? W_BAD : W_MAYBE;
		return 0;
	case 2:		/* runs off the end of the arena */
		*w = len > 64 ? W_BAD : W_MAYBE;
		return fuzz_arena_addr(a, a->mem + a->size - 64 +
					  fuzz_below(64));
	case 3:		/* wraps around the address space */
		*w = W_MAYBE;
		return ~0ull - fuzz_below(len + 1);
	case 4:
		*w = len ? W_BAD : W_MAYBE;
		if (a->q->sva)
			return (uintptr_t)a->hole + fuzz_below(a->page);
		return a->q->ss_dma - 1 - fuzz_below(4096);
	case 5:
		if (a->q->sva) {
			*w = writes ? (len ? W_BAD : W_MAYBE) :
				      (len <= (uint32_t)a->page ? W_GOOD :
				       W_BAD);
			return (uintptr_t)a->ro;
		}
		/* fall through */
	default:
		*w = len <= a->size ? W_GOOD : W_BAD;
		return fuzz_arena_addr(a, fuzz_arena_at(a, len, false));
	}
}

/* The arena offset of the range at @addr, or -1 if it is not inside. */
static inline long fuzz_arena_off(const struct fuzz_arena *a, uint64_t addr,
				  uint32_t len)
{
	uint64_t base = fuzz_arena_addr(a, a->mem);

	if (addr < base || addr - base > a->size ||
	    len > a->size - (addr - base))
		return -1;
	return (long)(addr - base);
}

/* Sets arena bytes the way the program does (and its shadow too). */
static inline void fuzz_arena_write(struct fuzz_arena *a, uint8_t *p,
				    const void *src, size_t len)
{
	memcpy(p, src, len);
	memcpy(a->shadow + (p - a->mem), src, len);
}

/* What the device may have written at @off (-1: nothing) joins the shadow. */
static inline void fuzz_arena_settle(struct fuzz_arena *a, long off,
				     uint32_t len)
{
	if (off >= 0)
		memcpy(a->shadow + off, a->mem + off, len);
}

/* The first arena byte that differs from the shadow, or -1. */
static inline long fuzz_arena_changed(const struct fuzz_arena *a)
{
	long at = 0;

	if (!memcmp(a->shadow, a->mem, a->size))
		return -1;
	while (a->shadow[at] == a->mem[at])
		at++;
	return at;
}

/*
 * After a batch of @n requests: what each may have written (@off[i][k],
 * -1 for nothing, and @len[i][k]) joins the shadow, and the rest of the
 * arena must be as it was; @what names those ranges in the failure.
 */
static inline void fuzz_arena_check(struct fuzz_arena *a, unsigned int n,
				    long (*off)[2], uint32_t (*len)[2],
				    const char *what)
{
	long at;

	for (unsigned int i = 0; i < n; i++)
		for (int k = 0; k < 2; k++)
			fuzz_arena_settle(a, off[i][k], len[i][k]);
	at = fuzz_arena_changed(a);
	if (at >= 0)
		fuzz_fail("byte %ld of the queue's memory changed outside every "
			  "%s of the batch", at, what);
}

static inline bool fuzz_ranges_overlap(uint64_t a, uint32_t alen, uint64_t b,
				       uint32_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

/* An sq_tail too far ahead is ignored until it is back in range. */
static inline void fuzz_ring_ahead(struct vzip_q *q)
{
	_Atomic uint32_t *tail = vzip_ctrl(q, VZIP_CTRL_SQ_TAIL);
	uint32_t bad = q->sq_tail + q->depth + 1 + fuzz_below(1u << 20);
	uint32_t head;

	atomic_store_explicit(tail, htole32(bad), memory_order_release);
	if (ioctl(q->fd, UACCE_CMD_WAKE_Q))
		fuzz_fail("WAKE_Q: %s", strerror(errno));
	usleep(fuzz_below(2000));
	head = le32toh(atomic_load_explicit(vzip_ctrl(q, VZIP_CTRL_SQ_HEAD),
					    memory_order_acquire));
	if (head != q->sq_tail)
		fuzz_fail("sq_tail %u ahead by more than the depth: the device "
			  "consumed up to %u (the ring holds %u)", bad, head,
			  q->sq_tail);
	atomic_store_explicit(tail, htole32(q->sq_tail), memory_order_release);
}

/* 1 to 64 doorbells with nothing to do. */
static inline void fuzz_doorbells(struct vzip_q *q)
{
	for (unsigned int i = 1 + fuzz_below(64); i--;)
		if (ioctl(q->fd, UACCE_CMD_WAKE_Q))
			fuzz_fail("WAKE_Q with nothing to do: %s",
				  strerror(errno));
}

/*
 * The first device found by @find (vzip_find_device() or
 * vcrypt_find_device()), of @what, opened and started on @q.
 */
static inline void fuzz_open(struct vzip_q *q, int (*find)(char *, size_t),
			     const char *what)
{
	char name[NAME_MAX + 1];
	int ret;

	ret = find(name, sizeof(name));
	if (ret)
		fuzz_fail("no %s device: %s", what, strerror(-ret));
	ret = vzip_open(q, name);
	if (!ret)
		ret = vzip_start(q);
	if (ret)
		fuzz_fail("opening a queue of %s: %s", name, strerror(-ret));
}

/*
 * The next operation of the main loop, @n: false once @o->ops are done or
 * @o->seconds have passed since @t0; else its kind, below 100.
 */
static inline bool fuzz_next(unsigned long n, const struct fuzz_opts *o,
			     const struct timespec *t0, unsigned int *kind)
{
	if (n >= o->ops || vzip_ms_since(t0) > (long)o->seconds * 1000)
		return false;
	fuzz_begin(n);
	*kind = fuzz_below(100);
	if (o->verbose)
		printf("# op %lu: kind %u\n", n, *kind);
	return true;
}

/* How many requests a batch has: 2 to @max, no more than the depth. */
static inline unsigned int fuzz_batch_size(const struct vzip_q *q,
					   unsigned int max)
{
	unsigned int batch = 2 + fuzz_below(max - 1);

	return batch > q->depth ? q->depth : batch;
}

/* @len bytes of anonymous memory (fuzz_unmap_inflight()). */
static inline uint8_t *fuzz_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fuzz_fail("mmap: %s", strerror(errno));
	return p;
}

/*
 * SVA: posts @sqe (@sqe_size bytes), whose source is @src, and unmaps the
 * @len bytes of @src while the request may be in flight; reaps its
 * completion into @cqe (@cqe_size bytes), or fails as @what.
 */
static inline void fuzz_unmap_inflight(struct vzip_q *q, const void *sqe,
				       size_t sqe_size, uint8_t *src,
				       size_t len, void *cqe, size_t cqe_size,
				       const char *what)
{
	vzip_queue_raw(q, sqe, sqe_size);
	if (vzip_submit(q))
		fuzz_fail("the doorbell failed: %s", strerror(errno));
	if (fuzz_below(2))
		usleep(fuzz_below(500));
	munmap(src, len);
	if (vzip_reap_raw(q, cqe, cqe_size, VZIP_TIMEOUT_MS, true))
		fuzz_fail("%s whose source was unmapped never completed", what);
}

#endif /* FUZZ_ARENA_H */
