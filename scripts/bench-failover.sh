#!/usr/bin/env bash
# Failover stall benchmark (issue 4): two origins (each fed by its own synthetic lsc-latency
# publisher), an edge (lsc-relay + lsc-control) whose host.ini has each origin as its own group,
# idle interval 1 s, and one player at the edge (lsc-latency --play) that logs every gap in
# arriving media. Then KILLS times: find the origin the edge uses (GET /api/v1/topology on the
# edge), SIGKILL that origin's relay, measure the player's largest media gap around the kill,
# restart the origin and its publisher, wait until the edge lists it again. Then PUBLISHER_STOPS
# times the same with only the active origin's publisher stopped (the relay stays up and tells
# the edge the stream is gone), and HANGS times with the active origin's relay frozen by SIGSTOP
# (a hung host: no FIN, no removeStream, so the edge can only fail over on the idle interval;
# SIGCONT afterwards). Prints a Markdown table per case and a summary line.
#   bash scripts/bench-failover.sh
#   KILLS=3 PUBLISHER_STOPS=0 HANGS=2 bash scripts/bench-failover.sh
#   LSC_BIN_DIR=.build/debug bash scripts/bench-failover.sh  # use built binaries, no release build
#   (IDLE_INTERVAL, SETTLE_SECONDS, WINDOW_SECONDS, THRESHOLD_MS: see below)
# Everything listens on 127.0.0.1; every process this script starts is stopped by PID at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${KILLS:-10}
publisher_stops=${PUBLISHER_STOPS:-5}
hangs=${HANGS:-5}
idle=${IDLE_INTERVAL:-1s}
settle=${SETTLE_SECONDS:-3}  # steady playing before each kill
window=${WINDOW_SECONDS:-8}  # how long after a kill the gap is looked for
threshold=${THRESHOLD_MS:-50} # the player logs arrival gaps and frame latencies from this many ms (frames are 40 ms apart)

# LSC_BIN_DIR: use the binaries there (e.g. .build/debug) instead of building release ones.
if [ -n "${LSC_BIN_DIR:-}" ]; then
  bin=$LSC_BIN_DIR
else
  for product in lsc-relay lsc-control lsc-latency; do swift build -c release --product "$product" >/dev/null; done
  bin=$(swift build -c release --show-bin-path)
fi
if ! "$bin/lsc-control" --help 2>&1 | grep -q -- --host-ini; then
  echo "bench-failover: this lsc-control has no --host-ini" >&2
  exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/lsc-bench-failover.XXXXXX")
# shellcheck source=lib/processes.sh
source scripts/lib/processes.sh  # (the script has cd-ed to the repository root)

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench-failover: nothing listens on $1; logs in $work" >&2
  exit 1
}

