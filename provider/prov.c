// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * warpdrive.so: the provider's entry point.  OpenSSL calls
 * OSSL_provider_init() once per library context that loads the module
 * (`-provider warpdrive`, OSSL_PROVIDER_load(), or an openssl.cnf that
 * activates it); each call gets its own struct wd_prov, freed by
 * teardown.  The algorithms are offered with the property
 * "provider=warpdrive".
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "prov.h"

#ifndef WD_PROV_VERSION
#define WD_PROV_VERSION "unknown"
#endif

static const OSSL_PARAM prov_param_types[] = {
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_NAME, OSSL_PARAM_UTF8_PTR, NULL, 0),
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_VERSION, OSSL_PARAM_UTF8_PTR, NULL, 0),
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_BUILDINFO, OSSL_PARAM_UTF8_PTR, NULL,
			0),
	OSSL_PARAM_DEFN(OSSL_PROV_PARAM_STATUS, OSSL_PARAM_INTEGER, NULL, 0),
	OSSL_PARAM_END
};

static const OSSL_PARAM *prov_gettable_params(void *provctx)
{
	return prov_param_types;
}

static int prov_get_params(void *provctx, OSSL_PARAM params[])
{
	OSSL_PARAM *p;

	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
	if (p && !OSSL_PARAM_set_utf8_ptr(p, "WarpDrive provider"))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION);
	if (p && !OSSL_PARAM_set_utf8_ptr(p, WD_PROV_VERSION))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO);
	if (p && !OSSL_PARAM_set_utf8_ptr(p, "libwarpdrive " WD_PROV_VERSION))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
	if (p && !OSSL_PARAM_set_int(p, 1))
		return 0;
	return 1;
}

static const OSSL_ALGORITHM *prov_query(void *provctx, int operation_id,
					int *no_cache)
{
	*no_cache = 0;
	switch (operation_id) {
	case OSSL_OP_DIGEST:
		return wd_prov_digests;
	case OSSL_OP_CIPHER:
		return wd_prov_ciphers;
	case OSSL_OP_MAC:
		return wd_prov_macs;
	default:
		return NULL;
	}
}

static const OSSL_ITEM *prov_reason_strings(void *provctx)
{
	return wd_prov_reason_strings;
}

static void prov_teardown(void *provctx)
{
	struct wd_prov *p = provctx;

	wd_prov_other_free(p);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static const OSSL_DISPATCH prov_dispatch[] = {
	{ OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))prov_teardown },
	{ OSSL_FUNC_PROVIDER_GETTABLE_PARAMS,
	  (void (*)(void))prov_gettable_params },
	{ OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))prov_get_params },
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))prov_query },
	{ OSSL_FUNC_PROVIDER_GET_REASON_STRINGS,
	  (void (*)(void))prov_reason_strings },
	{ 0, NULL }
};

/* the one symbol the module exports (warpdrive.map) */
__attribute__((visibility("default"))) OSSL_provider_init_fn OSSL_provider_init;

__attribute__((visibility("default")))
int OSSL_provider_init(const OSSL_CORE_HANDLE *handle,
		       const OSSL_DISPATCH *in, const OSSL_DISPATCH **out,
		       void **provctx)
{
	struct wd_prov *p = calloc(1, sizeof(*p));

	if (!p)
		return 0;
	p->handle = handle;
	pthread_mutex_init(&p->lock, NULL);
	for (; in->function_id; in++) {
		switch (in->function_id) {
		case OSSL_FUNC_CORE_NEW_ERROR:
			p->new_error = OSSL_FUNC_core_new_error(in);
			break;
		case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
			p->set_error_debug = OSSL_FUNC_core_set_error_debug(in);
			break;
		case OSSL_FUNC_CORE_VSET_ERROR:
			p->vset_error = OSSL_FUNC_core_vset_error(in);
			break;
		default:
			break;
		}
	}
	*provctx = p;
	*out = prov_dispatch;
	return 1;
}
