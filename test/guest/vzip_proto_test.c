// SPDX-License-Identifier: GPL-2.0
/*
 * The vzip device protocol (Documentation/vzip.rst), spoken with the raw
 * UAPI and checked against user-space zlib: registers, every opcode, every
 * format, level and window, streams with every flush mode split anywhere,
 * continuation after OVERFLOW, corrupt data, bad addresses, malformed
 * descriptors and contexts, poll(), the doorbell protocol, PUT_Q/START_Q
 * and hardware-error injection.
 *
 * Works with SVA (process addresses) and without (the SS region): run it
 * with vzip loaded with sva=1 and with sva=0.  Root, debugfs mounted.
 * Prints TAP; exits non-zero when a case failed.
 */
#define _GNU_SOURCE
#include <zlib.h>

#include "tap.h"
#include "vzip_testlib.h"
#include "vzip_zref.h"

#define DATA_LEN	(64 * 1024)
#define BOUND(n)	((n) + (n) / 1000 + 64)	/* the device's promise */

static const char *const fmt_names[] = { "raw", "zlib", "gzip" };
static const char *const flush_names[] = { "none", "sync", "full", "finish" };

static struct vzip_q q;

/* ---- user-space zlib ---- */

static uint32_t z_checksum(uint8_t format, const uint8_t *buf, size_t len)
{
	if (format == VZIP_FMT_ZLIB)
		return adler32(adler32(0, NULL, 0), buf, len);
	return crc32(crc32(0, NULL, 0), buf, len);
}

/* ---- device helpers ---- */

static struct vzip_cqe run(struct vzip_sqe sqe)
{
	struct vzip_cqe cqe;

	if (vzip_exec(&q, &sqe, &cqe)) {
		memset(&cqe, 0, sizeof(cqe));
		cqe.status = htole16(0xffff);
	}
	return cqe;
}

static unsigned int status(const struct vzip_cqe *cqe)
{
	return le16toh(cqe->status);
}

static struct vzip_sqe codec_sqe(uint8_t op, uint8_t format, uint8_t flush,
				 uint8_t level, uint8_t window,
				 const void *src, uint32_t slen, void *dst,
				 uint32_t dlen)
{
	struct vzip_sqe sqe = vzip_sqe(&q, op, format, flush, src, slen, dst,
				       dlen);

	sqe.level = level;
	sqe.window_bits = window;
	return sqe;
}

static struct vzip_sqe stream_sqe(struct vzip_sqe sqe, void *ctx, bool first)
{
	sqe.flags = htole16(VZIP_SQE_F_STREAM |
			    (first ? VZIP_SQE_F_NEW_STREAM : 0));
	sqe.ctx = htole64(vzip_addr(&q, ctx));
	return sqe;
}

/*
 * Compresses @len bytes as a stream: requests of @piece input bytes (the
 * last FINISH, the others @flush), at most @room bytes of destination each,
 * continuing after OVERFLOW.  Records where each request's output ended in
 * @ends (if not NULL).  Returns the bytes produced, or -1.
 */
static long stream_compress(uint8_t format, uint8_t flush, const uint8_t *src,
			    uint32_t len, uint32_t piece, uint8_t *dst,
			    uint32_t cap, uint32_t room, void *ctx,
			    uint32_t *ends, int max_ends)
{
	uint32_t spos = 0, dpos = 0, end = piece < len ? piece : len;
	unsigned int reqs = 0;
	int nr_ends = 0;

	for (;;) {
		uint8_t f = end == len ? VZIP_FLUSH_FINISH : flush;
		uint32_t r = cap - dpos < room ? cap - dpos : room;
		struct vzip_cqe cqe;

		cqe = run(stream_sqe(codec_sqe(VZIP_OP_COMPRESS, format, f, 6,
					       0, src + spos, end - spos,
					       dst + dpos, r), ctx, !reqs));
		if (status(&cqe) != VZIP_STS_OK &&
		    status(&cqe) != VZIP_STS_OVERFLOW) {
			tap_diag("compress request %u: status %u", reqs,
				 status(&cqe));
			return -1;
		}
		spos += le32toh(cqe.consumed);
		dpos += le32toh(cqe.produced);
		if (++reqs > 100000)
			return -1;
		if (status(&cqe) == VZIP_STS_OVERFLOW)
			continue;
		if (ends && nr_ends < max_ends)
			ends[nr_ends++] = dpos;
		if (end == len) {
			if (!(cqe.flags & VZIP_CQE_F_STREAM_END) ||
			    le32toh(cqe.checksum) != z_checksum(format, src, len))
				return -1;
			return dpos;
		}
		end = spos + (piece < len - spos ? piece : len - spos);
	}
}

