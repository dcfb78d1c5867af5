// The browser core's limits (issue 12): the defaults deliver what EventSource
// delivers (a 100,000-byte id, a 300-byte type, a 1 MiB data line, 16 MiB of
// data in small chunks), an event past a limit reaches onError, and memory
// grows with what arrives instead of being reserved for the limits.
// The exact boundaries (limit, limit + 1) are shared cases in
// tests/cases/parser.txt (parser-conformance.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWasmCore, recordingParser } from './wasm-core.mjs';

const core = await loadWasmCore();
const enc = new TextEncoder();
const collect = (options) => recordingParser(core, options);
const dropped = (name) => ['error', core.Status[name.toUpperCase()]];

function feedInPieces(target, bytes, step) {
  for (let at = 0; at < bytes.length; at += step) target(bytes.subarray(at, at + step));
}

test('defaults_deliver_a_100000_byte_id_a_300_byte_type_and_a_1_mib_data_line', () => {
  const id = 'i'.repeat(100000);
  const type = 't'.repeat(300);
  const data = 'd'.repeat(1 << 20);
  const stream = enc.encode(`id: ${id}\nevent: ${type}\ndata: ${data}\n\ndata: next\n\n`);
  for (const step of [stream.length, 65536, 4096, 7]) {
    const { parser, seen } = collect();
    feedInPieces((b) => parser.feed(b), stream, step);
    assert.equal(seen.length, 2, `two events in ${step}-byte pieces, got ${JSON.stringify(seen.map((e) => e[1].length))}`);
    assert.deepEqual(seen[0], [type, data, id], `the big event in ${step}-byte pieces`);
    assert.deepEqual(seen[1], ['message', 'next', id], 'the one after it');
    assert.equal(parser.lastEventId, id);
    parser.free();
  }
});

test('sixteen_mib_of_data_in_small_chunks_is_delivered_and_one_byte_more_is_reported', () => {
  const limit = 16 << 20;
  const line = 'x'.repeat(65535); // + LF: 64 KiB per line
  for (const extra of [0, 1]) {
    const lines = Array(limit / 65536).fill(line);
    lines[lines.length - 1] = 'x'.repeat(65536 + extra); // the 255 LFs between lines count
    const stream = enc.encode(`${lines.map((l) => `data: ${l}\n`).join('')}\ndata: next\n\n`);
    const { parser, seen } = collect();
    feedInPieces((b) => parser.feed(b), stream, 4096);
    if (extra === 0) {
      assert.equal(seen.length, 2, 'the 16 MiB event and the next');
      assert.equal(seen[0][1].length, limit, 'exactly the default maxData');
    } else {
      assert.deepEqual(seen[0], dropped('data_too_large'), 'one byte past maxData is reported');
    }
    assert.equal(seen.at(-1)[1], 'next', 'parsing goes on');
    parser.free();
  }
});

test('limits_are_options_and_inclusive', () => {
  const { parser, seen } = collect({ maxData: 5, maxType: 5, maxId: 5 });
  parser.feed(enc.encode('id: 12345\nevent: abcde\ndata: 12345\n\n'));
  parser.feed(enc.encode('id: 123456\ndata: a\n\nevent: abcdef\ndata: b\n\ndata: 123456\n\n'));
  assert.deepEqual(seen, [
    ['abcde', '12345', '12345'],
    dropped('id_too_long'), dropped('type_too_long'), dropped('data_too_large'),
  ]);
  assert.throws(() => core.createParser({ maxId: 0 }), RangeError, 'a zero limit is refused');
  parser.free();
});

test('memory_grows_with_what_arrives_not_with_the_limits', () => {
  // Old design: each parser reserved its limits (1 MiB data + arena) up
  // front. Now 40 parsers with 16 MiB limits take a few hundred KiB each.
  const before = core.memoryBytes();
  const parsers = Array.from({ length: 40 }, () => core.createParser({}));
  const grown = core.memoryBytes() - before;
  assert.ok(grown < 40 * 256 * 1024, `40 parsers grew the memory by ${grown} bytes`);
  for (const p of parsers) p.free();

  // A 4 MiB event needs room while it is read; the room is given back and
  // reused, so a second parser reading the same does not grow memory again.
  const stream = enc.encode(`data: ${'y'.repeat(4 << 20)}\n\ndata: small\n\n`);
  const first = collect();
  feedInPieces((b) => first.parser.feed(b), stream, 65536);
  first.parser.free();
  const afterFirst = core.memoryBytes();
  const second = collect();
  feedInPieces((b) => second.parser.feed(b), stream, 65536);
  second.parser.free();
  assert.equal(second.seen.length, 2);
  assert.ok(core.memoryBytes() - afterFirst <= 1 << 20,
    `a second 4 MiB event grew memory by ${core.memoryBytes() - afterFirst} bytes after the first was given back`);
});

test('engine_limits_reach_onError_with_their_name', () => {
  const seen = [];
  const engine = core.createEngine({
    maxId: 4, seed: 1,
    onEvent: (type, data, id) => seen.push({ data, id }),
    onError: (code, message) => seen.push({ error: core.statusName(code), message }),
  });
  engine.start(0);
  engine.onResponse(200, 'text/event-stream', null, 1);
  engine.onBytes(enc.encode('id: 12345\ndata: a\n\nid: 1234\ndata: b\n\n'), 2);
  assert.deepEqual(seen, [
    { error: 'id_too_long', message: core.strerror(core.Status.ID_TOO_LONG) },
    { data: 'b', id: '1234' },
  ]);
  engine.free();
});
