// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_pci: vzip, the compression class (Documentation/vzip.rst).
 *
 * In the VM a vzip function's queues are vzip queues without SVA: the
 * registers, rings and doorbell of the host's vzip, and descriptors that
 * carry DMA addresses inside the queue's SS region.  The function reads
 * every address as a guest physical one, so each buffer a descriptor names
 * is checked against that region before the function sees it.
 */
#include <kunit/visibility.h>
#include <linux/kernel.h>
#include <linux/vzip_regs.h>
#include <uapi/misc/uacce/vzip.h>

#include "wd_pci.h"

static int wd_pci_vzip_check(struct wd_pci_dev *wdev)
{
	u32 ctx = wdev->params[VZIP_PCI_PARAM_CTX_SIZE];
	u32 caps = wdev->params[VZIP_PCI_PARAM_CAPS];

	if (caps & ~VZIP_CAP_STREAM || !(caps & VZIP_CAP_STREAM) != !ctx ||
	    !wdev->params[VZIP_PCI_PARAM_MAX_LEN]) {
		dev_err(wdev->dev,
			"vzip parameters make no sense: caps %#x, context %u bytes, max_len %u\n",
			caps, ctx, wdev->params[VZIP_PCI_PARAM_MAX_LEN]);
		return -ENODEV;
	}
	return 0;
}

static void wd_pci_vzip_write_regs(struct wd_pci_queue *q, __le32 *regs)
{
	struct wd_pci_dev *wdev = q->wdev;

	vzip_fill_regs(regs, q->qid, wdev->depth,
		       wdev->params[VZIP_PCI_PARAM_CTX_SIZE],
		       wdev->params[VZIP_PCI_PARAM_CAPS],
		       wdev->params[VZIP_PCI_PARAM_MAX_LEN]);
}

static u32 wd_pci_vzip_ctx_size(struct wd_pci_dev *wdev)
{
	return wdev->params[VZIP_PCI_PARAM_CTX_SIZE];
}

/* [addr, addr + len) inside the region (nothing is inside no region) */
static bool wd_pci_vzip_in(const struct uacce_qfile_region *ss, u64 addr,
			   u64 len)
{
	return ss && addr >= ss->dma && len <= ss->size &&
	       addr - ss->dma <= ss->size - len;
}

/*
 * The buffers of the opcodes that have any.  A field an opcode does not
 * use must be zero, and the function completes the descriptor with
 * VZIP_STS_INVALID without touching memory if it is not.
 */
static u16 wd_pci_vzip_check_sqe(struct wd_pci_queue *q, const void *entry,
				 const struct uacce_qfile_region *ss)
{
	const struct vzip_sqe *sqe = entry;
	u64 src_len = le32_to_cpu(sqe->src_len);
	u64 dst_len = le32_to_cpu(sqe->dst_len);

	/*
	 * The function reaches any guest-physical address: what this driver
	 * does not know the buffers of never reaches it.
	 */
	if (sqe->version != VZIP_SQE_VERSION || sqe->opcode > VZIP_OP_DECOMPRESS) {
		dev_dbg_ratelimited(q->wdev->dev,
				    "queue %u: version %u, opcode %u: not a descriptor this driver knows\n",
				    q->qid, sqe->version, sqe->opcode);
		return VZIP_STS_INVALID;
	}
	if (sqe->opcode == VZIP_OP_NOP)
		return 0;
	if ((src_len && !wd_pci_vzip_in(ss, le64_to_cpu(sqe->src), src_len)) ||
	    (dst_len && !wd_pci_vzip_in(ss, le64_to_cpu(sqe->dst), dst_len)) ||
	    ((le16_to_cpu(sqe->flags) & VZIP_SQE_F_STREAM) &&
	     !wd_pci_vzip_in(ss, le64_to_cpu(sqe->ctx),
			     q->wdev->params[VZIP_PCI_PARAM_CTX_SIZE]))) {
		dev_dbg_ratelimited(q->wdev->dev,
				    "queue %u: a buffer outside the SS region\n",
				    q->qid);
		return VZIP_STS_ADDR_ERROR;
	}
	return 0;
}

static void wd_pci_vzip_make_cqe(void *entry, const void *req, u16 status)
{
	const struct vzip_sqe *sqe = req;
	struct vzip_cqe *cqe = entry;

	memset(cqe, 0, sizeof(*cqe));
	cqe->user_data = sqe->user_data;
	cqe->status = cpu_to_le16(status);
}

const struct wd_pci_class wd_pci_vzip = {
	.name = "vzip",
	.device = VZIP_PCI_DEVICE_ID,
	.magic = VZIP_MAGIC,
	.sqe_size = sizeof(struct vzip_sqe),
	.cqe_size = sizeof(struct vzip_cqe),
	.api_ver = VZIP_API_VERSION,
	.algs = "deflate\nzlib\ngzip",
	.ctrl = {
		.sq_tail = VZIP_CTRL_SQ_TAIL,
		.sq_head = VZIP_CTRL_SQ_HEAD,
		.cq_tail = VZIP_CTRL_CQ_TAIL,
		.cq_head = VZIP_CTRL_CQ_HEAD,
		.dev_flags = VZIP_CTRL_DEV_FLAGS,
		.status = VZIP_CTRL_STATUS,
		.size = VZIP_CTRL_SIZE,
		.need_wakeup = VZIP_DEV_F_NEED_WAKEUP,
	},
	.aborted = VZIP_STS_ABORTED,
	.check = wd_pci_vzip_check,
	.write_regs = wd_pci_vzip_write_regs,
	.ctx_size = wd_pci_vzip_ctx_size,
	.check_sqe = wd_pci_vzip_check_sqe,
	.make_cqe = wd_pci_vzip_make_cqe,
};
EXPORT_SYMBOL_IF_KUNIT(wd_pci_vzip);
