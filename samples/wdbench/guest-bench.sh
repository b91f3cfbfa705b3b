#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs wdbench's goals suite in a test guest, on vzip with SVA and without,
# for Documentation/benchmarks.rst.  From the host:
#
#	test/vm/run-guest.sh build/kernel/base build/bench-run 3600 \
#		samples/wdbench/guest-bench.sh [SECONDS]
#
# The JSON lands in build/bench-run/bench/, the tables in
# build/bench-run/guest.log.
set -u
mods=build/modules/$(uname -r)
bin=$PWD/build/user/bin
secs=${1:-1}
out=/run/out/bench
mkdir -p $out

run() {
	name=$1
	shift
	insmod "$mods/uacce/uacce.ko" || return 1
	insmod "$mods/drivers/vzip/vzip.ko" "$@" || { rmmod uacce; return 1; }
	echo "== wdbench, vzip $*"
	grep . /sys/class/uacce/*/api /sys/class/uacce/*/flags
	"$bin/wdbench" --seconds "$secs" --out $out --name "$name"
	rc=$?
	rmmod vzip
	rmmod uacce
	return $rc
}

echo "== machine: $(uname -r), $(nproc) CPUs, $(grep -c ^processor /proc/cpuinfo) online"
grep -m1 'model name' /proc/cpuinfo
run goals || exit 1
# the largest shared region a queue can have without an IOMMU (4 MiB of
# contiguous memory): room for 1 MiB requests and their output
run goals-nosva sva=0 ss_size=4194304 || exit 1
