#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Power loss: the PF's persisted block store keeps every acknowledged write.

The PF runs with plshim.so preloaded: for the folder of its store, the
"disk" keeps only what a completed fsync/fdatasync covered (file contents)
and what a directory fsync covered (names). Cutting the power is killing
the PF, then rebuilding the folder from what the model says survived. A raw
VF writes value i into 8-byte slot i % 8192 of a 64 KiB block, one write at
a time, and prints each acknowledged one; after the power comes back every
slot must hold the last acknowledged write to it (or the one write that was
in flight). Usage: test_power.py <test_pf> <plshim.so>"""
import os
import random
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bcnic_testlib import Proc, remove_shm, run_cases, shm_objects, unique_dev  # noqa: E402

TEST_PF, SHIM = sys.argv[1], os.path.abspath(sys.argv[2])
DEV = unique_dev("pwr")
SLOTS = 65536 // 8
RNG = random.Random(int(os.environ.get("BCNIC_POWER_SEED", "4242")))
EAGAIN = 11


class Disk:
    """The store's folder (what the PF sees) and the model's state (what survives)."""

    def __init__(self):
        # tmpfs: the model is the disk here, a real one would only add stalls on a busy machine
        self.top = tempfile.mkdtemp(prefix=f"bcnic-power-{os.getpid()}-", dir="/dev/shm")
        self.live = os.path.join(self.top, "store")
        self.state = os.path.join(self.top, "durable")
        os.mkdir(self.live)
        os.mkdir(self.state)
        self.rebase()

    def env(self):
        env = dict(os.environ)
        env.update(LD_PRELOAD=SHIM, BCNIC_PL_DIR=self.live, BCNIC_PL_STATE=self.state)
        return env

    def control(self, name, on):
        p = os.path.join(self.state, name)
        if on:
            open(p, "w").close()
        elif os.path.exists(p):
            os.unlink(p)

    def rebase(self):
        """What the folder holds now is on the disk: the model starts from it."""
        for f in os.listdir(self.state):
            os.unlink(os.path.join(self.state, f))
        names = []
        for f in sorted(os.listdir(self.live)):
            ino = os.stat(os.path.join(self.live, f)).st_ino
            shutil.copyfile(os.path.join(self.live, f), os.path.join(self.state, f"ino.{ino}"))
            names.append(f"{f} ino.{ino}\n")
        with open(os.path.join(self.state, "names"), "w") as fh:
            fh.writelines(names)

    def power_cut(self):
        """The PF is dead: keep of its folder only what was synced."""
        survived = {}
        with open(os.path.join(self.state, "names")) as fh:
            for line in fh:
                name, key = line.split()
                p = os.path.join(self.state, key)
                survived[name] = open(p, "rb").read() if os.path.exists(p) else b""
        for f in os.listdir(self.live):
            os.unlink(os.path.join(self.live, f))
        for name, data in survived.items():
            with open(os.path.join(self.live, name), "wb") as fh:
                fh.write(data)
        self.rebase()
        return {n: len(d) for n, d in survived.items()}

    def remove(self):
        shutil.rmtree(self.top, ignore_errors=True)


def start_pf(disk):
    pf = Proc([TEST_PF, "serve", DEV, "1", os.path.join(disk.live, "store")], env=disk.env())
    pf.wait_line("ready")
    return pf


def kill(proc):
    proc.p.kill()
    proc.p.wait()
    Proc.live.remove(proc)


def writer(start, n=1000000000):
    return Proc([TEST_PF, "writer", DEV, "0", str(n), str(start), "spread"], stdin=False)


def acked_in(out, before):
    return max([int(l.split()[1]) for l in out.splitlines() if l.startswith("acked")] + [before])


def check_store(acked, where):
    """Every slot holds the last acknowledged write to it, or the one in flight."""
    rc, out, err = Proc([TEST_PF, "dump", DEV, "0"], stdin=False).finish(60)
    assert rc == 0 and out.startswith("dump"), (rc, out[:200], err)
    values = [int(x) for x in out.split("\n", 1)[0].split()[1:]]
    assert len(values) == SLOTS, len(values)
    lost = []
    for s in range(SLOTS):
        want = acked - (acked - s) % SLOTS if acked >= s and (s or acked >= SLOTS) else 0
        if values[s] != want and not (values[s] == acked + 1 and (acked + 1) % SLOTS == s):
            lost.append((s, want, values[s]))
    assert not lost, (f"{where}: {len(lost)} acknowledged writes lost or wrong, "
                      f"acknowledged 1..{acked}; (slot, want, have): {lost[:5]}")


def test_random_power_cuts():
    """Cut the power at random points while a VF writes; every acknowledged write survives."""
    disk = Disk()
    try:
        pf = start_pf(disk)
        acked, cuts = 0, []
        for rnd in range(10):
            w = writer(acked + 1)
            if rnd % 4 == 3:
                time.sleep(RNG.uniform(0, 0.02))  # early: attach, first writes
            else:
                w.wait_line("acked")
                time.sleep(RNG.uniform(0.005, 0.25))
            kill(pf)  # the power goes: the PF first, then everything else
            rc, out, err = w.finish(30)
            assert rc != 0, "the writer cannot finish a billion writes"
            acked = acked_in(out, acked)
            survived = disk.power_cut()
            cuts.append((acked, survived.get("store.journal", 0)))
            pf = start_pf(disk)
            check_store(acked, f"power cut {rnd}")
        rc, _, err = pf.finish()
        assert rc == 0, err
        print("power cuts (writes acknowledged so far, journal bytes that survived): "
              + ", ".join(f"{a}/{j}" for a, j in cuts))
        assert acked >= 8, acked  # 8 of the 10 rounds cut only after an acknowledgement
        assert shm_objects(DEV) == []
    finally:
        disk.remove()


def test_acknowledged_only_after_sync():
    """The power goes while the PF is inside a journal sync: the write being synced was not
    acknowledged, and everything acknowledged before it is on the disk."""
    disk = Disk()
    try:
        pf = start_pf(disk)
        acked = 0
        for rnd in range(3):
            w = writer(acked + 1)
            for _ in range(RNG.randint(1, 200)):
                w.wait_line("acked")
            before = acked_in("".join(w.out), acked)
            disk.control("hold", True)  # the next sync waits until we cut the power
            insync = os.path.join(disk.state, "insync")
            end = time.monotonic() + 10
            while not os.path.exists(insync) and time.monotonic() < end:
                time.sleep(0.001)
            in_sync = os.path.exists(insync)
            kill(pf)
            disk.control("hold", False)
            rc, out, err = w.finish(30)
            acked = acked_in(out, acked)
            assert in_sync, (f"no journal sync within 10 s while the VF wrote: acknowledged "
                             f"{before} -> {acked} with every sync held")
            disk.power_cut()
            pf = start_pf(disk)
            check_store(acked, f"power cut inside a sync, round {rnd}")
        rc, _, err = pf.finish()
        assert rc == 0, err
    finally:
        disk.remove()


def refused_write(disk, start):
    """A writer from start while every journal sync fails: the write it was refused."""
    w = writer(start)
    w.wait_line("acked")
    disk.control("fail", True)
    try:
        w.wait_line("failed", timeout=10)
    except AssertionError:
        raise AssertionError("no write refused within 10 s of every journal sync failing "
                             "(are the writes synced at all?)") from None
    rc, out, err = w.finish(30)
    disk.control("fail", False)
    m = re.search(r"write (\d+) failed: (-?\d+)", out)
    assert rc == 1 and m, (rc, out[-300:], err)
    failed, status = int(m.group(1)), int(m.group(2))
    assert status == -EAGAIN, f"a failed sync gave the VF {status}, not -EAGAIN"
    assert acked_in(out, 0) == failed - 1
    return failed


def test_failed_sync_is_retryable():
    """A journal sync that fails: the VF is told to retry (-EAGAIN), the PF counts it in
    persist_errors, the retried writes are acknowledged and survive a power cut (what the
    failed sync should have written is lost for good, as on Linux)."""
    disk = Disk()
    try:
        pf = start_pf(disk)
        failed = refused_write(disk, 1)
        rc, out, err = writer(failed, 300).finish(60)  # the same write again, then more
        assert rc == 0, (rc, out[-300:], err)
        acked = acked_in(out, 0)
        assert acked == failed + 299, acked
        kill(pf)
        disk.power_cut()
        pf = start_pf(disk)
        check_store(acked, "power cut after a failed sync")
        # Once more, to a clean exit: the PF counted the failures.
        failed = refused_write(disk, acked + 1)
        rc, out, err = pf.finish()
        assert rc == 0, err
        c = dict(kv.split("=") for kv in re.search(r"counters (.*)", out).group(1).split())
        assert int(c["persist_errors"]) >= 1, c
        print(f"failed sync: write {failed} answered -EAGAIN, persist_errors "
              f"{c['persist_errors']}; retried writes acknowledged and kept")
        assert shm_objects(DEV) == []
    finally:
        disk.remove()


def test_short_append_is_retryable():
    """The disk fills up in the middle of a journal append: the VF is told to retry
    (-EAGAIN), and the half-written record does not cost the acknowledged writes after it
    at the next power cut."""
    disk = Disk()
    try:
        pf = start_pf(disk)
        w = writer(1)
        w.wait_line("acked")
        disk.control("short", True)
        try:
            w.wait_line("failed", timeout=10)
        except AssertionError:
            raise AssertionError("no write refused within 10 s of every journal append "
                                 "writing half its record") from None
        rc, out, err = w.finish(30)
        disk.control("short", False)
        m = re.search(r"write (\d+) failed: (-?\d+)", out)
        assert rc == 1 and m, (rc, out[-300:], err)
        failed, status = int(m.group(1)), int(m.group(2))
        assert status == -EAGAIN, f"a short journal append gave the VF {status}, not -EAGAIN"
        rc, out, err = writer(failed, 300).finish(60)  # the same write again, then more
        assert rc == 0, (rc, out[-300:], err)
        acked = acked_in(out, 0)
        assert acked == failed + 299, acked
        kill(pf)
        disk.power_cut()
        pf = start_pf(disk)
        check_store(acked, "power cut after a short append")
        rc, out, err = pf.finish()
        assert rc == 0, err
        print(f"short append: write {failed} answered -EAGAIN; retried, {acked} acknowledged "
              "and kept")
        assert shm_objects(DEV) == []
    finally:
        disk.remove()


sys.exit(run_cases([test_random_power_cuts, test_acknowledged_only_after_sync,
                    test_failed_sync_is_retryable, test_short_append_is_retryable], lambda: remove_shm(DEV)))
