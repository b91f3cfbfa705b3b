/* SPDX-License-Identifier: GPL-2.0+ WITH Linux-syscall-note */
/*
 * The WarpDrive PCI function: the programming model of every vfio-pci
 * instance (mdev type <driver>-vqN) that a VMM assigns to a guest,
 * whatever the accelerator behind it.  The guest's driver, or a VMM-style
 * program such as samples/vfio-client, sees a PCI function with one
 * register BAR and programs its queues with guest (IO virtual) addresses.
 *
 * The framework (wd_mdev) owns this register model; an accelerator class
 * supplies only its identity (device ID, MAGIC), the format of its
 * descriptors (SQE_SIZE, CQE_SIZE: <misc/uacce/vzip.h> for vzip) and up to
 * WD_PCI_MAX_PARAMS read-only parameters.  Every address in a descriptor
 * is an IOVA.  Documentation/pci-function.rst is the full specification.
 *
 * All registers are 32 bits wide, little endian, and accessed with aligned
 * 32-bit reads and writes; other accesses are ignored (reads return ~0).
 */
#ifndef _UAPI_MISC_UACCE_WD_PCI_H
#define _UAPI_MISC_UACCE_WD_PCI_H

#include <linux/types.h>

/* ---- PCI identity (config space) ---- */
#define WD_PCI_VENDOR_ID	0x5744	/* "WD": this project's */
#define WD_PCI_CLASS		0x120000 /* processing accelerator */

/*
 * BAR0: 32-bit non-prefetchable memory, WD_PCI_BAR0_SIZE bytes: the
 * device registers at 0, the class's parameters at WD_PCI_REG_PARAM(0),
 * then one block of registers per queue.
 */
#define WD_PCI_BAR0_SIZE	0x1000
#define WD_PCI_MAX_QUEUES	16
#define WD_PCI_MAX_PARAMS	16

/* ---- device registers ---- */
#define WD_PCI_REG_MAGIC	0x00	/* RO the class's magic number */
#define WD_PCI_REG_VERSION	0x04	/* RO WD_PCI_VERSION */
#define WD_PCI_REG_NR_QUEUES	0x08	/* RO queues of this function */
#define WD_PCI_REG_MAX_DEPTH	0x0c	/* RO largest ring depth, power of 2 */
#define WD_PCI_REG_SQE_SIZE	0x10	/* RO bytes of a submission entry */
#define WD_PCI_REG_CQE_SIZE	0x14	/* RO bytes of a completion entry */
#define WD_PCI_REG_DEV_CTRL	0x18	/* RW WD_PCI_DEV_CTRL_* */
#define WD_PCI_REG_DEV_STATUS	0x1c	/* RO WD_PCI_DEV_STS_* */
#define WD_PCI_REG_IRQ_STATUS	0x20	/* RW1C bit q: queue q completed */
/* RO parameter i < WD_PCI_MAX_PARAMS of the class; 0 if it has none */
#define WD_PCI_REG_PARAM(i)	(0x40 + 4 * (i))

/* 2: the class parameters moved to their own block (1 was vzip's own) */
#define WD_PCI_VERSION		2

/* write 1: function level reset, all queues disabled; reads back 0 */
#define WD_PCI_DEV_CTRL_RESET		0x1

#define WD_PCI_DEV_STS_ERROR		0x1	/* a queue has ERROR set */
#define WD_PCI_DEV_STS_GONE		0x2	/* host is removing the function */

/* ---- queue registers: block of queue q at QUEUE_BASE + q * QUEUE_STRIDE */
#define WD_PCI_QUEUE_BASE	0x100
#define WD_PCI_QUEUE_STRIDE	0x40

/* ring bases are multiples of this; a depth is a power of 2 at least MIN */
#define WD_PCI_RING_ALIGN	64
#define WD_PCI_MIN_DEPTH	2

#define WD_PCI_Q_SQ_BASE_LO	0x00	/* RW IOVA of the SQ, 64-byte aligned */
#define WD_PCI_Q_SQ_BASE_HI	0x04	/* RW */
#define WD_PCI_Q_CQ_BASE_LO	0x08	/* RW IOVA of the CQ, 64-byte aligned */
#define WD_PCI_Q_CQ_BASE_HI	0x0c	/* RW */
#define WD_PCI_Q_DEPTH		0x10	/* RW entries per ring, power of 2 */
#define WD_PCI_Q_CTRL		0x14	/* RW WD_PCI_Q_CTRL_* */
#define WD_PCI_Q_SQ_TAIL	0x18	/* RW doorbell: next SQ index to fill */
#define WD_PCI_Q_SQ_HEAD	0x1c	/* RO SQ entries consumed */
#define WD_PCI_Q_CQ_TAIL	0x20	/* RO CQ entries produced */
#define WD_PCI_Q_CQ_HEAD	0x24	/* RW CQ entries consumed by the driver */
#define WD_PCI_Q_STATUS		0x28	/* RO WD_PCI_Q_STS_* */
#define WD_PCI_Q_ERROR		0x2c	/* RW1C WD_PCI_Q_ERR_*: first error */
#define WD_PCI_Q_ERR_IOVA_LO	0x30	/* RO the IOVA of that error */
#define WD_PCI_Q_ERR_IOVA_HI	0x34	/* RO */

