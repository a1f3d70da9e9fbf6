#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# summary.sh FILE.tap...: add up TAP results and print the one line
#   N passed, N failed, N skipped
# A file without a plan ("1..N") or with fewer results than its plan means a
# tier that died half way: that counts as a failure.  "not ok ... # TODO"
# (a known failure) counts as skipped.  Exits 1 if anything failed.
set -euo pipefail
awk '
function flush() {
	if (file == "") return
	if (!planned || results != plan) {
		failed++
		printf "%s: incomplete TAP (%d results, plan %s): the tier did not finish\n",
			file, results, planned ? plan : "missing" > "/dev/stderr"
	}
}
FNR == 1 { flush(); file = FILENAME; planned = 0; plan = 0; results = 0 }
/^1\.\.[0-9]+/ { planned = 1; split($1, p, /\.\./); plan = p[2] + 0 }
/^ok[ \t]/ || /^ok$/ {
	results++
	if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) skipped++; else passed++
}
/^not ok/ {
	results++
	if ($0 ~ /#[ \t]*[Tt][Oo][Dd][Oo]/) skipped++; else failed++
}
END {
	flush()
	printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
	exit failed > 0
}' "$@"
