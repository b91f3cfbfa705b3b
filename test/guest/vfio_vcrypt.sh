#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A vfio-pci instance of vcrypt driven by samples/vfio-client --vcrypt,
# the VMM-style program (modules uacce, vcrypt:queues=8, wd_mdev): the
# vcrypt-vqN types, an instance a VMM owns through VFIO, its BAR and
# rings at IOVAs, MSI and INTx eventfds (polling: vzip's tests);
# SHA-256 and AES-CBC checked against OpenSSL's libcrypto, an unmapped
# IOVA (ADDR_ERROR) and a bad descriptor (INVALID), after which the
# instance still works; no migration.  TAP.
set -u
. test/guest/vfio_lib.sh
uuid_base=0x7c

# the vcrypt accelerator's vfio-pci type *-SUFFIX (vtype finds vzip's too)
ctype() {
	for d in /sys/class/mdev_bus/vcrypt.*/mdev_supported_types/*-"$1"; do
		[ -f "$d/device_api" ] && [ "$(cat "$d/device_api")" = vfio-pci ] &&
			echo "$d" && return 0
	done
	return 1
}

parent=
for d in /sys/class/uacce/vcrypt-*; do
	[ -d "$d/mdev_supported_types" ] && parent=$(basename "$d") && break
done
[ -n "$parent" ] || fail_all "no vcrypt accelerator with mdev types"
[ -c /dev/vfio/vfio ] || fail_all "no /dev/vfio/vfio"
trap vfio_cleanup EXIT
free=$(cat /sys/class/uacce/$parent/available_instances)

for t in vq1 vq2 vq4; do
	d=$(ctype $t)
	if [ -n "$d" ]; then pass "vfio-pci type $(basename "$d")"; else fail "vfio-pci type vcrypt-$t"; fi
done
vt=$(ctype vq1) || fail_all "no vcrypt vfio-pci type"
case "$(cat "$vt/description")" in
*"migration: none"*) pass "the type says it has no migration" ;;
*)	fail "the type says it has no migration: $(cat "$vt/description")" ;;
esac

u1=$(uuid 1)
check "create a vcrypt-vq1 instance" sh -c "echo $u1 > $vt/create"
check "it has an IOMMU group" test -L "/sys/bus/mdev/devices/$u1/iommu_group"
check "and no migration attributes" test ! -e "/sys/bus/mdev/devices/$u1/migration"
eq "it took a queue" "$(cat /sys/class/uacce/$parent/available_instances)" $((free - 1))

vc_ok "SHA-256 and AES-CBC as OpenSSL, bad input refused, MSI" --vcrypt -v "$u1"
grep -q "every result as OpenSSL's" $work/vc.log &&
	pass "vfio-client checked every result" ||
	fail "vfio-client checked every result: $(tail -n 1 $work/vc.log)"
vc_ok "the same with INTx" --vcrypt --irq intx "$u1"
"$vc" --vcrypt "$(uuid 9)" > $work/vc.log 2>&1
eq "an instance that does not exist: set-up failure" "$?" 3

check "remove the instance" destroy "$u1"
eq "every queue is free" "$(cat /sys/class/uacce/$parent/available_instances)" "$free"

done_tap
