// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive one-shot front end: wd_compress() and wd_decompress() on
 * the device or in software, wd_run() of one struct wd_req, and the public
 * open and close of a session (session.c), which also let go of what the
 * async front end holds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "comp_priv.h"
#include "soft.h"
#include "vzip.h"

WD_EXPORT int wd_comp_open(struct wd_comp **cp,
			   const struct wd_comp_params *params)
{
	return wd_session_open(cp, params);
}

WD_EXPORT void wd_comp_close(struct wd_comp *c)
{
	if (!c)
		return;
	/* the front ends above the session first: they use its queue */
	wd_async_drain(c);
	wd_session_close(c);
}

WD_EXPORT size_t wd_compress_bound(enum wd_format format, size_t src_len)
{
	(void)format;
	/*
	 * vzip needs at most 0.1% + 64 bytes, zlib and libdeflate less than
	 * 0.1% + 18 (stored blocks, header and trailer); a margin for all.
	 */
	return src_len + (src_len >> 9) + 128;
}

/* ---- one-shot requests ---- */

/*
 * Runs one whole-buffer request on the device and waits for it.  Returns
 * 0 or -errno; on success *@used and *@made are the bytes consumed and
 * produced.
 */
static int hw_oneshot(struct wd_comp *c, struct wd_queue *q, int op,
		      const void *src, size_t src_len, void *dst,
		      size_t dst_len, size_t *used, size_t *made,
		      uint32_t *checksum)
{
	const struct wd_req r = { .op = op, .src = src, .src_len = src_len,
				  .dst = dst, .dst_len = dst_len };
	struct wd_inflight_req hw;
	struct wd_xfer xs, xd;
	int ret;

	ret = wd_req_hw_run(c, q, &r, &hw, &xs, &xd);
	if (!ret)
		ret = wd_req_hw_status(c, &r, q, &hw, &xs, &xd);
	if (ret)
		return ret;
	*used = hw.cqe.consumed;
	*made = hw.cqe.produced;
	*checksum = hw.cqe.checksum;
	return 0;
}

WD_PRIVATE
int wd_comp_hw_oneshot(struct wd_comp *c, struct wd_queue *q, int op,
		       const void *src, size_t *src_len, void *dst,
		       size_t *dst_len)
{
	size_t max = q->info.max_len, used = 0, made = 0;
	bool stream = q->info.caps & VZIP_CAP_STREAM;
	uint32_t sum;
	int ret;

	/*
	 * Larger than one descriptor, or than what the shared region can
	 * take at once: a stream of several.
	 */
	if (*src_len > max || (op == WD_OP_DECOMPRESS && *dst_len > max) ||
	    !wd_xfer_fits(q, src, *src_len, dst, WD_MIN(*dst_len, max)))
		ret = -E2BIG;
	else
		ret = hw_oneshot(c, q, op, src, *src_len, dst, *dst_len,
				 &used, &made, &sum);
	/* -E2BIG too when the output outgrew one descriptor, not the buffer */
	if (ret == -E2BIG && stream) {
		used = *src_len;
		made = *dst_len;
		ret = wd_stream_oneshot(c, q, op, src, &used, dst, &made);
	}
	if (ret == -E2BIG && c->policy == WD_POLICY_HW)
		ret = -EOPNOTSUPP;
	if (!ret) {
		wd_comp_note(c, WD_PATH_HW, WD_REASON_NONE);
		wd_count_hw(&c->cnt, used, made);
		*src_len = used;
		*dst_len = made;
	}
	return ret;
}

/*
 * A whole-buffer request on whichever path the policy allows; falls back
 * to software when the device fails and the policy permits.
 */
static int oneshot(struct wd_comp *c, int op, const void *src,
		   size_t *src_len, void *dst, size_t *dst_len)
{
	size_t used, made;
	enum wd_reason why;
	struct wd_queue *q;
	uint32_t sum;
	int ret;

	ret = wd_comp_route(c, op, *src_len, false, &q, &why);
	if (ret) {
		wd_count_error(&c->cnt);
		return ret;
	}
	if (q) {
		ret = wd_comp_hw_oneshot(c, q, op, src, src_len, dst, dst_len);
		wd_queue_close(q);
		if (!(wd_hw_retryable(ret) && c->policy == WD_POLICY_AUTO)) {
			if (ret)
				wd_count_error(&c->cnt);
			return ret;
		}
		why = wd_hw_fail_reason(ret);
	}

	used = *src_len;
	made = *dst_len;
	if (op == WD_OP_COMPRESS)
		ret = wd_soft_compress(c->format, c->level, c->window_bits,
				       src, used, dst, &made, &sum);
	else
		ret = wd_soft_decompress(c->format, src, &used, dst, &made,
					 &sum);
	wd_comp_note(c, WD_PATH_SW, why);
	if (ret) {
		wd_count_error(&c->cnt);
		return ret;
	}
	wd_count_sw(&c->cnt, why, used, made);
	*src_len = used;
	*dst_len = made;
	return 0;
}

WD_EXPORT int wd_compress(struct wd_comp *c, const void *src, size_t src_len,
			  void *dst, size_t *dst_len)
{
	if (!c || !dst_len || (!src && src_len) || (!dst && *dst_len))
		return -EINVAL;
	return oneshot(c, WD_OP_COMPRESS, src, &src_len, dst, dst_len);
}

WD_EXPORT int wd_decompress(struct wd_comp *c, const void *src,
			    size_t *src_len, void *dst, size_t *dst_len)
{
	if (!c || !src_len || !dst_len || (!src && *src_len) ||
	    (!dst && *dst_len))
		return -EINVAL;
	return oneshot(c, WD_OP_DECOMPRESS, src, src_len, dst, dst_len);
}

WD_EXPORT int wd_run(struct wd_comp *c, struct wd_req *r)
{
	struct wd_inflight_req hw;
	struct wd_xfer xs, xd;
	enum wd_reason why;
	struct wd_queue *q;
	int ret;

	if (!c || !r || !wd_req_valid(r))
		return -EINVAL;
	ret = wd_comp_route(c, r->op, r->src_len, false, &q, &why);
	if (ret) {
		wd_count_error(&c->cnt);
		return ret;
	}
	if (!q) {
		wd_req_soft(c, r, why);
		return 0;
	}
	ret = wd_req_hw_run(c, q, r, &hw, &xs, &xd);
	if (ret == -ENOMEM && c->policy == WD_POLICY_HW) {
		/* the shared region is full of other requests: not taken */
		wd_queue_close(q);
		return ret;
	}
	if (ret)
		wd_req_instead(c, r, ret);
	else
		wd_req_finish(c, r, q, &hw, &xs, &xd);
	wd_queue_close(q);
	return 0;
}
