// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vcrypt: the algorithms and the rules a request must follow.
 *
 * vcrypt_sqe_decode() checks everything a descriptor alone can break
 * (Documentation/vcrypt.rst, "Submission entry": VCRYPT_STS_INVALID, each
 * with its reason in the debug log); vcrypt_job_check() makes the checks
 * that come later, in the specification's order: the stream context, the
 * key slot, BAD_IV, BAD_LENGTH and OVERFLOW, for a request of a uacce
 * queue and of a vfio-pci function alike (engine.c).
 */
#include <kunit/visibility.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/wd_engine.h>

#include "vcrypt.h"

/* Documentation/vcrypt.rst, "Algorithms" */
const struct vcrypt_alg_info vcrypt_algs[VCRYPT_ALG_NR] = {
	[VCRYPT_ALG_SHA256] = { "sha256", VCRYPT_KIND_DIGEST, 0,
				VCRYPT_SHA256_SIZE, true, false },
	[VCRYPT_ALG_SHA512] = { "sha512", VCRYPT_KIND_DIGEST, 0,
				VCRYPT_SHA512_SIZE, true, false },
	[VCRYPT_ALG_SHA3_256] = { "sha3-256", VCRYPT_KIND_DIGEST, 0,
				  VCRYPT_SHA3_256_SIZE, true, false },
	[VCRYPT_ALG_SM3] = { "sm3", VCRYPT_KIND_DIGEST, 0, VCRYPT_SM3_SIZE,
			     true, false },
	[VCRYPT_ALG_HMAC_SHA256] = { "hmac(sha256)", VCRYPT_KIND_HMAC, 0,
				     VCRYPT_SHA256_SIZE, true, false },
	[VCRYPT_ALG_AES_CBC] = { "cbc(aes)", VCRYPT_KIND_CIPHER,
				 VCRYPT_CIPHER_IV, 0, true, true },
	[VCRYPT_ALG_AES_CTR] = { "ctr(aes)", VCRYPT_KIND_CIPHER,
				 VCRYPT_CIPHER_IV, 0, true, false },
	[VCRYPT_ALG_AES_XTS] = { "xts(aes)", VCRYPT_KIND_CIPHER,
				 VCRYPT_CIPHER_IV, 0, false, false },
	[VCRYPT_ALG_SM4_CBC] = { "cbc(sm4)", VCRYPT_KIND_CIPHER,
				 VCRYPT_CIPHER_IV, 0, true, true },
	[VCRYPT_ALG_AES_GCM] = { "gcm(aes)", VCRYPT_KIND_AEAD, VCRYPT_GCM_IV,
				 0, false, false },
};
EXPORT_SYMBOL_IF_KUNIT(vcrypt_algs);

static u16 vcrypt_sqe_invalid(const struct vcrypt_device *vdev,
			      const char *why)
{
	dev_dbg_ratelimited(vdev->dev, "invalid request: %s\n", why);
	return VCRYPT_STS_INVALID;
}

/* whether @alg may be the alg of @opcode */
static bool vcrypt_alg_suits(u8 opcode, u8 alg)
{
	u8 kind = vcrypt_algs[alg].kind;

	switch (opcode) {
	case VCRYPT_OP_KEY_LOAD:
		return kind != VCRYPT_KIND_DIGEST;
	case VCRYPT_OP_DIGEST:
		return kind == VCRYPT_KIND_DIGEST || kind == VCRYPT_KIND_HMAC;
	default:	/* ENCRYPT, DECRYPT */
		return kind == VCRYPT_KIND_CIPHER || kind == VCRYPT_KIND_AEAD;
	}
}

