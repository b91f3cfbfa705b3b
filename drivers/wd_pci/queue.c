// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_pci: queues.
 *
 * Each function queue has two pairs of rings: the owner's, in its DUS
 * region with the class's control page (the host's protocol), and the
 * function's, in DMA memory only the driver writes.  One work item per
 * queue, the pump, moves submissions from the first to the second and
 * completions back; a work item never runs on two CPUs at once, so the
 * ring indices need no lock.  The pump polls the owner's SQ for a while
 * after each piece of work, then asks for UACCE_CMD_WAKE_Q as the class's
 * protocol says (the engine going idle); the function's interrupt and the
 * wake-up ioctl schedule it again.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "wd_pci.h"

/**
 * wd_pci_dus_size() - bytes of a queue's DUS region
 * @cls: the class, whose control page comes first
 * @depth: entries per ring
 *
 * Return: the control page, the SQ and the CQ, rounded up to a page.
 */
size_t wd_pci_dus_size(const struct wd_pci_class *cls, u32 depth)
{
	return PAGE_ALIGN(cls->ctrl.size +
			  (size_t)depth * (cls->sqe_size + cls->cqe_size));
}

static __le32 *wd_pci_ctrl(struct wd_pci_queue *q, u32 offset)
{
	return q->dus + offset;
}

static u32 wd_pci_qread(struct wd_pci_queue *q, u32 reg)
{
	return readl(q->regs + reg);
}

static void wd_pci_qwrite(struct wd_pci_queue *q, u32 reg, u32 val)
{
	writel(val, q->regs + reg);
}

/* clean rings for a new owner: every index 0, the pump asleep */
static void wd_pci_reset_user_rings(struct wd_pci_queue *q)
{
	const struct wd_pci_class *cls = q->wdev->cls;

	memset(q->dus, 0, q->dus_size);
	*wd_pci_ctrl(q, cls->ctrl.dev_flags) =
		cpu_to_le32(cls->ctrl.need_wakeup);
	cls->write_regs(q, q->mmio);
}

/* ---- the pump ---- */

/*
 * Completions of the function to the owner's CQ.  The owner's CQ has room:
 * the pump takes a submission only while its completion fits.
 */
static u32 wd_pci_reap(struct wd_pci_queue *q)
{
	const struct wd_pci_class *cls = q->wdev->cls;
	u32 mask = q->wdev->depth - 1;
	u32 tail, n = 0;

	tail = wd_pci_qread(q, WD_PCI_Q_CQ_TAIL);
	if (tail - q->fcq_head > q->fsq_tail - q->fcq_head) {
		dev_err_ratelimited(&q->wdev->pdev->dev,
				    "queue %u: CQ_TAIL %u beyond the %u submitted\n",
				    q->qid, tail, q->fsq_tail);
		return 0;
	}
	/* the entries are read after the index that published them */
	dma_rmb();
	while (q->fcq_head != tail) {
		memcpy(q->ucq + (q->cq_tail & mask) * cls->cqe_size,
		       q->fcq + (q->fcq_head & mask) * cls->cqe_size,
		       cls->cqe_size);
		q->fcq_head++;
		q->cq_tail++;
		n++;
	}
	if (n) {
		/* the entries before the index that publishes them */
		smp_store_release(wd_pci_ctrl(q, cls->ctrl.cq_tail),
				  cpu_to_le32(q->cq_tail));
		wd_pci_qwrite(q, WD_PCI_Q_CQ_HEAD, q->fcq_head);
		uacce_wake_up(q->uq);
	}
	return n;
}

/* a completion the driver writes itself, in order */
static void wd_pci_complete_local(struct wd_pci_queue *q, u16 status)
{
	const struct wd_pci_class *cls = q->wdev->cls;
	u32 mask = q->wdev->depth - 1;

	cls->make_cqe(q->ucq + (q->cq_tail & mask) * cls->cqe_size, q->sqe,
		      status);
	q->cq_tail++;
	/* the entry before the index that publishes it */
	smp_store_release(wd_pci_ctrl(q, cls->ctrl.cq_tail),
			  cpu_to_le32(q->cq_tail));
	uacce_wake_up(q->uq);
}

