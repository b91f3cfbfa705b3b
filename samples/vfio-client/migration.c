// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-client: VFIO migration v2 of the instance, as a VMM does it
 * (Documentation/migration.rst, and "VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE"
 * in <linux/vfio.h>).  The device's state is a stream, struct
 * wd_pci_mig_header then an opaque body (<misc/uacce/wd_pci.h>); the rest
 * of the guest, its RAM and the rings in it, is the VMM's to carry.
 *
 *  --migrate-to UUID2  source and destination in one process, as if two
 *	VMMs on two hosts shared the guest's RAM.  Before the migration the
 *	program checks with the destination's migration/check that it can
 *	take the source's state, opens it (RUNNING, as an incoming VMM's
 *	device is) and maps the same RAM at the same IOVAs in its own
 *	container.  At a quarter of the requests it starts dirty page
 *	tracking in the source's container; at half, with requests in
 *	flight, it moves the device: source RUNNING -> STOP_COPY, the whole
 *	stream read, -> STOP; the dirty bitmap of the RAM; destination
 *	RUNNING -> RESUMING, the stream written in pieces of 7, 100 and the
 *	rest, -> STOP; the destination's interrupts set up again (eventfds
 *	are not in the stream); -> RUNNING.  The workload goes on there,
 *	with the same rings: the requests left in them complete on the
 *	destination.  At the end every request completed exactly once, the
 *	destination's indices say so too, and every page the source wrote
 *	while tracking (CQ entries, request outputs) was in the bitmap.
 *  --save FILE	the source half: at half of the requests the state goes
 *	to FILE, opened only once the device is in STOP_COPY, so that a
 *	FIFO nobody reads holds the program there (a test kills it).
 *  --resume FILE	the destination half: RESUMING, FILE written, STOP;
 *	a refusal is the kernel's errno.  Then VFIO_DEVICE_RESET, which
 *	brings any state back to RUNNING, and a round trip.
 *  --mig-info FILE	the header of a saved state, CRCs checked with zlib.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "client.h"

#define PAGE	4096ull

/* A mapping of guest RAM under dirty page tracking. */
struct vc_dirty {
	const struct vc_ram *ram;
	uint64_t npages;
	uint64_t bytes;		/* of each bitmap, a multiple of 8 */
	uint64_t *got;		/* type1's bitmap, taken after the stop */
	uint64_t *want;		/* pages the source surely wrote meanwhile */
};

struct vc_mig {
	struct vc_vfio other;	/* --migrate-to: the destination, then the
				 * source once the device moved */
	int file;		/* --resume: the state to load, or -1 */
	int tracking;		/* dirty page tracking started */
	int done;		/* the device moved (or stopped, --save) */
	uint32_t track_tail[WD_PCI_MAX_QUEUES];	/* CQ_TAIL when it started */
	uint32_t stop_tail[WD_PCI_MAX_QUEUES];	/* CQ_TAIL at the stop */
	struct vc_dirty dirty[2];		/* the rings, the data */
	uint64_t tracked;	/* completions written while tracking */
};

static double vc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* zlib's crc32(), as the kernel computes the stream's CRCs */
static uint32_t vc_crc(const void *buf, size_t len)
{
	return (uint32_t)crc32(crc32(0, Z_NULL, 0), buf, (uInt)len);
}

/* ---- sysfs: <mdev>/migration/ ---- */

