/* SPDX-License-Identifier: GPL-2.0 */
/* lib_stubdev.c's settings (see there). */
#ifndef LIB_STUBDEV_H
#define LIB_STUBDEV_H

#include <stdbool.h>

struct wd_ring_proto;

extern bool stub_sva;
extern const struct wd_ring_proto *stub_slow;
extern int stub_slow_ms;
extern const char *stub_vzip_name;
extern int stub_open_us;

#endif
