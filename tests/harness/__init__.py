# SPDX-License-Identifier: MIT
"""pvdisplay test harness: boot a guest, run commands in it, inspect it from
the host.  See tests/harness/README.md and tests/integration/test_smoke.py."""

from .image import Image
from .splat import SPLAT_PATTERNS, find_splats
from .vm import (PVDISPLAY_DEVICE, CommandFailed, GuestHung, Result, SplatError,
                 Spawned, Vm, VmError, pvdisplay_module, qemu_has_device)


class Skip(Exception):
    """Raise in a test (or at import time of a test file) to skip it."""


class MissingComponent(Exception):
    """A part of the stack the tests need was not built.  Deliberately not a
    Skip: a device that failed to graft or a module that failed to build must
    fail the run, not turn every test that needs it into a skip."""


def require_device(name):
    """Fail unless the QEMU we built has -device name."""
    if not qemu_has_device(name):
        raise MissingComponent("QEMU has no -device %s: was qemu-device/ grafted? "
                               "(log: $PVD_LOGS/qemu-*-graft.log)" % name)


def require_module():
    """Fail unless pvdisplay.ko was built; return its path."""
    ko = pvdisplay_module()
    if ko is None:
        raise MissingComponent("pvdisplay.ko was not built (PVD_MODULE unset or missing; "
                               "log: $PVD_LOGS/module-build.log)")
    return ko


__all__ = ["CommandFailed", "GuestHung", "Image", "MissingComponent", "PVDISPLAY_DEVICE", "Result",
           "SPLAT_PATTERNS", "Skip", "Spawned", "SplatError", "Vm", "VmError",
           "find_splats", "pvdisplay_module", "qemu_has_device", "require_device",
           "require_module"]
