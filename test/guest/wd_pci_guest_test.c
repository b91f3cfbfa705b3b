// SPDX-License-Identifier: GPL-2.0
/*
 * Inside a VM, on a queue of wd_pci (Documentation/wd-pci.rst): the vzip
 * protocol without SVA, and the driver's guard, that a descriptor naming
 * guest memory outside the queue's SS region never reaches the function
 * (which would read and write it: it sees all of the VM's memory).
 *
 *   wd_pci_guest_test            (TAP; run by test/guest/vm_guest_driver.sh)
 *   wd_pci_guest_test gone       the same VM, while the host removes the
 *                                instance: copies until the queue dies
 *
 * Each refused descriptor must complete with VZIP_STS_ADDR_ERROR and its
 * user_data, in submission order among good ones, and the queue must go
 * on; every buffer of the region the device should not have written must
 * be intact.
 *
 * "gone" opens and starts a queue, creates READY_FILE, and copies on it
 * until a request fails: the host removes the instance meanwhile (DEV_STATUS
 * GONE: the function completes nothing more).  The request in flight must
 * complete with VZIP_STS_ABORTED, the status word read DEAD / REMOVED, new
 * work be refused at once and a new open fail with ENODEV; a hang is a
 * failure (GONE_TIMEOUT_MS).
 */
#define _GNU_SOURCE
#include <zlib.h>

#include "tap.h"
#include "vzip_testlib.h"

#define LEN	4096
#define READY_FILE	"/tmp/gone.ready"
#define GONE_TIMEOUT_MS	240000

static struct vzip_q q;

static struct vzip_sqe copy_sqe(uint64_t src, uint32_t src_len, uint64_t dst,
				uint32_t dst_len, uint64_t tag)
{
	struct vzip_sqe sqe = {
		.opcode = VZIP_OP_COPY,
		.version = VZIP_SQE_VERSION,
		.user_data = htole64(tag),
		.src = htole64(src),
		.dst = htole64(dst),
		.src_len = htole32(src_len),
		.dst_len = htole32(dst_len),
	};

	return sqe;
}

static unsigned int status_of(struct vzip_sqe sqe)
{
	return vzip_status_of(&q, &sqe);
}

