#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fuzz the whole pvdisplay device with QEMU's generic-fuzz (qtest): the
# fuzzer writes the virtio-pci registers, the virtqueues and guest memory
# directly, so every path of the device (queue processing, resources, heads,
# budget, mapping, copying, reset) is reachable, not just the decoder.
#
#   fuzz.sh build          build (once) qemu-fuzz-x86_64, print its path
#   fuzz.sh run [SECONDS]  fuzz for SECONDS (default 600), keep the corpus
#                          and any crash input, report executions and the
#                          device's coverage
#   fuzz.sh coverage       run every corpus input once in a second build,
#                          instrumented for clang's source-based coverage,
#                          and report the device's lines, regions and
#                          branches that the corpus reaches
#
# FUZZ_JOBS=N (default 1) runs N fuzzers side by side on the same corpus
# (libFuzzer's -jobs/-workers), one per core: N times the executions in
# the same time on an idle machine.
#
# The configuration is "virtio-pvdisplay" in generic-fuzz's list
# (qemu-device/tests/fuzz/generic-fuzz-config.inc, grafted by graft.sh).
# The build uses clang with libFuzzer, ASan and UBSan, in a copy of the
# sysroot with clang added, in its own tree; both are cached by a hash of
# their inputs like the regular QEMU build (scripts/env/qemu.sh), and a
# qemu-device/ change re-grafts and rebuilds incrementally.
#
# Where things go (PVD_FUZZ_DIR, default $PVD_RESULTS/fuzz):
#   corpus/     the corpus, seeded from qemu-device/tests/fuzz/seeds and
#               kept between runs
#   crashes/    inputs that crashed, leaked or tripped a sanitizer
#   fuzz.log    libFuzzer's output (with FUZZ_JOBS=N: fuzz-0.log ... for
#               each fuzzer); coverage.txt the device's coverage

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

FUZZ_PACKAGES="clang libclang-rt-dev llvm"
# Both builds of qemu-fuzz-x86_64 configure QEMU with these around their
# own flags (the order is part of each build's cache key).
QEMU_FLAGS_HEAD=(--cc=clang --cxx=clang++ --host-cc=clang
	--target-list=x86_64-softmmu --without-default-features
	--enable-tcg --enable-pixman --enable-fuzzing)
QEMU_FLAGS_TAIL=(--disable-install-blobs --disable-docs --disable-werror)
FUZZ_FLAGS=("${QEMU_FLAGS_HEAD[@]}" --enable-asan --enable-ubsan "${QEMU_FLAGS_TAIL[@]}")
# The coverage build: the same QEMU, target and libFuzzer, no sanitizers
# (their checks are branches only a bug takes, and -print_coverage counts
# them as edges), clang's profile instrumentation instead; QEMU's fuzzing
# guide (docs/devel/testing/fuzzing.rst) configures it the same way.
COVERAGE_FLAGS=("${QEMU_FLAGS_HEAD[@]}"
	"--extra-cflags=-fprofile-instr-generate -fcoverage-mapping"
	"--extra-ldflags=-fprofile-instr-generate" "${QEMU_FLAGS_TAIL[@]}")
TARGET=generic-fuzz-virtio-pvdisplay
# What the fuzzing run and the replay of an input both run with.  Leaks:
# LeakSanitizer's check at exit reports every block no longer referenced,
# whichever input lost it.  libFuzzer's own check after each input is off
# while fuzzing (-detect_leaks=0 below): it scans the whole heap after any
# input whose mallocs and frees do not balance, which QEMU's deferred (RCU)
# frees make nearly every input, and that scan was 70% of the fuzzer's time
# (perf, 2026-12-04: 78 exec/s with it, 257 without, same load).  When the
# check at exit finds a leak, the corpus is replayed with libFuzzer's check
# on, to name the input that leaks (leak_replay).
SANITIZERS=(ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1)
TIMEOUT=30

pvd_need_root
sysroot=$("$here/sysroot.sh")

# fuzz_root: the sysroot plus clang, copied once (the sysroot itself stays
# as every other step expects it).
rkey=$(pvd_hash "-$sysroot" "-$FUZZ_PACKAGES")
root=$PVD_CACHE/fuzz-sysroot-$rkey
in_root() { "$here/in-sysroot.sh" --root "$root" -- "$@"; }
make_root() {
	[ -e "$root/.complete" ] && return 0
	pvd_lock "fuzz-sysroot-$rkey"
	[ -e "$root/.complete" ] && return 0
	rm -rf "$root.tmp"
	cp -a --reflink=auto "$sysroot" "$root.tmp"
	pvd_step "fuzz: install $FUZZ_PACKAGES" "$PVD_LOGS/fuzz-sysroot-$rkey.log" \
		"$here/in-sysroot.sh" --root "$root.tmp" -- sh -c \
		"apt-get ${PVD_APT_OPTS[*]} install -y $FUZZ_PACKAGES ||
		 { apt-get ${PVD_APT_OPTS[*]} update &&
		   apt-get ${PVD_APT_OPTS[*]} install -y $FUZZ_PACKAGES; }"
	in_root_tmp() { "$here/in-sysroot.sh" --root "$root.tmp" -- "$@"; }
	in_root_tmp apt-get clean
	mv "$root.tmp" "$root"
	touch "$root/.complete"
}

