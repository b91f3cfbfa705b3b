#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs PROGRAM (vfio_fuzz_test.c or vfio_storm_test.c of test/guest/) on a
# vq2 vfio-pci instance of vzip, created here and removed after (modules
# uacce, vzip:queues=20, wd_mdev), with WD_ACCEL naming the accelerator.
# The other arguments go to the program (--seed, --ops, --seconds).  The
# TAP is the program's; a missing precondition fails the test.
#
#   vfio_fuzz.sh PROGRAM [ARG...]
set -u
. test/guest/vfio_lib.sh
uuid_base=0x78
prog=$1
shift

vfio_setup
u=$(uuid 1)
vcreate vq2 "$u" || fail_all "create a vq2 vfio-pci instance"
[ -c "/dev/vfio/$(vgroup "$u")" ] || fail_all "no /dev/vfio/$(vgroup "$u")"

WD_ACCEL=$parent "$tbin/$prog" --vfio "$u" "$@"
rc=$?
if ! destroy "$u"; then
	echo "# could not remove the instance $u"
	rc=1
fi
exit $rc
