#!/usr/bin/env bash
# Cost of the data plane's status snapshot with many clients: lsc-relay (release, --dvr off) with
# one 2.5 Mbps stream and N players (lsc-loadclient), a reader on its control socket taking the
# snapshots lsc-control would get (every 500 ms), and the CPU of each relay thread over 10 s.
# The control link's thread is the one encoding the snapshots. Snapshots count clients; the
# reader asks for the client list once (listClients, as GET /api/v1/clients does), before the
# CPU window, and prints its size and answer time.
#   bash scripts/bench-snapshot.sh          # N = 2000
#   PLAYERS=500 bash scripts/bench-snapshot.sh
# Everything listens on 127.0.0.1; every process this script starts is stopped by PID at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
players=${PLAYERS:-2000}
swift build -c release --product lsc-relay >/dev/null
swift build -c release --product lsc-loadclient >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/lsc-bench-snapshot.XXXX)
source scripts/lib/processes.sh  # start/stop by PID (the script has cd-ed to the repository root)

src="$work/source.flv"
source scripts/lib/test-source.sh
encode_720p_source "$src" 60
port=$((20000 + RANDOM % 10000))
sock="$work/control.sock"
start relay "$bin/lsc-relay" --role origin --rtmp "127.0.0.1:$port" --http off --dvr off --log-level warning --control-socket "$sock"
relay=$started
sleep 1
url="rtmp://127.0.0.1:$port/livestreamcast_origin/live"
start publisher ffmpeg -v error -re -stream_loop -1 -i "$src" -c copy -f flv "$url"
sleep 2
start players "$bin/lsc-loadclient" "$url" --players "$players" --duration 25 --ramp-up 2 --threads 1
sleep 6
python3 - "$sock" >"$work/reader.txt" <<'PY' &
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
# The client list once, on demand, before the CPU window opens (2 s from now).
asked = time.time()
s.sendall(b'{"listClients":{"id":1}}\n')
total = lines = snapshots = snapshot_bytes = 0
listed = None
pending = b""
end = time.time() + 14
while time.time() < end:
    data = s.recv(1 << 20)
    if not data:
        break
    total += len(data)
    pending += data
    *complete, pending = pending.split(b"\n")
    for line in complete:
        lines += 1
        if line.startswith(b'{"snapshot"'):
            snapshots += 1
            snapshot_bytes += len(line) + 1
        elif line.startswith(b'{"reply"') and listed is None:
            reply = json.loads(line)["reply"]["_0"]
            listed = (len(reply.get("clients") or []), len(line) + 1, (time.time() - asked) * 1000, reply.get("errorCode"))
print(f"control link: {total} bytes, {lines} messages in 14 s; {snapshots} snapshots, {snapshot_bytes // max(snapshots, 1)} bytes each")
if listed:
    print(f"client list on demand: {listed[0]} clients, {listed[1]} bytes, answered in {listed[2]:.0f} ms" + (f" ({listed[3]})" if listed[3] else ""))
else:
    print("client list on demand: no answer")
PY
reader=$!; pids+=("$reader")
sleep 2
threads() { for task in /proc/$relay/task/*; do echo "$(cat "$task/comm") $(awk '{print $14 + $15}' "$task/stat")"; done; }
threads >"$work/before.txt"
sleep 10
threads >"$work/after.txt"
hz=$(getconf CLK_TCK)
echo "players: $players"
paste "$work/before.txt" "$work/after.txt" | awk -v hz="$hz" '{ d = $4 - $2; if (d > 0) printf "%s: %.1f %% of a core\n", $1, d / hz / 10 * 100 }'
wait "$reader"
cat "$work/reader.txt"
