// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-client: VFIO plumbing, the steps a VMM takes to own a vfio-pci
 * device (Documentation/driver-api/vfio.rst of the kernel, "VFIO Usage
 * Example"):
 *
 *  1. open the container /dev/vfio/vfio, check the API version and that the
 *     type1 v2 IOMMU model is there (an mdev's emulated IOMMU group works
 *     only with type1 v2);
 *  2. open the device's group /dev/vfio/<N>, where N is the name of the
 *     iommu_group link of the device in sysfs, and check that it is viable
 *     (all its devices bound to vfio drivers);
 *  3. put the group in the container and pick the IOMMU model;
 *  4. get the device file with the device's name, for an mdev its UUID;
 *  5. read what the device has: regions (config space, BARs) and interrupts.
 *
 * The container then takes DMA mappings: "guest RAM at this IOVA is this
 * memory of mine".  For an mdev nothing is pinned at map time; the vendor
 * driver pins pages while it uses them and must let go when they are
 * unmapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vfio.h"

void vc_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vfio-client: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* The IOMMU group of an mdev: the number its sysfs iommu_group link names. */
static int vc_group_of(const char *uuid, int *group_id)
{
	char link[PATH_MAX], target[PATH_MAX];
	char *end;
	ssize_t n;
	long id;

	snprintf(link, sizeof(link), "/sys/bus/mdev/devices/%s/iommu_group", uuid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0) {
		int err = errno;

		vc_err("%s: %s (no such mdev instance, or it is not a vfio device)",
		       link, strerror(err));
		return -err;
	}
	target[n] = '\0';
	id = strtol(basename(target), &end, 10);
	if (*end || id < 0 || id > INT_MAX) {
		vc_err("%s: unexpected target %s", link, target);
		return -EINVAL;
	}
	*group_id = (int)id;
	return 0;
}

static int vc_get_region(struct vc_vfio *v, unsigned int index,
			 struct vc_region *r)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = index };

	if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, &info)) {
		int err = errno;

		vc_err("VFIO_DEVICE_GET_REGION_INFO %u: %s", index, strerror(err));
		return -err;
	}
	r->offset = info.offset;
	r->size = info.size;
	r->flags = info.flags;
	return 0;
}

static int vc_get_irqs(struct vc_vfio *v)
{
	unsigned int i;

	for (i = 0; i < VFIO_PCI_NUM_IRQS && i < v->num_irqs; i++) {
		struct vfio_irq_info info = { .argsz = sizeof(info), .index = i };

		if (ioctl(v->device, VFIO_DEVICE_GET_IRQ_INFO, &info)) {
			int err = errno;

			vc_err("VFIO_DEVICE_GET_IRQ_INFO %u: %s", i, strerror(err));
			return -err;
		}
		v->irq_count[i] = info.count;
		v->irq_flags[i] = info.flags;
	}
	return 0;
}

