// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: the vcrypt device protocol (Documentation/vcrypt.rst):
 * its queues' class for the ring layer, capabilities, descriptors,
 * completion status.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"
#include "queue_priv.h"
#include "vcrypt.h"

_Static_assert(sizeof(struct vcrypt_sqe) == 128, "vcrypt_sqe is 128 bytes");
_Static_assert(sizeof(struct vcrypt_cqe) == 32, "vcrypt_cqe is 32 bytes");
_Static_assert(offsetof(struct vcrypt_sqe, user_data) == WD_SQE_USER_DATA &&
	       offsetof(struct vcrypt_cqe, user_data) == WD_CQE_USER_DATA,
	       "user_data where inflight.c looks for it");
/* ring.c reads the registers both classes share by vzip's names */
_Static_assert(VCRYPT_REG_MAGIC == VZIP_REG_MAGIC &&
	       VCRYPT_REG_VERSION == VZIP_REG_VERSION &&
	       VCRYPT_REG_QID == VZIP_REG_QID &&
	       VCRYPT_REG_RING_DEPTH == VZIP_REG_RING_DEPTH &&
	       VCRYPT_REG_SQE_SIZE == VZIP_REG_SQE_SIZE &&
	       VCRYPT_REG_CQE_SIZE == VZIP_REG_CQE_SIZE &&
	       VCRYPT_REG_CTX_SIZE == VZIP_REG_CTX_SIZE &&
	       VCRYPT_REG_CAPS == VZIP_REG_CAPS &&
	       VCRYPT_REG_MAX_LEN == VZIP_REG_MAX_LEN &&
	       VCRYPT_REG_SQ_OFFSET == VZIP_REG_SQ_OFFSET &&
	       VCRYPT_REG_CQ_OFFSET == VZIP_REG_CQ_OFFSET &&
	       VCRYPT_CAP_STREAM == VZIP_CAP_STREAM,
	       "the shared registers are at vzip's offsets");

/* vcrypt's queues, for the ring layer */
const struct wd_ring_proto wd_vcrypt_ring = {
	.id = 1,
	.api = VCRYPT_API_VERSION,
	.magic = VCRYPT_MAGIC,
	.version = VCRYPT_HW_VERSION,
	.sqe_size = sizeof(struct vcrypt_sqe),
	.cqe_size = sizeof(struct vcrypt_cqe),
	.regs_size = VCRYPT_REG_ALGS + 4,
	.cqe_status = offsetof(struct vcrypt_cqe, status),
	.sts_aborted = VCRYPT_STS_ABORTED,
	.slots_reg = VCRYPT_REG_KEY_SLOTS,
};

bool wd_vcrypt_has_alg(const struct wd_queue *q, int alg)
{
	return alg > VCRYPT_ALG_NONE && alg < VCRYPT_ALG_NR &&
	       (wd_ring_reg(q, VCRYPT_REG_ALGS) & (1U << alg));
}

size_t wd_vcrypt_ctx_size(const struct wd_queue *q)
{
	uint32_t size = q->info.ctx_size;

	if (!(q->info.caps & VCRYPT_CAP_STREAM) || !size ||
	    size > VCRYPT_CTX_MAX)
		return 0;
	return size;
}

size_t wd_vcrypt_digest_size(int alg)
{
	switch (alg) {
	case VCRYPT_ALG_SHA512:
		return VCRYPT_SHA512_SIZE;
	case VCRYPT_ALG_SHA256:
	case VCRYPT_ALG_HMAC_SHA256:
		return VCRYPT_SHA256_SIZE;
	case VCRYPT_ALG_SHA3_256:
		return VCRYPT_SHA3_256_SIZE;
	case VCRYPT_ALG_SM3:
		return VCRYPT_SM3_SIZE;
	default:
		return 0;
	}
}

bool wd_vcrypt_keyed(int alg)
{
	return alg >= VCRYPT_ALG_HMAC_SHA256 && alg < VCRYPT_ALG_NR;
}

void wd_vcrypt_prep(struct vcrypt_sqe *sqe, int op, int alg, unsigned int slot)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = (uint8_t)op;
	sqe->alg = (uint8_t)alg;
	sqe->version = VCRYPT_SQE_VERSION;
	sqe->key_slot = (uint16_t)slot;
}

/* Each status of the device as an errno: one for every code it has. */
static const int status_errno[] = {
	[VCRYPT_STS_OK] = 0,
	[VCRYPT_STS_OVERFLOW] = -ENOSPC,
	[VCRYPT_STS_AUTH_FAILED] = -EBADMSG,
	[VCRYPT_STS_ADDR_ERROR] = -EFAULT,
	[VCRYPT_STS_INVALID] = -EINVAL,
	[VCRYPT_STS_ABORTED] = -ECANCELED,
	[VCRYPT_STS_HW_ERROR] = -EIO,
	[VCRYPT_STS_BAD_KEY] = -EKEYREJECTED,
	[VCRYPT_STS_BAD_IV] = -EINVAL,
	[VCRYPT_STS_BAD_LENGTH] = -EINVAL,
	[VCRYPT_STS_BAD_CONTEXT] = -ESTALE,
};
_Static_assert(WD_ARRAY_SIZE(status_errno) == VCRYPT_STS_BAD_CONTEXT + 1,
	       "an errno for every enum vcrypt_status");

int wd_vcrypt_errno(const struct vcrypt_cqe *cqe)
{
	/* a code this library does not know: the device failed */
	if (cqe->status >= WD_ARRAY_SIZE(status_errno))
		return -EIO;
	return status_errno[cqe->status];
}
