#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# wdbench runs its goals suite, prints its table and writes valid JSON with
# every measurement and the ratios.  On the host the in-process engines
# must have run; with EXPECT_DEVICE=1 (the guest) the device's
# measurements, what its engines did, and every ratio too.  Then --input:
# a file cut into blocks, and a one-line reason for a file it cannot use,
# as, on the host, for every option it cannot use; --out made if missing.
# A measurement's first request is untimed.
# Then --loaded: a CPU hog per CPU beside every measurement, and gone
# after it, even when wdbench is killed.  The spinning floors (pingpong,
# ring, phase) whose partner thread never answers end on their bounded
# wait, with the reason, and the next row is measured; with the device,
# goal 1's floor without its wake-up too.
# Then the crypto ops: libwarpdrive ("wd") next to OpenSSL's EVP ("evp",
# the anchor) in one run, the path the library took (software: there is
# no vcrypt device here; the device's with vcrypt loaded), the ratio to
# the anchor, the fields of a crypto row in sync and async mode, and
# WD_POLICY=hw refusing the run without a device with the library's
# reason on one line.
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
    print("%d" % n, file=open(sys.argv[1] + ".n", "w"))
    sys.exit(1)
ok(True, "JSON written and valid")
res = j.get("results", [])
ok(len(res) >= 20, "%d measurements" % len(res))
ok(j.get("input", 0) is None, "generated input: \"input\" is null")
for eng, op in (("zlib", "compress"), ("zlib", "decompress"),
                ("memcpy", "copy"), ("kernel", "syscall"),
                ("wd-sw", "compress"), ("pingpong", "nop"), ("ring", "nop"),
                ("phase", "nop")):
    r = [x for x in res if x["engine"] == eng and x["op"] == op]
    ok(r and all(x["ok"] and x["mb_per_s"] >= 0 and x["ops"] > 0 for x in r),
       "%s %s measured" % (eng, op))
ratios = j.get("ratios", {})
keys = ("cpu_per_mb_vs_zlib_64k", "cpu_per_mb_vs_zlib_1m",
        "copy_1m_vs_memcpy", "nop_qd1_vs_syscall", "nop_qd1_vs_pingpong",
        "ring_vs_pingpong", "phase_vs_pingpong", "queue_vs_ring",
        "nop_qd1_vs_queue",
        "throughput_16_vs_1", "wakeup_cpu_per_mb_vs_zlib_64k",
        "cpu_per_mb_vs_wakeup_64k")
ok(all(k in ratios for k in keys), "all ratios reported")
if sys.argv[2] == "1":
    dev = [x for x in res if x["engine"] == "vzip"]
    ok(dev and all(x["ok"] for x in dev),
       "every device measurement ran: %s" %
       [x["note"] for x in dev if not x["ok"]])
    ok(all(x["hw_share"] == 1 for x in dev if x["ok"] and x["op"] != "syscall"),
       "the device ran all of their requests")
    ok(all(ratios[k]["value"] for k in keys), "every ratio has a value")
    eng = [x for x in dev if x["ok"] and x["mode"] != "procs"]
    ok(eng and all(x.get("device_engines") and
                   x["device_engines"]["cpu_s"] >= 0 and
                   x["device_engines"]["wakeups_per_request"] >= 0
                   for x in eng),
       "engine CPU and wake-ups per request beside every device row")
    ok(all(x["device_engines"]["cpu_s"] > 0 for x in eng
           if x["op"] == "compress"),
       "the engines' CPU time shows the compressions")
    wk = [x for x in res if x["engine"] == "wakeup"]
    ok(len(wk) == 1 and wk[0]["ok"] and wk[0]["ops"] > 0 and
       wk[0]["cpu_s"] > 0 and wk[0]["size"] == 65536,
       "goal 1's floor measured after the device's 64 KiB row: %s" %
       [(x["ok"], x["note"]) for x in wk])
print("%d" % n, file=open(sys.argv[1] + ".n", "w"))
sys.exit(1 if failed else 0)
PY
rc=$?
n=$(cat "$tmp/t.json.n" 2>/dev/null || echo 1)

