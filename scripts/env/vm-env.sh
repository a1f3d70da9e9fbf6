#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run a command in the sysroot with what the test harness (tests/harness)
# needs to boot guests: builds QEMU and the guest image if missing, then sets
#   PVD_QEMU PVD_QEMU_DATADIR PVD_GUEST_ROOT PVD_GUEST_BLK PVD_GUEST_INITRD
#   PVD_KERNEL PVD_KVER PVD_GUEST_KVER PVD_KDIR PVD_RESULTS
# and passes through PVD_MODULE / PVD_GUEST_BIN / PVD_ACCEL when set.
#
#   vm-env.sh -- CMD [ARG...]
#   e.g. scripts/env/vm-env.sh -- python3 tests/harness/run.py tests/integration

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
[ "${1:-}" = -- ] && shift

sysroot=$("$here/sysroot.sh")
PVD_KVER=$(cat "$sysroot/.kernel-release")
PVD_QEMU=$("$here/qemu.sh")
PVD_QEMU_DATADIR=$("$here/qemu.sh" --datadir)
PVD_GUEST_ROOT=$("$here/guest-image.sh")
# The same tree as an ext4 image (sparse, ~10 s to write), for guests that
# migrate or suspend: virtiofs blocks both.
PVD_GUEST_BLK=$("$here/guest-blk-image.sh")
# The harness runs inside the sysroot: by default it boots the sysroot's
# kernel, whose modules the guest image carries.  PVD_KERNEL=/host/bzImage
# boots another one (it then needs virtiofs, overlayfs and what the test uses
# built in, as the guest's /lib/modules belongs to the sysroot kernel).
# PVD_DEBUG_KERNEL=1 (make check-full) boots the kernel that reports
# (debug-kernel.sh: lockdep, KASAN, KFENCE, ...), built if missing.
# PVD_KVER stays the sysroot's (the guest image's /lib/modules); the kernel
# the guest reports (uname -r) and the tree to build test modules against
# are PVD_GUEST_KVER and PVD_KDIR.
PVD_GUEST_KVER=$PVD_KVER
PVD_KDIR=/usr/src/linux-headers-$PVD_KVER
if [ "${PVD_DEBUG_KERNEL:-}" = 1 ] && [ -z "${PVD_KERNEL:-}" ]; then
	PVD_KERNEL=$("$here/debug-kernel.sh")
	PVD_KDIR=$("$here/debug-kernel.sh" --tree)
	PVD_GUEST_KVER=$("$here/debug-kernel.sh" --release)
	PVD_EXTRA_BINDS="${PVD_EXTRA_BINDS:-} $PVD_KDIR"
fi
if [ -n "${PVD_KERNEL:-}" ]; then
	PVD_KERNEL=$(realpath "$PVD_KERNEL")
	PVD_EXTRA_BINDS="${PVD_EXTRA_BINDS:-} $PVD_KERNEL"
	export PVD_EXTRA_BINDS
else
	PVD_KERNEL=/boot/vmlinuz-$PVD_KVER
	# virtio-blk and ext4 are modules in Debian's kernel: a guest with a
	# block-device root (harness Vm(root="blk")) needs its initramfs.
	# The debug kernel has them built in.
	PVD_GUEST_INITRD=/boot/initrd.img-$PVD_KVER
fi
PVD_RESULTS=${PVD_RESULTS:-$PVD_TOP/results}
mkdir -p "$PVD_RESULTS"
export PVD_KVER PVD_GUEST_KVER PVD_KDIR PVD_QEMU PVD_QEMU_DATADIR PVD_GUEST_ROOT \
	PVD_GUEST_BLK PVD_KERNEL PVD_GUEST_INITRD PVD_RESULTS
exec "$here/in-sysroot.sh" -- "$@"
