#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The refusals of a vzip vfio-pci instance and their logged reasons
# (test/guest/reasons_test.c --vfio; modules uacce, vzip:queues=20,
# wd_mdev).  The TAP is the test program's; a missing precondition fails
# the test.
set -u
. test/guest/vfio_lib.sh
uuid_base=0x7d

vfio_program vq1 "$tbin/reasons_test" --vfio
