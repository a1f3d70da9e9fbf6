# SPDX-License-Identifier: MIT
"""make bench: the same workloads on pvdisplay, virtio-gpu and bochs-display,
one guest each, same QEMU binary and guest kernel, in one run.

    scripts/env/vm-env.sh -- python3 bench/bench.py [--profile full|smoke]
                                                    [--out DIR] [--repeat N]

How "shown" is observed: every guest gets -device x-display-probe (see
qemu-device/hw/display/display-probe.c), a display change listener on the
console, i.e. what VNC or GTK are to QEMU.  The guest half (pvd_bench) marks
each update on the probe's I/O port right before its ioctl; the probe
timestamps the mark and, on the host clock too, the dpy_gfx_update() after
which the console's surface holds that update's pixels at every probe
point.  docs/performance.md explains the method and keeps the last table.

Writes DIR/results.json (everything measured), DIR/summary.md (the table)
and DIR/plot.svg; prints the table.

--repeat N runs N rounds, each device once per round in turn (so that a
change of the host's load hits every device alike), and reports each
figure's median over the rounds; results.json keeps every round.
"""

import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

from harness import PVDISPLAY_DEVICE, GuestHung, Vm, pvdisplay_module  # noqa: E402

PROBE = "x-display-probe,id=probe0,display=video0"
PROBE_PATH = "/machine/peripheral/probe0"
PVD_BACKEND = "/machine/peripheral/video0/virtio-backend"

DEVICES = {
    # name: (device, driver name for pvd_bench, device properties)
    "pvdisplay": (PVDISPLAY_DEVICE, "pvdisplay", {"xres": 1920, "yres": 1080}),
    # the same device made to copy, as it does when guest RAM is not shared
    "pvdisplay-copy": (PVDISPLAY_DEVICE, "pvdisplay", {"xres": 1920, "yres": 1080,
                                                       "zero-copy": "off"}),
    "virtio-gpu": ("virtio-gpu-pci", "virtio_gpu", {"xres": 1920, "yres": 1080}),
    "bochs": ("bochs-display", "bochs-drm", {"xres": 1920, "yres": 1080,
                                            "vgamem": "128M"}),
}

PROFILES = {
    "full": {"modes": ["1920x1080", "3840x2160"], "seconds": 3, "iso": 200,
             "shapes": ["glyph", "two", "vline", "full"],
             "fbcon_lines": 30000, "x_lines": 3000,
             "devices": ["pvdisplay", "virtio-gpu", "pvdisplay-copy", "bochs"]},
    "smoke": {"modes": ["640x480"], "seconds": 0.3, "iso": 5,
              "shapes": ["glyph", "full"], "fbcon_lines": 300, "x_lines": 30,
              "devices": ["pvdisplay", "virtio-gpu"]},
}


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(p * (len(values) - 1) + 0.5))]


class BootFailed(Exception):
    """The guest never came up (its agent did not answer): no figures."""


