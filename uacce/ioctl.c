// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uacce: a driver's own ioctl commands (struct uacce_ioctl).  Their table
 * is checked when the device is allocated; each call's argument is copied
 * in before and out after the driver's function, which runs under
 * q->state_lock on the kernel's copy.  No lock is held while the argument
 * is copied: a process whose argument faults slowly (a FUSE file, a
 * userfaultfd range) must not hold up uacce_remove(), which takes every
 * queue's state_lock.  For the same reason a command with a slow part of
 * its own (pinning memory, whose mmap_lock may be long in coming; waiting
 * for the requests that use what it takes away) has it run without the
 * lock, as a prepare step before its commit under the lock, or as a finish
 * step after it.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/ioctl.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "internal.h"

/* The commands the core answers itself (queue.c): no driver's. */
static const unsigned int uacce_core_cmds[] = {
	UACCE_CMD_START_Q, UACCE_CMD_PUT_Q, UACCE_CMD_QUEUE_INFO,
	UACCE_CMD_GET_SS, UACCE_CMD_WAKE_Q,
};

/* Why @ops->ioctls[@n] cannot be in the table, or NULL. */
static const char *uacce_ioctl_bad(const struct uacce_ops *ops,
				   unsigned int n)
{
	const struct uacce_ioctl *ioc = &ops->ioctls[n];
	unsigned int i;

	if (!ioc->func && !ioc->commit)
		return "no function";
	if (ioc->func && (ioc->prepare || ioc->commit || ioc->finish))
		return "a function and steps";
	if (ioc->commit && !ioc->finish)
		return "a commit step without finish";
	if (ioc->prepare && !ioc->commit)
		return "a prepare step without commit";
	if (_IOC_SIZE(ioc->cmd) > UACCE_IOCTL_ARG_MAX)
		return "argument larger than UACCE_IOCTL_ARG_MAX";
	for (i = 0; i < ARRAY_SIZE(uacce_core_cmds); i++)
		if (ioc->cmd == uacce_core_cmds[i])
			return "the core's own command";
	for (i = 0; i < n; i++)
		if (ioc->cmd == ops->ioctls[i].cmd)
			return "twice in the table";
	return NULL;
}

/**
 * uacce_ioctls_valid() - check a driver's command table
 * @parent: the device's parent, for the message
 * @ops: the driver's operations
 *
 * Return: 0, or -EINVAL (logged) for a table without entries, a command
 * without a function, with both a function and steps, with a commit step
 * but no finish or a prepare step but no commit, with an argument larger
 * than UACCE_IOCTL_ARG_MAX, that the core answers itself, or that is in the
 * table twice.
 */
