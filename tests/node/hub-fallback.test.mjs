// The fallback without SharedWorker: tabs elect a leader with Web Locks and
// reach its hub over BroadcastChannel (both real in Node but for the locks).
// Two pages are simulated by two page-level clients in this process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { webDir } from './wasm-core.mjs';
import { core, FakeClock, FakeServer, FakeLocks, settle, expectEqual } from './hub-fakes.mjs';

globalThis.navigator = { locks: new FakeLocks() };
const { SharedEventSource } = await import(pathToFileURL(path.join(webDir, 'ssemux.js')).href);
const BASE = 'http://app.test/events';

async function until(what, predicate, clock = null) {
  for (let i = 0; i < 200 && !predicate(); i++) {
    if (clock !== null) await clock.advance(5);
    else await settle(1);
  }
  assert.ok(predicate(), `timed out waiting for ${what}`);
}

test('one_leader_tab_holds_the_upstream_and_the_next_one_resumes_after_it_leaves', async () => {
  const clock = new FakeClock();
  const server = new FakeServer();
  const hubOptions = { core, fetch: server.fetch, clock, settleMs: 10, graceMs: 3000, scope: 'test1',
    engineConfig: { seed: 5 } };
  const pageA = new SharedEventSource(`${BASE}?topic=scores`, { transport: 'leader', hubOptions, workerUrl: 'http://app.test/a.js' });
  const pageB = new SharedEventSource(`${BASE}?topic=chat`, { transport: 'leader', hubOptions, workerUrl: 'http://app.test/b.js' });
  const gotA = [];
  const gotB = [];
  pageA.addEventListener('goal', (e) => gotA.push(`${e.data}#${e.lastEventId}`));
  pageB.addEventListener('message', (e) => gotB.push(`${e.data}#${e.lastEventId}`));
  await until('a request with both topics', () => server.requests.some((r) => r.topics.length === 2), clock);
  const first = server.requests.find((r) => r.topics.length === 2);
  expectEqual(server.requests.filter((r) => !r.aborted).length, 1, 'live upstream requests (one per browser)');
  first.respond();
  await until('both open', () => pageA.readyState === 1 && pageB.readyState === 1);
  first.send({ id: '1', event: 'scores/goal', data: 'g' }, { id: '2', event: 'chat/message', data: 'm' });
  await until('both events', () => gotA.length === 1 && gotB.length === 1);
  expectEqual([gotA, gotB], [['g#1'], ['m#2']], 'events per page');

  pageA.close(); // page A leaves: if it led, page B takes over with a new hub
  await until('a request for chat only', () => server.requests.some((r) => r !== first && r.topics.join() === 'chat'), clock);
  const next = server.requests.find((r) => r !== first && r.topics.join() === 'chat');
  expectEqual(next.lastEventId, '2', 'Last-Event-ID of the upstream after page A left');
  next.respond();
  await settle();
  // The server resumes strictly after Last-Event-ID (docs/hub.md: a new hub's
  // engine has no memory of ID 2, so a server re-sending it would duplicate it).
  next.send({ id: '3', event: 'chat/message', data: 'm3' });
  await until('the next event', () => gotB.length >= 2);
  await settle();
  expectEqual(gotB, ['m#2', 'm3#3'], 'events of page B (none lost, none twice)');
  expectEqual(first.aborted, true, 'the first upstream closed');
  pageB.close();
  await clock.advance(3100);
  expectEqual(server.openBodies.length, 0, 'open bodies after every page closed');
});
