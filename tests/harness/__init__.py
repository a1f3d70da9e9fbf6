# SPDX-License-Identifier: MIT
"""pvdisplay test harness: boot a guest, run commands in it, inspect it from
the host.  See tests/harness/README.md and tests/integration/test_smoke.py."""

from .image import Image
from .splat import SPLAT_PATTERNS, find_splats
from .vm import (PVDISPLAY_DEVICE, CommandFailed, GuestHung, Result, SplatError,
                 Spawned, Vm, VmError, pvdisplay_module, qemu_has_device)


class Skip(Exception):
    """Raise in a test (or at import time of a test file) to skip it."""


def require_device(name):
    """Skip unless the QEMU we built has -device name."""
    if not qemu_has_device(name):
        raise Skip("QEMU has no %s device (not grafted/built yet)" % name)


def require_module():
    """Skip unless pvdisplay.ko was built; return its path."""
    ko = pvdisplay_module()
    if ko is None:
        raise Skip("pvdisplay.ko not built (drivers/gpu/drm/pvdisplay missing?)")
    return ko


__all__ = ["CommandFailed", "GuestHung", "Image", "PVDISPLAY_DEVICE", "Result",
           "SPLAT_PATTERNS", "Skip", "Spawned", "SplatError", "Vm", "VmError",
           "find_splats", "pvdisplay_module", "qemu_has_device", "require_device",
           "require_module"]
