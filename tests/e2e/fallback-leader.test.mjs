// Without SharedWorker (Chrome for Android before 148, some WebViews) the
// tabs of an origin elect ONE leader with a Web Lock; the leader runs the hub
// in its page and serves every tab over BroadcastChannel (docs/hub.md,
// "Fallbacks"). In real Chromium with SharedWorker deleted before any page
// script runs: the server sees one stream for all tabs, every tab gets every
// event in order exactly once, and when the leader tab closes another tab
// takes over and resumes with Last-Event-ID, losing and repeating nothing.
//
// Which tab leads is read from the outside: the leader's page is the one
// whose fetch() of /events Playwright sees, with its headers. A leader that
// crashes (no pagehide) must be replaced just the same: the browser
// releases its Web Lock when its process dies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withServerAndBrowser } from './lib/scenario.mjs';
import { hubMissingReason } from './lib/site.mjs';
import { eventsOf, expectExactDelivery, isOpened, openClientTabs, openShared, waitForAllTabs } from './lib/tabs.mjs';
import { sleep, waitFor } from './lib/wait.mjs';

const TABS = 4;
const TOPIC = 'leader';
const STREAM = `/events?topic=${TOPIC}`;
const BEFORE = 30; // events while the first leader serves
const DURING = 30; // events published from the moment the leader closes
// transport 'auto', the default: the page must pick the fallback itself.
const CLIENT = { types: ['tick'] };
const skip = hubMissingReason() ?? false;

// Runs in every page before its scripts: a browser without SharedWorker.
const WITHOUT_SHARED_WORKER = () => {
  delete window.SharedWorker;
};

// Every GET /events any page sends: { page, lastEventId }.
function recordUpstreamRequests(context) {
  const requests = [];
  context.on('request', (request) => {
    if (request.method() !== 'GET' || !new URL(request.url()).pathname.endsWith('/events')) return;
    const page = request.frame()?.page() ?? null;
    requests.push({ page, url: request.url(), lastEventId: request.headers()['last-event-id'] ?? null });
  });
  return requests;
}

async function publishRange(server, from, to) {
  const ids = [];
  for (let i = from; i < to; i++) ids.push(await server.publish(TOPIC, 'tick', `e${i}`));
  return ids;
}

const expectEvents = (pages, ids, what) => expectExactDelivery(pages, {
  itemsOf: (snap) => eventsOf(snap, 0, 'tick').map((e) => `${e.lastEventId} ${e.data}`),
  expectedFor: () => ids.map((id, i) => `${id} e${i}`),
  what,
  timeoutMs: 20_000,
});

// TABS tabs without SharedWorker, open through one leader, BEFORE events
// delivered; resolves with what the rest of a test needs.
async function leaderServingTabs(t, server, browser) {
  await browser.context.addInitScript(WITHOUT_SHARED_WORKER);
  const requests = recordUpstreamRequests(browser.context);
  const pages = await openClientTabs(browser, server.origin, TABS);
  const platform = await pages[0].evaluate(() => ({ sharedWorker: typeof SharedWorker, locks: Boolean(navigator.locks), broadcast: typeof BroadcastChannel }));
  assert.deepEqual(platform, { sharedWorker: 'undefined', locks: true, broadcast: 'function' },
    'expected a page without SharedWorker but with Web Locks and BroadcastChannel');

  for (const page of pages) await openShared(page, STREAM, CLIENT);
  await waitForAllTabs(pages, (snap) => isOpened(snap), { what: 'SharedEventSource open through the leader', timeoutMs: 20_000 });
  await server.waitForStreams(1);
  assert.equal(requests.length, 1, `expected one upstream request for ${TABS} tabs, got ${requests.length}: ${requests.map((r) => r.url).join(', ')}`);
  const leader = requests[0].page;
  const leaderIndex = pages.indexOf(leader);
  assert.ok(leaderIndex >= 0, 'expected the upstream request to come from one of the tabs');
  t.diagnostic(`tab ${leaderIndex + 1} leads`);

  const ids = await publishRange(server, 0, BEFORE);
  await expectEvents(pages, ids, `${BEFORE} events through the first leader`);
  return { pages, requests, leader, ids };
}

// After the leader is gone: publishing goes on at once, through the
// hand-over; one new leader resumes after the last event the tabs saw.
async function expectHandOver(server, { pages, requests, leader, ids }) {
  const followers = pages.filter((page) => page !== leader);
  for (let i = BEFORE; i < BEFORE + DURING; i++) {
    ids.push(await server.publish(TOPIC, 'tick', `e${i}`));
    await sleep(10);
  }
  const next = await waitFor(() => requests.slice(1), (later) => later.length > 0,
    { what: 'an upstream request from a new leader', timeoutMs: 20_000 });
  assert.equal(next.length, 1, `expected exactly one new upstream request after the leader left, got ${next.length}`);
  assert.ok(followers.includes(next[0].page), 'expected the new upstream request to come from one of the remaining tabs');
  assert.equal(next[0].lastEventId, ids[BEFORE - 1],
    `expected the new leader to resume after the last event the tabs saw (Last-Event-ID ${ids[BEFORE - 1]}), got ${next[0].lastEventId}`);

  await expectEvents(followers, ids, `all ${BEFORE + DURING} events across the leader change`);
  await server.waitForStreams(1, { what: 'one open stream after the hand-over' });
  const stats = await server.streamStats();
  assert.deepEqual(stats, { open: 1, openedTotal: 2 },
    `expected one stream per leader (two in all, one open), got ${JSON.stringify(stats)}`);
  const snaps = await Promise.all(followers.map((page) => page.evaluate(() => window.ssemuxTest.snapshot())));
  for (const [i, snap] of snaps.entries()) {
    assert.equal(snap.clients[0].readyState, 1, `follower ${i + 1}: expected readyState OPEN after the hand-over, got ${snap.clients[0].readyState}`);
  }
}

test('without_shared_worker_one_leader_tab_serves_every_tab_and_the_next_leader_resumes_after_it_closes', { skip, timeout: 120_000 }, async (t) => {
  await withServerAndBrowser(t, {}, async ({ server, browser }) => {
    const state = await leaderServingTabs(t, server, browser);
    await browser.closeTab(state.leader);
    await expectHandOver(server, state);
  });
});

test('when_the_leader_tab_crashes_the_next_leader_resumes_without_loss', { skip, timeout: 120_000 }, async (t) => {
  await withServerAndBrowser(t, {}, async ({ server, browser }) => {
    const state = await leaderServingTabs(t, server, browser);
    const crashed = [];
    for (const page of state.pages) page.on('crash', () => crashed.push(state.pages.indexOf(page) + 1));
    // The renderer dies: no pagehide, no goodbye; only the lock's release.
    const cdp = await browser.context.newCDPSession(state.leader);
    cdp.send('Page.crash').catch(() => {}); // never answered: the session dies with the page
    await waitFor(() => crashed.length, (n) => n > 0, { what: 'the leader tab to crash', timeoutMs: 10_000 });
    assert.deepEqual(crashed, [state.pages.indexOf(state.leader) + 1], 'expected only the leader tab to crash');
    await expectHandOver(server, state);
  });
});
