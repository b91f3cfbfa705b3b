#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A VM that uses a vfio-pci instance through its own kernel (issue 13).
#
# QEMU boots a VM, under TCG inside this guest, with a vzip-vq2
# instance assigned.  Its kernel is Debian's 6.1, booted as the ELF that
# test/vm/stock.sh extracts (its PVH entry: no decompression under TCG),
# whatever kernel this guest runs (the debug kernel in `make check`),
# its root a busybox initramfs holding the wd_pci and uacce modules built
# for that kernel and the programs of build/ with their
# libraries.  In the VM the guest driver binds the function and registers
# /dev/vzip-0 with uacce; then, with WD_POLICY=hw (nothing may run in
# software): wdzip compresses and decompresses, zlib's minigzip
# compresses under LD_PRELOAD=libwdz.so.1, and busybox gzip reads every
# result back; wd_pci_guest_test speaks the raw protocol on both queues
# at once and checks that descriptors naming memory outside the queue's
# SS region complete with ADDR_ERROR; the modules unload, and the VM's
# kernel log has no warning.  The VM's init prints its TAP cases prefixed
# "nested: ", which this script forwards.
#
# Then the VM moves, live (issue 14): its init compresses in rounds on
# the device, each checked, while QMP migrates the VM to a second QEMU
# on two other instances of the same types, over a unix socket; after
# three rounds on the destination this script tells the VM to stop
# (a line on its serial console), and the rest of the cases run there.
# The VM reboots (reboot -f: QEMU resets the machine, its functions with
# it, and boots the same kernel and initramfs; this script tells the new
# init it is the second boot): wd_pci binds again and the queues are
# back, on the device.  Then, while wd_pci_guest_test copies on it, the host removes the
# destination's vq2 instance (DEV_STATUS GONE, no more completions): the
# copy in flight must fail with ABORTED, the queue read DEAD / REMOVED
# and a new open fail, within seconds; the removal completes once QEMU
# exits.
# Both QEMUs are QEMU 10 (build/qemu10, test/vm/qemu10.sh): Debian 12's
# 7.2 cannot migrate a VFIO device on 6.1.  query-migrate's figures (the
# device state's bytes, the downtime) go to the TAP output.  Afterwards
# the instances are removed and their queues are back with the
# accelerator.
#
# Run in the nested lane with uacce, vzip:queues=20 and wd_mdev
# (test/plan); needs test/vm/stock.sh --prepare first.
set -u
. test/guest/vfio_lib.sh
uuid_base=0x7b

# the VM's kernel: Debian's, the one test/vm/stock.sh picked and
# prepared, whichever kernel this guest runs
ver=$(cat build/stock/release 2>/dev/null)
vmlinux=$PWD/build/stock/vmlinux-$ver
mods=$PWD/build/modules/$ver
qemu=$PWD/build/qemu10/qemu-system-x86_64
qboot=$PWD/build/qemu10/root/usr/share/qemu/qboot.rom
"$qemu" --version > /dev/null 2>&1 ||
	fail_all "no QEMU 10 at $qemu (test/vm/deps.sh qemu10)"
[ -f "$qboot" ] || fail_all "no qboot firmware at $qboot (test/vm/deps.sh qemu10)"
[ -n "$ver" ] && [ -s "$vmlinux" ] ||
	fail_all "no Debian kernel ELF at $vmlinux (test/vm/stock.sh --prepare)"
for m in uacce/uacce.ko drivers/wd_pci/wd_pci.ko; do
	[ -f "$mods/$m" ] || fail_all "no $mods/$m (make modules for $ver)"
done
vfio_setup

# ---- the VM's initramfs ----
ird=$work/vm-initramfs
rm -rf "$ird"
mkdir -p "$ird/bin" "$ird/dev" "$ird/proc" "$ird/sys" "$ird/tmp" \
	"$ird/data" "$ird/mod"
cp /bin/busybox "$ird/bin/busybox"
# without debug information (as INSTALL_MOD_STRIP=1 installs them): the
# VM's kernel copies every byte of the initramfs under nested TCG
for m in uacce/uacce.ko drivers/wd_pci/wd_pci.ko; do
	strip --strip-debug -o "$ird/mod/${m##*/}" "$mods/$m" ||
		fail_all "cannot copy $mods/$m"
