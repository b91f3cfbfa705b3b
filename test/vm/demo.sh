#!/bin/sh
# `make demo`: boot the base test kernel and run test/vm/guest-demo.sh in it.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/demo
rm -rf "$out"
mkdir -p "$out" "$top/build/bench"
echo "demo: booting the base test kernel ($(cat "$top/build/kernel/base/include/config/kernel.release"))"
"$top/test/vm/run-guest.sh" "$top/build/kernel/base" "$out" 1200 test/vm/guest-demo.sh
rc=$?
cat "$out/guest.log" 2>/dev/null
[ -d "$out/bench" ] && cp "$out"/bench/*.json "$top/build/bench/" 2>/dev/null
echo "demo: logs in build/demo/, benchmark results in build/bench/"
exit $rc
