// SPDX-License-Identifier: GPL-2.0
/*
 * A descriptor fuzzer for vcrypt (TAP): random and adversarial requests on
 * one queue, deterministic from a seed, bounded in operations and time;
 * vzip_fuzz_test.c's counterpart, sharing its generator and report
 * (test/include/fuzz.h) and its arena and addresses (fuzz_arena.h).
 *
 *   vcrypt_fuzz_test [--seed S] [--ops N] [--seconds T] [-v]
 *
 * What one operation is, drawn at random:
 * - a descriptor with random fields (opcodes, algorithms, versions, flags,
 *   key slots up to past KEY_SLOTS, iv_len and IV bytes, aad_len,
 *   tag_len, reserved fields, lengths up to past MAX_LEN) and addresses
 *   from fuzz_arena.h's pool: the queue's memory, a read-only page, an
 *   unmapped page, ranges that run off a mapping or wrap, kernel
 *   addresses, NULL; alone or a batch in flight at once;
 * - KEY_LOAD of keys of every length for every algorithm into slots
 *   inside and past KEY_SLOTS, KEY_CLEAR;
 * - a digest, HMAC or AES-CBC/CTR request on a slot the fuzzer keyed
 *   (or emptied, or keyed for another algorithm), checked against
 *   OpenSSL's libcrypto;
 * - a SHA-256 or AES-CBC stream over three requests whose context is
 *   corrupted (a bit flipped: BAD_CONTEXT, then repaired), used for the
 *   other direction, replayed after its end and after its slot was
 *   reloaded (BAD_CONTEXT), the result checked against libcrypto;
 * - an sq_tail more than the ring's depth ahead, then put back;
 *   doorbells with nothing to do;
 * - with SVA, the source of a 1 MiB digest unmapped while in flight.
 *
 * After every completion: it came (no hang), user_data is the request's,
 * the status is a defined one (never ABORTED or HW_ERROR) and the
 * expected one where Documentation/vcrypt.rst decides it, produced is
 * within dst_len and 0 unless OK, STREAM_END only on a FINAL request
 * that succeeded, reserved fields are zero, a context is unchanged by
 * any status but OK, and nothing outside the destinations and contexts
 * changed in the queue's memory.  At the end the queue still hashes and
 * no key slot is loaded once it is closed.  A failure prints the seed and
 * operation that reproduce it.
 */
#define _GNU_SOURCE
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tap.h"
#include "fuzz.h"
#include "vcrypt_testlib.h"
#include "fuzz_arena.h"

#define ARENA_SIZE	(256 * 1024)
#define MAX_BATCH	8
#define ANY_STATUS	0xff
#define MODEL_SLOTS	4	/* slots the known-answer operations use */
#define DATA_MAX	(16 * 1024)
#define NR_OPCODES	(VCRYPT_OP_DECRYPT + 1)

static int verbose;
static unsigned long counts[8], statuses[VCRYPT_STS_BAD_CONTEXT + 2];

/* what the fuzzer knows of a slot it uses for known answers */
enum slot_state { SLOT_EMPTY, SLOT_KNOWN, SLOT_UNKNOWN };

struct slot {
	enum slot_state state;
	uint8_t alg;
	uint8_t len;
	uint8_t key[VCRYPT_KEY_MAX];
};

struct fz {
	struct vzip_q q;
	struct fuzz_arena a;
	uint32_t max_len;
	uint32_t ctx_size;
	uint32_t key_slots;
	uint32_t algs;
	bool stream;
	struct slot slots[MODEL_SLOTS];
};

struct req {
	struct vcrypt_sqe sqe;
	uint8_t want;		/* the status, or ANY_STATUS */
	uint8_t also;		/* another acceptable status, or ANY_STATUS */
};

/* ---- the rules ---- */

static bool is_digest(uint8_t alg)
{
	return alg >= VCRYPT_ALG_SHA256 && alg <= VCRYPT_ALG_SM3;
}

static bool is_keyed(uint8_t alg)
{
	return alg >= VCRYPT_ALG_HMAC_SHA256 && alg < VCRYPT_ALG_NR;
}

/* Whether @alg may be the alg of @op (Documentation/vcrypt.rst). */
static bool suits(uint8_t op, uint8_t alg)
{
	switch (op) {
	case VCRYPT_OP_KEY_LOAD:
		return is_keyed(alg);
	case VCRYPT_OP_DIGEST:
		return is_digest(alg) || alg == VCRYPT_ALG_HMAC_SHA256;
	case VCRYPT_OP_ENCRYPT:
	case VCRYPT_OP_DECRYPT:
		return alg >= VCRYPT_ALG_AES_CBC && alg < VCRYPT_ALG_NR;
	default:
		return !alg;
	}
}

static bool has_streams(uint8_t alg)
{
	return (alg >= VCRYPT_ALG_SHA256 && alg <= VCRYPT_ALG_AES_CTR) ||
	       alg == VCRYPT_ALG_SM4_CBC;
}

