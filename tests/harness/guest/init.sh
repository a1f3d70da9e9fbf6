#!/bin/sh
# SPDX-License-Identifier: MIT
# pvdisplay guest init, stage 2: PID 1, run from the per-run share (/pvd).
# Stage 1 (/usr/local/sbin/pvd-init in the guest image) has already put a
# writable overlay on / and mounted /proc, /sys, /dev and /pvd.  This script
# sets up the rest a test needs (udev for /dev/dri and module autoload,
# debugfs for igt), loads the modules the host asked for, starts the agent
# and then only reaps orphans: no systemd, so a TCG boot stays short.
PATH=/pvd/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOME=/root
export PATH HOME

say() { echo "pvd-init: $*" >/dev/console; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing
# igt opens debugfs/tracing, whose first use logs a deprecation NOTICE at
# warning level that igt would blame on whichever test came first.  Have it
# happen now, at boot.
ls /sys/kernel/debug/tracing/ >/dev/null 2>&1
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
hostname pvdguest

# Written by the host: PVD_MODULES (paths under /pvd, loaded in order, each
# with its dependencies), PVD_CONSOLE_SHELL (1: a shell on the serial port),
# PVD_CONSOLE_LOGIN (1: a login session on the display, tty1).
PVD_MODULES=
PVD_CONSOLE_SHELL=0
PVD_CONSOLE_LOGIN=0
# shellcheck source=/dev/null
[ -r /pvd/config.sh ] && . /pvd/config.sh

/usr/lib/systemd/systemd-udevd --daemon --resolve-names=never
udevadm trigger --type=subsystems --action=add
udevadm trigger --type=devices --action=add
udevadm settle --timeout=60 || say "udevadm settle timed out"

for m in $PVD_MODULES; do
	pvd-insmod "/pvd/$m" || say "loading $m failed"
done
udevadm settle --timeout=30 || say "udevadm settle timed out"

say "starting agent at uptime $(uptime_s)"
# Restart the agent if it ever dies, so the host sees a fresh hello instead
# of a silent guest.
(while :; do
	python3 /pvd/agent.py >>/tmp/agent.log 2>&1
	sleep 1
done) &

if [ "$PVD_CONSOLE_SHELL" = 1 ]; then
	(while :; do
		setsid -c /bin/bash -l <>/dev/ttyS0 >&0 2>&1
		sleep 1
	done) &
fi

# make run's display: a console login on tty1 (fbcon on the display device),
# logged in as root at once, as the serial shell is: this is a throwaway
# test guest whose root has no password.  agetty comes back after logout.
if [ "$PVD_CONSOLE_LOGIN" = 1 ]; then
	(while :; do
		setsid -w agetty --autologin root tty1 linux
		sleep 1
	done) &
fi

# PID 1 must never exit.  dash reaps every child while it waits, including
# orphans reparented to it.
while :; do
	sleep 3600
done
