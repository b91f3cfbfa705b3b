// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: the sessions' buffer lists, and the registered memory in
 * them (buf.h).  Above queue.c: an entry ends with its queue reference.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"
#include "queue_priv.h"

void wd_buf_push(struct wd_buf **list, pthread_mutex_t *lock,
		 struct wd_buf *b)
{
	pthread_mutex_lock(lock);
	b->next = *list;
	*list = b;
	pthread_mutex_unlock(lock);
}

struct wd_buf *wd_buf_take(struct wd_buf **list, pthread_mutex_t *lock,
			   const void *p, bool reg_only)
{
	struct wd_buf **pp, *b = NULL;

	pthread_mutex_lock(lock);
	for (pp = list; *pp; pp = &(*pp)->next) {
		if ((*pp)->p == p) {
			/* an SS buffer is not unregistered: it stays */
			if (reg_only && !(*pp)->reg)
				break;
			b = *pp;
			*pp = b->next;
			break;
		}
	}
	pthread_mutex_unlock(lock);
	return b;
}

int wd_buf_reg_add(struct wd_buf **list, pthread_mutex_t *lock,
		   struct wd_queue *q, void *buf, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)buf & ~(page - 1);
	uintptr_t end;
	struct wd_buf *b;

	int err;

	/* its last page must end inside the address space */
	if (len > UINTPTR_MAX - (uintptr_t)buf - (page - 1)) {
		err = -EINVAL;
		goto drop;
	}
	end = ((uintptr_t)buf + len + page - 1) & ~(page - 1);
	/* the SS region is the device's memory: wd_buf_alloc() */
	if (!q->sva) {
		err = -EOPNOTSUPP;
		goto drop;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		err = -ENOMEM;
		goto drop;
	}
	b->p = buf;
	b->q = q;
	b->reg = true;
	b->region.addr = start;
	b->region.len = end - start;
	b->region.flags = WD_MEM_F_WRITE;
	if (ioctl(q->fd, WD_MEM_CMD_REGISTER, &b->region)) {
		err = -errno;
		free(b);
		goto drop;
	}
	wd_buf_push(list, lock, b);
	return 0;
drop:
	wd_queue_close(q);
	return err;
}

int wd_buf_reg_end(const struct wd_buf *b)
{
	if (wd_queue_stale(b->q))
		return 0;
	return ioctl(b->q->fd, WD_MEM_CMD_UNREGISTER, &b->region) ? -errno : 0;
}

int wd_buf_release(struct wd_buf *b)
{
	int ret = 0;

	if (b->reg)
		ret = wd_buf_reg_end(b);
	else
		wd_mem_free(b->q->mem, b->p);
	wd_queue_close(b->q);
	free(b);
	return ret;
}

int wd_buf_unregister_in(struct wd_buf **list, pthread_mutex_t *lock,
			 const void *buf)
{
	struct wd_buf *b = wd_buf_take(list, lock, buf, true);

	return b ? wd_buf_release(b) : -ENOENT;
}
