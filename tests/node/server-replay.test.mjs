// Resuming: Last-Event-ID (header or ?lastEventId=) replays what a client
// missed and continues live without gap or duplicate; history that is gone
// is announced with an ssemux-gap event; the log survives kill -9.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import {
  startServer, publish, publishRaw, readStream, parseStream, metrics, within, tempDir, removeDir,
  sleep, WAIT_LIMIT_MS,
} from './server-harness.mjs';

const cleanups = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

async function server(args = []) {
  const s = await startServer(args);
  cleanups.push(() => s.stop('SIGKILL'));
  return s;
}

function dataDir() {
  const dir = tempDir();
  cleanups.push(() => removeDir(dir));
  return dir;
}

async function publishMany(s, topic, n, prefix = 'e') {
  const ids = [];
  for (let i = 0; i < n; i++) ids.push(await publish(s, topic, `${prefix}${i}`));
  return ids;
}

const idsOf = (text) => parseStream(text).events.filter((e) => e.id).map((e) => e.id);

test('replays_after_the_last_event_id_header_then_continues_live', async () => {
  const s = await server();
  const ids = await publishMany(s, 'r1', 5);
  let live;
  const res = await readStream(s.url('/events?topic=r1'), {
    headers: { 'Last-Event-ID': ids[1] },
    onOpen: async () => { live = await publish(s, 'r1', 'live'); },
    until: (text) => idsOf(text).length >= 4,
  });
  assert.deepEqual(idsOf(res.text), [ids[2], ids[3], ids[4], live]);
  assert.ok(!res.text.includes('ssemux-gap'), `no gap expected: ${res.text}`);
});

test('replays_after_the_lastEventId_query_parameter', async () => {
  const s = await server();
  const ids = await publishMany(s, 'r2', 4);
  const res = await readStream(s.url(`/events?topic=r2&lastEventId=${ids[0]}`), {
    until: (text) => idsOf(text).length >= 3,
  });
  assert.deepEqual(idsOf(res.text), ids.slice(1));
});

test('prefers_the_header_to_a_stale_query_parameter', async () => {
  // A native EventSource keeps its URL and sends the newest ID as a header.
  const s = await server();
  const ids = await publishMany(s, 'r3', 4);
  const res = await readStream(s.url(`/events?topic=r3&lastEventId=${ids[0]}`), {
    headers: { 'Last-Event-ID': ids[2] },
    until: (text) => idsOf(text).length >= 1,
  });
  await sleep(100);
  assert.deepEqual(idsOf(res.text), [ids[3]]);
});

test('merges_topics_in_id_order_with_no_gap_or_duplicate_while_publishing_during_replay', async () => {
  const s = await server(['--history', '1000']);
  const before = [];
  for (let i = 0; i < 300; i++) before.push(await publish(s, i % 3 ? 'm-a' : 'm-b', `old${i}`));
  const during = [];
  const res = await readStream(s.url(`/events?topic=m-a&topic=m-b&lastEventId=${before[0]}`), {
    onOpen: async () => {
      for (let i = 0; i < 60; i++) during.push(await publish(s, i % 2 ? 'm-a' : 'm-b', `new${i}`));
    },
    until: (text) => idsOf(text).length >= 299 + 60,
    limit: 20000,
  });
  assert.deepEqual(idsOf(res.text), [...before.slice(1), ...during]);
  const m = await metrics(s);
  assert.ok(m.ssemux_replayed_events_total >= 299,
    `expected >= 299 replayed events counted, got ${m.ssemux_replayed_events_total}`);
});

test('announces_a_gap_when_the_requested_id_is_older_than_history', async () => {
  const s = await server(['--history', '3', '--data-dir', dataDir()]);
  const ids = await publishMany(s, 'g', 6);
  const res = await readStream(s.url('/events?topic=g'), {
    headers: { 'Last-Event-ID': ids[0] },
    until: (text) => idsOf(text).length >= 3,
  });
  const { events } = parseStream(res.text);
  assert.deepEqual(events[0], {
    id: undefined, event: 'ssemux-gap',
    data: JSON.stringify({ topic: 'g', requested: ids[0], oldest: ids[3] }),
  });
  assert.deepEqual(events.slice(1).map((e) => e.id), ids.slice(3));
  assert.ok(res.text.startsWith('retry: 3000\n\nevent: ssemux-gap\ndata: {'),
    `the gap notice has no id line: ${JSON.stringify(res.text)}`);
  assert.equal((await metrics(s)).ssemux_gap_events_total, 1);
});

test('replays_all_retained_history_for_id_zero_without_a_gap', async () => {
  const s = await server(['--data-dir', dataDir()]);
  const ids = await publishMany(s, 'z', 3);
  const res = await readStream(s.url('/events?topic=z&lastEventId=0-0'), {
    until: (text) => idsOf(text).length >= 3,
  });
  assert.deepEqual(idsOf(res.text), ids);
  assert.ok(!res.text.includes('ssemux-gap'), res.text);
});

