#!/bin/sh
# Run the QEMU 10 that test/vm/qemu10.sh unpacked under build/qemu10/root:
# build/qemu10/qemu-system-x86_64 is a link to this script.  The system's
# qemu-system-x86_64 stays Debian's 7.2, and Debian's QEMU looks for its
# firmware and modules at fixed paths (/usr/share/qemu,
# /usr/lib/x86_64-linux-gnu/qemu), which hold 7.2's: this points QEMU 10 at
# its own through environment variables and -L, so that it runs from the
# checkout alone, in a guest whose root is this machine's too.
#
# Usage: qemu10-run.sh QEMU_ARGS...   (or build/qemu10/qemu-system-x86_64)
set -eu
self=$(readlink -f "$0")
top=$(cd "$(dirname "$self")/../.." && pwd)
root=$top/build/qemu10/root
qemu=$root/usr/bin/qemu-system-x86_64
[ -x "$qemu" ] || {
	echo "qemu10: no $qemu (test/vm/deps.sh qemu10 unpacks it)" >&2
	exit 127
}

# libraries apt found missing or too old on this machine, before the
# system's
libs=
for d in "$root/usr/lib/x86_64-linux-gnu" "$root/lib/x86_64-linux-gnu"; do
	[ -d "$d" ] && libs=$libs${libs:+:}$d
done
if [ -n "$libs" ]; then
	LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	export LD_LIBRARY_PATH
fi
# its modules (virtio-gpu, usb-host, ...), never 7.2's
QEMU_MODULE_DIR=$root/usr/lib/x86_64-linux-gnu/qemu
export QEMU_MODULE_DIR

# Firmware and data (BIOS, option ROMs, keymaps): the unpacked dirs first,
# in this order; the compiled-in path (the system's) only for what they
# lack, e.g. ipxe-qemu when the installed one was recent enough.
for d in usr/lib/ipxe/qemu usr/share/seabios usr/share/qemu; do
	[ -d "$root/$d" ] && set -- -L "$root/$d" "$@"
done
exec "$qemu" "$@"
