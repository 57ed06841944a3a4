#!/usr/bin/env bash
# Per-hop latency benchmark (issue 4): publisher-to-player latency directly at the origin,
# through 1 hop (origin -> edge) and through 2 hops (origin -> intermediate -> edge), for
# LiveStreamCast (lsc-relay + lsc-control with host.ini) and for nginx-rtmp pull chains, in the
# same run. The probe (lsc-latency) publishes a synthetic 25 fps stream whose frames carry their
# monotonic send time and plays it back in the same process. Prints a Markdown table.
#   bash scripts/bench-latency.sh
#   SECONDS_PER_RUN=10 PLAYERS=5 bash scripts/bench-latency.sh
#   SERVERS=nginx bash scripts/bench-latency.sh        # only nginx-rtmp (or SERVERS=lsc)
#   LSC_BIN_DIR=.build/debug bash scripts/bench-latency.sh   # use built binaries, no release build
#   RELAY_ARGS="--merge-write-min-players 0" bash scripts/bench-latency.sh   # extra lsc-relay flags on every node (here: the 40 ms merge window on every stream, as a stream of 100+ players gets it)
#   (LSC_LOG_LEVEL sets the nodes' log level, default info; logs and JSON reports stay in the work dir)
# Everything listens on 127.0.0.1; every process this script starts is stopped by PID at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${SECONDS_PER_RUN:-20}
players=${PLAYERS:-1}
servers=${SERVERS:-"lsc nginx"}
log_level=${LSC_LOG_LEVEL:-info}

# LSC_BIN_DIR: use the binaries there (e.g. .build/debug) instead of building release ones.
if [ -n "${LSC_BIN_DIR:-}" ]; then
  bin=$LSC_BIN_DIR
else
  for product in lsc-relay lsc-control lsc-latency; do swift build -c release --product "$product" >/dev/null; done
  bin=$(swift build -c release --show-bin-path)
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/lsc-bench-latency.XXXXXX")
# shellcheck source=lib/processes.sh
source scripts/lib/processes.sh  # (the script has cd-ed to the repository root)

wait_port() { # port: bounded wait until something listens
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench-latency: nothing listens on $1; logs in $work" >&2
  exit 1
}

