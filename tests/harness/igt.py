# SPDX-License-Identifier: MIT
"""Run the curated upstream igt list in a guest and compare with expectations.

    python3 tests/harness/igt.py [--driver pvdisplay|bochs|virtio-gpu]
        [--list ci|full] [--tap FILE] [--filter TEXT]

Our own igt-protocol tests (igt-tests/*.c, built into $PVD_GUEST_BIN) are
listed in igt-tests/pvdisplay.testlist and run by igt_runner from /pvd/bin,
for the pvdisplay driver only.

Files, in igt-tests/upstream/ (format as in the kernel's drm ci):
  ci.testlist          igt@binary@subtest lines run by `make check`
  full.testlist        more (slower) lines added by `make check-full`
  DRIVER-skips.txt     regexes of tests not to run at all
  DRIVER-fails.txt     binary@subtest,Result for tests known not to pass
Every skips/fails entry needs a "# reason" comment on the lines above it.

A result equal to its expectation passes (known failures are reported as
TODO, not as passes); a new failure, and an unexpected pass, fail the tier
until the expectations are updated.  Results igt reports as "skip" (the
driver lacks what the subtest needs) are reported as skipped.
Suspend and hibernate subtests are rejected: virtiofs cannot suspend.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import PVDISPLAY_DEVICE, Vm, VmError, pvdisplay_module, qemu_has_device  # noqa: E402
from harness.runner import Tap  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LISTS = os.path.join(TOP, "igt-tests", "upstream")
IGT_DIR = "/usr/libexec/igt-gpu-tools"
OWN_LIST = os.path.join(TOP, "igt-tests", "pvdisplay.testlist")
OWN_DIR = "/pvd/bin"            # where the harness puts $PVD_GUEST_BIN


def own_binary(test):
    """Host path of one of our test binaries for igt@binary..., or None."""
    bindir = os.environ.get("PVD_GUEST_BIN", "")
    path = os.path.join(bindir, test.split("@")[1]) if bindir else ""
    return path if path and os.access(path, os.X_OK) else None

DRIVERS = {
    "pvdisplay": {"display_device": PVDISPLAY_DEVICE},
    "bochs": {"display_device": "bochs-display"},
    "virtio-gpu": {"display_device": "virtio-gpu-pci"},
}
# igt result -> expectation spelling (drm ci style).
RESULTS = {"pass": "Pass", "fail": "Fail", "skip": "Skip", "crash": "Crash",
           "timeout": "Timeout", "incomplete": "Crash", "abort": "Crash",
           "warn": "Warn", "dmesg-warn": "DmesgWarn", "dmesg-fail": "DmesgFail",
           "notrun": "NotRun"}
FORBIDDEN = re.compile(r"suspend|hibernate", re.I)
PER_TEST_TIMEOUT = 180
IGT_EXIT_INVALID = 79


class ListError(Exception):
    pass


def read_entries(path, need_reason):
    """(line, reason) pairs of a list file.  The reason of an entry is the
    comment block right above it (or above the entries before it, up to a
    blank line)."""
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
                if need_reason and not reason:
                    raise ListError("%s:%d: %r has no '# reason' comment above it"
                                    % (os.path.basename(path), n, line))
                entries.append((line, reason))
    return entries


def load_lists(driver, which):
    tests = [t for t, _ in read_entries(os.path.join(LISTS, "ci.testlist"), False)]
    if which == "full":
        tests += [t for t, _ in read_entries(os.path.join(LISTS, "full.testlist"), False)]
    if driver == "pvdisplay":
        tests += [t for t, _ in read_entries(OWN_LIST, False)]
    for t in tests:
        if not t.startswith("igt@"):
            raise ListError("test list entry %r does not start with igt@" % t)
        if FORBIDDEN.search(t):
            raise ListError("%s: suspend/hibernate subtests stay out of the lists" % t)
    skips = [(re.compile(r), why) for r, why in
             read_entries(os.path.join(LISTS, driver + "-skips.txt"), True)]
    fails = {}
    for line, why in read_entries(os.path.join(LISTS, driver + "-fails.txt"), True):
        name, _, result = line.rpartition(",")
        if not name or result not in RESULTS.values():
            raise ListError("%s-fails.txt: %r is not 'binary@subtest,Result' with Result "
                            "one of %s" % (driver, line, sorted(set(RESULTS.values()))))
        fails[name] = (result, why)
    return tests, skips, fails


def expand(tests):
    """Replace igt@binary entries by one entry per subtest; binaries without
    subtests stay as they are.  The binaries list their subtests without a
    device, so they run here, chrooted into the guest image: no guest needs
    to boot for that."""
    root = os.environ["PVD_GUEST_ROOT"]
    out = []
    for t in tests:
        if t.count("@") > 1:
            out.append(t)
            continue
        own = own_binary(t)
        cmd = [own] if own else ["chroot", root, os.path.join(IGT_DIR, t.split("@")[1])]
        r = subprocess.run(cmd + ["--list-subtests"], capture_output=True, text=True,
                           timeout=60)
        # igt exits 79 (IGT_EXIT_INVALID) when a binary has no subtests.
        if r.returncode not in (0, IGT_EXIT_INVALID) or (r.returncode and r.stdout.strip()):
            raise ListError("%s --list-subtests failed (rc %s): %s"
                            % (t, r.returncode, r.stderr.strip()))
        subs = r.stdout.split()
        out += [t + "@" + sub for sub in subs] if subs else [t]
    return out


def run_igt(vm, tests, budget):
    """Run tests with igt_runner: upstream ones from igt's directory, ours
    from /pvd/bin (igt_runner takes one test directory per run)."""
    results = {}
    groups = [(IGT_DIR, "igt", [t for t in tests if not own_binary(t)]),
              (OWN_DIR, "own", [t for t in tests if own_binary(t)])]
    for root, name, group in groups:
        if not group:
            continue
        if root == OWN_DIR:
            # igt_runner reads the binaries a test directory holds from there.
            binaries = sorted({t.split("@")[1] for t in group})
            with open(os.path.join(vm.share, "bin", "test-list.txt"), "w") as f:
                f.write("TESTLIST\n%s\nEND TESTLIST\n" % " ".join(binaries))
        listfile = os.path.join(vm.share, "results", name + ".testlist")
        with open(listfile, "w") as f:
            f.write("".join(t + "\n" for t in group))
        out = "/pvd/results/" + name
        cmd = ("igt_runner --test-list /pvd/results/%s.testlist --per-test-timeout %d "
               "--overall-timeout %d -o %s %s; rc=$?; "
               "[ -s %s/results.json ] || igt_results %s; exit $rc"
               % (name, PER_TEST_TIMEOUT, budget, root, out, out, out))
        r = vm.run(cmd, timeout=budget + PER_TEST_TIMEOUT + 120)
        with open(os.path.join(vm.dir, "igt_runner-%s.log" % name), "w") as f:
            f.write(r.stdout + r.stderr)
        path = os.path.join(vm.results, name, "results.json")
        if not os.path.exists(path):
            raise VmError("igt_runner wrote no results.json (rc %s); see %s/igt_runner-%s.log"
                          % (r.rc, vm.dir, name))
        with open(path) as f:
            results.update(json.load(f)["tests"])
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--driver", default=os.environ.get("PVD_IGT_DRIVER") or "pvdisplay",
                    choices=sorted(DRIVERS))
    ap.add_argument("--list", default="ci", choices=["ci", "full"])
    ap.add_argument("--tap")
    ap.add_argument("--filter", default="")
    ap.add_argument("--budget", type=int, default=None,
                    help="seconds igt_runner may spend (default 1500 ci, 14400 full)")
    args = ap.parse_args()
    budget = args.budget or (1500 if args.list == "ci" else 14400)
    tap = Tap(args.tap)
    try:
        return run(tap, args, budget)
    finally:
        tap.finish()


def run(tap, args, budget):
    try:
        tests, skips, fails = load_lists(args.driver, args.list)
    except ListError as e:
        tap.result(False, "igt: expectation lists are valid")
        tap.diag(str(e))
        return 1

    vm_args = dict(DRIVERS[args.driver])
    if args.driver == "pvdisplay":
        missing = []
        if not qemu_has_device(PVDISPLAY_DEVICE):
            missing.append("QEMU has no %s" % PVDISPLAY_DEVICE)
        if pvdisplay_module() is None:
            missing.append("pvdisplay.ko is not built")
        if missing:
            tap.result(False, "igt (%s): %s" % (args.driver, "; ".join(missing)))
            return 1
        vm_args["modules"] = [pvdisplay_module()]

    try:
        tests = expand(tests)
    except (ListError, subprocess.TimeoutExpired) as e:
        tap.result(False, "igt: list the subtests")
        tap.diag(str(e))
        return 1
    run_list = []
    for t in tests:
        name = t[len("igt@"):]
        if args.filter and args.filter not in t:
            continue
        why = next((w for r, w in skips if r.search(name)), None)
        if FORBIDDEN.search(t):
            why = "suspend/hibernate subtests stay out (virtiofs cannot suspend)"
        if why is not None:
            tap.result(True, t, skip=why)
        else:
            run_list.append(t)
    if not run_list:
        return 0

    t0 = time.monotonic()
    vm = Vm(name="igt-" + args.driver, **vm_args)
    results = None
    try:
        vm.start()
        tap.diag("guest up in %.1f s (%s), %d tests, logs in %s"
                 % (vm.boot_seconds, vm.accel, len(run_list), vm.dir))
        results = run_igt(vm, run_list, budget)
    except VmError as e:
        tap.result(False, "igt: run %d tests in the guest" % len(run_list))
        tap.diag(str(e))
    finally:
        splats = vm.stop(check=False)
    if results is None:
        return 1
    tap.diag("boot and igt_runner took %.0f s" % (time.monotonic() - t0))

    # Each listed test, followed by the dynamic subtests igt reported for it.
    names = []
    for t in run_list:
        names.append(t)
        names += sorted(n for n in results if n.startswith(t + "@"))
    for t in names:
        name = t[len("igt@"):]
        got = RESULTS.get(results.get(t, {}).get("result", "notrun"), "Crash")
        # A dynamic subtest (binary@subtest@dynamic) without an entry of its
        # own is expected to do what its subtest does.
        parent = "@".join(name.split("@")[:2])
        want, why = fails.get(name, fails.get(parent, ("Pass", None)))
        if got == want == "Pass":
            tap.result(True, t)
        elif got == "Skip" and want == "Pass":
            tap.result(True, t, skip="igt skipped it")
        elif got == want:
            tap.todo(t, "expected %s: %s" % (want, why))
        elif got == "Pass":
            tap.result(False, "%s (unexpected pass: remove it from %s-fails.txt)"
                       % (t, args.driver))
        else:
            tap.result(False, "%s (expected %s, got %s)" % (t, want, got))
            lines = (results.get(t, {}).get("err") or "").splitlines()
            why = [l for l in lines if re.search(r"CRITICAL|requirement not met", l)]
            tap.diag("\n".join(why[:8] or lines[-15:]))
    # Known failures of tests that are not in the list any more.
    for name in sorted(fails):
        if "igt@" + name not in names and not args.filter:
            tap.diag("note: %s-fails.txt lists %s, which did not run" % (args.driver, name))
    tap.result(not splats, "igt (%s): guest kernel log clean" % args.driver)
    if splats:
        tap.diag("\n".join(splats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
