/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vfio-pci personality of wd_mdev (not an API): an instance is a VFIO
 * device with an emulated PCI function, include/uapi/misc/uacce/wd_pci.h,
 * that a VMM assigns to a guest.  One responsibility per file:
 *
 *	vfio_pci.c	the personality and the VFIO device: lifecycle,
 *			regions, ioctls, interrupts, reset, removal
 *	vfio_config.c	the PCI configuration space
 *	vfio_queue.c	BAR0 registers, the queues, serving their requests
 *	vfio_dma.c	guest memory: ring accesses, pinning, dma_unmap
 *	vfio_migration.c VFIO migration v2: the states, their arcs, the
 *			device state stream and the compatibility attributes
 */
#ifndef _WD_MDEV_VFIO_PCI_H
#define _WD_MDEV_VFIO_PCI_H

#include <linux/pci_regs.h>
#include <linux/spinlock.h>
#include <linux/vfio.h>
#include <linux/wait.h>
#include <linux/wd_mdev.h>
#include <uapi/misc/uacce/wd_pci.h>

#include "internal.h"

#define WD_VFIO_CONFIG_SIZE	PCI_CFG_SPACE_SIZE
#define WD_VFIO_MSI_CAP		0x40
/* unmapped ranges remembered until the VMM rings a doorbell */
#define WD_VFIO_UNMAPPED	4

struct eventfd_ctx;
struct wd_vfio;
struct wd_vfio_migf;

/**
 * struct wd_vfio_queue - one queue of the function
 * @v: the function
 * @index: its number in the function
 * @vq: what the driver's engines serve, attached while the device is open
 * @pages: room for the pinned pages of each range of a request
 * @sq_base: register SQ_BASE
 * @cq_base: register CQ_BASE
 * @depth: register DEPTH
 * @ctrl: register CTRL
 * @sq_tail: register SQ_TAIL, as last accepted
 * @sq_head: register SQ_HEAD
 * @cq_tail: register CQ_TAIL
 * @cq_head: register CQ_HEAD
 * @halted: stopped by a ring error until disabled
 * @error: register ERROR
 * @err_iova: register ERR_IOVA
 * @serving: an engine is in @vq's serve past its first check: stopping
 *	the queue waits (wd_vfio.idle_wq) for it to clear
 * @req: the request in flight, from decode to unpinning, or NULL
 * @abort: the request in flight must stop (read without the lock)
 *
 * Everything but @vq and @pages is protected by wd_vfio.reg_lock.
 */
struct wd_vfio_queue {
	struct wd_vfio *v;
	unsigned int index;
	struct wd_mdev_vq vq;
	struct page **pages[WD_MDEV_VFIO_MAX_RANGES];

	u64 sq_base;
	u64 cq_base;
	u32 depth;
	u32 ctrl;
	u32 sq_tail;
	u32 sq_head;
	u32 cq_tail;
	u32 cq_head;
	bool halted;
	u32 error;
	u64 err_iova;

	bool serving;
	struct wd_mdev_vfio_req *req;
	bool abort;
};

/**
 * struct wd_vfio_mig_queue - a queue's registers in the migration stream
 * @sq_base: SQ_BASE
 * @cq_base: CQ_BASE
 * @err_iova: ERR_IOVA
 * @depth: DEPTH
 * @ctrl: CTRL
 * @sq_tail: SQ_TAIL
 * @sq_head: SQ_HEAD
 * @cq_tail: CQ_TAIL
 * @cq_head: CQ_HEAD
 * @error: ERROR
 * @halted: 1 if halted by a ring error
 *
 * Requests between SQ_HEAD and SQ_TAIL are in the guest's ring, not here:
 * the destination executes them.  None is half done: the queues are
 * quiesced before the state is saved.
 */
struct wd_vfio_mig_queue {
	__le64 sq_base;
	__le64 cq_base;
	__le64 err_iova;
	__le32 depth;
	__le32 ctrl;
	__le32 sq_tail;
	__le32 sq_head;
	__le32 cq_tail;
	__le32 cq_head;
	__le32 error;
	__le32 halted;
};

enum wd_vfio_irq_type {
	WD_VFIO_IRQ_NONE,
	WD_VFIO_IRQ_INTX,
	WD_VFIO_IRQ_MSI,
};

