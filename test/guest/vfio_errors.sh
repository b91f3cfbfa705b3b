#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Error paths of a vzip vfio-pci instance, driven by samples/vfio-client
# (modules uacce, vzip:queues=20, wd_mdev): requests whose src, dst or ctx
# IOVA is not mapped complete with ADDR_ERROR and set the queue's ERROR
# and ERR_IOVA registers, the queue goes on; rings at unmapped IOVAs halt
# the queue with RING; unmapping the data with requests in flight returns
# and every request ends; VFIO_DEVICE_RESET and the function level reset
# with requests in flight.  The harness checks the guest log is clean.
# TAP; every "check:" line of vfio-client is a case.
set -u
. test/guest/vfio_lib.sh
uuid_base=0x72

vfio_setup

u=$(uuid 1)
check "create a vq2 instance" vcreate vq2 "$u"

# vc_checks DESCRIPTION ARGS...: vfio-client ARGS; each of its "check:"
# lines becomes a case, and its exit status one more
vc_checks() {
	desc=$1
	shift
	"$vc" "$@" > $work/vc.log 2>&1
	rc=$?
	while read -r line; do
		case "$line" in
		"check: ok "*) pass "$desc: ${line#check: ok }" ;;
		"check: FAILED "*) fail "$desc: ${line#check: FAILED }" ;;
		esac
	done < $work/vc.log
	if [ $rc = 0 ]; then
		pass "$desc: vfio-client exits 0"
	else
		fail "$desc: vfio-client exits $rc"
		grep -v '^check:' $work/vc.log | sed 's/^/# /'
	fi
}

common="--queues 2 --size 262144 --chunk 65536 --timeout 120"
vc_checks "bad src" --bad-iova src $common "$u"
vc_checks "bad dst" --bad-iova dst $common "$u"
vc_checks "bad ctx" --bad-iova ctx $common "$u"
vc_checks "bad SQ" --bad-iova sq $common "$u"
vc_checks "bad CQ" --bad-iova cq $common "$u"
vc_checks "bad CQ, INTx" --bad-iova cq --irq intx $common "$u"
vc_checks "unmap in flight" --unmap-inflight --inflight 8 $common "$u"
vc_checks "unmap in flight, 1 MiB requests" --unmap-inflight --inflight 2 \
	--queues 2 --size 2097152 --chunk 1048576 --timeout 120 "$u"
vc_checks "reset" --reset --inflight 4 $common "$u"
vc_checks "reset, INTx" --reset --irq intx --inflight 4 $common "$u"

check "remove the instance" destroy "$u"
eq "every queue is free" "$(cat /sys/class/uacce/$parent/available_instances)" 20

done_tap
