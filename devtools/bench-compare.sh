#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Two builds' dpdk-test-bc, alternated run by run on the same two lcores
# (a change's before and after: the machine's noise hits both alike), then
# the medians and their ratio (B over A): 64 B read/write p50/p99, 4 KiB
# read p50, pipelined 64 B read MB/s through the VF driver's async API.
#   devtools/bench-compare.sh <build dir A> <build dir B> [rounds (10)]
set -eu
[ $# -ge 2 ] || { echo "usage: $0 <build A> <build B> [rounds]" >&2; exit 2; }
a=$1 b=$2 rounds=${3:-10}
out=$(mktemp -d)
trap 'rm -rf "$out"; rmdir /var/run/dpdk/bccmp$$ 2>/dev/null || true' EXIT
run() {	# build tag round
	bin=$1/app/test-bc/dpdk-test-bc
	eal="-l 0-1 -s 0x2 --no-huge -m 256 --no-pci --no-shconf --file-prefix bccmp$$ --no-telemetry --log-level=pmd.net.bcnic*:warning"
	# shellcheck disable=SC2086
	"$bin" $eal -- --sizes 64,4096 --samples 100000 --json "$out/$2-lat-$3.json" >/dev/null 2>&1 ||
		echo "bench-compare: $bin latency run $3 failed" >&2
	# shellcheck disable=SC2086
	"$bin" $eal -- --mode throughput --max-vfs 1 --sizes 64 --duration-ms 1000 \
		--json "$out/$2-thr-$3.json" >/dev/null 2>&1 ||
		echo "bench-compare: $bin throughput run $3 failed" >&2
}
i=1
while [ "$i" -le "$rounds" ]; do
	run "$a" A "$i"
	run "$b" B "$i"
	i=$((i + 1))
done
python3 - "$out" "$a" "$b" <<'EOF'
import glob, json, statistics, sys

out, a, b = sys.argv[1:4]
def series(tag):
    r = {k: [] for k in ("read 64 B p50", "read 64 B p99", "write 64 B p50", "write 64 B p99",
                         "read 4 KiB p50", "pipelined 64 B MB/s")}
    for f in glob.glob(f"{out}/{tag}-lat-*.json"):
        for x in json.load(open(f))["results"]:
            if x["name"] in ("bcnic_read", "bcnic_write"):
                op = x["name"][6:]
                if x["size"] == 64:
                    r[f"{op} 64 B p50"].append(x["p50_ns"])
                    r[f"{op} 64 B p99"].append(x["p99_ns"])
                elif x["size"] == 4096 and op == "read":
                    r["read 4 KiB p50"].append(x["p50_ns"])
    for f in glob.glob(f"{out}/{tag}-thr-*.json"):
        v = json.load(open(f)).get("mbytes_per_s_1vf_64B")
        if v is not None:
            r["pipelined 64 B MB/s"].append(v)
    return r
A, B = series("A"), series("B")
print(f"A = {a}\nB = {b}\n{'':22s} {'A median':>10s} {'B median':>10s} {'B/A':>6s}  runs")
for k in A:
    if not A[k] or not B[k]:
        print(f"{k:22s} missing (a run failed)")
        continue
    ma, mb = statistics.median(A[k]), statistics.median(B[k])
    print(f"{k:22s} {ma:10.1f} {mb:10.1f} {mb / ma:6.3f}  {len(A[k])}/{len(B[k])}")
EOF
