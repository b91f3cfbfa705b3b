// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit tests of the vcrypt driver (drivers/vcrypt/), run against the
 * loaded vcrypt module, on a test device of their own:
 *
 *	vcrypt_checks	the rules of a descriptor (INVALID) and of a request
 *			(BAD_IV, BAD_LENGTH, the output size), key lengths
 *	vcrypt_slots	a key slot's life: load, check, clear, wipe,
 *			generations, the loaded count
 *	vcrypt_contexts	sealed stream contexts: round trip, every byte
 *			tampered, another stream's, spent
 *	vcrypt_vectors	one known answer per algorithm through an engine's
 *			transforms (FIPS 180, FIPS 202, GB/T 32905, RFC 4231,
 *			SP 800-38A, IEEE 1619, GB/T 32907, the GCM paper),
 *			a GCM tag mismatch, a digest and a CTR stream split
 *			across requests
 */
#include <kunit/test.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../../drivers/vcrypt/vcrypt.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* ---- a test device ---- */

struct vct {
	struct platform_device *pdev;
	struct vcrypt_device *vdev;
	struct vcrypt_engine e;
	struct vcrypt_slot *slots;
};

static int vct_init(struct kunit *test)
{
	const struct vcrypt_config cfg = {
		.geo = {
			.nr_queues = 2, .nr_engines = 1, .ring_depth = 8,
			.max_len = 4096, .ss_size = 4096, .idle_us = 10,
			.sva = true,
		},
		.key_slots = 16,
	};
	struct vct *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->pdev = vcrypt_test_device_add(&cfg, NUMA_NO_NODE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->pdev));
	t->vdev = platform_get_drvdata(t->pdev);
	if (!t->vdev) {
		vcrypt_test_device_del(t->pdev);
		KUNIT_FAIL(test, "the test device did not probe");
		return -ENODEV;
	}
	t->e.vdev = t->vdev;
	t->e.crypto = vcrypt_crypto_alloc(t->vdev->algs, t->vdev->state_max,
					  vcrypt_sg_max(t->vdev));
	t->e.state = kzalloc(VCRYPT_CTX_MAX, GFP_KERNEL);
	t->slots = vcrypt_slots_alloc(cfg.key_slots, NUMA_NO_NODE);
	test->priv = t;
	KUNIT_ASSERT_NOT_NULL(test, t->e.crypto);
	KUNIT_ASSERT_NOT_NULL(test, t->e.state);
	KUNIT_ASSERT_NOT_NULL(test, t->slots);
	return 0;
}

static void vct_exit(struct kunit *test)
{
	struct vct *t = test->priv;

	if (!t)
		return;
	if (t->slots) {
		vcrypt_slots_wipe(t->vdev, t->slots, t->vdev->cfg.key_slots);
		vcrypt_slots_free(t->slots, t->vdev->cfg.key_slots);
	}
	kfree(t->e.state);
	vcrypt_crypto_free(t->e.crypto);
	if (t->vdev)
		vcrypt_test_device_del(t->pdev);
}

/* a range of kernel memory, as the SS region's */
static void vct_buf(struct kunit *test, struct wd_buf *b, u32 len, bool w)
{
	b->kaddr = kunit_kzalloc(test, len ?: 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b->kaddr);
	b->len = len;
	b->write = w;
}

static void vct_hex(struct kunit *test, u8 *out, const char *hex)
{
	KUNIT_ASSERT_EQ(test, hex2bin(out, hex, strlen(hex) / 2), 0);
}

/* ---- vcrypt_checks ---- */

static struct vcrypt_sqe vct_good_sqe(void)
{
	struct vcrypt_sqe sqe = {
		.opcode = VCRYPT_OP_ENCRYPT,
		.alg = VCRYPT_ALG_AES_CBC,
		.version = VCRYPT_SQE_VERSION,
		.iv_len = VCRYPT_CIPHER_IV,
		.key_slot = cpu_to_le16(3),
		.src = cpu_to_le64(0x10000),
		.dst = cpu_to_le64(0x20000),
		.src_len = cpu_to_le32(64),
		.dst_len = cpu_to_le32(64),
	};

	return sqe;
}

