// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VFIO migration v2 of a vfio-pci instance (Documentation/migration.rst):
 * STOP_COPY and P2P, so every 6.1 state but PRE_COPY.
 *
 * The arcs, one function each, the others combined by the VFIO core's
 * vfio_mig_get_next_state():
 *
 *	RUNNING     -> RUNNING_P2P	quiesce: the request each queue is
 *					executing completes, the others stay
 *					in the guest's rings
 *	RUNNING_P2P -> RUNNING		execute the rings again
 *	RUNNING_P2P -> STOP		BAR0 takes no more writes
 *	STOP        -> RUNNING_P2P	BAR0 takes writes again
 *	STOP        -> STOP_COPY	the state is read out of a data file
 *	STOP_COPY   -> STOP		that file ends
 *	STOP        -> RESUMING		a data file takes a state
 *	RESUMING    -> STOP		the state taken is checked and loaded
 *
 * So no request is ever half done in a stream: the one executing
 * completes on the source, its completion in guest memory (which the VMM
 * migrates, our writes marked dirty by vfio_dma_rw() and vfio_pin_pages()),
 * and those queued behind it run on the destination from the guest's
 * rings, whose indices the stream carries.
 *
 * The stream is struct wd_pci_mig_header (<uapi/misc/uacce/wd_pci.h>),
 * then the body below.  The destination refuses a header that does not
 * match it as soon as the header is written, and a body that is short,
 * corrupt or inconsistent when RESUMING ends; the reason goes to the
 * kernel log, the errno to the VMM, and the instance stays as it was.
 *
 * Locks: v->state_mutex, then v->lock, then v->reg_lock.  A data file has
 * its own lock and never takes the others.  A function reset comes with
 * v->lock held and only tries state_mutex (the deferred reset of mainline
 * migration drivers): the holder does the reset's part before unlocking.
 */
#include <linux/anon_inodes.h>
#include <linux/crc32.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio_pci.h"

/* QEMU 8+ asks it; not in 6.1's <linux/vfio.h>, which passes it to us */
#ifndef VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
#define VFIO_DEVICE_FEATURE_MIG_DATA_SIZE 9
struct vfio_device_feature_mig_data_size {
	__aligned_u64 stop_copy_length;
};
#endif

/**
 * struct wd_vfio_mig_body - the device state after the header
 * @config: the configuration space
 * @irq_status: IRQ_STATUS
 * @reserved: zero
 * @queues: the queues' registers, wd_pci_mig_header.nr_queues of them
 */
struct wd_vfio_mig_body {
	u8 config[WD_VFIO_CONFIG_SIZE];
	__le32 irq_status;
	__le32 reserved;
	struct wd_vfio_mig_queue queues[];
};

/**
 * struct wd_vfio_migf - a data file: the stream being read or written
 * @filp: the file
 * @v: the function
 * @lock: protects everything below
 * @disabled: the state it belongs to has ended: no more reads or writes
 * @buf: the whole stream
 * @size: bytes of @buf: the stream's length once known (resuming: the
 *	header's until it arrived)
 * @len: bytes written so far (resuming)
 * @err: resuming: the header was refused, every write fails with it
 */
struct wd_vfio_migf {
	struct file *filp;
	struct wd_vfio *v;
	struct mutex lock;	/* the buffer, its length and @disabled */
	bool disabled;
	u8 *buf;
	size_t size;
	size_t len;
	int err;
};

static size_t wd_vfio_mig_body_size(unsigned int nr_queues)
{
	return sizeof(struct wd_vfio_mig_body) +
	       nr_queues * sizeof(struct wd_vfio_mig_queue);
}

/* zlib's crc32(), so that a program can check a stream with zlib */
static u32 wd_vfio_crc(const void *buf, size_t len)
{
	return ~crc32_le(~0U, buf, len);
}

/* ---- identity: what a compatible destination has ---- */

/* The mdev type as sysfs and mdevctl name it, e.g. vzip-vq2. */
static void wd_vfio_type_name(struct wd_vfio *v, char *buf, size_t size)
{
	struct mdev_type *type = v->inst->mdev->type;

	snprintf(buf, size, "%s-%s", dev_driver_string(type->parent->dev),
		 type->sysfs_name);
}

