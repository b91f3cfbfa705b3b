// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive session layer: a compression session's settings, its
 * queue (a new one in a forked child or after a device failure), the
 * routing policy, starting requests, what path they took, counters and
 * buffers.  The one-shot (comp.c), async (async.c) and stream (stream.c)
 * front ends sit on top of it; it calls none of them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "comp_priv.h"
#include "buf.h"
#include "mem.h"
#include "shared.h"
#include "vzip.h"

#define WD_DEFAULT_DEPTH	64
#define WD_MAX_DEPTH		65536
#define WD_COMP_F_ALL	(WD_COMP_F_THRESHOLD | WD_COMP_F_BUSY_WAIT | \
			 WD_COMP_F_DEDICATED)

/* Finds a queue for the session; with c->lock held. */
static struct wd_queue *comp_attach(struct wd_comp *c, enum wd_reason *why)
{
	struct wd_queue *q = NULL;

	if (c->given && !wd_queue_stale(c->given) &&
	    !wd_queue_check(c->given) && !wd_inflight_dead(c->given)) {
		wd_queue_ref(c->given);
		*why = WD_REASON_NONE;
		return c->given;
	}
	/*
	 * A child does not use the parent's queue, nor anybody a dead one:
	 * they get one of their own.
	 */
	if (c->dedicated || c->given) {
		if (wd_queue_open_why(&q, &wd_vzip_ring, NULL, why))
			q = NULL;
		return q;
	}
	return wd_shared_queue(&wd_vzip_ring, why);
}

/*
 * What policy hw returns without a queue: -EBUSY (all in use), -EACCES
 * (a device is there, its node is not ours to open), else -ENODEV.
 */
static int no_queue_error(enum wd_reason why)
{
	if (why == WD_REASON_NO_QUEUE)
		return -EBUSY;
	return why == WD_REASON_NO_DEVICE && wd_device_denied(wd_vzip_ring.api) ? -EACCES :
								  -ENODEV;
}

struct wd_queue *wd_comp_queue(struct wd_comp *c, enum wd_reason *why)
{
	struct wd_queue *q;

	pthread_mutex_lock(&c->lock);
	q = c->q;
	if (q && (wd_queue_stale(q) || wd_queue_check(q) ||
		  wd_inflight_dead(q))) {
		/* a forked child's inheritance, or a dead device: let go */
		if (!wd_queue_stale(q))
			c->noq = WD_REASON_DEVICE_LOST;
		c->q = NULL;
		atomic_store_explicit(&c->device, NULL, memory_order_relaxed);
		wd_queue_close(q);
		q = NULL;
		c->retry_at = 0;
	}
	if (!q && wd_now_ns() >= c->retry_at) {
		q = comp_attach(c, &c->noq);
		if (q) {
			c->q = q;
			atomic_store_explicit(&c->device,
					      wd_devname_keep(&c->devnames,
							      q->info.device),
					      memory_order_release);
		} else {
			c->retry_at = wd_now_ns() + WD_RETRY_NS;
		}
	}
	if (q)
		wd_queue_ref(q);
	else
		*why = c->noq;
	pthread_mutex_unlock(&c->lock);
	return q;
}

WD_PRIVATE void wd_comp_fork_lock(struct wd_comp *c, bool lock)
{
	if (lock)
		pthread_mutex_lock(&c->lock);
	else
		pthread_mutex_unlock(&c->lock);
}

WD_PRIVATE
int wd_comp_route(struct wd_comp *c, int op, size_t len, bool stream,
		  struct wd_queue **qp, enum wd_reason *why)
{
	bool data = op == WD_OP_COMPRESS || op == WD_OP_DECOMPRESS;
	struct wd_queue *q;

	*qp = NULL;
	if (c->policy == WD_POLICY_SW) {
		*why = WD_REASON_POLICY;
		return 0;
	}
	if (c->policy == WD_POLICY_AUTO && data && len < c->threshold) {
		*why = WD_REASON_SMALL;
		return 0;
	}
	q = wd_comp_queue(c, why);
	if (!q) {
		if (c->policy != WD_POLICY_HW)
			return 0;
		return no_queue_error(*why);
	}
	if (!wd_vzip_can(&q->info, op, c->format, c->level, c->window_bits,
			 stream)) {
		wd_queue_close(q);
		*why = WD_REASON_UNSUPPORTED;
		return c->policy == WD_POLICY_HW ? -EOPNOTSUPP : 0;
	}
	*qp = q;
	*why = WD_REASON_NONE;
	return 0;
}

void wd_comp_note(struct wd_comp *c, unsigned int path, enum wd_reason why)
{
	atomic_fetch_or_explicit(&c->paths, path, memory_order_relaxed);
	if (path == WD_PATH_SW)
		atomic_store_explicit(&c->reason, why, memory_order_relaxed);
}

int wd_comp_hw_submit(struct wd_comp *c, struct wd_queue *q,
		      struct wd_inflight_req *op)
{
	return wd_inflight_submit_wait(q, op, c->busy, &c->cnt);
}

