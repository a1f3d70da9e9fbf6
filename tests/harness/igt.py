# SPDX-License-Identifier: MIT
"""Run the curated upstream igt list in a guest and compare with expectations.

    python3 tests/harness/igt.py [--driver pvdisplay|bochs|virtio-gpu]
        [--list ci|full] [--tap FILE] [--json FILE] [--filter TEXT]

Our own igt-protocol tests (igt-tests/*.c, built into $PVD_GUEST_BIN) are
listed in igt-tests/pvdisplay.testlist and run by igt_runner from /pvd/bin,
for the pvdisplay driver only.  The lists and expectation files are
described in igt_lists.py, the comparison and what counts in igt_compare.py.

Before any test runs, the guest is asked which card igt will open: igt runs
with IGT_FORCE_DRIVER set to the DRM driver under test, and that card must
exist and be bound to the expected kernel driver, or the tier fails without
running anything (igt would otherwise skip every test, "No known gpu found").
Suspend and hibernate subtests are rejected: virtiofs cannot suspend.

PVD_IGT_ALONE_AFTER_PID: the process of a tier running beside this one
(make check-full's integration lane).  The binaries of frame-timing.txt then
run last, after that process has ended, so that this guest is alone on the
host when igt counts its frames.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import PVDISPLAY_DEVICE, Vm, VmError, pvdisplay_module, qemu_has_device  # noqa: E402
from harness.igt_compare import compare, stale  # noqa: E402
from harness.igt_lists import IGT_DIR, ListError, expand, load_frame_timing, load_lists  # noqa: E402
from harness.runner import Tap  # noqa: E402

OWN_DIR = "/pvd/bin"            # where the harness puts $PVD_GUEST_BIN

# vm: Vm() arguments; drm_name: the DRM driver name igt matches
# (IGT_FORCE_DRIVER); kernel_driver: the driver the card's device must be
# bound to in sysfs.  Two heads wherever the device has them, so that the
# lease and display-modes subtests run.
# env: more environment for the tests (kms_pvdisplay checks the preferred
# mode it sees against the size the device was started with).
DRIVERS = {
    "pvdisplay": {"vm": {"display_device": PVDISPLAY_DEVICE, "heads": 2,
                         "xres": 1280, "yres": 800},
                  "env": {"PVD_EXPECT_PREFERRED": "1280x800"},
                  "drm_name": "pvdisplay", "kernel_driver": "pvdisplay"},
    "bochs": {"vm": {"display_device": "bochs-display"},
              "drm_name": "bochs-drm", "kernel_driver": "bochs-drm"},
    "virtio-gpu": {"vm": {"display_device": "virtio-gpu-pci", "heads": 2},
                   "drm_name": "virtio_gpu", "kernel_driver": "virtio_gpu"},
}
PER_TEST_TIMEOUT = 180


def own_binary(test):
    """Host path of one of our test binaries for igt@binary..., or None."""
    bindir = os.environ.get("PVD_GUEST_BIN", "")
    path = os.path.join(bindir, test.split("@")[1]) if bindir else ""
    return path if path and os.access(path, os.X_OK) else None


def binary_cmd(test):
    own = own_binary(test)
    if own:
        return [own]
    return ["chroot", os.environ["PVD_GUEST_ROOT"], os.path.join(IGT_DIR, test.split("@")[1])]


# Shell run in the guest: one line "cardN DRM-NAME KERNEL-DRIVER" per
# primary node, in the order igt tries them (card0 first).  A virtio
# driver's card hangs off the PCI function (bound to virtio-pci); the driver
# under test is the one bound to the virtio device below it.
_CARDS = r"""
for d in /sys/class/drm/card[0-9]*; do
	n=${d##*/card}
	case $n in *[!0-9]*) continue ;; esac
	name=$(cut -d' ' -f1 /sys/kernel/debug/dri/$n/name 2>/dev/null)
	drv=$(readlink -f $d/device/driver 2>/dev/null)
	if [ "${drv##*/}" = virtio-pci ]; then
		drv=$(readlink -f $d/device/virtio*/driver 2>/dev/null)
	fi
	echo "$n card$n ${name:-?} ${drv##*/}"
