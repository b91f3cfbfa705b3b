// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vcrypt: a request's ranges, as the engine reaches them.
 *
 * A request names up to three ranges: source, destination and stream
 * context.  The translation is wd_engine.ko's (drivers/engine/dma.c): with
 * SVA it uses the queue's registered memory (drivers/engine/mem.c) or
 * pins the owner's pages for the duration of the request, without it
 * finds the ranges in the queue's static shared region.  The context is
 * mapped first, the source and destination once the context, the key and
 * the lengths are known good (the specification's order of errors).  The
 * transforms reach the pages through scatterlists, nothing is copied
 * through a bounce buffer, and nothing outside the ranges is touched.
 * wd_dma_map() turns the outcome into vcrypt's status (ADDR_ERROR,
 * ABORTED).
 */
#include <kunit/visibility.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/uacce.h>
#include <linux/wd_engine.h>

#include "vcrypt.h"

/**
 * vcrypt_dma_max_pages() - pages an engine may pin for one request
 * @vdev: the device
 *
 * Return: room for a source and a destination of MAX_LEN bytes and a
 * context of @vdev->ctx_size bytes, each at any alignment.
 */
unsigned int vcrypt_dma_max_pages(const struct vcrypt_device *vdev)
{
	return 2 * wd_dma_range_pages(vdev->cfg.geo.max_len) +
	       wd_dma_range_pages(vdev->ctx_size);
}

/**
 * vcrypt_sg_max() - scatterlist entries of one side of a request
 * @vdev: the device
 *
 * Return: room for a GCM destination, the source's AAD followed by the
 * destination, each of at most MAX_LEN bytes at any alignment.
 */
unsigned int vcrypt_sg_max(const struct vcrypt_device *vdev)
{
	return 2 * wd_dma_range_pages(vdev->cfg.geo.max_len);
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_sg_max);

static u16 vcrypt_dma_map(struct vcrypt_engine *e, struct vcrypt_queue *q,
			  struct page **pages, const struct wd_dma_range *r,
			  struct wd_buf *const *bufs, unsigned int n)
{
	struct vcrypt_device *vdev = e->vdev;
	const struct wd_dma_queue dq = {
		.sva = q->hw.accel->sva,
		.mm = q->hw.mm,
		.mem = &q->hw.mem,
		.stopping = &q->hw.ent.stopping,
		.uq = q->hw.uq,
		.qid = q->hw.qid,
	};

	return wd_dma_map(&vdev->accel.eng, &dq, pages, r, bufs, n);
}

/**
 * vcrypt_dma_map_ctx() - make the stream context of a request reachable
 * @e: the engine executing it
 * @q: its queue
 * @sqe: the request, whose lengths are in @job already
 * @job: its context range is set
 *
 * Return: VCRYPT_STS_OK, VCRYPT_STS_ADDR_ERROR, or VCRYPT_STS_ABORTED if
 * the owner's address space is gone.
 */
u16 vcrypt_dma_map_ctx(struct vcrypt_engine *e, struct vcrypt_queue *q,
		       const struct vcrypt_sqe *sqe, struct vcrypt_job *job)
{
	struct wd_buf *const bufs[] = { &job->ctx };
	const struct wd_dma_range r[] = {
		{ le64_to_cpu(sqe->ctx), job->ctx.len, true },
	};

	return vcrypt_dma_map(e, q, e->pages, r, bufs, ARRAY_SIZE(r));
}

/**
 * vcrypt_dma_map_data() - make the source and destination reachable
 * @e: the engine executing it
 * @q: its queue
 * @sqe: the request, whose lengths are in @job already
 * @job: its source and destination ranges are set; in place, only the
 *	destination is mapped and the source is its front
 *
 * Return: VCRYPT_STS_OK, VCRYPT_STS_ADDR_ERROR, or VCRYPT_STS_ABORTED.
 */
u16 vcrypt_dma_map_data(struct vcrypt_engine *e, struct vcrypt_queue *q,
			const struct vcrypt_sqe *sqe, struct vcrypt_job *job)
{
	struct wd_buf *const bufs[] = { &job->dst, &job->src };
	const struct wd_dma_range r[] = {
		{ le64_to_cpu(sqe->dst), job->dst.len, true },
		{ le64_to_cpu(sqe->src), job->src.len, false },
	};
	u32 src_len = job->src.len;
	u16 status;

	status = vcrypt_dma_map(e, q, e->pages + job->ctx.nr_pages, r, bufs,
				job->inplace ? 1 : 2);
	if (status == VCRYPT_STS_OK && job->inplace) {
		/* decode made sure src_len <= dst_len (or OVERFLOW did) */
		job->src = job->dst;
		job->src.len = src_len;
		job->src.write = false;
	}
	return status;
}

/**
 * vcrypt_dma_unmap_job() - undo vcrypt_dma_map_ctx() and _data()
 * @e: the engine
 * @job: the request, done with its pages
 */
void vcrypt_dma_unmap_job(struct vcrypt_engine *e, struct vcrypt_job *job)
{
	struct wd_buf *const bufs[] = { &job->ctx, &job->dst, &job->src };

	/* in place, the source is the destination's: unpinned once */
	if (job->inplace)
		memset(&job->src, 0, sizeof(job->src));
	wd_dma_unmap(&e->vdev->accel.eng, bufs, ARRAY_SIZE(bufs));
}

/**
 * vcrypt_sg_add() - append part of a range to a scatterlist
 * @sg: the scatterlist, sg_init_table()'d
 * @n: entries of @sg used
 * @max: entries of @sg
 * @buf: the range
 * @pos: first byte
 * @len: bytes, @pos + @len at most @buf->len
 *
 * Return: the entries used then, or -E2BIG if @max is too few.
 */
int vcrypt_sg_add(struct scatterlist *sg, unsigned int n, unsigned int max,
		  const struct wd_buf *buf, u32 pos, u32 len)
{
	if (WARN_ON_ONCE(pos > buf->len || len > buf->len - pos))
		return -E2BIG;
	while (len) {
		struct page *page;
		unsigned int off;
		u32 chunk;

		if (n == max)
			return -E2BIG;
		if (buf->pages) {
			unsigned long o = buf->offset + pos;

			page = buf->pages[o >> PAGE_SHIFT];
			off = offset_in_page(o);
		} else {
			const u8 *p = buf->kaddr + pos;

			page = is_vmalloc_addr(p) ? vmalloc_to_page(p) :
						    virt_to_page(p);
			off = offset_in_page(p);
		}
		chunk = min_t(u32, len, PAGE_SIZE - off);
		sg_set_page(&sg[n++], page, chunk, off);
		pos += chunk;
		len -= chunk;
	}
	return n;
}
