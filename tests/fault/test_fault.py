#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Fault suite: a hostile VF beside a good one, VFs and PFs killed mid-call,
acknowledged writes surviving both. Processes are started and reaped by pid.
Usage: test_fault.py <test_pf> <test_vf> <test_dp>"""
import os
import random
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bcnic_testlib import Proc, remove_shm, run_cases, shm_objects, unique_dev  # noqa: E402

TEST_PF, TEST_VF, TEST_DP = sys.argv[1], sys.argv[2], sys.argv[3]
DEV = unique_dev("flt")
RNG = random.Random(int(os.environ.get("BCNIC_FAULT_SEED", "12345")))


def good_vf(vf, n):
    """n checked write+read pairs as a raw VF; returns (p50, p99) in ns."""
    rc, out, err = Proc([TEST_PF, "raw-vf", DEV, str(vf), str(n)], stdin=False).finish(180)
    line = next((l for l in out.splitlines() if l.startswith("raw-vf")), "")
    m = re.search(r"(\d+) reads, (\d+) wrong, .* p50 (\d+) ns p99 (\d+) ns", line)
    assert rc == 0 and m and int(m.group(1)) == n and m.group(2) == "0", f"{out}\n{err}"
    return int(m.group(3)), int(m.group(4))


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_hostile_vf():
    pf = Proc([TEST_PF, "serve", DEV, "4"])
    pf.wait_line("ready")
    p50_alone, p99_alone = good_vf(0, 50000)
    bad = Proc([TEST_PF, "hostile", DEV, "2", "8"], stdin=False)
    time.sleep(0.5)
    p50_loaded, p99_loaded = good_vf(0, 50000)  # zero errors, every byte checked
    good_vf(1, 5000)
    rc, out, err = bad.finish(60)
    assert rc == 0, f"{out}\n{err}"
    actions = int(re.search(r"hostile: (\d+) actions", out).group(1))
    good_vf(0, 1000)  # the PF is alive and serving after the attack
    rc, out, err = pf.finish()
    assert rc == 0, err
    c = dict(kv.split("=") for kv in re.search(r"counters (.*)", out).group(1).split())
    print(f"hostile VF: {actions} actions; PF counted {c['rejects']} rejects "
          f"({c['stale']} stale), {c['bad_cons']} bad consumer positions, {c['resets']} resets")
    print(f"good VF 64 B read: p50 {p50_alone} ns / p99 {p99_alone} ns alone, "
          f"p50 {p50_loaded} ns / p99 {p99_loaded} ns beside the hostile VF")
    assert int(c["rejects"]) > 1000 and int(c["bad_cons"]) > 0 and int(c["resets"]) > 10, c
    assert shm_objects(DEV) == []


def test_hostile_vf_data_path():
    """A hostile VF corrupts its data rings (positions, buffers, frames) while VF 0 floods
    frames of every size; the PF and VF 2 check each of VF 0's frames byte for byte."""
    pf = Proc([TEST_DP, "pf-sink", DEV, "3"])
    pf.wait_line("ready")
    rx = Proc([TEST_DP, "vf-recv", DEV, "2"])
    rx.wait_line("ready")
    bad = Proc([TEST_PF, "hostile", DEV, "1", "6", "dp"], stdin=False)
    time.sleep(0.5)
    rc, out, err = Proc([TEST_DP, "vf-send", DEV, "0", "30000", "bcast"], stdin=False).finish(120)
    assert rc == 0 and "sent 30000 frames" in out, (rc, out, err)
    rc, out, err = bad.finish(60)
    assert rc == 0, f"{out}\n{err}"
    actions = int(re.search(r"hostile: (\d+) actions", out).group(1))
    rc, out, err = rx.finish(60)
    m = re.search(r"received (\d+) frames, (\d+) wrong, (\d+) foreign", out)
    assert rc == 0 and m, (rc, out, err)
    vf_got, vf_wrong, vf_foreign = (int(x) for x in m.groups())
    rc, out, err = pf.finish(60)
    m = re.search(r"received (\d+) frames, (\d+) wrong, (\d+) dropped on a full Rx ring, (\d+) "
                  r"foreign, (\d+) malformed, (\d+) bad_cons", out)
    assert rc == 0 and m, (rc, out, err)
    got, wrong, dropped, foreign, malformed, bad_cons = (int(x) for x in m.groups())
    sw = dict(kv.split("=") for kv in re.search(r"switch (.*)", out).group(1).split())
    print(f"hostile VF data path: {actions} actions; PF got {got} of VF 0's 30000 frames "
          f"byte-exact, {foreign} of the hostile's, dropped {dropped} (Rx ring full), "
          f"{malformed} malformed, {bad_cons} bad consumer positions; VF 2 got {vf_got} "
          f"byte-exact, {vf_foreign} foreign")
    assert wrong == 0 and vf_wrong == 0, (wrong, vf_wrong)
    assert got > 0 and vf_got > 0, (got, vf_got)  # checked frames on both receivers
    assert int(sw["vf0_dp_tx_packets"]) == 30000, sw  # the switch took every frame VF 0 sent
    # Everything the switch put into VF 2's ring arrived, and VF 0's frames there byte-exact;
    # the rest of VF 0's were counted as drops on a full ring.
    assert vf_got + vf_foreign == int(sw["vf2_dp_rx_packets"]), (vf_got, vf_foreign, sw)
    assert vf_got + int(sw["vf2_dp_rx_full"]) >= 30000, (vf_got, sw)
    assert malformed > 0 and bad_cons > 0 and foreign > 0, (malformed, bad_cons, foreign)
    assert shm_objects(DEV) == []