/*
 * A descriptor with random fields, and what the rules say of it: INVALID
 * where a rule of "Submission entry" is certainly broken, OK for a NOP
 * that breaks none, nothing more precise otherwise.
 */
static void random_req(struct fz *f, struct req *r)
{
	struct vcrypt_sqe *s = &r->sqe;
	enum fuzz_where ws = W_GOOD, wd = W_GOOD, wc = W_GOOD;
	bool invalid = false, maybe = false, stream;
	uint32_t src_len, dst_len, aad_len;
	uint16_t flags, slot;

	memset(r, 0, sizeof(*r));
	s->opcode = fuzz_mostly(92, NR_OPCODES);
	s->alg = s->opcode == VCRYPT_OP_NOP || s->opcode == VCRYPT_OP_KEY_CLEAR ?
		 fuzz_mostly(90, 1) : fuzz_mostly(92, VCRYPT_ALG_NR);
	s->version = fuzz_chance(95) ? VCRYPT_SQE_VERSION : (uint8_t)fuzz_rnd();
	flags = fuzz_chance(75) ? 0 :
		fuzz_chance(85) ? fuzz_below(8) : (uint16_t)fuzz_rnd();
	s->flags = htole16(flags);
	slot = fuzz_chance(85) ? fuzz_below(f->key_slots) :
	       fuzz_chance(50) ? f->key_slots : (uint16_t)fuzz_rnd();
	if (s->opcode == VCRYPT_OP_NOP || is_digest(s->alg))
		slot = fuzz_chance(90) ? 0 : slot;
	s->key_slot = htole16(slot);
	s->user_data = htole64(fuzz_rnd());
	s->iv_len = fuzz_chance(60) ? 0 : fuzz_chance(50) ? VCRYPT_CIPHER_IV :
		    fuzz_chance(50) ? VCRYPT_GCM_IV : fuzz_mostly(80, 20);
	for (unsigned int i = 0; i < VCRYPT_IV_MAX; i++) {
		if (i < s->iv_len)
			s->iv[i] = (uint8_t)fuzz_rnd();
		else if (fuzz_chance(2))	/* past iv_len: must be zero */
			s->iv[i] = (uint8_t)(fuzz_rnd() | 1);
	}
	if (fuzz_chance(2))
		s->rsvd0[fuzz_below(3)] = (uint8_t)(fuzz_rnd() | 1);
	if (fuzz_chance(2))
		s->rsvd1 = htole64(fuzz_rnd() | 1);
	if (fuzz_chance(2))
		s->rsvd[fuzz_below(12)] = htole32((uint32_t)fuzz_rnd() | 1);

	src_len = fuzz_chance(90) ? fuzz_below(8192) :
		  fuzz_chance(50) ? f->max_len : f->max_len + 1 + fuzz_below(1000);
	dst_len = fuzz_chance(90) ? fuzz_below(16384) :
		  fuzz_chance(50) ? f->max_len : f->max_len + 1 + fuzz_below(1000);
	if (s->opcode == VCRYPT_OP_KEY_LOAD && fuzz_chance(80)) {
		src_len = fuzz_below(VCRYPT_KEY_MAX + 8);
		dst_len = 0;
	}
	if (fuzz_chance(70) && (s->opcode == VCRYPT_OP_NOP ||
				s->opcode == VCRYPT_OP_KEY_CLEAR))
		src_len = dst_len = 0;
	if (s->alg == VCRYPT_ALG_AES_GCM && fuzz_chance(80)) {
		aad_len = fuzz_below(src_len + 1);
		s->tag_len = fuzz_mostly(90, VCRYPT_GCM_TAG_MAX + 1);
	} else {
		aad_len = fuzz_chance(95) ? 0 : fuzz_below(src_len + 64);
		s->tag_len = fuzz_chance(95) ? 0 : (uint8_t)fuzz_rnd();
	}
	s->src_len = htole32(src_len);
	s->dst_len = htole32(dst_len);
	s->aad_len = htole32(aad_len);
	if (fuzz_chance(70) && (s->opcode == VCRYPT_OP_NOP ||
				s->opcode == VCRYPT_OP_KEY_CLEAR)) {
		s->src = 0;
		s->dst = 0;
	} else {
		s->src = htole64(fuzz_arena_pick(&f->a, src_len, false, &ws));
		s->dst = htole64(fuzz_chance(5) ? s->src :
				 fuzz_arena_pick(&f->a, dst_len, true, &wd));
		if (s->dst == s->src)
			wd = ws;
	}
	stream = flags & VCRYPT_SQE_F_STREAM;
	if (stream || fuzz_chance(3)) {
		s->ctx = htole64(fuzz_arena_addr(&f->a,
				 fuzz_arena_at(&f->a, f->ctx_size,
					       fuzz_chance(95))));
		if (fuzz_chance(10))
			s->ctx = htole64(fuzz_arena_pick(&f->a, f->ctx_size,
							 true, &wc));
	}

	/* what the rules of "Submission entry" certainly refuse */
	if (s->version != VCRYPT_SQE_VERSION || s->opcode >= NR_OPCODES ||
	    s->alg >= VCRYPT_ALG_NR)
		invalid = true;
	else if (!suits(s->opcode, s->alg) || (s->alg && !(f->algs & (1u << s->alg))))
		invalid = true;
	if (flags & ~(VCRYPT_SQE_F_STREAM | VCRYPT_SQE_F_NEW_STREAM |
		      VCRYPT_SQE_F_FINAL))
		invalid = true;
	if ((flags & (VCRYPT_SQE_F_NEW_STREAM | VCRYPT_SQE_F_FINAL)) && !stream)
		invalid = true;
	if (stream && (!f->stream || !has_streams(s->alg)))
		invalid = true;
	if (s->rsvd0[0] || s->rsvd0[1] || s->rsvd0[2] || s->rsvd1)
		invalid = true;
	for (unsigned int i = 0; i < 12; i++)
		if (s->rsvd[i])
			invalid = true;
	if (src_len > f->max_len || dst_len > f->max_len || aad_len > src_len)
		invalid = true;
	if (stream && (le64toh(s->ctx) & (VCRYPT_CTX_ALIGN - 1)))
		invalid = true;
	if (slot >= f->key_slots && (s->opcode == VCRYPT_OP_KEY_LOAD ||
				     s->opcode == VCRYPT_OP_KEY_CLEAR ||
				     is_keyed(s->alg)))
		invalid = true;
	for (unsigned int i = s->iv_len; i < VCRYPT_IV_MAX; i++)
		if (s->iv[i])
			invalid = true;
	if (s->opcode == VCRYPT_OP_NOP &&
	    (s->alg || slot || s->src || s->dst))
		invalid = true;
	/* the rest is for the device to judge: any defined status */
	if (s->opcode != VCRYPT_OP_NOP || src_len || dst_len || s->ctx ||
	    s->iv_len || aad_len || s->tag_len || flags)
		maybe = true;

	r->want = invalid ? VCRYPT_STS_INVALID : maybe ? ANY_STATUS :
		  VCRYPT_STS_OK;
	r->also = ANY_STATUS;
}

