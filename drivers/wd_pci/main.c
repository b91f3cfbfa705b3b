// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_pci: the driver of the WarpDrive PCI function in a virtual machine.
 *
 * A VMM assigns a vfio-pci instance of an accelerator (Documentation/
 * pci-function.rst) to a guest; in the guest this driver binds the
 * function and registers its queues with uacce, so that applications use
 * them as they would the accelerator's queues on the host.  It knows the
 * classes of wd_pci.h's table by their device ID and refuses others.
 * Documentation/wd-pci.rst describes it.
 */
#include <kunit/visibility.h>
#include <linux/io.h>
#include <linux/interrupt.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "wd_pci.h"

#define WD_PCI_IDLE_US_MAX	1000000

static unsigned int ring_depth = 256;
module_param(ring_depth, uint, 0444);
MODULE_PARM_DESC(ring_depth, "entries per ring, a power of two, at most the function's MAX_DEPTH (default 256)");

static unsigned int ss_size = SZ_1M;
module_param(ss_size, uint, 0444);
MODULE_PARM_DESC(ss_size, "bytes of a queue's SS region, whole pages (default 1 MiB)");

static unsigned int idle_us = 1000;
module_param(idle_us, uint, 0444);
MODULE_PARM_DESC(idle_us, "microseconds a queue's SQ is polled after its last request before UACCE_CMD_WAKE_Q is needed (default 1000)");

struct workqueue_struct *wd_pci_wq;

static const struct wd_pci_class *const wd_pci_classes[] = {
	&wd_pci_vzip,
};

static const struct wd_pci_class *wd_pci_find_class(u16 device)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(wd_pci_classes); i++)
		if (wd_pci_classes[i]->device == device)
			return wd_pci_classes[i];
	return NULL;
}

static u32 wd_pci_read(struct wd_pci_dev *wdev, u32 reg)
{
	return readl(wdev->bar + reg);
}

/**
 * wd_pci_check_ids() - check a function's identity and geometry
 * @dev: the function, for messages
 * @cls: the class its device ID names
 * @ids: what its registers read
 *
 * MAGIC must be the class's, VERSION this driver's register model, the
 * entry sizes the class's, NR_QUEUES 1 to WD_PCI_MAX_QUEUES and MAX_DEPTH
 * a power of 2.  Each refusal names the register and the value expected.
 *
 * Return: 0, or -ENODEV with a kernel message.
 */
