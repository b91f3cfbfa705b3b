// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit suite of the vfio-pci personality of wd_mdev: instances of
 * vfio-pci types and their accounting next to access points, the VFIO
 * device's open, close, regions, ioctls and reset, requests through rings
 * in guest memory with their pins and unpins counted, errors (unmapped
 * buffers, unreadable rings, bad doorbells), dma_unmap, reset and close
 * with a request in flight, the host's request to release the function,
 * migration (every arc, a move between instances with a request in
 * flight, refused streams, the deferred reset), and fault injection over
 * every unwind.
 *
 * A fake accelerator, on a platform device without a driver, declares
 * access-point and vfio-pci types; its vfio ops (this module) serve each
 * attached queue with a work item of its own and execute a tiny
 * descriptor format: COPY, and BLOCK, which runs until it is aborted or
 * released.  The test replaces the VFIO container's DMA calls with a
 * fake guest memory of FAKE_MEM_PAGES pages at FAKE_IOVA that counts
 * every page's pins.  The VFIO device's ops are called directly, as the
 * VFIO core would for a VMM; region accesses and ioctls go through a
 * user page of the process loading the suite.
 */
#include <kunit/test.h>
#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uacce.h>
#include <linux/uaccess.h>
#include <linux/wd_mdev.h>

#include "../../drivers/mdev/vfio_pci.h"
#include "../../uacce/kunit_hooks.h"
#include "fail_nth.h"
#include "kunit_file.h"

#define FAKE_NAME		"wd_vfio_kunit"
/* the fake class's identity and its one parameter register */
#define FAKE_DEVICE_ID		0x7aff
#define FAKE_PARAM0		0xc0de
#define FAKE_QUEUES		8
#define FAKE_MEM_PAGES		16
#define FAKE_IOVA		0x100000ULL
#define FAKE_UNMAPPED		0x900000ULL
#define FAKE_DEPTH		8
#define MAX_INSTANCES		4
#define PATH_SIZE		192
#define WAIT_MS			10000

/* guest memory layout: SQ, CQ, then data pages */
#define SQ_IOVA			FAKE_IOVA
#define CQ_IOVA			(FAKE_IOVA + PAGE_SIZE)
#define DATA_IOVA		(FAKE_IOVA + 2 * PAGE_SIZE)

#define BAR0(off)		(((u64)VFIO_PCI_BAR0_REGION_INDEX << 40) + (off))
#define CFG(off)		(((u64)VFIO_PCI_CONFIG_REGION_INDEX << 40) + (off))
#define QREG(q, r)		(WD_PCI_QUEUE_BASE + (q) * WD_PCI_QUEUE_STRIDE + (r))

enum { FAKE_OP_COPY = 1, FAKE_OP_BLOCK = 2 };
enum {
	FAKE_STS_OK,
	FAKE_STS_INVALID,
	FAKE_STS_ADDR,
	FAKE_STS_ABORTED,
};

/* The fake's descriptors. */
struct fake_sqe {
	u64 user_data;
	u64 src;
	u64 dst;
	u32 len;
	u32 op;
	u8 pad[32];
};

struct fake_cqe {
	u64 user_data;
	u32 status;
	u32 produced;
	u8 pad[16];
};

/* What the fake's driver and guest memory saw. */
struct fake {
	struct platform_device *pdev;
	struct uacce_device *uacce;
	struct wd_mdev_type_table table;	/* its ext_info */
	bool removed;
	struct page *mem[FAKE_MEM_PAGES];
	atomic_t pins[FAKE_MEM_PAGES];
	atomic_t pin_calls, unpin_errors, pinned_max, pinned_now;
	atomic_t fail_pin_call;		/* that pin call fails; 0: none */
	atomic_t engines, executing, executed, aborted;
	bool release;			/* BLOCK requests may finish */
	spinlock_t vqs_lock;		/* protects vqs */
	struct list_head vqs;		/* attached queues: struct fake_vq */
};

/* The fake driver's engine for one queue: a work item that serves it. */
struct fake_vq {
	struct list_head node;
	struct wd_mdev_vq *vq;
	struct work_struct work;
};

/* Only one test runs at a time: the fakes' calls find it here. */
static struct fake *the_fake;
static struct mm_struct *test_mm;

struct test_ctx {
	struct fake fake;
	char uuids[MAX_INSTANCES][UUID_STRING_LEN + 1];
	int nr_uuids;
	struct wd_vfio *open[MAX_INSTANCES];
	unsigned long ubuf;
	int base[UACCE_OBJ_NR];
	int wd_base[WD_MDEV_OBJ_NR];
	bool mm_used;
};

/* ---- fake guest memory: the VFIO container ---- */

static int fake_page(u64 iova)
{
	if (iova < FAKE_IOVA || iova >= FAKE_IOVA + FAKE_MEM_PAGES * PAGE_SIZE)
		return -1;
	return (iova - FAKE_IOVA) >> PAGE_SHIFT;
}

static int fake_pin(struct vfio_device *vfio_dev, dma_addr_t iova, int npage,
		    int prot, struct page **pages)
{
	struct fake *fake = the_fake;
	int i, now;

	if (atomic_inc_return(&fake->pin_calls) ==
	    atomic_read(&fake->fail_pin_call))
		return -EINVAL;
	if (npage <= 0 || npage > VFIO_PIN_PAGES_MAX_ENTRIES)
		return -EINVAL;
	for (i = 0; i < npage; i++)
		if (fake_page(iova + (u64)i * PAGE_SIZE) < 0)
			return -EINVAL;
	for (i = 0; i < npage; i++) {
		int p = fake_page(iova + (u64)i * PAGE_SIZE);

		atomic_inc(&fake->pins[p]);
		pages[i] = fake->mem[p];
	}
	now = atomic_add_return(npage, &fake->pinned_now);
	if (now > atomic_read(&fake->pinned_max))
		atomic_set(&fake->pinned_max, now);
	return npage;
}

static void fake_unpin(struct vfio_device *vfio_dev, dma_addr_t iova, int npage)
{
	struct fake *fake = the_fake;
	int i, p;

	for (i = 0; i < npage; i++) {
		p = fake_page(iova + (u64)i * PAGE_SIZE);
		if (p < 0 || atomic_dec_return(&fake->pins[p]) < 0)
			atomic_inc(&fake->unpin_errors);
		else
			atomic_dec(&fake->pinned_now);
	}
}

static int fake_rw(struct vfio_device *vfio_dev, dma_addr_t iova, void *data,
		   size_t len, bool write)
{
	struct fake *fake = the_fake;
	int p = fake_page(iova);
	u8 *addr;

	if (p < 0 || fake_page(iova + len - 1) != p)
		return -EINVAL;		/* the tests stay within a page */
	addr = page_address(fake->mem[p]) + offset_in_page(iova);
	if (write)
		memcpy(addr, data, len);
	else
		memcpy(data, addr, len);
	return 0;
}

static const struct wd_mdev_vfio_dma fake_dma = {
	.pin = fake_pin,
	.unpin = fake_unpin,
	.rw = fake_rw,
};

static void *fake_mem(struct fake *fake, u64 iova)
{
	return page_address(fake->mem[fake_page(iova)]) + offset_in_page(iova);
}

static int fake_pins_now(struct fake *fake)
{
	return atomic_read(&fake->pinned_now);
}

/* ---- the fake driver's descriptors ---- */

static void fake_info(struct uacce_device *accel,
		      struct wd_mdev_vfio_info *info)
{
	info->device = FAKE_DEVICE_ID;
	info->revision = 7;
	info->subsys_id = 0x42;
	info->magic = 0xfa4e;
	info->sqe_size = sizeof(struct fake_sqe);
	info->cqe_size = sizeof(struct fake_cqe);
	info->max_depth = 64;
	info->params[0] = FAKE_PARAM0;
	info->max_range = 4 * PAGE_SIZE;
}

static void fake_vq_work(struct work_struct *work)
{
	struct fake_vq *fv = container_of(work, struct fake_vq, work);

	while (fv->vq->serve(fv->vq, fv))
		cond_resched();
}

static int fake_attach(struct uacce_device *accel, struct wd_mdev_vq *vq)
{
	struct fake *fake = accel->priv;
	struct fake_vq *fv = kzalloc(sizeof(*fv), GFP_KERNEL);

	if (!fv)
		return -ENOMEM;
	fv->vq = vq;
	INIT_WORK(&fv->work, fake_vq_work);
	vq->drv = fv;
	spin_lock(&fake->vqs_lock);
	list_add_tail(&fv->node, &fake->vqs);
	spin_unlock(&fake->vqs_lock);
	atomic_inc(&fake->engines);
	return 0;
}

static void fake_detach(struct uacce_device *accel, struct wd_mdev_vq *vq)
{
	struct fake *fake = accel->priv;
	struct fake_vq *fv = vq->drv;

	spin_lock(&fake->vqs_lock);
	list_del(&fv->node);
	spin_unlock(&fake->vqs_lock);
	cancel_work_sync(&fv->work);
	vq->drv = NULL;
	kfree(fv);
	atomic_dec(&fake->engines);
}

static void fake_kick(struct uacce_device *accel)
{
	struct fake *fake = accel->priv;
	struct fake_vq *fv;

	spin_lock(&fake->vqs_lock);
	list_for_each_entry(fv, &fake->vqs, node)
		if (fv->vq->has_work(fv->vq))
			queue_work(system_unbound_wq, &fv->work);
	spin_unlock(&fake->vqs_lock);
}

static int fake_decode(struct uacce_device *accel,
		       struct wd_mdev_vfio_req *req)
{
	const struct fake_sqe *sqe = req->sqe;
	struct fake_cqe *cqe = req->cqe;

	cqe->user_data = sqe->user_data;
	if ((sqe->op != FAKE_OP_COPY && sqe->op != FAKE_OP_BLOCK) ||
	    sqe->len > 4 * PAGE_SIZE) {
		cqe->status = FAKE_STS_INVALID;
		return -EINVAL;
	}
	req->range[0].iova = sqe->src;
	req->range[0].len = sqe->len;
	req->range[0].write = false;
	req->range[1].iova = sqe->dst;
	req->range[1].len = sqe->len;
	req->range[1].write = true;
	req->nr_ranges = 2;
	return 0;
}

