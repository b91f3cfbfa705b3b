// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * BAR0 of a vfio-pci instance and the queues behind it (wd_pci.h): the
 * device registers, one register block per queue, and the execution of
 * each queue's requests on the accelerator's engines.
 *
 * The guest's driver puts descriptors in a submission ring in its memory
 * and writes SQ_TAIL, the doorbell: the write, trapped in the VMM's
 * region write, kicks the driver's engines.  Each queue of an open
 * function is attached to them (struct wd_mdev_vq) like any queue of the
 * device, and its scheduler picks it among the others.  An engine that
 * picks it calls its serve: that copies the descriptor at SQ_HEAD out of
 * the ring, lets the driver decode it, pins its buffers, lets the driver
 * execute it with the engine, unpins them, copies the completion into the
 * completion ring and raises the queue's interrupt: one request per turn.
 *
 * Disabling a queue, resetting or closing the function and the host's
 * request to remove it abort the request in flight and wait for its
 * engine to leave the queue (@serving); a serve that starts after that
 * finds the queue not runnable and does nothing.
 */
#include <linux/log2.h>
#include <linux/slab.h>

#include "vfio_pci.h"

static bool wd_vfio_queue_runnable(struct wd_vfio_queue *q)
{
	struct wd_vfio *v = q->v;

	return v->open && !v->gone && !v->quiesced && v->bus_master &&
	       (q->ctrl & WD_PCI_Q_CTRL_ENABLE) && !q->halted &&
	       q->sq_tail != q->sq_head && q->cq_tail - q->cq_head < q->depth;
}

/* Records the queue's first error; reg_lock held. */
static void wd_vfio_queue_error(struct wd_vfio_queue *q, u32 err, u64 iova)
{
	if (q->error)
		return;
	q->error = err;
	q->err_iova = iova;
}

/* A ring cannot be read or written: the queue stops until disabled. */
static void wd_vfio_queue_halt(struct wd_vfio_queue *q, u64 iova,
			       const char *what)
{
	struct wd_vfio *v = q->v;
	unsigned long flags;

	dev_warn_ratelimited(wd_vfio_dev(v),
			     "queue %u halted: cannot %s at IOVA %#llx\n",
			     q->index, what, iova);
	spin_lock_irqsave(&v->reg_lock, flags);
	q->halted = true;
	wd_vfio_queue_error(q, WD_PCI_Q_ERR_RING, iova);
	spin_unlock_irqrestore(&v->reg_lock, flags);
}

/* A request's buffers are not mapped: it completes with an address error. */
static void wd_vfio_queue_addr_error(struct wd_vfio_queue *q,
				     struct wd_mdev_vfio_req *req, u64 iova)
{
	struct wd_vfio *v = q->v;
	unsigned long flags;

	dev_dbg_ratelimited(wd_vfio_dev(v),
			    "queue %u: request buffer at IOVA %#llx is not mapped\n",
			    q->index, iova);
	v->ops->fail(req, -EFAULT);
	spin_lock_irqsave(&v->reg_lock, flags);
	wd_vfio_queue_error(q, WD_PCI_Q_ERR_ADDR, iova);
	spin_unlock_irqrestore(&v->reg_lock, flags);
}

/* Decodes, pins, executes and unpins a request; fills its completion. */
static void wd_vfio_queue_run(struct wd_vfio_queue *q, void *engine,
			      struct wd_mdev_vfio_req *req)
{
	struct wd_vfio *v = q->v;
	unsigned long flags;
	bool unmapped;
	u64 bad_iova;

	if (v->ops->decode(v->accel, req))
		return;

	/* from here dma_unmap sees the ranges and may abort the request */
	spin_lock_irqsave(&v->reg_lock, flags);
	unmapped = wd_vfio_req_unmapped(v, req, &bad_iova);
	if (!unmapped)
		q->req = req;
	spin_unlock_irqrestore(&v->reg_lock, flags);
	if (unmapped) {
		wd_vfio_queue_addr_error(q, req, bad_iova);
		return;
	}

