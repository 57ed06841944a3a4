#!/usr/bin/env bash
# Fan-out benchmark: one 2.5 Mbps 720p stream, N players (lsc-loadclient), for lsc-relay and
# nginx + libnginx-mod-rtmp, in the same run. Prints a Markdown table.
#   bash scripts/bench-fanout.sh            # N = 100 500 1000, 20 s each
#   COUNTS="100" SECONDS_PER_RUN=10 bash scripts/bench-fanout.sh
set -euo pipefail
cd "$(dirname "$0")/.."
counts=${COUNTS:-"100 500 1000"}
seconds=${SECONDS_PER_RUN:-20}
swift build -c release --product lsc-relay >/dev/null
swift build -c release --product lsc-loadclient >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/lsc-bench-fanout.XXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# One minute of 720p H.264 at 2.5 Mbps + AAC, encoded once, then published with -c copy in a loop
# so the encoder's CPU does not pollute the measurement.
src="$work/source.flv"
ffmpeg -v error -f lavfi -i "testsrc2=size=1280x720:rate=25" -f lavfi -i "sine=frequency=440" -t 60 \
  -c:v libx264 -preset veryfast -b:v 2500k -maxrate 2500k -bufsize 5000k -g 50 -c:a aac -b:a 128k -f flv "$src"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)

measure() { # name pid url
  local name=$1 pid=$2 url=$3
  for n in $counts; do
    local before after rss report
    before=$(cpu_ticks "$pid")
    report=$("$bin/lsc-loadclient" "$url" --players "$n" --duration "$seconds" --ramp-up 2 --threads 1)
    after=$(cpu_ticks "$pid")
    rss=$(rss_kb "$pid")
    local kept cpu
    kept=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["keptUp"])' "$report")
    cpu=$(python3 -c "print(round(($after-$before)/$hz/($seconds+2)*100,1))")
    echo "| $name | $n | $kept | $cpu | $((rss/1024)) | $(python3 -c "print(round($rss/$n,1))") |"
  done
}

port=$((20000 + RANDOM % 10000))
"$bin/lsc-relay" --role origin --rtmp "127.0.0.1:$port" --http off --log-level warning ${RELAY_ARGS:-} >"$work/relay.log" 2>&1 &
relay=$!; pids+=($relay)
sleep 1
ffmpeg -v error -re -stream_loop -1 -i "$src" -c copy -f flv "rtmp://127.0.0.1:$port/livestreamcast_origin/live" >"$work/pub1.log" 2>&1 &
pids+=($!)

nport=$((port + 1))
modules=$(ls /usr/share/nginx/modules-available/mod-rtmp.conf 2>/dev/null || true)
cat >"$work/nginx.conf" <<NGINX
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
worker_processes 1;
daemon off;
master_process off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
rtmp { server { listen 127.0.0.1:$nport; chunk_size 4096;
  application livestreamcast_origin { live on; wait_key on; } } }
NGINX
nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!; pids+=($nginx_pid)
sleep 1
ffmpeg -v error -re -stream_loop -1 -i "$src" -c copy -f flv "rtmp://127.0.0.1:$nport/livestreamcast_origin/live" >"$work/pub2.log" 2>&1 &
pids+=($!)
sleep 4

echo "| server | players | kept up with real time | server CPU % (of one core) | server RSS MiB | RSS KiB per player |"
echo "|---|---|---|---|---|---|"
measure lsc-relay "$relay" "rtmp://127.0.0.1:$port/livestreamcast_origin/live"
measure nginx-rtmp "$nginx_pid" "rtmp://127.0.0.1:$nport/livestreamcast_origin/live"
