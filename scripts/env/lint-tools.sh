#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetch (once) the kernel's checkpatch.pl (with spelling.txt and
# const_structs.checkpatch beside it) and kernel-doc (with its Python library)
# from Debian's linux-source package matching the guest kernel, and print the
# directory holding scripts/ and tools/.  Only those files are extracted.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

sysroot=$("$here/sysroot.sh")
kver=$(cat "$sysroot/.kernel-release")
major=$(echo "$kver" | cut -d. -f1-2)
pkg=linux-source-$major
key=$(pvd_hash "$here/lint-tools.sh" "-$sysroot")
dir=$PVD_CACHE/lint-tools-$key

if [ -e "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi
pvd_need_root
pvd_lock "lint-tools-$key"
if [ -e "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

tmp=$dir.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
log=$PVD_LOGS/lint-tools-$key.log
# The .deb holds the source as one tarball: pull only the members we need
# out of it (the tarball streams through, nothing else lands on disk).
members=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	tools/docs/kernel-doc tools/lib/python)
pvd_step "lint tools: download $pkg" "$log" \
	"$here/in-sysroot.sh" -- sh -c "cd '$tmp' && apt-get ${PVD_APT_OPTS[*]} download $pkg"
debs=("$tmp"/"$pkg"_*.deb)
[ -s "${debs[0]}" ] || pvd_die "lint tools: $pkg did not download; log: $log"
pvd_step "lint tools: extract checkpatch and kernel-doc" "$log.extract" \
	"$here/in-sysroot.sh" -- sh -c "dpkg-deb --fsys-tarfile '${debs[0]}' |
		tar -xO --wildcards './usr/src/$pkg.tar.*' |
		tar -xJ -C '$tmp' --strip-components=1 ${members[*]/#/$pkg/}"
rm -f "${debs[@]}"
for f in scripts/checkpatch.pl tools/docs/kernel-doc; do
	[ -x "$tmp/$f" ] || pvd_die "lint tools: $f missing after extraction; log: $log.extract"
done
mv "$tmp" "$dir"
touch "$dir/.complete"
echo "$dir"
