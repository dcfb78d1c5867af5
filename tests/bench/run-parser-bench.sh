#!/bin/sh
# Parser benchmark, everything side by side in one run: the native C parser,
# the wasm core in Node, and eventsource-parser, on the same corpora.
#
#   tests/bench/run-parser-bench.sh [BUILD_DIR]      (default: build/)
#
# Needs a Release build (cmake -S . -B build && cmake --build build) with the
# tests on (native_parser_bench) and the wasm on, and `npm ci` in tests/.
# Prints figures and ratios; asserts nothing about time.
# SSEMUX_BENCH_BASELINE_WEB_DIR=DIR adds the wasm build in DIR (its
# ssemux.wasm + ssemux-core.js, e.g. a copy of build/web/ssemux made before a
# change), interleaved with the others: before/after in one run.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-${SSEMUX_BUILD_DIR:-$repo/build}}" && pwd)
native="$build/tests/native_parser_bench"
web="${SSEMUX_WEB_DIR:-$build/web/ssemux}"

if [ ! -f "$web/ssemux.wasm" ]; then
  echo "run-parser-bench: no $web/ssemux.wasm: build with -DSSEMUX_WASM=ON first" >&2
  exit 1
fi
if [ ! -d "$repo/tests/node_modules/eventsource-parser" ]; then
  echo "run-parser-bench: eventsource-parser is missing: run (cd tests && npm ci)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

node "$repo/tests/bench/parser-bench.mjs" write-corpora "$tmp"
if [ -x "$native" ]; then
  "$native" "$tmp" > "$tmp/native.tsv"
else
  echo "run-parser-bench: $native not built (SSEMUX_TESTS=OFF?): native column left out" >&2
fi
SSEMUX_WEB_DIR="$web" node "$repo/tests/bench/parser-bench.mjs" run "$tmp" "$tmp/native.tsv"
