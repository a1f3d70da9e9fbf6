#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Tier "unit": host-side unit tests of the driver's and the device's pure
# code.  Each directory below with a Makefile is run as `make -C DIR check`
# inside the sysroot; it prints TAP, which is renumbered into unit.tap with
# the directory as a name prefix.  A directory whose make fails, or that
# prints no TAP, counts as a failure.
. "$(dirname "$0")/lib.sh"

UNIT_DIRS=(drivers/gpu/drm/pvdisplay/tests qemu-device/tests tests/harness/unit)

tap_begin unit
for dir in "${UNIT_DIRS[@]}"; do
	if [ ! -f "$PVD_TOP/$dir/Makefile" ]; then
		tap_result fail "$dir: no Makefile"
		continue
	fi
	log=$PVD_RESULTS/logs/unit-${dir//\//_}.log
	rc=0
	"$PVD_TOP/scripts/env/in-sysroot.sh" -- make -C "$PVD_TOP/$dir" check >"$log" 2>&1 || rc=$?
	results=0
	fails=0
	while IFS= read -r line; do
		case $line in
		"not ok"*)
			tap_result fail "$dir: $(sed -E 's/^not ok[[:space:]]*[0-9]*[[:space:]]*-?[[:space:]]*//' <<<"$line")"
			results=$((results + 1)) fails=$((fails + 1)) ;;
		"ok"*"# SKIP"* | "ok"*"# skip"*)
			name=$(sed -E 's/^ok[[:space:]]*[0-9]*[[:space:]]*-?[[:space:]]*//; s/[[:space:]]*#[[:space:]]*(SKIP|skip)[[:space:]]*/\t/' <<<"$line")
			tap_skip "$dir: ${name%%$'\t'*}" "${name#*$'\t'}"
			results=$((results + 1)) ;;
		"ok"*)
			tap_result ok "$dir: $(sed -E 's/^ok[[:space:]]*[0-9]*[[:space:]]*-?[[:space:]]*//' <<<"$line")"
			results=$((results + 1)) ;;
		esac
	done < <(grep -E '^(not )?ok\b' "$log" || true)
	if [ "$results" = 0 ]; then
		tap_result fail "$dir: make check printed no TAP results (exit $rc)"
		tap_diag "log: $log" "$(tail -n 20 "$log")"
	elif [ "$rc" != 0 ] && [ "$fails" = 0 ]; then
		tap_result fail "$dir: make check exited $rc"
		tap_diag "log: $log" "$(tail -n 20 "$log")"
	elif [ "$fails" != 0 ]; then
		tap_diag "$dir: log: $log"
	fi
done
tap_end
tap_status
