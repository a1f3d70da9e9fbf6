# SPDX-License-Identifier: MIT
"""Real display clients on pvdisplay.ko, each checked on the host's image:
kmscube (GL on llvmpipe through GBM, page flips), Weston (DRM backend) with a
Wayland client, Xorg's modesetting driver with xrandr and X clients, and Xorg
following a host resize (VNC SetDesktopSize).  One client at a time; fbcon
takes the display back in between."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PVDISPLAY_DEVICE, require_device, require_module  # noqa: E402
from harness.vnc import VncClient  # noqa: E402
from display_checks import (device_stats, diff_bbox, quiet_console, rgb,  # noqa: E402
                            settled_update_count, wait_for)
from resize_checks import connector_state, record, wait_host_size  # noqa: E402

require_device(PVDISPLAY_DEVICE)
VM = {"modules": [require_module()], "vnc": True, "xres": 1280, "yres": 800}
TIMEOUT = 300

BOOT = (1280, 800)


def log_of(vm, proc):
    return vm.run("cat %s" % proc.log).stdout


def stop(vm, proc, what):
    vm.kill_spawned(proc)
    wait_for(lambda: vm.run("kill -0 %d" % proc.pid).rc != 0, 30, "%s to exit" % what)


# -- kmscube -------------------------------------------------------------------

def test_kmscube(vm):
    """The cube reaches the host and turns between two screendumps, each of
    kmscube's page flips reaches the device; kmscube's own frame rate is
    reported."""
    frames, mode = 30, (640, 480)
    # fbcon's blinking cursor sends updates of its own before kmscube takes
    # the display and after it quits; they would pad the count of flips.
    quiet_console(vm)
    # kmscube quits when its stdin reaches EOF: give it one that stays open.
    # 640x480: llvmpipe under TCG draws a few frames per second at most.
    # -D: kmscube's default is card0, which is vgem's with the debug kernel.
    updates = settled_update_count(vm)
    proc = vm.spawn("sleep 1000 | kmscube -D $(pvd-card) --vmode=%dx%d --count=%d"
                    % (mode + (frames,)))
    try:
        center = (mode[0] // 2, mode[1] // 2)

        def cube_shown():
            img = vm.screendump()
            if (img.width, img.height) != mode:
                return None
            return img if not img.crop(center[0] - 50, center[1] - 50, 100, 100).is_uniform() \
                else None
        try:
            first = wait_for(cube_shown, 120, "kmscube's cube on the host")
        except AssertionError:
            raise AssertionError("no cube on the host; kmscube said:\n" + log_of(vm, proc))
        second = wait_for(lambda: (lambda i: i if (i.width, i.height) == mode and
                                   diff_bbox(first, i) else None)(vm.screendump()),
                          60, "the cube to move")
        x0, y0, x1, y1 = diff_bbox(first, second)
        assert x0 < center[0] < x1 and y0 < center[1] < y1, \
            "what changed (%r) is not around the centre" % ((x0, y0, x1, y1),)
        wait_for(lambda: vm.run("pidof kmscube").rc != 0, 300,
                 "kmscube to draw its %d frames" % frames)
    finally:
        vm.kill_spawned(proc)
    reports = re.findall(r"Rendered (\d+) frames in ([\d.]+) sec \(([\d.]+) fps\)",
                         log_of(vm, proc))
    assert reports, log_of(vm, proc)
    done, secs, fps = reports[-1]
    # kmscube leaves its first frame (shader compilation) out of the count.
    assert int(done) >= frames - 1, reports[-1]
    # kmscube waits for each flip's event before the next, and the event
    # comes with the device's answer: one SCANOUT_UPDATE per flip.  The
    # screendumps cannot show a lost flip: on shared RAM the host shows the
    # first buffer's pages, which the cube is drawn into every other frame.
    flips = device_stats(vm)[0] - updates
    assert flips >= int(done), "%d SCANOUT_UPDATEs for %s page flips" % (flips, done)
    record("kmscube (llvmpipe, %dx%d, legacy page flips)" % mode,
           "%s fps (%s frames in %s s)" % (fps, done, secs))


# -- Weston --------------------------------------------------------------------

WESTON_BG = "204080"
WESTON_INI = """[core]
idle-time=0
[shell]
panel-position=none
background-color=0xff%s
locking=false
""" % WESTON_BG
WESTON_ENV = "XDG_RUNTIME_DIR=/tmp/xdg WAYLAND_DISPLAY=wayland-pvd"


def weston_desktop(vm):
    """The host's image once it shows Weston's empty desktop."""
    try:
        return wait_for(lambda: (lambda i: i if i.is_uniform(rgb(WESTON_BG)) else None)(
            vm.screendump()), 120, "Weston's desktop on the host")
    except AssertionError as e:
        raise AssertionError("%s; /tmp/weston.log ends:\n%s" % (
            e, vm.run("tail -n 40 /tmp/weston.log").stdout)) from None


def test_weston(vm):
    """Weston's desktop reaches the host; a Wayland client's window shows
    where the client draws and goes when it quits; each frame of a GL
    client's reaches the device."""
    vm.run("mkdir -p -m 0700 /tmp/xdg && cat > /tmp/weston.ini", input=WESTON_INI,
           check=True)
    # --drm-device: not weston's own pick, card0 (vgem's with the debug
    # kernel, which has no evdev either: hence --continue-without-input).
    weston = vm.spawn("%s LIBSEAT_BACKEND=noop exec weston --backend=drm "
                      "--drm-device=$(pvd-card -s) --continue-without-input "
                      "--renderer=pixman --config=/tmp/weston.ini --socket=wayland-pvd "
                      "--log=/tmp/weston.log" % WESTON_ENV)
    try:
        desktop = weston_desktop(vm)
        assert (desktop.width, desktop.height) == BOOT
        client = vm.spawn("%s exec weston-simple-shm" % WESTON_ENV)
        drawn = wait_for(lambda: (lambda i: i if diff_bbox(desktop, i) else None)(
            vm.screendump()), 60, "the Wayland client's window on the host")
        x0, y0, x1, y1 = diff_bbox(desktop, drawn)
        # weston-simple-shm draws a 250x250 buffer, nothing around it.
        assert (x1 - x0, y1 - y0) == (250, 250), "window at %r" % ((x0, y0, x1, y1),)
        outside = drawn.crop(0, 0, drawn.width, y0)
        assert outside.is_uniform(rgb(WESTON_BG))
        stop(vm, client, "weston-simple-shm")
        wait_for(lambda: vm.screendump().is_uniform(rgb(WESTON_BG)), 30,
                 "the window to go from the host")

        # A GL client (llvmpipe): each frame it commits makes Weston repaint
        # and page-flip, and it draws the next only after Weston's frame
        # callback, so every frame it reports reached the device as a
        # SCANOUT_UPDATE.  As for kmscube, the screendumps alone could not
        # show a lost flip on shared RAM.
        updates = device_stats(vm)[0]
        client = vm.spawn("%s exec stdbuf -oL weston-simple-egl" % WESTON_ENV)
        try:
            reports = wait_for(lambda: (lambda r: r if len(r) >= 2 else None)(
                re.findall(r"(\d+) frames in 5 seconds", log_of(vm, client))),
                120, "two frame-rate reports of weston-simple-egl")
        except AssertionError:
            raise AssertionError("weston-simple-egl said:\n" + log_of(vm, client)) from None
        finally:
            stop(vm, client, "weston-simple-egl")
        frames = sum(int(n) for n in reports)
        flips = device_stats(vm)[0] - updates
        assert frames > 0, reports
        assert flips >= frames, "%d SCANOUT_UPDATEs for %d frames" % (flips, frames)
        record("weston-simple-egl (llvmpipe, Wayland, 250x250 window)",
               "%.1f fps (%d frames in %d s, %d SCANOUT_UPDATEs)"
               % (frames / (5.0 * len(reports)), frames, 5 * len(reports), flips))
    finally:
        stop(vm, weston, "weston")