/*
 * Opaque to users, readable for us: the register model's version, the
 * function's identity, ring entry sizes and depth, queues, and a CRC of
 * the class's parameters.  Equal strings: the guest's driver sees the
 * same function on the destination.
 */
static void wd_vfio_compat(const struct wd_mdev_vfio_info *info,
			   unsigned int nr_queues, char *buf, size_t size)
{
	snprintf(buf, size,
		 "wdpci%u-%04x:%04x-r%02x-s%04x-m%08x-e%u/%u-d%u-q%u-p%08x",
		 WD_PCI_VERSION, WD_PCI_VENDOR_ID, info->device,
		 info->revision, info->subsys_id, info->magic, info->sqe_size,
		 info->cqe_size, info->max_depth, nr_queues,
		 wd_vfio_crc(info->params, sizeof(info->params)));
}

static void wd_vfio_mig_compat(struct wd_vfio *v, char *buf, size_t size)
{
	wd_vfio_compat(&v->info, v->nr_queues, buf, size);
}

/**
 * wd_vfio_mig_describe_type() - a vfio-pci type's migration version
 * @accel: the accelerator
 * @type: one of its vfio-pci types
 * @buf: the type's description attribute
 * @len: its length so far
 *
 * Known before an instance exists: what migration/version of every
 * instance of @type on @accel will say, so that a manager can choose
 * where to create a destination; "migration: none" for a class that
 * offers none (wd_mdev_vfio_info.no_migration).
 *
 * Return: the description's new length.
 */
ssize_t wd_vfio_mig_describe_type(struct uacce_device *accel,
				  const struct wd_mdev_type *type, char *buf,
				  ssize_t len)
{
	char compat[WD_PCI_MIG_COMPAT_LEN];
	struct wd_mdev_vfio_info info = {};

	type->vfio->info(accel, &info);
	if (info.no_migration)
		return len + sysfs_emit_at(buf, len, "migration: none\n");
	wd_vfio_compat(&info, type->nr_queues, compat, sizeof(compat));
	return len + sysfs_emit_at(buf, len, "migration_version: %s\n",
				   compat);
}

static void wd_vfio_mig_describe(struct wd_vfio *v, char *buf, size_t size)
{
	char type[WD_PCI_MIG_TYPE_LEN];

	wd_vfio_type_name(v, type, sizeof(type));
	snprintf(buf, size,
		 "%s: WarpDrive PCI function %04x:%04x rev %u of %s, %u queue%s of depth up to %u",
		 type, WD_PCI_VENDOR_ID, v->info.device,
		 v->info.revision, dev_name(&v->accel->dev), v->nr_queues,
		 v->nr_queues == 1 ? "" : "s", v->info.max_depth);
}

static size_t wd_vfio_mig_stream_size(struct wd_vfio *v)
{
	return sizeof(struct wd_pci_mig_header) +
	       wd_vfio_mig_body_size(v->nr_queues);
}

/* ---- data files ---- */

static void wd_vfio_migf_disable(struct wd_vfio_migf *migf)
{
	mutex_lock(&migf->lock);
	migf->disabled = true;
	mutex_unlock(&migf->lock);
}

static int wd_vfio_migf_release(struct inode *inode, struct file *filp)
{
	struct wd_vfio_migf *migf = filp->private_data;

	mutex_destroy(&migf->lock);
	kvfree(migf->buf);
	kfree(migf);
	wd_mdev_obj_count(WD_MDEV_OBJ_VFIO_MIGF, -1);
	return 0;
}

static ssize_t wd_vfio_save_read(struct file *filp, char __user *buf,
				 size_t len, loff_t *pos)
{
	struct wd_vfio_migf *migf = filp->private_data;
	ssize_t done;

	if (pos)
		return -ESPIPE;
	pos = &filp->f_pos;

	mutex_lock(&migf->lock);
	if (migf->disabled) {
		done = -ENODEV;
		goto out;
	}
	if (*pos >= migf->size) {
		done = 0;	/* the end of the device's state */
		goto out;
	}
	len = min_t(size_t, len, migf->size - *pos);
	if (copy_to_user(buf, migf->buf + *pos, len)) {
		done = -EFAULT;
		goto out;
	}
	*pos += len;
	done = len;
out:
	mutex_unlock(&migf->lock);
	return done;
}

