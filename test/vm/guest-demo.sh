#!/bin/sh
# `make demo`, inside the base guest: load the modules, show the
# accelerator and its queues, compress from several processes at once
# through the queues, check every result with gzip, run a short benchmark,
# offload openssl to the crypto device.
set -u
mods=build/modules/$(uname -r)
bin=$PWD/build/user/bin
work=/tmp/demo
nprocs=4
mkdir -p $work /run/out/bench

fail() {
	echo "demo: $*"
	exit 1
}

insmod "$mods/uacce/uacce.ko" || fail "cannot load uacce.ko"
insmod "$mods/drivers/engine/wd_engine.ko" || fail "cannot load wd_engine.ko"
insmod "$mods/drivers/vzip/vzip.ko" || fail "cannot load vzip.ko"

echo
echo "== The accelerator"
for d in /sys/class/uacce/*; do
	[ -e "$d" ] || fail "no device in /sys/class/uacce"
	printf '/dev/%s: api %s, algorithms %s, %s queues free, NUMA node %s, %s\n' \
		"$(basename "$d")" "$(cat "$d/api")" "$(tr '\n' ' ' < "$d/algorithms" | sed 's/ $//')" \
		"$(cat "$d/available_instances")" "$(cat "$d/node_id")" \
		"$( [ $(( $(cat "$d/flags") & 1 )) = 1 ] && echo "shares process address spaces (SVA)" || echo "static shared DMA region")"
done
dev=$(basename "$(ls -d /sys/class/uacce/* | head -n 1)")

echo
echo "== $nprocs processes compress at once, each on a queue of its own"
# Some text worth compressing: the host's C headers, 2 MiB a process.
find /usr/include -name '*.h' | sort | xargs cat 2>/dev/null | head -c $((2 * nprocs))M > $work/corpus
i=1
while [ $i -le $nprocs ]; do
	dd if=$work/corpus of=$work/input-$i bs=1M skip=$(( (i - 1) * 2 )) count=2 2>/dev/null
	i=$((i + 1))
done

before=$(cat /sys/class/uacce/$dev/available_instances)
i=1
while [ $i -le $nprocs ]; do
	WD_POLICY=auto "$bin/wdzip" -v -k -f "$work/input-$i" > $work/log-$i 2>&1 &
	i=$((i + 1))
done
# While they run: queues in use on the device
sleep 1
during=$(cat /sys/class/uacce/$dev/available_instances)
wait
after=$(cat /sys/class/uacce/$dev/available_instances)
echo "queues free: $before before, $during while compressing, $after after (each queue is reclaimed at exit)"

ok=0
total_in=0
total_out=0
i=1
while [ $i -le $nprocs ]; do
	in=$(wc -c < $work/input-$i)
	out=$(wc -c < $work/input-$i.gz 2>/dev/null || echo 0)
	if gzip -dc $work/input-$i.gz 2>/dev/null | cmp -s - $work/input-$i; then
		verdict="gzip -d gives the input back"
		ok=$((ok + 1))
	else
		verdict="MISMATCH"
	fi
	printf 'process %d: %8d -> %8d bytes, %s; wdzip said: %s\n' $i "$in" "$out" "$verdict" \
		"$(tr '\n' ' ' < $work/log-$i | sed 's/  */ /g; s/ $//')"
	total_in=$((total_in + in))
	total_out=$((total_out + out))
	i=$((i + 1))
done

echo
echo "== Benchmark (wdbench --quick: device and in-process software in the same run)"
"$bin/wdbench" --quick --out /run/out/bench --name demo || echo "demo: wdbench failed"