static void fake_copy(struct wd_mdev_vfio_req *req)
{
	const struct wd_mdev_dma_range *s = &req->range[0], *d = &req->range[1];
	u32 i;

	/* a byte at a time: simple, and the ranges are small */
	for (i = 0; i < s->len; i++) {
		u32 so = s->offset + i, doff = d->offset + i;
		u8 *from = kmap_local_page(s->pages[so >> PAGE_SHIFT]);
		u8 *to = kmap_local_page(d->pages[doff >> PAGE_SHIFT]);

		to[offset_in_page(doff)] = from[offset_in_page(so)];
		kunmap_local(to);
		kunmap_local(from);
	}
}

static void fake_execute(void *engine, struct wd_mdev_vfio_req *req)
{
	const struct fake_sqe *sqe = req->sqe;
	struct fake_cqe *cqe = req->cqe;
	struct fake *fake = the_fake;

	atomic_inc(&fake->executing);
	if (sqe->op == FAKE_OP_BLOCK) {
		while (!READ_ONCE(*req->abort) && !READ_ONCE(fake->release))
			usleep_range(1000, 2000);
	}
	if (READ_ONCE(*req->abort)) {
		atomic_inc(&fake->aborted);
		cqe->status = FAKE_STS_ABORTED;
	} else {
		fake_copy(req);
		atomic_inc(&fake->executed);
		cqe->status = FAKE_STS_OK;
		cqe->produced = sqe->len;
	}
	atomic_dec(&fake->executing);
}

static void fake_fail(struct wd_mdev_vfio_req *req, int err)
{
	struct fake_cqe *cqe = req->cqe;

	cqe->status = err == -ECANCELED ? FAKE_STS_ABORTED : FAKE_STS_ADDR;
}

static const struct wd_mdev_vfio_ops fake_vfio_ops = {
	.info = fake_info,
	.attach = fake_attach,
	.detach = fake_detach,
	.kick = fake_kick,
	.decode = fake_decode,
	.execute = fake_execute,
	.fail = fake_fail,
};

static const struct wd_mdev_type fake_types[] = {
	{ .name = "ap1", .personality = WD_MDEV_ACCESS_POINT, .nr_queues = 1 },
	{ .name = "ap2", .personality = WD_MDEV_ACCESS_POINT, .nr_queues = 2 },
	{ .name = "vq1", .personality = WD_MDEV_VFIO_PCI, .nr_queues = 1,
	  .vfio = &fake_vfio_ops },
	{ .name = "vq2", .personality = WD_MDEV_VFIO_PCI, .nr_queues = 2,
	  .vfio = &fake_vfio_ops },
	{ .name = "vq4", .personality = WD_MDEV_VFIO_PCI, .nr_queues = 4,
	  .vfio = &fake_vfio_ops },
};

static const struct wd_mdev_type no_ops_types[] = {
	{ .name = "vq1", .personality = WD_MDEV_VFIO_PCI, .nr_queues = 1 },
};

static const struct wd_mdev_type too_big_types[] = {
	{ .name = "vq32", .personality = WD_MDEV_VFIO_PCI, .nr_queues = 32,
	  .vfio = &fake_vfio_ops },
};

static int fake_ops_get_queue(struct uacce_device *uacce, unsigned long arg,
			      struct uacce_queue *q)
{
	return 0;
}

static const struct uacce_ops fake_uacce_ops = {
	.get_queue = fake_ops_get_queue,
};

static int fake_register(struct fake *fake, const struct wd_mdev_type *types,
			 unsigned int nr_types)
{
	struct uacce_interface iface = { .name = FAKE_NAME,
					 .ops = &fake_uacce_ops };
	struct uacce_device *uacce;

	uacce = uacce_alloc(&fake->pdev->dev, &iface);
	if (IS_ERR(uacce))
		return PTR_ERR(uacce);
	uacce->priv = fake;
	uacce->api_ver = "fake_v1";
	uacce->algs = "copy";
	uacce->nr_queues = FAKE_QUEUES;
	fake->table.types = types;
	fake->table.nr_types = nr_types;
	wd_mdev_set_types(uacce, &fake->table);
	fake->uacce = uacce;
	fake->removed = false;
	return uacce_register(uacce);
}

static void fake_remove(struct fake *fake)
{
	if (fake->uacce && !fake->removed)
		uacce_remove(fake->uacce);
	fake->removed = true;
}

/* ---- acting as an administrator ---- */

/* vfio-pci types are under the platform device, access points under uacce */
static int t_type_attr(struct test_ctx *ctx, const char *type,
		       const char *attr, char *buf, size_t size,
		       const char *write)
{
	char path[PATH_SIZE];

	if (type[0] == 'v')
		snprintf(path, sizeof(path),
			 "/sys/bus/platform/devices/%s/mdev_supported_types/platform-%s/%s",
			 dev_name(&ctx->fake.pdev->dev), type, attr);
	else
		snprintf(path, sizeof(path),
			 "/sys/class/uacce/%s/mdev_supported_types/uacce-%s/%s",
			 dev_name(&ctx->fake.uacce->dev), type, attr);
	return kt_file(path, buf, size, write);
}

static int t_avail(struct test_ctx *ctx, const char *type)
{
	char buf[32];
	int ret, n;

	ret = t_type_attr(ctx, type, "available_instances", buf, sizeof(buf),
			  NULL);
	if (ret)
		return ret;
	ret = kstrtoint(buf, 10, &n);
	return ret ? ret : n;
}

static int t_create(struct test_ctx *ctx, const char *type)
{
	int i = ctx->nr_uuids, ret;

	if (i >= MAX_INSTANCES)
		return -ENOSPC;
	snprintf(ctx->uuids[i], sizeof(ctx->uuids[i]),
		 "%08x-0000-4000-8000-%012x", 0x3dcf0000 + i, i);
	ret = t_type_attr(ctx, type, "create", NULL, 0, ctx->uuids[i]);
	if (ret)
		return ret;
	ctx->nr_uuids++;
	return i;
}

static int t_destroy(struct test_ctx *ctx, int inst)
{
	char path[PATH_SIZE];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove",
		 ctx->uuids[inst]);
	return kt_file(path, NULL, 0, "1");
}

static int t_match_name(struct device *dev, void *name)
{
	return !strcmp(dev_name(dev), name);
}

/* The function of instance @inst: an mdev device, child of the parent. */
static struct wd_vfio *t_vfio(struct test_ctx *ctx, int inst)
{
	struct wd_mdev_instance *wi;
	struct device *dev;
	struct wd_vfio *v;

	dev = device_find_child(&ctx->fake.pdev->dev, ctx->uuids[inst],
				t_match_name);
	if (!dev)
		return NULL;
	wi = dev_get_drvdata(dev);
	v = wi ? wi->priv : NULL;
	put_device(dev);
	return v;
}

/* ---- acting as a VMM ---- */

static int t_open(struct test_ctx *ctx, int inst, struct wd_vfio **vp)
{
	struct wd_vfio *v = t_vfio(ctx, inst);
	int ret;

	if (!v)
		return -ENODEV;
	ret = v->vfio_dev.ops->open_device(&v->vfio_dev);
	if (!ret)
		ctx->open[inst] = v;
	*vp = v;
	return ret;
}

static void t_close(struct test_ctx *ctx, int inst)
{
	struct wd_vfio *v = ctx->open[inst];

	if (!v)
		return;
	v->vfio_dev.ops->close_device(&v->vfio_dev);
	ctx->open[inst] = NULL;
}

static ssize_t t_rw(struct test_ctx *ctx, struct wd_vfio *v, u64 off,
		    void *val, size_t n, bool write)
{
	void __user *ubuf = (void __user *)ctx->ubuf;
	loff_t pos = off;
	ssize_t ret;

	if (write) {
		if (copy_to_user(ubuf, val, n))
			return -EFAULT;
		return v->vfio_dev.ops->write(&v->vfio_dev, ubuf, n, &pos);
	}
	ret = v->vfio_dev.ops->read(&v->vfio_dev, ubuf, n, &pos);
	if (ret > 0 && copy_from_user(val, ubuf, ret))
		return -EFAULT;
	return ret;
}

static u32 t_rd(struct test_ctx *ctx, struct wd_vfio *v, u32 off)
{
	u32 val = ~0U;

	if (t_rw(ctx, v, BAR0(off), &val, 4, false) != 4)
		return ~0U;
	return val;
}

static ssize_t t_wr(struct test_ctx *ctx, struct wd_vfio *v, u32 off, u32 val)
{
	return t_rw(ctx, v, BAR0(off), &val, 4, true);
}

static long t_ioctl(struct test_ctx *ctx, struct wd_vfio *v, unsigned int cmd,
		    void *arg, size_t size)
{
	void __user *ubuf = (void __user *)ctx->ubuf;
	long ret;

	if (size && copy_to_user(ubuf, arg, size))
		return -EFAULT;
	ret = v->vfio_dev.ops->ioctl(&v->vfio_dev, cmd, (unsigned long)ubuf);
	if (size && copy_from_user(arg, ubuf, size))
		return -EFAULT;
	return ret;
}

/* Memory decoding and bus mastering on, as a guest's driver would. */
static void t_enable_function(struct kunit *test, struct wd_vfio *v)
{
	struct test_ctx *ctx = test->priv;
	u16 cmd = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;

	KUNIT_EXPECT_EQ(test, t_rw(ctx, v, CFG(PCI_COMMAND), &cmd, 2, true), 2L);
}

/* Queue @q with rings at SQ_IOVA and CQ_IOVA (+ q * 512), enabling it. */
static void t_queue_setup(struct test_ctx *ctx, struct wd_vfio *v,
			  unsigned int q)
{
	u64 off = q * 512;

	t_wr(ctx, v, QREG(q, WD_PCI_Q_SQ_BASE_LO), SQ_IOVA + off);
	t_wr(ctx, v, QREG(q, WD_PCI_Q_SQ_BASE_HI), 0);
	t_wr(ctx, v, QREG(q, WD_PCI_Q_CQ_BASE_LO), CQ_IOVA + off);
	t_wr(ctx, v, QREG(q, WD_PCI_Q_CQ_BASE_HI), 0);
	t_wr(ctx, v, QREG(q, WD_PCI_Q_DEPTH), FAKE_DEPTH);
	t_wr(ctx, v, QREG(q, WD_PCI_Q_CTRL),
	     WD_PCI_Q_CTRL_ENABLE | WD_PCI_Q_CTRL_IRQ);
}

