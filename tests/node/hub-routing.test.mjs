// The hub's routing and fan-out: one upstream for the union of the tabs'
// topics, each tab getting exactly its topics' events, batched and in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newHub, FakeTab, settle, expectEqual, TO_TAB } from './hub-fakes.mjs';

const BASE = 'http://app.test/events';

async function openTwoTabs(hubOptions = {}) {
  const setup = newHub(hubOptions);
  const a = new FakeTab(setup.hub, 'a');
  const b = new FakeTab(setup.hub, 'b');
  a.subscribe(1, `${BASE}?topic=scores`);
  b.subscribe(7, `${BASE}?topic=chat`);
  await settle();
  await setup.clock.advance(20);
  return { ...setup, a, b };
}

test('tabs_with_different_topics_share_one_upstream_with_the_union', async () => {
  const { hub, server } = await openTwoTabs();
  expectEqual(server.requests.length, 1, 'requests to the server');
  const url = server.requests[0].url;
  expectEqual(url.pathname, '/events', 'path');
  expectEqual(url.searchParams.getAll('topic'), ['chat', 'scores'], 'topics of the upstream');
  expectEqual(url.searchParams.get('route'), 'type', 'route parameter');
  expectEqual(server.requests[0].headers.get('accept'), 'text/event-stream', 'Accept header');
  expectEqual(server.requests[0].init.cache, 'no-store', 'fetch cache mode');
  hub.close();
});

test('each_tab_receives_exactly_its_topics_and_unrouted_events_reach_all', async () => {
  const { hub, server, a, b } = await openTwoTabs();
  const up = server.requests[0].respond();
  await settle();
  expectEqual(a.states(1), ['connecting', 'open'], 'states told to tab a');
  expectEqual(b.states(7), ['connecting', 'open'], 'states told to tab b');
  up.send({ id: '1', event: 'scores/goal', data: '1-0' }, { id: '2', event: 'chat/message', data: 'hi' },
    { id: '3', event: 'scores/message', data: 'kickoff' }, { id: '4', event: 'notice', data: 'to all' },
    { id: '5', event: 'other/thing', data: 'not a topic of ours' });
  await settle();
  expectEqual(a.events(1), ['goal:1-0#1', 'message:kickoff#3', 'notice:to all#4', 'other/thing:not a topic of ours#5'],
    'events of tab a (scores)');
  expectEqual(b.events(7), ['message:hi#2', 'notice:to all#4', 'other/thing:not a topic of ours#5'],
    'events of tab b (chat)');
  hub.close();
});

test('events_arriving_together_are_one_message_per_tab_in_order', async () => {
  const { hub, server, a } = await openTwoTabs();
  const up = server.requests[0].respond();
  await settle();
  const events = [];
  for (let i = 1; i <= 200; i++) events.push({ id: String(i), event: 'scores/tick', data: `n${i}` });
  up.send(...events);
  await settle();
  expectEqual(a.batches().length, 1, 'EVENTS messages for one chunk of 200 events');
  expectEqual(a.events(1), events.map((e) => `tick:${e.data}#${e.id}`), 'events in order');
  up.send({ id: '201', event: 'scores/tick', data: 'n201' });
  await settle();
  expectEqual(a.batches().length, 2, 'EVENTS messages after a second chunk');
  hub.close();
});

// Chromium hands the body over one network read at a time, and each read
// resolves in its own microtask turn: a flush per turn meant one postMessage
// per event per tab at 1,000 events/s (tests/bench/HUB-BENCH.md).
test('events_in_separate_reads_of_one_task_reach_a_tab_in_one_message_in_order', async () => {
  const { hub, server, a, b } = await openTwoTabs();
  const up = server.requests[0].respond();
  await settle();
  for (let i = 1; i <= 5; i++) up.send({ id: String(i), event: i % 2 ? 'scores/tick' : 'chat/line', data: `n${i}` });
  await settle();
  expectEqual(a.batches().length, 1, 'EVENTS messages to tab a for 5 reads in one task');
  expectEqual(a.events(1), ['tick:n1#1', 'tick:n3#3', 'tick:n5#5'], 'events of tab a, in order');
  expectEqual(b.batches().length, 1, 'EVENTS messages to tab b for 5 reads in one task');
  expectEqual(b.events(7), ['line:n2#2', 'line:n4#4'], 'events of tab b, in order');
  hub.close();
});

