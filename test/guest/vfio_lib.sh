# SPDX-License-Identifier: GPL-2.0
# Shell helpers of the vfio-pci instance tests (test/guest/vfio_*.sh), on
# top of mdev_lib.sh: the vfio-pci mdev types of the vzip accelerator,
# found by their device_api (never by a hard-coded prefix), instances of
# them, and samples/vfio-client, the VMM-style program that drives them.
#
# The scripts run in the debug guest from the repository root, with uacce,
# vzip:queues=20 and wd_mdev loaded (test/plan).

. test/guest/mdev_lib.sh
vc=$bin/vfio-client
work=/tmp/vfio-test
vmm_pids=""
vmm_pid=""
mkdir -p $work

# vtype SUFFIX: the type directory of the vfio-pci type named *-SUFFIX
# (the shell's read, not cat: a process costs a quarter of a second or
# more in the debug guest, and the tests call this often)
vtype() {
	for d in /sys/class/mdev_bus/*/mdev_supported_types/*-"$1"; do
		vtype_api=""
		[ -f "$d/device_api" ] && read -r vtype_api < "$d/device_api"
		[ "$vtype_api" = vfio-pci ] && echo "$d" && return 0
	done
	return 1
}

# vfio_setup: $parent, the accelerator's uacce name, and $vparent, the mdev
# parent of its vfio-pci types (the vzip.N device), or fail the whole test
vfio_setup() {
	parent=$(vzip_parent) || fail_all "no vzip accelerator with mdev types"
	vt=$(vtype vq1) || fail_all "no vfio-pci mdev type (device_api vfio-pci)"
	vparent=$(basename "$(dirname "$(dirname "$vt")")")
	[ -c /dev/vfio/vfio ] || fail_all "no /dev/vfio/vfio"
	trap vfio_cleanup EXIT
}

# vavail SUFFIX: available_instances of the vfio-pci type *-SUFFIX
vavail() {
	read -r vavail_n < "$(vtype "$1")/available_instances" && echo "$vavail_n"
}

# vcreate SUFFIX UUID: create a vfio-pci instance; the write's status
vcreate() {
	echo "$2" > "$(vtype "$1")/create" 2>/dev/null
}

# vgroup UUID: the instance's IOMMU group number
vgroup() {
	basename "$(readlink "/sys/bus/mdev/devices/$1/iommu_group")"
}

# Kill the VMMs we started, remove every instance left behind.
vfio_cleanup() {
	for p in $vmm_pids; do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for d in /sys/bus/mdev/devices/*; do
		[ -e "$d/remove" ] && echo 1 > "$d/remove"
	done 2>/dev/null
	return 0
}

# vmm_start LOG ARGS...: vfio-client ARGS in the background ($vmm_pid),
# its output in LOG
vmm_start() {
	log=$1
	shift
	: > "$log"
	"$vc" "$@" > "$log" 2>&1 &
	vmm_pid=$!
	vmm_pids="$vmm_pids $vmm_pid"
}

# wait_line LOG PATTERN SECONDS: until LOG has a line matching PATTERN
wait_line() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $(($3 * 10)) ] && return 1
		sleep 0.1
	done
}

# alive PID: PID runs (a child that exited stays a zombie until waited
# for, and kill -0 still finds it)
alive() {
	kill -0 "$1" 2>/dev/null &&
		[ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" != Z ]
}

# wait_pid PID SECONDS: until PID exits; its status in $wait_rc
wait_pid() {
	i=0
	while alive "$1"; do
		i=$((i + 1))
		if [ $i -gt $(($2 * 10)) ]; then
			wait_rc=timeout
			return 1
		fi
		sleep 0.1
	done
	wait "$1"
	wait_rc=$?
}

# vc_ok DESCRIPTION ARGS...: one TAP case, vfio-client ARGS exits 0; its
# output as TAP comments when it does not
vc_ok() {
	desc=$1
	shift
	if "$vc" "$@" > $work/vc.log 2>&1; then
		pass "$desc"
	else
		fail "$desc (exit $?)"
		sed 's/^/# /' $work/vc.log
	fi
}

# vfio_program SUFFIX PROGRAM ARGS...: a test program that drives an
# instance itself.  Creates an instance of the vfio-pci type *-SUFFIX
# (uuid 1), runs PROGRAM ARGS... UUID, whose TAP is the test's, removes
# the instance and exits with the program's status (1 if the instance
# could not be removed); a missing precondition fails the test.
vfio_program() {
	vp_type=$1
	shift
	vfio_setup
	vp_u=$(uuid 1)
	vcreate "$vp_type" "$vp_u" ||
		fail_all "create a $vp_type vfio-pci instance"
	[ -L "/sys/bus/mdev/devices/$vp_u/iommu_group" ] ||
		fail_all "the $vp_type instance has no IOMMU group"
	[ -c "/dev/vfio/$(vgroup "$vp_u")" ] ||
		fail_all "no /dev/vfio/$(vgroup "$vp_u")"
	"$@" "$vp_u"
	vp_rc=$?
	if ! destroy "$vp_u"; then
		echo "# could not remove the instance $vp_u"
		vp_rc=1
	fi
	exit $vp_rc
}
