# SPDX-License-Identifier: MIT
"""A small VNC (RFB 3.8) client: what a VNC viewer does when its window is
resized.

    with VncClient(port) as c:              # handshake, SetEncodings
        c.set_desktop_size(1600, 900)       # SetDesktopSize (RFC 6143 7.5.7,
                                            # ExtendedDesktopSize extension)
        c.wait_desktop_size(1600, 900, 60)  # the server announced the new size

Only the None security type, and no pixel data: the client never asks for
framebuffer updates, it only reads the pseudo-rectangles the server sends
when the desktop size changes (DesktopSize -223, ExtendedDesktopSize -308)
or, for a client that asks for it, when the cursor's shape changes (alpha
cursor -314, QEMU's RGBA cursor):

    with VncClient(port, encodings=[ENC_RAW, ENC_ALPHA_CURSOR]) as c:
        shape = c.next_cursor(timeout=30)   # (hot_x, hot_y, w, h, pixels)
"""

import select
import socket
import struct
import time

ENC_RAW = 0
ENC_DESKTOP_SIZE = -223
ENC_EXTENDED_DESKTOP_SIZE = -308
ENC_ALPHA_CURSOR = -314

MSG_SET_ENCODINGS = 2
MSG_SET_DESKTOP_SIZE = 251

SERVER_FB_UPDATE = 0
SERVER_COLOUR_MAP = 1
SERVER_BELL = 2
SERVER_CUT_TEXT = 3


class VncError(Exception):
    pass


