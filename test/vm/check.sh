#!/bin/sh
# `make check`: run the tests of test/plan and summarise them.
#
# Usage: check.sh [GLOBS]   comma-separated name globs, default all
#
# host tests run here; kunit and guest tests in WD_GUEST_SHARDS (default
# 2) boots of the debug kernel side by side, each taking the next test
# nobody took (lanes guest, guest2, ...); stock tests in one boot of
# Debian's stock kernel, started first and run beside the others; nested
# tests in a boot of that kernel of their own once the stock lane is done.
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

# The Debian packages, built once for the host test `packages` and the
# stock lane's `packages_install_stock` (each built its own before: two
# dpkg-buildpackage runs of the same tree).  WD_DEB names the directory
# and the file holding make's exit status; either test builds its own when
# run without it.  The build (about a minute, much of it one core) runs
# beside the host tests and the stock lane's preparation: the file
# appears when it ends, and both consumers wait for it.
if plan_has host stock && { matches packages || matches packages_install_stock; }; then
	echo "check: make deb beside the host tests (build/deb, log build/test-results/deb.log)"
	(
		make --no-print-directory deb > "$results/deb.log" 2>&1
		echo "$?" > "$results/deb.rc.tmp"
		mv "$results/deb.rc.tmp" "$results/deb.rc"
	) &
	export WD_DEB="$top/build/deb:$results/deb.rc"
fi

# The guests beside each other run their two vCPUs on one host thread
# each (QEMU's thread=single, run-guest.sh), unless WD_TCG_THREAD says
# otherwise.  With a thread per vCPU, three guests put six busy threads on
# the machine's two cores, and a vCPU spun waiting for one the host had
# descheduled (IPIs, TLB shootdowns): on one thread per guest the debug
# lanes took 967 s instead of 1134 and the stock lane 863 s instead of
# 1379, in one run of each.  The cost: two vCPUs interleave at IPIs,
# halts and QEMU's 100 ms round-robin kick, not instruction by
# instruction, so a race window narrower than that is rarely hit here.
# `make soak` (soak.sh), whose fuzzers hunt races for hours, runs a thread
# per vCPU.
lane_thread=${WD_TCG_THREAD:-single}

# The stock Debian kernel lane, beside the other lanes from the start: the
# host tests leave a core idle, and the debug guests wait on 9p and sleeps.
#
# Nested tests boot a VM inside a guest: TCG inside TCG, in a guest of
# Debian's kernel of their own, where the test takes less than half its
# time in the debug kernel: KASAN, lockdep and kmemleak watch our side of
# the same VFIO calls (regions, DMA, interrupts, migration v2, reset,
# removal) in the debug lanes' vfio tests, made by vfio-client.  The VM
# inside boots Debian's kernel too, and the two QEMUs of a migration need
# more memory than the other guests have.  The lane starts when the stock
# lane ends, beside the end of the debug lanes: alone at the end it left
# 40% of the machine idle (its inner QEMU runs one vCPU).
lanes_pid=
if plan_has stock nested; then
	echo "check: the stock kernel lane starts beside the others (build/test-results/stock/setup.log), then the nested VM lane (nested/setup.log)"
	(
		if plan_has stock; then
			mkdir -p "$results/stock"
			s0=$(date +%s)
			WD_TCG_THREAD=$lane_thread "$vm/stock.sh" "$results/stock" "$filter" \
				> "$results/stock/setup.log" 2>&1
			echo "check: the stock kernel lane took $(( $(date +%s) - s0 )) s"
		fi
		if plan_has nested; then
			mkdir -p "$results/nested"
			n0=$(date +%s)
			WD_TCG_THREAD=multi WD_GUEST_MEM=2048 "$vm/stock.sh" \
				"$results/nested" "$filter" nested \
				> "$results/nested/setup.log" 2>&1
			echo "check: the nested VM lane took $(( $(date +%s) - n0 )) s"
		fi
	) > "$results/lanes.log" 2>&1 &
	lanes_pid=$!
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
		WD_TCG_THREAD=$lane_thread WD_CLAIMS=$results/claims \
			"$vm/run-guest.sh" build/kernel/debug \
			"$results/$lane" "${WD_GUEST_TIMEOUT:-4800}" \
			test/vm/guest-check.sh kunit+guest "$filter" &
		pids="$pids $!"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	wait $pids
	echo "check: guest part took $(( $(date +%s) - g0 )) s"
fi

if [ -n "$lanes_pid" ]; then
	wait "$lanes_pid"
	cat "$results/lanes.log"
fi

python3 "$vm/report.py" "$results" > "$results/summary.txt"
rc=$?
echo "check: took $(( $(date +%s) - t0 )) s; results in build/test-results/"
cat "$results/summary.txt"
exit $rc
