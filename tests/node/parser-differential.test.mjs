// Differential test: the wasm parser against eventsource-parser (a widely
// used JS implementation) on thousands of random streams from a seeded PRNG,
// fed in random chunks. Both must produce the same events (type, data, ID)
// and retries, in the same order.
//
// Known deviations of eventsource-parser 3.x from the WHATWG spec, which the
// generator avoids (and only those constructs):
//  1. Its `id` is the id: field of the event's own block, reset after every
//     blank line, where the spec keeps a "last event ID buffer" across
//     events. We map `undefined` to the last ID it reported; but a block
//     with an id: line and no data is not dispatched and its ID is lost
//     (spec 9.2.6: the ID still moves). So id: lines only go into blocks
//     that dispatch (some data line).
//  2. It "strips a BOM" by comparing the first chunk's UTF-16 code units with
//     the bytes 0xEF 0xBB 0xBF, i.e. it drops the text "ï»¿". Those three
//     characters never start a generated stream. (A real BOM is handled by
//     the TextDecoder we feed it through, as the spec's UTF-8 decode does.)
//  3. retry: values are parseInt'ed without bound; ours saturate at 2^32 - 1
//     (parser.h). Compared after the same saturation.
//  4. A CR that is the last byte it was given is held back, waiting to see if
//     an LF follows, so a stream whose very last byte is a lone CR never ends
//     that line (we end it at once, as the grammar says). Generated streams
//     never end in a lone CR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser as createReferenceParser } from 'eventsource-parser';
import { loadWasmCore } from './wasm-core.mjs';
import { makeRandom } from './seeded-random.mjs';

const STREAMS = 3000;
const SEED = 0x5eed_2024;
const RETRY_MAX = 0xffffffff;


const enc = new TextEncoder();
// Value pieces: ASCII, the characters that matter to the grammar (colon,
// space, tab), multi-byte UTF-8 of every length, U+FEFF (a BOM that is
// not at the start), NUL, and invalid UTF-8 (lone lead, stray continuation,
// 0xFF), which must decode to U+FFFD either way.
const PIECES = [
  'a', 'b', 'xyz', '0', '42', ' ', '  ', ':', ': ', '\t', '{"k":1}', 'é', 'ü', '⚽', '€', '🏆',
  '😀x', '\uFEFF', '\u2028', '\0', [0xff], [0xc3], [0xa9], [0xe2, 0x82], [0xf0, 0x9f, 0x8f],
];
const FIELD_NAMES = ['foo', 'Data', 'DATA', ' data', 'data ', 'ev', 'events', 'ids', 'retryy', 'é'];
const LINE_ENDS = ['\n', '\r', '\r\n'];

