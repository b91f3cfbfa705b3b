#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# zlib 1.2.13's own example.c and minigzip.c (built by test/host/Makefile
# from /usr/share/doc/zlib1g-dev/examples/, Debian's zlib1g-dev) under
# LD_PRELOAD=libwdz.so.1, checked against the stock gzip and zlib.
# On the host: the software path; in the guest with WD_POLICY=hw
# WD_SW_THRESHOLD=0: the device.
set -u
TOP=$(pwd)
SHIM=$TOP/build/user/lib/libwdz.so.1
BIN=$TOP/build/user/test
T=$(mktemp -d /tmp/zlib-examples.XXXXXX)
trap 'rm -rf "$T"' EXIT
. test/lib/tap.sh

shim() {
	env LD_PRELOAD="$SHIM" WD_STATS=1 "$@" 2>>"$T/stats"
}

echo "TAP version 13"
cd "$T" || exit 1
shim "$BIN/zlib_example" "$T/foo.gz" > "$T/example.out"
r=$?
sed 's/^/# /' "$T/example.out"
result $r "zlib's example: exits 0"
for what in "uncompress(): hello, hello!" "gzread(): hello, hello!" \
	    "gzgets() after gzseek:  hello!" "inflate(): hello, hello!" \
	    "large_inflate(): OK" "after inflateSync(): hello, hello!" \
	    "inflate with dictionary: hello, hello!"; do
	grep -qxF "$what" "$T/example.out"
	result $? "zlib's example: $what"
done

python3 -c '
import random, sys
r = random.Random(7)
w = b"minigzip zlib shim device queue window ".split()
open(sys.argv[1], "wb").write(b" ".join(r.choice(w) for _ in range(60000)))
open(sys.argv[2], "wb").write(bytes(r.getrandbits(8) for _ in range(100000)))
' "$T/text" "$T/rand"
for f in text rand; do
	for opt in "" -1 -9 -f -h -r; do
		shim "$BIN/zlib_minigzip" $opt < "$T/$f" > "$T/$f$opt.gz"
		r=$?
		gzip -dc < "$T/$f$opt.gz" | cmp -s - "$T/$f"
		result $((r + $?)) "minigzip $opt $f: stock gzip -d reads it"
	done
	gzip -c -6 < "$T/$f" > "$T/$f.stock.gz"
	shim "$BIN/zlib_minigzip" -d < "$T/$f.stock.gz" | cmp -s - "$T/$f"
	result $? "minigzip -d $f: stock gzip's file"
done
hw=$(sed -n 's/^libwarpdrive: hw \([0-9]*\) requests.*/\1/p' "$T/stats" |
	awk '{s += $1} END {print s + 0}')
sw=$(sed -n 's/^libwarpdrive: sw \([0-9]*\) requests.*/\1/p' "$T/stats" |
	awk '{s += $1} END {print s + 0}')
echo "# $hw requests on the device, $sw on zlib"
sed -n 's/^\(libwdz:.*\)/\1/p' "$T/stats" | sort | uniq -c | sed 's/^/# /'
# on the device path the device must have run requests
if [ "${WD_POLICY:-auto}" != sw ] && ls /dev/vzip-* >/dev/null 2>&1; then
	[ "$hw" -gt 0 ]
	result $? "the device ran requests ($hw)"
fi
done_tap
