# SPDX-License-Identifier: MIT
"""Helpers for cursor tests: pvd_paint's cursor image, a VNC client that
receives only cursor shapes, and the cursor state the device holds."""

import socket
import struct

ENC_RAW, ENC_ALPHA_CURSOR = 0, -314
BACKEND = "/machine/peripheral/video0/virtio-backend"


def cursor_pixel(x, y, salt):
    """pvd_paint's cursor image, as igt-tests/tools/pvd_paint.c draws it."""
    if (x + y + salt) % 7 == 0:
        return 0
    return (0xff000000 | ((x * 3 + salt) & 0xff) << 16 | ((y * 5) & 0xff) << 8
            | ((x ^ y ^ salt) & 0xff))


def cursor_bytes(w, h, salt):
    """The image as the device hands it to the UI: 32-bit ARGB words, in
    the host's (little-endian) byte order."""
    return b"".join(struct.pack("<I", cursor_pixel(x, y, salt))
                    for y in range(h) for x in range(w))


class VncCursorClient:
    """A minimal RFB client that asks for the alpha cursor pseudo-encoding
    and never for pixels, so the only messages the server sends it are
    cursor shapes."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""
        assert self.read(12).startswith(b"RFB 003.00")
        self.sock.sendall(b"RFB 003.008\n")
        types = self.read(self.read(1)[0])
        assert 1 in types, "VNC server wants authentication: %r" % types
        self.sock.sendall(b"\x01")
        assert struct.unpack(">I", self.read(4))[0] == 0, "VNC security handshake failed"
        self.sock.sendall(b"\x01")                      # ClientInit, shared
        self.read(4 + 16)
        self.read(struct.unpack(">I", self.read(4))[0])  # desktop name
        encs = [ENC_RAW, ENC_ALPHA_CURSOR]
        self.sock.sendall(struct.pack(">BBH", 2, 0, len(encs)) +
                          b"".join(struct.pack(">i", e) for e in encs))
        # The server sends the console's current cursor, if it has one,
        # right after it learns the client understands cursors, and again
        # whenever the console's surface changes (a mode set).
        self.last = self.next_cursor(timeout=3)

    def read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError("VNC server closed the connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def next_cursor(self, timeout):
        """(hot_x, hot_y, width, height, pixels) of the next cursor shape,
        or None if none arrives within timeout seconds."""
        self.sock.settimeout(timeout)
        try:
            msg = self.read(1)[0]
        except socket.timeout:
            return None
        finally:
            self.sock.settimeout(30)
        assert msg == 0, "unexpected VNC message type %d" % msg
        self.read(1)
        nrects = struct.unpack(">H", self.read(2))[0]
        assert nrects == 1, "cursor updates come one rectangle at a time"
        x, y, w, h, enc = struct.unpack(">HHHHi", self.read(12))
        assert enc == ENC_ALPHA_CURSOR, "unexpected encoding %d" % enc
        assert struct.unpack(">i", self.read(4))[0] == ENC_RAW
        return x, y, w, h, self.read(w * h * 4)

    def close(self):
        self.sock.close()


def cursor_state(vm, head=0):
    """(width, height, hot_x, hot_y, x, y, visible) the device holds."""
    lines = vm.qmp("qom-get", path=BACKEND, property="x-cursor").splitlines()
    return tuple(int(v) for v in lines[head].split())
