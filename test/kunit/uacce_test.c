// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit suite of the uacce module: device and queue lifecycle, regions,
 * removal with busy queues, error isolation, NUMA placement, extensions
 * (struct uacce_extension, with one of this module's), and a fault
 * injection sweep over every allocation and step of alloc, register,
 * open, mmap and the isolation setting.
 *
 * The tests register a fake accelerator, whose ops live in this module,
 * on a platform device without a driver, and use it as user space would:
 * through /dev/uacce_kunit-<id> and /sys/class/uacce/.  Mappings and user
 * buffers live in the address space of the process loading the module
 * (insmod, blocked until the suite ends), which each test case's kernel
 * thread borrows with kthread_use_mm().
 */
#include <kunit/test.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uacce.h>
#include <linux/uaccess.h>

#include "../../uacce/kunit_hooks.h"
#include "fail_nth.h"
#include "kunit_file.h"

#define FAKE_NAME		"uacce_kunit"
#define FAKE_SLOTS		3
#define FAKE_DUS_ORDER		1	/* DUS: 2 pages */
#define FAKE_STATUS_OFFSET	0x40
#define FAKE_CMD		_IOW('F', 1, __u32)
#define FAKE_GET		_IOR('F', 3, __u32)
/* a command in steps: its argument says what the steps do (FAKE_STEP_*) */
#define FAKE_STEPS		_IOW('F', 5, __u32)
/* commit and finish without prepare: hands what FAKE_STEPS kept to finish */
#define FAKE_TAKE		_IO('F', 6)

enum {
	FAKE_STEP_OK = 1,
	FAKE_STEP_PREPARE_FAILS,	/* prepare returns -EIO */
	FAKE_STEP_COMMIT_FAILS,		/* commit returns -EEXIST */
	FAKE_STEP_REMOVE,		/* prepare removes the device */
	FAKE_STEP_SWAP,			/* commit hands what it kept to finish */
};

#define MIN_NS			(60ULL * NSEC_PER_SEC)
#define HOUR_NS			(60 * MIN_NS)

struct fake_slot {
	bool used;
	void *mmio;
	void *dus;
};

/* The fake accelerator: what its ops were asked to do. */
struct fake {
	struct platform_device *pdev;
	struct uacce_device *uacce;
	char name[32];			/* of uacce, which removal may free */
	bool removed;
	struct fake_slot slots[FAKE_SLOTS];
	int nr_slots;
	int get, put, start, stop, wake, bind, unbind, isolated;
	int fail_start, fail_bind, fail_pfn;
	int faults;			/* region_pfn calls */
	bool updated;
	u32 ioctl_value;
	/* FAKE_STEPS: its calls, and what prepare saw */
	int prepares, commits, finishes, cancels;
	long finish_ret;		/* the last finish's result */
	bool prepare_locked;		/* state_lock held in a prepare */
	bool finish_locked;		/* state_lock held in a finish */
	bool take_prep_null;		/* FAKE_TAKE's commit got NULL */
	int finish_modref;		/* this module's references, there */
	u32 finished;			/* what the last finish was given */
	int prepare_modref;		/* this module's references, there */
	u32 *kept;			/* what the last commit took over */
	struct mm_struct *bound_mm;
	/* the test extension's calls for this device */
	int ext_attach, ext_detach, ext_fail;
	bool ext_broken;		/* a detach saw the device torn down */
	struct fake *ext_child;		/* registered by attach, gone at detach */
};

struct test_ctx {
	struct fake fake;
	struct file *files[FAKE_SLOTS + 2];
	int nr_files;
	struct {
		unsigned long addr, len;
	} maps[8];
	int nr_maps;
	unsigned long ubuf;		/* a user page for ioctl arguments */
	int base[UACCE_OBJ_NR];		/* live uacce objects before the test */
	bool mm_used;
	bool ext_registered;		/* test_ext, until the test's end */
};

/* The address space of the process loading the suite. */
static struct mm_struct *test_mm;

/* ---- the fake driver ---- */

static struct fake *to_fake(struct uacce_device *uacce)
{
	return uacce->priv;
}

static int fake_get_available_instances(struct uacce_device *uacce)
{
	struct fake *fake = to_fake(uacce);
	int i, n = 0;

	for (i = 0; i < fake->nr_slots; i++)
		n += !fake->slots[i].used;
	return n;
}

static int fake_get_queue(struct uacce_device *uacce, unsigned long arg,
			  struct uacce_queue *q)
{
	struct fake *fake = to_fake(uacce);
	int i;

	for (i = 0; i < fake->nr_slots; i++) {
		if (fake->slots[i].used)
			continue;
		fake->slots[i].used = true;
		memset(fake->slots[i].dus, 0, PAGE_SIZE << FAKE_DUS_ORDER);
		q->priv = &fake->slots[i];
		q->status = fake->slots[i].dus + FAKE_STATUS_OFFSET;
		fake->get++;
		return 0;
	}
	return -EBUSY;
}

static void fake_put_queue(struct uacce_queue *q)
{
	struct fake_slot *slot = q->priv;

	slot->used = false;
	to_fake(q->uacce)->put++;
}

static int fake_start_queue(struct uacce_queue *q)
{
	struct fake *fake = to_fake(q->uacce);

	if (fake->fail_start)
		return fake->fail_start;
	fake->start++;
	return 0;
}

static void fake_stop_queue(struct uacce_queue *q)
{
	to_fake(q->uacce)->stop++;
}

static int fake_is_q_updated(struct uacce_queue *q)
{
	return to_fake(q->uacce)->updated;
}

static int fake_region_pfn(struct uacce_queue *q, enum uacce_qfrt type,
			   unsigned long pgoff, unsigned long *pfn)
{
	struct fake_slot *slot = q->priv;
	void *mem = type == UACCE_QFRT_MMIO ? slot->mmio : slot->dus;

	to_fake(q->uacce)->faults++;
	if (to_fake(q->uacce)->fail_pfn)
		return to_fake(q->uacce)->fail_pfn;
	*pfn = (virt_to_phys(mem) >> PAGE_SHIFT) + pgoff;
	return 0;
}

/* FAKE_CMD sets ioctl_value, FAKE_GET reads it back plus one */
static long fake_set(struct uacce_queue *q, void *arg)
{
	to_fake(q->uacce)->ioctl_value = *(u32 *)arg;
	return 0;
}

static long fake_get(struct uacce_queue *q, void *arg)
{
	*(u32 *)arg = to_fake(q->uacce)->ioctl_value + 1;
	return 0;
}

static void fake_remove(struct fake *fake)
{
	if (fake->uacce && !fake->removed)
		uacce_remove(fake->uacce);
	fake->removed = true;
}

/*
 * FAKE_STEPS: prepare hands a kmalloc'ed copy of the argument to commit,
 * which keeps it, or to finish, which frees it (kmemleak sees the rest).
 * FAKE_STEP_SWAP's commit hands finish what it kept before instead, as a
 * command that takes something away under the lock and waits after.
 * Prepare runs with no lock held, so it may even remove the device.
 */
static void *fake_steps_prepare(struct uacce_queue *q, void *arg)
{
	struct fake *fake = to_fake(q->uacce);
	u32 what = *(u32 *)arg, *prep;

	fake->prepares++;
	fake->prepare_locked |= mutex_is_locked(&q->state_lock);
	fake->prepare_modref = module_refcount(THIS_MODULE);
	if (what == FAKE_STEP_PREPARE_FAILS)
		return ERR_PTR(-EIO);
	prep = kmalloc(sizeof(*prep), GFP_KERNEL);
	if (!prep)
		return ERR_PTR(-ENOMEM);
	*prep = what;
	if (what == FAKE_STEP_REMOVE && !fake->prepare_locked)
		fake_remove(fake);
	return prep;
}

static long fake_steps_commit(struct uacce_queue *q, void *arg, void **prep)
{
	struct fake *fake = to_fake(q->uacce);
	u32 *mine = *prep;

	fake->commits++;
	if (*mine == FAKE_STEP_COMMIT_FAILS)
		return -EEXIST;
	if (*mine == FAKE_STEP_SWAP) {
		*prep = fake->kept;
		fake->kept = mine;
		return 0;
	}
	kfree(fake->kept);
	fake->kept = mine;
	*prep = NULL;
	return 0;
}

static long fake_take_commit(struct uacce_queue *q, void *arg, void **prep)
{
	struct fake *fake = to_fake(q->uacce);

	fake->commits++;
	fake->take_prep_null = !*prep;
	*prep = fake->kept;
	fake->kept = NULL;
	return 0;
}

static void fake_steps_finish(struct uacce_queue *q, void *prep, long ret)
{
	struct fake *fake = to_fake(q->uacce);
	u32 *given = prep;

	fake->finishes++;
	fake->finish_ret = ret;
	fake->finish_locked |= mutex_is_locked(&q->state_lock);
	fake->finish_modref = module_refcount(THIS_MODULE);
	fake->finished = given ? *given : 0;
	if (ret < 0)
		fake->cancels++;
	kfree(prep);
}

static const struct uacce_ioctl fake_ioctls[] = {
	{ FAKE_CMD, fake_set },
	{ FAKE_GET, fake_get },
	{
		.cmd = FAKE_STEPS,
		.prepare = fake_steps_prepare,
		.commit = fake_steps_commit,
		.finish = fake_steps_finish,
	},
	{
		.cmd = FAKE_TAKE,
		.commit = fake_take_commit,
		.finish = fake_steps_finish,
	},
};

static void fake_queue_info(struct uacce_queue *q,
			    struct uacce_queue_info *info)
{
	struct fake *fake = to_fake(q->uacce);

	info->qid = (struct fake_slot *)q->priv - fake->slots;
	info->status_offset = FAKE_STATUS_OFFSET;
	info->ring_depth = 16;
	info->sqe_size = 64;
	info->cqe_size = 32;
}

static void fake_wake_queue(struct uacce_queue *q)
{
	to_fake(q->uacce)->wake++;
}

static int fake_bind_mm(struct uacce_queue *q, struct mm_struct *mm)
{
	struct fake *fake = to_fake(q->uacce);

	if (fake->fail_bind)
		return fake->fail_bind;
	fake->bound_mm = mm;
	fake->bind++;
	return 0;
}

static void fake_unbind_mm(struct uacce_queue *q)
{
	to_fake(q->uacce)->unbind++;
}

static void fake_isolate_changed(struct uacce_device *uacce, bool isolated)
{
	to_fake(uacce)->isolated += isolated;
}

static const struct uacce_ops fake_ops = {
	.owner = THIS_MODULE,
	.get_available_instances = fake_get_available_instances,
	.get_queue = fake_get_queue,
	.put_queue = fake_put_queue,
	.start_queue = fake_start_queue,
	.stop_queue = fake_stop_queue,
	.is_q_updated = fake_is_q_updated,
	.region_pfn = fake_region_pfn,
	.ioctls = fake_ioctls,
	.num_ioctls = ARRAY_SIZE(fake_ioctls),
	.queue_info = fake_queue_info,
	.wake_queue = fake_wake_queue,
	.bind_mm = fake_bind_mm,
	.unbind_mm = fake_unbind_mm,
	.isolate_changed = fake_isolate_changed,
};

/*
 * Same device without UACCE_CAP_OWN_TRANSLATION (nor bind_mm): SVA would
 * need the IOMMU.
 */
static const struct uacce_ops fake_iommu_ops = {
	.get_queue = fake_get_queue,
	.put_queue = fake_put_queue,
};

/* A device that translates addresses itself with nothing to bind. */
static const struct uacce_ops fake_nobind_ops = {
	.get_queue = fake_get_queue,
	.put_queue = fake_put_queue,
};

/* Every fake translates addresses itself, but for fake_iommu_ops'. */
static unsigned int fake_caps(const struct uacce_ops *ops)
{
	return ops == &fake_iommu_ops ? 0 : UACCE_CAP_OWN_TRANSLATION;
}

/* The parent device and the queue memory; no uacce device yet. */
static int fake_init(struct kunit *test, struct fake *fake, int node)
{
	int i;

	fake->pdev = platform_device_register_simple(FAKE_NAME,
						     PLATFORM_DEVID_AUTO,
						     NULL, 0);
	if (IS_ERR(fake->pdev)) {
		int ret = PTR_ERR(fake->pdev);

		fake->pdev = NULL;
		return ret;
	}
	set_dev_node(&fake->pdev->dev, node);
	fake->nr_slots = FAKE_SLOTS;
	for (i = 0; i < FAKE_SLOTS; i++) {
		fake->slots[i].mmio = (void *)get_zeroed_page(GFP_KERNEL);
		fake->slots[i].dus = (void *)__get_free_pages(GFP_KERNEL,
							      FAKE_DUS_ORDER);
		if (!fake->slots[i].mmio || !fake->slots[i].dus)
			return -ENOMEM;
		*(u32 *)fake->slots[i].mmio = 0x4b464b45 + i;
	}
	return 0;
}

static void fake_fini(struct fake *fake)
{
	int i;

	for (i = 0; i < FAKE_SLOTS; i++) {
		free_page((unsigned long)fake->slots[i].mmio);
		free_pages((unsigned long)fake->slots[i].dus, FAKE_DUS_ORDER);
	}
	if (fake->pdev)
		platform_device_unregister(fake->pdev);
}

static struct uacce_device *fake_alloc_child(struct fake *fake,
					     const struct uacce_ops *ops,
					     unsigned int flags,
					     unsigned long ss_pages,
					     struct uacce_device *parent)
{
	struct uacce_interface iface = { .name = FAKE_NAME, .flags = flags,
					 .caps = fake_caps(ops), .ops = ops,
					 .isolation_parent = parent };
	struct uacce_device *uacce;

	uacce = uacce_alloc(&fake->pdev->dev, &iface);
	if (IS_ERR(uacce))
		return uacce;
	uacce->priv = fake;
	uacce->api_ver = "fake_v1";
	uacce->algs = "zlib\ngzip";
	uacce->qf_pg_num[UACCE_QFRT_MMIO] = 1;
	uacce->qf_pg_num[UACCE_QFRT_DUS] = 1 << FAKE_DUS_ORDER;
	uacce->qf_pg_num[UACCE_QFRT_SS] = ss_pages;
	strscpy(fake->name, dev_name(&uacce->dev), sizeof(fake->name));
	fake->uacce = uacce;
	fake->removed = false;
	return uacce;
}

static struct uacce_device *fake_alloc(struct fake *fake,
				       const struct uacce_ops *ops,
				       unsigned int flags, unsigned long ss_pages)
{
	return fake_alloc_child(fake, ops, flags, ss_pages, NULL);
}

/* A registered fake device with SVA (bind_mm) and a 2-page SS region. */
static struct uacce_device *fake_add(struct kunit *test, struct fake *fake)
{
	struct uacce_device *uacce;

	uacce = fake_alloc(fake, &fake_ops, UACCE_DEV_SVA, 2);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, uacce);
	if (uacce_register(uacce)) {
		fake_remove(fake);
		KUNIT_FAIL(test, "uacce_register failed");
		return NULL;
	}
	return uacce;
}

