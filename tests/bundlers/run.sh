#!/usr/bin/env bash
# The bundlers stage (tests/run.sh): ssemux as a user's bundled app gets it.
#   1. the npm tarball, made the documented way (cmake --build BUILD --target npm_package)
#   2. the five bundlers from package-lock.json (npm ci; skipped while the
#      lock is older than the last install)
#   3. the tarball installed into tests/bundlers/node_modules (no save: the
#      lock names only the bundlers, the tarball changes with every build)
#   4. tsc --strict on types/: SharedEventSource is an EventSource, events stay typed
#   5. node --test bundlers.test.mjs: each bundler's production build in Chromium
# Usage: bash tests/bundlers/run.sh [BUILD-DIR]   (default: build)
# SSEMUX_BUNDLERS=vite,webpack limits step 5 to some bundlers.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "$repo/${1:-build}" && pwd)
cd "$repo/tests/bundlers"

# Vite 8 and webpack-cli 7 need it (their "engines"); say so instead of a stack trace.
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  { echo "bundlers: Node >= 20.19 needed (Vite 8), found $(node --version)" >&2; exit 1; }

cmake --build "$build" --target npm_package
version=$(node -p "require('$repo/worker/package.json').version")
tarball=$build/ssemux-$version.tgz
[ -f "$tarball" ] || { echo "bundlers: npm_package made no $tarball" >&2; exit 1; }

stamp=node_modules/.installed-from-lock
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  npm ci --no-audit --no-fund
  touch "$stamp"
fi
npm install --no-save --offline --no-audit --no-fund "$tarball"

node_modules/.bin/tsc -p types
echo "ok   tsc --strict: SharedEventSource is assignable to EventSource; custom events stay typed"
node --test --test-concurrency=1 bundlers.test.mjs
