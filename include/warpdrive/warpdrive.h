/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: compression and crypto on WarpDrive accelerators, with a
 * software fallback that says when it ran.
 *
 *   <warpdrive/common.h>  version, error codes, environment variables
 *   <warpdrive/queue.h>   a hardware queue: find a device, open it, submit
 *                         and reap vzip descriptors (tools and experts)
 *   <warpdrive/comp.h>    compression sessions: one-shot, asynchronous and
 *                         streaming requests, policy, counters, buffers
 *   <warpdrive/crypto.h>  crypto sessions: digests, HMAC, ciphers, AEAD,
 *                         with the same policy and path reports
 *
 * Link with `pkg-config --libs warpdrive`.  Documentation/libwarpdrive.rst
 * is the manual; every function is documented where it is declared.
 */
#ifndef WARPDRIVE_WARPDRIVE_H
#define WARPDRIVE_WARPDRIVE_H

#include <warpdrive/common.h>
#include <warpdrive/queue.h>
#include <warpdrive/comp.h>
#include <warpdrive/crypto.h>

#endif /* WARPDRIVE_WARPDRIVE_H */
