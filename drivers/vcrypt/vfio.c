// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vcrypt: the descriptors of a vfio-pci instance.  wd_mdev emulates the
 * PCI function of include/uapi/misc/uacce/wd_pci.h, its rings in guest
 * memory, interrupts and DMA; wd_engine joins its queues to the device's
 * engines and hands over the pinned ranges (wd_vq_*()).  What is vcrypt's
 * is here: the function's identity, the same struct vcrypt_sqe and struct
 * vcrypt_cqe as a uacce queue, checked by the same rules, executed with
 * the same transforms on the guest pages wd_mdev pinned, every address an
 * IOVA, and the key slots each queue of the function has of its own.
 *
 * Every range of a request is pinned before it executes, so an unmapped
 * one completes ADDR_ERROR before the checks of the context, key, IV and
 * lengths (Documentation/vcrypt.rst, "As a PCI function").  The key
 * slots are not in the framework's registers, which are all a migration
 * stream carries: the function offers no migration.
 */
#include <linux/string.h>
#include <linux/uacce.h>
#include <linux/wd_engine.h>
#include <linux/wd_mdev.h>

#include "vcrypt.h"

/* the ranges of every request, at these indices */
enum { VCRYPT_VFIO_SRC, VCRYPT_VFIO_DST, VCRYPT_VFIO_CTX };

/**
 * struct vcrypt_vq - vcrypt's state of a vfio-pci queue (wd_mdev_vq.drv)
 * @ent: its scheduling state (wd_vq_attach()'s, first)
 * @vdev: the device
 * @slots: vdev->cfg.key_slots key slots
 *
 * @slots belong to the engine executing a request of the queue, or to
 * wd_mdev's open, reset and close, which no engine is in.
 */
struct vcrypt_vq {
	struct wd_sched_ent ent;
	struct vcrypt_device *vdev;
	struct vcrypt_slot *slots;
};

static struct vcrypt_device *vcrypt_vfio_dev(struct uacce_device *accel)
{
	return vcrypt_dev(accel->priv);
}

static void vcrypt_vfio_info(struct uacce_device *accel,
			     struct wd_mdev_vfio_info *info)
{
	struct vcrypt_device *vdev = vcrypt_vfio_dev(accel);

	info->device = VCRYPT_PCI_DEVICE_ID;
	info->revision = VCRYPT_PCI_REVISION;
	info->subsys_id = VCRYPT_PCI_SUBSYS_ID;
	info->magic = VCRYPT_MAGIC;
	info->sqe_size = sizeof(struct vcrypt_sqe);
	info->cqe_size = sizeof(struct vcrypt_cqe);
	info->max_depth = VCRYPT_RING_DEPTH_MAX;
	info->params[VCRYPT_PCI_PARAM_CTX_SIZE] = vdev->ctx_size;
	/* IOVAs, never SVA */
	info->params[VCRYPT_PCI_PARAM_CAPS] =
		vdev->accel.caps & VCRYPT_CAP_STREAM;
	info->params[VCRYPT_PCI_PARAM_MAX_LEN] = vdev->cfg.geo.max_len;
	info->params[VCRYPT_PCI_PARAM_KEY_SLOTS] = vdev->cfg.key_slots;
	info->params[VCRYPT_PCI_PARAM_ALGS] = vdev->algs;
	info->max_range = max(vdev->cfg.geo.max_len, vdev->ctx_size);
	info->no_migration = true;
}

/* wd_vq_detach()'s release: the keys go with the queue */
static void vcrypt_vfio_release(void *state)
{
	struct vcrypt_vq *s = state;

	if (!s->slots)
		return;
	vcrypt_slots_wipe(s->vdev, s->slots, s->vdev->cfg.key_slots);
	vcrypt_slots_free(s->slots, s->vdev->cfg.key_slots);
	s->slots = NULL;
}

/* The function is being opened: the engines serve nothing of it yet. */
static int vcrypt_vfio_attach(struct uacce_device *accel,
			      struct wd_mdev_vq *vq)
{
	struct vcrypt_device *vdev = vcrypt_vfio_dev(accel);
	struct vcrypt_vq *s;

