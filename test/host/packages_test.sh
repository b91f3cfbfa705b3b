#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The Debian packages (Documentation/packaging.rst): `make deb` builds the
# five of them; each holds its key files; lintian finds no error and no
# warning; DKMS, in a throwaway tree (--dkmstree, --sourcetree,
# --installtree: nothing reaches /var/lib/dkms or /lib/modules, nothing
# is loaded), builds the modules from warpdrive-dkms against Debian's
# 6.1 headers, skips a kernel of another series without failing its
# autoinstall, and refuses a copy of the headers with CONFIG_UACCE=m
# before anything compiles; a program builds against the packaged
# pkg-config file and against `make install DESTDIR=`'s, and runs.  TAP.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/test/lib/tap.sh"

# Debian's newest 6.1 headers (linux-headers-amd64), as the stock lane
kver=$(cd /usr/src 2> /dev/null && ls -d linux-headers-6.1.0-*-amd64 | \
	sed 's/^linux-headers-//' | sort -V | tail -n 1)
kdir=/usr/src/linux-headers-$kver
[ -n "$kver" ] && [ -f "$kdir/Makefile" ] ||
	fail_all "no /usr/src/linux-headers-6.1.0-*-amd64 (deps.sh stock installs linux-headers-amd64)"
d=$(mktemp -d /tmp/wd-packages.XXXXXX) || fail_all "mktemp -d"
trap 'rm -rf "$d"' EXIT

ver=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$top/lib/Makefile")
arch=$(dpkg-architecture -qDEB_HOST_ARCH 2> /dev/null)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2> /dev/null)

# show LOG: the end of a log as TAP comments
show() {
	tail -n "${2:-15}" "$1" | sed 's/^/# /'
}

# --- the packages ----------------------------------------------------------
# make check builds the packages once for this test and the stock lane
# (WD_DEB: the directory, then the file with make's exit status, which
# appears when the build, running beside, ends)
if [ -n "${WD_DEB:-}" ]; then
	deb=${WD_DEB%%:*}
	rc=$("$top/test/vm/deb-wait.sh" "${WD_DEB#*:}")
	cp "$(dirname "${WD_DEB#*:}")/deb.log" "$d/deb.log" 2>/dev/null
else
	deb=$d/deb
	make -C "$top" --no-print-directory deb DEB_O="$deb" > "$d/deb.log" 2>&1
	rc=$?
fi
result $rc "make deb (dpkg-buildpackage -b -us -uc)"
[ $rc = 0 ] || show "$d/deb.log"

missing=""
for p in warpdrive-dkms_${ver}_all libwarpdrive1_${ver}_$arch \
	 libwarpdrive-dev_${ver}_$arch warpdrive-tools_${ver}_$arch \
	 warpdrive-openssl-provider_${ver}_$arch; do
	[ -f "$deb/$p.deb" ] || missing="$missing $p.deb"
done
[ -f "$deb/warpdrive_${ver}_$arch.changes" ] || missing="$missing .changes"
[ -z "$missing" ]
result $? "the five packages and the .changes are in build/deb${missing:+; missing:$missing}"

# has PACKAGE PATH...: the package's file list holds every PATH (a
# symlink as "path -> target")
has() {
	pkg=$1
	shift
	dpkg-deb -c "$deb/${pkg}_${ver}_$(
		[ "$pkg" = warpdrive-dkms ] && echo all || echo "$arch").deb" 2> /dev/null |
		awk '{ $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); sub(/^\.\//, ""); print }' \
		> "$d/list.$pkg"
	lack=""
	for f in "$@"; do
		grep -qxF "$f" "$d/list.$pkg" || lack="$lack $f"
	done
	[ -z "$lack" ]
	result $? "$pkg holds its key files${lack:+; missing:$lack}"
}

src=usr/src/warpdrive-$ver
has warpdrive-dkms "$src"/dkms.conf "$src"/pre-build.sh "$src"/Kbuild \
	"$src"/uacce/Kbuild "$src"/uacce/device.c "$src"/drivers/Kbuild \
	"$src"/drivers/vzip/main.c "$src"/drivers/engine/engine.c \
	"$src"/drivers/mdev/core.c \
	"$src"/drivers/wd_pci/main.c "$src"/include/linux/uacce.h \
	"$src"/include/uapi/misc/uacce/uacce.h "$src"/test/kunit/Kbuild \
	"$src"/test/kunit/uacce_test.c
lib=usr/lib/$multiarch
has libwarpdrive1 "$lib/libwarpdrive.so.1 -> libwarpdrive.so.$ver" \
	"$lib/libwarpdrive.so.$ver" "$lib/libwdz.so.1"
