# SPDX-License-Identifier: MIT
"""Run host-driven test files and report TAP.

A test file is tests/integration/test_*.py.  Its test_* functions run in the
order they are defined.  A function that takes a parameter named vm gets a
guest shared by the file, booted at first use with Vm(name=<file>, **VM)
where VM is an optional dict in the file; functions without parameters get
nothing (and may start their own Vm).  Optional file-level settings:

    VM = {"display_device": "bochs-display"}   # Vm() keyword arguments
    TIMEOUT = 600                               # seconds per test function

A test passes if it returns, is skipped if it raises harness.Skip, and fails
on any other exception, on a timeout, or when the shared guest's kernel log
shows a splat (warning, oops, lockdep, ...) after it.  Each file with a
shared guest adds one more test: the kernel log is clean when the guest
stops.
"""

import argparse
import importlib.util
import inspect
import os
import signal
import sys
import time
import traceback

from . import Skip, Vm
from .vm import VmError


class TestTimeout(BaseException):
    """A test ran out of time (SIGALRM).  Not an Exception: a test's or a
    helper's broad "except Exception" (a probe that may fail) must not
    swallow it and leave the test running without its timeout."""


def _alarm(signum, frame):
    raise TestTimeout("test timed out")


class Tap:
    def __init__(self, path, echo=True):
        """TAP to path (if given) and, with echo, to stdout."""
        self.n = 0
        self.counts = {"pass": 0, "fail": 0, "skip": 0}
        self.out = open(path, "w") if path else None
        self.echo = echo
        self._emit("TAP version 13")

    def _emit(self, line):
        if self.echo:
            print(line, flush=True)
        if self.out:
            self.out.write(line + "\n")
            self.out.flush()

    def diag(self, text):
        for line in str(text).rstrip().splitlines():
            self._emit("# " + line)

    def result(self, ok, name, skip=None, seconds=None, check=False):
        """One result.  check=True marks something that is not a test (a
        kernel log found clean, a list found consistent): summary.sh counts
        it apart."""
        self.n += 1
        if check:
            name = "[check] " + name
        line = "%s %d - %s" % ("ok" if ok else "not ok", self.n, name)
        if skip is not None:
            line += " # SKIP " + skip
            self.counts["skip"] += 1
        else:
            self.counts["pass" if ok else "fail"] += 1
        if seconds is not None and skip is None:
            self._emit("# %s: %.1f s" % (name, seconds))
        self._emit(line)

    def todo(self, name, why):
        """A known failure: "not ok ... # TODO why" (not counted as failed)."""
        self.n += 1
        self.counts["skip"] += 1
        self._emit("not ok %d - %s # TODO %s" % (self.n, name, why))

    def finish(self):
        """The plan, written last and only by a run that completed: a
        runner that dies leaves its TAP without one, which summary.sh
        counts as a failure."""
        self._emit("1..%d" % self.n)
        self.close()

    def bail_out(self, why):
        self._emit("Bail out! %s" % why)
        self.close()

    def close(self):
        if self.out:
            self.out.close()
            self.out = None


def discover(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += [os.path.join(p, f) for f in sorted(os.listdir(p))
                      if f.startswith("test_") and f.endswith(".py")]
        else:
            files.append(p)
    return files


def load(path):
    name = "pvdtest_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_file(tap, path, selector):
    fname = os.path.basename(path)
    try:
        mod = load(path)
    except Skip as e:
        if selector(fname):
            tap.result(True, fname, skip=str(e))
        return
    except Exception:
        tap.result(False, fname + " (import)")
        tap.diag(traceback.format_exc())
        return
    tests = [(n, f) for n, f in vars(mod).items()
             if n.startswith("test_") and inspect.isfunction(f)
             and f.__module__ == mod.__name__]
    tests = [(n, f) for n, f in tests if selector(fname + "::" + n)]
    vm_args = dict(getattr(mod, "VM", {}) or {})
    timeout = int(getattr(mod, "TIMEOUT", 600))
    vm, vm_error = None, None

    for name, func in tests:
        full = "%s::%s" % (fname, name)
        wants_vm = "vm" in inspect.signature(func).parameters
        t0 = time.monotonic()
        signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(timeout)
        try:
            if wants_vm:
                if vm_error is not None:
                    raise VmError("shared guest failed to boot earlier: %s" % vm_error)
                if vm is not None and not vm.alive:
                    # Died after the previous test's checks: its logs
                    # still count, and this test cannot run in it.
                    leftover = vm.stop(check=False)
                    vm = None
                    raise VmError("the shared guest died after the previous test%s"
                                  % "".join("\n  " + line for line in leftover))
                if vm is None:
                    vm = Vm(name=os.path.splitext(fname)[0], **vm_args)
                    try:
                        vm.start()
                    except Exception as e:
                        vm_error = e
                        raise
                    tap.diag("%s: guest up in %.1f s (%s), logs in %s"
                             % (fname, vm.boot_seconds, vm.accel, vm.dir))
                func(vm)
                if not vm.alive:
                    raise VmError("the guest died during the test (QEMU %s)"
                                  % vm.exit_description())
                splats = vm.check_splats()
                if splats:
                    raise AssertionError("kernel splat during the test:\n  "
                                         + "\n  ".join(splats))
            else:
                func()
            signal.alarm(0)
            tap.result(True, full, seconds=time.monotonic() - t0)
        except Skip as e:
            signal.alarm(0)
            tap.result(True, full, skip=str(e) or "skipped")
        except BaseException as e:
            signal.alarm(0)
            if isinstance(e, KeyboardInterrupt):
                if vm:
                    vm.kill("interrupted")
                raise
            tap.result(False, full, seconds=time.monotonic() - t0)
            tap.diag(traceback.format_exc(limit=8))
            if vm is not None:
                tap.diag("guest logs: %s" % vm.dir)
                if isinstance(e, TestTimeout) or not vm.alive:
                    # Unknown guest state: the next test gets a fresh one.
                    leftover = vm.stop(check=False)
                    if leftover:
                        tap.diag("kernel splats:\n" + "\n".join(leftover))
                    vm = None

    if vm is not None:
        t0 = time.monotonic()
        splats = vm.stop(check=False)
        tap.result(not splats, "%s::kernel log clean and QEMU exit 0 at shutdown" % fname,
                   seconds=time.monotonic() - t0, check=True)
        if splats:
            tap.diag("kernel splats or QEMU's end (full logs in %s):\n%s"
                     % (vm.dir, "\n".join(splats)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tap", help="also write TAP to this file")
    ap.add_argument("--filter", default="",
                    help="run only tests whose 'file::function' contains this")
    ap.add_argument("paths", nargs="+", help="test files or directories")
    args = ap.parse_args(argv)

    tap = Tap(args.tap)
    files = discover(args.paths)
    selector = lambda name: args.filter in name  # noqa: E731
    try:
        for path in files:
            run_file(tap, path, selector)
    except BaseException as e:
        tap.bail_out("the runner itself failed: %s: %s" % (type(e).__name__, e))
        raise
    tap.finish()
    c = tap.counts
    print("# %d passed, %d failed, %d skipped" % (c["pass"], c["fail"], c["skip"]))
    return 1 if c["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
