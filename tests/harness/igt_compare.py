# SPDX-License-Identifier: MIT
"""Compare igt_runner's results with a driver's expectations (igt_lists.py).

Pure: no guest, no files.  compare() turns the results of the tests that ran
into one Outcome per test as counted by the igt tier:

  pass       the test passed and no entry expects otherwise
  known      the test did what its entry expects (failure or skip, with the
             entry's message), or is listed as flaky and failed one of the
             timing checks its entry names or ran out of time: reported as
             "not ok # TODO" / "ok # SKIP"
  fail       anything else: a new failure, an unexpected pass (remove the
             entry), a skip nobody expected, a skip or failure for another
             reason than the entry's, a test that did not run

Counting: a subtest with dynamic subtests is counted through them, each
once; the subtest itself adds a result only when it failed outside them (its
own result is worse than all of theirs).  Entries that matched nothing are
stale (stale()): the tier fails on them too, so the files only say what is
true.
"""

from collections import namedtuple

from .igt_lists import FAIL_RESULTS, RESULTS

Outcome = namedtuple("Outcome", "name status got want detail")

_SEVERITY = {"Pass": 0, "Skip": 1, "NotRun": 2}


def _severity(result):
    return _SEVERITY.get(result, 3)


def igt_result(entry):
    """The expectation spelling of one results.json entry."""
    return RESULTS.get((entry or {}).get("result", "notrun"), "Crash")


def _text(entry):
    entry = entry or {}
    return "\n".join(entry.get(k) or "" for k in ("out", "err"))


def _parent(name):
    return "@".join(name.split("@")[:2])


def names_to_report(run_list, results):
    """igt@... names counted for run_list: each test, or its dynamic
    subtests, as described above."""
    names = []
    for t in run_list:
        children = sorted(n for n in results if n.startswith(t + "@"))
        if not children:
            names.append(t)
            continue
        names += children
        worst = max(_severity(igt_result(results[c])) for c in children)
        if _severity(igt_result(results.get(t))) > worst:
            names.append(t)
    return names


def judge(name, entry, expect):
    """One Outcome for test name ("igt@..."), its results.json entry and the
    expectations {name without igt@: Expect}.  Returns (Outcome, the
    expectation key used or None)."""
    short = name[len("igt@"):]
    key = short if short in expect else (_parent(short) if _parent(short) in expect
                                          and short.count("@") > 1 else None)
    want = expect[key] if key else None
    got = igt_result(entry)
    if want is None:
        if got == "Pass":
            return Outcome(name, "pass", got, "Pass", ""), None
        if got == "Skip":
            return Outcome(name, "fail", got, "Pass",
                           "igt skipped it and no expected-skips entry says why"), None
        return Outcome(name, "fail", got, "Pass", "expected Pass, got %s" % got), None
    if want.result == "Flaky":
        # Either way is fine, but only a pass counts as one.  A flaky entry
        # is about timing on a busy host, and its regex names the timing
        # checks it excuses: the same subtest failing any other check (a
        # CRC, a pixel, an event, an errno) is a failure like any other.
        # igt_runner's per-test timeout is taken without a regex: it kills
        # the test, so nothing printed says why, and a slow host is what
        # has run these subtests into it (kms_cursor_legacy's, on the debug
        # kernel beside a second guest).  A driver bug that would hang them
        # instead, an event that never comes, does not go unseen: the same
        # vblank and flip events come to subtests no entry excuses
        # (kms_vblank@crtc-id, kms_flip@basic-plain-flip and more), where
        # igt's own timeout or igt_runner's fails the tier.  A crash, a
        # kernel warning (DmesgWarn/DmesgFail) or igt's own warning is not
        # timing, and a skip is not what the entry is about.
        if got == "Pass":
            return Outcome(name, "pass", got, want.result, ""), key
        if got == "Timeout" or (got == "Fail" and want.message.search(_text(entry))):
            return Outcome(name, "known", got, want.result,
                           "flaky (%s): %s" % (want.where, want.reason or "")), key
        if got == "Fail":
            return Outcome(name, "fail", got, want.result,
                           "Fail, but not on a timing check %s names (/%s/ not in its output)"
                           % (want.where, want.message.pattern)), key
        return Outcome(name, "fail", got, want.result,
                       "listed as flaky (%s), got %s" % (want.where, got)), key
    if got == "Pass":
        return Outcome(name, "fail", got, want.result,
                       "unexpected pass: remove %s (%s)" % (key, want.where)), key
    if got != want.result:
        return Outcome(name, "fail", got, want.result,
                       "expected %s (%s), got %s" % (want.result, want.where, got)), key
    if want.message is not None and not want.message.search(_text(entry)):
        return Outcome(name, "fail", got, want.result,
                       "%s, but not for the reason %s expects (/%s/ not in its output)"
                       % (got, want.where, want.message.pattern)), key
    return Outcome(name, "known", got, want.result, want.reason or ""), key


def compare(run_list, results, expect):
    """Outcomes for the tests that ran, and the expectation keys used.
    igt_runner lower-cases the names it reports (igt@kms_prime@d3hot for
    the subtest D3hot): names are compared in lower case throughout."""
    run_list = [t.lower() for t in run_list]
    results = {k.lower(): v for k, v in results.items()}
    outcomes, used = [], set()
    for name in names_to_report(run_list, results):
        outcome, key = judge(name, results.get(name), expect)
        outcomes.append(outcome)
        if key:
            used.add(key)
    return outcomes, used


def stale(expect, used, ran, listed):
    """Expectation keys that are not true of this run: [(key, why)].

    ran: the igt@... names that ran (after the filter); listed: every name
    the lists can run (ci, full and our own, expanded).  An entry whose test
    ran but matched no result is stale, and so is one that names no listed
    test at all."""
    ran = {t[len("igt@"):].lower() for t in ran}
    listed = {t[len("igt@"):].lower() for t in listed}
    out = []
    for key in sorted(expect):
        if key in used:
            continue
        if key in ran or _parent(key) in ran:
            out.append((key, "%s: matched no result of this run" % expect[key].where))
        elif key not in listed and _parent(key) not in listed:
            out.append((key, "%s: names no test of the lists" % expect[key].where))
    return out


__all__ = ["FAIL_RESULTS", "Outcome", "compare", "igt_result", "judge", "names_to_report",
           "stale"]
