# SPDX-License-Identifier: MIT
# Helpers shared by the scripts that build Debian trees (sysroot.sh,
# guest-image.sh).  Sourced, never executed; part of both trees' cache keys,
# so changing it rebuilds them.

# pvd_pkgs FILE: the package names of a list file, without comments.
pvd_pkgs() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$1" | tr '\n' ' '; }

# pvd_tree_nodoc ROOT: keep a tree small: no documentation, no translations.
pvd_tree_nodoc() {
	cat >"$1/etc/dpkg/dpkg.cfg.d/01-nodoc" <<'NODOC'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
NODOC
}
