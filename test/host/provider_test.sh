#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The OpenSSL provider warpdrive.so (provider/) under real programs, both
# ways of Documentation/libwarpdrive.rst's "OpenSSL provider":
#
# 1. openssl ... -provider warpdrive -provider default -propquery
#    ?provider=warpdrive: the digest
#    commands and dgst (SHA-256, SHA-512, SHA3-256, SM3), mac and
#    dgst -hmac (HMAC-SHA256), enc -e/-d (CTR; CBC with padding), speed
#    -aead -evp aes-256-gcm; each output byte for byte the default
#    provider's, and libwarpdrive's WD_STATS=1 report counting requests
#    (so ours ran, not OpenSSL's: the same command without our provider
#    reports nothing).  enc -nopad of a text not a multiple of 16 and a
#    policy hw without a device fail with the provider's reason.
# 2. an openssl.cnf that activates warpdrive and default and prefers
#    warpdrive: unchanged programs (openssl dgst, Python's hashlib)
#    offload, HMAC-SHA1 still works, and (software path) crypto_evp_test
#    runs the library's own stanzas under it (the library's software path
#    must not come back to the provider) and the provider's.
# With EXPECT_DEVICE=1 (in a guest with the vcrypt module) all of it runs
# under WD_POLICY=hw and the requests counted are the device's: the
# provider ran on the device; policy hw then opens a session instead of
# failing with -ENODEV.  TAP.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/test/lib/tap.sh"
. "$top/test/lib/provider_cnf.sh"
mods=$top/build/user/lib/ossl-modules
[ -f "$mods/warpdrive.so" ] || fail_all "no $mods/warpdrive.so (make user)"
command -v openssl > /dev/null || fail_all "no openssl command"
d=$(mktemp -d /tmp/wd-provider.XXXXXX) || fail_all "mktemp -d"
trap 'rm -rf "$d"' EXIT

# no system configuration: only what each case asks for
export OPENSSL_CONF=/dev/null WD_SW_THRESHOLD=0
if [ "${EXPECT_DEVICE:-0}" = 1 ]; then
	export WD_POLICY=hw
	path=hw
else
	unset WD_POLICY
	path=sw
fi
# ours first, OpenSSL's for what it lacks (random numbers for speed),
# ours preferred where both have an algorithm: openssl dgst takes the
# default provider's otherwise
P="-provider-path $mods -provider warpdrive -provider default -propquery ?provider=warpdrive"

# requests ERRFILE: sets n to the software (EXPECT_DEVICE=1: device)
# requests of the last WD_STATS=1 report in ERRFILE, 0 if none.  Shell
# builtins only: each process the test starts costs about a second in the
# KASAN guest, and this runs after every command
requests() {
	n=0
	while IFS= read -r line; do
		case $line in
		"libwarpdrive: $path "[0-9]*" requests"*)
			line=${line#"libwarpdrive: $path "}
			n=${line%% *} ;;
		esac
	done < "$1"
}

# same DESC [REF]: $d/ours and REF ($d/theirs) equal, and $d/err counts
# requests
same() {
	requests "$d/err"
	if cmp -s "$d/ours" "${2:-$d/theirs}" && [ "$n" -gt 0 ]; then
		pass "$1: as the default provider's, $n libwarpdrive requests"
	else
		fail "$1: differs from the default provider's or ran elsewhere ($n requests)"
		sed 's/^/# /' "$d/err" | head -n 5
	fi
}

head -c 100007 /dev/urandom > "$d/in"
for a in sha256 sha512 sha3-256 sm3; do
	WD_STATS=1 openssl "$a" $P -r "$d/in" > "$d/ours" 2> "$d/err"
	openssl "$a" -r "$d/in" > "$d/theirs"
	same "openssl $a"
	WD_STATS=1 openssl dgst $P -"$a" -r "$d/in" > "$d/ours" 2> "$d/err"
	same "openssl dgst -$a"
done
# the same command with OpenSSL's provider alone reports nothing
WD_STATS=1 openssl dgst -sha256 "$d/in" > /dev/null 2> "$d/err"
requests "$d/err"
eq "openssl dgst -sha256 without warpdrive: no libwarpdrive request" "$n" 0

key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
key128=000102030405060708090a0b0c0d0e0f
WD_STATS=1 openssl mac $P -digest SHA256 -macopt hexkey:$key -in "$d/in" \
	HMAC > "$d/ours" 2> "$d/err"
openssl mac -digest SHA256 -macopt hexkey:$key -in "$d/in" HMAC > "$d/theirs"
same "openssl mac HMAC (SHA256)"
WD_STATS=1 openssl dgst $P -sha256 -hmac secret -r "$d/in" > "$d/ours" 2> "$d/err"
openssl dgst -sha256 -hmac secret -r "$d/in" > "$d/theirs"
same "openssl dgst -sha256 -hmac"