static void t_queue_on(struct kunit *test, struct wd_vfio *v, unsigned int q)
{
	struct test_ctx *ctx = test->priv;

	t_queue_setup(ctx, v, q);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(q, WD_PCI_Q_STATUS)),
			WD_PCI_Q_STS_ENABLED);
}

static struct fake_sqe *t_sqe(struct test_ctx *ctx, unsigned int q, u32 i)
{
	return (struct fake_sqe *)fake_mem(&ctx->fake, SQ_IOVA + q * 512) +
	       i % FAKE_DEPTH;
}

static struct fake_cqe *t_cqe(struct test_ctx *ctx, unsigned int q, u32 i)
{
	return (struct fake_cqe *)fake_mem(&ctx->fake, CQ_IOVA + q * 512) +
	       i % FAKE_DEPTH;
}

/* Puts a request at SQ index @i of queue @q. */
/*
 * The fake registered, an instance of @type created and opened, its
 * function enabled and queue 0 running: the instance's index.
 */
static int t_running_queue(struct kunit *test, const char *type,
			   struct wd_vfio **v)
{
	struct test_ctx *ctx = test->priv;
	int a;

	KUNIT_ASSERT_EQ(test, fake_register(&ctx->fake, fake_types,
					    ARRAY_SIZE(fake_types)), 0);
	a = t_create(ctx, type);
	KUNIT_ASSERT_GE(test, a, 0);
	KUNIT_ASSERT_EQ(test, t_open(ctx, a, v), 0);
	t_enable_function(test, *v);
	t_queue_on(test, *v, 0);
	return a;
}

static void t_submit(struct test_ctx *ctx, unsigned int q, u32 i, u32 op,
		     u64 src, u64 dst, u32 len)
{
	struct fake_sqe *sqe = t_sqe(ctx, q, i);

	memset(sqe, 0, sizeof(*sqe));
	sqe->user_data = 0x1000 + i;
	sqe->op = op;
	sqe->src = src;
	sqe->dst = dst;
	sqe->len = len;
}

/* Waits until CQ_TAIL of queue @q reaches @n; false on timeout. */
static bool t_wait_cq(struct test_ctx *ctx, struct wd_vfio *v, unsigned int q,
		      u32 n)
{
	int ms;

	for (ms = 0; ms < WAIT_MS; ms++) {
		if (t_rd(ctx, v, QREG(q, WD_PCI_Q_CQ_TAIL)) == n)
			return true;
		usleep_range(1000, 2000);
	}
	return false;
}

/*
 * Waits until register @off reads @want: the engine raises IRQ_STATUS
 * after it has posted the completion, so a test that saw CQ_TAIL move
 * may read it a moment too early.
 */
static bool t_wait_reg(struct test_ctx *ctx, struct wd_vfio *v,
		       unsigned int off, u32 want)
{
	int ms;

	for (ms = 0; ms < WAIT_MS; ms++) {
		if (t_rd(ctx, v, off) == want)
			return true;
		usleep_range(1000, 2000);
	}
	return false;
}

static bool t_wait_executing(struct fake *fake, int n)
{
	int ms;

	for (ms = 0; ms < WAIT_MS; ms++) {
		if (atomic_read(&fake->executing) == n)
			return true;
		usleep_range(1000, 2000);
	}
	return false;
}

/* ---- fixture ---- */

static void t_objects(int uacce[UACCE_OBJ_NR], int wd[WD_MDEV_OBJ_NR])
{
	int i;

	for (i = 0; i < UACCE_OBJ_NR; i++)
		uacce[i] = uacce_kunit_objects(i);
	for (i = 0; i < WD_MDEV_OBJ_NR; i++)
		wd[i] = wd_mdev_kunit_objects(i);
}

static void t_expect_no_leak(struct kunit *test, const char *when)
{
	struct test_ctx *ctx = test->priv;
	int now[UACCE_OBJ_NR], wd_now[WD_MDEV_OBJ_NR];
	int fake = ctx->fake.uacce && !ctx->fake.removed;
	int i;

	t_objects(now, wd_now);
	for (i = 0; i < UACCE_OBJ_NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, now[i],
				    ctx->base[i] + (i == UACCE_OBJ_DEVICE ? fake : 0),
				    "uacce objects %d %s", i, when);
	for (i = 0; i < WD_MDEV_OBJ_NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, wd_now[i],
				    ctx->wd_base[i] + (i == WD_MDEV_OBJ_ACCEL ? fake : 0),
				    "wd_mdev objects %d %s", i, when);
	KUNIT_EXPECT_EQ_MSG(test, fake_pins_now(&ctx->fake), 0,
			    "pages pinned %s", when);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->fake.unpin_errors), 0,
			    "unpins of pages not pinned %s", when);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->fake.engines), 0,
			    "engines %s", when);
}

static int wd_vfio_test_init(struct kunit *test)
{
	struct test_ctx *ctx;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, test_mm);
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	t_objects(ctx->base, ctx->wd_base);

	mmget(test_mm);
	kthread_use_mm(test_mm);
	ctx->mm_used = true;
	ctx->ubuf = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(ctx->ubuf));

	for (i = 0; i < FAKE_MEM_PAGES; i++) {
		ctx->fake.mem[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, ctx->fake.mem[i]);
	}
	ctx->fake.pdev = platform_device_register_simple(FAKE_NAME,
							 PLATFORM_DEVID_AUTO,
							 NULL, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ctx->fake.pdev));
	spin_lock_init(&ctx->fake.vqs_lock);
	INIT_LIST_HEAD(&ctx->fake.vqs);
	the_fake = &ctx->fake;
	wd_mdev_kunit_set_vfio_dma(&fake_dma);
	return 0;
}

static void wd_vfio_test_exit(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	bool kthread = current->flags & PF_KTHREAD;
	int i;

	WRITE_ONCE(ctx->fake.release, true);
	for (i = 0; i < ctx->nr_uuids; i++)
		t_close(ctx, i);
	for (i = 0; i < ctx->nr_uuids; i++)
		t_destroy(ctx, i);
	fake_remove(&ctx->fake);
	wd_mdev_kunit_set_vfio_dma(NULL);
	if (!IS_ERR_OR_NULL(ctx->fake.pdev))
		platform_device_unregister(ctx->fake.pdev);
	/* a kernel thread's fput() is delayed: the data files' release */
	flush_delayed_fput();
	if (kthread)
		t_expect_no_leak(test, "at the end");
	the_fake = NULL;
	for (i = 0; i < FAKE_MEM_PAGES; i++)
		if (ctx->fake.mem[i])
			__free_page(ctx->fake.mem[i]);
	vm_munmap(ctx->ubuf, PAGE_SIZE);
	if (kthread && ctx->mm_used) {
		kthread_unuse_mm(test_mm);
		mmput(test_mm);
	}
}

static int wd_vfio_test_suite_init(struct kunit_suite *suite)
{
	test_mm = get_task_mm(current);
	return test_mm ? 0 : -EINVAL;
}

static void wd_vfio_test_suite_exit(struct kunit_suite *suite)
{
	if (test_mm)
		mmput(test_mm);
	test_mm = NULL;
}

/* ---- types and accounting ---- */

static void wd_vfio_test_types(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	char buf[64];
	int a, b;

	KUNIT_ASSERT_EQ(test, fake_register(&ctx->fake, fake_types,
					    ARRAY_SIZE(fake_types)), 0);
	KUNIT_EXPECT_EQ(test, t_type_attr(ctx, "vq2", "device_api", buf,
					  sizeof(buf), NULL), 0);
	KUNIT_EXPECT_STREQ(test, buf, "vfio-pci\n");
	KUNIT_EXPECT_EQ(test, t_type_attr(ctx, "vq4", "name", buf,
					  sizeof(buf), NULL), 0);
	KUNIT_EXPECT_STREQ(test, buf, "fake_v1 vfio-pci, 4 queues\n");
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "vq1"), 8);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "vq4"), 2);

	/* one budget for both personalities */
	a = t_create(ctx, "vq4");
	KUNIT_ASSERT_GE(test, a, 0);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap1"), 4);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "vq4"), 1);
	b = t_create(ctx, "ap2");
	KUNIT_ASSERT_GE(test, b, 0);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "vq2"), 1);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "vq4"), 0);
	KUNIT_EXPECT_EQ(test, t_create(ctx, "vq4"), -ENOSPC);
	KUNIT_EXPECT_EQ(test, wd_mdev_kunit_objects(WD_MDEV_OBJ_VFIO_DEVICE),
			ctx->wd_base[WD_MDEV_OBJ_VFIO_DEVICE] + 1);
	KUNIT_EXPECT_NOT_NULL(test, t_vfio(ctx, a));

	KUNIT_EXPECT_EQ(test, t_destroy(ctx, a), 0);
	KUNIT_EXPECT_NULL(test, t_vfio(ctx, a));
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "vq2"), 3);
	KUNIT_EXPECT_EQ(test, t_destroy(ctx, b), 0);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "vq1"), 8);
	ctx->nr_uuids = 0;
	t_expect_no_leak(test, "after the instances");

	/* a vfio-pci type without ops, or too large: the table is refused */
	fake_remove(&ctx->fake);
	KUNIT_ASSERT_EQ(test, fake_register(&ctx->fake, no_ops_types,
					    ARRAY_SIZE(no_ops_types)), 0);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "vq1"), -ENOENT);
	fake_remove(&ctx->fake);
	KUNIT_ASSERT_EQ(test, fake_register(&ctx->fake, too_big_types,
					    ARRAY_SIZE(too_big_types)), 0);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "vq32"), -ENOENT);
}

/* ---- the VFIO device ---- */

