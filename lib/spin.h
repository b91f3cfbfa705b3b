/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: how a thread waiting for a completion spins before it
 * sleeps in poll().
 *
 * A completion that comes within microseconds (a NOP, a small request)
 * is caught fastest by spinning; one that takes milliseconds (a large
 * compression) is not, and spinning for it only burns the CPU that the
 * engine or another task could use, and the switch back in over that task
 * when the completion comes.  So the spin adapts, per queue: a wait that
 * had to sleep is a miss; after WD_SPIN_MISSES misses in a row the
 * queue's waiters sleep at once, except every WD_SPIN_PROBE-th wait,
 * which spins again and, if the spin catches its completion, brings the
 * spinning back.
 */
#ifndef WD_SPIN_H
#define WD_SPIN_H
#include <stdbool.h>

/* How long a waiter spins before it sleeps in poll() (WD_WAIT=poll). */
#define WD_SPIN_NS	5000
/* Misses in a row after which waiters go to sleep without spinning. */
#define WD_SPIN_MISSES	4
/* Then every this many waits spin again, to notice short requests. */
#define WD_SPIN_PROBE	16

/**
 * struct wd_spin - the spin policy's state, one per queue
 * @misses: waits in a row that had to sleep, up to WD_SPIN_MISSES
 * @skipped: waits asked about while the misses were at their limit; the
 *	     WD_SPIN_PROBE-th of each run spins (a probe)
 *
 * Both are read and written with relaxed atomics and no lock: threads
 * racing on them only make one wait spin or not, never wrongly wait.
 */
struct wd_spin {
	unsigned int misses;
	unsigned int skipped;
};

/**
 * wd_spin_pays() - should this wait spin before it sleeps?
 * @s: the queue's spin state
 *
 * Return: true while recent waits were caught by spinning, and on every
 * WD_SPIN_PROBE-th wait after that.
 */
bool wd_spin_pays(struct wd_spin *s);

/**
 * wd_spin_note() - what a wait that may sleep came to
 * @s: the queue's spin state
 * @slept: the wait slept in poll() before its condition held
 */
void wd_spin_note(struct wd_spin *s, bool slept);

/**
 * wd_spin_hint() - one round of a spin: the CPU's spin-wait hint (PAUSE,
 * YIELD), where it is cheap (spin.c)
 */
void wd_spin_hint(void);

#endif
