#!/bin/sh
# Runs inside a test guest: every test of test/plan of a kind in $1
# ("kunit+guest" or "nested" in the debug kernel, "stock" in Debian's;
# `make stock` runs "nested" there too) whose name matches one of the
# comma-separated globs in $2 (default: all).
#
# Per test: load its product modules, run it, unload them, and leave
#   /run/out/tests/<name>.status	"exit N", "load-failed M", "unload-failed M",
#					"seconds N" (wall time, modules included)
#   /run/out/tests/<name>.tap	output of a guest test
#   /run/out/tests/<name>.<suite>.ktap  debugfs results of a KUnit suite
# Markers "wd-test: begin/end <name>" in the kernel log let the host tie
# every kernel report to the test that was running.
#
# Guests running the plan side by side (check.sh) share /run/claims: each
# takes the next test nobody has taken (mkdir is atomic on the host), so
# the slower guest simply runs fewer.
kinds=" $(echo "$1" | tr '+' ' ') "
filters=$(echo "${2:-*}" | tr ',' ' ')
mods=$PWD/build/modules/$(uname -r)
out=/run/out/tests
mkdir -p "$out"

[ -d "$mods" ] || { echo "guest-check: no modules for $(uname -r) in $mods"; exit 1; }

# A test that runs longer is killed and fails; a plan line may give its
# own limit, WD_TIMEOUT=<seconds> before the command.  A nested test boots a VM
# under TCG inside this one: 3 minutes on an idle host, more than 15 on a
# loaded one (its QEMU has 25).  `make soak`
# (test/vm/soak.sh) gives the fuzzers hours: SOAK_ARGS for their command
# lines in test/plan, TEST_TIMEOUT for each test.
SOAK_ARGS=""
TEST_TIMEOUT=900
case $kinds in *" nested "*) TEST_TIMEOUT=1800 ;; esac
[ -f build/soak.env ] && . ./build/soak.env
export SOAK_ARGS

kmemleak=/sys/kernel/debug/kmemleak
[ -f $kmemleak ] && echo clear > $kmemleak

# Fault injection for fail-nth (the KUnit sweeps, test/kunit/fail_nth.h,
# and /proc/thread-self/fail-nth in guest tests): every allocation counts,
# GFP_KERNEL and order 0 included; nothing fails but the n-th allocation a
# task asked for (probability 0); no report and stack dump per failure.
# The tests that need this fail without it.
dbg=/sys/kernel/debug
if [ -d $dbg/failslab ]; then
	for k in probability:0 verbose:0 ignore-gfp-wait:N; do
		echo "${k#*:}" > "$dbg/failslab/${k%%:*}"
	done
fi
if [ -d $dbg/fail_page_alloc ]; then
	for k in probability:0 verbose:0 ignore-gfp-wait:N \
		 ignore-gfp-highmem:N min-order:0; do
		echo "${k#*:}" > "$dbg/fail_page_alloc/${k%%:*}"
	done
fi

set -f	# test name globs are matched with case, never expanded

matches() {
	for f in $filters; do
		# shellcheck disable=SC2254
		case "$1" in $f) return 0 ;; esac
	done
	return 1
}

# Every process costs about half a second on a loaded debug guest, and
# loading a test's modules took 13 s when each step forked: so the table
# of our modules (name, path, the modules each depends on) is read once
# here, and load_modules uses builtins only, but for modprobe and modload.
# modload (test/vm/modload.c) loads and unloads our modules instead of
# kmod's insmod and rmmod: a static program, where kmod's start alone
# (the dynamic linker relocating libcrypto, liblzma and libzstd) made a
# test's four loads and unloads take 5-6.6 s in the debug guest instead
# of 1.3-1.9 s.
modload=$PWD/build/user/test/modload
[ -x "$modload" ] || { echo "guest-check: no $modload (make user builds it)"; exit 1; }
# Our modules' dev_dbg() messages, the reasons of refused calls, are on
# in every test where the kernel has dynamic debug (the debug kernel and
# Debian's): their arguments are evaluated in the error and removal paths
# the tests drive, under KASAN in the debug guests, and the reasons are in
# the log of a failed test.  The heaviest tests log a few thousand lines.
dyndbg=""
[ -f /proc/dynamic_debug/control ] && dyndbg=dyndbg=+p
# One modinfo for all of them: it is kmod too.
ko_table=$(find "$mods" -name '*.ko' -exec modinfo {} + | while read -r key val; do
	case $key in
	filename:) ko=$val ;;
	depends:)
		n=${ko##*/}
		old_ifs=$IFS
		IFS=,
		# shellcheck disable=SC2086
		set -- $val
		IFS=$old_ifs
		printf '%s %s %s\n' "${n%.ko}" "$ko" "$*"
		;;
	esac
done)