static void wd_vfio_test_device(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };
	struct vfio_irq_set is = { .argsz = sizeof(is) };
	u8 cfg[WD_VFIO_CONFIG_SIZE];
	struct wd_vfio *v;
	u32 val;
	int a;

	KUNIT_ASSERT_EQ(test, fake_register(&ctx->fake, fake_types,
					    ARRAY_SIZE(fake_types)), 0);
	a = t_create(ctx, "vq2");
	KUNIT_ASSERT_GE(test, a, 0);
	KUNIT_ASSERT_EQ(test, t_open(ctx, a, &v), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->fake.engines), 2);

	KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, VFIO_DEVICE_GET_INFO, &info,
				      sizeof(info)), 0L);
	KUNIT_EXPECT_EQ(test, info.flags,
			VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
	KUNIT_EXPECT_EQ(test, info.num_regions, VFIO_PCI_NUM_REGIONS);
	KUNIT_EXPECT_EQ(test, info.num_irqs, VFIO_PCI_NUM_IRQS);
	for (ri.index = 0; ri.index < VFIO_PCI_NUM_REGIONS; ri.index++) {
		KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v,
					      VFIO_DEVICE_GET_REGION_INFO,
					      &ri, sizeof(ri)), 0L);
		KUNIT_EXPECT_EQ(test, ri.size,
				ri.index == VFIO_PCI_BAR0_REGION_INDEX ?
				WD_PCI_BAR0_SIZE :
				ri.index == VFIO_PCI_CONFIG_REGION_INDEX ?
				WD_VFIO_CONFIG_SIZE : 0);
	}
	KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, VFIO_DEVICE_GET_REGION_INFO,
				      &ri, sizeof(ri)), -EINVAL);
	ii.index = VFIO_PCI_MSI_IRQ_INDEX;
	KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, VFIO_DEVICE_GET_IRQ_INFO, &ii,
				      sizeof(ii)), 0L);
	KUNIT_EXPECT_EQ(test, ii.count, 2U);
	ii.index = VFIO_PCI_REQ_IRQ_INDEX;
	KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, VFIO_DEVICE_GET_IRQ_INFO, &ii,
				      sizeof(ii)), 0L);
	KUNIT_EXPECT_EQ(test, ii.count, 1U);
	ii.index = VFIO_PCI_NUM_IRQS;
	KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, VFIO_DEVICE_GET_IRQ_INFO, &ii,
				      sizeof(ii)), -EINVAL);
	/* bad SET_IRQS: MSI beyond its vectors, an fd that is no eventfd */
	is.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	is.index = VFIO_PCI_MSI_IRQ_INDEX;
	is.count = 3;
	KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, VFIO_DEVICE_SET_IRQS, &is,
				      sizeof(is)), -EINVAL);
	/* no vectors but an eventfd array: nothing to enable */
	is.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	is.count = 0;
	KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, VFIO_DEVICE_SET_IRQS, &is,
				      sizeof(is)), -EINVAL);
	is.index = VFIO_PCI_REQ_IRQ_INDEX;
	KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, VFIO_DEVICE_SET_IRQS, &is,
				      sizeof(is)), -EINVAL);
	is.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	is.index = VFIO_PCI_MSIX_IRQ_INDEX;
	is.count = 1;
	KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, VFIO_DEVICE_SET_IRQS, &is,
				      sizeof(is)), -EINVAL);
	is.index = VFIO_PCI_INTX_IRQ_INDEX;
	is.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK;
	KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, VFIO_DEVICE_SET_IRQS, &is,
				      sizeof(is)), 0L);
	KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, 0x4242, NULL, 0), -ENOTTY);

	/* configuration space, read whole as QEMU does */
	KUNIT_ASSERT_EQ(test, t_rw(ctx, v, CFG(0), cfg, sizeof(cfg), false),
			(ssize_t)sizeof(cfg));
	KUNIT_EXPECT_EQ(test, cfg[0] | cfg[1] << 8, WD_PCI_VENDOR_ID);
	KUNIT_EXPECT_EQ(test, cfg[2] | cfg[3] << 8, FAKE_DEVICE_ID);
	KUNIT_EXPECT_EQ(test, cfg[PCI_REVISION_ID], 7);
	KUNIT_EXPECT_EQ(test, cfg[PCI_CLASS_DEVICE + 1], 0x12);
	KUNIT_EXPECT_EQ(test, cfg[PCI_INTERRUPT_PIN], 1);
	KUNIT_EXPECT_EQ(test, cfg[PCI_CAPABILITY_LIST], WD_VFIO_MSI_CAP);
	KUNIT_EXPECT_EQ(test, cfg[WD_VFIO_MSI_CAP], PCI_CAP_ID_MSI);
	KUNIT_EXPECT_EQ(test, cfg[PCI_SUBSYSTEM_ID], 0x42);
	KUNIT_EXPECT_EQ(test, cfg[PCI_SUBSYSTEM_VENDOR_ID] |
			cfg[PCI_SUBSYSTEM_VENDOR_ID + 1] << 8, WD_PCI_VENDOR_ID);
	/* BAR sizing */
	val = ~0U;
	KUNIT_EXPECT_EQ(test, t_rw(ctx, v, CFG(PCI_BASE_ADDRESS_0), &val, 4,
				   true), 4L);
	KUNIT_EXPECT_EQ(test, t_rw(ctx, v, CFG(PCI_BASE_ADDRESS_0), &val, 4,
				   false), 4L);
	KUNIT_EXPECT_EQ(test, val, ~(WD_PCI_BAR0_SIZE - 1));
	val = ~0U;
	t_rw(ctx, v, CFG(PCI_BASE_ADDRESS_1), &val, 4, true);
	t_rw(ctx, v, CFG(PCI_BASE_ADDRESS_1), &val, 4, false);
	KUNIT_EXPECT_EQ(test, val, 0U);
	/* read-only IDs stay */
	val = 0x12345678;
	t_rw(ctx, v, CFG(PCI_VENDOR_ID), &val, 4, true);
	t_rw(ctx, v, CFG(PCI_VENDOR_ID), &val, 4, false);
	KUNIT_EXPECT_EQ(test, val & 0xffff, (u32)WD_PCI_VENDOR_ID);
	/* outside the regions */
	KUNIT_EXPECT_EQ(test, t_rw(ctx, v, CFG(WD_VFIO_CONFIG_SIZE), &val, 4,
				   false), -EINVAL);
	KUNIT_EXPECT_EQ(test, t_rw(ctx, v, CFG(WD_VFIO_CONFIG_SIZE - 2), &val,
				   4, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, t_rw(ctx, v, (u64)VFIO_PCI_ROM_REGION_INDEX << 40,
				   &val, 4, false), -EINVAL);

	/* BAR0: only with memory decoding, aligned 32-bit */
	KUNIT_EXPECT_EQ(test, t_rw(ctx, v, BAR0(0), &val, 4, false), -EIO);
	t_enable_function(test, v);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, WD_PCI_REG_MAGIC), 0xfa4eU);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, WD_PCI_REG_NR_QUEUES), 2U);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, WD_PCI_REG_VERSION),
			(u32)WD_PCI_VERSION);
	/* the class's parameters: its one, then zeros */
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, WD_PCI_REG_PARAM(0)),
			(u32)FAKE_PARAM0);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, WD_PCI_REG_PARAM(1)), 0U);
	KUNIT_EXPECT_EQ(test,
			t_rd(ctx, v, WD_PCI_REG_PARAM(WD_PCI_MAX_PARAMS - 1)),
			0U);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, WD_PCI_REG_SQE_SIZE),
			(u32)sizeof(struct fake_sqe));
	KUNIT_EXPECT_EQ(test, t_rw(ctx, v, BAR0(2), &val, 4, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, t_rw(ctx, v, BAR0(0), &val, 2, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, t_rw(ctx, v, BAR0(WD_PCI_BAR0_SIZE), &val, 4,
				   false), -EINVAL);
	/* a queue the function does not have reads 0 */
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(2, WD_PCI_Q_DEPTH)), 0U);

	/* enabling with a bad depth records CONFIG */
	t_wr(ctx, v, QREG(1, WD_PCI_Q_DEPTH), 3);
	t_wr(ctx, v, QREG(1, WD_PCI_Q_CTRL), WD_PCI_Q_CTRL_ENABLE);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(1, WD_PCI_Q_STATUS)),
			WD_PCI_Q_STS_ERROR);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(1, WD_PCI_Q_ERROR)),
			WD_PCI_Q_ERR_CONFIG);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, WD_PCI_REG_DEV_STATUS),
			WD_PCI_DEV_STS_ERROR);
	t_wr(ctx, v, QREG(1, WD_PCI_Q_ERROR), WD_PCI_Q_ERR_CONFIG);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(1, WD_PCI_Q_ERROR)), 0U);
	t_queue_on(test, v, 1);
	/* the rings cannot move while enabled */
	t_wr(ctx, v, QREG(1, WD_PCI_Q_DEPTH), 16);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(1, WD_PCI_Q_DEPTH)),
			(u32)FAKE_DEPTH);

	/* reset: queues off, configuration space kept */
	KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, VFIO_DEVICE_RESET, NULL, 0), 0L);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(1, WD_PCI_Q_STATUS)), 0U);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(1, WD_PCI_Q_DEPTH)), 0U);

	t_close(ctx, a);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->fake.engines), 0);
	/* open again: a fresh function */
	KUNIT_ASSERT_EQ(test, t_open(ctx, a, &v), 0);
	KUNIT_EXPECT_EQ(test, t_rw(ctx, v, BAR0(0), &val, 4, false), -EIO);
}

/* ---- requests ---- */

