#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Unit tests of how results are counted.  Prints TAP; exits 1 on failure.

Each test_* function builds results the way a tier would (often by running
the real scripts: lib.sh's run_tier, summary.sh, the integration runner) and
checks what the summary makes of them."""

import fnmatch
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(TOP, "tests"))

from harness.igt_compare import compare, names_to_report, stale  # noqa: E402
from harness.igt_lists import Expect, ListError, expand, load_expectations, load_lists  # noqa: E402
from harness.igt_report import by_subtest  # noqa: E402
from tap_runner import run_tests  # noqa: E402

SUMMARY = os.path.join(TOP, "scripts", "check", "summary.sh")
LIB = os.path.join(TOP, "scripts", "check", "lib.sh")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def summary(d, *tiers):
    """Run summary.sh on d/TIER.tap...; (exit status, last stdout line, stderr)."""
    r = subprocess.run(["bash", SUMMARY] + [os.path.join(d, t + ".tap") for t in tiers],
                       capture_output=True, text=True)
    return r.returncode, r.stdout.strip().splitlines()[-1], r.stderr


def tier(d, name, tap, rc):
    write(os.path.join(d, name + ".tap"), tap)
    if rc is not None:
        write(os.path.join(d, name + ".rc"), "%s\n" % rc)


CLEAN = "TAP version 13\nok 1 - a\nok 2 - b # SKIP why\nnot ok 3 - c # TODO known\n1..3\n"


# -- summary.sh ---------------------------------------------------------------

def test_clean_tiers_pass_and_count_tests_apart_from_checks():
    with tempfile.TemporaryDirectory() as d:
        tier(d, "build", "TAP version 13\nok 1 - [check] build x\n1..1\n", 0)
        tier(d, "unit", CLEAN, 0)
        rc, line, err = summary(d, "build", "unit")
        assert rc == 0, (rc, line, err)
        assert line == ("1 passed, 0 failed, 1 skipped, 1 known failures (tests); "
                        "1 passed, 0 failed (checks)"), line


def test_tier_without_plan_fails():
    with tempfile.TemporaryDirectory() as d:
        tier(d, "unit", "TAP version 13\nok 1 - a\n", 0)
        rc, line, err = summary(d, "unit")
        assert rc == 1 and "plan missing" in err, (rc, line, err)


def test_tier_with_fewer_results_than_plan_fails():
    with tempfile.TemporaryDirectory() as d:
        tier(d, "unit", "TAP version 13\nok 1 - a\n1..2\n", 0)
        assert summary(d, "unit")[0] == 1


def test_tier_exiting_nonzero_with_clean_tap_fails():
    with tempfile.TemporaryDirectory() as d:
        tier(d, "unit", CLEAN, 3)
        rc, line, err = summary(d, "unit")
        assert rc == 1 and "exited 3" in err, (rc, line, err)


def test_tier_without_exit_status_fails():
    with tempfile.TemporaryDirectory() as d:
        tier(d, "unit", CLEAN, None)
        rc, line, err = summary(d, "unit")
        assert rc == 1 and "no exit status" in err, (rc, line, err)


def test_missing_or_empty_tier_fails():
    with tempfile.TemporaryDirectory() as d:
        tier(d, "unit", CLEAN, 0)
        tier(d, "lint", "", 0)
        rc, line, err = summary(d, "unit", "lint", "igt")
        assert rc == 1, (rc, line, err)
        assert "lint.tap: missing or empty" in err and "igt.tap: missing" in err, err
        assert line.endswith("0 passed, 2 failed (checks)"), line


def test_failed_check_fails_the_run():
    with tempfile.TemporaryDirectory() as d:
        tier(d, "lint", "TAP version 13\nnot ok 1 - [check] checkpatch x\n1..1\n", 1)
        rc, line, _ = summary(d, "lint")
        assert rc == 1 and line.endswith("0 passed, 1 failed (checks)"), line


# -- lib.sh run_tier ----------------------------------------------------------

def run_tier(d, name, script):
    """Run a fake tier through lib.sh's run_tier, as check.sh does."""
    env = dict(os.environ, PVD_RESULTS=d, PVD_CACHE=os.path.join(d, "cache"))
    subprocess.run(["bash", "-c", '. "$1"; run_tier "$2" bash -c "$3"', "x", LIB, name,
                    script], env=env, check=True, capture_output=True)


def test_tier_that_dies_half_way_turns_the_run_red():
    with tempfile.TemporaryDirectory() as d:
        # Writes two results, then dies before its plan (a crash, an OOM).
        run_tier(d, "crash", 'printf "TAP version 13\\nok 1 - a\\nok 2 - b\\n" '
                 '>"$PVD_RESULTS/crash.tap"; kill -9 $$')
        with open(os.path.join(d, "crash.rc")) as f:
            assert f.read().strip() == "137"
        rc, line, err = summary(d, "crash")
        assert rc == 1, (rc, line, err)


def test_tier_that_writes_nothing_gets_a_failing_result():
    with tempfile.TemporaryDirectory() as d:
        run_tier(d, "quiet", "exit 2")
        with open(os.path.join(d, "quiet.tap")) as f:
            assert "not ok 1 - quiet: the tier exited 2" in f.read()
        assert summary(d, "quiet")[0] == 1


def test_shell_tier_exit_status_follows_its_tap(lib=LIB):
    # A tier written with lib.sh (lint, unit) exits 1 when its TAP holds a
    # failure, however long the TAP, and 0 with only known failures.  (The
    # failure comes first and the TAP is longer than a pipe's buffer: a
    # reader that stops at it must not turn the writer's SIGPIPE into a pass
    # under pipefail.)
    body = ('tap_begin t; tap_result %s "the one"; '
            'seq 100000 | sed "s/^/ok - check /" >>"$TAP_FILE"; tap_status')
    for result, want in (("fail", 1), ("ok", 0)):
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, PVD_RESULTS=d, PVD_CACHE=os.path.join(d, "cache"))
            r = subprocess.run(["bash", "-c", '. "$1"; ' + body % result, "x", lib],
                               env=env, capture_output=True)
            assert r.returncode == want, (result, r.returncode, r.stderr[-500:])


