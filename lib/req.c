// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: one struct wd_req on either path, for the front ends that
 * take one (async.c's wd_submit(), comp.c's wd_run()): is it well formed,
 * run it in software, set up its descriptor and buffers for the device,
 * and fill in its results from the device's completion.  Where it waits
 * and who is told is the front end's.
 */
#include <errno.h>
#include <string.h>

#include "comp_priv.h"
#include "soft.h"
#include "vzip.h"

bool wd_req_valid(const struct wd_req *r)
{
	switch (r->op) {
	case WD_OP_NOP:
		return true;
	case WD_OP_COPY:
	case WD_OP_COMPRESS:
	case WD_OP_DECOMPRESS:
		return (r->src || !r->src_len) && (r->dst || !r->dst_len);
	default:
		return false;
	}
}

void wd_req_soft(struct wd_comp *c, struct wd_req *r, enum wd_reason why)
{
	size_t used = r->src_len, made = r->dst_len;
	uint32_t sum = 0;
	int ret = 0;

	switch (r->op) {
	case WD_OP_NOP:
		used = made = 0;
		break;
	case WD_OP_COPY:
		if (r->dst_len < r->src_len) {
			ret = -ENOSPC;
			break;
		}
		memcpy(r->dst, r->src, r->src_len);
		made = r->src_len;
		break;
	case WD_OP_COMPRESS:
		ret = wd_soft_compress(c->format, c->level, c->window_bits,
				       r->src, used, r->dst, &made, &sum);
		break;
	default:
		ret = wd_soft_decompress(c->format, r->src, &used, r->dst,
					 &made, &sum);
		break;
	}
	r->status = ret;
	r->consumed = ret ? 0 : used;
	r->produced = ret ? 0 : made;
	r->checksum = sum;
	r->path = WD_PATH_SW;
	r->reason = why;
	wd_comp_note(c, WD_PATH_SW, why);
	if (ret)
		wd_count_error(&c->cnt);
	else
		wd_count_sw(&c->cnt, why, used, made);
}

void wd_req_instead(struct wd_comp *c, struct wd_req *r, int err)
{
	if (c->policy == WD_POLICY_AUTO) {
		wd_req_soft(c, r, wd_hw_fail_reason(err));
		return;
	}
	r->status = err == -E2BIG ? -EOPNOTSUPP : err;
	r->consumed = 0;
	r->produced = 0;
	r->checksum = 0;
	r->path = WD_PATH_HW;
	r->reason = WD_REASON_NONE;
	wd_count_error(&c->cnt);
}

int wd_req_prep(struct wd_comp *c, struct wd_queue *q, const struct wd_req *r,
		struct wd_inflight_req *hw, struct wd_xfer *xs,
		struct wd_xfer *xd)
{
	size_t dst_len = WD_MIN(r->dst_len, q->info.max_len);
	int ret;

	/* larger than one descriptor, or than the shared region can take */
	if (r->src_len > q->info.max_len ||
	    !wd_xfer_fits(q, r->src, r->src_len, r->dst, dst_len))
		return -E2BIG;
	memset(hw, 0, sizeof(*hw));
	wd_vzip_prep(&hw->sqe, r->op, c->format, c->level, c->window_bits,
		     VZIP_FLUSH_FINISH, 0);
	memset(xs, 0, sizeof(*xs));
	memset(xd, 0, sizeof(*xd));
	if (r->op == WD_OP_NOP)
		return 0;
	ret = wd_xfer_in(q, r->src, r->src_len, xs, &c->cnt);
	if (ret)
		return ret;
	ret = wd_xfer_out(q, r->dst, dst_len, xd);
	if (ret) {
		wd_xfer_done(q, xs, 0, NULL);
		return ret;
	}
	hw->sqe.src = xs->addr;
	hw->sqe.src_len = (uint32_t)r->src_len;
	hw->sqe.dst = xd->addr;
	hw->sqe.dst_len = (uint32_t)dst_len;
	return 0;
}

void wd_req_unprep(struct wd_queue *q, struct wd_xfer *xs, struct wd_xfer *xd)
{
	wd_xfer_done(q, xs, 0, NULL);
	wd_xfer_done(q, xd, 0, NULL);
}

int wd_req_hw_run(struct wd_comp *c, struct wd_queue *q,
		  const struct wd_req *r, struct wd_inflight_req *hw,
		  struct wd_xfer *xs, struct wd_xfer *xd)
{
	int ret = wd_req_prep(c, q, r, hw, xs, xd);

	if (ret)
		return ret;
	ret = wd_comp_hw_submit(c, q, hw);
	if (ret) {
		wd_req_unprep(q, xs, xd);	/* the queue is dead */
		return ret;
	}
	/*
	 * Without a timeout the wait returns once the request has completed;
	 * a queue that died completed it as aborted.
	 */
	wd_inflight_wait_op(q, hw, c->busy, &c->cnt);
	return 0;
}

int wd_req_hw_status(struct wd_comp *c, const struct wd_req *r,
		     struct wd_queue *q, const struct wd_inflight_req *hw,
		     struct wd_xfer *xs, struct wd_xfer *xd)
{
	const struct vzip_cqe *cqe = &hw->cqe;
	size_t dst_room = hw->sqe.dst_len;
	int ret = wd_vzip_errno(cqe);

	if (!ret && cqe->produced > dst_room)
		ret = -EIO;	/* the device wrote past what it was given */
	/* a whole-buffer request must end its stream */
	if (!ret && (r->op == WD_OP_COMPRESS || r->op == WD_OP_DECOMPRESS) &&
	    !(cqe->flags & VZIP_CQE_F_STREAM_END))
		ret = r->op == WD_OP_DECOMPRESS ? -EBADMSG : -EIO;
	if (ret == -ENOSPC && r->dst_len > dst_room)
		ret = -E2BIG;	/* our descriptor limit, not the buffer */
	wd_xfer_done(q, xs, 0, NULL);
	if (wd_xfer_done(q, xd, ret ? 0 : cqe->produced, &c->cnt) && !ret)
		ret = -ENODEV;
	return ret;
}

void wd_req_finish(struct wd_comp *c, struct wd_req *r, struct wd_queue *q,
		   const struct wd_inflight_req *hw, struct wd_xfer *xs,
		   struct wd_xfer *xd)
{
	const struct vzip_cqe *cqe = &hw->cqe;
	int ret = wd_req_hw_status(c, r, q, hw, xs, xd);

	if (wd_hw_retryable(ret) && c->policy == WD_POLICY_AUTO) {
		wd_req_soft(c, r, wd_hw_fail_reason(ret));
		return;
	}
	if (ret == -E2BIG)
		ret = -EOPNOTSUPP;
	r->status = ret;
	r->consumed = ret ? 0 : cqe->consumed;
	r->produced = ret ? 0 : cqe->produced;
	r->checksum = cqe->checksum;
	r->path = WD_PATH_HW;
	r->reason = WD_REASON_NONE;
	if (ret) {
		wd_count_error(&c->cnt);
	} else {
		wd_comp_note(c, WD_PATH_HW, WD_REASON_NONE);
		wd_count_hw(&c->cnt, r->consumed, r->produced);
	}
}
