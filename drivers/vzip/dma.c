// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzip: a request's ranges, as the engine reaches them.
 *
 * A request names up to three ranges: source, destination and stream
 * context.  The translation is wd_engine.ko's (drivers/engine/dma.c): with
 * SVA it uses the queue's registered memory (drivers/engine/mem.c) or
 * pins the owner's pages for the duration of the request, without
 * it finds the ranges in the queue's static shared region.  Either way
 * nothing is copied through a bounce buffer, and nothing outside the three
 * ranges of the request is touched.  wd_dma_map() turns the outcome into
 * vzip's status (ADDR_ERROR, ABORTED).
 */
#include <linux/uacce.h>
#include <linux/wd_engine.h>

#include "vzip.h"

/**
 * vzip_dma_max_pages() - pages an engine may pin for one request
 * @vdev: the device
 *
 * Return: room for a source and a destination of MAX_LEN bytes and a
 * context of @vdev->ctx_size bytes, each at any alignment.
 */
unsigned int vzip_dma_max_pages(const struct vzip_device *vdev)
{
	return 2 * wd_dma_range_pages(vdev->cfg.max_len) +
	       wd_dma_range_pages(vdev->ctx_size);
}

/**
 * vzip_dma_map_job() - make the ranges of a request reachable
 * @e: the engine executing it
 * @q: its queue
 * @sqe: the request, whose lengths are in @job already
 * @job: its ranges are set
 *
 * Return: VZIP_STS_OK, VZIP_STS_ADDR_ERROR, or VZIP_STS_ABORTED if the
 * owner's address space is gone.
 */
u16 vzip_dma_map_job(struct vzip_engine *e, struct wd_hwq *q,
		     const struct vzip_sqe *sqe, struct vzip_job *job)
{
	struct wd_buf *const bufs[] = { &job->src, &job->dst, &job->ctx };
	const struct wd_dma_range r[] = {
		{ le64_to_cpu(sqe->src), job->src.len, false },
		{ le64_to_cpu(sqe->dst), job->dst.len, true },
		{ le64_to_cpu(sqe->ctx), job->ctx.len, true },
	};
	struct vzip_device *vdev = e->vdev;
	const struct wd_dma_queue dq = {
		.sva = q->accel->sva,
		.mm = q->mm,
		.mem = &q->mem,
		.stopping = &q->ent.stopping,
		.uq = q->uq,
		.qid = q->qid,
	};

	return wd_dma_map(&vdev->accel.eng, &dq, e->pages, r, bufs,
			  ARRAY_SIZE(r));
}

/**
 * vzip_dma_unmap_job() - undo vzip_dma_map_job()
 * @e: the engine
 * @job: the request, done with its pages
 */
void vzip_dma_unmap_job(struct vzip_engine *e, struct vzip_job *job)
{
	struct wd_buf *const bufs[] = { &job->src, &job->dst, &job->ctx };

	wd_dma_unmap(&e->vdev->accel.eng, bufs, ARRAY_SIZE(bufs));
}
