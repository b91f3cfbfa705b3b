// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-client: the driver of vzip's PCI function.  The register model is
 * the framework's, Documentation/pci-function.rst; vzip's identity and
 * descriptors are in Documentation/vzip.rst.  In short:
 *
 *  - config space says vendor WD_PCI_VENDOR_ID, device VZIP_PCI_DEVICE_ID,
 *    class "processing accelerator"; BAR0 holds 32-bit registers;
 *  - for each queue the driver writes the IOVAs of a submission ring (SQ)
 *    and a completion ring (CQ) and their depth, then sets ENABLE;
 *  - it writes requests (struct vzip_sqe, addresses are IOVAs) into the SQ
 *    and the new tail into SQ_TAIL: the doorbell;
 *  - the device writes completions (struct vzip_cqe) into the CQ, advances
 *    CQ_TAIL and interrupts; the driver takes them and writes CQ_HEAD.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <endian.h>

#include "vzpci.h"

#define PCI_CFG_VENDOR		0x00
#define PCI_CFG_DEVICE		0x02
#define PCI_CFG_COMMAND		0x04
#define PCI_CFG_STATUS		0x06
#define PCI_CFG_REVISION	0x08
#define PCI_CFG_BAR0		0x10
#define PCI_CFG_CAP_PTR		0x34
#define PCI_CMD_MEMORY		0x0002
#define PCI_CMD_MASTER		0x0004
#define PCI_STS_CAP_LIST	0x0010
#define PCI_CAP_ID_MSI		0x05

/* BAR0 registers: aligned 32-bit little-endian accesses only. */
int vz_reg_read(struct vz_pci *p, uint32_t off, uint32_t *val)
{
	uint32_t le;
	int ret = vc_region_read(p->vfio, &p->vfio->bar0, off, &le, sizeof(le));

	if (!ret)
		*val = le32toh(le);
	return ret;
}

int vz_reg_write(struct vz_pci *p, uint32_t off, uint32_t val)
{
	uint32_t le = htole32(val);

	return vc_region_write(p->vfio, &p->vfio->bar0, off, &le, sizeof(le));
}

static uint32_t vz_qoff(const struct vz_queue *q, uint32_t reg)
{
	return WD_PCI_QUEUE_BASE + q->idx * WD_PCI_QUEUE_STRIDE + reg;
}

int vz_qreg_read(struct vz_queue *q, uint32_t off, uint32_t *val)
{
	return vz_reg_read(q->pci, vz_qoff(q, off), val);
}

int vz_qreg_write(struct vz_queue *q, uint32_t off, uint32_t val)
{
	return vz_reg_write(q->pci, vz_qoff(q, off), val);
}

static int vz_cfg_read(struct vz_pci *p, uint32_t off, void *buf, size_t len)
{
	return vc_region_read(p->vfio, &p->vfio->config, off, buf, len);
}

/* The first capability with @id in the config space's list, 0 if none. */
static uint8_t vz_find_cap(struct vz_pci *p, uint8_t id)
{
	uint8_t pos, hdr[2];
	int guard = 48;

	if (vz_cfg_read(p, PCI_CFG_CAP_PTR, &pos, 1))
		return 0;
	pos &= ~3;
	while (pos >= 0x40 && guard--) {
		if (vz_cfg_read(p, pos, hdr, sizeof(hdr)))
			return 0;
		if (hdr[0] == id)
			return pos;
		pos = hdr[1] & ~3;
	}
	return 0;
}

/**
 * vz_pci_probe_class() - check that the device is a function of class
 * @cls, turn on memory decoding and bus mastering, and read its device
 * registers and parameters (p->params)
 */
