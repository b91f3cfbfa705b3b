// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The PCI configuration space of a vfio-pci instance: a type 0 header
 * with WarpDrive's vendor and class and the driver's device IDs, BAR0
 * (32-bit memory, the registers of wd_pci.h), INTx pin A and an MSI
 * capability; no I/O or ROM BAR, no other capability.  Writes change
 * only the bits a real function lets change (the write mask); writing ~0
 * to BAR0 reads back its size mask.
 *
 * The command register matters to the function: BAR0 answers only with
 * memory decoding enabled, the queues do DMA only with bus mastering, and
 * INTx is not signalled while disabled there.
 */
#include <linux/log2.h>
#include <linux/string.h>

#include "vfio_pci.h"

/* command register bits a write may change: no I/O space, no VGA */
#define WD_VFIO_COMMAND_WMASK	(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
				 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | \
				 PCI_COMMAND_INTX_DISABLE)

static void wd_vfio_cfg_set(u8 *cfg, unsigned int off, unsigned int n,
			    u32 val)
{
	while (n--) {
		cfg[off++] = val & 0xff;
		val >>= 8;
	}
}

static u32 wd_vfio_cfg_get(const u8 *cfg, unsigned int off, unsigned int n)
{
	u32 val = 0;

	while (n--)
		val = (val << 8) | cfg[off + n];
	return val;
}

/**
 * wd_vfio_config_init() - the configuration space after power on
 * @v: the function, with its info filled in
 */
