#!/usr/bin/env bash
# Browser delivery benchmark (issue 12), one run on loopback: origin -> edge (lsc-relay +
# lsc-control each), lsc-latency publishing a synthetic stream whose frames carry their send
# time. Glass-to-glass latency at the edge per protocol (RTMP, HTTP-FLV, fMP4, LL-HLS with
# 200 ms parts, plain HLS), then LL-HLS part/playlist requests per second from the edge's memory
# against nginx serving the same bytes from disk (wrk). Prints Markdown tables.
#   bash scripts/bench-http.sh [seconds]
#   LSC_BIN_DIR=.build/debug bash scripts/bench-http.sh 20     # use built binaries, no release build
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${LSC_BIN_DIR:-}" ]; then
  for product in lsc-relay lsc-control lsc-latency; do swift build -c release --product "$product" >/dev/null; done
  export LSC_BIN_DIR=$(swift build -c release --show-bin-path)
fi
exec python3 scripts/lib/http_latency.py "${1:-20}"