done
progs="$PWD/build/user/bin/wdzip $PWD/build/user/test/zlib_minigzip"
progs="$progs $PWD/build/user/test/wd_pci_guest_test"
shim=$PWD/build/user/lib/libwdz.so.1
# each program and library at its own path, so that RUNPATHs hold
for f in $progs $shim $(ldd $progs $shim 2>/dev/null |
		sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
		sort -u); do
	cp -L --parents "$f" "$ird" && strip --strip-debug "$ird$f" ||
		fail_all "cannot copy $f"
done
# text and binary: about 300 KiB that compresses
cat /usr/share/common-licenses/GPL-2 /usr/share/common-licenses/GPL-3 \
	"$PWD/build/user/bin/wdzip" > "$ird/data/in"
head -c 65536 /dev/urandom >> "$ird/data/in"

cat > "$ird/init" <<INIT
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec < /dev/console > /dev/console 2>&1
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
export PATH=/bin WD_POLICY=hw
wdzip=$PWD/build/user/bin/wdzip
minigzip=$PWD/build/user/test/zlib_minigzip
guest_test=$PWD/build/user/test/wd_pci_guest_test
shim=$shim
INIT
cat >> "$ird/init" <<'INIT'
n=0
# uptime, without a process: every fork costs seconds under nested TCG
up() {
	read -r u _ < /proc/uptime
	echo "$u"
}
# is FILE VALUE: FILE holds the line VALUE (a builtin read, no process)
is() {
	read -r v < "$1" && [ "$v" = "$2" ]
}
# ck DESCRIPTION CMD...: one TAP case, "nested: ok N DESCRIPTION", CMD
# killed after 300 s (a hang is a failure, and the cases after it run)
ck() {
	d=$1
	shift
	n=$((n + 1))
	t=$(up)
	if timeout 300 "$@" > /tmp/ck.out 2>&1; then
		echo "nested: ok $n $d"
	else
		echo "nested: not ok $n $d (status $?)"
		sed 's/^/nested: # /' /tmp/ck.out | head -n 20
		grep -E 'wd_pci|CPU' /proc/interrupts | sed 's/^/nested: # /'
		dmesg | tail -n 20 | sed 's/^/nested: # /'
	fi
	echo "nested: # from $t s to $(up) s of uptime"
}
# hw WD_STATS_FILE: requests the device ran, from WD_STATS=1's report
# (a builtin loop: sed and awk would cost a process each)
hw() {
	s=0
	while read -r a b c _; do
		[ "$a $b" = "libwarpdrive: hw" ] && s=$((s + c))
	done < "$1"
	echo "$s"
}
echo "nested: # init starts at $(up) s of uptime"
# the host says which boot this is on the console: "first", or
# "rebooted" after the VM's reboot (lines of "stop" sent before the
# reboot may come first)
boot=first
while read -t 60 line; do
	case $line in
	first) break ;;
	rebooted) boot=rebooted; break ;;
	esac
done
if [ $boot = rebooted ]; then
	# ---- after a reboot: the functions were reset with the machine ----
	n=100
	ck "after the VM's reboot: insmod uacce and wd_pci" sh -c \
		"insmod /mod/uacce.ko && insmod /mod/wd_pci.ko"
	n=$((n + 1))
	if is /sys/class/uacce/vzip-0/available_instances 2; then
		echo "nested: ok $n after the reboot wd_pci registered /dev/vzip-0 again, its 2 queues free"
	else
		echo "nested: not ok $n after the reboot wd_pci registered /dev/vzip-0 again, its 2 queues free"
		dmesg | tail -n 20 | sed 's/^/nested: # /'
	fi
	ck "after the reboot wdzip compresses on the device, gzip reads it back" sh -c \
		"WD_STATS=1 $wdzip -c /data/in > /tmp/a.gz 2> /tmp/a.err &&
		 gzip -dc /tmp/a.gz | cmp - /data/in"
	n=$((n + 1))
	if [ "$(hw /tmp/a.err)" -gt 0 ]; then
		echo "nested: ok $n and its $(hw /tmp/a.err) requests ran on the device"
	else
		echo "nested: not ok $n after the reboot wdzip ran no request on the device"
	fi
