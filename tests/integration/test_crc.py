# SPDX-License-Identifier: MIT
"""CRC from the host: the driver's debugfs CRC source ("auto") reports what
the device computes over what the host shows (its console surface, cursor
composited).  It must equal the CRC of the guest's own framebuffer as the
CRTC scans it out, both when the host shows the guest's pages directly (a
view: XRGB8888, guest RAM shared, as the harness sets it up) and when the
device copies (XBGR8888 is converted), and a device that copies wrongly
(x-test-corrupt-copy) must be caught by the CRC alone."""

import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PVDISPLAY_DEVICE, require_device, require_module  # noqa: E402
from display_checks import Painter, fbdump, wait_for  # noqa: E402
from cursor_checks import cursor_pixel  # noqa: E402

require_device(PVDISPLAY_DEVICE)
# zero-copy on (the default): XRGB8888 heads are views of guest pages,
# XBGR8888 ones are copied (x-test-corrupt-copy damages copies only).
VM = {"modules": [require_module()]}
TIMEOUT = 600
BACKEND = "/machine/peripheral/video0/virtio-backend"

DEBUGFS = ("mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug; "
           "d=$(dirname $(grep -l '^pvdisplay' /sys/kernel/debug/dri/*/name | head -n 1))")


def frame_crc(img, cursor=None):
    """The protocol's CRC of an Image (RGB), with an opaque-or-transparent
    cursor (w, h, salt, x, y) composited like the device does: zlib crc32
    over the pixels as little-endian 0x00RRGGBB words, rows top to bottom."""
    rgb = img.data
    out = bytearray(img.width * img.height * 4)
    out[0::4], out[1::4], out[2::4] = rgb[2::3], rgb[1::3], rgb[0::3]
    if cursor:
        w, h, salt, cx, cy = cursor
        for y in range(max(cy, 0), min(cy + h, img.height)):
            for x in range(max(cx, 0), min(cx + w, img.width)):
                p = cursor_pixel(x - cx, y - cy, salt)
                if p >> 24:
                    out[(y * img.width + x) * 4:(y * img.width + x) * 4 + 4] = \
                        struct.pack("<I", p & 0xffffff)
    return zlib.crc32(bytes(out))


def debugfs_crcs(vm, n=3):
    """n CRCs of CRTC 0 from debugfs, as (frame, crc) pairs."""
    r = vm.run(DEBUGFS + "; echo auto > $d/crtc-0/crc/control; "
               "head -n %d $d/crtc-0/crc/data" % n, timeout=60, check=True)
    out = []
    # Each entry debugfs hands out ends with a NUL after its newline.
    for line in r.stdout.replace("\0", "").splitlines():
        frame, crc = line.split()[:2]
        out.append((int(frame, 16), int(crc, 16)))
    assert len(out) == n, r
    return out


def settled_crc(vm, tries=5):
    """The CRC once it stopped changing: the last of a few frames, once
    the last two agree (the device may still be taking an update in when
    the CRCs start)."""
    for _ in range(tries):
        crcs = debugfs_crcs(vm)
        frames = [f for f, _ in crcs]
        assert frames == sorted(frames) and len(set(frames)) == len(frames), crcs
        if crcs[-1][1] == crcs[-2][1]:
            return crcs[-1][1]
    raise AssertionError("the CRC kept changing: %r" % crcs)


def paint_pattern(p):
    p.send("fill", 0, 0, 1024, 768, "203040")
    p.send("fill", 100, 50, 300, 200, "ff0000")
    p.send("fill", 600, 400, 123, 77, "00ff7f")
    p.send("dirty")


def stats(vm):
    return {p: vm.qmp("qom-get", path=BACKEND, property="x-stats-" + p)
            for p in ("bytes-read", "view-updates")}


# (name, pvd_paint options, shown through a view of guest pages)
LAYOUTS = (
    ("view", "--mode 1024x768", True),
    ("view-padded", "--mode 1024x768 --fb-size 1300x900 --pad 24 --offset 8256 "
     "--view 200,100", True),
    ("copy", "--mode 1024x768 --format XB24", False),
)


def test_crc_is_what_host_and_guest_show(vm):
    for name, args, view in LAYOUTS:
        with Painter(vm, args, name="crc-" + name) as p:
            s0 = stats(vm)
            paint_pattern(p)
            s1 = stats(vm)
            # The path this layout is meant to take is the one it took.
            if view:
                assert s1["bytes-read"] == s0["bytes-read"] and \
                    s1["view-updates"] > s0["view-updates"], (name, s0, s1)
            else:
                assert s1["bytes-read"] > s0["bytes-read"] and \
                    s1["view-updates"] == s0["view-updates"], (name, s0, s1)
            host = vm.screendump()
            guest = fbdump(vm)
            assert host.data == guest.data, "%s: host and guest differ before any CRC" % name
            assert settled_crc(vm) == frame_crc(guest), name
            # A change of one rectangle (shown in every layout) changes the
            # CRC accordingly.
            p.send("fill", 300, 200, 5, 5, "ffffff")
            p.send("dirty", 300, 200, 5, 5)
            guest2 = fbdump(vm)
            assert guest2.data != guest.data, name
            assert settled_crc(vm) == frame_crc(guest2), name


def test_crc_includes_the_cursor(vm):
    with Painter(vm, "--mode 1024x768") as p:
        paint_pattern(p)
        guest = fbdump(vm)
        p.send("move", 90, 40)
        p.send("cursor", 64, 64, 3, 3, 5)
        assert settled_crc(vm) == frame_crc(guest, (64, 64, 5, 90, 40))
        # Moves (not waited for, on the cursor queue) are covered too, even
        # partly off the screen.
        p.send("move", -20, 730)
        assert settled_crc(vm) == frame_crc(guest, (64, 64, 5, -20, 730))
        p.send("cursor-off")
        assert settled_crc(vm) == frame_crc(guest)


def test_broken_copy_is_caught_by_crc(vm):
    """The device damages every rectangle it copies: the CRC differs from
    the guest framebuffer's, with no screendump involved.  XBGR8888: a
    format the device copies (converts) even when it could show views."""
    with Painter(vm, "--mode 1024x768 --format XB24", name="crc-broken") as p:
        paint_pattern(p)
        before = settled_crc(vm)
        assert before == frame_crc(fbdump(vm))
        vm.qmp("qom-set", path=BACKEND, property="x-test-corrupt-copy", value=True)
        try:
            p.send("fill", 500, 500, 20, 20, "0000ff")
            p.send("dirty", 500, 500, 20, 20)
            after = settled_crc(vm)
            # The device took the update in (not a stale CRC), wrongly.
            assert after != before, "the CRC did not change with the update"
            assert after != frame_crc(fbdump(vm)), \
                "a corrupted copy went unnoticed by the CRC"
        finally:
            vm.qmp("qom-set", path=BACKEND, property="x-test-corrupt-copy", value=False)
        # A full refresh repairs it, and the CRC says so.
        p.send("dirty")
        assert settled_crc(vm) == frame_crc(fbdump(vm))
