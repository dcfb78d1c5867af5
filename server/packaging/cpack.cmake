# The Debian package `ssemux`: ssemux-server and ssecat, their man pages
# (help2man from --help), the systemd unit with its settings file, the
# browser bundle and the docs. Build it with `cpack -G DEB` in the build
# directory (or `cmake --build BUILD --target package`); tests/package/smoke.sh
# installs it in a scratch directory and runs the installed copies.
# The binaries' install() rules are next to their targets
# (server/CMakeLists.txt, client/cli/CMakeLists.txt); this file adds the rest.
set(SSEMUX_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})

# Debian 12's systemd reads units from /usr/lib/systemd/system too (merged /usr).
install(FILES ${SSEMUX_PACKAGING_DIR}/ssemux-server.service DESTINATION lib/systemd/system)
# Absolute: /etc even though the prefix is /usr. 0600 because it may hold the
# JWT secret; systemd reads it as root.
install(FILES ${SSEMUX_PACKAGING_DIR}/ssemux-server.default
        DESTINATION /etc/default RENAME ssemux-server
        PERMISSIONS OWNER_READ OWNER_WRITE)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/ssemux)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION share/doc/ssemux RENAME copyright)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION share/doc/ssemux/docs
        FILES_MATCHING PATTERN "*.md" PATTERN "*.png" PATTERN "*.svg")
if(SSEMUX_WASM)
  # What `--static /usr/share/ssemux/web` serves at /ssemux/: SharedEventSource,
  # the worker, the wasm core and their .d.ts (the build's web/ssemux/).
  install(DIRECTORY ${SSEMUX_WEB_DIR}/ DESTINATION share/ssemux/web/ssemux)
endif()

# Man pages from --help, so they cannot drift from the flags. Not in
# sanitizer or fuzz builds: their binaries may exit nonzero on a leak report.
find_program(SSEMUX_HELP2MAN help2man)
find_program(SSEMUX_GZIP gzip)
if(SSEMUX_HELP2MAN AND SSEMUX_GZIP AND NOT SSEMUX_SANITIZE AND NOT SSEMUX_FUZZ
   AND NOT CMAKE_CROSSCOMPILING)
  set(SSEMUX_MAN_DIR ${CMAKE_BINARY_DIR}/man)
  set(SSEMUX_MAN_PAGES)
  foreach(program ssemux-server ssecat)
    set(page ${SSEMUX_MAN_DIR}/${program}.1)
    add_custom_command(
      OUTPUT ${page}.gz
      COMMAND ${CMAKE_COMMAND} -E make_directory ${SSEMUX_MAN_DIR}
      COMMAND ${SSEMUX_HELP2MAN} --no-info --version-string=${PROJECT_VERSION}
              --section=1 --source=ssemux --include=${SSEMUX_PACKAGING_DIR}/${program}.h2m
              --output=${page} $<TARGET_FILE:${program}>
      # -n: no name or time stamp in the gzip header (Debian policy 12.1).
      COMMAND ${SSEMUX_GZIP} -9nf ${page}
      DEPENDS ${program} ${SSEMUX_PACKAGING_DIR}/${program}.h2m
      COMMENT "help2man: ${program}.1"
      VERBATIM)
    list(APPEND SSEMUX_MAN_PAGES ${page}.gz)
  endforeach()
  add_custom_target(ssemux_man ALL DEPENDS ${SSEMUX_MAN_PAGES})
  install(FILES ${SSEMUX_MAN_PAGES} DESTINATION share/man/man1)
elseif(NOT SSEMUX_SANITIZE AND NOT SSEMUX_FUZZ)
  message(STATUS "help2man not found: the Debian package will have no man pages "
                 "(apt-get install help2man)")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ssemux)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "the ssemux authors")
set(CPACK_PACKAGE_CONTACT "ssemux developers <dev@ssemux.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Server-Sent Events server with replay, and a command-line SSE client")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)

set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps turns the binaries' NEEDED libraries (libwebsockets, libcurl,
# libssl, libc, ...) into versioned Depends.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The long description, under the summary above: CPack indents it and turns
# blank lines into Debian's " ." paragraph breaks.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "ssemux-server is a Server-Sent Events server on libwebsockets: topics,
event IDs, retry hints, heartbeats, replay from Last-Event-ID, JWT auth and
an append-only event log that survives restarts. It runs as the systemd
service ssemux-server (configured in /etc/default/ssemux-server).

ssecat prints an SSE stream as JSON lines and reconnects like EventSource.

The browser side (SharedEventSource: one connection shared by every tab,
with a WebAssembly parser) is in /usr/share/ssemux/web/ssemux/.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${SSEMUX_PACKAGING_DIR}/postinst
    ${SSEMUX_PACKAGING_DIR}/prerm
    ${SSEMUX_PACKAGING_DIR}/postrm
    ${SSEMUX_PACKAGING_DIR}/conffiles)
# Maintainer scripts 0755, conffiles 0644, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

include(CPack)
