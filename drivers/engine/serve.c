// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_engine: one request of a hardware queue, served by an engine.
 *
 * The sequence is every class's: fetch the request at sq_head
 * (wd_ring_fetch()), fail it with HW_ERROR if the debugfs knob
 * inject_hw_error says so, else have the class decode it and, if it
 * decoded, execute it (which maps the ranges it needs, runs it and unmaps
 * them), have the class fill in the completion, tell the scheduler the
 * engine is done with the queue (wd_sched_unbusy()), post the completion
 * (wd_ring_post()), wake the owner's poll() and report a hardware error
 * to uacce.  What a request means is the class's, through its
 * wd_engine_ops; the framework only knows the class's status codes.
 *
 * Each engine has room for the request it serves, its completion and the
 * class's decoded request (the job), allocated with the engine.
 */
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uacce.h>
#include <linux/wd_engine.h>

#include "internal.h"

/**
 * wd_serve_alloc() - room for the request an engine serves
 * @e: the engine
 *
 * Return: 0, or -ENOMEM; wd_serve_free() frees what was allocated.
 */
int wd_serve_alloc(struct wd_engine *e)
{
	const struct wd_engine_ops *ops = e->wdev->ops;
	int node = e->wdev->node;

	e->sqe = kzalloc_node(ops->sqe_size, GFP_KERNEL, node);
	e->cqe = kzalloc_node(ops->cqe_size, GFP_KERNEL, node);
	e->job = kzalloc_node(ops->job_size, GFP_KERNEL, node);
	if (!e->sqe || !e->cqe || !e->job)
		return -ENOMEM;
	return 0;
}

/**
 * wd_serve_free() - free what wd_serve_alloc() allocated
 * @e: the engine, stopped, about to be freed
 *
 * The request and the job may hold an IV or a key's slot number: wiped.
 */
void wd_serve_free(struct wd_engine *e)
{
	kfree_sensitive(e->job);
	kfree_sensitive(e->cqe);
	kfree_sensitive(e->sqe);
}

/* Runs the request in e->sqe; returns its status. */
static u16 wd_serve_run(struct wd_engine *e, struct wd_sched_ent *ent,
			u32 qid)
{
	struct wd_engine_dev *wdev = e->wdev;
	const struct wd_engine_ops *ops = wdev->ops;
	u16 status;

	if (atomic_dec_if_positive(&wdev->inject_hw_error) >= 0) {
		dev_info_ratelimited(wdev->dev,
				     "queue %u: injected hardware error\n",
				     qid);
		return ops->status.hw_error;
	}
	status = ops->decode(e, ent, e->sqe, e->job);
	if (status == ops->status.ok)
		status = ops->execute(e, ent, e->sqe, e->job);
	return status;
}

/**
 * wd_serve() - serve the next request of a claimed hardware queue
 * @e: the engine that claimed it
 * @ent: the queue, its ring set: a struct wd_hwq's (queue.c)
 *
 * Does nothing if the queue has no request or is being stopped: a request
 * left in the ring is served after the next start.
 */
void wd_serve(struct wd_engine *e, struct wd_sched_ent *ent)
{
	struct wd_engine_dev *wdev = e->wdev;
	const struct wd_engine_ops *ops = wdev->ops;
	struct wd_hwq *q = container_of(ent, struct wd_hwq, ent);
	u16 status;

	if (READ_ONCE(ent->stopping))
		return;
	if (!wd_ring_fetch(ent->ring, e->sqe))
		return;

	memset(e->job, 0, ops->job_size);
	memset(e->cqe, 0, ops->cqe_size);
	status = wd_serve_run(e, ent, q->qid);
	ops->complete(e, ent, e->sqe, status, e->job, e->cqe);
	wd_sched_unbusy(wdev, ent);
	wd_ring_post(ent->ring, e->cqe);
	uacce_wake_up(q->uq);
	/*
	 * Report a hardware error while the queue is claimed: uacce_remove()
	 * stops every queue, so it cannot have returned yet.
	 */
	if (status == ops->status.hw_error)
		uacce_report_hw_error(q->accel->uacce);
}
