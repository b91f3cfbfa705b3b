/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * WarpDrive uacce: kernel API for accelerator drivers.
 *
 * Source compatible with mainline Linux's uacce driver API: a driver
 * allocates a uacce_device with uacce_alloc(), fills in algs, api_ver,
 * qf_pg_num[] and priv, calls uacce_register(), and uacce_remove() when
 * its parent device goes away.  WarpDrive adds the static shared region,
 * queue info, engine wake-up, driver-side address translation for
 * software and device-MMU engines (UACCE_CAP_OWN_TRANSLATION),
 * core-managed error isolation, a queue budget that other users of a
 * device's queues reserve from, and an interface through which one
 * optional module extends registered devices (struct uacce_extension).
 *
 * Documentation/uacce.rst describes the locking and the lifecycle.
 */
#ifndef _LINUX_UACCE_H
#define _LINUX_UACCE_H

#include <linux/atomic.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <uapi/misc/uacce/uacce.h>

#define UACCE_NAME		"uacce"
#define UACCE_MAX_REGION	UACCE_QFRT_NR
#define UACCE_MAX_NAME_SIZE	64
#define UACCE_MAX_ERR_THRESHOLD	65535

struct uacce_queue;
struct uacce_device;
struct uacce_isolation;
struct iommu_sva;
struct mm_struct;
struct vm_area_struct;

/**
 * struct uacce_qfile_region - a mapped region of a queue
 * @type: region type
 * @kaddr: UACCE_QFRT_SS only: kernel address of the memory the core allocated
 * @dma: UACCE_QFRT_SS only: its DMA address for the parent device
 * @size: UACCE_QFRT_SS only: its size in bytes
 * @nr_vmas: VMAs mapping the region (the core's, changed under q->mutex;
 *	drivers read it only through uacce_qfr_mapped())
 *
 * The core allocates a region at mmap() and frees it when its last VMA is
 * closed.  Its pages are mapped one fault at a time (struct uacce_ops'
 * region_pfn for MMIO and DUS), never by mmap() itself.  An SS region
 * whose queue is started when it is unmapped keeps its memory, unmapped,
 * until the queue stops: the device may still be using it.
 */
struct uacce_qfile_region {
	enum uacce_qfrt type;
	void *kaddr;
	dma_addr_t dma;
	size_t size;
	unsigned int nr_vmas;
};

/**
 * uacce_qfr_mapped() - whether user space still maps a region
 * @qfr: the region
 *
 * An SS region unmapped while its queue runs keeps its memory for the
 * requests in flight; a new request must not reach it.  Lockless: a
 * request that races the munmap() may see either answer.
 *
 * Return: true while a VMA maps @qfr.
 */
static inline bool uacce_qfr_mapped(const struct uacce_qfile_region *qfr)
{
	return READ_ONCE(qfr->nr_vmas) != 0;
}

/* The largest argument of a driver's command: the core copies it. */
#define UACCE_IOCTL_ARG_MAX	64

