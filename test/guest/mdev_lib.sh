# SPDX-License-Identifier: GPL-2.0
# Shell helpers of the mdev guest tests, sourced by test/guest/mdev_*.sh:
# the vzip accelerator (and vcrypt, mdev_podman.sh), its mdev types and
# instances.
#
# The scripts run in the debug guest from the repository root, with uacce,
# vzip and wd_mdev loaded (test/plan).

bin=$PWD/build/user/bin
tbin=$PWD/build/user/test
util=$tbin/mdev_util
. test/lib/tap.sh

# accel_parent CLASS: the accelerator's uacce device (CLASS-N, not an
# instance), the one with mdev types
accel_parent() {
	for d in /sys/class/uacce/"$1"-*; do
		[ -d "$d/mdev_supported_types" ] && basename "$d" && return 0
	done
	return 1
}

# The vzip accelerator's uacce device (vzip-N, not an instance).
vzip_parent() {
	accel_parent vzip
}

# uuid N: a fixed UUID per test and N
uuid() {
	printf '%08x-0000-4000-8000-%012x\n' $((0x3dc0de00 + ${uuid_base:-0})) "$1"
}

# types_dir [PARENT]: of $parent by default
types_dir() {
	echo "/sys/class/uacce/${1:-$parent}/mdev_supported_types"
}

# attr FILE: a sysfs attribute's value, read by the shell: a `cat` is a
# dynamic program's start, a quarter of a second in the debug guest
attr() {
	read -r attr_v < "$1" && echo "$attr_v"
}

# avail TYPE: available_instances of uacce-TYPE
avail() {
	attr "$(types_dir)/uacce-$1/available_instances"
}

# create TYPE UUID [PARENT]: create an instance through sysfs (of $parent
# by default); the write's status
create() {
	echo "$2" > "$(types_dir "${3:-}")/uacce-$1/create" 2>/dev/null
}

# destroy UUID
destroy() {
	echo 1 > "/sys/bus/mdev/devices/$1/remove" 2>/dev/null
}

# inst_name UUID: the instance's uacce device name
inst_name() {
	attr "/sys/bus/mdev/devices/$1/access_point/name" 2>/dev/null
}

# hold NAME N: keep N queues of /dev/NAME open in the background ($held_pid)
hold() {
	rm -f /tmp/mdev-hold.out
	"$util" hold "$1" "$2" > /tmp/mdev-hold.out 2>&1 &
	held_pid=$!
	i=0
	while ! grep -q held /tmp/mdev-hold.out 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 $held_pid 2>/dev/null; then
			cat /tmp/mdev-hold.out >&2
			return 1
		fi
		sleep 0.1
	done
}

release() {
	kill "$held_pid" 2>/dev/null
	wait "$held_pid" 2>/dev/null
	held_pid=
}

# Remove every instance left on the parent (after a failed case).
cleanup_instances() {
	for d in /sys/bus/mdev/devices/*; do
		[ -e "$d/access_point" ] && echo 1 > "$d/remove"
	done 2>/dev/null
	return 0
}
