#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Real zlib programs under LD_PRELOAD=libwdz.so.1: git, rsync -z (zlib and
# zlibx), curl --compressed against a local server, pigz (default and -i),
# Python's zlib and gzip modules, zlib-flate.  What each one writes is
# checked by the stock tools outside the preload, and what they write is
# read back under it.  Each reports how many requests the device ran and
# what ran on zlib instead (WD_STATS=1).
#
#   sh test/guest/zshim_programs.sh [PROGRAM...]
#
# PROGRAM is one of git, rsync, curl, pigz, python, zlib-flate; none means
# all of them.  Under TCG a process start costs about a second, so test/plan
# gives each guest line a share of them.
#
# The policy is the environment's WD_POLICY.  With a device and a policy
# other than sw, every program the device can serve must have run
# requests on it (WD_STATS); curl's inflate(Z_BLOCK) is one the device
# cannot serve, so there WD_STATS must name Z_BLOCK as run on zlib (policy
# hw).  On the host (no device) it checks the software path.
set -u

TOP=$(pwd)
SHIM=$TOP/build/user/lib/libwdz.so.1
POLICY=${WD_POLICY:-auto}
T=$(mktemp -d /tmp/zshim-programs.XXXXXX)
trap 'rm -rf "$T"; [ -n "${srv_pid:-}" ] && kill "$srv_pid" 2>/dev/null' EXIT
. test/lib/tap.sh
device=0
ls /dev/vzip-* >/dev/null 2>&1 && device=1
progs=${*:-git rsync curl pigz python zlib-flate}
for p in $progs; do
	case $p in
	git | rsync | curl | pigz | python | zlib-flate) ;;
	*) echo "zshim_programs.sh: no program \"$p\" (git, rsync, curl," \
		"pigz, python, zlib-flate)" >&2; exit 2 ;;
	esac
done

# shim NAME CMD...: runs CMD under the preload (killed after 60 s: a hang
# is a failure, not a stuck run); its stderr and every process's WD_STATS
# report go to $T/NAME.err
shim() {
	name=$1
	shift
	timeout 60 env LD_PRELOAD="$SHIM" WD_STATS=1 "$@" 2>>"$T/$name.err"
}

t_last=$(date +%s)

# How many requests the device and zlib ran for NAME, summed over its
# processes, and what ran on zlib for lack of a device feature.
report() {
	hw=$(sed -n 's/^libwarpdrive: hw \([0-9]*\) requests.*/\1/p' \
		"$T/$1.err" | awk '{s += $1} END {print s + 0}')
	sw=$(sed -n 's/^libwarpdrive: sw \([0-9]*\) requests.*/\1/p' \
		"$T/$1.err" | awk '{s += $1} END {print s + 0}')
	feat=$(sed -n 's/^libwdz: on zlib for what the device lacks: //p' \
		"$T/$1.err" | sort -u | tr '\n' ';')
	now=$(date +%s)
	echo "# $1: $hw requests on the device, $sw on zlib${feat:+; $feat}" \
		"($((now - t_last)) s)"
	t_last=$now
}

# On the device path (a device, policy other than sw): NAME ran requests
# there.
used_device() {
	report "$1"
	if [ "$POLICY" != sw ] && [ "$device" = 1 ]; then
		[ "$hw" -gt 0 ]
		result $? "$1: the device ran requests ($hw)"
	fi
}

# Under policy hw WD_STATS names FEATURE for what ran on zlib.
named() {
	if [ "$POLICY" = hw ] && [ "$device" = 1 ]; then
		grep -q "^libwdz: on zlib.*$2" "$T/$1.err"
		result $? "$1: WD_STATS names \"$2\" as run on zlib"
	fi
}

echo "TAP version 13"
echo "# policy $POLICY, device $device, $SHIM: $progs"
if [ ! -f "$SHIM" ]; then
	echo "Bail out! no $SHIM (make user)"
	exit 1
fi
for tool in $progs python3 gzip; do
	[ "$tool" = python ] && continue
	if ! command -v $tool >/dev/null; then
		echo "Bail out! no $tool: sh test/vm/deps.sh vm"
		exit 1
	fi
done