class Guest:
    """One benchmark guest and the host-side counters around a workload."""

    def __init__(self, name, out):
        self.name = name
        self.out = out
        device, self.driver, props = DEVICES[name]
        modules = [pvdisplay_module()] if device == PVDISPLAY_DEVICE else []
        self.vm = Vm(name="bench-" + name, display_device=device,
                     device_props=props, extra_devices=[PROBE],
                     modules=modules, memory=2048,
                     files={"xscroll.py": os.path.join(HERE, "xscroll.py")})
        self.is_pvd = device == PVDISPLAY_DEVICE

    def __enter__(self):
        try:
            self.vm.start()
        except GuestHung as e:
            raise BootFailed(str(e).splitlines()[0]) from e
        self.vm.run("echo 0 > /sys/class/graphics/fbcon/cursor_blink; dmesg -n 1",
                    timeout=30)
        return self

    def __exit__(self, *exc):
        self.vm.stop(check=exc[0] is None)

    def cpu_seconds(self):
        """User + system CPU time of the whole QEMU process."""
        pid = self.vm.qemu.pid
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def host_pixel_memory(self):
        """Resident host memory holding display pixels outside guest RAM,
        in bytes: QEMU allocates every console surface of its own and every
        virtio-gpu resource image as a memfd (qemu_pixman_image_new_shareable,
        named after its user), so they are the memfd mappings of the process
        other than guest RAM (memory-backend-memfd, which pvdisplay's views
        map too).  Exact, unlike the process's resident memory, which TCG's
        code buffer and the allocator make move by megabytes."""
        total = 0
        count = False
        with open("/proc/%d/smaps" % self.vm.qemu.pid) as f:
            for line in f:
                w = line.split()
                if "-" in w[0] and len(w[0]) > 8:      # a mapping's header line
                    name = w[5] if len(w) > 5 else ""
                    count = name.startswith("/memfd:") and \
                        name != "/memfd:memory-backend-memfd"
                elif count and w[0] == "Rss:":
                    total += int(w[1]) * 1024
        return total

    def device_bytes(self):
        if not self.is_pvd:
            return None
        return self.vm.qmp("qom-get", path=PVD_BACKEND, property="x-stats-bytes-read")

    def device_updates(self):
        """SCANOUT_UPDATEs pvdisplay's device carried out; None elsewhere."""
        if not self.is_pvd:
            return None
        return self.vm.qmp("qom-get", path=PVD_BACKEND, property="x-stats-updates")

    def probe_dump(self):
        path = os.path.join(self.out, "probe-%s.txt" % self.name)
        self.vm.qmp("qom-set", path=PROBE_PATH, property="dump", value=path)
        info = {"records": {}}
        with open(path) as f:
            for line in f:
                w = line.split()
                if w[0] == "rec":
                    info["records"][int(w[1])] = (int(w[2]), int(w[3]))
                elif w[0] == "surface":
                    info["surface"] = {"size": w[1], "stride": int(w[3]),
                                       "guest_ram": w[5] == "1"}
                elif w[0] == "resize":
                    info["resize"] = {"size": w[1], "req": int(w[3]),
                                      "switch": int(w[5]), "update": int(w[7])}
                elif len(w) == 2:
                    info[w[0]] = int(w[1])
        return info

    def bench(self, args, timeout=600):
        r = self.vm.run("pvd_bench " + args, timeout=timeout,
                        env={"PVD_DRIVER": self.driver})
        if r.rc != 0:
            raise RuntimeError("%s: pvd_bench %s failed: %s %s"
                               % (self.name, args, r.stdout, r.stderr))
        return json.loads(r.stdout.strip().splitlines()[-1])


def phase_latency(records, phase):
    lat = [(shown - marked) / 1e6 for seq, (marked, shown) in records.items()
           if phase["first"] <= seq <= phase["last"] and shown]
    n = phase["last"] - phase["first"] + 1
    return {"updates": n, "shown": len(lat),
            "p50_ms": percentile(lat, 0.5), "p99_ms": percentile(lat, 0.99)}


def run_dirty(g, mode, shape, prof):
    cpu0, bytes0 = g.cpu_seconds(), g.device_bytes()
    res = g.bench("dirty --mode %s --shape %s --seconds %s --iso %d"
                  % (mode, shape, prof["seconds"], prof["iso"]))
    cpu1, bytes1 = g.cpu_seconds(), g.device_bytes()
    probe = g.probe_dump()
    load, iso = res["load"], res["iso"]
    n = load["last"] - load["first"] + 1 + iso["last"] - iso["first"] + 1
    out = {
        "rate": (load["last"] - load["first"] + 1) / load["seconds"],
        "load": dict(phase_latency(probe["records"], load),
                     ioctl_p50_us=load["ioctl_p50_us"]),
        "iso": dict(phase_latency(probe["records"], iso),
                    ioctl_p50_us=iso["ioctl_p50_us"]),
        "host_updates": probe["updates"],
        "cpu_ms_per_update": (cpu1 - cpu0) * 1e3 / n,
    }
    if bytes0 is not None:
        out["bytes_per_update"] = (bytes1 - bytes0) / n
    return out


