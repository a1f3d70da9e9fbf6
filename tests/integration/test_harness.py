# SPDX-License-Identifier: MIT
"""Self-tests of the environment: the guest boots, the agent, the run share,
module loading, screendumps and splat detection work.  Uses bochs-display
(in every QEMU build), so it does not depend on the pvdisplay device or
driver."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from harness import CommandFailed, GuestHung, Skip, Vm, VmError, find_splats
from harness.runner import Tap, run_file
from harness.vm import DEBUG_KERNEL

HARNESS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "harness")

VM = {"display_device": "bochs-display", "xres": 800, "yres": 600}
# DEBUG_KERNEL: make check-full boots the debug kernel (debug-kernel.sh):
# its drivers are built in and it can report what Debian's kernel cannot.


def test_agent_returns_rc_stdout_stderr(vm):
    r = vm.run("echo out; echo err >&2; exit 3")
    assert (r.rc, r.stdout, r.stderr, r.timed_out) == (3, "out\n", "err\n", False), r
    r = vm.run(["cat"], input="via stdin")
    assert r.stdout == "via stdin", r
    try:
        vm.run("false", check=True)
    except CommandFailed as e:
        assert e.result.rc == 1
    else:
        raise AssertionError("check=True did not raise on rc 1")


def test_agent_returns_large_output_intact(vm):
    # Far beyond one virtio-serial write (32 KiB) and one socket read.
    r = vm.run("head -c 300000 /dev/zero | tr '\\0' x; seq 1 20000 >&2", check=True)
    assert r.stdout == "x" * 300000, (len(r.stdout), r.stdout[:80])
    assert r.stderr.split() == [str(i) for i in range(1, 20001)]


def test_agent_serves_requests_concurrently(vm):
    # A long command does not hold up a short one issued meanwhile.
    slow = {}
    t = threading.Thread(target=lambda: slow.update(r=vm.run("sleep 8; echo slow")))
    t.start()
    time.sleep(1)
    t0 = time.monotonic()
    assert vm.run("echo quick").stdout == "quick\n"
    quick = time.monotonic() - t0
    t.join(60)
    assert slow["r"].stdout == "slow\n", slow
    assert quick < 6, "quick command waited %.1f s behind the slow one" % quick


def test_spawned_process_outlives_run_and_can_be_killed(vm):
    p = vm.spawn("echo started; exec sleep 1000")
    assert vm.run("kill -0 %d" % p.pid).rc == 0, "spawned process is gone"
    assert vm.run("cat " + p.log).stdout == "started\n"
    vm.kill_spawned(p, "KILL")
    assert vm.run("for i in $(seq 50); do kill -0 %d 2>/dev/null || exit 0; "
                  "sleep 0.1; done; exit 1" % p.pid).rc == 0, "still running"


def test_agent_kills_command_on_timeout(vm):
    r = vm.run("sleep 100", timeout=2)
    assert r.timed_out and r.rc != 0, r
    assert r.duration < 20, r
    # The agent still serves requests afterwards.
    assert vm.run("echo alive").stdout == "alive\n"


def test_guest_runs_the_pinned_kernel(vm):
    kver = os.environ["PVD_GUEST_KVER"]
    assert vm.kver == kver, (vm.kver, kver)
    if DEBUG_KERNEL:
        # DRM is built in (no initstate: not a loadable module).
        assert vm.run("test -d /sys/module/drm && ! test -e /sys/module/drm/initstate").rc == 0
    else:
        # The guest image's modules are the sysroot kernel's.
        vermagic = vm.run("modinfo -F vermagic drm", check=True).stdout
        assert vermagic.startswith(kver + " "), vermagic


def test_root_is_a_throwaway_overlay(vm):
    assert vm.run("findmnt -n -o FSTYPE /").stdout.strip() == "overlay"
    vm.run("echo scratch > /etc/pvd-scratch", check=True)
    root = os.environ["PVD_GUEST_ROOT"]
    assert not os.path.exists(os.path.join(root, "etc/pvd-scratch")), \
        "a guest write reached the cached image"


def test_run_share_carries_results_to_host(vm):
    vm.run("echo from-guest > /pvd/results/probe.txt", check=True)
    with open(os.path.join(vm.results, "probe.txt")) as f:
        assert f.read() == "from-guest\n"


def test_insmod_helper_resolves_dependencies(vm):
    # A module the guest does not autoload, from a host path, as pvdisplay.ko
    # is loaded: vgem needs drm and drm_shmem_helper first.
    if DEBUG_KERNEL:
        raise Skip("the debug kernel has vgem and its dependencies built in: "
                   "no module to resolve")
    kver = os.environ["PVD_KVER"]
    ko = "/lib/modules/%s/kernel/drivers/gpu/drm/vgem/vgem.ko.xz" % kver
    assert os.path.exists(ko), ko
    vm.insmod(ko)
    assert vm.run("test -d /sys/module/vgem").rc == 0
    vm.rmmod("vgem")
    assert vm.run("test -d /sys/module/vgem").rc != 0


def test_bochs_drm_device_is_up(vm):
    r = vm.run("pvd-card bochs-drm")
    assert r.rc == 0, "no DRM card bound to bochs-drm: %r" % r.stdout


def test_screendump_shows_what_the_guest_drew(vm):
    # Paint the whole fbdev framebuffer one colour (XRGB8888 little endian:
    # bytes B, G, R, X) and check the host sees exactly that.
    w, h = (int(x) for x in vm.run(
        "cat /sys/class/graphics/fb0/virtual_size", check=True).stdout.split(","))
    stride = int(vm.run("cat /sys/class/graphics/fb0/stride", check=True).stdout)
    vm.run("echo 0 > /sys/class/graphics/fbcon/cursor_blink", check=True)
    vm.run("python3 -c 'import sys; open(\"/dev/fb0\", \"wb\").write("
           "(b\"\\x30\\x20\\x10\\x00\" * %d + bytes(%d)) * %d)'"
           % (w, stride - 4 * w, h), check=True)
    ppm = vm.screendump(fmt="ppm")
    png = vm.screendump(fmt="png")
    assert (ppm.width, ppm.height) == (800, 600), ppm
    assert (png.width, png.height, png.data) == (ppm.width, ppm.height, ppm.data), \
        "PNG and PPM screendumps differ"
    assert ppm.is_uniform((0x10, 0x20, 0x30)), \
        "pixel (0,0) is %s, expected (16, 32, 48)" % (ppm.pixel(0, 0),)


def test_kernel_warning_is_detected(vm):
    # The splat scanner itself: a WARNING line in the kernel log must be
    # found.  Written to /dev/kmsg with a marker, then read back and scanned
    # here, and not left for the per-test check to fail on.
    line = "WARNING: CPU: 0 PID: 1 at pvd-harness-selftest"
    vm.allow_splats.append(re.escape(line))
    vm.run("echo '%s' > /dev/kmsg" % line, check=True)
    hits = find_splats(vm.dmesg())
    assert any("pvd-harness-selftest" in h for h in hits), hits


# In the guest: an igt timeout dump whose first line is pushed out of the
# kernel's 2 MiB log buffer by debug-level records (not printed on the
# console) before the harness reads /dev/kmsg.  One open per record: the
# kernel rate-limits writes per open file.
FLOOD_THE_LOG_BUFFER = r"""
import os
def put(text):
    fd = os.open("/dev/kmsg", os.O_WRONLY)
    os.write(fd, text.encode())
    os.close(fd)
