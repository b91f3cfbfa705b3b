// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: how a waiter spins (spin.h): the adaptive choice to spin
 * at all, and the spin-wait hint of each round.
 */
#include <pthread.h>
#include <stdint.h>

#include "internal.h"
#include "spin.h"

bool wd_spin_pays(struct wd_spin *s)
{
	if (__atomic_load_n(&s->misses, __ATOMIC_RELAXED) < WD_SPIN_MISSES)
		return true;
	return __atomic_add_fetch(&s->skipped, 1, __ATOMIC_RELAXED) %
	       WD_SPIN_PROBE == 0;
}

void wd_spin_note(struct wd_spin *s, bool long_wait)
{
	unsigned int misses = __atomic_load_n(&s->misses, __ATOMIC_RELAXED);

	if (!long_wait)
		misses = 0;
	else if (misses < WD_SPIN_MISSES)
		misses++;
	else
		return;		/* nothing changes: no store to share */
	__atomic_store_n(&s->misses, misses, __ATOMIC_RELAXED);
}

/*
 * Each empty look at the ring executes the CPU's spin-wait hint (PAUSE,
 * YIELD), as the CPU vendors ask: it leaves the core to a hyper-thread
 * sibling and avoids a pipeline flush when the loop ends.  Unless the hint
 * is slow here: a look is then late by the hint's time.  On real CPUs a
 * PAUSE takes 10-150 cycles; under an emulator such as QEMU's TCG it ends
 * the translated block and costs a trip through the emulator's main loop
 * (0.2 us, as much as the look itself).  Measured once per process: the
 * least time per hint of a few timed batches (a preemption during one
 * does not count); above SPIN_HINT_MAX_NS the loop spins plainly.
 */
#define SPIN_HINT_MAX_NS	100
#define SPIN_HINT_BATCH		64
#define SPIN_HINT_TRIES		4

static pthread_once_t spin_hint_once = PTHREAD_ONCE_INIT;
static bool spin_hint;	/* written once, under spin_hint_once */

static inline void spin_hint_insn(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

static void spin_hint_init(void)
{
	int64_t best = INT64_MAX;

	for (int i = 0; i < SPIN_HINT_TRIES; i++) {
		int64_t t0 = wd_now_ns(), t;

		for (int j = 0; j < SPIN_HINT_BATCH; j++)
			spin_hint_insn();
		t = wd_now_ns() - t0;
		if (t < best)
			best = t;
	}
	spin_hint = best / SPIN_HINT_BATCH <= SPIN_HINT_MAX_NS;
}

void wd_spin_hint(void)
{
	pthread_once(&spin_hint_once, spin_hint_init);
	if (spin_hint)
		spin_hint_insn();
}
