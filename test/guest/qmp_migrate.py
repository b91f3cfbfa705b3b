#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Migrate a running QEMU to an -incoming one over QMP; print the figures.

Usage: qmp_migrate.py [--refused] SOURCE_QMP_SOCKET DEST_QMP_SOCKET URI
       qmp_migrate.py --quit QMP_SOCKET

The destination runs with -incoming defer.  Both sides get the
return-path capability, so that the source learns when the destination
refuses the state (and runs on) instead of stopping as migrated.  Runs
migrate-incoming on the destination, "migrate" on the source, polls
query-migrate until it ends, then
waits for the destination to run and quits the source.  Prints the
status, the total time, the downtime, the RAM and the VFIO device bytes
sent.  Exit 0 only if the migration completed, the VFIO device state was
sent and the destination runs.

With --refused, the destination is expected to refuse the device state:
exit 0 only if the migration failed and the source runs on.

With --quit, quit the QEMU of QMP_SOCKET (a VM that would otherwise
reboot when its init ends).
"""
import json
import socket
import sys
import time


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        for _ in range(300):
            try:
                self.sock.connect(path)
                break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit('qmp: cannot connect to ' + path)
        self.f = self.sock.makefile('rw')
        json.loads(self.f.readline())   # the greeting
        self.cmd('qmp_capabilities')

    def cmd(self, name, **args):
        self.f.write(json.dumps({'execute': name, 'arguments': args}) + '\n')
        self.f.flush()
        while True:
            line = self.f.readline()
            if not line:
                sys.exit('qmp: the connection closed during ' + name)
            reply = json.loads(line)
            if 'error' in reply:
                sys.exit('qmp: %s: %s' % (name, reply['error'].get('desc')))
            if 'return' in reply:
                return reply['return']


def main():
    args = sys.argv[1:]
    if args[:1] == ['--quit'] and len(args) == 2:
        Qmp(args[1]).cmd('quit')
        return 0
    refused = args[:1] == ['--refused']
    if refused:
        args = args[1:]
    src, dst = Qmp(args[0]), Qmp(args[1])
    caps = [{'capability': 'return-path', 'state': True}]
    dst.cmd('migrate-set-capabilities', capabilities=caps)
    dst.cmd('migrate-incoming', uri=args[2])
    src.cmd('migrate-set-capabilities', capabilities=caps)
    src.cmd('migrate', uri=args[2])
    t0 = time.time()
    while True:
        info = src.cmd('query-migrate')
        if info.get('status') in ('completed', 'failed', 'cancelled'):
            break
        if time.time() - t0 > 900:
            sys.exit('qmp: the migration did not end in 900 s: %s' % info)
        time.sleep(0.5)
    status = info.get('status')
    vfio = info.get('vfio', {}).get('transferred', 0)
    print('migration %s: total %s ms, downtime %s ms, RAM %s bytes, '
          'VFIO device state %s bytes' %
          (status, info.get('total-time'), info.get('downtime'),
           info.get('ram', {}).get('transferred'), vfio))
    if refused:
        print('error: %s' % info.get('error-desc'))
        for _ in range(120):
            run = src.cmd('query-status').get('status')
            if run == 'running':
                break
            time.sleep(0.5)
        print('the source is %s' % run)
        return 0 if status == 'failed' and run == 'running' else 1
    if status != 'completed':
        print('error: %s' % info.get('error-desc'))
        return 1
    for _ in range(600):
        if dst.cmd('query-status').get('status') == 'running':
            break
        time.sleep(0.5)
    else:
        print('the destination does not run')
        return 1
    src.cmd('quit')
    if not vfio:
        print('no VFIO device state was sent')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
