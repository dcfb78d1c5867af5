// Redis killed (kill -9) and restarted on the same port and data dir while
// two instances publish and stream: publishes during the outage get 503
// with a JSON error, subscribers stay connected (heartbeats), the servers
// reconnect by themselves, and nothing Redis acknowledged is lost: every
// subscriber gets every acknowledged event exactly once, and an instance
// started afterwards replays them all from Redis.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  missing, startRedis, startRedisServer, steadyPublisher, subscriber, checkDelivery, sleep,
  tryPublish,
} from './redis-harness.mjs';
import { eventually, metrics, readStream, parseStream } from './server-harness.mjs';

const skip = missing('redis-server');
const cleanups = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

const DELIVERY_LIMIT_MS = 60000;

test('redis_restart_during_publishing_loses_no_acknowledged_event', { skip, timeout: 180000 },
  async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const args = ['--history', '100000'];
    const a = await startRedisServer(redis, args);
    const b = await startRedisServer(redis, args);
    cleanups.push(() => a.stop('SIGKILL'), () => b.stop('SIGKILL'));

    const subs = [a, b, a, b].map((s) => subscriber(s.url('/events?topic=rr')));
    cleanups.push(() => subs.forEach((s) => s.close()));
    await eventually(() => subs.every((s) => s.opens() >= 1), 'every subscriber to connect');
    const publisher = steadyPublisher(() => [a.base, b.base], 'rr', { pauseMs: 10 });

    await sleep(1000);
    await redis.kill();
    // Down: publishes are refused with 503 and a JSON reason, at once.
    const during = await tryPublish(a.base, 'rr', 'while-down');
    assert.equal(during.status, 503, `publish while Redis is down: ${during.status} ${during.body}`);
    assert.match(JSON.parse(during.body).error, /unavailable/);
    const health = await (await fetch(a.url('/healthz'))).json();
    assert.deepEqual(health, { status: 'degraded', redis: 'down' });
    await sleep(1500);
    await redis.restart();
    await eventually(async () => (await metrics(a)).ssemux_redis_up === 1
      && (await metrics(b)).ssemux_redis_up === 1, 'both servers to reconnect to Redis', 20000);
    const ackedBeforeResume = publisher.acked.length;
    await eventually(() => publisher.acked.length > ackedBeforeResume + 20,
      'publishing to succeed again after the restart', 20000);
    await publisher.stop();

    const refusedStatuses = new Set(publisher.refused.map((r) => r.status));
    assert.ok(refusedStatuses.has(503), `expected 503s during the outage, got ${[...refusedStatuses]}`);
    assert.deepEqual([...refusedStatuses].filter((s) => s !== 503), [],
      'a publish is either acknowledged or refused with 503');
    const last = publisher.acked[publisher.acked.length - 1].id;
    await eventually(() => subs.every((s) => s.has(last)),
      `every subscriber to reach ${last}; have ${subs.map((s) => s.events.length).join(', ')}`,
      DELIVERY_LIMIT_MS);
    const problems = subs.map((s, i) => checkDelivery(`subscriber ${i}`, s, publisher)).filter(Boolean);
    assert.deepEqual(problems, [], problems.join('\n'));
    assert.ok(subs.every((s) => s.opens() === 1),
      `subscribers stay connected through a Redis outage; opens: ${subs.map((s) => s.opens())}`);
    for (const s of [a, b]) {
      assert.ok((await metrics(s)).ssemux_redis_reconnects_total >= 1, 'reconnects counted');
    }

    // What Redis acknowledged is in Redis (append-only file, fsync always).
    const c = await startRedisServer(redis, args);
    cleanups.push(() => c.stop('SIGKILL'));
    const res = await readStream(c.url('/events?topic=rr&lastEventId=0-0'), {
      until: (t) => t.includes(`id: ${last}\n`) && t.endsWith('\n\n'),
      limit: DELIVERY_LIMIT_MS,
    });
    const replayed = new Map(parseStream(res.text).events.map((e) => [e.id, e.data]));
    const lost = publisher.acked.filter((x) => replayed.get(x.id) !== x.data);
    assert.deepEqual(lost, [], 'an instance started after the restart replays every acknowledged event');
    console.log(`redis restart run: ${publisher.acked.length} acknowledged, `
      + `${publisher.refused.length} refused with 503`);
  });
