#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Debian's stock dpdk-testpmd loads the plugin with -d and drives a PF and
a VF port. Usage: test_testpmd.py <librte_net_bcnic.so>"""
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bcnic_testlib import EAL_COMMON, Proc, remove_shm, run_cases, shm_objects, unique_dev  # noqa: E402

PLUGIN = os.path.abspath(sys.argv[1])
TESTPMD = shutil.which("dpdk-testpmd") or "/usr/bin/dpdk-testpmd"
DEV = unique_dev("tp")


def testpmd(vdevs, commands, lcores=("-l", "0-1"), timeout=60):
    argv = [TESTPMD, *lcores, *EAL_COMMON, "-d", PLUGIN]
    for v in vdevs:
        argv += ["--vdev", v]
    argv += ["--", "-i", "--total-num-mbufs=2048"]
    p = Proc(argv)
    p.p.stdin.write("".join(c + "\n" for c in commands) + "quit\n")
    p.p.stdin.flush()
    return p.finish(timeout)


def section(out, title):
    """The lines of 'show port info N' output for one port."""
    start = out.find(title)
    assert start >= 0, f"{title!r} not in output:\n{out}"
    end = out.find("********************", start + len(title) + 30)
    return out[start:end if end > 0 else len(out)]


def test_ports_up_in_testpmd():
    rc, out, err = testpmd([f"net_bcnic_pf0,dev={DEV},vfs=2", f"net_bcnic_vf0,dev={DEV},vf=0"],
                           ["show port info all", "port stop all", "port start all",
                            "show port stats all"])
    assert rc == 0, f"testpmd exit {rc}\n{out}\n{err}"
    pf = section(out, "Infos for port 0")
    vf = section(out, "Infos for port 1")
    assert "Device name: net_bcnic_pf0" in pf and "Driver name: net_bcnic_pf" in pf, pf
    assert "Device name: net_bcnic_vf0" in vf and "Driver name: net_bcnic_vf" in vf, vf
    assert "MAC address: 02:" in pf and "MAC address: 02:" in vf
    assert "Max possible RX queues: 4" in vf, vf
    assert out.count("Stopping ports...") >= 1 and "Done" in out
    assert "Port 0: 02:" in out and "Port 1: 02:" in out, "ports did not start"
    assert "NIC statistics for port 1" in out
    assert shm_objects(DEV) == [], f"PF left {shm_objects(DEV)}"


def test_testpmd_bad_devargs():
    rc, out, err = testpmd([f"net_bcnic_pf0,dev={DEV},vfs=300"], [])
    assert "invalid vfs=300" in out + err, out + err
    assert shm_objects(DEV) == []


def test_testpmd_with_service_lcore():
    rc, out, err = testpmd([f"net_bcnic_pf0,dev={DEV},vfs=1", f"net_bcnic_vf0,dev={DEV},vf=0"],
                           ["show port info 1", "show port info 0"],
                           # main lcore 0 and forwarding lcore 2 on CPU 0, service
                           # lcore 1 on CPU 1: fits a two-core machine
                           lcores=("--lcores", "0@0,1@1,2@0", "-S", "1"))
    assert rc == 0, f"testpmd exit {rc}\n{out}\n{err}"
    assert "Driver name: net_bcnic_vf" in out
    assert shm_objects(DEV) == []


def test_pmdinfo_lists_drivers():
    import subprocess
    tool = shutil.which("dpdk-pmdinfo.py")
    assert tool, "dpdk-pmdinfo.py not installed (package dpdk)"
    out = subprocess.run([tool, PLUGIN], stdout=subprocess.PIPE, text=True, check=True).stdout
    assert '"net_bcnic_pf"' in out and '"net_bcnic_vf"' in out, out
    assert "vfs=<1-256>" in out and "vf=<0-255>" in out, out


sys.exit(run_cases([test_ports_up_in_testpmd, test_testpmd_bad_devargs,
                    test_testpmd_with_service_lcore, test_pmdinfo_lists_drivers],
                   lambda: remove_shm(DEV)))
