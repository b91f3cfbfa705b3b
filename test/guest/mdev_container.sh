#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The inside of a container of test/guest/mdev_containers.sh, run by
# unshare in new user, mount and pid namespaces, in a cgroup whose device
# filter allows only the tenant's instance:
#
#   mdev_container.sh NAME QUOTA OTHER_NAME WORK
#
# Gives the container a /dev with only /dev/NAME, smuggles a node of the
# other tenant's instance OTHER_NAME into WORK/smuggled (which the device
# filter must refuse), then runs the tenant's checks (TAP) and compresses
# WORK/../in into WORK/out.gz through the instance.  Nothing here may open
# /dev/null: the device filter refuses it.
set -u
name=$1 quota=$2 other=$3 work=$4
top=$PWD

mkdir -p "$work/dev" "$work/smuggled" || exit 1
mount -t tmpfs -o mode=755 ctr-dev "$work/dev" || exit 1
: > "$work/dev/$name"
mount --bind "/dev/$name" "$work/dev/$name" || exit 1
: > "$work/smuggled/$other"
mount --bind "/dev/$other" "$work/smuggled/$other" || exit 1
mount --move "$work/dev" /dev || exit 1
echo "# container $name: pid $$, /dev holds: $(ls /dev | tr '\n' ' ')"

export WD_DEVICE="$name"
WD_POLICY=hw "$top/build/user/test/mdev_tenant_test" "$name" "$quota" \
	"$other" "$work/smuggled/$other"
rc=$?
# auto: without SVA, wdzip's 1 MiB buffers do not fit the shared region
# and are copied through it; -v says the accelerator did the work
WD_POLICY=auto WD_SW_THRESHOLD=0 "$top/build/user/bin/wdzip" -v -c \
	"$work/../in" > "$work/out.gz" 2> "$work/wdzip.log" || rc=1
exit $rc
