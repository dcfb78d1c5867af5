# shellcheck shell=bash
# The shell stages' side of tests/lib/prerequisites.mjs: a check whose tool is
# missing fails under CI (CI=true; .ci/install-deps.sh installs everything)
# and elsewhere is skipped with a line nobody can miss.
#
# skip_when_missing REASON: returns 0 (the caller skips its check) outside
# CI, after printing REASON loudly; under CI prints it and returns 1, so a
# `set -e` caller stops with a failure.
skip_when_missing() {
  case "${CI:-}" in
    [Tt][Rr][Uu][Ee] | 1 | [Yy][Ee][Ss])
      echo "*** CI=true and a prerequisite is missing: $1 ***" >&2
      return 1
      ;;
  esac
  echo "*** SKIPPED: $1 ***" >&2
}