/* ---- an extension ---- */

/*
 * The test extension, as a framework that slices devices would be: attach
 * registers a uacce device of its own (without ext_info), detach removes
 * it.
 */
static void *test_ext_attach(struct uacce_device *uacce)
{
	struct fake *fake = to_fake(uacce);
	struct uacce_device *child;

	fake->ext_attach++;
	if (fake->ext_fail)
		return ERR_PTR(fake->ext_fail);
	child = fake_alloc(fake->ext_child, &fake_ops, 0, 0);
	if (IS_ERR(child))
		return child;
	if (uacce_register(child)) {
		fake_remove(fake->ext_child);
		return ERR_PTR(-EIO);
	}
	return fake;
}

static void test_ext_detach(struct uacce_device *uacce, void *priv)
{
	struct fake *fake = to_fake(uacce);

	fake->ext_detach++;
	if (priv != fake || !uacce->ops || !uacce->cdev || !uacce->parent)
		fake->ext_broken = true;
	fake_remove(fake->ext_child);
}

static const struct uacce_extension test_ext = {
	.name = "uacce_test",
	.attach = test_ext_attach,
	.detach = test_ext_detach,
};

/* What a driver points ext_info at; only test_ext would read it. */
static const int test_ext_info = 1;

/* ---- acting as user space ---- */

static struct file *t_open_fake(struct test_ctx *ctx, struct fake *fake)
{
	char path[96];
	struct file *f;

	snprintf(path, sizeof(path), "/dev/%s", fake->name);
	f = filp_open(path, O_RDWR, 0);
	if (!IS_ERR(f))
		ctx->files[ctx->nr_files++] = f;
	return f;
}

static struct file *t_open(struct test_ctx *ctx)
{
	return t_open_fake(ctx, &ctx->fake);
}

/* Close, and let the release run now (a kthread's fput is deferred). */
static void t_close(struct test_ctx *ctx, struct file *f)
{
	int i;

	for (i = 0; i < ctx->nr_files; i++) {
		if (ctx->files[i] == f) {
			ctx->files[i] = ctx->files[--ctx->nr_files];
			break;
		}
	}
	fput(f);
	flush_delayed_fput();
}

/* mmap() of a region: the address, or a negative errno. */
static long t_mmap(struct test_ctx *ctx, struct file *f, enum uacce_qfrt type,
		   unsigned long len, unsigned long flags)
{
	unsigned long addr;

	addr = vm_mmap(f, 0, len, PROT_READ | PROT_WRITE, flags,
		       (unsigned long)type << PAGE_SHIFT);
	if (IS_ERR_VALUE(addr))
		return (long)addr;
	ctx->maps[ctx->nr_maps].addr = addr;
	ctx->maps[ctx->nr_maps].len = len;
	ctx->nr_maps++;
	return addr;
}

static int t_munmap(struct test_ctx *ctx, unsigned long addr)
{
	int i, ret;

	for (i = 0; i < ctx->nr_maps; i++) {
		if (ctx->maps[i].addr != addr)
			continue;
		ret = vm_munmap(addr, ctx->maps[i].len);
		ctx->maps[i] = ctx->maps[--ctx->nr_maps];
		flush_delayed_fput();
		return ret;
	}
	return -ENOENT;
}

static long t_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	return f->f_op->unlocked_ioctl(f, cmd, arg);
}

static int t_attr(struct test_ctx *ctx, const char *name, char *buf,
		  size_t size, const char *write)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/uacce/%s/%s",
		 ctx->fake.name, name);
	return kt_file(path, buf, size, write);
}

static bool t_attr_is(struct test_ctx *ctx, const char *name, const char *want)
{
	char buf[64];

	return !t_attr(ctx, name, buf, sizeof(buf), NULL) && !strcmp(buf, want);
}

