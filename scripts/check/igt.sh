#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Tier "igt": the curated upstream igt list (igt-tests/upstream/) run by
# igt_runner in a guest and compared with the driver's expectation files.
#   PVD_IGT_DRIVER  pvdisplay (default), bochs or virtio-gpu
#   PVD_IGT_LIST    ci (default: make check) or full (make check-full)
#   PVD_FILTER      only tests whose igt@binary@subtest name contains it
. "$(dirname "$0")/lib.sh"
exec "$PVD_TOP/scripts/env/vm-env.sh" -- python3 "$PVD_TOP/tests/harness/igt.py" \
	--driver "${PVD_IGT_DRIVER:-pvdisplay}" --list "${PVD_IGT_LIST:-ci}" \
	--tap "$PVD_RESULTS/igt.tap" --filter "${PVD_FILTER:-}" \
	--json "$PVD_RESULTS/igt-${PVD_IGT_DRIVER:-pvdisplay}-${PVD_IGT_LIST:-ci}.json"
