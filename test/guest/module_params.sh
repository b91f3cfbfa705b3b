#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A class module loaded with a geometry out of its bounds (modules uacce
# and wd_engine loaded): insmod fails with EINVAL ("Invalid parameters"),
# the kernel says which parameter and its bounds, one line prefixed with
# the class, and nothing is left loaded; then the module loads with its
# defaults.  The bounds are the classes' own, the checks the framework's
# (wd_accel_geometry_check()), for vzip and vcrypt alike.  TAP.
set -u
. test/lib/tap.sh

mods=$PWD/build/modules/$(uname -r)/drivers

# bad CLASS "PARAMS" "MESSAGE"
bad() {
	cls=$1 params=$2 msg="$1: $3"
	n=$(dmesg | wc -l)
	# shellcheck disable=SC2086
	err=$(insmod "$mods/$cls/$cls.ko" $params 2>&1)
	st=$?
	new=$(dmesg | tail -n +"$((n + 1))")
	loaded=$(grep -c "^$cls " /proc/modules)
	if [ $st != 0 ] && [ "$loaded" = 0 ] &&
	   echo "$err" | grep -q 'Invalid parameters' &&
	   echo "$new" | grep -qF "$msg"; then
		pass "$cls $params: refused, the kernel says \"$msg\""
	else
		fail "$cls $params: status $st, loaded $loaded, insmod: $err; kernel: $(echo "$new" | tr '\n' ' ')"
		[ "$loaded" = 0 ] || rmmod "$cls"
	fi
}

for cls in vzip vcrypt; do
	bad $cls "queues=0" "queues must be 1-1024"
	bad $cls "queues=1025" "queues must be 1-1024"
	bad $cls "engines=65" "engines must be 1-64"
	bad $cls "ring_depth=3" "ring_depth must be a power of two, 2-4096"
	bad $cls "ring_depth=8192" "ring_depth must be a power of two, 2-4096"
	bad $cls "max_len=4095" "max_len must be 4096-67108864"
	bad $cls "sva=0 ss_size=5000" "ss_size must be whole pages, at most 67108864 bytes"
	bad $cls "idle_us=1000001" "idle_us must be at most 1000000"
done
bad vzip "devices=17" "devices must be 0-16"
bad vcrypt "devices=17" "devices must be 0-16"
bad vcrypt "key_slots=0" "key_slots must be 1-4096"
bad vcrypt "key_slots=4097" "key_slots must be 1-4096"

# the bounds themselves are accepted, and the defaults
for cls in vzip vcrypt; do
	for params in "queues=1 ring_depth=2 engines=1 idle_us=1000000" ""; do
		# shellcheck disable=SC2086
		if insmod "$mods/$cls/$cls.ko" $params 2> /dev/null; then
			pass "$cls ${params:-(defaults)}: loads"
			rmmod "$cls"
		else
			fail "$cls ${params:-(defaults)}: does not load"
		fi
	done
done
done_tap
