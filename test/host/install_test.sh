#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make install DESTDIR=... PREFIX=/usr` installs exactly the expected
# tree: libraries with their sonames and no rpath, headers, pkg-config,
# the OpenSSL provider in OpenSSL's modules directory, the tools and the
# udev rule.  A program built with the installed
# pkg-config file compresses (software path: the host has no device) and
# gzip reads its output; the installed wdzip round-trips a file with gzip;
# man finds the installed pages, which groff formats without a warning;
# `make uninstall` leaves no file behind.  TAP.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d /tmp/wd-install.XXXXXX) ||
	{ printf '1..1\nnot ok 1 mktemp -d\n'; exit 1; }
trap 'rm -rf "$d"' EXIT
root=$d/root
. "$top/test/lib/tap.sh"

make -C "$top" --no-print-directory install DESTDIR="$root" PREFIX=/usr \
	> "$d/install.log" 2>&1
rc=$?
result $rc "make install DESTDIR=... PREFIX=/usr"
[ $rc = 0 ] || sed 's/^/# /' "$d/install.log" | tail -n 20

cat > "$d/want" <<'LIST'
usr/bin/wdbench
usr/bin/wdcdi
usr/bin/wdzip
usr/include/warpdrive/common.h
usr/include/warpdrive/comp.h
usr/include/warpdrive/crypto.h
usr/include/warpdrive/queue.h
usr/include/warpdrive/uapi/misc/uacce/uacce.h
usr/include/warpdrive/uapi/misc/uacce/vcrypt.h
usr/include/warpdrive/uapi/misc/uacce/vzip.h
usr/include/warpdrive/uapi/misc/uacce/wd_mem.h
usr/include/warpdrive/uapi/misc/uacce/wd_pci.h
usr/include/warpdrive/uapi/misc/uacce/wd_ring.h
usr/include/warpdrive/warpdrive.h
usr/lib/libwarpdrive.a
usr/lib/libwarpdrive.so -> libwarpdrive.so.1
usr/lib/libwarpdrive.so.1 -> libwarpdrive.so.1.5
usr/lib/libwarpdrive.so.1.5
usr/lib/libwdz.so.1
usr/lib/pkgconfig/warpdrive.pc
usr/lib/udev/rules.d/60-warpdrive.rules
usr/share/man/man1/wdbench.1
usr/share/man/man1/wdcdi.1
usr/share/man/man1/wdzip.1
usr/share/man/man3/libwarpdrive.3
LIST
# the provider: OpenSSL's modules directory for PREFIX=/usr
moddir=$(pkg-config --variable=modulesdir libcrypto)
echo "${moddir#/}/warpdrive.so" >> "$d/want"
sort -o "$d/want" "$d/want"
(cd "$root" && find . ! -type d | sed 's|^\./||' | sort | while read -r f; do
	if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; else echo "$f"; fi
done) > "$d/got"
if diff -u "$d/want" "$d/got" > "$d/diff"; then
	pass "the installed files are exactly the expected ones"
else
	fail "the installed files are exactly the expected ones"
	sed 's/^/# /' "$d/diff"
fi

