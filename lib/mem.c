// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: page allocator for the static shared region.  The region
 * is small (a few MiB), so a byte per page and a linear first-fit scan
 * are enough: run[i] is the length of the allocation starting at page i,
 * and used[] marks the pages inside allocations: PAGE_LIB or PAGE_USER.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "mem.h"

enum { PAGE_FREE, PAGE_LIB, PAGE_USER };

/**
 * struct wd_mem - the allocator
 * @base: start of the region
 * @pages: its size in pages
 * @page: page size
 * @lock: protects @run and @used
 * @run: pages of the allocation starting at each page, 0 if none starts
 * @used: PAGE_* of each page
 */
struct wd_mem {
	char *base;
	size_t pages;
	size_t page;
	pthread_mutex_t lock;
	size_t *run;
	unsigned char *used;
};

struct wd_mem *wd_mem_create(void *base, size_t size)
{
	struct wd_mem *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->base = base;
	m->page = (size_t)sysconf(_SC_PAGESIZE);
	m->pages = size / m->page;
	m->run = calloc(m->pages ? m->pages : 1, sizeof(*m->run));
	m->used = calloc(m->pages ? m->pages : 1, 1);
	if (!m->run || !m->used) {
		wd_mem_destroy(m);
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void wd_mem_destroy(struct wd_mem *m)
{
	if (!m)
		return;
	free(m->run);
	free(m->used);
	free(m);
}

void *wd_mem_alloc(struct wd_mem *m, size_t size, bool user)
{
	size_t want = (size + m->page - 1) / m->page, start = 0, len = 0;
	void *p = NULL;

	if (!size || want > m->pages)
		return NULL;
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->pages; i++) {
		if (m->used[i]) {
			len = 0;
			continue;
		}
		if (!len)
			start = i;
		if (++len == want) {
			for (size_t j = start; j < start + want; j++)
				m->used[j] = user ? PAGE_USER : PAGE_LIB;
			m->run[start] = want;
			p = m->base + start * m->page;
			break;
		}
	}
	pthread_mutex_unlock(&m->lock);
	return p;
}

bool wd_mem_owns(const struct wd_mem *m, const void *p)
{
	uintptr_t a = (uintptr_t)p, b;

	if (!m)
		return false;
	b = (uintptr_t)m->base;
	return a >= b && a < b + m->pages * m->page;
}

void wd_mem_free(struct wd_mem *m, void *p)
{
	size_t i;

	if (!p || !wd_mem_owns(m, p))
		return;
	i = (size_t)((char *)p - m->base) / m->page;
	pthread_mutex_lock(&m->lock);
	for (size_t j = i; j < i + m->run[i]; j++)
		m->used[j] = PAGE_FREE;
	m->run[i] = 0;
	pthread_mutex_unlock(&m->lock);
}

bool wd_mem_is_user(const struct wd_mem *m, const void *p)
{
	if (!wd_mem_owns(m, p))
		return false;
	return __atomic_load_n(&m->used[(size_t)((const char *)p - m->base) /
					m->page], __ATOMIC_RELAXED) ==
	       PAGE_USER;
}
