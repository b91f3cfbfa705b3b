#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# libwdz.so's whole-buffer calls (compress2(), uncompress()) on a machine
# with no accelerator, under each policy (Documentation/libwarpdrive.rst,
# "The drop-in and the policy"): auto runs them on the real zlib and
# WD_STATS names the reason "no-device"; hw fails them with Z_STREAM_ERROR,
# as it fails a stream's first data call, but for what the device lacks
# (level 0, empty buffers), which zlib does; sw runs them on zlib as asked.
# Python's ctypes calls the shim's symbols directly.  Host, TAP.
set -u
. test/lib/tap.sh
lib=$PWD/build/user/lib/libwdz.so.1
[ -e "$lib" ] || fail_all "no $lib (make user)"
ls /dev/vzip-* >/dev/null 2>&1 && fail_all "this machine has a vzip device"

# run POLICY: compress2() then uncompress() of 256 KiB through the shim;
# prints "compress2 RET uncompress RET", WD_STATS lines go to stderr
run() {
	WD_POLICY=$1 WD_STATS=1 WD_SW_THRESHOLD=0 python3 -c '
import ctypes, sys
z = ctypes.CDLL(sys.argv[1])
src = (b"WarpDrive no-device " * 13108)[:262144]
dst = ctypes.create_string_buffer(300000)
n = ctypes.c_ulong(len(dst))
r1 = z.compress2(dst, ctypes.byref(n), src, ctypes.c_ulong(len(src)), 6)
back = ctypes.create_string_buffer(len(src))
m = ctypes.c_ulong(len(back))
r2 = z.uncompress(back, ctypes.byref(m), dst, n) if r1 == 0 else r1
if r1 == 0 and (r2 != 0 or back.raw[:m.value] != src):
    r2 = "wrong-data"
print("compress2 %s uncompress %s" % (r1, r2))
' "$lib"
}

out=$(run auto 2>/tmp/zshim-nodev.$$)
eq "policy auto: both on zlib" "$out" "compress2 0 uncompress 0"
check "policy auto: WD_STATS names no-device for both" \
	grep -q "sw 2 requests.*no-device 2" /tmp/zshim-nodev.$$
grep libwarpdrive /tmp/zshim-nodev.$$ | sed 's/^/# /'
out=$(run hw 2>/tmp/zshim-nodev.$$)
eq "policy hw: Z_STREAM_ERROR, nothing runs on zlib" "$out" \
	"compress2 -2 uncompress -2"
check "policy hw: no software request counted" \
	sh -c "! grep -q 'sw [1-9]' /tmp/zshim-nodev.$$"
# what the device lacks runs on zlib under policy hw too: compress2() at
# level 0, and of an empty buffer (zlib's own answers: Z_OK both)
out=$(WD_POLICY=hw python3 -c '
import ctypes, sys
z = ctypes.CDLL(sys.argv[1])
dst = ctypes.create_string_buffer(1000)
n = ctypes.c_ulong(len(dst))
r1 = z.compress2(dst, ctypes.byref(n), b"stored" * 100, ctypes.c_ulong(600), 0)
n = ctypes.c_ulong(len(dst))
r2 = z.compress2(dst, ctypes.byref(n), b"", ctypes.c_ulong(0), 6)
print("level0 %s empty %s" % (r1, r2))
' "$lib")
eq "policy hw: compress2() at level 0 and of nothing run on zlib" "$out" \
	"level0 0 empty 0"
out=$(run sw 2>/tmp/zshim-nodev.$$)
eq "policy sw: both on zlib" "$out" "compress2 0 uncompress 0"
check "policy sw: counted as asked (policy)" \
	grep -q "sw 2 requests" /tmp/zshim-nodev.$$
rm -f /tmp/zshim-nodev.$$
done_tap
