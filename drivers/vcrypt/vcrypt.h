/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vcrypt: the WarpDrive reference crypto accelerator (driver internals).
 *
 * Documentation/vcrypt.rst is the hardware specification; the device
 * protocol is include/uapi/misc/uacce/vcrypt.h.  The queue, the rings, the
 * engines and the address translation are vzip's model, on wd_engine.ko.
 * The driver is split by responsibility:
 *
 *	main.c		platform devices and driver, module parameters, uacce
 *	queue.c		vcrypt's part of a hardware queue: the register
 *			page, the key slots (the queues, their rings and
 *			uacce ops are wd_engine.ko's)
 *	keys.c		the key slots of a queue: load, clear, look up, wipe
 *	decode.c	the algorithm table and the checks of a request
 *			(INVALID and the request-only statuses)
 *	engine.c	serving one request on an engine of wd_engine.ko, in
 *			the specification's error order
 *	dma.c		a request's ranges (wd_engine.ko's SVA pinning or SS
 *			region) and their scatterlists
 *	crypt.c		the engine's transforms of the kernel crypto API and
 *			the execution of DIGEST, ENCRYPT and DECRYPT
 *	stream.c	stream contexts: layout, sealing, load and save
 *	debugfs.c	counters and the hardware-error knob
 *	vfio.c		the descriptors and key slots of a vfio-pci instance
 *			(wd_mdev), whose queues the engines serve too
 */
#ifndef _DRIVERS_VCRYPT_VCRYPT_H
#define _DRIVERS_VCRYPT_VCRYPT_H

#include <linux/atomic.h>
#include <linux/container_of.h>
#include <linux/types.h>
#include <linux/wd_engine.h>
#include <uapi/misc/uacce/vcrypt.h>

struct dentry;
struct mm_struct;
struct page;
struct platform_device;
struct scatterlist;
struct uacce_device;
struct uacce_queue;
struct wd_mdev_vfio_ops;

#define VCRYPT_RING_DEPTH_MIN	2
#define VCRYPT_RING_DEPTH_MAX	4096
#define VCRYPT_MAX_LEN_LIMIT	(64U << 20)
#define VCRYPT_NR_STATUS	(VCRYPT_STS_BAD_CONTEXT + 1)
#define VCRYPT_NR_OPCODES	(VCRYPT_OP_DECRYPT + 1)
/* a stream context's sealed header; the hash state follows it */
#define VCRYPT_CTX_HDR_SIZE	64

/**
 * struct vcrypt_config - geometry of one device
 * @geo: what every class's device has (struct wd_accel_geometry)
 * @key_slots: key slots per queue
 *
 * The module parameters, or the platform data of a device a test creates.
 */
struct vcrypt_config {
	struct wd_accel_geometry geo;
	u32 key_slots;
};

/* what an algorithm is, for the rules of Documentation/vcrypt.rst */
enum vcrypt_kind {
	VCRYPT_KIND_NONE,
	VCRYPT_KIND_DIGEST,	/* unkeyed hash */
	VCRYPT_KIND_HMAC,	/* keyed hash */
	VCRYPT_KIND_CIPHER,	/* crypto_skcipher */
	VCRYPT_KIND_AEAD,	/* crypto_aead */
};

/**
 * struct vcrypt_alg_info - an algorithm of the device
 * @tfm_name: its kernel crypto API name
 * @kind: enum vcrypt_kind
 * @iv_len: its iv_len (0 for digests)
 * @out_size: digest or MAC bytes (digests)
 * @stream: it has streams
 * @block: CBC: the text is whole blocks
 */
struct vcrypt_alg_info {
	const char *tfm_name;
	u8 kind;
	u8 iv_len;
	u8 out_size;
	bool stream;
	bool block;
};

extern const struct vcrypt_alg_info vcrypt_algs[VCRYPT_ALG_NR];

/**
 * struct vcrypt_slot - a key slot
 * @alg: enum vcrypt_alg of the key, VCRYPT_ALG_NONE when empty
 * @key_len: bytes of @key
 * @gen: generation: changes with every load, clear and wipe, never goes
 *	back, so a stream context names one key
 * @key: the key
 */
struct vcrypt_slot {
	u8 alg;
	u8 key_len;
	u64 gen;
	u8 key[VCRYPT_KEY_MAX];
};

/**
 * struct vcrypt_job - a decoded request and its result
 * @opcode: enum vcrypt_opcode
 * @alg: enum vcrypt_alg
 * @iv_len: bytes of @iv
 * @tag_len: GCM tag bytes
 * @stream: the request continues or starts a stream (@ctx is valid)
 * @new_stream: the request starts a stream
 * @final: the request ends its stream
 * @inplace: dst is src (ENCRYPT, DECRYPT of a cipher): only @dst is mapped
 * @slot: key slot
 * @aad_len: GCM AAD bytes at the start of the source
 * @iv: IV, counter block, tweak or nonce
 * @src: source range
 * @dst: destination range
 * @ctx: stream context range
 * @produced: result: destination bytes written
 * @flags: result: VCRYPT_CQE_F_*
 */
