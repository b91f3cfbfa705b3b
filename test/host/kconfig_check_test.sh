#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# test/vm/kconfig-check.sh, build-kernel.sh's refusal of a kernel whose
# .config lost what the fragments set, on small made-up configs: an
# option kept, dropped, with another value (or one it only begins),
# switched off and back on, overridden by a later fragment either way, a
# name that is a prefix of another, and the usage errors.  A real build
# only ever shows the passing case.  TAP.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/test/lib/tap.sh"
kc=$top/test/vm/kconfig-check.sh
t=$(mktemp -d) || fail_all "mktemp"
trap 'rm -rf "$t"' EXIT

# run DESCRIPTION WANT_STATUS WANT_OUTPUT CONFIG_TEXT FRAGMENT_TEXT...
# (the files are written from the texts; \n separates lines)
run() {
	desc=$1 want=$2 wantout=$3 conf=$4
	shift 4
	printf '%b\n' "$conf" > "$t/config"
	i=0
	frags=
	for text in "$@"; do
		i=$((i + 1))
		printf '%b\n' "$text" > "$t/frag$i"
		frags="$frags $t/frag$i"
	done
	# shellcheck disable=SC2086 # the fragments' names have no blanks
	got=$("$kc" "$t/config" $frags 2>&1)
	rc=$?
	got=$(echo "$got" | tr '\n' ' ' | sed 's/ $//')
	if [ "$rc" = "$want" ] && [ "$got" = "$wantout" ]; then
		pass "$desc"
	else
		fail "$desc (exit $rc, want $want; output '$got', want '$wantout')"
	fi
}

run "every option as the fragment says" 0 "" \
	'CONFIG_A=y\nCONFIG_N=64\nCONFIG_S="a b"\n# CONFIG_OFF is not set' \
	'CONFIG_A=y\nCONFIG_N=64\nCONFIG_S="a b"\n# CONFIG_OFF is not set\n# a comment'
run "an option Kconfig dropped" 1 "CONFIG_B" \
	'CONFIG_A=y\n# CONFIG_B is not set' 'CONFIG_A=y\nCONFIG_B=y'
run "an option missing from the config altogether" 1 "CONFIG_B" \
	'CONFIG_A=y' 'CONFIG_A=y\nCONFIG_B=y'
run "an option with another value" 1 "CONFIG_N" \
	'CONFIG_N=32' 'CONFIG_N=64'
run "a value that is only the start of the config's" 1 "CONFIG_N" \
	'CONFIG_N=64' 'CONFIG_N=6'
run "a string with another value" 1 "CONFIG_S" \
	'CONFIG_S="a b c"' 'CONFIG_S="a b"'
run "an option switched off that came back on" 1 "CONFIG_OFF" \
	'CONFIG_OFF=y' '# CONFIG_OFF is not set'
run "an option switched off and absent" 0 "" \
	'CONFIG_A=y' '# CONFIG_OFF is not set'
run "switched off, and only a longer name is on" 0 "" \
	'CONFIG_OFF_TOO=y' '# CONFIG_OFF is not set'
run "every option that did not survive, in the fragments' order" 1 \
	"CONFIG_C CONFIG_A CONFIG_B" \
	'CONFIG_A=m\nCONFIG_C=n' 'CONFIG_C=y\nCONFIG_A=y' 'CONFIG_B=y'
run "a later fragment switches off what an earlier one set" 0 "" \
	'# CONFIG_BPF is not set' 'CONFIG_BPF=y' '# CONFIG_BPF is not set'
run "...and the config still has it: the last value counts" 1 "CONFIG_BPF" \
	'CONFIG_BPF=y' 'CONFIG_BPF=y' '# CONFIG_BPF is not set'
run "a later fragment switches on what an earlier one left off" 0 "" \
	'CONFIG_X=y' '# CONFIG_X is not set' 'CONFIG_X=y'

out=$("$kc" "$t/config" 2>&1)
eq "without fragments: usage, exit 2" "$?: $out" \
	"2: usage: kconfig-check.sh CONFIG FRAGMENT..."
out=$("$kc" "$t/no-config" "$t/frag1" 2>&1)
eq "a config it cannot read: exit 2" "$?: $out" \
	"2: kconfig-check: cannot read $t/no-config"
out=$("$kc" "$t/config" "$t/no-frag" 2>&1)
eq "a fragment it cannot read: exit 2" "$?: $out" \
	"2: kconfig-check: cannot read $t/no-frag"
done_tap
