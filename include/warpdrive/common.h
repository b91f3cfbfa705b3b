/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: what the queue, compression and crypto layers share:
 * version, error codes and the environment the library reads.
 *
 * Errors: every function that can fail returns a negative errno value
 * (0 or a positive count on success).  The ones the library uses:
 *
 *   -EINVAL      bad argument (NULL where a pointer is needed, a level,
 *                format or flush mode out of range)
 *   -ENOMEM      out of memory
 *   -ENODEV      no usable device (none present, all isolated, policy
 *                "hw" with no device), or the device went away
 *   -EACCES      policy "hw": a device is there but this process may not
 *                open its node (not in the group the nodes belong to)
 *   -EBUSY       no free queue on any device (policy "hw"); or the
 *                session's in-flight limit is reached (wd_submit)
 *   -EAGAIN      the hardware ring is full: reap completions and retry
 *   -EOPNOTSUPP  the request needs the hardware (policy "hw") but the
 *                device cannot do it (format, window, size)
 *   -ENOSPC      the output buffer is too small for a one-shot request
 *   -ENOBUFS     a stream could make no progress (no input, or no
 *                output space): zlib's Z_BUF_ERROR, not fatal
 *   -EBADMSG     corrupt or truncated compressed data; an AEAD tag that
 *                does not match
 *   -EIO         the device reported a hardware error
 *   -ECANCELED   the request was aborted (queue stopped, device removed,
 *                or the session closed with it in flight)
 *   -ETIMEDOUT   a wait with a timeout expired
 *   -ECHILD      a queue object was used in a forked child; the child
 *                must open its own (sessions do this by themselves)
 */
#ifndef WARPDRIVE_COMMON_H
#define WARPDRIVE_COMMON_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WD_VERSION_MAJOR	1
#define WD_VERSION_MINOR	5
#define WD_VERSION_STRING	"1.5"

/**
 * wd_version() - version of the library actually loaded
 *
 * Return: "MAJOR.MINOR", e.g. "1.1".
 */
const char *wd_version(void);

/**
 * wd_strerror() - describe a return value of this library
 * @err: a negative errno value returned by a wd_* function
 *
 * Return: a static string; never NULL.
 */
const char *wd_strerror(int err);

/*
 * Environment (read once, at the first use of the library):
 *
 *   WD_POLICY=auto|hw|sw     default policy of sessions that do not set one
 *   WD_DEVICE=<name>         use only this device, e.g. vzip-0
 *   WD_DEVICE_<CLASS>=<name> use only this device for the class whose api
 *                            attribute begins with CLASS in lower case and
 *                            '_' (WD_DEVICE_VZIP, WD_DEVICE_VCRYPT); wins
 *                            over WD_DEVICE for that class.  A queue's
 *                            params->device wins over both.
 *   WD_SW_THRESHOLD=<bytes>  requests smaller than this go to software
 *                            under policy auto (default 4096; 0: never)
 *   WD_WAIT=poll|busy        how synchronous calls wait for the device:
 *                            sleep in poll() after a short spin, skipped
 *                            while recent waits were long (over 1 ms)
 *                            (default), or spin only
 *   WD_STATS=1               print the process counters to stderr at exit
 */

#ifdef __cplusplus
}
#endif

#endif /* WARPDRIVE_COMMON_H */