# -- the integration runner ---------------------------------------------------

def run_runner(d, body):
    path = os.path.join(d, "test_inner.py")
    write(path, body)
    tap = os.path.join(d, "integration.tap")
    r = subprocess.run([sys.executable, os.path.join(TOP, "tests", "harness", "run.py"),
                        "--tap", tap, path], capture_output=True, text=True)
    write(os.path.join(d, "integration.rc"), "%d\n" % r.returncode)
    with open(tap) as f:
        return r.returncode, f.read()


def test_runner_that_crashes_writes_no_plan():
    with tempfile.TemporaryDirectory() as d:
        rc, tap = run_runner(d, "def test_a():\n    pass\n\n"
                             "def test_b():\n    raise KeyboardInterrupt\n")
        assert rc != 0 and "ok 1 - test_inner.py::test_a" in tap, (rc, tap)
        assert not re.search(r"^1\.\.", tap, re.M) and "Bail out!" in tap, tap
        assert summary(d, "integration")[0] == 1


def test_runner_killed_writes_no_plan():
    with tempfile.TemporaryDirectory() as d:
        rc, tap = run_runner(d, "import os, signal\n\ndef test_a():\n    pass\n\n"
                             "def test_b():\n    os.kill(os.getpid(), signal.SIGKILL)\n")
        assert rc == -9 and not re.search(r"^1\.\.", tap, re.M), (rc, tap)
        assert summary(d, "integration")[0] == 1


