#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# test/vm/modload.c, the guests' module loader, on its error paths: a
# usage error, a file that cannot be opened, a module that is not
# loaded.  Each exits non-zero with one line saying what failed.  None
# reaches the host kernel's loader (open fails first; delete_module of a
# name no module has is ENOENT).  Its success path runs around every
# guest test.  TAP.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/test/lib/tap.sh"
m=$top/build/user/test/modload
[ -x "$m" ] || fail_all "no $m (make user builds it)"
out=$(mktemp) || fail_all "mktemp"
trap 'rm -f "$out"' EXIT

# run WANT_STATUS WANT_TEXT DESCRIPTION ARGS...
run() {
	want=$1 text=$2 desc=$3
	shift 3
	"$m" "$@" > "$out" 2>&1
	rc=$?
	if [ $rc = "$want" ] && grep -q "$text" "$out" && [ "$(wc -l < "$out")" -le 2 ]; then
		pass "$desc: $(head -n 1 "$out")"
	else
		fail "$desc (exit $rc, want $want; '$(cat "$out")')"
	fi
}
run 2 "usage: modload load" "no arguments: usage"
run 2 "usage: modload load" "an unknown verb: usage" insert x.ko
run 2 "usage: modload load" "unload without a name: usage" unload
run 1 "cannot open /nonexistent/x.ko: No such file" "a missing file" \
	load /nonexistent/x.ko a=1
run 1 "cannot unload wd_no_such_module: " "a module that is not loaded" \
	unload wd_no_such_module
done_tap