done | sort -n | cut -d' ' -f2-
"""


def card_under_test(vm, driver):
    """(ok, description): is the card igt opens for driver (the first one
    whose DRM driver name is IGT_FORCE_DRIVER) bound to the driver under
    test?"""
    want = DRIVERS[driver]
    cards = [line.split() for line in vm.run(_CARDS, timeout=60, check=True).stdout.splitlines()]
    seen = ", ".join("%s=%s/%s" % tuple(c) for c in cards) or "no DRM card at all"
    for card, name, kdrv in cards:
        if name == want["drm_name"]:
            if kdrv != want["kernel_driver"]:
                return False, ("%s has DRM driver %s but its device is bound to %s, not %s"
                               % (card, name, kdrv, want["kernel_driver"]))
            return True, "igt opens %s: DRM driver %s, bound to %s" % (card, name, kdrv)
    return False, ("no card with DRM driver %s for igt to open (cards: %s): the %s driver "
                   "did not bind" % (want["drm_name"], seen, want["kernel_driver"]))


def run_igt(vm, tests, budget, driver, part=""):
    """Run tests with igt_runner: upstream ones from igt's directory, ours
    from /pvd/bin (igt_runner takes one test directory per run).  part names
    the run's result directories apart from another run's."""
    results = {}
    groups = [(IGT_DIR, "igt" + part, [t for t in tests if not own_binary(t)]),
              (OWN_DIR, "own" + part, [t for t in tests if own_binary(t)])]
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
        # igt_runner writes results.json with one write() whose length it
        # does not check, and on the virtiofs share that write can come
        # back short when the host is busy (seen once, with two guests side
        # by side).  A results.json that is missing (igt_runner died) or
        # does not parse is made again from the per-test directories, on
        # the guest's tmpfs, and copied over by cp, which finishes short
        # writes.
        cmd = ("igt_runner --test-list /pvd/results/{name}.testlist "
               "--per-test-timeout {per_test} --overall-timeout {budget} -o {root} {out}; "
               "rc=$?; python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "
               "{out}/results.json 2>/dev/null || "
               "{{ echo 'results.json missing or truncated: made again' >&2; "
               "rm -rf {tmp} && cp -a {out} {tmp} && rm -f {tmp}/results.json && "
               "igt_results {tmp} && cp {tmp}/results.json {out}/; }}; exit $rc"
               ).format(name=name, per_test=PER_TEST_TIMEOUT, budget=budget, root=root,
                        out=out, tmp="/tmp/igt-results-" + name)
        env = dict(DRIVERS[driver].get("env", {}),
                   IGT_FORCE_DRIVER=DRIVERS[driver]["drm_name"])
        r = vm.run(cmd, timeout=budget + PER_TEST_TIMEOUT + 120, env=env)
        with open(os.path.join(vm.dir, "igt_runner-%s.log" % name), "w") as f:
            f.write(r.stdout + r.stderr)
        path = os.path.join(vm.results, name, "results.json")
        if not os.path.exists(path):
            raise VmError("igt_runner wrote no results.json (rc %s); see %s/igt_runner-%s.log"
                          % (r.rc, vm.dir, name))
        with open(path) as f:
            try:
                results.update(json.load(f)["tests"])
            except ValueError as e:
                raise VmError("%s does not parse (%s); see %s/igt_runner-%s.log"
                              % (path, e, vm.dir, name))
    return results


def wait_for_exit(pid):
    """Wait until process pid has ended (it is not our child)."""
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            pass
        time.sleep(10)


def run_in_turn(tap, vm, tests, budget, driver, timing):
    """run_igt(); with PVD_IGT_ALONE_AFTER_PID set, the frame-timing
    binaries apart and last, once that process has ended."""
    pid = int(os.environ.get("PVD_IGT_ALONE_AFTER_PID") or 0)
    later = [t for t in tests if t.split("@")[1] in timing] if pid else []
    if not later:
        return run_igt(vm, tests, budget, driver)
    results = run_igt(vm, [t for t in tests if t not in later], budget, driver)
    t0 = time.monotonic()
    tap.diag("%d frame-timing tests (frame-timing.txt) wait for the tier beside this one "
             "(pid %d) to end" % (len(later), pid))
    wait_for_exit(pid)
    tap.diag("waited %.0f s; running them alone" % (time.monotonic() - t0))
    results.update(run_igt(vm, later, budget, driver, "-frame-timing"))
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--driver", default=os.environ.get("PVD_IGT_DRIVER") or "pvdisplay",
                    choices=sorted(DRIVERS))
    ap.add_argument("--list", default="ci", choices=["ci", "full"])
    ap.add_argument("--tap")
    ap.add_argument("--json", help="write each test's result and outcome here")
    ap.add_argument("--filter", default="")
    ap.add_argument("--budget", type=int, default=None,
                    help="seconds igt_runner may spend (default 1500 ci, 14400 full)")
    ap.add_argument("--display-device", default=None,
                    help="boot the guest with this display device instead of the "
                         "driver's own (self-tests: a driver that cannot bind)")
    args = ap.parse_args()
    budget = args.budget or (1500 if args.list == "ci" else 14400)
    tap = Tap(args.tap)
    try:
        rc = run(tap, args, budget)
    except BaseException as e:
        tap.bail_out("igt tier failed: %s: %s" % (type(e).__name__, e))
        raise
    tap.finish()
    return rc


def run(tap, args, budget):
    """Returns 0 if every result is as expected, else 1."""
    own = args.driver == "pvdisplay"
    try:
        lists = load_lists(args.driver, args.list, own=own)
        timing = load_frame_timing()
        tests = expand(lists.tests, binary_cmd)
        # Everything the lists can run, to find entries that name nothing.
        listed = tests if args.list == "full" else \
            expand(load_lists(args.driver, "full", own=own).tests, binary_cmd)
    except ListError as e:
        tap.result(False, "igt: the lists and expectation files are valid", check=True)
        tap.diag(str(e))
        return 1

    vm_args = dict(DRIVERS[args.driver]["vm"])
    if args.display_device:
        vm_args = {"display_device": args.display_device}
    if own:
        missing = []
        if not qemu_has_device(PVDISPLAY_DEVICE):
            missing.append("QEMU has no %s" % PVDISPLAY_DEVICE)
        if pvdisplay_module() is None:
            missing.append("pvdisplay.ko is not built")
        if missing:
            tap.result(False, "igt (%s): %s" % (args.driver, "; ".join(missing)), check=True)
            return 1
        vm_args["modules"] = [pvdisplay_module()]

    run_list, notrun_used = [], set()
    for t in tests:
        if args.filter and args.filter not in t:
            continue
        hit = next((n for n in lists.notrun if n[0].search(t[len("igt@"):])), None)
        if hit:
            notrun_used.add(hit[0].pattern)
            tap.result(True, t, skip="not run (%s): %s" % (hit[2], hit[1]))
        else:
            run_list.append(t)
    failed = 0
    if not args.filter:
        # Not-run entries that match nothing listed say something untrue.
        for regex, _, where in lists.notrun:
            if not any(regex.search(t[len("igt@"):]) for t in listed):
                tap.result(False, "igt: %s matches no listed test (stale entry)" % where,
                           check=True)
                failed += 1
    if not run_list:
        return 1 if failed else 0

    t0 = time.monotonic()
    vm = Vm(name="igt-" + args.driver, **vm_args)
    results = None
    try:
        vm.start()
        tap.diag("guest up in %.1f s (%s), %d tests, logs in %s"
                 % (vm.boot_seconds, vm.accel, len(run_list), vm.dir))
        ok, what = card_under_test(vm, args.driver)
        tap.result(ok, "igt (%s): %s" % (args.driver, what), check=True)
        if ok:
            results = run_in_turn(tap, vm, run_list, budget, args.driver, timing)
    except VmError as e:
        tap.result(False, "igt: run %d tests in the guest" % len(run_list), check=True)
        tap.diag(str(e))
    finally:
        splats = vm.stop(check=False)
    if results is None:
        return 1
    tap.diag("boot and igt_runner took %.0f s" % (time.monotonic() - t0))

    outcomes, used = compare(run_list, results, lists.expect)
    for o in outcomes:
        if o.status == "pass":
            tap.result(True, o.name)
        elif o.status == "known" and o.got == "Skip":
            tap.result(True, o.name, skip="expected skip: %s" % o.detail)
        elif o.status == "known" and o.want == "Flaky":
            tap.todo(o.name, "%s, %s" % (o.got, o.detail))
        elif o.status == "known":
            tap.todo(o.name, "expected %s: %s" % (o.want, o.detail))
        else:
            failed += 1
            tap.result(False, "%s (%s)" % (o.name, o.detail))
            # igt prints its log to both streams: each line once.
            lines = list(dict.fromkeys("\n".join(
                (results.get(o.name) or {}).get(k) or "" for k in ("out", "err")).splitlines()))
            why = [line for line in lines
                   if any(w in line for w in ("CRITICAL", "requirement", "Skipping", "SKIP"))]
            tap.diag("\n".join(why[:8] or lines[-15:]))
    for key, why in stale(lists.expect, used, run_list, listed):
        failed += 1
        tap.result(False, "igt: stale expectation %s (%s)" % (key, why), check=True)
    tap.result(not splats, "igt (%s): guest kernel log clean" % args.driver, check=True)
    if splats:
        failed += 1
        tap.diag("\n".join(splats))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"driver": args.driver, "list": args.list, "kernel": vm.kver,
                       "tests": {o.name: {"result": o.got, "expected": o.want,
                                          "outcome": o.status, "detail": o.detail}
                                 for o in outcomes},
                       "igt": {name: r.get("result") for name, r in results.items()}},
                      f, indent=1, sort_keys=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
