# SPDX-License-Identifier: MIT
"""A scrolling terminal, as an X11 client in plain Python (the guest has no
x11perf): each line scrolls the root window up by one text row with
CopyArea, clears the new bottom row and draws text into it with
ImageText8, like xterm does.  Speaks the X11 wire protocol over the local
socket, no libraries.

    python3 xscroll.py DISPLAY_NUMBER LINES

Prints one JSON line: {"lines": N, "seconds": S}.  The final GetInputFocus
round trip makes the server process every request before the clock stops.
"""

import json
import socket
import struct
import sys
import time

ROW = 16


def pad(n):
    return (4 - n % 4) % 4


class X:
    def __init__(self, display):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect("/tmp/.X11-unix/X%d" % display)
        self.s.sendall(struct.pack("<BxHHHHxx", 0x6c, 11, 0, 0, 0))
        head = self._read(8)
        if head[0] != 1:
            raise SystemExit("X server refused the connection")
        body = self._read(struct.unpack("<H", head[6:8])[0] * 4)
        (self.rid_base, self.rid_mask, _, vendor_len, _, _, nformats) = \
            struct.unpack("<IIIHHBB", body[4:22])
        roots = 32 + vendor_len + pad(vendor_len) + 8 * nformats
        self.root, _, self.white, self.black = struct.unpack("<IIII", body[roots:roots + 16])
        self.width, self.height = struct.unpack("<HH", body[roots + 20:roots + 24])
        self.next_id = 0

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise SystemExit("X server closed the connection")
            buf += chunk
        return buf

    def new_id(self):
        self.next_id += 1
        return self.rid_base | (self.next_id & self.rid_mask)

    def request(self, opcode, data, extra=0):
        length = 1 + (len(data) + 3) // 4
        self.s.sendall(struct.pack("<BBH", opcode, extra, length) + data + b"\0" * pad(len(data)))

    def sync(self):
        self.request(43, b"")           # GetInputFocus: wait for its reply
        while True:
            msg = self._read(32)
            if msg[0] == 1:
                return
            if msg[0] == 0:
                raise SystemExit("X error %d" % msg[1])


def main():
    display, lines = int(sys.argv[1]), int(sys.argv[2])
    x = X(display)
    gc = x.new_id()
    # CreateGC with foreground white, background black, no exposures
    x.request(55, struct.pack("<IIIIII", gc, x.root, 0x4 | 0x8 | 0x10000,
                              x.white, x.black, 0))
    x.sync()
    w, h = x.width, x.height - x.height % ROW
    t0 = time.monotonic()
    for i in range(lines):
        # CopyArea root -> root, one row up
        x.request(62, struct.pack("<IIIhhhhHH", x.root, x.root, gc, 0, ROW, 0, 0, w, h - ROW))
        # ClearArea of the new bottom row (exposures off)
        x.request(61, struct.pack("<IhhHH", x.root, 0, h - ROW, w, ROW))
        text = ("line %d: the quick brown fox jumps over the lazy dog" % i).encode()
        x.request(76, struct.pack("<IIhh", x.root, gc, 4, h - 4) + text, extra=len(text))
    x.sync()
    print(json.dumps({"lines": lines, "seconds": time.monotonic() - t0,
                      "width": x.width, "height": x.height}))


if __name__ == "__main__":
    main()
