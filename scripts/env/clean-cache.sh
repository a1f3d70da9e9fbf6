#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Remove $PVD_CACHE (sysroot, QEMU source and builds, guest image, ccache,
# lint tools, build logs).  Every chroot the scripts make lives in a private
# mount namespace, so nothing should be mounted there; refuse if something is.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
if awk -v d="$PVD_CACHE" 'index($5, d) == 1 { found = 1 } END { exit !found }' \
	/proc/self/mountinfo; then
	pvd_die "something is mounted under $PVD_CACHE; unmount it first"
fi
pvd_log "removing $PVD_CACHE ($(du -sh "$PVD_CACHE" 2>/dev/null | cut -f1))"
rm -rf "$PVD_CACHE"
