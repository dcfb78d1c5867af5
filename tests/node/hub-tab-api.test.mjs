// SharedEventSource, the tab side, through the whole chain in Node: the
// in-page transport (a real MessageChannel), the real hub and wasm core, a
// fake fetch. It must behave like EventSource.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { webDir } from './wasm-core.mjs';
import { core, FakeClock, FakeServer, settle, expectEqual } from './hub-fakes.mjs';

const { SharedEventSource } = await import(pathToFileURL(path.join(webDir, 'ssemux.js')).href);
const BASE = 'http://app.test/events';

function page() {
  const clock = new FakeClock();
  const server = new FakeServer();
  const hubOptions = { core, fetch: server.fetch, clock, settleMs: 10, graceMs: 3000, engineConfig: { seed: 3 } };
  // A distinct workerUrl per test: its own page-level client and hub.
  const options = { transport: 'in-page', hubOptions, workerUrl: `http://app.test/w${Math.random()}.js` };
  return { clock, server, options };
}

async function until(what, predicate) {
  for (let i = 0; i < 100 && !predicate(); i++) await settle(1);
  assert.ok(predicate(), `timed out waiting for ${what}`);
}

test('behaves_like_eventsource_open_message_named_events_close', async () => {
  const { clock, server, options } = page();
  const es = new SharedEventSource(`${BASE}?topic=scores`, { ...options, headers: { 'X-App': 'demo' } });
  expectEqual([es.readyState, es.url, es.withCredentials], [0, `${BASE}?topic=scores`, false],
    '[readyState, url, withCredentials] after construction');
  expectEqual([SharedEventSource.CONNECTING, SharedEventSource.OPEN, SharedEventSource.CLOSED], [0, 1, 2], 'constants');
  const seen = [];
  es.onopen = () => seen.push(`open ${es.readyState}`);
  es.onmessage = (e) => seen.push(`message ${e.data} ${e.lastEventId} ${e.origin}`);
  es.addEventListener('goal', (e) => seen.push(`goal ${e.data} ${e.type}`));
  await until('the hub to ask the server', () => { clock.advance(20); return server.requests.length > 0; });
  const up = server.requests[0];
  expectEqual(up.headers.get('x-app'), 'demo', 'custom header sent upstream');
  up.respond();
  await until('open', () => es.readyState === 1);
  up.send({ id: '1', data: 'hello' }, { id: '2', event: 'scores/goal', data: '1-0' }, { id: '3', event: 'scores/message', data: 'bye' });
  await until('three events', () => seen.length >= 4);
  expectEqual(seen, ['open 1', 'message hello 1 http://app.test', 'goal 1-0 goal', 'message bye 3 http://app.test'],
    'what the page saw');
  es.close();
  expectEqual(es.readyState, 2, 'readyState after close()');
  up.send({ id: '4', data: 'after close' });
  await settle();
  await clock.advance(3100);
  expectEqual(seen.length, 4, 'events seen after close()');
  expectEqual(up.aborted, true, 'upstream closed after close() and the grace period');
});

test('two_sources_in_one_page_share_one_upstream', async () => {
  const { clock, server, options } = page();
  const scores = new SharedEventSource(`${BASE}?topic=scores`, options);
  const chat = new SharedEventSource(`${BASE}?topic=chat`, options);
  const got = [];
  scores.addEventListener('goal', (e) => got.push(`scores ${e.data}`));
  chat.addEventListener('message', (e) => got.push(`chat ${e.data}`));
  await until('a request', () => { clock.advance(20); return server.requests.length > 0; });
  expectEqual(server.requests[0].topics, ['chat', 'scores'], 'topics of the one upstream');
  const up = server.requests[0].respond();
  await until('both open', () => scores.readyState === 1 && chat.readyState === 1);
  up.send({ id: '1', event: 'scores/goal', data: 'g' }, { id: '2', event: 'chat/message', data: 'm' });
  await until('two events', () => got.length >= 2);
  expectEqual(got, ['scores g', 'chat m'], 'events per source');
  expectEqual(server.requests.length, 1, 'requests');
  const stats = await scores.getStats();
  expectEqual([stats.length, stats[0].counters.events, stats[0].counters.tabs], [1, 2, 1], '[streams, events, tabs]');
  scores.close();
  chat.close();
});