# --input: 3 whole 64 KiB blocks that compress very differently (zeros,
# hex text, random bytes) and a piece left over.  Taken in turn, the
# run's compression ratio is that of its requests' blocks: 0, 1, 2, 0, ...
{
	head -c 65536 /dev/zero
	head -c 40000 /dev/urandom | od -An -tx1 | head -c 65536
	head -c 68864 /dev/urandom
} > "$tmp/corpus"
step() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; rc=1; fi
}
# the cases of the process alone run once, on the host: no accelerator
alone=1
ls /sys/class/uacce/* > /dev/null 2>&1 && alone=0
"$top/build/user/bin/wdbench" --engine zlib,memcpy --op compress,copy \
	--size 64k --seconds 0.2 --input "$tmp/corpus" --out "$tmp" \
	--name in > "$tmp/in.table" 2>&1
step $? "wdbench --input runs"
python3 - "$tmp/in.json" "$tmp/corpus" <<'PY'
import json, sys, zlib
j = json.load(open(sys.argv[1]))
data = open(sys.argv[2], "rb").read()
res = {(x["engine"], x["op"]): x for x in j["results"]}
z, c = res[("zlib", "compress")], res[("memcpy", "copy")]
out = []
for i in range(3):
    co = zlib.compressobj(6, zlib.DEFLATED, 31)
    blk = data[i * 65536:(i + 1) * 65536]
    out.append(len(co.compress(blk) + co.flush()))
n = max(z["ops"], 1)
# one untimed request first (block 0), then the measured ones from block 1
want = n * 65536 / sum(out[(i + 1) % 3] for i in range(n))
bad = []
if j["input"] != {"path": sys.argv[2], "bytes": 199936}:
    bad.append("input %s" % j["input"])
if z["blocks"] != 3 or c["blocks"] != 3:
    bad.append("blocks %s %s" % (z["blocks"], c["blocks"]))
# requests cycle through the 3 blocks: the ratio is their mix's
if not z["ok"] or abs(z["compression_ratio"] - want) > 0.1 * want:
    bad.append("ratio %s, blocks give %.3f" % (z.get("compression_ratio"), want))
sys.exit("; ".join(bad) if bad else 0)
PY
step $? "the input is cut into 3 blocks, taken in turn"

# The untimed first request: in a measurement too short for more than a
# request or two, the timed ones are blocks 1 on (hex text), never block 0
# (zeros), whose ratio is hundreds of times higher.  Sixteen blocks, so that
# however many requests a fast machine fits in, up to 15, block 0 is in the
# mix only if the first request was timed.
{
	head -c 65536 /dev/zero
	head -c 491520 /dev/urandom | od -An -tx1 -v | tr -d ' \n' | head -c 983040
} > "$tmp/first-corpus"
"$top/build/user/bin/wdbench" --engine zlib --op compress --size 64k \
	--seconds 0.002 --input "$tmp/first-corpus" --out "$tmp" --name first \
	> /dev/null 2>&1
python3 - "$tmp/first.json" "$tmp/first-corpus" <<'PY'
import json, sys, zlib
z = json.load(open(sys.argv[1]))["results"][0]
data = open(sys.argv[2], "rb").read()
nb = len(data) // 65536
out = []
for i in range(nb):
    co = zlib.compressobj(6, zlib.DEFLATED, 31)
    out.append(len(co.compress(data[i * 65536:(i + 1) * 65536]) + co.flush()))
n = z["ops"]
mix = lambda first: n * 65536 / sum(out[(first + i) % nb] for i in range(n))
if not z["ok"] or n < 1 or n >= nb:
    sys.exit("%s requests (%s): need 1 to %d" % (n, z.get("note"), nb - 1))
if abs(z["compression_ratio"] - mix(1)) > 0.1 * mix(1):
    sys.exit("%d requests, ratio %s: blocks from 1 give %.3f, from 0 %.3f" %
             (n, z["compression_ratio"], mix(1), mix(0)))
PY
step $? "one untimed request before the timed ones: they start at block 1"

# files it cannot use: one line saying why, exit 1
: > "$tmp/empty"
head -c 1000 /dev/zero > "$tmp/small"
for c in "$tmp/missing:No such file" "$tmp/empty:empty" "$tmp/small:less than one" \
	 "$tmp:not a regular file"; do
	f=${c%%:*}
	want=${c#*:}
	"$top/build/user/bin/wdbench" --engine zlib --size 4k --seconds 0.1 \
		--input "$f" --out "$tmp" --name bad > /dev/null 2> "$tmp/err"
	st=$?
	[ $st = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] &&
		grep -q "$want" "$tmp/err"
	step $? "--input $(basename "$f"): exit $st, $(cat "$tmp/err")"
done
# options it cannot use: one line naming the option and saying why, exit
# 1, before anything is measured (nothing on standard output, no JSON);
# --out made if missing.  Only where there is no accelerator (the host's
# run): the options are the process's alone, the same anywhere, and in
# the stock lane's two runs they took 30 s each.
if [ $alone = 1 ]; then
	: > "$tmp/file"
	for c in "--engine vzip,bogus|--engine bogus: not an engine" \
		 "--op nop,bogus|--op bogus: not an op" \
		 "--mode sync,bogus|--mode bogus: not sync, async or procs" \
		 "--size 0|--size 0: not a size" "--size 2g|--size 2g: not a size" \
		 "--size 4x|--size 4x: not a size" \
		 "--size 99999999999999999999k|--size 99999999999999999999k: not a size" \
		 "--depth 0|--depth 0: not a number of requests from 1 to 1024" \
		 "--depth 1025|--depth 1025: not a number" \
		 "--procs 0|--procs 0: not a number of processes from 1 to 256" \
		 "--procs -1|--procs -1: not a number" \
		 "--level 10|--level 10: not a level from 1 to 9" \
		 "--level x|--level x: not a level" \
		 "--format xz|--format xz: not raw, zlib or gzip" \
		 "--seconds 0|--seconds 0: not a number of seconds greater than 0" \
		 "--seconds nan|--seconds nan: not a number of seconds" \
		 "--seconds 1s|--seconds 1s: not a number of seconds" \
		 "--name=|--name : not a file name" "--name a/b|--name a/b: not a file name" \
		 "--size 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17|--size: more than 16 items" \
		 "--op ,|--op: an empty list" \
		 "--bogus|--bogus: not an option wdbench has" \
		 "--spin=1|--spin=1: takes no value" "--seconds|--seconds: needs a value" \
		 "extra|extra: takes no arguments" \
		 "--out $tmp/file|--out $tmp/file: Not a directory"; do
		args=${c%%|*}
		want=${c#*|}
		# shellcheck disable=SC2086
		"$top/build/user/bin/wdbench" --out "$tmp" --name badopt $args \
			> "$tmp/out" 2> "$tmp/err"
		st=$?
		[ $st = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && [ ! -s "$tmp/out" ] &&
			[ ! -e "$tmp/badopt.json" ] && grep -q "^wdbench: $want" "$tmp/err"
		step $? "$args: exit $st, $(cat "$tmp/err")"
	done
	# --out made if missing, with its parents
	"$top/build/user/bin/wdbench" --op nop --engine kernel --seconds 0.01 \
		--out "$tmp/new/dir" --name made > /dev/null 2> "$tmp/err"
	st=$?
	[ $st = 0 ] && python3 -c 'import json, sys; json.load(open(sys.argv[1]))' \
		"$tmp/new/dir/made.json"
	step $? "--out a directory not there yet: made, with its parent, the JSON in it (exit $st)"
fi

# --loaded: a hog per CPU during the run, recorded in the JSON, none left
# after it; the same measurement without it records 0.  A hog is a child
# process: the measured process's CPU per MB does not include it.
hogs_left() { pgrep -x wdbench-hog | wc -l; }
ncpu=$(getconf _NPROCESSORS_ONLN)
before=$(hogs_left)
"$top/build/user/bin/wdbench" --loaded --engine memcpy --op copy --size 64k \
	--seconds 0.3 --out "$tmp" --name loaded > "$tmp/loaded.table" 2>&1
st=$?
python3 - "$tmp/loaded.json" "$ncpu" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
r = j["results"][0]
# memcpy of 64 KiB takes microseconds: a hog's CPU would show as far more
sys.exit(0 if j["loaded"] == int(sys.argv[2]) and r["ok"] and
         r["cpu_s_per_mb"] < 0.01 else
         "loaded %s, cpu_s_per_mb %s" % (j["loaded"], r.get("cpu_s_per_mb")))
PY
step $(( st | $? )) "--loaded: exit $st, \"loaded\": $ncpu in the JSON, memcpy's own CPU only"
grep -q "^wdbench: --loaded: a CPU hog on each of $ncpu CPUs" "$tmp/loaded.table"
step $? "--loaded: the table says so"
[ "$(hogs_left)" = "$before" ]
step $? "--loaded: no hog left after the run ($(hogs_left) running, $before before)"
# killed in the middle: the hogs die with it (PR_SET_PDEATHSIG)
"$top/build/user/bin/wdbench" --loaded --engine memcpy --op copy --size 64k \
	--seconds 30 --out "$tmp" --name killed > /dev/null 2>&1 &
pid=$!
i=0
while [ "$(hogs_left)" -lt $((before + ncpu)) ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
running=$(hogs_left)
kill -KILL $pid
wait $pid 2> /dev/null
i=0
while [ "$(hogs_left)" != "$before" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$running" = $((before + ncpu)) ] && [ "$(hogs_left)" = "$before" ]
step $? "--loaded, wdbench SIGKILLed: its $((running - before)) hogs died with it"
grep -q '"loaded": 0' "$tmp/in.json"
step $? "without --loaded the JSON says \"loaded\": 0"

# the spinning floors when their partner never answers (its thread never
# runs its routine, test/host/idle_thread.c): each row ends on its bounded
# wait with the reason and the row after it (getppid) is measured.  The
# three side by side: a wait is 10 s.  Only where there is no accelerator
# (the host's run): the floors are the process alone, the same anywhere.
if [ $alone = 1 ]; then
	t0=$(date +%s)
	pids=
	for e in pingpong ring phase; do
		timeout 60 env LD_PRELOAD="$top/build/user/test/idle_thread.so" \
			"$top/build/user/bin/wdbench" --op nop --engine "$e,kernel" \
			--seconds 0.05 --out "$tmp" --name "late-$e" \
			> /dev/null 2> "$tmp/late-$e.err" &
		pids="$pids $!"
	done
	st=0
	for p in $pids; do
		wait "$p" || st=$?
	done
	took=$(($(date +%s) - t0))
	[ $st = 0 ] && python3 - "$tmp" "$took" <<'PY'
import json, sys
bad = []
for e in ("pingpong", "ring", "phase"):
    res = json.load(open("%s/late-%s.json" % (sys.argv[1], e)))["results"]
    got = [(x["engine"], x["ok"], x["note"]) for x in res]
    if len(res) != 2 or res[0]["engine"] != e or res[0]["ok"] or \
       res[0]["note"] != "no answer from the partner thread within 10 s" or \
       res[1]["engine"] != "kernel" or not res[1]["ok"]:
        bad.append("%s: %s" % (e, got))
if int(sys.argv[2]) < 10:
    bad.append("took %s s, less than the 10 s wait" % sys.argv[2])
sys.exit("; ".join(bad) if bad else 0)
PY
	step $? "the spinning floors without an answer: exit $st in ${took} s, each row not ok with its reason, the next one measured"
fi

# goal 1's floor when its wake-up never comes (the partner thread cannot
# write its byte, test/host/fail_pipe_byte.c): the row ends on its bounded
# wait with the reason, its ratios have no value, and the run goes on.
# Only with the device: the floor takes its time from the device's row.
if [ "${EXPECT_DEVICE:-0}" = 1 ]; then
	t0=$(date +%s)
	timeout 120 env LD_PRELOAD="$top/build/user/test/fail_pipe_byte.so" \
		"$top/build/user/bin/wdbench" --seconds 0.05 --out "$tmp" \
		--name lost > /dev/null 2> "$tmp/err"
	st=$?
	took=$(($(date +%s) - t0))
	[ $st = 0 ] && python3 - "$tmp/lost.json" "$took" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
res = j["results"]
wk = [x for x in res if x["engine"] == "wakeup"]
bad = []
if len(wk) != 1 or wk[0]["ok"] or \
   "no wake-up within 10000 ms" not in wk[0]["note"]:
    bad.append("wakeup rows %s" % [(x["ok"], x["note"]) for x in wk])
for k in ("wakeup_cpu_per_mb_vs_zlib_64k", "cpu_per_mb_vs_wakeup_64k"):
    if j["ratios"][k]["value"] is not None:
        bad.append("%s %s" % (k, j["ratios"][k]))
# the rows after it ran: the wait ended, the partner was joined
after = res[res.index(wk[0]) + 1:] if len(wk) == 1 else []
if not after or not all(x["ok"] for x in after if x["engine"] == "vzip"):
    bad.append("rows after it %s" % [(x["engine"], x["ok"]) for x in after])
if int(sys.argv[2]) < 10:
    bad.append("took %s s, less than the 10 s wait" % sys.argv[2])
sys.exit("; ".join(bad) if bad else 0)
PY
	step $? "goal 1's floor without its wake-up: exit $st in ${took} s, the row not ok with its reason, the run went on"
fi

# a vcrypt device would take the requests: then the path is the device's,
# for the algorithms it has (vcrypt leaves out what its kernel cannot
# run: Debian's has no SM3 or SM4); wdbench's op aes-256-ctr is the
# device's aes-ctr
vcrypt=0 crops=crypto nocrops=""
for api in /sys/class/uacce/*/api; do
	grep -qs vcrypt_v1 "$api" || continue
	vcrypt=1 crops=""
	for op in sha256 sha512 sha3-256 sm3 hmac-sha256 aes-128-cbc \
		  aes-256-ctr aes-256-xts sm4-cbc aes-256-gcm; do
		if grep -qx "$(echo $op | sed 's/^aes-[0-9]*-/aes-/')" \
			"${api%/api}/algorithms"; then
			crops=$crops${crops:+,}$op
		else
			nocrops="$nocrops $op"
		fi
	done
	echo "# vcrypt's algorithms: $(tr '\n' ' ' < "${api%/api}/algorithms")"
	break