/* the fields @opcode does not use, which must be zero */
static const char *vcrypt_sqe_unused(const struct vcrypt_sqe *sqe, u8 kind)
{
	bool aead = kind == VCRYPT_KIND_AEAD;

	switch (sqe->opcode) {
	case VCRYPT_OP_NOP:
		if (sqe->alg || sqe->key_slot || sqe->src || sqe->dst ||
		    sqe->src_len || sqe->dst_len)
			return "NOP with an algorithm, key slot or addresses";
		break;
	case VCRYPT_OP_KEY_CLEAR:
		if (sqe->alg || sqe->src || sqe->dst || sqe->src_len ||
		    sqe->dst_len)
			return "KEY_CLEAR with an algorithm or addresses";
		break;
	case VCRYPT_OP_KEY_LOAD:
		if (sqe->dst || sqe->dst_len)
			return "KEY_LOAD with a destination";
		break;
	case VCRYPT_OP_DIGEST:
		if (kind == VCRYPT_KIND_DIGEST && sqe->key_slot)
			return "key slot for an unkeyed digest";
		if (memchr_inv(sqe->iv + min_t(u8, sqe->iv_len, VCRYPT_IV_MAX),
			       0, VCRYPT_IV_MAX - min_t(u8, sqe->iv_len,
							VCRYPT_IV_MAX)))
			return "IV bytes past iv_len";
		if (sqe->aad_len || sqe->tag_len)
			return "AAD or tag for DIGEST";
		return NULL;
	default:	/* ENCRYPT, DECRYPT */
		if (sqe->iv_len > VCRYPT_IV_MAX)
			return "iv_len past the iv field";
		if (memchr_inv(sqe->iv + sqe->iv_len, 0,
			       VCRYPT_IV_MAX - sqe->iv_len))
			return "IV bytes past iv_len";
		if (!aead && (sqe->aad_len || sqe->tag_len))
			return "AAD or tag for a cipher";
		return NULL;
	}
	/* NOP, KEY_LOAD, KEY_CLEAR */
	if (sqe->flags || sqe->ctx || sqe->iv_len || sqe->aad_len ||
	    sqe->tag_len || memchr_inv(sqe->iv, 0, VCRYPT_IV_MAX))
		return "field unused by the opcode set";
	return NULL;
}

/**
 * vcrypt_sqe_decode() - check a request and decode it into a job
 * @sqe: the request, copied out of the ring
 * @vdev: the device
 * @job: set to the request's parameters and range lengths
 *
 * Return: VCRYPT_STS_OK, or VCRYPT_STS_INVALID if the request breaks a rule
 * of Documentation/vcrypt.rst, "Submission entry".
 */
u16 vcrypt_sqe_decode(const struct vcrypt_sqe *sqe,
		      const struct vcrypt_device *vdev, struct vcrypt_job *job)
{
	u16 flags = le16_to_cpu(sqe->flags);
	u16 slot = le16_to_cpu(sqe->key_slot);
	u64 src = le64_to_cpu(sqe->src);
	u64 dst = le64_to_cpu(sqe->dst);
	u64 ctx = le64_to_cpu(sqe->ctx);
	u32 src_len = le32_to_cpu(sqe->src_len);
	u32 dst_len = le32_to_cpu(sqe->dst_len);
	u32 aad_len = le32_to_cpu(sqe->aad_len);
	bool stream = flags & VCRYPT_SQE_F_STREAM;
	u32 ctx_len = stream ? vdev->ctx_size : 0;
	const char *why;
	bool inplace;
	u8 kind;

	memset(job, 0, sizeof(*job));
	if (sqe->version != VCRYPT_SQE_VERSION)
		return vcrypt_sqe_invalid(vdev, "unknown version");
	if (memchr_inv(sqe->rsvd0, 0, sizeof(sqe->rsvd0)) || sqe->rsvd1 ||
	    memchr_inv(sqe->rsvd, 0, sizeof(sqe->rsvd)))
		return vcrypt_sqe_invalid(vdev, "reserved field set");
	if (flags & ~(VCRYPT_SQE_F_STREAM | VCRYPT_SQE_F_NEW_STREAM |
		      VCRYPT_SQE_F_FINAL))
		return vcrypt_sqe_invalid(vdev, "unknown flag");
	if (sqe->opcode > VCRYPT_OP_DECRYPT)
		return vcrypt_sqe_invalid(vdev, "unknown opcode");
	if (sqe->alg >= VCRYPT_ALG_NR)
		return vcrypt_sqe_invalid(vdev, "unknown algorithm");
	kind = vcrypt_algs[sqe->alg].kind;
	why = vcrypt_sqe_unused(sqe, kind);
	if (why)
		return vcrypt_sqe_invalid(vdev, why);
	if (sqe->opcode != VCRYPT_OP_NOP && sqe->opcode != VCRYPT_OP_KEY_CLEAR) {
		if (sqe->alg == VCRYPT_ALG_NONE)
			return vcrypt_sqe_invalid(vdev, "no algorithm");
		if (!(vdev->algs & BIT(sqe->alg)))
			return vcrypt_sqe_invalid(vdev, "algorithm not in ALGS");
		if (!vcrypt_alg_suits(sqe->opcode, sqe->alg))
			return vcrypt_sqe_invalid(vdev, "algorithm unfit for the opcode");
	}
	if (slot >= vdev->cfg.key_slots)
		return vcrypt_sqe_invalid(vdev, "key slot past KEY_SLOTS");
	if ((flags & (VCRYPT_SQE_F_NEW_STREAM | VCRYPT_SQE_F_FINAL)) &&
	    !stream)
		return vcrypt_sqe_invalid(vdev, "NEW_STREAM or FINAL without STREAM");
	if (stream && !(vdev->accel.caps & VCRYPT_CAP_STREAM))
		return vcrypt_sqe_invalid(vdev, "no stream support");
	if (stream && !vcrypt_algs[sqe->alg].stream)
		return vcrypt_sqe_invalid(vdev, "algorithm without streams");
	if (!stream && ctx)
		return vcrypt_sqe_invalid(vdev, "context without STREAM");
	if (stream && sqe->opcode == VCRYPT_OP_DIGEST &&
	    !(flags & VCRYPT_SQE_F_FINAL) && (dst || dst_len))
		return vcrypt_sqe_invalid(vdev, "destination before FINAL");
	if (src_len > vdev->cfg.geo.max_len || dst_len > vdev->cfg.geo.max_len)
		return vcrypt_sqe_invalid(vdev, "length above MAX_LEN");
	if (aad_len > src_len)
		return vcrypt_sqe_invalid(vdev, "aad_len above src_len");
	if (ctx % VCRYPT_CTX_ALIGN)
		return vcrypt_sqe_invalid(vdev, "misaligned context");
	inplace = kind == VCRYPT_KIND_CIPHER && src == dst && src_len &&
		  (sqe->opcode == VCRYPT_OP_ENCRYPT ||
		   sqe->opcode == VCRYPT_OP_DECRYPT);
	if ((!inplace && wd_dma_ranges_overlap(src, src_len, dst, dst_len)) ||
	    wd_dma_ranges_overlap(src, src_len, ctx, ctx_len) ||
	    wd_dma_ranges_overlap(dst, dst_len, ctx, ctx_len))
		return vcrypt_sqe_invalid(vdev, "overlapping ranges");

	job->opcode = sqe->opcode;
	job->alg = sqe->alg;
	job->iv_len = sqe->iv_len;
	job->tag_len = sqe->tag_len;
	job->stream = stream;
	job->new_stream = flags & VCRYPT_SQE_F_NEW_STREAM;
	job->final = flags & VCRYPT_SQE_F_FINAL;
	job->inplace = inplace;
	job->slot = slot;
	job->aad_len = aad_len;
	memcpy(job->iv, sqe->iv, sizeof(job->iv));
	job->src.len = src_len;
	job->dst.len = dst_len;
	job->ctx.len = ctx_len;
	return VCRYPT_STS_OK;
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_sqe_decode);

