// SPDX-License-Identifier: GPL-2.0
/*
 * wdbench: the floors of a NOP round trip.  A NOP at depth 1 is a message
 * from the application's CPU to an engine on another CPU and back,
 * through shared memory.  Two threads of this process, pinned to two
 * CPUs, measure it without a device, each round trip one "operation":
 *
 *   pingpong: they pass a counter back and forth, one cache line each
 *             way.  No device can answer faster.
 *   ring:     the partner plays the engine on a copy of a vzip queue's
 *             rings in this process's memory: the same control page, SQ
 *             and CQ layout (<misc/uacce/wd_ring.h>), the same barriers,
 *             the same descriptor and completion.  The ring protocol's
 *             own cost, with neither the kernel's engine nor the library.
 *   phase:    the same with a ring format vzip does not have: no indexes,
 *             each entry says it is new by a phase that flips on every
 *             lap of the ring (NVMe's completion queues), so each side
 *             watches the entry itself.  What a format change would buy.
 *
 * bench_pair() pins the two threads; wakeup.c's floor uses it too.
 *
 * A partner that does not answer (a broken protocol, a thread that never
 * ran) ends the measurement after ANSWER_LATE_S: the row is not ok, with
 * the reason, and the run goes on.
 */
#include <pthread.h>
#include <stddef.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <misc/uacce/vzip.h>

#include "wdbench.h"

/**
 * struct answered - the first member of each spinning floor's state,
 *	the measuring thread's own
 * @op: one request, which waits for the partner's answer
 * @late: the partner stopped answering: later requests fail at once
 */
struct answered {
	op_fn op;
	bool late;
};

/**
 * struct pingpong - the two threads' shared state
 * @ans: the measuring thread's request and whether it is late
 * @ping: the measuring thread's counter, on a cache line of its own
 * @pong: the partner's answer, on another
 * @stop: the partner leaves
 */
struct pingpong {
	struct answered ans;

	_Alignas(64) atomic_uint_least64_t ping;
	_Alignas(64) atomic_uint_least64_t pong;
	_Alignas(64) atomic_bool stop;
};

/*
 * An answer later than this never comes.  Answers come within
 * microseconds, or a few scheduler slices when the partner's CPU is
 * busy: after ANSWER_SPIN_S the wait looks once a millisecond instead
 * of spinning, so a partner that has stopped does not cost a CPU.
 */
#define ANSWER_LATE_S	10
#define ANSWER_SPIN_S	1
/* While spinning, the wait reads the clock once per this many looks. */
#define LOOKS_PER_CLOCK	4096

static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/**
 * struct answer_wait - one wait for the partner's answer
 * @looks: looks so far
 * @start: the first clock read, after LOOKS_PER_CLOCK looks
 * @slow: past ANSWER_SPIN_S: a look a millisecond
 */
struct answer_wait {
	unsigned int looks;
	double start;
	bool slow;
};

/*
 * Another look at the partner's answer: false, with @ans late, once the
 * answer is ANSWER_LATE_S late.
 */
static bool still_waiting(struct answered *ans, struct answer_wait *a)
{
	static const struct timespec ms = { .tv_nsec = 1000000 };
	double t;

	if (a->slow) {
		nanosleep(&ms, NULL);
	} else {
		relax();
		if (++a->looks % LOOKS_PER_CLOCK)
			return true;
	}
	t = now_s();
	if (!a->start)
		a->start = t;
	a->slow = t - a->start >= ANSWER_SPIN_S;
	ans->late = t - a->start >= ANSWER_LATE_S;
	return !ans->late;
}

/* bench_pair()'s measurement of a spinning floor, whose state is @ctx. */
static void measure_answered(const struct work *w, struct result *r,
			     void *ctx)
{
	struct answered *ans = ctx;

	run_sync(w, ans->op, ctx, r);
	if (!ans->late)
		return;
	r->ok = false;
	snprintf(r->note, sizeof(r->note),
		 "no answer from the partner thread within %d s",
		 ANSWER_LATE_S);
}

static void *partner(void *arg)
{
	struct pingpong *pp = arg;
	uint_least64_t seen = 0;

	while (!atomic_load_explicit(&pp->stop, memory_order_relaxed)) {
		uint_least64_t v = atomic_load_explicit(&pp->ping,
							memory_order_acquire);

		if (v == seen) {
			relax();
			continue;
		}
		seen = v;
		atomic_store_explicit(&pp->pong, v, memory_order_release);
	}
	return NULL;
}

