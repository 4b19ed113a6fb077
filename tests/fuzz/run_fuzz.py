#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run one libFuzzer target for a bounded time on a scratch copy of its seed
corpus, or from nothing when the corpus argument is "-"; print how many
inputs it executed and the coverage reached. Crashes are kept in the build
folder (fuzz-artifacts/) so they can be replayed."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

target, seeds, seconds, artifacts = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
name = os.path.basename(target)
os.makedirs(artifacts, exist_ok=True)
with tempfile.TemporaryDirectory(prefix="bcnic-fuzz-") as work:
    corpus = os.path.join(work, "corpus")
    if seeds == "-":
        os.mkdir(corpus)    # from nothing: what the seeds never suggested
    else:
        shutil.copytree(seeds, corpus)
    cmd = [target, corpus, f"-max_total_time={seconds}", "-print_final_stats=1",
           "-rss_limit_mb=2048", f"-artifact_prefix={artifacts}/{name}-"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=seconds + 120)
    out = p.stdout
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
    execs = int(m.group(1)) if m else 0
    if p.returncode != 0 or execs == 0:
        sys.stdout.write(out[-6000:])
        print(f"fuzz {name}: FAILED (exit {p.returncode}, {execs} executions)")
        sys.exit(1)
    cov = re.findall(r"cov: (\d+)", out)
    origin = "an empty corpus" if seeds == "-" else "the seed corpus"
    print(f"fuzz {name}: {execs} executions in {seconds} s from {origin}, no crash"
          + (f", coverage {cov[-1]} edges" if cov else ""))
