# SPDX-License-Identifier: MIT
"""First light: modetest sets each test mode with its SMPTE pattern, and the
host shows exactly the guest's framebuffer, pixel for pixel."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PVDISPLAY_DEVICE, require_device, require_module  # noqa: E402
from display_checks import (connector_ids, fbdump, host_matches_guest,  # noqa: E402
                            quiet_console, wait_for)

require_device(PVDISPLAY_DEVICE)
VM = {"modules": [require_module()], "memory": 3072}
TIMEOUT = 900

# modetest's SMPTE pattern, top band, for 32-bit RGB: seven 75% bars
# (grey, yellow, cyan, green, magenta, red, blue), each width/7 wide.
SMPTE_TOP = [(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0),
             (192, 0, 192), (192, 0, 0), (0, 0, 192)]


def show_mode(vm, width, height):
    conns = [c for c, status in connector_ids(vm) if status == "connected"]
    assert conns, "no connected pvdisplay connector"
    # modetest keeps the mode until it reads a key: feed it a silent pipe.
    proc = vm.spawn("sleep 3600 | modetest -M pvdisplay -s %d:%dx%d"
                    % (conns[0], width, height))

    def shown():
        img = vm.screendump()
        return img if (img.width, img.height) == (width, height) else None

    host = wait_for(shown, 120, "the host console to become %dx%d" % (width, height),
                    interval=1)
    return proc, host


def stop(vm, proc):
    # spawn() made the shell a session leader: end the whole pipeline.
    vm.run("pkill -TERM -s %d" % proc.pid)
    wait_for(lambda: vm.run("pgrep -x modetest").rc != 0, 30, "modetest to exit")


def check_mode(vm, width, height):
    proc, host = show_mode(vm, width, height)
    try:
        guest = fbdump(vm)
        assert (guest.width, guest.height) == (width, height), guest
        # The pattern really is there (not two equally blank images) ...
        y = height // 4
        for i, color in enumerate(SMPTE_TOP):
            x = (2 * i + 1) * width // 14
            assert guest.pixel(x, y) == color, \
                "guest bar %d at (%d,%d) is %r, want %r" % (i, x, y, guest.pixel(x, y), color)
        # ... and the host shows exactly the guest's framebuffer.
        host = vm.screendump()
        if host.data != guest.data:
            host.save_ppm(os.path.join(vm.dir, "host-%dx%d.ppm" % (width, height)))
            guest.save_ppm(os.path.join(vm.dir, "guest-%dx%d.ppm" % (width, height)))
            raise AssertionError("host screendump differs from the guest framebuffer "
                                 "at %dx%d (both saved in %s)" % (width, height, vm.dir))
    finally:
        stop(vm, proc)


def test_modetest_640x480(vm):
    check_mode(vm, 640, 480)


def test_modetest_1024x768(vm):
    check_mode(vm, 1024, 768)


def test_modetest_1920x1080(vm):
    check_mode(vm, 1920, 1080)


def test_modetest_3840x2160(vm):
    check_mode(vm, 3840, 2160)


def test_console_returns_after_modetest(vm):
    """When the last KMS client exits, fbcon's framebuffer is shown again
    and the host follows (size and content)."""
    quiet_console(vm)
    host_matches_guest(vm)
