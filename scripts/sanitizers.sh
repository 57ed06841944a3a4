#!/usr/bin/env bash
# Runs the unit tests and the data-plane live tests under ThreadSanitizer and AddressSanitizer,
# each with its own build (scratch paths .build-tsan, .build-asan). The live tests start the
# sanitized lsc-relay/lsc-control beside the test bundle, so races and memory errors in the
# relay's threads count too. Every report (from the test runner or any child process) goes to
# .build-<san>/reports/ and fails the stage, even when the process carried on.
#
#   scripts/sanitizers.sh [thread|address ...]        default: thread address
#   SANITIZER_LIVE_SUITES="RelayOriginTests" scripts/sanitizers.sh thread
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then sanitizers=("$@"); else sanitizers=(thread address); fi
# The data-plane live suites: publishers, players, slow players, hostile peers, children, DVR.
live_suites=(${SANITIZER_LIVE_SUITES:-RelayOriginTests RelaySlowPlayerTests RelayHostilePeerTests RelayChildRegistrationTests DVRRecordingTests})
failures=0
total_tests=0
for sanitizer in "${sanitizers[@]}"; do
  case $sanitizer in
    thread) short=tsan ;;
    address) short=asan ;;
    *) echo "unknown sanitizer '$sanitizer' (thread or address)"; exit 2 ;;
  esac
  scratch=$PWD/.build-$short
  reports=$scratch/reports
  rm -rf "$reports"; mkdir -p "$reports"  # also creates $scratch for the build log
  echo "== $sanitizer sanitizer: build into .build-$short"
  start=$(date +%s)
  set +e
  swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" > "$scratch/build-output.txt" 2>&1
  status=$?
  set -e
  grep -vE '^\[[0-9]+/[0-9]+\]' "$scratch/build-output.txt" | tail -n 40 || true
  [ "$status" -eq 0 ] || { echo "$sanitizer build failed (status $status)"; exit "$status"; }
  echo "$sanitizer build: $(( $(date +%s) - start )) s"
  # Reports go to files (one per process); the exit code is left alone so that a report in a
  # child relay does not read as a crash of the test, and the files are checked below.
  export TSAN_OPTIONS="log_path=$reports/tsan second_deadlock_stack=1 history_size=4 suppressions=$PWD/scripts/tsan-suppressions.txt"
  export ASAN_OPTIONS="log_path=$reports/asan detect_leaks=0 abort_on_error=0"
  run() { # label, swift test arguments...
    local label=$1; shift
    local log=$scratch/test-$label.txt
    local began; began=$(date +%s)
    set +e
    swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" "$@" > "$log" 2>&1
    local status=$?
    set -e
    local count; count=$(grep -oE 'Test run with [0-9]+ test' "$log" | grep -oE '[0-9]+' | tail -1 || echo 0)
    total_tests=$((total_tests + ${count:-0}))
    echo "$sanitizer $label: status $status, ${count:-0} tests, $(( $(date +%s) - began )) s"
    if [ "$status" -ne 0 ]; then
      grep -E '✘|error:|Fatal|WARNING: ThreadSanitizer|ERROR: AddressSanitizer' "$log" | head -n 40 || true
      failures=$((failures + 1))
    fi
  }
  # Serially: under TSan's slowdown, tests that block their thread (concurrentPerform) starved the
  # 2-core machine's cooperative pool long enough for FailoverDriverTests' 30 s waits to time out.
  run unit --skip IntegrationTests --no-parallel
  # Load tests measure throughput, which a sanitizer divides by 5-15: left out (SANITIZER_SKIP).
  for suite in "${live_suites[@]}"; do
    run "live-$suite" --filter "^IntegrationTests.$suite/" --skip "${SANITIZER_SKIP:-threePublishersTimesTwentyPlayers}"
  done
  if compgen -G "$reports/*" > /dev/null; then
    echo "$sanitizer sanitizer reports:"
    for report in "$reports"/*; do echo "--- $report"; grep -E 'WARNING|ERROR|SUMMARY|#[0-9]+ 0x' "$report" | head -n 40; done
    failures=$((failures + 1))
  else
    echo "$sanitizer sanitizer: no reports"
  fi
done
echo "sanitizers: $total_tests passed, $failures failed (${sanitizers[*]}; failures count failing runs and report sets)"
[ "$failures" -eq 0 ]
