// Why ssemux exists: over HTTP/1.1 a browser keeps at most 6 connections
// per origin (Chromium's per-host socket pool), and an EventSource holds one
// for as long as it lives. Six tabs of an app each streaming leave the
// seventh with no socket: no open, no events, not even an error. Closing one
// of the six lets the seventh through, which shows the pool is the cause.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withServerAndBrowser } from './lib/scenario.mjs';
import { eventsOf, isConnecting, isOpened, openClientTabs, openNative, snapshot, waitForAllTabs, describeClients } from './lib/tabs.mjs';
import { sleep } from './lib/wait.mjs';

const STREAM = '/events?topic=native';
const STALL_WATCH_MS = 4000;

test('native_eventsource_tab7_stalls_while_six_tabs_hold_the_http1_sockets', { timeout: 90_000 }, async (t) => {
  await withServerAndBrowser(t, {}, async ({ server, browser }) => {
    const pages = await openClientTabs(browser, server.origin, 7);
    const six = pages.slice(0, 6);
    const seventh = pages[6];

    for (const page of six) await openNative(page, STREAM, { types: ['tick'] });
    await waitForAllTabs(six, (snap) => isOpened(snap), { what: 'native EventSource open', timeoutMs: 15_000 });
    await server.waitForStreams(6);

    await openNative(seventh, STREAM, { types: ['tick'] });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await server.publish('native', 'tick', `n${i}`));
    await waitForAllTabs(six, (snap) => eventsOf(snap).length === 3, { what: '3 tick events', timeoutMs: 10_000 });

    // Watch tab 7 for a while: it must still be waiting for a socket.
    await sleep(STALL_WATCH_MS);
    const stalled = await snapshot(seventh);
    assert.ok(
      isConnecting(stalled) && !isOpened(stalled) && eventsOf(stalled).length === 0,
      `expected tab 7 to stay CONNECTING with no open and no events after ${STALL_WATCH_MS} ms, got ${describeClients(stalled)}`,
    );
    assert.equal(await server.streamCount(), 6, 'expected the server to see 6 event streams while tab 7 stalls');

    // Free one socket: tab 7's request goes out and it catches up by itself.
    await browser.closeTab(six[0]);
    await waitForAllTabs([seventh], (snap) => isOpened(snap), { what: 'tab 7 open once tab 1 closed', timeoutMs: 10_000 });
    ids.push(await server.publish('native', 'tick', 'n3'));
    await waitForAllTabs([seventh], (snap) => eventsOf(snap).length >= 1, { what: 'tab 7 receiving events', timeoutMs: 10_000 });
    const got = eventsOf(await snapshot(seventh)).map((e) => e.lastEventId);
    assert.deepEqual(got, [ids[3]], 'expected tab 7 to receive only the event published after it connected');
    await server.waitForStreams(6, { what: '6 event streams after tab 1 left and tab 7 joined' });
  });
});