else
ck "insmod uacce and wd_pci" sh -c "insmod /mod/uacce.ko && insmod /mod/wd_pci.ko"
d=/sys/class/uacce/vzip-0
n=$((n + 1))
if [ -c /dev/vzip-0 ] && is $d/api vzip_v1 && is $d/available_instances 2 &&
   is $d/flags 0; then
	echo "nested: ok $n wd_pci registered /dev/vzip-0: api vzip_v1, 2 queues free, no SVA"
else
	echo "nested: not ok $n wd_pci registered /dev/vzip-0: api vzip_v1, 2 queues free, no SVA"
	dmesg | tail -n 20 | sed 's/^/nested: # /'
fi
# the function of an unknown device ID: no driver, no second node
n=$((n + 1))
unknown=none
for f in /sys/bus/pci/devices/*; do
	is "$f/device" 0x7a02 && unknown=$f
done
if [ "$unknown" != none ] && [ ! -e "$unknown/driver" ] &&
   [ ! -e /sys/class/uacce/vzip-1 ]; then
	echo "nested: ok $n the function of device ID 7a02 (${unknown##*/}) is left unbound"
else
	echo "nested: not ok $n the function of device ID 7a02 (${unknown##*/}) is left unbound"
fi
# one process tree per case: each exec costs seconds under nested TCG
ck "wdzip compresses on the device, gzip reads it back; wdzip decompresses gzip's output" sh -c \
	"WD_STATS=1 $wdzip -c /data/in > /tmp/a.gz 2> /tmp/a.err &&
	 gzip -dc /tmp/a.gz | cmp - /data/in && gzip -c /data/in > /tmp/b.gz &&
	 WD_STATS=1 $wdzip -dc /tmp/b.gz 2> /tmp/b.err | cmp - /data/in"
echo "nested: # wdzip: $(hw /tmp/a.err) and $(hw /tmp/b.err) requests on the device"
n=$((n + 1))
if [ "$(hw /tmp/a.err)" -gt 0 ] && [ "$(hw /tmp/b.err)" -gt 0 ]; then
	echo "nested: ok $n both wdzip ran their requests on the device"
else
	echo "nested: not ok $n both wdzip ran their requests on the device"
fi
ck "minigzip under libwdz.so.1 compresses on the device" sh -c \
	"LD_PRELOAD=$shim WD_STATS=1 $minigzip < /data/in > /tmp/m.gz 2> /tmp/m.err &&
	 gzip -dc /tmp/m.gz | cmp - /data/in"
n=$((n + 1))
if [ "$(hw /tmp/m.err)" -gt 0 ]; then
	echo "nested: ok $n minigzip ran its requests on the device"
else
	echo "nested: not ok $n minigzip ran its requests on the device"
fi
# the raw protocol, and descriptors naming memory outside the SS region
timeout 300 "$guest_test" > /tmp/t.tap 2>&1
rc=$?
sed 's/^/nested: /' /tmp/t.tap
ck "wd_pci_guest_test ran to its end (status $rc)" test "$rc" = 0
n=$((n + 1))
if is /sys/class/uacce/vzip-0/available_instances 2; then
	echo "nested: ok $n the queues are free again"
else
	echo "nested: not ok $n the queues are free again"
fi
# ---- live migration: rounds on the device until told to stop ----
head -c 100000 /data/in > /tmp/small
echo "nested: migrate-ready at $(up) s"
i=0
good=0
while :; do
	i=$((i + 1))
	if WD_STATS=1 $wdzip -c /tmp/small 2> /tmp/r.err | gzip -dc |
	   cmp -s - /tmp/small && [ "$(hw /tmp/r.err)" -gt 0 ]; then
		good=$((good + 1))
		echo "nested: round $i on the device at $(up) s"
	else
		echo "nested: round $i failed at $(up) s"
		sed 's/^/nested: # /' /tmp/r.err | head -n 5
	fi
	line=
	read -t 1 line
	[ "$line" = stop ] && break
	[ $i -ge 500 ] && break
done
n=$((n + 1))
if [ $good = $i ] && [ "$line" = stop ]; then
	echo "nested: ok $n $i rounds through the move, each compressed on the device and read back"
else
	echo "nested: not ok $n $good of $i rounds through the move were right (last line read: '$line')"
