// SPDX-License-Identifier: GPL-2.0
/*
 * The window of vzip's DECOMPRESS and COMPRESS (issue 11), checked against
 * user-space zlib (Documentation/vzip.rst, "Decompression", "Streams").
 *
 * A DECOMPRESS request behaves as ONE call of zlib's inflate() on a stream
 * initialised with windowBits -W (raw), W (zlib) or 16+W (gzip), with
 * avail_in = src_len and avail_out = dst_len: a back-reference may reach
 * into the output of the same request and into the history of the stream
 * context (the last min(2^W, total output) bytes); anything further is a
 * DATA_ERROR, which produces and consumes nothing.  The page layout of the
 * buffers does not matter.  Issue 11 was a single request with W = 9 into a
 * 64 KiB destination crashing the kernel: its inflate, called once per
 * destination page, resumed a match cut by a page end without checking the
 * distance against its (too small) window.
 *
 * Decompression: data = a random block of d bytes repeated, for every
 * W in 9..15 and d in {2^W - 1, 2^W, 2^W + 1} (plus the 2048-byte
 * block x16 for every W), deflated by zlib with a 32 KiB window in the raw,
 * zlib (header rewritten to say CINFO = W - 8) and gzip formats.  zlib's
 * deflate never emits a distance beyond 32506 and deflate cannot encode one
 * beyond 32768, so W = 15 uses a hand-made fixed-Huffman stream for
 * d = 32767 and 32768 and has no d = 32769.  Each case runs as a sequence
 * of requests (one request, its destination at offsets 0, 1, 100 and 4095
 * of a page; a first request of d, d + 1 or d + 100 bytes, then the rest;
 * requests of 1000, 4096 or 4097 bytes) on the device, with a stream
 * context when there are several, and the same sequence of inflate() calls
 * in user space: statuses, byte counts and bytes must agree; a DATA_ERROR
 * must leave the context as it was and fail again when repeated.  The
 * outcomes that prove the data really has distance d are asserted on both
 * sides too (first_rule()).  Also: the honest zlib header (CINFO = 7) for
 * every W, and a reference beyond everything produced so far.
 *
 * Compression: data with repeats at distances around 2^W, compressed by
 * the device in one request and in a stream of several; zlib must inflate
 * it with windowBits for W, one output byte per call, which checks every
 * match against a history of at most 2^W bytes.
 *
 * Backends (the same cases on each):
 *   (none)        a queue of the first vzip device through uacce: with
 *                 SVA (sva=1) or the SS region (sva=0)
 *   --vfio UUID   a vfio-pci mdev instance, driven as a VMM would with
 *                 samples/vfio-client's VFIO and PCI code: rings and data
 *                 in "guest RAM" at IOVAs, completions polled
 *   --emulate     user-space zlib plays the device: the harness's own
 *                 check, runs anywhere (no device, no root)
 *
 * Prints TAP; on a disagreement a "# MISMATCH" line with W, d, format,
 * split, request index and both sides' results.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <zlib.h>

#include "tap.h"
#include "vzip_testlib.h"
#include "vzip_zref.h"
#include "vfio.h"
#include "vzpci.h"

#define PAGE		4096u
#define W_MIN		9
#define W_MAX		15
#define MIN_TOTAL	16384	/* decompressed bytes of a case, at least */
#define REPRO_D		2048
#define REPRO_COPIES	16
#define MAX_REQS	256
#define CTX_RESERVE	(256u << 10)	/* for the context, where we allocate */
#define DST_SLACK	(2 * PAGE + 4097)
#define BOUND(n)	((n) + (n) / 1000 + 64)
/* room for a compressed case: random literals cost up to 9 bits each */
#define CMP_CAP(n)	((n) + (n) / 8 + 256)
/* the largest compression case's input */
#define COMP_CAP(w)	(3 * (1u << (w)) + 4096 + 12288)

static const char *const fmt_names[] = { "raw", "zlib", "gzip" };

/* vfio-client's names (vzpci.h), and this test's marker for none */
static const char *sts_name(unsigned int s)
{
	return s == 0xffff ? "NO_COMPLETION" : vz_status_name(s);
}

/* ---- device-reachable memory: one bump arena, reset between cases ---- */

struct arena {
	uint8_t *base;
	uint64_t dev;		/* device address of base */
	size_t size;
	size_t used;
};

static struct arena arena;

static void *arena_alloc(size_t len, size_t align)
{
	size_t off = (arena.used + align - 1) / align * align;

	if (off + len > arena.size) {
		tap_diag("device memory exhausted: %zu + %zu > %zu bytes", off,
			 len, arena.size);
		return NULL;
	}
	arena.used = off + len;
	return arena.base + off;
}

static void arena_reset(void)
{
	arena.used = 0;
}

static uint64_t dev_addr(const void *p)
{
	return arena.dev + (uint64_t)((const uint8_t *)p - arena.base);
}

/* ---- backends ---- */

struct backend {
	const char *name;
	uint32_t ctx_size;
	uint32_t max_len;
	/* execute one request and take its completion; 0 or -errno */
	int (*exec)(const struct vzip_sqe *sqe, struct vzip_cqe *cqe);
	void (*fini)(void);
};

static struct backend be;

/* (a) uacce */

static struct vzip_q uq;
static void *uq_mem;

static int uacce_exec(const struct vzip_sqe *sqe, struct vzip_cqe *cqe)
{
	return vzip_exec(&uq, sqe, cqe);
}

static void uacce_fini(void)
{
	vzip_close(&uq);
	free(uq_mem);
}

static int uacce_init(size_t need, char *why, size_t why_len)
{
	static char label[NAME_MAX + 32];
	char name[NAME_MAX + 1];
	int ret = vzip_find_device(name, sizeof(name));

	if (ret) {
		snprintf(why, why_len, "no vzip device in " VZIP_CLASS_DIR);
		return ret;
	}
	ret = vzip_open(&uq, name);
	if (!ret)
		ret = vzip_start(&uq);
	if (ret) {
		snprintf(why, why_len, "open, map and start a queue of %.64s: %s",
			 name, strerror(-ret));
		return ret;
	}
	if (uq.sva) {
		uq_mem = aligned_alloc(PAGE, need);
		arena = (struct arena){ .base = uq_mem, .dev = (uintptr_t)uq_mem,
					.size = uq_mem ? need : 0 };
	} else {
		arena = (struct arena){ .base = uq.ss, .dev = uq.ss_dma,
					.size = uq.ss_size };
	}
	be.ctx_size = vzip_reg(&uq, VZIP_REG_CTX_SIZE);
	be.max_len = vzip_reg(&uq, VZIP_REG_MAX_LEN);
	be.exec = uacce_exec;
	be.fini = uacce_fini;
	if (!(vzip_reg(&uq, VZIP_REG_CAPS) & VZIP_CAP_STREAM)) {
		snprintf(why, why_len, "%.64s has no VZIP_CAP_STREAM", name);
		return -EOPNOTSUPP;
	}
	snprintf(label, sizeof(label), "%.64s (uacce, %s)", name,
		 uq.sva ? "SVA" : "SS region");
	be.name = label;
	return 0;
}

/* (b) a vfio-pci mdev instance */

#define VF_IOVA_RINGS	0x10000000ull
#define VF_IOVA_DATA	0x40000000ull
#define VF_DEPTH	16