/* Container and group, steps 1-3. */
static int vc_open_container(struct vc_vfio *v, const char *uuid)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int api, ret;

	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0) {
		ret = -errno;
		vc_err("/dev/vfio/vfio: %s", strerror(-ret));
		return ret;
	}
	api = ioctl(v->container, VFIO_GET_API_VERSION);
	if (api != VFIO_API_VERSION) {
		vc_err("VFIO API version %d, this program speaks %d", api,
		       VFIO_API_VERSION);
		return -EPROTO;
	}
	if (ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1) {
		vc_err("the kernel has no VFIO type1 v2 IOMMU (vfio_iommu_type1)");
		return -EOPNOTSUPP;
	}

	ret = vc_group_of(uuid, &v->group_id);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/dev/vfio/%d", v->group_id);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0) {
		ret = -errno;
		vc_err("%s: %s%s", path, strerror(-ret),
		       ret == -EBUSY ? " (another VMM has the device)" : "");
		return ret;
	}
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status)) {
		ret = -errno;
		vc_err("VFIO_GROUP_GET_STATUS: %s", strerror(-ret));
		return ret;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		vc_err("group %d is not viable: a device in it is not bound to a vfio driver",
		       v->group_id);
		return -EPERM;
	}
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container)) {
		ret = -errno;
		vc_err("VFIO_GROUP_SET_CONTAINER: %s", strerror(-ret));
		return ret;
	}
	if (ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		ret = -errno;
		vc_err("VFIO_SET_IOMMU type1 v2: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

/**
 * vc_vfio_open() - own the vfio-pci mdev @uuid: steps 1-5 above
 * @v: filled in; vc_vfio_close() it even when this fails
 * @uuid: the instance, as in /sys/bus/mdev/devices/<uuid>
 * @verbose: print what the device has
 */
int vc_vfio_open(struct vc_vfio *v, const char *uuid, int verbose)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int ret;

	memset(v, 0, sizeof(*v));
	v->container = v->group = v->device = -1;

	ret = vc_open_container(v, uuid);
	if (ret)
		return ret;

	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (v->device < 0) {
		ret = -errno;
		vc_err("VFIO_GROUP_GET_DEVICE_FD %s: %s%s", uuid, strerror(-ret),
		       ret == -EBUSY ? " (already open)" : "");
		return ret;
	}
	if (ioctl(v->device, VFIO_DEVICE_GET_INFO, &info)) {
		ret = -errno;
		vc_err("VFIO_DEVICE_GET_INFO: %s", strerror(-ret));
		return ret;
	}
	v->dev_flags = info.flags;
	v->num_regions = info.num_regions;
	v->num_irqs = info.num_irqs;
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX) {
		vc_err("%s is not a vfio-pci device (flags %#x, %u regions)",
		       uuid, info.flags, info.num_regions);
		return -ENODEV;
	}
	ret = vc_get_region(v, VFIO_PCI_CONFIG_REGION_INDEX, &v->config);
	if (!ret)
		ret = vc_get_region(v, VFIO_PCI_BAR0_REGION_INDEX, &v->bar0);
	if (!ret)
		ret = vc_get_irqs(v);
	if (ret)
		return ret;
	if (verbose)
		printf("device %s: group %d, flags %#x%s, %u regions, %u irq indexes\n"
		       "  config: %#llx bytes at %#llx; BAR0: %#llx bytes at %#llx, flags %#x\n"
		       "  irqs: INTx %u, MSI %u, MSI-X %u, err %u, req %u\n",
		       uuid, v->group_id, info.flags,
		       info.flags & VFIO_DEVICE_FLAGS_RESET ? " (reset)" : "",
		       info.num_regions, info.num_irqs,
		       (unsigned long long)v->config.size,
		       (unsigned long long)v->config.offset,
		       (unsigned long long)v->bar0.size,
		       (unsigned long long)v->bar0.offset, v->bar0.flags,
		       v->irq_count[VFIO_PCI_INTX_IRQ_INDEX],
		       v->irq_count[VFIO_PCI_MSI_IRQ_INDEX],
		       v->irq_count[VFIO_PCI_MSIX_IRQ_INDEX],
		       v->irq_count[VFIO_PCI_ERR_IRQ_INDEX],
		       v->irq_count[VFIO_PCI_REQ_IRQ_INDEX]);
	return 0;
}

/*
 * Closing the device file is what hands the device back: the vendor driver
 * stops it and drops every page it pinned.  The group leaves the container
 * when the group file closes, and the container's mappings go with it.
 */
void vc_vfio_close(struct vc_vfio *v)
{
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	v->container = v->group = v->device = -1;
}

/**
 * vc_dma_map() - make @size bytes of our memory at @host visible to the
 * device at IO virtual address @iova (the guest-physical address in a VM)
 */
int vc_dma_map(struct vc_vfio *v, void *host, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)host,
		.iova = iova,
		.size = size,
	};

	if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map)) {
		int err = errno;

		vc_err("VFIO_IOMMU_MAP_DMA %#llx+%#llx: %s",
		       (unsigned long long)iova, (unsigned long long)size,
		       strerror(err));
		return -err;
	}
	return 0;
}

/**
 * vc_dma_unmap() - take a mapping back; returns once the device lets go
 *
 * Type1 calls the vendor driver's dma_unmap callback, which must unpin what
 * it holds in the range, before the ioctl returns.
 */
