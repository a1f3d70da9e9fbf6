#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build (once) the guest's root tree and print its path.  The guest boots the
# sysroot's kernel directly and mounts this tree read-only over virtiofs; a
# small init in the tree puts a tmpfs-backed overlay on top (so the cached tree
# stays pristine), mounts the per-run share (virtiofs tag "pvdrun") at /pvd
# and runs /pvd/init from it.  Everything that changes from run to run (the
# real init, the guest agent, pvdisplay.ko, test programs, results) travels in
# that share, so none of it requires rebuilding this tree.
#
#   guest-image.sh           build if missing, print the path
#   guest-image.sh --print   print the path it would have, build nothing

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
# shellcheck source=debian-tree.sh
. "$here/debian-tree.sh"

sysroot=$("$here/sysroot.sh")
kver=$(cat "$sysroot/.kernel-release")
key=$(pvd_hash "$here/guest-image.sh" "$here/debian-tree.sh" "$here/guest.packages" \
	"$here/guest-unstable.packages" "-$PVD_SUITE" "-$PVD_MIRROR" "-$sysroot")
dir=$PVD_CACHE/guest-$key

if [ "${1:-}" = --print ] || [ -e "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

pvd_need_root
pvd_lock "guest-$key"
if [ -e "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

tmp=$dir.tmp
rm -rf "$tmp"
log=$PVD_LOGS/guest-$key
# The sysroot's debootstrap, so the host's distribution does not matter.
pvd_step "guest image: debootstrap $PVD_SUITE" "$log-debootstrap.log" \
	"$here/in-sysroot.sh" -- debootstrap --variant=minbase "$PVD_SUITE" "$tmp" "$PVD_MIRROR"

# unstable is there for igt only: a low pin keeps every other package on
# trixie unless a command asks for unstable (-t unstable).
cat >"$tmp/etc/apt/sources.list" <<EOF
deb $PVD_MIRROR $PVD_SUITE main
deb $PVD_MIRROR $PVD_SUITE-updates main
deb $PVD_MIRROR unstable main
EOF
cat >"$tmp/etc/apt/preferences.d/10-unstable-low" <<'EOF'
Package: *
Pin: release a=unstable
Pin-Priority: 100
EOF
pvd_tree_nodoc "$tmp"

in_image() { "$here/in-sysroot.sh" --root "$tmp" -- "$@"; }
apt="apt-get ${PVD_APT_OPTS[*]}"

pvd_step "guest image: apt-get update" "$log-update.log" \
	in_image sh -c "$apt update"
pvd_step "guest image: install packages" "$log-packages.log" \
	in_image sh -c "$apt install -y $(pvd_pkgs "$here/guest.packages")"
pvd_step "guest image: install igt from unstable" "$log-igt.log" \
	in_image sh -c "$apt install -y -t unstable $(pvd_pkgs "$here/guest-unstable.packages")"
in_image sh -c "$apt clean"
rm -rf "$tmp"/var/lib/apt/lists/*
# in-sysroot.sh left mount points for the checkout and the cache behind.
for d in "$tmp$PVD_TOP" "$tmp$PVD_CACHE"; do
	while [ "$d" != "$tmp" ] && rmdir "$d" 2>/dev/null; do d=$(dirname "$d"); done
done

[ -x "$tmp/usr/libexec/igt-gpu-tools/kms_addfb_basic" ] ||
	pvd_die "guest image: igt tests missing after install; log: $log-igt.log"

# Kernel modules from the sysroot: exactly the kernel the guest boots.
mkdir -p "$tmp/lib/modules"
cp -a "$sysroot/lib/modules/$kver" "$tmp/lib/modules/"
echo "$kver" >"$tmp/.kernel-release"

echo pvdguest >"$tmp/etc/hostname"
: >"$tmp/etc/fstab"
mkdir -p "$tmp/pvd"

# Stage-1 init (kernel command line: init=/usr/local/sbin/pvd-init).  The
# root is the read-only virtiofs export of this tree; build a writable root
# as an overlay with a tmpfs upper layer, mount the run share and hand over.
mkdir -p "$tmp/usr/local/sbin"
cat >"$tmp/usr/local/sbin/pvd-init" <<'EOF'
#!/bin/sh
# pvdisplay guest stage-1 init (written by scripts/env/guest-image.sh).
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
fail() {
	echo "pvd-init: $*; starting a shell" >/dev/console
	exec /bin/sh </dev/console >/dev/console 2>&1
}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs -o mode=0755 tmpfs /mnt || fail "tmpfs on /mnt"
mkdir -p /mnt/upper /mnt/work /mnt/root
# A kernel other than the sysroot's (PVD_KERNEL) has no modules here: it
# must have overlayfs built in, and then modprobe may fail.
modprobe overlay 2>/dev/null
mount -t overlay overlay -o lowerdir=/,upperdir=/mnt/upper,workdir=/mnt/work \
	/mnt/root || fail "overlay root"
for m in proc sys dev; do
	mount --move "/$m" "/mnt/root/$m" || fail "moving /$m"
done
mount -t virtiofs pvdrun /mnt/root/pvd || fail "no virtiofs tag pvdrun"
[ -x /mnt/root/pvd/init ] || fail "/pvd/init missing in the run share"
cd /mnt/root || fail "cd /mnt/root"
mount --move . / || fail "moving the overlay to /"
exec chroot . /pvd/init "$@"
EOF
chmod 0755 "$tmp/usr/local/sbin/pvd-init"

mv "$tmp" "$dir"
touch "$dir/.complete"
pvd_log "guest image ready: $dir ($(du -sh "$dir" | cut -f1))"
echo "$dir"
