// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit suite of the wd_mdev module: mdev types and their accounting,
 * access-point instances and their quota, removal of an instance with
 * open, mapped and started queues, removal of the accelerator and of the
 * framework under its instances, in every order, the forwarding of queue
 * callbacks to the accelerator's driver, and fault injection sweeps over
 * every step of attaching an accelerator and of creating and opening an
 * instance.
 *
 * The tests register a fake accelerator, whose ops live in this module,
 * on a platform device without a driver, with mdev types, and use it as
 * an administrator and user space would: /sys/class/uacce/<fake>/
 * mdev_supported_types/, /sys/bus/mdev/devices/<uuid>/ and the instances'
 * /dev nodes.  Mappings live in the address space of the process loading
 * the module (insmod, blocked until the suite ends), which each test
 * case's kernel thread borrows with kthread_use_mm().
 */
#include <kunit/test.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/io.h>
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
#include <linux/wd_mdev.h>

#include "../../drivers/mdev/kunit_hooks.h"
#include "../../uacce/kunit_hooks.h"
#include "fail_nth.h"
#include "kunit_file.h"

#define FAKE_NAME		"wd_mdev_kunit"
#define FAKE_QUEUES		8
#define FAKE_STATUS_OFFSET	0x40
#define MAX_FILES		(FAKE_QUEUES + 4)
#define MAX_INSTANCES		8
#define PATH_SIZE		192

/* A type larger than the device: never available. */
static const struct wd_mdev_type fake_types[] = {
	{ .name = "ap1", .personality = WD_MDEV_ACCESS_POINT, .nr_queues = 1 },
	{ .name = "ap2", .personality = WD_MDEV_ACCESS_POINT, .nr_queues = 2,
	  .pretty_name = "two queues" },
	{ .name = "ap4", .personality = WD_MDEV_ACCESS_POINT, .nr_queues = 4 },
	{ .name = "ap16", .personality = WD_MDEV_ACCESS_POINT, .nr_queues = 16 },
};

static const struct wd_mdev_type dup_types[] = {
	{ .name = "ap1", .personality = WD_MDEV_ACCESS_POINT, .nr_queues = 1 },
	{ .name = "ap1", .personality = WD_MDEV_ACCESS_POINT, .nr_queues = 2 },
};

static const struct wd_mdev_type empty_types[] = {
	{ .name = "ap0", .personality = WD_MDEV_ACCESS_POINT, .nr_queues = 0 },
};

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
	struct wd_mdev_type_table table;	/* its ext_info */
	bool removed;
	struct fake_slot slots[FAKE_QUEUES];
	int get, put, start, stop, bind, unbind;
	struct uacce_device *get_uacce;	/* get_queue's device argument */
};

struct test_ctx {
	struct fake fake;
	struct file *files[MAX_FILES];
	int nr_files;
	struct {
		unsigned long addr, len;
	} maps[8];
	int nr_maps;
	char uuids[MAX_INSTANCES][UUID_STRING_LEN + 1];
	int nr_uuids;
	unsigned long ubuf;		/* a user page for ioctl arguments */
	int base[UACCE_OBJ_NR];		/* live uacce objects before the test */
	int wd_base[WD_MDEV_OBJ_NR];	/* live wd_mdev objects before it */
	bool mm_used;
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

	for (i = 0; i < FAKE_QUEUES; i++)
		n += !fake->slots[i].used;
	return n;
}

static int fake_get_queue(struct uacce_device *uacce, unsigned long arg,
			  struct uacce_queue *q)
{
	struct fake *fake = to_fake(uacce);
	int i;

	for (i = 0; i < FAKE_QUEUES; i++) {
		if (fake->slots[i].used)
			continue;
		fake->slots[i].used = true;
		memset(fake->slots[i].dus, 0, PAGE_SIZE);
		q->priv = &fake->slots[i];
		q->status = fake->slots[i].dus + FAKE_STATUS_OFFSET;
		fake->get_uacce = uacce;
		fake->get++;
		return 0;
	}
	/* the accounting should never let this happen */
	return -ENOSPC;
}

static void fake_put_queue(struct uacce_queue *q)
{
	struct fake_slot *slot = q->priv;

	slot->used = false;
	to_fake(q->uacce)->put++;
}

static int fake_start_queue(struct uacce_queue *q)
{
	to_fake(q->uacce)->start++;
	return 0;
}

static void fake_stop_queue(struct uacce_queue *q)
{
	to_fake(q->uacce)->stop++;
}

static int fake_region_pfn(struct uacce_queue *q, enum uacce_qfrt type,
			   unsigned long pgoff, unsigned long *pfn)
{
	struct fake_slot *slot = q->priv;
	void *mem = type == UACCE_QFRT_MMIO ? slot->mmio : slot->dus;

	*pfn = (virt_to_phys(mem) >> PAGE_SHIFT) + pgoff;
	return 0;
}

static void fake_queue_info(struct uacce_queue *q,
			    struct uacce_queue_info *info)
{
	info->qid = (struct fake_slot *)q->priv - to_fake(q->uacce)->slots;
	info->status_offset = FAKE_STATUS_OFFSET;
}

