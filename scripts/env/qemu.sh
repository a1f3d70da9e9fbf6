#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build (once) qemu-system-x86_64 from Debian trixie's qemu source with the
# pvdisplay device grafted in, and print the binary's path.  The binary links
# against the sysroot's libraries: run it through in-sysroot.sh.
#
#   qemu.sh            build if needed, print the path of qemu-system-x86_64
#   qemu.sh --datadir  print a directory for QEMU's -L (SeaBIOS, option ROMs,
#                      keymaps), building nothing
#   qemu.sh --source   print the pristine source tree (for its checkpatch.pl),
#                      downloading it if needed, building nothing
#
# QEMU_SRC=/path/to/qemu builds a user's own tree instead (grafted in place,
# built out of tree in the cache).  PVD_QEMU_SLOT=NAME keeps a separate build
# tree for this checkout (see basekey below).
#
# Layout in $PVD_CACHE:
#   qemu-dl/                 Debian source package files (.dsc, .orig, .debian)
#   qemu-src-VERSION/        pristine tree, Debian patches applied (read only)
#   qemu-BASEKEY/src         working copy of it with qemu-device/ grafted in
#   qemu-BASEKEY/build       out-of-tree build, ccache'd
#   qemu-BASEKEY/.built-key  FULLKEY of the graft the build holds
# BASEKEY hashes what forces a fresh configure (source version, configure
# flags, this script); FULLKEY adds qemu-device/ and the protocol header.  A
# device change therefore re-grafts into the same tree and ninja rebuilds only
# what changed instead of starting over.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

# What we use and nothing else: every feature off, then TCG (on by default),
# KVM, vhost-user (virtiofs), GTK, VNC, PNG screendumps, pixman and the D-Bus
# display (cheap: glib's gio and gdbus-codegen are already there for GTK).
# Default devices stay on: they include virtio-serial, vhost-user-fs-pci,
# virtio-gpu-pci and bochs-display.  Firmware comes from Debian's packages.
# gcc by name: /usr/lib/ccache (first in the sysroot's PATH) has a gcc but no
# cc, and configure would otherwise pick cc and bypass ccache.
QEMU_FLAGS=(--cc=gcc --cxx=g++ --host-cc=gcc
	--target-list=x86_64-softmmu --without-default-features
	--enable-kvm --enable-tcg --enable-vhost-user --enable-gtk --enable-vnc
	--enable-png --enable-pixman --enable-gio --enable-dbus-display
	--disable-install-blobs --disable-docs --disable-werror)

# Files -L must provide: SeaBIOS, the option ROMs that direct kernel boot and
# the PC machine load, VGA BIOSes for the display devices we use, keymaps.
SEABIOS_FILES=(bios-256k.bin bios.bin vgabios.bin vgabios-stdvga.bin
	vgabios-virtio.bin vgabios-bochs-display.bin vgabios-ramfb.bin)
QEMU_DATA_FILES=(linuxboot_dma.bin linuxboot.bin kvmvapic.bin multiboot_dma.bin
	pvh.bin keymaps)

sysroot=$("$here/sysroot.sh")
in_sysroot() { "$here/in-sysroot.sh" -- "$@"; }

datadir=$PVD_CACHE/qemu-data-$(pvd_hash "-$sysroot" "-${SEABIOS_FILES[*]}" \
	"-${QEMU_DATA_FILES[*]}")

# make_datadir: copy the firmware out of the sysroot, so the directory is
# usable both inside the sysroot and on the host.
make_datadir() {
	[ -e "$datadir/.complete" ] && return 0
	local f tmp=$datadir.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	for f in "${SEABIOS_FILES[@]}"; do
		cp -L "$sysroot/usr/share/seabios/$f" "$tmp/"
	done
	for f in "${QEMU_DATA_FILES[@]}"; do
		cp -rL "$sysroot/usr/share/qemu/$f" "$tmp/"
	done
	rm -rf "$datadir"
	mv "$tmp" "$datadir"
	touch "$datadir/.complete"
}

if [ "${1:-}" = --datadir ]; then
	make_datadir
	echo "$datadir"
	exit 0
fi

pvd_need_root

# Source: the user's tree, or Debian's source package (version decided by the
# sysroot's apt lists, so the key is stable until the sysroot changes).
if [ -n "${QEMU_SRC:-}" ]; then
	QEMU_SRC=$(cd "$QEMU_SRC" && pwd)
	[ -x "$QEMU_SRC/configure" ] || pvd_die "QEMU_SRC=$QEMU_SRC has no configure script"
	srcid=user:$QEMU_SRC
	# The tree must be visible inside the sysroot, where graft and build run.
	PVD_EXTRA_BINDS="${PVD_EXTRA_BINDS:-} $QEMU_SRC"
	export PVD_EXTRA_BINDS
