#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpus of the whole-device fuzzer (QEMU's generic-fuzz,
configuration "virtio-pvdisplay", scripts/env/fuzz.sh).

    make-seeds.py [--check] [DIR]     (default DIR: ./seeds next to this file)

--check writes nothing and fails if DIR differs from what this script
writes (the unit tier runs it, so the corpus in the tree cannot drift from
its source).

A generic-fuzz input is a list of operations separated by "FUZZ": MMIO and
PIO accesses to the device's regions, PCI configuration accesses, and DMA
patterns.  There is no operation that writes guest RAM: RAM is filled from
the patterns when the device reads it (fuzz_dma_read_cb(), every region the
device reads gets the next pattern, once per operation), so a random input
almost never builds a virtqueue whose descriptors lead to a well-formed
request.  Each seed here does it in two steps:

1. Bootstrap.  One pattern IMG.  Queue 0 gets its rings at fixed addresses
   and a notification; every read the device makes is filled with IMG from
   its first byte: the available index (IMG[0:2] = 1), the ring entry
   (IMG[0:2] = 1: descriptor 1), descriptor 1 (IMG[0:16]: address IMG_ADDR,
   length len(IMG)), then the buffer it maps, IMG_ADDR, gets the whole of
   IMG.  IMG_ADDR's low 16 bits are 1 so that the first bytes of IMG mean
   the same thing in all three roles.  The device answers that request
   (an unknown type, no response buffer) and the image stays in RAM.
2. The real run.  The patterns are cleared (reads no longer change RAM),
   the device is reset and set up again with queue 0's descriptor table and
   available ring inside the image, and one notification makes it process
   the requests the image holds, in ring order: display info, EDID,
   resources over guest RAM, scanout updates with and without damage,
   destroys, and malformed variants.  Then a few register accesses (config
   events, ISR, reset) that the fuzzer can mutate further.

