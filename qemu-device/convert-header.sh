#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Convert the kernel uapi header include/uapi/drm/pvdisplay.h into the form
# QEMU keeps under include/standard-headers/, the way QEMU's
# scripts/update-linux-headers.sh does it: first what the kernel's
# "make headers_install" does (drop the _UAPI guard prefix), then
# cp_portable() (kernel types to <stdint.h> types, <linux/...> includes to
# "standard-headers/linux/...").
#
#   convert-header.sh UAPI_HEADER OUTPUT_FILE

set -eu

if [ $# -ne 2 ] || [ ! -f "$1" ]; then
    echo "usage: $0 UAPI_HEADER OUTPUT_FILE" >&2
    exit 2
fi
in=$1
out=$2

# Same allow-list idea as cp_portable(): refuse includes we do not convert.
if grep '#include' "$in" | grep -v -e 'linux/types' > /dev/null; then
    echo "$0: unexpected #include in $in" >&2
    exit 2
fi

mkdir -p "$(dirname "$out")"
tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT

sed -E -e 's/([[:space:](])(__user|__force|__iomem)[[:space:]]/\1/g' \
       -e 's@#(ifndef|define|endif[[:space:]]*/[*])[[:space:]]*_UAPI@#\1 @' \
       "$in" |
sed -e 's/__aligned_u64/__u64 __attribute__((aligned(8)))/g' \
    -e 's/__u\([0-9][0-9]*\)/uint\1_t/g' \
    -e 's/u\([0-9][0-9]*\)/uint\1_t/g' \
    -e 's/__s\([0-9][0-9]*\)/int\1_t/g' \
    -e 's/__le\([0-9][0-9]*\)/uint\1_t/g' \
    -e 's/__be\([0-9][0-9]*\)/uint\1_t/g' \
    -e 's/<linux\/\([^>]*\)>/"standard-headers\/linux\/\1"/' \
    -e 's/__bitwise//' \
    -e 's/__attribute__((packed))/QEMU_PACKED/' \
    -e 's/__inline__/inline/' \
    > "$tmp"
mv "$tmp" "$out"
trap - EXIT
