#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench [BENCH=full|smoke] [BENCH_WORKLOADS=flip,...]: build what the guests need (pvdisplay.ko,
# the guest programs, QEMU, the guest image), then run bench/bench.py:
# the same workloads on pvdisplay, virtio-gpu and bochs-display, one table.
# Results go to $PVD_RESULTS/bench/ (results.json, summary.md, plot.svg).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../env/common.sh
. "$here/../env/common.sh"
env=$PVD_TOP/scripts/env
export PVD_RESULTS=${PVD_RESULTS:-$PVD_TOP/results}
mkdir -p "$PVD_RESULTS"

PVD_MODULE=$("$env/build-module.sh") ||
	pvd_die "building pvdisplay.ko failed; log: $PVD_LOGS/module-build.log"
PVD_GUEST_BIN=$("$env/build-guest-progs.sh") ||
	pvd_die "building the guest programs failed; log: $PVD_LOGS/guest-progs-build.log"
export PVD_MODULE PVD_GUEST_BIN
"$env/qemu.sh" >/dev/null || pvd_die "building QEMU failed (see the step named above)"
"$env/guest-image.sh" >/dev/null || pvd_die "building the guest image failed"
exec "$env/vm-env.sh" -- python3 "$PVD_TOP/bench/bench.py" \
	--profile "${BENCH:-full}" --out "$PVD_RESULTS/bench" --repeat "${BENCH_REPEAT:-1}" \
	${BENCH_DEVICES:+--devices "$BENCH_DEVICES"} \
	${BENCH_WORKLOADS:+--workloads "$BENCH_WORKLOADS"}
