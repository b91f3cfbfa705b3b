// SPDX-License-Identifier: GPL-2.0
/*
 * libwarpdrive with no accelerator: what each policy does, what the
 * environment variables change, and that the software path says why it
 * ran.  Skips everything on a machine that has a vzip device.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <warpdrive/warpdrive.h>
#include "tap.h"

#define CASES	10

/* Re-runs this program with @env set, in @mode; its exit status. */
static int child(const char *env, const char *mode)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		char *argv[] = { "lib_nodev_test", (char *)mode, NULL };

		putenv((char *)env);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Child modes: exit 0 if the library behaves as the environment says. */
static int child_mode(const char *mode)
{
	struct wd_comp *c = NULL;
	static char buf[100000], out[120000];
	enum wd_reason why;
	size_t n = sizeof(out);
	int ret;

	if (!strcmp(mode, "expect-enodev"))
		return wd_comp_open(&c, NULL) == -ENODEV ? 0 : 1;
	ret = wd_comp_open(&c, NULL);
	if (ret)
		return 2;
	memset(buf, 'x', sizeof(buf));
	ret = wd_compress(c, buf, sizeof(buf), out, &n);
	wd_comp_path(c, &why);
	wd_comp_close(c);
	if (ret)
		return 3;
	if (!strcmp(mode, "expect-policy"))
		return why == WD_REASON_POLICY ? 0 : 4;
	if (!strcmp(mode, "expect-nodev"))
		return why == WD_REASON_NO_DEVICE ? 0 : 5;
	if (!strcmp(mode, "expect-small"))
		return why == WD_REASON_SMALL ? 0 : 6;
	return 7;
}

int main(int argc, char **argv)
{
	struct wd_comp_params p = { .format = WD_FORMAT_ZLIB };
	struct wd_device devs[16];
	struct wd_queue *q;
	struct wd_comp *c;
	enum wd_reason why;
	char in[100], out[200];
	size_t n;
	int ndev, vzip = 0;

	if (argc > 1)
		return child_mode(argv[1]);

	tap_plan(CASES);
	ndev = wd_devices(devs, 16);
	for (int i = 0; i < ndev && i < 16; i++)
		if (!strncmp(devs[i].api, "vzip", 4))
			vzip++;
	if (ndev < 0 || vzip) {
		for (int i = 0; i < CASES; i++)
			tap_skip("a vzip device is present", "no-device case %d", i);
		return tap_done();
	}
	tap_ok(wd_queue_open(&q, NULL) == -ENODEV,
	       "wd_queue_open with no device: -ENODEV");
	p.policy = WD_POLICY_HW;
	tap_ok(wd_comp_open(&c, &p) == -ENODEV,
	       "policy hw with no device: wd_comp_open fails with -ENODEV");

	p.policy = WD_POLICY_AUTO;
	tap_ok(!wd_comp_open(&c, &p), "policy auto with no device: opens");
	memset(in, 'a', sizeof(in));
	n = sizeof(out);
	tap_ok(!wd_compress(c, in, sizeof(in), out, &n) &&
	       wd_comp_path(c, &why) == WD_PATH_SW && why == WD_REASON_SMALL &&
	       !wd_comp_device(c),
	       "a 100-byte request runs in software, reason small");
	wd_comp_close(c);

	tap_ok(child("WD_POLICY=hw", "expect-enodev") == 0,
	       "WD_POLICY=hw: sessions need the device");
	tap_ok(child("WD_POLICY=sw", "expect-policy") == 0,
	       "WD_POLICY=sw: software, reason policy");
	tap_ok(child("WD_POLICY=auto", "expect-nodev") == 0,
	       "WD_POLICY=auto: software, reason no-device");
	tap_ok(child("WD_SW_THRESHOLD=1000000", "expect-small") == 0,
	       "WD_SW_THRESHOLD=1000000: 100000 bytes are small");
	tap_ok(child("WD_POLICY=fast", "expect-nodev") == 0,
	       "a bad WD_POLICY is ignored (auto)");
	tap_ok(child("WD_DEVICE=vzip-99", "expect-nodev") == 0,
	       "WD_DEVICE naming no device: software, reason no-device");
	return tap_done();
}
