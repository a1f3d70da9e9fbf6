# SPDX-License-Identifier: MIT
"""Damage: the host refreshes what the guest reports as changed, and only
that.  pvd_paint writes pixels without telling anyone ("fill"), then reports
damage in one of the ways userspace can; the host screendump must change
exactly where damage was reported.  Pixels written but not reported must NOT
appear: that proves no pixels move except damaged ones.  That holds on the
device's copy path, forced here with zero-copy=off; with guest pages shown
directly (the default on shared guest RAM) the host shows guest memory as it
is, which test_zero_copy.py checks."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PVDISPLAY_DEVICE, require_device, require_module  # noqa: E402
from display_checks import (Painter, changed_only, device_stats, diff_bbox,  # noqa: E402
                            fbdump, rgb)

require_device(PVDISPLAY_DEVICE)
VM = {"modules": [require_module()], "device_props": {"zero-copy": False}}
TIMEOUT = 600

RED, GREEN, BLUE, WHITE = "ff0000", "00ff00", "0000ff", "ffffff"


def paint(vm, args=""):
    return Painter(vm, "--mode 1024x768 " + args)


def test_unreported_writes_stay_invisible(vm):
    with paint(vm) as p:
        before = vm.screendump()
        assert before.is_uniform((0, 0, 0)), "fresh framebuffer is not black"
        p.send("fill", 100, 100, 50, 40, RED)
        after = vm.screendump()
        assert diff_bbox(before, after) is None, "undamaged pixels reached the host"


def same_page_spans(rect, pitch, offset, cpp, width, height, page=4096):
    """The pixels outside rect that share a memory page with it, as
    (x, y, w, h) row spans: what a device that copied whole pages (or whole
    rows: rows are shorter than a page here) would also show."""
    x, y, w, h = rect
    pages = set()
    for row in range(y, y + h):
        start = offset + row * pitch + x * cpp
        pages.update(range(start // page, (start + w * cpp - 1) // page + 1))
    spans = []
    for row in range(height):
        base = offset + row * pitch
        for pg in sorted(pages):
            # Pixels of this row inside page pg: [x0, x1).
            x0 = max(0, -(-(pg * page - base) // cpp))
            x1 = min(width, ((pg + 1) * page - base) // cpp)
            if x0 >= x1:
                continue
            if y <= row < y + h:
                parts = [(x0, min(x1, x)), (max(x0, x + w), x1)]
            else:
                parts = [(x0, x1)]
            spans += [(a, row, b - a, 1) for a, b in parts if a < b]
    return spans


def test_undamaged_pixels_in_the_same_rows_and_pages_stay_invisible(vm):
    """Pixels written next to a damaged rectangle, in its rows and in every
    page of guest memory it touches, are not shown: the device moves the
    damaged pixels, not the rows or pages around them.  The device's own
    count of guest memory read says the same."""
    # Rows of 640 + 24 padding pixels (2656 bytes, not a divisor of a page)
    # starting 1000 bytes into the buffer: pages straddle rows.
    with paint(vm, "--mode 640x480 --pad 24 --offset 1000") as p:
        m = re.match(r"ok (\d+)x(\d+) (\d+) ", p.send("info").stdout)
        width, height, pitch = int(m.group(1)), int(m.group(2)), int(m.group(3))
        rect = (300, 100, 20, 3)
        spans = same_page_spans(rect, pitch, 1000, 4, width, height)
        assert len({s[1] for s in spans}) >= 4, "the rect's pages should straddle rows"
        before = vm.screendump()
        for span in spans:
            p.send("fill", *span, GREEN)
        p.send("fill", *rect, RED)
        stats = device_stats(vm)
        p.send("dirty", *rect)
        changed_only(before, vm.screendump(), [rect], [rgb(RED)])
        read = device_stats(vm)[1] - stats[1]
        assert read == rect[2] * rect[3] * 4, "the device read %d bytes for %d damaged" % (
            read, rect[2] * rect[3] * 4)


def test_dirtyfb_one_small_rect(vm):
    with paint(vm) as p:
        before = vm.screendump()
        p.send("fill", 100, 100, 50, 40, RED)
        p.send("dirty", 100, 100, 50, 40)
        changed_only(before, vm.screendump(), [(100, 100, 50, 40)], [rgb(RED)])


def test_atomic_damage_two_far_rects(vm):
    with paint(vm) as p:
        before = vm.screendump()
        p.send("fill", 10, 10, 20, 20, GREEN)
        p.send("fill", 980, 720, 30, 30, BLUE)
        p.send("fill", 500, 300, 10, 10, WHITE)       # written, never reported
        p.send("damage", 10, 10, 20, 20, 980, 720, 30, 30)
        changed_only(before, vm.screendump(), [(10, 10, 20, 20), (980, 720, 30, 30)],
                     [rgb(GREEN), rgb(BLUE)])


def test_rects_on_last_row_and_column(vm):
    with paint(vm) as p:
        before = vm.screendump()
        rects = [(1016, 0, 8, 4), (0, 764, 8, 4), (1023, 767, 1, 1), (600, 767, 424, 1)]
        for x, y, w, h in rects:
            p.send("fill", x, y, w, h, RED)
        p.send("dirty", *[v for r in rects for v in r])
        changed_only(before, vm.screendump(), rects, [rgb(RED)] * len(rects))


def test_overlapping_rects(vm):
    with paint(vm) as p:
        before = vm.screendump()
        p.send("fill", 200, 200, 100, 100, GREEN)
        p.send("fill", 250, 250, 100, 100, GREEN)
        p.send("damage", 200, 200, 100, 100, 250, 250, 100, 100)
        after = vm.screendump()
        assert diff_bbox(before, after) == (200, 200, 350, 350)
        changed_only(before, after, [(200, 200, 100, 100), (250, 250, 100, 100)],
                     [rgb(GREEN)] * 2)


def test_full_frame_update(vm):
    """DIRTYFB without clips and a commit without damage both mean
    "everything": pixels written earlier without damage appear."""
    with paint(vm) as p:
        p.send("fill", 0, 0, 1024, 768, BLUE)
        p.send("fill", 300, 300, 64, 64, WHITE)
        p.send("dirty")
        host = vm.screendump()
        assert host.data == fbdump(vm).data
        assert host.pixel(0, 0) == rgb(BLUE) and host.pixel(300, 300) == rgb(WHITE)
        p.send("fill", 0, 0, 1024, 768, GREEN)
        p.send("commit")
        assert vm.screendump().is_uniform(rgb(GREEN))


def test_many_clips_merged(vm):
    """More clips than one request carries (16): the driver merges, never
    drops.  250 is just under DIRTYFB's limit of 256 clips."""
    with paint(vm) as p:
        before = vm.screendump()
        rects = [(8 + (i % 30) * 33, 8 + (i // 30) * 70, 16, 16) for i in range(250)]
        for x, y, w, h in rects:
            p.send("fill", x, y, w, h, WHITE)
        p.send("dirty", *[v for r in rects for v in r])
        after = vm.screendump()
        for x, y, w, h in rects:
            assert after.crop(x, y, w, h).is_uniform(rgb(WHITE)), (x, y)
        # Merging may refresh more area, but only with what the fb holds.
        assert after.data == fbdump(vm).data
        assert before.is_uniform((0, 0, 0))


def test_atomic_damage_beyond_256_clips_sends_the_frame(vm):
    """FB_DAMAGE_CLIPS has no limit of its own; the driver merges at most
    DIRTYFB's 256 clips (with interrupts off) and sends the whole frame
    for more.  256 one-pixel clips along the top row leave a pixel written
    far from them invisible; 257 bring it."""
    with paint(vm) as p:
        for n, shown in ((256, False), (257, True)):
            p.send("fill", 0, 0, 1024, 768, "000000")
            p.send("dirty")
            p.send("fill", 0, 0, 1024, 768, RED)
            p.send("damage", *[v for i in range(n) for v in (i * 2 % 1024, 0, 1, 1)])
            host = vm.screendump()
            assert host.pixel(0, 0) == rgb(RED), n
            assert (host.pixel(700, 500) == rgb(RED)) == shown, n


def test_page_flip_full_refresh(vm):
    with paint(vm) as p:
        p.send("fill", 0, 0, 1024, 768, RED)
        p.send("flip")
        host = vm.screendump()
        assert host.is_uniform(rgb(RED)), "flip to the other buffer not shown in full"
        p.send("fill", 40, 40, 8, 8, GREEN)
        p.send("damage", 40, 40, 8, 8)
        changed_only(host, vm.screendump(), [(40, 40, 8, 8)], [rgb(GREEN)])


def test_page_flip_with_frame_damage(vm):
    """A flip to the other buffer with FB_DAMAGE_CLIPS (PVDISPLAY_F_FRAME_DAMAGE):
    the clips are what changed since the frame shown, so the host takes only
    them from the new buffer and keeps the rest of its frame.  The new
    buffer also holds a rectangle the frame never showed (written without
    damage): it must stay invisible."""
    with paint(vm) as p:
        p.send("fill", 0, 0, 1024, 768, BLUE)
        p.send("commit")
        before = vm.screendump()
        assert before.is_uniform(rgb(BLUE))
        p.send("fill", 500, 300, 10, 10, WHITE)     # never reported
        p.send("flip", 40, 40, 8, 8, GREEN)         # a copy of the front + a rect
        changed_only(before, vm.screendump(), [(40, 40, 8, 8)], [rgb(GREEN)])
        guest = fbdump(vm)
        assert guest.crop(500, 300, 10, 10).is_uniform(rgb(WHITE)), \
            "pvd_paint did not copy the front buffer"


def test_async_page_flip(vm):
    """An asynchronous page flip (DRM_MODE_PAGE_FLIP_ASYNC) is shown in full
    when the blocking commit returns, and with FB_DAMAGE_CLIPS only the
    clips move, as for a paced flip."""
    with paint(vm) as p:
        p.send("fill", 0, 0, 1024, 768, RED)
        p.send("aflip")
        before = vm.screendump()
        assert before.is_uniform(rgb(RED)), "async flip not shown in full"
        p.send("fill", 300, 200, 10, 10, WHITE)     # never reported
        p.send("aflip", 40, 40, 8, 8, GREEN)
        changed_only(before, vm.screendump(), [(40, 40, 8, 8)], [rgb(GREEN)])


def test_unusual_layout(vm):
    """stride != width * cpp, a framebuffer offset, and a source rectangle
    inside a larger framebuffer: damage in framebuffer coordinates lands at
    the right place on the host, clipped to what is shown."""
    # fb 1300x900 with 24 pixels of padding per row and pixel (0,0) 8 KiB + 64 B
    # into the buffer; the 1024x768 mode shows the part starting at (200, 100).
    with paint(vm, "--fb-size 1300x900 --pad 24 --offset 8256 --view 200,100") as p:
        before = vm.screendump()
        assert (before.width, before.height) == (1024, 768)
        # Fully inside the view, then straddling its left/top edge, then
        # entirely outside it (must change nothing).
        p.send("fill", 300, 200, 40, 30, RED)
        p.send("fill", 180, 90, 40, 30, GREEN)
        p.send("fill", 0, 0, 100, 50, BLUE)
        p.send("dirty", 300, 200, 40, 30, 180, 90, 40, 30, 0, 0, 100, 50)
        changed_only(before, vm.screendump(), [(100, 100, 40, 30), (0, 0, 20, 20)],
                     [rgb(RED), rgb(GREEN)])
        assert vm.screendump().data == fbdump(vm).data


def test_rgb565_and_xbgr(vm):
    """Other formats convert correctly (extra formats feature)."""
    for fmt in ("RG16", "XB24", "AR24"):
        with Painter(vm, "--mode 640x480 --format %s" % fmt, name="paint-" + fmt) as p:
            before = vm.screendump()
            # Full-intensity channels are exact in every format, and a
            # red/blue swap would show.
            p.send("fill", 64, 32, 128, 64, RED)
            p.send("fill", 320, 240, 64, 64, GREEN)
            p.send("dirty", 64, 32, 128, 64, 320, 240, 64, 64)
            changed_only(before, vm.screendump(), [(64, 32, 128, 64), (320, 240, 64, 64)],
                         [rgb(RED), rgb(GREEN)])


def test_one_request_per_update_reading_only_damage(vm):
    """Counted by the device itself (x-stats-*): every plane update is one
    guest->host request, and the host reads exactly the damaged pixels from
    guest memory (a blocking commit returns after its flip is done, which
    the driver signals only once the device has answered, so the counters
    are final when pvd_paint answers)."""
    full = 1024 * 768 * 4
    with paint(vm) as p:
        def step(*words):
            before = device_stats(vm)
            if words:
                p.send(*words)
            after = device_stats(vm)
            return after[0] - before[0], after[1] - before[1]

        assert step("fill", 100, 100, 50, 40, RED) == (0, 0), "a write without damage moved data"
        assert step("dirty", 100, 100, 50, 40) == (1, 50 * 40 * 4)
        assert step("damage", 10, 10, 20, 20, 980, 720, 30, 30) == (1, (20 * 20 + 30 * 30) * 4)
        # 250 clips are more than one request carries: still one request,
        # reading at least every damaged pixel and at most the frame.
        rects = [(8 + (i % 30) * 33, 8 + (i // 30) * 70, 16, 16) for i in range(250)]
        updates, read = step("dirty", *[v for r in rects for v in r])
        assert updates == 1 and 250 * 16 * 16 * 4 <= read <= full, (updates, read)
        assert step("commit") == (1, full), "a commit without damage is a full update"
        assert step("flip") == (1, full), "a flip without damage is a full update"
        assert step("flip", 40, 40, 8, 8, GREEN) == (1, 8 * 8 * 4), \
            "a flip with frame damage reads only the damage"
        assert step() == (0, 0), "the device read guest memory on its own"


def test_dirtyfb_burst_loses_no_damage(vm):
    """300 DIRTYFB ioctls back to back, each on its own glyph: they return
    without waiting for the device, damage arriving while a request is in
    flight is merged into the next one (at most one request per ioctl), and
    every glyph reaches the host while the pixels between them, written
    without damage, stay invisible."""
    with paint(vm) as p:
        rects = [(8 + (i % 30) * 33, 8 + (i // 30) * 70, 8, 16) for i in range(300)]
        before = vm.screendump()
        script = "; ".join("pvd_paint send %s fill %d %d %d %d %s" % ((p.dir,) + r + (WHITE,))
                           for r in rects)
        vm.run(script, timeout=600, check=True)
        p.send("fill", 0, 760, 1024, 8, RED)        # never reported
        stats = device_stats(vm)
        p.send("burst", *[v for r in rects for v in r])
        updates = device_stats(vm)[0] - stats[0]
        assert 1 <= updates <= 300, updates
        changed_only(before, vm.screendump(), rects, [rgb(WHITE)] * len(rects))
