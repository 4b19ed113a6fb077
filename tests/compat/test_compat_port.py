#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Issue 16, ports half: what stock DPDK applications do with bcnic ports.
Debian's dpdk-testpmd and dpdk-test load the plugin with -d; net_bonding
comes from DPDK's own driver directory. Usage: test_compat_port.py <librte_net_bcnic.so>"""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bcnic_testlib import EAL_COMMON, Proc, remove_shm, run_cases, shm_objects, telemetry, unique_dev  # noqa: E402

PLUGIN = os.path.abspath(sys.argv[1])
TESTPMD = shutil.which("dpdk-testpmd") or "/usr/bin/dpdk-testpmd"
DPDK_TEST = shutil.which("dpdk-test") or "/usr/bin/dpdk-test"
DEV = unique_dev("cp")


def testpmd(vdevs, commands, app=(), eal=None, timeout=60, lcores=("-l", "0-1")):
    """Run testpmd interactively: commands are strings, or seconds to wait;
    returns (rc, stdout, stderr). Its stdout is a pipe (buffered): read it
    whole at the end, where it is in order."""
    argv = [TESTPMD, *lcores, *(EAL_COMMON if eal is None else eal), "-d", PLUGIN]
    for v in vdevs:
        argv += ["--vdev", v]
    argv += ["--", *app, "-i", "--total-num-mbufs=2048"]
    p = Proc(argv)
    for c in list(commands) + ["quit"]:
        if isinstance(c, (int, float)):
            time.sleep(c)
            continue
        p.p.stdin.write((c + "\n").encode())
        p.p.stdin.flush()
    rc, out, err = p.finish(timeout)
    # The command line echoes each command ("testpmd> cmd\r\n") straight to the
    # terminal while testpmd's own printf output is buffered: take the echoes out.
    return rc, re.sub(r"testpmd> [^\r\n]*\r\n", "", out), err


def mac(dev, function):
    """bcnic_default_mac(): the MAC the PF gives function (0: PF, n: VF n-1) of dev."""
    h = 2166136261
    for ch in dev.encode():
        h = ((h ^ ch) * 16777619) & 0xffffffff
    return "02:%02x:%02x:%02x:%02x:%02x" % (h >> 24, (h >> 16) & 255, (h >> 8) & 255,
                                           function >> 8, function & 255)


def block(out, title, nth=-1):
    """The nth (default: last) block of output starting with title."""
    parts = out.split(title)
    assert len(parts) > 1, f"{title!r} not in output:\n{out}"
    return parts[nth if nth < 0 else nth + 1]


def stats(out, port, nth=-1):
    """RX/TX counters of the nth 'show port stats <port>' in out."""
    part = block(out, f"NIC statistics for port {port}  #", nth)
    part = part[:part.find("######", 40)]
    val = {k: int(v) for k, v in re.findall(r"(RX-packets|RX-missed|RX-errors|RX-nombuf|"
                                            r"TX-packets|TX-errors):\s+(\d+)", part)}
    assert len(val) == 6, part
    return val


def xstats(out):
    return {k: int(v) for k, v in re.findall(r"^\s*(\w+):\s+(\d+)\s*$", out, re.M)}


