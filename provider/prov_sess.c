// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * warpdrive.so: libwarpdrive sessions shared between an operation's
 * context and its copies (EVP_MD_CTX_copy(), EVP_CIPHER_CTX_copy(),
 * EVP_MAC_CTX_dup()), counted: the last context to let go closes it,
 * and the library wipes its key then.  A session may serve several
 * threads at once; each context's stream is its own.
 */
#include <stdlib.h>

#include "prov.h"

int wd_prov_sess_open(const struct wd_prov *p, struct wd_prov_sess **sp,
		      int alg, const void *key, size_t key_len)
{
	struct wd_crypto_params params = {
		.alg = alg, .key = key, .key_len = key_len,
	};
	struct wd_prov_sess *ss = calloc(1, sizeof(*ss));
	int ret;

	*sp = NULL;
	if (!ss)
		return 0;
	ret = wd_crypto_open(&ss->s, &params);
	if (ret) {
		WD_PROV_LIBERR(p, "wd_crypto_open", ret);
		free(ss);
		return 0;
	}
	atomic_init(&ss->ref, 1);
	*sp = ss;
	return 1;
}

struct wd_prov_sess *wd_prov_sess_get(struct wd_prov_sess *ss)
{
	if (ss)
		atomic_fetch_add_explicit(&ss->ref, 1, memory_order_relaxed);
	return ss;
}

void wd_prov_sess_put(struct wd_prov_sess *ss)
{
	if (!ss || atomic_fetch_sub_explicit(&ss->ref, 1,
					     memory_order_acq_rel) != 1)
		return;
	wd_crypto_close(ss->s);
	free(ss);
}