/* The request's fields, for messages. */
static void describe(const struct vcrypt_sqe *s, char *buf, size_t size)
{
	snprintf(buf, size, "opcode %u alg %u version %u iv_len %u flags %#x "
		 "slot %u src %#llx+%u dst %#llx+%u ctx %#llx aad %u tag %u",
		 s->opcode, s->alg, s->version, s->iv_len, le16toh(s->flags),
		 le16toh(s->key_slot), (unsigned long long)le64toh(s->src),
		 le32toh(s->src_len), (unsigned long long)le64toh(s->dst),
		 le32toh(s->dst_len), (unsigned long long)le64toh(s->ctx),
		 le32toh(s->aad_len), s->tag_len);
}

/*
 * A random KEY_LOAD or KEY_CLEAR that completed with @st: what the
 * fuzzer knows of a model slot it names changes.
 */
static void slot_touched(struct fz *f, const struct vcrypt_sqe *s,
			 unsigned int st)
{
	uint16_t slot = le16toh(s->key_slot);

	if (slot >= MODEL_SLOTS || st == VCRYPT_STS_INVALID ||
	    (s->opcode != VCRYPT_OP_KEY_LOAD &&
	     s->opcode != VCRYPT_OP_KEY_CLEAR))
		return;
	/* a failed KEY_LOAD of a bad key empties the slot; else unknown */
	f->slots[slot].state = s->opcode == VCRYPT_OP_KEY_CLEAR ||
			       st == VCRYPT_STS_BAD_KEY ? SLOT_EMPTY :
			       SLOT_UNKNOWN;
}

/*
 * Posts @n requests at once, reaps their completions and checks them:
 * the invariants, the expected statuses, and that the arena changed only
 * where the requests may write (a context only with OK).
 */
static void run_batch(struct fz *f, struct req *r, unsigned int n,
		      struct vcrypt_cqe *cqe)
{
	long off[MAX_BATCH][2];
	uint32_t len[MAX_BATCH][2];

