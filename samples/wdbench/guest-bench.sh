#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs wdbench's goals suite in a test guest, on vzip with SVA and without,
# and its crypto ops on vcrypt next to OpenSSL's EVP, for
# Documentation/benchmarks.rst.  From the host:
#
#	test/vm/run-guest.sh build/kernel/base build/bench-run 3600 \
#		samples/wdbench/guest-bench.sh [SECONDS [goals|loaded|crypto|all]]
#
# The JSON lands in build/bench-run/bench/, the tables in
# build/bench-run/guest.log.  The goals suite runs on generated text, then
# on a real corpus: 8 MiB of the kernel's own C sources (mm/, fs/ext4/ and
# kernel/ of build/src), cut into blocks of each request size.  The crypto
# table (crypto.json) runs twice in the same guest (crypto-repeat.json),
# to show the spread on a noisy host.
set -u
mods=build/modules/$(uname -r)
bin=$PWD/build/user/bin
secs=${1:-1}
suites=${2:-all}
out=/run/out/bench
mkdir -p $out

# the device's counters: requests, doorbells rung, times an engine slept
counters() {
	grep -E '^(requests_ok|doorbells|engine_sleeps) ' \
		/sys/kernel/debug/vzip/vzip-0/stats | awk '{ printf "%s ", $2 }'
}

# NOP at depth 1 alone, with what the engines did per request
nop_detail() {
	for how in "queue --spin" "vzip --spin" "vzip"; do
		before=$(counters)
		# shellcheck disable=SC2086
		"$bin/wdbench" --engine ${how% *} --op nop \
			$(echo "$how" | grep -o -- --spin) --seconds "$secs" \
			--out $out --name "$1-nop" | grep -E '^(queue|vzip) '
		echo "$before $(counters)" | awk '{ n = $4 - $1
			printf "   per NOP: %.2f doorbells, %.2f engine sleeps (%d NOPs)\n",
			       n ? ($5 - $2) / n : 0, n ? ($6 - $3) / n : 0, n }'
	done
}

run() {
	name=$1
	input=$2
	shift 2
	insmod "$mods/uacce/uacce.ko" || return 1
	insmod "$mods/drivers/engine/wd_engine.ko" || { rmmod uacce; return 1; }
	insmod "$mods/drivers/vzip/vzip.ko" "$@" ||
		{ rmmod wd_engine; rmmod uacce; return 1; }
	echo "== wdbench, vzip $*"
	grep . /sys/class/uacce/*/api /sys/class/uacce/*/flags
	"$bin/wdbench" --seconds "$secs" --out $out --name "$name" \
		${input:+--input "$input"} ${loaded:+--loaded}
	rc=$?
	echo "== NOP at depth 1: the raw queue, the library spinning, polling"
	nop_detail "$name"
	rmmod vzip
	rmmod wd_engine
	rmmod uacce
	return $rc
}

# vcrypt's counters, one line
vcrypt_stats() {
	grep -hE '^(requests_ok|doorbells|need_wakeup|engine_sleeps|engine_wakeups|slots_loaded) ' \
		/sys/kernel/debug/vcrypt/*/stats | tr '\n' ' '
}

# The crypto ops on vcrypt (WD_POLICY=hw: the device or an error, never
# software), each next to OpenSSL's EVP in the same run, twice.
crypto() {
	insmod "$mods/uacce/uacce.ko" || return 1
	insmod "$mods/drivers/engine/wd_engine.ko" || { rmmod uacce; return 1; }
	insmod "$mods/drivers/vcrypt/vcrypt.ko" ||
		{ rmmod wd_engine; rmmod uacce; return 1; }
	echo "== wdbench, crypto ops on vcrypt, WD_POLICY=hw, next to EVP"
	grep . /sys/class/uacce/*/api /sys/class/uacce/*/flags
	echo "engine threads: $(pgrep -c '^vcrypt\..*/e')"
	rc=0
	for name in crypto crypto-repeat; do
		echo "-- $name; vcrypt before: $(vcrypt_stats)"
		WD_POLICY=hw "$bin/wdbench" --op crypto --size 4k,64k,1m \
			--mode sync,async --depth 16 --engine wd,evp \
			--seconds "$secs" --out $out --name $name || rc=1
		echo "-- vcrypt after: $(vcrypt_stats)"
	done
	rmmod vcrypt
	rmmod wd_engine
	rmmod uacce
	return $rc
}

echo "== machine: $(uname -r), $(nproc) CPUs, $(grep -c ^processor /proc/cpuinfo) online, $(date -u '+%Y-%m-%d %H:%M UTC')"
grep -m1 'model name' /proc/cpuinfo
# what OpenSSL and the kernel's crypto could use (none of it under
# QEMU's default CPU: both run portable code)
echo "CPU crypto features: $(grep -m1 ^flags /proc/cpuinfo | tr ' ' '\n' |
	grep -xE 'aes|pclmulqdq|ssse3|sse4_1|sse4_2|avx|avx2|sha_ni' | tr '\n' ' ')"
openssl version
echo "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
# what waking a sleeping task costs here, against one system call
if command -v perf > /dev/null; then
	echo "== perf bench: pipe round trips, two tasks (any CPU, one CPU); getppid()"
	perf bench sched pipe -l 2000 2>&1 | grep usecs/op
	taskset -c 0 perf bench sched pipe -l 2000 2>&1 | grep usecs/op
	perf bench syscall basic -l 200000 2>&1 | grep usecs/op
fi
case $suites in
crypto)	crypto; exit $? ;;
goals|loaded|all) ;;
*)	echo "guest-bench: unknown suite $suites (goals, loaded, crypto, all)" >&2; exit 1 ;;
esac
src=$(ls -d build/src/linux-source-6.1 2>/dev/null)
[ -n "$src" ] || { echo "guest-bench: no kernel source under build/src" >&2; exit 1; }
corpus=/tmp/corpus
find "$src/mm" "$src/fs/ext4" "$src/kernel" -name '*.[ch]' | sort |
	xargs cat | head -c 8388608 > $corpus
echo "== corpus: $(wc -c < $corpus) bytes of $src/{mm,fs/ext4,kernel}/*.[ch]"
# goals: a quiet guest; loaded: the same with a CPU hog on every vCPU
# (wdbench --loaded); all: both, then crypto
for suite in goals loaded; do
	[ "$suites" = all ] || [ "$suites" = $suite ] || continue
	loaded= sfx=
	[ $suite = loaded ] && loaded=1 sfx=-loaded
	run goals$sfx "" || exit 1
	run goals-corpus$sfx $corpus || exit 1
	# the largest shared region a queue can have without an IOMMU (4 MiB
	# of contiguous memory): room for 1 MiB requests and their output
	run goals-nosva$sfx "" sva=0 ss_size=4194304 || exit 1
done
[ "$suites" = all ] || exit 0
crypto