static int vc_sysfs_read(const char *uuid, const char *attr, char *buf,
			 size_t size)
{
	char path[256];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/%s", uuid, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		vc_err("%s: %s", path, strerror(err));
		return -err;
	}
	n = read(fd, buf, size - 1);
	err = errno;
	close(fd);
	if (n < 0) {
		vc_err("%s: %s", path, strerror(err));
		return -err;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Returns the write's -errno, printing nothing: a refusal is an answer. */
static int vc_sysfs_write(const char *uuid, const char *attr, const char *val)
{
	char path[256];
	size_t len = strlen(val);
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/%s", uuid, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	err = n < 0 ? errno : (size_t)n == len ? 0 : EIO;
	close(fd);
	return -err;
}

/* ---- the stream ---- */

/*
 * Write @len bytes of the stream to the RESUMING data file: the first
 * pieces 7 and 100 bytes (@piece counts them across calls), the header's
 * end in the middle of a write, then whatever is left at once.  The
 * kernel takes a stream in pieces of any size.
 */
static int vc_mig_write(int fd, const uint8_t *buf, size_t len, size_t *total,
			unsigned int *piece)
{
	static const size_t first[] = { 7, 100 };
	size_t off = 0;

	while (off < len) {
		size_t n = len - off;
		ssize_t w;

		if (*piece < 2 && n > first[*piece])
			n = first[*piece];
		w = write(fd, buf + off, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (!w)
			return -EIO;
		off += (size_t)w;
		*total += (size_t)w;
		(*piece)++;
	}
	return 0;
}

static int vc_write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w ? -errno : -EIO;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * The source: RUNNING -> STOP_COPY (through RUNNING_P2P, where the request
 * each queue executes completes and the others stay in the rings, and
 * STOP); the data file in *@fd, MIG_DATA_SIZE's answer in *@size.
 */
static int vc_mig_stop_copy(struct vc_client *c, int *fd, uint64_t *size)
{
	int ret = vc_mig_set_state(&c->vfio, VFIO_DEVICE_STATE_STOP_COPY, fd);

	if (ret)
		return ret;
	c->stopped = 1;
	if (*fd < 0) {
		vc_err("STOP_COPY gave no data file");
		return -EIO;
	}
	return vc_mig_data_size(&c->vfio, size);
}

/* Read the data file to its end (read() returns 0) into a new buffer. */
static int vc_mig_read_all(int fd, uint8_t **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap), *b;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			b = realloc(buf, cap * 2);
			if (!b) {
				free(buf);
				return -ENOMEM;
			}
			buf = b;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			vc_err("read of the STOP_COPY data file after %zu bytes: %s",
			       n, strerror(err));
			free(buf);
			return -err;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	return 0;
}

/*
 * The stopped source's queues: nothing half done (SQ_HEAD = CQ_TAIL: the
 * request being executed completed), and how many requests stay in the
 * rings for the destination.  BAR0 reads work in STOP.
 */
static int vc_mig_stopped_queues(struct vc_client *c, struct vc_mig *m,
				 uint64_t *inflight)
{
	uint32_t state, head, tail;
	unsigned int q;
	int ret = vc_mig_get_state(&c->vfio, &state);

	if (ret)
		return ret;
	if (state != VFIO_DEVICE_STATE_STOP) {
		vc_err("the source is in %s, not STOP", vc_mig_state_name(state));
		return -EIO;
	}
	*inflight = 0;
	for (q = 0; q < c->nq; q++) {
		ret = vz_qreg_read(&c->q[q], WD_PCI_Q_SQ_HEAD, &head);
		if (!ret)
			ret = vz_qreg_read(&c->q[q], WD_PCI_Q_CQ_TAIL, &tail);
		if (ret)
			return ret;
		if (head != tail || c->q[q].sq_tail - tail > c->q[q].depth) {
			vc_err("stopped queue %u: SQ_HEAD %u, CQ_TAIL %u, %u submitted: a request half done",
			       q, head, tail, c->q[q].sq_tail);
			return -EIO;
		}
		m->stop_tail[q] = tail;
		*inflight += c->q[q].sq_tail - tail;
		if (c->o.verbose)
			printf("vfio-client: stopped queue %u: %u submitted, %u completed, %u completions taken\n",
			       q, c->q[q].sq_tail, tail, c->q[q].cq_head);
	}
	return 0;
}

/* ---- dirty pages ---- */

/* The pages of [@iova, @iova + @len) must be in the bitmap. */
static void vc_mig_want(struct vc_mig *m, uint64_t iova, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < 2 && len; i++) {
		struct vc_dirty *d = &m->dirty[i];
		uint64_t p, last;

		if (iova < d->ram->iova || iova + len > d->ram->iova + d->ram->size)
			continue;
		last = (iova + len - 1 - d->ram->iova) / PAGE;
		for (p = (iova - d->ram->iova) / PAGE; p <= last; p++)
			d->want[p / 64] |= 1ull << (p % 64);
	}
}

