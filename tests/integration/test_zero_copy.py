# SPDX-License-Identifier: MIT
"""Zero copy: guest RAM is a shared memfd (the harness's default), so the
device shows XRGB8888/ARGB8888 framebuffers through a view of the guest's
pages and an update copies nothing.  What that guarantees instead of
test_damage.py's "unreported writes stay invisible" (which runs with
zero-copy=off): after an update, the host shows exactly what guest memory
holds, every damaged pixel included, and the device read no guest memory to
get there (x-stats-bytes-read unchanged, x-stats-view-updates counting).
Pixels written without damage may show at any time: the UI is only told
where to redraw.  Formats the console cannot show as they are fall back to
copying, and front-buffer updates (DIRTYFB) return without waiting for a
vblank, coalescing when the client outruns the device."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PVDISPLAY_DEVICE, Vm, require_device, require_module  # noqa: E402
from display_checks import Painter, fbdump, rgb, wait_for  # noqa: E402

require_device(PVDISPLAY_DEVICE)
VM = {"modules": [require_module()]}
TIMEOUT = 600

RED, GREEN, BLUE, WHITE = "ff0000", "00ff00", "0000ff", "ffffff"
BACKEND = "/machine/peripheral/video0/virtio-backend"


def stats(vm):
    return {p: vm.qmp("qom-get", path=BACKEND, property="x-stats-" + p)
            for p in ("updates", "bytes-read", "view-updates")}


def delta(a, b):
    return {k: b[k] - a[k] for k in a}


def host_is_guest(vm):
    host, guest = vm.screendump(), fbdump(vm)
    return (host.width, host.height) == (guest.width, guest.height) and \
        host.data == guest.data


def test_updates_copy_nothing(vm):
    with Painter(vm, "--mode 1024x768") as p:
        p.send("fill", 100, 100, 50, 40, RED)
        s0 = stats(vm)
        p.send("dirty", 100, 100, 50, 40)
        p.send("damage", 10, 10, 20, 20, 980, 720, 30, 30)
        p.send("commit")
        d = delta(s0, stats(vm))
        # DIRTYFB returns before the device answers: wait for the host.
        assert vm.screendump().crop(100, 100, 50, 40).is_uniform(rgb(RED))
        assert d["bytes-read"] == 0, d
        assert d["view-updates"] >= 2 and d["updates"] >= 2, d
        assert host_is_guest(vm)


def flip_shows_view(vm, p, args, rect, color):
    """p.send(*args) flips; the host then shows color in rect, read through
    the new buffer's view: nothing copied, one view switch."""
    s0 = stats(vm)
    p.send(*args)
    d = delta(s0, stats(vm))
    assert vm.screendump().crop(*rect).is_uniform(rgb(color)), args
    assert d["bytes-read"] == 0 and d["view-updates"] == 1, (args, d)


def test_flip_switches_views(vm):
    with Painter(vm, "--mode 1024x768") as p:
        p.send("fill", 0, 0, 1024, 768, BLUE)
        flip_shows_view(vm, p, ["flip"], (0, 0, 1024, 768), BLUE)
        s0 = stats(vm)
        p.send("fill", 40, 40, 8, 8, GREEN)
        p.send("damage", 40, 40, 8, 8)
        assert vm.screendump().crop(40, 40, 8, 8).is_uniform(rgb(GREEN))
        d = delta(s0, stats(vm))
        assert d["bytes-read"] == 0, d
        assert host_is_guest(vm)
        # With frame damage: the other buffer's view, the damage announced.
        flip_shows_view(vm, p, ["flip", 100, 100, 16, 16, RED], (100, 100, 16, 16), RED)
        assert host_is_guest(vm)


def test_flip_with_damage_outside_the_view(vm):
    """A page flip whose damage lies wholly outside the shown part of a
    framebuffer larger than the mode changes nothing visible, but must
    still switch the device to the new buffer: one view switch, and what
    is written into the new front buffer afterwards shows through its
    view, not through the old buffer's."""
    with Painter(vm, "--mode 640x480 --fb-size 800x600") as p:
        p.send("fill", 0, 0, 800, 600, BLUE)
        p.send("dirty")
        flip_shows_view(vm, p, ["flip", 700, 500, 16, 16, RED], (0, 0, 640, 480), BLUE)
        p.send("fill", 0, 0, 640, 480, GREEN)
        assert vm.screendump().is_uniform(rgb(GREEN))
        assert host_is_guest(vm)


def test_async_flip_switches_views(vm):
    """An asynchronous page flip (DRM_MODE_PAGE_FLIP_ASYNC) takes the same
    path as a paced one, without the vblank: once the blocking commit has
    returned, the host shows the new buffer through its view and copied
    nothing."""
    with Painter(vm, "--mode 1024x768") as p:
        p.send("fill", 0, 0, 1024, 768, GREEN)
        flip_shows_view(vm, p, ["aflip"], (0, 0, 1024, 768), GREEN)
        flip_shows_view(vm, p, ["aflip", 200, 100, 16, 16, RED], (200, 100, 16, 16), RED)
        assert host_is_guest(vm)


