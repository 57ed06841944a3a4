#!/usr/bin/env bash
# E-RTMP and RTMPS cost benchmark (issue 14), same run, same relay:
#  1. fan-out CPU of lsc-relay for N lsc-loadclient players of a 720p 2.5 Mbps H.264 stream and of
#     the same picture as HEVC (E-RTMP, published by ffmpeg 9): should be equal per player;
#  2. relay CPU for M ffmpeg players over plain RTMP and over RTMPS (TLS) of the H.264 stream.
# Prints Markdown tables. Uses the built binaries in BIN (default .build/debug: relative figures).
#   bash scripts/bench-ertmp.sh
#   PLAYERS=100 TLS_PLAYERS=10 SECONDS_PER_RUN=15 BIN=.build/release bash scripts/bench-ertmp.sh
set -euo pipefail
cd "$(dirname "$0")/.."
players=${PLAYERS:-100}
tls_players=${TLS_PLAYERS:-10}
seconds=${SECONDS_PER_RUN:-15}
bin=${BIN:-.build/debug}
ff9=$(python3 -c 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())')
work=$(mktemp -d /tmp/lsc-bench-ertmp.XXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# 30 s of the same picture, encoded once per codec, then published with -c copy in a loop.
source scripts/lib/test-source.sh
FFMPEG="$ff9" encode_720p_source "$work/h264.flv" 30
FFMPEG="$ff9" encode_720p_source "$work/hevc.flv" 30 -c:v libx265 -preset ultrafast -b:v 2500k -x265-params "keyint=50:log-level=error"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 -subj /CN=bench \
  -addext subjectAltName=IP:127.0.0.1 2>/dev/null

port=$(free_port); tls_port=$(free_port)
"$bin/lsc-relay" --role origin --rtmp "127.0.0.1:$port" --rtmps "127.0.0.1:$tls_port" --tls-cert "$work/cert.pem" \
  --tls-key "$work/key.pem" --dvr off --media "$work/media" --control-socket "$work/c.sock" --log-level warning >"$work/relay.log" 2>&1 &
relay=$!; pids+=($relay)
sleep 1
for codec in h264 hevc; do
  "$ff9" -v error -re -stream_loop -1 -i "$work/$codec.flv" -c copy -f flv "rtmp://127.0.0.1:$port/livestreamcast_origin/$codec" \
    >"$work/pub-$codec.log" 2>&1 &
  pids+=($!)
done
sleep 4

echo "| stream | players | kept up | relay CPU % (one core) | CPU % per 100 players |"
echo "|---|---|---|---|---|"
for codec in h264 hevc; do
  before=$(cpu_ticks "$relay")
  report=$("$bin/lsc-loadclient" "rtmp://127.0.0.1:$port/livestreamcast_origin/$codec" --players "$players" --duration "$seconds" --ramp-up 2)
  after=$(cpu_ticks "$relay")
  kept=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["keptUp"])' "$report")
  cpu=$(python3 -c "print(round(($after-$before)/$hz/($seconds+2)*100,1))")
  echo "| $codec | $players | $kept | $cpu | $(python3 -c "print(round($cpu*100/$players,1))") |"
done

echo
echo "| transport | ffmpeg players | relay CPU % (one core) |"
echo "|---|---|---|"
for scheme in rtmp rtmps; do
  p=$port; [ "$scheme" = rtmps ] && p=$tls_port
  players_pids=()
  before=$(cpu_ticks "$relay")
  for _ in $(seq "$tls_players"); do
    ffmpeg -v error -rw_timeout 10000000 -i "$scheme://127.0.0.1:$p/livestreamcast_origin/h264" -c copy -t "$seconds" -f null - >/dev/null 2>&1 &
    players_pids+=($!)
  done
  for pid in "${players_pids[@]}"; do wait "$pid" || true; done
  after=$(cpu_ticks "$relay")
  echo "| $scheme | $tls_players | $(python3 -c "print(round(($after-$before)/$hz/$seconds*100,1))") |"
done
