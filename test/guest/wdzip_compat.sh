#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# wdzip and gzip interoperate both ways, with gzip's options, messages and
# exit codes.  Runs from the repository root, on the host (software path)
# and in the guest (WD_POLICY=hw: on vzip).  EXPECT_PATH=accelerator or
# software says what `wdzip -v` must report; unset, either is accepted.
set -u

top=$(pwd)
wdzip=$top/build/user/bin/wdzip
tmp=$(mktemp -d /tmp/wdzip-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

n=0
failed=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}

# Text that compresses like prose, and random bytes that do not.
make_text() {
	seq 1 "$1" | sed 's/$/ the queue of the accelerator and its ring/'
}
make_text 50000 > text		# about 2.3 MB: three of wdzip's 1 MiB chunks
head -c 1200000 /dev/urandom > random	# more than a chunk
printf '' > empty
printf 'x' > one
head -c 65536 text > small

for f in text random empty one small; do
	cp $f $f.orig
done

# wdzip -> gzip
for f in text random empty one small; do
	"$wdzip" -k $f
	gzip -dc $f.gz | cmp -s - $f.orig
	ok $? "gzip -d reads what wdzip wrote ($f)"
	gzip -t $f.gz
	ok $? "gzip -t accepts wdzip's $f.gz"
	rm -f $f.gz
done

# gzip -> wdzip
for f in text random empty one small; do
	gzip -c $f > $f.gz
	"$wdzip" -dc $f.gz | cmp -s - $f.orig
	ok $? "wdzip -d reads what gzip wrote ($f)"
	rm -f $f.gz
done

# every level, and gzip reading each
for l in 1 2 3 4 5 6 7 8 9; do
	"$wdzip" -$l -c small | gzip -dc | cmp -s - small.orig
	ok $? "wdzip -$l: gzip reads it"
done

# in place, as gzip: input replaced, mode and mtime kept
chmod 640 text
touch -d '2020-02-02 02:02:02' text
"$wdzip" text
[ ! -e text ] && [ -e text.gz ] && [ "$(stat -c %a text.gz)" = 640 ] &&
	[ "$(stat -c %Y text.gz)" = "$(date -d '2020-02-02 02:02:02' +%s)" ]
ok $? "wdzip FILE replaces it with FILE.gz, mode and mtime kept"
"$wdzip" -d text.gz
[ -e text ] && [ ! -e text.gz ] && cmp -s text text.orig
ok $? "wdzip -d FILE.gz restores FILE"

# -k, -f, existing output
"$wdzip" -k small
[ -e small ] && [ -e small.gz ]
ok $? "-k keeps the input"
"$wdzip" -k small 2>err
rc=$?
[ $rc = 2 ] && grep -q 'already exists' err
ok $? "existing output: not overwritten, exit 2 (got $rc)"
"$wdzip" -kf small
ok $? "-f overwrites"
"$wdzip" small.gz 2>err
rc=$?
[ $rc = 0 ] && grep -q 'already has .gz suffix' err
ok $? "compressing a .gz file: unchanged, as gzip (exit $rc)"

# stdin/stdout and several files
"$wdzip" < small.orig | gzip -dc | cmp -s - small.orig
ok $? "stdin to stdout"
cat text.orig | "$wdzip" -9 | "$wdzip" -d | cmp -s - text.orig
ok $? "a pipe through wdzip and back"
cp small.orig s1 && cp one.orig s2
"$wdzip" s1 s2 && [ -e s1.gz ] && [ -e s2.gz ] &&
	gzip -dc s1.gz s2.gz | cmp -s - "$(cat small.orig one.orig > both; echo both)"
ok $? "several files"
"$wdzip" -c s1.gz s2.gz > /dev/null 2>&1
"$wdzip" -dc s1.gz s2.gz | cmp -s - both
ok $? "wdzip -dc of several files concatenates"

# multi-member input, trailing zeros, trailing garbage, corruption
cat s1.gz s2.gz > multi.gz
"$wdzip" -dc multi.gz | cmp -s - both
ok $? "multi-member gzip file"
cp s1.gz pad.gz && printf '\0\0\0\0\0' >> pad.gz
"$wdzip" -dc pad.gz | cmp -s - small.orig
ok $? "trailing zeros are ignored"
cp s1.gz junk.gz && echo junk >> junk.gz
"$wdzip" -dc junk.gz > out 2>err
rc=$?
[ $rc = 2 ] && cmp -s out small.orig && grep -q 'trailing garbage' err
ok $? "trailing garbage: data out, warning, exit 2 (got $rc)"
head -c 1000 s1.gz > trunc.gz
"$wdzip" -dc trunc.gz > /dev/null 2>err
rc=$?
[ $rc = 1 ]
ok $? "truncated input: exit 1 (got $rc: $(cat err))"
echo "not gzip at all" > plain.gz
"$wdzip" -d plain.gz 2>err
rc=$?
[ $rc = 1 ] && grep -q 'not in gzip format' err && [ -e plain.gz ]
ok $? "not gzip: exit 1, input kept (got $rc)"
cp text.orig big && "$wdzip" -c big > big.gz
size=$(stat -c %s big.gz)
dd if=/dev/urandom of=big.gz bs=1 count=64 seek=$((size / 2)) conv=notrunc 2>/dev/null
"$wdzip" -t big.gz 2>/dev/null
rc=$?
[ $rc = 1 ]
ok $? "corrupted data: -t fails with exit 1 (got $rc)"
"$wdzip" -d missing.gz 2>/dev/null
ok $(( $? == 1 ? 0 : 1 )) "missing file: exit 1"
"$wdzip" -d small.orig 2>/dev/null
ok $(( $? == 2 ? 0 : 1 )) "unknown suffix: exit 2"

# -t and -v: the ratio and which path ran
"$wdzip" -t s1.gz
ok $? "-t of a good file: exit 0"
"$wdzip" -vk -c text.orig > /dev/null 2>err
grep -Eq '%.*\((accelerator vzip-[0-9]+|software: [a-z-]+)\)' err
ok $? "-v reports the ratio and the path: $(cat err)"
case "${EXPECT_PATH:-}" in
accelerator|software)
	grep -q "($EXPECT_PATH" err
	ok $? "the path is the $EXPECT_PATH"
	;;
esac
"$wdzip" -dv -c s1.gz > /dev/null 2>err
grep -q '%' err
ok $? "-dv reports too: $(cat err)"

echo "1..$n"
[ $failed = 0 ]
