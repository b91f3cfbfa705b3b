// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwdz.so: compress*() and uncompress*(): whole buffers on the device
 * when the policy says so, else on the real zlib.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "shared.h"
#include "zshim.h"

/* ---- whole buffers ---- */

/*
 * One session per (direction, level) for compress() and uncompress(),
 * made on first use; sessions are thread-safe.  wd_comp_open() scans
 * sysfs and opens a queue: it runs under no lock, and threads that race
 * each open one; the first to publish it wins and the others close
 * theirs.  The application does not know these sessions, so no thread of
 * it can be kept out of them when another forks: their locks are held
 * across fork() (oneshot_fork_prepare()), and publish_lock keeps the
 * table as it is meanwhile.
 */
#define ONESHOT_NR	12
static struct wd_comp *oneshot_sessions[ONESHOT_NR];
static pthread_mutex_t publish_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t oneshot_fork_once = PTHREAD_ONCE_INIT;

/* The table, then each session's lock, as a request takes them */
static void oneshot_fork_prepare(void)
{
	int i;

	pthread_mutex_lock(&publish_lock);
	for (i = 0; i < ONESHOT_NR; i++)
		if (oneshot_sessions[i])
			wd_comp_fork_lock(oneshot_sessions[i], true);
}

static void oneshot_fork_done(void)
{
	int i;

	for (i = ONESHOT_NR - 1; i >= 0; i--)
		if (oneshot_sessions[i])
			wd_comp_fork_lock(oneshot_sessions[i], false);
	pthread_mutex_unlock(&publish_lock);
}

/*
 * A session's lock is taken before the library's (it opens queues under
 * it): these prepare handlers must run before the library's, so they are
 * registered after them.
 */
static void oneshot_fork_init(void)
{
	wd_shared_fork_init();
	pthread_atfork(oneshot_fork_prepare, oneshot_fork_done,
		       oneshot_fork_done);
}

/*
 * The session for compression at @level (-1 for the default), or
 * decompression (@level 10), in *@cp: 0, or wd_comp_open()'s error (under
 * policy hw, -ENODEV or -EBUSY when no queue of a device can be had).
 */
static int oneshot_session(int level, struct wd_comp **cp)
{
	struct wd_comp_params p = { .format = WD_FORMAT_ZLIB };
	struct wd_comp *c, *won;
	int i = level + 1, ret;

	c = __atomic_load_n(&oneshot_sessions[i], __ATOMIC_ACQUIRE);
	if (c) {
		*cp = c;
		return 0;
	}
	pthread_once(&oneshot_fork_once, oneshot_fork_init);
	p.level = level < 0 || level > 9 ? 0 : level;
	ret = wd_comp_open(&c, &p);
	if (ret) {
		*cp = c;
		return ret;
	}
	pthread_mutex_lock(&publish_lock);
	won = oneshot_sessions[i];
	if (!won)
		__atomic_store_n(&oneshot_sessions[i], c, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&publish_lock);
	if (won) {
		/* another thread's came first: use that one */
		wd_comp_close(c);
		c = won;
	}
	*cp = c;
	return 0;
}

/*
 * The device for a whole buffer when the policy says so: 1 if it did it,
 * 0 if the real zlib should (*@why says why), or a zlib error.  Whatever
 * the device cannot finish (no room: zlib's bound is tighter than the
 * device's; corrupt input, where zlib says how far it got) is done again
 * by the real zlib from the start, which gives zlib's answer.
 */
