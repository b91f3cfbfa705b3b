#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Two VMs' worth of vzip vfio-pci instances on one accelerator (modules
# uacce, vzip:queues=20, wd_mdev): two vq2 instances, each driven by its
# own VMM (samples/vfio-client) with the same load for the same time; both
# make progress and neither gets much more than the other.  The bounds are
# generous: the guest is TCG and the host is shared.  TAP.
set -u
. test/guest/vfio_lib.sh
uuid_base=0x74
secs=20

vfio_setup

a=$(uuid 1)
b=$(uuid 2)
check "create two vq2 instances" sh -c "echo $a > $(vtype vq2)/create && echo $b > $(vtype vq2)/create"

load="--queues 2 --inflight 4 --chunk 32768 --size 262144 --duration $secs --timeout 120"
vmm_start $work/a.log $load "$a"
pa=$vmm_pid
vmm_start $work/b.log $load "$b"
pb=$vmm_pid
wait_pid $pa $((secs + 180))
eq "VM A ran for ${secs}s" "$wait_rc" 0
wait_pid $pb $((secs + 180))
eq "VM B ran for ${secs}s" "$wait_rc" 0
na=$(sed -n 's/^completed //p' $work/a.log)
nb=$(sed -n 's/^completed //p' $work/b.log)
na=${na:-0}
nb=${nb:-0}
check "both made progress (A $na, B $nb round trips)" test "$na" -gt 0 -a "$nb" -gt 0
lo=$na
hi=$nb
[ "$na" -gt "$nb" ] && lo=$nb && hi=$na
# fair within a factor of 3
check "neither got more than 3 times the other (A $na, B $nb)" test $((lo * 3)) -ge "$hi"
for f in a b; do
	grep -v '^completed' $work/$f.log | sed "s/^/# $f: /"
done

check "remove both" sh -c "echo 1 > /sys/bus/mdev/devices/$a/remove && echo 1 > /sys/bus/mdev/devices/$b/remove"
eq "every queue is free" "$(cat /sys/class/uacce/$parent/available_instances)" 20

done_tap
