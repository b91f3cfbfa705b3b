/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: the vcrypt device protocol (Documentation/vcrypt.rst):
 * what a queue can run, how a descriptor says it, and what a completion
 * means.  Queues, rings and the doorbell are the shared protocol of
 * ring.c; this is only what is vcrypt's.
 */
#ifndef WD_VCRYPT_H
#define WD_VCRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <misc/uacce/vcrypt.h>

struct wd_queue;

/* Can the queue's engines run @alg (its ALGS register)? */
bool wd_vcrypt_has_alg(const struct wd_queue *q, int alg);

/* Stream contexts of the queue (CAP_STREAM and CTX_SIZE), 0 without */
size_t wd_vcrypt_ctx_size(const struct wd_queue *q);

/* Bytes of the digest or MAC of @alg (enum vcrypt_alg), 0 for a cipher */
size_t wd_vcrypt_digest_size(int alg);

/* Does @alg take a key (in a key slot)? */
bool wd_vcrypt_keyed(int alg);

/**
 * wd_vcrypt_prep() - a descriptor with nothing but its opcode, algorithm,
 * version and key slot set (user_data is left 0)
 * @sqe: filled in
 * @op: enum vcrypt_opcode
 * @alg: enum vcrypt_alg
 * @slot: key slot (0 for algorithms without a key)
 */
void wd_vcrypt_prep(struct vcrypt_sqe *sqe, int op, int alg, unsigned int slot);

/**
 * wd_vcrypt_errno() - a completion's status as a negative errno
 * @cqe: the completion
 *
 * Return: 0 (OK), -ENOSPC (OVERFLOW), -EBADMSG (AUTH_FAILED), -EFAULT
 * (ADDR_ERROR), -EINVAL (INVALID, BAD_IV, BAD_LENGTH), -ECANCELED
 * (ABORTED), -EIO (HW_ERROR and unknown codes), -EKEYREJECTED (BAD_KEY),
 * -ESTALE (BAD_CONTEXT).
 */
int wd_vcrypt_errno(const struct vcrypt_cqe *cqe);

#endif /* WD_VCRYPT_H */