static int fake_bind_mm(struct uacce_queue *q, struct mm_struct *mm)
{
	to_fake(q->uacce)->bind++;
	return 0;
}

static void fake_unbind_mm(struct uacce_queue *q)
{
	to_fake(q->uacce)->unbind++;
}

static const struct uacce_ops fake_ops = {
	.get_available_instances = fake_get_available_instances,
	.get_queue = fake_get_queue,
	.put_queue = fake_put_queue,
	.start_queue = fake_start_queue,
	.stop_queue = fake_stop_queue,
	.region_pfn = fake_region_pfn,
	.queue_info = fake_queue_info,
	.bind_mm = fake_bind_mm,
	.unbind_mm = fake_unbind_mm,
};

static int fake_init(struct fake *fake)
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
	for (i = 0; i < FAKE_QUEUES; i++) {
		fake->slots[i].mmio = (void *)get_zeroed_page(GFP_KERNEL);
		fake->slots[i].dus = (void *)get_zeroed_page(GFP_KERNEL);
		if (!fake->slots[i].mmio || !fake->slots[i].dus)
			return -ENOMEM;
	}
	return 0;
}

static void fake_fini(struct fake *fake)
{
	int i;

	for (i = 0; i < FAKE_QUEUES; i++) {
		free_page((unsigned long)fake->slots[i].mmio);
		free_page((unsigned long)fake->slots[i].dus);
	}
	if (fake->pdev)
		platform_device_unregister(fake->pdev);
}

static void fake_remove(struct fake *fake)
{
	if (fake->uacce && !fake->removed)
		uacce_remove(fake->uacce);
	fake->removed = true;
}

/*
 * Allocate and register the fake with @types, counting @nr_queues queues.
 * Return: 0 or the error of uacce_alloc() or uacce_register().
 */
static int fake_register(struct fake *fake, const struct wd_mdev_type *types,
			 unsigned int nr_types, unsigned int nr_queues)
{
	struct uacce_interface iface = { .name = FAKE_NAME,
					 .flags = UACCE_DEV_SVA,
					 .caps = UACCE_CAP_OWN_TRANSLATION,
					 .ops = &fake_ops };
	struct uacce_device *uacce;

	uacce = uacce_alloc(&fake->pdev->dev, &iface);
	if (IS_ERR(uacce))
		return PTR_ERR(uacce);
	uacce->priv = fake;
	uacce->api_ver = "fake_v1";
	uacce->algs = "zlib\ngzip";
	uacce->qf_pg_num[UACCE_QFRT_MMIO] = 1;
	uacce->qf_pg_num[UACCE_QFRT_DUS] = 1;
	uacce->qf_pg_num[UACCE_QFRT_SS] = 1;
	uacce->nr_queues = nr_queues;
	fake->table.types = types;
	fake->table.nr_types = nr_types;
	wd_mdev_set_types(uacce, &fake->table);
	strscpy(fake->name, dev_name(&uacce->dev), sizeof(fake->name));
	fake->uacce = uacce;
	fake->removed = false;
	return uacce_register(uacce);
}

/* The fake with fake_types and FAKE_QUEUES queues. */
static struct uacce_device *fake_add(struct kunit *test, struct fake *fake)
{
	if (fake_register(fake, fake_types, ARRAY_SIZE(fake_types),
			  FAKE_QUEUES)) {
		fake_remove(fake);
		KUNIT_FAIL(test, "cannot register the fake accelerator");
		return NULL;
	}
	return fake->uacce;
}

/* ---- acting as an administrator and as user space ---- */

/* An attribute of the fake's type @type, e.g. "ap2", "available_instances" */
static int t_type_attr(struct test_ctx *ctx, const char *type,
		       const char *attr, char *buf, size_t size,
		       const char *write)
{
	char path[PATH_SIZE];

	snprintf(path, sizeof(path),
		 "/sys/class/uacce/%s/mdev_supported_types/uacce-%s/%s",
		 ctx->fake.name, type, attr);
	return kt_file(path, buf, size, write);
}

static bool t_type_is(struct test_ctx *ctx, const char *type,
		      const char *attr, const char *want)
{
	char buf[128];

	return !t_type_attr(ctx, type, attr, buf, sizeof(buf), NULL) &&
	       !strcmp(buf, want);
}

/* available_instances of a type, or a negative errno */
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

/* available_instances of a uacce device, or a negative errno */
static int t_uacce_avail(const char *name)
{
	char path[PATH_SIZE], buf[32];
	int ret, n;

	snprintf(path, sizeof(path), "/sys/class/uacce/%s/available_instances",
		 name);
	ret = kt_file(path, buf, sizeof(buf), NULL);
	if (ret)
		return ret;
	ret = kstrtoint(buf, 10, &n);
	return ret ? ret : n;
}

/* Create an instance of @type; its index in ctx->uuids, or an errno. */
static int t_create(struct test_ctx *ctx, const char *type)
{
	int i = ctx->nr_uuids, ret;

	if (i >= MAX_INSTANCES)
		return -ENOSPC;
	snprintf(ctx->uuids[i], sizeof(ctx->uuids[i]),
		 "%08x-0000-4000-8000-%012x", 0x3dc0de00 + i, i);
	ret = t_type_attr(ctx, type, "create", NULL, 0, ctx->uuids[i]);
	if (ret)
		return ret;
	ctx->nr_uuids++;
	return i;
}

