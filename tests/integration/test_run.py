# SPDX-License-Identifier: MIT
"""make run as a newcomer sees it, without the newcomer: the make run guest
(tests/harness/run_vm.py's arguments) with its GTK window on an Xvfb screen.
The window opens at the device's default size and the guest uses that size;
the display shows a root console (login on tty1) that takes typed keys; when
the window is resized (xdotool, no window manager) the guest follows: hotplug
uevent, preferred mode, host image and fbcon's grid; when the guest turns
its output off the window keeps its size."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness.run_vm import run_vm_args  # noqa: E402
from display_checks import host_matches_guest, wait_for  # noqa: E402
from resize_checks import (UeventMonitor, connector_id, connector_state,  # noqa: E402
                           console_cell, console_size, crtc_of_connector, record,
                           wait_host_size)

VM = dict(run_vm_args(display="gtk"), xvfb=(1920, 1200))
TIMEOUT = 300

BOOT = (1280, 800)      # the device's default xres x yres
_window = {}


def console_text(vm):
    """What tty1 shows, as text (the virtual console's screen memory)."""
    return vm.run("cat /dev/vcs1", check=True).stdout


def window(vm):
    """(window id, height of GTK's menu bar above the guest's image)."""
    if not _window:
        wid = vm.xvfb.find_window("QEMU")
        _, _, w, h = vm.xvfb.geometry(wid)
        assert w == BOOT[0] and BOOT[1] <= h < BOOT[1] + 100, \
            "the window opened at %dx%d, not %dx%d plus a menu bar" % ((w, h) + BOOT)
        _window.update(wid=wid, menubar=h - BOOT[1])
    return _window["wid"], _window["menubar"]


def test_window_opens_at_default_size(vm):
    window(vm)
    status, preferred, _ = connector_state(vm)
    assert (status, preferred) == ("connected", BOOT)
    wait_host_size(vm, BOOT)


def steady_cursor(vm):
    """The console cursor stays on: host and guest images taken a moment
    apart are then the same."""
    vm.run("echo 0 > /sys/class/graphics/fbcon/cursor_blink", check=True)


def test_console_login_on_display(vm):
    """A root shell on the display, logged in on tty1, that takes keys."""
    steady_cursor(vm)
    wait_for(lambda: "login: root" in console_text(vm), 60, "the console login on tty1")
    wait_for(lambda: console_text(vm).rstrip().endswith("#"), 60, "the shell prompt on tty1")
    host_matches_guest(vm)
    assert not vm.screendump().is_uniform(), "the host shows a blank screen"
    # Typed on the guest's keyboard (what the GTK window forwards).
    for key in ["t", "t", "y", "ret"]:
        vm.qmp("send-key", keys=[{"type": "qcode", "data": key}])
    wait_for(lambda: "/dev/tty1" in console_text(vm), 30, "the typed command's output")
    host_matches_guest(vm)


def resize_window(vm, size, what):
    wid, menubar = window(vm)
    steady_cursor(vm)
    cid = connector_id(vm)
    cell = console_cell(vm)
    with UeventMonitor(vm) as mon:
        t0 = time.monotonic()
        vm.xvfb.resize(wid, size[0], size[1] + menubar)
        _, latency = wait_host_size(vm, size, since=t0)
        mon.wait_hotplug(connector=cid)
    assert connector_state(vm)[:2] == ("connected", tuple(size))
    rows, cols = size[1] // cell[1], size[0] // cell[0]
    wait_for(lambda: console_size(vm) == (rows, cols), 30, "fbcon to fill %dx%d" % size)
    host_matches_guest(vm)
    record("host resize %s -> %dx%d, request to host image" % ((what,) + tuple(size)),
           "%.2f s (GTK waits 1 s for the resize to settle)" % latency)


def test_window_grows(vm):
    resize_window(vm, (1600, 900), "GTK window")


def test_window_shrinks(vm):
    resize_window(vm, (1024, 640), "GTK window")


def test_output_off_keeps_window_size(vm):
    """The guest turns its output off (fbdev blank, DPMS off) and on again.
    Meanwhile the host shows a placeholder of the size the head showed: GTK
    sizes its window to the surface and reports that size back, so a
    placeholder of another size would resize the window and become the
    guest's next preferred mode.  The window, the preferred mode and the
    console stay at the size the user gave the window.  Nothing opens the
    DRM device while the output is off: the last close of a DRM client
    (drm_info) restores fbdev's configuration, which turns it back on."""
    wid, menubar = window(vm)
    frame = vm.xvfb.geometry(wid)[2:]
    size = (frame[0], frame[1] - menubar)
    steady_cursor(vm)
    host_matches_guest(vm)
    shown = vm.screendump()
    assert (shown.width, shown.height) == size
    vm.run("echo 4 > /sys/class/graphics/fb0/blank", check=True)
    try:
        off = wait_for(lambda: (lambda i: i if i.data != shown.data else None)(
            vm.screendump()), 30, "the host to show the placeholder")
        assert (off.width, off.height) == size
        # Nothing is expected to happen now: give GTK its resize and its
        # one-second wait before it reports a size to the guest.
        time.sleep(3)
        assert vm.xvfb.geometry(wid)[2:] == frame
        off = vm.screendump()
        assert (off.width, off.height) == size and off.data != shown.data
    finally:
        vm.run("echo 0 > /sys/class/graphics/fb0/blank", check=True)
    host_matches_guest(vm)
    assert vm.xvfb.geometry(wid)[2:] == frame
    assert connector_state(vm)[:2] == ("connected", size)
    assert crtc_of_connector(vm)[1:] == (True, size)
