/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-client: the VFIO plumbing a VMM needs for one vfio-pci device, here
 * an mdev instance (mediated device): container, IOMMU group, device file,
 * regions, interrupts and DMA mappings.  Nothing in this file knows vzip;
 * it is what QEMU's hw/vfio does for any assigned PCI function.
 *
 * Every function returns 0 or a negative errno and, on failure, prints one
 * line saying what failed to stderr (vc_err()).
 */
#ifndef VFIO_CLIENT_VFIO_H
#define VFIO_CLIENT_VFIO_H

#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>

/* One region of the device, as VFIO_DEVICE_GET_REGION_INFO reports it. */
struct vc_region {
	uint64_t offset;	/* where it starts in the device file */
	uint64_t size;		/* 0: the device does not have it */
	uint32_t flags;		/* VFIO_REGION_INFO_FLAG_* */
};

/* An open vfio device, with the container and group it came through. */
struct vc_vfio {
	int container;		/* /dev/vfio/vfio: the IOMMU context */
	int group;		/* /dev/vfio/<group>: the device's IOMMU group */
	int device;		/* the device file: regions, irqs, reset */
	int group_id;
	uint32_t dev_flags;	/* VFIO_DEVICE_FLAGS_* */
	uint32_t num_regions;
	uint32_t num_irqs;
	struct vc_region config;	/* PCI config space */
	struct vc_region bar0;		/* the register BAR */
	uint32_t irq_count[VFIO_PCI_NUM_IRQS];	/* vectors per irq index */
	uint32_t irq_flags[VFIO_PCI_NUM_IRQS];	/* VFIO_IRQ_INFO_* */
};

__attribute__((format(printf, 1, 2)))
void vc_err(const char *fmt, ...);

int vc_vfio_open(struct vc_vfio *v, const char *uuid, int verbose);
void vc_vfio_close(struct vc_vfio *v);

int vc_dma_map(struct vc_vfio *v, void *host, uint64_t iova, uint64_t size);
int vc_dma_unmap(struct vc_vfio *v, uint64_t iova, uint64_t size);

int vc_region_read(struct vc_vfio *v, const struct vc_region *r,
		   uint64_t off, void *buf, size_t len);
int vc_region_write(struct vc_vfio *v, const struct vc_region *r,
		    uint64_t off, const void *buf, size_t len);

int vc_irq_set_eventfds(struct vc_vfio *v, unsigned int index,
			const int *fds, unsigned int count);
int vc_irq_disable(struct vc_vfio *v, unsigned int index);
int vc_irq_unmask(struct vc_vfio *v, unsigned int index);
int vc_reset(struct vc_vfio *v);

/*
 * VFIO migration v2 (VFIO_DEVICE_FEATURE) and type1 dirty page tracking
 * (VFIO_IOMMU_DIRTY_PAGES); Documentation/migration.rst.
 */
const char *vc_mig_state_name(uint32_t state);
int vc_mig_flags(struct vc_vfio *v, uint64_t *flags);
int vc_mig_get_state(struct vc_vfio *v, uint32_t *state);
int vc_mig_set_state(struct vc_vfio *v, uint32_t state, int *data_fd);
int vc_mig_data_size(struct vc_vfio *v, uint64_t *size);
int vc_dirty_start(struct vc_vfio *v);
int vc_dirty_stop(struct vc_vfio *v);
int vc_dirty_get(struct vc_vfio *v, uint64_t iova, uint64_t size,
		 uint64_t *bitmap, uint64_t bitmap_bytes);

#endif /* VFIO_CLIENT_VFIO_H */
