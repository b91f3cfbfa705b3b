// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzip: the engines.
 *
 * Each engine is a kernel thread.  It takes one request at a time from a
 * started queue with pending work, so that a deep backlog on one queue
 * cannot starve another.  A queue is claimed by one engine at a time, which
 * keeps its completions in order and makes the engine the only writer of
 * its ring indices.
 *
 * Which queue: engine time is divided among tenants (struct uacce_tenant:
 * a process's queue, an access point, a VM) by weight.  Each tenant's
 * vtime grows by the engine time of its requests times
 * UACCE_WEIGHT_DEFAULT / weight; an engine takes the queue with work whose
 * tenant's vtime is least, the first in round-robin order among equals.
 * A tenant that was idle comes back at most VZIP_VTIME_CREDIT behind the
 * busiest pace (@vclock), so idleness is not saved up for a burst.
 *
 * The queues are the hardware queues of processes and access points, and
 * the queues of vfio-pci instances (struct wd_mdev_vq): wd_mdev fetches,
 * pins and completes a VM's requests, and an engine of this file executes
 * them (vfio.c), in its turn, like any other queue's.
 *
 * Doorbell: an engine with nothing to do watches the rings for idle_us
 * (right after a request without sleeping, then on a timer), then goes to
 * sleep.  While no engine watches, because each awake one executes a
 * request, and one sleeps, every started hardware queue that no engine
 * has claimed has VZIP_DEV_F_NEED_WAKEUP raised: a new request there would
 * otherwise wait for a busy engine while another sleeps.  The engine whose
 * step raised flags issues a full barrier and looks at the rings once
 * more; an application that sees the flag after publishing its tail and a
 * full barrier rings UACCE_CMD_WAKE_Q.  Either the engine sees the new
 * tail or the application sees the flag.  An engine clears the flags
 * before it posts a completion, so the application's next request, which
 * the engine will find, does not ring.
 *
 * Where: the engines run on the CPUs of their device's NUMA node, as a
 * hardware engine sits beside its memory, when the node has an online CPU
 * for each engine.  With fewer, the engines would wait for each other's
 * CPUs, which costs more than remote memory, so they run anywhere; so do
 * the engines of a device without a node.  An administrator can still
 * move them (taskset).
 */
#include <kunit/visibility.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/error-injection.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/uacce.h>
#include <linux/wd_mdev.h>

#include "vzip.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* for probes in other modules: the KUnit suite reads decisions from it */
EXPORT_TRACEPOINT_SYMBOL_GPL(vzip_request);

/* An idle engine looks at the rings this often until it goes to sleep. */
#define VZIP_POLL_MIN_US	5
#define VZIP_POLL_MAX_US	10
/*
 * Before that, right after a request, it looks this many times without
 * sleeping: the next request of a submitter that waited for this one's
 * completion comes within microseconds, and a timer sleep of a few
 * microseconds costs far more in a virtual machine (the vCPU halts).
 */
#define VZIP_SPIN_ROUNDS	256
/* How far behind the others an idle tenant's vtime may be when it returns */
#define VZIP_VTIME_CREDIT	(5 * NSEC_PER_MSEC)

static u32 vzip_ctrl_read(struct vzip_queue *q, unsigned int offset)
{
	return le32_to_cpu(READ_ONCE(*vzip_ctrl(q, offset)));
}

static void vzip_set_need_wakeup(struct vzip_queue *q, bool need)
{
	WRITE_ONCE(*vzip_ctrl(q, VZIP_CTRL_DEV_FLAGS),
		   cpu_to_le32(need ? VZIP_DEV_F_NEED_WAKEUP : 0));
}

/*
 * A request is pending and its completion has room.  An sq_tail more than
 * a ring ahead, or a cq_head past cq_tail, is the application's protocol
 * error: the queue is then not served until it is fixed.
 */
static bool vzip_queue_has_work(struct vzip_queue *q)
{
	u32 depth = q->vdev->cfg.ring_depth;
	u32 pending = vzip_ctrl_read(q, VZIP_CTRL_SQ_TAIL) - q->sq_head;
	u32 cq_used = q->cq_tail - vzip_ctrl_read(q, VZIP_CTRL_CQ_HEAD);

	return pending && pending <= depth && cq_used < depth;
}

static bool vzip_ent_has_work(struct vzip_sched_ent *ent)
{
	return ent->q ? vzip_queue_has_work(ent->q) : ent->vq->has_work(ent->vq);
}

/**
 * vzip_engines_kick() - make sure an engine looks at the rings
 * @vdev: the device
 *
 * Never blocks.
 */
void vzip_engines_kick(struct vzip_device *vdev)
{
	atomic_set(&vdev->kick, 1);
	wake_up(&vdev->engine_wq);
}

/*
 * Under sched_lock: no engine watches the rings, as every awake one
 * executes a request, while one sleeps.
 */
static bool vzip_sched_wanted(const struct vzip_device *vdev)
{
	return vdev->nr_awake == vdev->nr_busy &&
	       vdev->nr_awake < vdev->cfg.nr_engines;
}

/*
 * Under sched_lock: raise or clear the NEED_WAKEUP flag of each started
 * hardware queue (a VM's doorbell always kicks: it has none).  A claimed
 * queue's engine looks at it again when done, so only the others need the
 * doorbell.  Returns true if a flag was raised.
 */
static bool vzip_sched_update_flags(struct vzip_device *vdev)
{
	bool wanted = vzip_sched_wanted(vdev), raised = false;
	struct vzip_sched_ent *ent;

	if (!wanted && !vdev->flags_raised)
		return false;
	list_for_each_entry(ent, &vdev->active, node) {
		bool need = wanted && !ent->claimed;

		if (!ent->q || ent->need_wakeup == need)
			continue;
		ent->need_wakeup = need;
		vzip_set_need_wakeup(ent->q, need);
		raised |= need;
	}
	vdev->flags_raised = wanted;
	if (raised)
		atomic64_inc(&vdev->stats.need_wakeup);
	return raised;
}

/* Under sched_lock: a started queue nobody has claimed has work. */
static bool __vzip_sched_any_work(struct vzip_device *vdev)
{
	struct vzip_sched_ent *ent;

	list_for_each_entry(ent, &vdev->active, node)
		if (!ent->claimed && vzip_ent_has_work(ent))
			return true;
	return false;
}

/* A tenant back from idleness: bring its vtime within the credit. */
static void vzip_tenant_catch_up(struct vzip_device *vdev,
				 struct uacce_tenant *t)
{
	if (vdev->vclock > VZIP_VTIME_CREDIT &&
	    t->vtime < vdev->vclock - VZIP_VTIME_CREDIT)
		t->vtime = vdev->vclock - VZIP_VTIME_CREDIT;
}

/**
 * vzip_sched_claim() - claim the queue an engine serves next
 * @vdev: the device
 *
 * Of the started, unclaimed queues with work, the one whose tenant has
 * the least vtime; among equals, the first in round-robin order.
 *
 * Return: the queue's scheduling state, claimed, or NULL if none has work.
 */
struct vzip_sched_ent *vzip_sched_claim(struct vzip_device *vdev)
{
	struct vzip_sched_ent *ent, *found = NULL;
	unsigned int ready = 0;
	bool help = false;

	spin_lock(&vdev->sched_lock);
	list_for_each_entry(ent, &vdev->active, node) {
		if (ent->claimed || !vzip_ent_has_work(ent))
			continue;
		ready++;
		vzip_tenant_catch_up(vdev, ent->tenant);
		if (!found || ent->tenant->vtime < found->tenant->vtime)
			found = ent;
	}
	if (found) {
		found->claimed = true;
		found->busy = true;
		vdev->nr_busy++;
		list_move_tail(&found->node, &vdev->active);
		vdev->vclock = max(vdev->vclock, found->tenant->vtime);
		help = ready > 1;
		if (vzip_sched_update_flags(vdev)) {
			/* the flags before the tails: pairs with the application */
			smp_mb();
			help = __vzip_sched_any_work(vdev);
		}
		help = help && vzip_sched_wanted(vdev);
	}
	spin_unlock(&vdev->sched_lock);

	/* work for another engine, and none watches: wake a sleeping one */
	if (help)
		vzip_engines_kick(vdev);
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(vzip_sched_claim);

/* Under sched_lock: @ent's engine is done executing and watches again. */
static void __vzip_sched_unbusy(struct vzip_device *vdev,
				struct vzip_sched_ent *ent)
{
	if (ent->busy) {
		ent->busy = false;
		vdev->nr_busy--;
		vzip_sched_update_flags(vdev);
	}
}

/*
 * Before an engine posts a completion: its application's next request
 * comes at once, and the engine will find it without a doorbell.
 */
static void vzip_sched_unbusy(struct vzip_device *vdev,
			      struct vzip_sched_ent *ent)
{
	spin_lock(&vdev->sched_lock);
	__vzip_sched_unbusy(vdev, ent);
	spin_unlock(&vdev->sched_lock);
}

/**
 * vzip_sched_release() - an engine is done with a queue's request
 * @vdev: the device
 * @ent: the queue's scheduling state, claimed
 * @ns: engine time the request took, charged to the queue's tenant
 */
void vzip_sched_release(struct vzip_device *vdev, struct vzip_sched_ent *ent,
			u64 ns)
{
	struct uacce_tenant *t = ent->tenant;
	unsigned int weight = clamp_t(unsigned int, READ_ONCE(t->weight),
				      UACCE_WEIGHT_MIN, UACCE_WEIGHT_MAX);

	spin_lock(&vdev->sched_lock);
	t->vtime += div_u64(ns * UACCE_WEIGHT_DEFAULT, weight);
	atomic64_add(ns, &t->engine_ns);
	__vzip_sched_unbusy(vdev, ent);
	ent->claimed = false;
	/*
	 * Under the lock: vzip_sched_stop() sees the queue idle only once
	 * it is dropped, and may then free @ent (a vfio-pci queue's).
	 */
	if (!ent->started)
		wake_up(&ent->idle_wq);
	spin_unlock(&vdev->sched_lock);
}
EXPORT_SYMBOL_IF_KUNIT(vzip_sched_release);

static bool vzip_sched_any_work(struct vzip_device *vdev)
{
	bool work;

	spin_lock(&vdev->sched_lock);
	work = __vzip_sched_any_work(vdev);
	spin_unlock(&vdev->sched_lock);
	return work;
}

/**
 * vzip_sched_set_awake() - an engine wakes up or goes to sleep
 * @vdev: the device
 * @awake: it wakes up
 */
void vzip_sched_set_awake(struct vzip_device *vdev, bool awake)
{
	spin_lock(&vdev->sched_lock);
	if (awake)
		vdev->nr_awake++;
	else
		vdev->nr_awake--;
	vzip_sched_update_flags(vdev);
	spin_unlock(&vdev->sched_lock);
}
EXPORT_SYMBOL_IF_KUNIT(vzip_sched_set_awake);

static void vzip_engine_sleep(struct vzip_device *vdev)
{
	atomic_set(&vdev->kick, 0);
	vzip_sched_set_awake(vdev, false);
	/* NEED_WAKEUP before the tails: pairs with the application's barrier */
	smp_mb();
	if (!vzip_sched_any_work(vdev)) {
		atomic64_inc(&vdev->stats.sleeps);
		wait_event_idle_exclusive(vdev->engine_wq,
					  atomic_read(&vdev->kick) ||
					  kthread_should_stop());
		atomic64_inc(&vdev->stats.wakeups);
	}
	vzip_sched_set_awake(vdev, true);
}

/**
 * vzip_sched_init() - the scheduling state of a queue
 * @ent: the state
 * @q: the hardware queue it is of, or NULL
 * @vq: the vfio-pci queue it is of, or NULL
 */
void vzip_sched_init(struct vzip_sched_ent *ent, struct vzip_queue *q,
		     struct wd_mdev_vq *vq)
{
	INIT_LIST_HEAD(&ent->node);
	init_waitqueue_head(&ent->idle_wq);
	ent->q = q;
	ent->vq = vq;
}
EXPORT_SYMBOL_IF_KUNIT(vzip_sched_init);

/**
 * vzip_sched_start() - start serving a queue
 * @vdev: the device
 * @ent: the queue's scheduling state
 * @tenant: whose engine time its requests are; outlives the queue's
 *	service (until vzip_sched_stop() returns)
 */
void vzip_sched_start(struct vzip_device *vdev, struct vzip_sched_ent *ent,
		      struct uacce_tenant *tenant)
{
	spin_lock(&vdev->sched_lock);
	ent->tenant = tenant;
	vzip_tenant_catch_up(vdev, tenant);
	ent->started = true;
	WRITE_ONCE(ent->stopping, false);
	list_add_tail(&ent->node, &vdev->active);
	if (ent->q) {
		ent->need_wakeup = vzip_sched_wanted(vdev);
		vzip_set_need_wakeup(ent->q, ent->need_wakeup);
		if (ent->need_wakeup) {
			vdev->flags_raised = true;
			atomic64_inc(&vdev->stats.need_wakeup);
		}
	}
	spin_unlock(&vdev->sched_lock);
	/* requests published before the start are served too */
	vzip_engines_kick(vdev);
}
EXPORT_SYMBOL_IF_KUNIT(vzip_sched_start);

static bool vzip_sched_idle(struct vzip_device *vdev,
			    struct vzip_sched_ent *ent)
{
	bool idle;

	spin_lock(&vdev->sched_lock);
	idle = !ent->claimed;
	spin_unlock(&vdev->sched_lock);
	return idle;
}

/**
 * vzip_sched_stop() - stop serving a queue
 * @vdev: the device
 * @ent: the queue's scheduling state
 *
 * Aborts the request in progress, if any, and waits for its engine to
 * complete it and unpin its pages.
 */
void vzip_sched_stop(struct vzip_device *vdev, struct vzip_sched_ent *ent)
{
	spin_lock(&vdev->sched_lock);
	if (ent->started) {
		ent->started = false;
		list_del_init(&ent->node);
	}
	WRITE_ONCE(ent->stopping, true);
	ent->need_wakeup = true;
	if (ent->q)
		vzip_set_need_wakeup(ent->q, true);
	spin_unlock(&vdev->sched_lock);
	wait_event(ent->idle_wq, vzip_sched_idle(vdev, ent));
	WRITE_ONCE(ent->stopping, false);
}
EXPORT_SYMBOL_IF_KUNIT(vzip_sched_stop);

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

/* Copies the request at sq_head out of the ring and frees its slot. */
static void vzip_sqe_fetch(struct vzip_queue *q, struct vzip_sqe *sqe)
{
	u32 mask = q->vdev->cfg.ring_depth - 1;
	const u64 *slot = (const u64 *)&q->sq[q->sq_head & mask];
	u64 *to = (u64 *)sqe;
	unsigned int i;

	/* one read of each word: the application may be rewriting the slot */
	for (i = 0; i < sizeof(*sqe) / sizeof(u64); i++)
		to[i] = READ_ONCE(slot[i]);
	q->sq_head++;
	/* the slot is read before the application may reuse it */
	smp_store_release(vzip_ctrl(q, VZIP_CTRL_SQ_HEAD),
			  cpu_to_le32(q->sq_head));
}

static void vzip_cqe_post(struct vzip_queue *q, const struct vzip_cqe *cqe)
{
	u32 mask = q->vdev->cfg.ring_depth - 1;

	memcpy(&q->cq[q->cq_tail & mask], cqe, sizeof(*cqe));
	WRITE_ONCE(q->cq_tail, q->cq_tail + 1);
	/* the entry is written before the application may read it */
	smp_store_release(vzip_ctrl(q, VZIP_CTRL_CQ_TAIL),
			  cpu_to_le32(q->cq_tail));
}

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
static bool vzip_engine_serve(struct vzip_engine *e, struct vzip_queue *q)
{
	struct vzip_device *vdev = e->vdev;
	struct vzip_cqe cqe = {};
	struct vzip_job job = {};
	struct vzip_sqe sqe;
	u32 tail;
	u16 status;

	if (READ_ONCE(q->ent.stopping))
		return false;	/* left in the ring for the next start */
	tail = le32_to_cpu(smp_load_acquire(vzip_ctrl(q, VZIP_CTRL_SQ_TAIL)));
	if (tail == q->sq_head || tail - q->sq_head > vdev->cfg.ring_depth)
		return false;
	vzip_sqe_fetch(q, &sqe);

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
	trace_vzip_request(vdev, e->id, q, q->sq_head - 1, sqe.opcode, status);
	vzip_sched_unbusy(vdev, &q->ent);
	vzip_cqe_post(q, &cqe);
	uacce_wake_up(q->uq);
	return status == VZIP_STS_HW_ERROR;
}

static int vzip_engine_thread(void *arg)
{
	struct vzip_engine *e = arg;
	struct vzip_device *vdev = e->vdev;
	u64 idle_ns = (u64)vdev->cfg.idle_us * NSEC_PER_USEC;
	u64 idle_end = ktime_get_ns() + idle_ns;
	unsigned int spins = 0;

	while (!kthread_should_stop()) {
		struct vzip_sched_ent *ent = vzip_sched_claim(vdev);
		u64 start = ktime_get_ns();

		if (ent && ent->vq) {
			/* wd_mdev executes it with this engine: vfio.c */
			if (ent->vq->serve(ent->vq, e))
				trace_vzip_vq_request(vdev, e->id, ent->vq);
			idle_end = ktime_get_ns();
			vzip_sched_release(vdev, ent, idle_end - start);
			idle_end += idle_ns;
			spins = VZIP_SPIN_ROUNDS;
		} else if (ent) {
			/*
			 * Report a hardware error while the queue is claimed:
			 * uacce_remove() stops every queue, so it cannot have
			 * returned yet.
			 */
			if (vzip_engine_serve(e, ent->q))
				uacce_report_hw_error(vdev->uacce);
			idle_end = ktime_get_ns();
			vzip_sched_release(vdev, ent, idle_end - start);
			idle_end += idle_ns;
			spins = VZIP_SPIN_ROUNDS;
		} else if (spins && !need_resched()) {
			/* nobody else wants this CPU: look again at once */
			spins--;
			cpu_relax();
		} else if (ktime_get_ns() >= idle_end) {
			vzip_engine_sleep(vdev);
			idle_end = ktime_get_ns() + idle_ns;
		} else {
			/* poll without taking the CPU from the submitters */
			usleep_range(VZIP_POLL_MIN_US, VZIP_POLL_MAX_US);
		}
		cond_resched();
	}
	return 0;
}

/*
 * Creates an engine's thread.  A function of its own so that a test can
 * fail it: kthreadd forks the thread, out of reach of the creating task's
 * fail-nth.  vzip_test fails it from a kprobe (kt_inject()); fail_function
 * can too (ALLOW_ERROR_INJECTION) on a kernel whose lockdep allows it.
 */
static noinline struct task_struct *vzip_engine_create(struct vzip_engine *e)
{
	struct vzip_device *vdev = e->vdev;

	return kthread_create_on_node(vzip_engine_thread, e, vdev->node,
				      "%s/e%u", dev_name(vdev->dev), e->id);
}

ALLOW_ERROR_INJECTION(vzip_engine_create, ERRNO);

/* The CPUs the engines run on (see "Where" above); NULL for any. */
static const struct cpumask *vzip_engine_cpus(struct vzip_device *vdev)
{
	const struct cpumask *cpus;
	unsigned int n;

	if (vdev->node == NUMA_NO_NODE) {
		dev_info(vdev->dev, "engines on any CPU: the device has no NUMA node\n");
		return NULL;
	}
	cpus = cpumask_of_node(vdev->node);
	n = cpumask_weight_and(cpus, cpu_online_mask);
	if (n < vdev->cfg.nr_engines) {
		dev_info(vdev->dev, "engines on any CPU: node %d has %u online CPUs for %u engines\n",
			 vdev->node, n, vdev->cfg.nr_engines);
		return NULL;
	}
	dev_info(vdev->dev, "engines on node %d's CPUs %*pbl\n", vdev->node,
		 cpumask_pr_args(cpus));
	return cpus;
}

/**
 * vzip_engines_start() - create and start the engines of a device
 * @vdev: the device, whose queues exist
 *
 * Return: 0, or a negative errno with nothing left behind.
 */
int vzip_engines_start(struct vzip_device *vdev)
{
	const struct cpumask *cpus = vzip_engine_cpus(vdev);
	unsigned int i, n = vdev->cfg.nr_engines;

	vdev->engines = kcalloc_node(n, sizeof(*vdev->engines), GFP_KERNEL,
				     vdev->node);
	if (!vdev->engines)
		return -ENOMEM;

	for (i = 0; i < n; i++) {
		struct vzip_engine *e = &vdev->engines[i];
		struct task_struct *task;

		e->vdev = vdev;
		e->id = i;
		e->codec = vzip_codec_alloc(vdev->node);
		e->pages = kvmalloc_array(vzip_dma_max_pages(vdev),
					  sizeof(*e->pages), GFP_KERNEL);
		if (!e->codec || !e->pages)
			goto fail;
		task = vzip_engine_create(e);
		if (IS_ERR(task)) {
			dev_err(vdev->dev, "cannot create engine %u: %pe\n",
				i, task);
			goto fail;
		}
		e->task = task;
		/* a node whose CPUs just went offline: the engine runs anywhere */
		if (cpus && set_cpus_allowed_ptr(task, cpus))
			dev_info(vdev->dev, "engine %u on any CPU: node %d's went offline\n",
				 i, vdev->node);
	}

	vdev->nr_awake = n;
	vdev->nr_busy = 0;
	for (i = 0; i < n; i++)
		wake_up_process(vdev->engines[i].task);
	return 0;

fail:
	vzip_engines_stop(vdev);
	return -ENOMEM;
}

/**
 * vzip_engines_stop() - stop and free the engines of a device
 * @vdev: the device, whose queues are all stopped
 */
void vzip_engines_stop(struct vzip_device *vdev)
{
	unsigned int i;

	if (!vdev->engines)
		return;
	for (i = 0; i < vdev->cfg.nr_engines; i++) {
		struct vzip_engine *e = &vdev->engines[i];

		if (e->task)
			kthread_stop(e->task);
		kvfree(e->pages);
		vzip_codec_free(e->codec);
	}
	kfree(vdev->engines);
	vdev->engines = NULL;
}
