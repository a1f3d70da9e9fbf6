/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Userspace shim: lets the driver's pure files (pvdisplay_damage.c,
 * pvdisplay_proto.c) build unchanged for the host unit tests.  Only what
 * those files use is provided.
 */
#ifndef _PVDISPLAY_SHIM_LINUX_TYPES_H
#define _PVDISPLAY_SHIM_LINUX_TYPES_H

#include_next <linux/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#endif
