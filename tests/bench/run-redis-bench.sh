#!/usr/bin/env bash
# Redis store benchmark: the embedded store on one instance next to the
# Redis store on 1, 2 and 3 instances, same subscribers and offered load,
# driven by the server benchmark's load tool (sse_load), printed side by side.
#
#   tests/bench/run-redis-bench.sh [BUILD_DIR]      (default: build/)
#
# Layout of a run with N instances (each a fresh ssemux-server --redis on
# one fresh redis-server): SUBSCRIBERS/N streams on each instance, each
# instance's streams on a topic of their own, one sse_load per instance
# publishing RATE events/s to that topic THROUGH THE NEXT INSTANCE (i+1 mod
# N), so with N > 1 every measured event crosses Redis from one instance to
# another. Offered deliveries are SUBSCRIBERS x RATE per second whatever N.
# The embedded column is one ssemux-server without --redis, as in
# run-server-bench.sh.
#
# Needs: BUILD_DIR/tests/sse_load and BUILD_DIR/bin/ssemux-server (a
# Release build), redis-server. Asserts nothing about time.
# Knobs: SSEMUX_BENCH_DURATION (s, default 10), SSEMUX_BENCH_SUBSCRIBERS
# (default 1000), SSEMUX_BENCH_RATES (events/s per topic, default "50 200"),
# SSEMUX_BENCH_APPENDFSYNC (Redis AOF policy, default everysec),
# SSEMUX_BENCH_CASES (default "embedded-1 redis-1 redis-2 redis-3"),
# SSEMUX_BENCH_RAW (a directory: keep each sse_load's and server's output there),
# SSEMUX_SERVER_ARGS (extra ssemux-server flags, after the defaults).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-${SSEMUX_BUILD_DIR:-$repo/build}}" && pwd)
load="$build/tests/sse_load"
server_bin="$build/bin/ssemux-server"
duration=${SSEMUX_BENCH_DURATION:-10}
subscribers=${SSEMUX_BENCH_SUBSCRIBERS:-1000}
rates=${SSEMUX_BENCH_RATES:-50 200}
appendfsync=${SSEMUX_BENCH_APPENDFSYNC:-everysec}
payload=128
publishers=4

for need in "$load" "$server_bin"; do
  [ -x "$need" ] || { echo "run-redis-bench: $need not built" >&2; exit 1; }