/* the text of a GCM request: the source but its AAD and (DECRYPT) tag */
static u32 vcrypt_gcm_text(const struct vcrypt_job *job)
{
	u32 text = job->src.len - job->aad_len;

	return job->opcode == VCRYPT_OP_DECRYPT ? text - job->tag_len : text;
}

/**
 * vcrypt_job_check_iv() - BAD_IV
 * @job: a decoded request
 *
 * Return: VCRYPT_STS_OK, or VCRYPT_STS_BAD_IV if iv_len is not the
 * algorithm's, or not 0 in a stream request after the first.
 */
u16 vcrypt_job_check_iv(const struct vcrypt_job *job)
{
	u8 want = vcrypt_algs[job->alg].iv_len;

	if (job->opcode != VCRYPT_OP_DIGEST && job->opcode != VCRYPT_OP_ENCRYPT &&
	    job->opcode != VCRYPT_OP_DECRYPT)
		return VCRYPT_STS_OK;
	if (job->stream && !job->new_stream)
		want = 0;
	return job->iv_len == want ? VCRYPT_STS_OK : VCRYPT_STS_BAD_IV;
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_job_check_iv);

/**
 * vcrypt_job_check_length() - BAD_LENGTH
 * @job: a decoded request
 *
 * Return: VCRYPT_STS_OK, or VCRYPT_STS_BAD_LENGTH for a CBC text that is
 * not whole blocks, an XTS unit out of range, a GCM tag length other than
 * 4, 8 or 12-16, or a GCM DECRYPT source shorter than its AAD and tag.
 */
