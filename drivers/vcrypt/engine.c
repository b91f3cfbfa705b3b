// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vcrypt: request execution on the engines.
 *
 * The engines and the scheduler are wd_engine.ko's (drivers/engine,
 * include/linux/wd_engine.h), and so is the sequence of serving one
 * request of a hardware queue (drivers/engine/serve.c): vcrypt's callbacks
 * check the request (decode.c), then, in the order of errors of
 * Documentation/vcrypt.rst, map the context (dma.c), check it (stream.c),
 * the key slot (keys.c), the IV, lengths and room, map the source and
 * destination, run the request (crypt.c), write the context back and fill
 * in the completion.  A request of a vfio-pci function (vfio.c) is
 * executed by the same vcrypt_job_execute(), its ranges pinned before.
 */
#include <kunit/visibility.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uacce.h>
#include <linux/wd_engine.h>

#include "vcrypt.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* for probes in other modules: the KUnit suite reads decisions from it */
EXPORT_TRACEPOINT_SYMBOL_GPL(vcrypt_request);

/**
 * vcrypt_cqe_fill() - the completion of a request, counted in the stats
 * @vdev: the device
 * @sqe: the request
 * @status: its status
 * @job: its result, when it ran
 * @cqe: set to the completion
 */
void vcrypt_cqe_fill(struct vcrypt_device *vdev, const struct vcrypt_sqe *sqe,
		     u16 status, const struct vcrypt_job *job,
		     struct vcrypt_cqe *cqe)
{
	memset(cqe, 0, sizeof(*cqe));
	cqe->user_data = sqe->user_data;
	cqe->status = cpu_to_le16(status);
	if (status == VCRYPT_STS_OK) {
		cqe->produced = cpu_to_le32(job->produced);
		cqe->flags = job->flags;
		atomic64_add(job->src.len, &vdev->stats.bytes_in);
		atomic64_add(job->produced, &vdev->stats.bytes_out);
	}
	if (sqe->opcode < VCRYPT_NR_OPCODES)
		atomic64_inc(&vdev->stats.opcode[sqe->opcode]);
	atomic64_inc(&vdev->stats.status[status]);
}

/*
 * KEY_LOAD: a KEY_LOAD that fails leaves the slot empty.  @q NULL: a queue
 * of a vfio-pci function, whose key range is pinned already.
 */
static u16 vcrypt_key_load(struct vcrypt_engine *e, struct vcrypt_queue *q,
			   const struct vcrypt_sqe *sqe, struct vcrypt_job *job,
			   struct vcrypt_slot *slot)
{
	struct vcrypt_device *vdev = e->vdev;
	u8 key[VCRYPT_KEY_MAX];
	u16 status;

	if (!vcrypt_key_len_ok(job->alg, job->src.len)) {
		vcrypt_req_dbg(vdev, q ? q->hw.qid : -1, "%u-byte key for alg %u\n",
			       job->src.len, job->alg);
		vcrypt_slot_clear(vdev, slot);
		return VCRYPT_STS_BAD_KEY;
	}
	if (q) {
		status = vcrypt_dma_map_data(e, q, sqe, job);
		if (status != VCRYPT_STS_OK) {
			vcrypt_slot_clear(vdev, slot);
			return status;
		}
	}
	wd_buf_read(&job->src, 0, key, job->src.len);
	vcrypt_slot_load(vdev, slot, job->alg, key, job->src.len);
	memzero_explicit(key, sizeof(key));
	return VCRYPT_STS_OK;
}

/*
 * DIGEST, ENCRYPT, DECRYPT, from the context's range on.  On a uacce queue
 * (@q) the ranges are mapped here, in the order of errors of
 * Documentation/vcrypt.rst; on a queue of a vfio-pci function (@q NULL)
 * they were pinned before ("As a PCI function").
 */
static u16 vcrypt_data_op(struct vcrypt_engine *e, struct vcrypt_queue *q,
			  const struct vcrypt_sqe *sqe, struct vcrypt_job *job,
			  struct vcrypt_slot *slot, const bool *abort)
{
	struct vcrypt_stream st = {
		.state = e->state + VCRYPT_CTX_HDR_SIZE,
	};
	u16 status;

	if (q && job->stream) {
		status = vcrypt_dma_map_ctx(e, q, sqe, job);
		if (status != VCRYPT_STS_OK)
			return status;
	}
	status = vcrypt_job_check(e->vdev, q ? q->hw.qid : -1, job, slot, &st);
	if (status != VCRYPT_STS_OK)
		return status;
	if (q) {
		status = vcrypt_dma_map_data(e, q, sqe, job);
		if (status != VCRYPT_STS_OK)
			return status;
	}
	if (READ_ONCE(*abort))
		return VCRYPT_STS_ABORTED;
	status = vcrypt_crypt_run(e, slot, job, job->stream ? &st : NULL);
	if (status == VCRYPT_STS_OK && job->stream)
		vcrypt_stream_save(&job->ctx, &st);
	return status;
}

