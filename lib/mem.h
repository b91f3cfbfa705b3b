/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: the page allocator for the static shared region of a
 * device without SVA, first fit.  Thread-safe.  The sessions' lists of
 * buffers, and registered memory, are buf.h's.
 */
#ifndef WD_MEM_H
#define WD_MEM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct wd_mem;
struct wd_queue;

struct wd_mem *wd_mem_create(void *base, size_t size);
void wd_mem_destroy(struct wd_mem *m);

/*
 * Page-aligned; NULL when there is no run of free pages long enough.
 * @user: handed to the application (wd_buf_alloc()), not the library's.
 */
void *wd_mem_alloc(struct wd_mem *m, size_t size, bool user);
void wd_mem_free(struct wd_mem *m, void *p);

/* Does @p point into the region? */
bool wd_mem_owns(const struct wd_mem *m, const void *p);

/*
 * Is the page of @p part of a buffer handed to the application?  Reads
 * without the lock, for the SIGBUS handler: a page being freed or
 * allocated at that moment may be misjudged, which only decides whether
 * a fault in a dead region is masked.
 */
bool wd_mem_is_user(const struct wd_mem *m, const void *p);

#endif /* WD_MEM_H */
