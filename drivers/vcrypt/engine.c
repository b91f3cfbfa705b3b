// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vcrypt: request execution on the engines.
 *
 * The engines and the scheduler are wd_engine.ko's (drivers/engine,
 * include/linux/wd_engine.h): an engine that claims one of vcrypt's
 * hardware queues calls vcrypt_engine_serve() for one request of it, which
 * fetches the request (wd_ring_fetch()), checks it (decode.c), then, in
 * the order of errors of Documentation/vcrypt.rst, maps the context
 * (dma.c), checks it (stream.c), the key slot (keys.c), the IV, lengths
 * and room, maps the source and destination, runs the request (crypt.c),
 * writes the context back and posts the completion (wd_ring_post()).
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

/* KEY_LOAD: a KEY_LOAD that fails leaves the slot empty */
static u16 vcrypt_key_load(struct vcrypt_engine *e, struct vcrypt_queue *q,
			   const struct vcrypt_sqe *sqe, struct vcrypt_job *job,
			   struct vcrypt_slot *slot)
{
	struct vcrypt_device *vdev = e->vdev;
	u8 key[VCRYPT_KEY_MAX];
	u16 status;

	if (!vcrypt_key_len_ok(job->alg, job->src.len)) {
		dev_dbg_ratelimited(vdev->dev, "queue %u: %u-byte key for alg %u\n",
				    q->qid, job->src.len, job->alg);
		vcrypt_slot_clear(vdev, slot);
		return VCRYPT_STS_BAD_KEY;
	}
	status = vcrypt_dma_map_data(e, q, sqe, job);
	if (status != VCRYPT_STS_OK) {
		vcrypt_slot_clear(vdev, slot);
		return status;
	}
	wd_buf_read(&job->src, 0, key, job->src.len);
	vcrypt_slot_load(vdev, slot, job->alg, key, job->src.len);
	memzero_explicit(key, sizeof(key));
	return VCRYPT_STS_OK;
}

/* DIGEST, ENCRYPT, DECRYPT, from the context's range on */
static u16 vcrypt_data_op(struct vcrypt_engine *e, struct vcrypt_queue *q,
			  const struct vcrypt_sqe *sqe, struct vcrypt_job *job,
			  struct vcrypt_slot *slot)
{
	struct vcrypt_device *vdev = e->vdev;
	struct vcrypt_stream st = {
		.state = e->state + VCRYPT_CTX_HDR_SIZE,
	};
	u16 status;

	if (job->stream) {
		status = vcrypt_dma_map_ctx(e, q, sqe, job);
		if (status != VCRYPT_STS_OK)
			return status;
		if (!job->new_stream) {
			if (vcrypt_stream_load(&job->ctx, &st, vdev->state_max)) {
				dev_dbg_ratelimited(vdev->dev,
						    "queue %u: context not sealed by the device\n",
						    q->qid);
				return VCRYPT_STS_BAD_CONTEXT;
			}
			status = vcrypt_stream_check(&st, job, slot);
			if (status != VCRYPT_STS_OK) {
				dev_dbg_ratelimited(vdev->dev,
						    "queue %u: context of another stream, key or ended\n",
						    q->qid);
				return status;
			}
		}
	}
	if (vcrypt_algs[job->alg].kind != VCRYPT_KIND_DIGEST) {
		status = vcrypt_slot_check(slot, job);
		if (status != VCRYPT_STS_OK)
			return status;
	}
	status = vcrypt_job_check_iv(job);
	if (status != VCRYPT_STS_OK)
		return status;
	status = vcrypt_job_check_length(job);
	if (status != VCRYPT_STS_OK)
		return status;
	if (job->dst.len < vcrypt_job_output(job))
		return VCRYPT_STS_OVERFLOW;
	status = vcrypt_dma_map_data(e, q, sqe, job);
	if (status != VCRYPT_STS_OK)
		return status;
	if (READ_ONCE(q->ent.stopping))
		return VCRYPT_STS_ABORTED;
	status = vcrypt_crypt_run(e, slot, job, job->stream ? &st : NULL);
	if (status == VCRYPT_STS_OK && job->stream)
		vcrypt_stream_save(&job->ctx, &st);
	return status;
}

