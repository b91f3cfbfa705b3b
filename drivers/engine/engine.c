// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_engine: the engines of a virtual accelerator, one kernel thread
 * each, for every device class (include/linux/wd_engine.h).
 *
 * An engine claims the queue the scheduler (sched.c) picks, has one
 * request of it executed, with the class driver's callbacks for a hardware
 * queue (serve.c) or by wd_mdev for a vfio-pci queue (wd_mdev_vq.serve),
 * and charges the time it took to the queue's tenant.
 *
 * Doorbell: an engine with nothing to do watches the rings for idle_us
 * (right after a request without sleeping, then on a timer), then goes to
 * sleep, after the scheduler raised NEED_WAKEUP where needed (sched.c).
 *
 * Time: what a request took, charged to its tenant, is measured with
 * local_clock(), the scheduler's own clock (the CPU's cycle counter).
 * The idle window is timed with ktime_get(), which is the same on every
 * CPU the thread may move to, and read only once the spin rounds are
 * over: in a virtual machine without a stable TSC it reads an emulated
 * HPET register, and read on every look at the rings it was a tenth of
 * an engine's time at 4 KiB.
 *
 * Where: the engines run on the CPUs of their device's NUMA node, as a
 * hardware engine sits beside its memory, when the node has an online CPU
 * for each engine.  With fewer, the engines would wait for each other's
 * CPUs, which costs more than remote memory, so they run anywhere; so do
 * the engines of a device without a node.  An administrator can still
 * move them (taskset).
 */
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/error-injection.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/topology.h>
#include <linux/wd_engine.h>
#include <linux/wd_mdev.h>

#include "internal.h"

/* An idle engine looks at the rings this often until it goes to sleep. */
#define WD_POLL_MIN_US		5
#define WD_POLL_MAX_US		10
/*
 * Before that, right after a request, it looks this many times without
 * sleeping: the next request of a submitter that waited for this one's
 * completion comes within microseconds, and a timer sleep of a few
 * microseconds costs far more in a virtual machine (the vCPU halts).
 */
#define WD_SPIN_ROUNDS		256

static void wd_engine_sleep(struct wd_engine_dev *wdev)
{
	atomic_set(&wdev->kick, 0);
	wd_sched_set_awake(wdev, false);
	/* NEED_WAKEUP before the tails: pairs with the application's barrier */
	smp_mb();
	if (!wd_sched_any_work(wdev)) {
		atomic64_inc(&wdev->sleeps);
		wait_event_idle_exclusive(wdev->engine_wq,
					  atomic_read(&wdev->kick) ||
					  kthread_should_stop());
		atomic64_inc(&wdev->wakeups);
	}
	wd_sched_set_awake(wdev, true);
}

/* Executes one request of a claimed queue. */
static void wd_engine_serve(struct wd_engine *e, struct wd_sched_ent *ent)
{
	struct wd_engine_dev *wdev = e->wdev;

	if (ent->vq) {
		/* wd_mdev executes it with this engine */
		if (ent->vq->serve(ent->vq, e) && wdev->ops->vq_served)
			wdev->ops->vq_served(e, ent->vq);
	} else {
		wd_serve(e, ent);
	}
}

static int wd_engine_thread(void *arg)
{
	struct wd_engine *e = arg;
	struct wd_engine_dev *wdev = e->wdev;
	u64 idle_ns = (u64)wdev->idle_us * NSEC_PER_USEC;
	u64 idle_end = ktime_get_ns() + idle_ns;
	unsigned int spins = 0;

	while (!kthread_should_stop()) {
		struct wd_sched_ent *ent = wd_sched_claim(wdev);

		if (ent) {
			u64 start = local_clock(), now;

			wd_engine_serve(e, ent);
			now = local_clock();
			/* a thread moved to another CPU may see it behind */
			wd_sched_release(wdev, ent,
					 now > start ? now - start : 0);
			idle_end = 0;	/* the window opens after the spins */
			spins = WD_SPIN_ROUNDS;
		} else if (spins && !need_resched()) {
			/* nobody else wants this CPU: look again at once */
			spins--;
			cpu_relax();
		} else if (!idle_end) {
			idle_end = ktime_get_ns() + idle_ns;
		} else if (ktime_get_ns() >= idle_end) {
			wd_engine_sleep(wdev);
			idle_end = ktime_get_ns() + idle_ns;
		} else {
			/* poll without taking the CPU from the submitters */
			usleep_range(WD_POLL_MIN_US, WD_POLL_MAX_US);
		}
		cond_resched();
	}
	return 0;
}

/*
 * Creates an engine's thread.  A function of its own so that a test can
 * fail it: kthreadd forks the thread, out of reach of the creating task's
 * fail-nth.  vzip_test fails it from a kprobe (kt_inject()); fail_function
 * can too (ALLOW_ERROR_INJECTION) on a kernel whose lockdep allows it.
 */
static noinline struct task_struct *wd_engine_create(struct wd_engine *e)
{
	struct wd_engine_dev *wdev = e->wdev;

	return kthread_create_on_node(wd_engine_thread, e, wdev->node,
				      "%s/e%u", dev_name(wdev->dev), e->id);
}

ALLOW_ERROR_INJECTION(wd_engine_create, ERRNO);

