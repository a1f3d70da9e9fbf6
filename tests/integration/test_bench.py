# SPDX-License-Identifier: MIT
"""make bench runs: the smoke profile (one small mode, short workloads,
pvdisplay and virtio-gpu) goes through every workload end to end and writes
its results.  Only that it runs and measures something is checked here:
speed is never asserted in make check (docs/performance.md has the
figures of a full run)."""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))

from harness import PVDISPLAY_DEVICE, require_device, require_module  # noqa: E402

require_device(PVDISPLAY_DEVICE)
require_device("x-display-probe")
require_module()
TIMEOUT = 900


def test_bench_smoke():
    out = os.path.join(os.environ["PVD_RESULTS"], "bench-smoke")
    r = subprocess.run([sys.executable, os.path.join(TOP, "bench", "bench.py"),
                        "--profile", "smoke", "--out", out],
                       capture_output=True, text=True, timeout=TIMEOUT - 60)
    assert r.returncode == 0, "bench failed:\n%s\n%s" % (r.stdout[-3000:], r.stderr[-3000:])
    assert "| what | pvdisplay | virtio-gpu |" in r.stdout, r.stdout
    with open(os.path.join(out, "results.json")) as f:
        res = json.load(f)["results"]
    for dev in ("pvdisplay", "virtio-gpu"):
        d = res[dev]
        for key, w in d["dirty"].items():
            # The host showed the last update of the load phase: an update
            # merged into a later one counts as shown with it, so this is
            # not a count of separate frames.  In the isolated phase each
            # update waits until the previous one was shown.
            assert w["load"]["shown"] == w["load"]["updates"] > 0, (dev, key, w)
            assert w["iso"]["shown"] == w["iso"]["updates"] > 0, (dev, key, w)
            assert w["iso"]["p50_ms"] is not None, (dev, key, w)
        for mode, f in d["flip"].items():
            assert f["fps"] > 0 and f["latency"]["shown"] > 0, (dev, mode, f)
        # asynchronous flips: pvdisplay has them, virtio-gpu does not
        assert bool(d["async flip"]) == (dev == "pvdisplay"), (dev, d["async flip"])
        for mode, f in d["async flip"].items():
            assert f["fps"] > 0 and f["latency"]["shown"] > 0, (dev, mode, f)
        assert d["fbcon"]["seconds"] > 0 and d["xorg"]["lines_per_s"] > 0, d
        # every console cell change drawn by fbcon was seen by the probe
        lat = d["fbcon"]["latency"]
        assert lat["shown"] == lat["updates"] > 0, (dev, lat)
        assert d["resize"]["1280x720"]["switch_ms"] is not None, (dev, d["resize"])
    assert res["pvdisplay"]["dirty"]["glyph 640x480"]["bytes_per_update"] is not None
    # paced flips compared at one refresh rate: every device's mode is 60 Hz
    rates = {dev: f["refresh_hz"] for dev in res for f in res[dev]["flip"].values()}
    assert rates and all(59.5 <= r <= 60.5 for r in rates.values()), rates
    for name in ("summary.md", "plot.svg"):
        assert os.path.getsize(os.path.join(out, name)) > 0