def test_runner_failure_and_skip_are_counted():
    with tempfile.TemporaryDirectory() as d:
        rc, tap = run_runner(d, "from harness import Skip\n\ndef test_a():\n    pass\n\n"
                             "def test_b():\n    assert False\n\n"
                             "def test_c():\n    raise Skip('no')\n")
        assert rc == 1 and tap.rstrip().endswith("1..3"), (rc, tap)
        assert summary(d, "integration")[1].startswith("1 passed, 1 failed, 1 skipped")


# -- igt expectations ---------------------------------------------------------

def lists_dir(d, fails="", skips="", notrun="", flakes=""):
    write(os.path.join(d, "ci.testlist"), "igt@kms_a\n")
    write(os.path.join(d, "full.testlist"), "")
    write(os.path.join(d, "drv-fails.txt"), fails)
    write(os.path.join(d, "drv-expected-skips.txt"), skips)
    write(os.path.join(d, "drv-skips.txt"), notrun)
    write(os.path.join(d, "drv-flakes.txt"), flakes)
    return d


def expect_error(fn, text):
    try:
        fn()
    except ListError as e:
        assert text in str(e), e
    else:
        raise AssertionError("no ListError")


def test_expectation_files_are_checked():
    with tempfile.TemporaryDirectory() as d:
        expect_error(lambda: load_expectations("drv", lists_dir(d, fails="kms_a@x,Fail\n")),
                     "no '# reason'")
        expect_error(lambda: load_expectations("drv", lists_dir(d, fails="# r\nkms_a@x,Bad\n")),
                     "Result one of")
        expect_error(lambda: load_expectations("drv", lists_dir(d, skips="# r\nkms_a@x\n")),
                     "message-regex")
        expect_error(lambda: load_expectations("drv", lists_dir(
            d, fails="# r\nkms_a@x,Fail\n", skips="# r\nkms_a@x,crc\n")), "twice")
        # A flaky entry names the timing check it excuses, as a skip does.
        for bare in ("kms_a@x", "kms_a@x,"):
            expect_error(lambda: load_expectations("drv", lists_dir(
                d, flakes="# missed a frame\n%s\n" % bare)), "message-regex")
        expect_error(lambda: load_expectations("drv", lists_dir(
            d, skips="# r\nkms_a@x,crc\n", flakes="# r\nkms_a@x,seq\n")), "twice")
        expect_error(lambda: load_expectations("drv", lists_dir(
            d, flakes="# r\nkms_a@x,(seq\n")), "bad message regex")
        e = load_expectations("drv", lists_dir(d, fails="# why\nkms_a@x,Fail,boom\n",
                                               skips="# no crc\nkms_a@y,pipe_crc\n",
                                               flakes="# late\nkms_a@z,seq, then \\d+\n"))
        assert e["kms_a@x"].result == "Fail" and e["kms_a@x"].reason == "why"
        assert e["kms_a@y"].result == "Skip" and e["kms_a@y"].message.pattern == "pipe_crc"
        assert e["kms_a@z"].result == "Flaky" and e["kms_a@z"].message.pattern == "seq, then \\d+"
        assert load_lists("drv", "ci", own=False, lists_dir=d).tests == ["igt@kms_a"]


def test_expectations_per_guest_kernel():
    # A fence subtest skips on Debian's kernel (no SW_SYNC) and must pass
    # on the debug kernel: the entry holds for one kernel only.
    with tempfile.TemporaryDirectory() as d:
        lists_dir(d, skips="# no sw_sync\nstock-kernel:kms_a@fence,sw_sync\n",
                  fails="# the debug kernel catches it\ndebug-kernel:kms_a@x,DmesgWarn\n")
        stock = load_expectations("drv", d, kernel="stock")
        debug = load_expectations("drv", d, kernel="debug")
        assert list(stock) == ["kms_a@fence"] and stock["kms_a@fence"].result == "Skip"
        assert list(debug) == ["kms_a@x"] and debug["kms_a@x"].result == "DmesgWarn"
        lists_dir(d, skips="# r\nfast-kernel:kms_a@y,crc\n")
        expect_error(lambda: load_expectations("drv", d, kernel="stock"), "no known kernel")