VISIBLE_IF_KUNIT int wd_pci_check_ids(struct device *dev,
				      const struct wd_pci_class *cls,
				      const struct wd_pci_id_regs *ids)
{
	if (ids->magic != cls->magic) {
		dev_err(dev, "MAGIC %#x is not %s's %#x: not a %s function\n",
			ids->magic, cls->name, cls->magic, cls->name);
		return -ENODEV;
	}
	if (ids->version != WD_PCI_VERSION) {
		dev_err(dev, "VERSION %u: this driver knows register model %u only\n",
			ids->version, WD_PCI_VERSION);
		return -ENODEV;
	}
	if (ids->sqe_size != cls->sqe_size || ids->cqe_size != cls->cqe_size ||
	    cls->sqe_size > sizeof_field(struct wd_pci_queue, sqe)) {
		dev_err(dev, "%s entries of %u and %u bytes: expected %u and %u\n",
			cls->name, ids->sqe_size, ids->cqe_size, cls->sqe_size,
			cls->cqe_size);
		return -ENODEV;
	}
	if (!ids->nr_queues || ids->nr_queues > WD_PCI_MAX_QUEUES) {
		dev_err(dev, "%u queues: a function has 1 to %u\n",
			ids->nr_queues, WD_PCI_MAX_QUEUES);
		return -ENODEV;
	}
	if (ids->max_depth < WD_PCI_MIN_DEPTH ||
	    !is_power_of_2(ids->max_depth)) {
		dev_err(dev, "MAX_DEPTH %u is not a power of 2 of at least %u\n",
			ids->max_depth, WD_PCI_MIN_DEPTH);
		return -ENODEV;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(wd_pci_check_ids);

/* The function's geometry, against what the class and the driver expect. */
static int wd_pci_check(struct wd_pci_dev *wdev)
{
	struct wd_pci_id_regs ids = {
		.magic = wd_pci_read(wdev, WD_PCI_REG_MAGIC),
		.version = wd_pci_read(wdev, WD_PCI_REG_VERSION),
		.nr_queues = wd_pci_read(wdev, WD_PCI_REG_NR_QUEUES),
		.max_depth = wd_pci_read(wdev, WD_PCI_REG_MAX_DEPTH),
		.sqe_size = wd_pci_read(wdev, WD_PCI_REG_SQE_SIZE),
		.cqe_size = wd_pci_read(wdev, WD_PCI_REG_CQE_SIZE),
	};
	u32 i;
	int ret;

	ret = wd_pci_check_ids(wdev->dev, wdev->cls, &ids);
	if (ret)
		return ret;
	wdev->nr_queues = ids.nr_queues;
	wdev->depth = min(ring_depth, ids.max_depth);
	for (i = 0; i < WD_PCI_MAX_PARAMS; i++)
		wdev->params[i] = wd_pci_read(wdev, WD_PCI_REG_PARAM(i));
	return wdev->cls->check(wdev);
}

/**
 * wd_pci_irq() - the function's interrupt, any of its vectors
 * @irq: the vector
 * @data: the device
 *
 * Every vector reads IRQ_STATUS: with fewer vectors than queues a vector
 * serves several queues, and INTx is shared.  A bit is set for completions
 * and for a queue that halted; the pump of a queue named with no new
 * completion reads the queue's state.  All ones: the function does not
 * answer (surprise removal); every pump looks, and the interrupt is not
 * claimed, so that a stuck INTx line gets disabled; nor is it when no bit
 * names a queue the driver has.
 *
 * Return: IRQ_HANDLED if the function raised it for a queue, else
 * IRQ_NONE.
 */
VISIBLE_IF_KUNIT irqreturn_t wd_pci_irq(int irq, void *data)
{
	struct wd_pci_dev *wdev = data;
	unsigned long pending;
	irqreturn_t ret = IRQ_HANDLED;
	unsigned int q;

	pending = wd_pci_read(wdev, WD_PCI_REG_IRQ_STATUS);
	if (!pending)
		return IRQ_NONE;
	if (pending == U32_MAX) {
		pending = GENMASK(wdev->nr_queues - 1, 0);
		ret = IRQ_NONE;
	} else {
		writel(pending, wdev->bar + WD_PCI_REG_IRQ_STATUS);
		/* none of our queues: not ours to claim, however often */
		if (!(pending & GENMASK(wdev->nr_queues - 1, 0)))
			ret = IRQ_NONE;
	}
	for_each_set_bit(q, &pending, wdev->nr_queues) {
		if (!READ_ONCE(wdev->queues[q].running))
			continue;
		set_bit(WD_PCI_QF_IRQ, &wdev->queues[q].flags);
		mod_delayed_work(wd_pci_wq, &wdev->queues[q].pump, 0);
	}
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(wd_pci_irq);

static void wd_pci_free_irqs(struct wd_pci_dev *wdev)
{
	int v;

	for (v = 0; v < wdev->nr_vecs; v++)
		free_irq(pci_irq_vector(wdev->pdev, v), wdev);
	pci_free_irq_vectors(wdev->pdev);
	wdev->nr_vecs = 0;
}

static int wd_pci_request_irqs(struct wd_pci_dev *wdev)
{
	struct pci_dev *pdev = wdev->pdev;
	int nvec, v, ret;

	nvec = pci_alloc_irq_vectors(pdev, 1,
				     roundup_pow_of_two(wdev->nr_queues),
				     PCI_IRQ_MSI | PCI_IRQ_LEGACY);
	if (nvec < 0) {
		dev_err(&pdev->dev, "no interrupt: %d\n", nvec);
		return nvec;
	}
	for (v = 0; v < nvec; v++) {
		ret = request_irq(pci_irq_vector(pdev, v), wd_pci_irq,
				  pdev->msi_enabled ? 0 : IRQF_SHARED,
				  dev_name(&pdev->dev), wdev);
		if (ret) {
			dev_err(&pdev->dev, "cannot request vector %d: %d\n",
				v, ret);
			wdev->nr_vecs = v;
			wd_pci_free_irqs(wdev);
			return ret;
		}
	}
	wdev->nr_vecs = nvec;
	return 0;
}

static void wd_pci_quiesce(struct wd_pci_dev *wdev)
{
	u32 i;

	for (i = 0; i < wdev->nr_queues; i++)
		cancel_delayed_work_sync(&wdev->queues[i].pump);
}

static int wd_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct uacce_interface interface = { .ops = &wd_pci_uacce_ops };
	const struct wd_pci_class *cls;
	struct uacce_device *uacce;
	struct wd_pci_dev *wdev;
	int ret;

	cls = wd_pci_find_class(pdev->device);
	if (!cls) {
		dev_info(dev, "WarpDrive function of unknown class %#06x: not bound\n",
			 pdev->device);
		return -ENODEV;
	}
	wdev = devm_kzalloc(dev, sizeof(*wdev), GFP_KERNEL);
	if (!wdev)
		return -ENOMEM;
	wdev->pdev = pdev;
	wdev->dev = dev;
	wdev->cls = cls;
	mutex_init(&wdev->alloc_lock);
	wdev->idle = usecs_to_jiffies(idle_us);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, 0) < WD_PCI_BAR0_SIZE) {
		dev_err(dev, "BAR0 is not %u bytes of memory (flags %#lx, %llu bytes)\n",
			WD_PCI_BAR0_SIZE, pci_resource_flags(pdev, 0),
			(unsigned long long)pci_resource_len(pdev, 0));
		return -ENODEV;
	}
	ret = pcim_iomap_regions(pdev, BIT(0), KBUILD_MODNAME);
	if (ret) {
		dev_err(dev, "cannot map BAR0: %d\n", ret);
		return ret;
	}
	wdev->bar = pcim_iomap_table(pdev)[0];
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret) {
		dev_err(dev, "cannot set the DMA mask: %d\n", ret);
		return ret;
	}
	/*
	 * The reset, flushed by a read, before bus mastering: a function left
	 * running by the kernel before this one (kexec) must not resume its
	 * queues into this kernel's memory.
	 */
	writel(WD_PCI_DEV_CTRL_RESET, wdev->bar + WD_PCI_REG_DEV_CTRL);
	readl(wdev->bar + WD_PCI_REG_DEV_STATUS);
	pci_set_master(pdev);
	ret = wd_pci_check(wdev);
	if (ret)
		return ret;
	ret = wd_pci_queues_create(wdev);
	if (ret)
		return ret;
	ret = wd_pci_request_irqs(wdev);
	if (ret)
		goto err_queues;

	strscpy(interface.name, cls->name, sizeof(interface.name));
	uacce = uacce_alloc(dev, &interface);
	if (IS_ERR(uacce)) {
		ret = PTR_ERR(uacce);
		dev_err(dev, "cannot allocate the uacce device: %d\n", ret);
		goto err_irqs;
	}
	wdev->uacce = uacce;
	uacce->algs = cls->algs;
	uacce->api_ver = cls->api_ver;
	uacce->priv = wdev;
	uacce->qf_pg_num[UACCE_QFRT_MMIO] = 1;
	uacce->qf_pg_num[UACCE_QFRT_DUS] =
		wd_pci_dus_size(cls, wdev->depth) >> PAGE_SHIFT;
	uacce->qf_pg_num[UACCE_QFRT_SS] = ss_size >> PAGE_SHIFT;
	uacce->nr_queues = wdev->nr_queues;
	ret = uacce_register(uacce);
	if (ret) {
		dev_err(dev, "cannot register with uacce: %d\n", ret);
		goto err_uacce;
	}
	pci_set_drvdata(pdev, wdev);
	dev_info(dev, "%s: %s function, %u queues of %u entries, %d %s vector(s)\n",
		 dev_name(&uacce->dev), cls->name, wdev->nr_queues,
		 wdev->depth, wdev->nr_vecs,
		 pdev->msi_enabled ? "MSI" : "INTx");
	return 0;

