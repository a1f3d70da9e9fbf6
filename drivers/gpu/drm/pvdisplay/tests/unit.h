/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The host unit test groups, run as one TAP stream by unit.c. */
#ifndef _PVDISPLAY_UNIT_H
#define _PVDISPLAY_UNIT_H

#include <stddef.h>

struct CMUnitTest;

extern const struct CMUnitTest damage_tests[];
extern const size_t nr_damage_tests;
extern const struct CMUnitTest proto_tests[];
extern const size_t nr_proto_tests;

#endif