/* Submissions of the owner to the function's SQ, checked. */
static u32 wd_pci_feed(struct wd_pci_queue *q)
{
	const struct wd_pci_class *cls = q->wdev->cls;
	const struct uacce_qfile_region *ss;
	u32 depth = q->wdev->depth, mask = depth - 1;
	u32 tail, cq_head, n = 0, taken = 0;
	u16 status;

	/* the owner's entries are read after the index that published them */
	tail = le32_to_cpu(smp_load_acquire(wd_pci_ctrl(q, cls->ctrl.sq_tail)));
	cq_head = le32_to_cpu(READ_ONCE(*wd_pci_ctrl(q, cls->ctrl.cq_head)));
	if (tail - q->sq_head > depth) {
		/* a protocol error: the SQ is ignored until it is back */
		dev_dbg_ratelimited(&q->wdev->pdev->dev,
				    "queue %u: sq_tail %u more than %u ahead of %u\n",
				    q->qid, tail, depth, q->sq_head);
		return 0;
	}
	/* uacce frees no SS memory while the queue is started */
	ss = smp_load_acquire(&q->uq->qfrs[UACCE_QFRT_SS]);
	if (ss && !uacce_qfr_mapped(ss))
		ss = NULL;
	while (q->sq_head != tail) {
		/*
		 * Its completion must fit in the owner's CQ, and the function's
		 * SQ must have room whatever the owner wrote as cq_head.
		 */
		if (q->sq_head - cq_head >= depth ||
		    q->fsq_tail - q->fcq_head >= depth)
			break;
		memcpy(q->sqe, q->usq + (q->sq_head & mask) * cls->sqe_size,
		       cls->sqe_size);
		status = cls->check_sqe(q, q->sqe, ss);
		if (status) {
			/* behind the requests before it, in order */
			if (q->fsq_tail != q->fcq_head || n)
				break;
			q->sq_head++;
			taken++;
			wd_pci_complete_local(q, status);
			continue;
		}
		memcpy(q->fsq + (q->fsq_tail & mask) * cls->sqe_size, q->sqe,
		       cls->sqe_size);
		q->fsq_tail++;
		q->sq_head++;
		n++;
	}
	/* writel() orders the entries before the doorbell */
	if (n)
		wd_pci_qwrite(q, WD_PCI_Q_SQ_TAIL, q->fsq_tail);
	if (n || taken) {
		/* the copies are taken before the owner may reuse the slots */
		smp_store_release(wd_pci_ctrl(q, cls->ctrl.sq_head),
				  cpu_to_le32(q->sq_head));
	}
	return n + taken;
}

static void wd_pci_pump(struct work_struct *work)
{
	struct wd_pci_queue *q = container_of(to_delayed_work(work),
					      struct wd_pci_queue, pump);
	const struct wd_pci_class *cls = q->wdev->cls;
	__le32 *flags = wd_pci_ctrl(q, cls->ctrl.dev_flags);
	u32 done;

	if (!READ_ONCE(q->running))
		return;
again:
	done = wd_pci_reap(q);
	done += wd_pci_feed(q);
	if (done)
		q->idle_until = jiffies + q->wdev->idle;
	if (done || q->fsq_tail != q->fcq_head ||
	    time_before(jiffies, q->idle_until)) {
		WRITE_ONCE(*flags, 0);
		queue_delayed_work(wd_pci_wq, &q->pump, 1);
		return;
	}
	/*
	 * Going idle: the flag, a full barrier, one more look at the SQ.
	 * Either this look sees the owner's new sq_tail or the owner sees
	 * the flag and calls UACCE_CMD_WAKE_Q (Documentation/vzip.rst,
	 * "Doorbell").
	 */
	WRITE_ONCE(*flags, cpu_to_le32(cls->ctrl.need_wakeup));
	/* pairs with the owner's barrier between sq_tail and dev_flags */
	smp_mb();
	if (le32_to_cpu(READ_ONCE(*wd_pci_ctrl(q, cls->ctrl.sq_tail))) !=
	    q->sq_head) {
		WRITE_ONCE(*flags, 0);
		goto again;
	}
}

/* ---- the function's queue ---- */

static int wd_pci_enable(struct wd_pci_queue *q)
{
	u32 sts;

	wd_pci_qwrite(q, WD_PCI_Q_CTRL, 0);
	wd_pci_qwrite(q, WD_PCI_Q_SQ_BASE_LO, lower_32_bits(q->fsq_dma));
	wd_pci_qwrite(q, WD_PCI_Q_SQ_BASE_HI, upper_32_bits(q->fsq_dma));
	wd_pci_qwrite(q, WD_PCI_Q_CQ_BASE_LO, lower_32_bits(q->fcq_dma));
	wd_pci_qwrite(q, WD_PCI_Q_CQ_BASE_HI, upper_32_bits(q->fcq_dma));
	wd_pci_qwrite(q, WD_PCI_Q_DEPTH, q->wdev->depth);
	wd_pci_qwrite(q, WD_PCI_Q_CTRL,
		      WD_PCI_Q_CTRL_ENABLE | WD_PCI_Q_CTRL_IRQ);
	sts = wd_pci_qread(q, WD_PCI_Q_STATUS);
	if (!(sts & WD_PCI_Q_STS_ENABLED)) {
		dev_err(&q->wdev->pdev->dev,
			"queue %u refused its rings: status %#x, error %#x\n",
			q->qid, sts, wd_pci_qread(q, WD_PCI_Q_ERROR));
		return -EIO;
	}
	q->fsq_tail = 0;
	q->fcq_head = 0;
	return 0;
}