def test_bonding_mode1_testpmd_defaults():
    """net_bonding in active-backup over two VF ports, testpmd's default ring
    sizes: it starts, and frames go PF -> bond and bond -> PF (both send)."""
    bond = "net_bonding0,mode=1,slave=net_bcnic_vf0,slave=net_bcnic_vf1,primary=net_bcnic_vf0"
    pf_mac, bond_mac = mac(DEV, 0), mac(DEV, 1)  # the bond takes its primary's MAC
    rc, out, err = testpmd([f"net_bcnic_pf0,dev={DEV},vfs=2", f"net_bcnic_vf0,dev={DEV},vf=0",
                            f"net_bcnic_vf1,dev={DEV},vf=1", bond],
                           ["show bonding config 3", "set portlist 0,3",
                            f"set eth-peer 0 {bond_mac}", f"set eth-peer 3 {pf_mac}",
                            "set fwd txonly", "start", 3, "stop", 1, "show port stats 0",
                            "show port stats 3", "show port stats 1"],
                           lcores=("--lcores", "0@0,1@1,2@0", "-S", "1"))
    assert rc == 0, f"{out}\n{err}"
    assert "Invalid value for nb_" not in out + err, out + err
    assert f"Port 3: {bond_mac.upper()}" in out, out
    assert re.search(r"Active Slaves \(2\): \[(1 2|2 1)\]", out), out
    pf, bd, vf0 = stats(out, 0), stats(out, 3), stats(out, 1)
    # txonly polls no Rx queue: what arrived is in RX-packets (queue) and RX-missed (full)
    assert bd["TX-packets"] > 100 and pf["TX-packets"] > 100, (bd, pf, out)
    assert pf["RX-packets"] + pf["RX-missed"] > 100, (pf, out)  # the bond's frames
    assert vf0["RX-packets"] + vf0["RX-missed"] > 100, (vf0, out)  # the PF's, at the primary
    assert vf0["TX-packets"] == bd["TX-packets"], (vf0, bd)  # the bond sends through it
    print(f"bonding mode 1 over two VFs: bond TX {bd['TX-packets']}, "
          f"PF received {pf['RX-packets'] + pf['RX-missed']}")
    assert shm_objects(DEV) == []


def test_pmd_perf_autotest_refused_at_configure():
    """pmd_perf_autotest asks for loopback: refused at configure (-ENOTSUP),
    with the reason, within a bound (it used to wait forever)."""
    prefix = f"bcnic-perf{os.getpid()}"
    argv = [DPDK_TEST, "-l", "0-1", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
            "--no-telemetry", "--file-prefix", prefix, "-d", PLUGIN,
            "--vdev", f"net_bcnic_pf0,dev={DEV},vfs=1,data_ring_size=1024",
            "--vdev", f"net_bcnic_vf0,dev={DEV},vf=0"]
    t0 = time.monotonic()
    try:
        q = subprocess.run(argv, env=dict(os.environ, DPDK_TEST="pmd_perf_autotest"),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60)
    finally:
        shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
    took = time.monotonic() - t0
    assert q.returncode != 0, q.stdout
    assert "Cannot configure device: err=-95" in q.stdout, q.stdout
    assert "loopback (lpbk_mode != 0) is not supported" in q.stdout, q.stdout
    print(f"pmd_perf_autotest: refused at configure (-ENOTSUP) in {took:.1f} s")
    assert shm_objects(DEV) == []


def test_drops_in_port_stats():
    """An oversize frame and a ring-full drop land in the receiver's RX-missed
    (show port stats), a frame longer than anything carries in the sender's
    TX-errors; the PF's xstats keep the reasons."""
    pf_mac, vf1_mac = mac(DEV, 0), mac(DEV, 2)
    # Fixed waits (this helper feeds testpmd blind): long enough for a busy host.
    run = ["start", 1.5, "stop", 1]
    rc, out, err = testpmd(
        [f"net_bcnic_pf0,dev={DEV},vfs=2", f"net_bcnic_vf0,dev={DEV},vf=0",
         f"net_bcnic_vf1,dev={DEV},vf=1"],
        ["port stop all", "port config mtu 0 9000", "port config mtu 1 9000", "port start all",
         1, "show port info 2",
         # PF -> VF 1 (MTU 1500): 3000-byte frames; nobody polls VF 1.
         "set portlist 0", f"set eth-peer 0 {vf1_mac}", "set fwd txonly", "set txpkts 3000",
         "clear port stats all", *run, "show port stats 2", "show port stats 0",
         "show port xstats 0",
         # 64-byte frames: they fit, until its queue of 64 is full.
         "set txpkts 64", "clear port stats all", *run, "show port stats 2",
         "show port xstats 0",
         # VF 0 sends 9300-byte frames: more than the data path carries.
         "set portlist 1", f"set eth-peer 1 {pf_mac}", "set txpkts 9300",
         "clear port stats all", *run, "show port stats 1", "show port stats 0"],
        app=["--mbuf-size=9600", "--rxd=64", "--txd=64"],
        # the switch on a service lcore (CPU 1), forwarding on CPU 0: it keeps up
        lcores=("--lcores", "0@0,1@1,2@0", "-S", "1"))
    assert rc == 0, f"{out}\n{err}"
    assert "MTU: 1500" in block(out, "Infos for port 2"), out
    vf1, pf = stats(out, 2, 0), stats(out, 0, 0)
    assert pf["TX-packets"] > 0, (pf, out)
    assert vf1["RX-missed"] > 0 and vf1["RX-packets"] == 0, (vf1, out)
    x = xstats(block(out, "NIC extended statistics for port 0", 0))
    assert x["vf1_dp_rx_oversize"] >= vf1["RX-missed"] > 0, x
    assert x["switch_drop_oversize"] >= vf1["RX-missed"], x
    oversize = vf1["RX-missed"]
    vf1 = stats(out, 2, 1)
    x = xstats(block(out, "NIC extended statistics for port 0", 1))
    assert vf1["RX-missed"] > 0, (vf1, out)  # its queue of 64 is full, nobody polls it
    assert x["vf1_dp_rx_full"] >= vf1["RX-missed"], x
    vf0, pf = stats(out, 1, 0), stats(out, 0, 1)
    assert vf0["TX-errors"] > 0 and pf["RX-packets"] == 0, (vf0, pf, out)
    print(f"drops: VF1 RX-missed {oversize} oversize then {vf1['RX-missed']} ring full, "
          f"VF0 TX-errors {vf0['TX-errors']}")
    assert shm_objects(DEV) == []


