# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Helpers for the test tiers: each tier writes TAP (ok / not ok / # SKIP) to
# $PVD_RESULTS/<tier>.tap and echoes it.  Sourced, never executed.

set -euo pipefail
PVD_CHECK=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../env/common.sh
. "$PVD_CHECK/../env/common.sh"
export PVD_RESULTS=${PVD_RESULTS:-$PVD_TOP/results}
mkdir -p "$PVD_RESULTS/logs"

# tap_begin TIER: start $PVD_RESULTS/TIER.tap.
tap_begin() {
	TAP_FILE=$PVD_RESULTS/$1.tap
	TAP_N=0
	echo "TAP version 13" >"$TAP_FILE"
	echo "TAP version 13"
}

_tap() { echo "$*" | tee -a "$TAP_FILE"; }

# tap_result ok|fail NAME: one test result.
tap_result() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" = ok ]; then _tap "ok $TAP_N - $2"; else _tap "not ok $TAP_N - $2"; fi
}

# tap_check ok|fail NAME: one check that is not a test (a build step, a file
# lint is clean): summary.sh counts these apart from tests.
tap_check() { tap_result "$1" "[check] $2"; }

# tap_skip NAME REASON
tap_skip() {
	TAP_N=$((TAP_N + 1))
	_tap "ok $TAP_N - $1 # SKIP $2"
}

# tap_diag TEXT...: diagnostics, one "# " line per input line.
tap_diag() { printf '%s\n' "$@" | sed 's/^/# /' | tee -a "$TAP_FILE"; }

tap_end() { _tap "1..$TAP_N"; }

# tap_status: the tier's exit status, 1 if its TAP holds a failure.
tap_status() {
	awk '/^not ok/ && !/#[ \t]*TODO/ { bad = 1 } END { exit bad }' "$TAP_FILE"
}

# run_tier NAME CMD...: run one tier, whose CMD writes $PVD_RESULTS/NAME.tap
# (plan last, only once it completed), and record how CMD ended in
# $PVD_RESULTS/NAME.rc for summary.sh: a tier that exits non-zero or dies
# fails the run whatever its TAP says.  A tier that left no TAP at all gets a
# failing one, so that it shows up by name.
run_tier() {
	local name=$1 rc=0
	shift
	rm -f "$PVD_RESULTS/$name.tap" "$PVD_RESULTS/$name.rc"
	"$@" || rc=$?
	echo "$rc" >"$PVD_RESULTS/$name.rc"
	if [ ! -s "$PVD_RESULTS/$name.tap" ]; then
		tap_begin "$name"
		tap_result fail "$name: the tier exited $rc before reporting anything"
		tap_end
	fi
	return 0
}
