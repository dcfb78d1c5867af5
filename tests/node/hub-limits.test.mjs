// The hub's limits (issue 12): the defaults deliver what EventSource delivers
// (a 100,000-byte id, a 300-byte type, a 1 MiB data line), and an event past
// a limit is never lost silently: every subscription reading the stream gets
// a status that keeps the state and names the limit, in order with its
// events, and the page sees it as an `ssemux-status` event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { webDir } from './wasm-core.mjs';
import { core, newHub, FakeTab, FakeClock, FakeServer, settle, expectEqual, TO_TAB } from './hub-fakes.mjs';

const BASE = 'http://app.test/events';

async function openStream(hubOptions = {}) {
  const setup = newHub(hubOptions);
  const a = new FakeTab(setup.hub, 'a');
  const b = new FakeTab(setup.hub, 'b');
  a.subscribe(1, `${BASE}?topic=scores`);
  b.subscribe(2, `${BASE}?topic=chat`);
  await settle();
  await setup.clock.advance(20);
  const up = setup.server.requests[0].respond();
  await settle();
  return { ...setup, a, b, up };
}

/** What `sub` heard, in order: "event type:data#id" or "status state/reason (discarded n)". */
function heardBy(tab, sub) {
  const out = [];
  for (const m of tab.heard) {
    if (m.type === TO_TAB.STATUS && m.sub === sub) {
      out.push(`status ${m.state}/${m.reason} (discarded ${m.counters.discarded ?? 0})`);
    } else if (m.type === TO_TAB.EVENTS) {
      for (let i = 0; i < m.items.length; i += 4) {
        if (m.items[i] === sub) out.push(`event ${m.items[i + 1]}:${m.items[i + 2]}#${m.items[i + 3]}`);
      }
    }
  }
  return out;
}

test('an_event_past_a_limit_is_reported_to_every_subscription_in_order', async () => {
  const { hub, a, b, up } = await openStream({ engineConfig: { seed: 1, maxId: 8, maxData: 16 } });
  up.write('id: 1\nevent: scores/goal\ndata: 1-0\n\n' +
    'id: 123456789\nevent: scores/goal\ndata: lost\n\n' + // id one byte past maxId
    `id: 2\nevent: chat/message\ndata: ${'x'.repeat(17)}\n\n` + // data one byte past maxData
    'id: 3\nevent: chat/message\ndata: hi\n\n');
  await settle();
  expectEqual(heardBy(a, 1), [
    'status connecting/started (discarded 0)', 'status open/opened (discarded 0)',
    'event goal:1-0#1', 'status open/id_too_long (discarded 1)', 'status open/data_too_large (discarded 2)',
  ], 'what the scores subscription heard');
  expectEqual(heardBy(b, 2), [
    'status connecting/started (discarded 0)', 'status open/opened (discarded 0)',
    'status open/id_too_long (discarded 1)', 'status open/data_too_large (discarded 2)', 'event message:hi#3',
  ], 'what the chat subscription heard');
  hub.close();
});

test('the_default_limits_deliver_a_100000_byte_id_a_300_byte_type_and_a_1_mib_data_line', async () => {
  const { hub, a, up } = await openStream();
  const id = 'i'.repeat(100000);
  const type = 't'.repeat(300);
  const data = 'd'.repeat(1 << 20);
  // In pieces, as a network delivers it.
  const text = `id: ${id}\nevent: scores/${type}\ndata: ${data}\n\n`;
  for (let at = 0; at < text.length; at += 16384) up.write(text.slice(at, at + 16384));
  await settle();
  const events = a.events(1);
  expectEqual(events.length, 1, 'events delivered');
  assert.ok(events[0] === `${type}:${data}#${id}`, 'the event arrives whole');
  expectEqual(heardBy(a, 1).filter((h) => h.startsWith('status')).length, 2, 'statuses (connecting, open): no drop');
  hub.close();
});

test('the_page_sees_a_dropped_event_as_an_ssemux_status_event_and_keeps_its_state', async () => {
  const { SharedEventSource } = await import(pathToFileURL(path.join(webDir, 'ssemux.js')).href);
  const clock = new FakeClock();
  const server = new FakeServer();
  const hubOptions = { core, fetch: server.fetch, clock, settleMs: 10, engineConfig: { seed: 3, maxType: 12 } }; // 'scores/goal' fits, 'scores/toolong' does not
  const es = new SharedEventSource(`${BASE}?topic=scores`,
    { transport: 'in-page', hubOptions, workerUrl: `http://app.test/w${Math.random()}.js` });
  const seen = [];
  es.addEventListener('error', () => seen.push('error'));
  es.addEventListener('ssemux-status', (e) => seen.push(`status ${e.detail.state}/${e.detail.reason}`));
  es.addEventListener('goal', (e) => seen.push(`goal ${e.data}`));
  for (let i = 0; i < 100 && server.requests.length === 0; i++) { await clock.advance(20); await settle(1); }
  const up = (await server.request(0)).respond();
  for (let i = 0; i < 100 && es.readyState !== 1; i++) await settle(1);
  up.write('event: scores/toolong\ndata: lost\n\nevent: scores/goal\ndata: 1-0\n\n');
  for (let i = 0; i < 50 && seen.length < 4; i++) await settle(1);
  expectEqual(seen, ['status connecting/started', 'status open/opened', 'status open/type_too_long', 'goal 1-0'],
    'what the page saw: no "error" event, the state stays open');
  expectEqual([es.readyState, es.status.counters.discarded], [1, 1], '[readyState, counters.discarded]');
  es.close();
});
