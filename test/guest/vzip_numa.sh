#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Where the engines run (modules uacce, vzip:devices=2:engines=E): each
# vzip device is on a NUMA node of its own in the two-node test guest
# (test/vm/run-guest.sh: one CPU per node), and its engine threads,
# "vzip.<id>/e<n>", are allowed the CPUs of that node when it has an
# online CPU for each engine, or every CPU when it has fewer
# (Documentation/vzip.rst, "Engines").  The kernel says which, once per
# device.  TAP.
set -u
. test/lib/tap.sh

nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
[ "$nodes" = 2 ] || fail_all "the guest has $nodes NUMA nodes, not 2"
engines=$(cat /sys/module/vzip/parameters/engines)
online=$(cat /sys/devices/system/cpu/online)

# allowed PID: the CPUs a task may run on, as a list
allowed() {
	awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$1/status"
}

# engine_pids DEV: the PIDs of DEV's engine threads
# engine_pids DEV/N: the engine's thread, read with the shell's own read:
# a cat per process, for every engine, was a fork and an exec each, which
# the debug kernel makes slow (the test took 156 s, nearly all of it here)
engine_pids() {
	want="${1%%/*}/e${1#*/}"
	for p in /proc/[0-9]*; do
		{ read -r comm < "$p/comm"; } 2>/dev/null || continue
		[ "$comm" = "$want" ] && echo "${p#/proc/}"
	done
}

for d in /sys/bus/platform/drivers/vzip/vzip.*; do
	[ -e "$d" ] || fail_all "no vzip platform device bound"
	dev=$(basename "$d")
	node=$(cat "$d/numa_node")
	ncpu_list=$(cat "/sys/devices/system/node/node$node/cpulist")
	# online CPUs of the node: the test guest has no offline ones
	ncpus=$(echo "$ncpu_list" | tr ',' '\n' |
		awk -F- '{ n += NF == 2 ? $2 - $1 + 1 : 1 } END { print n }')
	if [ "$ncpus" -ge "$engines" ]; then
		want=$ncpu_list
		msg="engines on node $node's CPUs $ncpu_list"
	else
		want=$online
		msg="engines on any CPU: node $node has $ncpus online CPUs for $engines engines"
	fi
	for e in $(seq 0 $((engines - 1))); do
		pid=$(engine_pids "$dev/$e")
		[ -n "$pid" ] || { fail "$dev: engine thread $dev/e$e exists"; continue; }
		eq "$dev (node $node, $ncpus CPUs), engine $e: allowed CPUs" \
			"$(allowed "$pid")" "$want"
	done
	check "$dev: the kernel said '$msg'" \
		sh -c "dmesg | grep -q -F \"$dev: $msg\""
done
# the two devices are on different nodes: the round-robin placement
eq "the devices' nodes" \
	"$(cat /sys/bus/platform/drivers/vzip/vzip.*/numa_node | sort -u | tr '\n' ' ')" "0 1 "
done_tap
