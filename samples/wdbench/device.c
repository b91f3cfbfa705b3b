// SPDX-License-Identifier: GPL-2.0
/*
 * wdbench: the library's engines.  "vzip" runs everything on the device
 * (policy hw, no size threshold: a request the device cannot run fails
 * rather than silently running in software); "wd-sw" is the library's
 * own software path, to show what the library costs around it; "queue"
 * is the queue layer alone (NOP descriptors, spinning).  Buffers
 * come from wd_buf_alloc(), as a zero-copy application's would: with SVA
 * they are registered memory, pinned once.  "vzip-pinned" is "vzip" with
 * its buffers unregistered (wd_buf_unregister()), so that every request
 * pins its pages, as it does on memory an application did not register.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wdbench.h"

/**
 * struct dev_ctx - state of one library run
 * @w: the measurement
 * @c: the session
 * @src: the input blocks (for decompression: compressed), one after
 *       another; block i is at @off[i], @off[i + 1] - @off[i] bytes
 * @nblocks: blocks in @src: as many of the measurement's as the
 *           device's memory holds
 * @next: the next request's number, which picks its block
 * @dst: output buffers, one per request in flight, @dst_len bytes each
 * @reqs: async requests
 * @io: room for as many request pointers, handed to the library
 * @copied: some buffers are not the device's: their data is copied
 */
struct dev_ctx {
	const struct work *w;
	struct wd_comp *c;
	unsigned char *src;
	size_t *off;
	size_t nblocks;
	uint64_t next;
	unsigned char **dst;
	size_t dst_len;
	struct wd_req *reqs;
	struct wd_req **io;
	bool copied;
};

/* The input of the next request. */
static const unsigned char *next_src(struct dev_ctx *d, size_t *len)
{
	size_t k = d->next++ % d->nblocks;

	*len = d->off[k + 1] - d->off[k];
	return d->src + d->off[k];
}

static long dev_compress(void *arg)
{
	struct dev_ctx *d = arg;
	size_t len, n = d->dst_len;
	const unsigned char *src = next_src(d, &len);

	return wd_compress(d->c, src, len, d->dst[0], &n) ? -1 : (long)n;
}

static long dev_decompress(void *arg)
{
	struct dev_ctx *d = arg;
	size_t in, n = d->dst_len;
	const unsigned char *src = next_src(d, &in);

	return wd_decompress(d->c, src, &in, d->dst[0], &n) ? -1 : (long)n;
}

static void prep_req(struct dev_ctx *d, struct wd_req *r, unsigned int i)
{
	const struct work *w = d->w;

	memset(r, 0, sizeof(*r));
	r->op = w->op == OP_COMPRESS ? WD_OP_COMPRESS :
		w->op == OP_DECOMPRESS ? WD_OP_DECOMPRESS :
		w->op == OP_COPY ? WD_OP_COPY : WD_OP_NOP;
	if (r->op == WD_OP_NOP)
		return;
	r->src = next_src(d, &r->src_len);
	r->dst = d->dst[i];
	r->dst_len = d->dst_len;
}

/* COPY and NOP: one request, run and waited for by wd_run(). */
static long dev_one(void *arg)
{
	struct dev_ctx *d = arg;
	struct wd_req *r = &d->reqs[0];

	prep_req(d, r, 0);
	if (wd_run(d->c, r) || r->status)
		return -1;
	return (long)r->produced;
}

/* async mode (run_inflight()): struct wd_req, d->reqs[i] */
static void *dev_req(void *arg, unsigned int i)
{
	struct dev_ctx *d = arg;

	return &d->reqs[i];
}

static int dev_submit(void *arg, void *const *reqs, unsigned int n)
{
	struct dev_ctx *d = arg;

	for (unsigned int i = 0; i < n; i++)
		d->io[i] = reqs[i];
	return wd_submit(d->c, d->io, n);
}

/* the request is made again for the same buffers */
static void *dev_complete(void *arg, int i, int *status, size_t *produced)
{
	struct dev_ctx *d = arg;
	struct wd_req *r = d->io[i];

	*status = r->status;
	*produced = r->produced;
	prep_req(d, r, (unsigned int)(r - d->reqs));
	return r;
}

static int dev_poll(void *arg, unsigned int max)
{
	struct dev_ctx *d = arg;

	return wd_poll(d->c, d->io, max, 1, -1);
}