# find_ko NAME: sets $ko (our module's path, empty if not ours) and $deps
find_ko() {
	ko="" deps=""
	while read -r n path d; do
		[ "$n" = "$1" ] && ko=$path deps=$d && return 0
	done <<EOT
$ko_table
EOT
	return 1
}

# load_modules SPEC STATUSFILE: sets $loaded (reverse order) on success
load_modules() {
	loaded=""
	[ "$1" = "-" ] && return 0
	st=$2
	old_ifs=$IFS
	IFS=,
	# shellcheck disable=SC2086
	set -- $1
	while [ $# -gt 0 ]; do
		spec=$1
		shift
		mod=${spec%%:*}
		params=""
		if [ "$mod" != "$spec" ]; then
			IFS=:
			for p in ${spec#*:}; do
				params="$params $p"
			done
		fi
		IFS=$old_ifs
		find_ko "$mod"
		mko=$ko
		# Our modules it depends on that the plan line leaves out (the
		# framework modules, wd_engine for vzip) are loaded first and
		# unloaded after it; a plan line names only what a test is
		# about.  They must depend on nothing not loaded yet.  The
		# kernel's own modules ours depend on (e.g. mdev on Debian's
		# kernel, where it is not built in) come from modprobe.
		for dep in $deps; do
			if ! find_ko "$dep"; then
				[ -d "/sys/module/$dep" ] || modprobe -q "$dep"
			elif [ ! -d "/sys/module/$dep" ]; then
				if ! "$modload" load "$ko" $dyndbg; then
					echo "load-failed $dep" >> "$st"
					return 1
				fi
				loaded="$dep $loaded"
			fi
		done
		# shellcheck disable=SC2086
		if [ -z "$mko" ] || ! "$modload" load "$mko" $params $dyndbg; then
			echo "load-failed $mod" >> "$st"
			return 1
		fi
		loaded="$mod $loaded"
	done
}

unload_modules() {
	for m in $loaded; do
		tries=0
		# a released file may still be on its way out: give it a moment
		until "$modload" unload "$m" 2>/dev/null; do
			tries=$((tries + 1))
			if [ $tries -ge 20 ]; then
				echo "unload-failed $m" >> "$1"
				lsmod >> "$1"
				break
			fi
			sleep 0.5
		done
	done
	loaded=""
}

grep -v '^[[:space:]]*#' test/plan | while read -r kind name modules cmd; do
	[ -n "$kind" ] || continue
	case "$kinds" in *" $kind "*) ;; *) continue ;; esac
	matches "$name" || continue
	if [ -d /run/claims ]; then
		mkdir /run/claims/"$name" 2>/dev/null || continue
	fi

	status=$out/$name.status
	: > "$status"
	read -r t0 _ < /proc/uptime
	t0=${t0%%.*}
	echo "wd-test: begin $name" > /dev/kmsg
	echo "== $name"
	if load_modules "$modules" "$status"; then
		case "$kind" in
		kunit)
			find_ko "$name"
			if [ -n "$ko" ] && "$modload" load "$ko"; then
				set +f
				for d in /sys/kernel/debug/kunit/*/; do
					[ -f "$d/results" ] && cp "$d/results" "$out/$name.$(basename "$d").ktap"
				done
				set -f
				"$modload" unload "$name" ||
					echo "unload-failed $name" >> "$status"
				echo "exit 0" >> "$status"
			else
				echo "load-failed $name" >> "$status"
			fi
			;;
		guest|stock|nested)
			# a command may start with WD_TIMEOUT=<seconds> (its own)
			limit=$TEST_TIMEOUT
			case $cmd in
			WD_TIMEOUT=[0-9]*" "*)
				limit=${cmd%% *}
				limit=${limit#WD_TIMEOUT=}
				cmd=${cmd#* }
				;;
			esac
			timeout -k 10 "$limit" sh -c "$cmd" > "$out/$name.tap" 2>&1 < /dev/null
			echo "exit $?" >> "$status"
			;;
		esac
	fi
	unload_modules "$status"
	read -r t1 _ < /proc/uptime
	echo "seconds $((${t1%%.*} - t0))" >> "$status"
	echo "wd-test: end $name" > /dev/kmsg
	cat "$status"
done

if [ -f $kmemleak ]; then
	# objects younger than 5 s are never reported; scan twice as usual
	sleep 6
	echo scan > $kmemleak
	echo scan > $kmemleak
	cat $kmemleak > /run/out/kmemleak.txt
fi
exit 0