static long round_trip(void *arg)
{
	struct pingpong *pp = arg;
	uint_least64_t v = atomic_load_explicit(&pp->ping,
						memory_order_relaxed) + 1;
	struct answer_wait a = { 0 };

	if (pp->ans.late)
		return -1;
	atomic_store_explicit(&pp->ping, v, memory_order_release);
	while (atomic_load_explicit(&pp->pong, memory_order_acquire) != v)
		if (!still_waiting(&pp->ans, &a))
			return -1;
	return 0;
}

/* The first two CPUs this process may run on; false if it has one. */
static bool two_cpus(const cpu_set_t *allowed, int *a, int *b)
{
	int n = 0;

	for (int cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++) {
		if (!CPU_ISSET(cpu, allowed))
			continue;
		if (n++ == 0)
			*a = cpu;
		else
			*b = cpu;
	}
	return n == 2;
}

static int pin(pthread_t t, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(t, sizeof(set), &set);
}

void bench_pair(const struct work *w, struct result *r,
		void *(*partner_fn)(void *),
		void (*measure)(const struct work *, struct result *, void *),
		void *ctx, atomic_bool *stop)
{
	pthread_t self = pthread_self(), t;
	cpu_set_t allowed;
	int a, b, ret;

	if (pthread_getaffinity_np(self, sizeof(allowed), &allowed) ||
	    !two_cpus(&allowed, &a, &b)) {
		snprintf(r->note, sizeof(r->note), "needs two CPUs");
		return;
	}
	atomic_store(stop, false);
	ret = pthread_create(&t, NULL, partner_fn, ctx);
	if (ret) {
		snprintf(r->note, sizeof(r->note), "thread: %s", strerror(ret));
		return;
	}
	if (pin(t, b) || pin(self, a))
		snprintf(r->note, sizeof(r->note), "cannot pin to CPUs %d, %d",
			 a, b);
	else
		measure(w, r, ctx);
	atomic_store(stop, true);
	pthread_join(t, NULL);
	pthread_setaffinity_np(self, sizeof(allowed), &allowed);
}

/**
 * pingpong_run() - measure the round trip between two CPUs
 * @w: the measurement (NOP, sync)
 * @r: the result; not ok, with the reason, if there are not two CPUs or
 *	the partner stopped answering
 */
void pingpong_run(const struct work *w, struct result *r)
{
	struct pingpong pp = { .ans.op = round_trip };

	atomic_store(&pp.ping, 0);
	atomic_store(&pp.pong, 0);
	bench_pair(w, r, partner, measure_answered, &pp, &pp.stop);
}

#define RING_DEPTH	64

/**
 * struct ring_floor - a vzip queue's rings in process memory
 * @ans: the measuring thread's request and whether it is late
 * @dus: the control page, then the SQ, then the CQ, as a queue's DUS
 *	region; page-aligned
 * @sq_next: the application's next SQ index (its private copy)
 * @cq_next: the application's next CQ index
 * @tag: the last request's user_data
 * @stop: the engine thread leaves
 */
struct ring_floor {
	struct answered ans;
	unsigned char *dus;
	uint32_t sq_next, cq_next;
	uint64_t tag;
	atomic_bool stop;
};

static uint32_t *ctrl(const struct ring_floor *f, unsigned int off)
{
	return (uint32_t *)(f->dus + off);
}

static unsigned char *sq_slot(const struct ring_floor *f, uint32_t i)
{
	return f->dus + WD_RING_CTRL_SIZE +
	       (size_t)(i & (RING_DEPTH - 1)) * sizeof(struct vzip_sqe);
}

static unsigned char *cq_slot(const struct ring_floor *f, uint32_t i)
{
	return f->dus + WD_RING_CTRL_SIZE +
	       (size_t)RING_DEPTH * sizeof(struct vzip_sqe) +
	       (size_t)(i & (RING_DEPTH - 1)) * sizeof(struct vzip_cqe);
}