int vc_dma_unmap(struct vc_vfio *v, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap)) {
		int err = errno;

		vc_err("VFIO_IOMMU_UNMAP_DMA %#llx+%#llx: %s",
		       (unsigned long long)iova, (unsigned long long)size,
		       strerror(err));
		return -err;
	}
	if (unmap.size != size) {
		vc_err("VFIO_IOMMU_UNMAP_DMA %#llx: unmapped %#llx bytes of %#llx",
		       (unsigned long long)iova, (unsigned long long)unmap.size,
		       (unsigned long long)size);
		return -EIO;
	}
	return 0;
}

/*
 * Regions without mmap support (all of this device's) are accessed with
 * pread/pwrite at the region's offset in the device file: each access is a
 * trap into the vendor driver, as a VM exit is in a real VMM.
 */
int vc_region_read(struct vc_vfio *v, const struct vc_region *r,
		   uint64_t off, void *buf, size_t len)
{
	ssize_t n;

	if (off + len > r->size) {
		vc_err("read of %zu bytes at %#llx: past the region's %#llx bytes",
		       len, (unsigned long long)off, (unsigned long long)r->size);
		return -EINVAL;
	}
	n = pread(v->device, buf, len, (off_t)(r->offset + off));
	if (n != (ssize_t)len) {
		int err = n < 0 ? errno : EIO;

		vc_err("read of %zu bytes at region offset %#llx: %s", len,
		       (unsigned long long)off, n < 0 ? strerror(err) : "short read");
		return -err;
	}
	return 0;
}

int vc_region_write(struct vc_vfio *v, const struct vc_region *r,
		    uint64_t off, const void *buf, size_t len)
{
	ssize_t n;

	if (off + len > r->size) {
		vc_err("write of %zu bytes at %#llx: past the region's %#llx bytes",
		       len, (unsigned long long)off, (unsigned long long)r->size);
		return -EINVAL;
	}
	n = pwrite(v->device, buf, len, (off_t)(r->offset + off));
	if (n != (ssize_t)len) {
		int err = n < 0 ? errno : EIO;

		vc_err("write of %zu bytes at region offset %#llx: %s", len,
		       (unsigned long long)off, n < 0 ? strerror(err) : "short write");
		return -err;
	}
	return 0;
}

/**
 * vc_irq_set_eventfds() - deliver interrupts of irq @index (INTx, MSI or
 * the request interrupt) by signalling these eventfds, one per vector
 *
 * This is VFIO_DEVICE_SET_IRQS with DATA_EVENTFD | ACTION_TRIGGER: what
 * QEMU does when the guest enables MSI (QEMU's eventfd then feeds KVM's
 * irqfd; we read it ourselves).
 */
int vc_irq_set_eventfds(struct vc_vfio *v, unsigned int index,
			const int *fds, unsigned int count)
{
	size_t sz = sizeof(struct vfio_irq_set) + count * sizeof(int);
	struct vfio_irq_set *set = calloc(1, sz);
	int ret = 0;

	if (!set)
		return -ENOMEM;
	set->argsz = (uint32_t)sz;
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = index;
	set->start = 0;
	set->count = count;
	memcpy(set->data, fds, count * sizeof(int));
	if (ioctl(v->device, VFIO_DEVICE_SET_IRQS, set)) {
		ret = -errno;
		vc_err("VFIO_DEVICE_SET_IRQS index %u, %u eventfds: %s", index,
		       count, strerror(-ret));
	}
	free(set);
	return ret;
}

/* Turn an irq index off: DATA_NONE | ACTION_TRIGGER with count 0. */
int vc_irq_disable(struct vc_vfio *v, unsigned int index)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = index,
	};

	if (ioctl(v->device, VFIO_DEVICE_SET_IRQS, &set)) {
		int err = errno;

		vc_err("VFIO_DEVICE_SET_IRQS index %u off: %s", index, strerror(err));
		return -err;
	}
	return 0;
}

/*
 * INTx is level triggered: VFIO masks it when it fires, and the VMM
 * unmasks it once the guest has serviced the device (QEMU does it on the
 * guest's EOI).
 */