/*
 * Decompresses a stream fed in requests of input sizes drawn from @seed
 * (1 to @max_piece bytes), at most @room bytes of destination each.
 * Returns the bytes produced, or -1.
 */
static long stream_decompress(uint8_t format, const uint8_t *src,
			      uint32_t len, uint32_t max_piece, uint32_t seed,
			      uint8_t *dst, uint32_t cap, uint32_t room,
			      void *ctx)
{
	uint32_t spos = 0, dpos = 0, end = 0, x = seed | 1;
	unsigned int reqs = 0;

	for (;;) {
		uint32_t r = cap - dpos < room ? cap - dpos : room;
		struct vzip_cqe cqe;

		if (spos == end) {
			x = x * 1103515245 + 12345;
			end = spos + 1 + (x >> 8) % max_piece;
			if (end > len)
				end = len;
		}
		cqe = run(stream_sqe(codec_sqe(VZIP_OP_DECOMPRESS, format,
					       VZIP_FLUSH_NONE, 0, 0,
					       src + spos, end - spos,
					       dst + dpos, r), ctx, !reqs));
		if (status(&cqe) != VZIP_STS_OK &&
		    status(&cqe) != VZIP_STS_OVERFLOW) {
			tap_diag("decompress request %u: status %u", reqs,
				 status(&cqe));
			return -1;
		}
		spos += le32toh(cqe.consumed);
		dpos += le32toh(cqe.produced);
		if (cqe.flags & VZIP_CQE_F_STREAM_END)
			return spos == len ? (long)dpos : -1;
		if (++reqs > 200000 || (spos == len && dpos < cap &&
					status(&cqe) == VZIP_STS_OK))
			return -1;
	}
}

/* ---- tests ---- */

static void test_registers(void)
{
	struct uacce_queue_status *st;
	long page = sysconf(_SC_PAGESIZE);
	char path[PATH_MAX];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", q.name);

	tap_ok(vzip_reg(&q, VZIP_REG_MAGIC) == VZIP_MAGIC &&
	       vzip_reg(&q, VZIP_REG_VERSION) == VZIP_HW_VERSION,
	       "registers: magic and version");
	tap_ok(q.depth == q.info.ring_depth && q.depth >= 2 &&
	       !(q.depth & (q.depth - 1)) &&
	       vzip_reg(&q, VZIP_REG_SQE_SIZE) == sizeof(struct vzip_sqe) &&
	       vzip_reg(&q, VZIP_REG_CQE_SIZE) == sizeof(struct vzip_cqe) &&
	       vzip_reg(&q, VZIP_REG_CTX_SIZE) == q.info.ctx_size &&
	       vzip_reg(&q, VZIP_REG_QID) == q.info.qid &&
	       vzip_reg(&q, VZIP_REG_SQ_OFFSET) >= 4096 &&
	       vzip_reg(&q, VZIP_REG_CQ_OFFSET) ==
	       vzip_reg(&q, VZIP_REG_SQ_OFFSET) + q.depth * 64 &&
	       q.info.status_offset == VZIP_CTRL_STATUS,
	       "registers: geometry agrees with QUEUE_INFO");
	tap_ok(!!(vzip_reg(&q, VZIP_REG_CAPS) & VZIP_CAP_SVA) == q.sva &&
	       (vzip_reg(&q, VZIP_REG_CAPS) & VZIP_CAP_STREAM) &&
	       vzip_reg(&q, VZIP_REG_MAX_LEN) >= DATA_LEN * 4,
	       "registers: capabilities (%s, streams) and MAX_LEN",
	       q.sva ? "SVA" : "SS region");
	fd = open(path, O_RDWR | O_CLOEXEC);	/* a queue not mapped yet */
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 UACCE_QFRT_MMIO * page);
	tap_ok(fd >= 0 && p != MAP_FAILED &&
	       le32toh(*(volatile uint32_t *)p) == VZIP_MAGIC,
	       "registers: a writable mapping works, as UADK maps them");
	if (p != MAP_FAILED)
		munmap(p, page);
	if (fd >= 0)
		close(fd);
	st = (void *)(q.dus + VZIP_CTRL_STATUS);
	tap_ok(st->state == UACCE_QSTATE_STOPPED && !vzip_start(&q) &&
	       st->state == UACCE_QSTATE_OK,
	       "status word: STOPPED before START_Q, OK after");
}

