# SPDX-License-Identifier: MIT
"""The driver against a device it cannot trust.

The device's test-only fault plan (QOM property x-fault, see docs/device.md)
makes it answer with short or oversized lengths, wrong statuses, absurd head
counts and sizes, broken or oversized EDIDs, bursts of configuration-change
interrupts, late answers and no answers at all.  Whatever it does, the guest
kernel must not warn, oops or hang (the harness fails the test on any
splat), userspace must get errors rather than hang, and once the device is
reset the display must work again."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PVDISPLAY_DEVICE, require_device, require_module  # noqa: E402
from display_checks import Painter, rgb, wait_for  # noqa: E402
from cursor_checks import VncCursorClient, cursor_bytes, cursor_state  # noqa: E402

require_device(PVDISPLAY_DEVICE)
VM = {
    "modules": [require_module()],
    # A PCIe function, so that it has a function-level reset.
    "pcie_port": True,
    # A VNC server, to see the cursor image the host got after a reset.
    "vnc": True,
    # The copy path: the host shows what updates brought, not guest memory
    # (through a view every pixel check would pass without any update).
    "device_props": {"zero-copy": False},
    # What the driver says about the device's answers on purpose.  Anything
    # else (a WARN, an oops, a lockdep report, a hung task) still fails, and
    # so do DRM core's errors about one object ("[CRTC:33:crtc-0] flip_done
    # timed out": a vblank event the driver lost).  The driver core reports
    # each refused probe (absurd config space).
    "allow_splats": [r"\[drm\] \*ERROR\* (?!\[(CRTC|PLANE|CONNECTOR|ENCODER):)",
                     r"pvdisplay virtio\d+: probe with driver pvdisplay failed with error -22$"],
}
TIMEOUT = 600
# make check-full (PVD_LONG=1) tries every variant; make check a sample.
LONG = os.environ.get("PVD_LONG") == "1"

BACKEND = "/machine/peripheral/video0/virtio-backend"
# The connector in sysfs, expanded by the guest shell: the card number is
# whichever pvdisplay got (not card0 when vgem is built into the kernel).
CONNECTOR = "/sys/class/drm/$(pvd-card -s)-Virtual-1"


def set_fault(vm, plan):
    vm.qmp("qom-set", path=BACKEND, property="x-fault", value=plan)


def fault_hits(vm):
    return vm.qmp("qom-get", path=BACKEND, property="x-fault-hits")


def fault_and_wait(vm, plan, hits=1):
    """Arm plan and wait until the device has faulted that many requests."""
    before = fault_hits(vm)
    set_fault(vm, plan)
    wait_for(lambda: fault_hits(vm) >= before + hits, 60,
             "the device to apply %r" % plan)


def unresponsive_reports(vm):
    """How many times the driver has given up on the device so far (each
    test counts its own: earlier tests of the file leave theirs)."""
    return int(vm.run("dmesg | grep -c 'device unresponsive'").stdout.strip())


def virtio_dev(vm):
    r = vm.run("ls /sys/bus/virtio/drivers/pvdisplay/ | grep '^virtio'", check=True)
    return r.stdout.split()[0]


def pci_function(vm, virtio):
    return os.path.basename(vm.run("readlink -f /sys/bus/virtio/devices/%s/.."
                                   % virtio, check=True).stdout.strip())


def connector_modes(vm):
    return vm.run("cat %s/modes" % CONNECTOR, check=True).stdout.split()


def edid_bytes(vm):
    """Size of the EDID the connector has (0: none)."""
    return int(vm.run("wc -c < %s/edid" % CONNECTOR, check=True).stdout)


def modes_are_sane(vm):
    """The connector lists modes, each within what the device can show
    (7680x4320, the harness's device maximum) and at least 320x200."""
    sizes = [tuple(int(v) for v in m.split("x")[:2]) for m in connector_modes(vm)]
    return sizes and all(320 <= w <= 7680 and 200 <= h <= 4320 for w, h in sizes)


def assert_display_works(vm, color="336699"):
    with Painter(vm, "--mode 800x600", name="check") as p:
        p.send("fill", 0, 0, 800, 600, color)
        p.send("dirty")
        wait_for(lambda: vm.screendump().is_uniform(rgb(color)), 30,
                 "the host to show the guest's fill")
        host = vm.screendump()
        assert (host.width, host.height) == (800, 600)


def redetect(vm):
    """A well-behaved display-change event: the driver re-reads everything."""
    fault_and_wait(vm, "cmd=info;storm=1")
    set_fault(vm, "")


def test_display_info_faults(vm):
    """GET_DISPLAY_INFO answered short, oversized, with error statuses,
    absurd head counts and sizes, or noise: the driver keeps what it had or
    replaces the implausible values, and the connector stays usable."""
    plans = ["len=4", "len=1048576", "status=4294967295", "num-heads=1000",
             "head-size=4294967295x4294967295", "garbage;seed=1"]
    if LONG:
        plans += ["len=0", "len=12", "status=1", "num-heads=0", "head-size=0x600",
                  "garbage;seed=2", "garbage;seed=3"]
    for plan in plans:
        # storm=1: one display-change interrupt, so the driver asks again.
        fault_and_wait(vm, "cmd=info;storm=1;" + plan)
        # Probe now (writing "detect" fills the mode list again): reading
        # the list alone might show it from before the answer.
        vm.run("echo detect > %s/status" % CONNECTOR, check=True)
        assert modes_are_sane(vm), (plan, connector_modes(vm))
    set_fault(vm, "")
    redetect(vm)
    wait_for(lambda: "1280x800" in connector_modes(vm), 30,
             "the host's preferred size to come back")
    assert_display_works(vm)


def test_edid_faults(vm):
    """Broken, truncated and oversized EDIDs are refused; the connector
    falls back to the modes the driver makes up."""
    plans = ["edid-checksum", "edid-size=100", "edid-size=1152", "garbage;seed=7"]
    if LONG:
        plans += ["edid-size=4294967295", "len=12", "status=5"]
    for plan in plans:
        assert edid_bytes(vm) > 0, "no EDID before %s" % plan
        # storm=1: the driver re-reads display information and the EDID.
        fault_and_wait(vm, "cmd=edid;storm=1;" + plan)
        wait_for(lambda: edid_bytes(vm) == 0, 30, "the driver to refuse the EDID (%s)" % plan)
        assert modes_are_sane(vm), (plan, connector_modes(vm))
        # A good EDID again, for the next plan to replace.
        set_fault(vm, "")
        redetect(vm)
        wait_for(lambda: edid_bytes(vm) > 0, 30, "the host's EDID to come back")
    assert_display_works(vm)


def test_config_change_storm(vm):
    """Configuration-change interrupts 1 ms apart (500, or 5000 in the long
    variant) while a client draws."""
    with Painter(vm, "--mode 640x480", name="storm") as p:
        set_fault(vm, "cmd=info;storm=%d" % (5000 if LONG else 500))
        for i in range(10 if LONG else 4):
            p.send("fill", 0, 0, 640, 480, "%02x0000" % (i * 20))
            p.send("dirty")
        set_fault(vm, "")
    assert_display_works(vm)


def test_errors_reach_userspace(vm):
    """A device refusing to share a buffer makes framebuffer creation fail
    in userspace; a failed update is logged and retried as a full one."""
    for plan in ["cmd=create;status=5", "cmd=create;len=3", "cmd=create;status=1234"]:
        set_fault(vm, plan)
        r = vm.run("pvd_paint serve /tmp/refused --mode 640x480", timeout=60)
        assert r.rc != 0 and not r.timed_out, (plan, r)
    set_fault(vm, "")
    reports = unresponsive_reports(vm)
    with Painter(vm, "--mode 640x480", name="updates") as p:
        for plan in ["status=5", "len=0", "len=65536"]:
            p.send("fill", 0, 0, 640, 480, "000000")
            p.send("dirty")
            wait_for(lambda: vm.screendump().is_uniform(rgb("000000")), 30,
                     "the host to show black")
            hits = fault_hits(vm)
            set_fault(vm, "cmd=update;count=1;" + plan)
            # The damage is 16x16: the rest of the green reaches the host
            # only through a full update, the driver's retry of the failed
            # one (the device copies the damage before it answers).
            p.send("fill", 0, 0, 640, 480, "00ff00")
            p.send("dirty", 0, 0, 16, 16)
            wait_for(lambda: vm.screendump().is_uniform(rgb("00ff00")), 30,
                     "the retry of the failed update to show the frame (%s)" % plan)
            assert fault_hits(vm) == hits + 1, plan
            set_fault(vm, "")
    assert unresponsive_reports(vm) == reports, "an answered error made the device broken"


def held_ids(vm):
    """Resource ids the driver left to the device ("id in use"), in order."""
    out = vm.run("dmesg | sed -n 's/.*device already has resource \\([0-9]*\\):.*/\\1/p'",
                 check=True).stdout
    return [int(v) for v in out.split()]


def test_id_in_use(vm):
    """A device that answers "id in use" to every RESOURCE_CREATE (its
    status ERR_INVALID_RESOURCE): the driver tries a second id, then
    framebuffer creation fails with EIO (not ENOENT, which userspace
    reads as a bad GEM handle).  The two ids stay the device's until it
    is reset; after a function-level reset they are allocated again."""
    refused = "cmd=create;status=%d" % 0x1202
    before = held_ids(vm)
    set_fault(vm, refused)
    r = vm.run("pvd_paint serve /tmp/refused --mode 640x480", timeout=60)
    set_fault(vm, "")
    assert r.rc != 0 and "framebuffer: Input/output error" in r.stderr, r
    first = held_ids(vm)[len(before):]
    assert len(first) == 2, "ids left to the device: %r" % first
    vm.run("echo 1 > /sys/bus/pci/devices/%s/reset" % pci_function(vm, virtio_dev(vm)),
           timeout=120, check=True)
    set_fault(vm, refused)
    r = vm.run("pvd_paint serve /tmp/refused --mode 640x480", timeout=60)
    set_fault(vm, "")
    assert r.rc != 0, r
    again = held_ids(vm)[len(before) + 2:]
    # An id still held is never handed out: seeing one again means the
    # reset released it.
    assert min(first) in again, \
        "ids %r held before the reset, then %r: not allocated again" % (first, again)
    assert_display_works(vm)


def test_late_answer(vm):
    """An answer that comes 2 s late, within the driver's 5 s timeout: the
    driver waits for it without giving up on the device, and the next
    update goes through."""
    reports = unresponsive_reports(vm)
    with Painter(vm, "--mode 640x480", name="late") as p:
        set_fault(vm, "cmd=update;count=1;delay=2000")
        p.send("fill", 0, 0, 640, 480, "ffff00")
        p.send("dirty")
        wait_for(lambda: vm.screendump().is_uniform(rgb("ffff00")), 30,
                 "the host to show the late update")
        set_fault(vm, "")
        p.send("fill", 0, 0, 640, 480, "00ffff")
        p.send("dirty")
        wait_for(lambda: vm.screendump().is_uniform(rgb("00ffff")), 30,
                 "the update after the late one")
    assert unresponsive_reports(vm) == reports, "a late answer made the device broken"


def test_unanswered_fails_fast_then_reset_recovers(vm):
    """The device stops answering: the first request times out, every later
    one (here DIRTYFB from userspace) fails at once; a function-level reset
    brings the display back."""
    dev = virtio_dev(vm)
    pci = pci_function(vm, dev)
    reports = unresponsive_reports(vm)
    with Painter(vm, "--mode 640x480", name="dead") as p:
        p.send("fill", 0, 0, 640, 480, "ff0000")
        hits = fault_hits(vm)
        set_fault(vm, "cmd=update;drop")
        # DIRTYFB returns at once; the update it queued waits out the
        # driver's timeout in the background and marks the device broken.
        p.send("dirty")
        wait_for(lambda: unresponsive_reports(vm) > reports, 60,
                 "the driver to give up on the unanswered update", interval=1)
        assert fault_hits(vm) == hits + 1
        t0 = time.monotonic()
        r = vm.run("n=0; for i in $(seq 10); do pvd_paint send /tmp/dead dirty >/dev/null "
                   "|| n=$((n+1)); done; echo $n", timeout=120, check=True)
        elapsed = time.monotonic() - t0
        assert r.stdout.strip() == "10", "updates on a dead device did not fail: %r" % r.stdout
        # Ten requests at 5 s each would take 50 s: fail-fast takes a fraction.
        assert elapsed < 25, "10 failing updates took %.1f s" % elapsed
        assert fault_hits(vm) == hits + 1, "the driver kept sending to a dead device"
        fast = unresponsive_reports(vm) - reports
        assert fast == 1, "expected one 'unresponsive' report, got %d" % fast

        set_fault(vm, "")
        vm.run("echo 1 > /sys/bus/pci/devices/%s/reset" % pci, timeout=120, check=True)
        p.send("fill", 0, 0, 640, 480, "00ffff")
        p.send("dirty")
        wait_for(lambda: vm.screendump().is_uniform(rgb("00ffff")), 30,
                 "the display to come back after the reset")
    assert_display_works(vm)


def wait_cursor_shape(vnc, w, h, hot_x, hot_y, salt, timeout=30):
    """Read cursor shapes until this one arrives (others, such as re-sends
    of an older shape or the transparent one of a hidden cursor, are
    skipped)."""
    want = (hot_x, hot_y, w, h, cursor_bytes(w, h, salt))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = vnc.next_cursor(timeout=max(deadline - time.monotonic(), 0.1))
        if got == want:
            return
    raise AssertionError("the VNC client never got the %dx%d cursor (salt %d)"
                         % (w, h, salt))


def test_unanswered_cursor_fails_fast_then_reset_recovers(vm):
    """The device stops serving the cursor queue: the first cursor image is
    queued at once, the next waits out the timeout for the first's answer
    and marks the device broken, and every later image fails at once with
    EIO instead of costing another timeout; hiding does not wait.  A
    function-level reset brings the cursor back."""
    pci = pci_function(vm, virtio_dev(vm))
    reports = unresponsive_reports(vm)
    vnc = VncCursorClient(5900 + vm.vnc_display)
    try:
        with Painter(vm, "--mode 640x480", name="cursordead") as p:
            p.send("cursor", 64, 64, 1, 1, 1)
            wait_cursor_shape(vnc, 64, 64, 1, 1, 1)
            set_fault(vm, "cursor-drop")
            t0 = time.monotonic()
            p.send("cursor", 64, 64, 2, 2, 2)
            queued = time.monotonic() - t0
            assert queued < 4, "a cursor image took %.1f s to queue" % queued
            # Waits for the unanswered image: the one timeout it costs.
            p.send("cursor", 64, 64, 3, 3, 3)
            assert unresponsive_reports(vm) == reports + 1, \
                "the driver did not give up on the unanswered cursor image"

            n = 5
            t0 = time.monotonic()
            r = vm.run("for i in $(seq %d); do pvd_paint send /tmp/cursordead "
                       "cursor 64 64 4 4 $((i + 3)); done" % n, timeout=120)
            elapsed = time.monotonic() - t0
            replies = r.stdout.splitlines()
            assert replies == ["err Input/output error"] * n, \
                "cursor images on a broken device: %r" % r.stdout
            # n timeouts would take n x 5 s: failing fast takes a fraction.
            assert elapsed < n * 5 / 2, "%d failing cursor images took %.1f s" % (n, elapsed)
            t0 = time.monotonic()
            p.send("cursor-off")
            hidden = time.monotonic() - t0
            assert hidden < 4, "hiding the cursor took %.1f s" % hidden
            assert unresponsive_reports(vm) == reports + 1, \
                "the driver reported the broken device again"

            set_fault(vm, "")
            vm.run("echo 1 > /sys/bus/pci/devices/%s/reset" % pci, timeout=120,
                   check=True)
            t0 = time.monotonic()
            p.send("cursor", 48, 32, 5, 6, 9)
            shown = time.monotonic() - t0
            assert shown < 4, "a cursor image after the reset took %.1f s" % shown
            wait_cursor_shape(vnc, 48, 32, 5, 6, 9)
            assert cursor_state(vm)[:4] + cursor_state(vm)[6:] == (48, 32, 5, 6, 1)
    finally:
        vnc.close()
    assert_display_works(vm)


def test_cursor_wait_ends_when_control_queue_gives_up(vm):
    """Neither queue is answered.  A cursor image waiting for the previous
    image's answer stops waiting when an update's timeout on the control
    queue marks the device broken, not after a timeout of its own (here
    2.5 s later).  The waiting image is a new hotspot on the shown buffer:
    a new buffer would first be shared with RESOURCE_CREATE, which the
    stalled control queue would hold.  Timed inside the guest, so that the
    host's round trips do not count.  A function-level reset brings the
    cursor back."""
    pci = pci_function(vm, virtio_dev(vm))
    reports = unresponsive_reports(vm)
    with Painter(vm, "--mode 640x480", name="bothdead") as p:
        p.send("fill", 0, 0, 640, 480, "ff0000")
        p.send("cursor", 64, 64, 1, 1, 1)
        set_fault(vm, "cmd=update;drop;cursor-drop")
        p.send("hotspot", 2, 2)                 # queued, never answered
        # The update times out 5 s after this DIRTYFB; the next image
        # starts waiting for the unanswered one 2.5 s in.
        r = vm.run("d=$(date +%s%N); pvd_paint send /tmp/bothdead dirty >/dev/null; "
                   "sleep 2.5; a=$(date +%s%N); "
                   "pvd_paint send /tmp/bothdead hotspot 3 3 >/dev/null; "
                   "b=$(date +%s%N); echo $(( (b - a) / 1000000 )) $(( (b - d) / 1000000 ))",
                   timeout=60)
        waited_ms, since_dirty_ms = (int(v) for v in r.stdout.split()[-2:])
        # Not its own 5 s, and it ended with the update's timeout, not
        # before (the DIRTYFB was queued after d).
        assert waited_ms < 4000 and since_dirty_ms > 4500, \
            "the cursor image waited %d ms (%d ms after the DIRTYFB)" % (
                waited_ms, since_dirty_ms)
        assert unresponsive_reports(vm) == reports + 1, \
            "expected one 'unresponsive' report (the update's)"

        set_fault(vm, "")
        vm.run("echo 1 > /sys/bus/pci/devices/%s/reset" % pci, timeout=120,
               check=True)
        p.send("cursor", 48, 32, 5, 6, 9)
        wait_for(lambda: cursor_state(vm)[:4] + cursor_state(vm)[6:] == (48, 32, 5, 6, 1),
                 30, "the cursor image after the reset to reach the device")
    assert_display_works(vm)


def test_dpms_off_on_broken_device(vm):
    """DPMS off shows nothing, so a broken device does not refuse it:
    fbdev's blank (an atomic commit with ACTIVE=0 on an enabled CRTC) turns
    the CRTC off.  A function-level reset and unblank bring fbcon back."""
    pci = pci_function(vm, virtio_dev(vm))
    reports = unresponsive_reports(vm)
    fb = vm.run("grep -l '^pvdisplay' /sys/class/graphics/fb*/name 2>/dev/null",
                check=True).stdout.split()[0].rsplit("/", 1)[0]
    state = ("cat $(dirname $(grep -l '^pvdisplay' /sys/kernel/debug/dri/*/name "
             "| head -n 1))/state")
    with Painter(vm, "--mode 640x480", name="dpms") as p:
        p.send("fill", 0, 0, 640, 480, "ff00ff")
        set_fault(vm, "cmd=update;drop")
        p.send("dirty")
        wait_for(lambda: unresponsive_reports(vm) == reports + 1, 60,
                 "the driver to give up on the unanswered update", interval=1)
    # The painter is gone: its plane is off, its CRTC still lit, and
    # fbdev's restore was refused (it would show something).
    assert "\tactive=1" in vm.run(state, check=True).stdout
    vm.run("echo 4 > %s/blank" % fb, check=True)
    crtc = vm.run(state, check=True).stdout
    assert "\tenable=1" in crtc and "\tactive=0" in crtc, \
        "fbdev's DPMS off did not take effect:\n" + crtc

    set_fault(vm, "")
    vm.run("echo 1 > /sys/bus/pci/devices/%s/reset" % pci, timeout=120, check=True)
    vm.run("echo 0 > %s/blank" % fb, check=True)
    assert "\tactive=1" in vm.run(state, check=True).stdout
    assert_display_works(vm)


def test_absurd_config_space(vm):
    """A configuration space with absurd head counts or sizes: probe fails
    cleanly, and a sane device binds again."""
    dev = virtio_dev(vm)
    vm.run("echo %s > /sys/bus/virtio/drivers/pvdisplay/unbind" % dev, timeout=120,
           check=True)
    for plan in ["cfg-heads=0", "cfg-heads=17", "cfg-heads=4294967295",
                 "cfg-max=0x0", "cfg-max=0x600"]:
        set_fault(vm, plan)
        r = vm.run("echo %s > /sys/bus/virtio/drivers/pvdisplay/bind" % dev, timeout=120)
        # Refused by probe, at once: not a bind that hung or failed later.
        assert r.rc != 0 and not r.timed_out and r.duration < 30, (plan, r)
        assert vm.run("test -e /sys/bus/virtio/drivers/pvdisplay/%s" % dev).rc != 0, plan
    # Sizes beyond what the driver takes are clamped, not refused.
    set_fault(vm, "cfg-max=4294967295x4294967295")
    vm.run("echo %s > /sys/bus/virtio/drivers/pvdisplay/bind" % dev, timeout=120,
           check=True)
    vm.run("echo %s > /sys/bus/virtio/drivers/pvdisplay/unbind" % dev, timeout=120,
           check=True)
    set_fault(vm, "")
    vm.run("echo %s > /sys/bus/virtio/drivers/pvdisplay/bind" % dev, timeout=120,
           check=True)
    vm.run("udevadm settle -t 30; pvd-card >/dev/null", check=True)
    assert_display_works(vm)