static uint64_t vc_bits(const uint64_t *map, uint64_t bytes)
{
	uint64_t i, n = 0;

	for (i = 0; i < bytes / 8; i++)
		n += (uint64_t)__builtin_popcountll(map[i]);
	return n;
}

static int vc_mig_track(struct vc_client *c, struct vc_mig *m)
{
	unsigned int q;
	int ret = vc_dirty_start(&c->vfio);

	if (ret) {
		c->setup_failed = 1;
		return ret;
	}
	m->tracking = 1;
	/* from the entry after these on, CQ entry and output came while tracking */
	for (q = 0; q < c->nq; q++) {
		ret = vz_qreg_read(&c->q[q], WD_PCI_Q_CQ_TAIL, &m->track_tail[q]);
		if (ret)
			return ret;
	}
	if (c->o.verbose)
		printf("vfio-client: dirty page tracking started in the source's container\n");
	return 0;
}

/* After the stop: type1's bitmap of each mapping, and tracking ends. */
static int vc_mig_dirty_collect(struct vc_client *c, struct vc_mig *m)
{
	unsigned int i;
	int ret;

	for (i = 0; i < 2; i++) {
		struct vc_dirty *d = &m->dirty[i];

		ret = vc_dirty_get(&c->vfio, d->ram->iova, d->ram->size, d->got,
				   d->bytes);
		if (ret) {
			c->setup_failed = 1;
			return ret;
		}
	}
	ret = vc_dirty_stop(&c->vfio);
	if (ret) {
		c->setup_failed = 1;
		return ret;
	}
	m->tracking = 0;
	printf("vfio-client: dirty pages: %llu of %llu pages of guest RAM (rings %llu of %llu, data %llu of %llu)\n",
	       (unsigned long long)(vc_bits(m->dirty[0].got, m->dirty[0].bytes) +
				    vc_bits(m->dirty[1].got, m->dirty[1].bytes)),
	       (unsigned long long)(m->dirty[0].npages + m->dirty[1].npages),
	       (unsigned long long)vc_bits(m->dirty[0].got, m->dirty[0].bytes),
	       (unsigned long long)m->dirty[0].npages,
	       (unsigned long long)vc_bits(m->dirty[1].got, m->dirty[1].bytes),
	       (unsigned long long)m->dirty[1].npages);
	return 0;
}

/**
 * vc_mig_completed() - the workload took a completion
 * @queue: its queue
 * @cq_index: its CQ entry, counted since the queue was enabled
 * @out_iova: where its output is
 * @out_len: bytes of output
 *
 * One the source wrote while dirty pages were tracked (written after the
 * tracking started, before the stop) must have its CQ entry and its
 * output in the bitmap.
 */
void vc_mig_completed(struct vc_client *c, unsigned int queue,
		      uint32_t cq_index, uint64_t out_iova, uint32_t out_len)
{
	struct vc_mig *m = c->mig;
	struct vz_queue *q = &c->q[queue];
	uint32_t since, limit;

	if (c->o.mig != VC_MIG_TO || (!m->tracking && !m->done))
		return;
	/*
	 * Entry track_tail may have been written just before the tracking
	 * started (and counted just after): the entries after it came after.
	 */
	since = cq_index - m->track_tail[queue];
	limit = m->done ? m->stop_tail[queue] - m->track_tail[queue] : 0x80000000u;
	if (!since || since >= limit)
		return;
	vc_mig_want(m, q->cq_iova + (uint64_t)(cq_index & (q->depth - 1)) *
		    sizeof(struct vzip_cqe), sizeof(struct vzip_cqe));
	vc_mig_want(m, out_iova, out_len);
	m->tracked++;
}

/* ---- --migrate-to ---- */

/*
 * The destination, before the run: compatible by its sysfs check, open
 * and RUNNING, the guest's RAM mapped at the same IOVAs.
 */
