// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit tests of the guest driver of the WarpDrive PCI function
 * (drivers/wd_pci/), run against the loaded wd_pci module:
 *
 *	wd_pci_probe	the identity and geometry check of probe, from
 *			register values: MAGIC, VERSION, entry sizes, queue
 *			count, MAX_DEPTH
 *	wd_pci_fault	the decision from DEV_STATUS, a queue's STATUS and
 *			its CQ_TAIL whether the queue can go on (HALTED,
 *			GONE, a reset, a function that does not answer)
 *	wd_pci_queue	the queues of a fake function whose registers are
 *			ordinary memory, the test playing the function: the
 *			pump's round trip, in-order address errors, and what
 *			a halted queue, a reset, a bad CQ_TAIL and a function
 *			that is gone or that does not disable a queue leave
 *			to the owner (every request completed, the status
 *			word DEAD with its reason, new work refused), a
 *			queue whose rings are refused, interrupts for no
 *			queue, by one round at a time and with the real
 *			pump and interrupt handler
 *
 * No PCI device is needed: the fake function's parent is a platform
 * device, whose DMA memory the driver's queue code allocates.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/uacce.h>
#include <uapi/misc/uacce/vzip.h>

#include "../../drivers/wd_pci/wd_pci.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define WPT_NAME	"wd_pci_kunit"
#define WPT_DEPTH	8
#define WPT_QUEUES	2
#define WPT_TIMEOUT_MS	5000

/* ---- wd_pci_probe ---- */

static struct platform_device *wpt_pdev_register(struct kunit *test)
{
	struct platform_device *pdev;

	pdev = platform_device_register_simple(WPT_NAME, PLATFORM_DEVID_AUTO,
					       NULL, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pdev));
	return pdev;
}

static int wpt_probe_init(struct kunit *test)
{
	test->priv = wpt_pdev_register(test);
	return 0;
}

static void wpt_probe_exit(struct kunit *test)
{
	platform_device_unregister(test->priv);
}

static struct wd_pci_id_regs wpt_good_ids(void)
{
	return (struct wd_pci_id_regs) {
		.magic = VZIP_MAGIC,
		.version = WD_PCI_VERSION,
		.nr_queues = 2,
		.max_depth = 1024,
		.sqe_size = sizeof(struct vzip_sqe),
		.cqe_size = sizeof(struct vzip_cqe),
	};
}

static int wpt_check(struct kunit *test, const struct wd_pci_id_regs *ids)
{
	struct platform_device *pdev = test->priv;

	return wd_pci_check_ids(&pdev->dev, &wd_pci_vzip, ids);
}

static void wpt_ids_good(struct kunit *test)
{
	struct wd_pci_id_regs ids = wpt_good_ids();

	KUNIT_EXPECT_EQ(test, wpt_check(test, &ids), 0);
	ids.nr_queues = 1;
	ids.max_depth = 2;
	KUNIT_EXPECT_EQ(test, wpt_check(test, &ids), 0);
	ids.nr_queues = WD_PCI_MAX_QUEUES;
	ids.max_depth = 1U << 31;
	KUNIT_EXPECT_EQ(test, wpt_check(test, &ids), 0);
}

static void wpt_ids_magic(struct kunit *test)
{
	static const u32 bad[] = { 0, VZIP_MAGIC ^ 1, VZIP_MAGIC + 0x100,
				   U32_MAX };
	struct wd_pci_id_regs ids = wpt_good_ids();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ids.magic = bad[i];
		KUNIT_EXPECT_EQ_MSG(test, wpt_check(test, &ids), -ENODEV,
				    "MAGIC %#x", bad[i]);
	}
}

static void wpt_ids_version(struct kunit *test)
{
	static const u32 bad[] = { 0, WD_PCI_VERSION - 1, WD_PCI_VERSION + 1,
				   U32_MAX };
	struct wd_pci_id_regs ids = wpt_good_ids();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ids.version = bad[i];
		KUNIT_EXPECT_EQ_MSG(test, wpt_check(test, &ids), -ENODEV,
				    "VERSION %u", bad[i]);
	}
	/* both wrong: refused too (for MAGIC, first) */
	ids.magic = 0;
	KUNIT_EXPECT_EQ(test, wpt_check(test, &ids), -ENODEV);
}

static void wpt_ids_geometry(struct kunit *test)
{
	struct wd_pci_id_regs ids;

	ids = wpt_good_ids();
	ids.sqe_size = 128;
	KUNIT_EXPECT_EQ(test, wpt_check(test, &ids), -ENODEV);
	ids = wpt_good_ids();
	ids.cqe_size = 0;
	KUNIT_EXPECT_EQ(test, wpt_check(test, &ids), -ENODEV);
	ids = wpt_good_ids();
	ids.nr_queues = 0;
	KUNIT_EXPECT_EQ(test, wpt_check(test, &ids), -ENODEV);
	ids.nr_queues = WD_PCI_MAX_QUEUES + 1;
	KUNIT_EXPECT_EQ(test, wpt_check(test, &ids), -ENODEV);
	ids = wpt_good_ids();
	ids.max_depth = 0;
	KUNIT_EXPECT_EQ(test, wpt_check(test, &ids), -ENODEV);
	ids.max_depth = 1;
	KUNIT_EXPECT_EQ(test, wpt_check(test, &ids), -ENODEV);
	ids.max_depth = 96;
	KUNIT_EXPECT_EQ(test, wpt_check(test, &ids), -ENODEV);
	ids.max_depth = U32_MAX;
	KUNIT_EXPECT_EQ(test, wpt_check(test, &ids), -ENODEV);
}

static void wpt_dus_size(struct kunit *test)
{
	/* vzip: a 4 KiB control page, then the SQ (64 B) and the CQ (32 B) */
	KUNIT_EXPECT_EQ(test, sizeof(struct vzip_sqe), 64);
	KUNIT_EXPECT_EQ(test, sizeof(struct vzip_cqe), 32);
	KUNIT_EXPECT_EQ(test, wd_pci_dus_size(&wd_pci_vzip, 2),
			PAGE_ALIGN(4096 + 2 * 96));
	KUNIT_EXPECT_EQ(test, wd_pci_dus_size(&wd_pci_vzip, 256),
			PAGE_ALIGN(4096 + 256 * 96));
	KUNIT_EXPECT_EQ(test, wd_pci_dus_size(&wd_pci_vzip, 4096),
			PAGE_ALIGN(4096 + 4096 * 96));
}