/*
 * A header string: terminated, and printable ASCII, so that the log lines
 * it goes into show it as it is and cannot be forged by it.
 */
static bool wd_vfio_mig_str_ok(const char *s, size_t size)
{
	size_t i, n = strnlen(s, size);

	if (n == size)
		return false;
	for (i = 0; i < n; i++)
		if ((u8)s[i] < 0x20 || (u8)s[i] > 0x7e)
			return false;
	return true;
}

/*
 * Checks a complete header against this function.  The messages are
 * rate-limited: a VMM may send bad streams without end.  Return: 0, or an
 * errno after logging what differs.
 */
static int wd_vfio_mig_check_header(struct wd_vfio *v,
				    const struct wd_pci_mig_header *h)
{
	struct device *dev = wd_vfio_dev(v);
	char compat[WD_PCI_MIG_COMPAT_LEN], type[WD_PCI_MIG_TYPE_LEN];
	u32 nr_queues = le32_to_cpu(h->nr_queues);
	bool our_size = le16_to_cpu(h->header_size) == sizeof(*h);

	if (le32_to_cpu(h->magic) != WD_PCI_MIG_MAGIC) {
		dev_err_ratelimited(dev, "migration stream refused: magic %#x, not a WarpDrive device state\n",
				    le32_to_cpu(h->magic));
		return -EINVAL;
	}
	/*
	 * A header of this version's size is checked whole first, so that a
	 * damaged version is reported as damage; a later version's may be
	 * longer, its CRC further on.
	 */
	if (!our_size && le16_to_cpu(h->version) == WD_PCI_MIG_VERSION) {
		dev_err_ratelimited(dev, "migration stream refused: the header is corrupt (size %u, %zu expected)\n",
				    le16_to_cpu(h->header_size), sizeof(*h));
		return -EINVAL;
	}
	if (our_size &&
	    wd_vfio_crc(h, offsetof(struct wd_pci_mig_header, header_crc)) !=
	    le32_to_cpu(h->header_crc)) {
		dev_err_ratelimited(dev, "migration stream refused: the header is corrupt (CRC)\n");
		return -EINVAL;
	}
	if (le16_to_cpu(h->version) != WD_PCI_MIG_VERSION) {
		dev_err_ratelimited(dev, "migration stream refused: format version %u, this kernel reads %u\n",
				    le16_to_cpu(h->version), WD_PCI_MIG_VERSION);
		return -EOPNOTSUPP;
	}
	if (!wd_vfio_mig_str_ok(h->type, sizeof(h->type)) ||
	    !wd_vfio_mig_str_ok(h->compat, sizeof(h->compat)) ||
	    !wd_vfio_mig_str_ok(h->description, sizeof(h->description))) {
		dev_err_ratelimited(dev, "migration stream refused: a header string is not terminated, or not printable ASCII\n");
		return -EINVAL;
	}
	wd_vfio_type_name(v, type, sizeof(type));
	if (nr_queues != v->nr_queues) {
		dev_err_ratelimited(dev, "migration stream refused: source %s has %u queue%s, this instance %s has %u\n",
				    h->type, nr_queues,
				    nr_queues == 1 ? "" : "s", type,
				    v->nr_queues);
		return -EINVAL;
	}
	wd_vfio_mig_compat(v, compat, sizeof(compat));
	if (strcmp(h->compat, compat)) {
		dev_err_ratelimited(dev, "migration stream refused: source is %s (%s), this instance is %s (%s)\n",
				    h->description, h->compat, type, compat);
		return -EINVAL;
	}
	if (le32_to_cpu(h->body_size) != wd_vfio_mig_body_size(v->nr_queues)) {
		dev_err_ratelimited(dev, "migration stream refused: a body of %u bytes, %zu expected\n",
				    le32_to_cpu(h->body_size),
				    wd_vfio_mig_body_size(v->nr_queues));
		return -EINVAL;
	}
	return 0;
}

