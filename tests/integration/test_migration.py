# SPDX-License-Identifier: MIT
"""Live migration with weston drawing.

Migration needs a guest without virtiofs (vhost-user-fs blocks it): this
file's guest boots from the guest tree as a read-only virtio-blk image
(Vm(root="blk"), scripts/env/guest-blk-image.sh).

The guest migrates to a second QEMU on the same host while
weston-simple-shm animates, PVD_MIGRATIONS times (make check 2, about
two minutes with the boot; make check-full, PVD_LONG=1, 20): the
destination's first frame, before it runs, is the source's last, and
afterwards the same client keeps drawing in the same mode."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PVDISPLAY_DEVICE, require_device, require_module  # noqa: E402
from compositor_checks import CLIENT_COMM, assert_displaying, start_compositor  # noqa: E402
from display_checks import diff_bbox  # noqa: E402

require_device(PVDISPLAY_DEVICE)
LONG = os.environ.get("PVD_LONG") == "1"
MIGRATIONS = int(os.environ.get("PVD_MIGRATIONS", "20" if LONG else "2"))
BOOT = (800, 600)
VM = {
    "modules": [require_module()],
    "root": "blk",
    "xres": BOOT[0], "yres": BOOT[1],
    # Less RAM to copy per migration.
    "memory": 1024,
}
TIMEOUT = 3600


def client_pid(vm):
    return vm.run("pgrep -x %s" % CLIENT_COMM, check=True).stdout.strip()


def test_migration_while_animating(vm):
    start_compositor(vm, BOOT)
    pid = client_pid(vm)
    for i in range(MIGRATIONS):
        last, first = vm.migrate()
        assert (first.width, first.height) == (last.width, last.height) == BOOT
        bbox = diff_bbox(last, first)
        assert bbox is None, ("migration %d: the destination's first frame differs "
                              "from the source's last in %r" % (i, bbox))
        assert_displaying(vm, BOOT)
        # The same guest and client went on.
        assert client_pid(vm) == pid, "migration %d: the client restarted" % i
        time.sleep(1)
