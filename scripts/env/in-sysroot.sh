#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run a command inside a Debian tree (the build sysroot by default) as if it
# were the host: /dev, /proc, /sys, /tmp, the checkout and the cache are
# visible at the same paths inside.  The mounts live in a private mount
# namespace, so they vanish with the command and never leak onto the host.
#
#   in-sysroot.sh [--root DIR] [--] CMD [ARG...]

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

root=
if [ "${1:-}" = --root ]; then
	root=$2
	shift 2
fi
[ "${1:-}" = -- ] && shift
[ -n "$root" ] || root=$("$here/sysroot.sh" --print)
[ -d "$root/usr" ] || pvd_die "no Debian tree at $root"

pvd_need_root

# Inner half: runs in the new mount namespace, sets up the binds and chroots.
if [ "${PVD_IN_NS:-}" != 1 ]; then
	export PVD_IN_NS=1
	exec unshare --mount --propagation private -- "$0" --root "$root" -- "$@"
fi
unset PVD_IN_NS

bind() {
	local src=$1 dst=$root$1
	[ -e "$src" ] || return 0
	if [ -d "$src" ]; then mkdir -p "$dst"; else [ -e "$dst" ] || touch "$dst"; fi
	mount --rbind "$src" "$dst"
}

mount -t proc proc "$root/proc"
bind /sys
bind /dev
bind /tmp
bind "$PVD_TOP"
bind "$PVD_CACHE"
[ -n "${PVD_EXTRA_BINDS:-}" ] && for b in $PVD_EXTRA_BINDS; do bind "$b"; done
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

# Every PVD_* variable passes through (the test harness is configured by
# them); everything else from the host environment stays out.
pass_env=()
while IFS= read -r name; do
	pass_env+=("$name=${!name}")
done < <(compgen -e | grep '^PVD_' || true)
# X11 for a GTK window (make run): the display socket is in /tmp (bound).
if [ -n "${DISPLAY:-}" ]; then
	xauth=${XAUTHORITY:-$HOME/.Xauthority}
	if [ -f "$xauth" ]; then
		bind "$xauth"
		pass_env+=("XAUTHORITY=$xauth")
	fi
fi

cd_to=$PWD
exec chroot "$root" /usr/bin/env -i \
	HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
	PATH=/usr/lib/ccache:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	"${pass_env[@]}" \
	PVD_CACHE="$PVD_CACHE" PVD_LOGS="$PVD_LOGS" PVD_TOP="$PVD_TOP" \
	CCACHE_DIR="$PVD_CACHE/ccache" DEBIAN_FRONTEND=noninteractive \
	CI="${CI:-}" DISPLAY="${DISPLAY:-}" V="${V:-}" \
	/bin/sh -c 'cd "$1" 2>/dev/null || cd /; shift; exec "$@"' sh "$cd_to" "$@"