has libwarpdrive-dev usr/include/warpdrive/warpdrive.h \
	usr/include/warpdrive/comp.h usr/include/warpdrive/crypto.h \
	usr/include/warpdrive/queue.h \
	usr/include/warpdrive/common.h \
	usr/include/warpdrive/uapi/misc/uacce/uacce.h \
	usr/include/warpdrive/uapi/misc/uacce/vcrypt.h \
	usr/include/warpdrive/uapi/misc/uacce/wd_ring.h \
	usr/include/warpdrive/uapi/misc/uacce/wd_mem.h \
	"$lib/libwarpdrive.so -> libwarpdrive.so.1" "$lib/libwarpdrive.a" \
	"$lib/pkgconfig/warpdrive.pc" usr/share/man/man3/libwarpdrive.3.gz
has warpdrive-tools usr/bin/wdzip usr/bin/wdbench usr/bin/wdcdi \
	usr/share/man/man1/wdzip.1.gz usr/share/man/man1/wdbench.1.gz \
	usr/share/man/man1/wdcdi.1.gz lib/udev/rules.d/60-warpdrive.rules
has warpdrive-openssl-provider "$lib/ossl-modules/warpdrive.so"

# one package per concern: no file in two packages, dkms.conf only once
dups=$(cat "$d"/list.* | grep -v -e '/$' -e '^$' | sort | uniq -d | tr '\n' ' ')
[ -z "$dups" ]
result $? "no file is in two packages${dups:+: $dups}"

# the maintainer scripts: the group, the DKMS hooks
for p in warpdrive-tools warpdrive-dkms; do
	dpkg-deb -e "$deb/${p}_${ver}_$( [ $p = warpdrive-dkms ] && echo all ||
		echo "$arch").deb" "$d/ctl.$p" 2> /dev/null
done
grep -q '^[[:space:]]*addgroup --system .*warpdrive' "$d/ctl.warpdrive-tools/postinst" 2> /dev/null &&
	grep -q 'GROUP="warpdrive"' "$top/udev/60-warpdrive.rules"
result $? "warpdrive-tools' postinst creates the system group warpdrive its udev rule names"
grep -q 'common.postinst' "$d/ctl.warpdrive-dkms/postinst" 2> /dev/null &&
	grep -q 'dkms remove' "$d/ctl.warpdrive-dkms/prerm" 2> /dev/null &&
	dpkg-deb -f "$deb/warpdrive-dkms_${ver}_all.deb" Depends | grep -q 'dkms'
result $? "warpdrive-dkms depends on dkms and adds/removes its modules in postinst/prerm"

# --- lintian ---------------------------------------------------------------
lintian -I -E --pedantic "$deb/warpdrive_${ver}_$arch.changes" > "$d/lintian.log" 2>&1
grep -v 'running with root privileges' "$d/lintian.log" > "$d/lintian.tags"
! grep -q '^E:' "$d/lintian.tags"
result $? "lintian -I -E --pedantic: no error"
grep '^E:' "$d/lintian.tags" | sed 's/^/# /'
! grep -q '^W:' "$d/lintian.tags"
result $? "lintian: no warning (each one is fixed or overridden with its reason)"
grep '^W:' "$d/lintian.tags" | sed 's/^/# /'

# --- DKMS, in a throwaway tree --------------------------------------------
root=$d/root
for p in warpdrive-dkms_${ver}_all libwarpdrive1_${ver}_$arch \
	 libwarpdrive-dev_${ver}_$arch warpdrive-tools_${ver}_$arch \
	 warpdrive-openssl-provider_${ver}_$arch; do
	dpkg-deb -x "$deb/$p.deb" "$root" 2> /dev/null
done
grep -q "^PACKAGE_VERSION=\"$ver\"\$" "$root/$src/dkms.conf" 2> /dev/null
result $? "the packaged dkms.conf has the package's version, $ver"

# modules_for KERNEL_SOURCE_DIR: the modules dkms.conf lists for a kernel
modules_for() {
	mkdir -p "$d/conf/warpdrive/$ver"
	ln -sfn "$root/$src" "$d/conf/warpdrive/$ver/source"
	bash -c 'kernel_source_dir=$1 dkms_tree=$2 kernelver=$3
		. "$2/warpdrive/'"$ver"'/source/dkms.conf"
		echo "${BUILT_MODULE_NAME[*]}"' sh "$1" "$d/conf" "$2"
}

