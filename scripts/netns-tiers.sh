#!/usr/bin/env bash
# The 3-tier topology on real links (issue 9, "Real links, several hosts"): each node in its own
# Linux network namespace with its own address, joined by veth pairs:
#
#   [origin-a 10.201.1.1] --veth-- [intermediate 10.201.1.2 / 10.201.2.2 / 10.201.3.1] --veth-- [edge 10.201.3.2]
#   [origin-b 10.201.2.1] --veth--/
#
# Every veth has a bandwidth cap (tc tbf) and every tier-to-tier TCP connection crosses a delay
# proxy (scripts/lib/delay_proxy.py, +DELAY_MS each way; this kernel has no netem). Each origin is
# fed by its own synthetic publisher (lsc-latency); a player (lsc-latency) at the edge logs every
# media gap. The test then:
#   1. checks that the edge player keeps up through the impaired links,
#   2. cuts the link to the origin the intermediate is playing from (`ip link set ... down`: no
#      FIN, no process killed) and measures the player's stall; media must resume and the player
#      stay connected,
#   3. brings the link back and waits until the intermediate lists that origin again (rejoin).
# Needs root (ip netns). Bounded: about a minute. Prints "netns-tiers: N passed, M failed".
#   bash scripts/netns-tiers.sh                    # uses .build/debug (LSC_BIN_DIR to change)
#   DELAY_MS=50 RATE=20mbit bash scripts/netns-tiers.sh
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${LSC_BIN_DIR:-.build/debug}
delay=${DELAY_MS:-50}
rate=${RATE:-20mbit}
idle=${IDLE_INTERVAL:-1s}
for tool in lsc-relay lsc-control lsc-latency; do
  [ -x "$bin/$tool" ] || { echo "netns-tiers: $bin/$tool missing (build first)"; exit 1; }
done
if [ "$(id -u)" -ne 0 ] || ! ip netns add "lsc-probe-$$" 2>/dev/null; then
  echo "netns-tiers: needs root and network namespaces"; exit 1
fi
ip netns del "lsc-probe-$$"