int vc_irq_unmask(struct vc_vfio *v, unsigned int index)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		.index = index,
		.count = 1,
	};

	if (ioctl(v->device, VFIO_DEVICE_SET_IRQS, &set)) {
		int err = errno;

		vc_err("VFIO_DEVICE_SET_IRQS index %u unmask: %s", index, strerror(err));
		return -err;
	}
	return 0;
}

/* VFIO_DEVICE_RESET: what QEMU does at a system reset of the guest. */
int vc_reset(struct vc_vfio *v)
{
	if (!(v->dev_flags & VFIO_DEVICE_FLAGS_RESET)) {
		vc_err("the device does not support VFIO_DEVICE_RESET");
		return -EOPNOTSUPP;
	}
	if (ioctl(v->device, VFIO_DEVICE_RESET)) {
		int err = errno;

		vc_err("VFIO_DEVICE_RESET: %s", strerror(err));
		return -err;
	}
	return 0;
}

/* ---- migration: VFIO_DEVICE_FEATURE ---- */

/* QEMU 8 asks it; 6.1's <linux/vfio.h> does not have it yet */
#ifndef VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
#define VFIO_DEVICE_FEATURE_MIG_DATA_SIZE 9
struct vfio_device_feature_mig_data_size {
	__aligned_u64 stop_copy_length;
};
#endif

const char *vc_mig_state_name(uint32_t state)
{
	static const char *const names[] = {
		[VFIO_DEVICE_STATE_ERROR] = "ERROR",
		[VFIO_DEVICE_STATE_STOP] = "STOP",
		[VFIO_DEVICE_STATE_RUNNING] = "RUNNING",
		[VFIO_DEVICE_STATE_STOP_COPY] = "STOP_COPY",
		[VFIO_DEVICE_STATE_RESUMING] = "RESUMING",
		[VFIO_DEVICE_STATE_RUNNING_P2P] = "RUNNING_P2P",
	};

	if (state < sizeof(names) / sizeof(names[0]))
		return names[state];
	return "unknown";
}

/*
 * VFIO_DEVICE_FEATURE with @len bytes of @data after the header, copied
 * back for a GET.  Returns 0 or -errno, printing nothing.
 */
static int vc_feature(struct vc_vfio *v, uint32_t flags, void *data,
		      size_t len)
{
	/* the header is 8 bytes: the data stays 8-byte aligned */
	uint64_t buf[(sizeof(struct vfio_device_feature) + 64) / 8];
	struct vfio_device_feature *f = (void *)buf;

	if (len > 64)
		return -EINVAL;
	memset(buf, 0, sizeof(buf));
	f->argsz = (uint32_t)(sizeof(*f) + len);
	f->flags = flags;
	memcpy(f->data, data, len);
	if (ioctl(v->device, VFIO_DEVICE_FEATURE, f))
		return -errno;
	memcpy(data, f->data, len);
	return 0;
}

/* VFIO_DEVICE_FEATURE_MIGRATION: what the device supports (STOP_COPY, P2P) */
int vc_mig_flags(struct vc_vfio *v, uint64_t *flags)
{
	struct vfio_device_feature_migration mig = { 0 };
	int ret = vc_feature(v, VFIO_DEVICE_FEATURE_GET |
			     VFIO_DEVICE_FEATURE_MIGRATION, &mig, sizeof(mig));

	if (ret) {
		vc_err("VFIO_DEVICE_FEATURE GET MIGRATION: %s%s", strerror(-ret),
		       ret == -ENOTTY ? " (the device cannot migrate)" : "");
		return ret;
	}
	*flags = mig.flags;
	return 0;
}

int vc_mig_get_state(struct vc_vfio *v, uint32_t *state)
{
	struct vfio_device_feature_mig_state st = { 0 };
	int ret = vc_feature(v, VFIO_DEVICE_FEATURE_GET |
			     VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &st, sizeof(st));

	if (ret) {
		vc_err("VFIO_DEVICE_FEATURE GET MIG_DEVICE_STATE: %s", strerror(-ret));
		return ret;
	}
	*state = st.device_state;
	return 0;
}

/**
 * vc_mig_set_state() - move the device to migration state @state
 * @data_fd: the data file the new state opens (STOP_COPY, RESUMING), or
 *	-1; NULL when the caller expects none
 *
 * The kernel walks the arcs between the states (RUNNING -> STOP_COPY goes
 * through RUNNING_P2P and STOP).  On failure the device may be in any
 * state on the way (VFIO_DEVICE_RESET brings it back to RUNNING).
 */