static ssize_t wd_vfio_resume_write(struct file *filp, const char __user *buf,
				    size_t len, loff_t *pos)
{
	struct wd_vfio_migf *migf = filp->private_data;
	const size_t hsize = sizeof(struct wd_pci_mig_header);
	size_t done = 0;
	ssize_t ret;

	if (pos)
		return -ESPIPE;

	mutex_lock(&migf->lock);
	if (migf->disabled) {
		ret = -ENODEV;
		goto out;
	}
	ret = migf->err;
	while (!ret && done < len) {
		size_t n = min(len - done, migf->size - migf->len);

		if (!n) {
			/* a write past the end stops short of it, then fails */
			if (!done) {
				dev_err_ratelimited(wd_vfio_dev(migf->v),
						    "migration stream refused: data past the end its header gives\n");
				ret = -EINVAL;
			}
			break;
		}
		if (copy_from_user(migf->buf + migf->len, buf + done, n)) {
			ret = -EFAULT;
			break;
		}
		migf->len += n;
		done += n;
		if (migf->len != hsize || migf->size != hsize)
			continue;
		/* the header is complete: refuse the stream now, or take it */
		ret = wd_vfio_mig_check_header(migf->v, (void *)migf->buf);
		if (ret) {
			migf->err = ret;
			goto out;
		}
		migf->size = wd_vfio_mig_stream_size(migf->v);
	}
	if (done)
		ret = done;
	filp->f_pos += done;
out:
	mutex_unlock(&migf->lock);
	return ret;
}

static const struct file_operations wd_vfio_save_fops = {
	.owner = THIS_MODULE,
	.read = wd_vfio_save_read,
	.release = wd_vfio_migf_release,
	.llseek = no_llseek,
};

static const struct file_operations wd_vfio_resume_fops = {
	.owner = THIS_MODULE,
	.write = wd_vfio_resume_write,
	.release = wd_vfio_migf_release,
	.llseek = no_llseek,
};

static struct wd_vfio_migf *wd_vfio_migf_new(struct wd_vfio *v, bool save)
{
	struct wd_vfio_migf *migf;
	struct file *filp;

	migf = kzalloc(sizeof(*migf), GFP_KERNEL);
	if (!migf)
		return ERR_PTR(-ENOMEM);
	/* the whole stream, whose size the header fixes */
	migf->buf = kvzalloc(wd_vfio_mig_stream_size(v), GFP_KERNEL);
	if (!migf->buf) {
		kfree(migf);
		return ERR_PTR(-ENOMEM);
	}
	migf->v = v;
	migf->size = save ? wd_vfio_mig_stream_size(v) :
		     sizeof(struct wd_pci_mig_header);
	mutex_init(&migf->lock);
	filp = anon_inode_getfile("wd_vfio_mig",
				  save ? &wd_vfio_save_fops :
				  &wd_vfio_resume_fops,
				  migf, save ? O_RDONLY : O_WRONLY);
	if (IS_ERR(filp)) {
		mutex_destroy(&migf->lock);
		kvfree(migf->buf);
		kfree(migf);
		return ERR_CAST(filp);
	}
	migf->filp = filp;
	stream_open(filp->f_inode, filp);
	wd_mdev_obj_count(WD_MDEV_OBJ_VFIO_MIGF, 1);
	return migf;
}

/* Ends the data files of the state being left; state_mutex held. */
static void wd_vfio_mig_disable_files(struct wd_vfio *v)
{
	if (v->saving) {
		wd_vfio_migf_disable(v->saving);
		fput(v->saving->filp);
		v->saving = NULL;
	}
	if (v->resuming) {
		wd_vfio_migf_disable(v->resuming);
		fput(v->resuming->filp);
		v->resuming = NULL;
	}
}

/* ---- the arcs ---- */

/*
 * Stops BAR0's writes and INTx (STOP changes nothing outside the
 * function), or lets them go on: INTx then signals if it is asserted.
 */
static void wd_vfio_mig_freeze(struct wd_vfio *v, bool frozen)
{
	unsigned long flags;

	spin_lock_irqsave(&v->reg_lock, flags);
	v->frozen = frozen;
	spin_unlock_irqrestore(&v->reg_lock, flags);
	if (!frozen)
		wd_vfio_intx_update(v);
}

