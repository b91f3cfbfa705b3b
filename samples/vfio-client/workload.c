// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-client: the workload.  The input is cut into chunks; each round trip
 * compresses one chunk through the device (one complete gzip, zlib or raw
 * stream per request), checks the result with user-space zlib, has the
 * device decompress it again and compares with the input.  Every queue
 * keeps --inflight round trips going, so the device always has work queued.
 *
 * With --output the compressed chunks are written in order: for gzip they
 * are the members of one valid gzip file, which `gzip -d` reads.
 *
 * Every completion must come exactly once: a run of a known number of
 * round trips counts each one's completions, and the device requests
 * submitted against the completions taken.  With --migrate-to or --save
 * the loop lets migration.c move the device mid-run (vc_mig_point()).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "client.h"

enum { VC_SLOT_IDLE, VC_SLOT_COMPRESS, VC_SLOT_DECOMPRESS };

/* user_data of a request: the slot, and which half of the round trip */
#define VC_UD(slot, phase)	((uint64_t)(phase) << 32 | (slot))

static const char *const fmt_names[] = { "raw", "zlib", "gzip" };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Text-like data that compresses about as well as source code. */
static void vc_generate(uint8_t *buf, size_t len)
{
	static const char *const words[] = {
		"queue", "doorbell", "vfio", "mdev", "deflate", "ring", "iova",
		"interrupt", "struct", "return", "static", "int", "guest", "page",
		"completion", "request", "the", "of", "and", "device", "{", "}",
		"(", ");", "=", "0x40", "if", "else", "for", "while", "\n\t",
	};
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t off = 0;

	while (off < len) {
		const char *w;
		size_t n;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w = words[x % (sizeof(words) / sizeof(words[0]))];
		n = strlen(w);
		if (n > len - off)
			n = len - off;
		memcpy(buf + off, w, n);
		off += n;
		if (off < len)
			buf[off++] = (x >> 40) % 7 ? ' ' : '\n';
	}
}

static int vc_read_file(const char *path, uint8_t *buf, size_t len)
{
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		vc_err("%s: %s", path, strerror(errno));
		return -EIO;
	}
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n <= 0) {
			vc_err("%s: %s", path, n ? strerror(errno) : "shorter than its size");
			close(fd);
			return -EIO;
		}
		got += (size_t)n;
	}
	close(fd);
	return 0;
}

/* The destination a compression of @len bytes may need (Documentation/vzip.rst). */
static uint32_t vc_cbound(const struct vc_client *c, uint32_t len)
{
	uint64_t b = (uint64_t)len + len / 64 + 1024;

	return b > c->pci.max_len ? c->pci.max_len : (uint32_t)b;
}

/**
 * vc_workload_prepare() - the data mapping: the input, one set of buffers
 * per request slot and a stream context, at VC_IOVA_DATA
 */
int vc_workload_prepare(struct vc_client *c)
{
	const struct vc_opts *o = &c->o;
	size_t len = o->size, total, i;
	uint32_t cb;
	int ret;

	if (o->input) {
		struct stat st;

		if (stat(o->input, &st)) {
			vc_err("%s: %s", o->input, strerror(errno));
			return -EIO;
		}
		len = (size_t)st.st_size;
		if (!len) {
			vc_err("%s is empty", o->input);
			return -EINVAL;
		}
	}
	if (o->chunk > c->pci.max_len) {
		vc_err("--chunk %u: the device takes at most %u bytes a request",
		       o->chunk, c->pci.max_len);
		return -EINVAL;
	}
	cb = vc_cbound(c, o->chunk);
	c->nslots = c->nq * o->inflight;
	total = len + 4096 + c->nslots * ((size_t)cb + o->chunk + 128) +
		(c->pci.ctx_size ? c->pci.ctx_size : 64) + 4096;
	c->slots = calloc(c->nslots, sizeof(*c->slots));
	if (!c->slots)
		return -ENOMEM;

	ret = vc_ram_create(c, &c->data, VC_IOVA_DATA, total);
	if (ret)
		return ret;
	ret = vc_ram_alloc(&c->data, len, 4096, &c->input, &c->input_iova);
	if (ret)
		return ret;
	c->input_len = len;
	if (o->input)
		ret = vc_read_file(o->input, c->input, len);
	else
		vc_generate(c->input, len);
	if (ret)
		return ret;

	for (i = 0; i < c->nslots; i++) {
		struct vc_slot *s = &c->slots[i];

		s->queue = (unsigned int)(i % c->nq);
		s->cbuf_size = cb;
		ret = vc_ram_alloc(&c->data, cb, 64, &s->cbuf, &s->cbuf_iova);
		if (!ret)
			ret = vc_ram_alloc(&c->data, o->chunk, 64, &s->dbuf,
					   &s->dbuf_iova);
		if (ret)
			return ret;
	}
	return 0;
}

