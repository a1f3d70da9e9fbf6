# SPDX-License-Identifier: MIT
"""igt-tests/upstream/binaries.txt (every kms_*/core_* binary igt ships,
with its class) agrees with the lists: what it calls ci or full is listed
there, what it calls vendor or hardware is listed nowhere; frame-timing.txt
names only binaries the lists run.  No guest.

    python3 tests/harness/unit/test_igt_binaries.py
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from harness.igt_lists import LISTS, ListError, load_frame_timing, read_entries  # noqa: E402

CLASSES = ("ci", "full", "vendor", "hardware")


def classes():
    out = {}
    for line, _, where in read_entries(os.path.join(LISTS, "binaries.txt"), False):
        parts = line.split(None, 2)
        assert len(parts) == 3 and parts[1] in CLASSES, "%s: %r" % (where, line)
        assert parts[0] not in out, "%s: %s twice" % (where, parts[0])
        out[parts[0]] = parts[1]
    return out


def listed(name):
    """{binary: [entries]} of a test list."""
    out = {}
    for line, _, _ in read_entries(os.path.join(LISTS, name), False):
        out.setdefault(line.split("@")[1], []).append(line)
    return out


def main():
    cls = classes()
    ci, full = listed("ci.testlist"), listed("full.testlist")
    errors = []
    for b, c in sorted(cls.items()):
        if c == "ci" and b not in ci:
            errors.append("%s: class ci but not in ci.testlist" % b)
        if c == "full" and "igt@" + b not in full.get(b, []):
            errors.append("%s: class full but full.testlist does not run it whole" % b)
        if c in ("vendor", "hardware") and (b in ci or b in full):
            errors.append("%s: class %s but listed" % (b, c))
    upstream = [b for b in set(ci) | set(full) if b.startswith(("kms_", "core_"))]
    for b in sorted(upstream):
        if b not in cls:
            errors.append("%s: listed but not in binaries.txt" % b)
    try:
        for b in sorted(load_frame_timing()):
            if cls.get(b) not in ("ci", "full"):
                errors.append("%s: in frame-timing.txt but not a ci or full binary" % b)
    except ListError as e:
        errors.append(str(e))
    print("TAP version 13")
    print("%s 1 - binaries.txt agrees with ci.testlist, full.testlist and frame-timing.txt "
          "(%d binaries)"
          % ("not ok" if errors else "ok", len(cls)))
    for e in errors:
        print("# " + e)
    print("1..1")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
