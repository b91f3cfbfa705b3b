/* SPDX-License-Identifier: GPL-2.0+ WITH Linux-syscall-note */
/*
 * vzip: the WarpDrive reference compression accelerator, as seen by user
 * space through uacce (api "vzip_v1").  Documentation/vzip.rst is the full
 * hardware specification; this header is its machine-readable half.
 *
 * All multi-byte fields are little endian.  Ring indices are free-running
 * 32-bit counters; the slot of index i is i & (ring_depth - 1).
 */
#ifndef _UAPI_MISC_UACCE_VZIP_H
#define _UAPI_MISC_UACCE_VZIP_H

#include <linux/types.h>

#include "wd_ring.h"

#define VZIP_API_VERSION	"vzip_v1"
#define VZIP_HW_VERSION		1
#define VZIP_MAGIC		0x50495a56	/* "VZIP" */

/* ---- MMIO region (UACCE_QFRT_MMIO): one read-only register page ---- */
#define VZIP_REG_MAGIC		0x00	/* VZIP_MAGIC */
#define VZIP_REG_VERSION	0x04	/* VZIP_HW_VERSION */
#define VZIP_REG_QID		0x08	/* queue index in the device */
#define VZIP_REG_RING_DEPTH	0x0c	/* entries per ring, power of two */
#define VZIP_REG_SQE_SIZE	0x10	/* sizeof(struct vzip_sqe) */
#define VZIP_REG_CQE_SIZE	0x14	/* sizeof(struct vzip_cqe) */
#define VZIP_REG_CTX_SIZE	0x18	/* bytes of one stream context */
#define VZIP_REG_CAPS		0x1c	/* VZIP_CAP_* */
#define VZIP_REG_MAX_LEN	0x20	/* max src_len and dst_len */
#define VZIP_REG_SQ_OFFSET	0x24	/* SQ offset in the DUS region */
#define VZIP_REG_CQ_OFFSET	0x28	/* CQ offset in the DUS region */

#define VZIP_CAP_SVA		0x1	/* addresses are process virtual addresses */
#define VZIP_CAP_STREAM		0x2	/* stream contexts supported */

/* ---- DUS region (UACCE_QFRT_DUS): control page, SQ, CQ ---- */

/*
 * The control page and the doorbell flag are the shared queue protocol of
 * <misc/uacce/wd_ring.h>, named here with vzip's prefix.  The control page
 * is at offset 0, VZIP_CTRL_SIZE bytes; the SQ follows it (an application
 * takes its offset from VZIP_REG_SQ_OFFSET).
 */
#define VZIP_CTRL_SIZE		WD_RING_CTRL_SIZE
#define VZIP_CTRL_SQ_TAIL	WD_RING_CTRL_SQ_TAIL	/* app: next SQ index to fill */
#define VZIP_CTRL_SQ_HEAD	WD_RING_CTRL_SQ_HEAD	/* device: SQ entries consumed */
#define VZIP_CTRL_CQ_TAIL	WD_RING_CTRL_CQ_TAIL	/* device: CQ entries produced */
#define VZIP_CTRL_CQ_HEAD	WD_RING_CTRL_CQ_HEAD	/* app: CQ entries consumed */
#define VZIP_CTRL_DEV_FLAGS	WD_RING_CTRL_DEV_FLAGS	/* device: VZIP_DEV_F_* */
#define VZIP_CTRL_STATUS	WD_RING_CTRL_STATUS	/* kernel: struct uacce_queue_status */

/* WD_RING_DEV_F_NEED_WAKEUP: call UACCE_CMD_WAKE_Q after publishing */
#define VZIP_DEV_F_NEED_WAKEUP	WD_RING_DEV_F_NEED_WAKEUP

/* ---- submission queue entry: 64 bytes ---- */
enum vzip_opcode {
	VZIP_OP_NOP = 0,	/* completes at once: framework overhead */
	VZIP_OP_COPY = 1,	/* copy src to dst: data-path overhead */
	VZIP_OP_COMPRESS = 2,
	VZIP_OP_DECOMPRESS = 3,
};

enum vzip_format {
	VZIP_FMT_RAW = 0,	/* raw deflate (RFC 1951) */
	VZIP_FMT_ZLIB = 1,	/* zlib (RFC 1950) */
	VZIP_FMT_GZIP = 2,	/* gzip (RFC 1952) */
};

/* as zlib's Z_NO_FLUSH, Z_SYNC_FLUSH, Z_FULL_FLUSH, Z_FINISH */
enum vzip_flush {
	VZIP_FLUSH_NONE = 0,
	VZIP_FLUSH_SYNC = 1,
	VZIP_FLUSH_FULL = 2,
	VZIP_FLUSH_FINISH = 3,
};

