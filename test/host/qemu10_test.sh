#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# QEMU 10 beside the system's 7.2 (test/vm/qemu10.sh): the wrapper
# build/qemu10/qemu-system-x86_64 runs the unpacked bookworm-backports
# QEMU with its own firmware, while `qemu-system-x86_64` and dpkg keep
# Debian's 7.2; its vfio-pci device has the migration properties; SeaBIOS
# starts under TCG and finds no disk (a second, no kernel).  qemu10.sh
# itself checks that apt-get upgrade takes nothing from backports (seconds
# of apt: not here).  Host, TAP.
set -u
. test/lib/tap.sh
dir=$PWD/build/qemu10
q10=$dir/qemu-system-x86_64
if [ ! -x "$q10" ] || [ ! -f "$dir/version" ]; then
	fail_all "no $q10 (test/vm/deps.sh qemu10)"
fi
want=$(cat "$dir/version")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

v=$("$q10" --version 2>&1 | head -n 1)
case $v in
"QEMU emulator version 10."*"(Debian $want)") pass "$q10: $v" ;;
*) fail "$q10 --version: '$v', want 10.x (Debian $want)" ;;
esac

sys=$(command -v qemu-system-x86_64 || true)
v=$(qemu-system-x86_64 --version 2>&1 | head -n 1)
case $sys:$v in
/usr/bin/*:"QEMU emulator version 7.2."*) pass "$sys on PATH: $v" ;;
*) fail "qemu-system-x86_64 on PATH: '$sys': '$v', want Debian's 7.2" ;;
esac

v=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' qemu-system-x86 2>&1)
case $v in
"ii  1:7.2"*) pass "dpkg: qemu-system-x86 $v" ;;
*) fail "dpkg: qemu-system-x86 '$v', want 7.2 installed" ;;
esac

"$q10" -device vfio-pci,help > "$tmp/vfio" 2>&1
check "vfio-pci has enable-migration" grep -q '^ *enable-migration=' "$tmp/vfio"

# SeaBIOS prints its version on the debug console; the one unpacked when
# apt found the installed one too old, else the installed one
bios=$(awk '$1 == "seabios" { print $2 }' "$dir/packages" 2>/dev/null)
[ -n "$bios" ] || bios=$(dpkg-query -W -f='${Version}' seabios 2>/dev/null)
for m in pc q35; do
	timeout 60 "$q10" -accel tcg -machine $m -m 128M -nodefaults \
		-display none -no-reboot -boot reboot-timeout=0 \
		-chardev file,id=dbg,path="$tmp/bios-$m" \
		-device isa-debugcon,iobase=0x402,chardev=dbg < /dev/null > "$tmp/qemu-$m" 2>&1
	rc=$?
	banner=$(head -n 1 "$tmp/bios-$m" 2>/dev/null)
	case $rc:$banner in
	"0:SeaBIOS (version "*"-$bios)") pass "-machine $m: $banner, no disk, QEMU exits" ;;
	*)
		fail "-machine $m: exit $rc, '$banner', want SeaBIOS $bios"
		sed 's/^/# /' "$tmp/qemu-$m"
		;;
	esac
done
done_tap
