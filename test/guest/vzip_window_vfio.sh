#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The window of vzip's DECOMPRESS and COMPRESS against user-space zlib
# (issue 11, test/guest/vzip_window_test.c) on a vfio-pci instance, driven
# as a VMM drives it: rings and data in "guest RAM" at IOVAs, completions
# polled (modules uacce, vzip:queues=20, wd_mdev).  The TAP is the test
# program's; a missing precondition fails the test.
set -u
. test/guest/vfio_lib.sh
uuid_base=0x77

vfio_program vq1 "$tbin/vzip_window_test" --vfio
