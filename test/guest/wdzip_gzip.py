#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""wdzip against GNU gzip 1.12 (TAP; test/plan: wdzip_gzip*).

First the two read each other's files, at every level, and wdzip -v says
which path ran.  Then case by case both programs run the same command on
the same inputs, each in a fresh directory, with standard input /dev/null,
and must agree on the exit status, the messages (wdzip's program name read
as gzip's, and without wdzip's path note of -v), the bytes on standard
output and the files left behind: names, types, modes, link counts,
modification times, link targets, contents.  Where the output is gzip
data, every member's header (flags, time, extra flags, OS, name) and
trailer (CRC, length) must be the same bytes and the data must decompress
to the same bytes; only the deflate streams may differ.  Then: signals in
the middle of a file, and wdzip's own --progress and terminal checks.

    wdzip_gzip.py WDZIP

With EXPECT_PATH=accelerator (the guest, on vzip) only the cases in which
data goes through libwarpdrive run: the others exercise wdzip's own logic,
the same on either path, and run on the host.  Every process costs a few
tenths of a second in the guest, so each case starts as few as it can and
the two programs run side by side.
"""
import atexit
import hashlib
import os
import pty
import re
import shlex
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

WDZIP = os.path.abspath(sys.argv[1])
n = 0
failed = 0
EXPECT = os.environ.get("EXPECT_PATH", "")
GUEST = EXPECT == "accelerator"

ENV = dict(os.environ, TZ="UTC", LC_ALL="C")
ENV.pop("GZIP", None)

T0 = 1600000000         # the inputs' time
T_SETUP = 1650000000    # what a case's set-up makes itself


_ok_lock = threading.Lock()


def ok(good, what, detail=()):
    with _ok_lock:
        _ok(good, what, detail)


def _ok(good, what, detail):
    global n, failed
    n += 1
    if not good:
        failed += 1
    print("%s %d %s" % ("ok" if good else "not ok", n, what))
    for line in detail if not good else ():
        print("# " + line)
    sys.stdout.flush()


# ---- inputs ----

tmp = tempfile.mkdtemp(prefix="wdzip-gzip.")
atexit.register(shutil.rmtree, tmp, ignore_errors=True)
src = os.path.join(tmp, "src")
os.mkdir(src)


def put(name, data, mtime=T0):
    path = os.path.join(src, name)
    with open(path, "wb") as f:
        f.write(data)
    os.utime(path, (mtime, mtime))


def gzip_of(name, *opts):
    return subprocess.run(["gzip", "-c", *opts, name], cwd=src, env=ENV,
                          stdout=subprocess.PIPE, check=True).stdout


text = b"".join(b"%d the queue of the accelerator and its ring\n" % i
                for i in range(1, 3001))
put("text", text)
put("b", b"hello\n")
put("empty", b"")
put("one", b"x")
put("plain", b"plain text, not compressed\n")
put("plain.gz", b"plain text, not compressed\n")
put("rnd", os.urandom(20000))
text_gz, b_gz, empty_gz = gzip_of("text"), gzip_of("b"), gzip_of("empty")
put("text.gz", text_gz)
put("b.gz", b_gz)
put("empty.gz", empty_gz)
put("renamed.gz", text_gz, 1700000000)
put("nn.gz", gzip_of("text", "-n"), 1700000000)
put("m.gz", text_gz + b_gz)
put("garbage.gz", text_gz + b"junk\n")
put("zeros.gz", b_gz + b"\0" * 5)
put("onebyte.gz", b_gz + b"x")
put("crc.gz", b_gz[:-8] + b"\0\0\0\0" + b_gz[-4:])
put("len.gz", b_gz[:-4] + b"\7" + b_gz[-3:])
put("crclen.gz", b_gz[:-8] + b"\0\0\0\0\7" + b_gz[-3:])
put("trunc.gz", text_gz[:1000])
put("hdrtrunc.gz", text_gz[:5])
put("trailtrunc.gz", b_gz[:-3])
HDR = b"\x1f\x8b\x08\x00\0\0\0\0\x00\x03"
put("badblock.gz", HDR + b"\x07" + b"\0" * 9)  # block type 3
put("method.gz", b"\x1f\x8b\x07" + HDR[3:] + b"\x03\0" + b"\0" * 8)
put("encrypted.gz", HDR[:3] + b"\x20" + HDR[4:] + b"\x03\0" + b"\0" * 8)
put("flags.gz", HDR[:3] + b"\x40" + HDR[4:] + b"\x03\0" + b"\0" * 8)


def member(data, flags, extra=b"", name=b"", comment=b"", badcrc=False):
    """A gzip member with the header fields gzip itself never writes."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    h = b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", 1500000000)
    h += b"\x00\x03"
    if flags & 4:
        h += struct.pack("<H", len(extra)) + extra
    if flags & 8:
        h += name + b"\0"
    if flags & 16:
        h += comment + b"\0"
    if flags & 2:
        h += struct.pack("<H", (zlib.crc32(h) & 0xffff) ^ (1 if badcrc else 0))
    return (h + c.compress(data) + c.flush() +
            struct.pack("<II", zlib.crc32(data), len(data)))