/* The engine: fetch at sq_head, publish sq_head, complete, publish cq_tail. */
static void *ring_engine(void *arg)
{
	struct ring_floor *f = arg;
	uint32_t sq_head = 0, cq_tail = 0;

	while (!atomic_load_explicit(&f->stop, memory_order_relaxed)) {
		struct vzip_sqe sqe;
		struct vzip_cqe cqe = { 0 };

		if (__atomic_load_n(ctrl(f, WD_RING_CTRL_SQ_TAIL),
				    __ATOMIC_ACQUIRE) == sq_head ||
		    cq_tail - __atomic_load_n(ctrl(f, WD_RING_CTRL_CQ_HEAD),
					      __ATOMIC_ACQUIRE) >= RING_DEPTH) {
			relax();
			continue;
		}
		memcpy(&sqe, sq_slot(f, sq_head), sizeof(sqe));
		__atomic_store_n(ctrl(f, WD_RING_CTRL_SQ_HEAD), ++sq_head,
				 __ATOMIC_RELEASE);
		cqe.user_data = sqe.user_data;
		cqe.status = sqe.opcode == VZIP_OP_NOP ? VZIP_STS_OK :
			     VZIP_STS_INVALID;
		memcpy(cq_slot(f, cq_tail), &cqe, sizeof(cqe));
		__atomic_store_n(ctrl(f, WD_RING_CTRL_CQ_TAIL), ++cq_tail,
				 __ATOMIC_RELEASE);
	}
	return NULL;
}