soname=$(readelf -d "$root/usr/lib/libwarpdrive.so.1.5" 2>/dev/null |
	 sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
shim=$(readelf -d "$root/usr/lib/libwdz.so.1" 2>/dev/null |
       sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname/$shim" = libwarpdrive.so.1/libwdz.so.1 ]
result $? "sonames libwarpdrive.so.1 and libwdz.so.1 ($soname, $shim)"

bad=""
for f in "$root"/usr/bin/wdzip "$root"/usr/bin/wdbench "$root"/usr/lib/*.so.* \
	 "$root$moddir/warpdrive.so"; do
	readelf -d "$f" 2>/dev/null | grep -q 'RPATH\|RUNPATH' && bad="$bad ${f#"$root"}"
done
[ -z "$bad" ]
result $? "no rpath into the build tree in what is installed${bad:+:$bad}"

# a program of a user of the installed package, from comp.h's example
cat > "$d/prog.c" <<'PROG'
#include <stdio.h>
#include <string.h>
#include <warpdrive/warpdrive.h>

int main(void)
{
	static char in[65536], out[70000], back[65536];
	struct wd_comp_params p = { .format = WD_FORMAT_GZIP, .level = 6 };
	size_t out_len = sizeof(out), back_len = sizeof(back), used;
	struct wd_comp *c;
	unsigned int i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = "warpdrive "[i % 10] + (char)(i / 4096);
	if (wd_comp_open(&c, &p) || wd_compress(c, in, sizeof(in), out, &out_len))
		return 1;
	used = out_len;
	if (wd_decompress(c, out, &used, back, &back_len) ||
	    back_len != sizeof(in) || memcmp(in, back, sizeof(in)))
		return 2;
	fprintf(stderr, "%zu bytes, %s\n", out_len,
		wd_comp_path(c, NULL) & WD_PATH_HW ? "hardware" : "software");
	wd_comp_close(c);
	fwrite(out, 1, out_len, stdout);
	fwrite(in, 1, sizeof(in), stderr);
	return 0;
}
PROG
flags=$(PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_LIBDIR=$root/usr/lib/pkgconfig \
	pkg-config --cflags --libs warpdrive 2>&1)
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Werror -o "$d/prog" "$d/prog.c" $flags \
	> "$d/cc.log" 2>&1
rc=$?
result $rc "a program builds with the installed pkg-config ($flags)"
[ $rc = 0 ] || sed 's/^/# /' "$d/cc.log"

LD_LIBRARY_PATH=$root/usr/lib WD_POLICY=sw "$d/prog" > "$d/out.gz" \
	2> "$d/in.raw"
rc=$?
tail -c 65536 "$d/in.raw" > "$d/in"
gzip -dc < "$d/out.gz" 2>/dev/null | cmp -s - "$d/in"
result $((rc + $?)) "it compresses and decompresses, and gzip reads its output"

head -c 300000 "$top/Documentation/uacce.rst" > "$d/file"
cp "$d/file" "$d/file.orig"
LD_LIBRARY_PATH=$root/usr/lib WD_POLICY=sw "$root/usr/bin/wdzip" "$d/file" &&
	gzip -t "$d/file.gz" &&
	LD_LIBRARY_PATH=$root/usr/lib WD_POLICY=sw "$root/usr/bin/wdzip" -d "$d/file.gz" &&
	cmp -s "$d/file" "$d/file.orig"
result $? "the installed wdzip compresses a file gzip accepts, and back"

grep -q 'SUBSYSTEM=="uacce", GROUP="warpdrive", MODE="0660"' \
	"$root/usr/lib/udev/rules.d/60-warpdrive.rules"
result $? "the udev rule gives uacce nodes to group warpdrive"

found=""
for page in wdzip wdbench wdcdi libwarpdrive; do
	MANPATH=$root/usr/share/man man -w "$page" > /dev/null 2>&1 ||
		found="$found $page"
done
[ -z "$found" ]
result $? "man finds the installed pages${found:+; not:$found}"

warn=$(for f in "$root"/usr/share/man/man*/*; do
	groff -man -ww -z -Tutf8 "$f" 2>&1 | sed "s|^|${f##*/}: |"
done)
[ -z "$warn" ]
result $? "groff formats every page without a warning"
[ -z "$warn" ] || echo "$warn" | sed 's/^/# /'

make -C "$top" --no-print-directory uninstall DESTDIR="$root" PREFIX=/usr \
	> "$d/uninstall.log" 2>&1
left=$(cd "$root" && find . ! -type d | sed 's|^\./||' | tr '\n' ' ')
[ -z "$left" ]
result $? "make uninstall leaves no file${left:+: $left}"
done_tap
