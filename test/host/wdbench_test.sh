#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# wdbench runs its goals suite, prints its table and writes valid JSON with
# every measurement and the four ratios.  On the host the in-process
# engines must have run; with EXPECT_DEVICE=1 (the guest) the device's
# measurements and every ratio too.
set -u

top=$(pwd)
tmp=$(mktemp -d /tmp/wdbench-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

"$top/build/user/bin/wdbench" --quick --out "$tmp" --name t > "$tmp/table" 2>/dev/null
rc=$?
if [ $rc = 0 ]; then echo "ok 1 wdbench exits 0"; else echo "not ok 1 wdbench exits 0 ($rc)"; fi
sed 's/^/# /' "$tmp/table"

python3 - "$tmp/t.json" "${EXPECT_DEVICE:-0}" $((rc != 0)) <<'PY'
import json, sys
n = 1
failed = int(sys.argv[3])
def ok(cond, what):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print(("ok" if cond else "not ok"), n, what)
    return cond
try:
    j = json.load(open(sys.argv[1]))
except Exception as e:
    ok(False, "JSON written and valid: %s" % e)
    print("1..%d" % n)
    sys.exit(1)
ok(True, "JSON written and valid")
res = j.get("results", [])
ok(len(res) >= 20, "%d measurements" % len(res))
for eng, op in (("zlib", "compress"), ("zlib", "decompress"),
                ("memcpy", "copy"), ("kernel", "syscall"),
                ("wd-sw", "compress")):
    r = [x for x in res if x["engine"] == eng and x["op"] == op]
    ok(r and all(x["ok"] and x["mb_per_s"] >= 0 and x["ops"] > 0 for x in r),
       "%s %s measured" % (eng, op))
ratios = j.get("ratios", {})
keys = ("cpu_per_mb_vs_zlib_64k", "cpu_per_mb_vs_zlib_1m",
        "copy_1m_vs_memcpy", "nop_qd1_vs_syscall", "throughput_16_vs_1")
ok(all(k in ratios for k in keys), "all ratios reported")
if sys.argv[2] == "1":
    dev = [x for x in res if x["engine"] == "vzip"]
    ok(dev and all(x["ok"] for x in dev),
       "every device measurement ran: %s" %
       [x["note"] for x in dev if not x["ok"]])
    ok(all(x["hw_share"] == 1 for x in dev if x["ok"] and x["op"] != "syscall"),
       "the device ran all of their requests")
    ok(all(ratios[k]["value"] for k in keys), "every ratio has a value")
print("1..%d" % n)
sys.exit(1 if failed else 0)
PY
