#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Graft the virtio-pvdisplay device into a QEMU source tree.
#
#   qemu-device/graft.sh QEMU_SRC_DIR
#
# Made for a pristine Debian QEMU 10.0 tree (patches applied); safe to run
# again on a grafted tree: files are overwritten, appended blocks are
# replaced, one-line insertions are skipped when already present.  Edits are
# anchored on exact lines, never on line numbers; a missing anchor stops the
# graft with an error and a non-zero exit status.
#
# What it does:
#  - copies hw/display/{pvdisplay-wire.[ch],pvdisplay-cursor.[ch],
#    pvdisplay-crc.[ch],
#    virtio-pvdisplay.c,virtio-pvdisplay-pci.c} and
#    include/hw/virtio/virtio-pvdisplay.h;
#  - converts include/uapi/drm/pvdisplay.h into
#    include/standard-headers/drm/pvdisplay.h (convert-header.sh);
#  - appends the Kconfig, meson.build and trace-events blocks of
#    hw/display/;
#  - registers the provisional virtio device id in hw/virtio/virtio.c
#    (virtio_device_names[], whose lookup asserts on unknown ids) and its
#    feature names in hw/virtio/virtio-qmp.c (which asserts as well).
#
# Environment: PVD_UAPI_HEADER overrides the protocol header location
# (default: include/uapi/drm/pvdisplay.h of this checkout).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
uapi=${PVD_UAPI_HEADER:-$top/include/uapi/drm/pvdisplay.h}

die() {
    echo "graft.sh: $*" >&2
    exit 1
}