static void vct_decode(struct kunit *test)
{
	struct vct *t = test->priv;
	struct vcrypt_device *vdev = t->vdev;
	const struct vcrypt_sqe z = { .version = VCRYPT_SQE_VERSION };
	struct vcrypt_sqe sqe;
	struct vcrypt_job job;

#define VCT_BAD(...) do { \
	sqe = vct_good_sqe(); \
	__VA_ARGS__; \
	KUNIT_EXPECT_EQ_MSG(test, vcrypt_sqe_decode(&sqe, vdev, &job), \
			    VCRYPT_STS_INVALID, #__VA_ARGS__); \
} while (0)
#define VCT_OK(...) do { \
	sqe = vct_good_sqe(); \
	__VA_ARGS__; \
	KUNIT_EXPECT_EQ_MSG(test, vcrypt_sqe_decode(&sqe, vdev, &job), \
			    VCRYPT_STS_OK, #__VA_ARGS__); \
} while (0)

	VCT_OK((void)0);
	KUNIT_EXPECT_EQ(test, job.slot, 3);
	KUNIT_EXPECT_EQ(test, job.src.len, 64);
	KUNIT_EXPECT_FALSE(test, job.inplace);
	VCT_BAD(sqe.version = 0);
	VCT_BAD(sqe.opcode = VCRYPT_OP_DECRYPT + 1);
	VCT_BAD(sqe.alg = VCRYPT_ALG_NR);
	VCT_BAD(sqe.alg = VCRYPT_ALG_NONE);
	VCT_BAD(sqe.alg = VCRYPT_ALG_SHA256);
	VCT_BAD(sqe.alg = VCRYPT_ALG_HMAC_SHA256);
	VCT_BAD(sqe.opcode = VCRYPT_OP_DIGEST);
	VCT_BAD(sqe.rsvd0[2] = 1);
	VCT_BAD(sqe.rsvd1 = cpu_to_le64(1));
	VCT_BAD(sqe.rsvd[11] = cpu_to_le32(1));
	VCT_BAD(sqe.flags = cpu_to_le16(0x10));
	VCT_BAD(sqe.flags = cpu_to_le16(VCRYPT_SQE_F_NEW_STREAM));
	VCT_BAD(sqe.flags = cpu_to_le16(VCRYPT_SQE_F_FINAL));
	VCT_BAD(sqe.key_slot = cpu_to_le16(vdev->cfg.key_slots));
	VCT_BAD(sqe.aad_len = cpu_to_le32(1));
	VCT_BAD(sqe.tag_len = 16);
	VCT_BAD(sqe.iv_len = 17);
	VCT_BAD(sqe.iv_len = 8; sqe.iv[8] = 1);
	VCT_BAD(sqe.src_len = cpu_to_le32(vdev->cfg.geo.max_len + 1));
	VCT_BAD(sqe.dst_len = cpu_to_le32(vdev->cfg.geo.max_len + 1));
	VCT_BAD(sqe.dst = cpu_to_le64(0x10000 + 63));
	VCT_BAD(sqe.ctx = cpu_to_le64(0x40000));
	VCT_BAD(sqe.flags = cpu_to_le16(VCRYPT_SQE_F_STREAM);
		sqe.ctx = cpu_to_le64(0x40020));
	VCT_BAD(sqe.flags = cpu_to_le16(VCRYPT_SQE_F_STREAM);
		sqe.ctx = cpu_to_le64(0x10000));
	VCT_BAD(sqe.alg = VCRYPT_ALG_AES_XTS;
		sqe.flags = cpu_to_le16(VCRYPT_SQE_F_STREAM);
		sqe.ctx = cpu_to_le64(0x40000));
	VCT_BAD(sqe.alg = VCRYPT_ALG_AES_GCM;
		sqe.flags = cpu_to_le16(VCRYPT_SQE_F_STREAM);
		sqe.ctx = cpu_to_le64(0x40000));
	/* GCM is not a cipher of the in-place rule */
	VCT_BAD(sqe.alg = VCRYPT_ALG_AES_GCM; sqe.iv_len = 12;
		sqe.dst = sqe.src);
	VCT_OK(sqe.dst = sqe.src);
	KUNIT_EXPECT_TRUE(test, job.inplace);
	VCT_OK(sqe.flags = cpu_to_le16(VCRYPT_SQE_F_STREAM |
				       VCRYPT_SQE_F_NEW_STREAM |
				       VCRYPT_SQE_F_FINAL);
	       sqe.ctx = cpu_to_le64(0x40000));
	KUNIT_EXPECT_TRUE(test, job.stream && job.new_stream && job.final);
	KUNIT_EXPECT_EQ(test, job.ctx.len, vdev->ctx_size);
	/* opcodes' unused fields, from an all-zero NOP */
	VCT_OK(sqe = z);
	VCT_BAD(sqe = z; sqe.alg = 1);
	VCT_BAD(sqe = z; sqe.src_len = cpu_to_le32(1));
	VCT_OK(sqe = z; sqe.opcode = VCRYPT_OP_KEY_CLEAR;
	       sqe.key_slot = cpu_to_le16(2));
	VCT_BAD(sqe = z; sqe.opcode = VCRYPT_OP_KEY_CLEAR;
		sqe.alg = VCRYPT_ALG_AES_CBC);
	VCT_OK(sqe = z; sqe.opcode = VCRYPT_OP_KEY_LOAD;
	       sqe.alg = VCRYPT_ALG_AES_CBC; sqe.src = cpu_to_le64(0x1000);
	       sqe.src_len = cpu_to_le32(16));
	VCT_BAD(sqe = z; sqe.opcode = VCRYPT_OP_KEY_LOAD;
		sqe.alg = VCRYPT_ALG_SHA256; sqe.src = cpu_to_le64(0x1000);
		sqe.src_len = cpu_to_le32(16));
	VCT_BAD(sqe = z; sqe.opcode = VCRYPT_OP_KEY_LOAD;
		sqe.alg = VCRYPT_ALG_AES_CBC; sqe.dst_len = cpu_to_le32(16));
	VCT_BAD(sqe = z; sqe.opcode = VCRYPT_OP_KEY_LOAD;
		sqe.alg = VCRYPT_ALG_AES_CBC; sqe.iv_len = 16);
	VCT_OK(sqe = z; sqe.opcode = VCRYPT_OP_DIGEST;
	       sqe.alg = VCRYPT_ALG_SHA512);
	VCT_BAD(sqe = z; sqe.opcode = VCRYPT_OP_DIGEST;
		sqe.alg = VCRYPT_ALG_SHA512; sqe.key_slot = cpu_to_le16(1));
	VCT_BAD(sqe = z; sqe.opcode = VCRYPT_OP_DIGEST;
		sqe.alg = VCRYPT_ALG_SHA256;
		sqe.flags = cpu_to_le16(VCRYPT_SQE_F_STREAM);
		sqe.ctx = cpu_to_le64(0x40000); sqe.dst = cpu_to_le64(0x1000);
		sqe.dst_len = cpu_to_le32(32));
#undef VCT_BAD
#undef VCT_OK
}

