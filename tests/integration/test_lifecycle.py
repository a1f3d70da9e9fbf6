# SPDX-License-Identifier: MIT
"""Driver lifecycle: module unload/reload in a loop, unbind/bind and PCI
remove/rescan while a KMS client holds the device, with a clean kernel log
and a working display afterwards (any WARN, oops or refcount/list splat
fails the test)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PVDISPLAY_DEVICE, require_device, require_module  # noqa: E402
from display_checks import (Painter, device_stats, host_matches_guest,  # noqa: E402
                            quiet_console, rgb, wait_for)

require_device(PVDISPLAY_DEVICE)
VM = {"modules": [require_module()]}
TIMEOUT = 900


def virtio_dev(vm):
    """The virtio device name (virtioN) bound to pvdisplay."""
    r = vm.run("ls /sys/bus/virtio/drivers/pvdisplay/ | grep '^virtio'", check=True)
    return r.stdout.split()[0]


def assert_display_works(vm):
    with Painter(vm, "--mode 800x600", name="check") as p:
        p.send("fill", 0, 0, 800, 600, "336699")
        p.send("dirty")
        host = vm.screendump()
        assert (host.width, host.height) == (800, 600)
        assert host.is_uniform(rgb("336699")), "display not working after reload"


def test_reload_20_times(vm):
    ko = "/pvd/modules/" + os.path.basename(require_module())
    script = ("set -e; for i in $(seq 20); do rmmod pvdisplay; "
              "pvd-insmod %s; udevadm settle -t 30; pvd-card >/dev/null; done" % ko)
    vm.run(script, timeout=600, check=True)
    # fbcon came back on the re-bound device and the host shows it.
    quiet_console(vm)
    host_matches_guest(vm)
    assert_display_works(vm)


def test_unbind_bind_with_open_client(vm):
    dev = virtio_dev(vm)
    p = Painter(vm, "--mode 640x480", name="held")
    p.send("fill", 0, 0, 640, 480, "ff0000")
    p.send("dirty")
    vm.run("echo %s > /sys/bus/virtio/drivers/pvdisplay/unbind" % dev, timeout=120,
           check=True)
    assert vm.run("pvd-card").rc != 0, "the card is still present after unbind"
    # The client still holds an fd, a mapping and a framebuffer of a device
    # that is gone: drawing into the mapping must work, KMS calls must fail
    # cleanly, and exiting must release everything without a splat.
    p.send("fill", 10, 10, 10, 10, "00ff00")
    r = p.send("dirty", expect_ok=False)
    assert r.stdout.startswith("err"), "DIRTYFB on an unplugged device: %r" % r.stdout
    r = p.send("commit", expect_ok=False)
    assert r.stdout.startswith("err"), "commit on an unplugged device: %r" % r.stdout
    p.quit()
    vm.run("echo %s > /sys/bus/virtio/drivers/pvdisplay/bind" % dev, timeout=120, check=True)
    vm.run("udevadm settle -t 30; pvd-card >/dev/null", check=True)
    assert_display_works(vm)


def test_unbind_during_commits(vm):
    """Unbind while a client is busy committing damage in a loop."""
    dev = virtio_dev(vm)
    p = Painter(vm, "--mode 640x480", name="busy")
    loop = vm.spawn("while pvd_paint send /tmp/busy damage 0 0 64 64 >/dev/null; do :; done")
    # Commits are really going on: the device counts the updates.
    first = device_stats(vm)[0]
    wait_for(lambda: device_stats(vm)[0] >= first + 3, 60, "the commit loop to update")
    vm.run("echo %s > /sys/bus/virtio/drivers/pvdisplay/unbind" % dev, timeout=120,
           check=True)
    wait_for(lambda: vm.run("kill -0 %d" % loop.pid).rc != 0, 60,
             "the commit loop to notice the unplug")
    p.quit()
    vm.run("echo %s > /sys/bus/virtio/drivers/pvdisplay/bind" % dev, timeout=120, check=True)
    vm.run("udevadm settle -t 30; pvd-card >/dev/null", check=True)
    assert_display_works(vm)


def pci_function(vm, dev):
    """The PCI address of the function virtio device dev sits on."""
    r = vm.run("basename $(readlink -f /sys/bus/virtio/devices/%s/..)" % dev, check=True)
    return r.stdout.strip()


def test_pci_remove_rescan_with_open_client(vm):
    """What igt's core_hotunplug@hotreplug-lateclose checks, which skips on
    pvdisplay (it also opens a render node, and a display-only driver has
    none): the PCI function is removed while a client holds the device, a
    bus rescan finds it again, the new instance shows pixels while the old
    one is still open, and the old client's exit releases it cleanly."""
    dev = virtio_dev(vm)
    bdf = pci_function(vm, dev)
    p = Painter(vm, "--mode 640x480", name="held")
    p.send("fill", 0, 0, 640, 480, "ff0000")
    p.send("dirty")
    vm.run("echo 1 > /sys/bus/pci/devices/%s/remove" % bdf, timeout=120, check=True)
    assert vm.run("test -e /sys/bus/pci/devices/%s" % bdf).rc != 0, \
        "PCI function %s still present after remove" % bdf
    assert vm.run("pvd-card").rc != 0, "the card is still present after the remove"
    r = p.send("commit", expect_ok=False)
    assert r.stdout.startswith("err"), "commit on a removed device: %r" % r.stdout
    vm.run("echo 1 > /sys/bus/pci/rescan", timeout=120, check=True)
    vm.run("udevadm settle -t 30; pvd-card >/dev/null", check=True)
    assert_display_works(vm)
    p.quit()
    assert_display_works(vm)