# build_tree KIND WHAT FLAG...: build (once) qemu-fuzz-x86_64 configured
# with FLAGs in $PVD_CACHE/qemu-KIND-<hash>; sets binary and src.
build_tree() {
	local kind=$1 what=$2 pristine key fullkey tree bld log f
	shift 2
	make_root
	pristine=$("$here/qemu.sh" --source)
	# What goes into the binary: compiler, source, flags.  Not the root's
	# path (a sysroot rebuilt for an unrelated package must not cost a
	# build from scratch; changed libraries are seen by ninja, dpkg keeps
	# their timestamps) and not this script (the build directory holds
	# absolute paths, so a new key means a cold build of an hour or more).
	clangver=$(in_root clang --version | head -n 1)
	key=$(pvd_hash "-$clangver" "-$pristine" "-$*")
	fullkey=$(pvd_hash "-$key" "$PVD_TOP/qemu-device" \
		"$PVD_TOP/include/uapi/drm/pvdisplay.h")
	tree=$PVD_CACHE/qemu-$kind-$key
	src=$tree/src
	bld=$tree/build
	binary=$bld/qemu-fuzz-x86_64
	if [ -x "$binary" ] && [ "$(cat "$tree/.built-key" 2>/dev/null)" = "$fullkey" ]; then
		return 0
	fi
	mkdir -p "$tree"
	pvd_lock "qemu-$kind-$key"
	log=$PVD_LOGS/qemu-$kind-$key
	# A fresh copy of the pristine tree, or only the files an earlier
	# graft touched put back (so ninja rebuilds only what changed).
	if [ ! -e "$src/.pvd-pristine" ]; then
		rm -rf "$src" "$bld"
		cp -a "$pristine" "$src.tmp"
		touch "$src.tmp/.pvd-pristine"
		mv "$src.tmp" "$src"
	else
		(cd "$src" && find . -type f -newer .pvd-pristine -print0) |
		while IFS= read -r -d '' f; do
			if [ -f "$pristine/$f" ]; then cp "$pristine/$f" "$src/$f"; else rm -f "$src/$f"; fi
		done
	fi
	rm -f "$tree/.built-key"
	pvd_step "$kind: graft qemu-device/" "$log-graft.log" \
		in_root bash "$PVD_TOP/qemu-device/graft.sh" "$src"
	pvd_qemu_configure "$kind: configure ($what)" in_root "$bld" "$src" \
		"$log-configure.log" "$@"
	pvd_step "$kind: build qemu-fuzz-x86_64 (nice)" "$log-build.log" \
		in_root nice -n 10 ninja -C "$bld" -j "$PVD_JOBS" qemu-fuzz-x86_64
	[ -x "$binary" ] || pvd_die "$kind: no $binary after the build; log: $log-build.log"
	echo "$fullkey" >"$tree/.built-key"
}

build() {
	build_tree fuzz "clang, libFuzzer, ASan, UBSan" "${FUZZ_FLAGS[@]}"
}