int vc_mig_set_state(struct vc_vfio *v, uint32_t state, int *data_fd)
{
	struct vfio_device_feature_mig_state st = {
		.device_state = state, .data_fd = -1,
	};
	int ret = vc_feature(v, VFIO_DEVICE_FEATURE_SET |
			     VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &st, sizeof(st));

	if (ret) {
		vc_err("VFIO_DEVICE_FEATURE SET MIG_DEVICE_STATE %s: %s",
		       vc_mig_state_name(state), strerror(-ret));
		return ret;
	}
	if (data_fd)
		*data_fd = st.data_fd;
	else if (st.data_fd >= 0)
		close(st.data_fd);
	return 0;
}

/* VFIO_DEVICE_FEATURE_MIG_DATA_SIZE: the bytes STOP_COPY will give */
int vc_mig_data_size(struct vc_vfio *v, uint64_t *size)
{
	struct vfio_device_feature_mig_data_size ds = { 0 };
	int ret = vc_feature(v, VFIO_DEVICE_FEATURE_GET |
			     VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, &ds, sizeof(ds));

	if (ret) {
		vc_err("VFIO_DEVICE_FEATURE GET MIG_DATA_SIZE: %s", strerror(-ret));
		return ret;
	}
	*size = ds.stop_copy_length;
	return 0;
}

/* ---- dirty page tracking: VFIO_IOMMU_DIRTY_PAGES on the container ---- */

static int vc_dirty_flag(struct vc_vfio *v, uint32_t flag, const char *what)
{
	struct vfio_iommu_type1_dirty_bitmap db = {
		.argsz = sizeof(db), .flags = flag,
	};

	if (ioctl(v->container, VFIO_IOMMU_DIRTY_PAGES, &db)) {
		int err = errno;

		vc_err("VFIO_IOMMU_DIRTY_PAGES %s: %s (type1 refuses dirty page tracking in this container)",
		       what, strerror(err));
		return -err;
	}
	return 0;
}

/* Log the pages the container's devices write (pin, or vfio_dma_rw()). */
int vc_dirty_start(struct vc_vfio *v)
{
	return vc_dirty_flag(v, VFIO_IOMMU_DIRTY_PAGES_FLAG_START, "START");
}

int vc_dirty_stop(struct vc_vfio *v)
{
	return vc_dirty_flag(v, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP, "STOP");
}

/**
 * vc_dirty_get() - the dirty bitmap of the mapping [@iova, @iova + @size)
 * @bitmap: @bitmap_bytes zeroed bytes, a multiple of 8 with a bit per 4 KiB
 *	page; type1 clears its log of the range (pinned pages stay dirty)
 */
int vc_dirty_get(struct vc_vfio *v, uint64_t iova, uint64_t size,
		 uint64_t *bitmap, uint64_t bitmap_bytes)
{
	/* the header, then struct vfio_iommu_type1_dirty_bitmap_get */
	uint64_t buf[(sizeof(struct vfio_iommu_type1_dirty_bitmap) +
		      sizeof(struct vfio_iommu_type1_dirty_bitmap_get) + 7) / 8];
	struct vfio_iommu_type1_dirty_bitmap *db = (void *)buf;
	struct vfio_iommu_type1_dirty_bitmap_get *get = (void *)db->data;

	memset(buf, 0, sizeof(buf));
	db->argsz = sizeof(*db) + sizeof(*get);
	db->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	get->iova = iova;
	get->size = size;
	get->bitmap.pgsize = 4096;
	get->bitmap.size = bitmap_bytes;
	get->bitmap.data = (__u64 *)bitmap;
	if (ioctl(v->container, VFIO_IOMMU_DIRTY_PAGES, db)) {
		int err = errno;

		vc_err("VFIO_IOMMU_DIRTY_PAGES GET_BITMAP %#llx+%#llx: %s",
		       (unsigned long long)iova, (unsigned long long)size,
		       strerror(err));
		return -err;
	}
	return 0;
}
