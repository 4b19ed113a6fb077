#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""examples/pf_agent and examples/vf_config driven against each other.
Usage: test_examples.py <pf_agent> <vf_config> <blocks.conf> <test_pf>"""
import os
import re
import select
import subprocess
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bcnic_testlib import EAL_COMMON, Proc, Telemetry, remove_shm, run_cases, shm_objects, unique_dev  # noqa: E402

AGENT, VFCFG, CONF, TEST_PF = sys.argv[1:5]
DEV = unique_dev("ex")
EAL = ["-l", "0", *EAL_COMMON]


def agent(*extra, conf=CONF):
    a = Proc([AGENT, *EAL, "--", "--dev", DEV, "--vfs", "4", "--config", conf, "--trusted", "0",
              *extra])
    a.wait_line("up:")
    return a


def vfc(vf, *cmd, timeout=60):
    return Proc([VFCFG, *EAL, "--", "--dev", DEV, "--vf", str(vf), *cmd], stdin=False).finish(timeout)


def vfc_rc(want, vf, *cmd):
    """vf_config's exit code must be want; the failure shows what it printed."""
    r = vfc(vf, *cmd)
    assert r[0] == want, (cmd, r)
    return r


def test_list_read_write():
    a = agent()
    rc, out, err = vfc(1, "list")
    assert rc == 0, err
    for line in ("0xffff0001        8 rw      per_vf", "0x00001000      256 rw      per_vf",
                 "0x00001001       16 ro      shared", "0x00001002     4096 ro      per_vf"):
        assert line in out, out
    rc, out, _ = vfc(3, "list")
    assert rc == 0 and "0x00001000" not in out, out  # access none: invisible to VF 3
    rc, out, _ = vfc(1, "read", "0x1000", "0", "16")
    assert rc == 0 and "|vport-config-v1.|" in out, out
    rc, out, _ = vfc(1, "read", "0xffff0003")
    assert rc == 0 and "LINK up, 100000 Mbps" in out, out
    rc, out, _ = vfc(1, "write", "0x1000", "text:tenant-42", "16")
    assert rc == 0 and "wrote 9 bytes" in out, out
    rc, out, _ = vfc(1, "read", "0x1000", "16", "9")
    assert rc == 0 and "|tenant-42|" in out, out
    rc, out, _ = vfc(2, "read", "0x1000", "16", "9")
    assert rc == 0 and "tenant-42" not in out, out  # per VF: VF 2's copy is its own
    with tempfile.NamedTemporaryFile() as f:
        f.write(bytes(range(32)))
        f.flush()
        rc, out, _ = vfc(2, "write", "0x1000", f"file:{f.name}")
        assert rc == 0 and "wrote 32 bytes" in out, out
    a.p.stdin.write(b"show 0x1000 2 4\n")
    a.p.stdin.flush()
    # The agent logs sessions as they come and go: the answer is the matching line, not the last.
    line = a.wait_line("block 0x00001000 vf 2 version")
    assert "00 01 02 03" in line, line
    # What scripts rely on: exit codes.
    vfc_rc(3, 1, "write", "0x1001", "hex:00")      # read-only: refused
    vfc_rc(4, 1, "read", "0x9999")                 # no such block
    vfc_rc(5, 1, "read", "0x1001", "10", "10")     # out of range
    vfc_rc(1, 1, "frobnicate")                     # usage
    vfc_rc(2, 9, "list")                           # no such VF
    # The policy: only trusted VFs (0) change their MAC.
    rc, out, err = vfc(1, "write", "0xffff0001", "hex:020000000042")
    assert rc == 3 and "Permission denied" in err, (rc, out, err)
    a.wait_line("VF 1 writes block 0xffff0001 [0, +6): refused (untrusted VF)")
    rc, out, _ = vfc(0, "write", "0xffff0001", "hex:020000000042")
    assert rc == 0, out
    a.wait_line("VF 0 writes block 0xffff0001 [0, +6): accepted")
    a.p.send_signal(signal.SIGTERM)
    rc, out, err = a.finish(30)
    assert rc == 0 and "stopping" in out, (rc, err)
    assert shm_objects(DEV) == []


