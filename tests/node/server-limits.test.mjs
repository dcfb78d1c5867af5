// Hostile and malformed input: each bad request gets its status, and the
// server keeps serving everyone else (a stream opened first sees an event
// published after all of them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, publish, readStream, parseStream, metrics, within, eventually, rawExchange, statusOf,
  WAIT_LIMIT_MS,
} from './server-harness.mjs';

let server;
before(async () => {
  server = await startServer(['--max-body-bytes', '1024', '--max-header-bytes', '2048',
    '--max-connections', '3']);
});
after(async () => { await server?.stop(); });

const form = 'application/x-www-form-urlencoded';
const seventeen = Array.from({ length: 17 }, (_, i) => `topic=t${i}`).join('&');

const badRequests = [
  ['events without a topic', 'GET', '/events', {}, null, 400],
  ['events with a bad topic name', 'GET', '/events?topic=a%20b', {}, null, 400],
  ['events with 17 topics', 'GET', `/events?${seventeen}`, {}, null, 400],
  ['events with a malformed Last-Event-ID', 'GET', '/events?topic=a',
    { 'Last-Event-ID': 'yesterday' }, null, 400],
  ['events with a malformed lastEventId', 'GET', '/events?topic=a&lastEventId=1-x', {}, null, 400],
  ['events with POST', 'POST', '/events?topic=a', { 'content-type': form }, 'x=1', 405],
  ['publish with GET', 'GET', '/publish', {}, null, 405],
  ['publish as text/plain', 'POST', '/publish', { 'content-type': 'text/plain' }, 'hi', 415],
  ['publish without a topic', 'POST', '/publish', { 'content-type': form }, 'data=x', 400],
  ['publish to a bad topic', 'POST', '/publish', { 'content-type': form }, 'topic=a/b&data=x', 400],
  ['publish a type with a line break', 'POST', '/publish', { 'content-type': form },
    'topic=a&type=x%0Aevil&data=x', 400],
  ['publish without data', 'POST', '/publish', { 'content-type': form }, 'topic=a', 400],
  ['publish data that is not UTF-8', 'POST', '/publish', { 'content-type': form },
    'topic=a&data=%C3%28', 400],
  ['publish malformed JSON', 'POST', '/publish', { 'content-type': 'application/json' },
    '{"topic":"a",', 400],
  ['publish JSON data that is an object', 'POST', '/publish',
    { 'content-type': 'application/json' }, '{"topic":"a","data":{"x":1}}', 400],
  ['publish a body over --max-body-bytes', 'POST', '/publish', { 'content-type': form },
    `topic=a&data=${'x'.repeat(2000)}`, 413],
  ['an unknown path', 'GET', '/admin', {}, null, 404],
  ['healthz with DELETE', 'DELETE', '/healthz', {}, null, 405],
];

test('answers_each_bad_request_with_its_status_and_keeps_serving', async () => {
  let witnessed;
  const witness = readStream(server.url('/events?topic=witness'), {
    until: (text) => parseStream(text).events.some((e) => e.data === 'still here'),
  });
  // Let the witness subscribe before anything else happens.
  await within(WAIT_LIMIT_MS, (async () => {
    while ((await metrics(server)).ssemux_connections < 1) await new Promise((r) => setTimeout(r, 20));
  })(), 'witness stream to open');

  const failures = [];
  for (const [what, method, path, headers, body, want] of badRequests) {
    const res = await within(WAIT_LIMIT_MS, fetch(server.url(path), { method, headers, body }), what);
    const text = await res.text();
    if (res.status !== want) failures.push(`${what}: expected ${want}, got ${res.status} ${text}`);
    else if (!JSON.parse(text).error) failures.push(`${what}: expected a JSON error, got ${text}`);
  }
  assert.deepEqual(failures, []);

  const id = await publish(server, 'witness', 'still here');
  witnessed = await witness;
  assert.ok(parseStream(witnessed.text).events.some((e) => e.id === id),
    `the witness stream should still get events: ${witnessed.text}`);
});

test('refuses_a_body_without_content_length_with_411', async () => {
  const reply = await rawExchange(server, 'POST /publish HTTP/1.1\r\nHost: x\r\n' +
    `Content-Type: ${form}\r\nTransfer-Encoding: chunked\r\n\r\n9\r\ntopic=a&d\r\n0\r\n\r\n`);
  assert.equal(statusOf(reply), 411, reply);
});

test('drops_requests_whose_headers_exceed_the_limit_without_hurting_others', async () => {
  // libwebsockets 4.1 has no hook to answer these: it closes the
  // connection. What matters is no 2xx and no harm to anyone else.
  const reply = await rawExchange(server, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4000)}\r\n\r\n`);
  assert.ok(statusOf(reply) === 0 || statusOf(reply) >= 400, `expected no success, got ${reply}`);
  const ok = await fetch(server.url('/healthz'));
  assert.equal(ok.status, 200);
});

test('survives_garbage_and_half_requests', async () => {
  for (const junk of ['HELLO\r\n\r\n', '\x00\x01\x02\xff\r\n\r\n', 'GET /events?topic=a HTTP/1.1\r\n',
    'GET ' + '/'.repeat(3000) + ' HTTP/1.1\r\n\r\n', 'POST /publish HTTP/1.1\r\nContent-Length: 5\r\n\r\nab']) {
    const reply = await rawExchange(server, junk, { endAfterMs: 300 });
    assert.ok(!/^HTTP\/1\.1 2/.test(reply), `junk ${JSON.stringify(junk.slice(0, 30))} got ${reply}`);
  }
  const ok = await fetch(server.url('/healthz'));
  assert.equal(ok.status, 200);
});

test('answers_503_with_retry_after_past_max_connections', async () => {
  await eventually(async () => (await metrics(server)).ssemux_connections === 0,
    'earlier streams to be closed');
  const opened = [];
  const controllers = [];
  try {
    for (let i = 0; i < 3; i++) {
      const c = new AbortController();
      controllers.push(c);
      const res = await fetch(server.url(`/events?topic=full${i}`), { signal: c.signal });
      assert.equal(res.status, 200);
      opened.push(res);
    }
    const refused = await fetch(server.url('/events?topic=full'));
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '3');
    assert.deepEqual(await refused.json(), { error: 'too many event streams' });
    // Publishing and health checks are not streams: still fine.
    await publish(server, 'full0', 'x');
  } finally {
    for (const c of controllers) c.abort();
  }
  // Once they are gone, streams are accepted again.
  await within(WAIT_LIMIT_MS, (async () => {
    for (;;) {
      const c = new AbortController();
      const res = await fetch(server.url('/events?topic=again'), { signal: c.signal });
      c.abort();
      if (res.status === 200) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  })(), 'a stream to be accepted after others closed');
});

test('counts_rejections_by_status_in_metrics', async () => {
  const m = await metrics(server);
  assert.ok(m['ssemux_http_responses_total{code="400"}'] >= 10, JSON.stringify(m));
  assert.ok(m['ssemux_http_responses_total{code="503"}'] >= 1, JSON.stringify(m));
  assert.ok(m['ssemux_http_responses_total{code="413"}'] >= 1, JSON.stringify(m));
});
