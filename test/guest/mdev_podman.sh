#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A real container engine consumes wdcdi's CDI specifications (modules
# uacce, vzip:queues=20, vcrypt, wd_mdev): Debian's podman with its
# default runtime (crun) runs two containers from a directory (--rootfs,
# no registry), given access points by their CDI names.  Container A
# sees its instance's node and no other accelerator node, and compresses
# through it with wdzip; container B, given the other vzip instance and
# an access point of vcrypt (the crypto accelerator, type ap1), also gets
# A's node smuggled in by a bind mount, which the device filter crun
# generates from the OCI specification must refuse.  B sees its two
# nodes only, compresses through the one and hashes and encrypts through
# the other (wdbench's SHA-256 and AES-256-GCM under WD_POLICY=hw, each
# checked against OpenSSL), as vcrypt's request counters show.  A
# container start costs the debug guest half a minute, so vcrypt's
# tenant is B rather than a third container.  TAP.
set -u
. test/guest/mdev_lib.sh
work=/tmp/mdev-podman
cdi=/run/cdi		# /var/run/cdi: podman's second CDI directory
rootfs=$work/rootfs

parent=$(vzip_parent) || fail_all "no vzip accelerator with mdev types"
vparent=$(accel_parent vcrypt) ||
	fail_all "no vcrypt accelerator with mdev types (load vcrypt)"
vavail=$(cat /sys/class/uacce/$vparent/available_instances)
[ "$(cat /sys/class/uacce/$parent/available_instances)" = 20 ] ||
	fail_all "wants vzip:queues=20"
command -v podman > /dev/null ||
	fail_all "no podman (test/vm/deps.sh vm installs it)"

rm -rf $work
mkdir -p $work/A $work/B $rootfs/bin $rootfs/data $cdi
head -c 400000 /usr/include/stdio.h /usr/include/stdlib.h \
	/usr/include/string.h /usr/include/unistd.h > $work/in 2>/dev/null
cp $work/in $work/A/in
cp $work/in $work/B/in

# The engine keeps its state in the guest's scratch space: the root is
# the host's, read-only.  No systemd (cgroupfs), no journald, no network.
# The test kernels have neither overlayfs nor seccomp (Debian's has both:
# the stock lane runs podman's defaults), hence vfs and no syscall filter.
if grep -qw overlay /proc/filesystems; then
	driver=overlay
else
	driver=vfs
fi
grep -q '^Seccomp:' /proc/self/status ||
	nosec="--security-opt seccomp=unconfined"
pm() {
	cmd=$1
	shift
	# shellcheck disable=SC2086
	podman --root $work/storage --storage-driver $driver \
		--runroot /run/mdev-podman --tmpdir /run/mdev-podman-tmp \
		--cgroup-manager cgroupfs --events-backend none \
		"$cmd" ${nosec:-} "$@"
}

cleanup() {
	podman --root $work/storage --storage-driver $driver \
		--runroot /run/mdev-podman rm -a -f > /dev/null 2>&1
	rm -f $cdi/warpdrive-*.json
	cleanup_instances
}
trap cleanup EXIT

uA=$(uuid 1)
uB=$(uuid 2)
uC=$(uuid 3)
check "create tenant A's ap4 instance" create ap4 "$uA"
check "create tenant B's ap1 instance" create ap1 "$uB"
check "create tenant B's ap1 instance of $vparent" create ap1 "$uC" "$vparent"
nA=$(inst_name "$uA")
nB=$(inst_name "$uB")
nC=$(inst_name "$uC")
check "wdcdi: A's CDI specification in $cdi" "$bin/wdcdi" -o $cdi "$uA"
check "wdcdi: B's CDI specification in $cdi" "$bin/wdcdi" -o $cdi "$uB"
check "wdcdi: B's crypto CDI specification in $cdi" "$bin/wdcdi" -o $cdi "$uC"

