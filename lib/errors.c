// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: version and the meaning of return values and reasons.
 */
#include <errno.h>
#include <string.h>

#include <warpdrive/common.h>
#include "internal.h"

WD_EXPORT const char *wd_version(void)
{
	return WD_VERSION_STRING;
}

WD_EXPORT const char *wd_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case -EINVAL:
		return "invalid argument";
	case -ENOMEM:
		return "out of memory";
	case -ENODEV:
		return "no usable accelerator";
	case -EACCES:
		return "no permission to open the accelerator (its group?)";
	case -EBUSY:
		return "no free queue, or in-flight limit reached";
	case -EAGAIN:
		return "hardware ring full";
	case -EOPNOTSUPP:
		return "the accelerator cannot do this request";
	case -ENOSPC:
		return "output buffer too small";
	case -ENOBUFS:
		return "no progress possible";
	case -EBADMSG:
		return "corrupt data (compressed stream or authentication tag)";
	case -EIO:
		return "accelerator hardware error";
	case -ECANCELED:
		return "request aborted";
	case -ETIMEDOUT:
		return "timed out";
	case -ECHILD:
		return "queue belongs to the parent process";
	default:
		return err < 0 ? strerror(-err) : "not an error code";
	}
}

static const char *const reason_names[WD_REASON_NR] = {
	[WD_REASON_NONE] = "none",
	[WD_REASON_POLICY] = "policy",
	[WD_REASON_NO_DEVICE] = "no-device",
	[WD_REASON_ISOLATED] = "isolated",
	[WD_REASON_NO_QUEUE] = "no-queue",
	[WD_REASON_SMALL] = "small",
	[WD_REASON_UNSUPPORTED] = "unsupported",
	[WD_REASON_DEVICE_LOST] = "device-lost",
	[WD_REASON_NO_MEMORY] = "no-shared-memory",
};

WD_EXPORT const char *wd_reason_name(enum wd_reason reason)
{
	if ((unsigned int)reason >= WD_REASON_NR)
		return "unknown";
	return reason_names[reason];
}
