// ssemux-server's wire format, byte for byte (curl -N), and what a client
// nobody here wrote (the eventsource package) makes of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import {
  startServer, publish, publishRaw, readStream, parseStream, run, metrics, eventually, within,
  WAIT_LIMIT_MS,
} from './server-harness.mjs';

let server;
before(async () => { server = await startServer(['--heartbeat-ms', '400']); });
after(async () => { await server?.stop(); });

const waitForStreams = (n) => eventually(async () => (await metrics(server)).ssemux_connections === n,
  `${n} open stream(s)`);

test('replays_exact_bytes_with_retry_first_and_data_split_on_every_line_break', async () => {
  const first = await publish(server, 'wire', 'first');
  const second = await publish(server, 'wire', 'a\nb\r\nc\rd', 'goal');
  const res = await run('curl', ['-sN', '--max-time', '2', '-H', `Last-Event-ID: ${first}`,
    server.url('/events?topic=wire')]);
  assert.equal(res.code, 28, `curl should stop at --max-time (28), got ${res.code}: ${res.stderr}`);
  // The stream stays open: heartbeats (400 ms here) may follow, nothing else.
  const idle = res.stdout.replace(/(: heartbeat\n\n)*$/, '');
  assert.equal(idle,
    `retry: 3000\n\nid: ${second}\nevent: goal\ndata: a\ndata: b\ndata: c\ndata: d\n\n`);
});

test('sends_event_stream_headers_and_the_heartbeat_interval', async () => {
  const res = await run('curl', ['-sNi', '--max-time', '1.5', server.url('/events?topic=headers')]);
  const [head] = res.stdout.split('\r\n\r\n');
  const lines = head.toLowerCase().split('\r\n');
  assert.equal(lines[0], 'http/1.1 200 ok');
  for (const want of ['content-type: text/event-stream', 'cache-control: no-store',
    'x-accel-buffering: no', 'x-sse-heartbeat: 400']) {
    assert.ok(lines.includes(want), `expected header "${want}", got:\n${head}`);
  }
});

test('writes_a_heartbeat_comment_when_a_stream_is_idle', async () => {
  const started = Date.now();
  const res = await readStream(server.url('/events?topic=quiet'), {
    until: (text) => text.includes(': heartbeat\n\n'),
  });
  const waited = Date.now() - started;
  assert.equal(res.text, 'retry: 3000\n\n: heartbeat\n\n');
  // The interval is 400 ms: never silent longer than that (plus scheduling).
  assert.ok(waited < 2500, `heartbeat after ${waited} ms, expected within ~400 ms`);
});

test('delivers_live_events_in_publish_order_across_topics', async () => {
  const ids = [];
  const res = await readStream(server.url('/events?topic=live-a&topic=live-b'), {
    onOpen: async () => {
      ids.push(await publish(server, 'live-a', '1'));
      ids.push(await publish(server, 'live-b', '2'));
      ids.push(await publish(server, 'other', 'not for us'));
      ids.push(await publish(server, 'live-a', '3'));
    },
    until: (text) => parseStream(text).events.length >= 3,
  });
  const { events, retries } = parseStream(res.text);
  assert.deepEqual(retries, [3000]);
  assert.deepEqual(events.map((e) => [e.id, e.data]),
    [[ids[0], '1'], [ids[1], '2'], [ids[3], '3']]);
});

test('names_events_topic_slash_type_for_route_type_streams', async () => {
  // ssemux's hub multiplexes topics on one stream and splits them by name.
  const ids = [];
  const res = await readStream(server.url('/events?topic=ra&topic=rb&route=type&lastEventId=1-0'), {
    onOpen: async () => {
      ids.push(await publish(server, 'ra', 'x', 'goal'));
      ids.push(await publish(server, 'rb', 'y'));
    },
    until: (text) => parseStream(text).events.filter((e) => e.id).length >= 2,
  });
  const { events } = parseStream(res.text);
  // History before this server started is unknown: one gap per topic, routed too.
  assert.deepEqual(events.filter((e) => !e.id).map((e) => e.event).sort(),
    ['ra/ssemux-gap', 'rb/ssemux-gap']);
  assert.deepEqual(events.filter((e) => e.id).map((e) => [e.id, e.event, e.data]),
    [[ids[0], 'ra/goal', 'x'], [ids[1], 'rb/message', 'y']]);
});

test('accepts_json_publishes_and_answers_with_the_assigned_id', async () => {
  const res = await publishRaw(server, { topic: 'json', type: 'note', data: 'x "quoted"\ny' },
    { json: true });
  assert.equal(res.status, 200, res.body);
  const { id } = JSON.parse(res.body);
  assert.match(id, /^\d+-\d+$/);
  const stream = await readStream(server.url('/events?topic=json&lastEventId=0-0'), {
    until: (text) => text.includes(`id: ${id}\n`) && text.endsWith('\n\n'),
  });
  const got = parseStream(stream.text).events.filter((e) => e.id === id);
  assert.deepEqual(got, [{ id, event: 'note', data: 'x "quoted"\ny' }]);
});

test('ids_increase_strictly_even_within_one_millisecond', async () => {
  const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => publish(server, 'burst', String(i))));
  const parsed = ids.map((id) => id.split('-').map(BigInt)).sort((a, b) =>
    (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : (a[0] < b[0] ? -1 : 1)));
  for (let i = 1; i < parsed.length; i++) {
    const [ms, seq] = parsed[i];
    const [pms, pseq] = parsed[i - 1];
    assert.ok(ms > pms || (ms === pms && seq > pseq), `ids not strictly increasing: ${ids.join(' ')}`);
  }
});

test('eventsource_package_receives_typed_events_with_their_ids', async () => {
  const es = new EventSource(server.url('/events?topic=es'));
  try {
    const got = [];
    const done = new Promise((ok, fail) => {
      es.onerror = (e) => fail(new Error(`EventSource error: ${e.message ?? e.type}`));
      const record = (e) => {
        got.push({ type: e.type, data: e.data, id: e.lastEventId });
        if (got.length === 2) ok();
      };
      es.onmessage = record;
      es.addEventListener('goal', record);
    });
    await within(WAIT_LIMIT_MS, new Promise((ok) => { es.onopen = ok; }), 'EventSource to open');
    const a = await publish(server, 'es', 'plain');
    const b = await publish(server, 'es', '2:1\nfinal', 'goal');
    await within(WAIT_LIMIT_MS, done, 'EventSource to get both events');
    assert.deepEqual(got, [
      { type: 'message', data: 'plain', id: a },
      { type: 'goal', data: '2:1\nfinal', id: b },
    ]);
  } finally {
    es.close();
  }
});

test('healthz_and_unknown_paths_answer_json', async () => {
  const ok = await fetch(server.url('/healthz'));
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { status: 'ok' });
  const missing = await fetch(server.url('/nothing-here'));
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { error: 'not found' });
});

test('metrics_count_streams_publishes_and_deliveries', async () => {
  const before = await metrics(server);
  const res = await readStream(server.url('/events?topic=counted'), {
    onOpen: () => publish(server, 'counted', 'x'),
    until: (text) => text.includes('data: x\n\n'),
  });
  assert.ok(res.text.includes('data: x'));
  const now = await metrics(server);
  assert.equal(now.ssemux_events_published_total - before.ssemux_events_published_total, 1);
  assert.equal(now.ssemux_events_delivered_total - before.ssemux_events_delivered_total, 1);
  assert.equal(now.ssemux_streams_opened_total - before.ssemux_streams_opened_total, 1);
  await waitForStreams(0);
});
