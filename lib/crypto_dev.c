// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: finding a vcrypt device (api "vcrypt_v1") in
 * /sys/class/uacce with device.c's selection, the one compression uses:
 * WD_DEVICE names the only one to use, instances carved out of a device
 * are used only when named.
 */
#include <stdio.h>

#include <misc/uacce/vcrypt.h>

#include "crypto_priv.h"

enum wd_reason wd_crypto_find_device(char *name, size_t size)
{
	const char *want = wd_env()->device[0] ? wd_env()->device : NULL;
	struct wd_device usable[WD_MAX_DEVICES];
	enum wd_reason why;

	/* the first by name: crypto does not rank by NUMA node */
	if (wd_device_select(VCRYPT_API_VERSION, want, usable,
			     WD_MAX_DEVICES, &why) <= 0)
		return why;
	snprintf(name, size, "%s", usable[0].name);
	return WD_REASON_NONE;
}
