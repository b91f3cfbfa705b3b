/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory pinned for the calling process (VmPin of /proc/self/status),
 * for the guest tests that check what registered memory is charged to.
 */
#ifndef _WD_TEST_VMPIN_H
#define _WD_TEST_VMPIN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif /* _WD_TEST_VMPIN_H */
