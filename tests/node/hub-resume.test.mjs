// Resuming: late joiners served from the hub's memory, token refresh on
// 401, Last-Event-ID (non-ASCII too) across reconnects and across a hub
// restart, and the server's retry: hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newHub, FakeTab, settle, expectEqual, TO_TAB } from './hub-fakes.mjs';

const BASE = 'http://app.test/events';

test('a_late_joiner_gets_recent_events_of_its_topics_from_memory', async () => {
  const { hub, clock, server } = newHub({ recentLimit: 3 });
  const a = new FakeTab(hub, 'a');
  a.subscribe(1, `${BASE}?topic=scores&topic=chat`);
  await settle();
  await clock.advance(20);
  const up = (await server.request(0)).respond();
  await settle();
  for (let i = 1; i <= 5; i++) up.send({ id: `s${i}`, event: 'scores/goal', data: `g${i}` });
  up.send({ id: 'c1', event: 'chat/message', data: 'hello' });
  await settle();
  const late = new FakeTab(hub, 'late');
  late.subscribe(4, `${BASE}?topic=scores`, { recent: 2 });
  await settle();
  expectEqual(server.requests.length, 1, 'requests to the server (memory, not the server)');
  expectEqual(late.states(4), ['open'], 'states of the late joiner');
  expectEqual(late.events(4), ['goal:g4#s4', 'goal:g5#s5'], 'recent events given to the late joiner');
  const order = late.heard.filter((m) => m.type !== TO_TAB.WELCOME).map((m) => m.type);
  expectEqual(order, ['status', 'events'], 'open comes before the recent events');
  up.send({ id: 's6', event: 'scores/goal', data: 'g6' });
  await settle();
  expectEqual(late.events(4), ['goal:g4#s4', 'goal:g5#s5', 'goal:g6#s6'], 'then live events');
  hub.close();
});

test('a_401_asks_a_tab_for_a_fresh_token_and_reconnects_with_it', async () => {
  const { hub, clock, server } = newHub();
  const a = new FakeTab(hub, 'a');
  let issued = 0;
  a.port.addEventListener('message', (e) => {
    if (e.data.type === TO_TAB.NEED_TOKEN) {
      issued++;
      a.post({ type: 'token', request: e.data.request, token: `t${issued}` });
    }
  });
  a.subscribe(1, `${BASE}?topic=scores`, { hasTokenProvider: true });
  await settle();
  await clock.advance(20);
  const first = await server.request(0);
  expectEqual(first.headers.get('authorization'), 'Bearer t1', 'credential of the first request');
  first.respond(401, { 'content-type': 'application/json' });
  await settle();
  const second = await server.request(1);
  expectEqual(second.headers.get('authorization'), 'Bearer t2', 'credential after the 401');
  second.respond();
  await settle();
  expectEqual(issued, 2, 'tokens asked for (one before connecting, one for the 401)');
  expectEqual(a.states(1), ['connecting', 'open'], 'states of the tab');
  hub.close();
});

test('a_second_401_after_a_refresh_closes_the_stream', async () => {
  const { hub, clock, server } = newHub();
  const a = new FakeTab(hub, 'a');
  a.port.addEventListener('message', (e) => {
    if (e.data.type === TO_TAB.NEED_TOKEN) a.post({ type: 'token', request: e.data.request, token: 'stale' });
  });
  a.subscribe(1, `${BASE}?topic=scores`, { hasTokenProvider: true });
  await settle();
  await clock.advance(20);
  (await server.request(0)).respond(401);
  await settle();
  (await server.request(1)).respond(401);
  await settle();
  expectEqual(a.states(1), ['connecting', 'closed'], 'states of the tab');
  const closed = a.heard.find((m) => m.type === TO_TAB.STATUS && m.state === 'closed');
  expectEqual(closed.reason, 'unauthorized', 'reason of the close');
  expectEqual(hub.streams.size, 0, 'streams left in the hub');
  hub.close();
});

