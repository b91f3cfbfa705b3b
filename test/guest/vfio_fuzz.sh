#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vfio_fuzz_test (test/guest/vfio_fuzz_test.c) on a vq2 vfio-pci instance
# of vzip, created here and removed after (modules uacce, vzip:queues=20,
# wd_mdev).  Arguments go to the program (--seed, --ops, --seconds).  The
# TAP is the program's; a missing precondition fails the test.
set -u
. test/guest/vfio_lib.sh
uuid_base=0x78

vfio_setup
u=$(uuid 1)
vcreate vq2 "$u" || fail_all "create a vq2 vfio-pci instance"
[ -c "/dev/vfio/$(vgroup "$u")" ] || fail_all "no /dev/vfio/$(vgroup "$u")"

"$tbin/vfio_fuzz_test" --vfio "$u" "$@"
rc=$?
if ! destroy "$u"; then
	echo "# could not remove the instance $u"
	rc=1
fi
exit $rc
