# SPDX-License-Identifier: MIT
"""The driver's lifecycle with a compositor running and drawing: unbind and
bind, module unload and reload, function-level resets of the PCI device,
storms of host resizes and a guest reboot, each while weston shows an
animated client (weston-simple-shm).  After each step the display is back:
the guest's CRTC runs the expected mode, the host shows an image of that
size and keeps showing new frames of the client.  Any WARN, oops, lockdep
or KASAN report in the guest's kernel log fails the test (the harness).

make check runs a short variant, about a minute of guest time after the
boot: one reset and one unbind/bind under weston, a storm of 20 resizes
under fbcon and one under weston.  make check-full (PVD_LONG=1) runs 20
resets, 100 unbind/bind cycles and 100 reloads (a new weston each time),
100-resize storms under weston and under fbcon, and a reboot.  PVD_LIFECYCLE_CYCLES,
PVD_LIFECYCLE_RESETS and PVD_RESIZE_STORM override the counts."""

import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PVDISPLAY_DEVICE, require_device, require_module  # noqa: E402
from harness.vnc import VncClient  # noqa: E402
import compositor_checks  # noqa: E402
from compositor_checks import assert_displaying, stop_compositor  # noqa: E402
from display_checks import host_matches_guest, quiet_console, wait_for  # noqa: E402
from resize_checks import (connector_state, crtc_of_connector, fbdev_size,  # noqa: E402
                           record, wait_host_size)

require_device(PVDISPLAY_DEVICE)
LONG = os.environ.get("PVD_LONG") == "1"
CYCLES = int(os.environ.get("PVD_LIFECYCLE_CYCLES", "100" if LONG else "1"))
RESETS = int(os.environ.get("PVD_LIFECYCLE_RESETS", "20" if LONG else "1"))
STORM = int(os.environ.get("PVD_RESIZE_STORM", "100" if LONG else "20"))
BOOT = (800, 600)
VM = {
    "modules": [require_module()],
    # A PCIe function, so that it has a function-level reset.
    "pcie_port": True,
    "xres": BOOT[0], "yres": BOOT[1],
    # Host resizes come from a VNC viewer (SetDesktopSize).
    "vnc": True,
    # A guest reboot restarts the guest instead of ending QEMU.
    "qemu_args": ["-action", "reboot=reset"],
}
TIMEOUT = 7200 if LONG else 900


def virtio_dev(vm):
    r = vm.run("ls /sys/bus/virtio/drivers/pvdisplay/ | grep '^virtio'", check=True)
    return r.stdout.split()[0]


def start_compositor(vm, mode=BOOT):
    compositor_checks.start_compositor(vm, mode)


def assert_fbcon_shows(vm, size):
    """fbcon draws at size on a CRTC running size, and the host shows
    exactly its framebuffer."""
    wait_for(lambda: fbdev_size(vm) == tuple(size), 60, "fbcon to take %dx%d" % tuple(size))
    assert crtc_of_connector(vm)[1:] == (True, tuple(size))
    quiet_console(vm)
    host_matches_guest(vm, timeout=30)


def test_function_reset_while_drawing(vm):
    """PCI function-level resets while weston draws: the driver brings the
    queue and every buffer back and the same weston keeps drawing."""
    dev = virtio_dev(vm)
    pci = os.path.basename(vm.run("readlink -f /sys/bus/virtio/devices/%s/.." % dev,
                                  check=True).stdout.strip())
    start_compositor(vm)
    pid = vm.run("pgrep -x weston", check=True).stdout.strip()
    for i in range(RESETS):
        vm.run("echo 1 > /sys/bus/pci/devices/%s/reset" % pci, timeout=120, check=True)
        assert_displaying(vm, BOOT)
        assert vm.run("pgrep -x weston").stdout.strip() == pid, "weston died in reset %d" % i


