#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make run: build what is missing (pvdisplay.ko if the driver exists, our
# guest programs, QEMU, the guest image), then boot a guest for a human
# (tests/harness/run_vm.py): serial console on this terminal, GTK window when
# $DISPLAY is set, else VNC on 127.0.0.1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
ko=$("$here/build-module.sh")
[ -n "$ko" ] && export PVD_MODULE=$ko
bin=$("$here/build-guest-progs.sh")
[ -n "$bin" ] && export PVD_GUEST_BIN=$bin
exec "$here/vm-env.sh" -- python3 "$PVD_TOP/tests/harness/run_vm.py"
