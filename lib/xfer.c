// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: buffers the device can reach (see xfer.h).
 */
#include <errno.h>
#include <string.h>

#include "guard.h"
#include "mem.h"
#include "queue_priv.h"
#include "xfer.h"

static int xfer_map(struct wd_queue *q, const void *p, size_t len,
		    struct wd_xfer *x)
{
	x->user = (void *)p;
	x->len = len;
	x->bounce = NULL;
	x->addr = wd_queue_addr(q, p, len);
	if (x->addr || q->sva)
		return 0;
	/* not in the shared region: use a copy there */
	x->bounce = wd_mem_alloc(q->mem, len ? len : 1, false);
	if (!x->bounce)
		return -ENOMEM;
	x->addr = wd_queue_addr(q, x->bounce, len);
	return 0;
}

bool wd_xfer_fits(const struct wd_queue *q, const void *src, size_t src_len,
		  const void *dst, size_t dst_len)
{
	size_t need = 0;

	if (q->sva)
		return true;
	if (!wd_queue_addr(q, src, src_len))
		need += src_len;
	if (!wd_queue_addr(q, dst, dst_len))
		need += dst_len;
	return need <= q->ss_size / 2;
}

int wd_xfer_in(struct wd_queue *q, const void *p, size_t len,
	       struct wd_xfer *x, struct wd_counters *cnt)
{
	int ret = xfer_map(q, p, len, x);

	if (!ret && x->bounce && len) {
		memcpy(x->bounce, p, len);
		wd_count_copy(cnt, len);
	}
	return ret;
}

int wd_xfer_out(struct wd_queue *q, void *p, size_t len, struct wd_xfer *x)
{
	return xfer_map(q, p, len, x);
}

int wd_xfer_done(struct wd_queue *q, struct wd_xfer *x, size_t copy,
		 struct wd_counters *cnt)
{
	int ret = 0;

	if (!x->bounce)
		return 0;
	if (copy) {
		memcpy(x->user, x->bounce, WD_MIN(copy, x->len));
		wd_count_copy(cnt, WD_MIN(copy, x->len));
		/* the region was revoked under the copy: it read zeros */
		if (wd_guard_revoked(q))
			ret = -ENODEV;
	}
	wd_mem_free(q->mem, x->bounce);
	x->bounce = NULL;
	return ret;
}
