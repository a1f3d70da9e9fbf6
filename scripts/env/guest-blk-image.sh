#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build (once) the guest root tree (guest-image.sh) as a raw ext4 image and
# print its path.  Guests booted from it (Vm(root="blk") in the harness) use
# no virtiofs at all, which refuses to suspend and blocks migration: the
# root is this image on virtio-blk, read-only (a tmpfs overlay on top, as
# with virtiofs), and the per-run share is a small ext4 image of its own.
#
#   guest-blk-image.sh           build if missing, print the path
#   guest-blk-image.sh --print   print the path it would have, build nothing
#
# Its stage-1 init is /usr/local/sbin/pvd-init-blk, written into the image.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

tree=$("$here/guest-image.sh")
key=$(pvd_hash "$here/guest-blk-image.sh" "-$tree")
img=$PVD_CACHE/guest-blk-$key.img

if [ "${1:-}" = --print ] || [ -e "$img.complete" ]; then
	echo "$img"
	exit 0
fi
pvd_need_root
pvd_lock "guest-blk-$key"
if [ -e "$img.complete" ]; then
	echo "$img"
	exit 0
fi

stage=$PVD_CACHE/guest-blk-$key.init
cat >"$stage" <<'EOF'
#!/bin/sh
# pvdisplay guest stage-1 init for a block-device root (written by
# scripts/env/guest-blk-image.sh): the root (/dev/vda) is read-only, a
# tmpfs overlay makes it writable, the run share is /dev/vdb.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
fail() {
	echo "pvd-init-blk: $*; starting a shell" >/dev/console
	exec /bin/sh </dev/console >/dev/console 2>&1
}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs -o mode=0755 tmpfs /mnt || fail "tmpfs on /mnt"
mkdir -p /mnt/upper /mnt/work /mnt/root
modprobe overlay 2>/dev/null
mount -t overlay overlay -o lowerdir=/,upperdir=/mnt/upper,workdir=/mnt/work \
	/mnt/root || fail "overlay root"
for m in proc sys dev; do
	mount --move "/$m" "/mnt/root/$m" || fail "moving /$m"
done
# By the moved devtmpfs: /dev is what lies under it now (the stock kernel's
# initramfs leaves its own devtmpfs there, the debug kernel, which mounts
# the root itself, an empty directory).
mount -t ext4 /mnt/root/dev/vdb /mnt/root/pvd || fail "no run share on /dev/vdb"
[ -x /mnt/root/pvd/init ] || fail "/pvd/init missing in the run share"
cd /mnt/root || fail "cd /mnt/root"
mount --move . / || fail "moving the overlay to /"
exec chroot . /pvd/init "$@"
EOF

# Room for the tree plus a quarter; the image is sparse.
mb=$(( $(du -sm "$tree" | cut -f1) * 5 / 4 + 64 ))
rm -f "$img.tmp"
# shellcheck disable=SC2016 # expanded by the inner shell
pvd_step "guest blk image: mkfs.ext4 -d (${mb} MB)" "$PVD_LOGS/guest-blk-$key.log" \
	"$here/in-sysroot.sh" -- sh -c '
		set -e
		mkfs.ext4 -q -F -L pvdroot -d "$1" "$2" "$3M"
		debugfs -w -R "write $4 /usr/local/sbin/pvd-init-blk" "$2"
		debugfs -w -R "sif /usr/local/sbin/pvd-init-blk mode 0100755" "$2"' \
	sh "$tree" "$img.tmp" "$mb" "$stage"
rm -f "$stage"
mv "$img.tmp" "$img"
touch "$img.complete"
echo "$img"
