// The JS <-> wasm boundary of ssemux-core.js: batches that fill up in the
// middle of a chunk, the one-decode-per-batch fast path and its per-field
// fallback for invalid UTF-8, callbacks that re-enter the parser, memory
// that grows under a batch, and block reuse after free().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadWasmCore, parseToJsonLines, recordingParser, webDir } from './wasm-core.mjs';

const core = await loadWasmCore();
const enc = new TextEncoder();
const collect = (options) => recordingParser(core, options);

function expectEvents(got, expected, what) {
  assert.equal(got.length, expected.length, `${what}: expected ${expected.length} events, got ${got.length}`);
  for (let i = 0; i < expected.length; i++) {
    assert.deepEqual(got[i], expected[i], `${what}: event ${i}: expected ${JSON.stringify(expected[i])}, ` +
      `got ${JSON.stringify(got[i])}`);
  }
}

test('more_events_than_records_in_one_chunk_are_all_delivered_in_order', () => {
  // ~9000 events in one 64 KiB piece: the 2048-record batch fills mid-chunk.
  const { parser, seen } = collect();
  const expected = [];
  let text = '';
  for (let i = 0; text.length < 60000; i++) {
    text += `data:${i}\n\n`;
    expected.push(['message', String(i), '']);
  }
  parser.feed(enc.encode(text));
  expectEvents(seen, expected, 'tiny events');
  parser.free();
});

test('arena_full_mid_chunk_flushes_and_goes_on', () => {
  // A 1 MiB input buffer takes the whole chunk in one call; the arena holds
  // about two of these events, so it fills several times during the call.
  const { parser, seen } = collect({ maxData: 60000, inputBytes: 1 << 20 });
  const expected = [];
  let text = '';
  for (let i = 0; i < 12; i++) {
    const data = `${i}:` + 'é😀x'.repeat(5000); // 45 000 bytes
    text += `event: big${i % 2}\nid: ${i}\ndata: ${data}\n\n`;
    expected.push([`big${i % 2}`, data, String(i)]);
  }
  parser.feed(enc.encode(text));
  expectEvents(seen, expected, 'large events');
  parser.free();
});

test('chunks_larger_than_the_input_buffer_are_fed_in_pieces', () => {
  const input = enc.encode('event: e\ndata: héllo wörld\n\n'.repeat(50));
  const whole = parseToJsonLines(core, input);
  const small = parseToJsonLines(core, input, [], { inputBytes: 16 });
  assert.equal(whole.length, 50);
  assert.deepEqual(small, whole, 'a 16-byte input buffer must not change the result');
});

test('many_multibyte_events_cross_decode_segments_intact', () => {
  // Segments are cut every ~32 KiB of arena: UTF-16 offsets must stay exact.
  const { parser, seen } = collect();
  const expected = [];
  const parts = [];
  for (let i = 0; i < 3000; i++) {
    const type = i % 3 === 0 ? 'message' : `t${i % 7}é`;
    const data = `${'€'.repeat(i % 5)}${i}${'🏆'.repeat(i % 3)}\n\uFEFF${i}`;
    const id = i % 4 === 0 ? `id-${i}-ü` : expected.length ? expected[expected.length - 1][2] : '';
    parts.push(`${type === 'message' ? '' : `event:${type}\n`}${i % 4 === 0 ? `id:${id}\n` : ''}` +
      `data:${data.replace('\n', '\ndata:')}\n\n`);
    expected.push([type, data, id]);
  }
  parser.feed(enc.encode(parts.join('')));
  expectEvents(seen, expected, 'multibyte events');
  parser.free();
});

test('invalid_utf8_is_replaced_per_field_even_when_fields_would_glue', () => {
  // "a\xC3" then an ID starting with "\xA9": concatenated they are "aé", but
  // each field alone is invalid and decodes to U+FFFD (spec: the stream is
  // decoded first, and a line end is never part of a sequence).
  const cases = [
    [[...enc.encode('id: '), 0xa9, 0x78, 10, ...enc.encode('data: a'), 0xc3, 10, 10], ['message', 'a\uFFFD', '\uFFFDx']],
    [[...enc.encode('event: t'), 0xc3, 10, ...enc.encode('data: '), 0xa9, 10, 10], ['t\uFFFD', '\uFFFD', '']],
    [[...enc.encode('data: '), 0xff, 0xe2, 0x82, 10, 10], ['message', '\uFFFD\uFFFD', '']],
  ];
  for (const [bytes, expected] of cases) {
    const { parser, seen } = collect();
    // A valid event first, so the invalid one shares its batch.
    parser.feed(Uint8Array.from([...enc.encode('data: ok\n\n'), ...bytes]));
    expectEvents(seen, [['message', 'ok', ''], expected], `bytes ${JSON.stringify(bytes)}`);
    parser.free();
  }
});

