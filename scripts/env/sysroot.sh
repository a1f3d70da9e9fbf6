#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build (once) the Debian trixie sysroot that every other step runs in: the
# compiler, kbuild, the guest kernel with its headers (trixie-backports), QEMU's
# build dependencies, firmware and virtiofsd.  Prints the sysroot's path.
#
#   sysroot.sh           build if missing, print the path
#   sysroot.sh --print   print the path it would have, build nothing

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
# shellcheck source=debian-tree.sh
. "$here/debian-tree.sh"

key=$(pvd_hash "$here/sysroot.sh" "$here/debian-tree.sh" "$here/sysroot.packages" \
	"$here/sysroot-backports.packages" "-$PVD_SUITE" "-$PVD_MIRROR")
dir=$PVD_CACHE/sysroot-$key

if [ "${1:-}" = --print ] || [ -e "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

pvd_need_root
pvd_host_tool debootstrap debootstrap
pvd_host_tool unshare util-linux
pvd_lock "sysroot-$key"
if [ -e "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

tmp=$dir.tmp
rm -rf "$tmp"
log=$PVD_LOGS/sysroot-debootstrap.log
pvd_step "sysroot: debootstrap $PVD_SUITE" "$log" \
	debootstrap --variant=minbase "$PVD_SUITE" "$tmp" "$PVD_MIRROR"

cat >"$tmp/etc/apt/sources.list" <<EOF
deb $PVD_MIRROR $PVD_SUITE main
deb-src $PVD_MIRROR $PVD_SUITE main
deb $PVD_MIRROR $PVD_SUITE-updates main
deb $PVD_MIRROR $PVD_SUITE-backports main
EOF
pvd_tree_nodoc "$tmp"

in_root() { "$here/in-sysroot.sh" --root "$tmp" -- "$@"; }
apt_opts="${PVD_APT_OPTS[*]}"

pvd_step "sysroot: apt-get update" "$PVD_LOGS/sysroot-update.log" \
	in_root sh -c "apt-get $apt_opts update"
pvd_step "sysroot: install build packages" "$PVD_LOGS/sysroot-packages.log" \
	in_root sh -c "apt-get $apt_opts install -y $(pvd_pkgs "$here/sysroot.packages")"
# The pinned kernel must still be in the registry: say which one it has
# instead, so that moving to it is a deliberate edit of the package list.
for spec in $(pvd_pkgs "$here/sysroot-backports.packages"); do
	pkg=${spec%%=*} want=${spec#*=}
	[ "$pkg" = "$spec" ] && continue
	if ! in_root apt-cache madison "$pkg" | awk -v v="$want" '$3 == v { f = 1 } END { exit !f }'; then
		have=$(in_root apt-cache madison "${pkg%%-[0-9]*}-amd64" 2>/dev/null |
			awk -v s="$PVD_SUITE-backports" '$0 ~ s { print $3; exit }')
		pvd_die "$pkg=$want (scripts/env/sysroot-backports.packages) is not in the registry any more; $PVD_SUITE-backports has ${have:-no such kernel} (see its linux-image-amd64): update the pin deliberately"
	fi
done
pvd_step "sysroot: install kernel from $PVD_SUITE-backports" "$PVD_LOGS/sysroot-kernel.log" \
	in_root sh -c "apt-get $apt_opts install -y -t $PVD_SUITE-backports \
		$(pvd_pkgs "$here/sysroot-backports.packages")"
in_root apt-get clean

# The kernel release every later step builds for and boots.
kver=$(cd "$tmp/lib/modules" && ls -1 | sort -V | tail -n 1)
[ -n "$kver" ] && [ -e "$tmp/boot/vmlinuz-$kver" ] ||
	pvd_die "sysroot has no kernel image; see $PVD_LOGS/sysroot-kernel.log"
echo "$kver" >"$tmp/.kernel-release"
in_root dpkg-query -W -f='${Version}\n' "linux-image-$kver" >"$tmp/.kernel-version"

mv "$tmp" "$dir"
touch "$dir/.complete"
pvd_log "sysroot ready: $dir (kernel $kver)"
echo "$dir"
