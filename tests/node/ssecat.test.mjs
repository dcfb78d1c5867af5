// ssecat, the native CLI, against a real node http server on 127.0.0.1.
// Run: node --test tests/node/ssecat.test.mjs   (SSEMUX_BUILD_DIR=/path/to/build if not ./build)
// Redirects, methods and bodies, comments and SIGHUP have files of their own
// (ssecat-*.test.mjs); the harness is ssecat-harness.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  repo, runSsecat, startServer, withServer, startEventStream, eventLine,
  expectEqual, expectMatch, expectBetween,
} from './ssecat-harness.mjs';

// ---- --parse -------------------------------------------------------------

// Every rule that depends on where a line or a field ends: BOM, CRLF and
// lone CR, comments, colon-less fields, the one stripped space, ids with NUL,
// invalid retry values, unknown (case-sensitive) names, empty-data blocks,
// bytes that are not UTF-8, and an unfinished event at EOF.
const trickyStream = Buffer.concat([
  Buffer.from([0xef, 0xbb, 0xbf]),
  Buffer.from('data: first\r\ndata:second\r: comment\nid: 1\r\n\r\n'),
  Buffer.from('event: custom\ndata\ndata:  two spaces\n\n'),
  Buffer.from('retry: 1500\nretry: 15x\nretry:\nid: 2\0x\n'),
  Buffer.from('data: é ünïcödé ✓ 😀 \nid\n\n'),
  Buffer.from('event: ignored\n\ndata: after-empty\n\n'),
  Buffer.from('data: bad '), Buffer.from([0xff, 0xc0]), Buffer.from(' utf8\n\n'),
  Buffer.from('Data: case\n\ndata:\ttab\r\r'),
  Buffer.from('id: 3\ndata: tail without blank line'),
]);

const trickyExpected = [
  eventLine('first\nsecond', '1'),
  eventLine('\n two spaces', '1', 'custom'),
  JSON.stringify({ retry: 1500 }),
  eventLine('é ünïcödé ✓ 😀 ', ''),
  eventLine('after-empty', ''),
  eventLine('bad \uFFFD\uFFFD utf8', ''),
  eventLine('\ttab', ''),
];

test('parse_mode_output_does_not_depend_on_chunking', async () => {
  const whole = await runSsecat(['--parse'], { input: trickyStream });
  expectEqual(whole.code, 0, 'exit code of --parse', whole);
  expectEqual(whole.lines, trickyExpected, '--parse fed as read', whole);
  for (const chunk of ['1', '2', '7']) {
    const split = await runSsecat(['--parse', '--chunk', chunk], { input: trickyStream });
    expectEqual(split.lines, trickyExpected, `--parse --chunk ${chunk}`, split);
  }
});

/** tests/cases/parser.txt: [{ name, input: Buffer, expected: [json line], dropped: [name], args }]. */
function loadParserCases() {
  const text = readFileSync(join(repo, 'tests', 'cases', 'parser.txt'), 'utf8');
  const unescape = (line) => {
    const bytes = [];
    const raw = Buffer.from(line, 'utf8');
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] !== 0x5c) { bytes.push(raw[i]); continue; }
      const c = String.fromCharCode(raw[++i]);
      if (c === 'x') { bytes.push(parseInt(raw.subarray(i + 1, i + 3).toString(), 16)); i += 2; }
      else {
        const byte = { r: 0x0d, n: 0x0a, t: 0x09, '\\': 0x5c, 0: 0x00 }[c];
        if (byte === undefined) throw new Error(`parser.txt: unknown escape \\${c} in ${line}`);
        bytes.push(byte);
      }
    }
    return bytes;
  };
  const cases = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('== ')) {
      cases.push({ name: line.slice(3).trim(), bytes: [], expected: [], dropped: [], args: [] });
    } else if (line.startsWith('< ')) cases.at(-1).bytes.push(...unescape(line.slice(2)));
    else if (line.startsWith('> ')) cases.at(-1).expected.push(line.slice(2));
    else if (line.startsWith('! ')) cases.at(-1).dropped.push(line.slice(2));
    else if (line.startsWith('@ ')) { // "@ max_id 8" -> --max-id 8
      const [name, value] = line.slice(2).split(' ');
      cases.at(-1).args.push(`--${name.replace('_', '-')}`, value);
    }
  }
  return cases.map((c) => ({ ...c, input: Buffer.from(c.bytes) }));
}