static int t_mdev_attr(struct test_ctx *ctx, int inst, const char *attr,
		       char *buf, size_t size, const char *write)
{
	char path[PATH_SIZE];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/%s",
		 ctx->uuids[inst], attr);
	return kt_file(path, buf, size, write);
}

static int t_destroy(struct test_ctx *ctx, int inst)
{
	return t_mdev_attr(ctx, inst, "remove", NULL, 0, "1");
}

static bool t_mdev_exists(struct test_ctx *ctx, int inst)
{
	char buf[64];

	return t_mdev_attr(ctx, inst, "access_point/queues", buf, sizeof(buf),
			   NULL) != -ENOENT;
}

/* The instance's uacce device name into @name, "" if there is none. */
static void t_inst_name(struct test_ctx *ctx, int inst, char *name,
			size_t size)
{
	if (t_mdev_attr(ctx, inst, "access_point/name", name, size, NULL))
		name[0] = '\0';
	name[strcspn(name, "\n")] = '\0';
}

static struct file *t_open(struct test_ctx *ctx, const char *name)
{
	char path[PATH_SIZE];
	struct file *f;

	if (ctx->nr_files >= MAX_FILES)
		return ERR_PTR(-EMFILE);
	snprintf(path, sizeof(path), "/dev/%s", name);
	f = filp_open(path, O_RDWR, 0);
	if (!IS_ERR(f))
		ctx->files[ctx->nr_files++] = f;
	return f;
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

static long t_mmap(struct test_ctx *ctx, struct file *f, enum uacce_qfrt type)
{
	unsigned long addr;

	addr = vm_mmap(f, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       (unsigned long)type << PAGE_SHIFT);
	if (IS_ERR_VALUE(addr))
		return (long)addr;
	ctx->maps[ctx->nr_maps].addr = addr;
	ctx->maps[ctx->nr_maps].len = PAGE_SIZE;
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

static struct uacce_queue *t_queue(struct file *f)
{
	return f->private_data;
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

/*
 * Expect the live objects of the start of the test, and the fake
 * accelerator's uacce device and wd_mdev state if it is still there.
 */
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
}

static int wd_mdev_test_init(struct kunit *test)
{
	struct test_ctx *ctx;

	KUNIT_ASSERT_NOT_NULL(test, test_mm);
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	t_objects(ctx->base, ctx->wd_base);

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

	return fake_init(&ctx->fake);
}

static void wd_mdev_test_exit(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	bool kthread = current->flags & PF_KTHREAD;
	int i;

	while (ctx->nr_maps)
		t_munmap(ctx, ctx->maps[0].addr);
	while (ctx->nr_files)
		t_close(ctx, ctx->files[0]);
	/* a test that unloaded the framework loads it again */
	wd_mdev_load();
	for (i = 0; i < ctx->nr_uuids; i++)
		t_destroy(ctx, i);
	fake_remove(&ctx->fake);
	fake_fini(&ctx->fake);
	vm_munmap(ctx->ubuf, PAGE_SIZE);

	if (kthread && ctx->mm_used) {
		kthread_unuse_mm(test_mm);
		mmput(test_mm);
	}
	/* After an aborted test, releases run later, from insmod. */
	if (!kthread)
		return;

	t_expect_no_leak(test, "at the end");
	KUNIT_EXPECT_EQ(test, ctx->fake.get, ctx->fake.put);
	KUNIT_EXPECT_EQ(test, ctx->fake.start, ctx->fake.stop);
	KUNIT_EXPECT_EQ(test, ctx->fake.bind, ctx->fake.unbind);
}

static int wd_mdev_test_suite_init(struct kunit_suite *suite)
{
	/* Runs in the loading process; the cases run in kernel threads. */
	test_mm = get_task_mm(current);
	return test_mm ? 0 : -EINVAL;
}

static void wd_mdev_test_suite_exit(struct kunit_suite *suite)
{
	if (test_mm)
		mmput(test_mm);
	test_mm = NULL;
}

/* ---- types ---- */

static void wd_mdev_test_types(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	char path[PATH_SIZE], buf[64];

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, &ctx->fake));
	KUNIT_EXPECT_EQ(test, wd_mdev_kunit_objects(WD_MDEV_OBJ_ACCEL),
			ctx->wd_base[WD_MDEV_OBJ_ACCEL] + 1);