int uacce_ioctls_valid(struct device *parent, const struct uacce_ops *ops)
{
	unsigned int i;

	if (ops->num_ioctls && !ops->ioctls) {
		dev_err(parent, "uacce: %u ioctls and no table\n",
			ops->num_ioctls);
		return -EINVAL;
	}
	for (i = 0; i < ops->num_ioctls; i++) {
		const char *why = uacce_ioctl_bad(ops, i);

		if (why) {
			dev_err(parent, "uacce: ioctl %#x: %s\n",
				ops->ioctls[i].cmd, why);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * The driver's entry for @cmd, or NULL.  With q->state_lock held and the
 * queue usable: uacce_remove() clears uacce->ops after revoking every
 * queue under its state_lock, and the table may go with the driver.
 */
static const struct uacce_ioctl *uacce_ioctl_find(struct uacce_queue *q,
						  unsigned int cmd)
{
	const struct uacce_ops *ops = q->uacce->ops;
	unsigned int i;

	lockdep_assert_held(&q->state_lock);
	for (i = 0; i < ops->num_ioctls; i++)
		if (ops->ioctls[i].cmd == cmd)
			return &ops->ioctls[i];
	return NULL;
}

/*
 * Copies the driver's entry for @cmd to @ioc if the queue is usable:
 * -ENXIO if not, -EINVAL if the driver has no such command.  For a
 * command with steps, also takes a reference on the driver's module, in
 * *@owner, for the steps run without the lock.
 */
static long uacce_ioctl_lookup(struct uacce_queue *q, unsigned int cmd,
			       struct uacce_ioctl *ioc, struct module **owner)
{
	struct uacce_device *uacce = q->uacce;
	const struct uacce_ioctl *found;
	long ret = 0;

	mutex_lock(&q->state_lock);
	if (!uacce_queue_usable(q)) {
		dev_dbg(&uacce->dev, "ioctl %#x: the device was removed\n", cmd);
		ret = -ENXIO;
		goto out;
	}
	found = uacce_ioctl_find(q, cmd);
	if (!found) {
		/* EINVAL, as mainline's uacce and UADK expect */
		dev_dbg(&uacce->dev, "unknown ioctl %#x\n", cmd);
		ret = -EINVAL;
		goto out;
	}
	*ioc = *found;
	if (ioc->commit) {
		*owner = uacce->ops->owner;
		if (!try_module_get(*owner)) {
			dev_dbg(&uacce->dev, "ioctl %#x: the driver is being unloaded\n",
				cmd);
			ret = -ENXIO;
		}
	}
out:
	mutex_unlock(&q->state_lock);
	return ret;
}

/* -ENXIO if the queue was revoked, say while the argument was copied */
static long uacce_ioctl_usable(struct uacce_queue *q, unsigned int cmd)
{
	long ret = 0;

	mutex_lock(&q->state_lock);
	if (!uacce_queue_usable(q)) {
		dev_dbg(&q->uacce->dev, "ioctl %#x: the device was removed\n",
			cmd);
		ret = -ENXIO;
	}
	mutex_unlock(&q->state_lock);
	return ret;
}

/* Runs @ioc's function, or its commit step, if the queue is still usable */
static long uacce_ioctl_run(struct uacce_queue *q,
			    const struct uacce_ioctl *ioc, void *arg,
			    void **prep)
{
	long ret;

	mutex_lock(&q->state_lock);
	if (!uacce_queue_usable(q)) {
		dev_dbg(&q->uacce->dev, "ioctl %#x: the device was removed\n",
			ioc->cmd);
		ret = -ENXIO;
	} else if (ioc->commit) {
		ret = ioc->commit(q, arg, prep);
	} else {
		ret = ioc->func(q, arg);
	}
	mutex_unlock(&q->state_lock);
	return ret;
}

/**
 * uacce_driver_ioctl() - a command the core does not know
 * @q: the file's queue
 * @cmd: the command
 * @uarg: its argument, a user pointer
 *
 * The command is looked up first, so that an unknown one is -EINVAL
 * whatever its argument; then its argument is copied in, its prepare
 * step run if it has one, the command (or its commit step) run under
 * q->state_lock if the queue is still usable, its finish step run, and its
 * result copied out.
 *
 * Return: the driver's answer; -EINVAL for a command it does not have (as
 * mainline's uacce, whose users rely on it), -ENXIO once the device is
 * being removed, -EFAULT for an argument that cannot be copied.
 */
long uacce_driver_ioctl(struct uacce_queue *q, unsigned int cmd,
			void __user *uarg)
{
	u64 arg[UACCE_IOCTL_ARG_MAX / sizeof(u64)] = {};
	unsigned int size = _IOC_SIZE(cmd);
	struct module *owner = NULL;
	struct uacce_ioctl ioc;
	void *prep = NULL;
	long ret;

	ret = uacce_ioctl_lookup(q, cmd, &ioc, &owner);
	if (ret)
		return ret;
	if ((_IOC_DIR(cmd) & _IOC_WRITE) && copy_from_user(arg, uarg, size)) {
		ret = -EFAULT;
		goto out;
	}
	if (ioc.prepare) {
		/* no step for a device removed meanwhile */
		ret = uacce_ioctl_usable(q, cmd);
		if (ret)
			goto out;
		prep = ioc.prepare(q, arg);
		if (IS_ERR(prep)) {
			ret = PTR_ERR(prep);
			goto out;
		}
	}
	ret = uacce_ioctl_run(q, &ioc, arg, &prep);
	if (ioc.commit)
		ioc.finish(q, prep, ret);
	if (ret >= 0 && (_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user(uarg, arg, size))
		ret = -EFAULT;
out:
	if (ioc.commit)
		module_put(owner);
	return ret;
}
