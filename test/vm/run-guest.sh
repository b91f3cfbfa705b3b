#!/bin/sh
# Boot a WarpDrive test kernel in QEMU and run one script inside it.
#
# Usage: run-guest.sh KERNEL OUT_DIR TIMEOUT_S GUEST_SCRIPT [ARG...]
#
# KERNEL is an O= build tree of ours or a kernel image. With WD_INITRD set,
# that initramfs boots first (the stock kernel lane: it loads the 9p
# modules, then switches to the 9p root and runs guest-init.sh).  With
# WD_CLAIMS set to a directory, it is shared read-write at /run/claims too:
# guests running one plan side by side claim each test there
# (guest-check.sh).
#
# The guest's root is the host's root, read-only over virtio-9p, so it runs
# the host's tools and our binaries from build/ at the same paths; OUT_DIR
# is shared read-write and mounted at /run/out.  The script's exit status
# comes back through isa-debug-exit: the guest writes 16 (QEMU exits 33)
# after it ran, and OUT_DIR/guest-status holds the script's own status.
# A panic exits 1 (pvpanic), a hang is killed by the timeout (124).
#
# The root is mounted with cache=loose: the guest keeps what it read and
# assumes no file changes under it.  Nothing may write the files a
# running guest reads (build/ above all: a module rebuilt in place while
# a guest loads it is read torn, and the kernel oopses in load_module()).
#
# WD_GUEST_MEM sets the guest's memory in MiB (1024 by default), split
# over its two NUMA nodes.  WD_TSC_RELIABLE=0 leaves the guest's kernel
# to pick its clocksource (the HPET, under TCG; see below).
#
# WD_TCG_THREAD=single runs the guest's two vCPUs on one host thread, in
# turn, instead of one thread each (QEMU's thread=multi, the default).
# make check sets it for a guest that shares the machine's two cores with
# two others, whose work is processes and programs more than kernel races
# (check.sh).
#
# Exit: the script's status; 125 when the guest did not finish cleanly.
set -eu

kernel=$1 out=$2 tmo=$3 script=$4
shift 4
mem=${WD_GUEST_MEM:-1024}
top=$(cd "$(dirname "$0")/../.." && pwd)

bzimage=$kernel
[ -d "$kernel" ] && bzimage=$kernel/arch/x86/boot/bzImage
initrd=""
[ -n "${WD_INITRD:-}" ] && initrd="-initrd $WD_INITRD"
[ -f "$bzimage" ] || { echo "run-guest: no kernel at $bzimage" >&2; exit 125; }
mkdir -p "$out"
rm -f "$out/guest-status" "$out/console.log"

# KVM when it really works (the CPU has VMX/SVM and /dev/kvm is usable),
# TCG otherwise: /dev/kvm can exist without hardware support.
case ${WD_TCG_THREAD:=multi} in
single|multi) ;;
*) echo "run-guest: WD_TCG_THREAD must be single or multi, not '$WD_TCG_THREAD'" >&2; exit 125 ;;
esac
accel="-accel tcg,thread=$WD_TCG_THREAD"
# tsc=reliable under TCG: the guest's TSC is QEMU's one tick counter (the
# host's, kept monotonic across vCPU threads), the same on every vCPU.
# Without it the kernel judges QEMU's default CPU (AMD, no constant_tsc)
# by the rule for multi-socket AMD machines, "TSCs unsynchronized", and
# falls back to the HPET: every clock read, clock_gettime() included,
# is then a system call and an emulated device access, where a real VM
# reads its clock in the vDSO (Documentation/benchmarks.rst, "The test
# guests' clock").  WD_TSC_RELIABLE=0 boots without it.
clock=""
[ "${WD_TSC_RELIABLE:-1}" = 0 ] || clock="tsc=reliable"
if [ -w /dev/kvm ] && grep -qE '\b(vmx|svm)\b' /proc/cpuinfo; then
	accel="-accel kvm -cpu host" clock=""
fi

# pci=noacpi: the kernel routes legacy PCI interrupts from the BIOS's
# table, not from ACPI's _PRT method.  The debug kernel's AML interpreter
# (KASAN, lockdep) under TCG does not finish _PRT's loop within ACPI's
# 30-second loop limit, and waited that long for each virtio device
# ("AE_AML_LOOP_TIMEOUT", then "no GSI") on every boot.
#
# Arguments reach the guest script through init's environment: the kernel
# passes unknown name=value words without dots to init; '|' separates
# the script's arguments.
args=$(printf '%s' "$*" | tr ' ' '|')

claims="" claims_env=""
if [ -n "${WD_CLAIMS:-}" ]; then
	claims="-fsdev local,id=claims,path=$WD_CLAIMS,security_model=none"
	claims="$claims -device virtio-9p-pci,fsdev=claims,mount_tag=claims"
	claims_env="WD_CLAIMS=1"
fi

set +e
timeout --foreground -k 10 "$tmo" qemu-system-x86_64 $accel \
	-m "$mem" -smp 2,sockets=2,cores=1,threads=1 \
	-object memory-backend-ram,id=m0,size=$((mem / 2))M -numa node,nodeid=0,cpus=0,memdev=m0 \
	-object memory-backend-ram,id=m1,size=$((mem / 2))M -numa node,nodeid=1,cpus=1,memdev=m1 \
	-nographic -no-reboot -nodefaults -serial stdio \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-device pvpanic-pci -action panic=exit-failure \
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=root,mount_tag=root \
	-fsdev local,id=out,path="$out",security_model=none,multidevs=remap \
	-device virtio-9p-pci,fsdev=out,mount_tag=out $claims \
	-kernel "$bzimage" $initrd \
	-append "console=ttyS0 pci=noacpi $clock panic=-1 oops=panic loglevel=4 log_buf_len=16M kasan_multi_shot rcupdate.rcu_cpu_stall_timeout=300 \
root=root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro \
init=$top/test/vm/guest-init.sh WD_INIT=$top/test/vm/guest-init.sh WD_TOP=$top WD_SCRIPT=$script WD_ARGS=$args $claims_env" \
	> "$out/console.log" 2>&1 < /dev/null
qrc=$?
set -e

status=$(cat "$out/guest-status" 2>/dev/null || true)
case "$qrc" in
33)	;;
124|137) echo "run-guest: the guest did not finish within ${tmo}s (killed)" >&2 ;;
1)	echo "run-guest: the guest kernel panicked" >&2 ;;
*)	echo "run-guest: QEMU exited with status $qrc" >&2 ;;
esac
if [ "$qrc" != 33 ] || [ -z "$status" ]; then
	echo "run-guest: last lines of $out/console.log:" >&2
	tail -n 40 "$out/console.log" >&2
	exit 125
fi
exit "$status"
