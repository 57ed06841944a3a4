#!/usr/bin/env bash
# Starts a whole 3-tier LiveStreamCast topology on this machine, on loopback ports:
#
#   ffmpeg ─▶ origin-a ┐
#   ffmpeg ─▶ origin-b ┴─▶ intermediate ─▶ edge ─▶ players
#                 (and each origin straight to the edge, as the edge's fallback groups)
#
# Every node runs both processes (lsc-relay and lsc-control). The test publisher feeds both
# origins, as FMLE's primary and backup URLs do; each feed restarts when its origin comes back.
# Prints the play URL and the curl commands; stops everything it started (by PID) on Ctrl-C or
# SIGTERM. Settings (environment): LSC_BASE_PORT (RTMP ports BASE..BASE+3, default 19400),
# LSC_HTTP_BASE_PORT (admin APIs, default 18400), LSC_BIN_DIR (default .build/debug, built if
# missing), LSC_STREAM (default livestream), LSC_IDLE_INTERVAL (seconds, default 1),
# LSC_WORK_DIR (default a new temp dir: host.ini files, sockets, logs), LSC_PUBLISH_KEY (the
# origins' publish key for LSC_STREAM, default random; publish with rtmp://…/$stream?key=KEY).
set -euo pipefail
cd "$(dirname "$0")/.."

base=${LSC_BASE_PORT:-19400}
http_base=${LSC_HTTP_BASE_PORT:-18400}
# Each relay's HTTP media port (browsers: player page, LL-HLS, HTTP-FLV, fMP4, DVR rewind).
media_base=${LSC_MEDIA_BASE_PORT:-18500}
bin=${LSC_BIN_DIR:-.build/debug}
stream=${LSC_STREAM:-livestream}
idle=${LSC_IDLE_INTERVAL:-1}
work=${LSC_WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lsc-3tier.XXXXXX")}
mkdir -p "$work/logs"

if [ ! -x "$bin/lsc-relay" ] || [ ! -x "$bin/lsc-control" ]; then
  echo "run-3tier: building lsc-relay and lsc-control"
  swift build --product lsc-relay >/dev/null
  swift build --product lsc-control >/dev/null
fi
command -v ffmpeg >/dev/null || { echo "run-3tier: ffmpeg is missing (bash scripts/install-deps.sh)" >&2; exit 1; }

for port in "$base" "$((base + 1))" "$((base + 2))" "$((base + 3))" \
            "$http_base" "$((http_base + 1))" "$((http_base + 2))" "$((http_base + 3))"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "run-3tier: port $port is in use; set LSC_BASE_PORT / LSC_HTTP_BASE_PORT" >&2
    exit 1
  fi
done

# Use the newer flags only once the binaries have them, so the script runs at every stage.
relay_help=$("$bin/lsc-relay" --help 2>&1 || true)
control_help=$("$bin/lsc-control" --help 2>&1 || true)
has_relay_flag() { grep -q -- "$1" <<<"$relay_help"; }
has_control_flag() { grep -q -- "$1" <<<"$control_help"; }

pids=()
names=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "run-3tier: stopping"
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    for _ in $(seq 1 50); do kill -0 "${pids[$i]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${pids[$i]}" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  echo "run-3tier: logs and host.ini files are in $work"
}
trap cleanup EXIT
trap 'cleanup; exit 0' INT TERM

