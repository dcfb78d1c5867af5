#!/usr/bin/env bash
# The README's first quick-start command: installs what ssemux needs, builds
# everything into build/ (native + wasm) and runs the demo.
#
# Today the demo is the client core on its own: ssecat --parse reads a
# recorded live-score stream (demo/sample-scores.sse) and prints each event
# as a JSON line, exactly what an EventSource in a browser would hand to
# its listeners. The live page (server + SharedWorker hub) replaces this
# with the server issue.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash .ci/install-deps.sh
cmake -S . -B build
cmake --build build -j"${SSEMUX_JOBS:-2}"

echo
echo "== build/bin/ssecat --parse < demo/sample-scores.sse"
build/bin/ssecat --parse < demo/sample-scores.sse