test('without_a_data_dir_says_history_before_startup_is_unknown', async () => {
  const s = await server();
  const ids = await publishMany(s, 'mem', 2);
  const res = await readStream(s.url('/events?topic=mem&lastEventId=1-0'), {
    until: (text) => idsOf(text).length >= 2,
  });
  const { events } = parseStream(res.text);
  assert.equal(events[0].event, 'ssemux-gap');
  assert.deepEqual(JSON.parse(events[0].data), { topic: 'mem', requested: '1-0', oldest: ids[0] });
});

test('treats_an_id_from_the_future_as_live', async () => {
  const s = await server();
  await publish(s, 'f', 'before');
  let live;
  const res = await readStream(s.url('/events?topic=f'), {
    headers: { 'Last-Event-ID': '99999999999999-0' },
    onOpen: async () => { live = await publish(s, 'f', 'after'); },
    until: (text) => idsOf(text).length >= 1,
  });
  assert.deepEqual(idsOf(res.text), [live]);
});

test('keeps_every_acknowledged_event_across_kill_9_and_restart', async () => {
  const dir = dataDir();
  const first = await server(['--data-dir', dir]);
  const acked = await publishMany(first, 'k', 20, 'before');
  // Publish in a loop and kill -9 in the middle of it: every 200 that
  // arrived must survive; an unanswered one may or may not.
  let stop = false;
  const racing = (async () => {
    for (let i = 0; !stop; i++) {
      try {
        acked.push(await publish(first, 'k', `racing${i}`));
      } catch {
        return;
      }
    }
  })();
  await sleep(150);
  first.child.kill('SIGKILL');
  stop = true;
  await within(WAIT_LIMIT_MS, first.exited, 'kill -9');
  await racing;

  const second = await server(['--data-dir', dir]);
  assert.match(second.stderr(), /records replayed/);
  const res = await readStream(second.url('/events?topic=k&lastEventId=0-0'), {
    until: (text) => idsOf(text).includes(acked.at(-1)),
  });
  const replayed = idsOf(res.text);
  const missing = acked.filter((id) => !replayed.includes(id));
  assert.deepEqual(missing, [], `acknowledged before kill -9 but lost: ${missing.join(' ')}`);
  assert.deepEqual(replayed.slice(0, acked.length), acked, 'replayed in publish order');
  const next = await publish(second, 'k', 'after restart');
  const [ms, seq] = next.split('-').map(BigInt);
  const [lms, lseq] = replayed.at(-1).split('-').map(BigInt);
  assert.ok(ms > lms || (ms === lms && seq > lseq), `id ${next} must follow ${replayed.at(-1)}`);
});

test('eventsource_package_resumes_by_id_across_a_server_restart', async () => {
  const dir = dataDir();
  const first = await server(['--data-dir', dir, '--retry-ms', '200']);
  const port = String(first.port);
  const es = new EventSource(first.url('/events?topic=es-resume'));
  cleanups.push(() => es.close());
  const got = [];
  let wanted = 0;
  let notify = () => {};
  es.onmessage = (e) => {
    got.push({ id: e.lastEventId, data: e.data });
    if (got.length >= wanted) notify();
  };
  const waitFor = (n) => {
    wanted = n;
    return within(WAIT_LIMIT_MS, new Promise((ok) => {
      notify = ok;
      if (got.length >= n) ok();
    }), `EventSource to receive ${n} events (got ${JSON.stringify(got)})`);
  };
  await within(WAIT_LIMIT_MS, new Promise((ok) => { es.onopen = ok; }), 'EventSource to open');
  const a = await publish(first, 'es-resume', 'one');
  await waitFor(1);

  first.child.kill('SIGKILL');
  await within(WAIT_LIMIT_MS, first.exited, 'kill -9');
  // Same port, same data: published before the client is back, so it
  // only gets these through its Last-Event-ID.
  const second = await server(['--data-dir', dir, '--retry-ms', '200', '--port', port]);
  const b = await publish(second, 'es-resume', 'two');
  const c = await publish(second, 'es-resume', 'three');
  await waitFor(3);
  assert.deepEqual(got, [{ id: a, data: 'one' }, { id: b, data: 'two' }, { id: c, data: 'three' }]);
});

test('rejects_a_malformed_last_event_id', async () => {
  const s = await server();
  const res = await readStream(s.url('/events?topic=x'), { headers: { 'Last-Event-ID': 'abc' } });
  assert.equal(res.status, 400);
  assert.match(JSON.parse(res.text).error, /Last-Event-ID/);
  const q = await publishRaw(s, { topic: 'x', data: 'still serving' });
  assert.equal(q.status, 200);
});
