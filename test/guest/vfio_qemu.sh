#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Debian's QEMU accepts a vzip vfio-pci instance (modules uacce,
# vzip:queues=20, wd_mdev): qemu-system-x86_64 -device
# vfio-pci,sysfsdev=/sys/bus/mdev/devices/<uuid> starts (TCG, no guest
# OS: -S), its monitor's `info pci` lists our vendor:device, and after it
# quits the instance serves the next VMM.  QEMU under TCG inside a TCG
# guest is slow: generous timeout.  TAP.
set -u
. test/guest/vfio_lib.sh
uuid_base=0x76

qemu=$(command -v qemu-system-x86_64) || fail_all "qemu-system-x86_64 is not installed"
vfio_setup

u=$(uuid 1)
check "create a vq2 instance" vcreate vq2 "$u"
id=$(printf '%04x:%04x' 0x5744 0x7a01)

printf 'info pci\nquit\n' | timeout -k 10 600 "$qemu" -M pc -accel tcg -m 64M \
	-nodefaults -display none -S \
	-device "vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u,id=vzip0" \
	-monitor stdio > $work/qemu.log 2>&1
rc=$?
eq "qemu-system-x86_64 with the instance starts and quits" "$rc" 0
if grep -q "PCI device $id" $work/qemu.log; then
	pass "info pci lists $id: $(grep -B1 "PCI device $id" $work/qemu.log | tr -s ' \n\r' ' ')"
else
	fail "info pci lists $id"
	sed 's/^/# /' $work/qemu.log | head -n 40
fi
check "with its 4 KiB BAR0" sh -c "grep -A6 'PCI device $id' $work/qemu.log | grep -q 'BAR0: 32 bit memory'"
vc_ok "the instance serves the next VMM" --queues 2 --size 65536 "$u"
check "remove the instance" destroy "$u"

done_tap
