// SPDX-License-Identifier: GPL-2.0
/*
 * libwarpdrive's adaptive spin (lib/spin.h), the policy alone: whether a
 * waiter spins before it sleeps in poll(), from what the queue's earlier
 * waits came to (a long wait: one that slept and outlasted
 * WD_SPIN_LONG_NS).  Built with lib/spin.c; what it saves is measured by
 * wdbench (Documentation/benchmarks.rst), not here.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "spin.h"
#include "tap.h"

#define CASES	7
#define THREADS	4

/* How many of @n waits would spin, each noted as long or not. */
static unsigned int spins_of(struct wd_spin *s, unsigned int n, bool long_wait)
{
	unsigned int spun = 0;

	for (unsigned int i = 0; i < n; i++) {
		spun += wd_spin_pays(s);
		wd_spin_note(s, long_wait);
	}
	return spun;
}

static void *misser(void *arg)
{
	struct wd_spin *s = arg;

	for (int i = 0; i < 100000; i++) {
		wd_spin_pays(s);
		wd_spin_note(s, true);
	}
	return NULL;
}

int main(void)
{
	struct wd_spin s = { 0 };
	pthread_t t[THREADS];
	unsigned int spun;
	bool ok = true;

	tap_plan(CASES);
	tap_ok(wd_spin_pays(&s), "a queue's first wait spins");

	spun = spins_of(&s, WD_SPIN_MISSES, true);
	tap_ok(spun == WD_SPIN_MISSES,
	       "the first %d long waits all spun (%u did)",
	       WD_SPIN_MISSES, spun);

	spun = spins_of(&s, 10 * WD_SPIN_PROBE, true);
	tap_ok(spun == 10,
	       "then 1 wait in %d spins while every wait is long: %u of %d",
	       WD_SPIN_PROBE, spun, 10 * WD_SPIN_PROBE);

	/* the probe's wait is short: spinning comes back */
	while (!wd_spin_pays(&s))
		wd_spin_note(&s, true);
	wd_spin_note(&s, false);
	spun = spins_of(&s, 3 * WD_SPIN_PROBE, false);
	tap_ok(spun == 3 * WD_SPIN_PROBE,
	       "a short wait after them makes every wait spin again (%u of %d)",
	       spun, 3 * WD_SPIN_PROBE);

	/* a few long waits between short ones do not stop it */
	for (int i = 0; i < 50 && ok; i++) {
		ok = spins_of(&s, WD_SPIN_MISSES - 1, true) ==
		     WD_SPIN_MISSES - 1;
		ok = ok && spins_of(&s, 1, false) == 1;
	}
	tap_ok(ok, "%d long waits in a row, then a short one, never stop the spinning",
	       WD_SPIN_MISSES - 1);

	/* threads noting misses at once: the count stays within its limit */
	s = (struct wd_spin){ 0 };
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, misser, &s);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	tap_ok(s.misses <= WD_SPIN_MISSES,
	       "%d threads noting long waits at once leave %u, within the limit (%d)",
	       THREADS, s.misses, WD_SPIN_MISSES);
	/* a thread's late store may have left one fewer: one more miss */
	wd_spin_note(&s, true);
	spun = spins_of(&s, 4 * WD_SPIN_PROBE, true);
	tap_ok(spun == 4, "and only probes spin after them: %u of %d",
	       spun, 4 * WD_SPIN_PROBE);
	return tap_done();
}
