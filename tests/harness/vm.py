# SPDX-License-Identifier: MIT
"""Start a pvdisplay guest under QEMU and drive it from the host.

Runs inside the build sysroot (scripts/env/vm-env.sh sets the environment):

    PVD_QEMU          qemu-system-x86_64 built by scripts/env/qemu.sh
    PVD_QEMU_DATADIR  firmware directory for -L (qemu.sh --datadir)
    PVD_GUEST_ROOT    guest root tree (scripts/env/guest-image.sh)
    PVD_KERNEL        kernel image to boot (the sysroot's vmlinuz)
    PVD_MODULE        pvdisplay.ko to offer the guest (may be empty)
    PVD_GUEST_BIN     directory of our guest test programs (may be empty)
    PVD_RESULTS       where per-VM directories (logs, the run share) go
    PVD_ACCEL         tcg or kvm (optional: probed when unset)
    PVD_VIRTIOFSD     virtiofsd binary (default /usr/libexec/virtiofsd)
    PVD_GUEST_BLK     the guest root as an ext4 image (guest-blk-image.sh),
                      for Vm(root="blk")
    PVD_GUEST_INITRD  an initramfs for that root (optional: the kernel's
                      own drivers must then mount it)

Every step has a timeout.  QEMU and virtiofsd are always stopped by PID, on
stop(), on exceptions and at interpreter exit.
"""

import atexit
import ctypes
import hashlib
import itertools
import json
import os
import select
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter, namedtuple

from .dbus_display import DBusDisplay, start_bus, stop_bus
from .image import Image
from .qmp import Qmp, QmpError, QmpTimeout, _connect_unix
from .xvfb import Xvfb
from .splat import SplatScanner, find_splats

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST_DIR = os.path.join(HERE, "guest")

PVDISPLAY_DEVICE = "virtio-pvdisplay-pci"
# Device property that sets the number of heads, per display device.
HEADS_PROP = {"virtio-pvdisplay-pci": "heads", "virtio-gpu-pci": "max_outputs"}
AGENT_PORT = "org.pvdisplay.agent"
# Kernel command line every guest gets so that memory errors are reported
# (see splat.py): KFENCE samples an allocation every 100 ms, SLUB checks
# (F), red-zones (Z) and poisons (P) its objects.
DEBUG_KERNEL_ARGS = "kfence.sample_interval=100 slab_debug=FZP"
# And with the debug kernel (make check-full), 4-level paging.  TCG's -cpu
# max has LA57, and one boot in the first dozen reported "BUG: KASAN:
# wild-memory-access in do_raw_spin_lock" on a 5-level direct-map address,
# from an interrupt taken inside identify_cpu() (which apparently clears
# the feature bit KASAN's address check reads).  A report of the kernel's
# own boot, not of the tests, and it turns lockdep off for the whole boot.
DEBUG_KERNEL = os.environ.get("PVD_DEBUG_KERNEL") == "1"
if DEBUG_KERNEL:
    DEBUG_KERNEL_ARGS += " no5lvl"
# Under TCG the guest's TSC and its clocksource watchdog (HPET) both count
# host time, but a vCPU thread the host does not run for a while reads
# them far apart, and the kernel then logs "Marking clocksource tsc
# unstable due to frequency skew" at warning level, which igt_runner
# reports as a DmesgWarn of whatever test ran then (kms_cursor_legacy on
# the debug kernel, 2026-12-04).  The skew is the host's scheduling, not
# the clock's: keep the TSC without the watchdog.
TCG_KERNEL_ARGS = "tsc=reliable"
# The kernel log check reads the guest's log records from /dev/kmsg between
# tests; records the ring buffer overwrote before that read are lost to it.
# Both kernels have a 128 KiB buffer, and igt_runner's task dump after a
# per-test timeout is about 120 KiB of text on the debug kernel: its first
# line, which tells the check to let the dump's call traces through, was
# gone when the check read the rest (check-full, 2026-12-04).  2 MiB (with
# the record metadata, 9 MiB of guest RAM on the debug kernel and 10.5 MiB
# on Debian's, as "printk: log buffer data + meta data" says) holds 16.
LOG_KERNEL_ARGS = "log_buf_len=2M"
SCREENDUMPS_KEPT = 4
# How long a kernel log line read from /dev/kmsg may take to reach the
# serial console (printed by a kernel thread, later) before the harness
# stops looking for it there; see Vm._confirm_in_serial().
SERIAL_CATCH_UP = 10
# -M per Vm(machine=): no SATA/SMBus controllers on q35 (nothing uses them;
# their drivers cost boot time), no VMware port.  The i440fx's SMBus is its
# ACPI power-management function: it stays.
MACHINE_ARGS = {"q35": "q35,sata=off,smbus=off,vmport=off", "pc": "pc,vmport=off"}
# Where the guest writes the exit status of its suspend (Vm.suspend()).
SUSPEND_RC = "/tmp/pvd-suspend.rc"


class VmError(Exception):
    """The VM could not be started or stopped as asked."""


class GuestHung(VmError):
    """The guest stopped answering; it has been killed."""


class CommandFailed(VmError):
    def __init__(self, cmd, result):
        super().__init__("guest command %r exited %s%s\nstdout:\n%s\nstderr:\n%s" % (
            cmd, result.rc, " (timed out)" if result.timed_out else "",
            result.stdout, result.stderr))
        self.result = result


class SplatError(VmError):
    """The guest kernel log holds warnings/oopses/lockdep reports."""

    def __init__(self, lines, where):
        super().__init__("guest kernel splat(s) (see %s):\n  %s"
                         % (where, "\n  ".join(lines)))
        self.lines = lines