static void test_nop_copy(void)
{
	uint8_t *src = vzip_mem(&q, DATA_LEN + 64), *dst = vzip_mem(&q,
								    DATA_LEN + 64);
	struct vzip_sqe sqe = vzip_sqe(&q, VZIP_OP_NOP, 0, 0, NULL, 0, NULL, 0);
	struct vzip_cqe cqe;

	sqe.user_data = htole64(0x1122334455667788ULL);
	cqe = run(sqe);
	tap_ok(status(&cqe) == VZIP_STS_OK &&
	       le64toh(cqe.user_data) == 0x1122334455667788ULL,
	       "NOP completes with its user_data");

	vzip_fill(src, DATA_LEN + 64, 1);
	cqe = run(vzip_sqe(&q, VZIP_OP_COPY, 0, 0, src + 3, DATA_LEN, dst + 17,
			   DATA_LEN));
	tap_ok(status(&cqe) == VZIP_STS_OK &&
	       le32toh(cqe.consumed) == DATA_LEN &&
	       le32toh(cqe.produced) == DATA_LEN &&
	       !memcmp(dst + 17, src + 3, DATA_LEN),
	       "COPY of %u bytes at odd offsets", DATA_LEN);
	cqe = run(vzip_sqe(&q, VZIP_OP_COPY, 0, 0, src, DATA_LEN, dst, 1000));
	tap_ok(status(&cqe) == VZIP_STS_OVERFLOW &&
	       le32toh(cqe.produced) == 1000 && !memcmp(dst, src, 1000),
	       "COPY to a smaller destination: OVERFLOW");
	vzip_mem_reset(&q);
}

static void test_compress_matrix(void)
{
	static const uint8_t levels[] = { 1, 6, 9 }, windows[] = { 9, 12, 15 };
	uint8_t *src = vzip_mem(&q, DATA_LEN);
	uint8_t *cmp = vzip_mem(&q, BOUND(DATA_LEN));
	uint8_t *out = malloc(DATA_LEN);
	unsigned int f, l, w;

	vzip_fill(src, DATA_LEN, 2);
	for (f = 0; f < 3; f++) {
		for (l = 0; l < 3; l++) {
			for (w = 0; w < 3; w++) {
				struct vzip_cqe cqe;
				long n = -1;

				cqe = run(codec_sqe(VZIP_OP_COMPRESS, f,
						    VZIP_FLUSH_FINISH,
						    levels[l], windows[w], src,
						    DATA_LEN, cmp,
						    BOUND(DATA_LEN)));
				if (status(&cqe) == VZIP_STS_OK)
					n = z_inflate(f, cmp,
						      le32toh(cqe.produced),
						      out, DATA_LEN);
				tap_ok(n == DATA_LEN &&
				       !memcmp(out, src, DATA_LEN) &&
				       le32toh(cqe.consumed) == DATA_LEN &&
				       cqe.flags == VZIP_CQE_F_STREAM_END &&
				       le32toh(cqe.checksum) ==
				       z_checksum(f, src, DATA_LEN),
				       "compress %s level %u window %u: zlib inflates it (%u bytes)",
				       fmt_names[f], levels[l], windows[w],
				       le32toh(cqe.produced));
			}
		}
	}
	free(out);
	vzip_mem_reset(&q);
}

static void test_decompress_matrix(void)
{
	static const int levels[] = { 1, 9 };
	uint8_t *src = malloc(DATA_LEN);
	uint8_t *cmp = vzip_mem(&q, BOUND(DATA_LEN) + 256);
	uint8_t *out = vzip_mem(&q, DATA_LEN);
	gz_header head = { 0 };
	struct vzip_cqe cqe;
	z_stream zs = { 0 };
	unsigned int f, l;
	long n;

	vzip_fill(src, DATA_LEN, 3);
	for (f = 0; f < 3; f++) {
		for (l = 0; l < 2; l++) {
			n = z_deflate(f, levels[l], src, DATA_LEN, cmp,
				      BOUND(DATA_LEN));
			memset(out, 0, DATA_LEN);
			cqe = run(codec_sqe(VZIP_OP_DECOMPRESS, f,
					    VZIP_FLUSH_FINISH, 0, 0, cmp, n,
					    out, DATA_LEN));
			tap_ok(n > 0 && status(&cqe) == VZIP_STS_OK &&
			       le32toh(cqe.consumed) == n &&
			       le32toh(cqe.produced) == DATA_LEN &&
			       !memcmp(out, src, DATA_LEN) &&
			       le32toh(cqe.checksum) ==
			       z_checksum(f, src, DATA_LEN),
			       "decompress zlib's %s level %d", fmt_names[f],
			       levels[l]);
		}
	}

	/* a gzip header with every optional field */
	head.extra = (uint8_t *)"XYextra";
	head.extra_len = 7;
	head.name = (uint8_t *)"file.txt";
	head.comment = (uint8_t *)"a comment";
	head.hcrc = 1;
	head.time = 1234567890;
	deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	deflateSetHeader(&zs, &head);
	zs.next_in = src;
	zs.avail_in = DATA_LEN;
	zs.next_out = cmp;
	zs.avail_out = BOUND(DATA_LEN) + 256;
	n = deflate(&zs, Z_FINISH) == Z_STREAM_END ? (long)zs.total_out : -1;
	deflateEnd(&zs);
	cqe = run(codec_sqe(VZIP_OP_DECOMPRESS, VZIP_FMT_GZIP,
			    VZIP_FLUSH_FINISH, 0, 0, cmp, n, out, DATA_LEN));
	tap_ok(n > 0 && status(&cqe) == VZIP_STS_OK &&
	       le32toh(cqe.produced) == DATA_LEN && !memcmp(out, src, DATA_LEN),
	       "decompress gzip with FEXTRA, FNAME, FCOMMENT and FHCRC");
	free(src);
	vzip_mem_reset(&q);
}