u16 vcrypt_job_check_length(const struct vcrypt_job *job)
{
	u32 len = job->src.len;

	if (job->opcode != VCRYPT_OP_ENCRYPT && job->opcode != VCRYPT_OP_DECRYPT)
		return VCRYPT_STS_OK;
	switch (job->alg) {
	case VCRYPT_ALG_AES_CBC:
	case VCRYPT_ALG_SM4_CBC:
		if (len % VCRYPT_BLOCK_SIZE)
			return VCRYPT_STS_BAD_LENGTH;
		break;
	case VCRYPT_ALG_AES_XTS:
		if (len < VCRYPT_XTS_MIN_LEN || len > VCRYPT_XTS_MAX_LEN)
			return VCRYPT_STS_BAD_LENGTH;
		break;
	case VCRYPT_ALG_AES_GCM:
		if (job->tag_len != 4 && job->tag_len != 8 &&
		    (job->tag_len < 12 || job->tag_len > VCRYPT_GCM_TAG_MAX))
			return VCRYPT_STS_BAD_LENGTH;
		if (job->opcode == VCRYPT_OP_DECRYPT &&
		    len - job->aad_len < job->tag_len)
			return VCRYPT_STS_BAD_LENGTH;
		break;
	}
	return VCRYPT_STS_OK;
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_job_check_length);

/**
 * vcrypt_job_output() - the bytes a request writes to its destination
 * @job: a request that passed vcrypt_job_check_length()
 *
 * Return: the digest size (0 for a stream's request before FINAL), the
 * text's length, or for GCM ENCRYPT the text's length and the tag's.
 */
u32 vcrypt_job_output(const struct vcrypt_job *job)
{
	switch (job->opcode) {
	case VCRYPT_OP_DIGEST:
		if (job->stream && !job->final)
			return 0;
		return vcrypt_algs[job->alg].out_size;
	case VCRYPT_OP_ENCRYPT:
	case VCRYPT_OP_DECRYPT:
		if (job->alg != VCRYPT_ALG_AES_GCM)
			return job->src.len;
		return vcrypt_gcm_text(job) +
		       (job->opcode == VCRYPT_OP_ENCRYPT ? job->tag_len : 0);
	default:
		return 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_job_output);

/**
 * vcrypt_req_dbg() - a reason a request fails, in the debug log
 * @vdev: the device
 * @qid: the ID of the request's uacce queue, or -1 for a queue of a
 *	vfio-pci function
 * @fmt: the reason, a printf format, with its arguments after it
 */
void vcrypt_req_dbg(const struct vcrypt_device *vdev, int qid,
		    const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (qid < 0)
		dev_dbg_ratelimited(vdev->dev, "vfio-pci queue: %pV", &vaf);
	else
		dev_dbg_ratelimited(vdev->dev, "queue %d: %pV", qid, &vaf);
	va_end(args);
}

/**
 * vcrypt_job_check() - the checks of DIGEST, ENCRYPT and DECRYPT after
 *	vcrypt_sqe_decode(), in the order of Documentation/vcrypt.rst
 * @vdev: the device
 * @qid: the request's queue, for the debug log (vcrypt_req_dbg())
 * @job: the request, its context range (a stream's) readable
 * @slot: its key slot
 * @st: set to the stream's state when the request continues a stream
 *	(@st->state points to room for it)
 *
 * The stream context (sealed by the device, of this stream), the key slot
 * (but for an unkeyed digest), the IV, the lengths, the room in the
 * destination.  On a uacce queue the source and destination are mapped
 * after these checks; on a vfio-pci function every range is pinned before
 * them ("As a PCI function").
 *
 * Return: VCRYPT_STS_OK, or the status of the first check that fails:
 * VCRYPT_STS_BAD_CONTEXT, VCRYPT_STS_BAD_KEY, VCRYPT_STS_BAD_IV,
 * VCRYPT_STS_BAD_LENGTH or VCRYPT_STS_OVERFLOW.
 */
u16 vcrypt_job_check(const struct vcrypt_device *vdev, int qid,
		     const struct vcrypt_job *job,
		     const struct vcrypt_slot *slot, struct vcrypt_stream *st)
{
	u16 status;

	if (job->stream && !job->new_stream) {
		if (vcrypt_stream_load(&job->ctx, st, vdev->state_max)) {
			vcrypt_req_dbg(vdev, qid,
				       "context not sealed by the device\n");
			return VCRYPT_STS_BAD_CONTEXT;
		}
		status = vcrypt_stream_check(st, job, slot);
		if (status != VCRYPT_STS_OK) {
			vcrypt_req_dbg(vdev, qid,
				       "context of another stream, key or ended\n");
			return status;
		}
	}
	if (vcrypt_algs[job->alg].kind != VCRYPT_KIND_DIGEST) {
		status = vcrypt_slot_check(slot, job);
		if (status != VCRYPT_STS_OK)
			return status;
	}
	status = vcrypt_job_check_iv(job);
	if (status != VCRYPT_STS_OK)
		return status;
	status = vcrypt_job_check_length(job);
	if (status != VCRYPT_STS_OK)
		return status;
	if (job->dst.len < vcrypt_job_output(job))
		return VCRYPT_STS_OVERFLOW;
	return VCRYPT_STS_OK;
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_job_check);