/* STOP -> STOP_COPY: the stream of the stopped function. */
static struct file *wd_vfio_mig_save(struct wd_vfio *v)
{
	struct wd_vfio_migf *migf;
	struct wd_pci_mig_header *h;
	struct wd_vfio_mig_body *body;
	unsigned long flags;

	migf = wd_vfio_migf_new(v, true);
	if (IS_ERR(migf))
		return ERR_CAST(migf);
	h = (void *)migf->buf;
	body = (void *)(h + 1);

	mutex_lock(&v->lock);
	memcpy(body->config, v->config, sizeof(body->config));
	spin_lock_irqsave(&v->reg_lock, flags);
	body->irq_status = cpu_to_le32(v->irq_status);
	spin_unlock_irqrestore(&v->reg_lock, flags);
	wd_vfio_queues_save(v, body->queues);
	mutex_unlock(&v->lock);

	h->magic = cpu_to_le32(WD_PCI_MIG_MAGIC);
	h->version = cpu_to_le16(WD_PCI_MIG_VERSION);
	h->header_size = cpu_to_le16(sizeof(*h));
	h->body_size = cpu_to_le32(wd_vfio_mig_body_size(v->nr_queues));
	h->body_crc = cpu_to_le32(wd_vfio_crc(body,
					      wd_vfio_mig_body_size(v->nr_queues)));
	h->nr_queues = cpu_to_le32(v->nr_queues);
	h->max_depth = cpu_to_le32(v->info.max_depth);
	wd_vfio_type_name(v, h->type, sizeof(h->type));
	wd_vfio_mig_compat(v, h->compat, sizeof(h->compat));
	wd_vfio_mig_describe(v, h->description, sizeof(h->description));
	h->header_crc = cpu_to_le32(wd_vfio_crc(h,
						offsetof(struct wd_pci_mig_header,
							 header_crc)));

	get_file(migf->filp);
	v->saving = migf;
	return migf->filp;
}

/* STOP -> RESUMING: a file to take the source's stream. */
static struct file *wd_vfio_mig_resume(struct wd_vfio *v)
{
	struct wd_vfio_migf *migf = wd_vfio_migf_new(v, false);

	if (IS_ERR(migf))
		return ERR_CAST(migf);
	get_file(migf->filp);
	v->resuming = migf;
	return migf->filp;
}

/*
 * RESUMING -> STOP: check what was written, then load it.  The file's
 * lock is not held with v->lock (a reset ends files with v->lock held):
 * the body is checked in a copy of its own.
 */
static int wd_vfio_mig_load(struct wd_vfio *v)
{
	struct wd_vfio_migf *migf = v->resuming;
	const struct wd_pci_mig_header *h = (void *)migf->buf;
	size_t body_size = wd_vfio_mig_body_size(v->nr_queues);
	struct device *dev = wd_vfio_dev(v);
	struct wd_vfio_mig_body *body;
	unsigned long flags;
	u32 irq_status;
	int ret;

	body = kvmalloc(body_size, GFP_KERNEL);
	if (!body)
		return -ENOMEM;
	mutex_lock(&migf->lock);
	ret = migf->err;
	if (ret)
		goto out;
	if (migf->len < migf->size || migf->size == sizeof(*h)) {
		dev_err_ratelimited(dev, "migration stream refused: %zu bytes, ended before the %s\n",
				    migf->len,
				    migf->size == sizeof(*h) ? "header's end" :
							       "body's end");
		ret = -EINVAL;
		goto out;
	}
	memcpy(body, h + 1, body_size);
	if (wd_vfio_crc(body, body_size) != le32_to_cpu(h->body_crc)) {
		dev_err_ratelimited(dev, "migration stream refused: the device state is corrupt (CRC)\n");
		ret = -EINVAL;
		goto out;
	}
	mutex_unlock(&migf->lock);

	if (body->reserved) {
		dev_err_ratelimited(dev, "migration stream refused: reserved word %#x of the device state is not 0\n",
				    le32_to_cpu(body->reserved));
		ret = -EINVAL;
		goto out_free;
	}

	irq_status = le32_to_cpu(body->irq_status);
	if (irq_status & ~GENMASK(v->nr_queues - 1, 0)) {
		dev_err_ratelimited(dev, "migration stream refused: IRQ_STATUS %#x names queues this function lacks\n",
				    irq_status);
		ret = -EINVAL;
		goto out_free;
	}
	ret = wd_vfio_queues_check(v, body->queues);
	if (ret)
		goto out_free;

	mutex_lock(&v->lock);
	wd_vfio_queues_restore(v, body->queues);
	wd_vfio_config_restore(v, body->config);
	spin_lock_irqsave(&v->reg_lock, flags);
	v->irq_status = irq_status;
	spin_unlock_irqrestore(&v->reg_lock, flags);
	mutex_unlock(&v->lock);
	/* the header, checked when it came, no longer changes */
	dev_info(dev, "migration: loaded the state of %s\n", h->description);
	goto out_free;
out:
	mutex_unlock(&migf->lock);
out_free:
	kvfree(body);
	return ret;
}