test('parse_mode_matches_every_case_in_tests_cases_parser_txt', async () => {
  const cases = loadParserCases();
  assert.ok(cases.length > 0, 'expected parser cases in tests/cases/parser.txt, got none');
  const jobs = cases.flatMap((c) => [['--parse'], ['--parse', '--chunk', '1']]
    .map((args) => ({ c, args: [...args, ...c.args] })));
  // A few processes at a time: each start costs tens of ms (more with sanitizers).
  const check = async ({ c, args }) => {
    const run = await runSsecat(args, { input: c.input });
    expectEqual(run.lines, c.expected, `case ${c.name} with ssecat ${args.join(' ')}`, run);
    expectEqual(droppedOnStderr(run.stderr), c.dropped, `case ${c.name}: events reported dropped on stderr`, run);
  };
  for (let i = 0; i < jobs.length; i += 4) await Promise.all(jobs.slice(i, i + 4).map(check));
});

test('parse_mode_decodes_utf8_like_TextDecoder', async () => {
  // Random bytes (no CR/LF) as data values: each value must come out as
  // JSON.stringify of what TextDecoder makes of it, U+FFFD rules included.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const interesting = [0x00, 0x1f, 0x22, 0x5c, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe2,
    0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x41, 0x9f, 0xa0, 0x8f, 0x90];
  let seed = 12345;
  const nextRandom = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const values = [];
  for (let i = 0; i < 300; i++) {
    const bytes = Array.from({ length: nextRandom(10) }, () =>
      i % 2 ? interesting[nextRandom(interesting.length)] : nextRandom(256));
    values.push(Buffer.from(bytes.filter((b) => b !== 0x0a && b !== 0x0d)));
  }
  const input = Buffer.concat(values.flatMap((v) => [Buffer.from('data: '), v, Buffer.from('\n\n')]));
  const run = await runSsecat(['--parse'], { input });
  const expected = values.map((v) => eventLine(decoder.decode(v)));
  for (let i = 0; i < values.length; i++) {
    expectEqual(run.lines[i], expected[i], `event for bytes ${values[i].toString('hex')}`, run);
  }
  expectEqual(run.lines.length, expected.length, 'number of events', run);
});

/** The limits named by ssecat's "event discarded" lines, e.g. ['id_too_long']. */
function droppedOnStderr(stderr) {
  const names = { '--max-data': 'data_too_large', '--max-type': 'type_too_long', '--max-id': 'id_too_long' };
  return [...stderr.matchAll(/^ssecat: .*event discarded(?: \((--max-[a-z]+) \d+\))?$/gm)]
    .map((m) => names[m[1]] ?? 'no_memory');
}

test('parse_mode_reports_limit_errors_and_goes_on', async () => {
  const input = 'data: 123456789\n\nid: 12345678901\ndata: x\n\ndata: ok\n\n';
  const run = await runSsecat(['--parse', '--max-data', '8', '--max-id', '10'], { input });
  expectEqual(run.code, 0, 'exit code', run);
  expectEqual(run.lines, [eventLine('ok')], 'events that fit the limits', run);
  expectMatch(run.stderr, /data larger than the limit; event discarded \(--max-data 8\)/, 'stderr for the big data');
  expectMatch(run.stderr, /id longer than the limit; event discarded \(--max-id 10\)/, 'stderr for the long id');
});

test('parse_mode_delivers_what_the_old_limits_lost_and_reports_past_the_new_ones', async () => {
  // Issue 12: a 100,000-byte id, a 300-byte type and a data line of exactly
  // 1 MiB were dropped by the 256-byte / 1 MiB limits; EventSource delivers them.
  const big = `id: ${'i'.repeat(100000)}\nevent: ${'t'.repeat(300)}\ndata: ${'d'.repeat(1 << 20)}\n\n`;
  const past = `id: ${'x'.repeat((1 << 20) + 1)}\ndata: lost\n\ndata: after\n\n`;
  const run = await runSsecat(['--parse', '--chunk', '4096'], { input: big + past });
  expectEqual(run.code, 0, 'exit code', run);
  expectEqual(run.lines, [eventLine('d'.repeat(1 << 20), 'i'.repeat(100000), 't'.repeat(300)),
    eventLine('after', 'i'.repeat(100000))], 'the big event, then the one after the dropped one');
  expectEqual(droppedOnStderr(run.stderr), ['id_too_long'], 'the 1 MiB + 1 id is reported', run);
  expectMatch(run.stderr, /--max-id 1048576/, 'the report names the flag and the default');
});