fi
# a reboot with the device in use a moment ago, its modules loaded
echo "nested: reboot-ready at $(up) s"
reboot -f
sleep 600
fi
# ---- GONE: the host removes the instance while a copy is in flight ----
rm -f /tmp/gone.ready
timeout 300 "$guest_test" gone > /tmp/g.tap 2>&1 &
g=$!
w=0
while [ ! -e /tmp/gone.ready ] && [ $w -lt 300 ]; do
	read -t 1 line
	w=$((w + 1))
done
echo "nested: gone-ready at $(up) s"
wait $g
rc=$?
sed 's/^/nested: /' /tmp/g.tap
ck "wd_pci_guest_test gone ran to its end (status $rc)" test "$rc" = 0
dmesg | grep -E 'wd_pci.*(gone|removing)' | sed 's/^/nested: # /'
ck "rmmod wd_pci and uacce" sh -c "rmmod wd_pci && rmmod uacce"
ck "no warning in the VM's kernel log" sh -c \
	"! dmesg | grep -E 'WARNING:|BUG:|Call Trace|general protection'"
echo "nested: end $n, uptime $(up) s"
# the host ends the VM (QMP quit): a reboot would boot it again
sleep 600
INIT
chmod +x "$ird/init"
cpio_out=$work/vm.cpio
(cd "$ird" && find . | cpio -o -H newc --quiet > "$cpio_out")
check "the VM's initramfs ($(du -k "$cpio_out" | cut -f1) KiB)" test -s "$cpio_out"

u=$(uuid 1)
u2=$(uuid 2)
before=$(cat "/sys/class/uacce/$parent/available_instances")
check "create a vq2 instance" vcreate vq2 "$u"
# a second function whose device ID wd_pci does not know (QEMU rewrites
# the ID the VM sees): the driver must leave it alone
check "create a vq1 instance, shown to the VM as 5744:7a02" vcreate vq1 "$u2"

u3=$(uuid 3)
u4=$(uuid 4)
u5=$(uuid 5)
check "create the destination's vq2 instance" vcreate vq2 "$u3"
check "create the destination's vq1 instance" vcreate vq1 "$u4"
check "create a vq4 instance, which cannot take a vq2's state" vcreate vq4 "$u5"

# the VMs' consoles, in the results directory when there is one (readable
# from the host while the test runs)
out=$work
[ -d /run/out ] && [ -w /run/out ] && out=/run/out
log=$out/vm_guest_driver.console
dlog=$out/vm_guest_driver.dest.console
rm -f "$work/mig.sock" "$work/src.qmp" "$work/dst.qmp" "$work/dst.in" "$work/src.in" \
	"$work/bad.sock" "$work/bad.qmp"
# the same machine on both sides: the functions at the same addresses
vm() {
	u_a=$1
	u_b=$2
	shift 2
	# acpi=off: the kernel's ACPI probing alone takes minutes under
	# nested TCG.  qboot, QEMU's minimal firmware, and no self-tests of
	# the crypto API: from QEMU's start to a trivial init took 83-95 s
	# against SeaBIOS's 107-120 (twice each, alternated, in the stock
	# guest); inside make check the reboot's 201 s became 141, while
	# the first boot, beside the debug lanes, gained nothing.  25 minutes at most
	# (guest-check.sh gives a nested test 30).  The caller says what a
	# reboot does.
	timeout -k 10 1500 "$qemu" -M pc -accel tcg -m 256M -smp 1 \
		-bios "$qboot" -nographic -nodefaults -serial stdio \
		-device "vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u_a,enable-migration=on,addr=04.0" \
		-device "vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u_b,x-pci-device-id=0x7a02,enable-migration=on,addr=05.0" \
		-kernel "$vmlinux" -initrd "$cpio_out" \
		-append "console=ttyS0 panic=-1 rdinit=/init acpi=off cryptomgr.notests quiet loglevel=4" \
		"$@"
}
t0=$(date +%s)
mkfifo "$work/src.in"
exec 8<> "$work/src.in"
vm "$u" "$u2" -no-reboot -qmp "unix:$work/src.qmp,server=on,wait=off" \
	> "$log" 2>&1 < "$work/src.in" &