/* One arc of the FSM, from v->mig_state to @next; state_mutex held. */
static struct file *wd_vfio_mig_step(struct wd_vfio *v, u32 next)
{
	u32 cur = v->mig_state;
	int ret;

	if (cur == VFIO_DEVICE_STATE_RUNNING &&
	    next == VFIO_DEVICE_STATE_RUNNING_P2P) {
		wd_vfio_queues_quiesce(v, true);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
	    next == VFIO_DEVICE_STATE_RUNNING) {
		wd_vfio_queues_quiesce(v, false);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
	    next == VFIO_DEVICE_STATE_STOP) {
		/* a BAR0 write under way (under @lock) ends before STOP */
		mutex_lock(&v->lock);
		wd_vfio_mig_freeze(v, true);
		mutex_unlock(&v->lock);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_RUNNING_P2P) {
		wd_vfio_mig_freeze(v, false);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_STOP_COPY)
		return wd_vfio_mig_save(v);
	if (cur == VFIO_DEVICE_STATE_STOP_COPY &&
	    next == VFIO_DEVICE_STATE_STOP) {
		wd_vfio_mig_disable_files(v);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_RESUMING)
		return wd_vfio_mig_resume(v);
	if (cur == VFIO_DEVICE_STATE_RESUMING &&
	    next == VFIO_DEVICE_STATE_STOP) {
		ret = wd_vfio_mig_load(v);
		if (ret)
			return ERR_PTR(ret);
		wd_vfio_mig_disable_files(v);
		return NULL;
	}

	/* vfio_mig_get_next_state() gives no other arc with STOP_COPY|P2P */
	WARN(1, "wd_vfio: no migration arc %u -> %u\n", cur, next);
	return ERR_PTR(-EINVAL);
}

/*
 * Back to RUNNING, as after a reset: the data files end, BAR0 takes
 * writes, and, if @run, the queues execute again; state_mutex held.
 */
static void wd_vfio_mig_running(struct wd_vfio *v, bool run)
{
	v->mig_state = VFIO_DEVICE_STATE_RUNNING;
	wd_vfio_mig_disable_files(v);
	wd_vfio_mig_freeze(v, false);
	if (run)
		wd_vfio_queues_quiesce(v, false);
}

/* Does a reset's part if one came while state_mutex was held. */
static void wd_vfio_state_deferred_reset(struct wd_vfio *v)
{
	spin_lock(&v->reset_lock);
	while (v->deferred_reset) {
		v->deferred_reset = false;
		spin_unlock(&v->reset_lock);
		wd_vfio_mig_running(v, true);
		spin_lock(&v->reset_lock);
	}
}

/* Takes state_mutex: the state as of the last reset that returned. */
static void wd_vfio_state_lock(struct wd_vfio *v)
{
	mutex_lock(&v->state_mutex);
	wd_vfio_state_deferred_reset(v);
	spin_unlock(&v->reset_lock);
}

/* Unlocks state_mutex, doing first what a reset left to us. */
static void wd_vfio_state_unlock(struct wd_vfio *v)
{
	wd_vfio_state_deferred_reset(v);
	/* with reset_lock held, a reset either saw the mutex held or not */
	mutex_unlock(&v->state_mutex);
	spin_unlock(&v->reset_lock);
}

