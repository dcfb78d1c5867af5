#!/usr/bin/env bash
# Runs every ssemux test, in stages:
#   deps        .ci/install-deps.sh (apt packages, npm ci in tests/)
#   build       Release build into build/ (native + wasm, tests on: forced,
#               whatever an earlier configure cached)
#   unit        ctest in build/ (tests/unit; no tests found is a failure)
#   node        node --test tests/node/ (the wasm build against the shared cases,
#               ssecat, the hub with fakes, the real server binary, several
#               instances on a real redis-server behind nginx)
#   hostile     node --test tests/hostile/ (the real server against 72 hostile
#               requests, 10,000 half-open connections, while 20 honest
#               subscribers and a publisher must lose nothing)
#   e2e         node --test tests/e2e/ (Playwright + Debian's Chromium: the hub
#               in real tabs against a real server)
#   bundlers    tests/bundlers/run.sh: the npm tarball in a production build
#               by Vite, webpack, Parcel, Rollup and esbuild, in Chromium
#   engines     tests/e2e/engines/ (the differential EventSource suite, tab
#               sharing, kill -9, the forced fallbacks) again in Firefox ESR
#               (puppeteer-core, WebDriver BiDi) and WebKitGTK (WebKitWebDriver
#               under xvfb-run); e2e ran them in Chromium
#   package     tests/package/smoke.sh: builds the .deb (cpack) and the npm
#               package, installs both in a scratch dir and smoke-tests the
#               installed copies
#   asan        ASan+UBSan build into build-asan/ and ctest there
#   fuzz-build  libFuzzer build into build-fuzz/ (clang)
#   fuzz        every libFuzzer target the build defines (the one list in
#               tests/fuzz/CMakeLists.txt, written to build-fuzz/fuzz-targets.txt)
#               on a copy of its seed corpus tests/fuzz/corpus-<target>/:
#               fuzz_parser for SSEMUX_FUZZ_SECONDS (default 60), each server
#               target for SSEMUX_FUZZ_SERVER_SECONDS (default 30)
#               (fuzz_http_stream: whole HTTP/1.1 byte streams through an
#               in-process server); a crash in any, a target without a
#               corpus or a corpus without a target fails the stage
# A failed stage does not stop the run, so the closing "N passed, M failed"
# line always counts every stage; a stage whose prerequisite failed counts as
# failed without running. Exits nonzero if any stage failed.
# Under CI=true a missing tool (redis-server, nginx, stunnel, Chromium, ...)
# fails its tests; elsewhere they skip with a "*** SKIPPED ... ***" line
# (tests/lib/prerequisites.mjs and .sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fuzz_seconds=${SSEMUX_FUZZ_SECONDS:-60}
fuzz_server_seconds=${SSEMUX_FUZZ_SERVER_SECONDS:-30}
jobs=${SSEMUX_JOBS:-2}

passed=0
failed=0
declare -A result=()
report=()

# run_stage NAME PREREQUISITE|- COMMAND...
run_stage() {
  local name=$1 needs=$2 start status
  shift 2
  echo
  echo "=== stage $name: $*"
  if [ "$needs" != - ] && [ "${result[$needs]:-}" != pass ]; then
    echo "=== stage $name: FAILED (not run: $needs did not pass)"
    result[$name]=fail
    failed=$((failed + 1))
    report+=("$(printf '%-10s FAIL  (not run: %s did not pass)' "$name" "$needs")")
    return 0
  fi
  start=$SECONDS
  set +e
  (set -e; "$@")
  status=$?
  set -e
  local took=$((SECONDS - start))
  if [ $status -eq 0 ]; then
    result[$name]=pass
    passed=$((passed + 1))
    report+=("$(printf '%-10s pass  %4ds' "$name" "$took")")
    echo "=== stage $name: passed in ${took}s"
  else
    result[$name]=fail
    failed=$((failed + 1))
    report+=("$(printf '%-10s FAIL  %4ds  (exit %d)' "$name" "$took" "$status")")
    echo "=== stage $name: FAILED in ${took}s (exit $status)"
  fi
}

configure_and_build() { # DIR CMAKE-ARGS...
  local dir=$1
  shift
  cmake -S . -B "$dir" "$@"
  cmake --build "$dir" -j"$jobs"
}

run_ctest() { # DIR
  (cd "$1" && ctest --output-on-failure --no-tests=error -j"$jobs")
}