Result = namedtuple("Result", "rc stdout stderr timed_out duration")
Spawned = namedtuple("Spawned", "pid log")

_live_vms = set()
_counter = itertools.count()


def _stop_all():
    for vm in list(_live_vms):
        vm.kill("interpreter exit")


atexit.register(_stop_all)

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """preexec_fn for QEMU and virtiofsd: SIGKILL them if the harness dies,
    however it dies (even SIGKILL), so no guest outlives its test run."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _interrupted(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


def _catch_termination():
    """SIGTERM/SIGHUP (make interrupted, a CI timeout) unwind like Ctrl-C, so
    guests are stopped on the way out."""
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(sig) is signal.SIG_DFL:
                signal.signal(sig, _interrupted)


def env(name, default=None):
    val = os.environ.get(name, "")
    if val:
        return val
    if default is None:
        raise VmError("%s is not set: run through scripts/env/vm-env.sh "
                      "(make check / make run do)" % name)
    return default


def pvdisplay_module():
    """Path of the built pvdisplay.ko, or None."""
    path = os.environ.get("PVD_MODULE", "")
    return path if path and os.path.exists(path) else None


_devices_cache = {}


def qemu_has_device(name):
    """True if the QEMU binary knows -device name."""
    qemu = env("PVD_QEMU")
    if qemu not in _devices_cache:
        out = subprocess.run([qemu, "-device", "help"], capture_output=True,
                             text=True, timeout=60).stdout
        _devices_cache[qemu] = {
            line.split('"')[1] for line in out.splitlines() if line.startswith("name \"")}
    return name in _devices_cache[qemu]


def detect_accel():
    """kvm if KVM really runs guests here, else tcg.

    /dev/kvm can exist on machines whose CPU exposes no virtualisation (guests
    then hang), so look for vmx/svm and boot the kernel briefly to be sure.
    The answer is cached per CPU and kernel in $PVD_CACHE."""
    forced = os.environ.get("PVD_ACCEL")
    if forced:
        return forced
    with open("/proc/cpuinfo") as f:
        flags = next((line for line in f if line.startswith("flags")), "").split()
    if not ({"vmx", "svm"} & set(flags)) or not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "tcg"
    key = hashlib.sha256(("%s\n%s" % (" ".join(flags), env("PVD_KERNEL"))).encode())
    cache = os.path.join(env("PVD_CACHE", "/tmp"), "kvm-probe-" + key.hexdigest()[:16])
    if os.path.exists(cache):
        with open(cache) as f:
            return f.read().strip()
    # The kernel panics quickly without a root; panic=-1 + -no-reboot exits.
    try:
        out = subprocess.run(
            [env("PVD_QEMU"), "-L", env("PVD_QEMU_DATADIR"), "-accel", "kvm",
             "-M", "q35", "-m", "256", "-nodefaults", "-display", "none",
             "-no-reboot", "-serial", "stdio", "-kernel", env("PVD_KERNEL"),
             "-append", "console=ttyS0 panic=-1"],
            capture_output=True, text=True, timeout=30).stdout
        accel = "kvm" if "Kernel panic" in out else "tcg"
    except subprocess.TimeoutExpired:
        accel = "tcg"
    with open(cache, "w") as f:
        f.write(accel + "\n")
    return accel


def _free_vnc_display():
    for n in range(0, 100):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", 5900 + n))
                return n
            except OSError:
                continue
    raise VmError("no free VNC port in 5900-5999")


class Vm:
    """One guest.  Use as a context manager, or call start() and stop().

    display_device: "virtio-pvdisplay-pci" (default), "virtio-gpu-pci",
        "bochs-display", ... or None for no display device.  It gets id
        "video0".
    heads, xres, yres: display device properties (heads maps to the device's
        own property name); device_props: any other -device properties.
    display: "none" (tests), "vnc", "gtk" (on $DISPLAY, or on an Xvfb screen
        of the Vm's own, see xvfb) or "dbus" (on a private bus the Vm
        starts: dbus_display calls it).
    xvfb: (width, height) of an X server without a screen the Vm starts for
        its GTK window (vm.xvfb drives it).
    vnc: also a VNC server on 127.0.0.1 (vnc_display, picked if None), with
        any display.
    qemu_env: extra environment variables for QEMU (e.g. DISPLAY).
    console_login: a login session on the display's console (tty1), as
        make run gives.
    modules: .ko files (host paths) to load at boot, with their dependencies.
    kernel_args: appended to the kernel command line.
    qemu_args: appended to the QEMU command line.
    files: {name: host path} copied to /pvd/files/name in the guest.
    allow_splats: regexes of kernel log lines this VM provokes on purpose.
    interactive: serial console on this terminal, a shell on it (make run).
    machine: "q35" (default) or "pc" (i440fx).  Guests that suspend to
        RAM more than once need "pc": after an S3 resume SeaBIOS sets up
        the i440fx's ACPI power-management registers again but not the
        q35's (ICH9), so a q35 guest's next suspend request reaches no
        register and returns at once without the machine sleeping.
    pcie_port: put the display device behind a PCIe root port, where it is
        a PCIe function with function-level reset (sysfs "reset"); on the
        root complex it has no reset method.
    root: "virtiofs" (default) or "blk": the root and the run share on
        virtio-blk images instead (read-only root image from
        $PVD_GUEST_BLK, a fresh share image per VM), for guests that must
        suspend or migrate, which virtiofs prevents.  What the guest
        writes under /pvd then stays in the share image.
    """

    def __init__(self, name="vm", display_device=PVDISPLAY_DEVICE, heads=None,
                 xres=None, yres=None, device_props=None, extra_devices=(),
                 display="none", vnc_display=None, vnc=False, xvfb=None, qemu_env=None,
                 memory=2048, smp=2, modules=(), kernel_args="", qemu_args=(),
                 files=None, boot_timeout=None, allow_splats=(),
                 interactive=False, console_login=False, root="virtiofs",
                 pcie_port=False, machine="q35"):
        self.name = name
        self.display_device = display_device
        self.device_props = dict(device_props or {})
        if heads is not None:
            if display_device not in HEADS_PROP:
                raise VmError("%s has no heads property" % display_device)
            self.device_props[HEADS_PROP[display_device]] = heads
        if xres is not None:
            self.device_props["xres"] = xres
        if yres is not None:
            self.device_props["yres"] = yres
        self.extra_devices = list(extra_devices)
        self.display = display
        self.vnc_display = vnc_display
        self.memory = memory
        self.smp = smp
        self.modules = list(modules)
        self.kernel_args = kernel_args
        self.qemu_args = list(qemu_args)
        self.files = dict(files or {})
        self.allow_splats = list(allow_splats)
        self.interactive = interactive
        self.console_login = console_login
        self.qemu_env = dict(qemu_env or {})
        self.xvfb_size = xvfb
        if root not in ("virtiofs", "blk"):
            raise VmError("unknown root %r" % root)
        self.root = root
        self.pcie_port = pcie_port
        if machine not in ("q35", "pc"):
            raise VmError("unknown machine %r" % machine)
        if pcie_port and machine != "q35":
            raise VmError("pcie_port needs machine='q35'")
        self.machine = machine
        self.accel = detect_accel()
        self.boot_timeout = boot_timeout or (60 if self.accel == "kvm" else 300)
        # How long past a command's own timeout the guest may take to answer
        # before it counts as hung.
        self.answer_margin = 60

        self.qemu = None
        # Set when the harness itself killed QEMU (kill() with a reason, or
        # a QEMU that did not quit): its exit status is then ours.
        self.killed_by_harness = False
        self.qmp_conn = None
        self.virtiofsd = []
        self.dbus_bus = None
        self.dbus_display = None
        self.xvfb = None
        self.agent = None
        self.boot_seconds = None
        self.splats = []
        self._agent_buf = b""
        self._answers = {}
        self._send_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._req = itertools.count(1)
        self._kmsg_seq = -1
        self._kmsg_scanner = SplatScanner()
        self.kmsg_lost = 0
        self._reported = Counter()
        self._spawns = itertools.count()
        self.kver = None

        stamp = "%s-%s-%d-%d" % (name, time.strftime("%Y%m%d-%H%M%S"),
                                 os.getpid(), next(_counter))
        self.dir = os.path.join(env("PVD_RESULTS"), "vm", stamp)
        self.share = os.path.join(self.dir, "share")
        self.results = os.path.join(self.share, "results")
        self.serial_log = os.path.join(self.dir, "serial.log")
        self.sockdir = None
        if (display == "vnc" or vnc) and vnc_display is None:
            self.vnc_display = _free_vnc_display()

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, etype, value, tb):
        # Do not hide the test's own exception behind a splat report.
        self.stop(check=etype is None)

    def start(self):
        _catch_termination()
        _live_vms.add(self)
        # Unix socket paths are limited to 108 bytes: keep them short.
        self.sockdir = tempfile.mkdtemp(prefix="pvd-")
        try:
            self._prepare_share()
            if self.root == "blk":
                self._make_share_image()
            else:
                self._start_virtiofsd("root", env("PVD_GUEST_ROOT"), readonly=True)
                self._start_virtiofsd("run", self.share, readonly=False)
            if self.xvfb_size:
                self.xvfb = Xvfb(*self.xvfb_size, logdir=self.dir,
                                 preexec_fn=_die_with_parent).start()
                self.qemu_env.update(self.xvfb.env)
            if self.display == "dbus":
                self.dbus_bus, address = start_bus(self.sockdir, self.dir,
                                                   _die_with_parent)
                self.dbus_display = DBusDisplay(address)
            self._start_qemu()
            # QEMU creates its sockets before the guest runs; a QEMU that
            # refuses its command line exits instead: say why at once.
            deadline = time.monotonic() + 30
            while not os.path.exists(self._sock("qmp")):
                if self._qemu_died():
                    raise VmError("QEMU exited at start (status %s)%s"
                                  % (self.qemu.returncode, self._fail_info()))
                if time.monotonic() > deadline:
                    self._hung("QEMU did not create its QMP socket in 30 s")
                time.sleep(0.05)
            try:
                self.qmp_conn = Qmp(self._sock("qmp"), timeout=30,
                                    alive=lambda: not self._qemu_died())
            except (OSError, QmpError) as e:
                try:
                    self.qemu.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    raise e from None
                raise VmError("QEMU exited at start (status %s)%s"
                              % (self.qemu.returncode, self._fail_info())) from e
            self._wait_agent()
        except BaseException:
            self.kill("start failed")
            raise
        return self

    def _sock(self, name):
        return os.path.join(self.sockdir, name + ".sock")

    def _prepare_share(self):
        os.makedirs(self.results)
        shutil.copy(os.path.join(GUEST_DIR, "init.sh"), os.path.join(self.share, "init"))
        shutil.copy(os.path.join(GUEST_DIR, "agent.py"), self.share)
        shutil.copytree(os.path.join(GUEST_DIR, "bin"), os.path.join(self.share, "bin"))
        guest_bin = os.environ.get("PVD_GUEST_BIN", "")
        if guest_bin and os.path.isdir(guest_bin):
            # Our guest test programs, next to the helpers in /pvd/bin.
            for f in os.listdir(guest_bin):
                src = os.path.join(guest_bin, f)
                if os.path.isfile(src) and os.access(src, os.X_OK):
                    shutil.copy(src, os.path.join(self.share, "bin"))
        mods = []
        if self.modules:
            os.makedirs(os.path.join(self.share, "modules"))
        for ko in self.modules:
            shutil.copy(ko, os.path.join(self.share, "modules"))
            mods.append("modules/" + os.path.basename(ko))
        if self.files:
            os.makedirs(os.path.join(self.share, "files"))
        for name, src in self.files.items():
            dst = os.path.join(self.share, "files", name)
            (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, dst)
        with open(os.path.join(self.share, "config.sh"), "w") as f:
            f.write("PVD_MODULES=%s\n" % shlex.quote(" ".join(mods)))
            f.write("PVD_CONSOLE_SHELL=%d\n" % (1 if self.interactive else 0))
            f.write("PVD_CONSOLE_LOGIN=%d\n" % (1 if self.console_login else 0))

    def _make_share_image(self):
        """The run share as a small ext4 image (root="blk")."""
        self.share_image = os.path.join(self.dir, "share.img")
        subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "pvdrun", "-d", self.share,
                        self.share_image, "256M"], check=True, timeout=120,
                       stdout=subprocess.DEVNULL)

    def _start_virtiofsd(self, tag, directory, readonly):
        log = open(os.path.join(self.dir, "virtiofsd-%s.log" % tag), "w")
        cmd = [env("PVD_VIRTIOFSD", "/usr/libexec/virtiofsd"),
               "--socket-path", self._sock("fs-" + tag), "--shared-dir", directory,
               "--sandbox", "none", "--cache", "always" if readonly else "auto"]
        if readonly:
            cmd.append("--readonly")
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=_die_with_parent)
        log.close()
        self.virtiofsd.append(proc)
        deadline = time.monotonic() + 20
        while not os.path.exists(self._sock("fs-" + tag)):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise VmError("virtiofsd for %s did not start; log: %s"
                              % (directory, log.name))
            time.sleep(0.05)

    def qemu_command(self):
        mem = "%dM" % self.memory
        if self.root == "blk":
            # noload: the image is read-only, never replay its journal.
            root = ("root=/dev/vda rootfstype=ext4 rootflags=noload ro "
                    "init=/usr/local/sbin/pvd-init-blk ")
        else:
            root = "root=pvdroot rootfstype=virtiofs ro init=/usr/local/sbin/pvd-init "
        cmdline = ("console=ttyS0,115200 " + root + "panic=-1 8250.nr_uarts=1 "
                   # Module loads are slow under TCG: skip the useless ones.
                   "modprobe.blacklist=iTCO_wdt,pcspkr "
                   # A loaded 2-core host slows TCG vCPUs down a lot: give
                   # the stall detectors room so they only fire on real hangs.
                   "rcupdate.rcu_cpu_stall_timeout=60 watchdog_thresh=60 "
                   # Memory-safety reports the stock kernel can give without
                   # a rebuild: KFENCE sampling (off by default), SLUB
                   # sanity checks, red zones and poisoning.
                   + DEBUG_KERNEL_ARGS + " "
                   + (TCG_KERNEL_ARGS + " " if self.accel != "kvm" else "")
                   + LOG_KERNEL_ARGS + " "
                   + self.kernel_args).strip()
        accel = self.accel if self.accel == "kvm" else "tcg,thread=multi"
        cmd = [env("PVD_QEMU"), "-L", env("PVD_QEMU_DATADIR"),
               # No nested virtualisation.
               "-name", self.name, "-M", MACHINE_ARGS[self.machine],
               "-accel", accel,
               "-cpu", "host,-vmx,-svm" if self.accel == "kvm" else "max,-vmx,-svm",
               "-smp", str(self.smp), "-m", mem,
               "-object", "memory-backend-memfd,id=mem,size=%s,share=on" % mem,
               "-numa", "node,memdev=mem",
               "-nodefaults", "-no-user-config", "-no-reboot",
               "-kernel", env("PVD_KERNEL"), "-append", cmdline,
               "-qmp", "unix:%s,server=on,wait=off" % self._sock("qmp")]
        if self.root == "blk":
            # Debian's kernel has virtio-blk and ext4 as modules: its
            # initramfs loads them and mounts the root (then runs init=).
            if os.environ.get("PVD_GUEST_INITRD"):
                cmd += ["-initrd", env("PVD_GUEST_INITRD")]
            cmd += ["-drive", "if=none,id=root,format=raw,readonly=on,file="
                    + env("PVD_GUEST_BLK"),
                    "-device", "virtio-blk-pci,drive=root",
                    "-drive", "if=none,id=run,format=raw,file=" + self.share_image,
                    "-device", "virtio-blk-pci,drive=run"]
        else:
            for tag in ("root", "run"):
                cmd += ["-chardev", "socket,id=fs-%s,path=%s" % (tag, self._sock("fs-" + tag)),
                        "-device", "vhost-user-fs-pci,chardev=fs-%s,tag=pvd%s" % (tag, tag)]
        cmd += ["-chardev", "socket,id=agent,path=%s,server=on,wait=off" % self._sock("agent"),
                "-device", "virtio-serial-pci,id=vser",
                "-device", "virtserialport,bus=vser.0,chardev=agent,name=" + AGENT_PORT]
        if self.interactive:
            cmd += ["-chardev", "stdio,id=serial0,mux=on,signal=off,logfile=" + self.serial_log,
                    "-serial", "chardev:serial0", "-mon", "chardev=serial0,mode=readline"]
        else:
            cmd += ["-chardev", "file,id=serial0,path=" + self.serial_log,
                    "-serial", "chardev:serial0"]
        if self.display_device:
            props = "".join(",%s=%s" % (k, _prop(v)) for k, v in self.device_props.items())
            if self.pcie_port:
                cmd += ["-device", "pcie-root-port,id=pvd-rp0,bus=pcie.0,chassis=1"]
                props += ",bus=pvd-rp0"
            cmd += ["-device", "%s,id=video0%s" % (self.display_device, props)]
        for dev in self.extra_devices:
            cmd += ["-device", dev]
        if self.display == "vnc":
            cmd += ["-display", "none"]
        elif self.display == "dbus":
            # QEMU's option syntax would split the address at its commas.
            cmd += ["-display", "dbus,addr=" + self.dbus_display.address.replace(",", ",,")]
        elif self.display in ("none", "gtk"):
            cmd += ["-display", self.display]
        else:
            raise VmError("unknown display %r" % self.display)
        if self.vnc_display is not None:
            cmd += ["-vnc", "127.0.0.1:%d" % self.vnc_display]
        return cmd + self.qemu_args

    def _start_qemu(self):
        cmd = self.qemu_command()
        with open(os.path.join(self.dir, "qemu-cmdline.txt"), "w") as f:
            f.write(" ".join(shlex.quote(c) for c in cmd) + "\n")
        environ = dict(os.environ, **self.qemu_env)
        if self.interactive:
            self.qemu = subprocess.Popen(cmd, env=environ, preexec_fn=_die_with_parent)
        else:
            log = open(os.path.join(self.dir, "qemu.log"), "w")
            self.qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         env=environ, preexec_fn=_die_with_parent)
            log.close()
        self._t0 = time.monotonic()

    def exit_description(self):
        """How QEMU ended, in words (for failure messages)."""
        if self.qemu is None:
            return "never started"
        status = self.qemu.poll()
        by_us = " (by the harness)" if status and status < 0 and self.killed_by_harness else ""
        return _exit_words(status) + by_us

    def _qemu_died(self):
        return self.qemu is None or self.qemu.poll() is not None

    def _fail_info(self):
        tail = ""
        for path in (os.path.join(self.dir, "qemu.log"), self.serial_log):
            try:
                with open(path, errors="replace") as f:
                    lines = f.read().splitlines()[-15:]
                tail += "\n--- %s (tail) ---\n%s" % (path, "\n".join(lines))
            except OSError:
                pass
        return tail

    def _wait_agent(self):
        self.agent = _connect_unix(self._sock("agent"), 30,
                                   alive=lambda: not self._qemu_died())
        deadline = time.monotonic() + self.boot_timeout
        while True:
            msg = self._agent_read()
            if msg is not None and msg.get("hello") == "pvd-agent":
                break
            if time.monotonic() > deadline:
                self._hung("the guest agent did not start within %d s" % self.boot_timeout)
        self.boot_seconds = round(time.monotonic() - self._t0, 2)
        self.guest_uptime_at_agent = msg.get("uptime")
        self.kver = self.run("uname -r", timeout=30).stdout.strip()

    def _hung(self, what):
        info = self._fail_info()
        self.kill(what)
        raise GuestHung("%s; VM killed%s" % (what, info))

    def _agent_read(self):
        """One JSON line from the agent, or None if none came within 0.5 s.
        Raises VmError if QEMU died or closed the connection."""
        while b"\n" not in self._agent_buf:
            if self._qemu_died():
                rc = self.qemu.returncode if self.qemu else None
                self.kill("QEMU exited")
                raise VmError("QEMU exited (status %s)%s" % (rc, self._fail_info()))
            ready, _, _ = select.select([self.agent], [], [], 0.5)
            if not ready:
                return None
            chunk = self.agent.recv(65536)
            if not chunk:
                self.kill("agent socket closed")
                raise VmError("agent connection closed by QEMU%s" % self._fail_info())
            self._agent_buf += chunk
        line, self._agent_buf = self._agent_buf.split(b"\n", 1)
        return json.loads(line)

    def stop(self, check=True):
        """Collect the kernel log, quit QEMU, stop virtiofsd, scan for splats.

        Returns the splat lines not reported before, and a line for a QEMU
        that ended with a non-zero status the harness did not cause (a
        crash, an abort) or did not end within 15 s of "quit"; with
        check=True raises SplatError if there are any."""
        if self.qemu is None:
            return []
        new = []
        if not self._qemu_died() and self.agent is not None:
            try:
                with open(os.path.join(self.dir, "dmesg.txt"), "w") as f:
                    f.write(self.dmesg(timeout=60))
                new = self.check_splats()
            except VmError:
                pass
        if not self._qemu_died() and self.qmp_conn is not None:
            try:
                self.qmp_conn.command("quit", timeout=10)
            except (QmpError, QmpTimeout, OSError):
                pass
        try:
            status = self.qemu.wait(timeout=15)
        except subprocess.TimeoutExpired:
            status = None
        harness_killed = self.killed_by_harness
        self.kill(None)
        new += self.check_splats(final=True)
        if status is None:
            new.append("QEMU did not exit within 15 s of quit")
        elif status != 0 and not harness_killed:
            new.append("QEMU %s" % self.exit_description())
        if new and check:
            raise SplatError(new, self.dir)
        return new

    def kill(self, why):
        """Kill QEMU and virtiofsd by PID, now.  Safe to call repeatedly."""
        if why and self.qemu is not None and self.qemu.poll() is None:
            with open(os.path.join(self.dir, "killed.txt"), "a") as f:
                f.write("killed: %s\n" % why)
        procs = ([self.qemu] if self.qemu else []) + self.virtiofsd
        if self.qemu is not None and self.qemu.poll() is None:
            self.killed_by_harness = True
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL if p is self.qemu else signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        if self.dbus_bus is not None:
            stop_bus(self.dbus_bus)
            self.dbus_bus = None
        if self.xvfb is not None:
            self.xvfb.stop()
        for conn in (self.agent, self.qmp_conn):
            if conn is not None:
                conn.close()
        self.agent = self.qmp_conn = None
        if self.sockdir:
            shutil.rmtree(self.sockdir, ignore_errors=True)
        _live_vms.discard(self)

    @property
    def alive(self):
        return not self._qemu_died()

    def reconnect_agent(self):
        """After the guest rebooted: wait for its new agent."""
        if self.agent is not None:
            self.agent.close()
        self.agent = None
        self._agent_buf = b""
        self._answers.clear()
        self._kmsg_seq = -1
        self._kmsg_scanner = SplatScanner()
        self.kmsg_lost = 0
        self._wait_agent()

    def suspend(self, timeout=120):
        """Suspend the guest to RAM (ACPI S3) and return once QEMU reports
        it suspended.  The guest needs root="blk" (virtiofs refuses to
        suspend) and, to suspend more than once, machine="pc" (see
        there).  Wake it with wakeup().  The guest writes the exit status
        of its `echo mem > /sys/power/state` to SUSPEND_RC once it is
        back."""
        # Started in a session of its own and delayed, so that the agent's
        # answer is out before userspace freezes.
        self.run("rm -f %s" % SUSPEND_RC, timeout=30, check=True)
        writer = self.spawn("sleep 3; echo mem >/sys/power/state; echo $? >%s" % SUSPEND_RC)
        deadline = time.monotonic() + timeout
        while self.qmp("query-status")["status"] != "suspended":
            if time.monotonic() > deadline:
                # Not asleep, so the guest may still answer: say why, and
                # where the suspending shell waits (in its sleep, or in the
                # write to /sys/power/state: the kernel stack under it).
                try:
                    why = self.run(
                        "cat %s; ps -eo pid,ppid,stat,wchan:30,etimes,args | grep -v ']$'; "
                        "echo '== kernel stack of %d'; cat /proc/%d/stack; dmesg | tail -25"
                        % (SUSPEND_RC, writer.pid, writer.pid), timeout=30).stdout
                except VmError as e:
                    why = "(no answer: %s)" % e
                raise VmError("the guest did not suspend within %d s; exit status of "
                              "the suspend, the guest's processes, the suspending shell's "
                              "stack, then the kernel log's tail:\n%s" % (timeout, why))
            time.sleep(0.2)

    def wakeup(self, timeout=None):
        """Wake a suspended guest from the host (QMP system_wakeup) and
        return once its agent answers again.  The debug kernel (KASAN,
        lockdep) under TCG takes about two minutes to resume: it gets
        longer."""
        timeout = timeout or (420 if DEBUG_KERNEL else 120)
        self.qmp("system_wakeup")
        self._relink_agent(timeout)

    def _relink_agent(self, timeout):
        """After a resume: reconnect to the agent's port until a ping is
        answered.

        The guest's virtio_console restore (Debian's 7.3 kernel) asks QEMU
        for each port's host state (PORT_READY) before it gives the control
        receive queue any buffer; QEMU's answer, PORT_OPEN, finds the queue
        empty and is dropped.  The guest then believes nobody is connected
        on the host side: a read with nothing queued returns end-of-file and
        every write blocks, so the agent gets requests but its answers never
        leave.  A new connection on the host side makes QEMU send PORT_OPEN
        again (if the guest has not refilled the queue yet, it is lost
        again: hence the retries)."""
        deadline = time.monotonic() + timeout
        with self._read_lock:
            while True:
                self.agent.close()
                self.agent = _connect_unix(self._sock("agent"), 30,
                                           alive=lambda: not self._qemu_died())
                self._agent_buf = b""
                rid = next(self._req)
                self.agent.sendall(json.dumps({"op": "ping", "id": rid}).encode() + b"\n")
                attempt_end = min(deadline, time.monotonic() + 10)
                while time.monotonic() < attempt_end:
                    msg = self._agent_read()
                    if msg is None:
                        continue
                    # Any ping answer will do, this one's or an earlier
                    # attempt's: the way back is open.
                    if msg.get("pong"):
                        return
                    self._answers[msg.get("id")] = msg
                if time.monotonic() >= deadline:
                    self._hung("the guest agent did not answer within %d s of the "
                               "wakeup" % timeout)

    def migrate(self, timeout=600):
        """Live-migrate the guest to a second QEMU on this host (root="blk"
        only: virtiofs blocks migration) started paused (-S).  Returns
        (last, first): screendumps of head 0 on the stopped source and on
        the destination before it runs; then the destination runs, the
        source is gone, and this Vm drives the destination."""
        if self.root != "blk":
            raise VmError("migration needs Vm(root='blk')")
        src_qemu, src_qmp, src_sockdir = self.qemu, self.qmp_conn, self.sockdir
        n = next(_counter)
        self.sockdir = tempfile.mkdtemp(prefix="pvd-")
        mig = self._sock("migrate")
        serial = os.path.join(self.dir, "serial-%d.log" % n)
        old_serial, self.serial_log = self.serial_log, serial
        cmd = self.qemu_command() + ["-incoming", "unix:" + mig, "-S"]
        log = open(os.path.join(self.dir, "qemu-%d.log" % n), "w")
        dst = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True,
                               preexec_fn=_die_with_parent)
        log.close()
        try:
            deadline = time.monotonic() + 30
            while not os.path.exists(mig):
                if dst.poll() is not None or time.monotonic() > deadline:
                    raise VmError("destination QEMU did not start (log: %s)" % log.name)
                time.sleep(0.05)
            dst_qmp = Qmp(self._sock("qmp"), timeout=30, alive=lambda: dst.poll() is None)
            src_qmp.command("migrate", {"uri": "unix:" + mig}, timeout=30)
            deadline = time.monotonic() + timeout
            while True:
                st = src_qmp.command("query-migrate", timeout=30).get("status")
                if st == "completed":
                    break
                if st in ("failed", "cancelled") or time.monotonic() > deadline:
                    raise VmError("migration %s (qemu log: %s)" % (st, log.name))
                time.sleep(0.2)
            self.qemu, self.qmp_conn = src_qemu, src_qmp
            last = self.screendump(path=os.path.join(self.dir, "migrate-%d-src.ppm" % n))
            self.qemu, self.qmp_conn = dst, dst_qmp
            first = self.screendump(path=os.path.join(self.dir, "migrate-%d-dst.ppm" % n))
            dst_qmp.command("cont", timeout=30)
        except BaseException:
            if dst.poll() is None:
                dst.kill()
                dst.wait(timeout=10)
            self.qemu, self.qmp_conn = src_qemu, src_qmp
            shutil.rmtree(self.sockdir, ignore_errors=True)
            self.sockdir, self.serial_log = src_sockdir, old_serial
            raise
        try:
            src_qmp.command("quit", timeout=10)
        except (QmpError, QmpTimeout, OSError):
            pass
        try:
            src_status = src_qemu.wait(timeout=15)
        except subprocess.TimeoutExpired:
            src_qemu.kill()
            src_qemu.wait(timeout=10)
            src_status = None
        src_qmp.close()
        shutil.rmtree(src_sockdir, ignore_errors=True)
        if self.agent is not None:
            self.agent.close()
        self.agent = _connect_unix(self._sock("agent"), 30, alive=lambda: not self._qemu_died())
        self._agent_buf = b""
        if src_status != 0:
            raise VmError("the migration source's QEMU %s after quit" % (
                "did not exit within 15 s" if src_status is None
                else _exit_words(src_status)))
        return last, first

    # -- guest commands ----------------------------------------------------

    def run(self, cmd, timeout=60, check=False, input=None, env=None, cwd=None):
        """Run cmd (shell text, or an argv list) in the guest as root.

        Returns Result(rc, stdout, stderr, timed_out, duration).  After
        timeout seconds the guest kills the command (rc -9, timed_out).  If
        the guest does not answer within timeout + answer_margin (60 s) it
        is considered hung and killed (GuestHung).  check=True raises CommandFailed unless rc 0.
        Background processes the command leaves in its session are killed
        when it returns: use spawn() for those."""
        if self.agent is None:
            raise VmError("VM %s is not running" % self.name)
        req = {"op": "run", "cmd": cmd, "timeout": timeout}
        if input is not None:
            req["input"] = input
        if env:
            req["env"] = env
        if cwd:
            req["cwd"] = cwd
        msg = self._agent_call(req, timeout + self.answer_margin)
        res = Result(msg["rc"], msg["stdout"], msg["stderr"], msg["timed_out"],
                     msg["duration"])
        if check and res.rc != 0:
            raise CommandFailed(cmd, res)
        return res

    def _agent_call(self, req, timeout):
        """Send one request; return the agent's answer.  A guest that does
        not answer within timeout seconds is killed (GuestHung).  Callers
        may be in several threads: whoever holds the read lock reads the
        next answer and files it under its id."""
        if self.agent is None:
            raise VmError("VM %s is not running" % self.name)
        rid = next(self._req)
        with self._send_lock:
            self.agent.sendall(json.dumps(dict(req, id=rid)).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._hung("no answer from the guest within %d s to %r" % (timeout, req))
            if not self._read_lock.acquire(timeout=min(left, 1)):
                continue
            try:
                if rid in self._answers:
                    msg = self._answers.pop(rid)
                    break
                if self.agent is None:
                    raise VmError("VM %s was stopped" % self.name)
                msg = self._agent_read()
                if msg is not None:
                    if msg.get("hello"):
                        raise VmError("guest agent restarted while handling %r" % (req,))
                    self._answers[msg.get("id")] = msg
            finally:
                self._read_lock.release()
        if "error" in msg:
            raise VmError("guest agent: %s" % msg["error"])
        return msg

    def spawn(self, cmd):
        """Start shell text cmd in the background, in a session of its own;
        return Spawned(pid, log): pid is the session leader (also the
        process group id, see kill_spawned()), log the guest path of its
        output."""
        n = next(self._spawns)
        log, pidfile = "/tmp/pvd-spawn-%d.log" % n, "/tmp/pvd-spawn-%d.pid" % n
        inner = "echo $$ >%s; %s" % (pidfile, cmd)
        # setsid -f returns as soon as it has forked, and its child calls
        # setsid() only when it next runs; the agent kills what is left in
        # its command's session once the command returns, which on a busy
        # guest can be that child, still in it.  So the same command waits
        # for the pid file: the shell that writes it has its own session.
        pid = self.run("setsid -f sh -c %s >%s 2>&1 </dev/null; "
                       "for i in $(seq 300); do [ -s %s ] && exec cat %s; sleep 0.1; done; "
                       "echo 'the spawned shell did not start' >&2; exit 1"
                       % (shlex.quote(inner), log, pidfile, pidfile),
                       timeout=60, check=True).stdout.strip()
        return Spawned(int(pid), log)

    def kill_spawned(self, spawned, sig="TERM"):
        """Signal everything a spawn() started (its process group)."""
        # procps kill (an argv, not the shell builtin): it takes -PGID.
        return self.run(["kill", "-s", sig, "--", "-%d" % spawned.pid], timeout=30)

    def dmesg(self, timeout=60):
        return self.run(["dmesg"], timeout=timeout, check=True).stdout

    def insmod(self, ko=None, params=(), timeout=120):
        """Load a module from the host (default: pvdisplay.ko), with the
        modules it depends on.  Raises CommandFailed if loading fails."""
        ko = ko or pvdisplay_module()
        if ko is None:
            raise VmError("no pvdisplay.ko built (PVD_MODULE unset)")
        mdir = os.path.join(self.share, "modules")
        os.makedirs(mdir, exist_ok=True)
        shutil.copy(ko, mdir)
        guest = "/pvd/modules/" + os.path.basename(ko)
        return self.run(["pvd-insmod", guest] + list(params), timeout=timeout, check=True)

    def rmmod(self, name="pvdisplay", timeout=120):
        return self.run(["rmmod", name], timeout=timeout, check=True)

    # -- host side ---------------------------------------------------------

    def qmp(self, cmd, args=None, timeout=30, **kwargs):
        """Run a QMP command; arguments as a dict and/or keywords (use the
        dict for names with dashes).  Returns QMP's "return" value."""
        if self.qmp_conn is None:
            raise VmError("VM %s is not running" % self.name)
        merged = dict(args or {})
        merged.update(kwargs)
        return self.qmp_conn.command(cmd, merged, timeout=timeout)

    def screendump(self, head=0, fmt="ppm", device="video0", path=None):
        """Capture what the host shows for a head; return an Image.  The
        last SCREENDUMPS_KEPT files per head stay in the VM's directory
        (tests poll with screendumps: keeping all of them would fill the
        disk at 25 MB per 4K frame); path overrides where."""
        n = next(self._spawns)
        path = path or os.path.join(self.dir, "screendump-head%d-%d.%s"
                                    % (head, n % SCREENDUMPS_KEPT, fmt))
        args = {"filename": path, "format": fmt}
        if device:
            args["device"] = device
            args["head"] = head
        self.qmp("screendump", args, timeout=60)
        return Image.load(path)

    def check_splats(self, final=False):
        """Splat lines in the guest kernel log not reported before.

        While the guest answers, the kernel log records it has not sent
        yet are scanned.  At stop (final) the whole serial log is scanned
        too: it also holds what the guest printed after it stopped answering
        (a panic, say); lines already reported are not counted twice."""
        new = []
        if self.alive and self.agent is not None:
            lines, lost = self._kmsg()
            new = self._kmsg_scanner.scan("\n".join(lines), self.allow_splats)
            self.kmsg_lost += lost
            if self.kmsg_lost:
                new = self._confirm_in_serial(new)
            self._reported.update(_log_key(l) for l in new)
        if final:
            _, unseen = _split_by_key(find_splats(self._read_serial(), self.allow_splats),
                                      self._reported)
            new += unseen
            self._reported.update(_log_key(l) for l in unseen)
        self.splats += new
        return new

    def _kmsg(self):
        msg = self._agent_call({"op": "kmsg", "since": self._kmsg_seq}, 60)
        self._kmsg_seq = msg["seq"]
        return msg["lines"], msg["lost"]

    def _read_serial(self):
        try:
            with open(self.serial_log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def _confirm_in_serial(self, hits):
        """The kernel overwrote records before the agent read them, so the
        kmsg scanner may have missed the start of an igt timeout dump and
        take the task states in it, in this read or a later one, for
        splats.  The serial console has every record: keep the hits that a
        scan of the whole serial log also finds.  The console is written
        by a kernel thread, behind /dev/kmsg: a hit not there yet is looked
        for again for SERIAL_CATCH_UP seconds.  A hit dropped here that is
        real is still reported at stop, when the serial log is scanned
        (check_splats(final=True))."""
        if not hits:
            return hits
        deadline = time.monotonic() + SERIAL_CATCH_UP
        while True:
            confirmed = Counter(_log_key(l) for l in
                                find_splats(self._read_serial(), self.allow_splats))
            confirmed.subtract(self._reported)
            kept, _ = _split_by_key(hits, confirmed)
            if len(kept) == len(hits) or time.monotonic() > deadline:
                return kept
            time.sleep(0.5)


def _exit_words(status):
    """A process's return code (Popen.poll()), in words."""
    if status is None:
        return "still running"
    if status < 0:
        return "killed by signal %d" % -status
    return "exited with status %d" % status


def _split_by_key(lines, counts):
    """lines split into those counts has (by _log_key(), each count used
    once) and the rest; counts is not changed."""
    left = Counter(counts)
    matched, rest = [], []
    for line in lines:
        if left[_log_key(line)] > 0:
            left[_log_key(line)] -= 1
            matched.append(line)
        else:
            rest.append(line)
    return matched, rest


def _log_key(line):
    """A kernel log line without its level and timestamp, as the serial
    console and /dev/kmsg both have it (kmsg escapes a record's embedded
    newline as \\x0a where the console just ends the line)."""
    return line.split("] ", 1)[-1].replace("\\x0a", "").rstrip()


def _prop(value):
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)
