#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""PF and VF in separate processes: the PF is killed with calls in flight and
restarted; the VF fails its calls in bounded time, shows link down, and
reconnects by itself. Usage: test_vf_mp.py <test_vf binary>"""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bcnic_testlib import Proc, remove_shm, run_cases, shm_objects, unique_dev  # noqa: E402

TEST_VF = sys.argv[1]
DEV = unique_dev("vmp")


def test_pf_killed_and_restarted():
    pf = Proc([TEST_VF, "serve-pf", DEV, "2"])
    pf.wait_line("ready")
    vf = Proc([TEST_VF, "vf-loop", DEV, "1"])
    vf.wait_line("attached")
    vf.wait_line("state 0")
    vf.wait_line("link up")
    for rounds in range(3):
        pf.p.kill()  # SIGKILL: no cleanup, calls in flight
        pf.p.wait()
        Proc.live.remove(pf)
        line = vf.wait_line("state -", timeout=10)
        m = re.match(r"state (-\d+) call_ms=(\d+) since_ok_ms=(\d+)", line)
        assert m, line
        err, call_ms = int(m.group(1)), int(m.group(2))
        assert err in (-107, -110), f"expected -ENOTCONN or -ETIMEDOUT, got {err}"
        assert call_ms <= 1000, f"a call took {call_ms} ms with a 500 ms timeout"
        vf.wait_line("link down", timeout=10)
        print(f"round {rounds}: PF killed: VF got {err} after {m.group(3)} ms, link down")
        pf = Proc([TEST_VF, "serve-pf", DEV, "2"])
        pf.wait_line("ready")
        vf.wait_line("state 0", timeout=10)
        vf.wait_line("link up", timeout=10)
        print(f"round {rounds}: PF restarted: VF reconnected, link up")
    rc, out, err = vf.finish()
    assert rc == 0, err
    rc, out, err = pf.finish()
    assert rc == 0, err
    assert shm_objects(DEV) == [], shm_objects(DEV)


def test_pf_clean_exit_and_restart():
    pf = Proc([TEST_VF, "serve-pf", DEV, "1"])
    pf.wait_line("ready")
    vf = Proc([TEST_VF, "vf-loop", DEV, "0"])
    vf.wait_line("state 0")
    rc, _, err = pf.finish()  # clean: objects removed, pf_epoch 0
    assert rc == 0, err
    # The failed read and the link change come from two threads: either first.
    wait_all(vf, ["state -107", "link down"])
    pf = Proc([TEST_VF, "serve-pf", DEV, "1"])  # new objects with the same names
    pf.wait_line("ready")
    vf.wait_line("state 0", timeout=10)
    vf.wait_line("link up", timeout=10)
    rc, _, err = vf.finish()
    assert rc == 0, err
    rc, _, err = pf.finish()
    assert rc == 0, err
    assert shm_objects(DEV) == []


def test_api_across_processes():
    pf = Proc([TEST_VF, "serve-pf", DEV, "2"])
    pf.wait_line("ready")
    vfs = [Proc([TEST_VF, "remote-api", DEV, str(i)], stdin=False) for i in (0, 1)]
    for i, v in enumerate(vfs):
        rc, out, err = v.finish(120)
        assert rc == 0 and f"remote-api vf {i}: ok" in out, f"{out}\n{err}"
    rc, _, err = pf.finish()
    assert rc == 0, err
    assert shm_objects(DEV) == []


def stop_pf(pf, seconds):
    """The PF process gets no CPU for a while: a starved lcore on a busy host."""
    os.kill(pf.p.pid, signal.SIGSTOP)
    time.sleep(seconds)
    os.kill(pf.p.pid, signal.SIGCONT)


def lines_until(p, needle, timeout=10):
    """Every new stdout line of p up to and including the first with needle."""
    start = p.seen
    p.wait_line(needle, timeout)
    return p.out[start:p.seen]


def wait_all(p, needles, timeout=10):
    """Wait until p printed a line with each of needles, in any order."""
    end = time.monotonic() + timeout
    start = p.seen
    while not all(any(n in x for x in p.out[start:]) for n in needles):
        assert time.monotonic() < end, f"not all of {needles} in {p.out[start:]}"
        drain(p)
    # Resume after the last of them: later lines are for the next wait.
    p.seen = start + 1 + max(next(i for i, x in enumerate(p.out[start:]) if n in x)
                             for n in needles)


def drain(p):
    """Lines p printed since the last match (reads what is ready, waits for nothing)."""
    try:
        p.wait_line("\0never\0", timeout=0.05)
    except AssertionError:
        pass
    return p.out[p.seen:]


def test_pf_stalled_not_lost():
    """A silent heartbeat alone is not death: a PF process that is stopped
    (a starved lcore) keeps its VFs' sessions and link; only a PF that stays
    silent for 5 x pf_timeout_ms (hung) is taken for gone."""
    pf = Proc([TEST_VF, "serve-pf", DEV, "2"])
    pf.wait_line("ready")
    slow = Proc([TEST_VF, "vf-loop", DEV, "0"])                      # pf_timeout_ms=1000
    fast = Proc([TEST_VF, "vf-loop", DEV, "1", "pf_timeout_ms=200"])  # hung after 1 s
    for v in (slow, fast):
        v.wait_line("attached")
        v.wait_line("state 0")
        v.wait_line("link up")
    # 400 ms: twice what used to end a session; within slow's timeout, beyond fast's.
    stop_pf(pf, 0.4)
    seen = lines_until(fast, "pf_stalls 1 pf_lost 0")
    assert not any("link down" in x for x in seen), seen
    time.sleep(0.3)  # slow's reads (500 ms timeout) just waited; its link stayed up
    seen = drain(slow)
    slow.seen = len(slow.out)
    assert not any("link down" in x or "pf_" in x for x in seen), seen
    # 2.5 s: a stall for slow (session kept); hung for fast (5 x 200 ms): gone, then back.
    stop_pf(pf, 2.5)
    seen = lines_until(slow, "pf_stalls 1 pf_lost 0")
    assert not any("link down" in x for x in seen), seen
    wait_all(fast, ["link down", "pf_lost 1"])
    lines_until(fast, "link up")  # reconnected by itself once the PF runs again
    time.sleep(0.2)
    drain(slow)
    assert not any("link down" in x for x in slow.out), slow.out
    for v in (slow, fast):
        rc, _, err = v.finish()
        assert rc == 0, err
    rc, _, err = pf.finish()
    assert rc == 0, err
    assert shm_objects(DEV) == []


def test_pf_killed_seen_at_once():
    """A PF process that dies releases its lock on the window: its VFs see
    it within tens of milliseconds, however long pf_timeout_ms is."""
    pf = Proc([TEST_VF, "serve-pf", DEV, "1"])
    pf.wait_line("ready")
    vf = Proc([TEST_VF, "vf-loop", DEV, "0", "pf_timeout_ms=60000"])
    vf.wait_line("link up")
    t0 = time.monotonic()
    pf.p.kill()
    pf.p.wait()
    Proc.live.remove(pf)
    vf.wait_line("link down", timeout=5)
    took = time.monotonic() - t0
    print(f"PF killed: VF link down after {took * 1000:.0f} ms (pf_timeout_ms=60000)")
    assert took < 2, took  # 60 s without the lock check; bounded far below that
    rc, _, err = vf.finish()
    assert rc == 0, err


sys.exit(run_cases([test_api_across_processes, test_pf_killed_and_restarted,
                    test_pf_clean_exit_and_restart, test_pf_stalled_not_lost,
                    test_pf_killed_seen_at_once],
                   lambda: remove_shm(DEV)))