static void wd_vfio_test_requests(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct fake *fake = &ctx->fake;
	u8 *src, *dst;
	struct wd_vfio *v;
	int a, i;

	a = t_running_queue(test, "vq2", &v);

	/* two pages each way, at odd offsets */
	src = fake_mem(fake, DATA_IOVA + 100);
	for (i = 0; i < 3000; i++)
		src[i] = i * 7;
	t_submit(ctx, 0, 0, FAKE_OP_COPY, DATA_IOVA + 100,
		 DATA_IOVA + 5 * PAGE_SIZE + 3000, 3000);
	t_wr(ctx, v, QREG(0, WD_PCI_Q_SQ_TAIL), 1);
	KUNIT_ASSERT_TRUE(test, t_wait_cq(ctx, v, 0, 1));
	dst = fake_mem(fake, DATA_IOVA + 5 * PAGE_SIZE + 3000);
	KUNIT_EXPECT_EQ(test, t_cqe(ctx, 0, 0)->status, (u32)FAKE_STS_OK);
	KUNIT_EXPECT_EQ(test, t_cqe(ctx, 0, 0)->user_data, 0x1000ULL);
	KUNIT_EXPECT_EQ(test, memcmp(src, dst, PAGE_SIZE - 3000), 0);
	/* the rest landed in the next page */
	dst = fake_mem(fake, DATA_IOVA + 5 * PAGE_SIZE + 3000 + 2999);
	KUNIT_EXPECT_EQ(test, *dst, src[2999]);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake->pinned_max), 3);
	KUNIT_EXPECT_EQ(test, fake_pins_now(fake), 0);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(0, WD_PCI_Q_SQ_HEAD)), 1U);
	KUNIT_EXPECT_TRUE(test, t_wait_reg(ctx, v, WD_PCI_REG_IRQ_STATUS, 1));
	t_wr(ctx, v, WD_PCI_REG_IRQ_STATUS, 1);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, WD_PCI_REG_IRQ_STATUS), 0U);

	/* an invalid descriptor, an unmapped source; the queue goes on */
	t_submit(ctx, 0, 1, 99, 0, 0, 0);
	t_submit(ctx, 0, 2, FAKE_OP_COPY, FAKE_UNMAPPED, DATA_IOVA, 64);
	t_submit(ctx, 0, 3, FAKE_OP_COPY, DATA_IOVA, DATA_IOVA + 64, 64);
	t_wr(ctx, v, QREG(0, WD_PCI_Q_SQ_TAIL), 4);
	KUNIT_ASSERT_TRUE(test, t_wait_cq(ctx, v, 0, 4));
	KUNIT_EXPECT_EQ(test, t_cqe(ctx, 0, 1)->status, (u32)FAKE_STS_INVALID);
	KUNIT_EXPECT_EQ(test, t_cqe(ctx, 0, 2)->status, (u32)FAKE_STS_ADDR);
	KUNIT_EXPECT_EQ(test, t_cqe(ctx, 0, 3)->status, (u32)FAKE_STS_OK);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(0, WD_PCI_Q_ERROR)),
			WD_PCI_Q_ERR_ADDR);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(0, WD_PCI_Q_ERR_IOVA_LO)),
			(u32)FAKE_UNMAPPED);
	KUNIT_EXPECT_EQ(test, fake_pins_now(fake), 0);
	t_wr(ctx, v, QREG(0, WD_PCI_Q_ERROR), ~0U);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(0, WD_PCI_Q_ERR_IOVA_LO)), 0U);

	/* the CQ is full until the driver consumes it */
	for (i = 4; i < 4 + FAKE_DEPTH; i++)
		t_submit(ctx, 0, i, FAKE_OP_COPY, DATA_IOVA, DATA_IOVA + 64, 8);
	t_wr(ctx, v, QREG(0, WD_PCI_Q_SQ_TAIL), 4 + FAKE_DEPTH);
	KUNIT_EXPECT_TRUE(test, t_wait_cq(ctx, v, 0, FAKE_DEPTH));
	msleep(20);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(0, WD_PCI_Q_CQ_TAIL)),
			(u32)FAKE_DEPTH);
	t_wr(ctx, v, QREG(0, WD_PCI_Q_CQ_HEAD), FAKE_DEPTH);
	KUNIT_EXPECT_TRUE(test, t_wait_cq(ctx, v, 0, 4 + FAKE_DEPTH));

	/* a doorbell more than DEPTH ahead is ignored */
	t_wr(ctx, v, QREG(0, WD_PCI_Q_CQ_HEAD), 4 + FAKE_DEPTH);
	t_wr(ctx, v, QREG(0, WD_PCI_Q_SQ_TAIL), 100);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(0, WD_PCI_Q_SQ_TAIL)),
			4U + FAKE_DEPTH);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(0, WD_PCI_Q_ERROR)),
			WD_PCI_Q_ERR_DOORBELL);

	/* no DMA without bus mastering */
	t_wr(ctx, v, QREG(0, WD_PCI_Q_ERROR), ~0U);
	i = PCI_COMMAND_MEMORY;
	t_rw(ctx, v, CFG(PCI_COMMAND), &i, 2, true);
	t_submit(ctx, 0, 12, FAKE_OP_COPY, DATA_IOVA, DATA_IOVA + 64, 8);
	t_wr(ctx, v, QREG(0, WD_PCI_Q_SQ_TAIL), 13);
	msleep(20);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(0, WD_PCI_Q_CQ_TAIL)), 12U);
	t_enable_function(test, v);
	KUNIT_EXPECT_TRUE(test, t_wait_cq(ctx, v, 0, 13));

	/* an SQ that cannot be read halts the queue */
	t_wr(ctx, v, QREG(0, WD_PCI_Q_CTRL), 0);
	t_wr(ctx, v, QREG(0, WD_PCI_Q_SQ_BASE_LO), (u32)FAKE_UNMAPPED);
	t_wr(ctx, v, QREG(0, WD_PCI_Q_CTRL), WD_PCI_Q_CTRL_ENABLE);
	t_wr(ctx, v, QREG(0, WD_PCI_Q_SQ_TAIL), 1);
	for (i = 0; i < WAIT_MS; i++) {
		if (t_rd(ctx, v, QREG(0, WD_PCI_Q_STATUS)) &
		    WD_PCI_Q_STS_HALTED)
			break;
		usleep_range(1000, 2000);
	}
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(0, WD_PCI_Q_STATUS)),
			WD_PCI_Q_STS_ENABLED | WD_PCI_Q_STS_ERROR |
			WD_PCI_Q_STS_HALTED);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(0, WD_PCI_Q_ERROR)),
			WD_PCI_Q_ERR_RING);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(0, WD_PCI_Q_ERR_IOVA_LO)),
			(u32)FAKE_UNMAPPED);
	t_close(ctx, a);
	KUNIT_EXPECT_EQ(test, fake_pins_now(fake), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake->engines), 0);
}

/* A pin that fails in the middle of a request unpins what it pinned. */
static void wd_vfio_test_pin_unwind(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct fake *fake = &ctx->fake;
	struct wd_vfio *v;
	int a, n;

	a = t_running_queue(test, "vq1", &v);

	/* each request pins two ranges: fail the first, then the second */
	for (n = 1; n <= 2; n++) {
		atomic_set(&fake->fail_pin_call,
			   atomic_read(&fake->pin_calls) + n);
		t_submit(ctx, 0, n - 1, FAKE_OP_COPY, DATA_IOVA,
			 DATA_IOVA + 2 * PAGE_SIZE, 2 * PAGE_SIZE);
		t_wr(ctx, v, QREG(0, WD_PCI_Q_SQ_TAIL), n);
		KUNIT_ASSERT_TRUE(test, t_wait_cq(ctx, v, 0, n));
		KUNIT_EXPECT_EQ(test, t_cqe(ctx, 0, n - 1)->status,
				(u32)FAKE_STS_ADDR);
		KUNIT_EXPECT_EQ(test, fake_pins_now(fake), 0);
		KUNIT_EXPECT_EQ(test, atomic_read(&fake->unpin_errors), 0);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&fake->executing), 0);
}

/* ---- a request in flight ---- */

enum t_stop { T_UNMAP, T_RESET, T_DISABLE, T_CLOSE, T_REQUEST };

/* Starts a BLOCK request on queue 0 and stops it as @how says. */
static void t_stop_in_flight(struct kunit *test, enum t_stop how)
{
	struct test_ctx *ctx = test->priv;
	struct fake *fake = &ctx->fake;
	struct wd_vfio *v;
	int a;

	a = t_running_queue(test, "vq1", &v);
	t_submit(ctx, 0, 0, FAKE_OP_BLOCK, DATA_IOVA, DATA_IOVA + PAGE_SIZE,
		 PAGE_SIZE);
	/* behind it, a request to the same destination */
	t_submit(ctx, 0, 1, FAKE_OP_COPY, DATA_IOVA, DATA_IOVA + PAGE_SIZE, 8);
	t_wr(ctx, v, QREG(0, WD_PCI_Q_SQ_TAIL), how == T_UNMAP ? 2 : 1);
	KUNIT_ASSERT_TRUE(test, t_wait_executing(fake, 1));
	KUNIT_EXPECT_EQ(test, fake_pins_now(fake), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake->pin_calls), 2);

	switch (how) {
	case T_UNMAP:
		/* a range the request does not use: it goes on */
		v->vfio_dev.ops->dma_unmap(&v->vfio_dev,
					   DATA_IOVA + 4 * PAGE_SIZE, PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, atomic_read(&fake->executing), 1);
		KUNIT_EXPECT_EQ(test, fake_pins_now(fake), 2);
		/* its destination: aborted, unpinned when unmap returns */
		v->vfio_dev.ops->dma_unmap(&v->vfio_dev, DATA_IOVA + PAGE_SIZE,
					   PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, atomic_read(&fake->pins[1]), 0);
		KUNIT_EXPECT_EQ(test, fake_pins_now(fake), 0);
		KUNIT_EXPECT_TRUE(test, t_wait_cq(ctx, v, 0, 2));
		KUNIT_EXPECT_EQ(test, t_cqe(ctx, 0, 0)->status,
				(u32)FAKE_STS_ABORTED);
		/*
		 * the next one is refused without a pin: type1 may still
		 * have the range mapped while it checks our unpinning
		 */
		KUNIT_EXPECT_EQ(test, t_cqe(ctx, 0, 1)->status,
				(u32)FAKE_STS_ADDR);
		KUNIT_EXPECT_EQ(test, atomic_read(&fake->pin_calls), 2);
		KUNIT_EXPECT_EQ(test,
				t_rd(ctx, v, QREG(0, WD_PCI_Q_ERR_IOVA_LO)),
				(u32)(DATA_IOVA + PAGE_SIZE));
		/* the next doorbell: the range may be mapped again */
		t_submit(ctx, 0, 2, FAKE_OP_COPY, DATA_IOVA, DATA_IOVA + PAGE_SIZE,
			 8);
		t_wr(ctx, v, QREG(0, WD_PCI_Q_SQ_TAIL), 3);
		KUNIT_EXPECT_TRUE(test, t_wait_cq(ctx, v, 0, 3));
		KUNIT_EXPECT_EQ(test, t_cqe(ctx, 0, 2)->status,
				(u32)FAKE_STS_OK);
		break;
	case T_RESET:
		KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, VFIO_DEVICE_RESET, NULL,
					      0), 0L);
		KUNIT_EXPECT_EQ(test, fake_pins_now(fake), 0);
		KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(0, WD_PCI_Q_STATUS)),
				0U);
		KUNIT_EXPECT_EQ(test, t_rd(ctx, v, WD_PCI_REG_IRQ_STATUS),
				0U);
		break;
	case T_DISABLE:
		t_wr(ctx, v, QREG(0, WD_PCI_Q_CTRL), 0);
		KUNIT_EXPECT_EQ(test, fake_pins_now(fake), 0);
		/* completes with ABORTED */
		KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(0, WD_PCI_Q_CQ_TAIL)),
				1U);
		KUNIT_EXPECT_EQ(test, t_cqe(ctx, 0, 0)->status,
				(u32)FAKE_STS_ABORTED);
		break;
	case T_CLOSE:
		t_close(ctx, a);
		KUNIT_EXPECT_EQ(test, fake_pins_now(fake), 0);
		KUNIT_EXPECT_EQ(test, atomic_read(&fake->engines), 0);
		break;
	case T_REQUEST:
		/* the host asks for the function back: GONE, no DMA */
		v->vfio_dev.ops->request(&v->vfio_dev, 0);
		KUNIT_EXPECT_EQ(test, fake_pins_now(fake), 0);
		KUNIT_EXPECT_EQ(test, t_rd(ctx, v, WD_PCI_REG_DEV_STATUS),
				WD_PCI_DEV_STS_GONE);
		KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(0, WD_PCI_Q_CQ_TAIL)),
				0U);
		t_queue_setup(ctx, v, 0);
		KUNIT_EXPECT_EQ(test, t_rd(ctx, v, QREG(0, WD_PCI_Q_ERROR)),
				WD_PCI_Q_ERR_CONFIG);
		v->vfio_dev.ops->request(&v->vfio_dev, 1);
		/* the VMM closes: the removal completes */
		t_close(ctx, a);
		KUNIT_EXPECT_EQ(test, t_destroy(ctx, a), 0);
		ctx->nr_uuids = 0;
		break;
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&fake->executing), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake->aborted), 1);
	t_close(ctx, a);
	KUNIT_EXPECT_EQ(test, fake_pins_now(fake), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake->unpin_errors), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake->engines), 0);
}

