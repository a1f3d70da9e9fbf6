# SPDX-License-Identifier: MIT
"""Several heads with pvdisplay.ko: two and four heads, each lit with its own
mode and content in ONE atomic commit (pvd_multihead), each host console
showing its own; then the host closes a head's window (D-Bus SetUIInfo with
a zero size): the guest connector goes disconnected and fbcon switches its
CRTC off; reopening the window restores it at the new size."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PVDISPLAY_DEVICE, Vm, require_device, require_module  # noqa: E402
from display_checks import (Painter, fbdump, quiet_console,  # noqa: E402
                            require_guest_program, rgb, wait_for)
from resize_checks import (UeventMonitor, connector_id, connector_state,  # noqa: E402
                           crtc_of_connector, wait_host_size)

require_device(PVDISPLAY_DEVICE)
VM = {"modules": [require_module()], "heads": 4, "display": "dbus",
      "xres": 1024, "yres": 768}
TIMEOUT = 300

MARK = 32       # pvd_multihead's white square in each head's top-left corner


def light_heads(vm, heads):
    """pvd_multihead: heads is [(connector, w, h, "rrggbb")]; every other
    head goes off in the same commit.  Returns the Spawned holding them."""
    require_guest_program(vm, "pvd_multihead")
    spec = " ".join("%d:%dx%d:%s" % h for h in heads)
    proc = vm.spawn("exec pvd_multihead --hold " + spec)
    log = wait_for(lambda: (lambda t: t if "committed" in t or "failed" in t or
                            "no pipe" in t else None)(
        vm.run("cat %s" % proc.log).stdout), 60, "pvd_multihead's commit")
    assert "committed" in log, log
    assert len(re.findall(r"^head \d+ crtc \d+", log, re.M)) == len(heads), log
    return proc


def check_head_shows(vm, head, w, h, color):
    """The host console of head shows w x h of color with the white mark."""
    img, _ = wait_host_size(vm, (w, h), head=head)
    img = wait_for(lambda: (lambda i: i if i.pixel(w - 1, h - 1) == rgb(color) else None)(
        vm.screendump(head=head)), 30, "head %d's content on the host" % head)
    assert img.crop(0, 0, MARK, MARK).is_uniform((255, 255, 255)), "head %d: no mark" % head
    assert img.crop(MARK, 0, w - MARK, h).is_uniform(rgb(color)), \
        "head %d does not show only %s" % (head, color)
    assert img.crop(0, MARK, MARK, h - MARK).is_uniform(rgb(color))


def check_one_commit(vm, heads, all_heads):
    proc = light_heads(vm, heads)
    try:
        for conn, w, h, color in heads:
            check_head_shows(vm, conn, w, h, color)
            assert crtc_of_connector(vm, conn)[1:] == (True, (w, h))
        for conn in set(range(all_heads)) - {h[0] for h in heads}:
            assert crtc_of_connector(vm, conn)[1] is False, "head %d still on" % conn
    finally:
        vm.kill_spawned(proc)


def test_four_heads_one_commit(vm):
    check_one_commit(vm, [(0, 1024, 768, "c00000"), (1, 800, 600, "00c000"),
                          (2, 1280, 768, "0000c0"), (3, 640, 480, "c0c000")], 4)


def test_two_of_four_heads_one_commit(vm):
    """Two heads on, the two others off, in the same commit."""
    check_one_commit(vm, [(1, 1440, 900, "c000c0"), (3, 800, 600, "00c0c0")], 4)


def test_two_head_device_one_commit():
    """A device with two heads (its own guest)."""
    with Vm(name="test_multihead-2", modules=[require_module()], heads=2,
            xres=1024, yres=768) as vm:
        check_one_commit(vm, [(0, 800, 600, "804000"), (1, 1280, 1024, "008040")], 2)


def test_framebuffer_spans_heads(vm):
    """Xorg puts every output in one framebuffer, side by side: four heads
    of up to max-xres (7680) each make one wider than a head can show.  The
    head shows its part of it (a source rectangle at x = 7168)."""
    with Painter(vm, "--mode 1024x768 --fb-size 8192x768 --view 7168,0") as p:
        p.send("fill", 0, 0, 8192, 768, "0000c0")
        p.send("fill", 7168, 0, 1024, 768, "c00000")
        p.send("fill", 8000, 700, 40, 30, "00c000")
        p.send("dirty")
        host = wait_for(lambda: (lambda i: i if i.pixel(832, 700) == rgb("00c000") else None)(
            vm.screendump(head=0)), 30, "head 0's part of the wide framebuffer")
        assert host.crop(832, 700, 40, 30).is_uniform(rgb("00c000"))
        assert host.crop(0, 0, 1024, 600).is_uniform(rgb("c00000"))


def fb0_mark(vm, color):
    """Fill fb0's top-left 64x64 (fbcon's buffer, shown on every head fbcon
    lights)."""
    vm.run("pvd_fbwrite 0 0 64 64 %s" % color, check=True)


def host_shows_mark(vm, head, color):
    return vm.screendump(head=head).crop(0, 0, 64, 64).is_uniform(rgb(color))


def test_host_closes_and_reopens_a_head(vm):
    # pvd_multihead is gone: fbcon has every head back.
    for head in range(4):
        wait_for(lambda: crtc_of_connector(vm, head)[1], 30, "fbcon on head %d" % head)
    quiet_console(vm)
    cid = connector_id(vm, 3)
    vm.dbus_display.wait_ready()
    # The window of head 3 is open at the head's size: the console's last
    # UI size, which a close (0x0) must differ from to be passed on.
    vm.dbus_display.set_ui_info(3, 1024, 768)

    with UeventMonitor(vm) as mon:
        vm.dbus_display.set_ui_info(3, 0, 0)        # window closed
        mon.wait_hotplug(connector=cid)
    wait_for(lambda: connector_state(vm, 3)[0] == "disconnected", 30,
             "Virtual-4 to be disconnected")
    wait_for(lambda: crtc_of_connector(vm, 3) == (0, False, None), 30,
             "fbcon to switch head 3's CRTC off")
    fb0_mark(vm, "00ff00")
    for head in range(3):
        wait_for(lambda: host_shows_mark(vm, head, "00ff00"), 30,
                 "fbcon's content on head %d" % head)
    assert not host_shows_mark(vm, 3, "00ff00"), "the closed head still shows the guest"

    with UeventMonitor(vm) as mon:
        vm.dbus_display.set_ui_info(3, 800, 600)    # window reopened
        mon.wait_hotplug(connector=cid)
    wait_for(lambda: connector_state(vm, 3)[:2] == ("connected", (800, 600)), 30,
             "Virtual-4 to come back at 800x600")
    wait_for(lambda: crtc_of_connector(vm, 3)[1:] == (True, (800, 600)), 30,
             "fbcon to light head 3 again")
    wait_host_size(vm, (800, 600), head=3)
    fb0_mark(vm, "ff00ff")
    wait_for(lambda: host_shows_mark(vm, 3, "ff00ff"), 30, "fbcon's content on head 3")
    host, guest = vm.screendump(head=3), fbdump(vm, connector=3)
    assert host.data == guest.data, "head 3: the host does not show the guest's framebuffer"
