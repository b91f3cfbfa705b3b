// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_mdev vfio-pci instances: the function's interrupts.  INTx (level
 * triggered, masked on delivery until the VMM unmasks it, and gated by the
 * command register's INTx Disable bit), MSI (one vector per queue, modulo
 * the vectors enabled), and the ERR and REQ notifiers, all through the
 * eventfds the VMM sets with VFIO_DEVICE_SET_IRQS.  The queues raise
 * interrupts, the configuration space updates INTx, vfio_pci.c hands
 * over the ioctls, reset, close and the removal request: this file calls
 * none of them.  The interrupt state is under the instance's reg_lock.
 */
#include <linux/eventfd.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio_pci.h"

/* Signals @ctx if set; reg_lock held. */
static void wd_vfio_signal(struct eventfd_ctx *ctx)
{
	if (ctx)
		eventfd_signal(ctx, 1);
}

/* INTx: asserted while IRQ_STATUS is set; reg_lock held. */
static void __wd_vfio_intx_update(struct wd_vfio *v)
{
	/* a function stopped for migration raises nothing (until thawed) */
	if (v->irq_type != WD_VFIO_IRQ_INTX || !v->irq_status ||
	    v->intx_masked || v->intx_disabled || !v->intx || v->frozen)
		return;
	/* level triggered: masked until the VMM unmasks it */
	v->intx_masked = true;
	eventfd_signal(v->intx, 1);
}

/**
 * wd_vfio_intx_update() - signal INTx if it is asserted and unmasked
 * @v: the function
 */
void wd_vfio_intx_update(struct wd_vfio *v)
{
	unsigned long flags;

	spin_lock_irqsave(&v->reg_lock, flags);
	__wd_vfio_intx_update(v);
	spin_unlock_irqrestore(&v->reg_lock, flags);
}

/**
 * wd_vfio_irq_raise() - a queue completed requests
 * @v: the function
 * @queue: the queue
 *
 * Sets its IRQ_STATUS bit and, if the queue asks for interrupts,
 * signals MSI vector @queue modulo the vectors enabled, or INTx.
 */
void wd_vfio_irq_raise(struct wd_vfio *v, unsigned int queue)
{
	unsigned long flags;

	spin_lock_irqsave(&v->reg_lock, flags);
	if (!(v->queues[queue].ctrl & WD_PCI_Q_CTRL_IRQ) || v->gone)
		goto out;
	v->irq_status |= BIT(queue);
	if (v->irq_type == WD_VFIO_IRQ_MSI)
		wd_vfio_signal(v->msi[queue % v->nr_msi_enabled]);
	else
		__wd_vfio_intx_update(v);
out:
	spin_unlock_irqrestore(&v->reg_lock, flags);
}

/* Replaces *@slot with the eventfd @fd (-1: none). */
static int wd_vfio_set_eventfd(struct wd_vfio *v, struct eventfd_ctx **slot,
			       s32 fd)
{
	struct eventfd_ctx *ctx = NULL, *old;
	unsigned long flags;

	if (fd >= 0) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx)) {
			dev_dbg_ratelimited(wd_vfio_dev(v),
					    "SET_IRQS: fd %d is not an eventfd\n",
					    fd);
			return PTR_ERR(ctx);
		}
	} else if (fd != -1) {
		dev_dbg_ratelimited(wd_vfio_dev(v), "SET_IRQS: bad fd %d\n",
				    fd);
		return -EINVAL;
	}
	spin_lock_irqsave(&v->reg_lock, flags);
	old = *slot;
	*slot = ctx;
	spin_unlock_irqrestore(&v->reg_lock, flags);
	if (old)
		eventfd_ctx_put(old);
	return 0;
}

static void wd_vfio_irqs_disable(struct wd_vfio *v)
{
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < WD_PCI_MAX_QUEUES; i++)
		wd_vfio_set_eventfd(v, &v->msi[i], -1);
	wd_vfio_set_eventfd(v, &v->intx, -1);
	spin_lock_irqsave(&v->reg_lock, flags);
	v->irq_type = WD_VFIO_IRQ_NONE;
	v->nr_msi_enabled = 0;
	v->intx_masked = false;
	spin_unlock_irqrestore(&v->reg_lock, flags);
}

/* Fires the triggers of @start..@start+@count (DATA_NONE or BOOL). */
static void wd_vfio_irq_fire(struct wd_vfio *v, struct eventfd_ctx **ctx,
			     u32 start, u32 count, const u8 *bools)
{
	unsigned long flags;
	u32 i;

	spin_lock_irqsave(&v->reg_lock, flags);
	for (i = 0; i < count; i++)
		if (!bools || bools[i])
			wd_vfio_signal(ctx[start + i]);
	spin_unlock_irqrestore(&v->reg_lock, flags);
}