static void wd_vfio_test_unmap_in_flight(struct kunit *test)
{
	t_stop_in_flight(test, T_UNMAP);
}

static void wd_vfio_test_reset_in_flight(struct kunit *test)
{
	t_stop_in_flight(test, T_RESET);
}

static void wd_vfio_test_disable_in_flight(struct kunit *test)
{
	t_stop_in_flight(test, T_DISABLE);
}

static void wd_vfio_test_close_in_flight(struct kunit *test)
{
	t_stop_in_flight(test, T_CLOSE);
}

static void wd_vfio_test_request(struct kunit *test)
{
	t_stop_in_flight(test, T_REQUEST);
}

/* Removing the accelerator removes its closed functions. */
static void wd_vfio_test_remove_accel(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;

	KUNIT_ASSERT_EQ(test, fake_register(&ctx->fake, fake_types,
					    ARRAY_SIZE(fake_types)), 0);
	KUNIT_ASSERT_GE(test, t_create(ctx, "vq2"), 0);
	KUNIT_ASSERT_GE(test, t_create(ctx, "vq1"), 0);
	fake_remove(&ctx->fake);
	KUNIT_EXPECT_NULL(test, t_vfio(ctx, 0));
	ctx->nr_uuids = 0;
	t_expect_no_leak(test, "after removal");
}

/* ---- fault injection ---- */

/*
 * Create a vq2 and open it with the n-th allocation of this thread failing
 * (fail_nth.h).  Return 0 (both done), 1 (the create failed) or 2 (the
 * open failed); *@fired: the n-th allocation was reached.
 */
static int t_create_once(struct kunit *test, unsigned int n, bool *fired)
{
	struct test_ctx *ctx = test->priv;
	struct wd_vfio *v;
	int a, ret = 0;

	kt_fail_nth(n);
	a = t_create(ctx, "vq2");
	if (a >= 0)
		ret = t_open(ctx, a, &v);
	*fired = kt_fail_nth_fired();
	if (a < 0 || ret) {
		KUNIT_EXPECT_EQ_MSG(test, a < 0 ? a : ret, -ENOMEM,
				    "%s (n=%u)", a < 0 ? "create" : "open", n);
		KUNIT_EXPECT_TRUE_MSG(test, *fired,
				      "failed without a fault (n=%u)", n);
	}
	if (a >= 0) {
		t_close(ctx, a);
		KUNIT_EXPECT_EQ(test, t_destroy(ctx, a), 0);
		ctx->nr_uuids--;
	}
	KUNIT_EXPECT_EQ_MSG(test, t_avail(ctx, "vq1"), FAKE_QUEUES,
			    "queues after n=%u", n);
	return a < 0 ? 1 : ret ? 2 : 0;
}

static void wd_vfio_test_faults(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	unsigned int n, nr[3] = { };
	bool fired;
	int failed;

	kt_fail_nth_require(test);
	/*
	 * 6.1's vfio_create_group() puts a group it failed to add with its
	 * iommu_group still set: vfio_group_release() WARNs and the group's
	 * iommu_group reference leaks.  Its allocations are not failed; the
	 * rest of vfio_register_emulated_iommu_dev() (the iommu group, the
	 * device's name and device_add()) is.
	 */
	kt_fail_nth_skip(test, "vfio_create_group");
	KUNIT_ASSERT_EQ(test, fake_register(&ctx->fake, fake_types,
					    ARRAY_SIZE(fake_types)), 0);
	for (n = 1; n < 4000; n++) {
		failed = t_create_once(test, n, &fired);
		t_expect_no_leak(test, "after a sweep step");
		if (!failed && !fired)
			break;
		nr[failed]++;
	}
	KUNIT_EXPECT_LT(test, n, 4000U);
	kunit_info(test, "%u allocations: %u create, %u open failures\n",
		   n - 1, nr[1], nr[2]);
	/* create: the instance, the vfio device, its registration */
	KUNIT_EXPECT_GE(test, nr[1], 3U);
	/* open: the engines and page arrays of FAKE_QUEUES queues */
	KUNIT_EXPECT_GE(test, nr[2], 2U);
}

/* ---- migration ---- */

static struct file *t_mig_set(struct wd_vfio *v, u32 state)
{
	return v->vfio_dev.mig_ops->migration_set_state(&v->vfio_dev, state);
}

static u32 t_mig_state(struct wd_vfio *v)
{
	enum vfio_device_mig_state state = VFIO_DEVICE_STATE_ERROR;

	v->vfio_dev.mig_ops->migration_get_state(&v->vfio_dev, &state);
	return state;
}

/* Drops the VMM's reference to a data file, released at once. */
static void t_mig_put(struct file *f)
{
	if (!IS_ERR_OR_NULL(f)) {
		fput(f);
		flush_delayed_fput();
	}
}

/* One read() of a data file into @buf: what it returned. */
static ssize_t t_mig_read(struct test_ctx *ctx, struct file *f, void *buf,
			  size_t n)
{
	void __user *ubuf = (void __user *)ctx->ubuf;
	ssize_t ret = f->f_op->read(f, ubuf, min_t(size_t, n, PAGE_SIZE), NULL);

	if (ret > 0 && copy_from_user(buf, ubuf, ret))
		return -EFAULT;
	return ret;
}

/* One write() of @n bytes of @buf to a data file: what it returned. */
static ssize_t t_mig_write(struct test_ctx *ctx, struct file *f,
			   const void *buf, size_t n)
{
	void __user *ubuf = (void __user *)ctx->ubuf;

	if (n > PAGE_SIZE || copy_to_user(ubuf, buf, n))
		return -EFAULT;
	return f->f_op->write(f, ubuf, n, NULL);
}

/* The whole stream of @v, stopped in STOP_COPY: its length. */
static size_t t_mig_save(struct kunit *test, struct wd_vfio *v, u8 *buf,
			 size_t size)
{
	struct test_ctx *ctx = test->priv;
	struct file *f = t_mig_set(v, VFIO_DEVICE_STATE_STOP_COPY);
	size_t len = 0;
	ssize_t n;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(f));
	while ((n = t_mig_read(ctx, f, buf + len, size - len)) > 0)
		len += n;
	KUNIT_EXPECT_EQ_MSG(test, n, 0L, "the end of the stream");
	KUNIT_EXPECT_TRUE(test, IS_ERR_OR_NULL(t_mig_set(v, VFIO_DEVICE_STATE_STOP)));
	/* STOP ended the file */
	KUNIT_EXPECT_EQ(test, t_mig_read(ctx, f, buf, 1), (ssize_t)-ENODEV);
	t_mig_put(f);
	return len;
}

static u32 t_crc(const void *buf, size_t len)
{
	return ~crc32_le(~0U, buf, len);
}

/* Recomputes a stream's CRCs after a test changed it on purpose. */
static void t_mig_seal(u8 *stream)
{
	struct wd_pci_mig_header *h = (void *)stream;

	h->body_crc = cpu_to_le32(t_crc(h + 1, le32_to_cpu(h->body_size)));
	h->header_crc = cpu_to_le32(t_crc(h, offsetof(struct wd_pci_mig_header,
						      header_crc)));
}

/* A COPY request through queue 0 of @v completes: the function works. */
static void t_expect_usable(struct kunit *test, struct wd_vfio *v,
			    const char *when)
{
	struct test_ctx *ctx = test->priv;
	u32 tail;

	t_enable_function(test, v);
	if (!(t_rd(ctx, v, QREG(0, WD_PCI_Q_STATUS)) & WD_PCI_Q_STS_ENABLED))
		t_queue_on(test, v, 0);
	tail = t_rd(ctx, v, QREG(0, WD_PCI_Q_SQ_TAIL));
	t_submit(ctx, 0, tail, FAKE_OP_COPY, DATA_IOVA, DATA_IOVA + PAGE_SIZE,
		 32);
	KUNIT_EXPECT_EQ(test, t_wr(ctx, v, QREG(0, WD_PCI_Q_SQ_TAIL), tail + 1),
			4L);
	KUNIT_EXPECT_TRUE_MSG(test, t_wait_cq(ctx, v, 0, tail + 1),
			      "a request completes %s", when);
	KUNIT_EXPECT_EQ_MSG(test, t_cqe(ctx, 0, tail)->status, FAKE_STS_OK,
			    "its status %s", when);
}

/* The path of instance @inst's migration/@attr, in @path. */
static const char *t_mig_attr(struct test_ctx *ctx, int inst, const char *attr,
			      char path[PATH_SIZE])
{
	snprintf(path, PATH_SIZE, "/sys/bus/mdev/devices/%s/migration/%s",
		 ctx->uuids[inst], attr);
	return path;
}

