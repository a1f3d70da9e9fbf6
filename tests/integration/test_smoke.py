# SPDX-License-Identifier: MIT
"""Smoke test of the real stack: the guest boots with the pvdisplay device,
loads pvdisplay.ko, the driver binds and the kernel log stays clean.
Skipped (with the reason) until both the device and the module are built."""

from harness import PVDISPLAY_DEVICE, Skip, pvdisplay_module, qemu_has_device

if not qemu_has_device(PVDISPLAY_DEVICE):
    raise Skip("QEMU has no %s device yet" % PVDISPLAY_DEVICE)
if pvdisplay_module() is None:
    raise Skip("pvdisplay.ko is not built yet")

VM = {"display_device": PVDISPLAY_DEVICE, "modules": [pvdisplay_module()]}


def test_agent_answers(vm):
    assert vm.run("echo ok").stdout == "ok\n"


def test_module_loaded_and_bound(vm):
    assert vm.run("test -d /sys/module/pvdisplay").rc == 0, "pvdisplay not loaded"
    # The DRM device's driver is the module we loaded.
    r = vm.run("readlink -f /sys/class/drm/card0/device/driver/module", check=True)
    assert r.stdout.strip().endswith("/pvdisplay"), r.stdout


def test_rmmod_and_reload(vm):
    vm.rmmod("pvdisplay")
    assert vm.run("test -e /dev/dri/card0").rc != 0, "card0 left after rmmod"
    vm.insmod()
    assert vm.run("udevadm settle -t 30 && test -c /dev/dri/card0").rc == 0
