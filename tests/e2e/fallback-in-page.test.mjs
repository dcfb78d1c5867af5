// The last resort (docs/hub.md, "Fallbacks"): no SharedWorker, no Web Locks,
// no BroadcastChannel. Each page runs the hub, with the same wasm core, in
// the page itself: one upstream per page (shared by that page's sources),
// every event still delivered in order exactly once, through the same API.
// Real Chromium with those three deleted before any page script runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withServerAndBrowser } from './lib/scenario.mjs';
import { hubMissingReason } from './lib/site.mjs';
import { eventsOf, expectExactDelivery, isOpened, openClientTabs, openShared, waitForAllTabs } from './lib/tabs.mjs';

// Three tabs: with one upstream each, plus page loads, they stay within
// Chromium's six HTTP/1.1 connections per origin.
const TABS = 3;
const EVENTS = 40;
// transport 'auto', the default: the page must pick the in-page hub itself.
const CLIENT = { types: ['tick'] };
const skip = hubMissingReason() ?? false;

const WITHOUT_WORKERS_LOCKS_OR_CHANNELS = () => {
  delete window.SharedWorker;
  delete window.BroadcastChannel;
  delete Navigator.prototype.locks;
};

test('without_shared_worker_locks_or_broadcast_channel_each_tab_gets_every_event_from_its_own_in_page_hub', { skip, timeout: 120_000 }, async (t) => {
  await withServerAndBrowser(t, {}, async ({ server, browser }) => {
    await browser.context.addInitScript(WITHOUT_WORKERS_LOCKS_OR_CHANNELS);
    const pages = await openClientTabs(browser, server.origin, TABS);
    const platform = await pages[0].evaluate(() => ({ sharedWorker: typeof SharedWorker, locks: typeof navigator.locks, broadcast: typeof BroadcastChannel }));
    assert.deepEqual(platform, { sharedWorker: 'undefined', locks: 'undefined', broadcast: 'undefined' },
      'expected a page without SharedWorker, Web Locks and BroadcastChannel');

    // Every tab follows topic "a"; the first tab also follows "b" with a
    // second source, which must share its page's one upstream.
    for (const page of pages) await openShared(page, '/events?topic=a', CLIENT);
    await openShared(pages[0], '/events?topic=b', CLIENT);
    await waitForAllTabs(pages, (snap) => snap.clients.every((_, i) => isOpened(snap, i)), { what: 'every SharedEventSource open in its page', timeoutMs: 20_000 });
    await server.waitForStreams(TABS, { what: `one stream per tab (${TABS})` });

    const ids = { a: [], b: [] };
    const data = { a: [], b: [] };
    for (let i = 0; i < EVENTS; i++) {
      const topic = i % 3 === 2 ? 'b' : 'a';
      ids[topic].push(await server.publish(topic, 'tick', `${topic}${i}`));
      data[topic].push(`${topic}${i}`);
    }
    const expected = (topic) => ids[topic].map((id, k) => `${id} ${data[topic][k]}`);
    const items = (snap, client) => eventsOf(snap, client, 'tick').map((e) => `${e.lastEventId} ${e.data}`);
    await expectExactDelivery(pages, { itemsOf: (snap) => items(snap, 0), expectedFor: () => expected('a'), what: 'every event of topic a' });
    await expectExactDelivery([pages[0]], { itemsOf: (snap) => items(snap, 1), expectedFor: () => expected('b'), what: 'every event of topic b', labelOf: () => 'tab 1, second source' });

    // Tab 1's second source joins its page's stream: if it came after that
    // stream started, the hub switched to both topics (make-before-break),
    // one more request, and the old one closed.
    const stats = await server.streamStats();
    assert.ok(stats.open === TABS && stats.openedTotal >= TABS && stats.openedTotal <= TABS + 1,
      `expected one open stream per tab (${TABS}; the first tab's two sources sharing one, at most one topic switch), got ${JSON.stringify(stats)}`);
    const hubStats = await pages[0].evaluate(async () => {
      const { SharedEventSource } = await import('/ssemux/ssemux.js');
      const probe = new SharedEventSource('/events?topic=a');
      const streams = await probe.getStats();
      probe.close();
      return streams.map((s) => ({ topics: s.topics, tabs: s.counters?.tabs }));
    });
    t.diagnostic(`tab 1's in-page hub: ${JSON.stringify(hubStats)}`);
    assert.equal(hubStats.length, 1, `expected tab 1's hub to hold one stream for both sources, got ${JSON.stringify(hubStats)}`);
  });
});