test('url_mode_reports_a_dropped_event_on_stderr_even_when_quiet', async () => {
  await withServer((req, res) => {
    startEventStream(res);
    res.write(`data: ${'d'.repeat(20)}\n\ndata: ok\n\n`);
  }, async (server) => {
    const run = await runSsecat(['--quiet', '--max-data', '16', '--max-events', '1', server.url]);
    expectEqual(run.code, 0, 'exit code after --max-events', run);
    expectEqual(run.lines, [eventLine('ok')], 'the event that fits', run);
    expectEqual(droppedOnStderr(run.stderr), ['data_too_large'], 'the dropped one, reported despite --quiet', run);
  });
});

// ---- URL mode -------------------------------------------------------------

test('url_mode_prints_events_and_stops_after_max_events', async () => {
  await withServer((req, res) => {
    startEventStream(res);
    // One write with three events: --max-events must cut inside a chunk.
    res.write('id: a\ndata: one\n\nevent: note\ndata: two\n\ndata: three\n\n');
  }, async (server) => {
    const run = await runSsecat(['--max-events', '2', server.url]);
    expectEqual(run.code, 0, 'exit code after --max-events', run);
    expectEqual(run.lines, [eventLine('one', 'a'), eventLine('two', 'a', 'note')], 'stdout', run);
    expectMatch(run.stderr, /ssecat: connected/, 'status line on stderr', run);
  });
});

test('sends_accept_cache_control_custom_headers_and_last_event_id', async () => {
  await withServer((req, res) => {
    startEventStream(res);
    res.write('data: hi\n\n');
  }, async (server) => {
    const run = await runSsecat(['-H', 'X-Token: abc 123', '--header', 'X-Other: 2',
      '--last-event-id', 'seed-7', '--max-events', '1', server.url]);
    expectEqual(run.code, 0, 'exit code', run);
    const h = server.requests[0].headers;
    expectEqual(h.accept, 'text/event-stream', 'Accept header', run);
    expectEqual(h['cache-control'], 'no-cache', 'Cache-Control header', run);
    expectEqual(h['x-token'], 'abc 123', '-H header', run);
    expectEqual(h['x-other'], '2', '--header header', run);
    expectEqual(h['last-event-id'], 'seed-7', 'Last-Event-ID from --last-event-id', run);
  });
});

test('user_accept_header_replaces_the_default', async () => {
  await withServer((req, res) => {
    startEventStream(res);
    res.write('data: hi\n\n');
  }, async (server) => {
    const run = await runSsecat(['-H', 'Accept: text/event-stream, */*;q=0.1', '--max-events', '1',
      server.url]);
    const h = server.requests[0].headers;
    expectEqual(h.accept, 'text/event-stream, */*;q=0.1', 'Accept header (one, the user\'s)', run);
    expectEqual(h['last-event-id'], undefined, 'Last-Event-ID when none is known', run);
  });
});

test('reconnects_after_retry_delay_with_last_event_id_and_gets_the_rest', async () => {
  await withServer((req, res, record) => {
    startEventStream(res);
    if (record.n === 1) {
      res.end('retry: 200\n\nid: 1\ndata: one\n\nid: 2\ndata: two\n\n');
      return;
    }
    // Replays what came after Last-Event-ID.
    const from = Number(req.headers['last-event-id']) + 1;
    for (let id = from; id <= 4; id++) res.write(`id: ${id}\ndata: event ${id}\n\n`);
  }, async (server) => {
    const run = await runSsecat(['--max-events', '4', server.url]);
    expectEqual(run.code, 0, 'exit code', run);
    expectEqual(run.lines, [eventLine('one', '1'), eventLine('two', '2'),
      eventLine('event 3', '3'), eventLine('event 4', '4')], 'events across the reconnect', run);
    expectEqual(server.requests.length, 2, 'requests made', run);
    expectEqual(server.requests[1].headers['last-event-id'], '2', 'Last-Event-ID on reconnect', run);
    const gap = server.requests[1].at - server.requests[0].endedAt;
    expectBetween(gap, 190, 1400, 'ms between the stream end and the reconnect (retry: 200)', run);
    expectMatch(run.stderr, /reconnecting in 200 ms/, 'status line', run);
  });
});

