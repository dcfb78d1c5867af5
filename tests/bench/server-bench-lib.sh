# Shared by run-server-bench.sh and run-server-saturation.sh: starting and
# stopping a fresh ssemux-server or nginx + nchan on a free loopback port.
# The caller sets repo, server_bin, nchan_module and soft (the open-file
# limit) and sources this file; it creates $tmp and cleans up on exit.
# shellcheck shell=bash
# shellcheck disable=SC2154 # repo, server_bin, nchan_module, soft: set by the caller

tmp=$(mktemp -d)
server_pid=""
tool_pid=""

stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

cleanup() {
  if [ -n "$tool_pid" ]; then
    kill -TERM "$tool_pid" 2>/dev/null || true # timeout passes it on to sse_load
    wait "$tool_pid" 2>/dev/null || true
  fi
  stop_server
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_is_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 12000)) # below the ephemeral range (32768+)
    if ! port_is_open "$p"; then
      echo "$p"
      return 0
    fi
  done
  echo "run-server-bench: no free port found" >&2
  return 1
}

# fd_budget CONNECTIONS: file descriptors a server process should ask for,
# within what this shell may grant.
fd_budget() {
  local want=$(($1 + 1000))
  if [ "$soft" != unlimited ] && [ "$want" -gt "$soft" ]; then
    want=$soft
  fi
  echo "$want"
}

# start_server NAME PORT CONNECTIONS LOG: starts it in the background, sets
# server_pid, waits until the port accepts connections (10 s at most).
start_server() {
  local name=$1 port=$2 connections=$3 log=$4
  if [ "$name" = nchan ]; then
    local prefix="$tmp/nginx-$port"
    mkdir -p "$prefix"
    sed -e "s|@PREFIX@|$prefix|g" -e "s|@PORT@|$port|g" \
        -e "s|@NCHAN_MODULE@|$nchan_module|g" \
        -e "s|@NOFILE@|$(fd_budget "$connections")|g" \
        -e "s|@WORKER_CONNECTIONS@|$((connections + 1024))|g" \
        "$repo/tests/bench/nchan/nginx.conf.in" > "$prefix/nginx.conf"
    nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" >"$log" 2>&1 &
  else
    # History and heartbeat as configured for nchan (100 events, 15 s);
    # room for every benchmark connection.
    # shellcheck disable=SC2086
    "$server_bin" --host 127.0.0.1 --port "$port" --history 100 --max-age-s 60 \
      --heartbeat-ms 15000 --max-connections $((connections + 1024)) --drain-ms 500 \
      ${SSEMUX_SERVER_ARGS:-} >"$log" 2>&1 &
  fi
  server_pid=$!
  for _ in $(seq 1 100); do
    if port_is_open "$port"; then
      return 0
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  echo "run-server-bench: $name did not start listening on 127.0.0.1:$port; its log:" >&2
  tail -20 "$log" >&2
  stop_server
  return 1
}

