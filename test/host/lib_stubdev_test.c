// SPDX-License-Identifier: GPL-2.0
/*
 * libwarpdrive's fork handling with a stand-in device (lib_stubdev.c in
 * place of ring.c and device.c; every other object of the library is the
 * real one, linked in): what needs a device to happen, on a host.
 *
 *  - a crypto stream on a device without SVA keeps its context in the
 *    queue's SS region, which a forked child does not have:
 *    wd_crypto_stream_close() in the child must not touch it, and
 *    wd_crypto_stream_dup() must refuse with -ECHILD, not copy from it
 *  - fork() while another thread opens the first shared queue of a class
 *    (it holds the shared queues' lock and then takes the open queues'
 *    list's): the fork handlers must take the library's locks in the same
 *    order, or the process hangs
 *  - with a queue open, the library's SIGBUS handler is installed: a
 *    SIGBUS sent to the process (kill()) must still kill it, as it would
 *    without the library
 *  - the name wd_comp_device() returned stays valid after the session
 *    has let its queue go (in a forked child) for one on another device
 *  - fork() while another thread opens and closes queues: no child holds
 *    a queue's file (one opened and not yet listed for the fork handlers,
 *    or unlisted and not yet closed, would stay open in the child and keep
 *    the parent's hardware queue for the child's life)
 *
 * Each case runs in a child of its own under alarm(): a crash or a hang
 * fails that case only.
 */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <warpdrive/warpdrive.h>
#include "shared.h"
#include "lib_stubdev.h"
#include "tap.h"

#define CASES	8

static struct wd_crypto_stream *open_stream(struct wd_crypto **sp)
{
	struct wd_crypto_params p = {
		.alg = WD_CRYPTO_SHA256, .policy = WD_POLICY_HW,
	};
	struct wd_crypto_stream *st;
	enum wd_reason why;

	if (wd_crypto_open(sp, &p) ||
	    wd_crypto_stream_open(&st, *sp, WD_ENCRYPT, NULL, 0))
		return NULL;
	if (wd_crypto_stream_path(st, &why) != WD_PATH_HW) {
		wd_crypto_stream_close(st);
		return NULL;
	}
	return st;
}

