#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# wd_mdev through sysfs, on vzip (modules uacce, vzip:queues=20, wd_mdev):
# the mdev types of the accelerator and their exact accounting, shared
# with opens of the accelerator itself; an access point's char device,
# quota and sysfs; compression through it; removal of a busy instance;
# the accelerator unbound under its instances; isolation after a hardware
# error reaching the instances.  TAP.
set -u
. test/guest/mdev_lib.sh
uuid_base=1
work=/tmp/mdev-sysfs
mkdir -p $work

parent=$(vzip_parent) || fail_all "no vzip accelerator with mdev types"
total=$(attr /sys/class/uacce/$parent/available_instances)
[ "$total" = 20 ] || fail_all "wants vzip:queues=20 (has $total free)"
types=$(types_dir)

# ---- types ----
eq "types of $parent" "$(ls $types | tr '\n' ' ')" "uacce-ap1 uacce-ap16 uacce-ap4 "
eq "device_api" "$(cat $types/uacce-ap1/device_api $types/uacce-ap4/device_api $types/uacce-ap16/device_api | sort -u)" uacce
eq "name" "$(attr $types/uacce-ap4/name)" "vzip_v1 access point, 4 queues"
eq "description" "$(tr '\n' ';' < $types/uacce-ap4/description)" \
	"queues: 4;api: vzip_v1;algorithms: deflate zlib gzip;"
eq "available: 20 x ap1, 5 x ap4, 1 x ap16" "$(avail ap1) $(avail ap4) $(avail ap16)" "20 5 1"
check "listed in /sys/class/mdev_bus" test -d /sys/class/mdev_bus/$parent/mdev_supported_types

# ---- an instance ----
u1=$(uuid 1)
check "create an ap4 instance" create ap4 "$u1"
check "it is on the mdev bus" test -d /sys/bus/mdev/devices/$u1
eq "its type" "$(basename "$(readlink /sys/bus/mdev/devices/$u1/mdev_type)")" uacce-ap4
check "the type lists it" test -e $types/uacce-ap4/devices/$u1
n1=$(inst_name "$u1")
case "$n1" in vzip-mdev-*) pass "its node is /dev/$n1" ;; *) fail "its node: '$n1'" ;; esac
check "/dev/$n1 is a char device" test -c "/dev/$n1"
check "its uacce device hangs off the mdev" test -d "/sys/bus/mdev/devices/$u1/uacce/$n1"
eq "it speaks vzip_v1" "$(attr /sys/class/uacce/$n1/api)" vzip_v1
# UADK's libwd lists a uacce device only if device/numa_node reads
eq "its device/numa_node is the accelerator's (UADK reads it)" \
	"$(cat /sys/class/uacce/$n1/device/numa_node 2>&1)" \
	"$(cat /sys/class/uacce/$parent/device/numa_node 2>&1)"
eq "its node_id is the accelerator's" \
	"$(attr /sys/class/uacce/$n1/node_id)" "$(attr /sys/class/uacce/$parent/node_id)"
eq "quota and queues in use" \
	"$(attr /sys/bus/mdev/devices/$u1/access_point/queues) $(attr /sys/bus/mdev/devices/$u1/access_point/queues_in_use)" "4 0"
eq "reserved at creation: 16 x ap1, 4 x ap4, 1 x ap16" "$(avail ap1) $(avail ap4) $(avail ap16)" "16 4 1"
eq "the accelerator has 16 queues left" "$(attr /sys/class/uacce/$parent/available_instances)" 16

check "4 queues at once, the 5th is EBUSY until one closes" "$util" quota "$n1" 4

# opens of the accelerator and the instances share its queues
if hold "$parent" 5; then
	eq "5 opens of $parent: 11 x ap1, 2 x ap4, 0 x ap16" "$(avail ap1) $(avail ap4) $(avail ap16)" "11 2 0"
	check "no room for an ap16" sh -c "! echo $(uuid 9) > $types/uacce-ap16/create 2>/dev/null"
	release
else
	fail "hold 5 queues of $parent"
	fail "no room for an ap16"
fi
eq "closed: 1 x ap16 again" "$(avail ap16)" 1

if hold "$n1" 3; then
	eq "3 opens of the instance: 3 in use" "$(attr /sys/bus/mdev/devices/$u1/access_point/queues_in_use)" 3
	eq "the instance has 1 free" "$(attr /sys/class/uacce/$n1/available_instances)" 1
	eq "the accelerator still has 16" "$(attr /sys/class/uacce/$parent/available_instances)" 16
	release
else
	fail "hold 3 queues of $n1"
	fail "the instance has 1 free"
	fail "the accelerator still has 16"
fi

# left to choose, the library does not spend an instance's reservation
if hold "$parent" 16; then
	WD_POLICY=auto "$bin/wdzip" -v -c /usr/include/stdio.h > /dev/null 2> $work/log0
	check "without WD_DEVICE, the library leaves the instance alone" \
		sh -c "grep -q software $work/log0 && ! grep -q '$n1' $work/log0"
	release
