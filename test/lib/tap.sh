# SPDX-License-Identifier: GPL-2.0
# TAP output for the shell tests, sourced by test/guest/*.sh and
# test/host/*.sh: a numbered line per case, the plan at the end.

tap_n=0
tap_failed=0

# pass DESCRIPTION, fail DESCRIPTION: one case
pass() {
	result 0 "$1"
}

fail() {
	result 1 "$1"
}

# result STATUS DESCRIPTION: one case, passing when STATUS, an exit
# status, is 0
result() {
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tap_n $2"
	else
		echo "not ok $tap_n $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# check DESCRIPTION COMMAND...: one case, passing when COMMAND does
check() {
	desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

# eq DESCRIPTION GOT WANT
eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1 (got '$2', want '$3')"
	fi
}

# fail_all REASON: what the test needs is missing.  test/plan loads the
# modules and deps.sh installs the tools, so that is a failure, never a
# skip: a test that skips itself could never fail.
fail_all() {
	echo "not ok 1 $1"
	echo "1..1"
	exit 1
}

# done_tap: the plan line; the status says whether every case passed
done_tap() {
	echo "1..$tap_n"
	[ $tap_failed = 0 ]
}
