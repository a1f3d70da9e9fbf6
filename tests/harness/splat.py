# SPDX-License-Identifier: MIT
"""Find kernel splats (warnings, oopses, lockdep/refcount/sanitizer reports,
hung tasks) and driver errors in a guest kernel log.  Any hit fails the test
that produced it, unless the test allows that line (Vm.allow_splats)."""

import re

# One pattern per kind of report the kernel prints.  Each is matched against
# single log lines (serial console or dmesg), whatever their level.
SPLAT_PATTERNS = [
    r"WARNING: ",                       # WARN*(), lockdep, suspicious RCU usage
    r"\bBUG: ",                         # BUG: sleeping function..., NULL deref, KASAN, KFENCE
    r"kernel BUG at ",
    r"\bOops\b",
    r"general protection fault",
    r"Call Trace:",
    r"possible circular locking",
    r"inconsistent lock state",
    r"possible recursive locking",
    r"DEBUG_LOCKS_WARN_ON",
    r"refcount_t: ",
    r"\bUBSAN: ",
    r"\bKASAN: ",
    r"\bKFENCE: ",
    r"list_add corruption",
    r"list_del corruption",
    r"Kernel panic",
    r"Unable to handle kernel",
    r"stack-protector: ",
    r"soft lockup",
    r"hard LOCKUP",
    r"rcu: INFO: .* detected stalls",
    r"self-detected stall",
    r"blocked for more than \d+ seconds",   # hung task
    r"unreferenced object 0x",          # kmemleak
    r"Memory leak detected",
    r"\bdouble fault\b",
    r"=============================================",   # slab debug report frame
    r"\bRedzone overwritten\b",
    r"\bPoison overwritten\b",
    # DRM's error marker: drm_err()/DRM_ERROR() of any DRM driver or helper,
    # e.g. "[drm:drm_atomic_helper_wait_for_flip_done] *ERROR* ... flip_done
    # timed out" or "pvdisplay virtio1: [drm] *ERROR* head 0: update failed".
    r"\*ERROR\*",
    r"flip_done timed out",
]
_SPLAT_RE = re.compile("|".join("(?:%s)" % p for p in SPLAT_PATTERNS))

# Kernel log levels at or above which a line from the driver under test is an
# error even without DRM's marker (dev_err(), pr_err()): 0 emerg .. 3 err.
ERROR_LEVEL = 3
# Lines printed by the driver under test start with its name (dev_* and
# drm_* prefix messages with the driver and device names).
DRIVER_LINE = re.compile(r"^(pvdisplay)\b")

# "<level>[  seconds.micro] text" (kmsg records, see guest/agent.py) or
# "[  seconds.micro] text" (the serial console, which carries no level).
_LINE = re.compile(r"^(?:<(\d)>)?(?:\[\s*\d+\.\d+\]\s?)?(.*)$")


def _is_driver_error(line):
    m = _LINE.match(line)
    if not m or m.group(1) is None:
        return False
    return int(m.group(1)) <= ERROR_LEVEL and DRIVER_LINE.search(m.group(2)) is not None


# igt_runner's per-test timeout: it logs the first line below, kills the
# test and writes SysRq keys (task states, blocked tasks, locks held, memory)
# so that the log shows where the test was.  That dump has a "Call Trace:"
# per task and lockdep's "=====" frame around the locks held; they are
# igt's request, not a kernel report, and the timeout itself is judged as
# the subtest's result.  Only those two kinds of line are let through, and
# only from the timeout line up to igt's next binary ("[IGT] NAME: executing";
# the killed test's own "exiting" line can come inside the dump), and a
# kernel log record may end in its escaped newline "\x0a": a
# warning, BUG, sanitizer report or hung task in between still counts.
IGT_TIMEOUT_START = re.compile(r"\[IGT\] Per-test timeout exceeded")
IGT_TIMEOUT_END = re.compile(r"\[IGT\] \S+: executing")
SYSRQ_DUMP_LINES = re.compile(r"Call Trace:|^(?:<\d>)?(?:\[\s*\d+\.\d+\]\s?)?=+(?:\\x0a)?$")


class SplatScanner:
    """find_splats() over a log that arrives in pieces (the kernel log
    records read from the guest while it runs): an igt timeout dump that
    spans two pieces is recognised in both."""

    def __init__(self):
        self.in_timeout_dump = False

    def scan(self, text, allow=()):
        allowed = [re.compile(a) for a in allow]
        hits = []
        for line in text.splitlines():
            if IGT_TIMEOUT_START.search(line):
                self.in_timeout_dump = True
                continue
            if self.in_timeout_dump and IGT_TIMEOUT_END.search(line):
                self.in_timeout_dump = False
            if not (_SPLAT_RE.search(line) or _is_driver_error(line)):
                continue
            if self.in_timeout_dump and SYSRQ_DUMP_LINES.search(line.rstrip()):
                continue
            if any(a.search(line) for a in allowed):
                continue
            hits.append(line.rstrip())
        return hits


def find_splats(text, allow=()):
    """Return the lines of text that look like kernel splats or driver errors.

    allow: regular expressions for lines a test provokes on purpose."""
    return SplatScanner().scan(text, allow)
