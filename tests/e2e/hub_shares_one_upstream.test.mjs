// The product's promise (issue 3): any number of tabs of one origin, each
// with a SharedEventSource, cost the server ONE event stream, and every tab
// still sees every event, in order, exactly once, as an EventSource would.
// And unlike EventSource, the tabs' headers (Authorization) go upstream.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { mintToken } from './lib/jwt.mjs';
import { withServerAndBrowser } from './lib/scenario.mjs';
import { chooseServerKind } from './lib/server.mjs';
import { hubMissingReason } from './lib/site.mjs';
import { describeClients, eventsOf, expectExactDelivery, isOpened, openClientTabs, openNative, openShared, snapshot, waitForAllTabs } from './lib/tabs.mjs';
import { waitFor } from './lib/wait.mjs';

const TABS = 12;
const EVENTS = 100;
const TOPIC = 'shared';
// The SharedWorker path itself, not a fallback that would hide its failure.
const HUB = { transport: 'shared-worker', types: ['tick'] };
const skip = hubMissingReason() ?? false;

// Alternating named events (addEventListener) and "message" (onmessage),
// some with several data lines.
const published = Array.from({ length: EVENTS }, (_, i) => ({
  type: i % 2 ? 'message' : 'tick',
  data: i % 10 === 0 ? `e${i}\nsecond line of e${i}` : `e${i}`,
}));

async function publishAll(server, options) {
  const ids = [];
  for (const { type, data } of published) ids.push(await server.publish(TOPIC, type, data, options));
  return ids;
}

// Every tab: every published event, in order, once, as EventSource gives it.
function expectEveryEventInEveryTab(pages, ids, origin) {
  const expected = published.map((e, i) => `${e.type} ${ids[i]} ${JSON.stringify(e.data)} ${origin}`);
  return expectExactDelivery(pages, {
    itemsOf: (snap) => eventsOf(snap).map((e) => `${e.type} ${e.lastEventId} ${JSON.stringify(e.data)} ${e.origin}`),
    expectedFor: () => expected,
    what: `${EVENTS} events`,
    timeoutMs: 20_000,
  });
}

test('twelve_tabs_receive_every_event_in_order_exactly_once_over_one_upstream', { skip, timeout: 120_000 }, async (t) => {
  await withServerAndBrowser(t, {}, async ({ server, browser }) => {
    const pages = await openClientTabs(browser, server.origin, TABS);
    for (const page of pages) await openShared(page, `/events?topic=${TOPIC}`, HUB);
    await waitForAllTabs(pages, (snap) => isOpened(snap), { what: 'SharedEventSource open', timeoutMs: 20_000 });
    await server.waitForStreams(1);

    const ids = await publishAll(server);
    await expectEveryEventInEveryTab(pages, ids, server.origin);

    const stats = await server.streamStats();
    assert.deepEqual(stats, { open: 1, openedTotal: 1 },
      `expected the server to have seen exactly one event stream for ${TABS} tabs, got ${JSON.stringify(stats)}`);
  });
});

// The node server shows the headers it received. The C server cannot, so
// there it requires a JWT: only a stream that carried the header gets events.
test('authorization_header_from_the_tabs_reaches_the_server', { skip, timeout: 90_000 }, async (t) => {
  const kind = chooseServerKind();
  const secret = kind === 'c' ? randomBytes(16).toString('hex') : undefined;
  const token = secret ? mintToken(secret, { subscribe: [TOPIC], publish: [TOPIC] }) : `e2e-${randomBytes(8).toString('hex')}`;
  await withServerAndBrowser(t, { kind, jwtSecret: secret }, async ({ server, browser }) => {
    const pages = await openClientTabs(browser, server.origin, 3);
    const headers = { Authorization: `Bearer ${token}` };
    for (const page of pages.slice(0, 2)) await openShared(page, `/events?topic=${TOPIC}`, { ...HUB, headers });

    if (server.supportsJwt) {
      // Control: the same stream without the header is refused.
      await openNative(pages[2], `/events?topic=${TOPIC}`, { types: ['tick'] });
      const refused = await waitFor(() => snapshot(pages[2]), (snap) => snap.clients[0].errors > 0, { what: 'a native EventSource without a token to fail', timeoutMs: 10_000 });
      assert.ok(!isOpened(refused), `expected the server to refuse a stream without a token, got ${describeClients(refused)}`);
    }

    await waitForAllTabs(pages.slice(0, 2), (snap) => isOpened(snap), { what: 'SharedEventSource open with a token', timeoutMs: 20_000 });
    if (server.recordsHeaders) {
      const request = await server.lastEventsRequest();
      assert.equal(request.headers?.authorization, `Bearer ${token}`,
        `expected the upstream request to carry the tabs' Authorization header, got headers ${JSON.stringify(request.headers)}`);
      assert.equal(request.headers?.accept, 'text/event-stream', `expected Accept: text/event-stream upstream, got ${request.headers?.accept}`);
    }
    const ids = await publishAll(server, { token });
    await expectEveryEventInEveryTab(pages.slice(0, 2), ids, server.origin);
    assert.equal(await server.streamCount(), 1, 'expected one authorized upstream for both tabs');
  });
});
