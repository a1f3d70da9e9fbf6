#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""pvdisplay guest agent: runs commands for the host over a virtio-serial port.

Started by /pvd/init inside the guest.  Protocol: one JSON object per line in
each direction (UTF-8).  The agent first sends {"hello": "pvd-agent", ...};
then for each request

    {"id": N, "op": "run", "cmd": "shell text" | ["argv", ...],
     "timeout": SECONDS, "input": "stdin text" (optional),
     "env": {"NAME": "value"} (optional), "cwd": "/dir" (optional)}
    {"id": N, "op": "kmsg", "since": SEQ}
    {"id": N, "op": "ping"}

it answers, respectively,

    {"id": N, "rc": INT, "stdout": TEXT, "stderr": TEXT,
     "timed_out": BOOL, "duration": SECONDS}
    {"id": N, "lines": ["<level>[seconds] kernel message", ...], "seq": LAST_SEQ}
    {"id": N, "pong": true}

Requests are served concurrently, one thread each, so answers may come back
in any order: match them by id.  A command runs in its own session; on
timeout the whole session (process group) is killed, so a stuck test cannot
take the agent down with it.  Output is decoded as UTF-8 with replacement characters.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time

PORT_NAME = "org.pvdisplay.agent"
# Output beyond this many bytes per stream is cut (the answer is one line).
MAX_OUTPUT = 8 << 20


def find_port():
    """Return the /dev path of the virtio-serial port named PORT_NAME."""
    base = "/sys/class/virtio-ports"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            for port in os.listdir(base):
                with open(os.path.join(base, port, "name")) as f:
                    if f.read().strip() == PORT_NAME:
                        return "/dev/" + port
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("pvd-agent: no virtio-serial port named " + PORT_NAME)


def kill_session(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _drain(f, buf):
    """Read a pipe to EOF, keeping the first MAX_OUTPUT bytes."""
    while True:
        chunk = f.read1(65536)
        if not chunk:
            return
        if len(buf) < MAX_OUTPUT:
            buf += chunk[:MAX_OUTPUT - len(buf)]


def _feed(f, data):
    try:
        f.write(data)
        f.close()
    except OSError:
        pass


def run(req):
    cmd = req["cmd"]
    timeout = float(req.get("timeout", 60))
    env = dict(os.environ)
    env.update(req.get("env") or {})
    start = time.monotonic()
    timed_out = False
    try:
        proc = subprocess.Popen(
            cmd, shell=isinstance(cmd, str), cwd=req.get("cwd") or "/",
            env=env, start_new_session=True,
            stdin=subprocess.PIPE if "input" in req else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        return {"rc": 127, "stdout": "", "stderr": "pvd-agent: %s\n" % e,
                "timed_out": False, "duration": 0.0}
    out, err = bytearray(), bytearray()
    threads = [threading.Thread(target=_drain, args=(proc.stdout, out), daemon=True),
               threading.Thread(target=_drain, args=(proc.stderr, err), daemon=True)]
    if "input" in req:
        threads.append(threading.Thread(target=_feed, daemon=True,
                                        args=(proc.stdin, req["input"].encode())))
    for t in threads:
        t.start()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_session(proc)
        proc.wait()
    # The command is done.  What it left running in its session would hold
    # the pipes open (and the answer back) forever: kill it (spawn() is the
    # way to leave something running).
    kill_session(proc)
    for t in threads:
        t.join(5)
    if any(t.is_alive() for t in threads):
        # Something outside the session still holds a pipe; stop waiting.
        err += b"\npvd-agent: output pipe still held open by another process\n"
    return {"rc": proc.returncode, "timed_out": timed_out,
            "stdout": bytes(out).decode("utf-8", "replace"),
            "stderr": bytes(err).decode("utf-8", "replace"),
            "duration": round(time.monotonic() - start, 3)}


def kmsg(since):
    """Kernel log records with a sequence number above since: see
    kmsg_lines()."""
    records = []
    fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
    try:
        while True:
            try:
                records.append(os.read(fd, 16384))
            except BlockingIOError:
                break
            except BrokenPipeError:  # overwritten while reading: seen as a gap
                continue
    finally:
        os.close(fd)
    return kmsg_lines(records, since)


def kmsg_lines(records, since):
    """The /dev/kmsg records with a sequence number above since, as
    "<level>[seconds] text" lines like `dmesg -r` prints them (the level,
    0 emergency .. 7 debug, tells an error from an informational line of the
    same driver).  "lost" counts the records after since that the ring
    buffer overwrote before they could be read: sequence numbers are
    consecutive, so a jump is a gap (what was in it is unknown here; the
    caller can look at the serial console)."""
    lines, last, lost = [], since, 0
    for rec in records:
        head, _, text = rec.decode("utf-8", "replace").partition(";")
        fields = head.split(",")
        level, seq, usec = int(fields[0]) & 7, int(fields[1]), int(fields[2])
        if seq > since:
            lost += seq - last - 1
            lines.append("<%d>[%5d.%06d] %s" % (level, usec // 1000000, usec % 1000000,
                                                text.split("\n", 1)[0]))
            last = seq
    return {"lines": lines, "seq": last, "lost": lost}


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else find_port()
    fd = os.open(path, os.O_RDWR)
    rx = os.fdopen(fd, "rb", buffering=0)

    lock = threading.Lock()

    def send(obj):
        data = memoryview(json.dumps(obj).encode() + b"\n")
        with lock:
            # A virtio-serial port takes at most 32 KiB per write(): loop.
            while data:
                data = data[os.write(fd, data):]

    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    send({"hello": "pvd-agent", "uptime": uptime, "pid": os.getpid()})
    buf = b""
    while True:
        chunk = rx.read(65536)
        if not chunk:
            # The host closed its end; wait for it to come back.
            time.sleep(0.2)
            continue
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.strip():
                threading.Thread(target=serve, args=(line, send), daemon=True).start()


def serve(line, send):
    """Answer one request (each in its own thread: a long command does not
    hold up the others)."""
    req = {}
    try:
        req = json.loads(line)
        if req.get("op") == "run":
            ans = run(req)
        elif req.get("op") == "kmsg":
            ans = kmsg(int(req.get("since", -1)))
        elif req.get("op") == "ping":
            ans = {"pong": True}
        else:
            ans = {"error": "unknown op %r" % req.get("op")}
    except Exception as e:  # report whatever one request did, keep serving
        ans = {"error": "%s: %s" % (type(e).__name__, e)}
        if not isinstance(req, dict):
            req = {}
    ans["id"] = req.get("id")
    send(ans)


if __name__ == "__main__":
    main()
