// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uacce regions: mmap() of a queue's regions, selected by the page offset
 * (UACCE_QFRT_MMIO, _DUS, _SS), and the VMA callbacks that track them.
 *
 * The driver gives the pages of MMIO and DUS; the core allocates SS,
 * static shared DMA memory for devices without SVA.  A region is mapped
 * at most once per queue, whole, MAP_SHARED; a mapping is not inherited
 * across fork() (not even after MADV_DOFORK), cannot be moved, grown or
 * split, and its struct uacce_qfile_region is freed when its last VMA
 * closes, so it can then be mapped again.
 *
 * mmap() maps nothing: each page is mapped by its first fault, if the
 * queue is still usable.  So a device's removal needs no more than to
 * revoke the queue and zap the file's mappings: a VMA that mmap() has not
 * yet put in the file's mapping when the zap runs has no page, and its
 * faults find the queue revoked.  The zap waits for no process's
 * mmap_lock, which another thread of it may hold in a slow fault.
 *
 * All of it runs under q->mutex, taken inside the mmap_lock.
 */
#include <linux/cc_platform.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "internal.h"

static const char *const uacce_region_names[UACCE_MAX_REGION] = {
	[UACCE_QFRT_MMIO] = "MMIO",
	[UACCE_QFRT_DUS] = "DUS",
	[UACCE_QFRT_SS] = "SS",
};

static void uacce_vma_open(struct vm_area_struct *vma);
static void uacce_vma_close(struct vm_area_struct *vma);
static vm_fault_t uacce_vma_fault(struct vm_fault *vmf);
static int uacce_vma_may_split(struct vm_area_struct *vma, unsigned long addr);
static int uacce_vma_mremap(struct vm_area_struct *vma);

/*
 * One table per region type: a VMA's region is the index of its vm_ops,
 * whatever a driver does to vm_pgoff.  .open counts VMAs copied by fork()
 * after MADV_DOFORK or by mremap(), so that every .close is matched.
 */
static const struct vm_operations_struct uacce_vm_ops[UACCE_MAX_REGION] = {
	[UACCE_QFRT_MMIO] = {
		.open = uacce_vma_open,
		.close = uacce_vma_close,
		.fault = uacce_vma_fault,
		.may_split = uacce_vma_may_split,
		.mremap = uacce_vma_mremap,
	},
	[UACCE_QFRT_DUS] = {
		.open = uacce_vma_open,
		.close = uacce_vma_close,
		.fault = uacce_vma_fault,
		.may_split = uacce_vma_may_split,
		.mremap = uacce_vma_mremap,
	},
	[UACCE_QFRT_SS] = {
		.open = uacce_vma_open,
		.close = uacce_vma_close,
		.fault = uacce_vma_fault,
		.may_split = uacce_vma_may_split,
		.mremap = uacce_vma_mremap,
	},
};

static enum uacce_qfrt uacce_vma_type(struct vm_area_struct *vma)
{
	return vma->vm_ops - uacce_vm_ops;
}

static void uacce_ss_free_memory(struct uacce_queue *q,
				 struct uacce_qfile_region *qfr)
{
	dma_free_coherent(q->uacce->dma_dev, qfr->size, qfr->kaddr, qfr->dma);
	qfr->kaddr = NULL;
	uacce_obj_count(UACCE_OBJ_SS_MEMORY, -1);
}

static void uacce_region_free(struct uacce_queue *q, enum uacce_qfrt type)
{
	kfree(q->qfrs[type]);
	q->qfrs[type] = NULL;
	uacce_obj_count(UACCE_OBJ_REGION, -1);
}

/*
 * Free a region nothing maps, unless its static shared memory may still be
 * in use by the device: that waits until the queue stops.
 */
static void uacce_region_put_idle(struct uacce_queue *q, enum uacce_qfrt type)
{
	struct uacce_qfile_region *qfr = q->qfrs[type];

	lockdep_assert_held(&q->mutex);

	if (!qfr || qfr->nr_vmas)
		return;
	if (qfr->kaddr) {
		if (q->state == UACCE_Q_STARTED)
			return;
		uacce_ss_free_memory(q, qfr);
	}
	uacce_region_free(q, type);
}

