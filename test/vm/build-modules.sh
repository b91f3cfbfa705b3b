#!/bin/sh
# Build WarpDrive's kernel modules against a kernel build tree.
#
# Usage: build-modules.sh KDIR
#
# kbuild (6.1) writes objects next to the sources, so the sources are
# copied (rsync, mtimes kept: rebuilds stay incremental) to
# build/modules/<kernelrelease>/, one tree per kernel.
set -eu

kdir=$1
top=$(cd "$(dirname "$0")/../.." && pwd)

uts=$kdir/include/generated/utsrelease.h
if [ ! -f "$kdir/Makefile" ] || [ ! -f "$uts" ]; then
	echo "build-modules: $kdir is not a prepared kernel build tree" >&2
	echo "build-modules: install linux-headers-\$(uname -r), or run 'make modules_prepare' in it" >&2
	exit 1
fi
# The release the kernel reports (uname -r), which names the output dir
# (Debian's headers say 6.1.192 in kernel.release but 6.1.0-N-amd64 here).
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$uts")
case "$release" in
6.1|6.1.*|6.1-*) ;;
*) echo "build-modules: warning: $kdir is Linux $release; WarpDrive targets 6.1" >&2 ;;
esac

out=$top/build/modules/$release
mkdir -p "$out"
cd "$top"
# One build at a time per tree: two would rsync and compile over each other.
exec 9> "$out/.build.lock"
flock 9
for d in uacce drivers include test/kunit test/kmod test/include; do
	[ -d "$d" ] || continue
	mkdir -p "$out/$d"
	rsync -a --delete --prune-empty-dirs \
		--filter='protect *.o' --filter='protect *.ko' --filter='protect .*' --filter='protect *.a' \
		--filter='protect *.mod' --filter='protect *.mod.c' --filter='protect modules.order' --filter='protect *.symvers' \
		--exclude='*.mod.c' --include='*/' --include='Kbuild' --include='*.c' --include='*.h' \
		--exclude='*' "$d/" "$out/$d/"
done
cp -p Kbuild "$out/Kbuild"

make -s -C "$kdir" M="$out" -j"$(nproc)" modules
echo "build-modules: modules for $release in ${out#$top/}:"
(cd "$out" && find . -name '*.ko' | sort | sed 's|^\./|  |')
