// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: a crypto session's device: the process's shared vcrypt
 * queue (shared.c, as compression shares vzip's) and the key slot of that
 * queue the session holds, loaded by a KEY_LOAD request (never in a
 * descriptor) and wiped by KEY_CLEAR when the session ends.  A queue
 * inherited from the parent process or whose device failed is let go of:
 * the next request finds a queue again and loads the key again.  Device
 * selection is device.c's (WD_DEVICE_VCRYPT or WD_DEVICE, instances only
 * when named).
 *
 * Registered memory (wd_crypto_buf_register()) is registered on that
 * queue, as compression's on its own (the list and the ioctls are
 * mem.c's): each registration keeps a reference to the queue it is on,
 * so that a queue replaced after a fork or a failure keeps its
 * registrations until they are ended.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crypto_priv.h"
#include "shared.h"
#include "vcrypt.h"
#include "xfer.h"

#define WD_CRYPTO_RETRY_NS	1000000000LL

/* Loads the session's key into slot @slot of @q; 0 or -errno. */
static int key_load(struct wd_crypto *s, struct wd_queue *q,
		    unsigned int slot)
{
	struct wd_chw h = {
		.q = q, .slot = slot, .alg = s->alg, .busy = s->busy,
		.cnt = &s->cnt,
	};
	unsigned char hashed[VCRYPT_SHA256_SIZE];
	const void *key = s->key;
	size_t len = s->key_len, hlen = sizeof(hashed);
	struct vcrypt_sqe sqe;
	struct wd_xfer x;
	int ret;

	if (s->alg == WD_CRYPTO_HMAC_SHA256 && len > VCRYPT_HMAC_KEY_MAX) {
		/* RFC 2104: a key longer than the block is its hash */
		ret = wd_csoft_digest(WD_CRYPTO_SHA256, NULL, 0, key, len,
				      hashed, &hlen);
		if (ret)
			return ret;
		key = hashed;
		len = hlen;
	}
	ret = wd_xfer_in(q, key, len, &x, NULL);
	if (!ret) {
		wd_vcrypt_prep(&sqe, VCRYPT_OP_KEY_LOAD, s->alg, slot);
		sqe.src = x.addr;
		sqe.src_len = (uint32_t)len;
		ret = wd_chw_run(&h, &sqe, NULL);
		/* the device keeps no reference: our copy in SS goes now */
		if (x.bounce)
			wd_crypto_wipe(x.bounce, len);
		wd_xfer_done(q, &x, 0, NULL);
	}
	wd_crypto_wipe(hashed, sizeof(hashed));
	return ret;
}

/* Wipes slot @slot of @q and gives it back. */
static void key_clear(struct wd_crypto *s, struct wd_queue *q,
		      unsigned int slot)
{
	struct wd_chw h = {
		.q = q, .slot = slot, .busy = s->busy, .cnt = &s->cnt,
	};
	struct vcrypt_sqe sqe;

	/* a dead queue's slots were wiped by its release */
	if (!wd_queue_stale(q) && !wd_queue_check(q) && !wd_inflight_dead(q)) {
		wd_vcrypt_prep(&sqe, VCRYPT_OP_KEY_CLEAR, VCRYPT_ALG_NONE,
			       slot);
		wd_chw_run(&h, &sqe, NULL);
	}
	wd_queue_slot_put(q, slot);
}

/* Lets go of the session's queue and slot; with s->lock held. */
static void detach(struct wd_crypto *s)
{
	if (!s->q)
		return;
	if (s->slot >= 0)
		key_clear(s, s->q, (unsigned int)s->slot);
	s->slot = -1;
	wd_queue_close(s->q);
	s->q = NULL;
	atomic_store_explicit(&s->device, NULL, memory_order_relaxed);
}

/* A queue with the key loaded, or why not; with s->lock held. */
static enum wd_reason attach(struct wd_crypto *s)
{
	enum wd_reason why;
	struct wd_queue *q;
	int slot = -1, ret;