Responses and the used ring live in RAM outside the image; the resources'
memory is plain RAM (its content does not matter).  The layout of the
virtio-pci regions (which region index is the common configuration, the
notification area, ...) is generic-fuzz's: every matched MMIO region in
address order; fuzz.sh checks that the seeds reach the device by its
coverage report.
"""

import hashlib
import os
import random
import struct
import sys

SEPARATOR = b"FUZZ"

# generic-fuzz operations (tests/qtest/fuzz/generic_fuzz.c, enum cmds)
OP_READ, OP_WRITE = 2, 3
OP_ADD_DMA_PATTERN, OP_CLEAR_DMA_PATTERNS, OP_CLOCK_STEP = 7, 8, 9
SIZE_BYTE, SIZE_WORD, SIZE_LONG = 0, 1, 2

# generic-fuzz's region indexes for -device virtio-pvdisplay-pci on q35: the
# MSI-X BAR (table, PBA) is mapped below the modern BAR (common, ISR,
# device, notify).
REG_COMMON, REG_ISR, REG_DEVICE, REG_NOTIFY = 2, 3, 4, 5

# struct virtio_pci_common_cfg
CC_DFSELECT, CC_DF, CC_GFSELECT, CC_GF = 0x00, 0x04, 0x08, 0x0c
CC_STATUS = 0x14
CC_Q_SELECT, CC_Q_SIZE, CC_Q_ENABLE = 0x16, 0x18, 0x1c
CC_Q_DESCLO, CC_Q_DESCHI = 0x20, 0x24
CC_Q_AVAILLO, CC_Q_AVAILHI = 0x28, 0x2c
CC_Q_USEDLO, CC_Q_USEDHI = 0x30, 0x34
ST_ACK, ST_DRIVER, ST_DRIVER_OK, ST_FEATURES_OK = 1, 2, 4, 8
VRING_DESC_F_NEXT, VRING_DESC_F_WRITE = 1, 2

# include/uapi/drm/pvdisplay.h
F_EDID, F_MULTI_HEAD, F_EXTRA_FORMATS = 1 << 0, 1 << 1, 1 << 2
F_CURSOR, F_CRC, F_FRAME_DAMAGE = 1 << 3, 1 << 5, 1 << 6
CMD_GET_DISPLAY_INFO, CMD_GET_EDID = 0x100, 0x101
CMD_RESOURCE_CREATE, CMD_RESOURCE_DESTROY, CMD_SCANOUT_UPDATE = 0x102, 0x103, 0x104
CMD_GET_CRC = 0x105
CMD_CURSOR_SET, CMD_CURSOR_MOVE = 0x200, 0x201
VQ_CONTROL, VQ_CURSOR = 0, 2
RESP_CRC_SIZE = 16
CFG_EVENTS_CLEAR = 4
RESP_DISPLAY_INFO_SIZE = 16 + 16 * 32
RESP_EDID_SIZE = 16 + 1024
RESP_HDR_SIZE = 8
REGION_ALIGN = 4096


def fourcc(s):
    return struct.unpack("<I", s.encode())[0]


FORMATS = {  # fourcc: bytes per pixel; the first two need no feature
    fourcc("XR24"): 4, fourcc("AR24"): 4,
    fourcc("XB24"): 4, fourcc("AB24"): 4, fourcc("RG16"): 2,
}
BASE_FORMATS = [fourcc("XR24"), fourcc("AR24")]

# The fuzz configuration: heads=2, max-xres=1024, max-yres=768, 64 MiB RAM
# (a shared memfd), max-hostmem=4M, max-view-maps=16.
HEADS, MAX_W, MAX_H = 2, 1024, 768

# Guest physical addresses.
BOOT_AVAIL, BOOT_DESC, BOOT_USED = 0x10000, 0x11000, 0x12000
IMG_ADDR = 0x40001          # low 16 bits 1: see the module comment
IMG_BASE = IMG_ADDR + 31    # 16-byte aligned, past the bootstrap descriptor
USED, CURSOR_USED = 0x60000, 0x70000
RESP_BASE, RESP_STRIDE = 0x80000, 0x800
CURSOR_RESP_BASE = 0x90000  # past the control queue's MAX_REQUESTS answers
RES_RAM, RES_RAM_END = 0x1000000, 0x3c00000  # resources' memory
MAX_REQUESTS = 32           # 2 descriptors each, in a queue of 64 at most


class Input:
    """One generic-fuzz input, operation by operation."""

    def __init__(self):
        self.ops = []

    def op(self, code, data=b""):
        self.ops.append(bytes([code]) + data)

    def write(self, region, offset, value, size=SIZE_LONG):
        self.op(OP_WRITE, struct.pack("<BBxxIQ", size, region, offset, value))

    def read(self, region, offset, size=SIZE_LONG):
        self.op(OP_READ, struct.pack("<BBxxI", size, region, offset))

    def common(self, offset, value, size=SIZE_LONG):
        self.write(REG_COMMON, offset, value, size)

    def pattern(self, data):
        self.op(OP_ADD_DMA_PATTERN, b"\0\0" + data)   # index 0, stride 0

    def clear_patterns(self):
        self.op(OP_CLEAR_DMA_PATTERNS)

    def clock_step(self):
        self.op(OP_CLOCK_STEP)

    def notify(self, queue=0):
        # QEMU's notify_off_multiplier is 4 with page-per-vq off.
        self.write(REG_NOTIFY, queue * 4, queue, SIZE_WORD)

    def status(self, value):
        self.common(CC_STATUS, value, SIZE_BYTE)

    def setup(self, features, desc, avail, used, size, more_queues=()):
        """Reset, negotiate, and give queue 0 its rings, and each of
        @more_queues, (index, desc, avail, used, size), its own; DRIVER_OK."""
        self.status(0)
        self.status(ST_ACK)
        self.status(ST_ACK | ST_DRIVER)
        self.common(CC_GFSELECT, 0)
        self.common(CC_GF, features)
        self.common(CC_GFSELECT, 1)
        self.common(CC_GF, 1)                  # VIRTIO_F_VERSION_1 (bit 32)
        self.status(ST_ACK | ST_DRIVER | ST_FEATURES_OK)
        for index, desc, avail, used, size in ((0, desc, avail, used, size),) + \
                tuple(more_queues):
            self.common(CC_Q_SELECT, index, SIZE_WORD)
            self.common(CC_Q_SIZE, size, SIZE_WORD)
            for lo, hi, addr in ((CC_Q_DESCLO, CC_Q_DESCHI, desc),
                                 (CC_Q_AVAILLO, CC_Q_AVAILHI, avail),
                                 (CC_Q_USEDLO, CC_Q_USEDHI, used)):
                self.common(lo, addr & 0xffffffff)
                self.common(hi, addr >> 32)
            self.common(CC_Q_ENABLE, 1, SIZE_WORD)
        self.status(ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK)

    def bytes(self):
        # FUZZ has no border (no proper prefix is also a suffix), so only an
        # operation containing it could be split differently.
        for op in self.ops:
            if SEPARATOR in op:
                raise ValueError("an operation contains the separator")
        return SEPARATOR.join(self.ops)


def hdr(cmd_type, flags=0):
    return struct.pack("<II", cmd_type, flags)


class Image:
    """The guest memory image of the real run: descriptor table, available
    ring and requests, laid out from IMG_BASE."""

    def __init__(self):
        self.requests = []     # (request bytes, response length)
        self.cursor_requests = []  # the same, for the cursor queue

    def add(self, request, resp_len=RESP_HDR_SIZE):
        if len(self.requests) < MAX_REQUESTS:
            self.requests.append((request, resp_len))

    def add_cursor(self, request, resp_len=RESP_HDR_SIZE):
        if len(self.cursor_requests) < MAX_REQUESTS:
            self.cursor_requests.append((request, resp_len))

    @staticmethod
    def _queue_size(requests):
        """The smallest power of two that holds every request's two
        descriptors."""
        size = 2
        while size < 2 * len(requests):
            size *= 2
        return size

    def queue_size(self):
        return self._queue_size(self.requests)

    def cursor_queue_size(self):
        return self._queue_size(self.cursor_requests)

    @staticmethod
    def _queue(img, off, requests, resp_base):
        """Lay out one queue's descriptor table, available ring and
        requests at @off of @img; return the offset past them."""
        n = len(requests)
        qsize = Image._queue_size(requests)
        desc_off = off
        avail_off = desc_off + 16 * qsize
        req_off = avail_off + 4 + 2 * qsize + 2
        req_off = (req_off + 15) & ~15
        descs = b""
        body = b""
        for i, (req, resp_len) in enumerate(requests):
            req_addr = IMG_ADDR + req_off + len(body)
            descs += struct.pack("<QIHH", req_addr, len(req), VRING_DESC_F_NEXT, 2 * i + 1)
            descs += struct.pack("<QIHH", resp_base + i * RESP_STRIDE, resp_len,
                                 VRING_DESC_F_WRITE, 0)
            body += req + b"\0" * (-len(req) % 16)
        avail = struct.pack("<HH", 0, n) + b"".join(
            struct.pack("<H", 2 * i) for i in range(n))
        img.extend(b"\0" * (req_off + len(body) - len(img)))
        img[desc_off:desc_off + len(descs)] = descs
        img[avail_off:avail_off + len(avail)] = avail
        img[req_off:req_off + len(body)] = body
        return req_off + len(body)

    def build(self):
        img = bytearray()
        end = self._queue(img, IMG_BASE - IMG_ADDR, self.requests, RESP_BASE)
        if self.cursor_requests:
            # the descriptor table 16-byte aligned in guest memory
            self.cursor_off = ((IMG_ADDR + end + 15) & ~15) - IMG_ADDR
            self._queue(img, self.cursor_off, self.cursor_requests, CURSOR_RESP_BASE)
        # The bootstrap view of the first bytes (module comment): available
        # index 1, ring entry 1, descriptor 1 = the whole image.
        img[0:16] = struct.pack("<QIHH", IMG_ADDR, len(img), 0, 0)
        assert IMG_ADDR & 0xffff == 1
        return bytes(img)

    def rings(self):
        return (IMG_BASE, IMG_BASE + 16 * self.queue_size())

    def cursor_rings(self):
        """After build(): the cursor queue's descriptor table and
        available ring."""
        base = IMG_ADDR + self.cursor_off
        return (base, base + 16 * self.cursor_queue_size())


# -- requests --------------------------------------------------------------

def display_info():
    return hdr(CMD_GET_DISPLAY_INFO), RESP_DISPLAY_INFO_SIZE


def get_edid(head):
    return hdr(CMD_GET_EDID) + struct.pack("<II", head, 0), RESP_EDID_SIZE


def resource_create(res_id, entries, size=None):
    if size is None:
        size = sum(length for _, length in entries)
    return (hdr(CMD_RESOURCE_CREATE) + struct.pack("<IIQ", res_id, len(entries), size) +
            b"".join(struct.pack("<QII", addr, length, 0) for addr, length in entries),
            RESP_HDR_SIZE)


def resource_destroy(res_id):
    return hdr(CMD_RESOURCE_DESTROY) + struct.pack("<II", res_id, 0), RESP_HDR_SIZE


def scanout_update(head, res_id, fmt, offset, stride, fb_w, fb_h, src, rects, regions):
    sx, sy, sw, sh = src
    req = hdr(CMD_SCANOUT_UPDATE) + struct.pack(
        "<14I", head, res_id, fmt, offset, stride, fb_w, fb_h, sx, sy, sw, sh,
        len(rects), len(regions), 0)
    req += b"".join(struct.pack("<4I", *r) for r in rects)
    req += b"".join(struct.pack("<QQ", *r) for r in regions)
    return req, RESP_HDR_SIZE


def head_off(head):
    return scanout_update(head, 0, 0, 0, 0, 0, 0, (0, 0, 0, 0), [], [])


def get_crc(head, width, height):
    return hdr(CMD_GET_CRC) + struct.pack("<IIII", head, width, height, 0), RESP_CRC_SIZE


def cursor_set(head, res_id, fmt, offset, stride, width, height, hot_x, hot_y, x, y):
    return (hdr(CMD_CURSOR_SET) + struct.pack(
        "<IIIIIIIIIiiI", head, res_id, fmt, offset, stride, width, height,
        hot_x, hot_y, x, y, 0), RESP_HDR_SIZE)


def cursor_hide(head):
    return cursor_set(head, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def cursor_move(head, x, y):
    return hdr(CMD_CURSOR_MOVE) + struct.pack("<IiiI", head, x, y, 0), RESP_HDR_SIZE


class Fb:
    """A framebuffer in a resource, and the requests that show it."""

    def __init__(self, rng, res_id, fmt, width, height, pad=0, offset=0, pieces=1):
        self.res_id, self.fmt = res_id, fmt
        self.cpp = FORMATS[fmt]
        self.width, self.height = width, height
        self.stride = width * self.cpp + pad
        self.offset = offset
        self.size = offset + self.stride * height
        self.entries = self._entries(rng, pieces)

    def _entries(self, rng, pieces):
        """The resource's memory: @pieces runs of RAM, page-sized except
        the last, scattered over the resource area."""
        pages = (self.size + 4095) // 4096
        cuts = sorted(rng.sample(range(1, pages), min(pieces, pages) - 1)) if pages > 1 else []
        bounds = [0] + cuts + [pages]
        slots = (RES_RAM_END - RES_RAM) // (4 << 20)
        entries = []
        for i, (a, b) in enumerate(zip(bounds, bounds[1:])):
            length = min(b * 4096, self.size) - a * 4096
            base = RES_RAM + rng.randrange(slots) * (4 << 20) + rng.randrange(16) * 4096
            entries.append((base, length))
        return entries

    def create(self):
        return resource_create(self.res_id, self.entries, self.size)

    def update(self, head, src=None, rects=(), regions=None):
        src = src or (0, 0, self.width, self.height)
        rects = list(rects)
        if regions is None:
            regions = self.regions_for(rects)
        return scanout_update(head, self.res_id, self.fmt, self.offset, self.stride,
                              self.width, self.height, src, rects, regions)

    def regions_for(self, rects):
        """Page-aligned regions covering every byte of @rects, merged, at
        most 32 (the last ones joined), the end clamped to the resource."""
        spans = []
        for x, y, w, h in rects:
            first = self.offset + y * self.stride + x * self.cpp
            last = self.offset + (y + h - 1) * self.stride + (x + w) * self.cpp
            start = first // REGION_ALIGN * REGION_ALIGN
            end = min((last + REGION_ALIGN - 1) // REGION_ALIGN * REGION_ALIGN, self.size)
            spans.append([start, end])
        spans.sort()
        merged = []
        for s in spans:
            if merged and s[0] <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], s[1])
            else:
                merged.append(s)
        while len(merged) > 32:
            merged[-2][1] = merged[-1][1]
            merged.pop()
        return [(s, e - s) for s, e in merged]

    def random_rects(self, rng, n, src=None):
        sx, sy, sw, sh = src or (0, 0, self.width, self.height)
        rects = []
        for _ in range(n):
            w = rng.randint(1, min(sw, 64))
            h = rng.randint(1, min(sh, 64))
            rects.append((sx + rng.randint(0, sw - w), sy + rng.randint(0, sh - h), w, h))
        return rects


# -- seeds -----------------------------------------------------------------

def make_input(features, image, tail=()):
    """The bootstrap, the real run over @image, then @tail(inp) calls."""
    inp = Input()
    img = image.build()
    inp.setup(features, BOOT_DESC, BOOT_AVAIL, BOOT_USED, 16)
    inp.pattern(img)
    inp.notify()
    inp.clear_patterns()
    desc, avail = image.rings()
    more = []
    if image.cursor_requests:
        cdesc, cavail = image.cursor_rings()
        more.append((VQ_CURSOR, cdesc, cavail, CURSOR_USED, image.cursor_queue_size()))
    inp.setup(features, desc, avail, USED, image.queue_size(), more)
    inp.notify()
    if image.cursor_requests:
        # the control queue's resources first, as a driver would wait for them
        inp.clock_step()
        inp.notify(VQ_CURSOR)
    for step in tail:
        step(inp)
    return inp.bytes()


def random_features(rng):
    return rng.choice([F_EDID | F_MULTI_HEAD | F_EXTRA_FORMATS, F_EDID | F_MULTI_HEAD,
                       F_EDID, F_MULTI_HEAD | F_EXTRA_FORMATS, 0,
                       F_EDID | F_MULTI_HEAD | F_EXTRA_FORMATS])


def random_fb(rng, res_id, features):
    fmts = list(FORMATS) if features & F_EXTRA_FORMATS else BASE_FORMATS
    fmt = rng.choice(fmts)
    w = rng.choice([1, 3, 16, 64, 100, 640, 1024, rng.randint(1, MAX_W)])
    h = rng.choice([1, 2, 16, 48, 100, 480, 768, rng.randint(1, MAX_H)])
    pad = rng.choice([0, 0, 0, 4, 64, 4096])
    offset = rng.choice([0, 0, 0, 4096, rng.randrange(0, 8192, 4)])
    return Fb(rng, res_id, fmt, w, h, pad, offset, pieces=rng.choice([1, 1, 2, 4, 9]))


def random_src(rng, fb):
    if rng.random() < 0.6:
        return (0, 0, fb.width, fb.height)
    sw = rng.randint(1, fb.width)
    sh = rng.randint(1, fb.height)
    return (rng.randint(0, fb.width - sw), rng.randint(0, fb.height - sh), sw, sh)


def tail_events(inp):
    inp.read(REG_DEVICE, 0)
    inp.write(REG_DEVICE, CFG_EVENTS_CLEAR, 0xffffffff)
    inp.read(REG_ISR, 0, SIZE_BYTE)


def tail_renotify(inp):
    inp.clock_step()
    inp.notify()


def tail_reset(inp):
    inp.status(0)
    inp.notify()


def corrupt(rng, req):
    """One malformed variant of a request: a field or length gone wrong."""
    data = bytearray(req)
    kind = rng.randrange(6)
    if kind == 0 and len(data) > 8:            # truncated
        return bytes(data[:rng.randrange(1, len(data))])
    if kind == 1:                              # flags
        data[4] = 1 << rng.randrange(8)
    elif kind == 2:                            # an extreme 32-bit field
        pos = rng.randrange(8, max(9, len(data) - 3)) & ~3
        data[pos:pos + 4] = struct.pack("<I", rng.choice(
            [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffff000, 4096, 16384]))
    elif kind == 3:                            # a random byte
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == 4:                            # unknown type
        data[0:4] = struct.pack("<I", rng.choice([0, 0x105, 0x1ff, 0xffffffff]))
    else:                                      # trailing garbage
        data += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
    return bytes(data)


def seed_basic(rng, features):
    img = Image()
    img.add(*display_info())
    for head in range(HEADS + 1):
        img.add(*get_edid(head))
    return make_input(features, img, [tail_events])


def seed_show(rng, features, n_updates, with_rects=True, destroy=False, off=False):
    """Framebuffers on one or two heads, full updates then damage."""
    img = Image()
    img.add(*display_info())
    heads = HEADS if features & F_MULTI_HEAD else 1
    fbs = []
    for i in range(rng.randint(1, 3)):
        fb = random_fb(rng, i + 1, features)
        fbs.append(fb)
        img.add(*fb.create())
    for _ in range(n_updates):
        fb = rng.choice(fbs)
        head = rng.randrange(heads)
        src = random_src(rng, fb)
        img.add(*fb.update(head, src))
        if with_rects:
            for _ in range(rng.randint(1, 3)):
                rects = fb.random_rects(rng, rng.choice([1, 2, 5, 16]), src)
                img.add(*fb.update(head, src, rects))
    if off:
        img.add(*head_off(rng.randrange(heads)))
    if destroy:
        for fb in fbs:
            img.add(*resource_destroy(fb.res_id))
        img.add(*fbs[0].update(0))               # scanout of a destroyed resource
    tails = rng.sample([tail_events, tail_renotify, tail_reset], rng.randint(0, 2))
    return make_input(features, img, tails)


def seed_malformed(rng, features):
    """Valid requests with malformed ones in between."""
    img = Image()
    fb = random_fb(rng, 7, features)
    good = [fb.create(), fb.update(0),
            fb.update(0, None, fb.random_rects(rng, 3)), display_info(), get_edid(0)]
    img.add(*good[0])
    for _ in range(rng.randint(2, 8)):
        req, resp = rng.choice(good)
        img.add(corrupt(rng, req), resp)
        if rng.random() < 0.5:
            img.add(req, resp)
    if rng.random() < 0.3:
        # A response buffer too small for the answer.
        img.add(display_info()[0], rng.choice([0, 4, 8, 100]))
    img.add(*resource_destroy(7))
    return make_input(features, img, [tail_events])


def seed_resources(rng, features):
    """Resource table edge cases: reuse, many entries, budget, id 0."""
    img = Image()
    fb = random_fb(rng, 3, features)
    img.add(*fb.create())
    img.add(*fb.create())                                  # id in use
    img.add(*resource_create(0, fb.entries, fb.size))      # id 0
    img.add(*resource_destroy(3))
    img.add(*resource_destroy(3))                          # unknown now
    many = [(RES_RAM + i * 8192, 4096) for i in range(rng.choice([16, 64, 128]))]
    img.add(*resource_create(9, many))
    img.add(*resource_create(10, [(RES_RAM, 4096)], 8192))          # size mismatch
    img.add(*resource_create(11, [(0xfffffffffffff000, 4096)]))     # not RAM
    img.add(*resource_create(12, [(0xfed00000, 4096)]))             # MMIO
    big = [(RES_RAM, 16 << 20)]
    for i in range(4):
        img.add(*resource_create(20 + i, big))                      # budget
    img.add(*Fb(rng, 9, BASE_FORMATS[0], 64, 64).update(0))       # resource 9 on head 0
    return make_input(features, img, [tail_renotify])


def seed_crc(rng, features):
    """GET_CRC of heads that show a framebuffer, of dark heads (a black
    frame of the size asked), and malformed ones."""
    features |= F_CRC
    img = Image()
    heads = HEADS if features & F_MULTI_HEAD else 1
    fb = random_fb(rng, 1, features)
    img.add(*fb.create())
    head = rng.randrange(heads)
    src = random_src(rng, fb)
    img.add(*fb.update(head, src))
    # The size is ignored for a lit head, but must be a valid one.
    img.add(*get_crc(head, fb.width, fb.height))
    img.add(*fb.update(head, src, fb.random_rects(rng, 2, src)))
    img.add(*get_crc(head, 1, 1))
    img.add(*get_crc((head + 1) % HEADS, rng.choice([1, 640, MAX_W]),
                     rng.choice([1, 480, MAX_H])))
    for _ in range(rng.randint(1, 4)):
        req, resp = get_crc(rng.choice([0, 1, HEADS, 16, 0xffffffff]),
                            rng.choice([0, 1, MAX_W, MAX_W + 1, 0xffffffff]),
                            rng.choice([0, 1, MAX_H, MAX_H + 1, 0xffffffff]))
        if rng.random() < 0.3:
            req = corrupt(rng, req)
        img.add(req, rng.choice([resp, resp, 8, 4, 0]))
    img.add(*head_off(head))
    img.add(*get_crc(head, 640, 480))
    return make_input(features, img, [tail_events])


def seed_frame_damage(rng, features):
    """Page flips between framebuffers of one layout, carrying only what
    changed since the previous frame; then a flip that changes the layout,
    and one to a destroyed resource."""
    features |= F_FRAME_DAMAGE
    img = Image()
    heads = HEADS if features & F_MULTI_HEAD else 1
    a = random_fb(rng, 1, features)
    b = Fb(rng, 2, a.fmt, a.width, a.height, a.stride - a.width * a.cpp, a.offset,
           pieces=rng.choice([1, 2, 4]))
    img.add(*a.create())
    img.add(*b.create())
    head = rng.randrange(heads)
    src = random_src(rng, a)
    img.add(*a.update(head, src))
    cur = a
    for _ in range(rng.randint(2, 6)):
        nxt = b if cur is a else a
        rects = nxt.random_rects(rng, rng.choice([1, 2, 5, 16]), src)
        if rng.random() < 0.2:
            rects = []                         # a flip without damage
        img.add(*nxt.update(head, src, rects))
        cur = nxt
    if rng.random() < 0.5:
        c = random_fb(rng, 3, features)       # another layout
        img.add(*c.create())
        img.add(*c.update(head, None, c.random_rects(rng, 2)))
    img.add(*resource_destroy(cur.res_id))
    other = b if cur is a else a
    img.add(*cur.update(head, src, cur.random_rects(rng, 1, src)))  # destroyed
    img.add(*other.update(head, src, other.random_rects(rng, 1, src)))
    return make_input(features, img, rng.sample([tail_events, tail_renotify], 1))


def seed_cursor(rng, features):
    """The cursor queue: images from a resource, moves (several queued
    together coalesce), hiding, malformed requests, requests on the wrong
    queue, and destroying the image's resource."""
    features |= F_CURSOR | (F_CRC if rng.random() < 0.5 else 0)
    img = Image()
    heads = HEADS if features & F_MULTI_HEAD else 1
    fb = random_fb(rng, 1, features)
    img.add(*fb.create())
    head = rng.randrange(heads)
    img.add(*fb.update(head))
    side = rng.choice([1, 16, 32, 64])
    pad = rng.choice([0, 0, 64])
    stride = side * 4 + pad
    argb = fourcc("AR24")
    cur = Fb(rng, 2, argb, side, side, pad)
    img.add(*cur.create())
    img.add_cursor(*cursor_set(head, 2, argb, 0, stride, side, side,
                               rng.randrange(side), rng.randrange(side),
                               rng.randint(-side, 640), rng.randint(-side, 480)))
    for _ in range(rng.randint(1, 8)):
        img.add_cursor(*cursor_move(head, rng.randint(-100, 1100), rng.randint(-100, 800)))
    if features & F_CRC:
        # The device takes the cursor queue's requests first: the frame
        # has the cursor blended in.
        img.add(*get_crc(head, fb.width, fb.height))
    bad = [
        cursor_set(head, 2, argb, 0, stride, side + 1, side, 0, 0, 0, 0),    # outside
        cursor_set(head, 2, argb, 0, stride, 65, 65, 0, 0, 0, 0),            # > max
        cursor_set(head, 2, argb, 0, stride, side, side, side, 0, 0, 0),     # hotspot
        cursor_set(head, 2, fourcc("XR24"), 0, stride, side, side, 0, 0, 0, 0),
        cursor_set(head, 9, argb, 0, stride, side, side, 0, 0, 0, 0),        # unknown
        cursor_set(HEADS, 2, argb, 0, stride, side, side, 0, 0, 0, 0),       # head
        cursor_move(16, 0, 0),
        cursor_set(head, 2, argb, 0, 4, side, side, 0, 0, 0, 0),             # stride
        display_info(),                                      # wrong queue
    ]
    for _ in range(rng.randint(1, 4)):
        req, resp = rng.choice(bad)
        if rng.random() < 0.3:
            req = corrupt(rng, req)
        img.add_cursor(req, rng.choice([resp, resp, 4, 0]))
    if rng.random() < 0.5:
        img.add(*cursor_move(head, 1, 1))                    # wrong queue
    img.add_cursor(*cursor_hide(head))
    img.add_cursor(*cursor_move(head, 5, 5))                 # kept while hidden
    img.add_cursor(*cursor_set(head, 2, argb, 0, stride, side, side, 0, 0, 10, 10))
    img.add(*resource_destroy(2))        # the image stays: it was copied
    return make_input(features, img, rng.sample([tail_events, tail_renotify, tail_reset],
                                                rng.randint(0, 2)))