static int gone(void)
{
	struct uacce_queue_status *st;
	struct timespec t0;
	struct vzip_cqe cqe;
	struct vzip_sqe sqe;
	unsigned int status = VZIP_STS_OK;
	unsigned long n = 0;
	uint8_t *a, *b;
	char name[64];
	int ret;

	tap_plan(4);
	ret = vzip_find_device(name, sizeof(name));
	if (ret || vzip_open(&q, name) || vzip_start(&q)) {
		tap_ok(0, "a queue of a vzip device: %s", strerror(errno));
		return tap_done();
	}
	st = (struct uacce_queue_status *)(q.dus + q.info.status_offset);
	a = vzip_mem(&q, 16 * LEN);
	b = vzip_mem(&q, 16 * LEN);
	vzip_fill(a, 16 * LEN, 3);
	sqe = copy_sqe(vzip_addr(&q, a), 16 * LEN, vzip_addr(&q, b),
		       16 * LEN, 0);
	{
		FILE *f = fopen(READY_FILE, "w");

		if (!f || fclose(f))
			tap_diag("cannot create %s: %s", READY_FILE,
				 strerror(errno));
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (status == VZIP_STS_OK &&
	       vzip_ms_since(&t0) < GONE_TIMEOUT_MS) {
		sqe.user_data = htole64(++n);
		if (vzip_post(&q, &sqe) ||
		    vzip_reap(&q, &cqe, GONE_TIMEOUT_MS, true)) {
			status = 0xffff;
			break;
		}
		status = le16toh(cqe.status);
		if (le64toh(cqe.user_data) != n)
			tap_diag("completion %llu for request %lu",
				 (unsigned long long)le64toh(cqe.user_data), n);
	}
	tap_ok(status == VZIP_STS_ABORTED,
	       "the host removes the instance: request %lu completes ABORTED (status %u, after %ld ms)",
	       n, status, vzip_ms_since(&t0));
	tap_ok(__atomic_load_n(&st->state, __ATOMIC_ACQUIRE) ==
	       UACCE_QSTATE_DEAD && st->reason == UACCE_QREASON_REMOVED,
	       "the status word reads DEAD, REMOVED (%u, %u)", st->state,
	       st->reason);
	sqe.user_data = htole64(++n);
	tap_ok(vzip_status_of(&q, &sqe) == VZIP_STS_ABORTED,
	       "a new request is refused at once: ABORTED");
	{
		static struct vzip_q q2;

		ret = vzip_open(&q2, name);
		tap_ok(ret == -ENODEV, "a new open fails with ENODEV (%s)",
		       strerror(-ret));
		if (!ret)
			vzip_close(&q2);
	}
	vzip_close(&q);
	return tap_done();
}

int main(int argc, char **argv)
{
	uint8_t *a, *b, *c, *out;
	uint64_t end;
	char name[64];
	int ret;

	if (argc > 1 && !strcmp(argv[1], "gone"))
		return gone();
	tap_plan(15);
	ret = vzip_find_device(name, sizeof(name));
	if (ret || vzip_open(&q, name) || vzip_start(&q)) {
		tap_ok(0, "a queue of a vzip device: %s", strerror(errno));
		return tap_done();
	}
	tap_ok(!q.sva && q.ss && !(vzip_reg(&q, VZIP_REG_CAPS) & VZIP_CAP_SVA),
	       "%s: no SVA, an SS region of %zu bytes at %#llx", name,
	       q.ss_size, (unsigned long long)q.ss_dma);
	end = q.ss_dma + q.ss_size;

	a = vzip_mem(&q, LEN);
	b = vzip_mem(&q, LEN);
	c = vzip_mem(&q, LEN);
	out = vzip_mem(&q, 2 * LEN);
	vzip_fill(a, LEN, 1);
	memset(b, 0xb5, LEN);
	memset(c, 0xc5, LEN);

	tap_ok(status_of(vzip_sqe(&q, VZIP_OP_NOP, 0, 0, NULL, 0, NULL, 0)) ==
	       VZIP_STS_OK, "NOP");
	tap_ok(status_of(copy_sqe(vzip_addr(&q, a), LEN, vzip_addr(&q, b), LEN,
				  1)) == VZIP_STS_OK && !memcmp(a, b, LEN),
	       "COPY inside the region");

	/* guest memory just below, just above and far from the region */
	memset(b, 0xb5, LEN);
	tap_ok(status_of(copy_sqe(vzip_addr(&q, a), LEN, q.ss_dma - LEN, LEN,
				  2)) == VZIP_STS_ADDR_ERROR,
	       "a destination below the region: ADDR_ERROR");
	tap_ok(status_of(copy_sqe(end, LEN, vzip_addr(&q, b), LEN, 3)) ==
	       VZIP_STS_ADDR_ERROR,
	       "a source above the region: ADDR_ERROR");
	tap_ok(status_of(copy_sqe(0x1000, LEN, vzip_addr(&q, b), LEN, 4)) ==
	       VZIP_STS_ADDR_ERROR && b[0] == 0xb5 && b[LEN - 1] == 0xb5,
	       "a source in the VM's low memory: ADDR_ERROR, nothing written");
	tap_ok(status_of(copy_sqe(vzip_addr(&q, a), LEN, end - LEN / 2, LEN,
				  5)) == VZIP_STS_ADDR_ERROR,
	       "a destination that runs off the region's end: ADDR_ERROR");
	tap_ok(status_of(copy_sqe(vzip_addr(&q, a), 0x80000000u,
				  vzip_addr(&q, b), LEN, 6)) ==
	       VZIP_STS_ADDR_ERROR,
	       "a source of 2 GiB: ADDR_ERROR");
	{
		struct vzip_sqe sqe = vzip_sqe(&q, VZIP_OP_COMPRESS,
					       VZIP_FMT_RAW, VZIP_FLUSH_FINISH,
					       a, LEN, out, 2 * LEN);

		sqe.flags = htole16(VZIP_SQE_F_STREAM | VZIP_SQE_F_NEW_STREAM);
		sqe.ctx = htole64(end);
		tap_ok(status_of(sqe) == VZIP_STS_ADDR_ERROR,
		       "a stream context outside the region: ADDR_ERROR");
	}

	/* good, bad, good in one batch: completions in order */
	{
		struct vzip_sqe s1 = copy_sqe(vzip_addr(&q, a), LEN,
					      vzip_addr(&q, b), LEN, 11);
		struct vzip_sqe s2 = copy_sqe(vzip_addr(&q, a), LEN,
					      q.ss_dma - 2 * LEN, LEN, 12);
		struct vzip_sqe s3 = copy_sqe(vzip_addr(&q, a), LEN,
					      vzip_addr(&q, c), LEN, 13);
		struct vzip_cqe cqe[3];
		int ok = 1;

		memset(b, 0, LEN);
		memset(c, 0, LEN);
		vzip_queue(&q, &s1);
		vzip_queue(&q, &s2);
		vzip_queue(&q, &s3);
		if (vzip_submit(&q))
			ok = 0;
		for (int i = 0; ok && i < 3; i++)
			ok = !vzip_reap(&q, &cqe[i], VZIP_TIMEOUT_MS, true);
		tap_ok(ok && le64toh(cqe[0].user_data) == 11 &&
		       le64toh(cqe[1].user_data) == 12 &&
		       le64toh(cqe[2].user_data) == 13,
		       "good, bad, good in one batch: completions in order");
		tap_ok(ok && le16toh(cqe[0].status) == VZIP_STS_OK &&
		       le16toh(cqe[1].status) == VZIP_STS_ADDR_ERROR &&
		       le16toh(cqe[2].status) == VZIP_STS_OK &&
		       !memcmp(a, b, LEN) && !memcmp(a, c, LEN),
		       "  with OK, ADDR_ERROR, OK, both copies made");
	}

	/*
	 * A second queue beside the first: a copy queued on each and both
	 * doorbells rung before either is reaped, so that both pumps and
	 * both of the function's queues work at once.
	 */
	{
		static struct vzip_q q2;
		struct vzip_cqe c1, c2;
		int ok = 0;

		if (!vzip_open(&q2, name) && !vzip_start(&q2)) {
			uint8_t *s2 = vzip_mem(&q2, LEN);
			uint8_t *d2 = vzip_mem(&q2, LEN);
			struct vzip_sqe x1 = copy_sqe(vzip_addr(&q, a), LEN,
						      vzip_addr(&q, b), LEN, 31);
			struct vzip_sqe x2 = copy_sqe(vzip_addr(&q2, s2), LEN,
						      vzip_addr(&q2, d2), LEN, 32);

			vzip_fill(s2, LEN, 2);
			memset(b, 0, LEN);
			memset(d2, 0, LEN);
			vzip_queue(&q, &x1);
			vzip_queue(&q2, &x2);
			ok = !vzip_submit(&q) && !vzip_submit(&q2) &&
			     !vzip_reap(&q, &c1, VZIP_TIMEOUT_MS, true) &&
			     !vzip_reap(&q2, &c2, VZIP_TIMEOUT_MS, true) &&
			     le16toh(c1.status) == VZIP_STS_OK &&
			     le16toh(c2.status) == VZIP_STS_OK &&
			     le64toh(c1.user_data) == 31 &&
			     le64toh(c2.user_data) == 32 &&
			     !memcmp(a, b, LEN) && !memcmp(s2, d2, LEN);
		} else {
			tap_diag("second queue: %s", strerror(errno));
		}
		vzip_close(&q2);
		tap_ok(ok, "two queues at once, a copy on each: both complete");
	}

	/* compression in the region, read back by zlib */
	{
		struct vzip_cqe cqe;
		struct vzip_sqe sqe = vzip_sqe(&q, VZIP_OP_COMPRESS,
					       VZIP_FMT_ZLIB, VZIP_FLUSH_FINISH,
					       a, LEN, out, 2 * LEN);
		uint8_t back[LEN];
		uLongf back_len = sizeof(back);

		ret = vzip_exec(&q, &sqe, &cqe);
		tap_ok(!ret && le16toh(cqe.status) == VZIP_STS_OK &&
		       uncompress(back, &back_len, out,
				  le32toh(cqe.produced)) == Z_OK &&
		       back_len == LEN && !memcmp(back, a, LEN),
		       "COMPRESS in the region, zlib reads it back (%u bytes)",
		       le32toh(cqe.produced));
	}

	/* the SS region unmapped: nothing reaches it any more */
	munmap(q.ss, q.ss_size);
	q.ss = NULL;
	{
		struct vzip_sqe sqe = copy_sqe(q.ss_dma, LEN,
					       q.ss_dma + LEN, LEN, 21);

		tap_ok(status_of(sqe) == VZIP_STS_ADDR_ERROR,
		       "after munmap of the region, its addresses: ADDR_ERROR");
	}
	tap_ok(status_of(vzip_sqe(&q, VZIP_OP_NOP, 0, 0, NULL, 0, NULL, 0)) ==
	       VZIP_STS_OK, "the queue goes on");
	vzip_close(&q);
	return tap_done();
}
