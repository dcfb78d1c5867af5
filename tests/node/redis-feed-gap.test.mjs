// An instance that falls further behind the global stream than
// --redis-stream-len (stopped, cut off, overloaded) finds entries trimmed
// before it read them. It must say so with ssemux-gap on its streams, never
// skip them silently: the publish script chains every entry to the one
// before it (field b), and the feed checks the chain.
// Run: node --test tests/node/redis-feed-gap.test.mjs (needs redis-server)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import { publish, metrics, eventually } from './server-harness.mjs';
import { sharedRedis, startRedisServer } from './redis-harness.mjs';

const suite = sharedRedis();
const { skip, cleanups } = suite;

// The smallest global stream the server takes; Redis trims approximately,
// a node (100 entries) at a time, so publishing several times that while
// the instance is stopped is sure to trim entries it never read.
const STREAM_LEN = '100';
const WHILE_STOPPED = 600;

test('a feed that falls behind the trimmed global stream announces a gap', { skip }, async () => {
  const a = await startRedisServer(suite.redis, ['--redis-stream-len', STREAM_LEN, '--history', '1000']);
  cleanups.push(() => a.stop('SIGKILL'));
  const b = await startRedisServer(suite.redis, ['--redis-stream-len', STREAM_LEN, '--history', '1000']);
  cleanups.push(() => b.stop('SIGKILL'));

  // One timeline, so the test sees where the notice falls among events.
  const timeline = [];
  const es = new EventSource(b.url('/events?topic=g'));
  cleanups.push(() => es.close());
  es.onmessage = (e) => timeline.push({ kind: 'event', data: e.data });
  es.addEventListener('ssemux-gap', (e) => timeline.push({ kind: 'gap', data: JSON.parse(e.data) }));
  await new Promise((ok, fail) => { es.onopen = ok; es.onerror = fail; });

  await publish(a, 'g', 'first');
  await eventually(() => timeline.some((t) => t.data === 'first'), 'B to deliver the first event');

  process.kill(b.child.pid, 'SIGSTOP');
  let resumed = false;
  cleanups.push(() => { if (!resumed) process.kill(b.child.pid, 'SIGCONT'); });
  for (let i = 0; i < WHILE_STOPPED; i++) await publish(a, 'g', `stopped-${i}`);
  process.kill(b.child.pid, 'SIGCONT');
  resumed = true;
  await publish(a, 'g', 'last');
  await eventually(() => timeline.some((t) => t.data === 'last'), 'B to deliver the last event', 30000);

  const received = timeline.filter((t) => t.kind === 'event' && t.data.startsWith('stopped-')).length;
  assert.ok(received < WHILE_STOPPED,
    `setup: Redis kept all ${WHILE_STOPPED} entries, so nothing was trimmed to test (stream len ${STREAM_LEN})`);

  const gapAt = timeline.findIndex((t) => t.kind === 'gap');
  assert.ok(gapAt >= 0, `B skipped ${WHILE_STOPPED - received} trimmed events without a gap notice`);
  assert.equal(timeline[gapAt].data.topic, 'g');
  // The notice comes before any event after the hole. Events before it are
  // the few B had read before it stopped and the one its XREAD already held.
  const firstMissing = Array.from({ length: WHILE_STOPPED }, (_, i) => `stopped-${i}`)
    .find((d) => !timeline.some((t) => t.data === d));
  const firstMissingIndex = Number(firstMissing.slice('stopped-'.length));
  const afterHole = timeline.findIndex((t) => t.kind === 'event' && t.data.startsWith('stopped-') &&
    Number(t.data.slice('stopped-'.length)) > firstMissingIndex);
  assert.ok(afterHole < 0 || gapAt < afterHole,
    `the gap notice (at ${gapAt}) came after events past the hole (at ${afterHole})`);

  const m = await metrics(b);
  assert.ok(m.ssemux_redis_feed_gaps_total >= 1, `ssemux_redis_feed_gaps_total is ${m.ssemux_redis_feed_gaps_total}`);
  assert.match(b.stderr(), /trimmed past this instance/);
  // A, which read everything, announced nothing.
  assert.equal((await metrics(a)).ssemux_redis_feed_gaps_total, 0);
});