function randomValue(rnd) {
  const parts = [];
  const n = rnd.below(6);
  for (let i = 0; i < n; i++) {
    const piece = rnd.pick(PIECES);
    parts.push(typeof piece === 'string' ? enc.encode(piece) : Uint8Array.from(piece));
  }
  return concat(parts);
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// Field separators: the spec drops exactly one space after the colon.
function field(rnd, name, value) {
  const sep = rnd.pick([':', ': ', ':  ']);
  return concat([enc.encode(name + sep), value]);
}

function randomLine(rnd, allowId) {
  for (;;) {
    switch (rnd.below(10)) {
      case 0: case 1: case 2:
        return rnd.chance(0.1) ? enc.encode(rnd.pick(['data', 'data:'])) : field(rnd, 'data', randomValue(rnd));
      case 3:
        return rnd.chance(0.1) ? enc.encode('event') : field(rnd, 'event', randomValue(rnd));
      case 4:
        if (!allowId) continue;
        return rnd.chance(0.1) ? enc.encode('id') : field(rnd, 'id', randomValue(rnd));
      case 5: {
        const digits = String(rnd.below(10 ** rnd.below(13)));
        const value = rnd.pick([digits, digits, ` ${digits}`, `${digits}x`, '-1', '', '1.5']);
        return enc.encode(`retry:${rnd.pick(['', ' '])}${value}`);
      }
      case 6:
        return concat([enc.encode(rnd.pick([':', ': ', ':comment '])), randomValue(rnd)]);
      case 7:
        return field(rnd, rnd.pick(FIELD_NAMES), randomValue(rnd));
      case 8:
        return enc.encode(rnd.pick(FIELD_NAMES)); // a line without a colon
      default:
        return field(rnd, 'data', randomValue(rnd));
    }
  }
}

// A stream is a list of blocks ending in a blank line (except maybe the last).
function randomStream(rnd) {
  const parts = [];
  let previousEnd = '';
  const lineEnd = (blank) => {
    // After a CR, a blank line ended by LF would be read as the CR's LF:
    // the block structure we planned (deviation 1) would silently change.
    let end = rnd.pick(LINE_ENDS);
    if (blank && previousEnd === '\r' && end === '\n') end = '\r\n';
    previousEnd = end;
    return enc.encode(end);
  };
  // One leading BOM is skipped; more are the start of an unknown field
  // name, given a line of their own so they cannot turn a planned data line
  // into an unknown field.
  const boms = rnd.chance(0.1) ? rnd.below(3) + 1 : 0;
  for (let n = boms; n > 0; n--) parts.push(enc.encode('\uFEFF'));
  if (boms > 1) parts.push(lineEnd(false));
  const blocks = rnd.below(12);
  for (let b = 0; b < blocks; b++) {
    const dispatches = rnd.chance(0.85);
    const lines = [];
    for (let n = rnd.below(5); n > 0; n--) {
      const line = randomLine(rnd, dispatches);
      // Without a data line this block must not dispatch: drop data lines.
      const isData = line.length >= 4 && String.fromCharCode(...line.subarray(0, 5)).match(/^data(:|$)/);
      if (!dispatches && isData) continue;
      lines.push(line);
    }
    if (dispatches) lines.splice(rnd.below(lines.length + 1), 0, field(rnd, 'data', randomValue(rnd)));
    for (const line of lines) {
      parts.push(line, lineEnd(false));
    }
    const last = b === blocks - 1;
    if (!last || rnd.chance(0.7)) parts.push(lineEnd(true));
  }
  if (previousEnd === '\r') parts.push(enc.encode('\n')); // deviation 4
  return concat(parts);
}

function randomCuts(rnd, length) {
  const cuts = [];
  const style = rnd.below(4);
  for (let at = 1; at < length; at++) {
    if (style === 0 ? true : style === 1 ? rnd.chance(0.3) : rnd.chance(0.05)) cuts.push(at);
  }
  return style === 3 ? [] : cuts;
}

function pieces(bytes, cuts) {
  const out = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(bytes.subarray(at, cut));
    at = cut;
  }
  return out;
}

function runWasm(core, chunks) {
  const got = [];
  const parser = core.createParser({
    onEvent: (type, data, id) => got.push({ type, data, id }),
    onRetry: (retry) => got.push({ retry }),
  });
  for (const chunk of chunks) parser.feed(chunk);
  parser.free();
  return got;
}

function runReference(chunks) {
  const got = [];
  let lastId = ''; // deviation 1: the spec's ID persists across events
  const parser = createReferenceParser({
    onEvent: ({ event, data, id }) => {
      if (id !== undefined) lastId = id;
      got.push({ type: event ?? 'message', data, id: lastId });
    },
    onRetry: (retry) => got.push({ retry: Math.min(retry, RETRY_MAX) }),
  });
  // The spec decodes the stream as UTF-8 first (stripping one BOM);
  // eventsource-parser takes text, so decode it the same way.
  const decoder = new TextDecoder('utf-8');
  for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }));
  parser.feed(decoder.decode());
  return got;
}

function show(bytes) {
  return JSON.stringify(Buffer.from(bytes).toString('latin1'));
}

const core = await loadWasmCore();

test('wasm parser matches eventsource-parser on random streams', () => {
  const rnd = makeRandom(SEED);
  let events = 0;
  let retries = 0;
  for (let i = 0; i < STREAMS; i++) {
    const stream = randomStream(rnd);
    const chunks = pieces(stream, randomCuts(rnd, stream.length));
    const expected = runReference(chunks);
    const got = runWasm(core, chunks);
    assert.deepEqual(got, expected,
      `stream ${i} (seed ${SEED}), bytes as latin1 ${show(stream)}, cut into ${chunks.length} chunks:\n` +
      `  expected (eventsource-parser): ${JSON.stringify(expected)}\n  got (wasm): ${JSON.stringify(got)}`);
    for (const item of got) {
      if ('retry' in item) retries++;
      else events++;
    }
  }
  // Guard against a generator that stopped producing anything to compare.
  assert.ok(events > STREAMS * 3, `expected more than ${STREAMS * 3} events compared, got ${events}`);
  assert.ok(retries > STREAMS / 10, `expected more than ${STREAMS / 10} retries compared, got ${retries}`);
});