static int wd_vfio_set_intx(struct wd_vfio *v, struct vfio_irq_set *hdr,
			    const void *data)
{
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	unsigned long flags;
	bool set = type == VFIO_IRQ_SET_DATA_NONE ||
		   (type == VFIO_IRQ_SET_DATA_BOOL && *(const u8 *)data);
	int ret;

	if (action == VFIO_IRQ_SET_ACTION_MASK ||
	    action == VFIO_IRQ_SET_ACTION_UNMASK) {
		if (type == VFIO_IRQ_SET_DATA_EVENTFD || !hdr->count) {
			dev_dbg_ratelimited(wd_vfio_dev(v),
					    "SET_IRQS: INTx mask and unmask take no eventfd\n");
			return -EINVAL;
		}
		if (!set)
			return 0;
		spin_lock_irqsave(&v->reg_lock, flags);
		if (v->irq_type == WD_VFIO_IRQ_INTX) {
			v->intx_masked = action == VFIO_IRQ_SET_ACTION_MASK;
			/* still asserted: signal again at once */
			__wd_vfio_intx_update(v);
		}
		spin_unlock_irqrestore(&v->reg_lock, flags);
		return 0;
	}

	/* trigger */
	if (type == VFIO_IRQ_SET_DATA_NONE && !hdr->count) {
		if (v->irq_type == WD_VFIO_IRQ_INTX)
			wd_vfio_irqs_disable(v);
		return 0;
	}
	if (type != VFIO_IRQ_SET_DATA_EVENTFD) {
		if (v->irq_type == WD_VFIO_IRQ_INTX && set)
			wd_vfio_irq_fire(v, &v->intx, 0, 1, NULL);
		return 0;
	}
	if (v->irq_type == WD_VFIO_IRQ_MSI) {
		dev_dbg_ratelimited(wd_vfio_dev(v),
				    "SET_IRQS: INTx while MSI is enabled\n");
		return -EBUSY;
	}
	if (*(const s32 *)data < 0) {
		wd_vfio_irqs_disable(v);
		return 0;
	}
	ret = wd_vfio_set_eventfd(v, &v->intx, *(const s32 *)data);
	if (ret)
		return ret;
	spin_lock_irqsave(&v->reg_lock, flags);
	v->irq_type = WD_VFIO_IRQ_INTX;
	v->intx_masked = false;
	__wd_vfio_intx_update(v);
	spin_unlock_irqrestore(&v->reg_lock, flags);
	return 0;
}

static int wd_vfio_set_msi(struct wd_vfio *v, struct vfio_irq_set *hdr,
			   const void *data)
{
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	const s32 *fds = data;
	unsigned long flags;
	u32 i;
	int ret;

	if (action != VFIO_IRQ_SET_ACTION_TRIGGER) {
		dev_dbg_ratelimited(wd_vfio_dev(v),
				    "SET_IRQS: MSI cannot be masked\n");
		return -EINVAL;
	}
	if (type == VFIO_IRQ_SET_DATA_NONE && !hdr->count) {
		if (v->irq_type == WD_VFIO_IRQ_MSI)
			wd_vfio_irqs_disable(v);
		return 0;
	}
	if (type != VFIO_IRQ_SET_DATA_EVENTFD) {
		if (v->irq_type == WD_VFIO_IRQ_MSI &&
		    hdr->start + hdr->count <= v->nr_msi_enabled)
			wd_vfio_irq_fire(v, v->msi, hdr->start, hdr->count,
					 type == VFIO_IRQ_SET_DATA_BOOL ?
					 data : NULL);
		return 0;
	}
	if (v->irq_type == WD_VFIO_IRQ_INTX) {
		dev_dbg_ratelimited(wd_vfio_dev(v),
				    "SET_IRQS: MSI while INTx is enabled\n");
		return -EBUSY;
	}
	if (v->irq_type == WD_VFIO_IRQ_NONE && hdr->start) {
		dev_dbg_ratelimited(wd_vfio_dev(v),
				    "SET_IRQS: MSI must be enabled from vector 0\n");
		return -EINVAL;
	}
	if (v->irq_type == WD_VFIO_IRQ_MSI &&
	    hdr->start + hdr->count > v->nr_msi_enabled) {
		dev_dbg_ratelimited(wd_vfio_dev(v),
				    "SET_IRQS: MSI vectors beyond the %u enabled\n",
				    v->nr_msi_enabled);
		return -EINVAL;
	}
	for (i = 0; i < hdr->count; i++) {
		ret = wd_vfio_set_eventfd(v, &v->msi[hdr->start + i], fds[i]);
		if (ret) {
			if (v->irq_type == WD_VFIO_IRQ_NONE)
				wd_vfio_irqs_disable(v);
			return ret;
		}
	}
	spin_lock_irqsave(&v->reg_lock, flags);
	if (v->irq_type == WD_VFIO_IRQ_NONE) {
		v->irq_type = WD_VFIO_IRQ_MSI;
		v->nr_msi_enabled = hdr->count;
	}
	spin_unlock_irqrestore(&v->reg_lock, flags);
	return 0;
}

