#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The Debian packages as a user installs them, on Debian's own kernel
# (the stock lane, with none of our modules loaded): the README's
# commands in a root made writable by an overlay over the guest's
# read-only one.  apt installs build/deb's packages; DKMS installs the
# modules for linux-headers-amd64; modprobe loads them; udevd gives
# the nodes to the group the package created; a member compresses
# through the device without root and a non-member is refused; purging
# leaves nothing in the module tree.  TAP.
#
# The modules come built: stock.sh has DKMS build them on the host from
# the same package against the same headers (test/vm/dkms-prebuilt.sh)
# into DKMS's prebuilt archive, which the package's postinst loads from
# /usr/share/warpdrive-dkms/ instead of compiling (25 minutes under TCG
# beside make check's other lanes).  Without build/deb-prebuilt/ (make
# stock with WD_DKMS_IN_GUEST=1) DKMS compiles here, as on a user's machine.
set -u
. test/lib/tap.sh
top=$PWD
kver=$(uname -r)
pk=/tmp/pk
root=$pk/root
in_root() {
	chroot $root /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		SYSTEMD_IGNORE_CHROOT=1 "$@"
}
as_user() {
	u=$1
	shift
	in_root setpriv --reuid="$u" --regid="$u" --init-groups \
		/usr/bin/env HOME=/tmp "$@"
}

set -- "$top"/build/deb/*.deb
[ -f "$1" ] || fail_all "no packages in build/deb (make deb builds them)"
[ -d /lib/modules/$kver/build ] || fail_all "no headers for $kver"
modprobe overlay 2>/dev/null
grep -qw overlay /proc/filesystems || fail_all "no overlayfs in $kver"
for m in vzip wd_engine uacce; do
	grep -q "^$m " /proc/modules && fail_all "$m is loaded before the test"
done

cleanup() {
	[ -n "${udevd:-}" ] && kill "$udevd" 2>/dev/null
	for m in vzip wd_engine uacce; do rmmod $m 2>/dev/null; done
	for d in lib/modules/$kver/kernel run/udev tmp run dev/pts dev sys proc; do
		umount -l $root/$d 2>/dev/null
	done
	umount -l $root 2>/dev/null
}
trap cleanup EXIT

# a writable root: the guest's (the host's, over 9p) under a tmpfs
mkdir -p $pk/upper $pk/work $root
check "an overlay over the read-only root" \
	mount -t overlay overlay -o lowerdir=/,upperdir=$pk/upper,workdir=$pk/work $root
mount --bind /proc $root/proc && mount --bind /sys $root/sys &&
	mount --bind /dev $root/dev && mount --bind /dev/pts $root/dev/pts &&
	mount -t tmpfs tmpfs $root/run && mount -t tmpfs -o mode=1777 tmpfs $root/tmp ||
	fail_all "mounts in the overlay"

# depmod, which DKMS runs on install and on purge, reads every module of
# the tree: Debian's 4,000 (400 MB), read over 9p under TCG, took it 15
# minutes in make check.  The overlay's tree keeps the modules this
# guest runs with and those ours depend on (mdev, vfio); the tree's
# other files stay, and depmod rewrites its indexes in the overlay.
mods=/lib/modules/$kver/kernel
keep=$( { cut -d' ' -f1 /proc/modules; echo mdev; echo vfio_iommu_type1; } |
	while read -r m; do modprobe -D "$m" 2>/dev/null; done |
	sed -n "s|^insmod $mods/||p" | sort -u)
mount -t tmpfs tmpfs $root$mods || fail_all "a tmpfs for the module tree"
for f in $keep; do
	mkdir -p "$root$mods/${f%/*}" && cp "$mods/$f" "$root$mods/$f" ||
		fail_all "copying $f into the overlay's module tree"
done
case " $(echo $keep) " in
*/vfio.ko*/mdev.ko*|*/mdev.ko*/vfio.ko*) ;;
*) fail_all "vfio and mdev are not in the pared module tree: '$keep'" ;;
esac
echo "# the module tree keeps $(echo "$keep" | wc -w) of Debian's modules"
# and man-db's index of every man page, rebuilt by its dpkg trigger
# unless the admin said no (debconf man-db/auto-update), is not ours
rm -f $root/var/lib/man-db/auto-update
# apt parses every package list of the host (20 MB, and no cache kept:
# the image sets Dir::Cache::pkgcache "") on each call, under TCG.  The
# packages' dependencies are all installed, so the lists tell apt nothing
# it needs: dpkg's status is the whole of what it resolves against, as on
# an offline machine.
find $root/var/lib/apt/lists -maxdepth 1 -type f ! -name lock -delete

ver=$(dpkg-deb -f "$top"/build/deb/warpdrive-dkms_*_all.deb Version)
tarball=$top/build/deb-prebuilt/warpdrive-$ver.dkms.tar.gz
if [ -f "$tarball" ]; then
	mkdir -p $root/usr/share/warpdrive-dkms
	cp "$tarball" $root/usr/share/warpdrive-dkms/
	echo "# DKMS: the modules built on the host, $tarball"
else
	echo "# DKMS: no build/deb-prebuilt/, the modules compile in the guest"
fi

