// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzip: request execution on the engines.
 *
 * The engines and the scheduler are wd_engine.ko's (drivers/engine,
 * include/linux/wd_engine.h), and so is the sequence of serving one
 * request of a hardware queue (drivers/engine/serve.c): vzip's callbacks
 * check the request (vzip_sqe_decode()), make its ranges reachable
 * (dma.c), run it (codec.c) and fill in its completion.  Each engine has
 * vzip's state (struct vzip_engine: its codec, its page array), allocated
 * when the engines start.  An engine serving a vfio-pci instance's queue
 * executes its requests through vfio.c.
 */
#include <kunit/visibility.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uacce.h>
#include <linux/wd_engine.h>
#include <linux/wd_mdev.h>

#include "vzip.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* for probes in other modules: the KUnit suite reads decisions from it */
EXPORT_TRACEPOINT_SYMBOL_GPL(vzip_request);

static u16 vzip_sqe_invalid(const struct vzip_device *vdev, const char *why)
{
	dev_dbg_ratelimited(vdev->dev, "invalid request: %s\n", why);
	return VZIP_STS_INVALID;
}

/**
 * vzip_sqe_decode() - check a request and decode it into a job
 * @sqe: the request, copied out of the ring
 * @vdev: the device
 * @job: set to the request's parameters and range lengths
 *
 * Return: VZIP_STS_OK, or VZIP_STS_INVALID if the request breaks a rule of
 * Documentation/vzip.rst, "Submission entry".
 */
u16 vzip_sqe_decode(const struct vzip_sqe *sqe, const struct vzip_device *vdev,
		    struct vzip_job *job)
{
	u16 flags = le16_to_cpu(sqe->flags);
	u64 src = le64_to_cpu(sqe->src);
	u64 dst = le64_to_cpu(sqe->dst);
	u64 ctx = le64_to_cpu(sqe->ctx);
	u32 src_len = le32_to_cpu(sqe->src_len);
	u32 dst_len = le32_to_cpu(sqe->dst_len);
	bool stream = flags & VZIP_SQE_F_STREAM;
	u32 ctx_len = stream ? vdev->ctx_size : 0;
	bool codec, data;

	memset(job, 0, sizeof(*job));
	if (sqe->version != VZIP_SQE_VERSION)
		return vzip_sqe_invalid(vdev, "unknown version");
	/* four words, not memchr_inv(): its byte loop is on every request */
	BUILD_BUG_ON(ARRAY_SIZE(sqe->rsvd) != 4);
	if (sqe->rsvd[0] | sqe->rsvd[1] | sqe->rsvd[2] | sqe->rsvd[3])
		return vzip_sqe_invalid(vdev, "reserved field set");
	if (flags & ~(VZIP_SQE_F_STREAM | VZIP_SQE_F_NEW_STREAM))
		return vzip_sqe_invalid(vdev, "unknown flag");
	if (sqe->opcode > VZIP_OP_DECOMPRESS)
		return vzip_sqe_invalid(vdev, "unknown opcode");

