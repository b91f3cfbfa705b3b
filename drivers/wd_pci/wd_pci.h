/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wd_pci: the driver of the WarpDrive PCI function (<misc/uacce/wd_pci.h>)
 * inside a virtual machine.  Internal interfaces.
 *
 * Each function queue becomes a uacce queue that looks to user space like
 * a queue of the accelerator class on the host (for vzip: the registers,
 * rings and doorbell of Documentation/vzip.rst, without SVA), so that
 * libwarpdrive runs unchanged in the VM.  Data lives in the queue's SS
 * region, DMA memory of the guest.  The driver copies each submission out
 * of the user's ring, checks that every buffer it names lies in that
 * region, and passes it to the function's ring; completions come back by
 * interrupt and are copied to the user's ring.  The user never reaches
 * the function's registers or rings, nor guest memory outside its region.
 */
#ifndef _WD_PCI_H
#define _WD_PCI_H

#include <linux/pci.h>
#include <linux/types.h>
#include <linux/uacce.h>
#include <linux/workqueue.h>
#include <uapi/misc/uacce/wd_pci.h>

struct wd_pci_dev;
struct wd_pci_queue;

/**
 * struct wd_pci_class - what the driver knows of an accelerator class
 * @name: uacce node prefix (/dev/<name>-<id>)
 * @device: PCI device ID
 * @magic: value of the MAGIC register
 * @sqe_size: bytes of a submission entry
 * @cqe_size: bytes of a completion entry
 * @api_ver: uacce api string, as on the host
 * @algs: uacce algorithms, newline separated
 * @ctrl: the user rings' control page: offsets of the SQ tail, SQ head,
 *	CQ tail, CQ head and device-flags words, of the uacce status word,
 *	its size (the SQ follows it), and the flag asking for UACCE_CMD_WAKE_Q
 * @aborted: completion status of a request the function never ran
 * @check: read the class's parameters (@wdev->params) at probe
 * @write_regs: fill the page of registers a queue's owner maps
 * @ctx_size: bytes of a stream context, for UACCE_CMD_QUEUE_INFO
 * @check_sqe: the status of a local completion if a submission names
 *	memory outside @ss (NULL: not mapped), or 0 to pass it on
 * @make_cqe: write the completion of a submission refused with @status
 */
struct wd_pci_class {
	const char *name;
	u16 device;
	u32 magic;
	u32 sqe_size;
	u32 cqe_size;
	const char *api_ver;
	const char *algs;
	struct {
		u32 sq_tail, sq_head, cq_tail, cq_head, dev_flags, status;
		u32 size;
		u32 need_wakeup;
	} ctrl;
	u16 aborted;
	int (*check)(struct wd_pci_dev *wdev);
	void (*write_regs)(struct wd_pci_queue *q, __le32 *regs);
	u32 (*ctx_size)(struct wd_pci_dev *wdev);
	u16 (*check_sqe)(struct wd_pci_queue *q, const void *sqe,
			 const struct uacce_qfile_region *ss);
	void (*make_cqe)(void *cqe, const void *sqe, u16 status);
};

extern const struct wd_pci_class wd_pci_vzip;

/**
 * struct wd_pci_queue - a queue of the function and its uacce face
 * @wdev: the device
 * @qid: index in the function
 * @uq: the uacce queue that owns it, or NULL (@wdev->alloc_lock)
 * @regs: its block of function registers
 * @mmio: the register page its owner maps (MMIO region)
 * @dus: the owner's control page and rings (DUS region)
 * @dus_size: bytes of @dus
 * @usq: the owner's SQ in @dus
 * @ucq: the owner's CQ in @dus
 * @fsq: the function's SQ, DMA memory
 * @fcq: the function's CQ, DMA memory
 * @fsq_dma: its address
 * @fcq_dma: its address
 * @pump: moves submissions to the function and completions back; the
 *	only writer of the indices below while the queue runs
 * @running: the pump may run (set by start, cleared by stop)
 * @sq_head: user SQ entries consumed
 * @cq_tail: user CQ entries produced
 * @fsq_tail: function SQ entries written (its SQ_TAIL)
 * @fcq_head: function CQ entries consumed (its CQ_HEAD)
 * @idle_until: jiffies until which the pump polls the user's SQ
 * @sqe: a submission copied out of the user's ring
 */
struct wd_pci_queue {
	struct wd_pci_dev *wdev;
	u32 qid;
	struct uacce_queue *uq;
	void __iomem *regs;
	__le32 *mmio;
	void *dus;
	size_t dus_size;
	void *usq;
	void *ucq;
	void *fsq;
	void *fcq;
	dma_addr_t fsq_dma;
	dma_addr_t fcq_dma;
	struct delayed_work pump;
	bool running;
	u32 sq_head;
	u32 cq_tail;
	u32 fsq_tail;
	u32 fcq_head;
	unsigned long idle_until;
	u8 sqe[128];
};

/**
 * struct wd_pci_dev - a WarpDrive PCI function bound to this driver
 * @pdev: the PCI device
 * @cls: its accelerator class
 * @bar: BAR0
 * @uacce: its uacce device
 * @nr_queues: queues of the function
 * @depth: entries per ring, the function's and the owners'
 * @params: the class's parameter registers
 * @nr_vecs: interrupt vectors allocated
 * @idle: jiffies a pump polls an idle SQ before it asks for UACCE_CMD_WAKE_Q
 * @queues: @nr_queues queues
 * @alloc_lock: protects the queues' @uq (which queue is free)
 */
struct wd_pci_dev {
	struct pci_dev *pdev;
	const struct wd_pci_class *cls;
	void __iomem *bar;
	struct uacce_device *uacce;
	u32 nr_queues;
	u32 depth;
	u32 params[WD_PCI_MAX_PARAMS];
	int nr_vecs;
	unsigned long idle;
	struct wd_pci_queue *queues;
	/* protects queues[].uq: which queue is free */
	struct mutex alloc_lock;
};

extern const struct uacce_ops wd_pci_uacce_ops;
extern struct workqueue_struct *wd_pci_wq;

int wd_pci_queues_create(struct wd_pci_dev *wdev);
void wd_pci_queues_destroy(struct wd_pci_dev *wdev);
size_t wd_pci_dus_size(const struct wd_pci_class *cls, u32 depth);

#endif /* _WD_PCI_H */
