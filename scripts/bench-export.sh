#!/usr/bin/env bash
# Highlight export speed (issue 5): 10 minutes of 5 Mbps H.264 + AAC cut into 20 items of 15 s,
# exported by our engine (lsc-export, release build) and by ffmpeg (-c copy cuts + concat demuxer,
# +faststart so that both outputs have moov before mdat), in the same run, warm page cache.
# Prints a Markdown table; the source is generated once and cached.
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

swift build -c release --product lsc-export >&2
EXPORT="$(swift build -c release --show-bin-path)/lsc-export"

WORK="$(mktemp -d "$CACHE/run-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
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