put("<6>[IGT] Per-test timeout exceeded. Killing the current test with SIGQUIT.\n")
for i in range(12000):
    put("<7>pvd-harness-selftest: filler %05d %s\n" % (i, "x" * 200))
put("<4>Call Trace:\n")
put("<4>=============================================\n")
put("<6>[IGT] kms_selftest: executing\n")
"""


def test_log_records_lost_before_they_were_read(vm):
    # The check-full run of 2026-12-04 failed on a timeout dump whose first
    # line the buffer had lost: the harness counts such a loss and judges
    # what it read after it by the serial console's whole log, where the
    # dump is recognised; a real report after the loss still counts.
    vm.check_splats()
    lost = vm.kmsg_lost
    vm.run(["python3", "-c", FLOOD_THE_LOG_BUFFER], check=True, timeout=300)
    assert vm.check_splats() == []
    assert vm.kmsg_lost > lost, "no record was lost: the test did not overflow the buffer"
    line = "WARNING: CPU: 0 PID: 1 at pvd-log-loss-selftest"
    vm.run("echo '%s' > /dev/kmsg" % line, check=True)
    hits = vm.check_splats()
    assert len(hits) == 1 and hits[0].endswith(line), hits


def test_bad_qemu_command_line_fails_fast():
    t0 = time.monotonic()
    try:
        Vm(name="bad-device", display_device="pvd-no-such-device").start()
    except VmError as e:
        assert "pvd-no-such-device" in str(e), e
    else:
        raise AssertionError("a QEMU that cannot start did not raise")
    assert time.monotonic() - t0 < 30


def test_hung_guest_is_killed_and_reported():
    vm = Vm(name="hang", display_device=None)
    vm.start()
    try:
        vm.answer_margin = 3
        vm.qmp("stop")  # freeze the vCPUs: nothing in the guest can answer
        t0 = time.monotonic()
        try:
            vm.run("true", timeout=2)
        except GuestHung:
            pass
        else:
            raise AssertionError("a frozen guest answered")
        assert time.monotonic() - t0 < 30
        assert not vm.alive, "the hung guest was not killed"
    finally:
        vm.stop(check=False)


def build_splat_module(outdir):
    """Build tests/harness/splat-module (provokes a real kernel report) for
    the guest kernel, in a copy under outdir; return the .ko's path."""
    src = os.path.join(outdir, "splat-module")
    shutil.copytree(os.path.join(HARNESS, "splat-module"), src)
    kdir = os.environ["PVD_KDIR"]
    r = subprocess.run(["make", "-C", kdir, "M=" + src, "modules"], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, "building pvd_splat.ko failed:\n" + r.stdout + r.stderr
    return os.path.join(src, "pvd_splat.ko")


# A test file run by test_real_splats_fail_the_test_around_them through the
# real runner: which of its tests must fail is the point of the self-test.
SPLAT_FILE = """
VM = {"display_device": "bochs-display", "files": {"pvd_splat.ko": %(ko)r}}

def test_quiet_before(vm):
    vm.run("true", check=True)

def test_provokes_warn(vm):
    vm.run("insmod /pvd/files/pvd_splat.ko what=warn")

def test_provokes_kfence_use_after_free(vm):
    vm.run("insmod /pvd/files/pvd_splat.ko what=kfence", timeout=120)

def test_driver_error_line(vm):
    vm.run("echo '<3>pvdisplay virtio9: selftest: a device error' > /dev/kmsg", check=True)

def test_drm_error_marker(vm):
    vm.run("echo '<6>[drm:pvd_selftest] *ERROR* [CRTC:1:crtc-0] flip_done timed out'"
           " > /dev/kmsg", check=True)

def test_driver_info_line_is_fine(vm):
    vm.run("echo '<6>pvdisplay virtio9: selftest: just information' > /dev/kmsg",
           check=True)

def test_quiet_after(vm):
    vm.run("true", check=True)
"""
# What only the debug kernel reports.  Lockdep first: a KASAN report turns
# lock debugging off for the rest of the boot (a KFENCE one does not).
SPLAT_FILE_DEBUG_KERNEL = """
def test_provokes_lockdep_inversion(vm):
    vm.run("insmod /pvd/files/pvd_splat.ko what=lockdep")

def test_provokes_kasan_out_of_bounds(vm):
    vm.run("insmod /pvd/files/pvd_splat.ko what=kasan")

def test_quiet_at_the_end(vm):
    vm.run("true", check=True)
"""


def run_inner_file(d, name, source):
    """Run source as the test file d/name through the real runner; return
    ({test or check name: passed}, the TAP text)."""
    inner = os.path.join(d, name)
    with open(inner, "w") as f:
        f.write(source)
    tap_path = os.path.join(d, name + ".tap")
    # run_file arms its own per-test alarms: put this test's back after.
    handler, left = signal.getsignal(signal.SIGALRM), signal.alarm(0)
    try:
        tap = Tap(tap_path, echo=False)
        run_file(tap, inner, lambda name: True)
        tap.finish()
    finally:
        signal.signal(signal.SIGALRM, handler)
        signal.alarm(max(left, 1))
    with open(tap_path) as f:
        text = f.read()
    got = {m.group(2): m.group(1) == "ok"
           for m in re.finditer(r"^(ok|not ok) \d+ - (?:\[check\] )?\S+::(.*)$", text, re.M)}
    return got, text


# A guest that goes away in the middle of a test: QEMU is killed from
# outside the harness (SIGKILL: no core dump of guest RAM on hosts that
# keep them).
DEATH_FILE = """
import os, signal, time
VM = {"display_device": "bochs-display"}

def test_qemu_is_killed(vm):
    vm.run("true", check=True)
    os.kill(vm.qemu.pid, signal.SIGKILL)
    vm.qemu.wait(timeout=30)

def test_after_the_death(vm):
    vm.run("true", check=True)
"""


def test_guest_dying_fails_the_test_it_died_in():
    """The test during which QEMU died fails, naming how QEMU ended,
    though nothing it called failed; the next test gets a new guest."""
    with tempfile.TemporaryDirectory(dir=os.environ.get("PVD_RESULTS")) as d:
        got, text = run_inner_file(d, "test_death_selftest.py", DEATH_FILE)
    want = {"test_qemu_is_killed": False, "test_after_the_death": True,
            "kernel log clean and QEMU exit 0 at shutdown": True}
    assert got == want, "inner TAP:\n" + text
    assert "the guest died during the test (QEMU killed by signal %d)" % signal.SIGKILL \
        in text, text


def test_real_splats_fail_the_test_around_them():
    """A WARN and a KFENCE report the guest kernel really prints, and driver
    error lines, each fail the test during which they appeared, and only
    that test; with the debug kernel, a KASAN and a lockdep report too."""
    with tempfile.TemporaryDirectory(dir=os.environ.get("PVD_RESULTS")) as d:
        ko = build_splat_module(d)
        source = SPLAT_FILE % {"ko": ko}
        if DEBUG_KERNEL:
            source += SPLAT_FILE_DEBUG_KERNEL
        got, text = run_inner_file(d, "test_splat_selftest.py", source)
    want = {"test_quiet_before": True, "test_provokes_warn": False,
            "test_provokes_kfence_use_after_free": False, "test_driver_error_line": False,
            "test_drm_error_marker": False, "test_driver_info_line_is_fine": True,
            "test_quiet_after": True, "kernel log clean and QEMU exit 0 at shutdown": True}
    if DEBUG_KERNEL:
        want.update({"test_provokes_kasan_out_of_bounds": False,
                     "test_provokes_lockdep_inversion": False, "test_quiet_at_the_end": True})
    assert got == want, "inner TAP:\n" + text
    assert re.search(r"WARNING: .*pvd_splat", text) and "KFENCE: use-after-free" in text, text
    if DEBUG_KERNEL:
        assert "KASAN: slab-out-of-bounds" in text, text
        assert "possible circular locking dependency" in text, text


def test_igt_tier_fails_when_the_driver_does_not_bind():
    """make igt against pvdisplay, in a guest whose display device the
    driver cannot bind (bochs-display): the tier must fail before running
    anything, naming what it found."""
    with tempfile.TemporaryDirectory(dir=os.environ.get("PVD_RESULTS")) as d:
        tap = os.path.join(d, "igt.tap")
        r = subprocess.run([sys.executable, os.path.join(HARNESS, "igt.py"), "--driver",
                            "pvdisplay", "--display-device", "bochs-display", "--filter",
                            "igt@core_getversion@basic", "--tap", tap],
                           capture_output=True, text=True, timeout=900)
        with open(tap) as f:
            text = f.read()
    assert r.returncode == 1, (r.returncode, text, r.stderr[-2000:])
    assert re.search(r"^not ok \d+ - \[check\] igt \(pvdisplay\): no card with DRM driver "
                     r"pvdisplay .*card\d+=bochs-drm/bochs-drm", text, re.M), text
    assert "igt@core_getversion" not in text, \
        "tests ran although the card check failed:\n" + text