/*
 * Disable the function's queue (which waits for the request it runs), hand
 * the completions it wrote to the owner, and complete what it never ran as
 * aborted: every submission the owner saw consumed gets its completion.
 */
static void wd_pci_disable(struct wd_pci_queue *q)
{
	const struct wd_pci_class *cls = q->wdev->cls;
	u32 mask = q->wdev->depth - 1;

	wd_pci_qwrite(q, WD_PCI_Q_CTRL, 0);
	/* a read flushes the posted write; the function is idle after it */
	if (wd_pci_qread(q, WD_PCI_Q_STATUS) & WD_PCI_Q_STS_ENABLED)
		dev_warn(&q->wdev->pdev->dev, "queue %u did not disable\n",
			 q->qid);
	wd_pci_reap(q);
	while (q->fcq_head != q->fsq_tail) {
		memcpy(q->sqe, q->fsq + (q->fcq_head & mask) * cls->sqe_size,
		       cls->sqe_size);
		q->fcq_head++;
		wd_pci_complete_local(q, cls->aborted);
	}
	wd_pci_qwrite(q, WD_PCI_Q_ERROR, ~0u);
}

/* ---- uacce callbacks ---- */

static int wd_pci_get_available_instances(struct uacce_device *uacce)
{
	struct wd_pci_dev *wdev = uacce->priv;
	int n = 0;
	u32 i;

	mutex_lock(&wdev->alloc_lock);
	for (i = 0; i < wdev->nr_queues; i++)
		n += !wdev->queues[i].uq;
	mutex_unlock(&wdev->alloc_lock);
	return n;
}

static int wd_pci_get_queue(struct uacce_device *uacce, unsigned long arg,
			    struct uacce_queue *uq)
{
	struct wd_pci_dev *wdev = uacce->priv;
	struct wd_pci_queue *q = NULL;
	u32 i;

	mutex_lock(&wdev->alloc_lock);
	for (i = 0; i < wdev->nr_queues; i++) {
		if (!wdev->queues[i].uq) {
			q = &wdev->queues[i];
			q->uq = uq;
			break;
		}
	}
	mutex_unlock(&wdev->alloc_lock);
	if (!q)
		return -EBUSY;
	q->sq_head = 0;
	q->cq_tail = 0;
	uq->priv = q;
	uq->status = (struct uacce_queue_status *)
		wd_pci_ctrl(q, wdev->cls->ctrl.status);
	return 0;
}

static void wd_pci_put_queue(struct uacce_queue *uq)
{
	struct wd_pci_queue *q = uq->priv;
	struct wd_pci_dev *wdev = q->wdev;

	wd_pci_reset_user_rings(q);
	uq->priv = NULL;
	mutex_lock(&wdev->alloc_lock);
	q->uq = NULL;
	mutex_unlock(&wdev->alloc_lock);
}

static int wd_pci_start_queue(struct uacce_queue *uq)
{
	struct wd_pci_queue *q = uq->priv;
	int ret;

	ret = wd_pci_enable(q);
	if (ret)
		return ret;
	q->idle_until = jiffies + q->wdev->idle;
	WRITE_ONCE(q->running, true);
	mod_delayed_work(wd_pci_wq, &q->pump, 0);
	return 0;
}

static void wd_pci_stop_queue(struct uacce_queue *uq)
{
	struct wd_pci_queue *q = uq->priv;
	const struct wd_pci_class *cls = q->wdev->cls;

	WRITE_ONCE(q->running, false);
	cancel_delayed_work_sync(&q->pump);
	wd_pci_disable(q);
	*wd_pci_ctrl(q, cls->ctrl.dev_flags) =
		cpu_to_le32(cls->ctrl.need_wakeup);
}

static int wd_pci_is_q_updated(struct uacce_queue *uq)
{
	struct wd_pci_queue *q = uq->priv;
	const struct wd_pci_class *cls = q->wdev->cls;

	return READ_ONCE(*wd_pci_ctrl(q, cls->ctrl.cq_tail)) !=
	       READ_ONCE(*wd_pci_ctrl(q, cls->ctrl.cq_head));
}

static int wd_pci_mmap(struct uacce_queue *uq, struct vm_area_struct *vma,
		       struct uacce_qfile_region *qfr)
{
	struct wd_pci_queue *q = uq->priv;
	unsigned long size = vma->vm_end - vma->vm_start;
	void *mem;