static struct uacce_queue_status *t_status(struct fake *fake, int slot)
{
	return fake->slots[slot].dus + FAKE_STATUS_OFFSET;
}

static struct uacce_queue *t_queue(struct file *f)
{
	return f->private_data;
}

/* ---- fixture ---- */

static void t_objects(int count[UACCE_OBJ_NR])
{
	int i;

	for (i = 0; i < UACCE_OBJ_NR; i++)
		count[i] = uacce_kunit_objects(i);
}

static int uacce_test_init(struct kunit *test)
{
	struct test_ctx *ctx;

	KUNIT_ASSERT_NOT_NULL(test, test_mm);
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	t_objects(ctx->base);

	/*
	 * An extra user reference: if a failed assertion ends this kthread,
	 * its exit drops the mm it uses.
	 */
	mmget(test_mm);
	kthread_use_mm(test_mm);
	ctx->mm_used = true;
	ctx->ubuf = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(ctx->ubuf));

	return fake_init(test, &ctx->fake, NUMA_NO_NODE);
}

static void uacce_test_exit(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	bool kthread = current->flags & PF_KTHREAD;
	int now[UACCE_OBJ_NR];
	int i;

	while (ctx->nr_maps)
		t_munmap(ctx, ctx->maps[0].addr);
	while (ctx->nr_files)
		t_close(ctx, ctx->files[0]);
	fake_remove(&ctx->fake);
	kfree(ctx->fake.kept);
	fake_fini(&ctx->fake);
	if (ctx->ext_registered)
		uacce_extension_unregister(&test_ext);
	vm_munmap(ctx->ubuf, PAGE_SIZE);

	if (kthread && ctx->mm_used) {
		kthread_unuse_mm(test_mm);
		mmput(test_mm);
	}
	/* After an aborted test, releases run later, from insmod. */
	if (!kthread)
		return;

	t_objects(now);
	for (i = 0; i < UACCE_OBJ_NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, now[i], ctx->base[i], "object kind %d", i);
	KUNIT_EXPECT_EQ(test, ctx->fake.get, ctx->fake.put);
	KUNIT_EXPECT_EQ(test, ctx->fake.start, ctx->fake.stop);
	KUNIT_EXPECT_EQ(test, ctx->fake.bind, ctx->fake.unbind);
}

static int uacce_test_suite_init(struct kunit_suite *suite)
{
	/* Runs in the loading process; the cases run in kernel threads. */
	test_mm = get_task_mm(current);
	return test_mm ? 0 : -EINVAL;
}

static void uacce_test_suite_exit(struct kunit_suite *suite)
{
	if (test_mm)
		mmput(test_mm);
	test_mm = NULL;
}

/* ---- alloc, register, remove ---- */

static void uacce_test_alloc_args(struct kunit *test)
{
	static const struct uacce_ioctl big_ioctls[] = {
		{ FAKE_CMD, fake_set },
		{ _IOW('F', 4, u8[UACCE_IOCTL_ARG_MAX + 1]), fake_set },
	}, core_ioctls[] = {
		{ FAKE_CMD, fake_set },
		{ UACCE_CMD_WAKE_Q, fake_set },
	}, twice_ioctls[] = {
		{ FAKE_CMD, fake_set },
		{ FAKE_GET, fake_get },
		{ FAKE_CMD, fake_get },
	}, both_ioctls[] = {
		{ .cmd = FAKE_CMD, .func = fake_set,
		  .prepare = fake_steps_prepare, .commit = fake_steps_commit,
		  .finish = fake_steps_finish },
	}, no_finish_ioctls[] = {
		{ .cmd = FAKE_STEPS, .prepare = fake_steps_prepare,
		  .commit = fake_steps_commit },
	}, no_commit_ioctls[] = {
		{ .cmd = FAKE_STEPS, .prepare = fake_steps_prepare,
		  .finish = fake_steps_finish },
	};
	struct test_ctx *ctx = test->priv;
	struct uacce_ops big_ops;
	struct device *parent = &ctx->fake.pdev->dev;
	struct uacce_interface iface = { .name = FAKE_NAME,
					 .caps = UACCE_CAP_OWN_TRANSLATION,
					 .ops = &fake_ops };
	struct uacce_device *uacce;

	KUNIT_EXPECT_EQ(test, PTR_ERR(uacce_alloc(NULL, &iface)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(uacce_alloc(parent, NULL)), -EINVAL);
	iface.ops = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(uacce_alloc(parent, &iface)), -EINVAL);
	iface.ops = &fake_ops;
	strscpy(iface.name, "a/b", sizeof(iface.name));
	KUNIT_EXPECT_EQ(test, PTR_ERR(uacce_alloc(parent, &iface)), -EINVAL);
	iface.name[0] = '\0';
	KUNIT_EXPECT_EQ(test, PTR_ERR(uacce_alloc(parent, &iface)), -EINVAL);
	memset(iface.name, 'x', sizeof(iface.name));
	KUNIT_EXPECT_EQ(test, PTR_ERR(uacce_alloc(parent, &iface)), -EINVAL);
	strscpy(iface.name, FAKE_NAME, sizeof(iface.name));
	/* a capability the core does not know */
	iface.caps = UACCE_CAP_OWN_TRANSLATION | BIT(31);
	KUNIT_EXPECT_EQ(test, PTR_ERR(uacce_alloc(parent, &iface)), -EINVAL);
	/* bind_mm would never be called: the IOMMU would bind instead */
	iface.caps = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(uacce_alloc(parent, &iface)), -EINVAL);
	/* a command whose argument the core would not copy whole */
	iface.caps = UACCE_CAP_OWN_TRANSLATION;
	big_ops = fake_ops;
	big_ops.ioctls = big_ioctls;
	big_ops.num_ioctls = ARRAY_SIZE(big_ioctls);
	iface.ops = &big_ops;
	KUNIT_EXPECT_EQ(test, PTR_ERR(uacce_alloc(parent, &iface)), -EINVAL);
	big_ops.ioctls = core_ioctls;
	KUNIT_EXPECT_EQ(test, PTR_ERR(uacce_alloc(parent, &iface)), -EINVAL);
	big_ops.ioctls = twice_ioctls;
	big_ops.num_ioctls = ARRAY_SIZE(twice_ioctls);
	KUNIT_EXPECT_EQ(test, PTR_ERR(uacce_alloc(parent, &iface)), -EINVAL);
	/* a function and steps; steps without a finish */
	big_ops.ioctls = both_ioctls;
	big_ops.num_ioctls = ARRAY_SIZE(both_ioctls);
	KUNIT_EXPECT_EQ(test, PTR_ERR(uacce_alloc(parent, &iface)), -EINVAL);
	big_ops.ioctls = no_finish_ioctls;
	big_ops.num_ioctls = ARRAY_SIZE(no_finish_ioctls);
	KUNIT_EXPECT_EQ(test, PTR_ERR(uacce_alloc(parent, &iface)), -EINVAL);
	big_ops.ioctls = no_commit_ioctls;
	big_ops.num_ioctls = ARRAY_SIZE(no_commit_ioctls);
	KUNIT_EXPECT_EQ(test, PTR_ERR(uacce_alloc(parent, &iface)), -EINVAL);
	big_ops.ioctls = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(uacce_alloc(parent, &iface)), -EINVAL);
	iface.ops = &fake_ops;

	KUNIT_EXPECT_EQ(test, uacce_register(NULL), -EINVAL);
	uacce_remove(NULL);

	/* allocated, never registered, removed */
	uacce = fake_alloc(&ctx->fake, &fake_ops, 0, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, uacce);
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_DEVICE),
			ctx->base[UACCE_OBJ_DEVICE] + 1);
	uacce->api_ver = NULL;
	KUNIT_EXPECT_EQ(test, uacce_register(uacce), -EINVAL);
	fake_remove(&ctx->fake);
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_DEVICE),
			ctx->base[UACCE_OBJ_DEVICE]);
}

static void uacce_test_register(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct uacce_device *uacce;
	char want[16], buf[64];

	uacce = fake_add(test, &ctx->fake);
	KUNIT_ASSERT_NOT_NULL(test, uacce);
	KUNIT_EXPECT_EQ(test, uacce_register(uacce), -EBUSY);
	snprintf(want, sizeof(want), FAKE_NAME "-%u", uacce->dev_id);
	KUNIT_EXPECT_STREQ(test, dev_name(&uacce->dev), want);
	KUNIT_EXPECT_EQ(test, MINOR(uacce->dev.devt), uacce->dev_id);
	KUNIT_EXPECT_EQ(test, uacce->flags, (u32)UACCE_DEV_SVA);

	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "api", "fake_v1\n"));
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "flags", "1\n"));
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "algorithms", "zlib\ngzip\n"));
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "available_instances", "3\n"));
	snprintf(want, sizeof(want), "%lu\n", PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "region_mmio_size", want));
	snprintf(want, sizeof(want), "%lu\n", 2 * PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "region_dus_size", want));
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "region_ss_size", want));
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "isolate", "0\n"));
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "isolate_strategy", "0\n"));
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "node_id", "-1\n"));

	fake_remove(&ctx->fake);
	KUNIT_EXPECT_EQ(test, t_attr(ctx, "api", buf, sizeof(buf), NULL),
			-ENOENT);
}

/*
 * Without UACCE_CAP_OWN_TRANSLATION, SVA needs the IOMMU; the test guest
 * has none.
 */
