#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host test of report.py: the harness must fail what it should fail.

Builds synthetic result directories (a passing run, a failing KUnit case,
a kernel WARNING inside a passing test, a crashed suite, a guest that
never finished, a kmemleak report, a TAP plan not met) and checks the
counts and the exit status report.py gives each. Prints TAP.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PLAN = 'host checkpatch - x\nkunit uacce_test uacce\n'

KUNIT_OK = """[    5.000000] wd-test: begin uacce_test
[    5.100000]     KTAP version 1
[    5.100001]     # Subtest: uacce_lifecycle
[    5.100002]     1..2
[    5.100003]     ok 1 open_release
[    5.100004]     ok 2 remove_with_open # SKIP no NUMA
[    5.100005] ok 1 uacce_lifecycle
[    5.200000] wd-test: end uacce_test
"""


def run(files):
    """Write files (path -> text) into a results dir, run report.py."""
    with tempfile.TemporaryDirectory() as d:
        for path, text in files.items():
            full = os.path.join(d, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, 'w') as f:
                f.write(text)
        with open(os.path.join(d, 'plan'), 'w') as f:
            f.write(PLAN)
        p = subprocess.run([sys.executable, os.path.join(HERE, 'report.py'), d,
                            os.path.join(d, 'plan')],
                           capture_output=True, text=True)
        last = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ''
        return p.returncode, last, p.stdout


def guest(dmesg, status='exit 0\n', gstatus='0\n', extra=None):
    files = {
        'guest/dmesg.txt': dmesg,
        'guest/guest-status': gstatus,
        'guest/console.log': 'boot\n',
        'guest/kmemleak.txt': '',
        'guest/tests/uacce_test.status': status,
    }
    files.update(extra or {})
    return files


cases = []


def case(name, files, rc, last):
    got_rc, got_last, out = run(files)
    ok = got_rc == rc and got_last == last
    cases.append((ok, name, '' if ok else
                  'want rc %d "%s", got rc %d "%s"\n%s' % (rc, last, got_rc, got_last, out)))


if True:
    case('passing run', guest(KUNIT_OK), 0,
         '5 passed, 0 failed, 1 skipped')
    case('failing KUnit case', guest(KUNIT_OK.replace('    ok 1 open_release', '    not ok 1 open_release')),
         1, '4 passed, 1 failed, 1 skipped')
    case('WARNING inside a passing test',
         guest(KUNIT_OK.replace('[    5.100004]', '[    5.100004] WARNING: CPU: 0 PID: 1 at uacce.c:10\n[    5.100004]')),
         1, '4 passed, 1 failed, 1 skipped')
    case('suite that never finished',
         guest('\n'.join(KUNIT_OK.splitlines()[:5] + ['[    6.0] wd-test: end uacce_test'])),
         1, '5 passed, 1 failed')
    case('guest that never finished', guest(KUNIT_OK, gstatus=''), 1,
         '4 passed, 1 failed, 1 skipped')
    f = guest(KUNIT_OK)
    f['guest/kmemleak.txt'] = 'unreferenced object 0xffff888005a87800 (size 1024):\n'
    case('kmemleak report', f, 1, '4 passed, 1 failed, 1 skipped')
    case('module that would not unload', guest(KUNIT_OK, status='exit 0\nunload-failed uacce\n'),
         1, '5 passed, 1 failed, 1 skipped')
    # a second guest side by side (check.sh) is a lane of its own
    f = guest(KUNIT_OK)
    f.update({'guest2/dmesg.txt': '[    1.0] WARNING: CPU: 1 PID: 9 at vzip.c:5\n',
              'guest2/guest-status': '0\n', 'guest2/console.log': 'boot\n',
              'guest2/kmemleak.txt': '', 'claims/uacce_test/.keep': ''})
    case('WARNING in the second guest, outside tests', f, 1,
         '7 passed, 1 failed, 1 skipped')
    f['guest2/dmesg.txt'] = '[    1.0] booted\n'
    case('two clean guests', f, 0, '8 passed, 0 failed, 1 skipped')

host = {'host/tests/checkpatch.status': 'exit 1\n',
        'host/tests/checkpatch.tap': '1..3\nok 1 a\nnot ok 2 b\n# WARNING: x\n'}
case('TAP plan not met and a failing case', host, 1, '1 passed, 2 failed')
host = {'host/tests/checkpatch.status': 'exit 2\n', 'host/tests/checkpatch.tap': 'ok 1 a\n1..1\n'}
case('non-zero exit with all cases passing', host, 1, '1 passed, 1 failed')

print('1..%d' % len(cases))
for i, (ok, name, detail) in enumerate(cases, 1):
    print('%sok %d %s' % ('' if ok else 'not ', i, name))
    for line in detail.splitlines():
        print('# ' + line)
sys.exit(0 if all(c[0] for c in cases) else 1)
