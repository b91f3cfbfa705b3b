// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-client --vcrypt: a vcrypt vfio-pci instance (mdev type vcrypt-vqN)
 * driven as a guest's driver would drive the function, every result
 * checked against OpenSSL's libcrypto in this process.
 *
 * The function is the framework's (<misc/uacce/wd_pci.h>, vzpci.c's probe
 * and queue registers), with vcrypt's identity and descriptors
 * (<misc/uacce/vcrypt.h>, Documentation/vcrypt.rst).  On queue 0, with its
 * rings and data at IOVAs of this process's "guest RAM" and completions
 * signalled through the eventfd of the interrupt mode chosen (machine.c):
 *
 *   - NOP;
 *   - SHA-256 of 10000 bytes, against SHA256();
 *   - KEY_LOAD of an AES-128 key, AES-CBC ENCRYPT of 4096 bytes against
 *     EVP aes-128-cbc, DECRYPT back to the plaintext;
 *   - a DIGEST whose source is at an unmapped IOVA: ADDR_ERROR, the
 *     queue's ERROR register says ADDR at that IOVA;
 *   - a descriptor with a reserved field set: INVALID;
 *   - then SHA-256 and AES-CBC again (the key is still loaded): the queue
 *     goes on after bad input;
 *   - the function offers no migration (VFIO_DEVICE_FEATURE_MIGRATION).
 */
#include <endian.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <misc/uacce/vcrypt.h>

#include "client.h"

#define VCR_DATA_SIZE	(1 << 20)
#define VCR_HASH_LEN	10000
#define VCR_TEXT_LEN	4096

static const struct vz_class vcr_class = {
	.name = "vcrypt", .device = VCRYPT_PCI_DEVICE_ID, .magic = VCRYPT_MAGIC,
	.sqe_size = sizeof(struct vcrypt_sqe),
	.cqe_size = sizeof(struct vcrypt_cqe),
};

/* Buffers of the run in the data mapping: ours and the device's address. */
struct vcr_buf {
	uint8_t *host;
	uint64_t iova;
};

struct vcr_run {
	struct vc_client *c;
	struct vz_queue *q;
	struct vcrypt_sqe *sq;
	struct vcrypt_cqe *cq;
	struct vcr_buf msg, digest, key, plain, cipher, back;
	uint64_t next_id;
};

static const char *vcr_status_name(unsigned int status)
{
	static const char *const names[] = {
		"OK", "OVERFLOW", "AUTH_FAILED", "ADDR_ERROR", "INVALID",
		"ABORTED", "HW_ERROR", "BAD_KEY", "BAD_IV", "BAD_LENGTH",
		"BAD_CONTEXT",
	};

	return status < sizeof(names) / sizeof(names[0]) ? names[status] :
							   "unknown";
}

/*
 * Submits @sqe on the queue, waits for its completion into @cqe: as a
 * guest's driver, for the interrupt first (which vc_wait() acknowledges
 * with INTx), then reads CQ_TAIL; polling, it reads CQ_TAIL between naps.
 */
static int vcr_run_one(struct vcr_run *r, struct vcrypt_sqe *sqe,
		       struct vcrypt_cqe *cqe)
{
	struct vz_queue *q = r->q;
	time_t deadline = time(NULL) + r->c->o.timeout;
	uint32_t tail;
	int ret;

	sqe->user_data = htole64(++r->next_id);
	r->sq[q->sq_tail & (q->depth - 1)] = *sqe;
	q->sq_tail++;
	ret = vz_queue_doorbell(q);
	while (!ret) {
		if (r->c->o.irq != VC_IRQ_POLL) {
			ret = vc_wait(r->c, 1000);
			if (ret < 0)
				break;
		}
		ret = vz_qreg_read(q, WD_PCI_Q_CQ_TAIL, &tail);
		if (ret)
			break;
		if (tail != q->cq_head) {
			atomic_thread_fence(memory_order_acquire);
			*cqe = r->cq[q->cq_head & (q->depth - 1)];
			q->cq_head++;
			ret = vz_qreg_write(q, WD_PCI_Q_CQ_HEAD, q->cq_head);
			if (!ret && le64toh(cqe->user_data) != r->next_id) {
				vc_err("completion of request %llu, expected %llu",
				       (unsigned long long)le64toh(cqe->user_data),
				       (unsigned long long)r->next_id);
				ret = -EIO;
			}
			return ret;
		}
		if (time(NULL) > deadline) {
			vc_err("queue %u: no completion within %u s", q->idx,
			       r->c->o.timeout);
			return -ETIMEDOUT;
		}
		if (r->c->o.irq == VC_IRQ_POLL)
			ret = vc_wait(r->c, 1000);
	}
	return ret;
}

