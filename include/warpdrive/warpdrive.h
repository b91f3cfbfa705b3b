/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: compression on WarpDrive accelerators, with a software
 * fallback that says when it ran.
 *
 *   <warpdrive/common.h>  version, error codes, environment variables
 *   <warpdrive/queue.h>   a hardware queue: find a device, open it, submit
 *                         and reap vzip descriptors (tools and experts)
 *   <warpdrive/comp.h>    compression sessions: one-shot, asynchronous and
 *                         streaming requests, policy, counters, buffers
 *
 * Link with `pkg-config --libs warpdrive`.  Documentation/libwarpdrive.rst
 * is the manual; every function is documented where it is declared.
 */
#ifndef WARPDRIVE_WARPDRIVE_H
#define WARPDRIVE_WARPDRIVE_H

#include <warpdrive/common.h>
#include <warpdrive/queue.h>
#include <warpdrive/comp.h>

#endif /* WARPDRIVE_WARPDRIVE_H */