static void vct_request_rules(struct kunit *test)
{
	struct vcrypt_job job = {
		.opcode = VCRYPT_OP_ENCRYPT, .alg = VCRYPT_ALG_AES_CBC,
		.iv_len = 16, .src.len = 64, .dst.len = 64,
	};

	KUNIT_EXPECT_EQ(test, vcrypt_job_check_iv(&job), VCRYPT_STS_OK);
	job.iv_len = 12;
	KUNIT_EXPECT_EQ(test, vcrypt_job_check_iv(&job), VCRYPT_STS_BAD_IV);
	job.stream = true;
	job.iv_len = 0;
	KUNIT_EXPECT_EQ(test, vcrypt_job_check_iv(&job), VCRYPT_STS_OK);
	job.iv_len = 16;
	KUNIT_EXPECT_EQ(test, vcrypt_job_check_iv(&job), VCRYPT_STS_BAD_IV);
	job.new_stream = true;
	KUNIT_EXPECT_EQ(test, vcrypt_job_check_iv(&job), VCRYPT_STS_OK);
	job.stream = false;
	job.new_stream = false;

	KUNIT_EXPECT_EQ(test, vcrypt_job_check_length(&job), VCRYPT_STS_OK);
	KUNIT_EXPECT_EQ(test, vcrypt_job_output(&job), 64);
	job.src.len = 65;
	KUNIT_EXPECT_EQ(test, vcrypt_job_check_length(&job),
			VCRYPT_STS_BAD_LENGTH);
	job.alg = VCRYPT_ALG_AES_CTR;
	KUNIT_EXPECT_EQ(test, vcrypt_job_check_length(&job), VCRYPT_STS_OK);
	job.alg = VCRYPT_ALG_AES_XTS;
	job.src.len = 15;
	KUNIT_EXPECT_EQ(test, vcrypt_job_check_length(&job),
			VCRYPT_STS_BAD_LENGTH);
	job.src.len = 17;
	KUNIT_EXPECT_EQ(test, vcrypt_job_check_length(&job), VCRYPT_STS_OK);

	job.alg = VCRYPT_ALG_AES_GCM;
	job.aad_len = 10;
	job.src.len = 30;
	job.tag_len = 16;
	KUNIT_EXPECT_EQ(test, vcrypt_job_check_length(&job), VCRYPT_STS_OK);
	KUNIT_EXPECT_EQ(test, vcrypt_job_output(&job), 36);
	job.tag_len = 5;
	KUNIT_EXPECT_EQ(test, vcrypt_job_check_length(&job),
			VCRYPT_STS_BAD_LENGTH);
	job.tag_len = 0;
	KUNIT_EXPECT_EQ(test, vcrypt_job_check_length(&job),
			VCRYPT_STS_BAD_LENGTH);
	job.tag_len = 12;
	job.opcode = VCRYPT_OP_DECRYPT;
	KUNIT_EXPECT_EQ(test, vcrypt_job_check_length(&job), VCRYPT_STS_OK);
	KUNIT_EXPECT_EQ(test, vcrypt_job_output(&job), 8);
	job.src.len = 21;
	KUNIT_EXPECT_EQ(test, vcrypt_job_check_length(&job),
			VCRYPT_STS_BAD_LENGTH);

	job = (struct vcrypt_job){ .opcode = VCRYPT_OP_DIGEST,
				   .alg = VCRYPT_ALG_SHA512 };
	KUNIT_EXPECT_EQ(test, vcrypt_job_output(&job), 64);
	job.stream = true;
	KUNIT_EXPECT_EQ(test, vcrypt_job_output(&job), 0);
	job.iv_len = 1;
	KUNIT_EXPECT_EQ(test, vcrypt_job_check_iv(&job), VCRYPT_STS_BAD_IV);
}

