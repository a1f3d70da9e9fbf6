#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make run: boot a guest for a human.  The serial console (with a root
shell) is on this terminal; the display is a GTK window when $DISPLAY is set,
else a VNC server on 127.0.0.1.  The display is the pvdisplay device driven
by pvdisplay.ko; PVD_RUN_DEVICE picks another display device (e.g.
bochs-display), PVD_RUN_HEADS the number of heads."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import (PVDISPLAY_DEVICE, MissingComponent, Vm, VmError,  # noqa: E402
                     qemu_has_device, require_device, require_module)


def main():
    device = os.environ.get("PVD_RUN_DEVICE") or PVDISPLAY_DEVICE
    modules = []
    try:
        if device == PVDISPLAY_DEVICE:
            require_device(device)
            modules.append(require_module())
        elif not qemu_has_device(device):
            raise MissingComponent("QEMU has no -device %s" % device)
    except MissingComponent as e:
        print("[pvdisplay] error: %s" % e, file=sys.stderr)
        return 1
    heads = os.environ.get("PVD_RUN_HEADS")
    display = "gtk" if os.environ.get("DISPLAY") else "vnc"
    vm = Vm(name="run", display_device=device, heads=int(heads) if heads else None,
            display=display, modules=modules, interactive=True)
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
