#!/bin/sh
# PID 1 of the WarpDrive test guest (the host's root over virtio-9p, read-only).
# Mounts the pseudo filesystems, runs $WD_SCRIPT with the '|'-separated
# $WD_ARGS from $WD_TOP, saves its status and the kernel log to /run/out,
# and powers off through isa-debug-exit (QEMU exits 33).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs -o mode=755 tmpfs /run
# /tmp is the guest's own scratch space.  A checkout under the host's /tmp
# would vanish under it: bind the checkout back at its path.
case $WD_TOP in
/tmp/*)
	mkdir -p /run/host-tmp
	mount --bind /tmp /run/host-tmp
	;;
esac
mount -t tmpfs -o mode=1777 tmpfs /tmp
case $WD_TOP in
/tmp/*)
	mkdir -p "$WD_TOP"
	mount --bind "/run/host-tmp/${WD_TOP#/tmp/}" "$WD_TOP"
	umount -l /run/host-tmp
	;;
esac
mount -t debugfs debugfs /sys/kernel/debug
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mkdir -p /dev/pts /dev/shm /run/out
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm
# what udev makes on a real system: bash's <(...) (DKMS) needs /dev/fd
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
for n in stdin:0 stdout:1 stderr:2; do
	[ -e "/dev/${n%:*}" ] || ln -s "/proc/self/fd/${n#*:}" "/dev/${n%:*}"
done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /run/out
# a guest of several sharing a plan claims its tests there (run-guest.sh)
if [ -n "${WD_CLAIMS:-}" ]; then
	mkdir -p /run/claims
	mount -t 9p -o trans=virtio,version=9p2000.L claims /run/claims
fi
hostname wd-guest

poweroff_guest() {
	sync
	# isa-debug-exit: QEMU exits with (16 << 1) | 1 = 33
	printf '\020' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	echo o > /proc/sysrq-trigger
	sleep 5
}

cd "$WD_TOP" || { echo 125 > /run/out/guest-status; poweroff_guest; }
echo "wd-guest: running $WD_SCRIPT $WD_ARGS" > /dev/kmsg
set -f	# the arguments may hold globs: split them, never expand them
# shellcheck disable=SC2086
sh "$WD_SCRIPT" $(echo "$WD_ARGS" | tr '|' ' ') > /run/out/guest.log 2>&1 < /dev/null
rc=$?
echo "wd-guest: finished with status $rc" > /dev/kmsg
dmesg > /run/out/dmesg.txt
echo "$rc" > /run/out/guest-status
echo "WD-GUEST-DONE status=$rc"
poweroff_guest
