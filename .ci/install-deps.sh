#!/usr/bin/env bash
# Installs what building, testing and running ssemux needs on Debian 12.
# Idempotent: asks apt only for packages dpkg does not already list as
# installed, and runs `npm ci` only when tests/package-lock.json is newer
# than tests/node_modules. A second run on a ready machine touches nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(
  build-essential cmake pkg-config git   # the native build
  clang libclang-rt-14-dev               # libFuzzer and the clang sanitizer runtimes
  emscripten                             # the wasm core (client/wasm)
  libcurl4-openssl-dev libssl-dev        # ssecat's URL mode
  libwebsockets-dev libhiredis-dev       # the server and its Redis store
  redis-server                           # the Redis store's tests
  stunnel4                               # TLS in front of Redis (hiredis 0.14 has none; tests/node/redis-tls*)
  nginx                                  # the balancer in front of several instances (tests/node/redis-*)
  libnginx-mod-nchan                     # the peer in the server benchmarks (tests/bench/run-server-*.sh)
  chromium                               # end-to-end tests of the live page
  firefox-esr                            # the same tests in Firefox (puppeteer-core, WebDriver BiDi)
  webkit2gtk-driver xvfb                 # ... and in WebKitGTK (WebKitWebDriver + MiniBrowser under xvfb-run)
  curl ca-certificates openssl           # the server tests (curl -N, self-signed TLS)
  dpkg-dev help2man                      # the Debian package: dpkg-shlibdeps, man pages
  systemd                                # systemd-analyze verifies the packaged unit (tests/package)
)

# Node >= 18 runs `node --test`. Keep whatever Node the machine already has
# (e.g. a newer one from another source) instead of fighting it with
# Debian's package; install Debian's only when none is good enough.
node_is_recent() {
  command -v node >/dev/null 2>&1 &&
    node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'
}
node_is_recent || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update
  # Packaged daemons (nginx, redis-server) must not start at install: the
  # tests run their own on loopback ports, a container has no init to
  # manage them, and a failed start of nginx on port 80 fails its postinst.
  # policy-rc.d exit 101 = "action forbidden" (invoke-rc.d's contract).
  policy=/usr/sbin/policy-rc.d
  own_policy=false
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    own_policy=true
  fi
  status=0
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}" || status=$?
  if $own_policy; then "${sudo[@]}" rm -f "$policy"; fi
  [ "$status" -eq 0 ] || exit "$status"
fi

# The Node tests' own dependencies (from tests/package-lock.json, exactly).
lock=tests/package-lock.json
if [ -f "$lock" ] && { [ ! -d tests/node_modules ] || [ "$lock" -nt tests/node_modules ]; }; then
  echo "install-deps: npm ci in tests/"
  (cd tests && npm ci --no-audit --no-fund)
  # npm ci leaves no node_modules when there is nothing to install; the
  # directory's mtime is our "installed from this lock" stamp.
  mkdir -p tests/node_modules
  touch tests/node_modules
fi
