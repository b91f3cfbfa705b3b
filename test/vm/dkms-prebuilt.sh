#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dkms-prebuilt.sh DEBDIR KVER OUTDIR: DKMS's own prebuilt-modules archive
# (dkms mktarball: the source and the modules built for KVER) made on the
# host from DEBDIR's warpdrive-dkms package, for packages_install_stock.
#
# Debian's DKMS postinst (/usr/lib/dkms/common.postinst) loads
# /usr/share/<name>-dkms/<name>-<version>.dkms.tar.gz with `dkms
# ldtarball` instead of `dkms add` when that file exists, and then only
# installs the modules it finds built.  The guest test puts this archive
# there, so that apt's install runs the package's own postinst without
# compiling under TCG (11 minutes alone, 25 beside make check's other
# lanes); the compile itself, of the same packaged source against the
# same headers, takes 20 seconds here and is tested by the host test
# `packages` (test/host/packages_test.sh).  Nothing here touches
# /var/lib/dkms, /usr/src or /lib/modules: DKMS runs on its own trees,
# signing with a key made for the run.
set -eu
deb=$(readlink -f "$1")
kver=$2
out=$(readlink -f "$3")
kdir=/usr/src/linux-headers-$kver

set -- "$deb"/warpdrive-dkms_*_all.deb
[ -f "$1" ] || { echo "dkms-prebuilt: no warpdrive-dkms package in $deb" >&2; exit 1; }
[ -d "$kdir" ] || { echo "dkms-prebuilt: no headers in $kdir" >&2; exit 1; }
pkg=$1
ver=$(dpkg-deb -f "$pkg" Version)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root" "$tmp/tree" "$tmp/src" "$tmp/mods" "$out"
dpkg-deb -x "$pkg" "$tmp/root"
cp -a "$tmp/root/usr/src/warpdrive-$ver" "$tmp/src/"

dkms_() {
	mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub \
		dkms "$@" --dkmstree "$tmp/tree" --sourcetree "$tmp/src" \
		--installtree "$tmp/mods"
}
if ! { dkms_ add "warpdrive/$ver" &&
       dkms_ build "warpdrive/$ver" -k "$kver" --kernelsourcedir "$kdir" &&
       dkms_ mktarball "warpdrive/$ver" -k "$kver" \
		--archive "$out/warpdrive-$ver.dkms.tar.gz"; } > "$tmp/log" 2>&1; then
	cat "$tmp/log" "$tmp/tree/warpdrive/$ver/build/make.log" >&2 2> /dev/null
	echo "dkms-prebuilt: DKMS could not build warpdrive $ver for $kver" >&2
	exit 1
fi
echo "dkms-prebuilt: $out/warpdrive-$ver.dkms.tar.gz (modules for $kver)"
