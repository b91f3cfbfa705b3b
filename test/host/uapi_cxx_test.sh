#!/bin/sh
# The UAPI and library headers must be self-contained and usable from C++:
# compile a translation unit that includes each one alone, as C11 and as
# C++17, with warnings as errors (every header of include/uapi/misc/uacce,
# vzip.h and vcrypt.h included). TAP, one case per header and language.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

headers=""
for h in include/uapi/misc/uacce/*.h; do
	headers="$headers misc/uacce/${h#include/uapi/misc/uacce/}"
done
for h in include/warpdrive/*.h; do
	headers="$headers warpdrive/${h#include/warpdrive/}"
done

n=0
rc=0
for h in $headers; do
	for lang in c c++; do
		n=$((n + 1))
		if [ $lang = c ]; then
			src=$tmp/t.c; cc="cc -std=c11"
		else
			src=$tmp/t.cc; cc="g++ -std=c++17"
		fi
		printf '#include <%s>\n#include <%s>\nint main(void) { return 0; }\n' "$h" "$h" > "$src"
		if out=$($cc -Wall -Wextra -Werror -pedantic-errors -Iinclude/uapi -Iinclude \
				-fsyntax-only "$src" 2>&1); then
			echo "ok $n $h included twice from $lang"
		else
			echo "not ok $n $h included twice from $lang"
			echo "$out" | sed 's/^/# /'
			rc=1
		fi
	done
done
echo "1..$n"
exit $rc