def run_flip(g, mode, prof, async_flips=False):
    """Flips (asynchronous ones with async_flips: None if the driver has
    none); host memory sampled while the double-buffered client runs."""
    seconds = max(prof["seconds"], 2)
    cpu0, bytes0 = g.cpu_seconds(), g.device_bytes()
    outfile = "/tmp/flip-%s.json" % mode
    sp = g.vm.spawn("PVD_DRIVER=%s pvd_bench flip --mode %s --seconds %s%s > %s"
                    % (g.driver, mode, seconds, " --async" if async_flips else "",
                       outfile))
    time.sleep(seconds / 2 + 1)
    pixels = g.host_pixel_memory()
    deadline = time.monotonic() + 120 + seconds * 10
    while g.vm.run("kill -0 %d" % sp.pid).rc == 0:
        if time.monotonic() > deadline:
            raise RuntimeError("pvd_bench flip did not finish")
        time.sleep(0.5)
    cpu1, bytes1 = g.cpu_seconds(), g.device_bytes()
    text = g.vm.run("cat %s" % outfile).stdout.strip()
    if not text:
        raise RuntimeError("pvd_bench flip: no output (%s)"
                           % g.vm.run("cat %s" % sp.log).stdout)
    res = json.loads(text.splitlines()[-1])
    if res.get("unsupported"):
        return None
    probe = g.probe_dump()
    n = res["frames"]
    out = {
        "refresh_hz": res["refresh_mhz"] / 1000,
        "fps": n / res["load"]["seconds"],
        "jitter_us": res["event_interval_stddev_us"],
        "interval_us": res["event_interval_mean_us"],
        "latency": phase_latency(probe["records"], res["load"]),
        "cpu_ms_per_update": (cpu1 - cpu0) * 1e3 / max(n, 1),
        "host_pixel_memory": pixels,
        "surface": probe.get("surface"),
    }
    if bytes0 is not None:
        out["bytes_per_update"] = (bytes1 - bytes0) / max(n, 1)
    return out


def run_fbcon(g, lines, iso):
    g.vm.run("seq -f 'fbcon scrolling benchmark, line %%g of %d' 1 %d > /tmp/lines"
             % (lines, lines), timeout=120, check=True)
    cpu0, updates0 = g.cpu_seconds(), g.device_updates()
    r = g.vm.run("chvt 1; printf '\\033[2J' > /dev/tty1; t0=$(date +%s%N); "
                 "cat /tmp/lines > /dev/tty1; t1=$(date +%s%N); echo $(((t1 - t0) / 1000))",
                 timeout=900, check=True)
    cpu1, updates1 = g.cpu_seconds(), g.device_updates()
    seconds = int(r.stdout.split()[-1]) / 1e6
    out = {"seconds": seconds, "lines_per_s": lines / seconds,
           "cpu_s": cpu1 - cpu0}
    if updates0 is not None:
        # how often fbdev flushed while scrolling (paced, docs/driver.md)
        out["device_updates"] = updates1 - updates0
    # one cell at a time, as typing shows it: fbcon draws, fbdev flushes
    res = g.bench("fbcon --iso %d" % iso)
    out["latency"] = phase_latency(g.probe_dump()["records"], res["iso"])
    return out


def run_xorg(g, lines):
    sp = g.vm.spawn("Xorg :1 -ac -nolisten tcp -noreset vt2 -novtswitch")
    try:
        ok = False
        for _ in range(240):
            if g.vm.run("test -S /tmp/.X11-unix/X1").rc == 0:
                ok = True
                break
            time.sleep(0.5)
        if not ok:
            raise RuntimeError("Xorg did not start: %s"
                               % g.vm.run("tail -20 /var/log/Xorg.1.log").stdout)
        time.sleep(1)
        cpu0 = g.cpu_seconds()
        r = g.vm.run("python3 /pvd/files/xscroll.py 1 %d" % lines, timeout=900, check=True)
        cpu1 = g.cpu_seconds()
        res = json.loads(r.stdout.strip().splitlines()[-1])
        res["lines_per_s"] = res["lines"] / res["seconds"]
        res["cpu_s"] = cpu1 - cpu0
        return res
    finally:
        g.vm.kill_spawned(sp)
        g.vm.run("sleep 1; chvt 1", timeout=30)