static struct kunit_case wpt_probe_cases[] = {
	KUNIT_CASE(wpt_ids_good),
	KUNIT_CASE(wpt_ids_magic),
	KUNIT_CASE(wpt_ids_version),
	KUNIT_CASE(wpt_ids_geometry),
	KUNIT_CASE(wpt_dus_size),
	{}
};

static struct kunit_suite wpt_probe_suite = {
	.name = "wd_pci_probe",
	.init = wpt_probe_init,
	.exit = wpt_probe_exit,
	.test_cases = wpt_probe_cases,
};

/* ---- wd_pci_fault ---- */

#define EN	WD_PCI_Q_STS_ENABLED
#define ERR	WD_PCI_Q_STS_ERROR
#define HALT	WD_PCI_Q_STS_HALTED
#define GONE	WD_PCI_DEV_STS_GONE
#define DERR	WD_PCI_DEV_STS_ERROR

static const struct {
	u32 dev_status, q_status;
	bool bad_tail;
	enum wd_pci_fault fault;
} wpt_judgements[] = {
	{ 0, EN, false, WD_PCI_FAULT_NONE },
	/* an address error completes its request: not a fault */
	{ DERR, EN | ERR, false, WD_PCI_FAULT_NONE },
	{ 0, EN, true, WD_PCI_FAULT_BAD_TAIL },
	{ 0, EN | ERR | HALT, false, WD_PCI_FAULT_HALTED },
	{ DERR, EN | ERR | HALT, true, WD_PCI_FAULT_HALTED },
	{ 0, HALT, false, WD_PCI_FAULT_HALTED },
	/* a function reset: the queue lost ENABLE and its indices */
	{ 0, 0, false, WD_PCI_FAULT_DISABLED },
	{ 0, ERR, true, WD_PCI_FAULT_DISABLED },
	/* GONE wins over anything the queue says */
	{ GONE, EN, false, WD_PCI_FAULT_GONE },
	{ GONE, 0, false, WD_PCI_FAULT_GONE },
	{ GONE | DERR, EN | ERR | HALT, true, WD_PCI_FAULT_GONE },
	/* a function that does not answer reads all ones */
	{ U32_MAX, U32_MAX, false, WD_PCI_FAULT_GONE },
	{ 0, U32_MAX, false, WD_PCI_FAULT_GONE },
	{ U32_MAX, EN, false, WD_PCI_FAULT_GONE },
};

static void wpt_judge(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(wpt_judgements); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    wd_pci_judge(wpt_judgements[i].dev_status,
						 wpt_judgements[i].q_status,
						 wpt_judgements[i].bad_tail),
				    wpt_judgements[i].fault,
				    "DEV_STATUS %#x, STATUS %#x, bad tail %d",
				    wpt_judgements[i].dev_status,
				    wpt_judgements[i].q_status,
				    wpt_judgements[i].bad_tail);
}

#undef EN
#undef ERR
#undef HALT
#undef GONE
#undef DERR

static struct kunit_case wpt_fault_cases[] = {
	KUNIT_CASE(wpt_judge),
	{}
};

static struct kunit_suite wpt_fault_suite = {
	.name = "wd_pci_fault",
	.test_cases = wpt_fault_cases,
};

/* ---- wd_pci_queue: a fake function ---- */

/**
 * struct wpt - a fake function and the uacce queues of its owners
 * @pdev: the parent device
 * @uacce: the uacce device, allocated, never registered
 * @wdev: the driver's device, @nr_queues WPT_QUEUES of WPT_DEPTH entries
 * @regs: the function's registers: memory the test writes as the
 *	function would
 * @uq: owners' queues, as the uacce core would have them
 * @opened: @uq[i] has a driver queue
 * @started: and it is started
 * @fn_done: per function queue, the completions the test wrote
 */
struct wpt {
	struct platform_device *pdev;
	struct uacce_device *uacce;
	struct wd_pci_dev *wdev;
	u32 *regs;
	struct uacce_queue uq[WPT_QUEUES + 1];
	bool opened[WPT_QUEUES + 1];
	bool started[WPT_QUEUES + 1];
	u32 fn_done[WPT_QUEUES];
};

static int wpt_queue_init(struct kunit *test)
{
	struct uacce_interface iface = { .name = WPT_NAME,
					 .ops = &wd_pci_uacce_ops };
	struct wd_pci_dev *wdev;
	struct wpt *t;
	unsigned int i;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	t->regs = kunit_kzalloc(test, WD_PCI_BAR0_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->regs);
	wdev = kunit_kzalloc(test, sizeof(*wdev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, wdev);
	t->wdev = wdev;
	t->pdev = wpt_pdev_register(test);

	wdev->dev = &t->pdev->dev;
	wdev->cls = &wd_pci_vzip;
	wdev->bar = (void __iomem __force *)t->regs;
	wdev->nr_queues = WPT_QUEUES;
	wdev->depth = WPT_DEPTH;
	wdev->params[VZIP_PCI_PARAM_MAX_LEN] = 1 << 20;
	wdev->idle = 1;
	mutex_init(&wdev->alloc_lock);

	t->uacce = uacce_alloc(&t->pdev->dev, &iface);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->uacce));
	t->uacce->priv = wdev;
	wdev->uacce = t->uacce;
	KUNIT_ASSERT_EQ(test, wd_pci_queues_create(wdev), 0);

	for (i = 0; i < ARRAY_SIZE(t->uq); i++) {
		struct uacce_queue *uq = &t->uq[i];

		uq->uacce = t->uacce;
		init_waitqueue_head(&uq->wait);
		INIT_LIST_HEAD(&uq->list);
		mutex_init(&uq->mutex);
		mutex_init(&uq->state_lock);
		spin_lock_init(&uq->status_lock);
	}
	return 0;
}

static u32 *wpt_reg(struct wpt *t, u32 off)
{
	return &t->regs[off / 4];
}

static u32 *wpt_qreg(struct wpt *t, struct wd_pci_queue *q, u32 reg)
{
	return wpt_reg(t, WD_PCI_QUEUE_BASE + q->qid * WD_PCI_QUEUE_STRIDE +
		       reg);
}

static u32 wpt_qget(struct wpt *t, struct wd_pci_queue *q, u32 reg)
{
	return READ_ONCE(*wpt_qreg(t, q, reg));
}

