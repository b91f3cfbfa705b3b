/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The register page of a vzip queue (Documentation/vzip.rst, "Registers"),
 * as both drivers that present vzip queues to user space fill it: vzip on
 * the host and wd_pci in a VM.
 */
#ifndef _LINUX_VZIP_REGS_H
#define _LINUX_VZIP_REGS_H

#include <linux/types.h>
#include <uapi/misc/uacce/vzip.h>

/**
 * vzip_fill_regs() - write a queue's register page
 * @regs: the page
 * @qid: the queue's index in its device
 * @depth: entries per ring
 * @ctx_size: bytes of a stream context, 0 without VZIP_CAP_STREAM
 * @caps: VZIP_CAP_*
 * @max_len: largest src_len and dst_len
 *
 * The DUS region is laid out as the page says: the control page, then
 * the SQ, then the CQ.
 */
static inline void vzip_fill_regs(__le32 *regs, u32 qid, u32 depth,
				  u32 ctx_size, u32 caps, u32 max_len)
{
	regs[VZIP_REG_MAGIC / 4] = cpu_to_le32(VZIP_MAGIC);
	regs[VZIP_REG_VERSION / 4] = cpu_to_le32(VZIP_HW_VERSION);
	regs[VZIP_REG_QID / 4] = cpu_to_le32(qid);
	regs[VZIP_REG_RING_DEPTH / 4] = cpu_to_le32(depth);
	regs[VZIP_REG_SQE_SIZE / 4] = cpu_to_le32(sizeof(struct vzip_sqe));
	regs[VZIP_REG_CQE_SIZE / 4] = cpu_to_le32(sizeof(struct vzip_cqe));
	regs[VZIP_REG_CTX_SIZE / 4] = cpu_to_le32(ctx_size);
	regs[VZIP_REG_CAPS / 4] = cpu_to_le32(caps);
	regs[VZIP_REG_MAX_LEN / 4] = cpu_to_le32(max_len);
	regs[VZIP_REG_SQ_OFFSET / 4] = cpu_to_le32(VZIP_CTRL_SIZE);
	regs[VZIP_REG_CQ_OFFSET / 4] =
		cpu_to_le32(VZIP_CTRL_SIZE + depth * sizeof(struct vzip_sqe));
}

#endif /* _LINUX_VZIP_REGS_H */