static int oneshot_hw(int level, bool comp, const Bytef *src, uLong *src_len,
		      Bytef *dst, uLongf *dst_len, enum wd_reason *why)
{
	size_t in = *src_len, out = *dst_len;
	struct wd_queue *q;
	struct wd_comp *c;
	int ret;

	/*
	 * level 0 (stored) and empty buffers: exactly as zlib does them,
	 * whatever the policy, device or not
	 */
	if ((comp && level == 0) || !in || !out) {
		*why = WD_REASON_UNSUPPORTED;
		atomic_fetch_add(&zfeat_count[comp && level == 0 ? ZF_LEVEL0 :
					      ZF_EMPTY], 1);
		return 0;
	}
	ret = oneshot_session(comp ? level : 10, &c);
	if (ret == -ENOMEM) {
		*why = WD_REASON_NO_MEMORY;
		return 0;
	}
	if (ret)
		return Z_STREAM_ERROR;	/* policy hw without a device */
	*why = WD_REASON_UNSUPPORTED;
	ret = wd_comp_route(c, comp ? WD_OP_COMPRESS : WD_OP_DECOMPRESS, in,
			    false, &q, why);
	if (ret == -EOPNOTSUPP) {
		atomic_fetch_add(&zfeat_count[ZF_REFUSED], 1);
		return 0;
	}
	if (ret)
		return Z_STREAM_ERROR;	/* policy hw without a device */
	if (!q)
		return 0;
	ret = wd_comp_hw_oneshot(c, q, comp ? WD_OP_COMPRESS :
				 WD_OP_DECOMPRESS, src, &in, dst, &out);
	wd_queue_close(q);
	if (!ret) {
		*src_len = in;
		*dst_len = out;
		return 1;
	}
	*why = wd_hw_retryable(ret) ? wd_hw_fail_reason(ret) :
	       WD_REASON_UNSUPPORTED;
	atomic_fetch_add(&zfeat_count[ret == -EBADMSG ? ZF_CORRUPT :
				      ret == -ENOSPC ? ZF_BOUND :
				      wd_hw_retryable(ret) ? ZF_LOST :
				      ZF_REFUSED], 1);
	return 0;
}

/*
 * The real zlib's compress2() and uncompress2().  Their deflateInit_()
 * and inflateInit_() come back here through the PLT; while zpass is set
 * (in this thread only) those give the caller the real zlib's own stream,
 * which is not ours, so every later call on it is passed on unchanged:
 * the answer is zlib's own.
 */
static int real_compress(Bytef *dest, uLongf *dest_len, const Bytef *source,
			 uLong source_len, int level)
{
	int ret;

	zpass = true;
	ret = CALL_REAL(Z_VERSION_ERROR, compress2, dest, dest_len, source,
			source_len, level);
	zpass = false;
	return ret;
}

WD_EXPORT int compress2(Bytef *dest, uLongf *dest_len, const Bytef *source,
			uLong source_len, int level)
{
	enum wd_reason why;
	uLong in = source_len;
	int ret;

	if (level == Z_DEFAULT_COMPRESSION)
		level = -1;
	if (level < -1 || level > 9 || !dest_len)
		return real_compress(dest, dest_len, source, source_len,
				     level);	/* zlib's answer */
	ret = oneshot_hw(level, true, source, &in, dest, dest_len, &why);
	if (ret)
		return ret > 0 ? Z_OK : ret;
	ret = real_compress(dest, dest_len, source, source_len, level);
	if (ret == Z_OK)
		wd_count_sw(NULL, why, source_len, *dest_len);
	return ret;
}

WD_EXPORT int compress(Bytef *dest, uLongf *dest_len, const Bytef *source,
		       uLong source_len)
{
	return compress2(dest, dest_len, source, source_len,
			 Z_DEFAULT_COMPRESSION);
}

/* zlib's: compress() in that much room always works (oneshot_hw()) */
WD_EXPORT uLong compressBound(uLong source_len)
{
	return CALL_REAL(source_len + (source_len >> 12) + (source_len >> 14) +
			 (source_len >> 25) + 13, compressBound, source_len);
}

static int real_uncompress(Bytef *dest, uLongf *dest_len, const Bytef *source,
			   uLong *source_len)
{
	int ret;

	zpass = true;
	ret = CALL_REAL(Z_VERSION_ERROR, uncompress2, dest, dest_len, source,
			source_len);
	zpass = false;
	return ret;
}

WD_EXPORT int uncompress2(Bytef *dest, uLongf *dest_len, const Bytef *source,
			  uLong *source_len)
{
	enum wd_reason why;
	uLong in;
	int ret;

	if (!dest_len || !source_len)
		return Z_STREAM_ERROR;
	in = *source_len;
	ret = oneshot_hw(10, false, source, &in, dest, dest_len, &why);
	if (ret > 0) {
		*source_len = in;
		return Z_OK;
	}
	if (ret)
		return ret;
	ret = real_uncompress(dest, dest_len, source, source_len);
	if (ret == Z_OK)
		wd_count_sw(NULL, why, *source_len, *dest_len);
	return ret;
}

WD_EXPORT int uncompress(Bytef *dest, uLongf *dest_len, const Bytef *source,
			 uLong source_len)
{
	return uncompress2(dest, dest_len, source, &source_len);
}