# ---- the data: 15 files of text, code-like and random bytes (few: a
# process start costs a second in the TCG guest) ----
python3 - "$T/src" <<'EOF'
import os, random, sys
r = random.Random(12)
root = sys.argv[1]
os.makedirs(root + "/sub/deeper")
words = b"zlib shim device queue inflate deflate window block the and of".split()
for i in range(15):
    kind = i % 5
    n = r.choice([0, 1, 13, 300, 1000, 4096, 9000])
    if kind == 4:
        data = r.randbytes(n)
    elif kind == 3:
        data = b"".join(b"line %d: %s\n" % (j, r.choice(words))
                        for j in range(n // 12))
    else:
        data = b" ".join(r.choice(words) for _ in range(n // 5))
    d = root + ("", "/sub", "/sub/deeper")[i % 3]
    with open("%s/file%02d.%s" % (d, i, ("txt", "c", "md", "log", "bin")[kind]), "wb") as f:
        f.write(data)
# one larger file for pigz (several of its 32 KiB blocks), curl, zlib-flate
with open(root + "/big.txt", "wb") as f:
    for j in range(5000):
        f.write(b"%d %s %s\n" % (j, r.choice(words), r.choice(words) * (j % 7)))
EOF
BIG=$T/src/big.txt

# An HTTP server for curl, started before the other programs run: Python
# takes many seconds to start under TCG.
start_server() {
	ip link set lo up 2>/dev/null
	cat > "$T/server.py" <<'EOF'
import gzip, http.server, os, sys, zlib
root, portfile = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        enc, name = self.path.strip("/").split("/", 1)
        data = open(os.path.join(root, name), "rb").read()
        body = gzip.compress(data) if enc == "gzip" else zlib.compress(data)
        self.send_response(200)
        self.send_header("Content-Encoding", enc)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(portfile + ".tmp", "w").write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
EOF
	python3 "$T/server.py" "$T/src" "$T/port" &
	srv_pid=$!
}

# ---- git ----
prog_git() {
	mkdir "$T/repo"
	cp -r "$T/src/." "$T/repo/"
	(
		cd "$T/repo" || exit 1
		git init -q . && git config user.email t@example.org &&
			git config user.name test &&
			shim git git add . &&
			shim git git commit -q -m "fifteen files" &&
			echo changed >> file00.txt &&
			shim git git commit -q -a -m "one more"
	) > "$T/git.out" 2>&1
	result $? "git add and commit under the preload"
	sed 's/^/# /' "$T/git.out" | head -20
	git -C "$T/repo" fsck --full --strict > "$T/fsck.out" 2>&1
	result $? "stock git fsck --full --strict of that repository"
	sed 's/^/# /' "$T/fsck.out" | head -10
	(
		cd "$T/repo" || exit 1
		shim git git cat-file -p HEAD:big.txt | cmp -s - "$BIG" &&
			shim git git repack -adq
	) 2>> "$T/git.err"
	result $? "git reads its objects and repacks under the preload"
	git -C "$T/repo" fsck --full --strict > /dev/null 2>&1
	result $? "stock git fsck --full --strict after the repack"
	used_device git
}

# ---- rsync -z: over a pipe, both ends under the preload ----
prog_rsync() {
	cat > "$T/rsh" <<'EOF'
#!/bin/sh
# a remote shell that runs the command here: rsync -e
shift
exec "$@"
EOF
	chmod +x "$T/rsh"
	# whole files with zlib; then, for both, a run that sends differences
	# (matched blocks and literal data; zlibx does not feed the matched data
	# to deflate)
	shim rsync rsync -a -z --compress-choice=zlib -e "$T/rsh" \
		"$T/src/" "remote:$T/rsync-zlib/"
	r=$?
	diff -r "$T/src" "$T/rsync-zlib" > /dev/null
	result $((r + $?)) "rsync -z --compress-choice=zlib: whole files"
	cp -a "$T/rsync-zlib" "$T/rsync-zlibx"
	for choice in zlib zlibx; do
		for f in "$T/src/big.txt" "$T/src/file03.log"; do
			printf 'x%.0s' $(seq 1 200) >> "$f"
		done
		shim rsync rsync -a -z --no-whole-file --compress-choice=$choice \
			-e "$T/rsh" "$T/src/" "remote:$T/rsync-$choice/"
		r=$?
		diff -r "$T/src" "$T/rsync-$choice" > /dev/null
		result $((r + $?)) "rsync -z --compress-choice=$choice: differences"
	done
	grep -v '^lib' "$T/rsync.err" | sed 's/^/# /' | head -10
	used_device rsync
}

# ---- curl --compressed against a local server ----
prog_curl() {
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	port=$(cat "$T/port" 2>/dev/null)
	for req in gzip/big.txt deflate/file09.bin; do
		f=${req#*/}
		shim curl curl -sS --compressed -o "$T/curl.out" \
			"http://127.0.0.1:$port/$req"
		r=$?
		cmp -s "$T/curl.out" "$T/src/$f"
		result $((r + $?)) "curl --compressed, Content-Encoding ${req%/*}: $f"
	done
	kill "$srv_pid" 2>/dev/null
	srv_pid=
	report curl
	named curl "Z_BLOCK"
}

# ---- pigz: default (preset dictionaries) and -i (independent blocks) ----
prog_pigz() {
	for mode in default -i; do
		opt=
		[ "$mode" = -i ] && opt=-i
		name=pigz$opt
		shim "$name" pigz -b 32 -c $opt "$BIG" > "$T/$name.gz"
		r=$?
		gzip -t "$T/$name.gz" && pigz -dc "$T/$name.gz" | cmp -s - "$BIG"
		result $((r + $?)) "pigz $mode: stock gzip -t and pigz -d accept it"
		shim "$name" pigz -dc "$T/$name.gz" | cmp -s - "$BIG"
		result $? "pigz $mode: pigz -d under the preload"
	done
	# pigz's default mode gives each block the last 32 KiB as a dictionary:
	# the device takes it as history (raw deflate)
	used_device pigz
	used_device pigz-i
}

# ---- Python's zlib and gzip ----
prog_python() {
	cat > "$T/py.py" <<'EOF'
import gzip, io, random, sys, zlib
out = sys.argv[1]
r = random.Random(5)
text = b"".join(b"%d python zlib gzip %s\n" % (i, b"x" * (i % 50))
                for i in range(2000))
rand = r.randbytes(20000)
for data in (text, rand, b"", b"a"):
    for level in (1, 6, 9):
        c = zlib.compress(data, level)
        assert zlib.decompress(c) == data
    for wbits in (15, -15, 31):
        co = zlib.compressobj(6, zlib.DEFLATED, wbits)
        parts = []
        for i in range(0, len(data), 17000):
            parts.append(co.compress(data[i:i + 17000]))
            parts.append(co.flush(zlib.Z_SYNC_FLUSH))
        parts.append(co.flush())
        c = b"".join(parts)
        do = zlib.decompressobj(wbits)
        got, buf = [], c
        while buf:
            got.append(do.decompress(buf, 10000))
            buf = do.unconsumed_tail
        got.append(do.flush())
        assert b"".join(got) == data, wbits
    assert gzip.decompress(gzip.compress(data)) == data
bio = io.BytesIO()
with gzip.GzipFile(fileobj=bio, mode="wb") as g:
    for i in range(0, len(text), 3000):
        g.write(text[i:i + 3000])
with gzip.GzipFile(fileobj=io.BytesIO(bio.getvalue())) as g:
    assert g.read() == text
open(out + ".z", "wb").write(zlib.compress(text))
open(out + ".gz", "wb").write(gzip.compress(text))
open(out + ".txt", "wb").write(text)
EOF
	shim python python3 "$T/py.py" "$T/py"
	result $? "Python's zlib and gzip modules: round trips, flushes, errors"
	python3 -c 'import sys, zlib, gzip; t = open(sys.argv[1] + ".txt", "rb").read(); assert zlib.decompress(open(sys.argv[1] + ".z", "rb").read()) == t; assert gzip.decompress(open(sys.argv[1] + ".gz", "rb").read()) == t' "$T/py"
	result $? "Python's output read by the stock zlib"
	# damaged zlib streams (made by the stock zlib): the same errors
	cat > "$T/bad.py" <<'EOF'
import sys, zlib
text = b"".join(b"%d damaged %s\n" % (i, b"y" * (i % 40)) for i in range(3000))
if sys.argv[1] == "make":
    for k, at in enumerate((0, 1, 2, 40, 200, 3000, -3)):
        c = bytearray(zlib.compress(text))
        c[at] ^= 0x5a
        open("%s.%d" % (sys.argv[2], k), "wb").write(c)
    sys.exit(0)
for k in range(7):
    c = open("%s.%d" % (sys.argv[2], k), "rb").read()
    try:
        zlib.decompress(c)
        print("accepted")
    except zlib.error as e:
        print(e)
    d = zlib.decompressobj()
    try:
        out = d.decompress(c, 5000)
        print(len(out), len(d.unconsumed_tail))
    except zlib.error as e:
        print(e)
EOF
	python3 "$T/bad.py" make "$T/bad"
	python3 "$T/bad.py" read "$T/bad" > "$T/bad.stock"
	shim python python3 "$T/bad.py" read "$T/bad" > "$T/bad.shim"
	diff "$T/bad.stock" "$T/bad.shim" > "$T/bad.diff"
	result $? "Python: damaged input gets zlib's errors under the preload"
	sed 's/^/# /' "$T/bad.diff" "$T/bad.shim" | head -16
	used_device python
}

# ---- zlib-flate (qpdf) ----
prog_zlib_flate() {
	shim zlib-flate zlib-flate -compress < "$BIG" > "$T/flate.z"
	r=$?
	zlib-flate -uncompress < "$T/flate.z" | cmp -s - "$BIG"
	result $((r + $?)) "zlib-flate -compress: stock zlib-flate reads it"
	zlib-flate -compress=9 < "$BIG" > "$T/flate9.z"
	shim zlib-flate zlib-flate -uncompress < "$T/flate9.z" | cmp -s - "$BIG"
	result $? "zlib-flate -uncompress under the preload"
	used_device zlib-flate
}

case " $progs " in
*" curl "*) start_server ;;
esac
for p in $progs; do
	case $p in
	zlib-flate) prog_zlib_flate ;;
	*) prog_$p ;;
	esac
done
done_tap