/**
 * vcrypt_job_execute() - execute a decoded request
 * @e: the engine
 * @q: the request's uacce queue, or NULL for a queue of a vfio-pci function
 *	(every range of the request pinned before, and set in @job)
 * @sqe: the request
 * @job: its decode (vcrypt_sqe_decode())
 * @slot: its key slot, of its queue
 * @abort: set when the request is to complete VCRYPT_STS_ABORTED
 *
 * What it mapped is unmapped, the stream state wiped.
 *
 * Return: the status of the request's completion.
 */
u16 vcrypt_job_execute(struct vcrypt_engine *e, struct vcrypt_queue *q,
		       const struct vcrypt_sqe *sqe, struct vcrypt_job *job,
		       struct vcrypt_slot *slot, const bool *abort)
{
	u16 status = VCRYPT_STS_OK;

	switch (job->opcode) {
	case VCRYPT_OP_NOP:
		break;
	case VCRYPT_OP_KEY_CLEAR:
		vcrypt_slot_clear(e->vdev, slot);
		break;
	case VCRYPT_OP_KEY_LOAD:
		status = vcrypt_key_load(e, q, sqe, job, slot);
		break;
	default:
		status = vcrypt_data_op(e, q, sqe, job, slot, abort);
		break;
	}
	if (q)
		vcrypt_dma_unmap_job(e, job);
	if (job->stream)
		memzero_explicit(e->state, VCRYPT_CTX_MAX);
	return status;
}

/* wd_engine_ops.decode */
static u16 vcrypt_engine_decode(struct wd_engine *we,
				struct wd_sched_ent *ent, const void *sqe,
				void *job)
{
	struct vcrypt_engine *e = we->priv;

	return vcrypt_sqe_decode(sqe, e->vdev, job);
}

/* wd_engine_ops.execute */
static u16 vcrypt_engine_execute(struct wd_engine *we,
				 struct wd_sched_ent *ent, const void *sqe,
				 void *job_p)
{
	struct vcrypt_queue *q = container_of(ent, struct vcrypt_queue, hw.ent);
	struct vcrypt_job *job = job_p;

	return vcrypt_job_execute(we->priv, q, sqe, job, &q->slots[job->slot],
				  &q->hw.ent.stopping);
}

/* wd_engine_ops.complete: the completion, the stats, the trace event */
static void vcrypt_engine_complete(struct wd_engine *we,
				   struct wd_sched_ent *ent, const void *sqe_p,
				   u16 status, const void *job, void *cqe)
{
	struct vcrypt_queue *q = container_of(ent, struct vcrypt_queue, hw.ent);
	struct vcrypt_engine *e = we->priv;
	const struct vcrypt_sqe *sqe = sqe_p;

	vcrypt_cqe_fill(e->vdev, sqe, status, job, cqe);
	trace_vcrypt_request(e->vdev, e->id, q, ent->ring->sq_head - 1,
			     sqe->opcode, sqe->alg, status);
}

/* wd_engine_ops.engine_init: the transforms and page array of an engine */
static int vcrypt_engine_init(struct wd_engine *we)
{
	struct vcrypt_engine *e = we->priv;
	struct vcrypt_device *vdev;

	vdev = container_of(we->wdev, struct vcrypt_device, accel.eng);
	e->vdev = vdev;
	e->id = we->id;
	e->crypto = vcrypt_crypto_alloc(vdev->algs, vdev->state_max,
					vcrypt_sg_max(vdev));
	e->pages = kvmalloc_array(vcrypt_dma_max_pages(vdev),
				  sizeof(*e->pages), GFP_KERNEL);
	e->state = kzalloc_node(VCRYPT_CTX_MAX, GFP_KERNEL, vdev->node);
	if (!e->crypto || !e->pages || !e->state)
		return -ENOMEM;
	return 0;
}

/* the stream state is wiped: it may hold a hash state of a tenant */
static void vcrypt_engine_fini(struct wd_engine *we)
{
	struct vcrypt_engine *e = we->priv;

	kfree_sensitive(e->state);
	kvfree(e->pages);
	vcrypt_crypto_free(e->crypto);
}

const struct wd_engine_ops vcrypt_engine_ops = {
	.priv_size = sizeof(struct vcrypt_engine),
	.engine_init = vcrypt_engine_init,
	.engine_fini = vcrypt_engine_fini,
	.sqe_size = sizeof(struct vcrypt_sqe),
	.cqe_size = sizeof(struct vcrypt_cqe),
	.job_size = sizeof(struct vcrypt_job),
	.status = {
		.ok = VCRYPT_STS_OK,
		.addr_error = VCRYPT_STS_ADDR_ERROR,
		.aborted = VCRYPT_STS_ABORTED,
		.hw_error = VCRYPT_STS_HW_ERROR,
	},
	.decode = vcrypt_engine_decode,
	.execute = vcrypt_engine_execute,
	.complete = vcrypt_engine_complete,
};