def seed_budget(rng, features):
    """Framebuffers of the largest size on both heads, in memory that
    starts off a page boundary, in pieces, so that the device cannot map it and
    copies into surfaces of its own: two of them do not fit max-hostmem
    (4M), the second is refused; then smaller ones that fit."""
    features |= F_MULTI_HEAD
    img = Image()
    fbs = []
    for head in range(HEADS):
        fb = Fb(rng, 1 + head, BASE_FORMATS[0], MAX_W, MAX_H, pieces=rng.choice([3, 8]))
        fb.entries = [(base + 512, length) for base, length in fb.entries]
        img.add(*fb.create())
        img.add(*fb.update(head))
        fbs.append(fb)
    img.add(*fbs[1].update(1, rects=fbs[1].random_rects(rng, 2)))
    img.add(*fbs[0].update(0, (0, 0, MAX_W // 2, MAX_H // 2)))    # the budget freed
    img.add(*fbs[1].update(1, (0, 0, MAX_W // 2, MAX_H)))         # now fits
    return make_input(features, img, rng.sample([tail_events, tail_renotify], 1))


def main():
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    out = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")
    rng = random.Random(20261202)
    seeds = {}

    def add(name, data):
        seeds[name] = data

    feats = [0, F_EDID, F_EDID | F_MULTI_HEAD, F_EDID | F_MULTI_HEAD | F_EXTRA_FORMATS,
             F_MULTI_HEAD | F_EXTRA_FORMATS]
    for i, f in enumerate(feats):
        add("basic-%d" % i, seed_basic(rng, f))
    for i in range(40):
        add("show-full-%03d" % i, seed_show(rng, random_features(rng), rng.randint(1, 3),
                                            with_rects=False, off=rng.random() < 0.3))
    for i in range(140):
        add("show-damage-%03d" % i, seed_show(rng, random_features(rng), rng.randint(1, 3),
                                              destroy=rng.random() < 0.3,
                                              off=rng.random() < 0.2))
    for i in range(60):
        add("malformed-%03d" % i, seed_malformed(rng, random_features(rng)))
    for i in range(20):
        add("resources-%03d" % i, seed_resources(rng, random_features(rng)))
    for i in range(20):
        add("crc-%03d" % i, seed_crc(rng, random_features(rng)))
    for i in range(25):
        add("frame-damage-%03d" % i, seed_frame_damage(rng, random_features(rng)))
    for i in range(30):
        add("cursor-%03d" % i, seed_cursor(rng, random_features(rng)))
    for i in range(10):
        add("budget-%03d" % i, seed_budget(rng, random_features(rng)))

    bad = []
    for name, data in sorted(seeds.items()):
        if check:
            path = os.path.join(out, name)
            try:
                with open(path, "rb") as f:
                    if f.read() != data:
                        bad.append(name)
            except OSError:
                bad.append(name)
    if check:
        extra = set(os.listdir(out)) - set(seeds) if os.path.isdir(out) else set()
        if bad or extra:
            sys.exit("seeds in %s differ from make-seeds.py: %s"
                     % (out, " ".join(sorted(bad) + sorted(extra))))
        return
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f not in seeds:
            os.unlink(os.path.join(out, f))
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    total = sum(len(d) for d in seeds.values())
    print("%d seeds, %d bytes, largest %d" % (len(seeds), total,
                                               max(len(d) for d in seeds.values())))


if __name__ == "__main__":
    main()
