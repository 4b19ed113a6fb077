#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Multi-process: a PF in one DPDK primary, VFs in others.
Usage: test_mp.py <test_pmd binary>"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bcnic_testlib import Proc, remove_shm, run_cases, shm_name, shm_objects, unique_dev  # noqa: E402

TEST_PMD = sys.argv[1]
DEV = unique_dev("mp")


def test_two_vfs_two_processes():
    pf = Proc([TEST_PMD, "serve-pf", DEV, "2"])
    pf.wait_line("ready")
    assert shm_objects(DEV) == [shm_name(DEV), shm_name(DEV, 0), shm_name(DEV, 1)], \
        shm_objects(DEV)
    vf0 = Proc([TEST_PMD, "attach-vf", DEV, "0", "hold"])
    line0 = vf0.wait_line("attached")
    vf1 = Proc([TEST_PMD, "attach-vf", DEV, "1"], stdin=False)
    rc, out1, err1 = vf1.finish()
    assert rc == 0, f"VF 1 process failed: {err1}"
    mac0 = line0.split("mac=")[1].strip()
    mac1 = out1.split("mac=")[1].strip()
    assert mac0 != mac1, (mac0, mac1)
    # The same window from a third process is refused while VF 0 holds it.
    dup = Proc([TEST_PMD, "attach-vf", DEV, "0"], stdin=False)
    rc, out, err = dup.finish()
    assert rc == 3 and "already attached" in err, (rc, out, err)
    # Out of range from another process.
    bad = Proc([TEST_PMD, "attach-vf", DEV, "2"], stdin=False)
    rc, out, err = bad.finish()
    assert rc == 3 and "has no VF 2" in err, (rc, out, err)
    rc, _, err = vf0.finish()
    assert rc == 0, err
    # Window free again once its process is gone.
    again = Proc([TEST_PMD, "attach-vf", DEV, "0"], stdin=False)
    rc, _, err = again.finish()
    assert rc == 0, err
    rc, _, err = pf.finish()
    assert rc == 0, err
    assert shm_objects(DEV) == [], shm_objects(DEV)


def test_vf_without_pf():
    vf = Proc([TEST_PMD, "attach-vf", DEV + "x", "0"], stdin=False)
    rc, _, err = vf.finish()
    assert rc == 3 and "not found" in err, (rc, err)


def test_second_pf_other_process():
    pf = Proc([TEST_PMD, "serve-pf", DEV, "1"])
    pf.wait_line("ready")
    pf2 = Proc([TEST_PMD, "serve-pf", DEV, "1"])
    rc, out, err = pf2.finish()
    assert rc == 1 and "already has a PF" in err, (rc, out, err)
    assert len(shm_objects(DEV)) == 2
    rc, _, err = pf.finish()
    assert rc == 0, err
    assert shm_objects(DEV) == []


def test_pf_killed_leaves_takeover():
    pf = Proc([TEST_PMD, "serve-pf", DEV, "1"])
    pf.wait_line("ready")
    pf.p.kill()
    pf.p.wait()
    Proc.live.remove(pf)
    assert len(shm_objects(DEV)) == 2  # a crashed PF cannot clean up
    pf2 = Proc([TEST_PMD, "serve-pf", DEV, "1"])
    pf2.wait_line("ready")
    rc, _, err = pf2.finish()
    assert rc == 0, err
    assert shm_objects(DEV) == []


sys.exit(run_cases([test_two_vfs_two_processes, test_vf_without_pf,
                    test_second_pf_other_process, test_pf_killed_leaves_takeover],
                   lambda: (remove_shm(DEV), remove_shm(DEV + "x"))))
