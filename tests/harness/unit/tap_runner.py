# SPDX-License-Identifier: MIT
"""Run a unit test module's test_* functions in source order, print TAP."""

import inspect
import traceback


def run_tests(namespace):
    """namespace: the module's globals().  Returns the exit status: 1 if a
    test raised, else 0."""
    tests = [(n, f) for n, f in sorted(namespace.items(), key=lambda kv: (
        inspect.getsourcelines(kv[1])[1] if inspect.isfunction(kv[1]) else 0))
        if n.startswith("test_") and inspect.isfunction(f)]
    print("TAP version 13")
    failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        try:
            fn()
            print("ok %d - %s" % (i, name))
        except Exception:
            failed += 1
            print("not ok %d - %s" % (i, name))
            print("".join("# " + line + "\n" for line in traceback.format_exc().splitlines()))
    print("1..%d" % len(tests))
    return 1 if failed else 0