test('a_steady_stream_reaches_a_tab_at_most_once_per_window_and_a_lone_event_at_once', async () => {
  const { hub, server, clock, a } = await openTwoTabs({ fanoutWindowMs: 4 });
  const up = server.requests[0].respond();
  await settle();
  up.send({ id: '1', event: 'scores/tick', data: 'n1' });
  await settle();
  expectEqual(a.events(1), ['tick:n1#1'], 'events after the first one, no time passing');
  up.send({ id: '2', event: 'scores/tick', data: 'n2' });
  await settle();
  up.send({ id: '3', event: 'scores/tick', data: 'n3' });
  await clock.advance(3);
  expectEqual(a.events(1), ['tick:n1#1'], 'events 3 ms after the first batch (window 4 ms)');
  await clock.advance(1);
  expectEqual(a.events(1), ['tick:n1#1', 'tick:n2#2', 'tick:n3#3'], 'events when the window ends');
  expectEqual(a.batches().length, 2, 'EVENTS messages for 3 events in one window');
  await clock.advance(50);
  up.send({ id: '4', event: 'scores/tick', data: 'n4' });
  await settle();
  expectEqual(a.events(1).at(-1), 'tick:n4#4', 'last event after a quiet spell, no time passing');
  hub.close();
});

test('a_server_ignoring_route_type_delivers_every_event_to_every_tab', async () => {
  const { hub, server, a, b } = await openTwoTabs();
  const up = server.requests[0].respond();
  await settle();
  up.send({ id: '1', event: 'goal', data: 'g' }, { id: '2', data: 'plain' });
  await settle();
  expectEqual(a.events(1), ['goal:g#1', 'message:plain#2'], 'tab a');
  expectEqual(b.events(7), ['goal:g#1', 'message:plain#2'], 'tab b');
  hub.close();
});

test('a_url_without_topics_is_its_own_stream_fetched_as_is', async () => {
  const { hub, server, clock } = newHub();
  const a = new FakeTab(hub, 'a');
  const b = new FakeTab(hub, 'b');
  a.subscribe(1, 'http://app.test/feed?format=short');
  b.subscribe(1, 'http://app.test/feed?format=short#ignored');
  a.subscribe(2, `${BASE}?topic=scores`);
  await settle();
  await clock.advance(20);
  const urls = server.requests.map((r) => r.url.href).sort();
  expectEqual(urls, ['http://app.test/events?topic=scores&route=type', 'http://app.test/feed?format=short'],
    'upstream URLs');
  const feed = server.requests.find((r) => r.url.pathname === '/feed').respond();
  await settle();
  feed.send({ id: 'x', event: 'a/b', data: 'slash kept' });
  await settle();
  expectEqual(a.events(1), ['a/b:slash kept#x'], 'plain stream, tab a');
  expectEqual(b.events(1), ['a/b:slash kept#x'], 'plain stream, tab b');
  expectEqual(a.events(2), [], 'the topic stream got nothing');
  hub.close();
});

test('different_credentials_get_different_upstreams', async () => {
  const { hub, server, clock } = newHub();
  const a = new FakeTab(hub, 'a');
  const b = new FakeTab(hub, 'b');
  const c = new FakeTab(hub, 'c');
  a.subscribe(1, `${BASE}?topic=scores`, { headers: { Authorization: 'Bearer alice' } });
  b.subscribe(1, `${BASE}?topic=chat`, { headers: { authorization: 'Bearer alice' } });
  c.subscribe(1, `${BASE}?topic=scores`, { headers: { Authorization: 'Bearer bob' } });
  await settle();
  await clock.advance(20);
  const seen = server.requests.map((r) => `${r.headers.get('authorization')} ${r.topics.join(',')}`).sort();
  expectEqual(seen, ['Bearer alice chat,scores', 'Bearer bob scores'], 'upstreams (credential, topics)');
  hub.close();
});

test('stats_count_events_bytes_and_tabs', async () => {
  const { hub, server, a } = await openTwoTabs();
  const up = server.requests[0].respond();
  await settle();
  const wire = 'id: 1\nevent: scores/goal\ndata: x\n\n';
  up.write(wire);
  await settle();
  a.post({ type: 'get-stats', request: 9 });
  await settle();
  const reply = a.heard.find((m) => m.type === TO_TAB.STATS);
  assert.ok(reply, `expected a STATS reply, got ${JSON.stringify(a.heard.map((m) => m.type))}`);
  expectEqual(reply.request, 9, 'request id echoed');
  const s = reply.streams[0];
  expectEqual([s.state, s.counters.events, s.counters.bytes, s.counters.tabs, s.topics],
    ['open', 1, wire.length, 2, ['chat', 'scores']], '[state, events, bytes, tabs, topics]');
  hub.close();
});