	KUNIT_EXPECT_TRUE(test, t_type_is(ctx, "ap1", "device_api", "uacce\n"));
	KUNIT_EXPECT_TRUE(test, t_type_is(ctx, "ap1", "name",
					  "fake_v1 access point, 1 queue\n"));
	KUNIT_EXPECT_TRUE(test, t_type_is(ctx, "ap4", "name",
					  "fake_v1 access point, 4 queues\n"));
	KUNIT_EXPECT_TRUE(test, t_type_is(ctx, "ap2", "name", "two queues\n"));
	KUNIT_EXPECT_TRUE(test, t_type_is(ctx, "ap4", "description",
					  "queues: 4\napi: fake_v1\nalgorithms: zlib gzip\n"));
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap1"), FAKE_QUEUES);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap2"), FAKE_QUEUES / 2);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap4"), FAKE_QUEUES / 4);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap16"), 0);
	KUNIT_EXPECT_EQ(test, t_uacce_avail(ctx->fake.name), FAKE_QUEUES);

	/* mdevctl finds parents here */
	snprintf(path, sizeof(path),
		 "/sys/class/mdev_bus/%s/mdev_supported_types/uacce-ap1/name",
		 ctx->fake.name);
	KUNIT_EXPECT_EQ(test, kt_file(path, buf, sizeof(buf), NULL), 0);

	/* an instance of a type larger than the device */
	KUNIT_EXPECT_EQ(test, t_create(ctx, "ap16"), -ENOSPC);
	/* not a UUID */
	KUNIT_EXPECT_EQ(test, t_type_attr(ctx, "ap1", "create", NULL, 0,
					  "not-a-uuid-at-all-but-36-chars-long"),
			-EINVAL);

	fake_remove(&ctx->fake);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap1"), -ENOENT);
	KUNIT_EXPECT_EQ(test, kt_file(path, buf, sizeof(buf), NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, wd_mdev_kunit_objects(WD_MDEV_OBJ_ACCEL),
			ctx->wd_base[WD_MDEV_OBJ_ACCEL]);
}

/* Tables the framework refuses: the device works on without mdev. */
static void wd_mdev_test_bad_tables(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	static const struct {
		const struct wd_mdev_type *types;
		unsigned int nr_types, nr_queues;
	} bad[] = {
		{ fake_types, ARRAY_SIZE(fake_types), 0 },
		{ dup_types, ARRAY_SIZE(dup_types), FAKE_QUEUES },
		{ empty_types, ARRAY_SIZE(empty_types), FAKE_QUEUES },
		{ fake_types, 0, FAKE_QUEUES },
		{ NULL, 1, FAKE_QUEUES },
	};
	struct file *f;
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_ASSERT_EQ(test, fake_register(&ctx->fake, bad[i].types,
						    bad[i].nr_types,
						    bad[i].nr_queues), 0);
		KUNIT_EXPECT_EQ_MSG(test, t_avail(ctx, "ap1"), -ENOENT,
				    "table %d", i);
		f = t_open(ctx, ctx->fake.name);
		KUNIT_EXPECT_FALSE_MSG(test, IS_ERR(f), "table %d", i);
		if (!IS_ERR(f))
			t_close(ctx, f);
		fake_remove(&ctx->fake);
		t_expect_no_leak(test, "after a bad table");
	}
}

/* ---- accounting ---- */

static void wd_mdev_test_accounting(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct file *f[3];
	int a, b, i;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, &ctx->fake));

	a = t_create(ctx, "ap4");
	KUNIT_ASSERT_GE(test, a, 0);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap1"), 4);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap2"), 2);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap4"), 1);
	KUNIT_EXPECT_EQ(test, t_uacce_avail(ctx->fake.name), 4);
	KUNIT_EXPECT_EQ(test, uacce_free_queues(ctx->fake.uacce), 4U);

	/* the same UUID twice */
	KUNIT_EXPECT_EQ(test, t_type_attr(ctx, "ap1", "create", NULL, 0,
					  ctx->uuids[a]), -EEXIST);

	/* opens of the accelerator take from the same budget */
	for (i = 0; i < 3; i++) {
		f[i] = t_open(ctx, ctx->fake.name);
		KUNIT_ASSERT_FALSE(test, IS_ERR(f[i]));
	}
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap4"), 0);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap2"), 0);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap1"), 1);
	KUNIT_EXPECT_EQ(test, t_uacce_avail(ctx->fake.name), 1);
	KUNIT_EXPECT_EQ(test, t_create(ctx, "ap2"), -ENOSPC);
	KUNIT_EXPECT_EQ(test, t_create(ctx, "ap4"), -ENOSPC);

	b = t_create(ctx, "ap1");
	KUNIT_ASSERT_GE(test, b, 0);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap1"), 0);
	KUNIT_EXPECT_EQ(test, t_uacce_avail(ctx->fake.name), 0);
	/* the driver still has 4 free queues, reserved for the instances */
	KUNIT_EXPECT_EQ(test, fake_get_available_instances(ctx->fake.uacce), 5);
	KUNIT_EXPECT_EQ(test, PTR_ERR(t_open(ctx, ctx->fake.name)), -EBUSY);

	for (i = 0; i < 3; i++)
		t_close(ctx, f[i]);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap1"), 3);

	KUNIT_EXPECT_EQ(test, t_destroy(ctx, a), 0);
	KUNIT_EXPECT_FALSE(test, t_mdev_exists(ctx, a));
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap1"), 7);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap4"), 1);
	KUNIT_EXPECT_EQ(test, t_destroy(ctx, b), 0);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap1"), FAKE_QUEUES);
	KUNIT_EXPECT_EQ(test, t_uacce_avail(ctx->fake.name), FAKE_QUEUES);
	KUNIT_EXPECT_EQ(test, wd_mdev_kunit_objects(WD_MDEV_OBJ_INSTANCE),
			ctx->wd_base[WD_MDEV_OBJ_INSTANCE]);
}

