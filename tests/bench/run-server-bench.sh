#!/usr/bin/env bash
# Server benchmark: ssemux-server next to nginx + nchan, driven by the same
# load tool (sse_load) on the same machine, printed side by side with ratios.
#
#   tests/bench/run-server-bench.sh [BUILD_DIR]      (default: build/)
#
# Scenarios (each on a freshly started server, each bounded in time):
#   fanout-1k    1,000 subscribers, 50 events/s  -> 50,000 deliveries/s
#   fanout-10k   10,000 subscribers, 5 events/s  -> 50,000 deliveries/s
#   idle-10k     10,000 idle streams: server memory per connection
#   idle-max     50,000 idle streams: the same, 5x as many
# Each fan-out runs twice per server: with the normal publisher (one request
# in flight per connection) and with a loose one (sse_load
# --pipeline-loosely: the next request is written as soon as the previous
# response's head is read, before its body is).
# Why these rates: docs/benchmarks.md ("Server"). Ceilings: run-server-saturation.sh.
#
# Needs: BUILD_DIR/tests/sse_load (a Release build with the tests on), and
# for the reference column `apt-get install nginx libnginx-mod-nchan`. Uses
# BUILD_DIR/bin/ssemux-server when it exists. Root (or a high `ulimit -Hn`)
# for 50,000 connections. Only 127.0.0.x addresses are used.
#
# Knobs (environment): SSEMUX_BENCH_DURATION (s of publishing per fan-out
# run, default 20), SSEMUX_BENCH_RATE_1K / SSEMUX_BENCH_RATE_10K (events/s,
# default 50 / 5), SSEMUX_BENCH_IDLE_MAX (largest idle run, default 50000),
# SSEMUX_SERVER_ARGS (extra ssemux-server flags), SSEMUX_SERVER_BIN (another
# ssemux-server binary), and to run a part: SSEMUX_BENCH_SCENARIOS (default
# "fanout-1k fanout-10k idle-10k idle-max"), SSEMUX_BENCH_SERVERS (default
# "ssemux nchan"), SSEMUX_BENCH_PUBLISHING (default "normal loose"). The
# loose publisher alone, both servers, ~3 minutes:
#   SSEMUX_BENCH_SCENARIOS="fanout-1k fanout-10k" SSEMUX_BENCH_PUBLISHING=loose \
#     bash tests/bench/run-server-bench.sh build
# Asserts nothing about time.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-${SSEMUX_BUILD_DIR:-$repo/build}}" && pwd)
load="$build/tests/sse_load"
server_bin=${SSEMUX_SERVER_BIN:-$build/bin/ssemux-server}
nchan_module=/usr/lib/nginx/modules/ngx_nchan_module.so
duration=${SSEMUX_BENCH_DURATION:-20}
rate_1k=${SSEMUX_BENCH_RATE_1K:-50}
rate_10k=${SSEMUX_BENCH_RATE_10K:-5}
idle_max=${SSEMUX_BENCH_IDLE_MAX:-50000}
read -r -a wanted_scenarios <<<"${SSEMUX_BENCH_SCENARIOS:-fanout-1k fanout-10k idle-10k idle-max}"
read -r -a wanted_servers <<<"${SSEMUX_BENCH_SERVERS:-ssemux nchan}"
read -r -a publishing <<<"${SSEMUX_BENCH_PUBLISHING:-normal loose}"
payload=128
# Posts in flight at once: a server busy fanning out answers posts late, and
# the offered rate should not drop because of that (sse_load tolerates the
# reordering this causes; see sse_load_seq.h).
publishers=8
# 4 source addresses x ~28k ephemeral ports each: room for 50,000 streams
# to one server port (the kernel needs a distinct 4-tuple per connection).
sources=127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5

if [ ! -x "$load" ]; then
  echo "run-server-bench: $load not built (cmake --build with SSEMUX_TESTS=ON)" >&2
  exit 1
fi

wants() { # wants WORD LIST...: is WORD in the list?
  local w=$1
  shift
  [[ " $* " == *" $w "* ]]
}

servers=()
if ! wants ssemux "${wanted_servers[@]}"; then
  :
elif [ -x "$server_bin" ]; then
  servers+=(ssemux)
else
  echo "ssemux-server not built yet ($server_bin): benchmarking nchan only"
fi
if ! wants nchan "${wanted_servers[@]}"; then
  :
elif command -v nginx >/dev/null 2>&1 && [ -f "$nchan_module" ]; then
  servers+=(nchan)
else
  echo "nginx + nchan not installed (apt-get install nginx libnginx-mod-nchan): no reference column"
