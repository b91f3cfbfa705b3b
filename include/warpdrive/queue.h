/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive queue layer: one hardware queue of a vzip device, driven
 * from user space with no system call on the data path.
 *
 *	struct wd_queue *q;
 *	struct vzip_sqe sqe = { .opcode = VZIP_OP_NOP,
 *				.version = VZIP_SQE_VERSION };
 *	struct vzip_cqe cqe;
 *
 *	ret = wd_queue_open(&q, NULL);
 *	ret = wd_queue_submit(q, &sqe, 1);
 *	while ((ret = wd_queue_reap(q, &cqe, 1)) == 0)
 *		wd_queue_wait(q, -1);
 *	wd_queue_close(q);
 *
 * The descriptors are those of <misc/uacce/vzip.h> (Documentation/vzip.rst).
 * A queue is thread-safe: submitters are serialised with each other and
 * reapers with each other, and the two sides do not block one another.
 * Whoever reaps a completion owns it; <warpdrive/comp.h> builds request
 * tracking, fallback and streams on top of this and is what applications
 * normally use.
 *
 * The regions of a queue are not inherited by a child process (uacce maps
 * them VM_DONTCOPY): in a child every call on a queue opened by the parent
 * returns -ECHILD, and wd_queue_close() only frees the parent's object.
 */
#ifndef WARPDRIVE_QUEUE_H
#define WARPDRIVE_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <misc/uacce/uacce.h>
#include <misc/uacce/vzip.h>
#include <warpdrive/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct wd_queue;

#define WD_NAME_MAX	64

/**
 * struct wd_device - a device found in /sys/class/uacce
 * @name: device name, the node is /dev/<name> (e.g. "vzip-0")
 * @api: its protocol ("vzip_v1" for the devices this library drives)
 * @node: NUMA node of the device, -1 if none
 * @flags: UACCE_DEV_* (UACCE_DEV_SVA: it can use process addresses)
 * @available: queues that can still be opened, -1 if unknown
 * @isolated: 1 if uacce isolated it after hardware errors
 */
struct wd_device {
	char name[WD_NAME_MAX];
	char api[WD_NAME_MAX];
	int node;
	unsigned int flags;
	int available;
	int isolated;
};

/**
 * wd_devices() - list the uacce devices of the system
 * @devs: array to fill, may be NULL when @max is 0
 * @max: entries in @devs
 *
 * Lists every device in /sys/class/uacce, whatever its protocol, sorted
 * by name.  Devices beyond @max are counted but not stored.
 *
 * Return: number of devices (0 if there is no uacce class), or -errno.
 */
int wd_devices(struct wd_device *devs, int max);

/* wd_queue_params.flags */
#define WD_QUEUE_F_NODE	0x1	/* prefer @node over the caller's node */

/**
 * struct wd_queue_params - where to open a queue (all zero: anywhere)
 * @device: name of the device to use, or NULL for the best one
 * @node: NUMA node to prefer, with WD_QUEUE_F_NODE
 * @flags: WD_QUEUE_F_*
 *
 * The best device is one that speaks vzip_v1, is not isolated and has a
 * free queue; among those, the nearest to the preferred node (by default
 * the node of the calling CPU), then the one with the most free queues.
 * The environment variable WD_DEVICE_VZIP, else WD_DEVICE, restricts the
 * choice to one device; @device wins over both.
 */
struct wd_queue_params {
	const char *device;
	int node;
	unsigned int flags;
};

/**
 * wd_queue_open() - open, map and start a queue
 * @qp: the new queue
 * @params: where to open it; NULL for anywhere
 *
 * Maps the register page, the rings and, on a device without SVA, the
 * static shared region that data must live in.
 *
 * Return: 0; -ENODEV if no suitable device exists (or the named one is
 * missing, isolated or speaks another protocol); -EBUSY if they have no
 * free queue; -EACCES if /dev/<name> may not be opened; -errno otherwise.
 */
int wd_queue_open(struct wd_queue **qp, const struct wd_queue_params *params);

/**
 * wd_queue_close() - release a queue
 * @q: the queue, may be NULL
 *
 * Sessions given the queue (struct wd_comp_params.queue) hold it open
 * until they close; the last user stops and closes it.  Requests still in
 * flight then are aborted by the device, and their memory must stay valid
 * until this returns.
 */
void wd_queue_close(struct wd_queue *q);

