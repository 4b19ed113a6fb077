#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Debian's stock dpdk-testpmd loads the plugin with -d and drives a PF and
a VF port. Usage: test_testpmd.py <librte_net_bcnic.so>"""
import json
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
DEV = unique_dev("tp")


def testpmd(vdevs, commands, lcores=("-l", "0-1"), timeout=60, eal=None, app=()):
    """Run testpmd interactively: commands are strings, or seconds to wait
    (events travel asynchronously); returns (rc, stdout, stderr)."""
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
    return p.finish(timeout)


def infos(out, port):
    """Every 'show port info <port>' block, in order."""
    parts = out.split(f"Infos for port {port} ")[1:]
    return [p.split("\n", 1)[1].split("********************")[0] for p in parts]


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
    assert "Max possible RX queues: 1" in vf, vf  # one queue pair: the window's data rings
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


def spinners(n):
    """Other DPDK processes busy on both CPUs: stock testpmd forwarding between
    two null ports (non-interactive: forwards until its stdin closes)."""
    procs = []
    for i in range(n):
        argv = [TESTPMD, "--lcores", f"0@{i % 2},1@{(i + 1) % 2}", "--no-huge", "-m", "256",
                "--no-pci", "--no-shconf", "--no-telemetry",
                "--file-prefix", f"bcnic-spin{os.getpid()}-{i}",
                "--vdev", "net_null0", "--vdev", "net_null1", "--", "--total-num-mbufs=2048"]
        procs.append(Proc(argv))
    for p in procs:
        p.wait_line("Checking link statuses", timeout=60)  # then it forwards (stdout is not flushed)
    time.sleep(1)
    for p in procs:
        assert p.p.poll() is None, p.finish()
    return procs


def test_same_process_attach_loaded():
    """A VF probed in the same EAL init as its PF, before EAL starts the PF's
    service lcore, with a 50 ms timeout (the PF used to map its service on a
    100 ms alarm) while other DPDK processes spin on both CPUs: the VF drives
    its PF's poller until it is answered, every time."""
    load = spinners(2)
    try:
        for attempt in range(5):
            rc, out, err = testpmd([f"net_bcnic_pf0,dev={DEV},vfs=1",
                                    f"net_bcnic_vf0,dev={DEV},vf=0,timeout_ms=50"],
                                   ["show port info 1", "show port stats 1"],
                                   lcores=("--lcores", "0@0,1@1,2@0", "-S", "1"))
            assert rc == 0, f"attempt {attempt}: testpmd exit {rc}\n{out}\n{err}"
            assert "Driver name: net_bcnic_vf" in out, f"attempt {attempt}: no VF port\n{out}\n{err}"
            assert "no answer from the PF" not in out + err, out + err
    finally:
        for p in load:
            p.finish(30)
        for i in range(len(load)):  # EAL leaves its (empty) runtime folder behind
            shutil.rmtree(f"/var/run/dpdk/bcnic-spin{os.getpid()}-{i}", ignore_errors=True)
    print("same-process attach under load: 5 of 5")
    assert shm_objects(DEV) == []


def test_pmdinfo_lists_drivers():
    import subprocess
    tool = shutil.which("dpdk-pmdinfo.py")
    assert tool, "dpdk-pmdinfo.py not installed (package dpdk)"
    out = subprocess.run([tool, PLUGIN], stdout=subprocess.PIPE, text=True, check=True).stdout
    assert '"net_bcnic_pf"' in out and '"net_bcnic_vf"' in out, out
    assert "vfs=<1-256>" in out and "vf=<0-255>" in out, out


# After a link change: look at the VF port a few times, the last one 3 s later.
SHOWS = 6
SETTLE = [x for _ in range(SHOWS) for x in (0.5, "show port info 1")]


def test_vf_ethdev_ops():
    """MAC, MTU and link of the VF port come from the PF over the backchannel."""
    rc, out, err = testpmd(
        [f"net_bcnic_pf0,dev={DEV},vfs=1", f"net_bcnic_vf0,dev={DEV},vf=0"],
        ["mac_addr set 1 02:11:22:33:44:55", "show port info 1",
         "port stop 1", "port config mtu 1 9000", "port start 1", 0.3, "show port info 1",
         "set link-down port 0", *SETTLE,
         "set link-up port 0", *SETTLE, "show port xstats 0"],
        lcores=("--lcores", "0@0,1@1,2@0", "-S", "1"), app=["--print-event", "vf_mbox"])
    assert rc == 0, f"testpmd exit {rc}\n{out}\n{err}"
    i = infos(out, 1)
    assert len(i) == 2 + 2 * SHOWS, out
    assert "MAC address: 02:11:22:33:44:55" in i[0], i[0]
    assert "MTU: 9000" in i[1], i[1]
    # The link event travels asynchronously: it has arrived by the last look.
    assert "Link status: down" in i[1 + SHOWS], i[1 + SHOWS]
    assert "Link status: up" in i[1 + 2 * SHOWS], i[1 + 2 * SHOWS]
    after_down = out[out.find("set link-down port 0"):]
    assert "Port 1: link state change event" in after_down, after_down
    # The PF saw the two writes (MAC, MTU) as VF_MBOX events and counts them.
    assert out.count("Port 0: VF mbox event") >= 2, out
    xs = out[out.rfind("NIC extended statistics for port 0"):]
    writes = int(xs.split("mbox_req_write:")[1].split()[0])
    assert writes >= 2, xs
    assert shm_objects(DEV) == []


