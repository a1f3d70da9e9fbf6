# SPDX-License-Identifier: MIT
"""Screendump images: PPM (P6) and PNG (8-bit RGB/RGBA, as QEMU writes them)."""

import struct
import zlib


class Image:
    """An RGB image: width, height and width*height*3 bytes of pixels."""

    def __init__(self, width, height, data):
        if len(data) != width * height * 3:
            raise ValueError("image data is %d bytes, want %d for %dx%d"
                             % (len(data), width * height * 3, width, height))
        self.width = width
        self.height = height
        self.data = bytes(data)

    def __repr__(self):
        return "<Image %dx%d>" % (self.width, self.height)

    @classmethod
    def load(cls, path):
        with open(path, "rb") as f:
            return cls.from_bytes(f.read(), path)

    @classmethod
    def from_bytes(cls, blob, name="image"):
        """A PPM or PNG file's contents; name is for the error message."""
        if blob.startswith(b"\x89PNG\r\n\x1a\n"):
            return cls.from_png(blob)
        if blob.startswith(b"P6"):
            return cls.from_ppm(blob)
        raise ValueError("%s: neither PPM (P6) nor PNG" % name)

    @classmethod
    def from_ppm(cls, blob):
        # Header: "P6" width height maxval, separated by whitespace, with
        # '#' comments; exactly one whitespace byte before the pixels.
        fields, pos = [], 2
        while len(fields) < 3:
            while blob[pos:pos + 1].isspace():
                pos += 1
            if blob[pos:pos + 1] == b"#":
                pos = blob.index(b"\n", pos) + 1
                continue
            end = pos
            while not blob[end:end + 1].isspace():
                end += 1
            fields.append(int(blob[pos:end]))
            pos = end
        width, height, maxval = fields
        if maxval != 255:
            raise ValueError("PPM maxval %d unsupported" % maxval)
        pos += 1
        return cls(width, height, blob[pos:pos + width * height * 3])

    @classmethod
    def from_png(cls, blob):
        pos, idat, hdr = 8, [], None
        while pos < len(blob):
            length, ctype = struct.unpack(">I4s", blob[pos:pos + 8])
            body = blob[pos + 8:pos + 8 + length]
            pos += 12 + length
            if ctype == b"IHDR":
                hdr = struct.unpack(">IIBBBBB", body)
            elif ctype == b"IDAT":
                idat.append(body)
            elif ctype == b"IEND":
                break
        if hdr is None:
            raise ValueError("PNG without IHDR")
        width, height, depth, ctype, _, _, interlace = hdr
        channels = {2: 3, 6: 4}.get(ctype)
        if depth != 8 or channels is None or interlace:
            raise ValueError("PNG type %d depth %d interlace %d unsupported"
                             % (ctype, depth, interlace))
        raw = zlib.decompress(b"".join(idat))
        stride = width * channels
        prev = bytearray(stride)
        out = bytearray()
        for y in range(height):
            start = y * (stride + 1)
            cur = _unfilter(raw[start], bytearray(raw[start + 1:start + 1 + stride]),
                            prev, channels)
            out += cur if channels == 3 else _drop_alpha(cur)
            prev = cur
        return cls(width, height, bytes(out))

    def pixel(self, x, y):
        """(r, g, b) at column x, row y."""
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise IndexError("pixel (%d,%d) outside %dx%d"
                             % (x, y, self.width, self.height))
        i = (y * self.width + x) * 3
        return tuple(self.data[i:i + 3])

    def crop(self, x, y, w, h):
        rows = [self.data[((y + r) * self.width + x) * 3:
                          ((y + r) * self.width + x + w) * 3] for r in range(h)]
        return Image(w, h, b"".join(rows))

    def count(self, rgb):
        """How many pixels have exactly this (r, g, b)."""
        needle = bytes(rgb)
        return sum(1 for i in range(0, len(self.data), 3)
                   if self.data[i:i + 3] == needle)

    def is_uniform(self, rgb=None):
        """True if every pixel is the same colour (rgb, if given)."""
        first = bytes(rgb) if rgb is not None else self.data[:3]
        return self.data == first * (self.width * self.height)

    def save_ppm(self, path):
        with open(path, "wb") as f:
            f.write(b"P6\n%d %d\n255\n" % (self.width, self.height))
            f.write(self.data)


def _drop_alpha(row):
    out = bytearray(row)
    del out[3::4]
    return out


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(ftype, cur, prev, bpp):
    """Undo one PNG scanline filter (RFC 2083, 6.6) in place."""
    if ftype == 0:
        return cur
    for i in range(len(cur)):
        a = cur[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if ftype == 1:
            cur[i] = (cur[i] + a) & 0xff
        elif ftype == 2:
            cur[i] = (cur[i] + b) & 0xff
        elif ftype == 3:
            cur[i] = (cur[i] + ((a + b) >> 1)) & 0xff
        elif ftype == 4:
            cur[i] = (cur[i] + _paeth(a, b, c)) & 0xff
        else:
            raise ValueError("PNG filter type %d" % ftype)
    return cur