/* ---- access points ---- */

static void wd_mdev_test_quota(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct fake *fake = &ctx->fake;
	char name[64], buf[64], want[64];
	struct uacce_queue_info info;
	struct file *f[2], *extra;
	struct uacce_queue *q;
	int a, i;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, fake));
	a = t_create(ctx, "ap2");
	KUNIT_ASSERT_GE(test, a, 0);
	t_inst_name(ctx, a, name, sizeof(name));
	KUNIT_ASSERT_TRUE(test, !strncmp(name, FAKE_NAME "-mdev-",
					 strlen(FAKE_NAME "-mdev-")));

	/* it speaks the accelerator's protocol */
	snprintf(buf, sizeof(buf), "/sys/class/uacce/%s/api", name);
	KUNIT_EXPECT_EQ(test, kt_file(buf, want, sizeof(want), NULL), 0);
	KUNIT_EXPECT_STREQ(test, want, "fake_v1\n");
	snprintf(buf, sizeof(buf), "/sys/class/uacce/%s/flags", name);
	KUNIT_EXPECT_EQ(test, kt_file(buf, want, sizeof(want), NULL), 0);
	KUNIT_EXPECT_STREQ(test, want, "1\n");
	KUNIT_EXPECT_EQ(test, t_mdev_attr(ctx, a, "access_point/queues", buf,
					  sizeof(buf), NULL), 0);
	KUNIT_EXPECT_STREQ(test, buf, "2\n");
	KUNIT_EXPECT_EQ(test, t_uacce_avail(name), 2);

	for (i = 0; i < 2; i++) {
		f[i] = t_open(ctx, name);
		KUNIT_ASSERT_FALSE(test, IS_ERR(f[i]));
	}
	KUNIT_EXPECT_EQ(test, t_mdev_attr(ctx, a, "access_point/queues_in_use",
					  buf, sizeof(buf), NULL), 0);
	KUNIT_EXPECT_STREQ(test, buf, "2\n");
	KUNIT_EXPECT_EQ(test, t_uacce_avail(name), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(t_open(ctx, name)), -EBUSY);
	/* the accelerator's own opens are not affected */
	KUNIT_EXPECT_EQ(test, t_uacce_avail(ctx->fake.name), FAKE_QUEUES - 2);
	KUNIT_EXPECT_EQ(test, fake->get, 2);

	/* the queue is the accelerator's, in the accelerator's DMA context */
	q = t_queue(f[0]);
	KUNIT_EXPECT_PTR_EQ(test, fake->get_uacce, fake->uacce);
	KUNIT_EXPECT_PTR_EQ(test, q->uacce->priv, (void *)fake);
	KUNIT_EXPECT_PTR_EQ(test, q->uacce->dma_dev, &fake->pdev->dev);
	KUNIT_EXPECT_PTR_EQ(test, q->mm, test_mm);
	KUNIT_EXPECT_EQ(test, fake->bind, 2);
	KUNIT_EXPECT_EQ(test, t_ioctl(f[0], UACCE_CMD_START_Q, 0), 0L);
	KUNIT_EXPECT_EQ(test, fake->start, 1);
	KUNIT_EXPECT_EQ(test, t_ioctl(f[0], UACCE_CMD_QUEUE_INFO, ctx->ubuf), 0L);
	KUNIT_EXPECT_EQ(test, copy_from_user(&info, (void __user *)ctx->ubuf,
					     sizeof(info)), 0UL);
	KUNIT_EXPECT_EQ(test, info.dev_id, q->uacce->dev_id);
	KUNIT_EXPECT_EQ(test, info.qid,
			(u32)((struct fake_slot *)q->priv - fake->slots));
	KUNIT_EXPECT_GT(test, t_mmap(ctx, f[0], UACCE_QFRT_SS), 0L);
	KUNIT_EXPECT_NOT_NULL(test, q->qfrs[UACCE_QFRT_SS]);

	/* a close gives the queue back to the instance, not the others */
	t_close(ctx, f[1]);
	KUNIT_EXPECT_EQ(test, fake->put, 1);
	KUNIT_EXPECT_EQ(test, t_uacce_avail(name), 1);
	KUNIT_EXPECT_EQ(test, t_uacce_avail(ctx->fake.name), FAKE_QUEUES - 2);
	extra = t_open(ctx, name);
	KUNIT_EXPECT_FALSE(test, IS_ERR(extra));
}

/* The accelerator isolated after hardware errors: no more opens. */
static void wd_mdev_test_isolated(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	char path[PATH_SIZE], name[64];
	int a;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, &ctx->fake));
	a = t_create(ctx, "ap1");
	KUNIT_ASSERT_GE(test, a, 0);
	t_inst_name(ctx, a, name, sizeof(name));
	snprintf(path, sizeof(path), "/sys/class/uacce/%s/isolate_strategy",
		 ctx->fake.name);
	KUNIT_ASSERT_EQ(test, kt_file(path, NULL, 0, "1"), 0);
	uacce_report_hw_error(ctx->fake.uacce);
	uacce_isolation_flush(ctx->fake.uacce);
	KUNIT_EXPECT_EQ(test, PTR_ERR(t_open(ctx, name)), -EIO);
	KUNIT_EXPECT_EQ(test, ctx->fake.get, 0);
}

