#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The window of vzip's DECOMPRESS and COMPRESS against user-space zlib
# (issue 11, test/guest/vzip_window_test.c) on a vfio-pci instance, driven
# as a VMM drives it: rings and data in "guest RAM" at IOVAs, completions
# polled (modules uacce, vzip:queues=20, wd_mdev).  The TAP is the test
# program's; a missing precondition fails the test.
set -u
. test/guest/vfio_lib.sh
uuid_base=0x77

vfio_setup
u=$(uuid 1)
vcreate vq1 "$u" || fail_all "create a vq1 vfio-pci instance"
[ -L "/sys/bus/mdev/devices/$u/iommu_group" ] ||
	fail_all "the vq1 instance has no IOMMU group"
[ -c "/dev/vfio/$(vgroup "$u")" ] || fail_all "no /dev/vfio/$(vgroup "$u")"

"$tbin/vzip_window_test" --vfio "$u"
rc=$?
if ! destroy "$u"; then
	echo "# could not remove the instance $u"
	rc=1
fi
exit $rc