test('a_non_ascii_last_event_id_goes_out_as_its_utf8_bytes', async () => {
  const { hub, clock, server } = newHub({ engineConfig: { seed: 1, initialRetryMs: 1000 } });
  const a = new FakeTab(hub, 'a');
  a.subscribe(1, `${BASE}?topic=scores`, { lastEventId: 'größe-😀-1', lastEventAt: 1 });
  await settle();
  await clock.advance(20);
  const first = await server.request(0);
  const raw = first.headers.get('last-event-id');
  const bytes = [...Buffer.from('größe-😀-1', 'utf8')];
  expectEqual([...raw].map((c) => c.charCodeAt(0)), bytes, 'header chars = the UTF-8 bytes of the ID');
  first.respond();
  await settle();
  first.send({ id: 'ü-2', event: 'scores/goal', data: 'x' });
  await settle();
  first.fail();
  await settle();
  await clock.advance(1000);
  const second = await server.request(1);
  expectEqual(second.lastEventId, 'ü-2', 'Last-Event-ID after a reconnect (decoded from UTF-8)');
  hub.close();
});

test('a_new_hub_learns_the_last_event_id_from_the_tabs', async () => {
  const { hub, clock, server } = newHub();
  const a = new FakeTab(hub, 'a');
  const b = new FakeTab(hub, 'b');
  const c = new FakeTab(hub, 'c');
  a.subscribe(1, `${BASE}?topic=scores`, { lastEventId: '40', lastEventAt: 100 });
  b.subscribe(1, `${BASE}?topic=chat`, { lastEventId: '42', lastEventAt: 300 });
  c.subscribe(1, `${BASE}?topic=scores`, { lastEventId: '41', lastEventAt: 200 });
  await settle();
  await clock.advance(20);
  expectEqual(server.requests.length, 1, 'requests');
  expectEqual(server.requests[0].lastEventId, '42', 'Last-Event-ID (the most recently received of the tabs)');
  const up = server.requests[0].respond();
  await settle();
  // The server resumes strictly after 42 (a new hub's engine has no memory of 42).
  up.send({ id: '43', event: 'scores/goal', data: 'x' });
  await settle();
  expectEqual(a.events(1), ['goal:x#43'], 'events after the restart');
  hub.close();
});

test('a_cut_upstream_reconnects_after_the_servers_retry_and_delivers_each_event_once', async () => {
  const { hub, clock, server } = newHub();
  const tabs = [];
  for (let i = 0; i < 4; i++) {
    const t = new FakeTab(hub, `t${i}`);
    t.subscribe(1, `${BASE}?topic=scores`);
    tabs.push(t);
  }
  await settle();
  await clock.advance(20);
  const first = (await server.request(0)).respond();
  await settle();
  first.write('retry: 1500\n\n');
  first.send({ id: '1', event: 'scores/goal', data: 'a' }, { id: '2', event: 'scores/goal', data: 'b' });
  await settle();
  first.fail();
  await settle();
  const retrying = tabs[0].heard.find((m) => m.type === TO_TAB.STATUS && m.state === 'retrying');
  assert.ok(retrying, `expected a "retrying" status, got ${JSON.stringify(tabs[0].states(1))}`);
  expectEqual(retrying.delayMs, 1500, 'retry delay told to the tabs (the server\'s retry:)');
  await clock.advance(1499);
  expectEqual(server.requests.length, 1, 'requests 1 ms before the retry delay');
  await clock.advance(1);
  const second = await server.request(1);
  expectEqual(second.lastEventId, '2', 'Last-Event-ID of the reconnect');
  second.respond();
  await settle();
  second.send({ id: '2', event: 'scores/goal', data: 'b' }, { id: '3', event: 'scores/goal', data: 'c' });
  await settle();
  for (const t of tabs) {
    expectEqual(t.events(1), ['goal:a#1', 'goal:b#2', 'goal:c#3'], `events of tab ${t.id}`);
    expectEqual(t.states(1), ['connecting', 'open', 'retrying', 'connecting', 'open'], `states of tab ${t.id}`);
  }
  hub.close();
});
