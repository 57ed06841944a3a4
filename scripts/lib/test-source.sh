# The benchmarks' test source: 720p25 with a tone, 2.5 Mbps, one keyframe every 2 s, encoded once
# so that publishers can loop it with -c copy and the encoder's CPU stays out of the figures.
# Sourced by the bench-*.sh scripts.

# encode_720p_source OUT [SECONDS=60] [VIDEO CODEC ARGS...]: H.264 (libx264 veryfast) + AAC into OUT
# (FLV). FFMPEG names the encoder binary (default: ffmpeg on PATH; bench-ertmp passes ffmpeg 9).
encode_720p_source() {
  local out=$1 seconds=${2:-60}
  shift $(( $# < 2 ? $# : 2 ))
  local video=("$@")
  [ ${#video[@]} -gt 0 ] || video=(-c:v libx264 -preset veryfast -b:v 2500k -maxrate 2500k -bufsize 5000k -g 50)
  "${FFMPEG:-ffmpeg}" -v error -f lavfi -i "testsrc2=size=1280x720:rate=25" -f lavfi -i "sine=frequency=440" -t "$seconds" \
    "${video[@]}" -c:a aac -b:a 128k -f flv "$out"
}