int wd_session_open(struct wd_comp **cp, const struct wd_comp_params *params)
{
	static const struct wd_comp_params defaults;
	const struct wd_comp_params *p = params ? params : &defaults;
	const struct wd_env *env = wd_env();
	enum wd_reason why;
	struct wd_queue *q;
	struct wd_comp *c;

	if (!cp)
		return -EINVAL;
	*cp = NULL;
	if (!wd_format_valid(p->format) || p->level < 0 ||
	    p->level > WD_LEVEL_MAX ||
	    (p->window_bits && (p->window_bits < WD_WINDOW_BITS_MIN ||
				p->window_bits > WD_WINDOW_BITS_MAX)) ||
	    p->policy < WD_POLICY_DEFAULT || p->policy > WD_POLICY_SW ||
	    p->depth > WD_MAX_DEPTH || (p->flags & ~WD_COMP_F_ALL))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->format = p->format;
	c->level = p->level ? p->level : WD_LEVEL_DEFAULT;
	c->window_bits = p->window_bits ? p->window_bits : WD_WINDOW_BITS_MAX;
	c->policy = p->policy ? p->policy : env->policy;
	c->depth = p->depth ? p->depth : WD_DEFAULT_DEPTH;
	c->threshold = p->flags & WD_COMP_F_THRESHOLD ? p->sw_threshold :
		       env->sw_threshold;
	c->busy = (p->flags & WD_COMP_F_BUSY_WAIT) || env->busy_wait;
	c->dedicated = p->flags & WD_COMP_F_DEDICATED;
	if (p->queue) {
		if (wd_queue_stale(p->queue)) {
			free(c);
			return -ECHILD;
		}
		wd_queue_ref(p->queue);
		c->given = p->queue;
	}
	pthread_mutex_init(&c->lock, NULL);

	if (c->policy != WD_POLICY_SW) {
		q = wd_comp_queue(c, &why);
		if (q) {
			wd_queue_close(q);
		} else if (c->policy == WD_POLICY_HW) {
			wd_session_close(c);
			return no_queue_error(why);
		}
	}
	*cp = c;
	return 0;
}

void wd_session_close(struct wd_comp *c)
{
	while (c->bufs) {
		struct wd_buf *b = c->bufs;

		c->bufs = b->next;
		wd_buf_release(b);
	}
	wd_queue_close(c->q);
	wd_queue_close(c->given);
	wd_devname_free(c->devnames);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

WD_EXPORT unsigned int wd_comp_path(const struct wd_comp *c,
				    enum wd_reason *reason)
{
	if (reason)
		*reason = atomic_load_explicit(&c->reason,
					       memory_order_relaxed);
	return atomic_load_explicit(&c->paths, memory_order_relaxed);
}

WD_EXPORT const char *wd_comp_device(const struct wd_comp *c)
{
	return atomic_load_explicit(&c->device, memory_order_acquire);
}

WD_EXPORT void wd_comp_get_stats(const struct wd_comp *c, struct wd_stats *st)
{
	wd_counters_read(&c->cnt, st);
}

/* ---- buffers ---- */

WD_EXPORT int wd_buf_register(struct wd_comp *c, void *buf, size_t len)
{
	struct wd_queue *q;
	enum wd_reason why;

	if (!c || wd_buf_range_bad(buf, len))
		return -EINVAL;
	if (c->policy == WD_POLICY_SW)
		return -ENODEV;
	q = wd_comp_queue(c, &why);
	if (!q)
		return no_queue_error(why);
	return wd_buf_reg_add(&c->bufs, &c->lock, q, buf, len);
}

WD_EXPORT int wd_buf_unregister(struct wd_comp *c, void *buf)
{
	if (!c || !buf)
		return -EINVAL;
	return wd_buf_unregister_in(&c->bufs, &c->lock, buf);
}

WD_EXPORT void *wd_buf_alloc(struct wd_comp *c, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct wd_queue *q = NULL;
	enum wd_reason why;
	struct wd_buf *b;
	void *p;

	if (!c || !size)
		return NULL;
	if (c->policy != WD_POLICY_SW)
		q = wd_comp_queue(c, &why);
	if (q && !q->sva) {
		b = calloc(1, sizeof(*b));
		p = b ? wd_mem_alloc(q->mem, size, true) : NULL;
		if (p) {
			b->p = p;
			b->q = q;
			wd_buf_push(&c->bufs, &c->lock, b);
			return p;
		}
		free(b);
		wd_queue_close(q);
		/* hardware only: memory the device cannot reach is no use */
		if (c->policy == WD_POLICY_HW)
			return NULL;
	} else {
		wd_queue_close(q);
	}
	if (size > SIZE_MAX - (page - 1))
		return NULL;	/* whole pages of it do not fit in a size_t */
	size = (size + page - 1) / page * page;
	p = aligned_alloc(page, size);
	if (!p)
		return NULL;
	/* fault it in now, not while the device is waiting for it */
	memset(p, 0, size);
	/*
	 * With SVA, pinned once rather than for every request; without
	 * room under RLIMIT_MEMLOCK (or any other failure) it is pinned per
	 * request as other memory is
	 */
	if (c->policy != WD_POLICY_SW)
		wd_buf_register(c, p, size);
	return p;
}

WD_EXPORT void wd_buf_free(struct wd_comp *c, void *buf)
{
	struct wd_buf *b;
	bool reg;

	if (!c || !buf)
		return;
	b = wd_buf_take(&c->bufs, &c->lock, buf, false);
	if (!b) {
		free(buf);
		return;
	}
	reg = b->reg;
	wd_buf_release(b);
	/* a registered buffer is the application's memory, freed unpinned */
	if (reg)
		free(buf);
}