class VncClient:
    def __init__(self, port, host="127.0.0.1", timeout=30,
                 encodings=(ENC_RAW, ENC_EXTENDED_DESKTOP_SIZE, ENC_DESKTOP_SIZE)):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.timeout = timeout
        self.buf = b""
        self.width = self.height = None
        self.bpp = None
        # (time.monotonic(), x, y, width, height) of every ExtendedDesktopSize
        # or DesktopSize rectangle: x is 1 for answers to our own requests,
        # y their status (0 ok; QEMU answers 4, "forwarded to the guest").
        self.size_events = []
        # (hot_x, hot_y, width, height, pixels) of every cursor shape not
        # yet taken by next_cursor(); pixels are 32-bit words, little-endian.
        self.cursors = []
        self._handshake(list(encodings))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    # -- raw I/O -------------------------------------------------------------

    def _read_some(self, deadline):
        """Add what the server sends next to the buffer; False if it sends
        nothing before deadline."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([self.sock], [], [], left)
            if ready:
                break
        chunk = self.sock.recv(65536)
        if not chunk:
            raise VncError("VNC server closed the connection")
        self.buf += chunk
        return True

    def _recv(self, n, deadline=None):
        deadline = deadline or time.monotonic() + self.timeout
        while len(self.buf) < n:
            if not self._read_some(deadline):
                raise TimeoutError("VNC server sent nothing for a while")
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _unpack(self, fmt, deadline=None):
        return struct.unpack(fmt, self._recv(struct.calcsize(fmt), deadline))

    def _message_arrives(self, deadline):
        """Whether the server starts a message before deadline (nothing is
        consumed, so a message is never cut in two by a short wait)."""
        while not self.buf:
            if not self._read_some(deadline):
                return False
        return True

    # -- protocol ------------------------------------------------------------

    def _handshake(self, encodings):
        version = self._recv(12)
        if not version.startswith(b"RFB 003."):
            raise VncError("not an RFB server: %r" % version)
        self.sock.sendall(b"RFB 003.008\n")
        (count,) = self._unpack("B")
        if count == 0:
            (length,) = self._unpack(">I")
            raise VncError("server refused: %s" % self._recv(length).decode(errors="replace"))
        types = self._recv(count)
        if 1 not in types:
            raise VncError("server offers no None security (types %r)" % list(types))
        self.sock.sendall(b"\x01")
        (result,) = self._unpack(">I")
        if result != 0:
            raise VncError("security handshake failed (%d)" % result)
        self.sock.sendall(b"\x01")                      # ClientInit: shared
        self.width, self.height = self._unpack(">HH")
        pixel_format = self._recv(16)
        self.bpp = pixel_format[0]
        (name_len,) = self._unpack(">I")
        self.name = self._recv(name_len).decode(errors="replace")
        self.sock.sendall(struct.pack(">BxH%di" % len(encodings), MSG_SET_ENCODINGS,
                                      len(encodings), *encodings))

    def set_desktop_size(self, width, height):
        """Ask for a new desktop size, one screen covering it."""
        self.sock.sendall(struct.pack(">BxHHBx", MSG_SET_DESKTOP_SIZE, width, height, 1) +
                          struct.pack(">IHHHHI", 0, 0, 0, width, height, 0))

    def _read_message(self, deadline):
        (mtype,) = self._unpack("B", deadline)
        if mtype == SERVER_FB_UPDATE:
            (nrects,) = self._unpack(">xH", deadline)
            for _ in range(nrects):
                self._read_rect(deadline)
        elif mtype == SERVER_COLOUR_MAP:
            _, count = self._unpack(">xHH", deadline)
            self._recv(count * 6, deadline)
        elif mtype == SERVER_BELL:
            pass
        elif mtype == SERVER_CUT_TEXT:
            (length,) = self._unpack(">xxxI", deadline)
            self._recv(length, deadline)
        else:
            raise VncError("unexpected server message type %d" % mtype)

    def _read_rect(self, deadline):
        x, y, w, h, enc = self._unpack(">HHHHi", deadline)
        if enc == ENC_EXTENDED_DESKTOP_SIZE:
            (screens,) = self._unpack(">Bxxx", deadline)
            self._recv(16 * screens, deadline)
        elif enc == ENC_DESKTOP_SIZE:
            pass
        elif enc == ENC_RAW:
            self._recv(w * h * self.bpp // 8, deadline)
            return
        elif enc == ENC_ALPHA_CURSOR:
            (pixel_enc,) = self._unpack(">i", deadline)
            if pixel_enc != ENC_RAW:
                raise VncError("cursor shape in encoding %d, not raw" % pixel_enc)
            self.cursors.append((x, y, w, h, self._recv(w * h * 4, deadline)))
            return
        else:
            raise VncError("unexpected rectangle encoding %d" % enc)
        self.size_events.append((time.monotonic(), x, y, w, h))
        if x == 0:            # the server's own size change
            self.width, self.height = w, h

    def wait_answers(self, count, timeout):
        """Read server messages until the server answered count
        SetDesktopSize requests in all (ExtendedDesktopSize rectangles with
        reason 1, "this client asked"); return the answers' status codes.
        A client that closes before then may lose requests the server has
        not read yet: its answer to one fails and the server drops the
        connection with the rest."""
        deadline = time.monotonic() + timeout
        while True:
            answers = [y for _, x, y, _, _ in self.size_events if x == 1]
            if len(answers) >= count:
                return answers
            self._read_message(deadline)

    def wait_desktop_size(self, width, height, timeout):
        """Read server messages until the server announces width x height as
        its desktop size; return the time.monotonic() it arrived."""
        deadline = time.monotonic() + timeout
        for t, x, _, w, h in self.size_events:
            if x == 0 and (w, h) == (width, height):
                return t
        while True:
            seen = len(self.size_events)
            self._read_message(deadline)
            for t, x, _, w, h in self.size_events[seen:]:
                if x == 0 and (w, h) == (width, height):
                    return t

    def next_cursor(self, timeout):
        """The next cursor shape the server sends, as (hot_x, hot_y, width,
        height, pixels), or None if none starts arriving within timeout
        seconds.  Only for a client created with ENC_ALPHA_CURSOR."""
        deadline = time.monotonic() + timeout
        while not self.cursors:
            if not self._message_arrives(deadline):
                return None
            self._read_message(time.monotonic() + self.timeout)
        return self.cursors.pop(0)
