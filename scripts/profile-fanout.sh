#!/usr/bin/env bash
# Where lsc-relay's CPU goes while it fans one stream out: lsc-relay (release, --dvr off, the
# default merge settings) with one 2.5 Mbps 720p stream and N players (lsc-loadclient), `perf
# record` of the relay over 8 s of steady play, then the top symbols and the share of the
# symbols that a per-loop, lock-free player list would remove (the stream's lock, atomics).
#   bash scripts/profile-fanout.sh            # N = 2000
#   PLAYERS=1000 bash scripts/profile-fanout.sh -- --merge-write 0   # extra lsc-relay flags after --
# Needs perf (linux-perf). Everything listens on 127.0.0.1; every process this script starts is
# stopped by PID at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
players=${PLAYERS:-2000}
[ "${1:-}" = "--" ] && shift
swift build -c release --product lsc-relay >/dev/null
swift build -c release --product lsc-loadclient >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/lsc-profile-fanout.XXXX)
source scripts/lib/processes.sh  # start/stop by PID (the script has cd-ed to the repository root)
source scripts/lib/test-source.sh
encode_720p_source "$work/source.flv" 60
port=$((20000 + RANDOM % 10000))
url="rtmp://127.0.0.1:$port/livestreamcast_origin/live"
start relay "$bin/lsc-relay" --role origin --rtmp "127.0.0.1:$port" --http off --dvr off --log-level warning "$@"
relay=$started
sleep 1
start publisher ffmpeg -v error -re -stream_loop -1 -i "$work/source.flv" -c copy -f flv "$url"
sleep 2
"$bin/lsc-loadclient" "$url" --players "$players" --duration 18 --ramp-up 2 --threads 1 >"$work/players.json" 2>>"$work/players.log" &
client=$!; pids+=("$client")
sleep 6
ticks() { awk '{print $14 + $15}' "/proc/$relay/stat"; }
before=$(ticks)
perf record -g -F 999 -o "$work/perf.data" -p "$relay" -- sleep 8 >/dev/null 2>&1
after=$(ticks)
wait "$client" || true
hz=$(getconf CLK_TCK)
echo "players: $players; kept up: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["keptUp"])' "$work/players.json")"
echo "relay CPU over the 8 s recorded: $(awk -v d=$((after - before)) -v hz="$hz" 'BEGIN { printf "%.1f", d / hz / 8 * 100 }') % of a core"
perf report -i "$work/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null | grep -vE '^(#|$)' |
  sed -E 's/ +$//; s/ +- +-$//' >"$work/symbols.txt" || true
echo "top symbols (share of samples):"
head -15 "$work/symbols.txt" | cut -c1-140
echo "locks and atomics:"
grep -iE 'pthread_mutex|NIOLock|futex|ManagedAtomic|swift_once' "$work/symbols.txt" | cut -c1-140 || echo "  (none sampled)"
echo "perf data: $work/perf.data"