/**
 * struct wd_queue_info - identity and geometry of an open queue
 * @device: device name
 * @dev_id: N of /dev/vzip-N
 * @qid: queue index in the device
 * @node: NUMA node of the device, -1 if none
 * @flags: UACCE_DEV_* of the device
 * @ring_depth: entries per ring; at most this many requests are in flight
 * @ctx_size: bytes of one stream context
 * @max_len: largest src_len and dst_len of one descriptor
 * @caps: VZIP_CAP_*
 * @ss_size: bytes of the mapped static shared region (0 with SVA)
 */
struct wd_queue_info {
	char device[WD_NAME_MAX];
	int dev_id;
	int qid;
	int node;
	unsigned int flags;
	unsigned int ring_depth;
	unsigned int ctx_size;
	unsigned int max_len;
	unsigned int caps;
	size_t ss_size;
};

/**
 * wd_queue_get_info() - describe an open queue
 * @q: the queue
 * @info: filled in
 */
void wd_queue_get_info(const struct wd_queue *q, struct wd_queue_info *info);

/**
 * wd_queue_fd() - the queue's file descriptor, for poll()/epoll (POLLIN:
 * completions are ready)
 * @q: the queue
 *
 * Return: the descriptor; it belongs to the queue, do not close it.
 */
int wd_queue_fd(const struct wd_queue *q);

/**
 * wd_queue_submit() - add descriptors to the submission ring
 * @q: the queue
 * @sqes: descriptors, copied; @sqes[i].user_data comes back in the
 *        completion
 * @n: number of descriptors
 *
 * Publishes them to the device with one ring-tail update and, if the
 * device's engine announced it is going to sleep, wakes it (one ioctl).
 * At most ring_depth requests may be in flight (submitted and not yet
 * reaped); descriptors beyond that are not taken.
 *
 * Return: number of descriptors accepted (0 if the ring is full), or
 * -ENODEV/-EIO if the queue is dead (see wd_queue_check()), -ECHILD in a
 * forked child.
 */
int wd_queue_submit(struct wd_queue *q, const struct vzip_sqe *sqes,
		    unsigned int n);

/**
 * wd_queue_reap() - take completions from the completion ring
 * @q: the queue
 * @cqes: array to fill
 * @max: entries in @cqes
 *
 * Never blocks.
 *
 * Return: number of completions taken (0 if none is ready), or -ECHILD.
 */
int wd_queue_reap(struct wd_queue *q, struct vzip_cqe *cqes, unsigned int max);

/**
 * wd_queue_wait() - sleep until completions are ready
 * @q: the queue
 * @timeout_ms: as for poll(): -1 waits for ever, 0 only checks
 *
 * Return: 0 when completions are ready; -ETIMEDOUT; -ENODEV/-EIO if the
 * queue died (requests in flight then complete as aborted or never);
 * -EINTR if a signal arrived; -ECHILD.
 */
int wd_queue_wait(struct wd_queue *q, int timeout_ms);

/**
 * wd_queue_check() - is the queue still usable?
 * @q: the queue
 *
 * Reads the status word the kernel keeps in shared memory: no system call.
 *
 * Return: 0 if usable; -ENODEV if its device was removed or isolated;
 * -EIO after a hardware error on the queue; -ECANCELED if it was stopped;
 * -ECHILD in a forked child.
 */
int wd_queue_check(const struct wd_queue *q);

/**
 * wd_queue_inflight() - requests submitted and not yet reaped
 * @q: the queue
 */
unsigned int wd_queue_inflight(const struct wd_queue *q);

/**
 * wd_queue_addr() - device address of a buffer, for vzip_sqe src/dst/ctx
 * @q: the queue
 * @p: start of the buffer
 * @len: its length
 *
 * With SVA the device uses process addresses and this is @p itself.
 * Without SVA data must lie inside the static shared region.
 *
 * Return: the address, or 0 if the device cannot reach [@p, @p + @len).
 */
uint64_t wd_queue_addr(const struct wd_queue *q, const void *p, size_t len);

/**
 * wd_queue_ss() - the static shared region of a device without SVA
 * @q: the queue
 * @size: its size, may be NULL
 *
 * Return: its start, or NULL when the queue has none (SVA devices).
 */
void *wd_queue_ss(const struct wd_queue *q, size_t *size);

#ifdef __cplusplus
}
#endif

#endif /* WARPDRIVE_QUEUE_H */