# The image: busybox, wdzip, wdbench and the libraries ldd names (at the
# same paths: their RUNPATH is the build tree's), nothing else.
cp /bin/busybox $rootfs/bin/busybox
for c in sh ls cat grep wc; do ln -s busybox $rootfs/bin/$c; done
for prog in wdzip wdbench; do
	cp "$bin/$prog" $rootfs/bin/$prog
	for lib in $(ldd "$bin/$prog" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		mkdir -p "$rootfs$(dirname "$lib")"
		cp -L "$lib" "$rootfs$lib"
	done
done

# Container A: its instance by name; a listing of /dev, then the work.
pm run --rm --network none --device "warpdrive.io/uacce=$uA" \
	-v $work/A:/data --rootfs $rootfs /bin/sh -c '
		ls /dev > /data/dev.txt
		echo "$WD_DEVICE" > /data/env.txt
		WD_POLICY=auto WD_SW_THRESHOLD=0 wdzip -v -c /data/in \
			> /data/out.gz 2> /data/wdzip.log' \
	> $work/A.log 2>&1
eq "podman ran container A" "$?" 0
[ -s $work/A.log ] && sed 's/^/# A: /' $work/A.log
check "A's /dev holds $nA" grep -qx "$nA" $work/A/dev.txt
others=$(grep -v -x "$nA" $work/A/dev.txt 2>&1 | while read -r d; do
	[ -e "/sys/class/uacce/$d" ] && echo "$d"; done)
[ -s $work/A/dev.txt ] || others="no listing of A's /dev"
eq "A's /dev holds no other accelerator node" "$others" ""
eq "A's WD_DEVICE (from the CDI specification)" "$(cat $work/A/env.txt)" "$nA"
sed 's/^/# A: wdzip: /' $work/A/wdzip.log 2>/dev/null
if gzip -dc $work/A/out.gz 2>/dev/null | cmp -s - $work/in &&
   grep -q "accelerator $nA" $work/A/wdzip.log; then
	pass "A compressed through $nA, gzip -d gives the input back"
else
	fail "A compressed through $nA: $(cat $work/A/wdzip.log 2>&1)"
fi

# Container B: its own instances, vzip's and vcrypt's, and A's node
# smuggled in.  Each CDI specification sets WD_DEVICE_<CLASS> (and
# WD_DEVICE, of which the container keeps one): the programs run with the
# container's environment as it is, and each class finds its own instance.
# WD_POLICY=hw for the crypto requests: none may fall back to software.
vstats=/sys/kernel/debug/vcrypt/$vparent/stats
vstat() {
	sed -n "s/^$1 //p" $vstats
}
digests0=$(vstat op_digest)
encrypts0=$(vstat op_encrypt)
pm run --rm --network none --device "warpdrive.io/uacce=$uB" \
	--device "warpdrive.io/uacce=$uC" \
	-v $work/B:/data -v "/dev/$nA:/data/smuggled" --rootfs $rootfs /bin/sh -c '
		ls /dev > /data/dev.txt
		echo "$WD_DEVICE_VZIP $WD_DEVICE_VCRYPT" > /data/env.txt
		( exec 3<> /data/smuggled ) 2> /data/smuggled.txt
		echo "open $?" >> /data/smuggled.txt
		WD_POLICY=auto WD_SW_THRESHOLD=0 wdzip -v -c \
			/data/in > /data/out.gz 2> /data/wdzip.log
		WD_POLICY=hw wdbench --op sha256,aes-256-gcm \
			--engine wd --size 64k --quick --out /data \
			> /data/wdbench.log 2>&1
		echo "exit $?" >> /data/wdbench.log' \
	> $work/B.log 2>&1
eq "podman ran container B" "$?" 0
[ -s $work/B.log ] && sed 's/^/# B: /' $work/B.log
check "B's /dev holds $nB" grep -qx "$nB" $work/B/dev.txt
check "B's /dev holds $nC" grep -qx "$nC" $work/B/dev.txt
eq "B's WD_DEVICE_VZIP and WD_DEVICE_VCRYPT (from the CDI specifications)" \
	"$(cat $work/B/env.txt)" "$nB $nC"
others=$(grep -v -x -e "$nB" -e "$nC" $work/B/dev.txt 2>&1 |
	while read -r d; do [ -e "/sys/class/uacce/$d" ] && echo "$d"; done)
[ -s $work/B/dev.txt ] || others="no listing of B's /dev"
eq "B's /dev holds no other accelerator node ($nA, $vparent ...)" "$others" ""
if grep -q "Operation not permitted" $work/B/smuggled.txt &&
   ! grep -qx "open 0" $work/B/smuggled.txt; then
	pass "B cannot open A's node: EPERM from the device filter"
else
	fail "B opened A's smuggled node: $(cat $work/B/smuggled.txt)"
fi
if gzip -dc $work/B/out.gz 2>/dev/null | cmp -s - $work/in &&
   grep -q "accelerator $nB" $work/B/wdzip.log; then
	pass "B compressed through $nB"
else
	fail "B compressed through $nB: $(cat $work/B/wdzip.log 2>&1)"
fi
sed 's/^/# B: wdbench: /' $work/B/wdbench.log 2>/dev/null
if grep -qx "exit 0" $work/B/wdbench.log &&
   [ "$(grep -c "^wd .*device path" $work/B/wdbench.log)" = 2 ]; then
	pass "B hashed and encrypted through $nC: wdbench's device path, EVP's answers"
else
	fail "B hashed and encrypted through $nC: $(cat $work/B/wdbench.log 2>&1)"
fi
digests=$(($(vstat op_digest) - digests0))
encrypts=$(($(vstat op_encrypt) - encrypts0))
if [ "$digests" -gt 0 ] && [ "$encrypts" -gt 0 ]; then
	pass "$vparent counted B's requests: $digests digests, $encrypts encryptions"
else
	fail "$vparent counted B's requests: $digests digests, $encrypts encryptions"
fi

# A name podman has no specification for
pm run --rm --network none \
	--device "warpdrive.io/uacce=00000000-0000-4000-8000-000000000000" \
	--rootfs $rootfs /bin/true > $work/C.log 2>&1
rc=$?
if [ $rc != 0 ] && grep -qi "unresolvable CDI\|00000000-0000-4000-8000-000000000000" $work/C.log; then
	pass "an unknown CDI name: podman refuses it ($(head -n 1 $work/C.log))"
else
	fail "an unknown CDI name: exit $rc: $(cat $work/C.log)"
fi

eq "every queue of the instances is back" \
	"$(cat /sys/bus/mdev/devices/$uA/access_point/queues_in_use) $(cat /sys/bus/mdev/devices/$uB/access_point/queues_in_use) $(cat /sys/bus/mdev/devices/$uC/access_point/queues_in_use)" "0 0 0"
eq "no key slot of $vparent is loaded" "$(vstat slots_loaded)" 0
cleanup
trap - EXIT
eq "and of the accelerators" \
	"$(cat /sys/class/uacce/$parent/available_instances) $(cat /sys/class/uacce/$vparent/available_instances)" \
	"20 $vavail"
done_tap