def test_unusual_layout_shows_through_view(vm):
    """Padded stride, an offset and a source sub-rectangle: the view's
    surface starts at the shown pixel and strides like the framebuffer."""
    with Painter(vm, "--mode 1024x768 --fb-size 1300x900 --pad 24 --offset 8256 "
                 "--view 200,100") as p:
        p.send("fill", 300, 200, 40, 30, RED)
        p.send("fill", 1100, 800, 100, 60, GREEN)
        s0 = stats(vm)
        p.send("dirty")
        assert delta(s0, stats(vm))["bytes-read"] == 0
        host = vm.screendump()
        assert host.crop(100, 100, 40, 30).is_uniform(rgb(RED))
        assert host.crop(900, 700, 100, 60).is_uniform(rgb(GREEN))
        assert host_is_guest(vm)


def test_view_ends_inside_the_resource(vm):
    """The right-hand half of a framebuffer that fills its buffer (two
    heads sharing a wide one): a surface over the view is stride * height
    bytes from the first pixel shown as far as the UIs go (the D-Bus display
    copies that much), so it would end half a row past the buffer.  The
    head copies instead, and shows the right pixels."""
    with Painter(vm, "--mode 1024x768 --fb-size 2048x768 --view 1024,0") as p:
        p.send("fill", 0, 0, 2048, 768, BLUE)
        p.send("fill", 1100, 700, 50, 40, RED)
        s0 = stats(vm)
        p.send("dirty")
        host = vm.screendump()
        d = delta(s0, stats(vm))
        assert host.crop(76, 700, 50, 40).is_uniform(rgb(RED))
        assert host.crop(0, 0, 1024, 600).is_uniform(rgb(BLUE))
        assert d["bytes-read"] > 0 and d["view-updates"] == 0, d
        assert host_is_guest(vm)


def test_out_of_view_maps_copies():
    """A view of scattered guest pages takes one host mapping per run of
    adjacent pages, and the device holds at most max-view-maps of them (each
    is a VMA of QEMU's process).  With a limit of one, a 2048x1536 dumb
    buffer (3072 shmem pages, not all adjacent: the driver shared the
    first one after boot in 6 entries when it was traced) gets no view:
    the head copies its 1024x768 part, and the host still shows guest
    memory after each update."""
    with Vm(name="test_zero_copy-maps", modules=[require_module()],
            device_props={"max-view-maps": 1}) as vm:
        with Painter(vm, "--mode 1024x768 --fb-size 2048x1536") as p:
            p.send("fill", 0, 0, 1024, 768, BLUE)
            p.send("fill", 100, 100, 50, 40, RED)
            s0 = stats(vm)
            p.send("dirty")
            host = vm.screendump()
            d = delta(s0, stats(vm))
            assert host.crop(100, 100, 50, 40).is_uniform(rgb(RED))
            assert host.crop(200, 200, 824, 568).is_uniform(rgb(BLUE))
            assert d["view-updates"] == 0 and d["bytes-read"] >= 1024 * 768 * 4, d
            p.send("fill", 900, 700, 20, 10, GREEN)
            s0 = stats(vm)
            p.send("dirty", 900, 700, 20, 10)
            d = delta(s0, stats(vm))
            # Damage only: one copied rectangle, still no view.
            assert d["view-updates"] == 0 and 0 < d["bytes-read"] < 1024 * 768 * 4, d
            assert host_is_guest(vm)


def test_formats_without_view_copy(vm):
    """RGB565 and XBGR8888 are converted: the copy path, damage only."""
    for fmt in ("RG16", "XB24"):
        with Painter(vm, "--mode 640x480 --format %s" % fmt, name="zc-" + fmt) as p:
            p.send("fill", 64, 32, 128, 64, RED)
            s0 = stats(vm)
            p.send("dirty", 64, 32, 128, 64)
            d = delta(s0, stats(vm))
            assert vm.screendump().crop(64, 32, 128, 64).is_uniform(rgb(RED)), fmt
            cpp = 2 if fmt == "RG16" else 4
            assert d["view-updates"] == 0 and d["bytes-read"] == 128 * 64 * cpp, (fmt, d)


def test_dirtyfb_burst(vm):
    """300 DIRTYFB ioctls back to back: the device gets at most one request
    per ioctl (fewer when they coalesce), copies nothing, and the host ends
    up showing guest memory.  (test_damage.py checks on the copy path that
    coalesced damage loses no pixel.)"""
    with Painter(vm, "--mode 1024x768") as p:
        rects = [((i * 37) % 1000, (i * 53) % 740, 8, 16) for i in range(300)]
        p.send("fill", 0, 0, 1024, 768, WHITE)
        s0 = stats(vm)
        p.send("burst", *[v for r in rects for v in r])
        d = delta(s0, stats(vm))
        assert 1 <= d["updates"] <= 300 and d["bytes-read"] == 0, d
        assert d["view-updates"] == d["updates"], d
        assert host_is_guest(vm)


def test_destroying_the_shown_buffer(vm):
    """The client exits while its buffer is shown: the device turns the
    head off (a placeholder of the same size) before it drops the view,
    and fbcon comes back through a view of its own buffer."""
    with Painter(vm, "--mode 800x600") as p:
        p.send("fill", 0, 0, 800, 600, RED)
        p.send("dirty")
        assert vm.screendump().is_uniform(rgb(RED))
        s0 = stats(vm)
    img = vm.screendump()
    assert not img.is_uniform(rgb(RED))
    assert vm.run("true").rc == 0
    # fbcon's own buffer on the head, shown through a view: nothing copied.
    wait_for(lambda: host_is_guest(vm), 30, "the host to show fbcon's framebuffer")
    d = delta(s0, stats(vm))
    assert d["view-updates"] >= 1 and d["bytes-read"] == 0, d
