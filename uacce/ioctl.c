// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uacce: a driver's own ioctl commands (struct uacce_ioctl).  Their table
 * is checked when the device is allocated; each call's argument is copied
 * in before and out after the driver's function, which runs under
 * q->state_lock on the kernel's copy.  No lock is held while the argument
 * is copied: a process whose argument faults slowly (a FUSE file, a
 * userfaultfd range) must not hold up uacce_remove(), which takes every
 * queue's state_lock.
 */
#include <linux/device.h>
#include <linux/ioctl.h>
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

	if (!ioc->func)
		return "no function";
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
 * without a function, with an argument larger than UACCE_IOCTL_ARG_MAX,
 * that the core answers itself, or that is in the table twice.
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
 * Runs @cmd on @arg if the queue is still usable: -ENXIO if not, -EINVAL
 * if the driver has no such command.  With @arg NULL, only says which
 * (0: the command may be run).
 */
static long uacce_ioctl_call(struct uacce_queue *q, unsigned int cmd,
			     void *arg)
{
	struct uacce_device *uacce = q->uacce;
	const struct uacce_ioctl *ioc;
	long ret;

	mutex_lock(&q->state_lock);
	if (!uacce_queue_usable(q)) {
		dev_dbg(&uacce->dev, "ioctl %#x: the device was removed\n", cmd);
		ret = -ENXIO;
		goto out;
	}
	ioc = uacce_ioctl_find(q, cmd);
	if (!ioc) {
		/* EINVAL, as mainline's uacce and UADK expect */
		dev_dbg(&uacce->dev, "unknown ioctl %#x\n", cmd);
		ret = -EINVAL;
		goto out;
	}
	ret = arg ? ioc->func(q, arg) : 0;
out:
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
 * whatever its argument; then its argument is copied in, the command run
 * (the queue may have been revoked meanwhile), and its result copied out.
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
	long ret;

	ret = uacce_ioctl_call(q, cmd, NULL);
	if (ret)
		return ret;
	if ((_IOC_DIR(cmd) & _IOC_WRITE) && copy_from_user(arg, uarg, size))
		return -EFAULT;
	ret = uacce_ioctl_call(q, cmd, arg);
	if (ret >= 0 && (_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user(uarg, arg, size))
		return -EFAULT;
	return ret;
}