void vc_workload_free(struct vc_client *c)
{
	free(c->slots);
	c->slots = NULL;
	c->nslots = 0;
}

/* A self-contained COMPRESS request: one whole stream in the chosen format. */
void vc_sqe_compress(const struct vc_client *c, struct vzip_sqe *sqe,
		     uint64_t src, uint32_t src_len, uint64_t dst,
		     uint32_t dst_len)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = VZIP_OP_COMPRESS;
	sqe->format = (uint8_t)c->o.format;
	sqe->flush = VZIP_FLUSH_FINISH;
	sqe->level = (uint8_t)c->o.level;
	sqe->window_bits = (uint8_t)c->o.window;
	sqe->version = VZIP_SQE_VERSION;
	sqe->src = htole64(src);
	sqe->dst = htole64(dst);
	sqe->src_len = htole32(src_len);
	sqe->dst_len = htole32(dst_len);
}

static void vc_sqe_decompress(const struct vc_client *c, struct vzip_sqe *sqe,
			      uint64_t src, uint32_t src_len, uint64_t dst,
			      uint32_t dst_len)
{
	vc_sqe_compress(c, sqe, src, src_len, dst, dst_len);
	sqe->opcode = VZIP_OP_DECOMPRESS;
	sqe->level = 0;
}

/* The checksum a completion reports for @len bytes of uncompressed data. */
static uint32_t vc_checksum(const struct vc_client *c, const uint8_t *p, uint32_t len)
{
	if (c->o.format == VZIP_FMT_ZLIB)
		return (uint32_t)adler32(adler32(0, Z_NULL, 0), p, len);
	return (uint32_t)crc32(crc32(0, Z_NULL, 0), p, len);
}

/* Inflate the device's output with zlib: it must give the chunk back. */
static int vc_zlib_verify(const struct vc_client *c, const uint8_t *comp,
			  uint32_t clen, const uint8_t *orig, uint32_t len)
{
	static const int wbits[] = { -15, 15, 15 + 16 };
	uint8_t buf[16384];
	z_stream zs;
	uint32_t off = 0, n;
	int zr, ret = 0;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, wbits[c->o.format]) != Z_OK)
		return -ENOMEM;
	zs.next_in = (Bytef *)(uintptr_t)comp;
	zs.avail_in = clen;
	do {
		zs.next_out = buf;
		zs.avail_out = sizeof(buf);
		zr = inflate(&zs, Z_FINISH);
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
			break;
		n = (uint32_t)(sizeof(buf) - zs.avail_out);
		if (off + n > len || memcmp(buf, orig + off, n)) {
			ret = -EBADMSG;
			break;
		}
		off += n;
	} while (zr != Z_STREAM_END && n);
	if (!ret && (zr != Z_STREAM_END || off != len || zs.avail_in))
		ret = -EBADMSG;
	inflateEnd(&zs);
	return ret;
}