/* ---- removal ---- */

static void wd_mdev_test_remove_busy(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct fake *fake = &ctx->fake;
	struct uacce_queue_status *status;
	struct file *f, *idle;
	long mmio, dus, ss;
	char name[64];
	u32 word;
	int a;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, fake));
	a = t_create(ctx, "ap2");
	KUNIT_ASSERT_GE(test, a, 0);
	t_inst_name(ctx, a, name, sizeof(name));
	f = t_open(ctx, name);
	idle = t_open(ctx, name);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f) || IS_ERR(idle));
	status = t_queue(f)->status;
	KUNIT_ASSERT_EQ(test, t_ioctl(f, UACCE_CMD_START_Q, 0), 0L);
	mmio = t_mmap(ctx, f, UACCE_QFRT_MMIO);
	dus = t_mmap(ctx, f, UACCE_QFRT_DUS);
	ss = t_mmap(ctx, f, UACCE_QFRT_SS);
	KUNIT_ASSERT_TRUE(test, mmio > 0 && dus > 0 && ss > 0);
	KUNIT_EXPECT_EQ(test, get_user(word, (u32 __user *)ss), 0);
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_SS_MEMORY),
			ctx->base[UACCE_OBJ_SS_MEMORY] + 1);

	KUNIT_ASSERT_EQ(test, t_destroy(ctx, a), 0);
	KUNIT_EXPECT_FALSE(test, t_mdev_exists(ctx, a));

	/* reclaimed as on removal of a uacce device */
	KUNIT_EXPECT_EQ(test, fake->stop, 1);
	KUNIT_EXPECT_EQ(test, fake->put, 2);
	KUNIT_EXPECT_EQ(test, fake->unbind, 2);
	KUNIT_EXPECT_EQ(test, status->state, UACCE_QSTATE_DEAD);
	KUNIT_EXPECT_EQ(test, status->reason, UACCE_QREASON_REMOVED);
	KUNIT_EXPECT_EQ(test, uacce_kunit_objects(UACCE_OBJ_SS_MEMORY),
			ctx->base[UACCE_OBJ_SS_MEMORY]);
	KUNIT_EXPECT_NE(test, get_user(word, (u32 __user *)mmio), 0);
	KUNIT_EXPECT_NE(test, get_user(word, (u32 __user *)dus), 0);
	KUNIT_EXPECT_NE(test, get_user(word, (u32 __user *)ss), 0);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_START_Q, 0), -ENXIO);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_QUEUE_INFO, ctx->ubuf), -ENXIO);
	KUNIT_EXPECT_EQ(test, vfs_poll(idle, NULL), EPOLLERR | EPOLLHUP);
	/* the queues are back with the accelerator */
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap1"), FAKE_QUEUES);
	KUNIT_EXPECT_EQ(test, fake_get_available_instances(fake->uacce),
			FAKE_QUEUES);

	/* unmapping and closing work, without the driver */
	KUNIT_EXPECT_EQ(test, t_munmap(ctx, ss), 0);
	KUNIT_EXPECT_EQ(test, t_munmap(ctx, dus), 0);
	t_close(ctx, idle);
	KUNIT_EXPECT_EQ(test, t_munmap(ctx, mmio), 0);
	t_close(ctx, f);
	KUNIT_EXPECT_EQ(test, fake->put, 2);
	t_expect_no_leak(test, "after the files closed");
}

/* Removing the accelerator removes its instances first. */
static void wd_mdev_test_remove_accel(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct fake *fake = &ctx->fake;
	char name[64];
	struct file *f;
	long dus;
	u32 word;
	int a, b;

	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, fake));
	a = t_create(ctx, "ap4");
	b = t_create(ctx, "ap1");
	KUNIT_ASSERT_TRUE(test, a >= 0 && b >= 0);
	t_inst_name(ctx, a, name, sizeof(name));
	f = t_open(ctx, name);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	KUNIT_ASSERT_EQ(test, t_ioctl(f, UACCE_CMD_START_Q, 0), 0L);
	dus = t_mmap(ctx, f, UACCE_QFRT_DUS);
	KUNIT_ASSERT_GT(test, dus, 0L);

	fake_remove(fake);
	KUNIT_EXPECT_FALSE(test, t_mdev_exists(ctx, a));
	KUNIT_EXPECT_FALSE(test, t_mdev_exists(ctx, b));
	KUNIT_EXPECT_EQ(test, fake->put, 1);
	KUNIT_EXPECT_EQ(test, fake->stop, 1);
	KUNIT_EXPECT_NE(test, get_user(word, (u32 __user *)dus), 0);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_START_Q, 0), -ENXIO);
	KUNIT_EXPECT_EQ(test, wd_mdev_kunit_objects(WD_MDEV_OBJ_INSTANCE),
			ctx->wd_base[WD_MDEV_OBJ_INSTANCE]);
	KUNIT_EXPECT_EQ(test, wd_mdev_kunit_objects(WD_MDEV_OBJ_ACCEL),
			ctx->wd_base[WD_MDEV_OBJ_ACCEL]);
	KUNIT_EXPECT_EQ(test, t_munmap(ctx, dus), 0);
	t_close(ctx, f);
	t_expect_no_leak(test, "after the files closed");
}