static void wpt_qset(struct wpt *t, struct wd_pci_queue *q, u32 reg, u32 val)
{
	WRITE_ONCE(*wpt_qreg(t, q, reg), val);
}

/* What a function reset, or the host removing the function, does. */
static void wpt_fn_clear(struct wpt *t, struct wd_pci_queue *q)
{
	memset(wpt_qreg(t, q, 0), 0, WD_PCI_QUEUE_STRIDE);
	t->fn_done[q->qid] = 0;
}

static struct wd_pci_queue *wpt_q(struct wpt *t, int i)
{
	return t->uq[i].priv;
}

static struct wd_pci_queue *wpt_open(struct kunit *test, int i)
{
	struct wpt *t = test->priv;

	KUNIT_ASSERT_EQ(test, wd_pci_uacce_ops.get_queue(t->uacce, 0,
							 &t->uq[i]), 0);
	t->opened[i] = true;
	uacce_queue_set_status(&t->uq[i], UACCE_QSTATE_STOPPED,
			       UACCE_QREASON_NONE);
	return wpt_q(t, i);
}

/*
 * Starts owner @i's queue as UACCE_CMD_START_Q would; unless @live, the
 * pump is then cancelled and the test runs its rounds itself.
 */
static void wpt_start(struct kunit *test, int i, bool live)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q = wpt_q(t, i);

	/* enabling zeroes the indices */
	wpt_fn_clear(t, q);
	wpt_qset(t, q, WD_PCI_Q_STATUS, WD_PCI_Q_STS_ENABLED);
	KUNIT_ASSERT_EQ(test, wd_pci_uacce_ops.start_queue(&t->uq[i]), 0);
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q, WD_PCI_Q_CTRL),
			WD_PCI_Q_CTRL_ENABLE | WD_PCI_Q_CTRL_IRQ);
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q, WD_PCI_Q_SQ_BASE_LO),
			lower_32_bits(q->fsq_dma));
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q, WD_PCI_Q_DEPTH), WPT_DEPTH);
	t->started[i] = true;
	uacce_queue_set_status(&t->uq[i], UACCE_QSTATE_OK, UACCE_QREASON_NONE);
	if (!live) {
		WRITE_ONCE(q->running, false);
		cancel_delayed_work_sync(&q->pump);
	}
}

static void wpt_stop(struct kunit *test, int i)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q = wpt_q(t, i);

	/* the function obeys CTRL: STATUS loses ENABLED */
	wpt_qset(t, q, WD_PCI_Q_STATUS,
		 wpt_qget(t, q, WD_PCI_Q_STATUS) & ~WD_PCI_Q_STS_ENABLED);
	wd_pci_uacce_ops.stop_queue(&t->uq[i]);
	t->started[i] = false;
	uacce_queue_set_status(&t->uq[i], UACCE_QSTATE_STOPPED,
			       UACCE_QREASON_NONE);
}

static void wpt_close(struct kunit *test, int i)
{
	struct wpt *t = test->priv;

	if (t->started[i])
		wpt_stop(test, i);
	/* as the core: the status word is not written after put_queue */
	t->uq[i].status = NULL;
	wd_pci_uacce_ops.put_queue(&t->uq[i]);
	t->opened[i] = false;
}

static void wpt_queue_exit(struct kunit *test)
{
	struct wpt *t = test->priv;
	unsigned int i;

	if (!t || !t->wdev || !t->pdev)
		return;
	for (i = 0; i < ARRAY_SIZE(t->uq); i++)
		if (t->opened[i])
			wpt_close(test, i);
	if (t->wdev->queues)
		for (i = 0; i < WPT_QUEUES; i++)
			cancel_delayed_work_sync(&t->wdev->queues[i].pump);
	wd_pci_queues_destroy(t->wdev);
	if (!IS_ERR_OR_NULL(t->uacce))
		uacce_remove(t->uacce);
	if (!IS_ERR_OR_NULL(t->pdev))
		platform_device_unregister(t->pdev);
}

/* ---- the owner's side: its rings in the DUS region ---- */

static __le32 *wpt_ctrl(struct wd_pci_queue *q, u32 off)
{
	return q->dus + off;
}

static void wpt_submit(struct wd_pci_queue *q, u8 opcode, u64 user_data,
		       u64 src, u32 src_len)
{
	u32 tail = le32_to_cpu(READ_ONCE(*wpt_ctrl(q, VZIP_CTRL_SQ_TAIL)));
	struct vzip_sqe *sqe = (struct vzip_sqe *)q->usq +
			       (tail & (WPT_DEPTH - 1));

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = opcode;
	sqe->version = VZIP_SQE_VERSION;
	sqe->user_data = cpu_to_le64(user_data);
	sqe->src = cpu_to_le64(src);
	sqe->src_len = cpu_to_le32(src_len);
	/* the entry before the index that publishes it */
	smp_store_release(wpt_ctrl(q, VZIP_CTRL_SQ_TAIL),
			  cpu_to_le32(tail + 1));
}

static void wpt_nops(struct wd_pci_queue *q, u64 first, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		wpt_submit(q, VZIP_OP_NOP, first + i, 0, 0);
}

static u32 wpt_cq_tail(struct wd_pci_queue *q)
{
	/* the owner reads its completions after the index */
	return le32_to_cpu(smp_load_acquire(wpt_ctrl(q, VZIP_CTRL_CQ_TAIL)));
}

/* The owner's completion @idx: its user_data and status, and consumed. */
static void wpt_expect_cqe(struct kunit *test, struct wd_pci_queue *q,
			   u32 idx, u64 user_data, u16 status)
{
	struct vzip_cqe *cqe = (struct vzip_cqe *)q->ucq +
			       (idx & (WPT_DEPTH - 1));

	KUNIT_ASSERT_LT(test, idx, wpt_cq_tail(q));
	KUNIT_EXPECT_EQ_MSG(test, le64_to_cpu(cqe->user_data), user_data,
			    "completion %u", idx);
	KUNIT_EXPECT_EQ_MSG(test, le16_to_cpu(cqe->status), status,
			    "completion %u", idx);
	WRITE_ONCE(*wpt_ctrl(q, VZIP_CTRL_CQ_HEAD), cpu_to_le32(idx + 1));
}