done
command -v redis-server >/dev/null || { echo "run-redis-bench: redis-server not installed" >&2; exit 1; }
ulimit -n "$((subscribers * 2 + 2000))" 2>/dev/null || true

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "${SSEMUX_BENCH_RAW:-}" ]; then mkdir -p "$SSEMUX_BENCH_RAW" && cp "$tmp"/*.txt "$tmp"/*.err "$tmp"/*.log "$SSEMUX_BENCH_RAW"/ 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_is_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 12000))
    port_is_open "$p" || { echo "$p"; return 0; }
  done
  echo "run-redis-bench: no free port" >&2
  return 1
}
wait_port() { # wait_port PORT PID
  for _ in $(seq 1 100); do
    port_is_open "$1" && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}

# run_case NAME INSTANCES RATE STORE(embedded|redis) -> $tmp/NAME.i.txt per instance
run_case() {
  local name=$1 n=$2 rate=$3 store=$4 i
  local ports=() spids=() redis_args=()
  if [ "$store" = redis ]; then
    local rport rdir
    rport=$(free_port)
    rdir="$tmp/redis-$name"
    mkdir -p "$rdir"
    redis-server --port "$rport" --bind 127.0.0.1 --dir "$rdir" --appendonly yes \
      --appendfsync "$appendfsync" --save '' >"$tmp/$name.redis.log" 2>&1 &
    pids+=($!)
    wait_port "$rport" $! || { echo "  $name: redis-server did not start" >&2; return 0; }
    redis_args=(--redis "redis://127.0.0.1:$rport")
  fi
  for i in $(seq 0 $((n - 1))); do
    ports+=("$(free_port)")
    # shellcheck disable=SC2086
    "$server_bin" --host 127.0.0.1 --port "${ports[$i]}" --history 100 --max-age-s 60 \
      --heartbeat-ms 15000 --max-connections $((subscribers + 1024)) --drain-ms 500 \
      "${redis_args[@]}" ${SSEMUX_SERVER_ARGS:-} >"$tmp/$name.server$i.log" 2>&1 &
    spids+=($!)
    pids+=($!)
    wait_port "${ports[$i]}" $! || { echo "  $name: ssemux-server did not start" >&2; tail -3 "$tmp/$name.server$i.log" >&2; stop_all; return 0; }
  done
  echo "  $name ... (load average before: $(cut -d' ' -f1 /proc/loadavg))"
  local tools=()
  for i in $(seq 0 $((n - 1))); do
    local next=$(((i + 1) % n)) topic="bench-$name-$i"
    timeout --signal=KILL $((duration + 120)) "$load" --url-host 127.0.0.1 --port "${ports[$i]}" \
      --connections $((subscribers / n)) --path "/events?topic=$topic" --topic "$topic" \
      --publish-mode ssemux --publish-url "http://127.0.0.1:${ports[$next]}/publish" \
      --rate "$rate" --duration "$duration" --payload "$payload" --publishers "$publishers" \
      --drain-ms 5000 --server-pid "${spids[$i]}" >"$tmp/$name.$i.txt" 2>"$tmp/$name.$i.err" &
    tools+=($!)
  done
  for t in "${tools[@]}"; do wait "$t" || echo "  $name: an sse_load run failed"; done
  # Events a stream lost to history trimming are announced (ssemux-gap),
  # not delivered: sse_load counts them missing; the server counts notices.
  for i in $(seq 0 $((n - 1))); do
    curl -s "http://127.0.0.1:${ports[$i]}/metrics" |
      awk '$1 == "ssemux_gap_events_total" { print "server_gap_events", $2 }' >>"$tmp/$name.$i.txt"
  done
  stop_all
}

value() { awk -v k="$2" '$1 == k { print $2; exit }' "$1" 2>/dev/null; }

# agg NAME N KEY sum|max: the figure over the case's instances.
agg() {
  local name=$1 n=$2 key=$3 how=$4 i out=""
  for i in $(seq 0 $((n - 1))); do out="$out $(value "$tmp/$name.$i.txt" "$key")"; done
  echo "$out" | awk -v how="$how" '{ s = 0; m = 0; c = 0
    for (i = 1; i <= NF; i++) { if ($i == "") continue; c++; s += $i; if ($i > m) m = $i }
    if (!c) { print "-"; exit }
    v = how == "sum" ? s : m; printf (v == int(v) ? "%d" : "%.2f"), v }'
}

start_time=$(date +%s)
echo "Redis store benchmark: $subscribers subscribers, rates: $rates events/s per topic, $duration s each, Redis appendfsync $appendfsync"
wanted=${SSEMUX_BENCH_CASES:-embedded-1 redis-1 redis-2 redis-3}
for rate in $rates; do
  for c in $wanted; do
    run_case "$c-r$rate" "${c##*-}" "$rate" "${c%-*}"
  done
done

echo
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(uname -sr); $(redis-server --version | cut -d' ' -f1-3)"
for rate in $rates; do
  printf '\n%s\n\n' "$subscribers subscribers, $rate events/s per topic ($((subscribers * rate)) deliveries/s offered), $payload-byte events, $duration s"
  printf '| %-34s | %10s | %10s | %10s | %10s |\n' "" "embedded 1" "redis 1" "redis 2" "redis 3"
  printf '| %-34s | %10s | %10s | %10s | %10s |\n' ":--" "--:" "--:" "--:" "--:"
  for spec in "subscribers connected:connections_established:sum" \
              "streams closed by the server:connections_lost:sum" \
              "events published:events_published:sum" "delivered events/s:delivered_per_s:sum" \
              "missing:events_missing:sum" "duplicates:events_duplicate:sum" \
              "gap notices sent (server):server_gap_events:sum" \
              "latency p50 (ms, worst instance):latency_ms_p50:max" \
              "latency p99 (ms, worst instance):latency_ms_p99:max" \
              "latency max (ms):latency_ms_max:max" \
              "server CPU (% of a core, all):server_cpu_percent:sum"; do
    IFS=: read -r label key how <<<"$spec"
    row=$(printf '| %-34s |' "$label")
    for c in "embedded-1-r$rate:1" "redis-1-r$rate:1" "redis-2-r$rate:2" "redis-3-r$rate:3"; do
      row="$row $(printf '%10s' "$(agg "${c%%:*}" "${c##*:}" "$key" "$how")") |"
    done
    echo "$row"
  done
done
echo
echo "Finished in $(( $(date +%s) - start_time )) s."