/**
 * struct uacce_ioctl - one of a driver's ioctl commands
 * @cmd: its number.  Its argument is _IOC_SIZE(@cmd) bytes, at most
 *	UACCE_IOCTL_ARG_MAX: the core copies it in before the command runs
 *	(for _IOC_WRITE; zeroes otherwise) and out after it (for _IOC_READ,
 *	when it succeeded), holding no lock, so that an argument on memory
 *	that faults slowly (FUSE, userfaultfd) never holds up
 *	uacce_remove().
 * @func: runs the command on the kernel's copy @arg, with q->state_lock
 *	held; it must not touch user memory through the argument.
 * @prepare: optional, with @commit and @finish, for a command with a slow
 *	first part, such as pinning the caller's memory, which must not hold
 *	up uacce_remove() either: its first step, run on @arg with no lock
 *	held.  The device may be removed meanwhile, so it may use @q->mm,
 *	@q->uacce (its flags, its device for messages) and @arg, but not
 *	@q->priv nor anything else of the driver's device.  It returns what
 *	@commit takes, or an ERR_PTR() (the command's result).
 * @commit: instead of @func, the step under q->state_lock, called only if
 *	the queue is still usable, on *@prep as @prepare made it (NULL
 *	without @prepare): returns >= 0 or a negative errno, the command's
 *	result.  When it succeeds it takes *@prep over and sets *@prep to
 *	what @finish takes (what it took away from the device, for
 *	instance), or NULL; when it fails it leaves *@prep alone.
 * @finish: the last step, with no lock held, run after every @commit, or
 *	in its stead when the device was removed first (once @prepare, if
 *	any, succeeded), on *@prep as @commit left it: @ret is @commit's
 *	result, or -ENXIO.  It undoes @prepare when @ret < 0; after a
 *	commit, it may do the command's slow end (waiting for the requests
 *	that use what @commit took away) without holding up uacce_remove().
 *	As @prepare, it must not use @q->priv nor the driver's device.  The
 *	command's result is @ret.
 *
 * A command has either @func, or @commit and @finish, with @prepare if it
 * has a slow first part.  From the first step to @finish the core holds a
 * reference on the ops' owner module.  The argument has one layout for
 * 32-bit and 64-bit callers (there is no compat hook).  A _IOC_READ
 * command whose result cannot be copied out returns -EFAULT, its effects
 * done.  Commands are unique, and none is one of the core's (UACCE_CMD_*):
 * uacce_alloc() refuses such a table.
 */
struct uacce_ioctl {
	unsigned int cmd;
	long (*func)(struct uacce_queue *q, void *arg);
	void *(*prepare)(struct uacce_queue *q, void *arg);
	long (*commit)(struct uacce_queue *q, void *arg, void **prep);
	void (*finish)(struct uacce_queue *q, void *prep, long ret);
};

/**
 * struct uacce_ops - driver callbacks
 * @owner: the module of these callbacks (THIS_MODULE): held while a
 *	command's steps run without the core's locks (struct uacce_ioctl)
 * @get_available_instances: number of queues that can still be allocated.
 *	Called from sysfs with no core lock held.
 * @get_queue: allocate a hardware queue for @q; @arg is the PASID (IOMMU
 *	SVA) or 0.  Set @q->priv, and @q->status if the queue has a status
 *	word.  Return -EBUSY when no queue is free.  Called with
 *	uacce->mutex held, after @bind_mm; @q->node and @q->mm are set.
 * @put_queue: free the queue; called once, after stop_queue if it was
 *	started, with uacce->mutex and q->state_lock held.
 * @start_queue: make the queue process requests (q->state_lock held)
 * @stop_queue: stop the queue: no request is in flight when it returns
 *	(q->state_lock held; may wait for the engine)
 * @is_q_updated: nonzero when completions are ready (poll; q->state_lock
 *	held)
 * @region_pfn: the page frame of page @pgoff of region @type (MMIO or
 *	DUS; the core maps SS) of @q, for a fault on its mapping.  @pgoff is
 *	below the region's qf_pg_num.  Called under the mmap_lock (for
 *	reading) with q->mutex held, only while the queue is usable: it
 *	must not sleep, wait for the engine or take locks held around
 *	uacce_remove().  Return 0, or a negative errno (logged by the driver;
 *	the access gets SIGBUS).
 * @ioctls: the driver's own commands (struct uacce_ioctl), @num_ioctls of
 *	them; any other command the core does not know is -EINVAL
 * @num_ioctls: entries in @ioctls
 * @queue_info: fill in the device-defined fields of struct uacce_queue_info
 *	(qid, status_offset, ring_depth, sqe_size, cqe_size, ctx_size);
 *	q->state_lock held
 * @wake_queue: UACCE_CMD_WAKE_Q: wake the engine serving @q; must not
 *	block.  Called only for a started queue, with q->state_lock held.
 * @bind_mm: optional, only for a device with UACCE_CAP_OWN_TRANSLATION
 *	that has something to set up for an address space (a device MMU's
 *	context): called at open when the device has UACCE_DEV_SVA.  @mm is
 *	grabbed (mmgrab) by the core for the queue's lifetime; take
 *	mmget_not_zero() before touching it.  uacce->mutex held.
 * @unbind_mm: undo @bind_mm, after put_queue
 * @isolate_changed: optional: the core isolated the device after too many
 *	hardware errors (from a workqueue, uacce->mutex held)
 *
 * After uacce_remove() returns no callback is called again, so the driver
 * module may be unloaded while files of its queues are still open.
 */
