#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make soak`: the randomised tests for hours instead of the bounded time
# they get in `make check`, each from a new seed, then a summary.
#
# Usage: soak.sh SECONDS [SEED]   SECONDS per program; SEED replays a run
#
# Host: zdiff_test (libwdz.so against zlib), exact and against zlib's
# contract.  Guest (debug kernel): the fuzzers of test/plan named *_fuzz*,
# which take their budget from build/soak.env (read by guest-check.sh).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=$1
seed=${2:-$(date +%s)}
cd "$top" || exit 1
log=build/test-results-soak
rm -rf "$log"
mkdir -p "$log"
echo "soak: seed $seed, $secs s per program"

rc=0
# zdiff on the host beside the guests: the two share nothing, and the
# soak then takes the guests' time instead of the sum.
(
	for mode in exact device; do
		m=
		[ $mode = device ] && m="--mode device"
		# shellcheck disable=SC2086
		WD_POLICY=sw build/user/test/zdiff_test --seed "$seed" \
			--iterations 1000000000 --seconds "$secs" \
			--max-size 1048576 $m > "$log/zdiff_$mode.tap" 2>&1 ||
			echo "$mode" >> "$log/zdiff.failed"
	done
) &
zdiff_pid=$!

fuzzers=$(grep -v '^[[:space:]]*#' test/plan |
	awk '$1 == "guest" && $2 ~ /_fuzz/ {print $2}')
n=$(echo "$fuzzers" | wc -w)
{
	echo "SOAK_ARGS=\"--seed $seed --ops 1000000000 --seconds $secs\""
	echo "TEST_TIMEOUT=$((secs + 600))"
} > build/soak.env
# a host thread per vCPU (check.sh's lanes share one): the fuzzers' threads
# race instruction by instruction, as on a machine
WD_TCG_THREAD=multi WD_SOAK=1 WD_GUEST_TIMEOUT=$((n * (secs + 600) + 900)) \
	test/vm/check.sh "$(printf '%s' "$fuzzers" | tr '\n' ',')" > "$log/check.log" 2>&1 ||
	rc=1
rm -f build/soak.env
wait "$zdiff_pid"
[ -f "$log/zdiff.failed" ] && rc=1
cp -r build/test-results/guest* "$log/" 2>/dev/null

echo "soak: summary (seed $seed)"
for f in "$log"/zdiff_*.tap "$log"/guest*/tests/*.tap; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .tap)
	res=$(grep -c '^ok' "$f")/$(grep -c '^\(not \)\?ok' "$f")
	ops=$(grep -h -e 'operations in' -e 'iterations from' "$f" | head -n 1)
	echo "  $name: $res passed; ${ops#\# }"
	grep -h -A1 '^not ok\|reproduce' "$f" | sed 's/^/    /' | head -n 6
done
tail -n 1 "$log/check.log"
grep -h -i 'KASAN\|lockdep\|kmemleak\|WARN' build/test-results/summary.txt \
	2>/dev/null | sed 's/^/  /'
exit $rc
