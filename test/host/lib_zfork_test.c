// SPDX-License-Identifier: GPL-2.0
/*
 * libwdz.so (run under LD_PRELOAD): a child forked while another thread is
 * inside compress2() must not inherit a lock of the library taken, and its
 * own compress2() at that level must finish.  Two moments:
 *  - the other thread makes the first session of a level: this program's
 *    pthread_mutex_init() (exported: -rdynamic) sleeps in threads other
 *    than the main one while the window is wanted, which holds the other
 *    thread inside wd_comp_open();
 *  - the session exists, and the other thread holds its lock, looking for
 *    a queue: this program's clock_gettime() sleeps likewise, and the
 *    library reads the clock under that lock (when it may look for a
 *    queue again).  The library holds these sessions' locks across fork()
 *    (they are its own, which the application cannot keep its threads out
 *    of); without that the child's compress2() waited for ever.
 * Under plain zlib (no LD_PRELOAD), or policy sw, the cases pass
 * trivially.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "tap.h"

static atomic_int slow, slow_clock;
static pid_t main_tid;

int clock_gettime(clockid_t id, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);

	if (!real)
		real = (int (*)(clockid_t, struct timespec *))
		       dlsym(RTLD_NEXT, "clock_gettime");
	if (atomic_load(&slow_clock) && gettid() != main_tid)
		usleep(300000);
	return real(id, ts);
}

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

/*
 * Forks while the other thread is inside compress2() (after @settle_us),
 * with *@flag making it slow there until the child runs; the child's
 * compress2() at level 3 must finish.
 */
static void fork_during(atomic_int *flag, unsigned int settle_us,
			const char *what)
{
	pthread_t t;
	int st = -1;
	pid_t pid;

	atomic_store(flag, 1);
	pthread_create(&t, NULL, other, NULL);
	usleep(settle_us);	/* the other thread is inside compress2() */
	pid = fork();
	if (pid == 0) {
		uLongf n = sizeof(dst);

		atomic_store(flag, 0);
		alarm(10);
		_exit(compress2(dst, &n, src, sizeof(src), 3) == Z_OK ? 0 : 1);
	}
	if (pid > 0 && waitpid(pid, &st, 0) > 0 && WIFSIGNALED(st))
		printf("# child killed by %s: it hung in compress2()\n",
		       strsignal(WTERMSIG(st)));
	tap_ok(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "a child forked during another thread's compress2() (%s): its compress2() at that level works",
	       what);
	atomic_store(flag, 0);
	pthread_join(t, NULL);
}

int main(void)
{
	tap_plan(2);
	main_tid = gettid();
	fork_during(&slow, 150000, "the first of its level");
	/* the session is made: the other thread waits under its lock now */
	fork_during(&slow_clock, 150000, "holding the session's lock");
	return tap_done();
}