/* A child that runs @fn(@st); its exit status, or 128 + the signal. */
static int in_child(int (*fn)(struct wd_crypto_stream *),
		    struct wd_crypto_stream *st)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		alarm(10);
		_exit(fn(st));
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	if (WIFSIGNALED(status)) {
		printf("# child killed by %s\n", strsignal(WTERMSIG(status)));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

static int child_close(struct wd_crypto_stream *st)
{
	wd_crypto_stream_close(st);
	return 0;
}

static int child_dup(struct wd_crypto_stream *st)
{
	struct wd_crypto_stream *d = (void *)1;
	int ret = wd_crypto_stream_dup(&d, st);

	if (ret != -ECHILD || d) {
		printf("# dup in the child: %d, want -ECHILD\n", ret);
		return 1;
	}
	wd_crypto_stream_close(st);
	return 0;
}

static void stream_cases(void)
{
	struct wd_crypto_stream *st, *d = NULL;
	struct wd_crypto *s = NULL;

	stub_sva = false;
	st = open_stream(&s);
	if (!tap_ok(st != NULL, "a SHA-256 stream on the device (no SVA)")) {
		tap_skip("no stream", "child closes the parent's stream");
		tap_skip("no stream", "child's dup of the parent's stream");
		tap_skip("no stream", "parent's stream goes on");
		return;
	}
	tap_ok(in_child(child_close, st) == 0,
	       "a forked child closes the parent's stream (context in the "
	       "SS region it does not have)");
	tap_ok(in_child(child_dup, st) == 0,
	       "a forked child's wd_crypto_stream_dup() of it: -ECHILD");
	tap_ok(wd_crypto_stream_dup(&d, st) == 0 && d,
	       "the parent still copies and closes it");
	wd_crypto_stream_close(d);
	wd_crypto_stream_close(st);
	wd_crypto_close(s);
}

static void *first_crypto_queue(void *arg)
{
	enum wd_reason why;
	struct wd_queue *q = wd_shared_queue(&wd_vcrypt_ring, &why);

	wd_queue_close(q);
	return NULL;
}

/*
 * Child mode: compression's shared queue first (the handlers registered
 * in that order), then a thread opens crypto's, slowly, while this one
 * forks.  Exits 0 unless it hangs (alarm) or fails.
 */
static int fork_vs_open(void)
{
	enum wd_reason why;
	struct wd_queue *q;
	pthread_t t;
	int status;
	pid_t pid;

	alarm(10);
	stub_sva = true;
	q = wd_shared_queue(&wd_vzip_ring, &why);
	if (!q)
		return 2;
	wd_queue_close(q);
	stub_slow = &wd_vcrypt_ring;
	stub_slow_ms = 500;
	if (pthread_create(&t, NULL, first_crypto_queue, NULL))
		return 3;
	usleep(150000);	/* it holds the shared queues' lock, scanning */
	pid = fork();
	if (pid == 0) {
		/* and the child can open queues of its own */
		stub_slow_ms = 0;
		q = wd_shared_queue(&wd_vcrypt_ring, &why);
		_exit(q ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return 4;
	pthread_join(t, NULL);
	return 0;
}

/* A child with a queue open sends itself SIGBUS: what becomes of it. */
static int sigbus_sent(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct wd_crypto *s = NULL;

		alarm(10);
		if (!open_stream(&s))
			_exit(2);
		kill(getpid(), SIGBUS);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
	       WEXITSTATUS(status);
}

/*
 * A session's device name, read before a fork, after the child has used
 * the session: the child lets its inherited queue go and opens one of its
 * own, on "vzip-7".  Run in a process of its own without malloc's
 * per-thread cache (GLIBC_TUNABLES), whose frees are not scribbled: freed
 * memory is (M_PERTURB), or reused by the new queue, so that a name read
 * from the freed queue shows.  Returns what went wrong, 0 if nothing.
 */
static int name_after_move(void)
{
	struct wd_comp_params p = { .policy = WD_POLICY_HW,
				    .flags = WD_COMP_F_DEDICATED };
	static char buf[4096];
	struct wd_comp *c = NULL;
	const char *name, *now;
	int status;
	pid_t pid;

	mallopt(M_PERTURB, 0x5a);
	stub_vzip_name = "vzip-0";
	if (wd_comp_open(&c, &p))
		return 2;
	name = wd_comp_device(c);
	if (!name || strcmp(name, "vzip-0"))
		return 3;
	pid = fork();
	if (pid == 0) {
		stub_vzip_name = "vzip-7";
		wd_buf_register(c, buf, sizeof(buf));	/* uses the session */
		now = wd_comp_device(c);
		printf("# in the child: the name read before \"%.8s\", now %s\n",
		       name, now ? now : "NULL");
		fflush(stdout);
		_exit(!now || strcmp(now, "vzip-7") || strcmp(name, "vzip-0") ?
		      1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 4;
	wd_comp_close(c);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
	       WEXITSTATUS(status);
}

#define CHURN_FORKS	200

static atomic_bool churn_stop;

static void *churn(void *arg)
{
	while (!atomic_load(&churn_stop)) {
		struct wd_queue *q;

		if (!wd_queue_open(&q, NULL))
			wd_queue_close(q);
	}
	return NULL;
}

/* How many stub queue files (lib_stubdev.c's memfds) this process holds. */
static int queue_files(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 100;
	while ((e = readdir(d))) {
		char target[128];
		ssize_t len;

		len = readlinkat(dirfd(d), e->d_name, target,
				 sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		n += !!strstr(target, "wd-stub-queue");
	}
	closedir(d);
	return n;
}

/*
 * CHURN_FORKS forks while another thread opens and closes queues (each
 * open takes stub_open_us after its file's); each child exits with the
 * number of queue files it holds.  Returns how many children held one,
 * or -1 if a fork failed.
 */
static int forks_vs_churn(void)
{
	int held = 0, status;
	pthread_t t;

	stub_open_us = 200;
	if (pthread_create(&t, NULL, churn, NULL))
		return -1;
	for (int i = 0; i < CHURN_FORKS && held >= 0; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(queue_files());
		if (pid < 0 || waitpid(pid, &status, 0) < 0 ||
		    !WIFEXITED(status))
			held = -1;
		else
			held += WEXITSTATUS(status) != 0;
	}
	atomic_store(&churn_stop, true);
	pthread_join(t, NULL);
	return held;
}

int main(int argc, char **argv)
{
	pid_t pid;
	int st;

	if (argc == 2 && !strcmp(argv[1], "fork-vs-open"))
		return fork_vs_open();
	if (argc == 2 && !strcmp(argv[1], "name-after-move"))
		return name_after_move();
	tap_plan(CASES);
	stream_cases();
	/* a fresh process: no handler registered yet */
	pid = fork();
	if (pid == 0) {
		char *args[] = { argv[0], (char *)"fork-vs-open", NULL };

		execv("/proc/self/exe", args);
		_exit(127);
	}
	st = -1;
	if (pid > 0 && waitpid(pid, &st, 0) > 0 && WIFSIGNALED(st))
		printf("# fork-vs-open killed by %s\n",
		       strsignal(WTERMSIG(st)));
	tap_ok(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "fork() while another thread opens the first shared queue "
	       "of a class: no deadlock");
	st = sigbus_sent();
	tap_ok(st == 128 + SIGBUS,
	       "a SIGBUS sent to a process with a queue open kills it (%d)",
	       st);
	pid = fork();
	if (pid == 0) {
		char *args[] = { argv[0], (char *)"name-after-move", NULL };

		alarm(10);
		setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", 1);
		execv("/proc/self/exe", args);
		_exit(127);
	}
	st = -1;
	if (pid > 0)
		waitpid(pid, &st, 0);
	tap_ok(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "wd_comp_device()'s name stays valid after the session moved to another device (%d)",
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	pid = fork();
	if (pid == 0) {
		alarm(60);
		_exit(forks_vs_churn() & 0xff);
	}
	st = -1;
	if (pid > 0)
		waitpid(pid, &st, 0);
	tap_ok(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "fork() while another thread opens and closes queues: of %d children %d held a queue's file",
	       CHURN_FORKS, WIFEXITED(st) ? (int)(signed char)WEXITSTATUS(st) : -1);
	return tap_done();
}
