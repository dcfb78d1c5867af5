// The demo's "Simulate outage" button (server started with --demo): the
// server drops the shared stream and refuses new ones for 8 s. Every tab
// shows the countdown, comes back by itself when the outage ends, and
// catches up on what the feed published meanwhile: the same record, every
// event once. (That the route is 404 without --demo: tests/node/server-demo.test.mjs.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allViews, demoSkipReason, openLiveDemoTabs, stopFeedAndCompare, waitForGoalsAfter, waitForLiveTabs, withDemo } from './lib/demo.mjs';
import { waitFor } from './lib/wait.mjs';

const TABS = 3;
const skip = demoSkipReason();

test('outage_button_makes_every_tab_reconnect_and_catch_up_without_losing_a_goal', { skip, timeout: 120_000 }, async (t) => {
  await withDemo(t, { retryMs: 1000 }, async ({ server, feed, browser }) => {
    const pages = await openLiveDemoTabs(server, browser, TABS);
    const button = pages[0].locator('#outage');
    await button.waitFor({ state: 'visible', timeout: 10_000 });
    const before = await allViews(pages);

    await button.click();
    const note = await waitFor(() => pages[0].locator('#outage-note').textContent(), (text) => /refuses streams for 8 s \(1 dropped\)/.test(text), {
      what: 'the page to confirm the outage (8 s, the one shared stream dropped)', timeoutMs: 10_000,
    });
    t.diagnostic(note);
    // Every tab counts down; the server refuses the retries meanwhile.
    const down = await waitFor(() => allViews(pages), (views) => views.every((v) => /^Reconnecting in \d+ s$/.test(v.pill)), {
      what: 'every tab to show "Reconnecting in N s"', timeoutMs: 15_000, intervalMs: 100,
    });
    t.diagnostic(`during the outage: ${down.map((v) => v.pill).join(' | ')}`);
    const goalsAtOutage = Math.max(...down.map((v) => v.goalIds.length));
    // The first retry (after the 1 s retry: hint) is refused with 503 and
    // Retry-After: the seconds left, which the hub then waits.
    const refused = await waitFor(() => allViews(pages), (views) => views.every((v) => /^Reconnecting in [2-8] s$/.test(v.pill)), {
      what: 'every tab to wait out the Retry-After of the refused reconnect (2 to 8 s)', timeoutMs: 15_000, intervalMs: 100,
    });
    t.diagnostic(`after a refused reconnect: ${refused.map((v) => v.pill).join(' | ')}`);

    await waitForLiveTabs(pages, { timeoutMs: 40_000 });
    await waitForGoalsAfter(pages, goalsAtOutage, 'a goal after the outage in every tab');

    const refusals = /ssemux_http_responses_total\{code="503"\} (\d+)/.exec(await (await fetch(`${server.origin}/metrics`)).text());
    assert.ok(refusals && Number(refusals[1]) >= 1, `expected the server to have refused at least one reconnect with 503 during the outage, got ${refusals?.[0]}`);
    const { views } = await stopFeedAndCompare(server, feed, pages, { open: 1, openedTotal: 2 }, `one stream before and one after the outage for all ${TABS} tabs`);
    for (const [i, v] of views.entries()) {
      assert.equal(v.eventIds[0], before[i].eventIds[0], `tab ${i + 1}: expected the same page (no reload) across the outage`);
    }
  });
});
