#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vfio-pci instances of vzip driven by samples/vfio-client, the VMM-style
# program (modules uacce, vzip:queues=20, wd_mdev): an instance of each
# vfio-pci type is a PCI function a VMM owns through VFIO; compress and
# decompress round trips through it, checked with zlib and gzip -d, over
# sizes, levels, formats, many requests in flight, several queues, MSI,
# INTx and polling; one VMM at a time per instance.  TAP.
set -u
. test/guest/vfio_lib.sh
uuid_base=0x71

vfio_setup

# ---- the types and an instance ----
for t in vq1 vq2 vq4; do
	d=$(vtype $t)
	if [ -n "$d" ]; then pass "vfio-pci type $(basename "$d")"; else fail "vfio-pci type *-$t"; fi
done
u1=$(uuid 1)
check "create a vq1 instance" vcreate vq1 "$u1"
check "it has an IOMMU group" test -L "/sys/bus/mdev/devices/$u1/iommu_group"
g=$(vgroup "$u1")
check "/dev/vfio/$g exists" test -c "/dev/vfio/$g"

# ---- the workload ----
vc_ok "1 MiB of generated text, 16 gzip round trips (MSI)" -v "$u1"
vc_ok "1 byte" --size 1 "$u1"
vc_ok "chunks of 4095 bytes" --size 100000 --chunk 4095 --inflight 8 "$u1"
vc_ok "two 1 MiB requests" --size 2097152 --chunk 1048576 --inflight 2 "$u1"
vc_ok "level 1" --level 1 --size 262144 "$u1"
vc_ok "level 9" --level 9 --size 262144 "$u1"
vc_ok "zlib format" --format zlib --size 262144 "$u1"
vc_ok "raw deflate, 512-byte window" --format raw --window 9 --size 262144 "$u1"
vc_ok "300 round trips, 32 in flight" --size 65536 --chunk 2048 --requests 300 \
	--inflight 32 --depth 64 "$u1"
vc_ok "INTx" --irq intx --size 262144 --inflight 8 "$u1"
vc_ok "polling, no interrupts" --irq poll --size 262144 "$u1"

# a real file, written out as gzip: gzip -d reads what the device made
find /usr/include -name '*.h' | sort | head -n 200 | xargs cat 2>/dev/null | head -c 400000 > $work/in
rm -f $work/out.gz
vc_ok "compress a file to gzip" -i $work/in -o $work/out.gz --chunk 65536 "$u1"
if gzip -dc $work/out.gz 2>/dev/null | cmp -s - $work/in; then
	pass "gzip -d gives the file back ($(wc -c < $work/out.gz) bytes of $(wc -c < $work/in))"
else
	fail "gzip -d gives the file back"
fi

# ---- several queues ----
u4=$(uuid 4)
check "create a vq4 instance" vcreate vq4 "$u4"
vc_ok "4 queues, 8 in flight each, MSI" --queues 4 --inflight 8 --size 131072 \
	--chunk 4096 --requests 128 "$u4"
vc_ok "4 queues with INTx" --queues 4 --irq intx --size 131072 --chunk 8192 "$u4"
"$vc" --queues 5 "$u4" > $work/vc.log 2>&1
eq "a 5th queue is refused" "$?" 3

# ---- one VMM at a time ----
vmm_start $work/hold.log --hang --chunk 65536 --size 262144 "$u1"
if wait_line $work/hold.log running 120; then
	"$vc" --size 4096 "$u1" > $work/vc.log 2>&1
	rc=$?
	eq "a second VMM cannot open the instance" "$rc" 3
	case "$(cat $work/vc.log)" in
	*busy*|*Busy*|*in\ use*) pass "and says it is busy: $(head -n 1 $work/vc.log)" ;;
	*)	fail "and says it is busy: $(head -n 1 $work/vc.log)" ;;
	esac
else
	fail "the first VMM runs: $(cat $work/hold.log)"
fi
kill -9 $vmm_pid 2>/dev/null
wait $vmm_pid 2>/dev/null
vc_ok "the instance works again once the VMM is gone" --size 65536 "$u1"

check "remove the vq1 instance" destroy "$u1"
check "remove the vq4 instance" destroy "$u4"
check "both are gone" sh -c "test ! -e /sys/bus/mdev/devices/$u1 && test ! -e /sys/bus/mdev/devices/$u4"
eq "every queue is free" "$(cat /sys/class/uacce/$parent/available_instances)" 20

done_tap