static void uacce_test_sva_negotiation(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct uacce_device *uacce;
	char buf[32];

	uacce = fake_alloc(&ctx->fake, &fake_iommu_ops, UACCE_DEV_SVA, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, uacce);
	KUNIT_EXPECT_EQ(test, uacce->flags & UACCE_DEV_SVA, 0U);
	KUNIT_ASSERT_EQ(test, uacce_register(uacce), 0);
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "flags", "0\n"));
	/* no get_available_instances op */
	KUNIT_EXPECT_EQ(test, t_attr(ctx, "available_instances", buf,
				     sizeof(buf), NULL), -ENODEV);
	/* no SS region: no attribute */
	KUNIT_EXPECT_EQ(test, t_attr(ctx, "region_ss_size", buf, sizeof(buf),
				     NULL), -ENOENT);
}

/*
 * A device that translates addresses itself keeps SVA without the IOMMU,
 * bind_mm or not; the core grabs the opener's mm for its queues, and user
 * space sees the UAPI flag only.
 */
static void uacce_test_sva_own_translation(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct uacce_device *uacce;
	struct file *f;

	uacce = fake_alloc(&ctx->fake, &fake_nobind_ops, UACCE_DEV_SVA, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, uacce);
	KUNIT_EXPECT_EQ(test, uacce->flags, (u32)UACCE_DEV_SVA);
	KUNIT_EXPECT_EQ(test, uacce->caps, (u32)UACCE_CAP_OWN_TRANSLATION);
	KUNIT_ASSERT_EQ(test, uacce_register(uacce), 0);
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "flags", "1\n"));

	f = t_open(ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	KUNIT_EXPECT_PTR_EQ(test, t_queue(f)->mm, test_mm);
	KUNIT_EXPECT_NULL(test, t_queue(f)->handle);
	KUNIT_EXPECT_EQ(test, ctx->fake.get, 1);
	KUNIT_EXPECT_EQ(test, ctx->fake.bind, 0);
	t_close(ctx, f);
	KUNIT_EXPECT_EQ(test, ctx->fake.put, 1);
	KUNIT_EXPECT_EQ(test, ctx->fake.unbind, 0);
}

static void uacce_test_ss_needs_dma_mask(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct device *parent = &ctx->fake.pdev->dev;
	struct uacce_device *uacce;
	u64 mask = parent->coherent_dma_mask;

	uacce = fake_alloc(&ctx->fake, &fake_ops, 0, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, uacce);
	parent->coherent_dma_mask = 0;
	KUNIT_EXPECT_EQ(test, uacce_register(uacce), -EINVAL);
	parent->coherent_dma_mask = mask;
	KUNIT_EXPECT_EQ(test, uacce_register(uacce), 0);
}

/* ---- queues ---- */

static void uacce_test_open_release(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct fake *fake = &ctx->fake;
	struct uacce_queue *q;
	struct file *f;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, fake));
	f = t_open(ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	q = t_queue(f);
	KUNIT_EXPECT_EQ(test, q->state, UACCE_Q_INIT);
	KUNIT_EXPECT_PTR_EQ(test, q->mm, test_mm);
	KUNIT_EXPECT_PTR_EQ(test, fake->bound_mm, test_mm);
	KUNIT_EXPECT_EQ(test, fake->get, 1);
	KUNIT_EXPECT_EQ(test, fake->bind, 1);
	KUNIT_EXPECT_EQ(test, t_status(fake, 0)->state, UACCE_QSTATE_STOPPED);
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "available_instances", "2\n"));
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_QUEUE),
			ctx->base[UACCE_OBJ_QUEUE] + 1);

	t_close(ctx, f);
	KUNIT_EXPECT_EQ(test, fake->put, 1);
	KUNIT_EXPECT_EQ(test, fake->unbind, 1);
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "available_instances", "3\n"));
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_QUEUE),
			ctx->base[UACCE_OBJ_QUEUE]);
}

static void uacce_test_open_exhausted(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct file *f[FAKE_SLOTS], *extra;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, &ctx->fake));
	for (i = 0; i < FAKE_SLOTS; i++) {
		f[i] = t_open(ctx);
		KUNIT_ASSERT_FALSE(test, IS_ERR(f[i]));
	}
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "available_instances", "0\n"));
	KUNIT_EXPECT_EQ(test, PTR_ERR(t_open(ctx)), -EBUSY);
	KUNIT_EXPECT_EQ(test, ctx->fake.unbind, ctx->fake.bind - FAKE_SLOTS);

	t_close(ctx, f[1]);
	extra = t_open(ctx);
	KUNIT_EXPECT_FALSE(test, IS_ERR(extra));
}

static void uacce_test_open_driver_errors(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct fake *fake = &ctx->fake;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, fake));
	fake->fail_bind = -ENOSPC;
	KUNIT_EXPECT_EQ(test, PTR_ERR(t_open(ctx)), -ENOSPC);
	KUNIT_EXPECT_EQ(test, fake->get, 0);
	fake->fail_bind = 0;

	/* an SVA queue needs the opener's address space */
	kthread_unuse_mm(test_mm);
	KUNIT_EXPECT_EQ(test, PTR_ERR(t_open(ctx)), -EINVAL);
	kthread_use_mm(test_mm);
	KUNIT_EXPECT_EQ(test, fake->get, 0);
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_QUEUE),
			ctx->base[UACCE_OBJ_QUEUE]);
}

static void uacce_test_state_transitions(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct fake *fake = &ctx->fake;
	struct uacce_queue_status *status = t_status(fake, 0);
	struct file *f;
	u32 val = 0;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, fake));
	f = t_open(ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));

	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_WAKE_Q, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_PUT_Q, 0), 0);
	KUNIT_EXPECT_EQ(test, fake->stop, 0);

	fake->fail_start = -EIO;
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_START_Q, 0), -EIO);
	KUNIT_EXPECT_EQ(test, t_queue(f)->state, UACCE_Q_INIT);
	KUNIT_EXPECT_EQ(test, status->state, UACCE_QSTATE_STOPPED);
	fake->fail_start = 0;

	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_START_Q, 0), 0);
	KUNIT_EXPECT_EQ(test, t_queue(f)->state, UACCE_Q_STARTED);
	KUNIT_EXPECT_EQ(test, status->state, UACCE_QSTATE_OK);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_START_Q, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_WAKE_Q, 0), 0);
	KUNIT_EXPECT_EQ(test, fake->wake, 1);

	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_PUT_Q, 0), 0);
	KUNIT_EXPECT_EQ(test, t_queue(f)->state, UACCE_Q_INIT);
	KUNIT_EXPECT_EQ(test, status->state, UACCE_QSTATE_STOPPED);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_PUT_Q, 0), 0);
	KUNIT_EXPECT_EQ(test, fake->stop, 1);

	/* restart after a stop */
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_START_Q, 0), 0);
	KUNIT_EXPECT_EQ(test, fake->start, 2);

	/* a driver's command gets its argument copied in, and out */
	KUNIT_EXPECT_EQ(test, put_user(0x1234U, (u32 __user *)ctx->ubuf), 0);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, FAKE_CMD, ctx->ubuf), 0);
	KUNIT_EXPECT_EQ(test, fake->ioctl_value, 0x1234U);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, FAKE_GET, ctx->ubuf + 4), 0);
	KUNIT_EXPECT_EQ(test, get_user(val, (u32 __user *)(ctx->ubuf + 4)), 0);
	KUNIT_EXPECT_EQ(test, val, 0x1235U);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, FAKE_CMD, 16), -EFAULT);
	KUNIT_EXPECT_EQ(test, fake->ioctl_value, 0x1234U);
	/* a command the driver does not have: EINVAL, as mainline's */
	KUNIT_EXPECT_EQ(test, t_ioctl(f, _IO('F', 2), 0), -EINVAL);
	/* whatever its argument: it is not read */
	KUNIT_EXPECT_EQ(test, t_ioctl(f, _IOW('F', 9, u32), 16), -EINVAL);

	/* release stops a started queue */
	t_close(ctx, f);
	KUNIT_EXPECT_EQ(test, fake->stop, 2);
	KUNIT_EXPECT_EQ(test, fake->put, 1);
}

/*
 * A command in steps (struct uacce_ioctl's prepare, commit, finish): the
 * prepare and finish steps run with no lock held and the driver's module
 * held; finish runs after every commit, or in its stead when the device
 * was removed after a prepare, with commit's result or -ENXIO, on what
 * commit left it; it undoes prepare when that result is an error.  A
 * command without prepare starts its commit from NULL.
 */