done
# crypto: every op (the device's), both engines, briefly
"$top/build/user/bin/wdbench" --op "$crops" --size 4k --seconds 0.05 \
	--out "$tmp" --name cr > "$tmp/cr.table" 2> "$tmp/cr.err"
step $? "wdbench --op $crops runs: $(head -c 200 "$tmp/cr.err")"
sed 's/^/# /' "$tmp/cr.table"
# what every crypto row's JSON must say, sync or async (python, imported
# by the checks below): the library's row its path and the requests of
# each path, their share, its ratios to the anchor recomputed from the two
# rows, and what the device's engines did (null without a device); the
# anchor none of these
cat > "$tmp/crrows.py" <<'PY'
def check(res, dev):
    bad = []
    lib = ("path", "hw_requests", "sw_requests", "sw_reason", "vs_evp",
           "device_engines")
    for w in res:
        if w["engine"] == "evp":
            extra = [k for k in lib if k in w]
            if extra or w.get("anchor") is not True:
                bad.append("evp %s %s: anchor %s, fields %s" %
                           (w["op"], w["size"], w.get("anchor"), extra))
            continue
        if w["engine"] != "wd" or not w["ok"]:
            continue
        where = "wd %s %s %s/%d" % (w["op"], w["size"], w["mode"], w["depth"])
        miss = [k for k in lib + ("hw_share", "blocks") if k not in w]
        if miss or "anchor" in w:
            bad.append("%s: missing %s, anchor %s" % (where, miss, w.get("anchor")))
            continue
        hw, sw = w["hw_requests"], w["sw_requests"]
        if hw + sw < w["ops"] or \
           abs(w["hw_share"] - hw / max(hw + sw, 1)) > 0.001 or \
           w["path"] != ("device" if dev else "software") or \
           (w["sw_reason"] is None) != (sw == 0):
            bad.append("%s: path %s hw %d sw %d share %s reason %s, %d ops" %
                       (where, w["path"], hw, sw, w["hw_share"],
                        w["sw_reason"], w["ops"]))
        evp = [x for x in res if x["engine"] == "evp" and x["ok"] and
               x["op"] == w["op"] and x["size"] == w["size"]]
        v = w["vs_evp"]
        if len(evp) != 1 or not v:
            bad.append("%s: anchors %d, vs_evp %s" % (where, len(evp), v))
            continue
        for k in ("mb_per_s", "cpu_s_per_mb"):
            want = w[k] / evp[0][k]
            if abs(v[k] - want) > 0.001 * want + 0.0001:
                bad.append("%s: vs_evp %s %s, the rows give %.4f" %
                           (where, k, v[k], want))
        e = w["device_engines"]
        if not dev:
            if e is not None:
                bad.append("%s: device_engines %s without a device" % (where, e))
        elif not e or any(e.get(k, -1) < 0 for k in
                          ("cpu_s", "cpu_s_per_mb", "cpu_us_per_request",
                           "wakeups_per_request", "doorbells_per_request")) or \
             abs(e["cpu_s_per_mb"] * w["bytes"] / 1e6 - e["cpu_s"]) > 1e-6 + 0.001 * e["cpu_s"]:
            bad.append("%s: device_engines %s" % (where, e))
    return bad
