#!/usr/bin/env bash
# Local demo: installs what is missing, builds (release), then starts the 3-tier topology on
# loopback (deploy/run-3tier.sh): two origins fed by an ffmpeg test publisher, one intermediate,
# one edge, each node with its lsc-relay and lsc-control. Prints the play URL and the curl
# commands for every node; Ctrl-C stops everything it started.
# Ports: RTMP 19400-19403, admin APIs 18400-18403, HTTP media (browsers) 18500-18503
# (LSC_BASE_PORT / LSC_HTTP_BASE_PORT / LSC_MEDIA_BASE_PORT to move them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "== building (release)"
swift build -c release --product lsc-relay >/dev/null
swift build -c release --product lsc-control >/dev/null
LSC_BIN_DIR=$(swift build -c release --show-bin-path) exec bash deploy/run-3tier.sh
