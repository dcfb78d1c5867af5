// The demo survives its server dying (issue 6): SIGKILL mid-match, restart
// on the same port and data dir. Every tab reconnects by itself (no reload),
// and ends with exactly the server's record: the same matches and scores,
// every event from the tab's first on received once, no goal missed or shown
// twice. The feed retries its publishes meanwhile, so the record has the
// goals of the outage too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allViews, demoSkipReason, openLiveDemoTabs, stopFeedAndCompare, waitForGoalsAfter, waitForLiveTabs, withDemo } from './lib/demo.mjs';
import { waitFor } from './lib/wait.mjs';

const TABS = 4;
const skip = demoSkipReason();

test('demo_tabs_reconnect_after_a_server_kill_and_end_with_the_record_no_goal_missed_or_twice', { skip, timeout: 120_000 }, async (t) => {
  await withDemo(t, { retryMs: 1000 }, async ({ server, feed, browser }) => {
    const pages = await openLiveDemoTabs(server, browser, TABS);
    await waitForGoalsAfter(pages, 0, 'a goal in every tab before the kill');
    const before = await allViews(pages);

    await server.kill('SIGKILL');
    // Down long enough for every tab to notice and say so.
    const down = await waitFor(() => allViews(pages), (views) => views.every((v) => v.state !== 'open'), {
      what: 'every tab to show the connection lost', timeoutMs: 20_000, intervalMs: 100,
    });
    t.diagnostic(`while down: ${down.map((v) => v.pill).join(' | ')}`);
    await server.restart();

    await waitForLiveTabs(pages, { timeoutMs: 30_000 });
    const goalsAtKill = Math.max(...before.map((v) => v.goalIds.length));
    await waitForGoalsAfter(pages, goalsAtKill, 'a goal after the restart in every tab');

    const { record, views } = await stopFeedAndCompare(server, feed, pages, { open: 1, openedTotal: 1 }, `the restarted server: one reconnect for all ${TABS} tabs`);
    for (const [i, v] of views.entries()) {
      assert.equal(v.eventIds[0], before[i].eventIds[0], `tab ${i + 1}: expected the same page (no reload) across the restart`);
      assert.ok(v.goalIds.length > before[i].goalIds.length, `tab ${i + 1}: expected goals after the restart, got ${v.goalIds.length} (had ${before[i].goalIds.length})`);
    }
    t.diagnostic(`record: ${record.events.length} events; tabs show ${views[0].goalIds.length} goals each`);
  });
});
