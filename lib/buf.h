/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: the list of buffers a session keeps, compression's
 * (session.c) and crypto's (crypto_dev.c) alike: pages of a queue's static
 * shared region (mem.h) handed to the application, and, with SVA,
 * registered memory (wd_engine's WD_MEM_CMD_*).  Each entry holds a
 * reference to its queue.  Thread-safe under the session's lock.
 */
#ifndef WD_BUF_H
#define WD_BUF_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <misc/uacce/wd_mem.h>

struct wd_queue;

/**
 * struct wd_buf - a buffer of a session's list: from a static shared
 * region, or registered memory
 * @p: the buffer
 * @q: its queue (a reference: the region must outlive the buffer, the
 *     registration is the queue's); the list's owner drops it
 * @next: next in the session's list
 * @reg: registered memory (WD_MEM_CMD_REGISTER on @q), not SS memory
 * @region: with @reg: the pages registered, around @p
 */
struct wd_buf {
	void *p;
	struct wd_queue *q;
	struct wd_buf *next;
	bool reg;
	struct wd_mem_region region;
};

/* Puts @b at the head of the session's list @list, under @lock. */
void wd_buf_push(struct wd_buf **list, pthread_mutex_t *lock,
		 struct wd_buf *b);

/*
 * Takes the entry of @p out of @list, under @lock; NULL if it has none,
 * or with @reg_only if its entry is not registered memory (it stays).
 */
struct wd_buf *wd_buf_take(struct wd_buf **list, pthread_mutex_t *lock,
			   const void *p, bool reg_only);

/* The -EINVAL of wd_buf_register() and wd_crypto_buf_register(). */
static inline bool wd_buf_range_bad(const void *buf, size_t len)
{
	return !buf || !len || (uintptr_t)buf + len < (uintptr_t)buf;
}

/*
 * wd_buf_reg_add() - registers the pages around @buf (@len bytes, checked
 * by the caller: wd_buf_range_bad()) on @q, writable, and lists them in
 * @list under @lock.  Takes the caller's reference to @q: the entry keeps
 * it, or it is dropped on failure.
 *
 * Return: 0; -EOPNOTSUPP: @q has no SVA (its SS region is the device's
 * memory); -ENOMEM; or the ioctl's -EEXIST, -ENOSPC, -ENOMEM, -EFAULT.
 */
int wd_buf_reg_add(struct wd_buf **list, pthread_mutex_t *lock,
		   struct wd_queue *q, void *buf, size_t len);

/*
 * wd_buf_reg_end() - ends @b's registration if it is still this
 * process's: a forked child's inheritance names the parent's queue, whose
 * file the child closed, and is only forgotten.  @b stays the caller's to
 * free, with its queue reference.  0 or -errno.
 */
int wd_buf_reg_end(const struct wd_buf *b);

/*
 * wd_buf_release() - ends @b: its registration (wd_buf_reg_end()) or its
 * pages of the SS region, then its queue reference and the entry itself;
 * a registered buffer's own memory stays the caller's.  Returns
 * wd_buf_reg_end()'s result, or 0.
 */
int wd_buf_release(struct wd_buf *b);

/*
 * wd_buf_unregister_in() - takes @buf's registered entry out of @list
 * (under @lock) and releases it: the body of wd_buf_unregister() and
 * wd_crypto_buf_unregister().  -ENOENT when @buf has none.
 */
int wd_buf_unregister_in(struct wd_buf **list, pthread_mutex_t *lock,
			 const void *buf);

#endif /* WD_BUF_H */