	for (unsigned int i = 0; i < n; i++) {
		vcrypt_queue(&f->q, &r[i].sqe);
		counts[r[i].sqe.opcode < 7 ? r[i].sqe.opcode : 7]++;
	}
	if (vzip_submit(&f->q))
		fuzz_fail("the doorbell failed: %s", strerror(errno));
	for (unsigned int i = 0; i < n; i++) {
		const struct vcrypt_sqe *s = &r[i].sqe;
		struct vcrypt_cqe *c = &cqe[i];
		uint16_t flags = le16toh(s->flags);
		char what[320];
		unsigned int st;

		if (vcrypt_reap(&f->q, c, VZIP_TIMEOUT_MS, true))
			fuzz_fail("request %u of %u (opcode %u) did not complete "
				  "in %d s", i, n, s->opcode,
				  VZIP_TIMEOUT_MS / 1000);
		st = le16toh(c->status);
		statuses[st <= VCRYPT_STS_BAD_CONTEXT ? st :
			 VCRYPT_STS_BAD_CONTEXT + 1]++;
		describe(s, what, sizeof(what));
		if (verbose)
			printf("#   %s: status %u, %u produced\n", what, st,
			       le32toh(c->produced));
		if (c->user_data != s->user_data)
			fuzz_fail("completion %u has user_data %#llx, the request "
				  "%#llx (out of order or lost)", i,
				  (unsigned long long)le64toh(c->user_data),
				  (unsigned long long)le64toh(s->user_data));
		if (st > VCRYPT_STS_BAD_CONTEXT || st == VCRYPT_STS_ABORTED ||
		    st == VCRYPT_STS_HW_ERROR)
			fuzz_fail("%s: status %u", what, st);
		if (r[i].want != ANY_STATUS && st != r[i].want &&
		    st != r[i].also)
			fuzz_fail("%s: status %u, expected %u", what, st,
				  r[i].want);
		if (le32toh(c->produced) > le32toh(s->dst_len) ||
		    (st != VCRYPT_STS_OK && c->produced))
			fuzz_fail("%s: status %u with %u produced", what, st,
				  le32toh(c->produced));
		if ((c->flags & ~VCRYPT_CQE_F_STREAM_END) || c->rsvd0 ||
		    c->rsvd[0] || c->rsvd[1] || c->rsvd[2] || c->rsvd[3])
			fuzz_fail("reserved completion fields are not zero");
		if ((c->flags & VCRYPT_CQE_F_STREAM_END) &&
		    (st != VCRYPT_STS_OK || !(flags & VCRYPT_SQE_F_FINAL)))
			fuzz_fail("%s: STREAM_END with status %u", what, st);
		slot_touched(f, s, st);
		/*
		 * The destination may change with OK, AUTH_FAILED (zeroed)
		 * and ADDR_ERROR (a range found bad after another's copy);
		 * a context only with OK; INVALID writes nothing.
		 */
		off[i][0] = off[i][1] = -1;
		len[i][0] = len[i][1] = 0;
		if (st == VCRYPT_STS_OK || st == VCRYPT_STS_AUTH_FAILED ||
		    st == VCRYPT_STS_ADDR_ERROR) {
			len[i][0] = le32toh(s->dst_len);
			off[i][0] = fuzz_arena_off(&f->a, le64toh(s->dst),
						   len[i][0]);
		}
		if (st == VCRYPT_STS_OK && (flags & VCRYPT_SQE_F_STREAM)) {
			len[i][1] = f->ctx_size;
			off[i][1] = fuzz_arena_off(&f->a, le64toh(s->ctx),
						   f->ctx_size);
		}
	}
	fuzz_arena_check(&f->a, n, off, len, "destination and (successful) context");
}

/* One request alone; its completion. */
static struct vcrypt_cqe one(struct fz *f, struct req *r)
{
	struct vcrypt_cqe cqe;

	run_batch(f, r, 1, &cqe);
	return cqe;
}

/* A request that must complete with @want; its completion. */
static struct vcrypt_cqe expect(struct fz *f, const struct vcrypt_sqe *sqe,
				uint8_t want)
{
	struct req r = { .sqe = *sqe, .want = want, .also = ANY_STATUS };

	r.sqe.user_data = htole64(fuzz_rnd());
	return one(f, &r);
}

/* ---- keys ---- */

/* A key length @alg takes (drawn among them). */
static uint8_t good_key_len(uint8_t alg)
{
	switch (alg) {
	case VCRYPT_ALG_HMAC_SHA256:
		return fuzz_below(VCRYPT_HMAC_KEY_MAX + 1);
	case VCRYPT_ALG_AES_XTS:
		return fuzz_chance(50) ? 32 : 64;
	case VCRYPT_ALG_SM4_CBC:
		return VCRYPT_SM4_KEY;
	default:
		return fuzz_chance(50) ? VCRYPT_AES_KEY_128 : VCRYPT_AES_KEY_256;
	}
}

/* Loads a random key of @alg into model slot @slot, which must succeed. */
static void load_key(struct fz *f, uint16_t slot, uint8_t alg)
{
	struct slot *m = &f->slots[slot];
	struct vcrypt_sqe sqe;
	uint8_t *src;

	m->alg = alg;
	m->len = good_key_len(alg);
	for (unsigned int i = 0; i < m->len; i++)
		m->key[i] = (uint8_t)fuzz_rnd();
	/* XTS ENCRYPT refuses equal halves: never draw them */
	if (alg == VCRYPT_ALG_AES_XTS)
		m->key[m->len / 2] = (uint8_t)~m->key[0];
	src = f->a.mem + f->a.size - VCRYPT_KEY_MAX;	/* no data's place */
	fuzz_arena_write(&f->a, src, m->key, m->len);
	sqe = vcrypt_sqe(&f->q, VCRYPT_OP_KEY_LOAD, alg, slot, src, m->len,
			 NULL, 0);
	expect(f, &sqe, VCRYPT_STS_OK);
	m->state = SLOT_KNOWN;
}