# a copy of the headers with some options changed (scripts/ and tools/
# are relative links into linux-kbuild: made absolute)
fake_kernel() {
	out=$1
	shift
	cp -a "$kdir" "$out" && (
		cd "$out" || exit 1
		for l in scripts tools; do
			ln -sfn "$(readlink -f "$kdir/$l")" "$l"
		done
		for opt in "$@"; do
			name=${opt%=*} val=${opt#*=}
			sed -i "/^# $name is not set\$/d; /^$name=/d" .config include/config/auto.conf
			echo "$name=$val" >> .config
			echo "$name=$val" >> include/config/auto.conf
			[ "$val" = m ] && suffix=_MODULE || suffix=
			echo "#define $name$suffix 1" >> include/generated/autoconf.h
		done
	)
}

eq "dkms.conf: the modules for Debian's $kver (mdev, no KUnit)" \
	"$(modules_for "$kdir" "$kver")" "uacce wd_engine vzip vcrypt wd_pci wd_mdev"
fake_kernel "$d/kunit-headers" CONFIG_KUNIT=m
eq "dkms.conf: the KUnit suites too for a kernel with CONFIG_KUNIT" \
	"$(modules_for "$d/kunit-headers" "$kver")" \
	"uacce wd_engine vzip vcrypt wd_pci wd_mdev uacce_test vzip_test vcrypt_test wd_pci_test wd_mdev_test wd_mdev_vfio_test"
rm -rf "$d/kunit-headers"

# dkms_ TREE ARGS...: DKMS on its own trees; modules signed with a key of
# the run (not /var/lib/dkms/mok.key)
dkms_() {
	t=$1
	shift
	mkdir -p "$d/$t/tree" "$d/$t/src" "$d/$t/mods/$kver"
	[ -e "$d/$t/src/warpdrive-$ver" ] || cp -a "$root/$src" "$d/$t/src/"
	mok_signing_key=$d/mok.key mok_certificate=$d/mok.pub \
		dkms "$@" --dkmstree "$d/$t/tree" --sourcetree "$d/$t/src" \
		--installtree "$d/$t/mods"
}

dkms_ ok add "warpdrive/$ver" > "$d/dkms.log" 2>&1 &&
	dkms_ ok build "warpdrive/$ver" -k "$kver" --kernelsourcedir "$kdir" \
		>> "$d/dkms.log" 2>&1
rc=$?
result $rc "dkms add and dkms build against $kdir"
[ $rc = 0 ] || { show "$d/dkms.log"; show "$d/ok/tree/warpdrive/$ver/build/make.log"; }

built=$(find "$d/ok/tree/warpdrive/$ver/$kver/x86_64/module" -type f \
	-printf '%f\n' 2> /dev/null | sort | tr '\n' ' ')
eq "the modules come out: uacce, vcrypt, vzip, wd_engine, wd_mdev, wd_pci" "$built" \
	"uacce.ko vcrypt.ko vzip.ko wd_engine.ko wd_mdev.ko wd_pci.ko "
magic=$(modinfo -F vermagic "$d/ok/tree/warpdrive/$ver/$kver/x86_64/module/uacce.ko" 2> /dev/null)
case "$magic" in
"$kver "*) pass "uacce.ko is built for $kver ($magic)" ;;
*) fail "uacce.ko is built for $kver (vermagic '$magic')" ;;
esac

# a kernel update: autoinstall for a 6.1 kernel installs (into the
# throwaway tree, no depmod); for another series it does nothing and
# succeeds, where DKMS 3.0.10 fails it for BUILD_EXCLUSIVE_KERNEL alone
dkms_ ok autoinstall -k "$kver" --kernelsourcedir "$kdir" --no-depmod \
	> "$d/auto.log" 2>&1
rc=$?
[ $rc = 0 ] && [ -f "$d/ok/mods/$kver/updates/dkms/uacce.ko" ]
result $? "dkms autoinstall for a 6.1 kernel installs the modules (exit $rc)"
[ $rc = 0 ] || show "$d/auto.log"
dkms_ ok autoinstall -k 6.12.0-0-amd64 --kernelsourcedir "$kdir" --no-depmod \
	> "$d/auto612.log" 2>&1
rc=$?
[ $rc = 0 ] && [ ! -e "$d/ok/tree/warpdrive/$ver/6.12.0-0-amd64" ]
result $? "dkms autoinstall for a 6.12 kernel builds nothing and succeeds (exit $rc)"
[ $rc = 0 ] || show "$d/auto612.log"
dkms_ ok build "warpdrive/$ver" -k 6.12.0-0-amd64 --kernelsourcedir "$kdir" \
	> "$d/excl.log" 2>&1
rc=$?
[ $rc = 77 ] && grep -q BUILD_EXCLUSIVE "$d/excl.log"
result $? "dkms build for a 6.12 kernel: BUILD_EXCLUSIVE_KERNEL, exit 77 (got $rc)"