test('getToken_is_called_before_connecting_and_on_401', async () => {
  const { clock, server, options } = page();
  let calls = 0;
  const es = new SharedEventSource(`${BASE}?topic=scores`, { ...options, getToken: async () => `tok${++calls}` });
  const errors = [];
  es.onerror = () => errors.push(es.readyState);
  await until('a request', () => { clock.advance(20); return server.requests.length > 0; });
  expectEqual(server.requests[0].headers.get('authorization'), 'Bearer tok1', 'first credential');
  server.requests[0].respond(401);
  await until('a second request', () => server.requests.length > 1);
  expectEqual(server.requests[1].headers.get('authorization'), 'Bearer tok2', 'credential after 401');
  server.requests[1].respond();
  await until('open', () => es.readyState === 1);
  expectEqual(calls, 2, 'getToken() calls');
  expectEqual(errors, [], 'error events (a refreshed credential is not an error)');
  es.close();
});

test('status_reports_retrying_with_the_delay_and_fires_error', async () => {
  const { clock, server, options } = page();
  const es = new SharedEventSource(`${BASE}?topic=scores`, options);
  const statuses = [];
  es.addEventListener('ssemux-status', (e) => statuses.push(`${e.detail.state}/${e.detail.reason}`));
  let errors = 0;
  es.onerror = () => { errors++; };
  await until('a request', () => { clock.advance(20); return server.requests.length > 0; });
  const up = server.requests[0].respond();
  await until('open', () => es.readyState === 1);
  up.write('retry: 2000\n\n');
  await settle();
  up.end();
  await until('retrying', () => es.status.state === 'retrying');
  expectEqual([es.readyState, errors, es.status.delayMs], [0, 1, 2000], '[readyState, errors, delayMs] while retrying');
  await clock.advance(2000);
  await until('the reconnect', () => server.requests.length > 1);
  server.requests[1].respond();
  await until('open again', () => es.readyState === 1);
  expectEqual(statuses, ['connecting/started', 'open/opened', 'retrying/network_error', 'connecting/timer', 'open/opened'], 'statuses');
  es.close();
});

// sessionStorage is synchronous I/O on the page's main thread; the stored ID
// only seeds a new hub after every tab reloaded, so it is written at most
// every 250 ms (and on close/pagehide/hidden), not once per batch.
test('the_last_event_id_is_stored_at_most_every_250_ms_and_on_close', async () => {
  const writes = [];
  globalThis.sessionStorage = {
    getItem: () => null,
    setItem: (key, value) => writes.push([key, JSON.parse(value).id]),
  };
  try {
    const { clock, server, options } = page();
    const url = `${BASE}?topic=scores`;
    const es = new SharedEventSource(url, { ...options, hubOptions: { ...options.hubOptions, fanoutWindowMs: 0 } });
    const seen = [];
    es.addEventListener('goal', (e) => seen.push(e.lastEventId));
    await until('a request', () => { clock.advance(20); return server.requests.length > 0; });
    const up = server.requests[0].respond();
    await until('open', () => es.readyState === 1);
    for (let i = 1; i <= 20; i++) {
      up.send({ id: String(i), event: 'scores/goal', data: 'g' });
      await until(`event ${i}`, () => seen.length >= i);
    }
    expectEqual(writes.length, 0, 'sessionStorage writes right after 20 batches');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expectEqual(writes, [[`ssemux:last-event:${url}`, '20']], 'sessionStorage writes 300 ms later');
    up.send({ id: '21', event: 'scores/goal', data: 'g' });
    await until('event 21', () => seen.length >= 21);
    es.close();
    expectEqual(writes.at(-1), [`ssemux:last-event:${url}`, '21'], 'last write after close()');
    expectEqual(writes.length, 2, 'sessionStorage writes in all');
  } finally {
    delete globalThis.sessionStorage;
  }
});
