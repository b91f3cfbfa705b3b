#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Wait for the Debian packages check.sh builds beside the other work, and
# print make's exit status ("no status" when none appeared in 1800 s).
#
# Usage: deb-wait.sh STATUSFILE   (the part of WD_DEB after the colon)
status=$1
i=0
while [ ! -f "$status" ] && [ $i -lt 1800 ]; do
	sleep 1
	i=$((i + 1))
done
cat "$status" 2>/dev/null || echo "no status"
