# Sourced by the benchmark scripts: start processes in the background with their output in
# "$work/<name>.log", remember their PIDs, and stop exactly those (TERM, then KILL after 5 s) when
# the script exits. Needs $work (a directory) set by the caller.
pids=()
started=

cleanup() {
  local pid
  # CONT first: a process the script froze with SIGSTOP must be able to act on TERM.
  for pid in "${pids[@]}"; do kill -CONT "$pid" 2>/dev/null || true; kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT

start() { # log name, then the command; the PID goes to $started
  local name=$1; shift
  "$@" >>"$work/$name.log" 2>&1 &
  started=$!
  pids+=("$started")
}