	if (wd_vfio_pin_request(q, req, &bad_iova)) {
		wd_vfio_queue_addr_error(q, req, bad_iova);
	} else {
		if (READ_ONCE(q->abort))
			v->ops->fail(req, -ECANCELED);
		else
			v->ops->execute(engine, req);
		wd_vfio_unpin_request(q, req);
	}

	spin_lock_irqsave(&v->reg_lock, flags);
	q->req = NULL;
	spin_unlock_irqrestore(&v->reg_lock, flags);
	wake_up_all(&v->idle_wq);
}

/*
 * Executes the request at SQ_HEAD with @engine.  Returns true if it
 * completed one or halted the queue, which the guest's driver learns from
 * the interrupt.  q->serving is set, and the queue was runnable.
 */
static bool wd_vfio_queue_step(struct wd_vfio_queue *q, void *engine)
{
	u8 sqe[WD_MDEV_VFIO_MAX_SQE_SIZE], cqe[WD_MDEV_VFIO_MAX_CQE_SIZE];
	struct wd_vfio *v = q->v;
	struct wd_mdev_vfio_req req = {
		.sqe = sqe, .cqe = cqe, .abort = &q->abort, .vq = &q->vq,
	};
	u64 sq_base, cq_base, sqe_iova, cqe_iova;
	unsigned long flags;
	u32 head, tail, mask;

	spin_lock_irqsave(&v->reg_lock, flags);
	sq_base = q->sq_base;
	cq_base = q->cq_base;
	mask = q->depth - 1;
	head = q->sq_head;
	tail = q->cq_tail;
	spin_unlock_irqrestore(&v->reg_lock, flags);

	sqe_iova = sq_base + (u64)(head & mask) * v->info.sqe_size;
	if (wd_vfio_dma_read(v, sqe_iova, sqe, v->info.sqe_size)) {
		wd_vfio_queue_halt(q, sqe_iova, "read the SQ");
		return true;
	}
	spin_lock_irqsave(&v->reg_lock, flags);
	q->sq_head = head + 1;
	spin_unlock_irqrestore(&v->reg_lock, flags);

	memset(cqe, 0, v->info.cqe_size);
	wd_vfio_queue_run(q, engine, &req);

	/* a function being closed or removed does no more DMA */
	if (READ_ONCE(v->gone) || !READ_ONCE(v->open))
		return false;
	cqe_iova = cq_base + (u64)(tail & mask) * v->info.cqe_size;
	if (wd_vfio_dma_write(v, cqe_iova, cqe, v->info.cqe_size)) {
		wd_vfio_queue_halt(q, cqe_iova, "write the CQ");
		return true;
	}
	spin_lock_irqsave(&v->reg_lock, flags);
	q->cq_tail = tail + 1;
	spin_unlock_irqrestore(&v->reg_lock, flags);
	return true;
}

/* wd_mdev_vq.has_work */
static bool wd_vfio_vq_has_work(struct wd_mdev_vq *vq)
{
	struct wd_vfio_queue *q = container_of(vq, struct wd_vfio_queue, vq);
	unsigned long flags;
	bool run;

	spin_lock_irqsave(&q->v->reg_lock, flags);
	run = wd_vfio_queue_runnable(q);
	spin_unlock_irqrestore(&q->v->reg_lock, flags);
	return run;
}

/* wd_mdev_vq.serve: one request, on the engine that picked the queue. */
static bool wd_vfio_vq_serve(struct wd_mdev_vq *vq, void *engine)
{
	struct wd_vfio_queue *q = container_of(vq, struct wd_vfio_queue, vq);
	struct wd_vfio *v = q->v;
	unsigned long flags;
	bool done;

	spin_lock_irqsave(&v->reg_lock, flags);
	if (!wd_vfio_queue_runnable(q)) {
		spin_unlock_irqrestore(&v->reg_lock, flags);
		return false;
	}
	q->serving = true;
	WRITE_ONCE(q->abort, false);
	spin_unlock_irqrestore(&v->reg_lock, flags);

	done = wd_vfio_queue_step(q, engine);
	if (done)
		wd_vfio_irq_raise(v, q->index);

	spin_lock_irqsave(&v->reg_lock, flags);
	q->serving = false;
	spin_unlock_irqrestore(&v->reg_lock, flags);
	wake_up_all(&v->idle_wq);
	return done;
}

