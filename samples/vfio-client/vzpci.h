/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-client: a driver for vzip's PCI function (<misc/uacce/wd_pci.h>)
 * on top of the VFIO plumbing of vfio.h; its probe and register accesses
 * serve any class's function (vcrypt.c's).  It is what a guest's kernel
 * driver would do, with register accesses going through the device file
 * instead of MMIO and "guest RAM" being memory of this process.
 */
#ifndef VFIO_CLIENT_VZPCI_H
#define VFIO_CLIENT_VZPCI_H

#include <stdint.h>
#include <misc/uacce/vzip.h>
#include <misc/uacce/wd_pci.h>

#include "vfio.h"

/*
 * What a class's function must say in its config space and device
 * registers: vzip's for vz_pci_probe(), vcrypt's in vcrypt.c.
 */
struct vz_class {
	const char *name;
	uint16_t device;
	uint32_t magic;
	uint32_t sqe_size, cqe_size;
};

/* The function, as its config space and device registers describe it. */
struct vz_pci {
	struct vc_vfio *vfio;
	uint16_t vendor, device;
	uint32_t class_code;
	uint8_t revision;
	uint8_t msi_cap;	/* config offset of the MSI capability, 0 if none */
	uint32_t nr_queues;
	uint32_t max_depth;
	uint32_t params[WD_PCI_MAX_PARAMS];	/* the class's parameters */
	uint32_t ctx_size;	/* vzip's, from params */
	uint32_t caps;
	uint32_t max_len;
};

/* One queue: its rings in guest memory, and our copies of the indices. */
struct vz_queue {
	struct vz_pci *pci;
	unsigned int idx;
	uint32_t depth;
	struct vzip_sqe *sq;	/* our view of the rings ... */
	struct vzip_cqe *cq;
	uint64_t sq_iova;	/* ... and the device's */
	uint64_t cq_iova;
	uint32_t sq_tail;	/* next slot we fill */
	uint32_t cq_head;	/* next completion we take */
};

int vz_reg_read(struct vz_pci *p, uint32_t off, uint32_t *val);
int vz_reg_write(struct vz_pci *p, uint32_t off, uint32_t val);
int vz_qreg_read(struct vz_queue *q, uint32_t off, uint32_t *val);
int vz_qreg_write(struct vz_queue *q, uint32_t off, uint32_t val);

int vz_pci_probe_class(struct vz_pci *p, struct vc_vfio *v,
		       const struct vz_class *cls, int verbose);
int vz_pci_probe(struct vz_pci *p, struct vc_vfio *v, int verbose);
int vz_pci_function_reset(struct vz_pci *p);

int vz_queue_init(struct vz_queue *q, struct vz_pci *p, unsigned int idx,
		  uint32_t depth, void *sq, uint64_t sq_iova, void *cq,
		  uint64_t cq_iova);
int vz_queue_enable(struct vz_queue *q, int irq);
int vz_queue_disable(struct vz_queue *q);
uint32_t vz_queue_space(const struct vz_queue *q);
int vz_queue_submit(struct vz_queue *q, const struct vzip_sqe *sqe);
int vz_queue_doorbell(struct vz_queue *q);
int vz_queue_reap(struct vz_queue *q, struct vzip_cqe *out, unsigned int max);
int vz_queue_error(struct vz_queue *q, uint32_t *error, uint64_t *iova);
int vz_queue_clear_error(struct vz_queue *q, uint32_t bits);

/*
 * The name of an enum vzip_status as the specification spells it ("OK",
 * "DATA_ERROR", ...), "unknown" for a value it does not define.  User
 * space's one table of them: the tests that link vzpci.c use it too (the
 * kernel's debugfs keeps its own, in lower case).
 */
const char *vz_status_name(unsigned int status);

#endif /* VFIO_CLIENT_VZPCI_H */
