/* SPDX-License-Identifier: GPL-2.0+ WITH Linux-syscall-note */
/*
 * vcrypt: the WarpDrive reference crypto accelerator, as seen by user
 * space through uacce (api "vcrypt_v1").  Documentation/vcrypt.rst is the
 * full hardware specification; this header is its machine-readable half.
 *
 * The queue, its regions, the control page, the ring protocol and the
 * doorbell are those of vzip (Documentation/vzip.rst); only the register
 * values, the descriptors, the key slots and the status codes differ.
 *
 * All multi-byte fields are little endian.  Ring indices are free-running
 * 32-bit counters; the slot of index i is i & (ring_depth - 1).
 */
#ifndef _UAPI_MISC_UACCE_VCRYPT_H
#define _UAPI_MISC_UACCE_VCRYPT_H

#include <linux/types.h>

#include "wd_ring.h"

#define VCRYPT_API_VERSION	"vcrypt_v1"
#define VCRYPT_HW_VERSION	1
#define VCRYPT_MAGIC		0x59524356	/* "VCRY" */

/* ---- MMIO region (UACCE_QFRT_MMIO): one read-only register page ---- */
#define VCRYPT_REG_MAGIC	0x00	/* VCRYPT_MAGIC */
#define VCRYPT_REG_VERSION	0x04	/* VCRYPT_HW_VERSION */
#define VCRYPT_REG_QID		0x08	/* queue index in the device */
#define VCRYPT_REG_RING_DEPTH	0x0c	/* entries per ring, power of two */
#define VCRYPT_REG_SQE_SIZE	0x10	/* sizeof(struct vcrypt_sqe) */
#define VCRYPT_REG_CQE_SIZE	0x14	/* sizeof(struct vcrypt_cqe) */
#define VCRYPT_REG_CTX_SIZE	0x18	/* bytes of one stream context */
#define VCRYPT_REG_CAPS		0x1c	/* VCRYPT_CAP_* */
#define VCRYPT_REG_MAX_LEN	0x20	/* max src_len and dst_len */
#define VCRYPT_REG_SQ_OFFSET	0x24	/* SQ offset in the DUS region */
#define VCRYPT_REG_CQ_OFFSET	0x28	/* CQ offset in the DUS region */
#define VCRYPT_REG_KEY_SLOTS	0x2c	/* key slots of the queue */
#define VCRYPT_REG_ALGS		0x30	/* bit (1 << alg) per enum vcrypt_alg */

#define VCRYPT_CAP_SVA		0x1	/* addresses are process virtual addresses */
#define VCRYPT_CAP_STREAM	0x2	/* stream contexts supported */

/*
 * ---- DUS region (UACCE_QFRT_DUS): control page, SQ, CQ ----
 * The control page and the doorbell flag are vzip's, the shared queue
 * protocol of <misc/uacce/wd_ring.h>, named here with vcrypt's prefix.
 */
#define VCRYPT_CTRL_SIZE	WD_RING_CTRL_SIZE
#define VCRYPT_CTRL_SQ_TAIL	WD_RING_CTRL_SQ_TAIL	/* app: next SQ index to fill */
#define VCRYPT_CTRL_SQ_HEAD	WD_RING_CTRL_SQ_HEAD	/* device: SQ entries consumed */
#define VCRYPT_CTRL_CQ_TAIL	WD_RING_CTRL_CQ_TAIL	/* device: CQ entries produced */
#define VCRYPT_CTRL_CQ_HEAD	WD_RING_CTRL_CQ_HEAD	/* app: CQ entries consumed */
#define VCRYPT_CTRL_DEV_FLAGS	WD_RING_CTRL_DEV_FLAGS	/* device: VCRYPT_DEV_F_* */
#define VCRYPT_CTRL_STATUS	WD_RING_CTRL_STATUS	/* kernel: struct uacce_queue_status */

/* WD_RING_DEV_F_NEED_WAKEUP: call UACCE_CMD_WAKE_Q after publishing */
#define VCRYPT_DEV_F_NEED_WAKEUP	WD_RING_DEV_F_NEED_WAKEUP

