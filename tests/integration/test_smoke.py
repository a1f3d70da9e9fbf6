# SPDX-License-Identifier: MIT
"""Smoke test of the real stack: the guest boots with the pvdisplay device,
loads pvdisplay.ko, the driver binds and the kernel log stays clean."""

from harness import PVDISPLAY_DEVICE, require_device, require_module

require_device(PVDISPLAY_DEVICE)
VM = {"display_device": PVDISPLAY_DEVICE, "modules": [require_module()]}


def test_agent_answers(vm):
    assert vm.run("echo ok").stdout == "ok\n"


def test_module_loaded_and_bound(vm):
    assert vm.run("test -d /sys/module/pvdisplay").rc == 0, "pvdisplay not loaded"
    # A virtio driver of module pvdisplay has a device bound, and there is
    # a DRM card.
    r = vm.run("for d in /sys/bus/virtio/drivers/*; do "
               "[ \"$(readlink -f $d/module)\" = /sys/module/pvdisplay ] && ls $d; "
               "done", check=False)
    assert any(w.startswith("virtio") for w in r.stdout.split()), \
        "no virtio device bound to a pvdisplay driver: %r" % r.stdout
    assert vm.run("pvd-card").rc == 0, "no DRM card for pvdisplay"


def test_rmmod_and_reload(vm):
    vm.rmmod("pvdisplay")
    assert vm.run("pvd-card").rc != 0, "the card is left after rmmod"
    vm.insmod()
    assert vm.run("udevadm settle -t 30 && pvd-card >/dev/null").rc == 0
