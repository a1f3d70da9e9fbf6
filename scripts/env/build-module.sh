#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build pvdisplay.ko with kbuild inside the sysroot and print its path.
#
#   build-module.sh          against the sysroot's headers for the guest kernel
#   KDIR=/path build-module.sh   against another kernel tree (made visible in
#                            the sysroot at the same path)
# W=1 and C=1 (sparse) pass through to kbuild.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

driver=$PVD_TOP/drivers/gpu/drm/pvdisplay
[ -f "$driver/Makefile" ] || pvd_die "no $driver/Makefile: the driver sources are missing"

sysroot=$("$here/sysroot.sh")
# The module must match the kernel the guests boot: with PVD_DEBUG_KERNEL=1
# that is debug-kernel.sh's.
if [ "${PVD_DEBUG_KERNEL:-}" = 1 ] && [ -z "${KDIR:-}" ]; then
	KDIR=$("$here/debug-kernel.sh" --tree)
fi
if [ -n "${KDIR:-}" ]; then
	[ -f "$KDIR/Makefile" ] || pvd_die "KDIR=$KDIR is not a kernel tree (no Makefile)"
	kdir=$(realpath "$KDIR")
	PVD_EXTRA_BINDS="${PVD_EXTRA_BINDS:-} $kdir"
	export PVD_EXTRA_BINDS
else
	kdir=/usr/src/linux-headers-$(cat "$sysroot/.kernel-release")
fi

kbuild_vars=()
[ -n "${W:-}" ] && kbuild_vars+=("W=$W")
[ -n "${C:-}" ] && kbuild_vars+=("C=$C")
log=$PVD_LOGS/module-build.log
# kbuild writes into the driver directory: two builds there at once (two
# runs of make in one checkout) interleave and can leave a broken module
# (one seen without .return_sites, which the guest refused).  One at a time
# per checkout; the lock is released when this script exits.
pvd_lock "module-build-$(pvd_hash "-$driver")"
if ! pvd_step "build pvdisplay.ko against $kdir" "$log" \
	"$here/in-sysroot.sh" -- make -C "$kdir" M="$driver" -j "$PVD_JOBS" \
	"${kbuild_vars[@]}" modules; then
	# Never leave an old module behind to be tested as if it were new.
	rm -f "$driver/pvdisplay.ko"
	exit 1
fi
[ -f "$driver/pvdisplay.ko" ] || pvd_die "kbuild succeeded but made no pvdisplay.ko; log: $log"
echo "$driver/pvdisplay.ko"