iv=0f0e0d0c0b0a09080706050403020100
for c in aes-256-ctr aes-128-ctr aes-256-cbc aes-128-cbc sm4-cbc; do
	k=$key
	case $c in *-128-*|sm4-*) k=$key128 ;; esac
	WD_STATS=1 openssl enc $P -e -$c -K $k -iv $iv -in "$d/in" \
		-out "$d/ours" 2> "$d/err"
	openssl enc -e -$c -K $k -iv $iv -in "$d/in" -out "$d/theirs"
	case $c in *-cbc) pad=" (PKCS#7 padding)" ;; *) pad="" ;; esac
	same "openssl enc -e -$c$pad"
	WD_STATS=1 openssl enc $P -d -$c -K $k -iv $iv -in "$d/theirs" \
		-out "$d/ours" 2> "$d/err"
	same "openssl enc -d -$c" "$d/in"
done

# bad input: a clear reason, not a crash
head -c 100 "$d/in" > "$d/short"
openssl enc $P -e -aes-128-cbc -nopad -K $key128 -iv $iv \
	-in "$d/short" -out /dev/null 2> "$d/err"
rc=$?
grep -q 'warpdrive:.*not a multiple of the block length' "$d/err"
result $(( rc == 0 || $? != 0 )) "enc -nopad of 100 bytes refused: $(grep -o 'warpdrive:[^:]*:[^:]*' "$d/err" | head -n 1)"
if [ "$path" = hw ]; then
	WD_STATS=1 openssl sha256 $P -r "$d/short" > "$d/ours" 2> "$d/err"
	openssl sha256 -r "$d/short" > "$d/theirs"
	same "WD_POLICY=hw with a device: openssl sha256 on it"
else
	WD_POLICY=hw openssl sha256 $P "$d/short" > /dev/null 2> "$d/err"
	rc=$?
	grep -q 'warpdrive:.*libwarpdrive error:.*wd_crypto_open: -19' "$d/err"
	result $(( rc == 0 || $? != 0 )) "WD_POLICY=hw without a device: the library's -ENODEV, reported: $(grep -o 'wd_crypto_open: .*' "$d/err" | head -n 1)"
fi

# speed: AEAD messages (one message per request, as the device runs them)
WD_STATS=1 openssl speed $P -seconds 1 -bytes 1024 -aead -evp aes-256-gcm \
	> "$d/speed" 2> "$d/err"
rc=$?
requests "$d/err"
grep -q '^AES-256-GCM ' "$d/speed" && [ $rc = 0 ] && [ "$n" -gt 0 ]
result $? "openssl speed -seconds 1 -aead -evp aes-256-gcm: $(grep '^AES-256-GCM' "$d/speed" | tr -s ' '), $n libwarpdrive requests"

# --- the openssl.cnf way ----------------------------------------------------
provider_cnf "$d/openssl.cnf" "$mods"
OPENSSL_CONF=$d/openssl.cnf WD_STATS=1 openssl dgst -sha256 -r "$d/in" \
	> "$d/ours" 2> "$d/err"
openssl dgst -sha256 -r "$d/in" > "$d/theirs"
same "openssl.cnf: openssl dgst -sha256, unchanged"
OPENSSL_CONF=$d/openssl.cnf WD_STATS=1 openssl dgst -sha1 -hmac secret -r \
	"$d/in" > "$d/ours" 2> "$d/err"
openssl dgst -sha1 -hmac secret -r "$d/in" > "$d/theirs"
cmp -s "$d/ours" "$d/theirs"
result $? "openssl.cnf: openssl dgst -sha1 -hmac still works, as the default provider's"
if command -v python3 > /dev/null; then
	OPENSSL_CONF=$d/openssl.cnf WD_STATS=1 python3 -c \
		'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' \
		"$d/in" > "$d/ours" 2> "$d/err"
	python3 -c \
		'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' \
		"$d/in" > "$d/theirs"
	same "openssl.cnf: Python's hashlib.sha256, unchanged"
fi
# the stanzas under the configuration, software path only: what they
# guard, the library's EVP fallback never reaching the provider it serves,
# cannot happen under WD_POLICY=hw, and the device's stanzas through the
# provider are crypto_evp_provider_hw's (each run starts a process per
# stanza file, slow in the KASAN guest)
if [ "$path" = sw ]; then
	evp=$top/build/user/test/crypto_evp_test
	OPENSSL_CONF=$d/openssl.cnf "$evp" "$top/test/data/openssl-evp" > "$d/lib.tap" 2>&1
	rc=$?
	result $rc "openssl.cnf: the library's own stanzas, no recursion into the provider ($(sed -n 's/^ok 1 \([0-9]*\) covered.*/\1/p' "$d/lib.tap") stanzas)"
	[ $rc = 0 ] || grep '^not ok' "$d/lib.tap" | head -n 5 | sed 's/^/# /'
	OPENSSL_CONF=$d/openssl.cnf "$evp" "$top/test/data/openssl-evp" --provider "$mods" > "$d/prov.tap" 2>&1
	rc=$?
	result $rc "openssl.cnf: the stanzas through the provider ($(sed -n 's/^ok 1 \([0-9]*\) covered.*/\1/p' "$d/prov.tap") stanzas)"
	[ $rc = 0 ] || grep '^not ok' "$d/prov.tap" | head -n 5 | sed 's/^/# /'
fi

done_tap
