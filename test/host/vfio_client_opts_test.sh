#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vfio-client refuses every option it cannot use before it opens anything:
# exit status 2 and one line on stderr that names the option and why.
# Options it can use get past the parser: on the host there is no
# instance (status 3, set-up failed), never 2.  Then --help (0), and
# --mig-info of a file that is not a saved device state (1, with the
# verdict).  Runs on the host: the parser needs no device.
set -u

top=$(pwd)
vc=${VFIO_CLIENT:-$top/build/user/bin/vfio-client}
tmp=$(mktemp -d /tmp/vfio-client-opts.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. test/lib/tap.sh
u=3dc0de00-0000-4000-8000-00000000dead

# refused WANT ARGS...: status 2, one stderr line containing WANT
refused() {
	want=$1
	shift
	"$vc" "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
	lines=$(wc -l < "$tmp/err")
	if [ $rc = 2 ] && [ "$lines" = 1 ] && grep -qF -- "$want" "$tmp/err"; then
		pass "refused: $* ($want)"
	else
		fail "refused: $* (status $rc, $lines line(s), want '$want')"
		sed 's/^/# /' "$tmp/err"
	fi
}

# parsed ARGS...: the parser takes them (a status other than 2)
parsed() {
	"$vc" "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
	if [ $rc != 2 ]; then
		pass "parsed: $* (status $rc)"
	else
		fail "parsed: $* (status 2)"
		sed 's/^/# /' "$tmp/err"
	fi
}

refused "--size: '0' is not a number in 1..268435456" --size 0 "$u"
refused "--size: '268435457'" --size 268435457 "$u"
refused "--size: '12abc'" --size 12abc "$u"
refused "--queues: '0'" --queues 0 "$u"
refused "--queues: '17'" --queues 17 "$u"
refused "--inflight: '-3'" --inflight -3 "$u"
refused "--requests: '-1'" --requests -1 "$u"
refused "--requests: '+5'" --requests +5 "$u"
refused "--requests: ' 5'" --requests " 5" "$u"
refused "--requests: '0'" --requests 0 "$u"
refused "--chunk: '0'" --chunk 0 "$u"
refused "--level: '10'" --level 10 "$u"
refused "--format: 'lz4' is not gzip, zlib or raw" --format lz4 "$u"
refused "--window: '8'" --window 8 "$u"
refused "--depth: 3 is not a power of 2" --depth 3 "$u"
refused "--depth: '1048576'" --depth 1048576 "$u"
refused "--irq: 'foo' is not msi, intx or poll" --irq foo "$u"
refused "--duration: 'nan'" --duration nan "$u"
refused "--timeout: '0'" --timeout 0 "$u"
refused "--bad-iova: 'foo'" --bad-iova foo "$u"
refused "--bad-iova, --unmap-inflight and --reset go alone" \
	--bad-iova src --reset "$u"
refused "--bad-iova, --unmap-inflight and --reset go alone" \
	--unmap-inflight --bad-iova cq "$u"
refused "--inflight 128 exceeds the ring depth 64" --inflight 128 "$u"
refused "--vcrypt goes with" --vcrypt --queues 2 "$u"
refused "--output goes with a plain run" --output "$tmp/o.gz" --reset "$u"
refused "--migrate-to, --save, --resume and --mig-info go alone" \
	--save "$tmp/s" --resume "$tmp/s" "$u"
refused "go with a run of a known number of requests" \
	--save "$tmp/s" --duration 5 "$u"
refused "the destination is the source" --migrate-to "$u" "$u"
refused "--mig-info reads a file: no instance UUID" --mig-info "$tmp/s" "$u"
refused "expected one instance UUID" "$u" "$u"
refused "expected one instance UUID"

parsed --size 0x10 --queues 16 --inflight 64 --depth 64 --requests 3 "$u"
parsed --reset --reset "$u"
parsed --level 9 --format raw --window 9 --irq poll --timeout 1 "$u"

"$vc" --help > "$tmp/out" 2>&1
eq "--help exits 0" "$?" 0
# mig_info DESCRIPTION FILE VERDICT: status 1, and the verdict said
mig_info() {
	"$vc" --mig-info "$2" > "$tmp/out" 2>&1
	rc=$?
	if [ $rc = 1 ] && grep -qF -- "$3" "$tmp/out"; then
		pass "--mig-info of $1: status 1, '$3'"
	else
		fail "--mig-info of $1: status $rc, want 1 and '$3'"
		sed 's/^/# /' "$tmp/out"
	fi
}
printf 'not a device state\n' > "$tmp/short"
mig_info "19 bytes" "$tmp/short" "shorter than a header"
head -c 4096 /dev/zero | tr '\0' 'x' > "$tmp/junk"
mig_info "4 KiB of junk" "$tmp/junk" "NOT a well-formed device state"
done_tap
