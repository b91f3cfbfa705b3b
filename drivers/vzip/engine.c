// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzip: request execution on the engines.
 *
 * The engines and the scheduler are wd_engine.ko's (drivers/engine,
 * include/linux/wd_engine.h): an engine that claims one of vzip's
 * hardware queues calls vzip_engine_serve() for one request of it, which
 * fetches the request (wd_ring_fetch()), checks it, makes its ranges
 * reachable (dma.c), runs it (codec.c) and posts its completion
 * (wd_ring_post()).  Each engine has vzip's
 * state (struct vzip_engine: its codec, its page array), allocated when
 * the engines start.  An engine serving a vfio-pci instance's queue
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

static bool vzip_ranges_overlap(u64 a, u32 alen, u64 b, u32 blen)
{
	u64 aend = a + alen < a ? U64_MAX : a + alen;
	u64 bend = b + blen < b ? U64_MAX : b + blen;

	return alen && blen && a < bend && b < aend;
}

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
	if (memchr_inv(sqe->rsvd, 0, sizeof(sqe->rsvd)))
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
	if (stream && !(vdev->caps & VZIP_CAP_STREAM))
		return vzip_sqe_invalid(vdev, "no stream support");
	if (!stream && ctx)
		return vzip_sqe_invalid(vdev, "context without STREAM");
	if (ctx % VZIP_CTX_ALIGN)
		return vzip_sqe_invalid(vdev, "misaligned context");
	if (src_len > vdev->cfg.max_len || dst_len > vdev->cfg.max_len)
		return vzip_sqe_invalid(vdev, "length above MAX_LEN");
	if (vzip_ranges_overlap(src, src_len, dst, dst_len) ||
	    vzip_ranges_overlap(src, src_len, ctx, ctx_len) ||
	    vzip_ranges_overlap(dst, dst_len, ctx, ctx_len))
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

/*
 * Executes the next request of a claimed queue.  Returns true if it failed
 * with HW_ERROR.
 */
static bool vzip_engine_run(struct vzip_engine *e, struct vzip_queue *q)
{
	struct vzip_device *vdev = e->vdev;
	struct vzip_cqe cqe = {};
	struct vzip_job job = {};
	struct vzip_sqe sqe;
	u16 status;

	if (READ_ONCE(q->ent.stopping))
		return false;	/* left in the ring for the next start */
	if (!wd_ring_fetch(&q->ring, &sqe))
		return false;

	if (atomic_dec_if_positive(&vdev->inject_hw_error) >= 0) {
		dev_info_ratelimited(vdev->dev,
				     "queue %u: injected hardware error\n",
				     q->qid);
		status = VZIP_STS_HW_ERROR;
	} else {
		status = vzip_sqe_decode(&sqe, vdev, &job);
	}
	if (status == VZIP_STS_OK && job.opcode != VZIP_OP_NOP) {
		status = vzip_dma_map_job(e, q, &sqe, &job);
		if (status == VZIP_STS_OK) {
			job.abort = &q->ent.stopping;
			vzip_codec_run(e->codec, &job);
			vzip_dma_unmap_job(e, &job);
			status = job.status;
			atomic64_add(job.stored_segments,
				     &vdev->stats.stored_segments);
			if (status == VZIP_STS_INVALID)
				dev_dbg_ratelimited(vdev->dev,
						    "queue %u: stream context refused\n",
						    q->qid);
			else if (status == VZIP_STS_HW_ERROR)
				dev_warn_ratelimited(vdev->dev,
						     "queue %u: engine failure\n",
						     q->qid);
		}
	}

	vzip_cqe_fill(vdev, &sqe, status, &job, &cqe);
	trace_vzip_request(vdev, e->id, q, q->ring.sq_head - 1, sqe.opcode,
			   status);
	wd_sched_unbusy(&vdev->eng, &q->ent);
	wd_ring_post(&q->ring, &cqe);
	uacce_wake_up(q->uq);
	return status == VZIP_STS_HW_ERROR;
}

/* wd_engine_ops.serve: one request of a claimed hardware queue */
static void vzip_engine_serve(struct wd_engine *we, struct wd_sched_ent *ent)
{
	struct vzip_queue *q = container_of(ent, struct vzip_queue, ent);
	struct vzip_engine *e = we->priv;

	/*
	 * Report a hardware error while the queue is claimed: uacce_remove()
	 * stops every queue, so it cannot have returned yet.
	 */
	if (vzip_engine_run(e, q))
		uacce_report_hw_error(e->vdev->uacce);
}

/* wd_engine_ops.vq_served: a vfio-pci queue's request, for the trace */
static void vzip_engine_vq_served(struct wd_engine *we, struct wd_mdev_vq *vq)
{
	struct vzip_engine *e = we->priv;

	trace_vzip_vq_request(e->vdev, e->id, vq);
}

/* wd_engine_ops.engine_init: the codec and page array of an engine */
static int vzip_engine_init(struct wd_engine *we)
{
	struct vzip_device *vdev = container_of(we->wdev, struct vzip_device,
						eng);
	struct vzip_engine *e;

	e = kzalloc_node(sizeof(*e), GFP_KERNEL, vdev->node);
	if (!e)
		return -ENOMEM;
	we->priv = e;
	e->vdev = vdev;
	e->id = we->id;
	e->codec = vzip_codec_alloc(vdev->node);
	e->pages = kvmalloc_array(vzip_dma_max_pages(vdev), sizeof(*e->pages),
				  GFP_KERNEL);
	if (!e->codec || !e->pages)
		return -ENOMEM;
	return 0;
}

static void vzip_engine_fini(struct wd_engine *we)
{
	struct vzip_engine *e = we->priv;

	if (!e)
		return;
	kvfree(e->pages);
	vzip_codec_free(e->codec);
	kfree(e);
	we->priv = NULL;
}

const struct wd_engine_ops vzip_engine_ops = {
	.engine_init = vzip_engine_init,
	.engine_fini = vzip_engine_fini,
	.serve = vzip_engine_serve,
	.vq_served = vzip_engine_vq_served,
};
