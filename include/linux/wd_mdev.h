/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * WarpDrive mdev framework (drivers/mdev, wd_mdev.ko): how an accelerator
 * driver declares the mdev types its uacce device can be carved into.
 *
 * The driver needs no call into the framework, only data: it points its
 * uacce device at a table of types and lets the core count its queues,
 * before uacce_register():
 *
 *	static const struct wd_mdev_type foo_mdev_types[] = {
 *		{ .name = "ap1", .personality = WD_MDEV_ACCESS_POINT,
 *		  .nr_queues = 1 },
 *		{ .name = "vq2", .personality = WD_MDEV_VFIO_PCI,
 *		  .nr_queues = 2, .vfio = &foo_vfio_ops },
 *		...
 *	};
 *	static const struct wd_mdev_type_table foo_mdev_table = {
 *		.types = foo_mdev_types,
 *		.nr_types = ARRAY_SIZE(foo_mdev_types),
 *	};
 *
 *	uacce->nr_queues = nr_hw_queues;
 *	wd_mdev_set_types(uacce, &foo_mdev_table);
 *
 * The table reaches wd_mdev through the uacce core's extension interface
 * (struct uacce_extension): uacce_device.ext_info points at it, and only
 * wd_mdev reads it.  Whenever wd_mdev.ko is loaded, the registered device
 * is an mdev parent with these types; its instances are removed before
 * uacce_remove() removes the device.  Documentation/mdev.rst describes
 * the rest.
 *
 * A vfio-pci type also points at the driver's struct wd_mdev_vfio_ops:
 * the framework emulates the PCI function, its rings, interrupts and DMA
 * (pinning guest memory), and asks the driver only what a descriptor
 * means, to execute it on pinned pages, and to serve the function's
 * queues (struct wd_mdev_vq) with the engines and scheduler that serve
 * its other queues.
 */
#ifndef _LINUX_WD_MDEV_H
#define _LINUX_WD_MDEV_H

#include <linux/types.h>
#include <linux/uacce.h>
#include <uapi/misc/uacce/wd_pci.h>

struct device;
struct page;
struct wd_mdev_vfio_ops;

/**
 * enum wd_mdev_personality - what an instance is to its user
 * @WD_MDEV_ACCESS_POINT: a uacce char device of its own, speaking the
 *	parent's protocol: any number of processes open it, each gets a
 *	queue of the instance's reservation while it has it open
 * @WD_MDEV_VFIO_PCI: a vfio-pci device that a VMM assigns to a guest:
 *	an emulated PCI function whose queues, the instance's reservation,
 *	take descriptors from rings in guest memory: the WarpDrive PCI
 *	function of <uapi/misc/uacce/wd_pci.h>
 * @WD_MDEV_NR_PERSONALITIES: number of personalities
 */
enum wd_mdev_personality {
	WD_MDEV_ACCESS_POINT,
	WD_MDEV_VFIO_PCI,
	WD_MDEV_NR_PERSONALITIES,
};

/**
 * struct wd_mdev_type - a kind of instance
 * @name: the type's sysfs name, unique in the table: the mdev type
 *	directory is <personality's prefix>-<name>, e.g. uacce-ap4
 * @pretty_name: optional human-readable name (the type's name attribute);
 *	by default one is made from the device's api and the queue count
 * @personality: enum wd_mdev_personality
 * @nr_queues: queues an instance reserves when it is created, at least 1;
 *	at most WD_PCI_MAX_QUEUES for a vfio-pci type
 * @vfio: WD_MDEV_VFIO_PCI only, required: what the descriptors mean
 */
struct wd_mdev_type {
	const char *name;
	const char *pretty_name;
	enum wd_mdev_personality personality;
	unsigned int nr_queues;
	const struct wd_mdev_vfio_ops *vfio;
};

#define WD_MDEV_MAX_TYPES	64

/**
 * struct wd_mdev_type_table - the types a device can be carved into
 * @types: the types
 * @nr_types: entries in @types, 1 to WD_MDEV_MAX_TYPES
 *
 * Must stay valid until uacce_remove() of the device.
 */
struct wd_mdev_type_table {
	const struct wd_mdev_type *types;
	unsigned int nr_types;
};

/**
 * wd_mdev_set_types() - declare what a device can be carved into
 * @uacce: the device, before uacce_register()
 * @table: its types
 *
 * No call into wd_mdev: the device works whether or not it is loaded.
 */
static inline void wd_mdev_set_types(struct uacce_device *uacce,
				     const struct wd_mdev_type_table *table)
{
	uacce->ext_info = table;
}

/* ---- the vfio-pci personality: what the driver supplies ---- */

#define WD_MDEV_VFIO_MAX_RANGES		3
#define WD_MDEV_VFIO_MAX_SQE_SIZE	128
#define WD_MDEV_VFIO_MAX_CQE_SIZE	64

/**
 * struct wd_mdev_vfio_info - what the driver's class makes of the function
 * @device: PCI device ID; the vendor is WD_PCI_VENDOR_ID, the class
 *	WD_PCI_CLASS
 * @revision: PCI revision ID
 * @subsys_id: PCI subsystem ID; the subsystem vendor is WD_PCI_VENDOR_ID
 * @magic: the MAGIC register
 * @sqe_size: bytes of a submission entry, at most WD_MDEV_VFIO_MAX_SQE_SIZE
 * @cqe_size: bytes of a completion entry, at most WD_MDEV_VFIO_MAX_CQE_SIZE
 * @max_depth: largest ring depth, a power of 2
 * @params: the parameter registers, WD_PCI_REG_PARAM(i); those past
 *	the class's last read 0
 * @max_range: bytes of the longest range decode may give a request: the
 *	framework sizes its page arrays by it
 * @no_migration: the class keeps state of a function's queues that is
 *	not in the framework's registers (vcrypt's key slots), which the
 *	migration stream would lose: the function offers no VFIO
 *	migration, and its mdev device has no migration attributes
 *
 * Everything else about the function (registers, rings, interrupts,
 * configuration space) is the framework's, Documentation/pci-function.rst.
 */
