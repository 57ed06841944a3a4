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
# Two runs: the pure and in-process tests first, then the live tests that start real processes.
# Live tests block their worker threads while they wait for ffmpeg and friends; kept apart, they
# cannot starve the async unit tests of the 2-core machine's cooperative thread pool.
total_tests=0
run_tests() { # label, swift test arguments...
  local label=$1; shift
  echo "== swift test: $label"
  set +e
  swift test --skip-build "$@" > ".build/test-output-$label.txt" 2>&1
  local status=$?
  set -e
  # Failures in full, then the summary lines of the runners (XCTest and Swift Testing).
  grep -E '✘|error:|Fatal|Crash' ".build/test-output-$label.txt" | head -n 200 || true
  grep -E '^(✔|✘) Suite|Test run with|Executed [1-9][0-9]* tests' ".build/test-output-$label.txt" | tail -n 60 || true
  total_tests=$((total_tests + $(grep -oE 'Test run with [0-9]+ test' ".build/test-output-$label.txt" | grep -oE '[0-9]+' | tail -1 || echo 0)))
  # XCTest suites (HTTPMediaTests) report their total under "Selected tests" / "All tests".
  total_tests=$((total_tests + $(grep -A1 -E "Test Suite '(Selected|All) tests' (passed|failed)" ".build/test-output-$label.txt" |
    grep -oE 'Executed [0-9]+' | grep -oE '[0-9]+' | tail -1 || echo 0)))
  [ "$status" -eq 0 ] || { echo "swift test ($label) failed (status $status); full log: .build/test-output-$label.txt"; exit "$status"; }
}
run_tests unit --skip IntegrationTests
# Live suites one at a time: each starts relays, ffmpeg encoders and players, and on 2 cores
# several at once would measure the machine's load rather than the code.
for suite in $(swift test --skip-build --list-tests 2>/dev/null | grep '^IntegrationTests\.' | sed 's|/.*||' | sort -u); do
  run_tests "live-${suite#IntegrationTests.}" --filter "^${suite}/"
done
echo "== all Swift tests passed: $total_tests tests"

# Script stages: each prints "<label>: N passed, M failed" as its last line; counted into the total.
run_stage() { # label, command...
  local label=$1; shift
  echo "== $label"
  set +e
  "$@" > ".build/stage-$label.txt" 2>&1
  local status=$?
  set -e
  tail -n 40 ".build/stage-$label.txt"
  local counted
  counted=$(grep -oE '[0-9]+ passed' ".build/stage-$label.txt" | tail -1 | grep -oE '[0-9]+' || echo 0)
  total_tests=$((total_tests + counted))
  [ "$status" -eq 0 ] || { echo "$label failed (status $status); full log: .build/stage-$label.txt"; exit "$status"; }
}
# The 3-tier topology across network namespaces with impaired links and a cut link (about 1 min).
run_stage netns-tiers timeout 300 bash scripts/netns-tiers.sh
# Soak and churn, the 2-minute CI version of the 1-hour run in BENCHMARKS.md.
run_stage soak timeout 400 bash scripts/soak.sh 120
# Editor page (web/editor/): its pure JavaScript logic (time format/parse, edit-list arithmetic,
# output names, playlist parsing) with Node's built-in test runner. No browser; a few seconds.
run_stage editor-js timeout 120 bash -c 'set -o pipefail; node --test Tests/Web/ | tee /dev/stderr |
  awk "/^# pass/{p=\$3} /^# fail/{f=\$3} END{print \"editor-js: \" p+0 \" passed, \" f+0 \" failed\"}"'
# libFuzzer targets (docs/FUZZING.md): the fuzz build (release, fuzzer+ASan, .build-fuzz) and
# 15 s per target, 14 targets, one per core at a time; the committed corpora are also replayed by
# FuzzCorpusTests above.
run_stage fuzz timeout 900 bash scripts/fuzz.sh "${FUZZ_SECONDS:-15}"
# ThreadSanitizer (docs/FUZZING.md): its own build (.build-tsan) running the unit tests and the
# data-plane live suites; any report fails the stage. ASan runs over every parser in the fuzz
# stage; the full ASan test run (SANITIZERS="thread address") costs one more build, so not by default.
run_stage sanitizers timeout 1800 bash scripts/sanitizers.sh ${SANITIZERS:-thread}
if [ -f scripts/api-check.sh ]; then
  echo "== OpenAPI spec check and property-based API test"
  bash scripts/api-check.sh
fi
# Browser tests: pytest + selenium driving headless Debian chromium against the real binaries
# (player page live at origin and edge, through an origin SIGKILL, DVR rewind, nginx cache in
# front of an edge; the highlight editor's whole flow in test_editor.py, about 45 s of it, with
# screenshots in .build/browser-editor/). About 3 minutes on the 2-core CI machine; bounded at 10.
echo "== browser tests (Tests/Browser, headless chromium)"
set +e
LSC_BIN_DIR="$(swift build --show-bin-path)" timeout 600 python3 -m pytest -q -p no:cacheprovider Tests/Browser > .build/test-output-browser.txt 2>&1
browser_status=$?
set -e
tail -n 40 .build/test-output-browser.txt
browser_tests=$(grep -oE '[0-9]+ passed' .build/test-output-browser.txt | grep -oE '[0-9]+' | tail -1 || echo 0)
[ "$browser_status" -eq 0 ] || { echo "browser tests failed (status $browser_status); full log: .build/test-output-browser.txt"; exit "$browser_status"; }
echo "== browser tests passed: $browser_tests tests"
total_tests=$((total_tests + browser_tests))
echo "tests: $total_tests passed, 0 failed"