echo
echo "== Crypto: an unchanged openssl offloads a digest and a cipher to vcrypt"
# the second device class, through the OpenSSL provider (provider/) and
# libwarpdrive; WD_POLICY=hw: the device or an error, never software
insmod "$mods/drivers/vcrypt/vcrypt.ko" || fail "cannot load vcrypt.ko"
cdev=
for d in /sys/class/uacce/*; do
	[ "$(cat "$d/api")" = vcrypt_v1 ] && cdev=$(basename "$d") && break
done
[ -n "$cdev" ] || fail "vcrypt.ko registered no vcrypt_v1 device"
echo "/dev/$cdev: api vcrypt_v1, algorithms $(tr '\n' ' ' < /sys/class/uacce/$cdev/algorithms | sed 's/ $//')"
prov="-provider-path $PWD/build/user/lib/ossl-modules -provider warpdrive"
key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
iv=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
crypto_ok=0
# hw_line ERRFILE: what WD_STATS=1 said ran on the device
hw_line() {
	sed -n 's/^libwarpdrive: \(hw .*\)/\1/p' "$1" | tail -n 1
}
# shellcheck disable=SC2086
# without -propquery, OpenSSL 3.0's dgst -sha256 runs libcrypto's built-in
# SHA-256 whatever the providers (Documentation/libwarpdrive.rst): the
# default provider beside ours and a query preferring ours make it fetch
WD_POLICY=hw WD_STATS=1 openssl dgst $prov -provider default \
	-propquery '?provider=warpdrive' -sha256 -r $work/corpus \
	> $work/dgst.out 2> $work/dgst.err
want=$(openssl dgst -sha256 -r $work/corpus)
if [ -s $work/dgst.out ] && [ "$(cat $work/dgst.out)" = "$want" ]; then
	echo "openssl dgst -provider warpdrive -sha256: $(cut -c1-16 $work/dgst.out)..., as OpenSSL's own; the device: $(hw_line $work/dgst.err)"
	crypto_ok=$((crypto_ok + 1))
else
	echo "MISMATCH: openssl dgst through the device: $(tail -n 1 $work/dgst.err)"
fi
# shellcheck disable=SC2086
WD_POLICY=hw WD_STATS=1 openssl enc $prov -aes-256-ctr -K "$key" -iv "$iv" \
	-in $work/corpus -out $work/corpus.ctr 2> $work/enc.err
if openssl enc -d -aes-256-ctr -K "$key" -iv "$iv" -in $work/corpus.ctr 2> /dev/null |
	cmp -s - $work/corpus; then
	echo "openssl enc -provider warpdrive -aes-256-ctr: $(wc -c < $work/corpus.ctr) bytes, OpenSSL's own decrypts them; the device: $(hw_line $work/enc.err)"
	crypto_ok=$((crypto_ok + 1))
else
	echo "MISMATCH: openssl enc through the device: $(tail -n 1 $work/enc.err)"
fi
rmmod vcrypt || fail "vcrypt did not unload"

echo
echo "== An instance for a container: mdevctl carves 4 queues out of /dev/$dev"
mdev_ok=0
inst=none
uuid=6d0c5f2a-3b1e-4c8e-9f4a-2e7d1b0c9a01
if insmod "$mods/drivers/mdev/wd_mdev.ko"; then
	# mdevctl keeps definitions in /etc/mdevctl.d, read-only in this guest
	mount -t tmpfs -o mode=755 mdevctl /etc/mdevctl.d &&
		mkdir -p /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers
	mdevctl types -p "$dev" | grep -A4 uacce-ap4
	if mdevctl start -u $uuid -p "$dev" -t uacce-ap4; then
		mdevctl list
		inst=$(cat /sys/bus/mdev/devices/$uuid/access_point/name)
		echo "instance $uuid: /dev/$inst, $(cat /sys/bus/mdev/devices/$uuid/access_point/queues) queues reserved;" \
			"/dev/$dev keeps $(cat /sys/class/uacce/$dev/available_instances) free"
		for i in 1 2; do
			WD_DEVICE=$inst WD_POLICY=hw "$bin/wdzip" -v -c $work/input-$i > $work/inst-$i.gz 2> $work/inst-log-$i &
		done
		# the most queues of the instance in use at once, while they run
		most=0
		i=0
		while [ $i -lt 200 ] && [ $most -lt 2 ]; do
			n=$(cat /sys/bus/mdev/devices/$uuid/access_point/queues_in_use)
			[ "$n" -gt $most ] && most=$n
			i=$((i + 1))
			sleep 0.01
		done
		wait
		echo "queues of the instance in use at once: $most of 4, $(cat /sys/bus/mdev/devices/$uuid/access_point/queues_in_use) after they exit"
		for i in 1 2; do
			if gzip -dc $work/inst-$i.gz 2>/dev/null | cmp -s - $work/input-$i; then
				verdict="gzip -d gives the input back"
				mdev_ok=$((mdev_ok + 1))
			else
				verdict="MISMATCH"
			fi
			echo "process $i on $inst: $verdict; wdzip said: $(tr '\n' ' ' < $work/inst-log-$i | sed 's/  */ /g; s/ $//')"
		done
		mdevctl stop -u $uuid && echo "mdevctl stop: the instance is gone, /dev/$dev has $(cat /sys/class/uacce/$dev/available_instances) free"
	fi
	umount /etc/mdevctl.d
	rmmod wd_mdev || fail "wd_mdev did not unload"
