#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Tenants of one device, all saturating it at once, for
# Documentation/benchmarks.rst ("Tenants"): a host process (a queue of its
# own on /dev/vzip-0), an access point (a process on the instance's node)
# and a VM instance (vfio-client, the VMM-style program, driving the
# vfio-pci function).  The device has one engine, so every moment of it is
# a decision of the scheduler; each tenant's engine time is read from its
# counter (/proc/PID/fdinfo for the process, engine_ns for the instances)
# over a window where all three run.  Two runs: equal weights, and the VM
# at 3 times the others.  From the host:
#
#	make modules-base user
#	test/vm/run-guest.sh build/kernel/base build/fair-run 1800 \
#		samples/wdbench/guest-fairness.sh [SECONDS]
#
# The figures land in build/fair-run/bench/fairness.json, the table in
# build/fair-run/guest.log.
set -u
mods=build/modules/$(uname -r)
bin=$PWD/build/user/bin
secs=${1:-20}
out=/run/out/bench
work=/tmp/fairness
ap_uuid=4f1d0c52-6a3b-4e0e-9c1a-0d5e7b2a9f01
vm_uuid=4f1d0c52-6a3b-4e0e-9c1a-0d5e7b2a9f02
mkdir -p $out $work
pids=""

fail() {
	echo "fairness: $*" >&2
	exit 1
}

cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for u in $ap_uuid $vm_uuid; do
		[ -e /sys/bus/mdev/devices/$u ] && echo 1 > /sys/bus/mdev/devices/$u/remove
	done
	rmmod wd_mdev vzip wd_engine uacce 2>/dev/null
}
trap cleanup EXIT

# type SUFFIX API: the mdev type directory *-SUFFIX of that device_api
type_dir() {
	for d in /sys/class/mdev_bus/*/mdev_supported_types/*-"$1"; do
		[ "$(cat "$d/device_api" 2>/dev/null)" = "$2" ] && echo "$d" && return 0
	done
	return 1
}

# engine time of the tenant of process PID's queue on /dev/NODE, in ns
proc_engine_ns() {
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd")" = "/dev/$2" ] || continue
		awk '/^uacce-engine-ns:/ { print $2 }' "/proc/$1/fdinfo/${fd##*/}"
		return 0
	done
	echo 0
}

# snapshot: the three tenants' engine time, "host ap vm"
snapshot() {
	echo "$(proc_engine_ns "$host" vzip-0) $(cat /sys/bus/mdev/devices/$ap_uuid/engine_ns)" \
		"$(cat /sys/bus/mdev/devices/$vm_uuid/engine_ns)"
}

# run NAME WEIGHT_AP WEIGHT_VM: one measurement; the host process has
# the default weight, 100
run() {
	echo "$2" > /sys/bus/mdev/devices/$ap_uuid/weight || fail "cannot set the access point's weight"
	echo "$3" > /sys/bus/mdev/devices/$vm_uuid/weight || fail "cannot set the VM's weight"
	total=$((secs + 6))
	WD_DEVICE=vzip-0 "$bin/wdbench" --engine vzip --op compress --size 64k \
		--mode async --depth 8 --seconds $total --out $work --name "$1-host" \
		> $work/host.log 2>&1 &
	host=$!
	WD_DEVICE=$ap "$bin/wdbench" --engine vzip --op compress --size 64k \
		--mode async --depth 8 --seconds $total --out $work --name "$1-ap" \
		> $work/ap.log 2>&1 &
	apc=$!
	"$bin/vfio-client" --duration $total --inflight 8 --chunk 65536 \
		--size 4194304 $vm_uuid > $work/vm.log 2>&1 &
	vm=$!
	pids="$host $apc $vm"
	sleep 3
	a=$(snapshot)
	sleep "$secs"
	b=$(snapshot)
	alive=0
	for p in $host $apc $vm; do
		kill -0 "$p" 2>/dev/null && alive=$((alive + 1))
	done
	wait $host $apc $vm
	pids=""
	[ $alive = 3 ] || fail "$1: a client ended before the window did: $(cat $work/*.log)"
	echo "$1 100 $2 $3 $a $b" >> $work/figures
}

insmod "$mods/uacce/uacce.ko" || fail "cannot load uacce.ko"
insmod "$mods/drivers/engine/wd_engine.ko" || fail "cannot load wd_engine.ko"
insmod "$mods/drivers/vzip/vzip.ko" engines=1 queues=20 || fail "cannot load vzip.ko"
insmod "$mods/drivers/mdev/wd_mdev.ko" || fail "cannot load wd_mdev.ko"
t=$(type_dir ap1 uacce) || fail "no access-point type"
echo $ap_uuid > "$t/create" || fail "cannot create the access point"
ap=$(cat /sys/bus/mdev/devices/$ap_uuid/access_point/name)
t=$(type_dir vq1 vfio-pci) || fail "no vfio-pci type"
echo $vm_uuid > "$t/create" || fail "cannot create the VM instance"
echo "== $(uname -r), $(nproc) CPUs; vzip-0 with 1 engine; access point /dev/$ap, VM instance $vm_uuid"
: > $work/figures
run equal 100 100
run vm-x3 100 300

python3 - $work/figures $out/fairness.json "$secs" <<'PY'
import json, sys
runs = []
print('%-7s %-18s %-26s %-26s %s' % ('run', 'weights h/ap/vm', 'engine s h/ap/vm',
                                     'share % h/ap/vm (want)', 'worst'))
for line in open(sys.argv[1]):
    f = line.split()
    name, w = f[0], [int(x) for x in f[1:4]]
    a, b = [int(x) for x in f[4:7]], [int(x) for x in f[7:10]]
    ns = [y - x for x, y in zip(a, b)]
    share = [n / sum(ns) for n in ns]
    want = [x / sum(w) for x in w]
    ratio = [s / e for s, e in zip(share, want)]
    worst = max(abs(r - 1) for r in ratio)
    runs.append({'name': name, 'tenants': ['host process', 'access point', 'vm'],
                 'weights': w, 'window_s': float(sys.argv[3]), 'engine_ns': ns,
                 'share': share, 'expected_share': want,
                 'share_to_expected': ratio, 'worst_deviation': worst,
                 'within_20_percent': worst <= 0.2})
    print('%-7s %-18s %-26s %-26s %.0f%%' % (
        name, '/'.join(map(str, w)), '/'.join('%.2f' % (n / 1e9) for n in ns),
        '/'.join('%.0f' % (s * 100) for s in share) + ' (' +
        '/'.join('%.0f' % (e * 100) for e in want) + ')', worst * 100))
json.dump({'benchmark': 'tenants', 'device': 'vzip, 1 engine', 'runs': runs},
          open(sys.argv[2], 'w'), indent=2)
PY