	s = wd_vq_attach(&vdev->accel.eng, vq, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->vdev = vdev;
	s->slots = vcrypt_slots_alloc(vdev->cfg.key_slots, vdev->node);
	if (!s->slots) {
		wd_vq_detach(&vdev->accel.eng, vq, vcrypt_vfio_release);
		return -ENOMEM;
	}
	return 0;
}

static void vcrypt_vfio_detach(struct uacce_device *accel,
			       struct wd_mdev_vq *vq)
{
	wd_vq_detach(&vcrypt_vfio_dev(accel)->accel.eng, vq,
		     vcrypt_vfio_release);
}

static void vcrypt_vfio_kick(struct uacce_device *accel)
{
	wd_engines_kick(&vcrypt_vfio_dev(accel)->accel.eng);
}

/* Reset, close or removal: a reset function has empty key slots. */
static void vcrypt_vfio_reset(struct uacce_device *accel,
			      struct wd_mdev_vq *vq)
{
	struct vcrypt_vq *s = vq->drv;

	if (s)
		vcrypt_slots_wipe(s->vdev, s->slots, s->vdev->cfg.key_slots);
}

/* The same rules as a uacce queue's requests: Documentation/vcrypt.rst. */
static int vcrypt_vfio_decode(struct uacce_device *accel,
			      struct wd_mdev_vfio_req *req)
{
	struct vcrypt_device *vdev = vcrypt_vfio_dev(accel);
	const struct vcrypt_sqe *sqe = req->sqe;
	struct vcrypt_job job = {};
	u16 status;

	/* the reason is in the debug log (decode.c) */
	status = vcrypt_sqe_decode(sqe, vdev, &job);
	if (status != VCRYPT_STS_OK) {
		vcrypt_cqe_fill(vdev, sqe, status, &job, req->cqe);
		return -EINVAL;
	}
	/* always three ranges; in place, the source is the destination's */
	req->nr_ranges = 0;
	wd_vq_add_range(req, le64_to_cpu(sqe->src),
			job.inplace ? 0 : job.src.len, false);
	wd_vq_add_range(req, le64_to_cpu(sqe->dst), job.dst.len, true);
	wd_vq_add_range(req, le64_to_cpu(sqe->ctx), job.ctx.len, true);
	return 0;
}

/* The job's buffers: the request's pinned ranges. */
static void vcrypt_vfio_bufs(const struct wd_mdev_vfio_req *req,
			     struct vcrypt_job *job)
{
	u32 src_len = job->src.len;

	wd_vq_buf(req, VCRYPT_VFIO_DST, &job->dst);
	wd_vq_buf(req, VCRYPT_VFIO_CTX, &job->ctx);
	if (job->inplace) {
		job->src = job->dst;
		job->src.len = src_len;
		job->src.write = false;
	} else {
		wd_vq_buf(req, VCRYPT_VFIO_SRC, &job->src);
	}
}

/*
 * On an engine of the device, which passed itself (a struct wd_engine) to
 * the queue's serve.
 */
static void vcrypt_vfio_execute(void *engine, struct wd_mdev_vfio_req *req)
{
	struct vcrypt_engine *e = ((struct wd_engine *)engine)->priv;
	struct vcrypt_vq *s = req->vq->drv;
	const struct vcrypt_sqe *sqe = req->sqe;
	struct vcrypt_job job = {};
	u16 status;

	/* decoded before; the copy of the descriptor has not changed */
	status = vcrypt_sqe_decode(sqe, e->vdev, &job);
	if (status == VCRYPT_STS_OK) {
		vcrypt_vfio_bufs(req, &job);
		status = vcrypt_job_execute(e, NULL, sqe, &job,
					    &s->slots[job.slot], req->abort);
	}
	vcrypt_cqe_fill(e->vdev, sqe, status, &job, req->cqe);
}

/* A range is not mapped (-EFAULT) or the request was aborted first. */
static void vcrypt_vfio_fail(struct wd_mdev_vfio_req *req, int err)
{
	const struct vcrypt_sqe *sqe = req->sqe;
	struct vcrypt_vq *s = req->vq->drv;
	struct vcrypt_job job = {};

	/* decoded: the slot is in range */
	if (sqe->opcode == VCRYPT_OP_KEY_LOAD)
		vcrypt_slot_clear(s->vdev, &s->slots[le16_to_cpu(sqe->key_slot)]);
	vcrypt_cqe_fill(s->vdev, sqe, err == -ECANCELED ? VCRYPT_STS_ABORTED :
			VCRYPT_STS_ADDR_ERROR, &job, req->cqe);
}

const struct wd_mdev_vfio_ops vcrypt_vfio_ops = {
	.info = vcrypt_vfio_info,
	.attach = vcrypt_vfio_attach,
	.detach = vcrypt_vfio_detach,
	.kick = vcrypt_vfio_kick,
	.decode = vcrypt_vfio_decode,
	.execute = vcrypt_vfio_execute,
	.fail = vcrypt_vfio_fail,
	.reset = vcrypt_vfio_reset,
};
