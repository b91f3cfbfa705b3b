#!/bin/sh
# `make check`: run the tests of test/plan and summarise them.
#
# Usage: check.sh [GLOBS]   comma-separated name globs, default all
#
# host tests run here; kunit and guest tests in WD_GUEST_SHARDS (default
# 2) boots of the debug kernel side by side, each taking the next test
# nobody took (lanes guest, guest2, ...); stock tests in one boot of
# Debian's stock kernel, started first and run beside the others; nested
# tests in a boot of that kernel of their own once the others are done.
# Everything lands in build/test-results/; the last line is "N passed,
# N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/test/vm
results=$top/build/test-results
filter=${1:-}
[ -n "$filter" ] || filter='*'
cd "$top"

# One run at a time per tree: a second one waits instead of deleting the
# first one's results under its feet.
mkdir -p "$top/build"
exec 9> "$top/build/.check.lock"
if ! flock -n 9; then
	echo "check: another make check is running in this tree; waiting for it"
	flock 9
fi

rm -rf "$results"
mkdir -p "$results"
# build/soak.env belongs to a `make soak` run (test/vm/soak.sh) only
[ -n "${WD_SOAK:-}" ] || rm -f "$top/build/soak.env"
t0=$(date +%s)

set -f	# test name globs are matched with case, never expanded

matches() {
	for f in $(echo "$filter" | tr ',' ' '); do
		# shellcheck disable=SC2254
		case "$1" in $f) return 0 ;; esac
	done
	return 1
}

# plan_has KIND...: does a matching test of one of these kinds exist?
plan_has() {
	grep -v '^[[:space:]]*#' test/plan | while read -r kind name rest; do
		for k in "$@"; do
			[ "$kind" = "$k" ] && matches "$name" && echo yes && break
		done
	done | grep -q yes
}

# The stock Debian kernel lane, beside the other lanes from the start: the
# host tests leave a core idle, and the debug guests wait on 9p and sleeps.
stock_pid=
if plan_has stock; then
	mkdir -p "$results/stock"
	echo "check: the stock kernel lane starts beside the others (build/test-results/stock/setup.log)"
	(
		s0=$(date +%s)
		"$vm/stock.sh" "$results/stock" "$filter"
		echo "check: the stock kernel lane took $(( $(date +%s) - s0 )) s"
	) > "$results/stock/setup.log" 2>&1 &
	stock_pid=$!
fi

# Host tests.
mkdir -p "$results/host/tests"
grep -v '^[[:space:]]*#' test/plan | while read -r kind name modules cmd; do
	[ "$kind" = host ] || continue
	matches "$name" || continue
	echo "check: host test $name"
	t0=$(date +%s)
	sh -c "$cmd" > "$results/host/tests/$name.tap" 2>&1 < /dev/null
	echo "exit $?" > "$results/host/tests/$name.status"
	echo "seconds $(($(date +%s) - t0))" >> "$results/host/tests/$name.status"
done

# KUnit and guest tests in the debug kernel: the tests are independent
# (each loads and unloads its modules), so guests side by side share them
# out; the machine's cores are the limit.
shards=${WD_GUEST_SHARDS:-2}
if plan_has kunit guest; then
	echo "check: booting the debug test kernel ($(cat build/kernel/debug/include/config/kernel.release)), $shards guest(s)"
	g0=$(date +%s)
	mkdir -p "$results/claims"
	i=1
	pids=
	while [ $i -le "$shards" ]; do
		lane=guest
		[ $i -gt 1 ] && lane=guest$i
		WD_CLAIMS=$results/claims "$vm/run-guest.sh" build/kernel/debug \
			"$results/$lane" "${WD_GUEST_TIMEOUT:-4800}" \
			test/vm/guest-check.sh kunit+guest "$filter" &
		pids="$pids $!"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	wait $pids
	echo "check: guest part took $(( $(date +%s) - g0 )) s"
fi

if [ -n "$stock_pid" ]; then
	wait "$stock_pid"
	tail -n 1 "$results/stock/setup.log"
fi

# Nested tests boot a VM inside a guest: TCG inside TCG.  Beside the other
# lanes one took 20 minutes and slowed each of them about twice; alone
# it takes a few.  So they run last, alone on the machine, in a guest of
# Debian's kernel of their own (stock.sh, kind nested), where the test
# takes less than half its time in the debug kernel, which made it
# make check's longest step: KASAN, lockdep and kmemleak watch our side of
# the same VFIO calls (regions, DMA, interrupts, migration v2, reset,
# removal) in the debug lanes' vfio tests, made by vfio-client.  The VM
# inside boots Debian's kernel too, and the two QEMUs of a migration need
# more memory than the other guests have.
if plan_has nested; then
	mkdir -p "$results/nested"
	echo "check: the nested VM lane in Debian's kernel (build/test-results/nested/setup.log)"
	n0=$(date +%s)
	WD_GUEST_MEM=2048 "$vm/stock.sh" "$results/nested" "$filter" nested \
		> "$results/nested/setup.log" 2>&1
	echo "check: the nested VM lane took $(( $(date +%s) - n0 )) s"
fi

python3 "$vm/report.py" "$results" > "$results/summary.txt"
rc=$?
echo "check: took $(( $(date +%s) - t0 )) s; results in build/test-results/"
cat "$results/summary.txt"
exit $rc