void wd_vfio_config_init(struct wd_vfio *v)
{
	u8 *cfg = v->config, *wm = v->wmask;
	u16 msi_ctrl;

	memset(cfg, 0, sizeof(v->config));
	memset(wm, 0, sizeof(v->wmask));
	wd_vfio_cfg_set(cfg, PCI_VENDOR_ID, 2, WD_PCI_VENDOR_ID);
	wd_vfio_cfg_set(cfg, PCI_DEVICE_ID, 2, v->info.device);
	wd_vfio_cfg_set(cfg, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	cfg[PCI_REVISION_ID] = v->info.revision;
	wd_vfio_cfg_set(cfg, PCI_CLASS_PROG, 3, WD_PCI_CLASS);
	cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	wd_vfio_cfg_set(cfg, PCI_BASE_ADDRESS_0, 4,
			PCI_BASE_ADDRESS_SPACE_MEMORY |
			PCI_BASE_ADDRESS_MEM_TYPE_32);
	wd_vfio_cfg_set(cfg, PCI_SUBSYSTEM_VENDOR_ID, 2, WD_PCI_VENDOR_ID);
	wd_vfio_cfg_set(cfg, PCI_SUBSYSTEM_ID, 2, v->info.subsys_id);
	cfg[PCI_CAPABILITY_LIST] = WD_VFIO_MSI_CAP;
	cfg[PCI_INTERRUPT_PIN] = 1;	/* INTA# */

	/* MSI: 64-bit addresses, nr_msi vectors, no per-vector masking */
	msi_ctrl = PCI_MSI_FLAGS_64BIT | (ilog2(v->nr_msi) << 1);
	cfg[WD_VFIO_MSI_CAP + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSI;
	cfg[WD_VFIO_MSI_CAP + PCI_CAP_LIST_NEXT] = 0;
	wd_vfio_cfg_set(cfg, WD_VFIO_MSI_CAP + PCI_MSI_FLAGS, 2, msi_ctrl);

	wd_vfio_cfg_set(wm, PCI_COMMAND, 2, WD_VFIO_COMMAND_WMASK);
	wd_vfio_cfg_set(wm, PCI_BASE_ADDRESS_0, 4, ~(WD_PCI_BAR0_SIZE - 1));
	wm[PCI_INTERRUPT_LINE] = 0xff;
	wd_vfio_cfg_set(wm, WD_VFIO_MSI_CAP + PCI_MSI_FLAGS, 2,
			PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	wd_vfio_cfg_set(wm, WD_VFIO_MSI_CAP + PCI_MSI_ADDRESS_LO, 4, ~3U);
	wd_vfio_cfg_set(wm, WD_VFIO_MSI_CAP + PCI_MSI_ADDRESS_HI, 4, ~0U);
	wd_vfio_cfg_set(wm, WD_VFIO_MSI_CAP + PCI_MSI_DATA_64, 2, 0xffff);
}

/**
 * wd_vfio_config_read() - read configuration space
 * @v: the function, its lock held
 * @off: offset, naturally aligned for @n
 * @n: bytes: 1, 2 or 4
 *
 * Return: the value, little endian order folded into a u32.
 */
u32 wd_vfio_config_read(struct wd_vfio *v, unsigned int off, unsigned int n)
{
	u32 val = wd_vfio_cfg_get(v->config, off, n);
	unsigned long flags;

	/* the interrupt status bit follows the INTx line */
	if (off <= PCI_STATUS && off + n > PCI_STATUS) {
		u32 bit = PCI_STATUS_INTERRUPT << ((PCI_STATUS - off) * 8);

		spin_lock_irqsave(&v->reg_lock, flags);
		if (v->irq_status && v->irq_type == WD_VFIO_IRQ_INTX)
			val |= bit;
		spin_unlock_irqrestore(&v->reg_lock, flags);
	}
	return val;
}

/* The command register changed: DMA and INTx follow it at once. */
static void wd_vfio_command_update(struct wd_vfio *v)
{
	u16 cmd = wd_vfio_cfg_get(v->config, PCI_COMMAND, 2);
	bool master = cmd & PCI_COMMAND_MASTER, was_master;
	unsigned long flags;

	spin_lock_irqsave(&v->reg_lock, flags);
	was_master = v->bus_master;
	v->bus_master = master;
	v->intx_disabled = cmd & PCI_COMMAND_INTX_DISABLE;
	spin_unlock_irqrestore(&v->reg_lock, flags);
	wd_vfio_intx_update(v);
	if (master && !was_master)
		wd_vfio_queues_kick(v);
}

/**
 * wd_vfio_config_write() - write configuration space
 * @v: the function, its lock held
 * @off: offset, naturally aligned for @n
 * @n: bytes: 1, 2 or 4
 * @val: the value
 *
 * Read-only bits keep their value.  A change of the command register
 * takes effect at once: bus mastering restarts the queues.
 */
void wd_vfio_config_write(struct wd_vfio *v, unsigned int off, unsigned int n,
			  u32 val)
{
	unsigned int i;

	for (i = 0; i < n; i++, val >>= 8)
		v->config[off + i] = (v->config[off + i] & ~v->wmask[off + i]) |
				     (val & v->wmask[off + i]);

	if (off > PCI_COMMAND + 1 || off + n <= PCI_COMMAND)
		return;
	wd_vfio_command_update(v);
}

/**
 * wd_vfio_config_restore() - configuration space from a migration stream
 * @v: the function, its lock held
 * @config: the source's configuration space
 *
 * Takes the bits a write may change; the others are this function's own,
 * which the stream's compatibility check found equal to the source's.
 */
void wd_vfio_config_restore(struct wd_vfio *v,
			    const u8 config[WD_VFIO_CONFIG_SIZE])
{
	unsigned int i;

	for (i = 0; i < WD_VFIO_CONFIG_SIZE; i++)
		v->config[i] = (v->config[i] & ~v->wmask[i]) |
			       (config[i] & v->wmask[i]);
	wd_vfio_command_update(v);
}

/**
 * wd_vfio_memory_enabled() - whether BAR0 answers
 * @v: the function, its lock held
 *
 * Return: true if the command register enables memory decoding.
 */
bool wd_vfio_memory_enabled(struct wd_vfio *v)
{
	return wd_vfio_cfg_get(v->config, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY;
}