/* ---- submission queue entry: 128 bytes ---- */
enum vcrypt_opcode {
	VCRYPT_OP_NOP = 0,	/* completes at once: framework overhead */
	VCRYPT_OP_KEY_LOAD = 1,	/* src holds a key: copy it into key_slot */
	VCRYPT_OP_KEY_CLEAR = 2,	/* wipe key_slot */
	VCRYPT_OP_DIGEST = 3,	/* hash or HMAC of src into dst */
	VCRYPT_OP_ENCRYPT = 4,	/* cipher or AEAD, src to dst */
	VCRYPT_OP_DECRYPT = 5,
};

/* Algorithms; AES key sizes (128, 256) are told apart by the key length */
enum vcrypt_alg {
	VCRYPT_ALG_NONE = 0,
	VCRYPT_ALG_SHA256 = 1,
	VCRYPT_ALG_SHA512 = 2,
	VCRYPT_ALG_SHA3_256 = 3,
	VCRYPT_ALG_SM3 = 4,
	VCRYPT_ALG_HMAC_SHA256 = 5,
	VCRYPT_ALG_AES_CBC = 6,
	VCRYPT_ALG_AES_CTR = 7,
	VCRYPT_ALG_AES_XTS = 8,
	VCRYPT_ALG_SM4_CBC = 9,
	VCRYPT_ALG_AES_GCM = 10,
	VCRYPT_ALG_NR = 11,
};

#define VCRYPT_SQE_VERSION	1
/* SQ and CQ offsets in the DUS region, and ctx, are multiples of these */
#define VCRYPT_RING_ALIGN	WD_RING_ALIGN
#define VCRYPT_CTX_ALIGN	64
/* the largest CTX_SIZE a device may report */
#define VCRYPT_CTX_MAX		1024

/* ---- protocol limits ---- */
#define VCRYPT_KEY_MAX		64	/* bytes of a key slot */
#define VCRYPT_KEY_SLOTS_MAX	4096	/* largest KEY_SLOTS */
#define VCRYPT_IV_MAX		16	/* bytes of struct vcrypt_sqe.iv */
#define VCRYPT_BLOCK_SIZE	16	/* AES and SM4 block */
#define VCRYPT_AES_KEY_128	16
#define VCRYPT_AES_KEY_256	32
#define VCRYPT_SM4_KEY		16
/* HMAC keys up to the SHA-256 block; longer ones are hashed first */
#define VCRYPT_HMAC_KEY_MAX	64
#define VCRYPT_CIPHER_IV	16	/* CBC IV, CTR counter block, XTS tweak */
#define VCRYPT_GCM_IV		12	/* the only GCM nonce length */
#define VCRYPT_GCM_TAG_MIN	4	/* tag lengths: 4, 8, 12 to 16 */
#define VCRYPT_GCM_TAG_MAX	16
/* an XTS data unit: at least one block, at most 2^20 blocks */
#define VCRYPT_XTS_MIN_LEN	16
#define VCRYPT_XTS_MAX_LEN	(1U << 24)
#define VCRYPT_SHA256_SIZE	32
#define VCRYPT_SHA512_SIZE	64
#define VCRYPT_SHA3_256_SIZE	32
#define VCRYPT_SM3_SIZE		32
#define VCRYPT_DIGEST_MAX	64

#define VCRYPT_SQE_F_STREAM	0x1	/* ctx holds the stream's state */
#define VCRYPT_SQE_F_NEW_STREAM	0x2	/* initialise ctx first (with STREAM) */
#define VCRYPT_SQE_F_FINAL	0x4	/* last request of the stream (with STREAM) */

/**
 * struct vcrypt_sqe - a request
 * @opcode: enum vcrypt_opcode
 * @alg: enum vcrypt_alg (all but NOP)
 * @version: VCRYPT_SQE_VERSION
 * @iv_len: bytes of @iv used (ENCRYPT, DECRYPT; 0 after a stream's first)
 * @flags: VCRYPT_SQE_F_*
 * @key_slot: key slot (KEY_LOAD, KEY_CLEAR, HMAC, ciphers, AEAD)
 * @user_data: returned unchanged in the completion
 * @src: source address (process address with SVA, else DMA address in SS)
 * @dst: destination address, same rules
 * @ctx: stream context address, same rules, 64-byte aligned, ctx_size bytes
 * @src_len: source bytes (for AEAD: AAD, then text, then the tag to check)
 * @dst_len: destination bytes available
 * @aad_len: bytes of AAD at the start of src (AEAD)
 * @tag_len: bytes of the GCM tag (AEAD)
 * @rsvd0: zero
 * @rsvd1: zero
 * @iv: CBC IV, CTR counter block, XTS tweak or GCM nonce, @iv_len bytes
 * @rsvd: zero
 */