/*
 * The framework leaves under a busy instance, comes back, and meets
 * accelerators registered and removed while it was away.
 */
static void wd_mdev_test_framework_orders(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	struct fake *fake = &ctx->fake;
	char name[64];
	struct file *f;
	int a;

	/* accelerator, instance, framework leaves, comes back */
	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, fake));
	a = t_create(ctx, "ap2");
	KUNIT_ASSERT_GE(test, a, 0);
	t_inst_name(ctx, a, name, sizeof(name));
	f = t_open(ctx, name);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	wd_mdev_unload();
	KUNIT_EXPECT_FALSE(test, t_mdev_exists(ctx, a));
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap1"), -ENOENT);
	KUNIT_EXPECT_EQ(test, t_ioctl(f, UACCE_CMD_START_Q, 0), -ENXIO);
	KUNIT_EXPECT_EQ(test, fake->put, 1);
	KUNIT_EXPECT_EQ(test, t_uacce_avail(fake->name), FAKE_QUEUES);
	t_close(ctx, f);
	KUNIT_EXPECT_EQ(test, wd_mdev_load(), 0);
	KUNIT_EXPECT_EQ(test, wd_mdev_load(), -EBUSY);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap1"), FAKE_QUEUES);
	KUNIT_EXPECT_GE(test, t_create(ctx, "ap4"), 0);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap4"), 1);
	fake_remove(fake);

	/* framework away: accelerator registered, then the framework */
	wd_mdev_unload();
	KUNIT_ASSERT_EQ(test, fake_register(fake, fake_types,
					    ARRAY_SIZE(fake_types),
					    FAKE_QUEUES), 0);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap1"), -ENOENT);
	KUNIT_EXPECT_EQ(test, wd_mdev_load(), 0);
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap1"), FAKE_QUEUES);
	fake_remove(fake);

	/* framework away: accelerator registered and removed */
	wd_mdev_unload();
	KUNIT_ASSERT_EQ(test, fake_register(fake, fake_types,
					    ARRAY_SIZE(fake_types),
					    FAKE_QUEUES), 0);
	fake_remove(fake);
	KUNIT_EXPECT_EQ(test, wd_mdev_load(), 0);
	t_expect_no_leak(test, "after the orders");
}

/* ---- fault injection ---- */

/*
 * Register the fake with the n-th allocation of this thread failing
 * (fail_nth.h): uacce_register() fails cleanly, or succeeds, and then the
 * accelerator has all its types or, when attaching it failed, none.
 * Return 0 (all done), 1 (the register failed) or 2 (the attach failed);
 * *@fired: the n-th allocation was reached.
 */
static int t_attach_once(struct kunit *test, unsigned int n, bool *fired)
{
	struct test_ctx *ctx = test->priv;
	int ret, avail, failed = 0;

	kt_fail_nth(n);
	ret = fake_register(&ctx->fake, fake_types, ARRAY_SIZE(fake_types),
			    FAKE_QUEUES);
	*fired = kt_fail_nth_fired();
	if (ret) {
		KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "register (n=%u)", n);
		failed = 1;
	} else {
		avail = t_avail(ctx, "ap1");
		if (avail != FAKE_QUEUES) {
			KUNIT_EXPECT_EQ_MSG(test, avail, -ENOENT,
					    "types after a failed attach (n=%u)",
					    n);
			failed = 2;
		}
	}
	if (failed)
		KUNIT_EXPECT_TRUE_MSG(test, *fired,
				      "failed without a fault (n=%u)", n);
	fake_remove(&ctx->fake);
	return failed;
}

static void wd_mdev_test_attach_faults(struct kunit *test)
{
	unsigned int n, nr[3] = { };
	bool fired;
	int failed;

	kt_fail_nth_require(test);
	for (n = 1; n < 4000; n++) {
		failed = t_attach_once(test, n, &fired);
		t_expect_no_leak(test, "after an attach sweep step");
		if (!failed && !fired)
			break;
		nr[failed]++;
	}
	KUNIT_EXPECT_LT(test, n, 4000U);
	kunit_info(test, "%u allocations: %u register, %u attach failures\n",
		   n - 1, nr[1], nr[2]);
	KUNIT_EXPECT_GT(test, nr[1], 0U);
	/* the accelerator, types, type pointers, the mdev parent */
	KUNIT_EXPECT_GE(test, nr[2], 4U);
}

/*
 * Create an ap2 instance and open it with the n-th allocation of this
 * thread failing, counted from the create or, with @open_only, from the
 * open.  Return 0 (both done), 1 (the create failed) or 2 (the open
 * failed); *@fired: the n-th allocation was reached.
 */
