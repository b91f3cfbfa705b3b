// SPDX-License-Identifier: GPL-2.0
/*
 * libwarpdrive at its edges, on the software path (no device needed; on a
 * machine with one the same must hold):
 *
 *  - wd_buf_alloc() of a size whose whole pages overflow a size_t: NULL,
 *    not a small buffer
 *  - the crypto software path leaves the calling thread's OpenSSL error
 *    queue as it found it: a GCM tag that does not match, a failed EVP
 *    call and the first request of the process drop only the errors the
 *    library's own calls raised (ERR_set_mark()/ERR_pop_to_mark())
 *  - wd_crypto_poll() that times out after taking completions off the
 *    list reports them (its count), rather than -ETIMEDOUT with the
 *    requests in @done and never reported again
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <warpdrive/warpdrive.h>
#include "tap.h"

#define CASES	5

static void buf_cases(void)
{
	struct wd_comp_params p = { .policy = WD_POLICY_SW };
	struct wd_comp *c = NULL;
	void *a, *b;

	if (!tap_ok(!wd_comp_open(&c, &p), "open a software session")) {
		tap_skip("no session", "wd_buf_alloc(SIZE_MAX - 100)");
		return;
	}
	a = wd_buf_alloc(c, SIZE_MAX - 100);
	b = wd_buf_alloc(c, SIZE_MAX);
	tap_ok(!a && !b, "wd_buf_alloc() of SIZE_MAX - 100 and SIZE_MAX: "
	       "NULL (%p, %p)", a, b);
	wd_buf_free(c, a);
	wd_buf_free(c, b);
	wd_comp_close(c);
}

/* The application's own error, as its code would raise it. */
#define APP_REASON	42

static int app_error_kept(void)
{
	unsigned long e = ERR_peek_last_error();

	return ERR_GET_LIB(e) == ERR_LIB_USER &&
	       ERR_GET_REASON(e) == APP_REASON;
}

static void errq_cases(void)
{
	static const unsigned char key[16] = { 1 }, iv[12] = { 2 };
	struct wd_crypto_params p = {
		.alg = WD_CRYPTO_AES_GCM, .key = key, .key_len = sizeof(key),
		.policy = WD_POLICY_SW,
	};
	unsigned char pt[32] = { 3 }, ct[32], tag[16], out[32];
	struct wd_crypto *s = NULL;
	int ret, kept;

	ERR_clear_error();
	ERR_raise(ERR_LIB_USER, APP_REASON);
	/* the process's first crypto request: the software path's setup */
	ret = wd_crypto_open(&s, &p);
	if (!ret)
		ret = wd_aead(s, WD_ENCRYPT, iv, sizeof(iv), NULL, 0, pt,
			      sizeof(pt), ct, tag, sizeof(tag));
	tap_ok(!ret && app_error_kept(),
	       "the first GCM request keeps the caller's OpenSSL error "
	       "(%d)", ret);
	ERR_clear_error();
	ERR_raise(ERR_LIB_USER, APP_REASON);
	tag[0] ^= 1;
	ret = s ? wd_aead(s, WD_DECRYPT, iv, sizeof(iv), NULL, 0, ct,
			  sizeof(ct), out, tag, sizeof(tag)) : -EINVAL;
	kept = app_error_kept();
	tap_ok(ret == -EBADMSG && kept,
	       "a GCM tag that does not match: -EBADMSG (%d), the caller's "
	       "OpenSSL error kept", ret);
	ERR_clear_error();
	wd_crypto_close(s);
}

static struct wd_crypto *ps;
static struct wd_crypto_req r1, r2;
static atomic_int started;

static void *submitter(void *arg)
{
	struct wd_crypto_req *a = &r1, *b = &r2;

	(void)arg;
	wd_crypto_submit(ps, &a, 1);	/* software: complete at once */
	atomic_store(&started, 1);
	wd_crypto_submit(ps, &b, 1);	/* a long one, running here */
	return NULL;
}

static void poll_cases(void)
{
	struct wd_crypto_params p = {
		.alg = WD_CRYPTO_SHA256, .policy = WD_POLICY_SW,
	};
	struct wd_crypto_req *done[2] = { NULL, NULL };
	static unsigned char md1[32], md2[32];
	size_t n = 128u << 20;
	unsigned char *big = calloc(1, n);
	int ret, ret2 = 0, seen = 0;
	pthread_t t;

	if (!big || wd_crypto_open(&ps, &p)) {
		tap_ok(0, "wd_crypto_poll() timeout: no memory or session");
		free(big);
		return;
	}
	r1 = (struct wd_crypto_req){ .src = "abc", .src_len = 3, .dst = md1,
				     .dst_len = 32 };
	r2 = (struct wd_crypto_req){ .src = big, .src_len = n, .dst = md2,
				     .dst_len = 32 };
	pthread_create(&t, NULL, submitter, NULL);
	while (!atomic_load(&started))
		usleep(1000);
	/* 128 MiB of SHA-256 takes longer than 10 ms */
	ret = wd_crypto_poll(ps, done, 2, 2, 10);
	if (ret > 0)
		seen += ret;
	pthread_join(t, NULL);
	done[0] = done[1] = NULL;
	while (seen < 2 && (ret2 = wd_crypto_poll(ps, done, 2, 0, 0)) > 0)
		seen += ret2;
	if (ret == 2)
		tap_ok(0, "wd_crypto_poll() timeout: not tested, 128 MiB of "
		       "SHA-256 took less than 10 ms");
	else
		tap_ok(ret == 1 && seen == 2,
		       "wd_crypto_poll() timing out after one of two: 1 (%d), "
		       "both reported once (%d)", ret, seen);
	wd_crypto_close(ps);
	free(big);
}

int main(void)
{
	tap_plan(CASES);
	buf_cases();
	errq_cases();
	poll_cases();
	return tap_done();
}