static void test_compress_streams(void)
{
	uint32_t len = 2 * DATA_LEN, cap = BOUND(len) + 4096, ends[64];
	uint8_t *src = vzip_mem(&q, len), *cmp = vzip_mem(&q, cap);
	uint8_t *ctx = vzip_mem(&q, q.info.ctx_size);
	uint8_t *out = malloc(len);
	unsigned int f, fl;
	long n, m;

	vzip_fill(src, len, 4);
	for (f = 0; f < 3; f++) {
		for (fl = VZIP_FLUSH_NONE; fl <= VZIP_FLUSH_FULL; fl++) {
			n = stream_compress(f, fl, src, len, 10007, cmp, cap,
					    cap, ctx, NULL, 0);
			m = n > 0 ? z_inflate(f, cmp, n, out, len) : -1;
			tap_ok(m == len && !memcmp(out, src, len),
			       "compress stream %s, flush %s, 10007-byte requests: zlib inflates it",
			       fmt_names[f], flush_names[fl]);
		}
	}

	/* SYNC: each request's output ends with 00 00 ff ff */
	n = stream_compress(VZIP_FMT_RAW, VZIP_FLUSH_SYNC, src, len, 20000,
			    cmp, cap, cap, ctx, ends, 64);
	tap_ok(n > 0 && ends[0] >= 4 &&
	       !memcmp(cmp + ends[0] - 4, "\x00\x00\xff\xff", 4) &&
	       !memcmp(cmp + ends[1] - 4, "\x00\x00\xff\xff", 4),
	       "compress stream, SYNC: output ends on a sync marker");

	/* FULL: inflate can start at a full flush point without history */
	n = stream_compress(VZIP_FMT_RAW, VZIP_FLUSH_FULL, src, len, 20000,
			    cmp, cap, cap, ctx, ends, 64);
	m = n > 0 ? z_inflate(VZIP_FMT_RAW, cmp + ends[1], n - ends[1], out,
			      len) : -1;
	tap_ok(m == len - 40000 && !memcmp(out, src + 40000, m),
	       "compress stream, FULL: inflate restarts at the flush point");
	free(out);
	vzip_mem_reset(&q);
}

static void test_decompress_streams(void)
{
	uint32_t len = 2 * DATA_LEN;
	uint8_t *src = malloc(len), *cmp = vzip_mem(&q, BOUND(len));
	uint8_t *out = vzip_mem(&q, len + 1);
	uint8_t *ctx = vzip_mem(&q, q.info.ctx_size);
	unsigned int f;
	long n, m;

	vzip_fill(src, len, 5);
	for (f = 0; f < 3; f++) {
		n = z_deflate(f, 6, src, len, cmp, BOUND(len));
		memset(out, 0, len);
		m = n > 0 ? stream_decompress(f, cmp, n, 300, f + 7, out,
					      len + 1, 5000, ctx) : -1;
		tap_ok(m == len && !memcmp(out, src, len),
		       "decompress stream %s in 1-300 byte pieces, 5000-byte destinations",
		       fmt_names[f]);
	}
	free(src);
	vzip_mem_reset(&q);
}