static struct file *wd_vfio_mig_set_state(struct vfio_device *vfio_dev,
					  enum vfio_device_mig_state new_state)
{
	struct wd_vfio *v = to_wd_vfio(vfio_dev);
	enum vfio_device_mig_state next;
	struct file *res = NULL;
	int ret;

	wd_vfio_state_lock(v);
	while (new_state != v->mig_state) {
		ret = vfio_mig_get_next_state(vfio_dev, v->mig_state, new_state,
					      &next);
		if (ret) {
			dev_dbg(wd_vfio_dev(v),
				"migration: no way from state %u to %u\n",
				v->mig_state, new_state);
			res = ERR_PTR(ret);
			break;
		}
		res = wd_vfio_mig_step(v, next);
		if (IS_ERR(res))
			break;
		v->mig_state = next;
		if (WARN_ON(res && new_state != v->mig_state)) {
			fput(res);
			res = ERR_PTR(-EINVAL);
			break;
		}
	}
	wd_vfio_state_unlock(v);
	return res;
}

static int wd_vfio_mig_get_state(struct vfio_device *vfio_dev,
				 enum vfio_device_mig_state *state)
{
	struct wd_vfio *v = to_wd_vfio(vfio_dev);

	wd_vfio_state_lock(v);
	*state = v->mig_state;
	wd_vfio_state_unlock(v);
	return 0;
}

const struct vfio_migration_ops wd_vfio_mig_ops = {
	.migration_set_state = wd_vfio_mig_set_state,
	.migration_get_state = wd_vfio_mig_get_state,
};

/**
 * wd_vfio_mig_feature() - the VFIO device features beyond the core's
 * @v: the function
 * @flags: the feature and VFIO_DEVICE_FEATURE_* flags
 * @arg: its data
 * @argsz: bytes of @arg
 *
 * MIG_DATA_SIZE: the stream's length, which STOP_COPY gives whole; QEMU
 * plans the downtime with it.  -ENOTTY for a function without migration,
 * as the VFIO core answers its MIGRATION feature then.
 *
 * Return: 0, or a negative errno.
 */
int wd_vfio_mig_feature(struct wd_vfio *v, u32 flags, void __user *arg,
			size_t argsz)
{
	struct vfio_device_feature_mig_data_size size = {};
	int ret;

	if ((flags & VFIO_DEVICE_FEATURE_MASK) !=
	    VFIO_DEVICE_FEATURE_MIG_DATA_SIZE)
		return -ENOTTY;
	if (v->info.no_migration) {
		dev_dbg_ratelimited(wd_vfio_dev(v),
				    "MIG_DATA_SIZE: the function has no migration\n");
		return -ENOTTY;
	}
	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_GET,
				 sizeof(size));
	if (ret != 1)
		return ret;
	size.stop_copy_length = wd_vfio_mig_stream_size(v);
	return copy_to_user(arg, &size, sizeof(size)) ? -EFAULT : 0;
}

/**
 * wd_vfio_mig_init() - migration state of a new function
 * @v: the function, its info filled in
 *
 * A function whose class says no_migration is always RUNNING: the state
 * machine is kept (open, close and reset use it) but no arc is offered.
 */
void wd_vfio_mig_init(struct wd_vfio *v)
{
	mutex_init(&v->state_mutex);
	spin_lock_init(&v->reset_lock);
	v->mig_state = VFIO_DEVICE_STATE_RUNNING;
	/* without mig_ops, the VFIO core refuses every migration feature */
	if (v->info.no_migration)
		return;
	v->vfio_dev.migration_flags = VFIO_MIGRATION_STOP_COPY |
				      VFIO_MIGRATION_P2P;
	v->vfio_dev.mig_ops = &wd_vfio_mig_ops;
}

/**
 * wd_vfio_mig_open() - the VMM opened the function: it is RUNNING
 * @v: the function
 */
void wd_vfio_mig_open(struct wd_vfio *v)
{
	wd_vfio_state_lock(v);
	wd_vfio_mig_running(v, true);
	wd_vfio_state_unlock(v);
}

