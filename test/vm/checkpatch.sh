#!/bin/sh
# checkpatch --strict over every kernel source of ours, one TAP case a file.
# (include/warpdrive/ is the user-space library's, not kernel code.) The
# kernel's own zlib API is camel-cased (zlib_deflateInit2): only that is
# forgiven.
top=$(cd "$(dirname "$0")/../.." && pwd)
cp=$top/build/src/linux-source-6.1/scripts/checkpatch.pl
cd "$top"
kdirs="uacce drivers include/linux include/uapi test/kunit"
files=$(find $kdirs -name '*.[ch]' 2>/dev/null | sort)
n=$(echo "$files" | grep -c .)
echo "1..$n"
i=0
rc=0
for f in $files; do
	i=$((i + 1))
	if [ ! -f "$cp" ]; then
		echo "ok $i checkpatch $f # SKIP kernel tree not unpacked"
		continue
	fi
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