def test_vf_killed_many_times():
    pf = Proc([TEST_PF, "serve", DEV, "2"])
    pf.wait_line("ready")
    good_vf(1, 100)
    fds = fd_count(pf.p.pid)
    for rnd in range(20):
        w = Proc([TEST_PF, "writer", DEV, "1", "1000000000"], stdin=False)
        w.wait_line("acked")
        time.sleep(RNG.uniform(0, 0.03))
        w.p.kill()  # SIGKILL with requests in flight
        w.p.wait()
        Proc.live.remove(w)
        acked = max([int(l.split()[1]) for l in w.out if l.startswith("acked")] or [0])
        rc, out, err = Proc([TEST_PF, "reader", DEV, "1"], stdin=False).finish(30)
        value = int(re.search(r"value (\d+)", out).group(1))
        assert rc == 0 and value >= acked, (rnd, acked, value, out, err)
    good_vf(1, 2000)  # reattaches and works
    assert fd_count(pf.p.pid) == fds, "the PF leaked file descriptors"
    rc, _, err = pf.finish()
    assert rc == 0, err
    assert shm_objects(DEV) == []


def test_pf_killed_acked_writes_survive():
    d = tempfile.mkdtemp(prefix="bcnic-store-")
    store = os.path.join(d, "store")
    try:
        pf = Proc([TEST_PF, "serve", DEV, "1", store])
        pf.wait_line("ready")
        last_value = 0
        for rnd in range(5):
            w = Proc([TEST_PF, "writer", DEV, "0", "1000000000", str(last_value + 1)],
                     stdin=False)
            w.wait_line("acked")
            time.sleep(RNG.uniform(0.01, 0.1))
            pf.p.kill()  # the PF dies between (or during) writes
            pf.p.wait()
            Proc.live.remove(pf)
            t0 = time.monotonic()
            rc, out, err = w.finish(30)  # fails, does not hang
            took = time.monotonic() - t0
            assert rc == 1 and "failed" in out, (rc, out, err)
            assert took < 10, f"the VF needed {took:.1f} s to give up"
            acked = max(int(l.split()[1]) for l in out.splitlines() if l.startswith("acked"))
            assert acked > last_value, (acked, last_value)
            pf = Proc([TEST_PF, "serve", DEV, "1", store])
            pf.wait_line("ready")
            rc, out, err = Proc([TEST_PF, "reader", DEV, "0"], stdin=False).finish(30)
            value = int(re.search(r"value (\d+)", out).group(1))
            # Everything acknowledged is there; at most the one in flight more.
            assert acked <= value <= acked + 1, (rnd, acked, value)
            print(f"round {rnd}: PF killed after {acked} acknowledged writes; restored value {value}")
            last_value = value
        rc, _, err = pf.finish()
        assert rc == 0, err
        assert shm_objects(DEV) == []
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_pf_killed_calls_in_flight():
    pf = Proc([TEST_VF, "serve-pf", DEV, "1"])
    pf.wait_line("ready")
    vf = Proc([TEST_VF, "vf-loop", DEV, "0"])
    vf.wait_line("state 0")
    for rnd in range(5):
        time.sleep(RNG.uniform(0.01, 0.2))
        pf.p.kill()
        pf.p.wait()
        Proc.live.remove(pf)
        line = vf.wait_line("state -", timeout=10)
        m = re.match(r"state (-\d+) call_ms=(\d+)", line)
        assert m and int(m.group(1)) in (-107, -110) and int(m.group(2)) <= 1000, line
        pf = Proc([TEST_VF, "serve-pf", DEV, "1"])
        pf.wait_line("ready")
        vf.wait_line("state 0", timeout=10)
    rc, _, err = vf.finish()
    assert rc == 0, err
    rc, _, err = pf.finish()
    assert rc == 0, err
    assert shm_objects(DEV) == []


sys.exit(run_cases([test_hostile_vf, test_hostile_vf_data_path, test_vf_killed_many_times,
                    test_pf_killed_acked_writes_survive, test_pf_killed_calls_in_flight],
                   lambda: remove_shm(DEV)))