/* The queue left UACCE_Q_STARTED: unmapped SS memory can go. */
void uacce_region_queue_stopped(struct uacce_queue *q)
{
	uacce_region_put_idle(q, UACCE_QFRT_SS);
}

/*
 * The queue was put, and on removal its mappings zapped: free all SS
 * memory now, while the parent device is still there.  Regions still
 * mapped are freed when their VMAs close.
 */
void uacce_region_queue_dead(struct uacce_queue *q)
{
	struct uacce_qfile_region *qfr;
	int type;

	lockdep_assert_held(&q->mutex);

	for (type = 0; type < UACCE_MAX_REGION; type++) {
		qfr = q->qfrs[type];
		if (!qfr)
			continue;
		if (qfr->kaddr)
			uacce_ss_free_memory(q, qfr);
		if (!qfr->nr_vmas)
			uacce_region_free(q, type);
	}
}

/* The queue is being freed: every VMA is gone (they hold the file). */
void uacce_region_free_all(struct uacce_queue *q)
{
	int type;

	for (type = 0; type < UACCE_MAX_REGION; type++) {
		if (!q->qfrs[type])
			continue;
		WARN_ON_ONCE(q->qfrs[type]->nr_vmas || q->qfrs[type]->kaddr);
		uacce_region_free(q, type);
	}
}

static void uacce_vma_open(struct vm_area_struct *vma)
{
	struct uacce_queue *q = vma->vm_private_data;
	struct uacce_qfile_region *qfr;

	mutex_lock(&q->mutex);
	qfr = q->qfrs[uacce_vma_type(vma)];
	if (!WARN_ON_ONCE(!qfr))
		WRITE_ONCE(qfr->nr_vmas, qfr->nr_vmas + 1);
	mutex_unlock(&q->mutex);
}

static void uacce_vma_close(struct vm_area_struct *vma)
{
	struct uacce_queue *q = vma->vm_private_data;
	enum uacce_qfrt type = uacce_vma_type(vma);
	struct uacce_qfile_region *qfr;

	mutex_lock(&q->mutex);
	qfr = q->qfrs[type];
	if (!WARN_ON_ONCE(!qfr || !qfr->nr_vmas)) {
		/* WRITE_ONCE: uacce_qfr_mapped() reads it without the lock */
		WRITE_ONCE(qfr->nr_vmas, qfr->nr_vmas - 1);
		if (!qfr->nr_vmas)
			uacce_region_put_idle(q, type);
	}
	mutex_unlock(&q->mutex);
}

/* Closing part of a region would leave the rest to a freed region. */
static int uacce_vma_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	struct uacce_queue *q = vma->vm_private_data;

	dev_dbg(&q->uacce->dev, "a region is unmapped or protected whole only\n");
	return -EINVAL;
}

static int uacce_vma_mremap(struct vm_area_struct *vma)
{
	struct uacce_queue *q = vma->vm_private_data;

	dev_dbg(&q->uacce->dev, "a region cannot be moved\n");
	return -EPERM;
}

/*
 * SS memory for a new mapping, unless the region kept it (queue running).
 * Its pages are mapped at fault with the VMA's own protection, as
 * dma_mmap_coherent() maps a cache-coherent device's memory (every device
 * on x86).  A guest with encrypted memory (SEV, TDX) shares DMA memory
 * decrypted, which that protection would not say: SS is refused there.
 */
static int uacce_ss_alloc(struct uacce_queue *q, struct uacce_qfile_region *qfr,
			  size_t size)
{
	if (cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT)) {
		dev_dbg(&q->uacce->dev, "mmap: SS cannot be mapped in a guest with encrypted memory\n");
		return -EOPNOTSUPP;
	}
	if (qfr->kaddr)
		return 0;
	qfr->size = size;
	qfr->kaddr = dma_alloc_coherent(q->uacce->dma_dev, size, &qfr->dma,
					GFP_KERNEL | __GFP_NOWARN);
	if (!qfr->kaddr) {
		dev_dbg(&q->uacce->dev, "mmap: no %zu bytes of DMA memory for SS\n",
			size);
		return -ENOMEM;
	}
	uacce_obj_count(UACCE_OBJ_SS_MEMORY, 1);
	return 0;
}

