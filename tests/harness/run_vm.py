#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make run: boot a guest for a human.  The serial console (with a root
shell) is on this terminal; the display is a GTK window when $DISPLAY is set,
else a VNC server on 127.0.0.1.  The pvdisplay device is used when QEMU has
it and pvdisplay.ko is loaded when it was built; PVD_RUN_DEVICE picks another
display device, PVD_RUN_HEADS the number of heads."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import PVDISPLAY_DEVICE, Vm, VmError, pvdisplay_module, qemu_has_device  # noqa: E402


def main():
    device = os.environ.get("PVD_RUN_DEVICE") or PVDISPLAY_DEVICE
    notes = []
    if not qemu_has_device(device):
        notes.append("QEMU has no %s: using bochs-display instead" % device)
        device = "bochs-display"
    modules = []
    if device == PVDISPLAY_DEVICE:
        if pvdisplay_module():
            modules.append(pvdisplay_module())
        else:
            notes.append("pvdisplay.ko is not built: the display stays dark")
    heads = os.environ.get("PVD_RUN_HEADS")
    display = "gtk" if os.environ.get("DISPLAY") else "vnc"
    vm = Vm(name="run", display_device=device, heads=int(heads) if heads else None,
            display=display, modules=modules, interactive=True)
    for n in notes:
        print("[pvdisplay] note: " + n)
    print("[pvdisplay] display device %s%s; logs in %s" % (
        device, " + pvdisplay.ko" if modules else "", vm.dir))
    if display == "vnc":
        print("[pvdisplay] VNC server: 127.0.0.1:%d (port %d), e.g. vncviewer 127.0.0.1:%d"
              % (vm.vnc_display, 5900 + vm.vnc_display, vm.vnc_display))
    print("[pvdisplay] serial console below; quit with Ctrl-A x", flush=True)
    try:
        vm.start()
        vm.qemu.wait()
    except VmError as e:
        print("[pvdisplay] %s" % e)
    except KeyboardInterrupt:
        pass
    finally:
        splats = vm.stop(check=False)
    if splats:
        print("[pvdisplay] kernel splats in this session:\n  " + "\n  ".join(splats))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
