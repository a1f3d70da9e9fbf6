# SPDX-License-Identifier: MIT
"""The device against a guest that breaks the rules: qemu-device/tests/guest
boots a userspace virtio driver as /init (no pvdisplay.ko) that sends valid
and malformed requests of every kind, 20000 random ones, resizes the host
window through VNC and migrates the VM, checking statuses and screendumps.
A rejected request must get its error status; nothing may crash QEMU."""

import os
import subprocess

from harness import PVDISPLAY_DEVICE, require_device

require_device(PVDISPLAY_DEVICE)
TIMEOUT = 600

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_device_guest_check():
    results = os.environ.get("PVD_RESULTS", os.path.join(TOP, "results"))
    build = os.path.join(results, "device-guest-check")
    r = subprocess.run(["make", "-C", os.path.join(TOP, "qemu-device", "tests"),
                        "O=" + build, "guest-check"],
                       capture_output=True, text=True, timeout=TIMEOUT - 30)
    with open(os.path.join(results, "device-guest-check.log"), "w") as f:
        f.write(r.stdout + r.stderr)
    lines = r.stdout.splitlines()
    passed = [l for l in lines if l.startswith("ok ")]
    failed = [l for l in lines if l.startswith("not ok")]
    assert not failed and r.returncode == 0, "%d failed (exit %d):\n%s\n%s" % (
        len(failed), r.returncode, "\n".join(failed), r.stderr[-2000:])
    # The test is long; a run that stopped early must not pass.
    assert len(passed) >= 70, "only %d checks ran:\n%s" % (len(passed), r.stdout[-2000:])