struct vc_run {
	uint64_t requests;	/* round trips to start, UINT64_MAX: no end */
	uint64_t started;
	uint64_t done;
	uint64_t active;
	size_t nchunks;
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint8_t **members;	/* --output: compressed chunk i */
	uint32_t *member_len;
	int kick[WD_PCI_MAX_QUEUES];
	int announced;
	int stop;		/* no new round trips */
	uint8_t *once;		/* round trip i completed once[i] times */
	uint64_t submitted;	/* device requests: two per round trip */
	uint64_t completions;	/* device completions taken */
};

static int vc_slot_start(struct vc_client *c, struct vc_run *r, unsigned int i)
{
	struct vc_slot *s = &c->slots[i];
	struct vzip_sqe sqe;
	size_t chunk = r->started % r->nchunks;
	int ret;

	s->req = r->started++;
	s->in_off = chunk * c->o.chunk;
	s->len = (uint32_t)(c->input_len - s->in_off < c->o.chunk ?
			    c->input_len - s->in_off : c->o.chunk);
	vc_sqe_compress(c, &sqe, c->input_iova + s->in_off, s->len,
			s->cbuf_iova, s->cbuf_size);
	sqe.user_data = htole64(VC_UD(i, VC_SLOT_COMPRESS));
	ret = vz_queue_submit(&c->q[s->queue], &sqe);
	if (ret) {
		vc_err("queue %u: the ring is full", s->queue);
		return ret;
	}
	s->state = VC_SLOT_COMPRESS;
	r->submitted++;
	r->active++;
	r->kick[s->queue] = 1;
	return 0;
}

/*
 * One completion, entry @idx of queue @qi's CQ: check it, then go on with
 * the round trip.
 */
static int vc_complete(struct vc_client *c, struct vc_run *r, unsigned int qi,
		       uint32_t idx, const struct vzip_cqe *cqe)
{
	uint64_t ud = le64toh(cqe->user_data);
	unsigned int i = (unsigned int)ud, phase = (unsigned int)(ud >> 32);
	unsigned int st = le16toh(cqe->status);
	uint32_t consumed = le32toh(cqe->consumed), produced = le32toh(cqe->produced);
	uint32_t sum = le32toh(cqe->checksum);
	struct vc_slot *s;
	struct vzip_sqe sqe;

	if (st < 8)
		c->stats[st]++;
	r->completions++;
	if (i >= c->nslots || c->slots[i].state != (int)phase ||
	    c->slots[i].queue != qi) {
		vc_err("queue %u: completion with unknown user_data %#llx", qi,
		       (unsigned long long)ud);
		return -EIO;
	}
	s = &c->slots[i];
	if (st != VZIP_STS_OK || !(cqe->flags & VZIP_CQE_F_STREAM_END)) {
		vc_err("queue %u, request %llu (%s of %u bytes): status %s, flags %#x",
		       qi, (unsigned long long)s->req,
		       phase == VC_SLOT_COMPRESS ? "compress" : "decompress",
		       phase == VC_SLOT_COMPRESS ? s->len : s->clen,
		       vz_status_name(st), cqe->flags);
		return -EIO;
	}
	if (phase == VC_SLOT_COMPRESS) {
		if (consumed != s->len || !produced || produced > s->cbuf_size ||
		    sum != vc_checksum(c, c->input + s->in_off, s->len)) {
			vc_err("request %llu: compress consumed %u of %u, produced %u, checksum %#x",
			       (unsigned long long)s->req, consumed, s->len,
			       produced, sum);
			return -EIO;
		}
		if (vc_zlib_verify(c, s->cbuf, produced, c->input + s->in_off, s->len)) {
			vc_err("request %llu: zlib does not decompress the device's %u bytes to the input",
			       (unsigned long long)s->req, produced);
			return -EIO;
		}
		s->clen = produced;
		if (c->mig)
			vc_mig_completed(c, qi, idx, s->cbuf_iova, produced);
		r->bytes_in += s->len;
		r->bytes_out += produced;
		if (r->members && s->req < r->nchunks) {
			r->members[s->req] = malloc(produced);
			if (!r->members[s->req])
				return -ENOMEM;
			memcpy(r->members[s->req], s->cbuf, produced);
			r->member_len[s->req] = produced;
		}
		/* the second half: the device decompresses its own output */
		memset(s->dbuf, 0, s->len);
		vc_sqe_decompress(c, &sqe, s->cbuf_iova, s->clen, s->dbuf_iova, s->len);
		sqe.user_data = htole64(VC_UD(i, VC_SLOT_DECOMPRESS));
		if (vz_queue_submit(&c->q[qi], &sqe))
			return -EIO;
		r->submitted++;
		s->state = VC_SLOT_DECOMPRESS;
		r->kick[qi] = 1;
		return 0;
	}
	if (consumed != s->clen || produced != s->len ||
	    memcmp(s->dbuf, c->input + s->in_off, s->len) ||
	    sum != vc_checksum(c, s->dbuf, s->len)) {
		vc_err("request %llu: decompress consumed %u of %u, produced %u of %u%s",
		       (unsigned long long)s->req, consumed, s->clen, produced,
		       s->len, produced == s->len ? ", data or checksum differ" : "");
		return -EIO;
	}
	if (c->mig)
		vc_mig_completed(c, qi, idx, s->dbuf_iova, produced);
	if (r->once && r->once[s->req]++) {
		vc_err("request %llu: a second completion of its round trip",
		       (unsigned long long)s->req);
		return -EIO;
	}
	s->state = VC_SLOT_IDLE;
	r->active--;
	r->done++;
	if (!r->stop && r->started < r->requests)
		return vc_slot_start(c, r, i);
	return 0;
}

