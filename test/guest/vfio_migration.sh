#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# VFIO migration v2 of vzip vfio-pci instances, driven by samples/vfio-client
# (modules uacce, vzip:queues=20, wd_mdev; Documentation/migration.rst):
# the migration/ attributes and their compatibility check; the device moved
# from one instance to another in the middle of a workload, with requests
# in flight that complete on the destination, each exactly once, every
# output checked with zlib, the pages the source wrote in the dirty bitmap;
# a state saved to a file refused by an instance of another type, or when
# a byte of its header or body is flipped, or when it is cut short, or
# when it is forged with its CRCs right (a header string that is not
# printable, another format version, a reserved word set), the instance
# working again after a reset each time; VMMs killed in
# STOP_COPY and in RESUMING, after which the instances serve the next VMM
# and nothing stays pinned.  The harness checks the kernel log is clean.
# TAP.
#
# A process costs about half a second in the debug guest: the helpers
# below match lines with the shell's own case and read, not grep and sed.
set -u
. test/guest/vfio_lib.sh
uuid_base=0x79

vfio_setup
read -r free < /sys/class/uacce/$parent/available_instances
[ "$free" = 20 ] || fail_all "wants vzip:queues=20 with every queue free"

# pins: pages pinned with FOLL_PIN in the whole guest (VFIO's among them)
pins() {
	echo 1 > /proc/sys/vm/stat_refresh 2>/dev/null
	awk '$1 == "nr_foll_pin_acquired" { a = $2 }
	     $1 == "nr_foll_pin_released" { r = $2 }
	     END { print a - r }' /proc/vmstat
}

# find_line FILE PATTERN [SKIP]: the first line of FILE after its first
# SKIP lines that matches the shell pattern PATTERN, in $hit
find_line() {
	hit="" n=0
	while IFS= read -r line; do
		n=$((n + 1))
		[ "$n" -le "${3:-0}" ] && continue
		# shellcheck disable=SC2254
		case "$line" in $2) hit=$line; return 0 ;; esac
	done < "$1"
	return 1
}

# kmark: remember where the kernel log ends; klog DESCRIPTION PATTERN: one
# case, the kernel logged a line matching *PATTERN* since
kmark() {
	dmesg > $work/kmsg
	kmark=0
	while IFS= read -r line; do
		kmark=$((kmark + 1))
	done < $work/kmsg
}
klog() {
	dmesg > $work/kmsg
	if find_line $work/kmsg "*$2*" "$kmark"; then
		pass "$1: ${hit#\[*\] }"
	else
		fail "$1 (no kernel line matching '$2')"
		tail -n 5 $work/kmsg | sed 's/^/# /'
	fi
}

# vc_run DESCRIPTION WANT ARGS...: one case, vfio-client ARGS exits WANT;
# its output in $work/vc.log, as TAP comments when it does not
vc_run() {
	desc=$1 want=$2
	shift 2
	"$vc" "$@" > $work/vc.log 2>&1
	rc=$?
	if [ $rc = "$want" ]; then
		pass "$desc"
	else
		fail "$desc (exit $rc, want $want)"
		sed 's/^/# /' $work/vc.log
	fi
}

# has DESCRIPTION PATTERN: one case, $work/vc.log has a line matching
# *PATTERN* (then in $hit)
has() {
	if find_line $work/vc.log "*$2*"; then
		pass "$1: ${hit#vfio-client: }"
	else
		fail "$1 (no line matching '$2')"
		sed 's/^/# /' $work/vc.log
	fi
}

