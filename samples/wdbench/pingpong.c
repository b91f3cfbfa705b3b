// SPDX-License-Identifier: GPL-2.0
/*
 * wdbench: the floor of a NOP round trip.  A NOP at depth 1 is a message
 * from the application's CPU to an engine on another CPU and back,
 * through shared memory.  Two threads of this process, pinned to two
 * CPUs, pass a counter back and forth the same way: each round trip is
 * one "operation".  No device can answer faster than this, so the NOP
 * figures are judged against it.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "wdbench.h"

/**
 * struct pingpong - the two threads' shared state
 * @ping: the measuring thread's counter, on a cache line of its own
 * @pong: the partner's answer, on another
 * @stop: the partner leaves
 */
struct pingpong {
	_Alignas(64) atomic_uint_least64_t ping;
	_Alignas(64) atomic_uint_least64_t pong;
	_Alignas(64) atomic_bool stop;
};

static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
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

	atomic_store_explicit(&pp->ping, v, memory_order_release);
	while (atomic_load_explicit(&pp->pong, memory_order_acquire) != v)
		relax();
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

/**
 * pingpong_run() - measure the round trip between two CPUs
 * @w: the measurement (NOP, sync)
 * @r: the result; not ok, with the reason, if there are not two CPUs
 *
 * The calling thread is pinned for the measurement and gets its former
 * CPUs back afterwards.
 */
void pingpong_run(const struct work *w, struct result *r)
{
	struct pingpong pp;
	pthread_t self = pthread_self(), t;
	cpu_set_t allowed;
	int a, b, ret;

	if (pthread_getaffinity_np(self, sizeof(allowed), &allowed) ||
	    !two_cpus(&allowed, &a, &b)) {
		snprintf(r->note, sizeof(r->note), "needs two CPUs");
		return;
	}
	atomic_store(&pp.ping, 0);
	atomic_store(&pp.pong, 0);
	atomic_store(&pp.stop, false);
	ret = pthread_create(&t, NULL, partner, &pp);
	if (ret) {
		snprintf(r->note, sizeof(r->note), "thread: %s", strerror(ret));
		return;
	}
	if (pin(t, b) || pin(self, a))
		snprintf(r->note, sizeof(r->note), "cannot pin to CPUs %d, %d",
			 a, b);
	else
		run_sync(w, round_trip, &pp, r);
	atomic_store(&pp.stop, true);
	pthread_join(t, NULL);
	pthread_setaffinity_np(self, sizeof(allowed), &allowed);
}