struct uacce_ops {
	struct module *owner;
	int (*get_available_instances)(struct uacce_device *uacce);
	int (*get_queue)(struct uacce_device *uacce, unsigned long arg,
			 struct uacce_queue *q);
	void (*put_queue)(struct uacce_queue *q);
	int (*start_queue)(struct uacce_queue *q);
	void (*stop_queue)(struct uacce_queue *q);
	int (*is_q_updated)(struct uacce_queue *q);
	int (*region_pfn)(struct uacce_queue *q, enum uacce_qfrt type,
			  unsigned long pgoff, unsigned long *pfn);
	const struct uacce_ioctl *ioctls;
	unsigned int num_ioctls;
	void (*queue_info)(struct uacce_queue *q, struct uacce_queue_info *info);
	void (*wake_queue)(struct uacce_queue *q);
	int (*bind_mm)(struct uacce_queue *q, struct mm_struct *mm);
	void (*unbind_mm)(struct uacce_queue *q);
	void (*isolate_changed)(struct uacce_device *uacce, bool isolated);
};

/*
 * Capabilities a driver declares in uacce_interface.caps.  Kernel-internal:
 * unlike the UACCE_DEV_* flags of the UAPI, user space never sees them.
 *
 * UACCE_CAP_OWN_TRANSLATION: the device translates process virtual
 * addresses itself, as a device MMU or a software engine working in the
 * opener's address space does.  With UACCE_DEV_SVA it keeps SVA without
 * the IOMMU: at open the core grabs the opener's mm into q->mm and calls
 * bind_mm, if the driver has one, instead of binding a PASID.  Without
 * this capability SVA is the IOMMU's, and bind_mm and unbind_mm must be
 * NULL.
 */
#define UACCE_CAP_OWN_TRANSLATION	BIT(0)
#define UACCE_CAP_ALL			UACCE_CAP_OWN_TRANSLATION

/**
 * struct uacce_interface - what a driver registers
 * @name: device name prefix: nodes are /dev/<name>-<id>
 * @flags: UACCE_DEV_* wanted; uacce_alloc() clears what cannot be had
 * @caps: UACCE_CAP_* the device has
 * @ops: callbacks
 * @dma_dev: optional: the device that does the queues' DMA when it is not
 *	the parent, as for a device that is a slice of another accelerator,
 *	whose parent is the slice's own device.  SS memory, IOMMU SVA
 *	binding and the NUMA node then come from @dma_dev, and
 *	UACCE_DEV_SVA in @flags is taken as already negotiated for it.
 * @isolation_parent: optional: the accelerator whose hardware this
 *	device's queues are.  The device is isolated when @isolation_parent
 *	is (at once if it already is).  It is referenced until
 *	uacce_remove() of this device.
 */
struct uacce_interface {
	char name[UACCE_MAX_NAME_SIZE];
	unsigned int flags;
	unsigned int caps;
	const struct uacce_ops *ops;
	struct device *dma_dev;
	struct uacce_device *isolation_parent;
};

/**
 * struct uacce_tenant - whose engine time a queue's requests are
 * @weight: its share of the device's engine time, relative to the other
 *	tenants', UACCE_WEIGHT_MIN to UACCE_WEIGHT_MAX; written by its owner
 *	at any time (WRITE_ONCE), read by the driver's scheduler (READ_ONCE)
 * @engine_ns: engine time the driver's scheduler charged to it
 * @vtime: the driver's scheduler's, under its lock: engine time scaled by
 *	UACCE_WEIGHT_DEFAULT / @weight
 *
 * Each queue opened on a device is a tenant of its own
 * (uacce_queue.own_tenant); the queues of a device with a tenant
 * (uacce_device.tenant) all share it, and a driver may serve queues that
 * are not uacce queues, such as a virtual function's, as a tenant too.
 */