/**
 * struct wd_vfio - a vfio-pci instance
 * @vfio_dev: the VFIO device (first: vfio_alloc_device() wants it at 0)
 * @inst: the instance
 * @accel: the accelerator
 * @ops: the driver's part
 * @info: the function's identity and limits
 * @nr_queues: queues of the function: the instance's reservation
 * @nr_msi: MSI vectors the function offers, a power of 2
 * @lock: serialises the VMM's use of the device (open, close, region
 *	accesses, ioctls) with removal: every change of state but the work
 *	items' progress
 * @config: the configuration space (under @lock)
 * @wmask: its bits a write may change
 * @reg_lock: protects the registers shared with the engines (the
 *	queues', @irq_status, @bus_master, @gone) and the interrupt state
 *	below, and the unmapped ranges; the engines never take @lock
 * @irq_status: register IRQ_STATUS
 * @bus_master: the command register lets the function do DMA
 * @intx_disabled: the command register disables INTx
 * @gone: the host is removing the function: no more DMA
 * @open: the device is open: the engines may serve its queues
 * @irq_type: the interrupts the VMM enabled
 * @nr_msi_enabled: MSI vectors enabled
 * @msi: their eventfds
 * @intx: the INTx eventfd
 * @intx_masked: INTx is masked (automasked when signalled)
 * @err_trigger: the VFIO error interrupt's eventfd
 * @req_trigger: the VFIO request interrupt's eventfd
 * @quiesced: migration: the queues execute nothing (RUNNING_P2P and the
 *	stopped states); doorbells are still taken (under @reg_lock)
 * @frozen: migration: BAR0 takes no writes and INTx is not signalled
 *	(STOP, STOP_COPY, RESUMING; under @reg_lock; set under @lock too,
 *	so that a BAR0 write under way ends first)
 * @state_mutex: serialises the migration state, its arcs and its files;
 *	taken before @lock.  A reset, which holds @lock, only tries it and
 *	otherwise leaves its part to the holder (@deferred_reset)
 * @mig_state: the migration state, enum vfio_device_mig_state
 * @saving: the STOP_COPY data file, or NULL
 * @resuming: the RESUMING data file, or NULL
 * @reset_lock: protects @deferred_reset
 * @deferred_reset: a reset came while @state_mutex was held: its holder
 *	returns the migration state to RUNNING before it unlocks
 * @unmapped: ranges the VMM unmapped since its last doorbell, [start, end)
 * @nr_unmapped: entries of @unmapped
 * @unmapping: dma_unmap calls whose VFIO_IOMMU_UNMAP_DMA has not returned
 *	(their task work pending; removal waits for it)
 * @idle_wq: dma_unmap waits here for requests in flight to unpin, and
 *	stopping a queue for its engine to leave it
 * @pinned: pages pinned now, for the messages and the tests
 * @queues: the queues
 */
struct wd_vfio {
	struct vfio_device vfio_dev;
	struct wd_mdev_instance *inst;
	struct uacce_device *accel;
	const struct wd_mdev_vfio_ops *ops;
	struct wd_mdev_vfio_info info;
	unsigned int nr_queues;
	unsigned int nr_msi;

	struct mutex lock;	/* serialises the VMM's use and removal */
	u8 config[WD_VFIO_CONFIG_SIZE];
	u8 wmask[WD_VFIO_CONFIG_SIZE];

	spinlock_t reg_lock;	/* registers shared with the engines */
	u32 irq_status;
	bool bus_master;
	bool intx_disabled;
	bool gone;
	bool open;
	enum wd_vfio_irq_type irq_type;
	unsigned int nr_msi_enabled;
	struct eventfd_ctx *msi[WD_PCI_MAX_QUEUES];
	struct eventfd_ctx *intx;
	bool intx_masked;
	struct eventfd_ctx *err_trigger;
	struct eventfd_ctx *req_trigger;
	bool quiesced;
	bool frozen;
	/*
	 * closer_work is queued on the task that closed the device and has
	 * not run yet; removal waits for it, so @v outlives it.
	 */
	bool closer_pending;
	struct callback_head closer_work;
	/* !open && !closer_pending && !unmapping */
	wait_queue_head_t closed_wq;

	struct mutex state_mutex;	/* migration state, arcs and files */
	enum vfio_device_mig_state mig_state;
	struct wd_vfio_migf *saving;
	struct wd_vfio_migf *resuming;
	spinlock_t reset_lock;		/* deferred_reset */
	bool deferred_reset;

