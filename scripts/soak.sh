#!/usr/bin/env bash
# Soak and churn (issue 9): two origins and an edge on loopback, running for SECONDS (default
# 3600) while players join and leave, publishers restart, the active origin is killed and
# restarted (failover) and highlight exports run. Every SAMPLE seconds it records RSS, open file
# descriptors and threads of every long-lived process (origin-a's relay and control plane with
# the DVR and the exports, the edge's relay and control plane). At the end it checks that they
# stayed flat after warm-up (the first quarter of the run) and prints a table.
#   bash scripts/soak.sh 120                     # the CI version: 2 minutes
#   bash scripts/soak.sh 3600                    # the 1-hour run of BENCHMARKS.md
#   LSC_BIN_DIR=.build/release bash scripts/soak.sh 3600
# Flat means: final RSS <= warm-up RSS x 1.25 + 16 MiB, fds <= warm-up + 16, threads <= warm-up + 4.
# Prints "soak: N passed, M failed". Everything listens on 127.0.0.1; every process it starts is
# stopped by PID at exit.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3600}
sample=${SAMPLE:-$(( seconds >= 600 ? 30 : 5 ))}
bin=${LSC_BIN_DIR:-.build/debug}
for tool in lsc-relay lsc-control lsc-latency lsc-loadclient; do
  [ -x "$bin/$tool" ] || { echo "soak: $bin/$tool missing (build first)"; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/lsc-soak.XXXXXX")
# shellcheck source=lib/processes.sh
source scripts/lib/processes.sh

free_port() {
  local port=$((20000 + RANDOM % 20000))
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
wait_port() {
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "soak: nothing listens on $1 (logs in $work)"; exit 1
}
relay_help=$("$bin/lsc-relay" --help 2>&1)
http_flags=(); grep -q -- '--http ' <<<"$relay_help" && http_flags=(--http off)
key_query=""; publish_flags=()
if grep -q -- --publish-keys <<<"$relay_help"; then
  echo "* soak-key" >"$work/publish.keys"; publish_flags=(--publish-keys "$work/publish.keys"); key_query="?key=soak-key"
fi

port_a=$(free_port); port_b=$(free_port); port_e=$(free_port); api_a=$(free_port); api_e=$(free_port)
declare -A relay_pid publisher_pid port=([a]=$port_a [b]=$port_b)
start_origin() { # a|b
  start "origin-$1" "$bin/lsc-relay" --role origin --rtmp "127.0.0.1:${port[$1]}" --control-socket "$work/origin-$1.sock" \
    --media "$work/media-$1" --dvr "$([ "$1" = a ] && echo all || echo off)" --dvr-max-age 60 --log-level warning \
    "${http_flags[@]}" "${publish_flags[@]}"
  relay_pid[$1]=$started
  wait_port "${port[$1]}"
  start_publisher "$1"
}
start_publisher() {
  start "publisher-$1" "$bin/lsc-latency" --publish "rtmp://127.0.0.1:${port[$1]}/livestreamcast_origin/live$key_query" --duration 86400
  publisher_pid[$1]=$started
}
start_origin a
start_origin b
start control-a "$bin/lsc-control" --role origin --http "127.0.0.1:$api_a" --control-socket "$work/origin-a.sock" \
  --media "$work/media-a" --log-level warning
control_a=$started
cat >"$work/edge.host.ini" <<INI
a 127.0.0.1:$port_a;127.0.0.1:$port_a livestreamcast_origin
b 127.0.0.1:$port_b;127.0.0.1:$port_b livestreamcast_origin
INI
start edge-relay "$bin/lsc-relay" --role edge --rtmp "127.0.0.1:$port_e" --control-socket "$work/edge.sock" \
  --media "$work/media-e" --log-level warning "${http_flags[@]}"
edge_relay=$started
wait_port "$port_e"
start edge-control "$bin/lsc-control" --role edge --http "127.0.0.1:$api_e" --control-socket "$work/edge.sock" \
  --media "$work/media-e" --host-ini "$work/edge.host.ini" --idle-interval 1s --log-level warning
edge_control=$started
wait_port "$api_a"; wait_port "$api_e"

declare -A watched=([origin-a-relay]=${relay_pid[a]} [origin-a-control]=$control_a [edge-relay]=$edge_relay [edge-control]=$edge_control)
samples="$work/samples.tsv"
measure() { # pid -> "rss_kib fds threads"
  local rss threads fds
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
  fds=$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  echo "${rss:-0} $fds ${threads:-0}"
}

start_time=$(date +%s)
next_sample=0; next_players=0; next_publisher=20; next_failover=40; next_export=15
round=0; exports_ok=0; exports_tried=0; failovers=0; player_rounds=0; players_ok=0
while :; do
  now=$(( $(date +%s) - start_time ))
  [ "$now" -ge "$seconds" ] && break
  if [ "$now" -ge "$next_sample" ]; then
    for name in "${!watched[@]}"; do echo -e "$now\t$name\t$(measure "${watched[$name]}")" >>"$samples"; done
    next_sample=$((now + sample))
  fi
  if [ "$now" -ge "$next_players" ]; then # 40 players join at the edge and 10 at the origin for 6 s, then leave
    round=$((round + 1))
    "$bin/lsc-loadclient" "rtmp://127.0.0.1:$port_e/livestreamcast_edge/live" --players 40 --duration 6 --ramp-up 1 \
      >"$work/players-$((round % 2)).json" 2>/dev/null &
    round_pids=($!)
    "$bin/lsc-loadclient" "rtmp://127.0.0.1:$port_a/livestreamcast_origin/live" --players 10 --duration 6 \
      >/dev/null 2>&1 &
    round_pids+=($!)
    next_players=$((now + 8))
    player_rounds=$((player_rounds + 1))
  fi
  if [ "$now" -ge "$next_publisher" ]; then # origin-a's publisher restarts
    kill -TERM "${publisher_pid[a]}" 2>/dev/null; wait "${publisher_pid[a]}" 2>/dev/null
    start_publisher a
    next_publisher=$((now + 30))
  fi
  if [ "$now" -ge "$next_failover" ]; then # origin-b's relay is killed and comes back: failover at the edge
    kill -KILL "${relay_pid[b]}" 2>/dev/null; kill -TERM "${publisher_pid[b]}" 2>/dev/null
    wait "${relay_pid[b]}" "${publisher_pid[b]}" 2>/dev/null
    start_origin b
    failovers=$((failovers + 1))
    next_failover=$((now + 45))
  fi
  if [ "$now" -ge "$next_export" ]; then # the last 5 s of the recording, exported
    exports_tried=$((exports_tried + 1))
    body=$(python3 -c 'import json,sys; print(json.dumps({"output": "soak-%s.f4v" % sys.argv[1], "items": [{"source": "dvr", "name": "live", "start": float(sys.argv[2]), "end": float(sys.argv[2]) + 5}]}))' "$exports_tried" "$(( now > 12 ? now - 12 : 0 ))")
    curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data "$body" "http://127.0.0.1:$api_a/api/v1/exports" \
      | grep -q 202 && exports_ok=$((exports_ok + 1))
    rm -f "$work/media-a/exports/soak-$((exports_tried - 3)).f4v"
    next_export=$((now + 20))
  fi
  sleep 0.5
done
wait "${round_pids[@]}" 2>/dev/null # the last round of players reports
passed=0; failed=0
check() { local what=$1; shift; if "$@"; then echo "ok - $what"; passed=$((passed + 1)); else echo "FAILED - $what"; failed=$((failed + 1)); fi; }
echo
echo "soak: $seconds s, $player_rounds player rounds (50 players each), $failovers origin kills, $exports_tried exports ($exports_ok accepted)"
python3 - "$samples" "$seconds" <<'PY' >"$work/report.txt"
import collections, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    t, name, rss, fds, threads = line.split()
    rows[name].append((int(t), int(rss), int(fds), int(threads)))
warm = int(sys.argv[2]) // 4
print("| process | RSS at warm-up MiB | RSS max after MiB | RSS end MiB | fds warm-up/end | threads warm-up/end | flat |")
print("|---|---|---|---|---|---|---|")
bad = []
for name in sorted(rows):
    samples = rows[name]
    after = [s for s in samples if s[0] >= warm] or samples
    w, end = after[0], after[-1]
    peak = max(s[1] for s in after)
    flat = end[1] <= w[1] * 1.25 + 16384 and end[2] <= w[2] + 16 and end[3] <= w[3] + 4
    if not flat: bad.append(name)
    print(f"| {name} | {w[1]/1024:.1f} | {peak/1024:.1f} | {end[1]/1024:.1f} | {w[2]}/{end[2]} | {w[3]}/{end[3]} | {'yes' if flat else 'NO'} |")
print("NOT FLAT: " + ", ".join(bad) if bad else "all flat")
PY
cat "$work/report.txt"
for name in "${!watched[@]}"; do
  check "$name still running" kill -0 "${watched[$name]}"
done
check "RSS, fds and threads flat after warm-up" grep -q '^all flat' "$work/report.txt"
check "exports accepted during the soak ($exports_ok/$exports_tried)" [ "$exports_ok" -ge $(( exports_tried * 3 / 4 )) ]
edge_ok=$(curl -s --max-time 3 "http://127.0.0.1:$api_e/api/v1/health" | grep -c '"ok"')
kept=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%d/%d kept up, keyframe first: %s" % (r["keptUp"], r["players"], r["firstVideoKeyframe"]))' "$work/players-$((round % 2)).json" 2>/dev/null)
check "the last round of edge players: $kept" grep -qE '^([0-9]+)/\1 kept up, keyframe first: True$' <<<"$kept"
check "the edge's API answers healthy" [ "$edge_ok" -ge 1 ]
echo "soak: $passed passed, $failed failed (samples and logs in $work)"
[ "$failed" -eq 0 ]
