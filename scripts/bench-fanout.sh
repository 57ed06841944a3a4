#!/usr/bin/env bash
# Fan-out benchmark: one 2.5 Mbps 720p stream, N players (lsc-loadclient), for lsc-relay and
# nginx + libnginx-mod-rtmp (one worker), in the same run. Prints a Markdown table: players kept
# up, server CPU over the whole run (the ramp-up's joins included) and over 8 s of steady play,
# baseline RSS (0 players), marginal KiB per player, and (when `perf` works) syscalls per
# player-message counted over the same 8 s.
#   bash scripts/bench-fanout.sh            # N = 100 1000 2000, 20 s each
#   COUNTS="100" SECONDS_PER_RUN=10 bash scripts/bench-fanout.sh
#   RELAY_ARGS="--dvr off --merge-write 0" ROUNDS=2 bash scripts/bench-fanout.sh
set -euo pipefail
ulimit -n 65536 2>/dev/null || true
cd "$(dirname "$0")/.."
counts=${COUNTS:-"100 1000 2000"}
seconds=${SECONDS_PER_RUN:-20}
# Audio and video messages per second of the test stream: 25 video frames + AAC at 44.1 kHz (~43).
messages_per_second=68
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
source scripts/lib/test-source.sh
encode_720p_source "$src" 60

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)

measure() { # name pid url
  local name=$1 pid=$2 url=$3 n=$4 base=$5
  {
    local before after rss report syscalls per_message
    before=$(cpu_ticks "$pid")
    "$bin/lsc-loadclient" "$url" --players "$n" --duration "$seconds" --ramp-up 2 --threads 1 >"$work/report.json" &
    local client=$!
    per_message="n/a"
    steady="n/a"
    if [ "$seconds" -ge 12 ]; then
      # Steady play: 8 s from 3 s after the ramp-up began (every player joined, its cached GOP sent).
      sleep 3
      local steady_before steady_after
      steady_before=$(cpu_ticks "$pid")
      if command -v perf >/dev/null \
         && syscalls=$(perf stat -x, -e raw_syscalls:sys_enter -p "$pid" -- sleep 8 2>&1 >/dev/null | awk -F, '/raw_syscalls/ {print $1}') \
         && [ -n "$syscalls" ] && [ "$syscalls" != "<not supported>" ]; then
        per_message=$(python3 -c "print(round($syscalls / (8 * $n * $messages_per_second), 3))")
      else
        sleep 8
      fi
      steady_after=$(cpu_ticks "$pid")
      steady=$(python3 -c "print(round(($steady_after-$steady_before)/$hz/8*100,1))")
    fi
    wait "$client"
    report=$(cat "$work/report.json")
    after=$(cpu_ticks "$pid")
    rss=$(rss_kb "$pid")
    local kept cpu
    kept=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["keptUp"])' "$report")
    cpu=$(python3 -c "print(round(($after-$before)/$hz/($seconds+2)*100,1))")
    echo "| $name | $n | $kept | $cpu | $steady | $((base/1024)) | $((rss/1024)) | $(python3 -c "print(round(($rss-$base)/$n,1))") | $per_message |"
  }
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
events { worker_connections 16384; }
rtmp { server { listen 127.0.0.1:$nport; chunk_size 4096;
  application livestreamcast_origin { live on; wait_key on; } } }
NGINX
nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!; pids+=($nginx_pid)
sleep 1
ffmpeg -v error -re -stream_loop -1 -i "$src" -c copy -f flv "rtmp://127.0.0.1:$nport/livestreamcast_origin/live" >"$work/pub2.log" 2>&1 &
pids+=($!)
sleep 4

echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| server | players | kept up with real time | server CPU % (of one core), whole run | CPU %, steady play (8 s) | RSS MiB at 0 players | RSS MiB | marginal KiB per player | syscalls per player-message |"
echo "|---|---|---|---|---|---|---|---|---|"
# Each count for one server right after the other, so both see the same machine; ROUNDS repeats
# the whole set (the figures of one 20 s run vary by ±15 % on a shared machine).
relay_base=$(rss_kb "$relay")
nginx_base=$(rss_kb "$nginx_pid")
for round in $(seq "${ROUNDS:-1}"); do
  for n in $counts; do
    measure lsc-relay "$relay" "rtmp://127.0.0.1:$port/livestreamcast_origin/live" "$n" "$relay_base"
    measure nginx-rtmp "$nginx_pid" "rtmp://127.0.0.1:$nport/livestreamcast_origin/live" "$n" "$nginx_base"
  done
done