test('an_empty_id_clears_last_event_id_and_a_half_event_is_dropped_on_reconnect', async () => {
  await withServer((req, res, record) => {
    startEventStream(res);
    if (record.n === 1) {
      // "id:" with no value resets the ID; the stream then dies mid-event.
      res.end('retry: 50\nid: abc\ndata: one\n\nid:\ndata: two\n\nid: def\ndata: half');
      return;
    }
    res.write('data: three\n\n');
  }, async (server) => {
    const run = await runSsecat(['--max-events', '3', server.url]);
    expectEqual(run.code, 0, 'exit code', run);
    expectEqual(run.lines, [eventLine('one', 'abc'), eventLine('two', ''), eventLine('three', '')],
      'events (the half one never, its ID never)', run);
    expectEqual(server.requests[1]?.headers['last-event-id'], undefined,
      'Last-Event-ID on reconnect after an empty id:', run);
  });
});

test('replayed_duplicate_ids_are_printed_once', async () => {
  await withServer((req, res, record) => {
    startEventStream(res);
    if (record.n === 1) {
      res.end('retry: 50\n\nid: 1\ndata: one\n\nid: 2\ndata: two\n\nid: 3\ndata: three\n\n');
      return;
    }
    // An at-least-once server replaying more than asked: 2 and 3 again.
    res.write('id: 2\ndata: two\n\nid: 3\ndata: three\n\nid: 4\ndata: four\n\n');
  }, async (server) => {
    const run = await runSsecat(['--max-events', '4', server.url]);
    expectEqual(run.code, 0, 'exit code', run);
    expectEqual(run.lines, [eventLine('one', '1'), eventLine('two', '2'), eventLine('three', '3'),
      eventLine('four', '4')], 'events, each ID once', run);
    expectEqual(server.requests[1]?.headers['last-event-id'], '3', 'Last-Event-ID on reconnect', run);
    expectMatch(run.stderr, /skipped 2 replayed event/, 'status line about the replay', run);
  });
});

test('stops_without_reconnecting_on_204', async () => {
  await withServer((req, res) => {
    res.writeHead(204);
    res.end();
  }, async (server) => {
    const run = await runSsecat(['--retry', '50', server.url]);
    expectEqual(run.code, 0, 'exit code on 204', run);
    expectEqual(run.lines, [], 'stdout', run);
    expectEqual(server.requests.length, 1, 'requests made', run);
    expectMatch(run.stderr, /204/, 'stderr names the status', run);
  });
});

test('exits_3_when_200_is_not_an_event_stream', async () => {
  await withServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<html>data: not an event\n\n</html>');
  }, async (server) => {
    const run = await runSsecat(['--retry', '50', server.url]);
    expectEqual(run.code, 3, 'exit code on 200 text/html', run);
    expectEqual(run.lines, [], 'stdout', run);
    expectEqual(server.requests.length, 1, 'requests made', run);
    expectMatch(run.stderr, /text\/html/, 'stderr names the Content-Type', run);
  });
});

test('exits_3_unauthorized_on_401', async () => {
  await withServer((req, res) => {
    res.writeHead(401, { 'WWW-Authenticate': 'Bearer' });
    res.end();
  }, async (server) => {
    const run = await runSsecat(['--retry', '50', server.url]);
    expectEqual(run.code, 3, 'exit code on 401', run);
    expectEqual(server.requests.length, 1, 'requests made', run);
    expectMatch(run.stderr, /unauthorized/, 'stderr', run);
  });
});

test('acts_on_the_final_head_after_103_early_hints', async () => {
  await withServer((req, res) => {
    res.writeEarlyHints({ link: '</style.css>; rel=preload' });
    startEventStream(res);
    res.write('data: after hints\n\n');
  }, async (server) => {
    const run = await runSsecat(['--max-events', '1', server.url]);
    expectEqual(run.code, 0, 'exit code', run);
    expectEqual(run.lines, [eventLine('after hints')], 'stdout', run);
  });
});

test('waits_for_retry_after_on_503', async () => {
  await withServer((req, res, record) => {
    if (record.n === 1) {
      res.writeHead(503, { 'Retry-After': '1' });
      res.end('busy');
      return;
    }
    startEventStream(res);
    res.write('data: back\n\n');
  }, async (server) => {
    // --retry 100: without Retry-After the wait would be at most 100 ms.
    const run = await runSsecat(['--retry', '100', '--max-events', '1', server.url]);
    expectEqual(run.code, 0, 'exit code', run);
    expectEqual(run.lines, [eventLine('back')], 'stdout', run);
    const gap = server.requests[1].at - server.requests[0].endedAt;
    // The server stamps endedAt after ssecat may already hold the response,
    // so allow a few ms of clock skew; 100 ms (--retry) would still fail.
    expectBetween(gap, 950, 3000, 'ms between the 503 and the retry (Retry-After: 1)', run);
    expectMatch(run.stderr, /reconnecting in \d+ ms \(HTTP 503\)/, 'status line', run);
  });
});

