// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wd_engine: sealing of what the device keeps in user memory.
 *
 * A stream context is memory the application owns, which the device reads
 * at the start of a request and writes back at its end.  Each class seals
 * what it must trust there (a header, a saved state) with a SipHash-2-4 tag
 * under a key of its own, drawn when its module loads, so that everything
 * the device acts on was written by the device.  The tag is a field of the
 * sealed bytes, zero while they are hashed.  What the bytes mean is the
 * class's.
 */
#include <linux/module.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/string.h>
#include <linux/wd_engine.h>

/**
 * wd_seal_key_init() - draw a sealing key
 * @key: the class's key, read-only afterwards
 *
 * Called once, when the class's module loads: a context sealed before
 * that is refused.
 */
void wd_seal_key_init(siphash_key_t *key)
{
	get_random_bytes(key, sizeof(*key));
}
EXPORT_SYMBOL_GPL(wd_seal_key_init);

/**
 * wd_seal() - the tag of sealed bytes
 * @key: the class's key (wd_seal_key_init())
 * @data: the bytes, a header holding the tag field and what follows it
 * @len: bytes of @data
 * @tag_offset: offset in @data of the tag field, a __le64 inside @len
 *
 * The tag field is set to zero, then the bytes are hashed.  The caller
 * stores the result in the field (cpu_to_le64()) to seal, or compares it
 * with the field's value, read before, to check.
 *
 * Return: SipHash-2-4 of @data, its tag field zero.
 */
u64 wd_seal(const siphash_key_t *key, void *data, size_t len,
	    size_t tag_offset)
{
	memset(data + tag_offset, 0, sizeof(__le64));
	return siphash(data, len, key);
}
EXPORT_SYMBOL_GPL(wd_seal);
