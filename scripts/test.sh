#!/usr/bin/env bash
# Runs every test: pure unit tests and live tests against the real binaries, ffmpeg, rtmpdump
# and libmicrohttpd on loopback. Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "== build (warnings are errors)"
mkdir -p .build
set +e
swift build --build-tests -Xswiftc -warnings-as-errors > .build/build-output.txt 2>&1
build_status=$?
set -e
grep -vE '^\[[0-9]+/[0-9]+\]' .build/build-output.txt | tail -n 150 || true
[ "$build_status" -eq 0 ] || { echo "build failed (status $build_status)"; exit "$build_status"; }
echo "== swift test"
set +e
swift test --skip-build > .build/test-output.txt 2>&1
status=$?
set -e
# Failures in full, then the summary lines of the runners (XCTest and Swift Testing).
grep -E '✘|error:|failed|Fatal|Crash' .build/test-output.txt | head -n 200 || true
grep -E '^(✔|✘) Suite|Test run with|Executed [1-9][0-9]* tests' .build/test-output.txt | tail -n 60 || true
[ "$status" -eq 0 ] || { echo "swift test failed (status $status); full log: .build/test-output.txt"; exit "$status"; }
if [ -f scripts/api-check.sh ]; then
  echo "== OpenAPI spec check and property-based API test"
  bash scripts/api-check.sh
fi
