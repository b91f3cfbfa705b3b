/* SPDX-License-Identifier: GPL-2.0+ WITH Linux-syscall-note */
/*
 * WarpDrive uacce user API.
 *
 * Compatible with mainline Linux's uacce user API: the same
 * ioctl numbers (START_Q = 0, PUT_Q = 1), device flag and region types
 * (MMIO = 0, DUS = 1), selected by the mmap page offset.  WarpDrive adds a
 * static shared region (SS = 2) for devices without SVA, and the ioctls
 * numbered from 0x40 on (vendor trees used 2, 3, 100 and 101).
 *
 * Documentation/uacce.rst describes every ioctl and region.
 */
#ifndef _UAPI_MISC_UACCE_UACCE_H
#define _UAPI_MISC_UACCE_UACCE_H

#include <linux/types.h>
#include <linux/ioctl.h>

/**
 * UACCE_CMD_START_Q - start the queue (state INIT -> STARTED)
 */
#define UACCE_CMD_START_Q	_IO('W', 0)

/**
 * UACCE_CMD_PUT_Q - stop the queue (state STARTED -> INIT)
 *
 * As in mainline since 2025 this only stops the queue; it is freed when
 * the file is released.
 */
#define UACCE_CMD_PUT_Q		_IO('W', 1)

/**
 * UACCE_CMD_QUEUE_INFO - read the queue's identity and geometry
 * (struct uacce_queue_info)
 */
#define UACCE_CMD_QUEUE_INFO	_IOR('W', 0x40, struct uacce_queue_info)

/**
 * UACCE_CMD_GET_SS - read the DMA address and size of the queue's static
 * shared region (struct uacce_ss_info); the region must be mapped first.
 */
#define UACCE_CMD_GET_SS	_IOR('W', 0x41, struct uacce_ss_info)

/**
 * UACCE_CMD_WAKE_Q - wake the device's engine for this queue.
 *
 * The ring protocol calls it only when the device has announced in shared
 * memory that it is going to sleep; it costs one system call and never
 * blocks.
 */
#define UACCE_CMD_WAKE_Q	_IO('W', 0x42)

/*
 * Device flags (sysfs "flags" and uacce_queue_info.flags)
 * UACCE_DEV_SVA: the device shares the process's virtual address space;
 * descriptors carry plain pointers.  Without it, data must live in the
 * static shared region and descriptors carry its DMA addresses.
 */
#define UACCE_DEV_SVA		0x1

/**
 * enum uacce_qfrt - queue file region type, selected by the mmap offset
 * (region type * page size)
 * @UACCE_QFRT_MMIO: device registers of this queue
 * @UACCE_QFRT_DUS: device-user shared memory (rings, status)
 * @UACCE_QFRT_SS: static shared DMA memory for data (devices without SVA)
 */
enum uacce_qfrt {
	UACCE_QFRT_MMIO = 0,
	UACCE_QFRT_DUS = 1,
	UACCE_QFRT_SS = 2,
};

#define UACCE_QFRT_NR		3

/**
 * struct uacce_queue_status - queue status word the kernel publishes in
 * shared memory, so a polling process learns of trouble with no system
 * call.  Its offset within the DUS region is uacce_queue_info.status_offset.
 * @state: UACCE_QSTATE_*; written last, read it with acquire semantics
 * @reason: UACCE_QREASON_* when state is not UACCE_QSTATE_OK
 */
struct uacce_queue_status {
	__u32 state;
	__u32 reason;
};

#define UACCE_QSTATE_OK		0	/* queue usable */
#define UACCE_QSTATE_STOPPED	1	/* stopped; restart with START_Q */
#define UACCE_QSTATE_DEAD	2	/* never usable again: close the fd */

#define UACCE_QREASON_NONE	0
#define UACCE_QREASON_ISOLATED	1	/* device isolated after hw errors */
#define UACCE_QREASON_REMOVED	2	/* device removed */
#define UACCE_QREASON_HW_ERROR	3	/* hardware error on this queue */

/*
 * Tenant weights: a device divides its engine time among its tenants (a
 * queue opened on the device itself, an mdev instance) in proportion to
 * their weights (Documentation/mdev.rst, "Weights").  An instance's weight
 * is its sysfs attribute "weight"; a queue opened on the device has
 * UACCE_WEIGHT_DEFAULT.
 */
#define UACCE_WEIGHT_MIN	1
#define UACCE_WEIGHT_DEFAULT	100
#define UACCE_WEIGHT_MAX	10000

/**
 * struct uacce_queue_info - UACCE_CMD_QUEUE_INFO result
 * @dev_id: the N of /dev/<name>-N
 * @qid: hardware queue index within the device
 * @flags: UACCE_DEV_* flags of the device
 * @node: NUMA node of the device, -1 if none
 * @region_size: size in bytes of each region, 0 if the device has none
 * @status_offset: offset of struct uacce_queue_status in the DUS region
 * @ring_depth: entries per ring (device-defined protocol)
 * @sqe_size: bytes per submission entry
 * @cqe_size: bytes per completion entry
 * @ctx_size: bytes the application must provide per stream context, 0 if
 *            the device keeps no stream state
 * @reserved: zero
 */
struct uacce_queue_info {
	__u32 dev_id;
	__u32 qid;
	__u32 flags;
	__s32 node;
	__u64 region_size[UACCE_QFRT_NR];
	__u32 status_offset;
	__u32 ring_depth;
	__u32 sqe_size;
	__u32 cqe_size;
	__u32 ctx_size;
	__u32 reserved[7];
};

/**
 * struct uacce_ss_info - UACCE_CMD_GET_SS result
 * @dma_addr: device address of the first byte of the mapped SS region;
 *            the region is contiguous for the device
 * @size: bytes
 * @reserved: zero
 */
struct uacce_ss_info {
	__u64 dma_addr;
	__u64 size;
	__u64 reserved[2];
};

#endif /* _UAPI_MISC_UACCE_UACCE_H */