/*
 * KEY_LOAD of a length that suits the algorithm or not, into a slot
 * inside or past KEY_SLOTS, or KEY_CLEAR; the model follows.
 */
static void op_keys(struct fz *f)
{
	uint8_t alg = VCRYPT_ALG_HMAC_SHA256 +
		      fuzz_below(VCRYPT_ALG_NR - VCRYPT_ALG_HMAC_SHA256);
	uint16_t slot = fuzz_chance(90) ? fuzz_below(MODEL_SLOTS) :
			f->key_slots + fuzz_below(2);
	struct vcrypt_sqe sqe;
	uint8_t len, want;
	uint8_t *src;

	if (!(f->algs & (1u << alg)))
		return;
	if (fuzz_chance(20)) {
		sqe = vcrypt_sqe(&f->q, VCRYPT_OP_KEY_CLEAR, 0, slot, NULL, 0,
				 NULL, 0);
		expect(f, &sqe, slot < f->key_slots ? VCRYPT_STS_OK :
						      VCRYPT_STS_INVALID);
		return;
	}
	if (slot < MODEL_SLOTS && fuzz_chance(50)) {
		load_key(f, slot, alg);
		return;
	}
	len = fuzz_below(VCRYPT_KEY_MAX + 1);
	switch (alg) {
	case VCRYPT_ALG_HMAC_SHA256:
		want = VCRYPT_STS_OK;
		break;
	case VCRYPT_ALG_AES_XTS:
		want = len == 32 || len == 64 ? VCRYPT_STS_OK : VCRYPT_STS_BAD_KEY;
		break;
	case VCRYPT_ALG_SM4_CBC:
		want = len == 16 ? VCRYPT_STS_OK : VCRYPT_STS_BAD_KEY;
		break;
	default:
		want = len == 16 || len == 32 ? VCRYPT_STS_OK : VCRYPT_STS_BAD_KEY;
		break;
	}
	if (slot >= f->key_slots)
		want = VCRYPT_STS_INVALID;
	src = fuzz_arena_at(&f->a, VCRYPT_KEY_MAX, true);
	sqe = vcrypt_sqe(&f->q, VCRYPT_OP_KEY_LOAD, alg, slot, src, len,
			 NULL, 0);
	expect(f, &sqe, want);	/* slot_touched() updates the model */
}

/* ---- known answers ---- */

static uint8_t data[DATA_MAX], ref[DATA_MAX + 64];

static const EVP_MD *md_of(uint8_t alg)
{
	switch (alg) {
	case VCRYPT_ALG_SHA256: return EVP_sha256();
	case VCRYPT_ALG_SHA512: return EVP_sha512();
	case VCRYPT_ALG_SHA3_256: return EVP_sha3_256();
	default: return NULL;
	}
}

static const EVP_CIPHER *cipher_of(uint8_t alg, unsigned int key_len)
{
	if (alg == VCRYPT_ALG_AES_CBC)
		return key_len == 32 ? EVP_aes_256_cbc() : EVP_aes_128_cbc();
	return key_len == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr();
}

/* libcrypto's answer for @alg over @in with model slot @m; its length. */
static int reference(uint8_t alg, const struct slot *m, const uint8_t *iv,
		     bool enc, const uint8_t *in, size_t len, uint8_t *out)
{
	unsigned int n = 0;
	int a = 0, b = 0, ok;
	EVP_CIPHER_CTX *c;

	if (md_of(alg))
		return EVP_Digest(in, len, out, &n, md_of(alg), NULL) ? (int)n : -1;
	if (alg == VCRYPT_ALG_HMAC_SHA256)
		return HMAC(EVP_sha256(), m->len ? m->key : (const uint8_t *)"",
			    m->len, in, len, out, &n) ? (int)n : -1;
	c = EVP_CIPHER_CTX_new();
	ok = c && EVP_CipherInit_ex(c, cipher_of(alg, m->len), NULL, m->key, iv,
				    enc) &&
	     EVP_CIPHER_CTX_set_padding(c, 0) &&
	     EVP_CipherUpdate(c, out, &a, in, (int)len) &&
	     EVP_CipherFinal_ex(c, out + a, &b);
	EVP_CIPHER_CTX_free(c);
	return ok ? a + b : -1;
}

/*
 * A digest, HMAC or AES-CBC/CTR request on a model slot: OK and
 * libcrypto's bytes when the slot holds a key of its algorithm,
 * BAD_KEY when it is empty or holds another algorithm's.
 */