static void test_overflow(void)
{
	uint32_t len = DATA_LEN, cap = 2 * DATA_LEN;
	uint8_t *src = vzip_mem(&q, len), *cmp = vzip_mem(&q, cap);
	uint8_t *out = vzip_mem(&q, len + 1);
	uint8_t *ctx = vzip_mem(&q, q.info.ctx_size);
	uint8_t *check = malloc(len);
	struct vzip_cqe cqe;
	long n, m;

	vzip_fill(src, len, 6);
	n = stream_compress(VZIP_FMT_GZIP, VZIP_FLUSH_NONE, src, len, len,
			    cmp, cap, 200, ctx, NULL, 0);
	m = n > 0 ? z_inflate(VZIP_FMT_GZIP, cmp, n, check, len) : -1;
	tap_ok(m == len && !memcmp(check, src, len),
	       "compress stream into 200-byte destinations, after OVERFLOW");
	m = n > 0 ? stream_decompress(VZIP_FMT_GZIP, cmp, n, n, 1, out,
				      len + 1, 200, ctx) : -1;
	tap_ok(m == len && !memcmp(out, src, len),
	       "decompress stream into 200-byte destinations, after OVERFLOW");

	cqe = run(codec_sqe(VZIP_OP_COMPRESS, VZIP_FMT_ZLIB, VZIP_FLUSH_FINISH,
			    6, 0, src, len, cmp, 2000));
	n = le32toh(cqe.consumed);
	m = -1;
	if (status(&cqe) == VZIP_STS_OVERFLOW && n > 0 && n < len) {
		z_stream zs = { 0 };

		/* a valid prefix of a zlib stream, ending on a sync point */
		inflateInit2(&zs, 15);
		zs.next_in = cmp;
		zs.avail_in = le32toh(cqe.produced);
		zs.next_out = check;
		zs.avail_out = len;
		m = inflate(&zs, Z_SYNC_FLUSH) == Z_OK ? (long)zs.total_out :
							-1;
		inflateEnd(&zs);
	}
	tap_ok(m == n && !memcmp(check, src, n) &&
	       le32toh(cqe.checksum) == z_checksum(VZIP_FMT_ZLIB, src, n),
	       "compress without a stream: OVERFLOW reports a valid prefix (%ld of %u bytes)",
	       n, len);

	n = z_deflate(VZIP_FMT_RAW, 6, src, len, cmp, cap);
	cqe = run(codec_sqe(VZIP_OP_DECOMPRESS, VZIP_FMT_RAW,
			    VZIP_FLUSH_FINISH, 0, 0, cmp, n, out, 5000));
	tap_ok(status(&cqe) == VZIP_STS_OVERFLOW &&
	       le32toh(cqe.produced) == 5000 && !memcmp(out, src, 5000),
	       "decompress without a stream: OVERFLOW fills the destination");
	free(check);
	vzip_mem_reset(&q);
}

static void test_corrupt(void)
{
	uint32_t len = DATA_LEN, i, bad = 0;
	uint8_t *src = malloc(len), *cmp = vzip_mem(&q, BOUND(len) + 16);
	uint8_t *out = vzip_mem(&q, 8 * len);
	struct vzip_cqe cqe;
	long n;

	vzip_fill(src, len, 8);
	n = z_deflate(VZIP_FMT_ZLIB, 6, src, len, cmp, BOUND(len));
	for (i = 0; i < n; i += 61) {
		cmp[i] ^= 0x24;
		cqe = run(codec_sqe(VZIP_OP_DECOMPRESS, VZIP_FMT_ZLIB,
				    VZIP_FLUSH_FINISH, 0, 0, cmp, n, out,
				    8 * len));
		bad += status(&cqe) != VZIP_STS_DATA_ERROR;
		cmp[i] ^= 0x24;
	}
	tap_ok(n > 0 && !bad, "corrupt zlib streams: DATA_ERROR (%u misses)",
	       bad);
	cqe = run(codec_sqe(VZIP_OP_DECOMPRESS, VZIP_FMT_ZLIB,
			    VZIP_FLUSH_FINISH, 0, 0, cmp, n - 1, out, len));
	tap_ok(status(&cqe) == VZIP_STS_DATA_ERROR,
	       "truncated stream with FINISH: DATA_ERROR");
	cqe = run(codec_sqe(VZIP_OP_DECOMPRESS, VZIP_FMT_ZLIB,
			    VZIP_FLUSH_NONE, 0, 0, cmp, n - 1, out, len));
	tap_ok(status(&cqe) == VZIP_STS_OK && !cqe.flags &&
	       le32toh(cqe.consumed) == n - 1,
	       "truncated stream without FINISH: OK, more input expected");
	memset(cmp + n, 0x5a, 16);
	cqe = run(codec_sqe(VZIP_OP_DECOMPRESS, VZIP_FMT_ZLIB,
			    VZIP_FLUSH_FINISH, 0, 0, cmp, n + 16, out, len));
	tap_ok(status(&cqe) == VZIP_STS_OK &&
	       cqe.flags == VZIP_CQE_F_STREAM_END &&
	       le32toh(cqe.consumed) == n,
	       "data after the stream is not consumed");
	free(src);
	vzip_mem_reset(&q);
}