def run_resize(g):
    """Host asks for 1280x720 (what a VNC client's SetDesktopSize does):
    time until the console switches to a surface of that size, and until it
    is first updated.  Each request comes after a second without one, as
    GTK's window resizes do (it waits a second for a drag to settle): on
    pvdisplay fbcon follows every host size and redraws after the switch,
    and a request made while it still does waits for that (see
    docs/performance.md, "host resize")."""
    out = {}
    for size in ("1280x720", "1920x1080"):
        time.sleep(1)
        g.vm.qmp("qom-set", path=PROBE_PATH, property="resize", value=size)
        deadline = time.monotonic() + 30
        while True:
            rz = g.probe_dump()["resize"]
            if rz["update"] or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        out[size] = {"switch_ms": (rz["switch"] - rz["req"]) / 1e6 if rz["switch"] else None,
                     "update_ms": (rz["update"] - rz["req"]) / 1e6 if rz["update"] else None}
    return out


WORKLOADS = ("dirty", "flip", "fbcon", "resize", "xorg")


def run_device(name, prof, out, errors):
    """The profile's workloads on one device; a workload that fails is
    recorded in errors (and its figures are n/a), the others still run."""
    res = {"dirty": {}, "flip": {}, "async flip": {}}
    want = prof["workloads"]

    def attempt(what, fn, *args):
        print("bench: %s %s" % (name, what), flush=True)
        try:
            return fn(*args)
        except Exception as e:  # noqa: BLE001 - reported, run goes on
            errors.append("%s %s: %s" % (name, what, e))
            print("bench: %s %s FAILED: %s" % (name, what, e), flush=True)
            return None

    with Guest(name, out) as g:
        res["kernel"] = g.vm.kver
        for mode in prof["modes"]:
            for shape in prof["shapes"] if "dirty" in want else []:
                r = attempt("dirty %s %s" % (mode, shape), run_dirty, g, mode, shape, prof)
                if r is not None:
                    res["dirty"]["%s %s" % (shape, mode)] = r
            if "flip" not in want:
                continue
            r = attempt("flip %s" % mode, run_flip, g, mode, prof)
            if r is not None:
                res["flip"][mode] = r
            r = attempt("async flip %s" % mode, run_flip, g, mode, prof, True)
            if r is not None:
                res["async flip"][mode] = r
        if "fbcon" in want:
            res["fbcon"] = attempt("fbcon", run_fbcon, g, prof["fbcon_lines"], prof["iso"])
        # on fbcon, which follows the host's size; before Xorg, which does not
        if "resize" in want and name != "bochs":    # bochs-display: no size from the UI
            res["resize"] = attempt("resize", run_resize, g)
        if "xorg" in want:
            res["xorg"] = attempt("xorg", run_xorg, g, prof["x_lines"])
    return res


def run_round(name, prof, out, errors, reboots):
    """run_device(), booting the guest a second time if the first boot
    never reached the agent.  Under TCG a guest very rarely stalls early
    in boot (seen once in a 7-round run, after the HPET came up, before
    any driver of ours loaded); that says nothing about the display
    device, so it costs a reboot, not the whole run.  A second failure is
    an error and the round has no figures for that device."""
    for boot in (1, 2):
        try:
            return run_device(name, prof, out, errors)
        except BootFailed as e:
            what = "%s: the guest did not boot (%s)" % (name, e)
            if boot == 2:
                errors.append(what)
                print("bench: %s, round left out" % what, flush=True)
                return None
            reboots.append(what)
            print("bench: %s, booting it again" % what, flush=True)


def median_merge(runs):
    """One result of the same shape as each of runs (a device's results of
    several rounds): numbers are the median of the rounds that have them,
    anything else is the first round's."""
    runs = [r for r in runs if r is not None]
    if not runs:
        return None
    if all(isinstance(r, dict) for r in runs):
        keys = []
        for r in runs:
            keys += [k for k in r if k not in keys]
        return {k: median_merge([r.get(k) for r in runs]) for k in keys}
    nums = [r for r in runs if isinstance(r, (int, float)) and not isinstance(r, bool)]
    if len(nums) == len(runs):
        return statistics.median(nums)
    return runs[0]


# -- reporting ---------------------------------------------------------------

def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        v = ("%.0f" % v) if abs(v) >= 100 else ("%.1f" % v) if abs(v) >= 10 else \
            ("%.2f" % v) if abs(v) >= 0.1 else ("%.3f" % v)
    return "%s%s" % (v, unit)


