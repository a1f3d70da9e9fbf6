# SPDX-License-Identifier: MIT
"""fbdev emulation: fbcon's text reaches the host, and so do writes to
/dev/fb0 through mmap (deferred I/O page faults) and write(2)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PVDISPLAY_DEVICE, require_device, require_module  # noqa: E402
from display_checks import (changed_only, diff_bbox, fbdump, quiet_console,  # noqa: E402
                            require_guest_program, rgb, wait_for)

require_device(PVDISPLAY_DEVICE)
VM = {"modules": [require_module()], "xres": 1024, "yres": 768}
TIMEOUT = 300

FBCON_FG = (0xaa, 0xaa, 0xaa)      # fbcon's default foreground (light grey)


def test_fbcon_on_host(vm):
    quiet_console(vm)
    blank = wait_for(lambda: (lambda i: i if i.is_uniform((0, 0, 0)) else None)(
        vm.screendump()), 10, "the cleared console to reach the host")
    # Two rows of 20 full-block characters at row 5, column 10 (1-based).
    vm.run("printf '\\033[5;10H%s\\033[6;10H%s' > /dev/tty1" % ("\u2588" * 20, "\u2588" * 20),
           check=True)
    shown = wait_for(lambda: (lambda i: i if diff_bbox(blank, i) else None)(
        vm.screendump()), 10, "console text on the host")
    x0, y0, x1, y1 = diff_bbox(blank, shown)
    cw, ch = (x1 - x0) // 20, (y1 - y0) // 2
    assert cw in (8, 10, 12, 16) and ch in (16, 20, 22, 24, 32), \
        "text block %r does not look like 20x2 character cells" % ((x0, y0, x1, y1),)
    assert (x0, y0) == (9 * cw, 4 * ch), \
        "text at (%d,%d), expected cell (10,5) = (%d,%d)" % (x0, y0, 9 * cw, 4 * ch)
    assert shown.crop(x0, y0, x1 - x0, y1 - y0).is_uniform(FBCON_FG)
    assert shown.data == fbdump(vm).data, "host differs from fbcon's framebuffer"


def test_fb0_mmap_reaches_host(vm):
    require_guest_program(vm, "pvd_fbwrite")
    quiet_console(vm)
    info = vm.run("pvd_fbwrite --info", check=True).stdout.split()
    assert info[0] == "1024x768", "fb0 is %s" % info[0]
    before = wait_for(lambda: (lambda i: i if i.is_uniform((0, 0, 0)) else None)(
        vm.screendump()), 10, "a blank console")
    vm.run("pvd_fbwrite 200 150 64 48 00ff00", check=True)
    # Deferred I/O flushes after a short delay.
    wait_for(lambda: diff_bbox(before, vm.screendump()), 10, "the fb0 write on the host")
    changed_only(before, vm.screendump(), [(200, 150, 64, 48)], [rgb("00ff00")])


def test_fb0_write_syscall_reaches_host(vm):
    quiet_console(vm)
    before = wait_for(lambda: (lambda i: i if i.is_uniform((0, 0, 0)) else None)(
        vm.screendump()), 10, "a blank console")
    vm.run("pvd_fbwrite --syscall 1000 700 24 68 ff00ff", check=True)
    wait_for(lambda: diff_bbox(before, vm.screendump()), 10, "the fb0 write on the host")
    changed_only(before, vm.screendump(), [(1000, 700, 24, 68)], [rgb("ff00ff")])