static struct vc_vfio vf;
static struct vz_pci vpci;
static struct vz_queue vq;
static uint8_t *vf_rings;
static size_t vf_data_size;
static int vf_rings_mapped, vf_data_mapped, vq_ready;

static int vfio_exec(const struct vzip_sqe *sqe, struct vzip_cqe *cqe)
{
	struct timespec t0, nap = { 0, 20000 };
	int ret = vz_queue_submit(&vq, sqe);

	if (!ret)
		ret = vz_queue_doorbell(&vq);
	if (ret)
		return ret;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		ret = vz_queue_reap(&vq, cqe, 1);
		if (ret)
			return ret == 1 ? 0 : ret;
		if (vzip_ms_since(&t0) > VZIP_TIMEOUT_MS)
			return -ETIMEDOUT;
		nanosleep(&nap, NULL);
	}
}

static void vfio_fini(void)
{
	if (vq_ready)
		vz_queue_disable(&vq);
	if (vf_data_mapped)
		vc_dma_unmap(&vf, VF_IOVA_DATA, vf_data_size);
	if (vf_rings_mapped)
		vc_dma_unmap(&vf, VF_IOVA_RINGS, PAGE);
	vc_vfio_close(&vf);
	if (arena.base)
		munmap(arena.base, vf_data_size);
	if (vf_rings)
		munmap(vf_rings, PAGE);
}