# results_dir: the corpus and crash directory, bound into the fuzz root at
# the same path; Debian's QEMU source has no firmware blobs, so the
# machine's BIOS comes from the same Debian package the regular build
# uses, put where an uninstalled QEMU looks for its data (qemu-bundle/
# next to it).
results_dir() {
	local bundle
	dir=${PVD_FUZZ_DIR:-${PVD_RESULTS:-$PVD_TOP/results}/fuzz}
	mkdir -p "$dir/corpus" "$dir/crashes"
	dir=$(cd "$dir" && pwd)
	bundle=$(dirname "$binary")/qemu-bundle/usr/local/share/qemu
	cp -u "$("$here/qemu.sh" --datadir)"/*.bin "$bundle/"
	PVD_EXTRA_BINDS="${PVD_EXTRA_BINDS:-} $dir"
	export PVD_EXTRA_BINDS
}

run() {
	local seconds=${1:-600} jobs=${FUZZ_JOBS:-1} dir stats execs logs parallel
	[[ $jobs =~ ^[1-9][0-9]*$ ]] || pvd_die "fuzz: FUZZ_JOBS must be a positive number"
	build
	results_dir
	pvd_log "fuzz: $TARGET for $seconds s, $jobs fuzzer(s); corpus $dir/corpus, crashes $dir/crashes"
	rm -f "$dir"/fuzz-*.log
	parallel=()
	[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
	# -print_coverage lists the covered code at exit.
	fuzz_target "$dir" -max_total_time="$seconds" \
		-artifact_prefix=crashes/ -print_final_stats=1 -print_coverage=1 \
		-rss_limit_mb=4096 -timeout="$TIMEOUT" -detect_leaks=0 \
		${parallel[@]+"${parallel[@]}"} \
		corpus "$PVD_TOP/qemu-device/tests/fuzz/seeds" >"$dir/fuzz.log" 2>&1 || true
	logs=("$dir/fuzz.log")
	[ "$jobs" -gt 1 ] && logs=("$dir"/fuzz-*.log)
	stats=$(cat "${logs[@]}" | grep -E '^stat::' || true)
	# Each fuzzer's count from its final statistics; a fuzzer stopped
	# before printing them (killed, or out of time inside an input)
	# counts up to its last progress line ("#N ...").
	execs=$(awk 'FNR == 1 { if (f) n += fin ? fin : last; f = 1; fin = last = 0 }
		     /^#[0-9]+/ { last = substr($1, 2) + 0 }
		     /^stat::number_of_executed_units:/ { fin = $2 + 0 }
		     END { if (f) { n += fin ? fin : last; if (n) print n } }' "${logs[@]}" || true)
	# The device's own files (the source path, not the cache path, which
	# has "pvdisplay" in it too); with several fuzzers, each function's
	# line from the fuzzer that reached most of its edges.
	cat "${logs[@]}" |
		grep -E '^(UN)?COVERED_FUNC: .*/hw/display/(virtio-pvdisplay[a-z-]*|pvdisplay-[a-z]+)\.c:' |
		awk '{ split($5, e, "/"); k = $6 " " $7
		       if (!(k in best)) order[n++] = k
		       if (!(k in best) || e[1] > hit[k]) { best[k] = $0; hit[k] = e[1] } }
		     END { for (i = 0; i < n; i++) print best[order[i]] }' >"$dir/coverage.txt" || true
	echo "executions: ${execs:-?} ($jobs fuzzer(s)), $(sed -n 's/^stat::average_exec_per_sec: *//p' <<<"$stats" |
		awk '{ n += $1 } END { print n }') exec/s"
	echo "final coverage (whole binary, each fuzzer):" "$(for f in "${logs[@]}"; do
		grep -oE 'cov: [0-9]+ ft: [0-9]+' "$f" | tail -n 1; done | paste -sd ';')"
	awk '{ split($5, e, "/"); edges += e[2]; hit += e[1]; n++; if ($1 == "COVERED_FUNC:") c++ }
	     END { printf "device code: %d of %d functions, %d of %d edges (%.1f%%) reached (%s; edges include the UBSan report branches, make fuzz-coverage counts lines)\n",
	           c, n, hit, edges, edges ? 100 * hit / edges : 0, FILENAME }' "$dir/coverage.txt"
	# libFuzzer names what it keeps by kind: crash-, leak-, oom- are
	# failures; slow-unit- only took longer than 10 s (a loaded host).
	# timeout- is wall-clock time: a fuzzer that a loaded host starves of
	# CPU for 30 s times out on an input that takes milliseconds.  Each
	# timeout input runs again alone, and only one that times out again is
	# a stall of the device (an input starts from a reset machine on the
	# qtest clock, so a real stall repeats).
	local f stalls=0 unloaded=0
	for f in "$dir"/crashes/timeout-*; do
		[ -e "$f" ] || continue
		if replay "$dir" "$f" | grep -E '^Executed '; then
			unloaded=$((unloaded + 1))
		else
			stalls=$((stalls + 1))
			echo "$f: times out again when run alone" >&2
		fi
	done
	echo "failing inputs: $(($(find "$dir/crashes" -type f ! -name 'slow-unit-*' \
		! -name 'timeout-*' | wc -l) + stalls))," \
		"timeouts that do not repeat alone (host load): $unloaded," \
		"slow inputs: $(find "$dir/crashes" -type f -name 'slow-unit-*' | wc -l) ($dir/crashes)"
	# Every sanitizer or libFuzzer report except the timeouts judged above.
	# (No "cat logs | grep -q": under pipefail that is false whenever grep
	# stops early and cat dies of SIGPIPE, and the logs are megabytes.)
	local reports
	reports=$(grep -hE 'ERROR: |runtime error:|SUMMARY: ' "${logs[@]}" |
		grep -vE 'libFuzzer: timeout' || true)
	if [ -n "$reports" ]; then
		head -n 5 <<<"$reports" >&2
		if grep -q 'LeakSanitizer' <<<"$reports"; then
			leak_replay "$dir"
		fi
		pvd_die "fuzz: the device crashed or leaked; logs: ${logs[*]}"
	fi
	[ "$stalls" = 0 ] || pvd_die "fuzz: $stalls input(s) stall the device; logs: ${logs[*]}"
	[ -n "$execs" ] || pvd_die "fuzz: libFuzzer reported no statistics; logs: ${logs[*]}"
}

