// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vcrypt: debugfs, /sys/kernel/debug/vcrypt/<uacce device>/:
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

#include "vcrypt.h"

/* Created at module init, removed at module exit. */
static struct dentry *vcrypt_debugfs_root;

static const char *const vcrypt_status_names[] = {
	[VCRYPT_STS_OK] = "ok",
	[VCRYPT_STS_OVERFLOW] = "overflow",
	[VCRYPT_STS_AUTH_FAILED] = "auth_failed",
	[VCRYPT_STS_ADDR_ERROR] = "addr_error",
	[VCRYPT_STS_INVALID] = "invalid",
	[VCRYPT_STS_ABORTED] = "aborted",
	[VCRYPT_STS_HW_ERROR] = "hw_error",
	[VCRYPT_STS_BAD_KEY] = "bad_key",
	[VCRYPT_STS_BAD_IV] = "bad_iv",
	[VCRYPT_STS_BAD_LENGTH] = "bad_length",
	[VCRYPT_STS_BAD_CONTEXT] = "bad_context",
};

static const char *const vcrypt_opcode_names[] = {
	[VCRYPT_OP_NOP] = "nop",
	[VCRYPT_OP_KEY_LOAD] = "key_load",
	[VCRYPT_OP_KEY_CLEAR] = "key_clear",
	[VCRYPT_OP_DIGEST] = "digest",
	[VCRYPT_OP_ENCRYPT] = "encrypt",
	[VCRYPT_OP_DECRYPT] = "decrypt",
};

/* a name for every status and opcode of the UAPI header */
static_assert(ARRAY_SIZE(vcrypt_status_names) == VCRYPT_NR_STATUS);
static_assert(ARRAY_SIZE(vcrypt_opcode_names) == VCRYPT_NR_OPCODES);

/* counts only: no key, IV or data is ever shown here */
static int vcrypt_stats_show(struct seq_file *m, void *unused)
{
	struct vcrypt_device *vdev = m->private;
	struct vcrypt_stats *s = &vdev->stats;
	int i;

	for (i = 0; i < VCRYPT_NR_OPCODES; i++)
		seq_printf(m, "op_%s %lld\n", vcrypt_opcode_names[i],
			   atomic64_read(&s->opcode[i]));
	for (i = 0; i < VCRYPT_NR_STATUS; i++)
		seq_printf(m, "requests_%s %lld\n", vcrypt_status_names[i],
			   atomic64_read(&s->status[i]));
	seq_printf(m, "bytes_in %lld\n", atomic64_read(&s->bytes_in));
	seq_printf(m, "bytes_out %lld\n", atomic64_read(&s->bytes_out));
	seq_printf(m, "slots_loaded %lld\n", atomic64_read(&s->slots_loaded));
	seq_printf(m, "doorbells %lld\n",
		   atomic64_read(&vdev->accel.doorbells));
	wd_engine_debugfs_show(&vdev->accel.eng, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vcrypt_stats);

void vcrypt_debugfs_init(void)
{
	vcrypt_debugfs_root = debugfs_create_dir("vcrypt", NULL);
}

void vcrypt_debugfs_exit(void)
{
	debugfs_remove_recursive(vcrypt_debugfs_root);
}

/* Failures are not errors: debugfs is optional. */
void vcrypt_debugfs_add(struct vcrypt_device *vdev)
{
	vdev->debugfs = debugfs_create_dir(dev_name(&vdev->accel.uacce->dev),
					   vcrypt_debugfs_root);
	debugfs_create_file("stats", 0444, vdev->debugfs, vdev,
			    &vcrypt_stats_fops);
	wd_engine_debugfs_add(&vdev->accel.eng, vdev->debugfs);
}

void vcrypt_debugfs_del(struct vcrypt_device *vdev)
{
	debugfs_remove_recursive(vdev->debugfs);
	vdev->debugfs = NULL;
}