/**
 * wd_vfio_queues_kick() - have the engines look at the queues
 * @v: the function
 *
 * Called after a change that may make a queue runnable; never blocks.
 */
void wd_vfio_queues_kick(struct wd_vfio *v)
{
	v->ops->kick(v->accel);
}

static bool wd_vfio_queue_left(struct wd_vfio_queue *q)
{
	unsigned long flags;
	bool left;

	spin_lock_irqsave(&q->v->reg_lock, flags);
	left = !q->serving;
	spin_unlock_irqrestore(&q->v->reg_lock, flags);
	return left;
}

/* Waits for the engine serving the queue, if any, to leave it. */
static void wd_vfio_queue_wait_left(struct wd_vfio_queue *q)
{
	wait_event(q->v->idle_wq, wd_vfio_queue_left(q));
}

/* Stops a queue's execution: aborts the request in flight, waits for it. */
static void wd_vfio_queue_stop(struct wd_vfio_queue *q)
{
	unsigned long flags;

	spin_lock_irqsave(&q->v->reg_lock, flags);
	q->ctrl &= ~WD_PCI_Q_CTRL_ENABLE;
	WRITE_ONCE(q->abort, true);
	spin_unlock_irqrestore(&q->v->reg_lock, flags);
	wd_vfio_queue_wait_left(q);
}

static void wd_vfio_queue_clear(struct wd_vfio_queue *q)
{
	unsigned long flags;

	wd_vfio_queue_stop(q);
	spin_lock_irqsave(&q->v->reg_lock, flags);
	q->sq_base = 0;
	q->cq_base = 0;
	q->depth = 0;
	q->ctrl = 0;
	q->sq_tail = 0;
	q->sq_head = 0;
	q->cq_tail = 0;
	q->cq_head = 0;
	q->halted = false;
	q->error = 0;
	q->err_iova = 0;
	spin_unlock_irqrestore(&q->v->reg_lock, flags);
}

/**
 * wd_vfio_queues_reset() - every queue disabled, registers cleared
 * @v: the function, its lock held
 *
 * The request in flight, if any, is aborted and waited for; nothing stays
 * pinned.  Pending interrupt status is cleared, and the class forgets
 * what it keeps of each queue (wd_mdev_vfio_ops.reset).
 */
void wd_vfio_queues_reset(struct wd_vfio *v)
{
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < v->nr_queues; i++) {
		wd_vfio_queue_clear(&v->queues[i]);
		/* no engine in the queue now: the class's state goes too */
		if (v->ops->reset)
			v->ops->reset(v->accel, &v->queues[i].vq);
	}
	spin_lock_irqsave(&v->reg_lock, flags);
	v->irq_status = 0;
	spin_unlock_irqrestore(&v->reg_lock, flags);
	wd_vfio_intx_update(v);
}

/* Frees a queue's page arrays; detached from the engines. */
static void wd_vfio_queue_free(struct wd_vfio_queue *q)
{
	unsigned int j;

	for (j = 0; j < WD_MDEV_VFIO_MAX_RANGES; j++) {
		kvfree(q->pages[j]);
		q->pages[j] = NULL;
	}
}

/**
 * wd_vfio_queues_open() - attach every queue to the engines
 * @v: the function, its lock held, being opened (not yet open: the
 *	engines find nothing to serve until it is)
 *
 * Return: 0, or a negative errno with nothing allocated or attached.
 */