int vz_pci_probe_class(struct vz_pci *p, struct vc_vfio *v,
		       const struct vz_class *cls, int verbose)
{
	uint8_t cfg[64];
	uint16_t cmd, sts;
	uint32_t magic, version, sqe, cqe, bar0, i;
	int ret;

	memset(p, 0, sizeof(*p));
	p->vfio = v;
	if (v->config.size < 256 || v->bar0.size < WD_PCI_BAR0_SIZE) {
		vc_err("config space of %llu bytes, BAR0 of %llu: not a %s function",
		       (unsigned long long)v->config.size,
		       (unsigned long long)v->bar0.size, cls->name);
		return -ENODEV;
	}
	ret = vz_cfg_read(p, 0, cfg, sizeof(cfg));
	if (ret)
		return ret;
	p->vendor = (uint16_t)(cfg[PCI_CFG_VENDOR] | cfg[PCI_CFG_VENDOR + 1] << 8);
	p->device = (uint16_t)(cfg[PCI_CFG_DEVICE] | cfg[PCI_CFG_DEVICE + 1] << 8);
	p->revision = cfg[PCI_CFG_REVISION];
	p->class_code = (uint32_t)cfg[0x09] | (uint32_t)cfg[0x0a] << 8 |
			(uint32_t)cfg[0x0b] << 16;
	sts = (uint16_t)(cfg[PCI_CFG_STATUS] | cfg[PCI_CFG_STATUS + 1] << 8);
	bar0 = (uint32_t)cfg[PCI_CFG_BAR0] | (uint32_t)cfg[PCI_CFG_BAR0 + 1] << 8 |
	       (uint32_t)cfg[PCI_CFG_BAR0 + 2] << 16 |
	       (uint32_t)cfg[PCI_CFG_BAR0 + 3] << 24;
	if (p->vendor != WD_PCI_VENDOR_ID || p->device != cls->device ||
	    p->class_code != WD_PCI_CLASS) {
		vc_err("PCI %04x:%04x class %06x: not a %s function (%04x:%04x class %06x)",
		       p->vendor, p->device, p->class_code, cls->name,
		       WD_PCI_VENDOR_ID, cls->device, WD_PCI_CLASS);
		return -ENODEV;
	}
	if (bar0 & 1) {
		vc_err("BAR0 is an I/O BAR (%#x), expected memory", bar0);
		return -ENODEV;
	}
	if (sts & PCI_STS_CAP_LIST)
		p->msi_cap = vz_find_cap(p, PCI_CAP_ID_MSI);

	/*
	 * Memory decoding and bus mastering, as a guest's driver does with
	 * pci_enable_device() and pci_set_master(): without them the function
	 * neither answers nor does DMA.
	 */
	cmd = (uint16_t)(cfg[PCI_CFG_COMMAND] | cfg[PCI_CFG_COMMAND + 1] << 8);
	cmd |= PCI_CMD_MEMORY | PCI_CMD_MASTER;
	cmd = htole16(cmd);
	ret = vc_region_write(v, &v->config, PCI_CFG_COMMAND, &cmd, sizeof(cmd));
	if (ret)
		return ret;

	ret = vz_reg_read(p, WD_PCI_REG_MAGIC, &magic);
	if (!ret)
		ret = vz_reg_read(p, WD_PCI_REG_VERSION, &version);
	if (!ret)
		ret = vz_reg_read(p, WD_PCI_REG_NR_QUEUES, &p->nr_queues);
	if (!ret)
		ret = vz_reg_read(p, WD_PCI_REG_MAX_DEPTH, &p->max_depth);
	if (!ret)
		ret = vz_reg_read(p, WD_PCI_REG_SQE_SIZE, &sqe);
	if (!ret)
		ret = vz_reg_read(p, WD_PCI_REG_CQE_SIZE, &cqe);
	for (i = 0; !ret && i < WD_PCI_MAX_PARAMS; i++)
		ret = vz_reg_read(p, WD_PCI_REG_PARAM(i), &p->params[i]);
	if (ret)
		return ret;
	if (magic != cls->magic || version != WD_PCI_VERSION) {
		vc_err("BAR0: magic %#x version %u, expected %#x version %u", magic,
		       version, cls->magic, WD_PCI_VERSION);
		return -ENODEV;
	}
	if (sqe != cls->sqe_size || cqe != cls->cqe_size) {
		vc_err("descriptor sizes %u/%u, this driver knows %u/%u", sqe, cqe,
		       cls->sqe_size, cls->cqe_size);
		return -ENODEV;
	}
	if (!p->nr_queues || p->nr_queues > WD_PCI_MAX_QUEUES || p->max_depth < 2 ||
	    (p->max_depth & (p->max_depth - 1))) {
		vc_err("BAR0: %u queues, depth %u: out of range", p->nr_queues,
		       p->max_depth);
		return -ENODEV;
	}
	if (verbose)
		printf("PCI %04x:%04x rev %u class %06x, BAR0 %#x, MSI capability at %#x\n"
		       "%s: %u queues, ring depth up to %u\n",
		       p->vendor, p->device, p->revision, p->class_code, bar0,
		       p->msi_cap, cls->name, p->nr_queues, p->max_depth);
	return 0;
}

