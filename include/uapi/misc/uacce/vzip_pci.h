/* SPDX-License-Identifier: GPL-2.0+ WITH Linux-syscall-note */
/*
 * vzip as a PCI function: the programming model of a vfio-pci instance
 * (mdev type vfio-pci-vqN) that a VMM assigns to a guest.  The guest's
 * driver, or a VMM-style program such as samples/vfio-client, sees a PCI
 * function with one register BAR and programs its queues with guest
 * (IO virtual) addresses.  Requests and completions are the vzip
 * descriptors of <misc/uacce/vzip.h>; every address in them is an IOVA.
 * Documentation/vzip.rst, "The PCI function", is the full specification.
 *
 * All registers are 32 bits wide, little endian, and accessed with aligned
 * 32-bit reads and writes; other accesses are ignored (reads return ~0).
 */
#ifndef _UAPI_MISC_UACCE_VZIP_PCI_H
#define _UAPI_MISC_UACCE_VZIP_PCI_H

#include <linux/types.h>

/* ---- PCI identity (config space) ---- */
#define VZIP_PCI_VENDOR_ID	0x5744	/* "WD": this project's, see vzip.rst */
#define VZIP_PCI_DEVICE_ID	0x7a01	/* vzip function, revision 1 */
#define VZIP_PCI_REVISION	0x01
#define VZIP_PCI_CLASS		0x120000 /* processing accelerator */
#define VZIP_PCI_SUBSYS_VENDOR	VZIP_PCI_VENDOR_ID
#define VZIP_PCI_SUBSYS_ID	0x0001

/*
 * BAR0: 32-bit non-prefetchable memory, VZIP_PCI_BAR0_SIZE bytes: the
 * device registers at 0, then one block of registers per queue.
 */
#define VZIP_PCI_BAR0_SIZE	0x1000
#define VZIP_PCI_MAX_QUEUES	16

/* ---- device registers ---- */
#define VZIP_PCI_REG_MAGIC	0x00	/* RO VZIP_MAGIC of <vzip.h> */
#define VZIP_PCI_REG_VERSION	0x04	/* RO VZIP_PCI_VERSION */
#define VZIP_PCI_REG_NR_QUEUES	0x08	/* RO queues of this function */
#define VZIP_PCI_REG_MAX_DEPTH	0x0c	/* RO largest ring depth, power of 2 */
#define VZIP_PCI_REG_SQE_SIZE	0x10	/* RO sizeof(struct vzip_sqe) */
#define VZIP_PCI_REG_CQE_SIZE	0x14	/* RO sizeof(struct vzip_cqe) */
#define VZIP_PCI_REG_CTX_SIZE	0x18	/* RO bytes of one stream context */
#define VZIP_PCI_REG_CAPS	0x1c	/* RO VZIP_CAP_STREAM of <vzip.h> */
#define VZIP_PCI_REG_MAX_LEN	0x20	/* RO largest src_len and dst_len */
#define VZIP_PCI_REG_DEV_CTRL	0x24	/* RW VZIP_PCI_DEV_CTRL_* */
#define VZIP_PCI_REG_DEV_STATUS	0x28	/* RO VZIP_PCI_DEV_STS_* */
#define VZIP_PCI_REG_IRQ_STATUS	0x2c	/* RW1C bit q: queue q completed */

#define VZIP_PCI_VERSION	1

/* write 1: function level reset, all queues disabled; reads back 0 */
#define VZIP_PCI_DEV_CTRL_RESET		0x1

#define VZIP_PCI_DEV_STS_ERROR		0x1	/* a queue has ERROR set */
#define VZIP_PCI_DEV_STS_GONE		0x2	/* host is removing the function */

/* ---- queue registers: block of queue q at QUEUE_BASE + q * QUEUE_STRIDE */
#define VZIP_PCI_QUEUE_BASE	0x100
#define VZIP_PCI_QUEUE_STRIDE	0x40

#define VZIP_PCI_Q_SQ_BASE_LO	0x00	/* RW IOVA of the SQ, 64-byte aligned */
#define VZIP_PCI_Q_SQ_BASE_HI	0x04	/* RW */
#define VZIP_PCI_Q_CQ_BASE_LO	0x08	/* RW IOVA of the CQ, 64-byte aligned */
#define VZIP_PCI_Q_CQ_BASE_HI	0x0c	/* RW */
#define VZIP_PCI_Q_DEPTH	0x10	/* RW entries per ring, power of 2 */
#define VZIP_PCI_Q_CTRL		0x14	/* RW VZIP_PCI_Q_CTRL_* */
#define VZIP_PCI_Q_SQ_TAIL	0x18	/* RW doorbell: next SQ index to fill */
#define VZIP_PCI_Q_SQ_HEAD	0x1c	/* RO SQ entries consumed */
#define VZIP_PCI_Q_CQ_TAIL	0x20	/* RO CQ entries produced */
#define VZIP_PCI_Q_CQ_HEAD	0x24	/* RW CQ entries consumed by the driver */
#define VZIP_PCI_Q_STATUS	0x28	/* RO VZIP_PCI_Q_STS_* */
#define VZIP_PCI_Q_ERROR	0x2c	/* RW1C VZIP_PCI_Q_ERR_*: first error */
#define VZIP_PCI_Q_ERR_IOVA_LO	0x30	/* RO the IOVA of that error */
#define VZIP_PCI_Q_ERR_IOVA_HI	0x34	/* RO */

/*
 * Bases and depth may be written only while ENABLE is clear.  Setting
 * ENABLE checks them (error CONFIG if they are wrong, and the queue stays
 * disabled) and zeroes the four indices.  Clearing ENABLE waits for the
 * request in progress, if any: it completes with ABORTED or its result.
 */
#define VZIP_PCI_Q_CTRL_ENABLE		0x1
#define VZIP_PCI_Q_CTRL_IRQ		0x2	/* interrupt on completions */

#define VZIP_PCI_Q_STS_ENABLED		0x1
#define VZIP_PCI_Q_STS_ERROR		0x2	/* ERROR is not zero */
#define VZIP_PCI_Q_STS_HALTED		0x4	/* stopped by a ring error */

/*
 * Errors.  A request whose src, dst or ctx is not mapped completes with
 * VZIP_STS_ADDR_ERROR and records ADDR; the queue goes on.  An SQ or CQ
 * that cannot be read or written halts the queue (RING), until it is
 * disabled and enabled again.  An SQ_TAIL more than DEPTH ahead of
 * SQ_HEAD is ignored and records DOORBELL.  ERROR keeps the first error
 * until the driver writes its bits back (write 1 to clear).
 */
#define VZIP_PCI_Q_ERR_ADDR		0x1
#define VZIP_PCI_Q_ERR_RING		0x2
#define VZIP_PCI_Q_ERR_DOORBELL		0x4
#define VZIP_PCI_Q_ERR_CONFIG		0x8

/*
 * Interrupts: INTx (pin A) and MSI.  With MSI enabled, queue q signals
 * vector q % (vectors enabled); with INTx the driver reads and clears
 * IRQ_STATUS.  Through VFIO the VMM receives both as eventfds
 * (VFIO_DEVICE_SET_IRQS); the function also has the VFIO request
 * interrupt (VFIO_PCI_REQ_IRQ_INDEX): the host asks the VMM to release it.
 */

#endif /* _UAPI_MISC_UACCE_VZIP_PCI_H */
