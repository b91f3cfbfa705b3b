#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Do two busy processes get two engines?  In a test guest with 2 vCPUs,
# vzip with 2 engines: one process compressing 1 MiB requests one at a
# time, then two such processes side by side, in each of TRIALS trials.
# From the host:
#
#	test/vm/run-guest.sh build/kernel/base build/engines-run 3600 \
#		samples/wdbench/guest-engines.sh [SECONDS] [TRIALS]
#
# Per trial: the two processes' throughput over the one's, and what the
# engines did per request (doorbells rung, flags raised, sleeps).  The
# figures land in build/engines-run/bench/engines.json.
set -u
mods=build/modules/$(uname -r)
bin=$PWD/build/user/bin
secs=${1:-3}
trials=${2:-5}
out=/run/out/bench
work=/tmp/engines
mkdir -p $out $work

fail() {
	echo "guest-engines: $*" >&2
	exit 1
}

# requests_ok doorbells need_wakeup engine_sleeps
counters() {
	awk '$1 == "requests_ok" || $1 == "doorbells" || $1 == "need_wakeup" ||
	     $1 == "engine_sleeps" { printf "%s ", $2 }' \
		/sys/kernel/debug/vzip/vzip-0/stats
}

insmod "$mods/uacce/uacce.ko" || fail "cannot load uacce.ko"
insmod "$mods/drivers/engine/wd_engine.ko" || fail "cannot load wd_engine.ko"
insmod "$mods/drivers/vzip/vzip.ko" engines=2 || fail "cannot load vzip.ko"
echo "== $(uname -r), $(nproc) CPUs; vzip-0 with 2 engines; 1 MiB COMPRESS, level 6"
grep -E '^(requests_ok|doorbells|need_wakeup|engine_sleeps) ' \
	/sys/kernel/debug/vzip/vzip-0/stats > /dev/null ||
	fail "vzip-0's stats lack a counter this script reads"
: > $work/figures
for t in $(seq 1 "$trials"); do
	for mode in sync procs; do
		before=$(counters)
		WD_DEVICE=vzip-0 "$bin/wdbench" --engine vzip --op compress \
			--size 1m --mode $mode --procs 2 --seconds "$secs" \
			--out $work --name "t$t-$mode" > $work/log 2>&1 ||
			fail "wdbench $mode: $(cat $work/log)"
		echo "$t $mode $before $(counters)" >> $work/figures
	done
done
rmmod vzip
rmmod wd_engine
rmmod uacce

python3 - $work $out/engines.json "$secs" <<'PY'
import json, sys
work, dest, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
rows = {}
for line in open(work + '/figures'):
    f = line.split()
    t, mode = int(f[0]), f[1]
    a, b = [int(x) for x in f[2:6]], [int(x) for x in f[6:10]]
    d = [y - x for x, y in zip(a, b)]
    res = json.load(open('%s/t%d-%s.json' % (work, t, mode)))['results']
    r = [x for x in res if x['engine'] == 'vzip' and x.get('ok')]
    if not r:
        sys.exit('guest-engines: no vzip result in trial %d, %s' % (t, mode))
    n = max(d[0], 1)
    rows.setdefault(t, {})[mode] = {
        'mb_per_s': r[0]['mb_per_s'], 'requests': d[0],
        'doorbells_per_request': d[1] / n,
        'need_wakeup_per_request': d[2] / n,
        'engine_sleeps_per_request': d[3] / n}
trials = []
print('%-5s %-12s %-12s %-7s %s' % ('trial', '1 proc MB/s', '2 procs MB/s',
                                     'ratio', 'per request (2 procs): doorbells, sleeps'))
for t in sorted(rows):
    one, two = rows[t]['sync'], rows[t]['procs']
    ratio = two['mb_per_s'] / one['mb_per_s']
    trials.append({'trial': t, 'one_process': one, 'two_processes': two,
                   'ratio': ratio})
    print('%-5d %-12.2f %-12.2f %-7.2f %.3f, %.3f' % (
        t, one['mb_per_s'], two['mb_per_s'], ratio,
        two['doorbells_per_request'], two['engine_sleeps_per_request']))
ratios = [x['ratio'] for x in trials]
print('worst ratio %.2f, best %.2f (goal: at least 1.8 in every trial)' %
      (min(ratios), max(ratios)))
json.dump({'benchmark': 'engines', 'device': 'vzip, 2 engines',
           'op': 'compress 1 MiB, sync, level 6', 'seconds': secs,
           'trials': trials, 'worst_ratio': min(ratios),
           'goal': 1.8, 'met': min(ratios) >= 1.8},
          open(dest, 'w'), indent=2)
PY
