// --demo's outage control (server/src/demo_outage.h): POST /demo/outage
// drops every open stream and refuses new ones with 503 + Retry-After for
// the seconds asked; publishing goes on, and a client resuming after the
// outage gets everything it missed. Without --demo the path does not exist.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  startServer, serverPath, publish, readStream, parseStream, within, WAIT_LIMIT_MS, sleep,
} from './server-harness.mjs';

const servers = [];
after(async () => {
  for (const s of servers) await s.stop();
});

async function start(args) {
  const server = await startServer(args);
  servers.push(server);
  return server;
}

const post = (server, path) =>
  within(WAIT_LIMIT_MS, fetch(server.url(path), { method: 'POST' }), `POST ${path}`);

// Opens a stream; resolves once the server has answered its headers, with
// a promise of how the stream ended and what it carried.
async function openStream(server, topic) {
  const controller = new AbortController();
  const res = await within(WAIT_LIMIT_MS, fetch(server.url(`/events?topic=${topic}`), { signal: controller.signal }), 'GET /events');
  assert.equal(res.status, 200, 'expected the stream to open before the outage');
  const ended = (async () => {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return { how: 'ended', text };
        text += decoder.decode(value, { stream: true });
      }
    } catch (err) {
      return { how: `error ${err.message}`, text };
    }
  })();
  return { ended, abort: () => controller.abort() };
}

test('without_demo_the_outage_route_is_404', async () => {
  const server = await start([]);
  const res = await post(server, '/demo/outage?seconds=2');
  assert.equal(res.status, 404, `expected 404 without --demo, got ${res.status} ${await res.text()}`);
  const help = execFileSync(serverPath, ['--help'], { encoding: 'utf8', timeout: WAIT_LIMIT_MS });
  assert.match(help, /--demo\s+\[SSEMUX_DEMO\]/, 'expected --help to list --demo with its variable');
});

test('outage_drops_every_stream_refuses_new_ones_with_retry_after_then_recovers_without_loss', async () => {
  const server = await start(['--demo', '--retry-ms', '1000']);
  const first = await publish(server, 'scores', 'before', 'goal');
  const streams = [await openStream(server, 'scores'), await openStream(server, 'scores')];

  const res = await post(server, '/demo/outage?seconds=3');
  const answer = await res.json();
  assert.equal(res.status, 200, `expected 200 from POST /demo/outage, got ${res.status} ${JSON.stringify(answer)}`);
  assert.deepEqual(answer, { seconds: 3, dropped: 2 });
  for (const [i, s] of streams.entries()) {
    const end = await within(WAIT_LIMIT_MS, s.ended, `stream ${i + 1} to be dropped`);
    assert.ok(end.how === 'ended' || end.how.startsWith('error'), `stream ${i + 1}: expected it to end, got ${end.how}`);
  }

  // During the outage: refused with the seconds left, publishing still works.
  const refused = await within(WAIT_LIMIT_MS, fetch(server.url('/events?topic=scores')), 'GET /events during the outage');
  const retryAfter = Number(refused.headers.get('retry-after'));
  assert.equal(refused.status, 503, `expected 503 during the outage, got ${refused.status}`);
  assert.ok(retryAfter >= 1 && retryAfter <= 3, `expected Retry-After between 1 and 3 s, got ${refused.headers.get('retry-after')}`);
  assert.deepEqual(await refused.json(), { error: 'demo outage' });
  const during = await publish(server, 'scores', 'during', 'goal');
  const health = await within(WAIT_LIMIT_MS, fetch(server.url('/healthz')), 'GET /healthz');
  assert.equal(health.status, 200, 'expected /healthz to stay up: the outage is of the streams only');

  // After it: a client resuming from the last ID it saw misses nothing.
  const deadline = Date.now() + 3000 + WAIT_LIMIT_MS;
  let resumed;
  for (;;) {
    resumed = await readStream(server.url('/events?topic=scores'), { headers: { 'last-event-id': first }, untilIds: 1 })
      .catch((err) => ({ status: 0, text: err.message }));
    if (resumed.status === 200 || Date.now() > deadline) break;
    await sleep(Math.max(200, Number(resumed.headers?.get('retry-after') ?? 0) * 1000 - 500));
  }
  assert.equal(resumed.status, 200, `expected streams accepted again after the outage, got ${resumed.status} ${resumed.text}`);
  const events = parseStream(resumed.text).events.map((e) => `${e.id} ${e.event} ${e.data}`);
  assert.deepEqual(events, [`${during} goal during`], 'expected the event published during the outage on resume');
});

test('outage_seconds_are_bounded_and_only_post_is_allowed', async () => {
  const server = await start(['--demo']);
  for (const bad of ['0', '301', 'x', '-1', '5s']) {
    const res = await post(server, `/demo/outage?seconds=${bad}`);
    assert.equal(res.status, 400, `seconds=${bad}: expected 400, got ${res.status}`);
  }
  const get = await within(WAIT_LIMIT_MS, fetch(server.url('/demo/outage')), 'GET /demo/outage');
  assert.equal(get.status, 405, `expected 405 for GET, got ${get.status}`);
  assert.equal(get.headers.get('allow'), 'POST, OPTIONS');
  const open = await within(WAIT_LIMIT_MS, fetch(server.url('/events?topic=t')), 'GET /events after refused outages');
  assert.equal(open.status, 200, `expected no outage after refused requests, got ${open.status}`);
  await open.body.cancel();
});
