#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""PF and VF in separate processes: the PF is killed with calls in flight and
restarted; the VF fails its calls in bounded time, shows link down, and
reconnects by itself. Usage: test_vf_mp.py <test_vf binary>"""
import os
import re
import sys

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
    vf.wait_line("state -107", timeout=10)
    vf.wait_line("link down", timeout=10)
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


sys.exit(run_cases([test_api_across_processes, test_pf_killed_and_restarted,
                    test_pf_clean_exit_and_restart],
                   lambda: remove_shm(DEV)))
