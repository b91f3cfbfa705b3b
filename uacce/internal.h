/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Declarations shared by the files of the uacce module; not an API.
 */
#ifndef _UACCE_INTERNAL_H
#define _UACCE_INTERNAL_H

#include <linux/uacce.h>

#include "kunit_hooks.h"

#define to_uacce_device(d)	container_of(d, struct uacce_device, dev)

/*
 * The queue can be used: not released, its device not being removed.
 * Call with q->state_lock or q->mutex held.
 */
static inline bool uacce_queue_usable(struct uacce_queue *q)
{
	return !q->revoked && q->state != UACCE_Q_ZOMBIE;
}

/* minor.c */
int uacce_minor_alloc(struct uacce_device *uacce, u32 max);
void uacce_minor_publish(struct uacce_device *uacce);
void uacce_minor_withdraw(struct uacce_device *uacce);
void uacce_minor_free(struct uacce_device *uacce);
struct uacce_device *uacce_get_by_minor(unsigned int minor);

/* ioctl.c */
int uacce_ioctls_valid(struct device *parent, const struct uacce_ops *ops);
long uacce_driver_ioctl(struct uacce_queue *q, unsigned int cmd,
			void __user *uarg);

/* queue.c */
extern const struct file_operations uacce_fops;
void uacce_queue_remove(struct uacce_queue *q);

/* region.c */
int uacce_fops_mmap(struct file *filep, struct vm_area_struct *vma);
long uacce_region_get_ss(struct uacce_queue *q, void __user *arg);
void uacce_region_queue_stopped(struct uacce_queue *q);
void uacce_region_queue_dead(struct uacce_queue *q);
void uacce_region_free_all(struct uacce_queue *q);

/* budget.c */
bool uacce_queue_budget_get(struct uacce_device *uacce);
void uacce_queue_budget_put(struct uacce_device *uacce);

/* extension.c */
void uacce_extension_offer(struct uacce_device *uacce);
void uacce_extension_withdraw(struct uacce_device *uacce);

/* sysfs.c */
extern const struct attribute_group *uacce_dev_groups[];

/* isolation.c */
int uacce_isolation_init(struct uacce_device *uacce);
void uacce_isolation_link(struct uacce_device *uacce,
			  struct uacce_device *parent);
void uacce_isolation_shutdown(struct uacce_device *uacce);
void uacce_isolation_free(struct uacce_device *uacce);
u32 uacce_isolation_threshold(struct uacce_device *uacce);
int uacce_isolation_set_threshold(struct uacce_device *uacce, u32 threshold);
/* and uacce_isolation_record(), uacce_isolation_flush(): kunit_hooks.h */

/* kunit_hooks.c, object accounting: see kunit_hooks.h */
#if IS_ENABLED(CONFIG_KUNIT)
void uacce_obj_count(enum uacce_obj obj, int delta);
#else
static inline void uacce_obj_count(enum uacce_obj obj, int delta)
{
}
#endif

#endif /* _UACCE_INTERNAL_H */
