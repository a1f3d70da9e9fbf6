#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Tier "integration": host-driven end-to-end tests, tests/integration/test_*.py,
# run by the harness (tests/harness) inside the sysroot.  PVD_FILTER selects
# tests whose "file::function" contains it.
. "$(dirname "$0")/lib.sh"
exec "$PVD_TOP/scripts/env/vm-env.sh" -- python3 "$PVD_TOP/tests/harness/run.py" \
	--tap "$PVD_RESULTS/integration.tap" --filter "${PVD_FILTER:-}" \
	"$PVD_TOP/tests/integration"
