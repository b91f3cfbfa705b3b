/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What registered memory is charged to, for the guest tests that check
 * it: the memory pinned for the calling process (VmPin of
 * /proc/self/status), and a process limited as an unprivileged one is.
 */
#ifndef _WD_TEST_MEMLOCK_H
#define _WD_TEST_MEMLOCK_H

#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* VmPin in KiB, or -1 if it cannot be read */
static inline long vmpin_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmPin:", 6))
			kib = atol(line + 6);
	fclose(f);
	return kib;
}

/*
 * For a child: drops CAP_IPC_LOCK from every set (an exec as root would
 * give it back from the bounding or inheritable one) and sets
 * RLIMIT_MEMLOCK to @bytes.  0, or -1 with errno.
 */
static inline int memlock_limit(size_t bytes)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	struct rlimit rl = { bytes, bytes };

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[0].effective &= ~(1U << CAP_IPC_LOCK);
	d[0].permitted &= ~(1U << CAP_IPC_LOCK);
	d[0].inheritable &= ~(1U << CAP_IPC_LOCK);
	if (prctl(PR_CAPBSET_DROP, CAP_IPC_LOCK, 0, 0, 0) ||
	    syscall(SYS_capset, &h, d))
		return -1;
	return setrlimit(RLIMIT_MEMLOCK, &rl);
}

#endif /* _WD_TEST_MEMLOCK_H */
