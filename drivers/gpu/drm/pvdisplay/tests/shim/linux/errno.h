/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Userspace shim for the host unit tests, see linux/types.h. */
#ifndef _PVDISPLAY_SHIM_LINUX_ERRNO_H
#define _PVDISPLAY_SHIM_LINUX_ERRNO_H

/* The uapi header has the E* values; glibc's <errno.h> includes us too. */
#include_next <linux/errno.h>

#endif