static void wpt_expect_state(struct kunit *test, struct wd_pci_queue *q,
			     u32 state, u32 reason)
{
	struct uacce_queue_status *st = q->dus + VZIP_CTRL_STATUS;

	/* state is written last, with release (Documentation/uacce.rst) */
	KUNIT_EXPECT_EQ(test, smp_load_acquire(&st->state), state);
	if (state != UACCE_QSTATE_OK)
		KUNIT_EXPECT_EQ(test, READ_ONCE(st->reason), reason);
}

/* ---- the function's side ---- */

/* Executes the next @n requests of queue @q with @status. */
static void wpt_fn_complete(struct wpt *t, struct wd_pci_queue *q,
			    unsigned int n, u16 status)
{
	u32 *done = &t->fn_done[q->qid];
	unsigned int i;

	for (i = 0; i < n; i++, (*done)++) {
		u32 slot = *done & (WPT_DEPTH - 1);
		struct vzip_sqe *sqe = (struct vzip_sqe *)q->fsq + slot;
		struct vzip_cqe *cqe = (struct vzip_cqe *)q->fcq + slot;

		memset(cqe, 0, sizeof(*cqe));
		cqe->user_data = sqe->user_data;
		cqe->status = cpu_to_le16(status);
	}
	wmb(); /* the entries before the index, as DMA then a register */
	wpt_qset(t, q, WD_PCI_Q_SQ_HEAD, *done);
	wpt_qset(t, q, WD_PCI_Q_CQ_TAIL, *done);
}

/* Waits, up to WPT_TIMEOUT_MS, for @done(@arg). */
static bool wpt_until(bool (*done)(void *arg), void *arg)
{
	unsigned long end = jiffies + msecs_to_jiffies(WPT_TIMEOUT_MS);

	while (!done(arg)) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(1000, 2000);
	}
	return true;
}

struct wpt_word {
	u32 *word;
	u32 val;
};

static bool wpt_word_is(void *arg)
{
	struct wpt_word *w = arg;

	return READ_ONCE(*w->word) == w->val;
}

/* Waits, up to WPT_TIMEOUT_MS, for a 32-bit word to read @val. */
static bool wpt_wait_eq(u32 *word, u32 val)
{
	struct wpt_word w = { word, val };

	return wpt_until(wpt_word_is, &w);
}

/* ---- wd_pci_queue: one round at a time ---- */

static void wpt_round_trip(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q = wpt_open(test, 0);
	unsigned int i;

	wpt_start(test, 0, false);
	wpt_nops(q, 1, 3);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 3);
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q, WD_PCI_Q_SQ_TAIL), 3);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(*wpt_ctrl(q, VZIP_CTRL_SQ_HEAD)), 3);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test,
				le64_to_cpu(((struct vzip_sqe *)q->fsq)[i].user_data),
				i + 1);
	/* nothing done yet: nothing moves */
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 0);
	KUNIT_EXPECT_EQ(test, wpt_cq_tail(q), 0);

	wpt_fn_complete(t, q, 2, VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, true), 2);
	KUNIT_EXPECT_EQ(test, wpt_cq_tail(q), 2);
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q, WD_PCI_Q_CQ_HEAD), 2);
	wpt_expect_cqe(test, q, 0, 1, VZIP_STS_OK);
	wpt_expect_cqe(test, q, 1, 2, VZIP_STS_OK);
	wpt_fn_complete(t, q, 1, VZIP_STS_OVERFLOW);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 1);
	wpt_expect_cqe(test, q, 2, 3, VZIP_STS_OVERFLOW);

	/* an interrupt with the queue healthy changes nothing */
	wpt_qset(t, q, WD_PCI_Q_STATUS,
		 WD_PCI_Q_STS_ENABLED | WD_PCI_Q_STS_ERROR);
	wpt_nops(q, 4, 1);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 1);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, true), 0);
	KUNIT_EXPECT_EQ(test, q->dead, WD_PCI_FAULT_NONE);
	wpt_expect_state(test, q, UACCE_QSTATE_OK, UACCE_QREASON_NONE);

	/* stopping aborts what the function did not run */
	wpt_stop(test, 0);
	wpt_expect_cqe(test, q, 3, 4, VZIP_STS_ABORTED);
}

/* A descriptor the driver refuses completes behind those before it. */
static void wpt_addr_error_order(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q = wpt_open(test, 0);

	wpt_start(test, 0, false);
	wpt_submit(q, VZIP_OP_NOP, 1, 0, 0);
	/* no SS region is mapped: any buffer is outside it */
	wpt_submit(q, VZIP_OP_COPY, 2, 0x100000, 64);
	wpt_submit(q, VZIP_OP_NOP, 3, 0, 0);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 1);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 0);
	KUNIT_EXPECT_EQ(test, wpt_cq_tail(q), 0);
	wpt_fn_complete(t, q, 1, VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 3);
	wpt_expect_cqe(test, q, 0, 1, VZIP_STS_OK);
	wpt_expect_cqe(test, q, 1, 2, VZIP_STS_ADDR_ERROR);
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q, WD_PCI_Q_SQ_TAIL), 2);
	wpt_fn_complete(t, q, 1, VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 1);
	wpt_expect_cqe(test, q, 2, 3, VZIP_STS_OK);
}

/*
 * A descriptor of an opcode or SQE version the driver does not know
 * never reaches the function, whose buffers it could not check.
 */
static void wpt_unknown_sqe(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q = wpt_open(test, 0);
	struct vzip_sqe *sqe = q->usq;

	wpt_start(test, 0, false);
	wpt_submit(q, VZIP_OP_DECOMPRESS + 1, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 1);
	wpt_expect_cqe(test, q, 0, 1, VZIP_STS_INVALID);
	/* slot 1: a NOP of another version */
	wpt_submit(q, VZIP_OP_NOP, 2, 0, 0);
	WRITE_ONCE(sqe[1].version, VZIP_SQE_VERSION + 1);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 1);
	wpt_expect_cqe(test, q, 1, 2, VZIP_STS_INVALID);
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q, WD_PCI_Q_SQ_TAIL), 0);
	/* a NOP of this version goes on */
	wpt_submit(q, VZIP_OP_NOP, 3, 0, 0);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 1);
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q, WD_PCI_Q_SQ_TAIL), 1);
}

/*
 * Queue 0 halts with requests in flight: the one it completed reaches
 * the owner, the others are aborted, in order; the status word reads DEAD
 * / HW_ERROR; new work is refused at once; queue 1 goes on; the next
 * owner of queue 0 gets a working queue.
 */