/**
 * wd_vfio_mig_close() - the VMM closed the function: its data files end
 * @v: the function
 *
 * The queues stay quiesced if they were: the close stops them anyway, and
 * the next open lets them run.
 */
void wd_vfio_mig_close(struct wd_vfio *v)
{
	wd_vfio_state_lock(v);
	wd_vfio_mig_running(v, false);
	wd_vfio_state_unlock(v);
}

/**
 * wd_vfio_mig_reset() - the function was reset: back to RUNNING
 * @v: the function, its lock held
 *
 * Done at once, or, if a migration arc holds the state, by that arc's
 * holder before it lets the state go.
 */
void wd_vfio_mig_reset(struct wd_vfio *v)
{
	spin_lock(&v->reset_lock);
	v->deferred_reset = true;
	if (!mutex_trylock(&v->state_mutex)) {
		spin_unlock(&v->reset_lock);
		return;
	}
	spin_unlock(&v->reset_lock);
	wd_vfio_state_unlock(v);
}

/* ---- compatibility, before migrating (sysfs: <mdev>/migration/) ---- */

static struct wd_vfio *wd_vfio_of_dev(struct device *dev)
{
	struct wd_mdev_instance *inst = dev_get_drvdata(dev);

	return inst->priv;
}

static ssize_t type_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	char type[WD_PCI_MIG_TYPE_LEN];

	wd_vfio_type_name(wd_vfio_of_dev(dev), type, sizeof(type));
	return sysfs_emit(buf, "%s\n", type);
}
static DEVICE_ATTR_RO(type);

static ssize_t version_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	char compat[WD_PCI_MIG_COMPAT_LEN];

	wd_vfio_mig_compat(wd_vfio_of_dev(dev), compat, sizeof(compat));
	return sysfs_emit(buf, "%s\n", compat);
}
static DEVICE_ATTR_RO(version);

static ssize_t description_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	char desc[WD_PCI_MIG_DESC_LEN];

	wd_vfio_mig_describe(wd_vfio_of_dev(dev), desc, sizeof(desc));
	return sysfs_emit(buf, "%s\n", desc);
}
static DEVICE_ATTR_RO(description);

/* Write a source's migration/version: refused unless it can come here. */
static ssize_t check_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	struct wd_vfio *v = wd_vfio_of_dev(dev);
	char compat[WD_PCI_MIG_COMPAT_LEN];
	size_t len = count;

	if (len && buf[len - 1] == '\n')
		len--;
	wd_vfio_mig_compat(v, compat, sizeof(compat));
	if (len != strlen(compat) || memcmp(buf, compat, len)) {
		dev_info(dev, "migration check: source version %.*s cannot come to this instance, version %s\n",
			 (int)min_t(size_t, len, WD_PCI_MIG_COMPAT_LEN), buf,
			 compat);
		return -EINVAL;
	}
	return count;
}
static DEVICE_ATTR_WO(check);

static struct attribute *wd_vfio_mig_attrs[] = {
	&dev_attr_type.attr,
	&dev_attr_version.attr,
	&dev_attr_description.attr,
	&dev_attr_check.attr,
	NULL,
};

static const struct attribute_group wd_vfio_mig_group = {
	.name = "migration",
	.attrs = wd_vfio_mig_attrs,
};

/**
 * wd_vfio_mig_sysfs_add() - the migration attributes of a new instance
 * @v: the function, registered
 *
 * None for a function without migration: no directory a manager would
 * read a version from.
 *
 * Return: 0 or a negative errno.
 */
int wd_vfio_mig_sysfs_add(struct wd_vfio *v)
{
	if (v->info.no_migration)
		return 0;
	return device_add_group(wd_vfio_dev(v), &wd_vfio_mig_group);
}

/**
 * wd_vfio_mig_sysfs_del() - undo wd_vfio_mig_sysfs_add()
 * @v: the function
 */
void wd_vfio_mig_sysfs_del(struct wd_vfio *v)
{
	if (!v->info.no_migration)
		device_remove_group(wd_vfio_dev(v), &wd_vfio_mig_group);
}
