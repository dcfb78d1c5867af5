// The product's core promises, in the engine SSEMUX_E2E_ENGINE names
// (chromium, firefox, webkit): many tabs share one upstream; a SIGKILL of
// the server loses and repeats nothing; the Web Locks (leader) and in-page
// fallbacks, forced, deliver every event once too. The real C server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engineName, withEngine } from '../lib/engines/index.mjs';
import { withServerAndBrowser } from '../lib/scenario.mjs';
import { startScriptedServer } from '../lib/scripted-server.mjs';
import { chooseServerKind } from '../lib/server.mjs';
import { hubMissingReason, stageSite } from '../lib/site.mjs';
import { eventsOf, expectExactDelivery, isOpened, openClientTabs, openShared, waitForAllTabs } from '../lib/tabs.mjs';
import { sleep } from '../lib/wait.mjs';

const engine = engineName();
const skip = hubMissingReason() ?? false;
const TOPIC = 'engines';

// Opens `tabs` tabs with one SharedEventSource each over `transport`,
// publishes `events` (killing the server after `killAfter` of them, if
// given), and requires every event once, in order, in every tab. Returns
// the server's stream counts.
// pageOrigin: where the tabs load from (default: the server itself).
async function shareAndDeliver({ server, browser }, { tabs, transport, events = 30, killAfter = null, pageOrigin = server.origin }) {
  const pages = await openClientTabs(browser, pageOrigin, tabs);
  const url = pageOrigin === server.origin ? `/events?topic=${TOPIC}` : `${server.origin}/events?topic=${TOPIC}`;
  for (const page of pages) await openShared(page, url, { transport, types: ['tick'] });
  await waitForAllTabs(pages, (snap) => isOpened(snap), { what: `SharedEventSource open (${transport})`, timeoutMs: 30_000 });
  const expected = [];
  for (let i = 0; i < events; i++) {
    if (i === killAfter) {
      await server.kill('SIGKILL');
      await server.restart();
    }
    expected.push(`${await server.publish(TOPIC, 'tick', `e${i}`)} e${i}`);
    await sleep(10);
  }
  await expectExactDelivery(pages, {
    itemsOf: (snap) => eventsOf(snap, 0, 'tick').map((e) => `${e.lastEventId} ${e.data}`),
    expectedFor: () => expected,
    what: `${events} events in every tab (${engine}, ${transport})`,
    timeoutMs: 30_000,
  });
  return server.streamStats();
}

const run = (t, serverOptions, fn) => withServerAndBrowser(t, serverOptions, fn, withEngine);

test(`${engine}: many_tabs_share_one_upstream_through_the_shared_worker`, { skip, timeout: 180_000 }, async (t) => {
  await run(t, {}, async (ctx) => {
    const stats = await shareAndDeliver(ctx, { tabs: 4, transport: 'shared-worker' });
    assert.deepEqual(stats, { open: 1, openedTotal: 1 }, `expected one upstream for 4 tabs in ${engine}, got ${JSON.stringify(stats)}`);
  });
});

test(`${engine}: a_server_killed_and_restarted_loses_and_repeats_nothing`, { skip, timeout: 180_000 }, async (t) => {
  await run(t, { retryMs: 500 }, async (ctx) => {
    const stats = await shareAndDeliver(ctx, { tabs: 3, transport: 'shared-worker', events: 40, killAfter: 15 });
    assert.equal(stats.open, 1, `expected one upstream after the restart in ${engine}, got ${JSON.stringify(stats)}`);
  });
});

test(`${engine}: the_web_locks_leader_fallback_shares_one_upstream`, { skip, timeout: 180_000 }, async (t) => {
  await run(t, {}, async (ctx) => {
    const stats = await shareAndDeliver(ctx, { tabs: 3, transport: 'leader' });
    assert.deepEqual(stats, { open: 1, openedTotal: 1 }, `expected the leader tab's one upstream for 3 tabs in ${engine}, got ${JSON.stringify(stats)}`);
  });
});

test(`${engine}: the_in_page_fallback_gives_each_tab_its_own_upstream`, { skip, timeout: 180_000 }, async (t) => {
  await run(t, {}, async (ctx) => {
    const stats = await shareAndDeliver(ctx, { tabs: 2, transport: 'in-page' });
    assert.deepEqual(stats, { open: 2, openedTotal: 2 }, `expected one upstream per tab (2) in ${engine}, got ${JSON.stringify(stats)}`);
  });
});

// The pages on one origin, the C server on another (--cors-origins): the
// hub reconnects after the kill with the last ID in the query
// (docs/compatibility.md, "Resuming across origins"), and the server
// replays from it: nothing lost or repeated.
const crossSkip = skip || (chooseServerKind() === 'c' ? false : 'needs the C server (--cors-origins)');
test(`${engine}: a_cross_origin_stream_resumes_after_a_kill_without_loss`, { skip: crossSkip, timeout: 180_000 }, async (t) => {
  const site = stageSite();
  const pages = await startScriptedServer({ staticDir: site.dir });
  try {
    await run(t, { retryMs: 500, corsOrigins: pages.origins.a }, async (ctx) => {
      const stats = await shareAndDeliver(ctx, { tabs: 2, transport: 'shared-worker', events: 30, killAfter: 10, pageOrigin: pages.origins.a });
      assert.equal(stats.open, 1, `expected one upstream after the restart in ${engine}, got ${JSON.stringify(stats)}`);
    });
  } finally {
    await pages.close();
    site.remove();
  }
});
