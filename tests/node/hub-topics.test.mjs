// A change of the topic set: the hub opens the new upstream with
// Last-Event-ID = the last event delivered, and drops the old one only once
// the new one answered (make-before-break). Nothing lost, nothing twice.
import { test } from 'node:test';
import { newHub, FakeTab, settle, expectEqual } from './hub-fakes.mjs';

const BASE = 'http://app.test/events';

async function scoresTabOpen() {
  const setup = newHub();
  const a = new FakeTab(setup.hub, 'a');
  a.subscribe(1, `${BASE}?topic=scores`);
  await settle();
  await setup.clock.advance(20);
  const first = (await setup.server.request(0)).respond();
  await settle();
  first.send({ id: '1', event: 'scores/goal', data: 's1' }, { id: '2', event: 'scores/goal', data: 's2' });
  await settle();
  return { ...setup, a, first };
}

test('adding_a_topic_switches_make_before_break_without_loss_or_duplicates', async () => {
  const { hub, clock, server, a, first } = await scoresTabOpen();
  const b = new FakeTab(hub, 'b');
  b.subscribe(3, `${BASE}?topic=chat`);
  await settle();
  await clock.advance(20);
  const second = await server.request(1);
  expectEqual(second.topics, ['chat', 'scores'], 'topics of the new upstream');
  expectEqual(second.lastEventId, '2', 'Last-Event-ID of the new upstream');
  expectEqual(first.aborted, false, 'old upstream aborted before the new one answered');
  expectEqual(b.states(3), ['connecting'], 'states of the new tab before the switch');
  // Published meanwhile: 3 (scores) reaches the old upstream, 4 (chat) does not.
  first.send({ id: '3', event: 'scores/goal', data: 's3' });
  await settle();
  second.respond();
  await settle();
  expectEqual(first.aborted, true, 'old upstream aborted once the new one answered');
  // The server replays everything after 2 for the union.
  second.send({ id: '3', event: 'scores/goal', data: 's3' }, { id: '4', event: 'chat/message', data: 'c4' },
    { id: '5', event: 'scores/goal', data: 's5' });
  await settle();
  expectEqual(a.events(1), ['goal:s1#1', 'goal:s2#2', 'goal:s3#3', 'goal:s5#5'], 'events of the scores tab');
  expectEqual(a.states(1), ['connecting', 'open'], 'states of the scores tab (no blip)');
  expectEqual(b.states(3), ['connecting', 'open'], 'states of the chat tab');
  expectEqual(b.events(3), ['message:c4#4'], 'events of the chat tab');
  expectEqual(server.requests.length, 2, 'requests to the server');
  hub.close();
});

test('removing_a_topic_switches_to_the_smaller_set_after_the_grace_period_without_loss', async () => {
  const { hub, clock, server, a, first } = await scoresTabOpen();
  const b = new FakeTab(hub, 'b');
  b.subscribe(3, `${BASE}?topic=chat`);
  await settle();
  await clock.advance(20);
  const second = (await server.request(1)).respond();
  await settle();
  second.send({ id: '4', event: 'chat/message', data: 'c4' });
  await settle();
  b.unsubscribe(3);
  await settle();
  await clock.advance(2900);
  expectEqual(server.requests.length, 2, 'requests before the grace period after a topic was dropped');
  await clock.advance(200);
  const third = await server.request(2);
  expectEqual(third.topics, ['scores'], 'topics after the chat tab left');
  expectEqual(third.lastEventId, '4', 'Last-Event-ID of the third upstream');
  second.send({ id: '6', event: 'chat/message', data: 'c6' }, { id: '7', event: 'scores/goal', data: 's7' });
  await settle();
  third.respond();
  await settle();
  third.send({ id: '7', event: 'scores/goal', data: 's7' }, { id: '8', event: 'scores/goal', data: 's8' });
  await settle();
  expectEqual(second.aborted, true, 'the union upstream aborted after the switch');
  expectEqual(first.aborted, true, 'the first upstream aborted');
  expectEqual(a.events(1), ['goal:s1#1', 'goal:s2#2', 'goal:s7#7', 'goal:s8#8'], 'events of the scores tab');
  expectEqual(b.events(3), ['message:c4#4'], 'events of the chat tab (none after it left)');
  hub.close();
});

test('subscriptions_arriving_together_cause_one_switch', async () => {
  const { hub, clock, server } = await scoresTabOpen();
  const tabs = [];
  for (let i = 0; i < 12; i++) {
    const t = new FakeTab(hub, `t${i}`);
    t.subscribe(1, `${BASE}?topic=room${i % 4}`);
    tabs.push(t);
  }
  await settle();
  await clock.advance(20);
  expectEqual(server.requests.length, 2, 'requests after 12 tabs subscribed together');
  expectEqual(server.last.topics, ['room0', 'room1', 'room2', 'room3', 'scores'], 'topics of the new upstream');
  hub.close();
});

test('a_topic_the_server_refuses_closes_only_the_tabs_that_asked_for_it', async () => {
  const { hub, clock, server, a, first } = await scoresTabOpen();
  const b = new FakeTab(hub, 'b');
  b.subscribe(3, `${BASE}?topic=secret`);
  await settle();
  await clock.advance(20);
  (await server.request(1)).respond(403, { 'content-type': 'application/json' });
  await settle();
  await clock.advance(20);
  expectEqual(b.states(3), ['connecting', 'closed'], 'states of the refused tab');
  expectEqual(first.aborted, false, 'the working upstream aborted');
  first.send({ id: '3', event: 'scores/goal', data: 's3' });
  await settle();
  expectEqual(a.events(1), ['goal:s1#1', 'goal:s2#2', 'goal:s3#3'], 'events of the scores tab');
  expectEqual(server.requests.length, 2, 'requests (no new switch back)');
  hub.close();
});