def test_whole_binary_drops_suspend_subtests():
    # A binary listed whole must not bring its suspend/hibernate subtests
    # (virtiofs cannot suspend), as listing one by name is refused.
    lister = ["sh", "-c", "printf 'read-crc\\nsuspend-read-crc\\nS4-hibernate\\n'"]
    got = expand(["igt@kms_a", "igt@kms_a@read-crc"], lambda t: lister)
    assert got == ["igt@kms_a@read-crc"], got
    with tempfile.TemporaryDirectory() as d:
        write(os.path.join(d, "ci.testlist"), "igt@kms_a@suspend-read-crc\n")
        expect_error(lambda: load_lists("drv", "ci", own=False, lists_dir=d), "suspend")


def res(result, out=""):
    return {"result": result, "out": out, "err": ""}


def ex(result, message=None, reason="r"):
    return Expect(result, re.compile(message) if message else None, reason, "f:1")


def outcome(name, results, expect):
    outcomes, _ = compare([name], results, expect)
    return [(o.name, o.status) for o in outcomes]


def test_unexpected_skip_fails():
    # The virtio-gpu mishap: igt opened no card and skipped everything.
    r = {"igt@kms_a@x": res("skip", "No known gpu found")}
    assert outcome("igt@kms_a@x", r, {}) == [("igt@kms_a@x", "fail")]


def test_expected_skip_must_skip_for_its_reason():
    e = {"kms_a@x": ex("Skip", "igt_require_pipe_crc")}
    good = {"igt@kms_a@x": res("skip", "Test requirement not met in function "
                               "igt_require_pipe_crc")}
    bad = {"igt@kms_a@x": res("skip", "No known gpu found")}
    assert outcome("igt@kms_a@x", good, e) == [("igt@kms_a@x", "known")]
    assert outcome("igt@kms_a@x", bad, e) == [("igt@kms_a@x", "fail")]


def test_expectation_matches_one_result_only():
    e = {"kms_a@x": ex("Fail")}
    assert outcome("igt@kms_a@x", {"igt@kms_a@x": res("fail")}, e)[0][1] == "known"
    for other in ("crash", "skip", "timeout", "pass"):
        assert outcome("igt@kms_a@x", {"igt@kms_a@x": res(other)}, e)[0][1] == "fail", other


def test_test_that_did_not_run_fails():
    assert outcome("igt@kms_a@x", {}, {})[0][1] == "fail"


def test_dynamic_subtests_count_once():
    r = {"igt@kms_a@x": res("pass"), "igt@kms_a@x@pipe-A": res("pass"),
         "igt@kms_a@x@pipe-B": res("pass")}
    assert names_to_report(["igt@kms_a@x"], r) == ["igt@kms_a@x@pipe-A", "igt@kms_a@x@pipe-B"]
    # A failing child makes the parent fail too: still counted once.
    r["igt@kms_a@x@pipe-B"] = res("fail")
    r["igt@kms_a@x"] = res("fail")
    assert names_to_report(["igt@kms_a@x"], r) == ["igt@kms_a@x@pipe-A", "igt@kms_a@x@pipe-B"]
    # The parent failing outside its dynamic subtests is one more result.
    r["igt@kms_a@x@pipe-B"] = res("pass")
    assert names_to_report(["igt@kms_a@x"], r)[-1] == "igt@kms_a@x"


def test_subtest_entry_covers_its_dynamic_subtests():
    e = {"kms_a@x": ex("Fail")}
    r = {"igt@kms_a@x": res("fail"), "igt@kms_a@x@pipe-A": res("fail")}
    outcomes, used = compare(["igt@kms_a@x"], r, e)
    assert [(o.name, o.status) for o in outcomes] == [("igt@kms_a@x@pipe-a", "known")]
    assert used == {"kms_a@x"}


