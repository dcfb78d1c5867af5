# Helpers shared by tests/package/*.sh (sourced, not run).

# Every check prints one line; the first failure stops the run with what was
# expected and what came instead.
ok() { printf 'ok   %4ds  %s\n' "$SECONDS" "$*"; }
fail() {
  printf 'FAIL %s\n' "$*" >&2
  exit 1
}
# need CMD...: the tools a check needs; missing ones fail (never skip).
need() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || fail "needs '$cmd' on PATH (bash .ci/install-deps.sh installs it)"
  done
}

# wait_for SECONDS WHAT COMMAND...: polls COMMAND every 0.1 s until it
# succeeds; fails naming WHAT after SECONDS. A bound, not a timed assertion:
# a slow machine only waits longer.
wait_for() {
  local seconds=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "waited ${seconds}s for: $what"
    sleep 0.1
  done
}

# wait_exit PID SECONDS WHAT: waits for a child of this shell to exit and
# sets EXIT_STATUS (not printed: `wait` in a $(...) subshell has no children).
wait_exit() {
  local pid=$1 seconds=$2 what=$3 deadline
  deadline=$((SECONDS + seconds))
  while kill -0 "$pid" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "waited ${seconds}s for $what (pid $pid) to exit"
    sleep 0.1
  done
  EXIT_STATUS=0 # read by the caller
  wait "$pid" || EXIT_STATUS=$?
}

# expect_equal WHAT EXPECTED GOT
expect_equal() {
  [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
  ok "$1"
}

# expect_contains WHAT HAYSTACK NEEDLE
expect_contains() {
  case "$2" in
    *"$3"*) ok "$1" ;;
    *) fail "$1: expected to find '$3' in: $2" ;;
  esac
}