	codec = sqe->opcode == VZIP_OP_COMPRESS ||
		sqe->opcode == VZIP_OP_DECOMPRESS;
	data = codec || sqe->opcode == VZIP_OP_COPY;
	if (!codec && (sqe->format || sqe->flush || sqe->level ||
		       sqe->window_bits || flags || ctx))
		return vzip_sqe_invalid(vdev, "field unused by the opcode set");
	if (!data && (src || dst || src_len || dst_len))
		return vzip_sqe_invalid(vdev, "NOP with addresses");
	if (sqe->opcode == VZIP_OP_DECOMPRESS && sqe->level)
		return vzip_sqe_invalid(vdev, "level set for DECOMPRESS");
	if (sqe->format > VZIP_FMT_GZIP || sqe->flush > VZIP_FLUSH_FINISH ||
	    sqe->level > VZIP_LEVEL_MAX ||
	    (sqe->window_bits && (sqe->window_bits < VZIP_WINDOW_BITS_MIN ||
				  sqe->window_bits > VZIP_WINDOW_BITS_MAX)))
		return vzip_sqe_invalid(vdev, "format, flush, level or window out of range");
	if ((flags & VZIP_SQE_F_NEW_STREAM) && !stream)
		return vzip_sqe_invalid(vdev, "NEW_STREAM without STREAM");
	if (stream && !(vdev->accel.caps & VZIP_CAP_STREAM))
		return vzip_sqe_invalid(vdev, "no stream support");
	if (!stream && ctx)
		return vzip_sqe_invalid(vdev, "context without STREAM");
	if (ctx % VZIP_CTX_ALIGN)
		return vzip_sqe_invalid(vdev, "misaligned context");
	if (src_len > vdev->cfg.max_len || dst_len > vdev->cfg.max_len)
		return vzip_sqe_invalid(vdev, "length above MAX_LEN");
	if (wd_dma_ranges_overlap(src, src_len, dst, dst_len) ||
	    wd_dma_ranges_overlap(src, src_len, ctx, ctx_len) ||
	    wd_dma_ranges_overlap(dst, dst_len, ctx, ctx_len))
		return vzip_sqe_invalid(vdev, "overlapping ranges");

	job->opcode = sqe->opcode;
	job->format = sqe->format;
	job->flush = sqe->flush;
	job->level = sqe->level ?: VZIP_LEVEL_DEFAULT;
	job->window_bits = sqe->window_bits ?: VZIP_WINDOW_BITS_MAX;
	job->stream = stream;
	job->new_stream = flags & VZIP_SQE_F_NEW_STREAM;
	job->src.len = src_len;
	job->dst.len = dst_len;
	job->ctx.len = ctx_len;
	return VZIP_STS_OK;
}
EXPORT_SYMBOL_IF_KUNIT(vzip_sqe_decode);

/**
 * vzip_cqe_fill() - the completion of a request, counted in the stats
 * @vdev: the device
 * @sqe: the request
 * @status: its status
 * @job: its result, when it ran
 * @cqe: set to the completion
 */
void vzip_cqe_fill(struct vzip_device *vdev, const struct vzip_sqe *sqe,
		   u16 status, const struct vzip_job *job, struct vzip_cqe *cqe)
{
	memset(cqe, 0, sizeof(*cqe));
	cqe->user_data = sqe->user_data;
	cqe->status = cpu_to_le16(status);
	if ((status == VZIP_STS_OK && job->opcode != VZIP_OP_NOP) ||
	    status == VZIP_STS_OVERFLOW) {
		cqe->consumed = cpu_to_le32(job->consumed);
		cqe->produced = cpu_to_le32(job->produced);
		cqe->checksum = cpu_to_le32(job->checksum);
		if (status == VZIP_STS_OK)
			cqe->flags = job->flags;
	}
	atomic64_inc(&vdev->stats.status[status]);
	atomic64_add(le32_to_cpu(cqe->consumed), &vdev->stats.bytes_in);
	atomic64_add(le32_to_cpu(cqe->produced), &vdev->stats.bytes_out);
}

/* wd_engine_ops.decode */
static u16 vzip_engine_decode(struct wd_engine *we, struct wd_sched_ent *ent,
			      const void *sqe, void *job)
{
	struct vzip_engine *e = we->priv;

	return vzip_sqe_decode(sqe, e->vdev, job);
}

/* wd_engine_ops.execute: map, run, unmap */
static u16 vzip_engine_execute(struct wd_engine *we, struct wd_sched_ent *ent,
			       const void *sqe, void *job_p)
{
	struct wd_hwq *q = container_of(ent, struct wd_hwq, ent);
	struct vzip_engine *e = we->priv;
	struct vzip_device *vdev = e->vdev;
	struct vzip_job *job = job_p;
	u16 status;

	if (job->opcode == VZIP_OP_NOP)
		return VZIP_STS_OK;
	status = vzip_dma_map_job(e, q, sqe, job);
	if (status != VZIP_STS_OK)
		return status;
	job->abort = &ent->stopping;
	vzip_codec_run(e->codec, job);
	vzip_dma_unmap_job(e, job);
	atomic64_add(job->stored_segments, &vdev->stats.stored_segments);
	vzip_job_report(vdev, q->qid, job);
	return job->status;
}