static int vc_mig_open_dest(struct vc_client *c, struct vc_mig *m)
{
	const char *dst = c->o.mig_arg;
	char version[WD_PCI_MIG_COMPAT_LEN + 8], type[64], dtype[64];
	uint64_t flags;
	uint32_t state;
	unsigned int i;
	int ret;

	ret = vc_sysfs_read(c->o.uuid, "migration/version", version, sizeof(version));
	if (!ret)
		ret = vc_sysfs_read(c->o.uuid, "migration/type", type, sizeof(type));
	if (!ret)
		ret = vc_sysfs_read(dst, "migration/type", dtype, sizeof(dtype));
	if (ret)
		return ret;
	ret = vc_sysfs_write(dst, "migration/check", version);
	if (ret) {
		vc_err("%s (%s) cannot take the state of %s (%s): its migration/check refuses version %s: %s",
		       dst, dtype, c->o.uuid, type, version, strerror(-ret));
		return ret;
	}
	if (c->o.verbose)
		printf("vfio-client: %s (%s) takes the state of %s (%s), version %s\n",
		       dst, dtype, c->o.uuid, type, version);

	ret = vc_vfio_open(&m->other, dst, c->o.verbose);
	if (!ret)
		ret = vc_mig_flags(&m->other, &flags);
	if (!ret)
		ret = vc_mig_get_state(&m->other, &state);
	if (ret)
		return ret;
	if (state != VFIO_DEVICE_STATE_RUNNING) {
		vc_err("the destination opened in %s, not RUNNING",
		       vc_mig_state_name(state));
		return -EIO;
	}
	ret = vc_dma_map(&m->other, c->rings.host, c->rings.iova, c->rings.size);
	if (!ret)
		ret = vc_dma_map(&m->other, c->data.host, c->data.iova, c->data.size);
	if (ret)
		return ret;

	m->dirty[0].ram = &c->rings;
	m->dirty[1].ram = &c->data;
	for (i = 0; i < 2; i++) {
		struct vc_dirty *d = &m->dirty[i];

		d->npages = d->ram->size / PAGE;
		d->bytes = (d->npages + 63) / 64 * 8;
		d->got = calloc(1, d->bytes);
		d->want = calloc(1, d->bytes);
		if (!d->got || !d->want)
			return -ENOMEM;
	}
	return 0;
}

/* Source to destination, the workload stopped at @started of @requests. */
static int vc_mig_move(struct vc_client *c, struct vc_mig *m,
		       uint64_t started, uint64_t requests)
{
	double t0 = vc_now(), t1;
	struct vc_vfio tmp;
	uint8_t *stream = NULL;
	size_t len = 0, written = 0;
	unsigned int piece = 0;
	uint64_t size = 0, inflight = 0;
	uint32_t state;
	int fd = -1, ret;

	/* the source: its state out, then STOP */
	ret = vc_mig_stop_copy(c, &fd, &size);
	if (!ret)
		ret = vc_mig_read_all(fd, &stream, &len);
	if (fd >= 0)
		close(fd);
	fd = -1;
	if (!ret)
		ret = vc_mig_set_state(&c->vfio, VFIO_DEVICE_STATE_STOP, NULL);
	if (!ret)
		ret = vc_mig_stopped_queues(c, m, &inflight);
	if (!ret)
		ret = vc_mig_dirty_collect(c, m);
	if (ret)
		goto out;
	printf("vfio-client: source stopped: stream %zu bytes, MIG_DATA_SIZE said %llu\n",
	       len, (unsigned long long)size);
	if (len != size || len < sizeof(struct wd_pci_mig_header)) {
		vc_err("the stream has %zu bytes, MIG_DATA_SIZE said %llu", len,
		       (unsigned long long)size);
		ret = -EIO;
		goto out;
	}
	/* its interrupts go; the destination gets its own */
	vc_irqs_teardown(c);

	/* the destination: RUNNING -> RESUMING, the stream, STOP */
	ret = vc_mig_set_state(&m->other, VFIO_DEVICE_STATE_RESUMING, &fd);
	if (ret)
		goto out;
	ret = vc_mig_write(fd, stream, len, &written, &piece);
	if (ret) {
		vc_err("the destination refused the stream after %zu of %zu bytes: %s",
		       written, len, strerror(-ret));
		goto out;
	}
	ret = vc_mig_set_state(&m->other, VFIO_DEVICE_STATE_STOP, NULL);
	if (ret) {
		vc_err("the destination refused the stream of %zu bytes at RESUMING -> STOP: %s",
		       len, strerror(-ret));
		goto out;
	}

	/* from here the device is the destination; the source is history */
	tmp = c->vfio;
	c->vfio = m->other;
	m->other = tmp;
	ret = vc_irqs_setup(c);
	if (!ret)
		ret = vc_mig_set_state(&c->vfio, VFIO_DEVICE_STATE_RUNNING, NULL);
	if (ret)
		goto out;
	c->stopped = 0;
	t1 = vc_now();
	printf("vfio-client: migrated after %llu of %llu requests, %llu in flight, stream %zu bytes, downtime %.0f us\n",
	       (unsigned long long)started, (unsigned long long)requests,
	       (unsigned long long)inflight, len, (t1 - t0) * 1e6);
	fflush(stdout);
	/* the source VMM lets go: device, group, container and mappings */
	vc_vfio_close(&m->other);
	ret = vc_mig_get_state(&c->vfio, &state);
	if (!ret && state != VFIO_DEVICE_STATE_RUNNING) {
		vc_err("the destination is in %s after going RUNNING",
		       vc_mig_state_name(state));
		ret = -EIO;
	}
out:
	if (fd >= 0)
		close(fd);
	free(stream);
	return ret;
}