static int vc_write_output(struct vc_client *c, struct vc_run *r)
{
	FILE *f = fopen(c->o.output, "wb");
	size_t i;

	if (!f) {
		vc_err("%s: %s", c->o.output, strerror(errno));
		return -EIO;
	}
	for (i = 0; i < r->nchunks; i++) {
		if (!r->members[i] ||
		    fwrite(r->members[i], 1, r->member_len[i], f) != r->member_len[i]) {
			fclose(f);
			vc_err("%s: write failed", c->o.output);
			return -EIO;
		}
	}
	if (fclose(f)) {
		vc_err("%s: %s", c->o.output, strerror(errno));
		return -EIO;
	}
	return 0;
}

static int vc_loop(struct vc_client *c, struct vc_run *r)
{
	double start = now(), last = start;
	struct vzip_cqe cqe[32];
	unsigned int q, i;
	int n, ret;

	for (i = 0; i < c->nslots && r->started < r->requests; i++) {
		ret = vc_slot_start(c, r, i);
		if (ret)
			return ret;
	}
	while (r->active) {
		for (q = 0; q < c->nq; q++) {
			if (!r->kick[q])
				continue;
			r->kick[q] = 0;
			ret = vz_queue_doorbell(&c->q[q]);
			if (ret)
				return ret;
		}
		if (!r->announced && c->o.hang) {
			printf("vfio-client: running\n");
			fflush(stdout);
			r->announced = 1;
		}
		/* requests in flight: the moment to migrate, or not yet */
		if (c->mig) {
			ret = vc_mig_point(c, r->started, r->requests);
			if (ret)
				return ret;	/* > 0: the run ends here (--save) */
		}
		n = 0;
		for (q = 0; q < c->nq; q++) {
			uint32_t first = c->q[q].cq_head;
			int got = vz_queue_reap(&c->q[q], cqe, 32);

			if (got < 0)
				return got;
			for (i = 0; i < (unsigned int)got; i++) {
				ret = vc_complete(c, r, q, first + i, &cqe[i]);
				if (ret)
					return ret;
			}
			n += got;
		}
		if (c->o.duration && !r->stop && now() - start >= c->o.duration)
			r->stop = 1;
		if (n) {
			last = now();
			continue;
		}
		if (now() - last > c->o.timeout) {
			vc_err("no completion within %u s (%llu requests in flight)",
			       c->o.timeout, (unsigned long long)r->active);
			return -ETIMEDOUT;
		}
		ret = vc_wait(c, 1000);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* None lost, none twice: every round trip started completed once. */
static int vc_count_check(struct vc_client *c, struct vc_run *r)
{
	uint64_t i;

	if (r->completions != r->submitted || r->done != r->started) {
		vc_err("%llu device requests submitted, %llu completions; %llu round trips started, %llu done",
		       (unsigned long long)r->submitted,
		       (unsigned long long)r->completions,
		       (unsigned long long)r->started, (unsigned long long)r->done);
		return -EIO;
	}
	for (i = 0; r->once && i < r->started; i++) {
		if (r->once[i] != 1) {
			vc_err("round trip %llu completed %u times",
			       (unsigned long long)i, r->once[i]);
			return -EIO;
		}
	}
	if (c->o.mig == VC_MIG_TO)
		printf("vfio-client: every round trip completed exactly once: %llu round trips, "
		       "%llu device requests, %llu completions\n",
		       (unsigned long long)r->done, (unsigned long long)r->submitted,
		       (unsigned long long)r->completions);
	return 0;
}

/**
 * vc_workload_run() - run @requests round trips (0: one per chunk of the
 * input; UINT64_MAX: until killed or released) and report
 */
int vc_workload_run(struct vc_client *c, uint64_t requests)
{
	struct vc_run r = { 0 };
	double t0 = now();
	int ret, saved = 0;

	r.nchunks = (c->input_len + c->o.chunk - 1) / c->o.chunk;
	r.requests = c->o.duration ? UINT64_MAX : requests ? requests : r.nchunks;
	if (c->o.output) {
		r.members = calloc(r.nchunks, sizeof(*r.members));
		r.member_len = calloc(r.nchunks, sizeof(*r.member_len));
		if (!r.members || !r.member_len) {
			free(r.members);
			free(r.member_len);
			return -ENOMEM;
		}
	}
	if (r.requests <= (1u << 24)) {
		r.once = calloc(r.requests, 1);
		if (!r.once) {
			free(r.members);
			free(r.member_len);
			return -ENOMEM;
		}
	}
	ret = vc_loop(c, &r);
	if (ret > 0) {
		/* --save stopped the device mid-run */
		printf("vfio-client: %llu round trips verified before the device stopped, "
		       "%llu in flight\n", (unsigned long long)r.done,
		       (unsigned long long)r.active);
		ret = 0;
		saved = 1;
	} else if (!ret) {
		ret = vc_count_check(c, &r);
	}
	if (!ret && c->o.output)
		ret = vc_write_output(c, &r);
	if (r.members) {
		size_t i;

		for (i = 0; i < r.nchunks; i++)
			free(r.members[i]);
		free(r.members);
		free(r.member_len);
	}
	free(r.once);
	if (ret || saved)
		return ret;
	/*
	 * Completions reaped right after the doorbell leave their interrupt
	 * pending in the eventfd: it must have come by now.
	 */
	if (c->o.irq != VC_IRQ_POLL && r.done && !c->interrupts) {
		ret = vc_wait(c, 1000);
		if (ret < 0)
			return ret;
	}
	printf("vfio-client: %llu round trips on %u queue%s in %.1f s: %llu bytes compressed "
	       "(%s, level %u) to %llu and decompressed, all verified with zlib; "
	       "%llu interrupts (%s)\n",
	       (unsigned long long)r.done, c->nq, c->nq > 1 ? "s" : "", now() - t0,
	       (unsigned long long)r.bytes_in, fmt_names[c->o.format], c->o.level,
	       (unsigned long long)r.bytes_out, (unsigned long long)c->interrupts,
	       c->o.irq == VC_IRQ_MSI ? "MSI" : c->o.irq == VC_IRQ_INTX ? "INTx" : "polling");
	if (c->o.duration)
		printf("completed %llu\n", (unsigned long long)r.done);
	if (c->o.irq != VC_IRQ_POLL && r.done && !c->interrupts) {
		vc_err("completions came, but no interrupt");
		return -EIO;
	}
	return 0;
}
