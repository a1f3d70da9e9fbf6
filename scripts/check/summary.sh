#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# summary.sh TIER.tap...: add up the tiers' TAP and print one line
#   N passed, N failed, N skipped, N known failures (tests); N passed, N failed (checks)
# Exits 1 if anything failed.
#
# Tests and checks are counted apart.  A test is one thing a test file or
# igt ran: a unit test, an integration test function, an igt subtest (a
# dynamic subtest counts on its own, its parent only if it failed outside
# its dynamic subtests).  A check is a line whose name starts with "[check]":
# a build step, a file lint found clean, a guest's kernel log found clean at
# shutdown, a test list found consistent.  "ok ... # SKIP" is a skipped test,
# "not ok ... # TODO" a failure the driver's expectation file lists.
#
# A tier is trusted only if it finished: TIER.tap must exist and end with a
# plan ("1..N", written last) matching its results, and TIER.rc (the exit
# status recorded by run_tier in lib.sh) must exist; a non-zero status fails
# the run even when every TAP line says ok.  Each such problem is one failed
# check, named on stderr.
set -euo pipefail

[ "$#" -gt 0 ] || { echo "summary.sh: no tier to sum up" >&2; exit 1; }
missing=0
present=()
for f in "$@"; do
	if [ -s "$f" ]; then
		present+=("$f")
	else
		echo "$f: missing or empty: the tier did not run or did not finish" >&2
		missing=$((missing + 1))
	fi
done

# awk with no file operand would read stdin.
[ "${#present[@]}" -gt 0 ] || present=(/dev/null)
awk -v missing="$missing" '
function flush() {
	if (file == "" || file == "/dev/null") return
	if (!planned || results != plan) {
		cfailed++
		printf "%s: incomplete TAP (%d results, plan %s): the tier did not finish\n",
			file, results, planned ? plan : "missing" > "/dev/stderr"
	}
	if (status == "missing") {
		cfailed++
		printf "%s: no exit status recorded: the tier did not finish\n", file > "/dev/stderr"
	} else if (status != "0" && failures == 0) {
		cfailed++
		printf "%s: the tier exited %s although its TAP reports no failure\n",
			file, status > "/dev/stderr"
	}
}
FNR == 1 {
	flush()
	file = FILENAME
	rcfile = file
	sub(/\.tap$/, ".rc", rcfile)
	status = "missing"
	if ((getline st < rcfile) > 0) status = st
	close(rcfile)
	planned = 0; plan = 0; results = 0; failures = 0
}
/^1\.\.[0-9]+/ { planned = 1; split($1, p, /\.\./); plan = p[2] + 0 }
/^(not )?ok([ \t]|$)/ {
	results++
	line = $0
	notok = line ~ /^not ok/
	check = line ~ /^(not )?ok[ \t]+[0-9]*[ \t]*-?[ \t]*\[check\]/
	if (check) {
		if (notok) { cfailed++; failures++ } else cpassed++
	} else if (notok) {
		if (line ~ /#[ \t]*[Tt][Oo][Dd][Oo]/) known++; else { failed++; failures++ }
	} else if (line ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) skipped++
	else passed++
}
END {
	flush()
	cfailed += missing
	printf "%d passed, %d failed, %d skipped, %d known failures (tests); %d passed, %d failed (checks)\n",
		passed, failed, skipped, known, cpassed, cfailed
	exit (failed + cfailed) > 0
}' "${present[@]}"