/*
 * Executes the next request of a claimed queue.  Returns true if it failed
 * with HW_ERROR.
 */
static bool vcrypt_engine_run(struct vcrypt_engine *e, struct vcrypt_queue *q)
{
	struct vcrypt_device *vdev = e->vdev;
	struct vcrypt_cqe cqe = {};
	struct vcrypt_job job = {};
	struct vcrypt_sqe sqe;
	struct vcrypt_slot *slot;
	u16 status;

	if (READ_ONCE(q->ent.stopping))
		return false;	/* left in the ring for the next start */
	if (!wd_ring_fetch(&q->ring, &sqe))
		return false;

	if (atomic_dec_if_positive(&vdev->inject_hw_error) >= 0) {
		dev_info_ratelimited(vdev->dev,
				     "queue %u: injected hardware error\n",
				     q->qid);
		status = VCRYPT_STS_HW_ERROR;
	} else {
		status = vcrypt_sqe_decode(&sqe, vdev, &job);
	}
	if (status == VCRYPT_STS_OK) {
		slot = &q->slots[job.slot];
		switch (job.opcode) {
		case VCRYPT_OP_NOP:
			break;
		case VCRYPT_OP_KEY_CLEAR:
			vcrypt_slot_clear(vdev, slot);
			break;
		case VCRYPT_OP_KEY_LOAD:
			status = vcrypt_key_load(e, q, &sqe, &job, slot);
			break;
		default:
			status = vcrypt_data_op(e, q, &sqe, &job, slot);
			break;
		}
		vcrypt_dma_unmap_job(e, &job);
		if (job.stream)
			memzero_explicit(e->state, VCRYPT_CTX_MAX);
	}

	vcrypt_cqe_fill(vdev, &sqe, status, &job, &cqe);
	trace_vcrypt_request(vdev, e->id, q, q->ring.sq_head - 1, sqe.opcode,
			     sqe.alg, status);
	wd_sched_unbusy(&vdev->eng, &q->ent);
	wd_ring_post(&q->ring, &cqe);
	uacce_wake_up(q->uq);
	return status == VCRYPT_STS_HW_ERROR;
}

/* wd_engine_ops.serve: one request of a claimed hardware queue */
static void vcrypt_engine_serve(struct wd_engine *we, struct wd_sched_ent *ent)
{
	struct vcrypt_queue *q = container_of(ent, struct vcrypt_queue, ent);
	struct vcrypt_engine *e = we->priv;

	/*
	 * Report a hardware error while the queue is claimed: uacce_remove()
	 * stops every queue, so it cannot have returned yet.
	 */
	if (vcrypt_engine_run(e, q))
		uacce_report_hw_error(e->vdev->uacce);
}

/* wd_engine_ops.engine_init: the transforms and page array of an engine */
static int vcrypt_engine_init(struct wd_engine *we)
{
	struct vcrypt_device *vdev = container_of(we->wdev,
						  struct vcrypt_device, eng);
	struct vcrypt_engine *e;

	e = kzalloc_node(sizeof(*e), GFP_KERNEL, vdev->node);
	if (!e)
		return -ENOMEM;
	we->priv = e;
	e->vdev = vdev;
	e->id = we->id;
	e->crypto = vcrypt_crypto_alloc(vdev->algs, vcrypt_sg_max(vdev));
	e->pages = kvmalloc_array(vcrypt_dma_max_pages(vdev),
				  sizeof(*e->pages), GFP_KERNEL);
	e->state = kzalloc_node(VCRYPT_CTX_MAX, GFP_KERNEL, vdev->node);
	if (!e->crypto || !e->pages || !e->state)
		return -ENOMEM;
	return 0;
}

static void vcrypt_engine_fini(struct wd_engine *we)
{
	struct vcrypt_engine *e = we->priv;

	if (!e)
		return;
	kfree_sensitive(e->state);
	kvfree(e->pages);
	vcrypt_crypto_free(e->crypto);
	kfree(e);
	we->priv = NULL;
}

const struct wd_engine_ops vcrypt_engine_ops = {
	.engine_init = vcrypt_engine_init,
	.engine_fini = vcrypt_engine_fini,
	.serve = vcrypt_engine_serve,
};
