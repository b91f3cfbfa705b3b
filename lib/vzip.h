/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: the vzip device protocol: what the device can do, how a
 * descriptor says it, and what a completion means.
 */
#ifndef WD_VZIP_H
#define WD_VZIP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <misc/uacce/vzip.h>
#include <warpdrive/queue.h>

/**
 * wd_vzip_can() - can the device run a request with these settings?
 * @info: the queue
 * @op: enum wd_op
 * @format: enum wd_format
 * @level: 1-9
 * @window_bits: 9-15
 * @stream: it needs a stream context
 */
bool wd_vzip_can(const struct wd_queue_info *info, int op, int format,
		 int level, int window_bits, bool stream);

/**
 * wd_vzip_prep() - build a descriptor
 * @sqe: filled in (user_data is left 0)
 * @op: enum vzip_opcode
 * @format: enum vzip_format
 * @level: 1-9
 * @window_bits: 9-15
 * @flush: enum vzip_flush
 * @flags: VZIP_SQE_F_*
 */
void wd_vzip_prep(struct vzip_sqe *sqe, int op, int format, int level,
		  int window_bits, int flush, uint16_t flags);

/**
 * wd_vzip_errno() - a completion's status as a negative errno
 * @cqe: the completion
 *
 * Return: 0 (OK), -ENOSPC (OVERFLOW), -EBADMSG (DATA_ERROR), -EFAULT
 * (ADDR_ERROR), -EINVAL (INVALID), -ECANCELED (ABORTED), -EIO (HW_ERROR
 * and unknown codes).
 */
int wd_vzip_errno(const struct vzip_cqe *cqe);

/*
 * wd_vzip_ctx_alloc() - @size bytes for a stream context in process
 * memory (SVA), aligned as the device wants them; free() frees it
 */
static inline void *wd_vzip_ctx_alloc(size_t size)
{
	return aligned_alloc(VZIP_CTX_ALIGN, (size + VZIP_CTX_ALIGN - 1) &
			     ~(size_t)(VZIP_CTX_ALIGN - 1));
}

#endif /* WD_VZIP_H */