def test_watch_sees_pf_changes():
    a = agent()
    w = Proc([VFCFG, *EAL, "--", "--dev", DEV, "--vf", "2", "watch", "2", "20"], stdin=False)
    w.wait_line("watching")
    a.p.stdin.write(b"set 0x1001 all 0 hex:aabb\n")
    a.p.stdin.flush()
    w.wait_line("block 0x00001001 changed")
    a.p.stdin.write(b"set 0x1000 2 0 text:new\n")
    a.p.stdin.flush()
    w.wait_line("block 0x00001000 changed")
    rc, out, err = w.finish(30)
    assert rc == 0, (out, err)
    rc, out, _ = vfc(2, "read", "0x1001", "0", "2")
    assert "aa bb" in out, out
    a.p.send_signal(signal.SIGINT)
    rc, _, err = a.finish(30)
    assert rc == 0, err


def test_store_survives_restart():
    d = tempfile.mkdtemp(prefix="bcnic-agent-")
    try:
        store = os.path.join(d, "store")
        a = agent("--store", store)
        vfc_rc(0, 1, "write", "0x1000", "text:kept-across-restarts")
        a.p.send_signal(signal.SIGTERM)
        assert a.finish(30)[0] == 0
        a = agent("--store", store)
        rc, out, _ = vfc(1, "read", "0x1000", "0", "23")
        assert rc == 0 and "|kept-across-rest|" in out and "|arts" in out, out
        a.p.kill()  # even killed, what was acknowledged stays
        a.p.wait()
        Proc.live.remove(a)
        remove_shm(DEV)
        a = agent("--store", store)
        rc, out, _ = vfc(1, "read", "0x1000", "0", "23")
        assert rc == 0 and "|kept-across-rest|" in out and "|arts" in out, out
        a.p.send_signal(signal.SIGTERM)
        assert a.finish(30)[0] == 0
    finally:
        shutil.rmtree(d, ignore_errors=True)
    assert shm_objects(DEV) == []


def test_command_burst():
    """A burst of commands arriving at once runs at once, every one of them
    (stdio's buffer used to hold all but the first until more input came)."""
    a = agent()
    a.p.stdin.write(b"".join(b"set 0x1001 all 0 hex:%02x\n" % i for i in range(1, 41)))
    a.p.stdin.flush()  # one write; nothing more arrives until the 40 have run
    end = time.monotonic() + 2
    for i in range(40):
        a.wait_line("set block 0x00001001 for all: done", timeout=max(0.01, end - time.monotonic()))
    a.p.stdin.write(b"show 0x1001 0 1\n")
    a.p.stdin.flush()
    assert a.wait_line("block 0x00001001 vf 0 version").split(":")[-1].split() == ["28"], a.out
    a.p.send_signal(signal.SIGTERM)
    assert a.finish(30)[0] == 0


def drain(a, seconds):
    """Read the agent's stdout into a.out for a while (a full pipe would stall it)."""
    end = time.monotonic() + seconds
    fd = a.p.stdout.fileno()
    while (left := end - time.monotonic()) > 0:
        if not select.select([fd], [], [], left)[0]:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        a.pending += chunk
        *lines, a.pending = a.pending.split(b"\n")
        a.out += [l.decode(errors="replace") + "\n" for l in lines]


def write_log(a, vf, block):
    """(writes logged one by one, writes counted in summaries) of a VF on a block so far."""
    one = sum(1 for l in a.out if f"VF {vf} writes block 0x{block:08x} " in l)
    summed = sum(int(m.group(1)) for l in a.out
                 if (m := re.search(rf"VF {vf}: (\d+) writes not logged one by one .*"
                                    rf"last block 0x{block:08x}", l)))
    return one, summed