/* ---- --save ---- */

static int vc_mig_save(struct vc_client *c, struct vc_mig *m,
		       uint64_t started, uint64_t requests)
{
	const char *path = c->o.mig_arg;
	uint8_t buf[4096];
	uint64_t size = 0, inflight = 0;
	size_t len = 0;
	int fd = -1, out = -1, ret;

	ret = vc_mig_stop_copy(c, &fd, &size);
	if (ret)
		goto done;
	printf("vfio-client: STOP_COPY after %llu of %llu requests: MIG_DATA_SIZE %llu bytes, writing %s\n",
	       (unsigned long long)started, (unsigned long long)requests,
	       (unsigned long long)size, path);
	fflush(stdout);
	/* a FIFO blocks here until someone reads it: in STOP_COPY */
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		ret = -errno;
		vc_err("%s: %s", path, strerror(-ret));
		c->setup_failed = 1;
		goto done;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			vc_err("read of the STOP_COPY data file after %zu bytes: %s",
			       len, strerror(-ret));
			goto done;
		}
		if (!n)
			break;
		ret = vc_write_all(out, buf, (size_t)n);
		if (ret) {
			vc_err("%s: %s", path, strerror(-ret));
			c->setup_failed = 1;
			goto done;
		}
		len += (size_t)n;
	}
	if (close(out)) {
		ret = -errno;
		out = -1;
		vc_err("%s: %s", path, strerror(-ret));
		c->setup_failed = 1;
		goto done;
	}
	out = -1;
	ret = vc_mig_set_state(&c->vfio, VFIO_DEVICE_STATE_STOP, NULL);
	if (!ret)
		ret = vc_mig_stopped_queues(c, m, &inflight);
	if (ret)
		goto done;
	printf("vfio-client: saved the device's state after %llu of %llu requests, %llu in flight: %zu bytes to %s\n",
	       (unsigned long long)started, (unsigned long long)requests,
	       (unsigned long long)inflight, len, path);
	if (len != size) {
		vc_err("the stream has %zu bytes, MIG_DATA_SIZE said %llu", len,
		       (unsigned long long)size);
		ret = -EIO;
	}
done:
	if (out >= 0)
		close(out);
	if (fd >= 0)
		close(fd);
	return ret ? ret : 1;	/* the run ends here */
}

/**
 * vc_mig_point() - the workload has requests in flight: migrate now?
 * @started: round trips started
 * @requests: of that many
 *
 * Called by the workload each turn, after its doorbells.  Starts dirty
 * tracking at a quarter of the requests, migrates (--migrate-to) or saves
 * (--save) at the next turn from half of them on with requests in flight.
 *
 * Return: 0 to go on, 1 when the run ends here (--save), or -errno.
 */
int vc_mig_point(struct vc_client *c, uint64_t started, uint64_t requests)
{
	struct vc_mig *m = c->mig;
	uint64_t pending = 0;
	unsigned int q;

	if (m->done || (c->o.mig != VC_MIG_TO && c->o.mig != VC_MIG_SAVE))
		return 0;
	if (c->o.mig == VC_MIG_TO && !m->tracking) {
		if (started * 4 < requests)
			return 0;
		return vc_mig_track(c, m);
	}
	if (started * 2 < requests)
		return 0;
	for (q = 0; q < c->nq; q++)
		pending += c->q[q].sq_tail - c->q[q].cq_head;
	if (!pending)
		return 0;
	m->done = 1;
	if (c->o.mig == VC_MIG_SAVE)
		return vc_mig_save(c, m, started, requests);
	return vc_mig_move(c, m, started, requests);
}