static const char *const t_state_names[] = {
	[VFIO_DEVICE_STATE_ERROR] = "ERROR",
	[VFIO_DEVICE_STATE_STOP] = "STOP",
	[VFIO_DEVICE_STATE_RUNNING] = "RUNNING",
	[VFIO_DEVICE_STATE_STOP_COPY] = "STOP_COPY",
	[VFIO_DEVICE_STATE_RESUMING] = "RESUMING",
	[VFIO_DEVICE_STATE_RUNNING_P2P] = "RUNNING_P2P",
};

/*
 * Every pair of states, reached with the VFIO core's combination arcs:
 * a data file exactly when entering STOP_COPY or RESUMING, BAR0 writes
 * refused while stopped, RESUMING left only with a state or a reset, and
 * ERROR never accepted as a target.
 */
static void wd_vfio_test_mig_states(struct kunit *test)
{
	static const u32 states[] = {
		VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_RUNNING_P2P,
		VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_STOP_COPY,
	};
	struct test_ctx *ctx = test->priv;
	char desc[256], ver[WD_PCI_MIG_COMPAT_LEN + 1], path[PATH_SIZE];
	struct wd_vfio *v;
	struct file *f;
	unsigned int i, j;

	t_running_queue(test, "vq1", &v);
	KUNIT_EXPECT_EQ(test, v->vfio_dev.migration_flags,
			VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P);
	/* the type tells its instances' migration version */
	KUNIT_ASSERT_EQ(test, t_type_attr(ctx, "vq1", "description", desc,
					  sizeof(desc), NULL), 0);
	KUNIT_ASSERT_EQ(test, kt_file(t_mig_attr(ctx, 0, "version", path),
				      ver, sizeof(ver), NULL), 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(desc, "migration_version: "));
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(desc, ver),
				  "'%s' in '%s'", ver, desc);
	KUNIT_EXPECT_EQ(test, t_mig_state(v), (u32)VFIO_DEVICE_STATE_RUNNING);

	for (i = 0; i < ARRAY_SIZE(states); i++) {
		for (j = 0; j < ARRAY_SIZE(states); j++) {
			u32 from = states[i], to = states[j];
			bool stopped = to == VFIO_DEVICE_STATE_STOP ||
				       to == VFIO_DEVICE_STATE_STOP_COPY;

			t_mig_put(t_mig_set(v, VFIO_DEVICE_STATE_RUNNING));
			t_mig_put(t_mig_set(v, from));
			KUNIT_ASSERT_EQ(test, t_mig_state(v), from);
			f = t_mig_set(v, to);
			KUNIT_EXPECT_FALSE_MSG(test, IS_ERR(f), "%s -> %s",
					       t_state_names[from],
					       t_state_names[to]);
			KUNIT_EXPECT_EQ_MSG(test, !!f,
					    to == VFIO_DEVICE_STATE_STOP_COPY &&
					    from != to,
					    "a data file for %s -> %s",
					    t_state_names[from],
					    t_state_names[to]);
			t_mig_put(f);
			KUNIT_EXPECT_EQ(test, t_mig_state(v), to);
			KUNIT_EXPECT_EQ_MSG(test,
					    t_wr(ctx, v, QREG(0, WD_PCI_Q_CQ_HEAD), 0),
					    stopped ? (ssize_t)-EBUSY : 4L,
					    "a BAR0 write in %s",
					    t_state_names[to]);
		}
	}

	/* RESUMING with nothing written cannot be left but by a reset */
	t_mig_put(t_mig_set(v, VFIO_DEVICE_STATE_RUNNING));
	f = t_mig_set(v, VFIO_DEVICE_STATE_RESUMING);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(f));
	KUNIT_EXPECT_EQ(test, t_mig_state(v), (u32)VFIO_DEVICE_STATE_RESUMING);
	KUNIT_EXPECT_EQ(test, t_wr(ctx, v, QREG(0, WD_PCI_Q_CQ_HEAD), 0),
			(ssize_t)-EBUSY);
	KUNIT_EXPECT_EQ(test, PTR_ERR(t_mig_set(v, VFIO_DEVICE_STATE_RUNNING)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, t_mig_state(v), (u32)VFIO_DEVICE_STATE_RESUMING);
	KUNIT_EXPECT_EQ(test, PTR_ERR(t_mig_set(v, VFIO_DEVICE_STATE_ERROR)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, VFIO_DEVICE_RESET, NULL, 0), 0L);
	KUNIT_EXPECT_EQ(test, t_mig_state(v), (u32)VFIO_DEVICE_STATE_RUNNING);
	KUNIT_EXPECT_EQ(test, t_mig_write(ctx, f, "x", 1), (ssize_t)-ENODEV);
	t_mig_put(f);
	t_expect_usable(test, v, "after the reset");
}

struct t_mig_async {
	struct wd_vfio *v;
	u32 state;
	struct file *res;
	struct completion done;
};

static int t_mig_async_fn(void *data)
{
	struct t_mig_async *a = data;

	a->res = t_mig_set(a->v, a->state);
	complete(&a->done);
	return 0;
}

/*
 * Instance A of vq2 has a request executing and three queued when the
 * VMM stops it: RUNNING_P2P waits for the one executing, which completes
 * on A; the stream carries the ring indices; instance B takes it, written
 * in odd pieces, and executes the three.  Each request ran once, and the
 * state took MIG_DATA_SIZE bytes.
 */
static void wd_vfio_test_mig_move(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct t_mig_async async = { .state = VFIO_DEVICE_STATE_RUNNING_P2P };
	struct {
		__aligned_u64 stop_copy_length;
	} size;	/* VFIO_DEVICE_FEATURE_MIG_DATA_SIZE (9), not in 6.1 */
	const struct wd_pci_mig_header *h;
	struct task_struct *task;
	struct wd_vfio *a, *b;
	size_t len, off;
	struct file *f;
	u8 *stream, *src, *dst;
	int ib, i, ret;

	stream = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, stream);
	t_running_queue(test, "vq2", &a);
	ib = t_create(ctx, "vq2");
	KUNIT_ASSERT_GE(test, ib, 0);
	KUNIT_ASSERT_EQ(test, t_open(ctx, ib, &b), 0);

	src = fake_mem(&ctx->fake, DATA_IOVA);
	dst = fake_mem(&ctx->fake, DATA_IOVA + PAGE_SIZE);
	for (i = 0; i < 256; i++)
		src[i] = i * 7 + 1;
	t_submit(ctx, 0, 0, FAKE_OP_BLOCK, DATA_IOVA, DATA_IOVA + PAGE_SIZE, 64);
	for (i = 1; i < 4; i++)
		t_submit(ctx, 0, i, FAKE_OP_COPY, DATA_IOVA + 64 * i,
			 DATA_IOVA + PAGE_SIZE + 64 * i, 64);
	KUNIT_EXPECT_EQ(test, t_wr(ctx, a, QREG(0, WD_PCI_Q_SQ_TAIL), 4), 4L);
	KUNIT_ASSERT_TRUE(test, t_wait_executing(&ctx->fake, 1));

	/* RUNNING_P2P waits for the request executing */
	async.v = a;
	init_completion(&async.done);
	task = kthread_run(t_mig_async_fn, &async, "wd_vfio_kunit_mig");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	msleep(100);
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&async.done),
			       "RUNNING_P2P came with a request executing");
	WRITE_ONCE(ctx->fake.release, true);
	wait_for_completion(&async.done);
	KUNIT_EXPECT_NULL(test, async.res);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, a, QREG(0, WD_PCI_Q_CQ_TAIL)), 1U);
	KUNIT_EXPECT_EQ(test, t_cqe(ctx, 0, 0)->status, FAKE_STS_OK);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->fake.aborted), 0);
	/* quiesced: the queue takes its doorbell and executes nothing */
	KUNIT_EXPECT_EQ(test, t_wr(ctx, a, QREG(0, WD_PCI_Q_SQ_TAIL), 4), 4L);
	msleep(50);
	KUNIT_EXPECT_EQ(test, t_rd(ctx, a, QREG(0, WD_PCI_Q_SQ_HEAD)), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->fake.executed), 1);

	ret = a->vfio_dev.ops->device_feature(&a->vfio_dev,
					      VFIO_DEVICE_FEATURE_GET | 9,
					      (void __user *)ctx->ubuf,
					      sizeof(size));
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, copy_from_user(&size, (void __user *)ctx->ubuf,
					     sizeof(size)), 0UL);
	len = t_mig_save(test, a, stream, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, len, (size_t)size.stop_copy_length);
	h = (const void *)stream;
	KUNIT_EXPECT_EQ(test, le32_to_cpu(h->magic), (u32)WD_PCI_MIG_MAGIC);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(h->version), (u16)WD_PCI_MIG_VERSION);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(h->nr_queues), 2U);
	KUNIT_EXPECT_EQ(test, len, sizeof(*h) + le32_to_cpu(h->body_size));
	KUNIT_EXPECT_NOT_NULL(test, strstr(h->type, "vq2"));
	t_close(ctx, 0);	/* the source is gone */

	f = t_mig_set(b, VFIO_DEVICE_STATE_RESUMING);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(f));
	for (off = 0, i = 1; off < len; i *= 13) {
		size_t n = min_t(size_t, i, len - off);

		KUNIT_EXPECT_EQ(test, t_mig_write(ctx, f, stream + off, n),
				(ssize_t)n);
		off += n;
	}
	KUNIT_EXPECT_NULL(test, t_mig_set(b, VFIO_DEVICE_STATE_RUNNING));
	t_mig_put(f);
	KUNIT_EXPECT_EQ(test, t_mig_state(b), (u32)VFIO_DEVICE_STATE_RUNNING);
	KUNIT_EXPECT_TRUE(test, t_wait_cq(ctx, b, 0, 4));
	for (i = 1; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, t_cqe(ctx, 0, i)->status, FAKE_STS_OK);
		KUNIT_EXPECT_EQ(test, t_cqe(ctx, 0, i)->user_data, 0x1000ULL + i);
	}
	KUNIT_EXPECT_EQ(test, memcmp(src + 64, dst + 64, 192), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->fake.executed), 4);
	/* B's config space came with the state: bus master, memory on */
	KUNIT_EXPECT_EQ(test, t_rd(ctx, b, QREG(0, WD_PCI_Q_STATUS)),
			WD_PCI_Q_STS_ENABLED);
}

