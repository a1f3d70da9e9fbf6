# SPDX-License-Identifier: MIT
"""Helpers for host-driven display tests: image comparison and the guest
programs of igt-tests/ (pvd_paint, pvd_fbdump, pvd_fbwrite)."""

import base64
import os
import re
import time

from harness import CommandFailed, Image, MissingComponent


def diff_bbox(a, b):
    """Bounding box (x0, y0, x1, y1), exclusive, of the pixels that differ
    between two equally sized images; None if they are equal."""
    if (a.width, a.height) != (b.width, b.height):
        raise AssertionError("image sizes differ: %r vs %r" % (a, b))
    stride = a.width * 3
    x0 = y0 = None
    x1 = y1 = 0
    for y in range(a.height):
        ra = a.data[y * stride:(y + 1) * stride]
        rb = b.data[y * stride:(y + 1) * stride]
        if ra == rb:
            continue
        first = next(i for i in range(stride) if ra[i] != rb[i]) // 3
        last = next(i for i in range(stride - 1, -1, -1) if ra[i] != rb[i]) // 3
        y0 = y if y0 is None else y0
        y1 = y + 1
        x0 = first if x0 is None else min(x0, first)
        x1 = max(x1, last + 1)
    return None if y0 is None else (x0, y0, x1, y1)


def rect_color(img, x, y, w, h):
    """The single colour of a rectangle, or None if it is not uniform."""
    part = img.crop(x, y, w, h)
    return part.pixel(0, 0) if part.is_uniform() else None


def changed_only(before, after, rects, colors):
    """Assert that after differs from before exactly inside rects (a list of
    (x, y, w, h)) and that each rect now has its colour."""
    for (x, y, w, h), rgb in zip(rects, colors):
        got = rect_color(after, x, y, w, h)
        assert got == tuple(rgb), "rect %r shows %r, expected %r" % ((x, y, w, h), got, rgb)
    # Outside the rects nothing changed: blank the rects in both and compare.
    b, a = bytearray(before.data), bytearray(after.data)
    for x, y, w, h in rects:
        for r in range(y, y + h):
            s = (r * before.width + x) * 3
            b[s:s + w * 3] = a[s:s + w * 3] = bytes(w * 3)
    bbox = diff_bbox(Image(before.width, before.height, bytes(b)),
                     Image(after.width, after.height, bytes(a)))
    assert bbox is None, "pixels outside %r changed, bounding box %r" % (rects, bbox)


def rgb(hexstr):
    v = int(hexstr, 16)
    return (v >> 16 & 0xff, v >> 8 & 0xff, v & 0xff)


def guest_image(vm, path):
    """Load an image the guest wrote under /pvd (the run share).  With a
    block-device root (Vm(root="blk")) the share is a disk image only the
    guest reads: the file comes through the agent then (images up to
    1920x1080: the agent sends 8 MiB of output at most), and is removed."""
    assert path.startswith("/pvd/")
    if vm.root == "blk":
        out = vm.run("base64 -w0 %s && rm %s" % (path, path), timeout=120, check=True)
        return Image.from_bytes(base64.b64decode(out.stdout), path)
    return Image.load(os.path.join(vm.share, path[len("/pvd/"):]))


def fbdump(vm, connector=0):
    """What the guest's CRTC for connector shows, read from the guest fb."""
    out = "/pvd/fbdump-%d.ppm" % time.monotonic_ns()
    vm.run("pvd_fbdump --connector %d %s" % (connector, out), timeout=120, check=True)
    return guest_image(vm, out)


def quiet_console(vm):
    """Stop fbcon from drawing on its own: no cursor, no blinking, no
    blanking; then clear it.  Kernel messages never reach fbcon (the
    guests' only kernel console is ttyS0), and the console log level is
    left alone: the serial log must keep every warning for the splat
    scan at shutdown, after a reboot or a panic."""
    vm.run("echo 0 > /sys/class/graphics/fbcon/cursor_blink; "
           "printf '\\033[?25l\\033[9;0]\\033[2J' > /dev/tty1", check=True)


def host_matches_guest(vm, timeout=10, connector=0):
    """Wait until the host shows exactly what the guest's CRTC scans out
    (fbdev's deferred I/O flushes after a short delay)."""
    def same():
        try:
            guest = fbdump(vm, connector)
        except CommandFailed:       # nothing on the CRTC yet
            return False
        host = vm.screendump()
        return host.data == guest.data and (host.width, host.height) == \
            (guest.width, guest.height)
    wait_for(same, timeout, "the host to show the guest's framebuffer")