/* One request that must complete with @status: 0, -EIO (logged) or -errno. */
static int vcr_expect(struct vcr_run *r, const char *what,
		      struct vcrypt_sqe *sqe, unsigned int status,
		      uint32_t produced)
{
	struct vcrypt_cqe cqe;
	int ret = vcr_run_one(r, sqe, &cqe);

	if (ret)
		return ret;
	if (le16toh(cqe.status) != status ||
	    (status == VCRYPT_STS_OK && le32toh(cqe.produced) != produced)) {
		vc_err("%s: status %s, %u bytes; expected %s, %u bytes", what,
		       vcr_status_name(le16toh(cqe.status)),
		       le32toh(cqe.produced), vcr_status_name(status), produced);
		return -EIO;
	}
	printf("vfio-client: vcrypt: %s: %s\n", what, vcr_status_name(status));
	return 0;
}

static struct vcrypt_sqe vcr_sqe(uint8_t opcode, uint8_t alg)
{
	struct vcrypt_sqe sqe;

	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = opcode;
	sqe.alg = alg;
	sqe.version = VCRYPT_SQE_VERSION;
	return sqe;
}

static int vcr_sha256(struct vcr_run *r, const char *what, uint64_t src)
{
	struct vcrypt_sqe sqe = vcr_sqe(VCRYPT_OP_DIGEST, VCRYPT_ALG_SHA256);
	uint8_t want[SHA256_DIGEST_LENGTH];
	int ret;

	sqe.src = htole64(src);
	sqe.src_len = htole32(VCR_HASH_LEN);
	sqe.dst = htole64(r->digest.iova);
	sqe.dst_len = htole32(VCRYPT_SHA256_SIZE);
	memset(r->digest.host, 0, VCRYPT_SHA256_SIZE);
	ret = vcr_expect(r, what, &sqe, VCRYPT_STS_OK, VCRYPT_SHA256_SIZE);
	if (ret)
		return ret;
	SHA256(r->msg.host, VCR_HASH_LEN, want);
	if (memcmp(want, r->digest.host, sizeof(want))) {
		vc_err("%s: the digest differs from OpenSSL's SHA256()", what);
		return -EIO;
	}
	return 0;
}

/* AES-128-CBC without padding, as the device does it, by libcrypto. */
static int vcr_openssl_cbc(const uint8_t *key, const uint8_t *iv,
			   const uint8_t *in, uint8_t *out, int len)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, fin = 0, ok;

	ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, key, iv) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	     EVP_EncryptUpdate(ctx, out, &n, in, len) &&
	     EVP_EncryptFinal_ex(ctx, out + n, &fin) && n + fin == len;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		vc_err("OpenSSL's aes-128-cbc failed");
	return ok ? 0 : -EIO;
}

static int vcr_cbc(struct vcr_run *r, const char *what)
{
	static const uint8_t iv[VCRYPT_CIPHER_IV] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	};
	struct vcrypt_sqe sqe = vcr_sqe(VCRYPT_OP_ENCRYPT, VCRYPT_ALG_AES_CBC);
	uint8_t want[VCR_TEXT_LEN];
	int ret;

	sqe.key_slot = htole16(0);
	sqe.iv_len = VCRYPT_CIPHER_IV;
	memcpy(sqe.iv, iv, sizeof(iv));
	sqe.src = htole64(r->plain.iova);
	sqe.src_len = htole32(VCR_TEXT_LEN);
	sqe.dst = htole64(r->cipher.iova);
	sqe.dst_len = htole32(VCR_TEXT_LEN);
	ret = vcr_expect(r, what, &sqe, VCRYPT_STS_OK, VCR_TEXT_LEN);
	if (!ret)
		ret = vcr_openssl_cbc(r->key.host, iv, r->plain.host, want,
				      VCR_TEXT_LEN);
	if (ret)
		return ret;
	if (memcmp(want, r->cipher.host, sizeof(want))) {
		vc_err("%s: the ciphertext differs from OpenSSL's", what);
		return -EIO;
	}

	sqe.opcode = VCRYPT_OP_DECRYPT;
	sqe.src = htole64(r->cipher.iova);
	sqe.dst = htole64(r->back.iova);
	memset(r->back.host, 0, VCR_TEXT_LEN);
	ret = vcr_expect(r, "AES-CBC decrypt", &sqe, VCRYPT_STS_OK,
			 VCR_TEXT_LEN);
	if (!ret && memcmp(r->back.host, r->plain.host, VCR_TEXT_LEN)) {
		vc_err("AES-CBC decrypt: not the plaintext");
		ret = -EIO;
	}
	return ret;
}

