# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for the project's Python-driven tests: processes started and
reaped by pid, unique device names, /dev/shm cleanup, bounded waits."""
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time

EAL_COMMON = ["--no-huge", "-m", "256", "--no-pci", "--no-shconf",
              "--file-prefix", "bcnic-test", "--no-telemetry"]


def unique_dev(tag):
    return f"{tag}{os.getpid()}"


def shm_name(dev, vf=None):
    """The file in /dev/shm of device dev's PF object (vf None) or VF vf's
    window: bcmbox_shm_name() (lib/bcmbox) without its leading '/'."""
    return shm_prefix(dev) + ("pf" if vf is None else f"vf{vf}")


def shm_prefix(dev):
    return f"bcnic.{dev}."


def shm_objects(dev):
    prefix = shm_prefix(dev)
    return sorted(n for n in os.listdir("/dev/shm") if n.startswith(prefix))


def remove_shm(dev):
    for n in shm_objects(dev):
        try:
            os.unlink(os.path.join("/dev/shm", n))
        except FileNotFoundError:
            pass


class Proc:
    """A child process with line-oriented stdout, reaped by pid."""
    live = []

    def __init__(self, argv, stdin=True, env=None):
        self.argv = argv
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.out = []       # complete lines read so far
        self.pending = b""  # bytes of a line not complete yet
        self.seen = 0       # lines of self.out already matched by wait_line
        Proc.live.append(self)

    def wait_line(self, needle, timeout=30):
        """Return the next stdout line (after the last one matched) containing needle."""
        end = time.monotonic() + timeout
        fd = self.p.stdout.fileno()
        while True:
            while self.seen < len(self.out):
                line = self.out[self.seen]
                self.seen += 1
                if needle in line:
                    return line
            left = end - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                break
            chunk = os.read(fd, 65536)  # raw reads: nothing hides in a Python buffer
            if not chunk:
                break
            self.pending += chunk
            *lines, self.pending = self.pending.split(b"\n")
            self.out += [l.decode(errors="replace") + "\n" for l in lines]
        raise AssertionError(f"{self.argv[0]}: no line with {needle!r} within {timeout}s; "
                             f"got {''.join(self.out)!r}, stderr {self.stderr_now()!r}")

    def stderr_now(self):
        if self.p.poll() is None:
            return "(running)"
        return self.p.stderr.read().decode(errors="replace")

    def finish(self, timeout=30):
        """Close stdin, wait for exit; return (rc, stdout, stderr)."""
        try:
            out, err = self.p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, err = self.p.communicate()
            raise AssertionError(f"{self.argv[0]} did not exit within {timeout}s")
        finally:
            if self in Proc.live:
                Proc.live.remove(self)
        text = "".join(self.out) + (self.pending + out).decode(errors="replace")
        return self.p.returncode, text, err.decode(errors="replace")

    @classmethod
    def reap_all(cls):
        for pr in list(cls.live):
            if pr.p.poll() is None:
                pr.p.send_signal(signal.SIGKILL)
            pr.p.wait()
            cls.live.remove(pr)


class Telemetry:
    """A direct client of DPDK's telemetry socket of EAL file prefix prefix:
    call(cmd) is one command's JSON reply, checked to fit DPDK's reply limit."""

    def __init__(self, prefix):
        path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
        for _ in range(200):    # the socket comes up with EAL: a bound, not a timing
            if os.path.exists(path):
                break
            time.sleep(0.05)
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.s.settimeout(10)
            self.s.connect(path)
            self.size = json.loads(self.s.recv(1024).decode())["max_output_len"]
        except BaseException:
            self.s.close()
            raise

    def call(self, cmd):
        self.s.send(cmd.encode())
        reply = self.s.recv(self.size + 1).decode()
        assert len(reply) < self.size, f"{cmd}: reply of {len(reply)} bytes, the limit is {self.size}"
        return json.loads(reply)

    def close(self):
        self.s.close()


def telemetry(prefix, commands):
    """One JSON reply per command, through a Telemetry client."""
    t = Telemetry(prefix)
    try:
        return [t.call(c) for c in commands]
    finally:
        t.close()


def run_cases(cases, cleanup):
    """Run test functions in order; report; always clean up. Exit code."""
    failed = 0
    for fn in cases:
        try:
            fn()
            print(f"ok   {fn.__name__}")
        except Exception as e:  # noqa: BLE001 - any error fails the case, cleanup still runs
            failed += 1
            print(f"FAIL {fn.__name__}: {type(e).__name__}: {e}")
        finally:
            Proc.reap_all()
    cleanup()
    try:
        os.rmdir("/var/run/dpdk/bcnic-test")  # EAL's runtime folder, empty with --no-shconf
    except OSError:
        pass
    print(f"{len(cases)} cases, {failed} failed")
    return 1 if failed else 0
