#!/usr/bin/env bash
# Saturation benchmark: the highest delivered events/s that ssemux-server and
# nginx + nchan sustain, side by side. run-server-bench.sh offers a fixed
# rate that both servers meet; this one raises the offered rate step by step
# (x1.5) until a server falls behind, so throughput can be compared at all.
#
#   tests/bench/run-server-saturation.sh [BUILD_DIR]   (default: build/)
#
# For 1,000 and 10,000 subscribers, each server, each step on a freshly
# started server: publish at RATE events/s for SSEMUX_SAT_DURATION s. A step
# is sustained when the publish rate reached 99 % of RATE, no stream was
# closed, the subscribers got at least 99 % of the events sent to them (by
# the end of a 3 s drain), and p99 latency stayed under SSEMUX_SAT_P99_MS.
# The first step that fails ends the climb; the figure is the best sustained
# step's events delivered / seconds of publishing. (sse_load's own
# delivered_per_s runs to the last delivery, so it reads a few % low when
# the tail lags; the latency bound covers that lag instead.)
#
# The load tool shares the machine's cores with the server: its CPU at the
# failing step is printed, and a failure with the tool near one full core
# (>= 90 %) is marked "tool-bound" (the tool, not the server, gave out).
#
# Knobs (environment): SSEMUX_SAT_DURATION (s per step, default 8),
# SSEMUX_SAT_P99_MS (default 1000), SSEMUX_SAT_START_1K / _10K (first rate,
# events/s, default 20 / 2), SSEMUX_SAT_STEPS (most steps per climb,
# default 9), SSEMUX_SAT_SIZES (default "1000 10000"), SSEMUX_SAT_SERVERS
# (default "ssemux nchan"; ssemux-redisN: N --redis --reuse-port instances
# on one redis-server, see start_cluster), SSEMUX_SAT_KEEP (a directory for
# each step's sse_load output), SSEMUX_SERVER_ARGS.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-${SSEMUX_BUILD_DIR:-$repo/build}}" && pwd)
load="$build/tests/sse_load"
server_bin="$build/bin/ssemux-server"
nchan_module=/usr/lib/nginx/modules/ngx_nchan_module.so
duration=${SSEMUX_SAT_DURATION:-8}
p99_bound=${SSEMUX_SAT_P99_MS:-1000}
start_1k=${SSEMUX_SAT_START_1K:-20}
start_10k=${SSEMUX_SAT_START_10K:-2}
max_steps=${SSEMUX_SAT_STEPS:-9}
sizes=${SSEMUX_SAT_SIZES:-"1000 10000"}
payload=128
# As many posts in flight as sse_load allows: at saturation a server answers
# posts late, and the publish side must not be what runs out first.
publishers=16
sources=127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5

if [ ! -x "$load" ]; then
  echo "run-server-saturation: $load not built (cmake --build with SSEMUX_TESTS=ON)" >&2
  exit 1
fi
servers=()
[ -x "$server_bin" ] && servers+=(ssemux)
if command -v nginx >/dev/null 2>&1 && [ -f "$nchan_module" ]; then
  servers+=(nchan)
fi
if [ -n "${SSEMUX_SAT_SERVERS:-}" ]; then
  read -r -a servers <<<"$SSEMUX_SAT_SERVERS"
fi
if [ ${#servers[@]} -eq 0 ]; then
  echo "run-server-saturation: nothing to benchmark" >&2
  exit 1
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
soft=$(ulimit -n)
tool_pid=""
# shellcheck source=tests/bench/server-bench-lib.sh
source "$repo/tests/bench/server-bench-lib.sh"

value() { # value FILE KEY
  awk -v k="$2" '$1 == k { print $2; exit }' "$1" 2>/dev/null
}

# start_cluster PORT CONNECTIONS LOG: "ssemux-redisN", the multi-core setup
# of docs/server.md: one redis-server (appendonly yes, appendfsync everysec)
# and N ssemux-server --redis --reuse-port on one port, all children of one
# shell, so server_pid (that shell) covers their CPU and memory together.
start_cluster() {
  local port=$1 connections=$2 log=$3 n=$4 rport rdir
  rport=$(free_port) || return 1
  rdir="$tmp/redis-$port"
  mkdir -p "$rdir"
  # shellcheck disable=SC2016,SC2086
  bash -c '
    trap "kill \$(jobs -p) 2>/dev/null; wait" TERM
    redis-server --port "$1" --bind 127.0.0.1 --dir "$2" --appendonly yes \
      --appendfsync everysec --save "" >"$2/redis.log" 2>&1 &
    for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && break; sleep 0.1; done
    for _ in $(seq 1 "$5"); do
      "$3" --host 127.0.0.1 --port "$4" --reuse-port --redis "redis://127.0.0.1:$1" \
        --history 100 --max-age-s 60 --heartbeat-ms 15000 --max-connections "$6" \
        --drain-ms 500 $7 &
    done
    wait' cluster "$rport" "$rdir" "$server_bin" "$port" "$n" $((connections + 1024)) \
    "${SSEMUX_SERVER_ARGS:-}" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    port_is_open "$port" && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "run-server-saturation: ssemux-redis$n did not start; its log:" >&2
  tail -20 "$log" >&2
  stop_server
  return 1
}

# step NAME SUBSCRIBERS RATE OUT: one run on a fresh server; OUT holds the
# tool's figures (empty when the server did not start).
step() {
  local name=$1 connections=$2 rate=$3 out=$4
  local port channel="sat-$connections-$$-$RANDOM"
  : >"$out"
  port=$(free_port) || return 0
  case $name in
    ssemux-redis*) start_cluster "$port" "$connections" "$out.server.log" "${name#ssemux-redis}" ||
                     return 0 ;;
    *) start_server "$name" "$port" "$connections" "$out.server.log" || return 0 ;;
  esac
  local args=(--url-host 127.0.0.1 --port "$port" --connections "$connections"
              --source-addrs "$sources" --server-pid "$server_pid" --connect-timeout 60
              --rate "$rate" --duration "$duration" --payload "$payload"
              --publishers "$publishers" --drain-ms 3000)
  if [ "$name" = nchan ]; then
    args+=(--path "/sub?id=$channel" --publish-mode nchan --publish-url "/pub?id=$channel")
  else
    args+=(--path "/events?topic=$channel" --publish-mode ssemux --publish-url /publish
           --topic "$channel")
  fi
  timeout --signal=KILL $((${duration%.*} + 120)) "$load" "${args[@]}" >"$out" 2>"$out.err" &
  tool_pid=$!
  wait "$tool_pid" || true
  tool_pid=""
  stop_server
}

