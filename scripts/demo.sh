#!/usr/bin/env bash
# Local demo: installs what is missing, builds (release), starts an origin node on loopback with
# an ffmpeg test publisher, prints how to play it, and stops everything it started on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "== building (release)"
swift build -c release --product lsc-relay >/dev/null
swift build -c release --product lsc-control >/dev/null 2>&1 || true
bin=$(swift build -c release --show-bin-path)
run=${LSC_DEMO_DIR:-$PWD/run/demo}
mkdir -p "$run"
port=${LSC_DEMO_PORT:-1935}
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; echo "demo stopped"; }
trap cleanup EXIT INT TERM

"$bin/lsc-relay" --role origin --rtmp "127.0.0.1:$port" >"$run/origin-relay.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
url="rtmp://127.0.0.1:$port/livestreamcast_origin/livestream"
ffmpeg -hide_banner -nostats -loglevel warning -re \
  -f lavfi -i "testsrc2=size=1280x720:rate=25" -f lavfi -i "sine=frequency=440:sample_rate=44100" \
  -c:v libx264 -preset veryfast -tune zerolatency -b:v 2500k -g 50 -c:a aac -b:a 128k \
  -f flv "$url" >"$run/publisher.log" 2>&1 &
pids+=($!)
sleep 3
cat <<MSG

LiveStreamCast demo is running (logs in $run):
  origin relay   127.0.0.1:$port  (app livestreamcast_origin), test stream 'livestream'

Play it:
  ffplay $url
  ffprobe $url
  rtmpdump --live -r $url -o - | ffplay -

Press Ctrl-C to stop.
MSG
wait "${pids[0]}"