PY
PYTHONPATH=$tmp python3 - "$tmp/cr.json" "$vcrypt" "$crops" <<'PY'
import json, sys
import crrows
j = json.load(open(sys.argv[1]))
dev = sys.argv[2] == "1"
ops = ("sha256", "sha512", "sha3-256", "sm3", "hmac-sha256", "aes-128-cbc",
       "aes-256-ctr", "aes-256-xts", "sm4-cbc", "aes-256-gcm")
if sys.argv[3] != "crypto":
    ops = tuple(sys.argv[3].split(","))
res = j["results"]
bad = []
for op in ops:
    wd = [x for x in res if x["op"] == op and x["engine"] == "wd"]
    evp = [x for x in res if x["op"] == op and x["engine"] == "evp"]
    if len(wd) != 1 or len(evp) != 1:
        bad.append("%s: %d wd, %d evp rows" % (op, len(wd), len(evp)))
        continue
    w, e = wd[0], evp[0]
    for x in (w, e):
        if not x["ok"]:
            bad.append("%s %s: %s" % (op, x["engine"], x["note"]))
            break
        for k in ("mb_per_s", "ops_per_s", "cpu_s_per_mb", "lat_us"):
            if k not in x:
                bad.append("%s %s: no %s" % (op, x["engine"], k))
        if x["ops"] <= 0 or x["mb_per_s"] <= 0 or \
           set(x["lat_us"]) != {"p50", "p99", "p99.9"}:
            bad.append("%s %s: not measured" % (op, x["engine"]))
    else:
        if e.get("anchor") is not True:
            bad.append("%s: evp not marked as the anchor" % op)
        # without a vcrypt device (the host, the stock lane): software
        if (dev and (w.get("path") != "device" or w.get("sw_requests") or
                     w.get("hw_share") != 1)) or \
           (not dev and (w.get("path") != "software" or
                         w.get("hw_requests") != 0 or
                         w.get("sw_requests", 0) < w["ops"] or
                         w.get("sw_reason") != "no-device" or
                         w.get("hw_share") != 0)):
            bad.append("%s: path %s hw %s sw %s reason %s" %
                       (op, w.get("path"), w.get("hw_requests"),
                        w.get("sw_requests"), w.get("sw_reason")))
        v = w.get("vs_evp") or {}
        want = w["mb_per_s"] / e["mb_per_s"]
        if not v or abs(v["mb_per_s"] - want) > 0.001 * want + 0.0001 or \
           v.get("cpu_s_per_mb", 0) <= 0:
            bad.append("%s: vs_evp %s, MB/s give %.4f" % (op, v, want))