/* @stream into a fresh RESUMING of @v: the errno of the first refusal. */
static int t_mig_load(struct kunit *test, struct wd_vfio *v, const u8 *stream,
		      size_t len)
{
	struct test_ctx *ctx = test->priv;
	struct file *f = t_mig_set(v, VFIO_DEVICE_STATE_RESUMING);
	ssize_t n;
	int ret = 0;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(f));
	n = t_mig_write(ctx, f, stream, len);
	/* a write that goes past the stream's end stops short of it */
	if (n >= 0 && (size_t)n < len)
		n = t_mig_write(ctx, f, stream + n, len - n);
	if (n < 0)
		ret = n;
	if (!ret)
		ret = PTR_ERR_OR_ZERO(t_mig_set(v, VFIO_DEVICE_STATE_STOP));
	if (ret) {
		KUNIT_EXPECT_EQ(test, t_mig_state(v),
				(u32)VFIO_DEVICE_STATE_RESUMING);
		KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, VFIO_DEVICE_RESET, NULL, 0),
				0L);
	} else {
		t_mig_put(t_mig_set(v, VFIO_DEVICE_STATE_RUNNING));
	}
	KUNIT_EXPECT_EQ(test, t_mig_state(v), (u32)VFIO_DEVICE_STATE_RUNNING);
	t_mig_put(f);
	return ret;
}

/*
 * Streams a destination must refuse, each with the errno and a kernel
 * message: another queue count, a bad magic, a later version, a corrupt
 * header or body, too short, too long, a queue register out of range.
 * After each the instance works; a good stream is then taken.
 */
static void wd_vfio_test_mig_refused(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct wd_pci_mig_header *h;
	struct wd_vfio_mig_queue *mq;
	struct wd_vfio *a, *b, *c;
	u8 *good, *bad;
	size_t len;
	int ib, ic;

	good = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	bad = kunit_kzalloc(test, PAGE_SIZE + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, good);
	KUNIT_ASSERT_NOT_NULL(test, bad);
	t_running_queue(test, "vq2", &a);
	len = t_mig_save(test, a, good, PAGE_SIZE);
	KUNIT_ASSERT_GT(test, len, sizeof(*h));
	ib = t_create(ctx, "vq4");
	ic = t_create(ctx, "vq2");
	KUNIT_ASSERT_GE(test, ib, 0);
	KUNIT_ASSERT_GE(test, ic, 0);
	KUNIT_ASSERT_EQ(test, t_open(ctx, ib, &b), 0);
	KUNIT_ASSERT_EQ(test, t_open(ctx, ic, &c), 0);
	h = (void *)bad;
	/* the body's first queue, after config space and IRQ_STATUS */
	mq = (void *)(bad + sizeof(*h) + WD_VFIO_CONFIG_SIZE + 8);

	KUNIT_EXPECT_EQ_MSG(test, t_mig_load(test, b, good, len), -EINVAL,
			    "a vq2 stream into a vq4");
	t_expect_usable(test, b, "after a vq2 stream");

	memcpy(bad, good, len);
	h->magic ^= cpu_to_le32(1);
	KUNIT_EXPECT_EQ_MSG(test, t_mig_load(test, c, bad, len), -EINVAL,
			    "bad magic");
	memcpy(bad, good, len);
	h->version = cpu_to_le16(WD_PCI_MIG_VERSION + 1);
	t_mig_seal(bad);
	KUNIT_EXPECT_EQ_MSG(test, t_mig_load(test, c, bad, len), -EOPNOTSUPP,
			    "a later version");
	memcpy(bad, good, len);
	h->description[3] ^= 0x20;
	KUNIT_EXPECT_EQ_MSG(test, t_mig_load(test, c, bad, len), -EINVAL,
			    "a header byte changed");
	memcpy(bad, good, len);
	h->compat[0] ^= 1;
	t_mig_seal(bad);
	KUNIT_EXPECT_EQ_MSG(test, t_mig_load(test, c, bad, len), -EINVAL,
			    "another compat string");
	memcpy(bad, good, len);
	bad[len - 3] ^= 0x40;
	KUNIT_EXPECT_EQ_MSG(test, t_mig_load(test, c, bad, len), -EINVAL,
			    "a body byte changed");
	KUNIT_EXPECT_EQ_MSG(test, t_mig_load(test, c, good, len - 1), -EINVAL,
			    "one byte short");
	KUNIT_EXPECT_EQ_MSG(test, t_mig_load(test, c, good, sizeof(*h) - 1),
			    -EINVAL, "the header cut");
	memcpy(bad, good, len);
	bad[len] = 0;
	KUNIT_EXPECT_EQ_MSG(test, t_mig_load(test, c, bad, len + 1), -EINVAL,
			    "one byte too many");
	memcpy(bad, good, len);
	mq->depth = cpu_to_le32(3);
	mq->ctrl = cpu_to_le32(WD_PCI_Q_CTRL_ENABLE);
	t_mig_seal(bad);
	KUNIT_EXPECT_EQ_MSG(test, t_mig_load(test, c, bad, len), -EINVAL,
			    "an enabled queue of depth 3");
	memcpy(bad, good, len);
	mq->sq_tail = cpu_to_le32(le32_to_cpu(mq->sq_head) + 2 * FAKE_DEPTH);
	t_mig_seal(bad);
	KUNIT_EXPECT_EQ_MSG(test, t_mig_load(test, c, bad, len), -EINVAL,
			    "SQ_TAIL beyond DEPTH");
	t_expect_usable(test, c, "after the refused streams");

	t_close(ctx, 0);
	KUNIT_EXPECT_EQ_MSG(test, t_mig_load(test, c, good, len), 0,
			    "the good stream");
	t_expect_usable(test, c, "after the good stream");
}

/*
 * A reset while a migration arc holds the state does not wait for it:
 * the state's next holder returns it to RUNNING.
 */
static void wd_vfio_test_mig_deferred_reset(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct wd_vfio *v;

	t_running_queue(test, "vq1", &v);
	t_mig_put(t_mig_set(v, VFIO_DEVICE_STATE_STOP));
	mutex_lock(&v->state_mutex);
	KUNIT_EXPECT_EQ(test, t_ioctl(ctx, v, VFIO_DEVICE_RESET, NULL, 0), 0L);
	KUNIT_EXPECT_TRUE(test, v->deferred_reset);
	KUNIT_EXPECT_EQ(test, v->mig_state, (u32)VFIO_DEVICE_STATE_STOP);
	mutex_unlock(&v->state_mutex);
	/* the next to take the state does the reset's part first */
	KUNIT_EXPECT_EQ(test, t_mig_state(v), (u32)VFIO_DEVICE_STATE_RUNNING);
	KUNIT_EXPECT_FALSE(test, v->deferred_reset);
	t_expect_usable(test, v, "after the deferred reset");
}

/* Every allocation of STOP_COPY's and RESUMING's data files fails once. */
static void wd_vfio_test_mig_faults(struct kunit *test)
{
	static const u32 targets[] = {
		VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_RESUMING,
	};
	struct wd_vfio *v;
	unsigned int n, t;
	struct file *f;
	bool fired;

	kt_fail_nth_require(test);
	t_running_queue(test, "vq1", &v);
	for (t = 0; t < ARRAY_SIZE(targets); t++) {
		for (n = 1; n < 100; n++) {
			t_mig_put(t_mig_set(v, VFIO_DEVICE_STATE_STOP));
			kt_fail_nth(n);
			f = t_mig_set(v, targets[t]);
			fired = kt_fail_nth_fired();
			if (IS_ERR(f)) {
				KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(f), -ENOMEM,
						    "n=%u", n);
				KUNIT_EXPECT_TRUE(test, fired);
				KUNIT_EXPECT_EQ(test, t_mig_state(v),
						(u32)VFIO_DEVICE_STATE_STOP);
				continue;
			}
			KUNIT_EXPECT_NOT_NULL(test, f);
			KUNIT_EXPECT_EQ(test, t_mig_state(v), targets[t]);
			if (targets[t] == VFIO_DEVICE_STATE_RESUMING) {
				struct test_ctx *ctx = test->priv;

				t_ioctl(ctx, v, VFIO_DEVICE_RESET, NULL, 0);
			}
			t_mig_put(f);
			if (!fired)
				break;
		}
		KUNIT_EXPECT_LT(test, n, 100U);
		KUNIT_EXPECT_GE_MSG(test, n, 3U,
				    "allocations of %s's file",
				    t_state_names[targets[t]]);
	}
	t_mig_put(t_mig_set(v, VFIO_DEVICE_STATE_RUNNING));
	t_expect_usable(test, v, "after the sweep");
}

static struct kunit_case wd_vfio_test_cases[] = {
	KUNIT_CASE(wd_vfio_test_types),
	KUNIT_CASE(wd_vfio_test_device),
	KUNIT_CASE(wd_vfio_test_requests),
	KUNIT_CASE(wd_vfio_test_pin_unwind),
	KUNIT_CASE(wd_vfio_test_unmap_in_flight),
	KUNIT_CASE(wd_vfio_test_reset_in_flight),
	KUNIT_CASE(wd_vfio_test_disable_in_flight),
	KUNIT_CASE(wd_vfio_test_close_in_flight),
	KUNIT_CASE(wd_vfio_test_request),
	KUNIT_CASE(wd_vfio_test_remove_accel),
	KUNIT_CASE(wd_vfio_test_faults),
	KUNIT_CASE(wd_vfio_test_mig_states),
	KUNIT_CASE(wd_vfio_test_mig_move),
	KUNIT_CASE(wd_vfio_test_mig_refused),
	KUNIT_CASE(wd_vfio_test_mig_deferred_reset),
	KUNIT_CASE(wd_vfio_test_mig_faults),
	{}
};

static struct kunit_suite wd_vfio_test_suite = {
	.name = "wd_mdev_vfio",
	.suite_init = wd_vfio_test_suite_init,
	.suite_exit = wd_vfio_test_suite_exit,
	.init = wd_vfio_test_init,
	.exit = wd_vfio_test_exit,
	.test_cases = wd_vfio_test_cases,
};

kunit_test_suite(wd_vfio_test_suite);

MODULE_IMPORT_NS(WARPDRIVE_KUNIT);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of the vfio-pci instances of wd_mdev");
