#!/usr/bin/env bash
# Builds both release artifacts from a CMake build directory, installs them
# in a scratch location and runs the INSTALLED copies, so a broken package
# cannot ship:
#   - the Debian package (cpack -G DEB): metadata, Depends, files and modes,
#     the systemd unit (systemd-analyze verify), man pages; unpacked with
#     dpkg-deb -x (the real system is never touched) and run: the unpacked
#     ssemux-server on a loopback port, the unpacked ssecat reading from it;
#   - the npm package (npm pack in worker/): contents and imports, then
#     npm install <tarball> into a scratch project and, in Node, the package
#     imported by name: exports, .d.ts files, the wasm core parsing a stream.
# Usage: bash tests/package/smoke.sh BUILD_DIR    (a configured, built tree
# with SSEMUX_WASM on; missing targets are built first)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$repo/tests/package
. "$repo/tests/lib/prerequisites.sh"
. "$here/lib.sh"
. "$here/deb.sh"
. "$here/installed-run.sh"
. "$here/npm.sh"

[ $# -eq 1 ] || fail "usage: bash tests/package/smoke.sh BUILD_DIR"
build=$(cd "$1" 2>/dev/null && pwd) || fail "no build directory $1"
[ -f "$build/CPackConfig.cmake" ] || fail "$build has no CPackConfig.cmake: configure it with cmake -S $repo -B $build"
need cmake cpack dpkg dpkg-deb readelf ldd ldconfig curl node npm tar gzip cmp

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[ -n "$version" ] || fail "no CMAKE_PROJECT_VERSION in $build/CMakeCache.txt"
grep -qx 'SSEMUX_WASM:BOOL=ON' "$build/CMakeCache.txt" ||
  fail "$build was configured with SSEMUX_WASM=OFF: both packages need the wasm core"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ssemux-package.XXXXXX")
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${SSEMUX_KEEP_SMOKE_DIR:-}" = 1 ]; then
    echo "kept $TMP"
  else
    rm -rf "$TMP"
  fi
}
trap cleanup EXIT
echo "package smoke test of $build (version $version), scratch dir $TMP"

echo "--- Debian package"
mkdir -p "$TMP/deb"
deb_build "$build" "$TMP/deb"
deb_check_files "$DEB" "$TMP/root"
deb_check_metadata "$DEB" "$version" "$TMP/root"
deb_check_unit "$TMP/root"
deb_check_binaries "$TMP/root" "$version"
deb_check_settings "$TMP/root"
installed_run "$TMP/root" "$TMP/run"

echo "--- npm package"
mkdir -p "$TMP/npm"
npm_build "$repo" "$build/web/ssemux" "$TMP/npm"
npm_check_contents "$TARBALL" "$version"
npm_publish_dry_run "$repo" "$build/web/ssemux" "$TMP/npm"
npm_install_and_run "$TARBALL" "$repo" "$TMP/npm"

echo "package smoke test passed: $(basename "$DEB"), $(basename "$TARBALL")"
