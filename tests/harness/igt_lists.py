# SPDX-License-Identifier: MIT
"""The igt tier's lists and expectation files (igt-tests/upstream/), read
and checked; no guest involved.

  ci.testlist                 igt@binary[@subtest] lines run by `make check`
  full.testlist               more (slower) lines added by `make check-full`
  DRIVER-skips.txt            regexes of tests NOT to run at all (a splat or
                              a hang they provoke on purpose)
  DRIVER-fails.txt            binary@subtest[@dynamic],Result[,message-regex]
                              for tests known not to pass
  DRIVER-expected-skips.txt   binary@subtest[@dynamic],message-regex for tests
                              igt is expected to skip, and why
  DRIVER-flakes.txt           binary@subtest[@dynamic],message-regex for tests
                              that pass or fail from run to run (under TCG: a
                              guest that misses a 60 Hz frame when the host is
                              busy), the regex naming the timing checks that
                              may fail
  frame-timing.txt            binaries that count frames: with the tiers side
                              by side they run once the guest is alone

Every entry of the last four needs a "# reason" comment on the lines above
it.  An entry of the last three that starts with "stock-kernel:" or
"debug-kernel:" holds only for that guest kernel (Debian's, or the debug
kernel of `make check-full`, PVD_DEBUG_KERNEL=1): the debug kernel has
CONFIG_SW_SYNC, for one, so fence subtests run there and skip on Debian's.
An entry names one result: "Fail" matches a failure and nothing else, and
a message regex (required for expected skips and flakes) must also be found
in what the test printed, so that a test skipping because igt found no
device cannot pass for one skipping because the driver lacks a CRC source,
and a subtest listed for missing a frame cannot fail on a wrong CRC unseen.
A flaky entry takes a pass, a failure whose output has its regex, or
igt_runner's per-test timeout (igt_compare.judge says why).  An entry for a
subtest also covers its dynamic subtests that have no entry of their own.
Names are compared in lower case, as igt_runner reports them.
"""

import os
import re
import subprocess
from collections import namedtuple

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LISTS = os.path.join(TOP, "igt-tests", "upstream")
OWN_LIST = os.path.join(TOP, "igt-tests", "pvdisplay.testlist")
IGT_DIR = "/usr/libexec/igt-gpu-tools"
IGT_EXIT_INVALID = 79

# igt_runner's result -> expectation spelling (drm ci style).
RESULTS = {"pass": "Pass", "fail": "Fail", "skip": "Skip", "crash": "Crash",
           "timeout": "Timeout", "incomplete": "Crash", "abort": "Crash",
           "warn": "Warn", "dmesg-warn": "DmesgWarn", "dmesg-fail": "DmesgFail",
           "notrun": "NotRun"}
FAIL_RESULTS = ("Fail", "Crash", "Timeout", "Warn", "DmesgWarn", "DmesgFail")
FORBIDDEN = re.compile(r"suspend|hibernate", re.I)

# One expectation: result ("Fail", ..., "Skip" or "Flaky"), a compiled message
# regex or None, the reason comment, and where it was written.
Expect = namedtuple("Expect", "result message reason where")
Lists = namedtuple("Lists", "tests notrun expect")


class ListError(Exception):
    pass


KERNELS = ("stock", "debug")


def guest_kernel():
    """Which guest kernel the harness boots: "stock" or "debug"."""
    return "debug" if os.environ.get("PVD_DEBUG_KERNEL") == "1" else "stock"


def for_kernel(entries, kernel):
    """The entries (line, reason, where) that hold for kernel, their
    "KERNEL-kernel:" prefix removed."""
    kept = []
    for line, why, where in entries:
        only, sep, rest = line.partition("-kernel:")
        if sep and "," not in only:
            if only not in KERNELS:
                raise ListError("%s: %r names no known kernel (%s)"
                                % (where, line, ", ".join(k + "-kernel:" for k in KERNELS)))
            if only != kernel:
                continue
            line = rest
        kept.append((line, why, where))
    return kept


def read_entries(path, need_reason):
    """(line, reason, "file:lineno") triples of a list file.  The reason of
    an entry is the comment block right above it (or above the entries
    before it, up to a blank line)."""
    entries, comment, reason = [], [], None
    if not os.path.exists(path):
        return entries
    with open(path) as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line:
                comment, reason = [], None
            elif line.startswith("#"):
                comment.append(line.lstrip("#").strip())
                reason = None
            else:
                if comment:
                    reason, comment = " ".join(comment), []
                where = "%s:%d" % (os.path.basename(path), n)
                if need_reason and not reason:
                    raise ListError("%s: %r has no '# reason' comment above it" % (where, line))
                entries.append((line, reason, where))
    return entries


def _message(regex, where):
    try:
        return re.compile(regex)
    except re.error as e:
        raise ListError("%s: bad message regex %r: %s" % (where, regex, e)) from None


