#!/usr/bin/env bash
# The README's first quick-start command: installs what ssemux needs, builds
# everything into build/ (native + wasm), then runs the live demo on ONE
# port: ssemux-server (embedded store in build/demo-data, --demo) serving the
# page and SharedEventSource, plus the feed (demo/feed.mjs) publishing
# simulated matches to it. Prints the URL; Ctrl-C stops both.
#
# Environment:
#   SSEMUX_DEMO_PORT (8080)        port of the page and the API
#   SSEMUX_DEMO_HOST (127.0.0.1)   address to listen on (0.0.0.0: every interface)
#   SSEMUX_BUILD_DIR (build)       build folder
#   SSEMUX_DEMO_SKIP_BUILD=1       reuse the build as it is (no install, no build)
#   SSEMUX_JOBS (2)                parallel build jobs
#   SSEMUX_DEMO_MINUTE_MS, SSEMUX_DEMO_MATCHES, ...: the feed's (demo/feed.mjs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

port=${SSEMUX_DEMO_PORT:-8080}
host=${SSEMUX_DEMO_HOST:-127.0.0.1}
build=${SSEMUX_BUILD_DIR:-build}

if [ "${SSEMUX_DEMO_SKIP_BUILD:-0}" != 1 ]; then
  bash .ci/install-deps.sh
  cmake -S . -B "$build"
  cmake --build "$build" -j"${SSEMUX_JOBS:-2}"
fi

# --static serves one folder: the page, with the shipped SharedEventSource
# files (build/web/ssemux/) at /ssemux/ next to it. Copies, not links, so
# the server's path checks see ordinary files.
site=$build/demo-site
rm -rf "$site"
mkdir -p "$site" "$build/demo-data"
cp -R demo/page/. "$site/"
cp -R "$build/web/ssemux" "$site/ssemux"

# The feed talks to the server over loopback even when it listens on all
# interfaces.
case $host in
  0.0.0.0 | :: | '[::]') local_host=127.0.0.1 ;;
  *:*) local_host="[$host]" ;;
  *) local_host=$host ;;
esac
url="http://$local_host:$port"

server_pid=
feed_pid=
stop() {
  trap - INT TERM EXIT
  [ -n "$feed_pid" ] && kill -TERM "$feed_pid" 2>/dev/null || true
  # SIGTERM drains: every tab is told to come back soon.
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "demo: stopped"
}
trap stop INT TERM EXIT

"$build/bin/ssemux-server" --host "$host" --port "$port" --data-dir "$build/demo-data" \
  --static "$site" --demo --drain-ms 1000 &
server_pid=$!

for _ in $(seq 100); do
  curl -fsS -o /dev/null "$url/healthz" 2>/dev/null && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "demo: ssemux-server did not start (is port $port taken? set SSEMUX_DEMO_PORT)" >&2
    exit 1
  fi
  sleep 0.1
done

node demo/feed.mjs --url "$url" --quiet &
feed_pid=$!

echo
echo "  ssemux live demo: http://$local_host:$port/"
echo "  Open it in several tabs: they share ONE connection (see the badge)."
echo "  'Simulate outage' drops the connection for 8 s; or kill -9 $server_pid and run this again."
echo "  Ctrl-C stops the server and the feed."
echo

# Either one ending ends the demo.
wait -n "$server_pid" "$feed_pid" || true
