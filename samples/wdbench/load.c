// SPDX-License-Identifier: GPL-2.0
/*
 * wdbench --loaded: a CPU hog on every online CPU for the whole run, so
 * that every measurement, the device's and its baselines' alike, shares
 * the CPUs with work that never sleeps, as on a busy machine.
 *
 * Each hog is a child process, not a thread, so that getrusage() of
 * wdbench does not count it (and it is reaped only after the last
 * measurement, so no RUSAGE_CHILDREN figure of procs mode counts it
 * either).  It runs at the default priority, pinned to its CPU, named
 * "wdbench-hog", and spins until it is killed; it dies with wdbench too
 * (PR_SET_PDEATHSIG), whatever ends wdbench.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wdbench.h"

static void hog(int cpu, pid_t parent)
{
	volatile unsigned long spins = 0;
	cpu_set_t set;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)	/* wdbench died before the line above */
		_exit(0);
	prctl(PR_SET_NAME, "wdbench-hog");
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	for (;;)
		spins++;
}

int load_start(struct load *l)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pid_t parent = getpid();
	cpu_set_t online;

	l->n = 0;
	if (ncpu < 1 || sched_getaffinity(0, sizeof(online), &online))
		return -errno;
	l->pids = calloc((size_t)ncpu, sizeof(*l->pids));
	if (!l->pids)
		return -ENOMEM;
	for (int cpu = 0; cpu < CPU_SETSIZE && l->n < (unsigned int)ncpu;
	     cpu++) {
		pid_t pid;

		if (!CPU_ISSET(cpu, &online))
			continue;
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			int err = -errno;

			load_stop(l);
			return err;
		}
		if (!pid)
			hog(cpu, parent);
		l->pids[l->n++] = pid;
	}
	return 0;
}

void load_stop(struct load *l)
{
	for (unsigned int i = 0; i < l->n; i++)
		kill(l->pids[i], SIGKILL);
	for (unsigned int i = 0; i < l->n; i++)
		waitpid(l->pids[i], NULL, 0);
	free(l->pids);
	l->pids = NULL;
}
