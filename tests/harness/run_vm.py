#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make run: boot a guest for a human.  The display is a GTK window when
$DISPLAY is set, else a VNC server on 127.0.0.1; it shows a console logged in
as root (tty1, fbcon on pvdisplay), at the device's default size
(1280x800), following the window as it is resized.  The serial console, with
a root shell too, is on this terminal.  The display is the pvdisplay device
driven by pvdisplay.ko; PVD_RUN_DEVICE picks another display device (e.g.
bochs-display), PVD_RUN_HEADS the number of heads.

tests/integration/test_run.py boots the same guest (run_vm_args()) under
Xvfb and checks what a newcomer would see."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import (PVDISPLAY_DEVICE, MissingComponent, Vm, VmError,  # noqa: E402
                     qemu_has_device, require_device, require_module)


def run_vm_args(device=PVDISPLAY_DEVICE, heads=None, display="gtk"):
    """Vm() arguments of the make run guest (raises MissingComponent if the
    device or the driver was not built)."""
    modules = []
    if device == PVDISPLAY_DEVICE:
        require_device(device)
        modules.append(require_module())
    elif not qemu_has_device(device):
        raise MissingComponent("QEMU has no -device %s" % device)
    return {"display_device": device, "heads": heads,
            "display": display, "modules": modules, "console_login": True}


def main():
    device = os.environ.get("PVD_RUN_DEVICE") or PVDISPLAY_DEVICE
    heads = os.environ.get("PVD_RUN_HEADS")
    display = "gtk" if os.environ.get("DISPLAY") else "vnc"
    try:
        args = run_vm_args(device, int(heads) if heads else None, display)
    except MissingComponent as e:
        print("[pvdisplay] error: %s" % e, file=sys.stderr)
        return 1
    vm = Vm(name="run", interactive=True, **args)
    print("[pvdisplay] display device %s%s; logs in %s" % (
        device, " + pvdisplay.ko" if args["modules"] else "", vm.dir))
    if display == "vnc":
        print("[pvdisplay] VNC server: 127.0.0.1:%d (port %d), e.g. vncviewer 127.0.0.1:%d"
              % (vm.vnc_display, 5900 + vm.vnc_display, vm.vnc_display))
    print("[pvdisplay] the display shows a root console; the serial console is below; "
          "quit with Ctrl-A x", flush=True)
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