static void vct_key_lengths(struct kunit *test)
{
	static const struct { u8 alg; u32 len; bool ok; } cases[] = {
		{ VCRYPT_ALG_HMAC_SHA256, 0, true },
		{ VCRYPT_ALG_HMAC_SHA256, 64, true },
		{ VCRYPT_ALG_HMAC_SHA256, 65, false },
		{ VCRYPT_ALG_AES_CBC, 16, true },
		{ VCRYPT_ALG_AES_CBC, 24, false },
		{ VCRYPT_ALG_AES_CTR, 32, true },
		{ VCRYPT_ALG_AES_GCM, 24, false },
		{ VCRYPT_ALG_AES_XTS, 32, true },
		{ VCRYPT_ALG_AES_XTS, 48, false },
		{ VCRYPT_ALG_AES_XTS, 64, true },
		{ VCRYPT_ALG_SM4_CBC, 16, true },
		{ VCRYPT_ALG_SM4_CBC, 32, false },
		{ VCRYPT_ALG_SHA256, 16, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, vcrypt_key_len_ok(cases[i].alg,
							    cases[i].len),
				    cases[i].ok, "alg %u, %u bytes",
				    cases[i].alg, cases[i].len);
}

/* ---- vcrypt_slots ---- */

static void vct_slot_life(struct kunit *test)
{
	struct vct *t = test->priv;
	struct vcrypt_slot *s = &t->slots[5];
	struct vcrypt_job job = { .opcode = VCRYPT_OP_ENCRYPT,
				  .alg = VCRYPT_ALG_AES_CBC };
	s64 loaded = atomic64_read(&t->vdev->stats.slots_loaded);
	u8 key[64];
	u64 gen;

	memset(key, 0x5a, sizeof(key));
	KUNIT_EXPECT_EQ(test, s->alg, VCRYPT_ALG_NONE);
	KUNIT_EXPECT_EQ(test, vcrypt_slot_check(s, &job), VCRYPT_STS_BAD_KEY);
	gen = s->gen;
	vcrypt_slot_load(t->vdev, s, VCRYPT_ALG_AES_CBC, key, 32);
	KUNIT_EXPECT_EQ(test, s->key_len, 32);
	KUNIT_EXPECT_GT(test, s->gen, gen);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->vdev->stats.slots_loaded),
			loaded + 1);
	KUNIT_EXPECT_EQ(test, vcrypt_slot_check(s, &job), VCRYPT_STS_OK);
	job.alg = VCRYPT_ALG_AES_CTR;
	KUNIT_EXPECT_EQ(test, vcrypt_slot_check(s, &job), VCRYPT_STS_BAD_KEY);

	/* a reload is a new generation, the count unchanged */
	gen = s->gen;
	vcrypt_slot_load(t->vdev, s, VCRYPT_ALG_AES_CTR, key, 16);
	KUNIT_EXPECT_GT(test, s->gen, gen);
	KUNIT_EXPECT_EQ(test, vcrypt_slot_check(s, &job), VCRYPT_STS_OK);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->vdev->stats.slots_loaded),
			loaded + 1);

	gen = s->gen;
	vcrypt_slot_clear(t->vdev, s);
	KUNIT_EXPECT_GT(test, s->gen, gen);
	KUNIT_EXPECT_EQ(test, s->alg, VCRYPT_ALG_NONE);
	KUNIT_EXPECT_EQ(test, s->key_len, 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(s->key, 0, sizeof(s->key)));
	KUNIT_EXPECT_EQ(test, vcrypt_slot_check(s, &job), VCRYPT_STS_BAD_KEY);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->vdev->stats.slots_loaded),
			loaded);

	/* XTS: equal halves refused for ENCRYPT only */
	vcrypt_slot_load(t->vdev, s, VCRYPT_ALG_AES_XTS, key, 64);
	job.alg = VCRYPT_ALG_AES_XTS;
	KUNIT_EXPECT_EQ(test, vcrypt_slot_check(s, &job), VCRYPT_STS_BAD_KEY);
	job.opcode = VCRYPT_OP_DECRYPT;
	KUNIT_EXPECT_EQ(test, vcrypt_slot_check(s, &job), VCRYPT_STS_OK);
	key[40] ^= 1;
	vcrypt_slot_load(t->vdev, s, VCRYPT_ALG_AES_XTS, key, 64);
	job.opcode = VCRYPT_OP_ENCRYPT;
	KUNIT_EXPECT_EQ(test, vcrypt_slot_check(s, &job), VCRYPT_STS_OK);

	/* release: every slot wiped, generations moved on */
	vcrypt_slot_load(t->vdev, &t->slots[0], VCRYPT_ALG_HMAC_SHA256, key, 7);
	gen = t->slots[0].gen;
	vcrypt_slots_wipe(t->vdev, t->slots, t->vdev->cfg.key_slots);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->vdev->stats.slots_loaded),
			loaded);
	KUNIT_EXPECT_GT(test, t->slots[0].gen, gen);
	KUNIT_EXPECT_NULL(test, memchr_inv(t->slots[0].key, 0, 64));
	KUNIT_EXPECT_NULL(test, memchr_inv(s->key, 0, 64));
	KUNIT_EXPECT_EQ(test, s->alg, VCRYPT_ALG_NONE);
}