	switch (qfr->type) {
	case UACCE_QFRT_MMIO:
		/* a copy of the registers: the function's stay the driver's */
		mem = q->mmio;
		break;
	case UACCE_QFRT_DUS:
		mem = q->dus;
		break;
	default:
		return -EINVAL;
	}
	if (size > (qfr->type == UACCE_QFRT_MMIO ? PAGE_SIZE : q->dus_size))
		return -EINVAL;
	return remap_pfn_range(vma, vma->vm_start,
			       page_to_pfn(virt_to_page(mem)), size,
			       vma->vm_page_prot);
}

static void wd_pci_queue_info(struct uacce_queue *uq,
			      struct uacce_queue_info *info)
{
	struct wd_pci_queue *q = uq->priv;
	struct wd_pci_dev *wdev = q->wdev;

	info->qid = q->qid;
	info->status_offset = wdev->cls->ctrl.status;
	info->ring_depth = wdev->depth;
	info->sqe_size = wdev->cls->sqe_size;
	info->cqe_size = wdev->cls->cqe_size;
	info->ctx_size = wdev->cls->ctx_size(wdev);
}

static void wd_pci_wake_queue(struct uacce_queue *uq)
{
	struct wd_pci_queue *q = uq->priv;

	mod_delayed_work(wd_pci_wq, &q->pump, 0);
}

const struct uacce_ops wd_pci_uacce_ops = {
	.get_available_instances = wd_pci_get_available_instances,
	.get_queue = wd_pci_get_queue,
	.put_queue = wd_pci_put_queue,
	.start_queue = wd_pci_start_queue,
	.stop_queue = wd_pci_stop_queue,
	.is_q_updated = wd_pci_is_q_updated,
	.mmap = wd_pci_mmap,
	.queue_info = wd_pci_queue_info,
	.wake_queue = wd_pci_wake_queue,
};

/* ---- creation ---- */

static int wd_pci_queue_init(struct wd_pci_dev *wdev, struct wd_pci_queue *q,
			     u32 qid)
{
	struct device *dev = &wdev->pdev->dev;
	const struct wd_pci_class *cls = wdev->cls;
	u32 depth = wdev->depth;
	struct page *page;

	q->wdev = wdev;
	q->qid = qid;
	q->regs = wdev->bar + WD_PCI_QUEUE_BASE + qid * WD_PCI_QUEUE_STRIDE;
	INIT_DELAYED_WORK(&q->pump, wd_pci_pump);

	q->fsq = dmam_alloc_coherent(dev, (size_t)depth * cls->sqe_size,
				     &q->fsq_dma, GFP_KERNEL);
	q->fcq = dmam_alloc_coherent(dev, (size_t)depth * cls->cqe_size,
				     &q->fcq_dma, GFP_KERNEL);
	if (!q->fsq || !q->fcq)
		return -ENOMEM;

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	q->mmio = page_address(page);
	q->dus_size = wd_pci_dus_size(cls, depth);
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, get_order(q->dus_size));
	if (!page)
		return -ENOMEM;
	q->dus = page_address(page);
	q->usq = q->dus + cls->ctrl.size;
	q->ucq = q->usq + (size_t)depth * cls->sqe_size;
	wd_pci_reset_user_rings(q);
	return 0;
}

/**
 * wd_pci_queues_create() - set up every queue of a function
 * @wdev: the device, its geometry read
 *
 * Return: 0, or -ENOMEM with nothing left behind but device-managed DMA
 * memory.
 */
int wd_pci_queues_create(struct wd_pci_dev *wdev)
{
	u32 i;
	int ret;

	wdev->queues = kcalloc(wdev->nr_queues, sizeof(*wdev->queues),
			       GFP_KERNEL);
	if (!wdev->queues)
		return -ENOMEM;
	for (i = 0; i < wdev->nr_queues; i++) {
		ret = wd_pci_queue_init(wdev, &wdev->queues[i], i);
		if (ret) {
			wd_pci_queues_destroy(wdev);
			return ret;
		}
	}
	return 0;
}

/**
 * wd_pci_queues_destroy() - free the queues' pages
 * @wdev: the device, none of whose queues is in use
 */
void wd_pci_queues_destroy(struct wd_pci_dev *wdev)
{
	u32 i;

	if (!wdev->queues)
		return;
	for (i = 0; i < wdev->nr_queues; i++) {
		struct wd_pci_queue *q = &wdev->queues[i];

		if (q->dus)
			free_pages((unsigned long)q->dus,
				   get_order(q->dus_size));
		if (q->mmio)
			free_page((unsigned long)q->mmio);
	}
	kfree(wdev->queues);
	wdev->queues = NULL;
}