def rows(results, prof):
    """(what, {device: value}, higher_is_better)"""
    out = []
    devs = list(results)

    def get(dev, *path):
        v = results.get(dev)
        for p in path:
            if not isinstance(v, dict) or p not in v:
                return None
            v = v[p]
        return v

    def row(what, higher, *path, scale=1):
        """One table row: the value at path in each device's results."""
        vals = {d: get(d, *path) for d in devs}
        if scale != 1:
            vals = {d: v / scale if v is not None else None
                    for d, v in vals.items()}
        out.append((what, vals, higher))

    for mode in prof["modes"]:
        for shape in prof["shapes"]:
            key = "%s %s" % (shape, mode)
            row("DIRTYFB %s: updates/s" % key, True, "dirty", key, "rate")
            row("DIRTYFB %s: p50 latency, ms (isolated)" % key, False,
                "dirty", key, "iso", "p50_ms")
            row("DIRTYFB %s: p99 latency, ms (isolated)" % key, False,
                "dirty", key, "iso", "p99_ms")
            row("DIRTYFB %s: p50 latency, ms (back to back)" % key, False,
                "dirty", key, "load", "p50_ms")
            row("DIRTYFB %s: p50 ioctl time, us" % key, False,
                "dirty", key, "iso", "ioctl_p50_us")
            row("DIRTYFB %s: bytes copied/update" % key, False,
                "dirty", key, "bytes_per_update")
            row("DIRTYFB %s: QEMU CPU ms/update" % key, False,
                "dirty", key, "cpu_ms_per_update")
        row("flip %s, a 60 Hz mode: frames/s" % mode, True, "flip", mode, "fps")
        row("asynchronous flip %s: frames/s (n/a: no async flips)" % mode, True,
            "async flip", mode, "fps")
        row("asynchronous flip %s: p50 latency to host, ms" % mode, False,
            "async flip", mode, "latency", "p50_ms")
        row("flip %s: event interval stddev, us" % mode, False,
            "flip", mode, "jitter_us")
        row("flip %s: p50 latency to host, ms" % mode, False,
            "flip", mode, "latency", "p50_ms")
        row("flip %s: bytes copied/frame" % mode, False,
            "flip", mode, "bytes_per_update")
        row("flip %s: host memory for the head's pixels, MiB" % mode, False,
            "flip", mode, "host_pixel_memory", scale=2**20)
    row("fbcon: %d lines, s" % prof["fbcon_lines"], False, "fbcon", "seconds")
    row("fbcon: QEMU CPU s", False, "fbcon", "cpu_s")
    row("fbcon: one cell to the host, p50 latency, ms (isolated)", False,
        "fbcon", "latency", "p50_ms")
    row("fbcon: one cell to the host, p99 latency, ms (isolated)", False,
        "fbcon", "latency", "p99_ms")
    row("Xorg scrolling terminal: lines/s", True, "xorg", "lines_per_s")
    row("host resize to 1280x720: new surface, ms", False,
        "resize", "1280x720", "switch_ms")
    row("host resize to 1280x720: first update, ms", False,
        "resize", "1280x720", "update_ms")
    return out


def ratio(pvd, other, higher_better):
    """How many times better pvdisplay is (> 1: better)."""
    if pvd is None or other is None:
        return None
    if higher_better:
        return pvd / other if other else None
    if pvd == 0:
        return float("inf") if other else 1.0
    return other / pvd