/* ERR and REQ: one eventfd each, trigger only. */
static int wd_vfio_set_notifier(struct wd_vfio *v, struct vfio_irq_set *hdr,
				const void *data, struct eventfd_ctx **slot)
{
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;

	if (action != VFIO_IRQ_SET_ACTION_TRIGGER) {
		dev_dbg_ratelimited(wd_vfio_dev(v),
				    "SET_IRQS: index %u cannot be masked\n",
				    hdr->index);
		return -EINVAL;
	}
	if (type == VFIO_IRQ_SET_DATA_EVENTFD)
		return wd_vfio_set_eventfd(v, slot, *(const s32 *)data);
	if (!hdr->count)
		return wd_vfio_set_eventfd(v, slot, -1);
	if (type == VFIO_IRQ_SET_DATA_NONE || *(const u8 *)data)
		wd_vfio_irq_fire(v, slot, 0, 1, NULL);
	return 0;
}

static u32 wd_vfio_irq_count(struct wd_vfio *v, u32 index)
{
	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
	case VFIO_PCI_ERR_IRQ_INDEX:
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	case VFIO_PCI_MSI_IRQ_INDEX:
		return v->nr_msi;
	}
	return 0;
}

/**
 * wd_vfio_ioctl_set_irqs() - VFIO_DEVICE_SET_IRQS
 * @v: the instance, its lock held
 * @arg: the user's struct vfio_irq_set and its data
 *
 * Return: 0, or a negative errno with a reason logged for -EINVAL.
 */
long wd_vfio_ioctl_set_irqs(struct wd_vfio *v, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	void *data = NULL;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	if (hdr.index >= VFIO_PCI_NUM_IRQS) {
		dev_dbg_ratelimited(wd_vfio_dev(v), "SET_IRQS: no index %u\n",
				    hdr.index);
		return -EINVAL;
	}
	ret = vfio_set_irqs_validate_and_prepare(&hdr,
						 wd_vfio_irq_count(v, hdr.index),
						 VFIO_PCI_NUM_IRQS, &data_size);
	if (ret) {
		dev_dbg_ratelimited(wd_vfio_dev(v),
				    "SET_IRQS: bad header for index %u: flags %#x start %u count %u\n",
				    hdr.index, hdr.flags, hdr.start, hdr.count);
		return ret;
	}
	/* only DATA_NONE may come without data: it disables the index */
	if (!hdr.count &&
	    (hdr.flags & VFIO_IRQ_SET_DATA_TYPE_MASK) != VFIO_IRQ_SET_DATA_NONE) {
		dev_dbg_ratelimited(wd_vfio_dev(v),
				    "SET_IRQS: index %u: no interrupts but data\n",
				    hdr.index);
		return -EINVAL;
	}
	if (data_size) {
		data = memdup_user(arg + minsz, data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}

	switch (hdr.index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		ret = wd_vfio_set_intx(v, &hdr, data);
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
		ret = wd_vfio_set_msi(v, &hdr, data);
		break;
	case VFIO_PCI_ERR_IRQ_INDEX:
		ret = wd_vfio_set_notifier(v, &hdr, data, &v->err_trigger);
		break;
	case VFIO_PCI_REQ_IRQ_INDEX:
		ret = wd_vfio_set_notifier(v, &hdr, data, &v->req_trigger);
		break;
	default:
		/* MSI-X: its count is 0, refused with the header above */
		ret = -EINVAL;
		break;
	}
	kfree(data);
	return ret;
}

/**
 * wd_vfio_ioctl_irq_info() - VFIO_DEVICE_GET_IRQ_INFO
 * @v: the instance
 * @arg: the user's struct vfio_irq_info
 *
 * Return: 0, or a negative errno with a reason logged for -EINVAL.
 */
long wd_vfio_ioctl_irq_info(struct wd_vfio *v, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS) {
		dev_dbg_ratelimited(wd_vfio_dev(v),
				    "IRQ_INFO: bad argsz %u or index %u\n",
				    info.argsz, info.index);
		return -EINVAL;
	}
	info.count = wd_vfio_irq_count(v, info.index);
	info.flags = info.count ? VFIO_IRQ_INFO_EVENTFD : 0;
	if (info.index == VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	else if (info.index == VFIO_PCI_MSI_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_NORESIZE;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/**
 * wd_vfio_irq_reset() - the function's reset: INTx unmasked
 * @v: the instance
 */
void wd_vfio_irq_reset(struct wd_vfio *v)
{
	unsigned long flags;

	spin_lock_irqsave(&v->reg_lock, flags);
	v->intx_masked = false;
	spin_unlock_irqrestore(&v->reg_lock, flags);
}

/**
 * wd_vfio_irqs_release() - the VMM closed the function: every eventfd put
 * @v: the instance
 */
void wd_vfio_irqs_release(struct wd_vfio *v)
{
	wd_vfio_irqs_disable(v);
	wd_vfio_set_eventfd(v, &v->err_trigger, -1);
	wd_vfio_set_eventfd(v, &v->req_trigger, -1);
}

/**
 * wd_vfio_irq_request() - ask the VMM to release the function
 * @v: the instance, its reg_lock held
 *
 * Return: whether the VMM had set a request eventfd to ask through.
 */
bool wd_vfio_irq_request(struct wd_vfio *v)
{
	lockdep_assert_held(&v->reg_lock);
	wd_vfio_signal(v->req_trigger);
	return v->req_trigger;
}