struct vcrypt_job {
	u8 opcode;
	u8 alg;
	u8 iv_len;
	u8 tag_len;
	bool stream;
	bool new_stream;
	bool final;
	bool inplace;
	u16 slot;
	u32 aad_len;
	u8 iv[VCRYPT_IV_MAX];
	struct wd_buf src;
	struct wd_buf dst;
	struct wd_buf ctx;

	u32 produced;
	u8 flags;
};

/**
 * struct vcrypt_stream - the state a stream context holds (stream.c)
 * @alg: enum vcrypt_alg
 * @opcode: DIGEST, ENCRYPT or DECRYPT
 * @ended: the FINAL request completed: the context is spent
 * @slot: key slot (keyed algorithms)
 * @gen: its generation when the stream started
 * @ctr_off: CTR: bytes of the keystream block of @chain already used
 * @chain: CBC: the last ciphertext block; CTR: the current counter block
 * @state_len: bytes of @state
 * @state: digests and HMAC: the (inner) hash state,
 *	crypto_shash_export()'s
 */
struct vcrypt_stream {
	u8 alg;
	u8 opcode;
	bool ended;
	u16 slot;
	u64 gen;
	u8 ctr_off;
	u8 chain[VCRYPT_BLOCK_SIZE];
	u32 state_len;
	u8 *state;
};

/**
 * struct vcrypt_stats - device counters, shown in debugfs
 * @opcode: requests per opcode (of those that decoded)
 * @status: completions per status
 * @bytes_in: source bytes of completed requests
 * @bytes_out: destination bytes produced
 * @slots_loaded: key slots holding a key now
 */
struct vcrypt_stats {
	atomic64_t opcode[VCRYPT_NR_OPCODES];
	atomic64_t status[VCRYPT_NR_STATUS];
	atomic64_t bytes_in;
	atomic64_t bytes_out;
	atomic64_t slots_loaded;
};

/**
 * struct vcrypt_queue - one hardware queue
 * @hw: the framework's queue (wd_engine.ko): register page, rings, owner,
 *	scheduling state, registered memory
 * @slots: vcrypt_device.cfg.key_slots key slots
 *
 * @slots, like @hw.ring's indices, belong to the engine that has claimed
 * the queue, or to the uacce callbacks while the queue is stopped.
 */
struct vcrypt_queue {
	struct wd_hwq hw;
	struct vcrypt_slot *slots;
};

/**
 * to_vcrypt_queue() - the vcrypt queue of a framework queue
 * @q: vcrypt_queue.hw
 *
 * Return: the queue.
 */
static inline struct vcrypt_queue *to_vcrypt_queue(struct wd_hwq *q)
{
	return container_of(q, struct vcrypt_queue, hw);
}

struct vcrypt_crypto;

/**
 * struct vcrypt_engine - vcrypt's state of one engine (wd_engine.priv)
 * @vdev: the device
 * @crypto: its transforms, requests and scatterlists (crypt.c)
 * @pages: room for the pinned pages of one request
 * @state: VCRYPT_CTX_MAX bytes: a stream context's header and hash state
 * @id: index in the device
 */
struct vcrypt_engine {
	struct vcrypt_device *vdev;
	struct vcrypt_crypto *crypto;
	struct page **pages;
	u8 *state;
	unsigned int id;
};

/**
 * struct vcrypt_device - one vcrypt device
 * @dev: the platform device
 * @cfg: geometry
 * @node: NUMA node of the device's memory and engines
 * @algs: the ALGS register: bit (1 << alg) per algorithm the engines run
 * @ctx_size: bytes of a stream context, 0 without VCRYPT_CAP_STREAM
 * @state_max: largest hash state of an algorithm in @algs
 * @accel: its uacce device, hardware queues (struct vcrypt_queue),
 *	engines, CAPS (VCRYPT_CAP_*) and doorbell counter, wd_engine.ko's
 * @stats: counters
 * @debugfs: the device's debugfs directory
 */
struct vcrypt_device {
	struct device *dev;
	struct vcrypt_config cfg;
	int node;
	u32 algs;
	u32 ctx_size;
	u32 state_max;

	struct wd_accel accel;
	struct vcrypt_stats stats;
	struct dentry *debugfs;
};

/**
 * vcrypt_dev() - the vcrypt device of a framework device
 * @a: vcrypt_device.accel
 *
 * Return: the device.
 */
static inline struct vcrypt_device *vcrypt_dev(struct wd_accel *a)
{
	return container_of(a, struct vcrypt_device, accel);
}

