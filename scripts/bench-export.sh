#!/usr/bin/env bash
# Highlight export speed (issue 5): 10 minutes of 5 Mbps H.264 + AAC cut into 20 items of 15 s,
# exported by our engine (lsc-export, release build) and by ffmpeg (-c copy cuts + concat demuxer,
# +faststart so that both outputs have moov before mdat), in the same run, warm page cache.
# Then, in the same run, the same cuts through the control plane's export jobs (release lsc-relay +
# lsc-control): from the file as a clip, and from a DVR recording of it (published to the relay
# at full speed): time to the first job state change, time to done, and VOD start-up (play →
# first frame) of the output over RTMP.
# Prints Markdown tables; the source is generated once and cached.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${LSC_BENCH_CACHE:-${TMPDIR:-/tmp}/lsc-bench-export}"
RUNS="${RUNS:-3}"
mkdir -p "$CACHE"
SOURCE="$CACHE/source-600s-5mbps.mp4"
if [ ! -s "$SOURCE" ]; then
    echo "generating $SOURCE (once)..." >&2
    ffmpeg -v error -y -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=600" \
        -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=600" \
        -c:v libx264 -preset ultrafast -b:v 5M -maxrate 5M -bufsize 10M -g 60 -pix_fmt yuv420p \
        -c:a aac -b:a 128k -shortest "$SOURCE.tmp.mp4"
    mv "$SOURCE.tmp.mp4" "$SOURCE"
fi

for product in lsc-export lsc-relay lsc-control; do swift build -c release --product "$product" >&2; done
BIN="$(swift build -c release --show-bin-path)"
EXPORT="$BIN/lsc-export"

WORK="$(mktemp -d "$CACHE/run-XXXXXX")"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
cat "$SOURCE" > /dev/null  # warm the page cache for both contenders

ITEMS=()
for i in $(seq 0 19); do
    start=$(awk -v i="$i" 'BEGIN { printf "%.2f", i * 30 + 3.3 }')
    end=$(awk -v s="$start" 'BEGIN { printf "%.2f", s + 15 }')
    ITEMS+=("$start:$end")
done
OUTPUT_SECONDS=300

now() { date +%s.%N; }

ours() {
    rm -f "$WORK/ours.f4v"
    local args=()
    for item in "${ITEMS[@]}"; do args+=("$SOURCE:$item"); done
    "$EXPORT" -o "$WORK/ours.f4v" "${args[@]}" > /dev/null
}

theirs() {
    rm -f "$WORK"/part-*.mp4 "$WORK/list.txt" "$WORK/theirs.mp4"
    local n=0
    for item in "${ITEMS[@]}"; do
        local start="${item%%:*}" end="${item##*:}"
        ffmpeg -v error -y -ss "$start" -to "$end" -i "$SOURCE" -c copy -avoid_negative_ts make_zero "$WORK/part-$n.mp4"
        echo "file '$WORK/part-$n.mp4'" >> "$WORK/list.txt"
        n=$((n + 1))
    done
    ffmpeg -v error -y -f concat -safe 0 -i "$WORK/list.txt" -c copy -movflags +faststart "$WORK/theirs.mp4"
}

best() {
    local fn="$1" best=""
    for _ in $(seq 1 "$RUNS"); do
        local t0 t1 elapsed
        t0=$(now); "$fn"; t1=$(now)
        elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
        if [ -z "$best" ] || awk -v e="$elapsed" -v b="$best" 'BEGIN { exit !(e < b) }'; then best="$elapsed"; fi
    done
    echo "$best"
}

OURS=$(best ours)
THEIRS=$(best theirs)
dur() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }
size() { stat -c %s "$1"; }

echo "| exporter | wall s (best of $RUNS) | output s | multiple of real time | output MiB |"
echo "|---|---|---|---|---|"
for row in "lsc-export:$OURS:$WORK/ours.f4v" "ffmpeg -c copy + concat:$THEIRS:$WORK/theirs.mp4"; do
    IFS=: read -r name seconds file <<< "$row"
    d=$(dur "$file")
    echo "| $name | $seconds | $d | $(awk -v o="$OUTPUT_SECONDS" -v s="$seconds" 'BEGIN { printf "%.0fx", o / s }') | $(awk -v b="$(size "$file")" 'BEGIN { printf "%.1f", b / 1048576 }') |"
done