def test_vf_mac_refused():
    rc, out, err = testpmd(
        [f"net_bcnic_pf0,dev={DEV},vfs=1,vf_mac_change=deny", f"net_bcnic_vf0,dev={DEV},vf=0"],
        ["show port info 1", "mac_addr set 1 02:11:22:33:44:55", "show port info 1"])
    assert rc == 0, f"testpmd exit {rc}\n{out}\n{err}"
    assert "mac_addr_cmd error: (Permission denied)" in out + err, out + err
    i = infos(out, 1)
    mac = i[0].split("MAC address: ")[1].split()[0]
    assert mac != "02:11:22:33:44:55"
    assert f"MAC address: {mac}" in i[1], i[1]


def test_telemetry():
    """The /bcnic/ telemetry commands, read with dpdk-telemetry.py while testpmd runs."""
    tool = shutil.which("dpdk-telemetry.py")
    assert tool, "dpdk-telemetry.py not installed (package dpdk-dev)"
    prefix = f"bcnic-tel{os.getpid()}"
    eal = ["--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--file-prefix", prefix]
    argv = [TESTPMD, "-l", "0-1", *eal, "-d", PLUGIN, "--vdev",
            f"net_bcnic_pf0,dev={DEV},vfs=2", "--vdev", f"net_bcnic_vf0,dev={DEV},vf=1",
            "--", "-i", "--total-num-mbufs=2048"]
    tp = Proc(argv)
    try:
        tp.wait_line("Checking link statuses", timeout=30)
        sock = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        q = subprocess.run([tool, "-f", prefix], input="/bcnic/pfs\n/bcnic/pf,0\n/bcnic/vfs,0\n"
                           "/bcnic/blocks,0\n/bcnic/vfs,9\n", stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=30)
        replies = [json.loads(line) for line in q.stdout.splitlines() if line.startswith("{")]
        assert len(replies) == 5, q.stdout
        assert replies[0]["/bcnic/pfs"] == [0], replies[0]
        pf = replies[1]["/bcnic/pf"]
        assert pf["dev"] == DEV and pf["vfs"] == 2 and pf["mbox_req_hello"] == 1, pf
        vfs = replies[2]["/bcnic/vfs"]
        assert vfs["vf0"]["state"] == "detached" and vfs["vf1"]["state"] == "ready", vfs
        assert vfs["vf1"]["epoch"] != 0 and vfs["vf1"]["requests"] >= 4, vfs
        blocks = replies[3]["/bcnic/blocks"]
        assert blocks["0xffff0003"]["scope"] == "shared", blocks
        assert len(blocks["0xffff0001"]["versions"]) == 2, blocks
        assert replies[4]["/bcnic/vfs"] is None, replies[4]  # port 9 is no PF
    finally:
        tp.p.stdin.write(b"quit\n")
        tp.p.stdin.flush()
        tp.finish(60)
        shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
    assert shm_objects(DEV) == []


