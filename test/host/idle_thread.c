// SPDX-License-Identifier: GPL-2.0
/*
 * An LD_PRELOAD library for tests: a thread made by pthread_create() does
 * not run its start routine; it waits, never answering, until
 * pthread_join() cancels it.  wdbench's spinning floors (pingpong, ring,
 * phase: samples/wdbench/pingpong.c) wait for such a thread's answer, and
 * under this library it never comes: the measurement must end on its
 * bounded wait, with its reason, not hang (test/host/wdbench_test.sh).
 * Only for programs whose threads are all joined.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

typedef int create_fn(pthread_t *t, const pthread_attr_t *attr,
		      void *(*fn)(void *), void *arg);
typedef int join_fn(pthread_t t, void **ret);

/* The next definition of @name: without it this library cannot work. */
static void *real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f)
		abort();
	return f;
}

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();	/* a cancellation point */
	return NULL;
}

int pthread_create(pthread_t *t, const pthread_attr_t *attr,
		   void *(*fn)(void *), void *arg)
{
	create_fn *create;

	(void)fn;
	(void)arg;
	*(void **)&create = real("pthread_create");
	return create(t, attr, idle, NULL);
}

int pthread_join(pthread_t t, void **ret)
{
	join_fn *join;

	*(void **)&join = real("pthread_join");
	pthread_cancel(t);
	return join(t, ret);
}
