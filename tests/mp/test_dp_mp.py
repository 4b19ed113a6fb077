#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Data path across processes: a VF in one DPDK process sends frames of every
size to the uplink, the PF in another receives and checks each byte.
Usage: test_dp_mp.py <test_dp binary>"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bcnic_testlib import Proc, remove_shm, run_cases, shm_objects, unique_dev  # noqa: E402

TEST_DP = sys.argv[1]
DEV = unique_dev("dmp")


def test_vf_to_pf_across_processes():
    pf = Proc([TEST_DP, "pf-sink", DEV])
    pf.wait_line("ready")
    vf = Proc([TEST_DP, "vf-send", DEV, "0", "20000"], stdin=False)
    rc, out, err = vf.finish(120)
    assert rc == 0 and "sent 20000 frames" in out, (rc, out, err)
    rc, out, err = pf.finish(120)  # closing its stdin: the sender is done
    m = re.search(r"received (\d+) frames, (\d+) wrong, (\d+) dropped", out)
    assert rc == 0 and m, (rc, out, err)
    got, wrong, dropped = (int(x) for x in m.groups())
    print(f"VF -> PF across processes: {got} received byte-exact, {dropped} dropped on a full "
          f"PF Rx ring, of 20000")
    assert wrong == 0 and got > 1000 and got + dropped == 20000, (got, wrong, dropped)
    assert shm_objects(DEV) == []


sys.exit(run_cases([test_vf_to_pf_across_processes], lambda: remove_shm(DEV)))
