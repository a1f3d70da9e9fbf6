# SPDX-License-Identifier: MIT
"""Helpers for tests that change the host side of a head (window resized,
closed, reopened) and check what the guest and the host show afterwards."""

import json
import os
import re
import time

from display_checks import wait_for

FBCON_FG = (0xaa, 0xaa, 0xaa)      # fbcon's default foreground (light grey)


def record(name, value):
    """Report a measurement: a TAP comment now, and a line in
    $PVD_RESULTS/measurements.txt for whoever collects the numbers."""
    print("# measured: %s: %s" % (name, value), flush=True)
    path = os.path.join(os.environ.get("PVD_RESULTS", "."), "measurements.txt")
    with open(path, "a") as f:
        f.write("%s %s: %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), name, value))


def connector_name(index):
    return "Virtual-%d" % (index + 1)


def connector_sysfs(vm, index=0):
    """sysfs directory of connector index (cardN-Virtual-N)."""
    out = vm.run("ls -d /sys/class/drm/card*-%s" % connector_name(index), check=True)
    return out.stdout.split()[0]


def connector_id(vm, index=0):
    return int(vm.run("cat %s/connector_id" % connector_sysfs(vm, index),
                      check=True).stdout)


def kms_state(vm):
    """drm_info's JSON view of the pvdisplay card (it probes connectors, as
    a compositor does when told about a hotplug)."""
    out = vm.run("drm_info -j", timeout=120, check=True).stdout
    devices = json.loads(out)
    for node, dev in devices.items():
        if dev.get("driver", {}).get("name") == "pvdisplay":
            return dev
    raise AssertionError("drm_info lists no pvdisplay device: %s" % list(devices))


def connector_state(vm, index=0):
    """(status, preferred (w, h) or None, [(w, h) of every mode]) of a
    connector, as userspace sees it after a probe."""
    cid = connector_id(vm, index)
    for conn in kms_state(vm)["connectors"]:
        if conn["id"] != cid:
            continue
        modes = [(m["hdisplay"], m["vdisplay"]) for m in conn["modes"]]
        preferred = [(m["hdisplay"], m["vdisplay"]) for m in conn["modes"]
                     if m["type"] & 0x8]            # DRM_MODE_TYPE_PREFERRED
        assert len(preferred) <= 1, "several preferred modes: %r" % preferred
        status = {1: "connected", 2: "disconnected"}.get(conn["status"], "unknown")
        return status, preferred[0] if preferred else None, modes
    raise AssertionError("connector %d not in drm_info's list" % cid)


def crtc_of_connector(vm, index=0):
    """(crtc id or 0, active, mode (w, h) or None) of the CRTC driving the
    connector, from the atomic state drm_info reports."""
    dev = kms_state(vm)
    cid = connector_id(vm, index)
    conn = next(c for c in dev["connectors"] if c["id"] == cid)
    crtc_id = conn["properties"]["CRTC_ID"]["value"]
    if not crtc_id:
        return 0, False, None
    crtc = next(c for c in dev["crtcs"] if c["id"] == crtc_id)
    active = bool(crtc["properties"]["ACTIVE"]["value"])
    mode = crtc.get("mode")
    return crtc_id, active, (mode["hdisplay"], mode["vdisplay"]) if mode else None


def wait_host_size(vm, size, head=0, timeout=60, since=None):
    """Poll the host's image of head until it is size; return (image,
    seconds from since (default: now) to the first screendump of that
    size)."""
    t0 = since if since is not None else time.monotonic()
    img = wait_for(lambda: (lambda i: i if (i.width, i.height) == tuple(size) else None)(
        vm.screendump(head=head)), timeout,
        "the host image of head %d to become %dx%d" % ((head,) + tuple(size)), interval=0.05)
    return img, time.monotonic() - t0


class UeventMonitor:
    """udevadm monitor of the guest's kernel uevents for DRM devices."""

    def __init__(self, vm):
        self.vm = vm
        self.proc = vm.spawn("exec udevadm monitor --kernel --property --subsystem-match=drm")
        # udevadm prints its banner once it listens.
        wait_for(lambda: "KERNEL - the kernel uevent" in self._log(), 30,
                 "udevadm monitor to start")

    def _log(self):
        return self.vm.run("cat %s" % self.proc.log, check=True).stdout

    def events(self):
        """Every event so far, each a dict of its properties."""
        events = []
        for block in re.split(r"\n\s*\n", self._log()):
            props = dict(line.split("=", 1) for line in block.splitlines()
                         if re.match(r"^[A-Z_]+=", line))
            if props.get("ACTION"):
                events.append(props)
        return events

    def hotplugs(self):
        return [e for e in self.events() if e.get("HOTPLUG") == "1"]

    def wait_hotplug(self, connector=None, timeout=30):
        """Wait for a hotplug uevent (naming connector id, if given)."""
        def seen():
            return [e for e in self.hotplugs()
                    if connector is None or e.get("CONNECTOR") == str(connector)]
        return wait_for(seen, timeout, "a hotplug uevent%s" % (
            "" if connector is None else " for connector %d" % connector))

    def stop(self):
        self.vm.kill_spawned(self.proc)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def console_size(vm, tty=1):
    """(rows, columns) of a virtual console (fbcon's text grid)."""
    rows, cols = vm.run("stty -F /dev/tty%d size" % tty, check=True).stdout.split()
    return int(rows), int(cols)


def fbdev_layout(vm):
    """fbcon's drawing area (fb0's xres x yres) and fb0's line length in
    bytes."""
    size, _, stride = vm.run("pvd_fbwrite --info", check=True).stdout.split()[:3]
    w, h = size.split("x")
    return (int(w), int(h)), int(stride)


def fbdev_size(vm):
    """fbcon's drawing area (fb0's xres x yres)."""
    return fbdev_layout(vm)[0]


def console_cell(vm):
    """fbcon's character cell (width, height)."""
    (w, h), (rows, cols) = fbdev_size(vm), console_size(vm)
    return w // cols, h // rows


def mark_last_cell(vm, rows, cols):
    """Draw a full block in the console's bottom-right character cell (the
    cursor hidden, so nothing else blinks there)."""
    vm.run("printf '\\033[?25l\\033[%d;%dH\u2588' > /dev/tty1" % (rows, cols), check=True)
