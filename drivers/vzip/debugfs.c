// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzip: debugfs, /sys/kernel/debug/vzip/<uacce device>/:
 *
 *	stats		counters, one "name value" per line
 *	inject_hw_error	write N: the next N requests fail with HW_ERROR
 *
 * inject_hw_error and the engines' counters in stats are wd_engine.ko's
 * (drivers/engine/debugfs.c).
 */
#include <linux/build_bug.h>
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/uacce.h>
#include <linux/wd_engine.h>

#include "vzip.h"

/* Created at module init, removed at module exit. */
static struct dentry *vzip_debugfs_root;

static const char *const vzip_status_names[] = {
	[VZIP_STS_OK] = "ok",
	[VZIP_STS_OVERFLOW] = "overflow",
	[VZIP_STS_DATA_ERROR] = "data_error",
	[VZIP_STS_ADDR_ERROR] = "addr_error",
	[VZIP_STS_INVALID] = "invalid",
	[VZIP_STS_ABORTED] = "aborted",
	[VZIP_STS_HW_ERROR] = "hw_error",
};

/* a name for every status of the UAPI header: stats prints them all */
static_assert(ARRAY_SIZE(vzip_status_names) == VZIP_NR_STATUS);

static int vzip_stats_show(struct seq_file *m, void *unused)
{
	struct vzip_device *vdev = m->private;
	struct vzip_stats *s = &vdev->stats;
	int i;

	for (i = 0; i < VZIP_NR_STATUS; i++)
		seq_printf(m, "requests_%s %lld\n", vzip_status_names[i],
			   atomic64_read(&s->status[i]));
	seq_printf(m, "bytes_in %lld\n", atomic64_read(&s->bytes_in));
	seq_printf(m, "bytes_out %lld\n", atomic64_read(&s->bytes_out));
	seq_printf(m, "doorbells %lld\n",
		   atomic64_read(&vdev->accel.doorbells));
	wd_engine_debugfs_show(&vdev->accel.eng, m);
	seq_printf(m, "stored_segments %lld\n",
		   atomic64_read(&s->stored_segments));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vzip_stats);

void vzip_debugfs_init(void)
{
	vzip_debugfs_root = debugfs_create_dir("vzip", NULL);
}

void vzip_debugfs_exit(void)
{
	debugfs_remove_recursive(vzip_debugfs_root);
}

/* Failures are not errors: debugfs is optional. */
void vzip_debugfs_add(struct vzip_device *vdev)
{
	vdev->debugfs = debugfs_create_dir(dev_name(&vdev->accel.uacce->dev),
					   vzip_debugfs_root);
	debugfs_create_file("stats", 0444, vdev->debugfs, vdev,
			    &vzip_stats_fops);
	wd_engine_debugfs_add(&vdev->accel.eng, vdev->debugfs);
}

void vzip_debugfs_del(struct vzip_device *vdev)
{
	debugfs_remove_recursive(vdev->debugfs);
	vdev->debugfs = NULL;
}
