// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: finding a vcrypt device (api "vcrypt_v1") in
 * /sys/class/uacce, with WD_DEVICE naming the only one to use, as for
 * compression.  Instances carved out of a device are used only when
 * named.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <misc/uacce/vcrypt.h>

#include "crypto_priv.h"

/* An mdev instance: its parent device is on the mdev bus. */
static bool is_instance(const char *dev)
{
	char path[WD_NAME_MAX + 64];

	snprintf(path, sizeof(path), "/sys/class/uacce/%.*s/device/mdev_type",
		 WD_NAME_MAX, dev);
	return !access(path, F_OK);
}

enum wd_reason wd_crypto_find_device(char *name, size_t size)
{
	const char *want = wd_env()->device[0] ? wd_env()->device : NULL;
	struct wd_device all[WD_MAX_DEVICES];
	int n = wd_device_scan(all, WD_MAX_DEVICES);
	int isolated = 0, full = 0;

	for (int i = 0; i < WD_MIN(n, WD_MAX_DEVICES); i++) {
		if (want ? strcmp(all[i].name, want) : is_instance(all[i].name))
			continue;
		if (strncmp(all[i].api, VCRYPT_API_VERSION,
			    strlen(VCRYPT_API_VERSION)))
			continue;
		if (all[i].isolated) {
			isolated++;
			continue;
		}
		if (all[i].available == 0) {
			full++;
			continue;
		}
		snprintf(name, size, "%s", all[i].name);
		return WD_REASON_NONE;
	}
	return full ? WD_REASON_NO_QUEUE :
	       isolated ? WD_REASON_ISOLATED : WD_REASON_NO_DEVICE;
}