# -- Xorg ----------------------------------------------------------------------

X_ENV = {"DISPLAY": ":0"}


def xrandr(vm, *args):
    return vm.run(["xrandr"] + list(args), env=X_ENV, timeout=60, check=True).stdout


def xrandr_modes(out, output="Virtual-1"):
    """{(w, h): (current, preferred)} of one output in xrandr's listing."""
    modes, inside = {}, False
    for line in out.splitlines():
        if not line.startswith(" "):
            inside = line.startswith(output + " ")
            continue
        m = re.match(r"\s+(\d+)x(\d+)i?\s+(.*)", line)
        if inside and m:
            rates = m.group(3)
            modes[(int(m.group(1)), int(m.group(2)))] = ("*" in rates, "+" in rates)
    return modes


def test_xorg(vm):
    """Xorg with the modesetting driver: xrandr lists the connector's modes
    and sets one; X clients' drawing reaches the host; after a host resize
    the new preferred mode is listed and --auto takes it."""
    xorg = vm.spawn("exec Xorg :0 vt1 -nolisten tcp -noreset -logfile /tmp/Xorg.log")
    try:
        wait_for(lambda: vm.run("xrandr", env=X_ENV).rc == 0, 120,
                 "Xorg to answer (log: /tmp/Xorg.log)")
        modes = xrandr_modes(xrandr(vm))
        _, preferred, kernel_modes = connector_state(vm)
        assert set(modes) == set(kernel_modes), (sorted(modes), sorted(kernel_modes))
        assert modes[BOOT] == (True, True), "boot mode not current and preferred: %r" % modes
        assert preferred == BOOT

        xrandr(vm, "--output", "Virtual-1", "--mode", "1024x768")
        wait_host_size(vm, (1024, 768))

        # X clients: the root window's colour, then a window at a given place.
        vm.run("xsetroot -solid '#203040'", env=X_ENV, check=True)
        root = wait_for(lambda: (lambda i: i if i.is_uniform(rgb("203040")) else None)(
            vm.screendump()), 30, "xsetroot's colour on the host")
        logo = vm.spawn("DISPLAY=:0 exec xlogo -geometry 300x200+100+150 "
                        "-bg '#00c000' -fg '#c000c0'")
        drawn = wait_for(lambda: (lambda i: i if diff_bbox(root, i) else None)(
            vm.screendump()), 60, "xlogo's window on the host")
        x0, y0, x1, y1 = diff_bbox(root, drawn)
        # The window and its border (at most 2 pixels, the X default is 1).
        assert 98 <= x0 <= 100 and 148 <= y0 <= 150 and 400 <= x1 <= 402 and \
            350 <= y1 <= 352, "xlogo drew at %r" % ((x0, y0, x1, y1),)
        assert rgb("00c000") in (drawn.pixel(x0 + 3, y0 + 3), drawn.pixel(x1 - 4, y1 - 4))
        stop(vm, logo, "xlogo")

        # The host window grows: the new preferred mode is listed, --auto
        # takes it.
        with VncClient(5900 + vm.vnc_display) as vnc:
            t0 = time.monotonic()
            vnc.set_desktop_size(1600, 900)
            wait_for(lambda: xrandr_modes(xrandr(vm)).get((1600, 900), (0, 0))[1], 60,
                     "xrandr to list 1600x900 as preferred")
            record("host resize VNC -> 1600x900 under Xorg, request to xrandr listing it",
                   "%.2f s" % (time.monotonic() - t0))
            xrandr(vm, "--output", "Virtual-1", "--auto")
            wait_host_size(vm, (1600, 900))
            assert xrandr_modes(xrandr(vm))[(1600, 900)] == (True, True)
            # Back to the boot size for the next user of this guest.
            vnc.set_desktop_size(*BOOT)
            wait_for(lambda: connector_state(vm)[1] == BOOT, 60, "the boot size back")
    finally:
        stop(vm, xorg, "Xorg")
    wait_host_size(vm, BOOT, timeout=60)