int wd_vfio_queues_open(struct wd_vfio *v)
{
	unsigned int i, j, max_pages;
	int ret;

	max_pages = DIV_ROUND_UP(v->info.max_range, PAGE_SIZE) + 1;
	for (i = 0; i < v->nr_queues; i++) {
		struct wd_vfio_queue *q = &v->queues[i];

		for (j = 0; j < WD_MDEV_VFIO_MAX_RANGES; j++) {
			q->pages[j] = kvcalloc(max_pages, sizeof(*q->pages[j]),
					       GFP_KERNEL);
			if (!q->pages[j]) {
				ret = -ENOMEM;
				goto err_queue;
			}
		}
		ret = v->ops->attach(v->accel, &q->vq);
		if (ret) {
			dev_dbg(wd_vfio_dev(v),
				"open refused: queue %u not attached: %d\n",
				i, ret);
			goto err_queue;
		}
		wd_mdev_obj_count(WD_MDEV_OBJ_VFIO_VQ, 1);
	}
	return 0;

err_queue:
	wd_vfio_queue_free(&v->queues[i]);
	while (i--) {
		v->ops->detach(v->accel, &v->queues[i].vq);
		wd_mdev_obj_count(WD_MDEV_OBJ_VFIO_VQ, -1);
		wd_vfio_queue_free(&v->queues[i]);
	}
	return ret;
}

/**
 * wd_vfio_queues_close() - stop every queue and detach it from the engines
 * @v: the function, its lock held, being closed
 */
void wd_vfio_queues_close(struct wd_vfio *v)
{
	unsigned int i;

	wd_vfio_queues_reset(v);
	for (i = 0; i < v->nr_queues; i++) {
		v->ops->detach(v->accel, &v->queues[i].vq);
		wd_mdev_obj_count(WD_MDEV_OBJ_VFIO_VQ, -1);
		wd_vfio_queue_free(&v->queues[i]);
	}
}

/**
 * wd_vfio_queues_init() - the queues of a new function
 * @v: the function
 */
void wd_vfio_queues_init(struct wd_vfio *v)
{
	unsigned int i;

	for (i = 0; i < v->nr_queues; i++) {
		struct wd_vfio_queue *q = &v->queues[i];

		q->v = v;
		q->index = i;
		q->vq.dev = wd_vfio_dev(v);
		q->vq.index = i;
		q->vq.tenant = &v->inst->tenant;
		q->vq.has_work = wd_vfio_vq_has_work;
		q->vq.serve = wd_vfio_vq_serve;
	}
}

/**
 * wd_vfio_queues_quiesce() - stop or restart execution for migration
 * @v: the function
 * @quiesce: true to stop
 *
 * Stopping lets the request each queue is executing complete, its
 * completion written and its interrupt raised, and waits for it; the
 * requests behind it stay in the rings.  Doorbells are still taken.
 * Restarting executes what the rings hold.
 */
void wd_vfio_queues_quiesce(struct wd_vfio *v, bool quiesce)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&v->reg_lock, flags);
	v->quiesced = quiesce;
	spin_unlock_irqrestore(&v->reg_lock, flags);
	if (!quiesce) {
		wd_vfio_queues_kick(v);
		wd_vfio_intx_update(v);
		return;
	}
	/* a serve that starts after this sees @quiesced and does nothing */
	for (i = 0; i < v->nr_queues; i++)
		wd_vfio_queue_wait_left(&v->queues[i]);
}

/**
 * wd_vfio_queues_save() - the queues' registers for the migration stream
 * @v: the function, quiesced, its lock held
 * @mq: v->nr_queues entries to fill
 */
void wd_vfio_queues_save(struct wd_vfio *v, struct wd_vfio_mig_queue *mq)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&v->reg_lock, flags);
	for (i = 0; i < v->nr_queues; i++) {
		struct wd_vfio_queue *q = &v->queues[i];

		mq[i].sq_base = cpu_to_le64(q->sq_base);
		mq[i].cq_base = cpu_to_le64(q->cq_base);
		mq[i].err_iova = cpu_to_le64(q->err_iova);
		mq[i].depth = cpu_to_le32(q->depth);
		mq[i].ctrl = cpu_to_le32(q->ctrl);
		mq[i].sq_tail = cpu_to_le32(q->sq_tail);
		mq[i].sq_head = cpu_to_le32(q->sq_head);
		mq[i].cq_tail = cpu_to_le32(q->cq_tail);
		mq[i].cq_head = cpu_to_le32(q->cq_head);
		mq[i].error = cpu_to_le32(q->error);
		mq[i].halted = cpu_to_le32(q->halted);
	}
	spin_unlock_irqrestore(&v->reg_lock, flags);
}

