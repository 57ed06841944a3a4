#!/usr/bin/env bash
# Local demo: installs what is missing, builds (release), starts an origin node on loopback with
# an ffmpeg test publisher, prints how to play it, and stops everything it started on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "== building (release)"
swift build -c release --product lsc-relay >/dev/null
swift build -c release --product lsc-control >/dev/null
bin=$(swift build -c release --show-bin-path)
run=${LSC_DEMO_DIR:-$PWD/run/demo}
mkdir -p "$run"
port=${LSC_DEMO_PORT:-1935}
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; echo "demo stopped"; }
trap cleanup EXIT INT TERM

http=${LSC_DEMO_HTTP:-127.0.0.1:8080}
# Both processes run in $run, so they find each other's control socket and share ./media.
(cd "$run" && exec "$bin/lsc-relay" --role origin --rtmp "127.0.0.1:$port") >"$run/origin-relay.log" 2>&1 &
pids+=($!)
(cd "$run" && exec "$bin/lsc-control" --role origin --http "$http") >"$run/origin-control.log" 2>&1 &
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
  origin relay    127.0.0.1:$port  (app livestreamcast_origin), test stream 'livestream', recorded under $run/media/dvr
  origin control  http://$http  (admin API)

Play it:
  ffplay $url
  ffprobe $url
  rtmpdump --live -r $url -o - | ffplay -

Ask the control plane:
  curl -s http://$http/api/v1/health
  curl -s http://$http/api/v1/node
  curl -s http://$http/api/v1/streams
  curl -s http://$http/api/v1/clients
  curl -s http://$http/api/v1/dvr
  curl -s http://$http/metrics
Export a highlight from the live recording (10 s in, 5 s long) and list it:
  curl -s -X POST http://$http/api/v1/exports -d '{"output":"goal-1.f4v","items":[{"source":"dvr","name":"livestream","start":10,"end":15}]}'
  curl -s http://$http/api/v1/outputs

Press Ctrl-C to stop.
MSG
wait "${pids[0]}"
