/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: the queue object, for the layers above the queue.
 *
 * struct wd_queue is two layers' data in one allocation: the rings
 * (ring.c: file, regions, rings and their locks) and the queue object
 * (queue.c: references, the in-flight table of inflight.c, the list of
 * open queues for fork).  Each layer initialises and destroys only its own
 * fields and locks.
 */
#ifndef WD_QUEUE_PRIV_H
#define WD_QUEUE_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <warpdrive/queue.h>

#include "inflight.h"
#include "internal.h"

#define WD_MAX_DEVICES	64

struct wd_mem;

/**
 * struct wd_ring_proto - what tells one device class's queues apart from
 * another's (vzip.c: wd_vzip_ring, vcrypt.c: wd_vcrypt_ring); everything
 * else about a queue (regions, control page, rings, doorbell, the
 * registers up to CQ_OFFSET) is the shared protocol of
 * <misc/uacce/wd_ring.h> and Documentation/vzip.rst
 * @id: index of the class, below WD_RING_NCLASS (shared.c keeps one
 *      shared queue per class)
 * @api: prefix of the uacce api attribute
 * @magic: the MAGIC register's value
 * @version: the VERSION register's value
 * @sqe_size: bytes of a submission entry (at most sizeof(union wd_sqe))
 * @cqe_size: bytes of a completion entry (sizeof(union wd_cqe))
 * @regs_size: bytes of the register page the library reads
 * @cqe_status: offset of the 16-bit status in a completion
 * @sts_aborted: the status of a request the queue's death aborted
 * @slots_reg: register holding the count of the queue's numbered slots
 *             (vcrypt's key slots), 0 for none
 */
struct wd_ring_proto {
	unsigned int id;
	const char *api;
	uint32_t magic;
	uint32_t version;
	uint32_t sqe_size;
	uint32_t cqe_size;
	uint32_t regs_size;
	uint32_t cqe_status;
	uint16_t sts_aborted;
	uint32_t slots_reg;
};

#define WD_RING_NCLASS	2

extern const struct wd_ring_proto wd_vzip_ring;		/* vzip.c */
extern const struct wd_ring_proto wd_vcrypt_ring;	/* vcrypt.c */

/**
 * struct wd_queue - an open, mapped and started queue of a device class
 * @proto: its class
 * @fd: the open /dev/<name>, -1 once a forked child closed it
 * @gen: fork generation it was opened in (see wd_fork_gen)
 * @info: identity and geometry, as wd_queue_get_info() reports
 * @mmio: register page (read-only), @mmio_size bytes
 * @dus: rings and control page, @dus_size bytes
 * @ss: static shared region (no SVA), @ss_size bytes, at device
 *      address @ss_dma
 * @sq_tail: control page word: app's SQ tail
 * @cq_tail: control page word: device's CQ tail
 * @cq_head: control page word: app's CQ head
 * @dev_flags: control page word: WD_RING_DEV_F_*
 * @status: the kernel's status word for this queue
 * @status_offset: its offset in the DUS region
 * @revoked: the SIGBUS guard replaced a revoked region (guard.h)
 * @sq: submission ring, entries of @proto->sqe_size bytes
 * @cq: completion ring, entries of @proto->cqe_size bytes
 * @mask: ring_depth - 1
 * @sva: the device uses process addresses
 * @sq_lock: serialises submitters: SQ slots, @sq_next and *@sq_tail
 * @sq_next: next SQ index to fill (our copy of *@sq_tail)
 * @cq_lock: serialises reapers: CQ slots and *@cq_head
 * @cq_next: next CQ index to read; atomic because submitters read it
 *           without @cq_lock to bound the requests in flight
 * @mem: allocator of the static shared region, NULL with SVA
 * @inflight: requests in flight through the library's sessions (queue.c
 *            creates and destroys it, inflight.c works it)
 * @slot_lock: protects @slot_map
 * @slot_map: bit per numbered slot of the device (vcrypt's key slots),
 *            set while a session holds it; NULL when the class has none
 * @nslots: slots of the queue (the class's @proto->slots_reg register)
 * @refs: references: the opener's, and one per session using it
 * @list: entry in queue.c's list of open queues (for fork)
 */
struct wd_queue {
	const struct wd_ring_proto *proto;
	int fd;
	unsigned int gen;
	struct wd_queue_info info;
	void *mmio;
	size_t mmio_size;
	void *dus;
	size_t dus_size;
	void *ss;
	size_t ss_size;
	uint64_t ss_dma;
	uint32_t *sq_tail;
	const uint32_t *cq_tail;
	uint32_t *cq_head;
	const uint32_t *dev_flags;
	const struct uacce_queue_status *status;
	uint32_t status_offset;
	atomic_bool revoked;
	unsigned char *sq;
	const unsigned char *cq;
	uint32_t mask;
	bool sva;

	pthread_mutex_t sq_lock;
	uint32_t sq_next;

	pthread_mutex_t cq_lock;
	atomic_uint cq_next;

	struct wd_mem *mem;
	struct wd_inflight inflight;
	pthread_mutex_t slot_lock;
	uint64_t *slot_map;
	uint32_t nslots;
	atomic_int refs;
	struct wd_queue *list;
};

/*
 * Bumped in a forked child (by queue.c's fork handler): queues of an
 * older generation are the parent's.
 */