/* ---- vcrypt_contexts ---- */

static void vct_contexts(struct kunit *test)
{
	struct vct *t = test->priv;
	u32 size = t->vdev->ctx_size;
	u8 *room = kunit_kzalloc(test, VCRYPT_CTX_MAX, GFP_KERNEL);
	u8 *room2 = kunit_kzalloc(test, VCRYPT_CTX_MAX, GFP_KERNEL);
	struct vcrypt_stream st = {
		.alg = VCRYPT_ALG_SHA3_256, .opcode = VCRYPT_OP_DIGEST,
		.slot = 0, .gen = 7, .state_len = 40,
	};
	struct vcrypt_stream got = {};
	struct vcrypt_job job = { .opcode = VCRYPT_OP_DIGEST,
				  .alg = VCRYPT_ALG_SHA3_256 };
	struct vcrypt_slot slot = { .gen = 7 };
	struct wd_buf ctx;
	unsigned int i, caught = 0;

	KUNIT_ASSERT_NOT_NULL(test, room);
	KUNIT_ASSERT_NOT_NULL(test, room2);
	KUNIT_ASSERT_GE(test, size, (u32)VCRYPT_CTX_HDR_SIZE);
	KUNIT_EXPECT_EQ(test, size % VCRYPT_CTX_ALIGN, 0);
	KUNIT_EXPECT_EQ(test, vcrypt_ctx_size(VCRYPT_CTX_MAX), 0);
	vct_buf(test, &ctx, size, true);
	st.state = room + VCRYPT_CTX_HDR_SIZE;
	got.state = room2 + VCRYPT_CTX_HDR_SIZE;
	for (i = 0; i < st.state_len; i++)
		st.state[i] = i * 3;
	vcrypt_stream_save(&ctx, &st);
	KUNIT_ASSERT_EQ(test, vcrypt_stream_load(&ctx, &got,
						 t->vdev->state_max), 0);
	KUNIT_EXPECT_EQ(test, got.alg, st.alg);
	KUNIT_EXPECT_EQ(test, got.gen, st.gen);
	KUNIT_EXPECT_EQ(test, got.state_len, st.state_len);
	KUNIT_EXPECT_EQ(test, memcmp(got.state, st.state, st.state_len), 0);
	KUNIT_EXPECT_EQ(test, vcrypt_stream_check(&got, &job, &slot),
			VCRYPT_STS_OK);

	/* every byte of the context is sealed */
	for (i = 0; i < size; i++) {
		ctx.kaddr[i] ^= 0x01;
		caught += vcrypt_stream_load(&ctx, &got,
					     t->vdev->state_max) != 0;
		ctx.kaddr[i] ^= 0x01;
	}
	KUNIT_EXPECT_EQ(test, caught, size);
	KUNIT_EXPECT_EQ(test, vcrypt_stream_load(&ctx, &got,
						 t->vdev->state_max), 0);

	/* another stream's */
	job.alg = VCRYPT_ALG_SHA256;
	KUNIT_EXPECT_EQ(test, vcrypt_stream_check(&got, &job, &slot),
			VCRYPT_STS_BAD_CONTEXT);
	st.alg = VCRYPT_ALG_AES_CBC;
	st.opcode = VCRYPT_OP_ENCRYPT;
	st.slot = 4;
	st.state_len = 0;
	vcrypt_stream_save(&ctx, &st);
	KUNIT_ASSERT_EQ(test, vcrypt_stream_load(&ctx, &got,
						 t->vdev->state_max), 0);
	job = (struct vcrypt_job){ .opcode = VCRYPT_OP_ENCRYPT,
				   .alg = VCRYPT_ALG_AES_CBC, .slot = 4 };
	KUNIT_EXPECT_EQ(test, vcrypt_stream_check(&got, &job, &slot),
			VCRYPT_STS_OK);
	job.opcode = VCRYPT_OP_DECRYPT;
	KUNIT_EXPECT_EQ(test, vcrypt_stream_check(&got, &job, &slot),
			VCRYPT_STS_BAD_CONTEXT);
	job.opcode = VCRYPT_OP_ENCRYPT;
	job.slot = 5;
	KUNIT_EXPECT_EQ(test, vcrypt_stream_check(&got, &job, &slot),
			VCRYPT_STS_BAD_CONTEXT);
	job.slot = 4;
	slot.gen++;
	KUNIT_EXPECT_EQ(test, vcrypt_stream_check(&got, &job, &slot),
			VCRYPT_STS_BAD_CONTEXT);
	slot.gen--;
	st.ended = true;
	vcrypt_stream_save(&ctx, &st);
	KUNIT_ASSERT_EQ(test, vcrypt_stream_load(&ctx, &got,
						 t->vdev->state_max), 0);
	KUNIT_EXPECT_EQ(test, vcrypt_stream_check(&got, &job, &slot),
			VCRYPT_STS_BAD_CONTEXT);
	/* no key in a context: only zeros past the header of a cipher's */
	KUNIT_EXPECT_NULL(test, memchr_inv(ctx.kaddr + VCRYPT_CTX_HDR_SIZE, 0,
					   size - VCRYPT_CTX_HDR_SIZE));
	memset(ctx.kaddr, 0, size);
	KUNIT_EXPECT_NE(test, vcrypt_stream_load(&ctx, &got,
						 t->vdev->state_max), 0);
}