def test_telemetry_256_vfs():
    """/bcnic/vfs pages its answer: with 256 VFs every VF index is reachable
    by following "next" (one reply used to stop at the 16 KiB limit, 152 VFs)."""
    prefix = f"bcnic-tel256-{os.getpid()}"
    eal = ["--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--file-prefix", prefix]
    argv = [TESTPMD, "-l", "0-1", *eal, "-d", PLUGIN, "--vdev",
            f"net_bcnic_pf0,dev={DEV},vfs=256,data_ring_size=0",
            "--vdev", f"net_bcnic_vf0,dev={DEV},vf=255",
            "--", "-i", "--total-num-mbufs=2048"]
    tp = Proc(argv)
    try:
        tp.wait_line("Checking link statuses", timeout=60)
        seen, pages, first = {}, 0, 0
        while True:
            reply = telemetry(prefix, [f"/bcnic/vfs,0,{first}"])[0]["/bcnic/vfs"]
            assert reply["total_vfs"] == 256 and reply["first"] == first, reply
            keys = [k for k in reply if k.startswith("vf")]
            assert keys == [f"vf{i}" for i in range(first, reply["next"])], (first, keys)
            assert all(k not in seen for k in keys), keys
            seen.update((k, reply[k]) for k in keys)
            pages += 1
            if reply["next"] == reply["total_vfs"]:
                break
            assert reply["next"] > first and pages < 256, reply
            first = reply["next"]
        assert sorted(seen) == sorted(f"vf{i}" for i in range(256)), sorted(seen)
        assert seen["vf255"]["state"] == "ready" and seen["vf254"]["state"] == "detached", seen
        # The first page without an index, as dpdk-telemetry.py users type it, says how
        # many VFs there are and where the next page starts; an index past the end is refused.
        q = subprocess.run([shutil.which("dpdk-telemetry.py"), "-f", prefix],
                           input="/bcnic/vfs,0\n/bcnic/vfs,0,256\n/bcnic/vfs,0,257\n"
                           "/bcnic/vfs,0,x\n", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=30)
        replies = [json.loads(line) for line in q.stdout.splitlines() if line.startswith("{")]
        assert len(replies) == 4, q.stdout
        p0 = replies[0]["/bcnic/vfs"]
        assert p0["total_vfs"] == 256 and p0["first"] == 0 and 0 < p0["next"] < 256, p0
        assert "vf0" in p0 and f"vf{p0['next'] - 1}" in p0 and f"vf{p0['next']}" not in p0, p0
        end = replies[1]["/bcnic/vfs"]
        assert end["next"] == 256 and not [k for k in end if k.startswith("vf")], end
        assert replies[2]["/bcnic/vfs"] is None and replies[3]["/bcnic/vfs"] is None, replies
        print(f"/bcnic/vfs with 256 VFs: {pages} pages, {p0['next']} VFs in the first")
    finally:
        tp.p.stdin.write(b"quit\n")
        tp.p.stdin.flush()
        tp.finish(60)
        shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
    assert shm_objects(DEV) == []


def test_forwarding():
    """testpmd forwards frames PF <-> VF through the switch (mac forwarding)."""
    argv = [TESTPMD, "--lcores", "0@0,1@1,2@0", "-S", "1", *EAL_COMMON, "-d", PLUGIN,
            "--vdev", f"net_bcnic_pf0,dev={DEV},vfs=1", "--vdev", f"net_bcnic_vf0,dev={DEV},vf=0",
            "--", "-i", "--total-num-mbufs=4096"]
    tp = Proc(argv)

    def cmd(c):
        tp.p.stdin.write((c + "\n").encode())
        tp.p.stdin.flush()

    # testpmd prints each port's MAC as it starts it ("Port 0: 02:...").
    macs = [tp.wait_line(f"Port {port}: 02:").split()[-1] for port in (0, 1)]
    cmd(f"set eth-peer 0 {macs[1]}")  # what each port is wired to
    cmd(f"set eth-peer 1 {macs[0]}")
    cmd("set fwd mac")  # dst: the tx port's peer (set above), src: its own MAC
    cmd("start tx_first")
    time.sleep(1.5)
    cmd("stop")
    time.sleep(0.3)
    cmd("show port stats all")
    cmd("show port xstats 0")
    cmd("quit")
    rc, out, err = tp.finish(60)
    assert rc == 0, f"{out}\n{err}"
    stats = out[out.rfind("NIC statistics for port 0"):]
    rx = [int(x) for x in re.findall(r"RX-packets:\s+(\d+)", stats)]
    tx = [int(x) for x in re.findall(r"TX-packets:\s+(\d+)", stats)]
    missed = [int(x) for x in re.findall(r"RX-missed:\s+(\d+)", stats)]
    errors = [int(x) for x in re.findall(r"[RT]X-errors:\s+(\d+)", stats)]
    assert len(rx) >= 2 and min(rx[:2]) > 1000 and min(tx[:2]) > 1000, stats
    assert sum(missed) == 0 and sum(errors) == 0, stats
    drops = {k: int(v) for k, v in re.findall(r"(switch_drop_\w+):\s+(\d+)", out)}
    assert drops and sum(drops.values()) == 0, drops  # no drop at all, explained or not
    fwd = int(re.search(r"switch_forwarded:\s+(\d+)", out).group(1))
    print(f"testpmd mac forwarding PF <-> VF: RX {rx[:2]}, TX {tx[:2]}, switch forwarded {fwd}")
    assert shm_objects(DEV) == []


sys.exit(run_cases([test_forwarding, test_ports_up_in_testpmd, test_testpmd_bad_devargs,
                    test_testpmd_with_service_lcore, test_pmdinfo_lists_drivers,
                    test_vf_ethdev_ops, test_vf_mac_refused, test_telemetry, test_telemetry_256_vfs,
                    test_same_process_attach_loaded],
                   lambda: remove_shm(DEV)))
