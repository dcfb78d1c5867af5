// Tab lifecycle in the hub: BYE, silence, a released Web Lock; the grace
// period before the upstream closes; and no leaks after many cycles.
import { test } from 'node:test';
import { newHub, FakeTab, settle, expectEqual } from './hub-fakes.mjs';

const URL_SCORES = 'http://app.test/events?topic=scores';

async function openOne(options) {
  const setup = newHub(options);
  const tab = new FakeTab(setup.hub, 'a');
  tab.subscribe(1, URL_SCORES);
  await settle();
  await setup.clock.advance(20);
  const up = (await setup.server.request(0)).respond();
  await settle();
  return { ...setup, tab, up };
}

test('last_tab_leaving_closes_the_upstream_after_the_grace_period', async () => {
  const { hub, clock, server, tab, up } = await openOne();
  tab.bye();
  await settle();
  expectEqual(up.aborted, false, 'upstream aborted right after the last tab left');
  await clock.advance(2900);
  expectEqual(up.aborted, false, 'upstream aborted before the 3000 ms grace period');
  await clock.advance(200);
  expectEqual(up.aborted, true, 'upstream aborted after the grace period');
  expectEqual(server.openBodies.length, 0, 'bodies still open');
  expectEqual(tab.hubPort.closed, true, 'hub side of the port closed');
  expectEqual(tab.hubPort.listeners.size, 0, 'listeners left on the hub side of the port');
  hub.close();
});

test('a_reload_within_the_grace_period_reuses_the_upstream', async () => {
  const { hub, clock, server, tab, up } = await openOne();
  up.send({ id: '1', event: 'scores/goal', data: 'a' });
  await settle();
  tab.bye();
  await settle();
  await clock.advance(1000);
  const reloaded = new FakeTab(hub, 'a2');
  reloaded.subscribe(1, URL_SCORES, { lastEventId: '1', lastEventAt: 5 });
  await settle();
  await clock.advance(5000);
  expectEqual(server.requests.length, 1, 'requests to the server');
  expectEqual(reloaded.states(1), ['open'], 'states told to the reloaded tab');
  up.send({ id: '2', event: 'scores/goal', data: 'b' });
  await settle();
  expectEqual(reloaded.events(1), ['goal:b#2'], 'events of the reloaded tab');
  hub.close();
});

test('a_silent_tab_is_dropped_after_the_liveness_timeout', async () => {
  const { hub, clock, tab, up } = await openOne({ livenessTimeoutMs: 60000 });
  await clock.advance(40000);
  tab.post({ type: 'ping' });
  await settle();
  await clock.advance(40000); // 40 s since the ping: alive
  expectEqual(tab.hubPort.closed, false, 'port closed although the tab pinged 40 s ago');
  await clock.advance(40000); // 80 s of silence
  expectEqual(tab.hubPort.closed, true, 'port of a tab silent for 80 s (timeout 60 s) closed');
  await clock.advance(3100);
  expectEqual(up.aborted, true, 'upstream closed after the silent tab and the grace period');
  hub.close();
});

test('a_released_tab_lock_means_the_tab_died', async () => {
  // A minimal Web Locks: the tab holds its lock; "dying" releases it.
  const held = new Map();
  const locks = {
    request(name, options, callback) {
      return new Promise((resolve, reject) => {
        const grant = () => resolve(callback());
        if (!held.has(name)) { grant(); return; }
        held.get(name).push(grant);
        options.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    },
  };
  held.set('tab-lock-a', []);
  const setup = newHub({ locks });
  const tab = new FakeTab(setup.hub, 'a', { lock: 'tab-lock-a' });
  tab.subscribe(1, URL_SCORES);
  await settle();
  await setup.clock.advance(20);
  expectEqual(held.get('tab-lock-a').length, 1, 'hub requests waiting for the tab lock');
  for (const grant of held.get('tab-lock-a')) grant(); // the tab's page died
  await settle();
  expectEqual(tab.hubPort.closed, true, 'port closed once the tab lock was released');
  await setup.clock.advance(3100);
  expectEqual(setup.server.requests[0].aborted, true, 'upstream closed');
  setup.hub.close();
});

test('a_thousand_open_close_cycles_leave_no_ports_listeners_readers_or_timers', async () => {
  const { hub, clock, server } = newHub({ graceMs: 50 });
  const ports = [];
  for (let i = 0; i < 1000; i++) {
    const tab = new FakeTab(hub, `t${i}`);
    ports.push(tab.hubPort);
    tab.subscribe(1, `http://app.test/events?topic=t${i % 3}`);
    await settle(2);
    await clock.advance(15);
    const pending = server.pending;
    for (const r of pending) r.respond();
    await settle(2);
    for (const r of server.openBodies) r.send({ id: String(i), event: `t${i % 3}/x`, data: 'd' });
    if (i % 2 === 0) tab.unsubscribe(1);
    tab.bye();
    await settle(2);
    if (i % 10 === 9) await clock.advance(100);
  }
  await clock.advance(1000);
  expectEqual(ports.filter((p) => !p.closed).length, 0, 'hub-side ports still open');
  expectEqual(ports.reduce((n, p) => n + p.listeners.size, 0), 0, 'listeners left on hub-side ports');
  expectEqual(server.openBodies.length, 0, 'response bodies still open (readers)');
  expectEqual(server.requests.filter((r) => !r.aborted).length, 0, 'requests not aborted');
  expectEqual(hub.streams.size, 0, 'streams the hub still holds');
  expectEqual(hub.tabs.tabs.size + hub.tabs.links.size, 0, 'tabs and links the hub still holds');
  expectEqual(hub.tokenRequests.size, 0, 'token requests pending');
  expectEqual(clock.pendingTimers, 0, 'timers pending');
  hub.close();
});