static void uacce_test_ioctl_steps(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct fake *fake = &ctx->fake;
	u32 __user *uarg = (u32 __user *)ctx->ubuf;
	int refs = module_refcount(THIS_MODULE);
	struct file *f;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, fake));
	f = t_open(ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));

	KUNIT_EXPECT_EQ(test, put_user(FAKE_STEP_OK, uarg), 0);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, FAKE_STEPS, ctx->ubuf), 0);
	KUNIT_EXPECT_EQ(test, fake->prepares, 1);
	KUNIT_EXPECT_FALSE(test, fake->prepare_locked);
	KUNIT_EXPECT_EQ(test, fake->prepare_modref, refs + 1);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs);
	KUNIT_EXPECT_EQ(test, fake->commits, 1);
	KUNIT_EXPECT_EQ(test, fake->finishes, 1);
	KUNIT_EXPECT_EQ(test, fake->finish_ret, 0);
	KUNIT_EXPECT_EQ(test, fake->finished, 0U);
	KUNIT_EXPECT_FALSE(test, fake->finish_locked);
	KUNIT_EXPECT_EQ(test, fake->finish_modref, refs + 1);
	KUNIT_EXPECT_EQ(test, fake->cancels, 0);
	KUNIT_ASSERT_NOT_NULL(test, fake->kept);
	KUNIT_EXPECT_EQ(test, *fake->kept, (u32)FAKE_STEP_OK);

	/* commit hands finish what it took away: finish gets it, unlocked */
	KUNIT_EXPECT_EQ(test, put_user(FAKE_STEP_SWAP, uarg), 0);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, FAKE_STEPS, ctx->ubuf), 0);
	KUNIT_EXPECT_EQ(test, fake->commits, 2);
	KUNIT_EXPECT_EQ(test, fake->finishes, 2);
	KUNIT_EXPECT_EQ(test, fake->finished, (u32)FAKE_STEP_OK);
	KUNIT_EXPECT_FALSE(test, fake->finish_locked);
	KUNIT_EXPECT_EQ(test, *fake->kept, (u32)FAKE_STEP_SWAP);

	/* a failed prepare is the result, with neither commit nor finish */
	KUNIT_EXPECT_EQ(test, put_user(FAKE_STEP_PREPARE_FAILS, uarg), 0);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, FAKE_STEPS, ctx->ubuf), -EIO);
	KUNIT_EXPECT_EQ(test, fake->commits, 2);
	KUNIT_EXPECT_EQ(test, fake->finishes, 2);
	/* an argument that cannot be read: no step runs */
	KUNIT_EXPECT_EQ(test, t_ioctl(f, FAKE_STEPS, 16), -EFAULT);
	KUNIT_EXPECT_EQ(test, fake->prepares, 3);
	KUNIT_EXPECT_EQ(test, fake->finishes, 2);

	/* a failed commit leaves what prepare made to finish, to undo */
	KUNIT_EXPECT_EQ(test, put_user(FAKE_STEP_COMMIT_FAILS, uarg), 0);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, FAKE_STEPS, ctx->ubuf), -EEXIST);
	KUNIT_EXPECT_EQ(test, fake->commits, 3);
	KUNIT_EXPECT_EQ(test, fake->finishes, 3);
	KUNIT_EXPECT_EQ(test, fake->finish_ret, -EEXIST);
	KUNIT_EXPECT_EQ(test, fake->finished, (u32)FAKE_STEP_COMMIT_FAILS);
	KUNIT_EXPECT_EQ(test, fake->cancels, 1);
	KUNIT_EXPECT_EQ(test, *fake->kept, (u32)FAKE_STEP_SWAP);

	/* commit and finish without prepare: commit starts from NULL */
	KUNIT_EXPECT_EQ(test, t_ioctl(f, FAKE_TAKE, 0), 0);
	KUNIT_EXPECT_EQ(test, fake->prepares, 4);
	KUNIT_EXPECT_EQ(test, fake->commits, 4);
	KUNIT_EXPECT_TRUE(test, fake->take_prep_null);
	KUNIT_EXPECT_EQ(test, fake->finishes, 4);
	KUNIT_EXPECT_EQ(test, fake->finish_ret, 0);
	KUNIT_EXPECT_EQ(test, fake->finished, (u32)FAKE_STEP_SWAP);
	KUNIT_EXPECT_FALSE(test, fake->finish_locked);
	KUNIT_EXPECT_EQ(test, fake->finish_modref, refs + 1);
	KUNIT_EXPECT_NULL(test, fake->kept);

	/* removed between the steps: no commit, a finish with ENXIO */
	KUNIT_EXPECT_EQ(test, put_user(FAKE_STEP_REMOVE, uarg), 0);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, FAKE_STEPS, ctx->ubuf), -ENXIO);
	KUNIT_EXPECT_TRUE(test, fake->removed);
	KUNIT_EXPECT_EQ(test, fake->prepares, 5);
	KUNIT_EXPECT_EQ(test, fake->commits, 4);
	KUNIT_EXPECT_EQ(test, fake->finishes, 5);
	KUNIT_EXPECT_EQ(test, fake->finish_ret, -ENXIO);
	KUNIT_EXPECT_EQ(test, fake->finished, (u32)FAKE_STEP_REMOVE);
	KUNIT_EXPECT_EQ(test, fake->cancels, 2);
	KUNIT_EXPECT_FALSE(test, fake->prepare_locked);
	KUNIT_EXPECT_FALSE(test, fake->finish_locked);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs);
	/* and then no step at all */
	KUNIT_EXPECT_EQ(test, t_ioctl(f, FAKE_STEPS, ctx->ubuf), -ENXIO);
	KUNIT_EXPECT_EQ(test, fake->prepares, 5);
	KUNIT_EXPECT_EQ(test, fake->finishes, 5);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, FAKE_TAKE, 0), -ENXIO);
	KUNIT_EXPECT_EQ(test, fake->finishes, 5);
	t_close(ctx, f);
}

static void uacce_test_queue_info(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct uacce_queue_info info;
	struct file *f0, *f1;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, &ctx->fake));
	f0 = t_open(ctx);
	f1 = t_open(ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f0) || IS_ERR(f1));

	KUNIT_EXPECT_EQ(test, t_ioctl(f1, UACCE_CMD_QUEUE_INFO, ctx->ubuf), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&info, (void __user *)ctx->ubuf,
					     sizeof(info)), 0);
	KUNIT_EXPECT_EQ(test, info.dev_id, ctx->fake.uacce->dev_id);
	KUNIT_EXPECT_EQ(test, info.qid, 1U);
	KUNIT_EXPECT_EQ(test, info.flags, (u32)UACCE_DEV_SVA);
	KUNIT_EXPECT_EQ(test, info.node, NUMA_NO_NODE);
	KUNIT_EXPECT_EQ(test, info.region_size[UACCE_QFRT_MMIO], (u64)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, info.region_size[UACCE_QFRT_DUS],
			(u64)PAGE_SIZE << FAKE_DUS_ORDER);
	KUNIT_EXPECT_EQ(test, info.region_size[UACCE_QFRT_SS], 2 * (u64)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, info.status_offset, FAKE_STATUS_OFFSET);
	KUNIT_EXPECT_EQ(test, info.sqe_size, 64U);
	KUNIT_EXPECT_EQ(test, info.reserved[6], 0U);

	KUNIT_EXPECT_EQ(test, t_ioctl(f0, UACCE_CMD_QUEUE_INFO, 16), -EFAULT);
	KUNIT_EXPECT_EQ(test, t_ioctl(f0, UACCE_CMD_GET_SS, ctx->ubuf), -EINVAL);
}

static void uacce_test_poll(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct file *f;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, &ctx->fake));
	f = t_open(ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	KUNIT_EXPECT_EQ(test, vfs_poll(f, NULL), (__poll_t)0);
	ctx->fake.updated = true;
	uacce_wake_up(t_queue(f));
	KUNIT_EXPECT_EQ(test, vfs_poll(f, NULL), EPOLLIN | EPOLLRDNORM);
}

/* ---- regions ---- */

static void uacce_test_mmap(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	unsigned long dus_len = PAGE_SIZE << FAKE_DUS_ORDER;
	struct vm_area_struct *vma;
	unsigned long vm_flags;
	long mmio, dus;
	struct file *f;
	u32 magic = 0;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, &ctx->fake));
	f = t_open(ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));

	KUNIT_EXPECT_EQ(test, t_mmap(ctx, f, 3, PAGE_SIZE, MAP_SHARED), -EINVAL);
	KUNIT_EXPECT_EQ(test, t_mmap(ctx, f, UACCE_QFRT_MMIO, PAGE_SIZE,
				     MAP_PRIVATE), -EINVAL);
	KUNIT_EXPECT_EQ(test, t_mmap(ctx, f, UACCE_QFRT_MMIO, 2 * PAGE_SIZE,
				     MAP_SHARED), -EINVAL);

	mmio = t_mmap(ctx, f, UACCE_QFRT_MMIO, PAGE_SIZE, MAP_SHARED);
	KUNIT_ASSERT_GT(test, mmio, 0L);
	/* mmap() maps nothing: the first access does, once */
	KUNIT_EXPECT_EQ(test, ctx->fake.faults, 0);
	KUNIT_EXPECT_EQ(test, get_user(magic, (u32 __user *)mmio), 0);
	KUNIT_EXPECT_EQ(test, magic, 0x4b464b45U);
	KUNIT_EXPECT_EQ(test, get_user(magic, (u32 __user *)mmio + 1), 0);
	KUNIT_EXPECT_EQ(test, ctx->fake.faults, 1);
	KUNIT_EXPECT_EQ(test, t_mmap(ctx, f, UACCE_QFRT_MMIO, PAGE_SIZE,
				     MAP_SHARED), -EEXIST);

	mmap_read_lock(test_mm);
	vma = find_vma(test_mm, mmio);
	vm_flags = vma ? vma->vm_flags : 0;
	mmap_read_unlock(test_mm);
	KUNIT_EXPECT_EQ(test, vm_flags & (VM_DONTCOPY | VM_DONTEXPAND | VM_WIPEONFORK |
					  VM_IO | VM_PFNMAP),
			VM_DONTCOPY | VM_DONTEXPAND | VM_WIPEONFORK | VM_IO | VM_PFNMAP);

	dus = t_mmap(ctx, f, UACCE_QFRT_DUS, dus_len, MAP_SHARED);
	KUNIT_ASSERT_GT(test, dus, 0L);
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_REGION),
			ctx->base[UACCE_OBJ_REGION] + 2);
	/* a region is unmapped whole */
	KUNIT_EXPECT_EQ(test, vm_munmap(dus + PAGE_SIZE, PAGE_SIZE), -EINVAL);

	KUNIT_EXPECT_EQ(test, t_munmap(ctx, mmio), 0);
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_REGION),
			ctx->base[UACCE_OBJ_REGION] + 1);
	mmio = t_mmap(ctx, f, UACCE_QFRT_MMIO, PAGE_SIZE, MAP_SHARED);
	KUNIT_EXPECT_GT(test, mmio, 0L);

	/* a page the driver cannot give: the access fails, not the mmap() */
	ctx->fake.fail_pfn = -ENXIO;
	KUNIT_EXPECT_EQ(test, t_munmap(ctx, dus), 0);
	dus = t_mmap(ctx, f, UACCE_QFRT_DUS, dus_len, MAP_SHARED);
	KUNIT_ASSERT_GT(test, dus, 0L);
	KUNIT_EXPECT_NE(test, get_user(magic, (u32 __user *)dus), 0);
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_REGION),
			ctx->base[UACCE_OBJ_REGION] + 2);
	ctx->fake.fail_pfn = 0;
	KUNIT_EXPECT_EQ(test, get_user(magic, (u32 __user *)dus), 0);
}