def test_write_flood_log_bounded():
    """A VF writing as fast as it can: the agent logs its first writes, then a
    summary a second with the count of the others, never more than a bounded
    number of lines a second; every write is accounted for, and another VF's
    write is still logged. (It used to log one line per write: 442 MB in 26 s.)"""
    n = 300000
    with tempfile.NamedTemporaryFile("w", suffix=".conf") as conf:
        conf.write(open(CONF).read() + "\nblock 0x500 8 per_vf rw\n")
        conf.flush()
        a = agent(conf=conf.name)
    w = subprocess.Popen([TEST_PF, "writer", DEV, "1", str(n)], stdout=subprocess.DEVNULL)
    try:
        t0 = time.monotonic()
        drain(a, 0.5)
        v = Proc([VFCFG, *EAL, "--", "--dev", DEV, "--vf", "2", "write", "0x1000", "text:abc"],
                 stdin=False)
        while v.p.poll() is None and time.monotonic() - t0 < 60:
            drain(a, 0.1)
        rc, out, err = v.finish(30)
        assert rc == 0, (rc, out, err)
        while w.poll() is None and time.monotonic() - t0 < 120:
            drain(a, 0.2)
        assert w.wait(1) == 0, "the writer failed"
        took = time.monotonic() - t0
    finally:
        if w.poll() is None:
            w.kill()
            w.wait()
    end = time.monotonic() + 5
    while sum(write_log(a, 1, 0x500)) < n and time.monotonic() < end:
        drain(a, 0.2)
    one, summed = write_log(a, 1, 0x500)
    assert one + summed == n, (one, summed, "".join(a.out[-20:]))
    assert 1 <= one <= 5 * (took + 3), (one, took)
    assert any("VF 2 writes block 0x00001000 [0, +3): accepted" in l for l in a.out), a.out
    per_second = {}
    for l in a.out:
        if m := re.match(r"\[(\d+)\.\d+\] ", l):
            per_second[m.group(1)] = per_second.get(m.group(1), 0) + 1
    busiest = max(per_second.values())
    print(f"{n} writes of VF 1 in {took:.1f} s: {one} logged one by one, {summed} in summaries; "
          f"{len(a.out)} lines in all, at most {busiest} in a second")
    assert busiest <= 60 and len(a.out) <= 60 * (took + 6), (busiest, len(a.out))
    # A hostile VF (malformed requests, resets, sessions again and again): its
    # session changes and malformed requests are summarised, within the same bound.
    since = len(a.out)
    h = subprocess.Popen([TEST_PF, "hostile", DEV, "3", "2"], stdout=subprocess.DEVNULL)
    t0 = time.monotonic()
    while h.poll() is None and time.monotonic() - t0 < 60:
        drain(a, 0.2)
    assert h.wait(1) == 0, "the hostile VF failed"
    drain(a, 1.5)
    hostile = a.out[since:]
    assert any(re.search(r"VF 3: .*\d+ malformed requests in the last", l)
               for l in hostile), hostile
    assert len(hostile) <= 60 * (time.monotonic() - t0 + 1), len(hostile)
    a.p.send_signal(signal.SIGTERM)
    assert a.finish(30)[0] == 0
    assert shm_objects(DEV) == []


def test_telemetry_blocks_paged():
    """/bcnic/blocks pages its answer like /bcnic/vfs: 40 per-VF blocks of 256
    VFs (about 3 KiB each at worst) are all reachable by following "next", and
    no reply reaches DPDK's 16 KiB limit (one reply used to be cut there)."""
    import json
    import shutil
    import socket
    import tempfile

    prefix = f"bcnic-telblk{os.getpid()}"
    eal = ["-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--file-prefix", prefix]
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        for i in range(40):
            f.write(f"block 0x{0x2000 + i:08x}  64  per_vf  rw\n")
        conf = f.name
    a = Proc([AGENT, *eal, "--", "--dev", DEV, "--vfs", "256", "--config", conf])
    try:
        a.wait_line("up:", timeout=60)
        t = Telemetry(prefix)
        seen, first, pages = {}, 0, 0
        while True:
            page = t.call(f"/bcnic/blocks,0,{first}")["/bcnic/blocks"]
            assert page["first"] == first and page["total_blocks"] == 45, page.keys()
            keys = [k for k in page if k.startswith("0x")]
            assert len(keys) == page["next"] - first and keys, (first, page["next"], keys)
            seen.update((k, page[k]) for k in keys)
            pages += 1
            if page["next"] == page["total_blocks"]:
                break
            first = page["next"]
            assert pages < 50, pages
        assert t.call("/bcnic/blocks,0,46")["/bcnic/blocks"] is None
        t.close()
        # The standard blocks: MAC, MTU, link, RXMODE and MAC_FILTER.
        want = {f"0x{0x2000 + i:08x}" for i in range(40)} | {
            "0xffff0001", "0xffff0002", "0xffff0003", "0xffff0004", "0xffff0005"}
        assert set(seen) == want, sorted(set(seen) ^ want)
        assert all(len(seen[k]["versions"]) == 256 for k in seen if k != "0xffff0003"), seen
        assert pages > 1, pages
        print(f"/bcnic/blocks with 45 blocks of 256 VFs: {pages} pages")
    finally:
        a.p.send_signal(signal.SIGTERM)
        a.finish(30)
        os.unlink(conf)
        shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
    assert shm_objects(DEV) == []


sys.exit(run_cases([test_list_read_write, test_watch_sees_pf_changes, test_store_survives_restart,
                    test_command_burst, test_write_flood_log_bounded, test_telemetry_blocks_paged],
                   lambda: remove_shm(DEV)))