#define WD_VFIO_Q_CTRL_BITS	(WD_PCI_Q_CTRL_ENABLE | WD_PCI_Q_CTRL_IRQ)
#define WD_VFIO_Q_ERR_BITS	(WD_PCI_Q_ERR_ADDR | WD_PCI_Q_ERR_RING | \
				 WD_PCI_Q_ERR_DOORBELL | WD_PCI_Q_ERR_CONFIG)

/* What is wrong with a queue's state in a stream, or NULL. */
static const char *wd_vfio_mig_queue_bad(struct wd_vfio *v,
					 const struct wd_vfio_mig_queue *mq)
{
	u32 depth = le32_to_cpu(mq->depth), ctrl = le32_to_cpu(mq->ctrl);
	u64 sq_base = le64_to_cpu(mq->sq_base);
	u64 cq_base = le64_to_cpu(mq->cq_base);

	if (ctrl & ~WD_VFIO_Q_CTRL_BITS)
		return "unknown CTRL bits";
	if (le32_to_cpu(mq->error) & ~WD_VFIO_Q_ERR_BITS)
		return "unknown ERROR bits";
	if (le32_to_cpu(mq->halted) > 1)
		return "halted is neither 0 nor 1";
	if (!(ctrl & WD_PCI_Q_CTRL_ENABLE))
		return NULL;
	/* an enabled queue: what enabling it checked, and its indices */
	if (!is_power_of_2(depth) || depth < WD_PCI_MIN_DEPTH ||
	    depth > v->info.max_depth)
		return "enabled with a DEPTH that is not a power of 2 in range";
	if (!sq_base || !cq_base || sq_base % WD_PCI_RING_ALIGN ||
	    cq_base % WD_PCI_RING_ALIGN)
		return "enabled with a ring base zero or not 64-byte aligned";
	if (le32_to_cpu(mq->sq_tail) - le32_to_cpu(mq->sq_head) > depth)
		return "SQ_TAIL more than DEPTH ahead of SQ_HEAD";
	if (le32_to_cpu(mq->cq_tail) - le32_to_cpu(mq->cq_head) > depth)
		return "CQ_TAIL more than DEPTH ahead of CQ_HEAD";
	return NULL;
}

/**
 * wd_vfio_queues_check() - check the queues' registers of a stream
 * @v: the function
 * @mq: v->nr_queues entries
 *
 * Return: 0, or -EINVAL after logging which queue is wrong and why.
 */