work=$(mktemp -d "${TMPDIR:-/tmp}/lsc-netns.XXXXXX")
# shellcheck source=lib/processes.sh
source scripts/lib/processes.sh
tag=$$
ns_oa=lsc$tag-oa; ns_ob=lsc$tag-ob; ns_i=lsc$tag-i; ns_e=lsc$tag-e
namespaces=("$ns_oa" "$ns_ob" "$ns_i" "$ns_e")
teardown() {
  cleanup
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap teardown EXIT

passed=0; failed=0
check() { # description, then a command whose status decides
  local what=$1; shift
  if "$@"; then echo "ok - $what"; passed=$((passed + 1)); else echo "FAILED - $what"; failed=$((failed + 1)); fi
}

# --- the hosts and links
for ns in "${namespaces[@]}"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
link() { # nsA ifA addrA nsB ifB addrB
  ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
  ip -n "$1" addr add "$3/24" dev "$2"; ip -n "$4" addr add "$6/24" dev "$5"
  ip -n "$1" link set "$2" up; ip -n "$4" link set "$5" up
  for end in "$1 $2" "$4 $5"; do
    # shellcheck disable=SC2086
    ip netns exec ${end% *} tc qdisc add dev ${end#* } root tbf rate "$rate" burst 64kb latency 400ms
  done
}
link "$ns_oa" oa0 10.201.1.1 "$ns_i" ia0 10.201.1.2
link "$ns_ob" ob0 10.201.2.1 "$ns_i" ib0 10.201.2.2
link "$ns_i" ie0 10.201.3.1 "$ns_e" ei0 10.201.3.2

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
# For processes started in the background: the backgrounded subshell becomes the process, so
# its PID (the one `start` records and cleanup stops) is the relay's, not a shell's parent.
exec_in_ns() { local ns=$1; shift; exec ip netns exec "$ns" "$@"; }
wait_in_ns() { # ns host port
  for _ in $(seq 1 100); do
    in_ns "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "netns-tiers: nothing listens on $2:$3 in $1; logs in $work"; exit 1
}
publish_flags=()
# The help text is read whole first: `grep -q` in a pipe may exit before lsc-relay has written
# it all, and under pipefail the SIGPIPE would read as "flag missing".
relay_help=$("$bin/lsc-relay" --help 2>&1 || true)
if grep -q -- --publish-keys <<<"$relay_help"; then
  echo "live $tag-key" >"$work/publish.keys"
  publish_flags=(--publish-keys "$work/publish.keys")
fi
key_query=""; [ ${#publish_flags[@]} -gt 0 ] && key_query="?key=$tag-key"
http_flags=(); grep -q -- '--http ' <<<"$relay_help" && http_flags=(--http off)

# --- origins, each with its own publisher
for o in a b; do
  ns=lsc$tag-o$o; addr=10.201.$([ $o = a ] && echo 1 || echo 2).1
  start "origin-$o" exec_in_ns "$ns" "$bin/lsc-relay" --role origin --rtmp "$addr:1935" --control-socket "$work/origin-$o.sock" \
    --media "$work/media-$o" --dvr off --log-level warning "${publish_flags[@]}" "${http_flags[@]}"
  wait_in_ns "$ns" "$addr" 1935
  start "publisher-$o" exec_in_ns "$ns" "$bin/lsc-latency" --publish "rtmp://$addr:1935/livestreamcast_origin/live$key_query" --duration 86400
done
# --- intermediate: its upstreams cross the delay proxies
start proxy-a exec_in_ns "$ns_i" python3 scripts/lib/delay_proxy.py 127.0.0.1:19351 10.201.1.1:1935 "$delay"
start proxy-b exec_in_ns "$ns_i" python3 scripts/lib/delay_proxy.py 127.0.0.1:19352 10.201.2.1:1935 "$delay"
cat >"$work/intermediate.host.ini" <<INI
# origin-a and origin-b, each a group of one machine, reached through the delay proxies
origin-a 127.0.0.1:19351;127.0.0.1:19351 livestreamcast_origin
origin-b 127.0.0.1:19352;127.0.0.1:19352 livestreamcast_origin
INI
start intermediate-relay exec_in_ns "$ns_i" "$bin/lsc-relay" --role intermediate --rtmp 10.201.3.1:1935 \
  --control-socket "$work/intermediate.sock" --media "$work/media-i" --log-level warning "${http_flags[@]}"
start intermediate-control exec_in_ns "$ns_i" "$bin/lsc-control" --role intermediate --http 127.0.0.1:8080 \
  --control-socket "$work/intermediate.sock" --media "$work/media-i" --host-ini "$work/intermediate.host.ini" \
  --idle-interval "$idle" --log-level info
wait_in_ns "$ns_i" 10.201.3.1 1935
# --- edge
start proxy-i exec_in_ns "$ns_e" python3 scripts/lib/delay_proxy.py 127.0.0.1:19353 10.201.3.1:1935 "$delay"
cat >"$work/edge.host.ini" <<INI
intermediate 127.0.0.1:19353;127.0.0.1:19353 livestreamcast_intermediate
INI
start edge-relay exec_in_ns "$ns_e" "$bin/lsc-relay" --role edge --rtmp 10.201.3.2:1935 \
  --control-socket "$work/edge.sock" --media "$work/media-e" --log-level warning "${http_flags[@]}"
start edge-control exec_in_ns "$ns_e" "$bin/lsc-control" --role edge --http 127.0.0.1:8080 \
  --control-socket "$work/edge.sock" --media "$work/media-e" --host-ini "$work/edge.host.ini" \
  --idle-interval "$idle" --log-level info
wait_in_ns "$ns_e" 10.201.3.2 1935

# "<active origin letter> <available count>" for stream `live` at the intermediate.
intermediate_state() {
  in_ns "$ns_i" curl -s --max-time 2 http://127.0.0.1:8080/api/v1/topology | python3 -c '
import json, sys
try: streams = json.load(sys.stdin).get("streams", [])
except ValueError: streams = []
for s in streams:
    if s.get("name") == "live":
        port = s.get("active", "").split("/")[0].rsplit(":", 1)[-1]
        print({"19351": "a", "19352": "b"}.get(port, "-"), len(s.get("available", [])))
        break
else:
    print("-", 0)'
}
wait_state() { # regex, seconds
  local state
  for _ in $(seq 1 $(($2 * 2))); do
    state=$(intermediate_state); [[ "$state" =~ $1 ]] && return 0; sleep 0.5
  done
  echo "  (intermediate state: $state)"; return 1
}

events="$work/player-events.jsonl"
exec_in_ns "$ns_e" "$bin/lsc-latency" --play "rtmp://10.201.3.2:1935/livestreamcast_edge/live" --duration 86400 \
  --play-delay 0 --warmup 0 --gap-events-ms 60 >"$work/player.log" 2>"$events" &
player_pid=$!
pids+=("$player_pid")
# The player's frame count and largest gap between two instants, from its event log.
frames_at() { # unix time -> frames received by then
  python3 - "$events" "$1" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    try: e = json.loads(line)
    except ValueError: continue
    if e.get("event") == "received" and e.get("at", 0) <= float(sys.argv[2]): n = e["frames"]
print(n)
PY
}
largest_gap() { # from, to -> ms
  python3 - "$events" "$1" "$2" <<'PY'
import json, sys
gap = 0
for line in open(sys.argv[1]):
    try: e = json.loads(line)
    except ValueError: continue
    if e.get("event") == "gap" and float(sys.argv[2]) < e.get("at", 0) <= float(sys.argv[3]): gap = max(gap, e["gapMs"])
print(int(gap))
PY
}
player_closed() { grep -qE '"event" *: *"(closed|error)"' "$events"; }

check "the intermediate plays 'live' from an origin with both origins listed" wait_state '^[ab] 2$' 30
for _ in $(seq 1 100); do [ "$(frames_at "$(date +%s.%N)")" -gt 50 ] && break; sleep 0.2; done
t0=$(date +%s.%N); sleep 5; t1=$(date +%s.%N)
steady=$(( $(frames_at "$t1") - $(frames_at "$t0") ))
echo "  steady state through ${delay} ms + ${delay} ms of delay and $rate links: $steady frames in 5 s (25 fps sent)"
check "the edge player keeps up across the impaired links (>= 110 of 125 frames in 5 s)" [ "$steady" -ge 110 ]

read -r active _ <<<"$(intermediate_state)"
iface=$([ "$active" = a ] && echo ia0 || echo ib0)
echo "  cutting the intermediate's link to origin-$active ($iface down: no FIN)"
t_cut=$(date +%s.%N)
ip -n "$ns_i" link set "$iface" down
sleep 6
t_after=$(date +%s.%N)
stall=$(largest_gap "$t_cut" "$t_after")
resumed=$(( $(frames_at "$t_after") - $(frames_at "$(python3 -c "print($t_cut + 3.5)")") ))
echo "  stall at the edge player after the cut: ${stall} ms (idle interval $idle, $delay ms delay per tier)"
check "media resumes at the edge after the cut (frames in the last 2.5 s: $resumed)" [ "$resumed" -ge 40 ]
check "the edge player stays connected through the failover" bash -c "! grep -qE '\"event\" *: *\"(closed|error)\"' '$events'"
other=$([ "$active" = a ] && echo b || echo a)
check "the intermediate switched to origin-$other" wait_state "^$other " 5
ip -n "$ns_i" link set "$iface" up
t_up=$(date +%s)
if wait_state '^[ab] 2$' 45; then
  echo "  origin-$active rejoined the list $(( $(date +%s) - t_up )) s after its link came back"
  check "the origin whose link came back rejoins" true
else
  check "the origin whose link came back rejoins (within 45 s)" false
fi
kill -0 "$player_pid" 2>/dev/null; check "the edge player process is still running" [ $? -eq 0 ]
echo "netns-tiers: $passed passed, $failed failed (logs in $work)"
[ "$failed" -eq 0 ]
