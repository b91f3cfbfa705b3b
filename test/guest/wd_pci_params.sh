#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# wd_pci's module parameters (Documentation/wd-pci.rst), in the test guest
# itself, which has no WarpDrive PCI function (the VM of
# vm_guest_driver.sh has one): each wrong value is refused at load with
# EINVAL and a kernel message naming it; good values load a driver that
# binds nothing here and unloads.  Modules: uacce (test/plan).  TAP.
set -u
. test/lib/tap.sh

ko=$PWD/build/modules/$(uname -r)/drivers/wd_pci/wd_pci.ko
[ -f "$ko" ] || fail_all "no $ko (make modules for $(uname -r))"
grep -q '^uacce ' /proc/modules || fail_all "uacce is not loaded (test/plan)"
grep -q '^wd_pci ' /proc/modules && fail_all "wd_pci is loaded already"

# refused PARAM=VALUE MESSAGE: insmod fails with EINVAL and the kernel
# says MESSAGE (a fixed string)
refused() {
	echo "wd-pci-params: $1" > /dev/kmsg
	out=$(insmod "$ko" "$1" 2>&1)
	rc=$?
	msg=$(dmesg | sed -n "/wd-pci-params: $1\$/,\$p" | grep -F "$2")
	if [ "$rc" != 0 ] && ! grep -q '^wd_pci ' /proc/modules &&
	   printf '%s' "$out" | grep -q 'Invalid parameters' && [ -n "$msg" ]; then
		pass "$1 refused: ${msg#*] }"
	else
		fail "$1 refused with EINVAL and '$2' (insmod $rc: $out; log: $msg)"
		rmmod wd_pci 2> /dev/null
	fi
}

refused ring_depth=0 "ring_depth 0 is not a power of 2"
refused ring_depth=1 "ring_depth 1 is not a power of 2"
refused ring_depth=96 "ring_depth 96 is not a power of 2"
refused ss_size=0 "ss_size 0 is not whole pages"
refused ss_size=5000 "ss_size 5000 is not whole pages"
refused idle_us=1000001 "idle_us 1000001 is more than"

n=$(ls /sys/class/uacce | wc -l)
check "ring_depth=64 ss_size=65536 idle_us=0 loads" \
	insmod "$ko" ring_depth=64 ss_size=65536 idle_us=0
eq "it binds nothing here: no new uacce device" "$(ls /sys/class/uacce | wc -l)" "$n"
eq "its parameters read back" \
	"$(cat /sys/module/wd_pci/parameters/ring_depth) $(cat /sys/module/wd_pci/parameters/ss_size) $(cat /sys/module/wd_pci/parameters/idle_us)" \
	"64 65536 0"
check "and unloads" rmmod wd_pci
done_tap