# a kernel with the in-tree uacce: refused by the top-level Kbuild
fake_kernel "$d/uacce-headers" CONFIG_UACCE=m
dkms_ bad add "warpdrive/$ver" > "$d/bad.log" 2>&1
dkms_ bad build "warpdrive/$ver" -k "$kver" --kernelsourcedir "$d/uacce-headers" \
	>> "$d/bad.log" 2>&1
rc=$?
[ $rc != 0 ]
result $? "dkms build for a kernel with CONFIG_UACCE=m fails (exit $rc)"
bdir=$d/bad/tree/warpdrive/$ver/build
grep -q "refuses this kernel: it has CONFIG_UACCE=m" "$bdir/make.log" 2> /dev/null
result $? "the build says why: the kernel has CONFIG_UACCE"
grep -q "warpdrive: refused: .* has CONFIG_UACCE" "$d/bad.log"
result $? "pre-build.sh says it first"
objs=$(find "$bdir" -name '*.o' 2> /dev/null | wc -l)
[ -d "$bdir" ] && [ "$objs" = 0 ]
result $? "nothing compiled before the refusal ($objs objects)"

# --- building against the packages and against make install ---------------
cat > "$d/prog.c" <<'PROG'
#include <string.h>
#include <warpdrive/warpdrive.h>

int main(void)
{
	static char in[32768], out[40000], back[32768];
	struct wd_comp_params p = { .format = WD_FORMAT_GZIP, .level = 6 };
	size_t out_len = sizeof(out), back_len = sizeof(back), used;
	struct wd_comp *c;
	unsigned int i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = "packaged "[i % 9];
	if (wd_comp_open(&c, &p) || wd_compress(c, in, sizeof(in), out, &out_len))
		return 1;
	used = out_len;
	if (wd_decompress(c, out, &used, back, &back_len) ||
	    back_len != sizeof(in) || memcmp(in, back, sizeof(in)))
		return 2;
	wd_comp_close(c);
	return 0;
}
PROG

# build_run ROOT LIBDIR WHAT: prog.c with ROOT's pkg-config file, run
build_run() {
	flags=$(PKG_CONFIG_SYSROOT_DIR=$1 PKG_CONFIG_LIBDIR=$1$2/pkgconfig \
		pkg-config --cflags --libs warpdrive 2>&1)
	# shellcheck disable=SC2086
	cc -std=c11 -Wall -Wextra -Werror -o "$d/prog" "$d/prog.c" $flags \
		> "$d/cc.log" 2>&1 &&
		LD_LIBRARY_PATH=$1$2 WD_POLICY=sw "$d/prog"
	rc=$?
	result $rc "a program builds with $3's pkg-config and runs ($flags)"
	[ $rc = 0 ] || show "$d/cc.log"
}
build_run "$root" "/$lib" "the packages"

make -C "$top" --no-print-directory install DESTDIR="$d/inst" PREFIX=/usr \
	libdir="/$lib" > "$d/install.log" 2>&1
rc=$?
result $rc "make install DESTDIR=... PREFIX=/usr libdir=/$lib"
[ $rc = 0 ] || show "$d/install.log"
build_run "$d/inst" "/$lib" "make install DESTDIR="

head -c 200000 "$top/Documentation/uacce.rst" > "$d/file"
cp "$d/file" "$d/file.orig"
LD_LIBRARY_PATH=$root/$lib WD_POLICY=sw "$root/usr/bin/wdzip" "$d/file" &&
	gzip -t "$d/file.gz" &&
	LD_LIBRARY_PATH=$root/$lib WD_POLICY=sw "$root/usr/bin/wdzip" -d "$d/file.gz" &&
	cmp -s "$d/file" "$d/file.orig"
result $? "the packaged wdzip compresses a file gzip accepts, and back"
MANPATH=$root/usr/share/man man -w wdzip > /dev/null 2>&1
result $? "man finds the packaged wdzip page"

# the packaged provider, without runpath: the packaged library
want=$(openssl sha256 -r "$d/file.orig" 2> /dev/null)
got=$(OPENSSL_CONF=/dev/null LD_LIBRARY_PATH=$root/$lib WD_STATS=1 \
	openssl sha256 -provider-path "$root/$lib/ossl-modules" \
	-provider warpdrive -provider default -r "$d/file.orig" 2> "$d/prov.err")
[ -n "$want" ] && [ "$got" = "$want" ] &&
	grep -q '^libwarpdrive: sw [1-9]' "$d/prov.err" &&
	! readelf -d "$root/$lib/ossl-modules/warpdrive.so" | grep -q 'RPATH\|RUNPATH'
result $? "the packaged warpdrive.so (no runpath) computes SHA-256 through the packaged library"

done_tap
