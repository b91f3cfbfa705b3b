#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The refusals of a vzip vfio-pci instance and their logged reasons
# (modules uacce, vzip:queues=20, wd_mdev): creates an instance, runs
# `reasons_test vfio UUID` on it (test/guest/reasons_test.c) and removes
# it.  TAP: reasons_test's cases, then the instance's creation and
# removal.
set -u
. test/guest/vfio_lib.sh
uuid_base=0x7d

vfio_setup

u=$(uuid 1)
vcreate vq1 "$u" || fail_all "cannot create a vq1 instance"
"$PWD/build/user/test/reasons_test" vfio "$u" > $work/reasons.tap 2>&1
rc=$?
# its cases, renumbered as ours
while read -r line; do
	desc=${line#*ok }
	desc=${desc#* }
	case "$line" in
	"ok "*) pass "$desc" ;;
	"not ok "*) fail "$desc" ;;
	"#"*) echo "$line" ;;
	esac
done < $work/reasons.tap
eq "reasons_test exits 0" "$rc" 0
check "remove the instance" destroy "$u"
done_tap
