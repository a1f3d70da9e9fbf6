#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Unit tests of the guest kernel-log check (tests/harness/splat.py): what
counts as a kernel report and what is let through.  Prints TAP; exits 1 on
failure."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE))))

import importlib.util  # noqa: E402
import tempfile  # noqa: E402
from collections import Counter  # noqa: E402

from harness.splat import SplatScanner, find_splats  # noqa: E402
import harness.vm  # noqa: E402
from harness.vm import Vm  # noqa: E402
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


def _agent():
    spec = importlib.util.spec_from_file_location(
        "agent", os.path.join(os.path.dirname(HERE), "guest", "agent.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_kmsg_records_lost_to_the_ring_buffer_are_counted():
    kmsg_lines = _agent().kmsg_lines
    records = [b"4,%d,%d,-;line %d\n" % (seq, seq * 1000, seq) for seq in (5, 6, 9, 10)]
    got = kmsg_lines(records, 4)
    assert got["lost"] == 2 and got["seq"] == 10, got
    assert got["lines"][0] == "<4>[    0.005000] line 5", got
    # the first read after boot: nothing lost if the buffer starts at 0
    assert kmsg_lines([b"6,0,1,-;boot\n"], -1)["lost"] == 0
    assert kmsg_lines([b"6,3,1,-;boot\n"], -1)["lost"] == 3
    assert kmsg_lines(records, 10) == {"lines": [], "seq": 10, "lost": 0}


def _vm_with_serial(text):
    vm = Vm.__new__(Vm)
    fd, vm.serial_log = tempfile.mkstemp()
    with os.fdopen(fd, "w") as f:
        f.write(text)
    vm.allow_splats = ()
    vm._reported = Counter()
    return vm


def test_hits_after_lost_records_are_checked_against_the_serial_log():
    # The ring buffer lost the dump's first lines before the agent read
    # them: the kmsg scanner takes the task states for reports, the serial
    # console, which has the whole dump, does not.
    serial = TIMEOUT_DUMP + NEXT_TEST + WARNING
    kmsg_seen = "".join(TIMEOUT_DUMP.splitlines(True)[3:]) + NEXT_TEST + WARNING
    hits = SplatScanner().scan(kmsg_seen)
    assert len(hits) == 3, hits
    vm = _vm_with_serial(serial)
    harness.vm.SERIAL_CATCH_UP = 0  # the serial log here is complete
    try:
        assert vm._confirm_in_serial(hits) == [WARNING.strip()]
        # reported once: the same line again is not confirmed a second time
        vm._reported[WARNING.strip().split("] ", 1)[1]] += 1
        assert vm._confirm_in_serial([WARNING.strip()]) == []
    finally:
        os.unlink(vm.serial_log)


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