/* The page of page @pgoff of SS: in the linear map, or vmap()ed */
static struct page *uacce_ss_page(struct uacce_qfile_region *qfr,
				  unsigned long pgoff)
{
	void *addr = qfr->kaddr + (pgoff << PAGE_SHIFT);

	if (is_vmalloc_addr(addr))
		return vmalloc_to_page(addr);
	return virt_to_page(addr);
}

/*
 * A fault on a region: maps its page, if the queue is still usable
 * (SIGBUS otherwise).  Two threads faulting on the same page both find it
 * mapped once the first is done.
 */
static vm_fault_t uacce_vma_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct uacce_queue *q = vma->vm_private_data;
	enum uacce_qfrt type = uacce_vma_type(vma);
	unsigned long pgoff = (vmf->address - vma->vm_start) >> PAGE_SHIFT;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	unsigned long pfn;

	mutex_lock(&q->mutex);
	if (!uacce_queue_usable(q)) {
		dev_dbg_ratelimited(&q->uacce->dev, "fault: the device was removed\n");
		goto out;
	}
	if (type == UACCE_QFRT_SS) {
		struct page *page = uacce_ss_page(q->qfrs[type], pgoff);

		if (!page) {
			dev_dbg_ratelimited(&q->uacce->dev, "fault: no page %lu of SS\n",
					    pgoff);
			goto out;
		}
		pfn = page_to_pfn(page);
	} else if (q->uacce->ops->region_pfn(q, type, pgoff, &pfn)) {
		goto out;
	}
	ret = vmf_insert_pfn(vma, vmf->address, pfn);
out:
	mutex_unlock(&q->mutex);
	return ret;
}

/* Region type and size checks; q->mutex held, the queue usable. */
static int uacce_region_check(struct uacce_queue *q, enum uacce_qfrt type,
			      unsigned long size)
{
	struct uacce_device *uacce = q->uacce;
	unsigned long region_size = uacce->qf_pg_num[type] << PAGE_SHIFT;
	const char *name = uacce_region_names[type];

	if (!region_size) {
		dev_dbg(&uacce->dev, "mmap: the device has no %s region\n", name);
		return -EINVAL;
	}
	if (size > region_size ||
	    (type == UACCE_QFRT_SS && size != region_size)) {
		dev_dbg(&uacce->dev, "mmap: %lu bytes of the %lu-byte %s region\n",
			size, region_size, name);
		return -EINVAL;
	}
	if (q->mm && q->mm != current->mm) {
		dev_dbg(&uacce->dev, "mmap: the queue is bound to another process's memory\n");
		return -EPERM;
	}
	if (q->qfrs[type] && q->qfrs[type]->nr_vmas) {
		dev_dbg(&uacce->dev, "mmap: the %s region is already mapped\n", name);
		return -EEXIST;
	}
	return 0;
}

/**
 * uacce_fops_mmap() - map a region of the queue
 * @filep: the queue's file
 * @vma: the new mapping; its page offset selects the region
 *
 * Maps no page: each is inserted by its first fault (uacce_vma_fault()).
 *
 * Return: 0, -EINVAL for a bad offset, size or MAP_PRIVATE (or a driver
 * that maps no regions), -EEXIST if the region is mapped already, -EPERM
 * from a process the SVA queue is not bound to, -ENXIO after the device
 * was removed, -ENOMEM for SS memory, -EOPNOTSUPP for SS in a guest with
 * encrypted memory.
 */
