/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the wd_mdev module exports to its KUnit suite
 * (test/kunit/wd_mdev_test.c), in the WARPDRIVE_KUNIT namespace, when the
 * kernel has CONFIG_KUNIT:
 *
 * - object accounting: the number of live accelerators made mdev parents,
 *   of live instances and of their VFIO objects, so a test can check that an unwind freed
 *   everything it allocated;
 * - the module's life: detach every accelerator and attach them again, as
 *   unloading and loading the module would (core.c's own functions,
 *   EXPORT_SYMBOL_IF_KUNIT);
 * - the VFIO container's DMA calls of the vfio-pci instances, which
 *   test/kunit/wd_mdev_vfio_test.c replaces with fakes over its own pages
 *   to count pins and unpins.
 */
#ifndef _WD_MDEV_KUNIT_HOOKS_H
#define _WD_MDEV_KUNIT_HOOKS_H

#include <linux/types.h>

struct page;
struct vfio_device;

enum wd_mdev_obj {
	WD_MDEV_OBJ_ACCEL,
	WD_MDEV_OBJ_INSTANCE,
	WD_MDEV_OBJ_VFIO_DEVICE,
	WD_MDEV_OBJ_VFIO_VQ,
	WD_MDEV_OBJ_VFIO_MIGF,
	WD_MDEV_OBJ_NR,
};

/**
 * struct wd_mdev_vfio_dma - how a vfio-pci instance reaches guest memory
 * @pin: vfio_pin_pages()
 * @unpin: vfio_unpin_pages()
 * @rw: vfio_dma_rw()
 */
struct wd_mdev_vfio_dma {
	int (*pin)(struct vfio_device *vfio_dev, dma_addr_t iova, int npage,
		   int prot, struct page **pages);
	void (*unpin)(struct vfio_device *vfio_dev, dma_addr_t iova, int npage);
	int (*rw)(struct vfio_device *vfio_dev, dma_addr_t iova, void *data,
		  size_t len, bool write);
};

void wd_mdev_kunit_set_vfio_dma(const struct wd_mdev_vfio_dma *dma);

int wd_mdev_kunit_objects(enum wd_mdev_obj obj);

/* core.c, exported for the suite (EXPORTED_FOR_KUNIT_TESTING) */
void wd_mdev_unload(void);
int wd_mdev_load(void);

#endif /* _WD_MDEV_KUNIT_HOOKS_H */
