// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzip: the descriptors of a vfio-pci instance.  wd_mdev emulates the PCI
 * function of include/uapi/misc/uacce/wd_pci.h, its rings in guest
 * memory, interrupts and DMA; what a descriptor means is ours: the same
 * struct vzip_sqe and struct vzip_cqe as a uacce queue, checked by the
 * same rules, executed by the device's engines (wd_engine.ko), which
 * serve the instance's queues among the device's others, on the guest
 * pages wd_mdev pinned, every address an IOVA.  Joining the engines and
 * reading the pinned ranges are wd_engine's, for every class (wd_vq_*()).
 */
#include <linux/uacce.h>
#include <linux/wd_engine.h>
#include <linux/wd_mdev.h>

#include "vzip.h"

enum { VZIP_VFIO_SRC, VZIP_VFIO_DST, VZIP_VFIO_CTX };

static struct vzip_device *vzip_vfio_dev(struct uacce_device *accel)
{
	return vzip_dev(accel->priv);
}

static void vzip_vfio_info(struct uacce_device *accel,
			   struct wd_mdev_vfio_info *info)
{
	struct vzip_device *vdev = vzip_vfio_dev(accel);

	info->device = VZIP_PCI_DEVICE_ID;
	info->revision = VZIP_PCI_REVISION;
	info->subsys_id = VZIP_PCI_SUBSYS_ID;
	info->magic = VZIP_MAGIC;
	info->sqe_size = sizeof(struct vzip_sqe);
	info->cqe_size = sizeof(struct vzip_cqe);
	info->max_depth = VZIP_RING_DEPTH_MAX;
	info->params[VZIP_PCI_PARAM_CTX_SIZE] = vdev->ctx_size;
	/* IOVAs, never SVA */
	info->params[VZIP_PCI_PARAM_CAPS] = vdev->accel.caps & VZIP_CAP_STREAM;
	info->params[VZIP_PCI_PARAM_MAX_LEN] = vdev->cfg.max_len;
	info->max_range = max(vdev->cfg.max_len, vdev->ctx_size);
}

/* The queue joins the device's queues on the engines (wd_engine.ko). */
static int vzip_vfio_attach(struct uacce_device *accel, struct wd_mdev_vq *vq)
{
	struct vzip_device *vdev = vzip_vfio_dev(accel);

	return wd_vq_attach(&vdev->accel.eng, vq,
			    sizeof(struct wd_sched_ent)) ? 0 : -ENOMEM;
}

static void vzip_vfio_detach(struct uacce_device *accel, struct wd_mdev_vq *vq)
{
	wd_vq_detach(&vzip_vfio_dev(accel)->accel.eng, vq, NULL);
}

static void vzip_vfio_kick(struct uacce_device *accel)
{
	wd_engines_kick(&vzip_vfio_dev(accel)->accel.eng);
}

/* The same rules as a uacce queue's requests: Documentation/vzip.rst. */
static int vzip_vfio_decode(struct uacce_device *accel,
			    struct wd_mdev_vfio_req *req)
{
	struct vzip_device *vdev = vzip_vfio_dev(accel);
	const struct vzip_sqe *sqe = req->sqe;
	struct vzip_job job;
	u16 status;

	status = vzip_sqe_decode(sqe, vdev, &job);
	if (status != VZIP_STS_OK) {
		vzip_cqe_fill(vdev, sqe, status, &job, req->cqe);
		return -EINVAL;
	}
	/* always three ranges, so that execute finds each at its index */
	req->nr_ranges = 0;
	wd_vq_add_range(req, le64_to_cpu(sqe->src), job.src.len, false);
	wd_vq_add_range(req, le64_to_cpu(sqe->dst), job.dst.len, true);
	wd_vq_add_range(req, le64_to_cpu(sqe->ctx), job.ctx.len, true);
	return 0;
}

/*
 * On an engine of the device, which passed itself (a struct wd_engine) to
 * the queue's serve.
 */
static void vzip_vfio_execute(void *engine, struct wd_mdev_vfio_req *req)
{
	struct vzip_engine *e = ((struct wd_engine *)engine)->priv;
	const struct vzip_sqe *sqe = req->sqe;
	struct vzip_job job;
	u16 status;

	/* decoded before; the copy of the descriptor has not changed */
	status = vzip_sqe_decode(sqe, e->vdev, &job);
	if (status == VZIP_STS_OK && job.opcode != VZIP_OP_NOP) {
		wd_vq_buf(req, VZIP_VFIO_SRC, &job.src);
		wd_vq_buf(req, VZIP_VFIO_DST, &job.dst);
		wd_vq_buf(req, VZIP_VFIO_CTX, &job.ctx);
		job.abort = req->abort;
		vzip_codec_run(e->codec, &job);
		status = job.status;
		atomic64_add(job.stored_segments,
			     &e->vdev->stats.stored_segments);
		vzip_job_report(e->vdev, -1, &job);
	}
	vzip_cqe_fill(e->vdev, sqe, status, &job, req->cqe);
}

static void vzip_vfio_fail(struct wd_mdev_vfio_req *req, int err)
{
	struct vzip_cqe *cqe = req->cqe;
	const struct vzip_sqe *sqe = req->sqe;

	memset(cqe, 0, sizeof(*cqe));
	cqe->user_data = sqe->user_data;
	cqe->status = cpu_to_le16(err == -ECANCELED ? VZIP_STS_ABORTED :
				  VZIP_STS_ADDR_ERROR);
}

const struct wd_mdev_vfio_ops vzip_vfio_ops = {
	.info = vzip_vfio_info,
	.attach = vzip_vfio_attach,
	.detach = vzip_vfio_detach,
	.kick = vzip_vfio_kick,
	.decode = vzip_vfio_decode,
	.execute = vzip_vfio_execute,
	.fail = vzip_vfio_fail,
};
