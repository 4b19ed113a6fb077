#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""dpdk-test-bc runs briefly; its JSON has the promised shape and sane
numbers (not speed: machines are shared). Usage: test_bench.py <dpdk-test-bc>"""
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bcnic_testlib import Proc, remove_shm, run_cases, shm_objects, unique_dev  # noqa: E402

BC = sys.argv[1]
EAL = ["-l", "0-1", "-s", "0x2", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
       "--file-prefix", "bcnic-test", "--no-telemetry"]
DEV = unique_dev("bch")
KEYS = {"name", "op", "size", "vfs", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns",
        "mean_ns", "ops_per_s", "samples", "p50_over_mailbox", "p50_over_rte_ring"}
MACHINE = {"cpu_model", "kernel", "virtualised", "hypervisor", "online_cpus", "tsc_hz",
           "tsc_invariant", "lcores", "smt_siblings"}


def check_machine(doc, roles):
    """The machine facts the numbers depend on, whatever the machine."""
    m = doc["machine"]
    assert set(m) == MACHINE, m
    assert m["cpu_model"] and m["kernel"].startswith("Linux "), m
    assert m["virtualised"] in (True, False, None) and m["hypervisor"], m
    assert m["online_cpus"] >= 1 and m["tsc_hz"] == doc["tsc_hz"] > 0, m
    assert [l["role"] for l in m["lcores"]] == roles, m
    for l in m["lcores"]:
        assert set(l) == {"role", "lcore", "cpus", "thread_siblings"}, l
        assert l["cpus"] != "unknown", l
    assert m["smt_siblings"] in ("yes", "no", "same_cpu", "unknown"), m


def check_results(doc, names, mode="latency", baselines=False, roles=("vf", "pf")):
    assert doc["mode"] == mode, doc
    check_machine(doc, list(roles))
    res = doc["results"]
    seen = {(r["name"], r["size"]) for r in res}
    for n in names:
        assert n in seen, (n, seen)
    for r in res:
        assert set(r) == KEYS, r
        assert r["samples"] > 0, r
        # A stage (breakdown, pickup delay) may take no measurable time; a round trip does.
        lo = 0 if r["op"] == "stage" else 1e-9
        assert lo <= r["p50_ns"] <= r["p90_ns"] <= r["p99_ns"] <= r["p999_ns"] <= r["max_ns"], r
        assert r["mean_ns"] >= lo and r["ops_per_s"] > 0, r
        for k in ("p50_over_mailbox", "p50_over_rte_ring"):
            if baselines:
                assert r[k] > 0, r
            else:
                assert r[k] is None, r
    if baselines:
        mb = next(r for r in res if r["name"] == "baseline_mailbox")
        assert abs(mb["p50_over_mailbox"] - 1) < 1e-9, mb


def check_plot_styles(gp, count):
    """Each curve is known by its look: no two share colour and dash; baselines
    dashed grey, reads blue, writes red, one point type per size in both."""
    with open(gp) as f:
        clauses = re.findall(r"\$s\d+ using 1:2 with (\w+) lc rgb '#(\w{6})' dt (\d+)"
                             r"(?: lw [\d.]+)?(?: pt (\d+))?.*? title '([^']+)'", f.read())
    assert len(clauses) == count, clauses
    looks = [(colour, dt) for _, colour, dt, _, _ in clauses]
    assert len(set(looks)) == len(looks), looks
    pts = {}
    for kind, colour, dt, pt, title in clauses:
        r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
        name, size = title.split(" ", 1)
        if name.startswith("baseline_"):
            assert kind == "lines" and dt != "1" and r == g == b, (title, colour, dt)
        else:
            assert kind == "linespoints" and dt == "1", (title, dt)
            if name == "bcnic_read":
                assert b > r, (title, colour)
            if name == "bcnic_write":
                assert r > b, (title, colour)
            pts.setdefault(size, set()).add(pt)
    assert all(len(v) == 1 for v in pts.values()), pts  # a size looks alike in reads and writes
    assert len({min(v) for v in pts.values()}) == len(pts), pts  # and unlike any other size


def test_latency_in_one_process():
    with tempfile.TemporaryDirectory() as d:
        js, csv = os.path.join(d, "l.json"), os.path.join(d, "l.csv")
        p = Proc([BC, *EAL, "--", "--baselines", "--samples", "2000", "--sizes", "8,64,4096,65536",
                  "--dev", DEV, "--json", js, "--csv", csv], stdin=False)
        rc, out, err = p.finish(120)
        assert rc == 0, f"{out}\n{err}"
        with open(js) as f:
            doc = json.load(f)
        check_results(doc, [("baseline_mailbox", 64), ("baseline_cacheline", 64),
                            ("baseline_rte_ring", 64), ("baseline_unix_socket", 64),
                            ("bcnic_read", 8), ("bcnic_write", 8), ("bcnic_read", 64),
                            ("bcnic_read", 4096), ("bcnic_read", 65536), ("bcnic_write", 65536)],
                      baselines=True)
        with open(csv) as f:
            lines = f.read().splitlines()
        assert lines[0] == "name,op,size,vfs,bucket_ns,count,cdf", lines[0]
        assert any(l.startswith("bcnic_read,read,64,1,") for l in lines[1:])
        last = {}
        for l in lines[1:]:
            name, op, size, vfs, bucket, count, cdf = l.split(",")
            last[(name, size)] = float(cdf)
        assert all(abs(v - 1.0) < 1e-6 for v in last.values()), last
        assert os.path.getsize(os.path.join(d, "l.png")) > 1000  # gnuplot wrote the CDF
        check_plot_styles(os.path.join(d, "l.gp"), len(doc["results"]))
        for want in ("p50/mailbox", "p50/rte_ring", "bcnic_read", "machine: ", "lcores: vf on lcore 0",
                     "not a floor"):
            assert want in out, (want, out)
    assert shm_objects(DEV) == []


STAGES = ["stage_vf_submit", "stage_pf_pickup", "stage_pf_handle", "stage_vf_seen",
          "stage_vf_return", "stage_total"]


def test_latency_breakdown():
    """--breakdown: the stages of a 64 B read, in order, each within the
    total, their means adding up to it (shape, not speed)."""
    with tempfile.TemporaryDirectory() as d:
        js = os.path.join(d, "b.json")
        p = Proc([BC, *EAL, "--", "--breakdown", "--samples", "3000", "--sizes", "64",
                  "--dev", DEV, "--json", js], stdin=False)
        rc, out, err = p.finish(120)
        assert rc == 0, f"{out}\n{err}"
        with open(js) as f:
            doc = json.load(f)
    check_results(doc, [("bcnic_read", 64), *[(n, 64) for n in STAGES]])
    stages = [r for r in doc["results"] if r["op"] == "stage"]
    assert [r["name"] for r in stages] == STAGES, stages  # in the order they happen
    total = stages[-1]
    assert total["samples"] >= 2700, total  # (nearly) every traced call matched on both sides
    for r in stages:
        assert r["samples"] == total["samples"] and r["size"] == 64 and r["vfs"] == 1, r
        assert r["p50_ns"] >= 0 and r["mean_ns"] >= 0, r
        assert r["p50_ns"] <= total["p50_ns"] and r["p99_ns"] <= total["p99_ns"], (r, total)
    parts = sum(r["mean_ns"] for r in stages[:-1])
    # Per call the stages add up to the total exactly; means round to 0.1 ns each.
    assert abs(parts - total["mean_ns"]) <= 0.01 * total["mean_ns"] + 1, (parts, total)
    assert "breakdown of a 64 B read" in out and "pf_pickup" in out, out
    assert shm_objects(DEV) == []


def test_serve_and_attach():
    srv = Proc([BC, *EAL, "--", "--serve", "--dev", DEV])
    srv.wait_line("serving device")
    with tempfile.TemporaryDirectory() as d:
        js = os.path.join(d, "a.json")
        eal = ["-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
               "--file-prefix", "bcnic-test", "--no-telemetry"]
        p = Proc([BC, *eal, "--", "--attach", f"{DEV}:0", "--samples", "1000", "--sizes", "64",
                  "--json", js], stdin=False)
        rc, out, err = p.finish(120)
        assert rc == 0, f"{out}\n{err}"
        with open(js) as f:
            check_results(json.load(f), [("bcnic_read", 64), ("bcnic_write", 64)],
                          roles=("vf",))  # the PF's lcore is in the other process
    srv.p.send_signal(2)  # SIGINT: the documented way to stop --serve
    rc, _, err = srv.finish(30)
    assert rc == 0, err
    assert shm_objects(DEV) == []


def test_bad_options():
    for args, msg in ((["--samples", "0"], "invalid --samples '0'"),
                      (["--sizes", "8,70000"], "invalid --sizes entry '70000'"),
                      (["--mode", "warp"], "unknown --mode warp"),
                      (["--attach", "nocolon"], "invalid --attach 'nocolon'")):
        p = Proc([BC, *EAL, "--", "--dev", DEV, *args], stdin=False)
        rc, out, err = p.finish(60)
        assert rc != 0 and msg in out + err, (args, rc, out, err)
    assert shm_objects(DEV) == []


def run_mode(mode, extra_args, eal=EAL):
    with tempfile.TemporaryDirectory() as d:
        js = os.path.join(d, "m.json")
        p = Proc([BC, *eal, "--", "--mode", mode, "--dev", DEV, "--json", js, *extra_args],
                 stdin=False)
        rc, out, err = p.finish(180)
        assert rc == 0, f"{mode}: {out}\n{err}"
        with open(js) as f:
            return json.load(f), out


def test_mode_throughput():
    doc, out = run_mode("throughput", ["--samples", "5000", "--sizes", "64,4096",
                                       "--duration-ms", "100", "--max-vfs", "2"])
    check_results(doc, [("bcnic_read_pipelined", 64), ("bcnic_read_pipelined", 4096)],
                  "throughput")
    assert {r["vfs"] for r in doc["results"]} == {1, 2}, doc
    for r in doc["results"]:
        assert r["ops_per_s"] >= r["samples"] / 0.2, r  # every completion counted, not just samples
    assert doc["mbytes_per_s_1vf_4096B"] > 0 and doc["mbytes_per_s_2vf_64B"] > 0, doc
    # The raw library client on the same window, beside the driver's async API.
    raw = {r["size"]: r for r in doc["results"] if r["name"] == "raw_read_pipelined"}
    assert set(raw) == {64, 4096} and all(r["vfs"] == 1 for r in raw.values()), doc
    for size in (64, 4096):
        assert doc[f"raw_mbytes_per_s_1vf_{size}B"] > 0 and doc[f"driver_vs_raw_rate_{size}B"] > 0, doc


def test_mode_scale():
    doc, out = run_mode("scale", ["--samples", "2000"])
    check_results(doc, [("bcnic_read", 64)], "scale")
    assert sorted(r["vfs"] for r in doc["results"]) == [1, 16, 64, 256], doc
    assert doc["p50_ratio_256_vs_1_vf"] > 0, doc


def test_mode_fairness():
    # Two lcores: the flooder shares the probe's lcore, and the output says so.
    doc, out = run_mode("fairness", ["--samples", "2000"])
    check_results(doc, [("bcnic_read", 64), ("bcnic_read_flooded", 64)], "fairness",
                  roles=("vf", "pf", "flooder"))
    assert doc["fairness_layout"] == "flooder_same_lcore", doc
    assert doc["machine"]["lcores"][2]["lcore"] == 0, doc
    assert doc["flooding_vf_ops_per_s"] > 0 and doc["probe_p99_ratio_flooded_vs_alone"] > 0, doc
    assert "flooder_same_lcore" in out, out
    check_pickup(doc)


def check_pickup(doc):
    """Fairness where it happens: the PF's pickup delay of the probe, alone and flooded."""
    pick = {r["name"]: r for r in doc["results"] if r["op"] == "stage"}
    assert set(pick) == {"pf_pickup", "pf_pickup_flooded"}, doc
    assert pick["pf_pickup"]["vfs"] == 1 and pick["pf_pickup_flooded"]["vfs"] == 2, pick
    assert doc["pickup_p99_ratio_flooded_vs_alone"] > 0, doc


