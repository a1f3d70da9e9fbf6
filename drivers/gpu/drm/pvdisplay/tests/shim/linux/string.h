/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Userspace shim for the host unit tests, see linux/types.h. */
#ifndef _PVDISPLAY_SHIM_LINUX_STRING_H
#define _PVDISPLAY_SHIM_LINUX_STRING_H

#include <string.h>

#endif
