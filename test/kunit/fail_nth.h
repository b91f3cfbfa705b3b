/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault injection for the KUnit sweeps, the kernel's way.  A KUnit case
 * runs in a kernel thread of its own; setting its fail_nth, as a write to
 * /proc/thread-self/fail-nth does, makes the n-th allocation of that thread
 * fail through failslab and fail_page_alloc, and nothing else.  When the
 * n-th allocation was reached, fail_nth is back at 0.
 *
 * test/vm/guest-check.sh sets the knobs this needs before any test: every
 * allocation counts (failslab and fail_page_alloc ignore-gfp-wait=N,
 * fail_page_alloc ignore-gfp-highmem=N and min-order=0), nothing fails
 * otherwise (probability 0) and no report per failure (verbose=0).
 *
 * A fault may hit an allocation whose failure the kernel tolerates (a
 * uevent, kmemleak's own bookkeeping): the step then succeeds although the
 * fault fired, and the sweep goes on.
 */
#ifndef _WD_KUNIT_FAIL_NTH_H
#define _WD_KUNIT_FAIL_NTH_H

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/slab.h>

#if IS_ENABLED(CONFIG_FAULT_INJECTION)
/* Makes the @n-th allocation of the calling thread from now on fail. */
static inline void kt_fail_nth(unsigned int n)
{
	WRITE_ONCE(current->fail_nth, n);
}

/* Disarms: true if the armed allocation was reached, and failed. */
static inline bool kt_fail_nth_fired(void)
{
	bool fired = !READ_ONCE(current->fail_nth);

	WRITE_ONCE(current->fail_nth, 0);
	return fired;
}

/*
 * Stops counting for what the test itself does between two steps: returns
 * what kt_fail_nth_resume() takes to go on where it stopped.
 */
static inline unsigned int kt_fail_nth_pause(void)
{
	unsigned int left = READ_ONCE(current->fail_nth);

	WRITE_ONCE(current->fail_nth, 0);
	return left;
}

static inline void kt_fail_nth_resume(unsigned int left)
{
	WRITE_ONCE(current->fail_nth, left);
}

/*
 * Fails @test unless fail-nth fails a GFP_KERNEL kmalloc() here: the
 * harness sets the precondition, a sweep that cannot inject must not pass.
 */
static inline void kt_fail_nth_require(struct kunit *test)
{
	void *p;

	kt_fail_nth(1);
	p = kmalloc(16, GFP_KERNEL);
	kt_fail_nth_fired();
	kfree(p);
	KUNIT_ASSERT_NULL_MSG(test, p,
			      "fail-nth does not fail GFP_KERNEL allocations: needs CONFIG_FAILSLAB and failslab/ignore-gfp-wait=N (test/vm/guest-check.sh)");
}

#if IS_ENABLED(CONFIG_KRETPROBES)
/*
 * Core code that a sweep must not fail: a kretprobe stops the fail-nth
 * count of the task that calls @sym while @sym runs (the task's own
 * fail_nth, nothing global: other tasks are untouched).  Only for 6.1
 * error paths that are known to be wrong, which fail-nth would turn into
 * a WARN that fails the test; the sweep then covers every allocation but
 * those.
 */
static inline int kt_fail_nth_skip_entry(struct kretprobe_instance *ri,
					 struct pt_regs *regs)
{
	unsigned int *left = (unsigned int *)ri->data;

	*left = in_task() ? READ_ONCE(current->fail_nth) : 0;
	if (!*left)
		return 1;	/* not armed: no return handler */
	WRITE_ONCE(current->fail_nth, 0);
	return 0;
}

static inline int kt_fail_nth_skip_ret(struct kretprobe_instance *ri,
				       struct pt_regs *regs)
{
	WRITE_ONCE(current->fail_nth, *(unsigned int *)ri->data);
	return 0;
}

static inline void kt_fail_nth_skip_free(struct kunit_resource *res)
{
	unregister_kretprobe(res->data);
}

/* Makes fail-nth skip @sym's allocations until the end of @test. */
static inline void kt_fail_nth_skip(struct kunit *test, const char *sym)
{
	struct kretprobe *rp = kunit_kzalloc(test, sizeof(*rp), GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, rp);
	rp->kp.symbol_name = sym;
	rp->entry_handler = kt_fail_nth_skip_entry;
	rp->handler = kt_fail_nth_skip_ret;
	rp->data_size = sizeof(unsigned int);
	ret = register_kretprobe(rp);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "kretprobe on %s", sym);
	if (!kunit_alloc_resource(test, NULL, kt_fail_nth_skip_free,
				  GFP_KERNEL, rp)) {
		unregister_kretprobe(rp);
		KUNIT_ASSERT_FAILURE(test, "no memory for a resource");
	}
}
#else
static inline void kt_fail_nth_skip(struct kunit *test, const char *sym)
{
	KUNIT_ASSERT_FAILURE(test,
			     "no kretprobes to keep fail-nth out of %s: the kernel lacks CONFIG_KRETPROBES",
			     sym);
}
#endif
#else
static inline void kt_fail_nth(unsigned int n)
{
}