static void wpt_halted(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q = wpt_open(test, 0);
	struct wd_pci_queue *q1 = wpt_open(test, 1);

	wpt_start(test, 0, false);
	wpt_start(test, 1, false);
	wpt_nops(q, 1, 3);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 3);
	wpt_fn_complete(t, q, 1, VZIP_STS_OK);
	wpt_qset(t, q, WD_PCI_Q_STATUS, WD_PCI_Q_STS_ENABLED |
		 WD_PCI_Q_STS_ERROR | WD_PCI_Q_STS_HALTED);
	wpt_qset(t, q, WD_PCI_Q_ERROR, WD_PCI_Q_ERR_RING);
	wpt_qset(t, q, WD_PCI_Q_ERR_IOVA_LO, 0x12340);

	/* a round that brings a completion does not look further */
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 1);
	KUNIT_EXPECT_EQ(test, q->dead, WD_PCI_FAULT_NONE);
	/* the interrupt of the halt: the round reads STATUS */
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, true), 2);
	KUNIT_EXPECT_EQ(test, q->dead, WD_PCI_FAULT_HALTED);
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q, WD_PCI_Q_CTRL), 0);
	wpt_expect_state(test, q, UACCE_QSTATE_DEAD, UACCE_QREASON_HW_ERROR);
	KUNIT_EXPECT_EQ(test, wpt_cq_tail(q), 3);
	wpt_expect_cqe(test, q, 0, 1, VZIP_STS_OK);
	wpt_expect_cqe(test, q, 1, 2, VZIP_STS_ABORTED);
	wpt_expect_cqe(test, q, 2, 3, VZIP_STS_ABORTED);
	KUNIT_EXPECT_TRUE(test, wd_pci_uacce_ops.is_q_updated(&t->uq[0]));
	KUNIT_EXPECT_FALSE(test, test_bit(WD_PCI_F_GONE, &t->wdev->flags));

	/* new work: refused, and the function sees none of it */
	wpt_nops(q, 4, 2);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 2);
	wpt_expect_cqe(test, q, 3, 4, VZIP_STS_ABORTED);
	wpt_expect_cqe(test, q, 4, 5, VZIP_STS_ABORTED);
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q, WD_PCI_Q_SQ_TAIL), 3);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(*wpt_ctrl(q, VZIP_CTRL_SQ_HEAD)), 5);

	/* the other queue of the function is not affected */
	wpt_nops(q1, 10, 1);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q1, true), 1);
	wpt_fn_complete(t, q1, 1, VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q1, true), 1);
	wpt_expect_cqe(test, q1, 0, 10, VZIP_STS_OK);
	wpt_expect_state(test, q1, UACCE_QSTATE_OK, UACCE_QREASON_NONE);

	/* stopping the dead queue has nothing left to do */
	wpt_stop(test, 0);
	KUNIT_EXPECT_EQ(test, wpt_cq_tail(q), 5);
	wpt_expect_state(test, q, UACCE_QSTATE_DEAD, UACCE_QREASON_HW_ERROR);

	/* the next owner: enabling clears the halt */
	wpt_close(test, 0);
	KUNIT_ASSERT_PTR_EQ(test, wpt_open(test, 2), q);
	KUNIT_EXPECT_EQ(test, q->dead, WD_PCI_FAULT_NONE);
	wpt_start(test, 2, false);
	wpt_nops(q, 20, 1);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 1);
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q, WD_PCI_Q_SQ_TAIL), 1);
	wpt_fn_complete(t, q, 1, VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 1);
	wpt_expect_cqe(test, q, 0, 20, VZIP_STS_OK);
	wpt_expect_state(test, q, UACCE_QSTATE_OK, UACCE_QREASON_NONE);
}

/* Without an interrupt, the round notices once the check period is over. */
static void wpt_halted_no_irq(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q = wpt_open(test, 0);

	wpt_start(test, 0, false);
	wpt_nops(q, 1, 2);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 2);
	wpt_qset(t, q, WD_PCI_Q_STATUS,
		 WD_PCI_Q_STS_ENABLED | WD_PCI_Q_STS_HALTED);
	q->check_at = jiffies - 1;
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 2);
	KUNIT_EXPECT_EQ(test, q->dead, WD_PCI_FAULT_HALTED);
	wpt_expect_cqe(test, q, 0, 1, VZIP_STS_ABORTED);
	wpt_expect_cqe(test, q, 1, 2, VZIP_STS_ABORTED);
	wpt_expect_state(test, q, UACCE_QSTATE_DEAD, UACCE_QREASON_HW_ERROR);
}

/* A function reset behind the driver: ENABLE and the indices are gone. */
static void wpt_reset_under(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q = wpt_open(test, 0);

	wpt_start(test, 0, false);
	wpt_nops(q, 1, 2);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 2);
	wpt_fn_clear(t, q);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, true), 2);
	KUNIT_EXPECT_EQ(test, q->dead, WD_PCI_FAULT_DISABLED);
	wpt_expect_cqe(test, q, 0, 1, VZIP_STS_ABORTED);
	wpt_expect_cqe(test, q, 1, 2, VZIP_STS_ABORTED);
	wpt_expect_state(test, q, UACCE_QSTATE_DEAD, UACCE_QREASON_HW_ERROR);
}

/* CQ_TAIL beyond what was submitted: no garbage reaches the owner. */
static void wpt_bad_tail(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q = wpt_open(test, 0);

	wpt_start(test, 0, false);
	wpt_nops(q, 1, 2);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 2);
	wpt_qset(t, q, WD_PCI_Q_CQ_TAIL, 7);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 2);
	KUNIT_EXPECT_EQ(test, q->dead, WD_PCI_FAULT_BAD_TAIL);
	KUNIT_EXPECT_EQ(test, wpt_cq_tail(q), 2);
	wpt_expect_cqe(test, q, 0, 1, VZIP_STS_ABORTED);
	wpt_expect_cqe(test, q, 1, 2, VZIP_STS_ABORTED);
	wpt_expect_state(test, q, UACCE_QSTATE_DEAD, UACCE_QREASON_HW_ERROR);
}

/*
 * The host removes the function: one queue's round notices, every queue
 * dies with REMOVED, what was in flight is aborted, new opens and starts
 * are refused.
 */