else
	dsc=$(in_sysroot apt-get source --print-uris -t "$PVD_SUITE" qemu |
		awk '$2 ~ /\.dsc$/ { print $2 }')
	[ -n "$dsc" ] || pvd_die "apt in the sysroot knows no qemu source for $PVD_SUITE"
	version=${dsc#qemu_}
	version=${version%.dsc}
	srcid=debian:$version
fi

# PVD_QEMU_SLOT=NAME gives a checkout a build tree of its own: several
# checkouts with different qemu-device/ trees (git worktrees developed side by
# side) would otherwise re-graft one shared tree under each other's guests.
basekey=$(pvd_hash "-$srcid" "-${QEMU_FLAGS[*]}" "$here/qemu.sh" "-$sysroot" \
	"-slot:${PVD_QEMU_SLOT:-}")
fullkey=$(pvd_hash "-$basekey" "$PVD_TOP/qemu-device" \
	"$PVD_TOP/include/uapi/drm/pvdisplay.h")
tree=$PVD_CACHE/qemu-$basekey
build=$tree/build
binary=$build/qemu-system-x86_64

if [ "${1:-}" != --source ] && [ -x "$binary" ] &&
	[ "$(cat "$tree/.built-key" 2>/dev/null)" = "$fullkey" ] && [ -z "${QEMU_SRC:-}" ]; then
	touch "$tree/.built-key"	# last use, for prune_trees
	echo "$binary"
	exit 0
fi

mkdir -p "$tree"
pvd_lock "qemu-$basekey"
log=$PVD_LOGS/qemu-$basekey

# fetch_debian_source: download the source package and unpack it with
# dpkg-source, which checks every file against the .dsc and applies Debian's
# patches (the dfsg tarball needs them).
fetch_debian_source() {
	local pristine=$1 dl=$PVD_CACHE/qemu-dl apt="apt-get ${PVD_APT_OPTS[*]}" orig
	[ -e "$pristine/.complete" ] && return 0
	mkdir -p "$dl"
	# A point release may have replaced the version the sysroot's lists
	# name: refresh the lists once before giving up.
	pvd_step "qemu: download source $version" "$log-download.log" \
		in_sysroot sh -c "cd '$dl' && { $apt source --download-only -t $PVD_SUITE qemu ||
			{ $apt update && $apt source --download-only -t $PVD_SUITE qemu; }; }"
	[ -s "$dl/$dsc" ] ||
		pvd_die "qemu: $dsc did not arrive (the registry has a newer qemu now?); run again; log: $log-download.log"
	orig=("$dl"/qemu_"${version%-*}".orig.tar.*)
	[ -s "${orig[0]}" ] ||
		pvd_die "qemu: no .orig tarball for $version arrived in $dl; log: $log-download.log"
	rm -rf "$pristine.tmp"
	pvd_step "qemu: unpack source $version" "$log-unpack.log" \
		in_sysroot dpkg-source --no-copy -x "$dl/$dsc" "$pristine.tmp"
	mv "$pristine.tmp" "$pristine"
	touch "$pristine/.complete"
}

# prepare_tree SRC PRISTINE: make SRC a copy of PRISTINE again.  The first
# time it is a full copy; later only the files a previous graft added or
# changed (newer than the stamp) are put back, with a fresh mtime so that
# ninja and meson notice.
prepare_tree() {
	local src=$1 pristine=$2 f
	if [ ! -e "$src/.pvd-pristine" ]; then
		rm -rf "$src" "$build"
		cp -a "$pristine" "$src.tmp"
		touch "$src.tmp/.pvd-pristine"
		mv "$src.tmp" "$src"
		return 0
	fi
	(cd "$src" && find . -type f -newer .pvd-pristine -print0) |
	while IFS= read -r -d '' f; do
		if [ -f "$pristine/$f" ]; then
			cp "$pristine/$f" "$src/$f"
		else
			rm -f "$src/$f"
		fi
	done
}

if [ "${1:-}" = --source ]; then
	if [ -n "${QEMU_SRC:-}" ]; then
		echo "$QEMU_SRC"
	else
		fetch_debian_source "$PVD_CACHE/qemu-src-$version"
		echo "$PVD_CACHE/qemu-src-$version"
	fi
	exit 0
fi

if [ -n "${QEMU_SRC:-}" ]; then
	src=$QEMU_SRC
else
	pristine=$PVD_CACHE/qemu-src-$version
	src=$tree/src
	fetch_debian_source "$pristine"
	prepare_tree "$src" "$pristine"
	rm -f "$tree/.built-key"
fi

# Graft only when the device changed: a graft touches meson files, which
# makes the next ninja run meson again.
if [ "$(cat "$tree/.built-key" 2>/dev/null)" != "$fullkey" ]; then
	pvd_step "qemu: graft qemu-device/ into $src" "$log-graft.log" \
		in_sysroot bash "$PVD_TOP/qemu-device/graft.sh" "$src"
fi

pvd_qemu_configure "qemu: configure" in_sysroot "$build" "$src" "$log-configure.log" \
	"${QEMU_FLAGS[@]}"

# Meson names sources relative to the build directory; with the cache as base
# directory and the working directory left out of the hash, a new tree (new
# BASEKEY) still hits ccache for everything that did not change.
pvd_step "qemu: build qemu-system-x86_64 (ninja -j$PVD_JOBS)" "$log-build.log" \
	in_sysroot env CCACHE_BASEDIR="$PVD_CACHE" CCACHE_NOHASHDIR=1 \
	ninja -C "$build" -j "$PVD_JOBS" qemu-system-x86_64
[ -x "$binary" ] || pvd_die "qemu: build finished without $binary; log: $log-build.log"
make_datadir
echo "$fullkey" >"$tree/.built-key"

# prune_trees: remove the trees of other keys (an older qemu.sh, other
# flags) unused for two days: 0.7 GB each, and ccache makes a rebuild take
# about a minute.  A tree some build holds the lock of is left alone.
prune_trees() {
	local t key fd
	for t in "$PVD_CACHE"/qemu-*/.built-key; do
		[ -e "$t" ] || continue
		t=${t%/.built-key}
		key=${t##*/qemu-}
		[ "$t" = "$tree" ] && continue
		[ -n "$(find "$t/.built-key" -mmin +2880)" ] || continue
		exec {fd}>"$PVD_CACHE/.qemu-$key.lock"
		if flock -n "$fd"; then
			pvd_log "qemu: removing unused build tree $t"
			rm -rf "$t"
		fi
		exec {fd}>&-
	done
}
prune_trees
echo "$binary"
