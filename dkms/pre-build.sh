#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# DKMS's PRE_BUILD for WarpDrive (dkms.conf): says why a kernel is refused
# and which optional modules its configuration builds.  Runs in DKMS's
# build directory.  Usage: pre-build.sh KERNEL_SOURCE_DIR
#
# DKMS 3.0 ignores this script's exit status, so the refusal that stops
# the build is the top-level Kbuild's; this only says it early.
kdir=${1:?usage: pre-build.sh KERNEL_SOURCE_DIR}

has() {
	grep -qs "^$1=[ym]" "$kdir/.config" ||
		grep -qs "^$1=[ym]" "$kdir/include/config/auto.conf"
}

if has CONFIG_UACCE; then
	echo "warpdrive: refused: $kdir has CONFIG_UACCE (the in-tree uacce framework), whose module, class and symbols would collide with WarpDrive's uacce" >&2
	exit 1
fi
has CONFIG_VFIO_MDEV || echo "warpdrive: no CONFIG_VFIO_MDEV in $kdir: wd_mdev is not built"
if has CONFIG_KUNIT && [ -f test/kunit/Kbuild ]; then
	echo "warpdrive: CONFIG_KUNIT: the KUnit suites are built too"
fi
exit 0