static void test_bad_addresses_sva(void)
{
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *buf = vzip_mem(&q, 4 * page), *ro, *gap, *edge;
	struct vzip_sqe sqe;

	ro = mmap(NULL, 4 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gap = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	edge = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gap, 2 * page);			/* now nothing is there */
	munmap(edge + page, page);		/* a mapping's end */
	memset(edge, 1, page);

	sqe = vzip_sqe(&q, VZIP_OP_COPY, 0, 0, gap, 100, buf, 100);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_ADDR_ERROR,
	       "SVA: unmapped source: ADDR_ERROR");
	sqe = vzip_sqe(&q, VZIP_OP_COPY, 0, 0, buf, 100, gap, 100);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_ADDR_ERROR,
	       "SVA: unmapped destination: ADDR_ERROR");
	sqe = vzip_sqe(&q, VZIP_OP_COPY, 0, 0, edge + page - 100, 200, buf, 200);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_ADDR_ERROR,
	       "SVA: source past the end of its mapping: ADDR_ERROR");
	sqe = vzip_sqe(&q, VZIP_OP_COPY, 0, 0, buf, 100, ro, 100);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_ADDR_ERROR,
	       "SVA: read-only destination: ADDR_ERROR");
	sqe = vzip_sqe(&q, VZIP_OP_COPY, 0, 0, ro, 100, buf, 100);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_OK,
	       "SVA: read-only source: OK");
	sqe = vzip_sqe(&q, VZIP_OP_COPY, 0, 0, (void *)0xffff888000000000ULL,
		       100, buf, 100);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_ADDR_ERROR,
	       "SVA: kernel address: ADDR_ERROR");
	sqe = vzip_sqe(&q, VZIP_OP_COPY, 0, 0, buf, 64, q.dus + 2048, 64);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_ADDR_ERROR,
	       "SVA: the queue's own ring memory: ADDR_ERROR");
	sqe = stream_sqe(codec_sqe(VZIP_OP_COMPRESS, VZIP_FMT_RAW,
				   VZIP_FLUSH_SYNC, 1, 0, buf, 100, buf + 2 * page,
				   page), ro, true);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_ADDR_ERROR,
	       "SVA: read-only stream context: ADDR_ERROR");
	munmap(ro, 4 * page);
	munmap(edge, page);
	vzip_mem_reset(&q);
}

static void test_bad_addresses_ss(void)
{
	uint8_t *buf = vzip_mem(&q, 8192), *ctx = vzip_mem(&q, q.info.ctx_size);
	uint64_t end = q.ss_dma + q.ss_size;
	uint8_t local[100];
	struct vzip_sqe sqe;

	sqe = vzip_sqe(&q, VZIP_OP_COPY, 0, 0, buf, 100, buf + 4096, 100);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_OK,
	       "SS: addresses inside the region: OK");
	sqe.src = htole64(end);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_ADDR_ERROR,
	       "SS: source just past the region: ADDR_ERROR");
	sqe.src = htole64(end - 50);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_ADDR_ERROR,
	       "SS: source straddling the region's end: ADDR_ERROR");
	sqe.src = htole64(vzip_addr(&q, buf));
	sqe.dst = htole64(q.ss_dma - 4096);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_ADDR_ERROR,
	       "SS: destination below the region: ADDR_ERROR");
	sqe.dst = htole64(0xffffffffffff0000ULL);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_ADDR_ERROR,
	       "SS: destination far away: ADDR_ERROR");
	sqe.dst = htole64((uintptr_t)local);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_ADDR_ERROR,
	       "SS: a process address instead of a device address: ADDR_ERROR");
	sqe = vzip_sqe(&q, VZIP_OP_COPY, 0, 0, buf, q.ss_size, buf + 4096,
		       q.ss_size);
	tap_ok(vzip_status_of(&q, &sqe) != VZIP_STS_OK,
	       "SS: a length larger than the region: refused");
	sqe = stream_sqe(codec_sqe(VZIP_OP_COMPRESS, VZIP_FMT_RAW,
				   VZIP_FLUSH_SYNC, 1, 0, buf, 100, buf + 4096,
				   4096), ctx, true);
	sqe.ctx = htole64(end - 64);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_ADDR_ERROR,
	       "SS: stream context past the region: ADDR_ERROR");
	vzip_mem_reset(&q);
}