fields = b"header fields\n" * 50
put("fields.gz", member(fields, 4 | 8 | 16 | 2, b"AB\x04\x00wxyz",
                        b"dir/stored", b"a comment"))
put("hcrc.gz", member(fields, 2))
put("badhcrc.gz", member(fields, 2 | 8, name=b"x", badcrc=True))
os.symlink(WDZIP, os.path.join(tmp, "wdzcat"))


# ---- wdzip and gzip read each other's files ----

def call(argv, d, data=None, stdin=subprocess.DEVNULL, env=ENV):
    return subprocess.run(argv, cwd=d, env=env, input=data,
                          stdin=None if data is not None else stdin,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def gunzip(data):
    """The data of every member, or None."""
    m = members(data)
    return m[1] if m else None


def interop():
    io = os.path.join(tmp, "io")
    big = b"".join(b"%d the queue of the accelerator and its ring\n" % i
                   for i in range(1, 25001))  # 1.1 MB: more than a chunk
    files = {"text": big, "random": os.urandom(1100000), "empty": b"",
             "one": b"x", "small": big[:65536]}
    names = list(files)
    for sub in ("w", "g"):
        os.makedirs(os.path.join(io, sub))
        for name, data in files.items():
            with open(os.path.join(io, sub, name), "wb") as f:
                f.write(data)
    w = os.path.join(io, "w")
    g = os.path.join(io, "g")

    def one_way(writer, reader, d, what):
        """writer -k compresses every file in d, reader -d gets them back"""
        rw = call([writer, "-k"] + names, d)
        for name in names:
            os.unlink(os.path.join(d, name))
        rr = call([reader, "-d"] + [x + ".gz" for x in names], d)
        for name in names:
            path = os.path.join(d, name)
            good = rw.returncode == 0 and os.path.exists(path)
            if good:
                with open(path, "rb") as f:
                    good = f.read() == files[name]
            ok(good and rr.returncode == 0, what % name,
               [repr(rw.stderr), repr(rr.stderr)])

    # wdzip writes, gzip reads (and checks CRC and length), and back
    one_way(WDZIP, "gzip", w,
            "gzip -d reads what wdzip wrote, CRC and length right (%s)")
    one_way("gzip", WDZIP, g, "wdzip -d reads what gzip wrote (%s)")

    # every level; gzip checks them all at once
    levels = []
    for level in range(1, 10):
        r = call([WDZIP, "-%d" % level, "-c", "small"], w)
        levels.append("small.%d.gz" % level)
        with open(os.path.join(w, levels[-1]), "wb") as f:
            f.write(r.stdout)
        xfl = 4 if level == 1 else 2 if level == 9 else 0
        ok(r.returncode == 0 and gunzip(r.stdout) == files["small"] and
           r.stdout[8] == xfl, "wdzip -%d: the data, and gzip's extra flags"
           % level, [repr(r.stderr)])
    r = call(["gzip", "-t"] + levels, w)
    ok(r.returncode == 0, "gzip -t accepts every level", [repr(r.stderr)])

    # pipes
    with open(os.path.join(w, "small"), "wb") as f:
        f.write(files["small"])
    with open(os.path.join(w, "small"), "rb") as f:
        r = call([WDZIP], w, stdin=f)
    r2 = call(["gzip", "-dc"], w, data=r.stdout)
    ok(r.returncode == 0 and r2.returncode == 0 and
       r2.stdout == files["small"], "standard input to standard output",
       [repr(r.stderr), repr(r2.stderr)])
    r = call([WDZIP, "-9"], w, data=big)
    r2 = call([WDZIP, "-d"], w, data=r.stdout)
    ok(r.returncode == 0 and r2.returncode == 0 and r2.stdout == big,
       "a pipe through wdzip and back", [repr(r.stderr), repr(r2.stderr)])

    # random damage in the middle of a large file: -t says so, exit 1
    data = bytearray(call([WDZIP, "-c", "text"], w).stdout)
    mid = len(data) // 2
    data[mid:mid + 64] = os.urandom(64)
    with open(os.path.join(w, "damaged.gz"), "wb") as f:
        f.write(data)
    r = call([WDZIP, "-t", "damaged.gz"], w)
    ok(r.returncode == 1, "random damage: -t fails with exit 1 (got %d)" %
       r.returncode, [repr(r.stderr)])

    # -v: the ratio and which path ran
    r = call([WDZIP, "-v", "-c", "small"], w)
    err = r.stderr.decode(errors="replace").strip()
    ok(re.search(r"%.*\((accelerator vzip-[0-9]+|software: [a-z-]+)\)",
                 err) is not None,
       "-v reports the ratio and the path: " + err)
    if EXPECT in ("accelerator", "software"):
        ok("(" + EXPECT in err, "the path is the " + EXPECT)
    if GUEST:
        # policy auto too: wdzip's buffers never keep it off the device
        env = dict(ENV, WD_POLICY="auto", WD_SW_THRESHOLD="0")
        r = call([WDZIP, "-v", "-c", "small"], w, env=env)
        err = r.stderr.decode(errors="replace").strip()
        ok(r.returncode == 0 and "(accelerator" in err,
           "policy auto runs on the accelerator too: " + err)
    r = call([WDZIP, "-dv", "-c", "small.6.gz"], w)
    err = r.stderr.decode(errors="replace").strip()
    ok(r.returncode == 0 and "%" in err, "-dv reports too: " + err)
    shutil.rmtree(io)


# ---- a case ----

def setup(d, script):
    """Prepares directory d: a few shell-like commands, ';'-separated.

    cp F...       copy from the inputs, with their times
    chmod M F     ln [-s] A B     mkdir [-p] D     mv A B     mkfifo F
    write F TEXT  concat F INPUTS...   wdzip ARGS... (wdzip, for both)
    """
    # (file times come from a coarse clock, a little behind time.time())
    made_before = time.time() - 1
    for cmd in filter(None, (c.strip() for c in script.split(";"))):
        a = shlex.split(cmd)
        p = lambda x: os.path.join(d, x)
        if a[0] == "cp":
            for f in a[1:]:
                shutil.copy2(os.path.join(src, f), p(os.path.basename(f)))
        elif a[0] == "chmod":
            os.chmod(p(a[2]), int(a[1], 8))
        elif a[0] == "ln" and a[1] == "-s":
            os.symlink(a[2], p(a[3]))
        elif a[0] == "ln":
            os.link(p(a[1]), p(a[2]))
        elif a[0] == "mkdir":
            os.makedirs(p(a[-1]), exist_ok=True)
        elif a[0] == "mv":
            os.rename(p(a[1]), p(a[2]))
        elif a[0] == "concat":
            with open(p(a[1]), "wb") as out:
                for f in a[2:]:
                    with open(os.path.join(src, f), "rb") as inp:
                        out.write(inp.read())
        elif a[0] == "mkfifo":
            os.mkfifo(p(a[1]))
        elif a[0] == "write":
            with open(p(a[1]), "w") as f:
                f.write(a[2] + "\n")
        elif a[0] == "wdzip":
            subprocess.run([WDZIP] + a[1:], cwd=d, env=ENV, check=True)
        elif a[0] == "touch":
            t = int(a[1].lstrip("@"))
            os.utime(p(a[2]), (t, t))
        else:
            raise ValueError("set-up: " + cmd)
    # what the set-up made itself gets the same time on both sides
    for root, dirs, files in os.walk(d):
        for x in dirs + files:
            path = os.path.join(root, x)
            if os.lstat(path).st_mtime > made_before:
                os.utime(path, (T_SETUP, T_SETUP), follow_symlinks=False)


def state(d):
    """Every entry under d: type, mode, links, time, target, contents."""
    out = {}
    for root, dirs, files in os.walk(d):
        for x in sorted(dirs + files):
            path = os.path.join(root, x)
            rel = os.path.relpath(path, d)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", oct(st.st_mode & 0o7777))
            else:
                data = None
                if stat.S_ISREG(st.st_mode):
                    with open(path, "rb") as f:
                        data = f.read()
                out[rel] = ("file" if data is not None else "special",
                            oct(st.st_mode & 0o7777), st.st_nlink,
                            st.st_mtime_ns, data)
    return out


def members(data):
    """(header through the name, trailer) of each member, and the data."""
    heads, out = [], b""
    while data:
        if data[:2] != b"\x1f\x8b" or len(data) < 18:
            return None
        end = 10
        if data[3] & 4:
            end += 2 + struct.unpack("<H", data[10:12])[0]
        for flag in (8, 16):    # name, comment
            if data[3] & flag:
                end = data.find(b"\0", end) + 1
                if not end:
                    return None
        if data[3] & 2:
            end += 2
        d = zlib.decompressobj(-15)
        try:
            out += d.decompress(data[end:])
        except zlib.error:
            return None
        if not d.eof:
            return None
        rest = d.unused_data
        heads.append((data[:end], rest[:8]))
        data = rest[8:]
    return heads, out


def gz_same(a, b):
    """Same gzip data but for the deflate streams?"""
    if a == b:
        return True
    ma, mb = members(a), members(b)
    return ma is not None and ma == mb


def gz_diff(a, b):
    """Where two outputs differ, for the log."""
    ma, mb = members(a), members(b)
    if ma is None or mb is None:
        return ["%d bytes, gzip's %d; gzip data: %s, gzip's %s" %
                (len(b), len(a), mb is not None, ma is not None)]
    for i, (x, y) in enumerate(zip(ma[0], mb[0])):
        if x != y:
            return ["member %d: header+trailer %s, gzip's %s" %
                    (i, y[0].hex() + "+" + y[1].hex(),
                     x[0].hex() + "+" + x[1].hex())]
    return ["%d members, gzip's %d; data %s" %
            (len(mb[0]), len(ma[0]), "same" if ma[1] == mb[1] else "differs")]


def norm(err, ratios):
    err = re.sub(rb"\bwdz(ip|cat)\b", b"gzip", err)
    err = re.sub(rb" \((accelerator|software:) [^)]*\)", b"", err)
    if ratios:
        err = re.sub(rb"-?[0-9]+\.[0-9]%", b"N%", err)
    return err


SHELL = re.compile(r"[|;<>&$`()*?]")


def parse_step(step):
    """A command of a case, if it needs no shell: 'A', 'A < F',
    'cat F | A', 'echo rc=$?'.  (argv, stdin file, piped file) or None."""
    if step == "echo rc=$?":
        return "rc", None, None
    piped = None
    m = re.fullmatch(r"cat (\S+) \| (.*)", step)
    if m:
        piped, step = m.group(1), m.group(2)
    stdin = None
    m = re.fullmatch(r"(.*?) < (\S+)", step)
    if m:
        step, stdin = m.group(1), m.group(2)
    if SHELL.search(step.replace("'", "")):
        return None
    return shlex.split(step), stdin, piped


def run(cmd, d, prog, zcat):
    c = cmd.replace("$ZCAT", shlex.quote(zcat)).replace("$Z",
                                                         shlex.quote(prog))
    steps = [parse_step(x.strip()) for x in c.split(";")]
    if "(" in c or None in steps:
        r = subprocess.run(["sh", "-c", c], cwd=d, env=ENV,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        return r.returncode, r.stdout, r.stderr
    rc, out, err = 0, b"", b""
    for argv, stdin, piped in steps:
        if argv == "rc":
            out += b"rc=%d\n" % rc
            continue
        feed = None
        if piped:
            with open(os.path.join(d, piped), "rb") as f:
                feed = f.read()
        inp = open(os.path.join(d, stdin), "rb") if stdin else None
        r = subprocess.run(argv, cwd=d, env=ENV, input=feed,
                           stdin=inp if inp else
                           None if feed is not None else subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if inp:
            inp.close()
        rc, out, err = r.returncode, out + r.stdout, err + r.stderr
    return rc, out, err


def both(what, prep, cmd, ratios=False, out=True, dev=False):
    """The case: cmd ($Z, $ZCAT) run by gzip and by wdzip, compared.

    ratios: compression ratios may differ (the deflate data does);
    out: compare standard output (not when it is cut short by an error);
    dev: data goes through libwarpdrive (else the case runs on the host
    only).
    """
    if GUEST and not dev:
        return
    res = {}

    def side(tool, prog, zcat):
        d = os.path.join(tmp, tool)
        shutil.rmtree(d, ignore_errors=True)
        os.mkdir(d)
        setup(d, prep)
        rc, so, se = run(cmd, d, prog, zcat)
        res[tool] = (rc, so, norm(se, ratios), state(d))
    t = threading.Thread(target=side, args=("gzip", "gzip", "zcat"))
    t.start()
    side("wdzip", WDZIP, os.path.join(tmp, "wdzcat"))
    t.join()
    g, w = res["gzip"], res["wdzip"]
    why, detail = [], []
    if g[0] != w[0]:
        why.append("exit status %d, gzip's %d" % (w[0], g[0]))
    if g[2] != w[2]:
        why.append("messages")
        detail += ["gzip:  " + l for l in g[2].decode(errors="replace").splitlines()]
        detail += ["wdzip: " + l for l in w[2].decode(errors="replace").splitlines()]
    if out and not gz_same(g[1], w[1]):
        why.append("standard output")
        detail += gz_diff(g[1], w[1])
    gs, ws = g[3], w[3]
    for name in sorted(set(gs) | set(ws)):
        a, b = gs.get(name), ws.get(name)
        if a == b:
            continue
        if (a and b and a[0] == b[0] == "file" and a[:4] == b[:4] and
                gz_same(a[4], b[4])):
            continue
        why.append("file " + name)
        detail.append("%s: gzip %s, wdzip %s" %
                      (name, a[:4] if a else None, b[:4] if b else None))
        if a and b and a[0] == b[0] == "file":
            detail += gz_diff(a[4], b[4])
    ok(not why, what + (": " + ", ".join(why) + " differ" if why else ""),
       detail)


interop()

# ---- compression: the header gzip writes ----
both("compress in place: name and time stored, mode and times kept",
     "cp text; chmod 640 text", "$Z text", dev=True)
both("-n: neither name nor time stored", "cp text", "$Z -n text", dev=True)
both("-N: name and time stored, as by default", "cp text", "$Z -N text")
both("-c FILE stores the name and time", "cp text", "$Z -c text", dev=True)
both("-nc: neither", "cp text", "$Z -nc text")
both("standard input from a file: its time, no name", "cp text",
     "$Z < text", dev=True)
both("standard input from a pipe: no time, no name", "cp text",
     "cat text | $Z", dev=True)
both("-1 marks the extra flags", "cp b", "$Z -1 -c b", dev=True)
both("-9 marks the extra flags", "cp b", "$Z -9 -c b", dev=True)
both("standard input after a file is named stdin", "cp b",
     "$Z -c b - < b")
both("a time of 0: warning, exit 2", "cp b; touch @0 b", "$Z b")
both("a time after 2106: warning, exit 2", "cp b; touch @7258118400 b",
     "$Z -c b")
both("the empty file", "cp empty", "$Z empty", dev=True)
both("random data", "cp rnd", "$Z rnd", dev=True)
both("-v: replaced with", "cp text", "$Z -v text", ratios=True)
both("-kv: created", "cp text", "$Z -kv text", ratios=True)
both("-v on standard input", "cp text", "$Z -v < text", ratios=True)
both("-cv: replaced with stdout", "cp text", "$Z -cv text", ratios=True)
both("a .gz file is left alone, exit 0", "cp b.gz", "$Z b.gz")
both("-f compresses a .gz file again", "cp b.gz", "$Z -f b.gz")
both("other suffixes are left alone too",
     "cp b; ln b x.tgz; ln b y-z; ln b z_Z", "$Z -f x.tgz y-z z_Z b")
both("existing output: not overwritten, exit 2",
     "cp text; write text.gz old", "$Z text")
both("-f replaces it with a new file",
     "cp text; write text.gz old; ln text.gz other", "$Z -f text")
both("-S uses another suffix", "cp b text", "$Z -S .z b; $Z -S _x -k text")
both("-S with an empty suffix is refused", "cp b", "$Z -S '' b")
both("several files, one missing: exit 1, the others done", "cp b text",
     "$Z b missing text")
both("a directory: ignored, exit 2", "mkdir d", "$Z d")
both("a FIFO: ignored, exit 2", "mkfifo p", "$Z p")
both("options gzip refuses", "cp b",
     "$Z -x b; echo rc=$?; $Z --frobnicate b; echo rc=$?; $Z -S")

# ---- gzip's refusals without -f ----
both("a symbolic link is refused", "cp text; ln -s text sl", "$Z sl")
both("-f follows it", "cp text; ln -s text sl", "$Z -f sl")
both("-c reads through it", "cp text; ln -s text sl", "$Z -c sl")
both("a file with two hard links is refused", "cp text; ln text hl",
     "$Z hl")
both("three hard links: two other links", "cp text; ln text h1; ln text h2",
     "$Z h1")
both("-f compresses it", "cp text; ln text hl", "$Z -f hl")
both("a set-user-ID file is refused, even with -f", "cp b; chmod 4755 b",
     "$Z b; echo rc=$?; $Z -f b")
both("a set-group-ID file is refused, even with -f", "cp b; chmod 2755 b",
     "$Z b; echo rc=$?; $Z -f b")
both("a sticky file is refused", "cp b; chmod 1644 b", "$Z b")
both("-f compresses it, without the sticky bit", "cp b; chmod 1644 b",
     "$Z -f b")
both("-c compresses them all",
     "cp b text; chmod 4755 b; ln text hl; ln -s b sl", "$Z -c b hl sl")
both("decompression refuses links and set-ID files too",
     "cp b.gz text.gz; ln -s b.gz l.gz; chmod 6644 b.gz; ln text.gz h.gz",
     "$Z -d l.gz b.gz h.gz")

# ---- decompression: names and times ----
both("-d: the name from the file, the time of the .gz file",
     "cp renamed.gz", "$Z -d renamed.gz", dev=True)
both("-dN: the name and time from the header", "cp renamed.gz",
     "$Z -dN renamed.gz", dev=True)
both("-dN without a stored name or time", "cp nn.gz", "$Z -dN nn.gz")
both("-dNc writes to standard output", "cp renamed.gz", "$Z -dNc renamed.gz")
both("-dN: a stored path is reduced to its base name", "cp fields.gz",
     "$Z -dN fields.gz")
both("-d FILE finds FILE.gz", "cp text.gz", "$Z -d text")
both("-d of .tgz makes .tar; other suffixes",
     "cp b.gz; mv b.gz x.tgz; cp b.gz; mv b.gz y-z; cp b.gz; mv b.gz w.Z",
     "$Z -d x.tgz y-z w.Z")
both("-d of an unknown suffix: exit 2", "cp b.gz; mv b.gz b.zip",
     "$Z -d b.zip")
both("-d with -S", "cp b.gz; mv b.gz b.bz", "$Z -d -S .bz b.bz")
both("-dv", "cp text.gz", "$Z -dv text.gz", dev=True)
both("-dkv keeps the input", "cp text.gz", "$Z -dkv text.gz")
both("-d: existing output, exit 2", "cp b.gz; write b old", "$Z -d b.gz")
both("-dc of several files", "cp text.gz b.gz", "$Z -dc text.gz b.gz", dev=True)
both("-tv", "cp text.gz b.gz m.gz", "$Z -tv text.gz b.gz m.gz", dev=True)
both("multi-member input", "cp m.gz", "$Z -dv m.gz", dev=True)
both("standard input", "cp text.gz", "$Z -d < text.gz", dev=True)
both("standard input, -dc -", "cp m.gz", "$Z -dc - < m.gz")
both("wdzcat as zcat", "cp text.gz b.gz", "$ZCAT text.gz b.gz")
both("extra field, comment and header CRC", "cp fields.gz hcrc.gz",
     "$Z -dcv fields.gz hcrc.gz", dev=True)

# ---- damaged input: gzip's messages and exit codes ----
both("a bad CRC: the output is removed, exit 1", "cp crc.gz", "$Z -d crc.gz", dev=True)
both("a bad CRC with -c", "cp crc.gz", "$Z -dc crc.gz")
both("a bad length", "cp len.gz", "$Z -d len.gz", dev=True)
both("a bad CRC and length: both said", "cp crclen.gz", "$Z -t crclen.gz")
both("-t goes on after a bad CRC", "cp crc.gz b.gz", "$Z -tv crc.gz b.gz", dev=True)
both("-d stops at the first damaged file", "cp crc.gz text.gz",
     "$Z -d crc.gz text.gz")
both("empty input: the run ends", "cp empty b.gz; mv empty e.gz",
     "$Z -d e.gz b.gz")
both("empty input with -t", "cp empty; mv empty e.gz", "$Z -t e.gz")
both("empty standard input", "", "$Z -dc")
both("truncated data", "cp trunc.gz", "$Z -d trunc.gz", out=False, dev=True)
both("truncated data with -c", "cp trunc.gz", "$Z -dc trunc.gz", out=False)
both("a truncated header", "cp hdrtrunc.gz", "$Z -t hdrtrunc.gz")
both("a truncated trailer", "cp trailtrunc.gz", "$Z -dc trailtrunc.gz",
     out=False, dev=True)
both("trailing garbage with -c: data out, warning, exit 2",
     "cp garbage.gz", "$Z -dc garbage.gz", dev=True)
both("trailing garbage: the output stays, exit 2", "cp garbage.gz",
     "$Z -d garbage.gz")
both("trailing zeros are ignored", "cp zeros.gz", "$Z -dc zeros.gz", dev=True)
both("trailing zeros with -v: a warning", "cp zeros.gz", "$Z -dcv zeros.gz")
both("one byte after the member: unexpected end", "cp onebyte.gz",
     "$Z -dc onebyte.gz", dev=True)
both("an invalid block: format violated, the run ends",
     "cp badblock.gz b.gz", "$Z -d badblock.gz b.gz", dev=True)
both("not gzip: exit 1, the next file is done", "cp plain.gz b.gz",
     "$Z -d plain.gz b.gz")
both("not gzip on standard input", "cp plain", "$Z -d < plain")
both("unknown method, encryption, reserved flags",
     "cp method.gz encrypted.gz flags.gz",
     "$Z -t method.gz encrypted.gz flags.gz")
both("a bad header CRC", "cp badhcrc.gz", "$Z -t badhcrc.gz")
both("a bad second member: the input goes, the output stays",
     "concat m.gz b.gz method.gz", "$Z -d m.gz")
both("with -k the output goes", "concat m.gz b.gz method.gz", "$Z -dk m.gz")
both("a closed pipe: killed by SIGPIPE", "cp text.gz",
     "($Z -dc text.gz; echo rc=$? >&2) | head -c 10", dev=True)
both("a closed pipe with -q: exit 2", "cp text.gz",
     "($Z -dcq text.gz; echo rc=$? >&2) | head -c 10")
both("a missing file", "", "$Z -d missing.gz")

# ---- -f with -c: data that is not gzip passes through ----
both("-dcf passes plain data through", "cp plain", "$Z -dcf plain")
both("-dcf: compressed and plain files in a row", "cp b.gz plain text.gz",
     "$Z -dcf b.gz plain text.gz", dev=True)
both("-dcf: what follows a member is copied", "cp garbage.gz zeros.gz",
     "$Z -dcf garbage.gz zeros.gz", dev=True)
both("-dcf: empty and one-byte files", "cp empty one", "$Z -dcf empty one")
both("-dcf from a pipe", "cp plain", "cat plain | $Z -dcf")
both("zcat -f", "cp plain b.gz", "$ZCAT -f plain b.gz")
both("-df to a file does not pass through", "cp plain.gz", "$Z -df plain.gz")
both("-tf of plain data", "cp plain", "$Z -tf plain")

# ---- -l ----
both("-l", "cp text.gz", "$Z -l text.gz", dev=True)
both("-l of several files: totals", "cp text.gz b.gz empty.gz",
     "$Z -l text.gz b.gz empty.gz", dev=True)
both("-lv", "cp text.gz b.gz renamed.gz", "$Z -lv text.gz b.gz renamed.gz", dev=True)
both("-lq", "cp text.gz b.gz", "$Z -lq text.gz b.gz")
both("-lN and -lvN show what the header says", "cp renamed.gz nn.gz",
     "$Z -lN renamed.gz nn.gz; $Z -lvN renamed.gz nn.gz")
both("-l of a multi-member file", "cp m.gz", "$Z -l m.gz", dev=True)
both("-l with trailing garbage or zeros", "cp garbage.gz zeros.gz b.gz",
     "$Z -l garbage.gz; echo rc=$?; $Z -lv zeros.gz; echo rc=$?; "
     "$Z -l zeros.gz b.gz")
both("-l of a file that is not gzip", "cp plain.gz text.gz",
     "$Z -l plain.gz text.gz; echo rc=$?; $Z -l text.gz plain.gz")
both("-l of a damaged file", "cp crc.gz b.gz", "$Z -l crc.gz b.gz", dev=True)
both("-l of standard input", "cp text.gz", "$Z -l < text.gz")
both("-l of a file without a suffix", "cp text.gz; mv text.gz noext",
     "$Z -l noext")
both("-l of wdzip's own files", "cp text b; wdzip text; wdzip -n b",
     "$Z -lv text.gz b.gz", dev=True)

# ---- -r ----
TREE = ("mkdir t/a/b; cp text b; mv text t/text; mv b t/b; cp text b; "
        "mv text t/a/b/c; mv b t/a/d; cp b.gz; mv b.gz t/a/done.gz")
both("-r compresses a tree", TREE, "$Z -r t", dev=True)
both("-rv also names what it leaves", TREE, "$Z -rv t", ratios=True)
both("-r refuses symbolic links inside", TREE + "; ln -s ../b t/a/sl",
     "$Z -r t")
both("-rf follows them", TREE + "; ln -s ../b t/a/sl", "$Z -rf t")
both("-rd decompresses it, silent about other files",
     TREE + "; wdzip -r t; write t/a/plain x", "$Z -rd t", dev=True)
both("-rl and -rt", TREE + "; wdzip -r t; write t/a/plain x",
     "$Z -rl t; $Z -rt t", dev=True)
both("-r with a directory name ending in /", TREE, "$Z -r t/")
both("-r of a file", "cp b", "$Z -r b")


# gzip 1.12 -k: a later file that ends the run also removes the output of
# the file before it; wdzip keeps it (Documentation/libwarpdrive.rst)
def keep_after_error():
    d = os.path.join(tmp, "wdzip")
    shutil.rmtree(d)
    os.mkdir(d)
    setup(d, "cp b.gz empty; mv empty e.gz")
    r = call([WDZIP, "-dk", "b.gz", "e.gz"], d)
    ok(r.returncode == 1 and sorted(os.listdir(d)) == ["b", "b.gz", "e.gz"],
       "-dk: a later file that ends the run leaves earlier outputs",
       [repr(r.stderr), repr(sorted(os.listdir(d)))])


if not GUEST:
    keep_after_error()


# ---- no partial output after a signal ----
#
# Each program is started on a large input, stopped once it has written
# some of its output, sent the signal and let go.  Both must die of the signal and
# leave no output, and the input as it was.

def killed(prog, sig, decompress):
    d = os.path.join(tmp, "k")
    shutil.rmtree(d, ignore_errors=True)
    os.mkdir(d)
    if decompress:
        shutil.copy2(os.path.join(tmp, "big.gz"), d)
        inp, out, flags = "big.gz", "big", ["-d"]
    else:
        with open(os.path.join(d, "big"), "wb") as f:
            f.write(big_head)
            f.truncate(1 << 30)     # sparse: no room taken
        os.utime(os.path.join(d, "big"), (T0, T0))
        inp, out, flags = "big", "big.gz", []
    with open(os.path.join(d, inp), "rb") as f:
        before = hashlib.md5(f.read(2 << 20)).hexdigest()
    size_before = os.stat(os.path.join(d, inp)).st_size

    def dfl():
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    p = subprocess.Popen([prog] + flags + [inp], cwd=d, env=ENV,
                         stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         preexec_fn=dfl)
    outp = os.path.join(d, out)
    deadline = time.time() + 60
    # past the header: compressed data is being written
    while p.poll() is None and time.time() < deadline:
        if os.path.exists(outp) and os.path.getsize(outp) > 4096:
            break
        time.sleep(0.005)
    mid = None
    if p.poll() is None:
        os.kill(p.pid, signal.SIGSTOP)
        mid = os.path.getsize(outp) if os.path.exists(outp) else 0
        os.kill(p.pid, sig)
        os.kill(p.pid, signal.SIGCONT)
    err = p.stderr.read()
    rc = p.wait()
    with open(os.path.join(d, inp), "rb") as f:
        intact = (hashlib.md5(f.read(2 << 20)).hexdigest() == before and
                  os.stat(os.path.join(d, inp)).st_size == size_before)
    return rc, mid, sorted(os.listdir(d)), intact, err


if EXPECT == "accelerator":
    nmembers = 256      # MiB to decompress: the guest's /tmp is its RAM
else:
    nmembers = 1024
big_head = os.urandom(1 << 20)
c = zlib.compressobj(1, zlib.DEFLATED, 31)
zeros_gz = c.compress(b"\0" * (1 << 20)) + c.flush()
with open(os.path.join(tmp, "big.gz"), "wb") as f:
    for _ in range(nmembers):
        f.write(zeros_gz)
os.utime(os.path.join(tmp, "big.gz"), (T0, T0))
for sig in (signal.SIGTERM, signal.SIGINT):
    for decompress in (False, True):
        g = killed("gzip", sig, decompress)
        w = killed(WDZIP, sig, decompress)
        want_left = ["big.gz"] if decompress else ["big"]
        good = (w[0] == g[0] == -sig and w[1] is not None and
                w[2] == g[2] == want_left and w[3] and g[3] and
                norm(w[4], False) == g[4])
        ok(good, "%s while %s: no output left, the input intact, as gzip "
           "(killed after %s output bytes)" %
           (sig.name, "decompressing" if decompress else "compressing",
            w[1]),
           ["gzip: status %d after %s bytes, left %s, intact %s, said %r" %
            g[:4] + (g[4],),
            "wdzip: status %d after %s bytes, left %s, intact %s, said %r" %
            w[:4] + (w[4],)] if not good else [])
os.unlink(os.path.join(tmp, "big.gz"))


# ---- terminals: --progress (wdzip's own), and what gzip refuses ----

def on_tty(argv, out_tty, stdin=subprocess.DEVNULL):
    """Runs argv with standard error (and output if out_tty) on a pty."""
    master, slave = pty.openpty()
    p = subprocess.Popen(argv, cwd=tmp, env=ENV, stdin=stdin,
                         stdout=slave if out_tty else subprocess.DEVNULL,
                         stderr=slave)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    os.close(master)
    return p.wait(), data


with open(os.path.join(tmp, "prog"), "wb") as f:
    f.write(b"\0" * (4 << 20))
rc, data = on_tty([WDZIP, "--progress", "-c", "prog"], False)
ok(rc == 0 and re.search(rb"\rprog +[0-9]+% \[", data) is not None,
   "--progress draws a progress line on a terminal", [repr(data[:200])])


def terminals():
    """The rest: wdzip's logic, the same on either path."""
    r = call([WDZIP, "--progress", "-c", "prog"], tmp)
    ok(r.returncode == 0 and not r.stderr,
       "--progress: nothing when standard error is not a terminal",
       [repr(r.stderr[:200])])
    rc, data = on_tty([WDZIP, "-c", "prog"], False)
    ok(rc == 0 and not data,
       "without --progress nothing on a terminal, as gzip", [repr(data[:200])])
    g = on_tty(["gzip"], True)
    w = on_tty([WDZIP], True)
    ok(g[0] == w[0] == 1 and norm(w[1], False) == g[1],
       "no compressed data to a terminal, as gzip", [repr(g), repr(w)])
    master, slave = pty.openpty()
    gz = call(["gzip", "-d"], tmp, stdin=slave)
    wz = call([WDZIP, "-d"], tmp, stdin=slave)
    os.close(master)
    os.close(slave)
    ok(gz.returncode == wz.returncode == 1 and
       norm(wz.stderr, False) == gz.stderr,
       "no compressed data from a terminal, as gzip",
       [repr(gz.stderr), repr(wz.stderr)])


if not GUEST:
    terminals()
print("1..%d" % n)
sys.exit(1 if failed else 0)
