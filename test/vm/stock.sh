#!/bin/sh
# The second lane: build our modules against Debian's stock 6.1 kernel
# (linux-image-amd64 + linux-headers-amd64), boot that kernel in QEMU and
# run the `stock` tests of test/plan there: users run distribution
# kernels, and this proves our modules load and work on one.
#
# Usage: stock.sh RESULTS_DIR [GLOBS [KINDS]]
#   KINDS: the kinds of test/plan to run, '+'-separated (default stock)
#        stock.sh --prepare
#   builds what the lane and a nested VM need (our modules for Debian's
#   kernel, its ELF, the initramfs) and boots nothing
set -eu
results=$1
filter=${2:-*}
kinds=${3:-stock}
top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/test/vm

"$vm/deps.sh" stock
ver=$(ls /lib/modules | grep -E '^6\.1\.0-[0-9]+-amd64$' | sort -V | tail -n 1)
if [ -z "$ver" ] || [ ! -f "/boot/vmlinuz-$ver" ] || [ ! -d "/lib/modules/$ver/build" ]; then
	echo "stock: no Debian 6.1 kernel with headers installed" >&2
	exit 1
fi
echo "stock: Debian kernel $ver"
"$vm/build-modules.sh" "/lib/modules/$ver/build"

# The kernel as an ELF, for the VMs that tests boot inside the guest
# (test/guest/vm_guest_driver.sh): QEMU starts it at its PVH entry, where
# the bzImage would spend minutes of nested TCG unpacking itself.
# build/stock is shared by the trees that link it (test/host/any_path_test.sh
# runs a copy of this one beside it): one writer at a time.
mkdir -p "$top/build/stock"
exec 8> "$top/build/stock/.lock"
flock 8
# the release every user of build/stock/ (a nested VM's kernel) reads
echo "$ver" > "$top/build/stock/release"
vmlinux=$top/build/stock/vmlinux-$ver
if [ ! -s "$vmlinux" ]; then
	python3 - "/boot/vmlinuz-$ver" "$vmlinux.tmp" <<'PY' || exit 1
import lzma, sys
data = open(sys.argv[1], 'rb').read()
at = data.find(b'\xfd7zXZ\x00')
if at < 0:
    sys.exit('stock: no xz-compressed kernel in ' + sys.argv[1])
elf = lzma.LZMADecompressor().decompress(data[at:])
if elf[:4] != b'\x7fELF':
    sys.exit('stock: ' + sys.argv[1] + ' holds no ELF kernel')
open(sys.argv[2], 'wb').write(elf)
PY
	mv "$vmlinux.tmp" "$vmlinux"
fi

# A busybox initramfs that loads the stock kernel's virtio-9p modules and
# switches to the host root, where guest-init.sh takes over.
initrd=$top/build/stock/initramfs-$ver.cpio.gz
if [ ! -f "$initrd" ] || [ "$initrd" -ot "$0" ]; then
	work=$top/build/stock/initramfs-$ver
	rm -rf "$work"
	mkdir -p "$work/bin" "$work/lib" "$work/proc" "$work/sys" "$work/dev" "$work/newroot"
	cp /bin/busybox "$work/bin/busybox"
	modprobe -S "$ver" -a --show-depends 9p 9pnet_virtio virtio_pci 2>/dev/null |
		awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' > "$work/modules.list"
	while read -r ko; do
		cp "$ko" "$work/lib/"
		basename "$ko" >> "$work/modules.order"
	done < "$work/modules.list"
	cat > "$work/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules.order); do
	insmod "/lib/$m" || echo "initramfs: cannot load $m"
done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro root /newroot ||
	{ echo "initramfs: cannot mount the 9p root"; echo c > /proc/sysrq-trigger; }
umount /dev /sys /proc
exec switch_root /newroot "$WD_INIT"
INIT
	chmod +x "$work/init"
	(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
fi
exec 8>&-
[ "$results" = --prepare ] && exit 0

# selected NAME: the run's globs select the test NAME
selected() {
	set -f
	old_ifs=$IFS
	IFS=,
	for g in $filter; do
		case $1 in $g) IFS=$old_ifs; set +f; return 0 ;; esac
	done
	IFS=$old_ifs
	set +f
	return 1
}
# What test/guest/packages_install.sh installs: the Debian packages, built
# here beside the host tests (about a minute), as a user would, and DKMS's
# archive of their modules built for the guest's kernel (20 s here; the
# guest's postinst loads it instead of compiling for 25 minutes under TCG).
# WD_DKMS_IN_GUEST=1 leaves it out: DKMS compiles in the guest.
# (only a run of the stock kind: make check's nested lane is a run of its
# own, with the same globs)
rm -rf "$top/build/deb-prebuilt"
case +$kinds+ in
*+stock+*) debs=yes ;;
*) debs=no ;;
esac
# check.sh builds them once for this lane and the host test `packages`
# (WD_DEB: the directory, then the file with make's status).
if [ $debs = yes ] && selected packages_install_stock; then
	mkdir -p "$results"
	if [ -n "${WD_DEB:-}" ]; then
		echo "stock: the packages make check builds (${WD_DEB%%:*})"
		[ "$("$vm/deb-wait.sh" "${WD_DEB#*:}")" = 0 ]
	else
		echo "stock: make deb (build/deb, log $results/deb.log)"
		make -C "$top" --no-print-directory deb > "$results/deb.log" 2>&1
	fi
	if [ $? != 0 ]; then
		echo "stock: make deb failed: the install test will say so"
	elif [ "${WD_DKMS_IN_GUEST:-0}" != 1 ]; then
		"$vm/dkms-prebuilt.sh" "$top/build/deb" "$ver" "$top/build/deb-prebuilt" \
			>> "$results/deb.log" 2>&1 ||
			echo "stock: dkms-prebuilt.sh failed (log $results/deb.log): DKMS compiles in the guest"
	fi
fi

WD_INITRD=$initrd "$vm/run-guest.sh" "/boot/vmlinuz-$ver" "$results" 4800 \
	test/vm/guest-check.sh "$kinds" "$filter"
