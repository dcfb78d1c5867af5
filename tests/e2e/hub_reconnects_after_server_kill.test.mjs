// The upstream is cut the hard way (SIGKILL) and the server restarted on the
// same port with the same data dir while events keep being published. The
// hub must come back after the server's retry: hint, resume with
// Last-Event-ID, and every tab must end up with every event exactly once.
//
// The hint is 1200 ms on purpose: the engine's default reconnection time is
// 3000 ms, jittered within [1500, 3000] when the server gave none, so a
// scheduled delay of exactly 1200 ms (the hub reports it) can only come from
// honouring the hint; and 1200 ms leaves a loaded machine time to restart
// the server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withServerAndBrowser } from './lib/scenario.mjs';
import { hubMissingReason } from './lib/site.mjs';
import { eventsOf, expectExactDelivery, isOpened, openClientTabs, openShared, waitForAllTabs } from './lib/tabs.mjs';
import { sleep } from './lib/wait.mjs';

const TABS = 6;
const TOPIC = 'resume';
const RETRY_MS = 1200;
const GAP_TOLERANCE_MS = 50; // timer and message-passing granularity
const GAP_MAX_MS = RETRY_MS + 1000; // connect time under load; the exact check is hubDelayMs
const EVENTS = 60;
const KILL_AFTER = 20;
const PUBLISH_EVERY_MS = 40;
const HUB = { transport: 'shared-worker', types: ['tick'] };
const skip = hubMissingReason() ?? false;

// Publishes event i, retrying while the server is down; bounded.
async function publishThroughOutage(server, data, deadline) {
  for (;;) {
    try {
      return await server.publish(TOPIC, 'tick', data);
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`expected to publish ${data} once the server was back, got ${err.message}`);
      await sleep(25);
    }
  }
}

// The first "error" after the stream was open, and the "open" after it.
function reconnectGap(snap) {
  const records = snap.records.filter((r) => r.client === 0);
  const firstOpen = records.findIndex((r) => r.kind === 'open');
  const error = records.findIndex((r, i) => i > firstOpen && r.kind === 'error');
  const reopen = records.findIndex((r, i) => i > error && r.kind === 'open');
  if (firstOpen < 0 || error < 0 || reopen < 0) return null;
  const retrying = records.find((r, i) => i > error && r.kind === 'status' && r.state === 'retrying');
  return { errorAt: records[error].t, openAt: records[reopen].t, gap: records[reopen].t - records[error].t, hubDelayMs: retrying?.delayMs };
}

test('every_tab_gets_every_event_once_across_a_server_kill_and_reconnects_after_the_retry_hint', { skip, timeout: 120_000 }, async (t) => {
  await withServerAndBrowser(t, { retryMs: RETRY_MS }, async ({ server, browser }) => {
    const pages = await openClientTabs(browser, server.origin, TABS);
    for (const page of pages) await openShared(page, `/events?topic=${TOPIC}`, HUB);
    await waitForAllTabs(pages, (snap) => isOpened(snap), { what: 'SharedEventSource open', timeoutMs: 20_000 });
    await server.waitForStreams(1);

    const ids = [];
    let killedAt = 0;
    let restartedAt = 0;
    const deadline = Date.now() + 30_000;
    for (let i = 0; i < EVENTS; i++) {
      if (i === KILL_AFTER) {
        await server.kill('SIGKILL');
        killedAt = Date.now();
        await server.restart();
        restartedAt = Date.now();
      }
      ids.push(await publishThroughOutage(server, `e${i}`, deadline));
      await sleep(PUBLISH_EVERY_MS);
    }
    assert.ok(restartedAt - killedAt < RETRY_MS,
      `expected the server back within the ${RETRY_MS} ms retry hint so the first reconnect can succeed, got ${restartedAt - killedAt} ms (test inconclusive)`);

    const expected = ids.map((id, i) => `${id} e${i}`);
    const snaps = await expectExactDelivery(pages, {
      itemsOf: (snap) => eventsOf(snap, 0, 'tick').map((e) => `${e.lastEventId} ${e.data}`),
      expectedFor: () => expected,
      what: `${EVENTS} events across the restart`,
    });

    const gaps = snaps.map(reconnectGap);
    const report = gaps.map((g, i) => `tab ${i + 1}: ${g ? `error->open ${Math.round(g.gap)} ms (kill->open ${Math.round(g.openAt - killedAt)} ms, hub delay ${g.hubDelayMs})` : 'no error/open pair'}`).join('; ');
    t.diagnostic(report);
    for (const [i, g] of gaps.entries()) {
      assert.ok(g, `tab ${i + 1}: expected an error then an open event around the restart, got none (${report})`);
      // The hub's own word for the wait it scheduled is exact; the observed
      // gap adds the new connection's setup, which a loaded machine stretches.
      assert.equal(g.hubDelayMs, RETRY_MS,
        `tab ${i + 1}: expected the hub to schedule the reconnect after the server's retry: ${RETRY_MS} ms, got ${g.hubDelayMs}`);
      assert.ok(g.gap >= RETRY_MS - GAP_TOLERANCE_MS && g.gap <= GAP_MAX_MS,
        `tab ${i + 1}: expected the reconnect to wait the server's retry: ${RETRY_MS} ms (between ${RETRY_MS - GAP_TOLERANCE_MS} and ${GAP_MAX_MS} ms), got ${Math.round(g.gap)} ms`);
    }
    const stats = await server.streamStats();
    assert.deepEqual(stats, { open: 1, openedTotal: 1 },
      `expected the restarted server to see exactly one reconnect for all ${TABS} tabs, got ${JSON.stringify(stats)}`);
  });
});
