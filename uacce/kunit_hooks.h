/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the uacce module exports to its KUnit suite (test/kunit/uacce_test.c)
 * when the kernel has CONFIG_KUNIT:
 *
 * - object accounting (kunit_hooks.c): the number of live devices, queues,
 *   mapped regions and static shared buffers, so a test can check that an
 *   unwind freed everything it allocated (WARPDRIVE_KUNIT namespace);
 * - the isolation clock (isolation.c): record a hardware error at a given
 *   time, and wait until an isolation reached the queues
 *   (EXPORT_SYMBOL_IF_KUNIT: EXPORTED_FOR_KUNIT_TESTING namespace).
 */
#ifndef _UACCE_KUNIT_HOOKS_H
#define _UACCE_KUNIT_HOOKS_H

#include <linux/types.h>

struct uacce_device;

enum uacce_obj {
	UACCE_OBJ_DEVICE,
	UACCE_OBJ_QUEUE,
	UACCE_OBJ_REGION,
	UACCE_OBJ_SS_MEMORY,
	UACCE_OBJ_NR,
};

int uacce_kunit_objects(enum uacce_obj obj);
bool uacce_isolation_record(struct uacce_device *uacce, u64 now_ns);
void uacce_isolation_flush(struct uacce_device *uacce);

#endif /* _UACCE_KUNIT_HOOKS_H */
