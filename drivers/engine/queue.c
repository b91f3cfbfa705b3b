// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_engine: the hardware queues of a device, and their uacce callbacks.
 *
 * Like the queues of a real device, they all exist from probe to remove:
 * their register page and their DUS memory (control page, SQ, CQ) are
 * allocated once, on the device's NUMA node, and handed to one uacce queue
 * at a time.  A queue handed back is cleaned, so its next owner sees clean
 * rings and nothing of the previous owner's requests or state.
 *
 * What the registers say, the class's part of a queue and what its owner
 * leaves there are the class's, through its struct wd_accel_ops.
 */
#include <linux/error-injection.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uacce.h>
#include <linux/wd_engine.h>

#include "internal.h"

static struct wd_hwq *wd_hwq_at(struct wd_accel *a, u32 i)
{
	return a->queues + i * a->ops->queue_size;
}

static int wd_hwq_init(struct wd_accel *a, struct wd_hwq *q, u32 qid)
{
	const struct wd_engine_ops *eops = a->eng.ops;
	int node = a->eng.node;
	struct page *page;
	int ret;

	q->accel = a;
	q->qid = qid;
	wd_sched_init(&q->ent, &q->ring, NULL);
	wd_mem_init(&q->mem, &a->eng);

	page = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
	if (!page)
		return -ENOMEM;
	q->mmio = page_address(page);
	if (a->ops->queue_init) {
		ret = a->ops->queue_init(q);
		if (ret)
			return ret;
	}
	if (wd_ring_alloc(&q->ring, node, a->ring_depth, eops->sqe_size,
			  eops->cqe_size))
		return -ENOMEM;
	a->ops->write_regs(q);
	return 0;
}

static void wd_hwq_fini(struct wd_hwq *q)
{
	const struct wd_accel_ops *ops = q->accel->ops;

	/* the device goes: so does the class's part, keys first */
	if (ops->queue_fini)
		ops->queue_fini(q);
	wd_ring_free(&q->ring);
	if (q->mmio)
		free_page((unsigned long)q->mmio);
	q->mmio = NULL;
}

/**
 * wd_hwqs_create() - allocate the hardware queues of a device
 * @a: the device: its ops, geometry and engines set
 *
 * Return: 0, or -ENOMEM with nothing left behind.
 */
int wd_hwqs_create(struct wd_accel *a)
{
	u32 i;
	int ret;

	a->queues = kcalloc_node(a->nr_queues, a->ops->queue_size, GFP_KERNEL,
				 a->eng.node);
	if (!a->queues)
		return -ENOMEM;
	for (i = 0; i < a->nr_queues; i++) {
		ret = wd_hwq_init(a, wd_hwq_at(a, i), i);
		if (ret) {
			wd_hwqs_destroy(a);
			return ret;
		}
	}
	return 0;
}

/**
 * wd_hwqs_destroy() - free the hardware queues of a device
 * @a: the device, no queue of which is in use
 *
 * Every queue is finished, those wd_hwq_init() never reached too: their
 * memory is zeroed.
 */
void wd_hwqs_destroy(struct wd_accel *a)
{
	u32 i;

	if (!a->queues)
		return;
	for (i = 0; i < a->nr_queues; i++) {
		struct wd_hwq *q = wd_hwq_at(a, i);

		/* not reached by wd_hwqs_create(): nothing to free */
		if (!q->accel)
			continue;
		wd_hwq_fini(q);
	}
	kfree(a->queues);
	a->queues = NULL;
}

/* ---- uacce callbacks ---- */

static int wd_hwq_get_available_instances(struct uacce_device *uacce)
{
	struct wd_accel *a = uacce->priv;
	int n = 0;
	u32 i;

	mutex_lock(&a->alloc_lock);
	for (i = 0; i < a->nr_queues; i++)
		n += !wd_hwq_at(a, i)->uq;
	mutex_unlock(&a->alloc_lock);
	return n;
}

