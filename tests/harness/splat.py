# SPDX-License-Identifier: MIT
"""Find kernel splats (warnings, oopses, lockdep/refcount/sanitizer reports)
in a guest kernel log.  Any hit fails the test that produced it."""

import re

# One pattern per kind of report the kernel prints.  Each is matched against
# single log lines (serial console or dmesg).
SPLAT_PATTERNS = [
    r"WARNING: ",                       # WARN*(), lockdep, suspicious RCU usage
    r"\bBUG: ",                         # BUG: sleeping function..., NULL deref, KASAN
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
    r"blocked for more than \d+ seconds",
    r"unreferenced object 0x",          # kmemleak
    r"Memory leak detected",
    r"\bdouble fault\b",
]
_SPLAT_RE = re.compile("|".join("(?:%s)" % p for p in SPLAT_PATTERNS))


def find_splats(text, allow=()):
    """Return the lines of text that look like kernel splats.

    allow: regular expressions for lines a test provokes on purpose."""
    allowed = [re.compile(a) for a in allow]
    hits = []
    for line in text.splitlines():
        if _SPLAT_RE.search(line) and not any(a.search(line) for a in allowed):
            hits.append(line.rstrip())
    return hits
