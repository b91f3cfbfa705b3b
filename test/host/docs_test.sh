#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every Documentation/*.rst parses with docutils without a warning or an
# error: a malformed table or a short title underline renders as
# something else than what was written (or not at all).  TAP, one case
# per document.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/test/lib/tap.sh"
command -v rst2pseudoxml > /dev/null ||
	fail_all "no rst2pseudoxml (python3-docutils; test/vm/deps.sh vm)"
err=$(mktemp /tmp/wd-docs.XXXXXX) || fail_all "mktemp"
trap 'rm -f "$err"' EXIT

for f in "$top"/Documentation/*.rst; do
	name=Documentation/$(basename "$f")
	# --report=2: warnings and worse; --exit-status=2: they fail
	rst2pseudoxml --report=2 --halt=5 --exit-status=2 "$f" > /dev/null \
		2> "$err"
	rc=$?
	[ $rc = 0 ] && [ ! -s "$err" ]
	result $? "$name parses clean"
	sed "s|^$top/||; s/^/# /" "$err" | head -n 4
done
done_tap
