/* SPDX-License-Identifier: GPL-2.0+ WITH Linux-syscall-note */
/*
 * Registered memory, for every WarpDrive device class (vzip, vcrypt): a
 * range of the process's memory pinned once and reached by the queue's
 * requests without pinning it again for each, as io_uring's fixed buffers.
 * Only on a device with SVA (UACCE_DEV_SVA); without it the static shared
 * region already is such memory, and both commands fail with EOPNOTSUPP.
 *
 * The ioctls are issued on a queue's file by the process that opened it.
 * A registration belongs to the queue: it ends with WD_MEM_CMD_UNREGISTER
 * or when the queue's file is released (close, exit, kill).  Its pages
 * count in the opener's pinned memory (VmPin) while registered and,
 * without CAP_IPC_LOCK, in its user's locked memory, within
 * RLIMIT_MEMLOCK, as io_uring's registered buffers: the limit bounds all
 * the user's processes together, since the file outlives an exec (after
 * which the new image's VmPin does not show them).  A request whose range
 * lies entirely inside a registered region reaches the pages pinned at
 * registration; any other range is pinned for the request as before.
 *
 * The memory is anonymous or shared memory (MAP_ANONYMOUS, memfd, tmpfs,
 * SysV shm, hugetlbfs): a mapping of another file is refused, since its
 * page cache cannot stay pinned.  A private mapping is pinned as the
 * process's own pages, copied at registration if they were shared (or
 * never written), whatever the flags: the process's later writes reach
 * the device.  So a private mapping must be writable; a shared one need
 * be only with WD_MEM_F_WRITE.
 *
 * Documentation/engine.rst, "Registered memory", says more.
 */
#ifndef _UAPI_MISC_UACCE_WD_MEM_H
#define _UAPI_MISC_UACCE_WD_MEM_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* registrations a queue may hold at once */
#define WD_MEM_MAX_REGIONS	64
/* bytes of one registration at most */
#define WD_MEM_MAX_LEN		(1ULL << 30)

/* the device may write the region (it is pinned writable) */
#define WD_MEM_F_WRITE		0x1

/**
 * struct wd_mem_region - a range of the process's memory
 * @addr: its first byte, page aligned
 * @len: bytes, a nonzero multiple of the page size, at most WD_MEM_MAX_LEN
 * @flags: WD_MEM_F_*
 * @reserved: 0
 */
struct wd_mem_region {
	__u64 addr;
	__u64 len;
	__u32 flags;
	__u32 reserved;
};

/*
 * WD_MEM_CMD_REGISTER - pin a region for the queue's requests.
 *
 * EINVAL: a field is out of range; EEXIST: it overlaps a registered
 * region; ENOSPC: WD_MEM_MAX_REGIONS are registered; EFAULT: a page is
 * not mapped, or not writable with WD_MEM_F_WRITE or in a private
 * mapping; ENOMEM: beyond RLIMIT_MEMLOCK (the user's locked memory, which
 * io_uring, AF_XDP and MSG_ZEROCOPY count too); EPERM: the caller is not
 * the process that opened the queue; EOPNOTSUPP: the device has no SVA, or
 * the range maps a file other than shmem or hugetlbfs; ENXIO: the device
 * was removed meanwhile.  The region is accounted and pinned before it is
 * checked against the others: near RLIMIT_MEMLOCK, an overlapping region
 * may fail with ENOMEM rather than EEXIST.
 */
#define WD_MEM_CMD_REGISTER	_IOW('W', 0x80, struct wd_mem_region)

/*
 * WD_MEM_CMD_UNREGISTER - end the registration of @addr and @len (@flags
 * is ignored).  It returns once no request of the queue uses the region
 * any more, its pages unpinned and unaccounted; a request still waiting
 * for its other pages is given up if the queue stops meanwhile (PUT_Q,
 * the device's removal), which this wait does not hold up.  ENOENT: no
 * such registration.
 */
#define WD_MEM_CMD_UNREGISTER	_IOW('W', 0x81, struct wd_mem_region)

#endif /* _UAPI_MISC_UACCE_WD_MEM_H */
