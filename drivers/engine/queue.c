// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_engine: the uacce callbacks of a hardware queue that are the same in
 * every class: its start and stop on the scheduler, and the mmap of its
 * register page (UACCE_QFRT_MMIO) and of its rings (UACCE_QFRT_DUS).
 * The class's callback finds its queue from the uacce queue and calls
 * these with the queue's parts; what the registers and entries say stays
 * the class's.
 */
#include <linux/mm.h>
#include <linux/uacce.h>
#include <linux/wd_engine.h>

/**
 * wd_queue_start() - the start_queue of a hardware queue
 * @wdev: the device's engines
 * @ent: the queue's scheduling state
 * @uq: the uacce queue being started (UACCE_CMD_START_Q)
 * @sva: the queue's requests carry virtual addresses of @uq's owner
 * @mm: with @sva, set to @uq's address space, which uacce keeps grabbed
 *	until the queue is freed; left alone without
 * @qid: the queue's index in its device, for messages
 *
 * Called, as every uacce queue callback, under the queue's state_lock.
 *
 * Return: 0, or -EINVAL if @sva and @uq has no address space.
 */
int wd_queue_start(struct wd_engine_dev *wdev, struct wd_sched_ent *ent,
		   struct uacce_queue *uq, bool sva, struct mm_struct **mm,
		   u32 qid)
{
	if (sva) {
		if (!uq->mm) {
			dev_dbg(wdev->dev, "queue %u: SVA without an mm\n", qid);
			return -EINVAL;
		}
		*mm = uq->mm;
	}
	wd_sched_start(wdev, ent, uq->tenant);
	return 0;
}
EXPORT_SYMBOL_GPL(wd_queue_start);

/**
 * wd_queue_stop() - the stop_queue of a hardware queue
 * @wdev: the device's engines
 * @ent: the queue's scheduling state
 * @mm: the address space wd_queue_start() set, cleared
 *
 * Returns once no engine serves the queue: the request in progress is
 * aborted (wd_sched_stop()).
 */
void wd_queue_stop(struct wd_engine_dev *wdev, struct wd_sched_ent *ent,
		   struct mm_struct **mm)
{
	wd_sched_stop(wdev, ent);
	*mm = NULL;
}
EXPORT_SYMBOL_GPL(wd_queue_stop);

/**
 * wd_queue_mmap() - the mmap of a hardware queue's MMIO and DUS regions
 * @wdev: the device's engines
 * @qid: the queue's index in its device, for messages
 * @mmio: the queue's register page, one page of the kernel's direct map
 * @ring: the queue's rings, whose DUS memory is mapped
 * @vma: the mapping, at most the region's size
 * @qfr: the region: UACCE_QFRT_MMIO or UACCE_QFRT_DUS
 *
 * Both are mapped as the process asks, writable too, as UADK maps every
 * MMIO region: the device never reads the register page, and the class
 * writes it again for the next owner.  VM_IO | VM_PFNMAP: neither can be
 * pinned as a request's data.
 *
 * Return: 0; -EINVAL for another region or a mapping larger than the
 * region; remap_pfn_range()'s error.
 */
int wd_queue_mmap(struct wd_engine_dev *wdev, u32 qid, void *mmio,
		  struct wd_ring *ring, struct vm_area_struct *vma,
		  struct uacce_qfile_region *qfr)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	size_t max;
	void *mem;

	switch (qfr->type) {
	case UACCE_QFRT_MMIO:
		mem = mmio;
		max = PAGE_SIZE;
		break;
	case UACCE_QFRT_DUS:
		mem = ring->dus;
		max = ring->dus_size;
		break;
	default:
		dev_dbg(wdev->dev, "queue %u: no region of type %d\n", qid,
			qfr->type);
		return -EINVAL;
	}
	if (size > max) {
		dev_dbg(wdev->dev, "queue %u: mapping of %lu bytes, region %d has %zu\n",
			qid, size, qfr->type, max);
		return -EINVAL;
	}
	return remap_pfn_range(vma, vma->vm_start,
			       page_to_pfn(virt_to_page(mem)), size,
			       vma->vm_page_prot);
}
EXPORT_SYMBOL_GPL(wd_queue_mmap);