static void test_invalid(void)
{
	uint8_t *buf = vzip_mem(&q, 8192), *ctx = vzip_mem(&q, q.info.ctx_size);
	struct vzip_sqe ok = codec_sqe(VZIP_OP_COMPRESS, VZIP_FMT_RAW,
				       VZIP_FLUSH_FINISH, 1, 0, buf, 100,
				       buf + 4096, 4096), sqe;

	tap_ok(vzip_status_of(&q, &ok) == VZIP_STS_OK, "a valid request");
	sqe = ok;
	sqe.version = 2;
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_INVALID,
	       "unknown descriptor version: INVALID");
	sqe = ok;
	sqe.rsvd[1] = htole32(1);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_INVALID,
	       "reserved field set: INVALID");
	sqe = ok;
	sqe.flags = htole16(VZIP_SQE_F_NEW_STREAM);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_INVALID,
	       "NEW_STREAM without STREAM: INVALID");
	sqe = stream_sqe(ok, ctx + 32, true);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_INVALID,
	       "misaligned stream context: INVALID");
	sqe = ok;
	sqe.dst = htole64(vzip_addr(&q, buf + 50));
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_INVALID,
	       "overlapping source and destination: INVALID");
	vzip_mem_reset(&q);
}

static void test_contexts(void)
{
	uint32_t size = q.info.ctx_size;
	uint8_t *buf = vzip_mem(&q, 8192), *ctx = vzip_mem(&q, size);
	struct vzip_sqe sqe = stream_sqe(codec_sqe(VZIP_OP_COMPRESS,
						   VZIP_FMT_ZLIB,
						   VZIP_FLUSH_SYNC, 6, 0, buf,
						   1000, buf + 4096, 4096),
					 ctx, false);

	vzip_fill(buf, 1000, 9);
	vzip_fill_random(ctx, size, 9);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_INVALID,
	       "a context the device did not write: INVALID");
	sqe.flags |= htole16(VZIP_SQE_F_NEW_STREAM);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_OK,
	       "NEW_STREAM over it: OK");
	sqe.flags = htole16(VZIP_SQE_F_STREAM);
	ctx[20] ^= 1;
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_INVALID,
	       "a context modified by the application: INVALID");
	ctx[20] ^= 1;
	sqe.opcode = VZIP_OP_DECOMPRESS;
	sqe.level = 0;
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_INVALID,
	       "a compression context used to decompress: INVALID");
	vzip_mem_reset(&q);
}

static void test_poll(void)
{
	uint32_t len = 4 * DATA_LEN;
	uint8_t *src = vzip_mem(&q, len), *dst = vzip_mem(&q, BOUND(len));
	struct vzip_sqe sqe = codec_sqe(VZIP_OP_COMPRESS, VZIP_FMT_GZIP,
					VZIP_FLUSH_FINISH, 9, 0, src, len, dst,
					BOUND(len));
	struct pollfd pfd = { .fd = q.fd, .events = POLLIN };
	struct vzip_cqe cqe;
	struct timespec t0;
	int n;

	vzip_fill(src, len, 10);
	n = poll(&pfd, 1, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	vzip_post(&q, &sqe);
	tap_ok(n == 0 && !vzip_reap(&q, &cqe, VZIP_TIMEOUT_MS, true) &&
	       status(&cqe) == VZIP_STS_OK && poll(&pfd, 1, 0) == 0,
	       "poll(): nothing ready, then POLLIN for a completion");
	tap_diag("gzip level 9 of %u KiB: %ld ms, %u bytes out", len / 1024,
		 vzip_ms_since(&t0), le32toh(cqe.produced));
	vzip_mem_reset(&q);
}

/* Waits until the device asks for the doorbell; false after the timeout. */
static bool wait_need_wakeup(void)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!(le32toh(atomic_load(vzip_ctrl(&q, VZIP_CTRL_DEV_FLAGS))) &
		 VZIP_DEV_F_NEED_WAKEUP)) {
		if (vzip_ms_since(&t0) > VZIP_TIMEOUT_MS)
			return false;
		usleep(1000);
	}
	return true;
}

