#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# TLS through the OpenSSL provider warpdrive.so (provider/) under an
# openssl.cnf that activates it and prefers it, as
# Documentation/libwarpdrive.rst recommends: a loopback openssl s_server
# -WWW serves a file of about 270 KB to openssl s_client, both ends under
# the configuration, for each suite:
#
# - TLS 1.3 TLS_AES_256_GCM_SHA384 and TLS_AES_128_GCM_SHA256: the file
#   intact, -brief's Ciphersuite line names the suite, and each side's
#   WD_STATS=1 report counts at least the file's size in software bytes
#   (its records went through libwarpdrive);
# - TLS 1.2 ECDHE-ECDSA-AES256-GCM-SHA384 and ECDHE-ECDSA-AES128-SHA256
#   (CBC, encrypt-then-MAC), and ECDHE-ECDSA-AES256-SHA384 -no_etm (CBC,
#   MAC-then-encrypt): the file intact and the suite named.  libssl asks the cipher
#   for TLS 1.2's record layer (explicit nonces, padding and MAC removed
#   in constant time), which the provider leaves to OpenSSL's own cipher:
#   before it did, these broke the connection.
#
# - TLS 1.2 renegotiation with a CBC and a GCM suite: lines before and
#   after it arrive.
#
# Every process is bounded by timeout.  TAP.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/test/lib/tap.sh"
. "$top/test/lib/provider_cnf.sh"
mods=$top/build/user/lib/ossl-modules
[ -f "$mods/warpdrive.so" ] || fail_all "no $mods/warpdrive.so (make user)"
command -v openssl > /dev/null || fail_all "no openssl command"
command -v timeout > /dev/null || fail_all "no timeout command"
d=$(mktemp -d /tmp/wd-provider-tls.XXXXXX) || fail_all "mktemp -d"
srv=
cli=
trap '[ -n "$srv" ] && kill "$srv" 2> /dev/null; [ -n "$cli" ] && kill "$cli" 2> /dev/null; rm -rf "$d"' EXIT

export WD_SW_THRESHOLD=0
unset WD_POLICY
provider_cnf "$d/openssl.cnf" "$mods"

# the key and certificate (OpenSSL's default provider alone)
OPENSSL_CONF=/dev/null timeout 30 openssl req -x509 -newkey ec \
	-pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$d/key.pem" \
	-out "$d/cert.pem" -subj /CN=localhost -days 1 > "$d/req.err" 2>&1 ||
	fail_all "openssl req: $(tail -n 1 "$d/req.err")"
# text, so the HTTP header is easy to tell from it: 270,292 bytes
head -c 200000 /dev/urandom | base64 > "$d/msg.txt"
size=$(wc -c < "$d/msg.txt")

# sw_bytes ERRFILE: the software bytes in WD_STATS=1 reported, 0 if none
sw_bytes() {
	sed -n 's/^libwarpdrive: sw [0-9]* requests, \([0-9]*\) bytes in.*/\1/p' \
		"$1" | tail -n 1 | grep . || echo 0
}

# listening: sets port to the one s_server ($srv) printed in $d/srv.out
# once it listens, or to nothing if it exited first or took over 10 s
listening() {
	port=
	for _ in $(seq 100); do
		port=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' \
			"$d/srv.out" 2> /dev/null)
		[ -n "$port" ] && return
		kill -0 "$srv" 2> /dev/null || return
		sleep 0.1
	done
}

# exchange PROTO-OPTION CIPHER-OPTION SUITE [CLIENT-OPTION]: one
# s_server/s_client run under the configuration; sets ok (the file arrived intact, the suite
# named), why, and leaves $d/srv.err, $d/cli.err
exchange() {
	rm -f "$d/srv.out" "$d/srv.err" "$d/cli.out" "$d/cli.err"
	(cd "$d" && OPENSSL_CONF=$d/openssl.cnf WD_STATS=1 exec timeout 30 \
		openssl s_server -accept 0 -cert cert.pem -key key.pem "$1" \
		"$2" "$3" -naccept 1 -WWW > srv.out 2> srv.err) &
	srv=$!
	listening
	ok=1
	if [ -z "$port" ]; then
		why="s_server did not listen: $(tail -n 2 "$d/srv.err" | tr '\n' ' ')"
		kill "$srv" 2> /dev/null
		wait "$srv"
		srv=
		return
	fi
	printf 'GET /msg.txt HTTP/1.0\r\n\r\n' |
		OPENSSL_CONF=$d/openssl.cnf WD_STATS=1 timeout 30 openssl \
		s_client -connect 127.0.0.1:"$port" "$1" "$2" "$3" ${4:-} -brief \
		-ign_eof > "$d/cli.out" 2> "$d/cli.err"
	rc=$?
	wait "$srv"
	src=$?
	srv=
	suite=$(sed -n 's/^Ciphersuite: //p' "$d/cli.err")
	if [ $rc != 0 ] || [ $src != 0 ]; then
		why="s_client exit $rc, s_server exit $src: $(grep -h ':error:' "$d/cli.err" "$d/srv.err" | head -n 1)"
	elif ! head -n 1 "$d/cli.out" | grep -q '^HTTP/1.0 200 ok'; then
		why="no HTTP 200: $(head -n 1 "$d/cli.out")"
	elif [ "$(wc -c < "$d/cli.out")" -ne \
	       $(( size + $(sed -n '1,/^\r$/p' "$d/cli.out" | wc -c) )) ] ||
	     ! tail -c "$size" "$d/cli.out" | cmp -s - "$d/msg.txt"; then
		why="the file arrived damaged ($(wc -c < "$d/cli.out") bytes with the header)"
	elif [ "$suite" != "$3" ]; then
		why="the suite is '$suite'"
	else
		ok=0
		why="$size bytes intact, Ciphersuite: $suite"
	fi
}