static int t_create_once(struct kunit *test, unsigned int n, bool open_only,
			 bool *fired)
{
	struct test_ctx *ctx = test->priv;
	struct file *f = NULL;
	char name[64];
	int a, failed = 0;

	if (!open_only)
		kt_fail_nth(n);
	a = t_create(ctx, "ap2");
	if (a >= 0) {
		/* the test's own sysfs read is no step of the sequence */
		unsigned int left = kt_fail_nth_pause();

		t_inst_name(ctx, a, name, sizeof(name));
		kt_fail_nth_resume(open_only ? n : left);
		f = t_open(ctx, name);
	}
	*fired = kt_fail_nth_fired();

	if (a < 0) {
		KUNIT_EXPECT_EQ_MSG(test, a, -ENOMEM, "create (n=%u)", n);
		failed = 1;
	} else if (IS_ERR(f)) {
		/* -ENOENT: a fault may cost the node devtmpfs makes */
		KUNIT_EXPECT_TRUE_MSG(test, PTR_ERR(f) == -ENOMEM ||
				      PTR_ERR(f) == -ENOENT,
				      "open: %ld (n=%u)", PTR_ERR(f), n);
		failed = 2;
	}
	if (failed)
		KUNIT_EXPECT_TRUE_MSG(test, *fired,
				      "failed without a fault (n=%u)", n);
	if (a < 0) {
		/* nothing of the instance is left */
		KUNIT_EXPECT_EQ_MSG(test, t_avail(ctx, "ap1"), FAKE_QUEUES,
				    "queues after n=%u", n);
		/* t_create() left the UUID it tried in the next slot */
		KUNIT_EXPECT_FALSE_MSG(test, t_mdev_exists(ctx, ctx->nr_uuids),
				       "mdev after n=%u", n);
		return failed;
	}
	if (!IS_ERR(f))
		t_close(ctx, f);
	KUNIT_EXPECT_EQ(test, t_destroy(ctx, a), 0);
	ctx->nr_uuids--;
	KUNIT_EXPECT_EQ(test, t_avail(ctx, "ap1"), FAKE_QUEUES);
	return failed;
}

static void wd_mdev_test_create_faults(struct kunit *test)
{
	struct test_ctx *ctx = test->priv;
	unsigned int n, nr[3] = { };
	bool fired;
	int failed;

	kt_fail_nth_require(test);
	KUNIT_ASSERT_NOT_NULL(test, fake_add(test, &ctx->fake));
	for (n = 1; n < 4000; n++) {
		failed = t_create_once(test, n, false, &fired);
		t_expect_no_leak(test, "after a create sweep step");
		if (!failed && !fired)
			break;
		nr[failed]++;
	}
	KUNIT_EXPECT_LT(test, n, 4000U);
	kunit_info(test, "%u allocations: %u create, %u open failures\n",
		   n - 1, nr[1], nr[2]);
	/*
	 * create: the instance, the access point, uacce_alloc() (device,
	 * isolation, number, name), uacce_register() (cdev, device)...
	 * The open comes last, after a create whose count of allocations
	 * varies (a slab may need a new page or not), so this sweep may step
	 * over it: the open has a sweep of its own.
	 */
	KUNIT_EXPECT_GE(test, nr[1], 10U);

	/* open: the file, the queue */
	nr[2] = 0;
	for (n = 1; n < 4000; n++) {
		failed = t_create_once(test, n, true, &fired);
		t_expect_no_leak(test, "after an open sweep step");
		KUNIT_EXPECT_NE_MSG(test, failed, 1, "create (n=%u)", n);
		if (!failed && !fired)
			break;
		nr[2] += failed == 2;
	}
	KUNIT_EXPECT_LT(test, n, 4000U);
	kunit_info(test, "open: %u allocations, %u failures\n", n - 1, nr[2]);
	KUNIT_EXPECT_GE(test, nr[2], 2U);
	KUNIT_EXPECT_EQ(test, ctx->fake.get, ctx->fake.put);
}

static struct kunit_case wd_mdev_test_cases[] = {
	KUNIT_CASE(wd_mdev_test_types),
	KUNIT_CASE(wd_mdev_test_bad_tables),
	KUNIT_CASE(wd_mdev_test_accounting),
	KUNIT_CASE(wd_mdev_test_quota),
	KUNIT_CASE(wd_mdev_test_isolated),
	KUNIT_CASE(wd_mdev_test_remove_busy),
	KUNIT_CASE(wd_mdev_test_remove_accel),
	KUNIT_CASE(wd_mdev_test_framework_orders),
	KUNIT_CASE(wd_mdev_test_attach_faults),
	KUNIT_CASE(wd_mdev_test_create_faults),
	{}
};

static struct kunit_suite wd_mdev_test_suite = {
	.name = "wd_mdev",
	.suite_init = wd_mdev_test_suite_init,
	.suite_exit = wd_mdev_test_suite_exit,
	.init = wd_mdev_test_init,
	.exit = wd_mdev_test_exit,
	.test_cases = wd_mdev_test_cases,
};

kunit_test_suite(wd_mdev_test_suite);

MODULE_IMPORT_NS(WARPDRIVE_KUNIT);
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of the WarpDrive mdev framework");