src_pid=$!
vmm_pids="$vmm_pids $src_pid"
# its init asks which boot this is
while kill -0 "$src_pid" 2>/dev/null; do
	tr -d '\r' < "$log" | grep -q "nested: # init starts" && break
	sleep 1
done
echo first >&8

# the source VM's init ran its cases and its first round: the move
# comes in the rounds after it
ready=
while kill -0 "$src_pid" 2>/dev/null; do
	grep -q "nested: round 1 " "$log" && ready=1 && break
	sleep 1
done
check "the source VM ran its cases and a first round ($(($(date +%s) - t0)) s)" test -n "$ready"

# first a destination with a vq4 where the vq2 was: it refuses the
# device state, and the source runs on
blog=$out/vm_guest_driver.refused.console
if [ -n "$ready" ]; then
	vm "$u5" "$u4" -incoming defer -no-reboot \
		-qmp "unix:$work/bad.qmp,server=on,wait=off" \
		> "$blog" 2>&1 < /dev/null &
	bad_pid=$!
	vmm_pids="$vmm_pids $bad_pid"
	python3 test/guest/qmp_migrate.py --refused "$work/src.qmp" \
		"$work/bad.qmp" "unix:$work/bad.sock" > "$work/bad.out" 2>&1
	bad_ok=$?
	sed 's/^/# /' "$work/bad.out"
	eq "a migration to a vq4 fails and the source VM runs on" "$bad_ok" 0
	wait "$bad_pid"
	echo "# the refusing QEMU ended with status $?"
	tr -d '\r' < "$blog" | grep -i "error\|vfio" | head -n 5 | sed 's/^/# /'
	check "the kernel says why: 2 queues into 4" sh -c \
		"dmesg | grep 'migration stream refused: source .*vq2 has 2 queues, this instance .*vq4 has 4'"
	dmesg | grep "migration" | sed 's/^/# /'
	r=$(tr -d '\r' < "$log" | grep -c "^nested: round .* on the device")
	n0=$r
	t1=$(date +%s)
	while [ "$r" -le "$n0" ] && [ $(($(date +%s) - t1)) -lt 300 ]; do
		sleep 1
		r=$(tr -d '\r' < "$log" | grep -c "^nested: round .* on the device")
	done
	check "the source VM compresses on after the refused move (round $r)" test "$r" -gt "$n0"
fi

# the destination: the same VM on the two other instances, waiting
mkfifo "$work/dst.in"
exec 7<> "$work/dst.in"
vm "$u3" "$u4" -incoming defer -action reboot=reset \
	-qmp "unix:$work/dst.qmp,server=on,wait=off" \
	> "$dlog" 2>&1 < "$work/dst.in" &
dst_pid=$!
vmm_pids="$vmm_pids $dst_pid"

mig_ok=1
if [ -n "$ready" ]; then
	python3 test/guest/qmp_migrate.py "$work/src.qmp" "$work/dst.qmp" \
		"unix:$work/mig.sock" > "$work/mig.out" 2>&1
	mig_ok=$?
	sed 's/^/# /' "$work/mig.out"
fi
eq "QMP migrated the running VM to the destination (status)" "$mig_ok" 0
wait "$src_pid"
echo "# the source QEMU ended with status $?"
exec 8>&-

# three rounds on the destination, then the VM stops its rounds
rounds=0
t1=$(date +%s)
while [ "$mig_ok" = 0 ] && kill -0 "$dst_pid" 2>/dev/null &&
      [ $(($(date +%s) - t1)) -lt 600 ]; do
	rounds=$(tr -d '\r' < "$dlog" | grep -c "^nested: round .* on the device")
	[ "$rounds" -ge 3 ] && break
	sleep 2
done
check "the VM compressed on the device after the move ($rounds rounds)" test "$rounds" -ge 3
# "stop", until the VM says it stopped: its shell's read -t 1 gives up
# on a line whose bytes come slower than its timeout, and loses them
t2=$(date +%s)
while kill -0 "$dst_pid" 2>/dev/null && [ $(($(date +%s) - t2)) -lt 600 ] &&
      ! tr -d '\r' < "$dlog" | grep -q "^nested: reboot-ready"; do
	echo stop >&7
	sleep 3