static void op_known(struct fz *f)
{
	static const uint8_t pick[] = {
		VCRYPT_ALG_SHA256, VCRYPT_ALG_SHA512, VCRYPT_ALG_SHA3_256,
		VCRYPT_ALG_HMAC_SHA256, VCRYPT_ALG_AES_CBC, VCRYPT_ALG_AES_CTR,
	};
	uint8_t alg = pick[fuzz_below(sizeof(pick))], iv[VCRYPT_CIPHER_IV];
	uint16_t slot = fuzz_below(MODEL_SLOTS);
	struct slot *m = &f->slots[slot];
	bool cipher = alg >= VCRYPT_ALG_AES_CBC;
	bool enc = !cipher || fuzz_chance(50);
	uint32_t len = VCRYPT_BLOCK_SIZE + fuzz_below(DATA_MAX - 15), out_len;
	uint8_t *src, *dst, want = VCRYPT_STS_OK;
	struct vcrypt_sqe sqe;
	struct vcrypt_cqe cqe;
	int n;

	if (!(f->algs & (1u << alg)))
		return;
	if (alg == VCRYPT_ALG_AES_CBC)
		len &= ~(VCRYPT_BLOCK_SIZE - 1);
	if (is_keyed(alg)) {
		if (m->state == SLOT_UNKNOWN || fuzz_chance(40))
			load_key(f, slot, fuzz_chance(85) ? alg :
				 VCRYPT_ALG_HMAC_SHA256 + (alg == VCRYPT_ALG_HMAC_SHA256));
		else if (fuzz_chance(10)) {
			sqe = vcrypt_sqe(&f->q, VCRYPT_OP_KEY_CLEAR, 0, slot,
					 NULL, 0, NULL, 0);
			expect(f, &sqe, VCRYPT_STS_OK);
			m->state = SLOT_EMPTY;
		}
		if (m->state != SLOT_KNOWN || m->alg != alg)
			want = VCRYPT_STS_BAD_KEY;
	} else {
		slot = 0;
	}
	for (unsigned int i = 0; i < len; i++)
		data[i] = (uint8_t)fuzz_rnd();
	for (unsigned int i = 0; i < sizeof(iv); i++)
		iv[i] = (uint8_t)fuzz_rnd();
	out_len = cipher ? len : (uint32_t)EVP_MD_get_size(md_of(alg) ?
							 md_of(alg) : EVP_sha256());
	src = f->a.mem;
	dst = f->a.mem + ((len + 64 + 63) & ~63u);
	fuzz_arena_write(&f->a, src, data, len);
	/* in place, now and then (ciphers only) */
	if (cipher && fuzz_chance(20))
		dst = src;
	sqe = vcrypt_sqe(&f->q, cipher ? (enc ? VCRYPT_OP_ENCRYPT :
					 VCRYPT_OP_DECRYPT) : VCRYPT_OP_DIGEST,
			 alg, slot, src, len, dst, out_len);
	if (cipher) {
		sqe.iv_len = VCRYPT_CIPHER_IV;
		memcpy(sqe.iv, iv, sizeof(iv));
	}
	/* one byte short of the output: OVERFLOW, nothing written */
	if (want == VCRYPT_STS_OK && out_len && fuzz_chance(10)) {
		sqe.dst_len = htole32(out_len - 1);
		want = VCRYPT_STS_OVERFLOW;
	}
	cqe = expect(f, &sqe, want);
	if (want != VCRYPT_STS_OK)
		return;
	n = reference(alg, m, iv, enc, data, len, ref);
	if (n < 0 || (uint32_t)n != out_len)
		fuzz_fail("libcrypto failed on alg %u, %u bytes", alg, len);
	if (le32toh(cqe.produced) != out_len || memcmp(dst, ref, out_len))
		fuzz_fail("alg %u %s of %u bytes (slot %u, key %u bytes%s): "
			  "produced %u, %s libcrypto's", alg,
			  enc ? "forward" : "DECRYPT", len, slot, m->len,
			  dst == src ? ", in place" : "", le32toh(cqe.produced),
			  memcmp(dst, ref, out_len) ? "not" : "");
}

/* ---- streams ---- */

/*
 * A SHA-256 or AES-CBC stream in three requests, its context corrupted
 * (BAD_CONTEXT, unchanged, then repaired), used for DECRYPT, and replayed
 * after the end and after the slot's reload (BAD_CONTEXT).
 */
