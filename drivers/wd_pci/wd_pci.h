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

#include <linux/interrupt.h>
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
 *	memory outside @ss (NULL: not mapped) or is not one the class knows
 *	the buffers of, or 0 to pass it on
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
 * enum wd_pci_fault - why a queue can no longer complete its requests
 * @WD_PCI_FAULT_NONE: it can
 * @WD_PCI_FAULT_HALTED: the function halted it (STATUS HALTED): it could
 *	not read the SQ or write the CQ
 * @WD_PCI_FAULT_DISABLED: ENABLE went away behind the driver's back (the
 *	function was reset)
 * @WD_PCI_FAULT_BAD_TAIL: the function reports more completions than it
 *	was given requests
 * @WD_PCI_FAULT_GONE: the host is removing the function (DEV_STATUS
 *	GONE), or it no longer answers (registers read all ones); affects
 *	every queue
 * @WD_PCI_FAULT_STUCK: the function kept a queue enabled that the driver
 *	disabled: its DMA is stopped (bus mastering off), since the memory
 *	it would reach is freed next; affects every queue
 */
enum wd_pci_fault {
	WD_PCI_FAULT_NONE,
	WD_PCI_FAULT_HALTED,
	WD_PCI_FAULT_DISABLED,
	WD_PCI_FAULT_BAD_TAIL,
	WD_PCI_FAULT_GONE,
	WD_PCI_FAULT_STUCK,
};

/* wd_pci_queue.flags */
#define WD_PCI_QF_IRQ		0	/* an interrupt named the queue */

/* wd_pci_dev.flags */
#define WD_PCI_F_GONE		0	/* the function is gone: no queue runs */
#define WD_PCI_F_STUCK		1	/* set before GONE: it is for STUCK */

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
 * @flags: WD_PCI_QF_*, atomic bits
 * @dead: why the queue can no longer run requests, WD_PCI_FAULT_NONE while
 *	it can; written by the pump, and by start and stop while the pump is
 *	cancelled; set until the queue's next owner
 * @check_at: jiffies after which the pump, seeing no progress on requests
 *	in flight, reads the function's state
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
	unsigned long flags;
	enum wd_pci_fault dead;
	unsigned long check_at;
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
 * @dev: its struct device, for messages and DMA memory
 * @cls: its accelerator class
 * @bar: BAR0
 * @uacce: its uacce device
 * @nr_queues: queues of the function
 * @depth: entries per ring, the function's and the owners'
 * @params: the class's parameter registers
 * @nr_vecs: interrupt vectors allocated
 * @idle: jiffies a pump polls an idle SQ before it asks for UACCE_CMD_WAKE_Q
 * @queues: @nr_queues queues
 * @flags: WD_PCI_F_*, atomic bits
 * @alloc_lock: protects the queues' @uq (which queue is free)
 */
struct wd_pci_dev {
	struct pci_dev *pdev;
	struct device *dev;
	const struct wd_pci_class *cls;
	void __iomem *bar;
	struct uacce_device *uacce;
	u32 nr_queues;
	u32 depth;
	u32 params[WD_PCI_MAX_PARAMS];
	int nr_vecs;
	unsigned long idle;
	struct wd_pci_queue *queues;
	unsigned long flags;
	/* protects queues[].uq: which queue is free */
	struct mutex alloc_lock;
};

extern const struct uacce_ops wd_pci_uacce_ops;
extern struct workqueue_struct *wd_pci_wq;

int wd_pci_queues_create(struct wd_pci_dev *wdev);
void wd_pci_queues_destroy(struct wd_pci_dev *wdev);
size_t wd_pci_dus_size(const struct wd_pci_class *cls, u32 depth);

/**
 * struct wd_pci_id_regs - the identity and geometry registers of a function
 * @magic: MAGIC
 * @version: VERSION
 * @nr_queues: NR_QUEUES
 * @max_depth: MAX_DEPTH
 * @sqe_size: SQE_SIZE
 * @cqe_size: CQE_SIZE
 */
struct wd_pci_id_regs {
	u32 magic;
	u32 version;
	u32 nr_queues;
	u32 max_depth;
	u32 sqe_size;
	u32 cqe_size;
};

#if IS_ENABLED(CONFIG_KUNIT)
/* static without KUnit; exported to test/kunit/wd_pci_test.c with it */
int wd_pci_check_ids(struct device *dev, const struct wd_pci_class *cls,
		     const struct wd_pci_id_regs *ids);
enum wd_pci_fault wd_pci_judge(u32 dev_status, u32 q_status, bool bad_tail);
u32 wd_pci_service(struct wd_pci_queue *q, bool irq);
irqreturn_t wd_pci_irq(int irq, void *data);
#endif

#endif /* _WD_PCI_H */
