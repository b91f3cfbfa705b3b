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
 * slept and lasted over WD_SPIN_LONG_NS is a miss; after WD_SPIN_MISSES
 * misses in a row the queue's waiters sleep at once, except every
 * WD_SPIN_PROBE-th wait, which spins again.  A wait shorter than that,
 * slept or not, brings the spinning back.  Not "any wait that slept": a
 * short request waited for by a sleeping thread finds the engine polling
 * slowly (it polls fastest right after a completion), so it too misses a
 * short spin, and the spin would never come back.
 */
#ifndef WD_SPIN_H
#define WD_SPIN_H
#include <stdbool.h>

/* How long a waiter spins before it sleeps in poll() (WD_WAIT=poll). */
#define WD_SPIN_NS	5000
/*
 * A wait longer than this is a miss: 200 times the spin, so that where
 * waits are this long a spin costs at most half a percent of them.
 */
#define WD_SPIN_LONG_NS	(200 * WD_SPIN_NS)
/* Misses in a row after which waiters go to sleep without spinning. */
#define WD_SPIN_MISSES	4
/* Then every this many waits spin again, to notice short requests. */
#define WD_SPIN_PROBE	16

/**
 * struct wd_spin - the spin policy's state, one per queue
 * @misses: long waits in a row, up to WD_SPIN_MISSES
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
 * Return: true unless the last WD_SPIN_MISSES waits were long, and then
 * on every WD_SPIN_PROBE-th wait.
 */
bool wd_spin_pays(struct wd_spin *s);

/**
 * wd_spin_note() - what a wait that may sleep came to
 * @s: the queue's spin state
 * @long_wait: the wait slept in poll() and lasted over WD_SPIN_LONG_NS
 */
void wd_spin_note(struct wd_spin *s, bool long_wait);

/**
 * wd_spin_hint() - one round of a spin: the CPU's spin-wait hint (PAUSE,
 * YIELD), where it is cheap (spin.c)
 */
void wd_spin_hint(void);

#endif