/**
 * vz_pci_probe() - check that the device is a vzip function, turn on
 * memory decoding and bus mastering, and read its device registers
 */
int vz_pci_probe(struct vz_pci *p, struct vc_vfio *v, int verbose)
{
	static const struct vz_class vzip = {
		.name = "vzip", .device = VZIP_PCI_DEVICE_ID, .magic = VZIP_MAGIC,
		.sqe_size = sizeof(struct vzip_sqe),
		.cqe_size = sizeof(struct vzip_cqe),
	};
	int ret = vz_pci_probe_class(p, v, &vzip, verbose);

	if (ret)
		return ret;
	p->ctx_size = p->params[VZIP_PCI_PARAM_CTX_SIZE];
	p->caps = p->params[VZIP_PCI_PARAM_CAPS];
	p->max_len = p->params[VZIP_PCI_PARAM_MAX_LEN];
	if (!p->max_len) {
		vc_err("BAR0: max_len 0: out of range");
		return -ENODEV;
	}
	if (verbose)
		printf("vzip: max_len %u, caps %#x, context %u bytes\n",
		       p->max_len, p->caps, p->ctx_size);
	return 0;
}

/* DEV_CTRL RESET: every queue disabled, every register back to its default. */
int vz_pci_function_reset(struct vz_pci *p)
{
	uint32_t val;
	int ret = vz_reg_write(p, WD_PCI_REG_DEV_CTRL, WD_PCI_DEV_CTRL_RESET);

	if (!ret)
		ret = vz_reg_read(p, WD_PCI_REG_DEV_CTRL, &val);
	if (!ret && val) {
		vc_err("DEV_CTRL reads %#x after a reset, expected 0", val);
		ret = -EIO;
	}
	return ret;
}

/**
 * vz_queue_init() - program queue @idx's rings; the queue stays disabled
 * @sq: our address of the SQ, @depth entries at @sq_iova for the device
 * @cq: likewise the CQ
 */
int vz_queue_init(struct vz_queue *q, struct vz_pci *p, unsigned int idx,
		  uint32_t depth, void *sq, uint64_t sq_iova, void *cq,
		  uint64_t cq_iova)
{
	int ret;

	memset(q, 0, sizeof(*q));
	q->pci = p;
	q->idx = idx;
	q->depth = depth;
	q->sq = sq;
	q->cq = cq;
	q->sq_iova = sq_iova;
	q->cq_iova = cq_iova;

	ret = vz_qreg_write(q, WD_PCI_Q_CTRL, 0);
	if (!ret)
		ret = vz_qreg_write(q, WD_PCI_Q_SQ_BASE_LO, (uint32_t)sq_iova);
	if (!ret)
		ret = vz_qreg_write(q, WD_PCI_Q_SQ_BASE_HI, (uint32_t)(sq_iova >> 32));
	if (!ret)
		ret = vz_qreg_write(q, WD_PCI_Q_CQ_BASE_LO, (uint32_t)cq_iova);
	if (!ret)
		ret = vz_qreg_write(q, WD_PCI_Q_CQ_BASE_HI, (uint32_t)(cq_iova >> 32));
	if (!ret)
		ret = vz_qreg_write(q, WD_PCI_Q_DEPTH, depth);
	return ret;
}

/*
 * Set ENABLE (and IRQ when @irq): the device checks the configuration and
 * zeroes the indices; a rejected configuration leaves ERROR = CONFIG.
 */
