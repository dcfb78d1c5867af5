// Several instances behind nginx (round-robin, buffering off, no sticky
// sessions): subscribers through the balancer, steady publishing through
// any instance, kill -9 of one instance after another (each restarted on
// its port). Every subscriber must end with every acknowledged event
// exactly once, in order; its client (npm `eventsource`) reconnects
// through the balancer to whichever instance with Last-Event-ID.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  missing, startRedis, startRedisServer, startNginx, steadyPublisher, subscriber,
  checkDelivery, sleep,
} from './redis-harness.mjs';
import { eventually } from './server-harness.mjs';

const skip = missing('redis-server', 'nginx');
const cleanups = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

const INSTANCES = 3;
const KILLS = 4;
const SUBSCRIBERS = 4;
const DELIVERY_LIMIT_MS = 60000;

test('kill_9_instances_behind_nginx_loses_and_duplicates_nothing', { skip, timeout: 180000 },
  async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const args = ['--history', '100000'];
    const instances = [];
    for (let i = 0; i < INSTANCES; i++) instances.push(await startRedisServer(redis, args));
    cleanups.push(() => Promise.all(instances.map((s) => s.stop('SIGKILL'))));
    const ports = instances.map((s) => s.port);
    const nginx = await startNginx(ports);
    cleanups.push(() => nginx.stop());

    const subs = [];
    for (let i = 0; i < SUBSCRIBERS; i++) subs.push(subscriber(nginx.url('/events?topic=fo')));
    cleanups.push(() => subs.forEach((s) => s.close()));
    await eventually(() => subs.every((s) => s.opens() >= 1), 'every subscriber to connect');

    // Through the balancer and straight to each instance, in turn.
    const alive = new Set(instances.map((_, i) => i));
    const publisher = steadyPublisher(
      () => [nginx.base, ...[...alive].map((i) => instances[i].base)], 'fo', { pauseMs: 10 });

    for (let k = 0; k < KILLS; k++) {
      await sleep(1200);
      const victim = k % INSTANCES;
      alive.delete(victim);
      await instances[victim].stop('SIGKILL');
      await sleep(400);
      instances[victim] = await startRedisServer(redis, [...args, '--port', String(ports[victim])]);
      alive.add(victim);
    }
    await sleep(1000);
    await publisher.stop();

    assert.ok(publisher.acked.length >= 50,
      `expected steady publishing, got ${publisher.acked.length} acknowledged, refused ${JSON.stringify(publisher.refused.slice(0, 5))}`);
    const last = publisher.acked[publisher.acked.length - 1].id;
    await eventually(() => subs.every((s) => s.has(last)),
      `every subscriber to reach the last acknowledged event ${last}; have ${subs.map((s) => s.events.length).join(', ')} of ${publisher.acked.length}`,
      DELIVERY_LIMIT_MS);
    const problems = subs.map((s, i) => checkDelivery(`subscriber ${i}`, s, publisher)).filter(Boolean);
    assert.deepEqual(problems, [], problems.join('\n'));
    assert.ok(subs.some((s) => s.opens() > 1),
      'at least one subscriber should have been cut by a kill and reconnected');
    console.log(`kill -9 run: ${publisher.acked.length} acknowledged, ${publisher.refused.length} refused `
      + `(${[...new Set(publisher.refused.map((r) => r.status))].join('/')}), `
      + `reconnects per subscriber: ${subs.map((s) => s.opens() - 1).join(', ')}`);
  });
