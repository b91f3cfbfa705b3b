#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Two tenants, each in a "container" with an access point of its own
# (modules uacce, vzip:queues=20, wd_mdev): new user, mount and pid
# namespaces (unshare), a /dev with only its instance's node, and a cgroup
# v2 whose device filter (a BPF_PROG_TYPE_CGROUP_DEVICE program) allows
# only that node.  Both run at once: each compresses through its instance,
# is held to its quota, cannot open the other's node, and cannot make the
# device read or write memory outside its own process
# (test/guest/mdev_container.sh, build/user/test/mdev_tenant_test).  TAP.
set -u
. test/guest/mdev_lib.sh
uuid_base=3
work=/tmp/mdev-containers
cg=/sys/fs/cgroup

parent=$(vzip_parent) || fail_all "no vzip accelerator with mdev types"
[ "$(cat /sys/class/uacce/$parent/available_instances)" = 20 ] ||
	fail_all "wants vzip:queues=20"
[ -f $cg/cgroup.controllers ] || fail_all "no cgroup v2 at $cg"
command -v unshare > /dev/null || fail_all "no unshare"

rm -rf $work
mkdir -p $work/A $work/B
head -c 400000 /usr/include/stdio.h /usr/include/stdlib.h /usr/include/string.h \
	/usr/include/unistd.h /usr/include/signal.h > $work/in 2>/dev/null

cleanup() {
	cleanup_instances
	rmdir $cg/wd-mdev-A $cg/wd-mdev-B 2>/dev/null
}
trap cleanup EXIT

# tenant A: 4 queues; tenant B: 1
uA=$(uuid 1)
uB=$(uuid 2)
check "create tenant A's ap4 instance" create ap4 "$uA"
check "create tenant B's ap1 instance" create ap1 "$uB"
nA=$(inst_name "$uA")
nB=$(inst_name "$uB")
eq "the accelerator keeps 15 queues" "$(cat /sys/class/uacce/$parent/available_instances)" 15

# what a container runtime would be given: a CDI specification per tenant
spec_of() {
	python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
d = s["devices"][0]
e = d["containerEdits"]
n = e["deviceNodes"][0]
print(s["cdiVersion"], s["kind"], d["name"], n["path"], n["type"],
      "%d:%d" % (n["major"], n["minor"]), n["permissions"], " ".join(e["env"]))' "$1" 2>&1
}
for t in A B; do
	if [ $t = A ]; then u=$uA n=$nA; else u=$uB n=$nB; fi
	check "wdcdi: tenant $t's CDI specification" "$bin/wdcdi" -o $work/cdi "$u"
	eq "it names /dev/$n, WD_DEVICE and WD_DEVICE_VZIP (api $(cat /sys/class/uacce/$n/api))" \
		"$(spec_of $work/cdi/warpdrive-$u.json)" \
		"0.5.0 warpdrive.io/uacce $u /dev/$n c $(cat /sys/class/uacce/$n/dev) rw WD_DEVICE=$n WD_DEVICE_VZIP=$n"
done
check "wdcdi -r removes it" sh -c "'$bin/wdcdi' -o $work/cdi -r $uB && test ! -e $work/cdi/warpdrive-$uB.json"
check "wdcdi refuses what is not an access point" sh -c "! '$bin/wdcdi' -c 00000000-0000-4000-8000-000000000000 2>/dev/null"

for t in A B; do
	if [ $t = A ]; then n=$nA; else n=$nB; fi
	dev=$(cat "/sys/class/uacce/$n/dev")
	mkdir -p $cg/wd-mdev-$t
	check "cgroup wd-mdev-$t allows only $n (c $dev)" \
		"$util" devfilter $cg/wd-mdev-$t c "${dev%:*}" "${dev#*:}"
done

# both containers at once
run() {
	t=$1 name=$2 quota=$3 other=$4
	sh -c 'echo $$ > '"$cg/wd-mdev-$t"'/cgroup.procs &&
	       exec unshare --user --map-root-user --mount --propagation private \
			--pid --fork --mount-proc \
			sh test/guest/mdev_container.sh "$@"' \
		container "$name" "$quota" "$other" "$work/$t" \
		> $work/$t.tap 2>&1 < /dev/null
	echo $? > $work/$t.status
}
run A "$nA" 4 "$nB" &
pa=$!
run B "$nB" 1 "$nA" &
pb=$!
wait $pa $pb

for t in A B; do
	if [ $t = A ]; then n=$nA; else n=$nB; fi
	# the tenant's own cases, renumbered
	grep -E '^(not )?ok [0-9]+ ' $work/$t.tap > $work/$t.cases
	while read -r line; do
		case "$line" in
		ok*)	pass "container $t: $(echo "$line" | sed 's/^ok [0-9]* //')" ;;
		*)	fail "container $t: $(echo "$line" | sed 's/^not ok [0-9]* //')" ;;
		esac
	done < $work/$t.cases
	if [ "$(cat $work/$t.status)" = 0 ]; then
		pass "container $t: every check passed"
	else
		fail "container $t: exit $(cat $work/$t.status): $(grep -v '^ok ' $work/$t.tap | tr '\n' ' ')"
	fi
	if gzip -dc $work/$t/out.gz 2>/dev/null | cmp -s - $work/in &&
	   grep -q "accelerator $n" $work/$t/wdzip.log; then
		pass "container $t compressed through $n"
	else
		fail "container $t compressed through $n: $(cat $work/$t/wdzip.log 2>&1)"
	fi
done

eq "every queue of the instances is back" \
	"$(cat /sys/bus/mdev/devices/$uA/access_point/queues_in_use) $(cat /sys/bus/mdev/devices/$uB/access_point/queues_in_use)" "0 0"
cleanup
trap - EXIT
eq "and of the accelerator" "$(cat /sys/class/uacce/$parent/available_instances)" 20
done_tap