/**
 * vzip_job_report() - log why the codec refused or failed a request
 * @vdev: the device
 * @qid: the uacce queue's index, or -1 for a vfio-pci queue
 * @job: the request, run by vzip_codec_run()
 *
 * Descriptors are checked, and their refusals logged, by
 * vzip_sqe_decode(); this is for what only the codec finds, a stream
 * context it cannot continue, and for an engine's failure.
 */
void vzip_job_report(struct vzip_device *vdev, int qid,
		     const struct vzip_job *job)
{
	char who[24] = "vfio-pci queue";

	if (job->status != VZIP_STS_INVALID &&
	    job->status != VZIP_STS_HW_ERROR)
		return;
	if (qid >= 0)
		snprintf(who, sizeof(who), "queue %d", qid);
	if (job->status == VZIP_STS_INVALID)
		dev_dbg_ratelimited(vdev->dev, "%s: stream context refused: %s\n",
				    who, job->why);
	else
		dev_warn_ratelimited(vdev->dev, "%s: engine failure\n", who);
}

/* wd_engine_ops.complete: the completion, the stats, the trace event */
static void vzip_engine_complete(struct wd_engine *we,
				 struct wd_sched_ent *ent, const void *sqe_p,
				 u16 status, const void *job, void *cqe)
{
	struct wd_hwq *q = container_of(ent, struct wd_hwq, ent);
	struct vzip_engine *e = we->priv;
	const struct vzip_sqe *sqe = sqe_p;

	vzip_cqe_fill(e->vdev, sqe, status, job, cqe);
	trace_vzip_request(e->vdev, we->id, q, ent->ring->sq_head - 1,
			   sqe->opcode, status);
}

/* wd_engine_ops.vq_served: a vfio-pci queue's request, for the trace */
static void vzip_engine_vq_served(struct wd_engine *we, struct wd_mdev_vq *vq)
{
	struct vzip_engine *e = we->priv;

	trace_vzip_vq_request(e->vdev, we->id, vq);
}

/* wd_engine_ops.engine_init: the codec and page array of an engine */
static int vzip_engine_init(struct wd_engine *we)
{
	struct vzip_engine *e = we->priv;

	e->vdev = container_of(we->wdev, struct vzip_device, accel.eng);
	e->codec = vzip_codec_alloc(e->vdev->node);
	e->pages = kvmalloc_array(vzip_dma_max_pages(e->vdev),
				  sizeof(*e->pages), GFP_KERNEL);
	if (!e->codec || !e->pages)
		return -ENOMEM;
	return 0;
}

static void vzip_engine_fini(struct wd_engine *we)
{
	struct vzip_engine *e = we->priv;

	kvfree(e->pages);
	vzip_codec_free(e->codec);
}

const struct wd_engine_ops vzip_engine_ops = {
	.priv_size = sizeof(struct vzip_engine),
	.engine_init = vzip_engine_init,
	.engine_fini = vzip_engine_fini,
	.sqe_size = sizeof(struct vzip_sqe),
	.cqe_size = sizeof(struct vzip_cqe),
	.job_size = sizeof(struct vzip_job),
	.status = {
		.ok = VZIP_STS_OK,
		.addr_error = VZIP_STS_ADDR_ERROR,
		.aborted = VZIP_STS_ABORTED,
		.hw_error = VZIP_STS_HW_ERROR,
	},
	.decode = vzip_engine_decode,
	.execute = vzip_engine_execute,
	.complete = vzip_engine_complete,
	.vq_served = vzip_engine_vq_served,
};
