// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: the vzip device protocol (Documentation/vzip.rst):
 * capabilities, descriptors, completion status.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"
#include "queue_priv.h"
#include "vzip.h"

_Static_assert(sizeof(struct vzip_sqe) == 64, "vzip_sqe is 64 bytes");
_Static_assert(sizeof(struct vzip_cqe) == 32, "vzip_cqe is 32 bytes");
_Static_assert(offsetof(struct vzip_sqe, user_data) == WD_SQE_USER_DATA &&
	       offsetof(struct vzip_cqe, user_data) == WD_CQE_USER_DATA,
	       "user_data where inflight.c looks for it");

/* vzip's queues, for the ring layer */
const struct wd_ring_proto wd_vzip_ring = {
	.id = 0,
	.api = VZIP_API_VERSION,
	.magic = VZIP_MAGIC,
	.version = VZIP_HW_VERSION,
	.sqe_size = sizeof(struct vzip_sqe),
	.cqe_size = sizeof(struct vzip_cqe),
	.regs_size = VZIP_REG_CQ_OFFSET + 4,
	.cqe_status = offsetof(struct vzip_cqe, status),
	.sts_aborted = VZIP_STS_ABORTED,
};

/* The library's enums take the device's values (<warpdrive/comp.h>) */
#define SAME(a, b)	((int)(a) == (int)(b))
_Static_assert(SAME(WD_FORMAT_RAW, VZIP_FMT_RAW) &&
	       SAME(WD_FORMAT_ZLIB, VZIP_FMT_ZLIB) &&
	       SAME(WD_FORMAT_GZIP, VZIP_FMT_GZIP), "enum wd_format");
_Static_assert(SAME(WD_OP_NOP, VZIP_OP_NOP) && SAME(WD_OP_COPY, VZIP_OP_COPY) &&
	       SAME(WD_OP_COMPRESS, VZIP_OP_COMPRESS) &&
	       SAME(WD_OP_DECOMPRESS, VZIP_OP_DECOMPRESS), "enum wd_op");
_Static_assert(SAME(WD_NO_FLUSH, VZIP_FLUSH_NONE) &&
	       SAME(WD_SYNC_FLUSH, VZIP_FLUSH_SYNC) &&
	       SAME(WD_FULL_FLUSH, VZIP_FLUSH_FULL) &&
	       SAME(WD_FINISH, VZIP_FLUSH_FINISH), "enum wd_flush");
#undef SAME

bool wd_vzip_can(const struct wd_queue_info *info, int op, int format,
		 int level, int window_bits, bool stream)
{
	if (stream && !(info->caps & VZIP_CAP_STREAM))
		return false;
	if (op == WD_OP_NOP || op == WD_OP_COPY)
		return !stream;
	return (op == WD_OP_COMPRESS || op == WD_OP_DECOMPRESS) &&
	       wd_format_valid(format) && level >= VZIP_LEVEL_MIN &&
	       level <= VZIP_LEVEL_MAX && window_bits >= VZIP_WINDOW_BITS_MIN &&
	       window_bits <= VZIP_WINDOW_BITS_MAX;
}

void wd_vzip_prep(struct vzip_sqe *sqe, int op, int format, int level,
		  int window_bits, int flush, uint16_t flags)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = (uint8_t)op;
	sqe->version = VZIP_SQE_VERSION;
	sqe->flags = flags;
	/* fields an opcode does not use must be zero */
	if (op != VZIP_OP_COMPRESS && op != VZIP_OP_DECOMPRESS)
		return;
	sqe->format = (uint8_t)format;
	sqe->flush = (uint8_t)flush;
	sqe->window_bits = (uint8_t)window_bits;
	if (op == VZIP_OP_COMPRESS)
		sqe->level = (uint8_t)level;
}

/* Each status of the device as an errno: one for every code it has. */
static const int status_errno[] = {
	[VZIP_STS_OK] = 0,
	[VZIP_STS_OVERFLOW] = -ENOSPC,
	[VZIP_STS_DATA_ERROR] = -EBADMSG,
	[VZIP_STS_ADDR_ERROR] = -EFAULT,
	[VZIP_STS_INVALID] = -EINVAL,
	[VZIP_STS_ABORTED] = -ECANCELED,
	[VZIP_STS_HW_ERROR] = -EIO,
};
_Static_assert(WD_ARRAY_SIZE(status_errno) == VZIP_NR_STATUS,
	       "an errno for every enum vzip_status");

int wd_vzip_errno(const struct vzip_cqe *cqe)
{
	/* a code this library does not know: the device failed */
	if (cqe->status >= VZIP_NR_STATUS)
		return -EIO;
	return status_errno[cqe->status];
}
