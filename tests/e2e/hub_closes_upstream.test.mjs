// The hub holds the upstream exactly as long as someone uses it (issue 3,
// "Tab lifecycle"): tabs leaving one by one do not disturb the others, the
// last tab leaving ends the stream, and when every SharedEventSource is
// closed while the pages live on, the hub waits its grace period (so that a
// reload would not reconnect) and then closes the upstream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withServerAndBrowser } from './lib/scenario.mjs';
import { hubMissingReason } from './lib/site.mjs';
import { eventsOf, isOpened, openClientTabs, openShared, snapshot, waitForAllTabs } from './lib/tabs.mjs';
import { sleep } from './lib/wait.mjs';

const TOPIC = 'lifecycle';
const STREAM = `/events?topic=${TOPIC}`;
const GRACE_MS = 2000;
// The grace period is a documented worker option (ssemux-worker.js?graceMs=).
const HUB = { transport: 'shared-worker', types: ['tick'], workerUrl: `/ssemux/ssemux-worker.js?graceMs=${GRACE_MS}` };
const skip = hubMissingReason() ?? false;

async function openTabsOnOneUpstream(browser, server, n) {
  const pages = await openClientTabs(browser, server.origin, n);
  for (const page of pages) await openShared(page, STREAM, HUB);
  await waitForAllTabs(pages, (snap) => isOpened(snap), { what: 'SharedEventSource open', timeoutMs: 20_000 });
  await server.waitForStreams(1);
  return pages;
}

test('upstream_lives_while_any_tab_lives_and_closes_when_the_last_tab_closes', { skip, timeout: 120_000 }, async (t) => {
  await withServerAndBrowser(t, {}, async ({ server, browser }) => {
    const pages = await openTabsOnOneUpstream(browser, server, 4);
    for (const page of pages.slice(0, 3)) await browser.closeTab(page);

    // Past the grace period: the hub must not have mistaken the survivor for gone.
    await sleep(GRACE_MS + 1000);
    const survivor = pages[3];
    const id = await server.publish(TOPIC, 'tick', 'after three tabs left');
    await waitForAllTabs([survivor], (snap) => eventsOf(snap).length === 1, { what: 'the last tab to still receive events', timeoutMs: 10_000 });
    assert.equal(eventsOf(await snapshot(survivor))[0].lastEventId, id, 'expected the survivor to get the event published after the others left');
    assert.deepEqual(await server.streamStats(), { open: 1, openedTotal: 1 },
      'expected the one upstream to stay up, unreconnected, while a tab lives');

    const closedAt = Date.now();
    await browser.closeTab(survivor);
    await server.waitForStreams(0, { what: 'the upstream closed after the last tab closed' });
    t.diagnostic(`server saw the stream end ${Date.now() - closedAt} ms after the last tab closed`);
  });
});

test('upstream_closes_after_the_grace_period_once_every_source_is_closed', { skip, timeout: 120_000 }, async (t) => {
  await withServerAndBrowser(t, {}, async ({ server, browser }) => {
    const pages = await openTabsOnOneUpstream(browser, server, 2);
    const closedAt = Date.now();
    for (const page of pages) await page.evaluate(() => window.ssemuxTest.close(0));

    await sleep(GRACE_MS / 2);
    assert.equal(await server.streamCount(), 1,
      `expected the upstream to stay open during the ${GRACE_MS} ms grace period (checked ${Date.now() - closedAt} ms after close())`);
    await server.waitForStreams(0, { what: `the upstream closed after the ${GRACE_MS} ms grace period` });
    const elapsed = Date.now() - closedAt;
    assert.ok(elapsed >= GRACE_MS, `expected the upstream to close no sooner than the grace period (${GRACE_MS} ms), got ${elapsed} ms`);
    t.diagnostic(`upstream closed ${elapsed} ms after the last close() (grace ${GRACE_MS} ms, plus the server noticing)`);
  });
});