/**
 * vc_mig_finish() - after a run with --migrate-to: what the destination
 * says, and the dirty pages
 */
int vc_mig_finish(struct vc_client *c)
{
	struct vc_mig *m = c->mig;
	uint64_t want = 0, missing = 0, first_missing = 0;
	uint32_t sq_tail, sq_head, cq_tail, cq_head;
	unsigned int q, i;
	uint64_t w;
	int ret;

	if (!m->done) {
		vc_err("the run ended before the migration: more --requests, please");
		return -EINVAL;
	}
	/* the indices the source left and the destination advanced */
	for (q = 0; q < c->nq; q++) {
		struct vz_queue *vq = &c->q[q];

		ret = vz_qreg_read(vq, WD_PCI_Q_SQ_TAIL, &sq_tail);
		if (!ret)
			ret = vz_qreg_read(vq, WD_PCI_Q_SQ_HEAD, &sq_head);
		if (!ret)
			ret = vz_qreg_read(vq, WD_PCI_Q_CQ_TAIL, &cq_tail);
		if (!ret)
			ret = vz_qreg_read(vq, WD_PCI_Q_CQ_HEAD, &cq_head);
		if (ret)
			return ret;
		printf("vfio-client: destination queue %u: SQ_TAIL %u, SQ_HEAD %u, CQ_TAIL %u, CQ_HEAD %u; submitted %u, taken %u\n",
		       q, sq_tail, sq_head, cq_tail, cq_head, vq->sq_tail, vq->cq_head);
		if (sq_tail != vq->sq_tail || sq_head != vq->sq_tail ||
		    cq_tail != vq->sq_tail || cq_head != vq->cq_head ||
		    vq->cq_head != vq->sq_tail) {
			vc_err("queue %u: the destination's indices differ from the %u requests submitted and taken",
			       q, vq->sq_tail);
			return -EIO;
		}
	}

	/* every page the source surely wrote while tracking is dirty */
	for (i = 0; i < 2; i++) {
		struct vc_dirty *d = &m->dirty[i];

		for (w = 0; w < d->bytes / 8; w++) {
			uint64_t lost = d->want[w] & ~d->got[w];

			want += (uint64_t)__builtin_popcountll(d->want[w]);
			if (lost && !missing)
				first_missing = d->ram->iova +
					(w * 64 + (uint64_t)__builtin_ctzll(lost)) * PAGE;
			missing += (uint64_t)__builtin_popcountll(lost);
		}
	}
	if (!m->tracked) {
		vc_err("no completion was written while dirty pages were tracked: nothing checked");
		return -EIO;
	}
	if (missing) {
		vc_err("dirty pages: %llu of the %llu pages the source wrote while tracking are not in the bitmap (the first at IOVA %#llx)",
		       (unsigned long long)missing, (unsigned long long)want,
		       (unsigned long long)first_missing);
		return -EIO;
	}
	printf("vfio-client: dirty pages: the CQ entries and outputs of the %llu requests the source completed while tracking, %llu pages, are all in the bitmap\n",
	       (unsigned long long)m->tracked, (unsigned long long)want);
	return 0;
}

/* ---- --resume ---- */

/*
 * After a refusal or not: VFIO_DEVICE_RESET, RUNNING, and the function set
 * up again for a round trip (main.c runs it).
 */
static int vc_mig_reset(struct vc_client *c)
{
	uint32_t state;
	int ret = vc_reset(&c->vfio);

	if (!ret)
		ret = vc_mig_get_state(&c->vfio, &state);
	if (ret)
		return ret;
	c->stopped = 0;
	if (state != VFIO_DEVICE_STATE_RUNNING) {
		vc_err("after VFIO_DEVICE_RESET the device is in %s, not RUNNING",
		       vc_mig_state_name(state));
		return -EIO;
	}
	/* the guest's driver sets the function up again from scratch */
	ret = vz_pci_probe(&c->pci, &c->vfio, 0);
	if (!ret)
		ret = vc_irqs_setup(c);
	if (!ret)
		ret = vc_queues_setup(c);
	return ret;
}

