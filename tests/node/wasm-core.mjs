// Shared by the node tests and the benchmark: loads the built wasm core from
// $SSEMUX_WEB_DIR (default $SSEMUX_BUILD_DIR/web/ssemux, else
// <repo>/build/web/ssemux), through the copy of ssemux-core.js that the build
// put next to ssemux.wasm (what ships).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const webDir = path.resolve(process.env.SSEMUX_WEB_DIR ||
  path.join(process.env.SSEMUX_BUILD_DIR || path.join(repoRoot, 'build'), 'web', 'ssemux'));

export async function loadWasmCore() {
  const wasm = path.join(webDir, 'ssemux.wasm');
  const js = path.join(webDir, 'ssemux-core.js');
  if (!existsSync(wasm) || !existsSync(js)) {
    throw new Error(`no wasm build in ${webDir} (expected ssemux.wasm and ssemux-core.js): ` +
      'run `cmake -S . -B build && cmake --build build` or set SSEMUX_WEB_DIR');
  }
  const { loadCore } = await import(pathToFileURL(js).href);
  return loadCore(pathToFileURL(wasm));
}

// Feeds `input` to a fresh parser cut at the ascending offsets in `cuts` and
// returns the output as ssecat --parse prints it: one JSON line per event or
// retry (see client/cli/json_line.h), plus "! name" for an event dropped for
// a limit (as tests/cases/parser.txt writes it).
export function parseToJsonLines(core, input, cuts = [], options = {}) {
  const lines = [];
  const parser = core.createParser({
    ...options,
    onEvent: (type, data, id) => lines.push(JSON.stringify({ type, data, id })),
    onRetry: (retry) => lines.push(JSON.stringify({ retry })),
    onError: (code) => lines.push(`! ${core.statusName(code)}`),
  });
  try {
    let at = 0;
    for (const cut of [...cuts, input.length]) {
      parser.feed(input.subarray(at, cut));
      at = cut;
    }
  } finally {
    parser.free();
  }
  return lines;
}

// A parser that records what it reports, in order: [type, data, id] per
// event, ['retry', ms], ['error', code].
export function recordingParser(core, options = {}) {
  const seen = [];
  const parser = core.createParser({
    ...options,
    onEvent: (type, data, id) => seen.push([type, data, id]),
    onRetry: (ms) => seen.push(['retry', ms]),
    onError: (code) => seen.push(['error', code]),
  });
  return { parser, seen };
}
