#!/bin/sh
# Install what WarpDrive needs on a Debian 12 machine, and only what is
# missing: the make targets call this before they build, so a fresh
# machine needs nothing but `make check` or `make demo`.
#
# Usage: deps.sh GROUP...   (groups: build kernel vm stock bench qemu10 pkg)
#
# qemu10 is no package of the system: QEMU 10 from bookworm-backports,
# unpacked under build/qemu10 beside the installed QEMU 7.2 (qemu10.sh).
#
# pkgs_* are read through eval, and the package lists split on purpose:
# shellcheck disable=SC2034,SC2086
set -eu

pkgs_build="build-essential make gcc libc6-dev pkg-config zlib1g-dev libssl-dev python3 kmod"
pkgs_kernel="linux-source-6.1 bc bison flex libelf-dev xz-utils rsync cpio perl"
pkgs_vm="qemu-system-x86 busybox-static cpio kmod mdevctl gzip python3 util-linux"
# real zlib programs run on the device by test/guest/zshim_programs.sh
pkgs_vm="$pkgs_vm git rsync curl pigz qpdf iproute2"
# test/host/callgraph_test.py reads the definitions with ctags
pkgs_vm="$pkgs_vm universal-ctags"
# test/host/docs_test.sh parses every Documentation/*.rst with docutils
pkgs_vm="$pkgs_vm python3-docutils"
# test/guest/mdev_podman.sh: a real container engine reads our CDI specs
pkgs_vm="$pkgs_vm podman"
pkgs_stock="linux-image-amd64 linux-headers-amd64"
pkgs_bench="libdeflate-dev libisal-dev"
pkgs_qemu10=""
# make deb, make install-dkms, test/host/packages_test.sh: Debian's own
# packaging tools (dpkg-buildpackage, dh_dkms, lintian)
pkgs_pkg="debhelper dh-dkms dkms dpkg-dev fakeroot lintian"

want=""
for group in "$@"; do
	eval "want=\"\$want \$pkgs_$group\""
done

missing=""
for p in $want; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$status" in
	ii*) ;;
	*) case " $missing " in *" $p "*) ;; *) missing="$missing $p" ;; esac ;;
	esac
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing Debian packages:$missing" >&2
		echo "deps: run as root, or: sudo apt-get install$missing" >&2
		exit 1
	fi

	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# Two callers can run at once (the stock lane beside the host tests):
	# the second waits for dpkg's lock instead of failing on it.
	lock="-o DPkg::Lock::Timeout=900"
	# An install can fail on a stale package list; refresh it once and retry.
	if ! apt-get install $lock -y --no-install-recommends $missing; then
		apt-get update $lock
		apt-get install $lock -y --no-install-recommends $missing
	fi
fi

case " $* " in
*" qemu10 "*) "$(dirname "$0")/qemu10.sh" ;;
esac