bad += crrows.check(res, dev)
sys.exit("; ".join(bad) if bad else 0)
PY
step $? "crypto: wd and the evp anchor measured, path $([ $vcrypt = 1 ] && echo device || echo software), ratio to evp, every row's fields"
n=$((n + 1))
nops=10
[ "$crops" = crypto ] || nops=$(echo "$crops" | tr ',' '\n' | wc -l)
if { [ $vcrypt = 1 ] && grep -q "device path, MB/s [0-9.]*x evp" "$tmp/cr.table" ||
     grep -q "software path (no-device), MB/s [0-9.]*x evp" "$tmp/cr.table"; } &&
   [ "$(grep -c ' anchor$' "$tmp/cr.table")" = "$nops" ]; then
	echo "ok $n crypto: the table says the path and the ratio"
else
	echo "not ok $n crypto: the table says the path and the ratio"; rc=1
fi

# under policy hw without a device: exit 1, the library's reason, one line
[ $vcrypt = 1 ] || {
rm -f "$tmp/hw.json"
WD_POLICY=hw "$top/build/user/bin/wdbench" --op sha256,aes-256-gcm \
	--size 4k --seconds 0.05 --out "$tmp" --name hw > /dev/null 2> "$tmp/err"
st=$?
[ $st = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] &&
	grep -q "WD_POLICY=hw.*wd_crypto_open: no usable" "$tmp/err" &&
	[ ! -e "$tmp/hw.json" ]
step $? "crypto, WD_POLICY=hw: exit $st, $(cat "$tmp/err")"
}

