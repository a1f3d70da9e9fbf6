# SPDX-License-Identifier: MIT
# pvdisplay: build and test entry points.  Everything builds and runs inside
# a Debian trixie sysroot (scripts/env/), so the host distribution does not
# matter; caches live in $PVD_CACHE (default ~/.cache/pvdisplay), results of
# the last run in $PVD_RESULTS (default ./results).
#
#   make                 build drivers/gpu/drm/pvdisplay/pvdisplay.ko
#                        (KDIR=/path/to/kernel/tree for another kernel)
#   make run             boot a guest with the pvdisplay device and driver
#                        (DEVICE=virtio-gpu-pci|bochs-display, HEADS=N)
#   make check           every test tier that fits CI, one summary line
#   make check-full      the same plus the long igt list and the long
#                        lifecycle variants, on a debug guest kernel, with
#                        the integration and igt tiers side by side
#                        (PVD_LANES=1: one after the other)
#   make check T=NAME    one tier (unit, lint, integration, igt) or the tests
#                        whose name contains NAME
#   make unit|lint|integration|igt   one tier (IGT_DRIVER=bochs|virtio-gpu
#                        runs the igt tier against another driver)
#   make fuzz            fuzz the whole device with QEMU's generic-fuzz for
#                        FUZZ_SECONDS (default 600): corpus and crash inputs
#                        in results/fuzz/ (scripts/env/fuzz.sh; FUZZ_JOBS=N:
#                        N fuzzers side by side, one per core)
#   make fuzz-coverage   run that corpus once in a build instrumented for
#                        clang's source-based coverage: the device's lines
#                        and branches reached, in results/fuzz/coverage-*.txt
#   make bench           the same workloads on pvdisplay, virtio-gpu and
#                        bochs-display, one table (BENCH=smoke: a short run;
#                        BENCH_DEVICES=pvdisplay,virtio-gpu: a subset;
#                        BENCH_REPEAT=N: medians of N interleaved rounds;
#                        BENCH_WORKLOADS=flip,xorg: some of dirty, flip,
#                        fbcon, resize, xorg)
#   make clean           driver build products, build/ and results/
#   make clean-cache     also the sysroot, QEMU, guest image and ccache

SHELL := /bin/bash
export PVD_RESULTS ?= $(CURDIR)/results
# igt tier driver (pvdisplay, bochs, virtio-gpu); make run's display device.
export PVD_IGT_DRIVER := $(IGT_DRIVER)
export PVD_RUN_DEVICE := $(DEVICE)
export PVD_RUN_HEADS := $(HEADS)
export T
ENV := scripts/env
CHECK := scripts/check
DRIVER := drivers/gpu/drm/pvdisplay
TIERS := unit lint integration igt

.PHONY: all module qemu image sysroot guest-progs check check-full run \
	fuzz fuzz-coverage bench $(TIERS) clean distclean clean-cache

all: module

module:
	@$(ENV)/build-module.sh >/dev/null

guest-progs:
	@$(ENV)/build-guest-progs.sh >/dev/null

qemu:
	@$(ENV)/qemu.sh

image:
	@$(ENV)/guest-image.sh

sysroot:
	@$(ENV)/sysroot.sh

check:
	@PVD_IGT_LIST=ci $(CHECK)/check.sh $(TIERS)

# The long variants, on the guest kernel that reports (lockdep, KASAN,
# KFENCE, ...: scripts/env/debug-kernel.sh, a long build the first time).
check-full:
	@PVD_IGT_LIST=full PVD_DEBUG_KERNEL=1 PVD_LONG=1 PVD_LANES=$${PVD_LANES:-2} \
		$(CHECK)/check.sh $(TIERS)

$(TIERS):
	@$(CHECK)/check.sh $@

run:
	@$(ENV)/run.sh

FUZZ_SECONDS ?= 600
FUZZ_JOBS ?= 1
fuzz:
	@FUZZ_JOBS=$(FUZZ_JOBS) $(ENV)/fuzz.sh run $(FUZZ_SECONDS)

fuzz-coverage:
	@$(ENV)/fuzz.sh coverage

bench:
	@BENCH=$(BENCH) BENCH_DEVICES=$(BENCH_DEVICES) BENCH_REPEAT=$(BENCH_REPEAT) \
		BENCH_WORKLOADS=$(BENCH_WORKLOADS) \
		scripts/bench/bench.sh

clean:
	rm -f $(addprefix $(DRIVER)/,*.o *.ko *.mod *.mod.c .*.cmd Module.symvers \
		modules.order)
	rm -rf build results

# The cache holds no mounts (every chroot lives in a private mount
# namespace), so removing it is safe.
distclean clean-cache: clean
	$(ENV)/clean-cache.sh
