# SPDX-License-Identifier: MIT
"""QEMU's D-Bus display (-display dbus) on a private bus.

Vm(display="dbus") starts a dbus-daemon of its own (start_bus()), points
QEMU at it (-display dbus,addr=...) and stops it with the guest.  DBusDisplay
then calls what a D-Bus display client (e.g. a desktop viewer) calls; here
org.qemu.Display1.Console.SetUIInfo, the "host window changed" request:

    vm = Vm(display="dbus", ...)
    vm.dbus_display.set_ui_info(head=0, width=1600, height=900)
    vm.dbus_display.set_ui_info(head=1, width=0, height=0)  # window closed

The calls go through dbus-send (package dbus-bin in the sysroot), so
nothing but the standard library is needed on this side.
"""

import os
import re
import select
import signal
import subprocess
import time

BUS_NAME = "org.qemu"
CONSOLE_PATH = "/org/qemu/Display1/Console_%d"
CONSOLE_IFACE = "org.qemu.Display1.Console"


class DBusError(Exception):
    pass


def start_bus(sockdir, logdir, preexec_fn=None):
    """Start a private dbus-daemon listening in sockdir (keep its path short:
    Unix socket paths have 108 bytes), logging to logdir; return (Popen,
    address).  stop_bus() stops it."""
    path = os.path.join(sockdir, "dbus.sock")
    log = open(os.path.join(logdir, "dbus-daemon.log"), "w")
    proc = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile",
         "--address=unix:path=" + path, "--print-address=1"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
        start_new_session=True, preexec_fn=preexec_fn)
    log.close()
    ready, _, _ = select.select([proc.stdout], [], [], 20)
    line = proc.stdout.readline().decode().strip() if ready else ""
    if not line:
        proc.kill()
        proc.wait()
        raise DBusError("dbus-daemon did not start (log: %s)" % log.name)
    return proc, line


def stop_bus(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    if proc.stdout:
        proc.stdout.close()


class DBusDisplay:
    """Calls into QEMU's D-Bus display on the bus at address."""

    def __init__(self, address):
        self.address = address

    def _send(self, path, method, *args, timeout=30):
        cmd = ["dbus-send", "--bus=" + self.address, "--print-reply",
               "--reply-timeout=%d" % (timeout * 1000), "--dest=" + BUS_NAME,
               path, method] + list(args)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 10)
        if r.returncode != 0:
            raise DBusError("%s: %s" % (" ".join(cmd), r.stderr.strip()))
        return r.stdout

    def wait_ready(self, timeout=30):
        """Wait until QEMU owns org.qemu on the bus (it connects at start)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.console_head(0)
                return
            except DBusError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def console_head(self, index):
        """The device head shown by console index (its "Head" property)."""
        out = self._send(CONSOLE_PATH % index, "org.freedesktop.DBus.Properties.Get",
                         "string:" + CONSOLE_IFACE, "string:Head")
        m = re.search(r"uint32 (\d+)", out)
        if not m:
            raise DBusError("unexpected answer to Get Head: %r" % out)
        return int(m.group(1))

    def console_for_head(self, head):
        """The console index showing head (consoles are numbered in the
        order devices create them; check rather than assume)."""
        for index in range(32):
            try:
                if self.console_head(index) == head:
                    return index
            except DBusError:
                break
        raise DBusError("no D-Bus console shows head %d" % head)

    def set_ui_info(self, head, width, height, width_mm=0, height_mm=0, x=0, y=0):
        """SetUIInfo on head's console: the host window is now width x
        height (0 x 0: closed)."""
        path = CONSOLE_PATH % self.console_for_head(head)
        self._send(path, CONSOLE_IFACE + ".SetUIInfo",
                   "uint16:%d" % width_mm, "uint16:%d" % height_mm,
                   "int32:%d" % x, "int32:%d" % y,
                   "uint32:%d" % width, "uint32:%d" % height)
