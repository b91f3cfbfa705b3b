#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# One execution path (modules uacce, vzip:queues=20:engines=1, wd_mdev):
# the queues of a vfio-pci instance are served by the accelerator's own
# engines, in turn with the queue of a host process, not by an executor of
# their own.  What the device did is read from its trace events,
# vzip:vzip_request (a hardware queue's request) and vzip:vzip_vq_request
# (a vfio-pci queue's), never from timings (Documentation/vzip.rst,
# "Scheduling").  TAP.
set -u
. test/guest/vfio_lib.sh
uuid_base=0x7e
T=/sys/kernel/tracing

vfio_setup
[ -w $T/trace ] || mount -t tracefs nodev $T 2>/dev/null
[ -w $T/events/vzip/vzip_vq_request/enable ] ||
	fail_all "no trace event vzip:vzip_vq_request in $T"
eq "the device has one engine" "$(cat /sys/module/vzip/parameters/engines)" 1

tracing() {
	echo "$1" > $T/events/vzip/vzip_request/enable
	echo "$1" > $T/events/vzip/vzip_vq_request/enable
	echo "$1" > $T/tracing_on
}
cleanup() {
	tracing 0
	[ -n "${host:-}" ] && kill "$host" 2>/dev/null
	vfio_cleanup
}
trap cleanup EXIT
echo 0 > $T/tracing_on
echo global > $T/trace_clock
echo 8192 > $T/buffer_size_kb
: > $T/trace

u=$(uuid 1)
check "create a vq2 instance" vcreate vq2 "$u"

# a host process keeps a queue of the same device busy: 4 KiB COPY
# requests one after the other, until it is killed
tracing 1
$bin/wdbench --op copy --size 4k --mode sync --engine vzip --seconds 600 \
	--out $work --name host > $work/host.log 2>&1 &
host=$!
i=0
while ! grep -q 'vzip_request:' $T/trace && [ $i -lt 600 ]; do
	i=$((i + 1))
	sleep 0.1
done
check "the host process's requests run on the device" grep -q 'vzip_request:' $T/trace

# the VM's requests, traced from a clean buffer while the host runs on
echo 0 > $T/tracing_on
: > $T/trace
echo 1 > $T/tracing_on
vc_ok "64 round trips on the instance's 2 queues, 4 in flight each" \
	--queues 2 --requests 64 --chunk 4096 --size 262144 --inflight 4 "$u"
echo 0 > $T/tracing_on
alive $host
eq "the host process was still running" "$?" 0
# its queue is a tenant of its own, of the default weight (fdinfo)
info=""
for fd in /proc/$host/fd/*; do
	case "$(readlink "$fd")" in /dev/$parent) info=$(cat "/proc/$host/fdinfo/${fd##*/}") ;; esac
done
eq "the host process's queue: weight 100 in its fdinfo" \
	"$(echo "$info" | awk '/^uacce-weight:/ { print $2 }')" 100
hns=$(echo "$info" | awk '/^uacce-engine-ns:/ { print $2 }')
if [ "${hns:-0}" -gt 0 ]; then pass "and engine time charged to it: $hns ns"; else fail "no engine time charged to the host's queue: '$hns'"; fi
cat $T/trace > $work/trace
kill $host 2>/dev/null
wait $host 2>/dev/null
host=
tracing 0
: > $T/trace

vq=$(grep -c "vzip_vq_request: .* instance=$u " $work/trace)
eq "the device's engines served every request of the VM (2 per round trip)" "$vq" 128
eq "all of them on the device's one engine" \
	"$(grep "vzip_vq_request: .* instance=$u " $work/trace | grep -vc ' engine=0 ')" 0
for q in 0 1; do
	n=$(grep -c "vzip_vq_request: .* instance=$u queue=$q\$" $work/trace)
	if [ "$n" -gt 0 ]; then pass "queue $q: $n requests"; else fail "queue $q: no request"; fi
done
# while the VM ran, the engine went on serving the host's queue: they
# took turns, neither ran to the end before the other
between=$(awk -v u="$u" '
	/vzip_vq_request: / && index($0, "instance=" u " ") { seen = 1; n += pend; pend = 0; next }
	/vzip_request: / && seen { pend++ }
	END { print n + 0 }' $work/trace)
if [ "$between" -gt 0 ]; then
	pass "the host's requests ran between the VM's: $between"
else
	fail "no host request ran between the VM's first and last"
fi
lost=$(cat $T/per_cpu/cpu*/stats 2>/dev/null | awk '/^overrun:/ { n += $2 } END { print n + 0 }')
eq "the trace lost no event" "$lost" 0

vns=$(cat /sys/bus/mdev/devices/$u/engine_ns)
if [ "$vns" -gt 0 ]; then pass "the instance's engine_ns: $vns"; else fail "the instance's engine_ns: '$vns'"; fi

# ---- its weight (Documentation/mdev.rst, "Weights") ----
w=/sys/bus/mdev/devices/$u/weight
eq "an instance starts at weight 100" "$(cat $w)" 100
for bad in 0 10001 abc -5 4294967296; do
	if printf '%s' "$bad" > $w 2>/dev/null && [ -n "$bad" ]; then
		fail "weight '$bad' was accepted"
	else
		pass "weight '$bad' refused"
	fi
done
eq "and the weight is unchanged" "$(cat $w)" 100
check "weight 10000 accepted" sh -c "echo 10000 > $w"
check "weight 1 accepted" sh -c "echo 1 > $w"
eq "it reads back" "$(cat $w)" 1

check "remove the instance" destroy "$u"
eq "every queue is free" "$(cat /sys/class/uacce/$parent/available_instances)" 20

done_tap
