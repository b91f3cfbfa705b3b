/* SPDX-License-Identifier: GPL-2.0-or-later WITH Linux-syscall-note */
/*
 * The interface of wd_mm_hold (test/kmod/wd_mm_hold.c), a test fixture
 * that makes page faults stall as on a FUSE or NFS file whose server
 * stalls: it holds the mmap_lock of the process that asks, for reading,
 * as a thread in such a fault holds it; or it holds a page of a file
 * locked, as a read that does not end does, so that a fault on the page
 * waits; or it makes a file whose reads do not end until told to, as a
 * stalled server's, so that a fault that must read a page itself waits,
 * or whose reads fail.
 * /dev/wd_mm_hold; one hold per open file.
 */
#ifndef _WD_MM_HOLD_H
#define _WD_MM_HOLD_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* the fixture's node */
#define WD_MM_HOLD_DEV		"/dev/wd_mm_hold"
/*
 * A file the tests hold a page of (WD_MM_HOLD_PAGE): on the guests' root,
 * 9p, whose faults go through the page cache (not shmem, which waits for
 * a page's lock whatever the fault's flags), and read by nothing else.
 */
#define WD_MM_HOLD_FILE		"/usr/share/common-licenses/GPL-2"

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
/*
 * WD_MM_RELEASE - end the file's hold (0 also when there is none).  It
 * ends the hold in place only: one asked for after it is not ended.
 */
#define WD_MM_RELEASE		_IO('H', 2)
/* WD_MM_STATE - one of these for the file's hold */
#define WD_MM_STATE		_IO('H', 3)

enum {
	WD_MM_NOT_HELD,
	WD_MM_HELD,
	WD_MM_HELD_CONTENDED,	/* held, and a task waits for it */
};

/* WD_MM_HOLD_PAGE's argument: the page of @fd's file at @offset */
struct wd_mm_hold_page {
	__s32 fd;
	__u32 reserved;		/* 0 */
	__u64 offset;		/* a multiple of the page size */
};

/*
 * WD_MM_HOLD_PAGE - read the page into the file's page cache, lock it, and
 * keep it locked as WD_MM_HOLD keeps the mmap_lock, with the same results;
 * also EBADF for a bad @fd, EINVAL for a @reserved or @offset that is not
 * right, or a file that has no pages, EAGAIN if the page left the file
 * before it was locked (the read's errno if it fails).
 */
#define WD_MM_HOLD_PAGE		_IOW('H', 4, struct wd_mm_hold_page)

/* the size of a file of WD_MM_STALL_FILE, a multiple of any page size */
#define WD_MM_STALL_SIZE	(1 << 16)

/* the byte of a file of WD_MM_STALL_FILE at offset @off, once read */
static inline __u8 wd_mm_stall_byte(__u64 off)
{
	return (__u8)(off ^ (off >> 8) ^ 0x5a);
}

/* WD_MM_STALL_FILE's argument: how the new file's reads go */
enum {
	/* each waits, as a stalled FUSE or NFS server's, until released */
	WD_MM_READS_STALL,
	/* each fails at once, leaving its page not up to date: an I/O error */
	WD_MM_READS_FAIL,
};

/*
 * WD_MM_STALL_FILE - a new file, opened read-only (close-on-exec), of
 * WD_MM_STALL_SIZE bytes, none of them in memory yet, whose reads go as
 * the argument says (EINVAL for another).  WD_MM_READS_STALL: a read of
 * one of its pages, by any task and any path (read(), a page fault,
 * readahead), is started but does not end, as with a stalled FUSE or NFS
 * server, until WD_MM_RELEASE on this file, its last close, or
 * WD_MM_HOLD_MAX_MS after the first one started; from then on reads end
 * at once.  Its descriptor is the returned value.  On it:
 *  - WD_MM_RELEASE ends the reads that wait and every later one;
 *  - WD_MM_STATE is WD_MM_NOT_HELD while no read waits, WD_MM_HELD while
 *    one does, WD_MM_HELD_CONTENDED if a task waits for its page's lock
 *    (a fault or read() that waits for the read to end).
 * WD_MM_READS_FAIL: every read fails (EIO for read()), and its page stays
 * in the page cache, not up to date, until reclaim or the file's last
 * close; WD_MM_RELEASE changes nothing and WD_MM_STATE is WD_MM_NOT_HELD.
 */
#define WD_MM_STALL_FILE	_IO('H', 5)

#endif /* _WD_MM_HOLD_H */