#define VZIP_SQE_VERSION	1
/* SQ and CQ offsets in the DUS region, and ctx, are multiples of these */
#define VZIP_RING_ALIGN		WD_RING_ALIGN
#define VZIP_CTX_ALIGN		64

/* struct vzip_sqe.level: zlib's levels; 0 asks for VZIP_LEVEL_DEFAULT */
#define VZIP_LEVEL_MIN		1
#define VZIP_LEVEL_MAX		9
#define VZIP_LEVEL_DEFAULT	6
/* struct vzip_sqe.window_bits: log2 of the window; 0 asks for the max */
#define VZIP_WINDOW_BITS_MIN	9
#define VZIP_WINDOW_BITS_MAX	15

#define VZIP_SQE_F_STREAM	0x1	/* ctx holds the stream's state */
#define VZIP_SQE_F_NEW_STREAM	0x2	/* initialise ctx first (with STREAM) */

/**
 * struct vzip_sqe - a request
 * @opcode: enum vzip_opcode
 * @format: enum vzip_format (COMPRESS, DECOMPRESS)
 * @flush: enum vzip_flush
 * @level: compression level 1-9, 0 for the default (6)
 * @window_bits: log2 of the window, 9-15, 0 for 15
 * @version: VZIP_SQE_VERSION
 * @flags: VZIP_SQE_F_*
 * @user_data: returned unchanged in the completion
 * @src: source address (process address with SVA, else DMA address in SS)
 * @dst: destination address, same rules
 * @ctx: stream context address, same rules, 64-byte aligned, ctx_size bytes
 * @src_len: source bytes
 * @dst_len: destination bytes available
 * @rsvd: zero
 */
struct vzip_sqe {
	__u8 opcode;
	__u8 format;
	__u8 flush;
	__u8 level;
	__u8 window_bits;
	__u8 version;
	__le16 flags;
	__le64 user_data;
	__le64 src;
	__le64 dst;
	__le64 ctx;
	__le32 src_len;
	__le32 dst_len;
	__le32 rsvd[4];
};

/* ---- completion queue entry: 32 bytes ---- */
enum vzip_status {
	VZIP_STS_OK = 0,
	VZIP_STS_OVERFLOW = 1,	/* dst full; see consumed/produced */
	VZIP_STS_DATA_ERROR = 2,	/* corrupt or truncated compressed input */
	VZIP_STS_ADDR_ERROR = 3,	/* address not accessible to the queue */
	VZIP_STS_INVALID = 4,	/* malformed descriptor */
	VZIP_STS_ABORTED = 5,	/* queue stopped or device removed */
	VZIP_STS_HW_ERROR = 6,	/* engine failure */
};

/* status codes are 0 to VZIP_NR_STATUS - 1 (the last one, plus one) */
#define VZIP_NR_STATUS		(VZIP_STS_HW_ERROR + 1)

#define VZIP_CQE_F_STREAM_END	0x1	/* FINISH done, or end of compressed stream */

/**
 * struct vzip_cqe - a completion
 * @user_data: from the request
 * @consumed: source bytes consumed
 * @produced: destination bytes written
 * @checksum: CRC-32 (raw, gzip) or Adler-32 (zlib) of the uncompressed
 *            data so far in the stream (of this request without a stream)
 * @status: enum vzip_status
 * @flags: VZIP_CQE_F_*
 * @rsvd: zero
 */
struct vzip_cqe {
	__le64 user_data;
	__le32 consumed;
	__le32 produced;
	__le32 checksum;
	__le16 status;
	__u8 flags;
	__u8 rsvd0;
	__le32 rsvd[2];
};

/*
 * ---- vzip as a WarpDrive PCI function (<misc/uacce/wd_pci.h>) ----
 * A vfio-pci instance of a vzip device (mdev type vzip-vqN) is the
 * framework's function with this identity; its descriptors are struct
 * vzip_sqe and struct vzip_cqe, every address an IOVA, and MAGIC reads
 * VZIP_MAGIC.
 */
#define VZIP_PCI_DEVICE_ID	0x7a01
#define VZIP_PCI_REVISION	0x02	/* WD_PCI_VERSION 2 */
#define VZIP_PCI_SUBSYS_ID	0x0001	/* subsystem vendor: WD_PCI_VENDOR_ID */

/* index i of the function's parameter registers, WD_PCI_REG_PARAM(i) */
#define VZIP_PCI_PARAM_CTX_SIZE	0	/* bytes of one stream context */
#define VZIP_PCI_PARAM_CAPS	1	/* VZIP_CAP_STREAM or 0, never SVA */
#define VZIP_PCI_PARAM_MAX_LEN	2	/* largest src_len and dst_len */
#define VZIP_PCI_NR_PARAMS	3

#endif /* _UAPI_MISC_UACCE_VZIP_H */
