// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * warpdrive.so: errors, raised through the core's error functions (so
 * they land in the application's libcrypto error queue with this
 * provider's name), never printed.  Keys never appear in them.
 */
#include <stdarg.h>
#include <stdio.h>

#include <openssl/crypto.h>

#include "prov.h"

const OSSL_ITEM wd_prov_reason_strings[] = {
	{ WD_PROV_R_LIBRARY, "libwarpdrive error" },
	{ WD_PROV_R_KEY_LENGTH, "invalid key length" },
	{ WD_PROV_R_IV_LENGTH, "invalid iv length" },
	{ WD_PROV_R_NO_KEY, "no key set" },
	{ WD_PROV_R_BLOCK_LENGTH, "data not a multiple of the block length" },
	{ WD_PROV_R_BAD_DECRYPT, "bad decrypt" },
	{ WD_PROV_R_OUTPUT_SIZE, "output buffer too small" },
	{ WD_PROV_R_TAG, "invalid tag" },
	{ WD_PROV_R_ONE_MESSAGE,
	  "AES-GCM takes one data update per message" },
	{ WD_PROV_R_NOT_COPYABLE, "context cannot be copied mid-stream" },
	{ WD_PROV_R_PARAM, "unsupported parameter" },
	{ WD_PROV_R_DIGEST, "HMAC digest not supported" },
	{ 0, NULL },
};

void wd_prov_err(const struct wd_prov *p, int reason, const char *file,
		 int line, const char *func, const char *fmt, ...)
{
	va_list ap;

	if (!p || !p->new_error || !p->vset_error)
		return;
	p->new_error(p->handle);
	if (p->set_error_debug)
		p->set_error_debug(p->handle, file, line, func);
	va_start(ap, fmt);
	p->vset_error(p->handle, reason, fmt, ap);
	va_end(ap);
}

void wd_prov_wipe(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}
