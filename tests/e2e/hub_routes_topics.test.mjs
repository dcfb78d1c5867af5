// Tabs that want different topics of one server still share one upstream:
// the hub subscribes to the union and routes each event to the tabs of its
// topic (route=type: the server names events "<topic>/<type>", the hub gives
// tabs "<type>"; docs/protocol.md). A tab never sees another topic's events.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withServerAndBrowser } from './lib/scenario.mjs';
import { hubMissingReason } from './lib/site.mjs';
import { eventsOf, expectExactDelivery, isOpened, openClientTabs, openShared, snapshot, waitForAllTabs } from './lib/tabs.mjs';
import { sleep, waitFor } from './lib/wait.mjs';

const HUB = { transport: 'shared-worker', types: ['tick', 'sync'] };
const TABS = [
  { url: '/events?topic=alpha', topics: ['alpha'] },
  { url: '/events?topic=beta', topics: ['beta'] },
  { url: '/events?topic=alpha&topic=beta', topics: ['alpha', 'beta'] },
];
const ROUNDS = 20;
const ticks = (snap) => eventsOf(snap, 0, 'tick').map((e) => `${e.lastEventId} ${e.data}`);
const ROUTING_HINT = '\n(other topics\' events in a tab mean the server ignored route=type: it must name events "<topic>/<type>")';
const skip = hubMissingReason() ?? false;

// Until every tab has seen a "sync" event of each of its topics, the hub may
// still be switching to the union of topics; events after that must all
// arrive. Sync events are told apart by the ID the server gave each.
async function waitUntilRoutesAreLive(server, pages) {
  const topicOfId = new Map();
  const covered = (snap, i) =>
    TABS[i].topics.every((topic) => eventsOf(snap, 0, 'sync').some((e) => topicOfId.get(e.lastEventId) === topic));
  await waitFor(
    async () => {
      for (const topic of ['alpha', 'beta']) topicOfId.set(await server.publish(topic, 'sync', 'sync'), topic);
      return Promise.all(pages.map(snapshot));
    },
    (snaps) => snaps.every(covered),
    { what: 'every tab to receive a sync event of each of its topics', timeoutMs: 15_000, intervalMs: 250 },
  );
}

test('tabs_with_different_topics_share_one_upstream_and_get_only_their_topics', { skip, timeout: 120_000 }, async (t) => {
  await withServerAndBrowser(t, {}, async ({ server, browser }) => {
    const pages = await openClientTabs(browser, server.origin, TABS.length);
    for (const [i, page] of pages.entries()) await openShared(page, TABS[i].url, HUB);
    await waitForAllTabs(pages, (snap) => isOpened(snap), { what: 'SharedEventSource open', timeoutMs: 20_000 });
    await waitUntilRoutesAreLive(server, pages);

    // Interleaved: alpha, beta, and gamma which no tab asked for.
    const published = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const topic of ['alpha', 'beta', 'gamma']) {
        const data = `${topic}-${round}`;
        published.push({ topic, data, id: await server.publish(topic, 'tick', data) });
      }
    }
    await expectExactDelivery(pages, {
      itemsOf: ticks,
      expectedFor: (i) => published.filter((e) => TABS[i].topics.includes(e.topic)).map((e) => `${e.id} ${e.data}`),
      labelOf: (i) => `tab ${i + 1} (${TABS[i].topics.join('+')})`,
      what: 'every event of the tab\'s topics',
      hint: ROUTING_HINT,
    });

    const stats = await server.streamStats();
    assert.equal(stats.open, 1, `expected one upstream for all topics, got ${stats.open} open streams (${stats.openedTotal} opened in all)`);
    t.diagnostic(`streams opened in all (topic-set switches included): ${stats.openedTotal}`);
  });
});

// Make-before-break (issue 3: "A change to the topic set loses and
// duplicates nothing"): a tab asking for a new topic makes the hub switch
// the upstream to a new topic set while events keep flowing to the others.
test('adding_a_topic_while_events_flow_loses_and_duplicates_nothing', { skip, timeout: 120_000 }, async (t) => {
  await withServerAndBrowser(t, {}, async ({ server, browser }) => {
    const pages = await openClientTabs(browser, server.origin, 3);
    const [alphaTab, betaTab, gammaTab] = pages;
    await openShared(alphaTab, '/events?topic=alpha', HUB);
    await openShared(betaTab, '/events?topic=beta', HUB);
    await waitForAllTabs([alphaTab, betaTab], (snap) => isOpened(snap), { what: 'SharedEventSource open', timeoutMs: 20_000 });
    await waitUntilRoutesAreLive(server, [alphaTab, betaTab]);

    // Publish alpha/beta continuously, in order, across the switch.
    const published = [];
    let publishing = true;
    const publisher = (async () => {
      for (let i = 0; publishing; i++) {
        const topic = i % 2 ? 'beta' : 'alpha';
        published.push({ topic, data: `${topic}-${i}`, id: await server.publish(topic, 'tick', `${topic}-${i}`) });
        await sleep(10);
      }
    })();
    await sleep(500);
    await openShared(gammaTab, '/events?topic=gamma', HUB);
    await waitForAllTabs([gammaTab], (snap) => isOpened(snap), { what: 'the gamma tab open', timeoutMs: 20_000 });
    const gammaSync = new Set();
    await waitFor(async () => {
      gammaSync.add(await server.publish('gamma', 'sync', 'sync'));
      return snapshot(gammaTab);
    }, (snap) => eventsOf(snap, 0, 'sync').some((e) => gammaSync.has(e.lastEventId)), { what: 'the gamma tab to receive a gamma sync event', timeoutMs: 15_000, intervalMs: 250 });
    const gammaIds = [];
    for (let i = 0; i < 10; i++) gammaIds.push(`${await server.publish('gamma', 'tick', `gamma-${i}`)} gamma-${i}`);
    await sleep(500);
    publishing = false;
    await publisher;

    const expected = { alpha: [], beta: [] };
    for (const e of published) expected[e.topic].push(`${e.id} ${e.data}`);
    await expectExactDelivery(pages, {
      itemsOf: ticks,
      expectedFor: (i) => [expected.alpha, expected.beta, gammaIds][i],
      labelOf: (i) => ['alpha tab', 'beta tab', 'gamma tab (after its sync)'][i],
      what: 'every event of the tab\'s topic',
      hint: ROUTING_HINT,
    });
    await server.waitForStreams(1, { what: 'one upstream once the switch to alpha+beta+gamma is done' });
    t.diagnostic(`${published.length} alpha/beta events published across the switch; streams opened in all: ${(await server.streamStats()).openedTotal}`);
  });
});