else
	fail "hold 16 queues of $parent"
fi

# compression through the instance, two processes at once
head -c 300000 /usr/include/stdio.h /usr/include/stdlib.h /usr/include/string.h \
	/usr/include/unistd.h > $work/in 2>/dev/null
for i in 1 2; do
	WD_DEVICE=$n1 WD_POLICY=hw "$bin/wdzip" -v -c $work/in > $work/out$i.gz 2> $work/log$i &
done
wait
for i in 1 2; do
	if gzip -dc $work/out$i.gz 2>/dev/null | cmp -s - $work/in && grep -q "$n1" $work/log$i; then
		pass "process $i compressed on $n1"
	else
		fail "process $i compressed on $n1: $(cat $work/log$i)"
	fi
done
eq "queues reclaimed at exit" "$(attr /sys/bus/mdev/devices/$u1/access_point/queues_in_use)" 0

# bad input
check "a bad UUID is refused" sh -c "! echo not-a-uuid > $types/uacce-ap1/create 2>/dev/null"
check "a UUID in use is refused" sh -c "! echo $u1 > $types/uacce-ap1/create 2>/dev/null"

# removal of a busy instance
if hold "$n1" 3; then
	check "remove the instance with 3 queues open" destroy "$u1"
	check "its node is gone" test ! -e "/dev/$n1"
	eq "its queues are back" "$(attr /sys/class/uacce/$parent/available_instances)" 20
	check "the holder survives" kill -0 "$held_pid"
	# its files outlive the instance, whose tenant was freed with it
	check "the holder's files still show a tenant in fdinfo" sh -c \
		"cat /proc/$held_pid/fdinfo/* | grep -q '^uacce-weight:'"
	release
else
	fail "hold 3 queues of $n1"
	fail "remove"
	fail "node gone"
	fail "queues back"
fi
eq "all types free again" "$(avail ap1) $(avail ap4) $(avail ap16)" "20 5 1"

# the accelerator full of instances
u3=$(uuid 3)
u4=$(uuid 4)
check "create an ap16" create ap16 "$u3"
check "create an ap4 in the last 4 queues" create ap4 "$u4"
eq "nothing left" "$(avail ap1) $(avail ap4) $(avail ap16) $(attr /sys/class/uacce/$parent/available_instances)" "0 0 0 0"
check "an ap1 is refused" sh -c "! echo $(uuid 5) > $types/uacce-ap1/create 2>/dev/null"

# the accelerator unbound under busy instances
pdev=$(basename "$(readlink -f /sys/class/uacce/$parent/device)")
n3=$(inst_name "$u3")
if hold "$n3" 2; then
	check "unbind $pdev with instances and open queues" \
		sh -c "echo $pdev > /sys/bus/platform/drivers/vzip/unbind"
	check "the instances are gone" sh -c "test ! -e /sys/bus/mdev/devices/$u3 && test ! -e /sys/bus/mdev/devices/$u4"
	check "and their nodes" test ! -e "/dev/$n3"
	release
else
	fail "hold 2 queues of $n3"
	fail "unbind"
	fail "instances gone"
	fail "nodes gone"
fi
check "bind $pdev again" sh -c "echo $pdev > /sys/bus/platform/drivers/vzip/bind"
parent=$(vzip_parent)
eq "it comes back with its types, all free" "$(avail ap1) $(avail ap4) $(avail ap16)" "20 5 1"

# the accelerator isolated after a hardware error: its instances with it
u6=$(uuid 6)
knob=/sys/kernel/debug/vzip/$parent/inject_hw_error
if [ -w "$knob" ] && create ap1 "$u6"; then
	n6=$(inst_name "$u6")
	eq "a new instance is not isolated" "$(attr /sys/class/uacce/$n6/isolate)" 0
	echo 1 > /sys/class/uacce/$parent/isolate_strategy
	echo 1 > "$knob"
	WD_DEVICE=$parent WD_POLICY=hw "$bin/wdzip" -c $work/in > /dev/null 2>&1
	eq "one hardware error isolates $parent" "$(attr /sys/class/uacce/$parent/isolate)" 1
	i=0	# the instances learn it from a work item
	while [ "$(attr /sys/class/uacce/$n6/isolate)" != 1 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	eq "and the instance with it" "$(attr /sys/class/uacce/$n6/isolate)" 1
	eq "open of the instance: EIO" "$("$util" open /dev/$n6)" EIO
	u7=$(uuid 7)
	if create ap1 "$u7"; then
		n7=$(inst_name "$u7")
		eq "an instance created now is isolated from the start" \
			"$(attr /sys/class/uacce/$n7/isolate)" 1
	else
		fail "create an instance of the isolated accelerator"
	fi
else
	fail "isolation: no $knob, or no instance"
fi

cleanup_instances
done_tap