static void op_stream(struct fz *f)
{
	bool cbc = fuzz_chance(50);
	uint8_t alg = cbc ? VCRYPT_ALG_AES_CBC : VCRYPT_ALG_SHA256;
	uint16_t slot = fuzz_below(MODEL_SLOTS);
	uint32_t len = 48 + fuzz_below(DATA_MAX - 48), part, made = 0;
	uint8_t *ctx, *src, *dst, *saved, iv[VCRYPT_CIPHER_IV];
	struct vcrypt_sqe sqe;
	struct vcrypt_cqe cqe;
	int n;

	if (!f->stream || !(f->algs & (1u << alg)))
		return;
	if (cbc) {
		len &= ~(VCRYPT_BLOCK_SIZE - 1);
		load_key(f, slot, alg);
	} else {
		slot = 0;
	}
	part = cbc ? (len / 3) & ~(VCRYPT_BLOCK_SIZE - 1) : len / 3;
	for (unsigned int i = 0; i < len; i++)
		data[i] = (uint8_t)fuzz_rnd();
	for (unsigned int i = 0; i < sizeof(iv); i++)
		iv[i] = (uint8_t)fuzz_rnd();
	ctx = f->a.mem;
	saved = malloc(f->ctx_size);
	src = ctx + ((f->ctx_size + 63) & ~63u);
	dst = src + ((len + 63) & ~63u);
	if (!saved)
		fuzz_fail("out of memory");
	fuzz_arena_write(&f->a, src, data, len);
	for (int i = 0; i < 3; i++) {
		uint32_t from = i * part, l = i == 2 ? len - from : part;
		uint32_t out = cbc ? l : i == 2 ? VCRYPT_SHA256_SIZE : 0;

		sqe = vcrypt_sqe(&f->q, cbc ? VCRYPT_OP_ENCRYPT : VCRYPT_OP_DIGEST,
				 alg, slot, src + from, l,
				 out ? dst + made : NULL, out);
		sqe.flags = htole16(VCRYPT_SQE_F_STREAM |
				    (i ? 0 : VCRYPT_SQE_F_NEW_STREAM) |
				    (i == 2 ? VCRYPT_SQE_F_FINAL : 0));
		sqe.ctx = htole64(fuzz_arena_addr(&f->a, ctx));
		if (cbc && !i) {
			sqe.iv_len = VCRYPT_CIPHER_IV;
			memcpy(sqe.iv, iv, sizeof(iv));
		}
		if (i && fuzz_chance(30)) {
			/* corrupted: BAD_CONTEXT, and the context unchanged */
			unsigned int at = fuzz_below(f->ctx_size);
			uint8_t was = ctx[at], bit = 1 << fuzz_below(8);

			ctx[at] ^= bit;
			f->a.shadow[at] ^= bit;
			expect(f, &sqe, VCRYPT_STS_BAD_CONTEXT);
			fuzz_arena_write(&f->a, ctx + at, &was, 1);
		}
		if (i && cbc && fuzz_chance(20)) {
			struct vcrypt_sqe other = sqe;

			other.opcode = VCRYPT_OP_DECRYPT;
			expect(f, &other, VCRYPT_STS_BAD_CONTEXT);
		}
		cqe = expect(f, &sqe, VCRYPT_STS_OK);
		if (i == 0)
			memcpy(saved, ctx, f->ctx_size);
		if (le32toh(cqe.produced) != out)
			fuzz_fail("stream request %d produced %u, not %u", i,
				  le32toh(cqe.produced), out);
		made += out;
	}
	n = reference(alg, &f->slots[slot], iv, true, data, len, ref);
	if (n < 0 || (uint32_t)n != made || memcmp(dst, ref, made))
		fuzz_fail("a %s stream of %u bytes in 3 requests: not libcrypto's",
			  cbc ? "AES-CBC" : "SHA-256", len);
	/* replayed after its end: the context is spent */
	sqe.src_len = htole32(cbc ? VCRYPT_BLOCK_SIZE : 1);
	sqe.flags = htole16(VCRYPT_SQE_F_STREAM);
	sqe.dst = htole64(cbc ? fuzz_arena_addr(&f->a, dst) : 0);
	sqe.dst_len = htole32(cbc ? VCRYPT_BLOCK_SIZE : 0);
	expect(f, &sqe, VCRYPT_STS_BAD_CONTEXT);
	if (cbc) {
		/* a context of the slot's older generation */
		fuzz_arena_write(&f->a, ctx, saved, f->ctx_size);
		load_key(f, slot, alg);
		expect(f, &sqe, VCRYPT_STS_BAD_CONTEXT);
	}
	free(saved);
}

/* ---- the ring, the doorbell, unmapping ---- */

/* An sq_tail too far ahead is ignored until it is back in range. */
/* SVA: the source of a 1 MiB SHA-512 unmapped while it is in flight. */
static void op_unmap(struct fz *f)
{
	size_t len = 1 << 20;
	struct vcrypt_sqe s;
	struct vcrypt_cqe c;
	uint8_t *src, *dst;
	unsigned int st;

	if (!f->q.sva || len > f->max_len)
		return;
	src = fuzz_anon(len);
	dst = fuzz_anon(4096);
	memset(src, 0x5a, len);
	s = vcrypt_sqe(&f->q, VCRYPT_OP_DIGEST, VCRYPT_ALG_SHA512, 0, src, len,
		       dst, VCRYPT_SHA512_SIZE);
	s.user_data = htole64(fuzz_rnd());
	fuzz_unmap_inflight(&f->q, &s, sizeof(s), src, len, &c, sizeof(c),
			    "a digest");
	st = le16toh(c.status);
	statuses[st <= VCRYPT_STS_BAD_CONTEXT ? st : VCRYPT_STS_BAD_CONTEXT + 1]++;
	if (st != VCRYPT_STS_OK && st != VCRYPT_STS_ADDR_ERROR)
		fuzz_fail("a digest whose source was unmapped: status %u", st);
	if (st == VCRYPT_STS_OK && le32toh(c.produced) != VCRYPT_SHA512_SIZE)
		fuzz_fail("a digest whose source was unmapped: OK with %u bytes",
			  le32toh(c.produced));
	munmap(dst, 4096);
}

