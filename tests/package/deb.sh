# The Debian package checks of smoke.sh (sourced; needs lib.sh): build it
# with CPack, check its metadata and files, unpack it into a scratch root
# with dpkg-deb -x (never dpkg -i: the real system is not touched) and run
# the unpacked ssemux-server and ssecat.

# deb_build BUILD_DIR OUT_DIR: prints the path of the one .deb made.
deb_build() {
  local build=$1 out=$2 debs
  # The package target builds what is missing (man pages included) first.
  cmake --build "$build" -j"${SSEMUX_JOBS:-2}" >"$out/build.log" 2>&1 ||
    { tail -n 30 "$out/build.log" >&2; fail "cmake --build $build failed"; }
  (cd "$out" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out") >"$out/cpack.log" 2>&1 ||
    { cat "$out/cpack.log" >&2; fail "cpack -G DEB failed"; }
  debs=("$out"/ssemux_*.deb)
  if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
    fail "cpack made no single ssemux_*.deb in $out: ${debs[*]}"
  fi
  ok "cpack -G DEB made $(basename "${debs[0]}") ($(stat -c %s "${debs[0]}") bytes)"
  DEB=${debs[0]} # for smoke.sh
}

# deb_check_metadata DEB VERSION ROOT (ROOT: where deb_check_files unpacked it)
deb_check_metadata() {
  local deb=$1 version=$2 root=$3 depends owners lib pkg control field
  dpkg-deb -I "$deb" >/dev/null || fail "dpkg-deb -I cannot read $deb"
  expect_equal "Package" ssemux "$(dpkg-deb -f "$deb" Package)"
  expect_equal "Version (from the CMake project version)" "$version-1" "$(dpkg-deb -f "$deb" Version)"
  expect_equal "Architecture" "$(dpkg --print-architecture)" "$(dpkg-deb -f "$deb" Architecture)"
  for field in Maintainer Description Section Priority Installed-Size; do
    [ -n "$(dpkg-deb -f "$deb" "$field")" ] || fail "control field $field is empty"
  done
  ok "control fields Maintainer, Description, Section, Priority, Installed-Size set"

  # Every shared library the binaries load must come from a package named in
  # Depends (dpkg-shlibdeps' job): a missing one is a package that installs
  # and then cannot start.
  depends=$(dpkg-deb -f "$deb" Depends)
  [ -n "$depends" ] || fail "Depends is empty (CPACK_DEBIAN_PACKAGE_SHLIBDEPS off, or dpkg-shlibdeps missing?)"
  # shellcheck disable=SC2046 # sonames have no spaces: one word each
  owners=$(deb_lib_owners $(deb_needed_libs "$root/usr/bin/ssemux-server" "$root/usr/bin/ssecat"))
  while read -r lib pkg; do
    case ", $depends" in
      *", $pkg "* | *", $pkg,"* | *", $pkg") ;;
      *) fail "Depends lacks $pkg (provides $lib): Depends: $depends" ;;
    esac
  done <<<"$owners"
  ok "Depends covers every NEEDED library: $depends"

  control=$(mktemp -d "$TMP/control.XXXX")
  dpkg-deb -e "$deb" "$control"
  expect_equal "conffiles" /etc/default/ssemux-server "$(cat "$control/conffiles")"
  for script in postinst prerm postrm; do
    [ -x "$control/$script" ] || fail "maintainer script $script missing or not executable"
    sh -n "$control/$script" || fail "maintainer script $script: sh syntax error"
  done
  ok "maintainer scripts postinst, prerm, postrm: executable, sh syntax ok"
}

deb_needed_libs() { # BINARY...
  readelf -d "$@" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u
}

