#!/usr/bin/env bash
# Admin API benchmark: wrk against /api/v1/health and /api/v1/streams with N live streams on
# lsc-relay (one short clip encoded once, published N times with -c copy in a loop).
#   bash scripts/bench-api.sh                    # N = 100, 10 s per endpoint, release build
#   STREAMS=20 SECONDS_PER_RUN=5 BUILD=debug bash scripts/bench-api.sh
set -euo pipefail
cd "$(dirname "$0")/.."
streams=${STREAMS:-100}
seconds=${SECONDS_PER_RUN:-10}
config=${BUILD:-release}
swift build -c "$config" --product lsc-relay >/dev/null
swift build -c "$config" --product lsc-control >/dev/null
bin=$(swift build -c "$config" --show-bin-path)
work=$(mktemp -d /tmp/lsc-bench-api.XXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
rtmp_port=$(free_port); http_port=$(free_port)

ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=160x120:rate=15 -f lavfi -i sine \
  -c:v libx264 -preset ultrafast -g 30 -b:v 100k -c:a aac -b:a 32k -t 20 -y "$work/clip.flv"
"$bin/lsc-relay" --rtmp "127.0.0.1:$rtmp_port" --http off --dvr off --control-socket "$work/c.sock" > "$work/relay.log" 2>&1 &
pids+=($!)
"$bin/lsc-control" --http "127.0.0.1:$http_port" --control-socket "$work/c.sock" > "$work/control.log" 2>&1 &
pids+=($!)
sleep 1
for i in $(seq 1 "$streams"); do
  ffmpeg -hide_banner -loglevel error -re -stream_loop -1 -i "$work/clip.flv" -c copy -f flv \
    "rtmp://127.0.0.1:$rtmp_port/livestreamcast_origin/s$i" > /dev/null 2>&1 &
  pids+=($!)
done
for _ in $(seq 1 100); do
  n=$(curl -s "127.0.0.1:$http_port/api/v1/streams" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["streams"]))' 2>/dev/null || echo 0)
  [ "$n" -ge "$streams" ] && break
  sleep 0.3
done
echo "streams registered: $n"
echo "| endpoint | req/s | p50 | p99 |"
echo "|---|---|---|---|"
for path in /api/v1/health /api/v1/streams; do
  out=$(wrk -t1 -c50 -d"${seconds}s" --latency "http://127.0.0.1:$http_port$path")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  echo "| $path | $rps | $p50 | $p99 |"
done