test('limit_errors_carry_code_and_message', () => {
  const seen = [];
  const parser = core.createParser({
    maxData: 4, maxType: 3, maxId: 2,
    onEvent: (type, data, id) => seen.push([type, data, id]),
    onError: (code, message) => seen.push([code, message]),
  });
  const status = parser.feed(enc.encode('data: 12345\n\nevent: long\ndata: a\n\nid: 123\ndata: b\n\ndata: ok\n\n'));
  assert.equal(status, core.Status.DATA_TOO_LARGE, 'feed returns the first error');
  expectEvents(seen, [
    [core.Status.DATA_TOO_LARGE, core.strerror(core.Status.DATA_TOO_LARGE)],
    [core.Status.TYPE_TOO_LONG, core.strerror(core.Status.TYPE_TOO_LONG)],
    [core.Status.ID_TOO_LONG, core.strerror(core.Status.ID_TOO_LONG)],
    ['message', 'ok', ''],
  ], 'limits');
  assert.match(core.strerror(core.Status.DATA_TOO_LARGE), /data/);
  parser.free();
});

test('a_throwing_callback_does_not_lose_events_and_its_error_surfaces', () => {
  const seen = [];
  const parser = core.createParser({
    onEvent: (type, data) => {
      seen.push(data);
      if (data === '1') throw new Error('boom');
    },
  });
  assert.throws(() => parser.feed(enc.encode('data: 1\n\ndata: 2\n\n')), /boom/);
  assert.deepEqual(seen, ['1', '2'], 'the event after the throwing callback is still delivered');
  parser.feed(enc.encode('data: 3\n\n'));
  assert.deepEqual(seen, ['1', '2', '3'], 'the parser works after the exception');
  parser.free();
});

test('feed_from_its_own_callback_throws', () => {
  let inner = null;
  const parser = core.createParser({
    onEvent: () => {
      try {
        parser.feed(enc.encode('data: nested\n\n'));
      } catch (e) {
        inner = e;
      }
    },
  });
  parser.feed(enc.encode('data: outer\n\n'));
  assert.ok(inner && /own callbacks/.test(inner.message),
    `expected a re-entrancy error, got ${inner && inner.message}`);
  parser.free();
});

test('reset_from_a_callback_drops_the_rest_of_the_chunk', () => {
  const seen = [];
  const parser = core.createParser({
    onEvent: (type, data, id) => {
      seen.push([data, id]);
      if (data === 'b') parser.reset();
    },
  });
  parser.feed(enc.encode('id: 1\ndata: a\n\ndata: b\n\ndata: c\n\ndata: unfinished'));
  parser.feed(enc.encode('data: d\n\n'));
  assert.deepEqual(seen, [['a', '1'], ['b', '1'], ['d', '1']],
    'c (same chunk as the reset) and the unfinished event are dropped; the ID is kept');
  parser.free();
});

test('free_from_a_callback_stops_delivery', () => {
  const seen = [];
  const parser = core.createParser({
    onEvent: (type, data) => {
      seen.push(data);
      parser.free();
    },
  });
  parser.feed(enc.encode('data: a\n\ndata: b\n\n'));
  assert.deepEqual(seen, ['a']);
  assert.throws(() => parser.feed(enc.encode('data: c\n\n')), /after free/);
});

test('memory_growth_inside_a_callback_keeps_the_batch_intact', () => {
  const others = [];
  const { parser, seen } = collect();
  const wrapped = core.createParser({
    onEvent: (type, data, id) => {
      seen.push([type, data, id]);
      // 8 MiB of new blocks: wasm memory grows and the old views detach.
      if (others.length < 4) others.push(core.createParser({ maxData: 8 << 20 }));
    },
  });
  const text = Array.from({ length: 20 }, (_, i) => `id:${i}\ndata:v${i}é\n\n`).join('');
  wrapped.feed(enc.encode(text));
  expectEvents(seen, Array.from({ length: 20 }, (_, i) => ['message', `v${i}é`, String(i)]), 'after growth');
  for (const o of others) o.free();
  wrapped.free();
  parser.free();
});

test('freed_blocks_are_reused', () => {
  // 3000 parsers of ~2 MiB each would need 6 GiB without reuse (wasm32 tops
  // out at 4 GiB): creating them one after another must not run out.
  for (let i = 0; i < 3000; i++) {
    const p = core.createParser({ maxData: 2 << 20 });
    p.free();
  }
  // Interleaved sizes exercise splitting and merging of free blocks.
  const live = [];
  for (let i = 0; i < 200; i++) {
    live.push(core.createParser({ maxData: 1024 * (1 + (i % 17)) }));
    if (i % 3 === 0) live.splice(i % live.length, 1)[0].free();
  }
  const lines = parseToJsonLines(core, enc.encode('data: still fine\n\n'));
  assert.deepEqual(lines, ['{"type":"message","data":"still fine","id":""}']);
  for (const p of live) p.free();
});

