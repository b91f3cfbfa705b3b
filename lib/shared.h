/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: the queue of each device class that a process's sessions
 * share by default.
 */
#ifndef WD_SHARED_H
#define WD_SHARED_H

#include "queue_priv.h"

/**
 * wd_shared_queue() - a reference to the process's shared queue of a class
 * @proto: the class (wd_vzip_ring, wd_vcrypt_ring)
 * @why: when there is none, why (no device, isolated, no free queue)
 *
 * Opens it on first use, and again in a forked child or after its device
 * failed.  After a failed attempt the next one waits a second, so a
 * process without a device does not scan sysfs on every request.
 *
 * Return: the queue (drop the reference with wd_queue_close()), or NULL.
 */
struct wd_queue *wd_shared_queue(const struct wd_ring_proto *proto,
				 enum wd_reason *why);

/**
 * wd_shared_fork_init() - register the library's fork() handlers now
 *
 * For a caller that holds its own lock across fork() and takes it before
 * the library's (a session's lock, under which queues open): it registers
 * its handlers after this returns, since prepare handlers run in the
 * reverse order of their registration.  Once per process; later calls
 * return at once.
 */
void wd_shared_fork_init(void);

#define WD_RETRY_NS	1000000000LL

#endif /* WD_SHARED_H */