def device_stats(vm, device="video0"):
    """The pvdisplay device's counters: (SCANOUT_UPDATE requests completed,
    bytes of guest memory read to refresh the consoles)."""
    path = "/machine/peripheral/%s/virtio-backend" % device
    return tuple(vm.qmp("qom-get", path=path, property=prop)
                 for prop in ("x-stats-updates", "x-stats-bytes-read"))


def settled_update_count(vm, quiet=1.0, timeout=30):
    """The device's count of updates once it has stayed the same for quiet
    seconds (fbdev's deferred I/O flushes a while after a write), for a
    baseline that late updates from before cannot move."""
    def still():
        first = device_stats(vm)[0]
        time.sleep(quiet)
        return (first,) if device_stats(vm)[0] == first else None
    return wait_for(still, timeout, "the device's update count to settle")[0]


def wait_for(predicate, timeout, what, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))
        time.sleep(interval)


def require_guest_program(vm, name, hint="igt-tests not built?"):
    """Fail the test unless the guest has the program name.  A lookup that
    did not finish (a guest stalled, or the host paused) is reported as
    such, not as a missing program."""
    r = vm.run("command -v %s" % name, timeout=30)
    if r.timed_out:
        raise AssertionError("'command -v %s' did not finish within 30 s in the guest"
                             % name)
    if r.rc != 0:
        raise MissingComponent("%s is not in the guest (%s)" % (name, hint))


class Painter:
    """A pvd_paint server in the guest: holds a framebuffer on screen and
    executes commands between host screendumps."""

    def __init__(self, vm, args="", name="paint"):
        require_guest_program(vm, "pvd_paint")
        self.vm = vm
        self.dir = "/tmp/%s" % name
        self.proc = vm.spawn("pvd_paint serve %s %s" % (self.dir, args))
        ready = wait_for(lambda: re.search(r"ready (\d+)x(\d+)", self.log()), 60,
                         "pvd_paint to set its mode (log: %s)" % self.proc.log)
        self.width, self.height = int(ready.group(1)), int(ready.group(2))

    def log(self):
        return self.vm.run("cat %s" % self.proc.log).stdout

    def send(self, *words, expect_ok=True):
        front = words and words[0] in ("dirty", "burst")
        before = self._updates() if front else None
        r = self.vm.run("pvd_paint send %s %s" % (self.dir, " ".join(str(w) for w in words)),
                        timeout=60)
        if expect_ok:
            assert r.rc == 0, "pvd_paint %s: %s %s (server log: %s)" % (
                " ".join(map(str, words)), r.stdout, r.stderr, self.log())
        if before is not None:
            self._settle(before)
        return r

    def _updates(self):
        """pvdisplay's count of updates, None on other display devices."""
        try:
            return device_stats(self.vm)[0]
        except Exception:   # noqa: BLE001 - no such property: not pvdisplay
            return None

    def _settle(self, before, quiet=0.3, timeout=10):
        """Front-buffer updates (DIRTYFB) return before the device has them:
        wait until the device's update count has moved and then stayed still
        for `quiet` seconds (or never moved: nothing was inside the shown
        area), so that what a test checks next is what the update did."""
        deadline = time.monotonic() + timeout
        last, still_since = before, time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = self._updates()
            if now != last:
                last, still_since = now, time.monotonic()
            elif time.monotonic() - still_since >= (quiet if last != before else 1.0):
                return

    def quit(self):
        self.send("quit", expect_ok=False)
        wait_for(lambda: self.vm.run("kill -0 %d" % self.proc.pid).rc != 0, 30,
                 "pvd_paint to exit")

    # "with Painter(...) as p:" quits the server however the block ends.
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.quit()


def connector_ids(vm, driver="pvdisplay"):
    """Connector ids in the order modetest lists them, with their status."""
    out = vm.run("modetest -M %s -c" % driver, timeout=120, check=True).stdout
    ids = []
    for line in out.splitlines():
        m = re.match(r"^(\d+)\s+\d+\s+(connected|disconnected|unknown)\s", line)
        if m:
            ids.append((int(m.group(1)), m.group(2)))
    return ids