# inflight DESCRIPTION PATTERN: has, and the number before " in flight"
# in that line is not 0
inflight() {
	has "$1" "$2" || return
	k=${hit%% in flight*}
	k=${k##* }
	[ "$k" -gt 0 ] 2>/dev/null || fail "$1: requests in flight (got '$k')"
}

# sysfs_write FILE VALUE: write an attribute; the write's status
sysfs_write() {
	{ echo "$2" > "$1"; } 2>/dev/null
}
refuses() {
	! sysfs_write "$@"
}
create2() {
	vcreate "$1" "$2" && vcreate "$1" "$3"
}
# attrs DIR: an instance's migration/ directory has its four attributes
attrs() {
	[ -r "$1/type" ] && [ -r "$1/version" ] && [ -r "$1/description" ] &&
		[ -w "$1/check" ]
}

pins0=$(pins)
kmark
kstart=$kmark

a1=$(uuid 1) a2=$(uuid 2) b1=$(uuid 3) b2=$(uuid 4) c1=$(uuid 5)
check "create two vq1 instances" create2 vq1 "$a1" "$a2"
check "create two vq2 instances" create2 vq2 "$b1" "$b2"
check "create a vq4 instance" vcreate vq4 "$c1"
d=/sys/bus/mdev/devices
ma=$d/$a1/migration ma2=$d/$a2/migration mb=$d/$b1/migration mc=$d/$c1/migration

# ---- the migration/ attributes ----
for m in $ma $mb $mc; do
	check "${m#"$d"/} has type, version, description and check" attrs $m
done
read -r ta < $ma/type
read -r tb < $mb/type
read -r tc < $mc/type
eq "migration/type of a vq1 is its mdev type" "$ta" \
	"$(basename "$(readlink "$d/$a1/mdev_type")")"
eq "and of a vq4" "$tc" "$(basename "$(readlink "$d/$c1/mdev_type")")"
read -r va < $ma/version
read -r va2 < $ma2/version
read -r vb < $mb/version
read -r mdesc < $mb/description
check "migration/version is a string: $va" test -n "$va"
eq "two instances of a type have the same version" "$va2" "$va"
check "instances of two types have different versions" test "$va" != "$vb"
case "$mdesc" in
*"2 queues"*) pass "migration/description: $mdesc" ;;
*) fail "migration/description of a vq2 says 2 queues: $mdesc" ;;
esac
# before any instance exists, the type says what their version will be
tver=none
while IFS= read -r line; do
	case "$line" in migration_version:\ *) tver=${line#migration_version: } ;; esac
done < "$(vtype vq2)/description"
eq "the vq2 type's description gives its instances' migration/version" "$tver" "$vb"
check "check takes the version of an instance of the same type" sysfs_write $ma2/check "$va"
kmark
check "check refuses it on a vq4" refuses $mc/check "$va"
klog "and says why" "migration check: source version $va cannot come"
check "check refuses garbage" refuses $ma2/check nonsense

# ---- the device moved mid-workload: vq1, then vq2 with 2 queues ----
vc_run "vq1 to vq1 mid-workload, outputs checked with zlib" 0 \
	--migrate-to "$a2" --size 262144 --chunk 8192 --requests 48 --inflight 8 "$a1"
inflight "vq1" "migrated after "
if has "vq1: the stream's size" "source stopped: stream "; then
	s=${hit#*stream }
	eq "vq1: as MIG_DATA_SIZE said" "${hit##*said }" "${s%% bytes*}"
fi
has "vq1: each round trip completed once" "every round trip completed exactly once"
has "vq1: type1 reports dirty pages" "dirty pages: [1-9]* of "
has "vq1: the source's writes are in the dirty bitmap" "are all in the bitmap"
vc_run "vq2 to vq2 on 2 queues, 8 in flight each, INTx" 0 --queues 2 \
	--migrate-to "$b2" --size 524288 --chunk 16384 --requests 64 --inflight 8 \
	--irq intx "$b1"
inflight "vq2" "migrated after "
if has "vq2: the destination's queue 1" "destination queue 1: "; then
	s=${hit##*submitted }
	eq "vq2: took every request submitted" "${hit##*taken }" "${s%%,*}"
fi
vc_run "to an instance of another type: refused before anything moves" 3 \
	--migrate-to "$c1" --size 65536 --chunk 8192 --requests 8 "$a1"
has "saying so" "cannot take the state"

# ---- a saved state: into a vq4, and corrupt ----
st=$work/vq2.state
rm -f $st
vc_run "save a vq2's state mid-workload" 0 --save $st --queues 2 --inflight 4 \
	--size 262144 --chunk 16384 --requests 32 "$b1"
inflight "with requests in flight" "saved the device's state after "
vc_run "--mig-info reads it" 0 --mig-info $st
has "its type" "  type *$tb"
has "its queues" "  queues *2, "
has "its CRCs" "  body *: matches"
kmark
vc_run "a vq4 refuses it" 1 --resume $st --size 16384 "$c1"
has "at the write of the header" "refused the stream after"
klog "the kernel says why" "migration stream refused: source $tb has 2 queues, this instance $tc has 4"
has "the vq4 works after VFIO_DEVICE_RESET" "after VFIO_DEVICE_RESET the device is RUNNING and works"
vc_ok "and serves the next VMM" --queues 4 --size 16384 --chunk 4096 "$c1"
vc_run "another vq2 takes it" 0 --resume $st --size 16384 "$b2"
has "and works after a reset" "after VFIO_DEVICE_RESET the device is RUNNING and works"

# corrupt COPY OFFSET: a copy of the state with byte OFFSET set to 0xff
# (it is not 0xff: ASCII in the header, a zero at the body's end)
size=$(wc -c < $st)
corrupt() {
	cp $st $1 &&
		printf '\377' | dd of=$1 bs=1 seek=$2 conv=notrunc 2>/dev/null &&
		! cmp -s $st $1
}
check "flip a byte of the header" corrupt $work/hdr.state 100
vc_run "--mig-info sees it" 1 --mig-info $work/hdr.state
has "in the header's CRC" "  header *DOES NOT MATCH"
kmark
vc_run "the header refused" 1 --resume $work/hdr.state --size 16384 "$b2"
has "at the write" "refused the stream after"
klog "as corrupt" "migration stream refused: the header is corrupt"
has "the instance works after the reset" "RUNNING and works"

check "flip the last byte of the body" corrupt $work/body.state $((size - 1))
kmark
vc_run "the body refused" 1 --resume $work/body.state --size 16384 "$b2"
has "at RESUMING -> STOP" "at RESUMING -> STOP"
klog "as corrupt" "migration stream refused: the device state is corrupt"
has "the instance works after the reset" "RUNNING and works"

head -c $((size - 10)) $st > $work/short.state
kmark
vc_run "a state cut 10 bytes short refused" 1 --resume $work/short.state \
	--size 16384 "$b2"
has "at RESUMING -> STOP" "at RESUMING -> STOP"
klog "as short" "migration stream refused: * ended before the body's end"
has "the instance works after the reset" "RUNNING and works"

# forge OUT OFFSET HEX: a copy of the state with the bytes HEX at OFFSET and
# both CRCs made right again, as a crafted stream would have them (the
# header's size is at byte 6, its CRC its last 4 bytes, the body after it)
forge() {
	python3 - "$st" "$@" <<-'EOF'
	import struct, sys, zlib
	src, out, off, data = sys.argv[1:5]
	b = bytearray(open(src, "rb").read())
	off = int(off)
	b[off:off + len(data) // 2] = bytes.fromhex(data)
	hsize = struct.unpack_from("<H", b, 6)[0]
	struct.pack_into("<I", b, 12, zlib.crc32(bytes(b[hsize:])))
	struct.pack_into("<I", b, hsize - 4, zlib.crc32(bytes(b[:hsize - 4])))
	open(out, "wb").write(b)
	EOF
}
# the description (at byte 152) with a line of its own in it
check "a header whose description forges a kernel log line" \
	forge $work/nl.state 152 "0a6c6f616465640a"
kmark
vc_run "refused" 1 --resume $work/nl.state --size 16384 "$b2"
has "at the write" "refused the stream after"
klog "as not printable" "migration stream refused: a header string is not terminated, or not printable ASCII"
has "the instance works after the reset" "RUNNING and works"

check "a header of format version 2" forge $work/v2.state 4 "0200"
kmark
vc_run "refused" 1 --resume $work/v2.state --size 16384 "$b2"
klog "as a version this kernel does not read" "migration stream refused: format version 2, this kernel reads 1"

check "a version flipped, the CRC left" corrupt $work/ver.state 5
kmark
vc_run "refused" 1 --resume $work/ver.state --size 16384 "$b2"
klog "as corrupt, not as another version" "migration stream refused: the header is corrupt (CRC)"

# the body's reserved word, after configuration space (256) and IRQ_STATUS
check "a device state whose reserved word is not 0" \
	forge $work/rsv.state $((284 + 260)) "01000000"
kmark
vc_run "refused" 1 --resume $work/rsv.state --size 16384 "$b2"
has "at RESUMING -> STOP" "at RESUMING -> STOP"
klog "saying which word" "migration stream refused: reserved word 0x1 of the device state is not 0"
has "the instance works after the reset" "RUNNING and works"

# ---- VMMs killed in STOP_COPY and in RESUMING ----
fifo=$work/fifo
rm -f $fifo
mkfifo $fifo
# --save opens its file in STOP_COPY: a FIFO nobody reads keeps it there
vmm_start $work/kill1.log --save $fifo --queues 2 --inflight 4 --size 262144 \
	--chunk 16384 --requests 32 "$b1"
if wait_line $work/kill1.log "STOP_COPY after" 120; then
	sleep 0.5
	check "a VMM waits in STOP_COPY" alive $vmm_pid
	kill -9 $vmm_pid
	wait_pid $vmm_pid 30
	eq "SIGKILL ends it" "$wait_rc" 137
else
	fail "a VMM reaches STOP_COPY: $(cat $work/kill1.log)"
fi
vc_ok "the instance serves the next VMM" --queues 2 --size 16384 --chunk 4096 "$b1"

# the first 100 bytes of a state, then nothing: the VMM waits in RESUMING
( head -c 100 $st; exec sleep 120 ) > $fifo &
writer=$!
vmm_start $work/kill2.log -v --resume $fifo --size 16384 "$b2"
if wait_line $work/kill2.log "RESUMING: 100 bytes written" 120; then
	sleep 0.5
	check "a VMM waits in RESUMING" alive $vmm_pid
	kill -9 $vmm_pid
	wait_pid $vmm_pid 30
	eq "SIGKILL ends it" "$wait_rc" 137
else
	fail "a VMM reaches RESUMING: $(cat $work/kill2.log)"
fi
kill $writer 2>/dev/null
wait $writer 2>/dev/null
vc_ok "the instance serves the next VMM" --queues 2 --size 16384 --chunk 4096 "$b2"
eq "nothing stays pinned" "$(pins)" "$pins0"
dmesg > $work/kmsg
if find_line $work/kmsg "*still pinned*" "$kstart"; then
	fail "no close left a page pinned: $hit"
else
	pass "no close left a page pinned"
fi

gone=0
for u in $a1 $a2 $b1 $b2 $c1; do
	destroy "$u" && [ ! -e "$d/$u" ] && gone=$((gone + 1))
done
eq "the instances can be removed" "$gone" 5
read -r free < /sys/class/uacce/$parent/available_instances
eq "every queue is free" "$free" 20

done_tap
