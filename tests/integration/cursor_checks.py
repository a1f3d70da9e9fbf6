# SPDX-License-Identifier: MIT
"""Helpers for cursor tests: pvd_paint's cursor image, a VNC client that
receives only cursor shapes, and the cursor state the device holds."""

import struct

from harness.vnc import ENC_ALPHA_CURSOR, ENC_RAW, VncClient

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


class VncCursorClient(VncClient):
    """A VNC client that asks for the alpha cursor pseudo-encoding and never
    for pixels, so the only messages the server sends it are cursor shapes.
    last: the shape the server sent on connecting, None if it sent none."""

    def __init__(self, port):
        super().__init__(port, encodings=[ENC_RAW, ENC_ALPHA_CURSOR])
        # The server sends the console's current cursor, if it has one,
        # right after it learns the client understands cursors, and again
        # whenever the console's surface changes (a mode set).
        self.last = self.next_cursor(timeout=3)


def cursor_state(vm, head=0):
    """(width, height, hot_x, hot_y, x, y, visible) the device holds."""
    lines = vm.qmp("qom-get", path=BACKEND, property="x-cursor").splitlines()
    return tuple(int(v) for v in lines[head].split())
