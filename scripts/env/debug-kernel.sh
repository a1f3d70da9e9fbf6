#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build (once) a guest kernel that reports: lockdep, KASAN, KFENCE,
# sleeping in atomic context, list/object debugging, SW_SYNC and DRM's
# modeset-lock checks.  Source: Debian's linux-source package of exactly the
# version the sysroot's guest kernel has; configuration: that kernel's own,
# trimmed to the modules a pvdisplay guest uses (debug-kernel.modules, built
# in, since the guest's /lib/modules belong to the distribution kernel), plus
# debug-kernel.config.  Used by `make check-full` (PVD_DEBUG_KERNEL=1).
#
#   debug-kernel.sh          build if needed, print the bzImage path
#   debug-kernel.sh --tree   the same, but print the kernel tree (KDIR for
#                            building pvdisplay.ko against it)
#   debug-kernel.sh --print  print the bzImage path it would have, build nothing
#   debug-kernel.sh --release  print the built kernel's release (uname -r),
#                            or nothing if it is not built yet
#
# A cold build takes long on two cores; it runs under nice and resumes where
# it stopped (the tree is kept between attempts, stamps mark each stage), and
# the result is only used once complete.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

sysroot=$("$here/sysroot.sh")
kver=$(cat "$sysroot/.kernel-release")
major=$(echo "$kver" | cut -d. -f1-2)
pkg=linux-source-$major
in_sysroot() { "$here/in-sysroot.sh" -- "$@"; }
# The exact Debian version of the kernel the sysroot boots: the source must
# be that one, so the debug kernel differs from it only in configuration.
srcver=$(in_sysroot dpkg-query -W -f '${Version}' "linux-image-$kver")
[ -n "$srcver" ] || pvd_die "debug kernel: no linux-image-$kver in the sysroot"

# Not the sysroot's path: a sysroot rebuilt for other reasons (a package
# added) must not cost a kernel build.  What goes into the kernel does.
gccver=$(in_sysroot gcc -dumpfullversion)
key=$(pvd_hash "$here/debug-kernel.sh" "$here/debug-kernel.config" \
	"$here/debug-kernel.modules" "-$pkg=$srcver" "-gcc:$gccver")
dir=$PVD_CACHE/debug-kernel-$key
src=$dir/src
image=$src/arch/x86/boot/bzImage

result() {
	case ${1:-} in
	--tree) echo "$src" ;;
	--release) cat "$dir/.kernel-release" 2>/dev/null || true ;;
	*) echo "$image" ;;
	esac
}
if [ "${1:-}" = --print ] || [ "${1:-}" = --release ] || [ -e "$dir/.complete" ]; then
	result "${1:-}"
	exit 0
fi

pvd_need_root
pvd_lock "debug-kernel-$key"
if [ -e "$dir/.complete" ]; then
	result "${1:-}"
	exit 0
fi
mkdir -p "$dir"
log=$PVD_LOGS/debug-kernel-$key

if [ ! -e "$dir/.extracted" ]; then
	rm -rf "$src" "$dir"/*.deb
	pvd_step "debug kernel: download $pkg $srcver" "$log-download.log" \
		in_sysroot sh -c "cd '$dir' && apt-get ${PVD_APT_OPTS[*]} download '$pkg=$srcver' ||
			{ apt-get ${PVD_APT_OPTS[*]} update &&
			  apt-get ${PVD_APT_OPTS[*]} download '$pkg=$srcver'; }"
	debs=("$dir"/"$pkg"_*.deb)
	[ -s "${debs[0]}" ] || pvd_die "debug kernel: $pkg did not download; log: $log-download.log"
	mkdir -p "$src"
	pvd_step "debug kernel: extract $pkg" "$log-extract.log" \
		in_sysroot sh -c "dpkg-deb --fsys-tarfile '${debs[0]}' |
			tar -xO --wildcards './usr/src/$pkg.tar.*' |
			tar -xJ -C '$src' --strip-components=1"
	rm -f "${debs[@]}"
	touch "$dir/.extracted"
fi

# configure: Debian's configuration, every module not listed dropped, the
# listed ones built in, then the debug options; each option asked for is
# checked afterwards, so a symbol renamed upstream cannot silently go
# missing.
configure() {
	local mods=$dir/lsmod
	{ echo "Module Size Used"; sed -e 's/#.*//' -e '/^[[:space:]]*$/d' \
		-e 's/$/ 0 0/' "$here/debug-kernel.modules"; } >"$mods"
	cp "/boot/config-$kver" "$src/.config"
	cd "$src"
	# yes dies of SIGPIPE when make is done: not an error.
	{ yes '' || true; } | make LSMOD="$mods" localmodconfig
	sed -i 's/=m$/=y/' .config
	scripts/kconfig/merge_config.sh -m .config "$here/debug-kernel.config"
	make olddefconfig
	# The trimmed tristates may only now be allowed as y.
	sed -i 's/=m$/=y/' .config
	make olddefconfig
	local line name want bad=0
	while IFS= read -r line; do
		line=${line%%#*}
		[ -n "$line" ] || continue
		name=${line%%=*}
		want=${line#*=}
		if [ "$want" = n ]; then
			if grep -q "^$name=" .config; then
				echo "debug kernel: $name should be off" >&2
				bad=1
			fi
		elif ! grep -qx "$name=$want" .config; then
			echo "debug kernel: $name=$want did not stick ($(grep "^$name=" .config || echo unset))" >&2
			bad=1
		fi
	done <"$here/debug-kernel.config"
	return "$bad"
}
if [ ! -e "$dir/.configured" ]; then
	# shellcheck disable=SC2016 # expanded by the inner shell
	pvd_step "debug kernel: configure" "$log-configure.log" \
		in_sysroot bash -c "set -euo pipefail; $(declare -f configure)"'
			dir=$1 src=$2 here=$3 kver=$4; configure' \
		sh "$dir" "$src" "$here" "$kver"
	touch "$dir/.configured"
fi

# bzImage and the few modules left (kbuild needs Module.symvers for
# pvdisplay.ko), under nice: the machine is shared.
pvd_step "debug kernel: build (make -j$PVD_JOBS, nice)" "$log-build.log" \
	in_sysroot nice -n 10 make -C "$src" -j "$PVD_JOBS" all
[ -s "$image" ] || pvd_die "debug kernel: no bzImage after the build; log: $log-build.log"
make_release=$(in_sysroot make -s -C "$src" kernelrelease)
echo "$make_release" >"$dir/.kernel-release"
touch "$dir/.complete"
pvd_log "debug kernel ready: $image ($make_release)"
result "${1:-}"
