# The npm package checks of smoke.sh (sourced; needs lib.sh): `npm pack` in
# worker/, its contents, `npm install <tarball>` into a scratch project, and
# npm-smoke.mjs run there against the installed copy.

# npm_build REPO WEB_DIR OUT_DIR: sets TARBALL.
npm_build() {
  local repo=$1 web=$2 out=$3 name
  (cd "$repo/worker" && SSEMUX_WEB_DIR=$web npm pack --pack-destination "$out" --silent) \
    >"$out/npm-pack.log" 2>&1 || { cat "$out/npm-pack.log" >&2; fail "npm pack in worker/ failed"; }
  name=$(tail -n 1 "$out/npm-pack.log")
  TARBALL=$out/$name
  [ -f "$TARBALL" ] || fail "npm pack printed '$name' but $TARBALL does not exist"
  ok "npm pack made $name ($(stat -c %s "$TARBALL") bytes)"
  # postpack must put the tree back as checked in.
  for leftover in "$repo/worker/src/ssemux.wasm" "$repo/worker/LICENSE"; do
    [ ! -e "$leftover" ] || fail "npm pack left $leftover behind (postpack did not clean)"
  done
  ok "postpack removed the copied ssemux.wasm and LICENSE from worker/"
}

# npm_publish_dry_run REPO WEB_DIR OUT_DIR: what `npm publish` would do,
# with no warning about the package (only "not logged in" is allowed: a dry
# run needs no account).
npm_publish_dry_run() {
  local repo=$1 web=$2 out=$3 warnings
  (cd "$repo/worker" && SSEMUX_WEB_DIR=$web npm publish --dry-run) >"$out/npm-publish.log" 2>&1 ||
    { cat "$out/npm-publish.log" >&2; fail "npm publish --dry-run in worker/ failed"; }
  warnings=$(grep -i '^npm warn' "$out/npm-publish.log" | grep -v 'requires you to be logged in' || true)
  [ -z "$warnings" ] || fail "npm publish --dry-run warned about the package: $warnings"
  ok "npm publish --dry-run: no warnings about the package"
}

# npm_check_contents TARBALL VERSION
npm_check_contents() {
  local tarball=$1 version=$2 listing path list dir
  listing=$(tar -tzf "$tarball") || fail "$tarball is not a gzip tar"
  for path in package.json README.md LICENSE src/ssemux.js src/ssemux.d.ts src/ssemux-core.js \
    src/ssemux-core.d.ts src/ssemux.wasm src/ssemux-worker.js src/messages.js src/hub/hub.js \
    src/fallback/leader.js; do
    grep -qx "package/$path" <<<"$listing" || fail "the npm package has no $path"
  done
  ok "npm package has the ES modules, the .d.ts files, ssemux.wasm, README, LICENSE"
  ! grep -Eq '^package/(scripts|node_modules|test)' <<<"$listing" ||
    fail "the npm package ships build or test files: $(grep -E '^package/(scripts|node_modules|test)' <<<"$listing")"
  ok "npm package ships no scripts/ or tests"

  # Every relative import of every shipped module is a shipped file: a new
  # source file missing from "files" would break only the published package.
  dir=$(mktemp -d "$TMP/npm-contents.XXXX")
  tar -xzf "$tarball" -C "$dir"
  # shellcheck disable=SC2046 # the package's file names have no spaces
  list=$(cd "$dir/package" && grep -HoE "(from|import\(?) *'\.{1,2}/[^']+'" $(grep '\.js$' <<<"$listing" | sed 's#^package/##') |
    sed -E "s#^([^:]*):.*'(.*)'#\1 \2#")
  while read -r file target; do
    [ -n "$file" ] || continue
    [ -f "$dir/package/$(dirname "$file")/$target" ] ||
      fail "$file imports $target, which the npm package does not contain"
  done <<<"$list"
  ok "every relative import in the packaged modules resolves inside the package ($(wc -l <<<"$list") imports)"
  expect_equal "npm package version = CMake project version" "$version" \
    "$(node -p "require('$dir/package/package.json').version")"
}

# npm_install_and_run TARBALL REPO WORK: a scratch project that depends on
# the tarball, then the Node smoke test from inside it (bare specifiers
# resolve from the importing file, so the script must live in the project).
npm_install_and_run() {
  local tarball=$1 repo=$2 app=$3/app
  mkdir -p "$app"
  printf '{ "name": "ssemux-smoke-app", "private": true, "type": "module" }\n' >"$app/package.json"
  # --offline: the tarball has no dependencies, so nothing may be fetched.
  (cd "$app" && npm install --offline --no-audit --no-fund --silent "$tarball") >"$3/npm-install.log" 2>&1 ||
    { cat "$3/npm-install.log" >&2; fail "npm install <tarball> into a scratch project failed"; }
  [ -f "$app/node_modules/ssemux/package.json" ] || fail "npm install left no node_modules/ssemux"
  ok "npm install <tarball> into a scratch project"
  cp "$repo/tests/package/npm-smoke.mjs" "$app/"
  (cd "$app" && node npm-smoke.mjs) || fail "the Node smoke test of the installed package failed"
}