def table(results, prof):
    devs = list(results)
    others = [d for d in devs if d != "pvdisplay"]
    head = ["what"] + devs + ["pvdisplay vs %s" % d for d in others]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for what, vals, hb in rows(results, prof):
        if all(vals[d] is None for d in devs):
            continue    # a workload not run (--workloads)
        cells = [what] + [fmt(vals[d]) for d in devs]
        for d in others:
            r = ratio(vals.get("pvdisplay"), vals[d], hb)
            cells.append("inf" if r == float("inf") else fmt(r, "x"))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(results, prof, path):
    """A bar chart of pvdisplay's advantage per row (log scale), as SVG."""
    import math
    data = [(what, ratio(vals.get("pvdisplay"), vals.get("virtio-gpu"), hb))
            for what, vals, hb in rows(results, prof)]
    data = [(w, r) for w, r in data if r is not None and r != float("inf") and r > 0]
    bar_h, left, width = 18, 420, 420
    height = 40 + bar_h * len(data)
    lo, hi = -2.0, 3.0          # 0.01x .. 1000x
    x0 = left + width * (0 - lo) / (hi - lo)
    svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="11">' % (left + width + 60, height),
           '<text x="4" y="14">pvdisplay vs virtio-gpu (x better, log scale; '
           'line = parity)</text>']
    for i, (what, r) in enumerate(data):
        y = 24 + i * bar_h
        v = max(lo, min(hi, math.log10(r)))
        x = left + width * (v - lo) / (hi - lo)
        svg.append('<text x="%d" y="%d" text-anchor="end">%s</text>'
                   % (left - 6, y + 12, what.replace("&", "&amp;")))
        svg.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>'
                   % (min(x, x0), y + 2, abs(x - x0), bar_h - 4,
                      "#3a7" if r >= 1 else "#c44"))
        svg.append('<text x="%.1f" y="%d">%s</text>' % (max(x, x0) + 4, y + 12, fmt(r, "x")))
    svg.append('<line x1="%.1f" y1="20" x2="%.1f" y2="%d" stroke="black"/>'
               % (x0, x0, height - 4))
    svg.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(svg) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", default="full", choices=sorted(PROFILES))
    ap.add_argument("--out", default=os.path.join(os.environ.get("PVD_RESULTS", "results"),
                                                  "bench"))
    ap.add_argument("--devices", help="comma-separated subset of the profile's devices")
    ap.add_argument("--workloads", default=",".join(WORKLOADS),
                    help="comma-separated subset of %s" % ", ".join(WORKLOADS))
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds of every device; figures are the medians")
    args = ap.parse_args()
    if args.repeat < 1:
        raise SystemExit("bench: --repeat must be at least 1")
    prof = dict(PROFILES[args.profile])
    if args.devices:
        prof["devices"] = args.devices.split(",")
    prof["workloads"] = args.workloads.split(",")
    unknown = set(prof["workloads"]) - set(WORKLOADS)
    if unknown:
        raise SystemExit("bench: unknown workloads %s (known: %s)"
                         % (", ".join(sorted(unknown)), ", ".join(WORKLOADS)))
    os.makedirs(args.out, exist_ok=True)
    if pvdisplay_module() is None:
        raise SystemExit("bench: pvdisplay.ko not built (PVD_MODULE)")

    rounds, errors, reboots = {name: [] for name in prof["devices"]}, [], []
    t0 = time.monotonic()
    for i in range(args.repeat):
        for name in prof["devices"]:
            if args.repeat > 1:
                print("bench: round %d of %d" % (i + 1, args.repeat), flush=True)
            rounds[name].append(run_round(name, prof, args.out, errors, reboots))
    results = {name: median_merge(runs) for name, runs in rounds.items()}
    if any(r is None for r in results.values()):
        raise SystemExit("bench: a device never booted: %s" % "; ".join(errors))
    meta = {"profile": args.profile, "minutes": (time.monotonic() - t0) / 60,
            "rounds": args.repeat,
            "qemu": os.environ.get("PVD_QEMU"), "kernel": results[prof["devices"][0]]["kernel"],
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"meta": meta, "profile": prof, "results": results,
                   "rounds": rounds if args.repeat > 1 else None,
                   "errors": errors, "reboots": reboots}, f, indent=1)
    text = table(results, prof)
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write("%s, profile %s, %s, guest kernel %s\n\n%s\n"
                % (meta["date"], args.profile,
                   "median of %d rounds" % args.repeat if args.repeat > 1 else "one round",
                   meta["kernel"], text))
    plot(results, prof, os.path.join(args.out, "plot.svg"))
    print(text)
    print("bench: results in %s (results.json, summary.md, plot.svg), %.1f min"
          % (args.out, meta["minutes"]))
    for e in reboots:
        print("bench: booted again: %s" % e)
    for e in errors:
        print("bench: failed: %s" % e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
