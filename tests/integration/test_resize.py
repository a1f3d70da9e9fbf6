# SPDX-License-Identifier: MIT
"""Host window resize with pvdisplay.ko loaded, asked for the way a VNC
viewer does (SetDesktopSize) and the way a D-Bus display client does
(SetUIInfo); the GTK window of make run is test_run.py's.  Each time the
connector's preferred mode becomes the new size, a hotplug uevent names the
connector, the host image takes the new size, and fbcon, the guest's only
display client here, follows: it grows past its boot size and shrinks, its
text grid filling the new mode.  The time from the request to the first host
image of the new size is reported (results/measurements.txt), not asserted."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PVDISPLAY_DEVICE, require_device, require_module  # noqa: E402
from harness.vnc import VncClient  # noqa: E402
from display_checks import host_matches_guest, quiet_console, wait_for  # noqa: E402
from resize_checks import (FBCON_FG, UeventMonitor, connector_id,  # noqa: E402
                           connector_state, console_cell, console_size, fbdev_layout,
                           kms_state, mark_last_cell, record, wait_host_size)

require_device(PVDISPLAY_DEVICE)
VM = {"modules": [require_module()], "display": "dbus", "vnc": True,
      "xres": 1280, "yres": 800}
TIMEOUT = 300

BOOT = (1280, 800)
_cell = {}


def resize_and_check(vm, request, size, what):
    """Ask for size with request(); check the guest and the host follow.
    Returns the seconds from the request to the host's first image of the
    new size."""
    quiet_console(vm)
    cid = connector_id(vm)
    with UeventMonitor(vm) as mon:
        t0 = time.monotonic()
        request()
        _, latency = wait_host_size(vm, size, since=t0)
        events = mon.wait_hotplug(connector=cid)
    assert len(events) == 1, "expected one hotplug uevent, got %r" % events
    status, preferred, _ = connector_state(vm)
    assert (status, preferred) == ("connected", tuple(size)), (status, preferred)

    # fbcon follows: its drawing area is the new mode, its grid fills it,
    # and the bottom-right cell is on the host's screen.
    cw, ch = _cell["size"]
    rows, cols = size[1] // ch, size[0] // cw
    wait_for(lambda: console_size(vm) == (rows, cols), 30,
             "fbcon's grid to become %dx%d" % (cols, rows))
    # Laid out for the new mode, not for the largest one it could grow to:
    # a wider pitch costs fbcon time on every scroll (docs/driver.md).
    assert fbdev_layout(vm) == (tuple(size), size[0] * 4)
    mark_last_cell(vm, rows, cols)
    host_matches_guest(vm)
    x, y = (cols - 1) * cw, (rows - 1) * ch
    img = vm.screendump()
    assert img.crop(x, y, cw, ch).is_uniform(FBCON_FG), \
        "the last console cell (%d,%d) is not drawn on the host" % (x, y)
    record("host resize %s -> %dx%d, request to host image" % ((what,) + tuple(size)),
           "%.2f s" % latency)
    return latency


def test_boot_size(vm):
    """The head starts at the device's default size, fbcon uses all of it.
    The properties userspace needs to follow the host are there: the
    connector's hotplug_mode_update and the primary plane's blend mode
    (without which DRM complains about its alpha formats)."""
    dev = kms_state(vm)
    conn = next(c for c in dev["connectors"] if c["id"] == connector_id(vm))
    assert conn["properties"]["hotplug_mode_update"]["value"] == 1
    blend = dev["planes"][0]["properties"]["pixel blend mode"]
    assert [e["name"] for e in blend["spec"]] == ["None", "Pre-multiplied"], blend
    assert "blend mode not setup" not in vm.dmesg()
    status, preferred, _ = connector_state(vm)
    assert (status, preferred) == ("connected", BOOT)
    wait_host_size(vm, BOOT)
    assert fbdev_layout(vm) == (BOOT, BOOT[0] * 4)
    _cell["size"] = console_cell(vm)
    assert _cell["size"] in ((8, 16), (8, 8), (16, 32), (12, 22), (10, 18)), _cell


def test_vnc_set_desktop_size(vm):
    """A VNC viewer's window grows past the boot size, then shrinks."""
    if "size" not in _cell:
        test_boot_size(vm)
    with VncClient(5900 + vm.vnc_display) as vnc:
        assert (vnc.width, vnc.height) == BOOT
        resize_and_check(vm, lambda: vnc.set_desktop_size(1600, 900), (1600, 900), "VNC")
        vnc.wait_desktop_size(1600, 900, 30)
        resize_and_check(vm, lambda: vnc.set_desktop_size(1024, 768), (1024, 768), "VNC")
        vnc.wait_desktop_size(1024, 768, 30)
        # The server answered each request: "forwarded" (QEMU's status 4).
        answers = [(x, y) for _, x, y, _, _ in vnc.size_events if x == 1]
        assert answers == [(1, 4), (1, 4)], vnc.size_events


def test_dbus_set_ui_info(vm):
    """A D-Bus display client asks for 1920x1080, then the boot size."""
    if "size" not in _cell:
        test_boot_size(vm)
    vm.dbus_display.wait_ready()
    resize_and_check(vm, lambda: vm.dbus_display.set_ui_info(0, 1920, 1080),
                     (1920, 1080), "D-Bus SetUIInfo")
    resize_and_check(vm, lambda: vm.dbus_display.set_ui_info(0, *BOOT), BOOT,
                     "D-Bus SetUIInfo")
