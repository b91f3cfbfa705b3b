#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Life cycle of vzip vfio-pci instances (modules uacce, vzip:queues=20,
# wd_mdev): available_instances exact across the vfio-pci types and the
# uacce access-point types of the same accelerator; the VMM killed with
# SIGKILL in the middle of requests, after which the instance serves the
# next VMM and can be removed; removal while a VMM has the device open:
# the request interrupt fires, a VMM that handles it lets go and removal
# completes, and a stuck VMM blocks removal until it is killed; removal
# survives a VMM killed with files that outlast the device's
# (vfio_remove_race_test.c).  TAP.
set -u
. test/guest/vfio_lib.sh
uuid_base=0x73

vfio_setup
total=$(cat /sys/class/uacce/$parent/available_instances)
[ "$total" = 20 ] || fail_all "wants vzip:queues=20 (has $total free)"

# all RTYPE... : available_instances of vq1 vq2 vq4 ap1 ap4 ap16
all() {
	echo "$(vavail vq1) $(vavail vq2) $(vavail vq4) $(avail ap1) $(avail ap4) $(avail ap16)"
}

# ---- available_instances, exact across both personalities ----
eq "20 free: vq1 vq2 vq4 ap1 ap4 ap16" "$(all)" "20 10 5 20 5 1"
v1=$(uuid 1)
check "create a vq4" vcreate vq4 "$v1"
eq "a vq4 reserves 4 queues" "$(all)" "16 8 4 16 4 1"
eq "the accelerator has 16 left" "$(cat /sys/class/uacce/$parent/available_instances)" 16
a1=$(uuid 2)
check "create an ap4 next to it" create ap4 "$a1"
eq "and an ap4 4 more" "$(all)" "12 6 3 12 3 0"
v2=$(uuid 3)
check "create a vq2" vcreate vq2 "$v2"
eq "and a vq2 2 more" "$(all)" "10 5 2 10 2 0"
# the rest in vq1 instances, then one too many
i=10
n=0
while [ $n -lt 10 ]; do
	vcreate vq1 "$(uuid $i)" || break
	i=$((i + 1))
	n=$((n + 1))
done
eq "10 vq1 instances fill it" "$n" 10
eq "nothing left anywhere" "$(all)" "0 0 0 0 0 0"
check "an 11th vq1 fails" sh -c "! echo $(uuid 30) > $(vtype vq1)/create 2>/dev/null"
check "and leaves nothing behind" test ! -e "/sys/bus/mdev/devices/$(uuid 30)"
check "an ap1 fails too" sh -c "! echo $(uuid 31) > $(types_dir)/uacce-ap1/create 2>/dev/null"
check "remove the ap4" destroy "$a1"
eq "its queues come back" "$(all)" "4 2 1 4 1 0"
i=10
while [ $i -lt 20 ]; do
	destroy "$(uuid $i)"
	i=$((i + 1))
done
destroy "$v2"
eq "back to a vq4 alone" "$(all)" "16 8 4 16 4 1"

# ---- the VMM killed mid-request ----
vmm_start $work/kill.log --hang --queues 4 --inflight 4 --chunk 1048576 \
	--size 4194304 --level 9 "$v1"
if wait_line $work/kill.log running 120; then
	pass "a VMM runs 1 MiB requests on 4 queues"
	sleep 1
	check "it is still running" alive $vmm_pid
	kill -9 $vmm_pid
	wait_pid $vmm_pid 30
	eq "SIGKILL ends it at once" "$wait_rc" 137
else
	fail "a VMM runs requests: $(cat $work/kill.log)"
fi
vc_ok "the next VMM uses the instance" --queues 4 --size 262144 "$v1"
vmm_start $work/kill2.log --hang --inflight 8 --chunk 65536 --size 524288 "$v1"
if wait_line $work/kill2.log running 120; then
	kill -9 $vmm_pid
	wait_pid $vmm_pid 30
	eq "a second VMM killed mid-request" "$wait_rc" 137
else
	fail "a second VMM runs: $(cat $work/kill2.log)"
fi
check "the instance can be removed" destroy "$v1"
check "it is gone" test ! -e "/sys/bus/mdev/devices/$v1"
eq "all 20 queues free" "$(cat /sys/class/uacce/$parent/available_instances)" 20

# ---- removal with the VMM still open: it handles the request ----
v3=$(uuid 4)
check "create a vq2" vcreate vq2 "$v3"
vmm_start $work/req.log --hang --handle-request --queues 2 --chunk 262144 \
	--size 1048576 "$v3"
if wait_line $work/req.log running 120; then
	echo 1 > "/sys/bus/mdev/devices/$v3/remove" &
	rm_pid=$!
	wait_pid $vmm_pid 60
	eq "the VMM takes the request interrupt and exits 0" "$wait_rc" 0
	check "saying why" grep -q "asked for the device back" $work/req.log
	wait_pid $rm_pid 60
	eq "then removal completes" "$wait_rc" 0
	check "the instance is gone" test ! -e "/sys/bus/mdev/devices/$v3"
else
	fail "a VMM runs: $(cat $work/req.log)"
fi

# ---- removal with a stuck VMM: blocks until the VMM is killed ----
v4=$(uuid 5)
check "create a vq1" vcreate vq1 "$v4"
vmm_start $work/stuck.log --hang --chunk 65536 --size 262144 "$v4"
if wait_line $work/stuck.log running 120; then
	echo 1 > "/sys/bus/mdev/devices/$v4/remove" &
	rm_pid=$!
	sleep 3
	check "removal waits for the stuck VMM" alive $rm_pid
	check "which is still there" alive $vmm_pid
	kill -9 $vmm_pid
	wait_pid $vmm_pid 30
	wait_pid $rm_pid 60
	eq "killing it lets removal complete" "$wait_rc" 0
	check "the instance is gone" test ! -e "/sys/bus/mdev/devices/$v4"
else
	fail "a stuck VMM runs: $(cat $work/stuck.log)"
fi

# ---- the VMM killed while removal waits, its files released late ----
"$tbin/vfio_remove_race_test" --type "$(vtype vq1)" --uuid "$(uuid 64)" \
	--rounds 5 > $work/race.tap 2>&1
eq "a dying VMM's files outlast the device: 5 rounds (vfio_remove_race_test)" "$?" 0
sed 's/^/# /' $work/race.tap
eq "all 20 queues free at the end" "$(cat /sys/class/uacce/$parent/available_instances)" 20

done_tap