struct wd_mdev_vfio_info {
	u16 device;
	u8 revision;
	u16 subsys_id;
	u32 magic;
	u32 sqe_size;
	u32 cqe_size;
	u32 max_depth;
	u32 params[WD_PCI_MAX_PARAMS];
	u32 max_range;
	bool no_migration;
};

/**
 * struct wd_mdev_dma_range - guest memory a request reads or writes
 * @iova: first byte, a guest IO virtual address (set by decode)
 * @len: bytes, 0 for none (set by decode)
 * @write: the device writes the range (set by decode)
 * @pages: the pinned pages, for execute
 * @offset: offset of byte 0 in @pages[0]
 * @nr_pages: entries of @pages
 */
struct wd_mdev_dma_range {
	u64 iova;
	u32 len;
	bool write;
	struct page **pages;
	unsigned int offset;
	unsigned int nr_pages;
};

/**
 * struct wd_mdev_vfio_req - one descriptor on its way through a queue
 * @sqe: the submission entry, copied out of the guest's ring
 * @cqe: the completion entry to fill, zeroed; the framework posts it
 * @range: the guest memory the request uses
 * @nr_ranges: entries of @range in use
 * @abort: set when the request must stop early (queue disabled, reset,
 *	memory unmapped, function removed); poll it between pages
 * @vq: the queue of the request: its @drv is the class's state of the
 *	queue (e.g. vcrypt's key slots)
 */
struct wd_mdev_vfio_req {
	const void *sqe;
	void *cqe;
	struct wd_mdev_dma_range range[WD_MDEV_VFIO_MAX_RANGES];
	unsigned int nr_ranges;
	const bool *abort;
	struct wd_mdev_vq *vq;
};

/**
 * struct wd_mdev_vq - a queue of a vfio-pci instance, as the driver's
 *	engines see it
 * @dev: the instance's device, for messages and trace events
 * @index: the queue's number in the function
 * @tenant: whose engine time its requests are: the instance's, shared by
 *	its queues
 * @has_work: the framework's: the queue has a request the function may
 *	execute now.  Cheap; takes a spinlock of the framework's, so it may
 *	be called under a spinlock of the driver's (never the other way)
 * @serve: the framework's: execute the request at the head of the queue,
 *	with @engine passed on to wd_mdev_vfio_ops.execute, then post its
 *	completion and raise its interrupt.  Returns false if the queue had
 *	nothing to execute.  May sleep; the driver calls it for one queue
 *	from one engine at a time, as it serves a hardware queue
 * @drv: the driver's, from wd_mdev_vfio_ops.attach to detach
 *
 * The framework fetches, checks, pins and completes; the driver decides
 * when and on which engine, with the same scheduler as its other queues.
 */
struct wd_mdev_vq {
	struct device *dev;
	unsigned int index;
	struct uacce_tenant *tenant;
	bool (*has_work)(struct wd_mdev_vq *vq);
	bool (*serve)(struct wd_mdev_vq *vq, void *engine);
	void *drv;
};

/**
 * struct wd_mdev_vfio_ops - the driver's part of a vfio-pci instance
 * @info: fill in the function's identity and limits for @accel
 * @attach: start serving @vq on @accel's engines (the function is being
 *	opened); 0, or a negative errno with nothing left behind
 * @detach: stop serving @vq; return once no engine is in @vq->serve
 * @kick: a queue of @accel may have become runnable: make sure an engine
 *	looks.  Never blocks; called without the framework's spinlocks
 * @decode: check @req->sqe and fill @req->range; return 0 to have the
 *	ranges pinned and the request executed, or a negative errno after
 *	filling @req->cqe with the request's error
 * @execute: run the decoded request on its pinned ranges with @engine,
 *	what the driver passed to @vq->serve, and fill @req->cqe; may sleep
 * @fail: fill @req->cqe for a request that could not run: -EFAULT, a
 *	range is not mapped for the device; -ECANCELED, it was aborted
 *	before it started
 * @reset: optional: the function is reset, closed or removed, and no
 *	engine executes a request of @vq: forget what the class keeps of
 *	the queue (vcrypt's keys).  @vq->drv is NULL while the function is
 *	not open
 *
 * The callbacks run in process context.
 */
struct wd_mdev_vfio_ops {
	void (*info)(struct uacce_device *accel, struct wd_mdev_vfio_info *info);
	int (*attach)(struct uacce_device *accel, struct wd_mdev_vq *vq);
	void (*detach)(struct uacce_device *accel, struct wd_mdev_vq *vq);
	void (*kick)(struct uacce_device *accel);
	int (*decode)(struct uacce_device *accel, struct wd_mdev_vfio_req *req);
	void (*execute)(void *engine, struct wd_mdev_vfio_req *req);
	void (*fail)(struct wd_mdev_vfio_req *req, int err);
	void (*reset)(struct uacce_device *accel, struct wd_mdev_vq *vq);
};

#endif /* _LINUX_WD_MDEV_H */
