// Size budgets of what a page downloads (docs/benchmarks.md, "Size budgets"):
// the .wasm under 16 KiB, and every file of build/web/ssemux/ a page or its
// worker may load (the .js modules and the .wasm; not the .d.ts types),
// each gzipped as a server would send it, under 56 KiB together. A change
// that crosses a budget either earns it back or raises the budget in the
// docs and here, on purpose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { webDir } from './wasm-core.mjs';

const WASM_BUDGET = 16 * 1024;
const GZIP_BUDGET = 56 * 1024;

function loadedFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return loadedFiles(file);
    return /\.(js|wasm)$/.test(e.name) ? [file] : [];
  });
}

test('the_wasm_core_stays_within_16_kib', () => {
  const wasm = path.join(webDir, 'ssemux.wasm');
  assert.ok(existsSync(wasm), `${wasm} not built (cmake --build build, SSEMUX_WASM=ON)`);
  const size = readFileSync(wasm).length;
  console.log(`ssemux.wasm: ${size} bytes (budget ${WASM_BUDGET})`);
  assert.ok(size <= WASM_BUDGET, `ssemux.wasm is ${size} bytes, over its ${WASM_BUDGET}-byte budget`);
});

test('the_files_a_page_loads_stay_within_56_kib_gzipped', () => {
  const files = loadedFiles(webDir);
  const names = files.map((f) => path.relative(webDir, f));
  for (const expected of ['ssemux.js', 'ssemux-worker.js', 'ssemux-core.js', 'ssemux.wasm']) {
    assert.ok(names.includes(expected), `${expected} missing from ${webDir}: ${names.join(', ')}`);
  }
  let raw = 0;
  let gzipped = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    raw += bytes.length;
    gzipped += gzipSync(bytes, { level: 9 }).length;
  }
  console.log(`${files.length} files: ${raw} bytes, ${gzipped} gzipped (budget ${GZIP_BUDGET})`);
  assert.ok(gzipped <= GZIP_BUDGET,
    `the ${files.length} files a page may load are ${gzipped} bytes gzipped, over the ${GZIP_BUDGET}-byte budget`);
});