	q = wd_shared_queue(&wd_vcrypt_ring, &why);
	if (!q)
		return why;
	if (!wd_vcrypt_has_alg(q, s->alg)) {
		wd_queue_close(q);
		return WD_REASON_UNSUPPORTED;
	}
	if (wd_vcrypt_keyed(s->alg)) {
		slot = wd_queue_slot_get(q);
		if (slot < 0) {
			/* every key slot of the queue is another session's */
			wd_queue_close(q);
			return WD_REASON_NO_QUEUE;
		}
		ret = key_load(s, q, (unsigned int)slot);
		if (ret) {
			wd_queue_slot_put(q, (unsigned int)slot);
			wd_queue_close(q);
			return wd_hw_retryable(ret) ? wd_hw_fail_reason(ret) :
			       WD_REASON_UNSUPPORTED;
		}
	}
	s->q = q;
	s->slot = slot;
	atomic_store_explicit(&s->device,
			      wd_devname_keep(&s->devnames, q->info.device),
			      memory_order_release);
	return WD_REASON_NONE;
}

struct wd_queue *wd_crypto_dev_get(struct wd_crypto *s, unsigned int *slot,
				   enum wd_reason *why)
{
	struct wd_queue *q;

	pthread_mutex_lock(&s->lock);
	q = s->q;
	if (q && (wd_queue_stale(q) || wd_queue_check(q) ||
		  wd_inflight_dead(q))) {
		/* a forked child's inheritance, or a dead device: let go */
		if (!wd_queue_stale(q))
			s->nodev = WD_REASON_DEVICE_LOST;
		detach(s);
		q = NULL;
		s->retry_at = 0;
	}
	if (!q && wd_now_ns() >= s->retry_at) {
		s->nodev = attach(s);
		q = s->q;
		if (!q)
			s->retry_at = wd_now_ns() + WD_CRYPTO_RETRY_NS;
	}
	if (q) {
		wd_queue_ref(q);
		*slot = s->slot < 0 ? 0 : (unsigned int)s->slot;
	} else {
		*why = s->nodev;
	}
	pthread_mutex_unlock(&s->lock);
	return q;
}

void wd_crypto_dev_put(struct wd_crypto *s)
{
	pthread_mutex_lock(&s->lock);
	while (s->bufs) {
		struct wd_buf *b = s->bufs;

		s->bufs = b->next;
		wd_buf_release(b);
	}
	detach(s);
	pthread_mutex_unlock(&s->lock);
}

/*
 * What wd_crypto_buf_register() returns without a queue, as compression's
 * wd_buf_register() and policy hw: -EBUSY (all in use, or every key slot
 * taken), -EOPNOTSUPP (the device does not run the session's algorithm),
 * -EACCES (a device is there, its node is not ours to open), else -ENODEV.
 */
static int no_queue_error(enum wd_reason why)
{
	switch (why) {
	case WD_REASON_NO_QUEUE:
		return -EBUSY;
	case WD_REASON_UNSUPPORTED:
		return -EOPNOTSUPP;
	case WD_REASON_NO_DEVICE:
		return wd_device_denied(wd_vcrypt_ring.api) ? -EACCES :
							     -ENODEV;
	default:
		return -ENODEV;
	}
}

WD_EXPORT int wd_crypto_buf_register(struct wd_crypto *s, void *buf,
				     size_t len)
{
	enum wd_reason why = WD_REASON_NO_DEVICE;
	unsigned int slot;
	struct wd_queue *q;

	if (!s || wd_buf_range_bad(buf, len))
		return -EINVAL;
	if (s->policy == WD_POLICY_SW)
		return -ENODEV;
	q = wd_crypto_dev_get(s, &slot, &why);
	if (!q)
		return no_queue_error(why);
	return wd_buf_reg_add(&s->bufs, &s->lock, q, buf, len);
}

WD_EXPORT int wd_crypto_buf_unregister(struct wd_crypto *s, void *buf)
{
	if (!s || !buf)
		return -EINVAL;
	return wd_buf_unregister_in(&s->bufs, &s->lock, buf);
}
