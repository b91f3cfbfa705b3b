// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_engine: a hardware queue's rings, the DUS region of
 * <uapi/misc/uacce/wd_ring.h>: the control page, then the SQ, then the
 * CQ, entries of the class's sizes.
 *
 * Like the queues of a real device, the rings exist from probe to
 * remove, allocated once on the device's NUMA node and handed to one
 * owner at a time, cleaned in between.  The device's indices, sq_head
 * and cq_tail, are kept here and only published to the control page: an
 * application storing to the published copies changes what it sees,
 * never what the device does.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/wd_engine.h>

/**
 * wd_ring_dus_size() - bytes of a queue's DUS region
 * @depth: entries per ring
 * @sqe_size: bytes of a submission entry
 * @cqe_size: bytes of a completion entry
 *
 * Return: the control page, the SQ and the CQ, rounded up to a page.
 */
size_t wd_ring_dus_size(u32 depth, u32 sqe_size, u32 cqe_size)
{
	return PAGE_ALIGN(WD_RING_CTRL_SIZE +
			  (size_t)depth * (sqe_size + cqe_size));
}
EXPORT_SYMBOL_GPL(wd_ring_dus_size);

/**
 * wd_ring_reset() - clean a queue's rings for a new owner
 * @ring: the rings, of a stopped and unclaimed queue
 * @first_index: value of every ring index: 0, or another value in tests
 *	of the index wrap-around
 *
 * Every entry is zeroed, the indices set to @first_index, dev_flags to
 * NEED_WAKEUP (nothing serves the queue) and the status word to 0 (OK).
 */
void wd_ring_reset(struct wd_ring *ring, u32 first_index)
{
	memset(ring->dus, 0, ring->dus_size);
	ring->sq_head = first_index;
	ring->cq_tail = first_index;
	*wd_ring_ctrl(ring, WD_RING_CTRL_SQ_TAIL) = cpu_to_le32(first_index);
	*wd_ring_ctrl(ring, WD_RING_CTRL_SQ_HEAD) = cpu_to_le32(first_index);
	*wd_ring_ctrl(ring, WD_RING_CTRL_CQ_TAIL) = cpu_to_le32(first_index);
	*wd_ring_ctrl(ring, WD_RING_CTRL_CQ_HEAD) = cpu_to_le32(first_index);
	*wd_ring_ctrl(ring, WD_RING_CTRL_DEV_FLAGS) =
		cpu_to_le32(WD_RING_DEV_F_NEED_WAKEUP);
}
EXPORT_SYMBOL_GPL(wd_ring_reset);

/**
 * wd_ring_alloc() - allocate and clean a queue's rings
 * @ring: the rings, zeroed
 * @node: NUMA node of the memory, or NUMA_NO_NODE
 * @depth: entries per ring, a power of two
 * @sqe_size: bytes of a submission entry, a multiple of 8
 * @cqe_size: bytes of a completion entry, a multiple of WD_RING_ALIGN
 *	or of 8 with @depth * @sqe_size a multiple of WD_RING_ALIGN
 *
 * Return: 0, or -ENOMEM with nothing allocated.
 */
int wd_ring_alloc(struct wd_ring *ring, int node, u32 depth, u32 sqe_size,
		  u32 cqe_size)
{
	struct page *page;

	ring->dus_size = wd_ring_dus_size(depth, sqe_size, cqe_size);
	page = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO,
				get_order(ring->dus_size));
	if (!page)
		return -ENOMEM;
	ring->dus = page_address(page);
	ring->sq = ring->dus + WD_RING_CTRL_SIZE;
	ring->cq = ring->sq + (size_t)depth * sqe_size;
	ring->depth = depth;
	ring->sqe_size = sqe_size;
	ring->cqe_size = cqe_size;
	wd_ring_reset(ring, 0);
	return 0;
}
EXPORT_SYMBOL_GPL(wd_ring_alloc);

/**
 * wd_ring_free() - free what wd_ring_alloc() allocated
 * @ring: the rings, of a queue nobody uses; nothing if never allocated
 */
void wd_ring_free(struct wd_ring *ring)
{
	if (ring->dus)
		free_pages((unsigned long)ring->dus, get_order(ring->dus_size));
	ring->dus = NULL;
}
EXPORT_SYMBOL_GPL(wd_ring_free);

/**
 * wd_ring_fetch() - copy the next request out of the SQ
 * @ring: the rings of a queue the caller has claimed
 * @sqe: room for one submission entry
 *
 * Return: false if no request is pending, or if sq_tail is more than a
 * ring ahead (the application's protocol error: the queue is not served
 * until it is fixed); true with the entry at sq_head copied into @sqe and
 * its slot freed (sq_head published).
 */
bool wd_ring_fetch(struct wd_ring *ring, void *sqe)
{
	unsigned int i, words = ring->sqe_size / sizeof(u64);
	u32 mask = ring->depth - 1;
	const u64 *slot;
	u64 *to = sqe;
	u32 tail;

	/* the entries before the index: pairs with the application's store */
	tail = le32_to_cpu(smp_load_acquire(wd_ring_ctrl(ring,
							 WD_RING_CTRL_SQ_TAIL)));
	if (tail == ring->sq_head || tail - ring->sq_head > ring->depth)
		return false;
	slot = ring->sq + (size_t)(ring->sq_head & mask) * ring->sqe_size;
	/* one read of each word: the application may be rewriting the slot */
	for (i = 0; i < words; i++)
		to[i] = READ_ONCE(slot[i]);
	ring->sq_head++;
	/* the slot is read before the application may reuse it */
	smp_store_release(wd_ring_ctrl(ring, WD_RING_CTRL_SQ_HEAD),
			  cpu_to_le32(ring->sq_head));
	return true;
}
EXPORT_SYMBOL_GPL(wd_ring_fetch);

/**
 * wd_ring_post() - write a completion into the CQ and publish it
 * @ring: the rings of a queue the caller has claimed
 * @cqe: the completion entry
 *
 * The scheduler leaves room: a queue is served only while its CQ is not
 * full.
 */
void wd_ring_post(struct wd_ring *ring, const void *cqe)
{
	u32 mask = ring->depth - 1;

	memcpy(ring->cq + (size_t)(ring->cq_tail & mask) * ring->cqe_size, cqe,
	       ring->cqe_size);
	WRITE_ONCE(ring->cq_tail, ring->cq_tail + 1);
	/* the entry is written before the application may read it */
	smp_store_release(wd_ring_ctrl(ring, WD_RING_CTRL_CQ_TAIL),
			  cpu_to_le32(ring->cq_tail));
}
EXPORT_SYMBOL_GPL(wd_ring_post);

/**
 * wd_ring_cq_pending() - completions the application has not consumed
 * @ring: the rings
 *
 * Return: whether cq_head is behind the device's cq_tail (for poll()).
 */
bool wd_ring_cq_pending(struct wd_ring *ring)
{
	return READ_ONCE(ring->cq_tail) !=
	       le32_to_cpu(READ_ONCE(*wd_ring_ctrl(ring,
						   WD_RING_CTRL_CQ_HEAD)));
}
EXPORT_SYMBOL_GPL(wd_ring_cq_pending);
