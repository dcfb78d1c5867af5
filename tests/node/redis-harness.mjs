// Helpers for the --redis tests: instances of the real binary on a real
// redis-server (redis-services.mjs: that and nginx as the balancer), plus
// subscribers and a steady publisher that keep score.
// Run: node --test --test-concurrency=1 tests/node/redis-*.test.mjs
//   (SSEMUX_BUILD_DIR=/path/to/build if not ./build)
import { before, after } from 'node:test';
import { EventSource } from 'eventsource';
import {
  startServer, within, sleep, tempDir, removeDir, WAIT_LIMIT_MS,
} from './server-harness.mjs';

export {
  which, redisBin, nginxBin, stunnelBin, missing, freePort, startRedis, startNginx, makeTlsCerts,
  startStunnel,
} from './redis-services.mjs';
import { missing, startRedis } from './redis-services.mjs';

/**
 * One redis-server for a whole test file (suite.redis, set before the first
 * test), and suite.cleanups, run last-first when the file ends. suite.skip
 * says why not when redis-server is missing (CI installs it).
 */
export function sharedRedis() {
  const suite = { skip: missing('redis-server'), redis: null, cleanups: [] };
  before(async () => {
    if (suite.skip) return;
    suite.redis = await startRedis();
    suite.cleanups.push(() => suite.redis.stop());
  });
  after(async () => { for (const c of suite.cleanups.reverse()) await c(); });
  return suite;
}

/** ssemux-server --redis with a short retry hint (reconnects are the point here). */
export function startRedisServer(redis, args = []) {
  return startServer(['--redis', redis.url, '--retry-ms', '200', '--heartbeat-ms', '1000', ...args]);
}

/**
 * The same with the URL in SSEMUX_REDIS (where a password belongs: flags
 * show in ps). `url` is the whole redis:// URL.
 */
export function startRedisServerWithEnv(url, args = []) {
  return startServer(['--retry-ms', '200', '--heartbeat-ms', '1000', ...args],
    { env: { SSEMUX_REDIS: url } });
}

/** POST /publish at `base`; resolves {status, id} and never throws. */
export async function tryPublish(base, topic, data) {
  try {
    const res = await fetch(`${base}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ topic, data }).toString(),
      signal: AbortSignal.timeout(WAIT_LIMIT_MS),
    });
    const body = await res.text();
    return { status: res.status, id: res.status === 200 ? JSON.parse(body).id : null, body };
  } catch (err) {
    return { status: 0, id: null, body: String(err) };
  }
}

/**
 * Publishes "<n>" to `topic` one after another, picking the base for each
 * from `bases()`, until stopped. Every attempt is recorded: acknowledged
 * ones with their ID, refused ones with the status.
 */
export function steadyPublisher(bases, topic, { pauseMs = 10 } = {}) {
  const acked = [];   // {data, id}
  const refused = []; // {data, status}
  let n = 0;
  let running = true;
  let turn = 0;
  const loop = (async () => {
    while (running) {
      const list = bases();
      const data = `p${n++}`;
      const r = await tryPublish(list[turn++ % list.length], topic, data);
      if (r.status === 200) acked.push({ data, id: r.id });
      else refused.push({ data, status: r.status, body: r.body });
      await sleep(pauseMs);
    }
  })();
  return {
    acked,
    refused,
    async stop() { running = false; await loop; },
  };
}

/**
 * The npm `eventsource` client (nobody here wrote it): reconnects by itself
 * with Last-Event-ID. Records every event and any ssemux-gap notice.
 */
export function subscriber(url) {
  const events = [];
  const gaps = [];
  let opens = 0;
  const es = new EventSource(url);
  es.onopen = () => { opens++; };
  es.onmessage = (e) => events.push({ id: e.lastEventId, data: e.data });
  es.addEventListener('ssemux-gap', (e) => gaps.push(e.data));
  return {
    events,
    gaps,
    opens: () => opens,
    has: (id) => events.some((e) => e.id === id),
    close: () => es.close(),
  };
}

/** Orders "<ms>-<seq>" IDs as the server does. */
export function compareIds(a, b) {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
}

/**
 * The checks every scenario ends with: each subscriber got every
 * acknowledged event exactly once, IDs strictly increasing, no gap notice;
 * anything else it got is an attempt whose answer was lost (Redis took it,
 * the publisher saw a dropped connection), at most once too.
 */
export function checkDelivery(name, sub, publisher) {
  const problems = [];
  const seen = new Set();
  for (let i = 0; i < sub.events.length; i++) {
    const e = sub.events[i];
    if (seen.has(e.id)) problems.push(`duplicate ${e.id} (${e.data})`);
    seen.add(e.id);
    if (i && compareIds(sub.events[i - 1].id, e.id) >= 0) {
      problems.push(`out of order: ${sub.events[i - 1].id} then ${e.id}`);
    }
  }
  const byId = new Map(sub.events.map((e) => [e.id, e.data]));
  const missingAcked = publisher.acked.filter((a) => byId.get(a.id) !== a.data);
  if (missingAcked.length) {
    problems.push(`${missingAcked.length} acknowledged events missing or wrong, first ${JSON.stringify(missingAcked.slice(0, 3))}`);
  }
  const ackedData = new Set(publisher.acked.map((a) => a.data));
  // A refused attempt's outcome is unknown when the answer was lost (a
  // killed instance, or Redis dying after it ran the script): allowed once.
  const lostAnswers = new Set(publisher.refused.map((r) => r.data));
  const strays = sub.events.filter((e) => !ackedData.has(e.data) && !lostAnswers.has(e.data));
  if (strays.length) problems.push(`${strays.length} events nobody published, first ${JSON.stringify(strays.slice(0, 3))}`);
  if (sub.gaps.length) problems.push(`gap notices: ${sub.gaps.slice(0, 3).join(' ')}`);
  return problems.length ? `${name}: ${problems.join('; ')}` : null;
}

export { startServer, within, sleep, tempDir, removeDir, WAIT_LIMIT_MS };
