#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vzip's vfio-pci types with Debian's mdevctl (modules uacce,
# vzip:queues=20, wd_mdev): listed with their device API, a persistent
# instance defined and started, used by a VMM (samples/vfio-client),
# stopped and undefined.  /etc/mdevctl.d is read-only in the guest: a
# tmpfs stands in for it (as in mdev_mdevctl.sh).  TAP.
set -u
. test/guest/vfio_lib.sh
uuid_base=0x75

command -v mdevctl > /dev/null || fail_all "mdevctl is not installed"
vfio_setup
type=$(basename "$(vtype vq2)")

mount -t tmpfs -o mode=755 mdevctl /etc/mdevctl.d || fail_all "cannot mount a tmpfs over /etc/mdevctl.d"
mkdir -p /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers
trap 'vfio_cleanup; umount /etc/mdevctl.d' EXIT

types=$(mdevctl types -p "$vparent" 2>&1)
case "$types" in
*"$type"*"Device API: vfio-pci"*) pass "mdevctl types shows $type with device API vfio-pci" ;;
*)	fail "mdevctl types: $types" ;;
esac

u=$(uuid 1)
check "mdevctl define a $type" mdevctl define -u "$u" -p "$vparent" -t "$type"
case "$(mdevctl list -d 2>&1)" in
*"$u $vparent $type manual"*) pass "mdevctl list -d shows it" ;;
*)	fail "mdevctl list -d: $(mdevctl list -d 2>&1)" ;;
esac
check "mdevctl start by UUID" mdevctl start -u "$u"
check "it is a vfio device with an IOMMU group" test -L "/sys/bus/mdev/devices/$u/iommu_group"
vc_ok "a VMM compresses through it" --queues 2 --size 262144 "$u"
case "$(mdevctl list 2>&1)" in
*"$u $vparent $type"*) pass "mdevctl list shows it active" ;;
*)	fail "mdevctl list: $(mdevctl list 2>&1)" ;;
esac
check "mdevctl stop" mdevctl stop -u "$u"
check "it is gone" test ! -e "/sys/bus/mdev/devices/$u"
check "mdevctl undefine" mdevctl undefine -u "$u"
eq "every queue is free" "$(cat /sys/class/uacce/$parent/available_instances)" 20

done_tap
