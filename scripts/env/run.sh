#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make run: build what is missing (pvdisplay.ko, our guest programs, QEMU,
# the guest image), then boot a guest for a human
# (tests/harness/run_vm.py): serial console on this terminal, GTK window when
# $DISPLAY is set, else VNC on 127.0.0.1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
PVD_MODULE=$("$here/build-module.sh")
PVD_GUEST_BIN=$("$here/build-guest-progs.sh")
export PVD_MODULE PVD_GUEST_BIN
exec "$here/vm-env.sh" -- python3 "$PVD_TOP/tests/harness/run_vm.py"