def load_expectations(driver, lists_dir=LISTS, kernel=None):
    """{test name without "igt@": Expect} from DRIVER-fails.txt,
    DRIVER-expected-skips.txt and DRIVER-flakes.txt, for kernel ("stock" or
    "debug"; by default the one the harness boots)."""
    kernel = kernel or guest_kernel()
    expect = {}
    fails = os.path.join(lists_dir, driver + "-fails.txt")
    for line, why, where in for_kernel(read_entries(fails, True), kernel):
        parts = line.split(",", 2)
        if len(parts) < 2 or not parts[0] or parts[1] not in FAIL_RESULTS:
            raise ListError("%s: %r is not 'binary@subtest,Result[,message-regex]' with "
                            "Result one of %s" % (where, line, ", ".join(FAIL_RESULTS)))
        msg = _message(parts[2], where) if len(parts) == 3 else None
        name = parts[0].lower()     # as igt_runner reports it
        if name in expect:
            raise ListError("%s: %s is listed twice" % (where, parts[0]))
        expect[name] = Expect(parts[1], msg, why, where)
    _load_with_regex(os.path.join(lists_dir, driver + "-expected-skips.txt"), "Skip",
                     "which skip is expected", kernel, expect)
    _load_with_regex(os.path.join(lists_dir, driver + "-flakes.txt"), "Flaky",
                     "the timing checks whose failure is accepted", kernel, expect)
    return expect


def _load_with_regex(path, result, regex_says, kernel, expect):
    """Add the 'binary@subtest,message-regex' entries of path to expect as
    Expect(result, ...); regex_says is what the regex is for, for errors."""
    for line, why, where in for_kernel(read_entries(path, True), kernel):
        name, sep, regex = line.partition(",")
        if not name or not sep or not regex:
            raise ListError("%s: %r is not 'binary@subtest,message-regex' (the regex says "
                            "%s)" % (where, line, regex_says))
        name = name.lower()
        if name in expect:
            raise ListError("%s: %s is listed twice" % (where, name))
        expect[name] = Expect(result, _message(regex, where), why, where)


def load_lists(driver, which, own=True, lists_dir=LISTS, own_list=OWN_LIST):
    """The tests to run (igt@... entries, not expanded), the not-run regexes
    [(regex, reason, where)] and the expectations of driver."""
    names = ["ci.testlist"] + (["full.testlist"] if which == "full" else [])
    tests = []
    for name in names:
        tests += [t for t, _, _ in read_entries(os.path.join(lists_dir, name), False)]
    if own:
        tests += [t for t, _, _ in read_entries(own_list, False)]
    for t in tests:
        if not t.startswith("igt@"):
            raise ListError("test list entry %r does not start with igt@" % t)
        if FORBIDDEN.search(t):
            raise ListError("%s: suspend/hibernate subtests stay out of the lists" % t)
    if len(set(tests)) != len(tests):
        dup = sorted({t for t in tests if tests.count(t) > 1})
        raise ListError("listed more than once: %s" % ", ".join(dup))
    notrun = [(re.compile(r), why, where) for r, why, where in
              read_entries(os.path.join(lists_dir, driver + "-skips.txt"), True)]
    return Lists(tests, notrun, load_expectations(driver, lists_dir))


def load_frame_timing(lists_dir=LISTS):
    """The binaries of frame-timing.txt (a set of names)."""
    binaries = set()
    for line, _, where in read_entries(os.path.join(lists_dir, "frame-timing.txt"), True):
        if not re.fullmatch(r"(kms|core)_\w+", line) or line in binaries:
            raise ListError("%s: %r is not a lone igt binary name listed once" % (where, line))
        binaries.add(line)
    return binaries


def list_subtests(binary_cmd):
    """Subtest names of an igt binary (a command list), [] if it has none."""
    r = subprocess.run(binary_cmd + ["--list-subtests"], capture_output=True, text=True,
                       timeout=60)
    # igt exits 79 (IGT_EXIT_INVALID) when a binary has no subtests.
    if r.returncode not in (0, IGT_EXIT_INVALID) or (r.returncode and r.stdout.strip()):
        raise ListError("%s --list-subtests failed (rc %s): %s"
                        % (" ".join(binary_cmd), r.returncode, r.stderr.strip()))
    return r.stdout.split()


def expand(tests, binary_cmd):
    """Replace igt@binary entries by one entry per subtest; binaries without
    subtests stay as they are.  binary_cmd(test) gives the command that runs
    a test's binary on the host (igt binaries list their subtests without a
    device, chrooted into the guest image: no guest needs to boot)."""
    out = []
    for t in tests:
        if t.count("@") > 1:
            out.append(t)
            continue
        # A whole binary brings its suspend/hibernate subtests too: drop
        # them here as a listed one is refused above (virtiofs cannot
        # suspend; the guest would not come back).
        subs = [s for s in list_subtests(binary_cmd(t)) if not FORBIDDEN.search(s)]
        out += [t + "@" + sub for sub in subs] if subs else [t]
    # A subtest listed on its own and again through its binary runs once.
    return list(dict.fromkeys(out))