static void wpt_gone(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q0 = wpt_open(test, 0);
	struct wd_pci_queue *q1 = wpt_open(test, 1);

	wpt_start(test, 0, false);
	wpt_start(test, 1, false);
	wpt_nops(q0, 1, 2);
	wpt_nops(q1, 11, 3);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q0, false), 2);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q1, false), 3);
	wpt_fn_complete(t, q1, 1, VZIP_STS_OK);

	/* as wd_mdev does it: GONE, every queue cleared, no interrupt */
	WRITE_ONCE(*wpt_reg(t, WD_PCI_REG_DEV_STATUS), WD_PCI_DEV_STS_GONE);
	wpt_fn_clear(t, q0);
	wpt_fn_clear(t, q1);
	q0->check_at = jiffies - 1;
	KUNIT_EXPECT_EQ(test, wd_pci_service(q0, false), 2);
	KUNIT_EXPECT_TRUE(test, test_bit(WD_PCI_F_GONE, &t->wdev->flags));
	KUNIT_EXPECT_EQ(test, q0->dead, WD_PCI_FAULT_GONE);
	wpt_expect_state(test, q0, UACCE_QSTATE_DEAD, UACCE_QREASON_REMOVED);
	wpt_expect_cqe(test, q0, 0, 1, VZIP_STS_ABORTED);
	wpt_expect_cqe(test, q0, 1, 2, VZIP_STS_ABORTED);

	/* queue 1 dies at its next round, without reading a register */
	KUNIT_EXPECT_EQ(test, wd_pci_service(q1, false), 3);
	KUNIT_EXPECT_EQ(test, q1->dead, WD_PCI_FAULT_GONE);
	wpt_expect_state(test, q1, UACCE_QSTATE_DEAD, UACCE_QREASON_REMOVED);
	wpt_expect_cqe(test, q1, 0, 11, VZIP_STS_ABORTED);
	wpt_expect_cqe(test, q1, 1, 12, VZIP_STS_ABORTED);
	wpt_expect_cqe(test, q1, 2, 13, VZIP_STS_ABORTED);

	/* new work on either: refused */
	wpt_nops(q1, 14, 1);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q1, false), 1);
	wpt_expect_cqe(test, q1, 3, 14, VZIP_STS_ABORTED);
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q1, WD_PCI_Q_SQ_TAIL), 0);

	/* no new open, no new start */
	KUNIT_EXPECT_EQ(test, wd_pci_uacce_ops.get_queue(t->uacce, 0,
							 &t->uq[2]), -ENODEV);
	wpt_stop(test, 0);
	wpt_expect_state(test, q0, UACCE_QSTATE_DEAD, UACCE_QREASON_REMOVED);
	KUNIT_EXPECT_EQ(test, wd_pci_uacce_ops.start_queue(&t->uq[0]),
			-ENODEV);
}

/* GONE seen first when the owner stops: CQ_TAIL reads 0 by then. */
static void wpt_gone_at_stop(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q = wpt_open(test, 0);

	wpt_start(test, 0, false);
	wpt_nops(q, 1, 3);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 3);
	wpt_fn_complete(t, q, 2, VZIP_STS_OK);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q, false), 2);
	WRITE_ONCE(*wpt_reg(t, WD_PCI_REG_DEV_STATUS), WD_PCI_DEV_STS_GONE);
	wpt_fn_clear(t, q);
	wpt_stop(test, 0);
	KUNIT_EXPECT_TRUE(test, test_bit(WD_PCI_F_GONE, &t->wdev->flags));
	wpt_expect_state(test, q, UACCE_QSTATE_DEAD, UACCE_QREASON_REMOVED);
	KUNIT_EXPECT_EQ(test, wpt_cq_tail(q), 3);
	wpt_expect_cqe(test, q, 0, 1, VZIP_STS_OK);
	wpt_expect_cqe(test, q, 1, 2, VZIP_STS_OK);
	wpt_expect_cqe(test, q, 2, 3, VZIP_STS_ABORTED);
}

/*
 * A function that keeps a queue enabled when the driver disables it: what
 * it completed is delivered, the rest aborted; the function's DMA is
 * stopped (bus mastering, for a PCI parent) and every queue dies, as the
 * hardware's fault, not a removal; nothing opens or starts again.
 */
static void wpt_stuck(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q0 = wpt_open(test, 0);
	struct wd_pci_queue *q1 = wpt_open(test, 1);

	wpt_start(test, 0, false);
	wpt_start(test, 1, false);
	wpt_nops(q0, 1, 3);
	wpt_nops(q1, 11, 1);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q0, false), 3);
	KUNIT_EXPECT_EQ(test, wd_pci_service(q1, false), 1);
	wpt_fn_complete(t, q0, 1, VZIP_STS_OK);

	/* the stop, STATUS still ENABLED after CTRL = 0 */
	wd_pci_uacce_ops.stop_queue(&t->uq[0]);
	t->started[0] = false;
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q0, WD_PCI_Q_CTRL), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(WD_PCI_F_STUCK, &t->wdev->flags));
	KUNIT_EXPECT_TRUE(test, test_bit(WD_PCI_F_GONE, &t->wdev->flags));
	KUNIT_EXPECT_EQ(test, q0->dead, WD_PCI_FAULT_STUCK);
	wpt_expect_state(test, q0, UACCE_QSTATE_DEAD, UACCE_QREASON_HW_ERROR);
	KUNIT_EXPECT_EQ(test, wpt_cq_tail(q0), 3);
	wpt_expect_cqe(test, q0, 0, 1, VZIP_STS_OK);
	wpt_expect_cqe(test, q0, 1, 2, VZIP_STS_ABORTED);
	wpt_expect_cqe(test, q0, 2, 3, VZIP_STS_ABORTED);

	/* queue 1 dies at its next round, of the same fault */
	KUNIT_EXPECT_EQ(test, wd_pci_service(q1, false), 1);
	KUNIT_EXPECT_EQ(test, q1->dead, WD_PCI_FAULT_STUCK);
	wpt_expect_state(test, q1, UACCE_QSTATE_DEAD, UACCE_QREASON_HW_ERROR);
	wpt_expect_cqe(test, q1, 0, 11, VZIP_STS_ABORTED);
	KUNIT_EXPECT_EQ(test, wd_pci_uacce_ops.get_queue(t->uacce, 0,
							 &t->uq[2]), -ENODEV);
	KUNIT_EXPECT_EQ(test, wd_pci_uacce_ops.start_queue(&t->uq[0]),
			-ENODEV);
}

