// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: the SIGBUS guard for revoked queue mappings (guard.h).
 *
 * The handler may run at any time in any thread, so it takes no lock: the
 * table of watched regions is an array of entries published with atomics,
 * and everything it calls (mmap, sigaction) is async-signal-safe.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guard.h"
#include "mem.h"
#include "queue_priv.h"

#define GUARD_SLOTS	256

enum guard_kind {
	GUARD_MMIO,
	GUARD_DUS,
	GUARD_SS,
};

/**
 * struct guard_entry - a watched region
 * @start: first byte; 0 while the entry is free (written last)
 * @end: one past the last byte
 * @kind: enum guard_kind
 * @q: its queue
 */
struct guard_entry {
	atomic_uintptr_t start;
	uintptr_t end;
	enum guard_kind kind;
	struct wd_queue *q;
};

static struct guard_entry table[GUARD_SLOTS];
/*
 * table_lock serialises writers of the table; the handler only reads.
 * Held across fork by queue.c's fork handlers.
 */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction old_action;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static bool installed;
static uintptr_t page_mask;	/* set before the handler is installed */

/* Replaces [start, end) by zero-filled private memory. */
static void replace(uintptr_t start, uintptr_t end)
{
	mmap((void *)start, end - start, PROT_READ | PROT_WRITE,
	     MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* Hands a fault that is not ours to whoever had SIGBUS before. */
static void chain(int sig, siginfo_t *si, void *uc)
{
	if ((old_action.sa_flags & SA_SIGINFO) && old_action.sa_sigaction) {
		old_action.sa_sigaction(sig, si, uc);
		return;
	}
	if (old_action.sa_handler != SIG_DFL &&
	    old_action.sa_handler != SIG_IGN) {
		old_action.sa_handler(sig);
		return;
	}
	/*
	 * The default action.  A fault's access faults again and kills as it
	 * would have; a SIGBUS sent (kill(), sigqueue()) happens only once.
	 */
	signal(SIGBUS, SIG_DFL);
	if (si->si_code <= 0)
		raise(SIGBUS);
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	int saved_errno = errno;

	/* a signal sent has no fault address, whatever si_addr reads */
	for (int i = 0; si->si_code > 0 && i < GUARD_SLOTS; i++) {
		struct guard_entry *e = &table[i];
		uintptr_t start = atomic_load_explicit(&e->start,
						       memory_order_acquire);
		struct uacce_queue_status *st;
		uintptr_t p;

		if (!start || a < start || a >= e->end)
			continue;
		switch (e->kind) {
		case GUARD_SS:
			/* the application's data is gone: not ours to mask */
			if (wd_mem_is_user(e->q->mem, (void *)a))
				break;
			atomic_store(&e->q->revoked, true);
			p = a & page_mask;
			replace(p, p + ~page_mask + 1);
			errno = saved_errno;
			return;
		case GUARD_DUS:
			atomic_store(&e->q->revoked, true);
			replace(start, e->end);
			st = (struct uacce_queue_status *)
			     (start + e->q->status_offset);
			st->reason = UACCE_QREASON_REMOVED;
			st->state = UACCE_QSTATE_DEAD;
			errno = saved_errno;
			return;
		default:
			atomic_store(&e->q->revoked, true);
			replace(start, e->end);
			errno = saved_errno;
			return;
		}
		break;
	}
	chain(sig, si, uc);
	errno = saved_errno;
}

static void install(void)
{
	struct sigaction sa;
	const char *env = getenv("WD_SIGBUS");

	if (env && !strcmp(env, "0"))
		return;
	page_mask = ~((uintptr_t)sysconf(_SC_PAGESIZE) - 1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	installed = sigaction(SIGBUS, &sa, &old_action) == 0;
}

static void watch(struct wd_queue *q, void *p, size_t size,
		  enum guard_kind kind)
{
	if (!p || !size)
		return;
	for (int i = 0; i < GUARD_SLOTS; i++) {
		struct guard_entry *e = &table[i];

		if (atomic_load_explicit(&e->start, memory_order_relaxed))
			continue;
		e->end = (uintptr_t)p + size;
		e->kind = kind;
		e->q = q;
		atomic_store_explicit(&e->start, (uintptr_t)p,
				      memory_order_release);
		return;
	}
	/* more than GUARD_SLOTS regions: this one is not watched */
}

void wd_guard_add(struct wd_queue *q)
{
	pthread_once(&install_once, install);
	if (!installed)
		return;
	pthread_mutex_lock(&table_lock);
	watch(q, q->mmio, q->mmio_size, GUARD_MMIO);
	watch(q, q->dus, q->dus_size, GUARD_DUS);
	watch(q, q->ss, q->ss_size, GUARD_SS);
	pthread_mutex_unlock(&table_lock);
}

void wd_guard_remove(struct wd_queue *q)
{
	if (!installed)
		return;
	pthread_mutex_lock(&table_lock);
	for (int i = 0; i < GUARD_SLOTS; i++)
		if (table[i].q == q)
			atomic_store_explicit(&table[i].start, 0,
					      memory_order_release);
	pthread_mutex_unlock(&table_lock);
}

void wd_guard_lock_fork(void)
{
	pthread_mutex_lock(&table_lock);
}

void wd_guard_unlock_fork(void)
{
	pthread_mutex_unlock(&table_lock);
}

void wd_guard_forget_all(void)
{
	/* called in a forked child, where no other thread runs */
	for (int i = 0; i < GUARD_SLOTS; i++)
		atomic_store_explicit(&table[i].start, 0,
				      memory_order_release);
}

bool wd_guard_revoked(const struct wd_queue *q)
{
	return atomic_load(&q->revoked);
}
