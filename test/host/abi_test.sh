#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A released version node of libwarpdrive.so.1 never changes.  The built
# library's symbols, node by node, against lib/libwarpdrive.abi, the
# record of what each node held when it was released.  The symbols file
# (debian/libwarpdrive1.symbols) cannot catch a new call filed under an
# old node, such as one that lib/libwarpdrive.map's "wd_*" pattern puts
# in WARPDRIVE_1.0: it is edited in the same commit.  TAP, one case per
# node of the map.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/test/lib/tap.sh"
lib=$top/build/user/lib/libwarpdrive.so.1
record=$top/lib/libwarpdrive.abi
[ -e "$lib" ] || fail_all "no $lib: run make user first"
tmp=$(mktemp -d /tmp/wd-abi.XXXXXX) || fail_all "mktemp"
trap 'rm -rf "$tmp"' EXIT

# "NODE SYMBOL" for each symbol the library defines, sorted
readelf --dyn-syms -W "$lib" |
	awk '$7 != "UND" && $8 ~ /@@WARPDRIVE_[0-9]/ {
		split($8, a, "@@"); if (a[1] != a[2]) print a[2], a[1] }' |
	sort > "$tmp/built"
grep -v '^#' "$record" | sort > "$tmp/record"
# the versions debian/changelog has released
sed -n 's/^warpdrive (\([^)]*\)) \([^;]*\);.*/\1 \2/p' \
	"$top/debian/changelog" | awk '$2 != "UNRELEASED" {print $1}' \
	> "$tmp/released"
nodes=$(sed -n 's/^\(WARPDRIVE_[0-9][0-9.]*\) {.*/\1/p' \
	"$top/lib/libwarpdrive.map")
[ -n "$nodes" ] || fail_all "no numbered node in lib/libwarpdrive.map"

for node in $nodes; do
	v=${node#WARPDRIVE_}
	grep "^$node " "$tmp/built" > "$tmp/b"
	grep "^$node " "$tmp/record" > "$tmp/r"
	if ! grep -qx "$v" "$tmp/released"; then
		# not released yet: nothing recorded, free to change
		[ ! -s "$tmp/r" ]
		result $? "$node is unreleased and has no record"
		[ -s "$tmp/r" ] && echo "# $node: lines in lib/libwarpdrive.abi" \
			"but debian/changelog has not released $v"
		continue
	fi
	if [ ! -s "$tmp/r" ]; then
		fail "$node, released in $v, is recorded"
		echo "# add its lines to lib/libwarpdrive.abi:"
		sed 's/^/#   /' "$tmp/b"
		continue
	fi
	cmp -s "$tmp/b" "$tmp/r"
	result $? "$node is as released in $v"
	comm -23 "$tmp/b" "$tmp/r" | sed 's/^[^ ]* /# added to a released node: /'
	comm -13 "$tmp/b" "$tmp/r" | sed 's/^[^ ]* /# gone from a released node: /'
done

# nothing recorded for a node the map no longer has
for node in $(awk '{print $1}' "$tmp/record" | sort -u); do
	echo "$nodes" | grep -qx "$node"
	result $? "recorded node $node is in lib/libwarpdrive.map"
done
done_tap
