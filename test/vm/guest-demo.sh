#!/bin/sh
# `make demo`, inside the base guest: load the modules, show the
# accelerator and its queues, compress from several processes at once
# through the queues, check every result with gzip, run a short benchmark.
set -u
mods=build/modules/$(uname -r)
bin=$PWD/build/user/bin
work=/tmp/demo
nprocs=4
mkdir -p $work /run/out/bench

fail() {
	echo "demo: $*"
	exit 1
}

insmod "$mods/uacce/uacce.ko" || fail "cannot load uacce.ko"
insmod "$mods/drivers/vzip/vzip.ko" || fail "cannot load vzip.ko"

echo
echo "== The accelerator"
for d in /sys/class/uacce/*; do
	[ -e "$d" ] || fail "no device in /sys/class/uacce"
	printf '/dev/%s: api %s, algorithms %s, %s queues free, NUMA node %s, %s\n' \
		"$(basename "$d")" "$(cat "$d/api")" "$(tr '\n' ' ' < "$d/algorithms" | sed 's/ $//')" \
		"$(cat "$d/available_instances")" "$(cat "$d/node_id")" \
		"$( [ $(( $(cat "$d/flags") & 1 )) = 1 ] && echo "shares process address spaces (SVA)" || echo "static shared DMA region")"
done
dev=$(basename "$(ls -d /sys/class/uacce/* | head -n 1)")

echo
echo "== $nprocs processes compress at once, each on a queue of its own"
# Some text worth compressing: the host's C headers, 2 MiB a process.
find /usr/include -name '*.h' | sort | xargs cat 2>/dev/null | head -c $((2 * nprocs))M > $work/corpus
i=1
while [ $i -le $nprocs ]; do
	dd if=$work/corpus of=$work/input-$i bs=1M skip=$(( (i - 1) * 2 )) count=2 2>/dev/null
	i=$((i + 1))
done

before=$(cat /sys/class/uacce/$dev/available_instances)
i=1
while [ $i -le $nprocs ]; do
	WD_POLICY=auto "$bin/wdzip" -v -k -f "$work/input-$i" > $work/log-$i 2>&1 &
	i=$((i + 1))
done
# While they run: queues in use on the device
sleep 1
during=$(cat /sys/class/uacce/$dev/available_instances)
wait
after=$(cat /sys/class/uacce/$dev/available_instances)
echo "queues free: $before before, $during while compressing, $after after (each queue is reclaimed at exit)"

ok=0
total_in=0
total_out=0
i=1
while [ $i -le $nprocs ]; do
	in=$(wc -c < $work/input-$i)
	out=$(wc -c < $work/input-$i.gz 2>/dev/null || echo 0)
	if gzip -dc $work/input-$i.gz 2>/dev/null | cmp -s - $work/input-$i; then
		verdict="gzip -d gives the input back"
		ok=$((ok + 1))
	else
		verdict="MISMATCH"
	fi
	printf 'process %d: %8d -> %8d bytes, %s; wdzip said: %s\n' $i "$in" "$out" "$verdict" \
		"$(tr '\n' ' ' < $work/log-$i | sed 's/  */ /g; s/ $//')"
	total_in=$((total_in + in))
	total_out=$((total_out + out))
	i=$((i + 1))
done

echo
echo "== Benchmark (wdbench --quick: device and in-process software in the same run)"
"$bin/wdbench" --quick --out /run/out/bench --name demo || echo "demo: wdbench failed"

echo
echo "== Summary"
echo "device: /dev/$dev ($(cat /sys/class/uacce/$dev/api))"
echo "processes: $nprocs at once, $ok of $nprocs results verified by gzip"
echo "data: $total_in bytes in, $total_out bytes out"
echo "benchmark: build/bench/demo.json"

rmmod vzip && rmmod uacce || fail "modules did not unload"
[ $ok = $nprocs ] || exit 1
