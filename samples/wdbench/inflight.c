// SPDX-License-Identifier: GPL-2.0
/*
 * wdbench: async mode, w->depth requests kept in flight for the whole
 * measurement, whatever the requests are: compression's struct wd_req
 * (device.c) or crypto's struct wd_crypto_req (crypto.c) reach this loop
 * as untyped pointers, and struct inflight_ops turns them back into calls
 * of the library.  No latency percentiles here (a request's time in a
 * queue of @depth is not its latency).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wdbench.h"

/*
 * Keeps @w->depth requests of @ops in flight until @w->seconds have
 * passed, then lets the last ones finish; @r gets the requests, bytes,
 * wall and CPU time and, with @w->engines, what the device's engines did.
 */
void run_inflight(const struct work *w, const struct inflight_ops *ops,
		  void *ctx, struct result *r)
{
	unsigned int depth = w->depth ? w->depth : 1, nfree = depth;
	unsigned int inflight = 0;
	void **free_reqs = calloc(depth, sizeof(*free_reqs));
	struct engines e0, e1;
	double t0, c0, end;

	if (!free_reqs) {
		snprintf(r->note, sizeof(r->note), "out of memory");
		goto out;
	}
	for (unsigned int i = 0; i < depth; i++)
		free_reqs[i] = ops->req(ctx, i);
	if (w->engines)
		engines_sample(w, &e0);
	c0 = cpu_s(false);
	t0 = now_s();
	end = t0 + w->seconds;
	for (;;) {
		int n;

		if (now_s() < end && nfree) {
			n = ops->submit(ctx, free_reqs, nfree);
			/* the device's memory full for now: wait for some */
			if (n == -ENOMEM && inflight)
				n = 0;
			if (n < 0) {
				snprintf(r->note, sizeof(r->note), "submit: %s",
					 wd_strerror(n));
				goto out;
			}
			/* the accepted ones were the first n */
			memmove(free_reqs, free_reqs + n,
				(nfree - (unsigned int)n) * sizeof(*free_reqs));
			nfree -= (unsigned int)n;
			inflight += (unsigned int)n;
		}
		if (!inflight)
			break;
		n = ops->poll(ctx, depth);
		if (n < 0) {
			snprintf(r->note, sizeof(r->note), "poll: %s",
				 wd_strerror(n));
			goto out;
		}
		/* returned, whatever their status */
		inflight -= (unsigned int)n;
		for (int i = 0; i < n; i++) {
			size_t produced;
			int status;
			void *req = ops->complete(ctx, i, &status, &produced);

			if (status) {
				snprintf(r->note, sizeof(r->note),
					 "request failed: %s",
					 wd_strerror(status));
				goto out;
			}
			r->ops++;
			r->bytes += w->op == OP_NOP ? 0 : w->size;
			r->out_bytes += produced;
			free_reqs[nfree++] = req;
		}
	}
	r->secs = now_s() - t0;
	r->cpu = cpu_s(false) - c0;
	if (w->engines) {
		engines_sample(w, &e1);
		engines_delta(&r->eng, &e0, &e1);
	}
	r->ok = true;
out:
	/* what is still in flight finishes before the buffers go */
	while (inflight) {
		int n = ops->poll(ctx, depth);

		if (n <= 0)
			break;
		inflight -= (unsigned int)n;
	}
	free(free_reqs);
}