/*
 * Neither wd_hwq_get_queue() nor wd_hwq_start_queue() allocates anything.
 * To drive uacce's unwinding of open() and UACCE_CMD_START_Q, vzip_test
 * fails them from a kprobe (kt_inject()); fail_function can too
 * (ALLOW_ERROR_INJECTION) on a kernel whose lockdep allows it.
 */
static int wd_hwq_get_queue(struct uacce_device *uacce, unsigned long arg,
			    struct uacce_queue *uq)
{
	struct wd_accel *a = uacce->priv;
	struct wd_hwq *q = NULL;
	u32 i;

	mutex_lock(&a->alloc_lock);
	for (i = 0; i < a->nr_queues; i++) {
		if (!wd_hwq_at(a, i)->uq) {
			q = wd_hwq_at(a, i);
			q->uq = uq;
			break;
		}
	}
	mutex_unlock(&a->alloc_lock);
	if (!q) {
		dev_dbg(a->eng.dev, "all %u queues are in use\n",
			a->nr_queues);
		return -EBUSY;
	}
	uq->priv = q;
	uq->status = (struct uacce_queue_status *)
		wd_ring_ctrl(&q->ring, a->ops->status_offset);
	return 0;
}

ALLOW_ERROR_INJECTION(wd_hwq_get_queue, ERRNO);

static void wd_hwq_put_queue(struct uacce_queue *uq)
{
	struct wd_hwq *q = uq->priv;
	struct wd_accel *a = q->accel;

	/* stopped: no request uses the registered memory any more */
	wd_mem_release(&q->mem);
	wd_ring_reset(&q->ring, 0);
	/* the owner may have written anywhere in the page it mapped */
	clear_page(q->mmio);
	a->ops->write_regs(q);
	/* the owner is gone: so is what it left in the class's part */
	if (a->ops->queue_release)
		a->ops->queue_release(q);
	uq->priv = NULL;
	mutex_lock(&a->alloc_lock);
	q->uq = NULL;
	mutex_unlock(&a->alloc_lock);
}

/* With SVA, the engines work in @uq's address space, which uacce grabs */
static int wd_hwq_start_queue(struct uacce_queue *uq)
{
	struct wd_hwq *q = uq->priv;
	struct wd_accel *a = q->accel;

	if (a->sva) {
		if (!uq->mm) {
			dev_dbg(a->eng.dev, "queue %u: SVA without an mm\n",
				q->qid);
			return -EINVAL;
		}
		q->mm = uq->mm;
	}
	wd_sched_start(&a->eng, &q->ent, uq->tenant);
	return 0;
}

ALLOW_ERROR_INJECTION(wd_hwq_start_queue, ERRNO);

/* Returns once no engine serves the queue: wd_sched_stop() aborts */
static void wd_hwq_stop_queue(struct uacce_queue *uq)
{
	struct wd_hwq *q = uq->priv;

	wd_sched_stop(&q->accel->eng, &q->ent);
	q->mm = NULL;
}

static int wd_hwq_is_q_updated(struct uacce_queue *uq)
{
	struct wd_hwq *q = uq->priv;

	return wd_ring_cq_pending(&q->ring);
}

/*
 * The register page (UACCE_QFRT_MMIO) and the rings (UACCE_QFRT_DUS), a
 * page at a time as the owner faults on them.  Both are mapped as the
 * process asks, writable too, as UADK maps every MMIO region: the device
 * never reads the register page, and put_queue clears it and writes the
 * registers again for the next owner.  uacce maps them VM_IO | VM_PFNMAP:
 * neither can be pinned as a request's data.
 */