int uacce_fops_mmap(struct file *filep, struct vm_area_struct *vma)
{
	struct uacce_queue *q = filep->private_data;
	struct uacce_device *uacce = q->uacce;
	struct uacce_qfile_region *qfr;
	bool new_qfr = false;
	enum uacce_qfrt type;
	int ret;

	if (vma->vm_pgoff >= UACCE_MAX_REGION) {
		dev_dbg(&uacce->dev, "mmap: an offset of %lu pages selects no region\n",
			vma->vm_pgoff);
		return -EINVAL;
	}
	type = vma->vm_pgoff;
	if (!(vma->vm_flags & VM_MAYSHARE)) {
		dev_dbg(&uacce->dev, "mmap: regions are mapped MAP_SHARED only\n");
		return -EINVAL;
	}

	mutex_lock(&q->mutex);
	if (!uacce_queue_usable(q)) {
		dev_dbg(&uacce->dev, "mmap: the device was removed\n");
		ret = -ENXIO;
		goto out;
	}
	ret = uacce_region_check(q, type, vma->vm_end - vma->vm_start);
	if (ret)
		goto out;

	qfr = q->qfrs[type];
	if (!qfr) {
		qfr = kzalloc_node(sizeof(*qfr), GFP_KERNEL, q->node);
		if (!qfr) {
			ret = -ENOMEM;
			goto out;
		}
		uacce_obj_count(UACCE_OBJ_REGION, 1);
		qfr->type = type;
		new_qfr = true;
	}

	if (type == UACCE_QFRT_SS) {
		ret = uacce_ss_alloc(q, qfr, vma->vm_end - vma->vm_start);
	} else if (!uacce->ops->region_pfn) {
		dev_dbg(&uacce->dev, "mmap: the driver maps no regions\n");
		ret = -EINVAL;
	}
	if (ret) {
		/* mmap_region() frees the VMA, without ->close */
		if (new_qfr) {
			kfree(qfr);
			uacce_obj_count(UACCE_OBJ_REGION, -1);
		}
		goto out;
	}

	/*
	 * Page frames inserted at fault (VM_PFNMAP); not inherited (VM_IO
	 * makes MADV_DOFORK fail), not grown, not in core dumps, and never
	 * pinned as data for a device request.
	 */
	vma->vm_flags |= VM_PFNMAP | VM_DONTCOPY | VM_WIPEONFORK | VM_IO |
			 VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_private_data = q;
	vma->vm_ops = &uacce_vm_ops[type];
	WRITE_ONCE(qfr->nr_vmas, 1);
	/*
	 * An engine may look the region up without q->mutex (vzip's SS
	 * translation): publish it initialised.
	 */
	smp_store_release(&q->qfrs[type], qfr);
out:
	mutex_unlock(&q->mutex);
	return ret;
}

/**
 * uacce_region_get_ss() - UACCE_CMD_GET_SS
 * @q: the queue
 * @arg: user pointer to a struct uacce_ss_info
 *
 * Return: 0, -ENODEV if the device has no SS region, -EINVAL if it is not
 * mapped, -ENXIO after removal, -EFAULT.
 */
long uacce_region_get_ss(struct uacce_queue *q, void __user *arg)
{
	struct uacce_device *uacce = q->uacce;
	struct uacce_qfile_region *qfr;
	struct uacce_ss_info info;
	long ret = 0;

	memset(&info, 0, sizeof(info));
	mutex_lock(&q->mutex);
	qfr = q->qfrs[UACCE_QFRT_SS];
	if (!uacce_queue_usable(q)) {
		dev_dbg(&uacce->dev, "GET_SS: the device was removed\n");
		ret = -ENXIO;
	} else if (!uacce->qf_pg_num[UACCE_QFRT_SS]) {
		dev_dbg(&uacce->dev, "GET_SS: the device has no SS region\n");
		ret = -ENODEV;
	} else if (!qfr || !qfr->nr_vmas) {
		dev_dbg(&uacce->dev, "GET_SS: map the SS region first\n");
		ret = -EINVAL;
	} else {
		info.dma_addr = qfr->dma;
		info.size = qfr->size;
	}
	mutex_unlock(&q->mutex);

	if (!ret && copy_to_user(arg, &info, sizeof(info)))
		ret = -EFAULT;
	return ret;
}
