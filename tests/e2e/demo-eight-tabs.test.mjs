// The live demo (issue 6) in 8 tabs: the server sees ONE event stream, every
// tab says so on its badge, and all of them show the same matches as the
// server's record of the feed. Also leaves screenshots of the demo, desktop
// and phone width, in build/e2e-artifacts/<test name>/ (CI keeps them);
// SSEMUX_DEMO_UPDATE_DOCS=1 copies the desktop one to docs/demo-screenshot.png.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { artifactDirFor } from './lib/browser.mjs';
import { allViews, demoSkipReason, openLiveDemoTabs, stopFeedAndCompare, waitForGoalsAfter, withDemo } from './lib/demo.mjs';
import { repoRoot } from './lib/paths.mjs';
import { waitFor } from './lib/wait.mjs';

const TABS = 8;
const MATCHES = 4;
const skip = demoSkipReason();

test('eight_demo_tabs_share_one_stream_and_show_the_same_scores_as_the_record', { skip, timeout: 120_000 }, async (t) => {
  await withDemo(t, { feed: { matches: MATCHES } }, async ({ server, feed, browser }) => {
    const began = Date.now();
    const pages = await openLiveDemoTabs(server, browser, TABS, { minMatches: MATCHES });
    t.diagnostic(`${TABS} tabs live in ${Date.now() - began} ms`);
    await waitFor(() => allViews(pages), (views) => views.every((v) => v.tabs === TABS), {
      what: `every tab's badge to count ${TABS} tabs sharing the connection`, timeoutMs: 15_000, intervalMs: 250,
    });

    // Screenshots while the matches are running, once some goals are in.
    await waitForGoalsAfter(pages, 2, 'three goals in every tab');
    t.diagnostic(`live with goals after ${Date.now() - began} ms`);
    const dir = artifactDirFor(t.name);
    const desktop = join(dir, 'demo-desktop.png');
    await pages[0].bringToFront();
    await pages[0].setViewportSize({ width: 1280, height: 800 });
    await pages[0].screenshot({ path: desktop });
    await pages[1].setViewportSize({ width: 390, height: 844 });
    await pages[1].screenshot({ path: join(dir, 'demo-phone.png'), fullPage: true });
    const phone = await pages[1].evaluate(() => ({ scroll: document.documentElement.scrollWidth, view: innerWidth }));
    assert.ok(phone.scroll <= phone.view, `expected no sideways scrolling at 390 px, got a page ${phone.scroll} px wide`);
    if (process.env.SSEMUX_DEMO_UPDATE_DOCS === '1') copyFileSync(desktop, resolve(repoRoot, 'docs/demo-screenshot.png'));

    const { record, expected } = await stopFeedAndCompare(server, feed, pages, { open: 1, openedTotal: 1 }, `one stream for ${TABS} demo tabs`);
    t.diagnostic(`record: ${record.events.length} events; every tab shows ${expected.matches.join('; ')}`);

  });
});
