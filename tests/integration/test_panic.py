# SPDX-License-Identifier: MIT
"""A kernel panic shows on the host: drm_panic draws its screen into the
framebuffer the head scans out and the driver's panic_flush sends one
update of the whole head, without sleeping and without waiting for the
answer (the panicking CPU never gets one).

Each guest boots with panic=0 (it stays in the panic loop instead of
rebooting, so the host can still be asked what it shows), fills the head
with a colour drm_panic never draws, checks the host shows it, and
crashes with sysrq 'c'.  The host must then show the panic screen over
the whole head: drm_panic's background and foreground colours only
(white on black), both of them, and not one pixel of the colour before;
and the device must have completed an update after the panic.

Each way the driver gives drm_panic the pixels is covered: fbcon's
framebuffer, which has a kernel mapping (the driver hands drm_panic that
address); a KMS client's dumb buffer, which has none (the driver hands
over the pinned pages); and a dumb buffer larger than the mode shown from
inside (a source rectangle, as each head of a multi-head Xorg desktop
has), which drm_panic cannot walk itself (the driver writes its pixels).
fbcon's guest draws the kernel's default screen (Debian's: the QR code;
the debug kernel, built without Rust: "user"); the clients' draw "user",
which depends only on the size and the message, so the two must show the
same image pixel for pixel.

The clients' guests run the device's copy path (zero-copy=off), where
the host shows only what an update copied: there the pixels prove the
flush.  fbcon's runs the default, a view of guest memory, where a
screendump reads guest memory whatever was sent: there the update count
proves that the UI was told to redraw (what a VNC or GTK window needs
to show the panic)."""

import os
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PVDISPLAY_DEVICE, Vm, require_device, require_module  # noqa: E402
from display_checks import (Painter, device_stats, diff_bbox, settled_update_count,  # noqa: E402
                            quiet_console, require_guest_program, rgb, wait_for)

require_device(PVDISPLAY_DEVICE)
SIZE = (800, 600)
# The head's colour before the panic: neither of drm_panic's colours.
FILL = "2060a0"
# CONFIG_DRM_PANIC_FOREGROUND_COLOR / _BACKGROUND_COLOR of both kernels.
PANIC_COLORS = {rgb("ffffff"), rgb("000000")}
PANIC_LINE = "Kernel panic - not syncing: sysrq triggered crash"
TIMEOUT = 600


def panic_vm(name, zero_copy):
    # The panic's own report is the point of the test; panic() prints one
    # stack trace, checked below to be the only one.
    return Vm(name=name, modules=[require_module()], xres=SIZE[0], yres=SIZE[1],
              device_props={"zero-copy": zero_copy}, kernel_args="panic=0",
              allow_splats=[re.escape(PANIC_LINE), r"Call Trace:"])


def colors(img):
    data = img.data
    return Counter(tuple(data[i:i + 3]) for i in range(0, len(data), 3))


def host_shows_fill(vm):
    img = vm.screendump()
    return (img.width, img.height) == SIZE and img.is_uniform(rgb(FILL))


def panic_and_check(vm, screen=None):
    """Crash the guest; the host must show the panic screen over the whole
    head; return that image.  screen: drm_panic's screen, if not the
    kernel's default.  The guest is dead afterwards: it is killed and its
    serial log scanned (only the panic's own report is allowed)."""
    if screen:
        # printf: the parameter takes the name without a newline.
        vm.run("printf %s > /sys/module/drm/parameters/panic_screen" % screen, check=True)
    # The count once updates from before the panic (fbdev's deferred I/O
    # flushes a while after a write) have stopped coming.
    updates = settled_update_count(vm)
    # No answer comes: the agent's command never finishes.
    vm.spawn("sleep 1; echo c > /proc/sysrq-trigger")

    def panic_screen():
        img = vm.screendump()
        seen = colors(img)
        if (img.width, img.height) != SIZE or set(seen) != PANIC_COLORS:
            return None
        return seen
    try:
        seen = wait_for(panic_screen, 120, "the host to show only drm_panic's colours")
    except AssertionError:
        img = vm.screendump()
        top = colors(img).most_common(4)
        raise AssertionError("after the panic the host shows %dx%d, colours %r"
                             % (img.width, img.height, top)) from None
    wait_for(lambda: device_stats(vm)[0] > updates, 30, "an update after the panic")
    # The screen stays: nothing runs on the guest any more to change it.
    shown = vm.screendump()
    assert colors(shown) == seen, "the panic screen changed: %r -> %r" % (seen, colors(shown))
    vm.kill("the guest panicked on purpose")
    with open(vm.serial_log, errors="replace") as f:
        serial = f.read()
    assert PANIC_LINE in serial, "no panic in the serial log (%s)" % vm.serial_log
    after = serial[serial.index(PANIC_LINE):]
    traces = serial.count("Call Trace:")
    assert traces == after.count("Call Trace:") == 1, \
        "%d stack traces in the serial log, expected only the panic's" % traces
    return shown


def test_panic_over_fbcon():
    """fbcon's framebuffer (kernel-mapped) on the head, shown as a view."""
    with panic_vm("test_panic-fbcon", zero_copy=True) as vm:
        require_guest_program(vm, "pvd_fbwrite")
        quiet_console(vm)
        vm.run("pvd_fbwrite 0 0 %d %d %s" % (SIZE + (FILL,)), check=True)
        wait_for(lambda: host_shows_fill(vm), 30, "the host to show the fill")
        panic_and_check(vm)


def panic_over_client(name, args="", fb_size=SIZE):
    with panic_vm(name, zero_copy=False) as vm:
        paint = Painter(vm, args)
        assert (paint.width, paint.height) == SIZE
        paint.send("fill", 0, 0, fb_size[0], fb_size[1], FILL)
        paint.send("dirty")
        wait_for(lambda: host_shows_fill(vm), 30, "the host to show the fill")
        return panic_and_check(vm, screen="user")


def test_panic_over_kms_clients():
    """A KMS client's dumb buffer (only its pages) on the head, then, in a
    second guest, the middle of a larger one; both copied.  drm_panic's
    "user" screen depends only on the area's size and the panic message,
    so the two must show the same image pixel for pixel: the driver's own
    writes for the second land where drm_panic's page walk put the
    first's."""
    whole = panic_over_client("test_panic-client")
    middle = panic_over_client("test_panic-view", "--fb-size 1000x700 --view 104,50",
                               (1000, 700))
    assert middle.data == whole.data, \
        "the panic screen in the middle of a larger buffer differs, bounding box %r" \
        % (diff_bbox(whole, middle),)