static int vcr_bad_input(struct vcr_run *r)
{
	struct vcrypt_sqe sqe = vcr_sqe(VCRYPT_OP_DIGEST, VCRYPT_ALG_SHA256);
	uint32_t err;
	uint64_t iova;
	int ret;

	sqe.src = htole64(VC_IOVA_HOLE);
	sqe.src_len = htole32(VCR_HASH_LEN);
	sqe.dst = htole64(r->digest.iova);
	sqe.dst_len = htole32(VCRYPT_SHA256_SIZE);
	ret = vcr_expect(r, "SHA-256 of an unmapped IOVA", &sqe,
			 VCRYPT_STS_ADDR_ERROR, 0);
	if (!ret)
		ret = vz_queue_error(r->q, &err, &iova);
	if (ret)
		return ret;
	if (!(err & WD_PCI_Q_ERR_ADDR) || iova != VC_IOVA_HOLE) {
		vc_err("ERROR %#x at IOVA %#llx, expected ADDR at %#llx", err,
		       (unsigned long long)iova, VC_IOVA_HOLE);
		return -EIO;
	}
	printf("vfio-client: vcrypt: ERROR register: ADDR at IOVA %#llx\n",
	       (unsigned long long)iova);
	ret = vz_queue_clear_error(r->q, err);
	if (ret)
		return ret;

	sqe = vcr_sqe(VCRYPT_OP_DIGEST, VCRYPT_ALG_SHA256);
	sqe.src = htole64(r->msg.iova);
	sqe.src_len = htole32(VCR_HASH_LEN);
	sqe.dst = htole64(r->digest.iova);
	sqe.dst_len = htole32(VCRYPT_SHA256_SIZE);
	sqe.rsvd[0] = htole32(1);
	return vcr_expect(r, "a reserved field set", &sqe, VCRYPT_STS_INVALID,
			  0);
}

/* Rings of queue 0 and the buffers, in two mappings of "guest RAM". */
static int vcr_setup(struct vcr_run *r)
{
	struct vc_client *c = r->c;
	size_t sq_bytes = (size_t)c->o.depth * sizeof(struct vcrypt_sqe);
	size_t cq_bytes = (size_t)c->o.depth * sizeof(struct vcrypt_cqe);
	struct vcr_buf *bufs[] = { &r->msg, &r->digest, &r->key, &r->plain,
				   &r->cipher, &r->back };
	const size_t sizes[] = { VCR_HASH_LEN, VCRYPT_DIGEST_MAX, 16,
				 VCR_TEXT_LEN, VCR_TEXT_LEN, VCR_TEXT_LEN };
	unsigned int i;
	int ret;

	ret = vz_pci_probe_class(&c->pci, &c->vfio, &vcr_class, c->o.verbose);
	if (ret)
		return ret;
	if (c->o.depth > c->pci.max_depth) {
		vc_err("--depth %u: the device takes at most %u", c->o.depth,
		       c->pci.max_depth);
		return -EINVAL;
	}
	if (c->pci.params[VCRYPT_PCI_PARAM_MAX_LEN] < VCR_HASH_LEN ||
	    !c->pci.params[VCRYPT_PCI_PARAM_KEY_SLOTS] ||
	    !(c->pci.params[VCRYPT_PCI_PARAM_ALGS] &
	      (1u << VCRYPT_ALG_SHA256)) ||
	    !(c->pci.params[VCRYPT_PCI_PARAM_ALGS] &
	      (1u << VCRYPT_ALG_AES_CBC))) {
		vc_err("vcrypt: max_len %u, %u key slots, algs %#x: SHA-256 and AES-CBC of %u bytes wanted",
		       c->pci.params[VCRYPT_PCI_PARAM_MAX_LEN],
		       c->pci.params[VCRYPT_PCI_PARAM_KEY_SLOTS],
		       c->pci.params[VCRYPT_PCI_PARAM_ALGS], VCR_HASH_LEN);
		return -ENODEV;
	}
	printf("vfio-client: vcrypt function %04x:%04x, %u queues, %u key slots, algs %#x\n",
	       c->pci.vendor, c->pci.device, c->pci.nr_queues,
	       c->pci.params[VCRYPT_PCI_PARAM_KEY_SLOTS],
	       c->pci.params[VCRYPT_PCI_PARAM_ALGS]);

	c->nq = 1;
	ret = vc_ram_create(c, &c->rings, VC_IOVA_RINGS, sq_bytes + cq_bytes);
	if (!ret)
		ret = vc_ram_create(c, &c->data, VC_IOVA_DATA, VCR_DATA_SIZE);
	for (i = 0; !ret && i < sizeof(bufs) / sizeof(bufs[0]); i++)
		ret = vc_ram_alloc(&c->data, sizes[i], 64, &bufs[i]->host,
				   &bufs[i]->iova);
	if (!ret)
		ret = vc_irqs_setup(c);
	if (ret)
		return ret;
	r->q = &c->q[0];
	r->sq = (struct vcrypt_sqe *)c->rings.host;
	r->cq = (struct vcrypt_cqe *)(c->rings.host + sq_bytes);
	ret = vz_queue_init(r->q, &c->pci, 0, c->o.depth, r->sq,
			    c->rings.iova, r->cq, c->rings.iova + sq_bytes);
	if (!ret)
		ret = vz_queue_enable(r->q, c->o.irq != VC_IRQ_POLL);
	if (ret)
		return ret;

	for (i = 0; i < VCR_HASH_LEN; i++)
		r->msg.host[i] = (uint8_t)(i * 7 + (i >> 8));
	for (i = 0; i < VCR_TEXT_LEN; i++)
		r->plain.host[i] = (uint8_t)(i * 13 + 5);
	for (i = 0; i < 16; i++)
		r->key.host[i] = (uint8_t)(0xa0 + i);
	return 0;
}

