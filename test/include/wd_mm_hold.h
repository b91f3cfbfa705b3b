/* SPDX-License-Identifier: GPL-2.0-or-later WITH Linux-syscall-note */
/*
 * The interface of wd_mm_hold (test/kmod/wd_mm_hold.c), a test fixture
 * that holds the mmap_lock of the process that asks, for reading, as a
 * thread in a slow page fault (a FUSE or NFS file whose server stalls)
 * holds it.  /dev/wd_mm_hold; one hold per open file.
 */
#ifndef _WD_MM_HOLD_H
#define _WD_MM_HOLD_H

#include <linux/ioctl.h>

/* the longest a hold lasts, should nobody end it */
#define WD_MM_HOLD_MAX_MS	30000

/*
 * WD_MM_HOLD - take the caller's mmap_lock for reading and keep it until
 * WD_MM_RELEASE on the same file (from another thread, or a process that
 * shares the file), a signal, or WD_MM_HOLD_MAX_MS.  0 once released,
 * ETIMEDOUT after WD_MM_HOLD_MAX_MS, EINTR for a signal, EBUSY if the
 * file holds already.
 */
#define WD_MM_HOLD		_IO('H', 1)
/* WD_MM_RELEASE - end the file's hold (0 also when there is none) */
#define WD_MM_RELEASE		_IO('H', 2)
/* WD_MM_STATE - one of these for the file's hold */
#define WD_MM_STATE		_IO('H', 3)

enum {
	WD_MM_NOT_HELD,
	WD_MM_HELD,
	WD_MM_HELD_CONTENDED,	/* held, and a task waits for the lock */
};

#endif /* _WD_MM_HOLD_H */
