# SPDX-License-Identifier: MIT
"""Suspend to RAM (ACPI S3) and wake-up from the host, with fbcon alone on
the display and then with weston drawing.

The guest needs a root that can suspend: virtiofs refuses, so this file's
guest boots from the guest tree as a read-only virtio-blk image
(Vm(root="blk")), on an i440fx machine (Vm(machine="pc")), where the
firmware restores the ACPI registers after a resume.  Vm.suspend() has the
guest write "mem" to /sys/power/state; Vm.wakeup() wakes it with QMP
system_wakeup (QEMU resets the devices, the guest's drivers restore them)
and waits for the agent to answer again.

Each cycle must really go through S3: QEMU reports the guest suspended,
the guest's write to /sys/power/state succeeds and its count of successful
suspends goes up by one.  Afterwards the display is back: under fbcon the
host shows the console as it was before, pixel for pixel; under weston the
CRTC runs the boot mode, the host image has that size and keeps changing,
and weston and its client are the same processes.  Any splat or driver
error line in the guest's log fails the test (the harness).
PVD_SUSPEND_CYCLES sets the number of cycles of each (make check 1,
make check-full, PVD_LONG=1, 5)."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PVDISPLAY_DEVICE, require_device, require_module  # noqa: E402
from harness.vm import SUSPEND_RC  # noqa: E402
from harness.vnc import VncClient  # noqa: E402
from compositor_checks import (CLIENT_COMM, assert_displaying, start_compositor,  # noqa: E402
                               stop_compositor)
from display_checks import (diff_bbox, host_matches_guest, quiet_console,  # noqa: E402
                            rect_color, wait_for)
from resize_checks import (UeventMonitor, connector_id, connector_state,  # noqa: E402
                           fbdev_size, wait_host_size)

require_device(PVDISPLAY_DEVICE)
LONG = os.environ.get("PVD_LONG") == "1"
CYCLES = int(os.environ.get("PVD_SUSPEND_CYCLES", "5" if LONG else "1"))
BOOT = (800, 600)
VM = {
    "modules": [require_module()],
    "root": "blk",
    # Not q35: its firmware leaves the ACPI registers off after the first
    # resume, and later suspends do not happen (see harness.Vm).
    "machine": "pc",
    "xres": BOOT[0], "yres": BOOT[1],
    # Host resizes come from a VNC viewer (SetDesktopSize).
    "vnc": True,
}
TIMEOUT = 1800


def suspends(vm):
    return int(vm.run("cat /sys/power/suspend_stats/success", check=True).stdout)


def suspend_resume(vm, cycle, asleep=None):
    """One cycle through S3 that the guest's kernel counts as done;
    asleep(), if given, runs on the host while the guest sleeps."""
    before = suspends(vm)
    vm.suspend()
    if asleep:
        asleep()
        assert vm.qmp("query-status")["status"] == "suspended"
    vm.wakeup()
    rc = vm.run("cat %s" % SUSPEND_RC, check=True).stdout.strip()
    assert rc == "0", "cycle %d: echo mem >/sys/power/state exited %s" % (cycle, rc)
    assert suspends(vm) == before + 1, "cycle %d: the guest counted no suspend" % cycle


def shows(vm, image):
    """The host shows exactly image."""
    now = vm.screendump()
    return (now.width, now.height) == (image.width, image.height) and now.data == image.data


def pids(vm):
    return vm.run("pgrep -x weston; pgrep -x %s" % CLIENT_COMM, check=True).stdout.split()


def test_suspend_resume_fbcon(vm):
    """fbcon alone: after each wake-up the host shows the console as it
    was, pixel for pixel, and exactly what the guest's CRTC scans out."""
    quiet_console(vm)
    vm.run("printf 'pvdisplay suspend test\\n' >/dev/tty1", check=True)
    host_matches_guest(vm, timeout=30)
    console = vm.screendump()
    assert (console.width, console.height) == BOOT
    assert rect_color(console, 0, 0, *BOOT) is None, "the host shows no text"
    assert diff_bbox(console, vm.screendump()) is None, "the console still changes"
    for i in range(CYCLES):
        suspend_resume(vm, i)
        wait_for(lambda: shows(vm, console), 60,
                 "cycle %d: the host to show the console again" % i)
        host_matches_guest(vm, timeout=30)


def test_suspend_resume_weston(vm):
    """weston and an animated client: after each wake-up the host shows
    them drawing again in the boot mode, from the same processes."""
    start_compositor(vm, BOOT)
    running = pids(vm)
    for i in range(CYCLES):
        suspend_resume(vm, i)
        assert_displaying(vm, BOOT)
        assert pids(vm) == running, "cycle %d: weston or its client restarted" % i


def test_host_resize_while_suspended(vm):
    """The host asks for a new size while the guest sleeps.  QEMU resets
    the device at wake-up, which drops the display event it raised: the
    driver must notice the change itself.  Afterwards the connector
    prefers the new size, one hotplug event names it, fbcon follows and
    the host shows exactly the guest's console at that size."""
    stop_compositor(vm)
    wait_for(lambda: fbdev_size(vm) == BOOT, 60, "fbcon at the boot size")
    quiet_console(vm)
    size = (1024, 768)
    cid = connector_id(vm)
    with UeventMonitor(vm) as mon, VncClient(5900 + vm.vnc_display) as vnc:
        def resize():
            vnc.set_desktop_size(*size)
            # Answered "forwarded to the display" (status 4); QEMU's UI
            # then hands the size to the device from a timer, at once.
            answers = vnc.wait_answers(1, 30)
            assert answers == [4], "VNC answers: %r" % answers
            time.sleep(1)
        suspend_resume(vm, 0, asleep=resize)
        mon.wait_hotplug(connector=cid)
        status, preferred, _ = connector_state(vm)
        assert (status, preferred) == ("connected", size), (status, preferred)
        wait_for(lambda: fbdev_size(vm) == size, 60, "fbcon to take %dx%d" % size)
        wait_host_size(vm, size)
        host_matches_guest(vm, timeout=30)
        events = mon.hotplugs()
    assert len(events) == 1, "expected one hotplug uevent, got %r" % events
