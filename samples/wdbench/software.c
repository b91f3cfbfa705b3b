// SPDX-License-Identifier: GPL-2.0
/*
 * wdbench: the in-process engines the device is compared with: the
 * system zlib, libdeflate and ISA-L (when built with them), memcpy, and a
 * trivial system call.  Each is used as an application would: a stream
 * or compressor made once and reused for every request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zlib.h>

#ifdef HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif
#ifdef HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include "wdbench.h"

/**
 * struct sw_ctx - state of one in-process run
 * @w: the measurement
 * @next: the next request's number, which picks its input block
 * @out: output buffer, @out_len bytes
 * @z: zlib stream
 * @ld_c, @ld_d: libdeflate (de)compressor
 * @isal_buf: ISA-L level buffer, @isal_level its level
 */
struct sw_ctx {
	const struct work *w;
	uint64_t next;
	unsigned char *out;
	size_t out_len;
	z_stream z;
#ifdef HAVE_LIBDEFLATE
	struct libdeflate_compressor *ld_c;
	struct libdeflate_decompressor *ld_d;
#endif
#ifdef HAVE_ISAL
	unsigned char *isal_buf;
	int isal_level;
#endif
};

bool sw_engine_available(const char *engine)
{
	if (!strcmp(engine, "zlib") || !strcmp(engine, "memcpy") ||
	    !strcmp(engine, "kernel"))
		return true;
#ifdef HAVE_LIBDEFLATE
	if (!strcmp(engine, "libdeflate"))
		return true;
#endif
#ifdef HAVE_ISAL
	if (!strcmp(engine, "isal"))
		return true;
#endif
	return false;
}

static int zlib_wbits(int format)
{
	return format == WD_FORMAT_RAW ? -15 :
	       format == WD_FORMAT_GZIP ? 31 : 15;
}

static long zlib_compress(void *arg)
{
	struct sw_ctx *c = arg;
	const struct block *b = work_block(c->w, c->next++);

	deflateReset(&c->z);
	c->z.next_in = (Bytef *)b->data;
	c->z.avail_in = (uInt)c->w->size;
	c->z.next_out = c->out;
	c->z.avail_out = (uInt)c->out_len;
	if (deflate(&c->z, Z_FINISH) != Z_STREAM_END)
		return -1;
	return (long)c->z.total_out;
}

static long zlib_decompress(void *arg)
{
	struct sw_ctx *c = arg;
	const struct block *b = work_block(c->w, c->next++);

	inflateReset(&c->z);
	c->z.next_in = (Bytef *)b->comp;
	c->z.avail_in = (uInt)b->comp_len;
	c->z.next_out = c->out;
	c->z.avail_out = (uInt)c->out_len;
	if (inflate(&c->z, Z_FINISH) != Z_STREAM_END)
		return -1;
	return (long)c->z.total_out;
}

static long do_memcpy(void *arg)
{
	struct sw_ctx *c = arg;

	memcpy(c->out, work_block(c->w, c->next++)->data, c->w->size);
	/* keep the copy from being optimised away */
	__asm__ __volatile__("" : : "r"(c->out) : "memory");
	return (long)c->w->size;
}

static long do_syscall(void *arg)
{
	(void)arg;
	return syscall(SYS_getppid) < 0 ? -1 : 0;
}

#ifdef HAVE_LIBDEFLATE
static long ld_compress(void *arg)
{
	struct sw_ctx *c = arg;
	const struct work *w = c->w;
	const struct block *b = work_block(w, c->next++);
	size_t n;

	if (w->format == WD_FORMAT_GZIP)
		n = libdeflate_gzip_compress(c->ld_c, b->data, w->size, c->out,
					     c->out_len);
	else if (w->format == WD_FORMAT_ZLIB)
		n = libdeflate_zlib_compress(c->ld_c, b->data, w->size, c->out,
					     c->out_len);
	else
		n = libdeflate_deflate_compress(c->ld_c, b->data, w->size,
						c->out, c->out_len);
	return n ? (long)n : -1;
}

static long ld_decompress(void *arg)
{
	struct sw_ctx *c = arg;
	const struct work *w = c->w;
	const struct block *b = work_block(w, c->next++);
	enum libdeflate_result r;
	size_t n;

	if (w->format == WD_FORMAT_GZIP)
		r = libdeflate_gzip_decompress(c->ld_d, b->comp, b->comp_len,
					       c->out, c->out_len, &n);
	else if (w->format == WD_FORMAT_ZLIB)
		r = libdeflate_zlib_decompress(c->ld_d, b->comp, b->comp_len,
					       c->out, c->out_len, &n);
	else
		r = libdeflate_deflate_decompress(c->ld_d, b->comp, b->comp_len,
						  c->out, c->out_len, &n);
	return r == LIBDEFLATE_SUCCESS ? (long)n : -1;
}
#endif

