// Page lifecycle in real Chromium (docs/hub.md, "Lifecycle"):
//  - with the hub's pauseWhenHidden option, the upstream closes (after the
//    grace period) once EVERY tab is hidden, stays up while any tab is
//    visible, and resumes from the last event ID when a tab shows again:
//    every tab still gets every event once, in order;
//  - a page entering the back/forward cache detaches from the hub on
//    pagehide (ssemux.js listens to pagehide, never unload, which would keep
//    the page out of the bfcache) and reattaches on pageshow with
//    persisted=true, receiving from the hub's memory the events published
//    while it was away, over the same one upstream.
//
// Visibility is emulated in the page (document.visibilityState overridden,
// visibilitychange dispatched): headless Chromium shows every tab as
// visible, and CDP's lifecycle freezing stops scripts instead of hiding.
// Playwright disables the bfcache by default; the second test turns it on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactDirFor, clearArtifacts, withBrowser } from './lib/browser.mjs';
import { withServerAndBrowser } from './lib/scenario.mjs';
import { startServer } from './lib/server.mjs';
import { hubMissingReason, stageSite } from './lib/site.mjs';
import { eventsOf, expectExactDelivery, isOpened, openClientTabs, openShared, snapshot, waitForAllTabs } from './lib/tabs.mjs';
import { sleep, waitFor } from './lib/wait.mjs';

const TOPIC = 'life';
const STREAM = `/events?topic=${TOPIC}`;
const GRACE_MS = 500;
const skip = hubMissingReason() ?? false;

const setHidden = (page, hidden) => page.evaluate((h) => {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
  document.dispatchEvent(new Event('visibilitychange'));
}, hidden);

async function publish(server, ids, n) {
  for (let k = 0; k < n; k++) ids.push(await server.publish(TOPIC, 'tick', `e${ids.length}`));
}

const expectAll = (pages, ids, what) => expectExactDelivery(pages, {
  itemsOf: (snap) => eventsOf(snap, 0, 'tick').map((e) => `${e.lastEventId} ${e.data}`),
  expectedFor: () => ids.map((id, i) => `${id} e${i}`),
  what,
});

test('with_pause_when_hidden_the_upstream_closes_only_while_every_tab_is_hidden_and_resumes_without_loss', { skip, timeout: 120_000 }, async (t) => {
  const hub = { transport: 'shared-worker', types: ['tick'], workerUrl: `/ssemux/ssemux-worker.js?pauseWhenHidden=1&graceMs=${GRACE_MS}` };
  await withServerAndBrowser(t, {}, async ({ server, browser }) => {
    const pages = await openClientTabs(browser, server.origin, 2);
    for (const page of pages) await openShared(page, STREAM, hub);
    await waitForAllTabs(pages, (snap) => isOpened(snap), { what: 'SharedEventSource open', timeoutMs: 20_000 });
    await server.waitForStreams(1);
    const ids = [];
    await publish(server, ids, 5);
    await expectAll(pages, ids, 'events while both tabs are visible');

    // One tab hidden: the other is visible, so the stream stays, unbroken.
    await setHidden(pages[0], true);
    await sleep(GRACE_MS * 3);
    assert.deepEqual(await server.streamStats(), { open: 1, openedTotal: 1 },
      'expected the upstream to stay up while one tab is visible');
    await publish(server, ids, 5);

    // Every tab hidden: paused once the grace period is over.
    await setHidden(pages[1], true);
    await server.waitForStreams(0, { what: 'the upstream paused while every tab is hidden' });
    await publish(server, ids, 5);

    // One tab shows again: the hub resumes from the last event ID.
    await setHidden(pages[1], false);
    await server.waitForStreams(1, { what: 'the upstream back when a tab shows' });
    await publish(server, ids, 5);
    await expectAll(pages, ids, 'every event once, across the pause');
    assert.deepEqual(await server.streamStats(), { open: 1, openedTotal: 2 },
      'expected exactly one reconnect for the pause');
  });
});

// The stats a tab's hub reports for the stream: how many tabs it serves.
const tabsSharing = (page) => page.evaluate(async () => {
  const { SharedEventSource } = await import('/ssemux/ssemux.js');
  const probe = new SharedEventSource('/events?topic=life', { transport: 'shared-worker' });
  const streams = await probe.getStats();
  probe.close();
  return streams.map((s) => s.counters?.tabs);
});

test('a_page_in_the_bfcache_detaches_from_the_hub_and_gets_what_it_missed_when_restored', { skip, timeout: 120_000 }, async (t) => {
  clearArtifacts(t.name);
  const site = stageSite();
  const server = await startServer({ staticDir: site.dir });
  try {
    await withBrowser(t, async (browser) => {
      const hub = { transport: 'shared-worker', types: ['tick'] };
      const [stay, away] = await openClientTabs(browser, server.origin, 2);
      for (const page of [stay, away]) await openShared(page, STREAM, hub);
      await waitForAllTabs([stay, away], (snap) => isOpened(snap), { what: 'SharedEventSource open', timeoutMs: 20_000 });
      await server.waitForStreams(1);
      const ids = [];
      await publish(server, ids, 5);
      await expectAll([stay, away], ids, 'events before navigating away');

      const cdp = await browser.context.newCDPSession(away);
      await cdp.send('Page.enable');
      const notCached = [];
      cdp.on('Page.backForwardCacheNotUsed', (e) => notCached.push(e.notRestoredExplanations.map((x) => x.reason)));
      await away.evaluate(() => {
        window.shown = [];
        window.addEventListener('pageshow', (e) => window.shown.push(e.persisted));
      });
      assert.deepEqual(await tabsSharing(stay), [2], 'expected the hub to count both tabs before navigating');
      await away.goto(`${server.origin}/healthz`);
      // The hub hears pagehide's BYE: one tab left on the stream.
      await waitFor(() => tabsSharing(stay), (tabs) => tabs.length === 1 && tabs[0] === 1,
        { what: 'the hub to count only the staying tab, not the page in the bfcache', timeoutMs: 10_000 });
      await publish(server, ids, 5);
      await expectAll([stay], ids, 'events while the other page is in the bfcache');

      await away.goBack({ waitUntil: 'commit' });
      const shown = await waitFor(() => away.evaluate(() => window.shown), (s) => s.length === 1, { what: 'pageshow after going back', timeoutMs: 10_000 })
        .catch((err) => { throw new Error(`${err.message}; bfcache not used because ${JSON.stringify(notCached)}`); });
      assert.deepEqual(shown, [true], `expected the page restored from the bfcache (pageshow persisted=true), not reloaded; reasons: ${JSON.stringify(notCached)}`);
      await publish(server, ids, 5);
      await expectAll([stay, away], ids, 'every event once in both tabs, the missed ones from the hub');
      assert.deepEqual(await server.streamStats(), { open: 1, openedTotal: 1 },
        'expected the one upstream to serve the restored page, no reconnect');
      const snap = await snapshot(away);
      assert.equal(snap.clients[0].readyState, 1, 'expected the restored source OPEN');
    }, { ignoreDefaultArgs: ['--disable-back-forward-cache'] });
  } catch (err) {
    writeFileSync(join(artifactDirFor(t.name), `${server.kind}-server.log`), server.log());
    throw err;
  } finally {
    await server.stop();
    site.remove();
  }
});