# an algorithm the device lacks, under policy hw: refused, one line
for op in $nocrops; do
	WD_POLICY=hw "$top/build/user/bin/wdbench" --op "$op" --size 4k \
		--seconds 0.05 --out "$tmp" --name no > /dev/null 2> "$tmp/err"
	st=$?
	[ $st = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] &&
		grep -q "WD_POLICY=hw.*wd_crypto_open: " "$tmp/err"
	step $? "crypto, $op, which this vcrypt lacks, WD_POLICY=hw: exit $st, $(cat "$tmp/err")"
done

# a size the cipher cannot take: refused before measuring, one line
"$top/build/user/bin/wdbench" --op aes-128-cbc --size 100 --seconds 0.05 \
	--out "$tmp" --name cbc > /dev/null 2> "$tmp/err"
st=$?
[ $st = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] &&
	grep -q "multiple of 16" "$tmp/err"
step $? "crypto, aes-128-cbc of 100 bytes: exit $st, $(cat "$tmp/err")"

# async: wd's requests kept in flight, evp one at a time the anchor
"$top/build/user/bin/wdbench" --op sha256,aes-256-gcm --mode async \
	--depth 1,8 --size 4k --seconds 0.05 --out "$tmp" --name as \
	> /dev/null 2> "$tmp/err"
