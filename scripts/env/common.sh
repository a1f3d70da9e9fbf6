# SPDX-License-Identifier: MIT
# Shared helpers for the environment scripts. Sourced, never executed.
#
# Every cached artefact (sysroot, QEMU build, guest image) lives under
# $PVD_CACHE in a directory named after a hash of its inputs, so a change to
# an input builds a fresh artefact beside the old one and an unchanged input
# reuses what is there.  A directory is only considered complete once its
# ".complete" stamp exists; an interrupted build is removed and redone.

set -euo pipefail

PVD_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PVD_CACHE=${PVD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pvdisplay}
PVD_LOGS=${PVD_LOGS:-$PVD_CACHE/logs}
PVD_MIRROR=${PVD_MIRROR:-http://deb.debian.org/debian}
PVD_SUITE=${PVD_SUITE:-trixie}
PVD_JOBS=${PVD_JOBS:-$(nproc)}

# apt options used for every call that may read unstable: its Release file is
# expired on the registry we are limited to.
PVD_APT_OPTS=(-o Acquire::Check-Valid-Until=false -o APT::Install-Recommends=false
	      -o Acquire::Retries=5 -o Dpkg::Use-Pty=0)

mkdir -p "$PVD_CACHE" "$PVD_LOGS"

pvd_log() { printf '[pvdisplay] %s\n' "$*" >&2; }
pvd_die() { printf '[pvdisplay] error: %s\n' "$*" >&2; exit 1; }

# pvd_hash FILE|DIR|-STRING...: stable short hash of files, trees and strings.
pvd_hash() {
	local arg
	for arg in "$@"; do
		if [ -d "$arg" ]; then
			# Files git would consider part of the tree (tracked, or new and
			# not ignored), so build outputs there do not change the hash.
			(cd "$arg" && { git ls-files -z --cached --others --exclude-standard . \
					2>/dev/null ||
				find . -type f ! -name '*.o' -printf '%P\0'; } |
			 LC_ALL=C sort -zu |
			 while IFS= read -r -d '' f; do
				[ -f "$f" ] && sha256sum -- "$f"
			 done; true)
		elif [ -f "$arg" ]; then
			printf '%s\n' "$(basename "$arg")"
			sha256sum <"$arg"
		else
			printf '%s\n' "$arg"
		fi
	done | sha256sum | cut -c1-16
}

# pvd_step NAME LOGFILE CMD...: run one build step with its output in LOGFILE;
# on failure say which step failed and where its log is, and show its tail.
pvd_step() {
	local name=$1 log=$2
	shift 2
	pvd_log "$name (log: $log)"
	if ! "$@" >"$log" 2>&1; then
		printf '[pvdisplay] step "%s" FAILED; full log: %s\n' "$name" "$log" >&2
		tail -n 30 "$log" | sed 's/^/    /' >&2
		return 1
	fi
}

# pvd_need_root: the environment builds chroots and mounts; it must be root.
pvd_need_root() {
	[ "$(id -u)" = 0 ] || pvd_die "must run as root (debootstrap, chroot and mounts need it)"
}

# pvd_host_tool CMD PACKAGE: make sure a host command exists, installing the
# Debian package that provides it when the host has apt.
pvd_host_tool() {
	command -v "$1" >/dev/null 2>&1 && return 0
	command -v apt-get >/dev/null 2>&1 ||
		pvd_die "'$1' is missing and this host has no apt-get: install $2"
	pvd_log "installing host package $2"
	DEBIAN_FRONTEND=noninteractive apt-get "${PVD_APT_OPTS[@]}" install -y "$2" \
		>"$PVD_LOGS/host-$2.log" 2>&1 ||
		{ apt-get update >>"$PVD_LOGS/host-$2.log" 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get "${PVD_APT_OPTS[@]}" install -y "$2" \
		  >>"$PVD_LOGS/host-$2.log" 2>&1; } ||
		pvd_die "installing $2 failed; log: $PVD_LOGS/host-$2.log"
}

# pvd_lock NAME: serialise concurrent builds of the same cache entry.  The
# lock is held until the script exits (a fuzzing run holds its build's for
# the whole run), so say what is being waited for rather than hang silently.
pvd_lock() {
	exec {PVD_LOCK_FD}>"$PVD_CACHE/.$1.lock"
	flock -n "$PVD_LOCK_FD" && return 0
	pvd_log "waiting for $PVD_CACHE/.$1.lock: another build or run holds it"
	flock "$PVD_LOCK_FD"
}

# pvd_qemu_configure NAME RUNNER BUILD SRC LOG FLAG...: configure the QEMU
# build directory BUILD from SRC with FLAGs, once (RUNNER runs a command in
# the sysroot the build uses; NAME is the step's name in the log).  A
# configured BUILD with no build.ninja is set up again in place, keeping its
# objects: ninja runs meson again by itself when a meson file changed
# (every graft touches some), and stopped in the middle, that leaves the
# directory without build.ninja, on which every later ninja fails at once.
pvd_qemu_configure() {
	local name=$1 run=$2 build=$3 src=$4 log=$5
	shift 5
	if [ ! -e "$build/.configured" ]; then
		rm -rf "$build"
		mkdir -p "$build"
		# shellcheck disable=SC2016 # $1 and $@ belong to the inner shell
		pvd_step "$name" "$log" "$run" sh -c 'cd "$1" && shift && exec "$@"' \
			sh "$build" "$src/configure" "$@"
		touch "$build/.configured"
	elif [ ! -e "$build/build.ninja" ]; then
		# shellcheck disable=SC2016 # $1 and $2 belong to the inner shell
		pvd_step "$name: $build has no build.ninja, set it up again" "$log" \
			"$run" sh -c 'cd "$1" && exec pyvenv/bin/meson setup --reconfigure . "$2"' \
			sh "$build" "$src"
	fi
}
