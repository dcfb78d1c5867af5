// --redis: instances share one stream. A publish to A reaches a subscriber
// on B; an ID issued by A is a cursor B understands (Last-Event-ID replay);
// an instance started later loads the retained history, and history trimmed
// by --history is announced with ssemux-gap on every instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { publish, readStream, parseStream, metrics, eventually } from './server-harness.mjs';
import { WAIT_LIMIT_MS, sharedRedis, startRedisServer } from './redis-harness.mjs';

const suite = sharedRedis();
const { skip, cleanups } = suite;

async function instance(args = []) {
  const s = await startRedisServer(suite.redis, args);
  cleanups.push(() => s.stop('SIGKILL'));
  return s;
}

const eventsOf = (text) => parseStream(text).events.filter((e) => e.id);

test('publish_to_a_reaches_a_subscriber_on_b', { skip }, async () => {
  const a = await instance();
  const b = await instance();
  let ids;
  const res = await readStream(b.url('/events?topic=shared'), {
    untilIds: 3,
    onOpen: async () => {
      ids = [await publish(a, 'shared', 'one'), await publish(a, 'shared', 'two'),
        await publish(b, 'shared', 'three')];
    },
  });
  const got = eventsOf(res.text);
  assert.deepEqual(got.map((e) => e.data), ['one', 'two', 'three'],
    `B should stream A's and its own events in order; got ${res.text}`);
  assert.deepEqual(got.map((e) => e.id), ids, 'the IDs on B are the ones A and B answered');
});

test('an_id_issued_by_a_resumes_on_b_without_gap_or_duplicate', { skip }, async () => {
  const a = await instance();
  const b = await instance();
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push(await publish(a, 'resume', `r${i}`));
  const res = await readStream(b.url('/events?topic=resume'), {
    headers: { 'Last-Event-ID': ids[1] },
    untilIds: 4,
    onOpen: async () => { ids.push(await publish(a, 'resume', 'live')); },
  });
  assert.deepEqual(eventsOf(res.text).map((e) => e.data), ['r2', 'r3', 'r4', 'live'],
    `B should replay after A's ID ${ids[1]} then continue live; got ${res.text}`);
});

test('an_id_b_has_not_seen_yet_is_not_replayed_as_new', { skip }, async () => {
  // A client that read up to A's newest ID and fails over to B at once
  // must get nothing it already has, even if B's feed is behind. B's feed
  // is held back by cutting its XREAD connection (it reconnects after
  // 100 ms); the client arrives within that window.
  const a = await instance();
  const b = await instance();
  await publish(a, 'lag', 'warm-up');
  const cli = (...args) => spawnSync('redis-cli', ['-p', String(suite.redis.port), ...args], { encoding: 'utf8' });
  const feeds = cli('CLIENT', 'LIST').stdout.split('\n').filter((l) => / cmd=xread/.test(l))
    .map((l) => /^id=(\d+)/.exec(l)[1]);
  assert.ok(feeds.length >= 2, `expected each instance's XREAD connection, got ${feeds}`);
  for (const id of feeds) cli('CLIENT', 'KILL', 'ID', id);
  const first = await publish(a, 'lag', 'seen');
  const res = await readStream(b.url(`/events?topic=lag&lastEventId=${first}`), {
    untilIds: 1,
    onOpen: async () => { await publish(a, 'lag', 'next'); },
  });
  assert.deepEqual(eventsOf(res.text).map((e) => e.data), ['next'],
    `B should send only what came after ${first}; got ${res.text}`);
});

test('a_later_instance_loads_history_and_announces_trimmed_events', { skip }, async () => {
  const a = await instance(['--history', '3']);
  const ids = [];
  for (let i = 0; i < 6; i++) ids.push(await publish(a, 'trim', `t${i}`));
  const c = await instance(['--history', '3']);
  assert.match(c.stderr(), /redis .* \d+ topics, \d+ events loaded/);
  const res = await readStream(c.url(`/events?topic=trim&lastEventId=${ids[0]}`), {
    until: (t) => eventsOf(t).length >= 3 && t.endsWith('\n\n'),
  });
  const parsed = parseStream(res.text).events;
  assert.equal(parsed[0].event, 'ssemux-gap',
    `resuming below the retained history should start with ssemux-gap; got ${res.text}`);
  assert.deepEqual(eventsOf(res.text).map((e) => e.data), ['t3', 't4', 't5'], res.text);
  const gap = JSON.parse(parsed[0].data);
  assert.equal(gap.oldest, ids[3], 'the gap notice names the oldest retained event');
});

test('healthz_and_metrics_report_redis', { skip }, async () => {
  const a = await instance();
  // The connections come up on the loop, just after the server listens.
  const health = await eventually(async () => {
    const h = await (await fetch(a.url('/healthz'))).json();
    return h.redis === 'up' && h;
  }, 'GET /healthz to say redis up');
  assert.deepEqual(health, { status: 'ok', redis: 'up' });
  const m = await metrics(a);
  assert.equal(m.ssemux_redis_up, 1, 'ssemux_redis_up');
  assert.equal(m.ssemux_redis_reconnects_total, 0, 'ssemux_redis_reconnects_total');
});

test('redis_and_data_dir_exclude_each_other', { skip }, async () => {
  const { serverPath } = await import('./server-harness.mjs');
  const r = spawnSync(serverPath, ['--redis', suite.redis.url, '--data-dir', '/tmp'], { encoding: 'utf8',
    timeout: WAIT_LIMIT_MS });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--redis and --data-dir/);
});

test('a_malformed_entry_in_redis_is_skipped_not_fatal', { skip }, async () => {
  const a = await instance();
  const before = await publish(a, 'odd', 'before');
  // Written behind the server's back: no type, a data field, a topic that is not one.
  const cli = (...args) => spawnSync('redis-cli', ['-p', String(suite.redis.port), ...args], { encoding: 'utf8' });
  cli('XADD', 'ssemux:all', '*', 't', 'odd', 'd', 'no type');
  cli('XADD', 'ssemux:all', '*', 't', 'bad topic!', 'e', 'message', 'd', 'x', 'p', '1');
  const res = await readStream(a.url(`/events?topic=odd&lastEventId=${before}`), {
    untilIds: 1,
    onOpen: async () => { await publish(a, 'odd', 'after'); },
  });
  assert.deepEqual(eventsOf(res.text).map((e) => e.data), ['after'], res.text);
  const m = await metrics(a);
  assert.ok(m.ssemux_redis_skipped_entries_total >= 2, `skipped entries: ${m.ssemux_redis_skipped_entries_total}`);
});