st=$?
[ $st = 0 ] && PYTHONPATH=$tmp python3 - "$tmp/as.json" "$vcrypt" <<'PY'
import json, sys
import crrows
res = json.load(open(sys.argv[1]))["results"]
want = "device" if sys.argv[2] == "1" else "software"
bad = []
for op in ("sha256", "aes-256-gcm"):
    wd = [x for x in res if x["op"] == op and x["engine"] == "wd"]
    evp = [x for x in res if x["op"] == op and x["engine"] == "evp"]
    if sorted((x["mode"], x["depth"]) for x in wd) != [("async", 1), ("async", 8)] or \
       [(x["mode"], x["ok"]) for x in evp] != [("sync", True)]:
        bad.append("%s: rows %s" % (op, [(x["engine"], x["mode"], x["depth"]) for x in wd + evp]))
        continue
    for x in wd:
        if not x["ok"] or x["ops"] <= 0 or x.get("path") != want or \
           not x.get("vs_evp") or x["vs_evp"]["mb_per_s"] <= 0:
            bad.append("%s depth %d: %s %s %s" % (op, x["depth"], x["note"],
                                                 x.get("path"), x.get("vs_evp")))
bad += crrows.check(res, sys.argv[2] == "1")
sys.exit("; ".join(bad) if bad else 0)
PY
step $? "crypto, async depth 1 and 8: measured, path, ratio to evp one at a time, every row's fields"

# procs mode has no crypto: nothing to measure, said on one line
"$top/build/user/bin/wdbench" --op sha256 --mode procs --seconds 0.05 \
	--out "$tmp" --name none > /dev/null 2> "$tmp/err"
st=$?
[ $st = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] &&
	grep -q "no measurement matches" "$tmp/err"
step $? "crypto, procs only: exit $st, $(cat "$tmp/err")"
echo "1..$n"
exit $rc