#ifdef HAVE_ISAL
static int isal_flag(int format)
{
	return format == WD_FORMAT_GZIP ? IGZIP_GZIP :
	       format == WD_FORMAT_ZLIB ? IGZIP_ZLIB : IGZIP_DEFLATE;
}

static long isal_compress(void *arg)
{
	struct sw_ctx *c = arg;
	const struct block *b = work_block(c->w, c->next++);
	struct isal_zstream s;

	isal_deflate_stateless_init(&s);
	s.level = (uint32_t)c->isal_level;
	s.level_buf = c->isal_buf;
	s.level_buf_size = c->isal_buf ? ISAL_DEF_LVL3_DEFAULT : 0;
	s.gzip_flag = (uint16_t)isal_flag(c->w->format);
	s.end_of_stream = 1;
	s.next_in = (uint8_t *)b->data;
	s.avail_in = (uint32_t)c->w->size;
	s.next_out = c->out;
	s.avail_out = (uint32_t)c->out_len;
	if (isal_deflate_stateless(&s) != COMP_OK)
		return -1;
	return (long)s.total_out;
}

static long isal_decompress(void *arg)
{
	struct sw_ctx *c = arg;
	const struct block *b = work_block(c->w, c->next++);
	struct inflate_state s;

	isal_inflate_init(&s);
	s.crc_flag = (uint32_t)isal_flag(c->w->format);
	s.next_in = (uint8_t *)b->comp;
	s.avail_in = (uint32_t)b->comp_len;
	s.next_out = c->out;
	s.avail_out = (uint32_t)c->out_len;
	if (isal_inflate_stateless(&s) != ISAL_DECOMP_OK)
		return -1;
	return (long)s.total_out;
}
#endif

void sw_run(const struct work *w, struct result *r)
{
	struct sw_ctx c = { .w = w };
	op_fn op = NULL;

	c.out_len = w->size + w->size / 8 + 1024;
	c.out = malloc(c.out_len);
	if (!c.out) {
		snprintf(r->note, sizeof(r->note), "out of memory");
		return;
	}
	memset(c.out, 0, c.out_len);

	if (!strcmp(w->engine, "kernel")) {
		if (w->op == OP_SYSCALL)
			op = do_syscall;
	} else if (!strcmp(w->engine, "memcpy")) {
		if (w->op == OP_COPY)
			op = do_memcpy;
	} else if (!strcmp(w->engine, "zlib")) {
		if (w->op == OP_COMPRESS &&
		    deflateInit2(&c.z, w->level, Z_DEFLATED,
				 zlib_wbits(w->format), 8,
				 Z_DEFAULT_STRATEGY) == Z_OK)
			op = zlib_compress;
		else if (w->op == OP_DECOMPRESS &&
			 inflateInit2(&c.z, zlib_wbits(w->format)) == Z_OK)
			op = zlib_decompress;
	}
#ifdef HAVE_LIBDEFLATE
	else if (!strcmp(w->engine, "libdeflate")) {
		if (w->op == OP_COMPRESS) {
			c.ld_c = libdeflate_alloc_compressor(w->level);
			op = c.ld_c ? ld_compress : NULL;
		} else if (w->op == OP_DECOMPRESS) {
			c.ld_d = libdeflate_alloc_decompressor();
			op = c.ld_d ? ld_decompress : NULL;
		}
	}
#endif
#ifdef HAVE_ISAL
	else if (!strcmp(w->engine, "isal")) {
		/* ISA-L has levels 0-3: 1-3 -> 1, 4-6 -> 2, 7-9 -> 3 */
		c.isal_level = (w->level + 2) / 3;
		c.isal_buf = malloc(ISAL_DEF_LVL3_DEFAULT);
		if (w->op == OP_COMPRESS && c.isal_buf)
			op = isal_compress;
		else if (w->op == OP_DECOMPRESS)
			op = isal_decompress;
		if (op == isal_compress)
			snprintf(r->note, sizeof(r->note), "ISA-L level %d",
				 c.isal_level);
	}
#endif
	if (!op) {
		snprintf(r->note, sizeof(r->note), "%s cannot do %s", w->engine,
			 op_name(w->op));
	} else {
		run_sync(w, op, &c, r);
	}

	if (!strcmp(w->engine, "zlib") && op) {
		if (w->op == OP_COMPRESS)
			deflateEnd(&c.z);
		else
			inflateEnd(&c.z);
	}
#ifdef HAVE_LIBDEFLATE
	libdeflate_free_compressor(c.ld_c);
	libdeflate_free_decompressor(c.ld_d);
#endif
#ifdef HAVE_ISAL
	free(c.isal_buf);
#endif
	free(c.out);
}
