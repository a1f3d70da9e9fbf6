# SPDX-License-Identifier: MIT
"""Minimal QMP client over a unix socket, with a timeout on every call."""

import json
import socket
import time


class QmpError(Exception):
    """QEMU answered a command with an error."""


class QmpTimeout(Exception):
    """QEMU did not answer in time."""


class Qmp:
    def __init__(self, path, timeout=30, alive=None):
        self.events = []
        self._buf = b""
        self._id = 0
        self.sock = _connect_unix(path, timeout, alive)
        greeting = self._read(time.monotonic() + timeout)
        if "QMP" not in greeting:
            raise QmpError("unexpected QMP greeting %r" % greeting)
        self.command("qmp_capabilities", timeout=timeout)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _read(self, deadline):
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QmpTimeout("QMP: no answer in time")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                raise QmpError("QMP: connection closed by QEMU")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def command(self, name, args=None, timeout=30):
        """Run one QMP command; return its "return" value."""
        self._id += 1
        msg = {"execute": name, "id": self._id}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            resp = self._read(deadline)
            if "event" in resp:
                self.events.append(resp)
                continue
            if resp.get("id") != self._id:
                continue
            if "error" in resp:
                raise QmpError("%s: %s" % (name, resp["error"].get("desc", resp["error"])))
            return resp.get("return")


def _connect_unix(path, timeout, alive=None):
    """Connect to a unix socket that its server may not have created yet.
    alive(): false once the server process is gone (stop waiting)."""
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            if alive is not None and not alive():
                raise QmpError("nobody serves %s any more" % path)
            if time.monotonic() > deadline:
                raise QmpTimeout("no server on %s after %ds" % (path, timeout))
            time.sleep(0.05)