test('last_event_id_round_trips_as_utf8', () => {
  const { parser } = collect();
  assert.equal(parser.lastEventId, '');
  parser.setLastEventId('ü-🏆-1');
  assert.equal(parser.lastEventId, 'ü-🏆-1');
  parser.feed(enc.encode('data: x\n\n'));
  assert.equal(parser.lastEventId, 'ü-🏆-1');
  assert.throws(() => parser.setLastEventId('a\0b'), (e) => e.code === core.Status.INVALID_ARGUMENT,
    'an ID with NUL throws INVALID_ARGUMENT');
  assert.throws(() => parser.setLastEventId('€'.repeat(349526)), (e) => e.code === core.Status.ID_TOO_LONG,
    'an ID of 1 MiB + 2 bytes throws ID_TOO_LONG (the default maxId is 1 MiB)');
  parser.setLastEventId('€'.repeat(349525)); // 1 MiB - 1 bytes: longer than the input buffer, fits the limit
  assert.equal(parser.lastEventId, '€'.repeat(349525));
  parser.free();
});

test('loadCore_accepts_bytes_modules_responses_and_urls', async () => {
  const { loadCore } = await import(new URL(`file://${path.join(webDir, 'ssemux-core.js')}`).href);
  const bytes = await readFile(path.join(webDir, 'ssemux.wasm'));
  const module = await WebAssembly.compile(bytes);
  const sources = [
    bytes,
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    module,
    new Response(bytes, { headers: { 'content-type': 'application/wasm' } }),
    Promise.resolve(new Response(bytes)),
    path.join(webDir, 'ssemux.wasm'),
    undefined, // ./ssemux.wasm next to ssemux-core.js
  ];
  for (const source of sources) {
    const c = await loadCore(source);
    assert.deepEqual(parseToJsonLines(c, enc.encode('data: hi\n\n')), ['{"type":"message","data":"hi","id":""}'],
      `loading from ${source === undefined ? 'the default URL' : source.constructor.name}`);
  }
});

// Zero-copy: one-line data:/event:/id: values come back as offsets into the
// chunk and are sliced from its decoded text. Fed one byte at a time no line
// is ever whole inside a chunk, so every field takes the copying path: both
// must give the same events.
function feedAll(input, pieceBytes, options = {}) {
  const { parser, seen } = collect(options);
  for (let at = 0; at < input.length; at += pieceBytes) parser.feed(input.subarray(at, at + pieceBytes));
  parser.free();
  return seen;
}

test('zero_copy_fields_equal_the_copied_ones_for_ascii_utf8_and_invalid_bytes', () => {
  const bytes = [];
  const push = (s) => bytes.push(...enc.encode(s));
  for (let i = 0; i < 400; i++) {
    push(`event: t${i % 3}\nid: ${i}\ndata: {"n":${i}}\n\n`); // ASCII
    if (i % 50 === 7) push(`data: é${i}😀\r\ndata: two\r\n\r\n`); // UTF-8, CRLF, two lines
    if (i % 50 === 21) {
      // A lone invalid byte decodes to one U+FFFD: the chunk's text keeps
      // one unit per byte, so offsets stay exact.
      push('data: a'); bytes.push(0x80); push('b\n\n');
      push('id: x'); bytes.push(0xff); push('\n'); push('data: c\n\n');
    }
  }
  const input = Uint8Array.from(bytes);
  const reference = feedAll(input, 1);
  assert.ok(reference.length > 400, `expected > 400 events, got ${reference.length}`);
  assert.ok(reference.some((e) => e[1] === 'a\uFFFDb'), 'a lone invalid byte becomes U+FFFD');
  assert.ok(reference.some((e) => e[2] === 'x\uFFFD'), 'also in an ID');
  for (const piece of [16 * 1024, 4096, 777, 100, 9]) {
    expectEvents(feedAll(input, piece), reference, `${piece}-byte chunks`);
  }
});

test('zero_copy_backs_off_after_non_ascii_chunks_and_comes_back', () => {
  // 100 UTF-8 chunks (zero-copy turns off for a while), then ASCII ones.
  const chunks = [];
  const expected = [];
  for (let i = 0; i < 200; i++) {
    const data = i < 100 ? `ü${i}` : `a${i}`;
    chunks.push(enc.encode(`id: ${i}\ndata: ${data}\n\n`));
    expected.push(['message', data, String(i)]);
  }
  const { parser, seen } = collect();
  for (const c of chunks) parser.feed(c);
  expectEvents(seen, expected, 'UTF-8 then ASCII chunks');
  parser.free();
});

test('an_id_set_from_a_callback_does_not_disturb_later_fields_of_the_chunk', () => {
  // setLastEventId writes its UTF-8 into the wasm input buffer, where the
  // rest of the chunk still is: fields must come from the caller's bytes.
  // (The chunk was parsed before any callback ran, so its later events keep
  // the ID they were parsed with.)
  const seen = [];
  const parser = core.createParser({
    onEvent: (type, data, id) => {
      seen.push([type, data, id]);
      if (data === 'first') parser.setLastEventId('X'.repeat(40));
    },
  });
  parser.feed(enc.encode('data: first\n\nevent: later\ndata: second\n\nid: 7\ndata: third\n\n'));
  expectEvents(seen, [
    ['message', 'first', ''],
    ['later', 'second', ''],
    ['message', 'third', '7'],
  ], 'after setLastEventId in a callback');
  parser.free();
});