static const struct inflight_ops dev_inflight_ops = {
	.req = dev_req,
	.submit = dev_submit,
	.poll = dev_poll,
	.complete = dev_complete,
};

/*
 * Memory the device reaches without a copy; when the shared region of a
 * device without SVA is full, ordinary memory (its requests are then
 * copied through the region, as the table's note says).
 */
static void *buf_alloc(struct dev_ctx *d, size_t size)
{
	void *p = wd_buf_alloc(d->c, size);

	if (p)
		return p;
	d->copied = true;
	p = aligned_alloc(4096, (size + 4095) & ~(size_t)4095);
	if (p)
		memset(p, 0, size);
	return p;
}

/*
 * The input blocks in the device's memory: as many as fit, at least one
 * (in ordinary memory, copied, if even one does not fit).
 */
static int src_setup(struct dev_ctx *d)
{
	const struct work *w = d->w;
	bool dec = w->op == OP_DECOMPRESS;
	size_t n = w->nblocks;

	d->off = calloc(n + 1, sizeof(*d->off));
	if (!d->off)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		d->off[i + 1] = d->off[i] +
				(dec ? w->blocks[i].comp_len : w->size);
	for (d->nblocks = n; ; d->nblocks = (d->nblocks + 1) / 2) {
		d->src = wd_buf_alloc(d->c, d->off[d->nblocks] ?
					    d->off[d->nblocks] : 1);
		if (d->src || d->nblocks == 1)
			break;
	}
	if (!d->src)
		d->src = buf_alloc(d, d->off[1] ? d->off[1] : 1);
	if (!d->src)
		return -ENOMEM;
	for (size_t i = 0; i < d->nblocks; i++)
		memcpy(d->src + d->off[i],
		       dec ? w->blocks[i].comp : w->blocks[i].data,
		       d->off[i + 1] - d->off[i]);
	return 0;
}

static int dev_setup(struct dev_ctx *d, const struct work *w, bool hw,
		     bool pinned)
{
	struct wd_comp_params p = {
		.format = w->format,
		.level = w->level,
		.policy = hw ? WD_POLICY_HW : WD_POLICY_SW,
		.depth = w->depth ? w->depth : 1,
		.flags = WD_COMP_F_THRESHOLD |
			 (w->busy ? WD_COMP_F_BUSY_WAIT : 0),
	};
	unsigned int nbuf = p.depth;
	int ret;

	d->w = w;
	ret = wd_comp_open(&d->c, &p);
	if (ret)
		return ret;
	d->dst_len = w->op == OP_COMPRESS ?
		     wd_compress_bound(w->format, w->size) : w->size;
	d->dst = calloc(nbuf, sizeof(*d->dst));
	d->reqs = calloc(nbuf, sizeof(*d->reqs));
	d->io = calloc(nbuf, sizeof(*d->io));
	if (!d->dst || !d->reqs || !d->io)
		return -ENOMEM;
	ret = src_setup(d);
	if (ret)
		return ret;
	if (pinned)
		wd_buf_unregister(d->c, d->src);
	for (unsigned int i = 0; i < nbuf; i++) {
		d->dst[i] = buf_alloc(d, d->dst_len ? d->dst_len : 1);
		if (!d->dst[i])
			return -ENOMEM;
		if (pinned)
			wd_buf_unregister(d->c, d->dst[i]);
		prep_req(d, &d->reqs[i], i);
	}
	return 0;
}

static void dev_teardown(struct dev_ctx *d, unsigned int nbuf)
{
	if (!d->c)
		return;
	for (unsigned int i = 0; d->dst && i < nbuf; i++)
		wd_buf_free(d->c, d->dst[i]);
	wd_buf_free(d->c, d->src);
	free(d->off);
	free(d->dst);
	free(d->reqs);
	free(d->io);
	wd_comp_close(d->c);
}