/*
 * Bases and depth may be written only while ENABLE is clear.  Setting
 * ENABLE checks them (error CONFIG if they are wrong, and the queue stays
 * disabled) and zeroes the four indices.  Clearing ENABLE waits for the
 * request in progress, if any: it completes with the class's "aborted"
 * status or its result.
 */
#define WD_PCI_Q_CTRL_ENABLE		0x1
#define WD_PCI_Q_CTRL_IRQ		0x2	/* interrupt on completions */

#define WD_PCI_Q_STS_ENABLED		0x1
#define WD_PCI_Q_STS_ERROR		0x2	/* ERROR is not zero */
#define WD_PCI_Q_STS_HALTED		0x4	/* stopped by a ring error */

/*
 * Errors.  A request whose buffers are not mapped completes with the
 * class's address-error status and records ADDR; the queue goes on.  An
 * SQ or CQ that cannot be read or written halts the queue (RING), until it
 * is disabled and enabled again.  An SQ_TAIL more than DEPTH ahead of
 * SQ_HEAD is ignored and records DOORBELL.  ERROR keeps the first error
 * until the driver writes its bits back (write 1 to clear).
 */
#define WD_PCI_Q_ERR_ADDR		0x1
#define WD_PCI_Q_ERR_RING		0x2
#define WD_PCI_Q_ERR_DOORBELL		0x4
#define WD_PCI_Q_ERR_CONFIG		0x8

/*
 * Interrupts: INTx (pin A) and MSI.  With MSI enabled, queue q signals
 * vector q % (vectors enabled); with INTx the driver reads and clears
 * IRQ_STATUS.  Through VFIO the VMM receives both as eventfds
 * (VFIO_DEVICE_SET_IRQS); the function also has the VFIO request
 * interrupt (VFIO_PCI_REQ_IRQ_INDEX): the host asks the VMM to release it.
 */

/*
 * ---- Migration: the device state of VFIO migration v2 ----
 * What a vfio-pci instance gives in STOP_COPY and takes in RESUMING: this
 * header, then a body of body_size bytes (configuration space, device and
 * queue registers: the framework's business, opaque to a VMM), all little
 * endian.  Both CRCs are zlib's crc32().  A destination refuses a stream
 * as soon as its header arrives if the magic, header CRC or version is
 * not its own, a string is not terminated or not printable ASCII, the
 * queue count differs, or compat is not its own (the type is not
 * compared: compat says what it can take); it names what differs in the
 * kernel log.  A later version may append
 * header fields (header_size grows) and still read version 1 streams.
 * Documentation/migration.rst is the full description.
 */
#define WD_PCI_MIG_MAGIC	0x474d4457	/* "WDMG" */
#define WD_PCI_MIG_VERSION	1
#define WD_PCI_MIG_TYPE_LEN	32
#define WD_PCI_MIG_COMPAT_LEN	96
#define WD_PCI_MIG_DESC_LEN	128

/**
 * struct wd_pci_mig_header - the first bytes of a migration stream
 * @magic: WD_PCI_MIG_MAGIC
 * @version: WD_PCI_MIG_VERSION of the writer
 * @header_size: bytes of this header, header_crc included
 * @body_size: bytes of the body that follows
 * @body_crc: crc32 of the body
 * @nr_queues: queues of the source instance
 * @max_depth: its largest ring depth
 * @type: its mdev type (e.g. vzip-vq2), NUL-terminated
 * @compat: opaque; a destination whose own string is equal can take the
 *	stream: the same sysfs attribute, migration/version, says it before
 * @description: for people, e.g. in an error message; NUL-terminated
 * @header_crc: crc32 of the bytes before it
 */
struct wd_pci_mig_header {
	__le32 magic;
	__le16 version;
	__le16 header_size;
	__le32 body_size;
	__le32 body_crc;
	__le32 nr_queues;
	__le32 max_depth;
	char type[WD_PCI_MIG_TYPE_LEN];
	char compat[WD_PCI_MIG_COMPAT_LEN];
	char description[WD_PCI_MIG_DESC_LEN];
	__le32 header_crc;
};

#endif /* _UAPI_MISC_UACCE_WD_PCI_H */
