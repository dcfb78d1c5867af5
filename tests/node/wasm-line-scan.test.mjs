// The wasm build finds line ends its own way (client/src/line_scan_wasm.h: a
// queue of CR/LF offsets filled 64 bytes at a time, at most ~128 per refill),
// while the native build scans line by line. This runs streams made to hit
// that queue's edges through both and wants the same output: runs of line
// ends far longer than one refill, lines across 64-byte blocks, CR and CRLF
// split over refills and chunks, a line longer than the whole chunk, and the
// under-64-byte tail of a chunk.
// Run: node --test tests/node/wasm-line-scan.test.mjs  (SSEMUX_BUILD_DIR=/path/to/build if not ./build)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadWasmCore, parseToJsonLines, repoRoot } from './wasm-core.mjs';
import { makeRandom } from './seeded-random.mjs';

const buildDir = process.env.SSEMUX_BUILD_DIR ?? path.join(repoRoot, 'build');
const ssecatPath = path.join(buildDir, 'bin', 'ssecat');
if (!existsSync(ssecatPath)) {
  throw new Error(`ssecat not found at ${ssecatPath}: build it first, or set SSEMUX_BUILD_DIR`);
}

const core = await loadWasmCore();
const enc = new TextEncoder();


const LINE_ENDS = ['\n', '\r', '\r\n'];
const FIELDS = ['data: ', 'data:', 'id: ', 'event: ', ': ', 'retry: ', 'foo: '];

function value(rnd, len) {
  const alphabet = 'abcxyz0123456789 :{}"é⚽';
  let s = '';
  while (s.length < len) s += rnd.pick(alphabet);
  return s;
}

// One stream of ~`bytes` bytes, mixing the shapes listed at the top.
function makeStream(rnd, bytes) {
  const parts = [];
  let size = 0;
  while (size < bytes) {
    let piece;
    const shape = rnd.below(10);
    if (shape === 0) {
      piece = rnd.pick(LINE_ENDS).repeat(1 + rnd.below(400)); // many blank lines in a row
    } else if (shape === 1) {
      piece = `data: ${value(rnd, 60 + rnd.below(300))}${rnd.pick(LINE_ENDS)}`; // across blocks
    } else {
      const field = rnd.pick(FIELDS);
      const v = field === 'retry: ' ? String(rnd.below(10000)) : value(rnd, rnd.below(20));
      piece = `${field}${v}${rnd.pick(LINE_ENDS)}`;
      if (rnd.below(3) === 0) piece += rnd.pick(LINE_ENDS);
    }
    parts.push(piece);
    size += piece.length;
  }
  return enc.encode(parts.join('') + 'data: end\n\n');
}

function nativeLines(input) {
  const run = spawnSync(ssecatPath, ['--parse'], { input, maxBuffer: 64 << 20, timeout: 60000 });
  assert.equal(run.status, 0, `ssecat --parse failed: ${run.stderr}`);
  const out = run.stdout.toString('utf8');
  return out === '' ? [] : out.replace(/\n$/, '').split('\n');
}

function sameLines(got, expected, what) {
  assert.equal(got.length, expected.length, `${what}: ${got.length} lines, native gave ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    assert.equal(got[i], expected[i], `${what}: line ${i} differs`);
  }
}

test('random_streams_agree_with_native_whole_and_in_chunks', () => {
  const rnd = makeRandom(0x11e5_ca11);
  for (let n = 0; n < 40; n++) {
    const input = makeStream(rnd, 2000 + rnd.below(120000));
    const expected = nativeLines(input);
    sameLines(parseToJsonLines(core, input), expected, `stream ${n} whole`);
    const cuts = [];
    for (let at = rnd.below(3000); at < input.length; at += 1 + rnd.below(3000)) cuts.push(at);
    sameLines(parseToJsonLines(core, input, cuts), expected, `stream ${n} in random chunks`);
    // Cuts next to 64-byte multiples: a CRLF or a line end at a block edge.
    const edges = [];
    for (let at = 63 + rnd.below(3); at < input.length; at += 64 * (1 + rnd.below(40))) edges.push(at);
    sameLines(parseToJsonLines(core, input, edges), expected, `stream ${n} cut at block edges`);
  }
});

test('a_line_longer_than_the_chunk_then_dense_line_ends', () => {
  const long = `id: 7\ndata: ${'x'.repeat(300000)}\r\n`;
  const input = enc.encode(`${long}${'\n'.repeat(5000)}data: a\r\rdata: b\r\n\r\n${'\r'.repeat(777)}`);
  const expected = nativeLines(input);
  assert.equal(expected.length, 3, 'the stream has three events');
  sameLines(parseToJsonLines(core, input), expected, 'whole');
  sameLines(parseToJsonLines(core, input, [100, 70000, 300020]), expected, 'in pieces');
});