static void setup(struct fz *f)
{
	fuzz_open(&f->q, vcrypt_find_device, "vcrypt");
	if (vzip_reg(&f->q, VCRYPT_REG_MAGIC) != VCRYPT_MAGIC ||
	    vzip_reg(&f->q, VCRYPT_REG_SQE_SIZE) != sizeof(struct vcrypt_sqe) ||
	    vzip_reg(&f->q, VCRYPT_REG_CQE_SIZE) != sizeof(struct vcrypt_cqe))
		fuzz_fail("%s is not vcrypt as this test knows it", f->q.name);
	f->max_len = vzip_reg(&f->q, VCRYPT_REG_MAX_LEN);
	f->ctx_size = vzip_reg(&f->q, VCRYPT_REG_CTX_SIZE);
	f->key_slots = vzip_reg(&f->q, VCRYPT_REG_KEY_SLOTS);
	f->algs = vzip_reg(&f->q, VCRYPT_REG_ALGS);
	f->stream = vzip_reg(&f->q, VCRYPT_REG_CAPS) & VCRYPT_CAP_STREAM;
	if (f->key_slots < MODEL_SLOTS)
		fuzz_fail("%u key slots, fewer than %d", f->key_slots,
			  MODEL_SLOTS);
	fuzz_arena_setup(&f->a, &f->q, ARENA_SIZE);
}

int main(int argc, char **argv)
{
	struct fuzz_opts o = { .ops = 2000, .seconds = 60 };
	struct vcrypt_cqe cqe[MAX_BATCH];
	struct req r[MAX_BATCH];
	static struct fz f;
	struct timespec t0;
	unsigned int kind;
	char name[NAME_MAX + 1];
	long long loaded;
	unsigned long n;

	if (!fuzz_parse(argc, argv, &o, NULL))
		return 2;
	verbose = o.verbose;
	fuzz_verbose = o.verbose;
	fuzz_init(o.seed, "vcrypt_fuzz_test", "descriptor fuzzing");
	tap_plan(3);
	tap_diag("seed %llu, up to %lu operations or %lu s",
		 (unsigned long long)o.seed, o.ops, o.seconds);
	setup(&f);
	printf("# %s, %s, ring depth %u, MAX_LEN %u, context %u bytes, %u key "
	       "slots, algs %#x, memory at %#llx\n", f.q.name,
	       f.q.sva ? "SVA" : "static region", f.q.depth, f.max_len,
	       f.ctx_size, f.key_slots, f.algs,
	       (unsigned long long)fuzz_arena_addr(&f.a, f.a.mem));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 0; fuzz_next(n, &o, &t0, &kind); n++) {
		unsigned int batch;

		if (kind < 35) {
			random_req(&f, &r[0]);
			one(&f, &r[0]);
		} else if (kind < 45) {
			batch = fuzz_batch_size(&f.q, MAX_BATCH);
			for (unsigned int i = 0; i < batch; i++)
				random_req(&f, &r[i]);
			run_batch(&f, r, batch, cqe);
		} else if (kind < 55) {
			op_keys(&f);
		} else if (kind < 75) {
			op_known(&f);
		} else if (kind < 88) {
			op_stream(&f);
		} else if (kind < 93) {
			fuzz_ring_ahead(&f.q);
		} else if (kind < 97) {
			fuzz_doorbells(&f.q);
		} else {
			op_unmap(&f);
		}
	}
	printf("# %lu operations in %ld ms; requests NOP %lu KEY_LOAD %lu "
	       "KEY_CLEAR %lu DIGEST %lu ENCRYPT %lu DECRYPT %lu other %lu\n",
	       n, vzip_ms_since(&t0), counts[0], counts[1], counts[2],
	       counts[3], counts[4], counts[5], counts[6] + counts[7]);
	printf("# statuses: OK %lu OVERFLOW %lu AUTH_FAILED %lu ADDR_ERROR %lu "
	       "INVALID %lu BAD_KEY %lu BAD_IV %lu BAD_LENGTH %lu "
	       "BAD_CONTEXT %lu\n", statuses[0], statuses[1], statuses[2],
	       statuses[3], statuses[4], statuses[7], statuses[8],
	       statuses[9], statuses[10]);
	tap_ok(1, "descriptor fuzzing: %lu operations, no crash, hang or "
	       "wrong answer (seed %llu)", n, (unsigned long long)o.seed);
	/* still a working queue */
	fuzz_begin(n);
	fuzz_op_name = "final check";
	op_known(&f);
	tap_ok(vcrypt_hashes(f.q.name), "the device still hashes correctly");
	/* the queue's slots are wiped when it is released */
	snprintf(name, sizeof(name), "%s", f.q.name);
	vzip_close(&f.q);
	for (int i = 0; i < 100; i++) {
		loaded = vcrypt_stat(name, "slots_loaded");
		if (!loaded)
			break;
		usleep(50000);
	}
	tap_ok(loaded == 0, "no key slot loaded once the queue is closed (%lld)",
	       loaded);
	return tap_done();
}