def test_mode_fairness_flooder_lcore():
    # A third lcore (here sharing CPU 0: the machine may have two) gets the flooder.
    eal = ["--lcores", "0@0,1@1,2@0", *EAL[2:]]
    doc, out = run_mode("fairness", ["--samples", "500"], eal)
    check_results(doc, [("bcnic_read", 64), ("bcnic_read_flooded", 64)], "fairness",
                  roles=("vf", "pf", "flooder"))
    assert doc["fairness_layout"] == "flooder_own_lcore", doc
    assert doc["fairness_cpu_shared"] == "yes", doc  # lcore 2 runs on CPU 0, as the probe
    assert doc["machine"]["lcores"][2]["lcore"] == 2, doc
    assert doc["flooding_vf_ops_per_s"] >= 0 and doc["probe_p99_ratio_flooded_vs_alone"] > 0, doc
    check_pickup(doc)


def test_mode_backoff():
    # One lcore: the thread poller gets the other CPU, as the guide says.
    eal = ["-l", "0", *EAL[2:]]
    eal = [a for a in eal if a not in ("-s", "0x2")]
    doc, out = run_mode("backoff", ["--samples", "200", "--duration-ms", "200"], eal)
    check_results(doc, [("bcnic_read", 64), ("bcnic_read_after_idle", 64)], "backoff",
                  roles=("vf",))  # the PF polls in its thread, on no lcore
    assert 0 <= doc["idle_poller_cpu_percent"] <= 100, doc


def test_mode_datapath():
    doc, out = run_mode("datapath", ["--duration-ms", "200"])
    assert doc["mode"] == "datapath", doc
    check_machine(doc, ["vf", "pf"])
    res = {r["size"]: r for r in doc["results"] if r["name"] == "bcnic_dp_vf_to_pf"}
    assert set(res) == {64, 1500}, doc
    for size in (64, 1500):
        assert res[size]["ops_per_s"] > 1000, res[size]
        assert doc[f"frames_per_s_{size}B"] > 1000, doc
        assert doc[f"vf_tx_burst_ns_per_frame_{size}B"] > 0, doc
        assert doc[f"pf_rx_burst_ns_per_frame_{size}B"] > 0, doc


sys.exit(run_cases([test_mode_datapath, test_latency_in_one_process, test_latency_breakdown,
                    test_serve_and_attach, test_bad_options,
                    test_mode_throughput, test_mode_scale, test_mode_fairness,
                    test_mode_fairness_flooder_lcore, test_mode_backoff],
                   lambda: remove_shm(DEV)))