static inline bool kt_fail_nth_fired(void)
{
	return false;
}

static inline unsigned int kt_fail_nth_pause(void)
{
	return 0;
}

static inline void kt_fail_nth_resume(unsigned int left)
{
}

static inline void kt_fail_nth_require(struct kunit *test)
{
	KUNIT_ASSERT_FAILURE(test, "no fail-nth: the kernel lacks CONFIG_FAULT_INJECTION");
}

static inline void kt_fail_nth_skip(struct kunit *test, const char *sym)
{
}
#endif

/*
 * Failures that are not allocations: our functions that fail_function may
 * fail (ALLOW_ERROR_INJECTION), failed here by a kprobe of the test, which
 * makes the n-th call from now on return an error without running.
 *
 * Not fail_function itself: on x86 a kprobe's handler runs in the int3
 * trap, which 6.1 enters as an NMI, and fail_function's should_fail()
 * draws a random number there, taking the crng's spinlocks: lockdep
 * reports that on the first injection.  This handler takes no lock.  It
 * has a post handler, so that the kprobe stays an int3 (an optimized
 * kprobe cannot change where the function returns).
 */
#if IS_ENABLED(CONFIG_KPROBES) && IS_ENABLED(CONFIG_X86_64)
#include <asm/text-patching.h>

struct kt_inject {
	struct kprobe kp;
	unsigned long retval;
	atomic_t countdown;	/* calls until the failing one; 0: disarmed */
	atomic_t fired;
};

static inline int kt_inject_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct kt_inject *inj = container_of(kp, struct kt_inject, kp);

	if (atomic_dec_if_positive(&inj->countdown))
		return 0;	/* not armed, or not this call */
	atomic_set(&inj->fired, 1);
	/* at the function's entry: return to its caller at once */
	regs_set_return_value(regs, inj->retval);
	int3_emulate_ret(regs);
	return 1;
}

static inline void kt_inject_post(struct kprobe *kp, struct pt_regs *regs,
				  unsigned long flags)
{
}

static inline void kt_inject_free(struct kunit_resource *res)
{
	unregister_kprobe(res->data);
}

/*
 * Makes @sym fail with @retval (an errno, or an ERR_PTR() for a function
 * that returns a pointer) when kt_inject_arm() says, until the end of
 * @test.
 */
static inline struct kt_inject *kt_inject(struct kunit *test, const char *sym,
					  long retval)
{
	struct kt_inject *inj = kunit_kzalloc(test, sizeof(*inj), GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, inj);
	inj->kp.symbol_name = sym;
	inj->kp.pre_handler = kt_inject_pre;
	inj->kp.post_handler = kt_inject_post;
	inj->retval = retval;
	ret = register_kprobe(&inj->kp);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "kprobe on %s", sym);
	if (!kunit_alloc_resource(test, NULL, kt_inject_free, GFP_KERNEL,
				  &inj->kp)) {
		unregister_kprobe(&inj->kp);
		KUNIT_ASSERT_FAILURE(test, "no memory for a resource");
	}
	return inj;
}

/* Makes the @nth call from now on fail (any task's); 0 disarms. */
static inline void kt_inject_arm(struct kt_inject *inj, unsigned int nth)
{
	atomic_set(&inj->countdown, 0);
	atomic_set(&inj->fired, 0);
	atomic_set(&inj->countdown, nth);
}

/* Disarms: true if the armed call was reached, and failed. */
static inline bool kt_inject_fired(struct kt_inject *inj)
{
	atomic_set(&inj->countdown, 0);
	return atomic_read(&inj->fired);
}
#else
struct kt_inject;

static inline struct kt_inject *kt_inject(struct kunit *test, const char *sym,
					  long retval)
{
	KUNIT_ASSERT_FAILURE(test,
			     "no kprobes to fail %s: the test needs CONFIG_KPROBES on x86-64",
			     sym);
	return NULL;
}

static inline void kt_inject_arm(struct kt_inject *inj, unsigned int nth)
{
}

static inline bool kt_inject_fired(struct kt_inject *inj)
{
	return false;
}
#endif

#endif /* _WD_KUNIT_FAIL_NTH_H */
