/* SPDX-License-Identifier: GPL-2.0+ WITH Linux-syscall-note */
/*
 * The queue protocol shared by every WarpDrive device class (vzip,
 * vcrypt): the layout of a queue's DUS region, control page first, and
 * its doorbell flag.  A class header (<misc/uacce/vzip.h>,
 * <misc/uacce/vcrypt.h>) includes this one and names these facts with its
 * own prefix; Documentation/vzip.rst, "Queues", specifies the protocol.
 *
 * All multi-byte fields are little endian.  Ring indices are free-running
 * 32-bit counters; the slot of index i is i & (ring_depth - 1).
 */
#ifndef _UAPI_MISC_UACCE_WD_RING_H
#define _UAPI_MISC_UACCE_WD_RING_H

/*
 * Control page at offset 0 of the DUS region (UACCE_QFRT_DUS),
 * WD_RING_CTRL_SIZE bytes; the SQ follows it, then the CQ (their offsets
 * are in the class's registers).  Each index sits in its own cache line;
 * the "writer" column says who may store to it, the other side only
 * reads.
 */
#define WD_RING_CTRL_SIZE	4096
#define WD_RING_CTRL_SQ_TAIL	0x000	/* app: next SQ index to fill */
#define WD_RING_CTRL_SQ_HEAD	0x040	/* device: SQ entries consumed */
#define WD_RING_CTRL_CQ_TAIL	0x080	/* device: CQ entries produced */
#define WD_RING_CTRL_CQ_HEAD	0x0c0	/* app: CQ entries consumed */
#define WD_RING_CTRL_DEV_FLAGS	0x100	/* device: WD_RING_DEV_F_* */
#define WD_RING_CTRL_STATUS	0x140	/* kernel: struct uacce_queue_status */

/*
 * The engine serving this queue is going to sleep: after publishing
 * sq_tail and a full memory barrier, the application must call
 * UACCE_CMD_WAKE_Q when it sees this flag set.
 */
#define WD_RING_DEV_F_NEED_WAKEUP	0x1

/* the SQ and CQ offsets in the DUS region are multiples of this */
#define WD_RING_ALIGN		64

#endif /* _UAPI_MISC_UACCE_WD_RING_H */
