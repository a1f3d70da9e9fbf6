# SPDX-License-Identifier: MIT
"""A compositor drawing on the pvdisplay card, for the lifecycle tests:
weston (DRM backend, pixman renderer) with an animated client,
weston-simple-shm, and the check that the host keeps showing new frames
of it in the expected mode."""

from display_checks import require_guest_program, wait_for
from resize_checks import crtc_of_connector, wait_host_size

WESTON_ENV = "LIBSEAT_BACKEND=noop XDG_RUNTIME_DIR=/tmp/xdg WAYLAND_DISPLAY=pvd-wl"
# pgrep -x matches the kernel's 15-byte process name: weston-simple-shm
# is "weston-simple-s" there.
CLIENT_COMM = "weston-simple-s"
# Changes of the host image that make "drawing": one or two could be the
# driver's restore after a reset, the client animates all the time.
DRAWN_CHANGES = 4


def start_compositor(vm, mode):
    """weston on the pvdisplay card with an animated client (unless they
    already run); returns once the host shows it drawing in mode."""
    for prog in ("weston", "weston-simple-shm"):
        require_guest_program(vm, prog, "not in the guest image")
    if vm.run("pgrep -x weston && pgrep -x %s" % CLIENT_COMM).rc != 0:
        vm.run("pkill -x %s; pkill -x weston; mkdir -p -m 0700 /tmp/xdg" % CLIENT_COMM)
        # --drm-device: weston's own pick is card0 (vgem's with the debug
        # kernel, which has no evdev either: hence --continue-without-input).
        vm.spawn("%s exec weston --backend=drm --drm-device=$(pvd-card -s) --renderer=pixman "
                 "--continue-without-input --socket=pvd-wl --idle-time=0 "
                 "--log=/tmp/weston.log" % WESTON_ENV)
        wait_for(lambda: vm.run("test -S /tmp/xdg/pvd-wl").rc == 0, 120, "weston's socket")
        vm.spawn("%s exec weston-simple-shm" % WESTON_ENV)
    assert_displaying(vm, mode)


def assert_displaying(vm, mode, timeout=60):
    """The CRTC of the first connector runs mode, the host shows an image
    of that size, and the image keeps changing (the client animates)."""
    _, active, crtc_mode = crtc_of_connector(vm)
    assert active and crtc_mode == tuple(mode), \
        "the guest's CRTC: active %s, mode %r; expected %r" % (active, crtc_mode, mode)
    frames = [wait_host_size(vm, mode, timeout=timeout)[0].data]

    def changed():
        frames.append(vm.screendump().data)
        return sum(a != b for a, b in zip(frames, frames[1:])) >= DRAWN_CHANGES
    wait_for(changed, timeout, "the host to show the client drawing (%d changes)"
             % DRAWN_CHANGES, interval=0.3)


def client_running(vm):
    return vm.run("pgrep -x %s" % CLIENT_COMM).rc == 0


def stop_compositor(vm):
    vm.run("pkill -x %s; pkill -x weston; "
           "for i in $(seq 300); do pgrep -x weston >/dev/null || exit 0; sleep 0.1; done; "
           "exit 1" % CLIENT_COMM, timeout=60, check=True)
