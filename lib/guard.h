/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: surviving the removal of a device whose queues we map.
 *
 * Documentation/vzip.rst: when a device goes away its queues' mappings
 * are revoked and a later access raises SIGBUS.  The library reads the
 * rings without system calls, so it cannot always know in time.  While a
 * queue is mapped, a SIGBUS handler of ours recognises faults in memory
 * the library owns (the register page, the rings, its own copies in the
 * shared region) and puts anonymous memory there instead, with the
 * queue's status word saying "dead, removed"; the library then sees a
 * dead queue and fails or falls back cleanly.  Any other SIGBUS (also in
 * buffers an application took from wd_buf_alloc()) goes to the handler
 * that was there before, or kills the process as it would have.
 * WD_SIGBUS=0 in the environment leaves the signal alone.
 */
#ifndef WD_GUARD_H
#define WD_GUARD_H

#include <stdbool.h>
#include <stddef.h>

struct wd_queue;

/* Watch the regions of a newly mapped queue. */
void wd_guard_add(struct wd_queue *q);
/* Stop watching them, before they are unmapped. */
void wd_guard_remove(struct wd_queue *q);
/* In a forked child: the parent's regions are not ours any more. */
void wd_guard_forget_all(void);
/*
 * queue.c's fork handlers: hold the table's lock across fork(), so that a
 * child never inherits it locked (taken last, after queues_lock).
 */
void wd_guard_lock_fork(void);
void wd_guard_unlock_fork(void);

/* Has a revoked region of @q been replaced since it was mapped? */
bool wd_guard_revoked(const struct wd_queue *q);

#endif /* WD_GUARD_H */