	struct {
		u64 start, end;
	} unmapped[WD_VFIO_UNMAPPED];
	unsigned int nr_unmapped;
	unsigned int unmapping;
	wait_queue_head_t idle_wq;
	atomic_long_t pinned;
	struct wd_vfio_queue queues[WD_PCI_MAX_QUEUES];
};

static inline struct wd_vfio *to_wd_vfio(struct vfio_device *vfio_dev)
{
	return container_of(vfio_dev, struct wd_vfio, vfio_dev);
}

static inline struct device *wd_vfio_dev(struct wd_vfio *v)
{
	return mdev_dev(v->inst->mdev);
}

/* vfio_irq.c */
void wd_vfio_irq_raise(struct wd_vfio *v, unsigned int queue);
void wd_vfio_intx_update(struct wd_vfio *v);
long wd_vfio_ioctl_set_irqs(struct wd_vfio *v, void __user *arg);
long wd_vfio_ioctl_irq_info(struct wd_vfio *v, void __user *arg);
void wd_vfio_irq_reset(struct wd_vfio *v);
void wd_vfio_irqs_release(struct wd_vfio *v);
bool wd_vfio_irq_request(struct wd_vfio *v);

/* vfio_config.c */
void wd_vfio_config_init(struct wd_vfio *v);
u32 wd_vfio_config_read(struct wd_vfio *v, unsigned int off, unsigned int n);
void wd_vfio_config_write(struct wd_vfio *v, unsigned int off, unsigned int n,
			  u32 val);
bool wd_vfio_memory_enabled(struct wd_vfio *v);
void wd_vfio_config_restore(struct wd_vfio *v,
			    const u8 config[WD_VFIO_CONFIG_SIZE]);

/* vfio_queue.c */
void wd_vfio_queues_init(struct wd_vfio *v);
int wd_vfio_queues_open(struct wd_vfio *v);
void wd_vfio_queues_close(struct wd_vfio *v);
void wd_vfio_queues_reset(struct wd_vfio *v);
void wd_vfio_queues_kick(struct wd_vfio *v);
u32 wd_vfio_bar_read(struct wd_vfio *v, unsigned int off);
void wd_vfio_bar_write(struct wd_vfio *v, unsigned int off, u32 val);
void wd_vfio_queues_quiesce(struct wd_vfio *v, bool quiesce);
void wd_vfio_queues_save(struct wd_vfio *v, struct wd_vfio_mig_queue *mq);
int wd_vfio_queues_check(struct wd_vfio *v,
			 const struct wd_vfio_mig_queue *mq);
void wd_vfio_queues_restore(struct wd_vfio *v,
			    const struct wd_vfio_mig_queue *mq);

/* vfio_migration.c */
extern const struct vfio_migration_ops wd_vfio_mig_ops;
int wd_vfio_mig_sysfs_add(struct wd_vfio *v);
void wd_vfio_mig_sysfs_del(struct wd_vfio *v);
void wd_vfio_mig_init(struct wd_vfio *v);
void wd_vfio_mig_open(struct wd_vfio *v);
void wd_vfio_mig_close(struct wd_vfio *v);
void wd_vfio_mig_reset(struct wd_vfio *v);
int wd_vfio_mig_feature(struct wd_vfio *v, u32 flags, void __user *arg,
			size_t argsz);
ssize_t wd_vfio_mig_describe_type(struct uacce_device *accel,
				  const struct wd_mdev_type *type, char *buf,
				  ssize_t len);

/* vfio_dma.c */
int wd_vfio_dma_read(struct wd_vfio *v, u64 iova, void *buf, size_t len);
int wd_vfio_dma_write(struct wd_vfio *v, u64 iova, const void *buf,
		      size_t len);
int wd_vfio_pin_request(struct wd_vfio_queue *q, struct wd_mdev_vfio_req *req,
			u64 *bad_iova);
void wd_vfio_unpin_request(struct wd_vfio_queue *q,
			   struct wd_mdev_vfio_req *req);
void wd_vfio_dma_unmap(struct vfio_device *vfio_dev, u64 iova, u64 length);
bool wd_vfio_req_unmapped(struct wd_vfio *v, struct wd_mdev_vfio_req *req,
			  u64 *iova);
void wd_vfio_unmapped_forget(struct wd_vfio *v);

#endif /* _WD_MDEV_VFIO_PCI_H */