test('bad_url_exits_2', async () => {
  for (const url of ['http://exa mple.com/', 'not a url', 'ftp://127.0.0.1/', 'http://']) {
    const run = await runSsecat(['--timeout', '5', url]);
    expectEqual(run.code, 2, `exit code for ${JSON.stringify(url)}`, run);
    expectMatch(run.stderr, /bad URL/, `stderr for ${JSON.stringify(url)}`, run);
  }
});

test('usage_errors_exit_2', async () => {
  for (const args of [[], ['--max-events', '0', 'http://127.0.0.1/'], ['--no-such-option'],
    ['--chunk', '1', 'http://127.0.0.1/'], ['-H', 'no colon', 'http://127.0.0.1/'],
    ['--parse', 'http://127.0.0.1/']]) {
    const run = await runSsecat(args);
    expectEqual(run.code, 2, `exit code for ssecat ${args.join(' ')}`, run);
  }
});

test('refused_connection_with_timeout_exits_1', async () => {
  // A port that was free a moment ago: nothing listens there now.
  const probe = await startServer(() => {});
  const url = probe.url;
  await probe.close();
  const run = await runSsecat(['--timeout', '2', url]);
  expectEqual(run.code, 1, 'exit code', run);
  expectBetween(run.elapsed, 1900, 5000, 'ms until ssecat gave up (--timeout 2)', run);
  expectMatch(run.stderr, /could not connect/, 'stderr', run);
  expectMatch(run.stderr, /refused/i, 'stderr says why', run);
});

test('reconnects_when_the_heartbeat_is_lost', async () => {
  await withServer((req, res, record) => {
    startEventStream(res);
    if (record.n === 1) {
      // One event, then silence on a socket that stays open.
      res.write('id: 1\ndata: one\n\n');
      record.lastByteAt = performance.now();
      return;
    }
    res.write('id: 2\ndata: two\n\n');
  }, async (server) => {
    const run = await runSsecat(['--idle-timeout', '300', '--retry', '50', '--max-events', '2',
      server.url]);
    expectEqual(run.code, 0, 'exit code', run);
    expectEqual(run.lines, [eventLine('one', '1'), eventLine('two', '2')], 'stdout', run);
    expectEqual(server.requests[1]?.headers['last-event-id'], '1', 'Last-Event-ID on reconnect', run);
    const gap = server.requests[1].at - server.requests[0].lastByteAt;
    expectBetween(gap, 300, 2500, 'ms between the last byte and the reconnect (--idle-timeout 300)', run);
    expectMatch(run.stderr, /no bytes for 300 ms/, 'status line', run);
  });
});

test('heartbeat_comments_keep_the_connection', async () => {
  let timer;
  await withServer((req, res, record) => {
    startEventStream(res);
    if (record.n > 1) return;
    // Comments every 100 ms for 1 s: never 400 ms of silence.
    let beats = 0;
    timer = setInterval(() => {
      beats++;
      res.write(beats < 10 ? ':\n' : 'data: done\n\n');
      if (beats >= 10) clearInterval(timer);
    }, 100);
  }, async (server) => {
    const run = await runSsecat(['--idle-timeout', '400', '--max-events', '1', server.url]);
    expectEqual(run.lines, [eventLine('done')], 'stdout', run);
    expectEqual(server.requests.length, 1, 'requests made (a reconnect makes two)', run);
  }).finally(() => clearInterval(timer));
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  test(`exits_0_on_${signal}`, async () => {
    await withServer((req, res) => {
      startEventStream(res);
      res.write('data: first\n\n');
    }, async (server) => {
      const run = await runSsecat([server.url], {
        onStdoutLine: (line, child) => child.kill(signal),
      });
      expectEqual(run.signal, null, 'killed by a signal', run);
      expectEqual(run.code, 0, `exit code after ${signal}`, run);
      expectEqual(run.lines, [eventLine('first')], 'stdout', run);
    });
  });
}
