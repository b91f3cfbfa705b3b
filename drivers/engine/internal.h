/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wd_engine internals, shared by its files:
 *
 *	sched.c		the scheduler: which queue an engine serves next,
 *			tenants' vtime, NEED_WAKEUP, the doorbell kick
 *	engine.c	the engines: kernel threads, polling and sleep, CPU
 *			placement, start and stop; the module
 *	serve.c		one request of a hardware queue: fetch, the class's
 *			decode, execute and complete, post, wake; it calls
 *			sched.c and ring.c
 *	dma.c		address translation: SVA pinning, the SS region, the
 *			wd_buf accessors; it calls mem.c only
 *	ring.c		a hardware queue's rings: memory, reset, fetch and
 *			post by entry size (a leaf too)
 *	mem.c		registered memory: a queue's regions pinned once,
 *			their ioctls, the lookup dma.c makes (a leaf)
 *	seal.c		SipHash-2-4 tags of what the device keeps in user
 *			memory (stream contexts; a leaf)
 *	debugfs.c	the engines' debugfs: inject_hw_error, the counters
 *			(a leaf)
 *	vq.c		the queues of vfio-pci instances on the scheduler
 *	queue.c		a device's hardware queues: their memory, the
 *			class's registers (wd_accel_ops), the one uacce_ops
 *			of every class; it calls sched.c, ring.c and mem.c
 *	device.c	the probe and remove of a class's device, the
 *			platform devices of its module; it calls engine.c
 *			and queue.c
 */
#ifndef _DRIVERS_ENGINE_INTERNAL_H
#define _DRIVERS_ENGINE_INTERNAL_H

#include <linux/wd_engine.h>

/* serve.c */
int wd_serve_alloc(struct wd_engine *e);
void wd_serve_free(struct wd_engine *e);
void wd_serve(struct wd_engine *e, struct wd_sched_ent *ent);

/* sched.c */
bool wd_sched_any_work(struct wd_engine_dev *wdev);

/* mem.c */
bool wd_mem_get(struct wd_mem_table *t, const struct wd_dma_range *r,
		struct wd_buf *buf);
void wd_mem_put(struct wd_mem_reg *reg);
struct wd_mem_reg *wd_mem_prepare(struct uacce_queue *uq,
				  const struct wd_mem_region *u);
long wd_mem_commit(struct wd_mem_table *t, struct wd_mem_reg *reg);
void wd_mem_cancel(struct wd_mem_reg *reg);
long wd_mem_unregister(struct wd_mem_table *t, struct uacce_queue *uq,
		       const struct wd_mem_region *u, struct wd_mem_reg **reg);
void wd_mem_unregistered(struct wd_mem_reg *reg);

/* queue.c */
extern const struct uacce_ops wd_hwq_uacce_ops;
int wd_hwqs_create(struct wd_accel *a);
void wd_hwqs_destroy(struct wd_accel *a);

#endif /* _DRIVERS_ENGINE_INTERNAL_H */
