// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-client: error paths driven on purpose, for tests.  Each check prints
 * one "check: ..." line per observation and returns 0 when the device
 * behaved as Documentation/pci-function.rst says:
 *
 *  --bad-iova src|dst|ctx  a request with an address nobody mapped
 *                          completes with ADDR_ERROR, the queue's ERROR
 *                          register says ADDR and ERR_IOVA where; the queue
 *                          goes on after the error is cleared;
 *  --bad-iova sq|cq        a ring nobody mapped halts the queue with RING,
 *                          until it is disabled and enabled again;
 *  --unmap-inflight        the data is unmapped while requests run: the
 *                          unmap returns, every request ends (OK,
 *                          ADDR_ERROR or ABORTED), the device does not
 *                          touch the memory afterwards, and works again
 *                          once it is mapped back;
 *  --reset                 VFIO_DEVICE_RESET and the DEV_CTRL reset with
 *                          requests in flight: registers back to their
 *                          defaults, and the device works after set-up.
 */
#include <endian.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client.h"

/* Counts what went wrong: every check reports into one. */
struct vc_verdict {
	int failures;
};

__attribute__((format(printf, 3, 4)))
static void check(struct vc_verdict *v, int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("check: %s ", ok ? "ok" : "FAILED");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
	if (!ok)
		v->failures++;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Both error views: the queue's ERROR/ERR_IOVA and the device's STATUS. */
static int vc_read_errors(struct vc_client *c, struct vz_queue *q,
			  uint32_t *err, uint64_t *iova, uint32_t *qsts,
			  uint32_t *dsts)
{
	int ret = vz_queue_error(q, err, iova);

	if (!ret)
		ret = vz_qreg_read(q, WD_PCI_Q_STATUS, qsts);
	if (!ret)
		ret = vz_reg_read(&c->pci, WD_PCI_REG_DEV_STATUS, dsts);
	return ret;
}

/* Clear a queue's ERROR and check that both views forget it. */
static int vc_clear_and_check(struct vc_client *c, struct vc_verdict *v,
			      struct vz_queue *q)
{
	uint32_t err, qsts, dsts;
	uint64_t iova;
	int ret = vz_queue_error(q, &err, &iova);

	if (!ret && err)
		ret = vz_queue_clear_error(q, err);
	if (!ret)
		ret = vc_read_errors(c, q, &err, &iova, &qsts, &dsts);
	if (ret)
		return ret;
	check(v, !err && !(qsts & WD_PCI_Q_STS_ERROR) &&
	      !(dsts & WD_PCI_DEV_STS_ERROR),
	      "queue %u: ERROR is %#x, Q_STATUS %#x, DEV_STATUS %#x after clearing",
	      q->idx, err, qsts, dsts);
	return 0;
}

/* After an error: ordinary round trips on every queue still work. */
static int vc_still_works(struct vc_client *c, struct vc_verdict *v,
			  const char *after)
{
	int ret = vc_workload_run(c, (uint64_t)c->nq * 2);

	check(v, !ret, "round trips on every queue after %s", after);
	return ret == -ECANCELED ? ret : 0;
}

/*
 * One request with @what at [@lo, @lo + @len): it must complete with
 * ADDR_ERROR and leave ERROR = ADDR with ERR_IOVA inside the range.
 */
static int vc_expect_addr_error(struct vc_client *c, struct vc_verdict *v,
				struct vzip_sqe *sqe, const char *what,
				uint64_t lo, uint64_t len)
{
	struct vz_queue *q = &c->q[0];
	struct vzip_cqe cqe;
	uint32_t err, qsts, dsts;
	uint64_t iova;
	int ret;

	sqe->user_data = htole64(0xbad);
	ret = vc_run_one(c, q, sqe, &cqe);
	if (ret)
		return ret;
	check(v, le16toh(cqe.status) == VZIP_STS_ADDR_ERROR &&
	      le64toh(cqe.user_data) == 0xbad,
	      "%s at IOVA %#llx, %llu bytes: completion status %s", what,
	      (unsigned long long)lo, (unsigned long long)len,
	      vz_status_name(le16toh(cqe.status)));
	ret = vc_read_errors(c, q, &err, &iova, &qsts, &dsts);
	if (ret)
		return ret;
	check(v, err == WD_PCI_Q_ERR_ADDR, "%s: queue ERROR %#x (ADDR is %#x)",
	      what, err, WD_PCI_Q_ERR_ADDR);
	check(v, iova >= lo && iova < lo + len,
	      "%s: ERR_IOVA %#llx in [%#llx, %#llx)", what,
	      (unsigned long long)iova, (unsigned long long)lo,
	      (unsigned long long)(lo + len));
	check(v, (qsts & WD_PCI_Q_STS_ERROR) && (qsts & WD_PCI_Q_STS_ENABLED) &&
	      !(qsts & WD_PCI_Q_STS_HALTED),
	      "%s: Q_STATUS %#x: ERROR, still enabled, not halted", what, qsts);
	check(v, dsts & WD_PCI_DEV_STS_ERROR, "%s: DEV_STATUS %#x has ERROR",
	      what, dsts);
	return vc_clear_and_check(c, v, q);
}

static int vc_check_bad_request(struct vc_client *c, struct vc_verdict *v)
{
	struct vc_slot *s = &c->slots[0];
	struct vzip_sqe sqe;
	uint64_t end = c->data.iova + c->data.size;
	uint32_t len = c->o.chunk < 8192 ? c->o.chunk : 8192;
	int ret;

	switch (c->o.check) {
	case VC_CHECK_BAD_SRC:
		vc_sqe_compress(c, &sqe, VC_IOVA_HOLE, len, s->cbuf_iova, s->cbuf_size);
		ret = vc_expect_addr_error(c, v, &sqe, "src", VC_IOVA_HOLE, len);
		if (ret)
			return ret;
		/* starts in guest RAM, runs past the end of the mapping */
		vc_sqe_compress(c, &sqe, end - 4096, 3 * 4096, s->cbuf_iova,
				s->cbuf_size);
		ret = vc_expect_addr_error(c, v, &sqe, "src past the end of a mapping",
					   end - 4096, 3 * 4096);
		break;
	case VC_CHECK_BAD_DST:
		vc_sqe_compress(c, &sqe, c->input_iova, len, VC_IOVA_HOLE, s->cbuf_size);
		ret = vc_expect_addr_error(c, v, &sqe, "dst", VC_IOVA_HOLE, s->cbuf_size);
		break;
	case VC_CHECK_BAD_CTX:
		if (!(c->pci.caps & VZIP_CAP_STREAM) || !c->pci.ctx_size) {
			vc_err("the device has no stream contexts (caps %#x)", c->pci.caps);
			return -EOPNOTSUPP;
		}
		vc_sqe_compress(c, &sqe, c->input_iova, len, s->cbuf_iova, s->cbuf_size);
		sqe.flags = htole16(VZIP_SQE_F_STREAM | VZIP_SQE_F_NEW_STREAM);
		sqe.ctx = htole64(VC_IOVA_HOLE);
		ret = vc_expect_addr_error(c, v, &sqe, "ctx", VC_IOVA_HOLE,
					   c->pci.ctx_size);
		break;
	default:
		return -EINVAL;
	}
	if (ret)
		return ret;
	return vc_still_works(c, v, "the address errors");
}

/* Wait until queue @q reports HALTED, up to the timeout. */
static int vc_wait_halted(struct vc_client *c, struct vz_queue *q, uint32_t *qsts)
{
	long waited = 0;
	int ret;

	for (;;) {
		ret = vz_qreg_read(q, WD_PCI_Q_STATUS, qsts);
		if (ret || (*qsts & WD_PCI_Q_STS_HALTED))
			return ret;
		if (waited >= (long)c->o.timeout * 1000)
			return 0;
		nap_ms(10);
		waited += 10;
	}
}

/*
 * A ring at an unmapped IOVA: the device cannot read the SQ (or write the
 * CQ), so it halts the queue with RING.
 */
static int vc_check_bad_ring(struct vc_client *c, struct vc_verdict *v)
{
	struct vz_queue *q = &c->q[0];
	int bad_sq = c->o.check == VC_CHECK_BAD_SQ;
	const char *what = bad_sq ? "SQ" : "CQ";
	uint64_t sq_iova = bad_sq ? VC_IOVA_HOLE : q->sq_iova;
	uint64_t cq_iova = bad_sq ? q->cq_iova : VC_IOVA_HOLE;
	uint64_t span = (uint64_t)q->depth * (bad_sq ? sizeof(struct vzip_sqe) :
					      sizeof(struct vzip_cqe));
	struct vzip_sqe sqe = { .opcode = VZIP_OP_NOP, .version = VZIP_SQE_VERSION };
	struct vzip_sqe *sq = q->sq;
	struct vzip_cqe *cq = q->cq;
	uint32_t err, qsts, dsts;
	uint64_t iova;
	int ret;

	ret = vz_queue_disable(q);
	if (!ret)
		ret = vz_queue_init(q, &c->pci, 0, c->o.depth, sq, sq_iova, cq, cq_iova);
	if (!ret)
		ret = vz_queue_enable(q, c->o.irq != VC_IRQ_POLL);
	if (!ret)
		ret = vz_queue_submit(q, &sqe);	/* lands in our SQ, seen or not */
	if (!ret)
		ret = vz_queue_doorbell(q);
	if (!ret)
		ret = vc_wait_halted(c, q, &qsts);
	if (ret)
		return ret;
	check(v, qsts & WD_PCI_Q_STS_HALTED, "%s at unmapped IOVA %#llx: Q_STATUS %#x is HALTED",
	      what, (unsigned long long)VC_IOVA_HOLE, qsts);
	ret = vc_read_errors(c, q, &err, &iova, &qsts, &dsts);
	if (ret)
		return ret;
	check(v, err & WD_PCI_Q_ERR_RING, "%s: queue ERROR %#x has RING (%#x)",
	      what, err, WD_PCI_Q_ERR_RING);
	check(v, iova >= VC_IOVA_HOLE && iova < VC_IOVA_HOLE + span,
	      "%s: ERR_IOVA %#llx in [%#llx, %#llx)", what, (unsigned long long)iova,
	      (unsigned long long)VC_IOVA_HOLE,
	      (unsigned long long)(VC_IOVA_HOLE + span));
	check(v, dsts & WD_PCI_DEV_STS_ERROR, "%s: DEV_STATUS %#x has ERROR",
	      what, dsts);

	/* ringing again changes nothing: the queue stays halted */
	ret = vz_queue_doorbell(q);
	if (!ret)
		ret = vz_qreg_read(q, WD_PCI_Q_STATUS, &qsts);
	if (ret)
		return ret;
	check(v, qsts & WD_PCI_Q_STS_HALTED, "%s: still halted after another doorbell (%#x)",
	      what, qsts);

	/* disable, clear, program the right rings, enable: back to work */
	ret = vz_queue_disable(q);
	if (!ret)
		ret = vc_clear_and_check(c, v, q);
	if (!ret)
		ret = vc_queues_setup(c);
	if (!ret)
		ret = vz_qreg_read(q, WD_PCI_Q_STATUS, &qsts);
	if (ret)
		return ret;
	check(v, qsts == WD_PCI_Q_STS_ENABLED, "%s: Q_STATUS %#x after disable and enable",
	      what, qsts);
	return vc_still_works(c, v, "the ring error");
}

/* Submit @per_queue compressions of whole slots on every queue, no wait. */
static int vc_fill_queues(struct vc_client *c, unsigned int per_queue,
			  unsigned int *submitted)
{
	unsigned int i, q;
	int ret;

	*submitted = 0;
	for (q = 0; q < c->nq; q++) {
		for (i = 0; i < per_queue; i++) {
			struct vc_slot *s = &c->slots[q + i * c->nq];
			uint32_t len = c->input_len < c->o.chunk ?
				       (uint32_t)c->input_len : c->o.chunk;
			struct vzip_sqe sqe;

			vc_sqe_compress(c, &sqe, c->input_iova, len, s->cbuf_iova,
					s->cbuf_size);
			sqe.user_data = htole64(0x10000 + *submitted);
			ret = vz_queue_submit(&c->q[q], &sqe);
			if (ret)
				return ret;
			(*submitted)++;
		}
		ret = vz_queue_doorbell(&c->q[q]);
		if (ret)
			return ret;
	}
	return 0;
}

static int vc_check_unmap(struct vc_client *c, struct vc_verdict *v)
{
	struct vzip_cqe cqe[32];
	unsigned int submitted, got = 0, counts[8] = { 0 }, bad = 0, i, q;
	time_t deadline;
	size_t touched = 0, off;
	uint32_t err, qsts, dsts;
	uint64_t iova;
	int ret;

	ret = vc_fill_queues(c, c->o.inflight, &submitted);
	if (ret)
		return ret;
	ret = vc_dma_unmap(&c->vfio, c->data.iova, c->data.size);
	check(v, !ret, "VFIO_IOMMU_UNMAP_DMA of the data with %u requests in flight returns",
	      submitted);
	if (ret)
		return ret;
	c->data.mapped = 0;
	/* from now on the device must not write here */
	for (i = 0; i < c->nslots; i++)
		memset(c->slots[i].cbuf, 0xa5, c->slots[i].cbuf_size);

	deadline = time(NULL) + c->o.timeout;
	while (got < submitted && time(NULL) <= deadline) {
		int n = 0;

		for (q = 0; q < c->nq; q++) {
			int r = vz_queue_reap(&c->q[q], cqe, 32);

			if (r < 0)
				return r;
			for (i = 0; i < (unsigned int)r; i++) {
				unsigned int st = le16toh(cqe[i].status);

				counts[st < 8 ? st : 7]++;
				if (st != VZIP_STS_OK && st != VZIP_STS_ADDR_ERROR &&
				    st != VZIP_STS_ABORTED)
					bad++;
			}
			n += r;
		}
		got += (unsigned int)n;
		if (!n) {
			ret = vc_wait(c, 200);
			if (ret < 0)
				return ret;
		}
	}
	check(v, got == submitted, "%u of %u requests completed after the unmap", got,
	      submitted);
	check(v, !bad, "their status: %u OK, %u ADDR_ERROR, %u ABORTED, %u other",
	      counts[VZIP_STS_OK], counts[VZIP_STS_ADDR_ERROR],
	      counts[VZIP_STS_ABORTED], bad);
	for (i = 0; i < c->nslots; i++)
		for (off = 0; off < c->slots[i].cbuf_size; off++)
			touched += c->slots[i].cbuf[off] != 0xa5;
	check(v, !touched, "no byte of the unmapped memory changed afterwards (%zu did)",
	      touched);
	for (q = 0; q < c->nq; q++) {
		ret = vc_read_errors(c, &c->q[q], &err, &iova, &qsts, &dsts);
		if (ret)
			return ret;
		check(v, !(qsts & WD_PCI_Q_STS_HALTED) && !(err & ~WD_PCI_Q_ERR_ADDR),
		      "queue %u: status %#x, error %#x: only ADDR errors, not halted",
		      q, qsts, err);
		if (err)
			vz_queue_clear_error(&c->q[q], err);
	}
	ret = vc_dma_map(&c->vfio, c->data.host, c->data.iova, c->data.size);
	if (ret)
		return ret;
	c->data.mapped = 1;
	return vc_still_works(c, v, "mapping the data again");
}

/* After a reset every register is back to its default. */
static int vc_check_defaults(struct vc_client *c, struct vc_verdict *v,
			     const char *how)
{
	uint32_t ctrl, sts, err, dsts, irq;
	unsigned int q;
	int ret;

	ret = vz_reg_read(&c->pci, WD_PCI_REG_DEV_STATUS, &dsts);
	if (!ret)
		ret = vz_reg_read(&c->pci, WD_PCI_REG_IRQ_STATUS, &irq);
	if (ret)
		return ret;
	check(v, !dsts && !irq, "%s: DEV_STATUS %#x, IRQ_STATUS %#x", how, dsts, irq);
	for (q = 0; q < c->nq; q++) {
		ret = vz_qreg_read(&c->q[q], WD_PCI_Q_CTRL, &ctrl);
		if (!ret)
			ret = vz_qreg_read(&c->q[q], WD_PCI_Q_STATUS, &sts);
		if (!ret)
			ret = vz_qreg_read(&c->q[q], WD_PCI_Q_ERROR, &err);
		if (ret)
			return ret;
		check(v, !ctrl && !sts && !err,
		      "%s: queue %u CTRL %#x, STATUS %#x, ERROR %#x", how, q, ctrl,
		      sts, err);
	}
	return 0;
}

static int vc_check_reset(struct vc_client *c, struct vc_verdict *v)
{
	unsigned int submitted;
	int ret;

	ret = vc_still_works(c, v, "opening the device");
	if (ret)
		return ret;

	/* what QEMU does at a guest reset, with the device busy */
	ret = vc_fill_queues(c, c->o.inflight, &submitted);
	if (ret)
		return ret;
	ret = vc_reset(&c->vfio);
	check(v, !ret, "VFIO_DEVICE_RESET with %u requests in flight returns", submitted);
	if (ret)
		return ret;
	ret = vc_check_defaults(c, v, "after VFIO_DEVICE_RESET");
	/* the guest's driver sets the function up again from scratch */
	if (!ret)
		ret = vz_pci_probe(&c->pci, &c->vfio, 0);
	if (!ret)
		ret = vc_irqs_setup(c);
	if (!ret)
		ret = vc_queues_setup(c);
	if (!ret)
		ret = vc_still_works(c, v, "VFIO_DEVICE_RESET");
	if (ret)
		return ret;

	/* the function level reset of DEV_CTRL, as a guest driver does it */
	ret = vc_fill_queues(c, c->o.inflight, &submitted);
	if (ret)
		return ret;
	ret = vz_pci_function_reset(&c->pci);
	check(v, !ret, "DEV_CTRL RESET with %u requests in flight", submitted);
	if (ret)
		return ret;
	ret = vc_check_defaults(c, v, "after DEV_CTRL RESET");
	if (!ret)
		ret = vc_queues_setup(c);
	if (!ret)
		ret = vc_still_works(c, v, "DEV_CTRL RESET");
	return ret;
}

/**
 * vc_check_run() - run the check of --bad-iova, --unmap-inflight or --reset
 *
 * Returns 0 when every observation matched the specification, -EIO when
 * one did not, or the error that kept the check from running.
 */
int vc_check_run(struct vc_client *c)
{
	struct vc_verdict v = { 0 };
	int ret;

	switch (c->o.check) {
	case VC_CHECK_BAD_SRC:
	case VC_CHECK_BAD_DST:
	case VC_CHECK_BAD_CTX:
		ret = vc_check_bad_request(c, &v);
		break;
	case VC_CHECK_BAD_SQ:
	case VC_CHECK_BAD_CQ:
		ret = vc_check_bad_ring(c, &v);
		break;
	case VC_CHECK_UNMAP:
		ret = vc_check_unmap(c, &v);
		break;
	case VC_CHECK_RESET:
		ret = vc_check_reset(c, &v);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	if (ret)
		return ret;
	return v.failures ? -EIO : 0;
}