extern atomic_uint wd_fork_gen;

/*
 * Registers queue.c's fork handlers (once), which hold queues_lock and
 * the SIGBUS guard's table lock across fork() (see queue.c).  Called
 * before either lock is first taken, and by shared.c before it registers
 * its own handlers, so that fork() takes its lock first.
 */
void wd_fork_init(void);

static inline bool wd_queue_stale(const struct wd_queue *q)
{
	return q->gen != atomic_load_explicit(&wd_fork_gen,
					      memory_order_relaxed);
}

/* device.c */
int wd_device_scan(struct wd_device *devs, int max);

/**
 * wd_device_select() - the devices of one protocol a new queue may use
 * @api: prefix their api attribute must have (VZIP_API_VERSION,
 *       VCRYPT_API_VERSION)
 * @want: the one device to consider (the caller's, else WD_DEVICE_<CLASS>
 *        or WD_DEVICE: wd_env_device()), NULL for
 *        any device that is not an instance (those are used only when named)
 * @out: filled with the usable ones (not isolated, a free queue), by name
 * @max: room in @out
 * @why: WD_REASON_NONE, or when none is usable why (no device, isolated,
 *       no free queue); WD_REASON_NO_DEVICE when sysfs cannot be read
 *
 * The one selection compression (wd_device_pick()) and crypto
 * (wd_crypto_find_device()) share.
 *
 * Return: number of devices in @out, or -errno when sysfs cannot be read.
 */
int wd_device_select(const char *api, const char *want,
		     struct wd_device *out, int max, enum wd_reason *why);

/**
 * wd_device_pick() - devices of a class to try for a new queue, best
 * first: wd_device_select()'s, the nearest NUMA node first, then the most
 * free queues
 * @proto: the class
 * @params: the caller's wishes, may be NULL
 * @out: filled with candidates
 * @max: room in @out
 * @why: when none is usable, why (no device, isolated, no free queue)
 *
 * Return: number of candidates, or -errno.
 */
int wd_device_pick(const struct wd_ring_proto *proto,
		   const struct wd_queue_params *params,
		   struct wd_device *out, int max, enum wd_reason *why);

/**
 * wd_device_denied() - whether a device of class @api the library would
 * use (the one wd_env_device() names, else any that is not an instance) is
 * there but this process may not open its node (EACCES for its effective
 * IDs, as open(2) checks them: e.g. not a member of the group udev gives
 * the nodes to)
 * @api: prefix of the class's api attribute, as wd_device_select()'s
 *
 * For the error of a session that found no device: -EACCES rather than
 * -ENODEV.  Reads sysfs and faccessat(2), nothing is opened.
 */
bool wd_device_denied(const char *api);

/* ---- ring.c: the device side of a queue ---- */

/**
 * wd_ring_open() - open device @name's queue of class @q->proto into @q:
 * file, regions,
 * registers checked, allocator of the static region, rings started
 * @q: zeroed, the fields of ring.c are filled
 * @name: device name under /dev
 *
 * Return: 0, or -errno with nothing left open (-EBUSY: no free queue).
 */
int wd_ring_open(struct wd_queue *q, const char *name);

/* Stops the queue (the device aborts what is in flight) and unmaps it. */
void wd_ring_close(struct wd_queue *q);

/* In a forked child: lets go of the parent's file, ring locks unlocked. */
void wd_ring_forked(struct wd_queue *q);

/* A register of the queue's page (@off below @q->proto->regs_size). */
uint32_t wd_ring_reg(const struct wd_queue *q, unsigned int off);

/*
 * Submit/wait with counting into a session's counters as well; the
 * entries are of the queue's class.
 */
int wd_queue_submit_ptrs(struct wd_queue *q, const void *const *sqes,
			 unsigned int n, struct wd_counters *cnt);
/* Completions of the queue's class, as wd_queue_reap(). */
int wd_ring_reap(struct wd_queue *q, union wd_cqe *cqes, unsigned int max);
/* Completions published and not reaped yet? (a hint: no lock) */
bool wd_ring_ready(struct wd_queue *q);
int wd_queue_wait_counted(struct wd_queue *q, int timeout_ms,
			  struct wd_counters *cnt);

/* ---- queue.c: the queue object ---- */

/**
 * wd_queue_open_why() - wd_queue_open() for a device class, telling why
 * it failed
 * @qp: the new queue
 * @proto: the class (wd_vzip_ring, wd_vcrypt_ring)
 * @params: as wd_queue_open()
 * @why: on failure, the software-path reason that matches
 */
int wd_queue_open_why(struct wd_queue **qp, const struct wd_ring_proto *proto,
		      const struct wd_queue_params *params,
		      enum wd_reason *why);

/*
 * wd_queue_slot_get() - a free numbered slot of the queue (a vcrypt key
 * slot) for the caller alone: its number, or -ENOSPC when all are taken
 * (-EOPNOTSUPP: the class has none)
 */
int wd_queue_slot_get(struct wd_queue *q);
void wd_queue_slot_put(struct wd_queue *q, unsigned int slot);

/* Another reference to an open queue; wd_queue_close() drops one. */
void wd_queue_ref(struct wd_queue *q);

#endif /* WD_QUEUE_PRIV_H */
