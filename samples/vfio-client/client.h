/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-client: the VMM's state, shared by main.c (options, set-up),
 * machine.c (guest RAM, interrupts, rings: used by all the others),
 * workload.c (compress/decompress round trips), checks.c (the error paths
 * a test drives on purpose), migration.c (VFIO migration v2: to a
 * second instance, to and from a file) and vcrypt.c (--vcrypt: a vcrypt
 * function checked against libcrypto).  Calls go one way: main.c calls
 * the others, checks.c calls workload.c, workload.c calls migration.c,
 * and all of them call machine.c, which calls only vfio.c and vzpci.c.
 */
#ifndef VFIO_CLIENT_CLIENT_H
#define VFIO_CLIENT_CLIENT_H

#include <stdint.h>
#include <stddef.h>

#include "vfio.h"
#include "vzpci.h"

/* Exit codes: tests tell "the device did wrong" from "could not run". */
enum {
	VC_EXIT_OK = 0,
	VC_EXIT_FAIL = 1,	/* the device's behaviour was wrong */
	VC_EXIT_USAGE = 2,	/* bad command line */
	VC_EXIT_SETUP = 3,	/* VFIO, memory or file trouble */
	VC_EXIT_RELEASED = 4,	/* the host asked for the device back */
};

/*
 * "Guest RAM": the IOVA layout this VMM gives the device.  Rings and data
 * live in separate mappings, so that the data can be unmapped while the
 * rings stay.  Nothing is ever mapped at VC_IOVA_HOLE.
 */
#define VC_IOVA_RINGS	0x10000000ull
#define VC_IOVA_HOLE	0x30000000ull
#define VC_IOVA_DATA	0x40000000ull

/* One DMA mapping: host memory of ours seen by the device at @iova. */
struct vc_ram {
	uint8_t *host;
	uint64_t iova;
	size_t size;
	size_t used;
	int mapped;
};

enum vc_irq_mode { VC_IRQ_MSI, VC_IRQ_INTX, VC_IRQ_POLL };

enum vc_check {
	VC_CHECK_NONE,
	VC_CHECK_BAD_SRC,
	VC_CHECK_BAD_DST,
	VC_CHECK_BAD_CTX,
	VC_CHECK_BAD_SQ,
	VC_CHECK_BAD_CQ,
	VC_CHECK_UNMAP,
	VC_CHECK_RESET,
};

/* What to do with the device's state (migration.c). */
enum vc_mig_mode {
	VC_MIG_NONE,
	VC_MIG_TO,		/* --migrate-to UUID2: in this process */
	VC_MIG_SAVE,		/* --save FILE */
	VC_MIG_RESUME,		/* --resume FILE */
	VC_MIG_INFO,		/* --mig-info FILE: no device */
};

struct vc_opts {
	const char *uuid;
	const char *input;
	const char *output;
	size_t size;		/* generated input without --input */
	unsigned int queues;
	unsigned int inflight;	/* per queue */
	uint64_t requests;	/* round trips; 0: one per chunk */
	uint32_t chunk;
	unsigned int level;
	unsigned int format;	/* enum vzip_format */
	unsigned int window;
	uint32_t depth;
	enum vc_irq_mode irq;
	unsigned int duration;	/* seconds; 0: run --requests */
	unsigned int timeout;	/* seconds without a completion */
	enum vc_check check;
	int hang;
	int handle_request;
	int verbose;
	enum vc_mig_mode mig;
	const char *mig_arg;	/* the destination's UUID, or the FILE */
	int vcrypt;		/* --vcrypt: a vcrypt function (vcrypt.c) */
};

/* A request slot: buffers for one round trip in flight. */
struct vc_slot {
	unsigned int queue;
	int state;		/* VC_SLOT_* of workload.c */
	uint64_t req;		/* request number */
	size_t in_off;		/* source chunk in the input */
	uint32_t len;
	uint32_t clen;		/* compressed bytes */
	uint8_t *cbuf;		/* compressed data */
	uint64_t cbuf_iova;
	uint32_t cbuf_size;
	uint8_t *dbuf;		/* decompressed data */
	uint64_t dbuf_iova;
};

struct vc_client {
	struct vc_opts o;
	struct vc_vfio vfio;
	struct vz_pci pci;
	struct vz_queue q[WD_PCI_MAX_QUEUES];
	unsigned int nq;
	struct vc_ram rings;
	struct vc_ram data;
	uint8_t *input;		/* in data, at input_iova */
	uint64_t input_iova;
	size_t input_len;
	struct vc_slot *slots;
	unsigned int nslots;
	int irq_fd[WD_PCI_MAX_QUEUES];
	unsigned int nirq;
	int req_fd;		/* VFIO request interrupt, -1 without */
	int released;		/* the host asked for the device back */
	uint64_t interrupts;	/* eventfd wake-ups with a count */
	uint64_t stats[8];	/* completions per enum vzip_status */
	struct vc_mig *mig;	/* migration.c's state, NULL without */
	int stopped;		/* stopped for migration: BAR0 takes no writes */
	int setup_failed;	/* a file or VFIO step failed, not the device */
};

/* machine.c */
int vc_ram_create(struct vc_client *c, struct vc_ram *ram, uint64_t iova,
		  size_t size);
void vc_ram_destroy(struct vc_client *c, struct vc_ram *ram);
int vc_ram_alloc(struct vc_ram *ram, size_t size, size_t align,
		 uint8_t **host, uint64_t *iova);
int vc_wait(struct vc_client *c, int timeout_ms);
int vc_irqs_setup(struct vc_client *c);
void vc_irqs_teardown(struct vc_client *c);
int vc_queues_setup(struct vc_client *c);
int vc_run_one(struct vc_client *c, struct vz_queue *q,
	       const struct vzip_sqe *sqe, struct vzip_cqe *cqe);

/* workload.c */
int vc_workload_prepare(struct vc_client *c);
int vc_workload_run(struct vc_client *c, uint64_t requests);
void vc_workload_free(struct vc_client *c);
void vc_sqe_compress(const struct vc_client *c, struct vzip_sqe *sqe,
		     uint64_t src, uint32_t src_len, uint64_t dst,
		     uint32_t dst_len);

/* checks.c */
int vc_check_run(struct vc_client *c);

/* vcrypt.c */
int vc_vcrypt_run(struct vc_client *c);

/* migration.c */
int vc_mig_info(const char *path);
int vc_mig_prepare(struct vc_client *c);
int vc_mig_point(struct vc_client *c, uint64_t started, uint64_t requests);
void vc_mig_completed(struct vc_client *c, unsigned int queue,
		      uint32_t cq_index, uint64_t out_iova, uint32_t out_len);
int vc_mig_finish(struct vc_client *c);
int vc_mig_resume(struct vc_client *c, int *verdict);
void vc_mig_free(struct vc_client *c);

#endif /* VFIO_CLIENT_CLIENT_H */