/* ---- vcrypt_vectors ---- */

struct vct_vector {
	const char *name;
	u8 opcode;
	u8 alg;
	const char *key;
	const char *iv;
	const char *aad;
	const char *in;
	const char *out;
	u8 tag_len;
};

static const struct vct_vector vct_vectors[] = {
	{ "sha256", VCRYPT_OP_DIGEST, VCRYPT_ALG_SHA256, "", "", "", "616263",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "sha512", VCRYPT_OP_DIGEST, VCRYPT_ALG_SHA512, "", "", "", "616263",
	  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	},
	{ "sha3-256", VCRYPT_OP_DIGEST, VCRYPT_ALG_SHA3_256, "", "", "",
	  "616263",
	  "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532" },
	{ "sm3", VCRYPT_OP_DIGEST, VCRYPT_ALG_SM3, "", "", "", "616263",
	  "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0" },
	{ "hmac-sha256", VCRYPT_OP_DIGEST, VCRYPT_ALG_HMAC_SHA256, "4a656665",
	  "", "", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ "aes-cbc", VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_CBC,
	  "2b7e151628aed2a6abf7158809cf4f3c",
	  "000102030405060708090a0b0c0d0e0f", "",
	  "6bc1bee22e409f96e93d7e117393172a",
	  "7649abac8119b246cee98e9b12e9197d" },
	{ "aes-cbc dec", VCRYPT_OP_DECRYPT, VCRYPT_ALG_AES_CBC,
	  "2b7e151628aed2a6abf7158809cf4f3c",
	  "000102030405060708090a0b0c0d0e0f", "",
	  "7649abac8119b246cee98e9b12e9197d",
	  "6bc1bee22e409f96e93d7e117393172a" },
	{ "aes-ctr", VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_CTR,
	  "2b7e151628aed2a6abf7158809cf4f3c",
	  "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "",
	  "6bc1bee22e409f96e93d7e117393172a",
	  "874d6191b620e3261bef6864990db6ce" },
	{ "aes-xts", VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_XTS,
	  "1111111111111111111111111111111122222222222222222222222222222222",
	  "33333333330000000000000000000000", "",
	  "4444444444444444444444444444444444444444444444444444444444444444",
	  "c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0" },
	{ "aes-xts stealing", VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_XTS,
	  "1111111111111111111111111111111122222222222222222222222222222222",
	  "33333333330000000000000000000000", "",
	  "000102030405060708090a0b0c0d0e0f10",
	  "6d3612ac7ded29798e4e5c5bf0f341e058" },
	{ "sm4-cbc", VCRYPT_OP_ENCRYPT, VCRYPT_ALG_SM4_CBC,
	  "0123456789abcdeffedcba9876543210",
	  "00000000000000000000000000000000", "",
	  "0123456789abcdeffedcba9876543210",
	  "681edf34d206965e86b3e94f536e4246" },
	{ "aes-gcm", VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_GCM,
	  "00000000000000000000000000000000", "000000000000000000000000", "",
	  "00000000000000000000000000000000",
	  "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf",
	  16 },
	{ "aes-gcm dec", VCRYPT_OP_DECRYPT, VCRYPT_ALG_AES_GCM,
	  "00000000000000000000000000000000", "000000000000000000000000", "",
	  "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf",
	  "00000000000000000000000000000000", 16 },
	{ "aes-gcm empty", VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_GCM,
	  "00000000000000000000000000000000", "000000000000000000000000", "",
	  "", "58e2fccefa7e3061367f1d57a4e7455a", 16 },
};

