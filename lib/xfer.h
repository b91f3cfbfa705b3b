/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: getting a buffer where the device can reach it.  With SVA
 * that is the buffer itself; without, a buffer from the static shared
 * region is used as it is and any other one is copied through it.
 */
#ifndef WD_XFER_H
#define WD_XFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

struct wd_queue;

/**
 * struct wd_xfer - a buffer as the device sees it
 * @addr: device address for the descriptor
 * @user: the caller's buffer
 * @bounce: our copy in the shared region, NULL when none was needed
 * @len: bytes
 */
struct wd_xfer {
	uint64_t addr;
	void *user;
	void *bounce;
	size_t len;
};

/**
 * wd_xfer_fits() - can one request copy its buffers through the shared
 * region?  With SVA, or with buffers already in the region, always; else
 * only when the copies take at most half of the region, the rest being
 * left to other requests (larger ones go in pieces, as a stream).
 * @q: the queue
 * @src: input, @src_len bytes
 * @dst: output, @dst_len bytes
 */
bool wd_xfer_fits(const struct wd_queue *q, const void *src, size_t src_len,
		  const void *dst, size_t dst_len);

/**
 * wd_xfer_in() - make input readable by the device (copies if needed)
 * @q: the queue
 * @p: the buffer
 * @len: its length
 * @x: filled in
 * @cnt: counts the copy, may be NULL
 *
 * Return: 0, or -ENOMEM when the shared region has no room.
 */
int wd_xfer_in(struct wd_queue *q, const void *p, size_t len,
	       struct wd_xfer *x, struct wd_counters *cnt);

/**
 * wd_xfer_out() - make an output buffer writable by the device
 * @q: the queue
 * @p: the buffer
 * @len: its length
 * @x: filled in
 *
 * Return: 0, or -ENOMEM when the shared region has no room.
 */
int wd_xfer_out(struct wd_queue *q, void *p, size_t len, struct wd_xfer *x);

/**
 * wd_xfer_done() - copy @copy bytes of output back and release the copy
 * @q: the queue
 * @x: from wd_xfer_in() or wd_xfer_out()
 * @copy: output bytes to copy back to the caller's buffer (0 for input)
 * @cnt: counts the copy, may be NULL
 *
 * Return: 0, or -ENODEV if the device went away during the copy: the
 * output is not valid.
 */
int wd_xfer_done(struct wd_queue *q, struct wd_xfer *x, size_t copy,
		  struct wd_counters *cnt);

#endif /* WD_XFER_H */