fi

echo
echo "== An instance for a VM: a vfio-pci function that a VMM (vfio-client) drives"
vm_ok=0
vm_uuid=6d0c5f2a-3b1e-4c8e-9f4a-2e7d1b0c9a02
if insmod "$mods/drivers/mdev/wd_mdev.ko"; then
	# the vfio-pci types of the accelerator, found by their device_api
	vtype=""
	for t in /sys/class/mdev_bus/*/mdev_supported_types/*-vq2; do
		[ "$(cat "$t/device_api" 2>/dev/null)" = vfio-pci ] && vtype=$t
	done
	if [ -n "$vtype" ] && echo $vm_uuid > "$vtype/create"; then
		echo "instance $vm_uuid of type $(basename "$vtype") ($(cat "$vtype/name")):" \
			"IOMMU group $(basename "$(readlink /sys/bus/mdev/devices/$vm_uuid/iommu_group)")," \
			"/dev/$dev keeps $(cat /sys/class/uacce/$dev/available_instances) queues free"
		"$bin/vfio-client" -v --queues 2 --inflight 4 -i $work/input-1 -o $work/vm.gz $vm_uuid
		if gzip -dc $work/vm.gz 2>/dev/null | cmp -s - $work/input-1; then
			vm_ok=1
			echo "gzip -d gives the input back ($(wc -c < $work/input-1) -> $(wc -c < $work/vm.gz) bytes)"
		else
			echo "MISMATCH: gzip -d does not give the input back"
		fi
		echo 1 > /sys/bus/mdev/devices/$vm_uuid/remove && echo "instance removed"
	else
		echo "no vfio-pci type on /dev/$dev"
	fi
	rmmod wd_mdev || fail "wd_mdev did not unload"
fi

echo
echo "== Summary"
echo "device: /dev/$dev ($(cat /sys/class/uacce/$dev/api))"
echo "processes: $nprocs at once, $ok of $nprocs results verified by gzip"
echo "data: $total_in bytes in, $total_out bytes out"
echo "benchmark: build/bench/demo.json"
echo "crypto: /dev/$cdev, $crypto_ok of 2 openssl commands offloaded and checked against OpenSSL"
echo "instance: /dev/$inst (mdevctl, 4 queues), $mdev_ok of 2 processes verified by gzip"
echo "VM instance: vfio-pci, $vm_ok of 1 file compressed by vfio-client verified by gzip"

rmmod vzip && rmmod wd_engine && rmmod uacce || fail "modules did not unload"
[ $ok = $nprocs ] && [ $mdev_ok = 2 ] && [ $vm_ok = 1 ] &&
	[ $crypto_ok = 2 ] || exit 1