static void uacce_test_ss(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	unsigned long len = 2 * PAGE_SIZE;
	struct uacce_qfile_region *qfr;
	struct uacce_ss_info info;
	dma_addr_t dma;
	struct file *f;
	u32 word = 0;
	long ss;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, &ctx->fake));
	f = t_open(ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));

	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_GET_SS, ctx->ubuf), -EINVAL);
	KUNIT_EXPECT_EQ(test, t_mmap(ctx, f, UACCE_QFRT_SS, PAGE_SIZE,
				     MAP_SHARED), -EINVAL);
	ss = t_mmap(ctx, f, UACCE_QFRT_SS, len, MAP_SHARED);
	KUNIT_ASSERT_GT(test, ss, 0L);
	qfr = t_queue(f)->qfrs[UACCE_QFRT_SS];
	KUNIT_ASSERT_NOT_NULL(test, qfr);

	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_GET_SS, ctx->ubuf), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&info, (void __user *)ctx->ubuf,
					     sizeof(info)), 0);
	KUNIT_EXPECT_EQ(test, info.dma_addr, (u64)qfr->dma);
	KUNIT_EXPECT_EQ(test, info.size, (u64)len);
	dma = qfr->dma;

	/* user space and the device see the same memory */
	KUNIT_EXPECT_EQ(test, put_user(0xc0ffeeU, (u32 __user *)(ss + PAGE_SIZE)), 0);
	KUNIT_EXPECT_EQ(test, *(u32 *)(qfr->kaddr + PAGE_SIZE), 0xc0ffeeU);

	/* unmapped while started: the memory stays until the queue stops */
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_START_Q, 0), 0);
	KUNIT_EXPECT_EQ(test, t_munmap(ctx, ss), 0);
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_SS_MEMORY),
			ctx->base[UACCE_OBJ_SS_MEMORY] + 1);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_GET_SS, ctx->ubuf), -EINVAL);

	/* mapped again meanwhile: the same memory */
	ss = t_mmap(ctx, f, UACCE_QFRT_SS, len, MAP_SHARED);
	KUNIT_ASSERT_GT(test, ss, 0L);
	KUNIT_EXPECT_EQ(test, get_user(word, (u32 __user *)(ss + PAGE_SIZE)), 0);
	KUNIT_EXPECT_EQ(test, word, 0xc0ffeeU);
	KUNIT_EXPECT_EQ(test, t_queue(f)->qfrs[UACCE_QFRT_SS]->dma, dma);

	KUNIT_EXPECT_EQ(test, t_munmap(ctx, ss), 0);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_PUT_Q, 0), 0);
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_SS_MEMORY),
			ctx->base[UACCE_OBJ_SS_MEMORY]);
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_REGION),
			ctx->base[UACCE_OBJ_REGION]);

	/* unmapped while stopped: freed at once */
	ss = t_mmap(ctx, f, UACCE_QFRT_SS, len, MAP_SHARED);
	KUNIT_ASSERT_GT(test, ss, 0L);
	KUNIT_EXPECT_EQ(test, t_munmap(ctx, ss), 0);
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_SS_MEMORY),
			ctx->base[UACCE_OBJ_SS_MEMORY]);
}

/* ---- removal with open, mapped, started queues ---- */

static void uacce_test_remove_busy(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct fake *fake = &ctx->fake;
	struct uacce_queue_status *status = t_status(fake, 0);
	long mmio, dus, ss;
	struct file *f, *idle;
	int calls;
	u32 word;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, fake));
	f = t_open(ctx);
	idle = t_open(ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f) || IS_ERR(idle));
	KUNIT_ASSERT_EQ(test, t_ioctl(f, UACCE_CMD_START_Q, 0), 0L);
	mmio = t_mmap(ctx, f, UACCE_QFRT_MMIO, PAGE_SIZE, MAP_SHARED);
	dus = t_mmap(ctx, f, UACCE_QFRT_DUS, PAGE_SIZE << FAKE_DUS_ORDER,
		     MAP_SHARED);
	ss = t_mmap(ctx, f, UACCE_QFRT_SS, 2 * PAGE_SIZE, MAP_SHARED);
	KUNIT_ASSERT_TRUE(test, mmio > 0 && dus > 0 && ss > 0);
	KUNIT_EXPECT_EQ(test, get_user(word, (u32 __user *)mmio), 0);

	fake_remove(fake);
	calls = fake->get + fake->put + fake->start + fake->stop + fake->wake +
		fake->bind + fake->unbind;

	/* stopped and put, in that order, status published */
	KUNIT_EXPECT_EQ(test, fake->stop, 1);
	KUNIT_EXPECT_EQ(test, fake->put, 2);
	KUNIT_EXPECT_EQ(test, fake->unbind, 2);
	KUNIT_EXPECT_EQ(test, status->state, UACCE_QSTATE_DEAD);
	KUNIT_EXPECT_EQ(test, status->reason, UACCE_QREASON_REMOVED);
	KUNIT_EXPECT_EQ(test, t_status(fake, 1)->reason, UACCE_QREASON_REMOVED);
	KUNIT_EXPECT_EQ(test, t_queue(f)->state, UACCE_Q_ZOMBIE);
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_SS_MEMORY),
			ctx->base[UACCE_OBJ_SS_MEMORY]);

	/*
	 * The mappings are gone (user space would get SIGBUS): the one
	 * touched zapped, the others, never touched, refused at their fault.
	 */
	KUNIT_EXPECT_NE(test, get_user(word, (u32 __user *)mmio), 0);
	KUNIT_EXPECT_NE(test, get_user(word, (u32 __user *)dus), 0);
	KUNIT_EXPECT_NE(test, get_user(word, (u32 __user *)ss), 0);

	/* every call fails clearly */
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_START_Q, 0), -ENXIO);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_PUT_Q, 0), -ENXIO);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_WAKE_Q, 0), -ENXIO);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_QUEUE_INFO, ctx->ubuf), -ENXIO);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_GET_SS, ctx->ubuf), -ENXIO);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, FAKE_CMD, ctx->ubuf), -ENXIO);
	KUNIT_EXPECT_EQ(test, t_mmap(ctx, idle, UACCE_QFRT_MMIO, PAGE_SIZE,
				     MAP_SHARED), -ENXIO);
	KUNIT_EXPECT_EQ(test, vfs_poll(f, NULL), EPOLLERR | EPOLLHUP);
	KUNIT_EXPECT_EQ(test, vfs_poll(idle, NULL), EPOLLERR | EPOLLHUP);

	/* unmapping and closing work, and never call the driver */
	KUNIT_EXPECT_EQ(test, t_munmap(ctx, ss), 0);
	KUNIT_EXPECT_EQ(test, t_munmap(ctx, dus), 0);
	t_close(ctx, idle);
	KUNIT_EXPECT_EQ(test, t_munmap(ctx, mmio), 0);
	t_close(ctx, f);
	KUNIT_EXPECT_EQ(test, fake->get + fake->put + fake->start + fake->stop +
			fake->wake + fake->bind + fake->unbind, calls);
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_DEVICE),
			ctx->base[UACCE_OBJ_DEVICE]);
}

/* A file closed before its mappings: the queue lives until they go. */
static void uacce_test_close_before_munmap(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct file *f;
	long dus;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, &ctx->fake));
	f = t_open(ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	dus = t_mmap(ctx, f, UACCE_QFRT_DUS, PAGE_SIZE, MAP_SHARED);
	KUNIT_ASSERT_GT(test, dus, 0L);
	t_close(ctx, f);
	KUNIT_EXPECT_EQ(test, ctx->fake.put, 0);
	KUNIT_EXPECT_EQ(test, t_munmap(ctx, dus), 0);
	KUNIT_EXPECT_EQ(test, ctx->fake.put, 1);
}

/* ---- error isolation ---- */