/* The application: what the library's ring layer does for one NOP. */
static long ring_nop(void *arg)
{
	struct ring_floor *f = arg;
	struct vzip_sqe sqe = { .opcode = VZIP_OP_NOP,
				.version = VZIP_SQE_VERSION,
				.user_data = ++f->tag };
	struct answer_wait a = { 0 };
	struct vzip_cqe cqe;

	if (f->ans.late)
		return -1;
	memcpy(sq_slot(f, f->sq_next), &sqe, sizeof(sqe));
	__atomic_store_n(ctrl(f, WD_RING_CTRL_SQ_TAIL), ++f->sq_next,
			 __ATOMIC_RELEASE);
	/* the doorbell check: this engine never sleeps, the flag stays 0 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(ctrl(f, WD_RING_CTRL_DEV_FLAGS), __ATOMIC_RELAXED) &
	    WD_RING_DEV_F_NEED_WAKEUP)
		return -1;
	while (__atomic_load_n(ctrl(f, WD_RING_CTRL_CQ_TAIL),
			       __ATOMIC_ACQUIRE) == f->cq_next)
		if (!still_waiting(&f->ans, &a))
			return -1;
	memcpy(&cqe, cq_slot(f, f->cq_next), sizeof(cqe));
	__atomic_store_n(ctrl(f, WD_RING_CTRL_CQ_HEAD), ++f->cq_next,
			 __ATOMIC_RELEASE);
	return cqe.user_data == f->tag && cqe.status == VZIP_STS_OK ? 0 : -1;
}

/**
 * ring_floor_run() - measure a NOP through a vzip queue's rings served by
 *	a thread on another CPU
 * @w: the measurement (NOP, sync)
 * @r: the result; not ok, with the reason, if there are not two CPUs, no
 *	memory, or the engine thread stopped answering
 */
void ring_floor_run(const struct work *w, struct result *r)
{
	size_t size = WD_RING_CTRL_SIZE +
		      RING_DEPTH * (sizeof(struct vzip_sqe) +
				    sizeof(struct vzip_cqe));
	struct ring_floor f = { .ans.op = ring_nop };

	f.dus = aligned_alloc(4096, (size + 4095) & ~(size_t)4095);
	if (!f.dus) {
		snprintf(r->note, sizeof(r->note), "out of memory");
		return;
	}
	memset(f.dus, 0, size);
	bench_pair(w, r, ring_engine, measure_answered, &f, &f.stop);
	free(f.dus);
}

/**
 * struct phase_floor - rings whose entries carry their phase
 * @ans: the measuring thread's request and whether it is late
 * @dev_flags: the engine's flags, as the control page's, on a line of its
 *	own (this engine never sleeps: it stays 0)
 * @sq_next: the application's next SQ index, on the next line
 * @cq_next: the application's next CQ index
 * @tag: the last request's user_data
 * @stop: the engine thread leaves
 * @sq: RING_DEPTH descriptors; the phase is in rsvd[0]
 * @cq: RING_DEPTH completions; the phase is in rsvd0
 */
struct phase_floor {
	struct answered ans;

	_Alignas(64) uint32_t dev_flags;
	_Alignas(64) uint32_t sq_next;
	uint32_t cq_next;
	uint64_t tag;
	atomic_bool stop;
	struct vzip_sqe *sq;
	struct vzip_cqe *cq;
};

/*
 * The phase of a new entry at index @i: 1 on the first lap (the rings
 * start zeroed), 0 on the second, and so on.  An application with at most
 * RING_DEPTH requests in flight never finds the CQ full, so neither side
 * reads the other's index.
 */
static uint8_t phase_of(uint32_t i)
{
	return !((i / RING_DEPTH) & 1);
}

/* The engine: watch the next descriptor, complete it, flip its slot's phase. */
static void *phase_engine(void *arg)
{
	struct phase_floor *f = arg;
	uint32_t head = 0, tail = 0;

	while (!atomic_load_explicit(&f->stop, memory_order_relaxed)) {
		struct vzip_sqe *s = &f->sq[head % RING_DEPTH];
		struct vzip_cqe *c = &f->cq[tail % RING_DEPTH];
		struct vzip_sqe sqe;

		if (__atomic_load_n(&s->rsvd[0], __ATOMIC_ACQUIRE) !=
		    phase_of(head)) {
			relax();
			continue;
		}
		memcpy(&sqe, s, sizeof(sqe));
		head++;
		c->user_data = sqe.user_data;
		c->consumed = 0;
		c->produced = 0;
		c->checksum = 0;
		c->status = sqe.opcode == VZIP_OP_NOP ? VZIP_STS_OK :
			    VZIP_STS_INVALID;
		c->flags = 0;
		__atomic_store_n(&c->rsvd0, phase_of(tail++), __ATOMIC_RELEASE);
	}
	return NULL;
}

/* The application: a NOP as ring_nop() sends it, on the phased rings. */
static long phase_nop(void *arg)
{
	struct phase_floor *f = arg;
	struct vzip_sqe *s = &f->sq[f->sq_next % RING_DEPTH];
	struct vzip_cqe *c = &f->cq[f->cq_next % RING_DEPTH];
	struct answer_wait a = { 0 };

	if (f->ans.late)
		return -1;
	memset(s, 0, offsetof(struct vzip_sqe, rsvd));
	s->opcode = VZIP_OP_NOP;
	s->version = VZIP_SQE_VERSION;
	s->user_data = ++f->tag;
	__atomic_store_n(&s->rsvd[0], phase_of(f->sq_next++),
			 __ATOMIC_RELEASE);
	/* the doorbell check, as on the indexed rings */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&f->dev_flags, __ATOMIC_RELAXED) &
	    WD_RING_DEV_F_NEED_WAKEUP)
		return -1;
	while (__atomic_load_n(&c->rsvd0, __ATOMIC_ACQUIRE) !=
	       phase_of(f->cq_next))
		if (!still_waiting(&f->ans, &a))
			return -1;
	f->cq_next++;
	return c->user_data == f->tag && c->status == VZIP_STS_OK ? 0 : -1;
}

/**
 * phase_floor_run() - measure a NOP through rings whose entries carry
 *	their phase, served by a thread on another CPU
 * @w: the measurement (NOP, sync)
 * @r: the result; not ok, with the reason, if there are not two CPUs, no
 *	memory, or the engine thread stopped answering
 */
void phase_floor_run(const struct work *w, struct result *r)
{
	struct phase_floor f = { .ans.op = phase_nop };

	f.sq = aligned_alloc(4096, RING_DEPTH * sizeof(*f.sq));
	f.cq = aligned_alloc(4096, RING_DEPTH * sizeof(*f.cq));
	if (!f.sq || !f.cq) {
		snprintf(r->note, sizeof(r->note), "out of memory");
	} else {
		memset(f.sq, 0, RING_DEPTH * sizeof(*f.sq));
		memset(f.cq, 0, RING_DEPTH * sizeof(*f.cq));
		bench_pair(w, r, phase_engine, measure_answered, &f, &f.stop);
	}
	free(f.sq);
	free(f.cq);
}