def test_flaky_entry_takes_pass_or_failure_but_not_skip():
    e = {"kms_a@x": ex("Flaky", "missed")}
    assert outcome("igt@kms_a@x", {"igt@kms_a@x": res("pass")}, e)[0][1] == "pass"
    assert outcome("igt@kms_a@x", {"igt@kms_a@x": res("fail", "missed")}, e)[0][1] == "known"
    assert outcome("igt@kms_a@x", {"igt@kms_a@x": res("timeout")}, e)[0][1] == "known"
    assert outcome("igt@kms_a@x", {"igt@kms_a@x": res("skip")}, e)[0][1] == "fail"
    assert outcome("igt@kms_a@x", {}, e)[0][1] == "fail"


def test_flaky_entry_takes_only_the_failure_it_names():
    # A subtest listed for missing a frame that reads a wrong CRC instead
    # fails: the entry's regex names the timing check, not the subtest.
    e = {"kms_a@x": ex("Flaky", r"Failed assertion: ev\.sequence == target")}
    frame = res("fail", "(kms_a:1) CRITICAL: Failed assertion: ev.sequence == target\n"
                "(kms_a:1) CRITICAL: error: 1833 != 1832\n")
    crc = res("fail", "(kms_a:1) igt_pipe_crc-CRITICAL: Failed assertion: "
              "!mismatch || igt_skip_crc_compare\n")
    assert outcome("igt@kms_a@x", {"igt@kms_a@x": frame}, e)[0][1] == "known"
    outcomes, _ = compare(["igt@kms_a@x"], {"igt@kms_a@x": crc}, e)
    assert [o.status for o in outcomes] == ["fail"], outcomes
    assert "ev\\.sequence == target" in outcomes[0].detail, outcomes[0].detail
    assert "not in its output" in outcomes[0].detail, outcomes[0].detail


def test_flaky_entry_takes_a_timeout_whatever_was_printed():
    # igt_runner kills a test that runs out of time: nothing it printed
    # says why, so the entry's regex is not asked for.
    e = {"kms_a@x": ex("Flaky", "vbl.sequence")}
    r = {"igt@kms_a@x": res("timeout", "Starting subtest: x\n")}
    assert outcome("igt@kms_a@x", r, e) == [("igt@kms_a@x", "known")]


def test_flaky_entry_does_not_take_crashes_or_kernel_warnings():
    # Timing makes a check fail or a test run out of time; a crash or a
    # kernel message igt flagged is something else.
    e = {"kms_a@x": ex("Flaky", "missed")}
    for got in ("crash", "abort", "incomplete", "warn", "dmesg-warn", "dmesg-fail"):
        assert outcome("igt@kms_a@x", {"igt@kms_a@x": res(got, "missed")}, e)[0][1] == "fail", got


def test_names_match_in_lower_case():
    # igt_runner reports the subtest D3hot as igt@kms_prime@d3hot.
    e = {"kms_prime@d3hot": ex("Fail")}
    outcomes, used = compare(["igt@kms_prime@D3hot"], {"igt@kms_prime@d3hot": res("fail")}, e)
    assert [o.status for o in outcomes] == ["known"] and used == {"kms_prime@d3hot"}


def test_stale_entries_are_found():
    e = {"kms_a@x": ex("Fail"), "kms_a@y": ex("Fail"), "kms_gone@z": ex("Fail"),
         "kms_b@w": ex("Fail")}
    listed = ["igt@kms_a@x", "igt@kms_a@y", "igt@kms_b@w"]
    # kms_a@y ran and passed (unexpected pass uses the entry: reported there),
    # kms_a@x ran and matched, kms_b@w is listed but did not run (filter).
    _, used = compare(["igt@kms_a@x", "igt@kms_a@y"],
                      {"igt@kms_a@x": res("fail"), "igt@kms_a@y": res("pass")}, e)
    found = [k for k, _ in stale(e, used, ["igt@kms_a@x", "igt@kms_a@y"], listed)]
    assert found == ["kms_gone@z"], found
    # An entry for a dynamic subtest that did not show up is stale.
    e = {"kms_a@x@pipe-C": ex("Fail")}
    _, used = compare(["igt@kms_a@x"], {"igt@kms_a@x": res("pass"),
                                        "igt@kms_a@x@pipe-A": res("pass")}, e)
    assert [k for k, _ in stale(e, used, ["igt@kms_a@x"], listed)] == ["kms_a@x@pipe-C"]


