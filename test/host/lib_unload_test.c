// SPDX-License-Identifier: GPL-2.0
/*
 * libwarpdrive stays loaded once loaded (linked -z nodelete).  It holds
 * state for the process's life -- fork handlers, the SIGBUS guard's
 * handler, the shared queues, the software path's OpenSSL context -- that
 * a dlclose() would leave pointing into unmapped code.  OpenSSL
 * dlclose()s a provider when its last instance is unloaded, and
 * libwarpdrive.so.1, loaded for warpdrive.so, went with it.
 *
 * Usage: lib_unload_test MODULES_DIR   (the directory of warpdrive.so)
 *
 * Prints TAP; exits non-zero when a case failed.
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/provider.h>

#include "tap.h"

static bool loaded(void)
{
	void *h = dlopen("libwarpdrive.so.1", RTLD_NOW | RTLD_NOLOAD);

	if (h)
		dlclose(h);
	return h != NULL;
}

int main(int argc, char **argv)
{
	static const unsigned char abc_sha256[4] = { 0xba, 0x78, 0x16, 0xbf };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	OSSL_LIB_CTX *ctx;
	OSSL_PROVIDER *p;
	EVP_MD *sha;

	if (argc != 2) {
		tap_ok(0, "usage: lib_unload_test MODULES_DIR");
		return tap_done();
	}
	tap_ok(!loaded(), "libwarpdrive.so.1 is not loaded before the provider");
	ctx = OSSL_LIB_CTX_new();
	if (!ctx || !OSSL_PROVIDER_set_default_search_path(ctx, argv[1])) {
		tap_ok(0, "an OpenSSL library context");
		return tap_done();
	}
	p = OSSL_PROVIDER_load(ctx, "warpdrive");
	tap_ok(p && loaded(), "loading the provider from %s loads it", argv[1]);
	sha = EVP_MD_fetch(ctx, "SHA256", "provider=warpdrive");
	tap_ok(sha && EVP_Digest("abc", 3, md, &len, sha, NULL) && len == 32 &&
	       !memcmp(md, abc_sha256, sizeof(abc_sha256)),
	       "SHA-256 through the provider");
	EVP_MD_free(sha);
	tap_ok(p && OSSL_PROVIDER_unload(p), "the provider unloads");
	OSSL_LIB_CTX_free(ctx);
	tap_ok(loaded(), "libwarpdrive.so.1 stays loaded after it");
	return tap_done();
}
