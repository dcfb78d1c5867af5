# The run checks of smoke.sh (sourced; needs lib.sh): the ssemux-server and
# ssecat unpacked from the .deb, on a loopback port, talking to each other.

# server_start BIN DATA_DIR LOG ARGS...: sets SERVER_PID and PORT.
server_start() {
  local bin=$1 data=$2 log=$3
  shift 3
  "$bin" --host 127.0.0.1 --port 0 --data-dir "$data" --heartbeat-ms 1000 "$@" 2>"$log" &
  SERVER_PID=$!
  wait_for 30 "ssemux-server to print 'listening on' (log: $log)" \
    grep -q 'listening on http://127.0.0.1:[0-9]' "$log"
  PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n 1)
  [ -n "$PORT" ] || fail "no port in: $(cat "$log")"
}

# server_stop: SIGTERM drains; the documented exit status is 0.
server_stop() {
  kill -TERM "$SERVER_PID"
  wait_exit "$SERVER_PID" 30 ssemux-server
  SERVER_PID=
  expect_equal "ssemux-server exits 0 after SIGTERM (drain)" 0 "$EXIT_STATUS"
}

streams_open() { # N: the server counts N open event streams
  curl -fsS "http://127.0.0.1:$PORT/metrics" | grep -qx "ssemux_connections $1"
}

publish() { # TOPIC TYPE DATA: prints the event ID
  local reply
  reply=$(curl -fsS --data-urlencode "topic=$1" --data-urlencode "type=$2" \
    --data-urlencode "data=$3" "http://127.0.0.1:$PORT/publish") ||
    fail "POST /publish to the unpacked server failed"
  sed -n 's/.*"id":"\([^"]*\)".*/\1/p' <<<"$reply"
}

# installed_run ROOT WORK: live delivery, replay by Last-Event-ID, the log
# surviving a restart, and the web bundle under --static.
installed_run() {
  local root=$1 work=$2 server=$1/usr/bin/ssemux-server ssecat=$1/usr/bin/ssecat
  local out=$work/ssecat.out err=$work/ssecat.err reader id1 id2 id3 expected got
  mkdir -p "$work/data"
  server_start "$server" "$work/data" "$work/server.log" --static "$root/usr/share/ssemux/web"
  ok "unpacked ssemux-server listens on 127.0.0.1:$PORT"
  expect_contains "GET /healthz" "$(curl -fsS "http://127.0.0.1:$PORT/healthz")" '"ok"'

  "$ssecat" --max-events 3 --timeout 30 "http://127.0.0.1:$PORT/events?topic=smoke" >"$out" 2>"$err" &
  reader=$!
  wait_for 30 "the unpacked ssecat's stream to open (server metrics)" streams_open 1
  id1=$(publish smoke goal '1:0 home')
  id2=$(publish smoke message 'line one
line two')
  id3=$(publish smoke card 'yellow #7')
  if [ -z "$id1" ] || [ -z "$id2" ] || [ -z "$id3" ]; then
    fail "publish answered without IDs: '$id1' '$id2' '$id3'"
  fi
  wait_exit "$reader" 30 "ssecat --max-events 3"
  [ "$EXIT_STATUS" = 0 ] || fail "ssecat exited $EXIT_STATUS: $(cat "$err")"
  expected="{\"type\":\"goal\",\"data\":\"1:0 home\",\"id\":\"$id1\"}
{\"type\":\"message\",\"data\":\"line one\\nline two\",\"id\":\"$id2\"}
{\"type\":\"card\",\"data\":\"yellow #7\",\"id\":\"$id3\"}"
  expect_equal "unpacked ssecat --max-events 3 prints the 3 published events" "$expected" "$(cat "$out")"

  got=$(curl -fsS "http://127.0.0.1:$PORT/ssemux/ssemux.wasm" | cmp - "$root/usr/share/ssemux/web/ssemux/ssemux.wasm" && echo same)
  expect_equal "--static /usr/share/ssemux/web serves the packaged ssemux.wasm" same "$got"
  server_stop

  # The event log in --data-dir: a new process replays what the old one took.
  server_start "$server" "$work/data" "$work/server2.log"
  "$ssecat" --max-events 2 --timeout 30 -q --last-event-id "$id1" \
    "http://127.0.0.1:$PORT/events?topic=smoke" >"$out" 2>"$err" || fail "ssecat replay: $(cat "$err")"
  expect_equal "after a restart, Last-Event-ID $id1 replays the next two from the log" \
    "$(sed -n 2,3p <<<"$expected")" "$(cat "$out")"
  server_stop
}