free_port() {
  local port=$((20000 + RANDOM % 20000))
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

port_a=$(free_port); port_b=$(free_port); port_e=$(free_port); http_e=$(free_port)
declare -A relay_pid publisher_pid origin_port=([a]=$port_a [b]=$port_b)

start_origin() { # a|b
  start "origin-$1" "$bin/lsc-relay" --role origin --rtmp "127.0.0.1:${origin_port[$1]}" --http off \
    --control-socket "$work/origin-$1.sock" --media "$work/media-$1" --dvr off --log-level warning
  relay_pid[$1]=$started
  wait_port "${origin_port[$1]}"
  start "publisher-$1" "$bin/lsc-latency" --publish "rtmp://127.0.0.1:${origin_port[$1]}/livestreamcast_origin/live" --duration 86400
  publisher_pid[$1]=$started
}

start_origin a
start_origin b
cat >"$work/edge.host.ini" <<INI
# each origin its own group of one machine
a 127.0.0.1:$port_a;127.0.0.1:$port_a livestreamcast_origin
b 127.0.0.1:$port_b;127.0.0.1:$port_b livestreamcast_origin
INI
start edge-relay "$bin/lsc-relay" --role edge --rtmp "127.0.0.1:$port_e" --http off --control-socket "$work/edge.sock" \
  --media "$work/media-edge" --log-level warning
wait_port "$port_e"
start edge-control "$bin/lsc-control" --role edge --http "127.0.0.1:$http_e" --control-socket "$work/edge.sock" \
  --media "$work/media-edge" --host-ini "$work/edge.host.ini" --idle-interval "$idle" --log-level info
wait_port "$http_e"
sleep 2
events="$work/player-events.jsonl"
"$bin/lsc-latency" --play "rtmp://127.0.0.1:$port_e/livestreamcast_edge/live" --duration 86400 \
  --warmup 0 --gap-events-ms "$threshold" >"$work/player.log" 2>"$events" &
player=$!
pids+=("$player")

topology() { curl -s --max-time 2 "http://127.0.0.1:$http_e/api/v1/topology" || echo '{}'; }

# "<active origin letter> <number of available servers>" for stream `live`, from the edge's topology.
edge_state() {
  topology | python3 -c '
import json, sys
ports = {sys.argv[1]: "a", sys.argv[2]: "b"}
try:
    streams = json.load(sys.stdin).get("streams", [])
except ValueError:
    streams = []
for s in streams:
    if s.get("name") == "live":
        active = s.get("active", "")
        port = active.split("/")[0].rsplit(":", 1)[-1]
        print(ports.get(port, "-"), len(s.get("available", [])))
        break
else:
    print("-", 0)' "$port_a" "$port_b"
}

frames_now() { # the player's latest frame count
  python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    try: e = json.loads(line)
    except ValueError: continue
    if e.get("event") == "received": n = e["frames"]
print(n)' "$events"
}

# Largest gap (ms) that ended in (t, t + window], largest frame latency (ms) in that window,
# whether media arrived after t, whether the player closed.
gap_after() { # t
  python3 -c '
import json, sys
t, window = float(sys.argv[2]), float(sys.argv[3])
gap, late, frames_before, frames_after, closed = 0.0, 0.0, None, 0, False
for line in open(sys.argv[1]):
    try: e = json.loads(line)
    except ValueError: continue
    at = e.get("at", 0)
    if e.get("event") == "gap" and t < at <= t + window: gap = max(gap, e["gapMs"])
    if e.get("event") == "late" and t < at <= t + window: late = max(late, e["latencyMs"])
    if e.get("event") == "received":
        if at <= t: frames_before = e["frames"]
        elif at <= t + window: frames_after = e["frames"]
    if e.get("event") in ("closed", "error") and e.get("connection") == "player0": closed = True
resumed = frames_before is not None and frames_after > frames_before
print(f"{gap:.0f} {late:.0f} {int(resumed)} {int(closed)}")' "$events" "$1" "$window"
}

wait_both_available() { # bounded: until the edge has an active origin and lists both
  local state
  for _ in $(seq 1 60); do
    state=$(edge_state)
    [[ "$state" =~ ^[ab]\ 2$ ]] && return 0
    sleep 0.5
  done
  echo "bench-failover: the edge did not list both origins within 30 s (state: $state)" >&2
  return 1
}

run_case() { # relay|publisher|hang count
  local mode=$1 count=$2 i
  [ "$count" -gt 0 ] || return 0
  echo
  case $mode in
    relay) echo "### SIGKILL of the active origin's relay ($count times, idle interval $idle)" ;;
    publisher) echo "### The active origin's publisher stopped, relay up ($count times, idle interval $idle)" ;;
    hang) echo "### SIGSTOP of the active origin's relay: a hung server ($count times, idle interval $idle)" ;;
  esac
  echo
  echo "| # | killed | edge switched to | largest media gap ms | largest frame latency ms | media resumed | player dropped |"
  echo "|---|---|---|---|---|---|---|"
  : >"$work/stalls-$mode.txt"
  for i in $(seq 1 "$count"); do
    wait_both_available || break
    sleep "$settle"
    local from to t result
    read -r from _ <<<"$(edge_state)"
    t=$(date +%s.%N)
    case $mode in
      relay)
        kill -KILL "${relay_pid[$from]}"
        kill -TERM "${publisher_pid[$from]}" 2>/dev/null || true
        wait "${relay_pid[$from]}" "${publisher_pid[$from]}" 2>/dev/null || true ;;
      publisher)
        kill -TERM "${publisher_pid[$from]}" 2>/dev/null || true
        wait "${publisher_pid[$from]}" 2>/dev/null || true ;;
      hang)
        kill -STOP "${relay_pid[$from]}" ;;
    esac
    sleep "$window"
    read -r to _ <<<"$(edge_state)"
    result=$(gap_after "$t")
    read -r gap late resumed closed <<<"$result"
    echo "$gap $late $resumed $closed" >>"$work/stalls-$mode.txt"
    below() { if [ "$1" = 0 ]; then echo "< $threshold"; else echo "$1"; fi; }
    echo "| $i | $from | $to | $(below "$gap") | $(below "$late") | $([ "$resumed" = 1 ] && echo yes || echo NO) | $([ "$closed" = 1 ] && echo YES || echo no) |"
    case $mode in
      relay) start_origin "$from" ;;
      publisher)
        start "publisher-$from" "$bin/lsc-latency" --publish "rtmp://127.0.0.1:${origin_port[$from]}/livestreamcast_origin/live" --duration 86400
        publisher_pid[$from]=$started ;;
      hang)
        kill -CONT "${relay_pid[$from]}"
        # The resumed origin kept its connection to the edge; if the edge does not play from it
        # again by itself, a publisher restart (removeStream, addStream) brings it back.
        local rejoined=no
        for _ in $(seq 1 12); do
          [[ "$(edge_state)" =~ ^[ab]\ 2$ ]] && { rejoined=yes; break; }
          sleep 0.5
        done
        if [ "$rejoined" = no ]; then
          echo "|   | ($from resumed but was not played again within 6 s; its publisher restarted) | | | | | |"
          kill -TERM "${publisher_pid[$from]}" 2>/dev/null || true
          wait "${publisher_pid[$from]}" 2>/dev/null || true
          start "publisher-$from" "$bin/lsc-latency" --publish "rtmp://127.0.0.1:${origin_port[$from]}/livestreamcast_origin/live" --duration 86400
          publisher_pid[$from]=$started
        fi ;;
    esac
  done
  python3 -c '
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
gaps = [float(r[0]) for r in rows]
late = [float(r[1]) for r in rows]
resumed = sum(r[2] == "1" for r in rows)
dropped = "yes" if any(r[3] == "1" for r in rows) else "never"
def ms(value):
    return f"{value:.0f} ms" if value > 0 else f"< {sys.argv[3]} ms"