struct uacce_tenant {
	unsigned int weight;
	atomic64_t engine_ns;
	u64 vtime;
};

/**
 * uacce_tenant_init() - a tenant of the default weight
 * @t: the tenant
 */
static inline void uacce_tenant_init(struct uacce_tenant *t)
{
	t->weight = UACCE_WEIGHT_DEFAULT;
	atomic64_set(&t->engine_ns, 0);
	t->vtime = 0;
}

enum uacce_dev_state {
	UACCE_DEV_NORMAL,
	UACCE_DEV_ISOLATE,
};

enum uacce_q_state {
	UACCE_Q_ZOMBIE = 0,
	UACCE_Q_INIT,
	UACCE_Q_STARTED,
};

/**
 * struct uacce_queue - one open of a uacce device
 * @uacce: the device
 * @priv: driver data, set by get_queue
 * @wait: woken by uacce_wake_up() when completions arrive (poll)
 * @list: entry in uacce->queues
 * @qfrs: mapped regions, NULL when not mapped
 * @mutex: protects @qfrs and the SS memory; taken by mmap(), by VMA
 *	callbacks and by faults, that is under the mmap_lock, so it is never
 *	held while copying user memory or waiting for the engine
 * @state_lock: serialises the queue's state changes and every call into
 *	the driver for this queue except region_pfn and a command's prepare
 *	and finish steps; the core never takes a process's mmap_lock under
 *	it (it comes before @mutex).  uacce_remove() takes it, so ioctl
 *	arguments are copied outside it
 * @status_lock: serialises writers of @status and @status_state; an
 *	irq-safe spinlock so uacce_queue_set_status() works in any context
 * @state: UACCE_Q_*; written with both @state_lock and @mutex held, so
 *	either lock is enough to read it
 * @revoked: the device is being removed: the queue accepts no new use
 *	(written like @state)
 * @pasid: PASID when bound with IOMMU SVA
 * @handle: IOMMU SVA binding
 * @mm: address space the queue was opened in (SVA devices), grabbed
 * @mapping: the file's address space, zapped on device removal
 * @status: driver-provided kernel address of the queue's status word in
 *	its DUS memory, or NULL; the core publishes state changes there
 *	until put_queue
 * @status_state: last UACCE_QSTATE_* published; UACCE_QSTATE_DEAD is final
 * @node: NUMA node the queue's memory should come from
 * @tenant: whose engine time its requests are: uacce_device.tenant, or
 *	@own_tenant; removal of the device switches it to @own_tenant
 *	(under @state_lock), since the device's tenant may go with it
 * @own_tenant: the queue's own, when its device has no tenant
 */
struct uacce_queue {
	struct uacce_device *uacce;
	void *priv;
	wait_queue_head_t wait;
	struct list_head list;
	struct uacce_qfile_region *qfrs[UACCE_MAX_REGION];
	/* protects qfrs and SS memory; taken under mmap_lock */
	struct mutex mutex;
	/* serialises state changes and driver calls; no mmap_lock under it */
	struct mutex state_lock;
	/* serialises writers of the status word; irq-safe */
	spinlock_t status_lock;
	enum uacce_q_state state;
	bool revoked;
	u32 pasid;
	struct iommu_sva *handle;
	struct mm_struct *mm;
	struct address_space *mapping;
	struct uacce_queue_status *status;
	u32 status_state;
	int node;
	struct uacce_tenant *tenant;
	struct uacce_tenant own_tenant;
};