def test_report_compares_subtests_with_their_dynamic_parts_folded():
    # One driver ran a subtest's dynamic parts, another skipped the subtest
    # before them: both compare as the subtest.
    two_heads = {"igt@kms_a@x@pipe-a": "Pass", "igt@kms_a@x@pipe-b": "Fail",
                 "igt@kms_a@y@pipe-a": "Skip", "igt@kms_a@y@pipe-b": "Pass",
                 "igt@kms_a@z@pipe-a": "Skip", "igt@kms_b": "Pass"}
    assert by_subtest(two_heads) == {"igt@kms_a@x": "Fail", "igt@kms_a@y": "Pass",
                                     "igt@kms_a@z": "Skip", "igt@kms_b": "Pass"}
    # The order the results come in does not matter.
    assert by_subtest(dict(reversed(list(two_heads.items())))) == by_subtest(two_heads)
    assert by_subtest({"igt@kms_a@x": "Skip"}) == {"igt@kms_a@x": "Skip"}



# -- the flakes files ---------------------------------------------------------

def igt_failure(binary, expression, *more):
    """The stderr of an igt 2.5 subtest failing igt_assert*(expression), as
    lib/igt_core.c's __igt_fail_assert() logs it; more: the lines it adds
    ("Last errno: ...", igt_assert_eq()'s values, igt_assert_f()'s message)."""
    lines = ["Test assertion failure function f, file ../tests/%s.c:1:" % binary,
             "Failed assertion: " + expression] + list(more)
    return "".join("[31.415926] (%s:321) CRITICAL: %s\n" % (binary, line) for line in lines)