[ $# -eq 1 ] || { echo "usage: $0 QEMU_SRC_DIR" >&2; exit 2; }
src=$(cd "$1" 2>/dev/null && pwd) || die "no such directory: $1"
for f in hw/display/meson.build hw/display/Kconfig hw/display/trace-events \
         hw/virtio/virtio.c hw/virtio/virtio-qmp.c include/standard-headers; do
    [ -e "$src/$f" ] || die "$src is not a QEMU source tree ($f missing)"
done
[ -f "$uapi" ] || die "protocol header not found: $uapi"

tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT

# update DST from NEW only if the content differs (keeps rebuilds small)
update() {
    mkdir -p "$(dirname "$2")"
    cmp -s "$1" "$2" || cat "$1" > "$2"
}

# --- files -----------------------------------------------------------------

for f in hw/display/pvdisplay-wire.c hw/display/pvdisplay-wire.h \
         hw/display/pvdisplay-fault.c hw/display/pvdisplay-fault.h \
         hw/display/display-probe.c \
         hw/display/pvdisplay-cursor.c hw/display/pvdisplay-cursor.h \
         hw/display/pvdisplay-crc.c hw/display/pvdisplay-crc.h \
         hw/display/virtio-pvdisplay.c hw/display/virtio-pvdisplay-pci.c \
         include/hw/virtio/virtio-pvdisplay.h; do
    update "$here/$f" "$src/$f"
done
"$here/convert-header.sh" "$uapi" "$tmpd/pvdisplay.h"
update "$tmpd/pvdisplay.h" "$src/include/standard-headers/drm/pvdisplay.h"

# --- appended blocks -------------------------------------------------------

begin_mark="# pvdisplay begin (qemu-device/graft.sh)"
end_mark="# pvdisplay end"

# append_block FILE FRAGMENT: (re)place FRAGMENT at the end of FILE.
append_block() {
    file=$1
    frag=$2
    awk -v b="$begin_mark" -v e="$end_mark" '
        $0 == b { skip = 1; next }
        skip && $0 == e { skip = 0; next }
        !skip { print }
    ' "$file" > "$tmpd/out"
    {
        cat "$tmpd/out"
        echo "$begin_mark"
        cat "$frag"
        echo "$end_mark"
    } > "$tmpd/new"
    update "$tmpd/new" "$file"
}

for f in Kconfig meson.build trace-events; do
    append_block "$src/hw/display/$f" "$here/hw/display/$f.pvdisplay"
done

# --- anchored insertions ---------------------------------------------------

# insert FILE after|before ANCHOR_LINE MARKER TEXT_FILE
# Inserts the lines of TEXT_FILE after/before the first line equal to
# ANCHOR_LINE, unless MARKER already occurs in FILE.
insert() {
    file=$1
    where=$2
    anchor=$3
    marker=$4
    text=$5
    if grep -qF -- "$marker" "$file"; then
        return 0
    fi
    grep -qxF -- "$anchor" "$file" ||
        die "anchor not found in $file: $anchor"
    awk -v a="$anchor" -v w="$where" -v t="$text" '
        function emit(  l) { while ((getline l < t) > 0) print l; close(t) }
        !done && $0 == a {
            if (w == "before") emit()
            print
            if (w == "after") emit()
            done = 1
            next
        }
        { print }
    ' "$file" > "$tmpd/out"
    cat "$tmpd/out" > "$file"
}

virtio_c=$src/hw/virtio/virtio.c
qmp_c=$src/hw/virtio/virtio-qmp.c

cat > "$tmpd/t" <<'EOF'
#include "standard-headers/drm/pvdisplay.h" /* pvdisplay graft: id */
EOF
insert "$virtio_c" after '#include "standard-headers/linux/virtio_ids.h"' \
    'pvdisplay graft: id' "$tmpd/t"

cat > "$tmpd/t" <<'EOF'
    [PVDISPLAY_VIRTIO_ID] = "virtio-pvdisplay", /* pvdisplay graft: name */
EOF
insert "$virtio_c" after 'const char *virtio_device_names[] = {' \
    'pvdisplay graft: name' "$tmpd/t"

cat > "$tmpd/t" <<'EOF'
#include "standard-headers/drm/pvdisplay.h" /* pvdisplay graft: id */
EOF
insert "$qmp_c" after '#include "standard-headers/linux/virtio_gpu.h"' \
    'pvdisplay graft: id' "$tmpd/t"

cat > "$tmpd/t" <<'EOF'
/* virtio-pvdisplay features mapping (pvdisplay graft: map) */
#ifdef CONFIG_VIRTIO_PVDISPLAY
static const qmp_virtio_feature_map_t virtio_pvdisplay_feature_map[] = {
    FEATURE_ENTRY(PVDISPLAY_F_EDID, \
            "PVDISPLAY_F_EDID: EDID of each head supported"),
    FEATURE_ENTRY(PVDISPLAY_F_MULTI_HEAD, \
            "PVDISPLAY_F_MULTI_HEAD: More than one head"),
    FEATURE_ENTRY(PVDISPLAY_F_EXTRA_FORMATS, \
            "PVDISPLAY_F_EXTRA_FORMATS: XBGR8888, ABGR8888 and RGB565"),
    FEATURE_ENTRY(PVDISPLAY_F_CURSOR, \
            "PVDISPLAY_F_CURSOR: Cursor per head, cursor queue"),
    FEATURE_ENTRY(PVDISPLAY_F_PRESENT_EVENTS, \
            "PVDISPLAY_F_PRESENT_EVENTS: Present event queue"),
    FEATURE_ENTRY(PVDISPLAY_F_CRC, \
            "PVDISPLAY_F_CRC: CRC of what a head shows"),
    { -1, "" }
};
#endif

EOF
insert "$qmp_c" before '/* virtio-gpu features mapping */' \
    'pvdisplay graft: map' "$tmpd/t"

cat > "$tmpd/t" <<'EOF'
#ifdef CONFIG_VIRTIO_PVDISPLAY
    case PVDISPLAY_VIRTIO_ID: /* pvdisplay graft: case */
        features->dev_features =
            CONVERT_FEATURES(strList, virtio_pvdisplay_feature_map, 0, bitmap);
        break;
#endif
EOF
insert "$qmp_c" before '    /* No features */' \
    'pvdisplay graft: case' "$tmpd/t"

# generic-fuzz (qtest) configuration "virtio-pvdisplay": only compiled
# into fuzzing builds (scripts/env/fuzz.sh), harmless elsewhere.
insert "$src/tests/qtest/fuzz/generic_fuzz_configs.h" before \
    '        .name = "virtio-gpu",' 'pvdisplay graft: fuzz' \
    "$here/tests/fuzz/generic-fuzz-config.inc"

echo "graft.sh: virtio-pvdisplay grafted into $src"