if gaps:
    print()
    print(f"{sys.argv[2]}: {len(gaps)} failovers, media gap (stall) median {ms(statistics.median(gaps))}, max {ms(max(gaps))}; "
          f"largest frame latency median {ms(statistics.median(late))}, max {ms(max(late))}; "
          f"media resumed {resumed}/{len(rows)}, player dropped: {dropped}")' \
    "$work/stalls-$mode.txt" "$mode" "$threshold"
}

wait_both_available
run_case relay "$kills"
run_case publisher "$publisher_stops"
run_case hang "$hangs"
topology >"$work/edge-topology.json"
python3 -c '
import collections, json, sys
failovers = json.load(open(sys.argv[1])).get("failovers", [])
reasons = collections.Counter(f.get("reason", "?").split(":")[0] for f in failovers)
print("edge failover events by reason:", dict(reasons))' "$work/edge-topology.json" || true
if kill -0 "$player" 2>/dev/null; then
  kill -TERM "$player"
  for _ in $(seq 1 50); do kill -0 "$player" 2>/dev/null || break; sleep 0.1; done
  python3 -c '
import json, sys
try: r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
except (ValueError, IndexError): sys.exit("player report missing")
print("player over the whole run: still connected %d/%d, frames %d, RTMP timestamps going backwards %d, statuses %s"
      % (r["playersStillOpen"], r["players"], r["count"], r["timestampsBackwards"], r["statuses"]))' "$work/player.log" || true
else
  echo "the player process ended early (see $work/player.log)"
fi
echo "bench-failover: events, logs and host.ini in $work"