static void vct_vector_desc(const struct vct_vector *v, char *desc)
{
	strscpy(desc, v->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vct_vectors, vct_vectors, vct_vector_desc);

/* runs @job on the test engine with slot 1 loaded with @key */
static u16 vct_run(struct kunit *test, struct vcrypt_job *job,
		   const u8 *key, u32 key_len, struct vcrypt_stream *st)
{
	struct vct *t = test->priv;
	struct vcrypt_slot *slot = &t->slots[1];

	if (key_len || vcrypt_algs[job->alg].kind != VCRYPT_KIND_DIGEST) {
		KUNIT_EXPECT_TRUE(test, vcrypt_key_len_ok(job->alg, key_len));
		vcrypt_slot_load(t->vdev, slot, job->alg, key, key_len);
		job->slot = 1;
	}
	return vcrypt_crypt_run(&t->e, slot, job, st);
}

static void vct_vector(struct kunit *test)
{
	const struct vct_vector *v = test->param_value;
	struct vct *t = test->priv;
	u32 key_len = strlen(v->key) / 2, aad_len = strlen(v->aad) / 2;
	u32 in_len = strlen(v->in) / 2, out_len = strlen(v->out) / 2;
	struct vcrypt_job job = {
		.opcode = v->opcode, .alg = v->alg, .tag_len = v->tag_len,
		.aad_len = aad_len, .iv_len = strlen(v->iv) / 2,
	};
	u8 key[VCRYPT_KEY_MAX];
	u8 *want;

	/* the test kernels build every one (test/vm/base.config) */
	KUNIT_ASSERT_TRUE_MSG(test, t->vdev->algs & BIT(v->alg),
			      "%s is not in this kernel", v->name);
	want = kunit_kzalloc(test, out_len + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	vct_buf(test, &job.src, aad_len + in_len, false);
	vct_buf(test, &job.dst, out_len, true);
	vct_hex(test, key, v->key);
	vct_hex(test, job.iv, v->iv);
	vct_hex(test, job.src.kaddr, v->aad);
	vct_hex(test, job.src.kaddr + aad_len, v->in);
	vct_hex(test, want, v->out);
	KUNIT_ASSERT_EQ(test, vcrypt_job_check_iv(&job), VCRYPT_STS_OK);
	KUNIT_ASSERT_EQ(test, vcrypt_job_check_length(&job), VCRYPT_STS_OK);
	KUNIT_ASSERT_EQ(test, vcrypt_job_output(&job), out_len);
	KUNIT_ASSERT_EQ(test, vct_run(test, &job, key, key_len, NULL),
			VCRYPT_STS_OK);
	KUNIT_EXPECT_EQ(test, job.produced, out_len);
	KUNIT_EXPECT_EQ(test, memcmp(job.dst.kaddr, want, out_len), 0);
}

static void vct_gcm_auth_failed(struct kunit *test)
{
	struct vct *t = test->priv;
	struct vcrypt_job job = {
		.opcode = VCRYPT_OP_DECRYPT, .alg = VCRYPT_ALG_AES_GCM,
		.tag_len = 12, .aad_len = 0, .iv_len = 12,
	};
	u8 key[16] = {};

	KUNIT_ASSERT_TRUE(test, t->vdev->algs & BIT(VCRYPT_ALG_AES_GCM));
	vct_buf(test, &job.src, 28, false);
	vct_buf(test, &job.dst, 16, true);
	vct_hex(test, job.src.kaddr,
		"0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b2");
	job.src.kaddr[20] ^= 0x80;
	memset(job.dst.kaddr, 0xa5, 16);
	KUNIT_EXPECT_EQ(test, vct_run(test, &job, key, 16, NULL),
			VCRYPT_STS_AUTH_FAILED);
	KUNIT_EXPECT_NULL(test, memchr_inv(job.dst.kaddr, 0, 16));
	job.src.kaddr[20] ^= 0x80;
	KUNIT_EXPECT_EQ(test, vct_run(test, &job, key, 16, NULL),
			VCRYPT_STS_OK);
	KUNIT_EXPECT_EQ(test, job.produced, 16);
}

/* "abc" as "a" then "bc", through a sealed context */
static void vct_digest_stream(struct kunit *test)
{
	struct vct *t = test->priv;
	struct vcrypt_stream st = { .state = t->e.state + VCRYPT_CTX_HDR_SIZE };
	struct vcrypt_job job = { .opcode = VCRYPT_OP_DIGEST,
				  .alg = VCRYPT_ALG_SHA256, .stream = true,
				  .new_stream = true };
	u8 want[32];

	vct_buf(test, &job.ctx, t->vdev->ctx_size, true);
	vct_buf(test, &job.src, 1, false);
	job.src.kaddr[0] = 'a';
	KUNIT_ASSERT_EQ(test, vct_run(test, &job, NULL, 0, &st), VCRYPT_STS_OK);
	KUNIT_EXPECT_EQ(test, job.produced, 0);
	KUNIT_EXPECT_GT(test, st.state_len, 0);
	vcrypt_stream_save(&job.ctx, &st);
	memset(t->e.state, 0, VCRYPT_CTX_MAX);

	job.new_stream = false;
	job.final = true;
	vct_buf(test, &job.src, 2, false);
	memcpy(job.src.kaddr, "bc", 2);
	vct_buf(test, &job.dst, 32, true);
	KUNIT_ASSERT_EQ(test, vcrypt_stream_load(&job.ctx, &st,
						 t->vdev->state_max), 0);
	KUNIT_EXPECT_EQ(test, vcrypt_stream_check(&st, &job, &t->slots[0]),
			VCRYPT_STS_OK);
	KUNIT_ASSERT_EQ(test, vct_run(test, &job, NULL, 0, &st), VCRYPT_STS_OK);
	KUNIT_EXPECT_TRUE(test, job.flags & VCRYPT_CQE_F_STREAM_END);
	KUNIT_EXPECT_TRUE(test, st.ended);
	vct_hex(test, want,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	KUNIT_EXPECT_EQ(test, memcmp(job.dst.kaddr, want, 32), 0);
}

/* the SP 800-38A CTR block split 5 + 11: the keystream offset carries */
static void vct_ctr_stream(struct kunit *test)
{
	struct vct *t = test->priv;
	struct vcrypt_stream st = { .state = t->e.state + VCRYPT_CTX_HDR_SIZE };
	struct vcrypt_job job = { .opcode = VCRYPT_OP_ENCRYPT,
				  .alg = VCRYPT_ALG_AES_CTR, .stream = true,
				  .new_stream = true, .iv_len = 16 };
	u8 key[16], pt[16], want[16];
	u8 *out = kunit_kzalloc(test, 16, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, out);
	vct_hex(test, key, "2b7e151628aed2a6abf7158809cf4f3c");
	vct_hex(test, job.iv, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
	vct_hex(test, pt, "6bc1bee22e409f96e93d7e117393172a");
	vct_hex(test, want, "874d6191b620e3261bef6864990db6ce");
	vct_buf(test, &job.src, 5, false);
	vct_buf(test, &job.dst, 5, true);
	memcpy(job.src.kaddr, pt, 5);
	KUNIT_ASSERT_EQ(test, vct_run(test, &job, key, 16, &st), VCRYPT_STS_OK);
	memcpy(out, job.dst.kaddr, 5);
	KUNIT_EXPECT_EQ(test, st.ctr_off, 5);

	/* same slot, same generation: no reload between the pieces */
	job.new_stream = false;
	job.final = true;
	job.iv_len = 0;
	vct_buf(test, &job.src, 11, false);
	vct_buf(test, &job.dst, 11, true);
	memcpy(job.src.kaddr, pt + 5, 11);
	KUNIT_ASSERT_EQ(test, vcrypt_crypt_run(&t->e, &t->slots[1], &job, &st),
			VCRYPT_STS_OK);
	memcpy(out + 5, job.dst.kaddr, 11);
	KUNIT_EXPECT_EQ(test, memcmp(out, want, 16), 0);
	KUNIT_EXPECT_EQ(test, st.ctr_off, 0);
}

static struct kunit_case vct_checks_cases[] = {
	KUNIT_CASE(vct_decode),
	KUNIT_CASE(vct_request_rules),
	KUNIT_CASE(vct_key_lengths),
	{}
};

static struct kunit_case vct_slots_cases[] = {
	KUNIT_CASE(vct_slot_life),
	{}
};

static struct kunit_case vct_contexts_cases[] = {
	KUNIT_CASE(vct_contexts),
	{}
};

static struct kunit_case vct_vectors_cases[] = {
	KUNIT_CASE_PARAM(vct_vector, vct_vectors_gen_params),
	KUNIT_CASE(vct_gcm_auth_failed),
	KUNIT_CASE(vct_digest_stream),
	KUNIT_CASE(vct_ctr_stream),
	{}
};

static struct kunit_suite vct_checks_suite = {
	.name = "vcrypt_checks",
	.init = vct_init,
	.exit = vct_exit,
	.test_cases = vct_checks_cases,
};

static struct kunit_suite vct_slots_suite = {
	.name = "vcrypt_slots",
	.init = vct_init,
	.exit = vct_exit,
	.test_cases = vct_slots_cases,
};

static struct kunit_suite vct_contexts_suite = {
	.name = "vcrypt_contexts",
	.init = vct_init,
	.exit = vct_exit,
	.test_cases = vct_contexts_cases,
};

static struct kunit_suite vct_vectors_suite = {
	.name = "vcrypt_vectors",
	.init = vct_init,
	.exit = vct_exit,
	.test_cases = vct_vectors_cases,
};

kunit_test_suites(&vct_checks_suite, &vct_slots_suite, &vct_contexts_suite,
		  &vct_vectors_suite);

MODULE_DESCRIPTION("KUnit tests of the vcrypt driver");
MODULE_LICENSE("GPL");