def test_queue_info():
    """show rxq/txq info give the configured descriptor counts (both ports)."""
    rc, out, err = testpmd([f"net_bcnic_pf0,dev={DEV},vfs=1,data_ring_size=1024",
                            f"net_bcnic_vf0,dev={DEV},vf=0"],
                           ["show rxq info 1 0", "show txq info 1 0", "show rxq info 0 0",
                            "show txq info 0 0", "show port info 1"],
                           app=["--rxd=128", "--txd=200"])
    assert rc == 0, f"{out}\n{err}"
    assert re.findall(r"Number of RXDs: (\d+)", out) == ["128", "128"], out
    assert re.findall(r"Number of TXDs: (\d+)", out) == ["200", "200"], out
    assert "Max possible number of RXDs per queue: 4096" in out, out
    assert "Min possible number of RXDs per queue: 64" in out, out
    assert shm_objects(DEV) == []


def test_priv_dump():
    """/ethdev/dump_priv (DPDK 22.11's telemetry over rte_eth_dev_priv_dump)
    on both ports: session, rings, counters, MTU, link."""
    prefix = f"bcnic-dump{os.getpid()}"
    argv = [TESTPMD, "-l", "0-1", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
            "--file-prefix", prefix, "-d", PLUGIN, "--vdev", f"net_bcnic_pf0,dev={DEV},vfs=2",
            "--vdev", f"net_bcnic_vf0,dev={DEV},vf=1", "--", "-i", "--total-num-mbufs=2048"]
    tp = Proc(argv)
    try:
        tp.wait_line("Checking link statuses", timeout=30)
        time.sleep(0.2)
        pf, vf = telemetry(prefix, ["/ethdev/dump_priv,0", "/ethdev/dump_priv,1"])
    finally:
        tp.p.stdin.write(b"quit\n")
        tp.p.stdin.flush()
        rc, out, err = tp.finish(60)
        shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
    pf, vf = pf["/ethdev/dump_priv"], vf["/ethdev/dump_priv"]
    assert isinstance(pf, str) and isinstance(vf, str), (pf, vf)
    assert f"bcnic PF of device {DEV}" in pf and "link: up" in pf and "MTU 1500" in pf, pf
    assert re.search(r"vf1: ready, epoch [0-9a-f]{8}, max frame 1518; tx cons \d+", pf), pf
    assert "VFs attached: 1" in pf, pf
    assert f"bcnic VF 1 of device {DEV}" in vf, vf
    assert re.search(r"session: connected, epoch [0-9a-f]{8}", vf), vf
    assert "data rings: 256 buffers of 2048 bytes; Rx depth 256, Tx depth 256" in vf, vf
    assert "switch drops: rx ring full 0" in vf, vf
    assert rc == 0, f"{out}\n{err}"
    assert shm_objects(DEV) == []


sys.exit(run_cases([test_pmd_perf_autotest_refused_at_configure, test_queue_info,
                    test_priv_dump, test_drops_in_port_stats,
                    test_bonding_mode1_testpmd_defaults],
                   lambda: remove_shm(DEV)))