static void run_one(const struct work *w, struct result *r)
{
	bool pinned = !strcmp(w->engine, "vzip-pinned");
	bool hw = pinned || !strcmp(w->engine, "vzip");
	struct dev_ctx d = { 0 };
	struct wd_stats st;
	op_fn op;
	int ret;

	ret = dev_setup(&d, w, hw, pinned);
	if (ret) {
		snprintf(r->note, sizeof(r->note), "%s", wd_strerror(ret));
		goto out;
	}
	if (w->mode == MODE_ASYNC) {
		run_inflight(w, &dev_inflight_ops, &d, r);
	} else {
		op = w->op == OP_COMPRESS ? dev_compress :
		     w->op == OP_DECOMPRESS ? dev_decompress : dev_one;
		run_sync(w, op, &d, r);
	}
	wd_comp_get_stats(d.c, &st);
	if (st.hw_requests + st.sw_requests)
		r->hw_share = (double)st.hw_requests /
			      (double)(st.hw_requests + st.sw_requests);
	r->blocks = d.nblocks;
	if (d.copied)
		snprintf(r->note, sizeof(r->note),
			 "buffers copied through the shared region");
	else if (d.nblocks < w->nblocks)
		snprintf(r->note, sizeof(r->note),
			 "%zu of %zu blocks fit in the device's memory",
			 d.nblocks, w->nblocks);
out:
	dev_teardown(&d, w->depth ? w->depth : 1);
}

/* @procs processes, each with a session of its own, at the same time. */
static void run_procs(const struct work *w, struct result *r)
{
	struct work one = *w;
	int fds[2];
	pid_t *pids;

	one.mode = MODE_SYNC;
	one.engines = NULL;
	pids = calloc(w->procs, sizeof(*pids));
	if (!pids || pipe(fds)) {
		snprintf(r->note, sizeof(r->note), "cannot start processes");
		free(pids);
		return;
	}
	for (unsigned int i = 0; i < w->procs; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct result cr = { 0 };

			close(fds[0]);
			run_one(&one, &cr);
			if (write(fds[1], &cr, sizeof(cr)) != sizeof(cr))
				_exit(1);
			_exit(0);
		}
	}
	close(fds[1]);
	r->ok = true;
	for (unsigned int i = 0; i < w->procs; i++) {
		struct result cr;

		if (pids[i] < 0 || read(fds[0], &cr, sizeof(cr)) != sizeof(cr) ||
		    !cr.ok) {
			r->ok = false;
			snprintf(r->note, sizeof(r->note), "process %u failed: %.60s",
				 i, pids[i] < 0 ? "fork" : cr.note);
			continue;
		}
		r->ops += cr.ops;
		r->cpu += cr.cpu;
		r->bytes += cr.bytes;
		r->out_bytes += cr.out_bytes;
		r->hw_share += cr.hw_share / w->procs;
		r->blocks = cr.blocks;
		if (i == 0) {
			r->p50 = cr.p50;
			r->p99 = cr.p99;
			r->p999 = cr.p999;
		}
		/* throughput over the half each process measured it in */
		if (cr.secs > r->secs)
			r->secs = cr.secs;
	}
	close(fds[0]);
	for (unsigned int i = 0; i < w->procs; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
	free(pids);
}

/* The queue layer alone: one NOP descriptor, spun for. */
struct raw_ctx {
	struct wd_queue *q;
	uint64_t tag;
};

static long raw_nop(void *arg)
{
	struct raw_ctx *x = arg;
	struct vzip_sqe sqe = { .opcode = VZIP_OP_NOP,
				.version = VZIP_SQE_VERSION,
				.user_data = ++x->tag };
	struct vzip_cqe cqe;
	int n;

	if (wd_queue_submit(x->q, &sqe, 1) != 1)
		return -1;
	while (!(n = wd_queue_reap(x->q, &cqe, 1)))
		;
	return n == 1 && cqe.user_data == x->tag && !cqe.status ? 0 : -1;
}

static void run_raw(const struct work *w, struct result *r)
{
	struct raw_ctx x = { 0 };
	int ret;

	if (w->op != OP_NOP || w->mode != MODE_SYNC) {
		snprintf(r->note, sizeof(r->note), "the raw queue does NOP only");
		return;
	}
	ret = wd_queue_open(&x.q, NULL);
	if (ret) {
		snprintf(r->note, sizeof(r->note), "%s", wd_strerror(ret));
		return;
	}
	run_sync(w, raw_nop, &x, r);
	r->hw_share = 1;
	wd_queue_close(x.q);
}

void device_run(const struct work *w, struct result *r)
{
	if (!strcmp(w->engine, "queue"))
		run_raw(w, r);
	else if (w->mode == MODE_PROCS)
		run_procs(w, r);
	else
		run_one(w, r);
}
