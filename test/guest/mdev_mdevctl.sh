#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# wd_mdev with the standard tool, Debian's mdevctl (modules uacce,
# vzip:queues=20, wd_mdev): types, start/stop of transient instances,
# define/start/list/stop/undefine of persistent ones, and an instance it
# started serving a process.  TAP.
#
# mdevctl keeps definitions in /etc/mdevctl.d, read-only in the guest (the
# host's root over 9p): a tmpfs over it, with the callout and notifier
# directories its self-check wants, stands in for the real one.
set -u
. test/guest/mdev_lib.sh
uuid_base=2

command -v mdevctl > /dev/null || fail_all "mdevctl is not installed"
parent=$(vzip_parent) || fail_all "no vzip accelerator with mdev types"
[ "$(cat /sys/class/uacce/$parent/available_instances)" = 20 ] ||
	fail_all "wants vzip:queues=20"

mount -t tmpfs -o mode=755 mdevctl /etc/mdevctl.d || fail_all "cannot mount a tmpfs over /etc/mdevctl.d"
mkdir -p /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers
trap 'cleanup_instances; umount /etc/mdevctl.d' EXIT

# ---- types ----
types=$(mdevctl types -p "$parent" 2>&1)
case "$types" in
*"uacce-ap4"*"Available instances: 5"*"Device API: uacce"*"Name: vzip_v1 access point, 4 queues"*"Description: queues: 4, api: vzip_v1, algorithms: deflate zlib gzip"*)
	pass "mdevctl types shows uacce-ap4 with its instances, API, name, description" ;;
*)	fail "mdevctl types: $types" ;;
esac
json=$(mdevctl types --dumpjson 2>&1)
case "$json" in
*'"uacce-ap16"'*'"available_instances": 1'*'"device_api": "uacce"'*) pass "mdevctl types --dumpjson" ;;
*)	fail "mdevctl types --dumpjson: $json" ;;
esac

# ---- transient instances ----
u1=$(uuid 1)
check "mdevctl start an ap4" mdevctl start -u "$u1" -p "$parent" -t uacce-ap4
check "it exists" test -d "/sys/bus/mdev/devices/$u1"
list=$(mdevctl list 2>&1)
case "$list" in
*"$u1 $parent uacce-ap4"*) pass "mdevctl list shows it" ;;
*)	fail "mdevctl list: $list" ;;
esac
eq "mdevctl types counts it" "$(mdevctl types -p "$parent" | grep -A1 'uacce-ap16' | sed -n 's/.*Available instances: //p')" 1
n1=$(inst_name "$u1")
check "4 queues at once through $n1, then EBUSY" "$util" quota "$n1" 4
check "mdevctl stop" mdevctl stop -u "$u1"
check "it is gone" test ! -e "/sys/bus/mdev/devices/$u1"

# too many: 20 queues make one ap16, not two
u2=$(uuid 2)
u3=$(uuid 3)
check "mdevctl start an ap16" mdevctl start -u "$u2" -p "$parent" -t uacce-ap16
check "a second ap16 fails" sh -c "! mdevctl start -u $u3 -p $parent -t uacce-ap16 2>/dev/null"
check "and leaves nothing behind" test ! -e "/sys/bus/mdev/devices/$u3"
check "mdevctl stop the ap16" mdevctl stop -u "$u2"

# ---- persistent instances ----
u4=$(uuid 4)
check "mdevctl define an ap1" mdevctl define -u "$u4" -p "$parent" -t uacce-ap1
check "its definition is in /etc/mdevctl.d" test -f "/etc/mdevctl.d/$parent/$u4"
defined=$(mdevctl list -d 2>&1)
case "$defined" in
*"$u4 $parent uacce-ap1 manual"*) pass "mdevctl list -d shows it" ;;
*)	fail "mdevctl list -d: $defined" ;;
esac
check "not started yet" test ! -e "/sys/bus/mdev/devices/$u4"
check "mdevctl modify: a weight attribute" mdevctl modify -u "$u4" --addattr=weight --value=300
check "mdevctl start by UUID alone" mdevctl start -u "$u4"
eq "mdevctl wrote the weight when it started the instance" \
	"$(cat /sys/bus/mdev/devices/$u4/weight)" 300
n4=$(inst_name "$u4")
head -c 100000 /usr/include/stdlib.h > /tmp/mdevctl.in
if WD_DEVICE=$n4 WD_POLICY=hw "$bin/wdzip" -c /tmp/mdevctl.in 2>/dev/null | gzip -dc 2>/dev/null | cmp -s - /tmp/mdevctl.in; then
	pass "a process compresses through $n4"
else
	fail "a process compresses through $n4"
fi
case "$(mdevctl list 2>&1)" in
*"$u4 $parent uacce-ap1"*) pass "mdevctl list shows it active" ;;
*)	fail "mdevctl list shows it active" ;;
esac
check "mdevctl stop" mdevctl stop -u "$u4"
check "mdevctl modify: the weight attribute dropped" mdevctl modify -u "$u4" --delattr --index=0
check "mdevctl modify: weight 0 instead, out of range" mdevctl modify -u "$u4" --addattr=weight --value=0
mdevctl start -u "$u4" > /tmp/mdevctl.start 2>&1
rc=$?
if [ $rc != 0 ] && [ ! -e "/sys/bus/mdev/devices/$u4" ]; then
	pass "mdevctl start refuses weight 0: $(head -n 1 /tmp/mdevctl.start)"
else
	fail "mdevctl start with weight 0 (exit $rc): $(cat /tmp/mdevctl.start)"
	mdevctl stop -u "$u4" 2>/dev/null
fi
check "mdevctl undefine" mdevctl undefine -u "$u4"
check "the definition is gone" test ! -e "/etc/mdevctl.d/$parent/$u4"
eq "every queue is free" "$(cat /sys/class/uacce/$parent/available_instances)" 20

done_tap
