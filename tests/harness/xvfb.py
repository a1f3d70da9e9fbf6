# SPDX-License-Identifier: MIT
"""An X server without a screen (Xvfb) for QEMU's GTK window, and xdotool to
treat that window as a user would (package xvfb and xdotool in the sysroot).

    vm = Vm(display="gtk", xvfb=(1920, 1200), ...)   # starts and stops it
    wid = vm.xvfb.find_window("QEMU")
    vm.xvfb.resize(wid, 1600, 900)

No window manager runs: xdotool resizes and moves windows directly, and GTK
gets the size it asks for when it opens its window.
"""

import os
import select
import signal
import subprocess
import time


class XvfbError(Exception):
    pass


class Xvfb:
    def __init__(self, width=1920, height=1200, logdir=None, preexec_fn=None):
        self.width = width
        self.height = height
        self.logdir = logdir
        self.preexec_fn = preexec_fn
        self.proc = None
        self.display = None

    @property
    def env(self):
        """Environment for an X client of this server.  NO_AT_BRIDGE and
        GSETTINGS_BACKEND keep GTK from looking for session services."""
        return {"DISPLAY": self.display, "NO_AT_BRIDGE": "1",
                "GSETTINGS_BACKEND": "memory"}

    def start(self):
        rfd, wfd = os.pipe()
        log = open(os.path.join(self.logdir or "/tmp", "xvfb.log"), "w")
        try:
            # -displayfd: the server picks a free display and writes its
            # number; -ac: no access control (local socket only, -nolisten tcp).
            self.proc = subprocess.Popen(
                ["Xvfb", "-displayfd", str(wfd), "-screen", "0",
                 "%dx%dx24" % (self.width, self.height), "-nolisten", "tcp",
                 "-ac", "-noreset"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                pass_fds=(wfd,), start_new_session=True, preexec_fn=self.preexec_fn)
        finally:
            os.close(wfd)
            log.close()
        # Xvfb writes the number and then a newline, in two writes, and
        # dies if the second finds the pipe closed: read up to the newline.
        reply, deadline = b"", time.monotonic() + 30
        try:
            while not reply.endswith(b"\n"):
                left = deadline - time.monotonic()
                ready, _, _ = select.select([rfd], [], [], max(left, 0))
                chunk = os.read(rfd, 64) if ready else b""
                if not chunk:
                    break
                reply += chunk
        finally:
            os.close(rfd)
        number = reply.decode().strip() if reply.endswith(b"\n") else ""
        if not number.isdigit():
            self.stop()
            raise XvfbError("Xvfb did not start (log: %s)" % log.name)
        self.display = ":" + number
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def xdotool(self, *args, timeout=30):
        r = subprocess.run(["xdotool"] + [str(a) for a in args], capture_output=True,
                           text=True, timeout=timeout, env=dict(os.environ, **self.env))
        if r.returncode != 0:
            raise XvfbError("xdotool %s: %s" % (" ".join(map(str, args)), r.stderr.strip()))
        return r.stdout

    def find_window(self, name, timeout=60):
        """Id of the first visible window whose title matches name."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                out = self.xdotool("search", "--onlyvisible", "--name", name)
                if out.split():
                    return int(out.split()[0])
            except XvfbError:
                pass
            if time.monotonic() > deadline:
                raise XvfbError("no window named %r within %d s" % (name, timeout))
            time.sleep(0.5)

    def geometry(self, wid):
        """(x, y, width, height) of a window."""
        out = self.xdotool("getwindowgeometry", "--shell", wid)
        v = dict(line.split("=", 1) for line in out.split())
        return int(v["X"]), int(v["Y"]), int(v["WIDTH"]), int(v["HEIGHT"])

    def resize(self, wid, width, height):
        self.xdotool("windowsize", wid, width, height)