/* The class's state of an engine: zeroed, then set up by the class. */
static int wd_engine_priv_init(struct wd_engine *e)
{
	const struct wd_engine_ops *ops = e->wdev->ops;

	e->priv = kzalloc_node(ops->priv_size, GFP_KERNEL, e->wdev->node);
	if (!e->priv)
		return -ENOMEM;
	return ops->engine_init ? ops->engine_init(e) : 0;
}

/* The CPUs the engines run on (see "Where" above); NULL for any. */
static const struct cpumask *wd_engine_cpus(struct wd_engine_dev *wdev)
{
	const struct cpumask *cpus;
	unsigned int n;

	if (wdev->node == NUMA_NO_NODE) {
		dev_info(wdev->dev, "engines on any CPU: the device has no NUMA node\n");
		return NULL;
	}
	cpus = cpumask_of_node(wdev->node);
	n = cpumask_weight_and(cpus, cpu_online_mask);
	if (n < wdev->nr_engines) {
		dev_info(wdev->dev, "engines on any CPU: node %d has %u online CPUs for %u engines\n",
			 wdev->node, n, wdev->nr_engines);
		return NULL;
	}
	dev_info(wdev->dev, "engines on node %d's CPUs %*pbl\n", wdev->node,
		 cpumask_pr_args(cpus));
	return cpus;
}

/**
 * wd_engine_dev_init() - set up the scheduler of a device
 * @wdev: the engines and scheduler, zeroed
 * @dev: the class driver's device
 * @ops: the class driver's callbacks; all but @ops->engine_init,
 *	@ops->engine_fini and @ops->vq_served are required
 * @node: NUMA node of the device, or NUMA_NO_NODE
 * @nr_engines: engines wd_engines_start() creates, at least 1
 * @idle_us: how long an idle engine polls before it sleeps
 *
 * Queues can be started (wd_sched_start()) from here on; they are served
 * once the engines are started.
 */
void wd_engine_dev_init(struct wd_engine_dev *wdev, struct device *dev,
			const struct wd_engine_ops *ops, int node,
			unsigned int nr_engines, u32 idle_us)
{
	wdev->dev = dev;
	wdev->ops = ops;
	wdev->node = node;
	wdev->nr_engines = nr_engines;
	wdev->idle_us = idle_us;
	spin_lock_init(&wdev->sched_lock);
	INIT_LIST_HEAD(&wdev->active);
	init_waitqueue_head(&wdev->engine_wq);
}
EXPORT_SYMBOL_GPL(wd_engine_dev_init);

/**
 * wd_engines_start() - create and start the engines of a device
 * @wdev: the device's engines, set up by wd_engine_dev_init()
 *
 * Each engine's class state (wd_engine_ops.priv_size bytes, set up by
 * wd_engine_ops.engine_init) and its room for a request (serve.c) are
 * allocated before its thread is created.
 *
 * Return: 0, or a negative errno with nothing left behind.
 */
int wd_engines_start(struct wd_engine_dev *wdev)
{
	const struct cpumask *cpus = wd_engine_cpus(wdev);
	unsigned int i, n = wdev->nr_engines;
	int ret;

	wdev->engines = kcalloc_node(n, sizeof(*wdev->engines), GFP_KERNEL,
				     wdev->node);
	if (!wdev->engines)
		return -ENOMEM;

	for (i = 0; i < n; i++) {
		struct wd_engine *e = &wdev->engines[i];
		struct task_struct *task;

		e->wdev = wdev;
		e->id = i;
		ret = wd_engine_priv_init(e);
		if (!ret)
			ret = wd_serve_alloc(e);
		if (ret)
			goto fail;
		task = wd_engine_create(e);
		if (IS_ERR(task)) {
			dev_err(wdev->dev, "cannot create engine %u: %pe\n",
				i, task);
			ret = -ENOMEM;
			goto fail;
		}
		e->task = task;
		/* a node whose CPUs just went offline: the engine runs anywhere */
		if (cpus && set_cpus_allowed_ptr(task, cpus))
			dev_info(wdev->dev, "engine %u on any CPU: node %d's went offline\n",
				 i, wdev->node);
	}

	wdev->nr_awake = n;
	wdev->nr_busy = 0;
	for (i = 0; i < n; i++)
		wake_up_process(wdev->engines[i].task);
	return 0;

fail:
	wd_engines_stop(wdev);
	return ret;
}
EXPORT_SYMBOL_GPL(wd_engines_start);

/**
 * wd_engines_stop() - stop and free the engines of a device
 * @wdev: the device's engines; every queue is stopped
 *
 * Does nothing if the engines are not started.
 */
void wd_engines_stop(struct wd_engine_dev *wdev)
{
	unsigned int i;

	if (!wdev->engines)
		return;
	for (i = 0; i < wdev->nr_engines; i++) {
		struct wd_engine *e = &wdev->engines[i];

		if (e->task)
			kthread_stop(e->task);
		wd_serve_free(e);
		if (e->priv && wdev->ops->engine_fini)
			wdev->ops->engine_fini(e);
		kfree(e->priv);
		e->priv = NULL;
	}
	kfree(wdev->engines);
	wdev->engines = NULL;
}
EXPORT_SYMBOL_GPL(wd_engines_stop);

MODULE_DESCRIPTION("WarpDrive engines: kernel threads and scheduler of virtual accelerators");
MODULE_LICENSE("GPL");
