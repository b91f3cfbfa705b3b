#!/bin/sh
# Build a WarpDrive test kernel from Debian's linux-source-6.1.
#
# Usage: build-kernel.sh base|debug
#
# The kernel lands in build/kernel/<flavor>/ (an O= build tree, usable as
# KDIR for our modules). It is rebuilt only when the key changes: the
# linux-source version, the config fragments, this script and
# kconfig-check.sh.
set -eu

flavor=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/test/vm
build=$top/build
jobs=$(nproc)

case "$flavor" in
base)	frags="$vm/base.config";		localversion=-wd ;;
debug)	frags="$vm/base.config $vm/debug.config"; localversion=-wd-dbg ;;
*)	echo "build-kernel: unknown flavor '$flavor' (base or debug)" >&2; exit 2 ;;
esac

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) || {
	echo "build-kernel: linux-source-6.1 is not installed (run test/vm/deps.sh kernel)" >&2
	exit 1
}
key=$( { echo "$srcver $localversion"; cat $frags "$0" "$vm/kconfig-check.sh"; } |
	sha256sum | cut -c1-16)
out=$build/kernel/$flavor

if [ -f "$out/.wd-key" ] && [ "$(cat "$out/.wd-key")" = "$key" ] &&
   [ -f "$out/arch/x86/boot/bzImage" ]; then
	exit 0
fi

# The unpacked tree is shared by both flavors (O= builds keep it clean).
src=$build/src/linux-source-6.1
if [ ! -f "$src/.wd-version" ] || [ "$(cat "$src/.wd-version")" != "$srcver" ]; then
	echo "build-kernel: unpacking linux-source-6.1 $srcver"
	rm -rf "$build/src"
	mkdir -p "$build/src.tmp"
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$build/src.tmp"
	mv "$build/src.tmp" "$build/src"
	echo "$srcver" > "$src/.wd-version"
fi

echo "build-kernel: building the $flavor kernel ($srcver$localversion) in build/kernel/$flavor"
rm -f "$out/.wd-key"
mkdir -p "$out"
lvfrag=$out/.wd-localversion.config
printf 'CONFIG_LOCALVERSION="%s"\n# CONFIG_LOCALVERSION_AUTO is not set\n' "$localversion" > "$lvfrag"

make -s -C "$src" O="$out" tinyconfig >/dev/null
(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$out" "$out/.config" $frags "$lvfrag" >/dev/null)
make -s -C "$src" O="$out" olddefconfig >/dev/null

# merge_config.sh only warns about options Kconfig dropped: refuse instead.
if ! "$vm/kconfig-check.sh" "$out/.config" $frags > "$out/.wd-dropped"; then
	echo "build-kernel: options in the fragments that did not survive olddefconfig:" >&2
	sed 's/^/  /' "$out/.wd-dropped" >&2
	exit 1
fi

make -s -C "$src" O="$out" -j"$jobs" bzImage modules
make -s -C "$src" O="$out" -j"$jobs" modules_prepare
echo "$key" > "$out/.wd-key"
echo "build-kernel: $flavor kernel ready: $(cat "$out/include/config/kernel.release")"