static int wd_hwq_region_pfn(struct uacce_queue *uq, enum uacce_qfrt type,
			     unsigned long pgoff, unsigned long *pfn)
{
	struct wd_hwq *q = uq->priv;
	struct device *dev = q->accel->eng.dev;
	size_t size;
	void *mem;

	switch (type) {
	case UACCE_QFRT_MMIO:
		mem = q->mmio;
		size = PAGE_SIZE;
		break;
	case UACCE_QFRT_DUS:
		mem = q->ring.dus;
		size = q->ring.dus_size;
		break;
	default:
		dev_dbg_ratelimited(dev, "queue %u: no region of type %d\n",
				    q->qid, type);
		return -EINVAL;
	}
	if (pgoff >= DIV_ROUND_UP(size, PAGE_SIZE)) {
		dev_dbg_ratelimited(dev, "queue %u: page %lu of region %d, which has %zu bytes\n",
				    q->qid, pgoff, type, size);
		return -EINVAL;
	}
	*pfn = page_to_pfn(virt_to_page(mem)) + pgoff;
	return 0;
}

static void wd_hwq_queue_info(struct uacce_queue *uq,
			      struct uacce_queue_info *info)
{
	struct wd_hwq *q = uq->priv;
	struct wd_accel *a = q->accel;

	info->qid = q->qid;
	info->status_offset = a->ops->status_offset;
	info->ring_depth = a->ring_depth;
	info->sqe_size = a->eng.ops->sqe_size;
	info->cqe_size = a->eng.ops->cqe_size;
	info->ctx_size = a->ctx_size;
}

/*
 * Registered memory (WD_MEM_CMD_*): the only ioctls of a hardware queue,
 * each in uacce's steps.  REGISTER pins with no lock held (its prepare
 * step), so it uses only the uacce queue; its commit step finds the
 * hardware queue.  UNREGISTER takes the region out under the lock (its
 * commit step) and waits for the requests using it after (its finish).
 */
static void *wd_hwq_mem_prepare(struct uacce_queue *uq, void *arg)
{
	return wd_mem_prepare(uq, arg);
}

static long wd_hwq_mem_commit(struct uacce_queue *uq, void *arg, void **prep)
{
	struct wd_hwq *q = uq->priv;
	long ret = wd_mem_commit(&q->mem, *prep);

	/* the table's now */
	if (!ret)
		*prep = NULL;
	return ret;
}

static void wd_hwq_mem_finish(struct uacce_queue *uq, void *prep, long ret)
{
	if (ret < 0)
		wd_mem_cancel(prep);
}

static long wd_hwq_unreg_commit(struct uacce_queue *uq, void *arg,
				void **prep)
{
	struct wd_hwq *q = uq->priv;
	struct wd_mem_reg *reg = NULL;
	long ret = wd_mem_unregister(&q->mem, uq, arg, &reg);

	*prep = reg;
	return ret;
}

static void wd_hwq_unreg_finish(struct uacce_queue *uq, void *prep, long ret)
{
	if (prep)
		wd_mem_unregistered(prep);
}

static const struct uacce_ioctl wd_hwq_ioctls[] = {
	{
		.cmd = WD_MEM_CMD_REGISTER,
		.prepare = wd_hwq_mem_prepare,
		.commit = wd_hwq_mem_commit,
		.finish = wd_hwq_mem_finish,
	},
	{
		.cmd = WD_MEM_CMD_UNREGISTER,
		.commit = wd_hwq_unreg_commit,
		.finish = wd_hwq_unreg_finish,
	},
};

static void wd_hwq_wake_queue(struct uacce_queue *uq)
{
	struct wd_hwq *q = uq->priv;

	atomic64_inc(&q->accel->doorbells);
	wd_engines_kick(&q->accel->eng);
}

/* Every class's: uacce_device.priv is the struct wd_accel */
const struct uacce_ops wd_hwq_uacce_ops = {
	.owner = THIS_MODULE,
	.get_available_instances = wd_hwq_get_available_instances,
	.get_queue = wd_hwq_get_queue,
	.put_queue = wd_hwq_put_queue,
	.start_queue = wd_hwq_start_queue,
	.stop_queue = wd_hwq_stop_queue,
	.is_q_updated = wd_hwq_is_q_updated,
	.region_pfn = wd_hwq_region_pfn,
	.queue_info = wd_hwq_queue_info,
	.ioctls = wd_hwq_ioctls,
	.num_ioctls = ARRAY_SIZE(wd_hwq_ioctls),
	.wake_queue = wd_hwq_wake_queue,
};