int vz_queue_enable(struct vz_queue *q, int irq)
{
	uint32_t ctrl = WD_PCI_Q_CTRL_ENABLE | (irq ? WD_PCI_Q_CTRL_IRQ : 0);
	uint32_t sts, err;
	int ret;

	ret = vz_qreg_write(q, WD_PCI_Q_CTRL, ctrl);
	if (!ret)
		ret = vz_qreg_read(q, WD_PCI_Q_STATUS, &sts);
	if (ret)
		return ret;
	if (!(sts & WD_PCI_Q_STS_ENABLED)) {
		if (vz_qreg_read(q, WD_PCI_Q_ERROR, &err))
			err = ~0u;
		vc_err("queue %u did not enable: status %#x, error %#x", q->idx,
		       sts, err);
		return -EIO;
	}
	q->sq_tail = 0;
	q->cq_head = 0;
	return 0;
}

/* Clear ENABLE: returns once the request in progress, if any, has ended. */
int vz_queue_disable(struct vz_queue *q)
{
	return vz_qreg_write(q, WD_PCI_Q_CTRL, 0);
}

/* Requests that may still be submitted without overrunning the CQ. */
uint32_t vz_queue_space(const struct vz_queue *q)
{
	return q->depth - (q->sq_tail - q->cq_head);
}

/*
 * Put one request in the SQ.  The device does not see it before the next
 * vz_queue_doorbell(), so a batch costs one trap.
 */
int vz_queue_submit(struct vz_queue *q, const struct vzip_sqe *sqe)
{
	if (!vz_queue_space(q))
		return -EBUSY;
	memcpy(&q->sq[q->sq_tail & (q->depth - 1)], sqe, sizeof(*sqe));
	q->sq_tail++;
	return 0;
}

int vz_queue_doorbell(struct vz_queue *q)
{
	/* the entries must be in memory before the device reads the tail */
	atomic_thread_fence(memory_order_release);
	return vz_qreg_write(q, WD_PCI_Q_SQ_TAIL, q->sq_tail);
}

/**
 * vz_queue_reap() - take up to @max completions into @out
 *
 * Returns how many, or a negative errno.  CQ_TAIL comes from the register;
 * the entries below it are complete in memory.
 */
int vz_queue_reap(struct vz_queue *q, struct vzip_cqe *out, unsigned int max)
{
	uint32_t tail, n, i;
	int ret = vz_qreg_read(q, WD_PCI_Q_CQ_TAIL, &tail);

	if (ret)
		return ret;
	atomic_thread_fence(memory_order_acquire);
	n = tail - q->cq_head;
	if (n > q->sq_tail - q->cq_head) {
		vc_err("queue %u: CQ_TAIL %u is past the %u requests submitted",
		       q->idx, tail, q->sq_tail - q->cq_head);
		return -EIO;
	}
	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		out[i] = q->cq[(q->cq_head + i) & (q->depth - 1)];
	if (!n)
		return 0;
	q->cq_head += n;
	ret = vz_qreg_write(q, WD_PCI_Q_CQ_HEAD, q->cq_head);
	return ret ? ret : (int)n;
}

/* The queue's first error since it was last cleared, and its IOVA. */
int vz_queue_error(struct vz_queue *q, uint32_t *error, uint64_t *iova)
{
	uint32_t lo, hi;
	int ret = vz_qreg_read(q, WD_PCI_Q_ERROR, error);

	if (!ret)
		ret = vz_qreg_read(q, WD_PCI_Q_ERR_IOVA_LO, &lo);
	if (!ret)
		ret = vz_qreg_read(q, WD_PCI_Q_ERR_IOVA_HI, &hi);
	if (!ret)
		*iova = (uint64_t)hi << 32 | lo;
	return ret;
}

int vz_queue_clear_error(struct vz_queue *q, uint32_t bits)
{
	return vz_qreg_write(q, WD_PCI_Q_ERROR, bits);
}

const char *vz_status_name(unsigned int status)
{
	static const char *const names[] = {
		[VZIP_STS_OK] = "OK",
		[VZIP_STS_OVERFLOW] = "OVERFLOW",
		[VZIP_STS_DATA_ERROR] = "DATA_ERROR",
		[VZIP_STS_ADDR_ERROR] = "ADDR_ERROR",
		[VZIP_STS_INVALID] = "INVALID",
		[VZIP_STS_ABORTED] = "ABORTED",
		[VZIP_STS_HW_ERROR] = "HW_ERROR",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == VZIP_NR_STATUS,
		       "a name for every enum vzip_status");

	if (status < sizeof(names) / sizeof(names[0]))
		return names[status];
	return "unknown";
}