struct vcrypt_sqe {
	__u8 opcode;
	__u8 alg;
	__u8 version;
	__u8 iv_len;
	__le16 flags;
	__le16 key_slot;
	__le64 user_data;
	__le64 src;
	__le64 dst;
	__le64 ctx;
	__le32 src_len;
	__le32 dst_len;
	__le32 aad_len;
	__u8 tag_len;
	__u8 rsvd0[3];
	__le64 rsvd1;
	__u8 iv[VCRYPT_IV_MAX];
	__le32 rsvd[12];
};

/* ---- completion queue entry: 32 bytes ---- */
enum vcrypt_status {
	VCRYPT_STS_OK = 0,
	VCRYPT_STS_OVERFLOW = 1,	/* dst_len too small; nothing written */
	VCRYPT_STS_AUTH_FAILED = 2,	/* GCM tag mismatch; dst zeroed */
	VCRYPT_STS_ADDR_ERROR = 3,	/* address not accessible to the queue */
	VCRYPT_STS_INVALID = 4,	/* malformed descriptor */
	VCRYPT_STS_ABORTED = 5,	/* queue stopped or device removed */
	VCRYPT_STS_HW_ERROR = 6,	/* engine failure */
	VCRYPT_STS_BAD_KEY = 7,	/* key length, or slot empty or of another alg */
	VCRYPT_STS_BAD_IV = 8,	/* iv_len wrong for the algorithm */
	VCRYPT_STS_BAD_LENGTH = 9,	/* text, XTS unit or GCM tag length wrong */
	VCRYPT_STS_BAD_CONTEXT = 10,	/* context not the device's, or stale */
};

#define VCRYPT_CQE_F_STREAM_END	0x1	/* FINAL done: the context is spent */

/**
 * struct vcrypt_cqe - a completion
 * @user_data: from the request
 * @produced: destination bytes written
 * @status: enum vcrypt_status
 * @flags: VCRYPT_CQE_F_*
 * @rsvd0: zero
 * @rsvd: zero
 */
struct vcrypt_cqe {
	__le64 user_data;
	__le32 produced;
	__le16 status;
	__u8 flags;
	__u8 rsvd0;
	__le32 rsvd[4];
};

/*
 * ---- vcrypt as a WarpDrive PCI function (<misc/uacce/wd_pci.h>) ----
 * A vfio-pci instance of a vcrypt device (mdev type vcrypt-vqN) is the
 * framework's function with this identity; its descriptors are struct
 * vcrypt_sqe and struct vcrypt_cqe, every address an IOVA, and MAGIC
 * reads VCRYPT_MAGIC.  Each queue of the function has KEY_SLOTS key slots
 * of its own, emptied when the function is reset or closed.  The function
 * offers no VFIO migration: its key slots are not in the migration stream.
 */
#define VCRYPT_PCI_DEVICE_ID	0x7a03
#define VCRYPT_PCI_REVISION	0x01
#define VCRYPT_PCI_SUBSYS_ID	0x0001	/* subsystem vendor: WD_PCI_VENDOR_ID */

/* index i of the function's parameter registers, WD_PCI_REG_PARAM(i) */
#define VCRYPT_PCI_PARAM_CTX_SIZE	0	/* bytes of one stream context */
#define VCRYPT_PCI_PARAM_CAPS		1	/* VCRYPT_CAP_STREAM or 0, never SVA */
#define VCRYPT_PCI_PARAM_MAX_LEN	2	/* largest src_len and dst_len */
#define VCRYPT_PCI_PARAM_KEY_SLOTS	3	/* key slots of each queue */
#define VCRYPT_PCI_PARAM_ALGS		4	/* VCRYPT_REG_ALGS */
#define VCRYPT_PCI_NR_PARAMS		5

#endif /* _UAPI_MISC_UACCE_VCRYPT_H */