/**
 * struct uacce_device - an accelerator registered with uacce
 * @algs: supported algorithms, newline separated
 * @api_ver: user-space protocol version string
 * @ops: driver callbacks; NULL after uacce_remove()
 * @qf_pg_num: pages per region (0: region absent)
 * @parent: the parent device; NULL after uacce_remove()
 * @is_vf: the parent is a virtual function
 * @flags: UACCE_DEV_* in effect
 * @caps: UACCE_CAP_* of the interface
 * @dev_id: device number (minor and name suffix)
 * @cdev: the char device, NULL until uacce_register() succeeded
 * @dev: the class device
 * @mutex: protects @queues, and @ops and @parent against removal; open(),
 *	release() and uacce_remove() hold it
 * @priv: driver data
 * @queues: open queues
 * @isolation: error isolation state, private to the core
 * @iommu_sva: the core enabled IOMMU SVA on @parent (undone on removal)
 * @dma_dev: the device doing the queues' DMA: @parent, or the interface's
 *	dma_dev; NULL after uacce_remove()
 * @nr_queues: optional, set before uacce_register(): how many queues the
 *	device can have open at once, counted by the core, which then fails
 *	open() with -EBUSY beyond it and lets uacce_reserve_queues() set
 *	queues aside; 0 leaves the limit to the driver's get_queue
 * @free_queues: @nr_queues minus the open queues and the reserved ones
 * @ext_info: optional, set before uacce_register(): what the driver tells
 *	an extension (struct uacce_extension) about the device, in a format
 *	that extension's header defines; the core only passes it on.  Only
 *	a device with it is offered to the extension
 * @ext_priv: the extension's, what its attach returned, until its detach;
 *	NULL while the device is not attached
 * @ext_node: entry in the core's list of registered devices with
 *	@ext_info (private to the core)
 * @tenant: optional, set before uacce_register(): the tenant every queue
 *	opened on the device is; NULL, each queue is a tenant of its own
 */
struct uacce_device {
	const char *algs;
	const char *api_ver;
	const struct uacce_ops *ops;
	unsigned long qf_pg_num[UACCE_MAX_REGION];
	struct device *parent;
	bool is_vf;
	u32 flags;
	u32 caps;
	u32 dev_id;
	struct cdev *cdev;
	struct device dev;
	/* protects queues, ops and parent against removal */
	struct mutex mutex;
	void *priv;
	struct list_head queues;
	struct uacce_isolation *isolation;
	bool iommu_sva;
	struct device *dma_dev;
	unsigned int nr_queues;
	atomic_t free_queues;
	const void *ext_info;
	void *ext_priv;
	struct list_head ext_node;
	struct uacce_tenant *tenant;
};

/**
 * struct uacce_extension - an optional module that extends devices
 * @name: for messages
 * @attach: extend @uacce, a registered device with ext_info, which the
 *	extension interprets.  Return its state for the device, non-NULL,
 *	which the core keeps in @uacce->ext_priv, or an ERR_PTR: the device
 *	then works on without the extension.
 * @detach: undo @attach; @priv is what it returned.  Called when @uacce
 *	is being removed, at the start of uacce_remove() while the device
 *	and its ops are intact, or when the extension unregisters.
 *
 * Both are called with the core's extension lock held, which serialises
 * them with each other and with uacce_extension_register() and
 * uacce_extension_unregister().  Only devices with ext_info take that
 * lock, so the extension may register and remove uacce devices of its
 * own from its callbacks, provided they have no ext_info.
 */
struct uacce_extension {
	const char *name;
	void *(*attach)(struct uacce_device *uacce);
	void (*detach)(struct uacce_device *uacce, void *priv);
};

struct uacce_device *uacce_alloc(struct device *parent,
				 struct uacce_interface *interface);
int uacce_register(struct uacce_device *uacce);
void uacce_remove(struct uacce_device *uacce);
void uacce_wake_up(struct uacce_queue *q);
void uacce_report_hw_error(struct uacce_device *uacce);
bool uacce_is_isolated(struct uacce_device *uacce);
void uacce_queue_set_status(struct uacce_queue *q, u32 state, u32 reason);
int uacce_reserve_queues(struct uacce_device *uacce, unsigned int n);
void uacce_unreserve_queues(struct uacce_device *uacce, unsigned int n);
int uacce_extension_register(const struct uacce_extension *ext);
void uacce_extension_unregister(const struct uacce_extension *ext);

/**
 * uacce_free_queues() - queues neither open nor reserved
 * @uacce: a registered device with nr_queues
 *
 * Return: the number, which may change as soon as it is read.
 */
static inline unsigned int uacce_free_queues(struct uacce_device *uacce)
{
	return atomic_read(&uacce->free_queues);
}

#endif /* _LINUX_UACCE_H */
