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
 *
 * A queue whose requests can no longer complete (the function halted it,
 * lost it to a reset, or is gone: enum wd_pci_fault) dies: the pump tells
 * its owner through the uacce status word, completes what was in flight as
 * aborted, and from then on completes each new submission at once, refused
 * the same way.  The pump notices on the function's interrupt, and while
 * requests are in flight without progress, since a function that is gone
 * never interrupts again.
 */
#include <kunit/visibility.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "wd_pci.h"

/*
 * How long requests may be in flight with no completion before the pump
 * reads the function's state: two register reads, VM exits.
 */
#define WD_PCI_CHECK_PERIOD	(HZ / 10)

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
EXPORT_SYMBOL_IF_KUNIT(wd_pci_dus_size);

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
 * the pump takes a submission only while its completion fits.  Returns the
 * completions moved, or -EIO if CQ_TAIL is beyond the requests submitted
 * (a function reset, gone or broken), and then moves nothing.
 */
static int wd_pci_reap(struct wd_pci_queue *q)
{
	const struct wd_pci_class *cls = q->wdev->cls;
	u32 mask = q->wdev->depth - 1;
	u32 tail, n = 0;

	tail = wd_pci_qread(q, WD_PCI_Q_CQ_TAIL);
	if (tail - q->fcq_head > q->fsq_tail - q->fcq_head)
		return -EIO;
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

/* What the function was given and never completed, aborted in order. */
static u32 wd_pci_abort_inflight(struct wd_pci_queue *q)
{
	const struct wd_pci_class *cls = q->wdev->cls;
	u32 mask = q->wdev->depth - 1, n = 0;

	while (q->fcq_head != q->fsq_tail) {
		memcpy(q->sqe, q->fsq + (q->fcq_head & mask) * cls->sqe_size,
		       cls->sqe_size);
		q->fcq_head++;
		wd_pci_complete_local(q, cls->aborted);
		n++;
	}
	return n;
}

/* ---- faults ---- */

/**
 * wd_pci_judge() - tell from a function's state whether a queue can go on
 * @dev_status: its DEV_STATUS register
 * @q_status: the queue's STATUS register
 * @bad_tail: the queue's CQ_TAIL read beyond the requests submitted
 *
 * The queue is meant to be running (ENABLE set by the driver).  GONE, or a
 * register reading all ones (a function that does not answer), is the
 * whole function's fault; HALTED, a missing ENABLED and @bad_tail are the
 * queue's, in that order.  ERROR alone is not a fault: an address error
 * completes its request and the queue goes on.
 *
 * Return: the fault, WD_PCI_FAULT_NONE if the queue can go on.
 */
VISIBLE_IF_KUNIT enum wd_pci_fault wd_pci_judge(u32 dev_status, u32 q_status,
						bool bad_tail)
{
	if (dev_status == U32_MAX || q_status == U32_MAX ||
	    (dev_status & WD_PCI_DEV_STS_GONE))
		return WD_PCI_FAULT_GONE;
	if (q_status & WD_PCI_Q_STS_HALTED)
		return WD_PCI_FAULT_HALTED;
	if (!(q_status & WD_PCI_Q_STS_ENABLED))
		return WD_PCI_FAULT_DISABLED;
	if (bad_tail)
		return WD_PCI_FAULT_BAD_TAIL;
	return WD_PCI_FAULT_NONE;
}
EXPORT_SYMBOL_IF_KUNIT(wd_pci_judge);

/* Lets every running pump see that the function is gone. */
static void wd_pci_kick_all(struct wd_pci_dev *wdev)
{
	u32 i;

	for (i = 0; i < wdev->nr_queues; i++)
		if (READ_ONCE(wdev->queues[i].running))
			mod_delayed_work(wd_pci_wq, &wdev->queues[i].pump, 0);
}

/* The function is gone: say so once, and let every running pump see it. */
static void wd_pci_gone(struct wd_pci_dev *wdev, u32 dev_status)
{
	if (test_and_set_bit(WD_PCI_F_GONE, &wdev->flags))
		return;
	dev_err(wdev->dev, "%s: every queue is dead, requests in flight complete with status %u (aborted), new ones are refused\n",
		dev_status == U32_MAX ?
		"the function does not answer (registers read all ones)" :
		"the host is removing the function (DEV_STATUS GONE)",
		wdev->cls->aborted);
	wd_pci_kick_all(wdev);
}

/*
 * Queue @q stayed enabled (STATUS @sts) when the driver disabled it: the
 * function may go on reading and writing the queue's memory, which the
 * stop frees next.  Its DMA is stopped for good (bus mastering off, until
 * the driver is bound again) and every queue dies, as for a gone function.
 */
static void wd_pci_stuck(struct wd_pci_queue *q, u32 sts)
{
	struct wd_pci_dev *wdev = q->wdev;

	/* being removed already: its queues die of that */
	if (test_bit(WD_PCI_F_GONE, &wdev->flags))
		return;
	set_bit(WD_PCI_F_STUCK, &wdev->flags);
	if (dev_is_pci(wdev->dev))
		pci_clear_master(to_pci_dev(wdev->dev));
	/* a full barrier: whoever sees GONE sees STUCK */
	if (test_and_set_bit(WD_PCI_F_GONE, &wdev->flags))
		return;
	dev_err(wdev->dev, "queue %u did not disable (STATUS %#x): the function's DMA is stopped (bus mastering off), every queue is dead, requests in flight complete with status %u (aborted), new ones are refused\n",
		q->qid, sts, wdev->cls->aborted);
	uacce_report_hw_error(wdev->uacce);
	wd_pci_kick_all(wdev);
}

/* Why every queue dies, once WD_PCI_F_GONE is seen set */
static enum wd_pci_fault wd_pci_gone_fault(struct wd_pci_dev *wdev)
{
	/* pairs with the barrier of wd_pci_stuck()'s test_and_set_bit() */
	smp_rmb();
	return test_bit(WD_PCI_F_STUCK, &wdev->flags) ? WD_PCI_FAULT_STUCK :
							 WD_PCI_FAULT_GONE;
}

/*
 * The queue can no longer run requests: publish it in the owner's status
 * word (before the aborted completions, so that an owner who sees them
 * sees why), complete what the function had as aborted, and log it.  Later
 * submissions are refused by wd_pci_refuse().  Returns the completions
 * written.
 */
static u32 wd_pci_die(struct wd_pci_queue *q, enum wd_pci_fault fault,
		      u32 q_status)
{
	struct wd_pci_dev *wdev = q->wdev;
	u32 error = 0, tail = 0, n = 0, inflight;
	u64 iova = 0;
	int reaped;

	if (q->dead)
		return 0;
	WRITE_ONCE(q->dead, fault);
	if (fault == WD_PCI_FAULT_HALTED) {
		error = wd_pci_qread(q, WD_PCI_Q_ERROR);
		iova = wd_pci_qread(q, WD_PCI_Q_ERR_IOVA_LO) |
		       (u64)wd_pci_qread(q, WD_PCI_Q_ERR_IOVA_HI) << 32;
		/* what it completed before it halted is good: before DEAD */
		reaped = wd_pci_reap(q);
		if (reaped > 0)
			n = reaped;
	} else if (fault == WD_PCI_FAULT_BAD_TAIL) {
		tail = wd_pci_qread(q, WD_PCI_Q_CQ_TAIL);
	}
	uacce_queue_set_status(q->uq, UACCE_QSTATE_DEAD,
			       fault == WD_PCI_FAULT_GONE ?
			       UACCE_QREASON_REMOVED : UACCE_QREASON_HW_ERROR);
	/* a gone function takes no more writes; others stop the queue */
	if (fault != WD_PCI_FAULT_GONE) {
		wd_pci_qwrite(q, WD_PCI_Q_CTRL, 0);
		/* flushes the posted write: the function is idle after it */
		wd_pci_qread(q, WD_PCI_Q_STATUS);
	}
	inflight = wd_pci_abort_inflight(q);
	n += inflight;

	switch (fault) {
	case WD_PCI_FAULT_HALTED:
		dev_err(wdev->dev, "queue %u halted: the function cannot reach a ring (STATUS %#x, ERROR %#x, IOVA %#llx); the queue is dead, %u request(s) in flight aborted\n",
			q->qid, q_status, error, iova, inflight);
		break;
	case WD_PCI_FAULT_DISABLED:
		dev_err(wdev->dev, "queue %u was disabled under the driver (STATUS %#x: a function reset?); the queue is dead, %u request(s) in flight aborted\n",
			q->qid, q_status, inflight);
		break;
	case WD_PCI_FAULT_BAD_TAIL:
		dev_err(wdev->dev, "queue %u: CQ_TAIL %u beyond the %u requests submitted; the queue is dead, %u request(s) in flight aborted\n",
			q->qid, tail, q->fsq_tail, inflight);
		break;
	default:
		dev_dbg(wdev->dev, "queue %u: dead, %u request(s) in flight aborted\n",
			q->qid, inflight);
		break;
	}
	/*
	 * a fault of the hardware counts towards isolating the device; one
	 * of the whole function's, once (wd_pci_stuck())
	 */
	if (fault != WD_PCI_FAULT_GONE && fault != WD_PCI_FAULT_STUCK)
		uacce_report_hw_error(wdev->uacce);
	uacce_wake_up(q->uq);
	return n;
}

/*
 * Reads the function's state when the queue's requests are not
 * progressing; kills the queue if it cannot go on.  Returns the
 * completions written.
 */
static u32 wd_pci_check(struct wd_pci_queue *q, bool bad_tail)
{
	struct wd_pci_dev *wdev = q->wdev;
	u32 dev_status, q_status;
	enum wd_pci_fault fault;

	dev_status = readl(wdev->bar + WD_PCI_REG_DEV_STATUS);
	q_status = wd_pci_qread(q, WD_PCI_Q_STATUS);
	fault = wd_pci_judge(dev_status, q_status, bad_tail);
	if (fault == WD_PCI_FAULT_NONE)
		return 0;
	if (fault == WD_PCI_FAULT_GONE)
		wd_pci_gone(wdev, dev_status);
	return wd_pci_die(q, fault, q_status);
}

/* A dead queue completes each new submission at once, aborted, in order. */
static u32 wd_pci_refuse(struct wd_pci_queue *q)
{
	const struct wd_pci_class *cls = q->wdev->cls;
	u32 depth = q->wdev->depth, mask = depth - 1;
	u32 tail, cq_head, n = 0;

	/* the owner's entries are read after the index that published them */
	tail = le32_to_cpu(smp_load_acquire(wd_pci_ctrl(q, cls->ctrl.sq_tail)));
	cq_head = le32_to_cpu(READ_ONCE(*wd_pci_ctrl(q, cls->ctrl.cq_head)));
	if (tail - q->sq_head > depth)
		return 0;
	while (q->sq_head != tail && q->sq_head - cq_head < depth) {
		memcpy(q->sqe, q->usq + (q->sq_head & mask) * cls->sqe_size,
		       cls->sqe_size);
		q->sq_head++;
		n++;
		wd_pci_complete_local(q, cls->aborted);
	}
	if (n) {
		/* the copies are taken before the owner may reuse the slots */
		smp_store_release(wd_pci_ctrl(q, cls->ctrl.sq_head),
				  cpu_to_le32(q->sq_head));
	}
	return n;
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
		dev_dbg_ratelimited(q->wdev->dev,
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

/**
 * wd_pci_service() - one round of a queue's pump
 * @q: a started queue, its pump not running elsewhere
 * @irq: an interrupt named the queue since the last round
 *
 * Moves the function's completions to the owner and the owner's
 * submissions to the function.  Reads the function's state when requests
 * are in flight and the round brings none of them back, if an interrupt
 * came or for WD_PCI_CHECK_PERIOD since the last progress, and kills the
 * queue if it cannot go on; a dead queue refuses what it is given.
 *
 * Return: the entries moved or completed by the driver.
 */
VISIBLE_IF_KUNIT u32 wd_pci_service(struct wd_pci_queue *q, bool irq)
{
	u32 n = 0;
	int reaped;

	if (!q->dead && test_bit(WD_PCI_F_GONE, &q->wdev->flags))
		n = wd_pci_die(q, wd_pci_gone_fault(q->wdev), 0);
	if (q->dead)
		return n + wd_pci_refuse(q);
	if (q->fsq_tail == q->fcq_head) {
		q->check_at = jiffies + WD_PCI_CHECK_PERIOD;
		return wd_pci_feed(q);
	}
	reaped = wd_pci_reap(q);
	if (reaped > 0) {
		n = reaped;
		q->check_at = jiffies + WD_PCI_CHECK_PERIOD;
	} else if (reaped < 0 || irq || time_after_eq(jiffies, q->check_at)) {
		n = wd_pci_check(q, reaped < 0);
		if (q->dead)
			return n + wd_pci_refuse(q);
		q->check_at = jiffies + WD_PCI_CHECK_PERIOD;
	}
	return n + wd_pci_feed(q);
}
EXPORT_SYMBOL_IF_KUNIT(wd_pci_service);

/*
 * The owner's SQ holds an entry a round would take: published, within
 * the ring, and with room for its completion in the owner's CQ.  An index
 * out of range (a protocol error) or a full CQ is the owner's to fix; the
 * pump sleeps on it rather than looking again.
 */
static bool wd_pci_sq_takeable(struct wd_pci_queue *q)
{
	const struct wd_pci_class *cls = q->wdev->cls;
	u32 depth = q->wdev->depth;
	u32 tail = le32_to_cpu(READ_ONCE(*wd_pci_ctrl(q, cls->ctrl.sq_tail)));
	u32 cq_head = le32_to_cpu(READ_ONCE(*wd_pci_ctrl(q,
							  cls->ctrl.cq_head)));

	return tail != q->sq_head && tail - q->sq_head <= depth &&
	       q->sq_head - cq_head < depth;
}

static void wd_pci_pump(struct work_struct *work)
{
	struct wd_pci_queue *q = container_of(to_delayed_work(work),
					      struct wd_pci_queue, pump);
	const struct wd_pci_class *cls = q->wdev->cls;
	__le32 *flags = wd_pci_ctrl(q, cls->ctrl.dev_flags);
	bool irq;
	u32 done;

	if (!READ_ONCE(q->running))
		return;
	irq = test_and_clear_bit(WD_PCI_QF_IRQ, &q->flags);
	done = wd_pci_service(q, irq);
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
	if (wd_pci_sq_takeable(q) && READ_ONCE(q->running)) {
		WRITE_ONCE(*flags, 0);
		/*
		 * Once more, as new work, not in a loop here: an owner that
		 * keeps its indices looking takeable to this check but not to
		 * the round would keep the worker from ever yielding.
		 */
		queue_delayed_work(wd_pci_wq, &q->pump, 0);
	}
}

/* ---- the function's queue ---- */

static int wd_pci_enable(struct wd_pci_queue *q)
{
	struct wd_pci_dev *wdev = q->wdev;
	u32 sts, dev_status;

	wd_pci_qwrite(q, WD_PCI_Q_CTRL, 0);
	wd_pci_qwrite(q, WD_PCI_Q_SQ_BASE_LO, lower_32_bits(q->fsq_dma));
	wd_pci_qwrite(q, WD_PCI_Q_SQ_BASE_HI, upper_32_bits(q->fsq_dma));
	wd_pci_qwrite(q, WD_PCI_Q_CQ_BASE_LO, lower_32_bits(q->fcq_dma));
	wd_pci_qwrite(q, WD_PCI_Q_CQ_BASE_HI, upper_32_bits(q->fcq_dma));
	wd_pci_qwrite(q, WD_PCI_Q_DEPTH, wdev->depth);
	wd_pci_qwrite(q, WD_PCI_Q_CTRL,
		      WD_PCI_Q_CTRL_ENABLE | WD_PCI_Q_CTRL_IRQ);
	sts = wd_pci_qread(q, WD_PCI_Q_STATUS);
	if (!(sts & WD_PCI_Q_STS_ENABLED) || sts == U32_MAX) {
		/* a function being removed refuses every queue */
		dev_status = readl(wdev->bar + WD_PCI_REG_DEV_STATUS);
		if (wd_pci_judge(dev_status, sts, false) == WD_PCI_FAULT_GONE) {
			wd_pci_gone(wdev, dev_status);
			return -ENODEV;
		}
		dev_err_ratelimited(wdev->dev,
				    "queue %u refused its rings: status %#x, error %#x\n",
				    q->qid, sts,
				    wd_pci_qread(q, WD_PCI_Q_ERROR));
		/* nothing half enabled stays behind */
		wd_pci_qwrite(q, WD_PCI_Q_CTRL, 0);
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
 * A function that lost its indices (gone, or reset) kills the queue: the
 * requests it had are aborted all the same.
 */
static void wd_pci_disable(struct wd_pci_queue *q)
{
	struct wd_pci_dev *wdev = q->wdev;
	enum wd_pci_fault fault;
	u32 sts, dev_status;

	if (!q->dead && test_bit(WD_PCI_F_GONE, &wdev->flags))
		wd_pci_die(q, wd_pci_gone_fault(wdev), 0);
	if (!q->dead) {
		wd_pci_qwrite(q, WD_PCI_Q_CTRL, 0);
		/* a read flushes the posted write; the function is idle after it */
		sts = wd_pci_qread(q, WD_PCI_Q_STATUS);
		if ((sts & WD_PCI_Q_STS_ENABLED) && sts != U32_MAX) {
			wd_pci_stuck(q, sts);
			/* what it completed is good: before DEAD */
			wd_pci_reap(q);
			/* STUCK, unless it was being removed already */
			wd_pci_die(q, wd_pci_gone_fault(wdev), sts);
		} else if (wd_pci_reap(q) < 0) {
			/* its STATUS says nothing now: the driver disabled it */
			dev_status = readl(wdev->bar + WD_PCI_REG_DEV_STATUS);
			fault = wd_pci_judge(dev_status, WD_PCI_Q_STS_ENABLED,
					     true);
			if (fault == WD_PCI_FAULT_GONE)
				wd_pci_gone(wdev, dev_status);
			wd_pci_die(q, fault, sts);
		}
	}
	wd_pci_abort_inflight(q);
	if (!test_bit(WD_PCI_F_GONE, &wdev->flags))
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

	if (test_bit(WD_PCI_F_GONE, &wdev->flags)) {
		dev_warn_ratelimited(wdev->dev,
				     "open refused: the function is gone\n");
		return -ENODEV;
	}
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
	q->dead = WD_PCI_FAULT_NONE;
	clear_bit(WD_PCI_QF_IRQ, &q->flags);
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

	if (test_bit(WD_PCI_F_GONE, &q->wdev->flags)) {
		dev_warn_ratelimited(q->wdev->dev,
				     "queue %u not started: the function is gone\n",
				     q->qid);
		return -ENODEV;
	}
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

	/* a dead queue wakes poll() for good: its owner reads why */
	return READ_ONCE(q->dead) ||
	       READ_ONCE(*wd_pci_ctrl(q, cls->ctrl.cq_tail)) !=
	       READ_ONCE(*wd_pci_ctrl(q, cls->ctrl.cq_head));
}

/* A page of the register copy or the rings, for a fault on its mapping */
static int wd_pci_region_pfn(struct uacce_queue *uq, enum uacce_qfrt type,
			     unsigned long pgoff, unsigned long *pfn)
{
	struct wd_pci_queue *q = uq->priv;
	size_t room;
	void *mem;

	switch (type) {
	case UACCE_QFRT_MMIO:
		/* a copy of the registers: the function's stay the driver's */
		mem = q->mmio;
		room = PAGE_SIZE;
		break;
	case UACCE_QFRT_DUS:
		mem = q->dus;
		room = q->dus_size;
		break;
	default:
		dev_dbg_ratelimited(&uq->uacce->dev, "fault: region type %u is not the driver's\n",
				    type);
		return -EINVAL;
	}
	if (pgoff >= DIV_ROUND_UP(room, PAGE_SIZE)) {
		dev_dbg_ratelimited(&uq->uacce->dev, "fault: page %lu of a %zu-byte region\n",
				    pgoff, room);
		return -EINVAL;
	}
	*pfn = page_to_pfn(virt_to_page(mem)) + pgoff;
	return 0;
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
	.region_pfn = wd_pci_region_pfn,
	.queue_info = wd_pci_queue_info,
	.wake_queue = wd_pci_wake_queue,
};
EXPORT_SYMBOL_IF_KUNIT(wd_pci_uacce_ops);

/* ---- creation ---- */

static int wd_pci_queue_init(struct wd_pci_dev *wdev, struct wd_pci_queue *q,
			     u32 qid)
{
	struct device *dev = wdev->dev;
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
EXPORT_SYMBOL_IF_KUNIT(wd_pci_queues_create);

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
EXPORT_SYMBOL_IF_KUNIT(wd_pci_queues_destroy);