done
# the VM reboots: its second init learns so from its console
booted=
t2=$(date +%s)
while kill -0 "$dst_pid" 2>/dev/null && [ $(($(date +%s) - t2)) -lt 600 ]; do
	if tr -d '\r' < "$dlog" | sed -n '/^nested: reboot-ready/,$p' |
	   grep -q "nested: # init starts"; then
		booted=1
		break
	fi
	sleep 1
done
check "the VM rebooted, its functions reset with it ($(($(date +%s) - t2)) s)" test -n "$booted"
[ -n "$booted" ] && echo rebooted >&7
# then the host removes the destination's vq2 instance under the VM's
# copies (DEV_STATUS GONE): the removal waits for QEMU to exit, the VM's
# process must get an error meanwhile instead of hanging
gone_pid=
t2=$(date +%s)
while kill -0 "$dst_pid" 2>/dev/null && [ $(($(date +%s) - t2)) -lt 600 ]; do
	tr -d '\r' < "$dlog" | grep -q "^nested: gone-ready" && break
	sleep 1
done
if tr -d '\r' < "$dlog" | grep -q "^nested: gone-ready"; then
	(echo 1 > "/sys/bus/mdev/devices/$u3/remove"; echo $? > "$work/gone.rc") &
	gone_pid=$!
fi
check "the VM is ready for its instance's removal" test -n "$gone_pid"
# the VM's init ends: quit its QEMU, which lets the removal complete
t2=$(date +%s)
while kill -0 "$dst_pid" 2>/dev/null && [ $(($(date +%s) - t2)) -lt 600 ]; do
	tr -d '\r' < "$dlog" | grep -q "^nested: end " && break
	sleep 1
done
python3 test/guest/qmp_migrate.py --quit "$work/dst.qmp" > "$work/quit.out" 2>&1 ||
	sed 's/^/# /' "$work/quit.out"
wait "$dst_pid"
rc=$?
exec 7>&-
if [ -n "$gone_pid" ]; then
	wait "$gone_pid"
	eq "the instance under the VM is removed once its QEMU exits" \
		"$(cat "$work/gone.rc")" 0
fi
echo "# the VMs ran $(($(date +%s) - t0)) s (destination QEMU status $rc)"
eq "the destination runs the VM to its end" "$rc" 0
before_rounds=$(tr -d '\r' < "$log" | grep -c "^nested: round .* on the device")
check "the VM compressed on the device before the move ($before_rounds rounds)" \
	test "$before_rounds" -ge 1
cat "$log" "$dlog" | tr -d '\r' | sed -n 's/^nested: //p' |
	grep -v '^round \|^migrate-ready' > $work/vm.tap
while IFS= read -r line; do
	case $line in
	"ok "*) pass "in the VM: ${line#ok [0-9]* }" ;;
	"not ok "*) fail "in the VM: ${line#not ok [0-9]* }" ;;
	"#"*) echo "$line" ;;
	*) echo "# $line" ;;
	esac
done < $work/vm.tap
end=$(tr -d '\r' < "$dlog" | sed -n 's/^nested: end \([0-9]*\).*/\1/p')
if [ -n "$end" ]; then
	pass "the VM's init ran its $end cases"
else
	fail "the VM's init ran to its end"
	tr -d '\r' < "$log" | tail -n 30 | sed 's/^/# source: /'
	tr -d '\r' < "$dlog" | tail -n 30 | sed 's/^/# destination: /'
fi
# the host's view: the source VM's requests ran on the accelerator's
# engines, charged to its instance (Documentation/mdev.rst, "Weights")
ens=$(cat "/sys/bus/mdev/devices/$u/engine_ns" 2>/dev/null)
if [ "${ens:-0}" -gt 0 ]; then
	pass "the source instance's engine_ns: ${ens} ns of the device's engines"
else
	fail "the source instance's engine_ns: '$ens'"
fi
left="$u $u2 $u4 $u5"
[ -e "/sys/bus/mdev/devices/$u3" ] && left="$left $u3"
check "remove the instances" sh -c "for x in $left; do
	echo 1 > /sys/bus/mdev/devices/\$x/remove || exit 1; done"
eq "the accelerator's queues are back" \
	"$(cat "/sys/class/uacce/$parent/available_instances")" "$before"
done_tap
