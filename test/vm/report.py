#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise a WarpDrive test run.

Usage: report.py RESULTS_DIR [PLAN]   (PLAN defaults to test/plan)

RESULTS_DIR holds, for each lane that ran (host, guest, guest2 ...,
stock, nested):
  <lane>/tests/<name>.status   "exit N", "load-failed M", "unload-failed M",
                               "seconds N" (shown on the test's line)
  <lane>/tests/<name>.tap      TAP output of a host or guest test
  <lane>/dmesg.txt             the guest's kernel log (KUnit KTAP, markers)
  <lane>/console.log           the guest's serial console
  <lane>/guest-status          the guest script's exit status
  <lane>/kmemleak.txt          kmemleak's report after the last test

Every KUnit case and every TAP case counts as one test. A kernel report
(warning, BUG, KASAN, lockdep, hung task, kmemleak) anywhere in a guest's
log fails the test that was running, or the lane when none was, whatever
the tests said. Prints the failures, a line per test, and last
"N passed, N failed[, N skipped]"; exits 1 when anything failed.
"""

import os
import re
import sys

KERNEL_REPORT = re.compile(
    r'(BUG:|WARNING:|KASAN:|UBSAN:|Oops|general protection fault|'
    r'kernel BUG at|possible circular locking|possible recursive locking|'
    r'inconsistent lock state|suspicious RCU usage|'
    r'sleeping function called from invalid context|'
    r'list_(add|del) corruption|ODEBUG:|unreferenced object|'
    r'blocked for more than|soft lockup|hard LOCKUP|Kernel panic|'
    r'refcount_t:|Call Trace:)')
TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\] ?')
MARKER = re.compile(r'^wd-test: (begin|end) (\S+)')
TAP_CASE = re.compile(r'^(not )?ok\s+(\d+)\s*(?:- )?(.*?)\s*(?:#\s*(SKIP|TODO)\b\s*(.*))?$')
TAP_PLAN = re.compile(r'^1\.\.(\d+)')
KUNIT_SUITE = re.compile(r'^    # Subtest: (\S+)')
KUNIT_CASE = re.compile(r'^    (not )?ok \d+ (\S+)(?: # SKIP\s*(.*))?')
KUNIT_SUITE_END = re.compile(r'^(not )?ok \d+ (\S+)')


class Test:
    """One entry of test/plan, with the cases it produced."""

    def __init__(self, lane, name):
        self.lane = lane
        self.name = name
        self.cases = []         # (status, case name, detail)
        self.seconds = None     # wall time, when the runner measured it

    def add(self, status, case, detail=''):
        self.cases.append((status, case, detail))

    def count(self, status):
        return sum(1 for c in self.cases if c[0] == status)


def read(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except OSError:
        return None


def parse_tap(test, text):
    planned = None
    ran = 0
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = TAP_PLAN.match(line)
        if m:
            planned = int(m.group(1))
            continue
        m = TAP_CASE.match(line)
        if not m:
            continue
        ran += 1
        failed, _, desc, directive, reason = m.groups()
        if directive == 'SKIP':
            test.add('skip', desc, reason or '')
        elif failed and directive != 'TODO':
            test.add('fail', desc, diagnostics(lines, i + 1))
        else:
            test.add('pass', desc)
    if planned is not None and ran < planned:
        test.add('fail', 'planned %d cases, %d ran' % (planned, ran),
                 tail(text))


def diagnostics(lines, start):
    """The comment and output lines a TAP case printed after its result."""
    out = []
    for line in lines[start:start + 40]:
        if TAP_CASE.match(line) or TAP_PLAN.match(line):
            break
        out.append(line)
    return '\n'.join(out)


def parse_kunit(test, lines):
    suite = None
    for line in lines:
        m = KUNIT_SUITE.match(line)
        if m:
            suite = m.group(1)
            continue
        m = KUNIT_CASE.match(line)
        if m and suite:
            failed, case, skip = m.groups()
            name = '%s.%s' % (suite, case)
            if skip is not None:
                test.add('skip', name, skip)
            elif failed:
                test.add('fail', name, case_log(lines, case))
            else:
                test.add('pass', name)
            continue
        m = KUNIT_SUITE_END.match(line)
        if m and suite == m.group(2):
            suite = None
    if suite:
        test.add('fail', '%s did not finish' % suite, '\n'.join(lines[-30:]))
    if not test.cases:
        test.add('fail', 'no KUnit suite ran', '\n'.join(lines[-30:]))


def case_log(lines, case):
    """The KUnit lines of a failed case: its expectations and messages."""
    out = []
    for line in lines:
        if line.startswith('        ') or case in line:
            out.append(line.strip())
    return '\n'.join(out[-20:])


def tail(text, n=30):
    return '\n'.join(text.splitlines()[-n:])


def split_dmesg(text):
    """Map test name -> its kernel log lines; None -> lines outside tests."""
    segments = {None: []}
    current = None
    for raw in text.splitlines():
        line = TIMESTAMP.sub('', raw)
        m = MARKER.match(line)
        if m:
            current = m.group(2) if m.group(1) == 'begin' else None
            segments.setdefault(current, [])
            continue
        segments[current].append(line)
    return segments


def kernel_reports(lines):
    hits = [i for i, line in enumerate(lines) if KERNEL_REPORT.search(line)]
    if not hits:
        return None
    first = hits[0]
    return '\n'.join(lines[max(0, first - 2):first + 40])


def read_status(path):
    status = {'exit': None, 'load-failed': [], 'unload-failed': [],
              'seconds': None}
    text = read(path)
    if text is None:
        return None
    for line in text.splitlines():
        word, _, arg = line.partition(' ')
        if word in ('exit', 'seconds'):
            status[word] = int(arg)
        elif word in ('load-failed', 'unload-failed'):
            status[word].append(arg)
    return status


def plan_entries(plan):
    for line in open(plan):
        words = line.split()
        if words and not words[0].startswith('#'):
            yield words[0], words[1]


def lane_tests(results, lane, kinds, plan):
    """Tests of the plan that ran in this lane."""
    tdir = os.path.join(results, lane, 'tests')
    for kind, name in plan_entries(plan):
        if kind in kinds and os.path.exists(os.path.join(tdir, name + '.status')):
            yield kind, name


def report_lane(results, lane, kinds, plan):
    ldir = os.path.join(results, lane)
    tests = []
    dmesg = read(os.path.join(ldir, 'dmesg.txt'))
    segments = split_dmesg(dmesg) if dmesg is not None else {None: []}

    for kind, name in lane_tests(results, lane, kinds, plan):
        test = Test(lane, name)
        tests.append(test)
        base = os.path.join(ldir, 'tests', name)
        status = read_status(base + '.status')
        test.seconds = status['seconds']
        for m in status['load-failed']:
            test.add('fail', 'load module %s' % m, tail(read(base + '.status') or ''))
        if kind == 'kunit':
            if not status['load-failed']:
                parse_kunit(test, segments.get(name, []))
        else:
            text = read(base + '.tap') or ''
            if not status['load-failed']:
                parse_tap(test, text)
                if status['exit'] not in (0, None) and not test.count('fail'):
                    test.add('fail', 'exit status %d' % status['exit'], tail(text))
                if not test.cases:
                    test.add('fail', 'no results', tail(text))
        for m in status['unload-failed']:
            test.add('fail', 'unload module %s' % m, tail(read(base + '.status') or ''))
        if name in segments:
            rep = kernel_reports(segments[name])
            if rep:
                test.add('fail', 'kernel log clean', rep)
            elif kinds != ('host',):
                test.add('pass', 'kernel log clean')

    if 'host' in kinds:
        return tests

    # The lane itself: the guest finished, and logged nothing bad outside tests.
    lane_test = Test(lane, '(guest)')
    tests.append(lane_test)
    gstatus = read(os.path.join(ldir, 'guest-status'))
    console = read(os.path.join(ldir, 'console.log')) or ''
    if gstatus is None or gstatus.strip() != '0':
        lane_test.add('fail', 'guest finished cleanly', tail(console, 40) +
                      '\n--- guest.log ---\n' + tail(read(os.path.join(ldir, 'guest.log')) or '', 20) +
                      '\n--- setup.log ---\n' + tail(read(os.path.join(ldir, 'setup.log')) or '', 20))
    else:
        lane_test.add('pass', 'guest finished cleanly')
    rep = kernel_reports(segments.get(None, []))
    if dmesg is None:
        rep = kernel_reports(console.splitlines()) or rep
    if rep:
        lane_test.add('fail', 'kernel log clean outside tests', rep)
    else:
        lane_test.add('pass', 'kernel log clean outside tests')
    leaks = read(os.path.join(ldir, 'kmemleak.txt'))
    if leaks is not None:
        if leaks.strip():
            lane_test.add('fail', 'kmemleak found no leak', tail(leaks, 40))
        else:
            lane_test.add('pass', 'kmemleak found no leak')
    return tests


def main():
    results = sys.argv[1]
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    plan = sys.argv[2] if len(sys.argv) > 2 else os.path.join(top, 'test', 'plan')
    tests = []
    # the debug kernel's guests side by side: guest, guest2, ...
    guests = sorted((d for d in os.listdir(results)
                     if re.fullmatch(r'guest[0-9]*', d)),
                    key=lambda d: int(d[5:] or 1))
    lanes = [('host', ('host',))] + [(g, ('kunit', 'guest')) for g in guests] + \
            [('stock', ('kunit', 'guest', 'stock', 'nested')),
             ('nested', ('nested',))]
    for lane, kinds in lanes:
        if os.path.isdir(os.path.join(results, lane)):
            tests += report_lane(results, lane, kinds, plan)

    passed = sum(t.count('pass') for t in tests)
    failed = sum(t.count('fail') for t in tests)
    skipped = sum(t.count('skip') for t in tests)

    for t in tests:
        for status, case, detail in t.cases:
            if status == 'fail':
                print('FAIL %s/%s: %s' % (t.lane, t.name, case))
                for line in detail.splitlines():
                    print('    | ' + line)
    print()
    for t in tests:
        extra = ', %d skipped' % t.count('skip') if t.count('skip') else ''
        if t.seconds is not None:
            extra += ' (%ds)' % t.seconds
        print('  %-6s %-28s %3d passed, %d failed%s' %
              (t.lane, t.name, t.count('pass'), t.count('fail'), extra))
    print()
    line = '%d passed, %d failed' % (passed, failed)
    if skipped:
        line += ', %d skipped' % skipped
    print(line)
    sys.exit(1 if failed or not passed else 0)


if __name__ == '__main__':
    main()