/* main.c */
int vcrypt_config_check(const struct vcrypt_config *cfg);
struct platform_device *vcrypt_test_device_add(const struct vcrypt_config *cfg,
					       int node);
void vcrypt_test_device_del(struct platform_device *pdev);

/* queue.c */
int vcrypt_queue_init(struct wd_hwq *hw);
void vcrypt_queue_fini(struct wd_hwq *hw);
void vcrypt_queue_write_regs(struct wd_hwq *hw);
void vcrypt_queue_release(struct wd_hwq *hw);

/* keys.c */
struct vcrypt_slot *vcrypt_slots_alloc(u32 nr, int node);
void vcrypt_slots_free(struct vcrypt_slot *slots, u32 nr);
bool vcrypt_key_len_ok(u8 alg, u32 len);
void vcrypt_slot_load(struct vcrypt_device *vdev, struct vcrypt_slot *slot,
		      u8 alg, const u8 *key, u32 len);
void vcrypt_slot_clear(struct vcrypt_device *vdev, struct vcrypt_slot *slot);
void vcrypt_slots_wipe(struct vcrypt_device *vdev, struct vcrypt_slot *slots,
		       u32 nr);
u16 vcrypt_slot_check(const struct vcrypt_slot *slot, const struct vcrypt_job *job);

/* decode.c */
u16 vcrypt_sqe_decode(const struct vcrypt_sqe *sqe,
		      const struct vcrypt_device *vdev, struct vcrypt_job *job);
u16 vcrypt_job_check_iv(const struct vcrypt_job *job);
u16 vcrypt_job_check_length(const struct vcrypt_job *job);
u32 vcrypt_job_output(const struct vcrypt_job *job);
__printf(3, 4)
void vcrypt_req_dbg(const struct vcrypt_device *vdev, int qid,
		    const char *fmt, ...);
u16 vcrypt_job_check(const struct vcrypt_device *vdev, int qid,
		     const struct vcrypt_job *job,
		     const struct vcrypt_slot *slot, struct vcrypt_stream *st);

/* engine.c */
extern const struct wd_engine_ops vcrypt_engine_ops;
void vcrypt_cqe_fill(struct vcrypt_device *vdev, const struct vcrypt_sqe *sqe,
		     u16 status, const struct vcrypt_job *job,
		     struct vcrypt_cqe *cqe);
u16 vcrypt_job_execute(struct vcrypt_engine *e, struct vcrypt_queue *q,
		       const struct vcrypt_sqe *sqe, struct vcrypt_job *job,
		       struct vcrypt_slot *slot, const bool *abort);

/* dma.c */
unsigned int vcrypt_dma_max_pages(const struct vcrypt_device *vdev);
unsigned int vcrypt_sg_max(const struct vcrypt_device *vdev);
u16 vcrypt_dma_map_ctx(struct vcrypt_engine *e, struct vcrypt_queue *q,
		       const struct vcrypt_sqe *sqe, struct vcrypt_job *job);
u16 vcrypt_dma_map_data(struct vcrypt_engine *e, struct vcrypt_queue *q,
			const struct vcrypt_sqe *sqe, struct vcrypt_job *job);
void vcrypt_dma_unmap_job(struct vcrypt_engine *e, struct vcrypt_job *job);
int vcrypt_sg_add(struct scatterlist *sg, unsigned int n, unsigned int max,
		  const struct wd_buf *buf, u32 pos, u32 len);

/* crypt.c */
u32 vcrypt_algs_probe(u32 *state_max);
struct vcrypt_crypto *vcrypt_crypto_alloc(u32 algs, u32 state_max,
					  unsigned int sg_max);
void vcrypt_crypto_free(struct vcrypt_crypto *c);
u16 vcrypt_crypt_run(struct vcrypt_engine *e, const struct vcrypt_slot *slot,
		     struct vcrypt_job *job, struct vcrypt_stream *st);

/* stream.c */
void vcrypt_stream_init(void);
u32 vcrypt_ctx_size(u32 state_max);
int vcrypt_stream_load(const struct wd_buf *ctx, struct vcrypt_stream *st,
		       u32 state_max);
void vcrypt_stream_save(const struct wd_buf *ctx,
			const struct vcrypt_stream *st);
u16 vcrypt_stream_check(const struct vcrypt_stream *st,
			const struct vcrypt_job *job,
			const struct vcrypt_slot *slot);

/* vfio.c */
extern const struct wd_mdev_vfio_ops vcrypt_vfio_ops;

/* debugfs.c */
void vcrypt_debugfs_init(void);
void vcrypt_debugfs_exit(void);
void vcrypt_debugfs_add(struct vcrypt_device *vdev);
void vcrypt_debugfs_del(struct vcrypt_device *vdev);

#endif /* _DRIVERS_VCRYPT_VCRYPT_H */