/* A queue whose function refuses its rings is left disabled. */
static void wpt_rings_refused(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q = wpt_open(test, 0);

	wpt_fn_clear(t, q);
	KUNIT_EXPECT_EQ(test, wd_pci_uacce_ops.start_queue(&t->uq[0]), -EIO);
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q, WD_PCI_Q_CTRL), 0);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(q->running));
	KUNIT_EXPECT_FALSE(test, test_bit(WD_PCI_F_GONE, &t->wdev->flags));
}

/* ---- wd_pci_queue: the real pump and interrupt handler ---- */

/*
 * IRQ_STATUS bits of no queue the driver has: the interrupt is not
 * claimed, so that a line the function keeps asserting for them gets
 * disabled, not served for ever.
 */
static void wpt_live_irq_not_ours(struct kunit *test)
{
	struct wpt *t = test->priv;

	wpt_open(test, 0);
	wpt_start(test, 0, true);
	WRITE_ONCE(*wpt_reg(t, WD_PCI_REG_IRQ_STATUS), BIT(WPT_QUEUES));
	KUNIT_EXPECT_EQ(test, wd_pci_irq(0, t->wdev), IRQ_NONE);
	WRITE_ONCE(*wpt_reg(t, WD_PCI_REG_IRQ_STATUS),
		   BIT(WPT_QUEUES) | BIT(0));
	KUNIT_EXPECT_EQ(test, wd_pci_irq(0, t->wdev), IRQ_HANDLED);
}

static void wpt_live_halt_irq(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q = wpt_open(test, 0);

	wpt_start(test, 0, true);
	KUNIT_EXPECT_EQ(test, wd_pci_irq(0, t->wdev), IRQ_NONE);
	wpt_nops(q, 1, 2);
	wd_pci_uacce_ops.wake_queue(&t->uq[0]);
	KUNIT_ASSERT_TRUE(test, wpt_wait_eq(wpt_qreg(t, q, WD_PCI_Q_SQ_TAIL),
					    2));
	wpt_fn_complete(t, q, 1, VZIP_STS_OK);
	wpt_qset(t, q, WD_PCI_Q_STATUS, WD_PCI_Q_STS_ENABLED |
		 WD_PCI_Q_STS_ERROR | WD_PCI_Q_STS_HALTED);
	WRITE_ONCE(*wpt_reg(t, WD_PCI_REG_IRQ_STATUS), BIT(0));
	KUNIT_EXPECT_EQ(test, wd_pci_irq(0, t->wdev), IRQ_HANDLED);
	KUNIT_ASSERT_TRUE(test, wpt_wait_eq((u32 *)wpt_ctrl(q, VZIP_CTRL_CQ_TAIL),
					    cpu_to_le32(2)));
	wpt_expect_cqe(test, q, 0, 1, VZIP_STS_OK);
	wpt_expect_cqe(test, q, 1, 2, VZIP_STS_ABORTED);
	wpt_expect_state(test, q, UACCE_QSTATE_DEAD, UACCE_QREASON_HW_ERROR);

	/* UACCE_CMD_WAKE_Q on the dead queue: the pump refuses the work */
	wpt_nops(q, 3, 1);
	wd_pci_uacce_ops.wake_queue(&t->uq[0]);
	KUNIT_ASSERT_TRUE(test, wpt_wait_eq((u32 *)wpt_ctrl(q, VZIP_CTRL_CQ_TAIL),
					    cpu_to_le32(3)));
	wpt_expect_cqe(test, q, 2, 3, VZIP_STS_ABORTED);
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q, WD_PCI_Q_SQ_TAIL), 2);
}

/*
 * GONE raises no interrupt: the pump finds it while requests are in
 * flight, and wakes the idle queue too.
 */
static void wpt_live_gone(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q0 = wpt_open(test, 0);
	struct wd_pci_queue *q1 = wpt_open(test, 1);
	struct uacce_queue_status *st1 = q1->dus + VZIP_CTRL_STATUS;

	wpt_start(test, 0, true);
	wpt_start(test, 1, true);
	wpt_nops(q0, 1, 2);
	wd_pci_uacce_ops.wake_queue(&t->uq[0]);
	KUNIT_ASSERT_TRUE(test, wpt_wait_eq(wpt_qreg(t, q0, WD_PCI_Q_SQ_TAIL),
					    2));
	WRITE_ONCE(*wpt_reg(t, WD_PCI_REG_DEV_STATUS), WD_PCI_DEV_STS_GONE);
	wpt_fn_clear(t, q0);
	wpt_fn_clear(t, q1);
	KUNIT_ASSERT_TRUE(test, wpt_wait_eq((u32 *)wpt_ctrl(q0, VZIP_CTRL_CQ_TAIL),
					    cpu_to_le32(2)));
	wpt_expect_cqe(test, q0, 0, 1, VZIP_STS_ABORTED);
	wpt_expect_cqe(test, q0, 1, 2, VZIP_STS_ABORTED);
	wpt_expect_state(test, q0, UACCE_QSTATE_DEAD, UACCE_QREASON_REMOVED);
	KUNIT_ASSERT_TRUE(test, wpt_wait_eq(&st1->state, UACCE_QSTATE_DEAD));
	wpt_expect_state(test, q1, UACCE_QSTATE_DEAD, UACCE_QREASON_REMOVED);
	KUNIT_EXPECT_TRUE(test, wd_pci_uacce_ops.is_q_updated(&t->uq[1]));
}

/* Registers reading all ones: the handler lets every pump look. */
static void wpt_live_no_answer(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q = wpt_open(test, 0);

	wpt_start(test, 0, true);
	wpt_nops(q, 1, 1);
	wd_pci_uacce_ops.wake_queue(&t->uq[0]);
	KUNIT_ASSERT_TRUE(test, wpt_wait_eq(wpt_qreg(t, q, WD_PCI_Q_SQ_TAIL),
					    1));
	memset(t->regs, 0xff, WD_PCI_BAR0_SIZE);
	KUNIT_EXPECT_EQ(test, wd_pci_irq(0, t->wdev), IRQ_NONE);
	KUNIT_ASSERT_TRUE(test, wpt_wait_eq((u32 *)wpt_ctrl(q, VZIP_CTRL_CQ_TAIL),
					    cpu_to_le32(1)));
	wpt_expect_cqe(test, q, 0, 1, VZIP_STS_ABORTED);
	wpt_expect_state(test, q, UACCE_QSTATE_DEAD, UACCE_QREASON_REMOVED);
	KUNIT_EXPECT_TRUE(test, test_bit(WD_PCI_F_GONE, &t->wdev->flags));
}

