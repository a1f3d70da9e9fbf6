#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build our guest test programs (igt-tests/Makefile, against the sysroot's
# libdrm) and print the directory that holds them.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

[ -f "$PVD_TOP/igt-tests/Makefile" ] || pvd_die "no igt-tests/Makefile: the guest test programs are missing"
out=$PVD_TOP/build/igt-tests
pvd_step "build guest test programs (igt-tests/)" "$PVD_LOGS/guest-progs-build.log" \
	"$here/in-sysroot.sh" -- make -C "$PVD_TOP/igt-tests" -j "$PVD_JOBS" O="$out"
echo "$out"