err_uacce:
	uacce_remove(uacce);
err_irqs:
	wd_pci_free_irqs(wdev);
err_queues:
	wd_pci_quiesce(wdev);
	wd_pci_queues_destroy(wdev);
	return ret;
}

static void wd_pci_remove(struct pci_dev *pdev)
{
	struct wd_pci_dev *wdev = pci_get_drvdata(pdev);

	/* stops every queue: the function does no more DMA for them */
	uacce_remove(wdev->uacce);
	/*
	 * The reset clears IRQ_STATUS before the vectors go: with MSI off
	 * the function would raise INTx for what is left there.
	 */
	writel(WD_PCI_DEV_CTRL_RESET, wdev->bar + WD_PCI_REG_DEV_CTRL);
	wd_pci_free_irqs(wdev);
	wd_pci_quiesce(wdev);
	wd_pci_queues_destroy(wdev);
}

/*
 * Reboot or kexec: the function stops, so that the next kernel does not
 * find it running requests into memory that is no longer theirs.  Its
 * queues are gone first, quietly (no hardware error for what the reset
 * does to them), and their pumps stopped.
 */
static void wd_pci_shutdown(struct pci_dev *pdev)
{
	struct wd_pci_dev *wdev = pci_get_drvdata(pdev);
	u32 i;

	if (!wdev)
		return;
	set_bit(WD_PCI_F_GONE, &wdev->flags);
	for (i = 0; i < wdev->nr_queues; i++)
		cancel_delayed_work_sync(&wdev->queues[i].pump);
	writel(WD_PCI_DEV_CTRL_RESET, wdev->bar + WD_PCI_REG_DEV_CTRL);
	readl(wdev->bar + WD_PCI_REG_DEV_STATUS);
	pci_clear_master(pdev);
}