build_and_test_sanitized() {
  configure_and_build build-asan -DSSEMUX_SANITIZE=ON -DSSEMUX_WASM=OFF -DSSEMUX_TESTS=ON
  run_ctest build-asan
}

build_fuzzer() {
  CC=clang configure_and_build build-fuzz \
    -DSSEMUX_FUZZ=ON -DSSEMUX_WASM=OFF -DSSEMUX_TESTS=OFF -DSSEMUX_SANITIZE=OFF
}

# fuzz_target NAME SEED-DIR SECONDS [DICT]: fuzzes a fresh copy of the seed
# corpus, so the checked-in seeds stay small and reviewed; a crash leaves its
# input in build-fuzz/artifacts/NAME/ and is reported with how to replay it.
fuzz_target() {
  local name=$1 seeds=$2 seconds=$3 dict=${4:-}
  local corpus=build-fuzz/corpus/$name artifacts=build-fuzz/artifacts/$name
  local log=build-fuzz/$name.log status=0
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  cp "$seeds"/* "$corpus"/
  echo "--- $name for ${seconds}s (log: $log)"
  build-fuzz/bin/"$name" -max_len=4096 -max_total_time="$seconds" -timeout=10 \
    ${dict:+-dict="$dict"} -artifact_prefix="$artifacts/" -print_final_stats=1 \
    "$corpus" >"$log" 2>&1 || status=$?
  if [ $status -eq 0 ]; then
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || tail -n 5 "$log"
    return 0
  fi
  tail -n 60 "$log"
  local input
  input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
  echo "$name failed (exit $status); reproduce with: build-fuzz/bin/$name ${input:-$artifacts/<file>}"
  return 1
}

# 10,000 half-open connections need that many descriptors on our side too.
hostile_suite() {
  ulimit -n "$(ulimit -Hn)"
  node --test tests/hostile/
}

# Both engines run even after one fails, so one run reports both.
run_other_engines() {
  local engine status=0
  for engine in firefox webkit; do
    echo "--- tests/e2e/engines/ in $engine"
    SSEMUX_E2E_ENGINE=$engine node --test --test-concurrency=1 tests/e2e/engines/ || status=1
  done
  return $status
}

# Every target the build lists runs, even after one fails, so one run
# reports all crashes; a target without seeds, or seeds without a target,
# fails too.
run_fuzzer() {
  local failed_targets=() targets=() dir name seeds dict seconds
  mapfile -t targets < build-fuzz/fuzz-targets.txt
  [ ${#targets[@]} -gt 0 ] || { echo "build-fuzz/fuzz-targets.txt lists no target"; return 1; }
  for dir in tests/fuzz/corpus-*/; do
    name=$(basename "$dir")
    name=${name#corpus-}
    printf '%s\n' "${targets[@]}" | grep -qx "$name" ||
      { echo "$dir: no fuzz target $name in tests/fuzz/CMakeLists.txt"; failed_targets+=("$name"); }
  done
  for name in "${targets[@]}"; do
    seeds=tests/fuzz/corpus-$name
    if ! compgen -G "$seeds/*" >/dev/null; then
      echo "$name: no seed corpus in $seeds/"
      failed_targets+=("$name")
      continue
    fi
    dict=tests/fuzz/$name.dict
    [ -f "$dict" ] || dict=
    seconds=$fuzz_server_seconds
    if [ "$name" = fuzz_parser ]; then seconds=$fuzz_seconds; fi
    fuzz_target "$name" "$seeds" "$seconds" "$dict" || failed_targets+=("$name")
  done
  if [ ${#failed_targets[@]} -gt 0 ]; then
    echo "fuzz targets that failed: ${failed_targets[*]}"
    return 1
  fi
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_stage deps       -          bash .ci/install-deps.sh
run_stage build      deps       configure_and_build build -DSSEMUX_TESTS=ON -DSSEMUX_WASM=ON
run_stage unit       build      run_ctest build
run_stage node       build      node --test tests/node/
run_stage hostile    build      hostile_suite
run_stage e2e        build      node --test --test-concurrency=1 tests/e2e/
run_stage bundlers   build      bash tests/bundlers/run.sh build
run_stage engines    build      run_other_engines
run_stage package    build      bash tests/package/smoke.sh build
run_stage asan       deps       build_and_test_sanitized
run_stage fuzz-build deps       build_fuzzer
run_stage fuzz       fuzz-build run_fuzzer

echo
echo "=== summary"
printf '%s\n' "${report[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