# fuzz_target DIR ARG...: run the fuzz target with libFuzzer's ARGs in DIR
# (bound at the same path inside the fuzz root), with SANITIZERS: the
# fuzzing run and both replays below, so that a replay sees what the run saw.
fuzz_target() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	in_root env "${SANITIZERS[@]}" sh -c 'cd "$1" && shift && exec "$@"' \
		sh "$1" "$binary" --fuzz-target="$TARGET" "${@:2}"
}

# replay DIR INPUT: run one input once, alone, with the fuzzing run's
# TIMEOUT; libFuzzer prints "Executed INPUT in N ms".
replay() {
	fuzz_target "$1" -timeout="$TIMEOUT" "$2" 2>&1
}

# leak_replay DIR: run each corpus input once with libFuzzer's leak check
# after every input; the first that leaks is kept as crashes/leak-*.
leak_replay() {
	pvd_log "fuzz: LeakSanitizer found a leak at exit; replaying the corpus input by input (log: $1/leak-replay.log)"
	fuzz_target "$1" -runs=0 -detect_leaks=1 -artifact_prefix=crashes/ corpus \
		>"$1/leak-replay.log" 2>&1 || true
	ls "$1"/crashes/leak-* 2>/dev/null >&2 ||
		echo "fuzz: no corpus input leaks alone: the leak needs an input the fuzzer did not keep" >&2
}

# coverage: every input of the corpus and the seeds once, in the coverage
# build; writes coverage-source.txt (per file and in total: regions,
# functions, lines and branches reached) and coverage-lines.txt (each line
# of the device with its execution count: what was not reached and why is
# read there).
coverage() {
	local dir files profile
	build_tree fuzz-coverage "clang, libFuzzer, source-based coverage" "${COVERAGE_FLAGS[@]}"
	results_dir
	files=("$src"/hw/display/virtio-pvdisplay*.c "$src"/hw/display/pvdisplay-*.c)
	# Where clang's profile runtime writes by default: the working directory.
	profile=$dir/default.profraw
	rm -f "$profile" "$dir/coverage.profdata"
	# A checkout without a make fuzz has an empty corpus: the seeds alone.
	pvd_log "fuzz: the corpus ($(find "$dir/corpus" -type f | wc -l) inputs) and the seeds once each, coverage build (log: $dir/coverage-replay.log)"
	# -runs=0: run the inputs given, no mutation.  A failing input stops
	# the replay before the profile is written: a crash belongs to make fuzz.
	if ! fuzz_target "$dir" -runs=0 -timeout="$TIMEOUT" corpus \
		"$PVD_TOP/qemu-device/tests/fuzz/seeds" >"$dir/coverage-replay.log" 2>&1 ||
		[ ! -s "$profile" ]; then
		pvd_die "fuzz: the replay failed or wrote no profile; log: $dir/coverage-replay.log"
	fi
	in_root llvm-profdata merge -sparse -o "$dir/coverage.profdata" "$profile"
	in_root llvm-cov report "$binary" -instr-profile="$dir/coverage.profdata" \
		"${files[@]}" >"$dir/coverage-source.txt"
	in_root llvm-cov show "$binary" -instr-profile="$dir/coverage.profdata" \
		"${files[@]}" >"$dir/coverage-lines.txt"
	rm -f "$profile"
	echo "inputs run: $(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$dir/coverage-replay.log")" \
		"(the corpus, the seeds and libFuzzer's empty input)"
	# llvm-cov report's last line: TOTAL, then count, missed and percent
	# for regions, functions, lines and branches.
	awk '$1 == "TOTAL" { printf "device code reached: regions %s, functions %s, lines %d of %d (%s), branches %d of %d (%s) (%s)\n",
		$4, $7, $8 - $9, $8, $10, $11 - $12, $11, $13, FILENAME }' "$dir/coverage-source.txt"
}

case ${1:-} in
build) build; echo "$binary" ;;
run) shift; run "$@" ;;
coverage) coverage ;;
*) pvd_die "usage: fuzz.sh build | run [SECONDS] | coverage" ;;
esac