static const struct pci_device_id wd_pci_ids[] = {
	{
		.vendor = WD_PCI_VENDOR_ID, .device = PCI_ANY_ID,
		.subvendor = PCI_ANY_ID, .subdevice = PCI_ANY_ID,
		.class = WD_PCI_CLASS, .class_mask = ~0,
	},
	{ }
};
MODULE_DEVICE_TABLE(pci, wd_pci_ids);

static struct pci_driver wd_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = wd_pci_ids,
	.probe = wd_pci_probe,
	.remove = wd_pci_remove,
	.shutdown = wd_pci_shutdown,
};

static int __init wd_pci_init(void)
{
	int ret;

	if (!is_power_of_2(ring_depth) || ring_depth < WD_PCI_MIN_DEPTH) {
		pr_err("wd_pci: ring_depth %u is not a power of 2 of at least %u\n",
		       ring_depth, WD_PCI_MIN_DEPTH);
		return -EINVAL;
	}
	if (!ss_size || !PAGE_ALIGNED(ss_size)) {
		pr_err("wd_pci: ss_size %u is not whole pages\n", ss_size);
		return -EINVAL;
	}
	if (idle_us > WD_PCI_IDLE_US_MAX) {
		pr_err("wd_pci: idle_us %u is more than %u\n", idle_us,
		       WD_PCI_IDLE_US_MAX);
		return -EINVAL;
	}
	wd_pci_wq = alloc_workqueue("wd_pci", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!wd_pci_wq)
		return -ENOMEM;
	ret = pci_register_driver(&wd_pci_driver);
	if (ret)
		destroy_workqueue(wd_pci_wq);
	return ret;
}

static void __exit wd_pci_exit(void)
{
	pci_unregister_driver(&wd_pci_driver);
	destroy_workqueue(wd_pci_wq);
}

module_init(wd_pci_init);
module_exit(wd_pci_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("WarpDrive");
MODULE_DESCRIPTION("WarpDrive PCI function driver for virtual machines");
