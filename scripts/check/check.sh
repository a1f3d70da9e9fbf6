#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check.sh TIER...: build what the tiers need, run each tier (each writes
# $PVD_RESULTS/<tier>.tap), then print the one summary line and exit non-zero
# on any failure.  Tiers: unit lint integration igt.
#
# T=NAME: a tier name runs that tier only; anything else runs, of the tiers
# asked for, only the integration tests ("file::function" containing NAME)
# and igt subtests (igt@binary@subtest containing NAME) that match.
. "$(dirname "$0")/lib.sh"

tiers=("$@")
T=${T:-}
PVD_FILTER=
if [ -n "$T" ]; then
	case " ${tiers[*]} " in
	*" $T "*) tiers=("$T") ;;
	*)
		# Only the tiers with named tests take a filter.
		PVD_FILTER=$T
		filtered=()
		for t in "${tiers[@]}"; do
			case $t in integration | igt) filtered+=("$t") ;; esac
		done
		tiers=("${filtered[@]}") ;;
	esac
fi
export PVD_FILTER

# One run at a time per results directory (several people may share a
# checkout): a second one waits instead of overwriting the first one's TAP.
exec {lock_fd}>"$PVD_RESULTS/.lock"
if ! flock -n "$lock_fd"; then
	pvd_log "another make check is using $PVD_RESULTS; waiting for it"
	flock "$lock_fd"
fi

for t in build filter "${tiers[@]}"; do rm -f "$PVD_RESULTS/$t.tap" "$PVD_RESULTS/$t.rc"; done
# Guest directories describe the last run only (screendumps make them big).
rm -rf "$PVD_RESULTS/vm"
need_vm=0
case " ${tiers[*]} " in *" integration "* | *" igt "*) need_vm=1 ;; esac

# Build step: its results are tests too, so a broken build shows up in the
# summary even when later tiers cannot say why they failed.
env=$PVD_TOP/scripts/env
vm_ok=1
tap_begin build
if ko=$("$env/build-module.sh"); then
	tap_check ok "build pvdisplay.ko"
	export PVD_MODULE=$ko
else
	tap_check fail "build pvdisplay.ko (log: $PVD_LOGS/module-build.log)"
fi
if [ "$need_vm" = 1 ]; then
	if bin=$("$env/build-guest-progs.sh"); then
		tap_check ok "build guest test programs"
		export PVD_GUEST_BIN=$bin
	else
		tap_check fail "build guest test programs (log: $PVD_LOGS/guest-progs-build.log)"
	fi
	for step in qemu guest-image; do
		if "$env/$step.sh" >/dev/null; then
			tap_check ok "build $step"
		else
			tap_check fail "build $step (see the step and log named above)"
			vm_ok=0
		fi
	done
fi
tap_end
grep -q '^not ok' "$PVD_RESULTS/build.tap" && echo 1 >"$PVD_RESULTS/build.rc" ||
	echo 0 >"$PVD_RESULTS/build.rc"

# run_one TIER: run a tier, or fail it by name when its guests cannot boot.
run_one() {
	local tier=$1
	pvd_log "tier $tier"
	case $tier in
	integration | igt)
		if [ "$vm_ok" = 0 ]; then
			tap_begin "$tier"
			tap_result fail "$tier: not run, QEMU or the guest image did not build"
			tap_end
			echo 1 >"$PVD_RESULTS/$tier.rc"
			return 0
		fi ;;
	esac
	run_tier "$tier" "$PVD_CHECK/$tier.sh"
}

# PVD_LANES=2 (make check-full's default): the integration and igt tiers,
# each one guest at a time, run side by side instead of one after the
# other, so check-full takes about as long as its longer tier, not the sum
# of both (on two cores: each guest keeps about one core busy).  Their TAP
# files, results and guest directories are apart already.  Each tier's
# output is then kept in results/logs/<tier>.out and shown with the tier's
# name in front.  The igt tier's frame-timing binaries
# (igt-tests/upstream/frame-timing.txt) wait for the integration lane to end:
# they count 60 Hz frames, which a guest under TCG misses when another guest
# shares the cores.
lanes=()
for tier in "${tiers[@]}"; do
	case $tier in
	integration | igt)
		if [ "${PVD_LANES:-1}" -gt 1 ]; then
			lanes+=("$tier")
			continue
		fi ;;
	esac
	run_one "$tier"
done
if [ "${#lanes[@]}" -gt 0 ]; then
	pids=()
	integration_pid=
	# The integration lane first, so that the igt lane knows its pid.
	for tier in integration igt; do
		case " ${lanes[*]} " in *" $tier "*) ;; *) continue ;; esac
		(if [ "$tier" = igt ] && [ -n "$integration_pid" ]; then
			export PVD_IGT_ALONE_AFTER_PID=$integration_pid
		fi
		run_one "$tier" 2>&1 | tee "$PVD_RESULTS/logs/$tier.out" |
			sed -u "s/^/[$tier] /") &
		pids+=($!)
		if [ "$tier" = integration ]; then integration_pid=$!; fi
	done
	# run_one records how its tier ended (the .rc file); wait only joins.
	for pid in "${pids[@]}"; do wait "$pid" || true; done
fi

files=()
for t in build "${tiers[@]}"; do files+=("$PVD_RESULTS/$t.tap"); done
# (grep reads the files itself: "cat | grep -q" fails under pipefail when
# grep stops early and cat gets SIGPIPE.)
if [ -n "$PVD_FILTER" ] &&
	! grep -qsE '^(not )?ok ' "${files[@]:1}"; then
	# A misspelt T= must not look like a clean run.
	tap_begin filter
	tap_check fail "T=$T matches no tier and no test"
	tap_end
	echo 1 >"$PVD_RESULTS/filter.rc"
	files+=("$PVD_RESULTS/filter.tap")
fi
echo "results: $PVD_RESULTS (TAP per tier, logs/, vm/)"
# What the guests booted: every result above is about this kernel.
sysroot=$("$env/sysroot.sh" --print)
kernel="$(cat "$sysroot/.kernel-release" 2>/dev/null || echo unknown)"
kernel+=" (Debian $(cat "$sysroot/.kernel-version" 2>/dev/null || echo "version unknown"))"
if [ "${PVD_DEBUG_KERNEL:-}" = 1 ]; then
	kernel="$("$env/debug-kernel.sh" --release | grep . || echo unknown), the debug kernel: Debian's source of $kernel"
fi
echo "guest kernel: $kernel"
exec "$PVD_CHECK/summary.sh" "${files[@]}"