# sustained OUT: events delivered per second of publishing.
sustained() {
  awk -v d="$duration" '$1 == "events_delivered" { printf "%.0f", $2 / d; exit }' "$1"
}

# verdict OUT RATE SUBSCRIBERS: "ok" or why the step failed.
verdict() {
  awk -v rate="$2" -v subs="$3" -v bound="$p99_bound" '
    { v[$1] = $2 }
    END {
      if (!("delivered_per_s" in v)) { print "no-result"; exit }
      if (v["connections_established"] + 0 < subs) { print "not-all-connected"; exit }
      if (v["connections_lost"] + 0 > 0) { print "streams-lost"; exit }
      if (v["publish_rate_achieved"] + 0 < 0.99 * rate) { print "publish-behind"; exit }
      if (v["events_delivered"] + 0 < 0.99 * v["events_expected"]) { print "delivery-behind"; exit }
      if (v["latency_ms_p99"] + 0 > bound) { print "p99>" bound "ms"; exit }
      print "ok"
    }' "$1"
}

results="$(mktemp)"
# SSEMUX_SAT_KEEP=DIR keeps every step's sse_load output there.
keep_steps() {
  if [ -n "${SSEMUX_SAT_KEEP:-}" ]; then
    mkdir -p "$SSEMUX_SAT_KEEP"
    cp "$tmp"/*.txt "$SSEMUX_SAT_KEEP"/ 2>/dev/null || true
  fi
}
trap 'keep_steps; rm -f "$results"; cleanup' EXIT
start_time=$(date +%s)
echo "Saturation: ${servers[*]}; $duration s per step, x1.5 per step, p99 bound $p99_bound ms."
echo "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
for subs in $sizes; do
  first=$start_1k
  [ "$subs" -ge 10000 ] && first=$start_10k
  for name in "${servers[@]}"; do
    rate=$first best_rate="" best_delivered=0 best_p99="-" best_cpu="-" best_tool="-"
    why="steps-exhausted" fail_tool="-"
    for i in $(seq 1 "$max_steps"); do
      out="$tmp/$name-$subs-$i.txt"
      step "$name" "$subs" "$rate" "$out"
      v=$(verdict "$out" "$rate" "$subs")
      printf '  %-13s %5s subs  rate %8s/s  offered %8.0f/s  delivered %8s/s  p99 %9s ms  server CPU %6s %%  tool CPU %6s %%  %s\n' \
        "$name" "$subs" "$rate" "$(awk -v r="$rate" -v s="$subs" 'BEGIN{print r*s}')" \
        "$(sustained "$out")" "$(value "$out" latency_ms_p99)" \
        "$(value "$out" server_cpu_percent)" "$(value "$out" tool_cpu_percent)" "$v"
      if [ "$v" != ok ]; then
        why=$v
        fail_tool=$(value "$out" tool_cpu_percent)
        if awk -v t="${fail_tool:-0}" 'BEGIN { exit !(t >= 90) }'; then
          why="$why,tool-bound"
        fi
        break
      fi
      best_rate=$rate best_delivered=$(sustained "$out")
      best_p99=$(value "$out" latency_ms_p99) best_cpu=$(value "$out" server_cpu_percent)
      best_tool=$(value "$out" tool_cpu_percent)
      rate=$(awk -v r="$rate" 'BEGIN { printf "%g", r * 1.5 }')
    done
    echo "$subs $name ${best_rate:--} $best_delivered $best_p99 $best_cpu $best_tool $why" >>"$results"
  done
done

echo
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores;" \
     "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Highest sustained step (ratio = ssemux / nchan delivered events/s):"
echo
printf '| %-11s | %-13s | %10s | %14s | %9s | %10s | %9s | %-26s |\n' subscribers server "events/s" \
  "delivered/s" "p99 (ms)" "server CPU" "tool CPU" "next step failed on"
printf '| %-11s | %-13s | %10s | %14s | %9s | %10s | %9s | %-26s |\n' --: :-- --: --: --: --: --: :--
while read -r subs name rate delivered p99 cpu tool why; do
  printf '| %-11s | %-13s | %10s | %14s | %9s | %10s | %9s | %-26s |\n' \
    "$subs" "$name" "$rate" "$delivered" "$p99" "$cpu" "$tool" "$why"
done <"$results"
echo
for subs in $sizes; do
  awk -v s="$subs" '$1 == s { d[$2] = $4 } END {
    if (d["nchan"] > 0 && d["ssemux"] != "") printf "%s subscribers: ssemux / nchan = %.2f\n", s, d["ssemux"] / d["nchan"] }' "$results"
done
echo "Finished in $(( $(date +%s) - start_time )) s."
