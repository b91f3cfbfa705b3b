#!/bin/sh
# `make demo`: boot the base test kernel and run test/vm/guest-demo.sh in
# it; then move a running VM live from one pair of vfio-pci instances to
# another (test/guest/vm_guest_driver.sh, in Debian's kernel with QEMU 10
# nested in it, as the nested lane of `make check` runs it).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/demo
rm -rf "$out"
mkdir -p "$out" "$top/build/bench"
echo "demo: booting the base test kernel ($(cat "$top/build/kernel/base/include/config/kernel.release"))"
"$top/test/vm/run-guest.sh" "$top/build/kernel/base" "$out" 1200 test/vm/guest-demo.sh
rc=$?
cat "$out/guest.log" 2>/dev/null
[ -d "$out/bench" ] && cp "$out"/bench/*.json "$top/build/bench/" 2>/dev/null

echo
echo "== A VM moves live: QEMU 10 migrates a VM, compressing on its instances, to two others"
echo "demo: booting Debian's kernel with QEMU 10 in it (about 6 minutes under TCG)"
mkdir -p "$out/vm"
"$top/test/vm/stock.sh" "$out/vm" vm_guest_driver nested > "$out/vm/setup.log" 2>&1
tap=$out/vm/tests/vm_guest_driver.tap
if [ -f "$tap" ] && grep -q "^ok .*QMP migrated the running VM" "$tap" &&
   ! grep -q "^not ok" "$tap"; then
	grep "^ok .*runs on\|^# .*migration stream refused\|^# migration completed\|^ok .*rounds\|^ok .*rebooted\|^ok .*after the reboot" "$tap" |
		sed 's/^ok [0-9]* /  /; s/^# \[ *[0-9.]*\] /  the kernel: /; s/^# /  /'
	echo "the VM moved, rebooted and went on compressing on the device ($(grep -c '^ok' "$tap") checks passed)"
else
	echo "demo: the VM did not move cleanly; see $tap and $out/vm/setup.log"
	[ -f "$tap" ] && grep "^not ok" "$tap"
	rc=1
fi
echo "demo: logs in build/demo/, benchmark results in build/bench/"
exit $rc
