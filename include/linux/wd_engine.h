/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * WarpDrive engine framework (drivers/engine, wd_engine.ko): the engines
 * of a virtual accelerator and the scheduler that shares them among its
 * queues, for every device class (vzip, vcrypt).
 *
 * A class driver embeds a struct wd_accel in its device and calls
 * wd_accel_probe() with its struct wd_accel_ops (device.c): the framework
 * sets up the engines (struct wd_engine_dev), the hardware queues and the
 * uacce device, whose callbacks are the framework's (queue.c).  Each
 * hardware queue, a struct wd_hwq at the start of the class's queue, has
 * a register page the class writes, a struct wd_ring (the control page of
 * <uapi/misc/uacce/wd_ring.h> and the device's ring indices) and a struct
 * wd_sched_ent, started and stopped with the queue (wd_sched_start(),
 * wd_sched_stop()).  The rings' memory, their reset for a new owner, the
 * fetch of a request and the post of a completion are the framework's too
 * (wd_ring_*()), by the class's entry sizes.
 * The queues of a vfio-pci instance (struct wd_mdev_vq) join the same
 * scheduler, through the class-independent half of a class's
 * wd_mdev_vfio_ops (wd_vq_*(), vq.c).  An engine that picks a hardware
 * queue serves one request of it (serve.c): it fetches the request and
 * has the class decode, execute and complete it (wd_engine_ops), then
 * posts the completion; one that picks a vfio-pci queue calls the queue's
 * own serve, which wd_mdev provides.
 *
 * The engine reaches a request's memory through the address translation of
 * dma.c: the class decodes the ranges (struct wd_dma_range), the framework
 * pins them (SVA) or finds them in the queue's SS region, and the class
 * works on them with the struct wd_buf accessors.
 *
 * Stream contexts a class keeps in user memory are sealed with wd_seal()
 * (seal.c); the debugfs knob inject_hw_error and the engines' counters are
 * the framework's too (debugfs.c).
 *
 * The framework knows no class: what a request means is the class's.
 * Documentation/engine.rst describes the scheduler.
 */
#ifndef _LINUX_WD_ENGINE_H
#define _LINUX_WD_ENGINE_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <uapi/misc/uacce/wd_mem.h>
#include <uapi/misc/uacce/wd_ring.h>

struct dentry;
struct device;
struct mm_struct;
struct page;
struct seq_file;
struct task_struct;
struct uacce_device;
struct uacce_qfile_region;
struct uacce_queue;
struct uacce_tenant;
struct wd_engine;
struct wd_mdev_vq;
struct wd_mem_reg;
struct wd_mdev_vfio_req;

/**
 * struct wd_ring - a hardware queue's rings (ring.c)
 * @dus: the DUS region: the control page (WD_RING_CTRL_*), SQ, CQ
 * @dus_size: bytes of @dus, page aligned
 * @sq: the submission ring, in @dus
 * @cq: the completion ring, in @dus
 * @depth: entries per ring, a power of two
 * @sqe_size: bytes of a submission entry
 * @cqe_size: bytes of a completion entry
 * @sq_head: the device's SQ index; the user-visible copy is only published
 * @cq_tail: the device's CQ index, likewise
 *
 * @sq_head and @cq_tail belong to the engine that has claimed the queue,
 * or to the class driver while the queue is stopped.
 */
struct wd_ring {
	void *dus;
	size_t dus_size;
	void *sq;
	void *cq;
	u32 depth;
	u32 sqe_size;
	u32 cqe_size;
	u32 sq_head;
	u32 cq_tail;
};

/**
 * wd_ring_ctrl() - a word of a queue's control page
 * @ring: the queue's rings
 * @offset: WD_RING_CTRL_*
 *
 * Return: its kernel address.
 */
static inline __le32 *wd_ring_ctrl(struct wd_ring *ring, unsigned int offset)
{
	return ring->dus + offset;
}

size_t wd_ring_dus_size(u32 depth, u32 sqe_size, u32 cqe_size);
int wd_ring_alloc(struct wd_ring *ring, int node, u32 depth, u32 sqe_size,
		  u32 cqe_size);
void wd_ring_free(struct wd_ring *ring);
void wd_ring_reset(struct wd_ring *ring, u32 first_index);
bool wd_ring_fetch(struct wd_ring *ring, void *sqe);
void wd_ring_post(struct wd_ring *ring, const void *cqe);
bool wd_ring_cq_pending(struct wd_ring *ring);

/**
 * struct wd_sched_ent - a queue the engines serve
 * @node: entry in wd_engine_dev.active while started
 * @started: served
 * @claimed: an engine is executing a request of it
 * @busy: @claimed, and the engine has not yet posted the completion
 * @need_wakeup: the NEED_WAKEUP flag of @ring's control page
 * @stopping: being stopped: abort the request in progress
 * @idle_wq: wd_sched_stop() waits here for @claimed to clear
 * @ring: a hardware queue of a process or an access point, or NULL
 * @vq: a queue of a vfio-pci instance (wd_mdev serves its requests), or
 *	NULL
 * @tenant: whose engine time its requests are, while started
 *
 * @node, @started, @claimed, @busy and @need_wakeup are protected by
 * wd_engine_dev.sched_lock, and so is @tenant's vtime.
 */
struct wd_sched_ent {
	struct list_head node;
	bool started;
	bool claimed;
	bool busy;
	bool need_wakeup;
	bool stopping;
	wait_queue_head_t idle_wq;
	struct wd_ring *ring;
	struct wd_mdev_vq *vq;
	struct uacce_tenant *tenant;
};

/**
 * struct wd_status - the class's status codes the framework reports
 * @ok: the request succeeded so far: it goes on
 * @addr_error: a range of the request cannot be reached (wd_dma_map())
 * @aborted: the owner's address space is gone, or the queue was stopped
 *	while its mmap_lock or a page was awaited (wd_dma_map())
 * @hw_error: an engine failure: the debugfs knob inject_hw_error injects it,
 *	and a request that ends with it counts against the device's
 *	isolate_strategy (uacce_report_hw_error())
 *
 * They are values of the class's UAPI: the framework only passes them on.
 */
struct wd_status {
	u16 ok;
	u16 addr_error;
	u16 aborted;
	u16 hw_error;
};

/**
 * struct wd_engine_ops - the class driver's part of the engines
 * @priv_size: bytes of the class's state of an engine, @e->priv: the
 *	framework allocates it, zeroed, and frees it
 * @engine_init: set up @e->priv (allocate its codec, its page array...);
 *	0 or a negative errno.  Optional
 * @engine_fini: free what @engine_init allocated; called for every engine
 *	whose @e->priv was allocated when the engines stop, @e->priv partly
 *	set up if @engine_init failed or was not called.  Optional
 * @sqe_size: bytes of a submission entry of the class's rings
 * @cqe_size: bytes of a completion entry
 * @job_size: bytes of the class's decoded request (its job)
 * @status: the class's status codes
 * @decode: check the request @sqe of the hardware queue @ent and decode it
 *	into @job (zeroed): @status.ok to execute it, or its status
 * @execute: run a decoded request on @e: make the ranges it needs
 *	reachable (wd_dma_map(), in the order of the class's errors), run it,
 *	undo the mapping; its status.  Aborts if @ent->stopping is set.  May
 *	sleep
 * @complete: fill in the completion @cqe (zeroed) of a request that ended
 *	with @status (@job is decoded only if @decode was called), count it
 *	and trace it; the SQ index of the request is @ent->ring->sq_head - 1
 * @vq_served: optional: @e executed a request of the vfio-pci queue @vq
 *	(for the class's trace event)
 *
 * An engine that claims a hardware queue serves one request of it
 * (serve.c): fetches it, calls @decode, @execute if the request decoded,
 * @complete, then posts the completion and wakes the owner's poll().
 */
struct wd_engine_ops {
	size_t priv_size;
	int (*engine_init)(struct wd_engine *e);
	void (*engine_fini)(struct wd_engine *e);
	size_t sqe_size;
	size_t cqe_size;
	size_t job_size;
	struct wd_status status;
	u16 (*decode)(struct wd_engine *e, struct wd_sched_ent *ent,
		      const void *sqe, void *job);
	u16 (*execute)(struct wd_engine *e, struct wd_sched_ent *ent,
		       const void *sqe, void *job);
	void (*complete)(struct wd_engine *e, struct wd_sched_ent *ent,
			 const void *sqe, u16 status, const void *job,
			 void *cqe);
	void (*vq_served)(struct wd_engine *e, struct wd_mdev_vq *vq);
};

/**
 * struct wd_engine - one engine, a kernel thread
 * @wdev: its device
 * @task: its kernel thread
 * @priv: the class driver's per-engine state (wd_engine_ops.priv_size)
 * @sqe: the request being served, wd_engine_ops.sqe_size bytes
 * @cqe: its completion, wd_engine_ops.cqe_size bytes
 * @job: the class's decoded request, wd_engine_ops.job_size bytes
 * @id: index in the device
 */
struct wd_engine {
	struct wd_engine_dev *wdev;
	struct task_struct *task;
	void *priv;
	void *sqe;
	void *cqe;
	void *job;
	unsigned int id;
};

/**
 * struct wd_engine_dev - the engines and scheduler of one device
 * @dev: the class driver's device: messages, the engines' thread names
 * @ops: the class driver's callbacks
 * @node: NUMA node of the device's memory and engines, or NUMA_NO_NODE
 * @nr_engines: engines (kernel threads)
 * @idle_us: how long an idle engine polls before it sleeps
 * @sched_lock: protects @active, @vclock, @nr_awake, @nr_busy,
 *	@flags_raised, the scheduling state of every queue (struct
 *	wd_sched_ent) and of its tenant (uacce_tenant.vtime), and the
 *	NEED_WAKEUP flag in the control page of every started hardware queue
 * @active: started queues, hardware and vfio-pci, in round-robin order
 * @vclock: the largest vtime of a tenant picked so far
 * @nr_awake: engines that are not asleep
 * @nr_busy: engines executing a request (the others awake watch the rings)
 * @flags_raised: NEED_WAKEUP may be raised on a queue
 * @engine_wq: sleeping engines
 * @kick: a doorbell rang since the last engine went to sleep
 * @engines: @nr_engines engines, while started
 * @need_wakeup: counter: times the device raised NEED_WAKEUP, for every
 *	started queue when its last awake engine went to sleep, or for one
 *	queue started while every engine slept
 * @sleeps: counter: times an engine went to sleep
 * @wakeups: counter: times an engine woke up
 * @pinned_now: counter: pages pinned at the moment (wd_dma_map_sva())
 * @pinned_total: counter: pages pinned since wd_engine_dev_init()
 * @inject_hw_error: requests still to fail with wd_status.hw_error (the
 *	debugfs knob, debugfs.c)
 */
struct wd_engine_dev {
	struct device *dev;
	const struct wd_engine_ops *ops;
	int node;
	unsigned int nr_engines;
	u32 idle_us;

	spinlock_t sched_lock;		/* protects the scheduling state */
	struct list_head active;
	u64 vclock;
	unsigned int nr_awake;
	unsigned int nr_busy;
	bool flags_raised;
	wait_queue_head_t engine_wq;
	atomic_t kick;

	struct wd_engine *engines;
	atomic64_t need_wakeup;
	atomic64_t sleeps;
	atomic64_t wakeups;
	atomic_long_t pinned_now;
	atomic64_t pinned_total;
	atomic_t inject_hw_error;
};

void wd_engine_dev_init(struct wd_engine_dev *wdev, struct device *dev,
			const struct wd_engine_ops *ops, int node,
			unsigned int nr_engines, u32 idle_us);
int wd_engines_start(struct wd_engine_dev *wdev);
void wd_engines_stop(struct wd_engine_dev *wdev);

void wd_engines_kick(struct wd_engine_dev *wdev);
void wd_sched_init(struct wd_sched_ent *ent, struct wd_ring *ring,
		   struct wd_mdev_vq *vq);
void wd_sched_start(struct wd_engine_dev *wdev, struct wd_sched_ent *ent,
		    struct uacce_tenant *tenant);
void wd_sched_stop(struct wd_engine_dev *wdev, struct wd_sched_ent *ent);
struct wd_sched_ent *wd_sched_claim(struct wd_engine_dev *wdev);
void wd_sched_unbusy(struct wd_engine_dev *wdev, struct wd_sched_ent *ent);
void wd_sched_release(struct wd_engine_dev *wdev, struct wd_sched_ent *ent,
		      u64 ns);
void wd_sched_set_awake(struct wd_engine_dev *wdev, bool awake);

/* ---- address translation (dma.c) ---- */

/**
 * struct wd_buf - one address range of a request, reachable by the engine
 * @kaddr: contiguous kernel mapping of byte 0 (SS region, tests), or NULL
 * @pages: the pinned pages (SVA, a VM's guest memory), or NULL
 * @reg: the registered region @pages belong to (a reference, dropped by
 *	wd_dma_unmap()), or NULL if they were pinned for the request
 * @offset: offset of byte 0 in pages[0]
 * @nr_pages: entries in @pages
 * @len: bytes
 * @write: pinned for writing
 */
struct wd_buf {
	u8 *kaddr;
	struct page **pages;
	struct wd_mem_reg *reg;
	unsigned int offset;
	unsigned int nr_pages;
	u32 len;
	bool write;
};

/**
 * struct wd_dma_range - an address range a request names
 * @addr: its first byte: a process virtual address with SVA, else a DMA
 *	address in the queue's SS region
 * @len: bytes, 0 for none
 * @write: the engine writes the range
 */
struct wd_dma_range {
	u64 addr;
	u32 len;
	bool write;
};

void *wd_buf_map(const struct wd_buf *buf, u32 pos, u32 *len);
void wd_buf_unmap(const struct wd_buf *buf, const void *addr);
void wd_buf_read(const struct wd_buf *buf, u32 pos, void *to, u32 len);
void wd_buf_write(const struct wd_buf *buf, u32 pos, const void *from,
		  u32 len);
int wd_dma_ss_range(const struct uacce_qfile_region *ss, u64 addr, u32 len,
		    bool write, struct wd_buf *buf);
unsigned int wd_dma_range_pages(u32 len);
int wd_dma_map_sva(struct wd_engine_dev *wdev, struct mm_struct *mm,
		   const bool *stopping, struct page **pages,
		   const struct wd_dma_range *r, struct wd_buf *const *bufs,
		   unsigned int n);
const struct uacce_qfile_region *wd_dma_ss_region(struct uacce_queue *uq);
int wd_dma_map_ss(const struct uacce_qfile_region *ss,
		  const struct wd_dma_range *r, struct wd_buf *const *bufs,
		  unsigned int n);
void wd_dma_unmap(struct wd_engine_dev *wdev, struct wd_buf *const *bufs,
		  unsigned int n);

/**
 * struct wd_dma_queue - how the requests of a hardware queue reach memory
 * @sva: the ranges are virtual addresses of the owner (SVA); else DMA
 *	addresses in the queue's static shared region
 * @mm: with @sva, the owner's address space, or NULL if it has none
 * @mem: with @sva, the queue's registered memory, or NULL if the class
 *	has none
 * @stopping: with @sva, the queue's wd_sched_ent.stopping (required): a
 *	request whose mapping waits for the owner's mmap_lock or a page's
 *	I/O is given up once it is set, so that stopping the queue never
 *	waits for the process
 * @uq: without @sva, the uacce queue whose SS region the ranges are in
 * @qid: the queue's index in its device, for messages
 */
struct wd_dma_queue {
	bool sva;
	struct mm_struct *mm;
	struct wd_mem_table *mem;
	const bool *stopping;
	struct uacce_queue *uq;
	u32 qid;
};

u16 wd_dma_map(struct wd_engine_dev *wdev, const struct wd_dma_queue *dq,
	       struct page **pages, const struct wd_dma_range *r,
	       struct wd_buf *const *bufs, unsigned int n);

/**
 * wd_dma_ranges_overlap() - whether two address ranges of a request overlap
 * @a: the first byte of one
 * @alen: its bytes, 0 for none
 * @b: the first byte of the other
 * @blen: its bytes, 0 for none
 *
 * A range that runs past the end of the address space ends there.
 *
 * Return: true if both are not empty and share a byte.
 */
static inline bool wd_dma_ranges_overlap(u64 a, u32 alen, u64 b, u32 blen)
{
	u64 aend = a + alen < a ? U64_MAX : a + alen;
	u64 bend = b + blen < b ? U64_MAX : b + blen;

	return alen && blen && a < bend && b < aend;
}

/* ---- the queues of vfio-pci instances (vq.c) ---- */

void *wd_vq_attach(struct wd_engine_dev *wdev, struct wd_mdev_vq *vq,
		   size_t size);
void wd_vq_detach(struct wd_engine_dev *wdev, struct wd_mdev_vq *vq,
		  void (*release)(void *state));
void wd_vq_add_range(struct wd_mdev_vfio_req *req, u64 iova, u32 len,
		     bool write);
void wd_vq_buf(const struct wd_mdev_vfio_req *req, unsigned int index,
	       struct wd_buf *buf);

/* ---- registered memory (mem.c) ---- */

/**
 * struct wd_mem_table - a queue's registered memory (WD_MEM_CMD_*)
 * @wdev: the device's engines
 * @lock: protects @regions: the engines look a request's range up under
 *	it, and take a reference on the region they find before dropping it
 * @change_lock: serialises the commits of registrations and
 *	unregistrations, and the release, so that a region checked against
 *	the others is the one inserted; held by the release while it waits
 *	for requests (a stopped queue has none), never by an engine, never
 *	while pinning (wd_mem_prepare() holds no lock) nor by UNREGISTER's
 *	wait (wd_mem_unregistered())
 * @regions: the registered regions, NULL for a free slot
 */
struct wd_mem_table {
	struct wd_engine_dev *wdev;
	spinlock_t lock;		/* protects regions; engines' lookups */
	struct mutex change_lock;	/* serialises commit/unregister */
	struct wd_mem_reg *regions[WD_MEM_MAX_REGIONS];
};

void wd_mem_init(struct wd_mem_table *t, struct wd_engine_dev *wdev);
void wd_mem_release(struct wd_mem_table *t);
int wd_dma_map_reg(struct wd_engine_dev *wdev, struct wd_mem_table *t,
		   struct mm_struct *mm, const bool *stopping,
		   struct page **pages, const struct wd_dma_range *r,
		   struct wd_buf *const *bufs, unsigned int n);

/* ---- a class's device: hardware queues, uacce, engines ---- */

struct platform_device;
struct wd_accel;
struct wd_mdev_type_table;

/**
 * struct wd_hwq - one hardware queue of a device (queue.c)
 * @accel: the device
 * @qid: index in the device
 * @mmio: the register page, one page of the kernel's direct map
 * @ring: the DUS region (control page, SQ, CQ) and the device's ring
 *	indices, which belong to the engine that has claimed the queue, or
 *	to the uacce callbacks while the queue is stopped
 * @uq: the uacce queue owning this hardware queue, NULL when free
 * @ent: its scheduling state
 * @mm: SVA: the owner's address space, grabbed while started
 * @mem: its registered memory (mem.c), released with the queue
 *
 * The first member of the class's queue (wd_accel_ops.queue_size).  Like
 * the queues of a real device, they all exist from probe to remove and
 * are handed to one uacce queue at a time.  @uq is protected by
 * wd_accel.alloc_lock.
 */
struct wd_hwq {
	struct wd_accel *accel;
	u32 qid;
	void *mmio;
	struct wd_ring ring;

	struct uacce_queue *uq;

	struct wd_sched_ent ent;
	struct mm_struct *mm;
	struct wd_mem_table mem;
};

/**
 * struct wd_accel_ops - what a device class adds to the framework's device
 * @name: uacce's name of the class: nodes are /dev/<name>-<id>, and the
 *	prefix of the module's messages
 * @api_ver: uacce's api attribute
 * @engine_ops: the class's part of the engines, whose @sqe_size and
 *	@cqe_size are the entry sizes of the rings too
 * @mdev_types: what an admin can carve a device into (wd_mdev)
 * @cap_sva: the class's CAPS bit for SVA, added to wd_accel.caps when
 *	uacce grants SVA
 * @status_offset: offset of struct uacce_queue_status in the control page
 * @queue_size: bytes of the class's hardware queue, whose first member is
 *	its struct wd_hwq
 * @queue_init: optional: allocate the class's part of @q (vcrypt: its key
 *	slots), before the registers are written; 0 or -ENOMEM
 * @queue_fini: optional: free the class's part of @q when the device goes,
 *	or when the probe fails: called for every queue whose set-up began,
 *	its part still zeroed where @queue_init did not get to
 * @write_regs: write the register page of @q, at probe and for each new
 *	owner
 * @queue_release: optional: forget what the owner left in the class's
 *	part of @q (vcrypt wipes its key slots): called when the queue is
 *	handed back, after its rings are reset and its registers rewritten,
 *	before it is free
 */
struct wd_accel_ops {
	const char *name;
	const char *api_ver;
	const struct wd_engine_ops *engine_ops;
	const struct wd_mdev_type_table *mdev_types;
	u32 cap_sva;
	u32 status_offset;
	size_t queue_size;
	int (*queue_init)(struct wd_hwq *q);
	void (*queue_fini)(struct wd_hwq *q);
	void (*write_regs)(struct wd_hwq *q);
	void (*queue_release)(struct wd_hwq *q);
};

/**
 * struct wd_accel - the framework's part of a class's device
 * @ops: the class's part
 * @uacce: the uacce device
 * @eng: the engines and their scheduler
 * @caps: the CAPS register: the class's bits, and @ops->cap_sva with SVA
 * @sva: requests carry virtual addresses of the owner (uacce granted
 *	SVA); else DMA addresses in the queue's SS region
 * @nr_queues: hardware queues
 * @ring_depth: entries per ring
 * @ctx_size: bytes of a stream context (queue_info), 0 for none
 * @queues: @nr_queues hardware queues of @ops->queue_size bytes each
 * @alloc_lock: protects wd_hwq.uq of every queue, which says whether the
 *	queue is free: get_queue and put_queue hand queues out and back
 *	under it, get_available_instances counts the free ones
 * @doorbells: counter: UACCE_CMD_WAKE_Q calls
 *
 * Embedded in the class's device; wd_accel_probe() sets it up.
 */
struct wd_accel {
	const struct wd_accel_ops *ops;
	struct uacce_device *uacce;
	struct wd_engine_dev eng;
	u32 caps;
	bool sva;
	u32 nr_queues;
	u32 ring_depth;
	u32 ctx_size;

	void *queues;
	struct mutex alloc_lock;	/* protects wd_hwq.uq: which are free */
	atomic64_t doorbells;
};

/**
 * struct wd_accel_config - a device's geometry, for wd_accel_probe()
 * @nr_queues: hardware queues
 * @nr_engines: engines (kernel threads)
 * @ring_depth: entries per ring, a power of two
 * @idle_us: how long an idle engine polls before it sleeps
 * @ss_size: bytes of a queue's SS region without SVA, whole pages
 * @ctx_size: bytes of a stream context, 0 for none
 * @caps: the class's bits of the CAPS register
 * @sva: ask uacce for SVA
 * @algs: uacce's algs attribute, which lives as long as the device
 *
 * The class has checked it.
 */
struct wd_accel_config {
	u32 nr_queues;
	u32 nr_engines;
	u32 ring_depth;
	u32 idle_us;
	u32 ss_size;
	u32 ctx_size;
	u32 caps;
	bool sva;
	const char *algs;
};

int wd_accel_probe(struct wd_accel *a, struct device *dev,
		   const struct wd_accel_ops *ops,
		   const struct wd_accel_config *cfg);

/**
 * struct wd_accel_geometry - what a class's device is made of
 * @nr_queues: hardware queues
 * @nr_engines: engines (kernel threads)
 * @ring_depth: SQ and CQ entries, a power of two
 * @max_len: largest src_len and dst_len
 * @ss_size: bytes of the SS region of a queue without SVA
 * @idle_us: how long an idle engine polls before it sleeps
 * @sva: descriptors carry process virtual addresses: SVA, asked of uacce,
 *	which may refuse it (wd_accel.sva says what the device does)
 *
 * A class module's parameters, or the platform data of a device a test
 * creates; checked by wd_accel_geometry_check().
 */
struct wd_accel_geometry {
	u32 nr_queues;
	u32 nr_engines;
	u32 ring_depth;
	u32 max_len;
	u32 ss_size;
	u32 idle_us;
	bool sva;
};

/**
 * struct wd_accel_limits - the bounds of a class's geometry
 * @name: the class, for the messages
 * @queues_max: most hardware queues
 * @engines_max: most engines
 * @ring_depth_min: smallest ring
 * @ring_depth_max: largest ring
 * @max_len_limit: largest max_len, and largest SS region
 * @idle_us_max: longest idle poll
 */
struct wd_accel_limits {
	const char *name;
	u32 queues_max;
	u32 engines_max;
	u32 ring_depth_min;
	u32 ring_depth_max;
	u32 max_len_limit;
	u32 idle_us_max;
};

int wd_accel_geometry_check(const struct wd_accel_limits *lim,
			    const struct wd_accel_geometry *geo);
void wd_accel_remove(struct wd_accel *a);

/**
 * struct wd_accel_pdevs - the platform devices a class module creates
 * @pdevs: @nr devices, for module exit; not touched between
 * @nr: devices created
 */
struct wd_accel_pdevs {
	struct platform_device **pdevs;
	unsigned int nr;
};

struct platform_device *wd_accel_pdev_add(const char *name, int id,
					  const void *data, size_t size,
					  int node);
int wd_accel_pdevs_add(struct wd_accel_pdevs *p, const char *name,
		       unsigned int nr);
void wd_accel_pdevs_del(struct wd_accel_pdevs *p);

/* ---- sealing of what the device keeps in user memory (seal.c) ---- */

void wd_seal_key_init(siphash_key_t *key);
u64 wd_seal(const siphash_key_t *key, void *data, size_t len,
	    size_t tag_offset);

/* ---- debugfs (debugfs.c) ---- */

void wd_engine_debugfs_add(struct wd_engine_dev *wdev, struct dentry *dir);
void wd_engine_debugfs_show(struct wd_engine_dev *wdev, struct seq_file *m);

#endif /* _LINUX_WD_ENGINE_H */