/*
 * The pump has gone to sleep: NEED_WAKEUP raised and the work neither
 * queued nor running.  A pump that keeps looking never gets there.
 */
static bool wpt_asleep(void *arg)
{
	struct wd_pci_queue *q = arg;

	return READ_ONCE(*wpt_ctrl(q, VZIP_CTRL_DEV_FLAGS)) ==
	       cpu_to_le32(VZIP_DEV_F_NEED_WAKEUP) && !work_busy(&q->pump.work);
}

static bool wpt_wait_asleep(struct wd_pci_queue *q)
{
	return wpt_until(wpt_asleep, q);
}

/*
 * An sq_tail more than the depth ahead is ignored until the owner takes
 * it back: the pump sleeps on it instead of looking again for ever (and
 * stopping the queue, which waits for the pump, returns).
 */
static void wpt_live_tail_ahead(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q = wpt_open(test, 0);
	__le32 *tail = wpt_ctrl(q, VZIP_CTRL_SQ_TAIL);
	bool asleep;

	wpt_start(test, 0, true);
	WRITE_ONCE(*tail, cpu_to_le32(WPT_DEPTH + 1));
	wd_pci_uacce_ops.wake_queue(&t->uq[0]);
	asleep = wpt_wait_asleep(q);
	/* back in range, so that a pump still looking can stop */
	WRITE_ONCE(*tail, 0);
	KUNIT_ASSERT_TRUE_MSG(test, asleep,
			      "the pump kept looking at an sq_tail out of range");
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q, WD_PCI_Q_SQ_TAIL), 0);

	/* taken back and rung: served */
	wpt_nops(q, 1, 1);
	wd_pci_uacce_ops.wake_queue(&t->uq[0]);
	KUNIT_ASSERT_TRUE(test, wpt_wait_eq(wpt_qreg(t, q, WD_PCI_Q_SQ_TAIL),
					    1));
	wpt_fn_complete(t, q, 1, VZIP_STS_OK);
	KUNIT_ASSERT_TRUE(test, wpt_wait_eq((u32 *)wpt_ctrl(q, VZIP_CTRL_CQ_TAIL),
					    cpu_to_le32(1)));
	wpt_expect_cqe(test, q, 0, 1, VZIP_STS_OK);
}

/*
 * An owner that does not consume its completions stalls its own queue:
 * the pump sleeps until it frees a slot of its CQ and rings.
 */
static void wpt_live_cq_full(struct kunit *test)
{
	struct wpt *t = test->priv;
	struct wd_pci_queue *q = wpt_open(test, 0);
	bool asleep;

	wpt_start(test, 0, true);
	wpt_nops(q, 1, WPT_DEPTH);
	wd_pci_uacce_ops.wake_queue(&t->uq[0]);
	KUNIT_ASSERT_TRUE(test, wpt_wait_eq(wpt_qreg(t, q, WD_PCI_Q_SQ_TAIL),
					    WPT_DEPTH));
	wpt_fn_complete(t, q, WPT_DEPTH, VZIP_STS_OK);
	KUNIT_ASSERT_TRUE(test, wpt_wait_eq((u32 *)wpt_ctrl(q, VZIP_CTRL_CQ_TAIL),
					    cpu_to_le32(WPT_DEPTH)));
	/* one more, with the CQ full */
	wpt_nops(q, WPT_DEPTH + 1, 1);
	wd_pci_uacce_ops.wake_queue(&t->uq[0]);
	asleep = wpt_wait_asleep(q);
	/* a slot freed, so that a pump still looking can stop */
	wpt_expect_cqe(test, q, 0, 1, VZIP_STS_OK);
	KUNIT_ASSERT_TRUE_MSG(test, asleep,
			      "the pump kept looking at an owner with a full CQ");
	KUNIT_EXPECT_EQ(test, wpt_qget(t, q, WD_PCI_Q_SQ_TAIL), WPT_DEPTH);

	wd_pci_uacce_ops.wake_queue(&t->uq[0]);
	KUNIT_ASSERT_TRUE(test, wpt_wait_eq(wpt_qreg(t, q, WD_PCI_Q_SQ_TAIL),
					    WPT_DEPTH + 1));
	wpt_fn_complete(t, q, 1, VZIP_STS_OK);
	KUNIT_ASSERT_TRUE(test, wpt_wait_eq((u32 *)wpt_ctrl(q, VZIP_CTRL_CQ_TAIL),
					    cpu_to_le32(WPT_DEPTH + 1)));
	wpt_expect_cqe(test, q, WPT_DEPTH, WPT_DEPTH + 1, VZIP_STS_OK);
}

static struct kunit_case wpt_queue_cases[] = {
	KUNIT_CASE(wpt_round_trip),
	KUNIT_CASE(wpt_addr_error_order),
	KUNIT_CASE(wpt_unknown_sqe),
	KUNIT_CASE(wpt_halted),
	KUNIT_CASE(wpt_halted_no_irq),
	KUNIT_CASE(wpt_reset_under),
	KUNIT_CASE(wpt_bad_tail),
	KUNIT_CASE(wpt_gone),
	KUNIT_CASE(wpt_gone_at_stop),
	KUNIT_CASE(wpt_stuck),
	KUNIT_CASE(wpt_rings_refused),
	KUNIT_CASE(wpt_live_irq_not_ours),
	KUNIT_CASE(wpt_live_halt_irq),
	KUNIT_CASE(wpt_live_gone),
	KUNIT_CASE(wpt_live_no_answer),
	KUNIT_CASE(wpt_live_tail_ahead),
	KUNIT_CASE(wpt_live_cq_full),
	{}
};

static struct kunit_suite wpt_queue_suite = {
	.name = "wd_pci_queue",
	.init = wpt_queue_init,
	.exit = wpt_queue_exit,
	.test_cases = wpt_queue_cases,
};

kunit_test_suites(&wpt_probe_suite, &wpt_fault_suite, &wpt_queue_suite);

MODULE_DESCRIPTION("KUnit tests of the wd_pci guest driver");
MODULE_LICENSE("GPL");
