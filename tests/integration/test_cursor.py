# SPDX-License-Identifier: MIT
"""Cursor: what the guest sets on its cursor plane reaches the host as a
native pointer.  A VNC client (the cursor pseudo-encoding with alpha) must
receive exactly the image and hotspot the guest set; moving the cursor must
send a position only: no new image reaches the VNC client and the device
handles no CURSOR_SET (its x-stats-cursor-sets counter), while its position
follows the guest (x-cursor).  Legacy cursor ioctls drive it, through
pvd_paint, as compositors without atomic cursor support do."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PVDISPLAY_DEVICE, require_device, require_module  # noqa: E402
from display_checks import Painter, wait_for  # noqa: E402
from cursor_checks import (BACKEND, VncCursorClient, cursor_bytes,  # noqa: E402
                           cursor_state)

require_device(PVDISPLAY_DEVICE)
VM = {"modules": [require_module()], "display": "vnc"}
TIMEOUT = 600


def stats(vm):
    return tuple(vm.qmp("qom-get", path=BACKEND, property=p)
                 for p in ("x-stats-cursor-sets", "x-stats-cursor-moves"))


def expect_cursor(vnc, w, h, hot_x, hot_y, salt):
    """The next new cursor shape the VNC client receives is this one
    (re-sends of the current shape, on surface changes, are skipped)."""
    got = vnc.last
    while got == vnc.last:
        got = vnc.next_cursor(timeout=30)
        assert got is not None, "no new cursor shape reached the VNC client"
    vnc.last = got
    assert got[:4] == (hot_x, hot_y, w, h), \
        "VNC cursor hotspot/size %r, expected %r" % (got[:4], (hot_x, hot_y, w, h))
    want = cursor_bytes(w, h, salt)
    bad = [i // 4 for i in range(0, len(want), 4) if got[4][i:i + 4] != want[i:i + 4]]
    assert not bad, "%d cursor pixels differ, first at (%d, %d)" % (
        len(bad), bad[0] % w, bad[0] // w)


def test_cursor_image_and_hotspot_reach_vnc(vm):
    vnc = VncCursorClient(5900 + vm.vnc_display)
    try:
        with Painter(vm, "--mode 1024x768") as p:
            p.send("move", 200, 100)
            p.send("cursor", 64, 64, 5, 9, 1)
            expect_cursor(vnc, 64, 64, 5, 9, 1)
            assert cursor_state(vm) == (64, 64, 5, 9, 200, 100, 1)
            # Another size and a hotspot on the image's edge.
            p.send("cursor", 32, 48, 31, 0, 6)
            expect_cursor(vnc, 32, 48, 31, 0, 6)
            assert cursor_state(vm) == (32, 48, 31, 0, 200, 100, 1)
    finally:
        vnc.close()


def test_moving_sends_no_image(vm):
    vnc = VncCursorClient(5900 + vm.vnc_display)
    try:
        with Painter(vm, "--mode 1024x768") as p:
            p.send("cursor", 64, 64, 2, 3, 4)
            expect_cursor(vnc, 64, 64, 2, 3, 4)
            sets, moves = stats(vm)
            n = 200
            p.send("moves", n, 10, 20, 3, 2)
            last = (10 + (n - 1) * 3, 20 + (n - 1) * 2)
            wait_for(lambda: cursor_state(vm)[4:6] == last, 30,
                     "the device to reach the last position %r" % (last,))
            sets2, moves2 = stats(vm)
            assert sets2 == sets, "moving made the device copy the image again"
            # Each move is at most one request; queued ones coalesce.
            assert 1 <= moves2 - moves <= n, (moves, moves2)
            assert vnc.next_cursor(timeout=2) is None, \
                "moving the cursor sent an image to the VNC client"
            # Partly and wholly off the screen is a position like any other.
            p.send("move", -30, -40)
            wait_for(lambda: cursor_state(vm)[4:7] == (-30, -40, 1), 30,
                     "the device to take a negative position")
            assert stats(vm)[0] == sets
    finally:
        vnc.close()


def test_hide_and_show_again(vm):
    vnc = VncCursorClient(5900 + vm.vnc_display)
    try:
        with Painter(vm, "--mode 1024x768") as p:
            p.send("cursor", 64, 64, 0, 0, 2)
            expect_cursor(vnc, 64, 64, 0, 0, 2)
            p.send("cursor-off")
            # A hidden cursor reaches VNC clients as a transparent one.
            got = vnc.next_cursor(timeout=30)
            assert got is not None and got[4] == bytes(len(got[4])), got and got[:4]
            vnc.last = got
            assert cursor_state(vm)[6] == 0
            p.send("cursor", 64, 64, 7, 7, 3)
            expect_cursor(vnc, 64, 64, 7, 7, 3)
            assert cursor_state(vm)[6] == 1
    finally:
        vnc.close()
    # When the client is gone, fbdev takes the display back without a cursor.
    wait_for(lambda: cursor_state(vm)[6] == 0, 30, "the cursor to be hidden")