/* The function has no migration: the VFIO core says so. */
static int vcr_no_migration(struct vc_client *c)
{
	uint64_t flags;

	fprintf(stderr, "vfio-client: vcrypt: asking for migration, which must be refused:\n");
	if (!vc_mig_flags(&c->vfio, &flags)) {
		vc_err("the function offers migration (flags %#llx): its key slots would be lost",
		       (unsigned long long)flags);
		return -EIO;
	}
	printf("vfio-client: vcrypt: no migration offered\n");
	return 0;
}

/**
 * vc_vcrypt_run() - the --vcrypt run, from opening the instance on
 *
 * Returns 0, -EIO when the device did wrong, or another negative errno
 * (c->setup_failed set) when VFIO, memory or OpenSSL failed us.
 */
int vc_vcrypt_run(struct vc_client *c)
{
	struct vcr_run r = { .c = c };
	struct vcrypt_sqe sqe;
	int ret;

	ret = vc_vfio_open(&c->vfio, c->o.uuid, c->o.verbose);
	if (!ret)
		ret = vcr_setup(&r);
	if (ret) {
		c->setup_failed = 1;
		return ret;
	}

	sqe = vcr_sqe(VCRYPT_OP_NOP, VCRYPT_ALG_NONE);
	ret = vcr_expect(&r, "NOP", &sqe, VCRYPT_STS_OK, 0);
	if (!ret)
		ret = vcr_sha256(&r, "SHA-256 (OpenSSL agrees)", r.msg.iova);
	if (!ret) {
		sqe = vcr_sqe(VCRYPT_OP_KEY_LOAD, VCRYPT_ALG_AES_CBC);
		sqe.key_slot = htole16(0);
		sqe.src = htole64(r.key.iova);
		sqe.src_len = htole32(16);
		ret = vcr_expect(&r, "KEY_LOAD of an AES-128 key", &sqe,
				 VCRYPT_STS_OK, 0);
	}
	if (!ret)
		ret = vcr_cbc(&r, "AES-CBC encrypt (OpenSSL agrees)");
	if (!ret)
		ret = vcr_bad_input(&r);
	if (!ret)
		ret = vcr_sha256(&r, "SHA-256 after bad input", r.msg.iova);
	if (!ret)
		ret = vcr_cbc(&r, "AES-CBC encrypt after bad input");
	if (!ret)
		ret = vcr_no_migration(c);
	if (!ret && c->o.irq != VC_IRQ_POLL && !c->interrupts) {
		vc_err("no completion interrupt came");
		ret = -EIO;
	}
	if (!ret)
		printf("vfio-client: vcrypt: every result as OpenSSL's, %llu interrupts\n",
		       (unsigned long long)c->interrupts);
	return ret;
}
