#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The PF driver in one process, raw VFs (lib/bcmbox only) in others.
Usage: test_pf_mp.py <test_pf binary>"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bcnic_testlib import Proc, remove_shm, run_cases, shm_objects, unique_dev  # noqa: E402

TEST_PF = sys.argv[1]
DEV = unique_dev("pmp")


def test_raw_vfs_in_other_processes():
    pf = Proc([TEST_PF, "serve", DEV, "4"])
    pf.wait_line("ready")
    vfs = [Proc([TEST_PF, "raw-vf", DEV, str(i), "20000"], stdin=False) for i in (0, 3)]
    for v in vfs:
        rc, out, err = v.finish(120)
        assert rc == 0, f"{out}\n{err}"
        line = [l for l in out.splitlines() if l.startswith("raw-vf")][0]
        assert "20000 reads, 0 wrong" in line, line
        print(line)
    rc, out, err = pf.finish()
    assert rc == 0, err
    # Acknowledged writes of VF 0 are what the PF application holds.
    assert "vf0 block head a0" in out, out
    assert shm_objects(DEV) == []


sys.exit(run_cases([test_raw_vfs_in_other_processes], lambda: remove_shm(DEV)))