def run_cycles(name, count, steps):
    """Run count cycles of steps, (label, function) pairs, and record how
    long each step took: the median and the slowest cycle (where the time
    of the long variants goes)."""
    took = {label: [] for label, _ in steps}
    for _ in range(count):
        for label, step in steps:
            t0 = time.monotonic()
            step()
            took[label].append(time.monotonic() - t0)
    record("%s: %d cycles, per step median / slowest" % (name, count),
           ", ".join("%s %.1f / %.1f s" % (label, sorted(t)[len(t) // 2], max(t))
                     for label, t in took.items()))


def test_unbind_bind_while_drawing(vm):
    """Unbind while weston draws: it loses its device; once it is gone and
    the driver is bound again, fbcon is back on the host.  The next cycle
    starts a new weston."""
    dev = virtio_dev(vm)

    def unbind():
        vm.run("echo %s > /sys/bus/virtio/drivers/pvdisplay/unbind" % dev, timeout=120,
               check=True)
        stop_compositor(vm)

    def bind():
        vm.run("echo %s > /sys/bus/virtio/drivers/pvdisplay/bind" % dev, timeout=120,
               check=True)
        vm.run("udevadm settle -t 30; pvd-card >/dev/null", check=True)
        assert_fbcon_shows(vm, BOOT)
    run_cycles("unbind/bind under weston", CYCLES,
               [("weston", lambda: start_compositor(vm)), ("unbind", unbind), ("bind", bind)])


def storm(vm, sizes):
    """Send sizes to the host's VNC server as one SetDesktopSize request
    after another, as fast as a viewer resized by a user would."""
    with VncClient(5900 + vm.vnc_display) as vnc:
        t0 = time.monotonic()
        for w, h in sizes:
            vnc.set_desktop_size(w, h)
            time.sleep(0.005)
        sent = time.monotonic() - t0
        # Each request answered "forwarded to the display" (status 4).
        answers = vnc.wait_answers(len(sizes), 120)
    assert answers == [4] * len(sizes), "VNC answers: %r" % answers
    record("resize storm: %d SetDesktopSize requests sent" % len(sizes), "%.2f s" % sent)


def storm_sizes(seed, last):
    rng = random.Random(seed)
    return [(rng.randrange(640, 1601, 8), rng.randrange(480, 1201, 2))
            for _ in range(STORM - 1)] + [last]


def test_resize_storm_fbcon(vm):
    """STORM host resizes with fbcon on the display: the connector's
    preferred mode, fbcon, the CRTC and the host image all end at the last
    request."""
    last = (1280, 720)
    storm(vm, storm_sizes(11, last))
    wait_for(lambda: connector_state(vm)[:2] == ("connected", last), 120,
             "the connector's preferred mode to become %dx%d" % last)
    assert_fbcon_shows(vm, last)
    storm(vm, [BOOT])
    assert_fbcon_shows(vm, BOOT)


def test_resize_storm_under_compositor(vm):
    """STORM host resizes while weston draws: the connector's preferred
    mode ends as the last request, weston (which keeps its mode on a
    hotplug) keeps drawing; once it exits, the CRTC runs the last
    requested size, fbcon draws at it and the host shows exactly fbcon's
    framebuffer."""
    last = (1024, 768)
    start_compositor(vm)
    storm(vm, storm_sizes(10, last))
    wait_for(lambda: connector_state(vm)[:2] == ("connected", last), 120,
             "the connector's preferred mode to become %dx%d" % last)
    assert_displaying(vm, BOOT)
    stop_compositor(vm)
    assert_fbcon_shows(vm, last)
    storm(vm, [BOOT])
    assert_fbcon_shows(vm, BOOT)


if LONG:
    def test_reload_between_compositor_runs(vm):
        """rmmod needs every file of the device closed: weston runs, stops,
        the module goes and comes back, and the next weston draws."""
        ko = "/pvd/modules/" + os.path.basename(require_module())
        run_cycles("reload between weston runs", CYCLES, [
            ("weston", lambda: start_compositor(vm)),
            ("stop", lambda: stop_compositor(vm)),
            ("reload", lambda: vm.run("rmmod pvdisplay && pvd-insmod %s && udevadm settle -t 30 "
                                      "&& pvd-card >/dev/null" % ko, timeout=180, check=True))])
        start_compositor(vm)
        stop_compositor(vm)

    def test_guest_reboot(vm):
        """The guest reboots (reboot(2): the kernel runs every driver's
        shutdown) while weston draws, and the display works again after it
        came back up."""
        start_compositor(vm)
        before = boot_id(vm)
        # The guest image has no reboot(8).  No answer comes: the agent
        # dies with the guest.  Wait for the new one.
        cmd = ("import ctypes; c = ctypes.CDLL(None, use_errno=True); c.sync(); "
               "c.reboot(0x01234567); raise SystemExit(ctypes.get_errno())")
        vm.agent.sendall(json.dumps({"id": 0, "op": "run", "cmd": ["python3", "-c", cmd],
                                     "timeout": 30}).encode() + b"\n")
        time.sleep(2)
        vm.reconnect_agent()
        assert boot_id(vm) != before, "the guest did not reboot"
        vm.run("udevadm settle -t 30; pvd-card >/dev/null", check=True)
        start_compositor(vm)
        stop_compositor(vm)


def boot_id(vm):
    return vm.run("cat /proc/sys/kernel/random/boot_id", check=True).stdout.strip()