int wd_vfio_queues_check(struct wd_vfio *v,
			 const struct wd_vfio_mig_queue *mq)
{
	unsigned int i;

	for (i = 0; i < v->nr_queues; i++) {
		const char *why = wd_vfio_mig_queue_bad(v, &mq[i]);

		if (why) {
			dev_err_ratelimited(wd_vfio_dev(v),
					    "migration stream refused: queue %u: %s\n",
					    i, why);
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * wd_vfio_queues_restore() - the queues' registers from a checked stream
 * @v: the function, quiesced, its lock held
 * @mq: v->nr_queues entries, passed by wd_vfio_queues_check()
 *
 * The queues execute the requests their rings hold once they are no
 * longer quiesced.
 */
void wd_vfio_queues_restore(struct wd_vfio *v,
			    const struct wd_vfio_mig_queue *mq)
{
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < v->nr_queues; i++) {
		wd_vfio_queue_clear(&v->queues[i]);
		/* no engine in the queue now: the class's state goes too */
		if (v->ops->reset)
			v->ops->reset(v->accel, &v->queues[i].vq);
	}
	spin_lock_irqsave(&v->reg_lock, flags);
	for (i = 0; i < v->nr_queues; i++) {
		struct wd_vfio_queue *q = &v->queues[i];

		q->sq_base = le64_to_cpu(mq[i].sq_base);
		q->cq_base = le64_to_cpu(mq[i].cq_base);
		q->err_iova = le64_to_cpu(mq[i].err_iova);
		q->depth = le32_to_cpu(mq[i].depth);
		q->ctrl = le32_to_cpu(mq[i].ctrl);
		q->sq_tail = le32_to_cpu(mq[i].sq_tail);
		q->sq_head = le32_to_cpu(mq[i].sq_head);
		q->cq_tail = le32_to_cpu(mq[i].cq_tail);
		q->cq_head = le32_to_cpu(mq[i].cq_head);
		q->error = le32_to_cpu(mq[i].error);
		q->halted = le32_to_cpu(mq[i].halted);
	}
	spin_unlock_irqrestore(&v->reg_lock, flags);
}

/* ---- registers ---- */

static u32 wd_vfio_queue_status(struct wd_vfio_queue *q)
{
	return (q->ctrl & WD_PCI_Q_CTRL_ENABLE ? WD_PCI_Q_STS_ENABLED : 0) |
	       (q->error ? WD_PCI_Q_STS_ERROR : 0) |
	       (q->halted ? WD_PCI_Q_STS_HALTED : 0);
}

static u32 wd_vfio_queue_read(struct wd_vfio_queue *q, unsigned int reg)
{
	switch (reg) {
	case WD_PCI_Q_SQ_BASE_LO:
		return lower_32_bits(q->sq_base);
	case WD_PCI_Q_SQ_BASE_HI:
		return upper_32_bits(q->sq_base);
	case WD_PCI_Q_CQ_BASE_LO:
		return lower_32_bits(q->cq_base);
	case WD_PCI_Q_CQ_BASE_HI:
		return upper_32_bits(q->cq_base);
	case WD_PCI_Q_DEPTH:
		return q->depth;
	case WD_PCI_Q_CTRL:
		return q->ctrl;
	case WD_PCI_Q_SQ_TAIL:
		return q->sq_tail;
	case WD_PCI_Q_SQ_HEAD:
		return q->sq_head;
	case WD_PCI_Q_CQ_TAIL:
		return q->cq_tail;
	case WD_PCI_Q_CQ_HEAD:
		return q->cq_head;
	case WD_PCI_Q_STATUS:
		return wd_vfio_queue_status(q);
	case WD_PCI_Q_ERROR:
		return q->error;
	case WD_PCI_Q_ERR_IOVA_LO:
		return lower_32_bits(q->err_iova);
	case WD_PCI_Q_ERR_IOVA_HI:
		return upper_32_bits(q->err_iova);
	}
	return 0;
}

/**
 * wd_vfio_bar_read() - read a BAR0 register
 * @v: the function, its lock held
 * @off: 32-bit aligned offset in BAR0
 *
 * Return: the register's value; 0 for offsets without a register.
 */
u32 wd_vfio_bar_read(struct wd_vfio *v, unsigned int off)
{
	const struct wd_mdev_vfio_info *info = &v->info;
	unsigned long flags;
	unsigned int i;
	u32 val = 0;

	if (off >= WD_PCI_QUEUE_BASE) {
		unsigned int qi = (off - WD_PCI_QUEUE_BASE) /
				  WD_PCI_QUEUE_STRIDE;

		if (qi >= v->nr_queues)
			return 0;
		spin_lock_irqsave(&v->reg_lock, flags);
		val = wd_vfio_queue_read(&v->queues[qi],
					 (off - WD_PCI_QUEUE_BASE) %
					 WD_PCI_QUEUE_STRIDE);
		spin_unlock_irqrestore(&v->reg_lock, flags);
		return val;
	}

	if (off >= WD_PCI_REG_PARAM(0) &&
	    off < WD_PCI_REG_PARAM(WD_PCI_MAX_PARAMS))
		return info->params[(off - WD_PCI_REG_PARAM(0)) / 4];

	switch (off) {
	case WD_PCI_REG_MAGIC:
		return info->magic;
	case WD_PCI_REG_VERSION:
		return WD_PCI_VERSION;
	case WD_PCI_REG_NR_QUEUES:
		return v->nr_queues;
	case WD_PCI_REG_MAX_DEPTH:
		return info->max_depth;
	case WD_PCI_REG_SQE_SIZE:
		return info->sqe_size;
	case WD_PCI_REG_CQE_SIZE:
		return info->cqe_size;
	case WD_PCI_REG_DEV_STATUS:
		spin_lock_irqsave(&v->reg_lock, flags);
		for (i = 0; i < v->nr_queues; i++)
			if (v->queues[i].error)
				val |= WD_PCI_DEV_STS_ERROR;
		if (v->gone)
			val |= WD_PCI_DEV_STS_GONE;
		spin_unlock_irqrestore(&v->reg_lock, flags);
		return val;
	case WD_PCI_REG_IRQ_STATUS:
		spin_lock_irqsave(&v->reg_lock, flags);
		val = v->irq_status;
		spin_unlock_irqrestore(&v->reg_lock, flags);
		return val;
	}
	return 0;
}

/* Setting ENABLE: checks the configuration, zeroes the indices. */
static void wd_vfio_queue_enable(struct wd_vfio_queue *q, u32 ctrl)
{
	struct wd_vfio *v = q->v;
	const char *why = NULL;
	unsigned long flags;

	spin_lock_irqsave(&v->reg_lock, flags);
	if (v->gone)
		why = "the function is being removed";
	else if (!is_power_of_2(q->depth) || q->depth < WD_PCI_MIN_DEPTH ||
		 q->depth > v->info.max_depth)
		why = "DEPTH is not a power of 2 in range";
	else if (!q->sq_base || !q->cq_base ||
		 q->sq_base % WD_PCI_RING_ALIGN ||
		 q->cq_base % WD_PCI_RING_ALIGN)
		why = "a ring base is zero or not 64-byte aligned";
	if (why) {
		wd_vfio_queue_error(q, WD_PCI_Q_ERR_CONFIG, 0);
		q->ctrl = ctrl & ~WD_PCI_Q_CTRL_ENABLE;
	} else {
		q->sq_tail = 0;
		q->sq_head = 0;
		q->cq_tail = 0;
		q->cq_head = 0;
		q->halted = false;
		q->ctrl = ctrl;
	}
	spin_unlock_irqrestore(&v->reg_lock, flags);
	if (why)
		dev_dbg_ratelimited(wd_vfio_dev(v),
				    "queue %u not enabled: %s\n", q->index, why);
}

/* CTRL: enabling checks the rings, disabling waits for the queue. */
static void wd_vfio_queue_ctrl(struct wd_vfio_queue *q, u32 val, bool enabled)
{
	unsigned long flags;

	if (!enabled && (val & WD_PCI_Q_CTRL_ENABLE)) {
		wd_vfio_queue_enable(q, val & (WD_PCI_Q_CTRL_ENABLE |
					       WD_PCI_Q_CTRL_IRQ));
		return;
	}
	if (enabled && !(val & WD_PCI_Q_CTRL_ENABLE))
		wd_vfio_queue_stop(q);
	spin_lock_irqsave(&q->v->reg_lock, flags);
	q->ctrl = (q->ctrl & WD_PCI_Q_CTRL_ENABLE) |
		  (val & WD_PCI_Q_CTRL_IRQ);
	spin_unlock_irqrestore(&q->v->reg_lock, flags);
}

static void wd_vfio_queue_write(struct wd_vfio_queue *q, unsigned int reg,
				u32 val)
{
	struct wd_vfio *v = q->v;
	const char *bad = NULL;
	unsigned long flags;
	bool enabled;

	spin_lock_irqsave(&v->reg_lock, flags);
	enabled = q->ctrl & WD_PCI_Q_CTRL_ENABLE;
	switch (reg) {
	case WD_PCI_Q_SQ_BASE_LO:
	case WD_PCI_Q_SQ_BASE_HI:
	case WD_PCI_Q_CQ_BASE_LO:
	case WD_PCI_Q_CQ_BASE_HI:
	case WD_PCI_Q_DEPTH:
		if (enabled) {
			bad = "ring configuration written while enabled";
			break;
		}
		if (reg == WD_PCI_Q_SQ_BASE_LO)
			q->sq_base = (q->sq_base & ~0xffffffffULL) | val;
		else if (reg == WD_PCI_Q_SQ_BASE_HI)
			q->sq_base = (q->sq_base & 0xffffffffULL) |
				     ((u64)val << 32);
		else if (reg == WD_PCI_Q_CQ_BASE_LO)
			q->cq_base = (q->cq_base & ~0xffffffffULL) | val;
		else if (reg == WD_PCI_Q_CQ_BASE_HI)
			q->cq_base = (q->cq_base & 0xffffffffULL) |
				     ((u64)val << 32);
		else
			q->depth = val;
		break;
	case WD_PCI_Q_CTRL:
		spin_unlock_irqrestore(&v->reg_lock, flags);
		wd_vfio_queue_ctrl(q, val, enabled);
		goto kick;
	case WD_PCI_Q_SQ_TAIL:
		spin_unlock_irqrestore(&v->reg_lock, flags);
		wd_vfio_unmapped_forget(v);
		spin_lock_irqsave(&v->reg_lock, flags);
		if (!enabled || q->halted)
			bad = "doorbell of a queue that is not running";
		else if (val - q->sq_head > q->depth)
			bad = "SQ_TAIL more than DEPTH ahead of SQ_HEAD";
		else
			q->sq_tail = val;
		if (enabled && !q->halted && bad)
			wd_vfio_queue_error(q, WD_PCI_Q_ERR_DOORBELL, 0);
		break;
	case WD_PCI_Q_CQ_HEAD:
		if (val - q->cq_head > q->cq_tail - q->cq_head) {
			bad = "CQ_HEAD beyond CQ_TAIL";
			if (enabled)
				wd_vfio_queue_error(q, WD_PCI_Q_ERR_DOORBELL,
						    0);
		} else {
			q->cq_head = val;
		}
		break;
	case WD_PCI_Q_ERROR:
		q->error &= ~val;
		if (!q->error)
			q->err_iova = 0;
		break;
	default:
		bad = "write to a read-only register";
		break;
	}
	spin_unlock_irqrestore(&v->reg_lock, flags);
	if (bad)
		dev_dbg_ratelimited(wd_vfio_dev(v),
				    "queue %u, register %#x = %#x ignored: %s\n",
				    q->index, reg, val, bad);
kick:
	if (wd_vfio_vq_has_work(&q->vq))
		wd_vfio_queues_kick(v);
}

/**
 * wd_vfio_bar_write() - write a BAR0 register
 * @v: the function, its lock held
 * @off: 32-bit aligned offset in BAR0
 * @val: the value
 *
 * Writes to read-only registers and to offsets without a register are
 * ignored.
 */
void wd_vfio_bar_write(struct wd_vfio *v, unsigned int off, u32 val)
{
	unsigned long flags;

	if (off >= WD_PCI_QUEUE_BASE) {
		unsigned int qi = (off - WD_PCI_QUEUE_BASE) /
				  WD_PCI_QUEUE_STRIDE;

		if (qi < v->nr_queues)
			wd_vfio_queue_write(&v->queues[qi],
					    (off - WD_PCI_QUEUE_BASE) %
					    WD_PCI_QUEUE_STRIDE, val);
		else
			dev_dbg_ratelimited(wd_vfio_dev(v),
					    "BAR0 write at %#x: no queue %u\n",
					    off, qi);
		return;
	}

	switch (off) {
	case WD_PCI_REG_DEV_CTRL:
		if (val & WD_PCI_DEV_CTRL_RESET)
			wd_vfio_queues_reset(v);
		break;
	case WD_PCI_REG_IRQ_STATUS:
		spin_lock_irqsave(&v->reg_lock, flags);
		v->irq_status &= ~val;
		spin_unlock_irqrestore(&v->reg_lock, flags);
		wd_vfio_intx_update(v);
		break;
	default:
		dev_dbg_ratelimited(wd_vfio_dev(v),
				    "BAR0 write at %#x ignored: read-only\n",
				    off);
		break;
	}
}
