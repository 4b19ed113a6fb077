#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# make bench: the latency benchmark on the emulated device, PF poller on
# service lcore 1, VF client on lcore 0, with the reference channels.
# Results: <build>/bench/latency.{json,csv,png,gp}. Extra options after the
# build folder go to dpdk-test-bc, e.g.  devtools/bench.sh build --samples 20000
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[ $# -gt 0 ] && shift
out="$top/$build/bench"
mkdir -p "$out"
if [ "$(nproc)" -lt 2 ]; then
	echo "bench: needs two CPUs (one for the PF poller, one for the VF)" >&2
	exit 1
fi
"$top/$build/app/test-bc/dpdk-test-bc" -l 0-1 -s 0x2 --no-huge -m 256 --no-pci \
	--no-shconf --file-prefix bcnic-bench --no-telemetry --log-level=pmd.net.bcnic*:warning -- \
	--baselines --json "$out/latency.json" --csv "$out/latency.csv" "$@"
rmdir /var/run/dpdk/bcnic-bench 2>/dev/null || true
echo "results: $out/latency.json $out/latency.csv $out/latency.png (gnuplot script: $out/latency.gp)"
