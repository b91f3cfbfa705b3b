/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the vcrypt guest tests that speak the raw ring protocol
 * (uacce_storm_test --device vcrypt, vcrypt_fuzz_test).  vcrypt takes its
 * regions, control page, ring protocol, doorbell and addressing from vzip
 * unchanged, with the same register offsets (Documentation/vcrypt.rst,
 * "What is vzip's"), so a vcrypt queue is a struct vzip_q of
 * vzip_testlib.h: vzip_open(), vzip_start(), vzip_mem(), vzip_addr(),
 * vzip_submit() and vzip_close() serve it as they are.  What differs is
 * here: the device's name and debugfs, and entries of vcrypt's sizes.
 *
 * Single-threaded per queue.  Define _GNU_SOURCE before including.
 */
#ifndef VCRYPT_TESTLIB_H
#define VCRYPT_TESTLIB_H

#include "vzip_testlib.h"

#include <misc/uacce/vcrypt.h>

#define VCRYPT_DEBUGFS_DIR	"/sys/kernel/debug/vcrypt"

/* The first vcrypt device in sysfs (by name); 0 or -ENODEV. */
static inline int vcrypt_find_device(char *name, size_t size)
{
	return vzip_find_api("vcrypt-", VCRYPT_API_VERSION, name, size);
}

/* A counter of /sys/kernel/debug/vcrypt/<name>/stats, or -1. */
static inline long long vcrypt_stat(const char *name, const char *key)
{
	return vzip_stat_in(VCRYPT_DEBUGFS_DIR, name, key);
}

/* Writes a request into the SQ without publishing it (vzip_submit()). */
static inline void vcrypt_queue(struct vzip_q *q, const struct vcrypt_sqe *sqe)
{
	vzip_queue_raw(q, sqe, sizeof(*sqe));
}

static inline int vcrypt_post(struct vzip_q *q, const struct vcrypt_sqe *sqe)
{
	vcrypt_queue(q, sqe);
	return vzip_submit(q);
}

static inline int vcrypt_reap(struct vzip_q *q, struct vcrypt_cqe *cqe,
			      long timeout_ms, bool use_poll)
{
	return vzip_reap_raw(q, cqe, sizeof(*cqe), timeout_ms, use_poll);
}

/* Submits one request and waits for its completion; 0 or -errno. */
static inline int vcrypt_exec(struct vzip_q *q, const struct vcrypt_sqe *sqe,
			      struct vcrypt_cqe *cqe)
{
	return vzip_exec_raw(q, sqe, sizeof(*sqe), cqe, sizeof(*cqe));
}

/* A request of @opcode and @alg on the queue's memory @src and @dst. */
static inline struct vcrypt_sqe vcrypt_sqe(const struct vzip_q *q,
					   uint8_t opcode, uint8_t alg,
					   uint16_t key_slot, const void *src,
					   uint32_t src_len, void *dst,
					   uint32_t dst_len)
{
	struct vcrypt_sqe sqe = {
		.opcode = opcode,
		.alg = alg,
		.version = VCRYPT_SQE_VERSION,
		.key_slot = htole16(key_slot),
		.src = htole64(vzip_addr(q, src)),
		.dst = htole64(vzip_addr(q, dst)),
		.src_len = htole32(src_len),
		.dst_len = htole32(dst_len),
	};

	return sqe;
}

/*
 * The device still hashes correctly: SHA-256 of "abc" (FIPS 180-2's
 * first example) on a new queue of @name.
 */
static inline bool vcrypt_hashes(const char *name)
{
	static const uint8_t want[VCRYPT_SHA256_SIZE] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
		0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	struct vcrypt_sqe sqe;
	struct vcrypt_cqe cqe;
	struct vzip_q q;
	uint8_t *src, *dst;
	bool ok = false;

	if (vzip_open(&q, name))
		return false;
	src = vzip_mem(&q, 3);
	dst = vzip_mem(&q, VCRYPT_SHA256_SIZE);
	if (!vzip_start(&q) && src && dst) {
		memcpy(src, "abc", 3);
		sqe = vcrypt_sqe(&q, VCRYPT_OP_DIGEST, VCRYPT_ALG_SHA256, 0,
				 src, 3, dst, VCRYPT_SHA256_SIZE);
		ok = !vcrypt_exec(&q, &sqe, &cqe) &&
		     le16toh(cqe.status) == VCRYPT_STS_OK &&
		     le32toh(cqe.produced) == VCRYPT_SHA256_SIZE &&
		     !memcmp(dst, want, sizeof(want));
	}
	vzip_close(&q);
	return ok;
}

#endif /* VCRYPT_TESTLIB_H */
