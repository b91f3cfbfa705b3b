#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A checkout works wherever it lives, /tmp included, where the guest
# mounts its own scratch tmpfs (test/vm/guest-init.sh binds the checkout
# back over it).  A copy of this tree's tracked files under /tmp, sharing
# our built kernels and programs, runs stock_env in a guest of its own:
# the stock lane, whose guest starts in a tenth of the debug kernel's time
# and runs the same guest-init.sh.  TAP.
#
# The copy builds its own modules.  Our stock lane runs beside this test,
# its guest reading build/modules over 9p with cache=loose, and kbuild in
# the copy rebuilds every module in place (its M= path differs): a module
# rewritten under the guest was read torn, and Debian's kernel oopsed in
# layout_symtab() loading it (CI, stop 25).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d /tmp/wd-anypath.XXXXXX) ||
	{ printf '1..1\nnot ok 1 mktemp -d under /tmp\n'; exit 1; }
trap 'rm -rf "$d"' EXIT

echo 1..3
if (cd "$top" && git ls-files -z | cpio -0pdm --quiet "$d"); then
	echo "ok 1 copy of the checkout in $d"
else
	echo "not ok 1 copy of the checkout in $d"
fi
mkdir -p "$d/build" "$top/build/stock"
for x in kernel user stock; do
	ln -s "$top/build/$x" "$d/build/$x"
done

"$d/test/vm/check.sh" stock_env > "$d/check.log" 2>&1
last=$(tail -n 1 "$d/check.log")
case $last in
[1-9]*" passed, 0 failed"*) echo "ok 2 make check from $d: $last" ;;
*)
	echo "not ok 2 make check from $d: $last"
	tail -n 30 "$d/check.log" | sed 's/^/# /'
	tail -n 10 "$d/build/test-results/stock/console.log" 2>/dev/null |
		sed 's/^/# console: /'
	;;
esac
# the guest ran the copy's harness, from the copy
if grep -q "^== stock_env" "$d/build/test-results/stock/guest.log" 2>/dev/null &&
   [ -f "$d/build/test-results/stock/tests/stock_env.tap" ]; then
	echo "ok 3 stock_env ran in the guest, its results in the copy"
else
	echo "not ok 3 stock_env ran in the guest, its results in the copy"
fi