start() { # name, then the command
  local name=$1; shift
  "$@" >"$work/logs/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}

secret="$work/cluster.secret"
# Who may publish on the origins: one key for the demo stream (the encoder sends it as
# ?key=..., OBS's "Stream Key"). Kept with the other files in the work directory.
publish_keys="$work/publish.keys"
publish_key=${LSC_PUBLISH_KEY:-demo-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')}
printf '%s %s\n' "$stream" "$publish_key" >"$publish_keys"
chmod 600 "$publish_keys"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$secret"
chmod 600 "$secret"

# Each origin is its own group (the seed's fastest layout): on a failover the next group takes
# over at once, instead of the group's primary being retried three times first.
cat >"$work/intermediate.host.ini" <<INI
origin-a 127.0.0.1:$base;127.0.0.1:$base livestreamcast_origin
origin-b 127.0.0.1:$((base + 1));127.0.0.1:$((base + 1)) livestreamcast_origin
INI
# The edge pulls through the intermediate, and straight from either origin if the intermediate
# is down: every group in host.ini is played, the first to answer feeds the players.
cat >"$work/edge.host.ini" <<INI
intermediate 127.0.0.1:$((base + 2));127.0.0.1:$((base + 2)) livestreamcast_intermediate
origin-a 127.0.0.1:$base;127.0.0.1:$base livestreamcast_origin
origin-b 127.0.0.1:$((base + 1));127.0.0.1:$((base + 1)) livestreamcast_origin
INI

node() { # name role rtmp-port http-port media-port [host.ini]
  local name=$1 role=$2 port=$3 http=$4 media=$5 hostini=${6:-}
  local relay=("$bin/lsc-relay" --role "$role" --rtmp "127.0.0.1:$port")
  if has_relay_flag '--http '; then relay+=(--http "127.0.0.1:$media"); fi
  local control=("$bin/lsc-control" --role "$role" --http "127.0.0.1:$http")
  mkdir -p "$work/$name/media"
  relay+=(--media "$work/$name/media")
  control+=(--media "$work/$name/media")
  if has_relay_flag --control-socket; then relay+=(--control-socket "$work/$name.sock"); fi
  if has_control_flag --control-socket; then control+=(--control-socket "$work/$name.sock"); fi
  if has_relay_flag --cluster-secret-file; then relay+=(--cluster-secret-file "$secret"); fi
  if [ "$role" = origin ] && has_relay_flag --publish-keys; then relay+=(--publish-keys "$publish_keys"); fi
  if [ -n "$hostini" ] && has_control_flag --host-ini; then control+=(--host-ini "$hostini"); fi
  if [ -n "$hostini" ] && has_control_flag --idle-interval; then control+=(--idle-interval "$idle"); fi
  start "$name-relay" "${relay[@]}"
  if has_control_flag --http; then start "$name-control" "${control[@]}"; fi
}

# An on-demand clip for origin-a's editor (the seed's "openers"): 6 s of test pattern.
mkdir -p "$work/origin-a/media/sources"
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=320x240:rate=25" -f lavfi -i "sine=frequency=660:sample_rate=44100" \
  -t 6 -c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p -c:a aac -movflags +faststart "$work/origin-a/media/sources/opener.mp4" \
  || echo "run-3tier: note: could not make the demo clip sources/opener.mp4"
node origin-a origin "$base" "$http_base" "$media_base"
node origin-b origin "$((base + 1))" "$((http_base + 1))" "$((media_base + 1))"
node intermediate intermediate "$((base + 2))" "$((http_base + 2))" "$((media_base + 2))" "$work/intermediate.host.ini"
node edge edge "$((base + 3))" "$((http_base + 3))" "$((media_base + 3))" "$work/edge.host.ini"
has_control_flag --http || echo "run-3tier: note: this lsc-control has no admin API yet; only the data planes run"
has_control_flag --host-ini || echo "run-3tier: note: this lsc-control reads no host.ini yet; the edge cannot pull through the tiers"

# Wait (bounded) until every relay listens.
for port in "$base" "$((base + 1))" "$((base + 2))" "$((base + 3))"; do
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
done
for i in "${!pids[@]}"; do
  if ! kill -0 "${pids[$i]}" 2>/dev/null; then
    echo "run-3tier: ${names[$i]} exited at startup; see $work/logs/${names[$i]}.log" >&2
    tail -5 "$work/logs/${names[$i]}.log" >&2 || true
    exit 1
  fi
done

# The test encoder: one feed per origin, each restarting when its origin comes back.
publish() { # name port
  local name=$1 port=$2
  (
    child=
    trap 'if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; fi; exit 0' TERM INT
    while true; do
      ffmpeg -hide_banner -loglevel error -re \
        -f lavfi -i "testsrc2=size=320x240:rate=25" -f lavfi -i "sine=frequency=440:sample_rate=44100" \
        -c:v libx264 -preset ultrafast -tune zerolatency -g 50 -pix_fmt yuv420p -c:a aac -b:a 64k \
        -f flv "rtmp://127.0.0.1:$port/livestreamcast_origin/$stream?key=$publish_key" &
      child=$!
      wait "$child" || true
      child=
      sleep 1
    done
  ) >>"$work/logs/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}
publish publisher-a "$base"
publish publisher-b "$((base + 1))"

cat <<TXT

LiveStreamCast 3-tier demo on loopback (work dir: $work)

  node          RTMP                                                   admin API
  origin-a      rtmp://127.0.0.1:$base/livestreamcast_origin          http://127.0.0.1:$http_base
  origin-b      rtmp://127.0.0.1:$((base + 1))/livestreamcast_origin          http://127.0.0.1:$((http_base + 1))
  intermediate  rtmp://127.0.0.1:$((base + 2))/livestreamcast_intermediate    http://127.0.0.1:$((http_base + 2))
  edge          rtmp://127.0.0.1:$((base + 3))/livestreamcast_edge            http://127.0.0.1:$((http_base + 3))

Publish to an origin (publish keys in $publish_keys; a publish without the key is refused):
  ffmpeg -re -i INPUT -c copy -f flv "rtmp://127.0.0.1:$base/livestreamcast_origin/$stream?key=$publish_key"

Play at the edge:
  ffplay rtmp://127.0.0.1:$((base + 3))/livestreamcast_edge/$stream
  ffprobe rtmp://127.0.0.1:$((base + 3))/livestreamcast_edge/$stream

Cut highlights in the browser (origin-a's editor: its live DVR recording, the clip opener.mp4, exports):
  http://127.0.0.1:$http_base/editor/

Watch in a browser (player page: live LL-HLS or fMP4, "Rewind" plays the DVR recording):
  origin-a      http://127.0.0.1:$media_base/livestreamcast_origin/$stream
  origin-b      http://127.0.0.1:$((media_base + 1))/livestreamcast_origin/$stream
  intermediate  http://127.0.0.1:$((media_base + 2))/livestreamcast_intermediate/$stream
  edge          http://127.0.0.1:$((media_base + 3))/livestreamcast_edge/$stream
Every node also serves, for ffprobe/ffplay/VLC/hls.js/mpegts.js (edge shown):
  ffprobe http://127.0.0.1:$((media_base + 3))/livestreamcast_edge/$stream.flv            # HTTP-FLV
  ffprobe http://127.0.0.1:$((media_base + 3))/livestreamcast_edge/$stream.mp4            # progressive fMP4
  ffprobe http://127.0.0.1:$((media_base + 3))/livestreamcast_edge/$stream/index.m3u8     # LL-HLS
  ffprobe http://127.0.0.1:$media_base/livestreamcast_origin/$stream/dvr.m3u8        # DVR rewind (origin-a records)

Look at the nodes:
  curl -s http://127.0.0.1:$((http_base + 3))/api/v1/topology     # edge: groups, active upstream, failovers
  curl -s http://127.0.0.1:$((http_base + 2))/api/v1/topology     # intermediate: both origins, the active one
  curl -s http://127.0.0.1:$((http_base + 2))/api/v1/children     # intermediate: the registered edge
  curl -s http://127.0.0.1:$http_base/api/v1/children     # origin-a: the registered intermediate
  curl -s http://127.0.0.1:$((http_base + 3))/api/v1/streams      # edge: streams and their upstream

Export a highlight from origin-a's live recording (10 s in, 5 s long), list it, play it back:
  curl -s -X POST http://127.0.0.1:$http_base/api/v1/exports -H "Content-Type: application/json" -d '{"output":"goal-1.f4v","items":[{"source":"dvr","name":"$stream","start":10,"end":15}]}'
  curl -s http://127.0.0.1:$http_base/api/v1/outputs
  ffplay $work/origin-a/media/exports/goal-1.f4v
  ffplay rtmp://127.0.0.1:$base/livestreamcast_origin/mp4:exports/goal-1.f4v     # VOD over RTMP, with seek
  ffplay rtmp://127.0.0.1:$base/livestreamcast_origin/mp4:dvr/$stream            # the recording, from its start

Fail over: kill origin-a's relay (PID ${pids[0]}); players at the edge stay connected.
Ctrl-C stops everything this script started.
TXT

# Stay up until a signal; report (once) any process that dies meanwhile.
reported=()
while true; do
  sleep 1
  for i in "${!pids[@]}"; do
    if [ -z "${reported[$i]:-}" ] && ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "run-3tier: ${names[$i]} (PID ${pids[$i]}) exited; see $work/logs/${names[$i]}.log"
      reported[$i]=1
    fi
  done
done