# README, "Install on Debian 12", as written (apt asks nothing of the
# network: every dependency is installed already)
t0=$(date +%s)
{ in_root sh -c "cd '$top' && apt install -y ./build/deb/*.deb" 2>&1
  echo "exit $?" > $pk/apt.rc; } | sed 's/^/# apt: /'
rc=$(sed 's/exit //' $pk/apt.rc)
echo "# apt install: $(($(date +%s) - t0)) s"
eq "apt installs the five packages" "$rc" 0
for p in warpdrive-dkms libwarpdrive1 libwarpdrive-dev warpdrive-tools \
	 warpdrive-openssl-provider; do
	eq "$p is installed" "$(in_root dpkg-query -W -f='${db:Status-Abbrev}' $p 2>&1)" "ii "
done
mods=$(cd $root/lib/modules/$kver/updates/dkms 2>/dev/null && ls | sort | tr '\n' ' ')
case "$mods" in
*uacce.ko*vzip.ko*wd_engine.ko*) pass "DKMS installed the modules for $kver: $mods" ;;
*)	fail "DKMS installed the modules for $kver: '$mods'"
	tail -n 20 $root/var/lib/dkms/warpdrive/*/build/make.log 2>&1 | sed 's/^/# make.log: /' ;;
esac
if [ -f "$tarball" ]; then
	# ldtarball put the modules in DKMS's tree and the postinst installed
	# them: the same state as after a build, source link included, so a
	# later kernel's autoinstall compiles
	eq "DKMS lists them built for $kver from the package's source" \
		"$(in_root dkms status warpdrive/$ver -k $kver 2>&1; \
		   readlink $root/var/lib/dkms/warpdrive/$ver/source)" \
		"warpdrive/$ver, $kver, x86_64: installed
/usr/src/warpdrive-$ver"
fi
in_root getent group warpdrive > /dev/null
result $? "the group warpdrive exists"

in_root /lib/systemd/systemd-udevd > $pk/udevd.log 2>&1 &
udevd=$!
sleep 2
check "modprobe vzip (and uacce, wd_engine) from the module tree" in_root modprobe vzip
in_root udevadm settle -t 60
node=$(ls /sys/class/uacce 2>/dev/null | grep '^vzip-' | head -n 1)
[ -n "$node" ] || fail "no vzip node"
eq "udev gives /dev/$node to the group" \
	"$(in_root stat -c '%G %a' /dev/$node 2>&1)" "warpdrive 660"

for u in alice bob; do
	in_root adduser --quiet --disabled-password --gecos "" $u ||
		fail "adduser $u"
done
check "adduser alice warpdrive (README)" in_root adduser --quiet alice warpdrive
head -c 300000 /usr/include/stdlib.h /usr/include/stdio.h /usr/include/string.h \
	> $root/tmp/in 2>/dev/null
chmod 644 $root/tmp/in
# README: "wdzip file" (-v says which path ran)
cp $root/tmp/in $root/tmp/file && in_root chown alice /tmp/file
as_user alice sh -c 'cd /tmp && WD_SW_THRESHOLD=0 wdzip -v file' \
	> $pk/alice.log 2>&1
rc=$?
sed 's/^/# alice: /' $pk/alice.log
if [ $rc = 0 ] && grep -q "accelerator $node" $pk/alice.log &&
   gzip -dc $root/tmp/file.gz | cmp -s - $root/tmp/in; then
	pass "a member of warpdrive compresses through $node without root"
else
	fail "a member of warpdrive compresses through $node (exit $rc)"
fi
as_user bob sh -c 'WD_POLICY=hw wdzip -c /tmp/in > /tmp/bob.gz' > $pk/bob.log 2>&1
rc=$?
sed 's/^/# bob: /' $pk/bob.log
if [ $rc != 0 ] && grep -q "no permission to open the accelerator" $pk/bob.log; then
	pass "a non-member gets a permission error"
else
	fail "a non-member gets a permission error (exit $rc)"
fi
check "the man page is installed" test -s $root/usr/share/man/man1/wdzip.1.gz

kill $udevd 2>/dev/null
udevd=
rmmod vzip wd_engine uacce
in_root apt-get purge -y warpdrive-dkms warpdrive-tools libwarpdrive-dev \
	warpdrive-openssl-provider libwarpdrive1 > $pk/purge.log 2>&1
rm -f $root/usr/share/warpdrive-dkms/warpdrive-$ver.dkms.tar.gz
rmdir $root/usr/share/warpdrive-dkms 2>/dev/null
eq "apt purges them" "$?" 0
left=$(cd $root/lib/modules/$kver && find . -name 'uacce.ko*' -o -name 'vzip.ko*' \
	-o -name 'wd_engine.ko*' -o -name 'wd_mdev.ko*' -o -name 'wd_pci.ko*' 2>&1)
eq "nothing of ours is left in the module tree" "$left" ""
left=$(ls -d $root/var/lib/dkms/warpdrive $root/usr/src/warpdrive-* \
	$root/usr/lib/x86_64-linux-gnu/libwarpdrive* \
	$root/usr/lib/x86_64-linux-gnu/ossl-modules/warpdrive.so 2>/dev/null)
eq "nor in DKMS, /usr/src or the library directory" "$left" ""
done_tap