# deb_lib_owners SONAME...: prints "soname package" per library. With merged
# /usr, dpkg knows each file under only one of /lib and /usr/lib, so every
# spelling is asked, in one dpkg -S call (each call reads the whole database).
deb_lib_owners() {
  local lib path real candidates=() found owner spelling
  for lib in "$@"; do
    path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
    [ -n "$path" ] || fail "$lib (NEEDED by a binary) is not installed on this machine"
    real=$(readlink -f "$path")
    candidates+=("$path" "$real" "${path/#\/lib\//\/usr\/lib\/}" "${real/#\/usr\/lib\//\/lib\/}")
  done
  found=$(dpkg -S "${candidates[@]}" 2>/dev/null || true)
  for lib in "$@"; do
    path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
    real=$(readlink -f "$path")
    owner=
    for spelling in "$path" "$real" "${path/#\/lib\//\/usr\/lib\/}" "${real/#\/usr\/lib\//\/lib\/}"; do
      owner=$(awk -v p="$spelling" '$NF == p { sub(/:.*/, "", $1); print $1; exit }' <<<"$found")
      [ -z "$owner" ] || break
    done
    [ -n "$owner" ] || fail "no installed package owns $path ($lib)"
    echo "$lib $owner"
  done
}

# deb_check_files DEB ROOT: the paths the package promises, and modes.
deb_check_files() {
  local deb=$1 root=$2 path listing
  dpkg-deb -x "$deb" "$root" || fail "dpkg-deb -x failed"
  for path in \
    usr/bin/ssemux-server usr/bin/ssecat \
    usr/lib/systemd/system/ssemux-server.service etc/default/ssemux-server \
    usr/share/man/man1/ssemux-server.1.gz usr/share/man/man1/ssecat.1.gz \
    usr/share/doc/ssemux/copyright usr/share/doc/ssemux/README.md \
    usr/share/doc/ssemux/docs/server.md usr/share/doc/ssemux/docs/packaging.md \
    usr/share/ssemux/web/ssemux/ssemux.js usr/share/ssemux/web/ssemux/ssemux-worker.js \
    usr/share/ssemux/web/ssemux/ssemux-core.js usr/share/ssemux/web/ssemux/ssemux.wasm \
    usr/share/ssemux/web/ssemux/messages.js usr/share/ssemux/web/ssemux/hub/hub.js; do
    [ -e "$root/$path" ] || fail "the package has no /$path"
  done
  ok "unpacked into a scratch root: binaries, unit, settings, man pages, docs, web bundle"
  for path in usr/bin/ssemux-server usr/bin/ssecat; do
    [ -x "$root/$path" ] || fail "/$path is not executable"
  done
  listing=$(dpkg-deb -c "$deb")
  grep -Eq '^-rw------- root/root .* \./etc/default/ssemux-server$' <<<"$listing" ||
    fail "/etc/default/ssemux-server must be root-only (0600): it may hold the JWT secret; got: $(grep default/ssemux <<<"$listing")"
  ! grep -Ev '^[dl-]r..r..r.. root/root|^-rw------- root/root' <<<"$listing" | grep -q . ||
    fail "files not owned by root or not world-readable: $(grep -Ev '^[dl-]r..r..r.. root/root' <<<"$listing")"
  ok "file owners root:root; /etc/default/ssemux-server mode 0600"
  for path in "$root"/usr/share/man/man1/*.gz; do
    gzip -t "$path" || fail "$path is not valid gzip"
    zcat "$path" | grep -q '^\.TH ' || fail "$path has no .TH header"
    zcat "$path" | grep -q '^\.SH SYNOPSIS' || fail "$path has no SYNOPSIS"
    zcat "$path" | grep -Eq -- '\\-\\-(port|max\\-events)' || fail "$path documents no options"
  done
  ok "man pages: gzip, .TH, SYNOPSIS, options"
}

# deb_check_unit ROOT: the systemd unit loads (systemd-analyze verify, with
# ExecStart pointed at the unpacked binary since /usr/bin has none) and keeps
# its hardening; without systemd-analyze, a structural parse.
deb_check_unit() {
  local root=$1 dir out directive
  local unit=$root/usr/lib/systemd/system/ssemux-server.service
  grep -qx 'ExecStart=/usr/bin/ssemux-server' "$unit" || fail "ExecStart is not /usr/bin/ssemux-server"
  for directive in '\[Unit\]' '\[Service\]' '\[Install\]' 'WantedBy=multi-user.target' \
    'DynamicUser=yes' 'StateDirectory=ssemux' 'Environment=SSEMUX_DATA_DIR=/var/lib/ssemux' \
    'EnvironmentFile=-/etc/default/ssemux-server' 'LimitNOFILE=[0-9]+' 'NoNewPrivileges=yes' \
    'ProtectSystem=strict' 'CapabilityBoundingSet='; do
    grep -Eqx "$directive" "$unit" || fail "the unit lacks a line matching '$directive'"
  done
  ok "unit: ExecStart, DynamicUser, StateDirectory, EnvironmentFile, LimitNOFILE, hardening present"
  if ! command -v systemd-analyze >/dev/null 2>&1; then
    skip_when_missing "systemd-analyze not installed (apt-get install systemd): the unit got structural checks only" ||
      fail "systemd-analyze is needed under CI (bash .ci/install-deps.sh installs systemd)"
    return 0
  fi
  dir=$(mktemp -d "$TMP/unit.XXXX")
  sed "s#^ExecStart=/usr/bin/#ExecStart=$root/usr/bin/#" "$unit" >"$dir/ssemux-server.service"
  out=$(systemd-analyze verify --man=no "$dir/ssemux-server.service" 2>&1) ||
    fail "systemd-analyze verify: $out"
  # Messages about system calls newer than this systemd are not errors.
  if grep -v 'Failed to parse system call' <<<"$out" | grep -q .; then
    fail "systemd-analyze verify complained: $out"
  fi
  ok "unit: systemd-analyze verify passes"
  # Exposure 0..10 (x10 here): 1.5 today; more than 3.0 means hardening was lost.
  out=$(systemd-analyze security --offline=true --threshold=30 --no-pager \
    "$dir/ssemux-server.service" 2>&1) ||
    fail "systemd-analyze security: exposure over 3.0: $(tail -n 1 <<<"$out")"
  ok "unit: $(grep -o 'Overall exposure level.*' <<<"$out")"
}

# deb_check_settings ROOT: every SSEMUX_* variable of --help is in the
# settings file, and the file names no variable the server does not know.
deb_check_settings() {
  local root=$1 help file var
  help=$("$root/usr/bin/ssemux-server" --help | grep -oE 'SSEMUX_[A-Z0-9_]+' | sort -u)
  file=$(grep -oE 'SSEMUX_[A-Z0-9_]+' "$root/etc/default/ssemux-server" | sort -u)
  for var in $help; do
    grep -qx "$var" <<<"$file" || fail "/etc/default/ssemux-server does not mention $var (in --help)"
  done
  for var in $file; do
    grep -qx "$var" <<<"$help" || fail "/etc/default/ssemux-server names $var, which --help does not list"
  done
  ok "settings file names exactly the $(wc -l <<<"$help") variables of --help"
}

# deb_check_binaries ROOT VERSION
deb_check_binaries() {
  local root=$1 version=$2 bin out
  for bin in ssemux-server ssecat; do
    out=$(ldd "$root/usr/bin/$bin") || fail "ldd $bin failed"
    ! grep -q 'not found' <<<"$out" || fail "$bin: missing libraries: $(grep 'not found' <<<"$out")"
    out=$("$root/usr/bin/$bin" --help) || fail "$bin --help exited nonzero"
    grep -qi '^usage: ' <<<"$out" || fail "$bin --help has no usage line: $(head -n 3 <<<"$out")"
    grep -q -- '--version' <<<"$out" || fail "$bin --help does not list --version"
    out=$("$root/usr/bin/$bin" --version) || fail "$bin --version exited nonzero"
    expect_contains "$bin --help exits 0; --version names the package version" "$out" "$bin $version"
  done
}
