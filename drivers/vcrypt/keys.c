// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vcrypt: the key slots of a queue (Documentation/vcrypt.rst, "Key slots").
 *
 * A slot is kernel memory of the queue, reachable by no region, register,
 * request output, trace event, debugfs file or log message.  A key enters
 * by KEY_LOAD and leaves by being wiped: KEY_CLEAR, a KEY_LOAD that fails,
 * the release of the queue and the removal of the device.  Every load and
 * wipe moves the slot to a new generation, which stream contexts record.
 */
#include <crypto/algapi.h>
#include <kunit/visibility.h>
#include <linux/fips.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vcrypt.h"

/* 6.1's hmac_setkey() refuses shorter keys in FIPS mode: 112 bits */
#define VCRYPT_HMAC_FIPS_KEY_MIN	14

/**
 * vcrypt_slots_alloc() - the empty key slots of a queue
 * @nr: slots
 * @node: NUMA node
 *
 * Return: the slots, or NULL.
 */
struct vcrypt_slot *vcrypt_slots_alloc(u32 nr, int node)
{
	return kvzalloc_node(array_size(nr, sizeof(struct vcrypt_slot)),
			      GFP_KERNEL, node);
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_slots_alloc);

/**
 * vcrypt_slots_free() - free key slots vcrypt_slots_wipe() emptied
 * @slots: the slots
 * @nr: how many
 */
void vcrypt_slots_free(struct vcrypt_slot *slots, u32 nr)
{
	/* empty already; kvfree_sensitive() wipes them once more anyway */
	kvfree_sensitive(slots, array_size(nr, sizeof(*slots)));
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_slots_free);

/**
 * vcrypt_key_len_ok() - whether a key's length suits an algorithm
 * @alg: enum vcrypt_alg, a keyed one
 * @len: bytes of the key
 *
 * Return: true if KEY_LOAD accepts it ("Algorithms"); in FIPS mode not an
 * HMAC key the kernel's HMAC would refuse at each request.
 */
bool vcrypt_key_len_ok(u8 alg, u32 len)
{
	switch (alg) {
	case VCRYPT_ALG_HMAC_SHA256:
		if (fips_enabled && len < VCRYPT_HMAC_FIPS_KEY_MIN)
			return false;
		return len <= VCRYPT_HMAC_KEY_MAX;
	case VCRYPT_ALG_AES_CBC:
	case VCRYPT_ALG_AES_CTR:
	case VCRYPT_ALG_AES_GCM:
		return len == VCRYPT_AES_KEY_128 || len == VCRYPT_AES_KEY_256;
	case VCRYPT_ALG_AES_XTS:
		return len == 2 * VCRYPT_AES_KEY_128 ||
		       len == 2 * VCRYPT_AES_KEY_256;
	case VCRYPT_ALG_SM4_CBC:
		return len == VCRYPT_SM4_KEY;
	default:
		return false;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_key_len_ok);

static void vcrypt_slot_wipe(struct vcrypt_device *vdev,
			     struct vcrypt_slot *slot)
{
	if (slot->alg != VCRYPT_ALG_NONE)
		atomic64_dec(&vdev->stats.slots_loaded);
	memzero_explicit(slot->key, sizeof(slot->key));
	slot->key_len = 0;
	slot->alg = VCRYPT_ALG_NONE;
	slot->gen++;
}

/**
 * vcrypt_slot_load() - KEY_LOAD: put a key in a slot
 * @vdev: the device (its count of loaded slots)
 * @slot: the slot
 * @alg: the key's algorithm
 * @key: the key, vcrypt_key_len_ok() for @alg
 * @len: its bytes
 *
 * What the slot held is wiped first; the slot gets a new generation.
 */
void vcrypt_slot_load(struct vcrypt_device *vdev, struct vcrypt_slot *slot,
		      u8 alg, const u8 *key, u32 len)
{
	vcrypt_slot_wipe(vdev, slot);
	memcpy(slot->key, key, len);
	slot->key_len = len;
	slot->alg = alg;
	atomic64_inc(&vdev->stats.slots_loaded);
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_slot_load);

/**
 * vcrypt_slot_clear() - KEY_CLEAR, or a failed KEY_LOAD: wipe a slot
 * @vdev: the device
 * @slot: the slot, left empty with a new generation
 */
void vcrypt_slot_clear(struct vcrypt_device *vdev, struct vcrypt_slot *slot)
{
	vcrypt_slot_wipe(vdev, slot);
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_slot_clear);

/**
 * vcrypt_slots_wipe() - wipe every slot of a queue
 * @vdev: the device
 * @slots: the queue's slots
 * @nr: how many
 *
 * The queue is released or its device removed; its generations go on, so
 * a context of the previous owner never matches a key of the next.
 */
void vcrypt_slots_wipe(struct vcrypt_device *vdev, struct vcrypt_slot *slots,
		       u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++)
		if (slots[i].alg != VCRYPT_ALG_NONE)
			vcrypt_slot_wipe(vdev, &slots[i]);
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_slots_wipe);

/**
 * vcrypt_slot_check() - whether a slot holds a usable key for a request
 * @slot: the request's slot
 * @job: the request (DIGEST of HMAC, ENCRYPT, DECRYPT)
 *
 * Return: VCRYPT_STS_OK, or VCRYPT_STS_BAD_KEY if the slot is empty, holds
 * a key of another algorithm, or (XTS ENCRYPT) two equal halves.
 */
u16 vcrypt_slot_check(const struct vcrypt_slot *slot,
		      const struct vcrypt_job *job)
{
	if (slot->alg == VCRYPT_ALG_NONE || slot->alg != job->alg)
		return VCRYPT_STS_BAD_KEY;
	/* the kernel makes this check only in FIPS mode; OpenSSL always */
	if (job->alg == VCRYPT_ALG_AES_XTS &&
	    job->opcode == VCRYPT_OP_ENCRYPT &&
	    !crypto_memneq(slot->key, slot->key + slot->key_len / 2,
			   slot->key_len / 2))
		return VCRYPT_STS_BAD_KEY;
	return VCRYPT_STS_OK;
}
EXPORT_SYMBOL_IF_KUNIT(vcrypt_slot_check);
