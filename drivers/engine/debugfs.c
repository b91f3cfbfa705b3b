// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_engine: the engines' part of a device's debugfs directory.
 *
 *	inject_hw_error	write N: the next N requests of hardware queues fail
 *			with the class's HW_ERROR (serve.c)
 *
 * and the engines' counters, which the class prints in its stats file
 * among its own.  The directory is the class's.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/wd_engine.h>

static int wd_inject_get(void *data, u64 *val)
{
	struct wd_engine_dev *wdev = data;

	*val = atomic_read(&wdev->inject_hw_error);
	return 0;
}

static int wd_inject_set(void *data, u64 val)
{
	struct wd_engine_dev *wdev = data;

	if (val > INT_MAX) {
		dev_dbg(wdev->dev, "inject_hw_error: %llu is above %d\n", val,
			INT_MAX);
		return -EINVAL;
	}
	atomic_set(&wdev->inject_hw_error, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(wd_inject_fops, wd_inject_get, wd_inject_set,
			 "%llu\n");

/**
 * wd_engine_debugfs_add() - the engines' files in a device's directory
 * @wdev: the device's engines
 * @dir: the class's debugfs directory of the device
 *
 * Creates inject_hw_error.  Failures are not errors: debugfs is optional.
 * The class removes @dir, with the file, before @wdev goes.
 */
void wd_engine_debugfs_add(struct wd_engine_dev *wdev, struct dentry *dir)
{
	debugfs_create_file_unsafe("inject_hw_error", 0600, dir, wdev,
				   &wd_inject_fops);
}
EXPORT_SYMBOL_GPL(wd_engine_debugfs_add);

/**
 * wd_engine_debugfs_show() - print the engines' counters
 * @wdev: the device's engines
 * @m: the class's stats file, one "name value" per line
 *
 * need_wakeup, engine_sleeps, engine_wakeups, pinned_pages and
 * pinned_pages_total, in this order.
 */
void wd_engine_debugfs_show(struct wd_engine_dev *wdev, struct seq_file *m)
{
	seq_printf(m, "need_wakeup %lld\n", atomic64_read(&wdev->need_wakeup));
	seq_printf(m, "engine_sleeps %lld\n", atomic64_read(&wdev->sleeps));
	seq_printf(m, "engine_wakeups %lld\n", atomic64_read(&wdev->wakeups));
	seq_printf(m, "pinned_pages %ld\n",
		   atomic_long_read(&wdev->pinned_now));
	seq_printf(m, "pinned_pages_total %lld\n",
		   atomic64_read(&wdev->pinned_total));
}
EXPORT_SYMBOL_GPL(wd_engine_debugfs_show);
