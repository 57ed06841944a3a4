#!/usr/bin/env bash
# Runs every test: pure unit tests and live tests against the real binaries, ffmpeg, rtmpdump
# and libmicrohttpd on loopback. Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests -Xswiftc -warnings-as-errors 2>&1 | tail -n 30
swift test --skip-build --parallel --num-workers 2 2>&1 | tee .build/test-output.txt | grep -vE '^(Test Case|\[|◇|✔ Test)' | tail -n 80
status=${PIPESTATUS[0]}
exit "$status"