static void test_doorbell(void)
{
	struct vzip_sqe nop = vzip_sqe(&q, VZIP_OP_NOP, 0, 0, NULL, 0, NULL, 0);
	unsigned int i, done = 0, total = 2000, batch = 16;
	long long bells, raised, sleeps;
	unsigned long wakes;
	bool pending;
	struct vzip_cqe cqe;
	struct timespec t0;
	long ms;

	/* idle past idle_us, the engines go to sleep and say so */
	wakes = q.wakes;
	tap_ok(wait_need_wakeup() && !vzip_post(&q, &nop) &&
	       q.wakes == wakes + 1 && !vzip_reap(&q, &cqe, VZIP_TIMEOUT_MS,
						   false),
	       "an idle device asks for the doorbell, and wakes up");

	/*
	 * Batches, each published at once and drained before the next: a
	 * batch's completions come from an awake engine, which cleared the
	 * flag first, so each doorbell answers a distinct raise of
	 * NEED_WAKEUP, however the guest schedules the engines.  How rare
	 * the doorbell is, is a figure of the benchmark (wdbench).
	 */
	wakes = q.wakes;
	bells = vzip_stat(q.name, "doorbells");
	raised = vzip_stat(q.name, "need_wakeup");
	/*
	 * The engines may have gone idle again after the NOP above and
	 * raised the flag before that count was read: then the first
	 * doorbell answers a raise the difference below does not hold.
	 */
	pending = le32toh(atomic_load(vzip_ctrl(&q, VZIP_CTRL_DEV_FLAGS))) &
		  VZIP_DEV_F_NEED_WAKEUP;
	sleeps = vzip_stat(q.name, "engine_sleeps");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < total) {
		for (i = 0; i < batch; i++)
			vzip_queue(&q, &nop);
		if (vzip_submit(&q))
			break;
		for (i = 0; i < batch; i++) {
			if (vzip_reap(&q, &cqe, VZIP_TIMEOUT_MS, false) ||
			    status(&cqe) != VZIP_STS_OK)
				break;
			done++;
		}
		if (i < batch)
			break;
	}
	ms = vzip_ms_since(&t0);
	wakes = q.wakes - wakes;
	bells = vzip_stat(q.name, "doorbells") - bells;
	raised = vzip_stat(q.name, "need_wakeup") - raised;
	sleeps = vzip_stat(q.name, "engine_sleeps") - sleeps;
	tap_ok(done == total, "%u NOPs in batches of %u completed", done,
	       batch);
	tap_ok(bells == (long long)wakes &&
	       (long long)wakes <= raised + pending,
	       "every doorbell reached the device and answered a request for it: %lu doorbells, %lld counted, %lld raises of NEED_WAKEUP",
	       wakes, bells, raised);
	tap_diag("%lld engine sleeps; %u NOPs in %ld ms: %ld us each, ring depth %u",
		 sleeps, done, ms, done ? ms * 1000 / done : 0, q.depth);
}

static void test_put_start(void)
{
	struct vzip_sqe nop = vzip_sqe(&q, VZIP_OP_NOP, 0, 0, NULL, 0, NULL, 0);
	struct vzip_cqe cqe;
	int ret = ioctl(q.fd, UACCE_CMD_PUT_Q);

	vzip_post(&q, &nop);
	usleep(20000);
	tap_ok(!ret && vzip_reap(&q, &cqe, 0, false) == -ETIMEDOUT &&
	       !vzip_start(&q) && !vzip_reap(&q, &cqe, VZIP_TIMEOUT_MS, false) &&
	       status(&cqe) == VZIP_STS_OK,
	       "PUT_Q stops serving the ring, START_Q resumes it");
}

static void test_hw_error(void)
{
	char path[PATH_MAX];
	struct vzip_sqe nop = vzip_sqe(&q, VZIP_OP_NOP, 0, 0, NULL, 0, NULL, 0);
	unsigned int st;

	snprintf(path, sizeof(path), VZIP_DEBUGFS_DIR "/%s/inject_hw_error",
		 q.name);
	if (vzip_write_file(path, "1")) {
		tap_skip("no debugfs", "injected hardware error");
		tap_skip("no debugfs", "the request after it");
		return;
	}
	st = vzip_status_of(&q, &nop);
	tap_ok(st == VZIP_STS_HW_ERROR, "injected hardware error: HW_ERROR");
	tap_ok(vzip_status_of(&q, &nop) == VZIP_STS_OK,
	       "the request after it: OK");
}

int main(void)
{
	char name[NAME_MAX + 1];
	int ret;

	ret = vzip_find_device(name, sizeof(name));
	if (!ret)
		ret = vzip_open(&q, name);
	if (!tap_ok(!ret, "open and map a queue of %s", ret ? "vzip" : name))
		return tap_done();

	test_registers();
	test_nop_copy();
	test_compress_matrix();
	test_decompress_matrix();
	test_compress_streams();
	test_decompress_streams();
	test_overflow();
	test_corrupt();
	if (q.sva)
		test_bad_addresses_sva();
	else
		test_bad_addresses_ss();
	test_invalid();
	test_contexts();
	test_poll();
	test_doorbell();
	test_put_start();
	test_hw_error();
	tap_ok(((struct uacce_queue_status *)(q.dus + VZIP_CTRL_STATUS))->state ==
	       UACCE_QSTATE_OK, "status word still OK");
	vzip_close(&q);
	return tap_done();
}
