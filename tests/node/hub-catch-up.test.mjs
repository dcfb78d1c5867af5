// A tab that comes back to a stream the hub still carries (restored from
// the bfcache, or reloaded within the grace period) says the last event ID
// it saw; the hub gives it what it missed from memory, or nothing it cannot
// vouch for. And a late joiner's recent events come once, not after every
// reconnect.
import { test } from 'node:test';
import { newHub, FakeTab, settle, expectEqual } from './hub-fakes.mjs';

const BASE = 'http://app.test/events';

// One tab keeps the stream up; returns the open upstream.
async function runningStream(hub, clock, server, url) {
  const keeper = new FakeTab(hub, 'keeper');
  keeper.subscribe(1, url);
  await settle();
  await clock.advance(20);
  const up = (await server.request(0)).respond();
  await settle();
  return { keeper, up };
}

test('a_tab_coming_back_gets_the_events_it_missed_from_memory_then_live_ones_without_a_request', async () => {
  const { hub, clock, server } = newHub({ recentLimit: 8 });
  const { up } = await runningStream(hub, clock, server, `${BASE}?topic=scores&topic=chat`);
  up.send({ id: '1', event: 'scores/goal', data: 'g1' }, { id: '2', event: 'chat/message', data: 'm2' });
  await settle();
  // The tab saw event 1, left (bfcache), and events 2..4 came meanwhile.
  up.send({ id: '3', event: 'scores/goal', data: 'g3' }, { id: '4', event: 'scores/goal', data: 'g4' });
  await settle();
  const back = new FakeTab(hub, 'back');
  back.subscribe(7, `${BASE}?topic=scores`, { lastEventId: '1', lastEventAt: 5, recent: 5 });
  await settle();
  up.send({ id: '5', event: 'scores/goal', data: 'g5' });
  await settle();
  expectEqual(server.requests.length, 1, 'requests to the server');
  expectEqual(back.states(7), ['open'], 'states of the returning tab');
  // Its topic only, after ID 1, and not the `recent` it also asked for.
  expectEqual(back.events(7), ['goal:g3#3', 'goal:g4#4', 'goal:g5#5'], 'events of the returning tab');
  hub.close();
});

test('a_tab_whose_last_id_memory_no_longer_reaches_gets_no_partial_catch_up', async () => {
  const { hub, clock, server } = newHub({ recentLimit: 2 });
  const { up } = await runningStream(hub, clock, server, `${BASE}?topic=scores`);
  for (let i = 1; i <= 4; i++) up.send({ id: `${i}`, event: 'scores/goal', data: `g${i}` });
  await settle();
  const back = new FakeTab(hub, 'back');
  back.subscribe(7, `${BASE}?topic=scores`, { lastEventId: '1', lastEventAt: 5 });
  await settle();
  expectEqual(back.events(7), [], 'events from memory when ID 1 is forgotten (2 was evicted)');
  const edge = new FakeTab(hub, 'edge');
  edge.subscribe(8, `${BASE}?topic=scores`, { lastEventId: '3', lastEventAt: 5 });
  await settle();
  expectEqual(edge.events(8), ['goal:g4#4'], 'events after ID 3, still all remembered');
  hub.close();
});

test('subscribing_again_on_the_same_port_does_not_repeat_events', async () => {
  const { hub, clock, server } = newHub({ recentLimit: 8 });
  const { keeper, up } = await runningStream(hub, clock, server, `${BASE}?topic=scores`);
  up.send({ id: '1', event: 'scores/goal', data: 'g1' }, { id: '2', event: 'scores/goal', data: 'g2' });
  await settle();
  // The tab re-sends its subscription (a second HELLO) before event 2
  // reached it: the hub must not send 2 again.
  keeper.subscribe(1, `${BASE}?topic=scores`, { lastEventId: '1', lastEventAt: 5 });
  await settle();
  expectEqual(keeper.events(1), ['goal:g1#1', 'goal:g2#2'], 'events of the re-subscribed tab');
  hub.close();
});

test('a_late_joiners_recent_events_come_once_not_again_after_a_reconnect', async () => {
  const { hub, clock, server } = newHub({ recentLimit: 4, engineConfig: { seed: 1, initialRetryMs: 100 } });
  const { up } = await runningStream(hub, clock, server, `${BASE}?topic=scores`);
  up.send({ id: '1', event: 'scores/goal', data: 'g1' });
  await settle();
  const late = new FakeTab(hub, 'late');
  late.subscribe(2, `${BASE}?topic=scores`, { recent: 4 });
  await settle();
  expectEqual(late.events(2), ['goal:g1#1'], 'recent events on joining');
  up.end(); // the server closes the stream: the engine reconnects
  await settle();
  await clock.advance(5000);
  const again = await server.request(1);
  again.respond();
  await settle();
  again.send({ id: '2', event: 'scores/goal', data: 'g2' });
  await settle();
  expectEqual(late.states(2).filter((s) => s === 'open').length, 2, 'open told again after the reconnect');
  expectEqual(late.events(2), ['goal:g1#1', 'goal:g2#2'], 'events of the late joiner across the reconnect');
  hub.close();
});

test('a_new_hub_catches_up_tabs_that_subscribe_after_it_resumed_from_their_common_last_id', async () => {
  // A new hub (fallback leader change): the first tab's subscription starts
  // the upstream from its last ID; a slower tab with the same last ID
  // subscribes after events already came in, and must get them too.
  const { hub, clock, server } = newHub({ recentLimit: 8 });
  const fast = new FakeTab(hub, 'fast');
  fast.subscribe(1, `${BASE}?topic=scores`, { lastEventId: '5', lastEventAt: 10 });
  await settle();
  await clock.advance(20);
  const up = (await server.request(0)).respond();
  expectEqual(server.requests[0].lastEventId, '5', 'Last-Event-ID of the new hub');
  await settle();
  up.send({ id: '6', event: 'scores/goal', data: 'g6' }, { id: '7', event: 'scores/goal', data: 'g7' });
  await settle();
  const slow = new FakeTab(hub, 'slow');
  slow.subscribe(1, `${BASE}?topic=scores`, { lastEventId: '5', lastEventAt: 10 });
  await settle();
  up.send({ id: '8', event: 'scores/goal', data: 'g8' });
  await settle();
  expectEqual(slow.events(1), ['goal:g6#6', 'goal:g7#7', 'goal:g8#8'], 'events of the tab that subscribed late');
  expectEqual(fast.events(1), ['goal:g6#6', 'goal:g7#7', 'goal:g8#8'], 'events of the first tab');
  hub.close();
});
