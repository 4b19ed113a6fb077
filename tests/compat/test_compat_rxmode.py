#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Rx modes with stock dpdk-testpmd: 'set promisc' changes what the PF port
and a trusted VF receive, an untrusted VF's request is refused (-EACCES, the
PF's trust policy), 'mac_addr add' works up to the PF's per-VF limit.
Frames are counted where DPDK users look: 'show port stats'.
Usage: test_compat_rxmode.py <librte_net_bcnic.so>"""
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bcnic_testlib import EAL_COMMON, Proc, remove_shm, run_cases, shm_objects, unique_dev  # noqa: E402

PLUGIN = os.path.abspath(sys.argv[1])
TESTPMD = shutil.which("dpdk-testpmd") or "/usr/bin/dpdk-testpmd"
DEV = unique_dev("cr")
FOREIGN = "02:de:ad:be:ef:01"   # nobody's MAC
EXTRA = ["02:00:00:00:99:01", "02:00:00:00:99:02", "02:00:00:00:99:03"]
BURST = 32                      # testpmd's default burst: what 'start tx_first' sends per port


class Testpmd:
    """testpmd with the PF (port 0), VF 0 (port 1, untrusted) and VF 1 (port 2, trusted);
    its stdout line-buffered (stdbuf) so that each step can wait for its answer."""

    def __init__(self):
        argv = ["stdbuf", "-oL", TESTPMD, "--lcores", "0@0,1@1,2@0", "-S", "1", *EAL_COMMON,
                "-d", PLUGIN,
                "--vdev", f"net_bcnic_pf0,dev={DEV},vfs=2,trust=[1],vf_mac_filters=2",
                "--vdev", f"net_bcnic_vf0,dev={DEV},vf=0",
                "--vdev", f"net_bcnic_vf1,dev={DEV},vf=1",
                "--", "-i", "--total-num-mbufs=4096"]
        self.tp = Proc(argv)
        self.macs = [self.tp.wait_line(f"Port {port}: 02:").split()[-1] for port in (0, 1, 2)]
        self.cmd("set fwd rxonly")  # every port receives; tx_first makes each send a burst

    def cmd(self, c):
        self.tp.p.stdin.write((c + "\n").encode())
        self.tp.p.stdin.flush()

    def port_stats(self):
        """RX-packets of ports 0..2, from 'show port stats all'."""
        self.cmd("show port stats all")
        rx = []
        for port in range(3):
            self.tp.wait_line(f"NIC statistics for port {port}")
            rx.append(int(re.search(r"RX-packets:\s+(\d+)", self.tp.wait_line("RX-packets"))
                          .group(1)))
        return rx

    def switched(self):
        """Frames the switch has dealt with (forwarded, flooded or dropped), from the PF's xstats."""
        self.cmd("show port xstats 0")
        self.tp.wait_line("NIC extended statistics for port 0")
        first = self.tp.seen
        self.tp.wait_line("vf1_dp_rx_full")   # the last of the PF's xstats with 2 VFs
        lines = "".join(self.tp.out[first:self.tp.seen])
        return sum(int(v) for v in re.findall(r"switch_(?:forwarded|flooded|drop_\w+):\s+(\d+)",
                                              lines))

    def burst(self, peers):
        """Every port sends one burst, port p to peers[p] or else to its own MAC (which
        the switch never sends back: nobody receives it); every port receives.
        Returns RX-packets by port once the switch has dealt with every frame and the
        counts stay still."""
        for port in range(3):
            self.cmd(f"set eth-peer {port} {peers.get(port, self.macs[port])}")
        self.cmd("clear port stats all")
        self.cmd("clear port xstats all")
        self.cmd("start tx_first")
        end = time.monotonic() + 60     # a bound for a starved machine, not a measurement
        while self.switched() < 3 * BURST and time.monotonic() < end:
            time.sleep(0.1)
        rx = self.port_stats()
        while time.monotonic() < end:
            time.sleep(0.3)
            again = self.port_stats()
            if again == rx:
                break
            rx = again
        self.cmd("stop")
        return rx

    def finish(self):
        self.cmd("quit")
        rc, out, err = self.tp.finish(60)
        assert rc == 0, f"testpmd exit {rc}\n{out}\n{err}"
        return out + err


def test_promisc_off_on():
    t = Testpmd()
    try:
        # Everyone sends a burst to a MAC nobody has.
        everyone = {0: FOREIGN, 1: FOREIGN, 2: FOREIGN}
        t.cmd("set promisc all off")
        off = t.burst(everyone)
        t.cmd("set promisc all on")   # the PF and VF 1 are granted it, VF 0 is refused
        on = t.burst(everyone)
        t.cmd("show port info 1")
        t.cmd("show port info 2")
    finally:
        out = t.finish()
    print(f"RX-packets by port, promiscuous off: {off}, on: {on}")
    assert off == [0, 0, 0], off
    # On: the PF port takes the unknown unicast of both VFs, the trusted VF that of the
    # PF and VF 0; the untrusted VF 0 nothing.
    assert on == [2 * BURST, 0, 2 * BURST], on
    assert re.search(r"Error during enabling promiscuous mode for port 1: Permission denied", out), out
    info1 = out[out.rfind("Infos for port 1"):]
    info2 = out[out.rfind("Infos for port 2"):]
    assert re.search(r"Promiscuous mode: disabled", info1), info1
    assert re.search(r"Promiscuous mode: enabled", info2), info2
    assert shm_objects(DEV) == []


def test_mac_addr_add_limit():
    t = Testpmd()
    try:
        t.cmd("set promisc all off")
        for mac in EXTRA:
            t.cmd(f"mac_addr add 1 {mac}")
        # The PF port sends to VF 0's extra MACs: received there, and only there.
        got = [t.burst({0: mac}) for mac in EXTRA[:2]]
        t.cmd(f"mac_addr remove 1 {EXTRA[0]}")
        removed = t.burst({0: EXTRA[0]})
    finally:
        out = t.finish()
    print(f"RX-packets by port, PF -> extra MACs {got}, after remove {removed}")
    assert got == [[0, BURST, 0], [0, BURST, 0]], f"{got}\n{out}"
    assert removed == [0, 0, 0], removed
    # The third is beyond vf_mac_filters=2: refused.
    assert out.count("mac_addr_cmd error") == 1 and "No space left on device" in out, out
    assert shm_objects(DEV) == []


sys.exit(run_cases([test_promisc_off_on, test_mac_addr_add_limit], lambda: remove_shm(DEV)))
