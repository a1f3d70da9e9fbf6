#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Device test of virtio-pvdisplay-pci without the guest driver.

Boots a guest whose /init is pvd-guest-test (a userspace virtio driver for
the device), steers it step by step over the serial console, checks what the
host shows with QMP screendumps, resizes the host window through a VNC
client, migrates the VM in the middle, and prints TAP.  A second, short run
gives the guest shared memfd RAM, so that the device shows its framebuffer
through a host view of guest pages (zero copy), and migrates that.

Run inside the sysroot:
  run-guest-test.py --qemu QEMU --kernel VMLINUZ --init INIT_BINARY
                    [--datadir DIR[:DIR...]] [--workdir DIR]
"""

import argparse
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time

DEVICE = ("virtio-pvdisplay-pci,id=pvd0,heads=2,xres=1024,yres=768,"
          "max-hostmem=8M")

results = []


def tap(ok, name, detail=""):
    results.append(ok)
    line = "%s %d - %s" % ("ok" if ok else "not ok", len(results), name)
    print(line + ("" if ok or not detail else "  # " + detail), flush=True)


def diag(text):
    print("# " + text, flush=True)


# --- initramfs -------------------------------------------------------------

def cpio_newc(entries):
    """entries: (name, mode, data, rdev) -> newc archive bytes."""
    out = bytearray()
    ino = 1
    for name, mode, data, rdev in entries + [("TRAILER!!!", 0, b"", (0, 0))]:
        nb = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(nb), 0]
        out += b"070701" + b"".join(b"%08x" % f for f in fields) + nb
        out += b"\0" * (-len(out) % 4)
        out += data
        out += b"\0" * (-len(out) % 4)
        ino += 1
    return bytes(out)


def make_initrd(init, path):
    with open(init, "rb") as f:
        data = f.read()
    entries = [("proc", 0o40755, b"", (0, 0)), ("sys", 0o40755, b"", (0, 0)),
               ("dev", 0o40755, b"", (0, 0)),
               ("dev/console", 0o20600, b"", (5, 1)),
               ("init", 0o100755, data, (0, 0))]
    with open(path, "wb") as f:
        f.write(cpio_newc(entries))


# --- VM --------------------------------------------------------------------

class GuestFailed(Exception):
    pass


class VM:
    def __init__(self, args, tag, incoming=None, shared_ram=False):
        self.tag = tag
        work = args.workdir
        self.qmp_path = os.path.join(work, "qmp-%s.sock" % tag)
        self.vnc_path = os.path.join(work, "vnc-%s.sock" % tag)
        for p in (self.qmp_path, self.vnc_path):
            if os.path.exists(p):
                os.unlink(p)
        cmd = [args.qemu, "-machine", "q35", "-m", "256", "-smp", "1",
               "-nodefaults", "-vga", "none", "-display", "none",
               "-vnc", "unix:" + self.vnc_path,
               "-kernel", args.kernel, "-initrd", args.initrd,
               "-append", "console=ttyS0 quiet panic=-1 pvd.random=%d" %
               args.random,
               "-serial", "stdio", "-no-reboot",
               "-device", DEVICE,
               "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
               "-d", "guest_errors",
               "-D", os.path.join(work, "qemu-%s.log" % tag)]
        for d in (args.datadir or "").split(":"):
            if d:
                cmd += ["-L", d]
        if shared_ram:
            # RAM in a file the device can map: heads show guest pages
            cmd += ["-object", "memory-backend-memfd,id=mem,size=256M,share=on",
                    "-machine", "memory-backend=mem"]
        if incoming:
            cmd += ["-incoming", incoming]
        self.stderr = open(os.path.join(work, "stderr-%s.log" % tag), "w")
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=self.stderr)
        for _ in range(300):
            if os.path.exists(self.qmp_path) or self.p.poll() is not None:
                break
            time.sleep(0.1)
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(self.qmp_path)
        self.f = self.s.makefile("rw")
        json.loads(self.f.readline())
        self.qmp("qmp_capabilities")
        self.buf = b""

    def qmp(self, cmd, **args):
        self.f.write(json.dumps({"execute": cmd, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "return" in r or "error" in r:
                return r

    def wait_line(self, prefix, timeout=300):
        end = time.time() + timeout
        while time.time() < end:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                line = line.decode(errors="replace").rstrip("\r")
                if line.startswith("@@OK "):
                    tap(True, "guest: " + line[5:])
                elif line.startswith("@@FAIL "):
                    name, _, detail = line[7:].partition(": ")
                    tap(False, "guest: " + name, detail)
                elif line.startswith("@@FATAL"):
                    raise GuestFailed(line)
                else:
                    diag("guest: " + line)
                if line.startswith(prefix):
                    return line
            r, _, _ = select.select([self.p.stdout], [], [], 1)
            if r:
                data = os.read(self.p.stdout.fileno(), 65536)
                if not data:
                    raise GuestFailed("QEMU exited with status %s" %
                                      self.p.wait())
                self.buf += data
        raise GuestFailed("timeout waiting for " + prefix)

    def go(self):
        self.p.stdin.write(b"go\n")
        self.p.stdin.flush()

    def screendump(self, head):
        path = os.path.join(os.path.dirname(self.qmp_path),
                            "dump-%s-%d.ppm" % (self.tag, head))
        r = self.qmp("screendump", filename=path, device="pvd0", head=head,
                     format="ppm")
        if "error" in r:
            raise GuestFailed("screendump: %s" % r["error"])
        with open(path, "rb") as f:
            data = f.read()
        magic, dims, maxval, px = data.split(b"\n", 3)
        w, h = map(int, dims.split())
        return w, h, px

    def vnc_resize(self, w, h):
        """Act as a VNC client asking for a w x h desktop (SetDesktopSize)."""
        s = socket.socket(socket.AF_UNIX)
        s.connect(self.vnc_path)
        f = s.makefile("rwb")

        def rd(n):
            b = f.read(n)
            if len(b) != n:
                raise GuestFailed("VNC server closed the connection")
            return b

        rd(12)
        f.write(b"RFB 003.008\n")
        f.flush()
        n = rd(1)[0]
        if 1 not in rd(n):
            raise GuestFailed("VNC server wants authentication")
        f.write(b"\x01")
        f.flush()
        if struct.unpack(">I", rd(4))[0] != 0:
            raise GuestFailed("VNC security handshake failed")
        f.write(b"\x01")                    # ClientInit, shared
        f.flush()
        rd(4 + 16)
        rd(struct.unpack(">I", rd(4))[0])   # ServerInit name
        encs = [0, -308]                    # raw, ExtendedDesktopSize
        f.write(struct.pack(">BBH", 2, 0, len(encs)) +
                b"".join(struct.pack(">i", e) for e in encs))
        f.write(struct.pack(">BBHHBB", 251, 0, w, h, 1, 0) +
                struct.pack(">IHHHHI", 0, 0, 0, w, h, 0))
        f.flush()
        time.sleep(0.5)
        s.close()

    def stat(self, name):
        r = self.qmp("qom-get", path="/machine/peripheral/pvd0/virtio-backend",
                     property=name)
        if "error" in r:
            raise GuestFailed("qom-get %s: %s" % (name, r["error"]))
        return r["return"]

    def migrate_to(self, args, tag, shared_ram=False):
        """Migrate to a file, quit, start a VM that loads it; returns it."""
        mig = os.path.join(args.workdir, "migration-%s.bin" % tag)
        r = self.qmp("migrate", uri="exec:cat > %s" % mig)
        tap("return" in r, "migration started", str(r.get("error")))
        st = None
        for _ in range(1200):
            st = self.qmp("query-migrate")["return"].get("status")
            if st in ("completed", "failed"):
                break
            time.sleep(0.1)
        tap(st == "completed", "migration completed", str(st))
        self.quit()
        vm = VM(args, tag, incoming="exec:cat %s" % mig, shared_ram=shared_ram)
        for _ in range(1200):
            st = vm.qmp("query-status")["return"]["status"]
            if st in ("running", "paused", "postmigrate", "internal-error"):
                break
            time.sleep(0.1)
        tap(st == "running", "migrated VM runs", st)
        return vm

    def job(self, cmd, **args):
        """Start the QMP job cmd (args["job-id"]) and wait until it has
        concluded; a failed job is a GuestFailed."""
        r = self.qmp(cmd, **args)
        if "error" in r:
            raise GuestFailed("%s: %s" % (cmd, r["error"]))
        for _ in range(1200):
            for j in self.qmp("query-jobs")["return"]:
                if j["id"] == args["job-id"] and j["status"] == "concluded":
                    self.qmp("job-dismiss", id=j["id"])
                    if j.get("error"):
                        raise GuestFailed("%s: %s" % (cmd, j["error"]))
                    return
            time.sleep(0.1)
        raise GuestFailed("%s: job did not conclude" % cmd)

    def snapshot_save_and_load(self, args):
        """savevm and loadvm (QMP snapshot-save, snapshot-load) through a
        qcow2 image made for it: the load resets the running device first,
        then loads what the save wrote."""
        path = os.path.join(args.workdir, "snapshot-%s.qcow2" % self.tag)
        open(path, "wb").close()
        self.qmp("blockdev-add", driver="file", filename=path,
                 **{"node-name": "snapfile"})
        self.job("blockdev-create", **{"job-id": "format", "options": {
            "driver": "qcow2", "file": "snapfile", "size": 64 << 20}})
        r = self.qmp("blockdev-add", driver="qcow2", file="snapfile",
                     **{"node-name": "snap"})
        if "error" in r:
            raise GuestFailed("blockdev-add qcow2: %s" % r["error"])
        where = {"tag": "pvd", "vmstate": "snap", "devices": ["snap"]}
        self.job("snapshot-save", **{"job-id": "save"}, **where)
        self.job("snapshot-load", **{"job-id": "load"}, **where)
        st = self.qmp("query-status")["return"]["status"]
        tap(st == "running", "VM runs after loadvm", st)

    def quit(self):
        self.qmp("quit")
        self.p.wait(timeout=60)
        self.stderr.close()


# --- expected pictures ------------------------------------------------------

def pattern(x, y, salt):
    return ((x * 7 + salt) & 0xff, (y * 3) & 0xff, (x ^ y ^ salt) & 0xff)


def rgb565(c):
    r, g, b = c[0] >> 3, c[1] >> 2, c[2] >> 3
    return ((r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2))


def in_rect(x, y, r):
    return r[0] <= x < r[0] + r[2] and r[1] <= y < r[1] + r[3]


def compare(img, size, expect, name, step=1):
    w, h, px = img
    if (w, h) != size:
        tap(False, name, "surface is %dx%d, expected %dx%d" % (w, h, *size))
        return
    bad, first = 0, None
    for y in range(0, h, step):
        for x in range(0, w, step):
            o = (y * w + x) * 3
            got, exp = tuple(px[o:o + 3]), expect(x, y)
            if got != exp:
                bad += 1
                first = first or (x, y, got, exp)
    tap(bad == 0, name, "%d wrong pixels, first %s" % (bad, first))


def looks_off(img, name):
    w, h, px = img
    lit = sum(1 for i in range(0, len(px), 3) if px[i:i + 3] != b"\0\0\0")
    tap(lit < w * h // 10, name, "%d of %d pixels lit" % (lit, w * h))


# --- the test ---------------------------------------------------------------

def run(args):
    vm = VM(args, "a")
    vm.wait_line("@@STEP full-640x480")
    full = lambda x, y: pattern(x, y, 0)
    compare(vm.screendump(0), (640, 480), full, "full update shows the frame")
    vm.go()

    vm.wait_line("@@STEP damage-one")
    r1 = (100, 50, 30, 20)
    exp1 = lambda x, y: pattern(x, y, 1 if in_rect(x, y, r1) else 0)
    compare(vm.screendump(0), (640, 480), exp1,
            "one damaged rect changes only that rect")
    vm.go()

    vm.wait_line("@@STEP damage-two")
    ra, rb = (0, 0, 8, 8), (630, 470, 10, 10)
    exp2 = lambda x, y: (pattern(x, y, 2)
                         if in_rect(x, y, ra) or in_rect(x, y, rb)
                         else exp1(x, y))
    compare(vm.screendump(0), (640, 480), exp2,
            "two far-apart rects, last row and column")
    vm.go()

    vm.wait_line("@@STEP after-errors")
    # the stride test first sent a valid full update: it picked up the
    # rect written without damage in the damage-one step
    r0 = (300, 300, 10, 10)
    exp3 = lambda x, y: pattern(x, y, 1) if in_rect(x, y, r0) else exp2(x, y)
    compare(vm.screendump(0), (640, 480), exp3,
            "rejected requests left the picture alone")
    vm.go()

    vm.wait_line("@@STEP formats")
    compare(vm.screendump(1), (640, 400),
            lambda x, y: pattern(x + 100, y + 50, 3),
            "XBGR8888, padded stride, source sub-rectangle")
    fmt565 = lambda x, y: rgb565(pattern(x, y, 4))
    compare(vm.screendump(0), (1024, 768), fmt565,
            "RGB565, head resized to 1024x768", step=3)
    # loadvm resets the device, which turns both heads off (placeholders
    # charged to max-hostmem), then loads: both copied surfaces fit again.
    vm.snapshot_save_and_load(args)
    compare(vm.screendump(1), (640, 400),
            lambda x, y: pattern(x + 100, y + 50, 3),
            "loadvm: head 1 shows the snapshot's picture", step=2)
    compare(vm.screendump(0), (1024, 768), fmt565,
            "loadvm: head 0 shows the snapshot's picture", step=3)
    vm.go()

    for step, size in (("vnc-resize", (1600, 900)),
                       ("vnc-resize-large", (5120, 2880)),
                       ("vnc-resize-clamped", (9000, 5000))):
        vm.wait_line("@@STEP " + step)
        vm.vnc_resize(*size)
        vm.go()

    vm.wait_line("@@STEP before-migration")
    vm = vm.migrate_to(args, "b")
    b_start = time.time()
    compare(vm.screendump(0), (1024, 768), fmt565,
            "migrated head 0 shows the same picture", step=3)
    compare(vm.screendump(1), (640, 400),
            lambda x, y: pattern(x + 100, y + 50, 3),
            "migrated head 1 shows the same picture", step=2)
    vm.go()

    vm.wait_line("@@STEP after-migration")
    r5 = (500, 400, 40, 40)
    compare(vm.screendump(0), (1024, 768),
            lambda x, y: rgb565(pattern(x, y, 5 if in_rect(x, y, r5) else 4)),
            "damage after migration", step=2)
    vm.go()

    vm.wait_line("@@STEP head1-off")
    looks_off(vm.screendump(1), "destroying its resource turns head 1 off")
    vm.go()

    vm.wait_line("@@STEP after-random", timeout=900 + args.random // 100)
    img = vm.screendump(0)
    tap(img[0] > 0, "QEMU survives random requests")
    vm.go()

    vm.wait_line("@@STEP after-reset")
    looks_off(vm.screendump(0), "reset turns head 0 off")
    vm.go()

    vm.wait_line("@@DONE")
    vm.go()
    vm.p.wait(timeout=120)
    tap(vm.p.returncode == 0, "guest powered off, QEMU exited cleanly",
        "status %s" % vm.p.returncode)
    # thousands of rejected requests in the random step, at most 10 lines
    # per second logged (plus the "not logged" counts)
    seconds = time.time() - b_start
    with open(os.path.join(args.workdir, "qemu-b.log")) as f:
        log = f.read().splitlines()
    lines = [l for l in log if l.startswith("virtio-pvdisplay:")]
    left_out = sum(int(l.split()[1]) for l in lines if "not logged" in l)
    tap(0 < len(lines) <= 11 * (seconds + 2) and left_out > 1000,
        "guest errors are logged, rate-limited",
        "%d lines in %.0f s, %d left out" % (len(lines), seconds, left_out))


def run_zero_copy(args):
    """Guest RAM is a shared memfd: head 0 (XRGB8888) is a view of guest
    pages on the source, and after migration to a second QEMU a view of the
    destination's pages: its first frame is the source's last one, and
    damage after the migration shows through it."""
    vm = VM(args, "zc-a", shared_ram=True)
    vm.wait_line("@@STEP full-640x480")
    full = lambda x, y: pattern(x, y, 0)
    tap(vm.stat("x-stats-view-updates") >= 1 and vm.stat("x-stats-bytes-read") == 0,
        "shared RAM: the head shows a view of guest pages, nothing copied")
    last = vm.screendump(0)
    compare(last, (640, 480), full, "shared RAM: the view shows the frame")

    vm = vm.migrate_to(args, "zc-b", shared_ram=True)
    first = vm.screendump(0)
    tap(first == last, "first frame on the destination is the last on the source")
    tap(vm.stat("x-stats-view-updates") >= 1 and vm.stat("x-stats-bytes-read") == 0,
        "destination: the head shows a view of its own guest pages")
    vm.go()

    vm.wait_line("@@STEP damage-one")
    # a view shows guest memory: the rect written without damage too
    r1, r0 = (100, 50, 30, 20), (300, 300, 10, 10)
    compare(vm.screendump(0), (640, 480),
            lambda x, y: pattern(x, y, 1 if in_rect(x, y, r1) or in_rect(x, y, r0)
                                 else 0),
            "destination: damage after migration shows through the view")
    tap(vm.stat("x-stats-bytes-read") == 0, "destination: nothing copied")
    vm.p.kill()
    vm.p.wait(timeout=60)
    vm.stderr.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--init", required=True)
    ap.add_argument("--datadir")
    ap.add_argument("--workdir", default="/tmp/pvd-guest-test")
    ap.add_argument("--random", type=int, default=20000,
                    help="random requests the guest sends")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    args.initrd = os.path.join(args.workdir, "initrd.cpio")
    make_initrd(args.init, args.initrd)
    try:
        run(args)
    except GuestFailed as e:
        tap(False, "guest test ran to the end", str(e))
    try:
        run_zero_copy(args)
    except GuestFailed as e:
        tap(False, "zero-copy migration test ran to the end", str(e))
    print("1..%d" % len(results))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
