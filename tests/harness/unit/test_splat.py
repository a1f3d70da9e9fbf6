#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Unit tests of the guest kernel-log check (tests/harness/splat.py): what
counts as a kernel report and what is let through.  Prints TAP; exits 1 on
failure."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE))))

from harness.splat import SplatScanner, find_splats  # noqa: E402
from tap_runner import run_tests  # noqa: E402

# What igt_runner's per-test timeout leaves in the serial log of a debug
# kernel (shortened from the check-full run of 2026-12-03): the SysRq task
# states with a call trace per task, lockdep's locks held, memory.
TIMEOUT_DUMP = """\
[ 2096.200933] [IGT] kms_cursor_legacy: starting subtest 2x-cursor-vs-flip-legacy
[ 2276.736343] [IGT] Per-test timeout exceeded. Killing the current test with SIGQUIT.
[ 2276.790986] sysrq: Show State
[ 2276.791754] task:init            state:S stack:0     pid:1     tgid:1     ppid:0
[ 2276.804082] Call Trace:
[ 2276.804442]  <TASK>
[ 2277.375672] Showing all locks held in the system:
[ 2277.375958] locks held by pr/ttyS0/38: 2, last CPU#1:
[ 2277.417627] =============================================
[ 2277.442430] sysrq: Show Memory
[ 2277.495508] 0 pages hwpoisoned
[ 2278.380158] Console: switching to colour frame buffer device 160x50
"""
NEXT_TEST = "[ 2286.016099] [IGT] kms_cursor_legacy: executing\n"
WARNING = "[ 2277.2] WARNING: CPU: 1 PID: 879 at drivers/gpu/drm/pvdisplay/pvd_kms.c:10\n"
CALL_TRACE = "[ 2290.1] Call Trace:\n"


def test_igt_timeout_dump_is_not_a_report():
    assert find_splats(TIMEOUT_DUMP + NEXT_TEST) == []


def test_warning_inside_a_timeout_dump_still_counts():
    text = TIMEOUT_DUMP.replace("[ 2277.442430] sysrq: Show Memory\n",
                                WARNING + "[ 2277.442430] sysrq: Show Memory\n")
    assert find_splats(text) == [WARNING.strip()], find_splats(text)


def test_call_trace_after_the_next_igt_line_counts():
    assert find_splats(TIMEOUT_DUMP + NEXT_TEST + CALL_TRACE) == [CALL_TRACE.strip()]


def test_call_trace_without_a_timeout_counts():
    text = TIMEOUT_DUMP.replace(
        "[ 2276.736343] [IGT] Per-test timeout exceeded. Killing the current test with SIGQUIT.\n",
        "")
    assert find_splats(text) == ["[ 2276.804082] Call Trace:",
                                 "[ 2277.417627] ============================================="]


def test_timeout_dump_read_in_pieces_is_not_a_report():
    # The guest's kernel log records arrive in pieces while it runs; the
    # killed test's "exiting" line can come inside the dump; a record ends
    # in its escaped newline.
    lines = (TIMEOUT_DUMP.replace("=====\n", "=====\\x0a\n")
             + "[ 2277.1] [IGT] kms_cursor_legacy: exiting, ret=0\n"
             + "[ 2277.2] Call Trace:\n" + NEXT_TEST).splitlines()
    scanner = SplatScanner()
    hits = [h for i in range(0, len(lines), 4) for h in scanner.scan("\n".join(lines[i:i + 4]))]
    assert hits == [], hits


def test_kasan_report_frame_counts_outside_a_timeout():
    text = ("[ 10.1] ==================================================================\n"
            "[ 10.1] BUG: KASAN: slab-use-after-free in pvd_free+0x10/0x20\n")
    assert len(find_splats(text)) == 2


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
