# SPDX-License-Identifier: MIT
"""Self-tests of the environment: the guest boots, the agent, the run share,
module loading, screendumps and splat detection work.  Uses bochs-display
(in every QEMU build), so it does not depend on the pvdisplay device or
driver."""

import os
import re
import threading
import time

from harness import CommandFailed, GuestHung, Vm, VmError, find_splats

VM = {"display_device": "bochs-display", "xres": 800, "yres": 600}


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


def test_guest_runs_sysroot_kernel_and_modules(vm):
    kver = os.environ["PVD_KVER"]
    assert vm.kver == kver, (vm.kver, kver)
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
    kver = os.environ["PVD_KVER"]
    ko = "/lib/modules/%s/kernel/drivers/gpu/drm/vgem/vgem.ko.xz" % kver
    assert os.path.exists(ko), ko
    vm.insmod(ko)
    assert vm.run("test -d /sys/module/vgem").rc == 0
    vm.rmmod("vgem")
    assert vm.run("test -d /sys/module/vgem").rc != 0


def test_bochs_drm_device_is_up(vm):
    r = vm.run("readlink -f /sys/class/drm/card0/device/driver", check=True)
    assert r.stdout.strip().endswith("/bochs-drm"), r.stdout
    assert vm.run("test -c /dev/dri/card0").rc == 0


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