/**
 * vc_mig_resume() - --resume: load the state of a file into the device
 * @verdict: set to 0 when the device took it, -EPROTO when it refused it
 *	(at a write or at RESUMING -> STOP), or the failure of the load
 *
 * Either way the device is then reset, RUNNING, and set up again, ready
 * for the round trip that proves it usable (main.c).
 *
 * Return: 0 when it is, else the failure of RESUMING or of the reset.
 */
int vc_mig_resume(struct vc_client *c, int *verdict)
{
	struct vc_mig *m = c->mig;
	static uint8_t buf[65536];
	size_t total = 0;
	unsigned int piece = 0;
	int fd = -1, ret, refused = 0;

	*verdict = 0;
	ret = vc_mig_set_state(&c->vfio, VFIO_DEVICE_STATE_RESUMING, &fd);
	if (ret) {
		*verdict = ret;
		return ret;
	}
	c->stopped = 1;
	printf("vfio-client: RESUMING: writing %s to the device\n", c->o.mig_arg);
	fflush(stdout);
	for (;;) {
		ssize_t n = read(m->file, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			vc_err("%s: %s", c->o.mig_arg, strerror(-ret));
			c->setup_failed = 1;
			break;
		}
		if (!n)
			break;
		ret = vc_mig_write(fd, buf, (size_t)n, &total, &piece);
		if (ret) {
			vc_err("the device refused the stream after %zu bytes were written: %s",
			       total, strerror(-ret));
			refused = 1;
			break;
		}
		if (c->o.verbose) {
			printf("vfio-client: RESUMING: %zu bytes written\n", total);
			fflush(stdout);
		}
	}
	if (!ret) {
		ret = vc_mig_set_state(&c->vfio, VFIO_DEVICE_STATE_STOP, NULL);
		if (ret) {
			vc_err("the device refused the stream of %zu bytes at RESUMING -> STOP: %s",
			       total, strerror(-ret));
			refused = 1;
		} else {
			printf("vfio-client: the device took the stream of %zu bytes: STOP\n",
			       total);
		}
	}
	if (fd >= 0)
		close(fd);
	fflush(stdout);
	*verdict = refused ? -EPROTO : ret;
	/* back to RUNNING from wherever it is, ready to work */
	return vc_mig_reset(c);
}

/* ---- set-up and tear-down ---- */

/**
 * vc_mig_prepare() - after the set-up: the device can migrate; the
 * destination (--migrate-to) or the file (--resume)
 */