for s in TLS_AES_256_GCM_SHA384 TLS_AES_128_GCM_SHA256; do
	exchange -tls1_3 -ciphersuites "$s"
	result $ok "TLS 1.3 $s: $why"
	cb=$(sw_bytes "$d/cli.err")
	sb=$(sw_bytes "$d/srv.err")
	[ "$cb" -ge "$size" ] && [ "$sb" -ge "$size" ]
	result $? "TLS 1.3 $s: the records through libwarpdrive (sw bytes in: client $cb, server $sb, file $size)"
done

# CBC: encrypt-then-MAC (RFC 7366, OpenSSL's default) leaves the cipher
# the padding; -no_etm gives it the MAC's removal too (MAC-then-encrypt),
# with SHA-384 (libssl takes OpenSSL's stitched AES-CBC-HMAC-SHA1/SHA256
# ciphers instead of ours when it can)
for s in ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-AES128-SHA256 \
	 "ECDHE-ECDSA-AES256-SHA384 -no_etm"; do
	exchange -tls1_2 -cipher $s
	result $ok "TLS 1.2 $s: $why"
	[ $ok = 0 ] || grep -h ':error:' "$d/cli.err" "$d/srv.err" |
		head -n 4 | sed 's/^/# /'
done

# renegotiation: the handshake again on the same connection re-keys the
# contexts that handed over (the same EVP_CIPHER_CTX, initialised anew);
# s_client's "R" line asks for it, the server allows it, and the lines
# before and after it must reach the server (its stdin, a FIFO this
# shell holds open, gives it no EOF).  s_client takes a line it reads
# alone as its command, so the client's stdin is a FIFO too, and each
# line is written only once the previous one had its effect: the server
# printed it, or the client said RENEGOTIATING (no sleeps: nothing
# depends on how fast the machine is)
mkfifo "$d/srv.in" "$d/cli.in" || fail_all "mkfifo"

# await FILE PATTERN: until FILE has a line matching PATTERN, 30 s at most
await() {
	for _ in $(seq 300); do
		grep -q "$2" "$1" 2> /dev/null && return 0
		sleep 0.1
	done
	return 1
}
for s in ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384; do
	rm -f "$d/srv.out" "$d/srv.err" "$d/cli.out" "$d/cli.err"
	exec 3<> "$d/srv.in"
	(cd "$d" && OPENSSL_CONF=$d/openssl.cnf exec timeout 90 \
		openssl s_server -accept 0 -cert cert.pem -key key.pem -tls1_2 \
		-cipher "$s" -client_renegotiation -naccept 1 \
		< srv.in > srv.out 2> srv.err) &
	srv=$!
	listening
	exec 4<> "$d/cli.in"
	OPENSSL_CONF=$d/openssl.cnf timeout 60 openssl s_client \
		-connect 127.0.0.1:"${port:-1}" -tls1_2 -cipher "$s" \
		< "$d/cli.in" > "$d/cli.out" 2> "$d/cli.err" &
	cli=$!
	echo before-renegotiation >&4
	await "$d/srv.out" '^before-renegotiation' && echo R >&4 &&
		await "$d/cli.err" '^RENEGOTIATING' &&
		echo after-renegotiation >&4 &&
		await "$d/srv.out" '^after-renegotiation'
	echo Q >&4
	wait "$cli"
	rc=$?
	exec 4>&-
	wait "$srv"
	srv=
	exec 3>&-
	grep -q '^RENEGOTIATING' "$d/cli.err" &&
		grep -q '^before-renegotiation' "$d/srv.out" &&
		grep -q '^after-renegotiation' "$d/srv.out" &&
		grep -q '^ *1 server renegotiates' "$d/srv.out" && [ $rc = 0 ]
	result $? "TLS 1.2 $s: renegotiated, a line before and after it arrived (s_client exit $rc)"
	grep -h ':error:' "$d/cli.err" "$d/srv.err" | head -n 2 | sed 's/^/# /'
done

done_tap