# ---- The same cuts through lsc-control's export jobs, from a clip and from a DVR recording ----
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
MEDIA="$WORK/media"
mkdir -p "$MEDIA/sources"
ln "$SOURCE" "$MEDIA/sources/source.mp4" 2>/dev/null || cp "$SOURCE" "$MEDIA/sources/source.mp4"
RTMP_PORT=$(free_port); HTTP_PORT=$(free_port)
"$BIN/lsc-relay" --rtmp "127.0.0.1:$RTMP_PORT" --http off --media "$MEDIA" --control-socket "$WORK/c.sock" --log-level warning 2> "$WORK/relay.log" &
PIDS+=($!)
"$BIN/lsc-control" --http "127.0.0.1:$HTTP_PORT" --media "$MEDIA" --control-socket "$WORK/c.sock" --log-level warning 2> "$WORK/control.log" &
PIDS+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$HTTP_PORT/api/v1/health" > /dev/null 2>&1 && break; sleep 0.1; done
t0=$(now)
ffmpeg -v error -i "$SOURCE" -c copy -f flv "rtmp://127.0.0.1:$RTMP_PORT/livestreamcast_origin/livestream"
t1=$(now)
sleep 6  # the recording is no longer live: no item waits
RECORDED=$(curl -s "http://127.0.0.1:$HTTP_PORT/api/v1/dvr" | python3 -c 'import json, sys; print(json.load(sys.stdin)["recordings"][0]["duration"])')
echo >&2 "published 600 s into the DVR in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; recorded $RECORDED s"

# POSTs an edit list and polls the job (keep-alive, every millisecond): JSON with the seconds to
# the 202, to the first state change and to done.
job() {
    python3 - "$HTTP_PORT" "$1" "$2" "${ITEMS[@]}" <<'PY'
import http.client, json, sys, time
port, source, output, items = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
name = "source.mp4" if source == "clip" else "livestream"
body = json.dumps({"output": output, "items": [
    {"source": source, "name": name, "start": float(i.split(":")[0]), "end": float(i.split(":")[1])} for i in items]})
connection = http.client.HTTPConnection("127.0.0.1", port)
start = time.monotonic()
connection.request("POST", "/api/v1/exports", body, {"Content-Type": "application/json"})
response = connection.getresponse()
job = json.loads(response.read())
accepted = time.monotonic() - start
assert response.status == 202, job
first_state, changed, state = job["state"], None, job["state"]
while state not in ("done", "failed", "cancelled") and time.monotonic() - start < 300:
    time.sleep(0.001)
    connection.request("GET", "/api/v1/exports/" + job["id"])
    state = json.loads(connection.getresponse().read())["state"]
    if changed is None and state != first_state:
        changed = time.monotonic() - start
print(json.dumps({"accepted": accepted, "first": first_state, "changed": changed, "done": time.monotonic() - start, "state": state}))
PY
}

echo
echo "| export job (lsc-control) | 202 after ms | first state change | after ms | done after s | multiple of real time |"
echo "|---|---|---|---|---|---|"
for source in clip dvr; do
    result=$(job "$source" "jobs-$source.f4v")
    python3 - "$source" "$result" "$OUTPUT_SECONDS" <<'PY'
import json, sys
source, r, seconds = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3])
label = {"clip": "20 items of a 600 s clip (sources/)", "dvr": "20 items of a 600 s DVR recording"}[source]
assert r["state"] == "done", r
print(f"| {label} | {r['accepted'] * 1000:.1f} | {r['first']} → running | {r['changed'] * 1000:.1f} | {r['done']:.3f} | {seconds / r['done']:.0f}x |")
PY
done

# VOD start-up: ffmpeg plays the exported file over RTMP until its first decoded frame, against
# the same ffmpeg command on the local file (ffmpeg's own start-up), best of $RUNS.
first_frame() { ffmpeg -v error -probesize 32768 -analyzeduration 0 -i "$1" -frames:v 1 -f null - ; }
vod() { first_frame "rtmp://127.0.0.1:$RTMP_PORT/livestreamcast_origin/mp4:exports/jobs-dvr.f4v"; }
vod_dvr() { first_frame "rtmp://127.0.0.1:$RTMP_PORT/livestreamcast_origin/mp4:dvr/livestream"; }
local_file() { first_frame "$MEDIA/exports/jobs-dvr.f4v"; }
echo
echo "| play → first decoded frame (ffmpeg, best of $RUNS) | s |"
echo "|---|---|"
echo "| rtmp://…/mp4:exports/jobs-dvr.f4v (300 s F4V) | $(best vod) |"
echo "| rtmp://…/mp4:dvr/livestream (600 s recording) | $(best vod_dvr) |"
echo "| the same F4V from the local file | $(best local_file) |"