int vc_mig_prepare(struct vc_client *c)
{
	struct vc_mig *m = calloc(1, sizeof(*m));
	uint64_t flags;
	int ret;

	if (!m)
		return -ENOMEM;
	m->file = -1;
	m->other.container = m->other.group = m->other.device = -1;
	c->mig = m;
	ret = vc_mig_flags(&c->vfio, &flags);
	if (ret)
		return ret;
	if (!(flags & VFIO_MIGRATION_STOP_COPY)) {
		vc_err("migration flags %#llx: no STOP_COPY", (unsigned long long)flags);
		return -EOPNOTSUPP;
	}
	if (c->o.verbose)
		printf("vfio-client: migration flags %#llx (STOP_COPY%s)\n",
		       (unsigned long long)flags,
		       flags & VFIO_MIGRATION_P2P ? ", P2P" : "");
	if (c->o.mig == VC_MIG_TO)
		return vc_mig_open_dest(c, m);
	if (c->o.mig == VC_MIG_RESUME) {
		m->file = open(c->o.mig_arg, O_RDONLY | O_CLOEXEC);
		if (m->file < 0) {
			ret = -errno;
			vc_err("%s: %s", c->o.mig_arg, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

void vc_mig_free(struct vc_client *c)
{
	struct vc_mig *m = c->mig;
	unsigned int i;

	if (!m)
		return;
	if (m->file >= 0)
		close(m->file);
	vc_vfio_close(&m->other);
	for (i = 0; i < 2; i++) {
		free(m->dirty[i].got);
		free(m->dirty[i].want);
	}
	free(m);
	c->mig = NULL;
}

/* ---- --mig-info ---- */

/* A header string, printable even without its NUL. */
static int vc_strlen(const char *s, size_t size)
{
	return (int)strnlen(s, size);
}

/**
 * vc_mig_info() - print the header of the state saved in @path
 *
 * Return: the exit code: 0 a well-formed stream (magic, CRCs and size
 * right), 1 not, 3 the file cannot be read.
 */
int vc_mig_info(const char *path)
{
	const size_t hsize = sizeof(struct wd_pci_mig_header);
	const struct wd_pci_mig_header *h;
	uint8_t *buf = NULL, *b;
	size_t len = 0, cap = 0;
	uint32_t magic, hcrc, bcrc, body, crc;
	uint16_t version, hlen;
	int fd, bad = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		vc_err("%s: %s", path, strerror(errno));
		return VC_EXIT_SETUP;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			b = cap > (256u << 20) ? NULL : realloc(buf, cap);
			if (!b) {
				vc_err("%s: too big for a device state", path);
				free(buf);
				close(fd);
				return VC_EXIT_SETUP;
			}
			buf = b;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			vc_err("%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return VC_EXIT_SETUP;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);

	printf("%s: %zu bytes\n", path, len);
	if (len < hsize) {
		printf("  shorter than a header (%zu bytes): not a device state\n", hsize);
		free(buf);
		return VC_EXIT_FAIL;
	}
	h = (const void *)buf;
	magic = le32toh(h->magic);
	version = le16toh(h->version);
	hlen = le16toh(h->header_size);
	body = le32toh(h->body_size);
	bcrc = le32toh(h->body_crc);
	hcrc = le32toh(h->header_crc);

	bad |= magic != WD_PCI_MIG_MAGIC;
	printf("  magic        %#010x%s\n", magic,
	       magic == WD_PCI_MIG_MAGIC ? " (WDMG, the state of a WarpDrive PCI function)" :
	       ", not WDMG: not a WarpDrive device state");
	printf("  version      %u%s\n", version,
	       version == WD_PCI_MIG_VERSION ? "" : ", not the one this program knows");
	bad |= version != WD_PCI_MIG_VERSION;
	crc = vc_crc(h, offsetof(struct wd_pci_mig_header, header_crc));
	bad |= hlen != hsize || crc != hcrc;
	printf("  header       %u bytes%s, CRC %#010x: %s\n", hlen,
	       hlen == hsize ? "" : " (this program knows a header of another size)",
	       hcrc, crc == hcrc ? "matches" : "DOES NOT MATCH");
	if (crc != hcrc)
		printf("               (zlib's crc32 of the header's %zu bytes before it: %#010x)\n",
		       offsetof(struct wd_pci_mig_header, header_crc), crc);
	printf("  type         %.*s\n", vc_strlen(h->type, sizeof(h->type)), h->type);
	printf("  queues       %u, ring depth up to %u\n", le32toh(h->nr_queues),
	       le32toh(h->max_depth));
	printf("  compat       %.*s\n", vc_strlen(h->compat, sizeof(h->compat)),
	       h->compat);
	printf("  description  %.*s\n",
	       vc_strlen(h->description, sizeof(h->description)), h->description);
	if (len < hsize + (size_t)body) {
		printf("  body         %u bytes, CRC %#010x: TRUNCATED, %zu bytes missing\n",
		       body, bcrc, hsize + body - len);
		bad = 1;
	} else {
		crc = vc_crc(buf + hsize, body);
		printf("  body         %u bytes, CRC %#010x: %s\n", body, bcrc,
		       crc == bcrc ? "matches" : "DOES NOT MATCH");
		if (crc != bcrc)
			printf("               (zlib's crc32 of the body: %#010x)\n", crc);
		bad |= crc != bcrc;
		if (len > hsize + body) {
			printf("  %zu bytes more than header and body\n",
			       len - hsize - body);
			bad = 1;
		}
	}
	printf("%s: %s\n", path, bad ? "NOT a well-formed device state" :
	       "a well-formed device state");
	free(buf);
	return bad ? VC_EXIT_FAIL : VC_EXIT_OK;
}
