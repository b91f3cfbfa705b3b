// SPDX-License-Identifier: GPL-2.0
/*
 * libwdz.so (run under LD_PRELOAD): a child forked while another thread
 * makes compress2()'s first session of a level must not inherit a lock
 * held across that session's opening, and its own compress2() at that
 * level must finish.  This program's pthread_mutex_init() (exported:
 * -rdynamic) sleeps in threads other than the main one while the window
 * is wanted, which holds the other thread inside wd_comp_open().  Under
 * plain zlib (no LD_PRELOAD) the case passes trivially.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "tap.h"

static atomic_int slow;
static pid_t main_tid;

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	static int (*real)(pthread_mutex_t *, const pthread_mutexattr_t *);

	if (!real)
		real = (int (*)(pthread_mutex_t *,
				const pthread_mutexattr_t *))
		       dlsym(RTLD_NEXT, "pthread_mutex_init");
	if (atomic_load(&slow) && gettid() != main_tid)
		usleep(500000);
	return real(m, a);
}

static unsigned char src[100000], dst[200000];

static void *other(void *arg)
{
	uLongf n = sizeof(dst);

	(void)arg;
	compress2(dst, &n, src, sizeof(src), 3);	/* first use of level 3 */
	return NULL;
}

int main(void)
{
	pthread_t t;
	int st = -1;
	pid_t pid;

	tap_plan(1);
	main_tid = gettid();
	atomic_store(&slow, 1);
	pthread_create(&t, NULL, other, NULL);
	usleep(150000);		/* the other thread is inside compress2() */
	pid = fork();
	if (pid == 0) {
		uLongf n = sizeof(dst);

		atomic_store(&slow, 0);
		alarm(10);
		_exit(compress2(dst, &n, src, sizeof(src), 3) == Z_OK ? 0 : 1);
	}
	if (pid > 0 && waitpid(pid, &st, 0) > 0 && WIFSIGNALED(st))
		printf("# child killed by %s: it hung in compress2()\n",
		       strsignal(WTERMSIG(st)));
	tap_ok(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "a child forked during another thread's first compress2() "
	       "of a level: its compress2() at that level works");
	atomic_store(&slow, 0);
	pthread_join(t, NULL);
	return tap_done();
}
