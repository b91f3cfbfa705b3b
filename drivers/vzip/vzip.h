/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vzip: the WarpDrive reference compression accelerator (driver internals).
 *
 * Documentation/vzip.rst is the hardware specification; the device protocol
 * is include/uapi/misc/uacce/vzip.h.  The driver is split by responsibility:
 *
 *	main.c		platform devices and driver, module parameters, uacce
 *	queue.c		the register page of a hardware queue (the queues,
 *			their rings and uacce ops are wd_engine.ko's)
 *	engine.c	request execution on an engine of wd_engine.ko
 *			(drivers/engine: the engine threads and the scheduler,
 *			which serve the queues of vfio-pci instances too)
 *	dma.c		a request's ranges, translated by wd_engine.ko (SVA
 *			pinning or the SS region)
 *	codec.c		NOP, COPY, compression and decompression with zlib
 *	format.c	zlib and gzip headers and trailers, checksums
 *	stream.c	stream contexts: layout, sealing, load and save
 *	inflate_state.c	save and restore of the kernel inflate state
 *	debugfs.c	counters and the hardware-error knob
 *	vfio.c		the descriptors of a vfio-pci instance (wd_mdev)
 */
#ifndef _DRIVERS_VZIP_VZIP_H
#define _DRIVERS_VZIP_VZIP_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/container_of.h>
#include <linux/types.h>
#include <linux/wd_engine.h>
#include <uapi/misc/uacce/vzip.h>

struct dentry;
struct mm_struct;
struct page;
struct platform_device;
struct uacce_device;
struct uacce_qfile_region;
struct uacce_queue;
struct wd_mdev_vfio_ops;

#define VZIP_WINDOW_MAX		BIT(VZIP_WINDOW_BITS_MAX)
#define VZIP_RING_DEPTH_MIN	2
#define VZIP_RING_DEPTH_MAX	4096
#define VZIP_MAX_LEN_LIMIT	(64U << 20)

/**
 * struct vzip_job - a decoded request and its result
 * @opcode: enum vzip_opcode
 * @format: enum vzip_format
 * @flush: enum vzip_flush
 * @level: compression level 1-9
 * @window_bits: log2 of the window, 9-15
 * @stream: the request continues or starts a stream (@ctx is valid)
 * @new_stream: the request starts a stream
 * @src: source range
 * @dst: destination range
 * @ctx: stream context range
 * @abort: polled between pages; the job stops with ABORTED when it is set
 * @consumed: result: source bytes consumed
 * @produced: result: destination bytes written
 * @checksum: result: CRC-32 or Adler-32 so far
 * @status: result: enum vzip_status
 * @flags: result: VZIP_CQE_F_*
 * @stored_segments: result: segments written as stored blocks because
 *                   deflate's output was larger
 * @why: result: with VZIP_STS_INVALID from the codec, what was wrong
 */
struct vzip_job {
	u8 opcode;
	u8 format;
	u8 flush;
	u8 level;
	u8 window_bits;
	bool stream;
	bool new_stream;
	struct wd_buf src;
	struct wd_buf dst;
	struct wd_buf ctx;
	const bool *abort;

	u32 consumed;
	u32 produced;
	u32 checksum;
	u16 status;
	u8 flags;
	u32 stored_segments;
	const char *why;
};

/**
 * struct vzip_stats - device counters, shown in debugfs
 * @status: completions per status
 * @bytes_in: source bytes consumed
 * @bytes_out: destination bytes produced
 * @stored_segments: compressed segments written as stored blocks
 *
 * The engines' counters (need_wakeup, sleeps, wakeups, pinned pages) are
 * struct wd_engine_dev's, the doorbells struct wd_accel's.
 */
struct vzip_stats {
	atomic64_t status[VZIP_NR_STATUS];
	atomic64_t bytes_in;
	atomic64_t bytes_out;
	atomic64_t stored_segments;
};

struct vzip_codec;

/**
 * struct vzip_engine - vzip's state of one engine (wd_engine.priv)
 * @vdev: the device
 * @codec: its compression state
 * @pages: room for the pinned pages of one request
 */
struct vzip_engine {
	struct vzip_device *vdev;
	struct vzip_codec *codec;
	struct page **pages;
};

/**
 * struct vzip_device - one vzip device
 * @dev: the platform device
 * @cfg: geometry
 * @node: NUMA node of the device's memory and engines
 * @ctx_size: bytes of a stream context, 0 without VZIP_CAP_STREAM
 * @accel: its uacce device, hardware queues (struct wd_hwq: vzip's queue
 *	has nothing of its own), engines and CAPS (VZIP_CAP_*), wd_engine.ko's
 * @stats: counters
 * @debugfs: the device's debugfs directory
 */
struct vzip_device {
	struct device *dev;
	struct wd_accel_geometry cfg;
	int node;
	u32 ctx_size;

	struct wd_accel accel;
	struct vzip_stats stats;
	struct dentry *debugfs;
};

/**
 * vzip_dev() - the vzip device of a framework device
 * @a: vzip_device.accel
 *
 * Return: the device.
 */
static inline struct vzip_device *vzip_dev(struct wd_accel *a)
{
	return container_of(a, struct vzip_device, accel);
}

/* main.c */
struct platform_device *vzip_test_device_add(const struct wd_accel_geometry *cfg,
					     int node);
void vzip_test_device_del(struct platform_device *pdev);

/* queue.c */
void vzip_queue_write_regs(struct wd_hwq *q);

/* engine.c */
extern const struct wd_engine_ops vzip_engine_ops;
u16 vzip_sqe_decode(const struct vzip_sqe *sqe, const struct vzip_device *vdev,
		    struct vzip_job *job);
void vzip_cqe_fill(struct vzip_device *vdev, const struct vzip_sqe *sqe,
		   u16 status, const struct vzip_job *job, struct vzip_cqe *cqe);
void vzip_job_report(struct vzip_device *vdev, int qid,
		     const struct vzip_job *job);

/* vfio.c */
extern const struct wd_mdev_vfio_ops vzip_vfio_ops;

/* dma.c */
u16 vzip_dma_map_job(struct vzip_engine *e, struct wd_hwq *q,
		     const struct vzip_sqe *sqe, struct vzip_job *job);
void vzip_dma_unmap_job(struct vzip_engine *e, struct vzip_job *job);
unsigned int vzip_dma_max_pages(const struct vzip_device *vdev);

/* codec.c */
struct vzip_codec *vzip_codec_alloc(int node);
void vzip_codec_free(struct vzip_codec *c);
void vzip_codec_run(struct vzip_codec *c, struct vzip_job *job);

/* format.c */
u32 vzip_crc32(u32 crc, const void *buf, size_t len);

/* stream.c */
void vzip_stream_init(void);
u32 vzip_ctx_size(void);

/* debugfs.c */
void vzip_debugfs_init(void);
void vzip_debugfs_exit(void);
void vzip_debugfs_add(struct vzip_device *vdev);
void vzip_debugfs_del(struct vzip_device *vdev);

#endif /* _DRIVERS_VZIP_VZIP_H */