static void uacce_test_isolation(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct fake *fake = &ctx->fake;
	struct uacce_device *uacce;
	u64 t0 = 10 * HOUR_NS;
	struct file *f;
	int i;

	uacce = fake_add(test, fake);
	KUNIT_ASSERT_NOT_NULL(test, uacce);
	f = t_open(ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	KUNIT_ASSERT_EQ(test, t_ioctl(f, UACCE_CMD_START_Q, 0), 0L);

	/* threshold 0: never */
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_FALSE(test, uacce_isolation_record(uacce, t0 + i));

	KUNIT_EXPECT_EQ(test, t_attr(ctx, "isolate_strategy", NULL, 0, "65536"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, t_attr(ctx, "isolate_strategy", NULL, 0, "many"),
			-EINVAL);
	KUNIT_ASSERT_EQ(test, t_attr(ctx, "isolate_strategy", NULL, 0, "3"), 0);
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "isolate_strategy", "3\n"));

	/* errors at 0, 10, 60, 120, 140 min: never three within an hour */
	KUNIT_EXPECT_FALSE(test, uacce_isolation_record(uacce, t0));
	KUNIT_EXPECT_FALSE(test, uacce_isolation_record(uacce, t0 + 10 * MIN_NS));
	KUNIT_EXPECT_FALSE(test, uacce_isolation_record(uacce, t0 + 60 * MIN_NS));
	KUNIT_EXPECT_FALSE(test, uacce_isolation_record(uacce, t0 + 120 * MIN_NS));
	KUNIT_EXPECT_FALSE(test, uacce_isolation_record(uacce, t0 + 140 * MIN_NS));
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "isolate", "0\n"));
	KUNIT_EXPECT_EQ(test, t_status(fake, 0)->state, UACCE_QSTATE_OK);

	/* 120, 140, 160: three within an hour */
	KUNIT_EXPECT_TRUE(test, uacce_isolation_record(uacce, t0 + 160 * MIN_NS));
	uacce_isolation_flush(uacce);
	KUNIT_EXPECT_TRUE(test, uacce_is_isolated(uacce));
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "isolate", "1\n"));
	KUNIT_EXPECT_EQ(test, fake->isolated, 1);
	KUNIT_EXPECT_EQ(test, t_status(fake, 0)->state, UACCE_QSTATE_DEAD);
	KUNIT_EXPECT_EQ(test, t_status(fake, 0)->reason, UACCE_QREASON_ISOLATED);

	/* the open queue works on, but restarts and new opens fail */
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_WAKE_Q, 0), 0);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_PUT_Q, 0), 0);
	KUNIT_EXPECT_EQ(test, t_status(fake, 0)->state, UACCE_QSTATE_DEAD);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_START_Q, 0), -EIO);
	KUNIT_EXPECT_EQ(test, PTR_ERR(t_open(ctx)), -EIO);

	/* more errors change nothing */
	KUNIT_EXPECT_FALSE(test, uacce_isolation_record(uacce, t0 + 170 * MIN_NS));
	uacce_isolation_flush(uacce);
	KUNIT_EXPECT_EQ(test, fake->isolated, 1);
}

static void uacce_test_isolation_threshold_one(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct uacce_device *uacce;

	uacce = fake_add(test, &ctx->fake);
	KUNIT_ASSERT_NOT_NULL(test, uacce);
	KUNIT_ASSERT_EQ(test, t_attr(ctx, "isolate_strategy", NULL, 0, "1"), 0);
	uacce_report_hw_error(uacce);
	uacce_isolation_flush(uacce);
	KUNIT_EXPECT_TRUE(test, uacce_is_isolated(uacce));
	KUNIT_EXPECT_EQ(test, ctx->fake.isolated, 1);
}

/*
 * A device carved out of another (an mdev instance) follows its isolation:
 * at once when the parent is isolated, and from the start when it already
 * is; a child removed first is forgotten.
 */
static void uacce_test_isolation_parent(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct uacce_device *parent, *late;
	struct fake *child, *gone;
	struct file *f;

	parent = fake_add(test, &ctx->fake);
	KUNIT_ASSERT_NOT_NULL(test, parent);
	KUNIT_ASSERT_EQ(test, t_attr(ctx, "isolate_strategy", NULL, 0, "1"), 0);
	child = kunit_kzalloc(test, sizeof(*child), GFP_KERNEL);
	gone = kunit_kzalloc(test, sizeof(*gone), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, child);
	KUNIT_ASSERT_NOT_NULL(test, gone);
	if (fake_init(test, child, NUMA_NO_NODE) ||
	    fake_init(test, gone, NUMA_NO_NODE))
		goto out_fini;

	KUNIT_EXPECT_FALSE(test, IS_ERR(fake_alloc_child(child, &fake_ops,
							 UACCE_DEV_SVA, 0,
							 parent)));
	KUNIT_EXPECT_FALSE(test, IS_ERR(fake_alloc_child(gone, &fake_ops,
							 UACCE_DEV_SVA, 0,
							 parent)));
	if (!child->uacce || !gone->uacce || uacce_register(child->uacce))
		goto out_remove;
	fake_remove(gone);

	f = t_open_fake(ctx, child);
	KUNIT_EXPECT_FALSE(test, IS_ERR(f));
	if (IS_ERR(f))
		goto out_remove;
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_START_Q, 0), 0L);
	KUNIT_EXPECT_FALSE(test, uacce_is_isolated(child->uacce));

	uacce_report_hw_error(parent);
	uacce_isolation_flush(parent);
	uacce_isolation_flush(child->uacce);
	KUNIT_EXPECT_TRUE(test, uacce_is_isolated(parent));
	KUNIT_EXPECT_TRUE(test, uacce_is_isolated(child->uacce));
	KUNIT_EXPECT_EQ(test, child->isolated, 1);
	KUNIT_EXPECT_EQ(test, t_status(child, 0)->state, UACCE_QSTATE_DEAD);
	KUNIT_EXPECT_EQ(test, t_status(child, 0)->reason,
			UACCE_QREASON_ISOLATED);
	KUNIT_EXPECT_EQ(test, PTR_ERR(t_open_fake(ctx, child)), -EIO);
	t_close(ctx, f);

	/* born isolated */
	late = uacce_alloc(&gone->pdev->dev, &(struct uacce_interface) {
		.name = FAKE_NAME, .ops = &fake_ops,
		.caps = UACCE_CAP_OWN_TRANSLATION,
		.isolation_parent = parent });
	KUNIT_EXPECT_FALSE(test, IS_ERR(late));
	if (!IS_ERR(late)) {
		KUNIT_EXPECT_TRUE(test, uacce_is_isolated(late));
		uacce_remove(late);
	}

out_remove:
	if (!IS_ERR_OR_NULL(gone->uacce))
		fake_remove(gone);
	if (!IS_ERR_OR_NULL(child->uacce))
		fake_remove(child);
out_fini:
	fake_fini(gone);
	fake_fini(child);
	KUNIT_EXPECT_EQ(test, child->get, child->put);
	KUNIT_EXPECT_EQ(test, child->start, child->stop);
}

/* ---- extensions ---- */

static void uacce_test_extension(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	static const struct uacce_extension no_detach = {
		.name = "broken", .attach = test_ext_attach,
	};
	struct fake *fake = &ctx->fake;
	struct uacce_device *uacce;
	struct fake *child;
	struct file *f;

	child = kunit_kzalloc(test, sizeof(*child), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, child);
	fake->ext_child = child;
	if (fake_init(test, child, NUMA_NO_NODE))
		goto out_fini;

	KUNIT_EXPECT_EQ(test, uacce_extension_register(&no_detach), -EINVAL);
	KUNIT_EXPECT_EQ(test, uacce_extension_register(NULL), -EINVAL);
	KUNIT_ASSERT_EQ(test, uacce_extension_register(&test_ext), 0);
	ctx->ext_registered = true;
	KUNIT_EXPECT_EQ(test, uacce_extension_register(&test_ext), -EBUSY);

	/* a device without ext_info is not offered */
	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, fake));
	fake_remove(fake);
	KUNIT_EXPECT_EQ(test, fake->ext_attach, 0);

	/* registered while the extension is there: attached at once */
	uacce = fake_alloc(fake, &fake_ops, UACCE_DEV_SVA, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, uacce);
	uacce->ext_info = &test_ext_info;
	KUNIT_ASSERT_EQ(test, uacce_register(uacce), 0);
	KUNIT_EXPECT_EQ(test, fake->ext_attach, 1);
	KUNIT_EXPECT_PTR_EQ(test, uacce->ext_priv, (void *)fake);
	KUNIT_EXPECT_FALSE(test, child->removed);

	/* the extension leaves: detached, its device removed */
	uacce_extension_unregister(&test_ext);
	ctx->ext_registered = false;
	KUNIT_EXPECT_EQ(test, fake->ext_detach, 1);
	KUNIT_EXPECT_NULL(test, uacce->ext_priv);
	KUNIT_EXPECT_TRUE(test, child->removed);

	/* and comes back: the registered device is attached */
	KUNIT_ASSERT_EQ(test, uacce_extension_register(&test_ext), 0);
	ctx->ext_registered = true;
	KUNIT_EXPECT_EQ(test, fake->ext_attach, 2);
	KUNIT_EXPECT_PTR_EQ(test, uacce->ext_priv, (void *)fake);

	/* an attach that fails leaves the device working, not attached */
	uacce_extension_unregister(&test_ext);
	ctx->ext_registered = false;
	fake->ext_fail = -ENOMEM;
	KUNIT_ASSERT_EQ(test, uacce_extension_register(&test_ext), 0);
	ctx->ext_registered = true;
	KUNIT_EXPECT_EQ(test, fake->ext_attach, 3);
	KUNIT_EXPECT_NULL(test, uacce->ext_priv);
	f = t_open(ctx);
	KUNIT_EXPECT_FALSE(test, IS_ERR(f));
	if (!IS_ERR(f))
		t_close(ctx, f);
	/* no detach for a device that is not attached */
	uacce_extension_unregister(&test_ext);
	ctx->ext_registered = false;
	KUNIT_EXPECT_EQ(test, fake->ext_detach, 2);
	fake->ext_fail = 0;
	KUNIT_ASSERT_EQ(test, uacce_extension_register(&test_ext), 0);
	ctx->ext_registered = true;
	KUNIT_EXPECT_EQ(test, fake->ext_attach, 4);

	/* removal detaches first, with the device intact */
	f = t_open(ctx);
	KUNIT_EXPECT_FALSE(test, IS_ERR(f));
	fake_remove(fake);
	KUNIT_EXPECT_EQ(test, fake->ext_detach, 3);
	KUNIT_EXPECT_TRUE(test, child->removed);
	KUNIT_EXPECT_FALSE(test, fake->ext_broken);
	if (!IS_ERR(f))
		t_close(ctx, f);

	uacce_extension_unregister(&test_ext);
	ctx->ext_registered = false;
	KUNIT_EXPECT_EQ(test, fake->ext_detach, 3);
