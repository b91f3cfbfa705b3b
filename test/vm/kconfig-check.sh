#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kconfig-check.sh CONFIG FRAGMENT...: which options of the fragments a
# kernel's final .config does not have as the fragments say.
#
# merge_config.sh and olddefconfig only warn when Kconfig drops an
# option a fragment sets (a dependency not met, a name that changed): the
# kernel would build without it and a test would fail far from the
# cause.  build-kernel.sh refuses such a kernel with this check.
#
# An option set in more than one fragment is checked for its last value,
# the one merge_config.sh applied (debug.config switches off some of
# base.config's).  "CONFIG_X=v" must be in CONFIG as written; "# CONFIG_X
# is not set" must not have come back as CONFIG_X=anything.
#
# Prints each option that did not survive, one per line, and exits 1;
# exits 0 when all did, 2 on a usage error or a file it cannot read.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: kconfig-check.sh CONFIG FRAGMENT..." >&2
	exit 2
fi
config=$1
shift
for f in "$config" "$@"; do
	[ -r "$f" ] || { echo "kconfig-check: cannot read $f" >&2; exit 2; }
done

dropped=$(grep -hE '^(CONFIG_[A-Z0-9_]+=|# CONFIG_[A-Z0-9_]+ is not set)' "$@" |
	awk '{ o = $0; sub(/^# /, "", o); sub(/[= ].*/, "", o)
	       if (!(o in v)) n[++k] = o; v[o] = $0 }
	     END { for (i = 1; i <= k; i++) print v[n[i]] }' |
	while read -r line; do
		case "$line" in
		"# "*)	opt=${line#\# }; opt=${opt%% *}
			if grep -q "^$opt=" "$config"; then echo "$opt"; fi ;;
		*)	grep -qxF "$line" "$config" || echo "${line%%=*}" ;;
		esac
	done)
[ -z "$dropped" ] && exit 0
echo "$dropped"
exit 1