fi
if [ ${#servers[@]} -eq 0 ]; then
  echo "run-server-bench: nothing to benchmark" >&2
  exit 1
fi

# One fd per connection on each side. Root may raise the hard limit (with
# CAP_SYS_RESOURCE); the servers inherit it (nginx workers cannot raise it
# themselves after dropping to nobody). Where it cannot be raised, the
# largest idle run shrinks to fit and says so.
need_fds=$((idle_max + 1000))
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt "$need_fds" ]; then
  ulimit -Hn "$need_fds" 2>/dev/null || true
fi
ulimit -n "$need_fds" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
soft=$(ulimit -n)
if [ "$soft" != unlimited ] && [ "$soft" -lt "$need_fds" ]; then
  idle_max=$((soft - 1000))
  echo "open-file limit is $soft and cannot be raised here: the largest idle run is $idle_max streams"
fi

# shellcheck source=tests/bench/server-bench-lib.sh
source "$repo/tests/bench/server-bench-lib.sh"

# run_scenario SERVER[-loose] SCENARIO CONNECTIONS RATE|idle
#   -> $tmp/SERVER[-loose]-SCENARIO.txt
run_scenario() {
  local name=${1%-loose} scenario=$2 connections=$3 rate=$4
  local out="$tmp/$1-$scenario.txt" port channel="bench-$scenario-$$"
  port=$(free_port) || return 0
  start_server "$name" "$port" "$connections" "$tmp/$name-$scenario.log" || return 0
  local args=(--url-host 127.0.0.1 --port "$port" --connections "$connections"
              --source-addrs "$sources" --server-pid "$server_pid" --connect-timeout 60)
  if [ "$name" = nchan ]; then
    args+=(--path "/sub?id=$channel" --publish-mode nchan --publish-url "/pub?id=$channel")
  else
    args+=(--path "/events?topic=$channel" --publish-mode ssemux --publish-url /publish
           --topic "$channel")
  fi
  if [ "$rate" = idle ]; then
    args+=(--idle --idle-hold-ms 3000)
  else
    args+=(--rate "$rate" --duration "$duration" --payload "$payload"
           --publishers "$publishers" --drain-ms 5000)
  fi
  if [ "$1" != "$name" ]; then
    args+=(--pipeline-loosely)
  fi
  echo "  $1 $scenario ... (load average before: $(cut -d' ' -f1 /proc/loadavg))"
  # The tool stops by itself; the timeout only guards against a wedged run.
  # In the background + wait, so an interrupt runs the cleanup at once.
  timeout --signal=KILL $((duration + 120)) "$load" "${args[@]}" >"$out" 2>"$out.err" &
  tool_pid=$!
  wait "$tool_pid" || echo "  $name $scenario: sse_load failed"
  tool_pid=""
  sed 's/^/    /' "$out.err"
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "  $name $scenario: the server exited during the run; its figures are incomplete. Its log:"
    tail -5 "$tmp/$name-$scenario.log" | sed 's/^/    /'
  fi
  stop_server
}

value() { # value FILE KEY
  if [ -f "$1" ]; then
    awk -v k="$2" '$1 == k { print $2; exit }' "$1"
  fi
}

# row LABEL SCENARIO KEY [SCALE]: one table line; for each publisher kind
# run, ssemux | nchan | ratio.
row() {
  local label=$1 scenario=$2 key=$3 scale=${4:-1} kind suffix line a b
  line=$(printf '| %-44s |' "$label")
  for kind in "${kinds[@]}"; do
    suffix=""
    [ "$kind" = normal ] || suffix=-$kind
    a=$(value "$tmp/ssemux$suffix-$scenario.txt" "$key")
    b=$(value "$tmp/nchan$suffix-$scenario.txt" "$key")
    line+=$(awk -v a="$a" -v b="$b" -v s="$scale" 'BEGIN {
      fa = a == "" ? "-" : sprintf("%.2f", a / s); fb = b == "" ? "-" : sprintf("%.2f", b / s)
      sub(/\.00$/, "", fa); sub(/\.00$/, "", fb)
      r = (a == "" || b == "" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b)
      printf " %12s | %12s | %7s |", fa, fb, r }')
  done
  echo "$line"
}

table_header() { # table_header TITLE KIND...: the columns of these publisher kinds
  printf '\n%s\n\n' "$1"
  shift
  kinds=("$@")
  local head rule kind suffix
  head=$(printf '| %-44s |' "")
  rule=$(printf '| %-44s |' ":--")
  for kind in "${kinds[@]}"; do
    suffix=""
    [ "$kind" = normal ] || suffix=" $kind"
    head+=$(printf ' %12s | %12s | %7s |' "ssemux$suffix" "nchan$suffix" "ratio")
    rule+=$(printf ' %12s | %12s | %7s |' "--:" "--:" "--:")
  done
  echo "$head"
  echo "$rule"
}

load_table() { # load_table SCENARIO TITLE
  table_header "$2" "${publishing[@]}"
  row "subscribers connected" "$1" connections_established
  row "streams closed by the server" "$1" connections_lost
  row "events published" "$1" events_published
  row "publish rate reached (events/s)" "$1" publish_rate_achieved
  row "posts sent before the last body was read" "$1" publish_pipelined
  row "posts refused (503)" "$1" publish_refused_503
  row "posts dropped (connection closed first)" "$1" publish_dropped
  row "posts unanswered after the 5 s drain" "$1" publish_unanswered
  row "publish answer p99 (ms)" "$1" publish_answer_ms_p99
  row "publish answer max (ms)" "$1" publish_answer_ms_max
  row "events delivered" "$1" events_delivered
  row "delivered events/s" "$1" delivered_per_s
  row "missing" "$1" events_missing
  row "duplicates" "$1" events_duplicate
  row "latency p50 (ms)" "$1" latency_ms_p50
  row "latency p90 (ms)" "$1" latency_ms_p90
  row "latency p99 (ms)" "$1" latency_ms_p99
  row "latency max (ms)" "$1" latency_ms_max
  row "server CPU (% of one core)" "$1" server_cpu_percent
  row "server RSS after (MiB)" "$1" server_rss_kib_after 1024
  row "load tool CPU (% of one core)" "$1" tool_cpu_percent
}

idle_table() { # idle_table SCENARIO TITLE
  table_header "$2" normal
  row "streams open" "$1" connections_open_after_hold
  row "server RSS before (MiB)" "$1" server_rss_kib_before 1024
  row "server RSS after (MiB)" "$1" server_rss_kib_after 1024
  row "RSS per connection (KiB)" "$1" server_rss_kib_per_connection
  row "PSS per connection (KiB)" "$1" server_pss_kib_per_connection
}

start_time=$(date +%s)
echo "Server benchmark: ${servers[*]}; $duration s of publishing per fan-out run."
# Scenario by scenario, the servers one after the other, so that whatever
# else the machine is doing hits both columns alike.
scenarios=()
wants fanout-1k "${wanted_scenarios[@]}" && scenarios+=("fanout-1k 1000 $rate_1k")
wants fanout-10k "${wanted_scenarios[@]}" && scenarios+=("fanout-10k 10000 $rate_10k")
wants idle-10k "${wanted_scenarios[@]}" && scenarios+=("idle-10k 10000 idle")
if wants idle-max "${wanted_scenarios[@]}" && [ "$idle_max" -gt 10000 ]; then
  scenarios+=("idle-max $idle_max idle")
fi
for scenario in "${scenarios[@]}"; do
  kinds_here=(normal)
  [[ $scenario == fanout* ]] && kinds_here=("${publishing[@]}")
  for kind in "${kinds_here[@]}"; do
    for name in "${servers[@]}"; do
      suffix=""
      [ "$kind" = normal ] || suffix=-$kind
      # shellcheck disable=SC2086
      run_scenario "$name$suffix" $scenario
    done
  done
done

echo
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores," \
     "$(uname -sr); nginx $(nginx -v 2>&1 | sed 's|.*/||') + nchan $(dpkg-query -W -f '${Version}' libnginx-mod-nchan 2>/dev/null || echo '?')"
echo "ratio = ssemux / nchan (below 1 is better for latency, CPU and memory; above 1 for throughput)"
wants fanout-1k "${wanted_scenarios[@]}" &&
  load_table fanout-1k "Fan-out: 1,000 subscribers x $rate_1k events/s ($payload-byte events, $duration s)"
wants fanout-10k "${wanted_scenarios[@]}" &&
  load_table fanout-10k "Fan-out: 10,000 subscribers x $rate_10k events/s ($payload-byte events, $duration s)"
wants idle-10k "${wanted_scenarios[@]}" && idle_table idle-10k "Idle: 10,000 streams"
if wants idle-max "${wanted_scenarios[@]}" && [ "$idle_max" -gt 10000 ]; then
  idle_table idle-max "Idle: $idle_max streams"
fi
echo
echo "Finished in $(( $(date +%s) - start_time )) s."