out_fini:
	fake_remove(child);
	fake_fini(child);
	KUNIT_EXPECT_EQ(test, child->get, child->put);
}

/* ---- NUMA ---- */

static void uacce_test_numa(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	int node = nr_node_ids - 1;
	struct uacce_queue_info info;
	struct uacce_queue *q;
	struct file *f;
	char want[16];
	long ss;

	if (node < 1 || !node_state(node, N_MEMORY))
		kunit_skip(test, "needs a second NUMA node with memory");
	set_dev_node(&ctx->fake.pdev->dev, node);
	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, &ctx->fake));
	snprintf(want, sizeof(want), "%d\n", node);
	KUNIT_EXPECT_TRUE(test, t_attr_is(ctx, "node_id", want));
	KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(ctx->fake.uacce)), node);

	f = t_open(ctx);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	q = t_queue(f);
	KUNIT_EXPECT_EQ(test, q->node, node);
	KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(q)), node);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_QUEUE_INFO, ctx->ubuf), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&info, (void __user *)ctx->ubuf,
					     sizeof(info)), 0);
	KUNIT_EXPECT_EQ(test, info.node, node);

	ss = t_mmap(ctx, f, UACCE_QFRT_SS, 2 * PAGE_SIZE, MAP_SHARED);
	KUNIT_ASSERT_GT(test, ss, 0L);
	KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(q->qfrs[UACCE_QFRT_SS])),
			node);
	KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(q->qfrs[UACCE_QFRT_SS]->kaddr)),
			node);
}

/* ---- fault injection sweep ---- */

/*
 * The steps of the sweep's sequence.  UT_START allocates nothing: no
 * fault can fail it (the driver's errors are uacce_test_open_driver_errors).
 */
enum {
	UT_ALLOC, UT_REGISTER, UT_OPEN, UT_MMAP_MMIO, UT_MMAP_DUS, UT_MMAP_SS,
	UT_START, UT_ISOLATE, UT_DONE,
};

static const char * const uacce_test_steps[] = {
	[UT_ALLOC] = "alloc", [UT_REGISTER] = "register", [UT_OPEN] = "open",
	[UT_MMAP_MMIO] = "mmap MMIO", [UT_MMAP_DUS] = "mmap DUS",
	[UT_MMAP_SS] = "mmap SS", [UT_START] = "start",
	[UT_ISOLATE] = "isolate_strategy",
};

/*
 * Alloc, register, open, map every region, start, set the isolation
 * threshold, with the n-th allocation of this thread failing (fail_nth.h).
 * Return the step that failed (UT_DONE: none) after checking its errno,
 * and undo the earlier steps.  *@fired: the n-th allocation was reached.
 */
static int uacce_test_sweep_once(struct kunit *test, unsigned int n,
				 bool *fired)
{
	struct test_ctx *ctx = test->priv;
	struct fake *fake = &ctx->fake;
	struct uacce_device *uacce;
	struct file *f = NULL;
	int step = UT_ALLOC;
	long ret = 0;
	int type;

	kt_fail_nth(n);
	uacce = fake_alloc(fake, &fake_ops, UACCE_DEV_SVA, 1);
	if (IS_ERR(uacce)) {
		ret = PTR_ERR(uacce);
		goto out;
	}
	step = UT_REGISTER;
	ret = uacce_register(uacce);
	if (ret)
		goto out;
	step = UT_OPEN;
	f = t_open(ctx);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		f = NULL;
		goto out;
	}
	for (type = 0; type < UACCE_MAX_REGION; type++) {
		step = UT_MMAP_MMIO + type;
		ret = t_mmap(ctx, f, type, uacce->qf_pg_num[type] << PAGE_SHIFT,
			     MAP_SHARED);
		if (ret < 0)
			goto out;
	}
	step = UT_START;
	ret = t_ioctl(f, UACCE_CMD_START_Q, 0);
	if (ret)
		goto out;
	step = UT_ISOLATE;
	ret = t_attr(ctx, "isolate_strategy", NULL, 0, "100");
	if (!ret)
		step = UT_DONE;
out:
	*fired = kt_fail_nth_fired();
	if (step != UT_DONE) {
		KUNIT_EXPECT_TRUE_MSG(test, *fired, "%s failed without a fault (n=%u): %ld",
				      uacce_test_steps[step], n, ret);
		/*
		 * -ENOENT: a fault in register may cost the device node,
		 * which devtmpfs creates or not, and the open fails
		 */
		KUNIT_EXPECT_TRUE_MSG(test, ret == -ENOMEM ||
				      (step == UT_OPEN && ret == -ENOENT),
				      "%s: errno %ld (n=%u)",
				      uacce_test_steps[step], ret, n);
	}

	while (ctx->nr_maps)
		t_munmap(ctx, ctx->maps[0].addr);
	if (f)
		t_close(ctx, f);
	if (!IS_ERR(uacce))
		fake_remove(fake);
	fake->uacce = NULL;
	return step;
}

static void uacce_test_fault_sweep(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	bool hit[UT_DONE] = { };
	int now[UACCE_OBJ_NR];
	unsigned int n;
	bool fired, missed;
	int i, step, pass;

	kt_fail_nth_require(test);
	/*
	 * The sequence is not the same length every time (a slab may or may
	 * not need a new page), so a step of one allocation can slip past
	 * the n that was meant for it: sweep again, at most twice more, while
	 * a step has not failed yet.
	 */
	for (pass = 0; pass < 3; pass++) {
		for (n = 1; n < 4000; n++) {
			step = uacce_test_sweep_once(test, n, &fired);
			t_objects(now);
			for (i = 0; i < UACCE_OBJ_NR; i++)
				KUNIT_EXPECT_EQ_MSG(test, now[i], ctx->base[i],
						    "leak of objects %d after n=%u",
						    i, n);
			KUNIT_EXPECT_EQ(test, ctx->fake.get, ctx->fake.put);
			KUNIT_EXPECT_EQ(test, ctx->fake.bind, ctx->fake.unbind);
			KUNIT_EXPECT_EQ(test, ctx->fake.start, ctx->fake.stop);
			if (step == UT_DONE && !fired)
				break;
			if (step != UT_DONE)
				hit[step] = true;
		}
		KUNIT_EXPECT_LT(test, n, 4000U);
		kunit_info(test, "%u allocations in the sequence\n", n - 1);
		missed = false;
		for (i = 0; i < UT_DONE; i++)
			if (i != UT_START && !hit[i])
				missed = true;
		if (!missed)
			break;
	}
	for (i = 0; i < UT_DONE; i++)
		if (i != UT_START)
			KUNIT_EXPECT_TRUE_MSG(test, hit[i], "%s never failed",
					      uacce_test_steps[i]);
}

static struct kunit_case uacce_test_cases[] = {
	KUNIT_CASE(uacce_test_alloc_args),
	KUNIT_CASE(uacce_test_register),
	KUNIT_CASE(uacce_test_sva_negotiation),
	KUNIT_CASE(uacce_test_sva_own_translation),
	KUNIT_CASE(uacce_test_ss_needs_dma_mask),
	KUNIT_CASE(uacce_test_open_release),
	KUNIT_CASE(uacce_test_open_exhausted),
	KUNIT_CASE(uacce_test_open_driver_errors),
	KUNIT_CASE(uacce_test_state_transitions),
	KUNIT_CASE(uacce_test_ioctl_steps),
	KUNIT_CASE(uacce_test_queue_info),
	KUNIT_CASE(uacce_test_poll),
	KUNIT_CASE(uacce_test_mmap),
	KUNIT_CASE(uacce_test_ss),
	KUNIT_CASE(uacce_test_remove_busy),
	KUNIT_CASE(uacce_test_close_before_munmap),
	KUNIT_CASE(uacce_test_isolation),
	KUNIT_CASE(uacce_test_isolation_threshold_one),
	KUNIT_CASE(uacce_test_isolation_parent),
	KUNIT_CASE(uacce_test_extension),
	KUNIT_CASE(uacce_test_numa),
	KUNIT_CASE(uacce_test_fault_sweep),
	{}
};

static struct kunit_suite uacce_test_suite = {
	.name = "uacce",
	.suite_init = uacce_test_suite_init,
	.suite_exit = uacce_test_suite_exit,
	.init = uacce_test_init,
	.exit = uacce_test_exit,
	.test_cases = uacce_test_cases,
};

kunit_test_suite(uacce_test_suite);

MODULE_IMPORT_NS(WARPDRIVE_KUNIT);
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of the WarpDrive uacce framework");