ENOMEM, EBUSY = "Last errno: 12, Cannot allocate memory", "Last errno: 16, Device or resource busy"
EINVAL = "Last errno: 22, Invalid argument"
CALIBRATION = ("!igt_vblank_after(check.reply.sequence, wait.request.sequence)",)
FLIP_EVENT = ("read(display->drm_fd, &vbl, sizeof(vbl)) == sizeof(vbl)", "error: -1 != 32")
CURSOR_SIZING = ("igt_crtc_get_vblank(crtc, 0) == vblank_start", "error: 1235 != 1234")
# Per subtest (fnmatch patterns on binary@subtest): failures of the timing
# checks its flakes entry must take, and failures of its other checks it
# must not (igt 2.5's text for each, from igt's tests/*.c).
FLAKES = {
    "kms_vblank@accuracy-idle": (
        [("vbl.reply.sequence == target", "error: 1833 != 1832"),
         ("ev.sequence == target", "error: 1833 != 1832"),
         ("wait_vblank(fd, &vbl) == 0", ENOMEM, "error: -12 != 0")],
        [("wait_vblank(fd, &vbl) == 0", EINVAL, "error: -22 != 0"),
         ("read(fd, &ev, sizeof(ev)) == sizeof(ev)", "error: -1 != 32"),
         ("poll(&(struct pollfd){fd, POLLIN}, 1, 0) == 0",)]),
    "kms_setmode@basic": (
        [CALIBRATION, ("ev.sequence == last_seq + 1", "error: 1834 != 1833"),
         ("(drmWaitVBlank(drm_fd, &wait)) == 0", ENOMEM)],
        [("status", "VBlank timing test failed after 2 attempt(s)"),
         ("(drmWaitVBlank(drm_fd, &wait)) == 0", EINVAL),
         ("(drmWaitVBlank(drm_fd, &check)) == 0", ENOMEM),
         ("config_failed == !!(tconf->flags & TEST_INVALID)",)]),
    "kms_sequence@queue-idle": (
        [("cqs.sequence == target", "error: 1834 != 1832"),
         ("ev.sequence == target", "error: 1833 != 1832"),
         ("cgs_end.sequence == target", "error: 1833 != 1832"),
         ("crtc_queue_sequence(fd, &cqs) == 0", ENOMEM, "error: -12 != 0")],
        [("crtc_queue_sequence(fd, &cqs) == 0", EINVAL, "error: -22 != 0"),
         ("crtc_get_sequence(fd, &cgs_end) == 0", EINVAL, "error: -22 != 0")]),
    "kms_flip@basic-flip-vs-wf_vblank": (
        [CALIBRATION, ("!retried",)],
        [("timercmp(&es->last_received_ts, &es->current_ts, <)",
          "vblank ts before the vblank was issued!\ntimerdiff -0.001000"),
         ("3 * stddev / mean < 0.005",), ("es->count > 0", "no flip event received"),
         ("ret > 0", "select timed out or error (ret 0)")]),
    "kms_flip@*plain-flip-*": (
        [CALIBRATION, ("!retried",),
         ("timercmp(&es->last_received_ts, &es->current_ts, <)",
          "flip ts before the flip was issued!\ntimerdiff -0.004000")],
        [("diff.tv_sec < 0 || (diff.tv_sec == 0 && diff.tv_usec <= 2000)",
          "flip ts delayed for too long: 0.016000"),
         ("(drmModeRmFB(drm_fd, fb_info->fb_id)) == 0", EBUSY),
         ("3 * stddev / mean < 0.005",), ("ret > 0", "select timed out or error (ret 0)")]),
    "kms_flip@*flip-vs-expired-vblank*": (
        [("end - start < 500",), ("!retried",)],
        [("timercmp(&reply.ts, &o->flip_state.last_ts, ==)",),
         ("(do_page_flip(o, new_fb_id, !(o->flags & (1 << 16)))) == 0", EBUSY)]),
    "kms_flip@*-vs-vblank-race*": (
        [("end - start > 0.9 * actual_frame_time(o) && end - start < 2.6 * "
          "actual_frame_time(o)", "wait for two vblanks took 44123 usec (frame time "
          "16668.000000 usec)"), CALIBRATION, ("!retried",)],
        [("__wait_for_vblank(TEST_VBLANK_BLOCK, o->crtc_index, 2, 0, &reply) == 0", EINVAL),
         ("set_mode(o, 0 , 0, 0) == 0", "failed to disable output: Invalid argument")]),
    "kms_lease@page-flip-implicit-plane": (
        [("(drmModePageFlip(data->lease.fd, data->crtc_id, data->master.primary_fb.fb_id, "
          "0, ((void *)0))) == 0", EBUSY)],
        [("(drmModePageFlip(data->lease.fd, data->crtc_id, data->master.primary_fb.fb_id, "
          "0, ((void *)0))) == 0", "Last errno: 13, Permission denied"),
         ("(drmModePageFlip(data->master.fd, data->crtc_id, data->master.primary_fb.fb_id, "
          "0, ((void *)0))) == 0", EBUSY),
         ("drmModePageFlip(data->lease.fd, data->crtc_id, data->master.primary_fb.fb_id, "
          "0, ((void *)0)) == -13", "error: 0 != -13")]),
    "kms_lease@lease-uevent": (
        [("igt_lease_change_detected(uevent_monitor, 1)",)],
        [("!igt_lease_change_detected(uevent_monitor, 1)",),
         ("mll.count_lessees == 0", "error: 1 != 0")]),
    "kms_cursor_legacy@flip-vs-cursor-*": (
        [CURSOR_SIZING,
         ("igt_crtc_get_vblank(crtc, 0) == vblank_start + 1", "error: 1236 != 1235"),
         ("igt_crtc_get_vblank(crtc, 0) <= vblank_start + 1", "error: 1236 > 1235")],
        [("!ret", EINVAL), ("sched_setscheduler(0, SCHED_IDLE, &parm) == 0",)]),
    "kms_cursor_legacy@cursor-vs-flip-*": (
        [CURSOR_SIZING, ("vbl.sequence <= vblank_start + threshold", "error: 1290 > 1271"),
         ("fail_count == 0",
          "Failed to meet cursor update expectations in 3 out of 50 iterations")],
        [FLIP_EVENT, ("!ret", EINVAL)]),
    "kms_cursor_legacy@2x*-flip-vs-cursor-*": (
        [("vbl.sequence == vblank_start + 1", "error: 1237 != 1235")],
        [FLIP_EVENT, ("vbl.crtc_id == crtc2->crtc_id",)]),
    "kms_cursor_legacy@2x*-cursor-vs-flip-*": (
        [CURSOR_SIZING,
         ("vbl.sequence <= vblank_start[child] + 5 * vrefresh[child] / 8", "error: 1290 > 1271"),
         ("shared[child] > vrefresh[child]*target[child] / 2",
          "completed 313 cursor updated in a period of 30 flips, we expect to complete "
          "approximately 960 updates, with the threshold set at 480")],
        [FLIP_EVENT, ("done[0] == vrefresh[0] / 2", "error: 29 != 30")]),
    "kms_cursor_legacy@*nonblocking-modeset-vs-cursor-atomic": (
        [("0 == poll(&pfd, 1, 0)", "error: 0 != 1")],
        [("1 == poll(&pfd, 1, 0)", "error: 1 != 0"), ("0x001 == pfd.revents", "error: 1 != 0")]),
    "kms_async_flips@alternate-sync-async-flip*": (
        [("data->flip_interval < 1000.0 / (data->refresh_rate * min_flips)",
          "Flip interval not significantly smaller than vblank interval\n"
          "Flip interval: 7.812000ms, Refresh Rate = 60Hz, Threshold = 5")],
        [("0", "Flip Timeout"), ("ret == 0", "error: -16 != 0")]),
    "kms_async_flips@crc*": (
        [("data->frame_count * 2 < data->flip_count", "error: 160 >= 75")],
        [("0", "Flip Timeout"), ("ret == 0", "error: -16 != 0")]),
}
# Failures no flaky entry may take: a wrong CRC, a non-Intel device asked
# an Intel question, and igt's own timeout on an event that never came.
NEVER = [igt_failure("kms_x", "!mismatch || igt_skip_crc_compare"),
         igt_failure("kms_x", "0", "Device is not handled by Intel driver"),
         "Timed out: Stuck page flip\n"]


def test_flakes_entries_take_their_timing_failures_and_no_other():
    checked = set()
    for driver in ("pvdisplay", "virtio-gpu", "bochs"):
        for kernel in ("stock", "debug"):
            flaky = {n: x for n, x in load_expectations(driver, kernel=kernel).items()
                     if x.result == "Flaky"}
            for name, want in flaky.items():
                matches = [p for p in FLAKES if fnmatch.fnmatchcase(name, p)]
                assert len(matches) == 1, (driver, name, matches)
                timing, other = FLAKES[matches[0]]
                binary = name.split("@")[0]
                for check in timing:
                    err = igt_failure(binary, *check)
                    got = compare(["igt@" + name], {"igt@" + name: {
                        "result": "fail", "out": "", "err": err}}, {name: want})[0]
                    assert got[0].status == "known", (driver, name, err, got[0].detail)
                for text in [igt_failure(binary, *check) for check in other] + NEVER:
                    assert not want.message.search(text), (driver, name, text)
                checked.add(matches[0])
    assert checked == set(FLAKES), set(FLAKES) - checked

if __name__ == "__main__":
    sys.exit(run_tests(globals()))
