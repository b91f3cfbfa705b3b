#!/bin/sh
# checkpatch --strict over every kernel source of ours, one TAP case a file.
# (include/warpdrive/ is the user-space library's, not kernel code.) The
# kernel's own zlib API is camel-cased (zlib_deflateInit2): only that is
# forgiven.
top=$(cd "$(dirname "$0")/../.." && pwd)
cp=$top/build/src/linux-source-6.1/scripts/checkpatch.pl
cd "$top" || exit 1
# make check unpacks the kernel tree first: without it, fail, never skip
if [ ! -f "$cp" ]; then
	echo "1..1"
	echo "not ok 1 checkpatch: $cp is missing (make kernel unpacks it)"
	exit 1
fi
kdirs="uacce drivers include/linux include/uapi test/kunit"
# shellcheck disable=SC2086 # one word per directory
files=$(find $kdirs -name '*.[ch]' 2>/dev/null | sort)
n=$(echo "$files" | grep -c .)
echo "1..$n"
i=0
rc=0
for f in $files; do
	i=$((i + 1))
	out=$(perl "$cp" --strict --no-tree --terse --show-types -f "$f" 2>&1 | grep -E 'ERROR|WARNING|CHECK' |
		grep -v 'CAMELCASE: Avoid CamelCase: <zlib_')
	if [ -z "$out" ]; then
		echo "ok $i checkpatch $f"
	else
		echo "not ok $i checkpatch $f"
		echo "$out" | sed 's/^/# /'
		rc=1
	fi
done
exit $rc
