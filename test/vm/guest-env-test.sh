#!/bin/sh
# Checks, inside the guest, that the test VM is what the tests assume: the
# right kernel, the debug features the harness relies on, two NUMA nodes,
# the filesystems and controllers container tests need. TAP.
n=0
fail=0
t() {
	n=$((n + 1))
	desc=$1
	shift
	if "$@" > /dev/null 2>&1; then
		echo "ok $n $desc"
	else
		echo "not ok $n $desc"
		fail=1
	fi
}

release=$(uname -r)
t "kernel is a WarpDrive test kernel or Debian's ($release)" \
	sh -c "case $release in *-wd-dbg|*-wd|*-amd64) exit 0;; *) exit 1;; esac"
t "modules were built for this kernel" test -d "build/modules/$release/uacce"
t "host root is read-only" sh -c '! touch /wd-guest-probe'
t "/run/out is writable" touch /run/out/.probe
t "two NUMA nodes" test -d /sys/devices/system/node/node1
t "two CPUs" sh -c '[ "$(nproc)" = 2 ]'
t "cgroup v2 mounted" test -f /sys/fs/cgroup/cgroup.controllers
t "devtmpfs" test -c /dev/null
case $release in
*-amd64)
	t "stock modules load (mdev)" modprobe mdev
	t "stock modules unload (mdev)" modprobe -r mdev
	;;
*)
	t "KUnit debugfs" test -d /sys/kernel/debug/kunit
	t "vfio container device" test -c /dev/vfio/vfio
	t "mdev bus" test -d /sys/bus/mdev
	;;
esac
case $release in
*-wd-dbg)
	t "kmemleak" test -f /sys/kernel/debug/kmemleak
	t "failslab" test -d /sys/kernel/debug/failslab
	t "fail_page_alloc" test -d /sys/kernel/debug/fail_page_alloc
	t "lockdep" test -f /proc/lockdep
	t "KASAN" sh -c 'dmesg | grep -q KernelAddressSanitizer'
	;;
esac
t "host tools run in the guest (python3)" python3 -c 'pass'
# run-guest.sh boots with pci=noacpi: without it the debug kernel spent
# 30 s per virtio device in ACPI's _PRT loop at every boot
t "no ACPI loop timeout at boot" sh -c '! dmesg | grep -q AE_AML_LOOP_TIMEOUT'
# run-guest.sh boots TCG guests (QEMU's default CPU) with tsc=reliable:
# without it the kernel took the HPET, and every clock read was a
# system call and an emulated device access
if grep -q 'QEMU Virtual CPU' /proc/cpuinfo; then
	t "QEMU's CPU: booted with tsc=reliable" grep -qw tsc=reliable /proc/cmdline
	t "QEMU's CPU: the clocksource is the TSC" sh -c \
		'[ "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" = tsc ]'
fi
echo "1..$n"
exit $fail