free_port() { # a port nothing listens on, from a random start
  local port=$((20000 + RANDOM % 20000))
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# A chain: publish at $1, play at $2; prints one table row.
measure() { # server path publish-url play-url
  local server=$1 path=$2 report
  report=$(timeout $((seconds + 30)) "$bin/lsc-latency" --publish "$3" --play "$4" --players "$players" \
    --duration "$seconds" --play-delay 1 --warmup 2 --gap-events-ms 100 2>>"$work/probe-$server-${path%% *}.log") || report='{}'
  echo "$report" >>"$work/reports.jsonl"
  python3 - "$server" "$path" "$report" <<'PY'
import json, sys
server, path, report = sys.argv[1], sys.argv[2], json.loads(sys.argv[3] or "{}")
if not report.get("count"):
    print(f"| {server} | {path} | no samples | | | | | | | {', '.join(report.get('errors', [])) or 'see probe-*.log'} |")
else:
    print(f"| {server} | {path} | {report['count']} | {report['p50']:.2f} | {report['p90']:.2f} | {report['p99']:.2f} "
          f"| {report['max']:.2f} | {report['lost']} | {report['lostInWarmup']} | {report['playersStillOpen']}/{report['players']} |")
PY
}

echo "| server | path | samples | p50 ms | p90 ms | p99 ms | max ms | lost | lost in first 2 s | players open at end |"
echo "|---|---|---|---|---|---|---|---|---|---|"

# --- LiveStreamCast: origin, an edge on the origin, an intermediate on the origin, an edge on it.
if [[ " $servers " == *" lsc "* ]]; then
  if ! "$bin/lsc-control" --help 2>&1 | grep -q -- --host-ini; then
    echo "| lsc | (skipped: this lsc-control has no --host-ini yet) | | | | | | | | |"
  else
    o=$(free_port); hub=$(free_port); e1=$(free_port); e2=$(free_port)
    node() { # name role rtmp-port [host.ini line]
      local name=$1 role=$2 port=$3 line=${4:-} http
      http=$(free_port)
      mkdir -p "$work/$name"
      start "$name-relay" "$bin/lsc-relay" --role "$role" --rtmp "127.0.0.1:$port" --http off --control-socket "$work/$name/control.sock" \
        --media "$work/$name/media" --dvr off --log-level "$log_level" ${RELAY_ARGS:-}
      local control=("$bin/lsc-control" --role "$role" --http "127.0.0.1:$http" --control-socket "$work/$name/control.sock"
        --media "$work/$name/media" --log-level "$log_level")
      if [ -n "$line" ]; then
        echo "$line" >"$work/$name/host.ini"
        control+=(--host-ini "$work/$name/host.ini" --idle-interval 1)
      fi
      start "$name-control" "${control[@]}"
      wait_port "$port"
      echo "$name $http" >>"$work/lsc-admin-ports.txt"
    }
    snapshot() { # after a path: every node's topology, for the record
      local name http
      while read -r name http; do
        curl -s --max-time 2 "http://127.0.0.1:$http/api/v1/topology" >"$work/$name/topology-after-$1.json" || true
      done <"$work/lsc-admin-ports.txt"
    }
    node lsc-origin origin "$o"
    node lsc-edge1 edge "$e1" "o 127.0.0.1:$o;127.0.0.1:$o livestreamcast_origin"
    node lsc-intermediate intermediate "$hub" "o 127.0.0.1:$o;127.0.0.1:$o livestreamcast_origin"
    node lsc-edge2 edge "$e2" "i 127.0.0.1:$hub;127.0.0.1:$hub livestreamcast_intermediate"
    # Bounded wait until every upstream group of every node is connected.
    groups_connected() {
      local name http
      while read -r name http; do
        curl -s --max-time 2 "http://127.0.0.1:$http/api/v1/topology" | python3 -c '
import json, sys
try: groups = json.load(sys.stdin).get("groups", [])
except ValueError: sys.exit(1)
sys.exit(0 if all(g.get("state") == "connected" for g in groups) else 1)' || return 1
      done <"$work/lsc-admin-ports.txt"
    }
    connected=no
    for _ in $(seq 1 40); do
      if groups_connected; then connected=yes; break; fi
      sleep 0.5
    done
    if [ "$connected" = no ]; then
      snapshot start
      echo "| lsc-relay | (note: an upstream group was still not connected 20 s after start; see $work/*/topology-after-start.json) | | | | | | | | |"
    fi
    measure lsc-relay "direct (origin)" "rtmp://127.0.0.1:$o/livestreamcast_origin/direct" "rtmp://127.0.0.1:$o/livestreamcast_origin/direct"
    snapshot direct
    measure lsc-relay "1 hop (origin → edge)" "rtmp://127.0.0.1:$o/livestreamcast_origin/hop1" "rtmp://127.0.0.1:$e1/livestreamcast_edge/hop1"
    snapshot hop1
    measure lsc-relay "2 hops (origin → intermediate → edge)" "rtmp://127.0.0.1:$o/livestreamcast_origin/hop2" "rtmp://127.0.0.1:$e2/livestreamcast_edge/hop2"
    snapshot hop2
  fi
fi

# --- nginx-rtmp: the same chain with `pull` in the downstream applications.
if [[ " $servers " == *" nginx "* ]]; then
  nginx_node() { # name port app [pull-url]
    local name=$1 port=$2 app=$3 pull=${4:-}
    mkdir -p "$work/$name/logs"
    cat >"$work/$name/nginx.conf" <<NGINX
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
worker_processes 1;
daemon off;
master_process off;
pid $work/$name/nginx.pid;
error_log $work/$name/error.log warn;
events { worker_connections 1024; }
rtmp { server { listen 127.0.0.1:$port; chunk_size 4096;
  application $app { live on; ${pull:+pull $pull;} } } }
NGINX
    start "$name" nginx -c "$work/$name/nginx.conf" -p "$work/$name"
    wait_port "$port"
  }
  o=$(free_port); nginx_node nginx-origin "$o" livestreamcast_origin
  e1=$(free_port); nginx_node nginx-edge1 "$e1" livestreamcast_edge "rtmp://127.0.0.1:$o/livestreamcast_origin"
  hub=$(free_port); nginx_node nginx-intermediate "$hub" livestreamcast_intermediate "rtmp://127.0.0.1:$o/livestreamcast_origin"
  e2=$(free_port); nginx_node nginx-edge2 "$e2" livestreamcast_edge "rtmp://127.0.0.1:$hub/livestreamcast_intermediate"
  measure nginx-rtmp "direct (origin)" "rtmp://127.0.0.1:$o/livestreamcast_origin/direct" "rtmp://127.0.0.1:$o/livestreamcast_origin/direct"
  measure nginx-rtmp "1 hop (origin → edge)" "rtmp://127.0.0.1:$o/livestreamcast_origin/hop1" "rtmp://127.0.0.1:$e1/livestreamcast_edge/hop1"
  measure nginx-rtmp "2 hops (origin → intermediate → edge)" "rtmp://127.0.0.1:$o/livestreamcast_origin/hop2" "rtmp://127.0.0.1:$e2/livestreamcast_edge/hop2"
fi
echo
echo "bench-latency: $seconds s per path, $players player(s), 25 fps, first 2 s of each player left out; raw reports and logs in $work"