static int vfio_init(const char *uuid, size_t need, char *why, size_t why_len)
{
	size_t ring = VF_DEPTH * sizeof(struct vzip_sqe);
	int ret;

	be.name = "vfio-pci instance";
	be.exec = vfio_exec;
	be.fini = vfio_fini;
	vf.container = vf.group = vf.device = -1;
	ret = vc_vfio_open(&vf, uuid, 0);
	if (!ret)
		ret = vz_pci_probe(&vpci, &vf, 0);
	if (ret) {
		snprintf(why, why_len, "open %s through VFIO: %s (see stderr)",
			 uuid, strerror(-ret));
		return ret;
	}
	vf_rings = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	vf_data_size = (need + PAGE - 1) / PAGE * PAGE;
	arena.base = mmap(NULL, vf_data_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vf_rings == MAP_FAILED || arena.base == MAP_FAILED) {
		if (vf_rings == MAP_FAILED)
			vf_rings = NULL;
		if (arena.base == MAP_FAILED)
			arena.base = NULL;
		snprintf(why, why_len, "cannot allocate guest RAM");
		return -ENOMEM;
	}
	arena.dev = VF_IOVA_DATA;
	arena.size = vf_data_size;
	ret = vc_dma_map(&vf, vf_rings, VF_IOVA_RINGS, PAGE);
	vf_rings_mapped = !ret;
	if (!ret)
		ret = vc_dma_map(&vf, arena.base, VF_IOVA_DATA, vf_data_size);
	vf_data_mapped = vf_rings_mapped && !ret;
	if (!ret)
		ret = vz_queue_init(&vq, &vpci, 0, VF_DEPTH, vf_rings,
				    VF_IOVA_RINGS, vf_rings + ring,
				    VF_IOVA_RINGS + ring);
	if (!ret)
		ret = vz_queue_enable(&vq, 0);
	vq_ready = !ret;
	if (ret) {
		snprintf(why, why_len, "%s: map guest RAM, enable queue 0: %s",
			 uuid, strerror(-ret));
		return ret;
	}
	be.ctx_size = vpci.ctx_size;
	be.max_len = vpci.max_len;
	if (!(vpci.caps & VZIP_CAP_STREAM)) {
		snprintf(why, why_len, "%s has no VZIP_CAP_STREAM", uuid);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* (c) user-space zlib as the device: the harness checking itself */

struct emu_ctx {
	uint64_t addr;
	int op;			/* 0: free */
	uint32_t check;
	z_stream zs;
};

#define EMU_CTXS	8
static struct emu_ctx emu_ctxs[EMU_CTXS];
static unsigned int emu_next;
static void *emu_mem;

static uint32_t z_checksum(unsigned int format, uint32_t check,
			   const uint8_t *buf, size_t len)
{
	if (format == VZIP_FMT_ZLIB)
		return adler32(check, buf, len);
	return crc32(check, buf, len);
}

static uint32_t z_checksum0(unsigned int format)
{
	return format == VZIP_FMT_ZLIB ? 1 : 0;
}

static void emu_end(int op, z_stream *zs)
{
	if (op == VZIP_OP_COMPRESS)
		deflateEnd(zs);
	else
		inflateEnd(zs);
}

/* The device's status for one inflate() call, as the specification says. */
static unsigned int inflate_status(int ret, const z_stream *zs, bool finish,
				   bool *end)
{
	*end = ret == Z_STREAM_END;
	if (ret == Z_STREAM_END)
		return VZIP_STS_OK;
	if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT)
		return VZIP_STS_DATA_ERROR;
	if (ret != Z_OK && ret != Z_BUF_ERROR)
		return VZIP_STS_HW_ERROR;	/* a harness failure */
	if (!zs->avail_out)
		return VZIP_STS_OVERFLOW;
	return finish ? VZIP_STS_DATA_ERROR : VZIP_STS_OK;
}

static int emu_exec(const struct vzip_sqe *sqe, struct vzip_cqe *cqe)
{
	static const int zflush[] = { Z_NO_FLUSH, Z_SYNC_FLUSH, Z_FULL_FLUSH,
				      Z_FINISH };
	unsigned int w = sqe->window_bits ? sqe->window_bits : 15;
	uint16_t flags = le16toh(sqe->flags);
	bool stream = flags & VZIP_SQE_F_STREAM, end = false;
	uint8_t *src = (uint8_t *)(uintptr_t)le64toh(sqe->src);
	uint8_t *dst = (uint8_t *)(uintptr_t)le64toh(sqe->dst);
	uint32_t slen = le32toh(sqe->src_len), dlen = le32toh(sqe->dst_len);
	struct emu_ctx *c = NULL;
	uint32_t check = z_checksum0(sqe->format);
	unsigned int status, i;
	z_stream zs = { 0 };
	int ret;

	memset(cqe, 0, sizeof(*cqe));
	cqe->user_data = sqe->user_data;
	if (stream) {
		for (i = 0; i < EMU_CTXS && !c; i++)
			if (emu_ctxs[i].op && emu_ctxs[i].addr == le64toh(sqe->ctx))
				c = &emu_ctxs[i];
		if (flags & VZIP_SQE_F_NEW_STREAM) {
			if (c) {
				emu_end(c->op, &c->zs);
				c->op = 0;
			}
			for (i = 0; i < EMU_CTXS && !c; i++)
				if (!emu_ctxs[i].op)
					c = &emu_ctxs[i];
			if (!c) {	/* forget the oldest stream */
				c = &emu_ctxs[emu_next++ % EMU_CTXS];
				emu_end(c->op, &c->zs);
			}
			c->addr = le64toh(sqe->ctx);
			c->op = 0;
		} else if (!c || c->op != sqe->opcode) {
			cqe->status = htole16(VZIP_STS_INVALID);
			return 0;
		}
	}
	if (c && c->op) {
		check = c->check;
		ret = sqe->opcode == VZIP_OP_COMPRESS ? deflateCopy(&zs, &c->zs) :
							inflateCopy(&zs, &c->zs);
	} else if (sqe->opcode == VZIP_OP_COMPRESS) {
		ret = deflateInit2(&zs, sqe->level ? sqe->level : 6, Z_DEFLATED,
				   zlib_wbits(sqe->format, w), 8,
				   Z_DEFAULT_STRATEGY);
	} else {
		ret = inflateInit2(&zs, zlib_wbits(sqe->format, w));
	}
	if (ret != Z_OK)
		return -ENOMEM;
	zs.next_in = src;
	zs.avail_in = slen;
	zs.next_out = dst;
	zs.avail_out = dlen;
	if (sqe->opcode == VZIP_OP_COMPRESS) {
		ret = deflate(&zs, zflush[sqe->flush & 3]);
		end = ret == Z_STREAM_END;
		status = ret == Z_OK || ret == Z_STREAM_END || ret == Z_BUF_ERROR ?
			 (!end && !zs.avail_out ? VZIP_STS_OVERFLOW : VZIP_STS_OK) :
			 VZIP_STS_HW_ERROR;
		check = z_checksum(sqe->format, check, src, slen - zs.avail_in);
	} else {
		ret = inflate(&zs, Z_NO_FLUSH);
		status = inflate_status(ret, &zs,
					sqe->flush == VZIP_FLUSH_FINISH, &end);
		check = z_checksum(sqe->format, check, dst, dlen - zs.avail_out);
	}
	cqe->status = htole16(status);
	if (status == VZIP_STS_OK || status == VZIP_STS_OVERFLOW) {
		cqe->consumed = htole32(slen - zs.avail_in);
		cqe->produced = htole32(dlen - zs.avail_out);
		cqe->checksum = htole32(check);
		cqe->flags = end ? VZIP_CQE_F_STREAM_END : 0;
		if (c) {
			if (c->op)
				emu_end(c->op, &c->zs);
			c->op = 0;
			if (!end) {
				ret = sqe->opcode == VZIP_OP_COMPRESS ?
				      deflateCopy(&c->zs, &zs) :
				      inflateCopy(&c->zs, &zs);
				if (ret != Z_OK)
					return -ENOMEM;
				c->op = sqe->opcode;
				c->check = check;
			}
		}
	}
	emu_end(sqe->opcode, &zs);
	return 0;
}

static void emu_fini(void)
{
	unsigned int i;

	for (i = 0; i < EMU_CTXS; i++)
		if (emu_ctxs[i].op)
			emu_end(emu_ctxs[i].op, &emu_ctxs[i].zs);
	free(emu_mem);
}

static int emu_init(size_t need)
{
	emu_mem = aligned_alloc(PAGE, need);
	arena = (struct arena){ .base = emu_mem, .dev = (uintptr_t)emu_mem,
				.size = emu_mem ? need : 0 };
	be = (struct backend){ .name = "user-space zlib as the device",
			       .ctx_size = 64, .max_len = 1u << 22,
			       .exec = emu_exec, .fini = emu_fini };
	return emu_mem ? 0 : -ENOMEM;
}

/* ---- one request ---- */

static struct vzip_sqe codec_sqe(uint8_t op, uint8_t format, uint8_t flush,
				 uint8_t w, const void *src, uint32_t slen,
				 void *dst, uint32_t dlen, void *ctx,
				 bool first)
{
	struct vzip_sqe sqe = {
		.opcode = op,
		.format = format,
		.flush = flush,
		.level = op == VZIP_OP_COMPRESS ? 6 : 0,
		.window_bits = w,
		.version = VZIP_SQE_VERSION,
		.src = htole64(dev_addr(src)),
		.dst = htole64(dev_addr(dst)),
		.src_len = htole32(slen),
		.dst_len = htole32(dlen),
	};

	if (ctx) {
		sqe.flags = htole16(VZIP_SQE_F_STREAM |
				    (first ? VZIP_SQE_F_NEW_STREAM : 0));
		sqe.ctx = htole64(dev_addr(ctx));
	}
	return sqe;
}

static struct vzip_cqe run(const struct vzip_sqe *sqe)
{
	struct vzip_cqe cqe;
	int ret = be.exec(sqe, &cqe);

	if (ret) {
		tap_diag("request not completed: %s", strerror(-ret));
		memset(&cqe, 0, sizeof(cqe));
		cqe.status = htole16(0xffff);
	}
	return cqe;
}

/* ---- hand-made deflate: one fixed-Huffman block ---- */

struct bitw {
	uint8_t *buf;
	size_t cap, pos;
	uint32_t acc;
	int n;
};

static void put_bits(struct bitw *b, uint32_t v, int n)
{
	b->acc |= v << b->n;
	b->n += n;
	while (b->n >= 8) {
		if (b->pos < b->cap)
			b->buf[b->pos] = (uint8_t)b->acc;
		b->pos++;
		b->acc >>= 8;
		b->n -= 8;
	}
}

/* A Huffman code: its bits go out most significant first. */
static void put_code(struct bitw *b, uint32_t code, int len)
{
	uint32_t rev = 0;
	int i;

	for (i = 0; i < len; i++)
		rev |= ((code >> i) & 1) << (len - 1 - i);
	put_bits(b, rev, len);
}

static void put_sym(struct bitw *b, unsigned int sym)
{
	if (sym < 144)
		put_code(b, 0x30 + sym, 8);
	else if (sym < 256)
		put_code(b, 0x190 + sym - 144, 9);
	else if (sym < 280)
		put_code(b, sym - 256, 7);
	else
		put_code(b, 0xc0 + sym - 280, 8);
}

static void put_match(struct bitw *b, unsigned int len, unsigned int dist)
{
	static const uint16_t lbase[29] = {
		3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35,
		43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
	static const uint8_t lextra[29] = {
		0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4,
		4, 4, 4, 5, 5, 5, 5, 0 };
	static const uint16_t dbase[30] = {
		1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
		257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193,
		12289, 16385, 24577 };
	static const uint8_t dextra[30] = {
		0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8,
		9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };
	int i = 28;

	while (lbase[i] > len)
		i--;
	put_sym(b, 257 + i);
	put_bits(b, len - lbase[i], lextra[i]);
	i = 29;
	while (dbase[i] > dist)
		i--;
	put_code(b, i, 5);
	put_bits(b, dist - dbase[i], dextra[i]);
}

/*
 * Raw deflate of @data (@len bytes, period @d): the first @d bytes as
 * literals, then matches at distance @d.  With @beyond, @len literals and
 * one match reaching one byte before the start of the output.  Returns the
 * bytes written to @out.
 */
static size_t craft_raw(const uint8_t *data, size_t len, uint32_t d,
			bool beyond, uint8_t *out, size_t cap)
{
	struct bitw b = { .buf = out, .cap = cap };
	size_t i = 0;

	put_bits(&b, 1, 1);	/* BFINAL */
	put_bits(&b, 1, 2);	/* fixed Huffman codes */
	while (i < len) {
		size_t left = len - i;

		if (!beyond && i >= d && left >= 3) {
			put_match(&b, left < 258 ? left : 258, d);
			i += left < 258 ? left : 258;
		} else {
			put_sym(&b, data[i++]);
		}
	}
	if (beyond)
		put_match(&b, 258, len + 1);
	put_sym(&b, 256);
	put_bits(&b, 0, 7);	/* to a byte boundary */
	return b.pos <= cap ? b.pos : 0;
}

/* @body, raw deflate of @data, in @format's header (CINFO = @w - 8) and trailer */
static size_t wrap(unsigned int format, unsigned int w, const uint8_t *body,
		   size_t blen, const uint8_t *data, size_t len, uint8_t *out)
{
	uint32_t check = z_checksum(format, z_checksum0(format), data, len);
	size_t n = 0, i;

	if (format == VZIP_FMT_ZLIB) {
		out[n++] = (uint8_t)((w - 8) << 4 | 8);
		out[n++] = 0x80;	/* FLEVEL 2 */
		out[1] |= 31 - (out[0] * 256 + out[1]) % 31;
	} else if (format == VZIP_FMT_GZIP) {
		static const uint8_t head[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0,
						  0, 0, 3 };

		memcpy(out, head, sizeof(head));
		n = sizeof(head);
	}
	memcpy(out + n, body, blen);
	n += blen;
	if (format == VZIP_FMT_ZLIB) {
		for (i = 0; i < 4; i++)
			out[n++] = (uint8_t)(check >> (24 - 8 * i));
	} else if (format == VZIP_FMT_GZIP) {
		for (i = 0; i < 4; i++)
			out[n++] = (uint8_t)(check >> (8 * i));
		for (i = 0; i < 4; i++)
			out[n++] = (uint8_t)(len >> (8 * i));
	}
	return n;
}

/* A zlib header saying CINFO = @w - 8, FCHECK fixed. */
static void zlib_set_cinfo(uint8_t *h, unsigned int w)
{
	h[0] = (uint8_t)((w - 8) << 4 | (h[0] & 0x0f));
	h[1] &= 0xe0;
	h[1] |= 31 - (h[0] * 256 + h[1]) % 31;
	if ((h[1] & 0x1f) == 31)
		h[1] &= 0xe0;
}

/* ---- decompression cases ---- */

enum dkind {
	K_REPEAT,	/* d around 2^W */
	K_REPRO,	/* the data: 2048 bytes x16 */
	K_HONEST,	/* zlib header with CINFO = 7 whatever W */
	K_BEYOND,	/* a distance past everything produced */
};

static const char *const kind_names[] = { "", " repro", " cinfo=7", " beyond" };

struct dcase {
	enum dkind kind;
	unsigned int w, fmt;
	uint32_t d;		/* the period; K_BEYOND: literals before the match */
	uint32_t total;		/* the data's length */
	bool crafted;		/* hand-made stream, not zlib's deflate */
};

enum split_kind { SP_WHOLE, SP_FIRST, SP_EVERY };

struct split {
	enum split_kind kind;
	uint32_t n;		/* SP_FIRST: first dst_len; SP_EVERY: each */
	uint32_t off;		/* dst offset in its page (SP_WHOLE) */
	bool ctx;		/* one request with a stream context */
	char name[32];
};

/* The results of a sequence of requests, on one side. */
struct seqres {
	unsigned int n;
	uint16_t status[MAX_REQS];
	uint8_t end[MAX_REQS];
	uint32_t produced[MAX_REQS];
	uint32_t consumed[MAX_REQS];
	uint32_t checksum[MAX_REQS];
	uint32_t out_at[MAX_REQS];	/* offset of the request's output */
	uint32_t total;			/* bytes produced before any error */
	uint32_t in_total;
	int error_at;			/* first DATA_ERROR (or other), -1 */
	const uint8_t *out;
};

static uint32_t split_len(const struct split *sp, const struct dcase *c,
			  unsigned int i)
{
	switch (sp->kind) {
	case SP_WHOLE:
		return i ? 0 : c->total;
	case SP_FIRST:
		if (i == 1 && c->total > sp->n)
			return c->total - sp->n;
		return i == 0 ? sp->n : 0;
	default:
		return i <= c->total / sp->n + 1 ? sp->n : 0;
	}
}

/* zlib's inflate() with the same sequence of avail_out. */
static void oracle_run(const struct dcase *c, const uint8_t *cmp,
		       uint32_t clen, const struct split *sp, uint8_t *out,
		       struct seqres *r)
{
	z_stream zs = { 0 };
	unsigned int i;
	uint32_t dlen;

	memset(r, 0, sizeof(*r));
	r->error_at = -1;
	r->out = out;
	if (inflateInit2(&zs, zlib_wbits(c->fmt, c->w)) != Z_OK) {
		r->error_at = 0;
		r->n = 1;
		r->status[0] = VZIP_STS_HW_ERROR;
		return;
	}
	zs.next_in = (uint8_t *)cmp;
	zs.avail_in = clen;
	for (i = 0; i < MAX_REQS && (dlen = split_len(sp, c, i)); i++) {
		uint32_t in0 = zs.avail_in;
		bool end;
		int ret;

		zs.next_out = out + r->total;
		zs.avail_out = dlen;
		ret = inflate(&zs, Z_NO_FLUSH);
		r->n++;
		r->status[i] = inflate_status(ret, &zs, sp->kind == SP_WHOLE,
					      &end);
		r->end[i] = end;
		r->out_at[i] = r->total;
		if (r->status[i] != VZIP_STS_OK &&
		    r->status[i] != VZIP_STS_OVERFLOW) {
			r->error_at = i;
			break;
		}
		r->produced[i] = dlen - zs.avail_out;
		r->consumed[i] = in0 - zs.avail_in;
		r->total += r->produced[i];
		r->in_total += r->consumed[i];
		r->checksum[i] = z_checksum(c->fmt, z_checksum0(c->fmt), out,
					    r->total);
		if (end || (r->status[i] == VZIP_STS_OK && !r->produced[i] &&
			    !r->consumed[i]))
			break;
	}
	inflateEnd(&zs);
}

/* flags of seqres.end[] beyond VZIP_CQE_F_STREAM_END, after an error */
#define E_COUNTS	2	/* consumed, produced or checksum not zero */
#define E_CTX		4	/* the stream context was written */
#define E_REPEAT	8	/* repeating the request did not fail the same */

/*
 * The device with the same sequence: request i's source starts after what
 * the device reported consumed, its destination after what it produced.
 * Where zlib fails (@z), the context is saved first, to check that a
 * DATA_ERROR leaves it as it was and fails again when repeated.
 */
static void device_run(const struct dcase *c, const uint8_t *cmp,
		       uint32_t clen, const struct split *sp, uint8_t *out,
		       uint8_t *ctx, const struct seqres *z, uint8_t *saved,
		       struct seqres *r)
{
	bool stream = sp->kind != SP_WHOLE || sp->ctx;
	unsigned int i;
	uint32_t dlen;

	memset(r, 0, sizeof(*r));
	r->error_at = -1;
	r->out = out;
	for (i = 0; i < MAX_REQS && (dlen = split_len(sp, c, i)); i++) {
		uint8_t flush = sp->kind == SP_WHOLE ? VZIP_FLUSH_FINISH :
						       VZIP_FLUSH_NONE;
		struct vzip_sqe sqe = codec_sqe(VZIP_OP_DECOMPRESS, c->fmt,
						flush, c->w, cmp + r->in_total,
						clen - r->in_total,
						out + r->total, dlen,
						stream ? ctx : NULL, !i);
		bool check_ctx = stream && (int)i == z->error_at;
		struct vzip_cqe cqe;

		if (check_ctx)
			memcpy(saved, ctx, be.ctx_size);
		cqe = run(&sqe);
		r->n++;
		r->status[i] = le16toh(cqe.status);
		r->end[i] = !!(cqe.flags & VZIP_CQE_F_STREAM_END);
		r->out_at[i] = r->total;
		if (r->status[i] != VZIP_STS_OK &&
		    r->status[i] != VZIP_STS_OVERFLOW) {
			r->error_at = i;
			if (cqe.consumed || cqe.produced || cqe.checksum ||
			    cqe.flags)
				r->end[i] |= E_COUNTS;
			if (check_ctx &&
			    r->status[i] == VZIP_STS_DATA_ERROR) {
				if (memcmp(saved, ctx, be.ctx_size))
					r->end[i] |= E_CTX;
				cqe = run(&sqe);
				if (le16toh(cqe.status) != VZIP_STS_DATA_ERROR)
					r->end[i] |= E_REPEAT;
			}
			break;
		}
		r->produced[i] = le32toh(cqe.produced);
		r->consumed[i] = le32toh(cqe.consumed);
		r->checksum[i] = le32toh(cqe.checksum);
		if (r->produced[i] > dlen ||
		    r->consumed[i] > clen - r->in_total) {
			r->status[i] = 0xfffe;	/* impossible counts */
			r->error_at = i;
			break;
		}
		r->total += r->produced[i];
		r->in_total += r->consumed[i];
		if (r->end[i] || (r->status[i] == VZIP_STS_OK &&
				  !r->produced[i] && !r->consumed[i]))
			break;
	}
}

static char mismatch[512];

/* Same statuses, byte counts and bytes, request by request. */
static bool agree(const struct dcase *c, const struct split *sp,
		  const struct seqres *z, const struct seqres *dv)
{
	unsigned int i, n = z->n > dv->n ? z->n : dv->n;

	for (i = 0; i < n; i++) {
		unsigned int zs = i < z->n ? z->status[i] : 0xffff;
		unsigned int ds = i < dv->n ? dv->status[i] : 0xffff;
		bool ok = i < z->n && i < dv->n && zs == ds &&
			  (z->end[i] & 1) == (dv->end[i] & 1);
		const char *why = "";

		if (ok && (zs == VZIP_STS_OK || zs == VZIP_STS_OVERFLOW)) {
			if (z->produced[i] != dv->produced[i]) {
				ok = false;
				why = ", produced differs";
			} else if (memcmp(z->out + z->out_at[i],
					  dv->out + dv->out_at[i],
					  z->produced[i])) {
				ok = false;
				why = ", bytes differ";
			}
		} else if (ok && (dv->end[i] & E_COUNTS)) {
			ok = false;
			why = ", counts or flags not zero after an error";
		} else if (ok && (dv->end[i] & E_CTX)) {
			ok = false;
			why = ", the context was written";
		} else if (ok && (dv->end[i] & E_REPEAT)) {
			ok = false;
			why = ", repeating the request did not fail again";
		}
		if (ok)
			continue;
		snprintf(mismatch, sizeof(mismatch),
			 "MISMATCH decompress W=%u d=%u fmt=%s%s split=%s req=%u/%u: zlib %s%s (%u bytes), device %s%s (%u bytes)%s",
			 c->w, c->d, fmt_names[c->fmt], kind_names[c->kind],
			 sp->name, i, n, i < z->n ? sts_name(zs) : "(no request)",
			 i < z->n && (z->end[i] & 1) ? "+END" : "",
			 i < z->n ? z->produced[i] : 0,
			 i < dv->n ? sts_name(ds) : "(no request)",
			 i < dv->n && (dv->end[i] & 1) ? "+END" : "",
			 i < dv->n ? dv->produced[i] : 0, why);
		return false;
	}
	return true;
}

/*
 * What the data must give, independently of zlib: a stream completed
 * whole (@complete), or cut by a DATA_ERROR with only a prefix of the data
 * before it.  @err_req: the request that must fail (-1: any).
 */
static bool expect(const struct dcase *c, const struct seqres *r,
		   const uint8_t *data, bool complete, int err_req,
		   char *why, size_t why_len)
{
	unsigned int i;

	for (i = 0; i < r->n && (int)i != r->error_at; i++) {
		uint32_t want = z_checksum(c->fmt, z_checksum0(c->fmt),
					   r->out, r->out_at[i] + r->produced[i]);

		if (r->checksum[i] != want) {
			snprintf(why, why_len,
				 "request %u: checksum %#x, want %#x", i,
				 r->checksum[i], want);
			return false;
		}
	}
	if (r->total > c->total || memcmp(r->out, data, r->total)) {
		snprintf(why, why_len, "output (%u bytes) is not a prefix of the data",
			 r->total);
		return false;
	}
	if (complete) {
		if (r->error_at >= 0 || !r->n || !(r->end[r->n - 1] & 1) ||
		    r->total != c->total) {
			snprintf(why, why_len,
				 "expected the whole data: %u requests, last %s%s, %u of %u bytes",
				 r->n, r->n ? sts_name(r->status[r->n - 1]) : "-",
				 r->n && (r->end[r->n - 1] & 1) ? "+END" : "",
				 r->total, c->total);
			return false;
		}
		return true;
	}
	if (r->error_at < 0 || r->status[r->error_at] != VZIP_STS_DATA_ERROR ||
	    (err_req >= 0 && r->error_at != err_req)) {
		char where[32] = "some request";

		if (err_req >= 0)
			snprintf(where, sizeof(where), "request %d", err_req);
		snprintf(why, why_len,
			 "expected DATA_ERROR in %s: %u requests, %s%s",
			 where, r->n,
			 r->error_at >= 0 ? sts_name(r->status[r->error_at]) :
					    "no error",
			 r->error_at >= 0 ? (r->error_at ? " in the last" :
					     " in the first") : "");
		return false;
	}
	return true;
}

/*
 * Where the codes of a stream lie around output offsets [from, to):
 * mark[p - from] is what zlib's inflateMark() says once byte p is out:
 * the bytes already emitted for the current code, so 1 when byte p is the
 * first of a match, 0 after a literal or the last byte of a match.
 */
struct tokmap {
	uint32_t from, to;
	uint16_t mark[1024];
};

static bool token_map(const struct dcase *c, const uint8_t *cmp,
		      uint32_t clen, struct tokmap *tm)
{
	uint8_t *out = malloc(c->total);
	z_stream zs = { 0 };
	bool ok = false;
	uint32_t p;
	int ret = Z_OK;

	tm->from = c->d - 1;
	tm->to = c->d + 100 + 600 < c->total ? c->d + 100 + 600 : c->total;
	if (!out || inflateInit2(&zs, zlib_wbits(c->fmt, 15)) != Z_OK)
		goto out;
	zs.next_in = (uint8_t *)cmp;
	zs.avail_in = clen;
	zs.next_out = out;
	zs.avail_out = tm->from;
	if (inflate(&zs, Z_NO_FLUSH) != Z_OK || zs.avail_out)
		goto out;
	for (p = tm->from; p < tm->to; p++) {
		long mark;

		zs.avail_out = 1;
		ret = inflate(&zs, Z_NO_FLUSH);
		if ((ret != Z_OK && ret != Z_STREAM_END) || zs.avail_out)
			goto out;
		mark = inflateMark(&zs);
		/* upper half -1: not in a code (a stored block, a header) */
		tm->mark[p - tm->from] = mark >> 16 == -1 ? 0 :
					 (uint16_t)(mark & 0xffff);
		if (ret == Z_STREAM_END)
			break;
	}
	tm->to = p;
	ok = true;
out:
	inflateEnd(&zs);
	free(out);
	return ok;
}

/*
 * Must the second request of a split after @b bytes fail?  1 yes, 0 no,
 * -1 cannot tell.  From b on, every match of the data is at distance d;
 * the second request starts with min(2^W, b) = 2^W bytes of history.  If
 * b is inside a match, the match resumes and d must be within the history;
 * otherwise the first match comes k literals later and may reach d <= 2^W + k
 * back.  (zlib's deflate never matches position 0, so its first match at
 * distance d starts at d + 1, not d.)
 */
static int first_rule(const struct dcase *c, const struct tokmap *tm,
		      uint32_t b)
{
	uint32_t win = 1u << c->w, p;

	if (c->d <= win)
		return 0;
	if (b <= tm->from || b >= tm->to)
		return -1;
	if (tm->mark[b - 1 - tm->from])
		return b - tm->mark[b - 1 - tm->from] >= c->d ? 1 : -1;
	for (p = b; p < tm->to; p++)
		if (tm->mark[p - tm->from] == 1)
			return c->d > win + (p - b);
	return -1;
}

/* The outcome a split must have on either side, whatever zlib says. */
static bool expected_outcome(const struct dcase *c, const struct split *sp,
			     const struct tokmap *tm, const struct seqres *r,
			     const uint8_t *data, char *why, size_t why_len)
{
	uint32_t window = 1u << c->w;
	bool far = c->d > window;
	int rule;

	switch (c->kind) {
	case K_HONEST:
		return expect(c, r, data, c->w == 15, 0, why, why_len);
	case K_BEYOND:
		return expect(c, r, data, false, -1, why, why_len);
	default:
		break;
	}
	if (sp->kind == SP_WHOLE)
		return expect(c, r, data, true, -1, why, why_len);
	if (sp->kind == SP_FIRST) {
		if (!r->n || r->status[0] != VZIP_STS_OVERFLOW ||
		    r->produced[0] != sp->n) {
			snprintf(why, why_len,
				 "request 0: %s, %u bytes, expected OVERFLOW with %u",
				 r->n ? sts_name(r->status[0]) : "-",
				 r->n ? r->produced[0] : 0, sp->n);
			return false;
		}
		rule = first_rule(c, tm, sp->n);
		if (rule < 0) {
			snprintf(why, why_len,
				 "cannot tell where the matches of the data are");
			return false;
		}
		return expect(c, r, data, !rule, rule ? 1 : -1, why, why_len);
	}
	return expect(c, r, data, !far, -1, why, why_len);
}

static unsigned int nr_mismatches, nr_expect_failures;

/* Runs one case in every split; one TAP line per split. */
static void run_dcase(const struct dcase *c, const struct split *splits,
		      unsigned int nsplits)
{
	size_t cap = CMP_CAP(c->total), clen = 0;
	uint8_t *data = malloc(c->total + 300), *body = malloc(cap);
	uint8_t *zout = malloc(c->total + DST_SLACK);
	bool have_base = false;
	uint8_t *cmp, *dout, *ctx;
	struct seqres *z = malloc(sizeof(*z)), *dv = malloc(sizeof(*dv));
	struct seqres *base = malloc(sizeof(*base));
	struct tokmap *tm = malloc(sizeof(*tm));
	uint8_t *saved = malloc(be.ctx_size);
	uint32_t seed = c->w * 1000003u + c->d * 7u + c->kind * 13u + 1;
	unsigned int i;

	arena_reset();
	cmp = arena_alloc(cap + 32, PAGE);
	dout = arena_alloc(c->total + DST_SLACK, PAGE);
	ctx = arena_alloc(be.ctx_size, 64);
	if (!data || !body || !zout || !z || !dv || !base || !tm || !saved ||
	    !cmp || !dout || !ctx)
		goto fail;

	/* the data: a random block of d bytes, repeated */
	vzip_fill_random(data, c->d, seed);
	for (i = c->d; i < c->total; i++)
		data[i] = data[i - c->d];
	if (c->kind == K_BEYOND) {
		clen = craft_raw(data, c->d, 0, true, body, cap);
		memcpy(cmp, body, clen);
	} else if (c->crafted) {
		size_t blen = craft_raw(data, c->total, c->d, false, body, cap);

		clen = blen ? wrap(c->fmt, c->w, body, blen, data, c->total,
				   cmp) : 0;
	} else {
		long n = z_deflate(c->fmt, 6, data, c->total, cmp, cap);

		clen = n > 0 ? (size_t)n : 0;
		if (clen && c->fmt == VZIP_FMT_ZLIB && c->kind != K_HONEST)
			zlib_set_cinfo(cmp, c->w);
	}
	if (!clen)
		goto fail;
	memcpy(body, cmp, clen);	/* zlib reads its own copy */
	if ((c->kind == K_REPEAT || c->kind == K_REPRO) &&
	    !token_map(c, body, clen, tm))
		goto fail;

	for (i = 0; i < nsplits; i++) {
		const struct split *sp = &splits[i];
		char why[256] = "", zwhy[256] = "";
		bool ok_agree, ok_expect, ok_zlib, ok_same = true;

		oracle_run(c, body, clen, sp, zout, z);
		memset(dout, 0xa5, c->total + DST_SLACK);
		device_run(c, cmp, clen, sp, dout + sp->off, ctx, z, saved,
			   dv);
		mismatch[0] = '\0';
		ok_agree = agree(c, sp, z, dv);
		ok_expect = expected_outcome(c, sp, tm, dv, data, why,
					     sizeof(why));
		ok_zlib = expected_outcome(c, sp, tm, z, data, zwhy,
					   sizeof(zwhy));
		if (sp->kind == SP_WHOLE && !sp->off && !sp->ctx) {
			*base = *dv;
			have_base = true;
		} else if (sp->kind == SP_WHOLE && have_base) {
			ok_same = dv->n == base->n &&
				  dv->status[0] == base->status[0] &&
				  dv->total == base->total &&
				  !memcmp(dv->out, data, dv->total);
		}
		if (!ok_agree) {
			nr_mismatches++;
			tap_diag("%s", mismatch);
		}
		if (!ok_expect) {
			nr_expect_failures++;
			tap_diag("device: %s", why);
		}
		if (!ok_zlib)
			tap_diag("zlib itself: %s (the test's data is wrong)",
				 zwhy);
		if (!ok_same)
			tap_diag("device: not what the page-aligned destination gave");
		tap_ok(ok_agree && ok_expect && ok_zlib && ok_same,
		       "decompress W=%u d=%u fmt=%s%s%s split=%s: %u request%s, %s%s",
		       c->w, c->d, fmt_names[c->fmt], kind_names[c->kind],
		       c->crafted ? " (hand-made)" : "", sp->name, dv->n,
		       dv->n == 1 ? "" : "s",
		       dv->error_at >= 0 ?
		       sts_name(dv->status[dv->error_at]) : "all of it",
		       dv->error_at >= 0 ? (dv->error_at ? " in the last" :
					    " in the first") : "");
	}
	goto out;
fail:
	for (i = 0; i < nsplits; i++)
		tap_ok(0, "decompress W=%u d=%u fmt=%s%s split=%s: could not set up the case",
		       c->w, c->d, fmt_names[c->fmt], kind_names[c->kind],
		       splits[i].name);
out:
	free(data);
	free(body);
	free(zout);
	free(z);
	free(dv);
	free(base);
	free(tm);
	free(saved);
}

static unsigned int make_splits(const struct dcase *c, struct split *sp)
{
	static const uint32_t offs[] = { 0, 1, 100, 4095 };
	static const uint32_t every[] = { 1000, 4096, 4097 };
	unsigned int n = 0, i;

	if (c->kind == K_HONEST) {
		sp[n++] = (struct split){ .kind = SP_WHOLE, .name = "whole" };
		sp[n++] = (struct split){ .kind = SP_EVERY, .n = 4096,
					  .name = "every4096" };
		return n;
	}
	for (i = 0; i < 4; i++) {
		sp[n] = (struct split){ .kind = SP_WHOLE, .off = offs[i],
					.ctx = i == 3 };
		snprintf(sp[n].name, sizeof(sp[n].name), "whole@%u%s", offs[i],
			 i == 3 ? "+ctx" : "");
		n++;
		if (c->kind == K_BEYOND)
			break;
	}
	sp[n] = (struct split){ .kind = SP_FIRST, .n = c->d };
	snprintf(sp[n].name, sizeof(sp[n].name), "first%u", c->d);
	n++;
	sp[n] = (struct split){ .kind = SP_FIRST, .n = c->d + 1 };
	snprintf(sp[n].name, sizeof(sp[n].name), "first%u", c->d + 1);
	n++;
	sp[n] = (struct split){ .kind = SP_FIRST, .n = c->d + 100 };
	snprintf(sp[n].name, sizeof(sp[n].name), "first%u", c->d + 100);
	n++;
	for (i = 0; i < 3; i++) {
		sp[n] = (struct split){ .kind = SP_EVERY, .n = every[i] };
		snprintf(sp[n].name, sizeof(sp[n].name), "every%u", every[i]);
		n++;
		if (c->kind == K_BEYOND)
			break;
	}
	return n;
}

/* Every decompression case, in order; returns how many. */
static unsigned int make_dcases(struct dcase *cs)
{
	unsigned int n = 0, w, f, k;

	for (w = W_MIN; w <= W_MAX; w++) {
		uint32_t win = 1u << w;

		for (k = 0; k < 3; k++) {
			uint32_t d = win - 1 + k;
			uint32_t copies = (MIN_TOTAL + d - 1) / d;

			if (d > 32768)		/* deflate cannot say it */
				continue;
			if (copies < 3)
				copies = 3;
			for (f = 0; f < 3; f++)
				cs[n++] = (struct dcase){
					.kind = K_REPEAT, .w = w, .fmt = f,
					.d = d, .total = copies * d,
					/* zlib's deflate reaches 32506 */
					.crafted = d > 32506 };
		}
		for (f = 0; f < 3; f++)
			cs[n++] = (struct dcase){ .kind = K_REPRO, .w = w,
						  .fmt = f, .d = REPRO_D,
						  .total = REPRO_D * REPRO_COPIES };
		cs[n++] = (struct dcase){ .kind = K_HONEST, .w = w,
					  .fmt = VZIP_FMT_ZLIB, .d = REPRO_D,
					  .total = REPRO_D * REPRO_COPIES };
		/* the match reaches d + 1 back: at most 32768 */
		cs[n++] = (struct dcase){ .kind = K_BEYOND, .w = w,
					  .fmt = VZIP_FMT_RAW,
					  .d = win < 32768 ? win : 32767,
					  .total = (win < 32768 ? win : 32767) + 258 };
	}
	return n;
}

/* ---- compression ---- */

/* Data with repeats at distances around 2^@w, at least 3 windows long. */
static uint32_t comp_data(unsigned int w, uint8_t *buf, uint32_t cap)
{
	uint32_t win = 1u << w, len = win + 1, x = w * 2654435761u | 1;
	uint32_t target = 3 * win + 4096, k = 0;
	const uint32_t dists[] = { win / 2, win - 300, win - 263, win - 262,
				   win - 1, win, win + 1, win + 3 };

	if (target < 12288)
		target = 12288;
	if (target > cap)
		target = cap;
	vzip_fill_random(buf, len, w + 77);
	while (len < target) {
		uint32_t dist = dists[k++ % 8], n, i;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		n = 200 + x % 400;
		if (n > target - len)
			n = target - len;
		for (i = 0; i < n; i++, len++)
			buf[len] = buf[len - dist];
		for (i = 0; i < 20 && len < target; i++, len++)
			buf[len] = (uint8_t)(x >> (i % 24));
	}
	return len;
}

/*
 * zlib inflates @cmp back to @data with windowBits for @w: once with all
 * the output space, once with one output byte per call, which makes zlib
 * check every match against its history (at most 2^w bytes).
 */
static bool z_check_window(unsigned int fmt, unsigned int w,
			   const uint8_t *cmp, uint32_t clen,
			   const uint8_t *data, uint32_t len, char *why,
			   size_t why_len)
{
	uint8_t *out = malloc(len + 1);
	z_stream zs = { 0 };
	int ret = Z_OK;
	bool ok = false;

	if (!out || inflateInit2(&zs, zlib_wbits(fmt, w)) != Z_OK)
		goto out;
	zs.next_in = (uint8_t *)cmp;
	zs.avail_in = clen;
	zs.next_out = out;
	zs.avail_out = len + 1;
	ret = inflate(&zs, Z_NO_FLUSH);
	if (ret != Z_STREAM_END || zs.total_out != len ||
	    memcmp(out, data, len) || zs.avail_in) {
		snprintf(why, why_len, "zlib inflate: %d (%s), %lu of %u bytes, %u input left",
			 ret, zs.msg ? zs.msg : "", zs.total_out, len,
			 zs.avail_in);
		goto out;
	}
	inflateReset(&zs);
	ret = Z_OK;
	memset(out, 0, len);
	zs.next_in = (uint8_t *)cmp;
	zs.avail_in = clen;
	zs.next_out = out;
	while (ret != Z_STREAM_END && zs.total_out <= len) {
		zs.avail_out = 1;
		ret = inflate(&zs, Z_NO_FLUSH);
		if (ret != Z_OK && ret != Z_STREAM_END)
			break;
	}
	if (ret != Z_STREAM_END || zs.total_out != len ||
	    memcmp(out, data, len)) {
		snprintf(why, why_len,
			 "zlib inflate one byte a call: %d (%s) after %lu bytes",
			 ret, zs.msg ? zs.msg : "", zs.total_out);
		goto out;
	}
	ok = true;
out:
	inflateEnd(&zs);
	free(out);
	return ok;
}

static void run_ccases(unsigned int w)
{
	uint32_t cap_in = COMP_CAP(w);
	uint32_t len, cap, spos, dpos, piece, reqs;
	uint8_t *src, *cmp, *ctx;
	unsigned int f, mode;

	for (f = 0; f < 3; f++) {
		for (mode = 0; mode < 2; mode++) {
			char why[256] = "";
			bool ok = true;
			struct vzip_cqe cqe = { 0 };

			arena_reset();
			src = arena_alloc(cap_in + 5, PAGE);
			len = src ? comp_data(w, src + 5, cap_in) : 0;
			cap = BOUND(len) + 64 * 16;
			cmp = arena_alloc(cap + 3, PAGE);
			ctx = arena_alloc(be.ctx_size, 64);
			if (!src || !cmp || !ctx) {
				tap_ok(0, "compress W=%u fmt=%s: could not set up the case",
				       w, fmt_names[f]);
				continue;
			}
			src += 5;	/* unaligned source, destination */
			cmp += mode ? 1 : 3;
			spos = dpos = 0;
			reqs = 0;
			piece = mode ? len / 5 + 13 : len;
			while (ok) {
				uint32_t end = spos + piece < len ?
					       spos + piece : len;
				struct vzip_sqe sqe = codec_sqe(
					VZIP_OP_COMPRESS, f,
					end == len ? VZIP_FLUSH_FINISH :
						     VZIP_FLUSH_NONE,
					w, src + spos, end - spos,
					cmp + dpos, cap - dpos,
					mode ? ctx : NULL, !reqs);
				unsigned int st;

				cqe = run(&sqe);
				st = le16toh(cqe.status);
				reqs++;
				if (st != VZIP_STS_OK && st != VZIP_STS_OVERFLOW) {
					snprintf(why, sizeof(why),
						 "request %u: %s", reqs - 1,
						 sts_name(st));
					ok = false;
					break;
				}
				spos += le32toh(cqe.consumed);
				dpos += le32toh(cqe.produced);
				if ((cqe.flags & VZIP_CQE_F_STREAM_END) ||
				    reqs > 64)
					break;
				if (st == VZIP_STS_OK && spos != end) {
					snprintf(why, sizeof(why),
						 "request %u: OK with %u of %u bytes consumed",
						 reqs - 1, spos, end);
					ok = false;
				}
			}
			if (ok && (!(cqe.flags & VZIP_CQE_F_STREAM_END) ||
				   spos != len)) {
				snprintf(why, sizeof(why),
					 "no end of stream after %u requests (%u of %u bytes consumed)",
					 reqs, spos, len);
				ok = false;
			}
			if (ok && le32toh(cqe.checksum) !=
			    z_checksum(f, z_checksum0(f), src, len)) {
				snprintf(why, sizeof(why), "checksum %#x, want %#x",
					 le32toh(cqe.checksum),
					 z_checksum(f, z_checksum0(f), src, len));
				ok = false;
			}
			if (ok && f == VZIP_FMT_ZLIB && cmp[0] >> 4 != w - 8) {
				snprintf(why, sizeof(why),
					 "zlib header says CINFO %u, want %u",
					 cmp[0] >> 4, w - 8);
				ok = false;
			}
			if (ok)
				ok = z_check_window(f, w, cmp, dpos, src, len,
						    why, sizeof(why));
			if (!ok)
				tap_diag("MISMATCH compress W=%u fmt=%s split=%s: %s",
					 w, fmt_names[f], mode ? "stream" : "one",
					 why);
			tap_ok(ok, "compress W=%u fmt=%s split=%s: %u bytes in %u request%s -> %u, zlib inflates it with window %u",
			       w, fmt_names[f], mode ? "stream" : "one", len,
			       reqs, reqs == 1 ? "" : "s", dpos, 1u << w);
		}
	}
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: vzip_window_test [--vfio UUID | --emulate]\n"
		"  (none)       a queue of the first vzip device (uacce)\n"
		"  --vfio UUID  a vfio-pci mdev instance of vzip, through VFIO\n"
		"  --emulate    user-space zlib as the device (harness check)\n");
}

static long ms_since(const struct timespec *t0)
{
	return vzip_ms_since(t0);
}

int main(int argc, char **argv)
{
	static struct dcase cs[7 * 16];
	struct split splits[16];
	const char *uuid = NULL;
	bool emulate = false;
	struct timespec t0, t1, tw;
	unsigned int ncases, i, w, planned = 1;
	size_t need = 0;
	char why[256] = "";
	int ret;

	if (argc == 3 && !strcmp(argv[1], "--vfio")) {
		uuid = argv[2];
	} else if (argc == 2 && !strcmp(argv[1], "--emulate")) {
		emulate = true;
	} else if (argc != 1) {
		usage();
		return 2;
	}

	/* device memory: the largest case (a context comes on top) */
	ncases = make_dcases(cs);
	for (i = 0; i < ncases; i++) {
		size_t n = CMP_CAP(cs[i].total) + 32 + PAGE + cs[i].total +
			   DST_SLACK + PAGE;

		planned += make_splits(&cs[i], splits);
		if (n > need)
			need = n;
	}
	planned += (W_MAX - W_MIN + 1) * 3 * 2;
	if (need < 2 * (COMP_CAP(W_MAX) + 64 * 16 + 128 + PAGE))
		need = 2 * (COMP_CAP(W_MAX) + 64 * 16 + 128 + PAGE);

	need = (need + PAGE - 1) / PAGE * PAGE;
	if (emulate)
		ret = emu_init(need + CTX_RESERVE);
	else if (uuid)
		ret = vfio_init(uuid, need + CTX_RESERVE, why, sizeof(why));
	else
		ret = uacce_init(need + CTX_RESERVE, why, sizeof(why));
	need += be.ctx_size + 64;
	if (!ret && (!be.ctx_size || be.max_len < 2 * MIN_TOTAL * 8)) {
		snprintf(why, sizeof(why), "context size %u, MAX_LEN %u",
			 be.ctx_size, be.max_len);
		ret = -EINVAL;
	}
	if (!ret && arena.size < need) {
		snprintf(why, sizeof(why), "%zu bytes of device memory, need %zu",
			 arena.size, need);
		ret = -ENOMEM;
	}
	if (ret) {
		/* a missing precondition is a failure, never a skip */
		tap_plan(1);
		tap_ok(0, "set up %s: %s", uuid ? uuid : emulate ?
		       "the emulation" : "a vzip queue", why);
		if (be.fini)
			be.fini();
		return 1;
	}

	tap_plan(planned);
	tap_ok(1, "backend: %s; context %u bytes, MAX_LEN %u, %zu bytes of device memory",
	       be.name, be.ctx_size, be.max_len, arena.size);
	tap_diag("W=15 has no d=32769 (deflate distances end at 32768); its d=32767 and 32768 streams are hand-made (zlib's deflate stops at 32506)");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	tw = t0;
	for (i = 0; i < ncases; i++) {
		unsigned int n = make_splits(&cs[i], splits);

		run_dcase(&cs[i], splits, n);
		if (i + 1 == ncases || cs[i + 1].w != cs[i].w) {
			tap_diag("decompression W=%u: %ld ms", cs[i].w,
				 ms_since(&tw));
			clock_gettime(CLOCK_MONOTONIC, &tw);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_diag("decompression: %u cases in %ld ms, %u disagreements with zlib, %u unexpected outcomes",
		 ncases, ms_since(&t0), nr_mismatches, nr_expect_failures);
	for (w = W_MIN; w <= W_MAX; w++) {
		clock_gettime(CLOCK_MONOTONIC, &tw);
		run_ccases(w);
		tap_diag("compression W=%u: %ld ms", w, ms_since(&tw));
	}
	tap_diag("compression: %ld ms", ms_since(&t1));

	be.fini();
	return tap_done();
}
